"""schema.org JSON-LD for story and person pages: what search engines and other tools read of them.

A story is a ``BlogPosting`` by its author that mentions the people of its chain; a person
page describes a ``Person`` (an ``Organization`` for a community or platform, an ``Event``
for an event) and, for a person, everyone they ``knows`` through a connection of a built
story. Made from the site after ``privacy.py``: a redacted person appears only by their
public label, without links, handles or bio. Templates write the result with
``script_json``, which escapes it for ``<script>``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from generator.model import CaseStudy, Person, Site

#: The schema.org type of each kind of person.
SCHEMA_TYPES = {"person": "Person", "community": "Organization", "platform": "Organization", "event": "Event"}


def _page_url(site: Site, url_path: str) -> str:
    return site.config.base_url + url_path.lstrip("/")


def _reference(site: Site, person: Person) -> dict[str, Any]:
    """A person as another item names them: type, id (their page's address), name and page."""
    url = _page_url(site, person.url_path)
    return {"@type": SCHEMA_TYPES[person.kind], "@id": f"{url}#{person.kind}", "name": person.display_name, "url": url}


def story_structured_data(site: Site, study: CaseStudy) -> dict[str, Any]:
    """A story as a schema.org ``BlogPosting``."""
    url = _page_url(site, study.url_path)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "@id": f"{url}#post",
        "url": url,
        "mainEntityOfPage": url,
        "headline": study.title,
        "datePublished": study.date.isoformat(timespec="seconds"),
        "inLanguage": site.config.language,
        "author": _reference(site, site.people[study.author]),
        "isPartOf": {"@type": "Blog", "name": site.config.title, "url": site.config.base_url},
    }
    if study.summary:
        data["description"] = study.summary
    if study.tags:
        data["keywords"] = list(study.tags)
    if study.cover:
        data["image"] = urljoin(url, study.cover)
    mentioned = [site.people[person_id] for person_id in study.people if person_id != study.author]
    if mentioned:
        data["mentions"] = [_reference(site, person) for person in mentioned]
    return data


def acquaintances(site: Site, person_id: str) -> list[str]:
    """Everyone of kind person who shares a connection with ``person_id`` in a built story, by id."""
    known = {other for study in site.studies_of(person_id) for connection in study.connections
             if person_id in connection.between for other in connection.between if other != person_id}
    return sorted(other for other in known if site.people[other].kind == "person")


def person_structured_data(site: Site, person: Person) -> dict[str, Any]:
    """A person page as a schema.org ``Person`` who ``knows`` people (or an ``Organization``, an ``Event``)."""
    data: dict[str, Any] = {"@context": "https://schema.org", **_reference(site, person)}
    if person.location:
        data["homeLocation" if person.kind == "person" else "location"] = {"@type": "Place", "name": person.location}
    if person.bio:
        data["description"] = person.bio
    if person.links:
        data["sameAs"] = list(person.links)
    if person.kind == "person":
        known = acquaintances(site, person.id)
        if known:
            data["knows"] = [_reference(site, site.people[other]) for other in known]
    return data
