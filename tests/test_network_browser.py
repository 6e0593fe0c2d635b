"""The network page of a large site in headless Chromium: overview first, interactive view on demand,
path finder and filters on the whole network, level of detail, hostile names kept as text."""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest

from conftest import REPO, run_cli
from test_browser import assert_only_local_requests

sys.path.insert(0, str(REPO / "tests" / "perf"))
from synth import make_project  # noqa: E402

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)> & </script>"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


@pytest.fixture(scope="module")
def large_site(tmp_path_factory) -> Path:
    """200 synthetic stories over a large pool of people (over a thousand of them in the network:
    drawn on demand, names suggested as they are
    typed), one person with a hostile name, under /repo/."""
    root = tmp_path_factory.mktemp("network-large")
    project = make_project(root / "project", 200, people_per_story=20)  # fewer pages to build for as many people
    first = re.search(r"between: \[(p\d+),", (project.content / "stories/story-00000/story.yaml").read_text())[1]
    people = project.content / "people.yaml"
    text = re.sub(rf"^{first}:\n  name: [^\n]*", f"{first}:\n  name: {json.dumps(HOSTILE)}", people.read_text(), flags=re.M)
    people.write_text(text, encoding="utf-8")
    result = run_cli("build", "--content", project.content, "--out", root / "site", "--no-cache",
                     "--base-url", "https://someone.github.io/repo/", cwd=root, timeout=300)
    assert result.code == 0, result.text
    assert len(index_of(root / "site")["people"]) > 1000
    return root / "site"


def index_of(site: Path) -> dict:
    return json.loads((site / "network/index.json").read_text(encoding="utf-8"))


def open_network(open_page, static_server, site: Path, viewport: str = "desktop", scheme: str = "light"):
    server = static_server(site, "/repo/")
    page, watch = open_page(f"{server.url}network/", viewport=VIEWPORTS[viewport], color_scheme=scheme)
    wait_until_ready(page)
    return page, watch, server


def wait_until_ready(page) -> None:
    """Until the network's index has arrived: the filters are enabled once the names are offered."""
    page.wait_for_function("() => !document.querySelector('[data-filter-controls]').disabled")


def layout_shift(page) -> float:
    """The page's cumulative layout shift so far, from Chromium's own layout-shift entries."""
    return page.evaluate("""() => new Promise((resolve) => {
        let total = 0;
        new PerformanceObserver((list) => {
            for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
        }).observe({ type: 'layout-shift', buffered: true });
        setTimeout(() => resolve(total), 200);
    })""")


def suggested(page) -> list[str]:
    """The names the page's list of people offers now."""
    return page.evaluate("Array.from(document.querySelector('[data-graph-people]').options, option => option.value)")


def vis_requested(watch) -> bool:
    return any("vis-network" in url for url in watch.requests)


def graph_requested(watch) -> bool:
    return any("/network/graph.json" in url for url in watch.requests)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_overview_shows_at_once_and_nothing_is_drawn_until_asked(large_site, static_server, open_page, viewport, scheme):
    page, watch, server = open_network(open_page, static_server, large_site, viewport, scheme)
    # Nothing moved while the index arrived and the filters and the list of people were filled.
    assert layout_shift(page) < 0.001
    overview = page.locator(".graph-overview svg")
    assert overview.is_visible()
    # It fills the frame the interactive view will take.
    box, frame = overview.bounding_box(), page.locator(".graph-canvas").bounding_box()
    assert abs(box["width"] - frame["width"]) < 4 and abs(box["height"] - frame["height"]) < 4 and box["height"] > 200
    dot_count = page.evaluate("Array.from(document.querySelectorAll('.overview-dots'), p => p.getAttribute('d').split('M').length - 1)"
                              ".reduce((a, b) => a + b, 0)")
    assert dot_count > 50 and page.locator(".overview-lines").count() >= 1
    # Its dots take the page's colours, so they show in either scheme.
    dots, background = page.evaluate("""() => [getComputedStyle(document.querySelector('.overview-dots')).stroke,
        getComputedStyle(document.querySelector('.graph-overview')).backgroundColor]""")
    assert dots != background
    assert page.get_by_role("button", name="Open the interactive view").is_visible()
    page.wait_for_timeout(300)
    assert not vis_requested(watch) and not graph_requested(watch)
    # Opening it draws the graph in place of the overview; a large network draws no edge until one is in focus.
    page.get_by_role("button", name="Open the interactive view").click()
    page.wait_for_selector(".graph-ready", timeout=60_000)
    assert not overview.is_visible()
    assert page.evaluate("window.introchain.graphs.network.edges.get({filter: edge => !edge.hidden}).length") == 0
    nodes = page.evaluate("window.introchain.graphs.network.nodes.length")
    assert nodes == len(index_of(large_site)["people"])
    assert watch.console_errors == [] and watch.dialogs == []
    assert_only_local_requests(watch, server.url)


