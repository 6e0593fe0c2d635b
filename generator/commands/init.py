"""``introchain init [DIR]``: start a new blog that passes ``check --strict`` and builds as it is."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from generator.errors import display_path

EXIT_OK, EXIT_USAGE = 0, 2
#: Used when no --base-url is given and the folder is not a clone of a GitHub repository.
PLACEHOLDER_URL = "https://example.com/"


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the options."""
    parser.add_argument("folder", nargs="?", type=Path, default=Path("."), metavar="DIR",
                        help="where to create the blog (default: the current folder); made if missing")
    parser.add_argument("--title", help="the blog's title (default: made from the folder's name)")
    parser.add_argument("--author", metavar="NAME", help="your name as readers see it (default: git's user.name)")
    parser.add_argument("--base-url", metavar="URL",
                        help="where the blog will be published, e.g. https://USER.github.io/REPO/ "
                             "(default: inferred from a GitHub 'origin' remote)")
    parser.add_argument("--force", action="store_true",
                        help="add the files that are missing to a folder that is not empty; never overwrites")


def _title_from(folder: Path) -> str:
    name = folder.resolve().name.replace("-", " ").replace("_", " ").strip()
    return name[:1].upper() + name[1:] if name and name.lower() not in ("blog", "site", "www") else "Case studies"


def _author_id(name: str) -> str:
    from generator.content.fields import IDENTIFIER, slugify

    slug = slugify(name)
    # Keep clear of the example's ids, and of anything that is not an id (a name of symbols only).
    return slug if IDENTIFIER.match(slug) and not slug.startswith("example-") else "author"


def _base_url(args: argparse.Namespace, folder: Path) -> tuple[str, str]:
    """The base URL and where it came from (for the summary)."""
    from generator.scaffold import git_origin, github_pages_url

    if args.base_url:
        url = args.base_url.strip()
        return (url if url.endswith("/") else url + "/"), "--base-url"
    origin = git_origin(folder)
    inferred = github_pages_url(origin) if origin else None
    if inferred:
        return inferred, "the GitHub repository of the git remote 'origin'"  # its URL may hold a token: not shown
    return PLACEHOLDER_URL, "a placeholder: set base_url in content/site.yaml before you publish"


def run(args: argparse.Namespace) -> int:
    """Create the project; 2 for a folder that is not empty (without --force) or a bad option."""
    from generator import __version__
    from generator.scaffold import (
        ProjectSettings, existing_entries, git_user_name, render_starter, valid_base_url, write_missing,
    )

    folder: Path = args.folder
    if folder.exists() and not folder.is_dir():
        return _error(f"{display_path(folder)} exists and is not a folder")
    existing = existing_entries(folder)
    if existing and not args.force:
        shown = ", ".join(existing[:5]) + (", ..." if len(existing) > 5 else "")
        return _error(f"{display_path(folder)} is not empty (it holds {shown}); init starts a blog in an empty "
                      "folder. Choose another folder, or pass --force to add only the files that are missing")
    base_url, url_origin = _base_url(args, folder)
    if not valid_base_url(base_url):
        return _error(f"--base-url must be an absolute http(s) URL such as https://USER.github.io/REPO/, not {args.base_url!r}")
    title = (args.title or _title_from(folder)).strip()
    author = (args.author or git_user_name(folder) or "Your Name").strip()
    if not title or not author:
        return _error("--title and --author cannot be empty")
    settings = ProjectSettings(title=title, author_name=author, author_id=_author_id(author), base_url=base_url,
                               version=__version__, today=date.today())
    try:
        written, kept = write_missing(folder, render_starter(settings))
    except OSError as error:
        return _error(f"could not write the blog into {display_path(folder)}: {error.strerror or error}")
    where = display_path(folder)
    for name in written:
        print(f"created {display_path(folder / name)}")
    for name in kept:
        print(f"kept    {display_path(folder / name)} (it already exists)")
    print(f"\nbase_url: {base_url} (from {url_origin})")
    print("next:")
    if folder.resolve() != Path.cwd().resolve():
        print(f"  cd {where}")
    print("  introchain serve             # preview it at http://127.0.0.1:8000/")
    print('  introchain new "How I met ..."   # your first case study')
    return EXIT_OK


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE
