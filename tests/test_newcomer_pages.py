"""What readers and authors see: last updates, scaffold placeholders, correction feed titles."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import feedparser

from tests.support.sites import build_site, event, run_cli, story


def text_of(page: Path) -> str:
    """The words a reader sees on a page, without its tags."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.read_text("utf-8")))


def test_last_updated_on_the_story_and_home_page_counts_corrections(write_site: Callable[..., Path]) -> None:
    site = write_site({
        "content/s/_index.md": story(extra="updated: 2017-09-17\n"),
        "content/s/a.md": event("2017-09-16", "A column", extra=(
            "corrections:\n  - date: 2026-11-30\n    note: The date of the column was wrong.\n")),
    })
    assert build_site(site).ok
    story_page = text_of(site / "public/s/index.html")
    home = text_of(site / "public/index.html")
    assert "Last updated 30 November 2026" in story_page
    assert "Updated 30 November 2026" in home
    assert "17 September 2017" not in home


def test_init_placeholders_are_warned_about_so_they_are_not_published(tmp_path: Path) -> None:
    assert run_cli("init", str(tmp_path / "site")).returncode == 0
    checked = run_cli("check", "--source", str(tmp_path / "site"))
    out = checked.stdout
    story = "content/first-story"
    assert f"{story}/first-statement.md:7:9: warning: `The exact words.` is placeholder text" in out
    assert f"{story}/first-event.md:8:10: warning: `https://example.org/report` is placeholder" in out
    assert "sitegen.toml:2:1: warning: `base_url` is still the placeholder https://example.org/" in out
    strict = run_cli("build", "--strict", "--source", str(tmp_path / "site"))
    assert strict.returncode == 1 and "placeholder text" in strict.stderr
    # The build says so too, beside the texts: a site would go live with example.org feeds.
    assert "sitegen.toml:2:1: error: `base_url` is still the placeholder" in strict.stderr
    addressed = run_cli("build", "--strict", "--base-url", "https://news.test/",
                        "--source", str(tmp_path / "site"))
    assert addressed.returncode == 1 and "base_url" not in addressed.stderr


def test_a_corrected_title_opening_with_a_quote_is_not_quoted_twice(write_site: Callable[..., Path]) -> None:
    site = write_site({
        "content/s/_index.md": story(),
        "content/s/a.md": event("2016-04-01", "“£350 million a week” for the NHS", extra=(
            "corrections:\n  - date: 2016-06-01\n    note: Fixed the figure.\n")),
        "content/s/b.md": event("2016-04-02", "A bus tour", extra=(
            "corrections:\n  - date: 2016-06-02\n    note: Fixed the date.\n")),
    })
    assert build_site(site).ok
    titles = [e.title for e in feedparser.parse((site / "public/corrections/feed.xml").read_bytes()).entries]
    assert "Correction to “£350 million a week” for the NHS" in titles
    assert "Correction to “A bus tour”" in titles
    assert not [t for t in titles if "““" in t]


def test_a_date_only_reply_shows_below_the_timed_entry_it_answers(write_site: Callable[..., Path]) -> None:
    site = write_site({
        "content/s/_index.md": story(),
        "content/s/report.md": event("2024-11-10T18:30", "The evening report"),
        "content/s/denial.md": event("2024-11-10", "The denial", extra="denies: report\n"),
        "content/s/morning.md": event("2024-11-10T08:00", "A morning event"),
    })
    assert build_site(site).ok
    page = text_of(site / "public/s/index.html")
    assert page.index("A morning event") < page.index("The evening report") < page.index("The denial")


def test_check_warns_when_a_reply_is_dated_before_what_it_answers(write_site: Callable[..., Path]) -> None:
    site = write_site({
        "content/s/_index.md": story(),
        "content/s/report.md": event("2024-11-10T18:30", "The report"),
        "content/s/denial.md": event("2024-11-10T09:00", "The denial", extra="denies: report\n"),
    })
    out = run_cli("check", "--source", str(site)).stdout
    assert ("content/s/denial.md:5:1: error: `denies: report` points forward in time: this entry is dated "
            "2024-11-10T09:00, before `report` (2024-11-10T18:30)") in out, out
    assert out.count("denies: report") == 2, out  # the one problem, and its line quoted once


def test_relations_are_their_own_block_in_date_order_not_in_the_sources(
    write_site: Callable[..., Path],
) -> None:
    site = write_site({
        "content/s/_index.md": story(),
        "content/s/late.md": event("2024-03-01", "The late report"),
        "content/s/early.md": event("2024-01-01", "The early report"),
        "content/s/reply.md": event("2024-04-01", "The reply", extra=(
            "responds_to: [late, early]\nsources:\n  - url: https://news.test/a\n    title: A source\n")),
    })
    assert build_site(site).ok
    for page in ("public/s/index.html", "public/s/reply/index.html"):
        html = (site / page).read_text("utf-8")
        block = html[html.index('id="reply"') if 'id="reply"' in html else 0:]
        relations = block[block.index('class="relations"'):]
        relations = relations[:relations.index("</ul>")]
        assert relations.index("The early report") < relations.index("The late report"), page
        sources = block[block.index('class="sources"'):]
        sources = sources[:sources.index("</ul>")]
        assert "The early report" not in sources and "A source" in sources, page
