"""Re-running ``introchain snapshot``: new replies added, deleted ones marked, hand edits kept; failures change nothing."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from conftest import run_cli
from snapshot_replay import FIXTURES, Reply, ReplayServer, fixture
from test_snapshot import BSKY_URL, COMMENTS, bluesky_routes, snapshot, threads_of

THREAD = json.loads((FIXTURES / "bluesky/getPostThread.json").read_text(encoding="utf-8"))


@pytest.fixture
def replay():
    server = ReplayServer()
    yield server
    server.close()


def later_thread() -> dict:
    """The recorded thread a day later: Paul's reply deleted (with its reply), a new reply to Ali."""
    thread = copy.deepcopy(THREAD)
    replies = thread["thread"]["replies"]
    ali = replies[0]
    new = copy.deepcopy(ali["replies"][0])
    new["post"]["uri"] = new["post"]["uri"].replace("3lbq3hxw2pc2k", "3lbr7newreply")
    new["post"]["record"]["text"] = "See you at the next SOBCon."
    new["post"]["record"]["createdAt"] = "2024-11-22T09:00:00.000Z"
    ali["replies"].append(new)
    thread["thread"]["replies"] = replies[:2]
    thread["thread"]["post"]["likeCount"] = 30
    return thread


@pytest.mark.slow
def test_a_second_snapshot_adds_new_replies_marks_deleted_ones_and_keeps_hand_edits(make_site, replay):
    project = make_site()
    bluesky_routes(replay)
    assert snapshot(project, BSKY_URL, "--api-base", replay.url).code == 0
    path = project / COMMENTS
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    comments = data["threads"][0]["comments"]
    # The author edits Liz's reply by hand and removes the root post's author's own reply.
    liz = next(c for c in comments if c["id"] == "bsky-3lbq5kq4zl22c")
    text = path.read_text(encoding="utf-8").replace(liz["body"], "Edited by the author.")
    jane_block = text[text.index("  - id: bsky-3lbq3hxw2pc2k"):text.index("  - id: bsky-3lbq3mnbv3k2p")]
    text = text.replace(jane_block, "")
    path.write_text(text, encoding="utf-8")
    assert run_cli("check", cwd=project).code == 0

    replay.routes["/xrpc/app.bsky.feed.getPostThread"] = Reply(later_thread())
    dry = snapshot(project, BSKY_URL, "--api-base", replay.url, "--dry-run")
    assert dry.code == 0, dry.text
    assert path.read_text(encoding="utf-8") == text, "--dry-run writes nothing"
    assert "would be added: 1 (bsky-3lbr7newreply)" in dry.out
    assert "would be marked deleted: 1 (bsky-3lbq4a7rxb22x)" in dry.out
    assert "kept as edited by hand: 1 (bsky-3lbq5kq4zl22c)" in dry.out
    assert "left out (removed by hand): 1 (bsky-3lbq3hxw2pc2k)" in dry.out
    assert "+    body: See you at the next SOBCon." in dry.out and "Dry run: nothing was written." in dry.out

    result = snapshot(project, BSKY_URL, "--api-base", replay.url)
    assert result.code == 0, result.text
    (thread,) = threads_of(project)
    by_id = {comment["id"]: comment for comment in thread["comments"]}
    assert by_id["bsky-3lbr7newreply"]["reply_to"] == "bsky-3lbq3c2mfhk2d"
    assert by_id["bsky-3lbq4a7rxb22x"]["status"] == "deleted" and "body" not in by_id["bsky-3lbq4a7rxb22x"]
    assert by_id["bsky-3lbq5kq4zl22c"]["body"] == "Edited by the author."
    assert "status" not in by_id["bsky-3lbq5kq4zl22c"], "a hand-edited comment is never changed"
    assert "bsky-3lbq3hxw2pc2k" not in by_id, "a comment removed by hand does not come back"
    assert thread["likes"] == 30
    assert run_cli("check", "--strict", cwd=project).code == 0
    # Once more with nothing new: the file is not touched at all.
    settled = path.read_bytes()
    again = snapshot(project, BSKY_URL, "--api-base", replay.url)
    assert again.code == 0 and "is up to date" in again.out
    assert path.read_bytes() == settled


@pytest.mark.slow
def test_an_existing_comments_file_keeps_every_byte_outside_the_threads(make_site, replay):
    head = "# Comments saved from the old blog.\ntaken: 2020-01-05  # the export date\nsource: https://old.example/post\n"
    project = make_site({"stories/first/comments.yaml": head + "comments: []\n"})
    bluesky_routes(replay)
    assert snapshot(project, BSKY_URL, "--api-base", replay.url).code == 0
    text = (project / COMMENTS).read_text(encoding="utf-8")
    # The threads go before a trailing 'comments:' list, which importers append to.
    assert text.startswith(head + "threads:\n") and text.endswith("\ncomments: []\n")
    assert run_cli("check", "--strict", cwd=project).code == 0
    # Once a 'threads:' block exists, a second thread joins it, wherever it is.
    replay.routes["/api/v1/statuses/113519008812345678"] = fixture("mastodon/status.json")
    replay.routes["/api/v1/statuses/113519008812345678/context"] = fixture("mastodon/context.json")
    assert snapshot(project, "https://mastodon.example/@janeboyd/113519008812345678", "--api-base", replay.url).code == 0
    text = (project / COMMENTS).read_text(encoding="utf-8")
    assert text.startswith(head + "threads:\n") and text.endswith("\ncomments: []\n") and text.count("threads:") == 1
    assert [thread["platform"] for thread in threads_of(project)] == ["bluesky", "mastodon"]


