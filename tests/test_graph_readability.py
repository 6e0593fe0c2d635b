"""Graphs read well on a phone and a desktop, in both colour schemes (real headless Chromium).

Label sizes come from two places: vis-network's own state (font size times the view's scale,
and the drawThreshold that hides smaller labels) and what was drawn, recorded by wrapping
the canvas' fillText. No two labels drawn in the first view overlap, and the channel lines
drawn keep 3:1 contrast against the graph's background and differ clearly from each other
for readers with normal vision and with simulated colour-vision deficiency.
"""

from __future__ import annotations

import itertools
import shutil
import sys
from pathlib import Path

import pytest

from colour_vision import VISIONS, difference
from conftest import REPO, run_cli
from generator.palette import MINIMUM_CONTRAST, contrast

sys.path.insert(0, str(REPO / "tests" / "audit"))
from browsercheck import choose_focus  # noqa: E402

pytestmark = pytest.mark.browser

READABLE_PX = 12
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}

# Records, per canvas, every text drawn since the canvas was last cleared: its size on screen
# in CSS px and its box in CSS px (from the context's transform and measureText).
RECORD_TEXT = """
(() => {
  const proto = CanvasRenderingContext2D.prototype;
  const clear = proto.clearRect;
  proto.clearRect = function (x, y, width, height) {
    if (x <= 0 && y <= 0 && width >= this.canvas.width / 4) this.canvas.__drawn = [];
    return clear.apply(this, arguments);
  };
  const fill = proto.fillText;
  proto.fillText = function (text, x, y) {
    if (String(text).trim()) {
      const t = this.getTransform();
      const ratio = window.devicePixelRatio || 1;
      const size = parseFloat(/([0-9.]+)px/.exec(this.font)[1]);
      const width = this.measureText(text).width;
      const left = this.textAlign === "center" ? x - width / 2 : this.textAlign === "right" || this.textAlign === "end" ? x - width : x;
      const top = this.textBaseline === "middle" ? y - size / 2 : this.textBaseline === "hanging" || this.textBaseline === "top" ? y : y - size * 0.8;
      const point = (px, py) => [(t.a * px + t.c * py + t.e) / ratio, (t.b * px + t.d * py + t.f) / ratio];
      const corners = [point(left, top), point(left + width, top), point(left, top + size), point(left + width, top + size)];
      const xs = corners.map((corner) => corner[0]);
      const ys = corners.map((corner) => corner[1]);
      (this.canvas.__drawn ??= []).push({ text: String(text), px: size * Math.hypot(t.a, t.b) / ratio,
                                          box: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)] });
    }
    return fill.apply(this, arguments);
  };
})();
"""


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("readability-sample")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "templates", root / "templates")
    result = run_cli("build", "--base-url", "http://127.0.0.1/site/", cwd=root)
    assert result.code == 0, result.text
    return root


def sample_graph_pages(site: Path) -> list[str]:
    """Every story page, the network page and the person pages of the sample's best-connected people."""
    stories = sorted(f"stories/{path.parent.name}/" for path in (site / "site/stories").glob("*/index.html"))
    return [*stories, "network/", "people/liz-strauss/", "people/jane-boyd/"]


def open_graph(open_page, url: str, viewport: str, scheme: str):
    page, watch = open_page(url, viewport=VIEWPORTS[viewport], color_scheme=scheme)
    page.add_init_script(RECORD_TEXT)
    page.reload()
    graph_id = page.get_attribute("[data-graph]", "data-graph")
    page.locator(f"[data-graph='{graph_id}']").scroll_into_view_if_needed()
    page.wait_for_selector(f"[data-graph='{graph_id}'] .graph-ready", timeout=20000)
    page.wait_for_timeout(400)  # any thinning-out after the first view has run
    return page, watch, graph_id


def rendered_labels(page, graph_id: str) -> list[dict]:
    """vis-network's labels that it would draw now: text, size on screen, threshold."""
    return page.evaluate("""id => {
        const network = window.introchain.graphs[id].network;
        const scale = network.getScale();
        const items = [...Object.values(network.body.nodes), ...Object.values(network.body.edges)];
        return items.filter(item => item.options.label && item.labelModule.visible()).map(item => ({
            text: item.options.label, px: item.labelModule.fontOptions.size * scale,
            threshold: item.options.scaling.label.drawThreshold}));
    }""", graph_id)


def drawn_labels(page, graph_id: str) -> list[dict]:
    return page.evaluate("id => document.querySelector('#graph-' + CSS.escape(id) + ' canvas').__drawn ?? []", graph_id)


