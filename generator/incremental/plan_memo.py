"""The pages of each page kind last made, given again while the kind's outline is the same."""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.page import Page
    from generator.planner import PageKind


class PlanMemo:
    """Each page kind's last outline and the pages made from it (the dev server keeps one between builds).

    ``make`` answers as ``planner.make_pages`` does: a kind's pages are made from its outline
    alone (``planner.PageKind``), and outlines are plain data compared by value, so a kind
    whose outline equals the last one gets the pages made from that one. A story gaining or
    losing the last use of a tag, channel or person changes the outline of that kind, whose
    pages are then made again. Pickled (``build``'s saved state) it is empty: it only saves
    time in a process that builds again and again.
    """

    def __init__(self) -> None:
        self._last: dict[str, tuple[Hashable, list[Page]]] = {}

    def __reduce__(self):
        return (PlanMemo, ())

    def make(self, kind: PageKind, outline: Hashable) -> list[Page]:
        """The pages of ``kind`` for ``outline``: last time's when the outline is equal, else made now."""
        last = self._last.get(kind.name)
        if last is not None and last[0] == outline:
            return last[1]
        pages = kind.pages(outline)
        self._last[kind.name] = (outline, pages)
        return pages
