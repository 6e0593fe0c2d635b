"""Running Pagefind: one small page per search record, its command line, its files, its failures.

The records themselves are made in ``search.py``. Pagefind (its binary, from the
``pagefind[bin]`` package, run locally; it fetches nothing) is started as a process of its
own, so the building process may do other work, or fork its render workers, while it
indexes; ``Runs`` lets an owner (the dev server) stop every Pagefind it started.
"""

from __future__ import annotations

import errno
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from html import escape
from pathlib import Path
from typing import Any

from generator.errors import ContentError, ContentErrors

#: The files of Pagefind's bundle a search page uses; its ready-made UIs are left out.
_WANTED = re.compile(r"(pagefind\.js|pagefind-worker\.js|pagefind-entry\.json|.*\.pf_meta|wasm\..*\.pagefind|"
                     r"(filter|fragment|index)/.*)$")
#: How long Pagefind may take over an index before the build gives up on it (seconds).
INDEX_TIMEOUT = 600
#: Which Pagefind language index a site language maps to ('en-GB' -> 'en').
_LANGUAGE = re.compile(r"^[a-z]{2,3}")


def record_html(record: dict[str, Any], language: str) -> str:
    """The small page Pagefind indexes for one record: its text, and its title, people and date as metadata."""
    meta = "".join(f'<p data-pagefind-meta="{key}">{escape(value)}</p>' for key, value in sorted(record["meta"].items()))
    return (f'<!DOCTYPE html><html lang="{escape(language)}"><head><meta charset="utf-8"><title></title></head>'
            f'<body><main data-pagefind-body><div data-pagefind-ignore>{meta}</div>'
            f'<p>{escape(record["content"])}</p></main></body></html>')


class Runs:
    """The Pagefind processes started for one owner, which can stop them all (the dev server, when it stops).

    Once stopped, a process that starts is stopped at once: nothing outlives the owner.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen] = set()
        self._stopped = False

    def started(self, process: subprocess.Popen) -> None:
        """Register a process that has just started."""
        with self._lock:
            self._running.add(process)
            if self._stopped:
                process.kill()

    def ended(self, process: subprocess.Popen) -> None:
        """Forget a process that has ended."""
        with self._lock:
            self._running.discard(process)

    def stop(self) -> None:
        """Kill every process running now or started from now on."""
        with self._lock:
            self._stopped = True
            for process in self._running:
                process.kill()


def build_index(records: list[dict[str, Any]], language: str, *, niceness: int = 0,
                runs: Runs | None = None) -> dict[str, bytes]:
    """Pagefind's files for ``records`` (paths relative to ``pagefind/``); ``ContentErrors`` without its binary.

    ``niceness``: how much lower than ours Pagefind's CPU priority is, where the system has
    priorities. ``runs``: where the Pagefind process is registered while it runs, so it can be stopped.
    """
    return IndexRun(records, language, niceness=niceness, runs=runs).files()


class IndexRun:
    """Pagefind indexing ``records``, started at once; ``files`` waits for it and returns its files.

    No thread waits for it meanwhile, so the building process may fork its render workers
    while it runs. ``cancel`` stops it and removes its folder (a build that failed first).
    """

    def __init__(self, records: list[dict[str, Any]], language: str, *, niceness: int = 0, runs: Runs | None = None):
        from pagefind.service import get_executable

        self._process: subprocess.Popen | None = None
        self._runs = runs
        executable = get_executable()
        if executable is None or not executable.is_file():
            raise ContentErrors([ContentError("site.yaml", 0, 0, "the search index needs Pagefind's binary, which is not installed",
                                              _HINT)])
        self._temp = tempfile.TemporaryDirectory(prefix="introchain-search-")
        if not records:
            return  # Pagefind refuses an empty site; the search page says there is nothing to search
        lang = (_LANGUAGE.match(language.lower()) or _LANGUAGE.match("en")).group(0)
        # Pagefind's command line over a folder of one small page per record. Not its Python
        # service: that reads answers of at most 2 MiB (a larger index hangs it for good) and
        # waits 0.1 s for each one, a minute and a half for a thousand stories.
        temp = self._temp.name
        pages, self._out = Path(temp, "pages"), Path(temp, "index")
        try:
            for record in records:
                page = pages / record["url"].strip("/") / "index.html"
                page.parent.mkdir(parents=True, exist_ok=True)
                page.write_text(record_html(record, lang), encoding="utf-8")
            pages.mkdir(exist_ok=True)
            # Its own folder as the working directory, so no pagefind.yml of the caller's is read.
            command = [str(executable), "--site", str(pages), "--output-path", str(self._out), "--force-language", lang,
                       "--silent"]
            clean = {name: value for name, value in os.environ.items() if not name.startswith("PAGEFIND_")}
            # What it says goes to files, not pipes: nobody reads them until it has ended.
            self._said = open(Path(temp, "said"), "w+", encoding="utf-8", errors="replace")
            try:
                self._process = _start(command, temp, clean, self._said, niceness, runs)
            except OSError as error:  # the binary is there but cannot run (permissions, another platform's build)
                raise ContentErrors([ContentError("site.yaml", 0, 0,
                                                  f"Pagefind's binary could not run: {error.strerror or error}", _HINT)]) from None
        except BaseException:
            self.cancel()
            raise
        self._deadline = time.monotonic() + INDEX_TIMEOUT

    def files(self) -> dict[str, bytes]:
        """Wait for Pagefind; its files, or ``ContentErrors``/``OSError`` when it failed."""
        try:
            process = self._process
            if process is None:
                return {}
            try:
                code = process.wait(timeout=max(0.0, self._deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                raise _index_failed(f"it took longer than {INDEX_TIMEOUT} s") from None
            if code != 0:
                self._said.seek(0)
                raise _index_failed(self._said.read().strip(), code)
            out = self._out
            return {path.relative_to(out).as_posix(): path.read_bytes() for path in sorted(out.rglob("*"))
                    if path.is_file() and _WANTED.fullmatch(path.relative_to(out).as_posix())}
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Stop Pagefind if it still runs, and remove its folder."""
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.kill()
                process.wait()
            if self._runs is not None:
                self._runs.ended(process)
            self._said.close()
        self._temp.cleanup()


