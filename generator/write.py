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

How one file gets into the staging folder (from this process or a render worker) is
``staging.py``'s; which folder may be an output folder, ``output_folder.check_output_dir``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager as ContextManager, nullcontext
from pathlib import Path
from typing import BinaryIO

from generator.output_folder import (MARKER, MARKER_TEXT, Stat, TreeRecord, check_output_dir, exchange, is_our_folder,
                                     lock_retired, record_tree, survey)
from generator.staging import HELD, LINKED, WRITTEN, Staging, clean_name, copied_from, filled_with, write_file

_TEMP_PREFIX = ".introchain-tmp-"


class SiteWriter:
    """Writes the next site into a staging folder as files arrive, then swaps it in at once (``commit``).

    The staging folder is the site the last swap retired when ``retired`` is given and
    holds one (brought up to date: files the new site lacks are swept), else a fresh
    folder beside ``out_dir``. After the swap the previous site becomes the new retired
    one (kept at ``retired``, or deleted without it). ``out_dir`` is not touched before
    ``commit``, and a failure before it leaves ``out_dir`` as it was. ``swap_guard`` is
    held during the swap (the dev server's lock: no request looks up a file meanwhile).

    ``retired_differs``: for a folder only this process writes (the dev server's), the names
    in which the retired site differs from the live one, as the last build left them
    (``replaced``). The retired site is then taken to be what ``retired_record`` says, and
    to hold the live site's very file under every other name: it is neither listed nor
    looked at file by file, so a one-page rebuild touches only the folders it writes.
    Without it (``build``'s folder, which anyone may change) the retired site is surveyed.
    """

    def __init__(self, out_dir: Path, *, retired: Path | None = None, retired_record: TreeRecord | None = None,
                 swap_guard: Callable[[], ContextManager] | None = None,
                 retired_differs: frozenset[str] | None = None):
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
        self._existing: set[str] | frozenset[str] = set()  # files already in the staging folder
        self._folders: set[str] = set()  # folders already in it
        self._seen: dict[str, Stat] = {}  # their stats before this build changed anything
        self._touched: set[str] = set()  # folders whose entries this build changed
        self._reused = False  # whether the staging folder is the retired site (kept on abort)
        self._differs: frozenset[str] | None = None  # see ``retired_differs``, once the retired site is the staging folder
        self.replaced: set[str] = set()  # names whose file is not the live site's (new bytes, copies)
        self._staging: Path | None = None
        if retired is not None and self.old is not None and self._lock_retired(retired):
            self._retired_home = retired
            if retired_differs is not None and retired_record is not None and is_our_folder(retired):
                self._existing, self._folders = retired_record.files, set(retired_record.folders)
                self._seen = dict(retired_record.folders)
                self._folders.discard("")
                self._seen.pop("", None)  # the root: looked at again
                self._staging, self._reused, self._differs = retired, True, retired_differs
            elif is_our_folder(retired):
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
            self.replaced.add(name)
        parent = name.rpartition("/")[0]
        self._touched.add(parent)
        while parent and parent not in self._made:  # a new folder changes its parent's entries
            self._made.add(parent)
            parent = parent.rpartition("/")[0]
            self._touched.add(parent)

    def replaced_since(self, live: set[str]) -> frozenset[str]:
        """The names in which the site this writer retires (which held ``live``) differs from the new one."""
        return frozenset(self.replaced | (live ^ self.stats.keys()))

    def add(self, name: str, data: bytes) -> None:
        """A file of the new site; kept as the previous file (same inode, same mtime) if its bytes did not change."""
        relative = clean_name(name)
        self.placed(relative, *self.target.put(relative, data))

    def keep(self, name: str, data: Callable[[], bytes], live_stat: Stat | None = None) -> None:
        """A file known to be unchanged since the previous build: linked, or ``data()`` if it cannot be.

        ``live_stat``: the previous file's stat, as just checked on disk (saves looking again).
        """
        # A name the staging folder holds is clean already (no empty, '.' or '..' part; '/'-separated).
        relative = name if name in self._existing and "\\" not in name else clean_name(name)
        if (self._differs is not None and live_stat is not None and relative not in self._differs
                and relative in self._existing):
            self.placed(relative, live_stat, HELD)  # the retired site holds the live file (see ``retired_differs``)
            return
        linked = self.target.link_live(relative, live_stat) if self.old is not None else None
        if linked is None:
            self.add(relative, data())
        else:
            self.placed(relative, *linked)

    def keep_all(self, live: dict[str, Stat | None], data: Callable[[str], bytes]) -> set[str]:
        """Files known to be unchanged since the previous build, with the live files' stats, as ``keep`` each.

        Where the retired site holds the live file (see ``retired_differs``), it is recorded with
        its live stat at once. Returns the names that were linked or written instead (their
        stats are in ``stats``).
        """
        others = live
        if self._differs is not None:
            existing, differs = self._existing, self._differs
            held = {name: stat for name, stat in live.items()
                    if stat is not None and name in existing and name not in differs and "\\" not in name}
            self.stats.update(held)
            others = {name: stat for name, stat in live.items() if name not in held} if held else live
        for name, stat in others.items():
            self.keep(name, lambda name=name: data(name), stat)
        return set(others)

    def copy(self, name: str, source: Path) -> None:
        """A file copied from the content (an image beside a post)."""
        relative = clean_name(name)
        # Not counted in ``changed``, which counts pages and assets.
        self.placed(relative, write_file(self.staging, relative, copied_from(source), self.target.folders), LINKED)
        self.replaced.add(relative)

    def commit(self) -> int:
        """Put the new site in place; returns how many files have new bytes."""
        try:
            new = self.staging
            files = self._sweep()
            os.chmod(new, 0o755)  # mkdtemp makes it private; a site is meant to be read
            self.record = record_tree(str(new), files, self._folders, self._seen, self._touched)
            self._staging = None
            with self._swap_guard():
                retired = self._swap_in(new)
            if retired is not None:
                self.kept_retired = self._retire(retired)
        finally:
            self._unlock()
        return self.changed

    def _sweep(self) -> frozenset[str]:
        """Remove what the staging folder had and the new site has not (files, then emptied folders); mark it ours.

        Returns the files of the new site.
        """
        wanted = set(self.stats)
        wanted.add(MARKER)
        root = self.staging
        gone = self._existing - wanted
        if self._differs is not None and not (gone & self._made) and not (wanted & self._made):
            self._sweep_gone(gone)
            return frozenset(wanted)
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
        self._mark()
        return frozenset(wanted)

    def _sweep_gone(self, gone: set[str]) -> None:
        """``_sweep`` where the retired site is known from its record and no name changed from file to folder.

        Each folder of the record held some of the retired site's files (a record lists only
        the folders its files need), and each folder made since holds a new file: only a folder
        above a file that goes can be left empty, and only an empty folder can be removed.
        """
        root = self.staging
        above: set[str] = set()
        for name in sorted(gone):
            try:
                os.unlink(root / name)
            except FileNotFoundError:
                pass
            parent = name.rpartition("/")[0]
            self._touched.add(parent)
            while parent and parent not in above:
                above.add(parent)
                parent = parent.rpartition("/")[0]
        for folder in sorted(above, reverse=True):  # deepest first
            try:
                os.rmdir(root / folder)
            except OSError:
                continue  # it holds files of the new site
            self._made.discard(folder)
            self._touched.add(folder.rpartition("/")[0])
        self._folders = self._made
        self._mark()

    def _mark(self) -> None:
        if MARKER not in self._existing:
            write_file(self.staging, MARKER, filled_with(MARKER_TEXT), self.target.folders)

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
