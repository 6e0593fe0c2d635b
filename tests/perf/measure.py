"""Measurements for the benchmark: timed runs with peak memory, serve latency, the network page."""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("INTROCHAIN_CHROMIUM", "/usr/bin/chromium")


@dataclass(frozen=True)
class Run:
    """One run of a command: wall-clock and CPU seconds (all its processes), peak memory (PSS, MiB; 0 unless sampled), exit code."""

    seconds: float
    peak_mib: float
    code: int
    output: str
    cpu: float = 0.0


def _session_memory(session: int) -> int:
    """Proportional set size (bytes) of every process in a session: the build and its workers.

    PSS shares each page among the processes that map it, so forked workers' copy-on-write
    pages are not counted twice (summing RSS would).
    """
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stream:
                fields = stream.read().rsplit(b")", 1)[1].split()
            if int(fields[3]) != session:  # field 6 of stat (session id), after pid and (comm)
                continue
            with open(f"/proc/{entry}/smaps_rollup", "rb") as stream:
                for line in stream:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except (OSError, IndexError, ValueError):
            continue
    return total


def timed(command: Sequence[str], cwd: Path, env: dict[str, str] | None = None, *, memory: bool = False) -> Run:
    """Run ``command`` in its own session: its wall-clock and CPU time, and with ``memory`` its peak memory.

    Peak memory is the largest PSS of the process tree, sampled every 20 ms. Sampling is not
    free: each sample makes the kernel walk the page tables of every process of the build,
    which took a fifth to a third of a core during a cold build of 1,000 stories, a core the
    build (which uses both of a 2-core machine) then shares. So a run is either timed or
    sampled, never both (``peak_mib`` is 0 when not sampled).
    """
    started = time.perf_counter()
    # Output goes to a file, not a pipe: nobody reads a pipe while the command runs, and a
    # command that printed more than a pipe holds would wait for ever.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **(env or {})}, start_new_session=True,
                                   stdout=log, stderr=subprocess.STDOUT)
        peak = 0
        while True:
            # wait4 reports the CPU time of the command and of every worker it waited for.
            pid, status, usage = os.wait4(process.pid, os.WNOHANG if memory else 0)
            if pid:
                break
            peak = max(peak, _session_memory(process.pid))
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read().decode(errors="replace")
    return Run(seconds, peak / 2**20, process.returncode, output, usage.ru_utime + usage.ru_stime)


def introchain(*args: str | Path) -> list[str]:
    """The command line of ``python -m generator ARGS`` from this checkout."""
    return [sys.executable, "-m", "generator", *map(str, args)]


ENV = {"PYTHONPATH": str(REPO)}


def serve_latency(project: Path, edit: Callable[[int], None], times: int, env: dict[str, str] | None = None,
                  shows: Callable[[int], tuple[str, bytes]] | None = None) -> list[float]:
    """Seconds from saving a post (``edit(n)``) to the server's reload event, ``times`` times.

    ``env``: the server's environment variables (default ``ENV``: this checkout's code).
    ``shows(n)``: a page's URL path and bytes it holds once save ``n`` is built. A reload
    whose page lacks them does not count (the build that writes the search index made in
    the background after the previous save also reloads).
    """
    process = subprocess.Popen(introchain("serve", "--port", "0"), cwd=project, env={**os.environ, **(env or ENV)},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        port = None
        assert process.stdout is not None
        for line in process.stdout:
            match = re.search(r"serving http://127\.0\.0\.1:(\d+)/", line)
            if match:
                port = int(match.group(1))
                break
        if port is None:
            raise RuntimeError("serve did not start")
        stream = socket.create_connection(("127.0.0.1", port), timeout=600)
        stream.sendall(f"GET /__introchain__/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        reader = stream.makefile("rb")
        build = _next_status(reader, lambda status: status.get("site_build", 0) >= 1)["site_build"]
        latencies = []
        for number in range(1, times + 1):
            time.sleep(2.0)  # let the watcher settle between saves
            saved = time.perf_counter()
            edit(number)
            while True:
                status = _next_status(reader, lambda status: status.get("site_build", 0) > build or bool(status.get("error")))
                if status.get("error"):
                    raise RuntimeError(status["error"])
                build = status["site_build"]
                if shows is None or _page_holds(port, *shows(number)):
                    break
            latencies.append(time.perf_counter() - saved)
        stream.close()
        return latencies
    finally:
        os.killpg(process.pid, 2)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)


def _page_holds(port: int, path: str, wanted: bytes) -> bool:
    """Whether the served page at ``path`` holds ``wanted``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        connection.request("GET", path)
        return wanted in connection.getresponse().read()
    finally:
        connection.close()


def _next_status(reader, wanted: Callable[[dict], bool]) -> dict:
    while True:
        line = reader.readline()
        if not line:
            raise RuntimeError("the event stream closed")
        if line.startswith(b"data: "):
            status = json.loads(line[6:])
            if wanted(status):
                return status


class _Quiet:
    """A static handler that serves /bench/... from the site folder and prints nothing."""

    def __new__(cls, *args, directory: str, **kwargs):
        import http.server

        class Handler(http.server.SimpleHTTPRequestHandler):
            def translate_path(self, path: str) -> str:
                return super().translate_path(path.removeprefix("/bench"))

            def log_message(self, *args) -> None:
                pass

        return Handler(*args, directory=directory, **kwargs)
