"""The one definition of every front-matter field: its type, whether it is
required, and what it means. Validation reads it now; the JSON Schema for
editors and the field reference in the docs are meant to be generated from it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any, Literal
from urllib.parse import urlsplit

from sitegen.dates import DATE_FORMS_HINT, PartialDate, parse_date
from sitegen.diagnostics import Diagnostics
from sitegen.model import Correction, Source
from sitegen.source import Node

FieldType = Literal[
    "text", "bool", "int", "date", "url", "slug", "choice", "strings", "refs",
    "sources", "corrections", "language",
]

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGE_PATTERN = re.compile(r"^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})*$")


@dataclass(frozen=True)
class Field:
    """One front-matter field."""

    name: str
    type: FieldType
    doc: str
    required: bool = False
    choices: tuple[str, ...] = ()


def _fields(*fields: Field) -> dict[str, Field]:
    return {f.name: f for f in fields}


STORY_FIELDS = _fields(
    Field("title", "text", "Headline of the timeline.", required=True),
    Field("summary", "text", "One or two sentences: what is being checked.", required=True),
    Field("status", "choice", "Whether the story is still moving.", choices=("developing", "settled")),
    Field("tags", "strings", "Topics, shared with entries."),
    Field("timezone", "text", "IANA time zone for this story's naive times (overrides the site's)."),
    Field("updated", "date", "Date of the last editorial update (else the newest entry date)."),
    Field("corrections", "corrections", "The public corrections log: a list of {date, note}."),
    Field("draft", "bool", "true hides the whole story unless building with --drafts."),
)

ENTRY_FIELDS = _fields(
    Field("kind", "choice", "event (something happened) or statement (someone said something).",
          required=True, choices=("event", "statement")),
    Field("date", "date", "When it happened; the precision given is the precision shown.", required=True),
    Field("title", "text", "One-line headline.", required=True),
    Field("id", "slug", "The entry id, if not the file name."),
    Field("end_date", "date", "For events that span time."),
    Field("approximate", "bool", "true shows the date as approximate."),
    Field("display_date", "text", "How the date is shown instead (\"Spring 1945\"); date still places it."),
    Field("speaker", "text", "A speaker id from _speakers/, or a free-text name (statements: required)."),
    Field("role", "text", "The speaker's role at the time."),
    Field("quote", "text", "The exact words, in the language of the site."),
    Field("original_quote", "text", "The exact words in the original language."),
    Field("original_language", "language", "Language of original_quote, e.g. ru."),
    Field("rating", "text", "A key of the rating scale; makes the entry a reviewed claim."),
    Field("verdict", "text", "One-sentence conclusion of the review (required with rating)."),
    Field("reviewed", "date", "Date of the review (required with rating)."),
    Field("sources", "sources", "List of {url, title, publisher, date, archive} (statements: required)."),
    Field("responds_to", "refs", "Entry id(s) this responds to; story/entry-id reaches across stories."),
    Field("denies", "refs", "Entry id(s) this denies."),
    Field("confirms", "refs", "Entry id(s) this confirms."),
    Field("corrects", "refs", "Entry id(s) this corrects."),
    Field("tags", "strings", "Topics."),
    Field("corrections", "corrections", "Corrections to this entry: a list of {date, note}."),
    Field("draft", "bool", "true hides the entry unless building with --drafts."),
)

SPEAKER_FIELDS = _fields(
    Field("name", "text", "Full name.", required=True),
    Field("type", "choice", "person or organization.", choices=("person", "organization")),
    Field("role", "text", "Current role."),
    Field("affiliation", "text", "Organization the speaker belongs to."),
    Field("url", "url", "Official page."),
    Field("aliases", "strings", "Other names entries may use for this speaker."),
)

PAGE_FIELDS = _fields(
    Field("title", "text", "Page title.", required=True),
    Field("summary", "text", "One sentence, used as the page description."),
    Field("weight", "int", "Order in the navigation, lightest first."),
    Field("draft", "bool", "true hides the page unless building with --drafts."),
)

SOURCE_KEYS = ("url", "title", "publisher", "date", "archive")
CORRECTION_KEYS = ("date", "note")


@dataclass(frozen=True)
class Located:
    """A scalar with where it was written, for errors found after reading."""

    text: str
    line: int
    column: int


def did_you_mean(word: str, candidates: list[str] | tuple[str, ...]) -> str:
    """Return ` (did you mean `x`?)` for the closest candidate, or ""."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


