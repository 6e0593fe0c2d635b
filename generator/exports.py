"""The whole network as data others can use: the context of the GEXF, GraphML and JSON exports.

Made from the site as the public sees it (after ``privacy.py``), so a redacted person is in
every export only by their public label. People are nodes; each connection of each story is
an edge (``kind`` "connection"), and each bridge an edge from the bridge to one of the pair
(``kind`` "bridge"). Values are plain strings and numbers: the templates only lay them out.
Nothing else of a person is exported (no links, handles or bio; no notes or summaries), and
characters XML 1.0 cannot carry are dropped, so every export parses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from generator.graph import primary_channel
from generator.model import Site

#: (name, type) of every node and edge attribute, in the order the exports declare them.
NODE_ATTRIBUTES = (("kind", "string"), ("location", "string"), ("url", "string"), ("stories", "integer"))
EDGE_ATTRIBUTES = (("kind", "string"), ("story", "string"), ("story_url", "string"), ("stage", "string"),
                   ("depth", "integer"), ("channel", "string"), ("channels", "string"), ("met_in_person", "boolean"),
                   ("when", "string"), ("date", "string"))


#: Characters XML 1.0 forbids (a YAML "\\x01" escape can put one in a name).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def network_export(site: Site, counts: Mapping[str, int]) -> dict[str, Any]:
    """Every person of every story and every connection and bridge, as plain dictionaries."""
    base_url = site.config.base_url
    table = site.config.channel_table
    ids: dict[str, None] = {}
    for study in site.studies:
        ids.update(dict.fromkeys(study.people))
    nodes = []
    for person_id in sorted(ids):
        person = site.people[person_id]
        nodes.append({"id": person_id, "label": _text(person.display_name), "kind": person.kind,
                      "location": _text(person.location), "url": base_url + person.url_path.lstrip("/"),
                      "stories": counts.get(person_id, 0)})
    edges = []
    for study in sorted(site.studies, key=lambda study: study.slug):
        story_url = base_url + study.url_path.lstrip("/")
        for index, connection in enumerate(study.connections):
            when = connection.when
            shared = {"story": study.slug, "story_url": story_url, "stage": connection.deepest_stage,
                      "depth": connection.depth, "channel": _text(table[primary_channel(connection)].label),
                      "channels": _text(", ".join(table[channel].label for channel in connection.channels)),
                      "met_in_person": connection.met_in_person, "when": _text(when.human) if when else "",
                      "date": when.date.iso if when and when.date else ""}
            first, second = connection.between
            edges.append({"id": f"{study.slug}-c{index}", "source": first, "target": second,
                          "label": connection.deepest_stage, "kind": "connection", **shared})
            for bridge in dict.fromkeys(connection.via):
                for party in connection.between:
                    if bridge != party:
                        edges.append({"id": f"{study.slug}-b{index}-{bridge}-{party}", "source": bridge, "target": party,
                                      "label": connection.bridge or "bridge", "kind": "bridge", **shared})
    return {"nodes": nodes, "edges": edges, "node_attributes": NODE_ATTRIBUTES, "edge_attributes": EDGE_ATTRIBUTES}
