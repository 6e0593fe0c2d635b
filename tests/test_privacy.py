"""People in the stories control how they appear: labels, redaction, noindex, private data warnings."""

from __future__ import annotations

from textwrap import dedent

import pytest

from conftest import SITE_YAML, run_cli, tree_bytes

PEOPLE = dedent("""\
    tess:
      name: Tess Author
    ann:
      name: Ann O'Example
      location: Cork
      links: [https://ann.example.org/]
      handles: {twitter: "@ann_example"}
      bio: Ann writes about knitting.
    bob:
      name: Bob Example
    club:
      name: The Club
      kind: community
    """)

POST = dedent("""\
    ---
    title: How Ann O'Example met Bob
    date: 2020-01-02
    author: tess
    summary: Ann O'Example and Bob Example, a small-world story.
    ---
    Yesterday Ann O'Example told me how she met Bob Example.
    """)

COMMENTS = dedent("""\
    taken: 2020-01-05
    source: https://old.example/post
    comments:
      - id: first
        author: Ann O'Example
        person: ann
        url: https://ann.example.org/
        date: 2020-01-03
        body: I'm Ann O'Example and I approve.
      - author: Tess Author
        reply_to: first
        date: 2020-01-04
        body: Thanks, Ann O'Example!
    """)


def redacting(*extra: str) -> str:
    return SITE_YAML + "privacy:\n  redact: [ann]\n" + "".join(extra)


@pytest.mark.slow
def test_one_line_redacts_a_person_from_every_page_graph_feed_and_snapshot(make_site):
    project = make_site({
        "site.yaml": redacting(),
        "people.yaml": PEOPLE,
        "stories/first/index.md": POST,
        "stories/first/comments.yaml": COMMENTS,
    })
    result = run_cli("build", cwd=project)
    assert result.code == 0, result.text
    files = tree_bytes(project / "site")
    for secret in ("O'Example", "O’Example", "O&#39;Example", "O&#x27;Example", "ann.example.org", "@ann_example",
                   "knitting", "people/ann/", '"ann"'):
        leaks = [name for name, data in files.items() if secret.encode() in data]
        assert leaks == [], (secret, leaks)
    story = (project / "site/stories/first/index.html").read_text()
    assert "How someone from Cork met Bob" in story
    assert "Yesterday someone from Cork told me how she met Bob Example." in story
    assert "Comment by someone from Cork" in story
    assert (project / "site/people/person-1/index.html").is_file()
    assert '<meta name="robots" content="noindex">' in (project / "site/people/person-1/index.html").read_text()
    assert "someone from Cork" in (project / "site/feed.xml").read_text()


@pytest.mark.slow
def test_a_label_is_shown_instead_of_a_name(make_site):
    people = PEOPLE.replace("  name: Bob Example\n", "  name: Bob Example\n  label: a coach from Colorado\n")
    project = make_site({"people.yaml": people})
    assert run_cli("build", cwd=project).code == 0
    story = (project / "site/stories/first/index.html").read_text()
    assert "a coach from Colorado" in story
    assert "Bob Example" not in story


@pytest.mark.slow
def test_person_pages_can_be_kept_out_of_search_engines(make_site):
    project = make_site({"people.yaml": PEOPLE.replace("  name: Bob Example\n", "  name: Bob Example\n  noindex: true\n")})
    assert run_cli("build", cwd=project).code == 0
    assert '<meta name="robots" content="noindex">' in (project / "site/people/bob/index.html").read_text()
    assert '<meta name="robots"' not in (project / "site/people/ann/index.html").read_text()
    everyone = make_site({"site.yaml": SITE_YAML + "privacy:\n  noindex_people: true\n"})
    assert run_cli("build", cwd=everyone).code == 0
    assert '<meta name="robots" content="noindex">' in (everyone / "site/people/ann/index.html").read_text()
    assert '<meta name="robots"' not in (everyone / "site/stories/first/index.html").read_text()


@pytest.mark.slow
def test_check_points_at_first_names_left_after_redaction(make_site):
    post = POST.replace("Yesterday", "Ann and I laughed. Yesterday")
    project = make_site({"site.yaml": redacting(), "people.yaml": PEOPLE, "stories/first/index.md": post})
    result = run_cli("check", cwd=project)
    assert result.code == 0, result.text
    assert "content/stories/first/index.md:7:1: warning: 'Ann' may still name ann, who is redacted" in result.err
    assert run_cli("check", "--strict", cwd=project).code == 1


def test_redacting_an_unknown_person_is_an_error(make_site):
    project = make_site({"site.yaml": SITE_YAML + "privacy:\n  redact: [anne]\n"})
    result = run_cli("check", cwd=project)
    assert result.code == 1
    assert "content/site.yaml:9:12: error: privacy.redact names unknown person 'anne'" in result.err
    assert "did you mean 'ann'?" in result.err


@pytest.mark.slow
def test_check_warns_about_contact_details_in_comments(make_site):
    comments = COMMENTS.replace("I approve.", "I approve. Mail me at ann@example.org or call +1 604 555 0199.")
    project = make_site({"stories/first/comments.yaml": comments, "people.yaml": PEOPLE})
    result = run_cli("check", cwd=project)
    assert result.code == 0, result.text
    assert "comments.yaml:9:11: warning: this comment contains an e-mail address" in result.err
    assert "comments.yaml:9:11: warning: this comment seems to contain a phone number" in result.err
    assert run_cli("check", "--strict", cwd=project).code == 1
