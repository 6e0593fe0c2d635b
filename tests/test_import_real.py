"""Real exports other projects published, imported as a migrating blogger would.

Each one must import, pass ``check --strict``, build, have no broken link when the site is
served under ``/repo/``, and leave no e-mail or IP address of the export in ``content/`` or
``site/``. Where each fixture comes from, and its licence, is in its folder's README.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

import pytest

from conftest import run_cli
from test_base_path import crawl, page_url

# Whole real exports imported, checked, built and crawled: seconds each.
pytestmark = pytest.mark.slow

REAL = Path(__file__).parent / "fixtures" / "real"
THEME_UNIT_TEST = REAL / "wp-theme-unit-test" / "themeunittestdata.wordpress.xml"  # WXR 1.2, https namespace
BLOCK_EDITOR = REAL / "wp-block-test" / "64-block-test-data.xml"  # WXR 1.2, block-editor markup
PELICAN_WXR11 = REAL / "pelican-wxr11" / "wordpressexport.xml"  # WXR 1.1
ISSO_DISQUS = REAL / "isso-disqus" / "disqus.xml"

_EMAIL = re.compile(rb"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
_IPV4 = re.compile(rb"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IPV6 = re.compile(rb"(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")


def private_values(export: Path) -> set[bytes]:
    """Every e-mail and IP address written anywhere in an export."""
    data = export.read_bytes()
    found = set(_EMAIL.findall(data))
    for candidate in _IPV4.findall(data) + _IPV6.findall(data):
        try:
            ipaddress.ip_address(candidate.decode())
        except ValueError:
            continue
        found.add(candidate)
    return found


def leaks(folder: Path, values: set[bytes]) -> list[str]:
    """``path: value`` for every private value found in a file under ``folder``."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path.relative_to(folder)}: {value.decode()}" for value in values if value in data]
    return found


def assert_builds_without_broken_links(project: Path, static_server) -> Path:
    """check --strict, build, then crawl the site served under /repo/; returns the site folder."""
    check = run_cli("check", "--strict", cwd=project, timeout=300)
    assert check.code == 0, check.text
    build = run_cli("build", cwd=project, timeout=300)
    assert build.code == 0, build.text
    site = project / "site"
    server = static_server(site, prefix="/repo/")
    pages = [page for page in sorted(site.rglob("*.html")) if page.name != "404.html"]
    start = [server.url, *(page_url(server.url, site, page) for page in pages), server.url + "feed.xml"]
    broken, crawled = crawl(start, server.url)
    report = "\n".join(f"{url} from {'; '.join(sorted(set(refs))[:2])}" for url, refs in sorted(broken.items()))
    assert not broken, f"{len(broken)} broken URL(s) under /repo/:\n{report}"
    assert crawled >= len(pages)
    return site


@pytest.mark.parametrize(
    ("export", "version", "posts"),
    [(THEME_UNIT_TEST, "1.2", 30), (BLOCK_EDITOR, "1.2", 30), (PELICAN_WXR11, "1.1", 5)],
    ids=["theme-unit-test-wxr12-https", "block-editor", "pelican-wxr11"],
)
def test_a_real_wordpress_export_imports_checks_builds_and_links(make_site, static_server, export: Path, version: str, posts: int):
    project = make_site(stories=())
    result = run_cli("import", "wordpress", export, "--drafts", cwd=project, timeout=300)
    assert result.code == 0, result.text
    assert f"(WXR {version}" in result.out and "privacy: removed" in result.out
    written = sorted((project / "content" / "stories").iterdir())
    assert len(written) >= posts
    site = assert_builds_without_broken_links(project, static_server)
    values = private_values(export)
    assert values, "each of these exports carries e-mail or IP addresses"
    assert not leaks(project / "content", values) and not leaks(site, values)


def test_theme_unit_test_data_keeps_commenters_names_and_unknown_shortcodes_visible(make_site):
    project = make_site(stories=())
    assert run_cli("import", "wordpress", THEME_UNIT_TEST, cwd=project).code == 0
    stories = project / "content" / "stories"
    # The WordPress.com export's comments: every one is shown under the name it was written with.
    snapshot = (stories / "template-comments" / "comments.yaml").read_text(encoding="utf-8")
    assert "author: John Doe" in snapshot and "author: Jane Doe" in snapshot
    # A caption that wraps a link leaves no stray Markdown, and a caption never ends in asterisk text.
    for index in stories.glob("*/index.md"):
        body = index.read_text(encoding="utf-8").split("---\n", 2)[2]
        assert "[![" not in body, index
        assert not re.search(r"^\*[^*\n]*\\$", body, re.M), index


def test_a_real_disqus_export_attaches_threads_and_reports_the_rest(make_site, static_server):
    project = make_site(stories=())
    assert run_cli("import", "wordpress", PELICAN_WXR11, cwd=project).code == 0
    stories = project / "content" / "stories"
    # isso's fixture has threads for http://example.org/ and a local Jekyll URL: map both.
    mapping = project / "disqus-urls.yaml"
    mapping.write_text(
        '"http://example.org/": with-comments\n"http://localhost:4000/blog/2013/02/12/redacted/index.html": with-tags\n',
        encoding="utf-8",
    )
    result = run_cli("import", "disqus", ISSO_DISQUS, "--urls", mapping, cwd=project)
    assert result.code == 0, result.text
    assert "threads with no story: 1" in result.out or "no story" in result.out
    with_comments = (stories / "with-comments" / "comments.yaml").read_text(encoding="utf-8")
    assert "disqus-4" in with_comments and "disqus-5" in with_comments
    assert "disqus-9" not in with_comments  # deleted
    assert "reply_to: disqus-4" in with_comments
    # The reply to the deleted comment moves up to the top level.
    assert "disqus-11" in with_comments
    assert "disqus-8" in (stories / "with-tags" / "comments.yaml").read_text(encoding="utf-8")

    # Hand-edit one imported comment; a second run adds nothing and leaves it as edited.
    edited = with_comments.replace("Hello, World.", "Hello, edited world.", 1)
    (stories / "with-comments" / "comments.yaml").write_text(edited, encoding="utf-8")
    again = run_cli("import", "disqus", ISSO_DISQUS, "--urls", mapping, cwd=project)
    assert again.code == 0, again.text
    assert "added 0 comments" in again.out
    assert (stories / "with-comments" / "comments.yaml").read_text(encoding="utf-8") == edited

    site = assert_builds_without_broken_links(project, static_server)
    values = private_values(ISSO_DISQUS) | private_values(PELICAN_WXR11)
    assert not leaks(project / "content", values) and not leaks(site, values)
