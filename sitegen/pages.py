"""The plan of the HTML site: which page is rendered with which template and view."""

from __future__ import annotations

from collections.abc import Iterator

from sitegen import urls
from sitegen.render import PageSpec
from sitegen.views import SiteViews


def html_pages(views: SiteViews) -> Iterator[PageSpec]:
    """Every HTML page SPEC.md lists, with the view each one shows."""
    site = views.site
    yield PageSpec(urls.home(), "index.html", {"stories": views.stories})
    for story in views.stories:
        entries = views.story_entries(story.slug)
        yield PageSpec(story.url, "story.html", {"story": story, "entries": entries})
        for index, entry in enumerate(entries):
            yield PageSpec(entry.url, "entry.html", {
                "story": story,
                "entry": entry,
                "previous": entries[index - 1] if index > 0 else None,
                "next": entries[index + 1] if index + 1 < len(entries) else None,
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
    yield PageSpec("404.html", "404.html", {}, absolute_links=True)
