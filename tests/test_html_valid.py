"""Every HTML page passes the Nu Html Checker: the example site and a site with every feature."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
