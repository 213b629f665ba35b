"""`/<story>/timeline.json`: each story in TimelineJS3's JSON format."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sitegen.outputs.timelinejs_media import shown_as_media
from tests.support.publishing import FULL_SITE
from tests.support.sites import build_site, event, run_cli, story, write_files

# Knight Lab's own examples (MPL-2.0, see LICENSE-NOTE.md there), copied byte for byte.
EXAMPLES = Path(__file__).resolve().parent / "data" / "timelinejs"
DATE_KEYS = {"year", "month", "day", "hour", "minute", "second", "millisecond", "display_date", "format",
             "thumbnail"}  # a stray key two of Knight Lab's examples carry
SLIDE_KEYS = {
    "start_date", "end_date", "text", "media", "group", "display_date", "background", "autolink",
    "unique_id", "uniqueid", "location", "type",
}


@pytest.fixture(scope="module")
def full_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_files(tmp_path_factory.mktemp("timelinejs") / "site", FULL_SITE)
    result = build_site(root)
    assert result.ok, [d.format() for d in result.diagnostics]
    return root / "public"


def check_shape(document: dict[str, Any]) -> None:
    """Hold a document to the shape Knight Lab's own examples have."""
    assert set(document) <= {"title", "events", "eras", "scale"}
    assert isinstance(document["events"], list)
    slides = document["events"] + ([document["title"]] if "title" in document else [])
    for slide in slides:
        assert set(slide) <= SLIDE_KEYS, set(slide) - SLIDE_KEYS
        assert set(slide.get("text", {})) <= {"headline", "text"}
    for slide in document["events"]:
        for key in ("start_date", "end_date"):
            if key in slide:
                assert set(slide[key]) <= DATE_KEYS
                assert int(slide[key]["year"]) == float(slide[key]["year"])


@pytest.mark.parametrize("name", ["eras", "group_sample", "marktwain", "welcome", "years"])
def test_the_shape_check_accepts_knight_labs_examples(name: str) -> None:
    path = EXAMPLES / f"{name}.json"
    check_shape(json.loads(path.read_text("utf-8")))


def test_story_timeline(full_site: Path) -> None:
    document = json.loads((full_site / "bridge-dispute/timeline.json").read_text("utf-8"))
    check_shape(document)
    assert document["title"]["text"]["headline"] == "Was the bridge finished on time?"
    ids = [e["unique_id"] for e in document["events"]]
    # Oldest first; February 2024 and 1 February 2024 start together, the coarser first.
    assert ids == ["rated-event", "newspaper-claim", "opening", "minister-claim"]
    events = {e["unique_id"]: e for e in document["events"]}
    assert events["rated-event"]["start_date"] == {"year": 2024}
    assert events["newspaper-claim"]["start_date"] == {"year": 2024, "month": 2}
    assert events["newspaper-claim"]["display_date"] == "c. February 2024"
    assert events["opening"]["start_date"] == {"year": 2024, "month": 2, "day": 1}
    assert events["opening"]["end_date"] == {"year": 2024, "month": 2, "day": 3}
    # Exact days: TimelineJS words them itself, and an import does not take its words for the author's.
    assert "display_date" not in events["opening"]
    minister = events["minister-claim"]
    # TimelineJS knows no offsets: a time is written by the story's clock (Kyiv), on which its
    # dates without a time are days; the display date keeps the author's own.
    assert minister["start_date"] == {"year": 2024, "month": 2, "day": 5, "hour": 10, "minute": 30}
    assert minister["display_date"] == "5 February 2024, 10:30 UTC+2"
    assert minister["group"] == "Statement"
    assert events["opening"]["group"] == "Event"
    assert minister["text"]["headline"] == "Minister says the bridge was finished on time"
    assert "&lt;/script&gt;" in minister["text"]["text"] and "</script>" not in minister["text"]["text"]
    assert "<strong>False</strong>" in minister["text"]["text"]
    assert "https://example.org/checks/bridge-dispute/minister-claim/" in minister["text"]["text"]
    # The whole body, as the entry's page has it, its links absolute; the story's background too.
    assert "after a ceremony attended by zanzibarite enthusiasts.</p>" in events["opening"]["text"]["text"]
    assert ('The background of the bridge story, with a <a href="https://example.org/checks/about/">'
            in document["title"]["text"]["text"])


