"""Search in a real headless Chromium: the sample site served under /repo/, its own index, nothing from another host."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from test_browser import assert_only_local_requests

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sample_under_repo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("search-sample")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "templates", root / "templates")
    result = run_cli("build", "--base-url", "https://example.github.io/repo/", cwd=root)
    assert result.code == 0, result.text
    return root / "site"


def test_a_name_typed_in_the_search_box_finds_the_story_that_mentions_them(sample_under_repo, static_server, open_page):
    server = static_server(sample_under_repo, prefix="/repo/")
    page, watch = open_page(server.url)
    page.get_by_role("searchbox").fill("Liz Strauss")
    page.get_by_role("searchbox").press("Enter")
    page.wait_for_url("**/repo/search/?q=Liz+Strauss")
    results = page.locator(".search-result")
    results.first.wait_for(timeout=15000)
    assert results.count() == 1
    assert "Ali, Paul and me" in results.first.locator(".search-title").inner_text()
    assert "Liz Strauss" in results.first.locator(".search-people").inner_text()
    assert results.first.locator(".search-excerpt mark").count() >= 1
    results.first.locator(".search-title a").click()
    page.wait_for_url("**/repo/stories/a-small-world-made-smaller/")
    assert "Ali, Paul and me" in page.locator("h1").inner_text()
    assert watch.console_errors == []
    assert_only_local_requests(watch, server.url)


def test_a_filter_narrows_the_results_to_one_person(sample_under_repo, static_server, open_page):
    server = static_server(sample_under_repo, prefix="/repo/")
    page, watch = open_page(server.url + "search/")
    person = page.locator("#filter-person")
    person.locator("option[value='Debra']").wait_for(state="attached", timeout=15000)
    person.select_option("Debra")
    results = page.locator(".search-result")
    results.first.wait_for(timeout=15000)
    assert results.count() == 1
    assert "Smiling about social media" in results.first.locator(".search-title").inner_text()
    assert "Debra" in results.first.locator(".search-people").inner_text()
    # A filter and a word together: the year the story is from keeps it, the other year does not.
    years = page.locator("#filter-year option").all_inner_texts()
    assert len(years) >= 2
    page.locator("#search-query").fill("Debra")
    page.wait_for_function("document.querySelectorAll('.search-result').length === 1")
    results.first.locator(".search-title a").click()
    page.wait_for_url("**/repo/stories/smiling-about-social-media/")
    assert watch.console_errors == []
    assert_only_local_requests(watch, server.url)


def test_after_a_one_post_edit_the_index_finds_the_new_words_and_not_the_old(tmp_path, static_server, open_page):
    root = tmp_path / "project"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "templates", root / "templates")
    base = ("--base-url", "https://example.github.io/repo/")
    assert run_cli("build", *base, cwd=root).code == 0
    post = root / "content/stories/smiling-about-social-media/index.md"
    text = post.read_text(encoding="utf-8")
    assert text.count(" grin ") == 1
    post.write_text(text.replace(" grin ", " zephyrous beam "), encoding="utf-8")
    result = run_cli("build", *base, cwd=root)  # with the cache the first build left
    assert result.code == 0, result.text
    server = static_server(root / "site", prefix="/repo/")
    page, watch = open_page(server.url + "search/?q=zephyrous")
    results = page.locator(".search-result")
    results.first.wait_for(timeout=15000)
    assert results.count() == 1
    assert "Smiling about social media" in results.first.locator(".search-title").inner_text()
    assert "zephyrous" in results.first.locator(".search-excerpt mark").first.inner_text().lower()
    page.locator("#search-query").fill("grin")
    page.locator("#search-status", has_text="No story matches.").wait_for(timeout=15000)
    assert results.count() == 0
    assert watch.console_errors == []
