"""Every kind of bad input gets a positioned, helpful error, exit 1, and leaves site/ alone."""

from __future__ import annotations


import pytest

from conftest import PEOPLE_YAML, run_cli, story_files, tree_bytes

GOOD_STORY = story_files("first")


def _replace(relative: str, old: str, new: str) -> dict[str, str]:
    text = GOOD_STORY[relative] if relative in GOOD_STORY else None
    assert text is not None and old in text, f"fixture text {old!r} not in {relative}"
    return {relative: text.replace(old, new, 1)}


POST = "stories/first/index.md"
STORY = "stories/first/story.yaml"
COMMENTS = "stories/first/comments.yaml"

# (id, files to change, expected "path:line:column", expected words in the message, expected hint words)
CASES = [
    ("malformed-yaml", {STORY: "connections:\n  - between: [tess, ann\n    stages: [contact]\n"},
     "content/stories/first/story.yaml:3:", "invalid YAML", "indentation"),
    ("malformed-front-matter", {POST: "---\ntitle: [unclosed\ndate: 2020-01-02\nauthor: tess\n---\nBody\n"},
     "content/stories/first/index.md:3:", "invalid YAML", ""),
    ("front-matter-not-closed", {POST: "---\ntitle: Hi\ndate: 2020-01-02\nauthor: tess\nBody\n"},
     "content/stories/first/index.md:1:1", "must start with front matter", "---"),
    ("missing-required-field", {POST: "---\ntitle: No date\nauthor: tess\n---\nBody\n"},
     "content/stories/first/index.md:2:1", "missing the required key 'date'", "add 'date"),
    ("wrong-type", _replace(STORY, "stages: [contact, conversation]", "stages: [contact, conversation]\n    met_in_person: sometimes"),
     "content/stories/first/story.yaml:7:20", "expected true or false", ""),
    ("unknown-key", {POST: "---\ntitle: Hi\ndate: 2020-01-02\nauthor: tess\ntagz: [a]\n---\nBody\n"},
     "content/stories/first/index.md:5:1", "unknown key 'tagz'", "did you mean 'tags'?"),
    ("unknown-person", _replace(STORY, "between: [ann, bob]", "between: [ann, bobb]"),
     "content/stories/first/story.yaml:7:20", "unknown person 'bobb'", "did you mean 'bob'?"),
    ("unknown-author", {POST: "---\ntitle: Hi\ndate: 2020-01-02\nauthor: tes\n---\nBody\n"},
     "content/stories/first/index.md:4:9", "unknown person 'tes'", "did you mean 'tess'?"),
    ("unknown-channel", _replace(STORY, "channels: [twitter]", "channels: [twiter]"),
     "content/stories/first/story.yaml:5:16", "unknown channel 'twiter'", "did you mean 'twitter'?"),
    ("unknown-stage", _replace(STORY, "stages: [contact, conversation]", "stages: [contact, chat]"),
     "content/stories/first/story.yaml:6:23", "unknown stage 'chat'", ""),
    ("bad-date", {POST: "---\ntitle: Hi\ndate: 2020-13-45\nauthor: tess\n---\nBody\n"},
     "content/stories/first/index.md:3:7", "'2020-13-45' is not a date", "YYYY-MM-DD"),
    ("bad-when-date", _replace(STORY, "when: for 2-3 years", "when: 2011-02-30"),
     "content/stories/first/story.yaml:8:11", "'2011-02-30' is not a date", "for 2-3 years"),
    ("reply-to-missing-comment", _replace(COMMENTS, "reply_to: first", "reply_to: firts"),
     "content/stories/first/comments.yaml:10:15", "reply_to 'firts': no comment in this file has that id", "first"),
    ("image-path-escapes", {POST: "---\ntitle: Hi\ndate: 2020-01-02\nauthor: tess\n---\nText\n\n![secret](../../site.yaml)\n"},
     "content/stories/first/index.md:8:1", "image '../../site.yaml' leaves the story's folder", ""),
    ("cover-path-escapes", {POST: "---\ntitle: Hi\ndate: 2020-01-02\nauthor: tess\ncover: /etc/passwd\ncover_alt: x\n---\nBody\n"},
     "content/stories/first/index.md:5:8", "cover image '/etc/passwd' leaves the story's folder", ""),
    ("slug-escapes", {POST: "---\ntitle: Hi\ndate: 2020-01-02\nauthor: tess\nslug: ../../etc\n---\nBody\n"},
     "content/stories/first/index.md:5:7", "'../../etc' is not a valid id", ""),
    ("between-needs-two", _replace(STORY, "between: [ann, bob]", "between: [ann]"),
     "content/stories/first/story.yaml:7:14", "'between' names two people", ""),
    ("meeting-but-never-met", _replace(STORY, "stages: [contact, conversation]", "stages: [contact, meeting]\n    met_in_person: false"),
     "content/stories/first/story.yaml:7:20", "met_in_person is false, but a stage is 'meeting'", ""),
    ("javascript-url", {"people.yaml": "tess:\n  name: Tess\n  links: ['javascript:alert(1)']\nann: {name: Ann}\nbob: {name: Bob}\nclub: {name: Club, kind: community}\n"},
     "content/people.yaml:3:11", "expected an http:// or https:// URL", ""),
    ("site-yaml-missing-title", {"site.yaml": "author: A\nbase_url: https://example.com/\n"},
     "content/site.yaml:1:1", "missing the required key 'title'", ""),
    ("bad-timezone", {"site.yaml": "title: T\nauthor: A\nbase_url: https://example.com/\ntimezone: Mars/Olympus\n"},
     "content/site.yaml:4:11", "unknown timezone 'Mars/Olympus'", "IANA"),
]


