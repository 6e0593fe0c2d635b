"""Which pages a content change can affect: dependency tracking for rebuilds in one process.

Given the site of the previous build and the new one, ``affected_outputs`` names every page
whose context or graph may differ. Only those are planned, digested and (when their key
changed) rendered; every other page keeps its key and file from the previous build.

It relies on what ``load_site`` guarantees while a process keeps its ``ContentMemo``: a
story whose files did not change is the very same ``CaseStudy`` object, so changes are
found by identity in one pass over the site instead of by digesting every page. Anything
it does not track precisely (the site config, the people, the tag names shown on every
story page) answers None: every page is digested, as in a build without history.

Plain pages are not tracked one by one: a change to any of them plans every page.
What each page reads is spelled out by ``pages.py`` (contexts) and ``extras.extra_key``
(graphs); ``tests/test_incremental.py`` compares the result of every kind of edit with a
build from scratch, byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable

from generator.model import CaseStudy, Site
from generator.pages import EXPORTS


def _page(url_path: str) -> str:
    return f"{url_path}index.html"


def _home_outputs(count: int) -> list[str]:
    return ["index.html"] + [f"page/{number}/index.html" for number in range(2, count + 1)]


def _chunks(site: Site) -> list[tuple[CaseStudy, ...]]:
    size = site.config.posts_per_page
    return [site.studies[start:start + size] for start in range(0, len(site.studies), size)] or [()]


def _differs(first: Iterable[object], second: Iterable[object]) -> bool:
    """True unless both hold the very same objects in the same order."""
    first, second = tuple(first), tuple(second)
    return len(first) != len(second) or any(a is not b for a, b in zip(first, second))


def _shape(study: CaseStudy | None) -> tuple | None:
    """What the network page reads of a story (see ``extras.extra_key``)."""
    return None if study is None else (study.slug, study.title, study.author, study.connections)


def affected_outputs(before: Site, after: Site) -> set[str] | None:
    """The output paths of the pages that may differ between the two sites; None when any page may."""
    if before.config != after.config or before.people != after.people or before.tag_names() != after.tag_names():
        return None
    if before.pages != after.pages:
        # Plain pages are few: any change to them plans the site again (a page's slug may
        # take an address a nav link names).
        return None
    old = {study.slug: study for study in before.studies}
    new = {study.slug: study for study in after.studies}
    changed = [slug for slug in dict.fromkeys((*old, *new))
               if old.get(slug) is not new.get(slug) and old.get(slug) != new.get(slug)]
    counts_before, counts_after = before.story_counts, after.story_counts
    recounted = [person_id for person_id in dict.fromkeys((*counts_before, *counts_after))
                 if counts_before.get(person_id) != counts_after.get(person_id)]
    if not changed and not recounted:
        return set()
    outputs: set[str] = {"archive/index.html", "sitemap.xml"}
    people: set[str] = set()
    for slug in changed:
        for site, study in ((before, old.get(slug)), (after, new.get(slug))):
            if study is None:
                continue
            people.update(study.people)
            # The story itself, and its neighbours, whose "newer" and "older" links name it.
            position = site.position_of(study)
            outputs.update(_page(site.studies[number].url_path)
                           for number in range(max(position - 1, 0), min(position + 2, len(site.studies))))
        if _shape(old.get(slug)) != _shape(new.get(slug)):
            outputs.add("network/index.html")
    if recounted:
        outputs.add("network/index.html")
        outputs.add("people/index.html")
    # A person's count shows in every graph they are drawn in: the stories they appear in and
    # the pages of everyone they share a connection with.
    links = _linked_people(after, recounted)
    for person_id in recounted:
        outputs.update(_page(study.url_path) for site in (before, after) for study in site.studies_of(person_id))
        # A commenter is linked only while they have a page: their comments change with it.
        outputs.update(_page(study.url_path) for site in (before, after) for study in site.studies_commented_by(person_id))
        people.update(links.get(person_id, ()))
        people.add(person_id)
    for person_id in people:
        if person_id in after.people:
            outputs.add(_page(after.people[person_id].url_path))
    old_chunks, new_chunks = _chunks(before), _chunks(after)
    if len(old_chunks) != len(new_chunks):
        outputs.update(_home_outputs(max(len(old_chunks), len(new_chunks))))
    else:
        outputs.update(output for output, first, second in zip(_home_outputs(len(new_chunks)), old_chunks, new_chunks)
                       if _differs(first, second))
    old_tags, new_tags = before.tags(), after.tags()
    for tag in dict.fromkeys((*old_tags, *new_tags)):
        if _differs(old_tags.get(tag, ()), new_tags.get(tag, ())):
            outputs.add(f"tags/{tag}/index.html")
            outputs.add("tags/index.html")
    if _differs(before.studies[:20], after.studies[:20]):
        outputs.add("feed.xml")
    if "network/index.html" in outputs:  # the exports read a part of what the network page reads
        outputs.update(f"network/{name}" for name in EXPORTS)
    return outputs


def _linked_people(site: Site, people: Iterable[str]) -> dict[str, set[str]]:
    """For each given person, everyone who shares a connection with them in ``site``."""
    wanted = set(people)
    linked: dict[str, set[str]] = {person_id: set() for person_id in wanted}
    if not wanted:
        return linked
    for study in site.studies:
        for connection in study.connections:
            members = (*connection.between, *connection.via)
            for person_id in wanted.intersection(members):
                linked[person_id].update(members)
    return linked
