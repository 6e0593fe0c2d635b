"""Take the documentation's screenshots from the built sample site with headless Debian Chromium.

    python3 scripts/screenshots.py            # writes docs/screenshots/*.png
    python3 scripts/screenshots.py search.png card.png   # only these

It builds content/ into a temporary folder, serves it on loopback under /introchain/
(like GitHub Pages), and photographs a case study, the network page and the home page,
in light and dark schemes, at desktop (1280 px) and phone (390 px) widths, a case study as
printed, the search page with results, the "how relationships deepen" page, and a story's
social card (the built PNG itself). The sample's stories date too few stages to time any,
so that page is also photographed on the benchmark's synthetic project of 60 stories
(``tests/perf/synth.py``), served under /synthetic/.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]

STORY = "stories/a-small-world-made-smaller/"
SMILING = "stories/smiling-about-social-media/"

SHOTS = [
    # (file, path, viewport width, height, colour scheme, clip to the element or None for the viewport, media)
    ("story-top.png", STORY, 1280, 900, "light", None, "screen"),
    ("story-top-dark.png", STORY, 1280, 900, "dark", None, "screen"),
    ("story-phone.png", SMILING, 390, 844, "light", None, "screen"),
    ("story-phone-dark.png", SMILING, 390, 844, "dark", None, "screen"),
    ("story-graph.png", STORY, 1280, 900, "light", ".connection-story", "screen"),
    ("story-graph-dark.png", STORY, 1280, 900, "dark", ".connection-story", "screen"),
    ("story-graph-phone-dark.png", SMILING, 390, 844, "dark", ".graph-block", "screen"),
    ("timeline.png", SMILING, 1280, 900, "light", ".timeline-scroll", "screen"),
    ("timeline-phone.png", STORY, 390, 844, "light", ".timeline-scroll", "screen"),
    ("comments.png", STORY, 1280, 900, "light", ".snapshot", "screen"),
    ("comments-phone-dark.png", STORY, 390, 844, "dark", ".snapshot", "screen"),
    ("network.png", "network/", 1280, 1000, "light", "main", "screen"),
    ("network-phone-dark.png", "network/", 390, 844, "dark", ".graph-block", "screen"),
    ("home-dark.png", "", 1280, 800, "dark", None, "screen"),
    ("home-phone.png", "", 390, 844, "light", None, "screen"),
    ("print-story.png", STORY, 794, 1123, "light", ".connection-story", "print"),
    ("search.png", "search/?q=Cork", 1280, 800, "light", None, "screen"),
    ("deepening-sample.png", "deepening/", 1280, 900, "light", None, "screen"),
    ("deepening.png", "/synthetic/deepening/#every-pair", 1280, 900, "light", None, "screen"),
    ("deepening-phone-dark.png", "/synthetic/deepening/#by-channel", 390, 844, "dark", None, "screen"),
]
#: The synthetic project photographed under /synthetic/ (a path starting with it).
SYNTHETIC_STORIES = 60
#: Files copied from the built site as they are: (file, path in the site).
COPIES = [("card.png", STORY + "card.png")]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def main(only: list[str]) -> int:
    with tempfile.TemporaryDirectory() as temp:
        mount = Path(temp) / "root"
        build = subprocess.run(
            [sys.executable, "-m", "generator", "build", "--content", str(REPO / "content"),
             "--templates", str(REPO / "templates"), "--out", str(mount / "introchain"),
             "--base-url", "http://127.0.0.1/introchain/"],
            cwd=REPO, capture_output=True, text=True,
        )
        if build.returncode:
            print(build.stderr, file=sys.stderr)
            return 1
        if not only or any(name in only for name, path, *_ in SHOTS if path.startswith("/synthetic/")):
            sys.path.insert(0, str(REPO / "tests" / "perf"))
            from synth import make_project

            make_project(Path(temp) / "synthetic", SYNTHETIC_STORIES)
            build = subprocess.run(
                [sys.executable, "-m", "generator", "build", "--content", str(Path(temp) / "synthetic" / "content"),
                 "--out", str(mount / "synthetic"), "--base-url", "http://127.0.0.1/synthetic/"],
                cwd=REPO, capture_output=True, text=True,
            )
            if build.returncode:
                print(build.stderr, file=sys.stderr)
                return 1
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(mount)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/introchain/"
        OUT.mkdir(parents=True, exist_ok=True)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                                     args=CHROMIUM_ARGS)
                for name, path, width, height, scheme, selector, media in SHOTS:
                    if only and name not in only:
                        continue
                    page = browser.new_page(viewport={"width": width, "height": height}, color_scheme=scheme,
                                            device_scale_factor=1, reduced_motion="reduce")
                    page.goto(base.removesuffix("introchain/") + path[1:] if path.startswith("/") else base + path)
                    page.wait_for_load_state("networkidle")
                    if page.locator("#search-results").count():
                        page.wait_for_selector(".search-result", timeout=15000)
                    if page.locator("[data-graph]").count():
                        # graph.js draws a graph when it nears the screen; draw them all now, as a reader scrolling would.
                        page.evaluate("() => document.querySelectorAll('[data-graph]')"
                                      ".forEach(block => window.introchain.ready(block.dataset.graph))")
                        page.wait_for_function("() => [...document.querySelectorAll('.graph-stage')]"
                                               ".every(stage => stage.classList.contains('graph-ready'))", timeout=15000)
                        page.wait_for_timeout(1500)  # let laid-out graphs settle after stabilising
                        page.evaluate("() => window.scrollTo(0, 0)")
                    page.emulate_media(media=media)
                    target = OUT / name
                    if selector:
                        page.locator(selector).first.screenshot(path=str(target))
                    else:
                        page.screenshot(path=str(target))
                    page.close()
                    print(f"wrote {target.relative_to(REPO)}")
                browser.close()
            for name, path in COPIES:
                if not only or name in only:
                    shutil.copyfile(mount / "introchain" / path, OUT / name)
                    print(f"wrote {(OUT / name).relative_to(REPO)}")
        finally:
            server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
