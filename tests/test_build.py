"""Building the sample site: pages, feed, sitemap, determinism, and a safe output folder."""

from __future__ import annotations

import os
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import REPO, run_cli, tree_bytes

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://example.github.io/introchain/"


class TextOf(HTMLParser):
    """The visible text of an HTML document, whitespace folded."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        return " ".join(" ".join(parser.parts).split())


@pytest.fixture(scope="module")
def built_sample(tmp_path_factory) -> Path:
    """The repository's sample content built once into a temporary folder."""
    root = tmp_path_factory.mktemp("sample")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "templates", root / "templates")
    result = run_cli("build", cwd=root)
    assert result.code == 0, result.text
    assert re.search(r"built \d+ pages \(\d+ files, \d+ changed\) in [\d.]+ s -> site/", result.out), result.out
    return root / "site"


def test_sample_builds_every_kind_of_page(built_sample: Path):
    expected = [
        "index.html", "404.html", "feed.xml", "sitemap.xml", "robots.txt", "archive/index.html",
        "tags/index.html", "tags/twitter/index.html", "people/index.html", "people/ali-davies/index.html",
        "network/index.html", "stories/a-small-world-made-smaller/index.html",
        "stories/smiling-about-social-media/index.html", "assets/style.css", "assets/vendor/vis-network.min.js",
    ]
    for relative in expected:
        assert (built_sample / relative).is_file(), relative


def test_every_folder_the_site_builds_at_its_top_level_is_refused_as_a_plain_page_name(built_sample: Path):
    from generator.content.plain_pages import RESERVED

    built = {entry.name for entry in built_sample.iterdir() if entry.is_dir()}
    assert built and built <= RESERVED, f"not reserved for plain pages: {sorted(built - RESERVED)}"


def test_the_network_page_leads_to_how_relationships_deepen(built_sample: Path):
    page = (built_sample / "network/index.html").read_text(encoding="utf-8")
    main = page[page.index("<main"):page.index("</main>")]
    assert '<a href="/introchain/deepening/">How relationships deepen</a>' in main
    assert (built_sample / "deepening/index.html").is_file()


def test_a_channel_page_lists_the_stories_whose_introductions_went_through_it(built_sample: Path):
    page = built_sample / "channels/twitter/index.html"
    text = TextOf.of(page.read_text())
    assert "Met through Twitter" in text
    assert 'href="/introchain/stories/a-small-world-made-smaller/"' in page.read_text()
    assert "https://example.github.io/introchain/channels/twitter/" in (built_sample / "sitemap.xml").read_text()


def test_small_world_story_shows_its_chain_and_comment_snapshot(built_sample: Path):
    text = TextOf.of((built_sample / "stories/a-small-world-made-smaller/index.html").read_text())
    # the chain, readable without JavaScript
    assert "Jane Boyd and Ali Davies met through Liz Strauss and SOBCon" in text
    assert "Jane Boyd and Paul O'Mahony met through Jacqueline Carly and #12er (12 in 12)" in text
    assert "Paul O'Mahony and Ali Davies" in text
    assert "When: for 2-3 years" in text
    assert "Met in person: not yet" in text and "Met in person: yes" in text
    # the snapshot: count, provenance, threaded reply
    assert "3 comments" in text
    assert re.search(r"Snapshot taken on \d+ \w+ 2011 from \S+", text)
    html = (built_sample / "stories/a-small-world-made-smaller/index.html").read_text()
    assert re.search(r'<ol class="comments replies">\s*<li id="comment-[a-z0-9-]+">\s*<article class="comment" aria-label="Comment by Jane Boyd">', html)


def test_webinar_story_shows_three_connections_and_an_empty_snapshot(built_sample: Path):
    html = (built_sample / "stories/smiling-about-social-media/index.html").read_text()
    text = TextOf.of(html)
    assert html.count('<li class="chain-step">') == 3
    assert "a coach from Colorado" in text and "Steve" in text and "a webinar host from Ohio" in text
    assert "Deepest stage: partnership (7 of 7)" in text
    assert "0 comments" in text and "Nobody had commented when the snapshot was taken." in text


def test_graph_legends_explain_the_highlighted_node(built_sample: Path):
    # Story pages draw the author in gold, person pages the person the page is about.
    for page in ("stories/a-small-world-made-smaller/index.html", "people/ali-davies/index.html"):
        html = (built_sample / page).read_text()
        legend = html[html.index('<details class="legend"'):]
        legend = legend[:legend.index("</details>")]
        assert "the author (or the person this page is about)" in TextOf.of(legend), page
        assert 'fill="#f2b600"' in legend, page
    network = (built_sample / "network/index.html").read_text()
    assert "the person this page is about" not in network  # no node is highlighted there


