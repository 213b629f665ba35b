"""Search in Chromium: the Pagefind index of a site served by nginx under a sub-path."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from sitegen.build import Builder
from sitegen.outputs.search import find_pagefind
from tests.support.sites import REPO_ROOT, event, statement, story
from tests.support.tools import format_axe, require_tool, run_axe

CHECKS = "https://example.org/checks/"
WORD = "respectable"
"""In the body of exactly one entry of the example site: Peskov's denial."""
ENTRY = "trump-putin-call/peskov-denial/"


@pytest.fixture
def served(tmp_path: Path, nginx_server: Callable[..., str]) -> str:
    """The example site, built with its search index, served at /checks/."""
    require_tool("pagefind", find_pagefind() is not None, "pip install pagefind-bin (a sitegen dependency)")
    output = tmp_path / "public"
    result = Builder(REPO_ROOT, output, base_url=CHECKS).build()
    assert result.ok and not result.diagnostics, [d.format() for d in result.diagnostics]
    assert (output / "pagefind" / "pagefind-ui.js").is_file()
    holders = [
        p.relative_to(output).as_posix()
        for p in output.glob("*/*/index.html")
        if re.search(rf"\b{WORD}\b", lxml.html.fromstring(p.read_bytes()).xpath(
            'string(//*[@class="entry-body"])'), re.IGNORECASE)
    ]
    assert holders == [ENTRY + "index.html"]
    return nginx_server(output, "/checks/")


def results(page: Any) -> list[str]:
    """Wait for Pagefind's results; return their links."""
    page.wait_for_selector(".pagefind-ui__result-link")
    return [str(href) for href in page.eval_on_selector_all(
        ".pagefind-ui__result-link", "links => links.map(a => a.href)")]


