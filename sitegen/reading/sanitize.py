"""What `unsafe_html = true` lets through of an author's raw HTML: everything a story needs but script.

Fact-checkers show what was said where it was said: a clip of the speech, the audio of
the interview, the post as its platform embeds it. So beside nh3's (ammonia's) default
tags, the media elements and frames are kept, with the attributes that make them play
and none that run code: a `javascript:` source or poster, `srcdoc`, `on…` handlers and
`<script>` are removed, as every URL is held to `SAFE_SCHEMES`. A frame shows another
origin's page, which cannot script the site's (browsers also stop a frame from navigating
the reader's window away unless the reader clicked in it). Markdown's own output
passes through the same cleaning, so its footnotes keep the ids and classes they link by.

What a screen reader needs is mended where it can be, and the author told (`markup`): a
frame without a title is named after its site, a raw image without `alt` gets an empty one.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from urllib.parse import urlsplit

import nh3

from sitegen.structure.urls import escaped_url

MEDIA_TAGS = frozenset({"video", "audio", "source", "track", "picture", "iframe"})
MEDIA_ATTRIBUTES: dict[str, set[str]] = {
    "video": {"src", "controls", "width", "height", "poster", "preload", "loop", "muted", "playsinline"},
    "audio": {"src", "controls", "preload", "loop", "muted"},
    "source": {"src", "type", "srcset", "sizes", "media", "width", "height"},
    "track": {"src", "kind", "srclang", "label", "default"},
    "img": {"srcset", "sizes", "loading"},
    "iframe": {"src", "width", "height", "title", "allow", "allowfullscreen", "loading", "referrerpolicy"},
}

GENERIC_ATTRIBUTES = {"lang", "title", "dir", "id", "class"}
"""On any element; `id` and `class` only as Markdown's footnotes write them (see `kept_attribute`)."""
URL_ATTRIBUTES = frozenset({"href", "src", "poster", "cite"})
FOOTNOTE_ID = re.compile(r"fn(?:ref\d*)?:\S+")
FOOTNOTE_CLASSES = frozenset({"footnote", "footnote-ref", "footnote-backref"})

FRAME = re.compile(r"<iframe\b[^>]*>")
EMPTY_FRAME = re.compile(r"<iframe(?![^>]*\ssrc=)[^>]*>.*?</iframe>", re.DOTALL)
"""A frame whose address was removed (`javascript:`, `srcdoc` only): it would show a blank box."""
IMAGE = re.compile(r"<img\b[^>]*>")
SOURCE = re.compile(r'\ssrc="([^"]*)"')
TITLE = re.compile(r'\stitle="[^"]*[^"\s]')
EMPTY_TITLE = re.compile(r'\stitle="\s*"')
ALT = re.compile(r"\salt=")


def kept_attribute(tag: str, name: str, value: str) -> str | None:
    """An attribute's value as kept, or None to drop it.

    An author's own `id` could repeat one of the page's (`main`) and make it invalid, and a
    class could set off the theme's script or styles; footnotes need theirs to link at all.
    """
    if name == "id":
        return value if FOOTNOTE_ID.fullmatch(value) else None
    if name == "class":
        return value if value in FOOTNOTE_CLASSES else None
    if name in URL_ATTRIBUTES:
        return escaped_url(value)  # `a b.mp4` as written: a space is invalid in an address
    return value


def _allowed_attributes() -> dict[str, set[str]]:
    attributes = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
    for tag, names in MEDIA_ATTRIBUTES.items():
        attributes[tag] = attributes.get(tag, set()) | names
    attributes["*"] = set(GENERIC_ATTRIBUTES)
    return attributes


ALLOWED_ATTRIBUTES = _allowed_attributes()
"""nh3's defaults with the media elements' and the generic ones: made once, not per body."""
ALLOWED_TAGS = nh3.ALLOWED_TAGS | MEDIA_TAGS


def cleaned(body_html: str, url_schemes: frozenset[str]) -> str:
    """An author's HTML without what could run a script, with links opened without a referrer."""
    body_html = nh3.clean(
        body_html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, attribute_filter=kept_attribute,
        url_schemes=set(url_schemes), link_rel="noopener noreferrer",
    )
    return EMPTY_FRAME.sub("", body_html) if "<iframe" in body_html else body_html


def with_frame_titles(body_html: str, untitled: list[str]) -> str:
    """Each frame without a title named after the site it shows (`player.example`), its address
    added to `untitled`: a screen reader says only "frame" for one (axe: frame-title), so the
    author is told where to add a title, and until then hears at least where it comes from."""
    return _mended(body_html, "iframe", FRAME, TITLE, untitled,
                   lambda address: f'title="{html.escape(host_of(address) or "frame")}"', EMPTY_TITLE)


def with_image_alts(body_html: str, unnamed: list[str]) -> str:
    """Each raw `<img>` without `alt` given an empty one, its address added to `unnamed`.

    Without the attribute the page is invalid and a screen reader reads out the file name;
    `alt=""` at least says there is nothing to read, and the author is told to describe it.
    (An `alt=""` the author wrote marks an image as decoration, and is left alone.)
    """
    return _mended(body_html, "img", IMAGE, ALT, unnamed, lambda address: 'alt=""')


def _mended(
    body_html: str, name: str, element: re.Pattern[str], present: re.Pattern[str], noted: list[str],
    attribute: Callable[[str], str], stale: re.Pattern[str] | None = None,
) -> str:
    """Each `<name …>` tag that `present` finds nothing in gets `attribute(its address)` (a
    `stale` empty form of it taken out first), and its address goes to `noted`."""
    opening = f"<{name}"
    if opening not in body_html:
        return body_html

    def mend(match: re.Match[str]) -> str:
        tag = match[0]
        if present.search(tag):
            return tag
        source = SOURCE.search(tag)
        address = html.unescape(source[1]) if source else ""
        noted.append(address)
        rest = (stale.sub("", tag) if stale is not None else tag)[len(opening):]
        return f"{opening} {attribute(address)}{rest}"

    return element.sub(mend, body_html)


def host_of(address: str) -> str:
    """The site an address names (`player.example`), or the address when it names none."""
    try:
        return urlsplit(address).hostname or address
    except ValueError:  # `https://[not-an-ip`
        return address
