"""Synthetic introchain projects for the benchmark and the cache tests.

``make_project(root, n)`` writes ``root/content/`` with ``n`` case studies: posts of about
900 words (headings, lists, links, emphasis, a quote, a table), a connection story of three
to five connections over a shared pool of about ``3 n`` people, and a comment snapshot of
three comments. Everything comes from a seeded ``random.Random``, so a project is the same
on every run and machine.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

WORDS = (
    "social media introduced people who would never have met otherwise and the small world grew smaller "
    "every week as tweets turned into conversations calls meetings and finally partnerships between "
    "writers coaches designers founders teachers and neighbours across oceans time zones and languages "
    "trust grows slowly through small kindnesses shared links thoughtful replies and generous introductions "
    "communities events webinars and blogs act as bridges while the real work happens in follow ups"
).split()
CHANNELS = ("twitter", "linkedin", "skype", "email", "phone", "webinar", "face-to-face", "blog-comment", "forum")
STAGES = ("noticed", "contact", "conversation", "call", "meeting", "working", "partnership")
BRIDGES = ("direct", "introduction", "recommendation", "community", "event")
TAGS = ("twitter", "small world", "partnership", "webinar", "linkedin", "community", "coaching", "writing",
        "travel", "events", "mentoring", "blogging")
KINDS = ("person",) * 12 + ("community", "event", "platform")

SITE_YAML = """\
title: Synthetic Stories
description: A generated site for measuring introchain.
author: The benchmark
base_url: https://example.github.io/bench/
language: en
timezone: UTC
posts_per_page: 10
nav:
  - title: Network
    url: /network/
