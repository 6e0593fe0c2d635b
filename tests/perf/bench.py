"""introchain's benchmark: cold, warm and one-post-edit builds side by side with Hugo and Pelican.

    python3 tests/perf/bench.py                  # 1,000 stories, three rounds (about 5 minutes on 2 cores)
    python3 tests/perf/bench.py --large          # 1,000 and 10,000 stories
    python3 tests/perf/bench.py --no-browser --no-serve

For each N it writes a synthetic project (``synth.py``) with a copy of the repository's
templates, and the same posts (same titles, dates and tags, all published) as a Hugo and a
Pelican site (``others.py``). Every file is dated an hour back, as an author's files are
when they build. Then, round by round, each side makes a cold build (no output, no
cache), a warm rebuild (nothing changed) and two builds each after editing the same post,
one side after the other, so the load of a shared machine falls on all three alike. Then
one more cold build of each side is sampled for its peak memory (sampling slows a build,
so no timed build is sampled). It
prints medians of wall-clock and CPU time (user + system of the build and every process it
waited for), the load average at each round, each side's pages and output bytes, and the
medians of the per-round ratios. After the rounds it measures introchain alone: serve's
save-to-reload time, the network page in headless Chromium (as ``network.py`` loads it: a phone
with its CPU slowed four times) and ``introchain --help``.
Not part of the test suite: it takes minutes and its numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import ENV, REPO, Run, introchain, serve_latency, timed  # noqa: E402
from network import THROTTLING, measure_site  # noqa: E402
from others import (hugo_command, hugo_site, hugo_version, pelican_command, pelican_python,  # noqa: E402
                    pelican_site, write_hugo_post, write_pelican_post)
from synth import make_project, write_story  # noqa: E402

#: One-post edits per round and side; the first after a cold build is reported on its own.
EDITS = 2
#: How far back every file is dated before the first build: well past any racy-timestamp window.
AGE_SECONDS = 3600
KINDS = ("cold", "warm", "edit", "first_edit")


@dataclass
class Side:
    """One generator building the posts: how to build, where it writes, what a cold build removes, how to edit."""

    name: str
    command: list[str]
    root: Path
    output: Path
    caches: tuple[Path, ...]
    edit: Callable[[int], object]
    env: dict[str, str] = field(default_factory=dict)
    wall: dict[str, list[float]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    cpu: dict[str, list[float]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    peak_mib: list[float] = field(default_factory=list)
    pages: int = 0
    files: int = 0
    output_bytes: int = 0

    def build(self, kind: str) -> Run:
        run = timed(self.command, self.root, self.env)
        if run.code != 0:
            raise SystemExit(f"{self.name}: {kind} build failed ({run.code}):\n{run.output[-3000:]}")
        self.wall[kind].append(run.seconds)
        self.cpu[kind].append(run.cpu)
        return run


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _age(folder: Path, seconds: float) -> None:
    """Date every file under ``folder`` ``seconds`` back, as files an author wrote earlier are."""
    then = time.time() - seconds
    for path in folder.rglob("*"):
        os.utime(path, (then, then), follow_symlinks=False)


def _measure_output(side: Side) -> None:
    files = [path for path in side.output.rglob("*") if path.is_file()]
    side.files = len(files)
    side.pages = sum(1 for path in files if path.suffix == ".html")
    side.output_bytes = sum(path.stat().st_size for path in files)


def _edit_story(content: Path, number: int, pool: int, revision: int) -> Path:
    return write_story(content, number, pool, revision=revision)


def make_sides(n: int, workdir: Path, *, others: bool, install: bool) -> tuple[list[Side], object]:
    """The three sides over the same ``n`` posts (Hugo and Pelican when available)."""
    root = workdir / f"n{n}"
    project = make_project(root / "introchain", n)
    shutil.copytree(REPO / "templates", project.root / "templates")
    edited = n // 2
    sides = [Side("introchain", introchain("build", "--quiet"), project.root, project.root / "site",
                  (project.root / "site", project.root / ".cache"),
                  functools.partial(_edit_story, project.content, edited, project.people), ENV)]
    if others and (version := hugo_version()):
        site = hugo_site(root, n, project.people)
        sides.append(Side(version, hugo_command(site), site, site / "public", (site / "public", site / "resources"),
                          functools.partial(write_hugo_post, site, edited, project.people)))
    if others and (pelican := pelican_python(REPO / ".cache" / "bench", install)):
        python, version = pelican
        site = pelican_site(root, n, project.people)
        sides.append(Side(version, pelican_command(python, site), site, site / "output",
                          (site / "output", site / "cache"),
                          functools.partial(write_pelican_post, site, edited, project.people)))
    return sides, project


def run_rounds(sides: list[Side], rounds: int) -> list[float]:
    """Cold, warm and edited builds, side after side, ``rounds`` times; the load average at each round's start."""
    loads = []
    revision = 0
    for number in range(rounds):
        loads.append(os.getloadavg()[0])
        order = sides[number % len(sides):] + sides[:number % len(sides)]  # nobody always goes first
        for side in order:
            for cache in side.caches:
                shutil.rmtree(cache, ignore_errors=True)
            side.build("cold")
            if number == 0:
                _measure_output(side)
        for side in order:
            side.build("warm")
        for step in range(EDITS):
            revision += 1
            for side in order:
                side.edit(revision)
                kind = "first_edit" if step == 0 else "edit"
                side.build(kind)
        print(f"  round {number + 1} (load average {loads[-1]:.1f} at its start): " + "; ".join(
            f"{side.name} cold {side.wall['cold'][-1]:.2f} s (CPU {side.cpu['cold'][-1]:.1f} s), "
            f"warm {side.wall['warm'][-1]:.2f} s, edits {side.wall['first_edit'][-1]:.2f}/{side.wall['edit'][-1]:.2f} s "
            f"(CPU {side.cpu['first_edit'][-1]:.1f}/{side.cpu['edit'][-1]:.1f} s)"
            for side in sides), flush=True)
    return loads


