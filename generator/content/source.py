"""Parse YAML into node trees that remember where every value came from.

We compose PyYAML node trees instead of loading plain objects so that every error can
point at ``file:line:column``. Aliases are not expanded by composing (nodes are shared),
and ``Source.visit`` charges every node we walk against a budget, so an alias bomb costs
an error message rather than memory.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from generator.errors import ContentError, display_path
from generator.regular import NotRegularFile, read_regular

#: Largest YAML or Markdown file we read; far above any real post or snapshot.
MAX_FILE_BYTES = 32 * 1024 * 1024
#: How many nodes one file may make us visit (aliases count each time they are used).
NODE_BUDGET = 2_000_000
#: How deeply collections may nest. Real content nests four or five levels; libyaml's
#: composer recurses once per level and crashes the interpreter somewhere past 10,000.
MAX_DEPTH = 100

try:  # the C loader composes about ten times faster; fall back to pure Python.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class Place:
    """Where a YAML value starts (0-based, like PyYAML's marks): all an error needs of a node.

    Parsed bundles keep places instead of nodes, so they stay small enough to cache;
    ``start_mark`` makes a place usable wherever a node's position is read.
    """

    line: int
    column: int

    @property
    def start_mark(self) -> Place:
        return self


def place_of(node: yaml.Node | Place | None) -> Place | None:
    """The place a node starts at (None stays None)."""
    if node is None or isinstance(node, Place):
        return node
    return _place(node.start_mark.line, node.start_mark.column)


@functools.lru_cache(maxsize=4096)
def _place(line: int, column: int) -> Place:
    # Places are immutable and recur in every story (the same keys on the same lines): one
    # object each keeps the parsed stories, and the state cached from them, smaller (issue 6).
    return Place(line, column)


@dataclass
class Source:
    """One content file being validated: its display path and the errors found in it."""

    path: Path
    errors: list[ContentError] = field(default_factory=list)
    budget: int = NODE_BUDGET
    unparsable: bool = False  # its YAML could not be read: that error is the only one worth showing

    @property
    def shown(self) -> str:
        return display_path(self.path)

    def error(self, node: yaml.Node | Place | None, message: str, hint: str = "", *, warning: bool = False) -> None:
        """Record a problem at ``node``'s position (or at the top of the file)."""
        line, column = (node.start_mark.line + 1, node.start_mark.column + 1) if node is not None else (1, 1)
        self.errors.append(ContentError(self.shown, line, column, message, hint, warning))

    def error_at(self, line: int, column: int, message: str, hint: str = "", *, warning: bool = False,
                 source_line: str = "") -> None:
        """Record a problem at an explicit 1-based position (``source_line``: that line's text, for a code frame)."""
        self.errors.append(ContentError(self.shown, line, column, message, hint, warning, source_line))

    def visit(self, node: yaml.Node) -> bool:
        """Charge one node against the budget; False (with one error) once it is spent."""
        self.budget -= 1
        if self.budget == 0:
            self.error(node, "this file is too large or repeats anchors too often to read",
                       "YAML aliases (*name) are expanded each time they are used; use fewer of them")
        return self.budget > 0

    @property
    def failed(self) -> bool:
        return any(not error.warning for error in self.errors)


def read_text(source: Source) -> str | None:
    """Read a UTF-8 file (a leading BOM is dropped); None with an error if it cannot be read."""
    try:
        data = read_regular(source.path, MAX_FILE_BYTES + 1)
    except NotRegularFile as exc:
        source.error(None, f"{source.path.name} is {exc.kind}, not a regular file",
                     "replace it with an ordinary text file")
        return None
    except OSError as exc:
        source.error(None, f"cannot read file: {exc.strerror or exc}")
        return None
    if len(data) > MAX_FILE_BYTES:
        source.error(None, f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB, the limit")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        source.error_at(line, column, "file is not valid UTF-8 text", "save the file as UTF-8")
        return None
    return text.removeprefix("\ufeff")


def compose(source: Source, text: str, first_line: int = 1) -> yaml.Node | None:
    """Compose YAML text into a node tree; None (with an error) if it is not valid YAML.

    ``first_line`` is the file line the text starts on (front matter starts on line 2);
    padding with newlines keeps PyYAML's marks in file coordinates.
    """
    if "\x00" in text:
        position = text.index("\x00")
        source.error_at(text.count("\n", 0, position) + first_line, 1, "file contains a NUL byte; is it binary?")
        return None
    padded = "\n" * (first_line - 1) + text
    lines = padded.split("\n")

    def fail(mark: yaml.Mark | None, message: str, hint: str) -> None:
        source.unparsable = True
        if mark is None:
            source.error(None, message, hint)
        else:
            shown = lines[mark.line] if mark.line < len(lines) else ""
            source.error_at(mark.line + 1, mark.column + 1, message, hint, source_line=shown)

    try:
        return _compose_checked(padded)
    except _Refused as refused:
        fail(refused.mark, refused.message, refused.hint)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        fail(mark, f"invalid YAML: {problem}", "check the indentation and quoting here; values with ': ' or '#' need quotes")
    except yaml.YAMLError as exc:
        fail(None, f"invalid YAML: {exc}", "")
    return None


#: The tags plain YAML values resolve to; an explicit one of these (``!!str 2011``) is fine.
_STANDARD_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp",
                                                                     "map", "seq"))


