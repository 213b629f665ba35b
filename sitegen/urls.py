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

RESERVED_SLUGS = frozenset({"speakers", "tags", "assets", "search", "corrections", "pagefind"})
EMBED_FOLDER = "embed"
RESERVED_ENTRY_IDS = {EMBED_FOLDER: "timeline for other sites' iframes"}
"""Entry ids that would take a URL the story itself uses, with what uses it."""


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


def asset(name: str) -> str:
    return f"assets/{name}"


def output_file(url_path: str) -> str:
    """The file that serves a URL path: `a/b/` is `a/b/index.html`."""
    return url_path + "index.html" if url_path == "" or url_path.endswith("/") else url_path


@lru_cache(maxsize=1 << 16)
def relative(from_path: str, to_path: str) -> str:
    """The shortest link from the page at `from_path` to `to_path`, both below the site root."""
    from_dir = from_path if from_path.endswith("/") else posixpath.dirname(from_path)
    target, _, fragment = to_path.partition("#")
    link = posixpath.relpath("/" + target, "/" + from_dir)
    if link == "." and fragment:
        return "#" + quote(fragment, safe="-_.~%")
    if link == ".":
        link = "./"
    elif target.endswith("/") or target == "":
        link += "/"
    if fragment:
        link += "#" + fragment
    return quote(link, safe="/#?=&.-_~%")


def absolute(base_url: str, path: str) -> str:
    """The full URL of a path, under base_url."""
    return base_url + quote(path, safe="/#?=&.-_~%")
