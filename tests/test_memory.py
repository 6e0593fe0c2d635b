"""What keeps a large build's memory down (issue 6) must not change a byte of what it builds."""

from __future__ import annotations

import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import REPO, pyvis_network

from generator.content.load import ContentMemo, load_site
from generator.graph import connection_edges, node_details
from generator.network import LARGE_NETWORK, NetworkData, network_graph, settled_layout, spread_layout, story_line
from generator.render import _BATCH, _utf8, script_json

sys.path.insert(0, str(REPO / "tests" / "perf"))
from synth import make_project  # noqa: E402


def _through_pyvis(site, counts) -> dict:
    """The network's nodes, edges and details as pyvis made them (the network page before issue 6)."""
    ids = dict.fromkeys(person_id for study in site.studies for person_id in study.people)
    large = len(ids) > LARGE_NETWORK
    edges = [edge for number, study in enumerate(sorted(site.studies, key=lambda study: study.slug))
             for index, connection in enumerate(study.connections)
             for edge in connection_edges(site, index, connection, story_line(number),
                                          f"{study.slug}-", plain=large)]
    nodes, edges = pyvis_network(site, ids, edges, roles={}, counts=counts,
                                 positions=spread_layout(site, ids) if large else settled_layout(site, ids))
    return {"nodes": nodes, "edges": edges, "details": node_details(site, ids, site.config.base_path)}


@pytest.mark.slow
@pytest.mark.parametrize("stories", [0, 70])
def test_network_json_is_the_json_of_pyvis_dictionaries(tmp_path: Path, stories: int):
    # 0: the sample content (a small network, force-directed); 70: past LARGE_NETWORK people.
    content = REPO / "content" if not stories else make_project(tmp_path / "project", stories).content
    site, _ = load_site(content)
    data = network_graph(site, site.story_counts)["data"]
    expected = _through_pyvis(site, site.story_counts)
    assert isinstance(data, NetworkData)
    assert (len(data.nodes) > LARGE_NETWORK) == bool(stories)
    assert data["nodes"] == expected["nodes"]
    assert data["edges"] == expected["edges"]
    assert data["details"] == expected["details"]
    assert list(data) == ["nodes", "edges", "options", "details", "steps", "stories"]
    # Each edge's step names its story and when the connection began.
    ordered = sorted(site.studies, key=lambda study: study.slug)
    assert data["stories"] == [[study.title, site.config.base_path + study.url_path] for study in ordered]
    assert set(data["steps"]) == {edge["id"] for edge in expected["edges"]}
    for edge_id, (number, when) in data["steps"].items():
        study = ordered[number]
        assert edge_id.startswith(f"{study.slug}-")
        connection = study.connections[int(edge_id[len(study.slug) + 2:].split("-")[0])]
        assert when == (connection.when.human if connection.when else "")
    assert str(script_json(data)) == str(script_json({**expected, "options": data["options"], "steps": data["steps"],
                                                        "stories": data["stories"]}))


def test_large_pages_are_encoded_in_batches_to_the_same_bytes():
    pieces = ["<p>", "Ann & Bob", "“met”", "🙂", "plain"] * (_BATCH // 2 + 7)
    assert len(pieces) > 2 * _BATCH
    assert _utf8(iter(pieces)) == "".join(pieces).encode("utf-8")
    assert _utf8(iter(pieces[:10])) == "".join(pieces[:10]).encode("utf-8")
    assert _utf8(iter([])) == b""


@pytest.mark.slow
def test_bundles_parsed_in_the_pool_keep_no_copy_of_their_texts_or_paths(tmp_path: Path):
    content = make_project(tmp_path / "project", 70).content  # enough bundles for the process pool
    memo = ContentMemo()
    load_site(content, memo=memo)
    pairs = memo.bundles.pairs()
    assert len(pairs) == 70
    for bundle, parsed in pairs:
        assert parsed.raw is bundle
        assert parsed.study is not None and parsed.study.bundle is bundle.location
        parsed.paths  # noqa: B018 - made on first use (the cross-story checks use it)
        assert all(raw_file.text is None for raw_file in (bundle.post, bundle.story, bundle.comments) if raw_file)
    # Saved with the build's state and loaded again: no paths, the pairs keyed again by their
    # new bundles, and no cross-story checks (keyed by the old ones' identities).
    from generator.incremental.cache import Cache

    cache = Cache(tmp_path / "cache")
    assert memo.checks
    assert cache.put_object("memo", "k" * 64, memo) > 0
    loaded = cache.get_object("memo", "k" * 64)
    assert loaded.checks == ()
    assert loaded.bundles.context == memo.bundles.context
    again = loaded.bundles.pairs()
    assert [bundle.location for bundle, _ in again] == [bundle.location for bundle, _ in pairs]
    assert all(parsed.raw is bundle and "paths" not in vars(parsed) for bundle, parsed in again)
    zone, kinds, channels = loaded.bundles.context
    reused = loaded.bundles.parse_all([bundle for bundle, _ in again], ZoneInfo(zone), dict(kinds), channels)
    assert all(new is held for new, (_, held) in zip(reused, again, strict=True))  # not parsed again


@pytest.mark.slow
@pytest.mark.parametrize("pooled", [False, pytest.param(True, marks=pytest.mark.slow)], ids=["in-process", "pool"])
def test_places_and_dates_that_recur_are_one_object_each(tmp_path: Path, monkeypatch, pooled: bool):
    """Parsed together, a recurring place or date is one object; parsed in the pool, a value
    every story uses is still shared between stories rather than made once per story."""
    from dataclasses import fields, is_dataclass

    from generator import parallel
    from generator.content import bundle
    from generator.content.source import Place
    from generator.model import PartialDate

    stories = 70
    monkeypatch.setattr(parallel, "worker_count", lambda: 2)  # the same split on every machine
    monkeypatch.setattr(bundle, "MIN_PARALLEL_BUNDLES", 0 if pooled else 10**6)
    content = make_project(tmp_path / "project", stories).content
    memo = ContentMemo()
    load_site(content, memo=memo)
    found: dict[type, list] = {Place: [], PartialDate: []}

    def collect(value, depth=0):
        if type(value) in found:
            found[type(value)].append(value)
        elif is_dataclass(value) and depth < 8:
            for field in fields(value):
                collect(getattr(value, field.name), depth + 1)
        elif isinstance(value, (tuple, list)):
            for item in value:
                collect(item, depth + 1)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item, depth + 1)

    for _bundle, parsed in memo.bundles.pairs():
        collect(parsed)
    for kind, values in found.items():
        uses = {value: sum(1 for other in values if other == value) for value in values}
        objects = {value: len({id(other) for other in values if other == value}) for value in values}
        assert max(uses.values()) >= 8, kind  # they do recur
        if not pooled:
            assert set(objects.values()) == {1}, kind
    if pooled:
        # Places every story has (the same keys at the same lines) are shared across stories.
        everywhere = [value for value in set(found[Place]) if found[Place].count(value) >= stories]
        assert everywhere
        for value in everywhere:
            assert len({id(other) for other in found[Place] if other == value}) * 2 <= stories