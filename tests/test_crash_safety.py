"""Nothing is lost: killed builds, a full disk, unwritable folders, interrupted serve and publish."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, run_cli, tree_bytes

pytestmark = pytest.mark.slow


def _many_stories(count: int) -> tuple[str, ...]:
    return tuple(f"story-{number:03d}" for number in range(1, count + 1))


def _start_build(project: Path, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "build", "--quiet"],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        **kwargs,
    )


def _temp_folders(project: Path) -> list[Path]:
    return [path for path in project.iterdir() if path.name.startswith(".introchain-tmp-")]


def _writing(project: Path) -> bool:
    """True once a build has started its site: a fresh folder beside it, or the retired site's lock taken."""
    if _temp_folders(project):
        return True
    # Read from /proc/locks rather than tried: trying would take the lock from the build.
    held = {line.split()[5].rsplit(":", 1)[-1] for line in Path("/proc/locks").read_text().splitlines() if "FLOCK" in line}
    return any(str(lock.stat().st_ino) in held for lock in (project / ".cache/introchain/retired").glob("*.lock"))


def test_sigkill_at_any_moment_leaves_the_old_or_the_new_site(make_site, tmp_path):
    project = make_site(stories=_many_stories(40))
    assert run_cli("build", cwd=project).code == 0
    # A second build retires the first site into the cache: the killed builds update that retired site.
    other = project / "content/stories/story-040/index.md"
    other.write_text(other.read_text() + "\nA second build.\n")
    assert run_cli("build", cwd=project).code == 0
    old = tree_bytes(project / "site")
    post = project / "content/stories/story-001/index.md"
    post.write_text(post.read_text().replace("Hello **world**.", "Hello **new world**."))
    reference = tmp_path / "reference"
    assert run_cli("build", "--out", reference, cwd=project).code == 0
    new = tree_bytes(reference)
    assert new != old

    outcomes = []
    # Kill before writing starts (while loading and rendering) and at several points while writing.
    for moment in ("early", 0.0, 0.002, 0.01, 0.03, 0.08, 0.2):
        build = _start_build(project)
        if moment == "early":
            time.sleep(0.1)  # starting Python and importing take longer; the whole rebuild takes about 0.3 s
        else:
            deadline = time.monotonic() + 60
            while not _writing(project) and build.poll() is None and time.monotonic() < deadline:
                time.sleep(0.0005)
            time.sleep(moment)
        build.send_signal(signal.SIGKILL)
        build.wait()
        state = tree_bytes(project / "site")
        assert state in (old, new), f"site/ is neither the old nor the new site after a kill at {moment}"
        outcomes.append("old" if state == old else "new")
    # The next build recovers and removes what the killed ones left beside site/.
    assert run_cli("build", cwd=project).code == 0
    assert tree_bytes(project / "site") == new
    assert _temp_folders(project) == []
    assert "old" in outcomes  # at least one kill landed before the swap
    # ...and the retired site the killed builds left half-updated still makes an exact site.
    other.write_text(other.read_text() + "\nA third build.\n")
    assert run_cli("build", cwd=project).code == 0
    assert run_cli("build", "--no-cache", "--out", tmp_path / "reference-2", cwd=project).code == 0
    assert tree_bytes(project / "site") == tree_bytes(tmp_path / "reference-2")


def _limit_file_size() -> None:
    # A file-size limit makes writes fail with EFBIG, as a full disk fails them with ENOSPC.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


