"""Hostile content stays text: in HTML, attributes, JSON in <script>, the feed, the sitemap and the browser."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from textwrap import dedent

import pytest

from conftest import pages_in_turn, run_cli

XSS = '<script>alert("x")</script>'
BREAKOUT = '" onmouseover="alert(1)" x="'
JSON_BREAKOUT = "</script><script>alert(2)</script>"
IMG = "<img src=x onerror=alert(3)>"

PEOPLE = dedent(f"""\
    tess:
      name: '{IMG}'
      location: '{BREAKOUT}'
      bio: '{XSS}'
      handles: {{twitter: '{JSON_BREAKOUT}'}}
      links: ['https://evil.example/{BREAKOUT}']
    ann:
      name: '{JSON_BREAKOUT}'
      label: '{XSS}'
    bob:
      name: Bob
    club:
      name: '{BREAKOUT}'
      kind: community
    """)

POST = dedent(f"""\
    ---
    title: '{XSS} {BREAKOUT}'
    date: 2020-01-02
    author: tess
    tags: ['{XSS}', '{BREAKOUT}', '{JSON_BREAKOUT}']
    summary: '{IMG} {JSON_BREAKOUT}'
    ---
    Raw HTML stays text: {XSS} and {IMG}.

    [a javascript link](javascript:alert(4)) and [a data link](data:text/html;base64,PHNjcmlwdD5hbGVydCg1KTwvc2NyaXB0Pg==)
    and [a vbscript link](vbscript:msgbox(6)).

    ![an image breakout](x.png" onerror="alert(7))
    ![a remote image](https://evil.example/pixel.png)

    <iframe src="https://evil.example/"></iframe>
    """)

STORY = dedent(f"""\
    connections:
      - between: [tess, ann]
        via: [club]
        summary: '{JSON_BREAKOUT} {BREAKOUT}'
        when: '{XSS}'
        stages:
          - stage: contact
            channel: twitter
            note: '{JSON_BREAKOUT}'
      - between: [ann, bob]
        stages: [call]
    """)

COMMENTS = dedent(f"""\
    taken: 2020-01-05
    source: 'https://old.example/{BREAKOUT}'
    comments:
      - id: first
        author: '{IMG}'
        url: 'https://evil.example/{BREAKOUT}'
        date: 2020-01-03
        body: |
          {XSS}
          <a href="javascript:alert(8)">click</a> [click](javascript:alert(9))
          # not a heading {IMG}
      - author: '{JSON_BREAKOUT}'
        reply_to: first
        date: 2020-01-04
        body: '{BREAKOUT}'
    """)

DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:text")


class Audit(HTMLParser):
    """Collects every script, event handler, style and dangerous URL in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.json_blocks: list[str] = []
        self.csp = ""
        self._in_json = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name} on <{tag}>")
            if name == "style":
                self.problems.append(f"inline style on <{tag}>")
            if name in ("href", "src", "action", "formaction") and value and value.strip().lower().startswith(DANGEROUS_SCHEMES):
                self.problems.append(f"{name}={value!r} on <{tag}>")
        if tag in ("iframe", "object", "embed", "style", "base"):
            self.problems.append(f"<{tag}> element")
        if tag == "script":
            if attributes.get("type") in ("application/json", "application/ld+json"):  # data, never run
                self._in_json = True
            elif not (attributes.get("src") or "").split("?")[0].endswith((".js",)):
                self.problems.append("inline <script>")
        if tag == "meta" and attributes.get("http-equiv") == "Content-Security-Policy":
            self.csp = attributes.get("content", "")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json = False

    def handle_data(self, data):
        if self._in_json:
            self.json_blocks.append(data)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    from conftest import SITE_YAML

    root = tmp_path_factory.mktemp("hostile")
    content = root / "content"
    files = {
        "site.yaml": SITE_YAML.replace("title: Test Stories", f"title: '{XSS}'").replace("description: A tiny test site.", f"description: '{BREAKOUT}'"),
        "people.yaml": PEOPLE,
        "stories/first/index.md": POST,
        "stories/first/story.yaml": STORY,
        "stories/first/comments.yaml": COMMENTS,
    }
    for relative, text in files.items():
        (content / relative).parent.mkdir(parents=True, exist_ok=True)
        (content / relative).write_text(text, encoding="utf-8")
    result = run_cli("build", cwd=root)
    assert result.code == 0, result.text
    return root / "site"


