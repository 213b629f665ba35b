"""What a TimelineJS slide shows as its media: a source TimelineJS can show, else a body image.

TimelineJS3 decides how to show a slide's `media.url` from the URL alone, by the first of its
patterns (src/js/media/MediaType.js) that matches; a URL that matches none is shown as an
image. A news article as the media is therefore a broken image on the slide. So a source
becomes the media only where TimelineJS has a way to show it (a video, a post, a Wikipedia
article, an image or a document), and only if its host or file really is of that kind:
several of TimelineJS's patterns match anywhere in the URL (`spotify`, `youtu.be`), and
sending it an article whose address happens to contain one would give a broken embed.
"""

from __future__ import annotations

import functools
import html
import posixpath
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from sitegen.rendering.escape import html_text, plain

if TYPE_CHECKING:
    from sitegen.rendering.views import EntryView, SourceView

TIMELINEJS_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, flags)) for kind, pattern, flags in (
        # TimelineJS3's patterns in its order, as its JavaScript reads them (a string's `\.`
        # is a plain `.` there). Those of HTML snippets are kept so that a URL matching one
        # is known not to be shown as what it seems.
        ("youtube", r"^(https?:)?/*(www.|m.)?youtube|youtu.be", 0),
        ("vimeo", r"^(https?:)?/*(player.)?vimeo.com", 0),
        ("dailymotion", r"^(https?:)?/*(www.)?(dailymotion.com|dai.ly)", 0),
        ("vine", r"^(https?:)?/*(www.)?vine.co", 0),
        ("tiktok", r"^(https?:)?/*(www.)?tiktok.com/@[^/]+/video/\d+", 0),
        ("bluesky", r"^(https?:)?/*(www.)?bsky.app/profile/[^/]+/post/[^/?]+", 0),
        ("soundcloud", r"^(https?:)?/*(player.)?soundcloud.com", 0),
        ("twitter", r"^(https?:)?/*(www.)?(twitter|x).com", 0),
        ("twitterembed", r"<blockquote class=['\"]twitter-tweet['\"]", 0),
        ("googlemaps", r"google.+?/maps/", 0),
        ("flickr", r"^(https?:)?/*(www.)?flickr.com/photos|^(https?://)?flic.kr/.*", 0),
        ("instagram", r"^(https?:)?/*(www.)?(instagr.am|instagram.com)/p/", 0),
        ("profile", r"^(https?:)?/*(www.)?(instagr.am|instagram.com)/[a-zA-Z0-9]{2,}", 0),
        ("documentcloud", r"documentcloud.org/", 0),
        ("wikipedia-image", r"^https://.+.wiki[mp]edia.org.+#/media/.+.(jpg|jpeg|png|gif|svg|webp)"
                            r"|^https://commons.wikimedia.org/wiki/File:.+.(jpg|jpeg|png|gif|svg|webp)", 0),
        ("wikipedia", r"^(https?:)?/.+.wikipedia.org", 0),
        ("image", r"(jpg|jpeg|png|gif|svg|webp)(\?.*)?$", re.IGNORECASE),
        ("imgur", r"^.*imgur.com/.+$|<blockquote class=['\"]imgur-embed-pub['\"]", re.IGNORECASE),
        ("googledocs", r"google.com/[^/]*/d/|drive.google.com/open|googledrive.com/host/", 0),
        ("pdf", r"^.*\.pdf(\?.*)?(#.*)?", 0),
        ("spotify", r"spotify", 0),
        ("iframe", r"iframe", 0),
        ("blockquote", r"blockquote", 0),
        ("video", r"(mp4|webm)(\?.*)?$", re.IGNORECASE),
        ("wistia", r"https?://(.+)?(wistia.com|wi.st)/.*", re.IGNORECASE),
        ("audio", r"(mp3|wav|m4a)(\?.*)?$", re.IGNORECASE),
    )
)
"""Anything else is TimelineJS's "imageblank": shown as an image, whatever it is."""

