"""Webmentions from a webmention.io JF2 feed: replies and mentions become comments, likes and reposts are counted."""

from __future__ import annotations

import json
import urllib.parse
from collections import Counter
from pathlib import Path
from typing import Any

from generator.snapshot.http import TIMEOUT, get_json
from generator.snapshot.model import Fetched, Post, SnapshotError, parents_first
from generator.snapshot.shapes import field, timestamp
from generator.snapshot.text import html_to_safe_markdown, plain_to_markdown

DEFAULT_API = "https://webmention.io"
PER_PAGE = 100
LISTED = ("in-reply-to", "mention-of")


def from_file(path: Path) -> list[dict]:
    """The entries of a saved JF2 feed."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SnapshotError(f"cannot read {path}: {error.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        where = f" (line {error.lineno}, column {error.colno})" if isinstance(error, json.JSONDecodeError) else ""
        raise SnapshotError(f"{path} is not valid JSON{where}", "save the feed again from webmention.io") from None
    return field(data, "children", list, "the JF2 feed")


def from_api(target: str, token: str, api_base: str | None, limit: int, timeout: float = TIMEOUT) -> list[dict]:
    """Every mention of ``target``, page by page, from the webmention.io API."""
    base = (api_base or DEFAULT_API).rstrip("/")
    entries: list[dict] = []
    for page in range(0, limit // PER_PAGE + 2):
        query = urllib.parse.urlencode({"target": target, "token": token, "per-page": PER_PAGE, "page": page})
        children = field(get_json(f"{base}/api/mentions.jf2?{query}", timeout=timeout), "children", list, "the JF2 feed")
        entries.extend(children)
        if len(entries) > limit:
            raise SnapshotError(f"the page has more than {limit} mentions, the limit", "raise it with --max-posts; nothing was changed")
        if len(children) < PER_PAGE:
            break
    return entries


def _target(entries: list[dict], wanted: str | None) -> str:
    targets = Counter(entry.get("wm-target") for entry in entries if isinstance(entry, dict) and isinstance(entry.get("wm-target"), str))
    if wanted:
        return wanted
    if len(targets) == 1:
        return next(iter(targets))
    if not targets:
        raise SnapshotError("the feed holds no mentions with a 'wm-target'", "is it a webmention.io JF2 feed?")
    raise SnapshotError(f"the feed mentions {len(targets)} pages", "name the story's page with --target URL")


def _body(entry: dict, target: str) -> str:
    content = entry.get("content")
    if isinstance(content, dict):
        if isinstance(content.get("html"), str) and content["html"].strip():
            return html_to_safe_markdown(content["html"], target)
        if isinstance(content.get("text"), str):
            return plain_to_markdown(content["text"])
    summary = entry.get("summary")
    if isinstance(summary, dict) and isinstance(summary.get("value"), str):
        return plain_to_markdown(summary["value"])
    return "*(mentioned this page without a text)*"


def convert(entries: list[Any], target: str | None) -> Fetched:
    """The mentions of one page as a thread."""
    page = _target(entries, target)
    chosen = [e for e in entries if isinstance(e, dict) and e.get("wm-target", page) == page and not e.get("wm-private")]
    tally = Counter(str(entry.get("wm-property", "")) for entry in chosen)
    listed = [entry for entry in chosen if entry.get("wm-property") in LISTED]
    by_url = {entry.get("url"): str(entry.get("wm-id")) for entry in listed if isinstance(entry.get("url"), str)}
    posts = []
    for entry in sorted(listed, key=lambda e: (str(e.get("published") or e.get("wm-received")), str(e.get("wm-id")))):
        key = str(field(entry, "wm-id", (int, str), "a mention"))
        author = entry.get("author") if isinstance(entry.get("author"), dict) else {}
        url = field(entry, "url", str, f"mention {key}")
        profile = author.get("url") if isinstance(author.get("url"), str) and author["url"].startswith(("http://", "https://")) else ""
        name = author.get("name").strip() if isinstance(author.get("name"), str) else ""
        parent = by_url.get(entry.get("in-reply-to"), "") if entry.get("in-reply-to") != page else ""
        posts.append(Post(
            key=key, parent=parent if parent != key else "", author=name or urllib.parse.urlsplit(profile or url).netloc or "someone",
            handle="", profile=profile, original=url if url.startswith(("http://", "https://")) else "",
            date=timestamp(entry.get("published") or entry.get("wm-received"), f"mention {key}"), body=_body(entry, url),
        ))
    return Fetched("webmention", page, parents_first(posts), likes=tally["like-of"], reposts=tally["repost-of"], id_prefix="wm-")

