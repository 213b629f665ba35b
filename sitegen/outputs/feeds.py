"""Atom feeds: the whole site, each story, and the corrections log.

Feeds are rendered from the theme's `atom.xml`, so every word a reader sees
stays in the theme; this module decides what goes in them and their dates.
Every date comes from the content, so the same content gives the same bytes.
An entry's `updated` is its newest date (the entry's own, its review, its
newest correction), so a feed changes when an entry is added or corrected.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from sitegen.outputs.changes import entry_last_change, latest
from sitegen.outputs.corrections import CorrectionItem, corrections_log
from sitegen.outputs.plan import SitePlan
from sitegen.rendering.render import PagePlan
from sitegen.structure import urls
from sitegen.structure.characters import without_forbidden
from sitegen.writing.artifact import Artifact

if TYPE_CHECKING:
    from sitegen.rendering.render import TemplateRenderer
    from sitegen.rendering.views import DateView, EntryView, SiteViews, StoryView

SITE_FEED_SIZE = 100
"""The site feed holds the newest entries only; story feeds hold all of theirs."""
FEED_TEMPLATE = "atom.xml"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class FeedItem:
    """One `<entry>`: an entry of a story, or one correction."""

    id: str
    """Below the site root, made absolute by the template; never changes for the same item."""
    url: str
    published: str
    updated: str
    entry: EntryView | None = None
    correction: CorrectionItem | None = None
    body_html: str = ""
    """The entry's body as the feed shows it (see `feed_body`)."""


@dataclass(frozen=True)
class Feed:
    """What one feed file shows."""

    kind: Literal["site", "story", "corrections"]
    page: str
    """The HTML page this feed follows, below the site root."""
    updated: str
    items: tuple[FeedItem, ...]
    story: StoryView | None = None


def rfc3339(instant: datetime) -> str:
    """Atom's date format, in UTC."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def newest(dates: Iterable[DateView | None]) -> datetime:
    """The latest instant among the dates given."""
    found = latest(dates)
    return found.start if found else EPOCH


def entry_updated(entry: EntryView) -> datetime:
    """When an entry last changed, as far as its content says."""
    return entry_last_change(entry).start


def entry_item(entry: EntryView) -> FeedItem:
    return FeedItem(
        id=entry.url,
        url=entry.url,
        published=rfc3339(entry.date.start),
        updated=rfc3339(entry_updated(entry)),
        entry=entry,
        body_html=feed_body(entry.body_html),
    )


FRAME = re.compile(r"<iframe\b([^>]*)>.*?</iframe>", re.DOTALL | re.IGNORECASE)
FRAME_ATTRIBUTE = re.compile(r'\b(src|title)="([^"]*)"')


def feed_body(body_html: str) -> str:
    """A body with a link after each frame (an `unsafe_html` player): feed readers drop frames,
    and without the link a reader would not know a clip was there. The addresses are as the
    sanitiser wrote them, already escaped."""
    if "<iframe" not in body_html:
        return body_html

    def with_link(frame: re.Match[str]) -> str:
        found = dict(FRAME_ATTRIBUTE.findall(frame[1]))
        if not found.get("src"):
            return frame[0]
        # Inline, as the frame is: valid wherever the frame was, in a paragraph or not.
        return f'{frame[0]} <a href="{found["src"]}">{found.get("title") or found["src"]}</a>'

    return FRAME.sub(with_link, body_html)


def feed_order(entry: EntryView) -> tuple[datetime, datetime]:
    """Feeds list newest change first, then newest date; ties in the timeline's own order."""
    return entry_updated(entry), entry.date.start


def by_newest(entries: list[EntryView]) -> list[EntryView]:
    """Newest change first; ties in the timeline's own order."""
    return sorted(entries, key=feed_order, reverse=True)


def newest_first(views: SiteViews, story: StoryView) -> tuple[EntryView, ...]:
    """A story's entries in feed order, carried over while its entry views are the same tuple."""
    entries = views.story_entries(story.slug)
    return views.carried("newest-first").get(
        story.slug, (entries,), lambda: tuple(by_newest(list(entries))))


def story_feed_data(views: SiteViews, story: StoryView) -> Feed:
    entries = newest_first(views, story)
    updated = max(
        [entry_updated(e) for e in entries]
        + [newest([story.updated, *(c.date for c in story.corrections)])]
    )
    return Feed("story", story.url, rfc3339(updated), tuple(entry_item(e) for e in entries), story)


def site_feed_data(views: SiteViews) -> Feed:
    # The newest of each story's newest-first list, merged: what sorting every entry of the
    # site gives (`heapq.merge` takes ties from the earlier story first, as a stable sort
    # would), without sorting 10,000 entries on each rebuild.
    merged = heapq.merge(*(newest_first(views, s) for s in views.stories), key=feed_order, reverse=True)
    entries = list(itertools.islice(merged, SITE_FEED_SIZE))
    story_dates = [newest([s.updated, *(c.date for c in s.corrections)]) for s in views.stories]
    updated = max([entry_updated(e) for e in entries] + story_dates, default=EPOCH)
    return Feed("site", urls.home(), rfc3339(updated), tuple(entry_item(e) for e in entries))


def corrections_feed_data(log: tuple[CorrectionItem, ...], since: datetime = EPOCH) -> Feed:
    """The corrections log as a feed; with none yet, `updated` is `since`, when the site's
    story begins (a log with nothing in it said it was last changed in 1970)."""
    items = tuple(
        FeedItem(
            id=item.key,
            url=item.url,
            published=rfc3339(item.date.start),
            updated=rfc3339(item.date.start),
            correction=item,
        )
        for item in log
    )
    updated = items[0].updated if items else rfc3339(since)
    return Feed("corrections", urls.corrections(), updated, items)


def feed_specs(views: SiteViews) -> Iterator[PagePlan]:
    """Every feed of the site, as pages of the feed template."""
    yield PagePlan(urls.site_feed(), FEED_TEMPLATE, {"feed": site_feed_data(views)}, kind="feed")
    memo = views.carried("story-feed")
    for story in views.stories:
        feed = memo.get(story.slug, (story, *views.story_entries(story.slug)),
                        functools.partial(story_feed_data, views, story))
        yield PagePlan(urls.story_feed(story.slug), FEED_TEMPLATE, {"feed": feed}, kind="feed",
                       title=story.title)
    # Each story's entries are oldest first: the site's first date is the first of one of them.
    firsts = [entries[0].date.start for s in views.stories if (entries := views.story_entries(s.slug))]
    yield PagePlan(urls.corrections_feed(), FEED_TEMPLATE,
                   {"feed": corrections_feed_data(corrections_log(views), min(firsts, default=EPOCH))},
                   kind="feed")


def plan_feeds(plan: SitePlan) -> Iterator[Artifact]:
    """The Atom files; rendered only when their view or template changed."""
    renderer = plan.renderer
    for spec in feed_specs(plan.views):
        yield Artifact(
            path=spec.file,
            fingerprint=renderer.fingerprint(spec),
            produce=functools.partial(render_feed, renderer, spec),
            origin=f"the feed {spec.url_path}",
        )


def render_feed(renderer: TemplateRenderer, feed: PagePlan) -> bytes:
    return xml_text(renderer.render(feed)).encode("utf-8")


def xml_text(text: str) -> str:
    """Drop the characters that would make the XML ill-formed (XML 1.0 forbids them even as
    character references), should any reach a feed."""
    return without_forbidden(text)
