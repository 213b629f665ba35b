"""The story's embed, framed by an article on another origin, with the snippet the story page offers.

The example site is served on one loopback port and the host article on another,
so the frame is cross-origin as it is on a newsroom's site.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from tests.support.sites import build_site, event, story
from tests.support.tools import format_axe, run_axe

STORY = "trump-putin-call"
CANONICAL = "https://example.org/checks/"
DEEP_ENTRY = "peskov-denial"
"""The last entry, far below the frame's first 600 px."""
NARROW = {"width": 340, "height": 700}
"""An article column on a phone: the frame gets 300 px of it."""


def embed_snippet(site: Path) -> str:
    """The embed code as a reader copies it from the story page."""
    page = lxml.html.fromstring((site / STORY / "index.html").read_bytes())
    [code] = page.xpath('//details[contains(@class, "embed-code")]//pre/code')
    return str(code.text_content())


@pytest.fixture
def site_base(static_server: Callable[..., str], example_site_build: Path) -> str:
    """The built example site, under /checks/ on its own port."""
    return static_server(example_site_build, "/checks/")


@pytest.fixture
def host(
    static_server: Callable[..., str], example_site_build: Path, site_base: str, tmp_path: Path
) -> Callable[[str], str]:
    """Factory: the URL of an article on another port framing the embed, `fragment` appended."""

    def make(fragment: str = "") -> str:
        snippet = embed_snippet(example_site_build).replace(CANONICAL, site_base)
        if fragment:
            snippet = snippet.replace("/embed/", f"/embed/#{fragment}", 1)
        folder = tmp_path / f"article-{fragment or 'top'}"
        folder.mkdir()
        (folder / "index.html").write_text(
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>An article</title><style>body{margin:0 20px}</style></head><body>"
            "<h1>An article</h1><p>Text before the timeline.</p>"
            f"{snippet}<p id='after'>Text after the timeline.</p></body></html>",
            encoding="utf-8",
        )
        return static_server(folder)

    return make


def frame_of(page: Any) -> Any:
    """The embed's frame, once its document has loaded."""
    page.wait_for_selector("iframe")
    frame = page.frame_locator("iframe")
    frame.locator("ol.timeline-list").wait_for()
    return page.frames[1]


def wait_for_full_height(page: Any) -> int:
    """Wait until the frame is as tall as its content, and return that height."""
    page.wait_for_function(
        "() => { const f = document.querySelector('iframe'); return f.getBoundingClientRect().height > 600; }"
    )
    return int(page.evaluate("() => document.querySelector('iframe').getBoundingClientRect().height"))


def test_the_story_page_offers_a_snippet_for_the_embed(example_site_build: Path) -> None:
    snippet = embed_snippet(example_site_build)
    frame = lxml.html.fragment_fromstring(snippet, create_parent="div")
    [iframe] = frame.xpath("//iframe")
    assert iframe.get("src") == f"{CANONICAL}{STORY}/embed/"
    assert iframe.get("title") == "Did Trump call Putin after the 2024 election?"
    [script] = frame.xpath("//script")
    assert script.get("src") == f"{CANONICAL}assets/embed-resize.js"
    resize = (example_site_build / "assets" / "embed-resize.js").read_text("utf-8")
    assert 'sitegen==="height"' in resize


