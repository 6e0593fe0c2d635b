"""Stage 5: write the site atomically.

The new site is written into a fresh sibling folder and swapped into place in one step
(``renameat2(RENAME_EXCHANGE)`` on Linux), so the output folder is always either the
previous complete site or the new one, even if the build is killed. Files whose bytes did
not change are hard-linked from the previous site, so they keep their mtime. The dev
server's private folder can instead be updated file by file (``SiteWriter(in_place=True)``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path, PurePosixPath

#: Written into every output folder we create; we only ever replace folders that carry it.
MARKER = ".introchain-output"
MARKER_TEXT = b"This folder is built by introchain; it is replaced on every build.\n"
_TEMP_PREFIX = ".introchain-tmp-"


class OutputError(Exception):
    """The output folder cannot be used or written; the message says why and what to do."""


def _safe_relative(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in name:
        raise OutputError(f"refusing to write '{name}': it is outside the output folder")
    return path


def check_output_dir(out_dir: Path, *, forbidden: tuple[Path, ...] = ()) -> None:
    """Refuse an output folder that is a project or content folder, or holds files we did not make."""
    resolved = out_dir.resolve()
    for folder in forbidden:
        if resolved == folder.resolve() or folder.resolve().is_relative_to(resolved):
            raise OutputError(f"refusing to use {out_dir} as the output folder: it is (or contains) {folder}")
    if resolved == Path(resolved.anchor) or resolved == Path.home().resolve():
        raise OutputError(f"refusing to use {out_dir} as the output folder")
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise OutputError(f"{out_dir} exists and is not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).is_file():
        raise OutputError(f"refusing to replace {out_dir}: it holds files introchain did not create "
                          f"(choose another --out, or empty it yourself)")


def _exchange(first: Path, second: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where the call is unavailable."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
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


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


#: What the writer remembers of an output file: size, mtime (ns) and inode.
Stat = tuple[int, int, int]


def _stat_of(info: os.stat_result) -> Stat:
    return (info.st_size, info.st_mtime_ns, info.st_ino)


def file_stat(path: Path) -> Stat | None:
    """The ``Stat`` of a file, or None when it is missing or not a regular file."""
    try:
        info = path.lstat()
    except OSError:
        return None
    return _stat_of(info) if os.path.isfile(path) and not path.is_symlink() else None


class SiteWriter:
    """Writes a site as pages arrive, then puts it in place in one step (``commit``).

    The default mode fills a fresh folder beside ``out_dir`` and swaps it in, so the output
    folder is always the previous complete site or the new one. ``in_place`` (for the dev
    server's private folder) keeps every new file in memory until ``commit`` and then
    replaces only the files whose bytes changed, each atomically (temporary file and
    rename), and removes the ones no longer built: a rebuild that changes three pages
    writes three files instead of relinking the whole site. Either way nothing is touched
    before ``commit``, and a failure before it leaves ``out_dir`` as it was.
    """

    def __init__(self, out_dir: Path, *, in_place: bool = False):
        check_output_dir(out_dir)
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        clean_stale_temps(out_dir)
        self.out_dir = out_dir
        self.old = out_dir if out_dir.is_dir() else None
        self.in_place = in_place and self.old is not None
        self.changed = 0
        self.stats: dict[str, Stat] = {}
        self._pending: dict[str, bytes | Path] = {}
        self._temp: Path | None = None
        if not self.in_place:
            self._temp = Path(tempfile.mkdtemp(prefix=f"{_TEMP_PREFIX}{out_dir.name}-", dir=out_dir.parent))

    def __enter__(self) -> SiteWriter:
        return self

    def __exit__(self, kind, value, trace) -> None:
        if kind is not None:
            self.abort()

    def _target(self, name: str) -> Path:
        assert self._temp is not None
        target = self._temp / _safe_relative(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def _link_old(self, name: str, target: Path) -> bool:
        try:
            os.link(self.old / name, target)  # type: ignore[operator]
        except OSError:
            return False  # another filesystem or no hard links: the caller writes instead
        self.stats[name] = _stat_of(target.stat())
        return True

    def add(self, name: str, data: bytes) -> None:
        """A file of the new site; kept as the previous file (same inode, same mtime) if its bytes did not change."""
        relative = _safe_relative(name).as_posix()
        if self.in_place:
            self._pending[relative] = data
            return
        target = self._target(relative)
        if self.old is not None and _same_bytes(self.old / relative, data) and self._link_old(relative, target):
            return
        target.write_bytes(data)
        self.stats[relative] = _stat_of(target.stat())  # after closing: size and mtime are final
        self.changed += 1

    def keep(self, name: str, data: Callable[[], bytes]) -> None:
        """A file known to be unchanged since the previous build: linked, or ``data()`` if it cannot be."""
        if self.in_place:
            return  # already there, byte for byte
        relative = _safe_relative(name).as_posix()
        if not self._link_old(relative, self._target(relative)):
            self.add(relative, data())

    def copy(self, name: str, source: Path) -> None:
        """A file copied from the content (an image beside a post)."""
        relative = _safe_relative(name).as_posix()
        if self.in_place:
            self._pending[relative] = source
            return
        target = self._target(relative)
        shutil.copy2(source, target)
        self.stats[relative] = _stat_of(target.stat())

    def commit(self, removed: Iterable[str] = ()) -> int:
        """Put the new site in place; returns how many files have new bytes.

        ``removed`` (in-place mode): files of the previous site that the new one no longer has.
        """
        if self.in_place:
            self._commit_in_place(removed)
            return self.changed
        assert self._temp is not None
        temp, self._temp = self._temp, None
        try:
            (temp / MARKER).write_bytes(MARKER_TEXT)
            os.chmod(temp, 0o755)  # mkdtemp makes it private; a site is meant to be read
            if self.old is None:
                os.rename(temp, self.out_dir)
            elif _exchange(temp, self.out_dir):
                pass  # temp now holds the previous site; removed below
            else:
                # No atomic exchange here: two renames, with a window in which out_dir is missing.
                backup = temp.with_name(temp.name + "-old")
                os.rename(self.out_dir, backup)
                os.rename(temp, self.out_dir)
                shutil.rmtree(backup, ignore_errors=True)
        except BaseException:
            if temp.exists() and not (self.out_dir.exists() and self.out_dir.samefile(temp)):
                shutil.rmtree(temp, ignore_errors=True)
            raise
        shutil.rmtree(temp, ignore_errors=True)
        return self.changed

    def _commit_in_place(self, removed: Iterable[str]) -> None:
        out = self.out_dir
        for name, value in sorted(self._pending.items()):
            target = out / name
            if isinstance(value, Path):
                data = value.read_bytes()
            else:
                data = value
            if _same_bytes(target, data):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(data)
                os.chmod(temp, 0o644)
                os.replace(temp, target)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
            if not isinstance(value, Path):
                self.changed += 1
        for name in sorted(removed):
            path = out / _safe_relative(name)
            path.unlink(missing_ok=True)
            for folder in path.relative_to(out).parents:
                if folder.parts and (out / folder).is_dir() and not any((out / folder).iterdir()):
                    (out / folder).rmdir()

    def abort(self) -> None:
        """Forget the new site; ``out_dir`` stays as it was."""
        self._pending.clear()
        if self._temp is not None:
            shutil.rmtree(self._temp, ignore_errors=True)
            self._temp = None


def clean_stale_temps(out_dir: Path) -> None:
    """Remove temporary folders a killed build left beside the output (only ours: prefix and marker)."""
    parent = out_dir.parent
    if not parent.is_dir():
        return
    for candidate in parent.glob(f"{_TEMP_PREFIX}{out_dir.name}-*"):
        if candidate.is_dir() and not candidate.is_symlink():
            shutil.rmtree(candidate, ignore_errors=True)


def write_site(out_dir: Path, files: Mapping[str, bytes], copies: Mapping[str, Path] | None = None) -> int:
    """Replace ``out_dir`` with exactly ``files`` (bytes) and ``copies`` (source files); returns files changed."""
    with SiteWriter(out_dir) as writer:
        for name, data in sorted(files.items()):
            writer.add(name, data)
        for name, source in sorted((copies or {}).items()):
            writer.copy(name, source)
        return writer.commit()
