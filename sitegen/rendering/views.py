"""Read-only views that templates get, so the model can change under themes.

A view holds plain values and URL paths (below the site root); templates turn
paths into links with `url()`. No model type reaches a template: dates,
ratings, sources and corrections have their views here too, and lists come
in the order pages show them. Views are also what a page's fingerprint is
made of: a page is re-rendered only when its view or its templates change.
"""

from __future__ import annotations

import functools
import html
import itertools
import posixpath
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from datetime import date as calendar_date
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from sitegen.rendering.axis import Axis, AxisItem, layout_axis
from sitegen.rendering.memo import CarriedMemo
from sitegen.structure import urls
from sitegen.structure.dates import (
    PartialDate,
    Precision,
    format_offset_iso,
    format_offset_label,
)
from sitegen.structure.interning import shared
from sitegen.structure.model import (
    Citation,
    Correction,
    Entry,
    EntryRef,
    Page,
    Rating,
    Relation,
    RelationType,
    Site,
    Speaker,
    Story,
)

PrecisionName = Literal["year", "month", "day", "minute", "second"]
PRECISIONS: tuple[PrecisionName, ...] = ("year", "month", "day", "minute", "second")
"""Coarsest first; a date's `precision` is one of these names."""


@dataclass(frozen=True)
class DateView:
    """A date as precise as its author gave it, in plain values.

    Its words ("10 November 2024, 18:30 UTC+3") come from the theme's `format_date(d)`,
    in the page's language; `<time datetime>` takes `iso`.
    """

    iso: str
    """Machine-readable at the author's precision: `2024`, `2024-11`, `2024-11-10T18:30+03:00`."""
    precision: PrecisionName
    year: int
    month: int
    """1 when the author gave only a year (see `precision`); likewise day, hour…"""
    day: int
    hour: int
    minute: int
    second: int
    offset: str
    """The UTC offset as readers see it ("UTC+3"), or "" when no time was given."""
    offset_iso: str
    """The same as ISO 8601 writes it (`+03:00`, `Z`), or ""."""
    start: datetime
    """The instant it starts, in UTC: what dates are ordered by."""

    @property
    def has_time(self) -> bool:
        """Tell whether a time of day was given."""
        return self.precision in ("minute", "second")

    def sort_key(self) -> tuple[datetime, int]:
        """Order by starting instant, the coarser precision first."""
        return (self.start, PRECISIONS.index(self.precision))


def date_view(d: PartialDate) -> DateView:
    """The view of a model date."""
    return DateView(
        iso=d.iso(),
        precision=PRECISIONS[int(d.precision) - 1],
        year=d.year, month=d.month, day=d.day, hour=d.hour, minute=d.minute, second=d.second,
        # The model has an offset only where there is a time.
        offset=format_offset_label(d.offset) if d.offset is not None else "",
        offset_iso=format_offset_iso(d.offset or timedelta(0)) if d.has_time else "",
        start=d.start,
    )


DateViews = Callable[[PartialDate], DateView]
"""Makes the view of a model date (`date_view`, or `SiteViews.date`, which makes each once)."""


@dataclass(frozen=True)
class RatingView:
    """One step of the site's rating scale, in the page's language."""

    key: str
    label: str
    description: str
    tone: str
    """`worst`, `bad`, `neutral`, `good` or `best`: the badge's colour and shape."""
    value: int
    """ClaimReview's ratingValue."""


def rating_view(rating: Rating) -> RatingView:
    return RatingView(rating.key, rating.label, rating.description, rating.tone, rating.value)


@dataclass(frozen=True)
class SourceView:
    """Where a statement or event was reported."""

    url: str
    title: str
    publisher: str
    date: DateView | None
    archive: str
    """An archived copy, or ""."""
    anonymous: bool
    """The source relies on people it does not name."""


def source_view(source: Citation, dates: DateViews = date_view) -> SourceView:
    return SourceView(source.url, source.title, source.publisher,
                      dates(source.date) if source.date is not None else None,
                      source.archive, source.anonymous)


@dataclass(frozen=True)
class CorrectionView:
    """One correction: when, and what changed."""

    date: DateView
    note: str


def corrections_view(
    corrections: Iterable[Correction], dates: DateViews = date_view,
) -> tuple[CorrectionView, ...]:
    """The dated corrections, newest first, as every page and feed lists them."""
    dated = [CorrectionView(dates(c.date), c.note) for c in corrections if c.date is not None]
    return tuple(sorted(dated, key=lambda c: c.date.start, reverse=True))


@dataclass(frozen=True)
class SpeakerLink:
    """A speaker as an entry shows it."""

    id: str
    name: str
    type: str
    url: str


@dataclass(frozen=True)
class RelativeTime:
    """How long after (or before) one entry another happened, for "Denied by …, the next day"."""

    unit: Literal["day", "week", "month", "year"]
    count: int
    """0 for "the same day"; never negative."""
    later: bool
    """True when the other entry came after this one."""


