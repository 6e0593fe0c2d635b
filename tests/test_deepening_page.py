"""The built "how relationships deepen" page: its tables hold the content's numbers, charts beside them, links to it."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from textwrap import dedent

import pytest
import yaml

from conftest import REPO, SITE_YAML, run_cli

PAGE = "deepening/index.html"


class Tables(HTMLParser):
    """Every table of a page: its caption and its rows of cell texts; and the page's SVG text sizes and links."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.svgs = 0
        self.links: list[str] = []
        self._caption: list[str] | None = None
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table":
            self._rows = []
        elif tag == "caption":
            self._caption = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("th", "td") and self._rows is not None:
            self._cell = []
        elif tag == "svg" and "deepening-svg" in attributes.get("class", ""):
            self.svgs += 1
        elif tag == "a":
            self.links.append(attributes.get("href", ""))

    def handle_endtag(self, tag):
        if tag == "caption":
            self._title = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag in ("th", "td") and self._cell is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self.tables[self._title] = self._rows
            self._rows = None

    def handle_data(self, data):
        for part in (self._caption, self._cell):
            if part is not None:
                part.append(data)

    @classmethod
    def of(cls, path: Path) -> Tables:
        parser = cls()
        parser.feed(path.read_text(encoding="utf-8"))
        return parser


def _rows(tables: Tables, caption_start: str) -> dict[str, list[str]]:
    """The body rows of the table whose caption starts so, by stage."""
    [rows] = [rows for caption, rows in tables.tables.items() if caption.startswith(caption_start)]
    assert rows[0] == ["Stage", "Reached", "Began there", "Timed", "Median", "Middle half", "Range"]
    return {row[0]: row[1:] for row in rows[1:]}


@pytest.mark.slow  # a whole site built through the command line
def test_the_sample_sites_page_counts_every_pair_of_its_stories(sample_project: Path):
    result = run_cli("build", cwd=sample_project)
    assert result.code == 0, result.text
    sample = sample_project / "site"
    # The expected counts, read from the story files themselves.
    reached: dict[str, int] = {}
    began: dict[str, int] = {}
    pairs = 0
    for story in sorted((REPO / "content/stories").glob("*/story.yaml")):
        for connection in yaml.safe_load(story.read_text(encoding="utf-8"))["connections"]:
            names = [step if isinstance(step, str) else step["stage"] for step in connection["stages"]]
            pairs += 1
            began[names[0]] = began.get(names[0], 0) + 1
            for name in set(names):
                reached[name] = reached.get(name, 0) + 1
    tables = Tables.of(sample / PAGE)
    every = _rows(tables, "Every pair")
    assert next(caption for caption in tables.tables if caption.startswith("Every pair")).endswith(f"({pairs} pairs)")
    assert {stage: int(row[0]) for stage, row in every.items()} == reached
    assert {stage: int(row[1]) for stage, row in every.items() if int(row[1])} == began
    # The sample's stories date no pair's first step, so nothing is timed; the page says so.
    assert all(row[2:] == ["0", "–", "–", "–"] for row in every.values())
    assert tables.svgs == 0
    text = (sample / PAGE).read_text(encoding="utf-8")
    assert "No pair has two dated steps yet" in text
    # Found from every page's footer and each story's timeline; listed in the sitemap.
    assert 'href="/introchain/deepening/"' in (sample / "index.html").read_text(encoding="utf-8")
    assert "How relationships deepen across every story" in (
        sample / "stories/smiling-about-social-media/index.html").read_text(encoding="utf-8")
    assert "https://example.github.io/introchain/deepening/</loc>" in (sample / "sitemap.xml").read_text(encoding="utf-8")


DATED = dedent("""\
    connections:
      - between: [tess, ann]
        via: [club]
        bridge: community
        stages:
          - {stage: contact, date: 2020-01-01, channel: twitter}
          - {stage: call, date: 2020-01-11, channel: phone}
          - {stage: meeting, date: 2020-02-10, channel: face-to-face}
      - between: [ann, bob]
        bridge: direct
        stages:
          - {stage: contact, date: 2020-03-01, channel: twitter}
          - {stage: call, date: 2020-03-31, channel: phone}
      - between: [bob, tess]
        bridge: direct
        stages:
          - {stage: noticed, channel: coffee-club}
          - {stage: call, date: 2020-06}
    """)
HOSTILE = "<script>alert(1)</script> & co"
DATED_SITE_YAML = SITE_YAML + f"channels:\n  - {{id: coffee-club, label: '{HOSTILE}', colour: '#7b3f00'}}\n"


