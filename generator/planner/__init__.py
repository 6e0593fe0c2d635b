"""Stage 3: plan every page of the site: its output path, template, declared inputs and context function.

A page kind (``PageKind``, listed in ``KINDS``) is two functions: its *outline*, the plain
data its pages are made from (slugs, ids, names, the related stories' ranking), read from
the site; and its *pages*, made from the outline alone. Each page knows its output path
and URL path once; templates turn URL paths into links with ``url()`` (base path) or
``abs_url()`` (base URL). Every page declares what it reads (``Page.reads``, see
``generator.page``) right where it is made; incremental rebuilds are decided from those
declarations. A page holds no site: it names its context function (``contexts.py``) with
plain arguments, and its context is made on demand from the site it is given
(``Page.context(site)``). So equal outlines make the same pages, and a rebuild can keep a
kind's pages while its outline is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import partial
from operator import attrgetter
from typing import Any, NamedTuple

from generator.cards import CARD_TEMPLATE, SITE_CARD, card_output, chain_people, site_card
from generator.planner.contexts import (GRAPH_KINDS, archive_context, case_study_context, channel_context, deepening_context,
                                        feed_context, home_context, page_path, people_index_context, person_context,
                                        plain_page_context, search_context, simple_context, story_card_context, tag_context)
from generator.model import CaseStudy, Site
from generator.network import DATA_FILE
from generator.network_index import INDEX_FILE
from generator.page import Deferred, Page, cards, casts, people, settings, shapes, stories, value
from generator.related import Ranking, RankingInputs, rank, ranking_inputs, story_traits
from generator.search import SEARCH_PATH

__all__ = ["GRAPH_KINDS", "KINDS", "PageKind", "Sources", "make_pages", "plan_pages"]

_TAG_NAMES = settings("tag_names")
_channel_of = attrgetter("channel")
#: Where the "how relationships deepen" page goes.
DEEPENING_PATH = "deepening/"


class Sources(NamedTuple):
    """What outlines are read from: the site, the pages planned so far, and how to ask what is asked often.

    ``rank_with`` and ``per_story`` answer as the functions they are given do (see ``plan_pages``).
    """

    site: Site
    planned: list[Page]  # the pages of the kinds before (the sitemap lists them)
    rank_with: Callable[[RankingInputs], Ranking]
    per_story: Callable[[Callable[[CaseStudy], Any]], Callable[[CaseStudy], Any]]


class PageKind(NamedTuple):
    """A kind of page: the plain data its pages are made from, and how they are made from it.

    ``pages(outline(sources))`` are the kind's pages. ``pages`` sees nothing but the outline,
    so two equal outlines (compared by value) make the same pages: their outputs,
    templates and declared inputs.
    """

    name: str
    outline: Callable[[Sources], Hashable]
    pages: Callable[[Any], list[Page]]


def slugs_outline(sources: Sources) -> tuple[str, ...]:
    """Every story's slug, newest first: what the site-wide pages are made from."""
    return tuple(study.slug for study in sources.site.studies)


def home_outline(sources: Sources) -> tuple[int, tuple[str, ...]]:
    return sources.site.config.posts_per_page, slugs_outline(sources)


def home_pages(outline: tuple[int, tuple[str, ...]]) -> list[Page]:
    """The home page and its numbered continuations, newest first."""
    size, slugs = outline
    chunks = [slugs[start:start + size] for start in range(0, len(slugs), size)] or [()]
    return [Page(f"{page_path(number)}index.html", "index.html",
                 partial(home_context, number=number, count=len(chunks), chunk=chunk),
                 cards(chunk) + value(len(chunks)), page_path(number))
            for number, chunk in enumerate(chunks, start=1)]


