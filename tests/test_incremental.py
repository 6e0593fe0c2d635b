"""The cache never changes the result: cold, warm and incremental builds are byte-identical."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import PEOPLE_YAML, REPO, override, run_cli, story_files, tree_bytes
from generator import parallel
from generator.build import BuildOptions, BuildState, build_site
from generator.incremental.cache import cache_dir_for
from generator.errors import ContentErrors

STORIES = ("alpha", "beta", "gamma", "delta")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


THREAD = """threads:
  - platform: mastodon
    url: https://mastodon.example/@tess/1
    taken: 2020-01-06
    comments:
      - {id: masto-1, author: Tess Author, handle: '@tess@mastodon.example', date: 2020-01-05, body: Posted it.}
      - {id: masto-2, author: Ann, date: 2020-01-06, reply_to: masto-1, body: Read it.}
"""

#: Two dated stages in place of ``story_files``' undated ones: the "how relationships deepen" page times them.
DATED_STAGES = "stages:\n      - {stage: contact, date: 2020-01-01}\n      - {stage: conversation, date: 2020-01-09}"

#: (description, edit) pairs applied one after another to the same project.
EDITS = [
    ("a post", lambda c: _edit(c / "stories/beta/index.md", "Hello **world**.", "Hello **edited** world.")),
    ("a template", lambda c: _edit(c.parent / "templates/story.html", "</article>", "<p>edited template</p></article>")),
    ("a person", lambda c: _edit(c / "people.yaml", "name: Ann Example", "name: Ann Renamed")),
    ("site.yaml", lambda c: _edit(c / "site.yaml", "title: Test Stories", "title: Renamed Stories")),
    ("a comment", lambda c: _edit(c / "stories/gamma/comments.yaml", "body: Lovely.", "body: Lovely, edited.")),
    ("a channel's label and colour", lambda c: _append(c / "site.yaml", "channels:\n  - {id: twitter, label: X, colour: '#101010'}\n")),
    ("a thread", lambda c: _append(c / "stories/gamma/comments.yaml", THREAD)),
    ("a stage dated", lambda c: _edit(c / "stories/beta/story.yaml", "stages: [contact, conversation]", DATED_STAGES)),
    ("a new story", lambda c: [(c / name).parent.mkdir(parents=True, exist_ok=True) or (c / name).write_text(text)
                               for name, text in story_files("epsilon", date="2020-02-01").items()]),
    ("a deleted story", lambda c: shutil.rmtree(c / "stories/alpha")),
    ("an image", lambda c: (c / "stories/delta/photo.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")),
]


@pytest.fixture
def project(make_site) -> Path:
    root = make_site(stories=STORIES)
    override(root, "story.html")
    assert "</article>" in (root / "templates/story.html").read_text()
    return root


def _cold(root: Path, name: str) -> dict[str, bytes]:
    out = root.parent / name
    shutil.rmtree(out, ignore_errors=True)
    build_site(BuildOptions(root / "content", out))  # no cache at all
    return tree_bytes(out)


@pytest.mark.slow
def test_cold_warm_and_incremental_builds_are_identical(project):
    content = project / "content"
    options = BuildOptions(content, project / "site", cache_dir=cache_dir_for(content))
    build_site(options)
    assert tree_bytes(project / "site") == _cold(project, "cold-0")
    warm = build_site(options)
    assert warm.changed == 0
    assert tree_bytes(project / "site") == _cold(project, "cold-0")
    for number, (what, edit) in enumerate(EDITS, start=1):
        edit(content)
        build_site(options)
        assert tree_bytes(project / "site") == _cold(project, f"cold-{number}"), f"after editing {what}"


@pytest.mark.slow
def test_serve_style_rebuilds_are_identical(project):
    """The dev server's path: state kept in memory, a private folder trusted by its manifest."""
    content = project / "content"
    state = BuildState()
    options = BuildOptions(content, project / "served", drafts=False, cache_dir=cache_dir_for(content), private=True)
    build_site(options, state=state)
    for number, (what, edit) in enumerate(EDITS, start=1):
        edit(content)
        build_site(options, state=state)
        assert tree_bytes(project / "served") == _cold(project, f"cold-{number}"), f"after editing {what}"


