"""``introchain import wordpress|disqus EXPORT.xml``: move a WordPress blog in, posts and comments, and Disqus comments."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.commands import import_disqus

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``wordpress`` source and its options."""
    sources = parser.add_subparsers(dest="source", metavar="SOURCE")
    wordpress = sources.add_parser(
        "wordpress",
        help="a WordPress export (Tools > Export > All content), WXR 1.0 to 1.2",
        description="Import a WordPress export: one case study per published post, with its approved "
        "comments as a snapshot, a story.yaml skeleton to complete, and new people added to people.yaml. "
        "E-mail and IP addresses are never written.",
    )
    wordpress.add_argument("export", metavar="EXPORT.xml", type=Path, help="the WordPress export file")
    wordpress.add_argument("--content", metavar="DIR", type=Path, default=Path("content"), help="content folder (default: content)")
    wordpress.add_argument("--drafts", action="store_true", help="also import drafts, pending and scheduled posts (as draft: true)")
    wordpress.add_argument("--no-pages", dest="pages", action="store_false",
                           help="leave pages out (by default each page becomes a plain page, content/pages/<slug>.md)")
    wordpress.add_argument("--pages", dest="pages", action="store_true", help=argparse.SUPPRESS)  # the default; kept for old scripts
    wordpress.add_argument("--force", action="store_true", help="overwrite case studies that already exist (their story.yaml too)")
    wordpress.add_argument("--download-images", action="store_true",
                           help="fetch each post's images (and featured image, as its cover) into the story folder")
    wordpress.add_argument("--max-image-size", metavar="MB", type=float, default=20,
                           help="with --download-images: leave bigger images as links (default: 20)")
    wordpress.add_argument("--people-map", metavar="FILE", type=Path,
                           help='YAML file naming which person of people.yaml an author or commenter name is ("Jane Doe": jane)')
    wordpress.add_argument("--dry-run", action="store_true", help="show what would be imported; write nothing")
    import_disqus.configure(sources)


def run(args: argparse.Namespace) -> int:
    """Import, print a summary, and return the exit status."""
    if getattr(args, "source", None) == "disqus":
        return import_disqus.run(args)
    if getattr(args, "source", None) != "wordpress":
        print("introchain import: name a source, e.g. 'introchain import wordpress EXPORT.xml'", file=sys.stderr)
        return EXIT_USAGE
    # Imported here so that 'introchain --help' never loads markdownify or BeautifulSoup.
    from generator.errors import display_path
    from generator.importers.download import Downloader
    from generator.importers.plan import Options, make_plan
    from generator.importers.project import ProjectError, read_people_map, read_project
    from generator.importers.wordpress import WxrError, read_export
    from generator.importers.writer import write_files

    export_path: Path = args.export
    shown = display_path(export_path)
    if not export_path.is_file():
        print(f"{shown}: error: no such file", file=sys.stderr)
        return EXIT_USAGE
    try:
        export = read_export(export_path)
        project = read_project(args.content, export)
        people_map = read_people_map(args.people_map, project.people) if args.people_map else {}
        downloader = Downloader(max_bytes=int(args.max_image_size * 1024 * 1024)) if args.download_images else None
        plan = make_plan(export, project, Options(export_path.name, args.drafts, args.pages, args.force, downloader, people_map))
    except WxrError as err:
        _error(shown, err.line, err.column, err.message, err.hint)
        return EXIT_CONTENT
    except ProjectError as err:
        _error(display_path(err.path), err.line, err.column, err.message, err.hint)
        return EXIT_USAGE if err.usage else EXIT_CONTENT
    if not args.dry_run:
        write_files(plan.files, plan.stale)
    _summary(plan, shown, export, display_path(args.content), args.dry_run, display_path(project.people_path))
    return EXIT_OK


def _error(path: str, line: int, column: int, message: str, hint: str) -> None:
    from generator.errors import ContentError

    print(ContentError(path, line, column, message, hint).format(), file=sys.stderr)


def _summary(plan, shown: str, export, content: str, dry_run: bool, people_path: str) -> None:
    """What was (or would be) imported, and what was left out and why."""
    verb = "would write" if dry_run else "wrote"
    title = f', "{export.title}"' if export.title else ""
    print(f"{'Dry run: ' if dry_run else ''}WordPress export {shown} (WXR {export.version}{title}) -> {content}/")
    kinds = {"post": "posts", "page": "pages (plain pages, content/pages/)"}
    for kind, label in kinds.items():
        bundles = [b for b in plan.bundles if b.post_type == kind]
        if kind == "page" and not bundles:
            continue
        drafts = sum(b.draft for b in bundles)
        replaced = sum(b.replaces for b in bundles)
        extra = ", ".join(part for part in (f"{drafts} drafts" if drafts else "", f"{replaced} replaced" if replaced else "") if part)
        print(f"  {label}: {verb} {len(bundles)}" + (f" ({extra})" if extra else ""))
        for bundle in bundles:
            print(f"    {bundle.slug}: {bundle.title} ({_plural(bundle.comments, 'comment')})")
    counts = plan.comments
    left_out = [
        (counts.pings, "pingbacks/trackbacks"),
        (counts.pending, "awaiting moderation"),
        (counts.spam, "spam"),
        (counts.trash, "trashed"),
        (counts.other, "of other types"),
        (counts.empty, "empty"),
        (counts.nested, "with HTML nested too deep to convert"),
        (counts.on_pages, "on pages (plain pages have no comments)"),
    ]
    left = ", ".join(f"{n} {what}" for n, what in left_out if n)
    print(f"  comments: {verb} {counts.written} (approved only)" + (f"; left out {left}" if left else ""))
    images = sum(isinstance(planned.text, bytes) for planned in plan.files)
    if images or plan.downloads:
        print(f"  images: {'would download' if dry_run else 'downloaded'} {images}" + (f"; not downloaded: {len(plan.downloads)}" if plan.downloads else ""))
        for line in plan.downloads:
            print(f"    {line}")
    emails, ips = plan.removed
    print(f"  privacy: removed {_plural(emails, 'e-mail address')} and {_plural(ips, 'IP address')} from the text"
          " (author and commenter e-mail and IP fields are never read)")
    if plan.people:
        print(f"  people: {'would add' if dry_run else 'added'} {len(plan.people)} to {people_path}: {', '.join(p.id for p in plan.people)}")
    else:
        print("  people: none new")
    if plan.skipped:
        print(f"  skipped: {len(plan.skipped)}")
        for skipped in plan.skipped:
            print(f'    "{skipped.title}": {skipped.reason}')
    for post_type, number in plan.ignored_types:
        print(f"  ignored: {_plural(number, 'item')} of type {post_type!r}")
    if plan.unknown_shortcodes:
        print("  warning: unknown shortcodes, kept as text (edit them by hand):")
        for slug, name, times in plan.unknown_shortcodes:
            print(f"    {slug}: [{name}]" + (f" x{times}" if times > 1 else ""))
    for note in plan.notes:
        print(f"  note: {note}")
    if dry_run:
        print("Dry run: nothing was written.")
    elif plan.bundles:
        print("Next: complete each story.yaml (look for TODO), then run 'introchain check'.")


def _plural(number: int, noun: str) -> str:
    plural = noun + ("es" if noun.endswith("s") else "s")
    return f"{number} {noun}" if number == 1 else f"{number} {plural}"
