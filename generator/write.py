"""Stage 5: write the site atomically.

The new site is written into a folder beside the live one and swapped into place in one
step (``renameat2(RENAME_EXCHANGE)`` on Linux), so the output folder is always either the
previous complete site or the new one, even if the build is killed. Files whose bytes did
not change are hard-linked from the previous site, so they keep their mtime.

With a *spare* folder (in the build cache), the site that a swap retires is kept there
instead of being deleted, and the next build brings it up to date rather than making a
new tree: a one-page edit then replaces one file and relinks the few that differ, where a
fresh tree would create every folder of the site and delete the old ones. The spare
shares its unchanged files (hard links) with the live site, so it costs little disk; it
is only ever changed by replacing whole files (temporary file, then rename), never by
writing into a file, which would also change the live site. What the spare holds is known
from the record the writer made when that site was written (``sitetree.py``): only the
folders that changed since are listed.

The dev server's private folder is instead updated file by file (``in_place=True``).
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager as ContextManager, nullcontext
from pathlib import Path
from typing import BinaryIO

from generator.regular import read_regular
from generator.sitetree import (MARKER, MARKER_TEXT, Stat, TreeRecord, exchange, is_our_folder, lock_spare, record_tree,
                                stat_of, survey)

_TEMP_PREFIX = ".introchain-tmp-"
#: A file being put in place in the spare folder; a killed build's leftovers are swept next time.
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


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def file_stat(path: Path | str) -> Stat | None:
    """The ``Stat`` of a file, or None when it is missing or not a regular file (a link, a folder)."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return stat_of(info) if stat.S_ISREG(info.st_mode) else None


