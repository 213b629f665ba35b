"""The story timeline in Chromium: what a reader sees and does, with and without JavaScript.

The example site is built once per session and served under /checks/, which
proves every link on the page is relative.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.sites import REPO_ROOT, build_site, event, story
from tests.support.tools import format_axe, run_axe

STORY = "trump-putin-call"
ENTRY_IDS = sorted(
    path.stem for path in (REPO_ROOT / "content" / STORY).rglob("*.md")
    if not path.name.startswith("_index") and "." not in path.stem  # not translations (<id>.uk.md)
)
ENTRY_ORDER = [
    "russia-full-scale-invasion", "trump-24-hours-claim", "moscow-conditions", "us-election-result",
    "alleged-call", "wapo-report", "ukraine-mfa-denial", "peskov-denial",
]
"""The example story's entries, oldest first."""
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}

VISIBLE_ENTRIES = """() => [...document.querySelectorAll('ol.timeline-list article.entry')]
  .filter(a => a.getClientRects().length > 0).map(a => a.id)"""


@pytest.fixture
def base(static_server: Callable[..., str], example_site_build: Path) -> str:
    """The built example site, served under a sub-path."""
    return static_server(example_site_build, "/checks/")


@pytest.fixture
def story_url(base: str) -> str:
    return f"{base}{STORY}/"


def visible_entries(page: Any) -> list[str]:
    """Ids of the entries a reader can see, in page order."""
    return list(page.evaluate(VISIBLE_ENTRIES))


def focused_id(page: Any) -> str:
    return str(page.evaluate("() => document.activeElement && document.activeElement.id"))


def test_without_javascript_the_page_lists_every_entry_in_full(
    new_page: Callable[..., Any], story_url: str
) -> None:
    page = new_page(java_script_enabled=False)
    page.goto(story_url)
    assert sorted(visible_entries(page)) == ENTRY_IDS
    items = page.locator("ol.timeline-list > li > article.entry")
    assert items.count() == len(ENTRY_IDS)
    for index in range(items.count()):
        article = items.nth(index)
        assert article.locator("time[datetime]").first.is_visible()
        assert article.locator("h3 a").is_visible()
    # Long bodies are collapsed only by the script: here every paragraph shows.
    assert page.locator("#wapo-report .entry-body h4", has_text="Analysis").is_visible()
    assert not page.locator("button.more").first.is_visible()
    assert not page.locator("form.filters").is_visible()
    # The overview is drawn by the build, not by a script.
    assert page.locator("svg.axis-wide a").count() == len(ENTRY_IDS)
    assert page.locator("iframe").count() == 0


def test_each_entry_shows_what_a_reader_needs_at_a_glance(
    new_page: Callable[..., Any], story_url: str
) -> None:
    page = new_page(java_script_enabled=False)
    page.goto(story_url)
    peskov = page.locator("#peskov-denial")
    assert peskov.locator(".kind").inner_text() == "Statement"
    assert peskov.locator("time").first.get_attribute("datetime") == "2024-11-11"
    speaker = peskov.locator(".speaker a")
    assert speaker.inner_text() == "Dmitry Peskov"
    assert speaker.get_attribute("href") == "../speakers/dmitry-peskov/"
    assert "Kremlin spokesman" in peskov.locator(".speaker").inner_text()
    assert "pure fiction" in peskov.locator("blockquote.quote").inner_text()
    assert peskov.locator(".rating").inner_text().strip().endswith("Unproven")
    assert "no evidence" in peskov.locator(".verdict").inner_text()
    assert "RT" in peskov.locator(".sources").inner_text()
    assert peskov.locator(".sources a", has_text="archived copy").count() == 1
    # Relations on both ends, with when the other end happened.
    wapo_relations = page.locator("#wapo-report .relations").inner_text()
    assert re.search(r"Denied by: Kremlin says .* \(Dmitry Peskov, the next day\)", wapo_relations)
    assert re.search(r"Denied by: Ukraine denies .* the same day\)", wapo_relations)
    # In date order: the call the Post reported (6 November) before the report (10 November).
    assert page.locator("#peskov-denial .relations a").first.get_attribute("href") == "#alleged-call"
    assert "(The Washington Post, the day before)" in peskov.locator(".relations").inner_text()
    # Approximate dates say so.
    assert page.locator("#alleged-call .entry-meta").inner_text().count("around") == 2
    # The header: status, last updated, the corrections log and the key to ratings.
    header = page.locator(".story-header").inner_text()
    assert "Developing" in header and "Last updated 11 November 2024" in header
    assert page.locator("#corrections-heading").is_visible()
    assert page.locator(".ratings-key dd").first.is_visible()


