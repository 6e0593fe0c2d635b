"""introchain as a blogger gets it: the wheel and sdist, installed with Debian's own python3, and the README's quick start.

These tests build distributions and make virtual environments (minutes, mostly pip), so
they are marked ``slow``; CI runs them. pip's own cache is left on, so the second
environment of a session installs from wheels the first one downloaded.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import threading
import urllib.request
import zipfile
from pathlib import Path

import pytest

from conftest import REPO
from generator import __version__
from generator.scaffold import starter_names
from generator.templates import theme_files

pytestmark = pytest.mark.slow

#: Folders of a working copy that are not part of the source (what a fresh clone lacks).
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", ".cache", "site", "build", "dist", "*.egg-info", "__pycache__",
                                    ".pytest_cache", ".hypothesis", "node_modules")
MARK = "Footer of my own"
#: Generous: making a venv and installing every dependency on a busy machine.
INSTALL_TIMEOUT = 900


def debian_python() -> Path:
    """The distribution's own python3 (externally managed, PEP 668), or skip where there is none."""
    python = Path("/usr/bin/python3")
    if not python.is_file():
        pytest.skip("no /usr/bin/python3: not a Debian or Ubuntu machine")
    stdlib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"],
                            capture_output=True, text=True, check=True).stdout.strip()
    if not Path(stdlib, "EXTERNALLY-MANAGED").is_file():
        pytest.skip(f"{python} is not an externally managed distribution python")
    return python


