"""The comments of a case study as the snapshot froze them: comments, replies and threads from other platforms.

Part of the site model (``generator.model`` re-exports every name): frozen, slotted
dataclasses, since a large site has tens of thousands of comments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


COMMENT_SOURCES: tuple[str, ...] = ("blog", "twitter", "facebook", "linkedin", "email", "other")
#: Where a snapshot's threads come from, with the name pages show.
PLATFORMS: dict[str, str] = {"bluesky": "Bluesky", "mastodon": "Mastodon", "webmention": "Webmentions", "twitter": "Twitter"}
#: What a thread comment may have become instead of a post: shown as a placeholder, without a body.
COMMENT_STATUSES: dict[str, str] = {
    "deleted": "deleted since an earlier snapshot",
    "not-found": "deleted, or not found",
    "blocked": "hidden: its author blocks or is blocked",
}


@dataclass(frozen=True, slots=True)
class Comment:
    """One comment of a snapshot, with its replies threaded beneath it."""

    id: str
    author: str
    person: str
    url: str
    date: datetime
    source: str
    body_html: str
    replies: tuple[Comment, ...] = ()
    handle: str = ""  # the author's handle on the thread's platform ('@ali.bsky.social')
    original: str = ""  # the link to the original post
    status: str = ""  # a key of COMMENT_STATUSES: a placeholder, shown without its body


@dataclass(frozen=True, slots=True)
class Thread:
    """A conversation frozen from a platform: its replies threaded, its likes and reposts counted."""

    platform: str  # a key of PLATFORMS
    url: str  # the original post (or, for Webmentions, the page they were sent to)
    taken: datetime
    comments: tuple[Comment, ...]  # top level; replies nest
    count: int
    likes: int = 0
    reposts: int = 0

    @property
    def label(self) -> str:
        return PLATFORMS[self.platform]


@dataclass(frozen=True, slots=True)
class CommentSnapshot:
    """The comments a post had when the snapshot was taken, and the threads frozen from other platforms."""

    taken: datetime | None  # None when the file holds only threads
    source: str
    comments: tuple[Comment, ...]  # top level; replies nest
    count: int
    threads: tuple[Thread, ...] = ()

    def find(self, original: str) -> Comment | None:
        """The thread comment whose original post is at ``original``, if the snapshot holds one."""
        wanted = original.rstrip("/")
        stack = [comment for thread in self.threads for comment in thread.comments]
        while stack:
            comment = stack.pop()
            if comment.original and comment.original.rstrip("/") == wanted:
                return comment
            stack.extend(comment.replies)
        return None
