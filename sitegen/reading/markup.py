"""Markdown to HTML for untrusted bodies: raw HTML escaped, unsafe links disarmed.

Python-Markdown is most of the cost of a cold build, so `sources` keeps each
body's conversion, keyed by its text, between builds.
"""

from __future__ import annotations

import contextlib
import html
import re
import signal
import threading
import xml.etree.ElementTree as etree
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import markdown
from markdown.extensions import Extension
from markdown.extensions.abbr import AbbrExtension
from markdown.extensions.def_list import DefListExtension
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.treeprocessors import Treeprocessor

from sitegen.reading.sanitize import cleaned, with_frame_titles, with_image_alts
from sitegen.structure.characters import is_forbidden_code
from sitegen.structure.urls import escaped_url

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
EXTENSIONS: tuple[type[Extension], ...] = (
    TableExtension, FencedCodeExtension, FootnoteExtension, SaneListExtension, AbbrExtension,
    DefListExtension,
)
"""Python-Markdown's `tables`, `fenced_code`, `footnotes`, `sane_lists`, `abbr` and `def_list`, by
class: by name, Markdown looks each up among every installed package's entry points first, which
took 30 ms of each process that converts a body."""


MAX_BRACKETS_PER_BLOCK = 500
"""Python-Markdown's link patterns are quadratic in the `[` of one paragraph; real prose has few."""


class MarkupError(Exception):
    """A body that would take unbounded time to convert; `line` is 0-based within the body."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


class MarkupTimeout(MarkupError):
    """A conversion that ran out of time: it might not on a less busy machine, so it is not kept."""


def check_brackets(text: str) -> None:
    """Refuse a paragraph with so many `[` that converting it would take minutes."""
    line = 0
    for block in re.split(r"(\n[ \t]*\n)", text):
        if block.count("[") > MAX_BRACKETS_PER_BLOCK:
            raise MarkupError(
                f"a paragraph holds more than {MAX_BRACKETS_PER_BLOCK} `[`, which takes too long "
                "to convert; split it or write the brackets as `\\[`", line,
            )
        line += block.count("\n")


class _TimedOut(BaseException):
    """Raised by the alarm inside a conversion (a BaseException, so Markdown cannot swallow it)."""


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Interrupt the block after `seconds`, where signals can (the main thread of the process)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def alarm(signum: int, frame: object) -> None:
        raise _TimedOut

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _TimedOut:
        raise MarkupTimeout(f"converting the Markdown took more than {seconds:g} s; simplify the body "
                          "or raise `markdown_time_limit` in sitegen.toml") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class Rendered:
    """A body converted to HTML, with the link targets that were disarmed."""

    html: str
    unsafe_urls: tuple[str, ...]
    """URLs with a scheme other than http, https, mailto: shown as text instead."""
    summary: str
    """Plain text of the first paragraph, for descriptions and feeds."""
    untitled_frames: tuple[str, ...] = ()
    """The addresses of raw `<iframe>`s without a `title`, which screen readers announce them by."""
    images_without_alt: tuple[str, ...] = ()
    """The addresses of images with no alternative text: `![](chart.png)`, or raw `<img>` without `alt`."""


def is_safe_url(url: str) -> bool:
    """Allow http, https, mailto and relative URLs; nothing that can run code."""
    # Browsers drop tabs and newlines inside a scheme ("java\tscript:").
    cleaned = re.sub(r"[\x00-\x20]", "", html.unescape(url))
    try:
        scheme = urlsplit(cleaned).scheme.lower()
    except ValueError:
        return False
    return scheme == "" or scheme in SAFE_SCHEMES


class _DisarmLinks(Treeprocessor):
    """Replace links and images with unsafe URLs by their text; write the others' URLs valid."""

    def __init__(self, md: markdown.Markdown, found: list[str], unnamed: list[str]) -> None:
        super().__init__(md)
        self.found = found
        self.unnamed = unnamed

    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                attribute = {"a": "href", "img": "src"}.get(child.tag)
                if attribute is None:
                    continue
                url = child.get(attribute, "")
                if is_safe_url(url) and (url or child.tag == "a"):
                    if child.tag == "img" and not (child.get("alt") or "").strip():
                        self.unnamed.append(url)
                    if markdown.util.STX not in url:  # else an address Markdown hides from bots
                        child.set(attribute, escaped_url(url))
                    if child.tag == "a" and url and not _has_name(child):
                        # `[](url)`: a screen reader would say only "link"; show where it goes.
                        child.text = url
                    continue
                if url:  # an image with no address is left out, not reported: it shows nothing
                    self.found.append(url)
                replacement = etree.Element("span")
                if child.tag == "img":
                    replacement.text = child.get("alt", "")
                else:
                    replacement.text = child.text
                    replacement.extend(list(child))
                replacement.tail = child.tail
                parent.remove(child)
                parent.insert(index, replacement)


