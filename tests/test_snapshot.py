"""``introchain snapshot``: recorded Bluesky, Mastodon, Webmention and Twitter threads become comment threads."""

from __future__ import annotations

import re

import pytest
import yaml

from conftest import run_cli
from snapshot_replay import FIXTURES, Reply, ReplayServer, fixture

BSKY_URL = "https://bsky.app/profile/janeboyd.bsky.social/post/3lbq2vtkq7s2a"
MASTO_URL = "https://mastodon.example/@janeboyd/113519008812345678"
COMMENTS = "content/stories/first/comments.yaml"


@pytest.fixture
def replay():
    server = ReplayServer()
    yield server
    server.close()


def bluesky_routes(server: ReplayServer, thread: Reply | None = None) -> None:
    server.routes["/xrpc/com.atproto.identity.resolveHandle"] = fixture("bluesky/resolveHandle.json")
    server.routes["/xrpc/app.bsky.feed.getPostThread"] = thread or fixture("bluesky/getPostThread.json")


def snapshot(project, *args):
    return run_cli("snapshot", *args, "--story", "first", cwd=project)


def threads_of(project) -> list[dict]:
    return yaml.safe_load((project / COMMENTS).read_text(encoding="utf-8"))["threads"]


def flatten(html: str) -> str:
    return re.sub(r"\s+", " ", html)


@pytest.mark.slow
def test_bluesky_thread_is_fetched_through_api_base_and_merged_beside_the_blog_comments(make_site, replay):
    project = make_site()
    before = (project / COMMENTS).read_text(encoding="utf-8")
    bluesky_routes(replay)
    result = snapshot(project, BSKY_URL, "--api-base", replay.url)
    assert result.code == 0, result.text
    assert "7 posts fetched" in result.out and "added: 7" in result.out
    # The handle is resolved, then the thread is asked for with the resolved DID and full depth.
    assert replay.requests[0] == ("/xrpc/com.atproto.identity.resolveHandle", {"handle": ["janeboyd.bsky.social"]})
    path, query = replay.requests[1]
    assert path == "/xrpc/app.bsky.feed.getPostThread"
    assert query["uri"] == ["at://did:plc:jb7kq3w2vxyz4n5m6p7r8s9t/app.bsky.feed.post/3lbq2vtkq7s2a"]
    assert query["depth"] == ["1000"] and query["parentHeight"] == ["0"]
    text = (project / COMMENTS).read_text(encoding="utf-8")
    block = text[text.index("threads:\n"):text.index("\ncomments:\n") + 1]
    assert text.replace(block, "") == before, "the blog's own comments are kept byte for byte"
    (thread,) = threads_of(project)
    assert (thread["platform"], thread["url"], thread["likes"], thread["reposts"]) == ("bluesky", BSKY_URL, 21, 3)
    by_id = {comment["id"]: comment for comment in thread["comments"]}
    root, ali, jane = by_id["bsky-3lbq2vtkq7s2a"], by_id["bsky-3lbq3c2mfhk2d"], by_id["bsky-3lbq3hxw2pc2k"]
    assert (root["author"], root["handle"], root["original"]) == ("Jane Boyd", "@janeboyd.bsky.social", BSKY_URL)
    assert ali["reply_to"] == root["id"] and jane["reply_to"] == ali["id"]
    # Facets (a mention, a hashtag after an emoji, a link) become Markdown links at the right characters.
    assert ali["body"] == ("[@janeboyd.bsky.social](https://bsky.app/profile/did:plc:jb7kq3w2vxyz4n5m6p7r8s9t) Liz Strauss, "
                           "at SOBCon\\! Still grateful 💛 [\\#smallworld](https://bsky.app/hashtag/smallworld)")
    assert by_id["bsky-3lbq3mnbv3k2p"]["status"] == "not-found" and by_id["bsky-3lbq3mnbv3k2p"]["reply_to"] == ali["id"]
    assert by_id["bsky-3lbq4wzx5fs2o"]["status"] == "blocked" and "body" not in by_id["bsky-3lbq4wzx5fs2o"]
    assert by_id["bsky-3lbq5kq4zl22c"]["author"] == "lizstrauss.bsky.social"  # no display name: the handle
    # Privacy: no e-mail address, no avatar.
    assert "jane@janeboyd.example" not in text and "[e-mail removed]" in jane["body"]
    assert "avatar" not in text and "cdn.bsky.app" not in text
    assert run_cli("check", "--strict", cwd=project).code == 0


