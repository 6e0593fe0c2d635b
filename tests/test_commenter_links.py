"""A commenter is shown under the comment's own name, and linked only to a person page that exists."""

from __future__ import annotations

import re
from textwrap import dedent

import pytest

from conftest import PEOPLE_YAML, run_cli
from test_base_path import crawl, page_url

COMMENTS = dedent(
    """\
    taken: 2020-01-05
    source: https://old.example/post
    comments:
      - id: outsider
        author: Zed from the forum
        person: zed
        date: 2020-01-03
        body: Who introduced you two?
      - id: insider
        author: Annie
        person: ann
        reply_to: outsider
        date: 2020-01-04
        body: Tess did.
    """
)


@pytest.mark.slow
def test_a_comment_by_a_person_outside_the_chain_has_no_broken_link(make_site, static_server):
    project = make_site({
        "people.yaml": PEOPLE_YAML + "zed:\n  name: Zed Zero\n",
        "stories/first/comments.yaml": COMMENTS,
    })
    assert run_cli("check", "--strict", cwd=project).code == 0
    result = run_cli("build", cwd=project)
    assert result.code == 0, result.text
    site = project / "site"
    page = (site / "stories" / "first" / "index.html").read_text(encoding="utf-8")
    authors = re.findall(r'<span class="comment-author">(.*?)</span>', page, re.S)
    # Zed is in no connection, so has no page: the name is shown as written, unlinked.
    assert authors[0].strip() == "Zed from the forum"
    assert not (site / "people" / "zed").exists() and "people/zed/" not in page
    # Ann has a page: the link goes there, under the name the comment was written with.
    assert re.fullmatch(r'\s*<a class="person person-person" href="/repo/people/ann/">Annie</a>\s*', authors[1])

    server = static_server(site, prefix="/repo/")
    pages = [p for p in sorted(site.rglob("*.html")) if p.name != "404.html"]
    broken, _ = crawl([server.url, *(page_url(server.url, site, p) for p in pages)], server.url)
    assert not broken, broken


def test_a_commenter_gains_a_link_when_they_join_a_chain(make_site):
    """The same rule on an incremental rebuild: the story page follows the person's page."""
    from generator.build import BuildOptions, build_site

    project = make_site({
        "people.yaml": PEOPLE_YAML + "zed:\n  name: Zed Zero\n",
        "stories/first/comments.yaml": COMMENTS,
    })
    content, out = project / "content", project / "site"
    options = BuildOptions(content_dir=content, out_dir=out, templates_dir=None, drafts=False)
    build_site(options)
    assert "/repo/people/zed/" not in (out / "stories" / "first" / "index.html").read_text(encoding="utf-8")
    second = dedent(
        """\
        connections:
          - between: [tess, zed]
            stages: [contact]
        """
    )
    (content / "stories" / "second").mkdir()
    (content / "stories" / "second" / "index.md").write_text("---\ntitle: Second\ndate: 2020-02-01\nauthor: tess\n---\nHi.\n", encoding="utf-8")
    (content / "stories" / "second" / "story.yaml").write_text(second, encoding="utf-8")
    build_site(options)
    page = (out / "stories" / "first" / "index.html").read_text(encoding="utf-8")
    assert 'href="/repo/people/zed/">Zed from the forum</a>' in page
    assert (out / "people" / "zed" / "index.html").is_file()
