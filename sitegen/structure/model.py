"""The frozen types a site is made of once it has been read and checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo
from functools import cached_property
from types import MappingProxyType
from typing import Literal, NamedTuple

from sitegen.structure.dates import PartialDate, load_zone

Kind = Literal["event", "statement"]
RelationType = Literal["responds_to", "denies", "confirms", "corrects"]
RELATION_TYPES: tuple[RelationType, ...] = ("responds_to", "denies", "confirms", "corrects")


TONES = ("worst", "bad", "neutral", "good", "best")
"""The colours and shapes a rating badge can take, worst first."""


def tone_at(position: int, count: int) -> str:
    """The default tone of the rating at `position` (1 = worst) of a scale of `count`."""
    if count <= 1:
        return "neutral"
    return TONES[round((position - 1) * (len(TONES) - 1) / (count - 1))]


@dataclass(frozen=True)
class Rating:
    """One step of the publisher's rating scale."""

    key: str
    """What authors write in `rating:`."""
    label: str
    """What readers see, and ClaimReview's alternateName."""
    value: int
    """ClaimReview's ratingValue: the position in the scale (1 = worst) unless set."""
    description: str = ""
    """One plain-language sentence for the ratings key."""
    tone: str = "neutral"
    """Where the rating sits on the scale, worst to best (see `TONES`): its colour and shape,
    so any site's own scale is coloured, not only the built-in one's keys."""


@dataclass(frozen=True)
class Organization:
    """The publisher, the author of every ClaimReview."""

    name: str
    url: str
    logo: str = ""


@dataclass(frozen=True)
class SiteText:
    """The site's own words in one more language: `[translations.<lang>]` in sitegen.toml."""

    title: str = ""
    description: str = ""
    ratings: tuple[tuple[str, str, str], ...] = ()
    """(key, label, description) for each rating of the site's own scale it translates."""


@dataclass(frozen=True)
class Config:
    """sitegen.toml, with every default filled in."""

    title: str
    base_url: str
    """Absolute, ending in `/`; its path is where the site lives on the host."""
    language: str
    timezone_name: str
    timezone: tzinfo
    description: str
    organization: Organization
    ratings: tuple[Rating, ...]
    """Worst first."""
    unsafe_html: bool
    """Let authors' raw HTML through, cleaned of scripts."""
    digest: str
    """Hash of the config file, for knowing what a config change invalidates."""
    builtin_ratings: bool = False
    """The scale is sitegen's own, so each language shows it in its words."""
    max_file_bytes: int = 5_000_000
    """A content file larger than this is an error (`max_file_size_mb`): bounded work per file."""
    markdown_seconds: float = 10.0
    """How long one body's conversion may take (`markdown_time_limit`) before it is an error."""
    languages: tuple[str, ...] = ("en",)
    """Every language the site is built in, the default (`language`) first."""
    default_language_in_subfolder: bool = False
    """True: the default language lives under /<language>/ too, and the root lets readers choose."""
    checks: tuple[tuple[str, str], ...] = ()
    """`[checks]` of sitegen.toml: editorial rule id and the severity the site gives it."""
    texts: tuple[tuple[str, SiteText], ...] = ()
    """The site's title, description and rating scale in its other languages, by language."""

    def prefix(self, language: str) -> str:
        """Where a language's pages live below the site root: "" or `uk/`."""
        if language == self.languages[0] and not self.default_language_in_subfolder:
            return ""
        return f"{language}/"

    def story_zone(self, timezone_name: str) -> tzinfo:
        """The zone a story's dates without an offset are in: its own (`timezone:`), else the site's."""
        return load_zone(timezone_name or self.timezone_name) or self.timezone

    def rating(self, key: str) -> Rating | None:
        """Return the rating of that key, if the scale has one."""
        return next((r for r in self.ratings if r.key == key), None)


@dataclass(frozen=True)
class Citation:
    """Where a statement or event was reported."""

    url: str
    title: str = ""
    publisher: str = ""
    date: PartialDate | None = None
    archive: str = ""
    """An archived copy (Wayback Machine, archive.today), for when the page changes."""
    anonymous: bool = False
    """The source relies on people it does not name; readers are told so."""