def test_example_story_timeline(example_site_build: Path) -> None:
    document = json.loads((example_site_build / "trump-putin-call/timeline.json").read_text("utf-8"))
    check_shape(document)
    assert len(document["events"]) == 8
    assert len({e["unique_id"] for e in document["events"]}) == 8
    # The sheet's rows tell who said what and the verdict, as the slides do: the fact-check itself.
    with (example_site_build / "trump-putin-call/timeline.csv").open(encoding="utf-8", newline="") as sheet:
        rows = {row["Unique ID"]: row for row in csv.DictReader(sheet)}
    slides = {e["unique_id"]: e["text"]["text"] for e in document["events"]}
    for entry_id in ("peskov-denial", "wapo-report"):
        lead = re.findall(r'<(?:p|blockquote) class="sitegen-(?:speaker|quote|rating)".*?</(?:p|blockquote)>',
                          slides[entry_id])
        assert lead and rows[entry_id]["Text"].startswith("".join(lead)), entry_id
    # A hedged date keeps its hedge there: the cells alone would show it as exact.
    shown = {e["unique_id"]: e.get("display_date", "") for e in document["events"]}
    assert rows["alleged-call"]["Display Date"] == shown["alleged-call"] == (
        "around 6 November 2024 – around 10 November 2024")
    # The parts say it all.
    assert rows["us-election-result"]["Display Date"] == shown["us-election-result"] == ""


MEDIA_SITE = {
    "sitegen.toml": 'title = "Checks"\nbase_url = "https://example.org/checks/"\n',
    "content/call/_index.md": "---\ntitle: The call\nsummary: Was there a call?\n---\n\nBackground.\n",
    "content/call/interview.md": (
        "---\nkind: event\ndate: 2024-11-10\ntitle: The interview\nsources:\n"
        "  - url: https://www.reuters.com/world/europe/the-interview-2024-11-10/\n"
        "    title: Reuters' report\n    publisher: Reuters\n"
        "  - url: https://www.youtube.com/watch?v=h3K3kEDEAN4\n"
        "    title: The interview <in full>\n    publisher: Channel & Co\n"
        "---\n\nThe interview, on video.\n"
    ),
    "content/call/report.md": (
        "---\nkind: event\ndate: 2024-11-11\ntitle: The report\nsources:\n"
        "  - url: https://news.example/spotify-and-youtu.be-links-explained\n"
        "    title: An article whose address names two services\n"
        "---\n\n![The call's route on a map](../../images/route.png)\n\nSee [the denial](../denial/).\n"
    ),
    "content/call/denial.md": (
        "---\nkind: event\ndate: 2024-11-12\ntitle: The denial\nsources:\n"
        "  - url: https://www.kremlin.ru/events/president/news/75521\n    title: The denial\n"
        "---\n\nNo picture here.\n"
    ),
    "static/images/route.png": "not really a PNG, but the export only names it\n",
}


def test_a_slide_shows_a_source_timelinejs_can_embed_or_the_bodys_image_never_an_article(
    tmp_path: Path,
) -> None:
    # TimelineJS shows any media URL it has no pattern for as an image: an article there is a
    # broken picture on the slide. A video or post it embeds is what the statement was made in.
    site = write_files(tmp_path / "site", MEDIA_SITE)
    assert build_site(site).ok
    document = json.loads((site / "public/call/timeline.json").read_text("utf-8"))
    check_shape(document)
    events = {e["unique_id"]: e for e in document["events"]}
    assert events["interview"]["media"] == {
        "url": "https://www.youtube.com/watch?v=h3K3kEDEAN4",
        "caption": "The interview &lt;in full&gt;",  # TimelineJS puts caption and credit in innerHTML
        "credit": "Channel &amp; Co",
    }
    # An address that only mentions a service is not that service; the body's image is shown.
    assert events["report"]["media"] == {"url": "https://example.org/checks/images/route.png",
                                         "alt": "The call's route on a map"}
    assert "media" not in events["denial"]

    # The sheet export: the same media; a body's image stays in its text, where TimelineJS shows it.
    with (site / "public/call/timeline.csv").open(encoding="utf-8", newline="") as sheet:
        rows = {row["Unique ID"]: row for row in csv.DictReader(sheet)}
    assert rows["interview"]["Media"] == "https://www.youtube.com/watch?v=h3K3kEDEAN4"
    assert rows["report"]["Media"] == rows["denial"]["Media"] == ""
    # Read away from the site, so with its address made absolute: `../../images/` leads nowhere there.
    assert 'src="https://example.org/checks/images/route.png"' in rows["report"]["Text"]
    assert 'href="https://example.org/checks/call/denial/"' in rows["report"]["Text"]


