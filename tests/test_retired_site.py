"""The retired site: ``build`` updates the site it retired last time instead of making a new tree.

Whatever the retired site holds (a half-finished update, files an author dropped into ``site/``,
links pointing outside), the site it becomes is exactly the one a build from scratch makes.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, run_cli


def _tree(folder: Path) -> dict[str, object]:
    """Every entry under ``folder``: files with their bytes, folders, links with their targets."""
    tree: dict[str, object] = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            tree[name] = ("link", os.readlink(path))
        elif path.is_dir():
            tree[name] = "folder"
        else:
            tree[name] = path.read_bytes()
    return tree


def _retired(project: Path) -> Path:
    retired_sites = [path for path in (project / ".cache/introchain/retired").iterdir() if path.is_dir()]
    assert len(retired_sites) == 1, retired_sites
    return retired_sites[0]


def _edit(project: Path, story: str, text: str) -> None:
    post = project / f"content/stories/{story}/index.md"
    post.write_text(post.read_text() + f"\n{text}\n")


def _scratch(project: Path, tmp_path: Path) -> dict[str, object]:
    """The site as a build from scratch (no cache, a new folder) makes it."""
    out = tmp_path / f"scratch-{len(list(tmp_path.glob('scratch-*')))}"
    result = run_cli("build", "--no-cache", "--out", out, cwd=project)
    assert result.code == 0, result.text
    return _tree(out)


def _build(project: Path) -> None:
    result = run_cli("build", cwd=project)
    assert result.code == 0, result.text


@pytest.mark.slow
def test_the_retired_site_is_kept_and_brought_up_to_date(make_site, tmp_path):
    project = make_site(stories=("first", "second", "third"))
    _build(project)
    assert not (project / ".cache/introchain/retired").exists() or not any((project / ".cache/introchain/retired").glob("site-*/"))
    for round_number, story in enumerate(("first", "second", "first", "third", "second"), start=1):
        before = {path: path.stat().st_ino for path in (project / "site").rglob("*.html")}
        _edit(project, story, f"Edited in round {round_number}.")
        if round_number == 3:
            (project / "content/stories/third/index.md").unlink()  # a whole story goes
            (project / "content/stories/third/story.yaml").unlink()
            (project / "content/stories/third/comments.yaml").unlink(missing_ok=True)
            (project / "content/stories/third").rmdir()
        _build(project)
        assert _tree(project / "site") == _scratch(project, tmp_path), f"round {round_number}"
        # The previous site is the retired one now: same files, and unchanged pages are one file in both.
        retired = _retired(project)
        assert (retired / ".introchain-output").is_file()
        home = project / "site/index.html"
        if home in before and (retired / "index.html").exists():
            assert (retired / "index.html").stat().st_ino == before[home]
        if round_number == 3:
            break
    story_page = project / "site/stories/second/index.html"
    stamp = story_page.stat().st_mtime_ns
    _edit(project, "first", "Edited once more.")
    _build(project)
    assert story_page.stat().st_mtime_ns == stamp  # untouched pages keep their file, through the retired site
    assert _tree(project / "site") == _scratch(project, tmp_path)


def _project_with_a_retired_site(make_site) -> tuple[Path, Path]:
    """A project built twice, so that its first site is now the retired one; and that one."""
    project = make_site(stories=("first", "second"))
    _build(project)
    _edit(project, "first", "One.")
    _build(project)
    return project, _retired(project)


@pytest.mark.slow
def test_whatever_the_retired_site_holds_the_new_site_is_exact(make_site, tmp_path):
    project, retired = _project_with_a_retired_site(make_site)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not ours")
    # A stray file, a link to a folder outside, a file where a folder is, a folder where a file
    # is, a half-written file a killed build left, and a page someone edited in place.
    (retired / "stray.html").write_text("stray")
    (retired / "stories/linked").symlink_to(outside, target_is_directory=True)
    (retired / "assets").rename(tmp_path / "assets-moved")
    (retired / "assets").write_text("a file where the assets folder was")
    (retired / "404.html").unlink()
    (retired / "404.html").mkdir()
    (retired / "404.html/inside.txt").write_text("x")
    (retired / "index.html.introchain-part").write_text("half")
    with open(retired / "stories/second/index.html", "r+b") as page:  # in place: the live page changes too
        page.write(b"<!-- edited by hand -->")
    _edit(project, "second", "Two.")
    _build(project)
    assert _tree(project / "site") == _scratch(project, tmp_path)
    assert (outside / "keep.txt").read_text() == "not ours"
    assert sorted(path.name for path in outside.iterdir()) == ["keep.txt"]


@pytest.mark.slow
def test_files_dropped_into_the_site_do_not_come_back_through_the_retired_site(make_site, tmp_path):
    project = make_site(stories=("first", "second"))
    _build(project)
    (project / "site/dropped.html").write_text("by hand")
    (project / "site/stories/first/extra").mkdir()
    (project / "site/stories/first/extra/note.txt").write_text("by hand")
    for text in ("One.", "Two.", "Three."):  # the hand-made files travel to the retired site and back
        _edit(project, "first", text)
        _build(project)
        assert _tree(project / "site") == _scratch(project, tmp_path), text


@pytest.mark.slow
def test_a_build_that_cannot_take_the_retired_site_makes_a_fresh_tree(make_site, tmp_path):
    project, retired = _project_with_a_retired_site(make_site)
    marker = retired / "stray.html"
    marker.write_text("left by whoever holds the retired site")
    # Another build holds the retired site's lock: this one must neither wait nor touch it.
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl, sys; lock = open(sys.argv[1], 'wb'); fcntl.flock(lock, fcntl.LOCK_EX); print('held', flush=True); "
         "sys.stdin.read()", str(retired.with_name(retired.name + ".lock"))],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert holder.stdout.readline().strip() == "held"
        _edit(project, "second", "Two.")
        _build(project)
        assert marker.read_text() == "left by whoever holds the retired site"
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert _tree(project / "site") == _scratch(project, tmp_path)
    with open(retired.with_name(retired.name + ".lock"), "wb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released again


@pytest.mark.slow
def test_folders_the_record_vouches_for_are_not_listed_and_changed_ones_are(make_site, tmp_path, monkeypatch):
    from generator import output_folder
    from generator.build import BuildOptions, build_site
    from generator.incremental.cache import cache_dir_for

    project = make_site(stories=tuple(f"story-{number}" for number in range(1, 9)))
    content = project / "content"
    options = BuildOptions(content, project / "site", cache_dir=cache_dir_for(content))
    # Every record is taken "later" than any folder's mtime, so none is racily clean: what
    # decides is only whether a folder's stat changed.
    later = output_folder.time.time_ns() + 100 * output_folder.RACY_NS
    monkeypatch.setattr(output_folder.time, "time_ns", lambda: later)
    listed: list[str] = []
    real_scandir = os.scandir

    def counting_scandir(path):
        if "/retired/" in str(path):
            listed.append(str(path).partition("/retired/")[2].partition("/")[2])
        return real_scandir(path)

    monkeypatch.setattr(output_folder.os, "scandir", counting_scandir)
    build_site(options)
    for number in (1, 2):
        _edit(project, f"story-{number}", f"Edit {number}.")
        build_site(options)
    folders = sum(1 for path in (project / "site").rglob("*") if path.is_dir())
    listed.clear()
    _edit(project, "story-3", "Edit 3.")
    build_site(options)
    # The retired site is the one of two builds ago, untouched since it was recorded: only its root is listed.
    assert listed == [""], (listed, folders)

    # Files dropped into the live site travel to the retired site; the build that reuses it lists
    # their folders (their mtime changed) and removes them.
    (project / "site/stories/story-5/dropped.html").write_text("by hand")
    (project / "site/tags/link").symlink_to(tmp_path, target_is_directory=True)
    listed.clear()
    for number in (4, 6, 7):
        _edit(project, f"story-{number}", f"Edit {number}.")
        build_site(options)
        assert _tree(project / "site") == _scratch(project, tmp_path), number
    assert not (project / "site/stories/story-5/dropped.html").exists()
    assert "stories/story-5" in listed and "tags" in listed


@pytest.mark.slow
def test_the_retired_site_of_a_deleted_output_folder_is_removed(make_site):
    project = make_site(stories=("first", "second"))
    for text in ("One.", "Two."):  # two builds into preview/: the second keeps a retired site for it
        _edit(project, "first", text)
        assert run_cli("build", "--out", "preview", cwd=project).code == 0
        _build(project)
    retired_sites = project / ".cache/introchain/retired"
    assert len([path for path in retired_sites.iterdir() if path.is_dir()]) == 2
    shutil.rmtree(project / "preview")
    _edit(project, "second", "Three.")
    _build(project)
    left = [path.name for path in retired_sites.iterdir()]
    assert len(left) == 2 and all(name.startswith("site-") for name in left), left  # the retired site and its lock
