"""The search index as files: what it holds, that it is deterministic, and builds without Pagefind."""

from __future__ import annotations

import hashlib
import json

import pytest

from conftest import SITE_YAML, run_cli, tree_bytes
from generator.pagefind_run import build_index


@pytest.mark.slow
def test_the_index_is_the_same_bytes_from_two_builds_and_holds_no_email(make_site, tmp_path):
    body = "Write to ann@example.com or 192.168.1.20 for **details**."
    root = make_site(stories=("first", "second", "third"))
    story = root / "content/stories/second/index.md"
    story.write_text(story.read_text().replace("Hello **world**.", body))
    one, two = tmp_path / "one", tmp_path / "two"
    assert run_cli("build", "--out", one, "--no-cache", cwd=root).code == 0
    assert run_cli("build", "--out", two, "--no-cache", cwd=root).code == 0
    first, second = tree_bytes(one), tree_bytes(two)
    assert {path.name for path in root.iterdir()} == {"content"}  # nothing written beside the output
    index = {name for name in first if name.startswith("pagefind/")}
    assert "pagefind/pagefind.js" in index and any(name.startswith("pagefind/fragment/") for name in index)
    assert first == second
    facets = json.loads(first["search/stories.json"])
    assert facets["filters"]["person"] == ["Ann Example", "Bob Example", "Tess Author", "The Club"]
    assert facets["filters"]["year"] == ["2020"] and facets["filters"]["channel"] == ["Twitter", "e-mail"]
    assert [story["url"] for story in facets["stories"]] == [f"/repo/stories/{slug}/" for slug in ("third", "second", "first")]
    for name, data in first.items():
        if name.startswith(("pagefind/", "search/")) or name.endswith(".png"):
            assert b"ann@example.com" not in data and b"192.168.1.20" not in data, name


@pytest.mark.slow
def test_only_the_search_page_allows_webassembly(make_site):
    root = make_site()
    assert run_cli("build", cwd=root).code == 0
    search = (root / "site/search/index.html").read_text()
    story = (root / "site/stories/first/index.html").read_text()
    assert "script-src 'self' 'wasm-unsafe-eval';" in search
    assert "wasm-unsafe-eval" not in story and "script-src 'self';" in story
    assert 'action="/repo/search/"' in story and 'name="q"' in story  # the header's search box


#: A stand-in for Pagefind's binary that is stopped by a real-time signal (it has no name).
_KILLED_BY_RTMIN = "#!/bin/sh\nkill -s RTMIN+3 $$\n"


@pytest.mark.parametrize(("binary", "said"), [
    (None, "the search index needs Pagefind's binary"),
    (_KILLED_BY_RTMIN, "Pagefind could not build the search index: it was stopped by signal"),
], ids=["missing", "stopped-by-a-signal-without-a-name"])
@pytest.mark.slow
def test_a_missing_or_failing_pagefind_fails_clearly_and_keeps_the_site(make_site, binary, said):
    root = make_site()
    assert run_cli("build", cwd=root).code == 0
    before = tree_bytes(root / "site")
    story = root / "content/stories/first/index.md"
    story.write_text(story.read_text().replace("Hello", "Changed"))
    pagefind = root / "fake-pagefind"
    if binary is not None:
        pagefind.write_text(binary)
        pagefind.chmod(0o755)
    result = run_cli("build", cwd=root, env={"PAGEFIND_BINARY_PATH": str(pagefind)})
    assert result.code == 1, result.text
    assert said in result.err and "search: false" in result.err, result.err
    assert "Traceback" not in result.text
    assert tree_bytes(root / "site") == before


@pytest.mark.slow
def test_search_false_builds_no_index_no_page_and_no_box(make_site):
    root = make_site({"site.yaml": SITE_YAML + "search: false\n"})
    result = run_cli("build", cwd=root, env={"PAGEFIND_BINARY_PATH": str(root / "no-such-pagefind")})
    assert result.code == 0, result.text
    site = root / "site"
    assert not (site / "pagefind").exists() and not (site / "search").exists()
    assert 'role="search"' not in (site / "index.html").read_text()


@pytest.mark.slow
def test_an_index_of_many_megabytes_is_built_and_the_same_twice():
    """Pagefind's Python service hangs for good once its answer passes 2 MiB; the index must not."""
    # Words that do not compress: each story's are its own.
    words = [hashlib.sha256(str(number).encode()).hexdigest()[:10] for number in range(200 * 1500)]
    records = [{"url": f"/stories/s{number}/", "content": f"Story {number} " + " ".join(words[number::200]),
                "meta": {"title": f"Story {number}", "people": "Ann Example", "date": "2020-01-01"}}
               for number in range(200)]
    first = build_index(records, "en")
    assert sum(map(len, first.values())) > 2 * 2**20
    assert sum(name.startswith("fragment/") for name in first) == 200
    assert build_index(records, "en") == first


@pytest.mark.slow
def test_after_an_edit_the_cached_build_indexes_the_same_bytes_as_a_build_without_a_cache(make_site, tmp_path):
    root = make_site(stories=("first", "second", "third"))
    assert run_cli("build", cwd=root).code == 0
    before = {name: data for name, data in tree_bytes(root / "site").items() if name.startswith(("pagefind/", "search/"))}
    story = root / "content/stories/second/index.md"
    story.write_text(story.read_text().replace("Hello **world**.", "Greetings from a marshland."))
    assert run_cli("build", cwd=root).code == 0  # the first build's cache: the other stories' entries are kept
    assert run_cli("build", "--out", tmp_path / "fresh", "--no-cache", cwd=root).code == 0
    cached, fresh = tree_bytes(root / "site"), tree_bytes(tmp_path / "fresh")
    index = {name: data for name, data in cached.items() if name.startswith(("pagefind/", "search/"))}
    assert index == {name: data for name, data in fresh.items() if name.startswith(("pagefind/", "search/"))}
    assert index != before


@pytest.mark.slow
def test_the_dev_servers_background_index_runs_pagefind_below_its_priority(make_site, tmp_path, monkeypatch):
    """The first index (the first build waits for it) runs at our priority; one re-made after an edit, lower."""
    import os
    import threading

    from pagefind.service import get_executable

    from generator.content.load import load_site
    from generator.incremental.cache import Cache
    from generator.search import BACKGROUND_NICENESS, BackgroundIndex

    record = tmp_path / "niceness.txt"
    wrapper = tmp_path / "pagefind"
    # Pagefind itself, after noting its niceness (field 19 of /proc/PID/stat) once the server set it.
    wrapper.write_text(f"#!/bin/sh\nsleep 0.5\ncut -d' ' -f19 /proc/$$/stat >> '{record}'\nexec '{get_executable()}' \"$@\"\n")
    wrapper.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(wrapper))
    root = make_site(stories=("first", "second"))
    cache = Cache(tmp_path / "cache")
    ready = threading.Event()
    index = BackgroundIndex(ready.set)
    first = index.files_for(load_site(root / "content")[0], cache)
    story = root / "content/stories/first/index.md"
    story.write_text(story.read_text().replace("Hello", "Changed"))
    edited = load_site(root / "content")[0]
    assert index.files_for(edited, cache) == first  # served at once, while the new index is made
    index.start()
    assert ready.wait(120)
    assert index.files_for(edited, cache) != first
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    assert [int(line) for line in record.read_text().split()] == [ours, min(19, ours + BACKGROUND_NICENESS)]
