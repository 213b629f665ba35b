"""Each story as a CSV in the column layout of TimelineJS's Google Sheet template.

`/<story>/timeline.csv` sits beside `timeline.json`, so a newsroom that keeps
its timelines in Knight Lab's sheet can paste a story into it. The first row
is the title slide (`Type` = `title`), then one row per entry, oldest first.
Headline, Text, captions and credits are HTML to TimelineJS (it sets
innerHTML), so every text is escaped and the body is the entry's own safe HTML.
One column the template lacks, `Unique ID`, comes last: TimelineJS ignores
unknown columns, and `sitegen import timelinejs` reads it back as the entry id.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from sitegen.outputs.plan import SitePlan
from sitegen.outputs.timelinejs import (
    ExportSettings,
    date_parts,
    display_date,
    entry_body,
    plan_story_exports,
    settings_salt,
    story_background,
    story_settings,
)
from sitegen.outputs.timelinejs_media import source_media
from sitegen.structure import urls
from sitegen.writing.artifact import Artifact

if TYPE_CHECKING:
    from sitegen.rendering.views import DateView, EntryView, StoryView

TEMPLATE_COLUMNS = (
    "Year", "Month", "Day", "Time", "End Year", "End Month", "End Day", "End Time",
    "Display Date", "Headline", "Text", "Media", "Media Credit", "Media Caption",
    "Media Thumbnail", "Type", "Group", "Background",
)
"""The header of Knight Lab's sheet template (src/template/my-own-timeline.csv), in its order."""
ID_COLUMN = "Unique ID"
"""sitegen's extra column: the entry id, so an export imports back to the same ids."""
COLUMNS = (*TEMPLATE_COLUMNS, ID_COLUMN)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet runs a cell that starts with one of these as a formula (CSV injection)."""


def sheet_text(text: str) -> str:
    """Keep a cell a text when pasted into a sheet: a leading `'` stops a formula from running."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def date_cells(date: DateView | None, zone: tzinfo) -> tuple[str, str, str, str]:
    """Year, Month, Day and Time, filled only as far as the author's precision goes; a time
    by the story's clock (`timelinejs.date_parts`)."""
    if date is None:
        return ("", "", "", "")
    year, month, day, hour, minute, second = date_parts(date, zone)
    time = ""
    if date.has_time:
        time = f"{hour:02d}:{minute:02d}"
        if date.precision == "second":
            time += f":{second:02d}"
    return (str(year), str(month) if date.precision != "year" else "",
            str(day) if date.precision not in ("year", "month") else "", time)


def entry_row(entry: EntryView, words: Any, settings: ExportSettings) -> dict[str, str]:
    """One entry as a sheet row: its dates, title, body, and as the media its first source that
    TimelineJS can show (`timelinejs_media`: an article's address there is a broken image).

    `words` is the theme's export template (partials/timelinejs.html), as for timeline.json.
    The text opens with who said what and the verdict, as the slide does (`entry_lead`); the
    body's images stay in it, where TimelineJS shows them too, and every source is listed after
    it (`entry_sources`): the import reads both back.
    """
    start, end = date_cells(entry.date, settings.zone), date_cells(entry.end_date, settings.zone)
    media = source_media(entry.sources) or {}
    page = urls.absolute(settings.base_url, entry.url)
    row = dict.fromkeys(COLUMNS, "")
    row.update(zip(("Year", "Month", "Day", "Time"), start, strict=True))
    row.update(zip(("End Year", "End Month", "End Day", "End Time"), end, strict=True))
    row.update({
        "Display Date": sheet_text(display_date(entry, words, settings.language)),
        "Headline": sheet_text(str(words.entry_headline(entry))),
        # A sheet is read away from the site: the body's addresses are made absolute.
        "Text": "\n".join(part for part in (str(words.entry_lead(entry)), entry_body(entry, page),
                                             str(words.entry_sources(entry))) if part),
        "Media": media.get("url", ""),
        "Media Credit": sheet_text(media.get("credit", "")),
        "Media Caption": sheet_text(media.get("caption", "")),
        "Group": sheet_text(str(words.group(entry))),
        ID_COLUMN: entry.id,
    })
    return row


def timeline_csv(
    story: StoryView, entries: tuple[EntryView, ...], words: Any, settings: ExportSettings,
) -> str:
    """A story as the sheet's rows: the title slide, then every entry in order."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    title = dict.fromkeys(COLUMNS, "")
    title.update({
        "Headline": sheet_text(str(words.story_headline(story))),
        "Text": str(words.story_text(story, story_background(story, settings.base_url))),
        "Type": "title",
    })
    writer.writerow(title)
    for entry in entries:
        writer.writerow(entry_row(entry, words, settings))
    return buffer.getvalue()


def plan_timeline_csvs(plan: SitePlan) -> Iterator[Artifact]:
    """One timeline.csv per story; fingerprinted from the views and the macros they use."""

    def render(story: StoryView, entries: tuple[EntryView, ...], words: Any) -> bytes:
        return timeline_csv(story, entries, words, story_settings(plan, story)).encode("utf-8")

    return plan_story_exports(plan, urls.timeline_csv, render, "the TimelineJS sheet export",
                              salt=settings_salt(plan))
