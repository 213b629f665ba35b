"""Read-only views that templates get, so the model can change under themes.

A view holds plain values and URL paths (below the site root); templates turn
paths into links with `url()`. Views are also what a page's fingerprint is
made of: a page is re-rendered only when its view or its templates change.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from sitegen import urls
from sitegen.dates import PartialDate
from sitegen.model import (
    Correction,
    Entry,
    EntryRef,
    Page,
    Rating,
    RelationType,
    Site,
    Source,
    Speaker,
    Story,
    Tag,
)


@dataclass(frozen=True)
class SpeakerLink:
    """A speaker as an entry shows it."""

    id: str
    name: str
    type: str
    url: str


@dataclass(frozen=True)
class RelatedEntry:
    """The other end of a relation, as much as a link to it needs."""

    type: RelationType
    incoming: bool
    """True for "Denied by", False for "Denies"."""
    title: str
    url: str
    anchor: str
    """The entry's anchor on its story's timeline."""
    date: PartialDate
    speaker: str
    story_title: str
    same_story: bool


@dataclass(frozen=True)
class EntryView:
    """An entry with everything resolved that a template shows."""

    story: str
    story_title: str
    story_url: str
    id: str
    anchor: str
    url: str
    kind: str
    date: PartialDate
    end_date: PartialDate | None
    approximate: bool
    title: str
    speaker: SpeakerLink | None
    role: str
    quote: str
    original_quote: str
    original_language: str
    rating: Rating | None
    verdict: str
    reviewed: PartialDate | None
    sources: tuple[Source, ...]
    relations: tuple[RelatedEntry, ...]
    tags: tuple[Tag, ...]
    corrections: tuple[Correction, ...]
    body_html: str
    summary: str
    path: str


@dataclass(frozen=True)
class StoryView:
    """A story's header data and where it lives."""

    slug: str
    url: str
    title: str
    summary: str
    status: str
    tags: tuple[Tag, ...]
    updated: PartialDate | None
    corrections: tuple[Correction, ...]
    background_html: str
    entry_count: int
    timezone: str


@dataclass(frozen=True)
class SpeakerView:
    """A speaker and how many statements they made."""

    speaker: Speaker
    url: str
    statement_count: int


@dataclass(frozen=True)
class TagView:
    """A tag and how many stories and entries carry it."""

    tag: Tag
    url: str
    count: int


@dataclass(frozen=True)
class PageLink:
    """A standalone page in the navigation."""

    slug: str
    title: str
    url: str


def anchor(entry_id: str) -> str:
    """The stable anchor of an entry on its story's timeline."""
    return entry_id


class SiteViews:
    """Build every view once per build, from one `Site`."""

    def __init__(self, site: Site) -> None:
        self.site = site

    @cached_property
    def stories(self) -> tuple[StoryView, ...]:
        return tuple(self._story(s) for s in self.site.stories)

    def _story(self, story: Story) -> StoryView:
        return StoryView(
            slug=story.slug,
            url=urls.story(story.slug),
            title=story.title,
            summary=story.summary,
            status=story.status,
            tags=tuple(self.site.tags[t] for t in story.tags),
            updated=story.updated,
            corrections=story.corrections,
            background_html=story.background_html,
            entry_count=len(story.entries),
            timezone=story.timezone_name,
        )

    @cached_property
    def story_by_slug(self) -> dict[str, StoryView]:
        return {s.slug: s for s in self.stories}

    @cached_property
    def entries(self) -> dict[EntryRef, EntryView]:
        return {ref: self._entry(entry) for ref, entry in self.site.entries.items()}

    def speaker_link(self, speaker_id: str | None) -> SpeakerLink | None:
        if speaker_id is None:
            return None
        speaker = self.site.speakers[speaker_id]
        return SpeakerLink(speaker.id, speaker.name, speaker.type, urls.speaker(speaker.id))

    def _entry(self, entry: Entry) -> EntryView:
        story = self.story_by_slug[entry.story]
        relations = []
        for relation in entry.relations:
            other = self.site.entries[relation.target]
            other_speaker = self.site.speakers[other.speaker].name if other.speaker else ""
            relations.append(RelatedEntry(
                type=relation.type,
                incoming=relation.incoming,
                title=other.title,
                url=urls.entry(other.story, other.id),
                anchor=urls.story(other.story) + "#" + anchor(other.id),
                date=other.date,
                speaker=other_speaker,
                story_title=self.story_by_slug[other.story].title,
                same_story=other.story == entry.story,
            ))
        return EntryView(
            story=entry.story,
            story_title=story.title,
            story_url=story.url,
            id=entry.id,
            anchor=anchor(entry.id),
            url=urls.entry(entry.story, entry.id),
            kind=entry.kind,
            date=entry.date,
            end_date=entry.end_date,
            approximate=entry.approximate,
            title=entry.title,
            speaker=self.speaker_link(entry.speaker),
            role=entry.role,
            quote=entry.quote,
            original_quote=entry.original_quote,
            original_language=entry.original_language,
            rating=self.site.config.rating(entry.rating) if entry.rating else None,
            verdict=entry.verdict,
            reviewed=entry.reviewed,
            sources=entry.sources,
            relations=tuple(relations),
            tags=tuple(self.site.tags[t] for t in entry.tags),
            corrections=entry.corrections,
            body_html=entry.body_html,
            summary=entry.summary,
            path=entry.path,
        )

    def story_entries(self, slug: str) -> tuple[EntryView, ...]:
        story = self.site.story(slug)
        assert story is not None
        return tuple(self.entries[e.ref] for e in story.entries)

    @cached_property
    def statements_by_speaker(self) -> dict[str, tuple[EntryView, ...]]:
        found: dict[str, list[EntryView]] = defaultdict(list)
        for entry in self.site.entries.values():
            if entry.speaker:
                found[entry.speaker].append(self.entries[entry.ref])
        return {
            speaker: tuple(sorted(items, key=lambda e: (*e.date.sort_key(), e.story, e.path)))
            for speaker, items in found.items()
        }

    @cached_property
    def speakers(self) -> tuple[SpeakerView, ...]:
        views = [
            SpeakerView(s, urls.speaker(s.id), len(self.statements_by_speaker.get(s.id, ())))
            for s in self.site.speakers.values()
        ]
        return tuple(sorted(views, key=lambda v: (v.speaker.name.casefold(), v.speaker.id)))

    @cached_property
    def tagged(self) -> dict[str, tuple[tuple[StoryView, ...], tuple[EntryView, ...]]]:
        stories: dict[str, list[StoryView]] = defaultdict(list)
        entries: dict[str, list[EntryView]] = defaultdict(list)
        for story in self.site.stories:
            for slug in story.tags:
                stories[slug].append(self.story_by_slug[story.slug])
            for entry in story.entries:
                for slug in entry.tags:
                    entries[slug].append(self.entries[entry.ref])
        return {
            slug: (tuple(stories.get(slug, ())), tuple(entries.get(slug, ())))
            for slug in self.site.tags
        }

    @cached_property
    def tags(self) -> tuple[TagView, ...]:
        return tuple(
            TagView(tag, urls.tag(slug), len(self.tagged[slug][0]) + len(self.tagged[slug][1]))
            for slug, tag in self.site.tags.items()
        )

    @cached_property
    def nav_pages(self) -> tuple[PageLink, ...]:
        return tuple(PageLink(p.slug, p.title, urls.page(p.slug)) for p in self.site.pages)

    def page(self, page: Page) -> Page:
        return page