#: Edits that move stories between lists, pages, tags and graphs: what ``affected.py`` tracks.
TRACKED_EDITS = [
    ("a post body", lambda c: _edit(c / "stories/beta/index.md", "Hello **world**.", "Hello **world**.\n\nMore.")),
    ("a summary", lambda c: _edit(c / "stories/gamma/index.md", "Hello **world**.", "Goodbye **world**.")),
    ("a title", lambda c: _edit(c / "stories/delta/index.md", "title: Story delta", "title: Delta, renamed")),
    ("a date that reorders", lambda c: _edit(c / "stories/alpha/index.md", "date: 2020-01-01", "date: 2021-06-01")),
    ("a tag added", lambda c: _edit(c / "stories/beta/index.md", "tags: [testing]", "tags: [testing, second]")),
    ("a second story in that tag", lambda c: _edit(c / "stories/zeta/index.md", "tags: [testing]", "tags: [second]")),
    ("a connection reversed", lambda c: _edit(c / "stories/gamma/story.yaml", "between: [ann, bob]", "between: [bob, ann]")),
    ("a person left out", lambda c: _edit(c / "stories/delta/story.yaml", "between: [ann, bob]", "between: [ann, tess]")),
    ("a bridge left out", lambda c: _edit(c / "stories/eta/story.yaml", "via: [club]\n    bridge: community", "bridge: direct")),
    ("a stage's channel", lambda c: _edit(c / "stories/delta/story.yaml", "channel: email", "channel: phone")),
    ("a stage dated", lambda c: _edit(c / "stories/beta/story.yaml", "stages: [contact, conversation]", DATED_STAGES)),
    ("a stage's date moved", lambda c: _edit(c / "stories/beta/story.yaml", "date: 2020-01-09", "date: 2020-02-09")),
    ("a draft", lambda c: _edit(c / "stories/epsilon/index.md", "author: tess", "author: tess\ndraft: true")),
    ("a draft published", lambda c: _edit(c / "stories/epsilon/index.md", "author: tess\ndraft: true", "author: tess")),
    ("a comment", lambda c: _edit(c / "stories/gamma/comments.yaml", "body: Lovely.", "body: Lovely, edited.")),
    ("a series begun", lambda c: _edit(c / "stories/beta/index.md", "author: tess", "author: tess\nseries: Tests")),
    ("a series continued", lambda c: _edit(c / "stories/gamma/index.md", "author: tess", "author: tess\nseries: Tests")),
    ("a person in no story", lambda c: _edit(c / "people.yaml", "club:", "zed:\n  name: Zed Zero\nclub:")),
    ("a comment by them, unlinked", lambda c: _edit(c / "stories/gamma/comments.yaml", "person: ann", "person: zed")),
    ("the commenter joins a chain", lambda c: _edit(c / "stories/eta/story.yaml", "connections:",
                                                    "connections:\n  - between: [tess, zed]\n    stages: [contact]")),
    ("the commenter leaves it", lambda c: _edit(c / "stories/eta/story.yaml",
                                                "connections:\n  - between: [tess, zed]\n    stages: [contact]", "connections:")),
    ("a story with its own person", lambda c: _edit(c / "stories/beta/story.yaml", "connections:",
                                                   "people:\n  dora:\n    name: Dora New\nconnections:\n"
                                                   "  - between: [bob, dora]\n    stages: [contact]")),
    # Pages that exist because one story uses something: its first use makes the page, its last removes it.
    ("a channel's first use", lambda c: _edit(c / "stories/eta/story.yaml", "channels: [twitter]",
                                              "channels: [twitter, bluesky]")),
    ("that channel's last use", lambda c: _edit(c / "stories/eta/story.yaml", "channels: [twitter, bluesky]",
                                                "channels: [twitter]")),
    ("a tag's first use", lambda c: _edit(c / "stories/eta/index.md", "tags: [testing]", "tags: [testing, Lonely One]")),
    ("that tag's last use", lambda c: _edit(c / "stories/eta/index.md", "tags: [testing, Lonely One]", "tags: [testing]")),
    ("a person's first story", lambda c: _edit(c / "stories/eta/story.yaml", "connections:",
                                               "connections:\n  - between: [bob, zed]\n    channels: [sms]\n"
                                               "    stages: [contact]")),
    ("that person's last story", lambda c: _edit(c / "stories/eta/story.yaml", "connections:\n  - between: [bob, zed]\n"
                                                 "    channels: [sms]\n    stages: [contact]", "connections:")),
    ("a new story", lambda c: [(c / name).parent.mkdir(parents=True, exist_ok=True) or (c / name).write_text(text)
                               for name, text in story_files("theta", title="Story theta", date="2020-01-03").items()]),
    ("a deleted story", lambda c: shutil.rmtree(c / "stories/alpha")),
    ("a renamed story", lambda c: (c / "stories/zeta").rename(c / "stories/zeta-two")),
    ("a broken story", lambda c: _edit(c / "stories/eta/story.yaml", "connections:", "connections: [")),
    ("the broken story fixed", lambda c: _edit(c / "stories/eta/story.yaml", "connections: [", "connections:")),
    ("people.yaml", lambda c: _edit(c / "people.yaml", "name: Bob Example", "name: Bob Renamed")),
    # Every story is parsed again, from texts that were let go after the first parse.
    ("the time zone", lambda c: _edit(c / "site.yaml", "timezone: UTC", "timezone: Pacific/Auckland")),
    ("a kind in people.yaml", lambda c: _edit(c / "people.yaml", "kind: community", "kind: event")),
]


