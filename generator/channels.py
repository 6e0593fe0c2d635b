"""Channels: the ways people reach each other, with the label and line style pages show.

The built-in set covers the platforms case studies name today; ``site.yaml`` may add
channels of its own or give a built-in one another label or colour. Each channel gets the
next line style of the palette (``palette.py``) in table order, so the channels stories use
most are solid lines of seven clearly different colours and the rest add a dash pattern.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from generator.palette import LineStyle, line_style, swatch_for


@dataclass(frozen=True)
class Channel:
    """One channel: its id (what content files write), its label (what pages show), its line style.

    ``colour`` is the light-scheme colour and ``dark`` the dark-scheme one; a site's own channel
    may leave them empty to take the palette's next style.
    """

    id: str
    label: str
    colour: str = ""
    dark: str = ""
    dashes: bool | tuple[int, ...] = False

    def styled(self, style: LineStyle) -> Channel:
        """This channel with ``style``'s dash pattern, and its colours (unless it chose its own)."""
        swatch = swatch_for(self.colour) if self.colour else style.swatch
        return replace(self, colour=swatch.light, dark=swatch.dark, dashes=style.dashes)


_ROWS = (
    ("twitter", "Twitter"), ("face-to-face", "face to face"), ("phone", "phone"), ("email", "e-mail"),
    ("skype", "Skype"), ("webinar", "webinar"), ("linkedin", "LinkedIn"),
    ("facebook", "Facebook"), ("video-call", "video call"), ("conference", "conference"), ("blog-comment", "blog comment"),
    ("mastodon", "Mastodon"), ("other", "other"), ("instagram", "Instagram"),
    ("sms", "SMS"), ("blog", "blog"), ("forum", "forum"), ("bluesky", "Bluesky"),
    ("threads", "Threads"), ("whatsapp", "WhatsApp"), ("slack", "Slack"),
    ("signal", "Signal"), ("meetup", "meetup"), ("youtube", "YouTube"), ("discord", "Discord"),
    ("tiktok", "TikTok"), ("podcast", "podcast"), ("newsletter", "newsletter"),
)
BUILT_IN: tuple[Channel, ...] = tuple(Channel(id_, label).styled(line_style(number)) for number, (id_, label) in enumerate(_ROWS))


def channel_table(own: Iterable[Channel] = ()) -> dict[str, Channel]:
    """Channel id -> channel: the built-in set, with the site's own added (or replacing a built-in one).

    A replaced built-in keeps its place (and dash pattern); a new channel takes the next style.
    """
    table = {channel.id: channel for channel in BUILT_IN}
    places = {channel_id: number for number, channel_id in enumerate(table)}
    for channel in own:
        number = places.setdefault(channel.id, len(places))
        table[channel.id] = channel.styled(line_style(number))
    return table
