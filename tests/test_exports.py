"""The whole network as GEXF, GraphML and JSON: parsed with networkx, they hold exactly the site's people and connections."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from textwrap import dedent

import networkx as nx
import pytest

from conftest import REPO, SITE_YAML, run_cli, story_files, tree_bytes

from generator.content.load import load_site

EXPORTS = ("network.gexf", "network.graphml", "network.json")
EMAIL = re.compile(rb"[\w.+-]+@[\w-]+\.[\w.-]+")
IPV4 = re.compile(rb"\b\d{1,3}(?:\.\d{1,3}){3}\b")


def read_export(path: Path) -> nx.MultiGraph:
    """An export as networkx reads it."""
    if path.suffix == ".gexf":
        return nx.read_gexf(path)
    if path.suffix == ".graphml":
        return nx.read_graphml(path)
    return nx.node_link_graph(json.loads(path.read_text(encoding="utf-8")), edges="edges")


def expected_network(content: Path) -> tuple[dict[str, str], Counter]:
    """The people (id -> shown name) and the connections and bridges of every story, from the content itself."""
    site, _ = load_site(content)
    people = {person_id: site.people[person_id].display_name for study in site.studies for person_id in study.people}
    edges: Counter = Counter()
    for study in site.studies:
        for connection in study.connections:
            edges[(study.slug, "connection", frozenset(connection.between))] += 1
            for bridge in connection.via:
                for party in connection.between:
                    if party != bridge:
                        edges[(study.slug, "bridge", frozenset((bridge, party)))] += 1
    return people, edges


def held(graph: nx.MultiGraph) -> tuple[dict[str, str], Counter]:
    people = {node: data["label"] for node, data in graph.nodes(data=True)}
    edges = Counter((data["story"], data["kind"], frozenset((source, target)))
                    for source, target, data in graph.edges(data=True))
    return people, edges


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory) -> tuple[Path, Path]:
    """The sample content built twice, under a GitHub Pages subpath: (first build, second build)."""
    root = tmp_path_factory.mktemp("exports")
    outs = []
    for number in (1, 2):
        out = root / f"site{number}"
        result = run_cli("build", "--content", REPO / "content", "--out", out, "--no-cache",
                         "--base-url", "https://someone.github.io/repo/", cwd=root)
        assert result.code == 0, result.text
        outs.append(out)
    return outs[0], outs[1]


@pytest.mark.slow
@pytest.mark.parametrize("name", EXPORTS)
def test_each_export_holds_exactly_the_sample_sites_people_and_connections(sample_site, name):
    graph = read_export(sample_site[0] / "network" / name)
    people, edges = expected_network(REPO / "content")
    assert len(edges) > 10 and len(people) > 10  # the sample has several stories
    assert held(graph) == (people, edges)
    assert graph.is_multigraph() and not graph.is_directed()
    # Enough for a reader of the file to follow an edge back to its story, and a person to their page.
    _, _, data = next(iter(graph.edges(data=True)))
    assert data["story_url"].startswith("https://someone.github.io/repo/stories/")
    assert data["stage"] in {"noticed", "contact", "conversation", "call", "meeting", "working", "partnership"}
    assert isinstance(data["depth"], int) and isinstance(data["met_in_person"], bool)
    node, attributes = next(iter(graph.nodes(data=True)))
    assert attributes["url"] == f"https://someone.github.io/repo/people/{node}/"


@pytest.mark.slow
def test_the_network_page_links_every_export_and_they_build_byte_identically(sample_site):
    first, second = sample_site
    page = (first / "network" / "index.html").read_text(encoding="utf-8")
    for name in EXPORTS:
        assert f'href="/repo/network/{name}"' in page
        assert (first / "network" / name).read_bytes() == (second / "network" / name).read_bytes()
    assert "network.gexf" not in (first / "sitemap.xml").read_text(encoding="utf-8")


PEOPLE = dedent("""\
    tess:
      name: Tess Author
      location: Testville
    ann:
      name: "Ann <b>O'Example</b> & \\x01Co"
      location: Cork
      links: [https://ann.example.org/]
      handles: {twitter: "@ann_example"}
      bio: Ann writes about knitting; mail ann@example.org.
    bob:
      name: Bob "Quoted" Example
      label: "a coach from <Colorado> & \\x01Utah"
    club:
      name: The Club
      kind: community
    """)

COMMENTS = dedent("""\
    taken: 2020-01-05
    source: https://old.example/post
    comments:
      - id: first
        author: Ann
        person: ann
        date: 2020-01-03
        body: Write to ann@example.org or 192.168.10.20.
    """)


@pytest.mark.slow
def test_exports_redact_keep_hostile_names_as_text_and_carry_no_addresses(make_site):
    files = story_files("first")
    files["stories/first/comments.yaml"] = COMMENTS
    project = make_site({"site.yaml": SITE_YAML + "privacy:\n  redact: [ann]\n", "people.yaml": PEOPLE, **files})
    result = run_cli("build", cwd=project)
    assert result.code == 0, result.text
    site = project / "site"
    for name in EXPORTS:
        data = (site / "network" / name).read_bytes()
        for secret in (b"O'Example", b"O&#39;Example", b"Example</b>", b"ann.example.org", b"@ann_example", b"knitting",
                       b'"ann"', b"people/ann/"):
            assert secret not in data, (name, secret)
        assert not EMAIL.search(data) and not IPV4.search(data), name
        graph = read_export(site / "network" / name)
        labels = {data["label"] for _, data in graph.nodes(data=True)}
        assert labels == {"Tess Author", "someone from Cork", "a coach from <Colorado> & Utah", "The Club"}, name
        assert "ann" not in graph and "person-1" in graph
    leaks = [name for name, data in tree_bytes(site).items() if b"O'Example" in data or b"ann_example" in data]
    assert leaks == []


@pytest.mark.slow
def test_an_edit_that_changes_the_network_rebuilds_the_exports(make_site):
    project = make_site(stories=("first", "second"))
    assert run_cli("build", cwd=project).code == 0
    story = project / "content/stories/second/story.yaml"
    story.write_text(story.read_text(encoding="utf-8").replace("[ann, bob]", "[bob, club]"), encoding="utf-8")
    assert run_cli("build", cwd=project).code == 0
    for name in EXPORTS:
        people, edges = held(read_export(project / "site" / "network" / name))
        assert edges == expected_network(project / "content")[1], name
