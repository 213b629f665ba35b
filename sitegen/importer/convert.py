"""Turn TimelineJS slides into a story and its entries, in sitegen's content format.

Dates keep the precision the slide gives (a year, a month, a day, a time);
what sitegen's dates cannot hold (years before 1 or after 9999) is reported
per slide rather than guessed. Headlines become titles, HTML text becomes
Markdown, media becomes a source or an image with its credit, groups and eras
become tags, and `unique_id` the entry id when it is a valid one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from sitegen.importer.html_text import (
    Source,
    first_sentences,
    split_lead,
    split_sources,
    to_markdown,
    to_plain_text,
    without_permalink,
)
from sitegen.importer.slides import DATE_KEYS, Slide, Timeline
from sitegen.reading.fields import SLUG_PATTERN, is_web_url
from sitegen.structure.dates import PartialDate, parse_date
from sitegen.structure.diagnostics import Diagnostics
from sitegen.structure.urls import RESERVED_ENTRY_IDS, slugify, tag_slug

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".avif"})
TIME_PATTERN = re.compile(
    r"^(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?(?::(?P<second>\d{2}))?(?:\.\d+)?\s*"
    r"(?P<half>[ap])?\.?\s*m?\.?$",
    re.IGNORECASE,
)
TITLE_LIMIT = 90
"""A title made from a slide's text when it has no headline is cut to this many characters."""


KIND_GROUPS = ("event", "statement")
"""The groups a sitegen export gives its slides (the theme's `group` macro, in English)."""
MAX_ID_LENGTH = 60
"""The longest entry id an import makes: it is a file name and a part of an address."""


@dataclass
class ImportedEntry:
    """One entry to write: its id, its front matter (in field order) and its Markdown body."""

    id: str
    label: str
    """The slide it came from, for messages."""
    meta: dict[str, Any]
    body: str


@dataclass
class ImportedStory:
    """A story to write: `_index.md`'s front matter and background, and its entries."""

    meta: dict[str, Any]
    body: str
    entries: list[ImportedEntry] = field(default_factory=list)


