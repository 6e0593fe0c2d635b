"""build's state in the cache: a snapshot now and then, small deltas in between, never a wrong state."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from conftest import run_cli, tree_bytes
from generator.build import BuildOptions, build_site
from generator.incremental.cache import Cache, cache_dir_for
from generator.incremental.fingerprint import RACY_NS
from generator.incremental.state import state_key
from generator.incremental.state_store import StateStore


def _options(project: Path) -> BuildOptions:
    content = project / "content"
    return BuildOptions(content, project / "site", cache_dir=cache_dir_for(content))


def _store(options: BuildOptions) -> StateStore:
    return StateStore(Cache(options.cache_dir), state_key(options))


def _edit(project: Path, story: str, text: str) -> None:
    post = project / f"content/stories/{story}/index.md"
    post.write_text(post.read_text() + f"\n{text}\n")


@pytest.mark.slow
def test_a_one_post_edit_saves_a_small_delta_that_loads_as_the_whole_state(make_site):
    project = make_site(stories=tuple(f"story-{number:02d}" for number in range(1, 21)))
    for number in range(1, 21):  # posts of a realistic length: the parsed stories are most of the state
        _edit(project, f"story-{number:02d}", " ".join(f"Paragraph {line} of a longer post." for line in range(200)))
    # Files written this close to a build are "racily clean" (``fingerprint.RACY_NS``): read
    # again by the next build, however long this one takes. Wait, as an author's files would be older.
    time.sleep(RACY_NS / 1e9)
    options = _options(project)
    cache = Cache(options.cache_dir)
    key = state_key(options)
    build_site(options)
    snapshot = cache.size("state", key)
    assert snapshot > 0
    _edit(project, "story-07", "An edit.")
    build_site(options)
    assert cache.size("state", key) == snapshot  # not written again
    assert 0 < cache.size("state-delta", key) < snapshot / 4

    state = _store(options).load()
    # The loaded state is the one after the edit, and its stories are the parsed bundles' own
    # objects (the dev server's change tracking works by identity).
    studies = {study.slug: study for study in state.history.site.studies}
    assert "An edit." in studies["story-07"].body_html
    for bundle, parsed in state.memo.bundles.pairs():
        assert studies[parsed.slug] is parsed.study
        assert parsed.raw is bundle
    assert {bundle.folder.name for bundle in state.memo.raw.bundles} == set(studies)


@pytest.mark.slow
def test_a_delta_written_against_another_snapshot_is_ignored(make_site):
    project = make_site(stories=("first", "second"))
    options = _options(project)
    cache = Cache(options.cache_dir)
    key = state_key(options)
    build_site(options)
    _edit(project, "first", "One.")
    build_site(options)
    stale_delta = cache.get("state-delta", key)
    _edit(project, "first", "Two.")
    build_site(options)
    # A new snapshot (as when a delta grows too big), then the older delta back in place:
    # it must not be applied to the new snapshot.
    store = _store(options)
    state = store.load()
    store._snapshot = None
    store.save(state)
    cache.put("state-delta", key, stale_delta)
    reloaded = _store(options).load()
    assert "Two." in {study.slug: study for study in reloaded.history.site.studies}["first"].body_html


@pytest.mark.slow
def test_deltas_grow_into_a_new_snapshot_and_builds_stay_exact(make_site, tmp_path):
    project = make_site(stories=("first", "second", "third"))
    options = _options(project)
    cache = Cache(options.cache_dir)
    key = state_key(options)
    build_site(options)
    snapshots = {cache.get("state", key)}
    for number in range(8):  # with three stories, a delta soon holds a good share of the site
        _edit(project, ("first", "second", "third")[number % 3], f"Edit {number}.")
        build_site(options)
        snapshots.add(cache.get("state", key))
        reference = tmp_path / f"reference-{number}"
        assert run_cli("build", "--no-cache", "--out", reference, cwd=project).code == 0
        assert tree_bytes(project / "site") == tree_bytes(reference), number
    assert len(snapshots) > 1


def test_slotted_models_round_trip_through_the_cache_field_for_field(tmp_path):
    from dataclasses import fields

    from conftest import REPO
    from generator.content.load import load_site
    from generator.content.source import Place
    from generator.markdown import Image
    from generator.model import Comment, CommentSnapshot, PartialDate, Stage, When

    site, _ = load_site(REPO / "content")
    found: dict[type, list] = {cls: [] for cls in (PartialDate, When, Stage, Comment, CommentSnapshot, Image)}

    def collect(value):
        if type(value) in found:
            found[type(value)].append(value)
        if hasattr(value, "__dataclass_fields__"):
            for field in fields(value):
                collect(getattr(value, field.name))
        elif isinstance(value, (tuple, list)):
            for item in value:
                collect(item)

    for study in site.studies:
        collect(study)
    found[Image].append(Image("photo.png", 3))
    found[Place] = [Place(4, 7)]
    for cls, values in found.items():
        assert values, cls
        cache = Cache(tmp_path / cls.__name__)
        assert cache.put_object("state", "key", values)
        copies = cache.get_object("state", "key")
        assert len(copies) == len(values)
        for value, copy in zip(values, copies):
            assert type(copy) is cls and copy == value and hash(copy) == hash(value)
            assert all(getattr(copy, field.name) == getattr(value, field.name) for field in fields(cls))
