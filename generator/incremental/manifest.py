"""What the last build wrote into an output folder, so the next one can keep what did not change.

A page is kept (not rendered, hard-linked from the previous site) when its cache key is the
one recorded and its file is still the one written then (same size, mtime and inode); a
manifest held in memory for the dev server's private folder is trusted without looking.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import ContentError
from generator.output_folder import TreeRecord
from generator.output_folder import Stat
from generator.staging import file_stat


@dataclass(frozen=True)
class Manifest:
    """Per output file: the page's key or the copy's source stat, and the stat of the file written."""

    pages: dict[str, tuple[str, Stat | None]]
    copies: dict[str, tuple[Stat | None, Stat | None]]
    assets: dict[str, Stat | None]
    assets_digest: str  # of every asset's name and digest
    trusted: bool = False  # held in memory by the process that owns the folder
    build_key: str = ""  # a digest of everything the build read
    summary: tuple[int, int, tuple[ContentError, ...]] = (0, 0, ())  # pages, files, warnings
    tree: TreeRecord | None = None  # of the output folder as written
    retired: TreeRecord | None = None  # of the retired site's folder: the site this build replaced (see ``write.py``)
    asset_digests: dict[str, str] = field(default_factory=dict)  # top-level folder -> the digest of its assets
    #: The names in which the retired site differs from this folder (``SiteWriter.retired_differs``), for a
    #: folder only this process writes; None: not known (a build failed since, or ``build``'s folder).
    retired_differs: frozenset[str] | None = None
    #: Which build wrote it: a token made once per build (``replace`` keeps it), compared by value so
    #: that a history is matched with its manifest whether they were kept in memory or in the cache.
    version: str = field(default_factory=lambda: secrets.token_hex(16))

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

    def asset_unchanged(self, name: str, digests: dict[str, str], out_dir: Path) -> bool:
        """True when asset ``name`` is still on disk as written and no asset in its top-level folder changed.

        ``digests``: the new build's, by top-level folder (the theme's assets, the search index).
        """
        folder = name.partition("/")[0]
        return (name in self.assets and self.asset_digests.get(folder) == digests.get(folder)
                and self._intact(out_dir, name, self.assets[name]))

    def assets_unchanged(self, digest: str, out_dir: Path) -> bool:
        """True when the assets are the same and still on disk as written."""
        return self.assets_digest == digest and all(self._intact(out_dir, name, stat) for name, stat in self.assets.items())


def page_records(outputs: list[str], keys: list[str], stats: dict[str, Stat], previous: Manifest | None,
                 rendered: list[int], relinked: set[str]) -> dict[str, tuple[str, Stat | None]]:
    """Each page's key and the stat of its file as written (``stats``), for the manifest.

    With the same pages as ``previous``, the records are carried over: only the pages
    ``rendered`` (by number) and those the writer ``relinked`` instead of holding the live
    file (by output) get new ones; every other page was kept with its recorded key and file.
    """
    if previous is None or len(previous.pages) != len(outputs) or previous.pages.keys() != set(outputs):
        return {output: (keys[number], stats.get(output)) for number, output in enumerate(outputs)}
    records = dict(previous.pages)
    for number in rendered:
        records[outputs[number]] = (keys[number], stats.get(outputs[number]))
    for output in relinked:
        records[output] = (records[output][0], stats.get(output))
    return records


def folder_digests(files: dict[str, bytes]) -> dict[str, str]:
    """A digest of the names and bytes of the files under each top-level folder (``assets/``, ``pagefind/``)."""
    from generator.incremental.fingerprint import digest

    folders: dict[str, list[str | bytes]] = {}
    for name in sorted(files):
        folders.setdefault(name.partition("/")[0], []).extend((name, files[name]))
    return {folder: digest(*parts) for folder, parts in folders.items()}


def assets_digest(digests: dict[str, str]) -> str:
    """One digest of every asset, from ``folder_digests``."""
    from generator.incremental.fingerprint import digest

    return digest(*(part for folder in sorted(digests) for part in (folder, digests[folder])))
