"""Digests of what a build reads, for cache keys: folders, the generator's code, page contexts.

A digest must change whenever its input could change the output; it may change when the
output would not (that costs a cache miss, never a wrong page).
"""

from __future__ import annotations

import functools
import hashlib
import os
import time
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from generator.regular import read_regular

#: Files whose bytes are read by the build; other files count by name, size and mtime.
TEXT_SUFFIXES = (".md", ".yaml", ".yml", ".html", ".xml", ".txt", ".css", ".js", ".svg")
#: Libraries whose version can change what a build makes.
LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "PyYAML", "Jinja2", "MarkupSafe", "pyvis")


def digest(*parts: str | bytes) -> str:
    """A hex SHA-256 of the parts, each length-prefixed so that no two splits collide."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


@functools.cache
def code_fingerprint() -> str:
    """The generator's own source and the versions of the libraries it renders with."""
    package = Path(__file__).resolve().parents[1]  # the whole generator package
    parts: list[str | bytes] = []
    for path in sorted(package.rglob("*")):
        # The theme's files count where templates are digested (``Templates.fingerprint``).
        if path.suffix in (".py", ".js") and path.is_file() and path.relative_to(package).parts[0] != "theme":
            parts += [path.relative_to(package).as_posix(), path.read_bytes()]
    for name in LIBRARIES:
        try:
            parts += [name, metadata.version(name)]
        except metadata.PackageNotFoundError:
            parts += [name, "-"]
    return digest(*parts)


#: A file's stat signature: device, inode, size, mtime and ctime (ns).
Signature = tuple[int, int, int, int, int]
#: A file modified this close (ns) to when it was read may change again without a new
#: mtime (timestamp granularity), so its signature is not trusted (git's "racily clean").
RACY_NS = 2_000_000_000


def signature(info: os.stat_result) -> Signature:
    """A file's stat signature."""
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def racily_clean(info: os.stat_result, read_ns: int) -> bool:
    """True when the file changed (mtime or ctime) within ``RACY_NS`` of ``read_ns``: its signature proves nothing."""
    return info.st_mtime_ns >= read_ns - RACY_NS or info.st_ctime_ns >= read_ns - RACY_NS


class FileDigests:
    """SHA-256 digests of files, reused while a file's stat signature is the one it had when read.

    Lets ``tree_fingerprint`` answer "did anything change?" for thousands of files by
    looking at them instead of reading them. ``changed`` tells whether it learnt anything
    worth saving for the next process.
    """

    def __init__(self, known: dict[str, tuple[Signature, str]] | None = None):
        self.known = dict(known or {})
        self.seen: set[str] = set()
        self.changed = False

    def __call__(self, path: str) -> str:
        """The digest of the file's bytes (raises OSError when it cannot be read)."""
        info = os.stat(path)
        current = signature(info)
        self.seen.add(path)
        entry = self.known.get(path)
        if entry is not None and entry[0] == current:
            return entry[1]
        started = time.time_ns()
        value = _file_digest(path)
        if not racily_clean(info, started):
            self.known[path] = (current, value)
            self.changed = True
        elif self.known.pop(path, None) is not None:
            self.changed = True
        return value

    def current(self) -> dict[str, tuple[Signature, str]]:
        """The entries of the files seen in this run (what is worth keeping)."""
        return {path: entry for path, entry in self.known.items() if path in self.seen}


def _file_digest(path: str) -> str:
    # Never ``open()`` a pipe or a device: that blocks. Validation reports such a file.
    return hashlib.sha256(read_regular(path)).hexdigest()