def run(*args, cwd: Path, env: dict | None = None, timeout: float = INSTALL_TIMEOUT) -> subprocess.CompletedProcess:
    result = subprocess.run([str(arg) for arg in args], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, f"{args} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result


def make_venv(python: Path, where: Path) -> Path:
    """A virtual environment made by ``python``; installs python3-venv with apt where it is missing (as root)."""
    made = subprocess.run([python, "-m", "venv", where], capture_output=True, text=True)
    if made.returncode != 0:
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            pytest.fail(f"cannot make a venv with {python} and cannot install python3-venv:\n{made.stderr}")
        apt = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run("apt-get", "update", "-qq", cwd=where.parent, env=apt)
        run("apt-get", "install", "-y", "-qq", "--no-install-recommends", "python3-venv", cwd=where.parent, env=apt)
        run(python, "-m", "venv", where, cwd=where.parent)
    return where


def source_copy(destination: Path) -> Path:
    """The repository's source as a fresh clone has it, in a temporary folder (nothing is written into the repo)."""
    shutil.copytree(REPO, destination, ignore=NOT_SOURCE)
    return destination


@pytest.fixture(scope="session")
def distributions(tmp_path_factory) -> tuple[Path, Path]:
    """(wheel, sdist) made by ``python -m build``: the sdist from the source, the wheel from the sdist."""
    root = tmp_path_factory.mktemp("dist")
    source = source_copy(root / "source")
    run(sys.executable, "-m", "build", "--outdir", root / "out", source, cwd=root)
    (wheel,) = (root / "out").glob("introchain-*.whl")
    (sdist,) = (root / "out").glob("introchain-*.tar.gz")
    return wheel, sdist


@pytest.fixture(scope="session")
def installed(distributions, tmp_path_factory) -> Path:
    """A venv made by Debian's python3, outside the repository, with the wheel installed: its bin folder."""
    python = debian_python()
    venv = make_venv(python, tmp_path_factory.mktemp("venv") / "env")
    run(venv / "bin/python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", distributions[0],
        cwd=venv.parent)
    return venv / "bin"


def blogger_env(bin_dir: Path, home: Path) -> dict[str, str]:
    """What a blogger's shell has: the venv's bin first, no PYTHONPATH into this repository, no git identity."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "GIT_", "VIRTUAL_ENV"))}
    home.mkdir(parents=True, exist_ok=True)
    (home / "gitconfig").write_text("", encoding="utf-8")
    return {**env, "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", "NO_COLOR": "1",
            "GIT_CONFIG_GLOBAL": str(home / "gitconfig"), "GIT_CONFIG_NOSYSTEM": "1"}


def test_both_distributions_pass_twine_check_and_hold_the_theme(distributions):
    wheel, sdist = distributions
    checked = run(sys.executable, "-m", "twine", "check", "--strict", wheel, sdist, cwd=wheel.parent)
    assert checked.stdout.count("PASSED") == 2, checked.stdout
    assert wheel.name == f"introchain-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for name in theme_files():
        assert f"generator/theme/{name}" in names, name
    starter = {re.sub(r"(^|/)\.", r"\1dot-", name) for name in starter_names()}
    for name in starter:
        assert f"generator/starter/{name}" in names, name
    assert f"introchain-{__version__}.dist-info/licenses/LICENSE" in names
    with tarfile.open(sdist) as archive:
        members = {member.split("/", 1)[1] for member in archive.getnames() if "/" in member}
    assert {"LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml"} <= members
    assert {f"generator/theme/{name}" for name in theme_files()} <= members


def test_a_blog_from_the_installed_wheel_checks_builds_previews_and_overrides(installed, tmp_path):
    env = blogger_env(installed, tmp_path / "home")
    work = tmp_path / "work"
    work.mkdir()
    version = run("introchain", "--version", cwd=work, env=env)
    assert version.stdout.strip() == f"introchain {__version__}"
    where = run(installed / "python", "-c", "import generator; print(generator.__file__)", cwd=work, env=env)
    assert "site-packages" in where.stdout and str(REPO) not in where.stdout

    run("introchain", "init", "blog", cwd=work, env=env)
    blog = work / "blog"
    run("introchain", "check", "--strict", cwd=blog, env=env)
    built = run("introchain", "build", cwd=blog, env=env)
    assert "built" in built.stdout
    site = blog / "site"
    for page in ("index.html", "stories/example-from-a-retweet-to-a-partnership/index.html", "tags/index.html",
                 "tags/example/index.html", "people/index.html", "people/example-sam/index.html",
                 "network/index.html", "archive/index.html", "404.html", "feed.xml", "sitemap.xml", "robots.txt",
                 "assets/style.css", "assets/graph.js"):
        assert (site / page).is_file(), page

    run("introchain", "new", "Πώς γνώρισα την Ελένη στο Twitter", cwd=blog, env=env)
    assert (blog / "content/stories/pos-gnorisa-tin-eleni-sto-twitter/index.md").is_file()

    _serve_home_page(blog, env)

    # One file of the theme overridden: every page changes, everything else still comes from the package.
    before = {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in site.rglob("*.html")}
    run("introchain", "theme", "copy", "partials/footer.html", cwd=blog, env=env)
    footer = blog / "templates/partials/footer.html"
    footer.write_text(footer.read_text(encoding="utf-8").replace("Built with introchain", MARK), encoding="utf-8")
    run("introchain", "build", cwd=blog, env=env)
    after = {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in site.rglob("*.html")}
    assert after.keys() == before.keys()
    strip = re.compile(r"<footer.*?</footer>", re.S)
    for name, text in after.items():
        assert MARK in text, name
        assert strip.sub("", text) == strip.sub("", before[name]), name
    listed = run("introchain", "theme", "list", cwd=blog, env=env).stdout
    assert [line for line in listed.splitlines() if "overridden" in line] == [
        "partials/footer.html  (overridden by templates/partials/footer.html)"]
    assert sorted(p.relative_to(blog / "templates").as_posix() for p in (blog / "templates").rglob("*")
                  if p.is_file()) == ["partials/footer.html"]


def _serve_home_page(blog: Path, env: dict[str, str]) -> None:
    """``introchain serve --port 0`` in ``blog`` serves the home page; Ctrl-C stops it cleanly."""
    server = subprocess.Popen(["introchain", "serve", "--port", "0"], cwd=blog, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        url = _wait_for_url(server, timeout=120)
        with urllib.request.urlopen(url, timeout=30) as response:
            assert response.status == 200
            page = response.read().decode("utf-8")
        assert "Example: from a retweet to a partnership" in page
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=30)
    assert server.returncode == 0, err


def _wait_for_url(process: subprocess.Popen, timeout: float) -> str:
    """The URL from the ``serving http://...`` line of a starting server (every line read meanwhile is kept)."""
    lines: list[str] = []
    found: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if match := re.search(r"serving (http://\S+)", line):
                found.append(match.group(1))
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)
    if not found:
        process.send_signal(signal.SIGINT)
        pytest.fail("the server did not start:\n" + "".join(lines))
    # Keep the pipe drained so the server never blocks on a full stdout.
    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
    return found[0]


def quick_start_command() -> str:
    """The command the README's quick start gives for serving the sample site from a clone."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Try it from a clone", 1)[1]
    return re.search(r"```sh\n(.*?)\n```", section, re.S).group(1).strip()


def test_the_readme_quick_start_serves_the_sample_with_debians_python(tmp_path):
    python = debian_python()
    # PATH as on a stock system: the first python3 on it is Debian's, externally managed.
    path = os.pathsep.join(entry for entry in os.environ["PATH"].split(os.pathsep)
                           if entry and not (Path(entry) / "python3").exists() or Path(entry) == python.parent)
    assert Path(shutil.which("python3", path=path)).resolve() == python.resolve()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(PATH=path, NO_COLOR="1")
    clone = source_copy(tmp_path / "clone")
    command = quick_start_command()
    assert "pip install" not in command or "venv" in command
    if _port_in_use(8000):  # the README's command as written serves on 8000; another program has it
        command += " --port 0"
    process = subprocess.Popen(["bash", "-c", command], cwd=clone, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        url = _wait_for_url(process, timeout=INSTALL_TIMEOUT)
        with urllib.request.urlopen(url, timeout=30) as response:
            page = response.read().decode("utf-8")
        assert "Small World, Social Media" in page
        assert (clone / ".venv/bin/python").is_file()
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=60)
    assert process.returncode == 0


def _port_in_use(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0

