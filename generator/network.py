"""The network page's graph: every person and connection of the site in one picture.

This graph holds the whole site: at 10,000 stories, 27,000 people and 72,000 edges. A
dictionary per node and per edge, the JSON made from them and the page made from that
were about 300 MB at once (issue 6). So its nodes and edges come from the same options
as the other graphs' (``graph.py``), but the edges and the details are turned into JSON
one at a time and never kept: the JSON is the same text, byte for byte, as that of the
dictionaries pyvis would keep (``tests/test_memory.py``).

Every network gets positions computed here, with physics off in the browser (``layout.py``):
a small one a force-directed layout, one past ``LARGE_NETWORK`` nodes a spiral (thousands of
people must not simulate in the browser, and a phone should not simulate even a few dozen).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cached_property
from typing import Any

from generator.graph import connection_edges, edge_dict, legend, node_detail, node_details, person_node
from generator.layout import force_layout, neighbours, spiral_layout
from generator.channels import Channel
from generator.model import Site
from generator.network_index import INDEX_FILE, fixed_network_options, network_index
from generator.overview import best_connected, overview
from generator.palette import line_style

#: Above this many nodes a network is drawn on demand, without edge labels or curves, along a spiral.
LARGE_NETWORK = 150


class NetworkData(Mapping):
    """The network's ``data``: ``nodes``, ``edges``, ``options``, ``details``, ``steps`` and ``stories``.

    ``steps`` maps each edge's id to ``[story number, when]`` (the story's place in
    ``stories``, each ``[title, url]``), so the path finder can tell a path as dated
    introductions, each linking to its story. The nodes are kept; the rest is made when
    asked for, and ``json`` writes the whole without holding the edges as dictionaries.
    """

    _KEYS = ("nodes", "edges", "options", "details", "steps", "stories")

    def __init__(self, site: Site, ids: Iterable[str], nodes: list[dict[str, Any]], options: dict[str, Any], *,
                 plain: bool):
        self._site = site
        self._ids = tuple(ids)
        self._plain = plain
        self.nodes = nodes
        self.options = options

    def __getitem__(self, key: str) -> Any:
        if key == "nodes":
            return self.nodes
        if key == "edges":
            return list(self._edges())
        if key == "options":
            return self.options
        if key == "details":
            return node_details(self._site, self._ids, self._site.config.base_path)
        if key == "steps":
            return {edge["id"]: step for edge, step in self._edge_steps()}
        if key == "stories":
            return self._stories()
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._KEYS)

    def __len__(self) -> int:
        return len(self._KEYS)

    def _edge_steps(self) -> Iterator[tuple[dict[str, Any], list[Any]]]:
        """Every story's connections and bridges, stories in slug order, each coloured by its story, with its step."""
        for number, study in enumerate(sorted(self._site.studies, key=lambda study: study.slug)):
            line = story_line(number)
            for index, connection in enumerate(study.connections):
                step = [number, connection.when.human if connection.when else ""]
                for source, target, options in connection_edges(self._site, index, connection, line=line,
                                                                prefix=f"{study.slug}-", plain=self._plain):
                    yield edge_dict(source, target, options), step

    def _edges(self) -> Iterator[dict[str, Any]]:
        return (edge for edge, _ in self._edge_steps())

    def _stories(self) -> list[list[str]]:
        base_path = self._site.config.base_path
        return [[study.title, base_path + study.url_path] for study in sorted(self._site.studies, key=lambda study: study.slug)]

    def json(self, dumps: Callable[[Any], str]) -> str:
        """``dumps(dict(self))`` for a ``dumps`` that sorts keys and writes no spaces, one edge and detail at a time."""
        # The keys and the people in the order a key-sorting dumps writes them.
        people, base_path = self._site.people, self._site.config.base_path
        details = ",".join(f"{dumps(person_id)}:{dumps(node_detail(people[person_id], base_path))}"
                           for person_id in sorted(self._ids))
        edges, steps = [], []
        for edge, step in self._edge_steps():
            edges.append(dumps(edge))
            steps.append((edge["id"], step))
        steps_json = ",".join(f"{dumps(edge_id)}:{dumps(step)}" for edge_id, step in sorted(steps))
        nodes = ",".join(map(dumps, self.nodes))
        return (f'{{"details":{{{details}}},"edges":[{",".join(edges)}],"nodes":[{nodes}],"options":{dumps(self.options)},'
                f'"steps":{{{steps_json}}},"stories":{dumps(self._stories())}}}')


def story_line(number: int) -> Channel:
    """How the network page draws the connections of the ``number``-th story (in slug order, so stable)."""
    return Channel(f"story-{number}", "").styled(line_style(number))


#: Where the network page's graph data is written: a file of its own, fetched by graph.js, so
#: the page stays small at any size and the browser caches the data apart from the page.
DATA_FILE = "network/graph.json"
#: The key of story line styles under the network graph lists at most this many stories.
STORY_KEY_LIMIT = 60


def _people(site: Site) -> dict[str, None]:
    """Every person of every story, each once, in story order."""
    ids: dict[str, None] = {}
    for study in site.studies:
        ids.update(dict.fromkeys(study.people))
    return ids


