"""One site's cache folder, as a build uses it: load, save, and say once what went wrong.

A cache is an optimisation, so nothing about it fails a build: a file that
must not be trusted is deleted and the build goes on cold; a folder that
cannot be written leaves the next build cold. Each says so once, as a notice
(never a diagnostic, which `--strict` would turn into a failed build).
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sitegen.cache import record, store
from sitegen.cache.location import output_key, site_cache_folder
from sitegen.cache.record import OutputRecord
from sitegen.cache.templates import TemplateCache, template_cache
from sitegen.writing.spare import TreeState
from sitegen.writing.staging import SPARE_PREFIX

READ_CACHE = "read.cache"
READ_KIND = "read"
TREES = "trees"
"""The kind and the name of each output's `TreeState` file."""

T = TypeVar("T")


def check_read_cache_ahead(root: Path, site: Path) -> None:
    """Have the read cache's checksum checked on another core while the caller imports what
    it will load it with (see `store.check_ahead`)."""
    resolved = site.resolve()
    store.check_ahead(site_cache_folder(root, resolved) / READ_CACHE, READ_KIND, resolved)


class SiteCache:
    """The cache folder of one site."""

    def __init__(self, root: Path, site: Path) -> None:
        self.site = site.resolve()
        self.folder = site_cache_folder(root, self.site)
        self.trash = self.folder / "trash"
        """Replaced outputs being deleted in the background (`writing.staging.retire`)."""
        self.notices: list[str] = []
        """What went wrong with the cache since they were last taken (see `take_notices`)."""

    @functools.cached_property
    def templates(self) -> TemplateCache | None:
        """Where compiled templates are kept for the next process (see `cache.templates`)."""
        return template_cache(self.folder, self.notices.append)

    def take_notices(self) -> list[str]:
        """The notices to show with this build, each once."""
        notices, self.notices = self.notices, []
        return notices

    def load_read_cache(self, expected: type[T]) -> T | None:
        """What the last read of the site kept, if it is an `expected` (the reader's cache)."""
        return self._load(self.folder / READ_CACHE, READ_KIND, expected)

    def _load(self, path: Path, kind: str, expected: type[T]) -> T | None:
        """The payload of a cache file of this site if it is an `expected`; a file that must not
        be trusted is deleted with a notice, one that cannot be read is only noted."""
        try:
            kept = store.read(path, kind, self.site)
        except FileNotFoundError:
            return None
        except store.CacheDiscarded as error:
            self.discard(path, str(error))
            return None
        except OSError as error:
            self.notices.append(f"build cache not read: {path}: {error.strerror}; building without it")
            return None
        if not isinstance(kept, expected):
            self.discard(path, f"{path.name} holds something else")
            return None
        return kept

    def save_read_cache(self, payload: object) -> None:
        """Keep what this read found for the next run."""
        self._save(lambda: store.write(self.folder / READ_CACHE, READ_KIND, self.site, payload))

    def load_record(self, output: Path) -> OutputRecord | None:
        """The record of the last build into `output`, if it can be trusted."""
        try:
            return record.load(self.folder, self.site, output)
        except store.CacheDiscarded as error:
            self.discard(record.record_path(self.folder, output), str(error))
        except OSError as error:
            self.notices.append(f"build cache not read: {error.filename}: {error.strerror}; "
                                "building without it")
        return None

    def save_record(self, output: Path, built: OutputRecord) -> None:
        """Keep the record of a build into `output`."""
        self._save(lambda: record.save(self.folder, self.site, output, built))

    def built_folders(self, prefix: str) -> dict[str, Path]:
        """The post-stage folders (keys ending in `/`) under `prefix` of every output of this
        site the cache has a record of, by fingerprint, where they are as that build left them:
        the preview links the search index's shards from a build's output (`preview.search`)."""
        found: dict[str, Path] = {}
        for path in sorted(self.folder.glob(f"{record.RECORD_PREFIX}*.cache")):
            try:
                kept = store.read(path, record.KIND, self.site)
            except (OSError, store.CacheDiscarded):
                continue  # the build into that output reports it
            if not isinstance(kept, OutputRecord) or kept.settings.site != str(self.site):
                continue
            output = Path(kept.settings.output)
            for key, fingerprint in record.trusted_fingerprints(kept, output, prefix).items():
                if key.endswith("/"):
                    found.setdefault(fingerprint, output / key)
        return found

    def spare(self, output: Path) -> Path:
        """Where the output before last of `output` is kept (`writing.spare`)."""
        return self.trash / f"{SPARE_PREFIX}{output_key(output)}"

    def load_trees(self, output: Path) -> TreeState | None:
        """What the last build into `output` recorded of its trees, if it can be trusted."""
        return self._load(self._trees_path(output), TREES, TreeState)

    def save_trees(self, output: Path, trees: TreeState) -> None:
        """Keep what this build into `output` left of its trees, for the next."""
        self._save(lambda: store.write(self._trees_path(output), TREES, self.site, trees))

    def _trees_path(self, output: Path) -> Path:
        return self.folder / f"{TREES}-{output_key(output)}.cache"

    def discard(self, path: Path, reason: str) -> None:
        """Delete a cache file that must not be used, and say so."""
        with contextlib.suppress(OSError):
            os.unlink(path)
        self.notices.append(f"build cache discarded: {reason}; rebuilding without it")

    def _save(self, write: Callable[[], None]) -> None:
        try:
            write()
        except OSError as error:
            place = error.filename or self.folder
            self.notices.append(f"build cache not saved: {place}: {error.strerror}; "
                                "the next build starts without it")
