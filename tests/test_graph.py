"""graph.py and network.py: what the graph data says about a story, a person and the whole site."""

from __future__ import annotations

import json
from textwrap import dedent

import pytest

from generator.content.load import load_site
from generator.deferred import graph_inputs
from generator.channels import channel_table
from generator.graph import (AUTHOR, BRIDGE, BRIDGE_COLOR, PRESETS, SUBJECT, connection_text, graph_options, legend,
                             person_graph, preset_options, primary_channel, story_graph)
from generator.network import LARGE_NETWORK, network_graph

STORY = dedent(
    """\
    connections:
      - between: [tess, ann]
        via: [club]
        bridge: community
        channels: [twitter, skype]
        stages:
          - stage: contact
            channel: twitter
          - stage: call
            channel: skype
      - between: [ann, bob]
        stages:
          - stage: meeting
            channel: face-to-face
    """
)


@pytest.fixture
def site(make_site):
    root = make_site(files={"stories/first/story.yaml": STORY})
    return load_site(root / "content")[0]


def roles(nodes_or_edges) -> dict[str, str]:
    return {item["id"]: item["role"] for item in nodes_or_edges if "role" in item}


def test_a_story_graph_draws_its_chain_with_the_author_flagged(site):
    study = site.studies[0]
    data = story_graph(site, study, site.story_counts)["data"]
    assert [node["id"] for node in data["nodes"]] == ["tess", "ann", "club", "bob"]
    assert roles(data["nodes"]) == {"tess": AUTHOR}
    # Chain order, left to right: each person in the column of the connection that brought them in.
    x = {node["id"]: node["x"] for node in data["nodes"]}
    assert x["tess"] < x["ann"] < x["bob"]
    assert x["tess"] < x["club"] < x["ann"]  # the bridge sits above or below its pair
    assert preset_options(data)["physics"]["enabled"] is False


def test_story_edges_say_how_deep_and_through_what(site):
    data = story_graph(site, site.studies[0], site.story_counts)["data"]
    edges = {edge["id"]: edge for edge in data["edges"]}
    first, second = edges["c0"], edges["c1"]
    assert (first["from"], first["to"], first["label"]) == ("tess", "ann", "call · never met")
    skype = channel_table()["skype"]  # the channel of the deepest stage: its colours in both schemes
    assert (first["color"]["color"], first["colorDark"], first["dashes"]) == (skype.colour, skype.dark, skype.dashes)
    assert second["label"] == "meeting"
    assert second["width"] > first["width"]  # deeper is thicker
    bridges = {edge_id: edge for edge_id, edge in edges.items() if edge.get("role") == BRIDGE}
    assert {(edge["from"], edge["to"]) for edge in bridges.values()} == {("club", "tess"), ("club", "ann")}
    assert all(edge["color"]["color"] == BRIDGE_COLOR and edge["arrows"]["to"]["enabled"] for edge in bridges.values())
    assert roles(data["edges"]) == dict.fromkeys(bridges, BRIDGE)


def test_a_person_graph_is_their_neighbourhood_with_them_flagged(site):
    inputs = graph_inputs(site)
    ann = person_graph(site, site.people["ann"], site.story_counts, inputs.links("ann"))["data"]
    assert {node["id"] for node in ann["nodes"]} == {"ann", "tess", "club", "bob"}
    assert roles(ann["nodes"]) == {"ann": SUBJECT}
    bob = person_graph(site, site.people["bob"], site.story_counts, inputs.links("bob"))["data"]
    assert {node["id"] for node in bob["nodes"]} == {"bob", "ann"}
    assert roles(bob["nodes"]) == {"bob": SUBJECT}
    assert preset_options(bob)["physics"]["enabled"] is True  # laid out in the browser


def test_story_and_person_graphs_name_their_shared_options_and_the_script_holds_them(site):
    """The options every story or person graph shares are not in each page's data but in graph-draw.js."""
    import re
    from pathlib import Path

    import generator

    inputs = graph_inputs(site)
    story = story_graph(site, site.studies[0], site.story_counts)["data"]
    ann = person_graph(site, site.people["ann"], site.story_counts, inputs.links("ann"))["data"]
    assert "options" not in story and story["preset"] == "chain"
    assert "options" not in ann and ann["preset"] == "neighbourhood"
    script = (Path(generator.__file__).parent / "theme" / "assets" / "graph-draw.js").read_text(encoding="utf-8")
    held = json.loads(re.search(r"^  const PRESETS = (\{.*\});$", script, re.MULTILINE).group(1))
    assert held == PRESETS == {"chain": graph_options(physics=False), "neighbourhood": graph_options(physics=True)}


