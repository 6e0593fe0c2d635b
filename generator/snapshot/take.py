"""One snapshot run: choose the source, fetch, merge and (unless it is a dry run) write.

Nothing is written unless the whole thread was fetched and the merged file validates:
every failure leaves comments.yaml byte for byte as it was.
"""

from __future__ import annotations

import argparse
import difflib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from generator.content.comments import read_comments
from generator.content.fields import suggest
from generator.content.source import Source, compose
from generator.errors import ContentErrors
from generator.importers.writer import PlannedFile, write_files
from generator.snapshot import bluesky, mastodon, twitter, webmention
from generator.snapshot.merge import Changes, merge
from generator.snapshot.model import Fetched, SnapshotError


class UsageError(Exception):
    """The command line does not name a source we can take a snapshot of."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class Request:
    """What to fetch, as the command line asked."""

    kind: str  # bluesky | mastodon | webmention-file | webmention-api | twitter
    source: str
    api_base: str | None = None
    token: str = ""
    target: str | None = None
    thread: str = ""
    limit: int = 2000
    timeout: float = 20.0
    dry_run: bool = False

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> "Request":
        source: str = args.source
        common = {"api_base": args.api_base, "limit": args.max_posts, "timeout": args.timeout, "dry_run": args.dry_run,
                  "target": args.target}
        if args.api_base and not args.api_base.startswith(("http://", "https://")):
            raise UsageError(f"--api-base must be an http:// or https:// URL, not {args.api_base!r}")
        if args.webmention_io:
            if not source.startswith(("http://", "https://")):
                raise UsageError("with --webmention-io, SOURCE is the URL of the page that was mentioned")
            return cls("webmention-api", source, token=args.webmention_io, **{**common, "target": args.target or source})
        if bluesky.matches(source):
            return cls("bluesky", source, **common)
        if mastodon.matches(source):
            return cls("mastodon", source, **common)
        path = Path(source)
        if path.suffix == ".js" or args.thread:
            if not args.thread:
                raise UsageError("a tweets.js archive needs --thread TWEET_ID", "the id is the number at the end of the tweet's link")
            if not path.is_file():
                raise UsageError(f"no such file: {source}")
            return cls("twitter", source, thread=args.thread.strip(), **common)
        if path.suffix == ".json":
            if not path.is_file():
                raise UsageError(f"no such file: {source}")
            return cls("webmention-file", source, **common)
        raise UsageError(f"cannot tell what {source!r} is",
                         "give a https://bsky.app/profile/…/post/… link, a https://INSTANCE/@USER/ID link, "
                         "a webmention.io .json feed, a page URL with --webmention-io TOKEN, or tweets.js with --thread ID")

    def fetch(self) -> Fetched:
        if self.kind == "bluesky":
            return bluesky.fetch(self.source, self.api_base, self.limit, self.timeout)
        if self.kind == "mastodon":
            return mastodon.fetch(self.source, self.api_base, self.limit, self.timeout)
        if self.kind == "twitter":
            return twitter.fetch(Path(self.source), self.thread, self.limit)
        if self.kind == "webmention-file":
            return webmention.convert(webmention.from_file(Path(self.source)), self.target)
        return webmention.convert(webmention.from_api(self.source, self.token, self.api_base, self.limit, self.timeout), self.target)


@dataclass
class Outcome:
    """How a run ended: content errors, a failure, or the changes (made or, in a dry run, shown)."""

    errors: str = ""
    failure: SnapshotError | None = None
    fetched: Fetched | None = None
    changes: Changes = field(default_factory=Changes)
    diff: str = ""

    def report(self, shown: str, dry_run: bool) -> str:
        fetched, changes = self.fetched, self.changes
        assert fetched is not None
        lines = [f"{'Dry run: ' if dry_run else ''}{fetched.platform} thread {fetched.url}: {len(fetched.posts)} posts fetched"]
        if changes.new_thread:
            lines.append(f"  {'would add' if dry_run else 'added'} the thread to {shown}")
        for label, ids in (("added", changes.added), ("marked deleted", changes.deleted),
                           ("kept as edited by hand", changes.kept_edited), ("left out (removed by hand)", changes.kept_removed)):
            if ids:
                lines.append(f"  {label if not dry_run or label.startswith(('kept', 'left')) else 'would be ' + label}: "
                             f"{len(ids)} ({', '.join(ids[:8])}{', …' if len(ids) > 8 else ''})")
        if fetched.likes or fetched.reposts:
            lines.append(f"  {fetched.likes} likes, {fetched.reposts} reposts")
        if not changes.any:
            lines.append(f"  {shown} is up to date: nothing to change")
        elif dry_run:
            lines += ["", self.diff.rstrip("\n"), "", "Dry run: nothing was written."]
        else:
            lines.append(f"  wrote {shown}")
        return "\n".join(lines)


def _zone(content: Path) -> ZoneInfo:
    try:
        config = yaml.safe_load((content / "site.yaml").read_text(encoding="utf-8"))
        return ZoneInfo(str(config.get("timezone") or "UTC")) if isinstance(config, dict) else ZoneInfo("UTC")
    except Exception:  # the build reports a broken site.yaml; reading comments needs only a zone
        return ZoneInfo("UTC")


def _check(path: Path, text: str, zone: ZoneInfo) -> str:
    """Every error of comments.yaml's ``text``, formatted ('' when it is valid)."""
    source = Source(path)
    read_comments(source, compose(source, text), zone)
    errors = [error for error in source.errors if not error.warning]
    return ContentErrors(errors).format() if errors else ""


def story_hint(content: Path, slug: str) -> str:
    """A "did you mean" for a story folder that does not exist."""
    folders = [path.name for path in (content / "stories").glob("*") if path.is_dir()] if (content / "stories").is_dir() else []
    return suggest(slug, folders) or "the slug is the story's folder name under stories/"


def snapshot(content: Path, folder: Path, request: Request, now: datetime | None = None) -> Outcome:
    """Take the snapshot; write comments.yaml unless ``request.dry_run``."""
    path = folder / "comments.yaml"
    zone = _zone(content)
    try:
        before = path.read_text(encoding="utf-8") if path.exists() else None
    except (OSError, UnicodeDecodeError) as error:
        return Outcome(failure=SnapshotError(f"cannot read {path}: {error}", "nothing was changed"))
    if before is not None:
        errors = _check(path, before, zone)
        if errors:
            return Outcome(errors=errors + "\nintrochain snapshot: fix comments.yaml first; nothing was changed")
    try:
        fetched = request.fetch()
        after, changes = merge(before, fetched, (now or datetime.now(timezone.utc)).replace(microsecond=0))
    except SnapshotError as failure:
        return Outcome(failure=failure)
    problems = _check(path, after, zone)
    if problems:  # a bug of ours, never the author's: refuse to write a file that does not validate
        return Outcome(failure=SnapshotError("the merged comments.yaml would not be valid; nothing was changed", problems))
    diff = "".join(difflib.unified_diff((before or "").splitlines(keepends=True), after.splitlines(keepends=True),
                                        str(path), str(path)))
    if changes.any and not request.dry_run:
        write_files([PlannedFile(path, after)], [])
    return Outcome(fetched=fetched, changes=changes, diff=diff)
