"""Introduction-chain graphs: stories -> pyvis networks -> data for our own templates.

We build every graph with pyvis but never use its HTML: its templates load vis-network and
Bootstrap from CDNs even in "local" mode and hard-code one container id. Instead the
nodes, edges and options go into a ``<script type="application/json">`` block that
``templates/assets/graph.js`` hands to the vis-network copy that pyvis ships, which we
copy into ``site/assets/vendor/``.

Story graphs get positions computed here (chain order, left to right) with physics off,
so they never jiggle and build byte-identically; the network page uses a seeded layout
that stops after stabilising, and past ``LARGE_NETWORK`` nodes positions computed here
with physics off (issue 3: thousands of people must not simulate in the browser).
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from generator.model import STAGE_NAMES, CaseStudy, Connection, Person, Site

CHANNEL_COLORS: dict[str, str] = {
    "twitter": "#1d8fd8", "facebook": "#3b5bbd", "linkedin": "#0a66c2", "instagram": "#c13584",
    "mastodon": "#6364ff", "skype": "#00a2d9", "video-call": "#0f9d8a", "phone": "#2e9d3a",
    "email": "#b7791f", "sms": "#7a8b0c", "webinar": "#d1495b", "face-to-face": "#e07a1f",
    "blog-comment": "#8e5cc4", "blog": "#a05195", "forum": "#6b7280", "conference": "#c2410c",
    "other": "#64748b",
}
KIND_SHAPES: dict[str, str] = {"person": "dot", "community": "hexagon", "event": "diamond", "platform": "triangle"}
KIND_COLORS: dict[str, str] = {"person": "#4f7fd1", "community": "#2f9e6e", "event": "#e0902b", "platform": "#8b5cf6"}
AUTHOR_COLOR = "#f2b600"
BRIDGE_COLOR = "#8a94a6"
#: Colours for stories on the network page (assigned in slug order, so stable).
STORY_COLORS = ("#4f7fd1", "#d1495b", "#2f9e6e", "#e0902b", "#8b5cf6", "#0f9d8a", "#c13584", "#7a8b0c")
_COLUMN, _ROW, _BRIDGE_ROW = 230, 90, 150
#: Above this many nodes a graph gets positions from Python and no physics in the browser.
LARGE_NETWORK = 150
_SPACING = 60

#: A connection as a person's neighbourhood sees it: its index in its story, itself, the story's slug.
Link = tuple[int, Connection, str]


class _NodeIds(list):
    """pyvis' node-id list, with set membership.

    pyvis keeps node ids in a list and tests ``n_id in self.node_ids`` on every ``add_node``
    and ``source in self.get_nodes()`` twice on every ``add_edge``: quadratic on a network of
    thousands of people. It only appends to and tests this list, so a list that also keeps a
    set makes both O(1) while the graph is still built through pyvis' own API.
    """

    def __init__(self) -> None:
        super().__init__()
        self._members: set[Any] = set()

    def append(self, item: Any) -> None:
        super().append(item)
        self._members.add(item)

    def __contains__(self, item: object) -> bool:
        return item in self._members


def _new_network():
    """A directed pyvis Network, imported only when a graph is built (pyvis pulls in IPython)."""
    from pyvis.network import Network

    network = Network(directed=True)
    network.node_ids = _NodeIds()
    return network


def graph_assets() -> dict[str, bytes]:
    """vis-network's script and stylesheet, copied from the pyvis package (no CDN)."""
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pyvis is not installed; run: python3 -m pip install -e .")
    library = Path(list(spec.submodule_search_locations)[0]) / "lib"
    folder = max((path for path in library.glob("vis-*") if path.is_dir()), key=lambda path: path.name)
    return {
        "vendor/vis-network.min.js": (folder / "vis-network.min.js").read_bytes(),
        "vendor/vis-network.css": (folder / "vis-network.css").read_bytes(),
    }


def primary_channel(connection: Connection) -> str:
    """The channel of the deepest stage that names one, else the last channel listed."""
    for stage in sorted(connection.stages, key=lambda stage: stage.depth, reverse=True):
        if stage.channel:
            return stage.channel
    return connection.channels[-1] if connection.channels else "other"


