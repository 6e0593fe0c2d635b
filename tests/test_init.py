"""`introchain init`: a new blog that checks, builds and publishes as it is; `new` slugs from any title."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import REPO, run_cli
from generator import __version__

EXAMPLE = "content/stories/example-from-a-retweet-to-a-partnership"
PAGE_KINDS = ("index.html", "stories/example-from-a-retweet-to-a-partnership/index.html", "tags/index.html",
              "tags/example/index.html", "people/index.html", "network/index.html", "archive/index.html",
              "404.html", "feed.xml", "sitemap.xml", "robots.txt")


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture(autouse=True)
def no_git_identity(machine_free_git: Path) -> None:
    """Git without this machine's configuration: no user.name unless a test sets one."""


@pytest.mark.slow
def test_init_makes_a_blog_that_checks_strictly_and_builds_every_page_kind(tmp_path: Path):
    result = run_cli("init", "blog", "--title", 'Small "world": stories', "--author", "Ελένη Παπαδοπούλου",
                     cwd=tmp_path)
    assert result.code == 0, result.text
    blog = tmp_path / "blog"
    assert "cd blog" in result.out and "introchain serve" in result.out
    for name in ("content/site.yaml", "content/people.yaml", f"{EXAMPLE}/index.md", f"{EXAMPLE}/story.yaml",
                 f"{EXAMPLE}/comments.yaml", ".gitignore", "README.md", ".github/workflows/pages.yml"):
        assert (blog / name).is_file(), name
    checked = run_cli("check", "--strict", cwd=blog)
    assert checked.code == 0, checked.text
    built = run_cli("build", cwd=blog)
    assert built.code == 0, built.text
    for page in PAGE_KINDS:
        assert (blog / "site" / page).is_file(), page
    config = yaml.safe_load((blog / "content/site.yaml").read_text(encoding="utf-8"))
    assert config["title"] == 'Small "world": stories' and config["author"] == "Ελένη Παπαδοπούλου"
    people = yaml.safe_load((blog / "content/people.yaml").read_text(encoding="utf-8"))
    assert people["eleni-papadopoyloy"]["name"] == "Ελένη Παπαδοπούλου"
    home = (blog / "site/index.html").read_text(encoding="utf-8")
    assert "Small &#34;world&#34;: stories" in home or "Small &quot;world&quot;: stories" in home
    assert {"/site/", "/.cache/"} <= set((blog / ".gitignore").read_text().split())
    readme = (blog / "README.md").read_text(encoding="utf-8")
    assert "introchain serve" in readme and "introchain new" in readme and "introchain build" in readme


@pytest.mark.slow
def test_the_example_is_marked_and_has_a_chain_a_timeline_and_threaded_comments(tmp_path: Path):
    assert run_cli("init", "blog", "--author", "Ann Example", cwd=tmp_path).code == 0
    example = tmp_path / "blog" / EXAMPLE
    post = (example / "index.md").read_text(encoding="utf-8")
    assert "title: \"Example:" in post and "**This is an example.**" in post and "tags: [example" in post
    story = yaml.safe_load((example / "story.yaml").read_text(encoding="utf-8"))
    assert len(story["connections"]) >= 2 and any(c.get("via") for c in story["connections"])
    assert sum(len(c["stages"]) for c in story["connections"]) >= 5
    comments = yaml.safe_load((example / "comments.yaml").read_text(encoding="utf-8"))["comments"]
    replies = {c["reply_to"] for c in comments if "reply_to" in c}
    assert len(comments) >= 3 and replies and any("id" in c and c["id"] in replies and "reply_to" in c for c in comments)
    assert run_cli("build", cwd=tmp_path / "blog").code == 0
    html = (tmp_path / "blog/site/stories/example-from-a-retweet-to-a-partnership/index.html").read_text(encoding="utf-8")
    assert "This is an example." in html and "graph" in html and "reply" in html.lower()


def test_site_yaml_names_every_setting_introchain_reads(tmp_path: Path):
    """Every key ``read_config`` and its helpers read is present in the new site.yaml (not commented out)."""
    source = (REPO / "generator/content/config.py").read_text(encoding="utf-8")
    keys = set(re.findall(r'fields\.get\("(\w+)"', source))
    assert {"title", "base_url", "nav", "privacy", "redact", "noindex_people"} <= keys
    assert run_cli("init", "blog", cwd=tmp_path).code == 0
    text = (tmp_path / "blog/content/site.yaml").read_text(encoding="utf-8")
    written = set(re.findall(r"^\s*-?\s*(\w+):", text, flags=re.M))
    assert keys <= written, sorted(keys - written)


def test_init_refuses_a_folder_that_is_not_empty_and_force_only_adds_what_is_missing(tmp_path: Path):
    blog = tmp_path / "blog"
    (blog / "content").mkdir(parents=True)
    (blog / "content/site.yaml").write_text("title: Mine\n", encoding="utf-8")
    refused = run_cli("init", "blog", cwd=tmp_path)
    assert refused.code == 2
    assert "blog is not empty (it holds content)" in refused.err and "--force" in refused.err
    assert sorted(p.name for p in blog.rglob("*")) == ["content", "site.yaml"]
    forced = run_cli("init", "blog", "--force", cwd=tmp_path)
    assert forced.code == 0, forced.text
    assert (blog / "content/site.yaml").read_text() == "title: Mine\n"
    assert "kept    blog/content/site.yaml (it already exists)" in forced.out
    assert (blog / "content/people.yaml").is_file() and (blog / ".github/workflows/pages.yml").is_file()
    again = run_cli("init", "blog", "--force", cwd=tmp_path)
    assert again.code == 0 and "created" not in again.out


