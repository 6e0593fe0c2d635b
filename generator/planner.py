"""Stage 3: plan every page of the site: its output path, template, declared inputs and context.

One context function per page kind; a context is all a template sees. Each page knows its
output path and URL path once; templates turn URL paths into links with ``url()`` (base
path) or ``abs_url()`` (base URL). Lists of stories hold ``StudyCard``s, not whole
studies (only the feed shows post bodies), so a list depends on what it shows only.

Every page declares what it reads (``Page.reads``, see ``generator.page``) right where
it is planned; incremental rebuilds are decided from those declarations. A new page kind
is a function here returning its ``Page``s, called from ``plan_pages``, and a template.
Contexts are made on demand (``Page.context()``), so planning a large site stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from operator import attrgetter
from typing import Any

from generator.cards import CARD_TEMPLATE, SITE_CARD, card_alt, card_output, chain_people, site_card, story_card
from generator.channels import Channel
from generator.deepening import BRIDGE_MEANINGS, Group, site_deepening
from generator.deepening_chart import Chart, chart
from generator.model import COMMENT_STATUSES, STAGES, CaseStudy, Person, PlainPage, Site
from generator.network import DATA_FILE
from generator.network_index import INDEX_FILE
from generator.page import Deferred, Page, cards, casts, people, settings, shapes, stories, value
from generator.search import SEARCH_PATH
from generator.related import Ranking, RankingInputs, Related, SeriesNav, rank, related_by_story, series_nav
from generator.structured_data import person_structured_data, story_structured_data

#: Page kinds that have a vis-network graph; their pages load the graph scripts.
GRAPH_KINDS = frozenset({"story", "network", "person"})
_TAG_NAMES = settings("tag_names")
_channel_of = attrgetter("channel")
#: Where the "how relationships deepen" page goes.
DEEPENING_PATH = "deepening/"


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


def _simple_context(site: Site, meta: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``base_context`` with the given keys added."""
    return {**base_context(site, _meta(site, **meta)), **extra}




def _page_path(number: int) -> str:
    return "" if number == 1 else f"page/{number}/"


def home_context(site: Site, number: int, count: int, chunk: tuple[CaseStudy, ...]) -> dict[str, Any]:
    """One page of the home page's list, newest first."""
    path = _page_path(number)
    title = site.config.title if number == 1 else f"{site.config.title}, page {number}"
    context = base_context(site, _meta(site, kind="home", title=title, path=path))
    context["studies"] = tuple(study.card for study in chunk)
    context["pagination"] = {
        "number": number,
        "count": count,
        "previous": _page_path(number - 1) if number > 1 else None,
        "next": _page_path(number + 1) if number < count else None,
    }
    return context


def home_pages(site: Site) -> list[Page]:
    """The home page and its numbered continuations, newest first."""
    size = site.config.posts_per_page
    chunks = [site.studies[start:start + size] for start in range(0, len(site.studies), size)] or [()]
    return [Page(f"{_page_path(number)}index.html", "index.html", partial(home_context, site, number, len(chunks), chunk),
                  cards(study.slug for study in chunk) + value(len(chunks)), _page_path(number))
            for number, chunk in enumerate(chunks, start=1)]


def case_study_context(site: Site, study: CaseStudy, related: tuple[Related, ...] = (),
                       series: SeriesNav | None = None) -> dict[str, Any]:
    """What a case study page sees: the study, its people, its neighbours in time, related stories and its series."""
    position = site.position_of(study)
    meta = _meta(site, kind="story", title=study.title, path=study.url_path, description=study.summary, og_type="article",
                 card=card_output(study), card_alt=card_alt(site, study))
    context = base_context(site, meta)
    context.update(
        study=study,
        newer=site.studies[position - 1].card if position > 0 else None,
        older=site.studies[position + 1].card if position + 1 < len(site.studies) else None,
        tag_names=site.tag_names(),
        related=related,
        series=series,
        # Commenters are linked to their page only when they have one (see ``Site.has_page``).
        linked_commenters=tuple(sorted(pid for pid in study.commenters if site.has_page(pid))),
        structured_data=story_structured_data(site, study),
    )
    return context


