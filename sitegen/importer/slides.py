"""Read a TimelineJS3 JSON file or a CSV of its Google Sheet template into slides.

Both formats become the same `Slide`s, numbered the way their authors see
them: "slide N" in a JSON file (the title slide apart), "row N" of the sheet
(the header is row 1). Problems of the file as a whole are collected in the
same `Diagnostics` as the build's, pointing at the file's line where known.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

from sitegen.outputs.timelinejs_csv import ID_COLUMN, TEMPLATE_COLUMNS
from sitegen.structure.characters import described, without_forbidden_in
from sitegen.structure.diagnostics import Diagnostics

DATE_KEYS = ("year", "month", "day", "hour", "minute", "second")
REQUIRED_COLUMNS = ("Year", "Headline")
"""Without these a sheet is not the template's: there is no date or no title to read."""
EXTRA_COLUMNS = (ID_COLUMN, "Alt Text", "Tag")
"""Columns read besides the template's: sitegen's ids, TimelineJS's alt text, the v1 sheet's group."""


@dataclass(frozen=True)
class Media:
    """A slide's media block: what it shows and who to credit."""

    url: str = ""
    caption: str = ""
    """HTML."""
    credit: str = ""
    """HTML."""
    alt: str = ""
    link: str = ""
    """Where the media links to (marktwain.json's `link`)."""


@dataclass(frozen=True)
class Slide:
    """One slide or sheet row, its values still as TimelineJS wrote them."""

    label: str
    """How its author finds it: `slide 3`, `row 5`, `the title slide`, `era 2`."""
    line: int
    """Where it starts in the file; 0 when the format does not say (JSON)."""
    start: dict[str, str] | None
    end: dict[str, str] | None = None
    time: str = ""
    """The sheet's Time column ("9:30 PM"), read together with `start`."""
    end_time: str = ""
    headline: str = ""
    """HTML."""
    text: str = ""
    """HTML."""
    display_date: str = ""
    media: Media = field(default_factory=Media)
    group: str = ""
    unique_id: str = ""
    kind: str = ""
    """`title`, `era`, or "" for an ordinary slide."""


@dataclass(frozen=True)
class Timeline:
    """A whole TimelineJS document: its title slide, its events and its eras."""

    title: Slide | None
    events: tuple[Slide, ...]
    eras: tuple[Slide, ...]


def read_timeline(path: str, text: str, diagnostics: Diagnostics) -> Timeline | None:
    """Read either format; JSON when the file says so by name or by its first character."""
    name = path.lower()
    if name.endswith(".json") or (not name.endswith(".csv") and text.lstrip().startswith("{")):
        return read_json(path, text, diagnostics)
    return read_csv(path, text, diagnostics)


def _text(value: Any) -> str:
    """A value TimelineJS reads as text: strings as they are, numbers as written, null as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return ""
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value.strip() if isinstance(value, str) else ""


def _date(value: Any) -> dict[str, str] | None:
    if not isinstance(value, dict):
        return None
    parts = {key: _text(value.get(key)) for key in DATE_KEYS}
    return parts if any(parts.values()) else None


def _json_slide(raw: dict[str, Any], label: str, kind: str = "") -> Slide:
    text: dict[str, Any] = raw["text"] if isinstance(raw.get("text"), dict) else {}
    media: dict[str, Any] = raw["media"] if isinstance(raw.get("media"), dict) else {}
    return Slide(
        label=label,
        line=0,
        start=_date(raw.get("start_date")),
        end=_date(raw.get("end_date")),
        headline=_text(text.get("headline")),
        text=_text(text.get("text")),
        display_date=_text(raw.get("display_date")),
        media=Media(
            url=_text(media.get("url")), caption=_text(media.get("caption")),
            credit=_text(media.get("credit")), alt=_text(media.get("alt")), link=_text(media.get("link")),
        ),
        group=_text(raw.get("group")),
        # Knight Lab's years.json spells it `uniqueid`.
        unique_id=_text(raw.get("unique_id") or raw.get("uniqueid")),
        kind=kind,
    )


def read_json(path: str, text: str, diagnostics: Diagnostics) -> Timeline | None:
    """Read a TimelineJS3 JSON document (`title`, `events`, `eras`)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        diagnostics.error(path, error.lineno, error.colno,
                          f"not JSON: {error.msg}; a TimelineJS3 file is one JSON object with `events`")
        return None
    warned: list[str] = []

    def found(key: str, character: str) -> None:
        if not warned:  # once: a sheet exported with a stray code often has it in every slide
            diagnostics.warning(path, 1, 1, f"a `{key}` holds {described(character)}, which no page "
                                            "may carry; such characters are dropped")
        warned.append(key)

    document = without_forbidden_in(document, found)
    if not isinstance(document, dict) or not isinstance(document.get("events"), list):
        diagnostics.error(path, 1, 1, "not a TimelineJS3 file: it needs an `events` list "
                                      '({"title": {...}, "events": [{"start_date": ..., "text": ...}]})')
        return None
    events = []
    for number, raw in enumerate(document["events"], start=1):
        if not isinstance(raw, dict):
            diagnostics.error(path, 0, 0, f"slide {number}: not a slide object; each event is "
                                          '{"start_date": {"year": ...}, "text": {...}}')
            continue
        events.append(_json_slide(raw, f"slide {number}"))
    title = document.get("title")
    eras: list[Any] = document["eras"] if isinstance(document.get("eras"), list) else []
    return Timeline(
        title=_json_slide(title, "the title slide", "title") if isinstance(title, dict) else None,
        events=tuple(events),
        eras=tuple(
            _json_slide(era, f"era {n}", "era") for n, era in enumerate(eras, 1) if isinstance(era, dict)
        ),
    )