def test_the_embed_page_is_the_timeline_without_navigation(example_site_build: Path) -> None:
    page = lxml.html.fromstring((example_site_build / STORY / "embed" / "index.html").read_bytes())
    assert page.xpath('//meta[@name="robots"]/@content') == ["noindex"]
    assert page.xpath('//link[@rel="canonical"]/@href') == [f"{CANONICAL}{STORY}/"]
    assert page.xpath("//base/@target") == ["_top"]
    assert not page.xpath("//nav") and not page.xpath('//*[contains(@class, "site-header")]')
    [full] = page.xpath('//a[normalize-space()="Full timeline"]/@href')
    assert full == "../"
    assert len(page.xpath('//ol[@class="timeline-list"]/li/article')) == 8
    # Links within the frame stay in it; the base target would send them to the article's window.
    in_page = page.xpath('//a[starts-with(@href, "#")]')
    assert in_page and all(a.get("target") == "_self" for a in in_page)
    # Pagefind indexes only pages marked data-pagefind-body once any page is (entry pages are).
    assert not page.xpath("//*[@data-pagefind-body]") and page.xpath('//main[@data-pagefind-ignore="all"]')
    sitemap = (example_site_build / "sitemap.xml").read_text()
    assert "/embed/" not in sitemap


def test_the_frame_grows_to_its_content_and_reads_at_300px(
    new_page: Callable[..., Any], host: Callable[[str], str]
) -> None:
    page = new_page(viewport=NARROW)
    page.goto(host(""))
    frame = frame_of(page)
    height = wait_for_full_height(page)
    content = frame.evaluate("() => document.documentElement.getBoundingClientRect().height")
    assert abs(height - content) <= 2
    assert page.evaluate("() => document.querySelector('iframe').clientWidth") == 300
    # Nothing wider than the frame: no sideways scrolling inside it.
    assert frame.evaluate("() => document.documentElement.scrollWidth") <= 300
    assert frame.evaluate("() => document.scrollingElement.scrollTop") == 0


def test_a_deep_link_brings_its_entry_into_view(
    new_page: Callable[..., Any], host: Callable[[str], str]
) -> None:
    page = new_page(viewport=NARROW)
    page.goto(host(DEEP_ENTRY))
    frame_of(page)
    wait_for_full_height(page)
    # The article scrolls, not the frame: the frame is as tall as its content.
    page.wait_for_function("() => window.scrollY > 600")
    entry = page.frame_locator("iframe").locator(f"#{DEEP_ENTRY}")
    box = entry.bounding_box()
    assert box is not None
    assert -5 <= box["y"] <= NARROW["height"] / 2, box
    assert "highlight" in (entry.get_attribute("class") or "")


def test_a_source_link_opens_in_the_top_window(
    new_page: Callable[..., Any], host: Callable[[str], str]
) -> None:
    page = new_page(viewport={"width": 1000, "height": 800})
    # The sources are on the web; answer for them so the test stays on loopback.
    page.context.route(
        "https://**/*",
        lambda route: route.fulfill(status=200, content_type="text/html",
                                    body="<!DOCTYPE html><title>The source</title>"),
    )
    article = host("")
    page.goto(article)
    frame = frame_of(page)
    link = frame.locator("ol.timeline-list .sources a[href^='https://']").first
    href = link.get_attribute("href")
    with page.expect_navigation():
        link.click()
    assert page.url == href
    assert page.title() == "The source"


def test_the_full_timeline_link_leaves_the_article_for_the_story(
    new_page: Callable[..., Any], host: Callable[[str], str], site_base: str
) -> None:
    page = new_page(viewport={"width": 1000, "height": 800})
    page.goto(host(""))
    frame = frame_of(page)
    with page.expect_navigation():
        frame.get_by_role("link", name="Full timeline").click()
    assert page.url == f"{site_base}{STORY}/"


def test_the_embed_is_accessible_and_works_without_javascript(
    new_page: Callable[..., Any], site_base: str
) -> None:
    embed = f"{site_base}{STORY}/embed/"
    narrow = new_page(viewport={"width": 300, "height": 700})
    narrow.goto(embed)
    assert not (violations := run_axe(narrow)), format_axe(violations)
    plain = new_page(java_script_enabled=False, viewport={"width": 300, "height": 700})
    plain.goto(f"{embed}#{DEEP_ENTRY}")
    entries = plain.locator("ol.timeline-list article.entry")
    assert entries.count() == 8
    assert all(entries.nth(i).is_visible() for i in range(8))
    assert plain.locator(f"#{DEEP_ENTRY}").bounding_box()["y"] < 50  # type: ignore[index]
    assert plain.evaluate("() => document.documentElement.scrollWidth") <= 300


