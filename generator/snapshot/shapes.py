"""Reading a platform's JSON defensively: a missing or mistyped field is one clear error."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from generator.snapshot.model import SnapshotError


def field(data: Any, key: str, kind: type | tuple[type, ...], what: str, *, optional: bool = False) -> Any:
    """``data[key]`` when it is of ``kind``; a ``SnapshotError`` naming ``what`` otherwise."""
    value = data.get(key) if isinstance(data, dict) else None
    if value is None and optional:
        return None
    if not isinstance(value, kind) or isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        found = "nothing" if value is None else type(value).__name__
        raise SnapshotError(f"unexpected response: {what} has no valid '{key}' (found {found})",
                            "is --api-base the service's address? nothing was changed")
    return value


def count(data: Any, key: str) -> int:
    """A non-negative count, 0 when absent or not a number (counts are decoration, never a reason to fail)."""
    value = data.get(key) if isinstance(data, dict) else None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return max(number, 0)


def timestamp(value: Any, what: str) -> datetime:
    """An ISO 8601 date-time as UTC, to the second."""
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
        try:
            moment = datetime.fromisoformat(text if "." not in text else _trim_fraction(text))
        except ValueError:
            moment = None
        if moment is not None:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
            return moment.astimezone(timezone.utc).replace(microsecond=0)
    raise SnapshotError(f"unexpected response: {what} has no valid date ({value!r:.40})", "nothing was changed")


def _trim_fraction(text: str) -> str:
    """Python before 3.11 reads only 3 or 6 fraction digits: drop the fraction."""
    head, _, rest = text.partition(".")
    digits = len(rest) - len(rest.lstrip("0123456789"))
    return head + rest[digits:]
