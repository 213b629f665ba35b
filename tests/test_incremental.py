"""What a rebuild re-renders: only the pages that show what changed (Hugo counts them too).

"Shows" is checked on the output itself: every page a rebuild renders afresh
must contain the edited entry (its new text, or a link to it), so the test
holds whatever the theme chooses to put on each page.
"""

from __future__ import annotations

import filecmp
from collections.abc import Callable
from pathlib import Path

import pytest

from sitegen.build import Builder
from tests.support.sites import event, statement, story

SPEAKERS = {
    "content/_speakers/dmitry-peskov.md": "---\nname: Dmitry Peskov\n---\n\nKremlin spokesman.\n",
    "content/_speakers/jane-roe.md": "---\nname: Jane Roe\n---\n\nA minister.\n",
}

EDITED = "content/alpha/a2.md"


def a2(title: str = "Peskov denies the call", body: str = "Original body of the denial.") -> str:
    return statement("2024-11-11", "dmitry-peskov", title, "tags: [kremlin]\ndenies: a1\n", body)


def three_stories() -> dict[str, str]:
    """Three stories; alpha/a2 is related to alpha/a1 and to gamma/g1, which points at it."""
    return {
        **SPEAKERS,
        "content/alpha/_index.md": story("Alpha story"),
        "content/alpha/a1.md": event("2024-11-10", "The call is reported", "tags: [energy]\n"),
        EDITED: a2(),
        "content/alpha/a3.md": event("2024-11-12", "A later event"),
        "content/alpha/a4.md": statement("2024-11-13", "jane-roe", "Roe comments", "tags: [energy]\n"),
        "content/beta/_index.md": story("Beta story"),
        "content/beta/b1.md": statement("2024-03-01", "dmitry-peskov", "Peskov on beta", "tags: [kremlin]\n"),
        "content/beta/b2.md": event("2024-03-02", "Beta event", "tags: [energy]\n"),
        "content/gamma/_index.md": story("Gamma story"),
        "content/gamma/g1.md": statement("2024-11-14", "jane-roe", "Roe answers Peskov",
                                         "responds_to: alpha/a2\n"),
        "content/gamma/g2.md": event("2024-11-15", "Gamma event"),
    }


def html(produced: list[str]) -> set[str]:
    return {path for path in produced if path.endswith(".html")}


@pytest.fixture
def built(write_site: Callable[..., Path], tmp_path: Path) -> tuple[Path, Builder]:
    site = write_site(three_stories())
    builder = Builder(site, tmp_path / "out")
    first = builder.build()
    assert first.ok, [d.format() for d in first.diagnostics]
    return site, builder


def test_a_second_build_builds_nothing(built: tuple[Path, Builder]) -> None:
    _, builder = built
    again = builder.build()
    assert again.ok and again.produced == []


RELATED_TITLES = ("The call is reported", "Roe answers Peskov")
"""alpha/a1 and gamma/g1: their views carry the edited entry's title in their relations."""


def edit_title(site: Path, builder: Builder) -> set[str]:
    (site / EDITED).write_text(a2(title="Peskov flatly denies the call"), "utf-8")
    result = builder.build()
    assert result.ok
    assert all(not path.startswith("beta/") for path in result.produced), sorted(result.produced)
    return html(result.produced)


def test_title_edit_re_renders_the_pages_that_show_the_entry(built: tuple[Path, Builder]) -> None:
    site, builder = built
    pages = edit_title(site, builder)
    required = {
        "alpha/a2/index.html", "alpha/index.html", "speakers/dmitry-peskov/index.html",
        "tags/kremlin/index.html",
        "alpha/a1/index.html",  # "Denied by" the edited entry
        "gamma/g1/index.html",  # "Responds to" it, from another story
    }
    assert required <= pages, sorted(pages)
    for page in pages:
        text = (builder.output / page).read_text("utf-8")
        # Tolerated: a page listing a related entry, whose whole view is in the fingerprint.
        assert "Peskov flatly denies the call" in text or any(t in text for t in RELATED_TITLES), page
    assert builder.build().produced == []


def test_title_edit_re_renders_nothing_that_does_not_show_the_entry(built: tuple[Path, Builder]) -> None:
    site, builder = built
    pages = edit_title(site, builder)
    hidden = [p for p in pages if "Peskov flatly denies" not in (builder.output / p).read_text("utf-8")]
    assert hidden == []


def test_body_edit_re_renders_the_entry_its_story_speaker_and_tags(built: tuple[Path, Builder]) -> None:
    site, builder = built
    (site / EDITED).write_text(a2(body="A completely rewritten body."), "utf-8")
    result = builder.build()
    assert result.ok
    pages = html(result.produced)
    assert {"alpha/a2/index.html", "alpha/index.html"} <= pages, sorted(pages)
    for page in pages:
        text = (builder.output / page).read_text("utf-8")
        shows = "A completely rewritten body." in text or "alpha/a2/" in text or "a2/" in text
        assert shows, f"{page} was re-rendered but neither shows nor links the entry"
    assert not any(page.startswith(("beta/", "gamma/g2/")) for page in pages), sorted(pages)


def test_stylesheet_change_renders_only_the_stylesheet(built: tuple[Path, Builder]) -> None:
    site, builder = built
    css = site / "layouts" / "assets" / "style.css"
    css.parent.mkdir(parents=True)
    css.write_text("body { color: rgb(1, 2, 3) }\n")
    result = builder.build(changed={"layouts/assets/style.css"})
    assert result.ok and result.produced == ["assets/style.css"]


def test_template_change_renders_the_pages_that_use_it(built: tuple[Path, Builder]) -> None:
    site, builder = built
    builtin = Path(__file__).resolve().parents[1] / "layouts" / "speaker.html"
    override = site / "layouts" / "speaker.html"
    override.parent.mkdir(parents=True)
    override.write_text(builtin.read_text("utf-8").replace("{% block main %}", "{% block main %}<!-- x -->"))
    result = builder.build(changed={"layouts/speaker.html"})
    assert result.ok
    assert html(result.produced) == {"speakers/dmitry-peskov/index.html", "speakers/jane-roe/index.html"}


def test_a_hinted_rebuild_equals_a_full_build(built: tuple[Path, Builder], tmp_path: Path) -> None:
    site, builder = built
    (site / "static").mkdir()
    (site / "static" / "note.txt").write_text("static file\n")
    assert builder.build(changed={"static/note.txt"}).ok
    fresh = Builder(site, tmp_path / "fresh")
    assert fresh.build().ok
    comparison = filecmp.dircmp(builder.output, fresh.output)
    assert not comparison.left_only and not comparison.right_only and not comparison.diff_files
    assert (builder.output / "note.txt").read_text() == "static file\n"


def test_a_content_change_is_never_skipped_by_a_hint(built: tuple[Path, Builder]) -> None:
    site, builder = built
    (site / EDITED).write_text(a2(title="Changed under a misleading hint"), "utf-8")
    result = builder.build(changed={"content/alpha/a2.md", "static/x.txt"})
    assert "alpha/a2/index.html" in result.produced
