"""Stage 3: plan every page of the site, one context function per page kind.

A context is all a template sees. Each page knows its output path and URL path once;
templates turn URL paths into links with ``url()`` (base path) or ``abs_url()`` (base URL).
Lists of stories hold ``StudyCard``s, not whole studies (only the feed shows post bodies),
so a page's cache key changes only when something it shows does.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from typing import Any

from generator.exports import network_export
from generator.model import COMMENT_STATUSES, STAGES, CaseStudy, Person, PlainPage, Site
from generator.structured_data import person_structured_data, story_structured_data

#: Page kinds that have a vis-network graph; their pages load the graph scripts.
GRAPH_KINDS = frozenset({"story", "network", "person"})


@dataclass(frozen=True)
class Extra:
    """Context keys computed only when the page is rendered: a graph and what goes with it.

    ``kind`` is 'story', 'person' or 'network' and ``ident`` the slug or person id. Planning
    stays cheap, and a page whose cached output is still good never builds its graph.
    """

    kind: str
    ident: str = ""


@dataclass(frozen=True)
class Page:
    """One output file: where it goes, which template renders it, and what the template sees."""

    output: str  # relative to the output folder, '/'-separated
    template: str
    context: dict[str, Any] = field(compare=False)
    url_path: str = ""  # '' is the home page; None-like '' also for non-HTML files
    in_sitemap: bool = True
    extra: Extra | None = None  # added to the context at render time


def _meta(site: Site, *, kind: str, title: str, path: str, description: str = "", noindex: bool = False,
          og_type: str = "website") -> dict[str, Any]:
    """What base.html needs about the page itself."""
    return {
        "kind": kind,
        "title": title,
        "path": path,
        "description": description or site.config.description,
        "noindex": noindex,
        "og_type": og_type,
        "has_graph": kind in GRAPH_KINDS,
    }


def base_context(site: Site, meta: dict[str, Any]) -> dict[str, Any]:
    """The keys every page shares."""
    return {
        "site": site.config,
        "people": site.people,
        "page": meta,
        "stages": STAGES,
        "channels": site.config.channel_table,
        "statuses": COMMENT_STATUSES,
    }


def _page_path(number: int) -> str:
    return "" if number == 1 else f"page/{number}/"


def home_pages(site: Site) -> list[Page]:
    """The home page and its numbered continuations, newest first."""
    size = site.config.posts_per_page
    chunks = [site.studies[start:start + size] for start in range(0, len(site.studies), size)] or [()]
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        path = _page_path(number)
        title = site.config.title if number == 1 else f"{site.config.title}, page {number}"
        context = base_context(site, _meta(site, kind="home", title=title, path=path))
        context["studies"] = tuple(study.card for study in chunk)
        context["pagination"] = {
            "number": number,
            "count": len(chunks),
            "previous": _page_path(number - 1) if number > 1 else None,
            "next": _page_path(number + 1) if number < len(chunks) else None,
        }
        pages.append(Page(f"{path}index.html", "index.html", context, path))
    return pages


def case_study_context(site: Site, study: CaseStudy, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a case study page sees: the study, its people and its neighbours in time."""
    position = site.position_of(study)
    meta = _meta(site, kind="story", title=study.title, path=study.url_path, description=study.summary, og_type="article")
    context = base_context(site, meta)
    context.update(
        study=study,
        newer=site.studies[position - 1].card if position > 0 else None,
        older=site.studies[position + 1].card if position + 1 < len(site.studies) else None,
        tag_names=site.tag_names(),
        # Commenters are linked to their page only when they have one (see ``Site.has_page``).
        linked_commenters=tuple(sorted(pid for pid in study.commenters if site.has_page(pid))),
        structured_data=story_structured_data(site, study),
        **(extra or {}),
    )
    return context


def tag_pages(site: Site) -> list[Page]:
    """The tag index and one page per tag."""
    tags = site.tags()
    names = site.tag_names()
    context = base_context(site, _meta(site, kind="tags", title="Tags", path="tags/"))
    context["tags"] = [(slug, names[slug], len(studies)) for slug, studies in tags.items()]
    pages = [Page("tags/index.html", "tags.html", context, "tags/")]
    for slug, studies in tags.items():
        path = f"tags/{slug}/"
        context = base_context(site, _meta(site, kind="tag", title=f"Stories tagged “{names[slug]}”", path=path))
        context.update(tag=names[slug], studies=tuple(study.card for study in studies))
        pages.append(Page(f"{path}index.html", "tag.html", context, path))
    return pages