def test_typing_a_word_finds_the_entry(page: Any, served: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(served + "search/")
    page.fill(".pagefind-ui__search-input", WORD)
    assert results(page) == [served + ENTRY]
    # A result says what the desk found and when, as the entry's page does.
    page.wait_for_selector(".pagefind-ui__result-tag")
    tags = page.eval_on_selector_all(
        ".pagefind-ui__result-tag", "tags => tags.map(t => t.textContent.trim())")
    assert tags == ["Our rating: Unproven", "Date: 11 November 2024"]
    # The result is titled as the entry and quotes the words around the match, from its body.
    title = page.inner_text(".pagefind-ui__result-title")
    assert title == "Kremlin says the reported Trump–Putin call did not happen"
    excerpt = page.inner_text(".pagefind-ui__result-excerpt")
    assert "published by even some respectable outlets" in excerpt
    assert page.inner_text(".pagefind-ui__result-excerpt mark") == "respectable"
    font = page.eval_on_selector(".pagefind-ui__result-title", "e => getComputedStyle(e).fontFamily")
    assert font == page.eval_on_selector("body", "e => getComputedStyle(e).fontFamily")
    page.click(".pagefind-ui__result-link")
    page.wait_for_url(served + ENTRY)
    assert "Kremlin says" in page.title()
    assert errors == []


def test_the_search_box_is_named_by_the_pages_heading(page: Any, served: str) -> None:
    # Pagefind names its box by a title only: axe's best practice wants a label one can see.
    page.goto(served + "search/")
    page.wait_for_selector(".pagefind-ui__search-input")
    assert page.eval_on_selector(".pagefind-ui__search-input", "e => e.getAttribute('aria-labelledby')") \
        == "search-title"
    violations = run_axe(page, tags=["wcag2a", "wcag2aa", "best-practice"])
    assert not violations, format_axe(violations)


def test_search_from_the_404_form_and_filters(page: Any, served: str) -> None:
    page.goto(served + "no/such/page/")
    page.fill("#not-found-query", WORD)
    page.press("#not-found-query", "Enter")
    page.wait_for_url(re.compile(r".*/checks/search/\?q=respectable$"))
    assert results(page) == [served + ENTRY]

    filters = page.evaluate("""async () => {
        const pagefind = await import(new URL("../pagefind/pagefind.js", location.href).href);
        await pagefind.options({baseUrl: new URL("../", location.href).pathname});
        const all = await pagefind.filters();
        const peskov = await pagefind.search(null, {filters: {speaker: "Dmitry Peskov"}});
        const events = await pagefind.search(null, {filters: {kind: "Event"}});
        const unproven = await pagefind.search("Kremlin", {filters: {rating: "Unproven"}});
        return {
            all,
            peskov: await Promise.all(peskov.results.map(r => r.data().then(d => d.url))),
            events: events.results.length,
            unproven: unproven.results.length,
        };
    }""")
    assert set(filters["all"]) == {"story", "speaker", "kind", "rating"}
    assert filters["all"]["story"] == {"Did Trump call Putin after the 2024 election?": 8}
    assert filters["all"]["kind"] == {"Event": 3, "Statement": 5}
    assert filters["peskov"] == ["/checks/" + ENTRY]
    assert filters["events"] == 3
    assert filters["unproven"] >= 1


def test_without_javascript_the_page_says_what_to_do(new_page: Callable[..., Any], served: str) -> None:
    page = new_page(java_script_enabled=False)
    page.goto(served + "search/")
    text = page.inner_text("main")
    assert "Search needs JavaScript" in text
    assert page.locator("main a[href='../speakers/']").count() == 1


SHARDED = {
    "content/budget/_index.md": story("The budget", "Was the budget cut?"),
    "content/budget/cut.md": event("2024-05-02", "The budget is cut", body="New sanctions are announced."),
    "content/budget/reply.md": statement("2024-05-03", "Jane Roe", "Roe defends the cut",
                                         body="She said the sanctions were needed."),
    "content/visit/_index.md": story("The visit", "Did the minister visit?"),
    "content/visit/trip.md": event("2024-06-01", "The minister travels", body="The sanctions stay."),
    "content/visit/denial.md": statement("2024-06-02", "John Doe", "Doe denies the trip",
                                         body="He called the sanctions a pretext."),
}
"""Two stories; with shards of two records each story is its own shard, all four entries say "sanctions"."""


@pytest.fixture
def sharded(write_site: Callable[..., Path], nginx_server: Callable[..., str],
            monkeypatch: pytest.MonkeyPatch) -> str:
    """A site whose index is in two shards, served at /checks/."""
    from sitegen.outputs import search_shards

    require_tool("pagefind", find_pagefind() is not None, "pip install pagefind-bin (a sitegen dependency)")
    monkeypatch.setattr(search_shards, "SHARD_RECORDS", 2)
    root = write_site(SHARDED)
    result = Builder(root, root / "public").build()
    assert result.ok, [d.format() for d in result.diagnostics]
    assert (root / "public/pagefind/shards/1/pagefind-entry.json").is_file()
    return nginx_server(root / "public", "/checks/")


def test_a_search_finds_and_filters_entries_of_every_shard(page: Any, sharded: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(sharded + "search/?q=sanctions")
    page.wait_for_function("document.querySelectorAll('.pagefind-ui__result-link').length === 4")
    assert sorted(results(page)) == [sharded + path for path in (
        "budget/cut/", "budget/reply/", "visit/denial/", "visit/trip/")]
    # The filters count the entries of both shards, and choosing one narrows both.
    page.click("summary.pagefind-ui__filter-name >> text=Kind")
    assert page.inner_text("label[for='kind-Statement']").strip() == "Statement (2)"
    page.check("input[id='kind-Statement']")
    page.wait_for_function("document.querySelectorAll('.pagefind-ui__result-link').length === 2")
    assert sorted(results(page)) == [sharded + "budget/reply/", sharded + "visit/denial/"]
    page.click("summary.pagefind-ui__filter-name >> text=Story")
    assert page.inner_text("label[for='story-The visit']").strip() == "The visit (1)"
    assert errors == []