"""


@dataclass(frozen=True)
class Project:
    """A generated project: its root, content folder and what was generated."""

    root: Path
    content: Path
    slugs: tuple[str, ...]
    people: int


def _sentence(rng: random.Random, low: int = 8, high: int = 18) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    if rng.random() < 0.3:
        index = rng.randrange(len(words))
        words[index] = f"*{words[index]}*"
    if rng.random() < 0.15:
        index = rng.randrange(len(words))
        words[index] = f"[{words[index]}](https://example.com/{words[index].strip('*')})"
    if rng.random() < 0.1:
        index = rng.randrange(len(words))
        words[index] = f"`{words[index].strip('*')}`"
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng) for _ in range(sentences))


def post_body(rng: random.Random, words: int = 900) -> str:
    """About ``words`` words of varied Markdown."""
    blocks: list[str] = []
    count = 0
    section = 0
    while count < words:
        if count and len(blocks) % 5 == 0:
            section += 1
            blocks.append(f"## Part {section}: {rng.choice(WORDS)} {rng.choice(WORDS)}")
        kind = rng.random()
        if kind < 0.1:
            items = [f"- {_sentence(rng, 4, 9)}" for _ in range(rng.randint(3, 5))]
            block = "\n".join(items)
        elif kind < 0.15:
            block = "> " + _paragraph(rng, 2)
        elif kind < 0.18:
            rows = [f"| {rng.choice(WORDS)} | {rng.randint(1, 99)} |" for _ in range(3)]
            block = "| what | how many |\n| --- | --- |\n" + "\n".join(rows)
        else:
            block = _paragraph(rng, rng.randint(3, 6))
        blocks.append(block)
        count += len(block.split())
    return "\n\n".join(blocks) + "\n"


def _person_entry(number: int, rng: random.Random) -> str:
    kind = rng.choice(KINDS)
    lines = [f"p{number:05d}:", f"  name: Person {number} {rng.choice(WORDS).title()}", f"  kind: {kind}"]
    if rng.random() < 0.5:
        lines.append(f"  location: City {rng.randint(1, 400)}")
    if rng.random() < 0.3:
        lines.append(f"  bio: {json.dumps(_sentence(rng, 6, 12))}")
    return "\n".join(lines)


def _story_yaml(rng: random.Random, author: str, pool: int, start: date) -> str:
    people = [author] + [f"p{rng.randrange(pool):05d}" for _ in range(6)]
    lines = ["connections:"]
    for index in range(rng.randint(3, 5)):
        first, second = people[index], people[index + 1]
        if first == second:
            second = f"p{(int(second[1:]) + 1) % pool:05d}"
        channels = sorted(set(rng.sample(CHANNELS, rng.randint(1, 3))))
        depth = rng.randint(1, len(STAGES))
        lines += [
            f"  - between: [{first}, {second}]",
            f"    bridge: {rng.choice(BRIDGES)}",
            f"    channels: [{', '.join(channels)}]",
            f"    met_in_person: {str(depth >= 5 or rng.random() < 0.4).lower()}",
            f"    summary: {json.dumps(_sentence(rng, 8, 14))}",
        ]
        bridge = f"p{rng.randrange(pool):05d}"
        if rng.random() < 0.4 and bridge not in (first, second):
            lines.append(f"    via: [{bridge}]")
        lines.append("    stages:")
        day = start + timedelta(days=rng.randint(0, 60))
        for stage in sorted(rng.sample(STAGES[:depth], min(depth, rng.randint(1, 3))), key=STAGES.index):
            lines += [f"      - stage: {stage}", f"        channel: {rng.choice(channels)}",
                      f"        date: {day.isoformat()}", f"        note: {json.dumps(_sentence(rng, 5, 10))}"]
            day += timedelta(days=rng.randint(1, 40))
    return "\n".join(lines) + "\n"


def _comments_yaml(rng: random.Random, when: date) -> str:
    lines = [f"taken: {(when + timedelta(days=30)).isoformat()}", "source: https://old-blog.example/post/", "comments:"]
    for number in range(3):
        lines += [
            f"  - id: c{number}",
            f"    author: Reader {rng.randint(1, 500)}",
            f"    date: {(when + timedelta(days=number + 1)).isoformat()}T10:0{number}:00",
            "    body: |",
        ]
        for paragraph in range(2):
            lines.append(f"      {_paragraph(rng, 2)}")
            lines.append("")
        if number:
            lines.append("    reply_to: c0")
    return "\n".join(lines) + "\n"


def story_files(number: int, pool: int, seed: int = 0, revision: int = 0) -> dict[str, str]:
    """The three files of case study ``number``; ``revision`` changes the post's text (an edit)."""
    rng = random.Random(f"{seed}-{number}")
    when = date(2005, 1, 1) + timedelta(days=number * 7 % 6000 + number // 850)
    author = f"p{rng.randrange(pool):05d}"
    tags = sorted(set(rng.sample(TAGS, rng.randint(1, 3))))
    title = f"Story {number}: {rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(WORDS)}"
    body = post_body(rng)
    if revision:
        body += f"\nEdited, revision {revision}.\n"
    front = (f"---\ntitle: \"{title}\"\ndate: {when.isoformat()}T{number % 24:02d}:{number % 60:02d}:00\n"
             f"author: {author}\ntags: [{', '.join(tags)}]\n---\n")
    return {
        "index.md": front + body,
        "story.yaml": _story_yaml(rng, author, pool, when),
        "comments.yaml": _comments_yaml(rng, when),
    }


def write_story(content: Path, number: int, pool: int, seed: int = 0, revision: int = 0) -> Path:
    """Write (or rewrite) case study ``number``, each file at once as an editor saves it; returns its index.md.

    Each file is written under a hidden temporary name and renamed into place, so a build
    or a watcher never reads half a file.
    """
    folder = content / "stories" / f"story-{number:05d}"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in story_files(number, pool, seed, revision).items():
        temporary = folder / f".{name}.tmp"
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, folder / name)
    return folder / "index.md"


def make_project(root: Path, n: int, *, people_per_story: int = 3, seed: int = 0) -> Project:
    """Write a project of ``n`` case studies over ``people_per_story * n`` shared people."""
    content = root / "content"
    (content / "stories").mkdir(parents=True, exist_ok=True)
    pool = max(8, people_per_story * n)
    (content / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    rng = random.Random(f"{seed}-people")
    (content / "people.yaml").write_text("\n".join(_person_entry(i, rng) for i in range(pool)) + "\n", encoding="utf-8")
    for number in range(n):
        write_story(content, number, pool, seed)
    return Project(root, content, tuple(f"story-{number:05d}" for number in range(n)), pool)
