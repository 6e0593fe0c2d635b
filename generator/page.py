"""A planned page: where it goes, which template renders it, what it reads, and how its context is made.

Each page declares its inputs when it is planned (``Page.reads``), in the small vocabulary
below. An incremental rebuild plans a page again only when one of those inputs changed
or the page's declaration did (``generator.incremental.changes``); nothing else keeps a
second map of which page reads what.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from generator.model import Site

#: One declared input, a name (``"what:which"``) or a computed value:
#:
#: - ``"story:<slug>"``: the whole story (body, comments, chain, dates);
#: - ``"card:<slug>"``: what a list shows of it (``CaseStudy.card``, the chain included);
#: - ``"shape:<slug>"``: what the network draws of it (slug, title, author, connections);
#: - ``"cast:<slug>"``: the people a story involves (its author and chain): their entries and story counts;
#: - ``"person:<id>"``: a person's entry in people.yaml and how many stories they appear in;
#: - ``"setting:<name>"``: a site-wide value, one of ``SETTINGS``;
#: - ``("value", anything hashable)``: a value the planner computed itself (a page count,
#:   the sitemap's entries); it is compared with the one the last build declared.
#:
#: Names are plain strings because a large site declares tens of thousands of them on
#: every build, and strings hash and compare fastest.
Input = str | tuple[str, Hashable]

#: The site-wide values a page can read, by name.
SETTINGS: dict[str, Callable[[Site], object]] = {
    "config": lambda site: site.config,  # site.yaml: title, base URL, channels, navigation
    "people": lambda site: site.people,  # people.yaml, every entry
    "counts": lambda site: site.story_counts,  # how many stories each person appears in
    "tag_names": lambda site: site.tag_names(),  # each tag as first written
    "plain_pages": lambda site: site.pages,  # content/pages/
}

#: What every page reads through ``base_context`` (the site's settings, everyone's names, the
#: navigation), so no page lists it.
BASE_READS: tuple[Input, ...] = ("setting:config", "setting:people", "setting:plain_pages")


def stories(slugs: Iterable[str]) -> tuple[Input, ...]:
    """Reads whole stories."""
    return tuple(map("story:".__add__, slugs))


def cards(slugs: Iterable[str]) -> tuple[Input, ...]:
    """Reads the cards of stories (what a list of stories shows)."""
    return tuple(map("card:".__add__, slugs))


def shapes(slugs: Iterable[str]) -> tuple[Input, ...]:
    """Reads the chains of stories (what the network draws)."""
    return tuple(map("shape:".__add__, slugs))


def casts(slugs: Iterable[str]) -> tuple[Input, ...]:
    """Reads the people stories involve: their entries and story counts."""
    return tuple(map("cast:".__add__, slugs))


def people(ids: Iterable[str]) -> tuple[Input, ...]:
    """Reads people: their entries and their story counts."""
    return tuple(map("person:".__add__, ids))


def settings(*names: str) -> tuple[Input, ...]:
    """Reads site-wide values (``SETTINGS``)."""
    unknown = set(names) - set(SETTINGS)
    if unknown:
        raise ValueError(f"unknown settings {sorted(unknown)}")
    return tuple(map("setting:".__add__, names))


def value(computed: Hashable) -> tuple[Input, ...]:
    """Reads a value the planner computed (compared with the last build's declaration)."""
    return (("value", computed),)


@dataclass(frozen=True)
class Deferred:
    """The part of a page's context computed only when the page is rendered: a graph and what goes with it.

    ``kind`` is 'story', 'person', 'network' or 'export' and ``ident`` the slug or person id. Planning
    stays cheap, and a page whose cached output is still good never builds its graph.
    """

    kind: str
    ident: str = ""


class Page(NamedTuple):
    """One output file: where it goes, which template renders it, what it reads, and how its context is made.

    A named tuple rather than a dataclass: a large site plans thousands of pages on every
    rebuild, and a tuple is made several times faster. A page holds no site:
    ``make_context(site)`` makes its context from the site it is given, so a page is plain
    data that any build of the same outline can use. It is a picklable callable (a module-level
    function, or a ``functools.partial`` of one with plain arguments): render workers started
    fresh receive pages by pickle.
    """

    output: str  # relative to the output folder, '/'-separated
    template: str
    make_context: Callable[[Site], dict[str, Any]]
    reads: tuple[Input, ...] = ()  # what the context and the graph read besides ``BASE_READS``; see ``Input``
    url_path: str = ""  # '' is the home page; the file's own name for non-HTML files
    in_sitemap: bool = True
    deferred: Deferred | None = None  # added to the context at render time

    def context(self, site: Site) -> dict[str, Any]:
        """All the template sees of ``site``, but for the ``deferred`` part."""
        return self.make_context(site)
