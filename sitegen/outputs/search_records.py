"""What the search index holds, made from the build's own data: one small document per entry.

Pagefind used to read every built page; now each entry page's plan gives a
document of just what a reader searches: the words inside the entry page's
`data-pagefind-body` (title as the heading, when, speaker and role, quotes,
rating and verdict, body, tags, corrections), with the same filters (story,
kind, speaker, rating) and result metadata (rating, date). Sources and related
entries stay out, as they do on the page, and so do the page's headings and
labels ("Our rating", "Sources"), which every entry shares. The heading is an
`<h1>` so a word of the title counts as much as it did on the page.

Documents are plain data and cheap to make, so their hash tells whether the
index must be built again: an edit that changes no searchable word (a layout,
a stylesheet, a story's summary) reuses the last index.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass
from html import escape

from sitegen.outputs.plan import SitePlan
from sitegen.rendering.i18n import N_, Localizer
from sitegen.rendering.render import PagePlan
from sitegen.rendering.views import EntryView, StoryView

DateText = Callable[..., str]
"""`Localizer.date_text`, remembered: entries share dates, and formatting one costs."""

KIND_LABELS = {"event": N_("Event"), "statement": N_("Statement")}
"""The words the entry page's kind filter shows (partials/macros.html KIND_LABELS)."""


@dataclass(frozen=True)
class SearchRecord:
    """One page in the search index."""

    url: str
    """From the site root, with a leading slash (`/uk/story/entry/`): Pagefind's result URL."""
    language: str
    """The BCP 47 tag of the page; Pagefind keeps one index per language."""
    story: str
    """The slug of the entry's story: a story's records are indexed together (`search_shards`)."""
    html: str
    """The document Pagefind reads for it."""

    @functools.cached_property
    def digest(self) -> bytes:
        """Of all of the record: what `search_shards` hashes a shard's records by. Kept with the
        record, which is carried over from build to build while it is the same."""
        text = f"{self.url}\0{self.language}\0{self.html}\0"
        return hashlib.sha256(text.encode("utf-8", "replace")).digest()


def search_records(plan: SitePlan, stories: Container[str] | None = None) -> Iterator[SearchRecord]:
    """One record for each entry page of this language, in the order the pages are planned;
    with `stories`, only those of these stories (a shard's)."""
    language = plan.renderer.site_values.language
    localizer = plan.renderer.theme.localizer
    date_text = functools.lru_cache(maxsize=None)(localizer.date_text)
    # A group's records are carried over from the last build (or run) while its page plans are
    # the last build's tuple (`SitePlan.groups`), in the same language and words of the theme's
    # catalogue (the key, by value); inside a group made again, each entry's while its and its
    # story's views are the same. A one-entry edit makes one story's records again, and the
    # loop runs over the groups (one a story), not over every entry page.
    groups = plan.views.carried("search-records")
    entries = plan.views.carried("search-record")
    prefix = plan.renderer.prefix
    words = (language, localizer.tag, plan.renderer.theme.catalogue_digest)

    def entry_record(page: PagePlan) -> SearchRecord:
        entry: EntryView = page.context["entry"]
        story: StoryView = page.context["story"]
        return entries.get((prefix, page.url_path, words), (entry, story), functools.partial(
            record, "/" + prefix + page.url_path, language, entry, story, localizer, date_text))

    def group_records(group: tuple[PagePlan, ...]) -> tuple[SearchRecord, ...]:
        return tuple(entry_record(page) for page in group if page.kind == "entry")

    for group in plan.groups or tuple((page,) for page in plan.pages):
        if not group:
            continue
        key = (prefix, group[0].url_path, words)
        found = groups.get(key, (group,), functools.partial(group_records, group))
        if stories is None:
            yield from found
        else:
            yield from (each for each in found if each.story in stories)


def in_shard_order(records: Iterable[SearchRecord]) -> list[SearchRecord]:
    """Records in the order Pagefind is given them: by story slug, each story's in its timeline
    order. A shard's bundle depends on that order, and its fingerprint covers the stories by
    slug (`search_shards`): in the pages' order (the home page's, newest update first), a story
    moving up made another bundle under the same fingerprint, so a warm build kept the old one."""
    return sorted(records, key=lambda record: record.story)


def record(
    url: str, language: str, entry: EntryView, story: StoryView, localizer: Localizer, date_text: DateText,
) -> SearchRecord:
    return SearchRecord(url=url, language=language, story=story.slug,
                        html=entry_document(entry, story, language, localizer, date_text))


def entry_document(
    entry: EntryView, story: StoryView, language: str, localizer: Localizer,
    date_text: DateText,
) -> str:
    """The searchable words of an entry page, as a small HTML document with its filters."""
    kind = localizer.gettext(KIND_LABELS.get(entry.kind, entry.kind))
    filters = [("story", story.title), ("kind", kind)]
    meta: list[tuple[str, str]] = []
    if entry.speaker:
        filters.append(("speaker", entry.speaker.name))
    if entry.rating:
        filters.append(("rating", entry.rating.label))
        meta.append(("rating", entry.rating.label))
    meta.append(("date", date_text(entry.date, entry.approximate)))
    hidden = "".join(
        [f'<span data-pagefind-filter="{name}">{escape(value)}</span>' for name, value in filters]
        + [f'<span data-pagefind-meta="{name}">{escape(value)}</span>' for name, value in meta]
    )
    parts = [
        f'<!doctype html><html lang="{escape(language)}"><body>',
        f"<div hidden data-pagefind-ignore>{hidden}</div>",
        f"<p>{escape(kind)} {escape(when(entry, date_text))}</p>",
        f'<h1 id="entry-title">{escape(entry.title)}</h1>',
    ]
    if entry.speaker:
        role = f", {escape(entry.role)}" if entry.role else ""
        parts.append(f"<p>{escape(entry.speaker.name)}{role}</p>")
    for quote in (entry.quote, entry.original_quote):
        if quote:
            parts.append(f"<blockquote><p>{escape(quote)}</p></blockquote>")
    if entry.rating:
        parts.append(f"<p>{escape(entry.rating.label)}</p><p>{escape(entry.verdict)}</p>")
    parts.append(f"<div>{entry.body_html}</div>")  # already safe HTML: it is on the page as is
    if entry.tags:
        parts.append("<ul>" + "".join(f"<li>{escape(tag.name)}</li>" for tag in entry.tags) + "</ul>")
    if entry.corrections:
        parts.append("<ul>" + "".join(
            f"<li>{escape(date_text(c.date)) + ': ' if c.date else ''}{escape(c.note)}</li>"
            for c in entry.corrections
        ) + "</ul>")
    parts.append("</body></html>")
    return "".join(parts)


def when(entry: EntryView, date_text: DateText) -> str:
    """The entry's date as its page shows it (partials/macros.html entry_when)."""
    if entry.display_date:
        return entry.display_date
    text = date_text(entry.date, entry.approximate)
    return f"{text} – {date_text(entry.end_date, entry.approximate)}" if entry.end_date else text