def test_the_path_finder_answers_on_the_whole_network_without_drawing_it(large_site, static_server, open_page):
    page, watch, server = open_network(open_page, static_server, large_site, "phone")
    index = index_of(large_site)
    graph = nx.MultiGraph()
    graph.add_nodes_from(person_id for person_id, *_ in index["people"])
    graph.add_edges_from((index["people"][a][0], index["people"][b][0]) for a, b, *_ in index["links"])
    labels = {person_id: label for person_id, label, _ in index["people"]}
    # Two people as far apart as the network allows.
    lengths = dict(nx.single_source_shortest_path_length(graph, index["people"][0][0]))
    farthest = max(sorted(lengths), key=lambda person_id: lengths[person_id])
    page.fill("[data-path-from]", labels[index["people"][0][0]])
    page.fill("[data-path-to]", labels[farthest])
    page.get_by_role("button", name="Show the shortest path").click()
    page.wait_for_function("() => document.querySelector('[data-path-result]').textContent.length > 0")
    text = page.inner_text("[data-path-result]")
    assert text.endswith(f"({lengths[farthest]} steps)"), text
    steps = page.locator("[data-path-steps] li")
    assert steps.count() == lengths[farthest] >= 2
    for number in range(steps.count()):
        assert steps.nth(number).locator("a").get_attribute("href").startswith("/repo/stories/story-")
    # The names along the way join in the network, one introduction each.
    names = text.rsplit(" (", 1)[0].split(" → ")
    ids = {label: person_id for person_id, label in labels.items()}
    assert all(graph.has_edge(ids[a], ids[b]) for a, b in zip(names, names[1:]))
    # An unknown name is said to be unknown.
    page.fill("[data-path-to]", "Nobody Of That Name")
    page.get_by_role("button", name="Show the shortest path").click()
    page.wait_for_function("() => document.querySelector('[data-path-result]').textContent.includes('Nobody Of That Name')")
    page.wait_for_timeout(300)
    assert not vis_requested(watch) and not graph_requested(watch)
    assert watch.console_errors == []
    assert_only_local_requests(watch, server.url)


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_filters_pick_part_of_the_network_and_draw_only_it(large_site, static_server, open_page, viewport):
    page, watch, server = open_network(open_page, static_server, large_site, viewport, "dark")
    index = index_of(large_site)
    tag = Counter(tag for story in index["stories"] for tag in story[3]).most_common()[-1][0]
    page.select_option("[data-filter='tag']", str(tag))
    page.get_by_role("button", name="Show", exact=True).click()
    kept = [link for link in index["links"] if tag in index["stories"][link[2]][3]]
    people = {index["people"][number][0] for link in kept for number in link[:2]}
    stories = {link[2] for link in kept}
    page.wait_for_function("() => document.querySelector('[data-filter-result]').textContent.length > 0")
    assert page.inner_text("[data-filter-result]") == (
        f"{len(people)} people and {len(kept)} introductions in {len(stories)} stor{'y' if len(stories) == 1 else 'ies'}.")
    # Filtering draws only those people and their introductions, from the index: the whole network is not fetched.
    page.wait_for_selector(".graph-ready", timeout=60_000)
    assert page.evaluate("window.introchain.graphs.network.part")
    shown = set(page.evaluate("window.introchain.graphs.network.nodes.getIds()"))
    assert shown == people
    edges = page.evaluate("window.introchain.graphs.network.edges.length")
    assert edges == len(kept)
    assert not graph_requested(watch)
    # A channel and a year narrow it further; "Everyone" brings everyone back.
    year = index["links"][0][4]
    page.select_option("[data-filter='year']", str(year))
    page.get_by_role("button", name="Show", exact=True).click()
    both = [link for link in kept if link[4] == year]
    expected = "No introduction matches all of these." if not both else f"and {len(both)} introduction"
    page.wait_for_function("text => document.querySelector('[data-filter-result]').textContent.includes(text)", arg=expected)
    # "Everyone" closes the part drawn: the overview is back.
    page.get_by_role("button", name="Everyone").click()
    page.wait_for_function("() => document.querySelector('[data-filter-result]').textContent.startsWith('Everyone')")
    page.wait_for_function("() => !window.introchain.graphs.network")
    assert page.locator(".graph-overview svg").is_visible()
    # With the whole network open, a filter hides everyone else instead.
    page.get_by_role("button", name="Open the interactive view").click()
    page.wait_for_function("() => window.introchain.graphs.network && !window.introchain.graphs.network.part", timeout=60_000)
    page.select_option("[data-filter='tag']", str(tag))  # "Everyone" cleared the form
    page.get_by_role("button", name="Show", exact=True).click()
    page.wait_for_function("n => window.introchain.graphs.network.nodes.get({filter: node => !node.hidden}).length === n",
                           arg=len(people))
    page.get_by_role("button", name="Everyone").click()
    page.wait_for_function("n => window.introchain.graphs.network.nodes.get({filter: node => !node.hidden}).length === n",
                           arg=len(index["people"]))
    assert watch.console_errors == []
    assert_only_local_requests(watch, server.url)


