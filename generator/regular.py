"""Open only regular files, without ever blocking on a named pipe, socket or device.

``open()`` on a FIFO waits for a writer that may never come, and a device can be read for
ever; a content or template file that is one of those must be an error, not a hang. The
file is opened with ``O_NONBLOCK`` (which makes opening a FIFO return at once and changes
nothing for a regular file) and checked with ``fstat`` on what was opened, so a file
swapped for a pipe between a ``stat`` and the ``open`` is caught too.
"""

from __future__ import annotations

import errno
import os
import stat


class NotRegularFile(OSError):
    """The path names something that is not a regular file (a FIFO, a socket, a device, a folder)."""

    def __init__(self, path: str | os.PathLike, kind: str):
        super().__init__(errno.EINVAL, f"this is {kind}, not a regular file", os.fspath(path))
        self.kind = kind


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words: 'a named pipe (FIFO)', 'a socket', ..."""
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "not a regular file"


def open_regular(path: str | os.PathLike) -> int:
    """A read-only descriptor of ``path`` (links followed); ``NotRegularFile`` when it is not a regular file."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(path, kind_of(mode))
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def read_regular(path: str | os.PathLike, limit: int | None = None) -> bytes:
    """The bytes of a regular file (at most ``limit``); ``NotRegularFile`` for anything else."""
    with os.fdopen(open_regular(path), "rb") as stream:
        return stream.read() if limit is None else stream.read(limit)


def special_files(folder: str | os.PathLike) -> list[tuple[str, str]]:
    """Every entry under ``folder`` that is neither a folder nor a regular file, with what it is (sorted).

    Links are followed for what they point at, never into (a linked folder is not walked).
    """
    found: list[tuple[str, str]] = []
    for parent, folders, files in os.walk(folder):
        folders.sort()
        for name in sorted(files) + [name for name in folders if os.path.islink(os.path.join(parent, name))]:
            path = os.path.join(parent, name)
            try:
                mode = os.stat(path).st_mode
            except OSError:
                continue  # a broken link: nothing can block on it; whoever reads it reports it
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                found.append((path, kind_of(mode)))
    return sorted(found)
