"""How relationships deepen, site-wide: the days from a pair's first step to each stage it reached.

Every connection of every story is a pair with a timeline (its ``stages``, in the order the
story lists them). Its first step is where the pair began: its date, or else the
connection's ``when`` date, is day 0. Each stage the timeline lists later is measured from
there, to the precision both dates are known to: to the day when both are known to the day,
between the firsts of their months when one is known only to the month (an approximate
measure, counted as such), not at all when one is known only to the year. A stage dated
before the first step (listed out of order) counts as reached but is not measured; a stage
listed twice is measured at its earliest. A pair counts at a stage only when its timeline
lists that stage.

The pairs are summed up by stage for every pair, by the channel of their first step, and by
their kind of bridge: how many reached each stage, how many began there, and the spread of
the measured days (minimum, lower quartile, median, upper quartile, maximum; quartiles by
linear interpolation between the closest ranks, numpy's default and Excel's QUARTILE.INC).
Everything here is plain frozen data, computed in a fixed order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from generator.model import BRIDGES, STAGE_NAMES, Connection, PartialDate, Site

#: What each kind of bridge means (docs/content-format.md), as the page explains it.
BRIDGE_MEANINGS: dict[str, str] = {
    "direct": "no go-between",
    "introduction": "a person introduced them",
    "recommendation": "someone recommended one to the other",
    "community": "both belong to a community",
    "event": "both attended an event",
    "testimonial": "one saw the other quoted in someone's material",
    "content": "one found the other's post, video or comment",
}

#: The group key of pairs whose first step names no channel (and whose connection names none).
NO_CHANNEL = ""


@dataclass(frozen=True, slots=True)
class Reach:
    """One stage a pair's timeline lists: the days from its first step, or None when it cannot be measured."""

    stage: str
    days: int | None = None
    approximate: bool = False  # measured between the firsts of two months
    first: bool = False  # the pair's first step (day 0 itself, so never measured)


@dataclass(frozen=True, slots=True)
class PairTimeline:
    """A connection's timeline as measured here: its channel of first contact, its bridge kind, each stage once."""

    channel: str
    bridge: str
    reaches: tuple[Reach, ...]  # by depth, shallowest first
    out_of_order: bool = False  # a stage is dated before the pair's first step


@dataclass(frozen=True, slots=True)
class Spread:
    """The measured days of one stage in one group: how many, and their five-number summary."""

    count: int
    minimum: float
    lower: float  # the lower quartile
    median: float
    upper: float  # the upper quartile
    maximum: float
    approximate: int = 0  # how many of the measures are to the month only


@dataclass(frozen=True, slots=True)
class StageSummary:
    """One stage in one group: pairs that reached it, pairs that began there, and the spread of measured days."""

    stage: str
    reached: int
    began: int
    spread: Spread | None  # None: no pair's arrival at it could be measured


@dataclass(frozen=True)
class Group:
    """The pairs of one channel of first contact, one bridge kind, or all of them, summed up per stage."""

    key: str  # a channel id, a bridge kind, or '' for every pair
    pairs: int
    stages: tuple[StageSummary, ...]  # every stage of the depth scale, shallowest first

    @property
    def measured(self) -> bool:
        """Whether any stage of the group has measured days."""
        return any(summary.spread is not None for summary in self.stages)


@dataclass(frozen=True)
class Deepening:
    """Everything the page shows: every pair summed up, then by channel of first contact and by bridge kind."""

    stories: int  # stories with at least one connection
    overall: Group
    by_channel: tuple[Group, ...]  # in the site's channel table order; pairs with no channel last
    by_bridge: tuple[Group, ...]  # in the content format's order of bridge kinds
    out_of_order: int  # pairs with a stage dated before their first step
    longest: float  # the most days any stage took, 0 when nothing was measured

    @property
    def pairs(self) -> int:
        return self.overall.pairs


def days_between(start: PartialDate, end: PartialDate) -> tuple[int, bool] | None:
    """Days from ``start`` to ``end`` at the precision both are known to, with whether that is approximate.

    Both known to the day: exact. Either known only to the month: between the firsts of the
    two months (approximate). Either known only to the year: None, too coarse to measure.
    """
    if not (start.month and end.month):
        return None
    if start.day and end.day:
        return (end.first_day - start.first_day).days, False
    return (date(end.year, end.month, 1) - date(start.year, start.month, 1)).days, True


def first_channel(connection: Connection) -> str:
    """The channel of the pair's first step, else the first the connection names, else ``NO_CHANNEL``."""
    first = connection.stages[0].channel if connection.stages else ""
    return first or (connection.channels[0] if connection.channels else NO_CHANNEL)


