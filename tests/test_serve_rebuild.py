"""What the dev server's rebuild writes after a save, and after its background search index.

Driven through the rebuild callable the live server calls (``commands.serve.SiteRebuild``),
with the watcher's changed paths; the served folder is compared, byte for byte, with a
build from nothing, and each file's inode tells whether the rebuild wrote it again.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from conftest import override, tree_bytes
from generator.build import BuildOptions, build_site
from generator.commands.serve import SEARCH_READY, SiteRebuild
from generator.output_folder import MARKER
from generator.search import BackgroundIndex
from generator.serve import UNCHANGED, Rebuilt

BASE_URL = "http://127.0.0.1:8000/"
STORIES = ("alpha", "beta", "gamma", "delta")


def _inodes(folder: Path) -> dict[str, int]:
    """The site's files (the writer's marker left out) and the inode of each."""
    return {str(path.relative_to(folder)): path.stat().st_ino for path in folder.rglob("*")
            if path.is_file() and path.name != MARKER}


def _written(before: dict[str, int], after: dict[str, int]) -> set[str]:
    """The files the rebuild wrote: new, or not the same file as before (unchanged ones are hard-linked)."""
    return {name for name, inode in after.items() if before.get(name) != inode}


def _cold(root: Path) -> dict[str, bytes]:
    out = root.parent / "cold"
    build_site(BuildOptions(root / "content", out, drafts=True, base_url=BASE_URL))
    return tree_bytes(out)


class Server:
    """The dev server's rebuild with its background index, the watcher being the test."""

    def __init__(self, root: Path):
        self.ready = threading.Event()
        self.rebuild = SiteRebuild(root / "content", None, root.parent / "served" / "site", True, lambda line: None)
        self.rebuild.base_url = BASE_URL
        self.rebuild.state.search = BackgroundIndex(self.ready.set)
        assert self.rebuild(frozenset()) is None

    @property
    def site(self) -> Path:
        return self.rebuild.out_dir

    def save(self, path: Path, old: str, new: str, also: tuple[Path, ...] = ()):
        """Edit ``path`` and rebuild, as the watcher would report it (with ``also``, files saved just before)."""
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        self.ready.clear()
        return self.rebuild(frozenset(changed.resolve() for changed in (path, *also)))

    def index_ready(self):
        assert self.ready.wait(120), "the background index never finished"
        return self.rebuild(frozenset({SEARCH_READY}))


@pytest.mark.slow
def test_a_save_writes_only_the_pages_that_show_the_change_and_the_index_only_the_search_files(make_site):
    root = make_site(stories=STORIES)
    server = Server(root)
    before = _inodes(server.site)
    post = root / "content/stories/beta/index.md"
    assert server.save(post, "Hello **world**.", "Hello **world**.\n\nA zanzibarian paragraph.") is None
    saved = _inodes(server.site)
    # The story's page and the feed (which carries the newest posts whole); nothing else, not even
    # the search files, which the index made in the background brings.
    assert _written(before, saved) == {"stories/beta/index.html", "feed.xml"}
    assert b"zanzibarian" not in b"".join(tree_bytes(server.site / "search").values())

    assert server.index_ready() == Rebuilt(frozenset({"/search/"}))  # only a browser on the search page reloads
    indexed = _written(saved, _inodes(server.site))
    assert indexed and all(name.startswith(("pagefind/", "search/stories.json")) for name in indexed), indexed
    assert tree_bytes(server.site) == _cold(root)


@pytest.mark.slow
def test_an_index_that_did_not_change_writes_nothing_and_reloads_no_page(make_site):
    root = make_site(stories=STORIES)
    server = Server(root)
    before = _inodes(server.site)
    # A comment is not indexed: the index made after this save is the one the site has.
    assert server.save(root / "content/stories/gamma/comments.yaml", "body: Lovely.", "body: Lovely, edited.") is None
    assert server.index_ready() == Rebuilt(frozenset())
    assert _written(before, _inodes(server.site)) == {"stories/gamma/index.html"}
    assert tree_bytes(server.site) == _cold(root)


