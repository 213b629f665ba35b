"""sitemap.xml (sitemaps.org 0.9) and robots.txt, for search engines.

Every URL is absolute under base_url; `lastmod` is the newest date the
content gives for what the page shows, so it moves only when content does.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from html import escape
from typing import TYPE_CHECKING

from sitegen.outputs.claimreview import schema_date
from sitegen.outputs.plan import SitePlan
from sitegen.structure import urls
from sitegen.writing.artifact import Artifact

if TYPE_CHECKING:
    from sitegen.rendering.render import PagePlan
    from sitegen.rendering.views import DateView
    from sitegen.structure.model import Site


def w3c_date(date: DateView) -> str:
    """A date in a form the sitemap schema accepts, in the author's own terms.

    The schema takes a day or a full time: a month or a year is given as its first day.
    """
    if date.precision in ("year", "month"):
        return f"{date.year:04d}-{date.month:02d}-{date.day:02d}"
    return schema_date(date)


def sitemap_xml(plan: SitePlan) -> str:
    """List every page a search engine should know, with its last change, as the page plans say."""
    base_url = plan.site.config.base_url
    # A group's lines are carried over while it is the same plans (an unchanged story's).
    memo = plan.views.carried("sitemap")
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for group in plan.groups or tuple((page,) for page in plan.pages):
        lines.extend(memo.get((group[0].file, base_url), (group,),
                              functools.partial(group_lines, group, base_url)))
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def group_lines(group: tuple[PagePlan, ...], base_url: str) -> tuple[str, ...]:
    return tuple(url_lines(page, base_url) for page in group if page.listed)


def url_lines(page: PagePlan, base_url: str) -> str:
    """The `<url>` element of one page."""
    # html.escape without quotes is xml.sax's escape, without importing urllib.request (10 ms).
    loc = f"  <url>\n    <loc>{escape(urls.absolute(base_url, page.url_path), quote=False)}</loc>\n"
    lastmod = f"    <lastmod>{w3c_date(page.lastmod)}</lastmod>\n" if page.lastmod is not None else ""
    return f"{loc}{lastmod}  </url>"


def robots_txt(site: Site) -> str:
    """Allow every crawler and point it at the sitemap.

    Crawlers read robots.txt only at a host's root; under a sub-path this file
    is for the host's own robots.txt to copy from.
    """
    config = site.config
    # One sitemap per language, each in its language's folder; robots.txt names them all.
    root = config.base_url.removesuffix(config.prefix(config.language))
    sitemaps = "".join(
        f"Sitemap: {urls.absolute(root, config.prefix(language) + urls.SITEMAP)}\n"
        for language in config.languages
    )
    return "User-agent: *\nAllow: /\n\n" + sitemaps


def plan_sitemap(plan: SitePlan) -> Iterator[Artifact]:
    """sitemap.xml and robots.txt."""
    yield text_artifact(urls.SITEMAP, sitemap_xml(plan), "the sitemap")
    yield text_artifact(urls.ROBOTS, robots_txt(plan.site), "robots.txt")


def text_artifact(path: str, text: str, origin: str) -> Artifact:
    """A small file made up front; its fingerprint is the hash of its bytes."""
    data = text.encode("utf-8")
    return Artifact(path, hashlib.sha256(data).hexdigest(), lambda: data, origin)
