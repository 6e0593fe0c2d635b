"""Where a cold build's time goes: cProfile over one cold build of a synthetic project, on one core.

    .venv/bin/python tests/perf/profile_build.py             # 1,000 stories
    .venv/bin/python tests/perf/profile_build.py --n 200 --dump cold.prof

The build runs in this process, held to one core, so there are no render workers and the
profile sees every page (with two cores the same work is shared with a worker). The
project's files are dated an hour back, as an author's are. It prints each stage's share of
the profiled time; cProfile slows code that makes many small calls more than the rest, so
shares, not seconds, are what to compare. ``--dump`` keeps the profile for ``pstats`` or
``snakeviz``.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import REPO  # noqa: E402
from synth import make_project  # noqa: E402

#: (stage, file suffix, function): a stage's time is its function's cumulative time.
STAGES = (
    ("reading and validating content", "generator/build.py", "load_content"),
    ("  Markdown: posts", "generator/markdown.py", "render_post"),
    ("  Markdown: comments", "generator/markdown.py", "render_comment"),
    ("  YAML", "generator/content/source.py", "compose"),
    ("planning pages and their keys", "generator/build.py", "plan_build"),
    ("  digests of pages' inputs", "generator/incremental/fingerprint.py", "__call__"),
    ("  related stories", "generator/related.py", "rank"),
    ("rendering pages", "generator/parallel.py", "render"),
    ("  graph data of each page", "generator/deferred.py", "deferred_context"),
    ("  graph data as JSON", "generator/render.py", "script_json"),
    ("  person pages (Jinja)", "generator/theme/person.html", "root"),
    ("  story pages (Jinja)", "generator/theme/story.html", "root"),
    ("  graph partial, legend included (Jinja)", "generator/theme/partials/graph.html", "root"),
    ("  legend partial (Jinja)", "generator/theme/partials/legend.html", "root"),
    ("  social cards (Pillow)", "generator/cards.py", "draw_card"),
    ("checking built links", "generator/linkcheck.py", "broken_links"),
    ("writing files", "generator/write.py", "put"),
    ("saving the state", "generator/incremental/state_store.py", "save"),
)


def _cumulative(stats: pstats.Stats, suffix: str, function: str) -> float:
    """The cumulative time of every function named ``function`` in a file ending with ``suffix``."""
    return sum(row[3] for (path, _, name), row in stats.stats.items()  # type: ignore[attr-defined]
               if name == function and path.endswith(suffix))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="case studies (default 1000)")
    parser.add_argument("--dump", type=Path, help="also write the profile to this file")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="profile-of-introchain-"))
    try:
        project = make_project(workdir, args.n)
        shutil.copytree(REPO / "templates", workdir / "templates")
        then = time.time() - 3600
        for path in workdir.rglob("*"):
            os.utime(path, (then, then))
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core: no workers, every page profiled here
        os.chdir(project.root)
        sys.path.insert(0, str(REPO))
        from generator.cli import main as introchain

        profile = cProfile.Profile()
        started = time.process_time()
        profile.enable()
        code = introchain(["build", "--quiet"])
        profile.disable()
        cpu = time.process_time() - started
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if code:
        raise SystemExit(f"the build failed ({code})")
    stats = pstats.Stats(profile)
    total = _cumulative(stats, "generator/cli.py", "main")
    print(f"cold build of {args.n:,} stories on one core: {cpu:.1f} s of CPU under the profiler\n")
    print("| stage | share |\n| --- | ---: |")
    for stage, suffix, function in STAGES:
        print(f"| {stage} | {_cumulative(stats, suffix, function) / total:.0%} |")
    if args.dump:
        stats.dump_stats(args.dump)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
