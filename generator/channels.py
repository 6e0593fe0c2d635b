"""Channels: the ways people reach each other, with the label and colour pages show.

The built-in set covers the platforms case studies name today; ``site.yaml`` may add
channels of its own or give a built-in one another label or colour.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Channel:
    """One channel: its id (what content files write), its label (what pages show) and its colour."""

    id: str
    label: str
    colour: str


BUILT_IN: tuple[Channel, ...] = tuple(Channel(*row) for row in (
    ("twitter", "Twitter", "#1d8fd8"), ("facebook", "Facebook", "#3b5bbd"), ("linkedin", "LinkedIn", "#0a66c2"),
    ("instagram", "Instagram", "#c13584"), ("mastodon", "Mastodon", "#6364ff"), ("skype", "Skype", "#00a2d9"),
    ("video-call", "video call", "#0f9d8a"), ("phone", "phone", "#2e9d3a"), ("email", "e-mail", "#b7791f"),
    ("sms", "SMS", "#7a8b0c"), ("webinar", "webinar", "#d1495b"), ("face-to-face", "face to face", "#e07a1f"),
    ("blog-comment", "blog comment", "#8e5cc4"), ("blog", "blog", "#a05195"), ("forum", "forum", "#6b7280"),
    ("conference", "conference", "#c2410c"), ("other", "other", "#64748b"),
    ("bluesky", "Bluesky", "#1185fe"), ("threads", "Threads", "#3f3f46"), ("whatsapp", "WhatsApp", "#1f9e55"),
    ("signal", "Signal", "#3a76f0"), ("slack", "Slack", "#7c3085"), ("discord", "Discord", "#5865f2"),
    ("youtube", "YouTube", "#d91c1c"), ("tiktok", "TikTok", "#0f766e"), ("podcast", "podcast", "#9333ea"),
    ("newsletter", "newsletter", "#b45309"), ("meetup", "meetup", "#e0393e"),
))


def channel_table(own: Iterable[Channel] = ()) -> dict[str, Channel]:
    """Channel id -> channel: the built-in set, with the site's own added (or replacing a built-in one)."""
    table = {channel.id: channel for channel in BUILT_IN}
    table.update((channel.id, channel) for channel in own)
    return table
