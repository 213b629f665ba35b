"""A small site that uses every publishing feature, and a crawler for built sites.

Used by the publishing tests (feeds, ClaimReview, sitemap, nginx, HTML
validity, search): one inline site, so each test shows what it builds.
"""

from __future__ import annotations

import posixpath
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import lxml.etree
import lxml.html

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

FULL_SITE_CONFIG = """\
title = "Publishing Checks"
base_url = "https://example.org/checks/"
language = "en"
timezone = "Europe/Kyiv"
description = "A test site with every publishing feature."

[organization]
name = "Test Fact Desk"
url = "https://example.org/"

# Made-up sources have no archived copies or second publishers to cite.
[checks]
source-not-archived = "off"
sources-not-independent = "off"
"""

FULL_SITE: dict[str, str] = {
    "sitegen.toml": FULL_SITE_CONFIG,
    "content/_speakers/jane-roe.md": """\
        ---
        name: Jane Roe
        type: person
        role: Minister of Examples
        url: https://example.com/jane-roe
        ---
        A minister.
        """,
    "content/_speakers/acme-news.md": """\
        ---
        name: Acme News
        type: organization
        url: https://news.example.com/
        ---
        A newspaper.
        """,
    "content/_pages/about.md": """\
        ---
        title: About
        summary: Who we are.
        weight: 1
        ---
        We check claims. Read our [methodology](../methodology/).

        ![A chart of our work](../images/chart.svg)
        """,
    "content/_pages/methodology.md": """\
        ---
        title: Methodology
        weight: 2
        ---
        How we rate.
        """,
    "content/_pages/corrections-policy.md": """\
        ---
        title: Corrections policy
        weight: 3
        ---
        We correct mistakes openly.
        """,
    "static/images/chart.svg": (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>\n'
    ),
    "content/bridge-dispute/_index.md": """\
        ---
        title: "Was the bridge finished on time?"
        summary: "The ministry says the bridge opened on schedule; records say otherwise."
        tags: [Infrastructure, "Київ"]
        corrections:
          - date: 2024-03-02
            note: "The background misnamed the contractor; fixed."
        ---
        The background of the bridge story, with a [link to the about page](../about/).
        """,
    "content/bridge-dispute/opening.md": """\
        ---
        kind: event
        date: 2024-02-01
        end_date: 2024-02-03
        title: "The bridge opens to traffic"
        tags: [Infrastructure]
        sources:
          - url: https://news.example.com/bridge-opens
            title: Bridge opens
            publisher: Acme News
            date: 2024-02-01
        ---
        The bridge opened to cars after a ceremony attended by zanzibarite enthusiasts.
        """,
    "content/bridge-dispute/minister-claim.md": """\
        ---
        kind: statement
        date: 2024-02-05T10:30+02:00
        title: "Minister says the bridge was finished on time"
        speaker: jane-roe
        role: "Minister of Examples"
        quote: 'The bridge was finished exactly on time, "as promised" </script><script>alert(1)</script>'
        quote_type: verbatim
        original_quote: "Міст добудували вчасно."
        original_language: uk
        rating: false
        verdict: "Contract records show the bridge was finished eight months late."
        reviewed: 2024-02-10
        responds_to: opening
        tags: [Infrastructure, "Київ"]
        sources:
          - url: https://news.example.com/minister-interview
            title: Interview with the minister
            publisher: Acme News
            date: 2024-02-05
          - url: https://example.gov/transcript
            title: Transcript
            publisher: Ministry of Examples
            date: 2024-02-06
            archive: https://web.archive.org/web/2024/https://example.gov/transcript
        corrections:
          - date: 2024-02-12
            note: "An earlier version gave the wrong contract date."
          - date: 2024-03-01
            note: "Added the archived transcript."
        ---
        The minister said the bridge was on time. Contract records say otherwise,
        as [the ministry's own tender page](https://example.gov/tenders/bridge) shows.
        """,
    "content/bridge-dispute/newspaper-claim.md": """\
        ---
        kind: statement
        date: 2024-02
        approximate: true
        title: "Acme News reports that the bridge cost twice its budget"
        speaker: acme-news
        rating: unproven
        verdict: "The full accounts have not been published."
        reviewed: 2024-02-20
        sources:
          - https://news.example.com/bridge-cost
        ---
        The newspaper's report relies on one unnamed official.
        """,
    "content/bridge-dispute/rated-event.md": """\
        ---
        kind: event
        date: 2024
        title: "A viral photo shows cracks in the bridge"
        rating: misleading
        verdict: "The photo shows a different bridge."
        reviewed: 2024-02-21
        sources:
          - url: https://social.example.com/post/1
            title: The viral post
            publisher: Example Social
            date: 2024-02-19
        ---
        A photo of cracks spread widely in February.
        """,
    "content/port-plan/_index.md": """\
        ---
        title: "The port expansion plan"
        summary: "What the mayor promised about the port."
        status: settled
        ---
        Background on the port.
        """,
    "content/port-plan/mayor-promise.md": """\
        ---
        kind: statement
        date: 2023-06-01
        title: "Mayor promises a bigger port"
        speaker: Sam Mayor
        role: Mayor
        quote: "We will double the port by 2030."
        quote_type: paraphrase
        confirms: bridge-dispute/opening
        ignore: [source-anonymous]
        sources:
          - url: https://news.example.com/port
            publisher: Acme News
            anonymous: true
        ---
        The mayor spoke at a rally about the quaysides.
        """,
}
"""Two stories, registry and free-text speakers, ratings, corrections, pages, a static image."""

