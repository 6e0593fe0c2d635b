"""The site model: frozen dataclasses that every later stage reads and none mutates.

The kinds a site has tens of thousands of (dates, stages, comments) keep their fields in
slots, without a dictionary each: at 10,000 stories that is about 15 MB less, in the
building process and again in each render worker that touches them (issue 6). The others
keep a ``__dict__``, where their cached properties live.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from datetime import date, datetime

from generator.channels import BUILT_IN, Channel
from generator.comment_model import (COMMENT_SOURCES, COMMENT_STATUSES, PLATFORMS, Comment,  # noqa: F401 - the model's
                                     CommentSnapshot, Thread)

#: The depth scale, shallowest first; a stage's depth is its position + 1.
STAGES: tuple[tuple[str, str], ...] = (
    ("noticed", "one knows of the other"),
    ("contact", "a first direct message"),
    ("conversation", "an exchange that goes on"),
    ("call", "they have spoken live"),
    ("meeting", "they have met face to face"),
    ("working", "a working relationship"),
    ("partnership", "partners in business"),
)
STAGE_NAMES: tuple[str, ...] = tuple(name for name, _ in STAGES)
STAGE_DEPTH: dict[str, int] = {name: depth for depth, name in enumerate(STAGE_NAMES, start=1)}

BRIDGES: tuple[str, ...] = ("direct", "introduction", "recommendation", "community", "event", "testimonial", "content")
#: The built-in channel ids; site.yaml may add more (``SiteConfig.channels``).
CHANNELS: tuple[str, ...] = tuple(channel.id for channel in BUILT_IN)
PERSON_KINDS: tuple[str, ...] = ("person", "community", "event", "platform")
#: The reading pace that reading times assume (a common figure for screen reading).
WORDS_PER_MINUTE = 230

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


@dataclass(frozen=True, order=True, slots=True)
class PartialDate:
    """A date known to the year, the month or the day."""

    year: int
    month: int = 0
    day: int = 0

    @property
    def iso(self) -> str:
        return "-".join(part for part in (f"{self.year:04d}", self.month and f"{self.month:02d}", self.day and f"{self.day:02d}") if part)

    @property
    def first_day(self) -> date:
        """The first day it can be: the first of its month, or of its year, when the rest is unknown."""
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def human(self) -> str:
        if self.day:
            return f"{self.day} {_MONTHS[self.month - 1]} {self.year}"
        if self.month:
            return f"{_MONTHS[self.month - 1]} {self.year}"
        return str(self.year)


@dataclass(frozen=True, slots=True)
class When:
    """When a connection began: a (partial) date, or the author's own words."""

    date: PartialDate | None = None
    text: str = ""

    @property
    def human(self) -> str:
        return self.date.human if self.date else self.text


@dataclass(frozen=True)
class NavLink:
    """One navigation link from site.yaml."""

    title: str
    url: str


@dataclass(frozen=True)
class SiteConfig:
    """``site.yaml``."""

    title: str
    description: str
    author: str
    base_url: str  # always ends with '/'
    language: str
    timezone: str
    posts_per_page: int
    nav: tuple[NavLink, ...]
    redact: tuple[str, ...] = ()  # person ids shown only by a label, everywhere
    noindex_people: bool = False  # ask search engines not to index any person page
    channels: tuple[Channel, ...] = BUILT_IN  # every channel the site knows: built-in and its own
    search: bool = True  # build the full-text index and the search page

    @cached_property
    def channel_table(self) -> dict[str, Channel]:
        """Channel id -> channel."""
        return {channel.id: channel for channel in self.channels}

    @property
    def base_path(self) -> str:
        """The path part of base_url, e.g. '/repo/' (always starts and ends with '/')."""
        from urllib.parse import urlsplit

        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"