@pytest.mark.slow
def test_built_html_has_no_script_handler_style_or_dangerous_url(hostile_site: Path):
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) > 8
    for page in pages:
        audit = Audit()
        audit.feed(page.read_text(encoding="utf-8"))
        assert audit.problems == [], (page.relative_to(hostile_site), audit.problems)
        assert "script-src 'self'" in audit.csp and "'unsafe-inline'" not in audit.csp and "'unsafe-eval'" not in audit.csp
        for block in audit.json_blocks:
            json.loads(block)  # still valid JSON
            assert "</script" not in block.lower() and "<!--" not in block


def test_hostile_text_is_shown_as_text(hostile_site: Path):
    story = (hostile_site / "stories/first/index.html").read_text(encoding="utf-8")
    assert "Raw HTML stays text: &lt;script&gt;alert(“x”)&lt;/script&gt;" in story  # typographer quotes
    assert "&lt;img src=x onerror=alert(3)&gt;" in story
    assert 'class="remote-image" href="https://evil.example/pixel.png"' in story  # a link, never loaded
    graph = json.loads(re.search(r'<script type="application/json" id="graph-data-story-first">(.*?)</script>', story, re.S).group(1))
    labels = {node["id"]: node["label"] for node in graph["nodes"]}
    assert labels["tess"] == IMG and labels["ann"] == XSS
    summaries = " ".join(edge.get("summary", "") for edge in graph["edges"])  # graph-draw.js makes the tooltip of it
    assert JSON_BREAKOUT in summaries


def test_feed_and_sitemap_stay_well_formed(hostile_site: Path):
    feed = ET.parse(hostile_site / "feed.xml").getroot()
    ns = "{http://www.w3.org/2005/Atom}"
    entry = feed.find(f"{ns}entry")
    assert entry.find(f"{ns}title").text == f"{XSS} {BREAKOUT}"
    assert feed.find(f"{ns}title").text == XSS
    content = entry.find(f"{ns}content").text
    assert "<script" not in content and "&lt;script&gt;" in content
    assert not re.search(r'(href|src)="(javascript|vbscript|data):', content)
    sitemap = ET.parse(hostile_site / "sitemap.xml").getroot()
    for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc"):
        assert re.fullmatch(r"https://example\.github\.io/repo/[a-z0-9/.-]*", loc.text), loc.text


@pytest.mark.browser
def test_nothing_from_content_runs_in_a_browser(hostile_site: Path, static_server, open_page):
    server = static_server(hostile_site, prefix="/repo/")
    urls = [server.url + path.relative_to(hostile_site).as_posix().removesuffix("index.html")
            for path in sorted(hostile_site.rglob("index.html"))]
    for relative, page, watch in pages_in_turn(open_page, urls):
        page.mouse.move(10, 10)
        for link in page.locator("main a").all()[:40]:
            if link.is_visible():
                link.hover(timeout=2000)
        assert watch.dialogs == [], (relative, watch.dialogs)
        assert watch.console_errors == [], (relative, watch.console_errors)
        # Only data blocks (graph data, JSON-LD), which a browser never runs.
        assert page.evaluate("document.querySelectorAll('script:not([src]):not([type=\"application/json\"])"
                             ":not([type=\"application/ld+json\"])').length") == 0
        foreign = [url for url in watch.requests if "evil.example" in url or url.startswith("data:text")]
        assert foreign == [], foreign
