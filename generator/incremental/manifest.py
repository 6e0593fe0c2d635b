"""What the last build wrote into an output folder, so the next one can keep what did not change.

A page is kept (not rendered, hard-linked from the previous site) when its cache key is the
one recorded and its file is still the one written then (same size, mtime and inode); a
manifest held in memory for the dev server's private folder is trusted without looking.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.errors import ContentError
from generator.output_folder import TreeRecord
from generator.write import Stat, file_stat


@dataclass(frozen=True)
class Manifest:
    """Per output file: the page's key or the copy's source stat, and the stat of the file written."""

    pages: dict[str, tuple[str, Stat | None]]
    copies: dict[str, tuple[Stat | None, Stat | None]]
    assets: dict[str, Stat | None]
    assets_digest: str
    trusted: bool = False  # held in memory by the process that owns the folder
    build_key: str = ""  # a digest of everything the build read
    summary: tuple[int, int, tuple[ContentError, ...]] = (0, 0, ())  # pages, files, warnings
    tree: TreeRecord | None = None  # of the output folder as written
    retired: TreeRecord | None = None  # of the retired site's folder: the site this build replaced (see ``write.py``)

    @property
    def names(self) -> set[str]:
        """Every file of that site."""
        return set(self.pages) | set(self.copies) | set(self.assets)

    def _intact(self, out_dir: Path, name: str, stat: Stat | None) -> bool:
        # A plain string, not Path or os.path.join: this runs for every page on every build.
        return self.trusted or (stat is not None and file_stat(f"{out_dir}/{name}") == stat)

    def intact(self, out_dir: Path) -> bool:
        """True when every file is still on disk as written."""
        entries = [*self.pages.values(), *((None, stat) for _, stat in self.copies.values()), *((None, s) for s in self.assets.values())]
        names = [*self.pages, *self.copies, *self.assets]
        return all(self._intact(out_dir, name, entry[1]) for name, entry in zip(names, entries))

    def page_unchanged(self, output: str, key: str, out_dir: Path) -> bool:
        """True when ``output`` was rendered from the same inputs and is still on disk as written."""
        entry = self.pages.get(output)
        return entry is not None and entry[0] == key and self._intact(out_dir, output, entry[1])

    def copy_unchanged(self, name: str, source: Stat | None, out_dir: Path) -> bool:
        """True when the copied file's source did not change and the copy is still as written."""
        entry = self.copies.get(name)
        return entry is not None and source is not None and entry[0] == source and self._intact(out_dir, name, entry[1])

    def assets_unchanged(self, digest: str, out_dir: Path) -> bool:
        """True when the assets are the same and still on disk as written."""
        return self.assets_digest == digest and all(self._intact(out_dir, name, stat) for name, stat in self.assets.items())
