"""`sitegen serve` in a real browser: open pages follow edits without anyone navigating.

A marker set on `window` before an edit tells a reload (gone) from an in-place
update (still there).
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support.sites import event, story
from tests.test_serve import basic_files, save_atomically, serve  # noqa: F401  (serve is a fixture)

LONG_BODY = "\n\n".join(f"Paragraph {n} of a long analysis." for n in range(150))
TIMEOUT = 15_000


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_an_edit_reloads_the_page_and_keeps_the_scroll_position(
    write_site: Callable[..., Path], serve: Any, new_page: Callable[..., Any],  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    site = write_site({**basic_files(),
                       "content/alpha/first.md": event("2024-11-10", "First alpha event", body=LONG_BODY)})
    server = serve(site)
    page = new_page(viewport={"width": 800, "height": 600})
    page.goto(f"{server.base}/alpha/first/")
    page.evaluate("() => { window.scrollTo(0, 1500); window.__marker = 1; }")
    page.wait_for_function("() => window.scrollY > 1000")

    save_atomically(site / "content/alpha/first.md",
                    event("2024-11-10", "Edited in the editor", body=LONG_BODY))
    expect(page.locator("h1")).to_contain_text("Edited in the editor", timeout=TIMEOUT)
    assert page.evaluate("() => window.__marker") is None  # the page reloaded
    page.wait_for_function("() => window.scrollY > 1000", timeout=TIMEOUT)
    assert page.url == f"{server.base}/alpha/first/"


def test_an_edit_leaves_a_page_that_does_not_show_it_alone_and_reloads_the_edited_one_once(
    write_site: Callable[..., Path], serve: Any, new_page: Callable[..., Any],  # noqa: F811
) -> None:
    site = write_site(basic_files())
    server = serve(site)
    elsewhere, edited = new_page(), new_page()
    elsewhere.goto(f"{server.base}/beta/")
    edited.goto(f"{server.base}/alpha/first/")
    loads = []
    edited.on("load", lambda _: loads.append(1))
    for page in (elsewhere, edited):
        page.evaluate("() => { window.__marker = 1; }")
    builds = server.builds()

    save_atomically(site / "content/alpha/first.md", event("2024-11-10", "Edited once", "tags: [kremlin]\n"))
    edited.wait_for_function("() => document.querySelector('h1').textContent.includes('Edited once')",
                             timeout=TIMEOUT)
    server.wait_for_log(r"rebuilt in|build failed", count=builds + 1)
    edited.wait_for_timeout(500)  # time for a second reload, were one coming
    assert loads == [1]  # shown at the first look, and not reloaded by the rest of the build
    assert elsewhere.evaluate("() => window.__marker") == 1  # another story's page: no reload


def test_a_stylesheet_change_swaps_it_without_a_reload(
    write_site: Callable[..., Path], serve: Any, new_page: Callable[..., Any],  # noqa: F811
) -> None:
    css = "layouts/assets/style.css"
    site = write_site({**basic_files(), css: "body { background-color: rgb(1, 2, 3); }\n"})
    server = serve(site)
    page = new_page()
    page.goto(f"{server.base}/alpha/")
    background = "() => getComputedStyle(document.body).backgroundColor"
    assert page.evaluate(background) == "rgb(1, 2, 3)"
    page.evaluate("() => { window.__marker = 1; }")

    save_atomically(site / css, "body { background-color: rgb(4, 5, 6); }\n")
    page.wait_for_function(f"() => ({background})() === 'rgb(4, 5, 6)'", timeout=TIMEOUT)
    assert page.evaluate("() => window.__marker") == 1  # no reload
    assert page.locator('link[rel="stylesheet"]').count() == 1


def test_a_broken_entry_shows_an_overlay_over_the_last_good_build(
    write_site: Callable[..., Path], serve: Any, new_page: Callable[..., Any],  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    site = write_site(basic_files())
    server = serve(site)
    page = new_page()
    page.goto(f"{server.base}/alpha/")
    page.evaluate("() => { window.__marker = 1; }")
    overlay = page.locator("#sitegen-errors")

    entry = site / "content/alpha/first.md"
    entry.write_text("---\nkind: evnt\ndate: 2024-11-10\ntitle: First alpha event\n---\n\nBody.\n")
    expect(overlay).to_be_visible(timeout=TIMEOUT)
    expect(overlay).to_contain_text("content/alpha/first.md:2:")
    expect(overlay).to_contain_text("`kind` must be one of event, statement")
    assert page.evaluate("() => window.__marker") == 1  # the last good page stays, under the overlay
    for path in ("/alpha/", "/alpha/first/", "/beta/", "/speakers/dmitry-peskov/"):
        assert status_of(server.base + path) == 200, path

    later = new_page()  # a page opened while the site is broken shows the errors too
    later.goto(f"{server.base}/beta/")
    expect(later.locator("#sitegen-errors")).to_contain_text("content/alpha/first.md:2:", timeout=TIMEOUT)

    save_atomically(entry, event("2024-11-10", "Fixed alpha event"))
    expect(page.locator("#sitegen-errors")).to_have_count(0, timeout=TIMEOUT)
    expect(page.locator("main")).to_contain_text("Fixed alpha event", timeout=TIMEOUT)
    expect(later.locator("#sitegen-errors")).to_have_count(0, timeout=TIMEOUT)


def test_broken_templates_and_config_are_shown_the_same_way(
    write_site: Callable[..., Path], serve: Any, new_page: Callable[..., Any],  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    site = write_site({**basic_files(), "content/alpha/_index.md": story("Alpha story")})
    server = serve(site)
    page = new_page()
    page.goto(f"{server.base}/alpha/first/")
    overlay = page.locator("#sitegen-errors")

    template = site / "layouts" / "entry.html"
    template.parent.mkdir(parents=True, exist_ok=True)
    template.write_text('{% extends "base.html" %}\n{% block main %}\n{{ entry.title }\n{% endblock %}\n')
    expect(overlay).to_contain_text("layouts/entry.html:3:", timeout=TIMEOUT)
    template.unlink()
    expect(overlay).to_have_count(0, timeout=TIMEOUT)

    config = site / "sitegen.toml"
    good = config.read_text()
    config.write_text('title = "unterminated\n')
    expect(page.locator("#sitegen-errors")).to_contain_text("sitegen.toml:1:", timeout=TIMEOUT)
    config.write_text(good)
    expect(page.locator("#sitegen-errors")).to_have_count(0, timeout=TIMEOUT)
    assert status_of(f"{server.base}/alpha/first/") == 200


def test_error_messages_are_shown_as_text_never_as_markup(
    write_site: Callable[..., Path], serve: Any, new_page: Callable[..., Any],  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    site = write_site(basic_files())
    server = serve(site)
    page = new_page()
    page.goto(f"{server.base}/alpha/")
    hostile = "<img src=x onerror=window.__xss=1>"
    (site / "content/alpha/first.md").write_text(
        f"---\nkind: '{hostile}'\ndate: 2024-11-10\ntitle: T\n---\n\nBody.\n")
    overlay = page.locator("#sitegen-errors")
    expect(overlay).to_contain_text(hostile, timeout=TIMEOUT)
    assert overlay.locator("img").count() == 0
    assert page.evaluate("() => window.__xss") is None


def test_search_in_the_preview_finds_entries_and_follows_an_edited_title(
    write_site: Callable[..., Path], serve: Any, new_page: Callable[..., Any],  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    from sitegen.outputs.search import find_pagefind
    from tests.support.tools import require_tool

    require_tool("pagefind", find_pagefind() is not None, "pip install pagefind-bin (a sitegen dependency)")
    site = write_site(basic_files())
    server = serve(site)
    # The index is made beside the preview, after the build is shown.
    server.wait_for_log(r"search index updated in \d+ ms: 3 entries", timeout=60)
    page = new_page()
    page.goto(f"{server.base}/search/?q=alpha")
    first = page.locator(".pagefind-ui__result-link", has_text="First alpha event")
    expect(first).to_have_attribute("href", "/alpha/first/", timeout=TIMEOUT)

    # Leave the page first: an open page reloads itself after the edit, and that reload would
    # interrupt the next navigation.
    page.goto("about:blank")
    save_atomically(site / "content/alpha/first.md", event("2024-11-10", "Zebras crossed the square"))
    server.wait_for_log(r"search index updated in \d+ ms", count=2, timeout=60)
    page.goto(f"{server.base}/search/?q=zebras")
    expect(page.locator(".pagefind-ui__result-link")).to_have_text(["Zebras crossed the square"],
                                                                    timeout=TIMEOUT)
    # The old title is gone from the index, as it is from the page.
    page.goto(f"{server.base}/search/?q=alpha")
    expect(page.locator(".pagefind-ui__message")).to_have_text("No results for alpha", timeout=TIMEOUT)
