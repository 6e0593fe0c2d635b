"""``introchain import disqus EXPORT.xml``: attach a Disqus export's comments to the stories."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def configure(sources) -> None:
    """Add the ``disqus`` source and its options."""
    disqus = sources.add_parser(
        "disqus",
        help="a Disqus comment export: comments attached to the matching stories",
        description="Attach each Disqus thread's approved comments, threaded, to the story whose comments.yaml "
        "'source' is the thread's URL (or that --urls names). A second run adds only new comments and never "
        "changes one already there. E-mail and IP addresses are never written.",
    )
    disqus.add_argument("export", metavar="EXPORT.xml", type=Path, help="the Disqus export file")
    disqus.add_argument("--content", metavar="DIR", type=Path, default=Path("content"), help="content folder (default: content)")
    disqus.add_argument("--urls", metavar="FILE", type=Path,
                        help='YAML file mapping an old page URL to a story slug ("https://old.blog/2011/05/hello/": hello)')
    disqus.add_argument("--people-map", metavar="FILE", type=Path,
                        help='YAML file naming which person of people.yaml a commenter name is ("Jane Doe": jane)')
    disqus.add_argument("--dry-run", action="store_true", help="show what would be attached; write nothing")


def run(args: argparse.Namespace) -> int:
    """Attach, print a summary, and return the exit status."""
    from generator.errors import ContentError, display_path
    from generator.importers.attach import plan_attach, read_targets, read_url_map
    from generator.importers.disqus import read_disqus
    from generator.importers.people import PeopleDirectory
    from generator.importers.project import ProjectError, read_people_map, read_project
    from generator.importers.wordpress import WxrError
    from generator.importers.writer import write_files

    shown = display_path(args.export)
    if not args.export.is_file():
        print(f"{shown}: error: no such file", file=sys.stderr)
        return EXIT_USAGE
    try:
        export = read_disqus(args.export)
        project = read_project(args.content)
        targets = read_targets(args.content)
        url_map = read_url_map(args.urls, targets) if args.urls else {}
        people_map = read_people_map(args.people_map, project.people) if args.people_map else {}
        plan = plan_attach(export, targets, url_map, PeopleDirectory(project.people, people_map), project.timezone)
    except WxrError as err:
        print(ContentError(shown, err.line, err.column, err.message, err.hint).format(), file=sys.stderr)
        return EXIT_CONTENT
    except ProjectError as err:
        print(ContentError(display_path(err.path), err.line, err.column, err.message, err.hint).format(), file=sys.stderr)
        return EXIT_USAGE if err.usage else EXIT_CONTENT
    if not args.dry_run:
        write_files(plan.files, ())
    verb = "would add" if args.dry_run else "added"
    print(f"{'Dry run: ' if args.dry_run else ''}Disqus export {shown}: {len(export.threads)} threads, {len(export.posts)} comments")
    for attached in plan.attached:
        kept = f" ({attached.kept} already there)" if attached.kept else ""
        print(f"  {attached.slug}: {verb} {attached.added} comments{kept}")
    total = sum(attached.added for attached in plan.attached)
    print(f"  {verb} {total} comments in all")
    left = ", ".join(f"{number} {reason}" for reason, number in plan.left_out.items() if number)
    if left:
        print(f"  left out: {left}")
    emails, ips = plan.removed
    print(f"  privacy: removed {emails} e-mail and {ips} IP addresses from comment text (e-mail and IP fields are never read)")
    if plan.unmatched:
        print(f"  threads with no story: {len(plan.unmatched)} (map them with --urls FILE)")
        for url, comments in plan.unmatched:
            print(f"    {url or '(no URL)'}: {comments} comments")
    for path, problem in plan.problems:
        print(ContentError(display_path(path), 0, 0, problem, "").format(), file=sys.stderr)
    return EXIT_CONTENT if plan.problems else EXIT_OK
