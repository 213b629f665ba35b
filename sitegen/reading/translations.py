"""Read a story's translations: `<id>.<lang>.md` beside an entry, `_index.<lang>.md` beside the story.

A translation carries only what changes with the language — title, summary,
role, quote, verdict and body — and shares the rest (date, speaker, rating,
sources, relations, tags) with its original. A shared field it repeats must
agree with the original's, so translators can copy the front matter whole
without the two drifting apart.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from dataclasses import replace
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitegen.reading.entries import RawEntry
from sitegen.reading.fields import ENTRY_FIELDS, STORY_FIELDS, Field, FieldReader, Located
from sitegen.reading.sources import SourceReader, file_digest
from sitegen.rendering.i18n import parse_locale
from sitegen.structure.dates import PartialDate
from sitegen.structure.diagnostics import Diagnostics
from sitegen.structure.model import Config, EntryText, Story, StoryText

if TYPE_CHECKING:
    from sitegen.reading.document import Document

TRANSLATION_NAME = re.compile(r"^(?P<stem>[^.]+)\.(?P<language>[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})*)\.md$")
"""`peskov-denial.uk.md`, `_index.pt-BR.md`: ids have no dots, so a dot names a language."""

ENTRY_TRANSLATED = ("title", "role", "quote", "verdict", "display_date", "draft")
"""What an entry's translation writes in its own words (a draft translation is not shown)."""
STORY_TRANSLATED = ("title", "summary", "draft")
UNTRANSLATED_WARNING = ("quote", "verdict")
"""Left out of a translation, these would show the original's words among translated ones."""


def translation_schema(schema: dict[str, Field]) -> dict[str, Field]:
    """A translation's fields: all of the original's; only the title is required."""
    return {name: replace(f, required=name == "title") for name, f in schema.items()}


ENTRY_TRANSLATION_FIELDS = translation_schema(ENTRY_FIELDS)
STORY_TRANSLATION_FIELDS = translation_schema(STORY_FIELDS)


