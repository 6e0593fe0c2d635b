"""deepening.py and deepening_chart.py: the days from first step to each stage, summed up, on hand-computed cases."""

from __future__ import annotations

import pytest

from generator.content.load import load_site
from generator.deepening import (BRIDGE_MEANINGS, NO_CHANNEL, Reach, days_between, deepening, pair_timeline, quantile,
                                 site_deepening, spread)
from generator.deepening_chart import FONT_SIZE, WIDTH, chart, ticks
from generator.model import BRIDGES, STAGE_NAMES, Connection, PartialDate, Stage, When


def _date(text: str) -> PartialDate:
    return PartialDate(*map(int, text.split("-")))


def _pair(*stages: tuple[str, str | None, str], bridge: str = "direct", channels: tuple[str, ...] = (),
          when: str | None = None) -> Connection:
    """A connection from (stage, date or None, channel) triples."""
    steps = tuple(Stage(name, _date(day) if day else None, channel) for name, day, channel in stages)
    return Connection(("a", "b"), (), bridge, channels or tuple(dict.fromkeys(s.channel for s in steps if s.channel)),
                      When(_date(when)) if when else None, False, "", steps)


def _days(connection: Connection) -> dict[str, int | None]:
    return {reach.stage: reach.days for reach in pair_timeline(connection).reaches}


def test_days_are_counted_at_the_precision_both_dates_are_known_to():
    assert days_between(_date("2020-01-30"), _date("2020-03-01")) == (31, False)  # 2020 is a leap year
    assert days_between(_date("2020-01-30"), _date("2020-03")) == (60, True)  # firsts of January and March
    assert days_between(_date("2020-01"), _date("2020-01-20")) == (0, True)  # the same month
    assert days_between(_date("2020"), _date("2020-05-01")) is None
    assert days_between(_date("2020-05-01"), _date("2021")) is None


def test_quartiles_interpolate_linearly_between_the_closest_ranks():
    values = [1.0, 2.0, 3.0, 4.0]
    assert (quantile(values, 0.25), quantile(values, 0.5), quantile(values, 0.75)) == (1.75, 2.5, 3.25)
    assert quantile([5.0], 0.25) == quantile([5.0], 0.75) == 5.0
    summary = spread([(10, False), (0, False), (30, True), (20, False), (40, False)])
    assert (summary.count, summary.minimum, summary.lower, summary.median, summary.upper, summary.maximum) == (
        5, 0.0, 10.0, 20.0, 30.0, 40.0)
    assert summary.approximate == 1
    assert spread([]) is None


def test_each_stage_is_measured_from_the_first_step():
    pair = _pair(("noticed", "2020-01-01", "webinar"), ("contact", "2020-01-11", "twitter"),
                 ("call", "2020-02-01", "phone"), ("working", None, ""))
    timeline = pair_timeline(pair)
    assert timeline.channel == "webinar" and timeline.bridge == "direct" and not timeline.out_of_order
    assert timeline.reaches == (Reach("noticed", first=True), Reach("contact", 10), Reach("call", 31), Reach("working"))


def test_an_undated_first_step_takes_the_connections_when_date_else_nothing_is_timed():
    steps = (("noticed", None, "twitter"), ("call", "2010-06", "phone"))
    assert _days(_pair(*steps, when="2010-01-15")) == {"noticed": None, "call": 151}  # 1 January to 1 June
    assert pair_timeline(_pair(*steps, when="2010-01-15")).reaches[1].approximate
    assert _days(_pair(*steps)) == {"noticed": None, "call": None}
    assert _days(_pair(*steps, when="2010")) == {"noticed": None, "call": None}  # a year is too coarse


def test_single_same_day_repeated_and_out_of_order_stages():
    single = pair_timeline(_pair(("meeting", "2011-05-17", "face-to-face")))
    assert single.reaches == (Reach("meeting", first=True),)  # its own day 0 is not a measure
    assert _days(_pair(("contact", "2020-01-01", ""), ("conversation", "2020-01-01", ""))) == {"contact": None,
                                                                                                "conversation": 0}
    repeated = _pair(("contact", "2020-01-01", ""), ("call", "2020-03-01", ""), ("call", "2020-02-01", ""))
    assert _days(repeated) == {"contact": None, "call": 31}  # the earliest call
    backwards = pair_timeline(_pair(("contact", "2020-05-01", ""), ("meeting", "2020-04-01", ""), ("working", "2020-06-01", "")))
    assert backwards.out_of_order
    assert {reach.stage: reach.days for reach in backwards.reaches} == {"contact": None, "meeting": None, "working": 31}
    # A stage listed again after the pair began there is still where it began.
    again = pair_timeline(_pair(("contact", "2020-01-01", ""), ("call", "2020-01-05", ""), ("contact", "2020-01-09", "")))
    assert again.reaches[0] == Reach("contact", first=True)