def person_context(site: Site, person: Person, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """A person page: who they are and the stories they appear in."""
    description = f"{person.display_name}: the case studies they appear in."
    meta = _meta(site, kind="person", title=person.display_name, path=person.url_path, description=description,
                 noindex=person.noindex)
    context = base_context(site, meta)
    context.update(person=person, studies=tuple(study.card for study in site.studies_of(person.id)),
                   structured_data=person_structured_data(site, person), **(extra or {}))
    return context


def people_pages(site: Site, extras: dict[str, dict[str, Any]] | None = None, *, graphs: bool = False,
                 wanted: Container[str] | None = None) -> list[Page]:
    """The people index and one page per person who appears in a built story (``graphs``: with an ``Extra``).

    ``wanted``: see ``plan_pages``.
    """
    counts = site.story_counts
    present = [person for person in site.people.values() if counts[person.id]]
    context = base_context(site, _meta(site, kind="people", title="People", path="people/",
                                       description="Everyone who appears in these case studies."))
    context["everyone"] = [(person, counts[person.id]) for person in present]
    pages = [Page("people/index.html", "people.html", context, "people/")]
    for person in present:
        output = f"{person.url_path}index.html"
        wanted_here = wanted is None or output in wanted
        context = person_context(site, person, (extras or {}).get(person.id)) if wanted_here else {}
        pages.append(Page(output, "person.html", context, person.url_path, extra=Extra("person", person.id) if graphs else None))
    return pages


def plain_page_context(site: Site, page: PlainPage) -> dict[str, Any]:
    """A plain page (About, Contact): its title and body, nothing of the stories."""
    context = base_context(site, _meta(site, kind="page", title=page.title, path=page.url_path, description=page.summary))
    context["plain"] = page
    return context


def plain_pages(site: Site) -> list[Page]:
    """One page per ``content/pages/<slug>.md``, at ``/<slug>/``."""
    return [Page(f"{page.url_path}index.html", "page.html", plain_page_context(site, page), page.url_path) for page in site.pages]


def archive_page(site: Site) -> Page:
    """Every study grouped by year, newest first."""
    years: dict[int, list[CaseStudy]] = {}
    for study in site.studies:
        years.setdefault(study.date.year, []).append(study)
    context = base_context(site, _meta(site, kind="archive", title="Archive", path="archive/"))
    context["years"] = [(year, tuple(study.card for study in studies)) for year, studies in years.items()]
    return Page("archive/index.html", "archive.html", context, "archive/")


def special_pages(site: Site, html_pages: list[Page]) -> list[Page]:
    """404, Atom feed, sitemap and robots.txt (the sitemap lists ``html_pages``)."""
    not_found = base_context(site, _meta(site, kind="404", title="Page not found", path="404.html", noindex=True))
    feed = base_context(site, _meta(site, kind="feed", title=site.config.title, path="feed.xml"))
    feed.update(studies=site.studies[:20], updated=site.studies[0].date if site.studies else None)
    sitemap = base_context(site, _meta(site, kind="sitemap", title="", path="sitemap.xml"))
    sitemap["entries"] = [page.url_path for page in html_pages if page.in_sitemap]
    robots = base_context(site, _meta(site, kind="robots", title="", path="robots.txt"))
    return [
        Page("404.html", "404.html", not_found, "404.html", in_sitemap=False),
        Page("feed.xml", "feed.xml", feed, "feed.xml", in_sitemap=False),
        Page("sitemap.xml", "sitemap.xml", sitemap, "sitemap.xml", in_sitemap=False),
        Page("robots.txt", "robots.txt", robots, "robots.txt", in_sitemap=False),
    ]


def plan_pages(site: Site, *, story_extras: dict[str, dict[str, Any]] | None = None,
               person_extras: dict[str, dict[str, Any]] | None = None,
               network: dict[str, Any] | None = None, graphs: bool = False,
               wanted: Container[str] | None = None) -> list[Page]:
    """Every page of the site, in a fixed order.

    With ``graphs``, story, person and network pages carry an ``Extra`` that the renderer
    computes (see ``generator.extras``); otherwise the given extras are merged in now.
    With ``wanted`` (output paths), the story and person pages not in it, which are most
    of a large site, get an empty context: they are listed but must not be rendered.
    """
    pages = home_pages(site)
    for study in site.studies:
        output = f"{study.url_path}index.html"
        wanted_here = wanted is None or output in wanted
        context = case_study_context(site, study, (story_extras or {}).get(study.slug)) if wanted_here else {}
        pages.append(Page(output, "story.html", context, study.url_path, extra=Extra("story", study.slug) if graphs else None))
    pages += tag_pages(site)
    pages += people_pages(site, person_extras, graphs=graphs, wanted=wanted)
    pages.append(archive_page(site))
    pages += plain_pages(site)
    if network is not None or graphs:
        context = base_context(site, _meta(site, kind="network", title="The network", path="network/",
                                           description="Every introduction in every story, joined into one network."))
        context.update(network or {})
        pages.append(Page("network/index.html", "network.html", context, "network/", extra=Extra("network") if graphs else None))
        pages += export_pages(site, graphs=graphs)
    return pages + special_pages(site, pages)


#: The network's exports: each output name is also its template's (in the built-in theme, beside network.html).
EXPORTS = ("network.gexf", "network.graphml", "network.json")


def export_pages(site: Site, *, graphs: bool) -> list[Page]:
    """The whole network as GEXF, GraphML and JSON, beside the network page (``graphs``: context as an ``Extra``)."""
    pages = []
    for name in EXPORTS:
        context = base_context(site, _meta(site, kind="export", title=site.config.title, path=f"network/{name}"))
        if not graphs:
            context["export"] = network_export(site, site.story_counts)
        pages.append(Page(f"network/{name}", name, context, f"network/{name}", in_sitemap=False,
                          extra=Extra("export") if graphs else None))
    return pages
