"""The preview's search: a Pagefind index of each published build, made in the background.

An edit must show in the browser in about a second, and indexing 10,000
entries takes seconds, so the preview does not wait for it: each build hands
over its search records (cheap: the build's own data), and when they differ
from the index being served a worker thread indexes them into a new folder
and then serves that one; the shards whose records did not change are linked
from the index being served, so an edit re-indexes one shard. Until then
search answers from the previous index.
The server reads `pagefind/` from `bundle()`, outside the preview's output,
and the bundle before the current one is kept, so a page that loaded it
before the switch can still fetch its files.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from sitegen.outputs.plan import StagedOutput
from sitegen.outputs.search import MISSING_BINARY, find_pagefind, write_index
from sitegen.outputs.search_records import SearchRecord, in_shard_order, search_records
from sitegen.outputs.search_shards import Shard, plan_shards
from sitegen.structure.diagnostics import Diagnostics
from sitegen.structure.urls import SEARCH_INDEX_FOLDER

KEPT = 2
"""Bundles on disk: the one served and the one before it."""


class Wanted:
    """The records of one build, and the shards they make."""

    def __init__(self, languages: list[list[SearchRecord]], shards: list[Shard], fingerprint: str) -> None:
        self.languages = languages
        self.shards = shards
        self.fingerprint = fingerprint
        """Of every shard: equal means the same index."""

    def records_of(self, stories: frozenset[str]) -> Iterable[Iterable[SearchRecord]]:
        """The records of these stories, by language."""
        return ([r for r in records if r.story in stories] for records in self.languages)


class BackgroundSearchIndex:
    """Index the records of each published build in a worker thread; serve the newest index."""

    def __init__(self, folder: Path, out: Callable[[str], None]) -> None:
        """`folder` is private to this preview; `out` prints a line to the terminal."""
        self.folder = folder
        self.out = out
        self.binary = find_pagefind()
        self._staged: Wanted | None = None
        """The records of the build under way, until it is published."""
        self._wanted: Wanted | None = None
        self._indexed = ""
        """The fingerprint of the newest index built (or being built)."""
        self._bundles: list[Path] = []
        self._served_shards: dict[str, Path] = {}
        """The folder of each shard of the newest bundle, by fingerprint: the next links them."""
        self._generation = 0
        self._closing = False
        self._changed = threading.Condition()
        self._worker: threading.Thread | None = None
        self._busy = False
        """True while the worker makes an index."""
        self._warned = False
        self._cancel = threading.Event()
        """Set on close: the index being made stops within a tenth of a second."""
        self._feeding = threading.Event()
        """Clear while a rebuild runs: the worker hands Pagefind no record and links no file."""
        self._feeding.set()

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Hold the worker back while the preview rebuilds: the edit is what the author waits for.

        Feeding Pagefind is Python work (JSON and base64 for every record) in this process: at
        10,000 entries, a rebuild made during the first whole-site index took the interpreter
        in turns with it. Pagefind itself goes on with what it was given, on another core.
        """
        self._feeding.clear()
        try:
            yield
        finally:
            self._feeding.set()

    def seed(self, shards: dict[str, Path]) -> None:
        """Start from shards a `sitegen build` of the site left in its output, by fingerprint
        (`SiteCache.built_folders`): the first index links those of them it wants instead of
        running Pagefind over every entry (15 s of a core at 10,000, while the author edits)."""
        with self._changed:
            if not self._bundles:
                self._served_shards = {**shards, **self._served_shards}

    def post_stage(self, staged: StagedOutput) -> dict[str, str]:
        """A build stage: note this build's records; `publish` indexes them once the build is shown."""
        if self.binary is None:
            if not self._warned:
                self._warned = True
                staged.diagnostics.warning(".", 0, 0, MISSING_BINARY)
            return {}
        languages = [in_shard_order(search_records(plan)) for plan in staged.plans]
        shards = plan_shards((r for records in languages for r in records), self.binary)
        self._staged = Wanted(languages, shards, " ".join(shard.fingerprint for shard in shards))
        return {}

    def publish(self) -> None:
        """The build whose records were noted is being served: index them unless they are indexed."""
        staged, self._staged = self._staged, None
        if staged is None:
            return
        with self._changed:
            if staged.fingerprint == self._indexed:
                self._wanted = None
                return
            self._wanted = staged
            self._changed.notify_all()
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="sitegen-search", daemon=True)
                self._worker.start()

    def bundle(self) -> Path | None:
        """The folder of the index being served, or None before the first is ready."""
        with self._changed:
            return self._bundles[-1] if self._bundles else None

    def wait(self, timeout: float) -> bool:
        """Wait until the newest published records are indexed; tell whether they are (for tests)."""
        with self._changed:
            return self._changed.wait_for(lambda: self._wanted is None and not self._busy, timeout)

    def close(self) -> None:
        """Stop the worker, ending the index it is making, if any (Ctrl-C must not wait for it)."""
        with self._changed:
            self._closing = True
            self._cancel.set()
            self._feeding.set()
            self._changed.notify_all()
        if self._worker is not None:
            self._worker.join(timeout=30)

    def _paced(self, wanted: Wanted) -> Callable[[frozenset[str]], Iterable[Iterable[SearchRecord]]]:
        """`wanted.records_of`, each record handed over only while no rebuild holds the worker."""
        def paced(records: Iterable[SearchRecord]) -> Iterator[SearchRecord]:
            for record in records:
                self._feeding.wait()
                yield record

        return lambda stories: (paced(records) for records in wanted.records_of(stories))

    def _paced_link(self, source: str, target: str) -> None:
        """Link a file of a reused shard, only while no rebuild holds the worker: linking the
        10,000 files of the unchanged shards is Python work too, which took the interpreter in
        turns with the rebuild of the next edit."""
        self._feeding.wait()
        os.link(source, target)

    def _work(self) -> None:
        assert self.binary is not None
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._wanted is not None or self._closing)
                if self._closing:
                    return
                assert self._wanted is not None
                wanted, self._wanted = self._wanted, None
                self._indexed = wanted.fingerprint
                reuse = dict(self._served_shards)
                self._busy = True
                self._generation += 1
                target = self.folder / str(self._generation) / SEARCH_INDEX_FOLDER
            started = time.perf_counter()
            diagnostics = Diagnostics()
            done = write_index(wanted.shards, self._paced(wanted), self.binary, target, reuse,
                               diagnostics, self._cancel, background=True, link=self._paced_link)
            for diagnostic in diagnostics.items:
                self.out(diagnostic.format())
            with self._changed:
                if done:
                    self._bundles.append(target)
                    self._served_shards = {s.fingerprint: target / s.folder for s in wanted.shards}
                    for old in self._bundles[:-KEPT]:
                        shutil.rmtree(old.parent, ignore_errors=True)
                    del self._bundles[:-KEPT]
                else:
                    self._indexed = ""  # try again with the next build
                    shutil.rmtree(target.parent, ignore_errors=True)
                self._busy = False
                self._changed.notify_all()
            if done:
                count = sum(len(records) for records in wanted.languages)
                self.out(f"search index updated in {(time.perf_counter() - started) * 1000:.0f} ms: "
                         f"{count} entr{'y' if count == 1 else 'ies'}")