def test_the_channel_of_first_contact_falls_back_to_the_connections_first_channel():
    assert pair_timeline(_pair(("contact", None, ""), ("call", None, "phone"), channels=("email", "phone"))).channel == "email"
    assert pair_timeline(_pair(("contact", None, ""))).channel == NO_CHANNEL


def test_pairs_are_summed_up_by_stage_channel_and_bridge_in_a_fixed_order():
    pairs = [
        _pair(("contact", "2020-01-01", "twitter"), ("call", "2020-01-11", "phone"), bridge="community"),
        _pair(("contact", "2020-01-01", "email"), ("call", "2020-01-31", "phone"), ("meeting", "2020-03", ""),
              bridge="introduction"),
        _pair(("noticed", None, "twitter"), ("call", None, ""), bridge="community"),
        _pair(("contact", "2020-02-01", ""), bridge="direct"),
    ]
    summary = deepening([pair_timeline(pair) for pair in pairs], 2, ("twitter", "phone", "email"))
    assert summary.pairs == 4 and summary.stories == 2 and summary.out_of_order == 0
    overall = {stage.stage: stage for stage in summary.overall.stages}
    assert tuple(overall) == STAGE_NAMES
    assert (overall["contact"].reached, overall["contact"].began, overall["contact"].spread) == (3, 3, None)
    call = overall["call"]
    assert (call.reached, call.began, call.spread.count, call.spread.median, call.spread.minimum, call.spread.maximum) == (
        3, 0, 2, 20.0, 10.0, 30.0)
    assert (call.spread.lower, call.spread.upper) == (15.0, 25.0)
    meeting = overall["meeting"].spread
    assert (meeting.count, meeting.median, meeting.approximate) == (1, 60.0, 1)  # 1 January to 1 March
    assert overall["working"].reached == 0 and overall["working"].spread is None
    assert [group.key for group in summary.by_channel] == ["twitter", "email", NO_CHANNEL]
    assert [group.pairs for group in summary.by_channel] == [2, 1, 1]
    assert [group.key for group in summary.by_bridge] == ["direct", "introduction", "community"]
    twitter = {stage.stage: stage for stage in summary.by_channel[0].stages}
    assert twitter["call"].reached == 2 and twitter["call"].spread.count == 1 and twitter["call"].spread.median == 10.0
    assert not summary.by_bridge[0].measured and summary.by_bridge[1].measured
    assert summary.longest == 60.0
    # The same pairs in another order sum up the same.
    assert deepening([pair_timeline(pair) for pair in reversed(pairs)], 2, ("twitter", "phone", "email")) == summary


def test_no_pairs_sum_up_to_an_empty_page():
    summary = deepening([], 0, ("twitter",))
    assert summary.pairs == 0 and summary.by_channel == () and summary.by_bridge == () and summary.longest == 0
    assert not summary.overall.measured


def test_every_bridge_kind_is_explained():
    assert tuple(BRIDGE_MEANINGS) == BRIDGES


def test_a_site_is_summed_up_from_every_story(make_site):
    dated = ("connections:\n  - between: [tess, ann]\n    bridge: event\n    stages:\n"
             "      - {stage: noticed, date: 2019-03-01, channel: conference}\n"
             "      - {stage: working, date: 2019-03-15, channel: email}\n")
    root = make_site(stories=("first", "second"), files={"stories/second/story.yaml": dated})
    site = load_site(root / "content")[0]
    summary = site_deepening(site)
    assert summary.pairs == 3 and summary.stories == 2
    working = {stage.stage: stage for stage in summary.overall.stages}["working"]
    assert (working.reached, working.spread.median) == (1, 14.0)
    assert [group.key for group in summary.by_channel] == ["twitter", "email", "conference"]  # the table's order
    assert [group.key for group in summary.by_bridge] == ["direct", "community", "event"]


@pytest.mark.parametrize("longest", [0, 1, 6, 45, 400, 4000, 30000])
def test_charts_keep_their_size_text_and_ticks_apart(longest):
    timelines = [pair_timeline(_pair(("contact", "2000-01-01", ""), ("call", "2000-01-01", "")))]
    group = deepening(timelines, 1, ()).overall
    drawn = chart(group, longest)
    assert drawn.width == WIDTH and drawn.font_size == FONT_SIZE >= 12
    assert [row.stage for row in drawn.rows] == list(STAGE_NAMES)
    assert [row.reached for row in drawn.rows] == [False, True, False, True, False, False, False]
    call = drawn.rows[3].box
    assert call.minimum == call.median == call.maximum == drawn.left  # 0 days is the track's start
    marks = ticks(longest)
    assert marks[0].label == "0" and marks[0].x == drawn.left
    assert all(second.x - first.x >= 36 for first, second in zip(marks, marks[1:]))
    assert all(drawn.left <= tick.x <= drawn.right < drawn.count_x - 30 for tick in marks)
    assert drawn.height > drawn.axis_y > drawn.rows[-1].y