class _Refused(Exception):
    """A document the composer will not build: nested too deeply, or a tag the format does not define."""

    def __init__(self, mark: yaml.Mark, message: str, hint: str):
        super().__init__(message)
        self.mark, self.message, self.hint = mark, message, hint


#: Resolves plain scalars' tags (``resolve`` reads only class tables, so no loader state is needed).
_RESOLVER = yaml.resolver.Resolver()
_COLLECTION_STARTS = {yaml.SequenceStartEvent: yaml.SequenceNode, yaml.MappingStartEvent: yaml.MappingNode}
_COLLECTION_ENDS = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


def _compose_checked(text: str) -> yaml.Node | None:
    """Compose the single document of ``text`` from the parser's events in one pass, the way PyYAML's
    composer does, while refusing nesting deeper than ``MAX_DEPTH`` and tags the format does not define.

    libyaml's parser keeps its own stack and this loop keeps an explicit one, so no depth of
    document recurses; libyaml's own composer recurses once per level (and crashes the
    interpreter somewhere past 10,000), which is why it is not used. The node trees are the
    same as ``yaml.compose``'s, errors included.
    """
    anchors: dict[str, yaml.Node] = {}
    stack: list[list] = []  # [collection node, the mapping key waiting for its value]
    root: yaml.Node | None = None
    documents = 0
    for event in yaml.parse(text, Loader=_Loader):
        kind = type(event)
        if kind is yaml.ScalarEvent:
            node = yaml.ScalarNode(_tag(event, yaml.ScalarNode, event.value), event.value, event.start_mark,
                                   event.end_mark, style=event.style)
        elif kind is yaml.AliasEvent:
            if event.anchor not in anchors:
                raise yaml.composer.ComposerError(None, None, "found undefined alias", event.start_mark)
            node = anchors[event.anchor]
        elif kind in _COLLECTION_STARTS:
            if len(stack) >= MAX_DEPTH:
                raise _Refused(event.start_mark, f"values are nested more than {MAX_DEPTH} levels deep",
                               "flatten this part of the file")
            node_kind = _COLLECTION_STARTS[kind]
            node = node_kind(_tag(event, node_kind, None), [], event.start_mark, event.end_mark,
                             flow_style=event.flow_style)
            _anchor(anchors, event, node)
            stack.append([node, None])
            continue
        elif kind in _COLLECTION_ENDS:
            node = stack.pop()[0]
            node.end_mark = event.end_mark
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise yaml.composer.ComposerError("expected a single document in the stream", root.start_mark,
                                                  "but found another document", event.start_mark)
            continue
        else:
            continue
        if kind is yaml.ScalarEvent:
            _anchor(anchors, event, node)
        if not stack:
            root = node
        elif isinstance(stack[-1][0], yaml.MappingNode):
            if stack[-1][1] is None:
                stack[-1][1] = node
            else:
                stack[-1][0].value.append((stack[-1][1], node))
                stack[-1][1] = None
        else:
            stack[-1][0].value.append(node)
    return root


def _tag(event: yaml.NodeEvent, kind: type, value: str | None) -> str:
    """The node's tag: resolved when the event has none (or ``!``); refused when the format does not define it."""
    tag = event.tag
    if tag is None or tag == "!":
        return _RESOLVER.resolve(kind, value, event.implicit)
    if tag not in _STANDARD_TAGS:
        raise _Refused(event.start_mark, f"unknown YAML tag {tag!r}",
                       "remove the tag: introchain reads plain text, numbers, dates, lists and mappings")
    return tag


def _anchor(anchors: dict[str, yaml.Node], event: yaml.NodeEvent, node: yaml.Node) -> None:
    if event.anchor is None:
        return
    if event.anchor in anchors:
        raise yaml.composer.ComposerError("found duplicate anchor; first occurrence", anchors[event.anchor].start_mark,
                                          "second occurrence", event.start_mark)
    anchors[event.anchor] = node
