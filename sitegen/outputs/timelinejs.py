"""Each story as TimelineJS3 JSON (`/<story>/timeline.json`), for embedding and export.

The shape follows Knight Lab's format: a title slide from the story, one
event per entry with `start_date`/`end_date` objects carrying only the parts
the author gave (a time by the story's clock), `display_date` in the site's words where
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
from dataclasses import dataclass
from datetime import tzinfo
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


@dataclass(frozen=True)
class ExportSettings:
    """What a story's export is written for, beside its views and the theme's words."""

    base_url: str
    language: str
    """The language of the site's folder it is in (see `display_date`)."""
    zone: tzinfo
    """The story's time zone: its dates without a time are days of its calendar."""


def story_settings(plan: SitePlan, story: StoryView) -> ExportSettings:
    """The settings of one story's export in this plan's language."""
    config = plan.site.config
    return ExportSettings(config.base_url, plan.renderer.theme.language, config.story_zone(story.timezone))


def date_object(date: DateView, zone: tzinfo) -> dict[str, int]:
    """A TimelineJS date with the parts the author gave, and no more (see `date_parts`)."""
    count = PARTS_BY_PRECISION[date.precision]
    return dict(zip(DATE_PARTS[:count], date_parts(date, zone), strict=False))


def date_parts(date: DateView, zone: tzinfo) -> tuple[int, ...]:
    """Year, month, day, hour, minute, second of a date as an export gives them: a time as the
    story's clock says it (`zone`). TimelineJS knows no offsets and puts each date on the
    reader's calendar, days included, so every date must be on one clock: the author's own
    put 18:30 in Moscow after 17:00 in London, UTC put 01:30 in Moscow on 11 November before
    that day itself. The slide's display date keeps the author's wording, offset included."""
    if date.has_time:
        moment = date.start.astimezone(zone)
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


def slide(entry: EntryView, words: Any, settings: ExportSettings) -> dict[str, Any]:
    """One entry as a TimelineJS event; `words` is the export template's module."""
    event: dict[str, Any] = {"start_date": date_object(entry.date, settings.zone)}
    if entry.end_date is not None:
        event["end_date"] = date_object(entry.end_date, settings.zone)
    page = urls.absolute(settings.base_url, entry.url)
    if wording := display_date(entry, words, settings.language):
        event["display_date"] = wording
    event["text"] = {
        "headline": str(words.entry_headline(entry)),
        "text": str(words.entry_text(entry, page, entry_body(entry, page))),
    }
    media = slide_media(entry, page)
    if media is not None:
        event["media"] = media
    event.update(group=str(words.group(entry)), unique_id=entry.id)
    return event


def entry_body(entry: EntryView, page: str) -> Markup:
    """The entry's body as its page shows it, its addresses absolute against `page`: slides and
    sheet rows are read away from the site."""
    return Markup(absolute_links(entry.body_html.strip(), page))


def story_background(story: StoryView, base_url: str) -> Markup:
    """The story's background as its page shows it, its addresses absolute: the title slide's."""
    return Markup(absolute_links(story.background_html.strip(), urls.absolute(base_url, story.url)))


def timeline(
    story: StoryView, entries: tuple[EntryView, ...], words: Any, settings: ExportSettings,
) -> dict[str, Any]:
    """A story as a TimelineJS3 document: a title slide and its entries in order."""
    return {
        "scale": "human",
        # No unique_id on the title slide: a story's slug may equal one of its entry ids.
        "title": {"text": {
            "headline": str(words.story_headline(story)),
            "text": str(words.story_text(story, story_background(story, settings.base_url))),
        }},
        "events": [slide(entry, words, settings) for entry in entries],
    }


def plan_timelines(plan: SitePlan) -> Iterator[Artifact]:
    """One timeline.json per story; fingerprinted from the views and the macros they use."""
    def render(story: StoryView, entries: tuple[EntryView, ...], words: Any) -> bytes:
        document = timeline(story, entries, words, story_settings(plan, story))
        return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    return plan_story_exports(plan, urls.timeline_json, render, "the TimelineJS export",
                              salt=settings_salt(plan))


def settings_salt(plan: SitePlan) -> str:
    """What an export depends on beside its views: the addresses, and the site's time zone (a
    story's own is in its view)."""
    return f"{plan.site.config.base_url}\x1f{plan.site.config.timezone_name}"


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
