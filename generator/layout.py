"""Positions for the network page's graph, computed at build time so that the browser runs no physics.

A large network is laid out along a sunflower spiral in one pass (``spiral_layout``); a small
one, where every person's label can be read, by a force-directed layout (Fruchterman and
Reingold's) started from that spiral. Neither draws on randomness and both round to whole
pixels, so the same content gives the same positions, byte for byte.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

#: Distance between neighbouring turns of the spiral, in graph units.
SPIRAL_SPACING = 60
#: The distance the force-directed layout keeps between linked people, in graph units (about the
#: spring length vis-network's own physics used to settle the network at).
LINK_LENGTH = 140
#: How many rounds the force-directed layout runs: enough for a network of LARGE_NETWORK people to settle.
ROUNDS = 100
#: How strongly everyone is pulled towards the middle, so that stories that share no one stay together.
GRAVITY = 0.3
#: People further apart than this many LINK_LENGTHs no longer push each other away (a grid finds
#: the closer pairs, so a round costs about the number of people, not its square).
REACH = 1.5


def neighbours(people: Iterable[str], groups: Iterable[Sequence[str]]) -> dict[str, list[str]]:
    """Each person's neighbours: everyone who shares a group (a connection and its bridges) with them."""
    around: dict[str, list[str]] = {person_id: [] for person_id in people}
    for members in groups:
        for first in members:
            for second in members:
                if first != second and first in around:
                    around[first].append(second)
    return around


def spiral_layout(around: Mapping[str, list[str]]) -> dict[str, tuple[int, int]]:
    """People in breadth-first order along a sunflower spiral, from the best-connected people.

    Walking the graph breadth-first puts neighbours at neighbouring turns of the spiral, so
    chains stay together; it costs one pass.
    """
    order: dict[str, None] = {}
    for start in sorted(around, key=lambda person_id: (-len(around[person_id]), person_id)):
        if start in order:
            continue
        queue, order[start] = [start], None
        while queue:
            following = []
            for person_id in queue:
                for other in around[person_id]:
                    if other not in order and other in around:
                        order[other] = None
                        following.append(other)
            queue = following
    golden = math.pi * (3 - math.sqrt(5))
    return {
        person_id: (round(SPIRAL_SPACING * math.sqrt(number) * math.cos(number * golden)),
                    round(SPIRAL_SPACING * math.sqrt(number) * math.sin(number * golden)))
        for number, person_id in enumerate(order)
    }


def force_layout(around: Mapping[str, list[str]], start: Mapping[str, tuple[int, int]] | None = None,
                 ) -> dict[str, tuple[int, int]]:
    """Positions where linked people sit about LINK_LENGTH apart and nobody sits on anyone.

    Every pair closer than REACH link lengths repels (k²/d), every link attracts (d²/k), a weak
    pull keeps separate parts near the middle; each round moves a person at most as far as a
    temperature that falls to nothing. Meant for a few hundred people or fewer. ``start``: the
    spiral layout of ``around``, where it is made already.
    """
    start = start if start is not None else spiral_layout(around)
    names = list(start)
    place = {person_id: number for number, person_id in enumerate(names)}
    links = sorted({tuple(sorted((place[first], place[second])))
                    for first, others in around.items() for second in others if second in place and first != second})
    xs = [float(start[person_id][0]) for person_id in names]
    ys = [float(start[person_id][1]) for person_id in names]
    count, squared, reach = len(names), LINK_LENGTH * LINK_LENGTH, REACH * LINK_LENGTH
    for round_number in range(ROUNDS):
        pushes_x, pushes_y = [0.0] * count, [0.0] * count
        for first, second in _close_pairs(xs, ys, reach):
            dx, dy = xs[first] - xs[second], ys[first] - ys[second]
            distance = dx * dx + dy * dy
            if distance < 1.0:  # on top of each other: apart along a line fixed by their places
                dx, dy, distance = 1.0, float(second - first), 1.0 + (second - first) ** 2
            force = squared / distance
            pushes_x[first] += dx * force
            pushes_y[first] += dy * force
            pushes_x[second] -= dx * force
            pushes_y[second] -= dy * force
        for first, second in links:
            dx, dy = xs[first] - xs[second], ys[first] - ys[second]
            force = math.sqrt(dx * dx + dy * dy) / LINK_LENGTH
            pushes_x[first] -= dx * force
            pushes_y[first] -= dy * force
            pushes_x[second] += dx * force
            pushes_y[second] += dy * force
        temperature = LINK_LENGTH * (1 - round_number / ROUNDS)
        for number in range(count):
            push_x = pushes_x[number] - GRAVITY * xs[number]
            push_y = pushes_y[number] - GRAVITY * ys[number]
            length = math.sqrt(push_x * push_x + push_y * push_y)
            if length > temperature:
                push_x, push_y = push_x * temperature / length, push_y * temperature / length
            xs[number] += push_x
            ys[number] += push_y
    middle_x, middle_y = sum(xs) / count if count else 0.0, sum(ys) / count if count else 0.0
    return {person_id: (round(xs[number] - middle_x), round(ys[number] - middle_y)) for number, person_id in enumerate(names)}


def _close_pairs(xs: list[float], ys: list[float], reach: float) -> list[tuple[int, int]]:
    """Pairs of people (first < second) in the same or neighbouring squares of a grid of side ``reach``."""
    cells: dict[tuple[int, int], list[int]] = {}
    for number, (x, y) in enumerate(zip(xs, ys)):
        cells.setdefault((math.floor(x / reach), math.floor(y / reach)), []).append(number)
    pairs = []
    for (column, row), members in cells.items():
        for other_column in (column - 1, column, column + 1):
            for other_row in (row - 1, row, row + 1):
                others = cells.get((other_column, other_row))
                if others:
                    pairs.extend((first, second) for first in members for second in others if first < second)
    return pairs
