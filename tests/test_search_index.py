"""The search index: what it holds for each entry, and when a build makes it again.

The Chromium tests (test_search_browser.py) show a reader finding things; these
read the bundle Pagefind wrote, to say exactly what a search can match.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sitegen.build import Builder
from sitegen.outputs.search import find_pagefind
from tests.support.outputs import folder_digest
from tests.support.sites import event, statement, story
from tests.support.tools import require_tool

PAGEFIND_PREFIX = b"pagefind_dcd"

SITE = {
    "content/call/_index.md": story("The call", "Was there a call?"),
    "content/call/report.md": event("2024-11-10", "The Post reports a call", extra="tags: [phone call]\n",
                                    body="Sources familiar with the matter."),
    "content/call/denial.md": statement(
        "2024-11-11", "Dmitry Peskov", "Kremlin denies the call",
        extra="role: Kremlin spokesman\nquote: Pure fiction.\nquote_type: verbatim\n"
              "denies: report\nrating: false\nverdict: No evidence was offered.\nreviewed: 2024-11-12\n",
        body="He called the report *fiction*.",
    ),
}


@pytest.fixture(autouse=True)
def _pagefind() -> None:
    require_tool("pagefind", find_pagefind() is not None, "pip install pagefind-bin (a sitegen dependency)")


def indexed(output: Path) -> dict[str, dict[str, Any]]:
    """Every page in the bundle and its shards, by URL: its words, filters and metadata as
    Pagefind stored them."""
    pages = {}
    for path in (output / "pagefind").rglob("fragment/*.pf_fragment"):
        data = json.loads(gzip.decompress(path.read_bytes())[len(PAGEFIND_PREFIX):])
        pages[data["url"]] = data
    return pages


def bundle_files(output: Path) -> dict[str, int]:
    """Each file of the bundle, with its inode: a reused bundle is linked, not written again."""
    return {p.relative_to(output).as_posix(): p.stat().st_ino for p in (output / "pagefind").rglob("*")
            if p.is_file()}


def test_the_index_holds_each_entry_with_its_words_filters_and_result_details(
    write_site: Callable[..., Path],
) -> None:
    root = write_site(SITE)
    result = Builder(root, root / "public").build()
    assert result.ok, [d.format() for d in result.diagnostics]

    pages = indexed(root / "public")
    # Entry pages only: the story, speaker and tag pages repeat their entries' words.
    assert sorted(pages) == ["/call/denial/", "/call/report/"]
    denial = pages["/call/denial/"]
    assert denial["meta"] == {
        "title": "Kremlin denies the call", "rating": "False", "date": "11 November 2024",
    }
    assert denial["filters"] == {
        "story": ["The call"], "kind": ["Statement"], "speaker": ["Dmitry Peskov"], "rating": ["False"],
    }
    assert denial["content"] == (
        "Statement 11 November 2024. Kremlin denies the call. Dmitry Peskov, Kremlin spokesman. "
        "Pure fiction. False. No evidence was offered. He called the report fiction."
    )
    # As on the page, sources and related entries are not what a search finds the entry by.
    assert "Example" not in denial["content"] and "Post" not in denial["content"]
    report = pages["/call/report/"]
    assert report["filters"] == {"story": ["The call"], "kind": ["Event"]}
    assert report["content"] == (
        "Event 10 November 2024. The Post reports a call. Sources familiar with the matter. phone call."
    )


def test_each_language_has_its_own_records_under_its_folder(write_site: Callable[..., Path]) -> None:
    root = write_site({
        "sitegen.toml": 'title = "Checks"\nbase_url = "https://example.org/"\nlanguage = "en"\n'
                        'languages = ["en", "uk"]\n',
        **SITE,
        "content/call/denial.uk.md": "---\ntitle: Кремль заперечує дзвінок\n---\n\nВін це заперечив.\n",
    })
    assert Builder(root, root / "public").build().ok
    pages = indexed(root / "public")
    assert sorted(pages) == ["/call/denial/", "/call/report/", "/uk/call/denial/", "/uk/call/report/"]
    ukrainian = pages["/uk/call/denial/"]
    assert ukrainian["meta"]["title"] == "Кремль заперечує дзвінок"
    assert ukrainian["filters"]["kind"] == ["Заява"]
    entry = json.loads((root / "public" / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
    counts = {language: info["page_count"] for language, info in entry["languages"].items()}
    assert counts == {"en": 2, "uk": 2}


def test_an_edit_that_changes_no_searchable_word_keeps_the_index(write_site: Callable[..., Path]) -> None:
    root = write_site(SITE)
    builder = Builder(root, root / "public")
    assert builder.build().ok
    before = bundle_files(root / "public")

    (root / "content/call/_index.md").write_text(story("The call", "A new summary for the story page."))
    (root / "static").mkdir()
    (root / "static/extra.css").write_text("body { margin: 0 }\n")
    result = builder.build()
    assert result.ok and "call/index.html" in result.produced
    assert bundle_files(root / "public") == before


def test_an_edited_title_is_indexed_on_the_next_build(write_site: Callable[..., Path]) -> None:
    root = write_site(SITE)
    builder = Builder(root, root / "public")
    assert builder.build().ok
    before = bundle_files(root / "public")

    (root / "content/call/report.md").write_text(event("2024-11-10", "The Post reports a phone call"))
    assert builder.build().ok
    assert bundle_files(root / "public") != before
    assert indexed(root / "public")["/call/report/"]["meta"]["title"] == "The Post reports a phone call"


def test_a_failing_pagefind_fails_the_build_and_keeps_the_last_output(
    write_site: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sitegen.outputs import search

    root = write_site(SITE)
    assert Builder(root, root / "public").build().ok
    before = bundle_files(root / "public")
    (root / "content/call/report.md").write_text(event("2024-11-10", "The Post reports a phone call"))
    broken = tmp_path / "pagefind"
    broken.write_text("#!/bin/sh\necho 'cannot index here' >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setattr(search, "find_pagefind", lambda: broken)

    result = Builder(root, root / "public").build()
    assert not result.ok
    [error] = [d for d in result.diagnostics if d.severity == "error"]
    assert error.message.startswith("search index failed: pagefind ")
    assert error.message.endswith("with exit code 3: cannot index here")
    assert bundle_files(root / "public") == before
    assert "The Post reports a call" in (root / "public/call/report/index.html").read_text("utf-8")


def test_without_pagefind_the_site_is_built_without_search_and_the_build_says_so(
    write_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sitegen.outputs import search

    monkeypatch.setattr(search, "find_pagefind", lambda: None)
    root = write_site(SITE)
    result = Builder(root, root / "public").build()
    assert result.ok and not (root / "public/pagefind").exists()
    assert any("the Pagefind binary was not found" in d.message and d.severity == "warning"
               for d in result.diagnostics)


# Shards: a large site's index is split by story, and an edit re-indexes one shard.

STORIES = {
    **SITE,
    "content/budget/_index.md": story("The budget", "Was the budget cut?"),
    "content/budget/cut.md": event("2024-05-02", "The budget is cut", body="A call for cuts."),
    "content/visit/_index.md": story("The visit", "Did the minister visit?"),
    "content/visit/trip.md": event("2024-06-01", "The minister travels", body="No call was made."),
}
"""Three stories: with `tiny_shards`, three shards (in slug order: budget, call, visit)."""


@pytest.fixture
def tiny_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shards of two records on average: every story of these sites gets one of its own."""
    from sitegen.outputs import search_shards

    monkeypatch.setattr(search_shards, "SHARD_RECORDS", 2)