@dataclass(frozen=True)
class Correction:
    """One line of a public corrections log."""

    date: PartialDate | None
    """None only when the author left it out: `correction-incomplete` reports it, and it is not shown."""
    note: str


class EntryRef(NamedTuple):
    """The address of an entry anywhere in the site.

    A named tuple, not a dataclass: reading and planning hash tens of thousands of them,
    and a tuple's hash and equality run in C.
    """

    story: str
    id: str

    def __str__(self) -> str:
        return f"{self.story}/{self.id}"


class Relation(NamedTuple):
    """A link from one entry to another, seen from one of its ends (a named tuple for the
    reason `EntryRef` is one: every read compares thousands of them)."""

    type: RelationType
    target: EntryRef
    incoming: bool = False
    """False on the entry that wrote it ("Denies"), True on the other end ("Denied by")."""


@dataclass(frozen=True)
class Speaker:
    """A person or organization who makes statements."""

    id: str
    """The slug in the speaker's URL."""
    name: str
    type: Literal["person", "organization"] = "person"
    role: str = ""
    affiliation: str = ""
    url: str = ""
    aliases: tuple[str, ...] = ()
    bio_html: str = ""
    path: str = ""
    """The registry file, or "" for a free-text speaker named only in entries."""
    ignore: tuple[str, ...] = ()
    """Editorial rule ids silenced for this file."""


@dataclass(frozen=True)
class EntryText:
    """An entry's words in another language; date, speaker, rating and relations are the original's."""

    language: str
    path: str
    """The translation's file, relative to the site folder."""
    title: str
    role: str = ""
    quote: str = ""
    verdict: str = ""
    display_date: str = ""
    """The author's wording of the date, in this language ("Середина листопада 2024")."""
    body_html: str = ""
    summary: str = ""
    digest: str = ""


@dataclass(frozen=True)
class StoryText:
    """A story's words in another language (`_index.<lang>.md`)."""

    language: str
    path: str
    title: str
    summary: str = ""
    background_html: str = ""


@dataclass(frozen=True)
class Entry:
    """One event or statement of a story."""

    story: str
    id: str
    path: str
    """Citation file relative to the site folder."""
    kind: Kind
    date: PartialDate
    title: str
    end_date: PartialDate | None = None
    approximate: bool = False
    display_date: str = ""
    """Shown instead of the formatted date and end date when set; `date` still orders the entry."""
    speaker: str | None = None
    """A speaker id (registry or derived from a free-text name)."""
    role: str = ""
    quote: str = ""
    quote_type: str = ""
    """`verbatim` (the exact words) or `paraphrase`; "" when the author has not said."""
    original_quote: str = ""
    original_language: str = ""
    rating: str | None = None
    verdict: str = ""
    reviewed: PartialDate | None = None
    sources: tuple[Citation, ...] = ()
    relations: tuple[Relation, ...] = ()
    """Both ends: the ones written here and the ones pointing here."""
    tags: tuple[str, ...] = ()
    """Tag slugs."""
    corrections: tuple[Correction, ...] = ()
    draft: bool = False
    body_html: str = ""
    summary: str = ""
    """Plain text of the body's first paragraph, for feeds and meta descriptions."""
    digest: str = ""
    """Hash of the source file's bytes."""
    language: str = ""
    """The language its words are in: the site's default, or a translation's."""
    translations: tuple[EntryText, ...] = ()
    """The entry in other languages (`<id>.<lang>.md` beside its file)."""
    ignore: tuple[str, ...] = ()
    """Editorial rule ids silenced for this file."""

    # Fields live in the instance's __dict__; the address is kept in a slot beside it. CPython
    # shares one table of keys among a class's instances while each has at most 29 of them:
    # an entry has 29 fields, so a 30th key in its __dict__ (a cached property) made each
    # entry's dict its own, 1.3 KB larger: 26 MB of a 10,000-entry build.
    __slots__ = ("__dict__", "_ref")

    @property
    def ref(self) -> EntryRef:
        """This entry's address; made once per entry (linking and views ask for it often)."""
        try:
            return self._ref  # type: ignore[attr-defined, no-any-return]
        except AttributeError:
            ref = EntryRef(self.story, self.id)
            object.__setattr__(self, "_ref", ref)
            return ref

    def __getstate__(self) -> dict[str, object]:
        """The fields only: the address is made again when asked for. (With a slot, the default
        state would be a pair that unpickling sets field by field, which a frozen class refuses.)"""
        return self.__dict__


