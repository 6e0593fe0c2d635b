"""A new blog project: the starter files ``introchain init`` writes, filled in for one author.

The files live in ``generator/starter/`` as ``string.Template`` texts (``$title``; ``$$`` is
a dollar sign). Names starting with ``dot-`` are written with a dot (``dot-gitignore`` ->
``.gitignore``): package data that starts with a dot is easily lost by packaging tools.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from string import Template
from urllib.parse import urlsplit

import yaml

#: The starter project, as package data.
STARTER = Path(__file__).resolve().parent / "starter"
#: Entries of a folder that do not make it "not empty" for ``init``: a fresh clone or ``git init``.
IGNORED_ENTRIES = frozenset({".git"})


@dataclass(frozen=True)
class ProjectSettings:
    """What the starter files are filled in with."""

    title: str
    author_name: str
    author_id: str
    base_url: str
    version: str
    today: date
    timezone: str = "UTC"


def _yaml_scalar(value: str) -> str:
    """``value`` as a one-line YAML scalar (quoted when YAML would read it as something else)."""
    return yaml.safe_dump(value, default_flow_style=True, width=10_000, allow_unicode=True).removesuffix("\n...\n").strip()


def starter_names() -> list[str]:
    """The starter files, by their '/'-separated name in the new project, sorted."""
    return sorted(_target_name(path.relative_to(STARTER).as_posix()) for path in STARTER.rglob("*")
                  if path.is_file() and "__pycache__" not in path.parts)


def _target_name(name: str) -> str:
    return "/".join("." + part.removeprefix("dot-") if part.startswith("dot-") else part for part in name.split("/"))


def render_starter(settings: ProjectSettings) -> dict[str, str]:
    """Every starter file's text for ``settings``, by its name in the new project."""
    values = {
        "title": _yaml_scalar(settings.title),
        "title_text": settings.title,
        "author_name": _yaml_scalar(settings.author_name),
        "author_id": settings.author_id,
        "base_url": settings.base_url,
        "version": settings.version,
        "timezone": settings.timezone,
        "date": settings.today.isoformat(),
        "year_before": f"{settings.today.year - 1:04d}",
    }
    files = {}
    for path in sorted(STARTER.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            text = Template(path.read_text(encoding="utf-8")).substitute(values)
            files[_target_name(path.relative_to(STARTER).as_posix())] = text
    return files


_GITHUB_REMOTE = re.compile(
    r"^(?:(?:https?|git|ssh)://(?:[^@/]+@)?github\.com(?::\d+)?/|(?:[^@/]+@)?github\.com:)"
    r"(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)/(?P<repo>[A-Za-z0-9._-]+?)(?:\.git)?/?$"
)


def github_pages_url(remote: str) -> str | None:
    """The GitHub Pages address of a GitHub remote URL, or None for another host.

    ``git@github.com:Ann/blog.git`` -> ``https://ann.github.io/blog/``; the user or
    organisation site ``Ann/ann.github.io`` -> ``https://ann.github.io/``.
    """
    match = _GITHUB_REMOTE.match(remote.strip())
    if match is None:
        return None
    owner, repo = match["owner"].lower(), match["repo"]
    host = f"{owner}.github.io"
    return f"https://{host}/" if repo.lower() == host else f"https://{host}/{repo}/"


def git_origin(folder: Path) -> str | None:
    """The URL of the ``origin`` remote of the git repository ``folder`` is in, if any."""
    return _git(folder, "config", "--get", "remote.origin.url")


def git_user_name(folder: Path) -> str | None:
    """git's ``user.name`` as seen from ``folder``, if set."""
    return _git(folder, "config", "--get", "user.name")


def _git(folder: Path, *args: str) -> str | None:
    probe = folder if folder.is_dir() else folder.parent
    while not probe.is_dir():
        probe = probe.parent
    try:
        result = subprocess.run(["git", "-C", str(probe), *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None  # no git on this machine: nothing to infer
    value = result.stdout.strip()
    return value if result.returncode == 0 and value else None


def valid_base_url(value: str) -> bool:
    """True for an absolute http(s) URL without query or fragment (what site.yaml accepts)."""
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not parts.query and not parts.fragment


def existing_entries(folder: Path) -> list[str]:
    """What already is in ``folder`` (besides ``.git``), sorted; empty when it does not exist."""
    if not folder.is_dir():
        return []
    return sorted(entry.name for entry in folder.iterdir() if entry.name not in IGNORED_ENTRIES)


def write_missing(folder: Path, files: dict[str, str]) -> tuple[list[str], list[str]]:
    """Write each file that does not exist yet; (written, kept) names. Never overwrites anything."""
    written, kept = [], []
    for name, text in files.items():
        target = folder / name
        if target.exists() or target.is_symlink():
            kept.append(name)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8", newline="\n") as stream:  # "x": never overwrite
            stream.write(text)
        written.append(name)
    return written, kept