def test_filters_hide_entries_and_survive_a_reload_through_the_url(page: Any, story_url: str) -> None:
    page.goto(story_url)
    assert len(visible_entries(page)) == len(ENTRY_IDS)
    page.select_option("form.filters select[name=kind]", "statement")
    statements = visible_entries(page)
    assert statements and all(
        page.locator(f"#{i}").get_attribute("data-kind") == "statement" for i in statements
    )
    assert "russia-full-scale-invasion" not in statements
    page.select_option("form.filters select[name=speaker]", "dmitry-peskov")
    assert visible_entries(page) == ["peskov-denial"]
    assert page.locator(".filter-status").inner_text() == f"Showing 1 of {len(ENTRY_IDS)} entries"
    assert "kind=statement" in page.url and "speaker=dmitry-peskov" in page.url

    page.reload()
    assert visible_entries(page) == ["peskov-denial"]
    assert page.locator("select[name=speaker]").input_value() == "dmitry-peskov"
    # Marks of hidden entries fade on the overview.
    assert "dim" in (page.locator('svg.axis-wide a[href="#wapo-report"]').get_attribute("class") or "")

    page.click("form.filters button[type=reset]")
    page.wait_for_function("() => !location.search")
    assert len(visible_entries(page)) == len(ENTRY_IDS)


def test_a_shared_filtered_link_opens_filtered(new_page: Callable[..., Any], story_url: str) -> None:
    page = new_page()
    page.goto(story_url + "?rating=unproven")
    shown = visible_entries(page)
    assert sorted(shown) == ["peskov-denial", "trump-24-hours-claim", "wapo-report"]
    assert page.locator("select[name=rating]").input_value() == "unproven"


def test_a_deep_link_opened_fresh_scrolls_to_and_highlights_its_entry(
    new_page: Callable[..., Any], story_url: str
) -> None:
    page = new_page(viewport=WIDE)
    page.goto(story_url + "#peskov-denial")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'peskov-denial'")
    target = page.locator("#peskov-denial")
    assert target.evaluate("a => a.matches(':target')")
    box = target.bounding_box()
    assert box is not None and 0 <= box["y"] < WIDE["height"] / 2
    highlighted = target.evaluate("a => getComputedStyle(a).backgroundColor")
    other = page.locator("#wapo-report").evaluate("a => getComputedStyle(a).backgroundColor")
    assert highlighted != other

    # A link to an entry the current filter hides shows everything again.
    page = new_page(viewport=WIDE)
    page.goto(story_url + "?kind=event#peskov-denial")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'peskov-denial'")
    assert page.locator("#peskov-denial").is_visible()


def test_keyboard_moves_focus_between_entries(page: Any, story_url: str) -> None:
    page.goto(story_url)
    first, second = ENTRY_ORDER[0], ENTRY_ORDER[1]
    page.keyboard.press("j")
    assert focused_id(page) == first
    page.keyboard.press("j")
    assert focused_id(page) == second
    page.keyboard.press("k")
    assert focused_id(page) == first
    page.keyboard.press("ArrowDown")
    assert focused_id(page) == second
    # The focus ring is visible on the entry.
    outline = page.locator(f"#{second}").evaluate("a => getComputedStyle(a).outlineStyle")
    assert outline != "none"
    # Filters are respected: j skips hidden entries.
    page.select_option("select[name=kind]", "event")
    page.locator(f"#{first}").focus()
    page.keyboard.press("j")
    assert page.locator(f"#{focused_id(page)}").get_attribute("data-kind") == "event"
    # Typing in a form field is never taken over, and the shortcuts can be turned off.
    page.locator("select[name=kind]").focus()
    page.keyboard.press("j")
    assert focused_id(page) == ""
    page.uncheck("input[name=keys]")
    page.locator(f"#{first}").focus()
    page.keyboard.press("j")
    assert focused_id(page) == first


@pytest.mark.parametrize(("viewport", "axis"), [(WIDE, "wide"), (PHONE, "narrow")])
def test_every_mark_of_the_overview_links_to_its_entry(
    new_page: Callable[..., Any], story_url: str, viewport: dict[str, int], axis: str
) -> None:
    page = new_page(viewport=viewport)
    page.goto(story_url)
    svg = page.locator(f"svg.axis-{axis}")
    assert svg.is_visible()
    other = "narrow" if axis == "wide" else "wide"
    assert not page.locator(f"svg.axis-{other}").is_visible()
    hrefs = [a.get_attribute("href") for a in svg.locator("a").all()]
    assert sorted(hrefs) == sorted(f"#{i}" for i in ENTRY_IDS)
    # Each mark is named by its entry's date and title, and shows them on hover.
    mark = svg.locator('a[href="#peskov-denial"]')
    assert mark.get_attribute("aria-labelledby") == "peskov-denial-when peskov-denial-title"
    assert mark.locator("title").text_content() == (
        "11 November 2024: Kremlin says the reported Trump–Putin call did not happen"
    )
    # The picture fits the column: no sideways scrolling.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]
    svg.locator('a[href="#alleged-call"]').click()
    page.wait_for_function("() => location.hash === '#alleged-call'")
    assert page.locator("#alleged-call").evaluate("a => a.matches(':target')")


