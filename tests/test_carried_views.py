"""A rebuild remembers the views and fingerprints of what did not change, and is never stale.

The preview keeps one `Builder` for the whole session and rebuilds on every save;
each entry's view, each view's digest and each page's fingerprint is carried over
from the last build while what it is made of is the very same object. These tests
edit a two-language site the ways authors do, one after another, and compare every
file of the remembering build with a fresh build's, byte for byte.
"""

from __future__ import annotations

import filecmp
import gc
from collections.abc import Callable
from pathlib import Path

import pytest

from sitegen import build
from sitegen.build import Builder
from sitegen.outputs.plan import PostStage, StagedOutput
from sitegen.outputs.search_records import SearchRecord, search_records
from sitegen.outputs.search_shards import plan_shards
from sitegen.rendering.views import SiteViews
from tests.support.sites import event, statement, story

CONFIG = """\
title = "Checks"
base_url = "https://example.org/checks/"
language = "en"
languages = ["en", "uk"]

[organization]
name = "Example Desk"
url = "https://example.org/"
"""

SITE = {
    "sitegen.toml": CONFIG,
    "content/_speakers/jane-roe.md": "---\nname: Jane Roe\n---\n\nA minister.\n",
    "content/_speakers/dmitry-peskov.md": "---\nname: Dmitry Peskov\n---\n\nKremlin spokesman.\n",
    "content/alpha/_index.md": story("Alpha story", extra="tags: [Energy]\n"),
    "content/alpha/_index.uk.md": story("Історія альфа"),
    "content/alpha/a1.md": event("2024-11-10", "The call is reported", "tags: [energy]\n"),
    "content/alpha/a2.md": statement(
        "2024-11-11", "dmitry-peskov", "Peskov denies the call",
        "denies: a1\nrating: false\nverdict: No record.\nreviewed: 2024-11-12\n",
    ),
    "content/alpha/a2.uk.md": "---\ntitle: Пєсков заперечує дзвінок\ndate: 2024-11-11\n---\n\nТекст.\n",
    "content/alpha/a3.md": event("2024-11-12", "A later event", "tags: [kremlin]\n"),
    "content/beta/_index.md": story("Beta story"),
    "content/beta/b1.md": statement("2024-03-01", "jane-roe", "Roe on beta", "tags: [kremlin]\n"),
    "content/gamma/_index.md": story("Gamma story"),
    "content/gamma/g1.md": statement("2024-11-14", "jane-roe", "Roe answers Peskov",
                                     "responds_to: alpha/a2\n"),
}