FULL_SITE_ENTRIES = {
    "bridge-dispute": ("opening", "minister-claim", "newspaper-claim", "rated-event"),
    "port-plan": ("mayor-promise",),
}


def html_files(root: Path) -> list[Path]:
    """Every HTML file of a built site, except Pagefind's own."""
    return sorted(
        p for p in root.rglob("*.html") if not p.relative_to(root).as_posix().startswith("pagefind/")
    )


@dataclass
class CrawlResult:
    """What a crawl saw."""

    visited: dict[str, int] = field(default_factory=dict)
    """URL (without fragment) → HTTP status."""
    broken: list[str] = field(default_factory=list)
    """`URL (status) linked from PAGE` for every failure."""
    missing_anchors: list[str] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)
    """URL → content type."""


def fetch(url: str) -> tuple[int, bytes, str]:
    """GET a URL: status, body and content type; errors are statuses too."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("Content-Type", "")


def html_links(body: bytes, page_url: str) -> Iterable[str]:
    """Every URL an HTML page makes a browser or a reader follow."""
    document = lxml.html.fromstring(body)
    for element, attribute in (
        ("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"),
        ("source", "src"), ("iframe", "src"), ("form", "action"),
    ):
        for node in document.iter(element):
            value = node.get(attribute)
            if value is not None:
                yield urllib.parse.urljoin(page_url, value)
    for node in document.iter("img", "source"):
        for candidate in (node.get("srcset") or "").split(","):
            if candidate.strip():
                yield urllib.parse.urljoin(page_url, candidate.split()[0])


def xml_links(body: bytes, page_url: str) -> Iterable[str]:
    """Every URL in an Atom feed (links, icon) or a sitemap (loc)."""
    root = lxml.etree.fromstring(body)
    for node in root.iter(f"{ATOM}link"):
        yield urllib.parse.urljoin(page_url, node.get("href", ""))
    for node in root.iter(f"{ATOM}icon", f"{SITEMAP_NS}loc"):
        yield urllib.parse.urljoin(page_url, (node.text or "").strip())


def html_ids(body: bytes) -> set[str]:
    document = lxml.html.fromstring(body)
    return {node.get("id") for node in document.iter() if isinstance(node.tag, str) and node.get("id")}


def crawl(start: str, base_url: str, served_at: str, extra: Iterable[str] = ()) -> CrawlResult:
    """Follow every internal link from `start`, mapping `base_url` onto `served_at`.

    Pages link relatively, but canonical links, feeds and the sitemap carry
    absolute URLs under the configured base_url: those are checked on the
    test server too. Links elsewhere are not followed.
    """
    result = CrawlResult()
    queue: list[tuple[str, str]] = [(start, "(start)"), *((u, "(start)") for u in extra)]
    ids: dict[str, set[str]] = {}
    anchors: list[tuple[str, str, str]] = []
    while queue:
        url, referrer = queue.pop(0)
        if url.startswith(base_url) and base_url != served_at:
            url = served_at + url[len(base_url):]
        if not url.startswith(served_at):
            if urllib.parse.urlsplit(url).netloc == urllib.parse.urlsplit(served_at).netloc:
                result.broken.append(f"{url} (outside the site's path) linked from {referrer}")
            continue
        url, _, fragment = url.partition("#")
        if fragment:
            anchors.append((url, urllib.parse.unquote(fragment), referrer))
        if url in result.visited:
            continue
        status, body, kind = fetch(url)
        result.visited[url] = status
        result.kinds[url] = kind
        if status != 200:
            result.broken.append(f"{url} ({status}) linked from {referrer}")
            continue
        path = urllib.parse.urlsplit(url).path
        if "text/html" in kind:
            ids[url] = html_ids(body)
            links = list(html_links(body, url))
        elif posixpath.basename(path) in ("feed.xml", "sitemap.xml"):
            links = list(xml_links(body, url))
        else:
            links = []
        queue.extend((link, url) for link in links)
    for url, fragment, referrer in anchors:
        if url in ids and fragment not in ids[url]:
            result.missing_anchors.append(f"{url}#{fragment} linked from {referrer}")
    return result