def test_a_full_disk_gives_a_clear_message_and_keeps_the_site(make_site):
    project = make_site()
    assert run_cli("build", cwd=project).code == 0
    before = tree_bytes(project / "site")
    post = project / "content/stories/first/index.md"
    post.write_text(post.read_text().replace("Hello", "Changed ![a photo](photo.png)"))
    (project / "content/stories/first/photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(300 * 1024))
    build = _start_build(project, preexec_fn=_limit_file_size)
    _, err = build.communicate(timeout=120)
    err = err.decode()
    assert build.returncode == 1, err
    assert "error: could not write the site: File too large" in err
    assert "site/ was left as it was" in err
    assert "Traceback" not in err
    assert tree_bytes(project / "site") == before
    assert _temp_folders(project) == []


def test_an_output_folder_that_cannot_be_made_is_a_clear_error(make_site):
    project = make_site()
    (project / "blocked").write_text("a file where a folder should be")
    result = run_cli("build", "--out", "blocked/site", cwd=project)
    assert result.code == 1, result.text
    assert "error: could not write the site: File exists (blocked)" in result.err
    assert "Traceback" not in result.text


def _mapped(pid: int, name: str) -> bool:
    """True once process ``pid`` has loaded a shared library whose path contains ``name``."""
    try:
        return name in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


@pytest.mark.parametrize("moment", ["loading", "writing"])
def test_ctrl_c_during_a_build_leaves_the_previous_site(make_site, moment):
    project = make_site(stories=_many_stories(40))
    assert run_cli("build", cwd=project).code == 0
    other = project / "content/stories/story-040/index.md"
    other.write_text(other.read_text() + "\nA second build, so that the next one updates a retired site.\n")
    assert run_cli("build", cwd=project).code == 0
    post = project / "content/stories/story-002/index.md"
    original = post.read_text()
    # A loaded machine may let a 0.3 s rebuild finish before the signal lands: try again then.
    for attempt in range(5):
        before = tree_bytes(project / "site")
        post.write_text(original.replace("Hello", f"Interrupted {attempt}"))
        build = _start_build(project)
        deadline = time.monotonic() + 60
        if moment == "loading":  # PyYAML's C module is loaded as the content is: the build is under way
            while not _mapped(build.pid, "_yaml") and build.poll() is None and time.monotonic() < deadline:
                time.sleep(0.001)
        else:
            while not _writing(project) and build.poll() is None and time.monotonic() < deadline:
                time.sleep(0.0005)
        build.send_signal(signal.SIGINT)
        _, err = build.communicate(timeout=60)
        if build.returncode != 0:
            break
    # 130 from our handler. An interrupt that lands while PyYAML's or MarkupSafe's C modules
    # are being imported is caught all the same ("interrupted", no traceback), but CPython then
    # ends the process by the signal itself (-2 here), which a shell reports as 130 as well.
    assert build.returncode in (130, -signal.SIGINT), err
    assert err.decode().strip() == "interrupted"
    interrupted = tree_bytes(project / "site")
    assert _temp_folders(project) == []
    assert run_cli("build", cwd=project).code == 0
    after = tree_bytes(project / "site")
    assert f"Interrupted {attempt}" in (project / "site/stories/story-002/index.html").read_text()
    # Before the new site is swapped in, the old one stays; the lock is held until just
    # after the swap, so an interrupt at the very end may find the new one: never a mix.
    assert interrupted == before if moment == "loading" else interrupted in (before, after)


def _publish_project(make_site) -> tuple[Path, Path, callable]:
    """A committed project with a bare remote; returns it, the remote and a ``git`` helper."""
    project = make_site(stories=_many_stories(40))

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=project, check=True, capture_output=True, text=True,
                              env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_AUTHOR_NAME": "t",
                                   "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
                                   "GIT_COMMITTER_EMAIL": "t@example.org"}).stdout

    remote = project.parent / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "content")
    git("remote", "add", "origin", remote.as_uri())
    return project, remote, git


def _assert_nothing_published(project: Path, remote: Path, git, status_before: str, scratch: Path, err: bytes) -> None:
    assert "Traceback" not in err.decode()
    assert git("status", "--porcelain") == status_before
    assert git("for-each-ref", "refs/introchain") == ""
    assert sorted(path.name for path in scratch.iterdir()) == []
    assert subprocess.run(["git", "ls-remote", remote.as_uri()], capture_output=True, text=True).stdout == ""


def _publish_folders(scratch: Path) -> list[Path]:
    # Only publish's own folder counts: tempfile's probe of TMPDIR makes (and removes) a file there first.
    return [path for path in scratch.iterdir() if path.name.startswith("introchain-publish-") and path.is_dir()]


def test_interrupted_publish_leaves_nothing_behind(make_site):
    project, remote, git = _publish_project(make_site)
    status_before = git("status", "--porcelain")
    scratch = project.parent / "tmp"  # publish's TMPDIR: its temporary folders are easy to find
    scratch.mkdir()
    publish = subprocess.Popen([sys.executable, "-m", "generator", "publish"], cwd=project,
                               env={**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": str(scratch)},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Interrupt as soon as publish's own folder exists (not at the first entry in TMPDIR:
    # tempfile probes it with a short-lived file of its own); the folder is cleaned up however
    # early the interrupt lands, which the next test pins down exactly.
    deadline = time.monotonic() + 60
    while not _publish_folders(scratch) and publish.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    assert publish.poll() is None, "publish ended before making its temporary folder"
    publish.send_signal(signal.SIGINT)
    _, err = publish.communicate(timeout=60)
    assert publish.returncode != 0, "publish finished before the interrupt arrived"
    _assert_nothing_published(project, remote, git, status_before, scratch, err)


#: Runs publish with Ctrl-C arriving at the worst moment: the instant its temporary folder exists.
_CTRL_C_AFTER_MKDTEMP = """
import signal, sys, tempfile
made = tempfile.mkdtemp
def mkdtemp(*args, **kwargs):
    folder = made(*args, **kwargs)
    if "introchain-publish-" in folder:
        signal.raise_signal(signal.SIGINT)  # the handler runs at the next bytecode, before any clean-up is armed
    return folder
tempfile.mkdtemp = mkdtemp
from generator.cli import main
sys.exit(main(["publish"]))
"""


def test_ctrl_c_the_instant_publish_made_its_folder_leaves_nothing(make_site):
    project, remote, git = _publish_project(make_site)
    status_before = git("status", "--porcelain")
    scratch = project.parent / "tmp"
    scratch.mkdir()
    publish = subprocess.run([sys.executable, "-c", _CTRL_C_AFTER_MKDTEMP], cwd=project, capture_output=True, timeout=120,
                             env={**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": str(scratch)})
    assert publish.returncode == 130, publish.stderr
    assert publish.stderr.decode().strip() == "interrupted"
    _assert_nothing_published(project, remote, git, status_before, scratch, publish.stderr)
