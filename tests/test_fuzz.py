"""Property-based tests: no content, however broken, crashes, hangs or floods the builder.

Each example writes a small project, runs ``check`` and ``build`` in-process through the CLI's
``main`` (so an escaping exception fails the test) and asserts exit 0, or exit 1 with every
message naming a content file. The pathological cases (alias bombs, deep nesting, 100,000
comments) run in a subprocess with a memory limit and a timeout.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PEOPLE_YAML, REPO, SITE_YAML, story_files
from generator.cli import main

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("INTROCHAIN_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                             HealthCheck.too_slow])

FILES = {"site.yaml": SITE_YAML, "people.yaml": PEOPLE_YAML, **story_files("first")}
NAMES = sorted(FILES)

awkward_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from([
        "", " ", "\t", "\u202eevil\u202c", "مرحبا بالعالم", "🙂🤝🌍", "\x00", "\x07\x1b[31m", "\ufeff", "a\r\nb",
        "x" * 20_000, "<script>alert(1)</script>", "{{ 7*7 }}", "{% raw %}", "&amp;", "../../etc/passwd",
        "2020-02-30", "yes", "null", "~", "1e309", "-.inf", ".nan", "0x1F", "!!python/object:os.system",
    ]),
)
yaml_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), awkward_text),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(awkward_text, children, max_size=4)),
    max_leaves=12,
)


def write_project(root: Path, files: dict[str, str | bytes]) -> Path:
    content = root / "content"
    if content.exists():
        shutil.rmtree(content)
    for relative, data in files.items():
        target = content / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            target.write_bytes(data)
        else:
            target.write_text(data, encoding="utf-8")
    return content


def run_in_process(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, err.getvalue()


def assert_clean_outcome(root: Path) -> None:
    content = root / "content"
    for command in (["check", "--content", str(content)],
                    ["build", "--content", str(content), "--out", str(root / "site"), "--templates", str(REPO / "generator" / "theme")]):
        code, err = run_in_process(*command)
        assert code in (0, 1), (command, code, err)
        assert "Traceback" not in err
        if code == 1:
            messages = [line for line in err.splitlines() if line and not line.startswith((" ", "build failed", "check failed"))]
            assert messages, err
            for line in messages:
                assert line.startswith(str(content)), line


@FUZZ
@given(name=st.sampled_from(NAMES), value=yaml_values)
def test_any_yaml_value_in_any_file(tmp_path_factory, name, value):
    root = tmp_path_factory.mktemp("fuzz")
    text = yaml.safe_dump(value, allow_unicode=True)
    if name.endswith(".md"):
        text = f"---\n{text}---\nbody\n"
    write_project(root, {**FILES, name: text})
    assert_clean_outcome(root)


def _paths(data, prefix=()):
    if isinstance(data, dict):
        for key, value in data.items():
            yield prefix + (key,)
            yield from _paths(value, prefix + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield prefix + (index,)
            yield from _paths(value, prefix + (index,))


@FUZZ
@given(name=st.sampled_from([n for n in NAMES if n.endswith(".yaml")]), seed=st.integers(0, 10_000),
       value=yaml_values, action=st.sampled_from(["replace", "delete", "add"]))
def test_one_mutation_of_valid_content(tmp_path_factory, name, seed, value, action):
    data = yaml.safe_load(FILES[name])
    paths = list(_paths(data))
    path = random.Random(seed).choice(paths)
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    if action == "delete":
        del parent[path[-1]]
    elif action == "add" and isinstance(parent, dict):
        parent[f"extra-{seed}"] = value
    else:
        parent[path[-1]] = value
    root = tmp_path_factory.mktemp("mutate")
    write_project(root, {**FILES, name: yaml.safe_dump(data, allow_unicode=True)})
    assert_clean_outcome(root)


@FUZZ
@given(name=st.sampled_from(NAMES), data=st.binary(max_size=300),
       wrap=st.sampled_from(["raw", "bom", "crlf", "tabs", "front-matter"]))
def test_garbage_bytes(tmp_path_factory, name, data, wrap):
    original = FILES[name].encode()
    if wrap == "bom":
        data = b"\xef\xbb\xbf" + original + data
    elif wrap == "crlf":
        data = original.replace(b"\n", b"\r\n") + data
    elif wrap == "tabs":
        data = original.replace(b"  ", b"\t") + data
    elif wrap == "front-matter":
        data = b"---\n" + data + b"\n---\n"
    root = tmp_path_factory.mktemp("bytes")
    write_project(root, {**FILES, name: data})
    assert_clean_outcome(root)


def _bounded_cli(root: Path, *args: str, memory: int = 1 << 30, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the CLI with an address-space limit, so unbounded memory fails instead of swapping."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory * 3, memory * 3))

    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=root, capture_output=True, text=True,
                          timeout=timeout, preexec_fn=limit, env={**os.environ, "PYTHONPATH": str(REPO)})


BILLION_LAUGHS = "\n".join(
    ["taken: 2020-01-05", "source: https://old.example/post", "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)]
    + ["comments: *a9", ""]
)


@pytest.mark.parametrize("case", ["billion-laughs", "deep-nesting", "deep-block-nesting", "long-line"])
def test_pathological_yaml_is_refused_quickly_and_cheaply(tmp_path, case):
    comments = {
        "billion-laughs": BILLION_LAUGHS,
        "deep-nesting": "taken: 2020-01-05\nsource: https://x.example/\ncomments: " + "[" * 50_000 + "]" * 50_000 + "\n",
        "deep-block-nesting": "comments:\n" + "".join("  " * depth + "- \n" for depth in range(1, 3000)),
        "long-line": "taken: 2020-01-05\nsource: https://x.example/\ncomments: []\n# " + "x" * 5_000_000 + "\n",
    }[case]
    write_project(tmp_path, {**FILES, "stories/first/comments.yaml": comments})
    for command in ("check", "build"):
        result = _bounded_cli(tmp_path, command)
        assert result.returncode in (0, 1), result.stderr[-2000:]
        assert "Traceback" not in result.stderr
        if result.returncode == 1:
            assert "content/stories/first/comments.yaml" in result.stderr


def test_one_hundred_thousand_comments_build(tmp_path):
    lines = ["taken: 2020-01-05", "source: https://old.example/post", "comments:"]
    for number in range(100_000):
        lines.append(f"  - id: c{number}\n    author: Reader {number}\n    date: 2020-01-03\n    body: Comment number {number}.")
        if number % 3 == 2:
            lines.append(f"    reply_to: c{number - 1}")
    write_project(tmp_path, {**FILES, "stories/first/comments.yaml": "\n".join(lines) + "\n"})
    result = _bounded_cli(tmp_path, "build", timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    page = (tmp_path / "site/stories/first/index.html").read_text()
    assert "100000 comments" in page and "Comment number 99999." in page
