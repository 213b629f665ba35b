"""What a build keeps in the cache folder for the next run, beyond parsed files: its memory.

A preview keeps one `Builder` for the whole session, so a rebuild after one edit
reads, views and fingerprints only what the edit touched (`rendering.memo`,
`reading.folders`, `reading.links`). `sitegen build` starts a new process each
time; this module saves that memory with the read cache, in one pickle so the
objects it shares stay shared, and the next run starts from it: the files that
changed since it was saved (by the snapshot taken before that read) are the
"changed" paths a watcher would have given.
"""

from __future__ import annotations

import copyreg
import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from sitegen.cache.snapshot import Snapshot, file_hash
from sitegen.reading.content import ReadCache, ReaderMemory
from sitegen.reading.editorial import Findings
from sitegen.rendering.carried_pages import CarriedArtifacts
from sitegen.rendering.memo import CarriedDigests, CarriedMemo
from sitegen.rendering.views import SiteViews
from sitegen.structure.diagnostics import Diagnostic
from sitegen.structure.stable import StableSite


@dataclasses.dataclass
class CarriedViews:
    """What one language's views are remembered by from build to build (see `rendering.memo`)."""

    stable: StableSite = dataclasses.field(default_factory=StableSite)
    views: SiteViews | None = None
    digests: CarriedDigests = dataclasses.field(default_factory=CarriedDigests)
    artifacts: CarriedArtifacts = dataclasses.field(default_factory=CarriedArtifacts)
    """This process's only: a new one makes every artifact again, from carried fingerprints."""


@dataclasses.dataclass
class BuildState:
    """The payload of the cache's read file."""

    reads: ReadCache
    reader: ReaderMemory
    findings: Findings
    placeholders: CarriedMemo[str, tuple[Diagnostic, ...]]
    carried: dict[str, CarriedViews]
    snapshot: Snapshot | None
    """The site's inputs just before the read this state comes from; None: unknown."""


def changed_since(before: Snapshot, now: Snapshot, site: Path) -> set[str] | None:
    """The paths of the site (relative, forward slashes) that differ between two snapshots;
    None when they are not of the same roots, so nothing can be said."""
    if before.roots != now.roots:
        return None
    changed: set[str] = set()
    for path in before.entries.keys() | now.entries.keys():
        if before.entries.get(path) != now.entries.get(path):
            changed.add(path.removesuffix("\0link"))
    # Modified just before the earlier walk: it may have changed since within its clock's tick.
    changed.update(path for path, digest in before.hashes.items() if file_hash(path) != digest)
    root = os.fspath(site)
    return {Path(os.path.relpath(path, root)).as_posix() for path in changed
            if path == root or path.startswith(root + os.sep)}


def _proxy(items: Mapping[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(dict(items))


# `Site` holds read-only mappings, which pickle cannot take as they are.
copyreg.pickle(MappingProxyType, lambda proxy: (_proxy, (dict(proxy),)))