class SiteWriter:
    """Writes a site as pages arrive, then puts it in place in one step (``commit``).

    By default the new site goes into a fresh folder beside ``out_dir``, or (given a
    ``spare`` folder that holds a site this writer retired before) into that folder,
    updated, and is swapped in, so the output folder is always the previous complete site
    or the new one. The retired site is kept as the next spare when there is one, and
    deleted otherwise. ``in_place`` (for the dev server's private folder) keeps every new
    file in memory until ``commit`` and then replaces only the files whose bytes changed,
    each atomically (temporary file and rename), and removes the ones no longer built.
    Either way ``out_dir`` is not touched before ``commit``, and a failure before it
    leaves ``out_dir`` as it was.
    """

    def __init__(self, out_dir: Path, *, in_place: bool = False, spare: Path | None = None,
                 spare_record: TreeRecord | None = None, swap_guard: Callable[[], ContextManager] | None = None):
        check_output_dir(out_dir)
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        clean_stale_temps(out_dir)
        self.out_dir = out_dir
        self.old = out_dir if out_dir.is_dir() else None
        self.in_place = in_place and self.old is not None
        self.changed = 0
        self.stats: dict[str, Stat] = {}
        self._pending: dict[str, bytes | Path] = {}
        self._temp: Path | None = None  # a fresh folder being filled (deleted on abort)
        self._spare: Path | None = None  # the spare folder being brought up to date (kept on abort)
        self._spare_home: Path | None = None  # where the retired site is kept (its lock is held)
        self._lock: BinaryIO | None = None
        self._existing: set[str] = set()  # files already in the folder being filled
        self._folders: set[str] = set()  # folders already in it
        self._seen: dict[str, Stat] = {}  # their stats before this build changed anything
        self._touched: set[str] = set()  # folders whose entries this build changed
        self.record: TreeRecord | None = None  # of the new site, once committed
        # In place: held while files are swapped in, so whoever reads the folder under it sees one version.
        self._swap_guard = swap_guard or nullcontext
        self.kept_spare = False  # whether the previous site is now the spare
        if self.in_place:
            return
        if spare is not None and self.old is not None and self._lock_spare(spare):
            self._spare_home = spare
            if is_our_folder(spare):
                try:
                    found = survey(str(spare), spare_record)
                except OSError:
                    pass  # changed under our feet: a fresh folder is made instead
                else:
                    self._existing, self._folders, self._seen = found.files, found.folders, found.stats
                    self._spare = spare
        if self._spare is None:
            self._existing, self._folders, self._seen = set(), set(), {}
            self._temp = Path(tempfile.mkdtemp(prefix=f"{_TEMP_PREFIX}{out_dir.name}-", dir=out_dir.parent))

    def __enter__(self) -> SiteWriter:
        return self

    def __exit__(self, kind, value, trace) -> None:
        if kind is not None:
            self.abort()

    def _lock_spare(self, spare: Path) -> bool:
        """Take the spare folder for this build; False when it is unusable or another build has it."""
        self._lock = lock_spare(spare, self.out_dir)
        return self._lock is not None

    def _unlock(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    @property
    def _root(self) -> Path:
        """The folder the new site is going into."""
        root = self._spare or self._temp
        assert root is not None
        return root

    def _target(self, name: str) -> Path:
        parent = name.rpartition("/")[0]
        if parent and parent not in self._folders:
            parts = parent.split("/")
            for depth in range(1, len(parts) + 1):
                folder = "/".join(parts[:depth])
                if folder in self._folders:
                    continue
                if folder in self._existing:  # a file of the retired site where a folder now goes
                    os.unlink(self._root / folder)
                    self._existing.discard(folder)
                os.makedirs(self._root / folder, exist_ok=True)
                self._folders.add(folder)
                self._touched.add(folder.rpartition("/")[0])
        return self._root / name

    def _place(self, name: str, fill: Callable[[Path], object]) -> Path:
        """Make file ``name`` of the new site with ``fill(path)``; returns its path."""
        target = self._target(name)
        if self._spare is None:
            fill(target)  # a fresh folder: nothing there yet
            return target
        self._touched.add(name.rpartition("/")[0])
        if name in self._folders:  # a folder of the retired site where a file now goes
            shutil.rmtree(target)
            inside = name + "/"
            self._folders = {folder for folder in self._folders if folder != name and not folder.startswith(inside)}
            self._existing = {file for file in self._existing if not file.startswith(inside)}
        # The spare's files may be hard links to the live site's: never write into one, replace it.
        part = target.with_name(target.name + _PART_SUFFIX)
        part.unlink(missing_ok=True)
        try:
            fill(part)
            os.replace(part, target)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        return target

    def _link_old(self, name: str, live_stat: Stat | None = None) -> bool:
        """Make ``name`` the previous site's file (same inode, same mtime); False when it cannot be linked.

        ``live_stat``: the previous file's stat, when the caller has just checked it.
        """
        assert self.old is not None
        live = f"{self.old}/{name}"  # a plain string (``name`` is clean): this runs for every file of the site
        if name in self._existing:
            try:
                mine = os.lstat(f"{self._root}/{name}")
                theirs = live_stat or stat_of(os.lstat(live))
            except OSError:
                pass
            else:
                if stat_of(mine) == theirs:  # the same inode (the spare shares the live site's filesystem)
                    self.stats[name] = theirs  # the spare already holds this very file
                    return True
        try:
            target = self._place(name, lambda part: os.link(live, part))
        except OSError:
            return False  # another filesystem or no hard links: the caller writes instead
        self.stats[name] = stat_of(target.stat())
        return True

    def add(self, name: str, data: bytes) -> None:
        """A file of the new site; kept as the previous file (same inode, same mtime) if its bytes did not change."""
        relative = _safe_relative(name)
        if self.in_place:
            self._pending[relative] = data
            return
        if self.old is not None and _same_bytes(self.old / relative, data) and self._link_old(relative):
            return
        target = self._place(relative, lambda part: part.write_bytes(data))
        self.stats[relative] = stat_of(target.stat())  # after closing: size and mtime are final
        self.changed += 1

    def keep(self, name: str, data: Callable[[], bytes], live_stat: Stat | None = None) -> None:
        """A file known to be unchanged since the previous build: linked, or ``data()`` if it cannot be.

        ``live_stat``: the previous file's stat, as just checked on disk (saves looking again).
        """
        if self.in_place:
            return  # already there, byte for byte
        relative = _safe_relative(name)
        if not self._link_old(relative, live_stat):
            self.add(relative, data())

    def copy(self, name: str, source: Path) -> None:
        """A file copied from the content (an image beside a post)."""
        relative = _safe_relative(name)
        if self.in_place:
            self._pending[relative] = source
            return
        target = self._place(relative, lambda part: shutil.copy2(source, part))
        self.stats[relative] = stat_of(target.stat())

    def commit(self, removed: Iterable[str] = ()) -> int:
        """Put the new site in place; returns how many files have new bytes.

        ``removed`` (in-place mode): files of the previous site that the new one no longer has.
        """
        if self.in_place:
            self._commit_in_place(removed)
            return self.changed
        try:
            new = self._spare if self._spare is not None else self._temp
            assert new is not None
            if self._spare is not None:
                self._sweep_spare()
            else:
                (new / MARKER).write_bytes(MARKER_TEXT)
            os.chmod(new, 0o755)  # mkdtemp makes it private; a site is meant to be read
            self.record = record_tree(str(new), set(self.stats) | {MARKER}, self._folders, self._seen, self._touched)
            self._spare = self._temp = None
            retired = self._swap_in(new)
            if retired is not None:
                self.kept_spare = self._retire(retired)
        finally:
            self._unlock()
        return self.changed

    def _sweep_spare(self) -> None:
        """Remove what the retired site had and the new one has not (files, then emptied folders)."""
        wanted = set(self.stats) | {MARKER}
        root = self._root
        for name in sorted(self._existing - wanted):
            (root / name).unlink(missing_ok=True)
            self._touched.add(name.rpartition("/")[0])
        needed: set[str] = set()
        for name in wanted:
            parent = name.rpartition("/")[0]
            while parent and parent not in needed:
                needed.add(parent)
                parent = parent.rpartition("/")[0]
        for folder in sorted(self._folders - needed, reverse=True):  # deepest first
            os.rmdir(root / folder)
            self._folders.discard(folder)
            self._touched.add(folder.rpartition("/")[0])
        if MARKER not in self._existing:
            self._place(MARKER, lambda part: part.write_bytes(MARKER_TEXT))

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
            if new != self._spare_home and new.exists() and not (self.out_dir.exists() and self.out_dir.samefile(new)):
                shutil.rmtree(new, ignore_errors=True)
            raise

    def _retire(self, previous: Path) -> bool:
        """Keep the previous site as the next build's spare (True), or delete it."""
        home = self._spare_home
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

    def _commit_in_place(self, removed: Iterable[str]) -> None:
        """Write every changed file beside its target first, then rename them all in under the swap guard."""
        out = self.out_dir
        staged: list[tuple[str, Path]] = []
        try:
            for name, value in sorted(self._pending.items()):
                target = out / name
                data = read_regular(value) if isinstance(value, Path) else value
                if _same_bytes(target, data):
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                handle, temp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
                staged.append((name, Path(temp)))
                with os.fdopen(handle, "wb") as stream:
                    stream.write(data)
                os.chmod(temp, 0o644)
                if not isinstance(value, Path):
                    self.changed += 1
            with self._swap_guard():
                for name, temp in staged:
                    os.replace(temp, out / name)
                staged.clear()
                for name in sorted(removed):
                    path = out / _safe_relative(name)
                    path.unlink(missing_ok=True)
                    for folder in path.relative_to(out).parents:
                        if folder.parts and (out / folder).is_dir() and not any((out / folder).iterdir()):
                            (out / folder).rmdir()
        finally:
            for _, temp in staged:
                temp.unlink(missing_ok=True)

    def abort(self) -> None:
        """Forget the new site; ``out_dir`` stays as it was (and a half-updated spare is set right next time)."""
        self._pending.clear()
        if self._temp is not None:
            shutil.rmtree(self._temp, ignore_errors=True)
            self._temp = None
        self._spare = None
        self._unlock()


def clean_stale_temps(out_dir: Path) -> None:
    """Remove temporary folders a killed build left beside the output (only ours: prefix and marker)."""
    parent = out_dir.parent
    if not parent.is_dir():
        return
    for candidate in parent.glob(f"{_TEMP_PREFIX}{out_dir.name}-*"):
        if candidate.is_dir() and not candidate.is_symlink():
            shutil.rmtree(candidate, ignore_errors=True)