EDITS: list[tuple[str, str, str | None, str | None]] = [
    # (what authors do, the file, text replaced or None to write the file, new text or None to delete it)
    ("an entry's title", "content/alpha/a2.md", "Peskov denies", "Peskov rejects"),
    ("a speaker's name, shown on other stories' related entries",
     "content/_speakers/jane-roe.md", "Jane Roe", "Jane Q. Roe"),
    ("a new speaker whose bio links to javascript:, warned of in every later build too",
     "content/_speakers/ann-new.md", None, "---\nname: Ann New\n---\n\nSee [her](javascript:alert(1)).\n"),
    ("a story's title, shown on another story's related entries",
     "content/gamma/_index.md", "Gamma story", "Gamma, retold"),
    ("a tag's first spelling, which names it on every page",
     "content/alpha/_index.md", "[Energy]", "[ENERGY]"),
    ("a rating", "content/alpha/a2.md", "rating: false", "rating: misleading"),
    ("a review's date, which dates its story and so the pages of the story's tags in the sitemap",
     "content/alpha/a2.md", "reviewed: 2024-11-12", "reviewed: 2025-01-05"),
    ("placeholder text left from the scaffold, warned of in later builds too",
     "content/beta/b1.md", "Body.", "The exact words."),
    ("a new relation across stories",
     "content/gamma/g1.md", "responds_to: alpha/a2\n", "responds_to: alpha/a2\nconfirms: alpha/a1\n"),
    ("a hidden draft entry", "content/beta/b3.md", None, event("2024-03-03", "Beta draft", "draft: true\n")),
    ("a relation to the draft, warned of in every later build too",
     "content/gamma/g1.md", "confirms: alpha/a1\n", "confirms: alpha/a1\ncorrects: beta/b3\n"),
    ("a translation", "content/alpha/a2.uk.md", "Текст.", "Інший текст."),
    ("an entry removed", "content/alpha/a3.md", "", None),
    ("an entry added", "content/beta/b2.md", None, event("2024-03-02", "Beta event", "tags: [kremlin]\n")),
    ("a statement by someone not in content/_speakers/, who gets a page of their own",
     "content/beta/b4.md", None, statement("2024-03-04", "Ann Free", "Ann on beta")),
    ("the same name in another story, the same speaker",
     "content/gamma/g2.md", None, statement("2024-11-15", "Ann Free", "Ann on gamma")),
    ("an entry moved in time, changing its neighbours", "content/beta/b2.md", "2024-03-02", "2024-02-01"),
    ("the site's title", "sitegen.toml", 'title = "Checks"', 'title = "Fact checks"'),
    ("the organization, which signs each ClaimReview",
     "sitegen.toml", 'name = "Example Desk"', 'name = "Example Fact Check Desk"'),
    ("a layout", "layouts/partials/footer.html", None, "<footer>Our own footer</footer>\n"),
    ("a speaker's bio only", "content/_speakers/dmitry-peskov.md", "Kremlin spokesman.", "Spokesman."),
    ("a new story", "content/delta/_index.md", None, story("Delta story", extra="tags: [energy]\n")),
    ("an entry in the new story, answering another story's",
     "content/delta/d1.md", None,
     statement("2024-11-20", "Jane Q. Roe", "Roe again", "responds_to: alpha/a2\n")),
    ("a standalone page", "content/_pages/about.md", None, "---\ntitle: About\n---\n\nWho we are.\n"),
    ("a speaker removed", "content/_speakers/ann-new.md", "", None),
    ("an entry with an error fixed in the next edit", "content/beta/b2.md", "kind: event", "kind: evnt"),
    ("the error fixed", "content/beta/b2.md", "kind: evnt", "kind: event"),
]


def edit(site: Path, relative: str, old: str | None, new: str | None) -> None:
    path = site / relative
    if new is None:
        path.unlink()
    elif old is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(new, "utf-8")
    else:
        text = path.read_text("utf-8")
        assert old in text, (relative, old)
        path.write_text(text.replace(old, new, 1), "utf-8")


def differences(left: Path, right: Path) -> list[str]:
    """Every file that is in one output only, or differs; recursively."""
    found: list[str] = []

    def walk(comparison: filecmp.dircmp[str], prefix: str) -> None:
        found.extend(prefix + name for name in comparison.left_only + comparison.right_only)
        _, mismatch, errors = filecmp.cmpfiles(comparison.left, comparison.right, comparison.common_files,
                                               shallow=False)
        found.extend(prefix + name for name in mismatch + errors)
        for name, sub in comparison.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(left.resolve(), right.resolve()), "")
    return found


@pytest.mark.parametrize("buffered", [True, False], ids=["preview", "build"])
def test_every_edit_gives_the_bytes_of_a_fresh_build(
    write_site: Callable[..., Path], tmp_path: Path, buffered: bool,
) -> None:
    site = write_site(SITE)
    remembering = Builder(site, tmp_path / "out", buffered=buffered, search_index=False)
    first = remembering.build()
    assert first.ok, [d.format() for d in first.diagnostics]
    for number, (what, path, old, new) in enumerate(EDITS):
        edit(site, path, old, new)
        result = remembering.build({path} if buffered else None)
        if "error fixed in the next edit" in what:
            assert not result.ok and any(d.path == path for d in result.diagnostics if d.severity == "error")
            assert result.diagnostics == Builder(site, tmp_path / f"fresh-{number}").build().diagnostics
            continue
        assert result.ok, (what, [d.format() for d in result.diagnostics if d.severity == "error"])
        fresh = Builder(site, tmp_path / f"fresh-{number}", search_index=False)
        fresh_result = fresh.build()
        assert fresh_result.ok
        assert differences(remembering.output, fresh.output) == [], what
        # What was not read again reports what reading it would: every warning, at its line.
        assert [d.format() for d in result.diagnostics] == [d.format() for d in fresh_result.diagnostics]