def story_pages(site: Site, rank_with: Callable[[RankingInputs], Ranking] = rank) -> list[Page]:
    """One page per case study, with its graph (``rank_with``: see ``related_by_story``)."""
    pages = []
    ranked = related_by_story(site, rank_with)
    for position, study in enumerate(site.studies):
        newer = site.studies[position - 1].slug if position > 0 else None
        older = site.studies[position + 1].slug if position + 1 < len(site.studies) else None
        # Related stories are ranked here, from every story's chain and tags: the page declares the result.
        related, series = ranked[study.slug], series_nav(site, study)
        linked = [item.card.slug for item in related]
        if series is not None:
            linked += [card.slug for card in (series.previous, series.next) if card is not None]
        # Its graph and figures read the counts of everyone in it; its comments, whether each commenter has a page.
        reads = (stories((study.slug,)) + cards(slug for slug in (newer, older) if slug) + value((newer, older))
                 + casts((study.slug,)) + people(study.commenters) + _TAG_NAMES + cards(linked)
                 + value((tuple((item.card.slug, item.reason) for item in related),
                          series and (series.name, series.position, series.count))))
        pages.append(Page(f"{study.url_path}index.html", "story.html", partial(case_study_context, site, study, related, series),
                          reads, study.url_path, deferred=Deferred("story", study.slug)))
    return pages


def tag_pages(site: Site) -> list[Page]:
    """The tag index and one page per tag."""
    tags = site.tags()
    names = site.tag_names()
    listed = tuple((slug, names[slug], len(studies)) for slug, studies in tags.items())
    pages = [Page("tags/index.html", "tags.html", partial(_simple_context, site, {"kind": "tags", "title": "Tags",
                                                                                  "path": "tags/"}, {"tags": list(listed)}),
                   value(listed), "tags/")]
    for slug, studies in tags.items():
        path = f"tags/{slug}/"
        meta = {"kind": "tag", "title": f"Stories tagged “{names[slug]}”", "path": path}
        extra = {"tag": names[slug], "studies": tuple(study.card for study in studies)}
        pages.append(Page(f"{path}index.html", "tag.html", partial(_simple_context, site, meta, extra),
                           cards(study.slug for study in studies) + value(names[slug]), path))
    return pages


def person_context(site: Site, person: Person) -> dict[str, Any]:
    """A person page: who they are and the stories they appear in."""
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


def people_pages(site: Site) -> list[Page]:
    """The people index and one page per person who appears in a built story, with their graph."""
    counts = site.story_counts
    pages = [Page("people/index.html", "people.html", partial(people_index_context, site), settings("counts"), "people/")]
    for person in site.people.values():
        if not counts[person.id]:
            continue
        # Their stories' cards (chains included) and casts: the graph draws everyone they share a
        # connection with, and each one's story count.
        slugs = [study.slug for study in site.studies_of(person.id)]
        pages.append(Page(f"{person.url_path}index.html", "person.html", partial(person_context, site, person),
                          cards(slugs) + casts(slugs),
                           person.url_path, deferred=Deferred("person", person.id)))
    return pages


def channel_context(site: Site, meta: dict[str, Any], channel: Channel, studies: list[CaseStudy]) -> dict[str, Any]:
    """A channel's page: the channel and the cards of the stories that used it."""
    return _simple_context(site, meta, {"channel": channel, "studies": tuple(study.card for study in studies)})


def channel_pages(site: Site) -> list[Page]:
    """One page per channel an introduction went through, listing those stories newest first."""
    table = site.config.channel_table
    used: dict[str, list[CaseStudy]] = {}
    for study in site.studies:
        named: set[str] = set()
        for connection in study.connections:
            named.update(connection.channels)
            named.update(map(_channel_of, connection.stages))
        named.discard("")  # a stage that names no channel
        for channel in named:
            used.setdefault(channel, []).append(study)
    pages = []
    for channel_id in (channel_id for channel_id in table if channel_id in used):
        path = f"channels/{channel_id}/"
        label = table[channel_id].label
        meta = {"kind": "channel", "title": f"Met through {label}", "path": path,
                "description": f"The stories in which an introduction went through {label}."}
        studies = used[channel_id]
        # A card holds the story's chain, so a channel added to or dropped from a story changes it.
        pages.append(Page(f"{path}index.html", "channel.html", partial(channel_context, site, meta, table[channel_id], studies),
                          cards([study.slug for study in studies]), path))
    return pages