def measure_memory(sides: list[Side]) -> None:
    """Peak memory of each side: one more cold build, sampled (the timed builds are not: see ``timed``)."""
    for side in sides:
        for cache in side.caches:
            shutil.rmtree(cache, ignore_errors=True)
        run = timed(side.command, side.root, side.env, memory=True)
        if run.code != 0:
            raise SystemExit(f"{side.name}: cold build for memory failed ({run.code}):\n{run.output[-3000:]}")
        side.peak_mib.append(run.peak_mib)
    print("  peak memory of a cold build: " + "; ".join(f"{side.name} {side.peak_mib[-1]:.0f} MiB" for side in sides),
          flush=True)


def _ratio(ours: list[float], theirs: list[float]) -> float:
    """The median of the per-round ratios: each pair of runs shared a round's load."""
    return _median([a / b for a, b in zip(ours, theirs) if b > 0])


def _seconds(value: float) -> str:
    return "–" if value != value else f"{value:.2f} s"


def _megabytes(count: int) -> str:
    return f"{count / 1e6:.1f} MB"


def table(n: int, sides: list[Side], loads: list[float]) -> str:
    """The Markdown table of one N: medians per side, then the median per-round ratios."""
    head = ("| {n:,} stories | pages | files | output | cold (CPU) | warm (CPU) | one-post edit (CPU) | "
            "first edit after cold | peak memory |").format(n=n)
    lines = [head, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for side in sides:
        lines.append(" | ".join([
            f"| {side.name}", f"{side.pages:,}", f"{side.files:,}", _megabytes(side.output_bytes),
            *(f"{_seconds(_median(side.wall[kind]))} ({_seconds(_median(side.cpu[kind]))})"
              for kind in ("cold", "warm", "edit")),
            _seconds(_median(side.wall["first_edit"])), f"{max(side.peak_mib):.0f} MiB"]) + " |")
    ours = sides[0]
    for other in sides[1:]:
        cells = [f"| introchain ÷ {other.name.split()[0]}", f"{ours.pages / other.pages:.1f}×" if other.pages else "–",
                 f"{ours.files / other.files:.1f}×" if other.files else "–",
                 f"{ours.output_bytes / other.output_bytes:.1f}×" if other.output_bytes else "–"]
        for kind in ("cold", "warm", "edit"):
            cells.append(f"{_ratio(ours.wall[kind], other.wall[kind]):.2f}× "
                         f"({_ratio(ours.cpu[kind], other.cpu[kind]):.2f}×)")
        cells += [f"{_ratio(ours.wall['first_edit'], other.wall['first_edit']):.2f}×",
                  f"{max(ours.peak_mib) / max(other.peak_mib):.1f}×"]
        lines.append(" | ".join(cells) + " |")
    rounds = len(loads)
    lines.append(f"\nMedians of {rounds} interleaved rounds; load average (1 min) at each round's start: "
                 + ", ".join(f"{load:.1f}" for load in loads) + f" on {os.cpu_count()} cores.")
    return "\n".join(lines)


def extras(project, *, serve: bool, browser: bool) -> list[str]:
    """introchain alone, after the rounds: serve's save-to-reload time and the network page."""
    notes = []
    n = len(project.slugs)
    if serve:
        saves = 7 if n < 10_000 else 3
        try:
            latencies = serve_latency(project.root,
                                      lambda k: write_story(project.content, n // 3, project.people, revision=100 + k),
                                      saves, shows=lambda k: (f"/stories/{project.slugs[n // 3]}/", f"revision {100 + k}.".encode()))
            notes.append(f"serve save→reload: median {_median(latencies) * 1000:.0f} ms of {saves}")
        except RuntimeError as error:  # the server's own failure: report it, keep the table
            notes.append(f"serve save→reload: not measured ({error})")
    if browser:
        try:
            page = measure_site(project.root / "site", 3, open_view=False, screenshots=None, label=f"{n}")
            notes.append(f"network page (phone, CPU slowed {THROTTLING}x, medians of 3 cold loads): HTML {page['html'] / 1024:,.0f} KB, "
                         f"first view {page['first_view']:.0f} ms, interactive {page['interactive']:.0f} ms, "
                         f"path finder {page['path']:.0f} ms")
        except Exception as error:  # noqa: BLE001 - Playwright's timeout: report it and go on
            notes.append(f"network page: not measured ({type(error).__name__}: {str(error).splitlines()[0]})")
    return notes


def help_seconds(times: int = 15) -> float:
    """Median wall-clock time of ``introchain --help``."""
    return _median([timed(introchain("--help"), REPO, ENV).seconds for _ in range(times)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000", help="comma-separated numbers of case studies (default 1000)")
    parser.add_argument("--large", action="store_true", help="also 10,000 stories")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per size (default 3)")
    parser.add_argument("--no-browser", dest="browser", action="store_false", help="skip the network page in Chromium")
    parser.add_argument("--no-serve", dest="serve", action="store_false", help="skip the serve latency")
    parser.add_argument("--no-others", dest="others", action="store_false", help="introchain alone, no Hugo or Pelican")
    parser.add_argument("--no-install", dest="install", action="store_false",
                        help="do not pip-install Pelican into .cache/bench/ when it is missing")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary folder)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")] + ([10_000] if args.large else [])
    if args.rounds < 3:
        print("note: fewer than three rounds make a median that one noisy run can move", flush=True)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="bench-of-introchain-"))
    workdir.mkdir(parents=True, exist_ok=True)
    reports = []
    try:
        for n in sizes:
            started = time.perf_counter()
            sides, project = make_sides(n, workdir, others=args.others, install=args.install)
            for side in sides:
                _age(side.root, AGE_SECONDS)
            print(f"N={n}: {', '.join(side.name for side in sides)}; projects written in "
                  f"{time.perf_counter() - started:.1f} s", flush=True)
            loads = run_rounds(sides, args.rounds)
            measure_memory(sides)
            report = table(n, sides, loads)
            print(f"\n{report}\n", flush=True)  # before the extras, so a failure there loses no rounds
            notes = extras(project, serve=args.serve, browser=args.browser)
            reports.append(report + "".join(f"\n{note}." for note in notes))
            shutil.rmtree(workdir / f"n{n}", ignore_errors=True)
        help_time = help_seconds()
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print()
    print("\n\n".join(reports))
    print(f"\n`introchain --help`: {help_time * 1000:.0f} ms (median of 15 runs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