def test_someone_in_no_connection_has_no_graph(make_site):
    root = make_site(files={"people.yaml": "tess:\n  name: Tess Author\nann:\n  name: Ann\nbob:\n  name: Bob\n"
                                           "club:\n  name: Club\n  kind: community\nloner:\n  name: Lone Reader\n"})
    site = load_site(root / "content")[0]
    assert person_graph(site, site.people["loner"], site.story_counts, graph_inputs(site).links("loner")) is None


def test_tooltips_are_plain_text_even_for_markup(make_site):
    hostile = '<img src=x onerror="alert(1)">'
    root = make_site(files={"people.yaml": f"tess:\n  name: Tess\nann:\n  name: '{hostile}'\nbob:\n  name: Bob\n"
                                           "club:\n  name: Club\n  kind: community\n"})
    site = load_site(root / "content")[0]
    study = site.studies[0]
    text = connection_text(site.people, study.connections[0])
    assert text.splitlines()[0] == f"Tess and {hostile}"  # the name as written: the browser shows it as text
    assert "Met through Club (community)" in text
    graph = story_graph(site, study, site.story_counts)
    assert any(node["label"] == hostile for node in graph["data"]["nodes"])


def test_primary_channel_is_the_deepest_stage_that_names_one(site):
    first, second = site.studies[0].connections
    assert primary_channel(first) == "skype"
    assert primary_channel(second) == "face-to-face"


def test_the_legend_lists_only_what_the_graph_uses(site):
    study = site.studies[0]
    shown = legend(site, study.connections, study.people)
    assert [kind for kind, _, _ in shown["kinds"]] == ["person", "community"]
    table = channel_table()
    assert shown["channels"] == [table["face-to-face"], table["skype"]]  # each with its label and line style
    assert shown["dashed"] and shown["bridges"] and shown["highlight_author"]
    network_legend = legend(site, study.connections, (), by_story=True)
    assert network_legend["channels"] == [] and not network_legend["highlight_author"]


def test_the_network_joins_stories_and_flags_no_author(make_site):
    root = make_site(stories=("first", "second"))
    site = load_site(root / "content")[0]
    graph = network_graph(site, site.story_counts)
    data = json.loads(graph["data"].json(lambda value: json.dumps(value, sort_keys=True, separators=(",", ":"))))
    assert sorted(node["id"] for node in data["nodes"]) == ["ann", "bob", "club", "tess"]  # people joined by id
    assert roles(data["nodes"]) == {}
    assert {edge["id"].split("-")[0] for edge in data["edges"]} == {"first", "second"}  # every story's edges
    assert set(roles(data["edges"]).values()) == {BRIDGE}
    assert [story["title"] for story in graph["stories"]] == ["Story first", "Story second"]
    # A story's edges share its colour, listed beside the graph.
    colours = {story["title"].split()[-1]: story["line"].colour for story in graph["stories"]}
    assert {edge["color"]["color"] for edge in data["edges"] if edge["id"].startswith("first-c")} == {colours["first"]}


def test_a_large_network_gets_fixed_positions(make_site):
    people = "".join(f"p{number}:\n  name: Person {number}\n" for number in range(LARGE_NETWORK + 2))
    chain = "".join(f"  - between: [p{number}, p{number + 1}]\n    stages: [contact]\n"
                    for number in range(LARGE_NETWORK + 1))
    root = make_site(files={
        "people.yaml": people,
        "stories/first/index.md": "---\ntitle: Long\ndate: 2020-01-01\nauthor: p0\n---\nA long chain.\n",
        "stories/first/story.yaml": "connections:\n" + chain,
        "stories/first/comments.yaml": None,
    })
    site = load_site(root / "content")[0]
    graph = network_graph(site, site.story_counts)
    nodes = graph["data"]["nodes"]
    assert len(nodes) == LARGE_NETWORK + 2
    assert graph["data"]["options"]["physics"]["enabled"] is False
    positions = {(node["x"], node["y"]) for node in nodes}
    assert len(positions) == len(nodes)  # nobody drawn on top of anyone
    assert network_graph(site, site.story_counts)["data"]["nodes"] == nodes  # and the same on every build
