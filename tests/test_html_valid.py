"""Every built HTML page passes the Nu Html Checker (npm vnu-jar) with no errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, run_cli

pytestmark = pytest.mark.slow

VNU_JAR = Path(os.environ.get("INTROCHAIN_VNU_JAR", REPO / ".cache/tools/node_modules/vnu-jar/build/dist/vnu.jar"))


def nu_errors(pages: list[Path]) -> list[str]:
    """Run the Nu Html Checker once over ``pages``; its errors as 'file:line: message'."""
    if not VNU_JAR.is_file() or shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail(f"the Nu Html Checker is missing ({VNU_JAR}); scripts/test installs it")
        pytest.skip("the Nu Html Checker is not installed; run scripts/test once")
    result = subprocess.run(
        ["java", "-Xss4m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, pages)],
        capture_output=True, text=True, timeout=300,
    )
    messages = json.loads(result.stderr or "{}").get("messages", [])
    return [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')}" for m in messages if m.get("type") == "error"]


def test_sample_site_pages_are_valid_html(sample_project: Path):
    assert run_cli("build", cwd=sample_project).code == 0
    pages = sorted((sample_project / "site").rglob("*.html"))
    assert len(pages) > 20
    assert nu_errors(pages) == []


def test_pages_with_drafts_pagination_and_hostile_text_are_valid_html(make_site):
    stories = tuple(f"story-{number}" for number in range(1, 13))
    project = make_site({"people.yaml": "tess:\n  name: '<b>Tess</b> & \"co\"'\nann: {name: Ann}\nbob: {name: Bob}\nclub: {name: Club, kind: community}\n"},
                        stories=stories)
    post = project / "content/stories/story-3/index.md"
    post.write_text(post.read_text().replace("tags: [testing]", "tags: [testing, 'a <tag>']\ndraft: true"))
    (project / "content/pages").mkdir()
    (project / "content/pages/about.md").write_text("---\ntitle: About <us> & \"them\"\ndraft: true\n---\nA *plain* page.\n")
    assert run_cli("build", "--drafts", cwd=project).code == 0
    assert (project / "site/about/index.html").is_file()
    pages = sorted((project / "site").rglob("*.html"))
    assert (project / "site/page/2/index.html").is_file()
    assert nu_errors(pages) == []
