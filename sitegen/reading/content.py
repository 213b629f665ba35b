"""Read and check a site's content folder into one immutable `Site`.

Everything is read and checked before anything is written (see `build`), so
a content error never leaves half a site. Every problem is collected, not
only the first.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from types import MappingProxyType
from typing import Any

from sitegen.reading.document import Document, read_document
from sitegen.reading.fields import (
    ENTRY_FIELDS,
    PAGE_FIELDS,
    SLUG_PATTERN,
    SPEAKER_FIELDS,
    STORY_FIELDS,
    FieldReader,
    Located,
    did_you_mean,
)
from sitegen.reading.markup import MarkdownRenderer, MarkupError
from sitegen.reading.sitefiles import escape_reason, walk
from sitegen.reading.translations import TRANSLATION_NAME, TranslationReader
from sitegen.structure.dates import PartialDate, Precision, load_zone, unknown_zone_message
from sitegen.structure.diagnostics import Diagnostics
from sitegen.structure.model import (
    RELATION_TYPES,
    Config,
    Entry,
    EntryRef,
    Page,
    Relation,
    Site,
    Speaker,
    Story,
    Tag,
)
from sitegen.structure.urls import RESERVED_ENTRY_IDS, RESERVED_SLUGS, slugify, tag_slug

NEVER = datetime(1, 1, 1, tzinfo=UTC)
"""Where a story with no dates sorts: after every dated one."""

CONTENT_DIR = "content"
SPEAKERS_DIR = "_speakers"
PAGES_DIR = "_pages"
STORY_INDEX = "_index.md"


def is_content_file(name: str) -> bool:
    """Skip hidden files and editors' temp and backup files (`.#x.md`, `x.md~`)."""
    return name.endswith(".md") and not name.startswith((".", "#", "~"))


@dataclass
class ReadCache:
    """Parsed files kept between builds of one process, keyed by path and stat."""

    files: dict[str, tuple[tuple[int, int, int], Document, list[Any]]] = field(default_factory=dict)
    entries: dict[str, tuple[tuple[Any, ...], Any, list[Any], set[Any]]] = field(default_factory=dict)
    """Checked entries by path, keyed by stat and by the settings that shape them."""

    def read(self, root: Path, path: Path, diagnostics: Diagnostics, limit: int = 0) -> Document:
        """Parse a file, or return the last parse when it has not changed."""
        relative = path.relative_to(root).as_posix()
        stat = path.stat()
        key = (stat.st_mtime_ns, stat.st_size, limit)
        cached = self.files.get(relative)
        if cached is not None and cached[0] == key:
            diagnostics.items.extend(cached[2])
            return cached[1]
        local = Diagnostics()
        if limit and stat.st_size > limit:
            # Bounded work: a 50 MB body would take minutes and gigabytes to convert.
            local.error(relative, 1, 1, f"the file is {stat.st_size / 1e6:.1f} MB, over the limit of "
                        f"{limit / 1e6:g} MB; split it, or raise `max_file_size_mb` in sitegen.toml")
            source = Document(relative, None, "", 1, "")
            self.files[relative] = (key, source, list(local.items))
            diagnostics.items.extend(local.items)
            return source
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as error:
            local.error(relative, 1, 1, f"not UTF-8 text (byte {error.start}); save it as UTF-8")
            source = Document(relative, None, "", 1, "")
        else:
            source = read_document(relative, text, local)
        self.files[relative] = (key, source, list(local.items))
        diagnostics.items.extend(local.items)
        return source


@dataclass
class _RawEntry:
    """An entry read from its file, before relations and speakers are resolved."""

    entry: Entry
    refs: dict[str, tuple[Located, ...]]
    speaker: Located | None
    rating: Located | None
    id_position: tuple[int, int]
    tag_names: tuple[str, ...] = ()
    tags_line: int = 1


