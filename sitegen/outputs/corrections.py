"""The site-wide corrections log: every story's and entry's corrections, newest first."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sitegen.structure import urls

if TYPE_CHECKING:
    from sitegen.rendering.views import DateView, EntryView, SiteViews, StoryView


@dataclass(frozen=True)
class CorrectionItem:
    """One correction with what it corrects, for the log page and its feed."""

    key: str
    """Stable within the site: the corrected page's path, the date and a counter."""
    date: DateView
    note: str
    title: str
    """The title of the corrected story or entry."""
    url: str
    """The corrected page, below the site root."""
    story_title: str
    story_url: str
    is_story: bool
    """True when the story itself (its background or framing) was corrected."""


def corrections_log(views: SiteViews) -> tuple[CorrectionItem, ...]:
    """Gather every correction of the site, newest first, then in reading order.

    Each story's part is carried over while its views are the same objects, and the whole
    log while every part is (the corrections page and feed both ask for it)."""
    memo = views.carried("corrections")
    parts = tuple(
        memo.get(story.slug, (story, *entries), functools.partial(_story_corrections, story, entries))
        for story in views.stories
        for entries in (views.story_entries(story.slug),)
    )
    return views.carried("corrections-log").get("", parts, functools.partial(_newest_first, parts))


def _newest_first(parts: tuple[tuple[CorrectionItem, ...], ...]) -> tuple[CorrectionItem, ...]:
    items = [item for part in parts for item in part]
    return tuple(sorted(items, key=lambda i: i.date.sort_key(), reverse=True))


def _story_corrections(story: StoryView, entries: tuple[EntryView, ...]) -> tuple[CorrectionItem, ...]:
    found = [(c, story.title, story.url, True) for c in story.corrections]
    for entry in entries:
        found.extend((c, entry.title, entry.url, False) for c in entry.corrections)
    items: list[CorrectionItem] = []
    seen: dict[tuple[str, str], int] = {}
    for correction, title, url, is_story in found:
        count = seen[(url, correction.date.iso)] = seen.get((url, correction.date.iso), 0) + 1
        suffix = "" if count == 1 else f"-{count}"
        items.append(CorrectionItem(
            key=f"{url}#correction-{correction.date.iso}{suffix}",
            date=correction.date,
            note=correction.note,
            title=title,
            url=url,
            story_title=story.title,
            story_url=urls.story(story.slug),
            is_story=is_story,
        ))
    return tuple(items)
