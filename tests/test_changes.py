"""incremental/changes.py: which declared inputs a change touches, and which pages must be planned again."""

from __future__ import annotations

from conftest import PEOPLE_YAML

from generator.content.load import load_site
from generator.incremental.changes import changed_inputs, pages_to_plan
from generator.planner import plan_pages


def _load(root):
    return load_site(root / "content")[0]


def test_two_loads_of_the_same_content_differ_in_nothing(make_site):
    root = make_site(stories=("first", "second"))
    first, second = _load(root), _load(root)
    assert first.studies[0] is not second.studies[0]  # compared by value, not by identity
    assert changed_inputs(first, second) == set()
    pages = plan_pages(second)
    assert pages_to_plan(pages, {page.output: page.reads for page in plan_pages(first)}, set()) == set()


def test_a_new_paragraph_changes_the_story_but_not_its_card_or_shape(make_site):
    root = make_site(stories=("first", "second"))
    before = _load(root)
    post = root / "content/stories/first/index.md"
    post.write_text(post.read_text().replace("Hello **world**.", "Hello **world**.\n\nMore."))
    after = _load(root)
    assert changed_inputs(before, after) == {"story:first"}
    pages = plan_pages(after)
    declared = {page.output: page.reads for page in plan_pages(before)}
    planned = {pages[number].output for number in pages_to_plan(pages, declared, changed_inputs(before, after))}
    assert planned == {"stories/first/index.html", "feed.xml"}


def test_a_person_renamed_plans_every_page(make_site):
    root = make_site()
    before = _load(root)
    (root / "content/people.yaml").write_text(PEOPLE_YAML.replace("name: Ann Example", "name: Ann Renamed"))
    after = _load(root)
    assert {"setting:people", "person:ann", "cast:first"} <= changed_inputs(before, after)
    pages = plan_pages(after)
    declared = {page.output: page.reads for page in plan_pages(before)}
    assert pages_to_plan(pages, declared, changed_inputs(before, after)) == set(range(len(pages)))


def test_a_page_new_to_the_site_is_planned(make_site):
    root = make_site(stories=("first",))
    before = _load(root)
    after = _load(make_site(stories=("first", "second")))
    pages = plan_pages(after)
    declared = {page.output: page.reads for page in plan_pages(before)}
    planned = {pages[number].output for number in pages_to_plan(pages, declared, changed_inputs(before, after))}
    assert "stories/second/index.html" in planned and "stories/first/index.html" in planned  # its "newer" link
    assert "tags/testing/index.html" in planned and "sitemap.xml" in planned
    assert "people/index.html" in planned  # counts changed
    assert "404.html" not in planned and "robots.txt" not in planned


def _planned(root, edit) -> set[str]:
    before = _load(root)
    edit(root / "content")
    after = _load(root)
    pages = plan_pages(after)
    declared = {page.output: page.reads for page in plan_pages(before)}
    return {pages[number].output for number in pages_to_plan(pages, declared, changed_inputs(before, after))}


def test_the_deepening_page_is_planned_again_when_a_timeline_changes_and_not_for_a_post_body(make_site):
    root = make_site(stories=("first", "second"))

    def body(content):
        post = content / "stories/first/index.md"
        post.write_text(post.read_text().replace("Hello **world**.", "Hello **world**.\n\nMore."))

    def stage(old, new):
        def edit(content):
            story = content / "stories/second/story.yaml"
            assert old in story.read_text()
            story.write_text(story.read_text().replace(old, new))
        return edit

    assert "deepening/index.html" not in _planned(root, body)
    assert "deepening/index.html" in _planned(root, stage("stage: contact\n", "stage: contact\n        date: 2020-02-01\n"))
    assert "deepening/index.html" in _planned(root, stage("date: 2020-02-01", "date: 2020-02-03"))
    assert "deepening/index.html" in _planned(root, stage("channel: email", "channel: phone"))
    assert "deepening/index.html" in _planned(root, stage("bridge: community", "bridge: event"))
