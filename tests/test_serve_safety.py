"""`introchain serve` under attack and under load: DNS rebinding, many open tabs, edits while pages load."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO


class Served:
    """A running `introchain serve` on a free port."""

    def __init__(self, project: Path, *extra: str):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--port", "0", *extra], cwd=project,
            env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        deadline = time.monotonic() + 60
        self.port = 0
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            match = re.search(r"serving http://127\.0\.0\.1:(\d+)/", line)
            if match:
                self.port = int(match.group(1))
                break
        assert self.port, f"serve did not start: {self.process.stderr.read() if self.process.poll() is not None else ''}"
        # Keep reading its output, so a full pipe never stalls it.
        threading.Thread(target=self.process.stdout.read, daemon=True).start()

    def get(self, path: str = "/", host: str | None = None, timeout: float = 30) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.putrequest("GET", path, skip_host=True)
            connection.putheader("Host", host or f"127.0.0.1:{self.port}")
            connection.endheaders()
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


@pytest.fixture
def serve_project(make_site) -> Iterator:
    started: list[Served] = []

    def start(project: Path, *extra: str) -> Served:
        served = Served(project, *extra)
        started.append(served)
        return served

    yield start
    for served in started:
        served.stop()


@pytest.mark.slow
def test_a_rebinding_host_name_gets_nothing(make_site, serve_project):
    served = serve_project(make_site())
    status, body = served.get("/stories/first/", host=f"attacker.example:{served.port}")
    assert status == 421
    assert b"Story first" not in body and b"--allow-host" in body
    status, body = served.get("/__introchain__/events", host=f"attacker.example:{served.port}")
    assert status == 421
    for host in (f"127.0.0.1:{served.port}", f"localhost:{served.port}", "localhost", f"[::1]:{served.port}",
                 f"app.localhost:{served.port}"):
        status, body = served.get("/stories/first/", host=host)
        assert (status, b"Story first" in body) == (200, True), host


def _raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    return reply


@pytest.mark.slow
def test_only_a_browser_less_request_may_leave_the_host_out(make_site, serve_project):
    served = serve_project(make_site())
    # Every browser sends Host, so a request without one is no rebinding attempt (curl -0, scripts).
    assert _raw(served.port, b"GET /stories/first/ HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.0 200")
    empty = _raw(served.port, b"GET /stories/first/ HTTP/1.0\r\nHost: \r\n\r\n")
    assert empty.startswith(b"HTTP/1.0 421") and b"Story first" not in empty


@pytest.mark.slow
def test_allow_host_lets_a_chosen_name_in(make_site, serve_project):
    served = serve_project(make_site(), "--allow-host", "preview.test")
    assert served.get("/stories/first/", host=f"preview.test:{served.port}")[0] == 200
    assert served.get("/stories/first/", host=f"other.test:{served.port}")[0] == 421


def _burst(port: int, pages: list[str], get) -> tuple[list, list[socket.socket]]:
    """120 connections (60 event streams, as open tabs keep, and 60 idle ones, as browsers open
    speculatively) and 60 page loads, all started at the same instant."""
    held: list[socket.socket] = []
    results: list = []
    start = threading.Barrier(180)

    def hold(number: int) -> None:
        start.wait()
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=30)
            if number % 2:
                sock.sendall(f"GET /__introchain__/events HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            held.append(sock)
        except OSError as error:
            results.append(error)

    def load(number: int) -> None:
        page = pages[number % len(pages)]
        start.wait()
        try:
            results.append((page, *get(page)))
        except OSError as error:  # an empty reply, a reset: recorded, then reported by the assertion
            results.append(error)

    threads = [threading.Thread(target=hold, args=(number,)) for number in range(120)]
    threads += [threading.Thread(target=load, args=(number,)) for number in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    return results, held


@pytest.mark.slow
def test_many_open_tabs_and_a_burst_of_page_loads_drop_nothing(make_site, serve_project):
    served = serve_project(make_site(stories=("first", "second", "third")))
    pages = ["/", "/stories/first/", "/stories/second/", "/stories/third/", "/people/", "/tags/"]
    expected = {page: served.get(page) for page in pages}
    assert all(status == 200 for status, _ in expected.values())
    for _ in range(3):
        results, held = _burst(served.port, pages, served.get)
        try:
            failures = [result for result in results if not isinstance(result, tuple)
                        or (result[1], result[2]) != expected[result[0]]]
            assert len(results) == 60 and failures == []
        finally:
            for sock in held:
                sock.close()


@pytest.mark.slow
def test_every_request_sees_one_version_of_the_site_while_it_is_rebuilt(make_site, serve_project):
    slugs = tuple(f"story-{number:02d}" for number in range(1, 31))
    project = make_site(stories=slugs)
    site_yaml = project / "content" / "site.yaml"
    original = site_yaml.read_text()
    served = serve_project(project)
    # Every page shows the site's title: fetched in the order a build writes them, a page that
    # shows an older title than one fetched before it is a mix of two versions.
    pages = sorted(["/"] + [f"/stories/{slug}/" for slug in slugs] + ["/people/", "/tags/", "/archive/"])
    stop = threading.Event()
    mixes: list[str] = []
    seen_versions: set[int] = set()

    def reader() -> None:
        newest = 0
        while not stop.is_set():
            for page in pages:
                status, body = served.get(page)
                if status != 200:
                    continue
                match = re.search(rb"Version (\d+)", body)
                version = int(match.group(1)) if match else 0
                seen_versions.add(version)
                if version < newest:
                    mixes.append(f"{page} showed version {version} after version {newest}")
                newest = max(newest, version)

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        for version in range(1, 13):
            site_yaml.write_text(original.replace("title: Test Stories", f"title: Version {version}"))
            deadline = time.monotonic() + 30
            while version not in seen_versions and time.monotonic() < deadline:
                time.sleep(0.02)
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
    assert 12 in seen_versions
    assert mixes == []


@pytest.mark.slow
def test_the_overlay_shows_a_yaml_syntax_error_alone_with_its_code_frame(make_site, serve_project):
    import json

    story = "connections:\n  - between: [tess, ann\n    stages: [contact]\n"
    served = serve_project(make_site(files={"stories/first/story.yaml": story}))
    with socket.create_connection(("127.0.0.1", served.port), timeout=30) as sock:
        sock.sendall(f"GET /__introchain__/events HTTP/1.0\r\nHost: 127.0.0.1:{served.port}\r\n\r\n".encode())
        received = b""
        while b"\n\n" not in received.partition(b"data: ")[2]:
            received += sock.recv(65536)
    status = json.loads(received.partition(b"data: ")[2].partition(b"\n")[0])
    error = status["error"]
    lines = error.splitlines()
    assert lines[0].startswith("content/stories/first/story.yaml:") and "invalid YAML" in lines[0]
    assert "must be a mapping" not in error and sum(": error: " in line for line in lines) == 1
    line = int(lines[0].split(":")[1])
    assert lines[1] == f"    {line} | {story.splitlines()[line - 1]}" and lines[2].rstrip().endswith("^")
