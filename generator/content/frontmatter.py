"""Split a Markdown file into its YAML front matter and body, keeping line numbers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Split:
    """Front matter text (starting on file line 2) and the body (starting on ``body_line``)."""

    front_matter: str
    body: str
    body_line: int


def split_front_matter(text: str) -> Split | None:
    """None when the file does not open with a '---' line or the block is never closed."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n").rstrip() != "---":
        return None
    for number, line in enumerate(lines[1:], start=1):
        if line.rstrip("\r\n").rstrip() in ("---", "..."):
            return Split("".join(lines[1:number]), "".join(lines[number + 1 :]), number + 2)
    return None
