"""Map a request path to a file inside the served folder, refusing anything outside it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

#: Folder index served for a URL that ends in "/".
INDEX = "index.html"


@dataclass(frozen=True)
class Target:
    """What a request path points to: a file to send, a redirect, or nothing (``file`` and ``redirect`` None)."""

    file: Path | None = None
    redirect: str | None = None


NOT_FOUND = Target()


def url_segments(raw_path: str) -> list[str] | None:
    """The decoded segments of a request path, or None when the path is not acceptable.

    Rejected: a path not starting with "/", any ".." or "." segment, and any backslash, NUL
    or colon after decoding (so ``..%2f``, ``%2e%2e``, ``..\\`` and ``C:`` never reach the
    filesystem). Empty segments (``//``) are dropped. Decoding happens once, so ``%252e%252e``
    is the literal name ``%2e%2e``: harmless, and simply not found.
    """
    path = urlsplit(raw_path).path
    if not path.startswith("/"):
        return None
    decoded = unquote(path, errors="strict") if "%" in path else path
    segments: list[str] = []
    for segment in decoded.split("/"):
        if segment in ("", "."):
            if segment == ".":
                return None
            continue
        if segment == ".." or any(bad in segment for bad in ("\\", "\0", ":")):
            return None
        segments.append(segment)
    return segments


def _inside(path: str, root: str) -> bool:
    """True when ``path`` is ``root`` or below it (both already real paths)."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def resolve(root: Path, raw_path: str) -> Target:
    """Find the file that ``raw_path`` (as sent by the client) names under ``root``.

    A folder is served through its index.html only (never listed); a folder URL without its
    trailing slash redirects to the slashed URL so relative links in the page work. The real
    path (symlinks followed) must stay inside the real ``root``, resolved on every request
    because the builder may swap the folder in place.
    """
    try:
        segments = url_segments(raw_path)
    except UnicodeDecodeError:
        return NOT_FOUND
    if segments is None:
        return NOT_FOUND
    real_root = os.path.realpath(root)
    candidate = os.path.realpath(os.path.join(real_root, *segments))
    if not _inside(candidate, real_root):
        return NOT_FOUND
    if os.path.isdir(candidate):
        index = os.path.realpath(os.path.join(candidate, INDEX))
        if not (_inside(index, real_root) and os.path.isfile(index)):
            return NOT_FOUND
        split = urlsplit(raw_path)
        if not split.path.endswith("/"):
            # Rebuilt from the checked segments, so "//other.host/x" cannot become an open redirect.
            location = "/" + "/".join(quote(segment) for segment in segments) + "/"
            return Target(redirect=location + (f"?{split.query}" if split.query else ""))
        return Target(file=Path(index))
    if os.path.isfile(candidate):
        return Target(file=Path(candidate))
    return NOT_FOUND