def overlapping(labels: list[dict]) -> list[tuple[str, str]]:
    tolerance = 1  # px: anti-aliasing, not a collision
    pairs = []
    for first, second in itertools.combinations(labels, 2):
        a, b = first["box"], second["box"]
        if a[0] + tolerance < b[2] and b[0] + tolerance < a[2] and a[1] + tolerance < b[3] and b[1] + tolerance < a[3]:
            pairs.append((first["text"], second["text"]))
    return pairs


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_labels_are_readable_and_never_overlap(sample_site, static_server, open_page, viewport, scheme):
    server = static_server(sample_site / "site", "/site/")
    for path in sample_graph_pages(sample_site):
        page, watch, graph_id = open_graph(open_page, f"{server.url}{path}", viewport, scheme)
        rendered = rendered_labels(page, graph_id)
        assert all(label["threshold"] - 1 >= READABLE_PX for label in rendered), path
        assert all(label["px"] >= READABLE_PX for label in rendered), (path, [l for l in rendered if l["px"] < READABLE_PX])
        drawn = drawn_labels(page, graph_id)
        assert [label for label in drawn if label["px"] < READABLE_PX - 0.01] == [], (path, viewport)
        # Each label once: a halo and its text are one label.
        unique = list({(label["text"], tuple(round(v) for v in label["box"])): label for label in drawn}.values())
        assert overlapping(unique) == [], (path, viewport, scheme)
        if not path.startswith("stories/") and not drawn:
            # Zoomed out to fit a phone, every label would be too small: focusing a person shows theirs.
            person = path.split("/")[1] if path.startswith("people/") else "liz-strauss"
            choose_focus(page, graph_id, person)
            page.wait_for_timeout(600)
            drawn = drawn_labels(page, graph_id)
            name = page.evaluate("([id, person]) => window.introchain.graphs[id].details[person].name", [graph_id, person])
            assert name in {label["text"] for label in drawn}
            assert [label for label in drawn if label["px"] < READABLE_PX - 0.01] == [], (path, viewport)
        assert drawn, f"{path}: no label drawn at {viewport}"
        if path.startswith("stories/"):
            author = page.evaluate("id => window.introchain.graphs[id].nodes.get().find(n => n.role === 'author').label",
                                   graph_id)
            assert author in {label["text"] for label in drawn}, (path, viewport)
        assert watch.console_errors == []


def test_a_story_chain_runs_top_to_bottom_on_a_phone(sample_site, static_server, open_page):
    server = static_server(sample_site / "site", "/site/")
    spans = {}
    for viewport in VIEWPORTS:
        page, _, graph_id = open_graph(open_page, f"{server.url}stories/a-small-world-made-smaller/", viewport, "light")
        spans[viewport] = page.evaluate("""id => {
            const positions = Object.values(window.introchain.graphs[id].network.getPositions());
            const span = axis => Math.max(...positions.map(p => p[axis])) - Math.min(...positions.map(p => p[axis]));
            return [span('x'), span('y')];
        }""", graph_id)
    assert spans["desktop"][0] > spans["desktop"][1]  # left to right
    assert spans["phone"][1] > spans["phone"][0]  # top to bottom


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_channel_lines_contrast_with_the_background_and_differ_for_every_reader(sample_site, static_server, open_page, scheme):
    server = static_server(sample_site / "site", "/site/")
    styles = set()
    for path in sample_graph_pages(sample_site):
        if path == "network/":
            continue  # lines there are coloured by story, from the same palette
        page, _, graph_id = open_graph(open_page, f"{server.url}{path}", "desktop", scheme)
        background = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--graph-bg').trim()")
        styles.update(tuple(style) for style in page.evaluate("""id => Object.values(window.introchain.graphs[id].network.body.edges)
            .filter(edge => edge.options.role !== 'bridge')
            .map(edge => [edge.options.color.color.toLowerCase(), JSON.stringify(edge.options.dashes)])""", graph_id))
    assert len({colour for colour, _ in styles}) >= 4  # the sample uses several channels
    for colour, _ in styles:
        assert contrast(colour, background) >= MINIMUM_CONTRAST, (colour, background)
    for (first, dashes_a), (second, dashes_b) in itertools.combinations(styles, 2):
        if first == second and dashes_a != dashes_b:
            continue
        for vision in VISIONS:
            assert difference(first, second, vision) >= 6.0, (first, second, vision)


def test_the_sample_network_shows_names_on_a_phone_without_a_focus(sample_site, static_server, open_page):
    # Fitted as laid out, the sample's network is too wide for a 390 px phone to show any name at
    # 12 px; drawn closer together across, in a taller frame, most of its names show at once.
    server = static_server(sample_site / "site", "/site/")
    page, watch, graph_id = open_graph(open_page, f"{server.url}network/", "phone", "light")
    people = set(page.evaluate("id => Object.values(window.introchain.graphs[id].details).map(d => d.name)", graph_id))
    drawn = drawn_labels(page, graph_id)
    shown = {label["text"] for label in drawn} & people
    assert len(shown) >= len(people) // 2, (shown, people)
    assert [label for label in drawn if label["px"] < READABLE_PX - 0.01] == []
    unique = list({(label["text"], tuple(round(v) for v in label["box"])): label for label in drawn}.values())
    assert overlapping(unique) == []
    # The frame grew, but stays within the screen.
    height = page.evaluate("id => document.getElementById('graph-' + id).clientHeight", graph_id)
    assert height <= 0.85 * VIEWPORTS["phone"]["height"] + 1
    assert watch.console_errors == []
