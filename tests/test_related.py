"""Related stories, series and reading time, on small projects on disk."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import PEOPLE_YAML, run_cli

PEOPLE = PEOPLE_YAML + "liz:\n  name: Liz Strauss\ncarl:\n  name: Carl Other\n"


def _story(slug: str, date: str, chain: list[tuple[str, str]], tags: tuple[str, ...] = (), extra: str = "",
           words: int = 20) -> dict[str, str]:
    connections = "".join(f"  - between: [{a}, {b}]\n    stages: [contact]\n" for a, b in chain)
    tag_line = f"tags: [{', '.join(tags)}]\n" if tags else ""
    body = " ".join(["word"] * words)
    return {
        f"stories/{slug}/index.md": f"---\ntitle: Story {slug}\ndate: {date}\nauthor: ann\n{tag_line}{extra}---\n{body}\n",
        f"stories/{slug}/story.yaml": f"connections:\n{connections}",
    }


def _page(project, slug: str) -> str:
    return (project / "site" / "stories" / slug / "index.html").read_text(encoding="utf-8")


def _related(page: str) -> list[tuple[str, str]]:
    section = page.split('<section class="related"', 1)[1].split("</section>", 1)[0] if 'class="related"' in page else ""
    return re.findall(r'<a href="/repo/stories/([^/]+)/">[^<]*</a> <span class="related-reason">\(([^)]*)\)', section)


@pytest.mark.slow
def test_related_stories_are_ranked_by_what_they_share_and_say_why(make_site):
    files = {"people.yaml": PEOPLE}
    files.update(_story("alpha", "2020-01-01", [("liz", "tess")], tags=("cork",)))
    files.update(_story("beta", "2020-01-02", [("liz", "tess"), ("tess", "bob")]))
    files.update(_story("gamma", "2020-01-03", [("bob", "tess")], tags=("cork",)))
    files.update(_story("delta", "2020-01-04", [("bob", "carl")], tags=("cork",)))
    files.update(_story("epsilon", "2020-01-05", [("bob", "carl")]))
    project = make_site(files, stories=())
    result = run_cli("build", cwd=project)
    assert result.code == 0, result.text
    assert _related(_page(project, "alpha")) == [
        ("beta", "also features Liz Strauss and Tess Author"),
        ("gamma", "also features Tess Author"),
        ("delta", "also tagged “cork”"),
    ]
    # epsilon shares only the author (everyone's) with alpha: not related to it.
    assert all(slug != "alpha" for slug, _ in _related(_page(project, "epsilon")))
    assert _related(_page(project, "epsilon"))[0] == ("delta", "also features Bob Example and Carl Other")


@pytest.mark.slow
def test_tags_that_share_a_page_relate_stories_however_they_are_written(make_site):
    """'C++' and 'c++' are one tag page, as are 'Small World' and 'small-world': one tag to the ranking too."""
    files = {"people.yaml": PEOPLE}
    files.update(_story("alpha", "2020-01-01", [("liz", "tess")], tags=('"C++"',)))
    files.update(_story("beta", "2020-01-02", [("bob", "carl")], tags=('"c++"',)))
    files.update(_story("gamma", "2020-01-03", [("liz", "carl")], tags=("Small World",)))
    files.update(_story("delta", "2020-01-04", [("bob", "tess")], tags=("small-world",)))
    project = make_site(files, stories=())
    result = run_cli("build", cwd=project)
    assert result.code == 0, result.text
    assert ("beta", "also tagged “C++”") in _related(_page(project, "alpha"))
    assert ("alpha", "also tagged “c++”") in _related(_page(project, "beta"))
    assert ("delta", "also tagged “Small World”") in _related(_page(project, "gamma"))
    assert ("gamma", "also tagged “small-world”") in _related(_page(project, "delta"))


@pytest.mark.slow
def test_a_story_that_shares_nothing_has_no_related_section(make_site):
    files = {"people.yaml": PEOPLE}
    files.update(_story("alpha", "2020-01-01", [("liz", "tess")]))
    files.update(_story("beta", "2020-01-02", [("bob", "carl")]))
    project = make_site(files, stories=())
    assert run_cli("build", cwd=project).code == 0
    assert 'class="related"' not in _page(project, "alpha")


@pytest.mark.slow
def test_series_links_previous_and_next_in_date_order(make_site):
    files = {"people.yaml": PEOPLE}
    # Folder order differs from date order; one story of the same dates is in no series.
    files.update(_story("c-first", "2020-01-01", [("liz", "tess")], extra="series: Cork meetups\n"))
    files.update(_story("a-second", "2020-02-01", [("bob", "carl")], extra="series: Cork meetups\n"))
    files.update(_story("b-third", "2020-03-01", [("bob", "tess")], extra="series: Cork meetups\n"))
    files.update(_story("outside", "2020-02-15", [("bob", "liz")]))
    project = make_site(files, stories=())
    assert run_cli("build", cwd=project).code == 0
    second = _page(project, "a-second")
    assert "Part 2 of 3 in the series “Cork meetups”" in second
    nav = second.split('class="post-nav series-nav"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'href="/repo/stories/([^/]+)/"', nav) == ["c-first", "b-third"]
    first = _page(project, "c-first")
    assert "Part 1 of 3" in first and "Previous in the series" not in first and "Next in the series: Story a-second" in first
    last = _page(project, "b-third")
    assert "Part 3 of 3" in last and "Next in the series" not in last
    assert "series" not in _page(project, "outside").split("<main", 1)[1].split('class="related"', 1)[0]


def test_a_bad_series_is_an_error_at_its_position(make_site):
    files = {"people.yaml": PEOPLE}
    files.update(_story("alpha", "2020-01-01", [("liz", "tess")], extra="series: [one, two]\n"))
    files.update(_story("beta", "2020-01-02", [("liz", "tess")], extra="series: ''\n"))
    project = make_site(files, stories=())
    result = run_cli("check", cwd=project)
    assert result.code == 1
    assert "content/stories/alpha/index.md:5:9: error: expected text, found a list" in result.err
    assert "content/stories/beta/index.md:5:9: error: expected text, found an empty value" in result.err


@pytest.mark.slow
def test_reading_time_shows_on_the_story_and_its_card(make_site):
    files = {"people.yaml": PEOPLE}
    files.update(_story("long", "2020-01-01", [("liz", "tess")], words=1200))
    files.update(_story("short", "2020-01-02", [("bob", "tess")], words=30))
    project = make_site(files, stories=())
    assert run_cli("build", cwd=project).code == 0
    assert "· 5 min read" in _page(project, "long")
    assert "· 1 min read" in _page(project, "short")
    home = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert home.index("5 min read") > home.index("Story long") > home.index("1 min read") > home.index("Story short") or \
        (home.index("Story short") < home.index("1 min read") < home.index("Story long") < home.index("5 min read"))


@pytest.mark.slow
def test_a_person_in_one_chain_who_only_writes_another_story_does_not_relate_them(make_site):
    files = {"people.yaml": PEOPLE}
    files.update(_story("alpha", "2020-01-01", [("liz", "carl")]))
    beta = _story("beta", "2020-01-02", [("bob", "tess")])
    beta["stories/beta/index.md"] = beta["stories/beta/index.md"].replace("author: ann", "author: liz")
    files.update(beta)
    project = make_site(files, stories=())
    result = run_cli("build", cwd=project)
    assert result.code == 0, result.text
    assert 'class="related"' not in _page(project, "alpha") and 'class="related"' not in _page(project, "beta")


@pytest.mark.slow
def test_every_story_lists_what_an_all_pairs_comparison_ranks_first(tmp_path):
    """On a synthetic site, each built page shows the three stories that score highest against every other."""
    import sys

    from conftest import REPO

    from generator.content.load import load_site
    from generator.related import WEIGHTS, ranking_inputs

    sys.path.insert(0, str(REPO / "tests" / "perf"))
    from synth import make_project

    # One person per story over a small pool: chains overlap, so most stories have many candidates.
    project = make_project(tmp_path / "project", 60, people_per_story=1)
    site, _ = load_site(project.content)
    assert run_cli("build", "--base-url", "https://example.org/repo/", cwd=project.root).code == 0
    features = {story.slug: {kind: frozenset(getattr(story, kind)) for kind in WEIGHTS}
                for story in ranking_inputs(site).stories}
    checked = 0
    for study in site.studies:
        mine = features[study.slug]
        scored = []
        for other in site.studies:
            theirs = features[other.slug]
            shared = {kind: mine[kind] & theirs[kind] for kind in WEIGHTS}
            if other.slug == study.slug or not (shared["people"] or shared["tags"]):
                continue
            score = sum(WEIGHTS[kind] * len(items) for kind, items in shared.items())
            scored.append((-score, -other.date.timestamp(), other.slug))
        expected = [slug for *_, slug in sorted(scored)[:3]]
        shown = [slug for slug, _ in _related(_page(project.root, study.slug))]
        assert shown == expected, study.slug
        checked += bool(expected)
    assert checked > 50


@pytest.mark.slow
def test_rebuilds_keep_related_stories_through_a_text_edit_and_rank_again_after_a_tag_or_name_edit(make_site):
    """The dev server's rebuilds (state in memory) and ``build``'s (state in the cache) show what a cold build shows."""
    from generator.build import BuildOptions, BuildState, build_site
    from generator.incremental.cache import cache_dir_for

    files = {"people.yaml": PEOPLE}
    files.update(_story("alpha", "2020-01-01", [("liz", "tess")], tags=("cork",)))
    files.update(_story("beta", "2020-01-02", [("bob", "carl")], tags=("cork",)))
    files.update(_story("gamma", "2020-01-03", [("bob", "carl")], tags=("dublin",)))
    project = make_site(files, stories=())
    content = project / "content"
    served = BuildOptions(content, project / "served", cache_dir=cache_dir_for(content), private=True)
    state = BuildState()

    def rebuild(edited: Path) -> dict[str, dict[str, list[tuple[str, str]]]]:
        """Each way's related stories per story, after the rebuilds that follow an edit of ``edited``."""
        build_site(served, state=state, changed=frozenset({edited}))
        assert run_cli("build", cwd=project).code == 0
        assert run_cli("build", "--no-cache", "--out", str(project / "cold"), cwd=project).code == 0
        return {folder: {slug: _related((project / folder / "stories" / slug / "index.html").read_text(encoding="utf-8"))
                         for slug in ("alpha", "beta", "gamma")} for folder in ("served", "site", "cold")}

    def edit(relative: str, old: str, new: str) -> Path:
        path = content / relative
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")
        return path

    build_site(served, state=state)
    assert run_cli("build", cwd=project).code == 0
    first = rebuild(edit("stories/alpha/index.md", "word word", "other words"))
    assert "other words" in (project / "served" / "stories" / "alpha" / "index.html").read_text(encoding="utf-8")
    assert first["served"] == first["site"] == first["cold"]
    assert first["cold"]["alpha"] == [("beta", "also tagged “cork”")]
    assert first["cold"]["gamma"] == [("beta", "also features Bob Example and Carl Other")]

    tagged = rebuild(edit("stories/gamma/index.md", "tags: [dublin]", "tags: [cork]"))
    assert tagged["served"] == tagged["site"] == tagged["cold"]
    assert tagged["cold"]["alpha"] == [("gamma", "also tagged “cork”"), ("beta", "also tagged “cork”")]

    renamed = rebuild(edit("people.yaml", "name: Carl Other", "name: Carl Renamed"))
    assert renamed["served"] == renamed["site"] == renamed["cold"]
    assert renamed["cold"]["gamma"] == [("beta", "also features Bob Example and Carl Renamed"), ("alpha", "also tagged “cork”")]
