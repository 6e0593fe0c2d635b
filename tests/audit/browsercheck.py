"""The site audit, part two: axe-core and Lighthouse in Debian's headless Chromium.

- **axe-core** (npm ``axe-core``), driven by Playwright: every page in the light and the dark
  scheme at a phone and a desktop width, as loaded and again with its graphs drawn, a details
  panel open and the path found. Pages carry a strict CSP (``script-src 'self'``) that would
  refuse the injected axe script, so the audit's browser context bypasses CSP
  (``bypass_csp=True``); the pages themselves are untouched. Also: no page may scroll sideways
  on a 320 px screen (WCAG 1.4.10, which axe does not test).
- **Lighthouse** (npm ``lighthouse``) on the home page, a case study and the network page,
  mobile and desktop, several runs each, against the loopback server only.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from siteaudit import AXE_JS, CHROMIUM, CHROMIUM_FLAGS, LIGHTHOUSE_CLI, AuditSite

#: The pages Lighthouse audits: the home page, a case study and the network page.
LIGHTHOUSE_PAGES = ("", "stories/a-small-world-made-smaller/", "network/", "search/")

#: What every audited page must reach.
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}

#: The axe runs per page: (colour scheme, viewport width, viewport height).
AXE_VIEWS = (("light", 390, 844), ("dark", 390, 844), ("light", 1280, 900), ("dark", 1280, 900))


# --- axe-core --------------------------------------------------------------------------

@dataclass(frozen=True)
class AxeViolation:
    """One axe rule a page breaks, with the elements that break it."""

    page: str
    view: str
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        where = ", ".join(self.targets[:4]) + (" ..." if len(self.targets) > 4 else "")
        return f"{self.page or '/'} [{self.view}] {self.rule} ({self.impact}): {self.help}: {where}"


AXE_RUN = """async () => {
    const results = await axe.run(document, {resultTypes: ['violations']});
    return results.violations.map(v => ({rule: v.id, impact: v.impact || '', help: v.help,
        targets: v.nodes.map(n => n.target.join(' '))}));
}"""


def launch_chromium(playwright):
    """Debian's Chromium, headless, quiet (Playwright never downloads a browser here)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_FLAGS))


def wait_for_graphs(page) -> None:
    """Draw every graph on the page (graph.js draws one when it nears the screen), wait until each
    has settled, and scroll back to the top."""
    if not page.locator("[data-graph]").count():
        return
    page.evaluate("() => document.querySelectorAll('[data-graph]').forEach(b => window.introchain.ready(b.dataset.graph))")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.graph-stage')].every(s => s.classList.contains('graph-ready'))",
        timeout=20000)
    page.wait_for_function(
        "() => Object.values(window.introchain.graphs).every(g => !g.network.physics.physicsEnabled"
        " || g.network.physics.stabilized)", timeout=20000)
    page.evaluate("() => window.scrollTo(0, 0)")