def neighbourhood(index: dict, person_number: int) -> tuple[set[str], list[list]]:
    """The ids of a person and everyone they share an introduction with, and those introductions."""
    links = [link for link in index["links"] if person_number in link[:2]]
    return {index["people"][number][0] for link in links for number in link[:2]} | {index["people"][person_number][0]}, links


def focus_on(page, label: str) -> None:
    page.fill("[data-graph='network'] [data-graph-focus]", label)
    page.dispatch_event("[data-graph='network'] [data-graph-focus]", "change")


def test_focus_draws_only_the_neighbourhood_of_one_person(large_site, static_server, open_page):
    page, watch, server = open_network(open_page, static_server, large_site, "phone", "light")
    index = index_of(large_site)
    degree = Counter(number for link in index["links"] for number in link[:2])
    person_number = max(sorted(degree), key=lambda number: degree[number])
    person_id, label, _ = index["people"][person_number]
    focus_on(page, label)
    page.locator("[data-graph-panel]").wait_for(state="visible", timeout=60_000)
    # Drawn from the index: exactly the person, their neighbours and their introductions.
    people, links = neighbourhood(index, person_number)
    assert set(page.evaluate("window.introchain.graphs.network.network.body.nodeIndices")) == people
    assert len(page.evaluate("window.introchain.graphs.network.network.body.edgeIndices")) == len(links) == degree[person_number]
    shown = page.evaluate("window.introchain.graphs.network.edges.get()")
    assert all(person_id in (edge["from"], edge["to"]) for edge in shown)
    assert not graph_requested(watch)
    # Labels drawn are readable: vis-network's threshold is 12 CSS px and the focus zooms in far enough.
    scale = page.evaluate("window.introchain.graphs.network.network.getScale()")
    assert scale * 16 >= 12
    # Tooltips are text, and the panel links to the person's page.
    assert page.locator("[data-graph-panel] a").get_attribute("href") == f"/repo/people/{person_id}/"
    # Someone else: their neighbourhood replaces the first.
    other = next(number for number in sorted(degree) if number != person_number and degree[number] >= 2)
    focus_on(page, index["people"][other][1])
    others, _ = neighbourhood(index, other)
    page.wait_for_function("n => window.introchain.graphs.network.network.body.nodeIndices.length === n", arg=len(others))
    assert set(page.evaluate("window.introchain.graphs.network.network.body.nodeIndices")) == others
    # The path finder still answers on the whole network, and draws the path it found.
    page.fill("[data-path-from]", label)
    page.fill("[data-path-to]", index["people"][other][1])
    page.get_by_role("button", name="Show the shortest path").click()
    page.wait_for_function("() => document.querySelector('[data-path-result]').textContent.includes('step')")
    steps = int(re.search(r"\((\d+) steps?\)", page.inner_text("[data-path-result]"))[1])
    page.wait_for_function("n => window.introchain.graphs.network.network.body.nodeIndices.length === n", arg=steps + 1)
    page.get_by_role("button", name="Reset").click()
    page.wait_for_function("() => !window.introchain.graphs.network")
    assert page.locator(".graph-overview svg").is_visible()
    assert not graph_requested(watch)
    assert watch.console_errors == []
    assert_only_local_requests(watch, server.url)