def test_feed_is_valid_atom_with_absolute_urls(built_sample: Path):
    root = ET.parse(built_sample / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{required}") is not None, required
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    for entry in entries:
        for required in ("id", "title", "updated", "published", "content", "link"):
            assert entry.find(f"{ATOM}{required}") is not None, required
        assert entry.find(f"{ATOM}link").get("href").startswith(BASE + "stories/")
        content = entry.find(f"{ATOM}content").text
        assert "The connection story" in content
        hrefs = re.findall(r'href="([^"]+)"', content)
        assert hrefs and all(href.startswith(("https://", "http://")) for href in hrefs), hrefs
    self_link = [link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"][0]
    assert self_link.get("href") == BASE + "feed.xml"


def test_sitemap_lists_every_html_page_with_absolute_urls(built_sample: Path):
    root = ET.parse(built_sample / "sitemap.xml").getroot()
    assert root.tag == f"{SITEMAP}urlset"
    locations = [element.text for element in root.iter(f"{SITEMAP}loc")]
    assert all(location.startswith(BASE) for location in locations)
    html_pages = [path for path in built_sample.rglob("index.html")]
    assert len(locations) == len(html_pages)
    assert BASE + "stories/a-small-world-made-smaller/" in locations
    assert "Sitemap: " + BASE + "sitemap.xml" in (built_sample / "robots.txt").read_text()


def test_every_page_has_canonical_and_open_graph_meta(built_sample: Path):
    for page in built_sample.rglob("*.html"):
        html = page.read_text()
        relative = page.relative_to(built_sample).as_posix()
        path = "404.html" if relative == "404.html" else relative.removesuffix("index.html")
        assert f'<link rel="canonical" href="{BASE}{path}">' in html, relative
        assert f'<meta property="og:url" content="{BASE}{path}">' in html, relative
        assert '<meta name="twitter:card"' in html and '<meta property="og:title"' in html, relative


def test_no_page_refers_to_another_host_for_assets(built_sample: Path):
    for page in built_sample.rglob("*.html"):
        html = page.read_text()
        for attribute in re.findall(r'<(?:script|link|img)\b[^>]*?\s(?:src|href)="([^"]+)"', html):
            if attribute.startswith(BASE) and "canonical" in html:
                continue  # canonical/alternate links name the site's own public address
            assert not re.match(r"^(https?:)?//", attribute) or attribute.startswith(BASE), (page, attribute)


@pytest.mark.slow
def test_two_builds_are_byte_identical_across_cwd_and_hash_seed(tmp_path: Path):
    shutil.copytree(REPO / "content", tmp_path / "content")
    first = run_cli("build", "--out", tmp_path / "one", cwd=tmp_path, env={"PYTHONHASHSEED": "1"})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    second = run_cli("build", "--content", tmp_path / "content", "--out", tmp_path / "two", cwd=elsewhere,
                     env={"PYTHONHASHSEED": "2"})
    assert first.code == 0 and second.code == 0, first.text + second.text
    one, two = tree_bytes(tmp_path / "one"), tree_bytes(tmp_path / "two")
    assert one.keys() == two.keys()
    assert [name for name in one if one[name] != two[name]] == []


@pytest.mark.slow
def test_rebuild_keeps_unchanged_files_and_their_mtime(make_site):
    project = make_site()
    assert run_cli("build", cwd=project).code == 0
    page = project / "site/stories/first/index.html"
    stamp = page.stat().st_mtime_ns
    again = run_cli("build", cwd=project)
    assert again.code == 0 and ", 0 changed)" in again.out, again.out
    assert page.stat().st_mtime_ns == stamp


@pytest.mark.slow
def test_drafts_are_left_out_unless_asked_for(make_site):
    project = make_site(stories=("first", "second"))
    post = project / "content/stories/second/index.md"
    post.write_text(post.read_text().replace("tags: [testing]", "tags: [testing]\ndraft: true"))
    assert run_cli("build", cwd=project).code == 0
    assert not (project / "site/stories/second").exists()
    assert "Story second" not in (project / "site/index.html").read_text()
    assert run_cli("build", "--drafts", cwd=project).code == 0
    assert "Draft" in (project / "site/stories/second/index.html").read_text()


@pytest.mark.slow
def test_base_url_flag_moves_every_link(make_site):
    project = make_site()
    assert run_cli("build", "--base-url", "https://stories.example.org/blog", cwd=project).code == 0
    html = (project / "site/stories/first/index.html").read_text()
    assert 'href="/blog/assets/style.css?v=' in html
    assert '<link rel="canonical" href="https://stories.example.org/blog/stories/first/">' in html


@pytest.mark.slow
def test_story_images_are_copied_beside_the_page(make_site):
    project = make_site({"stories/first/index.md": "---\ntitle: Hi\ndate: 2020-01-02\nauthor: tess\n---\n![A chart](chart.png)\n"})
    (project / "content/stories/first/chart.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    assert run_cli("build", cwd=project).code == 0
    assert (project / "site/stories/first/chart.png").read_bytes().startswith(b"\x89PNG")
    assert '<img src="chart.png" alt="A chart" loading="lazy">' in (project / "site/stories/first/index.html").read_text()


@pytest.mark.parametrize("target", [".", "content", "notes"])
def test_refuses_output_folders_it_must_not_replace(make_site, target):
    project = make_site()
    (project / "notes").mkdir()
    (project / "notes/todo.txt").write_text("mine")
    result = run_cli("build", "--out", target, cwd=project)
    assert result.code == 2, result.text
    assert "refusing" in result.err
    assert (project / "notes/todo.txt").read_text() == "mine"
    assert (project / "content/site.yaml").is_file()


@pytest.mark.slow
def test_stale_temporary_folders_of_a_killed_build_are_cleaned(make_site):
    project = make_site()
    stale = project / ".introchain-tmp-site-abc123"
    stale.mkdir()
    (stale / "index.html").write_text("half")
    assert run_cli("build", cwd=project).code == 0
    assert not stale.exists()
    assert not [path for path in project.iterdir() if path.name.startswith(".introchain-tmp")]


@pytest.mark.slow
def test_cli_usage_and_help():
    for args in (["--help"], ["build", "--help"], ["check", "--help"], ["new", "--help"], ["serve", "--help"],
                 ["publish", "--help"], ["import", "--help"]):
        result = run_cli(*args, cwd=REPO)
        assert result.code == 0 and "usage: introchain" in result.out, (args, result.text)
    assert run_cli(cwd=REPO).code == 2
    assert run_cli("frobnicate", cwd=REPO).code == 2
    assert run_cli("build", "--no-such-flag", cwd=REPO).code == 2


@pytest.mark.slow
def test_new_scaffolds_a_story_that_builds(make_site):
    project = make_site()
    created = run_cli("new", "Met at: a \"meetup\"", cwd=project)
    assert created.code == 0, created.text
    folder = project / "content/stories/met-at-a-meetup"
    assert {path.name for path in folder.iterdir()} == {"index.md", "story.yaml", "comments.yaml"}
    assert run_cli("check", "--strict", cwd=project).code == 0
    built = run_cli("build", "--drafts", cwd=project)
    assert built.code == 0, built.text
    assert 'Met at: a “meetup”' in (project / "site/stories/met-at-a-meetup/index.html").read_text() or \
        "Met at: a &#34;meetup&#34;" in (project / "site/stories/met-at-a-meetup/index.html").read_text()
    again = run_cli("new", "Met at: a \"meetup\"", cwd=project)
    assert again.code == 2 and "already exists" in again.err


def _console_script() -> str | None:
    """The installed ``introchain`` script: beside this Python (a venv), else on PATH."""
    beside = Path(sys.executable).with_name("introchain")
    return str(beside) if beside.exists() else shutil.which("introchain")


@pytest.mark.slow
@pytest.mark.parametrize("args", [["--version"], ["--help"], ["build", "--help"], ["build", "--frobnicate"]],
                         ids=["version", "help", "build-help", "usage-error"])
def test_python_dash_m_and_console_script_agree(tmp_path: Path, args: list[str]):
    import subprocess

    from generator import __version__

    script = _console_script()
    if script is None:
        if os.environ.get("CI"):
            pytest.fail("the introchain console script is missing: scripts/test installs the package")
        pytest.skip("the introchain console script is not installed (pip install -e .)")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    module = subprocess.run([sys.executable, "-m", "generator", *args], cwd=tmp_path, capture_output=True, text=True,
                            env=env, timeout=60)
    console = subprocess.run([script, *args], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=60)
    assert (module.returncode, module.stdout, module.stderr) == (console.returncode, console.stdout, console.stderr)
    if args == ["--version"]:
        assert module.returncode == 0 and module.stdout == f"introchain {__version__}\n"
    if args[-1] == "--frobnicate":
        assert module.returncode == 2 and "--frobnicate" in module.stderr


def test_render_chunks_cover_every_page_once_and_end_small():
    """The groups go first; then each page once, in order, in chunks that shrink, so no process is left with a large last one."""
    from generator.parallel import MAX_CHUNK, MIN_CHUNK, _chunks

    pages = list(range(5_800))
    chunks = _chunks(pages, 2, [[5, 6, 7]])
    assert chunks[0] == [5, 6, 7]
    rest = [number for chunk in chunks[1:] for number in chunk]
    assert rest == [number for number in pages if number not in (5, 6, 7)]
    sizes = [len(chunk) for chunk in chunks[1:]]
    assert max(sizes) <= MAX_CHUNK and sizes == sorted(sizes, reverse=True)
    assert sum(sizes[-4:]) <= 4 * MIN_CHUNK  # the last chunks: a few pages each
    assert _chunks([1, 2, 3], 2, []) == [[1, 2, 3]]
