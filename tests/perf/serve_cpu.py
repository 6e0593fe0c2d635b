"""The CPU time of ``serve``'s rebuild after a save, measured inside the server's build code.

    .venv/bin/python tests/perf/serve_cpu.py                 # 1,000 stories, 12 saves
    .venv/bin/python tests/perf/serve_cpu.py --n 200 --saves 10 --profile FILE

Runs the dev server's rebuild (``commands.serve.SiteRebuild``, the callable the live server
calls) without the HTTP side: a first build, then ``--saves`` times one post's text
rewritten and the rebuild called with that path, as the watcher would. For each save it
prints the rebuild's wall-clock time and CPU time (the calling thread's, plus any worker
processes it waited for), and then the same for the rebuild that writes the search index
made in the background after that save. ``--profile`` writes a cProfile of the saves'
rebuilds (not the first build) to a file for ``pstats``.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import REPO  # noqa: E402
from synth import make_project, write_story  # noqa: E402


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


#: Full collections (generation 2) of Python's cyclic garbage collector since the last look.
_FULL_COLLECTIONS = [0]


def _count_full(phase: str, info: dict) -> None:
    if phase == "start" and info.get("generation") == 2:
        _FULL_COLLECTIONS[0] += 1


def _timed(call) -> tuple[float, float, object]:
    wall, cpu, children = time.perf_counter(), time.thread_time(), _children_cpu()
    result = call()
    return time.perf_counter() - wall, time.thread_time() - cpu + _children_cpu() - children, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="case studies (default 1000)")
    parser.add_argument("--saves", type=int, default=12, help="saves (default 12)")
    parser.add_argument("--keep", type=Path, help="make the project here (or reuse the one there) and keep it")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the saves' rebuilds to this file")
    args = parser.parse_args()
    import generator
    from generator.commands.serve import SEARCH_READY, SiteRebuild
    from generator.search import BackgroundIndex

    print(f"the code of {Path(generator.__file__).parent}", flush=True)
    gc.callbacks.append(_count_full)

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="serve-cpu-"))
    try:
        content = workdir / "content"
        if not content.is_dir():
            project = make_project(workdir, args.n)
            shutil.copytree(REPO / "templates", workdir / "templates")
        pool = max(8, 3 * args.n)
        # An author's files are older than the racy window; only the saved post is new.
        past = time.time() - 3600
        for folder, _, files in os.walk(content):
            for name in files:
                os.utime(Path(folder, name), (past, past))
        scratch = Path(tempfile.mkdtemp(prefix="serve-cpu-site-"))
        ready = threading.Event()
        rebuild = SiteRebuild(content, None, scratch / "site", True, lambda text: None)
        rebuild.base_url = "http://127.0.0.1:8000/"
        rebuild.cache_dir = workdir / ".cache" / "introchain"
        rebuild.state.search = BackgroundIndex(ready.set)
        wall, cpu, error = _timed(lambda: rebuild(frozenset()))
        assert not isinstance(error, str), error
        print(f"first build: {wall:.2f} s (CPU {cpu:.2f} s); load average {os.getloadavg()[0]:.1f}", flush=True)
        profiler = cProfile.Profile() if args.profile else None
        saves, indexes = [], []
        edited = args.n // 2
        for number in range(1, args.saves + 1):
            time.sleep(0.5)
            ready.clear()
            path = write_story(content, edited, pool, revision=10_000 + number)
            changed = frozenset({path, path.with_name("story.yaml"), path.with_name("comments.yaml")})
            if profiler:
                profiler.enable()
            _FULL_COLLECTIONS[0] = 0
            wall, cpu, error = _timed(lambda: rebuild(changed))
            if profiler:
                profiler.disable()
            assert not isinstance(error, str), error
            saves.append((wall, cpu))
            line = f"save {number}: {wall * 1000:.0f} ms (CPU {cpu * 1000:.0f} ms, {_FULL_COLLECTIONS[0]} full collections)"
            if ready.wait(600):
                index_wall, index_cpu, error = _timed(lambda: rebuild(frozenset({SEARCH_READY})))
                assert not isinstance(error, str), error
                indexes.append((index_wall, index_cpu))
                line += f"; its search index: {index_wall * 1000:.0f} ms (CPU {index_cpu * 1000:.0f} ms)"
            print(line + f"; load average {os.getloadavg()[0]:.1f}", flush=True)
        for label, figures in (("save", saves), ("search index", indexes)):
            if figures:
                print(f"{label}: median {statistics.median(w for w, _ in figures) * 1000:.0f} ms, "
                      f"CPU median {statistics.median(c for _, c in figures) * 1000:.0f} ms "
                      f"(CPU fastest {min(c for _, c in figures) * 1000:.0f}, slowest {max(c for _, c in figures) * 1000:.0f})")
        if profiler:
            profiler.dump_stats(args.profile)
        shutil.rmtree(scratch, ignore_errors=True)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
