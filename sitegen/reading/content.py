"""Read and check a site's content folder into one immutable `Site`.

Everything is read and checked before anything is written (see `build`), so
a content error never leaves half a site. Every problem is collected, not
only the first. Files are parsed through `sources` and entries read through
`entries`, both cached between builds (`ReadCache`); what needs the whole
site at once, linking, is in `links`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from datetime import tzinfo
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import TypeVar

from sitegen.progress import Progress, no_progress
from sitegen.reading.document import Document, forget_meta, loosen_meta
from sitegen.reading.entries import CheckedEntry, EntrySettings, RawEntry, read_entry
from sitegen.reading.fields import PAGE_FIELDS, SPEAKER_FIELDS, STORY_FIELDS
from sitegen.reading.folders import FolderRead, SpeakersRead, touched_folders
from sitegen.reading.links import Linked, Unlisted, attach_entries, resolve_relations, resolve_speakers
from sitegen.reading.markup import MarkdownRenderer
from sitegen.reading.prefetch import prefetch
from sitegen.reading.sitefiles import escape_reason
from sitegen.reading.sources import FileCache, SourceReader, SourceSettings, is_content_file, line_of_meta
from sitegen.reading.translations import TRANSLATION_NAME, TranslationReader
from sitegen.structure.dates import load_zone, unknown_zone_message
from sitegen.structure.diagnostics import Diagnostic, Diagnostics
from sitegen.structure.model import Config, Page, Site, Speaker, Story, Tag, entry_index
from sitegen.structure.urls import RESERVED_SLUGS, tag_slug

CONTENT_DIR = "content"
T = TypeVar("T")
SPEAKERS_DIR = "_speakers"
PAGES_DIR = "_pages"
STORY_INDEX = "_index.md"


@dataclass
class ReadCache:
    """What one read keeps for the next: parsed files, converted bodies and read entries.

    Plain data, so it can be kept on disk between runs (see `sitegen.cache`).
    """

    files: FileCache = field(default_factory=FileCache)
    entries: dict[str, CheckedEntry] = field(default_factory=dict)
    """By the entry file's path relative to the site."""


@dataclass
class ReadCounts:
    """How much of the last read came from the cache, for the build's summary."""

    entries: int = 0
    entries_read: int = 0
    """Entries read from their files; the others were the cache's."""
    files: int = 0
    """Content files of the site."""
    fresh: int = 0
    """Files parsed, bodies converted and entries read that the cache did not hold."""
    cold: bool = False
    """The read started with an empty cache."""


@dataclass
class ReaderMemory:
    """What a read remembers beyond its cache: each story folder's read, and the links it made."""

    folders: dict[str, FolderRead]
    made_with: tuple[object, ...] | None
    """The config and drafts setting the folders were read with; others read them again."""
    linked: Linked | None


