"""Keep the last build's model objects for everything that did not change.

A rebuild reads the site afresh (from the read cache, mostly), so every `Entry`,
`Story` and `Speaker` is a new object even when its file did not change. The views
and fingerprints are remembered between builds by the identity of what they were
made from (`rendering.memo`); for those memos to hit, an unchanged part of the site
must be the very object it was last time. `StableSite` swaps each new object for
the last build's equal one: an equality test of two frozen dataclasses whose fields
are mostly shared strings costs far less than a view and its digest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import TypeVar

from sitegen.structure.model import Site

T = TypeVar("T")


def kept(new: T, old: T | None) -> T:
    """The old object when it equals the new one, else the new one."""
    return old if old is not None and (old is new or old == new) else new


class StableSite:
    """Turn each build's `Site` into one that shares every unchanged object with the last."""

    def __init__(self) -> None:
        self._last: Site | None = None

    def __call__(self, site: Site) -> Site:
        last = self._last
        if last is None:
            self._last = site
            return site
        stories = []
        for story in site.stories:
            old = last.story(story.slug)
            if story is old:  # linked to the same entries as last time (`reading.links`)
                stories.append(story)
                continue
            entries = tuple(kept(entry, last.entries.get(entry.ref)) for entry in story.entries)
            if any(a is not b for a, b in zip(entries, story.entries, strict=True)):
                story = replace(story, entries=entries)
            stories.append(kept(story, old))
        last_pages = {page.slug: page for page in last.pages}
        stable = replace(
            site,
            config=kept(site.config, last.config),
            stories=tuple(stories),
            speakers=_kept_all(site.speakers, last.speakers),
            tags=_kept_all(site.tags, last.tags),
            pages=tuple(kept(page, last_pages.get(page.slug)) for page in site.pages),
            entries=MappingProxyType({e.ref: e for s in stories for e in s.entries}),
        )
        self._last = stable
        return stable


def _kept_all(new: Mapping[str, T], old: Mapping[str, T]) -> MappingProxyType[str, T]:
    return MappingProxyType({key: kept(value, old.get(key)) for key, value in new.items()})
