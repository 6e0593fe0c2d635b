"""The privacy stage: show people the way they agreed to be shown.

``apply_privacy(site)`` is a pure ``Site -> Site`` step between validation and planning.
For each person listed under ``privacy.redact`` in site.yaml it replaces their id with an
opaque one, their name with their label (or "someone from <location>"), drops their links,
handles and bio, and replaces their full name wherever it is written: titles, summaries,
post bodies, connection and stage notes, and the comments they wrote. Because every later
stage reads only the model, no page, graph, feed or snapshot can still carry the name.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace

from generator.model import CaseStudy, Comment, CommentSnapshot, Connection, Person, Site


def public_label(person: Person) -> str:
    """How a redacted person is shown: their label, else a description that names no one."""
    if person.label:
        return person.label
    noun = {"person": "someone", "community": "a community", "event": "an event", "platform": "a platform"}[person.kind]
    return f"{noun} from {person.location}" if person.location else noun


def _spellings(name: str) -> list[str]:
    """The ways a name can appear in text and rendered HTML (typographic apostrophes, escaping)."""
    variants = {name, name.replace("'", "\u2019")}
    variants |= {html.escape(variant, quote=True) for variant in list(variants)}
    variants |= {html.escape(variant, quote=False) for variant in list(variants)}
    return sorted(variants, key=len, reverse=True)


@dataclass(frozen=True)
class _Labels:
    """Public labels of redacted people, by id and by full name."""

    by_id: dict[str, str]
    by_name: dict[str, str]


class _Scrubber:
    """Replaces every redacted full name with its public label."""

    def __init__(self, replacements: dict[str, str]):
        pairs = {spelling: label for name, label in replacements.items() for spelling in _spellings(name) if name.strip()}
        self.pairs = pairs
        self.pattern = re.compile("|".join(re.escape(spelling) for spelling in sorted(pairs, key=len, reverse=True))) if pairs else None

    def text(self, value: str) -> str:
        return self.pattern.sub(lambda match: self.pairs[match.group(0)], value) if self.pattern and value else value

    def html(self, value: str) -> str:
        # Labels are plain text; escape them for HTML (the pattern only matches text, never tags).
        if not self.pattern or not value:
            return value
        return self.pattern.sub(lambda match: html.escape(self.pairs[match.group(0)], quote=False), value)


def _comment(comment: Comment, ids: dict[str, str], labels: "_Labels", scrub: _Scrubber) -> Comment:
    if comment.person in ids:
        author, theirs = labels.by_id[comment.person], True
    elif comment.author in labels.by_name:
        author, theirs = labels.by_name[comment.author], True
    else:
        author, theirs = scrub.text(comment.author), False
    return replace(
        comment,
        author=author,
        person=ids.get(comment.person, comment.person),
        url="" if theirs else comment.url,
        # A handle or a link to their post names them as surely as their name does.
        handle="" if theirs else comment.handle,
        original="" if theirs else comment.original,
        body_html=scrub.html(comment.body_html),
        replies=tuple(_comment(reply, ids, labels, scrub) for reply in comment.replies),
    )


def _connection(connection: Connection, ids: dict[str, str], scrub: _Scrubber) -> Connection:
    return replace(
        connection,
        between=tuple(ids.get(person, person) for person in connection.between),
        via=tuple(ids.get(person, person) for person in connection.via),
        summary=scrub.text(connection.summary),
        stages=tuple(replace(stage, note=scrub.text(stage.note)) for stage in connection.stages),
    )


def _study(study: CaseStudy, ids: dict[str, str], labels: "_Labels", scrub: _Scrubber) -> CaseStudy:
    comments = study.comments
    if comments is not None:
        comments = CommentSnapshot(
            taken=comments.taken,
            source=comments.source,
            comments=tuple(_comment(comment, ids, labels, scrub) for comment in comments.comments),
            count=comments.count,
            threads=tuple(replace(thread, comments=tuple(_comment(comment, ids, labels, scrub) for comment in thread.comments))
                          for thread in comments.threads),
        )
    return replace(
        study,
        title=scrub.text(study.title),
        summary=scrub.text(study.summary),
        body_html=scrub.html(study.body_html),
        author=ids.get(study.author, study.author),
        tags=tuple(scrub.text(tag) for tag in study.tags),
        cover_alt=scrub.text(study.cover_alt),
        connections=tuple(_connection(connection, ids, scrub) for connection in study.connections),
        comments=comments,
    )


def apply_privacy(site: Site, redact: tuple[str, ...], noindex_people: bool) -> Site:
    """The site as the public may see it (unchanged when nobody is redacted or hidden)."""
    if not redact and not noindex_people:
        return site
    ids: dict[str, str] = {}
    taken = set(site.people)
    number = 0
    for person_id in sorted(redact):
        number += 1
        while f"person-{number}" in taken:
            number += 1
        ids[person_id] = f"person-{number}"
        taken.add(ids[person_id])
    labels = _Labels({}, {})
    people: dict[str, Person] = {}
    for person_id, person in site.people.items():
        if person_id in ids:
            label = public_label(person)
            labels.by_id[person_id] = label
            if person.name:
                labels.by_name[person.name] = label
            people[ids[person_id]] = Person(id=ids[person_id], name=label, kind=person.kind, location=person.location,
                                            noindex=True)
        else:
            people[person_id] = replace(person, noindex=person.noindex or noindex_people)
    scrub = _Scrubber(labels.by_name)
    studies = tuple(_study(study, ids, labels, scrub) for study in site.studies)
    pages = tuple(replace(page, title=scrub.text(page.title), summary=scrub.text(page.summary), body_html=scrub.html(page.body_html))
                  for page in site.pages)
    return Site(config=site.config, people=dict(sorted(people.items())), studies=studies, pages=pages)

