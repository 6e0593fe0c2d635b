"""``introchain build``: build the site into the output folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.commands.common import Progress, add_content_options, count, report_problems
from generator.errors import ContentErrors, display_path


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the options."""
    add_content_options(parser)
    parser.add_argument("--out", type=Path, default=Path("site"), metavar="DIR", help="the output folder (default: ./site)")
    parser.add_argument("--drafts", action="store_true", help="include stories marked draft: true")
    parser.add_argument("--base-url", metavar="URL", help="override site.yaml's base_url, e.g. https://user.github.io/repo/")
    parser.add_argument("--quiet", "-q", action="store_true", help="print only warnings and errors")
    parser.add_argument("--no-cache", action="store_true",
                        help="neither read nor write the build cache (.cache/introchain/ beside the content folder)")


def run(args: argparse.Namespace) -> int:
    """Build; 0 on success, 1 on content errors or write failures, 2 on an unusable output folder."""
    from generator.build import BuildOptions, build_site
    from generator.incremental.cache import cache_dir_for
    from generator.output_folder import OutputError

    options = BuildOptions(args.content, args.out, args.templates, args.drafts, args.base_url,
                           cache_dir=None if args.no_cache else cache_dir_for(args.content))
    progress = Progress("rendering")
    try:
        report = build_site(options, progress)
    except ContentErrors as failure:
        progress.close()
        report_problems(failure.errors)
        print(f"build failed: {count(len(failure.errors), 'error')}; {display_path(args.out)}/ was left as it was",
              file=sys.stderr)
        return 1
    except OutputError as problem:
        progress.close()
        print(f"error: {problem}", file=sys.stderr)
        return 2
    except OSError as problem:  # disk full, permissions: the previous site is still in place
        progress.close()
        where = f" ({problem.filename})" if problem.filename else ""
        print(f"error: could not write the site: {problem.strerror or problem}{where}; "
              f"{display_path(args.out)}/ was left as it was", file=sys.stderr)
        return 1
    progress.close()
    report_problems(report.warnings)
    if not args.quiet:
        drafts = " including drafts" if args.drafts else ""
        print(f"built {count(report.pages, 'page')}{drafts} ({count(report.files, 'file')}, {report.changed} changed) "
              f"in {report.seconds:.2f} s -> {display_path(report.out_dir)}/")
    return 0
