"""The network at a glance: a picture small enough to ship inside the page, whatever the site's size.

The people's build-time positions are gathered into a grid of cells; each occupied cell
is one dot, sized by how many people it holds, and the links between cells are drawn
as lines, the busiest first, up to a fixed number. So the picture's size has a bound
(about 40 KB of SVG at 10,000 stories), it appears with the page's first paint, and the
same content draws the same bytes. Dots and lines are SVG paths: a dot is a zero-length
segment with a round cap, its diameter the stroke width, so thousands of them cost a few
bytes each. It carries no names: the best-connected people are listed as text beside it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

#: The picture's coordinate system: this many units across (height to match the layout).
WIDTH = 1000
#: Cells across the picture; a cell is one dot.
CELLS = 64
#: At most this many lines between cells, the busiest.
MOST_LINES = 700
#: Dot diameters (a cell is about 15 units across): the people a cell holds, bucketed; the
#: largest leaves a gap to its neighbours, so a dense network still reads as dots and lines.
DOT_SIZES = (3, 5, 7, 9, 11)
LINE_WEIGHTS = (1, 2, 4)
_MARGIN = 16


def overview(positions: Mapping[str, tuple[int, int]], links: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The overview's SVG geometry: ``width``, ``height``, ``dots`` and ``lines`` as path data by size."""
    if not positions:
        return {"width": WIDTH, "height": WIDTH // 2, "dots": [], "lines": []}
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    left, top = min(xs), min(ys)
    span = max(max(xs) - left, max(ys) - top, 1)
    inner = WIDTH - 2 * _MARGIN
    cell_size = inner / CELLS
    height = round((max(ys) - top) / span * inner) + 2 * _MARGIN

    def cell(person_id: str) -> tuple[int, int]:
        x, y = positions[person_id]
        return (min(CELLS - 1, int((x - left) / span * CELLS)), min(CELLS - 1, int((y - top) / span * CELLS)))

    cells = {person_id: cell(person_id) for person_id in positions}
    counts = Counter(cells.values())
    pairs = Counter(tuple(sorted((cells[a], cells[b]))) for a, b in links
                    if a in cells and b in cells and cells[a] != cells[b])

    def centre(where: tuple[int, int]) -> tuple[int, int]:
        return (round(_MARGIN + (where[0] + 0.5) * cell_size), round(_MARGIN + (where[1] + 0.5) * cell_size))

    biggest = max(counts.values())
    dots: dict[int, list[str]] = {}
    for where in sorted(counts):
        size = DOT_SIZES[min(len(DOT_SIZES) - 1, int(math.log(counts[where], 2) / max(1.0, math.log(biggest, 2))
                                                     * (len(DOT_SIZES) - 1) + 0.5))] if biggest > 1 else DOT_SIZES[1]
        x, y = centre(where)
        dots.setdefault(size, []).append(f"M{x} {y}h0")
    busiest = sorted(pairs.items(), key=lambda item: (-item[1], item[0]))[:MOST_LINES]
    heaviest = busiest[0][1] if busiest else 1
    lines: dict[int, list[str]] = {}
    for (start, end), count in sorted(busiest):
        weight = LINE_WEIGHTS[min(len(LINE_WEIGHTS) - 1, int(count / heaviest * len(LINE_WEIGHTS)))]
        (x1, y1), (x2, y2) = centre(start), centre(end)
        lines.setdefault(weight, []).append(f"M{x1} {y1}L{x2} {y2}")
    return {"width": WIDTH, "height": height,
            "dots": [(size, "".join(dots[size])) for size in sorted(dots)],
            "lines": [(weight, "".join(lines[weight])) for weight in sorted(lines)]}


def best_connected(degrees: Mapping[str, int], names: Mapping[str, str], count: int = 12) -> list[str]:
    """The ``count`` people with the most links, most first, ties by name then id."""
    return sorted(degrees, key=lambda person_id: (-degrees[person_id], names[person_id], person_id))[:count]