def _names(people: dict[str, Person], ids: Iterable[str]) -> str:
    names = [people[person_id].display_name for person_id in ids]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] if names else ""


def connection_text(people: dict[str, Person], connection: Connection) -> str:
    """Plain-text details of a connection, for tooltips (never interpreted as HTML)."""
    lines = [_names(people, connection.between)]
    if connection.via:
        lines.append(f"Met through {_names(people, connection.via)} ({connection.bridge})")
    if connection.channels:
        lines.append("Channels: " + ", ".join(connection.channels))
    if connection.when:
        lines.append(f"When: {connection.when.human}")
    lines.append(f"Deepest stage: {connection.deepest_stage} ({connection.depth} of {len(STAGE_NAMES)})")
    lines.append("Met in person: " + ("yes" if connection.met_in_person else "not yet"))
    if connection.summary:
        lines.append(connection.summary)
    return "\n".join(lines)


def _person_text(person: Person, story_count: int) -> str:
    lines = [person.display_name, person.kind.capitalize() + (f" · {person.location}" if person.location else "")]
    lines.append(f"In {story_count} stor{'y' if story_count == 1 else 'ies'}")
    return "\n".join(lines)


def _add_person(network, site: Site, person_id: str, *, author: bool, counts: Mapping[str, int], **position: Any) -> None:
    person = site.people[person_id]
    network.add_node(
        person_id,
        label=person.display_name,
        title=_person_text(person, counts.get(person_id, 0)),
        shape=KIND_SHAPES[person.kind],
        color={"background": AUTHOR_COLOR if author else KIND_COLORS[person.kind], "border": "#1f2937" if author else "#ffffff"},
        size=24 if author else 16,
        borderWidth=4 if author else 2,
        **position,
    )


def _add_connection(network, site: Site, index: int, connection: Connection, color: str | None = None, prefix: str = "",
                    *, plain: bool = False) -> None:
    """Add a connection and its bridges; ``plain`` (large networks): straight edges without labels.

    Per-edge curves override the network's ``smooth: false``, and "dynamic" curves add a
    hidden simulated node per edge; with thousands of edges both cost seconds in the browser.
    """
    first, second = connection.between
    style: dict[str, Any] = {} if plain else {"label": connection.deepest_stage,
                                              "smooth": {"enabled": True, "type": "curvedCW", "roundness": 0.15}}
    network.add_edge(
        first, second,
        id=f"{prefix}c{index}",
        title=connection_text(site.people, connection),
        color={"color": color or CHANNEL_COLORS[primary_channel(connection)]},
        width=1 + connection.depth,
        dashes=not connection.met_in_person,
        arrows={"to": {"enabled": False}},
        **style,
    )
    for bridge in connection.via:
        for party in connection.between:
            if bridge == party:
                continue
            network.add_edge(
                bridge, party,
                id=f"{prefix}b{index}-{bridge}-{party}",
                title=f"{site.people[bridge].display_name} brought {_names(site.people, connection.between)} together ({connection.bridge})",
                color={"color": BRIDGE_COLOR},
                width=1,
                dashes=[2, 5],
                arrows={"to": {"enabled": True, "scaleFactor": 0.6}},
                **({} if plain else {"smooth": {"enabled": True, "type": "dynamic"}}),
            )


def _options(*, physics: bool, hierarchical: bool = False) -> dict[str, Any]:
    options: dict[str, Any] = {
        "autoResize": True,
        "nodes": {"font": {"size": 15, "face": "system-ui, sans-serif"}},
        "edges": {"font": {"size": 11, "align": "middle", "face": "system-ui, sans-serif"}, "selectionWidth": 2},
        "interaction": {"hover": True, "tooltipDelay": 120, "keyboard": {"enabled": True, "bindToWindow": False},
                        "navigationButtons": False, "multiselect": False},
        "layout": {"randomSeed": 7, "improvedLayout": not physics},
        "physics": {"enabled": False},
    }
    if physics:
        options["physics"] = {
            "enabled": True,
            "solver": "barnesHut",
            "barnesHut": {"gravitationalConstant": -6000, "springLength": 140, "avoidOverlap": 0.2},
            "stabilization": {"enabled": True, "iterations": 400, "updateInterval": 50, "fit": True},
        }
    return options


