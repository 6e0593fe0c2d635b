"""The network's compact index: what the path finder and the filters need, and nothing to draw.

At 10,000 stories the drawable graph (``network.DATA_FILE``) is tens of megabytes; the
path finder and the filters need only who is linked to whom, in which story, when and
through which channels. This index holds that as numbers into short tables, a few
megabytes at that size, so the network page answers "how are these two connected?" on
the whole graph without fetching or drawing it.

Its ``links`` are the graph's edges in the same order (``NetworkData``'s edges), so the
``n``-th link is the ``n``-th edge of the drawn graph. Its ``drawing`` holds what the browser
needs to draw part of the network from the index alone (a person's neighbourhood, a filter's
introductions, a path) in the style of the whole: the vis-network options, each kind's shape
and colour, the bridge colour, the stories' line styles and where person pages are.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from generator.graph import BRIDGE_COLOR, KIND_COLORS, KIND_SHAPES, graph_options
from generator.model import Connection, Site
from generator.palette import CATEGORICAL, DASHES, line_style

#: Where the index is written, beside the network page.
INDEX_FILE = "network/index.json"


def connection_year(connection: Connection, fallback: int) -> int:
    """The year the pair met when the story dates it, else ``fallback`` (the story's year)."""
    if connection.when and connection.when.date:
        return connection.when.date.year
    years = [stage.date.year for stage in connection.stages if stage.date]
    return min(years) if years else fallback


def connection_channels(connection: Connection) -> tuple[str, ...]:
    """Every channel the connection went through, listed or named by a stage, each once."""
    named = (*connection.channels, *(stage.channel for stage in connection.stages))
    return tuple(dict.fromkeys(channel for channel in named if channel))


def network_index(site: Site, ids: Iterable[str]) -> dict[str, Any]:
    """People, links, stories, tags and channels of the whole network, as plain lists.

    ``people``: ``[id, label, kind]`` by name, the label the name (with the id when two share it), the kind a
    number into ``drawing.kinds``; ``links``: ``[from, to, story, when, year, [channels], depth]`` (numbers into
    ``people``, ``stories`` and ``channels``; a bridge is a link from the bridge to each of the pair, of depth
    0); ``stories``: ``[title, url, year, [tags]]`` in slug order; ``tags``: ``[slug, name]``; ``channels``:
    ``[id, label]``; ``drawing``: see ``drawing``.
    """
    names = {person_id: site.people[person_id].display_name for person_id in ids}
    # By name, so the browser lists them without sorting; a name two people share is told apart by id.
    ids = sorted(names, key=lambda person_id: (names[person_id].casefold(), names[person_id], person_id))
    shared = Counter(names.values())
    place = {person_id: number for number, person_id in enumerate(ids)}
    base_path = site.config.base_path
    table = site.config.channel_table
    tag_names = site.tag_names()
    tags = sorted(tag_names)
    tag_place = {slug: number for number, slug in enumerate(tags)}
    channels = list(table)
    channel_place = {channel_id: number for number, channel_id in enumerate(channels)}
    stories, links = [], []
    for number, study in enumerate(sorted(site.studies, key=lambda study: study.slug)):
        year = study.date.year
        stories.append([study.title, base_path + study.url_path, year,
                        sorted({tag_place[slug] for slug in _tag_slugs(study.tags, tag_names)})])
        for connection in study.connections:
            when = connection.when.human if connection.when else ""
            facts = [number, when, connection_year(connection, year),
                     [channel_place[channel] for channel in connection_channels(connection) if channel in channel_place]]
            first, second = connection.between
            links.append([place[first], place[second], *facts, connection.depth])
            for bridge in connection.via:
                links.extend([place[bridge], place[party], *facts, 0] for party in connection.between if party != bridge)
    kinds = {kind: number for number, kind in enumerate(KIND_SHAPES)}
    return {
        "people": [[person_id, names[person_id] if shared[names[person_id]] == 1 else f"{names[person_id]} ({person_id})",
                    kinds[site.people[person_id].kind]] for person_id in ids],
        "links": links,
        "stories": stories,
        "tags": [[slug, tag_names[slug]] for slug in tags],
        "channels": [[channel_id, table[channel_id].label] for channel_id in channels],
        "drawing": drawing(base_path),
    }


def fixed_network_options(*, plain: bool = True) -> dict[str, Any]:
    """vis-network's options for a network with positions from the build: no physics; ``plain``: straight lines."""
    options = graph_options(physics=False)
    options["layout"]["improvedLayout"] = False
    if plain:
        options["edges"]["smooth"] = False  # curved edges cost a great deal at this size
        options["interaction"]["hideEdgesOnDrag"] = True
    return options


def drawing(base_path: str) -> dict[str, Any]:
    """How the browser draws part of the network from the index: options, kinds, bridges, story lines, person pages.

    ``lines`` repeat: story ``n`` is drawn in ``lines[n % len(lines)]`` (``[light, dark, dashes]``),
    as ``network.story_line(n)`` draws it in the whole network.
    """
    lines = []
    for number in range(len(CATEGORICAL) * len(DASHES)):
        style = line_style(number)
        lines.append([style.swatch.light, style.swatch.dark, list(style.dashes) if style.dashes else False])
    return {
        "options": fixed_network_options(),
        "kinds": [[kind, KIND_SHAPES[kind], KIND_COLORS[kind]] for kind in KIND_SHAPES],
        "bridge": BRIDGE_COLOR,
        "lines": lines,
        "people_url": base_path + "people/",
    }


def _tag_slugs(tags: Iterable[str], known: dict[str, str]) -> list[str]:
    from generator.content.fields import tag_slug

    return [slug for slug in (tag_slug(tag) or "tag" for tag in tags) if slug in known]