class SiteReader:
    """Read one site folder; one instance per build (or per server, for its caches)."""

    def __init__(self, root: Path, cache: ReadCache | None = None) -> None:
        self.root = root
        self.cache = cache or ReadCache()
        self._renderers: dict[bool, MarkdownRenderer] = {}

    def renderer(self, config: Config) -> MarkdownRenderer:
        """The Markdown renderer for this config, kept so its cache survives rebuilds."""
        if config.unsafe_html not in self._renderers:
            self._renderers[config.unsafe_html] = MarkdownRenderer(config.unsafe_html)
        return self._renderers[config.unsafe_html]

    def read(self, config: Config, diagnostics: Diagnostics, drafts: bool = False) -> Site:
        """Read, check and cross-link everything under content/."""
        return _Reading(self, config, diagnostics, drafts).run()


class _Reading:
    """The state of one read of a site."""

    def __init__(self, reader: SiteReader, config: Config, diagnostics: Diagnostics, drafts: bool):
        self.reader = reader
        self.root = reader.root
        self.config = config
        self.diagnostics = diagnostics
        self.drafts = drafts
        self.markdown = reader.renderer(config)
        self.tags: dict[str, Tag] = {}
        self.draft_stories: set[str] = set()
        self.drafts_seen: set[EntryRef] = set()
        """Hidden drafts: a relation to one is left out with a warning, not an error."""
        self.unusable: set[EntryRef] = set()
        """Entries dropped for errors of their own: they exist, so a relation to one is no error."""

    def run(self) -> Site:
        content = self.root / CONTENT_DIR
        speakers = self.read_speakers(content / SPEAKERS_DIR)
        pages = self.read_pages(content / PAGES_DIR)
        stories: list[Story] = []
        raw_entries: dict[str, list[_RawEntry]] = {}
        if content.is_dir():
            for folder in sorted(content.iterdir()):
                if folder.name.startswith((".", "_")):
                    continue
                if folder.is_symlink() and (reason := escape_reason(self.root, folder)):
                    self.diagnostics.error(self.rel(folder), 0, 0, reason)
                    continue
                if folder.is_file():
                    if is_content_file(folder.name):
                        self.diagnostics.warning(
                            self.rel(folder), 1, 1,
                            "this file is not inside a story folder and is not published; "
                            "move it to content/<story-slug>/",
                        )
                    continue
                result = self.read_story(folder, pages)
                if result is not None:
                    stories.append(result[0])
                    raw_entries[result[0].slug] = result[1]
        else:
            self.diagnostics.error(
                CONTENT_DIR, 0, 0,
                "no content/ folder here; run `sitegen init DIR` to create a site, or "
                "pass --source with the folder that holds sitegen.toml and content/",
            )
        speakers = self.resolve_speakers(raw_entries, speakers)
        entries = self.resolve_relations(raw_entries)
        stories = self.attach_entries(stories, entries)
        return Site(
            config=self.config,
            stories=tuple(stories),
            speakers=MappingProxyType(speakers),
            tags=MappingProxyType(dict(sorted(self.tags.items()))),
            pages=tuple(sorted(pages, key=lambda p: (p.weight, p.slug))),
            drafts=self.drafts,
            entries=MappingProxyType({e.ref: e for s in stories for e in s.entries}),
        )

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def parse(self, path: Path) -> Document:
        return self.reader.cache.read(self.root, path, self.diagnostics, self.config.max_file_bytes)

    def fields(self, source: Document, schema: dict, what: str, zone: tzinfo) -> dict[str, Any]:
        if source.meta is None:
            return {}
        return FieldReader(source.path, self.diagnostics, zone).read(source.meta, schema, what)

    def body(self, source: Document) -> tuple[str, str]:
        """Convert a body once; warn about every disarmed link at its line."""
        try:
            rendered = self.markdown.render(source.body, self.config.markdown_seconds)
        except MarkupError as error:
            self.diagnostics.error(source.path, source.body_line + error.line, 1, str(error))
            return "", ""
        for url in rendered.unsafe_urls:
            line = self.line_of(source, url)
            self.diagnostics.warning(
                source.path, line, 1,
                f"link to `{url[:60]}` shown as plain text: only http, https, mailto and "
                "relative links are allowed",
            )
        return rendered.html, rendered.summary

    def line_of(self, source: Document, needle: str) -> int:
        for offset, text in enumerate(source.body.splitlines()):
            # Python-Markdown expands tabs before it sees a link (`java<TAB>script:`).
            if needle in text or needle in text.expandtabs(4):
                return source.body_line + offset
        return source.body_line

    def check_slug(self, path: Path, slug: str, what: str) -> bool:
        if SLUG_PATTERN.match(slug):
            return True
        self.diagnostics.error(
            self.rel(path), 0, 0,
            f"{what} `{slug}` must be lowercase ASCII letters, digits and hyphens; "
            f"rename it to `{slugify(slug) or 'a-slug'}`",
        )
        return False

    def markdown_files(self, folder: Path) -> list[Path]:
        # Never leaves the site: a link out of it, a dangling link or a loop is an error.
        found = walk(self.root, folder, self.diagnostics, ".md")
        return sorted(
            (p for p in found if is_content_file(p.name)
             and not any(part.startswith(".") for part in p.relative_to(folder).parts)),
            key=lambda p: p.relative_to(folder).as_posix(),
        )

    def add_tags(self, names: tuple[str, ...], path: str, line: int) -> tuple[str, ...]:
        """Register tags site-wide (the first spelling names the tag) and return their slugs."""
        slugs: list[str] = []
        for name in names:
            slug = tag_slug(name)
            if not slug:
                self.diagnostics.error(path, line, 1, f"tag `{name}` has no letters or digits")
                continue
            self.tags.setdefault(slug, Tag(slug, name))
            if slug not in slugs:
                slugs.append(slug)
        return tuple(slugs)

    def line_of_meta(self, source: Document, key: str) -> int:
        if source.meta and key in source.meta.key_positions:
            return source.meta.key_positions[key][0]
        return 1

    # -- speakers and pages ------------------------------------------------

    def read_speakers(self, folder: Path) -> dict[str, Speaker]:
        speakers: dict[str, Speaker] = {}
        for path in self.markdown_files(folder):
            speaker_id = path.stem
            if not self.check_slug(path, speaker_id, "speaker id (the file name)"):
                continue
            if speaker_id in speakers:
                self.diagnostics.error(
                    self.rel(path), 0, 0,
                    f"speaker id `{speaker_id}` is also {speakers[speaker_id].path}; rename one",
                )
                continue
            source = self.parse(path)
            values = self.fields(source, SPEAKER_FIELDS, "a speaker", self.config.timezone)
            bio_html, _ = self.body(source)
            speakers[speaker_id] = Speaker(
                id=speaker_id,
                name=values.get("name", speaker_id),
                type=values.get("type", "person"),
                role=values.get("role", ""),
                affiliation=values.get("affiliation", ""),
                url=values.get("url", ""),
                aliases=values.get("aliases", ()),
                bio_html=bio_html,
                path=source.path,
                ignore=values.get("ignore", ()),
            )
        return speakers

    def read_pages(self, folder: Path) -> list[Page]:
        pages: list[Page] = []
        for path in self.markdown_files(folder):
            slug = path.stem
            if not self.check_slug(path, slug, "page slug (the file name)"):
                continue
            if slug in RESERVED_SLUGS:
                self.diagnostics.error(
                    self.rel(path), 0, 0,
                    f"`{slug}` is reserved for sitegen's own pages; rename the file",
                )
                continue
            source = self.parse(path)
            values = self.fields(source, PAGE_FIELDS, "a page", self.config.timezone)
            if values.get("draft") and not self.drafts:
                continue
            body_html, summary = self.body(source)
            pages.append(Page(
                slug=slug,
                path=source.path,
                title=values.get("title", slug),
                summary=values.get("summary", summary),
                weight=values.get("weight", 0),
                body_html=body_html,
                draft=values.get("draft", False),
            ))
        return pages

    # -- stories and entries -----------------------------------------------

    def read_story(self, folder: Path, pages: list[Page]) -> tuple[Story, list[_RawEntry]] | None:
        slug = folder.name
        index = folder / STORY_INDEX
        if not self.check_slug(folder, slug, "story folder name"):
            return None
        if slug in RESERVED_SLUGS or any(p.slug == slug for p in pages):
            self.diagnostics.error(
                self.rel(folder), 0, 0,
                f"story slug `{slug}` is reserved for another page of the site; "
                f"rename the folder (e.g. `{slug}-story`)",
            )
            return None
        if not index.is_file():
            self.diagnostics.error(
                self.rel(folder), 0, 0,
                f"story folder has no {STORY_INDEX}; create it with `title:` and `summary:` "
                f"(`sitegen new story {slug}` writes one)",
            )
            return None
        source = self.parse(index)
        zone = self.config.timezone
        zone_name = self.config.timezone_name
        if source.meta and isinstance(source.meta.value, dict) and "timezone" in source.meta.value:
            node = source.meta.value["timezone"]
            if isinstance(node.value, str):
                found = load_zone(node.value)
                if found is None:
                    self.diagnostics.error(
                        source.path, node.line, node.column, unknown_zone_message(node.value),
                    )
                else:
                    zone, zone_name = found, node.value
        values = self.fields(source, STORY_FIELDS, "a story", zone)
        if values.get("draft") and not self.drafts:
            self.draft_stories.add(slug)
            return None
        background_html, _ = self.body(source)
        story = Story(
            slug=slug,
            path=source.path,
            title=values.get("title", slug),
            summary=values.get("summary", ""),
            status=values.get("status", "developing"),
            tags=self.add_tags(values.get("tags", ()), source.path, self.line_of_meta(source, "tags")),
            timezone_name=zone_name,
            updated=values.get("updated"),
            corrections=values.get("corrections", ()),
            draft=values.get("draft", False),
            background_html=background_html,
            language=self.config.language,
            ignore=values.get("ignore", ()),
        )
        entries: list[_RawEntry] = []
        seen: dict[str, str] = {}
        translations: list[tuple[Path, str, str]] = []
        for path in self.markdown_files(folder):
            if path == index or path.name == STORY_INDEX:
                continue
            named = TRANSLATION_NAME.match(path.name)
            if named:
                translations.append((path, named["stem"], named["language"]))
                continue
            raw = self.read_entry(path, slug, zone_name, zone)
            if raw is None:
                continue
            entry_id = raw.entry.id
            if entry_id in seen:
                line, column = raw.id_position
                self.diagnostics.error(
                    raw.entry.path, line, column,
                    f"entry id `{entry_id}` is already used by {seen[entry_id]}; "
                    "ids must be unique within a story: rename the file or set `id:`",
                )
                continue
            seen[entry_id] = raw.entry.path
            entries.append(raw)
        if translations:
            story, entries = TranslationReader(self).attach(story, entries, translations, zone)
        return story, entries

    def read_entry(self, path: Path, story: str, zone_name: str, zone: tzinfo) -> _RawEntry | None:
        """Read one entry, or reuse the last read of an unchanged file in the same setting."""
        stat = path.stat()
        relative = self.rel(path)
        key = (stat.st_mtime_ns, stat.st_size, story, zone_name, self.config.unsafe_html, self.drafts,
               self.config.language, tuple(r.key for r in self.config.ratings))
        cached = self.reader.cache.entries.get(relative)
        if cached is None or cached[0] != key:
            outer, self.diagnostics = self.diagnostics, Diagnostics()
            drafts_before = set(self.drafts_seen)
            try:
                raw = self._read_entry(path, story, zone)
                cached = (key, raw, list(self.diagnostics.items), self.drafts_seen - drafts_before)
            finally:
                outer.items.extend(self.diagnostics.items)
                self.diagnostics = outer
            self.reader.cache.entries[relative] = cached
        else:
            self.diagnostics.items.extend(cached[2])
            self.drafts_seen.update(cached[3])
        raw = cached[1]
        if raw is None:
            if not cached[3]:
                self.unusable.add(EntryRef(story, self.declared_id(path)))
            return None
        # Tags are registered site-wide on every read; the cached entry must not be mutated.
        tags = self.add_tags(raw.tag_names, raw.entry.path, raw.tags_line)
        return replace(raw, entry=replace(raw.entry, tags=tags))

    def declared_id(self, path: Path) -> str:
        """The id an entry file claims (`id:` or its file name), even when it has errors."""
        source = self.parse(path)
        if source.meta and isinstance(source.meta.value, dict) and "id" in source.meta.value:
            written = source.meta.value["id"].value
            if isinstance(written, str) and written.strip():
                return written.strip()
        return path.stem

    def _read_entry(self, path: Path, story: str, zone: tzinfo) -> _RawEntry | None:
        source = self.parse(path)
        values = self.fields(source, ENTRY_FIELDS, "an entry", zone)
        meta = source.meta.value if source.meta and isinstance(source.meta.value, dict) else {}
        entry_id = values.get("id", path.stem)
        id_position = (1, 1)
        if "id" in meta:
            id_position = (meta["id"].line, meta["id"].column)
        elif not self.check_slug(path, path.stem, "entry id (the file name)"):
            return None
        if "id" in meta and "id" not in values:
            return None
        if entry_id in RESERVED_ENTRY_IDS:
            line, column = id_position if "id" in meta else (0, 0)
            self.diagnostics.error(
                source.path, line, column,
                f"entry id `{entry_id}` is reserved: /{story}/{entry_id}/ is the story's "
                f"{RESERVED_ENTRY_IDS[entry_id]}; rename the file or set another `id:`",
            )
            return None
        if values.get("draft") and not self.drafts:
            self.drafts_seen.add(EntryRef(story, entry_id))
            return None
        kind = values.get("kind")
        date: PartialDate | None = values.get("date")
        title = values.get("title")
        self.check_rating_key(source.path, values, meta)
        if kind is None or date is None or title is None:
            # The entry cannot be published, but its other mistakes are still worth knowing now.
            if kind is not None:
                self.check_entry(source, values, meta, kind, date)
            self.body(source)
            return None
        self.check_entry(source, values, meta, kind, date)
        body_html, summary = self.body(source)
        speaker = None
        if "speaker" in values:
            node = meta["speaker"]
            speaker = Located(values["speaker"], node.line, node.column)
        rating = None
        if "rating" in values:
            node = meta["rating"]
            rating = Located(values["rating"], node.line, node.column)
        entry = Entry(
            story=story,
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
            digest=hashlib.sha256(source.text.encode()).hexdigest()[:16],
            language=self.config.language,
            ignore=values.get("ignore", ()),
        )
        refs = {name: values[name] for name in RELATION_TYPES if name in values}
        return _RawEntry(
            entry, refs, speaker, rating, id_position,
            values.get("tags", ()), self.line_of_meta(source, "tags"),
        )

    def check_rating_key(self, path: str, values: dict[str, Any], meta: dict) -> None:
        """A rating must be a key of the site's scale."""
        written = values.get("rating")
        if written is None or self.config.rating(written) is not None:
            return
        keys = [r.key for r in self.config.ratings]
        node = meta["rating"]
        self.diagnostics.error(
            path, node.line, node.column,
            f"unknown rating `{written}`{did_you_mean(written, keys)}; "
            f"the scale in sitegen.toml has: {', '.join(keys)}",
        )

    def check_entry(
        self, source: Document, values: dict[str, Any], meta: dict, kind: str, date: PartialDate | None
    ) -> None:
        """Check the rules that tie fields together."""
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
        if end is not None and date is not None and end.sort_key() < date.sort_key():
            node = meta["end_date"]
            self.diagnostics.error(path, node.line, node.column,
                                   f"`end_date` {end.text} is before `date` {date.text}")

    # -- cross-links ---------------------------------------------------------

    def resolve_speakers(
        self, raw_entries: dict[str, list[_RawEntry]], speakers: dict[str, Speaker]
    ) -> dict[str, Speaker]:
        """Link statements to registry speakers; give free-text speakers pages too."""
        by_name = {}
        for speaker in speakers.values():
            for name in (speaker.name, *speaker.aliases):
                by_name.setdefault(name.casefold(), speaker.id)
        result = dict(speakers)
        for raw_list in raw_entries.values():
            for index, raw in enumerate(raw_list):
                entry = raw.entry
                if raw.speaker is None:
                    continue
                value = raw.speaker.text
                speaker_id = value if value in speakers else by_name.get(value.casefold())
                if speaker_id is None and SLUG_PATTERN.match(value) and "-" in value:
                    hint = did_you_mean(value, list(speakers))
                    if hint:
                        self.diagnostics.error(
                            entry.path, raw.speaker.line, raw.speaker.column,
                            f"unknown speaker id `{value}`{hint}; speakers are the files "
                            "in content/_speakers/, or write the person's full name",
                        )
                if speaker_id is None:
                    speaker_id = self.free_speaker(value, result)
                raw_list[index].entry = replace(entry, speaker=speaker_id)
        return dict(sorted(result.items()))

    def free_speaker(self, name: str, speakers: dict[str, Speaker]) -> str:
        """Give a free-text speaker an id of its own that no registry speaker has."""
        base = slugify(name) or "speaker"
        candidate, number = base, 1
        while candidate in speakers and speakers[candidate].name != name:
            number += 1
            candidate = f"{base}-{number}"
        speakers.setdefault(candidate, Speaker(id=candidate, name=name))
        return candidate

    def resolve_relations(self, raw_entries: dict[str, list[_RawEntry]]) -> dict[str, list[Entry]]:
        """Resolve every relation and record it on both ends."""
        known = {EntryRef(story, raw.entry.id) for story, items in raw_entries.items() for raw in items}
        by_story: dict[str, list[str]] = defaultdict(list)
        for ref in known:
            by_story[ref.story].append(ref.id)
        relations: dict[EntryRef, list[Relation]] = defaultdict(list)
        for story, items in raw_entries.items():
            for raw in items:
                source_ref = EntryRef(story, raw.entry.id)
                for relation_type, targets in raw.refs.items():
                    for target in targets:
                        ref = self.resolve_ref(raw.entry, relation_type, target, known, by_story)
                        if ref is None:
                            continue
                        # An answer dated before what it answers is the editorial rule
                        # `relation-out-of-order` (sitegen/reading/editorial.py), not a second warning here.
                        relations[source_ref].append(Relation(relation_type, ref))
                        relations[ref].append(Relation(relation_type, source_ref, incoming=True))
        result: dict[str, list[Entry]] = {}
        for story, items in raw_entries.items():
            result[story] = [
                replace(raw.entry, relations=tuple(dict.fromkeys(relations.get(raw.entry.ref, []))))
                for raw in items
            ]
        return result

    def resolve_ref(
        self, entry: Entry, relation_type: str, target: Located,
        known: set[EntryRef], by_story: dict[str, list[str]],
    ) -> EntryRef | None:
        story, _, entry_id = target.text.rpartition("/")
        ref = EntryRef(story or entry.story, entry_id)
        if ref == entry.ref:
            self.diagnostics.error(entry.path, target.line, target.column,
                                   f"`{relation_type}` points at the entry itself")
            return None
        if ref in known:
            return ref
        if ref in self.unusable:
            # The target has errors of its own, reported at its file; a "no entry" error here
            # would be wrong, and its "did you mean" would send the author to another entry.
            return None
        if ref in self.drafts_seen or ref.story in self.draft_stories:
            self.diagnostics.warning(
                entry.path, target.line, target.column,
                f"`{relation_type}: {target.text}` points at a draft, so it is not shown; "
                "it appears once that entry is published (or build with --drafts)",
            )
            return None
        if story and story not in by_story:
            hint = did_you_mean(story, list(by_story))
            message = f"`{relation_type}: {target.text}`: there is no story `{story}`{hint}"
        else:
            hint = did_you_mean(entry_id, by_story.get(ref.story, []))
            where = f"story `{ref.story}`" if story else "this story"
            message = (f"`{relation_type}: {target.text}`: no entry `{entry_id}` in {where}{hint}; "
                       "use an entry id (its file name), or other-story/entry-id")
        self.diagnostics.error(entry.path, target.line, target.column, message)
        return None

    def attach_entries(self, stories: list[Story], entries: dict[str, list[Entry]]) -> list[Story]:
        """Order each story's entries in time, and the stories by their last update."""
        result = []
        for story in stories:
            ordered = sorted(
                entries.get(story.slug, []),
                key=lambda e: (*e.date.sort_key(), e.path),
            )
            ordered = below_what_they_answer(ordered)
            result.append(replace(story, entries=tuple(ordered), updated=last_update(story, ordered)))
        result.sort(key=lambda s: s.slug)
        result.sort(key=lambda s: s.updated.sort_key() if s.updated else (NEVER, 0), reverse=True)
        return result


