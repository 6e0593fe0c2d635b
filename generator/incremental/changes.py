"""Which pages a change can affect, derived from the inputs each page declared when it was planned.

A page is planned again (its context made and digested) when its declaration differs from
the one the last build recorded, or when one of the inputs it declared has a different
value in the new site. Values are compared by equality, never by identity, so the answer
is the same whether the two sites share objects (the dev server's memory) or not (a
state loaded from the cache). The vocabulary of inputs is ``generator.page.Input``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from generator.model import CaseStudy, Site
from generator.page import BASE_READS, SETTINGS, Input, Page


def _shape(study: CaseStudy) -> tuple:
    """What the network draws of a story."""
    return (study.slug, study.title, study.author, study.connections)


def changed_inputs(before: Site, after: Site) -> set[Input]:
    """Every input (in ``generator.page``'s vocabulary) whose value differs between the two sites."""
    changed: set[Input] = {f"setting:{name}" for name, read in SETTINGS.items() if read(before) != read(after)}
    old = {study.slug: study for study in before.studies}
    new = {study.slug: study for study in after.studies}
    for slug in old.keys() | new.keys():
        first, second = old.get(slug), new.get(slug)
        if first is second or first == second:  # ``is``: a shortcut (a story is equal to itself), not a rule
            continue
        changed.add(f"story:{slug}")
        if first is None or second is None or first.card != second.card:
            changed.add(f"card:{slug}")
        if first is None or second is None or _shape(first) != _shape(second):
            changed.add(f"shape:{slug}")
    counts_before, counts_after = before.story_counts, after.story_counts
    people: set[str] = set()
    # Equal as wholes (compared at C speed, an entry shared by both sites in an instant): no person changed.
    same_people = before.people == after.people and counts_before == counts_after
    for person_id in () if same_people else before.people.keys() | after.people.keys():
        first, second = before.people.get(person_id), after.people.get(person_id)
        if (first is not second and first != second) or counts_before.get(person_id) != counts_after.get(person_id):
            people.add(person_id)
    changed.update(f"person:{person_id}" for person_id in people)
    # A story's cast changes when its people do, or when anyone in it changes.
    changed.update(f"cast:{slug}" for slug in old.keys() | new.keys() if f"story:{slug}" in changed
                   and (slug not in old or slug not in new or old[slug].people != new[slug].people))
    if people:
        changed.update(f"cast:{study.slug}" for site in (before, after) for study in site.studies
                       if not people.isdisjoint(study.people))
    return changed


def pages_to_plan(pages: Sequence[Page], declared: Mapping[str, tuple[Input, ...]], changed: set[Input]) -> set[int]:
    """The numbers of the pages whose declaration is new or differs from ``declared``, or that read a ``changed`` input."""
    if not changed.isdisjoint(BASE_READS):
        return set(range(len(pages)))
    # ``is``: a page made for an equal outline holds the very declaration recorded (a shortcut, not a rule).
    return {number for number, page in enumerate(pages)
            if ((last := declared.get(page[0])) is not (reads := page[3]) and last != reads) or not changed.isdisjoint(reads)}
