"""The network page stays a normal-sized page: its graph data is a file of its own that graph.js fetches."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, run_cli

sys.path.insert(0, str(REPO / "tests" / "perf"))
from synth import make_project  # noqa: E402


def built(project: Path, content: Path) -> Path:
    result = run_cli("build", "--content", content, "--out", project / "site", "--no-cache",
                     "--base-url", "https://someone.github.io/repo/", cwd=project, timeout=300)
    assert result.code == 0, result.text
    return project / "site"


@pytest.mark.slow
def test_the_sample_network_page_names_its_data_file_and_holds_no_graph_data(tmp_path: Path):
    site = built(tmp_path, REPO / "content")
    page = (site / "network/index.html").read_text(encoding="utf-8")
    assert '<script type="application/json"' not in page
    [source] = re.findall(r'data-graph-src="([^"]+)"', page)
    assert re.fullmatch(r"/repo/network/graph\.json\?v=[0-9a-f]{12}", source), source
    data = json.loads((site / "network/graph.json").read_text(encoding="utf-8"))
    assert set(data) >= {"nodes", "edges", "options", "details"}
    assert {node["id"] for node in data["nodes"]} == set(data["details"])
    assert "liz-strauss" in data["details"] and len(data["edges"]) > 10
    # The list of people graph.js fills from the index is in the page, empty; three fields use it.
    assert re.search(r'<datalist id="network-people" data-graph-people="network"></datalist>', page)
    assert page.count('list="network-people"') == 3
    # Of the people, the page names only the best-connected few, beside the overview.
    hubs = re.findall(r'<ol class="hubs">(.*?)</ol>', page, re.S)
    assert len(hubs) == 1 and 1 <= hubs[0].count("<li>") <= 12
    assert "Liz Strauss" not in page.split('<p class="exports">')[0].split("<h1>")[1].replace(hubs[0], "")
    # A small network is drawn as it comes into view, and its caption says so (not "until you open").
    caption = re.search(r'<figcaption class="graph-caption"[^>]*>(.*?)</figcaption>', page, re.S).group(1)
    assert "Until the graph is drawn, as it comes into view, the picture is an overview" in caption
    assert "open the interactive view" not in caption


def page_scripts(page: str) -> list[str]:
    """The names of the scripts a page loads (without their versions)."""
    return re.findall(r'<script src="/repo/assets/([a-z-]+\.js)\?v=[0-9a-f]+"', page)


@pytest.mark.slow
def test_each_page_loads_only_the_graph_code_it_needs(tmp_path: Path):
    site = built(tmp_path, REPO / "content")
    pages = {path: (site / path / "index.html").read_text(encoding="utf-8")
             for path in ("", "stories/a-small-world-made-smaller", "people/liz-strauss", "network")}
    assert page_scripts(pages[""]) == []
    for path in ("stories/a-small-world-made-smaller", "people/liz-strauss"):
        assert page_scripts(pages[path]) == ["graph.js"], path
    assert page_scripts(pages["network"]) == ["graph.js", "network-index.js", "network.js"]
    # The drawing code and the library are named for graph.js to fetch when a graph is needed, not loaded.
    for path in ("stories/a-small-world-made-smaller", "network"):
        tag = re.search(r'<script src="/repo/assets/graph\.js[^>]*>', pages[path]).group(0)
        assert re.search(r'data-draw="/repo/assets/graph-draw\.js\?v=[0-9a-f]+"', tag), tag
        assert re.search(r'data-vis="/repo/assets/vendor/vis-network\.min\.js\?v=[0-9a-f]+"', tag), tag
        assert " defer" in tag


@pytest.mark.slow
def test_a_large_network_page_stays_small(tmp_path: Path):
    project = make_project(tmp_path / "project", 200)
    site = built(tmp_path, project.content)
    page = (site / "network/index.html").read_bytes()
    data = (site / "network/graph.json").read_bytes()
    assert len(page) < 30_000, len(page)  # no list of every person or story
    assert len(data) > 10 * len(page)
    assert b'href="/repo/archive/"' in page
    # Drawn only on demand, and the caption says how to open it.
    assert "Until you open the interactive view (or choose someone under “Focus on”), the picture is an overview".encode() in page


def data_urls(page: str) -> dict[str, str]:
    """The network page's data files by name, each with the version its URL carries."""
    return dict(re.findall(r'data-graph-(?:src|index)="/repo/network/([a-z]+\.json)\?v=([0-9a-f]+)"', page))


