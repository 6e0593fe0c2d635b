"""What an import reads from the content folder, and the files it starts a new project with.

``read_project`` loads the site's timezone and people, or, when the folder has no
``site.yaml`` yet, plans one from the export's channel (title, description, link, language,
and the time zone its post dates were written in). ``read_people_map`` reads the file that
says which commenter or author names are which person of ``people.yaml``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from generator.importers.scrub import Scrubber
from generator.importers.wordpress import Export
from generator.importers.writer import PlannedFile, dump


class ProjectError(Exception):
    """The content folder cannot take an import; ``line``/``column`` 0 when unknown."""

    def __init__(self, path: Path, message: str, line: int = 0, column: int = 0, hint: str = "", usage: bool = False):
        super().__init__(message)
        self.path, self.message, self.line, self.column, self.hint, self.usage = path, message, line, column, hint, usage


@dataclass(frozen=True)
class Project:
    """What an import needs from the content folder."""

    content_dir: Path
    timezone: ZoneInfo
    people_path: Path
    people_text: str
    people: Mapping[str, object]
    site_file: PlannedFile | None = None  # a new site.yaml to write, when the folder had none
    notes: tuple[str, ...] = ()


def read_project(content_dir: Path, export: Export | None = None) -> Project:
    """Load the site's timezone and people from ``content_dir``; start a site.yaml from ``export`` when there is none."""
    site_path = content_dir / "site.yaml"
    if content_dir.exists() and not content_dir.is_dir():
        raise ProjectError(content_dir, "not a folder", hint="pass the content folder with --content DIR", usage=True)
    if not site_path.is_file():
        if export is None:
            raise ProjectError(site_path, "no site.yaml here: not an introchain content folder",
                               hint="run the import in your project folder, or pass --content DIR", usage=True)
        new = _new_project(content_dir, export)
        return Project(new.content_dir, new.timezone, *_people(content_dir), new.site_file, new.notes)
    site = _load_yaml(site_path) or {}
    name = site.get("timezone", "UTC") if isinstance(site, Mapping) else "UTC"
    try:
        zone = ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        text = site_path.read_text(encoding="utf-8")
        line = next((n for n, row in enumerate(text.splitlines(), 1) if row.startswith("timezone:")), 0)
        raise ProjectError(
            site_path, f"unknown timezone {name!r}", line, len("timezone: ") + 1 if line else 0, hint="use an IANA name such as Europe/Paris"
        ) from None
    return Project(content_dir, zone, *_people(content_dir))


def _people(content_dir: Path) -> tuple[Path, str, Mapping[str, object]]:
    """people.yaml's path, text and entries (empty when there is none yet)."""
    people_path = content_dir / "people.yaml"
    people_text = people_path.read_text(encoding="utf-8") if people_path.is_file() else ""
    people = _load_yaml(people_path) if people_text else {}
    if not isinstance(people or {}, Mapping):
        raise ProjectError(people_path, "people.yaml must be a mapping from id to person", line=1, column=1)
    return people_path, people_text, people or {}


def _load_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise ProjectError(
            path, f"invalid YAML: {getattr(err, 'problem', None) or err}", (mark.line + 1) if mark else 0, (mark.column + 1) if mark else 0
        ) from None




def _new_project(content_dir: Path, export: Export) -> Project:
    """A project with only a site.yaml, made from the export's channel."""
    scrubber = Scrubber()
    zone_name, note = infer_timezone(export)
    link = scrubber.url(export.link.strip())
    if urlsplit(link).scheme not in ("http", "https") or not urlsplit(link).netloc:
        link = "https://example.com/"
    author = next((" ".join(scrubber.text(a.display_name).split()) for a in export.authors if a.display_name.strip()), "")
    title = " ".join(scrubber.text(export.title).split()) or "My blog"
    site = {
        "title": title,
        "description": " ".join(scrubber.text(export.description).split()),
        "author": author or title,
        "base_url": link if link.endswith("/") else link + "/",
        "language": " ".join(export.language.split()) or "en",
        "timezone": zone_name,
    }
    header = ("# Started from the WordPress export's channel. base_url is where the old blog was:\n"
              "# change it to where this site will be published (e.g. https://user.github.io/repo/).\n")
    notes = (f"created {content_dir.name}/site.yaml from the export ({note}); check base_url",)
    return Project(content_dir, ZoneInfo(zone_name), content_dir / "people.yaml", "", {},
                   PlannedFile(content_dir / "site.yaml", header + dump(site)), notes)


def infer_timezone(export: Export) -> tuple[str, str]:
    """The IANA name of the fixed offset most posts were dated in (``post_date`` minus ``post_date_gmt``), and how it was found."""
    offsets: Counter[int] = Counter()
    for item in export.items:
        if item.date_gmt is not None and item.date_local is not None and item.post_type in ("post", "page"):
            minutes = round((item.date_local - item.date_gmt.replace(tzinfo=None)).total_seconds() / 60)
            if abs(minutes) <= 14 * 60:
                offsets[minutes] += 1
    if not offsets:
        return "UTC", "no post dates to infer a time zone from: UTC"
    minutes, _ = offsets.most_common(1)[0]
    if minutes == 0:
        return "UTC", "time zone UTC, from the post dates"
    if minutes % 60:
        return "UTC", f"posts were dated at UTC{minutes / 60:+g}, which has no fixed-offset name: UTC; set your city's zone"
    hours = minutes // 60
    # Etc/GMT names count the other way round: Etc/GMT-2 is two hours ahead of UTC.
    name = f"Etc/GMT{-hours:+d}"
    return name, f"time zone {name} (UTC{hours:+d}), from the post dates; set your city's zone for daylight saving"


def read_mapping_file(path: Path, what: str, example: str) -> list[tuple[yaml.ScalarNode, yaml.ScalarNode]]:
    """The entries of a small YAML file of ``key: value`` text pairs (a map the author passes), with their nodes."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError) as err:
        raise ProjectError(path, f"cannot read the {what}: {getattr(err, 'strerror', None) or err}", usage=True) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise ProjectError(path, f"invalid YAML: {getattr(err, 'problem', None) or err}",
                           (mark.line + 1) if mark else 0, (mark.column + 1) if mark else 0) from None
    if node is None:
        return []
    if not isinstance(node, yaml.MappingNode):
        raise ProjectError(path, f"the {what} must be a mapping", node.start_mark.line + 1, node.start_mark.column + 1,
                           hint=f"write one entry per line: {example}")
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode) or not isinstance(value, yaml.ScalarNode) or not str(value.value).strip():
            raise ProjectError(path, f"each entry of the {what} maps one text to one text", key.start_mark.line + 1,
                               key.start_mark.column + 1, hint=f"write it as {example}")
    return list(node.value)


def read_people_map(path: Path, people: Mapping[str, object]) -> dict[str, str]:
    """``--people-map``: a YAML mapping from a name as the export writes it to a person id of people.yaml."""
    mapping: dict[str, str] = {}
    for key, value in read_mapping_file(path, "people map", '"Jane Doe": jane'):
        if value.value not in people:
            known = ", ".join(sorted(map(str, people))[:8]) or "none yet"
            raise ProjectError(path, f"unknown person {value.value!r}", value.start_mark.line + 1, value.start_mark.column + 1,
                               hint=f"use an id from people.yaml (known: {known})")
        mapping[" ".join(str(key.value).split())] = str(value.value)
    return mapping
