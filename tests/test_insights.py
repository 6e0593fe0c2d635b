"""insights.py: the figures beside a story's graph and its relationship timeline."""

from __future__ import annotations

from textwrap import dedent

import pytest

from generator.content.load import load_site
from generator.insights import story_figures, timeline_rows
from generator.model import STAGE_NAMES


def _study(make_site, story_yaml: str):
    root = make_site(files={"stories/first/story.yaml": dedent(story_yaml)})
    site = load_site(root / "content")[0]
    return site, site.studies[0]


def _dated(first: str, last: str) -> str:
    return f"""\
        connections:
          - between: [tess, ann]
            stages:
              - stage: contact
                date: {first}
                channel: twitter
              - stage: meeting
                date: {last}
        """


def test_figures_sum_up_the_chain(make_site):
    site, study = _study(make_site, """\
        connections:
          - between: [tess, ann]
            via: [club]
            channels: [twitter, skype]
            stages: [contact, call]
          - between: [ann, bob]
            stages:
              - stage: meeting
                channel: face-to-face
        """)
    figures = dict(story_figures(site, study))
    assert figures["Chain length"] == "2 connections"
    assert figures["People and groups"] == "4"
    assert figures["Channels used"] == "Twitter, Skype, face to face"  # in the order first used, by their labels
    assert figures["Bridges"] == "The Club"
    assert figures["Deepest stage reached"] == f"meeting (5 of {len(STAGE_NAMES)})"
    assert figures["Met in person"] == "1 of 2 pairs"
    assert "First contact to deepest stage" not in figures  # no dates, no span


def test_one_connection_is_singular_and_no_bridge_says_none(make_site):
    site, study = _study(make_site, """\
        connections:
          - between: [tess, ann]
            stages: [noticed]
        """)
    figures = dict(story_figures(site, study))
    assert figures["Chain length"] == "1 connection"
    assert figures["Bridges"] == "none"
    assert figures["Channels used"] == "none recorded"


def test_a_story_without_connections_has_no_figures(make_site):
    site, study = _study(make_site, "connections: []\n")
    assert story_figures(site, study) == []
    assert timeline_rows(site, study) == []


@pytest.mark.parametrize(("first", "last", "span"), [
    ("2011-05-01", "2011-05-18", "17 days"),
    ("2011-05-01", "2011-05-02", "1 day"),
    ("2011-01-10", "2011-06-10", "about 5 months"),
    ("2011-05", "2011-06", "about 1 month"),
    ("2010", "2013", "about 3 years"),
    ("2010", "2011", "about 1 year"),
    ("2009-01-01", "2012-10-01", "about 4 years"),
])
def test_time_to_the_deepest_stage_is_given_at_the_precision_of_the_dates(make_site, first, last, span):
    site, study = _study(make_site, _dated(first, last))
    assert dict(story_figures(site, study))["First contact to deepest stage"] == span


def test_no_span_when_the_deepest_stage_is_not_later(make_site):
    site, study = _study(make_site, _dated("2011-05-18", "2011-05-18"))
    assert "First contact to deepest stage" not in dict(story_figures(site, study))


def test_the_timeline_has_a_row_per_pair_and_a_cell_per_stage(make_site):
    site, study = _study(make_site, """\
        connections:
          - between: [tess, ann]
            stages:
              - stage: contact
                channel: twitter
                date: 2011-05-01
              - stage: conversation
              - stage: contact
                channel: email
          - between: [ann, bob]
            stages: [meeting]
        """)
    rows = timeline_rows(site, study)
    assert [row["pair"] for row in rows] == [("Tess Author", "Ann Example"), ("Ann Example", "Bob Example")]
    first = rows[0]
    assert [cell["stage"] for cell in first["cells"]] == list(STAGE_NAMES)
    cells = {cell["stage"]: cell["steps"] for cell in first["cells"]}
    # Steps keep the order they were listed in: contact came first and again third.
    assert [(step["order"], step["channel"]) for step in cells["contact"]] == [(1, "twitter"), (3, "email")]
    assert cells["contact"][0]["date"].year == 2011
    assert [step["order"] for step in cells["conversation"]] == [2]
    assert cells["meeting"] == [] and cells["partnership"] == []
    assert first["depth"] == 3 and first["met_in_person"] is False
    assert rows[1]["depth"] == 5 and rows[1]["met_in_person"] is True
