"""The "how relationships deepen" charts read well on a phone and a desktop, in both colour schemes (headless Chromium).

Measured from the drawn page: every text of every chart is at least 12 CSS px on screen
(its computed size times the chart's scale), no two texts of a chart overlap or leave it,
the page never scrolls sideways (a chart too wide for a very small screen scrolls on its
own), and the marks drawn are those of the reader's colour scheme, in a colour that keeps
3:1 against the chart's background.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import REPO, run_cli
from generator.palette import MINIMUM_CONTRAST, contrast

sys.path.insert(0, str(REPO / "tests" / "perf"))
sys.path.insert(0, str(REPO / "tests" / "audit"))
import browsercheck  # noqa: E402
import siteaudit  # noqa: E402
from synth import make_project  # noqa: E402

pytestmark = pytest.mark.browser

READABLE_PX = 12
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}

#: Per chart: its texts' sizes on screen and boxes, its own box, whether its scroll region scrolls,
#: and the colours of the marks shown (with the chart's background).
MEASURE = """() => {
  const rgb = (text) => '#' + text.match(/\\d+/g).slice(0, 3).map((n) => (+n).toString(16).padStart(2, '0')).join('');
  return [...document.querySelectorAll('svg.deepening-svg')].map((svg) => {
    const box = svg.getBoundingClientRect();
    const scale = box.width / svg.viewBox.baseVal.width;
    const texts = [...svg.querySelectorAll('text')].map((text) => {
      const r = text.getBoundingClientRect();
      return {text: text.textContent, px: parseFloat(getComputedStyle(text).fontSize) * scale,
              box: [r.left, r.top, r.right, r.bottom]};
    });
    const shown = [...svg.querySelectorAll('g')].filter((g) => getComputedStyle(g).display !== 'none')
      .map((g) => ({cls: g.getAttribute('class'), stroke: rgb(getComputedStyle(g.querySelector('line')).stroke)}));
    const region = svg.closest('.deepening-chart-scroll');
    return {texts, box: [box.left, box.top, box.right, box.bottom], shown,
            background: rgb(getComputedStyle(svg).backgroundColor),
            scrolls: region.scrollWidth > region.clientWidth + 1};
  });
}"""


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    """A generated site of 40 stories whose stages are dated to the day, built under /site/."""
    root = tmp_path_factory.mktemp("deepening-browser")
    make_project(root, 40)
    result = run_cli("build", "--base-url", "http://127.0.0.1/site/", cwd=root)
    assert result.code == 0, result.text
    return root / "site"


def _overlap(first, second) -> bool:
    return first[0] < second[2] - 0.5 and second[0] < first[2] - 0.5 and first[1] < second[3] - 0.5 and second[1] < first[3] - 0.5


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_chart_text_is_readable_unscaled_and_in_the_readers_scheme(synthetic, static_server, open_page, viewport, scheme):
    server = static_server(synthetic, "/site/")
    page, watch = open_page(server.url + "deepening/", viewport=VIEWPORTS[viewport], color_scheme=scheme)
    charts = page.evaluate(MEASURE)
    assert len(charts) >= 5  # every pair, some channels, some bridge kinds
    for chart in charts:
        assert not chart["scrolls"]
        for text in chart["texts"]:
            assert text["px"] >= READABLE_PX, text
            left, top, right, bottom = text["box"]
            assert chart["box"][0] <= left and right <= chart["box"][2] and chart["box"][1] <= top and bottom <= chart["box"][3], text
        for number, first in enumerate(chart["texts"]):
            for second in chart["texts"][number + 1:]:
                assert not _overlap(first["box"], second["box"]), (first, second)
        [marks] = chart["shown"]
        if marks["cls"] != "chart-ink":
            assert marks["cls"] == f"on-{scheme}"
        assert contrast(marks["stroke"], chart["background"]) >= MINIMUM_CONTRAST, marks
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
    assert watch.console_errors == [] and {urlsplit(url).hostname for url in watch.requests} == {"127.0.0.1"}


def test_on_a_very_small_screen_a_chart_scrolls_on_its_own_not_the_page(synthetic, static_server, open_page):
    server = static_server(synthetic, "/site/")
    page, _ = open_page(server.url + "deepening/", viewport={"width": 320, "height": 640})
    charts = page.evaluate(MEASURE)
    assert all(text["px"] >= READABLE_PX for chart in charts for text in chart["texts"])
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def _require(path: Path) -> None:
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"missing {path}; scripts/test installs it")
        pytest.skip(f"missing {path}; run scripts/test once")


def test_the_page_with_its_charts_passes_axe_and_the_nu_html_checker(synthetic, static_server, browser):
    """The sample's page has no chart (it dates too little): the audit of every page misses the charts, this does not."""
    _require(siteaudit.AXE_JS)
    server = static_server(synthetic, "/site/")
    site = siteaudit.AuditSite(synthetic, server.url)
    found = browsercheck.axe_site(site, pages=["deepening/"], browser=browser)
    assert [str(violation) for violation in found["deepening/"]] == []
    _require(siteaudit.VNU_JAR)
    if shutil.which("java") is None:
        pytest.skip("java is missing; run scripts/test once")
    assert [str(message) for message in siteaudit.run_vnu([server.url + "deepening/"])] == []
