"""Build-time summaries of a story: its figures and its relationship timeline (no JavaScript)."""

from __future__ import annotations

from typing import Any

from generator.model import STAGE_NAMES, CaseStudy, PartialDate, Site


def _span(first: PartialDate, last: PartialDate) -> str:
    """'about 3 months' between two partial dates, at the precision both are known to."""
    if not (first.month and last.month):
        years = last.year - first.year
        return f"about {years} year{'s' if years != 1 else ''}" if years else "under a year"
    days = (last.first_day - first.first_day).days
    if first.day and last.day and days < 60:
        return f"{days} day{'s' if days != 1 else ''}"
    months = round(days / 30.44)
    if months < 24:
        return f"about {months} month{'s' if months != 1 else ''}"
    return f"about {round(days / 365.25)} years"


def story_figures(site: Site, study: CaseStudy) -> list[tuple[str, str]]:
    """(label, value) pairs shown beside the graph."""
    connections = study.connections
    if not connections:
        return []
    channels = list(dict.fromkeys(channel for connection in connections for channel in connection.channels))
    bridges = list(dict.fromkeys(bridge for connection in connections for bridge in connection.via))
    deepest = max(connection.depth for connection in connections)
    figures = [
        ("Chain length", f"{len(connections)} connection{'s' if len(connections) != 1 else ''}"),
        ("People and groups", str(len(study.people))),
        ("Channels used", ", ".join(site.config.channel_table[channel].label for channel in channels) or "none recorded"),
        ("Bridges", ", ".join(site.people[bridge].display_name for bridge in bridges) or "none"),
        ("Deepest stage reached", f"{STAGE_NAMES[deepest - 1]} ({deepest} of {len(STAGE_NAMES)})"),
        ("Met in person", f"{sum(c.met_in_person for c in connections)} of {len(connections)} pairs"),
    ]
    dated = [(stage.date, stage.depth) for connection in connections for stage in connection.stages if stage.date]
    if len(dated) >= 2:
        first = min(dated)[0]
        deepest_dated = max(dated, key=lambda item: (item[1], item[0]))[0]
        if deepest_dated > first:
            figures.append(("First contact to deepest stage", _span(first, deepest_dated)))
    return figures


def timeline_rows(site: Site, study: CaseStudy) -> list[dict[str, Any]]:
    """For each connection, one cell per stage of the depth scale: reached (with order, date, channel) or not."""
    rows = []
    for connection in study.connections:
        reached: dict[str, list[tuple[int, Any]]] = {}
        for order, stage in enumerate(connection.stages, start=1):
            reached.setdefault(stage.stage, []).append((order, stage))
        cells = [
            {"stage": name, "steps": [
                {"order": order, "date": stage.date, "channel": stage.channel} for order, stage in reached.get(name, [])
            ]}
            for name in STAGE_NAMES
        ]
        rows.append({
            "pair": tuple(site.people[person_id].display_name for person_id in connection.between),
            "depth": connection.depth,
            "met_in_person": connection.met_in_person,
            "cells": cells,
        })
    return rows
