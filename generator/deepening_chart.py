"""The geometry of the "how relationships deepen" charts, drawn at build time as inline SVG.

One small chart per group of pairs: a row per stage of the depth scale, and in it a box
plot of the days from first step to that stage (a line from the least to the most days, a
box over the middle half, a bar at the median), on a logarithmic scale shared by every chart
of the page so that they compare at a glance. Each chart is a fixed ``WIDTH`` CSS pixels
wide and drawn at that size, never scaled, so its text stays ``FONT_SIZE`` pixels on a
phone as on a desktop. The template draws the marks; only coordinates are computed here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from generator.deepening import Group

#: The chart's width in CSS pixels: it fits a 390 px phone's column (350 px) without scaling.
WIDTH = 340
FONT_SIZE = 13
_PAD = 8
_LABEL_WIDTH = 106  # the padding and the stage names ("conversation" is the longest)
_COUNT_WIDTH = 46  # the pairs measured, right-aligned
_HEADER = 28
_ROW = 28
_AXIS = 30
#: The least distance between two tick labels' centres, so none overlap.
_TICK_GAP = 36
#: Durations the axis may mark, in days, with their labels.
_TICKS = ((0, "0"), (1, "1 d"), (7, "1 wk"), (30, "1 mo"), (91, "3 mo"), (182, "6 mo"), (365, "1 yr"),
          (730, "2 yr"), (1826, "5 yr"), (3652, "10 yr"), (7305, "20 yr"), (18262, "50 yr"))
#: The scale reaches at least a week, so a site whose pairs all deepened within days still reads as quick.
_LEAST_SCALE = 7


@dataclass(frozen=True)
class Tick:
    """A mark on the time axis."""

    x: float
    label: str


@dataclass(frozen=True)
class Box:
    """A stage's box plot: x of the least, lower quartile, median, upper quartile and most days."""

    minimum: float
    lower: float
    median: float
    upper: float
    maximum: float


@dataclass(frozen=True)
class Row:
    """One stage's row: its label, its vertical centre, its box (None: nothing measured) and its count."""

    stage: str
    y: float
    reached: bool
    box: Box | None
    count: int


@dataclass(frozen=True)
class Chart:
    """One group's chart: its size, the track's ends, the rows and the axis."""

    width: int
    height: int
    label_x: float  # where the stage names start
    left: float  # where the time track starts (day 0)
    right: float  # where it ends (the longest time on the page)
    count_x: float  # the right edge of the count column
    header_y: float
    axis_y: float
    rows: tuple[Row, ...]
    ticks: tuple[Tick, ...]
    font_size: int = FONT_SIZE


def scale(longest: float, left: float = _LABEL_WIDTH, right: float = WIDTH - _COUNT_WIDTH - _PAD):
    """x of a number of days on a logarithmic axis from ``left`` (day 0) to ``right`` (``longest`` days or more)."""
    top = math.log1p(max(longest, _LEAST_SCALE))
    return lambda days: round(left + (right - left) * math.log1p(max(days, 0)) / top, 1)


def ticks(longest: float) -> tuple[Tick, ...]:
    """The axis marks up to ``longest`` days, dropping any that would crowd the one before."""
    x_of = scale(longest)
    kept: list[Tick] = []
    for days, label in _TICKS:
        if days > max(longest, _LEAST_SCALE):
            break
        x = x_of(days)
        if not kept or x - kept[-1].x >= _TICK_GAP:
            kept.append(Tick(x, label))
    return tuple(kept)


def chart(group: Group, longest: float) -> Chart:
    """The chart of one group on the page's shared scale (``longest``: the most days of any stage on the page)."""
    x_of = scale(longest)
    rows = []
    for number, summary in enumerate(group.stages):
        y = _HEADER + _ROW * number + _ROW / 2
        spread = summary.spread
        box = None if spread is None else Box(x_of(spread.minimum), x_of(spread.lower), x_of(spread.median),
                                              x_of(spread.upper), x_of(spread.maximum))
        rows.append(Row(summary.stage, y, summary.reached > 0, box, spread.count if spread else 0))
    axis_y = _HEADER + _ROW * len(group.stages) + 4
    return Chart(WIDTH, int(axis_y + _AXIS), _PAD, x_of(0), x_of(max(longest, _LEAST_SCALE)), WIDTH - _PAD, _HEADER - 6,
                 axis_y, tuple(rows), ticks(longest))