def _about(site: Site, ids: Mapping[str, None]) -> dict[str, str]:
    return {"id": "network", "label": "The network of every introduction in every story",
            "description": f"{len(ids)} people, communities and events across {len(site.studies)} stories."}


class SiteNetwork:
    """The site's whole network, each part made once when first asked for: its people, their
    positions, the graph data and the index.

    The network page, its data file and its index all draw on the same parts (the page names
    the other two by their digests and draws the overview from the spread): made apart, the
    positions of a small network (a force-directed layout) took seconds twice over.
    """

    def __init__(self, site: Site, counts: Mapping[str, int]):
        self.site, self.counts = site, counts

    @cached_property
    def ids(self) -> dict[str, None]:
        """Every person of every story, each once, in story order."""
        return _people(self.site)

    @cached_property
    def large(self) -> bool:
        return len(self.ids) > LARGE_NETWORK

    @cached_property
    def around(self) -> dict[str, list[str]]:
        """Each person's neighbours (``layout.neighbours``)."""
        return _neighbours(self.site, self.ids)

    @cached_property
    def spread(self) -> dict[str, tuple[int, int]]:
        """The spiral layout (``spread_layout``): the overview's, and a large network's positions."""
        return spiral_layout(self.around)

    @cached_property
    def positions(self) -> dict[str, tuple[int, int]]:
        """Where each person is drawn: the spiral for a large network, else a force-directed layout from it."""
        return self.spread if self.large else force_layout(self.around, start=self.spread)

    @cached_property
    def graph(self) -> dict[str, Any]:
        """All stories merged: people joined by id, connections coloured by story."""
        site, ids, positions = self.site, self.ids, self.positions
        nodes = [person_node(site, person_id, role=None, counts=self.counts, x=positions[person_id][0],
                             y=positions[person_id][1])
                 for person_id in ids]
        stories = [{"title": study.title, "url": site.config.base_path + study.url_path,
                    "line": story_line(number)}
                   for number, study in enumerate(sorted(site.studies, key=lambda study: study.slug))]
        data = NetworkData(site, ids, nodes, fixed_network_options(plain=self.large), plain=self.large)
        return {**_about(site, ids), "data": data, "stories": stories}

    @cached_property
    def index(self) -> dict[str, Any]:
        """The compact index of ``INDEX_FILE`` (``network_index.py``)."""
        return network_index(self.site, self.ids)


def network_graph(site: Site, counts: Mapping[str, int]) -> dict[str, Any]:
    """All stories merged: people joined by id, connections coloured by story."""
    return SiteNetwork(site, counts).graph


def network_extra(network: SiteNetwork) -> dict[str, Any]:
    """Context additions for the network page: what it says about the graph, its overview, and where its data is.

    The data files' URLs carry a digest of their text (``?v=``), so a browser may cache them
    for good and still never draws a stale graph after an edit.
    """
    from generator.render import script_json

    site, ids = network.site, network.ids
    stories = network.graph["stories"] if len(site.studies) <= STORY_KEY_LIMIT else []
    every_connection = [connection for study in site.studies for connection in study.connections]
    index = network.index
    people = index["people"]
    degrees = dict.fromkeys(ids, 0)
    for first, second, *_ in index["links"]:
        degrees[people[first][0]] += 1
        degrees[people[second][0]] += 1
    names = {person_id: name for person_id, name, _kind in people}
    hubs = [{"name": site.people[person_id].display_name, "label": names[person_id], "url": site.config.base_path + site.people[person_id].url_path,
             "links": degrees[person_id]} for person_id in best_connected(degrees, names)]
    links = [(people[first][0], people[second][0]) for first, second, *_ in index["links"]]
    return {"graph": {**_about(site, ids), "src": f"{DATA_FILE}?v={_version(script_json(network.graph['data']))}",
                      "index": f"{INDEX_FILE}?v={_version(script_json(index))}", "stories": stories,
                      "on_demand": network.large, "people_count": len(ids), "link_count": len(links),
                      "overview": overview(network.spread, links), "hubs": hubs},
            "legend": legend(site, every_connection, (), by_story=True)}


def _version(text: str) -> str:
    """A short digest of a data file's text, for its URL."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def network_index_extra(network: SiteNetwork) -> dict[str, Any]:
    """Context of ``INDEX_FILE``: the network's people, links, stories, tags and channels."""
    return {"index": network.index}


def network_data_extra(network: SiteNetwork) -> dict[str, Any]:
    """Context of ``DATA_FILE``: the network's nodes, edges, options and details."""
    return {"data": network.graph["data"]}


def _neighbours(site: Site, ids: Iterable[str]) -> dict[str, list[str]]:
    return neighbours(ids, (list(dict.fromkeys((*connection.between, *connection.via)))
                            for study in site.studies for connection in study.connections))


def spread_layout(site: Site, ids: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Positions for a large network: people in breadth-first order along a sunflower spiral (``layout.py``)."""
    return spiral_layout(_neighbours(site, ids))


def settled_layout(site: Site, ids: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Positions for a small network: force-directed, from the spiral (``layout.py``)."""
    return force_layout(_neighbours(site, ids))
