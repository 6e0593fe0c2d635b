"""What a reader sees in a real headless Chromium: pages, graphs, tooltips, panels, path finding."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from conftest import REPO, pages_in_turn, run_cli

from generator.content.load import load_site
from generator.deferred import graph_inputs
from generator.graph import connection_edges, node_details, person_options

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("browser-sample")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "templates", root / "templates")
    result = run_cli("build", "--base-url", "http://127.0.0.1/site/", cwd=root)
    assert result.code == 0, result.text
    return root


def story_people_and_connections(content: Path, slug: str) -> tuple[set[str], int]:
    """Who a story involves and how many connections it has, read straight from its files."""
    story = yaml.safe_load((content / f"stories/{slug}/story.yaml").read_text())
    front = yaml.safe_load((content / f"stories/{slug}/index.md").read_text().split("---")[1])
    people = {front["author"]}
    for connection in story["connections"]:
        people.update(connection["between"])
        people.update(connection.get("via", []))
    return people, len(story["connections"])


def assert_only_local_requests(watch, server_url: str) -> None:
    host = urlsplit(server_url).netloc
    foreign = [url for url in watch.requests if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != host]
    assert foreign == []


def graph_ids(page) -> list[str]:
    return page.evaluate("Object.keys(window.introchain.graphs)")


def wait_for_graph(page, graph_id: str) -> None:
    # graph.js draws a graph (and fetches vis-network) only when it comes near the screen: scroll to it as a reader would.
    page.locator(f"[data-graph='{graph_id}']").scroll_into_view_if_needed()
    page.wait_for_function("id => window.introchain && window.introchain.graphs[id]", arg=graph_id, timeout=15000)
    page.wait_for_selector(f"[data-graph='{graph_id}'] .graph-ready", timeout=15000)


def assert_text_as_the_build_writes_it(page, graph_id: str, content: Path, base_path: str) -> None:
    """The tooltips and details panels graph-draw.js writes from a graph's fields are the build's own text for them."""
    site = load_site(content)[0]
    kind, _, key = graph_id.partition("-")
    if kind == "story":
        study = next(study for study in site.studies if study.slug == key)
        links = [(index, connection, "") for index, connection in enumerate(study.connections)]
    else:
        links = graph_inputs(site).links(key)
    expected = {edge["id"]: edge["title"] for index, connection, slug in links
                for _, _, edge in connection_edges(site, index, connection, prefix=f"{slug}-" if slug else "")}
    drawn = page.evaluate("id => Object.fromEntries(window.introchain.graphs[id].edges.get().map(e => [e.id, e.title]))", graph_id)
    assert drawn == expected and any("brought" in title for title in drawn.values())
    nodes = page.evaluate("id => window.introchain.graphs[id].nodes.get().map(n => [n.id, n.title])", graph_id)
    assert {node: title for node, title in nodes} == {
        node: person_options(site, node, role=None, counts=site.story_counts)["title"] for node, _ in nodes}
    details = page.evaluate("id => window.introchain.graphs[id].details", graph_id)
    assert details == node_details(site, [node for node, _ in nodes], base_path)


def canvas_has_ink(page, graph_id: str) -> bool:
    """True when the graph's canvas has drawn pixels (not blank)."""
    return page.evaluate(
        """id => {
            const canvas = document.querySelector('#graph-' + CSS.escape(id) + ' canvas');
            const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            let ink = 0;
            for (let i = 3; i < data.length; i += 4) if (data[i] > 0) ink++;
            return ink > 500;
        }""",
        graph_id,
    )


def node_point(page, graph_id: str, node_id: str) -> tuple[float, float]:
    """Page coordinates of a node's centre."""
    return tuple(page.evaluate(
        """([id, node]) => {
            const graph = window.introchain.graphs[id];
            const canvas = graph.network.getPositions([node])[node];
            const dom = graph.network.canvasToDOM(canvas);
            const box = document.getElementById('graph-' + id).getBoundingClientRect();
            return [box.left + dom.x, box.top + dom.y];
        }""",
        [graph_id, node_id],
    ))


def test_every_sample_page_loads_without_errors_or_foreign_requests(sample_site, static_server, open_page):
    server = static_server(sample_site / "site", prefix="/site/")
    pages = sorted((sample_site / "site").rglob("index.html"))
    assert len(pages) > 20
    paths = [path.relative_to(sample_site / "site").as_posix().removesuffix("index.html") for path in pages] + ["404.html"]
    for url, page, watch in pages_in_turn(open_page, [server.url + relative for relative in paths]):
        assert watch.console_errors == [], (url, watch.console_errors)
        assert watch.dialogs == []
        assert_only_local_requests(watch, server.url)


