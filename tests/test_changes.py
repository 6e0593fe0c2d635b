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


def _declared(pages):
    return [(page.output, page.template, page.reads, page.url_path, page.in_sitemap, page.deferred) for page in pages]


def test_pages_kept_for_an_equal_outline_are_the_pages_a_plan_from_nothing_makes(make_site):
    from generator.incremental.last_answer import StoryAnswers
    from generator.incremental.plan_memo import PlanMemo

    root = make_site(stories=("first", "second", "third"))
    content = root / "content"
    memo, stories = PlanMemo(), StoryAnswers()

    def edit(name, old, new):
        path = content / name
        assert old in path.read_text()
        path.write_text(path.read_text().replace(old, new))

    edits = [
        lambda: edit("stories/first/index.md", "Hello **world**.", "Hello **world**.\n\nMore."),
        lambda: edit("stories/second/story.yaml", "channels: [twitter]", "channels: [twitter, bluesky]"),
        lambda: edit("stories/third/index.md", "tags: [testing]", "tags: [testing, Solo]"),
        lambda: edit("stories/third/index.md", "tags: [testing, Solo]", "tags: [testing]"),
        lambda: edit("stories/second/story.yaml", "connections:", "connections:\n  - between: [bob, tess]\n    stages: [contact]"),
        lambda: edit("stories/first/index.md", "date: 2020-01-01", "date: 2021-01-01"),
        lambda: edit("stories/second/story.yaml", "channels: [twitter, bluesky]", "channels: [twitter]"),
    ]
    outputs = []
    for step in [lambda: None, *edits]:
        step()
        site = _load(root)
        kept = plan_pages(site, make=memo.make, per_story=stories.of)
        fresh = plan_pages(site)
        assert _declared(kept) == _declared(fresh)
        for page, same in zip(kept, fresh):
            assert page.context(site) == same.context(site), page.output
        outputs.append({page.output for page in kept})
    assert "channels/bluesky/index.html" in outputs[2] and "channels/bluesky/index.html" not in outputs[7]
    assert "tags/solo/index.html" in outputs[3] and "tags/solo/index.html" not in outputs[4]


def test_a_last_answer_survives_pickling_by_digest():
    import pickle

    from generator.incremental.last_answer import LastAnswer

    calls = []

    def count(argument):
        calls.append(argument)
        return len(argument)

    memory = LastAnswer()
    assert memory.of(count)(("a", "b")) == 2 and memory.of(count)(("a", "b")) == 2
    loaded = pickle.loads(pickle.dumps(memory))
    assert loaded.of(count)(("a", "b")) == 2 and len(calls) == 1
    assert loaded.of(count)(("a", "b", "c")) == 3 and len(calls) == 2