@dataclass(frozen=True)
class RelatedEntry:
    """The other end of a relation, as much as a link to it needs."""

    type: RelationType
    incoming: bool
    """True for "Denied by", False for "Denies"."""
    title: str
    url: str
    """The other entry's own page."""
    fragment: str
    """`#<anchor>`: the other entry on its story's timeline, where a link to it from the
    same story's timeline goes."""
    date: DateView
    speaker: str
    story_title: str
    same_story: bool
    when: RelativeTime | None = None
    """When the other end happened, seen from this entry."""
    language: str = ""
    untranslated: bool = False
    """Its title is the original's, in `language`, on a page in another (see `EntryView`)."""


@dataclass(frozen=True)
class TagLink:
    """A tag as pages show it, with the address of its page (templates never build routes)."""

    slug: str
    name: str
    url: str


@dataclass(frozen=True)
class SpeakerProfile:
    """What a speaker's page and the speakers list show of a speaker."""

    id: str
    name: str
    type: str
    """`person` or `organization`."""
    role: str
    affiliation: str
    url: str
    """Their own website, or ""."""
    bio_html: str


@dataclass(frozen=True)
class PageView:
    """A standalone page (about, methodology…)."""

    slug: str
    url: str
    title: str
    summary: str
    body_html: str


@dataclass(frozen=True)
class EntrySummary:
    """What a list of entries (a tag's page, a speaker's page, the pager of an entry's page) shows of each.

    Narrower than `EntryView` on purpose: a list's fingerprint is made of its views, so
    leaving out what a list does not show (relations, sources, body) means an edit of a
    related entry re-renders the pages that show it and no list that merely names this one.
    """

    story: str
    id: str
    url: str
    kind: str
    title: str
    date: DateView
    approximate: bool
    story_title: str
    story_url: str
    quote: str
    rating: RatingView | None
    verdict: str
    language: str
    untranslated: bool


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
    date: DateView
    end_date: DateView | None
    approximate: bool
    title: str
    speaker: SpeakerLink | None
    role: str
    quote: str
    quote_type: str
    """`verbatim`, `paraphrase` or ""."""
    original_quote: str
    original_language: str
    rating: RatingView | None
    verdict: str
    reviewed: DateView | None
    sources: tuple[SourceView, ...]
    relations: tuple[RelatedEntry, ...]
    """Oldest first."""
    tags: tuple[TagLink, ...]
    corrections: tuple[CorrectionView, ...]
    """Newest first."""
    body_html: str
    summary: str
    path: str
    timeline_body_html: str = ""
    """The body as the timeline shows it: headings below the entry's h3, ids made unique."""
    collapsible: bool = False
    """Long enough that the timeline shows its first paragraph until the reader asks for more."""
    language: str = ""
    """The language its words are in."""
    untranslated: bool = False
    """Shown in its original language because it has no translation into the page's."""
    display_date: str = ""
    """The author's wording of the date ("Spring 1945"), shown instead of the formatted dates."""

    @cached_property
    def ref(self) -> EntryRef:
        """The entry's address in the site."""
        return EntryRef(self.story, self.id)

    @cached_property
    def last_change(self) -> DateView:
        """The newest of its dates: its own, its review's and its corrections'.

        Worked out once per view: feeds, the sitemap and every list page that shows the
        entry ask for it. Not a field, so it is in neither `repr` nor a fingerprint (it is
        made of fields that are).
        """
        reviewed = (self.reviewed,) if self.reviewed is not None else ()
        return max((self.date, *reviewed, *(c.date for c in self.corrections)), key=DateView.sort_key)


@dataclass(frozen=True)
class StoryView:
    """A story's header data and where it lives."""

    slug: str
    url: str
    title: str
    summary: str
    status: str
    tags: tuple[TagLink, ...]
    updated: DateView | None
    corrections: tuple[CorrectionView, ...]
    """Newest first."""
    background_html: str
    entry_count: int
    timezone: str
    language: str = ""
    """The language its title, summary and background are in."""
    untranslated: bool = False
    """Shown in its original language because it has no translation into the page's."""


@dataclass(frozen=True)
class SpeakerView:
    """A speaker and how many statements they made."""

    speaker: SpeakerProfile
    url: str
    statement_count: int


@dataclass(frozen=True)
class TagView:
    """A tag and how many stories and entries carry it."""

    tag: TagLink
    count: int

    @property
    def url(self) -> str:
        """The tag's page, as its link gives it."""
        return self.tag.url


@dataclass(frozen=True)
class NavLink:
    """A standalone page in the navigation."""

    slug: str
    title: str
    url: str


@dataclass(frozen=True)
class FilterOption:
    """One choice of a timeline filter."""

    value: str
    label: str
    count: int


