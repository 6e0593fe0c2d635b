"""Stage 5: write the site atomically.

The new site is written into a fresh sibling folder and swapped into place in one step
(``renameat2(RENAME_EXCHANGE)`` on Linux), so the output folder is always either the
previous complete site or the new one, even if the build is killed. Files whose bytes did
not change are hard-linked from the previous site, so they keep their mtime.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import tempfile
from collections.abc import Mapping
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


def _fill(temp: Path, old: Path | None, files: Mapping[str, bytes], copies: Mapping[str, Path]) -> int:
    """Write every file into ``temp``; returns how many had new bytes."""
    changed = 0
    for name, data in sorted(files.items()):
        relative = _safe_relative(name)
        target = temp / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        previous = old / relative if old else None
        if previous is not None and _same_bytes(previous, data):
            try:
                os.link(previous, target)
                continue
            except OSError:
                pass  # another filesystem or no hard links: fall through to writing
        target.write_bytes(data)
        changed += 1
    for name, source in sorted(copies.items()):
        target = temp / _safe_relative(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    (temp / MARKER).write_bytes(MARKER_TEXT)
    return changed


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
    check_output_dir(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temps(out_dir)
    temp = Path(tempfile.mkdtemp(prefix=f"{_TEMP_PREFIX}{out_dir.name}-", dir=out_dir.parent))
    try:
        old = out_dir if out_dir.is_dir() else None
        changed = _fill(temp, old, files, copies or {})
        os.chmod(temp, 0o755)  # mkdtemp makes it private; a site is meant to be read
        if old is None:
            os.rename(temp, out_dir)
        elif _exchange(temp, out_dir):
            pass  # temp now holds the previous site; removed below
        else:
            # No atomic exchange here: two renames, with a window in which out_dir is missing.
            backup = temp.with_name(temp.name + "-old")
            os.rename(out_dir, backup)
            os.rename(temp, out_dir)
            shutil.rmtree(backup, ignore_errors=True)
    except BaseException:
        if temp.exists() and not (out_dir.exists() and out_dir.samefile(temp)):
            shutil.rmtree(temp, ignore_errors=True)
        raise
    shutil.rmtree(temp, ignore_errors=True)
    return changed
