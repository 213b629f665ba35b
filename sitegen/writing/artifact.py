"""One output file and how to make it: what planners return and writers write."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path


class OutputError(Exception):
    """A write that would escape the output folder, or two outputs for one file."""


@dataclass(frozen=True)
class Artifact:
    """One file of the output and how to make it."""

    path: str
    """Relative to the output folder, with forward slashes."""
    fingerprint: str
    """Changes whenever the bytes would; equal fingerprints mean equal bytes."""
    produce: Callable[[], bytes]
    origin: str = ""
    """What asked for this file, for the error when two outputs collide."""


def contained(root: Path, relative: str) -> Path:
    """Resolve an output path, refusing anything that lands outside `root`."""
    if relative.startswith("/") or "\\" in relative or "\x00" in relative:
        raise OutputError(f"refusing to write `{relative}`: not a relative path")
    target = (root / relative).resolve()
    if not target.is_relative_to(root.resolve()) or target == root.resolve():
        raise OutputError(f"refusing to write `{relative}`: outside the output folder")
    return target


def staged(staging: Path, relative: str) -> Path:
    """Where an output file goes in a new staging folder, refusing anything that leaves it.

    A staging folder is made by `stage` and holds nothing but the folders and files it
    made there, never a link, so normalising the path is the whole check; resolving it
    as `contained` does would cost a system call per folder of every file of the site.
    """
    if relative.startswith("/") or "\\" in relative or "\x00" in relative:
        raise OutputError(f"refusing to write `{relative}`: not a relative path")
    normal = posixpath.normpath(relative)
    if normal in (".", "..") or normal.startswith("../"):
        raise OutputError(f"refusing to write `{relative}`: outside the output folder")
    return staging / normal


def check_unique(artifacts: Iterable[Artifact]) -> list[tuple[str, str]]:
    """Name every output file claimed twice (Pelican raises on double writes too), with where
    to fix it: the file of `static/` among the two, else the content folder."""
    seen: dict[str, str] = {}
    problems = []
    for artifact in artifacts:
        key = artifact.path.casefold()
        if key in seen:
            origins = (seen[key], artifact.origin)
            where = next((origin for origin in origins if origin.startswith("static/")), "content")
            problems.append((f"`{artifact.path}` is written by both {origins[0]} and {origins[1]}", where))
        else:
            seen[key] = artifact.origin
    return problems
