"""Hostile or careless content: active images, pipes, odd ids and tags, misplaced positions, odd shapes."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import run_cli

CLEAN_SVG = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">
  <defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>
  <rect width="10" height="10" fill="url(#g)" style="stroke:url(#g)"/>
  <use xlink:href="#g"/>
</svg>
"""

ACTIVE_SVGS = {
    "script": ('<svg xmlns="http://www.w3.org/2000/svg">\n  <script>alert(document.domain)</script>\n</svg>\n', 2, 3),
    "event handler": ('<svg xmlns="http://www.w3.org/2000/svg">\n<rect onclick="alert(1)"/>\n</svg>\n', 2, 1),
    "foreignObject": ('<svg xmlns="http://www.w3.org/2000/svg">\n<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">'
                      '<img src="x" onerror="alert(1)"/></p></foreignObject></svg>\n', 2, 1),
    "external reference": ('<svg xmlns="http://www.w3.org/2000/svg">\n<image href="https://tracker.example/p.png"/></svg>\n',
                           2, 1),
    "javascript link": ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n'
                        '<a xlink:href=" JaVa&#x0A;Script:alert(1)"><text>x</text></a></svg>\n', 2, 1),
    "external stylesheet": ('<svg xmlns="http://www.w3.org/2000/svg">\n<style>@import url(//evil.example/x.css);</style>'
                            '</svg>\n', 2, 8),
    "entity expansion": ('<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n'
                         '<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>\n', 2, 1),
    "animated link": ('<svg xmlns="http://www.w3.org/2000/svg">\n<a><set attributeName="href" to="javascript:alert(1)"/>'
                      '<text>x</text></a></svg>\n', 2, 4),
}


def _errors(text: str) -> list[str]:
    return [line for line in text.splitlines() if ": error: " in line]


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(ACTIVE_SVGS))
def test_an_svg_with_active_content_is_refused_where_it_is(make_site, kind):
    svg, line, column = ACTIVE_SVGS[kind]
    project = make_site(files={"stories/first/evil.svg": svg, "stories/first/ok.svg": CLEAN_SVG})
    for command in ("check", "build"):
        result = run_cli(command, cwd=project)
        assert result.code == 1, result.text
        assert "Traceback" not in result.text
        errors = _errors(result.err)
        assert errors and all("evil.svg" in error for error in errors), result.err
        assert errors[0].startswith(f"content/stories/first/evil.svg:{line}:"), errors[0]
    assert not (project / "site").exists()


@pytest.mark.slow
def test_a_plain_svg_is_copied_as_it_is(make_site):
    project = make_site(files={"stories/first/ok.svg": CLEAN_SVG})
    assert run_cli("build", cwd=project).code == 0
    assert (project / "site/stories/first/ok.svg").read_text() == CLEAN_SVG


@pytest.mark.parametrize("name, data", [
    ("photo.jpg", b"<html><script>alert(1)</script></html>"),
    ("photo.png", b"GIF89a\x01\x00\x01\x00"),
    ("clip.mp4", b"<svg onload=alert(1)>"),
    ("paper.pdf", b"<!doctype html><script>alert(1)</script>"),
])
@pytest.mark.slow
def test_a_file_that_is_not_what_its_extension_says_is_refused(make_site, name, data):
    project = make_site()
    (project / "content/stories/first" / name).write_bytes(data)
    result = run_cli("check", cwd=project)
    assert result.code == 1
    assert f"content/stories/first/{name}: error: this file is not" in result.err


