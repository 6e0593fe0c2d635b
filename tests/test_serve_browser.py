"""Live reload in a real headless Chromium: the reload client, then ``introchain serve`` end to end."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.serve import LiveServer, Rebuilt

from conftest import REPO, override, story_files

pytestmark = pytest.mark.browser

#: Generous: a cold first build imports Jinja, Markdown and YAML and parses every story.
START_TIMEOUT = 60
#: Milliseconds Playwright waits for a page to show a change (a rebuild plus a reload).
CHANGE_MS = 15_000

CSP = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; object-src 'none'"


def expect():
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


# --- the reload client, against the generic server and a fake site -----------------------------


class StyledSite:
    """A rebuild callable: ``src/text.txt`` and ``src/style.css`` become a page under a strict CSP."""

    def __init__(self, src: Path, out: Path) -> None:
        self.src, self.out = src, out

    def __call__(self, changed: frozenset[Path]) -> str | None:
        text = (self.src / "text.txt").read_text()
        if text.startswith("BAD"):
            return f"{self.src / 'text.txt'}:3:5: error: {text}\n    hint: remove BAD"
        self.out.mkdir(exist_ok=True)
        shutil.copy(self.src / "style.css", self.out / "style.css")
        (self.out / "favicon.ico").write_bytes(b"")  # the browser asks for it; a 404 is a console error
        (self.out / "index.html").write_text(
            "<!doctype html><html><head>"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            '<link rel="stylesheet" href="/style.css?v=1"><title>fake</title></head>'
            f'<body><p id="text">{text}</p></body></html>'
        )
        return None


@pytest.fixture
def fake_server(tmp_path: Path) -> Iterator[tuple[LiveServer, Path]]:
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "text.txt").write_text("first text")
    (src / "style.css").write_text("#text { color: rgb(255, 0, 0); } body { min-height: 5000px; }")
    server = LiveServer(root=out, rebuild=StyledSite(src, out), watch=[src], log=lambda line: None)
    server.start()
    yield server, src
    server.stop()


def overlay_text(page) -> str:
    return page.locator("introchain-overlay pre").inner_text(timeout=CHANGE_MS)


def test_a_change_reloads_the_page(open_page, fake_server):
    server, src = fake_server
    page, watch = open_page(server.url)
    expect()(page.locator("#text")).to_have_text("first text")
    page.evaluate("window.beforeReload = true; window.scrollTo(0, 1200)")
    (src / "text.txt").write_text("second text")
    expect()(page.locator("#text")).to_have_text("second text", timeout=CHANGE_MS)
    assert page.evaluate("window.beforeReload === undefined")
    deadline = time.monotonic() + 5  # the browser restores the scroll position just after load
    while page.evaluate("window.scrollY") != 1200:
        assert time.monotonic() < deadline, "the reload lost the reader's place"
        time.sleep(0.02)
    assert watch.console_errors == []


def test_a_stylesheet_change_is_swapped_in_without_a_reload(open_page, fake_server):
    server, src = fake_server
    page, watch = open_page(server.url)
    color = "getComputedStyle(document.getElementById('text')).color"
    assert page.evaluate(color) == "rgb(255, 0, 0)"
    page.evaluate("window.beforeSwap = true")
    (src / "style.css").write_text("#text { color: rgb(0, 0, 255); }")
    # expect() polls from Playwright's own world: the page's CSP forbids wait_for_function's eval.
    expect()(page.locator("#text")).to_have_css("color", "rgb(0, 0, 255)", timeout=CHANGE_MS)
    assert page.evaluate("window.beforeSwap === true"), "the page reloaded"
    assert page.locator('link[rel="stylesheet"]').count() == 1
    assert watch.console_errors == []


class TwoPageSite:
    """A rebuild callable: ``src/text.txt`` shown on two pages, of which only the second changes when asked.

    A text starting with ``ONLY`` is put on the second page alone, and the build says so (``Rebuilt``).
    """

    def __init__(self, src: Path, out: Path) -> None:
        self.src, self.out = src, out

    def __call__(self, changed: frozenset[Path]) -> Rebuilt | None:
        text = (self.src / "text.txt").read_text()
        pages = ("other/",) if text.startswith("ONLY") else ("", "other/")
        for path in pages:
            (self.out / path).mkdir(parents=True, exist_ok=True)
            (self.out / path / "index.html").write_text(
                f"<!doctype html><html><head><title>{path or 'home'}</title>"
                f'<link rel="stylesheet" href="/style.css"></head><body><p id="text">{text}</p></body></html>')
        (self.out / "style.css").write_text("p { color: rgb(0, 128, 0); }")
        (self.out / "favicon.ico").write_bytes(b"")
        return Rebuilt(frozenset({"/other/"})) if text.startswith("ONLY") else None


def test_a_build_that_changed_some_pages_reloads_only_them(open_page, tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "text.txt").write_text("first text")
    server = LiveServer(root=out, rebuild=TwoPageSite(src, out), watch=[src], log=lambda line: None)
    server.start()
    try:
        home, home_watch = open_page(server.url)
        other, other_watch = open_page(server.url + "other/")
        for page in (home, other):
            expect()(page.locator("#text")).to_have_text("first text")
            page.evaluate("window.beforeReload = true")
        (src / "text.txt").write_text("ONLY the other page")
        expect()(other.locator("#text")).to_have_text("ONLY the other page", timeout=CHANGE_MS)
        assert other.evaluate("window.beforeReload === undefined")
        time.sleep(1)  # time enough for a reload this build should not cause
        # The home page heard of the build too, and stayed as it was: no reload, no stylesheet swapped.
        assert home.evaluate("window.beforeReload === true") and home.locator("#text").inner_text() == "first text"
        assert [link.get_attribute("href") for link in home.locator("link").all()] == ["/style.css"]
        (src / "text.txt").write_text("both again")  # a build that changed everything reloads every page
        for page in (home, other):
            expect()(page.locator("#text")).to_have_text("both again", timeout=CHANGE_MS)
        assert home_watch.console_errors == [] and other_watch.console_errors == []
    finally:
        server.stop()


def test_a_failed_build_shows_an_overlay_over_the_last_good_page_and_recovers(open_page, fake_server):
    server, src = fake_server
    page, watch = open_page(server.url)
    hostile = 'BAD <img src=x onerror="alert(1)"> & more'
    (src / "text.txt").write_text(hostile)
    assert overlay_text(page) == f"{src / 'text.txt'}:3:5: error: {hostile}\n    hint: remove BAD"
    expect()(page.locator("#text")).to_have_text("first text")  # the last good page, underneath
    assert page.locator("introchain-overlay img").count() == 0  # shown as text, never parsed
    (src / "text.txt").write_text("fixed text")
    expect()(page.locator("#text")).to_have_text("fixed text", timeout=CHANGE_MS)
    expect()(page.locator("introchain-overlay")).to_have_count(0)
    assert watch.dialogs == [] and watch.console_errors == []


def test_a_page_opened_while_the_build_fails_shows_the_error(open_page, fake_server):
    server, src = fake_server
    (src / "text.txt").write_text("BAD already")
    wait_until = time.monotonic() + 10
    while server.status.current().error is None and time.monotonic() < wait_until:
        time.sleep(0.01)
    page, _ = open_page(server.url)
    assert "BAD already" in overlay_text(page)


# --- introchain serve, end to end ----------------------------------------------------------


class ServeProcess:
    """``python -m generator serve`` in a project folder, its output read as it comes."""

    def __init__(self, root: Path, tmp: Path, *args: str) -> None:
        tmp.mkdir(exist_ok=True)
        self.tmp = tmp  # TMPDIR of the server: empty again after a clean stop
        env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", "TMPDIR": str(tmp), "PYTHONUNBUFFERED": "1",
               "PYTHONFAULTHANDLER": "1"}  # a server that hangs is sent SIGABRT: its threads' stacks are printed
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--port", "0", *args],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self.err = ""
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        try:
            for line in self.process.stdout:
                with self._changed:
                    self.lines.append(line.rstrip("\n"))
                    self._changed.notify_all()
        except ValueError:
            pass  # ``interrupt``'s communicate() closed the pipe: the server has stopped

    def wait_line(self, pattern: str, timeout: float = START_TIMEOUT, after: int = 0) -> re.Match:
        """The first output line (from index ``after``) matching ``pattern``."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for line in self.lines[after:]:
                    if match := regex.search(line):
                        return match
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    pytest.fail(f"no line matching {pattern!r} in:\n" + "\n".join(self.lines) + self._stderr())
                self._changed.wait(min(left, 0.1))

    def _stderr(self) -> str:
        if self.process.poll() is None:
            return ""
        assert self.process.stderr is not None
        return "\nstderr:\n" + self.process.stderr.read()

    @property
    def url(self) -> str:
        return self.wait_line(r"serving (http://\S+)").group(1)

    def interrupt(self, timeout: float = 20) -> int:
        """Ctrl-C; returns the exit status and keeps stderr in ``err``."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            _, self.err = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGABRT)
            try:
                _, stacks = self.process.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                _, stacks = self.process.communicate()
            pytest.fail(f"serve did not stop within {timeout} s of Ctrl-C; its threads:\n{stacks}")
        self._reader.join(5)
        return self.process.returncode


@pytest.fixture
def serve_cli(tmp_path: Path) -> Iterator:
    """``serve_cli(root, *args) -> ServeProcess``; every server must stop cleanly on Ctrl-C."""
    started: list[ServeProcess] = []

    def start(root: Path, *args: str) -> ServeProcess:
        process = ServeProcess(root, tmp_path / f"tmp-{len(started)}", *args)
        started.append(process)
        return process

    yield start
    for process in started:
        # Shown by pytest only when the test failed: what the server did, build by build.
        print(f"--- serve output ({process.tmp.name}) ---", *process.lines, sep="\n")
        code = process.interrupt()
        assert code == 0, process.err
        assert "Traceback" not in process.err, process.err
        assert list(process.tmp.iterdir()) == [], "temporary folders left behind"


def write(root: Path, relative: str, text: str) -> None:
    """Replace a content file the way editors do: a temp file renamed over the old one."""
    target = root / "content" / relative
    temp = target.with_name(f".{target.name}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, target)


def test_editing_a_story_reloads_the_page_and_errors_show_and_recover(open_page, make_site, serve_cli):
    root = make_site()
    server = serve_cli(root)
    page, watch = open_page(server.url + "stories/first/")
    body = page.locator("main")
    expect()(body).to_contain_text("Hello world.")

    files = story_files("first", title="Story first", date="2020-01-01")
    write(root, "stories/first/index.md", files["stories/first/index.md"].replace("Hello **world**.", "Edited in Markdown."))
    expect()(body).to_contain_text("Edited in Markdown.", timeout=CHANGE_MS)

    story = files["stories/first/story.yaml"]
    with_summary = story.replace("    stages: [contact, conversation]", "    stages: [contact, conversation]\n    summary: Added in YAML.")
    write(root, "stories/first/story.yaml", with_summary)
    expect()(body).to_contain_text("Added in YAML.", timeout=CHANGE_MS)

    # Line 3 opens a flow sequence that never closes: a YAML syntax error.
    write(root, "stories/first/story.yaml", "connections:\n  - between: [tess, ann]\n    via: [club\n")
    error = overlay_text(page)
    assert re.search(r"content/stories/first/story\.yaml:\d+:\d+: error: ", error), error
    expect()(body).to_contain_text("Added in YAML.")  # the last good page stays underneath
    server.wait_line(r"^build failed in \d+ ms \(\d+ errors?\) after content/stories/first/story\.yaml: ")

    # An unknown person id: file, line and message.
    write(root, "stories/first/story.yaml", with_summary.replace("between: [ann, bob]", "between: [ann, zed]"))
    expect()(page.locator("introchain-overlay pre")).to_contain_text("zed", timeout=CHANGE_MS)
    assert re.search(r"content/stories/first/story\.yaml:\d+:\d+: error: .*zed", overlay_text(page)), overlay_text(page)

    write(root, "stories/first/story.yaml", with_summary.replace("Added in YAML.", "Fixed in YAML."))
    expect()(body).to_contain_text("Fixed in YAML.", timeout=CHANGE_MS)
    expect()(page.locator("introchain-overlay")).to_have_count(0)
    assert watch.dialogs == []
    assert [line for line in server.lines if line.startswith("rebuilt in ")], server.lines


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists and has not ended (a zombie has ended)."""
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text(errors="replace")
    except FileNotFoundError:
        return False


