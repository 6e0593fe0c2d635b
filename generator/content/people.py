"""People entries (``people.yaml`` and a story's own ``people:``) -> ``Person``."""

from __future__ import annotations

from typing import Any

import yaml

from generator.content.fields import (
    INVALID, Fields, boolean, describe, expect_mapping, identifier, list_of, nonempty_text, one_of, text, web_url,
)
from generator.content.source import Source
from generator.model import PERSON_KINDS, Person


def _handles(source: Source, node: yaml.Node) -> Any:
    mapping = expect_mapping(source, node, "handles")
    if mapping is None:
        return INVALID
    pairs = []
    for key_node, value_node in mapping.value:
        key = text(source, key_node)
        value = nonempty_text(source, value_node)
        if INVALID in (key, value):
            return INVALID
        pairs.append((key, value))
    return tuple(sorted(pairs))


def read_person(source: Source, person_id: str, node: yaml.Node) -> Person | None:
    """One entry; None when it has errors."""
    mapping = expect_mapping(source, node, f"person '{person_id}'")
    if mapping is None:
        return None
    fields = Fields(source, mapping, f"person '{person_id}'")
    label = fields.get("label", nonempty_text, "")
    values = {
        "name": fields.get("name", nonempty_text, "", required=not label),
        "kind": fields.get("kind", one_of(PERSON_KINDS, "kind"), "person"),
        "location": fields.get("location", text, ""),
        "links": fields.get("links", list_of(web_url), ()),
        "handles": fields.get("handles", _handles, ()),
        "bio": fields.get("bio", text, ""),
        "noindex": fields.get("noindex", boolean, False),
    }
    fields.finish()
    if label is INVALID or any(value is INVALID for value in values.values()):
        return None
    return Person(id=person_id, label=label, **values)


def read_people(source: Source, node: yaml.Node | None, what: str) -> dict[str, tuple[Person, yaml.Node]]:
    """A mapping of id -> entry; returns the valid people with the node of their id."""
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")):
        return {}
    mapping = expect_mapping(source, node, what)
    if mapping is None:
        return {}
    people: dict[str, tuple[Person, yaml.Node]] = {}
    for key_node, value_node in mapping.value:
        if not source.visit(value_node):
            break
        person_id = identifier(source, key_node)
        if person_id is INVALID:
            continue
        if person_id in people:
            source.error(key_node, f"person '{person_id}' is defined twice in {what}", "remove or rename one of them")
            continue
        if not isinstance(value_node, yaml.MappingNode):
            source.error(value_node, f"person '{person_id}' must be a mapping with at least a name, not {describe(value_node)}",
                         "for example:  name: Ali Davies")
            continue
        person = read_person(source, person_id, value_node)
        if person is not None:
            people[person_id] = (person, key_node)
    return people
