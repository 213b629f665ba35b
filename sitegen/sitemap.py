"""sitemap.xml (sitemaps.org 0.9) and robots.txt, for search engines.

Every URL is absolute under base_url; `lastmod` is the newest date the
content gives for what the page shows, so it moves only when content does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from sitegen import urls
from sitegen.claimreview import schema_date
from sitegen.dates import Precision
from sitegen.feeds import entry_last_change, latest
from sitegen.pages import html_pages
from sitegen.search import search_page
from sitegen.write import Artifact

if TYPE_CHECKING:
    from sitegen.corrections import CorrectionItem
    from sitegen.dates import PartialDate
    from sitegen.model import Site
    from sitegen.render import PageRenderer, PageSpec
    from sitegen.views import EntryView, SiteViews, StoryView

SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
NOT_LISTED = frozenset({"404.html", search_page()})
"""Pages with nothing for a search engine to index."""
NOT_LISTED_TEMPLATES = frozenset({"embed.html"})
"""Copies of pages listed elsewhere: each story's embed is its story page, framed."""


def story_last_change(views: SiteViews, story: StoryView) -> PartialDate | None:
    """The newest date of a story: as written, its corrections and its entries."""
    return latest([
        story.updated, *(c.date for c in story.corrections),
        *(entry_last_change(e) for e in views.story_entries(story.slug)),
    ])


def lastmod(views: SiteViews, spec: PageSpec) -> PartialDate | None:
    """The newest content date of what a page shows; None when content gives none."""
    context: dict[str, Any] = spec.context
    if "entry" in context:
        return entry_last_change(context["entry"])
    if "story" in context:
        return story_last_change(views, context["story"])
    if "stories" in context or "statements" in context or "entries" in context:
        stories: tuple[StoryView, ...] = context.get("stories", ())
        entries: tuple[EntryView, ...] = context.get("statements", context.get("entries", ()))
        return latest([story_last_change(views, s) for s in stories]
                      + [entry_last_change(e) for e in entries])
    if "corrections" in context:
        log: tuple[CorrectionItem, ...] = context["corrections"]
        return log[0].date if log else None
    return None


def w3c_date(date: PartialDate) -> str:
    """A date in a form the sitemap schema accepts, in the author's own terms.

    The schema takes a day or a full time: a month or a year is given as its first day.
    """
    if date.precision < Precision.DAY:
        return f"{date.year:04d}-{date.month:02d}-{date.day:02d}"
    return schema_date(date)


def sitemap_xml(site: Site, views: SiteViews) -> str:
    """List every page a search engine should know, with its last change."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for spec in html_pages(views):
        if spec.url_path in NOT_LISTED or spec.template in NOT_LISTED_TEMPLATES:
            continue
        lines.append("  <url>")
        lines.append(f"    <loc>{escape(urls.absolute(site.config.base_url, spec.url_path))}</loc>")
        changed = lastmod(views, spec)
        if changed is not None:
            lines.append(f"    <lastmod>{w3c_date(changed)}</lastmod>")
        lines.append("  </url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots_txt(site: Site) -> str:
    """Allow every crawler and point it at the sitemap.

    Crawlers read robots.txt only at a host's root; under a sub-path this file
    is for the host's own robots.txt to copy from.
    """
    config = site.config
    # One sitemap per language, each in its language's folder; robots.txt names them all.
    root = config.base_url.removesuffix(config.prefix(config.language))
    sitemaps = "".join(
        f"Sitemap: {urls.absolute(root, config.prefix(language) + SITEMAP)}\n"
        for language in config.languages
    )
    return "User-agent: *\nAllow: /\n\n" + sitemaps


def plan_sitemap(site: Site, views: SiteViews, renderer: PageRenderer) -> Iterator[Artifact]:
    """sitemap.xml and robots.txt."""
    yield text_artifact(SITEMAP, sitemap_xml(site, views), "the sitemap")
    yield text_artifact(ROBOTS, robots_txt(site), "robots.txt")


def text_artifact(path: str, text: str, origin: str) -> Artifact:
    """A small file made up front; its fingerprint is the hash of its bytes."""
    data = text.encode("utf-8")
    return Artifact(path, hashlib.sha256(data).hexdigest(), lambda: data, origin)