def test_hostile_names_stay_text_in_the_overview_the_lists_and_the_answers(large_site, static_server, open_page):
    html = (large_site / "network/index.html").read_text(encoding="utf-8")
    overview = html[html.index('<div class="graph-overview">'):html.index("</svg>")]
    assert "<img" not in overview and "<script" not in html.split("</head>")[1].replace('<script src=', "")
    assert HOSTILE not in html  # escaped wherever it is named (the best-connected, the path finder's fields)
    page, watch, server = open_network(open_page, static_server, large_site)
    page.locator("[data-path-from]").fill("")
    page.locator("[data-path-from]").press_sequentially("<img src")
    assert HOSTILE in suggested(page)
    page.fill("[data-path-from]", HOSTILE)
    page.get_by_role("button", name="Show the shortest path").click()
    page.wait_for_function("() => document.querySelector('[data-path-result]').textContent.length > 0")
    assert page.inner_text("[data-path-result]").startswith(HOSTILE)
    assert page.locator("[data-path-result] img, [data-path-steps] img, .hubs img").count() == 0
    assert watch.dialogs == [] and watch.console_errors == []


def test_a_large_network_suggests_the_names_that_match_what_is_typed(large_site, static_server, open_page):
    page, watch, server = open_network(open_page, static_server, large_site, "phone")
    labels = [label for _, label, _ in index_of(large_site)["people"]]
    assert suggested(page) == []  # tens of thousands of options would cost seconds on a phone, and help no one
    field = page.locator("[data-path-to]")
    field.fill("")
    field.press_sequentially("person 1")
    names = suggested(page)
    starting = [label for label in labels if label.casefold().startswith("person 1")]
    # Those that begin with the text first, in the index's order (by name), at most 50.
    assert len(starting) > 50 and names == starting[:50]
    longer = starting[-1].casefold()[:len("person 1") + 2]  # two more letters of a name in the network
    field.press_sequentially(longer[len("person 1"):])
    narrowed = suggested(page)
    assert narrowed and all(longer in name.casefold() for name in narrowed)
    assert len(narrowed) < len(names) or not set(narrowed) <= set(names)
    # A word from the middle of names finds them too, after any that begin with it.
    word = labels[-1].split()[-1]
    field.fill("")
    field.press_sequentially(word.lower())
    names = suggested(page)
    assert labels[-1] in names or len(names) == 50
    assert all(word.casefold() in name.casefold() for name in names)
    # The focus field uses the same list.
    focus = page.locator("[data-graph='network'] [data-graph-focus]")
    focus.press_sequentially(labels[0][:6])
    assert labels[0] in suggested(page)
    assert watch.console_errors == []
    assert_only_local_requests(watch, server.url)


def test_a_small_network_lists_everyone_once_a_name_field_is_focused(sample_project, tmp_path, static_server, open_page):
    result = run_cli("build", "--content", sample_project / "content", "--out", tmp_path / "site",
                     "--base-url", "https://someone.github.io/repo/", cwd=sample_project)
    assert result.code == 0, result.text
    page, watch, server = open_network(open_page, static_server, tmp_path / "site", "desktop")
    assert suggested(page) == []  # not built while the page loads
    page.focus("[data-path-to]")
    assert suggested(page) == [label for _, label, _ in index_of(tmp_path / "site")["people"]]
    assert watch.console_errors == []