@pytest.mark.slow
def test_built_story_shows_the_bluesky_thread_threaded_with_platform_link_and_placeholders(make_site, replay, tmp_path):
    project = make_site()
    bluesky_routes(replay)
    assert snapshot(project, BSKY_URL, "--api-base", replay.url).code == 0
    assert run_cli("build", "--out", tmp_path / "site", cwd=project).code == 0
    page = flatten((tmp_path / "site/stories/first/index.html").read_text(encoding="utf-8"))
    assert "2 comments" in page  # the blog's own comments are still there
    assert '<h2 id="thread-1-heading">The conversation on Bluesky</h2>' in page
    assert "7 posts, 21 likes, 3 reposts." in page
    assert f'<a href="{BSKY_URL}" rel="nofollow noopener">the original thread on bsky.app</a>' in page
    # Threaded: Jane's answer sits in the replies of Ali's reply, which sits in the replies of the root post.
    root = page.index('id="comment-bsky-3lbq2vtkq7s2a"')
    ali = page.index('id="comment-bsky-3lbq3c2mfhk2d"')
    jane = page.index('id="comment-bsky-3lbq3hxw2pc2k"')
    assert root < ali < jane
    assert page[root:jane].count('<ol class="comments replies">') == 2
    assert "This post was deleted, or not found." in page and "This post was hidden: its author blocks or is blocked." in page
    assert '<span class="comment-handle">@alidavies.bsky.social</span>' in page
    assert f'<a class="comment-original" href="https://bsky.app/profile/alidavies.bsky.social/post/3lbq3c2mfhk2d"' in page
    # Hostile text stays text.
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img" not in page.split('id="comments-heading"')[1]


@pytest.mark.browser
def test_story_page_with_a_thread_loads_nothing_from_another_host(make_site, replay, tmp_path, static_server, open_page):
    project = make_site()
    bluesky_routes(replay)
    assert snapshot(project, BSKY_URL, "--api-base", replay.url).code == 0
    assert run_cli("build", "--out", tmp_path / "site", cwd=project).code == 0
    server = static_server(tmp_path / "site", "/repo/")
    page, watch = open_page(f"{server.url}stories/first/")
    page.locator("#thread-1-heading").scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")
    assert page.locator(".thread-bluesky .comments.replies .comments.replies #comment-bsky-3lbq3hxw2pc2k").count() == 1
    host = server.url.split("/")[2]
    assert [url for url in watch.requests if url.startswith("http") and url.split("/")[2] != host] == []
    assert watch.console_errors == []


@pytest.mark.slow
def test_mastodon_context_is_rebuilt_into_a_multi_level_tree(make_site, replay, tmp_path):
    project = make_site()
    replay.routes["/api/v1/statuses/113519008812345678"] = fixture("mastodon/status.json")
    replay.routes["/api/v1/statuses/113519008812345678/context"] = fixture("mastodon/context.json")
    result = snapshot(project, MASTO_URL, "--api-base", replay.url)
    assert result.code == 0, result.text
    (thread,) = threads_of(project)
    assert (thread["platform"], thread["likes"], thread["reposts"]) == ("mastodon", 17, 6)
    by_id = {comment["id"]: comment for comment in thread["comments"]}
    assert "masto-113519120000000006" not in by_id  # followers-only: never public
    chain = [by_id["masto-113519060000000003"]]
    while "reply_to" in chain[-1]:
        chain.append(by_id[chain[-1]["reply_to"]])
    assert [comment["id"] for comment in chain] == [
        "masto-113519060000000003", "masto-113519051200000002", "masto-113519045500000001", "masto-113519008812345678"]
    ali = by_id["masto-113519045500000001"]
    assert (ali["author"], ali["handle"], ali["url"]) == ("Ali Davies", "@ali@fosstodon.example", "https://fosstodon.example/@ali")
    assert ali["body"] == "[@janeboyd](https://mastodon.example/@janeboyd) Liz Strauss at SOBCon, for me. :heart:"
    assert by_id["masto-113519008812345678"]["handle"] == "@janeboyd@mastodon.example"
    assert by_id["masto-113519100000000004"]["author"] == "paulom"
    assert by_id["masto-113519100000000004"]["body"].startswith("*Content warning: long story*")
    text = (project / COMMENTS).read_text(encoding="utf-8")
    assert "ali.davies@mail.example" not in text and "avatars" not in text and "emoji.png" not in text
    assert run_cli("build", "--out", tmp_path / "site", cwd=project).code == 0
    page = flatten((tmp_path / "site/stories/first/index.html").read_text(encoding="utf-8"))
    assert "The conversation on Mastodon" in page and "6 posts, 17 likes, 6 reposts." in page
    assert page.count('<ol class="comments replies">') >= 3
    assert 'href="javascript:' not in page and "a [link](javascript:alert(1))" in page and "&lt;b&gt;not bold&lt;/b&gt;" in page


