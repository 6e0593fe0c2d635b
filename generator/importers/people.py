"""Map WordPress authors and commenters to person ids, reusing the site's people."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from generator.content.fields import MAX_ID_LENGTH


def slugify(text: str) -> str:
    """Lower-case ASCII letters, digits and hyphens (``Zoë Ng`` -> ``zoe-ng``); may be empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def name_key(name: str) -> str:
    """How two names are compared: exactly, once runs of spaces are one space."""
    return " ".join(name.split())


@dataclass(frozen=True)
class NewPerson:
    """A person the import adds to ``people.yaml``."""

    id: str
    name: str
    links: tuple[str, ...]
    role: str  # "author" or "commenter"
    first_story: str  # the slug of the first imported story that names them


class PeopleDirectory:
    """Hands out person ids during one import: existing people first, then new, unique ids.

    Matching is explicit: a name listed in ``mapping`` (the ``--people-map`` file) gets the id
    it names; otherwise a person of ``people.yaml`` whose ``name`` is exactly the name (runs
    of spaces aside; case counts). A WordPress user id or e-mail address is never used: the
    first is not shown anywhere, the second must not be kept.
    """

    def __init__(self, existing: Mapping[str, object], mapping: Mapping[str, str] | None = None):
        self._ids: set[str] = {str(key) for key in existing}
        self._by_name: dict[str, str] = {name_key(name): person_id for name, person_id in (mapping or {}).items()}
        for key, entry in existing.items():
            if isinstance(entry, Mapping) and isinstance(entry.get("name"), str):
                self._by_name.setdefault(name_key(entry["name"]), str(key))
        self._added: dict[str, NewPerson] = {}

    @property
    def added(self) -> tuple[NewPerson, ...]:
        """The people this import adds, in the order they were first met."""
        return tuple(self._added.values())

    def lookup(self, name: str) -> str | None:
        """The id of a known or already added person with this name, if any."""
        return self._by_name.get(name_key(name))

    def person_for(self, name: str, role: str, story: str, fallback: str, link: str = "") -> str:
        """The id for ``name``, adding a new person when nobody of that name is known yet.

        ``fallback`` is the id stem to use when the name has no Latin letters or digits.
        """
        known = self.lookup(name)
        if known is not None:
            return known
        # Room for a '-N' suffix within the longest id a site allows (it names a folder).
        stem = (slugify(name) or fallback)[:MAX_ID_LENGTH - 8].strip("-") or "person"
        candidate, number = stem, 1
        while candidate in self._ids:
            number += 1
            candidate = f"{stem}-{number}"
        self._ids.add(candidate)
        self._by_name[name_key(name)] = candidate
        self._added[candidate] = NewPerson(candidate, " ".join(name.split()), (link,) if link else (), role, story)
        return candidate

    def is_new(self, person_id: str) -> bool:
        """Whether this import added ``person_id``."""
        return person_id in self._added
