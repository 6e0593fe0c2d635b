"""Attach imported comment threads (Disqus) to the stories they were written under.

A thread belongs to the story whose ``comments.yaml`` ``source`` is the thread's URL, or to
the story a URL mapping names. New comments are appended to the story's ``comments.yaml``
as text, after the comments already there, so a second import adds only what is new and
never rewrites a comment the author edited by hand.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import yaml

from generator.content.fields import suggest
from generator.importers.disqus import DisqusExport, Post
from generator.importers.markdown_convert import TooDeep, html_to_markdown
from generator.importers.people import PeopleDirectory
from generator.importers.project import ProjectError, read_mapping_file
from generator.importers.scrub import Scrubber
from generator.importers.writer import PlannedFile, dump, iso, render_comments

HEADER = "# Comment snapshot imported from Disqus: approved comments only; e-mail and IP addresses were left out.\n"


@dataclass(frozen=True)
class StoryTarget:
    """A story that comments can be attached to."""

    slug: str
    folder: Path
    comments_text: str  # "" when it has no comments.yaml yet
    source: str
    ids: frozenset[str]


@dataclass(frozen=True)
class Attached:
    """What one story gets."""

    slug: str
    added: int
    kept: int  # already there from an earlier run


@dataclass(frozen=True)
class AttachPlan:
    """Files to write, and what to tell the author."""

    files: tuple[PlannedFile, ...]
    attached: tuple[Attached, ...]
    unmatched: tuple[tuple[str, int], ...]  # (thread URL, comments) that match no story
    left_out: Mapping[str, int]
    problems: tuple[tuple[Path, str], ...]
    removed: tuple[int, int]


def normal_url(url: str) -> str:
    """A URL as compared: no scheme, ``www.``, query, fragment, trailing slash or index.html."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.removesuffix("index.html").rstrip("/")
    return f"{host}{':' + str(parts.port) if parts.port else ''}{path}"


def read_targets(content_dir: Path) -> dict[str, StoryTarget]:
    """Every story of the content folder, by slug (its front matter ``slug``, else its folder name)."""
    targets: dict[str, StoryTarget] = {}
    for folder in sorted((content_dir / "stories").glob("*/")):
        index = folder / "index.md"
        if not index.is_file():
            continue
        slug = _front_slug(index) or folder.name
        comments = folder / "comments.yaml"
        text = comments.read_text(encoding="utf-8") if comments.is_file() else ""
        data = _load(comments, text) if text else {}
        entries = data.get("comments") or [] if isinstance(data, Mapping) else []
        ids = frozenset(str(entry.get("id")) for entry in entries if isinstance(entry, Mapping) and entry.get("id"))
        source = str(data.get("source") or "") if isinstance(data, Mapping) else ""
        target = StoryTarget(slug, folder, text, source, ids)
        targets[slug] = target
        targets.setdefault(folder.name, target)
    return targets


def _front_slug(index: Path) -> str:
    text = index.read_text(encoding="utf-8")
    if not text.startswith("---\n") or "\n---" not in text[3:]:
        return ""
    try:
        front = yaml.safe_load(text[4:text.index("\n---", 3)])
    except yaml.YAMLError:
        return ""
    return str(front.get("slug") or "") if isinstance(front, Mapping) else ""


def _load(path: Path, text: str) -> object:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise ProjectError(path, f"invalid YAML: {getattr(err, 'problem', None) or err}",
                           (mark.line + 1) if mark else 0, (mark.column + 1) if mark else 0) from None


def plan_attach(export: DisqusExport, targets: Mapping[str, StoryTarget], url_map: Mapping[str, str],
                directory: PeopleDirectory, zone: ZoneInfo) -> AttachPlan:
    """Match every thread to a story and plan the comments to add."""
    by_url = {normal_url(t.source): t for t in targets.values() if t.source}
    by_url.update({normal_url(url): targets[slug] for url, slug in url_map.items() if slug in targets})
    scrubber = Scrubber()
    left_out: dict[str, int] = {"deleted": 0, "spam": 0, "unapproved": 0, "empty": 0, "nested": 0}
    per_thread: dict[str, list[Post]] = {}
    for post in export.posts:
        per_thread.setdefault(post.thread, []).append(post)
    files, attached, unmatched, problems = [], [], [], []
    grouped: dict[str, tuple[StoryTarget, list[Post]]] = {}
    for thread_id, posts in per_thread.items():
        thread = export.threads.get(thread_id)
        target = by_url.get(normal_url(thread.link)) if thread and thread.link else None
        if target is None:
            unmatched.append((scrubber.url(thread.link) if thread else f"(thread {thread_id} is not in the export)", len(posts)))
            continue
        grouped.setdefault(target.slug, (target, []))[1].extend(posts)
    for slug, (target, posts) in sorted(grouped.items()):
        entries = _entries(posts, directory, zone, scrubber, left_out)
        new = [entry for entry in entries if entry["id"] not in target.ids]
        attached.append(Attached(slug, len(new), len(entries) - len(new)))
        if not new:
            continue
        path = target.folder / "comments.yaml"
        if not target.comments_text:
            thread_url = next((export.threads[p.thread].link for p in posts if p.thread in export.threads), "")
            taken = max(datetime.fromisoformat(str(entry["date"])) for entry in new)
            files.append(PlannedFile(path, render_comments(taken, scrubber.url(thread_url), new, HEADER)))
            continue
        text = append_comments(target.comments_text, new)
        if text is None:
            problems.append((path, "cannot add comments without rewriting the file: write 'comments:' as a block list, last in the file"))
            attached[-1] = Attached(slug, 0, attached[-1].kept)
        else:
            files.append(PlannedFile(path, text))
    return AttachPlan(tuple(files), tuple(attached), tuple(unmatched), left_out, tuple(problems), (scrubber.emails, scrubber.ips))


