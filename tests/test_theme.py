"""The built-in theme and a project's overrides: `theme list`, `theme copy`, layering, errors, serve."""

from __future__ import annotations

import os
import re
import shutil
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import THEME, run_cli
from generator.templates import theme_files

MARK = "Footer replaced by the author"


def html_pages(site: Path) -> dict[str, str]:
    return {path.relative_to(site).as_posix(): path.read_text(encoding="utf-8") for path in sorted(site.rglob("*.html"))}


def test_the_theme_ships_in_the_package_with_its_assets():
    names = theme_files()
    assert {"base.html", "story.html", "partials/footer.html", "assets/style.css", "assets/graph.js"} <= set(names)
    assert all((THEME / name).is_file() for name in names)


def test_theme_list_names_every_built_in_file_and_marks_the_overridden_ones(make_site):
    root = make_site()
    listed = run_cli("theme", "list", cwd=root)
    assert listed.code == 0, listed.err
    assert listed.out.split() == theme_files()
    (root / "templates/partials").mkdir(parents=True)
    (root / "templates/partials/footer.html").write_text("<footer></footer>\n")
    (root / "templates/extra.html").write_text("mine\n")
    listed = run_cli("theme", "list", cwd=root)
    assert "partials/footer.html  (overridden by templates/partials/footer.html)" in listed.out
    assert "base.html\n" in listed.out and "base.html  (" not in listed.out
    assert re.search(r"your own files in templates/ .*\n  extra\.html", listed.out)


def test_theme_copy_copies_never_overwrites_and_suggests_names(make_site):
    root = make_site()
    copied = run_cli("theme", "copy", "partials/footer.html", cwd=root)
    assert copied.code == 0, copied.err
    footer = root / "templates/partials/footer.html"
    assert footer.read_bytes() == (THEME / "partials/footer.html").read_bytes()
    footer.write_text("mine\n")
    again = run_cli("theme", "copy", "partials/footer.html", cwd=root)
    assert again.code == 2 and "already exists" in again.err
    assert footer.read_text() == "mine\n"
    folder = run_cli("theme", "copy", "partials", cwd=root)  # a folder: every file in it not copied yet
    assert folder.code == 0
    assert sorted(p.name for p in footer.parent.iterdir()) == sorted(
        Path(name).name for name in theme_files() if name.startswith("partials/"))
    assert footer.read_text() == "mine\n"
    typo = run_cli("theme", "copy", "partials/footr.html", cwd=root)
    assert typo.code == 2 and "did you mean 'partials/footer.html'?" in typo.err
    elsewhere = run_cli("theme", "copy", "assets/style.css", "--templates", root / "mine", cwd=root)
    assert elsewhere.code == 0 and (root / "mine/assets/style.css").is_file()


@pytest.mark.slow
def test_one_override_changes_every_page_and_the_rest_comes_from_the_theme(make_site):
    root = make_site(stories=("first", "second"))
    assert run_cli("build", cwd=root).code == 0
    before = html_pages(root / "site")
    assert run_cli("theme", "copy", "partials/footer.html", "assets/style.css", cwd=root).code == 0
    footer = root / "templates/partials/footer.html"
    footer.write_text(footer.read_text().replace("Built with introchain", MARK))
    style = root / "templates/assets/style.css"
    style.write_text(style.read_text() + "\n/* the author's */\n")
    built = run_cli("build", cwd=root)  # with the cache of the first build: the change must still count
    assert built.code == 0, built.err
    after = html_pages(root / "site")
    assert after.keys() == before.keys() and len(after) > 10
    for name, text in after.items():
        if "<footer" not in before[name]:
            continue
        assert MARK in text, name
        # Only the footer and the stylesheet's version differ: everything else came from the theme.
        strip = lambda page: re.sub(r"<footer.*?</footer>|style\.css\?v=\w+", "", page, flags=re.S)  # noqa: E731
        assert strip(text) == strip(before[name]), name
    assert (root / "site/assets/style.css").read_text().endswith("/* the author's */\n")
    assert (root / "site/assets/graph.js").read_bytes() == (THEME / "assets/graph.js").read_bytes()
    footer.unlink()
    style.unlink()
    assert run_cli("build", cwd=root).code == 0
    assert html_pages(root / "site") == before


@pytest.mark.slow
def test_template_errors_say_whether_the_file_is_the_authors_copy_or_built_in(make_site):
    root = make_site()
    assert run_cli("theme", "copy", "partials/footer.html", cwd=root).code == 0
    footer = root / "templates/partials/footer.html"
    footer.write_text(footer.read_text().replace("{{ site.title }}", "{{ site.no_such_setting }}"))
    result = run_cli("check", cwd=root)
    assert result.code == 1
    assert "templates/partials/footer.html:3:1: error: error while rendering" in result.err, result.err
    assert "hint: in your copy of partials/footer.html (it replaces the built-in one)" in result.err
    footer.unlink()
    # An empty macros file breaks the built-in story template that imports it.
    (root / "templates/partials/macros.html").write_text("")
    result = run_cli("check", cwd=root)
    assert result.code == 1 and "Traceback" not in result.err
    assert re.search(r"generator/theme/story\.html:\d+:1: error: error while rendering stories/first/index\.html",
                     result.err), result.err
    assert "hint: in the built-in theme's story.html (copy it with `introchain theme copy story.html`" in result.err


@pytest.mark.slow
def test_a_missing_templates_folder_given_on_the_command_line_is_reported(make_site):
    root = make_site()
    result = run_cli("build", "--templates", "nowhere", cwd=root)
    assert result.code == 1
    assert "nowhere: error: templates folder not found" in result.err


