"""markdown.py: post and comment bodies become safe HTML that loads nothing from elsewhere."""

from __future__ import annotations

import pytest

from generator.markdown import is_remote, render_comment, render_post


def test_a_post_renders_commonmark_with_tables_footnotes_and_strikethrough():
    html = render_post(
        "## A heading\n\nSome *emphasis* and ~~old~~ text.[^1]\n\n"
        "| a | b |\n| - | - |\n| 1 | 2 |\n\n[^1]: A footnote.\n"
    ).html
    assert '<h2 id="a-heading">A heading</h2>' in html
    assert "<em>emphasis</em>" in html and "<s>old</s>" in html
    assert "<table>" in html and "<td>1</td>" in html
    assert 'class="footnotes' in html and "A footnote." in html



def comment_html(text: str) -> str:
    """A comment's HTML, for a body shallow enough that no nesting limit was reached."""
    html, too_deep = render_comment(text)
    assert too_deep is None
    return html


def test_raw_html_in_a_post_is_shown_as_text():
    html = render_post('<script>alert(1)</script>\n\nText with <b onclick="x()">bold</b>.').html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b onclick" not in html and "&lt;b onclick" in html


@pytest.mark.parametrize("target", ["javascript:alert(1)", "vbscript:msgbox(1)", "data:text/html;base64,PHNjcmlwdD4="])
def test_dangerous_link_schemes_are_not_made_links(target):
    for html in (render_post(f"[click]({target})").html, comment_html(f"[click]({target})")):
        assert "<a " not in html
        assert "href" not in html


def test_local_images_are_images_and_remote_ones_are_links():
    rendered = render_post("![A cat](cat.jpg)\n\n![A dog](https://elsewhere.example/dog.jpg)\n")
    assert '<img src="cat.jpg" alt="A cat" loading="lazy">' in rendered.html
    assert '<a class="remote-image" href="https://elsewhere.example/dog.jpg">A dog</a>' in rendered.html
    assert "<img src=\"https" not in rendered.html
    assert [(image.src, image.line) for image in rendered.images] == [("cat.jpg", 0), ("https://elsewhere.example/dog.jpg", 2)]


def test_image_text_is_escaped():
    html = render_post('![a "quoted" <alt>](pic.png "a <title>")').html
    assert 'alt="a &quot;quoted&quot; &lt;alt&gt;"' in html
    assert 'title="a &lt;title&gt;"' in html


def test_the_first_paragraph_is_plain_text():
    rendered = render_post("# Title\n\nThe *first* paragraph with `code`\nover two lines.\n\nThe second.\n")
    assert rendered.first_paragraph == "The first paragraph with code over two lines."
    assert render_post("# Only a heading\n").first_paragraph == ""


def test_only_links_within_the_site_are_kept_for_checking():
    rendered = render_post("[a](../other-story/) and [b](https://example.org/) and\n[c](/about/)\n")
    assert [(link.src, link.line) for link in rendered.links] == [("../other-story/", 0), ("/about/", 0)]


def test_typography_is_made_nice():
    assert "“quoted” – and it’s…" in render_post('"quoted" -- and it\'s...').html


def test_comments_have_no_headings_and_their_links_are_marked_ugc():
    html = comment_html("# Not a heading\n\nSee [my site](https://commenter.example/).")
    assert "<h1" not in html and "# Not a heading" in html
    assert 'rel="nofollow ugc noopener"' in html


def test_comments_show_raw_html_as_text_and_remote_images_as_links():
    html = comment_html('<img src=x onerror=alert(1)>\n\n![pic](https://elsewhere.example/p.png)')
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert '<a class="remote-image" href="https://elsewhere.example/p.png">pic</a>' in html


@pytest.mark.parametrize(("src", "remote"), [
    ("photo.jpg", False), ("./photo.jpg", False), ("../x.png", False), ("/abs.png", False),
    ("https://x.example/a.png", True), ("//x.example/a.png", True), ("data:image/png;base64,AAAA", True),
])
def test_what_counts_as_remote(src, remote):
    assert is_remote(src) is remote