def test_author_text_in_the_snippet_and_embed_is_escaped(write_site: Callable[..., Path]) -> None:
    title = 'Say "no" & <b>mean</b> it'
    root = write_site({
        "content/s/_index.md": story(title=f"'{title}'"),
        "content/s/a.md": event("2024-01-01"),
        "content/s/b.md": event("2024-02-01", title="Another thing"),
    })
    result = build_site(root)
    assert result.ok, [d.format() for d in result.diagnostics]
    site = root / "public"
    story_page = lxml.html.fromstring((site / "s" / "index.html").read_bytes())
    assert not story_page.xpath("//b[.='mean']")
    [code] = story_page.xpath('//details[contains(@class, "embed-code")]//pre/code')
    [iframe] = lxml.html.fragment_fromstring(code.text_content(), create_parent="div").xpath("//iframe")
    assert iframe.get("title") == title
    embed = lxml.html.fromstring((site / "s" / "embed" / "index.html").read_bytes())
    assert embed.xpath("string(//h1)") == title
    assert not embed.xpath("//b[.='mean']")


def test_links_in_entry_bodies_lead_where_they_do_on_the_timeline(write_site: Callable[..., Path]) -> None:
    # The embed is one folder below the story page: a body's relative links, written as seen
    # from the entry's page, must still reach the other entry, the file and the footnote.
    root = write_site({
        "static/images/chart.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
        "content/s/_index.md": story(),
        "content/s/a.md": event("2024-01-01", body="See [the denial](../b/), "
                                                   "![a chart](../../images/chart.svg) and a note.[^1]"
                                                   "\n\n[^1]: The note."),
        "content/s/b.md": event("2024-02-01", title="The denial"),
    })
    result = build_site(root)
    assert result.ok, [d.format() for d in result.diagnostics]
    public = root / "public"
    for page in ("s/index.html", "s/embed/index.html"):
        page_tree = lxml.html.fromstring((public / page).read_bytes())
        [body] = page_tree.xpath('//*[@id="a"]//div[contains(@class, "entry-body")]')
        targets = {}
        for element in body.xpath(".//a[@href] | .//img[@src]"):
            link = element.get("href") or element.get("src")
            if link.startswith("#"):
                assert body.getroottree().xpath(f"//*[@id='{link[1:]}']"), f"{page}: {link} names no element"
                # Under the embed's <base target="_top">, a link to #id left the reader's article.
                if "embed" in page:
                    assert element.get("target") == "_self", f"{page}: {link} opens the embed in the article"
                continue
            target = (public / page).parent / link
            assert target.exists() or (target / "index.html").exists(), f"{page}: {link} leads nowhere"
            targets[element.text_content() or element.get("alt")] = target.resolve()
        assert targets == {"the denial": (public / "s" / "b").resolve(),
                           "a chart": (public / "images" / "chart.svg").resolve()}, page


def test_the_filters_work_inside_the_frame(new_page: Callable[..., Any], host: Callable[[str], str]) -> None:
    page = new_page(viewport={"width": 1000, "height": 800})
    page.goto(host(""))
    frame = frame_of(page)
    before = wait_for_full_height(page)
    frame.locator('select[name="kind"]').select_option("statement")
    shown = frame.evaluate("""() => [...document.querySelectorAll('ol.timeline-list article.entry')]
      .filter(a => a.getClientRects().length > 0).map(a => a.dataset.kind)""")
    assert shown and set(shown) == {"statement"} and len(shown) < 8
    # Fewer entries, a shorter frame: the article follows the content down as well as up.
    page.wait_for_function(
        "h => document.querySelector('iframe').getBoundingClientRect().height < h", arg=before
    )