def story_outline(sources: Sources) -> tuple:
    """Per story: its slug and URL path, neighbours, related stories (slug, reason), place in its series, commenters."""
    site = sources.site
    ranking = sources.rank_with(ranking_inputs(site, sources.per_story(story_traits)))
    studies, series = site.studies, site.series()
    outline = []
    for position, study in enumerate(studies):
        place = None
        if study.series:
            members = tuple(member.slug for member in series[study.series])
            at = members.index(study.slug)
            # (name, position, count, previous, next), oldest first
            place = (study.series, at + 1, len(members), members[at - 1] if at > 0 else None,
                     members[at + 1] if at + 1 < len(members) else None)
        outline.append((study.slug, study.url_path, studies[position - 1].slug if position > 0 else None,
                        studies[position + 1].slug if position + 1 < len(studies) else None,
                        ranking[study.slug], place, study.commenters))
    return tuple(outline)


def story_pages(outline: tuple) -> list[Page]:
    """One page per case study, with its graph."""
    pages = []
    for slug, path, newer, older, related, place, commenters in outline:
        linked = [other for other, _ in related]
        if place is not None:
            linked += [other for other in place[3:] if other is not None]
        # The related stories are ranked from every story's chain and tags: the page declares the result.
        # Its graph and figures read the counts of everyone in it; its comments, whether each commenter has a page.
        reads = (stories((slug,)) + cards(other for other in (newer, older) if other) + value((newer, older))
                 + casts((slug,)) + people(commenters) + _TAG_NAMES + cards(linked)
                 + value((related, place and place[:3])))
        pages.append(Page(f"{path}index.html", "story.html", partial(case_study_context, slug=slug, related=related),
                          reads, path, deferred=Deferred("story", slug)))
    return pages


def tag_outline(sources: Sources) -> tuple:
    """Per tag: its slug, its name as first written, the slugs of its stories."""
    names = sources.site.tag_names()
    return tuple((slug, names[slug], tuple(study.slug for study in studies)) for slug, studies in sources.site.tags().items())


def tag_pages(outline: tuple) -> list[Page]:
    """The tag index and one page per tag."""
    listed = [(slug, name, len(slugs)) for slug, name, slugs in outline]
    pages = [Page("tags/index.html", "tags.html", partial(simple_context, meta={"kind": "tags", "title": "Tags",
                                                                                 "path": "tags/"}, extra={"tags": listed}),
                  value(tuple(listed)), "tags/")]
    for slug, name, slugs in outline:
        path = f"tags/{slug}/"
        pages.append(Page(f"{path}index.html", "tag.html", partial(tag_context, tag=name, path=path, slugs=slugs),
                          cards(slugs) + value(name), path))
    return pages


def people_outline(sources: Sources) -> tuple:
    """Per person who appears in a built story: their id, URL path and the slugs of their stories."""
    studies_of = sources.site.studies_of
    return tuple((person.id, person.url_path, tuple(study.slug for study in studies))
                 for person in sources.site.people.values() if (studies := studies_of(person.id)))


def people_pages(outline: tuple) -> list[Page]:
    """The people index and one page per person who appears in a built story, with their graph."""
    pages = [Page("people/index.html", "people.html", people_index_context, settings("counts"), "people/")]
    for person_id, path, slugs in outline:
        # Their stories' cards (chains included) and casts: the graph draws everyone they share a
        # connection with, and each one's story count.
        pages.append(Page(f"{path}index.html", "person.html", partial(person_context, person_id=person_id),
                          cards(slugs) + casts(slugs), path, deferred=Deferred("person", person_id)))
    return pages


def channels_used(study: CaseStudy) -> tuple[str, ...]:
    """Every channel an introduction of the story went through, each once."""
    named: set[str] = set()
    for connection in study.connections:
        named.update(connection.channels)
        named.update(map(_channel_of, connection.stages))
    named.discard("")  # a stage that names no channel
    return tuple(sorted(named))


def channel_outline(sources: Sources) -> tuple:
    """Per channel an introduction went through (in the channel table's order): its id and the slugs of those stories."""
    used: dict[str, list[str]] = {}
    used_by = sources.per_story(channels_used)
    for study in sources.site.studies:
        for channel in used_by(study):
            used.setdefault(channel, []).append(study.slug)
    return tuple((channel_id, tuple(used[channel_id])) for channel_id in sources.site.config.channel_table
                 if channel_id in used)


