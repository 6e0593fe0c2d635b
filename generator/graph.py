"""Introduction-chain graphs: stories -> nodes, edges and options for vis-network.

The graphs are the data pyvis would make, made directly. pyvis' HTML is no use to us (its
templates load vis-network and Bootstrap from CDNs even in "local" mode and hard-code one
container id), and importing pyvis pulls in IPython and networkx: most of a one-post
rebuild's time (issue 6). So nodes and edges are the dictionaries pyvis' ``add_node`` and
``add_edge`` keep (``tests/test_graph_shape.py`` builds every graph through pyvis as well
and compares), they go into a ``<script type="application/json">`` block, and
``templates/assets/graph.js`` hands them to the vis-network copy that pyvis ships, which
we copy into ``site/assets/vendor/``.

Story graphs get positions computed here (chain order, left to right) with physics off,
so they never jiggle and build byte-identically. The site-wide network is in ``network.py``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from generator.channels import Channel
from generator.model import STAGE_NAMES, CaseStudy, Connection, Person, Site

KIND_SHAPES: dict[str, str] = {"person": "dot", "community": "hexagon", "event": "diamond", "platform": "triangle"}
KIND_COLORS: dict[str, str] = {"person": "#4f7fd1", "community": "#2f9e6e", "event": "#e0902b", "platform": "#8b5cf6"}
AUTHOR_COLOR = "#f2b600"
BRIDGE_COLOR = "#8a94a6"
#: What an edge label adds when the pair never met in person (line styles belong to channels).
NEVER_MET = " · never met"
#: Node roles, written into the graph data as ``role`` so that ``graph.js`` finds the highlighted
#: node by what it is, not by the colour it happens to be drawn in: the story's author, or
#: the person a person page is about. Bridge edges carry ``role: "bridge"``.
AUTHOR, SUBJECT, BRIDGE = "author", "subject", "bridge"
_COLUMN, _ROW, _BRIDGE_ROW = 230, 90, 150
#: Label sizes in graph units, and the least size on screen (CSS px) at which a label is drawn.
NODE_LABEL_PX, EDGE_LABEL_PX, READABLE_PX = 16, 14, 12

#: A connection as a person's neighbourhood sees it: its index in its story, itself, the story's slug.
Link = tuple[int, Connection, str]


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


def connection_text(people: dict[str, Person], connection: Connection, channels: Mapping[str, Channel] | None = None) -> str:
    """Plain-text details of a connection, for tooltips (never interpreted as HTML); channels by label."""
    lines = [_names(people, connection.between)]
    if connection.via:
        lines.append(f"Met through {_names(people, connection.via)} ({connection.bridge})")
    if connection.channels:
        lines.append("Channels: " + ", ".join(channels[channel].label if channels else channel for channel in connection.channels))
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


def _person_fields(person: Person, story_count: int) -> dict[str, Any]:
    """What a node's tooltip and details panel say, as fields ``graph-draw.js`` writes them from."""
    return {"kind": person.kind, "stories": story_count, **({"place": person.location} if person.location else {})}


def person_options(site: Site, person_id: str, *, role: str | None, counts: Mapping[str, int],
                   tooltip_text: bool = True) -> dict[str, Any]:
    """A person's node as pyvis' ``add_node`` takes it (its keyword arguments).

    ``role`` (``AUTHOR`` or ``SUBJECT``) marks the node the graph is centred on: drawn larger,
    in gold with a ring, and flagged in the data; None for everyone else. ``tooltip_text``:
    the tooltip as text (``title``), else as the fields ``graph-draw.js`` writes it from.
    """
    person = site.people[person_id]
    highlighted = role is not None
    count = counts.get(person_id, 0)
    options = {
        "label": person.display_name,
        **({"title": _person_text(person, count)} if tooltip_text else _person_fields(person, count)),
        "shape": KIND_SHAPES[person.kind],
        "color": {"background": AUTHOR_COLOR if highlighted else KIND_COLORS[person.kind],
                  "border": "#1f2937" if highlighted else "#ffffff"},
        "size": 24 if highlighted else 16,
        "borderWidth": 4 if highlighted else 2,
    }
    if highlighted:
        options["role"] = role
    return options


def person_node(site: Site, person_id: str, *, role: str | None, counts: Mapping[str, int], tooltip_text: bool = True,
                **position: int) -> dict[str, Any]:
    """A person's node as pyvis' ``add_node`` keeps it: the options and position, the id, the id as label if none."""
    options = person_options(site, person_id, role=role, counts=counts, tooltip_text=tooltip_text)
    return {**options, **position, "id": person_id, "label": options["label"] or person_id}


