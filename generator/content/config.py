"""``site.yaml`` -> ``SiteConfig``."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from generator.content.fields import (
    INVALID, Fields, boolean, expect_mapping, identifier, list_of, nonempty_text, positive_int, text,
)
from generator.channels import BUILT_IN, Channel, channel_table
from generator.content.source import Source
from generator.errors import quoted
from generator.model import NavLink, SiteConfig


def _base_url(source: Source, node: yaml.Node) -> Any:
    value = text(source, node)
    if value is INVALID:
        return INVALID
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        source.error(node, f"base_url must be an absolute http(s) URL, found {quoted(value)}",
                     "for a GitHub Pages project site: https://USER.github.io/REPO/")
        return INVALID
    return value.strip() if value.strip().endswith("/") else value.strip() + "/"


def _timezone(source: Source, node: yaml.Node) -> Any:
    value = text(source, node)
    if value is INVALID:
        return INVALID
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        source.error(node, f"unknown timezone {quoted(value)}", "use an IANA name such as Europe/Dublin or America/Vancouver")
        return INVALID
    return value


def _nav_link(source: Source, node: yaml.Node) -> Any:
    mapping = expect_mapping(source, node, "a nav link")
    if mapping is None:
        return INVALID
    fields = Fields(source, mapping, "a nav link")
    title = fields.get("title", nonempty_text, required=True)
    url = fields.get("url", nonempty_text, required=True)
    fields.finish()
    if url is not INVALID and urlsplit(url).scheme not in ("", "http", "https"):
        source.error(fields.node_of("url"), f"nav url must be a site path or an http(s) URL, found '{url}'")
        return INVALID
    return INVALID if INVALID in (title, url) else NavLink(title, url)


_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _colour(source: Source, node: yaml.Node) -> Any:
    value = text(source, node)
    if value is not INVALID and not _COLOUR.match(value):
        source.error(node, f"expected a colour as #rrggbb, found {quoted(value)}", "for example: colour: '#1185fe' (quoted: # starts a YAML comment)")
        return INVALID
    return value


def _channel(source: Source, node: yaml.Node) -> Any:
    """``{id, label, colour}``: a channel of the site's own."""
    mapping = expect_mapping(source, node, "a channel")
    if mapping is None:
        return INVALID
    fields = Fields(source, mapping, "a channel")
    channel_id = fields.get("id", identifier, required=True)
    label = fields.get("label", nonempty_text, required=True)
    colour = fields.get("colour", _colour, "")  # empty: the palette's next style
    fields.finish()
    return INVALID if INVALID in (channel_id, label, colour) else Channel(channel_id, label.strip(), colour.lower())


def _channels(source: Source, node: yaml.Node) -> Any:
    own = list_of(_channel)(source, node)
    if own is INVALID:
        return INVALID
    seen: set[str] = set()
    for channel, child in zip(own, node.value):
        if channel.id in seen:
            source.error(child, f"channel '{channel.id}' is defined twice in site.yaml", "remove one of them")
            return INVALID
        seen.add(channel.id)
    return tuple(channel_table(own).values())


def _reference(source: Source, node: yaml.Node) -> Any:
    value = identifier(source, node)
    return INVALID if value is INVALID else (value, node)


def _privacy(source: Source, node: yaml.Node) -> Any:
    """``privacy: {redact: [ids], noindex_people: bool}`` -> (redact references, noindex_people)."""
    mapping = expect_mapping(source, node, "privacy")
    if mapping is None:
        return INVALID
    fields = Fields(source, mapping, "privacy")
    redact = fields.get("redact", list_of(_reference), ())
    noindex = fields.get("noindex_people", boolean, False)
    fields.finish()
    return INVALID if INVALID in (redact, noindex) else (redact, noindex)


def read_config(source: Source, node: yaml.Node | None, base_url_override: str | None = None) -> tuple[SiteConfig | None, tuple]:
    """Validate site.yaml; the config (None when it has errors) and the person ids it names, with their nodes."""
    mapping = expect_mapping(source, node, "site.yaml")
    if mapping is None:
        return None, ()
    fields = Fields(source, mapping, "site.yaml")
    values = {
        "title": fields.get("title", nonempty_text, required=True),
        "description": fields.get("description", text, ""),
        "author": fields.get("author", nonempty_text, required=True),
        "base_url": fields.get("base_url", _base_url, required=base_url_override is None),
        "language": fields.get("language", nonempty_text, "en"),
        "timezone": fields.get("timezone", _timezone, "UTC"),
        "posts_per_page": fields.get("posts_per_page", positive_int, 10),
        "nav": fields.get("nav", list_of(_nav_link), ()),
        "channels": fields.get("channels", _channels, BUILT_IN),
        "search": fields.get("search", boolean, True),
    }
    privacy = fields.get("privacy", _privacy, ((), False))
    fields.finish()
    if base_url_override is not None:
        values["base_url"] = base_url_override if base_url_override.endswith("/") else base_url_override + "/"
    if privacy is INVALID or any(value is INVALID for value in values.values()):
        return None, ()
    references, noindex_people = privacy
    redact = tuple(sorted({person_id for person_id, _ in references}))
    return SiteConfig(**values, redact=redact, noindex_people=noindex_people), references
