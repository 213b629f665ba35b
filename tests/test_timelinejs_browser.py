"""The example story's timeline.json in Knight Lab's own TimelineJS3, in Chromium, all on loopback.

The library comes from npm (`@knight-lab/timelinejs` in tests/tools); the page,
the library and our export share one origin, and any request off loopback is
refused and reported, so the test proves the export loads with nothing external.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support.sites import REPO_ROOT, build_site
from tests.support.tools import NODE_MODULES, require_tool

STORY = "trump-putin-call"
DIST = NODE_MODULES / "@knight-lab" / "timelinejs" / "dist"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a730000001049444154789c63f8"
    "cfc000440c100a001fee03fd8b5f14d40000000049454e44ae426082"
)
"""A 2 × 2 PNG."""

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>TimelineJS</title>
<link rel="stylesheet" href="tl/css/timeline.css">
<script src="tl/js/timeline.js"></script></head>
<body><div id="timeline-embed" style="width:100%;height:600px"></div>
<script>
// script_path: the library's CSS from beside it, not Knight Lab's CDN; font: a local sheet
// instead of the default one, which takes its web fonts from Google.
window.timeline = new TL.Timeline("timeline-embed", "SOURCE", {
  script_path: new URL("tl/js/", location.href).href,
  font: new URL("system-fonts.css", location.href).href,
});
</script>
</body></html>
"""


def timelinejs_page(root: Path, export: Path | None, source: str = "timeline.json") -> None:
    """Lay out a page in `root` showing `export` (copied beside it) with the npm copy of
    TimelineJS3; or, without one, the timeline at `source`."""
    require_tool("@knight-lab/timelinejs", (DIST / "js" / "timeline.js").is_file(),
                 "cd tests/tools && npm ci")
    shutil.copytree(DIST / "js", root / "tl" / "js")
    shutil.copytree(DIST / "css", root / "tl" / "css")
    if export is not None:
        shutil.copy(export, root / "timeline.json")
    (root / "index.html").write_text(PAGE.replace("SOURCE", source), encoding="utf-8")
    (root / "system-fonts.css").write_text(".tl-timeline{font-family:sans-serif}\n", encoding="utf-8")


def opened(page: Any, base: str, *others: str) -> tuple[list[str], list[str]]:
    """Open the TimelineJS page at `base`, refusing every request off it (and off `others`):
    what was refused and what the console reported as errors, once the slides are made and
    the network is idle."""
    external: list[str] = []
    errors: list[str] = []

    def refuse_external(route: Any) -> None:
        external.append(route.request.url)
        route.abort()

    page.context.route(lambda url: not url.startswith((base, *others)), refuse_external)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base)
    page.wait_for_function("() => document.querySelectorAll('.tl-slide').length > 0")
    page.wait_for_load_state("networkidle")
    return external, errors


def test_knight_labs_timelinejs_shows_one_slide_per_entry(
    new_page: Callable[..., Any], static_server: Callable[..., str],
    example_site_build: Path, tmp_path: Path,
) -> None:
    root = tmp_path / "tl-page"
    export = example_site_build / STORY / "timeline.json"
    timelinejs_page(root, export)
    events = json.loads(export.read_text(encoding="utf-8"))["events"]
    entries = len(events)
    assert entries == 8

    page = new_page(viewport={"width": 1200, "height": 800})
    external, errors = opened(page, static_server(root))

    slides = page.locator(".tl-slider-container .tl-slide")
    assert slides.count() == entries + 1  # the title slide, then one per entry
    assert page.locator(".tl-slide-titleslide").count() == 1
    headlines = page.locator(".tl-slide:not(.tl-slide-titleslide) .tl-headline").all_text_contents()
    # The export's headlines are HTML (escaped author text); the reader sees the text.
    shown = sorted(html.unescape(e["text"]["headline"]) for e in events)
    assert sorted(h.strip() for h in headlines) == shown
    # Each slide names where it was said or reported, with a link to each source.
    listed = [re.findall(r'href="([^"]+)"', paragraph) for e in events
              for paragraph in re.findall(r'<p class="sitegen-sources">.*?</p>', e["text"]["text"])]
    assert len(listed) >= entries - 1  # all but the one entry the example gives no source
    links = page.locator(".tl-slide .sitegen-sources a").evaluate_all("links => links.map(a => a.href)")
    assert sorted(links) == sorted(url for urls in listed for url in urls)
    # With the date of each, as the entry page gives it.
    dated = [when for e in events for when in re.findall(r'<time datetime="([^"]+)"', e["text"]["text"])]
    shown_dates = page.locator(".tl-slide .sitegen-sources time").evaluate_all(
        "times => times.map(t => t.getAttribute('datetime'))")
    assert dated and sorted(shown_dates) == sorted(dated)
    assert not external, external
    assert not errors, errors