@pytest.mark.slow  # a whole site built through the command line
def test_a_dated_site_shows_hand_computed_numbers_and_a_chart_beside_each_table(make_site):
    root = make_site(files={"stories/first/story.yaml": DATED, "site.yaml": DATED_SITE_YAML})
    result = run_cli("build", cwd=root)
    assert result.code == 0, result.text
    page = root / "site" / PAGE
    tables = Tables.of(page)
    every = _rows(tables, "Every pair")
    assert every == {
        "noticed": ["1", "1", "0", "–", "–", "–"],
        "contact": ["2", "2", "0", "–", "–", "–"],
        "call": ["3", "0", "2", "20", "15–25", "10–30"],
        "meeting": ["1", "0", "1", "40", "40–40", "40–40"],
    }
    twitter = _rows(tables, "First contact through Twitter")
    assert twitter["call"] == ["2", "0", "2", "20", "15–25", "10–30"]
    assert _rows(tables, "Bridge: direct")["call"] == ["2", "0", "1", "30", "30–30", "30–30"]
    assert _rows(tables, "Bridge: community")["meeting"] == ["1", "0", "1", "40", "40–40", "40–40"]
    # Every pair, Twitter, and the two bridge kinds have timed stages; the coffee club's pair has none.
    assert tables.svgs == 4
    text = page.read_text(encoding="utf-8")
    assert "<script>alert" not in text and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in text
    assert "/repo/channels/twitter/" in tables.links and "/repo/network/" in tables.links  # under the base path
    assert "http://" not in text.split("<main", 1)[1].replace("http://www.w3.org/2000/svg", "")  # nothing from elsewhere


@pytest.mark.slow  # a whole site built through the command line
def test_a_site_without_connections_gets_an_explanation_not_an_error(make_site):
    root = make_site(stories=())
    result = run_cli("build", cwd=root)
    assert result.code == 0, result.text
    text = (root / "site" / PAGE).read_text(encoding="utf-8")
    assert "No story records a connection yet" in text and "<table" not in text


def test_a_plain_page_cannot_take_the_pages_address(make_site):
    root = make_site(files={"pages/deepening.md": "---\ntitle: Mine\n---\nText.\n"})
    result = run_cli("check", cwd=root)
    assert result.code == 1
    assert "pages/deepening.md:1:1: error: a page cannot be named 'deepening'" in result.text


@pytest.mark.slow  # a whole site built through the command line
def test_changing_a_stage_date_updates_the_page_as_a_build_from_scratch_would(make_site):
    root = make_site(files={"stories/first/story.yaml": DATED, "site.yaml": DATED_SITE_YAML})
    assert run_cli("build", cwd=root).code == 0
    story = root / "content/stories/first/story.yaml"
    story.write_text(story.read_text().replace("date: 2020-03-31", "date: 2020-04-30"))
    assert run_cli("build", cwd=root).code == 0
    call = _rows(Tables.of(root / "site" / PAGE), "Every pair")["call"]
    assert call == ["3", "0", "2", "35", "22.5–47.5", "10–60"]
    assert run_cli("build", "--out", root / "cold", cwd=root).code == 0
    assert (root / "cold" / PAGE).read_bytes() == (root / "site" / PAGE).read_bytes()


@pytest.mark.slow  # a whole site built through the command line
def test_a_stage_dated_before_one_listed_above_it_is_a_warning_at_its_date_and_is_not_timed(make_site):
    backwards = dedent("""\
        connections:
          - between: [tess, ann]
            stages:
              - {stage: contact, date: 2020-06}
              - {stage: call, date: 2020-06-20}
              - stage: meeting
                date: 2020-05-30
              - {stage: working, date: 2020-07-01}
        """)
    root = make_site(files={"stories/first/story.yaml": backwards})
    check = run_cli("check", cwd=root)
    assert check.code == 0, check.text  # a warning: the site still builds
    assert check.text.count("warning:") == 1, check.text
    assert ("content/stories/first/story.yaml:7:15: warning: stage 'meeting' is dated 2020-05-30, "
            "before 'call' listed above it (2020-06-20)") in check.text
    assert run_cli("check", "--strict", cwd=root).code == 1
    assert run_cli("build", cwd=root).code == 0
    page = root / "site" / PAGE
    every = _rows(Tables.of(page), "Every pair")
    assert every["meeting"] == ["1", "0", "0", "–", "–", "–"]
    assert every["call"][2:] == ["1 (1 to the month)", "0", "0–0", "0–0"]  # June to June, the first step known to the month
    assert every["working"][2:] == ["1 (1 to the month)", "30", "30–30", "30–30"]  # 1 June to 1 July
    assert "1 pair lists a stage dated before its first step" in page.read_text(encoding="utf-8")
