"""Read a built site the way its consumers do, to prove no author text runs as code.

Every check parses: HTML with lxml, feeds as XML whose `type="html"` content is
parsed again as HTML, JSON documents (timeline.json, JSON-LD) with `json`, and
the strings TimelineJS puts into `innerHTML` as HTML once more. A string
search could be fooled by an entity or a case trick; a parser is what a
browser is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import lxml.etree
import lxml.html

THEME_SCRIPT_FOLDERS = ("assets/", "pagefind/")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "poster")


def folder_digest(root: Path) -> dict[str, str]:
    """Every file under a folder by its hash: equal digests mean the folder was not touched."""
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*")) if path.is_file()
    }


def html_problems(markup: str, where: str, inline_allowed: frozenset[str]) -> Iterator[str]:
    """Live script in an HTML document or fragment: script elements, handlers, script URLs."""
    if not markup.strip():
        return
    tree = lxml.html.fromstring(f"<div>{markup}</div>") if "<html" not in markup[:200] else \
        lxml.html.document_fromstring(markup)
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                yield f"{where}: <{tag} {name}=...> event handler"
            if name.lower() in URL_ATTRIBUTES:
                scheme = "".join(ch for ch in value if ch > " ").lower()
                if scheme.startswith(("javascript:", "vbscript:", "data:text/html")):
                    yield f"{where}: <{tag} {name}={value!r}> script URL"
        # The embed page's own <base target="_top"> sends links to the article's window;
        # a <base href> would re-point every relative link, so that one counts.
        # A frame under `unsafe_html` shows another origin's page, which cannot script this one.
        framed = tag == "iframe" and (element.get("src") or "").startswith("https://") and \
            element.get("srcdoc") is None
        if (tag in ("iframe", "object", "embed") and not framed) or \
                (tag == "base" and element.get("href") is not None):
            yield f"{where}: <{tag}> element"
        if tag == "script":
            kind = element.get("type", "")
            if kind == "application/ld+json":
                json.loads(element.text or "null")  # must parse as JSON, whole
            elif element.get("src"):
                if not any(folder in element.get("src", "") for folder in THEME_SCRIPT_FOLDERS):
                    yield f"{where}: <script src={element.get('src')!r}>"
            elif (element.text or "").strip() not in inline_allowed:
                yield f"{where}: inline <script> {(element.text or '')[:60]!r}"


def timeline_strings(document: object) -> Iterator[str]:
    """Every string of a TimelineJS document (TimelineJS renders headline, text and more as HTML)."""
    if isinstance(document, str):
        yield document
    elif isinstance(document, dict):
        for value in document.values():
            yield from timeline_strings(value)
    elif isinstance(document, list):
        for value in document:
            yield from timeline_strings(value)


def live_script(root: Path, inline_allowed: frozenset[str]) -> list[str]:
    """Every place in a built site where author text could run as script."""
    problems: list[str] = []
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(root).as_posix()
        if relative.startswith(THEME_SCRIPT_FOLDERS):
            continue
        data = path.read_bytes()
        if path.suffix == ".html":
            problems += html_problems(data.decode("utf-8"), relative, inline_allowed)
        elif path.suffix == ".json":
            document = json.loads(data)
            for text in timeline_strings(document):
                problems += html_problems(text, relative, frozenset())
        elif path.suffix == ".xml" and b"<feed" in data[:400]:
            feed = lxml.etree.fromstring(data)
            for element in feed.iter():
                # Atom's other texts are type="text": readers show them as text, by the spec.
                if element.get("type") == "html" and element.text:
                    problems += html_problems(element.text, relative, frozenset())
    return problems


def inline_scripts(root: Path) -> frozenset[str]:
    """The theme's own inline scripts, as a build of harmless content writes them."""
    found = set()
    for path in root.rglob("*.html"):
        tree = lxml.html.document_fromstring(path.read_bytes().decode("utf-8"))
        for script in tree.iter("script"):
            if not script.get("src") and script.get("type") != "application/ld+json":
                found.add((script.text or "").strip())
    return frozenset(found)