def channel_pages(outline: tuple) -> list[Page]:
    """One page per channel an introduction went through, listing those stories newest first."""
    # A card holds the story's chain, so a channel added to or dropped from a story changes it.
    return [Page(f"channels/{channel_id}/index.html", "channel.html",
                 partial(channel_context, channel_id=channel_id, slugs=slugs), cards(slugs), f"channels/{channel_id}/")
            for channel_id, slugs in outline]


def plain_outline(sources: Sources) -> tuple:
    return tuple((page.slug, page.url_path) for page in sources.site.pages)


def plain_pages(outline: tuple) -> list[Page]:
    """One page per ``content/pages/<slug>.md``, at ``/<slug>/``."""
    return [Page(f"{path}index.html", "page.html", partial(plain_page_context, slug=slug), (), path) for slug, path in outline]


def search_pages(outline: bool) -> list[Page]:
    """The search page, unless the site turned search off."""
    return [Page(f"{SEARCH_PATH}index.html", "search.html", search_context, (), SEARCH_PATH)] if outline else []


def archive_pages(slugs: tuple[str, ...]) -> list[Page]:
    """Every study grouped by year, newest first."""
    return [Page("archive/index.html", "archive.html", archive_context, cards(slugs), "archive/")]


#: Deferred contexts that hold the whole network: rendered first, each in a chunk of its own...
WHOLE_NETWORK = frozenset({"network", "network-data", "network-index", "export"})
#: ... but for these, which share the network's layout and index (``GraphInputs.network``): one chunk.
SHARED_NETWORK = frozenset({"network", "network-data", "network-index"})


#: The network's exports: each output name is also its template's (in the built-in theme, beside network.html).
EXPORTS = ("network.gexf", "network.graphml", "network.json")


def network_pages(slugs: tuple[str, ...]) -> list[Page]:
    """The network page, its data files, "how relationships deepen" and the network's exports."""
    meta = {"kind": "network", "title": "The network", "path": "network/",
            "description": "Every introduction in every story, joined into one network."}
    deepening = {"kind": "deepening", "title": "How relationships deepen", "path": DEEPENING_PATH,
                 "description": "How long the pairs in these stories took from first contact to each stage, "
                                "by channel and by kind of bridge."}
    drawn = shapes(slugs)
    return [
        # It names its data files by their digests: it reads what they read.
        Page("network/index.html", "network.html", partial(simple_context, meta=meta, extra={}),
             drawn + cards(slugs) + settings("counts", "tag_names"), "network/", deferred=Deferred("network")),
        # Its graph data, a file of its own that graph.js fetches (``network.DATA_FILE``).
        Page(DATA_FILE, "network-graph.json", partial(simple_context, meta={"kind": "graph-data", "path": DATA_FILE},
                                                      extra={}),
             drawn + settings("counts"), DATA_FILE, in_sitemap=False, deferred=Deferred("network-data")),
        # Its compact index for the path finder and the filters (``network_index.INDEX_FILE``).
        Page(INDEX_FILE, "network-index.json", partial(simple_context, meta={"kind": "graph-data", "path": INDEX_FILE},
                                                        extra={}),
             cards(slugs) + settings("tag_names"), INDEX_FILE, in_sitemap=False, deferred=Deferred("network-index")),
        # How long pairs took from first contact to each stage (``deepening.py``): every story's timelines,
        # channels and bridges (a story's shape holds its connections), and the channel labels (site.yaml,
        # read by every page); never a post's text.
        Page(f"{DEEPENING_PATH}index.html", "deepening.html", partial(deepening_context, meta=deepening), drawn,
             DEEPENING_PATH),
    ] + [Page(f"network/{name}", name, partial(simple_context, meta={"kind": "export", "path": f"network/{name}"}, extra={}),
              drawn + settings("counts"), f"network/{name}", in_sitemap=False, deferred=Deferred("export"))
         for name in EXPORTS]


