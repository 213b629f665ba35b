"""The site-wide corrections log: every story's and entry's corrections, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sitegen.structure import urls

if TYPE_CHECKING:
    from sitegen.rendering.views import DateView, SiteViews


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
    """Gather every correction of the site, newest first, then in reading order."""
    items: list[CorrectionItem] = []
    for story in views.stories:
        found = [(c, story.title, story.url, True) for c in story.corrections]
        for entry in views.story_entries(story.slug):
            found.extend((c, entry.title, entry.url, False) for c in entry.corrections)
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
    return tuple(sorted(items, key=lambda i: i.date.sort_key(), reverse=True))