def last_update(story: Story, entries: list[Entry]) -> PartialDate | None:
    """The story's "Last updated": `updated` as written, else the newest entry date, and never
    before a correction of the story or of one of its entries (the feeds say so too)."""
    # An undated correction (an error of its own) cannot make a story newer.
    dates = [c.date for c in story.corrections if c.date is not None]
    dates += [c.date for e in entries for c in e.corrections if c.date is not None]
    if story.updated is not None:
        dates.append(story.updated)
    elif entries:
        dates.append(max((e.date for e in entries), key=lambda d: d.sort_key()))
    return max(dates, key=lambda d: d.sort_key()) if dates else None


ANSWERS = ("responds_to", "denies", "corrects")
"""Relations whose entry must come after its target."""

FIELDS_OF = {
    Precision.YEAR: 1, Precision.MONTH: 2, Precision.DAY: 3, Precision.MINUTE: 5, Precision.SECOND: 6,
}
"""How many of (year, month, day, hour, minute, second) each precision gives."""


def _fields_of(date: PartialDate, precision: Precision) -> tuple[int, ...]:
    values = (date.year, date.month, date.day, date.hour, date.minute, date.second)
    return values[:FIELDS_OF[precision]]


def contains(outer: PartialDate, inner: PartialDate) -> bool:
    """Tell whether a coarser date (a day) takes in a finer one (a time that day)."""
    return outer.precision < inner.precision and _fields_of(outer, outer.precision) == _fields_of(
        inner, outer.precision)


def happened_before(first: PartialDate, second: PartialDate) -> bool:
    """Tell whether `first` is over before `second` begins, at the precision both give."""
    if first.has_time and second.has_time:
        return first.start < second.start
    precision = min(first.precision, second.precision)
    return _fields_of(first, precision) < _fields_of(second, precision)


def below_what_they_answer(entries: list[Entry]) -> list[Entry]:
    """Move an entry dated only by its day below the entries of that day it answers.

    Sorting puts a date-only entry at the start of its day, above a timed entry it
    responds to; its date does not say it came first, its relation says it came after.
    """
    ordered = list(entries)
    for _ in range(len(ordered)):
        moved = False
        for index, entry in enumerate(ordered):
            position = {e.ref: i for i, e in enumerate(ordered)}
            targets = [position[r.target] for r in entry.relations
                       if not r.incoming and r.target in position and position[r.target] > index
                       and contains(entry.date, ordered[position[r.target]].date)]
            if targets:
                ordered.insert(max(targets), ordered.pop(index))
                moved = True
                break
        if not moved:
            break
    return ordered
