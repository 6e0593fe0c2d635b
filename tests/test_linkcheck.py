"""The built pages' internal links: each resolved from its own page, whatever was resolved before."""

from __future__ import annotations

from generator.linkcheck import broken_links

OUTPUTS = frozenset({"index.html", "about/index.html", "stories/a/index.html", "assets/style.css"})
BASE = "https://example.github.io/repo/"


def test_the_same_relative_link_is_resolved_from_each_page():
    html = b'<a href="../about/">About</a> <a href="/repo/about/">About</a> <link href="/repo/assets/style.css">'
    assert broken_links("stories/index.html", html, OUTPUTS, BASE) == []
    assert broken_links("stories/a/index.html", html, OUTPUTS, BASE) == ["../about/"]
    assert broken_links("index.html", html, OUTPUTS, BASE) == ["../about/"]  # /about/: outside /repo/


def test_links_outside_the_base_path_and_to_missing_pages_are_named_once():
    html = (b"<a href='/about/'>x</a> <a href=\"/repo/nowhere/\">y</a> <a href=\"/repo/nowhere/\">y</a> "
            b"<a href=\"https://other.example/\">z</a> <a href=\"#top\">t</a> <img src=\"photo.jpg\">")
    assert broken_links("index.html", html, OUTPUTS, BASE) == ["/about/", "/repo/nowhere/"]
    assert broken_links("index.html", html, OUTPUTS | {"nowhere/index.html"}, BASE) == ["/about/"]