@pytest.mark.slow
def test_init_in_a_fresh_clone_infers_the_github_pages_address(tmp_path: Path):
    cases = {
        "git@github.com:Ann-Lee/case-studies.git": "https://ann-lee.github.io/case-studies/",
        "https://github.com/ann-lee/ann-lee.github.io.git": "https://ann-lee.github.io/",
        "https://token@github.com/ann-lee/blog": "https://ann-lee.github.io/blog/",
        "https://gitlab.com/ann-lee/blog.git": "https://example.com/",
    }
    for number, (remote, expected) in enumerate(cases.items()):
        clone = tmp_path / f"clone-{number}"
        clone.mkdir()
        git(clone, "init", "--quiet")
        git(clone, "remote", "add", "origin", remote)
        result = run_cli("init", cwd=clone)  # only .git inside: counts as empty
        assert result.code == 0, result.text
        assert "token" not in result.text
        config = yaml.safe_load((clone / "content/site.yaml").read_text(encoding="utf-8"))
        assert config["base_url"] == expected, remote
    given = run_cli("init", "given", "--base-url", "https://stories.example.org/blog", cwd=tmp_path)
    assert given.code == 0
    assert "base_url: https://stories.example.org/blog/" in (tmp_path / "given/content/site.yaml").read_text()
    bad = run_cli("init", "bad", "--base-url", "stories.example.org", cwd=tmp_path)
    assert bad.code == 2 and "--base-url must be an absolute http(s) URL" in bad.err
    assert not (tmp_path / "bad").exists()


@pytest.mark.slow
def test_init_takes_the_authors_name_from_git_and_keeps_the_example_ids_free(tmp_path: Path):
    git(tmp_path, "config", "--global", "user.name", "Example Sam")
    assert run_cli("init", "blog", cwd=tmp_path).code == 0
    people = yaml.safe_load((tmp_path / "blog/content/people.yaml").read_text(encoding="utf-8"))
    assert people["author"]["name"] == "Example Sam" and "example-sam" in people
    assert run_cli("check", "--strict", cwd=tmp_path / "blog").code == 0


def test_the_workflow_installs_this_version_with_current_official_actions(tmp_path: Path):
    assert run_cli("init", "blog", cwd=tmp_path).code == 0
    written = yaml.safe_load((tmp_path / "blog/.github/workflows/pages.yml").read_text(encoding="utf-8"))
    ours = yaml.safe_load((REPO / ".github/workflows/pages.yml").read_text(encoding="utf-8"))

    def actions(workflow) -> set[str]:
        return {step["uses"] for job in workflow["jobs"].values() for step in job["steps"] if "uses" in step}

    assert actions(written) == actions(ours)  # the same official actions at the same major versions
    assert {name.split("@")[0] for name in actions(written)} == {
        "actions/checkout", "actions/setup-python", "actions/configure-pages", "actions/upload-pages-artifact",
        "actions/deploy-pages"}
    steps = [step for job in written["jobs"].values() for step in job["steps"]]
    runs = "\n".join(step.get("run", "") for step in steps)
    assert f'pip install "introchain=={__version__}"' in runs
    assert 'introchain build --base-url "${{ steps.pages.outputs.base_url }}/"' in runs
    setup = next(step for step in steps if step.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["cache"] == "pip"
    assert written["concurrency"]["group"] and ours["concurrency"]["group"]


def test_version_is_one_number(tmp_path: Path):
    shown = run_cli("--version", cwd=tmp_path)
    assert shown.out.strip() == f"introchain {__version__}"
    tomllib = pytest.importorskip("tomllib")
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "generator.__version__"}
    assert f"## [{__version__}]" in (REPO / "CHANGELOG.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("title", "slug"), [
    ("Πώς γνώρισα την Ελένη στο Twitter", "pos-gnorisa-tin-eleni-sto-twitter"),
    ("Как мы познакомились", "kak-my-poznakomilis"),
    ("Ça va, Zoë? Straße!", "ca-va-zoe-strasse"),
])
@pytest.mark.slow
def test_new_makes_a_readable_slug_from_any_script(make_site, title: str, slug: str):
    root = make_site()
    result = run_cli("new", title, cwd=root)
    assert result.code == 0, result.text
    assert (root / "content/stories" / slug / "index.md").is_file()
    assert run_cli("check", cwd=root).code == 0


@pytest.mark.slow
def test_new_asks_for_a_slug_when_the_title_leaves_nothing_usable(make_site):
    root = make_site()
    result = run_cli("new", "!!! ???", cwd=root)
    assert result.code == 2 and "pass --slug" in result.err
    bad = run_cli("new", "Anything", "--slug", "Not A Slug", cwd=root)
    assert bad.code == 2 and "'not-a-slug'" in bad.err
    made = run_cli("new", "!!! ???", "--slug", "how-we-met", cwd=root)
    assert made.code == 0 and (root / "content/stories/how-we-met/index.md").is_file()


def test_a_long_title_is_cut_at_a_word(make_site):
    root = make_site()
    title = "How a single retweet about community gardens turned into a partnership that changed two lives"
    assert run_cli("new", title, cwd=root).code == 0
    (slug,) = [p.name for p in (root / "content/stories").iterdir() if p.name != "first"]
    assert len(slug) <= 60 and title.lower().replace(" ", "-").startswith(slug)
