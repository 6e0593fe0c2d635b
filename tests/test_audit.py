"""The sample site as the public checkers see it: the Nu Html Checker on every page and the feed,
axe-core in both colour schemes at phone and desktop widths.

axe checks every page in two views, each scheme and each width once (light at 390 px, dark
at 1280 px), and in the other two every story page and one page of every other kind (a
person, a tag, a channel, each index): pages of one kind share their template, and the
crossed views take as long as the first two again. ``tests/audit/run`` checks every page
in all four.

The checks themselves live in tests/audit/ (siteaudit.py, browsercheck.py), shared with
``tests/audit/run``, which adds Lighthouse and prints a summary table.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "tests" / "audit"))

import browsercheck  # noqa: E402
import siteaudit  # noqa: E402

pytestmark = pytest.mark.slow


def require(*paths: Path) -> None:
    """Skip when a checker is missing (fail on CI, where scripts/test installs them)."""
    missing = [str(path) for path in paths if not path.is_file()]
    if shutil.which("java") is None and siteaudit.VNU_JAR in paths:
        missing.append("java")
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"missing {', '.join(missing)}; scripts/test installs it")
        pytest.skip(f"missing {', '.join(missing)}; run scripts/test once")


@pytest.fixture(scope="module")
def audited_site():
    """The sample site built for, and served on, 127.0.0.1 under /introchain/, as GitHub Pages serves it."""
    with siteaudit.served_sample() as site:
        yield site


def test_every_page_passes_the_nu_html_checker(audited_site):
    require(siteaudit.VNU_JAR)
    found = siteaudit.nu_pages(audited_site)
    assert len(found) == len(audited_site.pages()) + 2  # every page, the stylesheet and the icon
    assert [str(message) for messages in found.values() for message in messages] == []


def test_the_feed_is_valid_atom_and_its_entries_valid_html(audited_site):
    require(siteaudit.VNU_JAR)
    assert [str(problem) for problem in siteaudit.nu_feed(audited_site)] == []


def test_the_nu_checks_catch_a_broken_feed(audited_site, tmp_path):
    """The Atom grammar really is applied: a feed without an <id> and with a bad date fails."""
    require(siteaudit.VNU_JAR)
    feed = (audited_site.folder / "feed.xml").read_text()
    broken = tmp_path / "feed.xml"
    broken.write_text(re.sub(r"<published>[^<]*</published>", "<published>last Tuesday</published>",
                             feed.replace("<id>", "<identifier>", 1).replace("</id>", "</identifier>", 1), count=1))
    messages = siteaudit.run_vnu([str(broken)], "--xml", "--schema", siteaudit.ATOM_RNC.resolve().as_uri())
    texts = " ".join(message.text for message in messages)
    assert "identifier" in texts and "published" in texts, texts


def test_only_the_json_data_block_warning_is_set_aside(tmp_path):
    """vnu's CSP warning is dropped for a <script type="application/json"> line, never for a real inline script."""
    (tmp_path / "index.html").write_text('<!DOCTYPE html>\n<p>x</p>\n<script>alert(1)</script>\n'
                                         '<script type="application/json" id="graph-data-g">{}</script>\n')
    site = siteaudit.AuditSite(tmp_path, "http://127.0.0.1:1/x/")
    warning = siteaudit.CSP_INLINE_WARNING + " (meta tag): blocked by 'script-src' directive."
    assert siteaudit.is_data_block_warning(site, siteaudit.NuMessage("/", 4, "warning", warning))
    assert not siteaudit.is_data_block_warning(site, siteaudit.NuMessage("/", 3, "warning", warning))
    assert not siteaudit.is_data_block_warning(site, siteaudit.NuMessage("/", 4, "error", warning))


#: The views axe checks every page in: each colour scheme once, each width once.
EVERY_PAGE_VIEWS = (("light", 390, 844), ("dark", 1280, 900))


def one_of_each_kind(pages: list[str]) -> list[str]:
    """Every story page, and the first page of every other kind (each person page, tag page... is one kind)."""
    chosen, kinds = [], set()
    for path in pages:
        parts = path.strip("/").split("/")
        kind = parts[0] if len(parts) > 1 else path
        if kind == "stories" or kind not in kinds:
            chosen.append(path)
            kinds.add(kind)
    return chosen


@pytest.mark.browser
@pytest.mark.parametrize("view", browsercheck.AXE_VIEWS, ids=[f"{scheme}-{width}px" for scheme, width, _ in browsercheck.AXE_VIEWS])
def test_axe_finds_no_violations(audited_site, browser, view):
    require(siteaudit.AXE_JS)
    pages = audited_site.pages() if view in EVERY_PAGE_VIEWS else one_of_each_kind(audited_site.pages())
    found = browsercheck.axe_site(audited_site, pages, views=(view,), browser=browser)
    assert len(found) == len(pages) and {"", "network/", "people/"} <= found.keys()
    assert [str(violation) for violations in found.values() for violation in violations] == []


@pytest.mark.browser
def test_axe_is_really_checking(audited_site, browser):
    """A page made worse on purpose (grey text, an unnamed button) is caught, in the audit's own setup."""
    require(siteaudit.AXE_JS)
    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(audited_site.url)
        page.evaluate("""() => {
            document.querySelector('.lede').style.color = '#d8d8d8';
            document.querySelector('main').append(document.createElement('button'));
        }""")
        rules = {violation.rule for violation in browsercheck.axe_check(page, "", "light")}
    finally:
        context.close()
    assert {"color-contrast", "button-name"} <= rules


@pytest.mark.browser
def test_no_page_scrolls_sideways_on_a_320px_screen(audited_site, browser):
    assert browsercheck.reflow_site(audited_site, browser=browser) == {}
