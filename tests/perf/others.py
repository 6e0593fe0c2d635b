"""The same posts as Hugo and Pelican sites, for the benchmark's side-by-side rounds."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from synth import story_files

HUGO_CONFIG = """\
baseURL = "https://example.github.io/bench/"
title = "Synthetic Stories"
disableKinds = ["RSS"]
[markup.goldmark.renderer]
unsafe = false
"""
HUGO_SINGLE = """<!doctype html><html><head><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1><time>{{ .Date.Format "2 January 2006" }}</time>
<ul>{{ range .Params.tags }}<li>{{ . }}</li>{{ end }}</ul>{{ .Content }}</body></html>
"""
HUGO_LIST = """<!doctype html><html><head><title>{{ .Title }}</title></head><body><ul>
{{ range .Paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Summary }}</li>{{ end }}</ul></body></html>
"""
# Pelican keeps parsed posts between builds in its content cache, its own warm rebuild.
PELICAN_CONFIG = """\
AUTHOR = "The benchmark"
SITENAME = "Synthetic Stories"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
DEFAULT_PAGINATION = 10
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = {cache!r}
"""


def _post(number: int, pool: int, revision: int = 0) -> tuple[str, list[str], str, str]:
    files = story_files(number, pool, revision=revision)
    _, front, body = files["index.md"].split("---\n", 2)
    lines = dict(line.split(": ", 1) for line in front.strip().splitlines())
    tags = [tag.strip() for tag in lines["tags"].strip("[]").split(",")]
    return lines["title"].strip('"'), tags, lines["date"], body


def write_hugo_post(site: Path, number: int, pool: int, revision: int = 0) -> Path:
    """Write (or rewrite) post ``number`` of the Hugo site; ``revision`` is the same edit as synth's."""
    title, tags, date, body = _post(number, pool, revision)
    tag_list = ", ".join(f'"{tag}"' for tag in tags)
    path = site / f"content/posts/story-{number:05d}.md"
    path.write_text(f'---\ntitle: "{title}"\ndate: {date}Z\ntags: [{tag_list}]\n---\n{body}', encoding="utf-8")
    return path


def write_pelican_post(site: Path, number: int, pool: int, revision: int = 0) -> Path:
    """Write (or rewrite) post ``number`` of the Pelican site; ``revision`` is the same edit as synth's."""
    title, tags, date, body = _post(number, pool, revision)
    path = site / f"content/story-{number:05d}.md"
    path.write_text(f"Title: {title}\nDate: {date.replace('T', ' ')}\nTags: {', '.join(tags)}\n"
                    f"Slug: story-{number:05d}\n\n{body}", encoding="utf-8")
    return path


def hugo_site(root: Path, n: int, pool: int) -> Path:
    """A minimal Hugo site (config, one single and one list template) with the same ``n`` posts."""
    site = root / "hugo"
    shutil.rmtree(site, ignore_errors=True)
    (site / "content/posts").mkdir(parents=True)
    (site / "layouts/_default").mkdir(parents=True)
    (site / "config.toml").write_text(HUGO_CONFIG)
    (site / "layouts/_default/single.html").write_text(HUGO_SINGLE)
    (site / "layouts/_default/list.html").write_text(HUGO_LIST)
    (site / "layouts/index.html").write_text(HUGO_LIST)
    for number in range(n):
        write_hugo_post(site, number, pool)
    return site


def pelican_site(root: Path, n: int, pool: int) -> Path:
    """A Pelican project (settings file, default theme) with the same ``n`` posts."""
    site = root / "pelican"
    shutil.rmtree(site, ignore_errors=True)
    (site / "content").mkdir(parents=True)
    (site / "pelicanconf.py").write_text(PELICAN_CONFIG.format(cache=str(site / "cache")))
    for number in range(n):
        write_pelican_post(site, number, pool)
    return site


def hugo_version() -> str | None:
    """``Hugo 0.111.3`` when ``hugo`` is on PATH, else None."""
    if not shutil.which("hugo"):
        return None
    words = subprocess.run(["hugo", "version"], capture_output=True, text=True, check=False).stdout.split()
    version = next((word for word in words if word.startswith("v")), "")
    return f"Hugo {version.removeprefix('v').split('+')[0].split('-')[0]}".strip()


def hugo_command(site: Path) -> list[str]:
    """Build the Hugo site into ``public/``."""
    return ["hugo", "--quiet", "--source", str(site), "--destination", str(site / "public")]


def pelican_python(cache: Path, install: bool) -> tuple[str, str] | None:
    """A Python that can run Pelican (with Python-Markdown) and Pelican's version, or None.

    This interpreter is used when it has Pelican; otherwise a virtual environment in
    ``cache``, made with ``pip install pelican markdown`` when ``install`` is true.
    """
    venv = cache / "pelican"
    candidates = [sys.executable, str(venv / "bin" / "python")]
    for python in candidates:
        version = _pelican_version(python)
        if version:
            return python, version
    if not install:
        return None
    print(f"installing Pelican into {venv} ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "pelican", "markdown"], check=True)
    version = _pelican_version(candidates[1])
    return (candidates[1], version) if version else None


def _pelican_version(python: str) -> str | None:
    if not Path(python).exists():
        return None
    probe = subprocess.run([python, "-c", "import markdown, pelican; print(pelican.__version__)"],
                           capture_output=True, text=True, check=False)
    return f"Pelican {probe.stdout.strip()}" if probe.returncode == 0 else None


def pelican_command(python: str, site: Path) -> list[str]:
    """Build the Pelican site into ``output/``."""
    return [python, "-m", "pelican", str(site / "content"), "-s", str(site / "pelicanconf.py"),
            "-o", str(site / "output"), "-q"]