#: What the edits above that make or remove a page do to it: (the page, whether it exists after the edit).
PAGES_BY_USE = {
    "a channel's first use": ("channels/bluesky/index.html", True),
    "that channel's last use": ("channels/bluesky/index.html", False),
    "a tag's first use": ("tags/lonely-one/index.html", True),
    "that tag's last use": ("tags/lonely-one/index.html", False),
    "a person's first story": ("people/zed/index.html", True),
    "that person's last story": ("people/zed/index.html", False),
}


def _snapshot(folder: Path) -> dict[Path, tuple[int, int]]:
    return {path: (path.stat().st_mtime_ns, path.stat().st_size) for path in folder.rglob("*")}


def _reported(before: dict[Path, tuple[int, int]], after: dict[Path, tuple[int, int]]) -> frozenset[Path]:
    """What a file watcher would report: paths added, removed or modified."""
    return frozenset(path.resolve() for path in before.keys() ^ after.keys()) | frozenset(
        path.resolve() for path in before.keys() & after.keys() if before[path] != after[path])


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["serve-with-watcher-hints", "serve", "build"])
def test_tracked_rebuilds_are_identical(make_site, mode):
    """Each kind of edit equals a build from scratch (paginated: two per page), whether built
    by the dev server's path (state in memory, with or without the watcher's paths) or by
    ``build`` (state in the cache)."""
    root = make_site(stories=("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta"))
    content = root / "content"
    _edit(content / "site.yaml", "posts_per_page: 10", "posts_per_page: 2")
    serve = mode.startswith("serve")
    state = BuildState() if serve else None
    options = BuildOptions(content, root / "out", cache_dir=cache_dir_for(content), private=serve)
    build_site(options, state=state)
    for what, edit in TRACKED_EDITS:
        before = _snapshot(content)
        edit(content)
        changed = _reported(before, _snapshot(content)) if mode == "serve-with-watcher-hints" else None
        try:
            build_site(options, state=state, changed=changed)
        except ContentErrors:
            assert what == "a broken story"
            continue
        assert tree_bytes(root / "out") == _cold(root, "cold"), f"after {what}"
        if what in PAGES_BY_USE:
            page, exists = PAGES_BY_USE[what]
            assert (root / "out" / page).is_file() == exists, what


