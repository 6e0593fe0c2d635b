"""Content errors that carry their source position."""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def printable(text: str) -> str:
    """Control, bidi and zero-width characters as escapes, so one message stays one readable line."""
    return _UNPRINTABLE.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


def quoted(value: str, limit: int = 60) -> str:
    """A value from the content as shown in a message: quoted, printable, and cut when long."""
    value = unicodedata.normalize("NFC", value)
    if len(value) > limit:
        value = value[:limit] + f"… ({len(value)} characters)"
    return "'" + printable(value) + "'"


@dataclass(frozen=True, order=True)
class ContentError:
    """One problem in the author's content, at ``path:line:column`` (1-based; 0 = unknown)."""

    path: str
    line: int
    column: int
    message: str
    hint: str = ""
    warning: bool = False
    source_line: str = ""  # the text of the offending line, shown with a caret under the column

    def format(self) -> str:
        """Render as ``path:line:column: error: message``, then the code frame and the hint."""
        where = self.path
        if self.line:
            where += f":{self.line}:{max(self.column, 1)}"
        kind = "warning" if self.warning else "error"
        text = f"{printable(where)}: {kind}: {printable(self.message)}"
        if self.source_line and self.line:
            text += "\n" + code_frame(self.source_line, self.line, self.column)
        if self.hint:
            text += f"\n    hint: {printable(self.hint)}"
        return text


def code_frame(line_text: str, line: int, column: int) -> str:
    """The offending line, and a caret under ``column`` (1-based), indented like a hint."""
    shown = printable(line_text.rstrip("\r\n").expandtabs(4))
    before = printable(line_text[: max(column - 1, 0)].expandtabs(4))
    number = str(line)
    return f"    {number} | {shown}\n    {' ' * len(number)} | {' ' * len(before)}^"


class ContentErrors(Exception):
    """Raised by a stage that found content errors; holds every one of them."""

    def __init__(self, errors: list[ContentError] | tuple[ContentError, ...]):
        self.errors = tuple(sorted(errors))
        super().__init__(f"{len(self.errors)} content error(s)")

    def format(self) -> str:
        """All errors, one block each, in file order."""
        return "\n".join(error.format() for error in self.errors)


def display_path(path: Path) -> str:
    """A path as the author would type it: relative to the working directory when inside it."""
    absolute = Path(os.path.abspath(path))
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)
