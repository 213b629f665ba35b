"""The preview's search index: made in the background from each shown build, and only when it must."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sitegen.build import Builder
from sitegen.outputs.search import find_pagefind
from sitegen.preview.search import BackgroundSearchIndex
from tests.support.sites import event, story
from tests.support.tools import require_tool
from tests.test_search_index import indexed

ONE_ENTRY = {
    "content/call/_index.md": story("The call"),
    "content/call/report.md": event("2024-11-10", "The Post reports a call"),
}


def preview_with_search(root: Path, tmp_path: Path, said: list[str]) -> tuple[BackgroundSearchIndex, Builder]:
    """The preview's builder with its background search index, as `sitegen serve` wires them."""
    search = BackgroundSearchIndex(tmp_path / "search", said.append)
    builder = Builder(root, tmp_path / "preview" / "site", buffered=True, post_stages=(search.post_stage,))
    return search, builder


def build_and_show(builder: Builder, search: BackgroundSearchIndex) -> Path:
    """Build, show the build as the preview does, and wait for its index: the one served."""
    assert builder.build().ok
    search.publish()
    assert search.wait(timeout=60)
    bundle = search.bundle()
    assert bundle is not None
    return bundle


def files_of(folder: Path) -> set[int]:
    """The inodes of the files under a folder: a linked file has the one it was linked from."""
    return {p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def test_the_preview_indexes_again_only_when_a_searchable_word_changed(
    write_site: Callable[..., Path], tmp_path: Path,
) -> None:
    require_tool("pagefind", find_pagefind() is not None, "pip install pagefind-bin (a sitegen dependency)")
    root = write_site(ONE_ENTRY)
    said: list[str] = []
    search, builder = preview_with_search(root, tmp_path, said)
    try:
        assert search.bundle() is None  # nothing to search before the first build is shown

        first = build_and_show(builder, search)
        assert first is not None and (first / "pagefind-entry.json").is_file()
        assert indexed(first.parent)["/call/report/"]["meta"]["title"] == "The Post reports a call"

        (root / "static").mkdir()
        (root / "static/extra.css").write_text("body { margin: 0 }\n")
        assert build_and_show(builder, search) == first

        (root / "content/call/report.md").write_text(event("2024-11-10", "The Post reports a phone call"))
        second = build_and_show(builder, search)
        assert second is not None and second != first
        assert indexed(second.parent)["/call/report/"]["meta"]["title"] == "The Post reports a phone call"
        # A page that loaded the previous index before the switch can still fetch its files.
        assert (first / "pagefind-entry.json").is_file()
        assert [line.split(" in ")[0] for line in said] == ["search index updated"] * 2
    finally:
        search.close()


def test_the_preview_indexes_only_the_shard_of_an_edited_story(
    write_site: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sitegen.outputs import search_shards

    require_tool("pagefind", find_pagefind() is not None, "pip install pagefind-bin (a sitegen dependency)")
    monkeypatch.setattr(search_shards, "SHARD_RECORDS", 2)  # a shard for each story
    root = write_site({
        "content/budget/_index.md": story("The budget"),
        "content/budget/cut.md": event("2024-05-02", "The budget is cut"),
        "content/call/_index.md": story("The call"),
        "content/call/report.md": event("2024-11-10", "The Post reports a call"),
    })
    search, builder = preview_with_search(root, tmp_path, [])

    try:
        first = build_and_show(builder, search)
        assert json.loads((first / "shards.json").read_text("utf-8")) == {"shards": ["shards/1/"]}
        (root / "content/call/report.md").write_text(event("2024-11-10", "The Post reports a phone call"))
        second = build_and_show(builder, search)
        assert second != first
        # The budget's shard (the first) is linked from the index served before; the call's is new.
        assert files_of(second) - files_of(second / "shards") == files_of(first) - files_of(first / "shards")
        assert not files_of(second / "shards") & files_of(first / "shards")
        assert indexed(second.parent)["/call/report/"]["meta"]["title"] == "The Post reports a phone call"
    finally:
        search.close()


def test_the_index_waits_while_the_preview_rebuilds_an_edit(
    write_site: Callable[..., Path], tmp_path: Path,
) -> None:
    """The author waits for the edit, not for search: while a rebuild runs, the background index
    hands Pagefind nothing (here an index of the last build, started during the next one)."""
    require_tool("pagefind", find_pagefind() is not None, "pip install pagefind-bin (a sitegen dependency)")
    from sitegen.preview.serve import Preview, PreviewState

    root = write_site(ONE_ENTRY)
    search, builder = preview_with_search(root, tmp_path, [])
    preview = Preview(builder, PreviewState(), lambda line: None, search)
    build = builder.build
    done_during_rebuild: list[bool] = []

    def build_while_the_last_one_is_indexed(changed: object = None) -> object:
        search.publish()  # the records of the build before this one
        done_during_rebuild.append(search.wait(timeout=3))  # an index of one entry takes ~0.1 s
        return build()

    try:
        assert build().ok
        builder.build = build_while_the_last_one_is_indexed  # type: ignore[method-assign,assignment]
        assert preview.rebuild(None).ok
        assert done_during_rebuild == [False]
        assert search.wait(timeout=60) and search.bundle() is not None  # and it goes on after
    finally:
        search.close()


def test_stopping_the_preview_ends_an_index_in_progress_at_once(
    write_site: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl-C on `sitegen serve` must not wait for Pagefind: here one that never answers."""
    stuck = tmp_path / "stuck-pagefind"
    stuck.write_text("#!/bin/sh\nexec sleep 600\n")  # reads nothing, answers nothing
    stuck.chmod(0o755)
    monkeypatch.setattr("sitegen.preview.search.find_pagefind", lambda: stuck)
    root = write_site(ONE_ENTRY)
    said: list[str] = []
    search, builder = preview_with_search(root, tmp_path, said)
    try:
        assert builder.build().ok
        search.publish()
        assert not search.wait(timeout=1)  # indexing, and stuck
    finally:
        started = time.monotonic()
        search.close()
        stopped_in = time.monotonic() - started
    assert stopped_in < 5, f"close() waited {stopped_in:.1f} s for the index"
    assert said == []  # a cancelled index is not a failure to report
    assert search.bundle() is None


def test_the_preview_indexes_at_a_lower_cpu_priority_than_a_build_does(
    write_site: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On two cores, two Pagefind lanes at sitegen's own priority halved the speed of the
    rebuild of the author's next save; the preview's index yields, a build's does not."""
    require_tool("pagefind", find_pagefind() is not None, "pip install pagefind-bin (a sitegen dependency)")
    import os

    from sitegen.outputs import pagefind_service

    niceness: list[int] = []
    started = pagefind_service.PagefindService.__init__

    def noting(self: pagefind_service.PagefindService, *args: object, **kwargs: object) -> None:
        started(self, *args, **kwargs)  # type: ignore[arg-type]
        niceness.append(os.getpriority(os.PRIO_PROCESS, self._process.pid))

    monkeypatch.setattr(pagefind_service.PagefindService, "__init__", noting)
    own = os.getpriority(os.PRIO_PROCESS, 0)
    root = write_site(ONE_ENTRY)
    assert Builder(root, tmp_path / "public").build().ok
    assert niceness == [own]
    search, builder = preview_with_search(root, tmp_path, [])
    try:
        assert builder.build().ok
        search.publish()
        assert search.wait(timeout=60) and search.bundle() is not None
    finally:
        search.close()
    assert niceness[1:] == [min(19, own + pagefind_service.BACKGROUND_NICENESS)]


def test_the_preview_starts_from_the_index_a_build_left_in_its_output(
    write_site: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Indexing 10,000 entries took a core for 15 s after `sitegen serve` started, while the
    author edited: the shards `sitegen build` made of the same records are linked instead."""
    from sitegen.cache.site import SiteCache
    from sitegen.outputs import search
    from sitegen.outputs.search import FINGERPRINT_KEY

    require_tool("pagefind", find_pagefind() is not None, "pip install pagefind-bin (a sitegen dependency)")
    root = write_site(ONE_ENTRY)
    cache = tmp_path / "cache"
    assert Builder(root, root / "public", cache_dir=cache).build().ok
    built = files_of(root / "public/pagefind")
    ran: list[Path] = []
    original = search.write_bundle
    def counted(*args: Any, **kwargs: Any) -> bool:
        ran.append(args[2])
        return original(*args, **kwargs)

    monkeypatch.setattr(search, "write_bundle", counted)
    said: list[str] = []
    preview_search, builder = preview_with_search(root, tmp_path, said)
    preview_search.seed(SiteCache(cache, root).built_folders(FINGERPRINT_KEY))
    try:
        bundle = build_and_show(builder, preview_search)
        assert ran == []  # Pagefind did not run
        assert files_of(bundle) <= built
        assert indexed(bundle.parent)["/call/report/"]["meta"]["title"] == "The Post reports a call"
        # An edit is indexed as ever, by Pagefind.
        (root / "content/call/report.md").write_text(event("2024-11-10", "The Post reports a phone call"))
        edited = build_and_show(builder, preview_search)
        assert ran and edited != bundle
        assert indexed(edited.parent)["/call/report/"]["meta"]["title"] == "The Post reports a phone call"
    finally:
        preview_search.close()


def test_a_build_s_index_that_was_changed_since_is_not_linked(
    write_site: Callable[..., Path], tmp_path: Path,
) -> None:
    from sitegen.cache.site import SiteCache
    from sitegen.outputs.search import FINGERPRINT_KEY

    require_tool("pagefind", find_pagefind() is not None, "pip install pagefind-bin (a sitegen dependency)")
    root = write_site(ONE_ENTRY)
    cache = tmp_path / "cache"
    assert Builder(root, root / "public", cache_dir=cache).build().ok
    assert SiteCache(cache, root).built_folders(FINGERPRINT_KEY)
    (root / "public/pagefind/fragment").rename(root / "public/pagefind/moved")
    assert SiteCache(cache, root).built_folders(FINGERPRINT_KEY) == {}
