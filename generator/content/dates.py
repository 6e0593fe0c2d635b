"""Dates as authors write them: ISO dates, date-times, partial dates and fuzzy text."""

from __future__ import annotations

import functools
import re
from datetime import datetime, tzinfo
from typing import Any

import yaml

from generator.content.fields import INVALID, text
from generator.content.source import Source
from generator.errors import quoted
from generator.model import PartialDate, When

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\Z")
_LOOKS_LIKE_DATE = re.compile(r"^\d{4}-\d")
_EXAMPLE = "write dates as YYYY-MM-DD or YYYY-MM-DDTHH:MM (optionally with +HH:MM)"


@functools.lru_cache(maxsize=4096)
def _partial(value: str) -> PartialDate | None:
    # Cached: the same dates recur across stories, and one object per date is one object in
    # the cached state (issue 6) however many stages share it.
    match = _PARTIAL.match(value)
    if not match:
        return None
    year, month, day = (int(part) if part else 0 for part in match.groups())
    try:
        datetime(year, month or 1, day or 1)
    except ValueError:
        return None
    return PartialDate(year, month, day)


def parse_datetime(value: str, zone: tzinfo) -> datetime | None:
    """An aware datetime from ISO text; dates are midnight and naive times are in ``zone``."""
    value = value.strip()
    if not re.match(r"^\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace(" ", "T", 1) if " " in value else value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def datetime_field(zone: tzinfo):
    """A converter for a required date or date-time."""

    def convert(source: Source, node: yaml.Node) -> Any:
        value = text(source, node)
        if value is INVALID:
            return INVALID
        parsed = parse_datetime(value, zone)
        if parsed is None:
            source.error(node, f"{quoted(value)} is not a date", _EXAMPLE)
            return INVALID
        return parsed

    return convert


def partial_date(source: Source, node: yaml.Node) -> Any:
    """YYYY, YYYY-MM or YYYY-MM-DD."""
    value = text(source, node)
    if value is INVALID:
        return INVALID
    parsed = _partial(value.strip())
    if parsed is None:
        source.error(node, f"{quoted(value)} is not a date", "write YYYY, YYYY-MM or YYYY-MM-DD")
        return INVALID
    return parsed


def when(source: Source, node: yaml.Node) -> Any:
    """A partial date, or free text such as 'for 2-3 years'; text that looks like a bad date is an error."""
    value = text(source, node)
    if value is INVALID:
        return INVALID
    value = value.strip()
    parsed = _partial(value)
    if parsed is not None:
        return When(date=parsed)
    if _PARTIAL.match(value) or _LOOKS_LIKE_DATE.match(value):
        source.error(node, f"{quoted(value)} is not a date", "write YYYY, YYYY-MM or YYYY-MM-DD, or words such as 'for 2-3 years'")
        return INVALID
    return When(text=value)