def test_a_failed_incremental_build_leaves_the_served_folder_as_it_was(project):
    content = project / "content"
    state = BuildState()
    options = BuildOptions(content, project / "served", cache_dir=cache_dir_for(content), private=True)
    build_site(options, state=state)
    before = tree_bytes(project / "served")
    _edit(project / "templates/story.html", "</article>", "{{ no_such_variable }}</article>")
    with pytest.raises(ContentErrors):
        build_site(options, state=state)
    assert tree_bytes(project / "served") == before
    _edit(project / "templates/story.html", "{{ no_such_variable }}</article>", "</article>")
    build_site(options, state=state)
    assert tree_bytes(project / "served") == before


def test_only_affected_pages_are_rendered(project, monkeypatch):
    content = project / "content"
    options = BuildOptions(content, project / "site", cache_dir=cache_dir_for(content))
    build_site(options)
    rendered: list[int] = []
    original = parallel.Renderer.render
    monkeypatch.setattr(parallel.Renderer, "render", lambda self, number: rendered.append(number) or original(self, number))
    build_site(options)
    assert rendered == []  # warm: nothing rendered
    # A new paragraph after the first: the summary stays, so lists of stories need no change.
    _edit(content / "stories/beta/index.md", "Hello **world**.", "Hello **world**.\n\nA second paragraph.")
    build_site(options)
    outputs = {job_page for job_page in _outputs(options, rendered)}
    assert "stories/beta/index.html" in outputs
    # Its neighbours (newer/older links), lists that show it, its people and the network change;
    # the rest does not.
    assert not outputs & {"stories/delta/index.html", "tags/index.html", "people/index.html", "404.html", "robots.txt"}


def _outputs(options: BuildOptions, numbers: list[int]) -> list[str]:
    from generator.build import load_content
    from generator.planner import plan_pages

    site, _ = load_content(options)
    pages = plan_pages(site)
    return [pages[number].output for number in numbers]


@pytest.mark.slow
def test_the_process_pool_renders_the_same_site(project, monkeypatch):
    reference = _cold(project, "in-process")
    monkeypatch.setattr(parallel, "MIN_PARALLEL_PAGES", 0)
    monkeypatch.setattr(parallel, "worker_count", lambda: 2)
    assert _cold(project, "pooled") == reference


@pytest.mark.slow
def test_pages_the_workers_wrote_are_kept_as_written_by_the_next_build(project, monkeypatch):
    """Workers write their own pages and report only their stats: the next build trusts those
    stats, keeps every file (same inode), and an edit rebuilt by the pool equals a cold build."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL_PAGES", 0)
    monkeypatch.setattr(parallel, "worker_count", lambda: 2)
    content = project / "content"
    options = BuildOptions(content, project / "site", cache_dir=cache_dir_for(content))
    build_site(options)
    inodes = {path: path.stat().st_ino for path in (project / "site").rglob("*") if path.is_file()}
    assert build_site(options).changed == 0
    assert {path: path.stat().st_ino for path in (project / "site").rglob("*") if path.is_file()} == inodes
    _edit(content / "stories/beta/index.md", "Hello **world**.", "Hello **world**.\n\nA second paragraph.")
    assert build_site(options).changed >= 1
    edited = tree_bytes(project / "site")
    monkeypatch.setattr(parallel, "MIN_PARALLEL_PAGES", 10**6)
    assert edited == _cold(project, "cold")


@pytest.mark.slow
def test_a_pooled_serve_rebuild_keeps_the_last_site_out_of_the_collector_to_its_end(project, monkeypatch):
    """The dev server's last site is frozen out of the cyclic collector for a whole rebuild
    (a full collection would walk every object of it); the pool's own freeze must not end
    the rebuild's early, and nothing stays frozen after the rebuild."""
    import gc

    monkeypatch.setattr(parallel, "MIN_PARALLEL_PAGES", 0)
    monkeypatch.setattr(parallel, "worker_count", lambda: 2)
    content = project / "content"
    options = BuildOptions(content, project / "site")
    state = BuildState()
    build_site(options, state=state)
    _edit(content / "stories/beta/index.md", "Hello **world**.", "Hello **world**.\n\nA second paragraph.")
    frozen: list[tuple[int, int]] = []
    pooled = parallel.render_numbers

    def render_numbers(*args, **kwargs):
        before = gc.get_freeze_count()
        yield from pooled(*args, **kwargs)
        frozen.append((before, gc.get_freeze_count()))

    monkeypatch.setattr(parallel, "render_numbers", render_numbers)
    assert build_site(options, state=state).changed >= 1
    [(before, after)] = frozen
    assert before > 0  # the rebuild froze what it kept from the last one
    assert after >= before
    assert gc.get_freeze_count() == 0