def comparable(value: Any) -> Any:
    """A value as the reader sees it: `2024-11-10` and `2024-11-10 ` are the same date."""
    if isinstance(value, PartialDate):
        return value.iso()
    if isinstance(value, Located):
        return value.text
    if isinstance(value, tuple | list):
        return tuple(comparable(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return tuple(comparable(getattr(value, f.name)) for f in dataclasses.fields(value))
    return value


def shown(value: Any) -> str:
    """A shared value, short, for an error message."""
    value = comparable(value)
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value) if all(not isinstance(v, tuple) for v in value) else "…"
    return str(value)


class TranslationReader:
    """Read the translation files found in one story folder, for one read of the site."""

    def __init__(self, sources: SourceReader, config: Config, drafts: bool, diagnostics: Diagnostics) -> None:
        self.sources = sources
        self.config = config
        self.drafts = drafts
        self.diagnostics = diagnostics

    def attach(
        self, story: Story, raws: list[RawEntry], found: list[tuple[Path, str, str]], zone: tzinfo,
    ) -> tuple[Story, list[RawEntry]]:
        """Read each translation, check it against its original, and hang it on the original."""
        by_path = {raw.entry.path: index for index, raw in enumerate(raws)}
        story_texts: list[StoryText] = []
        entry_texts: dict[int, list[EntryText]] = defaultdict(list)
        for path, stem, language in found:
            relative = self.sources.rel(path)
            if not self.language_ok(relative, language):
                continue
            original = path.with_name(f"{stem}.md")
            original_relative = self.sources.rel(original)
            if stem == "_index":
                text = self.story_text(path, original, language, zone, story)
                if text is not None:
                    story_texts.append(text)
                continue
            index = by_path.get(original_relative)
            if index is None:
                if not original.is_file():
                    self.diagnostics.error(
                        relative, 1, 1,
                        f"translation of a missing entry: there is no {original.name} beside it; "
                        "name a translation after its original (`<entry-id>.<language>.md`)",
                    )
                # Otherwise the original is a hidden draft or has errors of its own.
                continue
            entry_text = self.entry_text(path, original, language, zone, raws[index])
            if entry_text is not None:
                entry_texts[index].append(entry_text)
        attached = [
            replace(raw, entry=replace(raw.entry, translations=tuple(
                sorted(entry_texts[index], key=lambda t: t.language)
            ))) if index in entry_texts else raw
            for index, raw in enumerate(raws)
        ]
        return replace(story, translations=tuple(sorted(story_texts, key=lambda t: t.language))), attached

    def language_ok(self, relative: str, language: str) -> bool:
        """Tell whether a translation's language is one the site is built in; say why not."""
        if parse_locale(language) is None:
            self.diagnostics.error(
                relative, 1, 1,
                f"`{language}` in the file name is not a language; entry ids have no dots, and "
                "`<entry-id>.<language>.md` is a translation (e.g. peskov-denial.uk.md)",
            )
            return False
        if language == self.config.language:
            self.diagnostics.error(
                relative, 1, 1,
                f"a translation into `{language}`, the site's default language, which the "
                "original is written in; remove it or give it another language",
            )
            return False
        if language not in self.config.languages and language.lower() in self.config.languages:
            name = relative.rpartition("/")[2]
            self.diagnostics.warning(
                relative, 1, 1,
                f"`{language}` is written in capitals, so this translation is not published; "
                f"rename the file to `{name.replace(f'.{language}.', f'.{language.lower()}.')}`",
            )
            return False
        if language not in self.config.languages:
            languages = ", ".join(f'"{tag}"' for tag in (*self.config.languages, language))
            self.diagnostics.warning(
                relative, 1, 1,
                f"`{language}` is not one of the site's languages, so this translation is not "
                f"published; add it in sitegen.toml: languages = [{languages}]",
            )
            return False
        return True

    def read_pair(
        self, path: Path, original: Path, schema: dict[str, Field], original_schema: dict[str, Field],
        translated: tuple[str, ...], zone: tzinfo, what: str,
    ) -> tuple[Document, dict[str, Any], dict[str, Any]] | None:
        """Read a translation and its original's values; report shared fields that disagree."""
        source = self.sources.parse(path, self.diagnostics)
        values = self.sources.fields(source, schema, what, zone, self.diagnostics)
        if source.meta is None or not isinstance(source.meta.value, dict):
            return None
        original_source = self.sources.load(original).document
        original_values: dict[str, Any] = {}
        if original_source.meta is not None and isinstance(original_source.meta.value, dict):
            # The original's own problems are reported where it is read.
            original_values = FieldReader(original_source.path, Diagnostics(), zone).read(
                original_source.meta, original_schema, what
            )
        for name, value in values.items():
            if name in translated:
                continue
            if comparable(value) != comparable(original_values.get(name)):
                line, column = source.meta.key_positions.get(name, (source.meta.line, 1))
                theirs = (f"says `{shown(original_values[name])}`" if name in original_values
                          else "does not set it")
                self.diagnostics.error(
                    source.path, line, column,
                    f"`{name}` disagrees with the original ({original_source.path} {theirs}); a "
                    "translation shares it with the original: remove it here or make them agree",
                )
        return source, values, original_values

    def story_text(
        self, path: Path, original: Path, language: str, zone: tzinfo, story: Story,
    ) -> StoryText | None:
        pair = self.read_pair(path, original, STORY_TRANSLATION_FIELDS, STORY_FIELDS,
                              STORY_TRANSLATED, zone, "a story translation")
        if pair is None:
            return None
        source, values, _ = pair
        if values.get("draft") and not self.drafts:
            return None
        background_html, _ = self.sources.body(source, self.diagnostics)
        return StoryText(
            language=language,
            path=source.path,
            title=values.get("title", story.title),
            summary=values.get("summary", story.summary),
            background_html=background_html or story.background_html,
        )

    def entry_text(
        self, path: Path, original: Path, language: str, zone: tzinfo, raw: RawEntry,
    ) -> EntryText | None:
        pair = self.read_pair(path, original, ENTRY_TRANSLATION_FIELDS, ENTRY_FIELDS,
                              ENTRY_TRANSLATED, zone, "an entry translation")
        if pair is None:
            return None
        source, values, original_values = pair
        if values.get("draft") and not self.drafts:
            return None
        entry = raw.entry
        for name in UNTRANSLATED_WARNING:
            if name in original_values and name not in values:
                self.diagnostics.warning(
                    source.path, source.meta.line if source.meta else 1, 1,
                    f"the translation has no `{name}`: the original's words are shown in its place; "
                    f"add `{name}:` in {language}",
                )
        body_html, summary = self.sources.body(source, self.diagnostics)
        return EntryText(
            language=language,
            path=source.path,
            title=values.get("title", entry.title),
            role=values.get("role", entry.role),
            quote=values.get("quote", entry.quote),
            verdict=values.get("verdict", entry.verdict),
            display_date=values.get("display_date", entry.display_date),
            body_html=body_html or entry.body_html,
            summary=summary or entry.summary,
            digest=file_digest(source),
        )
