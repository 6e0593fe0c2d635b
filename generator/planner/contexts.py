"""What each page kind's template sees: one context function per page kind, made from the site at render time.

A context is all a template sees. A planned page (``generator.planner``) holds no site: it names its
context function with plain arguments (slugs, ids, numbers), and the function looks up what
it shows in the site it is given. Lists of stories hold ``StudyCard``s, not whole studies
(only the feed shows post bodies), so a list depends on what it shows only.
"""

from __future__ import annotations

from typing import Any

from generator.cards import SITE_CARD, card_alt, card_output, story_card
from generator.deepening import BRIDGE_MEANINGS, Group, site_deepening
from generator.deepening_chart import Chart, chart
from generator.model import COMMENT_STATUSES, STAGES, CaseStudy, Site, StudyCard
from generator.related import Related, series_nav
from generator.search import SEARCH_PATH
from generator.structured_data import person_structured_data, story_structured_data


#: Page kinds that have a vis-network graph; their pages load the graph scripts.
GRAPH_KINDS = frozenset({"story", "network", "person"})


def _meta(site: Site, *, kind: str, title: str, path: str, description: str = "", noindex: bool = False,
          og_type: str = "website", card: str = SITE_CARD, card_alt: str = "") -> dict[str, Any]:
    """What base.html needs about the page itself (``card``: the URL path of its social card)."""
    return {
        "card": card,
        "card_alt": card_alt or f"{site.config.title}: {site.config.description}".rstrip(": "),
        "kind": kind,
        "title": title,
        "path": path,
        "description": description or site.config.description,
        "noindex": noindex,
        "og_type": og_type,
        "has_graph": kind in GRAPH_KINDS,
    }


def base_context(site: Site, meta: dict[str, Any]) -> dict[str, Any]:
    """The keys every page shares (what every page reads: ``generator.page.BASE_READS``)."""
    return {
        "site": site.config,
        "people": site.people,
        "page": meta,
        "stages": STAGES,
        "channels": site.config.channel_table,
        "statuses": COMMENT_STATUSES,
    }


