"""A story bundle's ``index.md`` front matter and ``story.yaml``.

Person ids are only collected here (with their nodes); whether they exist is decided in
``load.py`` once every story's own people are known.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

import yaml

from generator.content.dates import datetime_field, partial_date, when
from generator.content.fields import (
    INVALID, MAX_ID_LENGTH, Fields, boolean, describe, expect_mapping, identifier, list_of, nonempty_text, one_of,
    tag_slug, text,
)
from generator.content.people import read_people
from generator.content.source import Source
from generator.errors import quoted
from generator.model import BRIDGES, CHANNELS, STAGE_NAMES, Connection, PartialDate, Person, Stage

#: A person id mentioned somewhere, with the node to point at if it is unknown.
Reference = tuple[str, yaml.Node]


@dataclass(frozen=True)
class FrontMatter:
    """What index.md's front matter says."""

    title: str
    date: Any
    author: Reference
    tags: tuple[str, ...]
    summary: str | None
    draft: bool
    cover: str
    cover_alt: str
    slug: str | None
    slug_node: yaml.Node | None
    cover_node: yaml.Node | None
    tag_nodes: tuple = ()  # where each tag is written, in the order of ``tags``
    series: str = ""


@dataclass(frozen=True)
class StoryParts:
    """What story.yaml says: its own people, the connections, and every id it mentions."""

    people: dict[str, tuple[Person, yaml.Node]]
    connections: tuple[Connection, ...]
    references: tuple[Reference, ...]


def _tag(source: Source, node: yaml.Node) -> Any:
    """A tag: text whose page slug fits in a file name."""
    value = nonempty_text(source, node)
    if value is INVALID:
        return INVALID
    slug = tag_slug(value)
    if len(slug) > MAX_ID_LENGTH:
        source.error(node, f"tag {quoted(value)} is too long: its page slug would have {len(slug)} characters, "
                           f"the limit is {MAX_ID_LENGTH}", "use a shorter tag")
        return INVALID
    return value


def _reference(source: Source, node: yaml.Node) -> Any:
    value = identifier(source, node)
    return INVALID if value is INVALID else (value, node)


def read_front_matter(source: Source, node: yaml.Node | None, zone: tzinfo) -> FrontMatter | None:
    """Validate the front matter; None when it has errors."""
    mapping = expect_mapping(source, node, "the front matter")
    if mapping is None:
        return None
    fields = Fields(source, mapping, "the front matter")
    values = {
        "title": fields.get("title", nonempty_text, required=True),
        "date": fields.get("date", datetime_field(zone), required=True),
        "author": fields.get("author", _reference, required=True),
        "tags": fields.get("tags", list_of(_tag), ()),
        "summary": fields.get("summary", text, None),
        "draft": fields.get("draft", boolean, False),
        "cover": fields.get("cover", nonempty_text, ""),
        "cover_alt": fields.get("cover_alt", text, ""),
        "slug": fields.get("slug", identifier, None),
        "series": fields.get("series", nonempty_text, ""),
    }
    fields.finish()
    if values["cover"] and not values["cover_alt"] and values["cover"] is not INVALID:
        source.error(fields.node_of("cover"), "a cover image needs 'cover_alt' describing it for readers who cannot see it",
                     "add 'cover_alt: ...' beside 'cover'")
        return None
    if any(value is INVALID for value in values.values()):
        return None
    tags_node = fields.node_of("tags")
    tag_nodes = tuple(tags_node.value) if isinstance(tags_node, yaml.SequenceNode) else ()
    return FrontMatter(**values, slug_node=fields.node_of("slug"), cover_node=fields.node_of("cover"), tag_nodes=tag_nodes)


def _stage(source: Source, node: yaml.Node, channels: tuple[str, ...] = CHANNELS) -> Any:
    if isinstance(node, yaml.ScalarNode):
        name = one_of(STAGE_NAMES, "stage")(source, node)
        return INVALID if name is INVALID else Stage(name)
    mapping = expect_mapping(source, node, "a stage")
    if mapping is None:
        return INVALID
    fields = Fields(source, mapping, "a stage")
    values = {
        "stage": fields.get("stage", one_of(STAGE_NAMES, "stage"), required=True),
        "date": fields.get("date", partial_date, None),
        "channel": fields.get("channel", one_of(channels, "channel"), ""),
        "note": fields.get("note", text, ""),
    }
    fields.finish()
    return INVALID if any(value is INVALID for value in values.values()) else Stage(**values)


def _known_part(date: PartialDate, other: PartialDate) -> tuple[int, ...]:
    """``date`` to the precision both dates are known to."""
    parts = 1 if not (date.month and other.month) else 2 if not (date.day and other.day) else 3
    return (date.year, date.month, date.day)[:parts]


