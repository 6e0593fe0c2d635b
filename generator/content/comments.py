"""``comments.yaml`` -> a threaded ``CommentSnapshot``."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import Any

import yaml

from generator.content.dates import datetime_field
from generator.content.fields import (
    INVALID, Fields, describe, expect_mapping, identifier, list_of, nonempty_text, one_of, text, web_url,
)
from generator.content.source import Source
from generator.markdown import MAX_NESTING, render_comment
from generator.model import COMMENT_SOURCES, COMMENT_STATUSES, PLATFORMS, Comment, CommentSnapshot, Thread

# Not after '@' or a word character: '@ali@mastodon.example' is a fediverse handle, not an address.
EMAIL = re.compile(r"(?<![@\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)
#: Replies nest at most this deep; deeper ones continue at this depth.
MAX_DEPTH = 6
_PHONE = re.compile(r"(?<![\w/])\+?\d[\d ().-]{7,}\d(?!\w)")


@dataclass(frozen=True)
class _Flat:
    """A comment before threading: its own fields plus the id it replies to."""

    comment: Comment
    reply_to: str
    reply_node: yaml.Node | None
    date: datetime
    id_node: yaml.Node | None = None  # where these are written, for errors about them
    person_node: yaml.Node | None = None


def _warn_private(source: Source, node: yaml.Node, body: str) -> None:
    """Snapshots quote real people: flag contact details that should not be republished."""
    if EMAIL.search(body):
        source.error(node, "this comment contains an e-mail address", "remove it before publishing", warning=True)
    if any(sum(ch.isdigit() for ch in match.group()) >= 9 for match in _PHONE.finditer(body)):
        source.error(node, "this comment seems to contain a phone number", "remove it before publishing", warning=True)


def _read_comment(source: Source, node: yaml.Node, zone: tzinfo, number: int, platform: str = "", prefix: str = "") -> Any:
    """One comment: a blog comment, or (with ``platform``) a post of a thread."""
    mapping = expect_mapping(source, node, "a comment")
    if mapping is None:
        return INVALID
    fields = Fields(source, mapping, "a comment")
    status = fields.get("status", one_of(tuple(COMMENT_STATUSES), "comment status"), "") if platform else ""
    values = {
        "id": fields.get("id", identifier, f"{prefix}comment-{number}"),
        "author": fields.get("author", nonempty_text, "", required=not status),
        "person": fields.get("person", identifier, ""),
        "url": fields.get("url", web_url, ""),
        "date": fields.get("date", datetime_field(zone), required=True),
    }
    if platform:
        values.update(source=platform, handle=fields.get("handle", nonempty_text, ""), status=status,
                      original=fields.get("original", web_url, ""))
        fields.get("digest", text)  # written by `introchain snapshot` to tell hand edits apart; not shown
    else:
        values["source"] = fields.get("source", one_of(COMMENT_SOURCES, "comment source"), "blog")
    body = fields.get("body", nonempty_text, "", required=not status)
    reply_to = fields.get("reply_to", identifier, "")
    fields.finish()
    if body:
        _warn_private(source, fields.node_of("body"), body)
    if INVALID in (body, reply_to, status) or any(value is INVALID for value in values.values()):
        return INVALID
    if status and not values["author"]:
        values["author"] = "someone"
    body_html = ""
    if body and not status:
        body_html, too_deep = render_comment(body)
        if too_deep is not None:
            _too_deep(source, fields.node_of("body"), too_deep)
            return INVALID
    comment = Comment(body_html=body_html, **values)
    return _Flat(comment, reply_to, fields.node_of("reply_to"), values["date"], fields.node_of("id"),
                 fields.node_of("person"))


def _too_deep(source: Source, node: yaml.Node, line: int) -> None:
    # A block scalar's text starts on the line after its '|' or '>'.
    block = isinstance(node, yaml.ScalarNode) and node.style in ("|", ">")
    source.error_at(node.start_mark.line + 1 + line + block, 1, f"this comment nests quotes, lists or emphasis more than "
                    f"{MAX_NESTING} levels deep", "flatten it: deeper levels cannot be shown")


def _thread(source: Source, flat: list[_Flat]) -> tuple[Comment, ...]:
    """Nest replies under their parents; replies to unknown or later ids are errors.

    Threads deeper than ``MAX_DEPTH`` continue at that depth (as WordPress does), so a
    pathological chain of replies cannot nest pages (or recursion) without bound.
    """
    by_id = {item.comment.id: item for item in flat}
    position = {item.comment.id: index for index, item in enumerate(flat)}
    parent_of: dict[str, str] = {}
    depth: dict[str, int] = {}
    for item in flat:
        comment_id, parent = item.comment.id, item.reply_to
        depth[comment_id] = 1
        if not parent:
            continue
        if parent not in by_id:
            known = ", ".join(sorted(by_id)) or "none"
            source.error(item.reply_node, f"reply_to '{parent}': no comment in this file has that id",
                         f"comment ids here: {known}")
        elif position[parent] >= position[comment_id]:
            source.error(item.reply_node, f"reply_to '{parent}' points at a later comment",
                         "list a comment before its replies")
        else:
            while depth[parent] >= MAX_DEPTH:
                parent = parent_of[parent]
            parent_of[comment_id] = parent
            depth[comment_id] = depth[parent] + 1
    children: dict[str, list[Comment]] = {}
    roots: list[Comment] = []
    # Replies always come after their parents, so building backwards finds children ready.
    for item in reversed(flat):
        comment_id = item.comment.id
        replies = sorted(children.pop(comment_id, ()), key=lambda c: (c.date, c.id))
        built = replace(item.comment, replies=tuple(replies))
        if comment_id in parent_of:
            children.setdefault(parent_of[comment_id], []).append(built)
        else:
            roots.append(built)
    return tuple(sorted(roots, key=lambda c: (c.date, c.id)))


def _count(source: Source, node: yaml.Node) -> Any:
    """A whole number of at least 0 (likes, reposts)."""
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":int") and node.value.isdigit():
        return int(node.value)
    source.error(node, f"expected a whole number of at least 0, found {describe(node)}")
    return INVALID


def _read_list(source: Source, list_node: yaml.Node | None, zone: tzinfo, platform: str, references: list,
               id_nodes: dict[str, yaml.Node], prefix: str = "") -> tuple[Comment, ...] | None:
    """A list of comments, threaded; None when any of them has an error.

    ``id_nodes`` holds the ids already used in the file: ids are anchors on one page, so
    they are unique across the blog's comments and every thread.
    """
    flat: list[_Flat] = []
    failed = False
    if list_node is None or (isinstance(list_node, yaml.ScalarNode) and list_node.tag.endswith(":null")):
        return ()
    if not isinstance(list_node, yaml.SequenceNode):
        source.error(list_node, f"'comments' must be a list, not {describe(list_node)}")
        return None
    for number, child in enumerate(list_node.value, start=1):
        if not source.visit(child):
            return None
        item = _read_comment(source, child, zone, number, platform, prefix)
        if item is INVALID:
            failed = True
            continue
        if item.comment.id in id_nodes:
            line = id_nodes[item.comment.id].start_mark.line + 1
            source.error(item.id_node or child, f"comment id '{item.comment.id}' is used twice in this file (first on line {line})",
                         "give each comment its own id")
            failed = True
            continue
        id_nodes[item.comment.id] = item.id_node or child
        if item.comment.person:
            references.append((item.comment.person, item.person_node or child))
        flat.append(item)
    errors_before = len(source.errors)
    threaded = _thread(source, flat)
    if failed or len(source.errors) != errors_before:
        return None
    return threaded


def _size(comments: tuple[Comment, ...]) -> int:
    return sum(1 + _size(comment.replies) for comment in comments)


def _read_thread(source: Source, node: yaml.Node, zone: tzinfo, references: list, id_nodes: dict, number: int) -> Any:
    """One thread of ``threads:``: where it was taken from, when, and its comments."""
    mapping = expect_mapping(source, node, "a thread")
    if mapping is None:
        return INVALID
    fields = Fields(source, mapping, "a thread")
    platform = fields.get("platform", one_of(tuple(PLATFORMS), "platform"), required=True)
    url = fields.get("url", web_url, required=True)
    taken = fields.get("taken", datetime_field(zone), required=True)
    likes = fields.get("likes", _count, 0)
    reposts = fields.get("reposts", _count, 0)
    fields.get("fetched", list_of(identifier), ())  # ids snapshot wrote (see docs/snapshots.md)
    list_node = fields.node_of("comments")
    fields.finish(extra_known=("comments",))
    if platform is INVALID:
        return INVALID
    comments = _read_list(source, list_node, zone, platform, references, id_nodes, f"thread-{number}-")
    if comments is None or INVALID in (url, taken, likes, reposts):
        return INVALID
    return Thread(platform, url, taken, comments, _size(comments), likes, reposts)


def read_comments(source: Source, node: yaml.Node | None, zone: tzinfo) -> tuple[CommentSnapshot | None, tuple]:
    """Validate comments.yaml; returns the snapshot (None on errors) and the person references.

    The blog's own comments sit at the top level (``taken``, ``source``, ``comments``);
    ``threads`` holds conversations frozen from other platforms. A file may hold either or both.
    """
    mapping = expect_mapping(source, node, "comments.yaml")
    if mapping is None:
        return None, ()
    fields = Fields(source, mapping, "comments.yaml")
    threads_node = fields.node_of("threads")
    blog = threads_node is None or fields.node_of("comments") is not None
    taken = fields.get("taken", datetime_field(zone), None, required=blog)
    origin = fields.get("source", web_url, "", required=blog)
    list_node = fields.node_of("comments")
    fields.finish(extra_known=("comments", "threads"))
    references: list = []
    id_nodes: dict[str, yaml.Node] = {}
    threaded = _read_list(source, list_node, zone, "", references, id_nodes)
    threads: list[Thread] = []
    failed = threaded is None or INVALID in (taken, origin)
    if threads_node is not None and not (isinstance(threads_node, yaml.ScalarNode) and threads_node.tag.endswith(":null")):
        if not isinstance(threads_node, yaml.SequenceNode):
            source.error(threads_node, f"'threads' must be a list, not {describe(threads_node)}")
            return None, tuple(references)
        for number, child in enumerate(threads_node.value, start=1):
            if not source.visit(child):
                return None, tuple(references)
            thread = _read_thread(source, child, zone, references, id_nodes, number)
            failed = failed or thread is INVALID
            if thread is not INVALID:
                threads.append(thread)
    if failed:
        return None, tuple(references)
    return CommentSnapshot(taken=taken, source=origin, comments=threaded, count=_size(threaded),
                           threads=tuple(threads)), tuple(references)
