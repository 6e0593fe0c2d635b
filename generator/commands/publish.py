"""``introchain publish``: a production build, committed to the Pages branch and pushed."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from generator import __version__
from generator import publish as pages
from generator.commands.common import Progress, add_content_options, count, report_problems
from generator.errors import ContentErrors, display_path
from generator.scratch import temporary_folder
from generator.output_folder import MARKER as OUTPUT_MARKER, OutputError

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the publish options."""
    add_content_options(parser)
    parser.add_argument("--remote", default="origin", help="git remote to push to (default: origin)")
    parser.add_argument("--branch", default="gh-pages", help="branch GitHub Pages serves (default: gh-pages)")
    parser.add_argument("--base-url", metavar="URL", help="URL the site is served at (default: base_url in site.yaml)")
    parser.add_argument("--message", metavar="TEXT", help="subject of the Pages commit (the source commit is always named)")
    parser.add_argument("--dry-run", action="store_true", help="build and show what would be pushed; push nothing")
    parser.add_argument("--no-history", action="store_true", help="replace the Pages branch with a single commit (force push)")


def run(args: argparse.Namespace) -> int:
    """Check the repository, build for production, commit the site on the Pages branch, push."""
    try:
        repo = pages.find_repo(Path.cwd())
        pages.check_remote(repo, args.remote)
        pages.check_branch_name(repo, args.branch)
        if not args.content.is_dir():
            raise pages.PublishError(f"no content folder at {display_path(args.content)} (use --content DIR)")
        source = pages.source_commit(repo)
        tip = pages.remote_tip(repo, args.remote, args.branch)  # also: is the remote reachable?
    except pages.PublishError as error:
        return _usage_error(error)

    with temporary_folder("introchain-publish-") as scratch:
        site_dir = scratch / "site"  # must not exist yet: the writer owns its folder
        progress = Progress("rendering")
        try:
            report = _build(args, site_dir, progress)
        except ContentErrors as failure:
            progress.close()
            report_problems(failure.errors)
            print(f"publish failed: {count(len(failure.errors), 'error')}; nothing was published", file=sys.stderr)
            return EXIT_CONTENT
        except OutputError as problem:
            progress.close()
            return _usage_error(pages.PublishError(str(problem)))
        except OSError as problem:  # e.g. the temporary folder's disk is full
            progress.close()
            print(f"error: could not build the site: {problem}; nothing was pushed", file=sys.stderr)
            return EXIT_CONTENT
        progress.close()
        report_problems(report.warnings)
        print(f"built {count(report.pages, 'page')} ({count(report.files, 'file')}) in {report.seconds:.2f} s")
        (site_dir / OUTPUT_MARKER).unlink(missing_ok=True)  # the writer's own bookkeeping, not the site

        base_url = args.base_url or _configured_base_url(args.content)
        for name in pages.add_pages_files(site_dir, base_url):
            print(f"added {name}" + (f" ({pages.custom_domain(base_url)})" if name == "CNAME" else ""))
        message = pages.commit_message(args.message, source, __version__)
        try:
            the_plan = pages.plan(
                site_dir, remote=args.remote, branch=args.branch, tip=tip, message=message, history=not args.no_history
            )
            if args.dry_run:
                _show_dry_run(the_plan)
                return EXIT_OK
            print(f"publishing {the_plan.summary()}")
            result = pages.publish(repo, site_dir, the_plan)
        except pages.PublishError as error:
            return _usage_error(error)
    if result.commit is None:
        print(f"nothing changed: {args.remote} {args.branch} ({the_plan.parent[:7]}) already holds this site; "
              "no commit was made and nothing was pushed")
        return EXIT_OK
    print(f"published {result.commit[:7]} (from {source.describe()}) to {args.remote} {args.branch}")
    if source.dirty:
        print("note: the working tree has uncommitted changes; the site was built from them", file=sys.stderr)
    return EXIT_OK


def _build(args: argparse.Namespace, site_dir: Path, progress: Progress):
    """A clean production build: no drafts, the given or configured base URL."""
    from generator.build import BuildOptions, build_site  # heavy (Jinja, Markdown, YAML): import on use

    options = BuildOptions(args.content, site_dir, args.templates, drafts=False, base_url=args.base_url)
    return build_site(options, progress)


def _configured_base_url(content_dir: Path) -> str | None:
    """``base_url`` from site.yaml; read only after a successful build, so the file is valid."""
    data = yaml.safe_load((content_dir / "site.yaml").read_text(encoding="utf-8"))
    value = data.get("base_url") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def _show_dry_run(the_plan: pages.Plan) -> None:
    print(f"would publish {the_plan.summary()}{' (force push)' if the_plan.force else ''}")
    for path, size in the_plan.files:
        print(f"  {path}  ({size} bytes)")
    print("commit message:")
    for line in the_plan.message.rstrip("\n").splitlines():
        print(f"  {line}".rstrip())
    print("dry run: nothing was committed or pushed")


def _usage_error(error: pages.PublishError) -> int:
    print(f"error: {error}; nothing was pushed", file=sys.stderr)
    return EXIT_USAGE