def special_outline(sources: Sources) -> tuple:
    """What the sitemap lists (every page planned before, unless left out of it) and the feed's stories."""
    return (tuple(page.url_path for page in sources.planned if page.in_sitemap),
            tuple(study.slug for study in sources.site.studies[:20]))


def special_pages(outline: tuple) -> list[Page]:
    """404, Atom feed, sitemap and robots.txt."""
    entries, newest = outline
    not_found = {"kind": "404", "title": "Page not found", "path": "404.html", "noindex": True}
    return [
        Page("404.html", "404.html", partial(simple_context, meta=not_found, extra={}), (), "404.html", in_sitemap=False),
        Page("feed.xml", "feed.xml", feed_context, stories(newest), "feed.xml", in_sitemap=False),
        Page("sitemap.xml", "sitemap.xml", partial(simple_context, meta={"kind": "sitemap", "title": "", "path": "sitemap.xml"},
                                                    extra={"entries": list(entries)}), value(entries), "sitemap.xml",
             in_sitemap=False),
        Page("robots.txt", "robots.txt", partial(simple_context, meta={"kind": "robots", "title": "", "path": "robots.txt"},
                                                  extra={}), (), "robots.txt", in_sitemap=False),
    ]


def card_outline(sources: Sources) -> tuple:
    """Per story: its slug, its card's output path and everyone in its chain."""
    chain_of = sources.per_story(chain_people)
    return tuple((study.slug, card_output(study), chain_of(study)) for study in sources.site.studies)


def card_pages(outline: tuple) -> list[Page]:
    """The site card and one social card per story (see ``cards.py``): a card reads what it shows."""
    return [Page(SITE_CARD, CARD_TEMPLATE, site_card, (), SITE_CARD, in_sitemap=False)] + [
        Page(output, CARD_TEMPLATE, partial(story_card_context, slug=slug), shapes((slug,)) + people(chain), output, in_sitemap=False)
        for slug, output, chain in outline]


#: Every kind of page, in the order of the plan (the sitemap lists the pages before it in this order).
KINDS: tuple[PageKind, ...] = (
    PageKind("home", home_outline, home_pages),
    PageKind("stories", story_outline, story_pages),
    PageKind("tags", tag_outline, tag_pages),
    PageKind("people", people_outline, people_pages),
    PageKind("archive", slugs_outline, archive_pages),
    PageKind("channels", channel_outline, channel_pages),
    PageKind("plain", plain_outline, plain_pages),
    PageKind("search", lambda sources: sources.site.config.search, search_pages),
    PageKind("network", slugs_outline, network_pages),
    PageKind("special", special_outline, special_pages),
    PageKind("cards", card_outline, card_pages),
)


def make_pages(kind: PageKind, outline: Hashable) -> list[Page]:
    """A kind's pages, made from its outline."""
    return kind.pages(outline)


def _as_is(function: Callable[[CaseStudy], Any]) -> Callable[[CaseStudy], Any]:
    return function


def plan_pages(site: Site, rank_with: Callable[[RankingInputs], Ranking] = rank,
               make: Callable[[PageKind, Hashable], list[Page]] = make_pages,
               per_story: Callable[[Callable[[CaseStudy], Any]], Callable[[CaseStudy], Any]] = _as_is) -> list[Page]:
    """Every page of the site, in a fixed order; story, person and network pages carry their graph as a ``Deferred``.

    Each of the others answers as what it stands for does, and may remember its answers
    (``generator.incremental``): ``rank_with`` ranks the related stories (``related.rank``);
    ``make`` makes a kind's pages from its outline (``make_pages``); ``per_story(function)``
    is ``function``, a function of one story alone.
    """
    sources = Sources(site, [], rank_with, per_story)
    for kind in KINDS:
        sources.planned.extend(make(kind, kind.outline(sources)))
    return sources.planned
