"""schema.org JSON-LD on story and person pages: valid JSON, the right types, escaped for <script>, redacted."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from textwrap import dedent

import pytest

from conftest import REPO, SITE_YAML, run_cli, story_files


class _JsonLd(HTMLParser):
    """Collects the text of every <script type="application/ld+json"> as the browser's parser sees it."""

    def __init__(self):
        super().__init__()
        self.blocks: list[str] = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        self._inside = tag == "script" and dict(attrs).get("type") == "application/ld+json"
        if self._inside:
            self.blocks.append("")

    def handle_endtag(self, tag):
        self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.blocks[-1] += data


def json_ld(page: Path) -> list[dict]:
    parser = _JsonLd()
    parser.feed(page.read_text(encoding="utf-8"))
    return [json.loads(block) for block in parser.blocks]


@pytest.mark.slow
def test_sample_story_and_person_pages_describe_themselves(tmp_path: Path):
    out = tmp_path / "site"
    result = run_cli("build", "--content", REPO / "content", "--out", out, "--no-cache", cwd=tmp_path)
    assert result.code == 0, result.text
    stories = sorted(out.glob("stories/*/index.html"))
    assert stories
    for page in stories:
        [post] = json_ld(page)
        assert post["@context"] == "https://schema.org" and post["@type"] == "BlogPosting"
        assert post["url"].endswith(f"/stories/{page.parent.name}/")
        assert post["headline"] and post["datePublished"][:4].isdigit()
        assert post["author"]["@type"] == "Person" and "/people/" in post["author"]["url"]
        assert all(mention["@type"] in {"Person", "Organization", "Event"} for mention in post["mentions"])
    [jane] = json_ld(out / "people/jane-boyd/index.html")
    assert jane["@type"] == "Person" and jane["name"] == "Jane Boyd"
    known = {person["name"] for person in jane["knows"]}
    assert {"Ali Davies", "Paul O'Mahony"} <= known
    assert all(person["@type"] == "Person" for person in jane["knows"])
    [community] = json_ld(out / "people/12er/index.html")
    assert community["@type"] == "Organization" and "knows" not in community
    assert json_ld(out / "index.html") == [] and json_ld(out / "network/index.html") == []


PEOPLE = dedent("""\
    tess:
      name: Tess </script><script>alert(1)</script>
    ann:
      name: Ann O'Example
      location: Cork
      links: [https://ann.example.org/]
      handles: {twitter: "@ann_example"}
      bio: Ann writes about knitting.
    bob:
      name: Bob Example
      links: [https://bob.example.net/]
    club:
      name: The Club
      kind: community
    """)


@pytest.mark.slow
def test_json_ld_is_escaped_for_script_and_redaction_holds(make_site):
    files = story_files("first", title="Ann O'Example & Bob </script><!-- hi")
    project = make_site({"site.yaml": SITE_YAML + "privacy:\n  redact: [ann]\n", "people.yaml": PEOPLE, **files})
    result = run_cli("build", cwd=project)
    assert result.code == 0, result.text
    site = project / "site"
    story_html = (site / "stories/first/index.html").read_text(encoding="utf-8")
    [post] = json_ld(site / "stories/first/index.html")  # one block: the title did not close the script
    assert post["headline"] == "someone from Cork & Bob </script><!-- hi"
    assert post["author"]["name"] == "Tess </script><script>alert(1)</script>"
    assert "<script>alert(1)" not in story_html
    people = {person["name"]: person for person in post["mentions"]}
    assert set(people) == {"someone from Cork", "Bob Example", "The Club"}
    assert people["someone from Cork"]["url"].endswith("/people/person-1/")
    [bob] = json_ld(site / "people/bob/index.html")
    assert bob["sameAs"] == ["https://bob.example.net/"]
    assert [person["name"] for person in bob["knows"]] == ["someone from Cork"]
    [ann] = json_ld(site / "people/person-1/index.html")
    assert ann == {"@context": "https://schema.org", "@type": "Person", "@id": ann["url"] + "#person",
                   "name": "someone from Cork", "url": ann["url"], "homeLocation": {"@type": "Place", "name": "Cork"},
                   "knows": ann["knows"]}
    assert {person["name"] for person in ann["knows"]} == {"Tess </script><script>alert(1)</script>", "Bob Example"}
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', text, re.S):
            assert not re.search(r"O'Example|ann\.example\.org|ann_example|knitting", block), page
