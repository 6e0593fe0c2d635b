"""The channel palette: every pair of line styles tells apart for every reader, in both schemes."""

from __future__ import annotations

import itertools
import re

import pytest

from colour_vision import VISIONS, ciede2000, difference
from conftest import REPO
from generator.channels import Channel, channel_table
from generator.palette import BACKGROUNDS, CATEGORICAL, DASHES, MINIMUM_CONTRAST, contrast, line_style, swatch_for

#: The least CIEDE2000 difference between two line colours (2.3 is a just-noticeable difference).
CLEARLY_DIFFERENT = 6.0


@pytest.mark.parametrize(("first", "second", "expected"), [  # Sharma, Wu and Dalal (2005), table 1, pairs 1, 3 and 17
    ((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
    ((50, -1.3802, -84.2814), (50, 0, -82.7485), 1.0),
    ((50, 2.5, 0), (73, 25, -18), 27.1492),
])
def test_ciede2000_matches_the_published_test_data(first, second, expected):
    assert ciede2000(first, second) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_palette_colour_differs_clearly_for_every_reader(scheme):
    colours = [getattr(swatch, scheme) for swatch in CATEGORICAL]
    for vision in VISIONS:
        worst = min((difference(a, b, vision), a, b) for a, b in itertools.combinations(colours, 2))
        assert worst[0] >= CLEARLY_DIFFERENT, (scheme, vision, worst)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_channel_line_has_3_to_1_contrast_and_a_style_of_its_own(scheme):
    table = channel_table([Channel("carrier-pigeon", "carrier pigeon"), Channel("fax", "fax", "#fff59d")])
    background = BACKGROUNDS[scheme]
    colour = {channel.id: channel.colour if scheme == "light" else channel.dark for channel in table.values()}
    for channel in table.values():
        assert contrast(colour[channel.id], background) >= MINIMUM_CONTRAST, channel
    for first, second in itertools.combinations(table.values(), 2):
        if first.dashes != second.dashes:
            continue  # the dash pattern tells them apart, whatever the colour
        for vision in VISIONS:
            assert difference(colour[first.id], colour[second.id], vision) >= CLEARLY_DIFFERENT, (first.id, second.id, vision)


def test_there_are_more_line_styles_than_built_in_channels():
    styles = {(line_style(number).swatch, line_style(number).dashes) for number in range(len(CATEGORICAL) * len(DASHES))}
    assert len(styles) == len(CATEGORICAL) * len(DASHES) > len(channel_table())


def test_a_site_colour_is_kept_where_readable_and_adjusted_where_not():
    assert swatch_for("#0072B2").light == "#0072b2"
    pale = swatch_for("#fff59d")
    assert contrast(pale.light, BACKGROUNDS["light"]) >= MINIMUM_CONTRAST and pale.dark == "#fff59d"


def test_the_theme_draws_graphs_on_the_palettes_backgrounds():
    css = (REPO / "generator/theme/assets/style.css").read_text()
    assert re.findall(r"--graph-bg: (#[0-9a-f]{6})", css) == [BACKGROUNDS["light"], BACKGROUNDS["dark"]]
