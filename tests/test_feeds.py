"""Atom feeds: the site's, each story's and the corrections log, read by feedparser."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import feedparser
import lxml.html
import pytest

from tests.support.publishing import FULL_SITE, FULL_SITE_ENTRIES
from tests.support.sites import build_site, event, story, write_files

CHECKS = "https://example.org/checks/"


def parse(path: Path) -> feedparser.FeedParserDict:
    """Parse a feed file; fail on any error feedparser reports."""
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, f"{path}: {feed.get('bozo_exception')}"
    assert feed.version == "atom10"
    return feed


@pytest.fixture(scope="module")
def full_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_files(tmp_path_factory.mktemp("feeds") / "site", FULL_SITE)
    result = build_site(root)
    assert result.ok, [d.format() for d in result.diagnostics]
    return root / "public"


def test_every_feed_of_the_example_site_parses(example_site_build: Path) -> None:
    entries = sorted(p.parent.name for p in (example_site_build / "trump-putin-call").glob("*/index.html")
                     if p.parent.name != "embed")  # the timeline for iframes, not an entry
    story_feed = parse(example_site_build / "trump-putin-call/feed.xml")
    assert len(story_feed.entries) == len(entries) == 8
    site_feed = parse(example_site_build / "feed.xml")
    assert len(site_feed.entries) == 8
    corrections = parse(example_site_build / "corrections/feed.xml")
    assert len(corrections.entries) == 1
    assert "Ukraine" in corrections.entries[0].summary


def test_story_feed_entries_have_id_dates_author_summary_link(full_site: Path) -> None:
    feed = parse(full_site / "bridge-dispute/feed.xml")
    assert feed.feed.title == "Was the bridge finished on time? · Publishing Checks"
    assert feed.feed.id == CHECKS + "bridge-dispute/feed.xml"
    assert feed.feed.link == CHECKS + "bridge-dispute/"
    assert feed.feed.language == "en"
    ids = {e.id for e in feed.entries}
    assert ids == {CHECKS + f"bridge-dispute/{e}/" for e in FULL_SITE_ENTRIES["bridge-dispute"]}
    for entry in feed.entries:
        assert entry.link == entry.id
        assert entry.published_parsed and entry.updated_parsed
        assert entry.author == "Test Fact Desk"
        assert entry.summary
        assert entry.title
    minister = next(e for e in feed.entries if e.id.endswith("/minister-claim/"))
    assert minister.published == "2024-02-05T08:30:00Z"
    # The newest correction (1 March, midnight in Kyiv) is the entry's last change.
    assert minister.updated == "2024-02-29T22:00:00Z"
    assert minister.summary.startswith("False: Contract records")
    assert {t.term for t in minister.tags} >= {"statement", "rating-false", "infrastructure"}
    content = minister.content[0]
    assert content.type == "text/html"
    assert 'href="https://example.gov/tenders/bridge"' in content.value
    assert "Our rating: False." in content.value
    # Relative links in a body resolve against the entry's own page.
    raw = (full_site / "bridge-dispute/feed.xml").read_text("utf-8")
    assert f'<content type="html" xml:base="{CHECKS}bridge-dispute/minister-claim/">' in raw
    # Newest change first: the minister's corrected entry leads.
    assert feed.entries[0].id.endswith("/minister-claim/")
    # The story's own correction (2 March) is the feed's last change.
    assert feed.feed.updated == "2024-03-01T22:00:00Z"


def test_site_feed_holds_the_newest_hundred_across_stories(write_site: Callable[..., Path]) -> None:
    files = {"content/a/_index.md": story("A"), "content/b/_index.md": story("B")}
    for day in range(1, 61):
        month, dom = divmod(day - 1, 28)
        files[f"content/a/e{day:03d}.md"] = event(f"2023-{month + 1:02d}-{dom + 1:02d}", f"A {day}")
        files[f"content/b/e{day:03d}.md"] = event(f"2024-{month + 1:02d}-{dom + 1:02d}", f"B {day}")
    root = write_site(files)
    assert build_site(root).ok
    feed = parse(root / "public/feed.xml")
    assert len(feed.entries) == 100
    assert all("/b/" in e.id for e in feed.entries[:60])
    dates = [e.updated for e in feed.entries]
    assert dates == sorted(dates, reverse=True)
    assert len(parse(root / "public/a/feed.xml").entries) == 60


def test_site_feed_entries_of_the_same_day_follow_the_home_page_then_the_timeline(
    write_site: Callable[..., Path],
) -> None:
    # Stories are taken from each story's own newest-first list (kept between rebuilds) and
    # merged: the order must be that of sorting every entry of the site.
    files = {f"content/{slug}/_index.md": story(slug.upper()) for slug in ("a", "b", "c")}
    for slug in ("a", "b", "c"):
        for day in (1, 2, 3):
            files[f"content/{slug}/x{day}.md"] = event(f"2024-01-0{day}", f"{slug} x{day}")
    files["content/a/y3.md"] = event("2024-01-03", "a y3")
    root = write_site(files)
    assert build_site(root).ok
    ids = [e.id.removeprefix(CHECKS).strip("/") for e in parse(root / "public/feed.xml").entries]
    assert ids == ["a/x3", "a/y3", "b/x3", "c/x3", "a/x2", "b/x2", "c/x2", "a/x1", "b/x1", "c/x1"]


def test_a_correction_updates_the_story_feed(write_site: Callable[..., Path]) -> None:
    root = write_site({
        "content/s/_index.md": story(),
        "content/s/first.md": event("2024-01-10", "First"),
        "content/s/second.md": event("2024-01-12", "Second"),
    })
    assert build_site(root).ok
    before = parse(root / "public/s/feed.xml")
    assert before.feed.updated == "2024-01-12T00:00:00Z"
    assert [e.title for e in before.entries] == ["Second", "First"]

    write_files(root, {"content/s/first.md": event(
        "2024-01-10", "First", extra="corrections:\n  - date: 2024-02-01\n    note: Fixed the date.\n")})
    assert build_site(root).ok
    after = parse(root / "public/s/feed.xml")
    assert after.feed.updated == "2024-02-01T00:00:00Z"
    assert [e.title for e in after.entries] == ["First", "Second"]
    assert after.entries[0].updated == "2024-02-01T00:00:00Z"
    assert after.entries[0].published == "2024-01-10T00:00:00Z"
    assert "Fixed the date." in after.entries[0].content[0].value

    write_files(root, {"content/s/third.md": event("2024-03-01", "Third")})
    assert build_site(root).ok
    added = parse(root / "public/s/feed.xml")
    assert [e.title for e in added.entries] == ["Third", "First", "Second"]
    assert added.feed.updated == "2024-03-01T00:00:00Z"


def test_an_empty_corrections_feed_was_updated_when_the_site_began_not_in_1970(
    write_site: Callable[..., Path],
) -> None:
    root = write_site({"content/s/_index.md": story(), "content/s/e.md": event("2024-03-05"),
                       "content/s/f.md": event("2024-04-01")})
    assert build_site(root).ok
    feed = feedparser.parse((root / "public/corrections/feed.xml").read_text("utf-8"))
    assert not feed.bozo and feed.entries == []
    assert feed.feed.updated == "2024-03-05T00:00:00Z"


def test_corrections_page_and_feed_list_everything_newest_first(full_site: Path) -> None:
    feed = parse(full_site / "corrections/feed.xml")
    assert [e.summary for e in feed.entries] == [
        "The background misnamed the contractor; fixed.",
        "Added the archived transcript.",
        "An earlier version gave the wrong contract date.",
    ]
    assert feed.entries[0].link == CHECKS + "bridge-dispute/"
    assert feed.entries[1].link == CHECKS + "bridge-dispute/minister-claim/"
    assert len({e.id for e in feed.entries}) == 3
    page = lxml.html.fromstring((full_site / "corrections/index.html").read_bytes())
    notes = [p.text_content() for p in page.xpath('//li[@class="correction-item"]/p[not(@class)]')]
    assert notes == [e.summary for e in feed.entries]
    assert page.xpath('//link[@rel="alternate"][@href="feed.xml"]')
    # Corrections also show on the corrected page itself.
    entry_page = (full_site / "bridge-dispute/minister-claim/index.html").read_text("utf-8")
    assert "Added the archived transcript." in entry_page


def test_pages_link_their_feeds(full_site: Path) -> None:
    def alternates(page: str) -> set[str]:
        document = lxml.html.fromstring((full_site / page).read_bytes())
        return {
            link.get("href")
            for link in document.xpath('//link[@rel="alternate"][@type="application/atom+xml"]')
        }

    assert alternates("index.html") == {"feed.xml"}
    assert alternates("bridge-dispute/index.html") == {"../feed.xml", "feed.xml"}
    assert alternates("bridge-dispute/opening/index.html") == {"../../feed.xml", "../feed.xml"}
    assert alternates("speakers/jane-roe/index.html") == {"../../feed.xml"}


def test_feeds_are_byte_identical_across_builds(full_site: Path, tmp_path: Path) -> None:
    root = write_files(tmp_path / "again", FULL_SITE)
    assert build_site(root).ok
    for name in ("feed.xml", "bridge-dispute/feed.xml", "port-plan/feed.xml", "corrections/feed.xml"):
        assert (root / "public" / name).read_bytes() == (full_site / name).read_bytes(), name


def test_characters_xml_forbids_are_dropped(write_site: Callable[..., Path]) -> None:
    root = write_site({
        "content/s/_index.md": story(),
        "content/s/e.md": event("2024-01-10", "Bell", body="A bell \x07 and a form feed \x0c here."),
    })
    assert build_site(root).ok
    feed = parse(root / "public/s/feed.xml")
    assert "A bell  and a form feed  here." in feed.entries[0].content[0].value


def test_a_feed_words_a_date_as_its_author_did(write_site: Callable[..., Path]) -> None:
    # "Mid-November 2024" holds back a precision the day would claim; the feed says it too.
    dated = event("2024-11-15", "The talks", extra='display_date: "Mid-November 2024"\n')
    site = write_site({"content/s/_index.md": story(), "content/s/a.md": dated})
    assert build_site(site).ok
    [item] = feedparser.parse((site / "public/s/feed.xml").read_bytes()).entries
    content = lxml.html.fromstring(item.content[0].value)
    [when] = content.xpath("//time")
    assert (when.text, when.get("datetime")) == ("Mid-November 2024", "2024-11-15")
