"""Command-line entry point: argument parsing only.

Each subcommand lives in its own module under ``generator.commands`` exposing
``configure(parser)`` and ``run(args) -> int``. Only the module of the command being
run is imported, so ``introchain --help`` stays light (no pyvis, no Jinja).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from generator import __version__

#: name -> (module, one-line help). Order is the order shown in --help.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("generator.commands.init", "start a new blog in a folder: settings, an example story, a Pages workflow"),
    "build": ("generator.commands.build", "build the site into the output folder"),
    "check": ("generator.commands.check", "validate the content and report every error; write nothing"),
    "new": ("generator.commands.new", "scaffold a new case study that builds as it is"),
    "theme": ("generator.commands.theme", "list the built-in theme, or copy files of it into templates/ to change them"),
    "serve": ("generator.commands.serve", "build, serve and live-reload the site while you edit"),
    "publish": ("generator.commands.publish", "build for production and push to GitHub Pages"),
    "import": ("generator.commands.importer", "import content from another platform (WordPress)"),
    "snapshot": ("generator.commands.snapshot", "freeze a Bluesky, Mastodon, Webmention or Twitter conversation into a story"),
}

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def _chosen_command(argv: Sequence[str]) -> str | None:
    """Return the subcommand named in argv (the first word that is one), if any."""
    for word in argv:
        if word in COMMANDS:
            return word
        if not word.startswith("-"):
            return None
    return None


def make_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    """Build the parser; only the chosen subcommand's module is imported and configured."""
    parser = argparse.ArgumentParser(
        prog="introchain",
        description="Build case-study blogs about how people meet through social media.",
        epilog="Run 'introchain COMMAND --help' for a command's options. "
        "Exit status: 0 success, 1 content errors, 2 usage errors.",
    )
    parser.add_argument("--version", action="version", version=f"introchain {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = _chosen_command(argv)
    for name, (module_name, help_text) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".")
        if name == chosen:
            importlib.import_module(module_name).configure(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        # Importing a command's module is part of the run: a Ctrl-C there is an interrupt too.
        parser = make_parser(argv)
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        module = importlib.import_module(COMMANDS[args.command][0])
        return module.run(args)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `introchain check | head`: the reader left; not an error of ours
        # Point stdout at /dev/null so the interpreter's final flush does not complain.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