@dataclass(frozen=True)
class TimelineView:
    """What the timeline page adds to a story: its overview axes and its filters."""

    axis_wide: Axis
    """Laid out for a wide column (`WIDE_AXIS` units, drawn 1:1)."""
    axis_narrow: Axis
    """Laid out for a 360 px phone, shown instead below the wide column's width."""
    kinds: tuple[FilterOption, ...]
    speakers: tuple[FilterOption, ...]
    ratings: tuple[FilterOption, ...]
    """In scale order; value `none` for entries without a rating."""


WIDE_AXIS = 704
"""The main column's width in CSS px (46rem less its padding), so marks keep 24 px spacing."""
NARROW_AXIS = 328
"""A 360 px phone's column."""
TIMELINE_HEADING_LEVEL = 4
"""Entries are h3 under the "Timeline" h2, so their body headings start at h4."""
PAGE_HEADING_LEVEL = 2
"""An entry's, a page's or a speaker's body sits under the page's h1."""
BACKGROUND_HEADING_LEVEL = 3
"""A story's background sits under its "Background" h2."""
COLLAPSE_MIN_CHARS = 700
"""Bodies longer than this (in text) start collapsed to their first paragraph when JS runs."""

HEADING_TAG = re.compile(r"<(/?)h([1-6])\b")
ID_ATTRIBUTE = re.compile(r'\bid="([^"]+)"')
FRAGMENT_LINK = re.compile(r'\bhref="#([^"]+)"')
URL_ATTRIBUTE = re.compile(r'\b(href|src|poster)="([^"]*)"')
SRCSET_ATTRIBUTE = re.compile(r'\bsrcset="([^"]*)"')
TAG = re.compile(r"<[^>]+>")


PAGE_SUFFIXES = frozenset({"", ".html", ".xml", ".json"})
"""What a link to one of the site's own outputs ends with: a folder (a page), a page, a feed or a
timeline's JSON; each language has its own. Anything else (`chart.svg`, `report.pdf`) is a
static file, which every language shares at the site root."""


def is_shared_file(path: str, static_pages: Collection[str] = frozenset()) -> bool:
    """Tell whether a path below the site root names a file every language shares: a static
    file, or one of the site's shared folders. `static_pages`: the static files named like a
    page (see `Site.static_pages`)."""
    if path.startswith(urls.SHARED_FOLDERS) or path in static_pages:
        return True
    return posixpath.splitext(path.rsplit("/", 1)[-1])[1].lower() not in PAGE_SUFFIXES


def rebase_links(body_html: str, written_for: str, shown_on: str, language_folder: str = "",
                 static_pages: Collection[str] = frozenset()) -> str:
    """Keep a body's relative links pointing where the author meant when shown elsewhere.

    Authors write relative links as seen from the body's own page (`story/entry/`) in the
    site's first language. The timeline shows the same HTML one folder up, where `../first/`
    would leave the story; and a language's pages live in its folder (`uk/story/entry/`),
    where links to pages stay in that language but a static file (`../../images/map.png`) is
    at the site root, not in `uk/`, and so is a page of `static/` (`static_pages`).
    """
    if written_for == shown_on and not language_folder:
        return body_html

    def rebased(url: str) -> str:
        if not url or url.startswith(("#", "/")) or urlsplit(url).scheme:
            return url
        target = posixpath.normpath(posixpath.join("/" + written_for, url)).lstrip("/")
        if url.endswith("/") and not target.endswith("/"):
            target += "/"
        shared = language_folder and is_shared_file(urlsplit(target).path, static_pages)
        if not shared and written_for == shown_on:
            return url
        return urls.relative(language_folder + shown_on if shared else shown_on, target)

    return with_addresses(body_html, rebased)


def absolute_links(body_html: str, page_url: str) -> str:
    """A body as its page shows it, with every address made absolute against the page's: for
    copies read away from the site (a TimelineJS sheet), where `../../images/map.png` and
    `#fn:1` would lead nowhere."""

    def absolute(url: str) -> str:
        return url if not url or urlsplit(url).scheme else urljoin(page_url, url)

    return with_addresses(body_html, absolute)


def with_addresses(body_html: str, change: Callable[[str], str]) -> str:
    """A body with `change` applied to each address its tags hold (href, src, poster, and every
    candidate of a srcset), the attributes written again only where one changed."""

    def replace_url(match: re.Match[str]) -> str:
        url = html.unescape(match[2])
        moved = change(url)
        return match[0] if moved == url else f'{match[1]}="{html.escape(moved)}"'

    def replace_candidates(match: re.Match[str]) -> str:
        # `srcset="chart-2x.png 2x, chart.png 1x"`: each candidate's address, its descriptor kept.
        candidates = []
        for candidate in html.unescape(match[1]).split(","):
            address, _, descriptor = candidate.strip().partition(" ")
            candidates.append(f"{change(address)} {descriptor}".strip())
        return f'srcset="{html.escape(", ".join(candidates))}"'

    body_html = URL_ATTRIBUTE.sub(replace_url, body_html)
    return SRCSET_ATTRIBUTE.sub(replace_candidates, body_html) if "srcset=" in body_html else body_html