def plain_page_context(site: Site, page: PlainPage) -> dict[str, Any]:
    """A plain page (About, Contact): its title and body, nothing of the stories."""
    context = base_context(site, _meta(site, kind="page", title=page.title, path=page.url_path, description=page.summary))
    context["plain"] = page
    return context


def plain_pages(site: Site) -> list[Page]:
    """One page per ``content/pages/<slug>.md``, at ``/<slug>/``."""
    return [Page(f"{page.url_path}index.html", "page.html", partial(plain_page_context, site, page), (), page.url_path)
            for page in site.pages]


def archive_context(site: Site) -> dict[str, Any]:
    """Every study grouped by year, newest first."""
    years: dict[int, list[CaseStudy]] = {}
    for study in site.studies:
        years.setdefault(study.date.year, []).append(study)
    context = base_context(site, _meta(site, kind="archive", title="Archive", path="archive/"))
    context["years"] = [(year, tuple(study.card for study in studies)) for year, studies in years.items()]
    return context


def archive_page(site: Site) -> Page:
    """Every study grouped by year, newest first."""
    return Page("archive/index.html", "archive.html", partial(archive_context, site),
                 cards(study.slug for study in site.studies), "archive/")


def network_page(site: Site) -> Page:
    """Every introduction of every story joined into one network."""
    meta = {"kind": "network", "title": "The network", "path": "network/",
            "description": "Every introduction in every story, joined into one network."}
    # It names its data files by their digests: it reads what they read.
    return Page("network/index.html", "network.html", partial(_simple_context, site, meta, {}),
                 shapes(study.slug for study in site.studies) + cards(study.slug for study in site.studies)
                 + settings("counts", "tag_names"), "network/", deferred=Deferred("network"))


def network_data_page(site: Site) -> Page:
    """The network page's graph data, a file of its own that graph.js fetches (``network.DATA_FILE``)."""
    meta = {"kind": "graph-data", "title": site.config.title, "path": DATA_FILE}
    return Page(DATA_FILE, "network-graph.json", partial(_simple_context, site, meta, {}),
                shapes(study.slug for study in site.studies) + settings("counts"), DATA_FILE, in_sitemap=False,
                deferred=Deferred("network-data"))


def network_index_page(site: Site) -> Page:
    """The network's compact index for the path finder and the filters (``network_index.INDEX_FILE``)."""
    meta = {"kind": "graph-data", "title": site.config.title, "path": INDEX_FILE}
    return Page(INDEX_FILE, "network-index.json", partial(_simple_context, site, meta, {}),
                cards(study.slug for study in site.studies) + settings("tag_names"), INDEX_FILE, in_sitemap=False,
                deferred=Deferred("network-index"))


def deepening_context(site: Site, meta: dict[str, Any]) -> dict[str, Any]:
    """How relationships deepen: every pair's timeline summed up, with a chart per group that has measured days."""
    summary = site_deepening(site)
    def drawn(groups: tuple[Group, ...]) -> tuple[tuple[Group, Chart | None], ...]:
        return tuple((group, chart(group, summary.longest) if group.measured else None) for group in groups)

    return _simple_context(site, meta, {"deepening": summary, "overall": drawn((summary.overall,))[0],
                                        "by_channel": drawn(summary.by_channel), "by_bridge": drawn(summary.by_bridge),
                                        "bridge_meanings": BRIDGE_MEANINGS})


def deepening_page(site: Site) -> Page:
    """How long pairs took from first contact to each stage, by channel and by kind of bridge (``deepening.py``)."""
    meta = {"kind": "deepening", "title": "How relationships deepen", "path": DEEPENING_PATH,
            "description": "How long the pairs in these stories took from first contact to each stage, "
                           "by channel and by kind of bridge."}
    # It reads every story's timelines, channels and bridges (a story's shape holds its connections),
    # and the channel labels (site.yaml, read by every page); never a post's text.
    return Page(f"{DEEPENING_PATH}index.html", "deepening.html", partial(deepening_context, site, meta),
                shapes(study.slug for study in site.studies), DEEPENING_PATH)


