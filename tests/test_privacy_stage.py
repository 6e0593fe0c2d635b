"""privacy.py: ``apply_privacy`` turns a site into the site the public may see."""

from __future__ import annotations

from textwrap import dedent

import pytest

from test_privacy import PEOPLE as CLI_PEOPLE

from generator.content.load import load_site
from generator.privacy import apply_privacy, public_label

# The people of the redaction tests through the CLI, with Bob known by a label.
PEOPLE = CLI_PEOPLE.replace("  name: Bob Example\n", "  name: Bob Example\n  label: a coach from Colorado\n")

POST = dedent("""\
    ---
    title: How Ann O'Example met Bob Example
    date: 2020-01-02
    author: tess
    summary: Ann O'Example, in short.
    ---
    Ann O'Example wrote to Bob Example. Ann replied.
    """)

STORY = dedent("""\
    connections:
      - between: [tess, ann]
        via: [club]
        summary: Tess met Ann O'Example at the club.
        stages:
          - stage: contact
            note: Ann O'Example tweeted first.
      - between: [ann, bob]
        stages: [call]
    """)

COMMENTS = dedent("""\
    taken: 2020-01-05
    source: https://old.example/post
    comments:
      - id: first
        author: Ann O'Example
        url: https://ann.example.org/
        date: 2020-01-03
        body: I am Ann O'Example.
      - author: Someone Else
        url: https://else.example/
        reply_to: first
        date: 2020-01-04
        body: Hello Ann O'Example!
    """)


@pytest.fixture
def site(make_site):
    root = make_site(files={"people.yaml": PEOPLE, "stories/first/index.md": POST, "stories/first/story.yaml": STORY,
                            "stories/first/comments.yaml": COMMENTS})
    return load_site(root / "content")[0]


def _texts(value) -> str:
    """Every string reachable in a model object, joined: what any page could show."""
    found: list[str] = []

    def walk(item, depth=0):
        if depth > 12:
            return
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            for key, entry in item.items():
                walk(key, depth + 1)
                walk(entry, depth + 1)
        elif isinstance(item, (tuple, list, frozenset, set)):
            for entry in item:
                walk(entry, depth + 1)
        elif hasattr(item, "__dataclass_fields__"):
            for name in item.__dataclass_fields__:
                walk(getattr(item, name), depth + 1)

    walk(value)
    return "\n".join(found)


def test_nobody_redacted_leaves_the_site_as_it_is(site):
    assert apply_privacy(site, (), False) is site


def test_a_redacted_persons_name_appears_nowhere(site):
    public = apply_privacy(site, ("ann",), False)
    text = _texts(public)
    for spelling in ("Ann O'Example", "Ann O\u2019Example", "Ann O&#x27;Example", "Ann O&#39;Example"):
        assert spelling not in text
    assert "ann.example.org" not in text and "@ann_example" not in text and "knitting" not in text
    assert "ann" not in public.people  # an opaque id instead
    assert "someone from Cork" in public.studies[0].title


def test_a_redacted_person_gets_an_opaque_id_everywhere(site):
    public = apply_privacy(site, ("ann",), False)
    (new_id,) = set(public.people) - set(site.people)
    assert new_id.startswith("person-")
    person = public.people[new_id]
    assert person.display_name == "someone from Cork" and person.noindex
    assert not person.links and not person.handles and not person.bio
    study = public.studies[0]
    assert study.connections[0].between == ("tess", new_id)
    assert study.connections[1].between == (new_id, "bob")
    assert new_id in study.people and "ann" not in study.people


def test_their_comments_lose_their_link_and_others_keep_theirs(site):
    public = apply_privacy(site, ("ann",), False)
    theirs = public.studies[0].comments.comments[0]
    assert theirs.author == "someone from Cork" and theirs.url == ""
    reply = theirs.replies[0]
    assert reply.author == "Someone Else" and reply.url == "https://else.example/"
    assert "someone from Cork" in reply.body_html


def test_a_label_is_used_when_there_is_one(site):
    public = apply_privacy(site, ("bob",), False)
    assert "Bob Example" not in _texts(public)
    assert "a coach from Colorado" in public.studies[0].body_html
    assert public_label(site.people["bob"]) == "a coach from Colorado"


def test_first_names_alone_are_left_for_the_author(site):
    # Only the full name is replaced: "Ann replied." is prose the author must rewrite (check warns).
    public = apply_privacy(site, ("ann",), False)
    assert "Ann replied." in public.studies[0].body_html


def test_a_label_is_escaped_where_it_replaces_a_name_in_html(make_site):
    people = PEOPLE.replace("  location: Cork\n", "  label: <b>a friend</b>\n")
    root = make_site(files={"people.yaml": people, "stories/first/index.md": POST, "stories/first/story.yaml": STORY,
                            "stories/first/comments.yaml": COMMENTS})
    public = apply_privacy(load_site(root / "content")[0], ("ann",), False)
    assert "<b>a friend</b>" not in public.studies[0].body_html
    assert "&lt;b&gt;a friend&lt;/b&gt;" in public.studies[0].body_html


def test_noindex_people_marks_every_person(site):
    public = apply_privacy(site, (), True)
    assert all(person.noindex for person in public.people.values())
    assert _texts(public.studies) == _texts(site.studies)  # nothing else changes


def test_opaque_ids_do_not_collide_with_real_ones(make_site):
    people = PEOPLE + "person-1:\n  name: Already Numbered\n"
    root = make_site(files={"people.yaml": people, "stories/first/index.md": POST, "stories/first/story.yaml": STORY,
                            "stories/first/comments.yaml": COMMENTS})
    site = load_site(root / "content")[0]
    public = apply_privacy(site, ("ann", "bob"), False)
    assert public.people["person-1"].display_name == "Already Numbered"
    assert {"person-2", "person-3"} <= set(public.people)


@pytest.mark.parametrize(("kind", "location", "label"), [
    ("person", "Cork", "someone from Cork"), ("person", None, "someone"),
    ("community", "Ohio", "a community from Ohio"), ("event", None, "an event"),
])
def test_public_labels_name_no_one(kind, location, label):
    from generator.model import Person

    assert public_label(Person(id="x", name="Real Name", kind=kind, location=location)) == label