@pytest.mark.parametrize("slug", ["a-small-world-made-smaller", "smiling-about-social-media"])
def test_story_graph_draws_exactly_the_story(sample_site, static_server, open_page, slug):
    server = static_server(sample_site / "site", prefix="/site/")
    page, watch = open_page(f"{server.url}stories/{slug}/")
    graph_id = f"story-{slug}"
    wait_for_graph(page, graph_id)
    assert graph_ids(page) == [graph_id]
    assert_text_as_the_build_writes_it(page, graph_id, sample_site / "content", "/site/")
    assert canvas_has_ink(page, graph_id)
    people, connection_count = story_people_and_connections(sample_site / "content", slug)
    nodes = set(page.evaluate("id => window.introchain.graphs[id].nodes.getIds()", graph_id))
    assert nodes == people
    edge_ids = page.evaluate("id => window.introchain.graphs[id].edges.getIds()", graph_id)
    assert sorted(edge for edge in edge_ids if edge.startswith("c")) == [f"c{index}" for index in range(connection_count)]
    assert watch.console_errors == []
    assert_only_local_requests(watch, server.url)


def test_hover_shows_text_and_click_opens_the_panel(sample_site, static_server, open_page):
    server = static_server(sample_site / "site", prefix="/site/")
    page, watch = open_page(f"{server.url}stories/a-small-world-made-smaller/", viewport={"width": 1280, "height": 900})
    graph_id = "story-a-small-world-made-smaller"
    wait_for_graph(page, graph_id)
    page.locator(f"#graph-{graph_id}").scroll_into_view_if_needed()
    x, y = node_point(page, graph_id, "ali-davies")
    page.mouse.move(x, y)
    tooltip = page.locator(f"#graph-{graph_id} .vis-tooltip")
    tooltip.wait_for(state="visible", timeout=5000)
    assert "Ali Davies" in tooltip.inner_text()
    page.mouse.click(x, y)
    panel = page.locator(f"[data-graph='{graph_id}'] [data-graph-panel]")
    panel.wait_for(state="visible", timeout=5000)
    assert "Ali Davies" in panel.inner_text()
    assert "Jane Boyd: meeting" in panel.inner_text()
    link = panel.get_by_role("link", name="Open their page")
    assert link.get_attribute("href") == "/site/people/ali-davies/"
    # the neighbours stay bright, the others dim
    opacity = page.evaluate("id => window.introchain.graphs[id].nodes.get('jacqueline-carly').opacity", graph_id)
    assert opacity < 1
    page.get_by_role("button", name="Reset").click()
    assert panel.is_hidden()
    assert watch.console_errors == []


def node_borders(page, graph_id: str) -> dict[str, str]:
    return page.evaluate("id => Object.fromEntries(window.introchain.graphs[id].nodes.get()"
                         ".map(node => [node.id, node.color.border]))", graph_id)


def test_the_author_ring_follows_the_colour_scheme(sample_site, static_server, open_page):
    """The highlighted node is found by its role in the data: its ring takes the scheme's text colour."""
    server = static_server(sample_site / "site", prefix="/site/")
    page, watch = open_page(f"{server.url}stories/a-small-world-made-smaller/", color_scheme="dark")
    graph_id = "story-a-small-world-made-smaller"
    wait_for_graph(page, graph_id)
    text_colour = lambda: page.evaluate(  # noqa: E731
        "getComputedStyle(document.documentElement).getPropertyValue('--graph-text').trim()")
    dark = text_colour()
    borders = node_borders(page, graph_id)
    assert borders.pop("jane-boyd") == dark  # the story's author
    assert set(borders.values()) == {"#ffffff"}  # everyone else keeps the build's border
    page.emulate_media(color_scheme="light")
    page.wait_for_function("([id, before]) => window.introchain.graphs[id].nodes.get('jane-boyd').color.border !== before",
                           arg=[graph_id, dark], timeout=5000)
    light = text_colour()
    assert light != dark and node_borders(page, graph_id)["jane-boyd"] == light
    assert watch.console_errors == []


def test_a_person_page_rings_its_person_and_names_bridges(sample_site, static_server, open_page):
    server = static_server(sample_site / "site", prefix="/site/")
    page, watch = open_page(f"{server.url}people/liz-strauss/", color_scheme="dark")
    graph_id = "person-liz-strauss"
    wait_for_graph(page, graph_id)
    borders = node_borders(page, graph_id)
    ringed = [node for node, border in borders.items() if border != "#ffffff"]
    assert ringed == ["liz-strauss"]
    page.evaluate("id => window.introchain.graphs[id].focus('liz-strauss')", graph_id)
    panel = page.locator(f"[data-graph='{graph_id}'] [data-graph-panel]")
    panel.wait_for(state="visible")
    # Liz bridged Jane and Ali: the panel says so rather than naming a stage.
    assert "Jane Boyd: brought together" in panel.inner_text()
    assert "Ali Davies: brought together" in panel.inner_text()
    assert_text_as_the_build_writes_it(page, graph_id, sample_site / "content", "/site/")
    assert watch.console_errors == []


