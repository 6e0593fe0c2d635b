"""Options and output shared by the commands that build."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from pathlib import Path

from generator.errors import ContentError


def add_content_options(parser: argparse.ArgumentParser) -> None:
    """--content and --templates."""
    parser.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                        help="the content folder (default: ./content)")
    parser.add_argument("--templates", type=Path, default=None, metavar="DIR",
                        help="the folder whose files override the built-in theme (default: templates/ beside the content folder)")


def report_problems(problems: Iterable[ContentError]) -> None:
    """Print errors and warnings to stderr, one block each."""
    for problem in problems:
        print(problem.format(), file=sys.stderr)


def count(number: int, word: str) -> str:
    """'1 page', '3 pages'."""
    return f"{number} {word}{'' if number == 1 else 's'}"


class Progress:
    """A one-line counter on a terminal for builds that take a while; silent in CI and when piped."""

    def __init__(self, label: str, delay: float = 1.0):
        import time

        self.enabled = sys.stdout.isatty() and not os.environ.get("CI")
        self.label = label
        self.clock = time.perf_counter
        self.started = self.clock()
        self.delay = delay
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if self.enabled and (self.shown or self.clock() - self.started > self.delay):
            self.shown = True
            print(f"\r{self.label} {done}/{total}", end="", flush=True)

    def close(self) -> None:
        if self.shown:
            print("\r\033[K", end="", flush=True)
