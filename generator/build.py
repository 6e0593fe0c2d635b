"""The build pipeline: load -> validate -> plan -> render -> write.

Every stage is a plain function of the previous stage's output; nothing is written until
every page has rendered, and then the whole site is swapped into place at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.errors import ContentError, ContentErrors, display_path

#: The templates that ship with introchain (the repository's ``templates/``).
DEFAULT_TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


@dataclass(frozen=True)
class BuildOptions:
    """What to build, from where, to where."""

    content_dir: Path
    out_dir: Path
    templates_dir: Path | None = None
    drafts: bool = False
    base_url: str | None = None  # overrides site.yaml's base_url (serve, publish)


@dataclass(frozen=True)
class BuildReport:
    """What a successful build did."""

    pages: int
    files: int
    changed: int
    seconds: float
    out_dir: Path
    warnings: tuple[ContentError, ...]


def resolve_templates(content_dir: Path, templates_dir: Path | None) -> Path:
    """The templates folder: the given one, else ``templates/`` beside the content folder, else the defaults."""
    if templates_dir is not None:
        return templates_dir
    beside = content_dir.resolve().parent / "templates"
    return beside if beside.is_dir() else DEFAULT_TEMPLATES


def read_assets(templates_dir: Path) -> dict[str, bytes]:
    """Every file under ``templates/assets/``, by '/'-separated name, in sorted order."""
    folder = templates_dir / "assets"
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


def render_site(options: BuildOptions, progress: Callable[[int, int], None] | None = None, loaded=None):
    """Load, validate and render; returns (files, copies, page count, warnings) without writing.

    ``loaded`` is an already validated ``(site, warnings)`` pair, to skip loading again.
    """
    from generator.content.load import load_site
    from generator.graph import graph_assets, graph_extras
    from generator.pages import plan_pages
    from generator.render import Environment, asset_versions, render_pages

    site, warnings = loaded or load_site(options.content_dir, drafts=options.drafts, base_url=options.base_url)
    templates_dir = resolve_templates(options.content_dir, options.templates_dir)
    if not templates_dir.is_dir():
        raise ContentErrors([ContentError(display_path(templates_dir), 0, 0, "templates folder not found",
                                          "pass --templates DIR or restore the templates/ folder")])
    assets = {**read_assets(templates_dir), **graph_assets()}
    story_extras, person_extras, network = graph_extras(site)
    pages = plan_pages(site, story_extras=story_extras, person_extras=person_extras, network=network)
    environment = Environment(templates_dir, site.config, asset_versions(assets))
    total = len(pages)
    files = render_pages(environment, pages, (lambda done: progress(done, total)) if progress else None)
    files.update({f"assets/{name}": data for name, data in assets.items()})
    copies = {
        f"{study.url_path}{asset}": study.bundle / asset
        for study in site.studies
        for asset in study.assets
    }
    return files, copies, len(pages), tuple(warnings)


def build_site(options: BuildOptions, progress: Callable[[int, int], None] | None = None) -> BuildReport:
    """Build the whole site; raises ``ContentErrors`` (output untouched) or ``OutputError``."""
    from generator.write import check_output_dir, write_site

    started = time.perf_counter()
    content = options.content_dir
    forbidden = (content, content.resolve().parent, resolve_templates(content, options.templates_dir))
    check_output_dir(options.out_dir, forbidden=forbidden)
    files, copies, pages, warnings = render_site(options, progress)
    changed = write_site(options.out_dir, files, copies)
    return BuildReport(
        pages=pages,
        files=len(files) + len(copies),
        changed=changed,
        seconds=time.perf_counter() - started,
        out_dir=options.out_dir,
        warnings=warnings,
    )