def fitted_headings(body_html: str, top: int) -> str:
    """A body's headings renumbered to fit under the page's own: the first at `top`, each
    after it one level below the heading it falls under, so none skips a level.

    Authors pick heading levels by size (`###` for a small one) or start with `##`; shown as
    they are, an h4 after the page's h1 breaks the outline that screen readers navigate by (and
    the HTML checker says so). A heading falls under the nearest one before it with a smaller
    Markdown level: `## A`, `#### B`, `### C` give A at `top`, B and C one below it.
    """
    if "<h" not in body_html:
        return body_html
    above: list[tuple[int, int]] = []  # the open sections: (the author's level, the level shown)
    shown = top

    def renumber(tag: re.Match[str]) -> str:
        nonlocal shown
        if tag[1]:  # a closing tag: headings do not nest, so it closes the last one opened
            return f"</h{shown}"
        level = int(tag[2])
        while above and above[-1][0] >= level:
            above.pop()
        shown = min(6, above[-1][1] + 1) if above else top
        above.append((level, shown))
        return f"<h{shown}"

    return HEADING_TAG.sub(renumber, body_html)


def shown_body(body_html: str, url: str, language_folder: str, top: int,
               static_pages: Collection[str] = frozenset()) -> str:
    """A body on its own page (`url`, in a language's folder): its links kept pointing where the
    author meant, its headings fitted under the page's, the first at `top`."""
    return fitted_headings(rebase_links(body_html, url, url, language_folder, static_pages), top)


def timeline_body(body_html: str, entry_anchor: str) -> str:
    """Fit a body into the timeline: its headings under the entry's, its ids prefixed with the entry's."""
    html = fitted_headings(body_html, TIMELINE_HEADING_LEVEL)
    # Footnote ids (fn:1) repeat from entry to entry; on one page they must not.
    ids = set(ID_ATTRIBUTE.findall(html))
    if not ids:
        return html
    prefix = f"{entry_anchor}--"
    html = ID_ATTRIBUTE.sub(lambda m: f'id="{prefix}{m[1]}"', html)
    return FRAGMENT_LINK.sub(
        lambda m: f'href="#{prefix}{m[1]}"' if m[1] in ids else m[0], html
    )


def is_long(body_html: str) -> bool:
    """Tell whether a body is worth collapsing: long, and more than one block."""
    text = TAG.sub("", body_html)
    return len(text) > COLLAPSE_MIN_CHARS and body_html.count("</p>") + body_html.count("</ul>") > 1


def relative_time(here: PartialDate, there: PartialDate) -> RelativeTime:
    """Say when `there` happened as seen from `here`, at the coarser of their precisions."""
    precision = min(here.precision, there.precision)
    if precision == Precision.YEAR:
        return _relative(there.year - here.year, "year")
    if precision == Precision.MONTH:
        months = (there.year - here.year) * 12 + there.month - here.month
        return _relative(months, "month") if abs(months) < 24 else _relative(round(months / 12), "year")
    days = (calendar_date(there.year, there.month, there.day)
            - calendar_date(here.year, here.month, here.day)).days
    if abs(days) < 14:
        return _relative(days, "day")
    if abs(days) < 60:
        return _relative(round(days / 7), "week")
    if abs(days) < 730:
        return _relative(round(days / 30.44), "month")
    return _relative(round(days / 365.25), "year")


@functools.lru_cache(maxsize=1024)
def _relative(count: int, unit: Literal["day", "week", "month", "year"]) -> RelativeTime:
    """One object for each distance: thousands of relations share a few dozen."""
    return RelativeTime(unit, abs(count), count > 0)


def axis_items(entries: Iterable[Entry], ratings: dict[str, RatingView]) -> tuple[AxisItem, ...]:
    """What the overview axis needs of each entry: it places model dates in time itself."""
    return tuple(
        AxisItem(anchor(e.id), e.date, e.end_date, e.kind, e.rating if e.rating in ratings else "")
        for e in entries
    )


def filter_options(
    entries: tuple[EntryView, ...], ratings: Iterable[RatingView]
) -> tuple[tuple[FilterOption, ...], tuple[FilterOption, ...], tuple[FilterOption, ...]]:
    """The kinds, speakers and ratings that occur on a timeline, each with its count."""
    kinds = tuple(
        FilterOption(kind, kind, sum(e.kind == kind for e in entries))
        for kind in ("event", "statement") if any(e.kind == kind for e in entries)
    )
    speakers: dict[str, FilterOption] = {}
    for e in entries:
        if e.speaker:
            old = speakers.get(e.speaker.id)
            speakers[e.speaker.id] = FilterOption(e.speaker.id, e.speaker.name, (old.count if old else 0) + 1)
    rated = [
        FilterOption(r.key, r.label, sum(1 for e in entries if e.rating and e.rating.key == r.key))
        for r in ratings
    ]
    unrated = sum(1 for e in entries if not e.rating)
    rating_options = [o for o in rated if o.count] + ([FilterOption("none", "", unrated)] if unrated else [])
    return (
        kinds,
        tuple(sorted(speakers.values(), key=lambda o: (o.label.casefold(), o.value))),
        tuple(rating_options),
    )


