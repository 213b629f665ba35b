"""The verdict stands out: larger than the text around it, a shape as well as a colour."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.sites import REPO_ROOT

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
    assert colours["--statement"] not in (colours["--r-true"], colours["--r-mostly-true"])
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
