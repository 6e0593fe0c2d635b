"""``introchain import wordpress``: realistic WXR exports in, valid private-data-free content out."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from conftest import PEOPLE_YAML, SITE_YAML, run_cli, tree_bytes

FIXTURES = Path(__file__).parent / "fixtures" / "wordpress"
WXR12 = FIXTURES / "small-world-wxr12.xml"
WXR11 = FIXTURES / "old-blog-wxr11.xml"

#: Every e-mail and IP address in the fixtures: none may reach content/.
PRIVATE_VALUES = [
    "jane.boyd@janeboyd.example",
    "marco.rossi@rossi-mail.example",
    "tess.writes@testville.example",
    "ali.davies@mailbox.example",
    "bo.chen@chenmail.example",
    "deals@watch-spam.example",
    "pete.pending@inbox.example",
    "yulia.s@pochta.example",
    "ann.example@annmail.example",
    "sam.secret@hidden.example",
    "sam.lee@coachnotes.example",
    "debra.k@webmail.example",
    "tom@trash.example",
    "203.0.113.45",
    "198.51.100.7",
    "2001:db8:85a3::8a2e:370:7334",
    "192.0.2.88",
    "198.51.100.230",
    "192.0.2.199",
    "192.0.2.10",
    "192.0.2.11",
    "203.0.113.99",
    "203.0.113.201",
    "192.0.2.66",
    "192.0.2.150",
    "192.0.2.1",
    "192.0.2.13",
]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
IPV6 = re.compile(r"(?<![\w:])(?:[0-9a-f]{1,4}:){2,7}:?[0-9a-f]{0,4}(?![\w:])", re.I)


def import_wp(project: Path, export: Path, *options: str, timeout: float = 120):
    """Run the importer in ``project`` as an author would."""
    return run_cli("import", "wordpress", export, *options, cwd=project, timeout=timeout)


def front_matter(path: Path) -> tuple[dict, str]:
    """The front matter of an index.md, parsed, and its body."""
    _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(head), body


def load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture
def project(make_site) -> Path:
    """A project with the test site and people but no stories yet."""
    return make_site(stories=())


@pytest.fixture
def imported(project: Path) -> Path:
    """The project after importing the WXR 1.2 export (posts only)."""
    result = import_wp(project, WXR12)
    assert result.code == 0, result.text
    return project


def stories(project: Path) -> Path:
    return project / "content" / "stories"


# --- what is imported, and the summary ----------------------------------------------------------


@pytest.mark.slow
def test_imports_published_posts_and_reports_counts(project: Path):
    result = import_wp(project, WXR12)
    assert result.code == 0, result.text
    assert sorted(p.name for p in stories(project).iterdir()) == ["post-31", "quiet-post", "small-world"]
    out = result.out
    assert "WXR 1.2" in out
    assert "posts: wrote 3" in out
    assert "comments: wrote 6 (approved only); left out 2 pingbacks/trackbacks, 1 awaiting moderation, 1 spam" in out
    assert "pages (plain pages, content/pages/): wrote 1" in out and "about: About" in out
    assert '"Private notes on Ali": private post: never imported' in out
    assert '"Members only: the guest list": password-protected: never imported' in out
    assert '"Work in progress: the Lisbon chain": draft (use --drafts)' in out
    assert "ignored: 1 item of type 'nav_menu_item'" in out
    assert "small-world: [column]" in out  # the unknown shortcode is reported
    assert "people: added 5" in out and "jane-boyd, ali-davies, bo-chen, commenter-109, marco-rossi" in out
    assert "Traceback" not in result.text


@pytest.mark.slow
def test_drafts_on_request_and_pages_as_plain_pages(project: Path):
    result = import_wp(project, WXR12, "--drafts")
    assert result.code == 0, result.text
    names = sorted(p.name for p in stories(project).iterdir())
    assert names == ["post-31", "quiet-post", "small-world", "work-in-progress-the-lisbon-chain"]
    draft, _ = front_matter(stories(project) / "work-in-progress-the-lisbon-chain" / "index.md")
    assert draft["draft"] is True
    # The draft has no GMT date: its local date is read in the site's timezone (UTC here).
    assert draft["date"] == datetime(2021, 10, 1, 9, 0, tzinfo=timezone.utc)
    assert draft["tags"] == ["Lisbon"]
    about, body = front_matter(project / "content" / "pages" / "about.md")
    assert about == {"title": "About"}
    assert body == "I write about how people meet online.\n"
    build = run_cli("build", cwd=project)
    assert build.code == 0, build.text
    assert "I write about how people meet online." in (project / "site" / "about" / "index.html").read_text(encoding="utf-8")
    assert "/about/" not in (project / "site" / "feed.xml").read_text(encoding="utf-8")  # a page is not a post
    assert import_wp(project, WXR12, "--no-pages", "--force").code == 0
    # Private and password-protected posts are never imported, whatever the flags.
    assert not (stories(project) / "private-notes").exists()
    assert not (stories(project) / "guest-list").exists()


# --- front matter and Markdown -----------------------------------------------------------------


def test_front_matter(imported: Path):
    front, _ = front_matter(stories(imported) / "small-world" / "index.md")
    assert front == {
        "title": "How Twitter and Skype made a small world smaller",
        "date": datetime(2011, 5, 18, 21, 40, tzinfo=timezone.utc),
        "author": "jane-boyd",
        # Categories then tags; 'Uncategorized', the duplicate 'networking' tag and the
        # post format are gone.
        "tags": ["Networking", "Skype", "Twitter"],
        "summary": "A year of tweets, one blog comment and a Skype call.",
        "slug": "small-world",
    }
    quiet, _ = front_matter(stories(imported) / "quiet-post" / "index.md")
    assert quiet["title"] == "A quiet post about “lurking”"
    assert quiet["author"] == "tess"  # "Tess Author" already is a person of the site
    assert "tags" not in quiet and "summary" not in quiet


def test_dates_are_written_in_the_sites_timezone(make_site):
    project = make_site(files={"site.yaml": SITE_YAML.replace("timezone: UTC", "timezone: America/Vancouver")}, stories=())
    assert import_wp(project, WXR12).code == 0
    text = (stories(project) / "small-world" / "index.md").read_text(encoding="utf-8")
    assert "date: 2011-05-18T14:40:00-07:00\n" in text
    snapshot = (stories(project) / "small-world" / "comments.yaml").read_text(encoding="utf-8")
    assert "taken: 2021-11-20T02:15:42-08:00\n" in snapshot  # PST in November
    assert "date: 2011-05-19T01:12:00-07:00\n" in snapshot


def test_markdown_body_of_a_classic_editor_post(imported: Path):
    _, body = front_matter(stories(imported) / "small-world" / "index.md")
    uploads = "https://janeboyd.example/wp-content/uploads/2011/05"
    expected_in_order = [
        "I had followed [@alidavies](https://twitter.com/alidavies) on Twitter for a year before we ever spoke.",
        # [caption]: the image (kept as a link to its original URL) and an italic caption line.
        f"![Two coffee cups on a café table]({uploads}/coffee-300x200.jpg)\n\n*Our first coffee in Vancouver*",
        "How it went:\n\n1. A comment here\n2. A reply on Twitter\n   - then direct messages\n3. A **Skype** call",
        "> The world is small when you talk to people.\n>\n> It gets smaller every time you reply.",
        # A bare YouTube URL on its own line and an [embed] become links.
        "<https://www.youtube.com/watch?v=dQw4w9WgXcQ>",
        "<https://twitter.com/alidavies/status/70123456789>",
        # [gallery ids=...] lists the attachments' images, in the order of the ids.
        f"![The Vancouver meet-up crowd]({uploads}/meetup-crowd.jpg) ![name-badges]({uploads}/name-badges.jpg)",
        # An unknown shortcode stays as text, as WordPress shows one that no plugin handles.
        '[column width="50%"]More on that in the next post.[/column]',
        # A site-relative image becomes absolute: the format allows only bundle files or http(s).
        f"![A map of the chain]({uploads}/chain-map.png)",
    ]
    position = 0
    for fragment in expected_in_order:
        found = body.find(fragment, position)
        assert found >= 0, f"{fragment!r} not found in order in:\n{body}"
        position = found + len(fragment)
    assert "[caption" not in body
    assert "<" not in body.replace("<https://", "")  # no raw HTML is left


def test_markdown_body_of_block_editor_and_non_latin_posts(imported: Path):
    _, quiet = front_matter(stories(imported) / "quiet-post" / "index.md")
    assert quiet == (
        "Not every connection starts with a comment. Some start with *reading*.\n\n"
        "![Someone reading on a train](https://janeboyd.example/wp-content/uploads/2013/01/reading.jpg)\n\n"
        "*Reading on the 8:15*\n\n"
        "> Lurkers are future friends.\n>\n> — A reader\n\n"
        "- Read for a month\n- Then say hello\n\n"
        "<https://www.youtube.com/watch?v=abcdefghijk>\n"
    )
    front, body = front_matter(stories(imported) / "post-31" / "index.md")
    assert front["title"] == "Из комментария — в партнёрство"
    assert front["tags"] == ["Партнёрство"]
    assert front["author"] == "marco-rossi"
    assert body == (
        "Марко написал первый комментарий в 2010 году.\n\n"
        "### Что было дальше\n\n"
        "Потом — звонок по Skype, а через год — *совместный проект*.\n\n"
        "日本語のテキストも少しあります。\n"
    )


# --- comments ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_comment_snapshot_is_threaded_and_approved_only(imported: Path):
    snapshot = load(stories(imported) / "small-world" / "comments.yaml")
    assert snapshot["taken"] == datetime(2021, 11, 20, 10, 15, 42, tzinfo=timezone.utc)
    assert snapshot["source"] == "https://janeboyd.example/2011/05/small-world/"
    comments = snapshot["comments"]
    assert [c["id"] for c in comments] == ["wp-101", "wp-102", "wp-103", "wp-104", "wp-109"]
    replies = {c["id"]: c.get("reply_to") for c in comments}
    # Three levels deep: Ali -> Jane -> Ali; and Yulia under Bo.
    assert replies == {"wp-101": None, "wp-102": "wp-101", "wp-103": "wp-102", "wp-104": None, "wp-109": "wp-104"}
    first, reply, third, bo, yulia = comments
    assert first == {
        "id": "wp-101",
        "author": "Ali Davies",
        "person": "ali-davies",
        "url": "https://ali.example/",
        "date": datetime(2011, 5, 19, 8, 12, tzinfo=timezone.utc),
        "body": "I remember that first tweet!\\\nIt was about *Colorado*, of all places.\n\nWe should write this up together.",
    }
    assert reply["person"] == "jane-boyd"  # the post's author answering
    assert third["body"] == "Thursday works. See [my calendar](https://ali.example/calendar)."
    assert bo["body"] == "Same thing happened to me with a LinkedIn group:\n\n- a question\n- an answer\n- a job"
    assert "url" not in bo
    assert yulia["author"] == "Юлия Смирнова" and yulia["person"] == "commenter-109"
    assert yulia["body"] == "Мир тесен! Я познакомилась с мужем в LinkedIn. 世界は狭い。"
    text = (stories(imported) / "small-world" / "comments.yaml").read_text(encoding="utf-8")
    for left_out in ("Cheap Watches", "Pending Pete", "Another Blog", "Linkblog", "roundup"):
        assert left_out not in text


def test_a_post_without_comments_has_no_snapshot(imported: Path):
    assert not (stories(imported) / "quiet-post" / "comments.yaml").exists()


def test_reply_to_a_removed_comment_moves_up_the_thread(make_site, tmp_path: Path):
    # Yulia's approved reply now answers the comment held for moderation (106, under 101):
    # it must hang under 101, the nearest comment that is kept.
    text = WXR12.read_text(encoding="utf-8")
    assert text.count("<wp:comment_parent>104</wp:comment_parent>") == 1
    text = text.replace("<wp:comment_parent>104</wp:comment_parent>", "<wp:comment_parent>106</wp:comment_parent>")
    export = tmp_path / "moved.xml"
    export.write_text(text, encoding="utf-8")
    project = make_site(stories=())
    assert import_wp(project, export).code == 0
    comments = load(stories(project) / "small-world" / "comments.yaml")["comments"]
    assert {c["id"]: c.get("reply_to") for c in comments}["wp-109"] == "wp-101"


# --- privacy -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_no_email_or_ip_address_anywhere_in_content(project: Path):
    for export in (WXR12, WXR11):
        result = import_wp(project, export, "--drafts", "--pages", "--force")
        assert result.code == 0, result.text
    files = tree_bytes(project / "content")
    assert any(name.endswith("comments.yaml") for name in files)
    for name, data in files.items():
        text = data.decode("utf-8")
        for value in PRIVATE_VALUES:
            assert value not in text, f"{value} leaked into content/{name}"
        assert not EMAIL.search(text), f"an e-mail address in content/{name}: {EMAIL.search(text).group(0)}"
        assert not IPV4.search(text), f"an IPv4 address in content/{name}: {IPV4.search(text).group(0)}"
        assert not IPV6.search(text), f"an IPv6 address in content/{name}: {IPV6.search(text).group(0)}"
        for marker in ("SECRET-PRIVATE-MARKER", "PASSWORD-PROTECTED-MARKER", "Secret Sam", "letmein"):
            assert marker not in text, f"{marker} leaked into content/{name}"


def test_the_parser_never_reads_emails_or_ips():
    from generator.importers.wordpress import read_export

    export = read_export(WXR12)
    dumped = repr(export)
    for value in PRIVATE_VALUES:
        assert value not in dumped


# --- people and the story skeleton ---------------------------------------------------------------


@pytest.mark.slow
def test_people_are_appended_without_duplicates(imported: Path):
    text = (imported / "content" / "people.yaml").read_text(encoding="utf-8")
    assert text.startswith(PEOPLE_YAML)  # the author's file is kept byte for byte
    assert "# Imported from WordPress (small-world-wxr12.xml). TODO" in text
    people = yaml.safe_load(text)
    assert list(people) == ["tess", "ann", "bob", "club", "jane-boyd", "ali-davies", "bo-chen", "commenter-109", "marco-rossi"]
    assert people["ali-davies"] == {"name": "Ali Davies", "links": ["https://ali.example/"]}
    assert people["bo-chen"] == {"name": "Bo Chen"}
    assert people["commenter-109"] == {"name": "Юлия Смирнова", "links": ["https://yulia.example/блог/"]}
    # Ann Example commented on post-31: she is the site's existing 'ann', not a new person.
    comment = load(stories(imported) / "post-31" / "comments.yaml")["comments"][0]
    assert comment["person"] == "ann"


def test_a_different_person_with_the_same_id_gets_a_suffix(make_site):
    people = PEOPLE_YAML + "jane-boyd:\n  name: Jane Boyden\n  location: Leeds\n"
    project = make_site(files={"people.yaml": people}, stories=())
    assert import_wp(project, WXR12).code == 0
    loaded = load(project / "content" / "people.yaml")
    assert loaded["jane-boyd"] == {"name": "Jane Boyden", "location": "Leeds"}
    assert loaded["jane-boyd-2"] == {"name": "Jane Boyd"}
    front, _ = front_matter(stories(project) / "small-world" / "index.md")
    assert front["author"] == "jane-boyd-2"


def test_story_skeleton(imported: Path):
    text = (stories(imported) / "small-world" / "story.yaml").read_text(encoding="utf-8")
    assert text.startswith("# TODO: imported from WordPress — describe who met whom")
    assert "ali-davies, bo-chen, commenter-109 (commenters)" in text
    story = load(stories(imported) / "small-world" / "story.yaml")
    assert story == {
        "connections": [
            {
                "between": ["jane-boyd", "ali-davies"],
                "bridge": "content",
                "channels": ["blog-comment"],
                "when": date(2011, 5, 19),
                "summary": 'Ali Davies commented on "How Twitter and Skype made a small world smaller".',
                "stages": ["contact"],
            }
        ]
    }
    quiet = (stories(imported) / "quiet-post" / "story.yaml").read_text(encoding="utf-8")
    assert quiet.startswith("# TODO: imported from WordPress")
    assert load(stories(imported) / "quiet-post" / "story.yaml") == {"connections": []}


# --- safety: existing bundles, dry runs, determinism ---------------------------------------------


@pytest.mark.slow
def test_never_overwrites_without_force(imported: Path):
    story = stories(imported) / "small-world" / "story.yaml"
    story.write_text("# my own story\nconnections: []\n", encoding="utf-8")
    before = tree_bytes(imported / "content")
    again = import_wp(imported, WXR12)
    assert again.code == 0, again.text
    assert "content/stories/small-world already exists (use --force to overwrite)" in again.out
    assert "posts: wrote 0" in again.out and "people: none new" in again.out
    assert tree_bytes(imported / "content") == before
    forced = import_wp(imported, WXR12, "--force")
    assert forced.code == 0, forced.text
    assert "posts: wrote 3 (3 replaced)" in forced.out
    assert story.read_text(encoding="utf-8").startswith("# TODO: imported from WordPress")
    people = (imported / "content" / "people.yaml").read_text(encoding="utf-8")
    assert people.count("ali-davies:") == 1 and people.count("# Imported from WordPress") == 1


@pytest.mark.slow
def test_dry_run_writes_nothing(project: Path):
    before = tree_bytes(project)
    result = import_wp(project, WXR12, "--dry-run", "--drafts", "--pages")
    assert result.code == 0, result.text
    assert tree_bytes(project) == before
    assert "posts: would write 4 (1 draft)" in result.out or "posts: would write 4" in result.out
    assert "people: would add" in result.out
    assert "Dry run: nothing was written." in result.out


@pytest.mark.slow
def test_output_is_deterministic(make_site, tmp_path: Path):
    first = make_site(stories=())
    assert import_wp(first, WXR12, "--drafts", "--pages").code == 0
    snapshot = tree_bytes(first / "content")
    shutil.rmtree(first / "content")
    second = make_site(stories=())
    assert import_wp(second, WXR12, "--drafts", "--pages").code == 0
    assert tree_bytes(second / "content") == snapshot


# --- WXR 1.1 -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_wxr_11_export(project: Path):
    result = import_wp(project, WXR11)
    assert result.code == 0, result.text
    assert "WXR 1.1" in result.out and "left out 1 trashed" in result.out
    front, body = front_matter(stories(project) / "webinar-friends" / "index.md")
    assert front["title"] == "Webinar friends & where they led"
    assert front["author"] == "sam-lee"
    assert front["tags"] == ["Coaching", "webinars"]
    assert front["date"] == datetime(2011, 8, 15, 16, 30, tzinfo=timezone.utc)
    assert "Debra saw my testimonial on a webinar slide.\\\nShe tweeted me about Colorado." in body
    # An old-style caption="..." attribute, a table, a Jetpack [youtube] and a [gallery]
    # without ids (the post's own attachments).
    assert "](http://coachnotes.example/wp-content/uploads/2011/08/team-photo-150x150.jpg)\n\n*The webinar team*" in body
    assert "| Year | Channel |\n| --- | --- |\n| 2010 | Webinar |\n| 2011 | Phone |" in body
    assert "<http://www.youtube.com/watch?v=webinar2010>" in body
    assert "![team-photo](http://coachnotes.example/wp-content/uploads/2011/08/team-photo.jpg)" in body
    assert "Tips\\_for\\_webinars: use \\*real\\* names." in body  # literal text stays literal
    comments = load(stories(project) / "webinar-friends" / "comments.yaml")["comments"]
    assert [(c["id"], c.get("reply_to"), c["person"]) for c in comments] == [
        ("wp-11", None, "debra-kline"),
        ("wp-12", "wp-11", "sam-lee"),
    ]


# --- errors --------------------------------------------------------------------------------------


def test_malformed_xml_reports_line_and_column(project: Path):
    before = tree_bytes(project)
    result = import_wp(project, FIXTURES / "malformed.xml")
    assert result.code == 1
    assert re.search(r"malformed\.xml:12:29: error: malformed XML: mismatched tag\n", result.err), result.err
    assert "Traceback" not in result.text
    assert tree_bytes(project) == before


@pytest.mark.parametrize("attack", ["billion-laughs.xml", "external-entity.xml"])
def test_entity_attacks_are_refused(project: Path, attack: str):
    before = tree_bytes(project)
    result = import_wp(project, FIXTURES / attack, timeout=30)
    assert result.code == 1
    assert f"{attack}:2:1: error: refused a DOCTYPE declaration (a possible entity-expansion" in result.err
    assert "nothing was imported" in result.err
    assert "Traceback" not in result.text and "root:" not in result.text
    assert tree_bytes(project) == before


def test_missing_export_is_a_usage_error(project: Path):
    result = import_wp(project, project / "nope.xml")
    assert result.code == 2
    assert "nope.xml: error: no such file" in result.err


def test_not_a_wordpress_export(project: Path, tmp_path: Path):
    feed = tmp_path / "feed.xml"
    feed.write_text('<?xml version="1.0"?>\n<rss version="2.0"><channel><title>x</title></channel></rss>\n', encoding="utf-8")
    result = import_wp(project, feed)
    assert result.code == 1
    assert "feed.xml: error: not a WordPress export: no <wp:wxr_version> in the channel" in result.err


@pytest.mark.slow
def test_a_new_project_starts_from_the_exports_channel(tmp_path: Path):
    result = run_cli("import", "wordpress", WXR12, cwd=tmp_path)
    assert result.code == 0, result.text
    assert "created content/site.yaml from the export" in result.out
    site = load(tmp_path / "content" / "site.yaml")
    assert site["title"] == "Small World Stories" and site["base_url"].startswith("http")
    assert site["language"] and site["timezone"] == "Etc/GMT+7"  # the posts were dated at UTC-7
    assert (tmp_path / "content" / "people.yaml").is_file()
    check = run_cli("check", "--strict", cwd=tmp_path)
    assert check.code == 0, check.text


def test_a_content_path_that_is_a_file_is_a_usage_error(tmp_path: Path):
    (tmp_path / "content").write_text("not a folder", encoding="utf-8")
    result = run_cli("import", "wordpress", WXR12, cwd=tmp_path)
    assert result.code == 2
    assert "content: error: not a folder" in result.err


def test_no_source_is_a_usage_error(project: Path):
    result = run_cli("import", cwd=project)
    assert result.code == 2 and "name a source" in result.err


# --- the imported content builds ------------------------------------------------------------------


@pytest.mark.slow
def test_imported_content_checks_strict_clean(imported: Path):
    result = run_cli("check", "--strict", cwd=imported)
    assert result.code == 0, result.text
    assert result.err == ""
    # The story nobody commented on is a valid story still being written.
    assert "connections: []" in (stories(imported) / "quiet-post/story.yaml").read_text(encoding="utf-8")


@pytest.mark.slow
def test_imported_content_checks_strict_with_drafts_and_pages(project: Path):
    for export in (WXR12, WXR11):
        assert import_wp(project, export, "--drafts", "--pages").code == 0
    result = run_cli("check", "--strict", cwd=project)
    assert result.code == 0, result.text
    assert result.err == ""


@pytest.mark.slow
def test_built_pages_render_the_comment_snapshots(imported: Path):
    result = run_cli("build", cwd=imported)
    assert result.code == 0, result.text
    page = (imported / "site" / "stories" / "small-world" / "index.html").read_text(encoding="utf-8")
    assert "5 comments" in page
    for author in ("Ali Davies", "Jane Boyd", "Bo Chen", "Юлия Смирнова"):
        assert author in page
    for text in ("We should write this up together.", "Agreed. Skype on Thursday?", "Мир тесен!", "a job"):
        assert text in page
    # Remote images stay links to their original URLs (the site never loads third-party files).
    assert 'href="https://janeboyd.example/wp-content/uploads/2011/05/coffee-300x200.jpg">Two coffee cups' in page
    other = (imported / "site" / "stories" / "post-31" / "index.html").read_text(encoding="utf-8")
    assert "1 comment" in other and "Прекрасная история." in other
    for name, data in tree_bytes(imported / "site").items():
        text = data.decode("utf-8", errors="replace")
        for value in PRIVATE_VALUES:
            assert value not in text, f"{value} leaked into site/{name}"


# --- the converter on its own --------------------------------------------------------------------


def test_shortcodes_and_escapes():
    from generator.importers.markdown_convert import html_to_markdown

    converted = html_to_markdown(
        "[[gallery]] is how you write a shortcode. [sic]\n\n"
        '[audio mp3="https://cdn.example/talk.mp3"][/audio]\n\n'
        "2011. A good year.\n- not a list\n\n"
        '<p><img src="data:image/png;base64,AAAA" alt="inline data"></p>'
        '<iframe src="https://www.youtube.com/embed/XYZ123"></iframe>'
        "[unknown_thing a=1]kept[/unknown_thing]",
        base_url="https://blog.example/post/",
    )
    assert converted.markdown == (
        "[gallery] is how you write a shortcode. [sic]\n\n"
        "<https://cdn.example/talk.mp3>\n\n"
        "2011\\. A good year.\\\n\\- not a list\n\n"
        "inline data\n\n"
        "<https://www.youtube.com/watch?v=XYZ123>\n\n"
        "[unknown\\_thing a=1]kept[/unknown\\_thing]\n"
    )
    assert converted.unknown_shortcodes == ("unknown_thing",)


def test_snapshot_dates_are_timezone_aware(imported: Path):
    snapshot = load(stories(imported) / "post-31" / "comments.yaml")
    moment = snapshot["comments"][0]["date"]
    assert moment.utcoffset() == timedelta(0) and moment == datetime(2012, 3, 16, 9, 0, tzinfo=timezone.utc)


@pytest.mark.slow
def test_people_are_matched_by_a_map_or_exact_name_and_shown_under_their_own(project: Path, tmp_path: Path):
    mapping = tmp_path / "people-map.yaml"
    mapping.write_text('"Ali Davies": bob\n', encoding="utf-8")
    result = import_wp(project, WXR12, "--people-map", mapping)
    assert result.code == 0, result.text
    snapshot = load(stories(project) / "small-world" / "comments.yaml")
    ali = [c for c in snapshot["comments"] if c["author"] == "Ali Davies"]
    assert ali and all(c["person"] == "bob" for c in ali)  # mapped, and still shown as "Ali Davies"
    people = load(project / "content" / "people.yaml")
    assert "ali-davies" not in people and people["bob"]["name"] == "Bob Example"
    page = run_cli("build", cwd=project)
    assert page.code == 0, page.text
    html = (project / "site" / "stories" / "small-world" / "index.html").read_text(encoding="utf-8")
    assert ">Ali Davies</a>" in html or ">Ali Davies<" in html
    assert ">Bob Example</a>" not in html.split('class="snapshot"', 1)[1]


def test_a_people_map_naming_an_unknown_person_is_an_error_with_its_position(project: Path, tmp_path: Path):
    mapping = tmp_path / "people-map.yaml"
    mapping.write_text('"Ali Davies": bobb\n', encoding="utf-8")
    result = import_wp(project, WXR12, "--people-map", mapping)
    assert result.code == 1
    assert "people-map.yaml:1:15: error: unknown person 'bobb'" in result.err
    assert not stories(project).exists() or not any(stories(project).iterdir())