def axe_check(page, page_path: str, view: str) -> list[AxeViolation]:
    """Inject axe-core into ``page`` and run every rule it enables by default."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return [AxeViolation(page_path, view, item["rule"], item["impact"], item["help"], tuple(item["targets"]))
            for item in page.evaluate(AXE_RUN)]


def choose_focus(page, graph_id: str, person: str) -> None:
    """Pick ``person`` under a graph's "Focus on": from its list, or by name (the network's typed field)."""
    control = page.locator(f"[data-graph='{graph_id}'] [data-graph-focus]")
    if control.evaluate("element => element.tagName") == "SELECT":
        control.select_option(person)
        return
    control.fill(page.evaluate("([id, person]) => window.introchain.graphs[id].details[person].name", [graph_id, person]))
    control.dispatch_event("change")


def open_graph_states(page) -> list[str]:
    """Open what JavaScript adds to a page with graphs (panel, path result); the states opened."""
    states = []
    for graph_id in page.evaluate("() => Object.keys((window.introchain || {graphs: {}}).graphs)"):
        person = page.evaluate("id => window.introchain.graphs[id].nodes.getIds()[0]", graph_id)
        choose_focus(page, graph_id, person)
        page.locator(f"[data-graph='{graph_id}'] [data-graph-panel]").wait_for(state="visible")
        states.append("panel open")
    if page.locator("[data-path-form]").count():
        page.get_by_role("button", name="Show the shortest path").click()
        page.wait_for_function("() => document.querySelector('[data-path-result]').textContent.length > 0")
        states.append("path shown")
    return states


@contextlib.contextmanager
def chromium(browser=None):
    """``browser`` when given (a test's), else a Chromium launched for the audit and closed after."""
    if browser is not None:
        yield browser
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = launch_chromium(playwright)
        try:
            yield launched
        finally:
            launched.close()


def axe_site(site: AuditSite, pages: list[str] | None = None, views=AXE_VIEWS, browser=None) -> dict[str, list[AxeViolation]]:
    """axe-core on every page in every view, as loaded and with graphs drawn and opened: violations by page."""
    pages = site.pages() if pages is None else pages
    found: dict[str, list[AxeViolation]] = {path: [] for path in pages}
    with chromium(browser) as chrome:
        for scheme, width, height in views:
            view = f"{scheme} {width}px"
            # bypass_csp: the pages' CSP (script-src 'self') would refuse the injected axe script.
            context = chrome.new_context(viewport={"width": width, "height": height}, color_scheme=scheme,
                                         bypass_csp=True, reduced_motion="reduce")
            try:
                # One tab goes from page to page, as a reader's does: its renderer keeps axe's
                # compiled code between pages, where a new tab per page compiled it again each
                # time (about three quarters of a small page's check).
                page = context.new_page()
                for path in pages:
                    page.goto(site.url + path, wait_until="load")
                    found[path] += axe_check(page, path, view)  # as loaded: graphs not drawn yet
                    if page.locator("[data-graph]").count():
                        wait_for_graphs(page)
                        states = ["graphs drawn"] + open_graph_states(page)
                        found[path] += axe_check(page, path, f"{view}, {', '.join(states)}")
            finally:
                context.close()
    return found


def reflow_site(site: AuditSite, pages: list[str] | None = None, width: int = 320, browser=None) -> dict[str, int]:
    """Pages that scroll sideways on a ``width`` px screen (WCAG 1.4.10, which axe does not test): page -> scroll width."""
    pages = site.pages() if pages is None else pages
    wide = {}
    with chromium(browser) as chrome:
        context = chrome.new_context(viewport={"width": width, "height": 640})
        try:
            page = context.new_page()  # one tab from page to page (see axe_site)
            for path in pages:
                page.goto(site.url + path, wait_until="load")
                wait_for_graphs(page)
                scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
                if scroll_width > width:
                    wide[path] = scroll_width
        finally:
            context.close()
    return wide


# --- Lighthouse ------------------------------------------------------------------------

@dataclass
class LighthouseResult:
    """Scores (0-100) of one page in one form factor, and what kept any of them below 100."""

    page: str
    form_factor: str
    scores: dict[str, int]
    failing: dict[str, list[str]] = field(default_factory=dict)
    foreign_requests: list[str] = field(default_factory=list)
    runs: list[int] = field(default_factory=list)  # the performance score of every run
    metrics: dict[str, str] = field(default_factory=dict)
    benchmark: list[int] = field(default_factory=list)  # Lighthouse's CPU benchmark index of every run
    warnings: list[str] = field(default_factory=list)
    timings: list[dict[str, float]] = field(default_factory=list)  # every run's score, metrics (ms) and load average


#: The metrics each run records: Lighthouse's audit id by a short name.
RUN_METRICS = {"FCP": "first-contentful-paint", "LCP": "largest-contentful-paint", "TBT": "total-blocking-time",
               "SI": "speed-index", "CLS": "cumulative-layout-shift"}


def load_average() -> float:
    """The one-minute load average: Lighthouse's simulated figures scale with the machine's load."""
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return float(os.getloadavg()[0]) if hasattr(os, "getloadavg") else float("nan")


LIGHTHOUSE_CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def run_lighthouse(url: str, form_factor: str, out: Path) -> dict:
    """One Lighthouse run; its JSON report."""
    command = ["node", str(LIGHTHOUSE_CLI), url, "--quiet", "--output=json", f"--output-path={out}",
               f"--only-categories={','.join(LIGHTHOUSE_CATEGORIES)}",
               f"--chrome-flags=--headless=new {' '.join(CHROMIUM_FLAGS)}", "--max-wait-for-load=30000", "--disable-full-page-screenshot"]
    if form_factor == "desktop":
        command.append("--preset=desktop")
    result = subprocess.run(command, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "CHROME_PATH": CHROMIUM})
    if result.returncode or not out.is_file():
        raise RuntimeError(f"Lighthouse failed on {url}:\n{result.stderr[-3000:]}")
    return json.loads(out.read_text())