def pair_timeline(connection: Connection) -> PairTimeline:
    """The connection's stages measured from its first step (see the module's docstring for the rules)."""
    stages = connection.stages
    start = stages[0].date if stages and stages[0].date else (connection.when.date if connection.when else None)
    best: dict[str, Reach] = {}
    out_of_order = False
    for position, stage in enumerate(stages):
        if position == 0:
            reach = Reach(stage.stage, first=True)
        else:
            measured = days_between(start, stage.date) if start and stage.date else None
            if measured is not None and measured[0] < 0:
                out_of_order, measured = True, None
            reach = Reach(stage.stage, *measured) if measured else Reach(stage.stage)
        best[stage.stage] = _earlier(best.get(stage.stage), reach)
    ordered = tuple(best[name] for name in STAGE_NAMES if name in best)
    return PairTimeline(first_channel(connection), connection.bridge, ordered, out_of_order)


def _earlier(known: Reach | None, new: Reach) -> Reach:
    """Of two arrivals at one stage: the first step wins, then the one measured earliest."""
    if known is None or new.first:
        return new
    if known.first or new.days is None:
        return known
    if known.days is None or (new.days, new.approximate) < (known.days, known.approximate):
        return new
    return known


def quantile(values: Sequence[float], share: float) -> float:
    """The ``share`` quantile of sorted ``values`` by linear interpolation between the closest ranks."""
    if not values:
        raise ValueError("no values")
    position = share * (len(values) - 1)
    below = int(position)
    above = min(below + 1, len(values) - 1)
    return values[below] + (values[above] - values[below]) * (position - below)


def spread(measures: Iterable[tuple[int, bool]]) -> Spread | None:
    """The five-number summary of (days, approximate) measures; None when there are none."""
    ordered = sorted(measures)
    if not ordered:
        return None
    days = [float(value) for value, _ in ordered]
    return Spread(len(days), days[0], quantile(days, 0.25), quantile(days, 0.5), quantile(days, 0.75), days[-1],
                  sum(approximate for _, approximate in ordered))


def summarise(key: str, timelines: Sequence[PairTimeline]) -> Group:
    """One group's pairs summed up per stage of the depth scale."""
    reached = {name: 0 for name in STAGE_NAMES}
    began = {name: 0 for name in STAGE_NAMES}
    measures: dict[str, list[tuple[int, bool]]] = {name: [] for name in STAGE_NAMES}
    for timeline in timelines:
        for reach in timeline.reaches:
            reached[reach.stage] += 1
            began[reach.stage] += reach.first
            if reach.days is not None:
                measures[reach.stage].append((reach.days, reach.approximate))
    return Group(key, len(timelines), tuple(StageSummary(name, reached[name], began[name], spread(measures[name]))
                                            for name in STAGE_NAMES))


def site_deepening(site: Site) -> Deepening:
    """Every pair of every story, summed up overall, by channel of first contact and by bridge kind."""
    timelines: list[PairTimeline] = []
    stories = 0
    for study in site.studies:
        stories += bool(study.connections)
        timelines.extend(pair_timeline(connection) for connection in study.connections)
    return deepening(timelines, stories, tuple(site.config.channel_table))


def deepening(timelines: Sequence[PairTimeline], stories: int, channel_order: Sequence[str]) -> Deepening:
    """Measured pairs summed up; ``channel_order`` is the order channel groups are listed in."""
    by_channel: dict[str, list[PairTimeline]] = {}
    by_bridge: dict[str, list[PairTimeline]] = {}
    for timeline in timelines:
        by_channel.setdefault(timeline.channel, []).append(timeline)
        by_bridge.setdefault(timeline.bridge, []).append(timeline)
    channel_rank = {channel: number for number, channel in enumerate(channel_order)}
    bridge_rank = {bridge: number for number, bridge in enumerate(BRIDGES)}
    # Unknown keys (a channel the table lacks) sort after the known ones, by name; no channel comes last.
    channels = sorted(by_channel, key=lambda key: (key == NO_CHANNEL, channel_rank.get(key, len(channel_rank)), key))
    bridges = sorted(by_bridge, key=lambda key: (bridge_rank.get(key, len(bridge_rank)), key))
    longest = max((reach.days for timeline in timelines for reach in timeline.reaches if reach.days is not None), default=0)
    return Deepening(
        stories=stories,
        overall=summarise("", timelines),
        by_channel=tuple(summarise(key, by_channel[key]) for key in channels),
        by_bridge=tuple(summarise(key, by_bridge[key]) for key in bridges),
        out_of_order=sum(timeline.out_of_order for timeline in timelines),
        longest=float(longest),
    )