def tree_fingerprint(folder: Path, digests: FileDigests | None = None) -> str:
    """Every file under ``folder`` (sorted): text files by their bytes' digest, others by size and mtime.

    ``digests`` reuses the digests of files not touched since a previous run. A linked
    folder is named by its target, not entered; an unreadable file or folder (or a link
    that loops) makes a fingerprint that matches nothing, so no build takes the shortcut
    of an unchanged site while it is there.
    """
    parts: list[str] = [str(folder.resolve())]
    digest_of = digests or _file_digest
    pending = [(str(folder), "")]  # (path, '/'-separated name relative to folder)
    while pending:
        directory, relative = pending.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
        except OSError as error:
            parts += [relative, f"unreadable:{error.errno}:{os.urandom(8).hex()}"]
            continue
        subfolders = []
        for entry in entries:
            name = relative + entry.name
            try:
                if entry.is_dir():  # follows a link, so a looping link raises (ELOOP)
                    if entry.is_symlink():
                        parts += [name + "/", "link:" + os.path.realpath(entry.path)]
                    else:
                        subfolders.append((entry.path, name + "/"))
                elif entry.name.endswith(TEXT_SUFFIXES):
                    parts += [name, digest_of(entry.path)]
                else:
                    info = entry.stat()
                    parts += [name, f"{info.st_size}:{info.st_mtime_ns}"]
            except OSError as error:  # unreadable now: never a cache hit
                parts += [name, f"unreadable:{error.errno}:{os.urandom(8).hex()}"]
        pending.extend(reversed(subfolders))  # depth first, in name order
    # One text to hash: no name or digest holds a NUL, so joining on it is unambiguous, and
    # hashing once is much quicker than length-prefixing 60,000 parts (10,000 stories).
    return digest("\0".join(parts))


class DigestMemo:
    """Digests of frozen model objects, kept from one build to the next outside the objects.

    An entry holds its object, so the object's ``id`` stays its own while the entry lives; a
    frozen object never changes, so its digest stays right. It is a memo and nothing more:
    a hit gives exactly the digest the object's ``repr`` gives, and a miss recomputes it, so
    no decision depends on which objects two builds share. An entry that a build does not
    use is dropped when the next one starts (``next_build``). Pickled with ``build``'s state, it is the
    list of the last build's objects and digests: those it shares with the state stay shared.
    """

    def __init__(self, pairs: Iterable[tuple[Any, str]] = ()) -> None:
        self._previous: dict[int, tuple[Any, str]] = {}
        self._current: dict[int, tuple[Any, str]] = {id(value): (value, text) for value, text in pairs}
        # Long containers of frozen objects (everyone in people.yaml, a list of story cards), by
        # what they hold: (keys, ids of the values) -> (the values, kept alive, and the digest).
        self._previous_shared: dict[tuple, tuple[tuple, str]] = {}
        self._shared: dict[tuple, tuple[tuple, str]] = {}
        self._fixed: dict[type, bool] = {}  # per type: whether its values never change (see ``shared_key``)

    def __reduce__(self):
        # What the last build used: the rest would be dropped when the next one starts. Containers
        # are left out: their keys hold the ids of this process's objects.
        return DigestMemo, (list(self._current.values()),)

    def next_build(self) -> None:
        """Start a build: what the last build did not use is dropped."""
        self._previous, self._current = self._current, {}
        self._previous_shared, self._shared = self._shared, {}

    def _never_changes(self, kind: type) -> bool:
        fixed = self._fixed.get(kind)
        if fixed is None:
            params = getattr(kind, "__dataclass_params__", None)
            fixed = kind in (str, int, float, bool, type(None)) or (params is not None and params.frozen)
            self._fixed[kind] = fixed
        return fixed

    def shared_key(self, value: tuple | list | dict) -> tuple | None:
        """What a container's digest is remembered by: its keys and the very objects it holds.

        Only for a container whose values are all strings, numbers or frozen model objects
        (which never change, as for ``get``) and whose keys are strings; None for any other.
        """
        if isinstance(value, dict):
            keys: tuple | None = tuple(value)
            if not all(type(key) is str for key in keys):
                return None
            items = tuple(value.values())
        else:
            keys, items = None, tuple(value)
        if not all(map(self._never_changes, set(map(type, items)))):
            return None
        return keys, tuple(map(id, items)), items

    def get_shared(self, key: tuple) -> str | None:
        """The digest recorded for a container that held these very objects (``shared_key``), or None."""
        lookup = key[:2]
        entry = self._shared.get(lookup)
        if entry is None:
            entry = self._previous_shared.get(lookup)
            if entry is None:
                return None
            self._shared[lookup] = entry
        return entry[1]

    def put_shared(self, key: tuple, text: str) -> None:
        """Record the digest of a container (``shared_key``); the entry keeps its objects alive."""
        self._shared[key[:2]] = (key[2], text)

    def get(self, value: Any) -> str | None:
        """The digest recorded for this very object, or None."""
        key = id(value)
        entry = self._current.get(key)
        if entry is None:
            entry = self._previous.get(key)
            if entry is None:
                return None
            self._current[key] = entry
        return entry[1]

    def put(self, value: Any, text: str) -> None:
        """Record the digest of a frozen object."""
        self._current[id(value)] = (value, text)


