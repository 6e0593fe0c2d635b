"""Where a cold build's CPU and wall time go on every core: py-spy samples of the build and its workers.

    .venv/bin/pip install py-spy
    .venv/bin/python tests/perf/sample_build.py             # 1,000 stories
    .venv/bin/python tests/perf/sample_build.py --n 200 --keep /tmp/sampled

Two cold builds of one synthetic project (files dated an hour back, as an author's are):

1. without a profiler, the CPU time of each process read from ``/proc`` every 20 ms:
   the building process, its workers and Pagefind, and per second how many cores were busy;
2. under ``py-spy record --subprocesses --native`` (a sampling profiler, which slows no
   function more than another, unlike cProfile): each sample is put in the first stage
   whose function is on its stack (``STAGES``), and a stage's seconds are its share of the
   samples times the CPU time of the first build (Pagefind, not Python, is left out of the
   samples and counted from ``/proc``).

Run it on a quiet machine: the load average is printed before each build.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import REPO  # noqa: E402
from synth import make_project  # noqa: E402

#: (stage, markers): a sample belongs to the first stage one of whose markers is on its stack.
STAGES = (
    ("social cards: PNG compression", ("encode_rgb (generator/png.py",)),
    ("social cards: drawing", ("card_image (generator/cards.py", "draw_card (generator/cards.py")),
    ("graph data: nodes, edges, legends", ("deferred_context (generator/deferred.py",)),
    ("graph data as JSON", ("script_json (generator/render.py",)),
    ("checking built links", ("broken_links (generator/linkcheck.py",)),
    ("writing files", ("Staging.put (generator/staging.py",)),
    ("Jinja: person pages", ("root (person.html",)),
    ("Jinja: story pages", ("root (story.html",)),
    ("Jinja: other pages", ("Environment.render (generator/render.py",)),
    ("rendering: the rest", ("Renderer.outcome (generator/parallel.py", "render_numbers (generator/parallel.py")),
    ("search records and Pagefind's input", ("search_files_started", "SearchFilesStarted")),
    ("Markdown: posts", ("render_post (generator/markdown.py",)),
    ("Markdown: comments", ("render_comment (generator/markdown.py",)),
    ("YAML", ("compose (generator/content/source.py",)),
    ("reading content: the rest", ("load_content (generator/build.py",)),
    ("planning: related stories", ("rank (generator/related.py",)),
    ("planning: digests of pages' inputs", ("Digester", "digest (generator/incremental/fingerprint.py")),
    ("planning: the rest", ("plan_build (generator/build.py",)),
    ("saving the state", ("save_manifest", "StateStore.save")),
    ("the rest of the build (writer, swap)", ("_build (generator/build.py",)),
    ("start-up (imports)", ("",)),
)
#: A sample whose innermost frame is one of these is a thread waiting, not running.
WAITING = re.compile(r"^(poll|read|select|epoll_wait|wait4|waitpid|sem_wait|pthread_cond_(timed)?wait|"
                     r"PyThread_acquire_lock_timed|do_futex_wait|__futex_abstimed_wait_common)\b")
TICK = os.sysconf("SC_CLK_TCK")


def _cpu_of(pid: str) -> tuple[str, int, float]:
    """A process's name, session and CPU time (user + system) from ``/proc``."""
    with open(f"/proc/{pid}/stat") as stream:
        text = stream.read()
    fields = text[text.rindex(")") + 2:].split()
    return text[text.index("(") + 1:text.rindex(")")], int(fields[3]), (int(fields[11]) + int(fields[12])) / TICK


def timeline(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, float, float, dict[int, tuple[str, float]], list]:
    """Run ``command``: its pid, wall time, CPU time (``wait4``), each process's CPU time, (time, CPU per process) samples."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen: dict[int, tuple[str, float]] = {}
    samples = []
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        now = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    name, session, cpu = _cpu_of(entry)
                except (OSError, ValueError, IndexError):
                    continue
                if session == process.pid:
                    now[int(entry)] = cpu
                    seen[int(entry)] = (name, cpu)
        samples.append((time.perf_counter() - started, now))
        time.sleep(0.02)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit("the build failed")
    return process.pid, time.perf_counter() - started, usage.ru_utime + usage.ru_stime, seen, samples


def busy_cores(samples: list, main: int, seen: dict[int, tuple[str, float]], width: float = 1.0) -> list[str]:
    """Per ``width`` seconds, the cores the building process, its workers and Pagefind kept busy."""
    last: dict[int, float] = {}
    buckets: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
    for moment, now in samples:
        for pid, cpu in now.items():
            who = "main" if pid == main else "pagefind" if "pagefind" in seen[pid][0] else "workers"
            buckets[int(moment // width)][who] += cpu - last.get(pid, 0.0)
            last[pid] = cpu
    return [f"{slot * width:5.0f} s  " + "  ".join(f"{who} {buckets[slot][who] / width:4.2f}"
                                                   for who in ("main", "workers", "pagefind"))
            for slot in sorted(buckets)]


def shares(raw: Path) -> tuple[collections.Counter, int]:
    """py-spy's raw samples (``stack count`` lines) counted by stage; waiting threads left out."""
    counted: collections.Counter = collections.Counter()
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if WAITING.match(stack.rsplit(";", 1)[-1]):
            continue
        stage = next(name for name, markers in STAGES if any(marker in stack for marker in markers))
        counted[stage] += int(count)
    return counted, sum(counted.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="case studies (default 1000)")
    parser.add_argument("--keep", type=Path, help="keep the project and py-spy's samples in this folder")
    args = parser.parse_args()
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if spy is None:
        raise SystemExit("py-spy is not installed: .venv/bin/pip install py-spy")
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="sampled-introchain-"))
    try:
        project = make_project(workdir / "project", args.n)
        shutil.copytree(REPO / "templates", project.root / "templates", dirs_exist_ok=True)
        then = time.time() - 3600
        for path in project.root.rglob("*"):
            os.utime(path, (then, then))
        command = [sys.executable, "-m", "generator", "build", "--quiet"]
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        print(f"load average before the build: {os.getloadavg()[0]:.2f}")
        main_pid, wall, cpu, seen, samples = timeline(command, project.root, env)
        pagefind = sum(cpu for name, cpu in seen.values() if "pagefind" in name)
        print(f"cold build of {args.n:,} stories: {wall:.1f} s wall, {cpu:.1f} s CPU "
              f"(building process {seen[main_pid][1]:.1f} s, Pagefind {pagefind:.1f} s, workers the rest)\n")
        print("cores busy, per second:")
        print("\n".join(busy_cores(samples, main_pid, seen)))
        for folder in ("site", ".cache"):
            shutil.rmtree(project.root / folder, ignore_errors=True)
        raw = workdir / "py-spy.txt"
        print(f"\nload average before the sampled build: {os.getloadavg()[0]:.2f}")
        subprocess.run([spy, "record", "--subprocesses", "--native", "--rate", "100", "--format", "raw",
                        "--output", str(raw), "--", *command], cwd=project.root, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        counted, total = shares(raw)
        python = cpu - pagefind
        print("\n| stage | share of the CPU | CPU |\n| --- | ---: | ---: |")
        for stage, _ in STAGES:
            if counted[stage]:
                share = counted[stage] / total * python / cpu
                print(f"| {stage} | {share:.1%} | {share * cpu:.1f} s |")
        print(f"| Pagefind | {pagefind / cpu:.1%} | {pagefind:.1f} s |")
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
