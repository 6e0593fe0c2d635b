"""How deeply an HTML fragment nests its elements, measured without building a tree.

The converter to Markdown recurses once per level, so HTML nested past any real post's
depth is refused before conversion (``TooDeep``) rather than half converted.
"""

from __future__ import annotations

from html.parser import HTMLParser


#: The deepest element nesting converted; markdownify recurses once per level, and no real
#: post comes near this. Deeper HTML is refused (``TooDeep``) rather than half converted.
MAX_DEPTH = 120
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "param"})


class TooDeep(Exception):
    """The HTML nests elements more than ``MAX_DEPTH`` deep."""

    def __init__(self, depth: int):
        super().__init__(f"HTML nested {depth} elements deep")
        self.depth = depth


class _DepthMeter(HTMLParser):
    """Measures the deepest nesting of elements, without building a tree (no recursion)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.deepest = 0

    def handle_starttag(self, tag, attrs):
        if tag not in _VOID:
            self.open.append(tag)
            self.deepest = max(self.deepest, len(self.open))

    def handle_endtag(self, tag):
        if tag in self.open:
            while self.open and self.open.pop() != tag:
                pass


def nesting_depth(source: str) -> int:
    """How deep elements nest in ``source`` (unclosed ones count as open to the end)."""
    meter = _DepthMeter()
    meter.feed(source)
    meter.close()
    return meter.deepest
