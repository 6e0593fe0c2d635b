"""``introchain publish``: git plumbing against local bare repositories, and the Pages workflow."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import REPO, run_cli
from generator import publish as pages

WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"
OFFICIAL_ACTIONS = {
    "actions/checkout",
    "actions/setup-python",
    "actions/configure-pages",
    "actions/upload-pages-artifact",
    "actions/deploy-pages",
}


# --- helpers -----------------------------------------------------------------------------


def git(cwd: Path, *args: str, check: bool = True) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout.strip()


def remote_files(remote: Path, branch: str = "gh-pages") -> set[str]:
    return set(git(remote, "ls-tree", "-r", "--name-only", branch).splitlines())


def remote_heads(remote: Path) -> str:
    return git(remote, "for-each-ref", "--format=%(refname) %(objectname)")


def parents(remote: Path, commit: str) -> list[str]:
    return git(remote, "rev-list", "--parents", "-n", "1", commit).split()[1:]


def snapshot(project: Path) -> dict:
    """Everything of the user's checkout that publishing must leave byte-for-byte alone."""
    files = {
        str(path.relative_to(project)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(project.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(project).parts
    }
    return {
        "status": git(project, "--no-optional-locks", "status", "--porcelain", "--untracked-files=all"),
        "HEAD file": (project / ".git" / "HEAD").read_bytes(),
        "HEAD": git(project, "rev-parse", "HEAD"),
        "index": (project / ".git" / "index").read_bytes(),
        "local refs": git(project, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads", "refs/tags", "refs/introchain"),
        "stash": git(project, "stash", "list"),
        "files": files,
    }


@pytest.fixture(autouse=True)
def isolated_git(machine_free_git: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Git without the machine's configuration; an identity comes from the environment."""
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Tess Author")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "tess@example.com")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Tess Author")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "tess@example.com")


def init_repo(project: Path, remote: Path) -> None:
    """Make ``project`` a repository with one commit and ``remote`` (bare) as origin."""
    git(remote.parent, "init", "--quiet", "--bare", str(remote))
    git(project, "init", "--quiet")
    (project / "README.md").write_text("# Stories\n", encoding="utf-8")
    (project / "notes.txt").write_text("first notes\n", encoding="utf-8")
    git(project, "add", "-A")
    git(project, "commit", "--quiet", "-m", "Start the blog")
    git(project, "remote", "add", "origin", remote.as_uri())


def dirty_the_checkout(project: Path) -> None:
    """Staged, unstaged and untracked changes that must survive a publish untouched."""
    (project / "README.md").write_text("# Stories, staged\n", encoding="utf-8")
    git(project, "add", "README.md")
    (project / "notes.txt").write_text("unstaged edit\n", encoding="utf-8")
    (project / "scratch.txt").write_text("untracked\n", encoding="utf-8")


@pytest.fixture
def project(make_site, tmp_path: Path) -> Path:
    root = make_site()
    init_repo(root, tmp_path / "remote.git")
    return root


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    return tmp_path / "remote.git"


# --- plumbing, on a hand-made "built" folder -----------------------------------------------


def fake_site(folder: Path, text: str = "hello") -> Path:
    (folder / "stories" / "first").mkdir(parents=True)
    (folder / "index.html").write_text(f"<p>{text}</p>", encoding="utf-8")
    (folder / "stories" / "first" / "index.html").write_text("<p>story</p>", encoding="utf-8")
    (folder / "_assets").mkdir()
    (folder / "_assets" / "site.css").write_text("p{}", encoding="utf-8")
    return folder


def plan_for(repo: pages.Repo, site: Path, message: str, history: bool = True) -> pages.Plan:
    tip = pages.remote_tip(repo, "origin", "gh-pages")
    return pages.plan(site, remote="origin", branch="gh-pages", tip=tip, message=message, history=history)


def test_plumbing_commits_a_folder_without_touching_the_checkout(project: Path, remote: Path, tmp_path: Path):
    dirty_the_checkout(project)
    # Rules of the user's repository must not leak into the site commit.
    (project / ".git" / "info" / "exclude").write_text("_assets/\n*.html\n", encoding="utf-8")
    before = snapshot(project)
    site = fake_site(tmp_path / "built")
    pages.add_pages_files(site, "https://example.github.io/repo/")
    repo = pages.find_repo(project)
    source = pages.source_commit(repo)
    assert source.dirty and source.sha == before["HEAD"]

    message = pages.commit_message(None, source, "0.0")
    the_plan = plan_for(repo, site, message)
    assert the_plan.parent is None and the_plan.remote_tip is None and not the_plan.force
    result = pages.publish(repo, site, the_plan)

    assert remote_files(remote) == {".nojekyll", "index.html", "stories/first/index.html", "_assets/site.css"}
    assert git(remote, "rev-parse", "gh-pages") == result.commit
    assert git(remote, "show", "gh-pages:index.html") == "<p>hello</p>"
    assert f"Publish site from {source.sha[:7]} (dirty)" in git(remote, "log", "-1", "--format=%B", "gh-pages")
    assert snapshot(project) == before


def test_plumbing_builds_on_history_or_replaces_it(project: Path, remote: Path, tmp_path: Path):
    repo = pages.find_repo(project)
    commits = []
    for number, history in enumerate((True, True, False)):
        site = fake_site(tmp_path / f"built-{number}", text=f"version {number}")
        the_plan = plan_for(repo, site, f"v{number}\n", history=history)
        commits.append(pages.publish(repo, site, the_plan).commit)
    assert parents(remote, commits[0]) == []
    assert parents(remote, commits[1]) == [commits[0]]
    assert parents(remote, commits[2]) == []  # --no-history: a fresh root commit, force-pushed
    assert git(remote, "rev-parse", "gh-pages") == commits[2]
    assert git(remote, "show", "gh-pages:index.html") == "<p>version 2</p>"
    assert git(project, "for-each-ref", "refs/introchain") == ""  # the scratch ref is gone


@pytest.mark.slow
def test_plumbing_refuses_when_the_branch_moved_after_planning(project: Path, remote: Path, tmp_path: Path):
    repo = pages.find_repo(project)
    first = fake_site(tmp_path / "built-0")
    pages.publish(repo, first, plan_for(repo, first, "one\n"))
    second = fake_site(tmp_path / "built-1", text="two")
    stale = plan_for(repo, second, "two\n")
    pages.publish(repo, second, plan_for(repo, second, "other\n"))
    tip = git(remote, "rev-parse", "gh-pages")
    with pytest.raises(pages.PublishError, match="moved while publishing"):
        pages.publish(repo, second, stale)
    stale_replacement = plan_for(repo, second, "replace\n", history=False)
    third = fake_site(tmp_path / "built-2", text="three")  # a different site, so the branch moves
    pages.publish(repo, third, plan_for(repo, third, "another\n"))
    tip = git(remote, "rev-parse", "gh-pages")
    with pytest.raises(pages.PublishError, match="could not push.*stale info"):
        pages.publish(repo, second, stale_replacement)  # a force push replaces only what it planned on
    assert git(remote, "rev-parse", "gh-pages") == tip


def test_plumbing_falls_back_to_an_identity_when_git_has_none(project: Path, remote: Path, tmp_path: Path, monkeypatch):
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(name)
    git(project, "config", "user.useConfigOnly", "true")  # git may not guess one from the host
    repo = pages.find_repo(project)
    site = fake_site(tmp_path / "built")
    the_plan = plan_for(repo, site, "m\n")
    pages.publish(repo, site, the_plan)
    assert git(remote, "log", "-1", "--format=%an <%ae> / %cn <%ce>", "gh-pages") == (
        "introchain <introchain@localhost> / introchain <introchain@localhost>"
    )


def test_plumbing_uses_the_users_identity_when_there_is_one(project: Path, remote: Path, tmp_path: Path):
    repo = pages.find_repo(project)
    site = fake_site(tmp_path / "built")
    pages.publish(repo, site, plan_for(repo, site, "m\n"))
    assert git(remote, "log", "-1", "--format=%an <%ae>", "gh-pages") == "Tess Author <tess@example.com>"


def test_refuses_an_unknown_remote_and_a_folder_outside_git(project: Path, tmp_path: Path):
    repo = pages.find_repo(project)
    with pytest.raises(pages.PublishError, match="no git remote named 'upstream'.*known remotes: origin"):
        pages.check_remote(repo, "upstream")
    outside = tmp_path / "outside"
    outside.mkdir()
    with pytest.raises(pages.PublishError, match="not inside a git repository"):
        pages.find_repo(outside)


@pytest.mark.parametrize(
    ("base_url", "domain"),
    [
        ("https://example.github.io/repo/", None),
        ("https://example.github.io/", None),
        ("https://stories.example.com/", "stories.example.com"),
        ("https://Stories.Example.com", "stories.example.com"),
        ("https://example.com/repo/", None),  # a project site under a user site's domain
        ("http://localhost:8000/", None),
        ("http://127.0.0.1:8000/", None),
    ],
)
def test_custom_domain_comes_from_the_base_url(base_url: str, domain: str | None):
    assert pages.custom_domain(base_url) == domain


def test_commit_message_names_the_source_commit():
    source = pages.Source(sha="0123456789abcdef0123456789abcdef01234567", dirty=False)
    assert pages.commit_message(None, source, "1.2").splitlines() == [
        "Publish site from 0123456",
        "",
        "Source: 0123456789abcdef0123456789abcdef01234567",
        "Built by introchain 1.2",
    ]
    custom = pages.commit_message("New story", pages.Source(sha=source.sha, dirty=True), "1.2")
    assert custom.startswith("New story\n\nSource: 0123456789abcdef0123456789abcdef01234567 (dirty)\n")


# --- the command, end to end ---------------------------------------------------------------


@pytest.mark.slow
def test_publish_pushes_the_built_site_and_leaves_the_checkout_alone(project: Path, remote: Path):
    dirty_the_checkout(project)
    before = snapshot(project)
    result = run_cli("publish", cwd=project)
    assert result.code == 0, result.text
    files = remote_files(remote)
    assert {"index.html", ".nojekyll", "stories/first/index.html", "feed.xml"} <= files, sorted(files)
    assert ".introchain-output" not in files  # the writer's marker is not part of the site
    assert "CNAME" not in files  # a github.io site needs none
    message = git(remote, "log", "-1", "--format=%B", "gh-pages")
    assert f"Publish site from {before['HEAD'][:7]} (dirty)" in message
    assert f"Source: {before['HEAD']} (dirty)" in message
    assert snapshot(project) == before

    tip = git(remote, "rev-parse", "gh-pages")
    unchanged = run_cli("publish", "--message", "Nothing new", cwd=project)
    assert unchanged.code == 0, unchanged.text
    assert "nothing changed" in unchanged.out and "no commit was made and nothing was pushed" in unchanged.out
    assert git(remote, "rev-parse", "gh-pages") == tip

    story = project / "content/stories/first/index.md"
    story.write_text(story.read_text(encoding="utf-8").replace("Hello **world**.", "Hello again."), encoding="utf-8")
    before = snapshot(project)
    second = run_cli("publish", "--message", "Second go", cwd=project)
    assert second.code == 0, second.text
    log = git(remote, "log", "--format=%s", "gh-pages").splitlines()
    assert log[0] == "Second go" and len(log) == 2
    assert parents(remote, "gh-pages") == [git(remote, "rev-parse", "gh-pages~1")]
    assert snapshot(project) == before


@pytest.mark.slow
def test_publish_builds_for_production(project: Path, remote: Path, make_site):
    draft = "---\ntitle: Secret draft\ndate: 2020-02-01\nauthor: tess\ndraft: true\n---\nNot yet.\n"
    make_site(files={"stories/secret/index.md": draft}, stories=("first", "secret"))
    git(project, "add", "-A")
    git(project, "commit", "--quiet", "-m", "Add a draft")
    result = run_cli("publish", "--base-url", "https://stories.example.com/", cwd=project)
    assert result.code == 0, result.text
    files = remote_files(remote)
    assert not any("secret" in path for path in files), sorted(files)
    assert git(remote, "show", "gh-pages:CNAME") == "stories.example.com"
    assert "stories.example.com" in git(remote, "show", "gh-pages:index.html")
    assert "Secret draft" not in git(remote, "grep", "-h", "-I", "-e", "Secret draft", "gh-pages", check=False)


@pytest.mark.slow
def test_publish_without_history_replaces_the_branch(project: Path, remote: Path):
    assert run_cli("publish", cwd=project).code == 0
    assert run_cli("publish", cwd=project).code == 0
    result = run_cli("publish", "--no-history", cwd=project)
    assert result.code == 0, result.text
    assert git(remote, "rev-list", "--count", "gh-pages") == "1"


@pytest.mark.slow
def test_publish_with_content_errors_pushes_nothing(project: Path, remote: Path, make_site):
    make_site(files={"people.yaml": "tess:\n  name: Tess Author\n  nmae: typo\n"})
    before = snapshot(project)
    result = run_cli("publish", cwd=project)
    assert result.code == 1, result.text
    assert "people.yaml" in result.err and "nothing was published" in result.err
    assert remote_heads(remote) == ""
    assert snapshot(project) == before


@pytest.mark.slow
def test_dry_run_shows_the_plan_and_pushes_nothing(project: Path, remote: Path):
    objects_before = git(project, "count-objects", "-v")
    before = snapshot(project)
    result = run_cli("publish", "--dry-run", cwd=project)
    assert result.code == 0, result.text
    assert "would publish" in result.out and "as a new branch" in result.out
    assert "  index.html" in result.out and "  .nojekyll" in result.out
    assert f"Publish site from {before['HEAD'][:7]}" in result.out
    assert remote_heads(remote) == ""
    assert git(project, "count-objects", "-v") == objects_before  # not even a loose object
    assert snapshot(project) == before


def test_refuses_outside_a_repository(make_site, remote: Path):
    project = make_site()
    result = run_cli("publish", cwd=project)
    assert result.code == 2
    assert "not inside a git repository" in result.err and "nothing was pushed" in result.err
    assert not remote.exists()


def test_refuses_an_unknown_remote(project: Path, remote: Path):
    result = run_cli("publish", "--remote", "upstream", cwd=project)
    assert result.code == 2
    assert "no git remote named 'upstream'" in result.err
    assert remote_heads(remote) == ""


def test_refuses_an_unreachable_remote(project: Path, tmp_path: Path):
    git(project, "remote", "add", "gone", (tmp_path / "missing.git").as_uri())
    result = run_cli("publish", "--remote", "gone", cwd=project)
    assert result.code == 2
    assert "cannot reach remote 'gone'" in result.err


# --- the GitHub Actions workflow -----------------------------------------------------------


def test_workflow_uses_only_official_actions_and_the_cli():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    # PyYAML reads the bare key `on` as the boolean True (YAML 1.1).
    triggers = workflow.get("on", workflow.get(True))
    assert "workflow_dispatch" in triggers and triggers["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    used = {step["uses"].split("@")[0] for step in steps if "uses" in step}
    assert used == OFFICIAL_ACTIONS
    runs = "\n".join(step.get("run", "") for step in steps)
    assert "pip install ." in runs
    assert 'introchain build --base-url "${{ steps.pages.outputs.base_url }}/"' in runs
    setup_python = next(step for step in steps if step.get("uses", "").startswith("actions/setup-python"))
    assert setup_python["with"]["cache"] == "pip"


def test_publishing_guide_shows_the_workflows_build_command():
    guide = (REPO / "docs" / "publishing.md").read_text(encoding="utf-8")
    assert "introchain build --base-url" in guide and "introchain publish" in guide
    assert ".github/workflows/pages.yml" in guide


def test_plumbing_makes_no_commit_when_the_site_did_not_change(project: Path, remote: Path, tmp_path: Path):
    repo = pages.find_repo(project)
    first = fake_site(tmp_path / "built-0")
    commit = pages.publish(repo, first, plan_for(repo, first, "one\n")).commit
    again = fake_site(tmp_path / "built-1")  # the same files, built again
    result = pages.publish(repo, again, plan_for(repo, again, "two\n"))
    assert result.commit is None
    assert git(remote, "rev-parse", "gh-pages") == commit
    assert git(remote, "rev-list", "--count", "gh-pages") == "1"