@pytest.mark.slow
def test_disqus_comments_can_still_be_imported_into_a_story_with_threads(make_site, replay):
    from test_import_real import ISSO_DISQUS, PELICAN_WXR11

    project = make_site(stories=())
    assert run_cli("import", "wordpress", PELICAN_WXR11, cwd=project).code == 0
    bluesky_routes(replay)
    result = run_cli("snapshot", BSKY_URL, "--story", "with-comments", "--api-base", replay.url, cwd=project)
    assert result.code == 0, result.text
    mapping = project / "disqus-urls.yaml"
    mapping.write_text('"http://example.org/": with-comments\n', encoding="utf-8")
    result = run_cli("import", "disqus", ISSO_DISQUS, "--urls", mapping, cwd=project)
    assert result.code == 0, result.text
    data = yaml.safe_load((project / "content/stories/with-comments/comments.yaml").read_text(encoding="utf-8"))
    assert any(comment["id"] == "disqus-4" for comment in data["comments"])
    assert len(data["threads"][0]["comments"]) == 7
    assert run_cli("check", cwd=project).code == 0


@pytest.mark.slow
def test_a_story_without_comments_gets_a_file_with_only_the_thread(make_site, replay, tmp_path):
    project = make_site({"stories/first/comments.yaml": None})
    bluesky_routes(replay)
    assert snapshot(project, BSKY_URL, "--api-base", replay.url).code == 0
    assert (project / COMMENTS).read_text(encoding="utf-8").startswith("threads:\n")
    assert run_cli("build", "--out", tmp_path / "site", cwd=project).code == 0
    page = (tmp_path / "site/stories/first/index.html").read_text(encoding="utf-8")
    assert "The conversation on Bluesky" in page and 'id="comments-heading"' not in page


ERRORS = [
    ("network error", None, "cannot reach 127.0.0.1"),
    ("timeout", Reply(THREAD, delay=3), "did not answer within 1 seconds"),
    ("429", Reply({"error": "RateLimitExceeded"}, 429, {"Retry-After": "120"}), "rate-limiting requests (HTTP 429)"),
    ("deleted root", Reply({"error": "NotFound", "message": "Post not found"}, 400), f"the Bluesky post {BSKY_URL} was deleted"),
    ("deleted root in the thread", Reply({"thread": {"$type": "app.bsky.feed.defs#notFoundPost", "uri": "at://x/app.bsky.feed.post/y",
                                                     "notFound": True}}), "was deleted or cannot be found"),
    ("malformed JSON", Reply(b'{"thread": {"$type": "app.bsky.feed.defs#threadViewPost", "post": '), "is not valid JSON"),
    ("wrong shape", Reply({"thread": {"post": {"uri": 5}}}), "unexpected response"),
    ("too large", None, "more than 3 posts, the limit"),
    ("server error", Reply(b"<html>oops</html>", 502), "HTTP 502"),
]


@pytest.mark.slow
@pytest.mark.parametrize("case, reply, message", ERRORS, ids=[case[0] for case in ERRORS])
def test_every_failure_gives_one_clear_message_and_leaves_comments_untouched(make_site, replay, case, reply, message):
    project = make_site()
    before = (project / COMMENTS).read_bytes()
    bluesky_routes(replay, reply)
    base = replay.url
    extra = ["--timeout", "1"]
    if case == "network error":
        replay.close()
        replay.__init__()  # a fresh server for teardown; the old address now refuses connections
    if case == "too large":
        extra += ["--max-posts", "3"]
    result = snapshot(project, BSKY_URL, "--api-base", base, *extra)
    assert result.code == 1, result.text
    assert message in result.err, result.err
    assert result.err.count("error:") == 1 and "hint:" in result.err
    assert "Traceback" not in result.text
    assert (project / COMMENTS).read_bytes() == before
    if case == "429":
        assert "try again in 120 seconds" in result.err


@pytest.mark.slow
def test_429_on_the_second_run_leaves_the_first_snapshot_as_it_was(make_site, replay):
    project = make_site()
    bluesky_routes(replay)
    assert snapshot(project, BSKY_URL, "--api-base", replay.url).code == 0
    before = (project / COMMENTS).read_bytes()
    replay.routes["/xrpc/app.bsky.feed.getPostThread"] = Reply({"error": "RateLimitExceeded"}, 429, {"Retry-After": "30"})
    result = snapshot(project, BSKY_URL, "--api-base", replay.url)
    assert result.code == 1 and "try again in 30 seconds" in result.err
    assert (project / COMMENTS).read_bytes() == before


def test_broken_comments_file_is_reported_and_not_touched(make_site, replay):
    project = make_site({"stories/first/comments.yaml": "taken: 2020-01-05\nsource: https://old.example/post\ncomments:\n  - author: A\n"})
    before = (project / COMMENTS).read_bytes()
    bluesky_routes(replay)
    result = snapshot(project, BSKY_URL, "--api-base", replay.url)
    assert result.code == 1
    assert "content/stories/first/comments.yaml:4:5: error: a comment is missing the required key 'date'" in result.err
    assert replay.requests == [], "nothing is fetched for a file that cannot be merged into"
    assert (project / COMMENTS).read_bytes() == before


@pytest.mark.parametrize("args, message", [
    (["https://example.com/not-a-post"], "cannot tell what"),
    (["tweets.js"], "needs --thread"),
    ([BSKY_URL, "--api-base", "ftp://x"], "--api-base must be an http"),
])
@pytest.mark.slow
def test_usage_errors_exit_2(make_site, args, message):
    project = make_site()
    result = snapshot(project, *args)
    assert result.code == 2 and message in result.err


def test_an_unknown_story_is_a_usage_error_with_a_suggestion(make_site):
    project = make_site()
    result = run_cli("snapshot", BSKY_URL, "--story", "frist", cwd=project)
    assert result.code == 2 and "no story 'frist'" in result.err and "did you mean 'first'?" in result.err