def shard_list(output: Path) -> list[str]:
    return json.loads((output / "pagefind" / "shards.json").read_text("utf-8"))["shards"]


def shard_files(output: Path, folder: str) -> dict[str, int]:
    """The files of one shard (`""` for the first, which is the bundle folder less the others)."""
    files = bundle_files(output)
    if folder:
        return {path: inode for path, inode in files.items() if path.startswith(f"pagefind/{folder}")}
    return {path: inode for path, inode in files.items()
            if not path.startswith("pagefind/shards/") and path != "pagefind/shards.json"}


def test_a_small_site_has_one_shard_in_the_bundle_folder(write_site: Callable[..., Path]) -> None:
    root = write_site(STORIES)
    assert Builder(root, root / "public").build().ok
    assert shard_list(root / "public") == []
    assert not (root / "public/pagefind/shards").exists()
    assert sorted(indexed(root / "public")) == [
        "/budget/cut/", "/call/denial/", "/call/report/", "/visit/trip/"]


def test_each_story_of_a_shard_is_indexed_once_and_the_page_merges_the_others(
    write_site: Callable[..., Path], tiny_shards: None,
) -> None:
    root = write_site(STORIES)
    assert Builder(root, root / "public").build().ok
    output = root / "public"
    assert shard_list(output) == ["shards/1/", "shards/2/"]
    by_shard = {folder: sorted(page["url"] for page in indexed_in(output / "pagefind" / folder))
                for folder in ["", "shards/1/", "shards/2/"]}
    assert by_shard == {"": ["/budget/cut/"], "shards/1/": ["/call/denial/", "/call/report/"],
                        "shards/2/": ["/visit/trip/"]}
    # A merged shard holds its index only: the scripts come from the first.
    assert sorted(p.name for p in (output / "pagefind/shards/1").iterdir() if p.is_file())[0] == \
        "pagefind-entry.json"
    assert not list((output / "pagefind/shards/1").glob("*.js"))


