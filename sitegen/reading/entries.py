"""Read one entry file into an entry, before it is linked to speakers and other entries.

Reading an entry depends on its file's bytes and on `EntrySettings` alone,
never on other files, so one read can be kept (with the problems it found)
and replayed for as long as both are the same: that is what lets a warm build
skip the 9,999 entries that did not change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import Any

from sitegen.reading.document import Document, Node
from sitegen.reading.fields import ENTRY_FIELDS, Located, did_you_mean
from sitegen.reading.sources import SourceReader, file_digest, line_of_meta
from sitegen.structure.dates import PartialDate
from sitegen.structure.diagnostics import Diagnostic, Diagnostics
from sitegen.structure.interning import shared
from sitegen.structure.model import RELATION_TYPES, Entry, EntryRef, RelationType
from sitegen.structure.urls import RESERVED_ENTRY_IDS, tag_slug


@dataclass(frozen=True)
class EntrySettings:
    """Everything besides its file that reading an entry depends on; part of its cache key."""

    story: str
    zone_name: str
    """The story's time zone, in which dates without an offset are read."""
    language: str
    rating_keys: tuple[str, ...]
    """The keys of the site's rating scale, which `rating:` must be one of."""
    drafts: bool
    unsafe_html: bool
    markdown_seconds: float
    max_file_bytes: int


@dataclass(frozen=True)
class RawEntry:
    """An entry read from its file, before relations and speakers are resolved."""

    entry: Entry
    refs: dict[RelationType, tuple[Located, ...]]
    """The relations as written, by type: `other-story/entry-id` or `entry-id`."""
    speaker: Located | None
    """The speaker as written: an id of content/_speakers/ or a name."""
    id_position: tuple[int, int]
    tag_names: tuple[str, ...] = ()
    tags_line: int = 1


@dataclass(frozen=True)
class EntryRead:
    """What reading one entry file gave: the entry or why there is none, and its problems."""

    raw: RawEntry | None
    claims: EntryRef
    """The entry the file stands for, even when it has errors or is a hidden draft."""
    hidden_draft: bool
    """A draft left out of this build: a relation to it is a warning, not an error."""
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class CheckedEntry:
    """A read entry, kept for as long as its file's bytes and its settings stay the same."""

    digest: str
    settings: EntrySettings
    read: EntryRead
    lasting: bool = True
    """False when its body ran out of time converting: read it again next time."""


def read_entry(
    sources: SourceReader, path: Path, settings: EntrySettings, zone: tzinfo,
    known: CheckedEntry | None = None,
) -> CheckedEntry:
    """Read and check one entry file, or return `known` when neither it nor the settings changed."""
    parsed = sources.load(path)
    if known is not None and known.lasting and known.digest == parsed.digest and known.settings == settings:
        # Its body stays in the cache too, for a read in other settings (`check` with drafts).
        sources.keep_converted(parsed.document.body)
        return known
    diagnostics = Diagnostics(list(parsed.diagnostics))
    source = parsed.document
    timeouts = sources.timeouts
    raw, hidden = _EntryReader(sources, source, path, settings, zone, diagnostics).read()
    claims = raw.entry.ref if raw else EntryRef(settings.story, hidden or declared_id(source, path))
    read = EntryRead(raw, claims, bool(hidden), tuple(diagnostics.items))
    return CheckedEntry(parsed.digest, settings, read, lasting=sources.timeouts == timeouts)


def declared_id(source: Document, path: Path) -> str:
    """The id an entry file claims (`id:` or its file name), even when it has errors."""
    if source.meta and isinstance(source.meta.value, dict) and "id" in source.meta.value:
        written = source.meta.value["id"].value
        if isinstance(written, str) and written.strip():
            return written.strip()
    return path.stem