@pytest.mark.parametrize("resave", [True, False], ids=["saved-each-run", "saved-once"])
def test_each_new_run_after_an_edit_gives_the_bytes_of_a_fresh_build(
    write_site: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, resave: bool,
) -> None:
    """`sitegen build` in a new process each time, starting from the memory the cache keeps.

    Saved once: the cache keeps the first run's memory (a large site saves it again only
    after many edits), so each run starts from it and reads every file changed since.
    """
    if not resave:
        monkeypatch.setattr(build, "RESAVE_SHARE", 0)
    site = write_site(SITE)
    cache = tmp_path / "cache"
    assert Builder(site, tmp_path / "out", search_index=False, cache_dir=cache).build().ok
    for number, (what, path, old, new) in enumerate(EDITS):
        edit(site, path, old, new)
        result = Builder(site, tmp_path / "out", search_index=False, cache_dir=cache).build()
        fresh = Builder(site, tmp_path / f"fresh-{number}", search_index=False)
        fresh_result = fresh.build()
        found = [d.format() for d in result.diagnostics]
        assert found == [d.format() for d in fresh_result.diagnostics], what
        if "error fixed in the next edit" in what:
            assert not result.ok
            continue
        assert result.ok, (what, [d.format() for d in result.diagnostics if d.severity == "error"])
        assert differences(tmp_path / "out", fresh.output) == [], what


def test_every_edit_gives_the_search_records_and_shards_of_a_fresh_build(
    write_site: Callable[..., Path], tmp_path: Path,
) -> None:
    """The preview's search index is made from records carried over per story: after each
    edit they, and the shards they are cut into, must be what a fresh build makes."""
    site = write_site(SITE)

    def indexed(into: list[tuple[list[SearchRecord], list[str]]]) -> PostStage:
        def stage(staged: StagedOutput) -> dict[str, str]:
            records = [r for plan in staged.plans for r in search_records(plan)]
            into.append((records, [s.fingerprint for s in plan_shards(records, Path(__file__))]))
            return {}
        return stage

    remembered: list[tuple[list[SearchRecord], list[str]]] = []
    remembering = Builder(site, tmp_path / "out", buffered=True, post_stages=(indexed(remembered),))
    assert remembering.build().ok
    for number, (what, path, old, new) in enumerate(EDITS):
        edit(site, path, old, new)
        if not remembering.build({path}).ok:
            continue
        fresh: list[tuple[list[SearchRecord], list[str]]] = []
        assert Builder(site, tmp_path / f"fresh-{number}", post_stages=(indexed(fresh),)).build().ok
        assert remembered[-1] == fresh[-1], what
    assert any("Peskov rejects" in r.html for r in remembered[-1][0])


def test_an_edit_makes_the_views_of_its_story_and_of_what_shows_it_only(
    write_site: Callable[..., Path], tmp_path: Path,
) -> None:
    site = write_site(SITE)
    builder = Builder(site, tmp_path / "out", buffered=True, search_index=False)
    assert builder.build().ok
    before = dict(builder.views("en").entries)
    edit(site, "content/beta/b1.md", "Roe on beta", "Roe on beta, again")
    assert builder.build({"content/beta/b1.md"}).ok
    after = builder.views("en").entries
    remade = {f"{ref.story}/{ref.id}" for ref, view in after.items() if view is not before[ref]}
    # Only beta's entries: nothing else shows b1 (no relation, and its tag's page lists summaries).
    assert remade == {"beta/b1"}
    assert after[next(r for r in after if r.id == "b1")].title == "Roe on beta, again"


def test_a_long_preview_session_keeps_no_old_builds_alive(
    write_site: Callable[..., Path], tmp_path: Path,
) -> None:
    site = write_site(SITE)
    builder = Builder(site, tmp_path / "out", buffered=True, search_index=False)
    for number in range(6):
        old = "Roe on beta" if number == 0 else f"take {number - 1}"
        edit(site, "content/beta/b1.md", old, f"take {number}")
        assert builder.build({"content/beta/b1.md"}).ok
    gc.collect()
    alive = sum(isinstance(o, SiteViews) for o in gc.get_objects())
    # The last build's views in each of the two languages, and at most the build before's.
    assert alive <= 4, f"{alive} SiteViews alive after 6 builds: old builds are kept"