def _graph_data(network, graph_id: str, label: str, description: str, details: dict[str, Any]) -> dict[str, Any]:
    nodes, edges, _heading, _height, _width, _options_json = network.get_network_data()
    return {
        "id": graph_id,
        "label": label,
        "description": description,
        "data": {"nodes": nodes, "edges": edges, "options": network.options, "details": details},
    }


def _details(site: Site, ids: Iterable[str], base_path: str) -> dict[str, Any]:
    """Per-node text for the details panel: plain strings plus the node's page path."""
    details = {}
    for person_id in ids:
        person = site.people[person_id]
        details[person_id] = {
            "name": person.display_name,
            "kind": person.kind,
            "location": person.location,
            "url": base_path + person.url_path,
        }
    return details


def _chain_positions(study: CaseStudy) -> dict[str, tuple[int, int]]:
    """People left to right in chain order (zig-zagging rows); bridges above or below their pair."""
    positions: dict[str, tuple[int, int]] = {}
    order = [study.author] + [person for connection in study.connections for person in connection.between]
    for person in order:
        if person not in positions:
            column = len(positions)
            positions[person] = (column * _COLUMN, (column % 2) * _ROW)
    for index, connection in enumerate(study.connections):
        bridges = [bridge for bridge in connection.via if bridge not in positions]
        if not bridges:
            continue
        middle = sum(positions[person][0] for person in connection.between) // 2
        row = -_BRIDGE_ROW if index % 2 == 0 else _ROW + _BRIDGE_ROW
        for number, bridge in enumerate(bridges):
            positions[bridge] = (middle + (2 * number - len(bridges) + 1) * 80, row)
    return positions


def story_graph(site: Site, study: CaseStudy, counts: Mapping[str, int]) -> dict[str, Any]:
    """One case study's introduction chain, with fixed positions."""
    network = _new_network()
    network.options = _options(physics=False)
    positions = _chain_positions(study)
    for person_id in study.people:
        x, y = positions.get(person_id, (0, 0))
        _add_person(network, site, person_id, author=person_id == study.author, counts=counts, x=x, y=y)
    for index, connection in enumerate(study.connections):
        _add_connection(network, site, index, connection)
    label = f"Introduction graph of “{study.title}”"
    description = (f"{len(study.people)} people and {len(study.connections)} connections; "
                   "the same chain is described step by step below.")
    return _graph_data(network, f"story-{study.slug}", label, description, _details(site, study.people, site.config.base_path))


def person_graph(site: Site, person: Person, counts: Mapping[str, int], links: list[Link]) -> dict[str, Any] | None:
    """Everyone directly connected to ``person`` in any story (``links``: from ``GraphInputs.links``)."""
    if not links:
        return None
    network = _new_network()
    network.options = _options(physics=True)
    ids: dict[str, None] = {person.id: None}
    for _index, connection, _slug in links:
        ids.update(dict.fromkeys((*connection.between, *connection.via)))
    for person_id in ids:
        _add_person(network, site, person_id, author=person_id == person.id, counts=counts)
    for index, connection, slug in links:
        _add_connection(network, site, index, connection, prefix=f"{slug}-")
    label = f"The neighbourhood of {person.display_name}"
    description = f"{person.display_name} and the {len(ids) - 1} people, communities and events around them."
    return _graph_data(network, f"person-{person.id}", label, description, _details(site, ids, site.config.base_path))