@pytest.mark.slow
def test_a_broken_link_a_worker_finds_fails_the_build_and_keeps_the_site(project, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_PARALLEL_PAGES", 0)
    monkeypatch.setattr(parallel, "worker_count", lambda: 2)
    options = BuildOptions(project / "content", project / "site")
    build_site(options)
    before = tree_bytes(project / "site")
    _edit(project / "templates/story.html", "</article>", "<a href=\"{{ url('no-such-page/') }}\">x</a></article>")
    with pytest.raises(ContentErrors) as failure:
        build_site(options)
    assert any("no-such-page/" in error.message for error in failure.value.errors)
    assert tree_bytes(project / "site") == before
    assert sorted(path.name for path in project.iterdir() if path.name.startswith(".introchain")) == []


@pytest.mark.slow
def test_with_other_threads_running_the_pool_starts_fresh_workers_and_renders_the_same_site(project, monkeypatch):
    """The dev server has threads, so fork is not used there: workers get a pickled job."""
    import threading

    reference = _cold(project, "in-process")
    monkeypatch.setattr(parallel, "MIN_PARALLEL_PAGES", 0)
    monkeypatch.setattr(parallel, "worker_count", lambda: 2)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert _cold(project, "spawned") == reference
    finally:
        stop.set()
        thread.join()


@pytest.mark.slow
@pytest.mark.parametrize("threads", [False, True], ids=["fork", "spawn"])
def test_stories_parsed_in_the_pool_give_the_same_site_and_errors(project, monkeypatch, threads):
    """Bundles parsed in worker processes (forked, or fresh ones while the dev server's threads
    run) make the same site, and the same errors, as bundles parsed in this process."""
    import threading

    from generator.content import bundle

    reference = _cold(project, "in-process")
    monkeypatch.setattr(parallel, "worker_count", lambda: 2)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait) if threads else None
    if thread:
        thread.start()
    try:
        monkeypatch.setattr(bundle, "MIN_PARALLEL_BUNDLES", 0)
        assert _cold(project, "pooled") == reference
        _edit(project / "content/stories/beta/story.yaml", "connections:", "connections: [")
        with pytest.raises(ContentErrors) as pooled:
            _cold(project, "pooled")
        monkeypatch.setattr(bundle, "MIN_PARALLEL_BUNDLES", 10**6)
        with pytest.raises(ContentErrors) as alone:
            _cold(project, "alone")
        assert pooled.value.format() == alone.value.format()
        assert "stories/beta/story.yaml" in pooled.value.format()
    finally:
        stop.set()
        if thread:
            thread.join()