@dataclass(frozen=True)
class Story:
    """One timeline: its background and its entries, oldest first."""

    slug: str
    path: str
    title: str
    summary: str
    status: Literal["developing", "settled"] = "developing"
    tags: tuple[str, ...] = ()
    timezone_name: str = ""
    updated: PartialDate | None = None
    """The last editorial update: as written, else the newest entry date."""
    corrections: tuple[Correction, ...] = ()
    draft: bool = False
    background_html: str = ""
    entries: tuple[Entry, ...] = ()
    language: str = ""
    """The language its words are in: the site's default, or a translation's."""
    translations: tuple[StoryText, ...] = ()
    ignore: tuple[str, ...] = ()
    """Editorial rule ids silenced for this file."""


@dataclass(frozen=True)
class Page:
    """A standalone page from content/_pages/ (about, methodology…)."""

    slug: str
    path: str
    title: str
    summary: str = ""
    weight: int = 0
    """Navigation order, lightest first."""
    body_html: str = ""
    draft: bool = False


@dataclass(frozen=True)
class Tag:
    """A tag as shown: its slug and the name first written for it."""

    slug: str
    name: str


@dataclass(frozen=True)
class Site:
    """Everything read from a site folder, checked and cross-linked."""

    config: Config
    stories: tuple[Story, ...]
    """Most recently updated first."""
    speakers: MappingProxyType[str, Speaker]
    tags: MappingProxyType[str, Tag]
    pages: tuple[Page, ...] = ()
    drafts: bool = False
    """Built with --drafts: the output must say it is a preview."""
    entries: MappingProxyType[EntryRef, Entry] = field(
        default_factory=lambda: MappingProxyType({})
    )
    static_pages: frozenset[str] = frozenset()
    """The files of `static/` published where a page of the site could be (`report.html`,
    `data.json`, and `docs/` for `docs/index.html`), below the site root: every language
    shares them, so a body's link to one is not moved into a language's folder."""

    @cached_property
    def _stories_by_slug(self) -> dict[str, Story]:
        return {s.slug: s for s in self.stories}

    def story(self, slug: str) -> Story | None:
        """Return the story with that slug."""
        return self._stories_by_slug.get(slug)


def entry_index(stories: tuple[Story, ...], last: Site | None = None) -> MappingProxyType[EntryRef, Entry]:
    """Every entry of these stories by its address, patched from `last`'s index where it can be.

    Made anew, the index of 10,000 entries costs 5-8 ms (each entry and its address is a
    trip to memory), and a rebuild made it twice for a one-entry edit (the read, `StableSite`). When the
    stories are `last`'s, each unchanged one the very same object and each changed one
    holding entries at the same addresses, the last index is copied and the changed
    stories' entries put in place. An index is for looking up: its order means nothing.
    """
    if last is not None and len(stories) == len(last.stories):
        patched: dict[EntryRef, Entry] | None = None
        for story in stories:
            old = last.story(story.slug)
            if story is old:
                continue
            if old is None or len(old.entries) != len(story.entries) or any(
                new.ref != was.ref for new, was in zip(story.entries, old.entries, strict=True)
            ):
                break
            if patched is None:
                patched = last.entries.copy()
            patched.update((entry.ref, entry) for entry in story.entries)
        else:
            return last.entries if patched is None else MappingProxyType(patched)
    return MappingProxyType({entry.ref: entry for story in stories for entry in story.entries})
