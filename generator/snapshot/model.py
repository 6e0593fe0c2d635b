"""What every source hands the merge: a thread's posts, plain and in reply order."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime


class SnapshotError(Exception):
    """A snapshot that cannot be taken: one message for the author, and a hint."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Post:
    """One post of a thread as fetched: ``key`` is the platform's own id, the merge key."""

    key: str
    parent: str  # the key of the post it replies to, '' at the top
    author: str
    handle: str
    profile: str  # the author's page on the platform ('' when unknown)
    original: str  # the post itself on the platform
    date: datetime
    body: str  # Markdown ('' for a placeholder)
    status: str = ""  # 'not-found' or 'blocked' for a placeholder the platform returned


@dataclass(frozen=True)
class Fetched:
    """A whole thread: where it is, its posts (parents before replies), likes and reposts."""

    platform: str
    url: str
    posts: tuple[Post, ...]
    likes: int = 0
    reposts: int = 0
    id_prefix: str = ""  # comment ids are the prefix and the post's key, made safe


def parents_first(posts: list[Post]) -> tuple[Post, ...]:
    """Posts in their given order, except that a reply comes right after the thread it answers.

    A reply to a post that is not in the list (or to itself, or in a loop) moves to the top.
    """
    keys = {post.key for post in posts}
    children: dict[str, list[Post]] = {}
    tops: list[Post] = []
    for post in posts:
        if post.parent and post.parent in keys and post.parent != post.key:
            children.setdefault(post.parent, []).append(post)
        else:
            tops.append(post if not post.parent else replace(post, parent=""))
    ordered: list[Post] = []
    seen: set[str] = set()
    stack = list(reversed(tops))
    while stack:
        post = stack.pop()
        if post.key in seen:
            continue
        seen.add(post.key)
        ordered.append(post)
        stack.extend(reversed(children.get(post.key, [])))
    # Posts only reachable through a loop of replies: at the top, in their given order.
    ordered += [replace(post, parent="") for post in posts if post.key not in seen and not seen.add(post.key)]
    return tuple(ordered)
