"""Temporary folders that a Ctrl-C can never leave behind.

``tempfile.TemporaryDirectory`` makes its folder and only then arms its clean-up: a
``KeyboardInterrupt`` that lands in between (or inside ``tempfile``'s probe of the temp
directory) leaves the folder on disk. Here SIGINT and SIGTERM are held back, by a Python
handler that notes them, from before the folder is made until the ``try`` that removes it
is entered, and again while it is removed; a signal that arrived meanwhile is delivered
right after, inside that ``try``.
"""

from __future__ import annotations

import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

_HELD = (signal.SIGINT, signal.SIGTERM)


class _HeldSignals:
    """Holds SIGINT and SIGTERM back (main thread only: the only place Python runs handlers)."""

    def __init__(self) -> None:
        self._previous: dict[int, object] = {}
        self._arrived: list[int] = []
        if threading.current_thread() is threading.main_thread():
            for number in _HELD:
                self._previous[number] = signal.signal(number, self._note)

    def _note(self, number: int, frame: FrameType | None) -> None:
        self._arrived.append(number)

    def release(self) -> None:
        """Put the previous handlers back, then deliver the first signal that arrived meanwhile."""
        previous, self._previous = self._previous, {}
        for number, handler in previous.items():
            signal.signal(number, handler)  # type: ignore[arg-type]
        if not self._arrived:
            return
        number = self._arrived.pop(0)
        if previous.get(number) == signal.SIG_DFL and number != signal.SIGINT:
            # The default action would end the process here, skipping the clean-up.
            raise SystemExit(128 + number)
        signal.raise_signal(number)


@contextmanager
def temporary_folder(prefix: str) -> Iterator[Path]:
    """A fresh private folder, removed with everything in it when the block ends, however it ends."""
    held = _HeldSignals()
    folder: str | None = None
    try:
        folder = tempfile.mkdtemp(prefix=prefix)
        held.release()
        yield Path(folder)
    finally:
        held = _HeldSignals()
        try:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
        finally:
            held.release()