_HINT = ("install it with `pip install 'pagefind[bin]'` (introchain's dependencies include it), "
         "or turn search off with 'search: false' in site.yaml")


def _start(command: list[str], cwd: str, env: dict[str, str], said, niceness: int, runs: Runs | None) -> subprocess.Popen:
    """Start Pagefind, ``niceness`` below our CPU priority, what it prints going to the file ``said``."""
    process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=said, stderr=said)
    if runs is not None:
        runs.started(process)
    if niceness and hasattr(os, "setpriority"):
        # Set from here, not in the child before it runs (``preexec_fn`` is unsafe in a
        # process with threads, as the dev server is); its first milliseconds run at ours.
        try:
            os.setpriority(os.PRIO_PROCESS, process.pid, os.getpriority(os.PRIO_PROCESS, 0) + niceness)
        except OSError:
            pass  # it has already ended, or the system refuses: it runs at our priority
    return process


#: What Pagefind prints when the system, not the content, stopped it: the build reports
#: these as it reports its own failed writes, as an ``OSError``.
_SYSTEM_FAILURES = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EACCES, errno.EROFS, errno.ENOMEM)


def _index_failed(said: str, code: int = 1) -> Exception:
    """The error for a Pagefind run that failed: an ``OSError`` when the machine stopped it, else ``ContentErrors``."""
    if code == -signal.SIGXFSZ:  # killed for writing past the file-size limit, as a full disk would stop it
        return OSError(errno.EFBIG, os.strerror(errno.EFBIG))
    for number in _SYSTEM_FAILURES:
        if os.strerror(number) in said:
            return OSError(number, os.strerror(number))
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:  # a real-time signal has no name, only its number
            name = f"signal {-code}"
        said = f"it was stopped by {name}"
    last = said.splitlines()[-1:] or [f"exit code {code}"]
    return ContentErrors([ContentError("site.yaml", 0, 0, f"Pagefind could not build the search index: {last[0]}",
                                       "run the build again; if it keeps failing, turn search off with "
                                       "'search: false' in site.yaml and report the message above")])