@pytest.mark.slow
def test_a_rebuild_that_failed_half_way_leaves_nothing_behind_for_the_next(make_site):
    """A failed rebuild may have written some pages into the folder the next site is assembled in;
    the rebuilds after it must not take them for the live site's files."""
    root = make_site(stories=STORIES)
    templates = override(root, "tag.html")
    server = Server(root)
    # One good rebuild first: from then on the site the last one retired is where the next is assembled.
    assert server.save(root / "content/stories/delta/index.md", "Hello **world**.", "Hello, delta.") is None
    post = root / "content/stories/beta/index.md"
    tag_page = templates / "tag.html"
    tag_page.write_text(tag_page.read_text().replace("{% endblock %}", "{{ no_such_variable }}{% endblock %}"))
    # The story page renders (and is put in place) while the tag pages fail.
    failed = server.save(post, "Hello **world**.", "Hello **world**.\n\nA paragraph that never made it.", also=(tag_page,))
    assert isinstance(failed, str) and "no_such_variable" in failed
    # The post back as it was, the template fixed: the story page is the live site's again.
    tag_page.write_text(tag_page.read_text().replace("{{ no_such_variable }}", ""))
    assert server.save(post, "Hello **world**.\n\nA paragraph that never made it.", "Hello **world**.", also=(tag_page,)) is None
    assert _without_index(tree_bytes(server.site)) == _without_index(_cold(root))
    # Other stories' edits: each site is assembled in one of the folders the failed rebuild may have written into.
    for story in ("gamma", "alpha"):
        assert server.save(root / f"content/stories/{story}/index.md", "Hello **world**.", "Hello again.") is None
        assert _without_index(tree_bytes(server.site)) == _without_index(_cold(root))
    server.index_ready()
    assert tree_bytes(server.site) == _cold(root)


def _without_index(files: dict[str, bytes]) -> dict[str, bytes]:
    """Every file but the search index's, which follows a save in the background."""
    return {name: data for name, data in files.items() if not name.startswith(("pagefind/", "search/stories.json"))}


@pytest.mark.slow
def test_an_index_finished_while_the_content_is_broken_keeps_the_error_and_arrives_with_the_fix(make_site):
    root = make_site(stories=STORIES)
    server = Server(root)
    post = root / "content/stories/beta/index.md"
    assert server.save(post, "Hello **world**.", "Hello **world**.\n\nA zanzibarian paragraph.") is None
    served = tree_bytes(server.site)
    assert server.ready.wait(120), "the background index never finished"
    story = root / "content/stories/beta/story.yaml"
    story.write_text(story.read_text(encoding="utf-8").replace("between: [ann, bob]", "between: [ann, zed]"), encoding="utf-8")
    error = server.rebuild(frozenset({story.resolve()}))
    assert isinstance(error, str) and "zed" in error, error
    # The index of the last good site comes in now: the browsers keep the error, the site stays as it was.
    assert server.rebuild(frozenset({SEARCH_READY})) is UNCHANGED
    assert tree_bytes(server.site) == served
    # The fix brings back the site the index was made for: the build puts the index in at once.
    assert server.save(story, "between: [ann, zed]", "between: [ann, bob]") is None
    assert tree_bytes(server.site) == _cold(root)


def _tree(folder: Path) -> tuple[set[str], set[str]]:
    """Every file and every folder under ``folder`` (relative names)."""
    files, folders = set(), set()
    for path in folder.rglob("*"):
        (folders if path.is_dir() else files).add(path.relative_to(folder).as_posix())
    return files, folders


@pytest.mark.slow
def test_what_each_rebuild_records_is_the_served_folder_as_it_is(make_site):
    """Rebuilds carry the last build's records over for what they keep; the records must still say
    what is on disk (each page's file, every file and folder), and pages and folders that go, go."""
    from generator.staging import file_stat

    root = make_site(stories=STORIES)
    server = Server(root)
    stories = root / "content/stories"
    saves = [
        ("a post", lambda: server.save(stories / "beta/index.md", "Hello **world**.", "Hello, beta.")),
        ("the search index", server.index_ready),
        ("a tag's first use", lambda: server.save(stories / "gamma/index.md", "tags: [testing]", "tags: [testing, Lonely One]")),
        ("that tag's last use", lambda: server.save(stories / "gamma/index.md", "tags: [testing, Lonely One]", "tags: [testing]")),
        ("the search index", server.index_ready),
        ("another post", lambda: server.save(stories / "delta/index.md", "Hello **world**.", "Hello, delta.")),
    ]
    for what, save in saves:
        assert not isinstance(save(), str), what
        _cold(root)
        cold_files, cold_folders = _tree(root.parent / "cold")
        files, folders = _tree(server.site)
        # (The search files follow a save in the background.)
        assert _without_index(dict.fromkeys(files)).keys() == _without_index(dict.fromkeys(cold_files)).keys(), what
        assert folders == cold_folders, f"after {what}"
        manifest = server.rebuild.state.manifest
        assert manifest.tree.files == files and manifest.tree.folders.keys() == folders | {""}, f"after {what}"
        assert {output: stat for output, (_, stat) in manifest.pages.items()} == {
            output: file_stat(server.site / output) for output in manifest.pages}, f"after {what}"
    assert not (server.site / "tags/lonely-one").exists()
