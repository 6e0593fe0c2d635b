"""Output folders: which folder may be one, what one holds (listed, or vouched for by a record of its folders),
swapping two, and the lock on a retired one.

The writer may stage the next site in the site it retired last time (see ``write.py``), so it must know every
entry there, including files nobody asked for. Listing 37,000 folders of a 10,000-story
site costs seconds, so a written tree is recorded instead: its files and the stat of each
folder. A folder whose stat is still the recorded one has gained and lost no entry since
(adding, removing or renaming an entry changes its folder's mtime), so its entries are
the recorded ones; any other folder is listed. A folder modified within ``RACY_NS`` of
the record could change again within the same timestamp tick, so it is always listed.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import time
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import BinaryIO

from generator.incremental.fingerprint import RACY_NS

#: Written into every output folder we create; we only ever replace folders that carry it.
MARKER = ".introchain-output"
MARKER_TEXT = b"This folder is built by introchain; it is replaced on every build.\n"


class OutputError(Exception):
    """The output folder cannot be used or written; the message says why and what to do."""



def check_output_dir(out_dir: Path, *, forbidden: tuple[Path, ...] = (), sources: tuple[Path, ...] = ()) -> None:
    """Refuse an output folder that is, or contains, a ``forbidden`` folder (the project), that overlaps
    a ``sources`` folder (content, templates) either way, or that holds files we did not make."""
    resolved = out_dir.resolve()
    for folder in forbidden + sources:
        if resolved == folder.resolve() or folder.resolve().is_relative_to(resolved):
            raise OutputError(f"refusing to use {out_dir} as the output folder: it is (or contains) {folder}")
    for folder in sources:
        if resolved.is_relative_to(folder.resolve()):
            raise OutputError(f"refusing to use {out_dir} as the output folder: it is inside {folder}, "
                              "which the build reads (choose an --out outside it)")
    if resolved == Path(resolved.anchor) or resolved == Path.home().resolve():
        raise OutputError(f"refusing to use {out_dir} as the output folder")
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise OutputError(f"{out_dir} exists and is not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).is_file():
        raise OutputError(f"refusing to replace {out_dir}: it holds files introchain did not create "
                          f"(choose another --out, or empty it yourself)")

#: What is recorded of a written file or folder: size, mtime (ns) and inode.
Stat = tuple[int, int, int]


def stat_of(info: os.stat_result) -> Stat:
    """The ``Stat`` of a ``stat`` result."""
    return (info.st_size, info.st_mtime_ns, info.st_ino)


class TreeRecord:
    """A site folder's files and sub-folders ('/'-separated names) and each folder's stat ('' is the root).

    Two forms of the same record: as it is used (``files``, ``folders``), and packed (two
    strings and an array: a handful of objects instead of a hundred thousand), as the cache
    stores it (``incremental/pickling.py``). Each form is made from the other on first use,
    so a record made by a build is never unpacked and one loaded from the cache is unpacked
    only if a build reads it. Never changed once made.
    """

    def __init__(self, files: frozenset[str] | None, folders: dict[str, Stat] | None, taken_ns: int,
                 packed: tuple[str, str, bytes] | None = None):
        assert (files is not None and folders is not None) or packed is not None
        self.taken_ns = taken_ns  # when the stats were taken (see the racy rule above)
        if files is not None and folders is not None:
            self.__dict__.update(files=files, folders=folders)
        if packed is not None:
            self.__dict__["packed"] = packed

    @classmethod
    def of(cls, files: Iterable[str], folders: dict[str, Stat], taken_ns: int) -> TreeRecord:
        """A record of ``files`` and the stats of ``folders`` (every folder, the root included)."""
        return cls(files if isinstance(files, frozenset) else frozenset(files), folders, taken_ns)

    @cached_property
    def packed(self) -> tuple[str, str, bytes]:
        """The names one per line, the folders' names one per line, and their stats as one
        array("q") of size, mtime and inode per folder, in the order of the folders' names."""
        stats = array("q", [number for stat in self.folders.values() for number in stat])
        return "\n".join(sorted(self.files)), "\n".join(self.folders), stats.tobytes()

    @cached_property
    def files(self) -> frozenset[str]:
        names = self.packed[0]
        return frozenset(names.split("\n")) if names else frozenset()

    @cached_property
    def folders(self) -> dict[str, Stat]:
        numbers = array("q")
        numbers.frombytes(self.packed[2])
        names = self.packed[1].split("\n")
        return {name: (numbers[3 * at], numbers[3 * at + 1], numbers[3 * at + 2]) for at, name in enumerate(names)}


