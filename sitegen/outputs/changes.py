"""When content last changed, as the content itself says: for feeds' `updated` and sitemaps' `lastmod`.

Every date comes from the content (an entry's own date, its review, its
corrections), never from the clock or file times, so the same content gives
the same bytes.
"""

from __future__ import annotations

import functools
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
    """The last change of each story and list page, worked out once per build (list pages share
    them) and carried over from the last build while what they show is the same views."""

    def __init__(self, views: SiteViews) -> None:
        self.views = views
        self._stories = views.carried("story-last-change")
        self._lists = views.carried("list-last-change")

    def story(self, story: StoryView) -> DateView | None:
        entries = self.views.story_entries(story.slug)
        return self._stories.get(story.slug, (story, *entries),
                                 functools.partial(story_last_change, self.views, story))

    def of_lists(
        self, stories: tuple[StoryView, ...] = (), entries: tuple[EntryView, ...] = (), key: str = "",
    ) -> DateView | None:
        """The newest change among the stories and entries a list page shows; `key` names the
        page, to carry its date over from the last build (none: worked out every time).

        Carried by each story's last change, not by the story's view: an entry of a tagged
        story may change (a review's date) while the story's own view stays the same object."""
        changes = tuple(self.story(s) for s in stories)
        if not key:
            return _latest_of(changes, entries)
        made = functools.partial(_latest_of, changes, entries)
        return self._lists.get(key, (*changes, None, *entries), made)


def _latest_of(changes: tuple[DateView | None, ...], entries: tuple[EntryView, ...]) -> DateView | None:
    return latest([*changes, *(entry_last_change(e) for e in entries)])