def test_an_entrys_picture_is_its_slides_media_in_timelinejs(
    new_page: Callable[..., Any], static_server: Callable[..., str], write_site: Callable[..., Path],
    tmp_path: Path,
) -> None:
    root = tmp_path / "tl-page"
    root.mkdir()
    base = static_server(root)
    # The site is published beside the page, so the picture's absolute address is on loopback.
    site = write_site({
        "sitegen.toml": f'title = "Checks"\nbase_url = "{base}site/"\n',
        "content/call/_index.md": "---\ntitle: The call\nsummary: Was there a call?\n---\n\nBackground.\n",
        "content/call/map.md": "---\nkind: event\ndate: 2024-11-10\ntitle: The route\n---\n\n"
                               "![The call's route on a map](../../images/route.png)\n",
    })
    (site / "static/images").mkdir(parents=True)
    (site / "static/images/route.png").write_bytes(PNG)
    assert build_site(site, output=root / "site").ok
    timelinejs_page(root, root / "site/call/timeline.json")

    page = new_page(viewport={"width": 1200, "height": 800})
    external, errors = opened(page, base)
    page.locator(".tl-slidenav-next").first.click()  # from the title slide to the entry's
    picture = page.locator(".tl-slide:not(.tl-slide-titleslide) img.tl-media-image")
    picture.wait_for()
    assert picture.get_attribute("alt") == "The call's route on a map"
    page.wait_for_function("(img) => img.complete && img.naturalWidth === 2", arg=picture.element_handle())
    assert not external, external
    assert not errors, errors


def test_timelinejs_on_another_site_reads_the_export_with_the_documented_header(
    new_page: Callable[..., Any], static_server: Callable[..., str], nginx_server: Callable[..., str],
    example_site_build: Path, tmp_path: Path,
) -> None:
    # A partner's page (or Knight Lab's hosted embed) runs TimelineJS on its own origin and
    # reads timeline.json from ours: the browser allows it only with the header the docs give.
    documented = (REPO_ROOT / "docs" / "deploy.md").read_text("utf-8")
    header = documented.split("```nginx\nadd_header", 1)[1].split("\n", 1)[0]
    ours = nginx_server(example_site_build, "/checks/", extra=f"add_header{header}")
    root = tmp_path / "partner"
    timelinejs_page(root, None, source=f"{ours}{STORY}/timeline.json")
    partner = static_server(root)
    assert partner.split("/")[2] != ours.split("/")[2]  # two origins

    bare = nginx_server(example_site_build, "/checks/")  # the same site, without the header
    page = new_page(viewport={"width": 1200, "height": 800})
    external, errors = opened(page, partner, ours, bare)
    events = json.loads((example_site_build / STORY / "timeline.json").read_text("utf-8"))["events"]
    assert page.locator(".tl-slider-container .tl-slide").count() == len(events) + 1
    assert not external, external
    assert not errors, errors

    # Without the header, the browser refuses the same read.
    refused = page.evaluate("url => fetch(url).then(() => 'read', () => 'refused')",
                            f"{bare}{STORY}/timeline.json")
    assert refused == "refused"