@dataclass
class Survey:
    """What a folder holds now: its files, its folders, and the stat seen of each folder."""

    files: set[str]
    folders: set[str]
    stats: dict[str, Stat]


def _children(record: TreeRecord) -> dict[str, tuple[list[str], list[str]]]:
    """The record's entries by folder: (files, sub-folders), as full names."""
    children: dict[str, tuple[list[str], list[str]]] = {folder: ([], []) for folder in record.folders}
    for name in record.files:
        entry = children.get(name.rpartition("/")[0])
        if entry is not None:
            entry[0].append(name)
    for folder in record.folders:
        if folder:
            entry = children.get(folder.rpartition("/")[0])
            if entry is not None:
                entry[1].append(folder)
    return children


def survey(root: str, record: TreeRecord | None) -> Survey:
    """Every file and folder under ``root``, trusting ``record`` for the folders it still vouches for.

    Anything that is neither a file nor a folder (a symbolic link, a socket) is removed on
    the way: writing through a link could put a file outside the folder, and a site holds
    neither.
    """
    found = Survey(set(), set(), {})
    children = _children(record) if record is not None else {}
    pending = [""]
    while pending:
        folder = pending.pop()
        path = f"{root}/{folder}" if folder else root
        info = os.lstat(path)
        found.stats[folder] = stat_of(info)
        if folder:
            found.folders.add(folder)
        recorded = record.folders.get(folder) if record is not None and folder else None
        if recorded == found.stats[folder] and info.st_mtime_ns < record.taken_ns - RACY_NS:
            files, subfolders = children[folder]
            found.files.update(files)
            pending.extend(subfolders)
            continue
        # The root is always listed: swapping it into place may touch its times.
        prefix = folder + "/" if folder else ""
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(prefix + entry.name)
                elif entry.is_file(follow_symlinks=False):
                    found.files.add(prefix + entry.name)
                else:
                    os.unlink(entry.path)
    return found


def record_tree(root: str, files: set[str], folders: set[str], known: dict[str, Stat], touched: set[str]) -> TreeRecord:
    """A record of ``root`` holding ``files`` and ``folders``.

    ``known`` are folder stats seen before the last changes; the folders in ``touched``
    (changed since) and those without a known stat are looked at again.
    """
    tree = folders | {""}  # the root is always recorded
    # Carried over from ``known`` (a folder of the new tree not touched since), then looked at.
    stats = dict(known) if known.keys() <= tree else {folder: stat for folder, stat in known.items() if folder in tree}
    for folder in (tree - stats.keys()) | (touched & tree):
        stats[folder] = stat_of(os.lstat(f"{root}/{folder}" if folder else root))
    return TreeRecord.of(files, stats, time.time_ns())


def exchange(first: Path, second: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where the call is unavailable."""
    # The C library this process already runs on: finding it by name (``ctypes.util.find_library``)
    # starts ``ldconfig``, tens of milliseconds of every dev-server rebuild.
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(first))


def is_our_folder(path: Path) -> bool:
    """True for a real folder (not a link) that carries our marker."""
    return path.is_dir() and not path.is_symlink() and (path / MARKER).is_file()


def lock_retired(retired: Path, out_dir: Path) -> BinaryIO | None:
    """Take the retired site of ``out_dir`` for one build (a lock file beside it); None when it cannot be used.

    The lock file names the output folder, so retired sites whose live one is gone can be
    removed (``prune_retired``): a retired site shares its files with the live one, and once that is
    deleted they would take room for nothing.
    """
    try:
        retired.parent.mkdir(parents=True, exist_ok=True)
        if os.stat(retired.parent).st_dev != os.stat(out_dir.parent).st_dev:
            return None  # folders cannot be swapped across filesystems
        prune_retired(retired.parent)
        handle = open(retired.with_name(retired.name + ".lock"), "ab+")  # noqa: SIM115 - held until the build ends
    except OSError:
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        handle.truncate(0)
        handle.write(os.fsencode(out_dir.resolve()))
        handle.flush()
    except OSError:
        handle.close()
        return None  # another build has it: this one makes a fresh folder
    return handle


def prune_retired(folder: Path) -> None:
    """Remove the retired sites (and their locks) in ``folder`` whose output folder no longer exists."""
    for lock_path in folder.glob("*.lock"):
        try:
            with open(lock_path, "rb+") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                site = Path(os.fsdecode(handle.read()))
                if not site.is_absolute() or is_our_folder(site):
                    continue
                retired = lock_path.with_suffix("")
                if is_our_folder(retired):
                    shutil.rmtree(retired, ignore_errors=True)
                if not retired.exists():
                    lock_path.unlink()
        except OSError:
            continue  # in use by another build, or already gone
