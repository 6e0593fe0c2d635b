"""Remove e-mail and IP addresses and control characters from imported text.

Every string an importer writes passes through one ``Scrubber``, which counts what it
removed so that the import can say so. Addresses are replaced by a visible marker rather
than deleted, so a reader sees that something was there.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping

EMAIL_REMOVED = "[e-mail removed]"
IP_REMOVED = "[IP removed]"

# Local part, "@", then a host with at least one dot. Also finds an address written with
# HTML or URL escapes undone earlier (the converters unescape entities before this runs).
# Not right after "@": "@ali@mastodon.example" is a fediverse handle, not an address.
_EMAIL = re.compile(r"(?<![@\w.!#$%&'*+/=?^`{|}~-])[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}", re.UNICODE)
# Markdown links and autolinks whose target is a mailto: URL keep only their text.
_MAILTO_LINK = re.compile(r"\[([^\]\n]*)\]\(\s*<?mailto:[^)\n]*\)", re.I)
_MAILTO_AUTOLINK = re.compile(r"<mailto:[^>\s]*>", re.I)
_MAILTO = re.compile(r"mailto:[^\s)\]>\"']*", re.I)
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.]|\.\d)")
# Candidate IPv6 addresses: a "::" somewhere, or the full eight groups; ipaddress decides.
_IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![\w:])")
# C0 and C1 controls except tab and newline, and the Unicode line and paragraph separators
# that YAML and Markdown would read as line breaks.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufeff\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"\r\n?|[\x85\u2028\u2029]")


def _is_ipv6(text: str) -> bool:
    if "::" not in text and text.count(":") != 7:
        return False
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def _is_ipv4(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def clean_controls(text: str) -> str:
    """``text`` with line breaks as ``\\n`` and no control characters but tab and newline."""
    return _CONTROLS.sub("", _LINE_BREAKS.sub("\n", text))


class Scrubber:
    """Removes addresses from text and counts them (``emails``, ``ips``)."""

    def __init__(self) -> None:
        self.emails = 0
        self.ips = 0

    @property
    def removed(self) -> int:
        """How many addresses were removed so far."""
        return self.emails + self.ips

    def text(self, value: str) -> str:
        """``value`` without e-mail or IP addresses, mailto: links or control characters."""
        value = clean_controls(value)
        if "@" in value or "mailto:" in value.lower():
            value = _MAILTO_LINK.sub(self._mailto_text, value)
            value = _MAILTO_AUTOLINK.sub(self._email, value)
            value = _MAILTO.sub(self._email, value)
            value = _EMAIL.sub(self._email, value)
        if "." in value:
            value = _IPV4.sub(lambda m: self._ip(m, _is_ipv4), value)
        if ":" in value:
            value = _IPV6.sub(lambda m: self._ip(m, _is_ipv6), value)
        return value

    def url(self, value: str) -> str:
        """A URL to keep, or "" when it holds an address (a mailto:, a user@host, an IP host)."""
        scrubbed = self.text(value)
        return value if scrubbed == value else ""

    def data(self, value: object) -> object:
        """Every string inside mappings and lists scrubbed (keys too); other values as they are."""
        if isinstance(value, str):
            return type(value)(self.text(value)) if type(value) is not str else self.text(value)
        if isinstance(value, Mapping):
            return {self.data(key): self.data(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.data(item) for item in value]
        return value

    def _mailto_text(self, match: re.Match) -> str:
        self.emails += 1
        label = match.group(1)
        return EMAIL_REMOVED if _EMAIL.search(label) or not label.strip() else label

    def _email(self, match: re.Match) -> str:
        self.emails += 1
        return EMAIL_REMOVED

    def _ip(self, match: re.Match, valid) -> str:
        if not valid(match.group(0)):
            return match.group(0)
        self.ips += 1
        return IP_REMOVED
