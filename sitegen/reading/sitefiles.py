"""List a site's source files without ever leaving the site folder.

`content/`, `layouts/` and `static/` may hold symbolic links; one that points
outside the site would publish (and let the preview serve) any file on the
machine, so it is an error naming the link. Links that point nowhere, link
loops and folders named like files (`x.md/`) are errors with their path too,
instead of a traceback halfway through a build.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from sitegen.structure.diagnostics import Diagnostics


def escape_reason(root: Path, path: Path, output: Path | None = None) -> str | None:
    """Why `path` must not be read (a link out of the site, dangling or looping, or into the
    `output` folder, resolved), or None."""
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        return "this is a symbolic link to nothing (its target does not exist); remove it or fix it"
    except (RuntimeError, OSError):
        return "this is a symbolic link loop; remove it"
    if not target.is_relative_to(root.resolve()):
        return (f"this is a symbolic link to {target}, outside the site folder, which is never read; "
                "copy the file into the site instead")
    if output is not None and target.is_relative_to(output):
        # Copied in, it would be copied again from the new output: a tree that grows.
        return (f"this links into the output folder ({output.name}/), which each build replaces; "
                "remove the link")
    return None


SITE_PARTS = ("sitegen.toml", "content", "layouts", "static")
"""What a build reads at the top of the site folder."""


def site_part_escapes(root: Path) -> list[tuple[str, str]]:
    """Each of the site's own top-level folders and files that is a link it must not follow
    (out of the site, dangling, a loop), with why: `walk` checks the links inside a folder,
    and would follow the folder itself to wherever it points."""
    return [(name, reason) for name in SITE_PARTS
            if (root / name).is_symlink() and (reason := escape_reason(root, root / name))]


LEFTOVER_NAMES = frozenset({
    ".DS_Store", "Thumbs.db", "desktop.ini", ".gitkeep", ".gitignore", ".gitattributes"})
"""Files an operating system, an editor or git leaves in a folder, which no reader is sent."""
LEFTOVER_FOLDERS = frozenset({".git", ".hg", ".svn"})


def is_leftover(path: Path, folder: Path) -> bool:
    """Whether a file under `folder` is what a tool left there rather than a file for the site:
    `.DS_Store`, an editor's `x~`, `.#x` or `.x.swp`, anything in a `.git` folder. Other names
    that start with a dot are the host's (`.htaccess`, `.nojekyll`, `.well-known/`) and are kept."""
    name = path.name
    return (name in LEFTOVER_NAMES or name.endswith("~") or name.startswith(".#")
            or (name.startswith(".") and name.endswith((".swp", ".swo", ".swx")))
            or not LEFTOVER_FOLDERS.isdisjoint(path.relative_to(folder).parts[:-1]))


def walk(
    root: Path, folder: Path, diagnostics: Diagnostics, suffix: str = "", output: Path | None = None,
) -> Iterator[Path]:
    """Every file under `folder` (ending in `suffix`), in name order, reporting unsafe ones
    (links into `output`, resolved, too).

    Folders linked from inside the site are followed once each; the paths
    yielded are the ones under `folder`, so they name files as the author sees them.
    """
    if not folder.is_dir():
        return
    seen: set[Path] = set()
    yield from _walk(root, folder, diagnostics, suffix, seen, output)


def _walk(
    root: Path, folder: Path, diagnostics: Diagnostics, suffix: str, seen: set[Path], output: Path | None,
) -> Iterator[Path]:
    real = folder.resolve()
    if real in seen:
        diagnostics.error(_rel(root, folder), 0, 0, "this folder links back to a folder above it (a loop); "
                          "remove the symbolic link")
        return
    seen.add(real)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as error:
        diagnostics.error(_rel(root, folder), 0, 0, f"cannot read this folder: {error.strerror}")
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.is_symlink():
            reason = escape_reason(root, path, output)
            if reason is not None:
                if not suffix or path.name.endswith(suffix) or path.is_dir() or not path.exists():
                    diagnostics.error(_rel(root, path), 0, 0, reason)
                continue
        # The listing's own file types (no stat per file unless it is a link, which they follow).
        if entry.is_dir():
            if suffix and path.name.endswith(suffix) and not path.name.startswith("."):
                diagnostics.error(_rel(root, path), 0, 0,
                                  f"a folder named like a content file (`*{suffix}`); rename it")
                continue
            yield from _walk(root, path, diagnostics, suffix, seen, output)
        elif entry.is_file() and entry.name.endswith(suffix):
            yield path
        elif suffix and not entry.name.startswith(".") and (right := _meant_name(entry.name, suffix)):
            # `Entry.MD` from a system that ignores case, `entry.markdown` from Jekyll or Hugo:
            # skipped without a word, it vanishes from the site.
            diagnostics.warning(_rel(root, path), 0, 0,
                                f"not read: content files end in `{suffix}`; rename it to `{right}`")
    seen.discard(real)


MARKDOWN_SUFFIXES = (".markdown", ".mdown", ".mkdn", ".mkd", ".md.txt")
"""The other names Markdown files go by (Jekyll, Hugo and editors read them)."""


def _meant_name(name: str, suffix: str) -> str | None:
    """The name a file that is surely meant as a content file should have, or None."""
    lower = name.lower()
    if lower.endswith(suffix):
        return lower
    if suffix == ".md":
        for other in MARKDOWN_SUFFIXES:
            if lower.endswith(other):
                return name[: -len(other)] + suffix
    return None


def _rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