HOSTS: dict[str, tuple[str, ...]] = {
    "youtube": ("youtube.com", "youtu.be"),
    "vimeo": ("vimeo.com",),
    "dailymotion": ("dailymotion.com", "dai.ly"),
    "tiktok": ("tiktok.com",),
    "bluesky": ("bsky.app",),
    "soundcloud": ("soundcloud.com",),
    "twitter": ("twitter.com", "x.com"),
    "flickr": ("flickr.com", "flic.kr"),
    "instagram": ("instagram.com", "instagr.am"),
    "documentcloud": ("documentcloud.org",),
    "wikipedia-image": ("wikipedia.org", "wikimedia.org"),
    "wikipedia": ("wikipedia.org",),
    "imgur": ("imgur.com",),
    "googledocs": ("google.com", "googledrive.com"),
    "spotify": ("spotify.com",),
    "wistia": ("wistia.com", "wi.st"),
}
"""The kinds TimelineJS shows from a service, with the hosts that really are that service."""

SUFFIXES: dict[str, frozenset[str]] = {
    "image": frozenset({".jpg", ".jpeg", ".png", ".gif", ".svg", ".webp"}),
    "pdf": frozenset({".pdf"}),
    "video": frozenset({".mp4", ".webm"}),
    "audio": frozenset({".mp3", ".wav", ".m4a"}),
}
"""The kinds TimelineJS shows from a file, with the file names that really are that kind."""

IMAGE_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'\b(src|alt)="([^"]*)"')


def timelinejs_kind(url: str) -> str:
    """How TimelineJS3 shows a media URL (its first matching pattern), or "imageblank"."""
    for kind, pattern in TIMELINEJS_TYPES:
        if pattern.search(url):
            return kind
    return "imageblank"


PATHS: dict[str, re.Pattern[str]] = {
    "youtube": re.compile(r"^/(watch$|embed/.|shorts/.|live/.|v/.|[\w-]{6,}$)"),
    "twitter": re.compile(r"^/[^/]+/status/\d+"),
}
"""Of a service's addresses, those that are one video or post: a channel or a profile is not."""

KNOWN_HOSTS = frozenset(name for names in HOSTS.values() for name in names)
KNOWN_SUFFIXES = frozenset().union(*SUFFIXES.values())


@functools.lru_cache(maxsize=4096)
def shown_as_media(url: str) -> bool:
    """Tell whether TimelineJS shows this http(s) URL as what it is, not as a broken image.

    Most sources are articles, of no known host and no media file name: they are answered
    without trying TimelineJS's patterns (26 searches, 30 µs a URL)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    suffix = posixpath.splitext(parts.path)[1].lower()
    domains = _domains(parts.hostname.lower())
    if suffix not in KNOWN_SUFFIXES and KNOWN_HOSTS.isdisjoint(domains):
        return False
    kind = timelinejs_kind(url)
    if kind in SUFFIXES:
        return suffix in SUFFIXES[kind]
    path = PATHS.get(kind)
    if path is not None and not path.search(parts.path):
        return False
    return not domains.isdisjoint(HOSTS.get(kind, ()))


def _domains(host: str) -> set[str]:
    """A host and every domain it is under: `m.youtube.com`, `youtube.com`, `com`."""
    labels = host.split(".")
    return {".".join(labels[index:]) for index in range(len(labels))}


def source_media(sources: Iterable[SourceView]) -> dict[str, str] | None:
    """The first source TimelineJS can show, as a slide's media (caption and credit are HTML)."""
    for source in sources:
        if shown_as_media(source.url):
            media = {"url": source.url, "caption": html_text(source.title)}
            if source.publisher:
                media["credit"] = html_text(source.publisher)
            return media
    return None


def body_image(body_html: str, page_url: str) -> dict[str, str] | None:
    """The first image of a body as a slide's media, its address made absolute from the page the
    body is written for (`page_url`) and its alternative text kept: TimelineJS sets `alt`
    from it (as text, not HTML)."""
    if "<img" not in body_html:
        return None
    for tag in IMAGE_TAG.findall(body_html):
        found = {name: html.unescape(value) for name, value in ATTRIBUTE.findall(tag)}
        url = urljoin(page_url, found.get("src", ""))
        if found.get("src") and shown_as_media(url) and timelinejs_kind(url) == "image":
            return {"url": url, "alt": plain(found.get("alt", ""))}
    return None


def slide_media(entry: EntryView, page_url: str) -> dict[str, str] | None:
    """What an entry's slide shows: the first source TimelineJS can show (the video or the post
    a statement was made in), else the body's first image, else nothing."""
    return source_media(entry.sources) or body_image(entry.body_html, page_url)