class _EntryReader:
    """The checks of one entry file, reporting into that entry's own diagnostics."""

    def __init__(
        self, sources: SourceReader, source: Document, path: Path, settings: EntrySettings,
        zone: tzinfo, diagnostics: Diagnostics,
    ) -> None:
        self.sources = sources
        self.source = source
        self.path = path
        self.settings = settings
        self.zone = zone
        self.diagnostics = diagnostics
        self.meta: dict[str, Node] = (
            source.meta.value if source.meta and isinstance(source.meta.value, dict) else {}
        )

    def read(self) -> tuple[RawEntry | None, str]:
        """The entry, or None; and the id of a hidden draft ("" for any other entry)."""
        source, meta, settings = self.source, self.meta, self.settings
        values = self.sources.fields(source, ENTRY_FIELDS, "an entry", self.zone, self.diagnostics)
        entry_id = shared(values.get("id", self.path.stem))
        id_position = (1, 1)
        if "id" in meta:
            id_position = (meta["id"].line, meta["id"].column)
        elif not self.sources.check_slug(self.path, self.path.stem, "entry id (the file name)",
                                         self.diagnostics):
            return None, ""
        if "id" in meta and "id" not in values:
            return None, ""
        if entry_id in RESERVED_ENTRY_IDS:
            line, column = id_position if "id" in meta else (0, 0)
            self.diagnostics.error(
                source.path, line, column,
                f"entry id `{entry_id}` is reserved: /{settings.story}/{entry_id}/ is the story's "
                f"{RESERVED_ENTRY_IDS[entry_id]}; rename the file or set another `id:`",
            )
            return None, ""
        if values.get("draft") and not settings.drafts:
            return None, entry_id
        kind = values.get("kind")
        date: PartialDate | None = values.get("date")
        title = values.get("title")
        self.check_rating(values)
        if kind is None or date is None or title is None:
            # The entry cannot be published, but its other mistakes are still worth knowing now.
            if kind is not None:
                self.check_fields(values, kind, date)
            self.sources.body(source, self.diagnostics)
            return None, ""
        self.check_fields(values, kind, date)
        body_html, summary = self.sources.body(source, self.diagnostics)
        speaker = None
        if "speaker" in values:
            node = meta["speaker"]
            speaker = Located(values["speaker"], node.line, node.column)
        entry = Entry(
            story=settings.story,
            id=entry_id,
            path=source.path,
            kind=kind,
            date=date,
            title=title,
            end_date=values.get("end_date"),
            approximate=values.get("approximate", False),
            display_date=values.get("display_date", ""),
            role=values.get("role", ""),
            quote=values.get("quote", ""),
            quote_type=values.get("quote_type", ""),
            original_quote=values.get("original_quote", ""),
            original_language=values.get("original_language", ""),
            rating=values.get("rating"),
            verdict=values.get("verdict", ""),
            reviewed=values.get("reviewed"),
            sources=values.get("sources", ()),
            corrections=values.get("corrections", ()),
            draft=values.get("draft", False),
            body_html=body_html,
            summary=summary,
            digest=file_digest(source),
            language=settings.language,
            # As the site registers them (`_SiteRead.add_tags`), so an entry read from the
            # cache is used as it is, not copied with its tags on every read.
            tags=tuple(dict.fromkeys(slug for slug in map(tag_slug, values.get("tags", ())) if slug)),
            ignore=values.get("ignore", ()),
        )
        refs = {name: values[name] for name in RELATION_TYPES if name in values}
        return RawEntry(
            entry, refs, speaker, id_position, values.get("tags", ()), line_of_meta(source, "tags"),
        ), ""

    def check_rating(self, values: dict[str, Any]) -> None:
        """A rating must be a key of the site's scale."""
        written = values.get("rating")
        keys = self.settings.rating_keys
        if written is None or written in keys:
            return
        node = self.meta["rating"]
        self.diagnostics.error(
            self.source.path, node.line, node.column,
            f"unknown rating `{written}`{did_you_mean(written, list(keys))}; "
            f"the scale in sitegen.toml has: {', '.join(keys)}",
        )

    def check_fields(self, values: dict[str, Any], kind: str, date: PartialDate | None) -> None:
        """Check the rules that tie fields together."""
        source, meta = self.source, self.meta
        path = source.path
        line = source.meta.line if source.meta else 1

        def need(name: str, why: str) -> None:
            if name not in values and name not in meta:
                self.diagnostics.error(path, line, 1, f"missing field `{name}`: {why}")
            elif name not in values and meta[name].value in (None, []):
                # Written but left empty (an import leaves them for an editor): publishable, not done.
                node = meta[name]
                self.diagnostics.warning(path, node.line, node.column,
                                         f"`{name}` is still empty: {why}; fill it in before publishing")

        # A statement's sources and a rating's verdict and review date are checked by the
        # editorial rules `source-missing` and `rating-incomplete`, whose severity a site sets.
        if kind == "statement":
            need("speaker", "a statement needs the speaker id from _speakers/ or a name")
        if "rating" not in meta and "verdict" in values:
            node = meta["verdict"]
            self.diagnostics.warning(path, node.line, node.column,
                                     "`verdict` without `rating` is not shown; add a rating")
        if "original_quote" in values and "original_language" not in values:
            node = meta["original_quote"]
            self.diagnostics.error(path, node.line, node.column,
                                   "`original_quote` needs `original_language` (e.g. ru)")
        end = values.get("end_date")
        if end is not None and date is not None and end.ends_before(date):
            node = meta["end_date"]
            self.diagnostics.error(path, node.line, node.column,
                                   f"`end_date` {end.text} is before `date` {date.text}")
