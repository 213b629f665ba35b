"""The plan of the HTML site: which page is rendered with which template and view."""

from __future__ import annotations

from collections.abc import Iterator

from sitegen import urls
from sitegen.claimreview import claim_review
from sitegen.corrections import corrections_log, corrections_page
from sitegen.render import PageSpec
from sitegen.search import search_page
from sitegen.views import SiteViews


def html_pages(views: SiteViews) -> Iterator[PageSpec]:
    """Every HTML page SPEC.md lists, with the view each one shows."""
    site = views.site
    yield PageSpec(urls.home(), "index.html", {"stories": views.stories})
    for story in views.stories:
        entries = views.story_entries(story.slug)
        yield PageSpec(story.url, "story.html", {
            "story": story, "entries": entries, "timeline": views.timeline(story.slug),
        })
        yield PageSpec(urls.embed(story.slug), "embed.html", {
            "story": story, "entries": entries, "timeline": views.timeline(story.slug), "embed": True,
        })
        for index, entry in enumerate(entries):
            yield PageSpec(entry.url, "entry.html", {
                "story": story,
                "entry": entry,
                "previous": entries[index - 1] if index > 0 else None,
                "next": entries[index + 1] if index + 1 < len(entries) else None,
                "claimreview": claim_review(
                    entry, site.config, site.speakers.get(entry.speaker.id) if entry.speaker else None
                ),
            })
    yield PageSpec(urls.speakers(), "speakers.html", {"speakers": views.speakers})
    for speaker in views.speakers:
        yield PageSpec(speaker.url, "speaker.html", {
            "speaker": speaker.speaker,
            "statements": views.statements_by_speaker.get(speaker.speaker.id, ()),
        })
    yield PageSpec(urls.tags(), "tags.html", {"tags": views.tags})
    for tag in views.tags:
        stories, entries = views.tagged[tag.tag.slug]
        yield PageSpec(tag.url, "tag.html", {"tag": tag.tag, "stories": stories, "entries": entries})
    for page in site.pages:
        yield PageSpec(urls.page(page.slug), "page.html", {"page": page})
    yield PageSpec(corrections_page(), "corrections.html", {"corrections": corrections_log(views)})
    yield PageSpec(search_page(), "search.html", {})
    yield PageSpec("404.html", "404.html", {}, absolute_links=True)
