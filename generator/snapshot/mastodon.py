"""A Mastodon thread: the public status and ``GET /api/v1/statuses/:id/context``, rebuilt into a tree."""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

from generator.snapshot.http import TIMEOUT, get_json
from generator.snapshot.model import Fetched, Post, SnapshotError, parents_first
from generator.snapshot.shapes import count, field, timestamp
from generator.snapshot.text import escape, html_to_safe_markdown

STATUS_URL = re.compile(r"^(?P<base>https?://[^/?#]+)/(?:@(?P<user>[^/?#]+)|users/(?P<local>[^/?#]+)/statuses)/(?P<id>\d+)/?(?:[?#].*)?$")


def matches(source: str) -> bool:
    return bool(STATUS_URL.match(source))


def _post(status: dict, parent: str, host: str, base: str) -> Post:
    status_id = field(status, "id", str, "a status")
    account = field(status, "account", dict, f"status {status_id}")
    username = field(account, "username", str, f"status {status_id}'s account")
    acct = account.get("acct") if isinstance(account.get("acct"), str) else username
    handle = "@" + (acct if "@" in acct else f"{acct}@{host}")
    name = account.get("display_name") if isinstance(account.get("display_name"), str) else ""
    body = html_to_safe_markdown(field(status, "content", str, f"status {status_id}"), base)
    warning = status.get("spoiler_text") if isinstance(status.get("spoiler_text"), str) else ""
    if warning.strip():
        body = f"*Content warning: {escape(warning.strip())}*\n\n{body}"
    original = status.get("url") or status.get("uri") or ""
    return Post(
        key=status_id, parent=parent, author=name.strip() or username, handle=handle,
        profile=account.get("url") if isinstance(account.get("url"), str) else "",
        original=original if isinstance(original, str) and original.startswith(("http://", "https://")) else "",
        date=timestamp(status.get("created_at"), f"status {status_id}"),
        body=body or "*(no text)*",
    )


def fetch(url: str, api_base: str | None, limit: int, timeout: float = TIMEOUT) -> Fetched:
    """The status at ``url`` and every public reply below it."""
    match = STATUS_URL.match(url)
    if not match:
        raise SnapshotError(f"not a Mastodon status link: {url}", "copy it from the post: https://INSTANCE/@USER/ID")
    base = (api_base or match.group("base")).rstrip("/")
    host = urllib.parse.urlsplit(match.group("base")).netloc
    status_id = match.group("id")
    root = get_json(f"{base}/api/v1/statuses/{status_id}", timeout=timeout, not_found=f"the Mastodon status {url} was deleted or cannot be found")
    if not isinstance(root, dict):
        raise SnapshotError("unexpected response: the status is not a JSON object", "nothing was changed")
    context = get_json(f"{base}/api/v1/statuses/{status_id}/context", timeout=timeout,
                       not_found=f"the Mastodon status {url} was deleted or cannot be found")
    descendants = field(context, "descendants", list, "the status context")
    if len(descendants) + 1 > limit:
        raise SnapshotError(f"the thread has {len(descendants) + 1} posts, more than the limit of {limit}",
                            "raise it with --max-posts; nothing was changed")
    posts = [_post(root, "", host, match.group("base"))]
    public = [s for s in descendants if isinstance(s, dict) and s.get("visibility", "public") in ("public", "unlisted")]
    known = {posts[0].key} | {s.get("id") for s in public}
    # A reply whose parent is not in the context (not public, or deleted) hangs under the root.
    for status in sorted(public, key=lambda s: (str(s.get("created_at")), str(s.get("id")))):
        parent = status.get("in_reply_to_id") if status.get("in_reply_to_id") in known else posts[0].key
        posts.append(_post(status, parent, host, match.group("base")))
    return Fetched("mastodon", url.split("?")[0].split("#")[0].rstrip("/"), parents_first(posts),
                   likes=count(root, "favourites_count"), reposts=count(root, "reblogs_count"), id_prefix="masto-")

