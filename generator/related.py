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
from collections.abc import Callable
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


class StoryTraits(NamedTuple):
    """What the ranking reads of one story: plain data, so that equal traits rank alike in any process."""

    slug: str
    newest_first: float  # minus its date's timestamp, the first tie-break
    everyone: tuple[str, ...]  # the author and the chain's people: whose stories a person brings as candidates
    people: tuple[str, ...]  # the chain's people, sorted; not the author: on a blog with one author every story shares them
    tags: tuple[tuple[str, str], ...]  # (its tag page's slug, as written), one per tag page
    bridges: tuple[str, ...]  # sorted
    channels: tuple[str, ...]  # sorted


class RankingInputs(NamedTuple):
    """Everything ``rank`` reads: each story's traits, in the site's order, and the names its reasons show."""

    stories: tuple[StoryTraits, ...]
    names: tuple[tuple[str, str], ...]  # (person id, display name) of everyone in a chain
    channel_labels: tuple[tuple[str, str], ...]  # (channel id, label) of every channel a chain used


#: Per story slug, its related stories best first, each as (slug, reason).
Ranking = dict[str, tuple[tuple[str, str], ...]]


def story_traits(study: CaseStudy) -> StoryTraits:
    """What the ranking reads of one story (a function of the story alone)."""
    from generator.content.fields import tag_slug

    connections = study.connections
    # Tags are one tag when they share a page ("Small World", "small-world"): compared by slug.
    tags = {tag_slug(tag) or "tag": tag for tag in reversed(study.tags)}
    return StoryTraits(
        study.slug, -study.date.timestamp(), study.people,
        tuple(sorted({pid for connection in connections for pid in (*connection.between, *connection.via)})),
        tuple(sorted(tags.items())),
        tuple(sorted({connection.bridge for connection in connections if connection.bridge})),
        tuple(sorted({channel for connection in connections for channel in connection.channels})))


def ranking_inputs(site: Site, traits_of: Callable[[CaseStudy], StoryTraits] = story_traits) -> RankingInputs:
    """What the related stories of ``site`` are ranked from (``rank``).

    ``traits_of``: ``story_traits``, or a function that answers as it does (one that remembers each story's).
    """
    stories = tuple(map(traits_of, site.studies))
    chained = {pid for story in stories for pid in story.people}
    used = {channel for story in stories for channel in story.channels}
    table = site.config.channel_table
    return RankingInputs(stories,
                         tuple((pid, site.people[pid].display_name) for pid in sorted(chained) if pid in site.people),
                         tuple((cid, table[cid].label) for cid in sorted(used) if cid in table))


def _names(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _reason(names: dict[str, str], labels: dict[str, str], mine: StoryTraits, theirs: StoryTraits) -> str:
    """The strongest thing two stories share, in words (``names``: people's display names, ``labels``: channels')."""
    people = set(mine.people).intersection(theirs.people)
    if people:
        shown = sorted(names[pid] for pid in people if pid in names)
        return f"also features {_names(shown[:2])}" if shown else "shares people"
    theirs_tags = {slug for slug, _ in theirs.tags}
    tags = [written for slug, written in mine.tags if slug in theirs_tags]
    if tags:
        return f"also tagged {_names([f'“{tag}”' for tag in sorted(tags)[:2]])}"
    bridges = set(mine.bridges).intersection(theirs.bridges)
    if bridges:
        return f"also a {_names(sorted(bridges)[:2])} bridge"
    return f"also on {_names(sorted(labels.get(cid, cid) for cid in set(mine.channels).intersection(theirs.channels))[:2])}"


class _Compared(NamedTuple):
    """A story's traits as ranking compares them: people and tags as sets, bridges and channels as bit masks."""

    people: frozenset[str]
    tags: frozenset[str]
    bridges: int
    channels: int


def rank(inputs: RankingInputs, count: int = RELATED_COUNT) -> Ranking:
    """Each story's up to ``count`` most similar stories, best first (ties: newer first, then by slug).

    A pure function of ``inputs``: the dev server keeps its last answer and asks again only
    when a story's traits changed (``generator.incremental``).
    """
    # The kinds most stories share become bits: a story is a candidate of hundreds of
    # others, so a comparison must cost next to nothing.
    bits: dict[tuple[str, str], int] = {}

    def mask(kind: str, items: tuple[str, ...]) -> int:
        return sum(1 << bits.setdefault((kind, item), len(bits)) for item in items)

    stories = {story.slug: story for story in inputs.stories}
    compared = {story.slug: _Compared(frozenset(story.people), frozenset(slug for slug, _ in story.tags),
                                      mask("bridges", story.bridges), mask("channels", story.channels))
                for story in inputs.stories}
    by_person: dict[str, list[str]] = {}
    by_tag: dict[str, list[str]] = {}
    for story in inputs.stories:
        for pid in dict.fromkeys(story.everyone):
            by_person.setdefault(pid, []).append(story.slug)
        for slug, _ in story.tags:
            by_tag.setdefault(slug, []).append(story.slug)
    names, labels = dict(inputs.names), dict(inputs.channel_labels)
    ranking: Ranking = {}
    for story in inputs.stories:
        # Candidates come from the people and tags shared with few enough stories (see the module).
        groups = [by_person.get(pid, ()) for pid in story.people]
        groups += [by_tag[slug] for slug, _ in story.tags]
        candidates = {slug for group in groups if len(group) <= CANDIDATE_LIMIT for slug in group}
        candidates.discard(story.slug)
        mine = compared[story.slug]
        scored = []
        for slug in candidates:
            theirs = compared[slug]
            people, tagged = len(mine.people & theirs.people), len(mine.tags & theirs.tags)
            if not people and not tagged:
                continue  # a candidate through its author, not its chain
            score = (WEIGHTS["people"] * people + WEIGHTS["tags"] * tagged
                     + WEIGHTS["bridges"] * (mine.bridges & theirs.bridges).bit_count()
                     + WEIGHTS["channels"] * (mine.channels & theirs.channels).bit_count())
            scored.append((-score, stories[slug].newest_first, slug))
        ranking[story.slug] = tuple((slug, _reason(names, labels, story, stories[slug]))
                                    for *_, slug in heapq.nsmallest(count, scored))
    return ranking


def series_nav(site: Site, study: CaseStudy) -> SeriesNav | None:
    """Where ``study`` stands in its series (oldest first), or None when it is in none."""
    if not study.series:
        return None
    members = site.series().get(study.series, ())
    at = next(number for number, member in enumerate(members) if member.slug == study.slug)
    return SeriesNav(study.series, at + 1, len(members), members[at - 1].card if at > 0 else None,
                     members[at + 1].card if at + 1 < len(members) else None)