def _entries(posts: list[Post], directory: PeopleDirectory, zone: ZoneInfo, scrubber: Scrubber,
             left_out: dict[str, int]) -> list[dict[str, object]]:
    """The posts to keep, as comments.yaml entries, parents before replies."""
    by_id = {post.id: post for post in posts}
    kept: dict[str, tuple[Post, str]] = {}
    for post in posts:
        reason = "deleted" if post.deleted else "spam" if post.spam else "unapproved" if not post.approved else ""
        if reason:
            left_out[reason] += 1
            continue
        try:
            body = html_to_markdown(post.message, "", shortcodes=False).markdown.strip("\n")
        except TooDeep:
            left_out["nested"] += 1
            continue
        body = scrubber.text(body)
        if not body.strip() or post.created is None:
            left_out["empty"] += 1
            continue
        kept[post.id] = (post, body)

    def parent_of(post: Post) -> str:
        # The nearest kept ancestor: a reply to a deleted comment moves up the thread.
        seen, current = {post.id}, by_id.get(post.parent)
        while current is not None and current.id not in seen:
            if current.id in kept:
                return current.id
            seen.add(current.id)
            current = by_id.get(current.parent)
        return ""

    ordered = sorted(kept.values(), key=lambda pair: (pair[0].created, pair[0].id))
    placed: set[str] = set()
    result: list[dict[str, object]] = []
    waiting = [(post, body, parent_of(post)) for post, body in ordered]
    while waiting:  # parents first: a reply waits until its parent is placed
        remaining = []
        for post, body, parent in waiting:
            if parent and parent not in placed:
                remaining.append((post, body, parent))
                continue
            placed.add(post.id)
            result.append(_entry(post, body, parent, directory, zone, scrubber))
        if len(remaining) == len(waiting):  # a loop of parents: cut it
            remaining = [(post, body, "") for post, body, _ in remaining]
        waiting = remaining
    return result


def _entry(post: Post, body: str, parent: str, directory: PeopleDirectory, zone: ZoneInfo, scrubber: Scrubber) -> dict[str, object]:
    name = " ".join(scrubber.text(html.unescape(post.author)).split()) or "Anonymous"
    entry: dict[str, object] = {"id": f"disqus-{post.id}", "author": name}
    person = directory.lookup(name)
    if person is not None:
        entry["person"] = person
    entry["date"] = iso(post.created.astimezone(zone))
    if parent:
        entry["reply_to"] = f"disqus-{parent}"
    entry["body"] = body
    return entry


def append_comments(text: str, new: list[dict[str, object]]) -> str | None:
    """``text`` with ``new`` comments after the existing ones, every existing byte kept; None if that cannot be done."""
    try:
        before = yaml.safe_load(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    if not isinstance(before, Mapping) or not isinstance(root, yaml.MappingNode):
        return None
    node = next((value for key, value in root.value if getattr(key, "value", None) == "comments"), None)
    block = dump({"comments": new}).split("\n", 1)[1]  # the list items, "- " at column 0
    if node is None:
        merged = text.rstrip("\n") + "\n" + dump({"comments": new})
    elif isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
        merged = text.rstrip("\n") + "\n" + block  # right only when "comments:" is last: checked below
    elif isinstance(node, yaml.SequenceNode) and node.flow_style and not node.value:  # comments: []
        merged = text[:node.start_mark.index].rstrip(" ") + "\n" + block + text[node.end_mark.index:].lstrip(" \n")
    elif isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        indent = " " * max(node.value[0].start_mark.column - 2, 0)
        merged = text.rstrip("\n") + "\n" + "".join(indent + line + "\n" if line else "\n" for line in block.splitlines())
    else:
        return None
    try:
        after = yaml.safe_load(merged)
    except yaml.YAMLError:
        return None
    expected = {**before, "comments": list(before.get("comments") or []) + new}
    return merged if _plain(after) == _plain(expected) else None


def _plain(value: object) -> object:
    """YAML data compared as text, so a timestamp and its ISO string compare equal."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def read_url_map(path: Path, targets: Mapping[str, StoryTarget]) -> dict[str, str]:
    """``--urls``: a YAML mapping from an old page's URL to the slug of the story it became."""
    mapping: dict[str, str] = {}
    for key, value in read_mapping_file(path, "URL map", '"https://old.blog/2011/05/post/": story-slug'):
        if value.value not in targets:
            raise ProjectError(path, f"no story with the slug {value.value!r}", value.start_mark.line + 1, value.start_mark.column + 1,
                               hint=suggest(value.value, targets) or "use the folder name of a story in content/stories/")
        mapping[str(key.value)] = str(value.value)
    return mapping
