"""Related stories and series: what a story page offers to read next.

Stories are related by what they share, weighted by how telling each kind is: people
most, then tags, then the kinds of bridge and the channels. Candidates come only from
shared people and tags (channels and bridges are shared by most stories, which would
make every story a candidate of every other); a person or tag in a great many stories
still counts in the score but brings no candidates of its own, which keeps a large site
from comparing every story with every other.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def related_stories(site: Site, study: CaseStudy, count: int = RELATED_COUNT) -> tuple[Related, ...]:
    """Up to ``count`` stories most like ``study``, best first (ties: newer first, then by slug)."""
    tags = site.tags()
    from generator.content.fields import slugify

    candidates: dict[str, CaseStudy] = {}
    for pid in _features(study)["people"]:
        others = site.studies_of(pid)
        if len(others) <= CANDIDATE_LIMIT:
            candidates.update((other.slug, other) for other in others)
    for tag in study.tags:
        others = tags.get(slugify(tag) or "tag", ())
        if len(others) <= CANDIDATE_LIMIT:
            candidates.update((other.slug, other) for other in others)
    candidates.pop(study.slug, None)
    mine = _features(study)
    scored = []
    for other in candidates.values():
        theirs = _features(other)
        shared = {kind: mine[kind] & theirs[kind] for kind in WEIGHTS}
        if not shared["people"] and not shared["tags"]:
            continue  # a candidate through its author (``studies_of`` counts authors), not its chain
        score = sum(WEIGHTS[kind] * len(items) for kind, items in shared.items())
        scored.append((-score, -other.date.timestamp(), other.slug, other, shared))
    scored.sort(key=lambda entry: entry[:3])
    return tuple(Related(other.card, _reason(site, shared)) for *_, other, shared in scored[:count])


def series_nav(site: Site, study: CaseStudy) -> SeriesNav | None:
    """Where ``study`` stands in its series (oldest first), or None when it is in none."""
    if not study.series:
        return None
    members = site.series().get(study.series, ())
    at = next(number for number, member in enumerate(members) if member.slug == study.slug)
    return SeriesNav(study.series, at + 1, len(members), members[at - 1].card if at > 0 else None,
                     members[at + 1].card if at + 1 < len(members) else None)