@pytest.mark.slow
def test_serve_picks_up_an_override_copied_while_it_runs(make_site, tmp_path):
    from test_serve_browser import ServeProcess

    root = make_site()
    assert not (root / "templates").exists()
    server = ServeProcess(root, tmp_path / "serve-tmp")
    try:
        server.wait_line(r"^serving ")
        assert MARK not in urllib.request.urlopen(server.url, timeout=10).read().decode()
        assert run_cli("theme", "copy", "partials/footer.html", cwd=root).code == 0
        footer = root / "templates/partials/footer.html"
        temp = footer.with_name(".footer.html.tmp")
        temp.write_text(footer.read_text().replace("Built with introchain", MARK))
        os.replace(temp, footer)
        deadline = time.monotonic() + 30
        while MARK not in urllib.request.urlopen(server.url, timeout=10).read().decode():
            assert time.monotonic() < deadline, "\n".join(server.lines)
            time.sleep(0.1)
    finally:
        assert server.interrupt() == 0


@pytest.mark.slow
def test_the_legend_is_the_same_rendered_once_or_per_page_and_a_copy_of_it_may_read_its_page(make_site):
    """The theme's legend is joined from lines rendered once each and shared; a project's copy of the
    legend or of its lines is rendered on every page (it may read anything of it), and an
    unchanged copy gives the same site."""
    root = make_site(stories=("first", "second"))
    assert run_cli("build", "--no-cache", cwd=root).code == 0
    shared = html_pages(root / "site")
    legends = [name for name, text in shared.items() if 'class="legend"' in text]
    assert len(legends) > 3
    for copied in ("partials/legend.html", "partials/legend_lines.html"):
        assert run_cli("theme", "copy", copied, cwd=root).code == 0
        assert run_cli("build", "--no-cache", cwd=root).code == 0
        assert html_pages(root / "site") == shared, copied
    legend = root / "templates/partials/legend_lines.html"
    legend.write_text(legend.read_text().replace("How to read this graph", "How to read {{ graph.label }}"))
    assert run_cli("build", "--no-cache", cwd=root).code == 0
    for name, text in html_pages(root / "site").items():
        if name in legends:
            label = re.search(r'aria-label="([^"]*)" aria-describedby="graph-', text).group(1)
            assert f"<summary>How to read {label}</summary>" in text, name


def test_a_legend_joined_from_its_lines_is_the_legend_template_rendered():
    """Every combination a legend can take (``graph.legend``'s keys) renders to the same text both ways."""
    from itertools import combinations

    from conftest import REPO
    from generator.channels import channel_table
    from generator.content.load import load_site
    from generator.graph import AUTHOR_COLOR, BRIDGE_COLOR, KIND_COLORS, KIND_SHAPES
    from generator.render import Environment
    from generator.templates import Templates

    site, _ = load_site(REPO / "content")
    environment = Environment(Templates(None), site.config, {})
    joined = environment.jinja.globals["shared_legend"]
    assert joined is not None  # no project copy: the theme's legend is shared
    template = environment.jinja.get_template("partials/legend.html")
    kinds = [(kind, KIND_SHAPES[kind], KIND_COLORS[kind]) for kind in KIND_SHAPES]
    channels = list(channel_table().values())
    checked = 0
    for size in range(len(kinds) + 1):
        for chosen in combinations(kinds, size):
            for flags in range(16):  # dashed, bridges, the highlighted node, channels
                start = (flags + size) % 4
                legend = {"kinds": list(chosen), "author_color": AUTHOR_COLOR, "bridge_color": BRIDGE_COLOR,
                          "channels": channels[start:start + 1 + size] if flags & 8 else [],
                          "dashed": bool(flags & 1), "bridges": bool(flags & 2), "highlight_author": bool(flags & 4)}
                assert joined(legend) == template.render(legend=legend), legend
                checked += 1
    assert checked == 16 * 16


@pytest.mark.browser
def test_a_copy_of_base_html_that_names_only_graph_js_still_draws_graphs_and_finds_paths(tmp_path, static_server, open_page):
    """A copy of an older ``base.html`` loads graph.js alone: the drawing and network scripts come beside it."""
    from conftest import REPO

    root = tmp_path / "project"
    shutil.copytree(REPO / "content", root / "content")
    base = (THEME / "base.html").read_text(encoding="utf-8")
    older = re.sub(r'\s*<script src="\{\{ asset\(\'network(-index)?\.js\'\) \}\}" defer></script>', "", base)
    older = re.sub(r' data-draw="[^"]*"', "", older)
    assert "network.js" not in older and "data-draw" not in older and "graph.js" in older
    (root / "templates").mkdir()
    (root / "templates/base.html").write_text(older, encoding="utf-8")
    assert run_cli("build", "--base-url", "http://127.0.0.1/repo/", cwd=root).code == 0
    server = static_server(root / "site", "/repo/")
    page, watch = open_page(server.url + "stories/a-small-world-made-smaller/")
    page.locator(".graph-stage").first.scroll_into_view_if_needed()
    page.wait_for_selector(".graph-ready", timeout=60_000)
    page, watch = open_page(server.url + "network/")
    page.get_by_role("button", name="Show the shortest path").click()
    page.wait_for_function("() => document.querySelector('[data-path-result]').textContent.length > 0", timeout=60_000)
    assert " → " in page.inner_text("[data-path-result]")
    assert watch.console_errors == []