#: Deferred contexts that hold the whole network: rendered first, each in a chunk of its own...
WHOLE_NETWORK = frozenset({"network", "network-data", "network-index", "export"})
#: ... but for these, which share the network's layout and index (``GraphInputs.network``): one chunk.
SHARED_NETWORK = frozenset({"network", "network-data", "network-index"})
#: The network's exports: each output name is also its template's (in the built-in theme, beside network.html).
EXPORTS = ("network.gexf", "network.graphml", "network.json")


def export_pages(site: Site) -> list[Page]:
    """The whole network as GEXF, GraphML and JSON, beside the network page (the data is ``Deferred``)."""
    reads = shapes(study.slug for study in site.studies) + settings("counts")
    return [Page(f"network/{name}", name,
                 partial(_simple_context, site, {"kind": "export", "title": site.config.title, "path": f"network/{name}"}, {}),
                 reads, f"network/{name}", in_sitemap=False, deferred=Deferred("export"))
            for name in EXPORTS]


def feed_context(site: Site) -> dict[str, Any]:
    """The Atom feed: the 20 newest studies, bodies included."""
    context = base_context(site, _meta(site, kind="feed", title=site.config.title, path="feed.xml"))
    context.update(studies=site.studies[:20], updated=site.studies[0].date if site.studies else None)
    return context


def special_pages(site: Site, html_pages: list[Page]) -> list[Page]:
    """404, Atom feed, sitemap and robots.txt (the sitemap lists ``html_pages``)."""
    entries = tuple(page.url_path for page in html_pages if page.in_sitemap)
    not_found = {"kind": "404", "title": "Page not found", "path": "404.html", "noindex": True}
    return [
        Page("404.html", "404.html", partial(_simple_context, site, not_found, {}), (), "404.html", in_sitemap=False),
        Page("feed.xml", "feed.xml", partial(feed_context, site), stories(study.slug for study in site.studies[:20]),
              "feed.xml", in_sitemap=False),
        Page("sitemap.xml", "sitemap.xml", partial(_simple_context, site, {"kind": "sitemap", "title": "", "path": "sitemap.xml"},
                                                    {"entries": list(entries)}), value(entries), "sitemap.xml", in_sitemap=False),
        Page("robots.txt", "robots.txt", partial(_simple_context, site, {"kind": "robots", "title": "", "path": "robots.txt"}, {}),
              (), "robots.txt", in_sitemap=False),
    ]


def plan_pages(site: Site, rank_with: Callable[[RankingInputs], Ranking] = rank) -> list[Page]:
    """Every page of the site, in a fixed order; story, person and network pages carry their graph as a ``Deferred``.

    ``rank_with`` ranks the related stories: ``related.rank``, or a function that answers as it does.
    """
    pages = home_pages(site)
    pages += story_pages(site, rank_with)
    pages += tag_pages(site)
    pages += people_pages(site)
    pages.append(archive_page(site))
    pages += channel_pages(site)
    pages += plain_pages(site)
    pages += search_pages(site)
    pages.append(network_page(site))
    pages.append(network_data_page(site))
    pages.append(network_index_page(site))
    pages.append(deepening_page(site))
    pages += export_pages(site)
    return pages + special_pages(site, pages) + card_pages(site)


def search_pages(site: Site) -> list[Page]:
    """The search page, unless the site turned search off (``search.py`` makes its index)."""
    if not site.config.search:
        return []
    meta = {"kind": "search", "title": "Search", "path": SEARCH_PATH, "description": f"Search the stories of {site.config.title}."}
    return [Page(f"{SEARCH_PATH}index.html", "search.html", partial(_simple_context, site, meta, {}), (), SEARCH_PATH)]


def card_pages(site: Site) -> list[Page]:
    """The site card and one social card per story (see ``cards.py``): a card reads what it shows."""
    pages = [Page(SITE_CARD, CARD_TEMPLATE, partial(site_card, site), (), SITE_CARD, in_sitemap=False)]
    for study in site.studies:
        output = card_output(study)
        pages.append(Page(output, CARD_TEMPLATE, partial(story_card, site, study),
                          shapes((study.slug,)) + people(chain_people(study)), output, in_sitemap=False))
    return pages
