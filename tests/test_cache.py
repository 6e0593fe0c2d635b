"""The persistent cache: verified entries, atomic writes, and corrupt or foreign entries ignored."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import tree_bytes
from generator.build import BuildOptions, build_site
from generator.incremental.cache import FORMAT, Cache, cache_dir_for
from generator.incremental.fingerprint import Digester, digest


def test_entries_round_trip_and_are_checked(tmp_path):
    cache = Cache(tmp_path / "cache")
    key = digest("a key")
    cache.put("kind", key, b"payload")
    assert cache.get("kind", key) == b"payload"
    assert cache.get("kind", digest("another key")) is None
    assert cache.get("other-kind", key) is None
    assert not [path for path in (tmp_path / "cache").rglob(".tmp-*")]  # written atomically


def test_corrupt_truncated_and_foreign_entries_are_ignored(tmp_path):
    cache = Cache(tmp_path / "cache")
    key, other = digest("one"), digest("two")
    cache.put("kind", key, b"the real payload")
    cache.put("kind", other, b"another payload")
    path = next(path for path in (tmp_path / "cache").rglob(f"{key}.bin"))
    data = path.read_bytes()
    path.write_bytes(data[:-3])  # truncated
    assert cache.get("kind", key) is None
    path.write_bytes(data[:-1] + b"X")  # a flipped byte
    assert cache.get("kind", key) is None
    path.write_bytes(data.replace(f"introchain-cache {FORMAT} ".encode(), b"introchain-cache 999 "))  # another format
    assert cache.get("kind", key) is None
    shutil.copy(next((tmp_path / "cache").rglob(f"{other}.bin")), path)  # another key's entry
    assert cache.get("kind", key) is None
    path.write_bytes(b"\x00" * 100)  # no header at all
    assert cache.get("kind", key) is None
    assert cache.get_object("kind", key) is None


def test_an_entry_that_is_not_a_pickle_is_a_miss(tmp_path):
    cache = Cache(tmp_path / "cache")
    cache.put("kind", digest("k"), b"not a pickle")
    assert cache.get_object("kind", digest("k")) is None


def test_no_folder_means_no_cache(tmp_path):
    cache = Cache(None)
    cache.put("kind", digest("k"), b"x")
    assert cache.get("kind", digest("k")) is None


def test_an_unwritable_cache_does_not_fail_the_build(make_site):
    project = make_site()
    (project / ".cache").write_text("a file where the cache folder would be")
    content = project / "content"
    build_site(BuildOptions(content, project / "site", cache_dir=cache_dir_for(content)))
    assert (project / "site/index.html").is_file()


@pytest.mark.slow
def test_a_build_over_a_corrupted_cache_is_still_correct(make_site):
    project = make_site(stories=("one", "two", "three"))
    content = project / "content"
    options = BuildOptions(content, project / "site", cache_dir=cache_dir_for(content))
    build_site(options)
    expected = tree_bytes(project / "site")
    entries = [path for path in (project / ".cache/introchain").rglob("*.bin")]
    assert entries
    for number, path in enumerate(entries):
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2] if number % 2 else data[:-1] + bytes([data[-1] ^ 1]))
    # A post changes too, so the build cannot take the shortcut of an unchanged site.
    post = content / "stories/two/index.md"
    post.write_text(post.read_text().replace("Hello", "Hello again"))
    build_site(options)
    post.write_text(post.read_text().replace("Hello again", "Hello"))
    for path in (project / ".cache/introchain").rglob("*.bin"):
        path.write_bytes(os.urandom(64))
    build_site(options)
    assert tree_bytes(project / "site") == expected


def test_a_site_changed_by_hand_is_rebuilt(make_site):
    project = make_site()
    content = project / "content"
    options = BuildOptions(content, project / "site", cache_dir=cache_dir_for(content))
    build_site(options)
    expected = tree_bytes(project / "site")
    page = project / "site/index.html"
    page.write_text("changed by hand")
    report = build_site(options)
    assert report.changed == 1
    assert tree_bytes(project / "site") == expected


def test_cache_keys_do_not_depend_on_the_hash_seed_or_folder(tmp_path):
    import subprocess
    import sys

    from conftest import REPO

    script = ("from generator.incremental.fingerprint import Digester; from generator.model import PartialDate;"
              "d = Digester(); print(d({'b': [1, 2.5, None, (PartialDate(2020, 1),)], 'a': 'x'}))")
    seen = set()
    for seed, cwd in (("0", tmp_path), ("1", REPO), ("12345", Path("/"))):
        result = subprocess.run([sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, check=True,
                                env={**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": seed})
        seen.add(result.stdout)
    assert len(seen) == 1
    assert Digester()({"a": 1}) != Digester()({"a": 2})


def test_file_digests_are_reused_only_while_the_stat_signature_holds(tmp_path, monkeypatch):
    from generator.incremental import fingerprint

    post = tmp_path / "index.md"
    post.write_text("first text")
    real = fingerprint.FileDigests()(str(post))
    assert real == fingerprint._file_digest(str(post))
    fresh = fingerprint.FileDigests()
    fresh(str(post))
    assert not fresh.known  # just written: its mtime could hide the next write, so nothing is kept

    later = fingerprint.time.time_ns() + 10 * fingerprint.RACY_NS
    monkeypatch.setattr(fingerprint.time, "time_ns", lambda: later)
    learnt = fingerprint.FileDigests()
    learnt(str(post))
    assert learnt.changed and str(post) in learnt.known
    # A remembered digest is answered without reading the file: prove it with a false one.
    signature = learnt.known[str(post)][0]
    remembered = fingerprint.FileDigests({str(post): (signature, "remembered")})
    assert remembered(str(post)) == "remembered" and not remembered.changed
    # Same size, mtime put back: the ctime still differs, so the file is read again.
    stamp = post.stat().st_mtime_ns
    post.write_text("other text")
    os.utime(post, ns=(stamp, stamp))
    assert remembered(str(post)) == fingerprint._file_digest(str(post)) != real


def test_an_edit_that_keeps_size_and_mtime_is_still_built(make_site, monkeypatch):
    from generator.incremental import fingerprint

    project = make_site()
    content = project / "content"
    options = BuildOptions(content, project / "site", cache_dir=cache_dir_for(content))
    post = content / "stories/first/index.md"
    later = fingerprint.time.time_ns() + 10 * fingerprint.RACY_NS
    monkeypatch.setattr(fingerprint.time, "time_ns", lambda: later)  # every file is old enough to be remembered
    build_site(options)
    assert "Hello" in (project / "site/stories/first/index.html").read_text()
    stamp = post.stat().st_mtime_ns
    post.write_text(post.read_text().replace("Hello", "Jello"))
    os.utime(post, ns=(stamp, stamp))
    build_site(options)
    assert "Jello" in (project / "site/stories/first/index.html").read_text()


def test_compiled_templates_are_reused_by_a_new_environment_and_checked(tmp_path, monkeypatch):
    import jinja2

    from generator import render
    from generator.incremental import fingerprint
    from generator.content.load import load_site
    from conftest import REPO, override
    from generator.templates import Templates

    site, _ = load_site(REPO / "content")
    templates = override(tmp_path, "base.html")
    cache = Cache(tmp_path / "cache")

    def environment():
        return render.Environment(Templates(templates), site.config, {}, render.CompiledTemplates(cache)).jinja

    first = environment().get_template("base.html")
    assert list((tmp_path / "cache" / "jinja").rglob("*.bin"))
    def no_compiling(*args, **kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(jinja2.Environment, "compile", no_compiling)
    again = environment().get_template("base.html")  # a new environment, as in a new process
    assert again.root_render_func.__code__.co_code == first.root_render_func.__code__.co_code
    # Jinja checks the template's source; we check that our code (and so Jinja's options) is the same.
    base = templates / "base.html"
    base.write_text(base.read_text(encoding="utf-8") + "<!-- edited -->", encoding="utf-8")
    with pytest.raises(AssertionError, match="compiled again"):
        environment().get_template("base.html")
    base.write_text(base.read_text(encoding="utf-8").replace("<!-- edited -->", ""), encoding="utf-8")
    environment().get_template("base.html")
    monkeypatch.setattr(fingerprint, "code_fingerprint", lambda: "other code")
    monkeypatch.setattr(render, "code_fingerprint", lambda: "other code")
    with pytest.raises(AssertionError, match="compiled again"):
        environment().get_template("base.html")


def test_the_tree_fingerprint_sees_every_kind_of_change(tmp_path):
    from generator.incremental.fingerprint import FileDigests, tree_fingerprint

    root = tmp_path / "content"
    (root / "stories/one").mkdir(parents=True)
    (root / "stories/one/index.md").write_text("text")
    (root / "stories/one/photo.png").write_bytes(b"png")
    (root / "site.yaml").write_text("title: x")
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "a").mkdir(parents=True)
    (elsewhere / "b").mkdir()
    (root / "linked").symlink_to(elsewhere / "a")
    seen = {tree_fingerprint(root)}
    assert tree_fingerprint(root) in seen and tree_fingerprint(root, FileDigests()) in seen

    def changed(edit) -> None:
        edit()
        fingerprint = tree_fingerprint(root)
        assert fingerprint not in seen, edit
        assert tree_fingerprint(root, FileDigests()) == fingerprint
        seen.add(fingerprint)

    changed(lambda: (root / "stories/one/index.md").write_text("other text"))
    changed(lambda: os.utime(root / "stories/one/photo.png", ns=(1, 1)))  # binaries: by size and mtime
    changed(lambda: (root / "stories/one/index.md").rename(root / "stories/one/post.md"))
    changed(lambda: (root / "stories/two").mkdir() or (root / "stories/two/index.md").write_text("text"))
    changed(lambda: (root / "linked").unlink() or (root / "linked").symlink_to(elsewhere / "b"))
    changed(lambda: (root / "stories/two").rename(root / "stories/three"))
    (root / "stories/three/dangling.md").symlink_to(tmp_path / "missing")
    assert tree_fingerprint(root) != tree_fingerprint(root)  # unreadable: matches nothing, not even itself
    (root / "stories/three/dangling.md").unlink()
    (root / "loop").symlink_to(root / "loop")  # a link to itself: following it fails (ELOOP)
    assert tree_fingerprint(root) != tree_fingerprint(root)
