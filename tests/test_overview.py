"""overview.py: the network's build-time picture keeps a bounded size and the same bytes for the same input."""

from __future__ import annotations

import random

import pytest

from generator.overview import CELLS, MOST_LINES, best_connected, overview


def scattered(count: int, links: int, seed: int = 3) -> tuple[dict[str, tuple[int, int]], list[tuple[str, str]]]:
    rng = random.Random(seed)
    positions = {f"p{number}": (rng.randint(-5000, 5000), rng.randint(-4000, 4000)) for number in range(count)}
    ids = sorted(positions)
    return positions, [(rng.choice(ids), rng.choice(ids)) for _ in range(links)]


def segments(paths: list[tuple[int, str]]) -> int:
    return sum(path.count("M") for _, path in paths)


@pytest.mark.slow
def test_the_picture_has_a_bound_whatever_the_network_size():
    small = overview(*scattered(300, 800))
    large = overview(*scattered(27_000, 72_000))
    assert segments(large["dots"]) <= CELLS * CELLS and segments(large["lines"]) == MOST_LINES
    size = sum(len(path) for _, path in large["dots"] + large["lines"])
    assert size < 70_000, size
    assert segments(small["dots"]) <= 300 and segments(small["lines"]) <= 800
    # The layout's proportions are kept: wider than tall here.
    assert large["width"] > large["height"] > 0


def test_the_same_input_draws_the_same_picture_and_order_does_not_matter():
    positions, links = scattered(2_000, 6_000)
    shuffled = dict(sorted(positions.items(), reverse=True))
    assert overview(positions, links) == overview(shuffled, list(reversed(links)))


def test_an_empty_network_draws_nothing_and_one_person_one_dot():
    assert overview({}, [])["dots"] == []
    single = overview({"a": (0, 0)}, [])
    assert segments(single["dots"]) == 1 and single["lines"] == []


def test_the_best_connected_come_first_ties_by_name():
    degrees = {"a": 2, "b": 5, "c": 2, "d": 1}
    names = {"a": "Zoe", "b": "Bo", "c": "Al", "d": "Di"}
    assert best_connected(degrees, names, 3) == ["b", "c", "a"]