def anchor(entry_id: str) -> str:
    """The stable anchor of an entry on its story's timeline."""
    return entry_id


@dataclass(frozen=True)
class StoryReads:
    """What a story's entry views read beyond the story: by id, to look up again next build."""

    speakers: tuple[str, ...]
    """Its statements' speakers and those of the entries they relate to ("" for none)."""
    tags: tuple[str, ...]
    related: tuple[EntryRef, ...]
    related_stories: tuple[str, ...]


class SiteViews:
    """Build every view once per build, from one `Site`.

    Given the last build's views (`last`), a story's or an entry's view is that build's
    very object while everything it is made of is the same object as then (see
    `structure.stable` and `rendering.memo`): the preview's rebuild after one edit
    makes the views of that entry's story and of what shows it, not of 10,000 entries,
    and their digests are remembered with them.
    """

    def __init__(self, site: Site, last: SiteViews | None = None) -> None:
        self._start(site, {}, last._memos if last is not None else {})

    def _start(self, site: Site, memos: dict[str, CarriedMemo[Any, Any]],
               last_memos: dict[str, CarriedMemo[Any, Any]]) -> None:
        self.site = site
        self._dates: dict[int, tuple[PartialDate, DateView]] = {}
        self._memos = memos
        self._story_entries: dict[str, tuple[EntryView, ...]] = {}
        self._reads: dict[str, StoryReads] = {}
        self._last_memos = last_memos

    @cached_property
    def language_folder(self) -> str:
        """Where this language's pages live below the site root: "" or `uk/`."""
        return self.site.config.prefix(self.site.config.language)

    def carried(self, name: str) -> CarriedMemo[Any, Any]:
        """A memo of `name` that carries its results over from the last build's views.

        Every result must be a function of the inputs it is stored with (and of its key), and
        of nothing else; the memos are kept in the build cache for the next run too.
        """
        memo = self._memos.get(name)
        if memo is None:
            memo = self._memos[name] = CarriedMemo(self._last_memos.get(name))
        return memo

    def __getstate__(self) -> dict[str, object]:
        """What the next run carries over (see `build_state`): the site and the memos, not the
        views this build made for itself, which the memos hold where worth keeping."""
        return {"site": self.site, "memos": self._memos}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._start(state["site"], state["memos"], {})

    def date(self, d: PartialDate) -> DateView:
        """The view of a model date, made once per date object however many views show it
        (an entry's date is also on every relation pointing at it): one object means one
        digest of it per build (see `TemplateRenderer.digest`)."""
        found = self._dates.get(id(d))
        if found is not None and found[0] is d:
            return found[1]
        view = date_view(d)
        # Keeping the date alive keeps its id from being reused within this build.
        self._dates[id(d)] = (d, view)
        return view

    def optional_date(self, d: PartialDate | None) -> DateView | None:
        return self.date(d) if d is not None else None

    @cached_property
    def ratings(self) -> dict[str, RatingView]:
        """The site's scale in the page's language, worst first, by key."""
        return {r.key: rating_view(r) for r in self.site.config.ratings}

    @cached_property
    def stories(self) -> tuple[StoryView, ...]:
        memo = self.carried("story")
        config, tags = self.site.config, self.site.tags
        return tuple(
            memo.get(s.slug, (s, config, self.site.static_pages, *(tags[t] for t in s.tags)),
                     functools.partial(self._story, s))
            for s in self.site.stories
        )

    def _story(self, story: Story) -> StoryView:
        url = urls.story(story.slug)
        return StoryView(
            slug=story.slug,
            url=url,
            title=story.title,
            summary=story.summary,
            status=story.status,
            tags=tuple(self.tag_links[t] for t in story.tags),
            updated=self.optional_date(story.updated),
            corrections=corrections_view(story.corrections, self.date),
            background_html=shown_body(story.background_html, url, self.language_folder,
                                       BACKGROUND_HEADING_LEVEL, self.site.static_pages),
            entry_count=len(story.entries),
            timezone=story.timezone_name,
            language=story.language,
            untranslated=bool(story.language) and story.language != self.site.config.language,
        )

    @cached_property
    def story_by_slug(self) -> dict[str, StoryView]:
        return {s.slug: s for s in self.stories}

    @cached_property
    def entries(self) -> dict[EntryRef, EntryView]:
        return {
            entry.ref: view
            for story in self.site.stories
            for entry, view in zip(story.entries, self.story_entries(story.slug), strict=True)
        }

    def _entry_inputs(self, entry: Entry) -> tuple[object, ...]:
        """Every object `_entry` reads: the entry, its story's view, its speaker, its tags, and
        each related entry with its story's view and speaker (their titles and names show)."""
        site = self.site
        speakers, entries, stories = site.speakers, site.entries, self.story_by_slug
        inputs: list[object] = [entry, site.config, site.static_pages, stories[entry.story],
                                speakers.get(entry.speaker or "")]
        inputs.extend(site.tags[t] for t in entry.tags)
        for relation in entry.relations:
            other = entries[relation.target]
            inputs += (other, stories[other.story], speakers.get(other.speaker or ""))
        return tuple(inputs)

    def speaker_link(self, speaker_id: str | None) -> SpeakerLink | None:
        if speaker_id is None:
            return None
        speaker = self.site.speakers[speaker_id]
        return SpeakerLink(speaker.id, speaker.name, speaker.type, urls.speaker(speaker.id))

    def _relation(self, entry: Entry, relation: Relation) -> RelatedEntry:
        other = self.site.entries[relation.target]
        return RelatedEntry(
            type=relation.type,
            incoming=relation.incoming,
            title=other.title,
            url=urls.entry(other.story, other.id),
            fragment=shared("#" + anchor(other.id)),
            date=self.date(other.date),
            speaker=self.site.speakers[other.speaker].name if other.speaker else "",
            story_title=self.story_by_slug[other.story].title,
            same_story=other.story == entry.story,
            when=relative_time(entry.date, other.date),
            language=other.language,
            untranslated=bool(other.language) and other.language != self.site.config.language,
        )

    def _entry(self, entry: Entry) -> EntryView:
        story = self.story_by_slug[entry.story]
        url = urls.entry(entry.story, entry.id)
        relations = sorted((self._relation(entry, r) for r in entry.relations), key=lambda r: r.date.start)
        return EntryView(
            story=entry.story,
            story_title=story.title,
            story_url=story.url,
            id=entry.id,
            anchor=anchor(entry.id),
            url=url,
            kind=entry.kind,
            date=self.date(entry.date),
            end_date=self.optional_date(entry.end_date),
            approximate=entry.approximate,
            display_date=entry.display_date,
            title=entry.title,
            speaker=self.speaker_link(entry.speaker),
            role=entry.role,
            quote=entry.quote,
            quote_type=entry.quote_type,
            # The speaker's own words beside a translation; not twice where the quote is them.
            original_quote=(
                "" if entry.original_quote.strip() == entry.quote.strip() else entry.original_quote
            ),
            original_language=entry.original_language,
            rating=self.ratings.get(entry.rating) if entry.rating else None,
            verdict=entry.verdict,
            reviewed=self.optional_date(entry.reviewed),
            sources=tuple(source_view(s, self.date) for s in entry.sources),
            relations=tuple(relations),
            tags=tuple(self.tag_links[t] for t in entry.tags),
            corrections=corrections_view(entry.corrections, self.date),
            body_html=shown_body(entry.body_html, url, self.language_folder, PAGE_HEADING_LEVEL,
                                 self.site.static_pages),
            summary=entry.summary,
            path=entry.path,
            timeline_body_html=timeline_body(
                rebase_links(entry.body_html, url, story.url, self.language_folder, self.site.static_pages),
                anchor(entry.id),
            ),
            collapsible=is_long(entry.body_html),
            language=entry.language,
            untranslated=bool(entry.language) and entry.language != self.site.config.language,
        )

    def story_entries(self, slug: str) -> tuple[EntryView, ...]:
        """A story's entry views in timeline order, made once per build (pages ask many times).

        Carried over as one tuple while the story, its view and everything beyond the story its
        entries show (`StoryReads`) are the same objects, so an unchanged story costs a few
        look-ups, not one per entry; a changed one makes only its changed entries' views again.
        Kept on the instance, not in a `functools.cache` of the method, which would keep every
        build's views (and site) alive for as long as the preview runs.
        """
        found = self._story_entries.get(slug)
        if found is None:
            story = self.site.story(slug)
            assert story is not None
            reads, found = self.carried("story-entries").get_found(
                slug, functools.partial(self._story_reads, story),
                functools.partial(self._story_entry_views, story))
            self._story_entries[slug], self._reads[slug] = found, reads
        return found

    def embed_entries(self, slug: str) -> tuple[EntryView, ...]:
        """A story's entry views as its embed shows them, one folder below the story page.

        A body's relative links are written for the timeline (`../other-entry/`, `chart.svg`
        beside the entry): shown from `story/embed/` as they are, each would miss by a folder.
        An entry whose body has none is the timeline's very view.
        """
        entries = self.story_entries(slug)
        story = self.story_by_slug[slug]
        return self.carried("embed-entries").get(  # type: ignore[no-any-return]
            slug, (entries, story), functools.partial(self._embed_entry_views, entries, story))

    def _embed_entry_views(self, entries: tuple[EntryView, ...], story: StoryView) -> tuple[EntryView, ...]:
        timeline_page = self.language_folder + story.url
        embed_page = self.language_folder + urls.embed(story.slug)

        def shown_in_embed(entry: EntryView) -> EntryView:
            body = rebase_links(entry.timeline_body_html, timeline_page, embed_page)
            return entry if body == entry.timeline_body_html else replace(entry, timeline_body_html=body)

        return tuple(map(shown_in_embed, entries))

    def story_speakers(self, slug: str) -> tuple[Speaker | None, ...]:
        """The speakers a story's entry views show (theirs and their related entries')."""
        self.story_entries(slug)
        return tuple(map(self.site.speakers.get, self._reads[slug].speakers))

    def _story_reads(self, story: Story, reads: StoryReads) -> tuple[object, ...]:
        site = self.site
        return (story, site.config, site.static_pages, self.story_by_slug[story.slug],
                *map(site.speakers.get, reads.speakers), *map(site.tags.get, reads.tags),
                *map(site.entries.get, reads.related), *map(self.story_by_slug.get, reads.related_stories))

    def _story_entry_views(self, story: Story) -> tuple[StoryReads, tuple[EntryView, ...]]:
        """The views of a story's entries, each carried over while its own inputs are the same."""
        memo = self.carried("entry")
        views = tuple(memo.get(e.ref, self._entry_inputs(e), functools.partial(self._entry, e))
                      for e in story.entries)
        entries = self.site.entries
        related = tuple(dict.fromkeys(r.target for e in story.entries for r in e.relations))
        speakers = [e.speaker or "" for e in story.entries]
        speakers += (entries[ref].speaker or "" for ref in related)
        return StoryReads(
            speakers=tuple(dict.fromkeys(speakers)),
            tags=tuple(dict.fromkeys(t for e in story.entries for t in e.tags)),
            related=related,
            related_stories=tuple(dict.fromkeys(ref.story for ref in related)),
        ), views

    def timeline(self, slug: str) -> TimelineView:
        """The overview axes and filter choices of a story's timeline page."""
        story = self.site.story(slug)
        assert story is not None
        entries = self.story_entries(slug)
        return self.carried("timeline").get(
            slug, (story, self.site.config, *entries), functools.partial(self._timeline, story, entries))

    def _timeline(self, story: Story, entries: tuple[EntryView, ...]) -> TimelineView:
        zone = self.site.config.story_zone(story.timezone_name)
        items = axis_items(story.entries, self.ratings)
        kinds, speakers, ratings = filter_options(entries, self.ratings.values())
        return TimelineView(
            axis_wide=layout_axis(items, WIDE_AXIS, zone),
            axis_narrow=layout_axis(items, NARROW_AXIS, zone),
            kinds=kinds,
            speakers=speakers,
            ratings=ratings,
        )

    @cached_property
    def statements_by_speaker(self) -> dict[str, tuple[EntryView, ...]]:
        """Each speaker's statements in time order, across stories.

        Made from each story's statements by speaker, carried over while its entry views are
        the same tuple, so a rebuild loops over stories, not entries; a speaker's tuple is the
        last build's while every story's share of it is."""
        found: dict[str, list[tuple[EntryView, ...]]] = defaultdict(list)
        story_shares = self.carried("story-statements")
        for story in self.site.stories:
            entries = self.story_entries(story.slug)
            for speaker, statements in story_shares.get(story.slug, (entries,), functools.partial(
                    shares, entries, speaker_keys)):
                found[speaker].append(statements)
        memo = self.carried("speaker-statements")
        return {
            speaker: memo.get(speaker, tuple(parts), functools.partial(in_time_order, parts))
            for speaker, parts in found.items()
        }

    @cached_property
    def speakers(self) -> tuple[SpeakerView, ...]:
        memo = self.carried("speaker")
        views = [
            memo.get(s.id, (s, self.site.config, self.site.static_pages,
                            count := len(self.statements_by_speaker.get(s.id, ()))),
                     functools.partial(speaker_view, s, count, self.language_folder, self.site.static_pages))
            for s in self.site.speakers.values()
        ]
        return tuple(sorted(views, key=lambda v: (v.speaker.name.casefold(), v.speaker.id)))

    @cached_property
    def tagged(self) -> dict[str, tuple[tuple[StoryView, ...], tuple[EntryView, ...]]]:
        """Each tag's stories and entries, in the site's order (stories, then each timeline).

        Made from each story's entries by tag, carried over while its view and entry views
        are the same, so a rebuild loops over stories, not entries; a tag's tuples are the
        last build's while every story's share of them is."""
        stories: dict[str, list[StoryView]] = defaultdict(list)
        entries: dict[str, list[tuple[EntryView, ...]]] = defaultdict(list)
        story_shares = self.carried("story-tagged")
        for story in self.site.stories:
            view = self.story_by_slug[story.slug]
            for link in view.tags:
                stories[link.slug].append(view)
            story_entries = self.story_entries(story.slug)
            for slug, tagged in story_shares.get(story.slug, (story_entries,), functools.partial(
                    shares, story_entries, tag_keys)):
                entries[slug].append(tagged)
        memo = self.carried("tagged")
        found: dict[str, tuple[tuple[StoryView, ...], tuple[EntryView, ...]]] = {}
        for slug in self.site.tags:
            tagged_stories, parts = tuple(stories.get(slug, ())), tuple(entries.get(slug, ()))
            # None marks where the tag's stories end and the stories' shares of its entries begin.
            found[slug] = memo.get(slug, (*tagged_stories, None, *parts),
                                   functools.partial(joined, tagged_stories, parts))
        return found

    @cached_property
    def tags(self) -> tuple[TagView, ...]:
        memo = self.carried("tag")
        counts = {slug: sum(len(found) for found in self.tagged[slug]) for slug in self.site.tags}
        return tuple(
            memo.get(slug, (link := self.tag_links[slug], counts[slug]),
                     functools.partial(TagView, link, counts[slug]))
            for slug in self.site.tags
        )

    @cached_property
    def tag_links(self) -> dict[str, TagLink]:
        memo = self.carried("tag-link")
        return {
            slug: memo.get(slug, (tag,), functools.partial(TagLink, slug, tag.name, urls.tag(slug)))
            for slug, tag in self.site.tags.items()
        }

    @cached_property
    def pages(self) -> tuple[PageView, ...]:
        return tuple(
            self._page(page) for page in self.site.pages
        )

    def _page(self, page: Page) -> PageView:
        url = urls.page(page.slug)
        body = shown_body(page.body_html, url, self.language_folder, PAGE_HEADING_LEVEL,
                          self.site.static_pages)
        return PageView(page.slug, url, page.title, page.summary, body)

    def summaries(self, entries: tuple[EntryView, ...], key: str = "") -> tuple[EntrySummary, ...]:
        """The list form of entries, one object per entry however many lists show it; `key` names
        the list, to hand back last build's tuple while it lists the same views."""
        if key:
            return self.carried("summaries").get(key, entries, functools.partial(self.summaries, entries))
        return tuple(self.summary(entry) for entry in entries)

    def summary(self, entry: EntryView) -> EntrySummary:
        """The list form of one entry (also the previous and next entry of an entry's page)."""
        return self.carried("summary").get(entry.ref, (entry,), functools.partial(entry_summary, entry))

    @cached_property
    def nav_pages(self) -> tuple[NavLink, ...]:
        return tuple(NavLink(p.slug, p.title, urls.page(p.slug)) for p in self.site.pages)


