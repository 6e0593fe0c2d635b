"""Watch files with watchfiles and hand batches of changed paths to the builder."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from watchfiles import Change, DefaultFilter, watch

#: Quiet time (ms) that ends a burst of changes: an editor's temp-file-and-rename save, or
#: several files saved at once, arrive as one batch. watchfiles reports a change one to two
#: steps after it happens, so this adds 25-50 ms to every reload: keep it small (issue 4's
#: budget from save to reload event is 150 ms).
STEP_MS = 25
#: Longest time (ms) a burst can keep a batch open, so a never-ending burst still builds.
DEBOUNCE_MS = 1600
#: Seconds to wait before watching again after the watcher failed (e.g. a watched folder vanished).
RETRY_SECONDS = 1.0


class PendingChanges:
    """Changed paths not yet built. The watcher adds; the builder takes everything at once.

    Because the builder takes all pending paths in one go, saves that land while a build runs
    are neither lost nor built one by one: they make exactly one more build.
    """

    def __init__(self) -> None:
        self._ready = threading.Condition()
        self._paths: set[Path] = set()
        self._closed = False

    def add(self, paths: Iterable[Path]) -> None:
        """Record changed paths and wake the builder."""
        with self._ready:
            self._paths.update(paths)
            self._ready.notify_all()

    def take(self) -> frozenset[Path] | None:
        """Wait for changes and return them all; None once closed."""
        with self._ready:
            self._ready.wait_for(lambda: self._closed or bool(self._paths))
            if self._closed:
                return None
            taken = frozenset(self._paths)
            self._paths.clear()
            return taken

    def close(self) -> None:
        """Stop handing out changes; a waiting :meth:`take` returns None."""
        with self._ready:
            self._closed = True
            self._ready.notify_all()


def _forms(path: Path) -> set[str]:
    """The absolute and the real spelling of a path: events may use either (e.g. /tmp vs /private/tmp)."""
    return {os.path.abspath(path), os.path.realpath(path)}


def _within(path: str, folders: Iterable[str]) -> bool:
    return any(path == folder or path.startswith(folder.rstrip(os.sep) + os.sep) for folder in folders)


class PathFilter:
    """Decides which changed paths count: inside a watched folder or a watched file, not ignored.

    watchfiles' default filter also applies (``.git``, ``__pycache__``, editor swap and backup
    files such as ``.x.swp`` and ``x~``), and a hidden file (``.index.md.tmp``, the temp file an
    editor writes and renames over the real one) never counts: the build reads none, and a
    save seen in two batches (the temp file, then the rename) would otherwise build twice.
    """

    def __init__(self, watch_paths: Sequence[Path], ignore: Sequence[Path]) -> None:
        self.folders: set[str] = set()
        self.files: set[str] = set()
        for path in watch_paths:
            (self.folders if path.is_dir() else self.files).update(_forms(path))
        self.ignored: set[str] = set().union(*(_forms(path) for path in ignore)) if ignore else set()
        self._default = DefaultFilter()

    def roots(self) -> list[str]:
        """Folders to give watchfiles: the watched folders, and the folder of each watched file.

        A file is watched through its folder because editors replace a file on save (write a
        temp file, rename it over), which would end a watch set on the file itself.
        """
        wanted = {os.path.abspath(folder) for folder in self.folders if os.path.isdir(folder)}
        wanted |= {os.path.dirname(os.path.abspath(file)) for file in self.files}
        wanted = {folder for folder in wanted if os.path.isdir(folder)}
        # Nested roots would only repeat events: keep the outermost.
        return sorted(root for root in wanted if not any(root != other and _within(root, [other]) for other in wanted))

    def __call__(self, change: Change, path: str) -> bool:
        """True when a change at ``path`` should trigger a build."""
        if os.path.basename(path).startswith(".") or _within(path, self.ignored) or not self._default(change, path):
            return False
        # Within a watched file too: a watched path that did not exist yet may appear as a folder.
        return _within(path, self.folders) or _within(path, self.files)


def lasting_paths(changes: Iterable[tuple[Change, str]]) -> set[Path]:
    """The changed paths, less those created and gone again within the batch.

    Those are scratch files, such as the temp file an editor writes and renames over the real
    one: the rename shows as a change of the real file, and the temp file changed nothing.
    """
    changes = list(changes)
    added = {path for change, path in changes if change == Change.added}
    return {Path(path) for _change, path in changes if not (path in added and not os.path.lexists(path))}


class _StopSignal:
    """The stop flag given to watchfiles, which also tells when the watches are in place.

    watchfiles calls ``is_set()`` only from inside ``RustNotify.watch()``, after every watch was
    added; its first call therefore means no later edit can be missed.
    """

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.ready = threading.Event()

    def is_set(self) -> bool:
        self.ready.set()
        return self.stop.is_set()


class Watcher:
    """A thread that watches paths and reports each batch of accepted changes to ``on_change``."""

    def __init__(
        self,
        watch_paths: Sequence[Path],
        ignore: Sequence[Path],
        on_change: Callable[[set[Path]], None],
        log: Callable[[str], None],
        step_ms: int = STEP_MS,
    ) -> None:
        self.filter = PathFilter(watch_paths, ignore)
        self._on_change = on_change
        self._log = log
        self._step_ms = step_ms
        self._signal = _StopSignal()
        self._thread = threading.Thread(target=self._run, name="introchain-watch", daemon=True)

    def start(self, ready_timeout: float = 10.0) -> bool:
        """Start watching; return True once the watches are in place (False: not within the timeout)."""
        self._thread.start()
        return self._signal.ready.wait(ready_timeout)

    def stop(self) -> None:
        """Stop watching and wait for the thread (watchfiles checks the flag every step)."""
        self._signal.stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._signal.stop.is_set():
            roots = self.filter.roots()
            if not roots:
                self._log("warning: nothing to watch (no watched folder exists); edits will not rebuild")
                self._signal.ready.set()
                return
            try:
                for changes in watch(
                    *roots,
                    watch_filter=self.filter,
                    debounce=DEBOUNCE_MS,
                    step=self._step_ms,
                    stop_event=self._signal,
                    raise_interrupt=False,
                ):
                    if lasting := lasting_paths(changes):
                        self._on_change(lasting)
            except (OSError, RuntimeError) as error:
                # A watched folder vanished or the OS ran out of watches: say so and watch
                # again shortly rather than leave the author with a server that no longer reloads.
                self._log(f"warning: watching stopped ({error}); retrying")
                self._signal.stop.wait(RETRY_SECONDS)