def test_knight_labs_embedded_media_come_back_as_the_slides_media_after_an_import(write_site) -> None:
    # marktwain.json's slides show a tweet, an Instagram post, Flickr, YouTube, Vimeo…: the
    # import keeps each as the entry's source, and the export gives it back as the media.
    site = write_site({"sitegen.toml": 'title = "T"\nbase_url = "https://example.org/"\n'})
    (site / "content").mkdir()
    imported = run_cli("import", "timelinejs", str(EXAMPLES / "marktwain.json"), "--story", "twain",
                       "--source", str(site))
    assert imported.returncode == 0, imported.stderr
    assert build_site(site).ok
    original = json.loads((EXAMPLES / "marktwain.json").read_text("utf-8"))["events"]
    exported = json.loads((site / "public/twain/timeline.json").read_text("utf-8"))["events"]
    addresses = {e.get("media", {}).get("url", "") for e in original}
    wanted = {url for url in addresses if url.startswith("http")}  # not spotify: URIs, nor HTML
    shown = {e["media"]["url"] for e in exported if "media" in e}
    assert shown == wanted, (wanted - shown, shown - wanted)


@pytest.mark.parametrize(("address", "shown"), [
    ("https://www.youtube.com/watch?v=h3K3kEDEAN4", True),
    ("https://youtu.be/h3K3kEDEAN4", True),
    ("https://x.com/MarkTwainQuote/status/441928360583643136", True),
    ("https://en.wikipedia.org/wiki/Mark_Twain", True),
    ("https://example.org/charts/turnout.PNG", True),
    ("https://example.org/reports/audit.pdf", True),
    ("https://www.reuters.com/world/europe/a-report-2024-11-10/", False),  # an article
    ("https://www.youtube.com/@channel", False),  # a channel, not one video
    ("https://x.com/MarkTwainQuote", False),  # a profile, not one post
    ("https://news.example/spotify-and-youtu.be-links", False),  # names services, is neither
    ("https://news.example/iframe.mp4", False),  # TimelineJS takes it for an HTML frame
    ("ftp://example.org/clip.mp4", False),
])
def test_which_sources_a_slide_shows_as_its_media(address: str, shown: bool) -> None:
    assert shown_as_media(address) is shown


def test_words_written_the_other_way_keep_their_direction_on_the_slide(tmp_path: Path) -> None:
    site = write_files(tmp_path / "site", {
        "sitegen.toml": 'title = "Checks"\nbase_url = "https://example.org/checks/"\n',
        "content/deal/_index.md": "---\ntitle: The deal\nsummary: Was it signed?\n---\n",
        "content/deal/pledge.md": (
            "---\nkind: statement\ndate: 2024-11-10\ntitle: The minister pledges to sign\n"
            "speaker: The minister\nquote: We will sign the agreement.\n"
            "original_quote: سنوقع الاتفاق.\noriginal_language: ar\n"
            "sources:\n  - url: https://news.example/pledge\n    publisher: News\n---\n"),
    })
    assert build_site(site).ok
    [event] = json.loads((site / "public/deal/timeline.json").read_text("utf-8"))["events"]
    quote = '<blockquote class="sitegen-quote" lang="ar" dir="rtl">سنوقع الاتفاق.</blockquote>'
    assert quote in event["text"]["text"]


def test_times_go_out_by_the_storys_clock_so_timelinejs_orders_them_as_the_site(
    write_site: Callable[..., Path],
) -> None:
    # TimelineJS puts every date on the reader's calendar: a day-only date and a time must be on
    # one clock, or 01:30 in Moscow on 11 November lands on the 10th, before that day's report.
    root = write_site({
        "sitegen.toml": 'title = "T"\nbase_url = "https://e.org/"\ntimezone = "Europe/Moscow"\n',
        "content/s/_index.md": story(),
        "content/s/report.md": event("2024-11-11", "Report"),
        "content/s/reply.md": event("2024-11-11T01:30", "Reply", "responds_to: report\n"),
        "content/s/london.md": event("2024-11-11T17:00Z", "London"),
    })
    assert build_site(root).ok
    events = json.loads((root / "public/s/timeline.json").read_text("utf-8"))["events"]
    assert [(e["text"]["headline"], e["start_date"]) for e in events] == [
        ("Report", {"year": 2024, "month": 11, "day": 11}),
        ("Reply", {"year": 2024, "month": 11, "day": 11, "hour": 1, "minute": 30}),
        ("London", {"year": 2024, "month": 11, "day": 11, "hour": 20, "minute": 0}),
    ]
    assert events[2]["display_date"] == "11 November 2024, 17:00 UTC"
    with (root / "public/s/timeline.csv").open(encoding="utf-8", newline="") as sheet:
        rows = {row["Headline"]: row for row in csv.DictReader(sheet)}
    assert (rows["London"]["Day"], rows["London"]["Time"]) == ("11", "20:00")

