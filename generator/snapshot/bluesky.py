"""A Bluesky thread: resolve the handle, then ``app.bsky.feed.getPostThread`` on the public AppView."""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

from generator.snapshot.http import TIMEOUT, get_json
from generator.snapshot.model import Fetched, Post, SnapshotError
from generator.snapshot.shapes import count, field, timestamp
from generator.snapshot.text import facets_to_markdown

POST_URL = re.compile(r"^https?://(?:www\.)?bsky\.app/profile/(?P<actor>[^/?#]+)/post/(?P<rkey>[A-Za-z0-9._:~-]+)/?(?:[?#].*)?$")
DEFAULT_API = "https://public.api.bsky.app"
PROFILE = "https://bsky.app/profile/"
#: The deepest replies getPostThread returns (the lexicon's maximum).
DEPTH = 1000


def matches(source: str) -> bool:
    return bool(POST_URL.match(source))


def _xrpc(base: str, method: str, **params: Any) -> str:
    return f"{base.rstrip('/')}/xrpc/{method}?{urllib.parse.urlencode(params)}"


def _rkey(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def _did(uri: str) -> str:
    return uri.removeprefix("at://").split("/", 1)[0]


def _kind(node: Any) -> str:
    kind = node.get("$type", "") if isinstance(node, dict) else ""
    if not kind and isinstance(node, dict):  # older AppViews left out $type on the root
        kind = "#notFoundPost" if node.get("notFound") else "#blockedPost" if node.get("blocked") else "#threadViewPost"
    return kind.rsplit("#", 1)[-1]


def _post(node: dict, parent: str) -> Post:
    post = field(node, "post", dict, "a thread post")
    uri = field(post, "uri", str, "a post")
    author = field(post, "author", dict, "a post")
    handle = field(author, "handle", str, "a post's author")
    record = field(post, "record", dict, "a post")
    text = field(record, "text", str, "a post's record")
    name = (author.get("displayName") or "").strip() if isinstance(author.get("displayName"), str) else ""
    return Post(
        key=_rkey(uri), parent=parent, author=name or handle, handle="@" + handle, profile=PROFILE + handle,
        original=f"{PROFILE}{handle}/post/{_rkey(uri)}", date=timestamp(record.get("createdAt") or post.get("indexedAt"), "a post"),
        body=facets_to_markdown(text, record.get("facets"), PROFILE),
    )


def _placeholder(node: dict, parent: str, status: str, date) -> Post:
    uri = field(node, "uri", str, f"a {status} post")
    did = _did(uri)
    return Post(key=_rkey(uri), parent=parent, author="", handle="", profile="",
                original=f"{PROFILE}{did}/post/{_rkey(uri)}", date=date, body="", status=status)


def _walk(root: dict, limit: int) -> list[Post]:
    """Every post, parents before replies; replies in the order the AppView gave them."""
    posts: list[Post] = []
    stack: list[tuple[Any, str, Any]] = [(root, "", None)]
    while stack:
        node, parent, parent_date = stack.pop()
        kind = _kind(node)
        if kind == "threadViewPost":
            post = _post(node, parent)
            replies = node.get("replies") or []
            if not isinstance(replies, list):
                raise SnapshotError("unexpected response: a post's 'replies' is not a list", "nothing was changed")
            stack.extend((reply, post.key, post.date) for reply in reversed(replies))
        elif kind in ("notFoundPost", "blockedPost"):
            # A placeholder has no date of its own: it sits where its parent's replies begin.
            post = _placeholder(node, parent, "not-found" if kind == "notFoundPost" else "blocked", parent_date)
        else:
            continue  # a kind this version does not know: leave it out rather than guess
        posts.append(post)
        if len(posts) > limit:
            raise SnapshotError(f"the thread has more than {limit} posts, the limit", "raise it with --max-posts; nothing was changed")
    return posts


def fetch(url: str, api_base: str | None, limit: int, timeout: float = TIMEOUT) -> Fetched:
    """The thread below the post at ``url`` (a bsky.app post link)."""
    match = POST_URL.match(url)
    if not match:
        raise SnapshotError(f"not a Bluesky post link: {url}", "copy it from the post's menu: https://bsky.app/profile/HANDLE/post/ID")
    base = api_base or DEFAULT_API
    actor = urllib.parse.unquote(match.group("actor"))
    if actor.startswith("did:"):
        did = actor
    else:
        answer = get_json(_xrpc(base, "com.atproto.identity.resolveHandle", handle=actor),
                          timeout=timeout, not_found=f"the Bluesky handle @{actor} does not exist (any more)")
        did = field(answer, "did", str, "resolveHandle's answer")
    uri = f"at://{did}/app.bsky.feed.post/{match.group('rkey')}"
    answer = get_json(_xrpc(base, "app.bsky.feed.getPostThread", uri=uri, depth=DEPTH, parentHeight=0),
                      timeout=timeout, not_found=f"the Bluesky post {url} was deleted or cannot be found")
    thread = field(answer, "thread", dict, "getPostThread's answer")
    kind = _kind(thread)
    if kind == "notFoundPost":
        raise SnapshotError(f"the Bluesky post {url} was deleted or cannot be found", "nothing was changed")
    if kind == "blockedPost":
        raise SnapshotError(f"the Bluesky post {url} is hidden by a block", "nothing was changed")
    root = field(thread, "post", dict, "the thread's root")
    posts = _walk(thread, limit)
    return Fetched("bluesky", url.split("?")[0].split("#")[0].rstrip("/"), tuple(posts),
                   likes=count(root, "likeCount"), reposts=count(root, "repostCount"),
                   id_prefix="bsky-")
