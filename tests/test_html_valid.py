"""Every HTML page passes the Nu Html Checker: the example site, a site with every feature, and
sites whose every field and body holds odd (not hostile) text."""

from __future__ import annotations

import random
import re
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import feedparser

from tests.support.publishing import FULL_SITE, html_files
from tests.support.sites import REPO_ROOT, build_site, write_files
from tests.support.tools import format_vnu


def test_every_page_is_valid_html(
    example_site_build: Path, tmp_path: Path, vnu: Callable[..., list[dict[str, Any]]]
) -> None:
    root = write_files(tmp_path / "site", FULL_SITE)
    result = build_site(root)
    assert result.ok, [d.format() for d in result.diagnostics]
    # The example story read right to left: the same content in an Arabic site (the theme's words
    # stay English until there is an Arabic catalogue, the page is dir="rtl").
    arabic = tmp_path / "arabic"
    shutil.copytree(REPO_ROOT / "content", arabic / "content")
    (arabic / "sitegen.toml").write_text('title = "Checks"\nlanguage = "ar"\n', "utf-8")
    assert build_site(arabic).ok
    assert 'dir="rtl"' in (arabic / "public" / "trump-putin-call" / "index.html").read_text("utf-8")
    pages = html_files(example_site_build) + html_files(root / "public") + html_files(arabic / "public")
    example = {p.relative_to(example_site_build).as_posix() for p in html_files(example_site_build)}
    # The example's Ukrainian site is checked too: story, entry, speaker, tag, index, 404 and search.
    assert {"uk/index.html", "uk/trump-putin-call/index.html", "uk/trump-putin-call/peskov-denial/index.html",
            "uk/speakers/dmitry-peskov/index.html", "uk/tags/russia/index.html", "uk/404.html",
            "uk/search/index.html"} <= example
    names = {p.relative_to(root / "public").as_posix() for p in html_files(root / "public")}
    assert {"search/index.html", "corrections/index.html", "404.html", "about/index.html",
            "bridge-dispute/embed/index.html"} <= names
    assert len(pages) > 50
    errors = vnu(pages)  # one java run for all of them
    assert not errors, format_vnu(errors)


AUTHOR_SLIPS: dict[str, str] = {
    # A folder name with a space, as a newsroom's existing site may have.
    "sitegen.toml": 'title = "Checks\\u0007"\nbase_url = "https://example.org/fact checks/"\n'
                    '[checks]\nsource-not-archived = "off"\n',
    "content/_speakers/ann.md": "---\nname: Ann Example\n---\n### Career\n\nA minister.\n",
    "content/_pages/about.md": "---\ntitle: About\n---\n### Who we are\n\nA desk.\n\n# Contact\n\nWrite.\n",
    "content/budget/_index.md": "---\ntitle: \"The budget\\u0001 vote\"\nsummary: What was said.\n---\n"
                                "#### Deep background\n\nText.\n",
    "content/budget/claim.md": (
        "---\nkind: statement\ndate: 2024-05-02\ntitle: \"Ann says the vote\\u0085 passed\"\n"
        "speaker: ann\nquote: \"It passed\\uFFFE.\"\nsources:\n"
        "  - url: https://example.org/the vote.pdf\n    publisher: Example\n---\n"
        "#### Details first\n\nSee [the report](https://example.org/a report.pdf) &#0; and &#xD800;.\n\n"
        "# Then an overview\n\n![a chart]()\n\n    a code block\n\n:   a definition with no term\n"
        "\nA tab\x0b pasted from a PDF, and a link with no words: [](https://example.org/data).\n"
        "\n##\n\nAfter a heading with no words.\n"
    ),
}
"""What authors really type: levels picked by size, escapes, pasted control codes, unencoded spaces."""


def test_pages_stay_valid_html_whatever_slips_the_author_makes(
    tmp_path: Path, vnu: Callable[..., list[dict[str, Any]]]
) -> None:
    root = write_files(tmp_path / "site", AUTHOR_SLIPS)
    result = build_site(root)
    assert result.ok, [d.format() for d in result.diagnostics]
    warned = "\n".join(d.format() for d in result.diagnostics)
    assert "content/budget/claim.md:4:" in warned and "content/budget/claim.md:23:6:" in warned
    claim = (root / "public" / "budget" / "claim" / "index.html").read_text("utf-8")
    # The words stay, the links work: only what HTML cannot hold was changed.
    assert 'href="https://example.org/a%20report.pdf"' in claim
    assert 'href="https://example.org/the%20vote.pdf"' in claim
    assert '<link rel="canonical" href="https://example.org/fact%20checks/budget/claim/">' in claim
    assert "Ann says the vote passed" in claim and "a definition with no term" in claim
    # A screen reader would say only "link": it shows where it goes.
    assert '<a href="https://example.org/data">https://example.org/data</a>' in claim
    # Headings fall under the page's: the body's first under the h1, none skipping a level.
    assert "<h2>Details first</h2>" in claim and "<h2>Then an overview</h2>" in claim
    # A heading with no words would be an unnamed stop in a screen reader's list of headings.
    assert "After a heading with no words." in claim
    assert not re.search(r"<h[1-6][^>]*>\s*</h[1-6]>", claim)
    story = (root / "public" / "budget" / "index.html").read_text("utf-8")
    assert "<h3>Deep background</h3>" in story and "<h4>Details first</h4>" in story
    errors = vnu(html_files(root / "public"))
    assert not errors, format_vnu(errors)


