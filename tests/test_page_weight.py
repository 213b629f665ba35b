"""The page-weight budget: a 20-entry story with its CSS and JS under 60 KB, in at most 3 requests.

The story is written here at the size of a typical timeline entry: a headline,
a paragraph of body, and for statements a speaker, a quote, a rating with its
verdict, an archived source and a relation to the entry before. The bytes are what Chromium actually
fetched, so anything a template adds to the page (a font, a script, a
third-party widget) counts.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.support.sites import REPO_ROOT, build_site

BUDGET_BYTES = 60_000
MAX_REQUESTS = 3
ENTRIES = 20

BODY = (
    "Officials gave conflicting accounts of the meeting on the day it was reported, and the"
    " record made public since then is thin: two statements, one readout and no documents."
    " What is not known, including who took part and what was agreed, is marked as such;"
    " we will update this entry if the participants publish anything that settles it."
)
"""A body the length of a TimelineJS slide's text (~350 characters)."""


def statement(number: int) -> str:
    """A rated statement that answers the entry before it."""
    return f"""---
kind: statement
date: 2024-11-{number:02d}T{8 + number % 10:02d}:30
title: "Spokesperson {number} says the reported meeting did not take place"
speaker: speaker-{number % 4}
role: "Government spokesperson"
quote: "There was no such meeting, and the reports about it are simply not true."
rating: unproven
verdict: "No evidence was offered for the denial, and no record of the meeting has been published."
reviewed: 2024-11-20
responds_to: entry-{number - 1:02d}
sources:
  - url: "https://news.example.com/2024/11/{number:02d}/denial"
    title: "Spokesperson denies report of meeting"
    publisher: "Example News"
    date: 2024-11-{number:02d}
    archive: "https://web.archive.org/web/20241120000000/https://news.example.com/2024/11/{number:02d}/denial"
---
{BODY}
"""


def event(number: int) -> str:
    """An unrated event with one source."""
    return f"""---
kind: event
date: 2024-11-{number:02d}
title: "Delegations {number} meet in the capital, according to reports"
sources:
  - url: "https://wire.example.org/2024/11/{number:02d}/meeting"
    title: "Delegations meet"
    publisher: "Example Wire"
    date: 2024-11-{number:02d}
---
{BODY}
"""


def twenty_entry_site(write_site: Callable[..., Path]) -> Path:
    """The example site's configuration with one 20-entry story."""
    files = {
        # The example's settings as a one-language site: the budget is the story's own
        # weight; a second language adds its switcher and hreflang links (~0.5 KB).
        "sitegen.toml": (REPO_ROOT / "sitegen.toml").read_text("utf-8").replace(
            'languages = ["en", "uk"]', 'languages = ["en"]'),
        "content/meeting/_index.md": (
            "---\ntitle: \"Did the delegations meet?\"\nsummary: \"Reports of a meeting, and the denials.\"\n"
            "status: developing\n---\nWhat was reported, and what was denied.\n"
        ),
    }
    for number in range(1, ENTRIES + 1):
        text = statement(number) if number % 2 == 0 else event(number)
        files[f"content/meeting/entry-{number:02d}.md"] = text
    for number in range(4):
        files[f"content/_speakers/speaker-{number}.md"] = f"---\nname: Spokesperson {number}\n---\n"
    return write_site(files)


def fetched(page: Any, url: str) -> list[tuple[str, int]]:
    """Load a page and list every request it made with the bytes of its body."""
    responses: list[Any] = []
    page.on("response", lambda response: responses.append(response))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return [(r.url, len(r.body())) for r in responses]


def test_a_twenty_entry_story_is_under_budget(
    write_site: Callable[..., Path], static_server: Callable[..., str], page: Any
) -> None:
    root = twenty_entry_site(write_site)
    result = build_site(root)
    assert result.ok, [d.format() for d in result.diagnostics]
    html = (root / "public" / "meeting" / "index.html").read_text("utf-8")
    assert html.count('<article class="entry') == ENTRIES

    base = static_server(root / "public", "/checks/")
    requests = fetched(page, base + "meeting/")
    # Browsers fetch a favicon once per site, whatever the page; it is not part of the page.
    requests = [(url, size) for url, size in requests if "favicon" not in url]
    hosts = {urlsplit(url).netloc for url, _ in requests}
    report = "\n".join(f"{size:>7} {url}" for url, size in requests)
    assert hosts == {urlsplit(base).netloc}, f"third-party requests:\n{report}"
    assert len(requests) <= MAX_REQUESTS, f"too many requests:\n{report}"
    assert not any(url.endswith((".woff", ".woff2", ".ttf", ".otf")) for url, _ in requests), report
    total = sum(size for _, size in requests)
    assert total <= BUDGET_BYTES, f"{total} bytes > {BUDGET_BYTES}:\n{report}"
    print(f"story page weight: {total} bytes in {len(requests)} requests\n{report}")


def test_the_timeline_script_is_small_and_optional() -> None:
    script = REPO_ROOT / "layouts" / "assets" / "timeline.js"
    assert script.stat().st_size < 10 * 1024
    story = (REPO_ROOT / "layouts" / "story.html").read_text("utf-8")
    assert "defer" in story and "timeline.js" in story