def shares(
    entries: tuple[EntryView, ...], keys: Callable[[EntryView], Iterable[str]],
) -> tuple[tuple[str, tuple[EntryView, ...]], ...]:
    """A story's entries under each key they have (speaker id, tag slug), in timeline order."""
    found: dict[str, list[EntryView]] = defaultdict(list)
    for entry in entries:
        for key in keys(entry):
            found[key].append(entry)
    return tuple((key, tuple(listed)) for key, listed in found.items())


def speaker_keys(entry: EntryView) -> tuple[str, ...]:
    return (entry.speaker.id,) if entry.speaker else ()


def tag_keys(entry: EntryView) -> Iterable[str]:
    return (link.slug for link in entry.tags)


def in_time_order(parts: list[tuple[EntryView, ...]]) -> tuple[EntryView, ...]:
    """One speaker's statements from every story, in time order (then by story and file)."""
    return tuple(sorted(itertools.chain.from_iterable(parts),
                        key=lambda e: (*e.date.sort_key(), e.story, e.path)))


def joined(
    stories: tuple[StoryView, ...], parts: tuple[tuple[EntryView, ...], ...],
) -> tuple[tuple[StoryView, ...], tuple[EntryView, ...]]:
    """A tag's stories, and its entries from every story's share, in the site's order."""
    return stories, tuple(itertools.chain.from_iterable(parts))


def entry_summary(entry: EntryView) -> EntrySummary:
    return EntrySummary(
        story=entry.story, id=entry.id, url=entry.url, kind=entry.kind, title=entry.title,
        date=entry.date, approximate=entry.approximate, story_title=entry.story_title,
        story_url=entry.story_url, quote=entry.quote, rating=entry.rating, verdict=entry.verdict,
        language=entry.language, untranslated=entry.untranslated,
    )


def speaker_view(speaker: Speaker, statements: int, language_folder: str = "",
                 static_pages: Collection[str] = frozenset()) -> SpeakerView:
    url = urls.speaker(speaker.id)
    return SpeakerView(speaker_profile(speaker, url, language_folder, static_pages), url, statements)


def speaker_profile(speaker: Speaker, url: str, language_folder: str,
                    static_pages: Collection[str] = frozenset()) -> SpeakerProfile:
    return SpeakerProfile(
        speaker.id, speaker.name, speaker.type, speaker.role, speaker.affiliation, speaker.url,
        shown_body(speaker.bio_html, url, language_folder, PAGE_HEADING_LEVEL, static_pages),
    )
