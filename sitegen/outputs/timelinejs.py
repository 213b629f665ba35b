"""Each story as TimelineJS3 JSON (`/<story>/timeline.json`), for embedding and export.

The shape follows Knight Lab's format: a title slide from the story, one
event per entry with `start_date`/`end_date` objects carrying only the parts
the author gave, `display_date` as the site shows it, `group` by kind and
`unique_id` = the entry id. Dates and labels come from the theme's macros,
so the export reads like the site.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from sitegen.outputs.plan import SitePlan
from sitegen.rendering.escape import html_attribute, html_text
from sitegen.rendering.theme import template_errors
from sitegen.structure import urls
from sitegen.writing.artifact import Artifact

if TYPE_CHECKING:
    from sitegen.rendering.views import DateView, EntryView, StoryView

MACROS = "partials/macros.html"
DATE_PARTS = ("year", "month", "day", "hour", "minute", "second")
PARTS_BY_PRECISION = {
    "year": 1, "month": 2, "day": 3, "minute": 5, "second": 6,
}


def date_object(date: DateView) -> dict[str, int]:
    """A TimelineJS date with the parts the author gave, and no more."""
    count = PARTS_BY_PRECISION[date.precision]
    return {part: getattr(date, part) for part in DATE_PARTS[:count]}


def slide(entry: EntryView, base_url: str, macros: Any) -> dict[str, Any]:
    """One entry as a TimelineJS event."""
    display = str(macros.date_text(entry.date, entry.approximate))
    event: dict[str, Any] = {"start_date": date_object(entry.date)}
    if entry.end_date is not None:
        event["end_date"] = date_object(entry.end_date)
        display += " – " + str(macros.date_text(entry.end_date, entry.approximate))
    if entry.display_date:
        # The author's own wording (escaped below with the rest: TimelineJS shows it as HTML).
        display = entry.display_date
    parts = []
    if entry.speaker:
        speaker = html_text(entry.speaker.name)
        parts.append(f"<p>{speaker}, {html_text(entry.role)}</p>" if entry.role else f"<p>{speaker}</p>")
    if entry.quote:
        parts.append(f"<blockquote>{html_text(entry.quote)}</blockquote>")
    if entry.original_quote:
        # The speaker's own words beside the translation, marked with their language.
        language = html_attribute(entry.original_language)
        parts.append(f'<blockquote lang="{language}">{html_text(entry.original_quote)}</blockquote>')
    if entry.rating:
        label, verdict = html_text(entry.rating.label), html_text(entry.verdict)
        parts.append(f"<p><strong>{label}</strong>: {verdict}</p>")
    if entry.summary:
        parts.append(f"<p>{html_text(entry.summary)}</p>")
    link = urls.absolute(base_url, entry.url)
    parts.append(f'<p><a href="{html_attribute(link)}">{html_text(link)}</a></p>')
    event.update(
        display_date=html_text(display),
        text={"headline": html_text(entry.title), "text": "".join(parts)},
        group=str(macros.KIND_LABELS[entry.kind]),
        unique_id=entry.id,
    )
    return event


def timeline(story: StoryView, entries: tuple[EntryView, ...], base_url: str, macros: Any) -> dict[str, Any]:
    """A story as a TimelineJS3 document: a title slide and its entries in order."""
    return {
        "scale": "human",
        # No unique_id on the title slide: a story's slug may equal one of its entry ids.
        "title": {"text": {"headline": html_text(story.title), "text": f"<p>{html_text(story.summary)}</p>"}},
        "events": [slide(entry, base_url, macros) for entry in entries],
    }


def plan_timelines(plan: SitePlan) -> Iterator[Artifact]:
    """One timeline.json per story; fingerprinted from the views and the macros they use."""
    base_url = plan.site.config.base_url

    def render(story: StoryView, entries: tuple[EntryView, ...], macros: Any) -> bytes:
        document = timeline(story, entries, base_url, macros)
        return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    return plan_story_exports(plan, urls.timeline_json, render, "the TimelineJS export", salt=base_url)


StoryRender = Callable[["StoryView", "tuple[EntryView, ...]", Any], bytes]


def plan_story_exports(
    plan: SitePlan, path_of: Callable[[str], str], render: StoryRender, what: str, salt: str = "",
) -> Iterator[Artifact]:
    """One file per story made from its views and the theme's macros (timeline.json, timeline.csv).

    The fingerprint covers the macros template, `salt` (what else the file depends on) and the
    views, so a file is produced again only when one of them changed.
    """
    views, renderer = plan.views, plan.renderer
    salt = renderer.theme.template_digest(MACROS) + salt

    def produce(story: StoryView, entries: tuple[EntryView, ...]) -> bytes:
        with template_errors():
            return render(story, entries, renderer.theme.env.get_template(MACROS).make_module({}))

    for story in views.stories:
        entries = views.story_entries(story.slug)
        digest = hashlib.sha256((salt + renderer.digest((story, entries))).encode()).hexdigest()
        yield Artifact(
            path=path_of(story.slug),
            fingerprint=digest,
            produce=functools.partial(produce, story, entries),
            origin=f"{what} of {story.slug}",
        )
