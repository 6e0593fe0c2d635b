"""Stage 5: write the site as one complete tree, swapped in at once.

The next site is assembled in a staging folder beside the live one and swapped into place
in one step (``renameat2(RENAME_EXCHANGE)`` on Linux), so the output folder is always
either the previous complete site or the new one, even if the build is killed.

Reusing what did not change is the writer's own business. A file whose bytes did not
change is hard-linked from the previous site (it keeps its inode and mtime). Given a home
for the retired site, the site a swap retires is kept there, and the next build stages
in it, bringing it up to date, instead of making a fresh tree: a one-page edit then
replaces one file and relinks the few that differ, where a fresh tree would create every
folder of the site and delete the old ones. The retired site shares its unchanged files
(hard links) with the live one, so it costs little disk; a staged file is therefore only
ever replaced whole (a new file, then rename), never written into. What the retired site
holds is known from the record made when it was written (``output_folder.py``): only the
folders that changed since are listed.

``write_file`` is the one way a file gets into the staging folder, and ``Staging`` all a
process needs to put a page there (linked from the live site when its bytes did not
change): the render workers put their own pages in place and report them through
``SiteWriter.placed``.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager as ContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from generator.output_folder import (MARKER, MARKER_TEXT, Stat, TreeRecord, exchange, is_our_folder, lock_retired, record_tree,
                                stat_of, survey)

_TEMP_PREFIX = ".introchain-tmp-"
#: A file being put in place over an older one; a killed build's leftovers are swept next time.
_PART_SUFFIX = ".introchain-part"


class OutputError(Exception):
    """The output folder cannot be used or written; the message says why and what to do."""


def _safe_relative(name: str) -> str:
    """``name`` as a plain '/'-separated path inside the output folder (OutputError if it is not)."""
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if not parts or name.startswith("/") or ".." in parts or "\\" in name:
        raise OutputError(f"refusing to write '{name}': it is outside the output folder")
    return "/".join(parts)


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


def _write_bytes(data: bytes) -> Callable[[str], object]:
    def fill(path: str) -> None:
        with open(path, "xb") as stream:
            stream.write(data)
    return fill


def _copy_from(source: Path) -> Callable[[str], object]:
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
        relative = _safe_relative(name)
        if self.live is not None and _same_bytes(f"{self.live}/{relative}", data):
            linked = self.link_live(relative)
            if linked is not None:
                return linked
        return write_file(self.root, relative, _write_bytes(data), self.folders), WRITTEN

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


class SiteWriter:
    """Writes the next site into a staging folder as files arrive, then swaps it in at once (``commit``).

    The staging folder is the site the last swap retired when ``retired`` is given and
    holds one (brought up to date: files the new site lacks are swept), else a fresh
    folder beside ``out_dir``. After the swap the previous site becomes the new retired
    one (kept at ``retired``, or deleted without it). ``out_dir`` is not touched before
    ``commit``, and a failure before it leaves ``out_dir`` as it was. ``swap_guard`` is
    held during the swap (the dev server's lock: no request looks up a file meanwhile).
    """

    def __init__(self, out_dir: Path, *, retired: Path | None = None, retired_record: TreeRecord | None = None,
                 swap_guard: Callable[[], ContextManager] | None = None):
        check_output_dir(out_dir)
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        clean_stale_temps(out_dir)
        self.out_dir = out_dir
        self.old = out_dir if out_dir.is_dir() else None
        self.changed = 0
        self.stats: dict[str, Stat] = {}  # every file of the new site, as placed
        self.record: TreeRecord | None = None  # of the new site, once committed
        self.kept_retired = False  # whether the previous site is now the retired one
        self._swap_guard = swap_guard or nullcontext
        self._retired_home: Path | None = None  # where the retired site is kept (its lock is held)
        self._lock: BinaryIO | None = None
        self._existing: set[str] = set()  # files already in the staging folder
        self._folders: set[str] = set()  # folders already in it
        self._seen: dict[str, Stat] = {}  # their stats before this build changed anything
        self._touched: set[str] = set()  # folders whose entries this build changed
        self._reused = False  # whether the staging folder is the retired site (kept on abort)
        self._staging: Path | None = None
        if retired is not None and self.old is not None and self._lock_retired(retired):
            self._retired_home = retired
            if is_our_folder(retired):
                try:
                    found = survey(str(retired), retired_record)
                except OSError:
                    pass  # changed under our feet: a fresh folder is made instead
                else:
                    self._existing, self._folders, self._seen = found.files, found.folders, found.stats
                    self._staging, self._reused = retired, True
        if self._staging is None:
            self._staging = Path(tempfile.mkdtemp(prefix=f"{_TEMP_PREFIX}{out_dir.name}-", dir=out_dir.parent))
        self._made = set(self._folders)  # the staging folder's folders, as far as this writer knows
        #: Where pages go, for this process and (a copy each) the render workers.
        self.target = Staging(str(self._staging), str(out_dir) if self.old is not None else None, self._reused,
                              set(self._folders))

    def __enter__(self) -> SiteWriter:
        return self

    def __exit__(self, kind, value, trace) -> None:
        if kind is not None:
            self.abort()

    @property
    def staging(self) -> Path:
        """The folder the new site is going into (see ``write_file``)."""
        assert self._staging is not None, "the writer is done"
        return self._staging

    def _lock_retired(self, retired: Path) -> bool:
        """Take the retired site's folder for this build; False when it is unusable or another build has it."""
        self._lock = lock_retired(retired, self.out_dir)
        return self._lock is not None

    def _unlock(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def placed(self, name: str, file: Stat, how: str = WRITTEN) -> None:
        """Record file ``name`` of the new site, just put in the staging folder (``Staging``, ``write_file``)."""
        self.stats[name] = file
        if how == HELD:
            return
        if how == WRITTEN:
            self.changed += 1
        parent = name.rpartition("/")[0]
        self._touched.add(parent)
        while parent and parent not in self._made:  # a new folder changes its parent's entries
            self._made.add(parent)
            parent = parent.rpartition("/")[0]
            self._touched.add(parent)

    def add(self, name: str, data: bytes) -> None:
        """A file of the new site; kept as the previous file (same inode, same mtime) if its bytes did not change."""
        relative = _safe_relative(name)
        self.placed(relative, *self.target.put(relative, data))

    def keep(self, name: str, data: Callable[[], bytes], live_stat: Stat | None = None) -> None:
        """A file known to be unchanged since the previous build: linked, or ``data()`` if it cannot be.

        ``live_stat``: the previous file's stat, as just checked on disk (saves looking again).
        """
        relative = _safe_relative(name)
        linked = self.target.link_live(relative, live_stat) if self.old is not None else None
        if linked is None:
            self.add(relative, data())
        else:
            self.placed(relative, *linked)

    def copy(self, name: str, source: Path) -> None:
        """A file copied from the content (an image beside a post)."""
        relative = _safe_relative(name)
        # Not counted in ``changed``, which counts pages and assets.
        self.placed(relative, write_file(self.staging, relative, _copy_from(source), self.target.folders), LINKED)

    def commit(self) -> int:
        """Put the new site in place; returns how many files have new bytes."""
        try:
            new = self.staging
            self._sweep()
            os.chmod(new, 0o755)  # mkdtemp makes it private; a site is meant to be read
            self.record = record_tree(str(new), set(self.stats) | {MARKER}, self._folders, self._seen, self._touched)
            self._staging = None
            with self._swap_guard():
                retired = self._swap_in(new)
            if retired is not None:
                self.kept_retired = self._retire(retired)
        finally:
            self._unlock()
        return self.changed

    def _sweep(self) -> None:
        """Remove what the staging folder had and the new site has not (files, then emptied folders); mark it ours."""
        wanted = set(self.stats) | {MARKER}
        root = self.staging
        needed: set[str] = set()
        for name in wanted:
            parent = name.rpartition("/")[0]
            while parent and parent not in needed:
                needed.add(parent)
                parent = parent.rpartition("/")[0]
        for name in sorted(self._existing - wanted - needed):  # (a file where a folder now is was replaced)
            try:
                os.unlink(root / name)
            except (FileNotFoundError, NotADirectoryError):
                continue  # gone with a folder a file replaced
            self._touched.add(name.rpartition("/")[0])
        for folder in sorted(self._made - needed, reverse=True):  # deepest first
            path = root / folder
            if path.is_dir() and not path.is_symlink():  # (a folder where a file now is was replaced)
                os.rmdir(path)
                self._touched.add(folder.rpartition("/")[0])
        self._folders = needed
        if MARKER not in self._existing:
            write_file(root, MARKER, _write_bytes(MARKER_TEXT), self.target.folders)

    def _swap_in(self, new: Path) -> Path | None:
        """Put folder ``new`` at ``out_dir``; returns where the previous site now is (None: there was none)."""
        try:
            if self.old is None:
                os.rename(new, self.out_dir)
                return None
            if exchange(new, self.out_dir):
                return new  # which now holds the previous site
            # No atomic exchange here: two renames, with a window in which out_dir is missing.
            backup = new.with_name(new.name + "-old")
            os.rename(self.out_dir, backup)
            os.rename(new, self.out_dir)
            return backup
        except BaseException:
            if new != self._retired_home and new.exists() and not (self.out_dir.exists() and self.out_dir.samefile(new)):
                shutil.rmtree(new, ignore_errors=True)
            raise

    def _retire(self, previous: Path) -> bool:
        """Keep the previous site as the next build's staging folder (True), or delete it."""
        home = self._retired_home
        if home is None:
            shutil.rmtree(previous, ignore_errors=True)
            return False
        if previous != home:
            if os.path.lexists(home) and is_our_folder(home):
                shutil.rmtree(home, ignore_errors=True)
            try:
                os.rename(previous, home)
            except OSError:
                shutil.rmtree(previous, ignore_errors=True)
                return False
        return True

    def abort(self) -> None:
        """Forget the new site; ``out_dir`` stays as it was (a half-updated retired site is set right next time)."""
        if self._staging is not None and not self._reused:
            shutil.rmtree(self._staging, ignore_errors=True)
        self._staging = None
        self._unlock()


def clean_stale_temps(out_dir: Path) -> None:
    """Remove temporary folders a killed build left beside the output (only ours: prefix and marker)."""
    parent = out_dir.parent
    if not parent.is_dir():
        return
    for candidate in parent.glob(f"{_TEMP_PREFIX}{out_dir.name}-*"):
        if candidate.is_dir() and not candidate.is_symlink():
            shutil.rmtree(candidate, ignore_errors=True)
