"""The one-pass YAML composer builds the node trees PyYAML's own composer builds, and refuses what it must."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

from generator.content.source import MAX_DEPTH, Source, compose
from generator.content.frontmatter import split_front_matter

sys.path.insert(0, str(Path(__file__).resolve().parent / "perf"))
from synth import story_files  # noqa: E402

from conftest import run_cli  # noqa: E402

REPO = Path(__file__).resolve().parents[1]

EDGE_CASES = [
    "", "# only a comment\n", "---\n...\n", "plain\n", "'quoted'\n", "[a, {b: c}, [d]]\n",
    "a: &x 1\nb: *x\nc: &y [1, 2]\nd: *y\n", "&a [*a]\n", "? complex\n: key\n",
    "a: !!str 2011\nb: !!int '3'\nc: !!map {x: 1}\nd: !!seq [1]\ne: ! 12\n",
    "text: |\n  block\n  text\nfolded: >\n  a\n  b\n", "- - - nested\n  - on\n- compact\n",
    "dates: [2020-01-02, 2020-01-02T10:00:00, 1.5, .inf, ~, yes, 0x1F]\n", "---\nexplicit: start\n",
    # errors: the same message at the same place
    "a: &x 1\nb: &x 2\n", "a: *undefined\n", "a: 1\n---\nb: 2\n", "a: [1, 2\n", "a: b: c\n", "\ta: 1\n",
]


def _shape(node: yaml.Node | None, seen: set[int] | None = None):
    """Everything a node tree holds, as plain data (a node met again is named, not walked again)."""
    if node is None:
        return None
    seen = set() if seen is None else seen
    marks = (node.start_mark.line, node.start_mark.column, node.end_mark.line, node.end_mark.column)
    head = (type(node).__name__, node.tag, marks, getattr(node, "style", None), getattr(node, "flow_style", None))
    if id(node) in seen:
        return ("again", head)
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        return (*head, node.value)
    if isinstance(node, yaml.SequenceNode):
        return (*head, [_shape(item, seen) for item in node.value])
    return (*head, [(_shape(key, seen), _shape(value, seen)) for key, value in node.value])


def _reference(text: str):
    """PyYAML's own composer (libyaml's when PyYAML has it): the tree, or the error's text and places."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return _shape(yaml.compose(text, Loader=loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return ("error", exc.problem or exc.context, mark.line + 1, mark.column + 1)


def _ours(text: str):
    source = Source(Path("x.yaml"))
    node = compose(source, text)
    if source.errors:
        error = source.errors[0]
        return ("error", error.message.removeprefix("invalid YAML: "), error.line, error.column)
    return _shape(node)


def _corpus() -> list[tuple[str, str]]:
    texts = [(f"edge case {index}", text) for index, text in enumerate(EDGE_CASES)]
    for path in sorted([*(REPO / "content").rglob("*.yaml"), *(REPO / "generator/starter").rglob("*.yaml"),
                        *(REPO / "tests/fixtures").rglob("*.yaml")]):
        texts.append((str(path.relative_to(REPO)), path.read_text(encoding="utf-8")))
    for path in sorted((REPO / "content").rglob("*.md")):
        front = split_front_matter(path.read_text(encoding="utf-8")).front_matter
        texts.append((f"{path.relative_to(REPO)} (front matter)", front))
    for number in range(300):
        for name, text in story_files(number, 900).items():
            texts.append((f"synthetic {number} {name}", text.split("---\n")[1] if name == "index.md" else text))
    return texts


@pytest.mark.slow
def test_the_one_pass_composer_builds_what_pyyaml_builds():
    corpus = _corpus()
    assert len(corpus) > 900
    for name, text in corpus:
        assert _ours(text) == _reference(text), name


@pytest.mark.parametrize("document, message", [
    ("connections: " + "[" * 150 + "]" * 150 + "\n", f"values are nested more than {MAX_DEPTH} levels deep"),
    ("connections:\n" + "".join("  " * depth + "- \n" for depth in range(1, 3000)),
     f"values are nested more than {MAX_DEPTH} levels deep"),
    ("connections: " + "{a: " * 200_000 + "b" + "}" * 200_000 + "\n", f"values are nested more than {MAX_DEPTH} levels deep"),
    # libyaml's scanner looks ahead over the brackets and stops at its own limit, before any event
    ("connections: " + "[" * 200_000 + "]" * 200_000 + "\n", "invalid YAML: exceeded maximum nesting depth"),
])
def test_a_document_nested_past_the_limit_is_refused_without_recursion(document, message):
    source = Source(Path("story.yaml"))
    assert compose(source, document) is None
    assert len(source.errors) == 1 and source.unparsable
    error = source.errors[0]
    assert error.message == message
    assert error.line >= 1 and error.column >= 1


def test_nesting_up_to_the_limit_is_read(make_site):
    depth = MAX_DEPTH - 3  # the story, its list of connections and the connection are three levels
    story = "connections:\n  - between: [tess, ann]\n    stages: [contact]\n    x: " + "[" * depth + "]" * depth + "\n"
    project = make_site(files={"stories/first/story.yaml": story})
    result = run_cli("check", cwd=project)
    assert "nested more than" not in result.err
    assert re.search(r"story\.yaml:4:5: error: unknown key 'x'", result.err), result.err
