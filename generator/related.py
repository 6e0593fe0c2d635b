"""Related stories and series: what a story page offers to read next.

Stories are related by what they share, weighted by how telling each kind is: people
most, then tags, then the kinds of bridge and the channels. Candidates come only from
shared people and tags (channels and bridges are shared by most stories, which would
make every story a candidate of every other); a person or tag in a great many stories
still counts in the score but brings no candidates of its own, which keeps a large site
from comparing every story with every other.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import NamedTuple

from generator.model import CaseStudy, Site, StudyCard

#: How much one shared item of each kind weighs.
WEIGHTS = {"people": 8, "tags": 4, "bridges": 2, "channels": 1}
#: How many stories a person or tag may be in and still bring candidates.
CANDIDATE_LIMIT = 200
RELATED_COUNT = 3


@dataclass(frozen=True)
class Related:
    """A related story and why: 'also features Liz Strauss'."""

    card: StudyCard
    reason: str


@dataclass(frozen=True)
class SeriesNav:
    """A story's place in its series."""

    name: str
    position: int  # 1-based
    count: int
    previous: StudyCard | None
    next: StudyCard | None


def _features(study: CaseStudy) -> dict[str, frozenset[str]]:
    return {
        # The chain's people, not the author: on a blog with one author every story shares them.
        "people": frozenset(pid for connection in study.connections for pid in (*connection.between, *connection.via)),
        "tags": frozenset(study.tags),
        "bridges": frozenset(connection.bridge for connection in study.connections if connection.bridge),
        "channels": frozenset(channel for connection in study.connections for channel in connection.channels),
    }


def _names(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _reason(site: Site, shared: dict[str, frozenset[str]]) -> str:
    """The strongest thing two stories share, in words."""
    if shared["people"]:
        names = sorted(site.people[pid].display_name for pid in shared["people"] if pid in site.people)
        return f"also features {_names(names[:2])}" if names else "shares people"
    if shared["tags"]:
        return f"also tagged {_names([f'“{tag}”' for tag in sorted(shared['tags'])[:2]])}"
    if shared["bridges"]:
        return f"also a {_names(sorted(shared['bridges'])[:2])} bridge"
    table = site.config.channel_table
    labels = sorted(table[cid].label if cid in table else cid for cid in shared["channels"])
    return f"also on {_names(labels[:2])}"


class _Traits(NamedTuple):
    """What ranking compares of a story: its people and tags as sets, its bridges and channels as bit masks."""

    people: frozenset[str]
    tags: frozenset[str]
    bridges: int
    channels: int
    newest_first: float  # minus its date's timestamp, the first tie-break


def related_by_story(site: Site, count: int = RELATED_COUNT) -> dict[str, tuple[Related, ...]]:
    """Each story's up to ``count`` most similar stories, best first (ties: newer first, then by slug)."""
    # Every story's traits are taken once, and the kinds most stories share become bits: a
    # story is a candidate of hundreds of others, so a comparison must cost next to nothing.
    features = {study.slug: _features(study) for study in site.studies}
    bits: dict[tuple[str, str], int] = {}

    def mask(kind: str, items: frozenset[str]) -> int:
        return sum(1 << bits.setdefault((kind, item), len(bits)) for item in items)

    traits = {slug: _Traits(found["people"], found["tags"], mask("bridges", found["bridges"]),
                            mask("channels", found["channels"]), -study.date.timestamp())
              for (slug, found), study in zip(features.items(), site.studies)}
    return {study.slug: _ranked(site, study, features, traits, count) for study in site.studies}


def _candidates(site: Site, study: CaseStudy, people: frozenset[str]) -> dict[str, CaseStudy]:
    """The stories sharing a person or tag with ``study`` that is in no more than ``CANDIDATE_LIMIT`` stories."""
    from generator.content.fields import slugify

    tags = site.tags()
    candidates: dict[str, CaseStudy] = {}
    for pid in people:
        others = site.studies_of(pid)
        if len(others) <= CANDIDATE_LIMIT:
            candidates.update((other.slug, other) for other in others)
    for tag in study.tags:
        others = tags.get(slugify(tag) or "tag", ())
        if len(others) <= CANDIDATE_LIMIT:
            candidates.update((other.slug, other) for other in others)
    candidates.pop(study.slug, None)
    return candidates


def _ranked(site: Site, study: CaseStudy, features: dict[str, dict[str, frozenset[str]]],
            traits: dict[str, _Traits], count: int) -> tuple[Related, ...]:
    mine = traits[study.slug]
    candidates = _candidates(site, study, mine.people)
    scored = []
    for slug in candidates:
        theirs = traits[slug]
        people, tagged = len(mine.people & theirs.people), len(mine.tags & theirs.tags)
        if not people and not tagged:
            continue  # a candidate through its author (``studies_of`` counts authors), not its chain
        score = (WEIGHTS["people"] * people + WEIGHTS["tags"] * tagged
                 + WEIGHTS["bridges"] * (mine.bridges & theirs.bridges).bit_count()
                 + WEIGHTS["channels"] * (mine.channels & theirs.channels).bit_count())
        scored.append((-score, theirs.newest_first, slug))
    mine_features = features[study.slug]
    return tuple(Related(candidates[slug].card,
                         _reason(site, {kind: mine_features[kind] & features[slug][kind] for kind in WEIGHTS}))
                 for *_, slug in heapq.nsmallest(count, scored))


def series_nav(site: Site, study: CaseStudy) -> SeriesNav | None:
    """Where ``study`` stands in its series (oldest first), or None when it is in none."""
    if not study.series:
        return None
    members = site.series().get(study.series, ())
    at = next(number for number, member in enumerate(members) if member.slug == study.slug)
    return SeriesNav(study.series, at + 1, len(members), members[at - 1].card if at > 0 else None,
                     members[at + 1].card if at + 1 < len(members) else None)
