"""Merge a fetched thread into the text of a story's comments.yaml.

Only the ``threads:`` block is rewritten; every byte outside it (the blog's own comments,
the author's YAML comments) is kept. A new block goes before a trailing blog ``comments:``
list, so that importers can go on appending to that list. Within a thread, comments are keyed by their id,
which is made from the original post's id:

- a post seen for the first time is added (under its parent, or the nearest ancestor kept);
- a post that is gone from the platform is marked ``status: deleted``;
- a comment the author edited by hand (its ``digest`` no longer matches) is never changed,
  and one the author removed (listed under ``fetched`` but no longer in the file) never
  comes back.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime

import yaml

from generator.importers.writer import Timestamp, dump, iso
from generator.snapshot.model import Fetched, Post, SnapshotError

_DATE_KEYS = ("date", "taken")
_COMMENT_ORDER = ("id", "author", "handle", "url", "original", "date", "reply_to", "status", "body", "digest")
_UNSAFE_ID = re.compile(r"[^a-z0-9-]+")


class _Loader(yaml.SafeLoader):
    """Safe loading that leaves dates as the text they were written as, so they are written back unchanged."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class Changes:
    """What a merge did (or, with --dry-run, would do)."""

    added: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    kept_edited: list[str] = field(default_factory=list)
    kept_removed: list[str] = field(default_factory=list)
    new_thread: bool = False
    counts_changed: bool = False

    @property
    def any(self) -> bool:
        return bool(self.added or self.deleted or self.new_thread or self.counts_changed)


def comment_id(fetched: Fetched, key: str) -> str:
    """The comment id of a post: the source's prefix and the post's own id, as an identifier."""
    return fetched.id_prefix + (_UNSAFE_ID.sub("-", key.lower()).strip("-") or "post")


def digest(comment: dict) -> str:
    """A short fingerprint of a comment as snapshot wrote it: a different one means a hand edit."""
    data = {key: str(value) for key, value in comment.items() if key != "digest"}
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def _comment(fetched: Fetched, post: Post, parent_id: str) -> dict:
    values = {
        "id": comment_id(fetched, post.key), "author": post.author, "handle": post.handle, "url": post.profile,
        "original": post.original, "date": iso(post.date), "reply_to": parent_id, "status": post.status,
        "body": post.body if not post.status else "",
    }
    comment = {key: values[key] for key in _COMMENT_ORDER if values.get(key)}
    comment["digest"] = digest(comment)
    return comment


def _dated(value: object) -> object:
    """Date values read as text are written back as plain YAML timestamps."""
    return Timestamp(value) if isinstance(value, str) else value


def _plain(thread: dict) -> dict:
    """A thread read from the file, with its dates ready to be written back as they were."""
    out = {key: (_dated(value) if key in _DATE_KEYS else value) for key, value in thread.items()}
    out["comments"] = [{key: (_dated(value) if key in _DATE_KEYS else value) for key, value in comment.items()}
                       for comment in thread.get("comments") or [] if isinstance(comment, dict)]
    return out


def _merge_thread(thread: dict, fetched: Fetched, taken: datetime, changes: Changes) -> dict:
    comments: list[dict] = thread["comments"]
    present = {str(comment.get("id")): comment for comment in comments}
    fetched_before = set(str(item) for item in thread.get("fetched") or ()) | set(present)
    fresh = {comment_id(fetched, post.key): post for post in fetched.posts}
    kept_parent: dict[str, str] = {}  # post id -> the comment id its replies hang under
    for post in fetched.posts:
        own = comment_id(fetched, post.key)
        parent = kept_parent.get(comment_id(fetched, post.parent), "") if post.parent else ""
        if own in present:
            kept_parent[own] = own
            continue
        if own in fetched_before:  # removed by hand: leave it out, and hang its replies higher up
            changes.kept_removed.append(own)
            kept_parent[own] = parent or ""
            continue
        comments.append(_comment(fetched, post, parent or ""))
        present[own] = comments[-1]
        kept_parent[own] = own
        changes.added.append(own)
    for comment in comments:
        own = str(comment.get("id"))
        # Gone from the platform, or now only a placeholder there (deleted, with replies left).
        gone = own not in fresh or (fresh[own].status and not comment.get("status"))
        if not gone or "digest" not in comment or comment.get("status") == "deleted":
            continue
        if digest(comment) != str(comment["digest"]):
            changes.kept_edited.append(own)
            continue
        comment["status"] = "deleted"
        comment.pop("body", None)
        written = {key: comment[key] for key in _COMMENT_ORDER if key in comment and key != "digest"}
        written["digest"] = digest(written)
        comment.clear()
        comment.update(written)
        changes.deleted.append(own)
    changes.counts_changed = (thread.get("likes", 0), thread.get("reposts", 0)) != (fetched.likes, fetched.reposts)
    if changes.any:
        thread["taken"] = iso(taken)
    thread["likes"], thread["reposts"] = fetched.likes, fetched.reposts
    thread["fetched"] = sorted(fetched_before | set(present))
    return thread


def _ordered_thread(thread: dict) -> dict:
    order = ("platform", "url", "taken", "likes", "reposts", "fetched", "comments")
    out = {key: thread[key] for key in order if key in thread and not (key in ("likes", "reposts") and not thread[key])}
    out.update((key, value) for key, value in thread.items() if key not in order)
    return out


def _threads_span(text: str) -> tuple[int, int, list]:
    """Where the ``threads:`` block is in ``text`` (start, end) and its threads; (len, len, []) when there is none."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as error:
        raise SnapshotError(f"comments.yaml is not valid YAML ({getattr(error, 'problem', None) or error})",
                            "fix it first: introchain check") from None
    if root is None:
        return len(text), len(text), []
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise SnapshotError("comments.yaml must be a block mapping for snapshot to add to it", "write one key per line")
    keys = [key for key, _ in root.value]
    for index, (key, value) in enumerate(root.value):
        if key.value == "threads":
            start = text.rfind("\n", 0, key.start_mark.index) + 1
            end = text.rfind("\n", 0, keys[index + 1].start_mark.index) + 1 if index + 1 < len(keys) else len(text)
            threads = yaml.load(text[start:end], Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
            listed = threads.get("threads") if isinstance(threads, dict) else None
            return start, end, [t for t in listed if isinstance(t, dict)] if isinstance(listed, list) else []
    if keys and keys[-1].value == "comments":
        # Before a trailing blog 'comments:' list, which `import disqus` appends to at the end of the file.
        start = text.rfind("\n", 0, keys[-1].start_mark.index) + 1
        return start, start, []
    return len(text), len(text), []


def merge(text: str | None, fetched: Fetched, taken: datetime) -> tuple[str, Changes]:
    """The new text of comments.yaml and what changed; ``text`` is the file as it is (None when there is none)."""
    text = text or ""
    start, end, threads = _threads_span(text)
    changes = Changes()
    threads = [_plain(thread) for thread in threads]
    same = [thread for thread in threads if (thread.get("platform"), str(thread.get("url", "")).rstrip("/")) == (fetched.platform, fetched.url)]
    if same:
        _merge_thread(same[0], fetched, taken, changes)
    else:
        changes.new_thread = True
        thread = {"platform": fetched.platform, "url": fetched.url, "taken": iso(taken), "comments": []}
        threads.append(_merge_thread(thread, fetched, taken, changes))
    if not changes.any:
        return text, changes
    block = dump({"threads": [_ordered_thread(thread) for thread in threads]})
    before, after = text[:start], text[end:]
    if before and not before.endswith("\n"):
        before += "\n"
    return before + block + after, changes
