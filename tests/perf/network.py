"""The network page's benchmark: how it loads at 1,000 (and 10,000) stories on a throttled phone.

    python3 tests/perf/network.py                   # 1,000 stories, three runs
    python3 tests/perf/network.py --large           # 1,000 and 10,000 stories
    python3 tests/perf/network.py --site SITE       # a site built already (served at /bench/)
    python3 tests/perf/network.py --large --screenshots docs/screenshots

For each N it writes a synthetic project (``synth.py``), builds it, serves it on 127.0.0.1
and opens the network page in headless Chromium at a phone viewport (390 x 844) with the
CPU slowed four times (``Emulation.setCPUThrottlingRate``, as Lighthouse's mobile profile),
a fresh browser context (empty cache) per run. It prints the medians of the runs:

- HTML: the page's bytes; index and graph: the data files' bytes (the index is fetched
  after the page has loaded; the graph only when the reader opens the interactive view);
- first view: first contentful paint (the overview is part of the page's HTML);
- interactive: when the path finder and the filters can answer (the index has arrived,
  the names are offered, listed or suggested as they are typed, and the filters enabled), at the next frame the page draws;
- path finder: from pressing "Show the shortest path" to the answer in the page, for the
  first and the last person of the list (by name: two people far apart in the layout);
- focus: from choosing the best-connected person under "Focus on" to their neighbourhood
  drawn (vis-network loaded, the part drawn from the index, its labels thinned out);
- filter: from showing the introductions of the least used tag to them drawn;
- opened: from pressing "Open the interactive view" to the graph drawn.

Not part of the test suite: it takes minutes and its numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import CHROMIUM, ENV, REPO, _Quiet, introchain  # noqa: E402
from synth import make_project  # noqa: E402

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
THROTTLING = 4
#: How long the interactive view may take to open before the run reports it as not opened.
OPEN_TIMEOUT_MS = 120_000

# Set before the page's own scripts run: when the filters are enabled (the last step of the
# page's start-up, after the names are offered), the time of the next frame (the main thread free to answer).
_WATCH_READY = """
    new MutationObserver((changes, observer) => {
        const filters = document.querySelector('[data-filter-controls]');
        if (!filters || filters.disabled) return;
        observer.disconnect();
        requestAnimationFrame(() => { window.__ready = performance.now(); });
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['disabled'] });
"""
# Runs `act` (a function body) and resolves with the milliseconds until the graph is drawn and ready, at the next frame.
_UNTIL_DRAWN = """(act) => new Promise((resolve) => {
    const stage = document.querySelector('.graph-stage');
    stage.classList.remove('graph-ready');
    const started = performance.now();
    new MutationObserver((changes, observer) => {
        if (!stage.classList.contains('graph-ready')) return;
        observer.disconnect();
        requestAnimationFrame(() => resolve(performance.now() - started));
    }).observe(stage, { attributes: true, attributeFilter: ['class'] });
    setTimeout(() => resolve(Number.MAX_VALUE), 120000);  // reported as not drawn in 120 s
    new Function(act)();
})"""
_FOCUS = """const field = document.querySelector("[data-graph='network'] [data-graph-focus]");
    field.value = %s; field.dispatchEvent(new Event('change'));"""
_FILTER = """const form = document.querySelector('[data-graph-filters]');
    form.elements.tag.value = %s; form.requestSubmit();"""
_WATCH_ANSWER = """() => {
    const form = document.querySelector('[data-path-form]');
    const result = document.querySelector('[data-path-result]');
    window.__bench = {};
    form.addEventListener('submit', () => { window.__bench.asked = performance.now(); }, { capture: true });
    new MutationObserver(() => { window.__bench.answered ??= performance.now(); })
        .observe(result, { childList: true, characterData: true, subtree: true });
}"""


def build(content: Path, out: Path) -> float:
    """Build ``content`` into ``out`` (no cache); returns the seconds it took."""
    started = time.perf_counter()
    subprocess.run(introchain("build", "--no-cache", "--content", content, "--out", out), cwd=REPO,
                   env={**os.environ, **ENV}, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def serve(site: Path) -> http.server.ThreadingHTTPServer:
    """Serve ``site`` at http://127.0.0.1:PORT/bench/ in a thread."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def one_run(browser, url: str, names: tuple[str, str], focus: str, tag: int, *, open_view: bool) -> dict[str, float]:
    """One cold load of the network page on a throttled phone: its timings in milliseconds."""
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        session = context.new_cdp_session(page)
        session.send("Emulation.setCPUThrottlingRate", {"rate": THROTTLING})
        page.add_init_script(_WATCH_READY)
        page.goto(url, wait_until="load")
        first_view = page.evaluate("""() => new Promise(resolve => new PerformanceObserver(list => {
            const paint = list.getEntriesByName('first-contentful-paint')[0];
            if (paint) resolve(paint.startTime);
        }).observe({ type: 'paint', buffered: true }))""")
        page.wait_for_function("() => window.__ready", timeout=120_000)
        interactive = page.evaluate("window.__ready")
        page.evaluate(_WATCH_ANSWER)
        page.evaluate("""([from, to]) => {
            document.querySelector('[data-path-from]').value = from;
            document.querySelector('[data-path-to]').value = to;
        }""", list(names))
        page.click("text=Show the shortest path")
        page.wait_for_function("() => window.__bench.answered", timeout=60_000, polling=50)
        answer = page.evaluate("window.__bench.answered - window.__bench.asked")
        figures = {"first_view": first_view, "interactive": interactive, "path": answer}
        figures["focus"] = page.evaluate(_UNTIL_DRAWN, _FOCUS % json.dumps(focus))
        page.click("[data-graph-reset]")
        page.wait_for_function("() => !window.introchain.graphs.network")
        figures["filter"] = page.evaluate(_UNTIL_DRAWN, _FILTER % json.dumps(str(tag)))
        page.click("text=Everyone")
        page.wait_for_function("() => !window.introchain.graphs.network")
        if open_view:
            started = page.evaluate("performance.now()")
            page.click("[data-graph-open]")
            try:
                page.wait_for_selector(".graph-ready", timeout=OPEN_TIMEOUT_MS)
                figures["opened"] = page.evaluate("performance.now()") - started
            except Exception:  # noqa: BLE001 - reported as not opened in time
                figures["opened"] = float("inf")
        return figures
    finally:
        context.close()