@dataclass(frozen=True)
class Person:
    """A person, community, event or platform that appears in stories."""

    id: str
    name: str
    kind: str
    label: str = ""
    location: str = ""
    links: tuple[str, ...] = ()
    handles: tuple[tuple[str, str], ...] = ()
    bio: str = ""
    noindex: bool = False  # ask search engines not to index their page

    @property
    def display_name(self) -> str:
        """The label when the author chose one, else the name."""
        return self.label or self.name

    @property
    def url_path(self) -> str:
        return f"people/{self.id}/"


@dataclass(frozen=True, slots=True)
class Stage:
    """One step in how a relationship deepened."""

    stage: str
    date: PartialDate | None = None
    channel: str = ""
    note: str = ""

    @property
    def depth(self) -> int:
        return STAGE_DEPTH[self.stage]


@dataclass(frozen=True)
class Connection:
    """Two people who met, how, and how deep it went."""

    between: tuple[str, str]
    via: tuple[str, ...]
    bridge: str
    channels: tuple[str, ...]
    when: When | None
    met_in_person: bool
    summary: str
    stages: tuple[Stage, ...]

    @property
    def depth(self) -> int:
        return max(stage.depth for stage in self.stages)

    @property
    def deepest_stage(self) -> str:
        return STAGE_NAMES[self.depth - 1]


@dataclass(frozen=True)
class StudyCard:
    """What a list of stories shows of one: the home, tag, person and archive pages, and "newer"/"older" links.

    Lists hold cards rather than whole studies, so that editing a post's text (or its
    comments) changes the post's page and the feed, not every list the post appears in.
    """

    slug: str
    title: str
    date: datetime
    author: str
    tags: tuple[str, ...]
    summary: str
    draft: bool
    cover: str
    cover_alt: str
    connections: tuple[Connection, ...]
    reading_minutes: int = 1

    @property
    def url_path(self) -> str:
        return f"stories/{self.slug}/"


@dataclass(frozen=True)
class CaseStudy:
    """One post with its connection story and comment snapshot."""

    slug: str
    title: str
    date: datetime
    author: str  # person id
    tags: tuple[str, ...]
    summary: str
    draft: bool
    cover: str
    cover_alt: str
    body_html: str
    bundle: str  # the story's folder in content/ (its path; text, as ``RawBundle.location``)
    assets: tuple[str, ...]  # file names in the bundle copied beside the page
    connections: tuple[Connection, ...]
    comments: CommentSnapshot | None
    series: str = ""  # the name of the series the story belongs to, if any
    reading_minutes: int = 1  # at a reading pace of ``WORDS_PER_MINUTE``

    @property
    def url_path(self) -> str:
        return f"stories/{self.slug}/"

    # cached_property stores into the instance __dict__ without __setattr__, so the dataclass
    # stays frozen; the value is derived from fields that never change.
    @cached_property
    def card(self) -> StudyCard:
        """This study as lists show it."""
        return StudyCard(self.slug, self.title, self.date, self.author, self.tags, self.summary, self.draft,
                         self.cover, self.cover_alt, self.connections, self.reading_minutes)

    @cached_property
    def commenters(self) -> tuple[str, ...]:
        """The person ids the comment snapshot names (``person:``, threads included), each once, in comment order."""
        seen: dict[str, None] = {}
        snapshot = self.comments
        tops = (*snapshot.comments, *(comment for thread in snapshot.threads for comment in thread.comments)) if snapshot else ()
        waiting = list(reversed(tops))
        while waiting:  # replies nest: walk the tree without recursion
            comment = waiting.pop()
            if comment.person:
                seen.setdefault(comment.person, None)
            waiting.extend(reversed(comment.replies))
        return tuple(seen)

    @cached_property
    def people(self) -> tuple[str, ...]:
        """Everyone in the story (the author first, then in chain order), each once."""
        seen: dict[str, None] = {self.author: None}
        for connection in self.connections:
            for person in (*connection.between, *connection.via):
                seen.setdefault(person, None)
        return tuple(seen)