def simple_context(site: Site, meta: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``base_context`` with the given keys added (``meta`` without a title: the site's)."""
    return {**base_context(site, _meta(site, **{"title": site.config.title, **meta})), **extra}


def page_path(number: int) -> str:
    return "" if number == 1 else f"page/{number}/"


def _cards(site: Site, slugs: tuple[str, ...]) -> tuple[StudyCard, ...]:
    return tuple(site.study(slug).card for slug in slugs)


def home_context(site: Site, *, number: int, count: int, chunk: tuple[str, ...]) -> dict[str, Any]:
    """One page of the home page's list, newest first."""
    path = page_path(number)
    title = site.config.title if number == 1 else f"{site.config.title}, page {number}"
    context = base_context(site, _meta(site, kind="home", title=title, path=path))
    context["studies"] = _cards(site, chunk)
    context["pagination"] = {
        "number": number,
        "count": count,
        "previous": page_path(number - 1) if number > 1 else None,
        "next": page_path(number + 1) if number < count else None,
    }
    return context


def case_study_context(site: Site, *, slug: str, related: tuple[tuple[str, str], ...] = ()) -> dict[str, Any]:
    """What a case study page sees: the study, its people, its neighbours in time, related stories and its series.

    ``related``: its related stories, best first, as (slug, reason) (``related.rank``).
    """
    study = site.study(slug)
    position = site.position_of(study)
    meta = _meta(site, kind="story", title=study.title, path=study.url_path, description=study.summary, og_type="article",
                 card=card_output(study), card_alt=card_alt(site, study))
    context = base_context(site, meta)
    context.update(
        study=study,
        newer=site.studies[position - 1].card if position > 0 else None,
        older=site.studies[position + 1].card if position + 1 < len(site.studies) else None,
        tag_names=site.tag_names(),
        related=tuple(Related(site.study(other).card, reason) for other, reason in related),
        series=series_nav(site, study),
        # Commenters are linked to their page only when they have one (see ``Site.has_page``).
        linked_commenters=tuple(sorted(pid for pid in study.commenters if site.has_page(pid))),
        structured_data=story_structured_data(site, study),
    )
    return context


def tag_context(site: Site, *, tag: str, path: str, slugs: tuple[str, ...]) -> dict[str, Any]:
    """A tag's page: the cards of the stories carrying it, newest first."""
    return simple_context(site, {"kind": "tag", "title": f"Stories tagged “{tag}”", "path": path},
                           {"tag": tag, "studies": _cards(site, slugs)})


def person_context(site: Site, *, person_id: str) -> dict[str, Any]:
    """A person page: who they are and the stories they appear in."""
    person = site.people[person_id]
    description = f"{person.display_name}: the case studies they appear in."
    meta = _meta(site, kind="person", title=person.display_name, path=person.url_path, description=description,
                 noindex=person.noindex)
    context = base_context(site, meta)
    context.update(person=person, studies=tuple(study.card for study in site.studies_of(person.id)),
                   structured_data=person_structured_data(site, person))
    return context


def people_index_context(site: Site) -> dict[str, Any]:
    """Everyone who appears in a built story, with how many."""
    counts = site.story_counts
    context = base_context(site, _meta(site, kind="people", title="People", path="people/",
                                       description="Everyone who appears in these case studies."))
    context["everyone"] = [(person, counts[person.id]) for person in site.people.values() if counts[person.id]]
    return context


def channel_context(site: Site, *, channel_id: str, slugs: tuple[str, ...]) -> dict[str, Any]:
    """A channel's page: the channel and the cards of the stories that used it."""
    channel = site.config.channel_table[channel_id]
    meta = {"kind": "channel", "title": f"Met through {channel.label}", "path": f"channels/{channel_id}/",
            "description": f"The stories in which an introduction went through {channel.label}."}
    return simple_context(site, meta, {"channel": channel, "studies": _cards(site, slugs)})


def plain_page_context(site: Site, *, slug: str) -> dict[str, Any]:
    """A plain page (About, Contact): its title and body, nothing of the stories."""
    page = next(page for page in site.pages if page.slug == slug)
    context = base_context(site, _meta(site, kind="page", title=page.title, path=page.url_path, description=page.summary))
    context["plain"] = page
    return context


def search_context(site: Site) -> dict[str, Any]:
    """The search page (``search.py`` makes its index)."""
    meta = {"kind": "search", "title": "Search", "path": SEARCH_PATH, "description": f"Search the stories of {site.config.title}."}
    return simple_context(site, meta, {})


def archive_context(site: Site) -> dict[str, Any]:
    """Every study grouped by year, newest first."""
    years: dict[int, list[CaseStudy]] = {}
    for study in site.studies:
        years.setdefault(study.date.year, []).append(study)
    context = base_context(site, _meta(site, kind="archive", title="Archive", path="archive/"))
    context["years"] = [(year, tuple(study.card for study in studies)) for year, studies in years.items()]
    return context


def deepening_context(site: Site, meta: dict[str, Any]) -> dict[str, Any]:
    """How relationships deepen: every pair's timeline summed up, with a chart per group that has measured days."""
    summary = site_deepening(site)
    def drawn(groups: tuple[Group, ...]) -> tuple[tuple[Group, Chart | None], ...]:
        return tuple((group, chart(group, summary.longest) if group.measured else None) for group in groups)

    return simple_context(site, meta, {"deepening": summary, "overall": drawn((summary.overall,))[0],
                                        "by_channel": drawn(summary.by_channel), "by_bridge": drawn(summary.by_bridge),
                                        "bridge_meanings": BRIDGE_MEANINGS})


def feed_context(site: Site) -> dict[str, Any]:
    """The Atom feed: the 20 newest studies, bodies included."""
    context = base_context(site, _meta(site, kind="feed", title=site.config.title, path="feed.xml"))
    context.update(studies=site.studies[:20], updated=site.studies[0].date if site.studies else None)
    return context


def story_card_context(site: Site, *, slug: str) -> dict[str, Any]:
    return story_card(site, site.study(slug))
