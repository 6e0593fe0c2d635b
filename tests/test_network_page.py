"""The network page stays a normal-sized page: its graph data is a file of its own that graph.js fetches."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from conftest import REPO, run_cli

sys.path.insert(0, str(REPO / "tests" / "perf"))
from synth import make_project  # noqa: E402


def built(project: Path, content: Path) -> Path:
    result = run_cli("build", "--content", content, "--out", project / "site", "--no-cache",
                     "--base-url", "https://someone.github.io/repo/", cwd=project)
    assert result.code == 0, result.text
    return project / "site"


def test_the_sample_network_page_names_its_data_file_and_holds_no_graph_data(tmp_path: Path):
    site = built(tmp_path, REPO / "content")
    page = (site / "network/index.html").read_text(encoding="utf-8")
    assert '<script type="application/json"' not in page
    [source] = re.findall(r'data-graph-src="([^"]+)"', page)
    assert source == "/repo/network/graph.json"
    data = json.loads((site / "network/graph.json").read_text(encoding="utf-8"))
    assert set(data) >= {"nodes", "edges", "options", "details"}
    assert {node["id"] for node in data["nodes"]} == set(data["details"])
    assert "liz-strauss" in data["details"] and len(data["edges"]) > 10
    # The lists graph.js fills from the data are in the page, empty but for their placeholder.
    assert page.count("data-graph-choices=") == 3
    assert "Liz Strauss" not in page.split('<p class="exports">')[0].split("<h1>")[1]


def test_a_large_network_page_stays_small(tmp_path: Path):
    project = make_project(tmp_path / "project", 200)
    site = built(tmp_path, project.content)
    page = (site / "network/index.html").read_bytes()
    data = (site / "network/graph.json").read_bytes()
    assert len(page) < 30_000, len(page)  # no list of every person or story
    assert len(data) > 10 * len(page)
    assert b'href="/repo/archive/"' in page