def network_graph(site: Site, counts: Mapping[str, int]) -> dict[str, Any]:
    """All stories merged: people joined by id, connections coloured by story."""
    ids: dict[str, None] = {}
    for study in site.studies:
        ids.update(dict.fromkeys(study.people))
    large = len(ids) > LARGE_NETWORK
    network = _new_network()
    network.options = _options(physics=not large)
    if large:
        network.options["layout"]["improvedLayout"] = False
        network.options["edges"]["smooth"] = False  # curved edges cost a great deal at this size
        network.options["interaction"]["hideEdgesOnDrag"] = True
    positions = spread_layout(site, ids) if large else {}
    for person_id in ids:
        x, y = positions.get(person_id, (None, None))
        _add_person(network, site, person_id, author=False, counts=counts, **({"x": x, "y": y} if large else {}))
    stories = []
    for number, study in enumerate(sorted(site.studies, key=lambda study: study.slug)):
        color = STORY_COLORS[number % len(STORY_COLORS)]
        stories.append({"title": study.title, "url": site.config.base_path + study.url_path, "color": color})
        for index, connection in enumerate(study.connections):
            _add_connection(network, site, index, connection, color=color, prefix=f"{study.slug}-", plain=large)
    label = "The network of every introduction in every story"
    description = f"{len(ids)} people, communities and events across {len(site.studies)} stories."
    graph = _graph_data(network, "network", label, description, _details(site, ids, site.config.base_path))
    graph["stories"] = stories
    return graph


def story_extra(site: Site, study: CaseStudy, counts: Mapping[str, int]) -> dict[str, Any]:
    """Context additions for a story page: its graph, figures, timeline and legend."""
    from generator.insights import story_figures, timeline_rows

    return {
        "graph": story_graph(site, study, counts),
        "figures": story_figures(site, study),
        "timeline": timeline_rows(site, study),
        "legend": legend(site, study.connections, study.people),
    }


def person_extra(site: Site, person: Person, counts: Mapping[str, int], links: list[Link]) -> dict[str, Any]:
    """Context additions for a person page: their neighbourhood graph and its legend."""
    graph = person_graph(site, person, counts, links)
    return {"graph": graph, "legend": legend(site, [connection for _, connection, _ in links], ()) if graph else None}


def network_extra(site: Site, counts: Mapping[str, int]) -> dict[str, Any]:
    """Context additions for the network page."""
    every_connection = [connection for study in site.studies for connection in study.connections]
    return {"graph": network_graph(site, counts), "legend": legend(site, every_connection, (), by_story=True)}


def spread_layout(site: Site, ids: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Positions for a large network: people in breadth-first order along a sunflower spiral.

    Walking the graph breadth-first from its best-connected people puts neighbours at
    neighbouring turns of the spiral, so chains stay together; it costs one pass, has no
    randomness and rounds to whole pixels, so the page builds byte-identically.
    """
    neighbours: dict[str, list[str]] = {person_id: [] for person_id in ids}
    for study in site.studies:
        for connection in study.connections:
            members = list(dict.fromkeys((*connection.between, *connection.via)))
            for first in members:
                for second in members:
                    if first != second and first in neighbours:
                        neighbours[first].append(second)
    order: dict[str, None] = {}
    for start in sorted(neighbours, key=lambda person_id: (-len(neighbours[person_id]), person_id)):
        if start in order:
            continue
        queue, order[start] = [start], None
        while queue:
            following = []
            for person_id in queue:
                for other in neighbours[person_id]:
                    if other not in order and other in neighbours:
                        order[other] = None
                        following.append(other)
            queue = following
    golden = math.pi * (3 - math.sqrt(5))
    return {
        person_id: (round(_SPACING * math.sqrt(number) * math.cos(number * golden)),
                    round(_SPACING * math.sqrt(number) * math.sin(number * golden)))
        for number, person_id in enumerate(order)
    }


def legend(site: Site, connections: Iterable[Connection], people: Iterable[str], *, by_story: bool = False) -> dict[str, Any]:
    """What the legend beside a graph explains: only the shapes and channels it uses."""
    connections = list(connections)
    kinds = {site.people[person_id].kind for connection in connections for person_id in (*connection.between, *connection.via)}
    kinds.update(site.people[person_id].kind for person_id in people)
    channels = sorted({primary_channel(connection) for connection in connections})
    return {
        "kinds": [(kind, KIND_SHAPES[kind], KIND_COLORS[kind]) for kind in KIND_SHAPES if kind in kinds],
        "author_color": AUTHOR_COLOR,
        "channels": [] if by_story else [(channel, CHANNEL_COLORS[channel]) for channel in channels],
        "bridge_color": BRIDGE_COLOR,
        "dashed": any(not connection.met_in_person for connection in connections),
        "bridges": any(connection.via for connection in connections),
        "highlight_author": bool(people),
    }