def _normal(name: str) -> str:
    return " ".join(name.split()).casefold()


def read_csv(path: str, text: str, diagnostics: Diagnostics) -> Timeline | None:
    """Read a CSV exported from the Google Sheet template: its columns in any order, extras ignored."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:
        diagnostics.error(path, 1, 1, f"not a CSV file: {error}")
        return None
    known = {_normal(name): name for name in (*TEMPLATE_COLUMNS, *EXTRA_COLUMNS)}
    columns: dict[str, int] = {}
    for index, name in enumerate(header or []):
        canonical = known.get(_normal(name))
        if canonical is not None and canonical not in columns:
            columns[canonical] = index
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        found = ", ".join(header or []) or "nothing"
        hint = ("; this is the old (v1) sheet with Start Date: copy its rows into the current template"
                if any(_normal(n) == "start date" for n in header or []) else "")
        diagnostics.error(
            path, 1, 1,
            f"unknown column layout: no {' or '.join(f'`{m}`' for m in missing)} column (found: "
            f"{found[:200]}){hint}; the TimelineJS sheet template's columns are "
            f"{', '.join(TEMPLATE_COLUMNS)}",
        )
        return None
    title: Slide | None = None
    events: list[Slide] = []
    eras: list[Slide] = []
    line = reader.line_num + 1
    row_number = 1
    try:
        for cells in reader:
            row_number += 1
            row_line, line = line, reader.line_num + 1
            def cell(name: str, cells: list[str] = cells) -> str:
                index = columns.get(name)
                return cells[index].strip() if index is not None and index < len(cells) else ""
            if not any(value.strip() for value in cells):
                continue
            kind = cell("Type").casefold()
            slide = Slide(
                label=f"row {row_number}",
                line=row_line,
                start=_sheet_date(cell("Year"), cell("Month"), cell("Day")),
                end=_sheet_date(cell("End Year"), cell("End Month"), cell("End Day")),
                time=cell("Time"),
                end_time=cell("End Time"),
                headline=_unquote(cell("Headline")),
                text=cell("Text"),
                display_date=_unquote(cell("Display Date")),
                media=Media(url=cell("Media"), caption=_unquote(cell("Media Caption")),
                            credit=_unquote(cell("Media Credit")), alt=cell("Alt Text")),
                group=_unquote(cell("Group") or cell("Tag")),
                unique_id=cell(ID_COLUMN),
                kind=kind if kind in ("title", "era") else "",
            )
            if slide.kind == "title" and title is None:
                title = slide
            elif slide.kind == "era":
                eras.append(slide)
            else:
                events.append(slide)
    except csv.Error as error:
        diagnostics.error(path, reader.line_num, 1, f"not a readable CSV file: {error}")
        return None
    return Timeline(title=title, events=tuple(events), eras=tuple(eras))


def _sheet_date(year: str, month: str, day: str) -> dict[str, str] | None:
    # The sheet may show a year as "1,815"; TimelineJS drops separators the same way.
    parts = {"year": year.replace(",", "").replace(" ", ""), "month": month, "day": day}
    return parts if any(parts.values()) else None


def _unquote(text: str) -> str:
    """Undo the `'` an export puts before a cell that a sheet would run as a formula."""
    if text.startswith("'") and text[1:2] in ("=", "+", "-", "@"):
        return text[1:]
    return text