class SlideConverter:
    """Convert one timeline, reporting every slide it cannot convert in `diagnostics`."""

    def __init__(self, path: str, diagnostics: Diagnostics, kind: str, story_slug: str) -> None:
        self.path = path
        self.diagnostics = diagnostics
        self.kind = kind
        self.story_slug = story_slug
        self.ids: set[str] = set(RESERVED_ENTRY_IDS)

    def error(self, slide: Slide, message: str) -> None:
        self.diagnostics.error(self.path, slide.line, 1 if slide.line else 0, f"{slide.label}: {message}")

    def warning(self, slide: Slide, message: str) -> None:
        self.diagnostics.warning(self.path, slide.line, 1 if slide.line else 0, f"{slide.label}: {message}")

    # -- dates ---------------------------------------------------------------

    def date(self, slide: Slide, parts: dict[str, str] | None, time: str, what: str) -> str | None:
        """The date of a slide as sitegen writes it (`0602`, `1950-02-07`, `2016-11-13T09:30`)."""
        if parts is None:
            return None
        values = dict(parts)
        if time:
            match = TIME_PATTERN.match(time)
            if match is None:
                self.error(slide, f"{what} time `{time}` is not a time of day; write it as 18:30 or 6:30 PM")
                return None
            hour = int(match["hour"])
            if match["half"]:
                hour = hour % 12 + (12 if match["half"].lower() == "p" else 0)
            values.update(hour=str(hour), minute=match["minute"] or "0", second=match["second"] or "")
        numbers: dict[str, int] = {}
        for key, value in values.items():
            if not value:
                continue
            if not re.fullmatch(r"-?\d+", value):
                self.error(slide, f"{what} {key} `{value}` is not a whole number")
                return None
            numbers[key] = int(value)
        if "year" not in numbers:
            self.error(slide, f"{what} has no year; TimelineJS needs at least a year")
            return None
        year = numbers["year"]
        if not 1 <= year <= 9999:
            self.error(slide, f"{what} year {year} cannot be written in sitegen, whose dates run from "
                              "year 1 to 9999 (no BCE years yet); leave this slide out, or give it a "
                              "year in that range and a Display Date that says the real one")
            return None
        text = self.date_text(slide, what, year, *(numbers.get(k) for k in DATE_KEYS[1:]))
        if text is None:
            return None
        if parse_date(text, UTC) is None:
            self.error(slide, f"{what} `{text}` is not a date in the calendar")
            return None
        return text

    def date_text(self, slide: Slide, what: str, year: int, month: int | None, day: int | None,
                  hour: int | None, minute: int | None, second: int | None) -> str | None:
        """Write the parts down to the finest one given; a finer part without a coarser one is an error."""
        given = {"month": month, "day": day, "hour": hour}
        for coarse, finer in (("month", ("day", "hour")), ("day", ("hour",))):
            if given[coarse] is None and any(given[f] is not None for f in finer):
                finest = next(f for f in finer if given[f] is not None)
                self.error(slide, f"{what} has a {finest} but no {coarse}")
                return None
        text = f"{year:04d}"
        if month is None:
            return text
        text += f"-{month:02d}"
        if day is None:
            return text
        text += f"-{day:02d}"
        if hour is None:
            return text
        text += f"T{hour:02d}:{minute or 0:02d}"
        return text + f":{second:02d}" if second else text

    # -- text ----------------------------------------------------------------

    def title(self, slide: Slide, number: int) -> str:
        """The headline as text; a slide without one gets a title from its text, and a warning."""
        title = to_plain_text(slide.headline)
        if title:
            return title
        made = first_sentences(to_plain_text(slide.text) or to_plain_text(slide.media.caption), TITLE_LIMIT)
        made = made or slide.display_date or f"Slide {number}"
        self.warning(slide, f"no headline; the entry's title is `{made}`: write a better one")
        return made

    def media(self, slide: Slide, title: str) -> tuple[list[Source], str]:
        """Media as sources (links) or a Markdown image with its caption and credit."""
        media = slide.media
        sources: list[Source] = []
        body = ""
        caption, credit = to_markdown(media.caption), to_markdown(media.credit)
        if media.url and is_web_url(media.url):
            if PurePosixPath(urlsplit(media.url).path).suffix.lower() in IMAGE_SUFFIXES:
                alt = media.alt or to_plain_text(media.caption) or title
                lines = [f"![{escape_brackets(alt)}]({media.url})"]
                if caption or credit:
                    parts = (f"*{caption}*" if caption else "", credit)
                    lines.append(" — ".join(part for part in parts if part))
                body = "\n".join(lines)
            else:
                source: Source = {"url": media.url, "title": to_plain_text(media.caption) or title}
                if media.credit:
                    source["publisher"] = to_plain_text(media.credit)
                sources.append(source)
        elif media.url.startswith("<"):
            # An embed written as HTML (a blockquote, a tweet): its words belong in the body.
            body = to_markdown(media.url)
        elif media.url:
            self.warning(slide, f"media `{media.url[:60]}` is not an http(s) address; it is left out")
        if media.link and is_web_url(media.link) and media.link != media.url:
            sources.append({"url": media.link, "title": to_plain_text(media.caption) or title})
        return sources, body

    def entry_id(self, slide: Slide, title: str, number: int) -> str:
        """`unique_id` when it is a valid id, else a slug of the title; a taken id gets a number."""
        candidate = slide.unique_id
        if candidate and not SLUG_PATTERN.match(candidate):
            fallback = slugify(candidate)
            if not fallback:
                candidate = ""
            else:
                self.warning(slide, f"unique_id `{candidate}` is not a valid entry id; it is `{fallback}`")
                candidate = fallback
        if len(candidate) > MAX_ID_LENGTH:
            shortened = candidate[:MAX_ID_LENGTH].strip("-")
            self.warning(slide, f"unique_id `{candidate[:20]}…` is {len(candidate)} characters long; "
                                f"its entry's file and address take its first {MAX_ID_LENGTH}: `{shortened}`")
            candidate = shortened
        base = candidate or slugify(title)[:MAX_ID_LENGTH].strip("-") or f"slide-{number}"
        entry_id, count = base, 1
        while entry_id in self.ids:
            count += 1
            entry_id = f"{base}-{count}"
        self.ids.add(entry_id)
        return entry_id

    # -- the whole timeline --------------------------------------------------

    def story(self, timeline: Timeline, source_name: str) -> ImportedStory:
        """The story's `_index.md` from the title slide, and one entry per slide."""
        title_slide = timeline.title
        title = to_plain_text(title_slide.headline) if title_slide else ""
        background = to_markdown(title_slide.text) if title_slide else ""
        summary = first_sentences(to_plain_text(title_slide.text)) if title_slide else ""
        if not title:
            title = self.story_slug.replace("-", " ").capitalize()
            self.diagnostics.warning(self.path, 0, 0, f"no title slide with a headline; the story's title is "
                                                      f"`{title}`: write a better one in _index.md")
        if not summary:
            summary = f"Imported from {source_name}; say in a sentence or two what is being checked."
            self.diagnostics.warning(self.path, 0, 0, "no title slide text; write the story's `summary` "
                                                      "in _index.md")
        story = ImportedStory(meta={"title": title, "summary": summary}, body=background)
        eras = self.eras(timeline.eras)
        for number, slide in enumerate(timeline.events, start=1):
            entry = self.entry(slide, number, eras)
            if entry is not None:
                story.entries.append(entry)
        if not timeline.events:
            self.diagnostics.error(self.path, 0, 0, "the timeline has no slides besides its title")
        return story

    def eras(self, slides: tuple[Slide, ...]) -> list[tuple[PartialDate, PartialDate, str]]:
        eras = []
        for slide in slides:
            name = to_plain_text(slide.headline)
            start = self.date(slide, slide.start, slide.time, "start_date")
            end = self.date(slide, slide.end, slide.end_time, "end_date")
            if not name or start is None or end is None:
                if name and slide.start is None:
                    self.error(slide, "an era needs a start_date and an end_date")
                continue
            start_date, end_date = parse_date(start, UTC), parse_date(end, UTC)
            if start_date and end_date:
                eras.append((start_date, end_date, name))
        return eras

    def entry(
        self, slide: Slide, number: int, eras: list[tuple[PartialDate, PartialDate, str]],
    ) -> ImportedEntry | None:
        """One slide as an entry, or None (reported) when it cannot be converted."""
        if slide.start is None:
            self.error(slide, "no start date; every TimelineJS slide but the title needs one "
                              "(start_date.year, or the Year column)")
            return None
        date = self.date(slide, slide.start, slide.time, "start_date")
        end_parts = slide.end
        if end_parts is None and slide.end_time:
            # A sheet's "9:00 AM" to "5:00 PM" on one day: the End Time alone, on the start's day.
            end_parts = {key: value for key, value in slide.start.items() if key in ("year", "month", "day")}
            self.warning(slide, f"end time {slide.end_time} has no end date; it is taken as on the "
                                "start's day (give End Year, End Month and End Day to say otherwise)")
        end = self.date(slide, end_parts, slide.end_time, "end_date") if end_parts or slide.end_time else None
        if date is None or ((slide.end or slide.end_time) and end is None):
            return None
        start_value = parse_date(date, UTC)
        if end is not None:
            end_value = parse_date(end, UTC)
            assert start_value is not None and end_value is not None
            if end_value.ends_before(start_value):
                self.error(slide, f"end_date {end} is before start_date {date}")
                return None
        title = self.title(slide, number)
        text, listed = split_sources(without_permalink(slide.text))
        text, lead = split_lead(text) if self.kind == "statement" else (text, {})
        for source in listed:
            if not is_web_url(source["url"]):
                self.warning(slide, f"source `{source['url'][:60]}` is not an http(s) address; "
                                    "it is left out")
        listed = [source for source in listed if is_web_url(source["url"])]
        sources, media_body = self.media(slide, title)
        known = {source["url"] for source in listed}  # the media is among them when sitegen exported it
        sources = listed + [source for source in sources if source["url"] not in known]
        body = "\n\n".join(part for part in (to_markdown(text), media_body) if part)
        group = to_plain_text(slide.group)
        # sitegen's own exports group slides by kind: that is the entry's kind, not a tag.
        tags = [group] if group and group.casefold() not in KIND_GROUPS else []
        assert start_value is not None
        for era_start, era_end, name in eras:
            if era_start.sort_key() <= start_value.sort_key() <= era_end.sort_key() and name not in tags:
                tags.append(name)
        for tag in list(tags):
            if not tag_slug(tag):
                self.warning(slide, f"group `{tag}` has no letters or digits; it is not made a tag")
                tags.remove(tag)
        meta: dict[str, Any] = {"kind": self.kind, "date": date}
        if end is not None:
            meta["end_date"] = end
        if slide.display_date:
            meta["display_date"] = to_plain_text(slide.display_date)
        meta["title"] = title
        if self.kind == "statement":
            meta["speaker"] = lead.get("speaker")
            meta.update((key, value) for key, value in lead.items() if key != "speaker")
        if sources or self.kind == "statement":
            meta["sources"] = sources
        if tags:
            meta["tags"] = tags
        return ImportedEntry(self.entry_id(slide, title, number), slide.label, meta, body)


def escape_brackets(text: str) -> str:
    """Alt text inside `![…]` must not close the brackets early."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