class SiteReader:
    """Read one site folder, again and again, keeping what each read found for the next."""

    def __init__(self, root: Path, cache: ReadCache | None = None) -> None:
        self.root = root
        self.cache = cache or ReadCache()
        self.counts = ReadCounts()
        self._renderers: dict[bool, MarkdownRenderer] = {}
        self._folders: dict[str, FolderRead] = {}
        """What the last read found in each story folder, for a read told what changed."""
        self._folders_made_with: tuple[object, ...] | None = None
        self._linked: Linked | None = None
        self._speakers: SpeakersRead | None = None
        self._last: Site | None = None
        """What the last read of this process returned: its entry index is patched, not made anew."""
        self._fresh: list[Document] = []
        """The documents the last read parsed (see `forget_front_matter`)."""

    def renderer(self, unsafe_html: bool) -> MarkdownRenderer:
        """The Markdown converter for this setting, made once (it is slow to set up)."""
        if unsafe_html not in self._renderers:
            self._renderers[unsafe_html] = MarkdownRenderer(unsafe_html)
        return self._renderers[unsafe_html]

    def read(
        self, config: Config, diagnostics: Diagnostics, drafts: bool = False,
        progress: Progress = no_progress, changed: Collection[str] | None = None,
    ) -> Site:
        """Read, check and cross-link everything under content/.

        `changed` lists the paths (relative to the site) changed since the last read, when a
        watcher knows them: a story folder without any is not read again (see `folders`).
        """
        settings = SourceSettings(config.max_file_bytes, config.unsafe_html, config.markdown_seconds)
        sources = SourceReader(self.root, settings, self.renderer(config.unsafe_html), self.cache.files)
        prefetch(sources, self.root / CONTENT_DIR, progress)
        read = _SiteRead(sources, self.cache.entries, config, diagnostics, drafts, progress)
        made_with = (config, drafts)
        touched = touched_folders(changed) if changed is not None else None
        # A standalone page's slug may clash with a story folder's: a new page re-reads them all.
        if touched is not None and PAGES_DIR not in touched and made_with == self._folders_made_with:
            read.replayable = {name: kept for name, kept in self._folders.items() if name not in touched}
            if SPEAKERS_DIR not in touched:
                read.speakers_replayable = self._speakers
        read.linked = Linked(self._linked)
        read.last = self._last
        site = self._last = read.run()
        self._folders, self._folders_made_with, self._linked = read.folders, made_with, read.linked
        self._speakers = read.speakers_read
        self._fresh = sources.fresh
        before, self.cache = self.cache, ReadCache(sources.used, read.checked)
        self.counts = ReadCounts(
            entries=len(read.checked), entries_read=read.entries_read, files=len(sources.used.files),
            fresh=sources.parsed + sources.converted + read.entries_read, cold=not before.files.files,
        )
        return site

    def forget_front_matter(self, keep: Collection[str]) -> None:
        """Let go of the front-matter trees of the files the last read parsed, but for those in
        `keep` (the files it reported problems in), now that the read and its checks are done.

        A tree is only needed to point a problem at its field: each file's is a few dozen
        objects, 40 MB of a 10,000-entry build held to its end. One asked for later is parsed
        again from the file's text (`Document.__getattr__`), as for a file the cache kept lean.
        """
        for document in self._fresh:
            if document.path not in keep:
                forget_meta(document)
        self._fresh = []

    def memory(self) -> ReaderMemory:
        """What the next read may replay, beside the cache (see `build_state`)."""
        return ReaderMemory(self._folders, self._folders_made_with, self._linked)

    def recall(self, memory: ReaderMemory) -> None:
        """Start from what an earlier run's read found (see `memory`)."""
        self._folders, self._folders_made_with, self._linked = memory.folders, memory.made_with, memory.linked

    def document(self, relative: str) -> Document | None:
        """A file of the last read, parsed, by its path relative to the site."""
        parsed = self.cache.files.files.get(relative)
        return parsed.document if parsed is not None else None


