"""A persistent, content-addressed cache under ``<project>/.cache/introchain/``.

The cache is an optimisation, never a source of truth: every entry is keyed by a digest of
everything its value was computed from (content, templates, options, and the generator's
own code), so a stale entry can only be missed, never used. Entries are written
atomically (temporary file, then rename), start with a header naming the format, the
generator version and the key, and end with a checksum of the payload; an entry whose
header or checksum does not match (a truncated write, another version's file, a stray
file) is ignored and rebuilt, silently.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from generator import __version__
from generator.incremental.pickling import dispatch_table

#: Bumped whenever the layout of entries or of cached values changes.
FORMAT = 2
_MAGIC = b"introchain-cache"
_HEADER_LIMIT = 512
#: After the payload: a newline, the payload's SHA-256 in hex, a space, its length in 20 digits, a newline.
_TRAILER_SIZE = 1 + 64 + 1 + 20 + 1
_CHUNK = 1 << 20


def cache_dir_for(content_dir: Path) -> Path:
    """The cache folder of the project a content folder belongs to (``<project>/.cache/introchain``)."""
    return content_dir.resolve().parent / ".cache" / "introchain"


def _trailer(hasher, length: int) -> bytes:
    return b"\n" + hasher.hexdigest().encode() + b" " + b"%020d" % length + b"\n"


class _HashingWriter:
    """A write-only stream that hashes and counts what passes through it."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.hasher = hashlib.sha256()
        self.length = 0

    def write(self, data) -> int:
        self.hasher.update(data)
        self.length += len(data)
        return self.stream.write(data)


class Cache:
    """Verified key -> value entries in one folder; a ``Cache(None)`` stores nothing.

    An entry is a header line (format, version, kind, key), the payload, and a trailer with
    the payload's SHA-256 and length. Values are pickled straight into the file and checked
    before they are unpickled from it, so a large value is never held twice in memory.
    """

    def __init__(self, folder: Path | None):
        self.folder = folder

    def _path(self, kind: str, key: str) -> Path:
        assert self.folder is not None
        return self.folder / kind / f"{key[:2]}" / f"{key}.bin"

    @staticmethod
    def _header(kind: str, key: str) -> bytes:
        return b" ".join((_MAGIC, str(FORMAT).encode(), __version__.encode(), kind.encode(), key.encode())) + b"\n"

    def _open_checked(self, kind: str, key: str) -> tuple[BinaryIO, int] | None:
        """The entry's file, positioned at its payload, and the payload's length; None unless it checks out."""
        if self.folder is None:
            return None
        try:
            stream = open(self._path(kind, key), "rb")  # noqa: SIM115 - returned to the caller, who closes it
        except OSError:
            return None
        try:
            header = self._header(kind, key)
            size = os.fstat(stream.fileno()).st_size
            length = size - len(header) - _TRAILER_SIZE
            if length < 0 or stream.read(len(header)) != header:
                stream.close()
                return None
            hasher = hashlib.sha256()
            remaining = length
            while remaining:
                chunk = stream.read(min(_CHUNK, remaining))
                if not chunk:
                    break
                hasher.update(chunk)
                remaining -= len(chunk)
            if remaining or stream.read(_TRAILER_SIZE) != _trailer(hasher, length):
                stream.close()
                return None
            stream.seek(len(header))
            return stream, length
        except OSError:
            stream.close()
            return None

    def size(self, kind: str, key: str) -> int:
        """The size of the entry's file in bytes (0 when there is none)."""
        if self.folder is None:
            return 0
        try:
            return self._path(kind, key).stat().st_size
        except OSError:
            return 0

    def get(self, kind: str, key: str) -> bytes | None:
        """The payload stored under ``key``, or None when missing, foreign or corrupt."""
        opened = self._open_checked(kind, key)
        if opened is None:
            return None
        stream, length = opened
        with stream:
            return stream.read(length)

    def _write(self, kind: str, key: str, produce: Callable[[_HashingWriter], None]) -> bool:
        """Write an entry atomically (True when written); a cache that cannot be written is simply not used."""
        if self.folder is None:
            return False
        target = self._path(kind, key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(self._header(kind, key))
                    writer = _HashingWriter(stream)
                    produce(writer)
                    stream.write(_trailer(writer.hasher, writer.length))
                os.replace(temp, target)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        except OSError:
            return False  # read-only project, full disk: the build is still correct, only slower next time
        return True

    def put(self, kind: str, key: str, payload: bytes) -> None:
        """Store ``payload``."""
        self._write(kind, key, lambda writer: writer.write(payload))

    def get_object(self, kind: str, key: str, references: Callable[[Any], Any] | None = None) -> Any | None:
        """A pickled value stored under ``key``, or None (missing, foreign, corrupt or unreadable).

        ``references`` resolves the persistent references ``put_object`` wrote (see there).
        """
        opened = self._open_checked(kind, key)
        if opened is None:
            return None
        stream, _ = opened
        with stream:
            try:
                unpickler = pickle.Unpickler(stream)
                if references is not None:
                    unpickler.persistent_load = references  # type: ignore[method-assign]
                return unpickler.load()
            except Exception:  # noqa: BLE001 - a checksummed entry from an older layout: treat as missing
                return None

    def put_object(self, kind: str, key: str, value: Any, references: Callable[[Any], Any] | None = None) -> int:
        """Pickle ``value`` into the cache; returns the payload's size (0 when not written).

        ``references(obj)`` may name an object stored elsewhere (anything but None); the
        entry then holds that name instead of the object (pickle's persistent ids).
        """
        size = 0

        def produce(writer: _HashingWriter) -> None:
            nonlocal size
            pickler = pickle.Pickler(writer, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.dispatch_table = dispatch_table()
            if references is not None:
                pickler.persistent_id = references  # type: ignore[method-assign]
            pickler.dump(value)
            size = writer.length

        return size if self._write(kind, key, produce) else 0
