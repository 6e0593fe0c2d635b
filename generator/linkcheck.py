"""Every internal link a built page writes must reach a file of the build.

``broken_links`` reads the ``href`` and ``src`` attributes of one rendered HTML page and
names the relative and site-relative ones that point at no file the build writes. Author-written links in Markdown are checked earlier, with their position in
the content file; this catches the rest (a template, a theme override, a nav entry).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection
from urllib.parse import unquote, urljoin, urlsplit

_ATTRIBUTE = re.compile(rb"""\s(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def broken_links(page_output: str, html: bytes, outputs: Collection[str], base_url: str) -> list[str]:
    """The internal links of the page at ``page_output`` (e.g. ``stories/x/index.html``) that reach no output."""
    parts = urlsplit(base_url)
    base_path = parts.path if parts.path.endswith("/") else parts.path + "/"
    page_url = base_path + (page_output[: -len("index.html")] if page_output.endswith("index.html") else page_output)
    broken: list[str] = []
    for double_quoted, single_quoted in _ATTRIBUTE.findall(html):
        value = double_quoted or single_quoted
        # A path from the root resolves the same from every page: one entry for all of them.
        from_root = value.lstrip().startswith(b"/") and not value.lstrip().startswith(b"//")
        checked, relative, raw = _resolve(base_path, "/" if from_root else page_url, value)
        if not checked:
            continue
        if relative is None:
            broken.append(raw)  # leaves the site's path: breaks under a project site's /repo/
            continue
        if relative in outputs or (relative == "" or relative.endswith("/")) and f"{relative}index.html" in outputs:
            continue
        broken.append(raw)
    return sorted(set(broken))


@functools.lru_cache(maxsize=1 << 16)
def _resolve(base_path: str, page_url: str, value: bytes) -> tuple[bool, str | None, str]:
    """Whether a link is checked, the output path it reaches (None: outside the site's path) and its text.

    Cached because every page repeats the navigation, person and tag links: resolving each
    one anew was a tenth of a cold build.
    """
    raw = value.decode("utf-8", "replace")
    link = raw.strip().replace("&amp;", "&")
    if not link or link.startswith("#"):
        return False, None, raw
    target = urlsplit(link)
    if target.scheme or target.netloc:
        # An absolute URL is another site's, or written by hand (an imported post's link to
        # the old blog at the same address): only links within the site are checked.
        return False, None, raw
    if "/" not in target.path and target.path not in ("", ".", ".."):
        # A file beside the page (a story's image): the content check reports a missing one
        # at its line and column, as a warning (an error with --strict).
        return False, None, raw
    path = urlsplit(urljoin(page_url, link)).path
    if not path.startswith(base_path):
        return True, None, raw
    return True, unquote(path[len(base_path):]), raw
