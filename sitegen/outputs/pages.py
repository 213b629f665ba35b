"""The plan of the HTML site: which page is rendered with which template and view.

Each plan also says what kind of page it is, its title and when what it shows
last changed, for the sitemap, feeds and search to read.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from sitegen.outputs.changes import LastChanges, entry_last_change
from sitegen.outputs.claimreview import claim_review
from sitegen.outputs.corrections import corrections_log
from sitegen.rendering.render import PagePlan
from sitegen.rendering.views import EntryView, SiteViews, StoryView
from sitegen.structure import urls


def html_pages(views: SiteViews) -> Iterator[PagePlan]:
    """Every HTML page SPEC.md lists, with the view each one shows."""
    for group in html_page_groups(views):
        yield from group


def html_page_groups(views: SiteViews) -> Iterator[tuple[PagePlan, ...]]:
    """Every HTML page, in groups: each story's pages are one, the last build's very tuple while
    the story shows the same views (`rendering.carried_pages` keeps their artifacts by it)."""
    site = views.site
    last = LastChanges(views)
    yield (PagePlan(urls.home(), "index.html", {"stories": views.stories}, kind="home",
                   title=site.config.title, lastmod=last.of_lists(views.stories, key="home")),)
    for story in views.stories:
        yield story_page_group(views, last, story)
    yield (PagePlan(urls.speakers(), "speakers.html", {"speakers": views.speakers}, kind="speakers"),)
    speaker_pages = views.carried("speaker-page")
    for speaker in views.speakers:
        statements = views.summaries(views.statements_by_speaker.get(speaker.speaker.id, ()),
                                     key=speaker.url)
        lastmod = last.of_lists(entries=views.statements_by_speaker.get(speaker.speaker.id, ()),
                                key=speaker.url)
        yield speaker_pages.get(speaker.url, (speaker, statements, lastmod), functools.partial(
            _one_page, speaker.url, "speaker.html", {"speaker": speaker.speaker, "statements": statements},
            kind="speaker", title=speaker.speaker.name, lastmod=lastmod))
    yield (PagePlan(urls.tags(), "tags.html", {"tags": views.tags}, kind="tags"),)
    tag_pages = views.carried("tag-page")
    for tag in views.tags:
        stories, entries = views.tagged[tag.tag.slug]
        summaries = views.summaries(entries, key=tag.url)
        lastmod = last.of_lists(stories, entries, key=tag.url)
        yield tag_pages.get(tag.url, (tag, stories, summaries, lastmod), functools.partial(
            _one_page, tag.url, "tag.html", {"tag": tag.tag, "stories": stories, "entries": summaries},
            kind="tag", title=tag.tag.name, lastmod=lastmod))
    for page in views.pages:
        yield (PagePlan(page.url, "page.html", {"page": page}, kind="page", title=page.title),)
    log = corrections_log(views)
    yield (PagePlan(urls.corrections(), "corrections.html", {"corrections": log}, kind="corrections",
                    lastmod=log[0].date if log else None),)
    yield (PagePlan(urls.search(), "search.html", {}, kind="search", listed=False),)
    yield (PagePlan(urls.NOT_FOUND, "404.html", {}, kind="not-found", listed=False, absolute_links=True),)


def story_page_group(views: SiteViews, last: LastChanges, story: StoryView) -> tuple[PagePlan, ...]:
    """A story's timeline page, embed and entry pages: the last build's very tuple while the
    story shows the same views, and its statements' speakers are the same (each entry's
    ClaimReview names its speaker's details). Asked twice in a build, the same tuple."""
    entries = views.story_entries(story.slug)
    return views.carried("story-pages").get(  # type: ignore[no-any-return]
        story.slug, (story, views.site.config, views.timeline(story.slug), entries,
                     *views.story_speakers(story.slug)),
        functools.partial(_story_pages, views, last, story, entries),
    )


def _one_page(url_path: str, template: str, context: dict[str, Any], **plan: Any) -> tuple[PagePlan]:
    """A group of one page, carried over as one while what it shows is the same objects."""
    return (PagePlan(url_path, template, context, **plan),)


def _story_pages(
    views: SiteViews, last: LastChanges, story: StoryView, entries: tuple[EntryView, ...],
) -> tuple[PagePlan, ...]:
    """A story's timeline page, its embed and its entries' pages."""
    site = views.site
    changed = last.story(story)
    timeline = views.timeline(story.slug)
    pages = [
        PagePlan(story.url, "story.html", {"story": story, "entries": entries, "timeline": timeline},
                 kind="story", title=story.title, lastmod=changed),
        PagePlan(urls.embed(story.slug), "embed.html", {
            "story": story, "entries": views.embed_entries(story.slug), "timeline": timeline, "embed": True,
        }, kind="embed", title=story.title, lastmod=changed, listed=False),
    ]
    reviews = views.carried("claimreview")
    for index, entry in enumerate(entries):
        speaker = site.speakers.get(entry.speaker.id) if entry.speaker else None
        pages.append(PagePlan(entry.url, "entry.html", {
            "story": story,
            "entry": entry,
            "previous": views.summary(entries[index - 1]) if index > 0 else None,
            "next": views.summary(entries[index + 1]) if index + 1 < len(entries) else None,
            "claimreview": reviews.get(entry.ref, (entry, site.config, speaker),
                                       functools.partial(claim_review, entry, site.config, speaker)),
        }, kind="entry", title=entry.title, lastmod=entry_last_change(entry)))
    return tuple(pages)
