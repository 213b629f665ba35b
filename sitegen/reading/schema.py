"""JSON Schemas for front matter, generated from `fields` so they never drift from the validator.

Draft-07, the newest draft yaml-language-server (VS Code's YAML extension)
supports. An editor types plain YAML scalars by YAML 1.2 (`true` is a
boolean, `2024` and `012345` are numbers), while sitegen reads every scalar
as the text written; so where sitegen accepts a value's text, the schema
accepts the scalar an editor makes of it too.
"""

from __future__ import annotations

import re
from typing import Any

from sitegen.reading.editorial import RULES
from sitegen.reading.fields import (
    CORRECTION_KEYS,
    ENTRY_FIELDS,
    LANGUAGE_PATTERN,
    PAGE_FIELDS,
    SLUG_PATTERN,
    SOURCE_KEYS,
    SPEAKER_FIELDS,
    STORY_FIELDS,
    Field,
)
from sitegen.reading.translations import ENTRY_TRANSLATION_FIELDS, STORY_TRANSLATION_FIELDS
from sitegen.structure.dates import DATE_PATTERN

DRAFT = "http://json-schema.org/draft-07/schema#"
KINDS = {
    "story": STORY_FIELDS, "entry": ENTRY_FIELDS, "speaker": SPEAKER_FIELDS, "page": PAGE_FIELDS,
    # `<id>.<language>.md` beside an original: the same fields, only the title required.
    "story-translation": STORY_TRANSLATION_FIELDS, "entry-translation": ENTRY_TRANSLATION_FIELDS,
}
"""What `sitegen schema KIND` can print, by the front matter it describes."""

SCALAR = ["string", "number", "boolean"]
"""Any scalar: sitegen reads its text, whatever type YAML would give it."""


def portable_pattern(pattern: re.Pattern[str]) -> str:
    """A Python regex in the ECMA-262 dialect JSON Schema uses: no verbose spaces, no `(?P<`."""
    text = pattern.pattern
    if pattern.flags & re.VERBOSE:
        text = text.replace("\\ ", "\0")
        text = re.sub(r"\s+", "", text).replace("\0", " ")
    return re.sub(r"\(\?P<\w+>", "(", text)


DATE = {
    "type": ["string", "integer"],
    "pattern": portable_pattern(DATE_PATTERN),
    "minimum": 1000, "maximum": 9999,
    "examples": ["2024-11-10", "2024-11", "2024", "2024-11-10T18:30", "2024-11-10T18:30:00+03:00"],
}
URL = {"type": "string", "pattern": r"^https?://[^/?#\s]+"}
BOOL = {"enum": [True, False, "true", "false", "True", "False", "TRUE", "FALSE"]}


def value_schema(field: Field, ratings: tuple[str, ...] = ()) -> dict[str, Any]:
    """The schema of one field's value (a missing or empty value is allowed unless required)."""
    kind = field.type
    if kind == "text":
        if field.name == "rating" and ratings:
            # `rating: false` is the key "false" to sitegen and a boolean to an editor.
            as_typed = [key == "true" for key in ratings if key in ("true", "false")]
            return {"enum": [*ratings, *as_typed]}
        return {"type": SCALAR, "pattern": r"\S"}
    if kind == "bool":
        return dict(BOOL)
    if kind == "int":
        return {"type": ["integer", "string"], "pattern": r"^\s*-?\d{1,9}\s*$",
                "minimum": -999_999_999, "maximum": 999_999_999}
    if kind == "date":
        return dict(DATE)
    if kind == "url":
        return dict(URL)
    if kind == "slug":
        return {"type": ["string", "integer"], "pattern": SLUG_PATTERN.pattern, "minimum": 0}
    if kind == "choice":
        return {"enum": list(field.choices)}
    if kind == "language":
        return {"type": "string", "pattern": LANGUAGE_PATTERN.pattern}
    if kind in ("strings", "refs"):
        item: dict[str, Any] = {"enum": list(field.choices)} if field.choices else {"type": SCALAR}
        return one_or_many(item)
    if kind == "sources":
        return one_or_many({"anyOf": [URL, source_object()]})
    if kind == "corrections":
        return one_or_many(correction_object())
    raise ValueError(f"no schema for field type {kind}")


def one_or_many(item: dict[str, Any]) -> dict[str, Any]:
    """A list of items, or one item alone (sitegen reads a single value as a list of one)."""
    return {"anyOf": [{"type": "array", "items": item}, item]}


def source_object() -> dict[str, Any]:
    """A source: `{url, title, publisher, date, archive, anonymous}`, url required."""
    properties: dict[str, Any] = {key: {"type": SCALAR} for key in SOURCE_KEYS}
    properties.update(url=URL, archive=URL, date=DATE, anonymous=BOOL)
    properties["url"] = {**URL, "description": "Where the words were said or reported (http or https)."}
    properties["archive"] = {**URL, "description": "An archived copy (Wayback Machine, archive.today)."}
    properties["anonymous"] = {**BOOL, "description": "true: the source relies on people it does not name."}
    return {"type": "object", "properties": properties, "required": ["url"], "additionalProperties": False}


def correction_object() -> dict[str, Any]:
    """A correction: `{date, note}`; whether both are there is the rule `correction-incomplete`'s."""
    properties: dict[str, Any] = {"date": DATE, "note": {"type": SCALAR}}
    assert set(properties) == set(CORRECTION_KEYS)
    return {"type": "object", "properties": properties, "additionalProperties": False}


def front_matter_schema(kind: str, ratings: tuple[str, ...] = ()) -> dict[str, Any]:
    """The JSON Schema of one kind of front matter; `ratings` lists the site's rating keys."""
    fields = KINDS[kind]
    properties: dict[str, Any] = {}
    for field in fields.values():
        value = value_schema(field, ratings)
        if not field.required:
            value = {"anyOf": [value, {"type": "null"}, {"type": "array", "maxItems": 0}]}
        description = field.doc
        if field.name == "ignore":
            description += " Checks: " + "; ".join(f"{r.id}: {r.doc}" for r in RULES.values())
        properties[field.name] = {"description": description, **value}
    schema: dict[str, Any] = {
        "$schema": DRAFT,
        "title": f"sitegen {kind} front matter",
        "description": (
            "Generated by `sitegen schema` from sitegen/reading/fields.py; `sitegen check` checks more."
        ),
        "type": "object",
        "properties": properties,
        "required": [f.name for f in fields.values() if f.required],
        "additionalProperties": False,
    }
    if kind == "entry":
        # The one requirement that depends on another field's value (content.check_entry).
        schema["if"] = {"properties": {"kind": {"const": "statement"}}, "required": ["kind"]}
        schema["then"] = {"required": ["speaker"]}
    return schema
