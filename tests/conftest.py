"""Shared fixtures: tiny projects on disk, the CLI as a subprocess, and headless Chromium."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from textwrap import dedent

import pytest

REPO = Path(__file__).resolve().parents[1]
#: The built-in theme, as it ships inside the package.
THEME = REPO / "generator" / "theme"
CHROMIUM = os.environ.get("INTROCHAIN_CHROMIUM", "/usr/bin/chromium")

# A shell without job control (nohup, `cmd &` in a script, some CI runners) starts its
# children with Ctrl-C ignored, and an ignored signal stays ignored across exec. The tests
# press Ctrl-C on the processes they start as a terminal would, so those must start with
# the terminal's default: a handler in this process is reset to that default at exec.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_collection_modifyitems(items) -> None:
    """Browser tests are slow by nature: ``-m "not slow"`` leaves them out with the other slow ones."""
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.slow)


@dataclass
class CliResult:
    """What one CLI run returned."""

    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def run_cli(*args: str | Path, cwd: Path, timeout: float = 120, env: dict | None = None) -> CliResult:
    """Run ``python -m generator ARGS`` in ``cwd`` as an author would."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "generator", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def pyvis_network(site, people, edges, *, roles, counts, positions=None, tooltip_text=True) -> tuple[list, list]:
    """The nodes and edges pyvis' own ``add_node`` and ``add_edge`` keep for our node and edge options.

    The reference the graph tests compare our directly made graphs with. ``edges`` are
    ``graph.connection_edges`` triples; ``roles`` maps the highlighted person's id to their
    role; ``positions`` (by person id) gives every node an x and y; ``tooltip_text`` as
    ``graph.person_options`` takes it.
    """
    from pyvis.network import Network

    from generator.graph import person_options

    network = Network(directed=True)
    for person_id in people:
        position = dict(zip("xy", positions.get(person_id, (0, 0)))) if positions is not None else {}
        network.add_node(person_id, **person_options(site, person_id, role=roles.get(person_id), counts=counts,
                                                         tooltip_text=tooltip_text), **position)
    for source, target, options in edges:
        network.add_edge(source, target, **options)  # pyvis asserts that both ends are nodes
    return network.nodes, network.edges


@pytest.fixture
def cli():
    """The ``run_cli`` helper, as a fixture."""
    return run_cli


SITE_YAML = """\
title: Test Stories
description: A tiny test site.
author: Tess Author
base_url: https://example.github.io/repo/
language: en
timezone: UTC
posts_per_page: 10
"""

PEOPLE_YAML = """\
tess:
  name: Tess Author
  location: Testville
ann:
  name: Ann Example
bob:
  name: Bob Example
club:
  name: The Club
  kind: community
"""


def story_files(slug: str, title: str = "A story", date: str = "2020-01-02", body: str = "Hello **world**.") -> dict[str, str]:
    """The three files of a valid case study whose chain is tess -> ann via the club, ann -> bob."""
    return {
        f"stories/{slug}/index.md": f"---\ntitle: {title}\ndate: {date}\nauthor: tess\ntags: [testing]\n---\n{body}\n",
        f"stories/{slug}/story.yaml": dedent(
            """\
            connections:
              - between: [tess, ann]
                via: [club]
                bridge: community
                channels: [twitter]
                stages: [contact, conversation]
              - between: [ann, bob]
                when: for 2-3 years
                stages:
                  - stage: contact
                    channel: email
            """
        ),
        f"stories/{slug}/comments.yaml": dedent(
            """\
            taken: 2020-01-05
            source: https://old.example/post
            comments:
              - id: first
                author: Ann Example
                person: ann
                date: 2020-01-03
                body: Lovely.
              - author: Tess Author
                reply_to: first
                date: 2020-01-04
                body: Thanks!
            """
        ),
    }


