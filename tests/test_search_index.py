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
    """Every page in the bundle, by URL: its words, filters and metadata as Pagefind stored them."""
    pages = {}
    for path in (output / "pagefind" / "fragment").glob("*.pf_fragment"):
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