@pytest.mark.slow
def test_the_data_files_are_named_by_their_content_so_an_edit_is_never_served_stale(tmp_path: Path):
    project = make_project(tmp_path / "project", 12)
    site = built(tmp_path, project.content)
    versions = data_urls((site / "network/index.html").read_text(encoding="utf-8"))
    assert set(versions) == {"graph.json", "index.json"}
    for name, version in versions.items():
        text = (site / "network" / name).read_bytes().rstrip(b"\n")
        assert hashlib.sha256(text).hexdigest()[:12] == version
    # An edit to a chain changes the graph and its index, and so the URLs the page asks for.
    story = project.content / "stories/story-00003/story.yaml"
    story.write_text(story.read_text(encoding="utf-8").replace('summary: "', 'summary: "Edited. ', 1), encoding="utf-8")
    result = run_cli("build", "--content", project.content, "--out", site, "--base-url", "https://someone.github.io/repo/",
                     cwd=tmp_path / "project")
    assert result.code == 0, result.text
    edited = data_urls((site / "network/index.html").read_text(encoding="utf-8"))
    assert edited["graph.json"] != versions["graph.json"]
    for name, version in edited.items():
        assert hashlib.sha256((site / "network" / name).read_bytes().rstrip(b"\n")).hexdigest()[:12] == version
    # A story's tag is in the index (the filters), not in the graph: only the index changes.
    post = project.content / "stories/story-00005/index.md"
    post.write_text(post.read_text(encoding="utf-8").replace("tags: [", "tags: [brand-new-tag, ", 1), encoding="utf-8")
    assert run_cli("build", "--content", project.content, "--out", site, "--base-url", "https://someone.github.io/repo/",
                   cwd=tmp_path / "project").code == 0
    tagged = data_urls((site / "network/index.html").read_text(encoding="utf-8"))
    assert tagged["index.json"] != edited["index.json"] and tagged["graph.json"] == edited["graph.json"]
    assert "brand-new-tag" in (site / "network/index.json").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_network_files_build_byte_identically_whatever_the_hash_seed(tmp_path: Path):
    project = make_project(tmp_path / "project", 80)
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"site-{seed}"
        result = run_cli("build", "--content", project.content, "--out", out, "--no-cache", cwd=tmp_path / "project",
                         env={"PYTHONHASHSEED": seed}, timeout=300)
        assert result.code == 0, result.text
        outputs.append({path.name: path.read_bytes() for path in sorted((out / "network").iterdir())})
    assert set(outputs[0]) >= {"index.html", "graph.json", "index.json"}
    assert outputs[0] == outputs[1]
    page = outputs[0]["index.html"].decode("utf-8")
    # A large network: drawn on demand, its overview in the page, positions fixed by the build.
    assert "data-graph-on-demand" in page and '<div class="graph-overview">' in page
    assert len(outputs[0]["index.html"]) < 100_000
    data = json.loads(outputs[0]["graph.json"])
    assert data["options"]["physics"] == {"enabled": False}
    assert all(isinstance(node["x"], int) and isinstance(node["y"], int) for node in data["nodes"])


#: Runs the CLI with the network's layouts counted: each call appends its kind to COUNT_FILE
#: (render workers are forked from this process, so they count too).
_COUNTED_CLI = """
import os, sys
import generator.network as network
from generator.cli import main

def counted(name, layout):
    def wrapper(*args, **kwargs):
        with open(os.environ["COUNT_FILE"], "a", encoding="utf-8") as log:
            log.write(name + "\\n")
        return layout(*args, **kwargs)
    return wrapper

network.force_layout = counted("force", network.force_layout)
network.spiral_layout = counted("spiral", network.spiral_layout)
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow
@pytest.mark.parametrize("stories", [40, 80], ids=["settled", "spread"])
def test_a_build_lays_the_network_out_once(tmp_path: Path, stories: int):
    """The network page, its data file and its index share one layout (a small network's took seconds)."""
    from generator.network import LARGE_NETWORK

    project = make_project(tmp_path / "project", stories)
    count = tmp_path / "layouts.txt"
    result = subprocess.run([sys.executable, "-c", _COUNTED_CLI, "build", "--content", str(project.content),
                             "--out", str(tmp_path / "site"), "--no-cache", "-q"],
                            cwd=project.root, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(REPO), "COUNT_FILE": str(count)})
    assert result.returncode == 0, result.stderr
    people = len(json.loads((tmp_path / "site/network/index.json").read_text(encoding="utf-8"))["people"])
    assert (people > LARGE_NETWORK) == (stories == 80)
    expected = ["spiral"] if people > LARGE_NETWORK else ["spiral", "force"]
    assert count.read_text(encoding="utf-8").split() == expected
    assert len([page for page in (tmp_path / "site").rglob("*.html")]) >= 150  # enough pages to render on every core
