"""``build``'s state in the cache: a snapshot, and what changed since it as a small delta.

The state (every parsed story, the site, the manifest) is 260 MB at 10,000 stories, and
pickling all of it after a one-post edit took longer than the rest of the rebuild. So it
is written in full only now and then (a *snapshot*); after other builds a *delta* is
written in which each large object that is still the very one loaded from the snapshot
(a story bundle, its parse result and case study, a person) is a reference into it. Loading reads the
snapshot and then the delta, which resolves its references against it.

A delta names the snapshot it was written against, so a delta left over from an older
snapshot is ignored. When the delta grows past a quarter of the snapshot, the next save
writes a new snapshot instead.
"""

from __future__ import annotations

import os
from typing import Any

from generator.incremental.cache import Cache

#: A new snapshot is written when a delta would be larger than this share of the snapshot.
DELTA_SHARE = 0.25


def _shared(state: Any) -> list[Any]:
    """The objects a delta may refer to.

    Each story bundle, its parse result, its case study and its card (the digest memo
    refers to cards); what was read from site.yaml and people.yaml (the same objects while
    those files are unchanged); and the site's people.
    """
    memo = getattr(state, "memo", None)
    if memo is None:
        return []
    shared: list[Any] = [memo.config, memo.people]
    for bundle, parsed in memo.bundles.pairs():
        shared += [bundle, parsed] if parsed.study is None else [bundle, parsed, parsed.study, parsed.study.card]
    history = getattr(state, "history", None)
    if history is not None:
        shared += history.site.people.values()
    return shared


class StateStore:
    """Loads and saves one state (``build.BuildState``) under one cache key."""

    def __init__(self, cache: Cache, key: str):
        self.cache = cache
        self.key = key
        self._snapshot: tuple[str, int] | None = None  # (its name, its size) once loaded or written
        self._shared: list[Any] = []  # the snapshot's shared objects (kept alive: their ids are the index)
        self._index: dict[int, int] = {}

    def _remember(self, name: str, size: int, shared: list[Any]) -> None:
        self._snapshot = (name, size)
        self._shared = shared
        self._index = {id(item): number for number, item in enumerate(shared)}

    def load(self) -> Any | None:
        """The state last saved, or None."""
        snapshot = self.cache.get_object("state", self.key)
        if not (isinstance(snapshot, tuple) and len(snapshot) == 3):
            return None
        name, state, shared = snapshot
        self._remember(name, self.cache.size("state", self.key), shared)

        def resolve(reference: Any) -> Any:
            return shared[reference]  # an IndexError makes the delta a miss

        delta = self.cache.get_object("state-delta", self.key, references=resolve)
        if isinstance(delta, tuple) and len(delta) == 2 and delta[0] == name:
            return delta[1]
        return state  # no delta, or one written against another snapshot

    def save(self, state: Any) -> None:
        """Write ``state``: as a delta against the loaded snapshot when that is small, else as a new snapshot."""
        if self._snapshot is not None:
            name, size = self._snapshot
            index = self._index

            def refer(item: Any) -> int | None:
                return index.get(id(item))

            written = self.cache.put_object("state-delta", self.key, (name, state), references=refer)
            if written and written <= size * DELTA_SHARE:
                return
        # A new name: any delta on disk was written against another snapshot and is ignored.
        name = os.urandom(16).hex()
        shared = _shared(state)
        written = self.cache.put_object("state", self.key, (name, state, shared))
        if written:
            self._remember(name, written, shared)
