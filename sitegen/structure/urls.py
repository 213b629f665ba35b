"""Where every page lives, and links between pages that work under any sub-path.

Links are relative (`../../speakers/x/`), so the same files work at a domain
root, under base_url's sub-path, and in the preview server. Absolute URLs
(canonical links, feeds, sitemaps, JSON-LD) are base_url plus the path.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote

EMBED_FOLDER = "embed"
RESERVED_ENTRY_IDS = {EMBED_FOLDER: "timeline for other sites' iframes"}
"""Entry ids that would take a URL the story itself uses, with what uses it."""
ASSETS_FOLDER = "assets"
SEARCH_INDEX_FOLDER = "pagefind"
PREVIEW_FOLDER = "__sitegen"
"""Where the preview serves its own scripts and messages (`preview.serve.PREFIX`)."""
RESERVED_FOLDERS = {SEARCH_INDEX_FOLDER: "the search index's folder, which each build makes whole",
                    PREVIEW_FOLDER: "where the preview serves its own scripts"}
"""Top-level output folders that are sitegen's alone: no file of static/ may go in them."""
"""Pagefind's bundle, written by the search stage; shared by every language."""
SHARED_FOLDERS = (f"{ASSETS_FOLDER}/", f"{SEARCH_INDEX_FOLDER}/")
"""Output every language shares, at the site root: the theme's files and the search index."""
NOT_FOUND = "404.html"
"""Hosts serve this for every missing URL, at any depth."""
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
GITHUB_PAGES_MARKER = ".nojekyll"
ROOT_FILES = frozenset({ROBOTS, GITHUB_PAGES_MARKER})
"""Files a host reads at the site root only: written once, not once per language."""


def slugify(text: str) -> str:
    """Make an ASCII slug (for ids): `Dmitry Peskov` → `dmitry-peskov`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def tag_slug(name: str) -> str:
    """Lowercase, spaces to hyphens, letters of any script kept: `Россия США` → `россия-сша`."""
    text = unicodedata.normalize("NFC", name).lower()
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"[\s_-]+", "-", text).strip("-")


def home() -> str:
    return ""


def story(slug: str) -> str:
    return f"{slug}/"


def entry(story_slug: str, entry_id: str) -> str:
    return f"{story_slug}/{entry_id}/"


def embed(story_slug: str) -> str:
    """The story's timeline alone, for an iframe in someone else's article."""
    return f"{story_slug}/{EMBED_FOLDER}/"


def speakers() -> str:
    return "speakers/"


def speaker(speaker_id: str) -> str:
    return f"speakers/{speaker_id}/"


def tags() -> str:
    return "tags/"


def tag(slug: str) -> str:
    return f"tags/{slug}/"


def page(slug: str) -> str:
    return f"{slug}/"


def corrections() -> str:
    return "corrections/"


def corrections_feed() -> str:
    return "corrections/feed.xml"


def search() -> str:
    return "search/"


def site_feed() -> str:
    return "feed.xml"


def story_feed(slug: str) -> str:
    return f"{slug}/feed.xml"


def timeline_json(slug: str) -> str:
    """The story as TimelineJS3 JSON, for embedding and export."""
    return f"{slug}/timeline.json"


def timeline_csv(slug: str) -> str:
    """The story as Knight Lab's Google Sheets template, beside the JSON."""
    return f"{slug}/timeline.csv"


def asset(name: str) -> str:
    return f"{ASSETS_FOLDER}/{name}"


def _top_folder(path: str) -> str:
    return path.split("/", 1)[0]


RESERVED_SLUGS = frozenset({
    _top_folder(path) for path in (
        speakers(), tags(), search(), corrections(), asset(""), SEARCH_INDEX_FOLDER + "/",
    )
})
"""Story and page slugs that would take a folder the site itself uses: derived from the routes above."""


def output_file(url_path: str) -> str:
    """The file that serves a URL path: `a/b/` is `a/b/index.html`."""
    return url_path + "index.html" if url_path == "" or url_path.endswith("/") else url_path


@lru_cache(maxsize=1 << 16)
def relative(from_path: str, to_path: str) -> str:
    """The shortest link from the page at `from_path` to `to_path`, both below the site root."""
    from_dir = from_path if from_path.endswith("/") else posixpath.dirname(from_path)
    target, _, fragment = to_path.partition("#")
    link = _relpath(target, from_dir)
    if link == "." and fragment:
        return "#" + quote(fragment, safe="-_.~%")
    if link == ".":
        link = "./"
    elif target.endswith("/") or target == "":
        link += "/"
    if fragment:
        link += "#" + fragment
    return quote(link, safe="/#?=&.-_~%")


def _relpath(target: str, start: str) -> str:
    """`posixpath.relpath` of two paths below the same root, in a quarter of its time: pages
    link to each other a million times in a build of 10,000 entries, most pairs only once."""
    to_parts = [part for part in target.split("/") if part]
    from_parts = [part for part in start.split("/") if part]
    if "." in to_parts or ".." in to_parts or "." in from_parts or ".." in from_parts:
        return posixpath.relpath("/" + target, "/" + start)
    common = 0
    for mine, theirs in zip(to_parts, from_parts, strict=False):
        if mine != theirs:
            break
        common += 1
    parts = [".."] * (len(from_parts) - common) + to_parts[common:]
    return "/".join(parts) if parts else "."


def absolute(base_url: str, path: str) -> str:
    """The full URL of a path, under base_url."""
    return base_url + quote(path, safe="/#?=&.-_~%")


_SCHEME_AND_HOST = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*")
_RAW_IN_URL = re.compile(r'[\x00-\x20\x7f"<>\\^`{|}\[\]]|%(?![0-9A-Fa-f]{2})')
"""What no URL may hold as it is (the URL Standard, which the HTML checker applies): spaces and
controls, quotes, angle and square brackets (outside a host), braces, a `%` that starts no escape."""


def escaped_url(url: str) -> str:
    """A URL as an author wrote it, with what no URL may hold raw percent-encoded.

    `https://example.org/a report.pdf` works when pasted into a browser, which encodes the
    space itself, so authors write it; in a page's `href` it makes the page invalid and some
    consumers (feed readers, crawlers) cut the link at the space. Encoding changes nothing a
    server sees. Non-ASCII letters stay: an address may hold them (an IRI).
    """
    head = match[0] if (match := _SCHEME_AND_HOST.match(url)) else ""
    rest, hash_mark, fragment = url[len(head):].partition("#")
    rest = _RAW_IN_URL.sub(_percent, rest)
    if hash_mark:
        rest += "#" + _RAW_IN_URL.sub(_percent, fragment).replace("#", "%23")
    return head + rest


def _percent(character: re.Match[str]) -> str:
    return "".join(f"%{byte:02X}" for byte in character[0].encode("utf-8"))
