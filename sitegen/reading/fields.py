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

from sitegen.reading.document import Node
from sitegen.reading.editorial import RULE_IDS
from sitegen.structure.dates import DATE_FORMS_HINT, PartialDate, date_problem, parse_date
from sitegen.structure.diagnostics import Diagnostics
from sitegen.structure.interning import shared
from sitegen.structure.model import Citation, Correction
from sitegen.structure.urls import escaped_url

FieldType = Literal[
    "text", "bool", "int", "date", "url", "slug", "choice", "strings", "refs",
    "sources", "corrections", "language", "table",
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
    Field("ignore", "strings", "Editorial check ids to silence for this file, e.g. [source-not-archived].",
          choices=RULE_IDS),
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
    Field("quote_type", "choice", "verbatim (the exact words) or paraphrase (what was said, reworded).",
          choices=("verbatim", "paraphrase")),
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
    Field("ignore", "strings", "Editorial check ids to silence for this file, e.g. [source-not-archived].",
          choices=RULE_IDS),
)

SPEAKER_FIELDS = _fields(
    Field("name", "text", "Full name.", required=True),
    Field("type", "choice", "person or organization.", choices=("person", "organization")),
    Field("role", "text", "Current role."),
    Field("affiliation", "text", "Organization the speaker belongs to."),
    Field("url", "url", "Official page."),
    Field("aliases", "strings", "Other names entries may use for this speaker."),
    Field("ignore", "strings", "Editorial check ids to silence for this file.", choices=RULE_IDS),
)

PAGE_FIELDS = _fields(
    Field("title", "text", "Page title.", required=True),
    Field("summary", "text", "One sentence, used as the page description."),
    Field("weight", "int", "Order in the navigation, lightest first."),
    Field("draft", "bool", "true hides the page unless building with --drafts."),
)

CONFIG_FIELDS = _fields(
    Field("title", "text", "The site's name, in the header and every page title."),
    Field("base_url", "url", "Where the site will live, with the trailing slash; a sub-path works. "
          "`sitegen build --base-url` overrides it for one build."),
    Field("language", "language", "The language of the content and the theme (en, uk, ru…)."),
    Field("languages", "strings", "Every language the site is built in, `language` first."),
    Field("default_language_in_subfolder", "bool", "true: the default language under /<language>/ too."),
    Field("timezone", "text", "IANA time zone naive times are read in (default UTC), e.g. Europe/Kyiv."),
    Field("description", "text", "One sentence about the site, for the home page and feeds."),
    Field("organization", "table", "[organization]: the publisher, the author of every ClaimReview."),
    Field("ratings", "table", "[[ratings]]: the rating scale, worst first (default: false … true)."),
    Field("unsafe_html", "bool", "true lets raw HTML in Markdown through, with video, audio and frames "
          "(scripts are still removed)."),
    Field("translations", "table", "[translations.<language>]: the site's title, description and rating "
          "labels in its other languages (see docs/translating.md)."),
    Field("checks", "table", '[checks]: an editorial rule id = "off", "warning" or "error" (see README, '
          '"Editorial checks").'),
    Field("max_file_size_mb", "int", "The largest content file read, in megabytes (default 5)."),
    Field("markdown_time_limit", "int", "Seconds one body's Markdown conversion may take (default 10)."),
)
"""The settings of sitegen.toml, for the authors' reference."""

ORGANIZATION_FIELDS = _fields(
    Field("name", "text", "The publisher's name (default: the site's title)."),
    Field("url", "url", "The publisher's home page (default: base_url)."),
    Field("logo", "url", "The publisher's logo."),
)

RATING_FIELDS = _fields(
    Field("key", "slug", "What entries write as `rating:`.", required=True),
    Field("label", "text", "What readers see.", required=True),
    Field("description", "text", "What the rating means, on the methodology of the scale."),
    Field("value", "int", "ClaimReview's ratingValue (default: the position on the scale)."),
    Field("tone", "choice", "The badge's colour and shape, worst to best (default: from the "
          "rating's position on the scale).", choices=("worst", "bad", "neutral", "good", "best")),
)

SOURCE_KEYS = ("url", "title", "publisher", "date", "archive", "anonymous")
CORRECTION_KEYS = ("date", "note")


@dataclass(frozen=True)
class Located:
    """A scalar with where it was written, for errors found after reading."""

    text: str
    line: int
    column: int


def did_you_mean(word: str, candidates: list[str] | tuple[str, ...]) -> str:
    """Return ` (did you mean `x`?)` for the closest candidate, or "": first one of the same
    words in another order (`date_end` is `end_date`, not `date`), then the likeliest typo."""
    words = sorted(re.split(r"[_-]", word.lower()))
    reordered = [c for c in candidates if len(words) > 1 and sorted(re.split(r"[_-]", c)) == words]
    close = reordered or difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


HOST_FORBIDS = re.compile(r'[\x00-\x20"<>\\^`{|}]')


