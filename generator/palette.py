"""The site's categorical palette: line colours and dash patterns for channels and stories.

One place for every colour a drawing of the chain uses (graphs, and anything else that draws
it), in a light and a dark variant. The seven hues are Okabe and Ito's colour-blind-safe set
(without its yellow, which no variant keeps apart from orange for every reader), each
darkened or lightened only as far as needed for 3:1 contrast against the graph background
of its colour scheme. Seven colours times five dash patterns give 35 line styles: a table
of more channels than colours still draws every pair differently, and the dash pattern is
the cue that does not depend on colour at all.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The graph background of each colour scheme (``--graph-bg`` in the theme's style.css).
BACKGROUNDS = {"light": "#ffffff", "dark": "#1c1f25"}
#: The least contrast a line colour keeps against the background of its scheme (WCAG 1.4.11).
MINIMUM_CONTRAST = 3.0


@dataclass(frozen=True)
class Swatch:
    """One colour in its light-scheme and dark-scheme variants."""

    light: str
    dark: str


#: Okabe–Ito: blue, vermillion, bluish green, reddish purple, sky blue, black (light grey in
#: the dark scheme), and a wine red in place of the yellow.
CATEGORICAL: tuple[Swatch, ...] = (
    Swatch("#0072b2", "#1975b3"), Swatch("#d55e00", "#d55e00"), Swatch("#009e73", "#009e73"),
    Swatch("#c776a3", "#cc79a7"), Swatch("#4797c4", "#56b4e9"), Swatch("#000000", "#d4d4d4"),
    Swatch("#882255", "#985b73"),
)
#: vis-network dash patterns (``False``: a solid line), from the plainest to the busiest.
DASHES: tuple[bool | tuple[int, ...], ...] = (False, (12, 6), (3, 5), (14, 5, 3, 5), (7, 3, 2, 3, 2, 3))


@dataclass(frozen=True)
class LineStyle:
    """How a line is drawn: its colour in both schemes and its dash pattern."""

    swatch: Swatch
    dashes: bool | tuple[int, ...]


def line_style(index: int) -> LineStyle:
    """The ``index``-th line style: every colour solid first, then every colour with each dash pattern."""
    colours, patterns = len(CATEGORICAL), len(DASHES)
    return LineStyle(CATEGORICAL[index % colours], DASHES[(index // colours) % patterns])


def _linear(channel: float) -> float:
    channel /= 255
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def _component(linear: float) -> int:
    linear = min(1.0, max(0.0, linear))
    value = 12.92 * linear if linear <= 0.0031308 else 1.055 * linear ** (1 / 2.4) - 0.055
    return round(value * 255)


def _rgb(colour: str) -> tuple[float, float, float]:
    return tuple(_linear(int(colour[i:i + 2], 16)) for i in (1, 3, 5))  # type: ignore[return-value]


def _hex(linear: tuple[float, ...]) -> str:
    return "#" + "".join(f"{_component(value):02x}" for value in linear)


def luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    red, green, blue = _rgb(colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def readable(colour: str, background: str, minimum: float = MINIMUM_CONTRAST) -> str:
    """``colour``, moved towards black or white (away from ``background``) just far enough for ``minimum`` contrast."""
    if contrast(colour, background) >= minimum:
        return colour
    towards = 0.0 if luminance(background) > 0.18 else 1.0
    linear = _rgb(colour)
    for step in range(1, 101):
        share = step / 100
        moved = _hex(tuple(value + (towards - value) * share for value in linear))
        if contrast(moved, background) >= minimum:
            return moved
    return "#000000" if towards == 0.0 else "#ffffff"


def swatch_for(colour: str) -> Swatch:
    """A colour of the site's own as a swatch readable in both schemes."""
    colour = colour.lower()
    return Swatch(readable(colour, BACKGROUNDS["light"]), readable(colour, BACKGROUNDS["dark"]))
