"""The templates a build renders with: the project's overrides laid over the built-in theme.

The theme ships inside the package (``generator/theme/``). A project's ``templates/``
folder holds only what its author changed: a file there replaces the built-in file of the
same name (``partials/footer.html``, ``assets/style.css``), and every other file still
comes from the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.errors import ContentError, ContentErrors, display_path
from generator.regular import read_regular

#: The built-in theme: templates, with their static files under ``assets/``.
BUILTIN_THEME = Path(__file__).resolve().parent / "theme"
#: The overrides folder a project keeps beside its content folder.
OVERRIDES_NAME = "templates"


@dataclass(frozen=True)
class Templates:
    """Where each template and asset comes from: ``overrides`` first (when set), then ``builtin``."""

    overrides: Path | None
    builtin: Path = BUILTIN_THEME

    @property
    def folders(self) -> tuple[Path, ...]:
        """The folders searched, in order."""
        return (self.overrides, self.builtin) if self.overrides is not None else (self.builtin,)

    def find(self, name: str) -> Path | None:
        """The file that serves ``name`` ('partials/footer.html'), or None."""
        for folder in self.folders:
            path = folder / name
            if path.is_file():
                return path
        return None

    def is_override(self, path: str | Path) -> bool:
        """True when ``path`` lies in the project's overrides folder."""
        if self.overrides is None:
            return False
        return Path(path).resolve().is_relative_to(self.overrides.resolve())

    def origin(self, path: str | Path) -> str:
        """Whose file ``path`` is, for an error message: the author's copy or the built-in one."""
        name = _name_in(path, self.folders)
        if self.is_override(path):
            return f"your copy of {name} (it replaces the built-in one)" if (self.builtin / name).is_file() \
                else f"your template {name}"
        return f"the built-in theme's {name} (copy it with `introchain theme copy {name}` to change it)"

    def assets(self) -> dict[str, bytes]:
        """Every file under ``assets/`` by '/'-separated name, the project's replacing the built-in ones."""
        found: dict[str, bytes] = {}
        for folder in reversed(self.folders):
            found.update(read_assets(folder))
        return dict(sorted(found.items()))

    def fingerprint(self) -> str:
        """A digest of every file of both layers (a build's cache keys start with it)."""
        from generator.incremental.fingerprint import digest, tree_fingerprint

        return digest(*(tree_fingerprint(folder) for folder in self.folders))


def _name_in(path: str | Path, folders: tuple[Path, ...]) -> str:
    """``path`` as a template name ('partials/chain.html') relative to whichever folder holds it."""
    resolved = Path(path).resolve()
    for folder in folders:
        if resolved.is_relative_to(folder.resolve()):
            return resolved.relative_to(folder.resolve()).as_posix()
    return Path(path).name


def read_assets(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder/assets/``, by '/'-separated name, in sorted order."""
    assets = folder / "assets"
    if not assets.is_dir():
        return {}
    return {
        path.relative_to(assets).as_posix(): read_regular(path)
        for path in sorted(assets.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


def overrides_folder(content_dir: Path, templates_dir: Path | None) -> Path:
    """The folder whose files override the theme: the given one, else ``templates/`` beside the content."""
    return templates_dir if templates_dir is not None else content_dir.resolve().parent / OVERRIDES_NAME


def resolve_templates(content_dir: Path, templates_dir: Path | None) -> Templates:
    """The templates of a build; a ``--templates`` folder that does not exist is a content error."""
    if templates_dir is not None and not templates_dir.is_dir():
        raise ContentErrors([ContentError(display_path(templates_dir), 0, 0, "templates folder not found",
                                          "pass --templates with an existing folder, or leave it out to use "
                                          "templates/ beside the content folder and the built-in theme")])
    folder = overrides_folder(content_dir, templates_dir)
    return Templates(folder if folder.is_dir() else None)


def theme_files(builtin: Path = BUILTIN_THEME) -> list[str]:
    """Every file of the built-in theme, by '/'-separated name, sorted."""
    return sorted(path.relative_to(builtin).as_posix() for path in builtin.rglob("*")
                  if path.is_file() and "__pycache__" not in path.parts)
