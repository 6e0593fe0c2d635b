"""Parse a WordPress eXtended RSS export (WXR 1.0-1.2) into frozen dataclasses.

The parser is defusedxml's: a WordPress export never has a DOCTYPE, so any DTD (and with
it every entity-expansion or external-entity trick) is refused before anything is read.
E-mail and IP addresses of authors and commenters are never read into the model, so no later
stage can write them by mistake.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from xml.parsers import expat
from zoneinfo import ZoneInfo

import defusedxml
import defusedxml.ElementTree as DefusedET

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
_WP_NS = re.compile(r"^https?://wordpress\.org/export/(1\.\d+)/$")


class WxrError(Exception):
    """The export cannot be read; ``line``/``column`` are 1-based, 0 when unknown."""

    def __init__(self, message: str, line: int = 0, column: int = 0, hint: str = ""):
        super().__init__(message)
        self.message, self.line, self.column, self.hint = message, line, column, hint


@dataclass(frozen=True)
class Author:
    """A WordPress user who wrote posts (login and names only: never the e-mail)."""

    login: str
    display_name: str
    user_id: int


@dataclass(frozen=True)
class Term:
    """A category, tag or other taxonomy term attached to a post."""

    domain: str
    nicename: str
    name: str


@dataclass(frozen=True)
class Comment:
    """One comment as exported (never the author's e-mail or IP address)."""

    id: int
    parent: int
    author: str
    url: str
    date_gmt: datetime | None
    date_local: datetime | None
    content: str
    approved: str  # "1", "0", "spam", "trash", ...
    type: str  # "" or "comment" for comments; "pingback", "trackback", ...
    user_id: int


@dataclass(frozen=True)
class Item:
    """A post, page, attachment or any other item of the export."""

    id: int
    title: str
    link: str
    creator: str
    content: str
    excerpt: str
    date_gmt: datetime | None
    date_local: datetime | None
    slug: str
    status: str
    post_type: str
    parent: int
    menu_order: int
    has_password: bool
    attachment_url: str
    image_alt: str
    thumbnail: int  # the featured image's attachment id (0: none)
    terms: tuple[Term, ...]
    comments: tuple[Comment, ...]


@dataclass(frozen=True)
class Export:
    """The whole export: channel facts, authors and every item in file order."""

    version: str
    title: str
    link: str
    base_url: str
    pub_date: datetime | None
    authors: tuple[Author, ...]
    items: tuple[Item, ...]
    description: str = ""
    language: str = ""
    item_lines: Mapping[int, int] = field(default_factory=dict)  # post id -> line of its <wp:post_id>


def read_export(path: Path) -> Export:
    """Parse ``path`` safely; raise ``WxrError`` with a position for anything unreadable."""
    try:
        tree = DefusedET.parse(str(path), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except ET.ParseError as err:
        line, column = err.position
        raise WxrError(f"malformed XML: {expat.ErrorString(err.code)}", line, column + 1) from None
    except defusedxml.DTDForbidden:
        line, column = _find(path, rb"<!DOCTYPE")
        raise WxrError(
            "refused a DOCTYPE declaration (a possible entity-expansion or external-entity attack)",
            line,
            column,
            "WordPress exports never have one; nothing was imported",
        ) from None
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden) as err:
        name = getattr(err, "name", None) or ""
        line, column = _find(path, rb"<!ENTITY\s+(?:%\s*)?" + re.escape(name.encode()))
        raise WxrError(
            f"refused entity declaration {name!r} (a possible entity-expansion or external-entity attack)",
            line,
            column,
            "WordPress exports never declare entities; nothing was imported",
        ) from None
    return replace(_export(tree.getroot()), item_lines=_item_lines(path))


def _item_lines(path: Path) -> dict[int, int]:
    """The line of each item's ``<wp:post_id>``, so that a message can point at the post."""
    data = path.read_bytes()
    lines: dict[int, int] = {}
    line, counted = 1, 0
    for match in re.finditer(rb"<wp:post_id>\s*(?:<!\[CDATA\[)?\s*(\d+)", data):
        line, counted = line + data.count(b"\n", counted, match.start()), match.start()
        lines.setdefault(int(match.group(1)), line)
    return lines


def _find(path: Path, pattern: bytes) -> tuple[int, int]:
    """1-based line and column of the first match of ``pattern`` in the file, or (0, 0)."""
    data = path.read_bytes()
    match = re.search(pattern, data)
    if not match:
        return 0, 0
    start = match.start()
    line_start = data.rfind(b"\n", 0, start) + 1
    return data.count(b"\n", 0, start) + 1, start - line_start + 1


def _export(root: ET.Element) -> Export:
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise WxrError("not a WordPress export: expected <rss><channel>", hint="export with Tools > Export in WordPress")
    wp = _wp_namespace(channel)
    version = _text(channel, f"{{{wp}}}wxr_version")
    excerpt_ns = f"{wp}excerpt/"
    authors = tuple(
        Author(
            login=_text(el, f"{{{wp}}}author_login"),
            display_name=_text(el, f"{{{wp}}}author_display_name") or _text(el, f"{{{wp}}}author_login"),
            user_id=_int(_text(el, f"{{{wp}}}author_id")),
        )
        for el in channel.findall(f"{{{wp}}}author")
    )
    items = tuple(_item(el, wp, excerpt_ns) for el in channel.findall("item"))
    link = _text(channel, "link")
    return Export(
        version=version,
        title=_text(channel, "title"),
        link=link,
        base_url=_text(channel, f"{{{wp}}}base_blog_url") or link,
        pub_date=_rfc822(_text(channel, "pubDate")),
        authors=authors,
        items=items,
        description=_text(channel, "description"),
        language=_text(channel, "language"),
    )


def _wp_namespace(channel: ET.Element) -> str:
    """The ``wp:`` namespace URI of this export, which carries the WXR version."""
    for child in channel:
        if child.tag.endswith("}wxr_version"):
            uri = child.tag[1:].split("}")[0]
            if _WP_NS.match(uri):
                return uri
    raise WxrError(
        "not a WordPress export: no <wp:wxr_version> in the channel",
        hint="export with Tools > Export in WordPress (WXR 1.0 to 1.2)",
    )


def _item(el: ET.Element, wp: str, excerpt_ns: str) -> Item:
    meta = {
        _text(m, f"{{{wp}}}meta_key"): _text(m, f"{{{wp}}}meta_value") for m in el.findall(f"{{{wp}}}postmeta")
    }
    return Item(
        id=_int(_text(el, f"{{{wp}}}post_id")),
        title=_text(el, "title"),
        link=_text(el, "link"),
        creator=_text(el, f"{{{DC_NS}}}creator"),
        content=_text(el, f"{{{CONTENT_NS}}}encoded"),
        excerpt=_text(el, f"{{{excerpt_ns}}}encoded"),
        date_gmt=_mysql_date(_text(el, f"{{{wp}}}post_date_gmt"), utc=True),
        date_local=_mysql_date(_text(el, f"{{{wp}}}post_date"), utc=False),
        slug=_text(el, f"{{{wp}}}post_name"),
        status=_text(el, f"{{{wp}}}status"),
        post_type=_text(el, f"{{{wp}}}post_type") or "post",
        parent=_int(_text(el, f"{{{wp}}}post_parent")),
        menu_order=_int(_text(el, f"{{{wp}}}menu_order")),
        has_password=bool(_text(el, f"{{{wp}}}post_password")),
        attachment_url=_text(el, f"{{{wp}}}attachment_url"),
        image_alt=meta.get("_wp_attachment_image_alt", ""),
        thumbnail=_int(meta.get("_thumbnail_id", "")),
        terms=tuple(
            Term(domain=c.get("domain", ""), nicename=c.get("nicename", ""), name=(c.text or "").strip())
            for c in el.findall("category")
        ),
        comments=tuple(_comment(c, wp) for c in el.findall(f"{{{wp}}}comment")),
    )


def _comment(el: ET.Element, wp: str) -> Comment:
    # Deliberately not read: comment_author_email and comment_author_IP.
    return Comment(
        id=_int(_text(el, f"{{{wp}}}comment_id")),
        parent=_int(_text(el, f"{{{wp}}}comment_parent")),
        author=_text(el, f"{{{wp}}}comment_author"),
        url=_text(el, f"{{{wp}}}comment_author_url"),
        date_gmt=_mysql_date(_text(el, f"{{{wp}}}comment_date_gmt"), utc=True),
        date_local=_mysql_date(_text(el, f"{{{wp}}}comment_date"), utc=False),
        content=_text(el, f"{{{wp}}}comment_content", strip=False),
        approved=_text(el, f"{{{wp}}}comment_approved"),
        type=_text(el, f"{{{wp}}}comment_type"),
        user_id=_int(_text(el, f"{{{wp}}}comment_user_id")),
    )


def _text(el: ET.Element, tag: str, strip: bool = True) -> str:
    child = el.find(tag)
    if child is None or child.text is None:
        return ""
    return child.text.strip() if strip else child.text


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0


def _mysql_date(text: str, utc: bool) -> datetime | None:
    """``2011-05-18 21:40:00`` as a datetime (aware UTC when ``utc``); None for 0000-00-00."""
    try:
        value = datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return value.replace(tzinfo=timezone.utc) if utc else value


def _rfc822(text: str) -> datetime | None:
    """The channel's ``pubDate`` (``Thu, 19 May 2011 10:00:00 +0000``), or None."""
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def local_time(gmt: datetime | None, local: datetime | None, zone: ZoneInfo) -> datetime | None:
    """A WordPress date in the site's timezone: the GMT one, else the local one read there."""
    if gmt is not None:
        return gmt.astimezone(zone)
    if local is not None:
        return local.replace(tzinfo=zone)
    return None


def sort_key(moment: datetime | None) -> datetime:
    """An aware datetime to sort by; an unknown date sorts first."""
    return moment.astimezone(timezone.utc) if moment else datetime.min.replace(tzinfo=timezone.utc)
