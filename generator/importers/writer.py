"""Render imported bundles as YAML and Markdown text, merge people.yaml, and write files.

Rendering is deterministic: the same export gives byte-identical files. YAML comments that
mark what the author must complete are written as text around ``yaml.dump`` output.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import yaml

from generator.importers.people import NewPerson

IMPORTED_FILES = ("index.md", "story.yaml", "comments.yaml")


class Timestamp(str):
    """An ISO date-time written as a plain YAML timestamp, never quoted."""


class _Dumper(yaml.SafeDumper):
    """Safe dumper: multi-line text as ``|`` blocks, timestamps plain, no aliases."""

    def ignore_aliases(self, data) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value.strip("\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_list(dumper: yaml.SafeDumper, value: list):
    # Short lists of plain values read best inline (tags: [a, b]); anything else as a block.
    flow = all(isinstance(item, (str, int, float, bool, date)) and "\n" not in str(item) for item in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(Timestamp, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:timestamp", str(value)))


def iso(moment: datetime) -> Timestamp:
    """``2011-05-18T14:40:00-07:00``."""
    return Timestamp(moment.isoformat(timespec="seconds"))


def dump(data: object) -> str:
    """YAML text for ``data`` in the given key order; mappings as blocks, short lists inline."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=88)


def render_index(front: Mapping[str, object], body: str) -> str:
    """``index.md``: front matter between ``---`` lines, then the Markdown body."""
    return f"---\n{dump(dict(front))}---\n{body}"


def render_comments(taken: datetime, source: str, comments: Sequence[Mapping[str, object]], header: str) -> str:
    """``comments.yaml``: the snapshot, its date and where it came from."""
    return header + dump({"taken": iso(taken), "source": source, "comments": [dict(c) for c in comments]})


def render_story(header: Sequence[str], connections: Sequence[Mapping[str, object]]) -> str:
    """``story.yaml``: a skeleton with TODO comments for the author to complete."""
    # A comment line must stay one line, whatever a title or name holds.
    lines = "".join(f"# {_one_line(line)}\n" if line.strip() else "#\n" for line in header)
    if not connections:
        return lines + "connections: []\n"
    return lines + dump({"connections": [dict(c) for c in connections]})


def _one_line(text: str) -> str:
    return "".join(" " if char.isspace() or not char.isprintable() else char for char in text.rstrip())


class PeopleFileError(Exception):
    """people.yaml cannot be extended by appending text."""


def merge_people(existing_text: str, existing: Mapping[str, object], added: Sequence[NewPerson], header: str) -> str:
    """``people.yaml`` with ``added`` appended, keeping every byte of the existing text.

    Raises ``PeopleFileError`` when appending would not give the old entries plus the new ones
    (for example a flow-style ``{...}`` file), rather than rewrite the author's file.
    """
    if not added:
        return existing_text
    entries: dict[str, dict[str, object]] = {}
    for person in added:
        entry: dict[str, object] = {"name": person.name}
        if person.links:
            entry["links"] = list(person.links)
        entries[person.id] = entry
    text = existing_text
    if not existing:  # empty, only comments, or "{}": keep the comments, drop a bare {}
        text = "".join(line for line in existing_text.splitlines(keepends=True) if line.lstrip().startswith("#"))
    if text and not text.endswith("\n"):
        text += "\n"
    merged = text + ("\n" if text else "") + header + dump(entries)
    try:
        reread = yaml.safe_load(merged)
    except yaml.YAMLError as err:
        raise PeopleFileError(f"appending would make it invalid YAML ({err.problem})") from None
    if reread != {**dict(existing), **entries}:
        raise PeopleFileError("it is not a block mapping that new entries can be appended to")
    return merged


@dataclass(frozen=True)
class PlannedFile:
    """One file the import writes, with its full text."""

    path: Path
    text: str | bytes  # bytes for a downloaded image


def write_files(files: Sequence[PlannedFile], stale: Sequence[Path]) -> None:
    """Remove ``stale`` files, then write each file atomically (a temporary file, then rename)."""
    for path in stale:
        path.unlink(missing_ok=True)
    for planned in files:
        planned.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{planned.path.name}.", dir=planned.path.parent)
        try:
            if isinstance(planned.text, bytes):
                with os.fdopen(handle, "wb") as stream:
                    stream.write(planned.text)
            else:
                with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                    stream.write(planned.text)
            os.replace(temporary, planned.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