def test_a_background_index_at_work_when_serve_stops_is_stopped_with_it(make_site, serve_cli, tmp_path, monkeypatch):
    from pagefind_bin import get_executable

    # Pagefind as usual for the first build; once ``slow`` exists, one that never finishes by itself.
    slow, pid_file = tmp_path / "slow", tmp_path / "pagefind.pid"
    wrapper = tmp_path / "pagefind"
    wrapper.write_text(f'#!/bin/sh\nif [ -e "{slow}" ]; then echo $$ > "{pid_file}"; exec sleep 600; fi\n'
                       f'exec "{get_executable()}" "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(wrapper))
    root = make_site()
    server = serve_cli(root)
    server.wait_line(r"^serving ")
    slow.touch()
    write(root, "stories/first/index.md", story_files("first", title="Story renamed", date="2020-01-01")["stories/first/index.md"])
    server.wait_line(r"^rebuilt in \d+ ms")
    deadline = time.monotonic() + 60
    while not pid_file.exists() or not pid_file.read_text().strip():
        assert time.monotonic() < deadline, "the background index never started Pagefind"
        time.sleep(0.05)
    pid = int(pid_file.read_text())
    assert server.interrupt() == 0, server.err
    deadline = time.monotonic() + 10
    while _running(pid):
        assert time.monotonic() < deadline, "Pagefind outlived serve"
        time.sleep(0.05)


def test_a_deleted_story_leaves_the_index_and_a_new_one_appears(open_page, make_site, serve_cli):
    root = make_site(stories=("first", "second"))
    server = serve_cli(root)
    page, _ = open_page(server.url)
    main = page.locator("main")
    expect()(main).to_contain_text("Story second")
    shutil.rmtree(root / "content" / "stories" / "second")
    expect()(main).not_to_contain_text("Story second", timeout=CHANGE_MS)
    expect()(main).to_contain_text("Story first")
    folder = root / "content" / "stories" / "third"
    staging = root / "content" / "stories" / ".third-staging"  # made aside, then renamed into place
    for relative, text in story_files("third", title="Story third", date="2020-02-02").items():
        target = staging / Path(relative).name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    staging.rename(folder)
    expect()(main).to_contain_text("Story third", timeout=CHANGE_MS)


def test_the_server_starts_on_a_broken_site_and_recovers(open_page, make_site, serve_cli):
    root = make_site(files={"people.yaml": "tess: [unclosed\n"})
    server = serve_cli(root)
    page, _ = open_page(server.url)
    assert "content/people.yaml:" in overlay_text(page)
    from conftest import PEOPLE_YAML

    write(root, "people.yaml", PEOPLE_YAML)
    expect()(page.locator("main")).to_contain_text("Story first", timeout=CHANGE_MS)
    expect()(page.locator("introchain-overlay")).to_have_count(0)


def test_a_stylesheet_edit_restyles_the_page_without_a_reload(open_page, sample_project, serve_cli):
    stylesheet = override(sample_project, "assets/style.css") / "assets" / "style.css"
    server = serve_cli(sample_project)
    page, watch = open_page(server.url)
    main = page.locator("main")
    page.evaluate("window.beforeSwap = true")
    stylesheet.write_text(stylesheet.read_text() + "\nmain { outline: 3px solid rgb(1, 2, 3); }\n")
    expect()(main).to_have_css("outline-color", "rgb(1, 2, 3)", timeout=CHANGE_MS)
    assert page.evaluate("window.beforeSwap === true"), "the page reloaded"
    assert watch.console_errors == []
    server.wait_line(r"^rebuilt in \d+ ms: templates/assets/style\.css$")


def raw_status(url: str, target: str) -> int:
    """The status for ``target`` sent byte for byte (no client normalises the dots away)."""
    host, port = re.match(r"http://([^:/]+):(\d+)/", url).groups()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.0\r\n\r\n".encode())
        head = sock.recv(64).decode("latin-1")
    return int(head.split()[1])


def test_serve_refuses_paths_outside_the_site(make_site, serve_cli):
    root = make_site()
    server = serve_cli(root)
    url = server.url
    for target in ("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd",
                   "/stories/..%2f..%2f..%2fetc/passwd", "/..\\..\\etc\\passwd", "/%252e%252e/etc/passwd"):
        assert raw_status(url, target) == 404, target
    assert raw_status(url, "/stories/first/") == 200
    assert raw_status(url, "/__introchain__/livereload.js") == 200
    assert server.lines[0] == "building content with drafts..."


def test_drafts_are_served_and_build_output_has_no_reload_script(cli, make_site, serve_cli, tmp_path):
    draft = story_files("draft-one", title="Draft one")
    draft["stories/draft-one/index.md"] = draft["stories/draft-one/index.md"].replace("---\nHello", "draft: true\n---\nHello")
    root = make_site(files=draft)
    server = serve_cli(root)
    assert raw_status(server.url, "/stories/draft-one/") == 200

    out = tmp_path / "built"
    result = cli("build", "--content", "content", "--out", str(out), cwd=root)
    assert result.code == 0, result.text
    built = [path for path in out.rglob("*") if path.is_file()]
    assert any(path.suffix == ".html" for path in built)
    for path in built:
        data = path.read_bytes()
        assert b"__introchain__" not in data and b"livereload" not in data, path


def test_ctrl_c_stops_serve_whichever_thread_receives_it(make_site, serve_cli):
    # Linux hands a process's signal to any thread that does not block it; Python runs the
    # handler in the main thread only. A Ctrl-C landing in the watcher's thread once went unseen.
    import ctypes

    server = serve_cli(make_site())
    server.wait_line(r"serving http://")
    pid = server.process.pid
    # Let the main thread settle into its wait for the end (sleeping, in the kernel's words).
    deadline = time.monotonic() + 10
    time.sleep(0.3)
    while Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "S" and time.monotonic() < deadline:
        time.sleep(0.05)
    others = sorted(int(task) for task in os.listdir(f"/proc/{pid}/task") if int(task) != pid)
    assert others, "serve runs a watcher, a builder and an HTTP thread"
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.tgkill(pid, others[-1], signal.SIGINT) == 0, os.strerror(ctypes.get_errno())
    assert server.process.wait(timeout=5) == 0
    server.wait_line(r"^stopped$")


def test_serve_reloads_first_and_brings_the_search_index_up_to_date_after(open_page, make_site, serve_cli):
    root = make_site()
    server = serve_cli(root)
    page, watch = open_page(server.url + "stories/first/")
    files = story_files("first", title="Story first", date="2020-01-01")
    write(root, "stories/first/index.md", files["stories/first/index.md"].replace("Hello **world**.", "A zanzibarian tale."))
    expect()(page.locator("main")).to_contain_text("A zanzibarian tale.", timeout=CHANGE_MS)
    # The page reloaded from a build that did not wait for the index; the index follows in a build of its own.
    server.wait_line(r"^rebuilt in \d+ ms: content/stories/first/index\.md$")
    server.wait_line(r"^rebuilt in \d+ ms: \(the search index\)$", timeout=CHANGE_MS / 1000)
    order = [line.split(": ", 1)[1] for line in server.lines if line.startswith("rebuilt in ")]
    assert order.index("(the search index)") > order.index("content/stories/first/index.md"), server.lines
    search, search_watch = open_page(server.url + "search/?q=zanzibarian")
    expect()(search.locator(".search-result")).to_have_count(1, timeout=CHANGE_MS)
    expect()(search.locator(".search-result .search-title")).to_contain_text("Story first")
    assert search_watch.console_errors == []


@pytest.mark.slow
def test_the_background_index_reloads_the_search_page_and_no_other(open_page, make_site, serve_cli):
    root = make_site()
    server = serve_cli(root)
    story, story_watch = open_page(server.url + "stories/first/")
    search, search_watch = open_page(server.url + "search/?q=zanzibarian")
    loads: list[str] = []
    story.on("load", lambda page: loads.append(page.url))
    files = story_files("first", title="Story first", date="2020-01-01")
    write(root, "stories/first/index.md", files["stories/first/index.md"].replace("Hello **world**.", "A zanzibarian tale."))
    expect()(story.locator("main")).to_contain_text("A zanzibarian tale.", timeout=CHANGE_MS)
    server.wait_line(r"^rebuilt in \d+ ms: \(the search index\)$", timeout=CHANGE_MS / 1000)
    # The search page reloads and finds the new words; the story's page, already showing them, stays.
    expect()(search.locator(".search-result")).to_have_count(1, timeout=CHANGE_MS)
    time.sleep(1)  # time enough for a reload the index's build should not have caused
    assert len(loads) == 1, loads
    assert story_watch.console_errors == [] and search_watch.console_errors == []
