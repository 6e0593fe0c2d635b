"""Typed reading of YAML nodes: every bad value becomes a positioned error, not an exception.

A ``Convert`` takes ``(source, node)`` and returns a Python value or ``INVALID`` after
recording an error. ``Fields`` reads one mapping against its known keys and reports
unknown keys with a "did you mean".
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit

import yaml

from generator.content.source import Source
from generator.errors import quoted


class _Invalid:
    """Marks a value that failed to convert (its error is already recorded)."""

    def __repr__(self) -> str:
        return "INVALID"

    def __bool__(self) -> bool:
        return False


INVALID: Any = _Invalid()
T = TypeVar("T")
Convert = Callable[[Source, yaml.Node], Any]

#: Ids, slugs and tag slugs. Matched with ``fullmatch``: ``$`` would also accept a final line break.
IDENTIFIER = re.compile(r"[a-z0-9][a-z0-9-]*")
#: The longest id or slug: it names a folder of the site, and file systems allow 255 bytes a name.
MAX_ID_LENGTH = 100
_NULL_TAG = "tag:yaml.org,2002:null"
_STR_TAG = "tag:yaml.org,2002:str"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_TYPE_NAMES = {
    "tag:yaml.org,2002:map": "a mapping",
    "tag:yaml.org,2002:seq": "a list",
    _NULL_TAG: "nothing (null)",
    _BOOL_TAG: "true/false",
    _INT_TAG: "a number",
    "tag:yaml.org,2002:float": "a number",
}


def describe(node: yaml.Node) -> str:
    """What kind of YAML value this is, for error messages."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return _TYPE_NAMES.get(node.tag) or quoted(str(node.value))


