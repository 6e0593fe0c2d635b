"""Parse a Disqus comment export (``<disqus>`` XML) into frozen dataclasses.

Like the WordPress parser, it refuses any DTD and never reads an author's e-mail address or
a post's IP address, so no later stage can write them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from xml.parsers import expat

import defusedxml
import defusedxml.ElementTree as DefusedET

from generator.importers.wordpress import WxrError

NS = "{http://disqus.com}"
DSQ_ID = "{http://disqus.com/disqus-internals}id"


@dataclass(frozen=True)
class Thread:
    """A discussion: one page of the old site."""

    id: str
    link: str
    title: str


@dataclass(frozen=True)
class Post:
    """One comment (never its author's e-mail or IP address)."""

    id: str
    thread: str
    parent: str
    message: str
    created: datetime | None
    author: str
    deleted: bool
    spam: bool
    approved: bool


@dataclass(frozen=True)
class DisqusExport:
    """Threads by id, and every post in file order."""

    threads: dict[str, Thread]
    posts: tuple[Post, ...]


def read_disqus(path: Path) -> DisqusExport:
    """Parse ``path`` safely; raise ``WxrError`` with a position for anything unreadable."""
    try:
        root = DefusedET.parse(str(path), forbid_dtd=True, forbid_entities=True, forbid_external=True).getroot()
    except ET.ParseError as err:
        line, column = err.position
        raise WxrError(f"malformed XML: {expat.ErrorString(err.code)}", line, column + 1) from None
    except (defusedxml.DTDForbidden, defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden):
        raise WxrError("refused a DOCTYPE or entity declaration (a possible entity-expansion attack)",
                       hint="Disqus exports never have one; nothing was imported") from None
    if root.tag != f"{NS}disqus":
        raise WxrError("not a Disqus export: expected a <disqus> root element in the http://disqus.com namespace",
                       hint="export the comments in Disqus' admin (Community > Export)")
    threads = {}
    for element in root.findall(f"{NS}thread"):
        thread_id = element.get(DSQ_ID, "")
        if thread_id:
            threads[thread_id] = Thread(thread_id, _text(element, "link"), _text(element, "title"))
    posts = []
    for element in root.findall(f"{NS}post"):
        thread = element.find(f"{NS}thread")
        parent = element.find(f"{NS}parent")
        author = element.find(f"{NS}author")
        # Deliberately not read: author/email and ipAddress.
        posts.append(Post(
            id=element.get(DSQ_ID, ""),
            thread=thread.get(DSQ_ID, "") if thread is not None else "",
            parent=parent.get(DSQ_ID, "") if parent is not None else "",
            message=_text(element, "message", strip=False),
            created=_date(_text(element, "createdAt")),
            author=_text(author, "name") if author is not None else "",
            deleted=_text(element, "isDeleted") == "true",
            spam=_text(element, "isSpam") == "true",
            approved=_text(element, "isApproved") != "false",
        ))
    return DisqusExport(threads, tuple(post for post in posts if post.id))


def _text(element: ET.Element, tag: str, strip: bool = True) -> str:
    child = element.find(f"{NS}{tag}")
    if child is None or child.text is None:
        return ""
    return child.text.strip() if strip else child.text


def _date(text: str) -> datetime | None:
    """``2013-10-10T19:20:29Z`` as an aware datetime, or None."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