@pytest.mark.parametrize(("case_id", "files", "where", "message", "hint"), CASES, ids=[case[0] for case in CASES])
def test_check_reports_bad_input_with_its_position_and_a_hint(make_site, case_id, files, where, message, hint):
    """The fast run's share of the cases below: one ``check``, no build."""
    project = make_site(files)
    checked = run_cli("check", cwd=project)
    assert checked.code == 1, checked.text
    assert where in checked.err and message in checked.err, checked.err
    if hint:
        assert "hint:" in checked.err and hint in checked.err, checked.err
    assert "Traceback" not in checked.text
    assert not (project / "site").exists()  # check writes nothing


@pytest.mark.slow
@pytest.mark.parametrize(("case_id", "files", "where", "message", "hint"), CASES, ids=[case[0] for case in CASES])
def test_bad_input_is_reported_with_position_and_site_is_untouched(make_site, case_id, files, where, message, hint):
    project = make_site()
    first = run_cli("build", cwd=project)
    assert first.code == 0, first.text
    before = tree_bytes(project / "site")
    make_site(files)

    result = run_cli("build", cwd=project)

    assert result.code == 1, result.text
    assert where in result.err, result.err
    assert message in result.err, result.err
    if hint:
        assert "hint:" in result.err and hint in result.err, result.err
    assert "Traceback" not in result.text
    assert tree_bytes(project / "site") == before, "a failed build changed site/"
    # check reports the same problem and writes nothing
    checked = run_cli("check", cwd=project)
    assert checked.code == 1 and where in checked.err and message in checked.err, checked.text


def test_duplicate_slug(make_site):
    project = make_site(stories=("first", "second"))
    make_site({"stories/second/index.md": "---\ntitle: Two\ndate: 2020-01-02\nauthor: tess\nslug: first\n---\nBody\n"})
    result = run_cli("check", cwd=project)
    assert result.code == 1
    assert "content/stories/second/index.md:5:7: error: slug 'first' is already used by content/stories/first/index.md" in result.err


def test_file_that_is_not_utf8(make_site):
    project = make_site()
    (project / "content/stories/first/story.yaml").write_bytes(b"connections:\n  - between: [tess, \xff\xfe]\n")
    result = run_cli("check", cwd=project)
    assert result.code == 1
    assert "content/stories/first/story.yaml:2:21: error: file is not valid UTF-8 text" in result.err
    assert "Traceback" not in result.text


def test_check_reports_every_error_in_one_run(make_site):
    project = make_site(stories=("first", "second"))
    make_site({
        "stories/first/index.md": "---\ntitle: Hi\ndate: yesterday\nauthor: tess\n---\nBody\n",
        "stories/second/story.yaml": "connections:\n  - between: [tess, nobody]\n    channels: [carrier-pigeon]\n    stages: [contact]\n",
        "stories/second/comments.yaml": "taken: 2020-01-01\nsource: https://x.example/\ncomments:\n  - author: A\n    date: 2020-01-01\n    body: hi\n    reply_to: ghost\n",
        "people.yaml": PEOPLE_WITH_TYPO,
    })
    result = run_cli("check", cwd=project)
    assert result.code == 1
    expected = [
        "content/people.yaml:3:3: error: unknown key 'nmae'",
        "content/stories/first/index.md:3:7: error: 'yesterday' is not a date",
        "content/stories/second/story.yaml:2:21: error: unknown person 'nobody'",
        "content/stories/second/story.yaml:3:16: error: unknown channel 'carrier-pigeon'",
        "content/stories/second/comments.yaml:7:15: error: reply_to 'ghost'",
    ]
    for line in expected:
        assert line in result.err, result.err
    assert "check failed: 5 errors" in result.err


PEOPLE_WITH_TYPO = PEOPLE_YAML.replace("  name: Tess Author\n", "  name: Tess Author\n  nmae: Tess\n")