def summarize_lighthouse(report: dict, page: str, form_factor: str, host: str) -> LighthouseResult:
    """Scores, failing audits, metrics and any request that left the loopback server."""
    scores = {name: round(report["categories"][name]["score"] * 100) for name in LIGHTHOUSE_CATEGORIES}
    failing: dict[str, list[str]] = {}
    for name in LIGHTHOUSE_CATEGORIES:
        for ref in report["categories"][name]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
                failing.setdefault(name, []).append(f"{ref['id']} ({audit['score']:.2f}): {audit.get('displayValue', '') or audit['title']}")
    requests = report["audits"].get("network-requests", {}).get("details", {}).get("items", [])
    foreign = sorted({item["url"] for item in requests
                      if urlsplit(item["url"]).scheme in ("http", "https") and urlsplit(item["url"]).netloc != host})
    metrics = {key: report["audits"][key]["displayValue"]
               for key in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
                           "cumulative-layout-shift", "speed-index")
               if key in report["audits"] and "displayValue" in report["audits"][key]}
    benchmark = [round(report.get("environment", {}).get("benchmarkIndex", 0))]
    timing = {"performance": scores["performance"]}
    timing.update({name: report["audits"][key]["numericValue"] for name, key in RUN_METRICS.items()
                   if "numericValue" in report["audits"].get(key, {})})
    return LighthouseResult(page, form_factor, scores, failing, foreign, metrics=metrics, benchmark=benchmark,
                            warnings=list(report.get("runWarnings", [])), timings=[timing])


def lighthouse_site(site: AuditSite, pages=LIGHTHOUSE_PAGES, form_factors=("mobile", "desktop"),
                    runs: int = 3, reports: Path | None = None) -> list[LighthouseResult]:
    """Lighthouse on ``pages``; for each page and form factor, the run with the median performance score.

    With ``reports``, each run's JSON report is kept in that folder (page-formfactor-run.json).
    """
    host = urlsplit(site.url).netloc
    results = []
    with tempfile.TemporaryDirectory(prefix="introchain-lighthouse-") as temp:
        folder = Path(temp) if reports is None else reports
        folder.mkdir(parents=True, exist_ok=True)
        for path in pages:
            for form_factor in form_factors:
                attempts = []
                for number in range(runs):
                    load = load_average()
                    name = (path.strip("/").replace("/", "-") or "home") + f"-{form_factor}-{number + 1}.json"
                    report = run_lighthouse(site.url + path, form_factor, folder / name)
                    attempts.append(summarize_lighthouse(report, path, form_factor, host))
                    attempts[-1].timings[0]["load"] = load
                performance = [attempt.scores["performance"] for attempt in attempts]
                median = statistics.median_low(performance)
                chosen = next(attempt for attempt in attempts if attempt.scores["performance"] == median)
                chosen.runs = performance
                chosen.benchmark = [attempt.benchmark[0] for attempt in attempts]
                chosen.timings = [attempt.timings[0] for attempt in attempts]
                for attempt in attempts:  # a failure in any run counts, not only in the median one
                    for name in ("accessibility", "best-practices", "seo"):
                        chosen.scores[name] = min(chosen.scores[name], attempt.scores[name])
                        for item in attempt.failing.get(name, []):
                            if item not in chosen.failing.setdefault(name, []):
                                chosen.failing[name].append(item)
                    chosen.foreign_requests = sorted(set(chosen.foreign_requests) | set(attempt.foreign_requests))
                results.append(chosen)
    return results


def lighthouse_misses(result: LighthouseResult) -> list[str]:
    """How ``result`` falls short of the targets."""
    misses = [f"{result.page or '/'} ({result.form_factor}): {name} {result.scores[name]} < {target}"
              for name, target in TARGETS.items() if result.scores[name] < target]
    if result.foreign_requests:
        misses.append(f"{result.page or '/'} ({result.form_factor}): requests left loopback: {result.foreign_requests}")
    return misses