def test_long_bodies_collapse_and_expand(page: Any, story_url: str) -> None:
    page.goto(story_url)
    body = page.locator("#wapo-report .entry-body")
    button = page.locator("#wapo-report button.more")
    assert button.is_visible() and button.get_attribute("aria-expanded") == "false"
    assert body.locator("p").first.is_visible()
    assert not body.locator("h4").is_visible()
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    assert body.locator("h4").is_visible()


def test_headings_are_in_order_with_one_h1(new_page: Callable[..., Any], story_url: str) -> None:
    page = new_page(java_script_enabled=False)
    page.goto(story_url)
    levels = page.evaluate(
        "() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])"
    )
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    ids = page.evaluate("() => [...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids))


def test_printing_shows_the_whole_timeline(page: Any, story_url: str) -> None:
    page.goto(story_url + "?kind=event")
    page.emulate_media(media="print")
    assert sorted(visible_entries(page)) == ENTRY_IDS
    assert page.locator("#wapo-report .entry-body h4").is_visible()
    assert not page.locator("form.filters").is_visible()


def test_nothing_shifts_while_the_page_loads(new_page: Callable[..., Any], story_url: str) -> None:
    page = new_page(viewport=PHONE)
    page.add_init_script(
        "window.__shift = 0; new PerformanceObserver(l => l.getEntries().forEach(e => {"
        " if (!e.hadRecentInput) window.__shift += e.value; }))"
        ".observe({type: 'layout-shift', buffered: true});"
    )
    page.goto(story_url)
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__shift") < 0.01


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations(new_page: Callable[..., Any], base: str, scheme: str) -> None:
    page = new_page(viewport=WIDE, color_scheme=scheme)
    problems = []
    # The Ukrainian site too: the translated story, an entry, a speaker, a tag, the index, 404 and search.
    for path in ("", f"{STORY}/", f"{STORY}/peskov-denial/", "speakers/dmitry-peskov/",
                 "uk/", f"uk/{STORY}/", f"uk/{STORY}/peskov-denial/", "uk/speakers/dmitry-peskov/",
                 "uk/tags/russia/", "uk/404.html", "uk/search/"):
        page.goto(base + path)
        violations = run_axe(page)
        if violations:
            problems.append(f"{path or '/'}:\n{format_axe(violations)}")
    phone = new_page(viewport=PHONE, color_scheme=scheme)
    phone.goto(f"{base}{STORY}/")
    if violations := run_axe(phone):
        problems.append(f"{STORY}/ at 360 px:\n{format_axe(violations)}")
    assert not problems, "\n".join(problems)


def test_every_link_of_the_site_header_is_a_24_px_target_however_short_its_words(
    write_site: Callable[..., Path], static_server: Callable[..., str], new_page: Callable[..., Any],
) -> None:
    # WCAG 2.5.8: a page called "Us" gave a 19 px link 12 px from the next one.
    root = write_site({
        "sitegen.toml": 'title = "T"\nbase_url = "https://e.org/"\nlanguages = ["en", "ar"]\n',
        "content/_pages/us.md": "---\ntitle: Us\n---\n\nWho we are.\n",
        "content/_pages/faq.md": "---\ntitle: Q\n---\n\nQuestions.\n",
        "content/s/_index.md": story(),
        "content/s/a.md": event("2024-01-01"),
    })
    assert build_site(root).ok
    base = static_server(root / "public")
    for path, viewport in (("", WIDE), ("ar/", WIDE), ("s/", PHONE)):
        page = new_page(viewport=viewport)
        page.goto(base + path)
        sizes = page.eval_on_selector_all(
            ".site-header li a", "links => links.map(a => [a.textContent, a.getBoundingClientRect().width,"
                                 " a.getBoundingClientRect().height])")
        assert {"Us", "Q"} <= {text for text, _, _ in sizes}
        small = [(text, width, height) for text, width, height in sizes if width < 24 or height < 24]
        assert not small, f"{path}: {small}"
        assert not (violations := run_axe(page)), format_axe(violations)


ZOOM_200 = {"width": 640, "height": 450}
"""A 1280 × 900 window at 200 % zoom."""


@pytest.mark.parametrize(("name", "viewport"), [("360", PHONE), ("1280", WIDE), ("zoom-200", ZOOM_200)])
def test_screenshots_for_a_person_to_look_at(
    new_page: Callable[..., Any], story_url: str, artifacts_dir: Path, name: str, viewport: dict[str, int]
) -> None:
    page = new_page(viewport=viewport)
    page.goto(story_url)
    # Comfortable at this width: nothing runs off the side, text stays a readable size.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]
    size = page.locator("#peskov-denial .verdict").evaluate("p => parseFloat(getComputedStyle(p).fontSize)")
    assert size >= 15
    shot = artifacts_dir / f"story-{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    page.emulate_media(color_scheme="dark")
    page.screenshot(path=str(artifacts_dir / f"story-{name}-dark.png"), full_page=False)
    assert shot.stat().st_size > 10_000


WIDE_BODY = (
    "A sample of the code:\n\n```\nprint(\"a line of code that runs on and on and on and on and on and on "
    "and on and on and on and on\")\n```\n\n"
    "| Column one | Column two | Column three | Column four | Column five | Column six | Column seven |\n"
    "|---|---|---|---|---|---|---|\n"
    "| somewhatlongword | anotherlongword | yetanotherword | value | value | value | value |\n\n"
    "See https://www.example.org/a/very/long/address/that/has/no/place/to/break/at/all/in/it\n"
)


def test_a_long_code_line_and_a_wide_table_fit_a_phone(
    write_site: Callable[..., Path], static_server: Callable[..., str], new_page: Callable[..., Any],
) -> None:
    # WCAG 1.4.10 (reflow) is measured at 320 px: nothing may scroll sideways there.
    root = write_site({"content/s/_index.md": story(), "content/s/wide.md": event("2024-05-01", "Wide",
                                                                                  body=WIDE_BODY)})
    assert build_site(root).ok
    base = static_server(root / "public")
    page = new_page(viewport={"width": 320, "height": 740})
    for path in ("s/wide/", "s/", "s/embed/"):
        page.goto(base + path)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 320, path
        assert "a line of code that runs on" in page.locator("pre").first.text_content()


COMPOUND = "Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz"
"""A real German word of 63 letters: titles, verdicts, tags and rating labels hold such words."""


def test_long_words_in_headings_verdicts_tags_and_ratings_fit_a_phone(
    write_site: Callable[..., Path], static_server: Callable[..., str], new_page: Callable[..., Any],
) -> None:
    # Flex items and inline blocks do not shrink below their longest word unless words may break
    # anywhere: the verdict, the embed's headline, a tag and the pager ran past 320 px.
    root = write_site({
        "sitegen.toml": ('title = "T"\nbase_url = "https://e.org/"\n[[ratings]]\nkey = "false"\n'
                         f'label = "{COMPOUND}"\n'),
        "content/s/_index.md": story(title=f"Das {COMPOUND}"),
        "content/s/a.md": event("2024-05-01", COMPOUND, extra=(
            f'rating: "false"\nverdict: "Das {COMPOUND} gilt."\nreviewed: 2024-05-02\ntags: [{COMPOUND}]\n')),
        "content/s/b.md": event("2024-05-02", f"Das {COMPOUND}"),
    })
    assert build_site(root).ok
    base = static_server(root / "public")
    page = new_page(viewport={"width": 320, "height": 740})
    for path in ("s/", "s/a/", "s/b/", "s/embed/", f"tags/{COMPOUND.lower()}/"):
        page.goto(base + path)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 320, path


def test_a_linked_entrys_bar_is_on_the_timelines_side_in_either_direction(
    write_site: Callable[..., Path], static_server: Callable[..., str], new_page: Callable[..., Any],
) -> None:
    root = write_site({"sitegen.toml": 'title = "T"\nbase_url = "https://e.org/"\nlanguages = ["en", "ar"]\n',
                       "content/s/_index.md": story(), "content/s/a.md": event("2024-05-01", "A")})
    assert build_site(root).ok
    base = static_server(root / "public")
    page = new_page(viewport={"width": 1000, "height": 740})
    offsets = {}
    for path in ("s/#a", "ar/s/#a"):
        page.goto(base + path)
        shadow = page.evaluate("() => getComputedStyle(document.getElementById('a')).boxShadow")
        offsets[path] = float(re.search(r"\) (-?[\d.]+)px", shadow)[1])
    assert offsets["s/#a"] < 0 < offsets["ar/s/#a"], offsets
