"""markdown-it-pyrs beside markdown-it-py on the same bodies: time, and how many render the same.

Renders every post body and comment of the repository's sample content and of a synthetic
project (``synth.py``) three ways: with introchain's own renderer (``generator.markdown``:
markdown-it-py, its plugins, render hooks and the walks over the tokens), with markdown-it-py
configured the same but without the render hooks, and with markdown-it-pyrs given the
nearest rules it has. The last two are compared body by body. markdown-it-pyrs is not a
dependency: install it into the running Python to measure it (``pip install markdown-it-pyrs``).
A body that makes it panic is counted, not fatal (a panic is a ``BaseException``); seeded
random snippets of Markdown syntax are a third corpus.

    .venv/bin/python tests/perf/markdown_engines.py [--n 1000]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from markdown_it import MarkdownIt  # noqa: E402
from mdit_py_plugins.anchors import anchors_plugin  # noqa: E402
from mdit_py_plugins.deflist import deflist_plugin  # noqa: E402
from mdit_py_plugins.footnote import footnote_plugin  # noqa: E402

from generator.markdown import MAX_NESTING, render_comment, render_post  # noqa: E402
from synth import make_project  # noqa: E402

#: CommonMark's rules without raw HTML (introchain renders none), as markdown-it-pyrs names them.
_BASE = ["blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference", "autolink",
         "backticks", "emphasis", "entity", "escape", "image", "link", "newline"]
_TYPOGRAPHY = ["strikethrough", "replacements", "smartquotes"]
#: markdown-it-pyrs' heading anchor (a link holding an icon) as the id on the heading that markdown-it-py writes.
_RUST_ANCHOR = re.compile(r'<h([1-6])><a aria-hidden="true" class="anchor" id="([^"]*)" href="#[^"]*">.*?</svg></a>')
#: Pieces of Markdown syntax that random snippets are made of.
_PIECES = ("[", "]", "(", ")", "`", "*", "_", '"', "'", "...", "> ", "- ", "1. ", "# ", "|", "~~", "(c)", "--", "![",
           "](", "x", "word", " ", "\n", "\n\n", "<", "&", "\\", ":")


def snippets(count: int) -> list[str]:
    """``count`` seeded random strings of Markdown syntax, one to twelve pieces each."""
    rng = random.Random("markdown-engines")
    return ["".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 12))) for _ in range(count)]


def bodies(content: Path) -> tuple[list[str], list[str]]:
    """The post bodies (front matter removed) and comment bodies of a content folder."""
    posts, comments = [], []
    for post in sorted(content.glob("stories/*/index.md")):
        text = post.read_text(encoding="utf-8")
        posts.append(text.split("\n---\n", 1)[1] if text.startswith("---\n") else text)
        snapshot = post.with_name("comments.yaml")
        if snapshot.is_file():
            for comment in (yaml.safe_load(snapshot.read_text(encoding="utf-8")) or {}).get("comments") or []:
                comments.append(str(comment.get("body", "")))
    return posts, comments


def python_engines() -> tuple[MarkdownIt, MarkdownIt]:
    """markdown-it-py as introchain configures it, without its render hooks: posts, comments."""
    options = {"html": False, "typographer": True, "maxNesting": MAX_NESTING}
    post = (MarkdownIt("commonmark", options).enable(["table", *_TYPOGRAPHY]).use(footnote_plugin)
            .use(deflist_plugin).use(anchors_plugin, min_level=2, max_level=4))
    comment = MarkdownIt("commonmark", options).enable(_TYPOGRAPHY).disable(["heading", "lheading"])
    return post, comment


def rust_engines():
    """markdown-it-pyrs with the nearest rules it has (its heading anchors take no levels), or None."""
    try:
        import markdown_it_pyrs
    except ImportError:
        return None
    post = markdown_it_pyrs.MarkdownIt("zero").enable_many(
        _BASE + ["table", *_TYPOGRAPHY, "footnote", "deflist", "heading_anchors"])
    comment = markdown_it_pyrs.MarkdownIt("zero").enable_many(
        [rule for rule in _BASE if rule not in ("heading", "lheading")] + _TYPOGRAPHY)
    return post, comment


def timed(render, texts: list[str]) -> tuple[float, list[str | None]]:
    """CPU seconds over all ``texts``, and each output (None where the engine panicked)."""
    outputs: list[str | None] = []
    started = time.process_time()
    for text in texts:
        try:
            outputs.append(render(text))
        except BaseException as exc:  # noqa: BLE001 - a Rust panic is a BaseException; KeyboardInterrupt is not caught here
            if isinstance(exc, KeyboardInterrupt):
                raise
            outputs.append(None)
    return time.process_time() - started, outputs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="synthetic case studies (default 1000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        corpora = {"sample": bodies(REPO / "content"),
                   f"synthetic {args.n}": bodies(make_project(Path(folder), args.n).content),
                   "random snippets": (snippets(3000), snippets(3000))}
    python_post, python_comment = python_engines()
    rust = rust_engines()
    print("corpus | bodies | introchain (CPU s) | markdown-it-py, no hooks | markdown-it-pyrs | same HTML "
          "| same but heading anchors | panics")
    for name, (posts, comments) in corpora.items():
        for kind, texts, ours, python, rust_engine in (
                ("posts", posts, render_post, python_post, rust[0] if rust else None),
                ("comments", comments, render_comment, python_comment, rust[1] if rust else None)):
            ours_time, _ = timed(ours, texts)
            python_time, expected = timed(python.render, texts)
            if rust_engine is None:
                print(f"{name} {kind} | {len(texts)} | {ours_time:.2f} | {python_time:.2f} | not installed | - | - | -")
                continue
            rust_time, got = timed(rust_engine.render, texts)
            same = sum(1 for want, have in zip(expected, got) if want == have)
            anchored = sum(1 for want, have in zip(expected, got)
                           if have is not None and want == _RUST_ANCHOR.sub(r'<h\1 id="\2">', have))
            panics = sum(1 for have in got if have is None)
            print(f"{name} {kind} | {len(texts)} | {ours_time:.2f} | {python_time:.2f} | {rust_time:.2f} | "
                  f"{same} | {anchored} | {panics}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