class _SiteRead:
    """One read of a site: the stories, speakers and pages, and the tags they register."""

    def __init__(
        self, sources: SourceReader, known: dict[str, CheckedEntry], config: Config,
        diagnostics: Diagnostics, drafts: bool, progress: Progress,
    ) -> None:
        self.sources = sources
        self.progress = progress
        self.known = known
        self.config = config
        self.diagnostics = diagnostics
        self.drafts = drafts
        self.checked: dict[str, CheckedEntry] = {}
        """The entries of this read, for the next one."""
        self.entries_read = 0
        self.tags: dict[str, Tag] = {}
        self.unlisted = Unlisted()
        self.replayable: dict[str, FolderRead] = {}
        """Story folders known unchanged since the last read, by name, with what it found."""
        self.folders: dict[str, FolderRead] = {}
        """What this read found in each story folder, for the next."""
        self.speakers_replayable: SpeakersRead | None = None
        """The last read of the speakers folder, when none of its files changed since."""
        self.speakers_read: SpeakersRead | None = None
        """What this read found in the speakers folder, for the next."""
        self._tag_log: dict[str, str] | None = None
        self.last: Site | None = None
        """The last read's site, whose index of entries this read's is patched from."""
        self.linked = Linked()
        """The last read's linked entries, to hand back the same objects where nothing changed."""

    def run(self) -> Site:
        content = self.sources.root / CONTENT_DIR
        speakers = self.read_speakers_recorded(content / SPEAKERS_DIR)
        pages = self.read_pages(content / PAGES_DIR)
        stories: list[Story] = []
        raw_entries: dict[str, list[RawEntry]] = {}
        if content.is_dir():
            # Directory entries, not Paths: their types come with the listing (no stat per
            # folder), and an unchanged folder is replayed by its name alone.
            with os.scandir(content) as listing:
                folders = sorted(listing, key=lambda entry: entry.name)
            for done, folder in enumerate(folders):
                self.progress("reading", done, len(folders))
                result = self.read_folder(folder, pages)
                if result is not None:
                    stories.append(result[0])
                    raw_entries[result[0].slug] = result[1]
        else:
            self.diagnostics.error(
                CONTENT_DIR, 0, 0,
                "no content/ folder here; run `sitegen init DIR` to create a site, or "
                "pass --source with the folder that holds sitegen.toml and content/",
            )
        self.report_tag_clashes(stories, raw_entries)
        raw_entries, speakers = resolve_speakers(raw_entries, speakers, self.diagnostics, self.linked)
        entries = resolve_relations(raw_entries, self.unlisted, self.diagnostics, self.linked)
        stories = attach_entries(stories, entries, self.linked)
        return Site(
            config=self.config,
            stories=tuple(stories),
            speakers=MappingProxyType(speakers),
            tags=MappingProxyType(dict(sorted(self.tags.items()))),
            pages=tuple(sorted(pages, key=lambda p: (p.weight, p.slug))),
            drafts=self.drafts,
            entries=entry_index(tuple(stories), self.last),
        )

    def read_folder(self, folder: os.DirEntry[str], pages: list[Page]) -> tuple[Story, list[RawEntry]] | None:
        """A story folder of content/, or the reason the file or folder is not one."""
        name = folder.name
        if name.startswith((".", "_")):
            return None
        if folder.is_symlink() and (reason := escape_reason(self.sources.root, Path(folder.path))):
            self.diagnostics.error(self.sources.rel(Path(folder.path)), 0, 0, reason)
            return None
        if folder.is_file():
            if is_content_file(name):
                self.diagnostics.warning(
                    self.sources.rel(Path(folder.path)), 1, 1,
                    "this file is not inside a story folder and is not published; "
                    "move it to content/<story-slug>/",
                )
            return None
        kept = self.replayable.get(name)
        if kept is not None:
            return self.replay(name, kept)
        return self.read_recorded(Path(folder.path), pages)

    def read_recorded(self, folder: Path, pages: list[Page]) -> tuple[Story, list[RawEntry]] | None:
        """Read a story folder, recording what it found for a later read to replay."""
        record = FolderRead()

        def read() -> tuple[Story, list[RawEntry]] | None:
            unlisted, checked = self.unlisted, self.checked
            self.unlisted, self.checked, self._tag_log = record.unlisted, record.checked, record.tags
            try:
                return self.read_story(folder, pages)
            finally:
                self._tag_log = None
                self.unlisted, self.checked = unlisted, checked
                self._merge(record)

        record.result, record.diagnostics, complete = self._tracked(record.files, read)
        if complete:
            self.folders[folder.name] = record
        return record.result

    def _tracked(self, files: FileCache, read: Callable[[], T]) -> tuple[T, tuple[Diagnostic, ...], bool]:
        """Run a read of one folder with every source file it loads noted in `files`, for a later
        read to replay; return its result, the problems it reported and whether it is complete
        (a timed-out conversion is tried again, so a read with one is not replayed)."""
        diagnostics_before, timeouts_before = len(self.diagnostics.items), self.sources.timeouts
        self.sources.tracks = files
        try:
            result = read()
        finally:
            self.sources.tracks = None
            for parsed in files.files.values():
                loosen_meta(parsed.document)
        complete = self.sources.timeouts == timeouts_before
        return result, tuple(self.diagnostics.items[diagnostics_before:]), complete

    def replay(self, name: str, record: FolderRead) -> tuple[Story, list[RawEntry]] | None:
        """What reading an unchanged story folder again would find, from the last read."""
        self.diagnostics.items.extend(record.diagnostics)
        tags = self.tags
        for slug, tag_name in record.tags.items():
            if slug not in tags:
                tags[slug] = Tag(slug, tag_name)
        self.sources.carry(record.files)
        self._merge(record)
        self.folders[name] = record
        return record.result

    def _merge(self, record: FolderRead) -> None:
        self.checked.update(record.checked)
        self.unlisted.drafts |= record.unlisted.drafts
        self.unlisted.draft_stories |= record.unlisted.draft_stories
        self.unlisted.unusable |= record.unlisted.unusable

    def add_tags(self, names: tuple[str, ...], path: str, line: int) -> tuple[str, ...]:
        """Register tags site-wide (the first spelling names the tag) and return their slugs."""
        slugs: list[str] = []
        for name in names:
            slug = tag_slug(name)
            if not slug:
                self.diagnostics.error(path, line, 1, f"tag `{name}` has no letters or digits")
                continue
            self.tags.setdefault(slug, Tag(slug, name))
            if self._tag_log is not None:
                self._tag_log.setdefault(slug, name)
            if slug not in slugs:
                slugs.append(slug)
        return tuple(slugs)

    def report_tag_clashes(self, stories: list[Story], raw_entries: dict[str, list[RawEntry]]) -> None:
        """Report, where it is written, each tag whose page would be another's on a disk that
        ignores case (macOS, Windows, most web hosts' uploads): `STRASSE` and `straße` are two
        tags, `tags/strasse/` and `tags/straße/`, but one folder there. The tag first read keeps
        its page; every other place that writes it another way is told the spelling to use."""
        first: dict[str, str] = {}
        clashing: dict[str, str] = {}
        for slug in self.tags:
            kept = first.setdefault(slug.casefold(), slug)
            if kept != slug:
                clashing[slug] = kept
        if not clashing:
            return
        places: list[tuple[str, int, str]] = []
        for story in stories:
            document = self.sources.document(story.path)
            line = line_of_meta(document, "tags") if document is not None else 1
            places += [(story.path, line, slug) for slug in story.tags if slug in clashing]
        for entries in raw_entries.values():
            for raw in entries:
                places += [(raw.entry.path, raw.tags_line, slug)
                           for slug in raw.entry.tags if slug in clashing]
        for path, line, slug in sorted(places):
            tag = self.tags[clashing[slug]]
            self.diagnostics.error(
                path, line, 1,
                f"tag `{self.tags[slug].name}` (tags/{slug}/) and tag `{tag.name}` (tags/{tag.slug}/) "
                "differ only in case: on a disk that ignores case (macOS, Windows) their pages "
                f"are one folder; write `{tag.name}` here",
            )

    # -- speakers and pages ------------------------------------------------

    def read_speakers_recorded(self, folder: Path) -> dict[str, Speaker]:
        """The speakers, replayed from the last read when their folder is unchanged since."""
        record = self.speakers_replayable
        if record is not None:
            self.diagnostics.items.extend(record.diagnostics)
            self.sources.carry(record.files)
        else:
            record = SpeakersRead()
            record.speakers, record.diagnostics, complete = self._tracked(
                record.files, lambda: self.read_speakers(folder))
            if not complete:
                return record.speakers
        self.speakers_read = record
        return dict(record.speakers)  # linking adds the free-text speakers to its copy

    def read_speakers(self, folder: Path) -> dict[str, Speaker]:
        sources, diagnostics = self.sources, self.diagnostics
        speakers: dict[str, Speaker] = {}
        for path in sources.markdown_files(folder, diagnostics):
            speaker_id = path.stem
            if speaker_id in speakers:
                diagnostics.error(
                    sources.rel(path), 0, 0,
                    f"speaker id `{speaker_id}` is also {speakers[speaker_id].path}; rename one",
                )
                continue
            named = sources.check_slug(path, speaker_id, "speaker id (the file name)", diagnostics)
            source = sources.parse(path, diagnostics)
            values = sources.fields(source, SPEAKER_FIELDS, "a speaker", self.config.timezone, diagnostics)
            bio_html, _ = sources.body(source, diagnostics)
            if not named:
                continue  # read all the same, so its other problems are told in this run too
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
        sources, diagnostics = self.sources, self.diagnostics
        pages: list[Page] = []
        for path in sources.markdown_files(folder, diagnostics):
            slug = path.stem
            named = sources.check_slug(path, slug, "page slug (the file name)", diagnostics)
            if named and slug in RESERVED_SLUGS:
                diagnostics.error(
                    sources.rel(path), 0, 0,
                    f"`{slug}` is reserved for sitegen's own pages; rename the file",
                )
                named = False
            source = sources.parse(path, diagnostics)
            values = sources.fields(source, PAGE_FIELDS, "a page", self.config.timezone, diagnostics)
            if values.get("draft") and not self.drafts:
                continue
            body_html, summary = sources.body(source, diagnostics)
            if not named:
                continue  # read all the same, so its other problems are told in this run too
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

    def read_story(self, folder: Path, pages: list[Page]) -> tuple[Story, list[RawEntry]] | None:
        sources, diagnostics = self.sources, self.diagnostics
        slug = folder.name
        index = folder / STORY_INDEX
        if not sources.check_slug(folder, slug, "story folder name", diagnostics):
            return None
        if slug in RESERVED_SLUGS or any(p.slug == slug for p in pages):
            diagnostics.error(
                sources.rel(folder), 0, 0,
                f"story slug `{slug}` is reserved for another page of the site; "
                f"rename the folder (e.g. `{slug}-story`)",
            )
            return None
        if not index.is_file():
            diagnostics.error(
                sources.rel(folder), 0, 0,
                f"story folder has no {STORY_INDEX}; create it with `title:` and `summary:` "
                f"(`sitegen new story {slug}` writes one)",
            )
            return None
        source = sources.parse(index, diagnostics)
        zone, zone_name = self.story_zone(source)
        values = sources.fields(source, STORY_FIELDS, "a story", zone, diagnostics)
        if values.get("draft") and not self.drafts:
            self.unlisted.draft_stories.add(slug)
            return None
        background_html, _ = sources.body(source, diagnostics)
        story = Story(
            slug=slug,
            path=source.path,
            title=values.get("title", slug),
            summary=values.get("summary", ""),
            status=values.get("status", "developing"),
            tags=self.add_tags(values.get("tags", ()), source.path, line_of_meta(source, "tags")),
            timezone_name=zone_name,
            updated=values.get("updated"),
            corrections=values.get("corrections", ()),
            draft=values.get("draft", False),
            background_html=background_html,
            language=self.config.language,
            ignore=values.get("ignore", ()),
        )
        settings = EntrySettings(
            story=slug, zone_name=zone_name, language=self.config.language,
            rating_keys=tuple(r.key for r in self.config.ratings), drafts=self.drafts,
            unsafe_html=self.config.unsafe_html, markdown_seconds=self.config.markdown_seconds,
            max_file_bytes=self.config.max_file_bytes,
        )
        entries: list[RawEntry] = []
        seen: dict[str, int] = {}
        """Each id taken, by where its entry is in `entries`."""
        translations: list[tuple[Path, str, str]] = []
        for path in sources.markdown_files(folder, diagnostics):
            if path == index or path.name == STORY_INDEX:
                continue
            named = TRANSLATION_NAME.match(path.name)
            if named:
                translations.append((path, named["stem"], named["language"]))
                continue
            raw = self.read_entry(path, settings, zone)
            if raw is None:
                continue
            entry_id = raw.entry.id
            if entry_id in seen:
                taken = entries[seen[entry_id]]
                # This file is named by the id, so the other one's `id:` took it: that is the
                # one to change, and this entry keeps its id.
                took = path.stem == entry_id and PurePosixPath(taken.entry.path).stem != entry_id
                kept, dropped = (raw, taken) if took else (taken, raw)
                line, column = dropped.id_position
                diagnostics.error(
                    dropped.entry.path, line, column,
                    f"entry id `{entry_id}` is already used by {kept.entry.path}; "
                    "ids must be unique within a story: rename the file or set `id:`",
                )
                entries[seen[entry_id]] = kept
                continue
            seen[entry_id] = len(entries)
            entries.append(raw)
        if translations:
            reader = TranslationReader(sources, self.config, self.drafts, diagnostics)
            story, entries = reader.attach(story, entries, translations, zone)
        return story, entries

    def story_zone(self, source: Document) -> tuple[tzinfo, str]:
        """The time zone a story's dates are read in: its own `timezone:`, else the site's."""
        zone, zone_name = self.config.timezone, self.config.timezone_name
        if source.meta and isinstance(source.meta.value, dict) and "timezone" in source.meta.value:
            node = source.meta.value["timezone"]
            if isinstance(node.value, str):
                found = load_zone(node.value)
                if found is None:
                    self.diagnostics.error(source.path, node.line, node.column,
                                           unknown_zone_message(node.value))
                else:
                    zone, zone_name = found, node.value
        return zone, zone_name

    def read_entry(self, path: Path, settings: EntrySettings, zone: tzinfo) -> RawEntry | None:
        """Read one entry, or reuse the last read of the same bytes in the same settings."""
        relative = self.sources.rel(path)
        known = self.known.get(relative)
        checked = read_entry(self.sources, path, settings, zone, known)
        if checked is not known:
            self.entries_read += 1
        self.checked[relative] = checked
        read = checked.read
        self.diagnostics.items.extend(read.diagnostics)
        if read.raw is None:
            (self.unlisted.drafts if read.hidden_draft else self.unlisted.unusable).add(read.claims)
            return None
        # Tags are registered site-wide on every read, so the first spelling names the tag.
        raw = read.raw
        tags = self.add_tags(raw.tag_names, raw.entry.path, raw.tags_line)
        return raw if tags == raw.entry.tags else replace(raw, entry=replace(raw.entry, tags=tags))