def connection_fields(site: Site, connection: Connection) -> dict[str, Any]:
    """What ``connection_text`` says, as fields ``graph-draw.js`` writes it from (the names are its nodes' labels)."""
    fields: dict[str, Any] = {}
    if connection.via:
        fields.update(via=list(connection.via), bridge=connection.bridge)
    if connection.channels:
        fields["channels"] = [site.config.channel_table[channel].label for channel in connection.channels]
    if connection.when:
        fields["when"] = connection.when.human
    fields.update(stage=f"{connection.deepest_stage} ({connection.depth} of {len(STAGE_NAMES)})", met=connection.met_in_person)
    if connection.summary:
        fields["summary"] = connection.summary
    return fields


def connection_edges(site: Site, index: int, connection: Connection, line: Channel | None = None, prefix: str = "",
                     *, plain: bool = False, tooltip_text: bool = True) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """A connection and its bridges as edges: (from, to, pyvis' ``add_edge`` keyword arguments).

    ``line``: how to draw the connection (the network page draws each story's in its own
    style); by default, its channel's. ``plain`` (large networks): straight edges without labels. Per-edge curves override the
    network's ``smooth: false``, and "dynamic" curves add a hidden simulated node per edge;
    with thousands of edges both cost seconds in the browser. ``tooltip_text``: tooltips as
    text (``title``), else as fields ``graph-draw.js`` writes them from (a bridge's names
    those of its nodes and of the connection it names in ``of``).
    """
    first, second = connection.between
    label = connection.deepest_stage + ("" if connection.met_in_person else NEVER_MET)
    style: dict[str, Any] = {} if plain else {"label": label,
                                              "smooth": {"enabled": True, "type": "curvedCW", "roundness": 0.15}}
    line = line or site.config.channel_table[primary_channel(connection)]
    edge_id = f"{prefix}c{index}"
    yield first, second, {
        "id": edge_id,
        **({"title": connection_text(site.people, connection, site.config.channel_table)} if tooltip_text
           else connection_fields(site, connection)),
        "color": {"color": line.colour},
        "colorDark": line.dark,
        "width": 1 + connection.depth,
        "dashes": list(line.dashes) if line.dashes else False,
        "arrows": {"to": {"enabled": False}},
        **style,
    }
    for bridge in connection.via:
        for party in connection.between:
            if bridge == party:
                continue
            yield bridge, party, {
                "id": f"{prefix}b{index}-{bridge}-{party}",
                "role": BRIDGE,
                **({"title": f"{site.people[bridge].display_name} brought {_names(site.people, connection.between)} together ({connection.bridge})"}
                   if tooltip_text else {"of": edge_id, "bridge": connection.bridge}),
                "color": {"color": BRIDGE_COLOR},
                "width": 1,
                "dashes": [2, 5],
                "arrows": {"to": {"enabled": True, "scaleFactor": 0.6}},
                **({} if plain else {"smooth": {"enabled": True, "type": "dynamic"}}),
            }


def edge_dict(source: str, target: str, options: dict[str, Any]) -> dict[str, Any]:
    """An edge as pyvis' ``add_edge`` keeps it: the options plus ``from`` and ``to``."""
    return {**options, "from": source, "to": target}