@pytest.mark.slow
def test_webmentions_from_a_saved_jf2_feed_list_replies_and_count_likes_and_reposts(make_site, tmp_path):
    project = make_site()
    result = snapshot(project, FIXTURES / "webmention/mentions.jf2.json")
    assert result.code == 0, result.text
    (thread,) = threads_of(project)
    assert (thread["platform"], thread["url"], thread["likes"], thread["reposts"]) == (
        "webmention", "https://janeboyd.example/small-world/", 3, 1)
    ids = [comment["id"] for comment in thread["comments"]]
    assert ids == ["wm-1845001", "wm-1845007", "wm-1845120"]  # likes, reposts and the private reply are not listed
    assert thread["comments"][1]["reply_to"] == "wm-1845001"
    assert thread["comments"][0]["body"] == "Jane wrote up [how we met](https://janeboyd.example/small-world/). the two of us at SOBCon"
    text = (project / COMMENTS).read_text(encoding="utf-8")
    assert "192.168.10.24" not in text and "avatars.webmention.io" not in text and "us.jpg" not in text
    assert run_cli("build", "--out", tmp_path / "site", cwd=project).code == 0
    page = flatten((tmp_path / "site/stories/first/index.html").read_text(encoding="utf-8"))
    assert "The conversation on Webmentions" in page and "3 mentions, 3 likes, 1 repost." in page


def test_webmentions_from_the_live_api_use_the_token_and_the_page(make_site, replay):
    project = make_site()
    replay.routes["/api/mentions.jf2"] = fixture("webmention/mentions.jf2.json")
    result = snapshot(project, "https://janeboyd.example/small-world/", "--webmention-io", "s3cret", "--api-base", replay.url)
    assert result.code == 0, result.text
    path, query = replay.requests[0]
    assert path == "/api/mentions.jf2"
    assert query["target"] == ["https://janeboyd.example/small-world/"] and query["token"] == ["s3cret"]
    assert "s3cret" not in (project / COMMENTS).read_text(encoding="utf-8")
    assert [c["id"] for c in threads_of(project)[0]["comments"]] == ["wm-1845001", "wm-1845007", "wm-1845120"]


@pytest.mark.slow
def test_twitter_archive_thread_takes_the_thread_and_the_authors_replies_in_it(make_site, tmp_path):
    project = make_site()
    result = snapshot(project, FIXTURES / "twitter/tweets.js", "--thread", "71234567890123456")
    assert result.code == 0, result.text
    (thread,) = threads_of(project)
    assert (thread["platform"], thread["url"]) == ("twitter", "https://twitter.com/janeboyd/status/71234567890123456")
    comments = thread["comments"]
    assert [c["id"] for c in comments] == ["tweet-71234567890123456", "tweet-71234999990000001", "tweet-71235111110000002"]
    assert [c.get("reply_to", "") for c in comments] == ["", "tweet-71234567890123456", "tweet-71234999990000001"]
    assert comments[0]["body"] == ("Spent the afternoon on Skype with [@paulomahony](https://twitter.com/paulomahony) \\& the "
                                   "\\#12er crowd. Small world: <https://janeboyd.example/small-world/>")
    assert (comments[0]["author"], comments[0]["handle"]) == ("Jane Boyd", "@janeboyd")
    text = (project / COMMENTS).read_text(encoding="utf-8")
    assert "pbs.twimg.com" not in text and "t.co/" not in text and "jane@janeboyd.example" not in text
    assert run_cli("build", "--out", tmp_path / "site", cwd=project).code == 0
    assert "The conversation on Twitter" in (tmp_path / "site/stories/first/index.html").read_text(encoding="utf-8")
