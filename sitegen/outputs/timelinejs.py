"""Each story as TimelineJS3 JSON (`/<story>/timeline.json`), for embedding and export.

The shape follows Knight Lab's format: a title slide from the story, one
event per entry with `start_date`/`end_date` objects carrying only the parts
the author gave (a time as its instant in UTC), `display_date` in the site's words where
the parts alone would not say it, the text as the entry's page has it, `group` by kind and
`unique_id` = the entry id, and `media` where TimelineJS can show one
(`timelinejs_media`). The JSON is built here; every headline, text and
label in it comes from the theme's `partials/timelinejs.html`, so a theme can
change the slides, and the export reads like the site.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from sitegen.outputs.plan import SitePlan
from sitegen.outputs.timelinejs_media import slide_media
from sitegen.rendering.theme import template_errors
from sitegen.rendering.views import absolute_links
from sitegen.structure import urls
from sitegen.writing.artifact import Artifact

if TYPE_CHECKING:
    from sitegen.rendering.views import DateView, EntryView, StoryView

EXPORT_TEMPLATE = "partials/timelinejs.html"
"""The macros that write a slide's words and HTML."""
DATE_PARTS = ("year", "month", "day", "hour", "minute", "second")
PARTS_BY_PRECISION = {"year": 1, "month": 2, "day": 3, "minute": 5, "second": 6}


def date_object(date: DateView) -> dict[str, int]:
    """A TimelineJS date with the parts the author gave, and no more; a time in UTC (see
    `date_parts`)."""
    count = PARTS_BY_PRECISION[date.precision]
    return dict(zip(DATE_PARTS[:count], date_parts(date), strict=False))


def date_parts(date: DateView) -> tuple[int, ...]:
    """Year, month, day, hour, minute, second of a date as an export gives them: a time as the
    instant in UTC, for TimelineJS knows no offsets: 18:30 in Moscow went before 17:00 in
    London there, and came back from an import three hours late. The slide's display date
    keeps the author's wording, offset included (`timelinejs_csv.display_date`)."""
    if date.has_time:
        moment = date.start.astimezone(UTC)
        return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    return (date.year, date.month, date.day, date.hour, date.minute, date.second)


def display_date(entry: EntryView, words: Any, language: str) -> str:
    """The author's wording of the date; else, where the parts alone would say more than the
    author did (an approximate date) or less (a time's UTC offset), or TimelineJS would word them
    in English on another language's timeline, the date as the site words it. Not otherwise: an
    import of the export would take the words for the author's and keep them past any edit."""
    timed = any(date is not None and date.has_time for date in (entry.date, entry.end_date))
    worded = entry.display_date or entry.approximate or timed or language.split("-")[0] != "en"
    # The export template's `entry_date` gives the author's wording first, as the slide does.
    return str(words.entry_date(entry)) if worded else ""


def slide(entry: EntryView, base_url: str, words: Any, language: str) -> dict[str, Any]:
    """One entry as a TimelineJS event; `words` is the export template's module in `language`."""
    event: dict[str, Any] = {"start_date": date_object(entry.date)}
    if entry.end_date is not None:
        event["end_date"] = date_object(entry.end_date)
    page = urls.absolute(base_url, entry.url)
    if wording := display_date(entry, words, language):
        event["display_date"] = wording
    body = Markup(absolute_links(entry.body_html.strip(), page))
    event["text"] = {
        "headline": str(words.entry_headline(entry)),
        "text": str(words.entry_text(entry, page, body)),
    }
    media = slide_media(entry, page)
    if media is not None:
        event["media"] = media
    event.update(group=str(words.group(entry)), unique_id=entry.id)
    return event


def story_background(story: StoryView, base_url: str) -> Markup:
    """The story's background as its page shows it, its addresses absolute: the title slide's."""
    return Markup(absolute_links(story.background_html.strip(), urls.absolute(base_url, story.url)))


def timeline(
    story: StoryView, entries: tuple[EntryView, ...], base_url: str, words: Any, language: str,
) -> dict[str, Any]:
    """A story as a TimelineJS3 document: a title slide and its entries in order."""
    return {
        "scale": "human",
        # No unique_id on the title slide: a story's slug may equal one of its entry ids.
        "title": {"text": {
            "headline": str(words.story_headline(story)),
            "text": str(words.story_text(story, story_background(story, base_url))),
        }},
        "events": [slide(entry, base_url, words, language) for entry in entries],
    }


def plan_timelines(plan: SitePlan) -> Iterator[Artifact]:
    """One timeline.json per story; fingerprinted from the views and the macros they use."""
    base_url = plan.site.config.base_url

    language = plan.renderer.theme.language

    def render(story: StoryView, entries: tuple[EntryView, ...], words: Any) -> bytes:
        document = timeline(story, entries, base_url, words, language)
        return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    return plan_story_exports(plan, urls.timeline_json, render, "the TimelineJS export", salt=base_url)


StoryRender = Callable[["StoryView", "tuple[EntryView, ...]", Any], bytes]


def plan_story_exports(
    plan: SitePlan, path_of: Callable[[str], str], render: StoryRender, what: str, salt: str = "",
) -> Iterator[Artifact]:
    """One file per story made from its views and the theme's export macros (timeline.json, .csv).

    The fingerprint covers the export template (with the macros it imports), `salt` (what else
    the file depends on) and the views, so a file is produced again only when one changed.
    """
    views, renderer = plan.views, plan.renderer
    salt = renderer.theme.template_digest(EXPORT_TEMPLATE) + salt

    def produce(story: StoryView, entries: tuple[EntryView, ...]) -> bytes:
        with template_errors():
            return render(story, entries, renderer.theme.env.get_template(EXPORT_TEMPLATE).make_module({}))

    def fingerprint(story: StoryView, entries: tuple[EntryView, ...]) -> str:
        return hashlib.sha256((salt + renderer.digest((story, entries))).encode()).hexdigest()

    # Carried over while the story shows the same views; the salt is part of the key (by value).
    digests = views.carried(f"export:{what}")
    for story in views.stories:
        entries = views.story_entries(story.slug)
        digest = digests.get((story.slug, salt), (story, *entries),
                             functools.partial(fingerprint, story, entries))
        yield Artifact(
            path=path_of(story.slug),
            fingerprint=digest,
            produce=functools.partial(produce, story, entries),
            origin=f"{what} of {story.slug}",
        )
