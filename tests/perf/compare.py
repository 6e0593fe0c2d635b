"""The code of another checkout against this one, turn about on the same machine: serve, warm rebuild, one-post edit.

    git worktree add --detach ../before <commit>
    .venv/bin/python tests/perf/compare.py ../before              # 1,000 stories, three rounds
    .venv/bin/python tests/perf/compare.py ../before --n 200 --rounds 5 --saves 5
    git worktree remove ../before

Each side gets its own synthetic project (``synth.py``, with the repository's templates)
and runs its code through ``PYTHONPATH`` with this checkout's Python and libraries. In each
round, one side after the other (the first side changing from round to round, so a shared
machine's load falls on both alike): ``serve`` with ``--saves`` saves of one post's text,
each timed from the save to the reload event; then a warm ``build`` (nothing changed) and
a ``build`` after rewriting one post. Before the rounds each side makes a cold build and a
first edit (which sets up the retired site later builds update). It prints every figure as
it comes, the load average at each round's start, each side's medians (wall-clock; CPU of
the build and its workers in brackets) and the medians of the per-round ratios.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import REPO, introchain, serve_latency, timed  # noqa: E402
from synth import Project, make_project, write_story  # noqa: E402

SIDES = ("before", "after")


def _build(project: Project, code: Path) -> tuple[float, float]:
    run = timed(introchain("build", "--quiet"), project.root, {"PYTHONPATH": str(code)})
    if run.code != 0:
        raise RuntimeError(f"the build with {code} failed:\n{run.output}")
    return run.seconds, run.cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="a checkout of the code to compare with (e.g. a git worktree)")
    parser.add_argument("--n", type=int, default=1000, help="case studies (default 1000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--saves", type=int, default=5, help="serve saves per round and side (default 5; 0: no serve)")
    args = parser.parse_args()
    code = {"before": args.before.resolve(), "after": REPO}
    workdir = Path(tempfile.mkdtemp(prefix="compare-introchain-"))
    figures: dict[str, dict[str, list[float]]] = {side: {"serve": [], "warm": [], "warm CPU": [], "edit": [], "edit CPU": []}
                                                  for side in SIDES}
    try:
        projects = {side: make_project(workdir / side, args.n) for side in SIDES}
        edited = args.n // 2
        for side in SIDES:
            shutil.copytree(REPO / "templates", projects[side].root / "templates")
            _build(projects[side], code[side])
            write_story(projects[side].content, edited, projects[side].people, revision=1)
            _build(projects[side], code[side])
        for number in range(args.rounds):
            load = os.getloadavg()[0]
            order = SIDES if number % 2 == 0 else SIDES[::-1]
            for side in order:
                project, mine = projects[side], figures[side]
                if args.saves:
                    revision = 1000 * (number + 1)
                    mine["serve"] += serve_latency(
                        project.root, lambda k, p=project: write_story(p.content, edited, p.people, revision=revision + k),
                        args.saves, {"PYTHONPATH": str(code[side])},
                        lambda k: (f"/stories/{project.slugs[edited]}/", f"revision {revision + k}.".encode()))
                for kind in ("warm", "edit"):
                    if kind == "edit":
                        write_story(project.content, edited, project.people, revision=2 + number)
                    seconds, cpu = _build(project, code[side])
                    mine[kind].append(seconds)
                    mine[f"{kind} CPU"].append(cpu)
                saves = " ".join(f"{seconds:.2f}" for seconds in mine["serve"][-args.saves:]) if args.saves else "-"
                print(f"round {number + 1} (load average {load:.1f} at its start), {side}: serve saves {saves} s; "
                      f"warm {mine['warm'][-1]:.2f} s (CPU {mine['warm CPU'][-1]:.2f} s); "
                      f"edit {mine['edit'][-1]:.2f} s (CPU {mine['edit CPU'][-1]:.2f} s)", flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    for side in SIDES:
        print(f"{side}: " + ", ".join(f"{kind} median {statistics.median(values):.3f} s"
                                      for kind, values in figures[side].items() if values))
    for kind in ("warm", "warm CPU", "edit", "edit CPU"):
        ratios = [after / before for after, before in zip(figures["after"][kind], figures["before"][kind]) if before]
        print(f"after ÷ before, {kind}: median of the rounds' ratios {statistics.median(ratios):.2f}")
    if figures["after"]["serve"]:
        ratio = statistics.median(figures["after"]["serve"]) / statistics.median(figures["before"]["serve"])
        print(f"after ÷ before, serve save → reload: {ratio:.2f} (medians)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
