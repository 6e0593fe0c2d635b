"""introchain's benchmark: build times, rebuilds, serve latency, memory and start-up, against Hugo and Pelican.

    python3 tests/perf/bench.py                      # N = 100, 1,000 and 10,000 (about 20 minutes)
    python3 tests/perf/bench.py --sizes 100,1000     # quicker
    python3 tests/perf/bench.py --no-browser --no-others

For each N it writes a synthetic project (``synth.py``) into a temporary folder with a copy
of the repository's templates, and reports medians of: a cold build (no site, no cache), a
warm rebuild (nothing changed), rebuilds after editing one post (three in a row; the first
after a cold build also shown on its own), serve's save-to-reload
latency, the peak memory of the build's process tree, and the time until the network page
is drawn and answers in headless Chromium. When ``hugo`` or Pelican is installed, the same
posts are built with them in the same run and the ratios are printed. Not part of the test
suite: it takes minutes and its numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import ENV, REPO, Run, introchain, network_page_seconds, serve_latency, timed  # noqa: E402
from others import hugo_command, hugo_site, pelican_command, pelican_site  # noqa: E402
from synth import make_project, write_story  # noqa: E402


#: Successive one-post edits measured after each cold build.
EDITS = 3


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _checked(run: Run, what: str) -> Run:
    if run.code != 0:
        raise SystemExit(f"{what} failed ({run.code}):\n{run.output[-3000:]}")
    return run


def bench_size(n: int, repeat: int, workdir: Path, *, browser: bool, others: bool, serve: bool = True) -> dict[str, float]:
    """Every measurement for one N; medians of ``repeat`` runs."""
    root = workdir / f"n{n}"
    started = time.perf_counter()
    project = make_project(root, n)
    shutil.copytree(REPO / "templates", root / "templates")
    print(f"N={n}: project written in {time.perf_counter() - started:.1f} s", flush=True)
    build = introchain("build", "--quiet")
    cold, warm, edit, first_edit, memory, cpu = [], [], [], [], [], []
    for number in range(repeat):
        shutil.rmtree(root / "site", ignore_errors=True)
        shutil.rmtree(root / ".cache", ignore_errors=True)
        run = _checked(timed(build, root, ENV), "cold build")
        cold.append(run.seconds)
        cpu.append(run.cpu)
        memory.append(run.peak_mib)
        warm.append(_checked(timed(build, root, ENV), "warm build").seconds)
        # An author edits, builds, edits again: the first build after a cold one also sets up
        # what the next ones reuse (the spare site), so it is reported on its own as well.
        for step in range(EDITS):
            write_story(project.content, n // 2, project.people, revision=number * EDITS + step + 1)
            edit.append(_checked(timed(build, root, ENV), "edit build").seconds)
        first_edit.append(edit[-EDITS])
        edits = ", ".join(f"{seconds:.2f}" for seconds in edit[-EDITS:])
        print(f"  run {number + 1}: cold {cold[-1]:.2f} s (CPU {cpu[-1]:.1f} s), warm {warm[-1]:.2f} s, edits {edits} s, "
              f"peak {memory[-1]:.0f} MiB, load average {os.getloadavg()[0]:.1f}", flush=True)
    result = {"n": n, "cold": _median(cold), "cold_cpu": _median(cpu), "warm": _median(warm), "edit": _median(edit),
              "first_edit": _median(first_edit), "memory": max(memory)}
    if serve:
        saves = 7 if n < 10_000 else 3
        latencies = serve_latency(root, lambda k: write_story(project.content, n // 3, project.people, revision=100 + k), saves)
        result["serve"] = _median(latencies)
        print(f"  serve save-to-reload: {', '.join(f'{value * 1000:.0f} ms' for value in latencies)}", flush=True)
    if browser:
        try:
            drawn, interactive = network_page_seconds(root / "site")
        except Exception as error:  # noqa: BLE001 - Playwright's timeout: report it and go on
            print(f"  network page: not drawn ({type(error).__name__}: {str(error).splitlines()[0]})", flush=True)
            drawn = interactive = float("inf")
        result["network_drawn"], result["network_interactive"] = drawn, interactive
        print(f"  network page: drawn {drawn:.2f} s, interactive {interactive:.2f} s", flush=True)
    if others and shutil.which("hugo"):
        site = hugo_site(workdir, n, project.people)
        result["hugo"] = _median([_checked(timed(hugo_command(site), workdir), "hugo").seconds for _ in range(repeat)])
        print(f"  hugo: {result['hugo']:.2f} s", flush=True)
    if others and _has_pelican():
        site = pelican_site(workdir, n, project.people)
        result["pelican"] = _median([_checked(timed(pelican_command(site), workdir), "pelican").seconds
                                     for _ in range(max(1, repeat if n <= 1000 else 1))])
        print(f"  pelican: {result['pelican']:.2f} s", flush=True)
    shutil.rmtree(root, ignore_errors=True)
    return result


def _has_pelican() -> bool:
    try:
        import markdown  # noqa: F401 - Pelican reads Markdown only with it
        import pelican  # noqa: F401
    except ImportError:
        return False
    return True


def help_seconds(times: int = 15) -> float:
    """Median wall-clock time of ``introchain --help``."""
    return _median([timed(introchain("--help"), REPO, ENV).seconds for _ in range(times)])


def _cell(value: float | None, unit: str = "s") -> str:
    if value is None or value != value:
        return "–"
    if value == float("inf"):
        return "> 120 s"
    if unit == "ms":
        return f"{value * 1000:.0f} ms"
    if unit == "MiB":
        return f"{value:.0f} MiB"
    return f"{value:.2f} s"


def table(results: list[dict[str, float]], help_time: float) -> str:
    """The Markdown table of medians, with the ratios to Hugo and Pelican."""
    lines = ["| N | cold build (CPU) | warm rebuild | one-post edit (first after cold) | serve save→reload | peak memory | network page drawn / interactive | Hugo | Pelican | cold ÷ Hugo | warm ÷ Hugo | cold ÷ Pelican |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in results:
        hugo, pelican = row.get("hugo"), row.get("pelican")
        network = (f"{_cell(row['network_drawn'])} / {_cell(row['network_interactive'])}"
                   if "network_drawn" in row else "–")
        lines.append(" | ".join([
            f"| {row['n']:,}", f"{_cell(row['cold'])} ({row['cold_cpu']:.0f} s)", _cell(row["warm"]),
            f"{_cell(row['edit'])} ({_cell(row['first_edit'])})", _cell(row.get("serve"), "ms"),
            _cell(row["memory"], "MiB"), network, _cell(hugo), _cell(pelican),
            f"{row['cold'] / hugo:.1f}×" if hugo else "–", f"{row['warm'] / hugo:.2f}×" if hugo else "–",
            f"{row['cold'] / pelican:.2f}×" if pelican else "–",
        ]) + " |")
    lines.append(f"\n`introchain --help`: {_cell(help_time, 'ms')} (median of 15 runs)")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="comma-separated numbers of case studies")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement below 10,000 stories (default 3)")
    parser.add_argument("--repeat-large", type=int, default=1, help="runs per measurement from 10,000 stories (default 1)")
    parser.add_argument("--no-browser", dest="browser", action="store_false", help="skip the network page in Chromium")
    parser.add_argument("--no-serve", dest="serve", action="store_false", help="skip the serve latency")
    parser.add_argument("--no-others", dest="others", action="store_false", help="skip Hugo and Pelican")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary folder)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="bench-of-introchain-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        help_time = help_seconds()
        results = [bench_size(n, args.repeat if n < 10_000 else args.repeat_large, workdir,
                              browser=args.browser, others=args.others, serve=args.serve) for n in sizes]
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(table(results, help_time))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