@dataclass(frozen=True)
class PlainPage:
    """A page that is not a case study (About, Contact): ``content/pages/<slug>.md`` at ``/<slug>/``."""

    slug: str
    title: str
    summary: str
    draft: bool
    body_html: str
    location: str  # its file in content/

    @property
    def url_path(self) -> str:
        return f"{self.slug}/"


@dataclass(frozen=True)
class Site:
    """Everything the renderer needs, validated."""

    config: SiteConfig
    people: dict[str, Person]
    studies: tuple[CaseStudy, ...]  # newest first
    pages: tuple[PlainPage, ...] = ()  # plain pages, by slug

    # The indexes below are computed once per Site (pages and graphs ask for them per page,
    # which made planning quadratic in the number of stories).
    @cached_property
    def _tag_index(self) -> tuple[dict[str, tuple[CaseStudy, ...]], dict[str, str]]:
        from generator.content.fields import tag_slug

        index: dict[str, list[CaseStudy]] = {}
        names: dict[str, str] = {}
        for study in self.studies:
            slugs: set[str] = set()
            for tag in study.tags:
                slug = tag_slug(tag) or "tag"
                names.setdefault(slug, tag)
                if slug not in slugs:  # "Small World" and "small-world" list the story once
                    slugs.add(slug)
                    index.setdefault(slug, []).append(study)
        return {slug: tuple(index[slug]) for slug in sorted(index)}, names

    def tags(self) -> dict[str, tuple[CaseStudy, ...]]:
        """Tag slug -> studies carrying it, newest first; sorted by slug."""
        return self._tag_index[0]

    def tag_names(self) -> dict[str, str]:
        """Tag slug -> the tag as first written (newest study wins ties deterministically)."""
        return self._tag_index[1]

    @cached_property
    def _studies_by_person(self) -> dict[str, tuple[CaseStudy, ...]]:
        index: dict[str, list[CaseStudy]] = {}
        for study in self.studies:
            for person_id in study.people:
                index.setdefault(person_id, []).append(study)
        return {person_id: tuple(studies) for person_id, studies in index.items()}

    def studies_of(self, person_id: str) -> tuple[CaseStudy, ...]:
        """The studies a person appears in (as author, in a connection or as a bridge)."""
        return self._studies_by_person.get(person_id, ())

    @cached_property
    def _studies_by_commenter(self) -> dict[str, tuple[CaseStudy, ...]]:
        index: dict[str, list[CaseStudy]] = {}
        for study in self.studies:
            for person_id in study.commenters:
                index.setdefault(person_id, []).append(study)
        return {person_id: tuple(studies) for person_id, studies in index.items()}

    def studies_commented_by(self, person_id: str) -> tuple[CaseStudy, ...]:
        """The studies whose comment snapshot names the person."""
        return self._studies_by_commenter.get(person_id, ())

    def has_page(self, person_id: str) -> bool:
        """Whether the person gets a page: only people who appear in a built story do."""
        return bool(self.story_counts.get(person_id))

    @cached_property
    def story_counts(self) -> dict[str, int]:
        """Person id -> how many of the site's studies they appear in (0 for those in none)."""
        index = self._studies_by_person
        return {person_id: len(index.get(person_id, ())) for person_id in self.people}

    @cached_property
    def _series(self) -> dict[str, tuple[CaseStudy, ...]]:
        index: dict[str, list[CaseStudy]] = {}
        for study in reversed(self.studies):  # oldest first
            if study.series:
                index.setdefault(study.series, []).append(study)
        return {name: tuple(studies) for name, studies in sorted(index.items())}

    def series(self) -> dict[str, tuple[CaseStudy, ...]]:
        """Series name -> its studies, oldest first; sorted by name."""
        return self._series

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {study.slug: position for position, study in enumerate(self.studies)}

    def position_of(self, study: CaseStudy) -> int:
        """The index of ``study`` in ``studies`` (newest first)."""
        return self._positions[study.slug]

    def study(self, slug: str) -> CaseStudy:
        """The study with this slug."""
        return self.studies[self._positions[slug]]
