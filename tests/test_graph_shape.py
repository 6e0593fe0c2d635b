"""Story and person graphs are the data pyvis would make, without importing pyvis in a build."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import REPO, pyvis_network, run_cli

from generator.content.load import load_site
from generator.deferred import graph_inputs
from generator.graph import AUTHOR, SUBJECT, _chain_positions, connection_edges, person_graph, story_graph

sys.path.insert(0, str(REPO / "tests" / "perf"))
from synth import make_project  # noqa: E402


@pytest.mark.parametrize("synthetic", [False, True], ids=["sample", "synthetic"])
def test_story_and_person_graphs_match_pyvis(tmp_path: Path, synthetic: bool):
    content = make_project(tmp_path / "project", 40).content if synthetic else REPO / "content"
    site, _ = load_site(content)
    inputs = graph_inputs(site)
    counts = site.story_counts
    assert site.studies
    for study in site.studies:
        graph = story_graph(site, study, counts)["data"]
        edges = [edge for index, connection in enumerate(study.connections)
                 for edge in connection_edges(site, index, connection, tooltip_text=False)]
        nodes, pyvis_edges = pyvis_network(site, study.people, edges, roles={study.author: AUTHOR}, counts=counts,
                                            positions=_chain_positions(study), tooltip_text=False)
        assert graph["nodes"] == nodes
        assert graph["edges"] == pyvis_edges
    checked = 0
    for person_id, person in sorted(site.people.items()):
        links = inputs.links(person_id)
        graph = person_graph(site, person, counts, links)
        if graph is None:
            assert not links
            continue
        edges = [edge for index, connection, slug in links
                 for edge in connection_edges(site, index, connection, prefix=f"{slug}-", tooltip_text=False)]
        ids = [node["id"] for node in graph["data"]["nodes"]]
        assert ids[0] == person_id and len(set(ids)) == len(ids)
        nodes, pyvis_edges = pyvis_network(site, ids, edges, roles={person_id: SUBJECT}, counts=counts, tooltip_text=False)
        assert graph["data"]["nodes"] == nodes
        assert graph["data"]["edges"] == pyvis_edges
        checked += 1
    assert checked >= 5


@pytest.mark.slow
def test_a_build_does_not_import_pyvis(tmp_path: Path):
    project = make_project(tmp_path / "project", 3)
    result = run_cli("build", "--no-cache", "--out", tmp_path / "site", "--content", project.content, cwd=tmp_path,
                     env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert result.code == 0, result.text
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.err.splitlines() if line.startswith("import time:")}
    assert "generator.graph" in imported  # the graphs were built in this process
    assert (tmp_path / "site" / "assets" / "vendor" / "vis-network.min.js").stat().st_size > 100_000
    assert not {name for name in imported if name.split(".")[0] in {"pyvis", "IPython", "networkx"}}
