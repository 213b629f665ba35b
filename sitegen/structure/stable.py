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
from typing import Any, TypeVar

from sitegen.structure.model import Site, Story, entry_index

T = TypeVar("T")


def kept(new: T, old: T | None) -> T:
    """The old object when it equals the new one, else the new one."""
    return old if old is not None and (old is new or old == new) else new


class StableSite:
    """Turn each build's `Site` into one that shares every unchanged object with the last.

    What a read hands over and what this returns for it are remembered in pairs: the read
    gives back its own last objects for what did not change (`reading.links`), which are
    not always the ones returned here (an equal object kept from an earlier build, or one
    unpickled with the cache), and a read object seen last time is answered without
    comparing anything. Without the pairs, one such mismatch made every later rebuild
    compare all 10,000 entries field by field (40 ms of each preview rebuild).
    """

    def __init__(self) -> None:
        self._last: Site | None = None
        self._shown: dict[str, tuple[Any, Any]] = {}
        """By story slug, or `speaker:`, `tag:` or `page:` and a key: (what the last read
        gave, what was returned for it)."""

    def __call__(self, site: Site) -> Site:
        last = self._last
        shown: dict[str, tuple[Any, Any]] = {}
        if last is None:
            self._last = site
            self._remember(site, shown)
            self._shown = shown
            return site
        before = self._shown
        stories: list[Story] = []
        for story in site.stories:
            pair = before.get(story.slug)
            old = last.story(story.slug)
            if story is old or (pair is not None and pair[0] is story):
                stable = story if story is old else pair[1]  # type: ignore[index]
                stories.append(stable)
                shown[story.slug] = (story, stable)
                continue
            entries = tuple(kept(entry, last.entries.get(entry.ref)) for entry in story.entries)
            stable = story
            if any(a is not b for a, b in zip(entries, story.entries, strict=True)):
                stable = replace(story, entries=entries)
            stable = kept(stable, old)
            stories.append(stable)
            shown[story.slug] = (story, stable)
        stable_stories = tuple(stories)
        result = replace(
            site,
            config=kept(site.config, last.config),
            stories=stable_stories,
            speakers=_kept_all("speaker:", site.speakers, last.speakers, before, shown),
            tags=_kept_all("tag:", site.tags, last.tags, before, shown),
            pages=tuple(_kept_all("page:", {p.slug: p for p in site.pages},
                                  {p.slug: p for p in last.pages}, before, shown).values()),
            entries=entry_index(stable_stories, last),
            static_pages=kept(site.static_pages, last.static_pages),
        )
        self._last, self._shown = result, shown
        return result

    @staticmethod
    def _remember(stable: Site, shown: dict[str, tuple[Any, Any]]) -> None:
        shown.update((s.slug, (s, s)) for s in stable.stories)
        shown.update((f"speaker:{k}", (v, v)) for k, v in stable.speakers.items())
        shown.update((f"tag:{k}", (v, v)) for k, v in stable.tags.items())
        shown.update((f"page:{p.slug}", (p, p)) for p in stable.pages)


def _kept_all(
    kind: str, new: Mapping[str, T], old: Mapping[str, T],
    before: dict[str, tuple[Any, Any]], shown: dict[str, tuple[Any, Any]],
) -> MappingProxyType[str, T]:
    """Each value as last time when the read gave the same object, or an equal one."""
    result: dict[str, T] = {}
    for key, value in new.items():
        pair = before.get(kind + key)
        if pair is not None and pair[0] is value:
            result[key] = pair[1]
            shown[kind + key] = pair
        else:
            result[key] = stable = kept(value, old.get(key))
            shown[kind + key] = (value, stable)
    return MappingProxyType(result)