def is_web_url(url: str) -> bool:
    """Tell whether a URL is absolute http or https with a host."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class FieldReader:
    """Convert one file's located front matter into typed values, reporting problems."""

    def __init__(self, path: str, diagnostics: Diagnostics, zone: tzinfo) -> None:
        self.path = path
        self.diagnostics = diagnostics
        self.zone = zone

    def error(self, node: Node | Located, message: str) -> None:
        """Report an error at a node."""
        self.diagnostics.error(self.path, node.line, node.column, message)

    def read(self, meta: Node, schema: dict[str, Field], what: str) -> dict[str, Any]:
        """Read every field of `schema` present in `meta`; report unknown and missing ones."""
        values: dict[str, Any] = {}
        assert isinstance(meta.value, dict)
        for name, node in meta.value.items():
            field = schema.get(name)
            if field is None:
                line, column = meta.key_positions.get(name, (meta.line, meta.column))
                self.diagnostics.error(
                    self.path, line, column,
                    f"unknown field `{name}` in {what}{did_you_mean(name, list(schema))}; "
                    f"known fields: {', '.join(schema)}",
                )
                continue
            if node.value is None or node.value == []:
                continue
            value = self.convert(field, node)
            if value is not None:
                values[name] = value
        for field in schema.values():
            if field.required and field.name not in values and field.name not in meta.value:
                self.diagnostics.error(
                    self.path, meta.line, 1,
                    f"missing field `{field.name}` in {what}: add `{field.name}: ...` "
                    f"({field.doc})",
                )
            elif field.required and field.name in meta.value and field.name not in values:
                node = meta.value[field.name]
                if node.value is None:
                    self.error(node, f"`{field.name}` is empty: {field.doc}")
        return values

    def convert(self, field: Field, node: Node) -> Any:
        """Convert one value to its field's type, or report why it cannot be."""
        converter = getattr(self, f"_read_{field.type}")
        return converter(field, node)

    def scalar(self, field: Field, node: Node) -> str | None:
        """Return a scalar's text, or report that a single value was expected."""
        if isinstance(node.value, str):
            return node.value
        shape = "a list" if isinstance(node.value, list) else "a set of fields"
        self.error(node, f"`{field.name}` must be a single value, not {shape}")
        return None

    def _read_text(self, field: Field, node: Node) -> str | None:
        text = self.scalar(field, node)
        if text is not None and not text.strip():
            self.error(node, f"`{field.name}` is empty: {field.doc}")
            return None
        return text.strip() if text is not None else None

    def _read_bool(self, field: Field, node: Node) -> bool | None:
        text = self.scalar(field, node)
        if text is None:
            return None
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        self.error(node, f"`{field.name}` must be true or false, not `{text}`")
        return None

    def _read_int(self, field: Field, node: Node) -> int | None:
        text = self.scalar(field, node)
        if text is None:
            return None
        if re.fullmatch(r"-?\d{1,9}", text.strip()):
            return int(text)
        self.error(node, f"`{field.name}` must be a whole number, not `{text}`")
        return None

    def _read_date(self, field: Field, node: Node) -> PartialDate | None:
        text = self.scalar(field, node)
        return None if text is None else self.date(field.name, Located(text, node.line, node.column))

    def date(self, name: str, value: Located) -> PartialDate | None:
        """Parse a date in this file's zone, or report the forms that work."""
        parsed = parse_date(value.text, self.zone)
        if parsed is None:
            self.error(value, f"`{name}` is not a date: `{value.text}`; {DATE_FORMS_HINT}")
        return parsed

    def _read_url(self, field: Field, node: Node) -> str | None:
        text = self.scalar(field, node)
        if text is None:
            return None
        return self.url(field.name, Located(text.strip(), node.line, node.column))

    def url(self, name: str, value: Located) -> str | None:
        """Accept only absolute http(s) URLs: anything else could be `javascript:`."""
        if is_web_url(value.text):
            return value.text
        self.error(
            value,
            f"`{name}` must be an http:// or https:// address, not `{value.text[:80]}`",
        )
        return None

    def _read_slug(self, field: Field, node: Node) -> str | None:
        text = self.scalar(field, node)
        if text is None:
            return None
        if SLUG_PATTERN.match(text):
            return text
        self.error(
            node,
            f"`{field.name}` must be lowercase ASCII letters, digits and hyphens, "
            f"not `{text}`",
        )
        return None

    def _read_choice(self, field: Field, node: Node) -> str | None:
        text = self.scalar(field, node)
        if text is None:
            return None
        if text in field.choices:
            return text
        self.error(
            node,
            f"`{field.name}` must be one of {', '.join(field.choices)}, not "
            f"`{text}`{did_you_mean(text, field.choices)}",
        )
        return None

    def _read_language(self, field: Field, node: Node) -> str | None:
        text = self.scalar(field, node)
        if text is None:
            return None
        if LANGUAGE_PATTERN.match(text):
            return text
        self.error(node, f"`{field.name}` must be a language code such as `ru` or `uk`, not `{text}`")
        return None

    def items(self, field: Field, node: Node) -> list[Node]:
        """Return a list's items; a single value counts as a list of one."""
        if isinstance(node.value, list):
            return node.value
        return [node]

    def _read_strings(self, field: Field, node: Node) -> tuple[str, ...] | None:
        values = []
        for item in self.items(field, node):
            text = self.scalar(field, item)
            if text is not None and text.strip():
                values.append(text.strip())
        return tuple(values)

    def _read_refs(self, field: Field, node: Node) -> tuple[Located, ...] | None:
        refs = []
        for item in self.items(field, node):
            text = self.scalar(field, item)
            if text is not None:
                refs.append(Located(text.strip(), item.line, item.column))
        return tuple(refs)

    def _read_sources(self, field: Field, node: Node) -> tuple[Source, ...] | None:
        sources = []
        for item in self.items(field, node):
            if isinstance(item.value, str):
                url = self.url("sources: url", Located(item.value.strip(), item.line, item.column))
                if url:
                    sources.append(Source(url=url))
                continue
            if not isinstance(item.value, dict):
                self.error(item, "each source must be a URL or a set of fields {url, title, ...}")
                continue
            source = self._source(item)
            if source is not None:
                sources.append(source)
        return tuple(sources)

    def _source(self, item: Node) -> Source | None:
        assert isinstance(item.value, dict)
        values: dict[str, Any] = {}
        for key, value in item.value.items():
            line, column = item.key_positions.get(key, (item.line, item.column))
            if key not in SOURCE_KEYS:
                self.diagnostics.error(
                    self.path, line, column,
                    f"unknown field `{key}` in a source{did_you_mean(key, SOURCE_KEYS)}; "
                    f"a source has {', '.join(SOURCE_KEYS)}",
                )
                continue
            if value.value is None:
                continue
            if not isinstance(value.value, str):
                self.error(value, f"source `{key}` must be a single value")
                continue
            located = Located(value.value.strip(), value.line, value.column)
            if key in ("url", "archive"):
                values[key] = self.url(f"sources: {key}", located)
            elif key == "date":
                values[key] = self.date("sources: date", located)
            else:
                values[key] = located.text
        if "url" not in item.value or item.value["url"].value is None:
            self.error(item, "a source needs a `url` (http or https)")
            return None
        if values.get("url") is None:
            return None
        return Source(**{k: v for k, v in values.items() if v is not None})

    def _read_corrections(self, field: Field, node: Node) -> tuple[Correction, ...] | None:
        corrections = []
        for item in self.items(field, node):
            if not isinstance(item.value, dict):
                self.error(item, "each correction must be a set of fields {date, note}")
                continue
            unknown = [k for k in item.value if k not in CORRECTION_KEYS]
            for key in unknown:
                line, column = item.key_positions.get(key, (item.line, item.column))
                self.diagnostics.error(
                    self.path, line, column,
                    f"unknown field `{key}` in a correction{did_you_mean(key, CORRECTION_KEYS)}; "
                    "a correction has date and note",
                )
            date_node = item.value.get("date")
            note_node = item.value.get("note")
            if date_node is None or note_node is None or not isinstance(note_node.value, str):
                self.error(item, "a correction needs both `date` and `note`")
                continue
            date_text = self.scalar(field, date_node)
            date = self.date("corrections: date", Located(date_text or "", date_node.line, date_node.column))
            if date is not None:
                corrections.append(Correction(date, note_node.value.strip()))
        return tuple(corrections)
