"""``introchain snapshot SOURCE --story SLUG``: freeze a conversation into a story's comments.yaml."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the source and its options."""
    parser.description = ("Fetch a conversation once and keep it in a story's comments.yaml: a Bluesky post link, "
                          "a Mastodon status link, Webmentions (a saved webmention.io JF2 .json file, or the page's "
                          "URL with --webmention-io TOKEN) or a Twitter/X archive's tweets.js with --thread ID. "
                          "Running it again adds new replies and marks deleted ones; hand edits are kept.")
    parser.add_argument("source", metavar="SOURCE", help="a post link, a .json JF2 feed, a page URL (with --webmention-io) or tweets.js")
    parser.add_argument("--story", metavar="SLUG", required=True, help="the story (its folder under stories/) the conversation belongs to")
    parser.add_argument("--content", metavar="DIR", type=Path, default=Path("content"), help="content folder (default: content)")
    parser.add_argument("--api-base", metavar="URL", help="use this base URL for every call (a self-hosted instance, another AppView)")
    parser.add_argument("--webmention-io", metavar="TOKEN", help="fetch the Webmentions of the page SOURCE from webmention.io with this API token")
    parser.add_argument("--target", metavar="URL", help="with a JF2 feed that mentions several pages: the story's page")
    parser.add_argument("--thread", metavar="TWEET_ID", help="with tweets.js: the id of the thread's first tweet")
    parser.add_argument("--max-posts", metavar="N", type=int, default=2000, help="refuse threads with more posts than this (default: 2000)")
    parser.add_argument("--timeout", metavar="SECONDS", type=float, default=20.0, help="give up on a call after this long (default: 20)")
    parser.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")


def _fail(message: str, hint: str = "", code: int = EXIT_FAILED) -> int:
    print(f"introchain snapshot: error: {message}", file=sys.stderr)
    if hint:
        print(f"    hint: {hint}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    """Fetch, merge, write (unless --dry-run), and report."""
    from generator.errors import display_path
    from generator.snapshot import take

    content: Path = args.content
    if not (content / "site.yaml").is_file():
        return _fail(f"no site.yaml in {display_path(content)}", "run this in your project folder, or pass --content DIR", EXIT_USAGE)
    folder = content / "stories" / args.story
    if not folder.is_dir():
        return _fail(f"no story '{args.story}' in {display_path(content / 'stories')}", take.story_hint(content, args.story), EXIT_USAGE)
    if args.max_posts < 1 or args.timeout <= 0:
        return _fail("--max-posts must be at least 1 and --timeout more than 0", code=EXIT_USAGE)
    try:
        request = take.Request.from_args(args)
    except take.UsageError as error:
        return _fail(str(error), error.hint, EXIT_USAGE)
    outcome = take.snapshot(content, folder, request)
    if outcome.errors:
        print(outcome.errors, file=sys.stderr)
        return EXIT_FAILED
    if outcome.failure is not None:
        return _fail(outcome.failure.message, outcome.failure.hint)
    print(outcome.report(display_path(folder / "comments.yaml"), args.dry_run))
    return EXIT_OK