def is_web_url(url: str) -> bool:
    """Tell whether a URL is absolute http or https with a host."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    # A host cannot hold a space or a quote (the path can: it is written encoded, `%20`).
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not HOST_FORBIDS.search(parts.netloc)


SHORT_TEXTS = frozenset({"title", "quote", "original_quote", "verdict", "role", "speaker", "name"})
"""Fields shown whole on every page that lists the entry: a sane length keeps the output bounded."""
MAX_SHORT_TEXT = 1000


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
        return shared(converter(field, node))

    def scalar(self, field: Field, node: Node) -> str | None:
        """Return a scalar's text, or report that a single value was expected."""
        if isinstance(node.value, str):
            return node.value
        shape = "a list" if isinstance(node.value, list) else "a set of fields"
        self.error(node, f"`{field.name}` must be a single value, not {shape}")
        return None

    def item_text(self, field: Field, item: Node) -> str | None:
        """Return the text of one item of a list field, or report what it is instead."""
        if isinstance(item.value, str):
            return item.value
        if item.value is None:
            self.error(item, f"an item of `{field.name}` is empty; remove the `-` or the comma, "
                             "or give it a value")
        else:
            shape = "a list" if isinstance(item.value, list) else "a set of fields"
            self.error(item, f"each item of `{field.name}` must be a text, not {shape}")
        return None

    def _read_text(self, field: Field, node: Node) -> str | None:
        text = self.scalar(field, node)
        if text is not None and not text.strip():
            self.error(node, f"`{field.name}` is empty: {field.doc}")
            return None
        if text is not None and field.name in SHORT_TEXTS and len(text) > MAX_SHORT_TEXT:
            self.error(node, f"`{field.name}` is {len(text):,} characters long; keep it under "
                             f"{MAX_SHORT_TEXT:,} (put the rest in the body)")
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
            reason = date_problem(value.text)
            self.error(value, f"`{name}` is not a date: `{value.text}`; "
                              + (f"{reason}" if reason else DATE_FORMS_HINT))
        return parsed

    def _read_url(self, field: Field, node: Node) -> str | None:
        text = self.scalar(field, node)
        if text is None:
            return None
        return self.url(field.name, Located(text.strip(), node.line, node.column))

    def url(self, name: str, value: Located) -> str | None:
        """Accept only absolute http(s) URLs: anything else could be `javascript:`."""
        if is_web_url(value.text):
            return escaped_url(value.text)
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

    def text_items(self, field: Field, node: Node) -> list[Node]:
        """Like `items`, for a list of texts: a set of fields is none (reported)."""
        if isinstance(node.value, dict):
            self.error(node, f"`{field.name}` must be a list (`[a, b]`, or one `- item` a line), "
                             "not a set of fields")
            return []
        return self.items(field, node)

    def _read_strings(self, field: Field, node: Node) -> tuple[str, ...] | None:
        values = []
        for item in self.text_items(field, node):
            text = self.item_text(field, item)
            if text is None or not text.strip():
                continue
            if field.choices and text.strip() not in field.choices:
                self.error(
                    item,
                    f"`{field.name}`: `{text.strip()}` is not one of {', '.join(field.choices)}"
                    f"{did_you_mean(text.strip(), field.choices)}",
                )
                continue
            values.append(text.strip())
        return tuple(values)

    def _read_refs(self, field: Field, node: Node) -> tuple[Located, ...] | None:
        refs = []
        for item in self.text_items(field, node):
            text = self.item_text(field, item)
            if text is not None:
                refs.append(Located(text.strip(), item.line, item.column))
        return tuple(refs)

    def _read_sources(self, field: Field, node: Node) -> tuple[Citation, ...] | None:
        sources = []
        for item in self.items(field, node):
            if isinstance(item.value, str):
                url = self.url("sources: url", Located(item.value.strip(), item.line, item.column))
                if url:
                    sources.append(Citation(url=url))
                continue
            if not isinstance(item.value, dict):
                self.error(item, "each source must be a URL or a set of fields {url, title, ...}")
                continue
            source = self._source(item)
            if source is not None:
                sources.append(source)
        return tuple(sources)

    def _source(self, item: Node) -> Citation | None:
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
            if key == "anonymous":
                if located.text.lower() in ("true", "false"):
                    values[key] = located.text.lower() == "true"
                else:
                    self.error(value, f"source `anonymous` must be true or false, not `{located.text}`")
            elif key in ("url", "archive"):
                values[key] = self.url(f"sources: {key}", located)
            elif key == "date":
                values[key] = self.date("sources: date", located)
            else:
                values[key] = shared(located.text)
        if "url" not in item.value or item.value["url"].value is None:
            self.error(item, "a source needs a `url` (http or https)")
            return None
        if values.get("url") is None:
            return None
        return Citation(**{k: v for k, v in values.items() if v is not None})

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
            # A missing date or note is the editorial rule `correction-incomplete`'s to report.
            date_node = item.value.get("date")
            note_node = item.value.get("note")
            note = ""
            if note_node is not None and note_node.value is not None:
                note = (self.scalar(field, note_node) or "").strip()
            date = None
            if date_node is not None and date_node.value is not None:
                date_text = self.scalar(field, date_node)
                if date_text is None:
                    continue
                date = self.date("corrections: date", Located(date_text, date_node.line, date_node.column))
                if date is None:
                    continue
            corrections.append(Correction(date, note))
        return tuple(corrections)
