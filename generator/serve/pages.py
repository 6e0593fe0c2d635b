"""HTML the server adds or makes itself: the reload script tag and the built-in "not found" page."""

from __future__ import annotations

import html
import re

#: Everything the server answers itself lives under this prefix; a site file there is shadowed.
PREFIX = "/__introchain__/"
SCRIPT_URL = PREFIX + "livereload.js"
EVENTS_URL = PREFIX + "events"

_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


def script_tag(instance: str, build: int) -> bytes:
    """The tag that loads the reload client; it says which server run and build made the page.

    An external script, never inline code, so pages keep working under ``script-src 'self'``.
    """
    return (
        f'<script src="{SCRIPT_URL}" data-instance="{html.escape(instance)}" '
        f'data-build="{build}" defer></script>'
    ).encode("ascii")


def inject(document: bytes, tag: bytes) -> bytes:
    """Insert ``tag`` before ``</head>``, else before ``</body>``, else at the end of the document."""
    for pattern in (_HEAD_END, _BODY_END):
        match = pattern.search(document)
        if match:
            return document[: match.start()] + tag + document[match.start() :]
    return document + tag


def not_found_page(path: str, error: str | None) -> bytes:
    """A small page for a URL with no file; it shows the current build error too, if any.

    The error is printed in the page itself as well as in the client's overlay, so it is
    readable even with scripts off (for example before the first good build).
    """
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Not found</title></head><body>",
        "<h1>Not found</h1>",
        f"<p>Nothing is built at <code>{html.escape(path)}</code>.</p>",
    ]
    if error is not None:
        parts += ["<h2>The last build failed</h2>", f"<pre>{html.escape(error)}</pre>"]
    parts.append("</body></html>\n")
    return "\n".join(parts).encode("utf-8")
