"""HTML written for TimelineJS, as Markdown bodies and plain-text fields.

TimelineJS shows `text`, captions and credits as HTML, so files carry links,
emphasis and lists as tags. markdownify (on BeautifulSoup) keeps those and
drops scripts and styles with their content; nothing here parses HTML by hand.
"""

from __future__ import annotations

import re
from typing import Required, TypedDict

from bs4 import BeautifulSoup, Tag
from markdownify import MarkdownConverter

from sitegen.structure.characters import without_forbidden

DROPPED_TAGS = ("script", "style", "iframe", "object", "embed", "noscript", "template")
"""Elements whose content is code or a foreign player, never words for the body."""


_MARKDOWN_SIGNS = re.compile(r"([\\`*_\[\]])")
"""What makes Markdown of plain words anywhere in a line: escaped with a backslash."""
_LINE_SIGNS = re.compile(r"^(\s*)(-+|\++|#{1,6}|>|\d{1,9}[.)])(?=\s|$)", re.MULTILINE)
"""What makes a list, a heading or a quote at the start of a line ("1945. The war ends")."""
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")


class _BodyConverter(MarkdownConverter):
    """ATX headings and `-` bullets, the way sitegen's own entries are written; a text's words
    stay words. markdownify's own `escape_misc` escapes `<`, `&`, `=`, `|` and `~` with a
    backslash, which Python-Markdown does not take as an escape and shows; here `<` and `&`
    become entities and only Python-Markdown's escapable signs get a backslash."""

    def escape(self, text: str, parent_tags: set[str]) -> str:
        if not text:
            return ""
        text = _MARKDOWN_SIGNS.sub(r"\\\1", text)
        text = _ENTITY_LIKE.sub("&amp;", text).replace("<", "&lt;")
        return _LINE_SIGNS.sub(_escaped_line_sign, text)


def _escaped_line_sign(found: re.Match[str]) -> str:
    sign = found[2]
    if sign[0].isdigit():  # the number stays; the dot after it is what makes the list
        return found[1] + sign[:-1] + "\\" + sign[-1]
    return found[1] + "\\" + sign


def _clean_soup(html: str) -> BeautifulSoup:
    soup = BeautifulSoup(html, "html.parser")
    for element in soup(DROPPED_TAGS):
        element.decompose()
    return soup


