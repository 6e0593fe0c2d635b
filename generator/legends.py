"""The legends beside graphs, joined from lines rendered once per build.

A site of 1,000 stories has thousands of graphs and, since each story draws its own
channels, thousands of distinct legends; but they are made of a few dozen distinct lines
(a shape, a channel, the bridge arrow). ``partials/legend_lines.html`` renders each line;
``LegendLines`` renders each distinct one once and joins a legend's lines in the order
``partials/legend.html`` puts them, which gives the same text as rendering that template.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup

#: The templates a ``LegendLines`` stands for: when a project has its own copy of any, its legend is rendered per page.
LEGEND_TEMPLATES = ("partials/legend.html", "partials/legend_lines.html", "partials/macros.html")


class LegendLines:
    """``partials/legend.html`` for a ``legend`` (``graph.legend``), from lines each rendered once."""

    def __init__(self, macros: Callable[[], Any]):
        self._load = macros  # gives the module of partials/legend_lines.html: its macros by name
        self._macros: Any = None
        self._rendered: dict[tuple, str] = {}

    def _line(self, name: str, *args: Any) -> str:
        key = (name, *args)  # plain values and frozen channels: hashable, equal when they render alike
        text = self._rendered.get(key)
        if text is None:
            if self._macros is None:
                self._macros = self._load()
            macro: Callable[..., str] = getattr(self._macros, name)
            text = self._rendered[key] = str(macro(*args))
        return text

    def __call__(self, legend: dict[str, Any]) -> Markup:
        """The legend as markup: the lines ``partials/legend.html`` shows for it, in its order."""
        line = self._line
        parts = [line("opening")]
        parts += [line("kind", name, shape, color) for name, shape, color in legend["kinds"]]
        if legend["highlight_author"]:
            parts.append(line("author", legend["author_color"]))
        parts += [line("channel", channel) for channel in legend["channels"]]
        if not legend["channels"]:
            parts.append(line("by_story"))
        if legend["dashed"]:
            parts.append(line("never_met"))
        parts.append(line("deeper"))
        if legend["bridges"]:
            parts.append(line("bridge", legend["bridge_color"]))
        parts.append(line("closing"))
        return Markup("".join(parts))