def indexed_in(bundle: Path) -> list[dict[str, Any]]:
    """The pages of one shard's own fragments."""
    return [json.loads(gzip.decompress(path.read_bytes())[len(PAGEFIND_PREFIX):])
            for path in (bundle / "fragment").glob("*.pf_fragment")]


def test_an_edit_re_indexes_only_the_shard_of_its_story(
    write_site: Callable[..., Path], tiny_shards: None,
) -> None:
    root = write_site(STORIES)
    builder = Builder(root, root / "public")
    assert builder.build().ok
    output = root / "public"
    before = {folder: shard_files(output, folder) for folder in ["", "shards/1/", "shards/2/"]}

    (root / "content/call/report.md").write_text(event("2024-11-10", "The Post reports a phone call"))
    assert builder.build().ok
    assert shard_files(output, "") == before[""]
    assert shard_files(output, "shards/2/") == before["shards/2/"]
    edited = shard_files(output, "shards/1/")
    assert edited and not set(edited.values()) & set(before["shards/1/"].values())
    assert indexed(output)["/call/report/"]["meta"]["title"] == "The Post reports a phone call"


def test_a_new_story_moves_the_shards_after_it_without_indexing_them_again(
    write_site: Callable[..., Path], tiny_shards: None,
) -> None:
    root = write_site(STORIES)
    builder = Builder(root, root / "public")
    assert builder.build().ok
    output = root / "public"
    visit = shard_files(output, "shards/2/")

    write_site({"content/talks/_index.md": story("The talks"),
                "content/talks/round.md": event("2024-07-01", "A round of talks")})
    assert builder.build().ok
    assert shard_list(output) == ["shards/1/", "shards/2/", "shards/3/"]
    moved = shard_files(output, "shards/3/")
    assert sorted(moved.values()) == sorted(visit.values())
    assert "/talks/round/" in indexed(output) and "/visit/trip/" in indexed(output)


def test_a_removed_story_leaves_no_stale_shard(write_site: Callable[..., Path], tiny_shards: None) -> None:
    import shutil

    root = write_site(STORIES)
    builder = Builder(root, root / "public")
    assert builder.build().ok
    shutil.rmtree(root / "content/visit")
    assert builder.build().ok
    output = root / "public"
    assert shard_list(output) == ["shards/1/"]
    assert sorted(p.name for p in (output / "pagefind/shards").iterdir()) == ["1"]
    assert sorted(indexed(output)) == ["/budget/cut/", "/call/denial/", "/call/report/"]


def test_reused_shards_and_a_warm_cache_write_the_bytes_a_fresh_build_does(
    write_site: Callable[..., Path], tmp_path: Path, tiny_shards: None,
) -> None:
    root = write_site(STORIES)
    cache = tmp_path / "cache"
    assert Builder(root, root / "public", cache_dir=cache).build().ok
    (root / "content/call/report.md").write_text(event("2024-11-10", "The Post reports a phone call"))
    # A new process with the cache: two shards linked, one indexed again.
    assert Builder(root, root / "public", cache_dir=cache).build().ok
    assert Builder(root, tmp_path / "warm", cache_dir=cache).build().ok
    assert Builder(root, tmp_path / "fresh").build().ok
    edited = folder_digest(root / "public" / "pagefind")
    assert any(path.startswith("shards/2/") for path in edited)
    assert edited == folder_digest(tmp_path / "warm" / "pagefind") == \
        folder_digest(tmp_path / "fresh" / "pagefind")


