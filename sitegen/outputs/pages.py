"""The plan of the HTML site: which page is rendered with which template and view.

Each plan also says what kind of page it is, its title and when what it shows
last changed, for the sitemap, feeds and search to read.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from sitegen.outputs.changes import LastChanges, entry_last_change
from sitegen.outputs.claimreview import claim_review
from sitegen.outputs.corrections import corrections_log
from sitegen.rendering.render import PagePlan
from sitegen.rendering.views import SiteViews
from sitegen.structure import urls


def html_pages(views: SiteViews) -> Iterator[PagePlan]:
    """Every HTML page SPEC.md lists, with the view each one shows."""
    site = views.site
    last = LastChanges(views)
    reviews = views.carried("claimreview")
    yield PagePlan(urls.home(), "index.html", {"stories": views.stories}, kind="home",
                   title=site.config.title, lastmod=last.of_lists(views.stories, key="home"))
    for story in views.stories:
        entries = views.story_entries(story.slug)
        changed = last.story(story)
        timeline = views.timeline(story.slug)
        yield PagePlan(story.url, "story.html", {"story": story, "entries": entries, "timeline": timeline},
                       kind="story", title=story.title, lastmod=changed)
        yield PagePlan(urls.embed(story.slug), "embed.html", {
            "story": story, "entries": entries, "timeline": timeline, "embed": True,
        }, kind="embed", title=story.title, lastmod=changed, listed=False)
        for index, entry in enumerate(entries):
            yield PagePlan(entry.url, "entry.html", {
                "story": story,
                "entry": entry,
                "previous": views.summary(entries[index - 1]) if index > 0 else None,
                "next": views.summary(entries[index + 1]) if index + 1 < len(entries) else None,
                "claimreview": reviews.get(entry.ref, (entry, site.config, said_by := (
                    site.speakers.get(entry.speaker.id) if entry.speaker else None
                )), functools.partial(claim_review, entry, site.config, said_by)),
            }, kind="entry", title=entry.title, lastmod=entry_last_change(entry))
    yield PagePlan(urls.speakers(), "speakers.html", {"speakers": views.speakers}, kind="speakers")
    for speaker in views.speakers:
        statements = views.statements_by_speaker.get(speaker.speaker.id, ())
        yield PagePlan(speaker.url, "speaker.html", {
            "speaker": speaker.speaker, "statements": views.summaries(statements),
        }, kind="speaker", title=speaker.speaker.name,
            lastmod=last.of_lists(entries=statements, key=speaker.url))
    yield PagePlan(urls.tags(), "tags.html", {"tags": views.tags}, kind="tags")
    for tag in views.tags:
        stories, entries = views.tagged[tag.tag.slug]
        yield PagePlan(tag.url, "tag.html", {
            "tag": tag.tag, "stories": stories, "entries": views.summaries(entries),
        }, kind="tag", title=tag.tag.name, lastmod=last.of_lists(stories, entries, key=tag.url))
    for page in views.pages:
        yield PagePlan(page.url, "page.html", {"page": page}, kind="page", title=page.title)
    log = corrections_log(views)
    yield PagePlan(urls.corrections(), "corrections.html", {"corrections": log}, kind="corrections",
                   lastmod=log[0].date if log else None)
    yield PagePlan(urls.search(), "search.html", {}, kind="search", listed=False)
    yield PagePlan(urls.NOT_FOUND, "404.html", {}, kind="not-found", listed=False, absolute_links=True)
