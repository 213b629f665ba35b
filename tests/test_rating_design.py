"""The verdict stands out: larger than the text around it, a shape as well as a colour."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.sites import REPO_ROOT, build_site, event, story

STORY = "trump-putin-call"


@pytest.fixture
def story_url(static_server: Callable[..., str], example_site_build: Path) -> str:
    return f"{static_server(example_site_build, '/checks/')}{STORY}/"


def test_the_rating_badge_is_larger_than_the_verdict_and_has_a_shape(page, story_url: str) -> None:
    page.goto(story_url)
    badge = page.locator(".review .rating").first
    sizes = badge.evaluate("""b => ({
        badge: parseFloat(getComputedStyle(b).fontSize),
        text: parseFloat(getComputedStyle(b.closest('.review').querySelector('.verdict')).fontSize),
        shape: getComputedStyle(b, '::before').content,
        fill: getComputedStyle(b).backgroundColor,
    })""")
    assert sizes["badge"] > sizes["text"]
    assert sizes["shape"] not in ("none", "normal", "")
    assert sizes["fill"] not in ("rgba(0, 0, 0, 0)", "transparent")


def test_statements_are_not_coloured_like_true() -> None:
    css = (REPO_ROOT / "layouts/assets/style.css").read_text("utf-8")
    light = css.split(":root{", 1)[1].split("}", 1)[0]
    colours = dict(part.split(":", 1) for part in light.replace("\n", "").split(";") if ":" in part)
    assert colours["--statement"] not in (colours["--tone-best"], colours["--tone-good"])
    assert not colours["--statement"].lower().startswith(("#0b6e", "#1d5e", "#2f6f"))


def test_the_404_search_box_is_styled_like_the_site(page, static_server: Callable[..., str],
                                                     example_site_build: Path) -> None:
    page.goto(static_server(example_site_build, "/checks/") + "404.html")
    styles = page.locator(".search-form").evaluate("""f => ({
        button: getComputedStyle(f.querySelector('button')).backgroundColor,
        radius: getComputedStyle(f.querySelector('input')).borderTopLeftRadius,
        font: getComputedStyle(f.querySelector('input')).fontFamily
              === getComputedStyle(document.body).fontFamily,
    })""")
    assert styles["button"] not in ("rgba(0, 0, 0, 0)", "rgb(239, 239, 239)")
    assert styles["radius"] != "0px" and styles["font"]


CUSTOM_SCALE = """\
title = "Three-step checks"
base_url = "https://example.org/"
language = "en"
[[ratings]]
key = "wrong"
label = "Wrong"
[[ratings]]
key = "half"
label = "Half right"
[[ratings]]
key = "right"
label = "Right"
"""


def luminance(css_colour: str) -> float:
    """WCAG relative luminance of a computed `rgb(r, g, b)` colour."""
    channels = [int(part) / 255 for part in re.findall(r"\d+", css_colour)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_contrast_formula_matches_wcag() -> None:
    assert round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 1) == 21.0
    assert round(contrast("rgb(118, 118, 118)", "rgb(255, 255, 255)"), 2) == 4.54


def test_a_site_with_its_own_three_ratings_gets_a_colour_and_shape_for_each(
    page, static_server: Callable[..., str], write_site: Callable[..., Path],
) -> None:
    rated = "rating: {key}\nverdict: Checked.\nreviewed: 2024-05-03\n"
    site = write_site({
        "sitegen.toml": CUSTOM_SCALE,
        "content/s/_index.md": story(),
        **{f"content/s/{key}.md": event(f"2024-05-0{n}", f"Claim {n}", extra=rated.format(key=key))
           for n, key in enumerate(("wrong", "half", "right"), start=1)},
    })
    result = build_site(site)
    assert result.ok, [d.format() for d in result.diagnostics]
    page.goto(static_server(site / "public") + "s/")
    badges = page.locator(".entry .review .rating").evaluate_all("""bs => bs.map(b => ({
        label: b.textContent.replace('Rating:', '').trim(),
        fill: getComputedStyle(b).backgroundColor,
        ink: getComputedStyle(b).color,
        shape: getComputedStyle(b, '::before').content,
    }))""")
    assert [b["label"] for b in badges] == ["Wrong", "Half right", "Right"]
    fills = {b["fill"] for b in badges}
    assert len(fills) == 3 and "rgba(0, 0, 0, 0)" not in fills, badges
    assert len({b["shape"] for b in badges}) == 3 and all(b["shape"] not in ("none", "") for b in badges)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for badge in page.locator(".entry .review .rating").evaluate_all(
            "bs => bs.map(b => ({ink: getComputedStyle(b).color, fill: getComputedStyle(b).backgroundColor}))"
        ):  # WCAG 2.2 AA for normal text: 4.5:1, in either colour scheme
            assert contrast(badge["ink"], badge["fill"]) >= 4.5, (scheme, badge)


def test_a_rating_may_name_its_tone(write_site: Callable[..., Path]) -> None:
    site = write_site({
        "sitegen.toml": CUSTOM_SCALE.replace('label = "Half right"', 'label = "Half right"\ntone = "bad"'),
        "content/s/_index.md": story(),
        "content/s/a.md": event("2024-05-01", extra="rating: half\nverdict: V.\nreviewed: 2024-05-02\n"),
    })
    assert build_site(site).ok
    assert 'class="rating tone-bad"' in (site / "public/s/a/index.html").read_text("utf-8")
    unknown_tone = CUSTOM_SCALE.replace('label = "Right"', 'label = "Right"\ntone = "great"')
    broken = write_site({"sitegen.toml": unknown_tone, "content/s/_index.md": story()}, folder="broken")
    printed = [d.format() for d in build_site(broken).diagnostics]
    assert any("`tone` must be one of worst, bad, neutral, good, best" in p for p in printed), printed


@pytest.mark.parametrize("width", [1280, 390])
def test_the_navigation_is_one_line_on_desktop_and_mobile(new_page, story_url: str, width: int) -> None:
    page = new_page(viewport={"width": width, "height": 800})
    page.goto(story_url)
    rows = page.eval_on_selector_all(
        ".site-header nav[aria-label] a",
        "links => links.map(a => [a.closest('nav').className, a.offsetTop])")
    by_nav: dict[str, set[int]] = {}
    for nav, top in rows:
        by_nav.setdefault(nav, set()).add(top)
    assert by_nav and all(len(tops) == 1 for tops in by_nav.values()), by_nav
