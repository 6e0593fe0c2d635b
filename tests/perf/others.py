"""The same posts as Hugo and Pelican sites, for the benchmark's ratios."""

from __future__ import annotations

import shutil
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
LOAD_CONTENT_CACHE = False
"""


def _post(number: int, pool: int) -> tuple[str, list[str], str, str]:
    files = story_files(number, pool)
    _, front, body = files["index.md"].split("---\n", 2)
    lines = dict(line.split(": ", 1) for line in front.strip().splitlines())
    tags = [tag.strip() for tag in lines["tags"].strip("[]").split(",")]
    return lines["title"].strip('"'), tags, lines["date"], body


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
        title, tags, date, body = _post(number, pool)
        tag_list = ", ".join(f'"{tag}"' for tag in tags)
        (site / f"content/posts/story-{number:05d}.md").write_text(
            f'---\ntitle: "{title}"\ndate: {date}Z\ntags: [{tag_list}]\n---\n{body}', encoding="utf-8")
    return site


def pelican_site(root: Path, n: int, pool: int) -> Path:
    """A Pelican project (settings file, default theme) with the same ``n`` posts."""
    site = root / "pelican"
    shutil.rmtree(site, ignore_errors=True)
    (site / "content").mkdir(parents=True)
    (site / "pelicanconf.py").write_text(PELICAN_CONFIG)
    for number in range(n):
        title, tags, date, body = _post(number, pool)
        (site / f"content/story-{number:05d}.md").write_text(
            f"Title: {title}\nDate: {date.replace('T', ' ')}\nTags: {', '.join(tags)}\nSlug: story-{number:05d}\n\n{body}",
            encoding="utf-8")
    return site


def hugo_command(site: Path) -> list[str]:
    """Build the Hugo site into ``public/``."""
    return ["hugo", "--quiet", "--source", str(site), "--destination", str(site / "public")]


def pelican_command(site: Path) -> list[str]:
    """Build the Pelican site into ``output/``."""
    return [sys.executable, "-m", "pelican", str(site / "content"), "-s", str(site / "pelicanconf.py"),
            "-o", str(site / "output"), "--delete-output-directory", "-q"]