def _has_name(link: etree.Element) -> bool:
    """Tell whether a link has words to be read out: text, or an image's alternative text."""
    return bool("".join(link.itertext()).strip()) or any(
        (image.get("alt") or "").strip() for image in link.iter("img"))


class _TermBeforeDefinitions(Treeprocessor):
    """Give a definition list that starts with a definition an empty term.

    `def_list` takes the paragraph above a `:   definition` line as its term; after a list, a
    quote or code there is none, and `<dl><dd>` is invalid HTML. An empty `<dt>` keeps the
    author's text where it was and the page valid.
    """

    def run(self, root: etree.Element) -> None:
        for definitions in root.iter("dl"):
            if len(definitions) and definitions[0].tag == "dd":
                term = etree.Element("dt")
                term.tail = "\n"
                definitions.insert(0, term)


class _DropEmptyHeadings(Treeprocessor):
    """Leave out a heading with no words (`#` alone on a line): it shows nothing, yet a screen
    reader lists it among the page's headings, unnamed, and the HTML checker warns of it."""

    HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

    def run(self, root: etree.Element) -> None:
        for parent in list(root.iter()):
            for child in list(parent):
                if child.tag in self.HEADINGS and not _has_name(child):
                    _remove_keeping_tail(parent, child)


def _remove_keeping_tail(parent: etree.Element, child: etree.Element) -> None:
    """Take an element out of the tree, keeping the text after it where it was."""
    if child.tail and child.tail.strip():
        index = list(parent).index(child)
        if index:
            before = parent[index - 1]
            before.tail = (before.tail or "") + child.tail
        else:
            parent.text = (parent.text or "") + child.tail
    parent.remove(child)


class _SafeMarkdown(Extension):
    """Escape raw HTML and disarm unsafe links, reporting what was disarmed."""

    def __init__(self, found: list[str], unnamed: list[str], allow_html: bool) -> None:
        super().__init__()
        self.found = found
        self.unnamed = unnamed
        self.allow_html = allow_html

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        if not self.allow_html:
            # Without these, `<script>` stays text and the serializer escapes it.
            md.preprocessors.deregister("html_block")
            md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_DisarmLinks(md, self.found, self.unnamed), "sitegen_disarm", 0)
        md.treeprocessors.register(_TermBeforeDefinitions(md), "sitegen_terms", 0)
        md.treeprocessors.register(_DropEmptyHeadings(md), "sitegen_empty_headings", 0)


class MarkdownRenderer:
    """Convert bodies with one configured Python-Markdown (slow to set up, so it is reused)."""

    def __init__(self, allow_html: bool = False) -> None:
        self.allow_html = allow_html
        self._found: list[str] = []
        self._unnamed: list[str] = []
        self._md = markdown.Markdown(
            extensions=[*(extension() for extension in EXTENSIONS),
                        _SafeMarkdown(self._found, self._unnamed, allow_html)],
            output_format="html",
        )

    def render(self, text: str, seconds: float | None = None) -> Rendered:
        """Return the HTML of a Markdown body; raise `MarkupError` when it would not end soon."""
        check_brackets(text)
        self._found.clear()
        self._unnamed.clear()
        self._md.reset()
        try:
            with time_limit(seconds):
                body = self._md.convert(text)
        except RecursionError:
            raise MarkupError("the Markdown nests too deeply to convert; flatten its lists or quotes") \
                from None
        frames: list[str] = []
        if self.allow_html:
            body = with_image_alts(with_frame_titles(cleaned(body, SAFE_SCHEMES), frames), self._unnamed)
        body = CHARACTER_REFERENCE.sub(_replaced_if_forbidden, body)
        return Rendered(body, tuple(self._found), first_paragraph_text(body), tuple(frames),
                        tuple(self._unnamed))


CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")
"""A numeric character reference, which Python-Markdown passes through as the author wrote it."""


def _replaced_if_forbidden(reference: re.Match[str]) -> str:
    """`&#0;` or `&#xD800;` make a page invalid (and a feed ill-formed): write what a browser
    shows for them instead, the replacement character; a reference to a real character stays."""
    digits = (reference[1] or reference[2]).lstrip("0")
    if len(digits) > 8:  # past the last code point, and too long to read as a number
        return "\ufffd"
    code = int(digits or "0", 16 if reference[1] else 10)
    return "\ufffd" if is_forbidden_code(code) else reference[0]


def first_paragraph_text(body_html: str, limit: int = 300) -> str:
    """Return the first paragraph as plain text, cut at a word near `limit`."""
    match = re.search(r"<p>(.*?)</p>", body_html, re.DOTALL)
    if not match:
        return ""
    text = html.unescape(re.sub(r"<[^>]+>", "", match.group(1)))
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + "…"
    return text