def _warn_of_stages_out_of_order(source: Source, node: yaml.Node, stages: tuple[Stage, ...]) -> None:
    """A warning at each stage dated before a stage listed above it (compared to the precision both are known to)."""
    latest: Stage | None = None
    for child, stage in zip(node.value, stages):
        if stage.date is None:
            continue
        if latest is not None and _known_part(stage.date, latest.date) < _known_part(latest.date, stage.date):
            place = next((value for key, value in child.value if key.value == "date"), child) if isinstance(
                child, yaml.MappingNode) else child
            source.error(place, f"stage {quoted(stage.stage)} is dated {stage.date.iso}, before {quoted(latest.stage)} "
                                f"listed above it ({latest.date.iso})",
                         "list the stages in the order they happened, or correct the date; a stage dated before "
                         "the pair's first step is not timed on the 'how relationships deepen' page", warning=True)
        elif latest is None or _known_part(latest.date, stage.date) < _known_part(stage.date, latest.date) or (
                bool(stage.date.month) + bool(stage.date.day) >= bool(latest.date.month) + bool(latest.date.day)):
            latest = stage  # the latest date so far; of two the same at the precision both know, the more precise


def _connection(source: Source, node: yaml.Node, references: list[Reference], known_kinds: dict[str, str],
                channels: tuple[str, ...] = CHANNELS) -> Any:
    mapping = expect_mapping(source, node, "a connection")
    if mapping is None:
        return INVALID
    fields = Fields(source, mapping, "a connection")
    between = fields.get("between", list_of(_reference), required=True)
    via = fields.get("via", list_of(_reference), ())
    bridge = fields.get("bridge", one_of(BRIDGES, "bridge kind"), None)
    known_channels = channels
    channels = fields.get("channels", list_of(one_of(known_channels, "channel")), None)
    started = fields.get("when", when, None)
    met = fields.get("met_in_person", boolean, None)
    summary = fields.get("summary", text, "")
    stages = fields.get("stages", list_of(lambda src, item: _stage(src, item, known_channels), min_items=1), required=True)
    fields.finish()
    if between is not INVALID:
        if len(between) != 2:
            source.error(fields.node_of("between"), f"'between' names two people, found {len(between)}",
                         "write between: [first-id, second-id]")
            between = INVALID
        elif between[0][0] == between[1][0]:
            source.error(between[1][1], f"'between' names '{between[0][0]}' twice; a connection joins two people",
                         "name the other person here")
            between = INVALID
    for group in (between, via):
        if group not in (INVALID, None):
            references.extend(group)
    if INVALID in (between, via, bridge, channels, started, met, summary, stages):
        return INVALID
    has_meeting = any(stage.stage == "meeting" for stage in stages)
    if met is False and has_meeting:
        source.error(fields.node_of("met_in_person"), "met_in_person is false, but a stage is 'meeting'",
                     "remove one of them: 'meeting' means they met face to face")
        return INVALID
    _warn_of_stages_out_of_order(source, fields.node_of("stages"), stages)
    if bridge is None:
        bridge = "introduction" if any(known_kinds.get(ref[0], "person") == "person" for ref in via) else ("community" if via else "direct")
    if channels is None:
        channels = tuple(dict.fromkeys(stage.channel for stage in stages if stage.channel))
    return Connection(
        between=(between[0][0], between[1][0]),
        via=tuple(ref[0] for ref in via),
        bridge=bridge,
        channels=channels,
        when=started,
        met_in_person=has_meeting if met is None else met,
        summary=summary,
        stages=stages,
    )


def read_story(source: Source, node: yaml.Node | None, global_kinds: dict[str, str],
               channels: tuple[str, ...] = CHANNELS) -> StoryParts | None:
    """Validate story.yaml; None when it is not even a mapping.

    Otherwise the parts are returned even when some connections had errors (those are left
    out and their errors recorded), so that every id it mentions can still be checked.
    ``global_kinds`` maps the ids of people.yaml to their kinds; ``channels`` are the channel ids the site knows.
    """
    mapping = expect_mapping(source, node, "story.yaml")
    if mapping is None:
        return None
    fields = Fields(source, mapping, "story.yaml")
    people = read_people(source, fields.node_of("people"), "the story's people")
    kinds = {**global_kinds, **{person_id: person.kind for person_id, (person, _) in people.items()}}
    references: list[Reference] = []
    connections: list[Connection] = []
    connections_node = fields.node_of("connections")
    fields.finish(extra_known=("people", "connections"))  # both are read directly above
    if connections_node is None:
        source.error(mapping, "story.yaml is missing the required key 'connections'",
                     "list who met whom, in chain order; see docs/content-format.md in introchain")
    elif isinstance(connections_node, yaml.SequenceNode):
        # An empty list is a story still being written (e.g. just imported): valid, and its
        # page says so; it is not a warning, so imports pass `check --strict`.
        for child in connections_node.value:
            if not source.visit(child):
                break
            connections.append(_connection(source, child, references, kinds, channels))
    elif not (isinstance(connections_node, yaml.ScalarNode) and connections_node.tag.endswith(":null")):
        source.error(connections_node, f"'connections' must be a list of connections, not {describe(connections_node)}")
    valid = tuple(connection for connection in connections if connection is not INVALID)
    return StoryParts(people, valid, tuple(references))
