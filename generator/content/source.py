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
from generator.slotted import quick_pickle

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


@quick_pickle
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
        problem = _unreadable_shape(padded)
        if problem is not None:
            fail(*problem)
            return None
        return yaml.compose(padded, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        fail(mark, f"invalid YAML: {problem}", "check the indentation and quoting here; values with ': ' or '#' need quotes")
    except yaml.YAMLError as exc:
        fail(None, f"invalid YAML: {exc}", "")
    except RecursionError:  # bounded by ``_unreadable_shape``; kept so no traceback can ever reach an author
        fail(None, f"values are nested more than {MAX_DEPTH} levels deep", "flatten the file")
    return None


#: The tags plain YAML values resolve to; an explicit one of these (``!!str 2011``) is fine.
_STANDARD_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp",
                                                                     "map", "seq"))


def _unreadable_shape(text: str) -> tuple[yaml.Mark, str, str] | None:
    """Walk the parser's events (libyaml's parser keeps its own stack) before composing: nesting is
    bounded, and a tag the format does not define (``!person``, ``!!python/object``) is refused."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        tag = getattr(event, "tag", None)
        if tag is not None and tag != "!" and tag not in _STANDARD_TAGS:
            return (event.start_mark, f"unknown YAML tag {tag!r}",
                    "remove the tag: introchain reads plain text, numbers, dates, lists and mappings")
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                return (event.start_mark, f"values are nested more than {MAX_DEPTH} levels deep",
                        "flatten this part of the file")
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1
    return None
