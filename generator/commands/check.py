"""``introchain check``: validate everything and render in memory; write nothing."""

from __future__ import annotations

import argparse
import sys
import time

from generator.commands.common import add_content_options, count, report_problems
from generator.errors import ContentErrors


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the options."""
    add_content_options(parser)
    parser.add_argument("--strict", action="store_true", help="treat warnings (missing images, private data) as errors")
    parser.add_argument("--drafts", action="store_true", help="also render drafts (they are always validated)")


def run(args: argparse.Namespace) -> int:
    """0 when the content is valid (and, with --strict, has no warnings); 1 otherwise."""
    from generator.build import BuildOptions, check_site
    from generator.content.load import read_content, validate

    started = time.perf_counter()
    try:
        site, problems = validate(read_content(args.content), drafts=True)
    except ContentErrors as failure:
        problems, site = list(failure.errors), None
    errors = [problem for problem in problems if not problem.warning]
    warnings = [problem for problem in problems if problem.warning]
    if site is not None:
        try:  # render every page in memory too, so template mistakes show up here
            check_site(BuildOptions(args.content, None, args.templates, drafts=True), site, tuple(warnings))
        except ContentErrors as failure:
            errors += failure.errors
    report_problems(sorted(errors + warnings))
    failed = bool(errors) or (args.strict and bool(warnings))
    summary = f"{count(len(errors), 'error')}, {count(len(warnings), 'warning')}"
    if failed:
        note = " (--strict: warnings count as errors)" if args.strict and warnings and not errors else ""
        print(f"check failed: {summary}{note}", file=sys.stderr)
        return 1
    stories = len(site.studies) if site else 0
    print(f"check passed: {stories} stor{'y' if stories == 1 else 'ies'}, {summary} in {time.perf_counter() - started:.2f} s")
    return 0
