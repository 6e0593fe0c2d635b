"""What becomes of a rendered page where it was rendered: its links checked, then its file put in the next site.

The render workers run it (``parallel.render_numbers``' ``finish``), so the building
process receives a few numbers per page instead of the page, and writes none itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.linkcheck import broken_links
from generator.output_folder import Stat
from generator.staging import Staging


@dataclass(frozen=True)
class Finished:
    """A page's fate: the internal links it writes that reach no file, or where and how its file was placed."""

    broken: tuple[str, ...] = ()
    stat: Stat | None = None  # of the placed file; None when nothing was written (``check``, broken links)
    how: str = ""  # how it was placed (``staging.HELD``, ``LINKED``, ``WRITTEN``)


@dataclass(frozen=True)
class PageFinisher:
    """Checks a page's internal links against the build's files, then puts its file in ``staging`` (None: check only)."""

    outputs: frozenset[str]
    base_url: str
    staging: Staging | None = None

    def __call__(self, output: str, data: bytes) -> Finished:
        broken = tuple(broken_links(output, data, self.outputs, self.base_url)) if output.endswith(".html") else ()
        if broken or self.staging is None:
            return Finished(broken)
        stat, how = self.staging.put(output, data)
        return Finished((), stat, how)
