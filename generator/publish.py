"""Publish a built site to a GitHub Pages branch with git plumbing.

The built folder becomes one commit on the Pages branch, made through a temporary index
(``GIT_INDEX_FILE``) and ``git --work-tree=BUILT``: the user's working tree, index, HEAD and
branches are never read for writing, so publishing works from any state of the checkout.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

#: Used only when git has no usable identity of its own (no user.name/user.email).
FALLBACK_NAME, FALLBACK_EMAIL = "introchain", "introchain@localhost"

#: Settings of the user's repository that must not apply to a commit of the built folder:
#: line-ending conversion, sparse checkout and the fsmonitor all describe the user's own
#: working tree, not ours.
_ISOLATED_CONFIG = (
    "core.autocrlf=false",
    "core.safecrlf=false",
    "core.sparseCheckout=false",
    "core.fsmonitor=false",
    "core.untrackedCache=false",
    "index.sparse=false",
)


class PublishError(Exception):
    """A problem with the repository, the remote or the push; nothing was pushed."""


@dataclass(frozen=True)
class Repo:
    """A git repository: its git directory and the working tree the author uses."""

    git_dir: Path
    work_tree: Path


@dataclass(frozen=True)
class Source:
    """The commit the site was built from."""

    sha: str  # "" when the repository has no commit yet
    dirty: bool

    def describe(self, short: bool = True) -> str:
        """``1a2b3c4``, ``1a2b3c4 (dirty)`` or ``no commit yet``."""
        name = (self.sha[:7] if short else self.sha) or "no commit yet"
        return f"{name} (dirty)" if self.dirty else name


@dataclass(frozen=True)
class Plan:
    """What a publish does: the files, the parent commit and the message."""

    remote: str
    branch: str
    parent: str | None  # the remote Pages branch tip the commit goes on top of
    remote_tip: str | None  # the branch's current tip on the remote (None: it does not exist)
    files: tuple[tuple[str, int], ...]  # (relative path, size in bytes), sorted
    message: str
    force: bool

    def summary(self) -> str:
        """One line: how many files go where, on top of what."""
        size = sum(size for _, size in self.files)
        if self.remote_tip is None:
            how = "as a new branch"
        elif self.parent is None:
            how = f"replacing its history (was {self.remote_tip[:7]})"
        else:
            how = f"on top of {self.parent[:7]}"
        return f"{len(self.files)} files ({_human_size(size)}) to {self.remote} {self.branch}, {how}"


@dataclass(frozen=True)
class Result:
    """A publish that happened: the commit now at the tip of the remote Pages branch.

    ``commit`` is None when the site was the same as the branch's tip: nothing was committed or pushed.
    """

    plan: Plan
    commit: str | None


def git(repo: Repo | Path, *args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> str:
    """Run git in ``repo`` and return its stripped stdout; raise PublishError on failure."""
    cwd = repo.work_tree if isinstance(repo, Repo) else repo
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env={**os.environ, **(env or {})},
            input=stdin,
            capture_output=True,
            text=True,
        )
    except FileNotFoundError:
        raise PublishError("git is not installed (or not on PATH)") from None
    if proc.returncode != 0:
        raise PublishError(f"git {args[0]} failed: {_failure(proc.stderr) or f'exit status {proc.returncode}'}")
    return proc.stdout.strip()


def _failure(stderr: str) -> str:
    """The lines of git's stderr that say what went wrong (a push's "! [rejected] ..." too)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    telling = [line for line in lines if line.startswith(("fatal:", "error:", "!", "remote: error"))]
    return "; ".join(telling or lines[-1:])


def find_repo(folder: Path) -> Repo:
    """The git repository that holds ``folder``; PublishError when there is none."""
    if not folder.is_dir():
        raise PublishError(f"{folder} is not a folder")
    try:
        inside = git(folder, "rev-parse", "--is-inside-work-tree")
    except PublishError:
        inside = "false"
    if inside != "true":
        raise PublishError(f"{folder.resolve()} is not inside a git repository (run 'git init' first)")
    git_dir = Path(git(folder, "rev-parse", "--absolute-git-dir"))
    work_tree = Path(git(folder, "rev-parse", "--show-toplevel"))
    return Repo(git_dir=git_dir, work_tree=work_tree)