@pytest.fixture
def make_site(tmp_path: Path):
    """Write a tiny project into ``tmp_path/project`` and return its root.

    ``make_site(files={...})`` adds or replaces files (paths relative to ``content/``; a value
    of None removes the file). ``stories`` defaults to one valid story, ``first``.
    """

    def make(files: dict[str, str | None] | None = None, stories: tuple[str, ...] = ("first",)) -> Path:
        root = tmp_path / "project"
        content = root / "content"
        content.mkdir(parents=True, exist_ok=True)
        layout: dict[str, str | None] = {"site.yaml": SITE_YAML, "people.yaml": PEOPLE_YAML}
        for number, slug in enumerate(stories, start=1):
            day = date(2020, 1, 1) + timedelta(days=number - 1)
            layout.update(story_files(slug, title=f"Story {slug}", date=day.isoformat()))
        layout.update(files or {})
        for relative, text in layout.items():
            target = content / relative
            if text is None:
                target.unlink(missing_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        return root

    return make


@pytest.fixture
def machine_free_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Git without this machine's configuration: a global config file of the test's own (returned)."""
    config = tmp_path / "gitconfig"
    config.write_text("[init]\n\tdefaultBranch = main\n", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "EMAIL"):
        monkeypatch.delenv(name, raising=False)
    return config


@pytest.fixture
def sample_project(tmp_path: Path) -> Path:
    """A copy of the repository's sample content and its templates/ overrides folder, safe to build and edit."""
    root = tmp_path / "sample"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "templates", root / "templates")
    return root


def override(project: Path, *names: str) -> Path:
    """Copy built-in theme files into ``project/templates/`` (as `introchain theme copy` does); the overrides folder."""
    for name in names:
        target = project / "templates" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(THEME / name, target)
    return project / "templates"


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path, with its bytes."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output readable
        pass


@dataclass
class StaticServer:
    """A loopback HTTP server over a folder, optionally mounted under a path prefix."""

    url: str
    root: Path


@pytest.fixture
def static_server(tmp_path: Path) -> Iterator:
    """``static_server(folder, prefix="/")`` serves ``folder`` at ``http://127.0.0.1:PORT{prefix}``."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(folder: Path, prefix: str = "/") -> StaticServer:
        root = folder
        if prefix.strip("/"):
            # Serve a parent folder in which the site sits at the prefix, like GitHub Pages.
            root = tmp_path / f"mount-{len(servers)}"
            mount = root / prefix.strip("/")
            mount.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(folder, mount)
        handler = functools.partial(_QuietHandler, directory=str(root))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return StaticServer(f"http://127.0.0.1:{server.server_address[1]}{prefix}", root)

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@dataclass
class PageWatch:
    """What a page did: console errors, dialogs, and hosts it asked for."""

    console_errors: list[str]
    dialogs: list[str]
    requests: list[str]


def pages_in_turn(open_page, urls: list[str], at_once: int = 6):
    """Open ``urls`` a few at a time, each in a fresh context, and yield ``(url, page, watch)`` once
    its network has fallen quiet: the half-second waits for that overlap instead of adding up.
    Each page's context is closed when the caller asks for the next one."""
    for start in range(0, len(urls), at_once):
        opened = [(url, *open_page(url)) for url in urls[start:start + at_once]]
        for url, page, watch in opened:
            page.wait_for_load_state("networkidle")
            yield url, page, watch
            page.context.close()


@pytest.fixture
def open_page(browser):
    """``open_page(url) -> (page, watch)``: a fresh page that records errors, dialogs and requests."""
    contexts = []

    def open_(url: str, **context_options):
        context = browser.new_context(**context_options)
        contexts.append(context)
        page = context.new_page()
        watch = PageWatch([], [], [])
        page.on("console", lambda msg: watch.console_errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: watch.console_errors.append(str(exc)))

        def on_dialog(dialog):
            watch.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("request", lambda request: watch.requests.append(request.url))
        page.goto(url)
        return page, watch

    yield open_
    for context in contexts:
        context.close()