def measure_site(site: Path, runs: int, *, open_view: bool, screenshots: Path | None, label: str) -> dict[str, float]:
    """Medians of ``runs`` cold loads of ``site``'s network page, plus its file sizes."""
    from playwright.sync_api import sync_playwright

    server = serve(site)
    url = f"http://127.0.0.1:{server.server_address[1]}/bench/network/"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            index = json.loads((site / "network/index.json").read_text(encoding="utf-8"))
            people = index["people"]
            names = (people[0][1], people[-1][1])  # the first and last by name
            degree = Counter(number for link in index["links"] for number in link[:2])
            focus = people[max(sorted(degree), key=lambda number: degree[number])][1]
            tag = Counter(tag for story in index["stories"] for tag in story[3]).most_common()[-1][0]
            results = [one_run(browser, url, names, focus, tag, open_view=open_view) for _ in range(runs)]
            if screenshots is not None:
                shoot(browser, url, screenshots, label)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    medians = {key: statistics.median(result[key] for result in results) for key in results[0]}
    folder = site / "network"
    return {**medians, "html": (folder / "index.html").stat().st_size, "index": (folder / "index.json").stat().st_size,
            "graph": (folder / "graph.json").stat().st_size}


def shoot(browser, url: str, folder: Path, label: str) -> None:
    """Screenshots of the network page as it first appears, on a phone and on a desktop."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, options in (("phone", PHONE), ("desktop", DESKTOP)):
        context = browser.new_context(**options, color_scheme="light")
        page = context.new_page()
        page.goto(url, wait_until="load")
        page.wait_for_function("() => !document.querySelector('[data-filter-controls]').disabled", timeout=120_000)
        page.evaluate("window.scrollTo(0, document.querySelector('.graph-block').offsetTop - 8)")
        page.screenshot(path=str(folder / f"network-{label}-{name}.png"))
        context.close()


def _ms(value: float) -> str:
    return "not in 120 s" if value >= 120_000 else f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"


def _kb(count: float) -> str:
    return f"{count / 1024:,.0f} KB" if count < 1024 * 1024 else f"{count / 1024 / 1024:.1f} MB"


def table(rows: dict[int, dict[str, float]], runs: int) -> str:
    """The figures as a Markdown table, one row per size."""
    lines = [f"Medians of {runs} cold loads, phone viewport, CPU slowed {THROTTLING}x:", "",
             "| stories | HTML | index | graph | first view | interactive | path finder | focus | filter | interactive view opened |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n, figures in rows.items():
        lines.append(f"| {n:,} | {_kb(figures['html'])} | {_kb(figures['index'])} | {_kb(figures['graph'])} "
                     f"| {_ms(figures['first_view'])} | {_ms(figures['interactive'])} | {_ms(figures['path'])} "
                     f"| {_ms(figures['focus'])} | {_ms(figures['filter'])} "
                     f"| {_ms(figures['opened']) if 'opened' in figures else '-'} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--large", action="store_true", help="also 10,000 stories")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--site", type=Path, help="measure this built site (its base path /bench/) instead")
    parser.add_argument("--no-open", action="store_true", help="do not time opening the interactive view")
    parser.add_argument("--screenshots", type=Path, help="save screenshots of each size's page here")
    args = parser.parse_args()
    rows: dict[int, dict[str, float]] = {}
    if args.site:
        rows[0] = measure_site(args.site, args.runs, open_view=not args.no_open, screenshots=args.screenshots, label="site")
    else:
        for n in (1000, 10000) if args.large else (1000,):
            workdir = Path(tempfile.mkdtemp(prefix=f"introchain-network-{n}-"))
            try:
                project = make_project(workdir / "project", n)
                seconds = build(project.content, workdir / "site")
                print(f"{n:,} stories built in {seconds:.0f} s", file=sys.stderr)
                label = f"{n // 1000}k"
                rows[n] = measure_site(workdir / "site", args.runs, open_view=not args.no_open,
                                       screenshots=args.screenshots, label=label)
            finally:
                shutil.rmtree(workdir, ignore_errors=True)
    print(table(rows, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
