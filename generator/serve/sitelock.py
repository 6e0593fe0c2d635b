"""A readers-writer lock over the served folder: each request sees one complete version of the site.

Requests read together; a build takes it alone while it swaps the new site in (it writes
it beforehand), and waiting builds go first so a stream of requests cannot hold an update
off. A request holds it only while it finds and opens
its file: an open file keeps its bytes even when a newer version replaces it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class SiteLock:
    """Shared for requests (``reading``), exclusive for a build swapping the new site in (``writing``)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Hold the site still while a request finds and opens its file."""
        with self._changed:
            self._changed.wait_for(lambda: not self._writing and not self._writers_waiting)
            self._readers += 1
        try:
            yield
        finally:
            with self._changed:
                self._readers -= 1
                if not self._readers:
                    self._changed.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Wait for the requests in progress, keep new ones out, and let the caller change the folder."""
        with self._changed:
            self._writers_waiting += 1
            try:
                self._changed.wait_for(lambda: not self._writing and not self._readers)
            finally:
                self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._changed:
                self._writing = False
                self._changed.notify_all()