def test_keyboard_users_can_focus_a_person(sample_site, static_server, open_page):
    server = static_server(sample_site / "site", prefix="/site/")
    page, _ = open_page(f"{server.url}stories/a-small-world-made-smaller/")
    graph_id = "story-a-small-world-made-smaller"
    wait_for_graph(page, graph_id)
    select = page.locator(f"[data-graph='{graph_id}'] [data-graph-focus]")
    select.focus()
    select.select_option("paul-omahony")
    panel = page.locator(f"[data-graph='{graph_id}'] [data-graph-panel]")
    panel.wait_for(state="visible")
    assert "Paul O'Mahony" in panel.inner_text()
    assert page.evaluate("id => window.introchain.graphs[id].network.getSelectedNodes()", graph_id) == ["paul-omahony"]


def test_network_page_finds_the_shortest_path(sample_site, static_server, open_page):
    server = static_server(sample_site / "site", prefix="/site/")
    page, watch = open_page(f"{server.url}network/")
    wait_for_graph(page, "network")
    assert canvas_has_ink(page, "network")
    page.fill("[data-path-from]", "Liz Strauss")
    page.fill("[data-path-to]", "Paul O'Mahony")
    page.get_by_role("button", name="Show the shortest path").click()
    result = page.locator("[data-path-result]")
    page.wait_for_function("() => document.querySelector('[data-path-result]').textContent.length > 0")
    text = result.inner_text()
    assert text.startswith("Liz Strauss → ") and text.endswith("Paul O'Mahony (2 steps)"), text
    # The path told as its introductions, each with its date when the story gives one and a link to its story.
    steps = page.locator("[data-path-steps] li")
    assert steps.count() == 2
    assert steps.nth(0).inner_text().startswith("Liz Strauss and ")
    assert steps.nth(1).inner_text().startswith(f"{text.split(' → ')[1]} and Paul O'Mahony")
    for number in range(2):
        assert steps.nth(number).locator("a").get_attribute("href").startswith("/site/stories/")
    # The answer comes first; the path is highlighted in the drawn graph after it.
    page.wait_for_function("() => window.introchain.graphs.network.network.getSelectedNodes().length > 0")
    selected = page.evaluate("window.introchain.graphs.network.network.getSelectedNodes()")
    assert selected[0] == "liz-strauss" and selected[-1] == "paul-omahony" and len(selected) == 3
    # the two are not directly connected
    edges = page.evaluate("window.introchain.graphs.network.edges.get()")
    assert not [edge for edge in edges if {edge["from"], edge["to"]} == {"liz-strauss", "paul-omahony"}]
    assert watch.console_errors == []
    assert_only_local_requests(watch, server.url)


HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_NOTE = "</script><script>alert(2)</script>"


def test_hostile_names_and_notes_stay_text_everywhere(make_site, static_server, open_page):
    project = make_site({
        "people.yaml": f"tess:\n  name: Tess\nann:\n  name: '{HOSTILE_NAME}'\nbob: {{name: Bob}}\nclub: {{name: Club, kind: community}}\n",
        "stories/first/story.yaml": (
            "connections:\n"
            "  - between: [tess, ann]\n"
            f"    summary: '{HOSTILE_NOTE}'\n"
            "    stages:\n"
            "      - stage: contact\n"
            "        channel: twitter\n"
            f"        note: '{HOSTILE_NOTE}'\n"
            "        date: 2019-05\n"
        ),
    })
    assert run_cli("build", "--base-url", "http://127.0.0.1/x/", cwd=project).code == 0
    server = static_server(project / "site", prefix="/x/")
    page, watch = open_page(f"{server.url}stories/first/", viewport={"width": 1280, "height": 900})
    wait_for_graph(page, "story-first")
    page.locator("#graph-story-first").scroll_into_view_if_needed()
    # tooltip
    x, y = node_point(page, "story-first", "ann")
    page.mouse.move(x, y)
    tooltip = page.locator("#graph-story-first .vis-tooltip")
    tooltip.wait_for(state="visible", timeout=5000)
    assert HOSTILE_NAME in tooltip.inner_text()
    # panel
    page.mouse.click(x, y)
    panel = page.locator("[data-graph-panel]")
    panel.wait_for(state="visible")
    assert HOSTILE_NAME in panel.inner_text()
    # the readable chain and the timeline
    assert HOSTILE_NAME in page.locator(".chain").inner_text()
    assert HOSTILE_NOTE in page.locator(".chain").inner_text()
    assert HOSTILE_NAME in page.locator(".timeline").inner_text()
    # the edge tooltip carries the note as text
    tooltip_text = page.evaluate("window.introchain.graphs['story-first'].edges.get('c0').title")
    assert HOSTILE_NOTE in tooltip_text
    # the person's own page title
    person, person_watch = open_page(f"{server.url}people/ann/")
    assert person.title().startswith(HOSTILE_NAME)
    assert person.locator("h1").inner_text() == HOSTILE_NAME
    for seen in (watch, person_watch):
        assert seen.dialogs == []
        assert seen.console_errors == []
        assert not [url for url in seen.requests if url.endswith("/first/x") or url.endswith("/ann/x")]
    assert page.locator("img[src='x']").count() == 0
