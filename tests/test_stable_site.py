"""A rebuild's site shares every unchanged object with the last build's, and finds them cheaply.

The views of a 10,000-entry site are remembered by the identity of the entries and
stories they were made from, so each build's `Site` is handed through `StableSite`,
which swaps each new object for the last build's equal one. Comparing two equal
entries costs far less than viewing one again, but comparing all of them on every
save is what a one-entry preview rebuild must not do.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from sitegen.build import Builder
from sitegen.structure.model import Entry, Site, Story
from sitegen.structure.stable import StableSite
from tests.support.sites import event, statement, story

SITE = {
    "content/call/_index.md": story("The call"),
    "content/call/report.md": event("2024-11-10", "The Post reports a call"),
    "content/call/denial.md": statement("2024-11-11", "Dmitry Peskov", "The Kremlin denies it"),
    "content/visit/_index.md": story("The visit"),
    "content/visit/trip.md": event("2024-06-01", "The minister travels"),
}


def read(root: Path) -> Site:
    site, diagnostics = Builder(root, root / "public").read()
    assert site is not None and not diagnostics.has_errors(False)
    return site


def count_comparisons(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Note the story of every equality test of an entry or a story from now on."""
    compared: list[str] = []
    for model in (Entry, Story):
        equal = model.__eq__

        def noting(self: Any, other: Any, equal: Callable[[Any, Any], Any] = equal) -> Any:
            compared.append(self.slug if isinstance(self, Story) else self.ref.story)
            return equal(self, other)

        monkeypatch.setattr(model, "__eq__", noting)
    return compared


def test_equal_objects_are_swapped_for_the_last_builds(write_site: Callable[..., Path]) -> None:
    site = read(write_site(SITE))
    stable = StableSite()
    assert stable(site) is site
    again = pickle.loads(pickle.dumps(site))  # equal, not the same: as a read cache unpickles it
    kept = stable(again)
    assert [s is t for s, t in zip(kept.stories, site.stories, strict=True)] == [True, True]
    assert all(kept.entries[ref] is site.entries[ref] for ref in site.entries)


def test_what_the_read_handed_over_last_time_is_not_compared_again(
    write_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The read gives back its own objects for unchanged stories, which may be equal copies of
    what the build before kept: those are answered as last time, without a comparison."""
    site = read(write_site(SITE))
    stable = StableSite()
    stable(site)
    again = pickle.loads(pickle.dumps(site))
    stable(again)
    compared = count_comparisons(monkeypatch)
    third = stable(again)
    assert compared == []
    assert [s is t for s, t in zip(third.stories, site.stories, strict=True)] == [True, True]


def test_an_edited_story_is_compared_and_the_others_are_not(
    write_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = write_site(SITE)
    site = read(root)
    stable = StableSite()
    stable(site)
    again = pickle.loads(pickle.dumps(site))
    stable(again)
    edited = read(root)  # a new read: new objects for every story, as after an edit of each
    visit = next(s for s in edited.stories if s.slug == "visit")
    mixed = replace(again, stories=tuple(visit if s.slug == "visit" else s for s in again.stories))
    compared = count_comparisons(monkeypatch)
    result = stable(mixed)
    assert compared and set(compared) == {"visit"}
    assert result.story("visit") is site.story("visit")  # equal to the last: kept
    assert result.story("call") is site.story("call")


def test_the_entry_index_of_a_rebuild_is_a_fresh_reads_after_edits(write_site: Callable[..., Path]) -> None:
    """A rebuild patches the last index of entries by address instead of making it anew
    (`entry_index`): after an edit, an added and a removed entry, it finds what a new read does."""
    root = write_site(SITE)
    builder = Builder(root, root / "public")

    def read_again(changed: set[str]) -> Site:
        site, diagnostics = builder.read(changed)
        assert site is not None and not diagnostics.has_errors(False)
        fresh = read(root)
        assert dict(site.entries) == dict(fresh.entries)
        assert all(site.entries[e.ref] is e for s in site.stories for e in s.entries)
        return site

    read_again(set())
    (root / "content/call/report.md").write_text(event("2024-11-10", "The Post reports a phone call"))
    edited = read_again({"content/call/report.md"})
    assert [e.title for e in edited.entries.values() if e.id == "report"] == ["The Post reports a phone call"]
    (root / "content/visit/return.md").write_text(event("2024-06-03", "The minister returns"))
    assert len(read_again({"content/visit/return.md"}).entries) == 4
    (root / "content/call/denial.md").unlink()
    assert len(read_again({"content/call/denial.md"}).entries) == 3
