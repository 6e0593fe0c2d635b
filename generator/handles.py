"""Link thread comments to people by the handles ``people.yaml`` lists for them.

A Bluesky, Mastodon or Twitter reply whose author handle (or a Webmention whose author
site) is one a person lists under ``handles`` is shown as that person: their name links to
their page, and the site's privacy rules then apply to it as to everything they wrote.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from generator.model import CaseStudy, Comment, Person, Site, Thread

#: Which handle of people.yaml identifies an author on each platform.
HANDLE_KEYS = {"bluesky": "bluesky", "mastodon": "mastodon", "twitter": "twitter", "webmention": "website"}


def normal_handle(platform_key: str, value: str) -> str:
    """A handle as compared: lower case, without '@' or the parts of a URL that vary."""
    value = value.strip().lower()
    if value.startswith(("http://", "https://")):
        parts = urlsplit(value)
        host, path = parts.netloc.removeprefix("www."), parts.path.strip("/")
        if platform_key == "website":
            return f"{host}/{path}".rstrip("/")
        if platform_key == "mastodon" and path.startswith("@"):
            return f"{path[1:]}@{host}"
        if platform_key == "bluesky" and path.startswith("profile/"):
            return path.removeprefix("profile/")
        return path.lstrip("@")
    if platform_key == "website":
        return value.rstrip("/").removeprefix("www.")
    return value.lstrip("@")


def _index(people: dict[str, Person]) -> dict[tuple[str, str], str]:
    index: dict[tuple[str, str], str] = {}
    for person_id, person in people.items():
        for key, handle in person.handles:
            if key in HANDLE_KEYS.values():
                index.setdefault((key, normal_handle(key, handle)), person_id)
    return index


def _comment(comment: Comment, key: str, index: dict[tuple[str, str], str]) -> Comment:
    person = comment.person
    if not person:
        found = comment.url if key == "website" else comment.handle
        person = index.get((key, normal_handle(key, found)), "") if found else ""
    replies = tuple(_comment(reply, key, index) for reply in comment.replies)
    return comment if (person, replies) == (comment.person, comment.replies) else replace(comment, person=person, replies=replies)


def _thread(thread: Thread, index: dict[tuple[str, str], str]) -> Thread:
    key = HANDLE_KEYS[thread.platform]
    comments = tuple(_comment(comment, key, index) for comment in thread.comments)
    return thread if comments == thread.comments else replace(thread, comments=comments)


def link_handles(site: Site) -> Site:
    """The site with each thread comment by a known handle attributed to its person."""
    index = _index(site.people)
    if not index or not any(study.comments and study.comments.threads for study in site.studies):
        return site
    studies: list[CaseStudy] = []
    for study in site.studies:
        snapshot = study.comments
        if snapshot and snapshot.threads:
            threads = tuple(_thread(thread, index) for thread in snapshot.threads)
            if threads != snapshot.threads:
                study = replace(study, comments=replace(snapshot, threads=threads))
        studies.append(study)
    return replace(site, studies=tuple(studies))