def test_a_reader_who_asks_before_the_index_arrives_is_answered_when_it_does(
        sample_project, tmp_path, large_site, static_server, browser):
    # The index is held back until the reader has focused a name field (a small network) or
    # typed part of a name (a large one); the names come once it arrives, with no other keystroke.
    result = run_cli("build", "--content", sample_project / "content", "--out", tmp_path / "site",
                     "--base-url", "https://someone.github.io/repo/", cwd=sample_project)
    assert result.code == 0, result.text
    for site, typed in ((tmp_path / "site", None), (large_site, "person 1")):
        server = static_server(site, "/repo/")
        context = browser.new_context(viewport=VIEWPORTS["phone"])
        try:
            page = context.new_page()
            held = []
            page.route("**/network/index.json*", lambda route: route.continue_() if held == ["released"] else held.append(route))
            page.goto(f"{server.url}network/")
            page.wait_for_function("() => performance.getEntriesByName('first-contentful-paint').length")
            page.wait_for_timeout(100)
            assert page.evaluate("document.querySelector('[data-filter-controls]').disabled")
            field = page.locator("[data-path-to]")
            field.fill("")
            if typed:
                field.press_sequentially(typed)
            else:
                field.focus()
            assert suggested(page) == [] and held, "the index arrived too early for this test"
            waiting, held[:] = list(held), ["released"]
            for route in waiting:
                route.continue_()
            wait_until_ready(page)
            labels = [label for _, label, _ in index_of(site)["people"]]
            expected = ([label for label in labels if label.casefold().startswith(typed)][:50] if typed else labels)
            page.wait_for_function("count => document.querySelector('[data-graph-people]').options.length === count",
                                   arg=len(expected))
            assert suggested(page) == expected
        finally:
            context.close()



def test_the_drawing_code_is_prefetched_near_a_graph_only_after_the_first_paint(sample_project, tmp_path, static_server, open_page):
    # A page can finish loading before its first paint (a busy or slow phone), and a download
    # started then competes with that paint. Here the network page's text is shown 0.8 s after it
    # has loaded (a stylesheet of the test's own); on a phone its graph is within a screen of the top.
    result = run_cli("build", "--content", sample_project / "content", "--out", tmp_path / "site",
                     "--base-url", "https://someone.github.io/repo/", cwd=sample_project)
    assert result.code == 0, result.text
    network = tmp_path / "site/network"
    (network / "late.css").write_text("body { animation: appear 0s 0.8s both; }\n"
                                      "@keyframes appear { from { visibility: hidden; } to { visibility: visible; } }\n")
    page_html = (network / "index.html").read_text(encoding="utf-8")
    (network / "late.html").write_text(page_html.replace("</head>", '<link rel="stylesheet" href="late.css">\n</head>'))
    server = static_server(tmp_path / "site", "/repo/")
    page, watch = open_page(f"{server.url}network/late.html", viewport=VIEWPORTS["phone"])
    page.wait_for_function("() => performance.getEntriesByName('first-contentful-paint').length"
                           " && ['vis-network', 'graph-draw'].every((name) => performance.getEntriesByType('resource')"
                           ".some((entry) => entry.name.includes(name)))", timeout=15000)
    timings = page.evaluate("""() => ({
        loaded: performance.getEntriesByType('navigation')[0].loadEventEnd,
        painted: performance.getEntriesByName('first-contentful-paint')[0].startTime,
        fetched: performance.getEntriesByType('resource').filter((entry) => /vis-network|graph-draw/.test(entry.name))
            .map((entry) => entry.startTime),
        prefetches: document.querySelectorAll('link[rel=prefetch]').length,
        ran: typeof window.vis !== 'undefined' || Boolean(window.introchain.shared.draw),
    })""")
    assert timings["painted"] > timings["loaded"], timings  # the case this test is about
    assert timings["prefetches"] == 2 and not timings["ran"], timings  # fetched, not run
    assert min(timings["fetched"]) >= timings["painted"], timings
    assert watch.console_errors == []
