"""``introchain theme list`` / ``theme copy NAME``: see the built-in theme and copy files of it to change them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.commands.common import add_content_options, count
from generator.errors import display_path
from generator.templates import BUILTIN_THEME, overrides_folder, theme_files

EXIT_OK, EXIT_USAGE = 0, 2


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the two actions."""
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list the built-in theme's files, marking the ones your project overrides",
                                 description="List the built-in theme's templates and assets. "
                                             "Files your project's templates/ folder replaces are marked.")
    add_content_options(listing)
    copy = actions.add_parser("copy", help="copy built-in files into your templates/ folder to change them",
                              description="Copy files (or a folder such as 'partials') of the built-in theme into "
                                          "your project's templates/ folder, where they replace the built-in ones. "
                                          "Existing files are never overwritten.")
    copy.add_argument("names", nargs="+", metavar="NAME", help="a file or folder of the theme, as `theme list` shows it")
    add_content_options(copy)


def run(args: argparse.Namespace) -> int:
    """List or copy; 2 for an unknown name or a file that already exists."""
    overrides = overrides_folder(args.content, args.templates)
    return _list(overrides) if args.action == "list" else _copy(args.names, overrides)


def _list(overrides: Path) -> int:
    for name in theme_files():
        mark = f"  (overridden by {display_path(overrides / name)})" if (overrides / name).is_file() else ""
        print(name + mark)
    extra = sorted(path.relative_to(overrides).as_posix() for path in overrides.rglob("*")
                   if path.is_file() and not (BUILTIN_THEME / path.relative_to(overrides)).exists()) \
        if overrides.is_dir() else []
    if extra:
        print(f"\nyour own files in {display_path(overrides)}/ (not in the built-in theme):")
        for name in extra:
            print("  " + name)
    return EXIT_OK


def _chosen(names: list[str]) -> list[str] | str:
    """The theme files the names mean, or the error message for a name that means none."""
    import difflib

    files = theme_files()
    chosen: list[str] = []
    for raw in names:
        name = raw.strip("/").removeprefix("templates/")
        matches = [file for file in files if file == name or file.startswith(name + "/")]
        if not matches:
            close = difflib.get_close_matches(name, files, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else "; `introchain theme list` shows every name"
            return f"no file or folder '{raw}' in the built-in theme{hint}"
        chosen += [file for file in matches if file not in chosen]
    return chosen


def _copy(names: list[str], overrides: Path) -> int:
    chosen = _chosen(names)
    if isinstance(chosen, str):
        print(f"error: {chosen}", file=sys.stderr)
        return EXIT_USAGE
    existing = [name for name in chosen if (overrides / name).exists()]
    for name in existing:
        print(f"{display_path(overrides / name)} already exists; left as it is (delete it to copy the built-in one again)",
              file=sys.stderr)
    copied = [name for name in chosen if name not in existing]
    for name in copied:
        target = overrides / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as stream:  # "x": never overwrite, even a file made a moment ago
            stream.write((BUILTIN_THEME / name).read_bytes())
        print(f"copied {name} -> {display_path(target)}")
    if copied:
        print(f"{count(len(copied), 'file')} now replace the built-in ones; edit them, or delete them to go back")
    return EXIT_USAGE if existing and not copied else EXIT_OK