def check_remote(repo: Repo, remote: str) -> str:
    """The URL of the configured ``remote``; PublishError naming the known remotes otherwise."""
    known = git(repo, "remote").split()
    if remote not in known:
        hint = f"known remotes: {', '.join(known)}" if known else "this repository has no remotes"
        raise PublishError(f"no git remote named '{remote}' ({hint}; add one with 'git remote add {remote} URL')")
    return git(repo, "remote", "get-url", remote)


def check_branch_name(repo: Repo, branch: str) -> None:
    """Refuse a Pages branch name git would not accept."""
    try:
        git(repo, "check-ref-format", f"refs/heads/{branch}")
    except PublishError:
        raise PublishError(f"'{branch}' is not a valid branch name") from None


def source_commit(repo: Repo) -> Source:
    """HEAD's commit, and whether the working tree differs from it (untracked files count)."""
    try:
        sha = git(repo, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    except PublishError:
        sha = ""  # an unborn branch: no commit yet
    # --no-optional-locks: a plain `git status` may rewrite the index to refresh its stat
    # data, and the user's index must stay byte-for-byte as it was.
    status = git(repo, "--no-optional-locks", "status", "--porcelain", "--untracked-files=normal")
    return Source(sha=sha, dirty=bool(status) or not sha)


def custom_domain(base_url: str) -> str | None:
    """The domain for a ``CNAME`` file: the base URL's host unless it is GitHub's own.

    Only a site at the root of its host gets one: ``https://example.com/repo/`` is a project
    site under a user site's custom domain, and that CNAME belongs to the user site.
    """
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or host == "github.io" or host.endswith(".github.io"):
        return None
    if host == "localhost" or host.replace(".", "").isdigit() or ":" in host:
        return None  # a local preview or an IP address, never a Pages domain
    if parts.path.strip("/"):
        return None
    return host


def add_pages_files(site_dir: Path, base_url: str | None) -> list[str]:
    """Add ``.nojekyll`` (and ``CNAME`` for a custom domain) to the built folder; return what was added."""
    added = []
    nojekyll = site_dir / ".nojekyll"
    if not nojekyll.exists():
        # Without it GitHub runs Jekyll, which drops files and folders starting with "_".
        nojekyll.write_bytes(b"")
        added.append(".nojekyll")
    domain = custom_domain(base_url) if base_url else None
    cname = site_dir / "CNAME"
    if domain and not cname.exists():
        cname.write_text(domain + "\n", encoding="utf-8")
        added.append("CNAME")
    return added


def site_files(site_dir: Path) -> tuple[tuple[str, int], ...]:
    """Every file under ``site_dir`` as (posix relative path, size), sorted."""
    return tuple(
        (path.relative_to(site_dir).as_posix(), path.stat().st_size)
        for path in sorted(site_dir.rglob("*"))
        if path.is_file()
    )


def remote_tip(repo: Repo, remote: str, branch: str) -> str | None:
    """The commit at ``branch`` on the remote, or None when the branch does not exist there."""
    try:
        out = git(repo, "ls-remote", "--heads", remote, f"refs/heads/{branch}")
    except PublishError as error:
        raise PublishError(f"cannot reach remote '{remote}': {error}") from None
    for line in out.splitlines():
        sha, _, ref = line.partition("\t")
        if ref == f"refs/heads/{branch}":
            return sha
    return None


def commit_message(message: str | None, source: Source, version: str) -> str:
    """The Pages commit's message: a subject, then the full source commit."""
    subject = message.strip() if message and message.strip() else f"Publish site from {source.describe()}"
    return f"{subject}\n\nSource: {source.describe(short=False)}\nBuilt by introchain {version}\n"


def plan(site_dir: Path, *, remote: str, branch: str, tip: str | None, message: str, history: bool = True) -> Plan:
    """What publishing ``site_dir`` onto ``tip`` (see ``remote_tip``) would do; writes nothing."""
    return Plan(
        remote=remote,
        branch=branch,
        parent=tip if history else None,
        remote_tip=tip,
        files=site_files(site_dir),
        message=message,
        force=not history and tip is not None,
    )


def identity_env(repo: Repo) -> dict[str, str]:
    """Environment that gives git an author and committer when it has none configured."""
    env: dict[str, str] = {}
    for role in ("AUTHOR", "COMMITTER"):
        try:
            git(repo, "var", f"GIT_{role}_IDENT")
        except PublishError:
            env[f"GIT_{role}_NAME"] = FALLBACK_NAME
            env[f"GIT_{role}_EMAIL"] = FALLBACK_EMAIL
    return env


def commit_site(repo: Repo, site_dir: Path, parent: str | None, message: str, env: dict[str, str] | None = None) -> str:
    """Commit ``site_dir`` as a whole tree (on top of ``parent``) and return the commit; no ref moves."""
    tree = site_tree(repo, site_dir)
    parents = ["-p", parent] if parent else []
    return git(repo, "commit-tree", tree, *parents, "-F", "-", env=env, stdin=message)


def site_tree(repo: Repo, site_dir: Path) -> str:
    """Store ``site_dir`` in the repository's objects as a tree; its id (no commit, no ref moves)."""
    with tempfile.TemporaryDirectory(prefix="introchain-index-") as scratch:
        plumbing_env = {
            "GIT_DIR": str(repo.git_dir),
            "GIT_WORK_TREE": str(site_dir),
            "GIT_INDEX_FILE": str(Path(scratch) / "index"),
        }
        config = [arg for setting in _ISOLATED_CONFIG for arg in ("-c", setting)]
        # --force: the user's ignore rules (.git/info/exclude, core.excludesFile) describe
        # their sources, not the built site, and must not drop built files.
        git(site_dir, *config, "add", "--all", "--force", ".", env=plumbing_env)
        return git(site_dir, *config, "write-tree", env=plumbing_env)


def fetch_commit(repo: Repo, remote: str, branch: str, expected: str) -> None:
    """Fetch the remote branch's objects so a commit can go on top of ``expected``.

    It is fetched into a private ref that is deleted again: no branch, remote-tracking ref
    or FETCH_HEAD of the user's changes.
    """
    scratch_ref = f"refs/introchain/publish/{branch}"
    try:
        refspec = f"+refs/heads/{branch}:{scratch_ref}"
        git(repo, "fetch", "--quiet", "--no-tags", "--no-recurse-submodules", "--no-write-fetch-head", remote, refspec)
        fetched = git(repo, "rev-parse", "--verify", f"{scratch_ref}^{{commit}}")
    finally:
        # Not checked: after a failed fetch the ref may not exist, and the fetch error is the news.
        subprocess.run(["git", "update-ref", "-d", scratch_ref], cwd=repo.work_tree, capture_output=True)
    if fetched != expected:
        raise PublishError(f"{remote} {branch} moved while publishing ({expected[:7]} -> {fetched[:7]}); run publish again")


def push(repo: Repo, the_plan: Plan, commit: str) -> None:
    """Push ``commit`` to the Pages branch: a fast-forward, or (no history) a force-with-lease."""
    ref = f"refs/heads/{the_plan.branch}"
    args = ["push", "--quiet"]
    if the_plan.force:
        # Replace only the tip we planned against, never something pushed since.
        args.append(f"--force-with-lease={ref}:{the_plan.remote_tip}")
    try:
        git(repo, *args, the_plan.remote, f"{commit}:{ref}")
    except PublishError as error:
        raise PublishError(f"could not push to {the_plan.remote} {the_plan.branch}: {error}") from None


def publish(repo: Repo, site_dir: Path, the_plan: Plan) -> Result:
    """Commit ``site_dir`` as the plan says and push it; the user's checkout is untouched."""
    env = identity_env(repo)
    if the_plan.parent:
        fetch_commit(repo, the_plan.remote, the_plan.branch, the_plan.parent)
        # The same files as the branch's tip: a new commit would only add noise to its history.
        if site_tree(repo, site_dir) == git(repo, "rev-parse", f"{the_plan.parent}^{{tree}}"):
            return Result(plan=the_plan, commit=None)
    commit = commit_site(repo, site_dir, the_plan.parent, the_plan.message, env)
    push(repo, the_plan, commit)
    return Result(plan=the_plan, commit=commit)


def _human_size(size: int) -> str:
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.1f} kB"
    return f"{size / 1_000_000:.1f} MB"
