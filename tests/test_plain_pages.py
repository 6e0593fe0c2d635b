"""Plain pages: ``content/pages/<slug>.md`` builds to ``/<slug>/``, in the navigation but in no list of stories."""

from __future__ import annotations

import shutil

import pytest

from conftest import SITE_YAML, run_cli, tree_bytes

ABOUT = "---\ntitle: About this blog\nsummary: Who writes here.\n---\nWe collect **stories**. See [the first](/stories/first/).\n"
NAV = SITE_YAML + "nav:\n  - title: About\n    url: /about/\n"


@pytest.mark.slow
def test_a_plain_page_builds_at_its_slug_and_stays_out_of_the_lists(make_site):
    project = make_site({"pages/about.md": ABOUT, "site.yaml": NAV})
    result = run_cli("build", cwd=project)
    assert result.code == 0, result.text
    site = project / "site"
    page = (site / "about" / "index.html").read_text(encoding="utf-8")
    assert "<h1 id=\"page-title\">About this blog</h1>" in page and "<strong>stories</strong>" in page
    assert '<meta name="description" content="Who writes here.">' in page or "Who writes here." in page
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="/repo/about/"' in home  # named in the navigation
    assert home.count("About this blog") == 0  # not listed as a story
    for listing in ("feed.xml", "archive/index.html"):
        assert "About this blog" not in (site / listing).read_text(encoding="utf-8"), listing
    assert "https://example.github.io/repo/about/" in (site / "sitemap.xml").read_text(encoding="utf-8")


@pytest.mark.slow
def test_plain_page_errors_carry_their_position(make_site):
    project = make_site({
        "pages/about.md": "---\ntitel: About\n---\nSee [a story](/stories/frist/).\n",
        "pages/tags.md": "---\ntitle: Tags\n---\nHi.\n",
    })
    result = run_cli("check", cwd=project)
    assert result.code == 1
    assert "content/pages/about.md:2:1: error: unknown key 'titel' in the front matter" in result.err
    assert "content/pages/about.md:4:15: error: link '/stories/frist/' points at a story that does not exist" in result.err
    assert "did you mean 'first'?" in result.err
    assert "content/pages/tags.md:1:1: error: a page cannot be named 'tags'" in result.err


@pytest.mark.slow
def test_editing_a_plain_page_rebuilds_like_a_cold_build(make_site):
    from generator.build import BuildOptions, BuildState, build_site
    from generator.incremental.cache import cache_dir_for

    project = make_site({"pages/about.md": ABOUT, "site.yaml": NAV})
    content = project / "content"
    options = BuildOptions(content, project / "out", cache_dir=cache_dir_for(content), private=True)
    state = BuildState()
    build_site(options, state=state)
    for edit in (
        lambda: (content / "pages" / "about.md").write_text(ABOUT.replace("We collect", "We gather"), encoding="utf-8"),
        lambda: (content / "pages" / "contact.md").write_text("---\ntitle: Contact\n---\nWrite to us.\n", encoding="utf-8"),
        lambda: (content / "pages" / "contact.md").unlink(),
    ):
        edit()
        build_site(options, state=state)
        cold = project / "cold"
        shutil.rmtree(cold, ignore_errors=True)
        build_site(BuildOptions(content, cold))
        assert tree_bytes(project / "out") == tree_bytes(cold)


@pytest.mark.slow
def test_the_build_refuses_a_link_it_writes_to_a_page_it_does_not_build(make_site):
    project = make_site({"pages/about.md": ABOUT, "site.yaml": SITE_YAML + "nav:\n  - title: About\n    url: /abuot/\n"})
    for command in ("check", "build"):
        result = run_cli(command, cwd=project)
        assert result.code == 1, result.text
        assert "index.html: error: the built page links to '/repo/abuot/', which the site does not have" in result.err
    assert not (project / "site").exists()