@pytest.mark.slow
def test_template_error_names_the_template_and_line(make_site, tmp_path):
    project = make_site()
    from conftest import override

    override(project, "tag.html", "archive.html")
    tag = project / "templates" / "tag.html"
    tag.write_text(tag.read_text().replace("{% block content %}", "{% block content %}\n{{ no_such_variable }}", 1))
    result = run_cli("build", cwd=project)
    assert result.code == 1
    assert "templates/tag.html:3:1: error: error while rendering tags/testing/index.html: 'no_such_variable' is undefined" in result.err
    syntax = project / "templates" / "archive.html"
    syntax.write_text("{% extends 'base.html' %}\n{% block content %}\n{% for x in %}\n{% endblock %}\n")
    result = run_cli("check", cwd=project)
    assert result.code == 1 and "templates/archive.html:3:1: error: template syntax error" in result.err, result.err
    assert "Traceback" not in result.text


def test_missing_content_folder_is_clear(tmp_path):
    result = run_cli("build", cwd=tmp_path)
    assert result.code == 1
    assert "content: error: content folder not found" in result.err


@pytest.mark.slow
def test_story_without_connections_yet_is_valid_and_says_so(make_site):
    project = make_site({STORY: "# to be completed\nconnections: []\n"})
    result = run_cli("check", "--strict", cwd=project)
    assert result.code == 0, result.text
    assert run_cli("build", cwd=project).code == 0
    assert "This story has no connections yet." in (project / "site/stories/first/index.html").read_text()
    missing = make_site({STORY: "people: {}\n"})
    result = run_cli("check", cwd=missing)
    assert result.code == 1 and "story.yaml:1:1: error: story.yaml is missing the required key 'connections'" in result.err


@pytest.mark.slow
def test_missing_local_image_is_a_warning_and_strict_error(make_site):
    project = make_site({POST: "---\ntitle: Hi\ndate: 2020-01-02\nauthor: tess\n---\n![a photo](photo.jpg)\n"})
    result = run_cli("build", cwd=project)
    assert result.code == 0, result.text
    assert "content/stories/first/index.md:6:1: warning: image 'photo.jpg' is not in the story's folder" in result.err
    assert run_cli("check", "--strict", cwd=project).code == 1


def test_links_to_missing_stories_people_and_tags_are_errors_with_their_position(make_site):
    body = ("See [the other one](../second/) and [a missing one](../secnod/) and [absolute](/stories/nope/)"
            " and [another site's](https://example.org/stories/gone/).\n\n"
            "Ask [Ann](../../people/ann/) or [Anne](../../people/anne/); more [on testing](/repo/tags/testing/)"
            " and [on tests](../../tags/tests/).\n")
    project = make_site({POST: f"---\ntitle: Hi\ndate: 2020-01-02\nauthor: tess\ntags: [testing]\n---\n{body}"},
                        stories=("first", "second"))
    for command in ("check", "build"):
        result = run_cli(command, cwd=project)
        assert result.code == 1, result.text
        assert "content/stories/first/index.md:7:53: error: link '../secnod/' points at a story that does not exist" in result.err
        assert "did you mean 'second'?" in result.err
        assert "index.md:7:80: error: link '/stories/nope/' points at a story that does not exist" in result.err
        assert "index.md:9:40: error: link '../../people/anne/' points at a person that does not exist" in result.err
        assert "did you mean 'ann'?" in result.err
        assert "index.md:9:115: error: link '../../tags/tests/' points at a tag that does not exist" in result.err
        assert "'../second/'" not in result.err and "gone" not in result.err and "'../../people/ann/'" not in result.err
        assert "/repo/tags/testing/" not in result.err


@pytest.mark.slow
def test_links_that_loop_are_content_errors_or_ignored_never_a_crash(make_site):
    project = make_site()
    content = project / "content"
    (content / "self").symlink_to(content / "self")  # outside stories/: not content, not read
    assert run_cli("build", cwd=project).code == 0
    (content / "stories/looping").symlink_to(content / "stories/looping")
    for command in ("check", "build"):
        result = run_cli(command, cwd=project)
        assert result.code == 1, result.text
        assert "content/stories/looping: error: this story folder cannot be opened (Too many levels of symbolic links)" in result.err
        assert "Traceback" not in result.text and "could not write" not in result.text


@pytest.mark.slow
@pytest.mark.parametrize("what", ["bundle", "post", "asset"])
def test_symlinks_out_of_the_content_folder_are_refused(make_site, tmp_path, what):
    project = make_site()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes(b"\x89PNG secret")
    (outside / "index.md").write_text("---\ntitle: Secret\ndate: 2020-01-02\nauthor: tess\n---\nsecret\n")
    stories = project / "content/stories"
    if what == "bundle":
        (stories / "linked").symlink_to(outside, target_is_directory=True)
        where = "content/stories/linked: error: this story folder links outside the content folder"
    elif what == "post":
        (stories / "first/index.md").unlink()
        (stories / "first/index.md").symlink_to(outside / "index.md")
        where = "content/stories/first/index.md: error: this link points outside the content folder"
    else:
        (stories / "first/photo.png").symlink_to(outside / "secret.png")
        where = "content/stories/first/photo.png: error: this link points outside the content folder"
    result = run_cli("build", cwd=project)
    assert result.code == 1, result.text
    assert where in result.err
    assert not (project / "site").exists() or b"secret" not in b"".join(tree_bytes(project / "site").values())