@pytest.mark.slow
def test_real_images_pass_their_check(make_site):
    project = make_site()
    folder = project / "content/stories/first"
    (folder / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(24))
    (folder / "b.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(28))
    (folder / "c.gif").write_bytes(b"GIF89a" + bytes(26))
    (folder / "d.webp").write_bytes(b"RIFF\x00\x00\x00\x00WEBPVP8 " + bytes(16))
    assert run_cli("build", cwd=project).code == 0
    assert (project / "site/stories/first/d.webp").is_file()


@pytest.mark.parametrize("where", ["content/stories/first/index.md", "content/stories/first/comments.yaml",
                                   "content/people.yaml", "content/stories/first/photo.png", "templates/tags.html"])
@pytest.mark.slow
def test_a_named_pipe_is_a_content_error_and_never_blocks(make_site, where):
    project = make_site()
    if where.startswith("templates/"):
        (project / "templates").mkdir()
    path = project / where
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    for command in ("check", "build"):
        result = run_cli(command, cwd=project, timeout=60)
        assert result.code == 1, result.text
        assert f"{where}: error: " in result.err and "named pipe (FIFO), not a regular file" in result.err
        assert "Traceback" not in result.text


def test_a_socket_in_a_story_folder_is_a_content_error(make_site, tmp_path):
    import socket

    project = make_site()
    with socket.socket(socket.AF_UNIX) as sock:
        os.chdir(project / "content/stories/first")  # a socket path must be short
        try:
            sock.bind("talk.mp3")
        finally:
            os.chdir(tmp_path)
        result = run_cli("check", cwd=project, timeout=60)
    assert result.code == 1
    assert "content/stories/first/talk.mp3: error: this is a socket, not a regular file" in result.err


@pytest.mark.parametrize("front, fragment", [
    ('slug: "first-story\\n"', "is not a valid id"),
    ("slug: " + "a" * 101, "ids and slugs may have at most 100"),
    ('author: "tess\\n"', "is not a valid id"),
])
@pytest.mark.slow
def test_ids_and_slugs_are_checked_whole_and_for_length(make_site, front, fragment):
    index = f"---\ntitle: T\ndate: 2020-01-02\nauthor: tess\n{front}\n---\nBody.\n"
    if front.startswith("author"):
        index = f"---\ntitle: T\ndate: 2020-01-02\n{front}\n---\nBody.\n"
    project = make_site(files={"stories/first/index.md": index})
    for command in ("check", "build"):
        result = run_cli(command, cwd=project)
        assert result.code == 1 and fragment in result.err, result.text
        assert "index.md:5:" in result.err or "index.md:4:" in result.err
    assert not (project / "site").exists()


def test_a_story_folder_too_long_for_a_file_name_fails_check_not_build(make_site):
    long_slug = "a" * 240
    project = make_site(stories=("first", long_slug))
    result = run_cli("check", cwd=project)
    assert result.code == 1
    assert f"content/stories/{long_slug}/index.md:1:1: error: the folder name is not a valid slug" in result.err


def test_a_person_id_with_a_line_break_is_refused(make_site):
    project = make_site(files={"people.yaml": '"ann\\n":\n  name: Ann\ntess:\n  name: Tess\nbob:\n  name: Bob\n'
                                              'club:\n  name: Club\n  kind: community\n'})
    result = run_cli("check", cwd=project)
    assert result.code == 1
    assert "content/people.yaml:1:1: error: 'ann\\n' is not a valid id" in result.err


def _tagged(tags: str) -> str:
    return f"---\ntitle: T\ndate: 2020-01-02\nauthor: tess\ntags: {tags}\n---\nBody.\n"


@pytest.mark.slow
def test_tags_that_differ_in_punctuation_get_their_own_pages(make_site):
    project = make_site(stories=("first", "second"), files={"stories/first/index.md": _tagged("[C++, Small World]"),
                                                          "stories/second/index.md": _tagged("[C#, small-world]")})
    result = run_cli("build", cwd=project)
    assert result.code == 0, result.text
    tags = project / "site/tags"
    assert "C++" in (tags / "c-plus-plus/index.html").read_text()
    assert "C#" in (tags / "c-sharp/index.html").read_text()
    # Case and hyphens aside, the same tag: one page with both stories.
    page = (tags / "small-world/index.html").read_text()
    assert "Story first" in page or "first" in page
    assert page.count('href="/repo/stories/') >= 2


@pytest.mark.slow
def test_tags_in_other_scripts_get_a_page_each(make_site):
    project = make_site(stories=("first", "second"), files={"stories/first/index.md": _tagged("[Партнёрство, 社交]"),
                                                          "stories/second/index.md": _tagged("[Дружба, партнёрство]")})
    assert run_cli("build", cwd=project).code == 0
    pages = {path.parent.name: path.read_text() for path in (project / "site/tags").glob("*/index.html")}
    named = {name: next(tag for tag in ("партнёрство", "社交", "дружба") if tag in text.lower()) for name, text in pages.items()}
    assert sorted(named.values()) == sorted(["партнёрство", "社交", "дружба"])
    assert all(re.fullmatch(r"[a-z0-9-]+", name) for name in named)


def test_tags_that_would_share_a_page_are_a_reported_collision(make_site):
    project = make_site(stories=("first", "second"), files={"stories/first/index.md": _tagged("[node.js]"),
                                                          "stories/second/index.md": _tagged("[nodejs, node js]")})
    result = run_cli("check", cwd=project)
    assert result.code == 1
    assert ("content/stories/second/index.md:5:16: error: tag 'node js' and tag 'node.js' "
            "(in content/stories/first/index.md) would share one page, tags/node-js/") in result.err


def test_a_tag_too_long_to_name_a_page_is_refused(make_site):
    project = make_site(files={"stories/first/index.md": _tagged("[" + "x" * 150 + "]")})
    result = run_cli("check", cwd=project)
    assert result.code == 1 and "is too long" in result.err and "index.md:5:" in result.err


@pytest.mark.slow
def test_tags_of_punctuation_alone_get_a_page_each(make_site):
    project = make_site(files={"stories/first/index.md": _tagged("['!!!', '???']")})
    assert run_cli("build", cwd=project).code == 0
    pages = sorted((project / "site/tags").glob("tag-*/index.html"))
    assert len(pages) == 2 and "!!!" in "".join(page.read_text() for page in pages)


@pytest.mark.slow
def test_an_unknown_person_in_a_comment_points_at_that_value(make_site):
    comments = ("taken: 2020-01-05\nsource: https://old.example/post\ncomments:\n  - id: first\n    author: Ann\n"
                "    date: 2020-01-03\n    person: annn\n    body: Lovely.\n")
    project = make_site(files={"stories/first/comments.yaml": comments})
    result = run_cli("check", cwd=project)
    assert result.code == 1
    assert "content/stories/first/comments.yaml:7:13: error: unknown person 'annn'" in result.err


@pytest.mark.slow
@pytest.mark.parametrize("command", ["check", "build"])
def test_a_yaml_syntax_error_is_shown_alone_first_with_a_code_frame(make_site, command):
    story = "connections:\n  - between: [tess, ann\n    stages: [contact]\n"
    project = make_site(files={"stories/first/story.yaml": story})
    result = run_cli(command, cwd=project)
    assert result.code == 1
    story_errors = [line for line in _errors(result.err) if "story.yaml" in line]
    assert len(story_errors) == 1 and "must be a mapping" not in result.err
    assert story_errors[0] == _errors(result.err)[0]
    match = re.search(r"story\.yaml:(\d+):(\d+): error: invalid YAML", result.err)
    line, column = int(match.group(1)), int(match.group(2))
    frame = result.err.splitlines()
    at = next(number for number, text in enumerate(frame) if "invalid YAML" in text)
    source_line = story.splitlines()[line - 1]
    assert frame[at + 1] == f"    {line} | {source_line}"
    assert frame[at + 2] == f"    {' ' * len(str(line))} | {' ' * (column - 1)}^"


@pytest.mark.parametrize("story, fragment", [
    ("connections:\n  - between: [tess, ann]\n    channels: twitter\n    stages: [contact]\n",
     "story.yaml:3:15: error: expected a list, found 'twitter'"),
    ("connections:\n  - between: [tess, ann]\n    via: club\n    stages: [contact]\n",
     "story.yaml:3:10: error: expected a list, found 'club'"),
    ("connections:\n  - between: [tess, !person ann]\n    stages: [contact]\n",
     "story.yaml:2:21: error: unknown YAML tag '!person'"),
    ("connections: !!python/object:os.system\n  - x\n", "story.yaml:1:14: error: unknown YAML tag"),
])
@pytest.mark.slow
def test_shapes_the_format_does_not_define_are_errors(make_site, story, fragment):
    project = make_site(files={"stories/first/story.yaml": story})
    result = run_cli("check", cwd=project)
    assert result.code == 1
    assert fragment in result.err, result.err


@pytest.mark.slow
def test_new_refuses_an_author_that_is_not_a_known_id(make_site):
    project = make_site()
    for author in ("nobody", "Tess Author", "tess\n"):
        result = run_cli("new", "Hello", "--author", author, cwd=project)
        assert result.code == 2, result.text
        assert "--author" in result.err
        assert not (project / "content/stories/hello").exists()
    assert run_cli("new", "Hello", "--author", "ann", cwd=project).code == 0
    assert run_cli("check", cwd=project).code == 0


@pytest.mark.slow
@pytest.mark.parametrize("out", ["content/site", "content/stories/out", "templates/out", "content"])
def test_an_output_folder_overlapping_content_or_templates_is_refused(make_site, out):
    project = make_site()
    (project / "templates").mkdir()
    (project / "templates/index.html").write_text("x")
    result = run_cli("build", "--out", out, "--templates", "templates", cwd=project)
    assert result.code == 2, result.text
    assert "refusing to use" in result.err
    assert run_cli("check", "--templates", "templates", cwd=project).code in (0, 1)
    assert not (project / "content/site").exists() and not (project / "templates/out").exists()


def test_deeply_nested_markdown_is_a_positioned_error(make_site):
    body = "Intro.\n\n" + "> " * 50_000 + "deep\n"
    project = make_site(files={"stories/first/index.md": f"---\ntitle: T\ndate: 2020-01-02\nauthor: tess\n---\n{body}"})
    result = run_cli("check", cwd=project)
    assert result.code == 1 and "Traceback" not in result.text
    assert "content/stories/first/index.md:8:1: error: quotes, lists or emphasis are nested more than" in result.err


def test_a_deeply_nested_comment_is_a_positioned_error(make_site):
    comments = ("taken: 2020-01-05\nsource: https://old.example/post\ncomments:\n  - author: Ann\n    date: 2020-01-03\n"
                "    body: |\n      fine\n      " + "- " * 5_000 + "x\n")
    project = make_site(files={"stories/first/comments.yaml": comments})
    result = run_cli("check", cwd=project)
    assert result.code == 1 and "Traceback" not in result.text
    assert "content/stories/first/comments.yaml:8:1: error: this comment nests" in result.err


def test_deeply_nested_yaml_is_a_positioned_error(make_site):
    story = "connections:\n  - between: " + "[" * 500 + "]" * 500 + "\n"
    project = make_site(files={"stories/first/story.yaml": story})
    result = run_cli("check", cwd=project)
    assert result.code == 1 and "Traceback" not in result.text
    assert re.search(r"story\.yaml:2:\d+: error: values are nested more than 100 levels deep", result.err)
