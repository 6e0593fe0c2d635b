"""Putting one file of the next site into the staging folder, from any process.

``write_file`` is the one way a file gets into the staging folder: a file already there (in
a reused tree it may be a hard link to the live site's) is never written into; the new one
is made beside it and renamed over it. ``Staging`` is all a process needs to put a page
there, linked from the live site when its bytes did not change: the render workers put
their own pages in place and report only how (``write.SiteWriter.placed`` records them).
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from generator.output_folder import OutputError, Stat, stat_of

#: A file being put in place over an older one; a killed build's leftovers are swept next time.
_PART_SUFFIX = ".introchain-part"


def clean_name(name: str) -> str:
    """``name`` as a plain '/'-separated path inside the output folder (OutputError if it is not)."""
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if not parts or name.startswith("/") or ".." in parts or "\\" in name:
        raise OutputError(f"refusing to write '{name}': it is outside the output folder")
    return "/".join(parts)


def _same_bytes(path: str, data: bytes) -> bool:
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as stream:
            return stream.read() == data
    except OSError:
        return False


def file_stat(path: Path | str) -> Stat | None:
    """The ``Stat`` of a file, or None when it is missing or not a regular file (a link, a folder)."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return stat_of(info) if stat.S_ISREG(info.st_mode) else None


def _make_parents(root: str, name: str, made: set[str]) -> None:
    """Make the folders above ``name`` under ``root``, removing a file of an older site where one goes."""
    parent = name.rpartition("/")[0]
    if not parent or parent in made:
        return
    parts = parent.split("/")
    for depth in range(1, len(parts) + 1):
        folder = "/".join(parts[:depth])
        if folder in made:
            continue
        _make_folder(f"{root}/{folder}")
        made.add(folder)


def _make_folder(path: str) -> None:
    """Make folder ``path``, replacing a file (or link) of an older site there; other processes may be at it too."""
    while True:
        try:
            os.mkdir(path)
            return
        except FileExistsError:
            pass
        try:
            if stat.S_ISDIR(os.lstat(path).st_mode):
                return
            os.unlink(path)
        except FileNotFoundError:
            pass  # another render worker replaced it meanwhile: try again


def write_file(root: Path | str, name: str, fill: Callable[[str], object], made: set[str]) -> Stat:
    """Make file ``name`` (clean, '/'-separated) under ``root`` with ``fill(path)``; returns its stat.

    ``fill`` creates a new file at the path it is given. A file already there (in a reused
    tree it may be a hard link to the live site's) is never written into: the new one is
    made beside it and renamed over it. ``made``: folders known to exist under ``root``
    (updated).
    """
    root = str(root)
    _make_parents(root, name, made)
    target = f"{root}/{name}"
    if not os.path.lexists(target):
        fill(target)
        return stat_of(os.lstat(target))
    part = target + _PART_SUFFIX
    if os.path.lexists(part):
        os.unlink(part)
    try:
        fill(part)
        if stat.S_ISDIR(os.lstat(target).st_mode):  # a folder of an older site where a file now goes
            shutil.rmtree(target)
            made.difference_update([folder for folder in made if folder == name or folder.startswith(name + "/")])
        os.replace(part, target)
    except BaseException:
        if os.path.lexists(part):
            os.unlink(part)
        raise
    return stat_of(os.lstat(target))


def filled_with(data: bytes) -> Callable[[str], object]:
    def fill(path: str) -> None:
        with open(path, "xb") as stream:
            stream.write(data)
    return fill


def copied_from(source: Path) -> Callable[[str], object]:
    def fill(path: str) -> None:
        shutil.copy2(source, path)  # ``path`` is new (``write_file``): nothing is written into a shared file
    return fill


#: How a file got into the staging folder: it already held that very file (the retired site
#: shares it with the live one), linked from the live site, or written with new bytes.
HELD, LINKED, WRITTEN = "held", "linked", "written"


@dataclass(frozen=True)
class Staging:
    """The folder the next site goes into and the live site it replaces: what any process needs to put a file there.

    It carries none of the writer's bookkeeping, so a render worker can put its own pages
    in place and return only how (``SiteWriter.placed`` records them). ``folders`` grows
    as folders are made; each process has its own copy.
    """

    root: str
    live: str | None  # the live site, whose unchanged files are linked; None: there is none
    reused: bool  # the root is the retired site, which may already hold the live site's very file
    folders: set[str] = field(default_factory=set, compare=False)  # known to exist under root

    def put(self, name: str, data: bytes) -> tuple[Stat, str]:
        """File ``name`` with ``data``, kept as the live file (same inode, same mtime) if its bytes did not change."""
        relative = clean_name(name)
        if self.live is not None and _same_bytes(f"{self.live}/{relative}", data):
            linked = self.link_live(relative)
            if linked is not None:
                return linked
        return write_file(self.root, relative, filled_with(data), self.folders), WRITTEN

    def link_live(self, name: str, live_stat: Stat | None = None) -> tuple[Stat, str] | None:
        """Make clean ``name`` the live site's file; None when it cannot be linked (the caller writes instead).

        ``live_stat``: the live file's stat, when the caller has just checked it.
        """
        live = f"{self.live}/{name}"  # a plain string (``name`` is clean): this runs for every file of the site
        if self.reused:
            try:
                mine = os.lstat(f"{self.root}/{name}")
                theirs = live_stat or stat_of(os.lstat(live))
            except OSError:
                pass
            else:
                if stat_of(mine) == theirs:  # the same inode: the retired site already holds this very file
                    return theirs, HELD
        try:
            return write_file(self.root, name, lambda path: os.link(live, path), self.folders), LINKED
        except OSError:
            return None  # another filesystem or no hard links