def graph_options(*, physics: bool, hierarchical: bool = False) -> dict[str, Any]:
    """vis-network's options for a graph: a seeded layout that settles (``physics``), else fixed positions."""
    options: dict[str, Any] = {
        "autoResize": True,
        # Labels are drawn at 12 CSS px or more, or not at all: vis-network skips a label whose size
        # on screen is below drawThreshold - 1 (zooming in brings it back).
        "nodes": {"font": {"size": NODE_LABEL_PX, "face": "system-ui, sans-serif"},
                  "scaling": {"label": {"drawThreshold": READABLE_PX + 1, "maxVisible": 40}}},
        "edges": {"font": {"size": EDGE_LABEL_PX, "align": "horizontal", "face": "system-ui, sans-serif"}, "selectionWidth": 2,
                  "scaling": {"label": {"drawThreshold": READABLE_PX + 1, "maxVisible": 40}}},
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


#: The vis-network options every story graph (``chain``) and every person graph
#: (``neighbourhood``) shares. Their data names its preset instead of carrying the options,
#: which ``graph-draw.js`` holds (its ``PRESETS``; ``tests/test_graph.py`` keeps the two equal).
PRESETS: dict[str, dict[str, Any]] = {"chain": graph_options(physics=False), "neighbourhood": graph_options(physics=True)}


def preset_options(data: dict[str, Any]) -> dict[str, Any]:
    """The vis-network options a graph's data is drawn with: its own, or its preset's."""
    return data["options"] if "options" in data else PRESETS[data["preset"]]


def _graph_data(site: Site, graph_id: str, label: str, description: str, nodes: list[dict[str, Any]],
                edges: list[dict[str, Any]], preset: str) -> dict[str, Any]:
    """A story's or person's graph: its tooltips and details panel written by ``graph-draw.js`` from the
    nodes' and edges' fields (each person's page is ``people_url`` + id + ``/``), so no text is sent twice."""
    return {
        "id": graph_id,
        "label": label,
        "description": description,
        "data": {"nodes": nodes, "edges": edges, "preset": preset, "people_url": site.config.base_path + "people/"},
    }


def node_detail(person: Person, base_path: str) -> dict[str, str]:
    """A node's text for the details panel: plain strings plus the person's page path."""
    return {"name": person.display_name, "kind": person.kind, "location": person.location, "url": base_path + person.url_path}


def node_details(site: Site, ids: Iterable[str], base_path: str) -> dict[str, Any]:
    """Per-node text for the details panel, by person id."""
    return {person_id: node_detail(site.people[person_id], base_path) for person_id in ids}


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
    positions = _chain_positions(study)
    nodes = []
    for person_id in study.people:
        x, y = positions.get(person_id, (0, 0))
        nodes.append(person_node(site, person_id, role=AUTHOR if person_id == study.author else None, counts=counts,
                                 tooltip_text=False, x=x, y=y))
    edges = [edge_dict(*edge) for index, connection in enumerate(study.connections)
             for edge in connection_edges(site, index, connection, tooltip_text=False)]
    label = f"Introduction graph of “{study.title}”"
    description = (f"{len(study.people)} people and {len(study.connections)} connections; "
                   "the same chain is described step by step below.")
    graph = _graph_data(site, f"story-{study.slug}", label, description, nodes, edges, "chain")
    graph["data"]["chain"] = True  # graph.js may turn a chain to run top to bottom on a narrow screen
    return graph


def person_graph(site: Site, person: Person, counts: Mapping[str, int], links: list[Link]) -> dict[str, Any] | None:
    """Everyone directly connected to ``person`` in any story (``links``: from ``GraphInputs.links``)."""
    if not links:
        return None
    ids: dict[str, None] = {person.id: None}
    for _index, connection, _slug in links:
        ids.update(dict.fromkeys((*connection.between, *connection.via)))
    nodes = [person_node(site, person_id, role=SUBJECT if person_id == person.id else None, counts=counts, tooltip_text=False)
             for person_id in ids]
    edges = [edge_dict(*edge) for index, connection, slug in links
             for edge in connection_edges(site, index, connection, prefix=f"{slug}-", tooltip_text=False)]
    label = f"The neighbourhood of {person.display_name}"
    description = f"{person.display_name} and the {len(ids) - 1} people, communities and events around them."
    return _graph_data(site, f"person-{person.id}", label, description, nodes, edges, "neighbourhood")


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
    # The person is drawn as a story's author is (role ``SUBJECT``): the legend says so.
    return {"graph": graph, "legend": legend(site, [connection for _, connection, _ in links], (person.id,)) if graph else None}


def legend(site: Site, connections: Iterable[Connection], people: Iterable[str], *, by_story: bool = False) -> dict[str, Any]:
    """What the legend beside a graph explains: only the shapes and channels it uses."""
    connections = list(connections)
    kinds = {site.people[person_id].kind for connection in connections for person_id in (*connection.between, *connection.via)}
    kinds.update(site.people[person_id].kind for person_id in people)
    channels = sorted({primary_channel(connection) for connection in connections})
    table = site.config.channel_table
    return {
        "kinds": [(kind, KIND_SHAPES[kind], KIND_COLORS[kind]) for kind in KIND_SHAPES if kind in kinds],
        "author_color": AUTHOR_COLOR,
        "channels": [] if by_story else [table[channel] for channel in channels],
        "bridge_color": BRIDGE_COLOR,
        "dashed": any(not connection.met_in_person for connection in connections),
        "bridges": any(connection.via for connection in connections),
        "highlight_author": bool(people),
    }
