"""A persistent, content-addressed cache under ``<project>/.cache/introchain/``.

The cache is an optimisation, never a source of truth: every entry is keyed by a digest of
everything its value was computed from (content, templates, options, and the generator's
own code), so a stale entry can only be missed, never used. Entries are written
atomically (temporary file, then rename) and start with a header naming the format, the
generator version, the key and a checksum of the payload; an entry whose header or
checksum does not match (a truncated write, another version's file, a stray file) is
ignored and rebuilt, silently.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from generator import __version__

#: Bumped whenever the layout of cached values changes.
FORMAT = 1
_MAGIC = b"introchain-cache"
_HEADER_LIMIT = 512


def cache_dir_for(content_dir: Path) -> Path:
    """The cache folder of the project a content folder belongs to (``<project>/.cache/introchain``)."""
    return content_dir.resolve().parent / ".cache" / "introchain"


class Cache:
    """Verified key -> bytes entries in one folder; a ``Cache(None)`` stores nothing."""

    def __init__(self, folder: Path | None):
        self.folder = folder

    def _path(self, kind: str, key: str) -> Path:
        assert self.folder is not None
        return self.folder / kind / f"{key[:2]}" / f"{key}.bin"

    def _header(self, kind: str, key: str, payload: bytes) -> bytes:
        checksum = hashlib.sha256(payload).hexdigest()
        return b" ".join((_MAGIC, str(FORMAT).encode(), __version__.encode(), kind.encode(), key.encode(),
                          checksum.encode(), str(len(payload)).encode())) + b"\n"

    def get(self, kind: str, key: str) -> bytes | None:
        """The payload stored under ``key``, or None when missing, foreign or corrupt."""
        if self.folder is None:
            return None
        try:
            data = self._path(kind, key).read_bytes()
        except OSError:
            return None
        end = data.find(b"\n", 0, _HEADER_LIMIT)
        if end < 0:
            return None
        payload = data[end + 1:]
        return payload if data[:end + 1] == self._header(kind, key, payload) else None

    def put(self, kind: str, key: str, payload: bytes) -> None:
        """Store ``payload`` atomically; a cache that cannot be written is simply not used."""
        if self.folder is None:
            return
        target = self._path(kind, key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(self._header(kind, key, payload))
                    stream.write(payload)
                os.replace(temp, target)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        except OSError:
            pass  # read-only project, full disk: the build is still correct, only slower next time

    def get_object(self, kind: str, key: str) -> Any | None:
        """A pickled value stored under ``key``, or None (missing, foreign, corrupt or unreadable)."""
        payload = self.get(kind, key)
        if payload is None:
            return None
        try:
            return pickle.loads(payload)
        except Exception:  # noqa: BLE001 - a checksummed entry from an older layout: treat as missing
            return None

    def put_object(self, kind: str, key: str, value: Any) -> None:
        """Pickle and store ``value``."""
        if self.folder is not None:
            self.put(kind, key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