def to_markdown(html: str) -> str:
    """Convert TimelineJS HTML to Markdown, keeping links, emphasis and lists."""
    if not html.strip():
        return ""
    converter = _BodyConverter(heading_style="ATX", bullets="-")
    # A character reference (`&#1;`) decodes to what no page may carry: what a browser shows
    # for it is nothing, so the body keeps nothing.
    text = without_forbidden(converter.convert_soup(_clean_soup(html)))
    # Trailing blanks go, but for the two spaces of a line break (`<br>`), which Python-Markdown
    # reads as one (it has no backslash break).
    text = re.sub(r"[ \t]+\n", lambda blanks: "  \n" if blanks[0] == "  \n" else "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


SOURCES_CLASS = "sitegen-sources"
"""The paragraph of a slide's text listing its sources, as sitegen's exports write it
(the theme's `partials/timelinejs.html`): each source a `sitegen-source` span holding its
link, then its publisher, `<time datetime>`, archived copy and anonymous mark, each marked."""
SOURCE_CLASS = "sitegen-source"
PUBLISHER_CLASS = "sitegen-publisher"
ARCHIVE_CLASS = "sitegen-archive"
ANONYMOUS_CLASS = "sitegen-anonymous"

class Source(TypedDict, total=False):
    """A source as an entry's front matter lists it."""

    url: Required[str]
    title: str
    publisher: str
    date: str
    archive: str
    anonymous: bool


def split_sources(html: str) -> tuple[str, list[Source]]:
    """A slide's text without the sources paragraph of a sitegen export, and those sources
    with every field the export wrote, so a story exported and imported again keeps them.

    A paragraph of an export from before the fields were marked (links, each followed by
    ` — ` and its publisher) is read too: its sources keep their url, title and publisher."""
    if SOURCES_CLASS not in html:
        return html, []
    soup = BeautifulSoup(html, "html.parser")
    sources: list[Source] = []
    for paragraph in soup.find_all("p", class_=SOURCES_CLASS):
        marked = paragraph.find_all("span", class_=SOURCE_CLASS)
        if marked:
            sources += [source for span in marked if (source := _marked_source(span))]
        else:
            sources += [_linked_source(link) for link in paragraph.find_all("a", href=True)]
        paragraph.decompose()
    return str(soup), sources


def without_permalink(html: str) -> str:
    """A slide's text without its last paragraph when that is only a link whose words are its
    address: the way back to the entry's page a sitegen export ends each slide with, which an
    import of that export would keep as the body's last line."""
    soup = BeautifulSoup(html, "html.parser")
    blocks = [node for node in soup.contents if not (isinstance(node, str) and not node.strip())]
    last = blocks[-1] if blocks else None
    if isinstance(last, Tag) and last.name == "p":
        children = [node for node in last.contents if not (isinstance(node, str) and not node.strip())]
        link = children[0] if len(children) == 1 else None
        if isinstance(link, Tag) and link.name == "a" and link.get_text().strip() == link.get("href"):
            last.decompose()
            return str(soup)
    return html


LEAD_CLASSES = ("sitegen-speaker", "sitegen-quote", "sitegen-rating")
"""The paragraphs of a sitegen export that say who said what and the verdict (`entry_lead`)."""


class Lead(TypedDict, total=False):
    """A statement's fields as a sitegen export's slide gives them."""

    speaker: str
    role: str
    quote: str
    original_quote: str
    original_language: str
    verdict: str


def split_lead(html: str) -> tuple[str, Lead]:
    """A slide's text without the speaker, quote and verdict paragraphs of a sitegen export,
    and those as fields. The rating's label is left out: the importing site's scale names it."""
    if not any(name in html for name in LEAD_CLASSES):
        return html, {}
    soup = BeautifulSoup(html, "html.parser")
    found: dict[str, str] = {}
    for element in soup.find_all(class_=list(LEAD_CLASSES)):
        classes = element.get_attribute_list("class")
        if "sitegen-speaker" in classes:
            role = element.find("span", class_="sitegen-role")
            if role is not None:
                found["role"] = _words(role.get_text(" "))
                role.decompose()
            found["speaker"] = _words(element.get_text(" ")).removesuffix(",").strip()
        elif "sitegen-quote" in classes and element.get("lang"):
            found["original_quote"] = _words(element.get_text(" "))
            found["original_language"] = str(element["lang"])
        elif "sitegen-quote" in classes:
            found["quote"] = _words(element.get_text(" "))
        elif (verdict := element.find("span", class_="sitegen-verdict")) is not None:
            found["verdict"] = _words(verdict.get_text(" "))
        element.decompose()
    lead: Lead = {key: value for key, value in found.items() if value}  # type: ignore[assignment]
    return str(soup), lead


def _words(text: str) -> str:
    return " ".join(without_forbidden(text).split())


def _marked_source(span: Tag) -> Source | None:
    archive = span.find("a", class_=ARCHIVE_CLASS, href=True)
    link = next((a for a in span.find_all("a", href=True) if a is not archive), None)
    if link is None:
        return None
    url = str(link["href"]).strip()
    source: Source = {"url": url}
    if (title := _words(link.get_text(" "))) and title != url:
        source["title"] = title
    if (publisher := span.find("span", class_=PUBLISHER_CLASS)) and (name := _words(publisher.get_text(" "))):
        source["publisher"] = name
    if (time := span.find("time")) and (when := str(time.get("datetime", "")).strip()):
        source["date"] = when
    if archive is not None and (copy := str(archive["href"]).strip()):
        source["archive"] = copy
    if span.find("span", class_=ANONYMOUS_CLASS):
        source["anonymous"] = True
    return source


def _linked_source(link: Tag) -> Source:
    url = str(link["href"]).strip()
    source: Source = {"url": url}
    if (title := _words(link.get_text(" "))) and title != url:
        source["title"] = title
    after, followed = [], False
    for sibling in link.next_siblings:
        if getattr(sibling, "name", None) == "a":
            followed = True  # then `; ` separates this source from the next
            break
        after.append(sibling.get_text(" ") if isinstance(sibling, Tag) else str(sibling))
    publisher = _words("".join(after)).removeprefix("— ")
    publisher = publisher.removesuffix(";") if followed else publisher
    if publisher:
        source["publisher"] = publisher
    return source


BLOCK_TAGS = ("address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
              "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p",
              "pre", "section", "table", "td", "th", "tr", "ul")
"""Elements that end a run of words: between two of them there is a space, inside others none."""


def to_plain_text(html: str) -> str:
    """The words of an HTML fragment on one line, entities decoded: for titles and names.
    `Won<b>der</b>ful` is one word and `H<sub>2</sub>O` one formula; `<p>a</p><p>b</p>` two words."""
    if not html.strip():
        return ""
    soup = _clean_soup(html)
    for block in soup.find_all(BLOCK_TAGS):
        block.insert_before(" ")
        block.insert_after(" ")
    return " ".join(without_forbidden(soup.get_text()).split())


def first_sentences(text: str, limit: int = 280) -> str:
    """The first sentences of a text that fit in `limit` characters, for a summary or a title."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    sentences = re.split(r"(?<=[.!?])\s+", text)
    kept = ""
    for sentence in sentences:
        if len(kept) + len(sentence) + 1 > limit:
            break
        kept = f"{kept} {sentence}".strip()
    if kept:
        return kept
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"