ODD_TEXT = [
    "&", "<", "\"", "'", "&amp;", "&#0;", "&nbsp;", "\u00a0", "\u200b", "\u202e", "😀", "e\u0301",
    "漢字", "العربية", "Київ", "x" * 120, "\x0b", "\x7f", "\x85", "\ufffe", "\ufdd0", "\U0001fffe",
    "\t", "--", "]]>", "<!--", "*x*", "`code`", "[link](http://x.example/a b)", "<https://a.example/c>",
    "\\", "{{", "%", "#", "\u2028", "\U0010ffff", "\x01",
]
ODD_BODY = [
    *ODD_TEXT,
    "\n\n# Heading\n\n", "\n\n#### Deep\n\n", "\n\n> quoted\n\n", "\n\n| a | b |\n|---|---|\n| c | d |\n\n",
    "[^1]\n\n[^1]: a note\n\n", "\n\n    indented code\n\n:   a definition\n\n", "<div>x</div>", "<br>",
    "![alt](img.png)", "![no address]()", "[](http://empty.example)", "&#xD800;", "<mailto:a@b.example>",
    "<p>para</p>", "<span id=a>s</span>", "<b><i>x</b></i>", "<table><td>cell</table>", "<h1>raw</h1>",
    "<iframe src=x></iframe>", "<a href=''></a>",
]


# Raw HTML is escaped unless a site sets `unsafe_html`, which half of these do: then nh3 keeps
# what is safe and well nested, and a structure only the author can mend (a stray <li>) is theirs.


def odd(rng: random.Random, pieces: list[str], most: int) -> str:
    """A letter, then up to `most` pieces of odd text and plain words."""
    return "A" + "".join(rng.choice(pieces) if rng.random() < 0.6 else rng.choice(["a", " b", ".", ","])
                         for _ in range(rng.randint(1, most)))


def escaped(text: str) -> str:
    """A YAML and TOML double-quoted string holding `text`, invisible characters as escapes."""
    def escape(character: re.Match[str]) -> str:
        code = ord(character[0])
        return f"\\U{code:08x}" if code > 0xFFFF else f"\\u{code:04x}"
    return '"' + re.sub(r'[\\"\x00-\x1f\x7f-\x9f\u2028\u2029\ufdd0-\ufdef\ufffe\uffff\U00010000-\U0010ffff]',
                        lambda m: "\\" + m[0] if m[0] in '\\"' else escape(m), text) + '"'


def odd_site(seed: int) -> dict[str, str]:
    """The full site with odd text in its titles, names, quotes, verdicts, notes and bodies."""
    rng = random.Random(seed)
    files = {path: textwrap.dedent(text) for path, text in FULL_SITE.items()}
    title = escaped(odd(rng, ODD_TEXT, 6))
    files["sitegen.toml"] = files["sitegen.toml"].replace('"Publishing Checks"', title)
    if seed % 2:
        files["sitegen.toml"] = files["sitegen.toml"].replace('language = "en"', 'language = "en"\n'
                                                              'languages = ["en", "uk"]\nunsafe_html = true')
    fields = ("title", "summary", "quote", "verdict", "role", "name", "publisher", "note", "original_quote")
    for path, text in files.items():
        if not path.endswith(".md"):
            continue
        head = text.partition("\n---\n")[0]
        lines = [f"{line[:len(line) - len(line.lstrip())]}{key}: {escaped(odd(rng, ODD_TEXT, 6))}"
                 if (key := line.strip().partition(":")[0]) in fields else line
                 for line in head.split("\n")]
        files[path] = "\n".join(lines) + "\n---\n" + odd(rng, ODD_BODY, 12) + "\n"
    return files


def test_odd_text_in_every_field_and_body_still_gives_valid_pages_and_feeds(
    tmp_path: Path, vnu: Callable[..., list[dict[str, Any]]]
) -> None:
    pages = []
    for seed in range(12):
        root = write_files(tmp_path / f"site-{seed}", odd_site(seed))
        result = build_site(root, search_index=False)
        assert result.ok, (seed, [d.format() for d in result.diagnostics if d.severity == "error"])
        pages += [page for page in html_files(root / "public") if page.name != "search"]
        for feed in (root / "public").rglob("*.xml"):
            if b"<feed" in feed.read_bytes()[:400]:
                parsed = feedparser.parse(feed.read_bytes())
                assert not parsed.bozo, (feed, parsed.get("bozo_exception"))
    assert len(pages) > 250
    errors = vnu(pages)
    assert not errors, format_vnu(errors)
