"""Every HTML page passes the Nu Html Checker: the example site and a site with every feature."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support.publishing import FULL_SITE, html_files
from tests.support.sites import build_site, write_files
from tests.support.tools import format_vnu


def test_every_page_is_valid_html(
    example_site_build: Path, tmp_path: Path, vnu: Callable[..., list[dict[str, Any]]]
) -> None:
    root = write_files(tmp_path / "site", FULL_SITE)
    result = build_site(root)
    assert result.ok, [d.format() for d in result.diagnostics]
    pages = html_files(example_site_build) + html_files(root / "public")
    names = {p.relative_to(root / "public").as_posix() for p in html_files(root / "public")}
    assert {"search/index.html", "corrections/index.html", "404.html", "about/index.html",
            "bridge-dispute/embed/index.html"} <= names
    assert len(pages) > 50
    errors = vnu(pages)  # one java run for all of them
    assert not errors, format_vnu(errors)