def test_template_errors_in_workers_come_back_as_content_errors(project, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_PARALLEL_PAGES", 0)
    monkeypatch.setattr(parallel, "worker_count", lambda: 2)
    _edit(project / "templates/story.html", "</article>", "{{ study.no_such_field.deeper }}</article>")
    with pytest.raises(ContentErrors) as failure:
        build_site(BuildOptions(project / "content", project / "site"))
    assert any(error.path.endswith("story.html") and error.line for error in failure.value.errors)


@pytest.mark.slow
def test_build_uses_the_cache_folder_beside_the_content(project):
    result = run_cli("build", cwd=project)
    assert result.code == 0, result.text
    assert (project / ".cache/introchain").is_dir()
    again = run_cli("build", cwd=project)
    assert "0 changed" in again.out


@pytest.mark.slow
def test_what_the_dev_server_remembers_never_changes_a_page_key(make_site):
    """The dev server's memory between builds (the digests of model objects it has seen, the
    objects shared with the last site, the manifest matched with its history) only saves work:
    after every kind of edit, each page's key is the one a process with no memory computes."""
    root = make_site(stories=("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta"))
    content = root / "content"
    _edit(content / "site.yaml", "posts_per_page: 10", "posts_per_page: 2")
    state = BuildState()
    options = BuildOptions(content, root / "out", private=True)
    build_site(options, state=state)
    for what, edit in TRACKED_EDITS:
        edit(content)
        try:
            build_site(options, state=state)
        except ContentErrors:
            assert what == "a broken story"
            continue
        fresh = BuildState()
        build_site(BuildOptions(content, root / "fresh", private=True), state=fresh)
        assert state.manifest is not None and fresh.manifest is not None
        keys = {output: key for output, (key, _) in state.manifest.pages.items()}
        assert keys == {output: key for output, (key, _) in fresh.manifest.pages.items()}, f"after {what}"


#: More people and stories than ``Digester.SHARED``: the lists every page holds (everyone in
#: people.yaml, a tag's stories, the archive) are long, and the dev server remembers their
#: digests from one build to the next by the very objects they hold.
LONG_LIST_EDITS = [
    ("a post", lambda c: _edit(c / "stories/story-07/index.md", "Hello **world**.", "Hello **edited** world.")),
    ("a title", lambda c: _edit(c / "stories/story-03/index.md", "title: Story story-03", "title: Retitled")),
    ("a person in no story", lambda c: _edit(c / "people.yaml", "name: Extra Person 7", "name: Extra Renamed")),
    ("a person added", lambda c: _append(c / "people.yaml", "newcomer:\n  name: New Comer\n")),
    ("a person in every story", lambda c: _edit(c / "people.yaml", "name: Ann Example", "name: Ann Renamed")),
    ("a tag", lambda c: _edit(c / "stories/story-11/index.md", "tags: [testing]", "tags: [testing, other]")),
    ("a deleted story", lambda c: shutil.rmtree(c / "stories/story-05")),
]


@pytest.mark.slow
def test_long_lists_remembered_between_builds_never_change_a_page_key_or_a_byte(make_site):
    extra = "".join(f"extra{number}:\n  name: Extra Person {number}\n" for number in range(20))
    root = make_site(files={"people.yaml": PEOPLE_YAML + extra}, stories=tuple(f"story-{number:02d}" for number in range(18)))
    content = root / "content"
    state = BuildState()
    options = BuildOptions(content, root / "out", private=True)
    build_site(options, state=state)
    for what, edit in LONG_LIST_EDITS:
        edit(content)
        build_site(options, state=state)
        fresh = BuildState()
        build_site(BuildOptions(content, root / "fresh", private=True), state=fresh)
        assert state.manifest is not None and fresh.manifest is not None
        keys = {output: key for output, (key, _) in state.manifest.pages.items()}
        assert keys == {output: key for output, (key, _) in fresh.manifest.pages.items()}, f"after {what}"
        assert tree_bytes(root / "out") == tree_bytes(root / "fresh"), f"after {what}"