def test_stories_that_change_places_on_the_home_page_keep_the_index_a_fresh_build_writes(
    write_site: Callable[..., Path], tmp_path: Path,
) -> None:
    # A story updated later moves up the home page; the index must not follow that order,
    # or a warm build's reused bundle differs from a fresh build's for the same records.
    root = write_site({
        "content/alpha/_index.md": story("Alpha", "First."),
        "content/alpha/a1.md": event("2024-03-01", "Alpha event"),
        "content/beta/_index.md": story("Beta", "Second."),
        "content/beta/b1.md": event("2024-01-01", "Beta event"),
    })
    cache = tmp_path / "cache"
    assert Builder(root, root / "public", cache_dir=cache).build().ok
    (root / "content/beta/_index.md").write_text(
        "---\ntitle: Beta\nsummary: Second.\nupdated: 2024-06-01\n---\n")
    assert Builder(root, root / "public", cache_dir=cache).build().ok
    assert Builder(root, tmp_path / "fresh").build().ok
    home = (root / "public/index.html").read_text("utf-8")
    assert home.index("Beta") < home.index("Alpha")  # the edit did move it
    assert folder_digest(root / "public" / "pagefind") == folder_digest(tmp_path / "fresh" / "pagefind")


def test_every_shard_holds_each_language_of_its_stories(
    write_site: Callable[..., Path], tiny_shards: None,
) -> None:
    root = write_site({
        "sitegen.toml": 'title = "Checks"\nbase_url = "https://example.org/"\nlanguage = "en"\n'
                        'languages = ["en", "uk"]\n',
        **STORIES,
        "content/call/denial.uk.md": "---\ntitle: Кремль заперечує дзвінок\n---\n\nВін це заперечив.\n",
    })
    assert Builder(root, root / "public").build().ok
    output = root / "public"
    entry = json.loads((output / "pagefind/shards/1/pagefind-entry.json").read_text("utf-8"))
    assert {language: info["page_count"] for language, info in entry["languages"].items()} == \
        {"en": 2, "uk": 2}
    assert indexed(output)["/uk/call/denial/"]["meta"]["title"] == "Кремль заперечує дзвінок"


def test_shards_keep_their_cuts_when_an_entry_or_a_story_is_added() -> None:
    """At the real shard size: a change moves the cuts next to it, not every cut after it.

    A shard grown to the most a shard holds is cut where it is full, so the next one or two
    may move too (here the new story lands in such a run)."""
    from sitegen.outputs.search_shards import SHARD_RECORDS, cut

    stories = [(f"story-{n:04d}", 5 + n % 23) for n in range(700)]
    groups = cut(stories)
    sizes = [sum(dict(stories)[slug] for slug in group) for group in groups]
    assert len(groups) > 10 and min(sizes) >= SHARD_RECORDS * 3 // 4
    # An edit falls in a large shard more often than in a small one, and costs what indexing
    # that shard again does: no shard but the last (which takes a short remainder) is large.
    assert max(sizes[:-1]) < SHARD_RECORDS * 3 // 2 + 27  # a story holds at most 27 records here
    grown = [(slug, records + (slug == "story-0100")) for slug, records in stories]
    added = sorted([*stories, ("story-0300b", 12)])
    for changed in (cut(grown), cut(added)):
        kept = [group for group in changed if group in groups]
        assert len(kept) >= len(groups) - 3
        assert changed[-5:] == groups[-5:]


def test_a_bundle_is_taken_only_once_pagefind_has_finished_writing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pagefind says its files are written while a background writer still writes them, and
    exits when told to: a script taken half-written broke the search page of one build."""
    from sitegen.outputs import pagefind_service

    bundle = tmp_path / "bundle"
    bundle.mkdir()
    script = bundle / "pagefind-component-ui.js"
    script.write_text("/* the first part */")
    pauses: list[float] = []

    def writer_goes_on(seconds: float) -> None:  # the writer's next piece lands during the pause
        pauses.append(seconds)
        if len(pauses) == 1:
            with script.open("a") as stream:
                stream.write("/* the rest */")

    monkeypatch.setattr(pagefind_service.time, "sleep", writer_goes_on)
    pagefind_service.wait_for_files(bundle)
    assert script.read_text() == "/* the first part *//* the rest */"
    assert len(pauses) == 2  # one to see it grow, one to see it stay