def suggest(word: str, choices: Iterable[str]) -> str:
    """A "did you mean" hint, or an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def expect_mapping(source: Source, node: yaml.Node | None, what: str) -> yaml.MappingNode | None:
    """The node as a mapping, or None with an error."""
    if isinstance(node, yaml.MappingNode):
        return node
    if node is None and source.unparsable:
        return None  # the YAML error already said why; a second message would only mislead
    found = "nothing" if node is None else describe(node)
    source.error(node, f"{what} must be a mapping of keys to values, not {found}")
    return None


def text(source: Source, node: yaml.Node) -> Any:
    """A single line or block of text (numbers and dates are taken as written)."""
    if isinstance(node, yaml.ScalarNode) and node.tag not in (_NULL_TAG, _BOOL_TAG):
        return node.value
    source.error(node, f"expected text, found {describe(node)}", "put the value in quotes if it is meant as text")
    return INVALID


def nonempty_text(source: Source, node: yaml.Node) -> Any:
    """Text that is not blank."""
    value = text(source, node)
    if value is not INVALID and not value.strip():
        source.error(node, "expected text, found an empty value")
        return INVALID
    return value


def boolean(source: Source, node: yaml.Node) -> Any:
    """true or false."""
    if isinstance(node, yaml.ScalarNode) and node.tag == _BOOL_TAG:
        return node.value.lower() in ("true", "yes", "on")
    source.error(node, f"expected true or false, found {describe(node)}")
    return INVALID


def positive_int(source: Source, node: yaml.Node) -> Any:
    """A whole number of at least 1."""
    if isinstance(node, yaml.ScalarNode) and node.tag == _INT_TAG:
        try:
            value = int(node.value.replace("_", ""), 0)
        except ValueError:
            value = 0
        if value >= 1:
            return value
    source.error(node, f"expected a whole number of at least 1, found {describe(node)}")
    return INVALID


def is_identifier(value: str) -> bool:
    """True for a valid id or slug: lower-case letters, digits and hyphens, at most ``MAX_ID_LENGTH`` long."""
    return len(value) <= MAX_ID_LENGTH and IDENTIFIER.fullmatch(value) is not None


def identifier_problem(value: str) -> tuple[str, str] | None:
    """Why ``value`` is not a valid id, and a hint; None when it is one."""
    if is_identifier(value):
        return None
    if len(value) > MAX_ID_LENGTH:
        return (f"{quoted(value)} is {len(value)} characters long; ids and slugs may have at most {MAX_ID_LENGTH}",
                "shorten it (it names a folder of the built site)")
    suggestion = slugify(value)[:MAX_ID_LENGTH].strip("-")
    hint = f"try '{suggestion}'" if suggestion else "use lower-case letters, digits and hyphens"
    return f"{quoted(value)} is not a valid id: use lower-case letters, digits and hyphens", hint


def identifier(source: Source, node: yaml.Node) -> Any:
    """An id: lower-case letters, digits and hyphens."""
    value = text(source, node)
    if value is INVALID:
        return INVALID
    problem = identifier_problem(value)
    if problem is not None:
        source.error(node, *problem)
        return INVALID
    return sys.intern(value)  # an id recurs in many connections: one string per id, not one per mention


def web_url(source: Source, node: yaml.Node) -> Any:
    """An absolute http(s) URL; other schemes (javascript:, data:) are refused."""
    value = text(source, node)
    if value is INVALID:
        return INVALID
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        source.error(node, f"expected an http:// or https:// URL, found {quoted(value)}")
        return INVALID
    return value.strip()


def one_of(choices: Sequence[str], what: str) -> Convert:
    """A converter accepting only ``choices`` (with a "did you mean" for near misses)."""

    def convert(source: Source, node: yaml.Node) -> Any:
        value = text(source, node)
        if value is INVALID:
            return INVALID
        if value not in choices:
            hint = suggest(value, choices) or "known values: " + ", ".join(choices)
            source.error(node, f"unknown {what} {quoted(value)}", hint)
            return INVALID
        return choices[choices.index(value)]  # the choice itself: a site holds it tens of thousands of times

    return convert


def list_of(item: Convert, *, min_items: int = 0) -> Convert:
    """A list of values. A single value is an error, not a one-item list: the format has one shape for lists."""

    def convert(source: Source, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.SequenceNode):
            hint = f"write it as a list: [{node.value}]" if isinstance(node, yaml.ScalarNode) and node.value else ""
            source.error(node, f"expected a list, found {describe(node)}", hint)
            return INVALID
        items = node.value
        if len(items) < min_items:
            source.error(node, f"expected at least {min_items} item(s), found {len(items)}")
            return INVALID
        values = []
        for child in items:
            if not source.visit(child):
                return INVALID
            values.append(item(source, child))
        return INVALID if any(value is INVALID for value in values) else tuple(values)

    return convert


@functools.lru_cache(maxsize=4096)  # tags are slugified for every story on every build
def slugify(value: str) -> str:
    """Lower-case ASCII words joined by hyphens, transliterated from any script.

    'Small World!' -> 'small-world'; 'Πώς γνωριστήκαμε' -> 'pos-gnoristikame'; '' when no
    letter or digit is left (emoji, punctuation).
    """
    # anyascii transliterates every script (Greek, Cyrillic, CJK, ...) to readable ASCII;
    # dropping what is not ASCII would leave only the Latin words of a mixed title.
    from anyascii import anyascii

    return re.sub(r"[^a-z0-9]+", "-", anyascii(value).lower()).strip("-")


#: Punctuation that tells tags apart ('C++', 'C#'), spelt out in their page's slug.
_SPELT_OUT = str.maketrans({"+": " plus ", "#": " sharp ", "&": " and ", "@": " at "})


@functools.lru_cache(maxsize=4096)
def tag_slug(tag: str) -> str:
    """The slug of a tag's page: 'Small World' -> 'small-world', 'C++' -> 'c-plus-plus', 'C#' -> 'c-sharp'.

    Other scripts are transliterated like any slug ('Партнёрство' -> 'partnerstvo'); tags
    that still meet on one slug are reported by ``check``. A tag of punctuation alone
    ('???') has nothing to transliterate: its slug is 'tag-' and a digest of it, the same
    on every build and different for every such tag.
    """
    slug = slugify(tag.translate(_SPELT_OUT))
    if slug:
        return slug
    return "tag-" + hashlib.blake2b(tag_spelling(tag).encode("utf-8"), digest_size=4).hexdigest()


def tag_spelling(tag: str) -> str:
    """What two tags must share to be one tag: case, spaces, hyphens and underscores aside."""
    return " ".join(re.split(r"[\s_-]+", unicodedata.normalize("NFC", tag).casefold())).strip()


class Fields:
    """Reads one YAML mapping against known keys; collects every error."""

    def __init__(self, source: Source, node: yaml.MappingNode, what: str):
        self.source = source
        self.node = node
        self.what = what
        self.values: dict[str, yaml.Node] = {}
        self.keys: dict[str, yaml.Node] = {}
        self._used: set[str] = set()
        for key_node, value_node in node.value:
            if not source.visit(value_node):
                break
            if not isinstance(key_node, yaml.ScalarNode):
                source.error(key_node, f"keys in {what} must be plain words, not {describe(key_node)}")
                continue
            key = key_node.value
            if key == "<<":  # YAML merge keys are resolved by the constructor, not by composing
                source.error(key_node, "merge keys ('<<') are not supported here", "write the keys out")
                continue
            if key in self.values:
                source.error(key_node, f"{quoted(key)} is given twice in {what}", "remove one of them")
                continue
            self.keys[key] = key_node
            self.values[key] = value_node

    def node_of(self, key: str) -> yaml.Node | None:
        """The value node of ``key`` (for positions), or None."""
        return self.values.get(key)

    def get(self, key: str, convert: Convert, default: Any = None, *, required: bool = False) -> Any:
        """Convert ``key``'s value; a missing required key is an error at the mapping."""
        self._used.add(key)
        node = self.values.get(key)
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG and not required):
            if required:
                self.source.error(self.node, f"{self.what} is missing the required key {quoted(key)}", f"add '{key}: ...'")
                return INVALID
            return default
        return convert(self.source, node)

    def finish(self, extra_known: Iterable[str] = ()) -> None:
        """Report every key that was never asked for."""
        known = self._used | set(extra_known)
        for key, key_node in self.keys.items():
            if key not in known:
                hint = suggest(key, known) or "known keys: " + ", ".join(sorted(known))
                self.source.error(key_node, f"unknown key {quoted(key)} in {self.what}", hint)