class Digester:
    """Digests of context values, remembering shared objects (the people, a study) by identity.

    Containers are described element by element; model objects (frozen dataclasses, whose
    ``repr`` shows every field) by the digest of their ``repr``, computed once per object
    (kept in ``memo`` from one build to the next, when one is given).
    Objects are remembered by ``id()``, so they are kept alive as long as the digester.
    """

    #: Containers at least this long are digested once and remembered (the people, a tag's stories).
    SHARED = 16

    def __init__(self, memo: DigestMemo | None = None) -> None:
        self._memo: dict[int, str] = {}
        self._alive: list[Any] = []
        self._frozen = memo if memo is not None else DigestMemo()

    def _remember(self, value: Any, text: str) -> str:
        self._memo[id(value)] = text
        self._alive.append(value)
        return text

    def _describe(self, value: Any) -> str:
        known = self._memo.get(id(value))
        if known is not None:
            return known
        if isinstance(value, (str, int, float, bool, type(None))):
            return repr(value)
        if isinstance(value, (tuple, list)):
            if all(type(item) is str for item in value):
                text = repr(tuple(value))  # a list of paths or names (a sitemap's): described at C speed
                return self._remember(value, digest(text)) if len(value) >= self.SHARED else text
            if len(value) >= self.SHARED:
                return self._shared(value)
            return "[" + ",".join(self._describe(item) for item in value) + "]"
        if isinstance(value, dict):
            if len(value) >= self.SHARED:
                return self._shared(value)
            return "{" + ",".join(self._describe(key) + ":" + self._describe(item) for key, item in value.items()) + "}"
        state = getattr(value, "__dict__", None)
        params = getattr(type(value), "__dataclass_params__", None)
        if state is not None and params is not None and params.frozen:
            # A frozen model object never changes: a process that builds again (the dev server)
            # or loads its state from the cache finds its digest in the memo.
            known = self._frozen.get(value)
            if known is None:
                known = digest(type(value).__qualname__, repr(value))
                self._frozen.put(value, known)
            return known
        return self._remember(value, digest(type(value).__qualname__, repr(value)))

    def _shared(self, value: tuple | list | dict) -> str:
        """The digest of a long container, remembered for this build and, when it holds only frozen objects, the next."""
        key = self._frozen.shared_key(value)
        known = self._frozen.get_shared(key) if key is not None else None
        if known is None:
            if isinstance(value, dict):
                text = "{" + ",".join(self._describe(name) + ":" + self._describe(item) for name, item in value.items()) + "}"
            else:
                text = "[" + ",".join(self._describe(item) for item in value) + "]"
            known = digest(text)
            if key is not None:
                self._frozen.put_shared(key, known)
        return self._remember(value, known)

    def __call__(self, value: Any) -> str:
        """The digest of ``value``."""
        return digest(self._describe(value))

    def many(self, values: Iterable[Any]) -> str:
        """One digest for several values."""
        return digest(*(self._describe(value) for value in values))
