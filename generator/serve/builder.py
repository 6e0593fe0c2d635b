"""Run the rebuild callable for each batch of changes, publish the outcome and print one line."""

from __future__ import annotations

import re
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.errors import display_path
from generator.serve.status import StatusBoard
from generator.serve.watcher import PendingChanges



@dataclass(frozen=True)
class Rebuilt:
    """What a rebuild may return instead of None: it changed only the pages at these URL paths ('/search/').

    Only browsers showing one of them reload; an empty set reloads none.
    """

    pages: frozenset[str]


@dataclass(frozen=True)
class Unchanged:
    """What a rebuild returns when the changes it was given called for no build (``UNCHANGED``).

    Nothing is published: the open pages, and the last build's error if it failed, stay as they are.
    """


UNCHANGED = Unchanged()

#: ``rebuild(changed)`` builds the site into the served folder. ``changed`` is the set of paths
#: that changed since the last build (empty for the first build: build everything). It returns
#: None on success (every open page reloads), a ``Rebuilt`` when only some pages changed,
#: ``UNCHANGED`` when there was nothing to build, or the error text to show, as ``path:line:col: error: message`` lines. It must leave the served
#: folder as it was when it fails, and hold the server's ``site_lock`` for writing while it
#: changes files there, so each request sees one version of the site.
RebuildFn = Callable[[frozenset[Path]], "str | Rebuilt | Unchanged | None"]

#: Changed files whose names end so count as stylesheets: the page swaps them without reloading.
STYLESHEET_SUFFIXES = (".css",)
#: How many changed paths the one-line report names before "(+N more)".
SHOWN_PATHS = 3

_ERROR_LINE = re.compile(r": error: ")


def describe_changes(changed: frozenset[Path]) -> str:
    """A short list of changed paths for the terminal, e.g. ``content/a.md, content/b.yaml (+2 more)``."""
    names = sorted(display_path(path) for path in changed)
    text = ", ".join(names[:SHOWN_PATHS])
    if len(names) > SHOWN_PATHS:
        text += f" (+{len(names) - SHOWN_PATHS} more)"
    return text


def stylesheets_only(changed: frozenset[Path]) -> tuple[str, ...] | None:
    """The file names of the changed stylesheets when nothing else changed, else None."""
    if not changed or any(not path.name.lower().endswith(STYLESHEET_SUFFIXES) for path in changed):
        return None
    return tuple(sorted({path.name for path in changed}))


def summarize_failure(error: str) -> tuple[int, str]:
    """The number of errors in a failure text and its first line, for the one-line report."""
    lines = [line for line in error.splitlines() if line.strip()]
    count = sum(1 for line in lines if _ERROR_LINE.search(line)) or 1
    first = next((line for line in lines if _ERROR_LINE.search(line)), lines[0] if lines else "unknown error")
    return count, first


class Builder:
    """Builds once per batch of pending changes, in its own thread, one build at a time."""

    def __init__(
        self,
        rebuild: RebuildFn,
        pending: PendingChanges,
        status: StatusBoard,
        log: Callable[[str], None],
    ) -> None:
        self._rebuild = rebuild
        self._pending = pending
        self._status = status
        self._log = log
        # Daemon: a build cannot be interrupted, and a second Ctrl-C must still be able to exit.
        self._thread = threading.Thread(target=self._run, name="introchain-build", daemon=True)

    def build_once(self, changed: frozenset[Path]) -> bool:
        """Run one build, publish its outcome and print one line; True when it succeeded."""
        started = time.perf_counter()
        try:
            error = self._rebuild(changed)
        except Exception as exc:  # noqa: BLE001 - a bug in the build must not kill the server
            # Shown in the browser and the terminal like any failure, traceback included, so
            # the author can report it; the server keeps serving the last good site.
            error = f"internal error while building: {exc!r}\n{traceback.format_exc()}"
        if isinstance(error, Unchanged):
            return True
        elapsed_ms = round((time.perf_counter() - started) * 1000)
        what = describe_changes(changed) if changed else "first build"
        if error is None or isinstance(error, Rebuilt):
            if error is None:
                self._status.publish_success(stylesheets_only(changed))
            else:
                self._status.publish_success(None, error.pages)
            verb = "built" if not changed else "rebuilt"
            self._log(f"{verb} in {elapsed_ms} ms: {what}")
            return True
        self._status.publish_failure(error)
        count, first = summarize_failure(error)
        plural = "error" if count == 1 else "errors"
        after = f" after {what}" if changed else ""
        more = f" (+{count - 1} more, shown in the browser)" if count > 1 else ""
        self._log(f"build failed in {elapsed_ms} ms ({count} {plural}){after}: {first}{more}")
        return False

    def start(self) -> None:
        """Build every batch of changes from now on, in a thread."""
        self._thread.start()

    def join(self) -> None:
        """Wait for the thread to end (after the pending changes were closed)."""
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while (changed := self._pending.take()) is not None:
            self.build_once(changed)
