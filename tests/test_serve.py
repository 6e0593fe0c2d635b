"""The generic live-reload server: safe file serving, script injection, events, watching, stopping."""

from __future__ import annotations

import http.client
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from generator.errors import display_path
from generator.serve import LiveServer, is_loopback, is_wildcard
from generator.serve.builder import Builder, describe_changes, stylesheets_only, summarize_failure
from generator.serve.pages import inject, not_found_page, script_tag
from generator.serve.paths import resolve, url_segments
from generator.serve.status import StatusBoard
from generator.serve.watcher import PathFilter, PendingChanges, lasting_paths

SECRET = "TOP-SECRET-OUTSIDE-THE-SITE"


def wait_for(predicate: Callable[[], object], timeout: float = 5.0, what: str = "condition") -> None:
    """Poll ``predicate`` until it is true, failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.01)


class FakeSite:
    """A rebuild callable that renders ``src/*.txt`` into ``out/`` the way a site generator would."""

    def __init__(self, src: Path, out: Path) -> None:
        self.src = src
        self.out = out
        self.calls: list[frozenset[Path]] = []
        self.gate: threading.Event | None = None  # when set, the next rebuild waits for it
        self.entered = threading.Event()
        self.lock = threading.Lock()

    def __call__(self, changed: frozenset[Path]) -> str | None:
        with self.lock:
            self.calls.append(changed)
        self.entered.set()
        if self.gate is not None:
            gate, self.gate = self.gate, None
            gate.wait(10)
        texts = {path.name: path.read_text() for path in sorted(self.src.glob("*.txt"))}
        for name, text in texts.items():
            if text.startswith("BAD"):
                return f"{self.src / name}:1:1: error: {text}"
            if text.startswith("CRASH"):
                raise RuntimeError("the build has a bug")
        body = "".join(f"<p>{name}: {text}</p>" for name, text in texts.items())
        self.out.mkdir(exist_ok=True)
        (self.out / "index.html").write_text(f"<!doctype html><html><head><title>t</title></head><body>{body}</body></html>")
        return None

    @property
    def count(self) -> int:
        with self.lock:
            return len(self.calls)


@pytest.fixture
def site(tmp_path: Path) -> FakeSite:
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    out.mkdir()
    (src / "a.txt").write_text("first")
    (tmp_path / "outside.txt").write_text(SECRET)
    (out / "style.css").write_text("body { color: red }")
    (out / "app.js").write_text("console.log('</head>')")
    (out / "data.json").write_text('{"html": "</head>"}')
    (out / "feed.xml").write_text("<feed></feed>")
    (out / "sub").mkdir()
    (out / "sub" / "index.html").write_text("<html><body>sub page</body></html>")
    (out / "empty-folder").mkdir()
    (out / "empty-folder" / "note.txt").write_text("no index here")
    return FakeSite(src, out)


@pytest.fixture
def serve(site: FakeSite) -> Iterator[Callable[..., tuple[LiveServer, list[str]]]]:
    """``serve(**options) -> (server, log lines)``: a started server over ``site``; stopped afterwards."""
    servers: list[LiveServer] = []

    def start(**options) -> tuple[LiveServer, list[str]]:
        lines: list[str] = []
        options.setdefault("watch", [site.src])
        server = LiveServer(root=site.out, rebuild=site, log=lines.append, **options)
        servers.append(server)
        server.start()
        return server, lines

    yield start
    for server in servers:
        server.stop()


def request(port: int, target: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """Send ``target`` byte for byte (no client-side normalising) and return status, headers, body."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(f"{method} {target} HTTP/1.0\r\nHost: localhost\r\n\r\n".encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


class Events:
    """Reads the server's event stream: one :class:`SiteStatus` JSON per ``status`` event."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        self.connection.request("GET", "/__introchain__/events")
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type").startswith("text/event-stream")

    def next(self) -> dict:
        """The next status event (keep-alive comments skipped)."""
        event = None
        while True:
            line = self.response.fp.readline().decode("utf-8")
            if not line:
                raise EOFError("event stream closed")
            line = line.rstrip("\n")
            if line.startswith("event: "):
                event = line[len("event: ") :]
            elif line.startswith("data: ") and event == "status":
                return json.loads(line[len("data: ") :])

    def close(self) -> None:
        self.connection.close()


# --- paths -------------------------------------------------------------------------------

TRAVERSALS = [
    "/../outside.txt",
    "/../../etc/passwd",
    "/%2e%2e/outside.txt",
    "/%2E%2E/%2E%2E/etc/passwd",
    "/..%2foutside.txt",
    "/..%2Foutside.txt",
    "/sub/..%2f..%2foutside.txt",
    "/sub/%2e%2e/%2e%2e/outside.txt",
    "/.%2e/outside.txt",
    "/%2e%2e%2foutside.txt",
    "/..\\outside.txt",
    "/..%5coutside.txt",
    "/sub%5c..%5c..%5coutside.txt",
    "/%252e%252e/outside.txt",
    "/./outside.txt",
    "/etc/passwd",
    "//etc/passwd",
    "///../outside.txt",
    "/C:/Windows/win.ini",
    "/C%3A%5CWindows%5Cwin.ini",
    "/index.html%00.txt",
    "/%ff%fe",
    "../outside.txt",
    "outside.txt",
    "http://127.0.0.1/../outside.txt",
]


@pytest.mark.slow
@pytest.mark.parametrize("target", TRAVERSALS)
def test_paths_outside_the_site_are_not_found(serve, target):
    server, _ = serve()
    status, _, body = request(server.port, target)
    assert status == 404
    assert SECRET.encode() not in body


def test_a_symlink_out_of_the_site_is_not_followed(serve, site, tmp_path):
    (site.out / "link.txt").symlink_to(tmp_path / "outside.txt")
    (site.out / "linked-folder").symlink_to(tmp_path)
    server, _ = serve()
    for target in ("/link.txt", "/linked-folder/outside.txt", "/linked-folder/"):
        status, _, body = request(server.port, target)
        assert status == 404, target
        assert SECRET.encode() not in body


def test_url_segments_decode_once_and_refuse_dot_segments():
    assert url_segments("/a/b%20c/") == ["a", "b c"]
    assert url_segments("/a//b?x=1#y") == ["a", "b"]
    assert url_segments("/%252e%252e/") == ["%2e%2e"]
    for bad in ("/a/../b", "/a/%2e%2e/b", "/a%2f..%2fb", "/a\\b", "/a%00b", "/./a", "a/b"):
        assert url_segments(bad) is None, bad


def test_folders_are_never_listed(serve):
    server, _ = serve()
    status, _, body = request(server.port, "/empty-folder/")
    assert status == 404
    assert b"note.txt" not in body
    assert request(server.port, "/empty-folder")[0] == 404


def test_a_folder_with_an_index_is_served_and_redirects_to_its_slash(serve, site):
    server, _ = serve()
    status, headers, _ = request(server.port, "/sub?x=1")
    assert status == 301
    assert headers["location"] == "/sub/?x=1"
    status, _, body = request(server.port, "/sub/")
    assert status == 200 and b"sub page" in body
    # A doubled slash must not turn the redirect into a link to another host.
    status, headers, _ = request(server.port, "//sub")
    assert status == 301 and headers["location"] == "/sub/"


def test_resolve_finds_files_and_nothing_else(site):
    assert resolve(site.out, "/style.css").file == (site.out / "style.css").resolve()
    assert resolve(site.out, "/missing.html").file is None
    assert resolve(site.out, "/sub/").file == (site.out / "sub" / "index.html").resolve()


# --- injection ---------------------------------------------------------------------------


def test_html_gets_the_script_tag_and_nothing_else_does(serve):
    server, _ = serve()
    status, headers, body = request(server.port, "/")
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert b'<script src="/__introchain__/livereload.js"' in body
    assert body.index(b"livereload.js") < body.index(b"</head>")
    assert int(headers["content-length"]) == len(body)
    assert headers["cache-control"] == "no-store"
    for target, kind in [
        ("/style.css", "text/css"),
        ("/app.js", "text/javascript"),
        ("/data.json", "application/json"),
        ("/feed.xml", "application/xml"),
    ]:
        status, headers, body = request(server.port, target)
        assert status == 200, target
        assert headers["content-type"].startswith(kind), target
        assert b"livereload" not in body, target


def test_head_sends_the_same_headers_and_no_body(serve):
    server, _ = serve()
    _, get_headers, get_body = request(server.port, "/")
    status, head_headers, head_body = request(server.port, "/", method="HEAD")
    assert status == 200 and head_body == b""
    assert head_headers["content-length"] == get_headers["content-length"] == str(len(get_body))


def test_inject_places_the_tag_before_head_or_body_end():
    tag = b"<script></script>"
    assert inject(b"<html><HEAD></HEAD ><body></body></html>", tag) == b"<html><HEAD><script></script></HEAD ><body></body></html>"
    assert inject(b"<p>x</p></body>", tag) == b"<p>x</p><script></script></body>"
    assert inject(b"<p>x</p>", tag) == b"<p>x</p><script></script>"


def test_the_script_tag_is_external_and_deferred():
    tag = script_tag("abc", 7).decode()
    assert tag == '<script src="/__introchain__/livereload.js" data-instance="abc" data-build="7" defer></script>'


def test_the_reload_client_is_served_and_other_reserved_paths_are_not(serve):
    server, _ = serve()
    status, headers, body = request(server.port, "/__introchain__/livereload.js")
    assert status == 200
    assert headers["content-type"].startswith("text/javascript")
    assert b"EventSource" in body
    assert b"innerHTML" not in body.replace(b"never innerHTML", b"")
    assert request(server.port, "/__introchain__/other")[0] == 404
    assert request(server.port, "/__introchain__/../outside.txt")[0] == 404


def test_not_found_page_carries_the_script_and_the_escaped_error():
    page = not_found_page("/x<y>", "a.yaml:1:1: error: <b>bad</b>")
    assert b"&lt;b&gt;bad&lt;/b&gt;" in page and b"<b>bad" not in page
    assert b"/x&lt;y&gt;" in page


def test_a_missing_page_is_a_404_with_the_script(serve):
    server, _ = serve()
    status, headers, body = request(server.port, "/no/such/page/")
    assert status == 404
    assert headers["content-type"].startswith("text/html")
    assert b"livereload.js" in body


def test_the_sites_own_404_page_is_used(serve, site):
    (site.out / "404.html").write_text("<html><head></head><body>custom missing</body></html>")
    server, _ = serve()
    status, _, body = request(server.port, "/nothing")
    assert status == 404
    assert b"custom missing" in body and b"livereload.js" in body


# --- events, rebuilds and errors --------------------------------------------------------------


def test_a_change_rebuilds_and_the_event_stream_says_so(serve, site):
    server, lines = serve()
    events = Events(server.port)
    first = events.next()
    assert first["site_build"] == 1 and first["error"] is None
    assert lines[0].startswith("built in ")
    (site.src / "a.txt").write_text("second")
    update = events.next()
    assert update["site_build"] == 2 and update["reload_build"] == 2 and update["instance"] == first["instance"]
    assert b"second" in request(server.port, "/")[2]
    assert any(line.startswith("rebuilt in ") and line.endswith("a.txt") for line in lines)
    events.close()


def test_a_failed_build_keeps_the_last_good_site_and_recovers(serve, site):
    server, lines = serve()
    events = Events(server.port)
    events.next()
    (site.src / "a.txt").write_text("BAD <thing>")
    failed = events.next()
    assert failed["error"] == f"{site.src / 'a.txt'}:1:1: error: BAD <thing>"
    assert failed["site_build"] == 1
    status, _, body = request(server.port, "/")
    assert status == 200 and b"first" in body and b'data-build="1"' in body
    status, _, body = request(server.port, "/gone/")
    assert status == 404 and b"BAD &lt;thing&gt;" in body
    assert any(line.startswith("build failed in ") and "(1 error)" in line and "BAD <thing>" in line for line in lines)
    (site.src / "a.txt").write_text("fixed")
    fixed = events.next()
    assert fixed["error"] is None and fixed["site_build"] == 2
    assert b"fixed" in request(server.port, "/")[2]
    events.close()


def test_a_crashing_build_shows_the_traceback_and_the_server_survives(serve, site):
    server, lines = serve()
    events = Events(server.port)
    events.next()
    (site.src / "a.txt").write_text("CRASH")
    status = events.next()
    assert "internal error while building: RuntimeError('the build has a bug')" in status["error"]
    assert "Traceback" in status["error"]
    assert request(server.port, "/")[0] == 200
    events.close()


def test_the_server_starts_when_the_first_build_fails(serve, site):
    (site.src / "a.txt").write_text("BAD from the start")
    (site.out / "index.html").unlink(missing_ok=True)
    server, lines = serve()
    status, _, body = request(server.port, "/")
    assert status == 404
    assert b"BAD from the start" in body and b"livereload.js" in body
    assert lines[0].startswith("build failed in ")


def test_a_stylesheet_only_change_does_not_ask_for_a_reload(serve, site):
    (site.src / "theme.css").write_text("a {}")
    server, _ = serve()
    events = Events(server.port)
    events.next()
    (site.src / "theme.css").write_text("a { color: blue }")
    update = events.next()
    assert update["site_build"] == 2 and update["reload_build"] == 1
    assert update["stylesheets"] == ["theme.css"]
    (site.src / "a.txt").write_text("text too")
    update = events.next()
    assert update["reload_build"] == 3 and update["stylesheets"] == []
    events.close()


def test_stylesheets_only_and_descriptions():
    assert stylesheets_only(frozenset({Path("/x/a.css"), Path("/x/B.CSS")})) == ("B.CSS", "a.css")
    assert stylesheets_only(frozenset({Path("/x/a.css"), Path("/x/a.md")})) is None
    assert stylesheets_only(frozenset()) is None
    many = frozenset(Path(f"/x/{n}.md") for n in range(5))
    assert describe_changes(many).endswith("(+2 more)")
    assert summarize_failure("a:1:1: error: one\n    hint: h\nb:2:1: error: two") == (2, "a:1:1: error: one")
    assert summarize_failure("something odd") == (1, "something odd")


def test_status_board_collapses_builds_and_wakes_waiters():
    board = StatusBoard()
    start = board.current()
    assert board.wait_newer(start.version, timeout=0.01) == start
    board.publish_success(["a.css"])
    board.publish_success(["b.css"])
    latest = board.wait_newer(start.version, timeout=1)
    assert (latest.site_build, latest.reload_build, latest.stylesheets) == (2, 0, ("a.css", "b.css"))
    board.close()
    assert board.wait_newer(latest.version, timeout=5) is None


def test_a_build_that_changed_some_pages_names_them_until_the_next_full_reload():
    board = StatusBoard()
    board.publish_success(None)
    board.publish_success(None, ["/search/"])
    board.publish_success(["a.css"])
    board.publish_success(None, ["/search/", "/about/"])
    latest = board.current()
    assert (latest.site_build, latest.reload_build, latest.stylesheet_build) == (4, 1, 3)
    assert latest.page_builds == (("/about/", 4), ("/search/", 4))
    board.publish_success(None, [])  # nothing any page shows changed
    assert board.current().page_builds == latest.page_builds and board.current().site_build == 5
    board.publish_success(None)
    assert (board.current().reload_build, board.current().page_builds) == (6, ())


# --- watching: bursts, edits during a build, ignored paths ------------------------------------


def save_like_an_editor(path: Path, text: str, number: int) -> None:
    """Write a temp file beside ``path`` and rename it over, as many editors save."""
    temp = path.with_name(f".{path.name}.tmp{number}")
    temp.write_text(text)
    os.replace(temp, path)


@pytest.mark.slow
def test_a_burst_of_saves_makes_one_rebuild(serve, site):
    # Saves count as one burst while no gap between them is longer than the watcher's step
    # (25 ms when serving). A loaded machine can pause this loop for longer than that, so
    # the step here is 250 ms: the grouping is what is tested, not the scheduler.
    server, _ = serve(step_ms=250)
    assert site.count == 1
    for number in range(20):
        save_like_an_editor(site.src / "a.txt", f"save {number}", number)
    wait_for(lambda: site.count == 2, what="the rebuild")
    time.sleep(0.6)  # long enough for a second rebuild to have started, were one coming
    assert site.count == 2
    assert site.src / "a.txt" in site.calls[1]
    assert b"save 19" in request(server.port, "/")[2]


def test_changes_made_during_a_build_make_exactly_one_more_build(site, tmp_path):
    pending = PendingChanges()
    board = StatusBoard()
    builder = Builder(site, pending, board, log=lambda line: None)
    builder.start()
    try:
        gate = site.gate = threading.Event()
        pending.add({tmp_path / "first"})
        assert site.entered.wait(5)
        for name in ("x", "y", "z"):
            pending.add({tmp_path / name})
        gate.set()
        wait_for(lambda: site.count == 2 and board.current().version == 2, what="the second build")
        assert site.calls == [frozenset({tmp_path / "first"}), frozenset({tmp_path / n for n in "xyz"})]
    finally:
        pending.close()
        builder.join()


def test_an_edit_during_a_rebuild_is_not_lost(serve, site):
    server, _ = serve()
    gate = site.gate = threading.Event()
    site.entered.clear()
    (site.src / "a.txt").write_text("during one")
    assert site.entered.wait(5)
    (site.src / "b.txt").write_text("written while building")
    time.sleep(0.2)  # let the watcher see it while the build still runs
    gate.set()
    wait_for(lambda: any(site.src / "b.txt" in call for call in site.calls), what="a build of b.txt")
    wait_for(lambda: b"written while building" in request(server.port, "/")[2], what="the new text")


def test_ignored_paths_and_editor_scratch_files_never_rebuild(serve, site):
    cache = site.src / ".cache"
    cache.mkdir()
    server, _ = serve(ignore=[cache, site.out])
    (cache / "data.bin").write_text("cached")
    (site.src / ".a.txt.swp").write_text("vim swap")
    (site.src / "a.txt~").write_text("backup")
    time.sleep(0.4)  # absence of a rebuild can only be observed by waiting
    assert site.count == 1


def test_a_build_writing_into_a_watched_but_ignored_folder_does_not_loop(tmp_path):
    src = tmp_path / "project"
    out = src / "site"
    src.mkdir()
    (src / "a.txt").write_text("one")
    fake = FakeSite(src, out)
    server = LiveServer(root=out, rebuild=fake, watch=[src], ignore=[out], log=lambda line: None)
    try:
        server.start()
        (src / "a.txt").write_text("two")
        wait_for(lambda: fake.count == 2, what="the rebuild")
        time.sleep(0.4)
        assert fake.count == 2
    finally:
        server.stop()


def test_files_added_and_deleted_are_picked_up(serve, site):
    server, lines = serve()
    events = Events(server.port)
    built = events.next()["site_build"]
    assert b"brand new" not in request(server.port, "/")[2]
    # Written beside the watched folder and moved in: one event, so one build.
    (site.src.parent / "new.tmp").write_text("brand new")
    (site.src.parent / "new.tmp").rename(site.src / "new.txt")
    added = events.next()
    assert added["site_build"] > built and added["error"] is None
    assert b"brand new" in request(server.port, "/")[2]
    (site.src / "new.txt").unlink()
    removed = events.next()
    assert removed["site_build"] > added["site_build"] and removed["error"] is None
    assert b"brand new" not in request(server.port, "/")[2]
    events.close()
    server.stop()  # waits for the builder: every line is printed
    reports = [line for line in lines if "new.txt" in line]
    assert len(reports) == 2 and all(line.startswith("rebuilt in ") for line in reports), lines


def test_path_filter_watches_files_through_their_folder(tmp_path):
    folder, config = tmp_path / "content", tmp_path / "site.yaml"
    folder.mkdir()
    config.write_text("x")
    path_filter = PathFilter([folder, config], ignore=[folder / "skip"])
    assert path_filter.roots() == [str(tmp_path)]
    from watchfiles import Change

    assert path_filter(Change.modified, str(config))
    assert path_filter(Change.added, str(folder / "a" / "b.md"))
    assert not path_filter(Change.modified, str(tmp_path / "other.yaml"))
    assert not path_filter(Change.modified, str(folder / "skip" / "x"))
    assert not path_filter(Change.modified, str(folder / ".git" / "index"))
    # An editor's hidden temp file, seen before the rename that saves it, starts no build of its own.
    assert not path_filter(Change.added, str(folder / "stories" / "first" / ".index.md.tmp"))
    assert path_filter(Change.added, str(folder / "stories" / "first" / "index.md"))


def test_a_watched_folder_that_does_not_exist_yet_counts_once_it_appears(tmp_path):
    from watchfiles import Change

    content, later = tmp_path / "content", tmp_path / "templates"
    content.mkdir()
    path_filter = PathFilter([content, later], ignore=[])
    assert path_filter.roots() == [str(tmp_path)]
    assert path_filter(Change.added, str(later))
    assert path_filter(Change.added, str(later / "partials" / "footer.html"))
    assert not path_filter(Change.added, str(tmp_path / "templates-old" / "footer.html"))


def test_scratch_files_created_and_gone_within_a_batch_are_left_out(tmp_path):
    from watchfiles import Change

    real, scratch, removed = tmp_path / "a.md", tmp_path / ".a.md.tmp", tmp_path / "old.md"
    real.write_text("x")
    changes = {
        (Change.added, str(scratch)),
        (Change.deleted, str(scratch)),
        (Change.modified, str(real)),
        (Change.deleted, str(removed)),
    }
    assert lasting_paths(changes) == {real, removed}


def test_a_save_through_a_temp_file_reports_only_the_real_file(serve, site):
    server, lines = serve()
    save_like_an_editor(site.src / "a.txt", "saved", 1)
    wait_for(lambda: site.count == 2, what="the rebuild")
    assert site.calls[1] == frozenset({site.src / "a.txt"})
    wait_for(lambda: len(lines) == 2, what="the log line")
    assert lines[1].startswith("rebuilt in ") and lines[1].endswith(" ms: " + display_path(site.src / "a.txt"))


# --- binding and stopping -------------------------------------------------------------------


def test_loopback_detection():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1") and is_loopback("[::1]")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("example.com")
    assert is_wildcard("0.0.0.0") and is_wildcard("::") and not is_wildcard("127.0.0.1")


def test_serve_warns_when_other_machines_can_connect():
    from generator.commands.serve import exposure_warning

    assert exposure_warning("127.0.0.1") is None and exposure_warning("localhost") is None
    assert "other machines on the network" in exposure_warning("0.0.0.0")
    assert "--host 127.0.0.1" in exposure_warning("192.168.1.20")


def test_a_taken_port_raises_address_in_use(site):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError) as caught:
            LiveServer(root=site.out, rebuild=site, watch=[site.src], port=taken.getsockname()[1])
    assert caught.value.errno in (98, 48)  # EADDRINUSE on Linux, macOS


def test_stop_ends_every_thread_even_with_open_connections(site):
    before = set(threading.enumerate())
    server = LiveServer(root=site.out, rebuild=site, watch=[site.src], log=lambda line: None)
    server.start()
    events = Events(server.port)
    events.next()
    idle = socket.create_connection(("127.0.0.1", server.port))  # a connection that never asks anything
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 3
    with pytest.raises((EOFError, OSError)):
        events.next()
    idle.close()
    events.close()
    assert set(threading.enumerate()) <= before
    server.stop()  # a second stop is harmless


# --- the CLI: usage errors ------------------------------------------------------------------


def test_serve_on_a_taken_port_exits_2_with_one_clear_line(cli, make_site):
    root = make_site()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("serve", "--port", str(port), cwd=root, timeout=60)
    assert result.code == 2
    assert result.err.strip() == (
        f"error: cannot serve on 127.0.0.1:{port}: the port is already in use; "
        "choose another with --port (--port 0 picks a free one)"
    )
    assert "Traceback" not in result.text


def test_serve_without_a_content_folder_exits_2(cli, tmp_path):
    result = cli("serve", "--port", "0", cwd=tmp_path, timeout=60)
    assert result.code == 2
    assert "no content folder" in result.err and "Traceback" not in result.text


def test_serve_rejects_a_bad_port(cli, tmp_path):
    result = cli("serve", "--port", "70000", cwd=tmp_path, timeout=60)
    assert result.code == 2
    assert "port must be between 0 and 65535" in result.err
