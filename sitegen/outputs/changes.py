"""When content last changed, as the content itself says: for feeds' `updated` and sitemaps' `lastmod`.

Every date comes from the content (an entry's own date, its review, its
corrections), never from the clock or file times, so the same content gives
the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sitegen.rendering.views import DateView, EntryView, SiteViews, StoryView


def latest(dates: Iterable[DateView | None]) -> DateView | None:
    """The date that starts last, as its author wrote it."""
    return max((d for d in dates if d is not None), key=lambda d: d.sort_key(), default=None)


def entry_last_change(entry: EntryView) -> DateView:
    """The entry's newest date: its own, its review's or its newest correction's."""
    return entry.last_change


def story_last_change(views: SiteViews, story: StoryView) -> DateView | None:
    """The newest date of a story: as written, its corrections and its entries."""
    return latest([
        story.updated, *(c.date for c in story.corrections),
        *(entry_last_change(e) for e in views.story_entries(story.slug)),
    ])


class LastChanges:
    """The last change of each story, worked out once per build: list pages share them."""

    def __init__(self, views: SiteViews) -> None:
        self.views = views
        self._stories: dict[str, DateView | None] = {}

    def story(self, story: StoryView) -> DateView | None:
        if story.slug not in self._stories:
            self._stories[story.slug] = story_last_change(self.views, story)
        return self._stories[story.slug]

    def of_lists(
        self, stories: Iterable[StoryView] = (), entries: Iterable[EntryView] = (),
    ) -> DateView | None:
        """The newest change among the stories and entries a list page shows."""
        return latest([self.story(s) for s in stories] + [entry_last_change(e) for e in entries])
