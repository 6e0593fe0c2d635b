"""What snapshots add to pages: replies linked to people by handle, quote cards, redaction, and channels with labels."""

from __future__ import annotations

import re

import pytest

from conftest import PEOPLE_YAML, REPO, SITE_YAML, run_cli, story_files
from snapshot_replay import ReplayServer
from test_snapshot import BSKY_URL, bluesky_routes, snapshot

ALI_POST = "https://bsky.app/profile/alidavies.bsky.social/post/3lbq3c2mfhk2d"
# Ann and Bob, who have pages (they are in the story's chain), post on Bluesky as Ali and Paul.
PEOPLE = PEOPLE_YAML.replace("  name: Ann Example\n", '  name: Ann Example\n  handles: {bluesky: "@AliDavies.bsky.social", twitter: "@alidavies"}\n').replace(
    "  name: Bob Example\n", "  name: Bob O'Mahony\n  handles: {bluesky: \"https://bsky.app/profile/paulomahony.ie\"}\n")


@pytest.fixture
def replay():
    server = ReplayServer()
    yield server
    server.close()


def built_page(project, tmp_path) -> str:
    result = run_cli("build", "--out", tmp_path / "site", cwd=project)
    assert result.code == 0, result.text
    return re.sub(r"\s+", " ", (tmp_path / "site/stories/first/index.html").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_replies_by_a_known_handle_link_to_the_persons_page(make_site, replay, tmp_path):
    project = make_site({"people.yaml": PEOPLE})
    bluesky_routes(replay)
    assert snapshot(project, BSKY_URL, "--api-base", replay.url).code == 0
    page = built_page(project, tmp_path)
    ali = page[page.index('id="comment-bsky-3lbq3c2mfhk2d"'):]
    assert ali.index('<a class="person person-person" href="/repo/people/ann/">Ali Davies</a>') < ali.index("</article>")
    paul = page[page.index('id="comment-bsky-3lbq4a7rxb22x"'):]
    assert paul.index('href="/repo/people/bob/"') < paul.index("</article>")
    liz = page[page.index('id="comment-bsky-3lbq5kq4zl22c"'):]
    assert "/repo/people/" not in liz[:liz.index("</article>")]


@pytest.mark.slow
def test_redaction_applies_to_snapshot_authors_matched_by_handle(make_site, replay, tmp_path):
    project = make_site({"people.yaml": PEOPLE, "site.yaml": SITE_YAML + "privacy:\n  redact: [bob]\n"})
    bluesky_routes(replay)
    assert snapshot(project, BSKY_URL, "--api-base", replay.url).code == 0
    result = run_cli("build", "--out", tmp_path / "site", cwd=project)
    assert result.code == 0, result.text
    for path in (tmp_path / "site").rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json"):
            text = path.read_text(encoding="utf-8")
            assert "O'Mahony" not in text and "O&#39;Mahony" not in text and "paulomahony.ie" not in text, path


@pytest.mark.slow
def test_a_quote_block_renders_a_static_card_of_a_snapshot_post(make_site, replay, tmp_path):
    body = f"Ali put it best:\n\n```quote\n{ALI_POST}\n```\n\nAnd so on."
    project = make_site({**story_files("first", title="Story first", body=body), "people.yaml": PEOPLE})
    bluesky_routes(replay)
    assert snapshot(project, BSKY_URL, "--api-base", replay.url).code == 0
    page = built_page(project, tmp_path)
    prose = page[page.index('<div class="prose">'):page.index("</article>")]
    assert '<figure class="quote-card">' in prose
    assert '<span class="quote-author"><a href="/repo/people/ann/">Ali Davies</a></span>' in prose
    assert '<span class="quote-handle">@alidavies.bsky.social</span> on Bluesky' in prose
    assert f'<a href="{ALI_POST}" rel="nofollow noopener"><time datetime="2024-11-20T17:15:40+00:00">20 November 2024</time></a>' in prose
    assert "Still grateful" in prose
    assert "<iframe" not in page and "<script" not in prose and "```" not in prose


def test_a_quote_of_a_post_the_snapshot_does_not_hold_is_a_positioned_error(make_site):
    body = "Text\n\n```quote\nhttps://bsky.app/profile/someone/post/nothing\n```\n"
    project = make_site(story_files("first", title="Story first", body=body))
    result = run_cli("check", cwd=project)
    assert result.code == 1
    assert ("content/stories/first/index.md:9:1: error: the quoted post 'https://bsky.app/profile/someone/post/nothing' "
            "is not in this story's comments.yaml") in result.err
    assert "introchain snapshot URL --story SLUG" in result.err


@pytest.mark.slow
def test_site_channels_add_to_the_built_in_set_and_pages_show_labels(make_site, tmp_path):
    story = story_files("first")["stories/first/story.yaml"].replace("channels: [twitter]", "channels: [bluesky, coffee-club]")
    site = SITE_YAML + "channels:\n  - {id: coffee-club, label: the Friday coffee club, colour: '#7b3f00'}\n"
    project = make_site({"stories/first/story.yaml": story, "site.yaml": site})
    page = built_page(project, tmp_path)
    assert '<span class="channel channel-coffee-club">the Friday coffee club</span>' in page
    assert '<span class="channel channel-bluesky">Bluesky</span>' in page
    assert "Channels used</dt><dd>Bluesky, the Friday coffee club, e-mail</dd>" in page
    assert '"color":{"color":"#7b3f00"}' in page  # the connection's line in the graph
    assert "the Friday coffee club</li>" in page  # the legend


@pytest.mark.parametrize("channels, where, message", [
    ("  - {id: Coffee, label: x}\n", "site.yaml:9:10", "'Coffee' is not a valid id"),
    ("  - {id: coffee, label: x, colour: brown}\n", "site.yaml:9:36", "expected a colour as #rrggbb"),
    ("  - {id: coffee, label: x}\n  - {id: coffee, label: y}\n", "site.yaml:10:5", "channel 'coffee' is defined twice"),
])
@pytest.mark.slow
def test_bad_site_channels_are_positioned_errors(make_site, channels, where, message):
    project = make_site({"site.yaml": SITE_YAML + "channels:\n" + channels})
    result = run_cli("check", cwd=project)
    assert result.code == 1 and f"content/{where}: error: {message}" in result.err, result.err


@pytest.mark.browser
def test_a_story_with_threads_placeholders_and_a_quote_card_is_valid_html_and_accessible(make_site, replay, tmp_path, browser,
                                                                                         static_server):
    from test_html_valid import nu_errors

    body = f"Ali put it best:\n\n```quote\n{ALI_POST}\n```\n"
    project = make_site({**story_files("first", title="Story first", body=body), "people.yaml": PEOPLE})
    bluesky_routes(replay)
    assert snapshot(project, BSKY_URL, "--api-base", replay.url).code == 0
    built_page(project, tmp_path)
    assert nu_errors([tmp_path / "site/stories/first/index.html"]) == []
    axe = (REPO / ".cache/tools/node_modules/axe-core/axe.min.js")
    if not axe.is_file():
        pytest.skip("axe-core is not installed; run scripts/test once")
    server = static_server(tmp_path / "site", "/repo/")
    violations = {}
    for scheme in ("light", "dark"):
        # bypass_csp: the page's own CSP (script-src 'self') would refuse the injected checker.
        context = browser.new_context(bypass_csp=True, color_scheme=scheme, reduced_motion="reduce")
        page = context.new_page()
        page.goto(f"{server.url}stories/first/")
        page.add_script_tag(path=str(axe))
        violations[scheme] = page.evaluate(
            "async () => (await axe.run(document.querySelector('main'))).violations.map(v => v.id + ': ' + v.nodes[0].html)")
        context.close()
    assert violations == {"light": [], "dark": []}
