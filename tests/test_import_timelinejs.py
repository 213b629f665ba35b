"""`sitegen import timelinejs`: TimelineJS timelines in, as stories that build and check."""

from __future__ import annotations

import json
from pathlib import Path

import frontmatter
import pytest

from tests.support.sites import build_site, run_cli

EXAMPLES = Path(__file__).resolve().parent / "data" / "timelinejs"
SITE = {"sitegen.toml": 'title = "T"\nbase_url = "https://example.org/"\n'}


@pytest.mark.parametrize("name", ["eras", "group_sample", "marktwain", "welcome"])
def test_each_knight_lab_example_becomes_a_story_with_an_entry_per_slide(write_site, name: str) -> None:
    site = write_site(SITE)
    (site / "content").mkdir()
    result = run_cli("import", "timelinejs", str(EXAMPLES / f"{name}.json"), "--story", "imported",
                     "--source", str(site))
    assert result.returncode == 0, result.stderr
    slides = json.loads((EXAMPLES / f"{name}.json").read_text("utf-8"))["events"]
    entries = [p for p in (site / "content/imported").glob("*.md") if p.name != "_index.md"]
    assert len(entries) == len(slides)
    check = run_cli("check", "--source", str(site))
    assert check.returncode == 0, check.stdout
    assert ": error: " not in check.stdout, check.stdout
    built = build_site(site)
    assert built.ok
    timeline = json.loads((site / "public/imported/timeline.json").read_text("utf-8"))
    assert len(timeline["events"]) == len(slides)


def test_dates_keep_their_precision_and_text_keeps_its_links(write_site) -> None:
    site = write_site(SITE)
    run_cli("import", "timelinejs", str(EXAMPLES / "eras.json"), "--story", "eras", "--source", str(site))
    nineveh = (site / "content/eras/battle-of-nineveh.md").read_text("utf-8")
    assert "date: '0627-12-12'" in nineveh
    assert "Era Test 600-650" in nineveh
    war = (site / "content/eras/last-great-roman-persian-war.md").read_text("utf-8")
    assert "date: '0602'" in war and "end_date: 0629" in war
    run_cli("import", "timelinejs", str(EXAMPLES / "group_sample.json"), "--story", "groups",
            "--source", str(site))
    groups = (site / "content/groups").glob("*.md")
    assert any("date: 2016-11-13T09:30" in p.read_text("utf-8") for p in groups)
    run_cli("import", "timelinejs", str(EXAMPLES / "welcome.json"), "--story", "welcome",
            "--source", str(site))
    bodies = "".join(p.read_text("utf-8") for p in (site / "content/welcome").glob("*.md"))
    assert "[Wikipedia entry](http://en.wikipedia.org/wiki/A_Trip_to_the_Moon)" in bodies


def test_bce_years_are_reported_per_slide_and_nothing_is_written(write_site) -> None:
    site = write_site(SITE)
    result = run_cli("import", "timelinejs", str(EXAMPLES / "years.json"), "--story", "years",
                     "--source", str(site))
    assert result.returncode == 1
    for number in range(1, 6):
        assert f"slide {number}: start_date year -" in result.stderr
    assert not (site / "content/years").exists()


BAD_FILES = {
    "not-json.json": ("{ not json", "not JSON"),
    "no-date.json": ('{"events": [{"text": {"headline": "Undated"}}]}', "slide 1: no start date"),
    "layout.csv": ("When,What\n2024,Something\n", "unknown column layout"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_give_clear_errors_and_write_nothing(write_site, tmp_path: Path, name: str) -> None:
    site = write_site(SITE)
    text, message = BAD_FILES[name]
    (tmp_path / name).write_text(text, "utf-8")
    result = run_cli("import", "timelinejs", str(tmp_path / name), "--story", "bad", "--source", str(site))
    assert result.returncode == 1
    assert message in result.stderr
    assert not (site / "content/bad").exists()


def test_a_timeline_with_broken_characters_imports_with_a_warning_and_builds_clean(
    write_site, tmp_path: Path,
) -> None:
    # Half a surrogate pair (what a sheet cut in the middle of an emoji exports) and control
    # codes, escaped in the JSON, raw in it, and as HTML character references.
    timeline = ('{"title": {"text": {"headline": "Votes \\ud83d counted", "text": "<p>Intro&#1;</p>"}},'
                ' "events": [{"start_date": {"year": "2024", "month": "5", "day": "2"},'
                ' "text": {"headline": "Polls\\u0001 close", "text": "<p>Counting\u0085 starts.</p>"}}]}')
    (tmp_path / "broken.json").write_text(timeline, "utf-8")
    site = write_site(SITE)
    imported = run_cli("import", "timelinejs", str(tmp_path / "broken.json"), "--story", "votes",
                       "--source", str(site))
    assert imported.returncode == 0, imported.stderr
    assert "broken.json:1:1: warning:" in imported.stderr and "U+0085" in imported.stderr
    assert "U+D83D" in imported.stderr or "U+0001" in imported.stderr
    written = "".join(p.read_text("utf-8") for p in (site / "content/votes").glob("*.md"))
    assert "Votes counted" in written and "Polls close" in written and "Counting starts." in written
    built = run_cli("build", "--source", str(site))
    assert built.returncode == 0, built.stderr
    assert "content/votes" not in built.stderr, "the imported files hold nothing the build must drop"


def test_an_existing_story_is_not_overwritten_without_force(write_site) -> None:
    site = write_site({**SITE, "content/eras/_index.md": "---\ntitle: Mine\nsummary: Mine.\n---\n"})
    result = run_cli("import", "timelinejs", str(EXAMPLES / "eras.json"), "--story", "eras",
                     "--source", str(site))
    assert result.returncode == 2 and "already exists" in result.stderr
    assert "Mine" in (site / "content/eras/_index.md").read_text("utf-8")
    forced = run_cli("import", "timelinejs", str(EXAMPLES / "eras.json"), "--story", "eras", "--source",
                     str(site), "--force")
    assert forced.returncode == 0
    assert "Eras Test" in (site / "content/eras/_index.md").read_text("utf-8")


def test_timeline_csv_has_the_template_columns_and_imports_back_to_the_same_entries(write_site) -> None:
    site = write_site(SITE)
    run_cli("import", "timelinejs", str(EXAMPLES / "eras.json"), "--story", "eras", "--source", str(site))
    first = build_site(site)
    assert first.ok
    csv_text = (site / "public/eras/timeline.csv").read_text("utf-8")
    assert csv_text.startswith("Year,Month,Day,Time,End Year,End Month,End Day,End Time,Display Date,"
                               "Headline,Text,Media,Media Credit,Media Caption,Media Thumbnail,Type,Group,"
                               "Background")
    again = write_site(SITE, folder="again")
    (again / "eras.csv").write_text(csv_text, "utf-8")
    result = run_cli("import", "timelinejs", str(again / "eras.csv"), "--story", "eras",
                     "--source", str(again))
    assert result.returncode == 0, result.stderr
    assert build_site(again).ok
    before = json.loads((site / "public/eras/timeline.json").read_text("utf-8"))
    after = json.loads((again / "public/eras/timeline.json").read_text("utf-8"))
    def essentials(document: dict) -> list[tuple]:
        return [(e["unique_id"], e["start_date"], e.get("end_date"), e["text"]["headline"])
                for e in document["events"]]
    assert essentials(after) == essentials(before)
    for entry_id in ("battle-of-nineveh", "synod-of-whitby"):
        old = (site / f"public/eras/{entry_id}/index.html").read_text("utf-8")
        new = (again / f"public/eras/{entry_id}/index.html").read_text("utf-8")
        body = old.split('class="entry-body')[1].split("</div>")[0]
        assert body in new


SOURCED = {
    **SITE,
    "content/call/_index.md": "---\ntitle: The call\nsummary: Was there a call?\n---\n\nBackground.\n",
    "content/call/denial.md": (
        "---\nkind: statement\ndate: 2024-11-11\ntitle: The Kremlin denies the call\nspeaker: peskov\n"
        "role: Kremlin spokesman\nquote: \"It is pure fiction, it's just false information.\"\n"
        "original_quote: Это чистой воды вымысел.\noriginal_language: ru\n"
        "rating: unproven\nverdict: No one has shown the call took place, or that it did not.\n"
        "reviewed: 2024-11-12\n"
        "sources:\n"
        "  - url: https://www.rt.com/news/607264-peskov-trump-putin-call/\n"
        "    title: Kremlin denies report of Trump–Putin call; \"pure fiction\"\n    publisher: RT\n"
        "    date: 2024-11-11T09:30+03:00\n"
        "    archive: https://web.archive.org/web/2024/https://www.rt.com/news/607264/\n"
        "  - url: https://www.youtube.com/watch?v=h3K3kEDEAN4\n    title: The briefing, on video\n"
        "    publisher: \"Briefings; Co;\"\n"
        "  - url: https://www.reuters.com/world/europe/kremlin-2024-11-11/\n    publisher: Reuters & Co\n"
        "    date: 2024-11\n    anonymous: true\n"
        "---\n\nPeskov said no call took place.\n"
    ),
    "content/_speakers/peskov.md": "---\nname: Dmitry Peskov\n---\n",
}


@pytest.mark.parametrize("export", ["timeline.csv", "timeline.json"])
def test_every_source_comes_back_when_an_export_is_imported_again(write_site, export: str) -> None:
    # A slide lists its sources after the text, as the entry page does, with their dates,
    # archived copies and anonymous marks, which TimelineJS shows; the import reads them back.
    site = write_site(SOURCED)
    assert build_site(site).ok
    again = write_site(SITE, folder="again")
    (again / "content").mkdir()
    copy = again / export.replace("timeline", "call")
    copy.write_bytes((site / "public/call" / export).read_bytes())
    result = run_cli("import", "timelinejs", str(copy), "--story", "call", "--source", str(again),
                     "--kind", "statement")
    assert result.returncode == 0, result.stderr
    imported = frontmatter.load(again / "content/call/denial.md")
    assert imported["sources"] == [
        {"url": "https://www.rt.com/news/607264-peskov-trump-putin-call/",
         "title": "Kremlin denies report of Trump–Putin call; \"pure fiction\"", "publisher": "RT",
         "date": "2024-11-11T09:30+03:00",
         "archive": "https://web.archive.org/web/2024/https://www.rt.com/news/607264/"},
        {"url": "https://www.youtube.com/watch?v=h3K3kEDEAN4", "title": "The briefing, on video",
         "publisher": "Briefings; Co;"},
        {"url": "https://www.reuters.com/world/europe/kremlin-2024-11-11/", "publisher": "Reuters & Co",
         "date": "2024-11", "anonymous": True},
    ]
    assert "Sources" not in imported.content and "Peskov said no call took place." in imported.content
    # Who said what, and the verdict, come back as the fields they were; the site's scale
    # names the rating, so the author picks it again (the check says so at the verdict).
    assert (imported["speaker"], imported["role"]) == ("Dmitry Peskov", "Kremlin spokesman")
    assert imported["quote"] == "It is pure fiction, it's just false information."
    assert (imported["original_quote"], imported["original_language"]) == ("Это чистой воды вымысел.", "ru")
    assert imported["verdict"] == "No one has shown the call took place, or that it did not."
    assert "pure fiction" not in imported.content and "No one has shown" not in imported.content
    assert build_site(again).ok  # as the site read them


def test_an_export_from_before_sources_were_marked_still_gives_its_sources(tmp_path: Path) -> None:
    # Exports of late 2026 wrote each source as a link, ` — ` and its publisher, no more.
    timeline = {"events": [{
        "start_date": {"year": "2024", "month": "11", "day": "11"},
        "text": {"headline": "The Kremlin denies the call", "text": (
            "<p>Peskov said no call took place.</p><p class=\"sitegen-sources\">Sources: "
            "<a href=\"https://www.rt.com/news/607264/\">Kremlin denies the call</a> — RT; "
            "<a href=\"https://www.reuters.com/world/europe/kremlin/\">https://www.reuters.com/world/europe/kremlin/</a>"
            " — Reuters &amp; Co</p>")},
    }]}
    site = tmp_path / "site"
    assert run_cli("init", str(site)).returncode == 0
    export = tmp_path / "call.json"
    export.write_text(json.dumps(timeline), "utf-8")
    result = run_cli("import", "timelinejs", str(export), "--story", "call", "--source", str(site),
                     "--kind", "statement")
    assert result.returncode == 0, result.stderr
    imported = frontmatter.load(site / "content/call/the-kremlin-denies-the-call.md")
    assert imported["sources"] == [
        {"url": "https://www.rt.com/news/607264/", "title": "Kremlin denies the call", "publisher": "RT"},
        {"url": "https://www.reuters.com/world/europe/kremlin/", "publisher": "Reuters & Co"},
    ]
    assert imported.content == "Peskov said no call took place."


def test_a_folder_given_as_the_file_says_which_file_to_give(tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert run_cli("init", str(site)).returncode == 0
    result = run_cli("import", "timelinejs", str(tmp_path), "--story", "call", "--source", str(site))
    assert result.returncode == 2 and "is a folder; give the TimelineJS .json file" in result.stderr
    assert not (site / "content/call").exists()


ROUND_TRIP = {
    **SITE,
    "content/s/_index.md": "---\ntitle: S\nsummary: Sum.\n---\n\nBackground with a [link](https://example.com/bg).\n",
    "content/s/e.md": (
        "---\nkind: event\ndate: 2020-01-01\ntitle: E\ntags: [Kremlin]\n---\n\n"
        "First with [a link](https://example.com/a) and *emphasis*.\n\n- item one\n- item two\n\n"
        "Third paragraph.\n"),
    "content/s/moscow.md": (
        "---\nkind: event\ndate: 2024-11-10T18:30+03:00\ntitle: Moscow evening\n---\n\nx\n"),
    "content/s/london.md": "---\nkind: event\ndate: 2024-11-10T17:00Z\ntitle: London afternoon\n---\n\ny\n",
}


@pytest.mark.parametrize("export", ["timeline.json", "timeline.csv"])
def test_an_export_imported_again_gives_back_each_body_whole_and_each_time_at_its_instant(
    write_site, export: str,
) -> None:
    site = write_site(ROUND_TRIP)
    assert build_site(site).ok
    copy = site / export
    copy.write_bytes((site / "public/s" / export).read_bytes())
    result = run_cli("import", "timelinejs", str(copy), "--story", "back", "--source", str(site))
    assert result.returncode == 0, result.stderr
    entry = frontmatter.load(site / "content/back/e.md")
    assert entry.content == ("First with [a link](https://example.com/a) and *emphasis*.\n\n"
                             "- item one\n- item two\n\nThird paragraph.")
    # No date wording the parts already say, and no tag made of the kind TimelineJS groups by.
    assert "display_date" not in entry.metadata and entry.get("tags", []) == []
    background = (site / "content/back/_index.md").read_text("utf-8")
    assert "Background with a [link](https://example.com/bg)." in background
    assert build_site(site).ok
    # 18:30 in Moscow is 15:30 UTC: before 17:00 in London, on the site and once imported again
    # (the export writes times by the story's clock, here UTC, which the import reads them in).
    story = (site / "public/back/index.html").read_text("utf-8")
    assert story.index("Moscow evening") < story.index("London afternoon")
    assert 'datetime="2024-11-10T15:30Z"' in (site / "public/back/moscow/index.html").read_text("utf-8")


def test_words_that_look_like_markdown_stay_words_and_line_breaks_stay(write_site) -> None:
    site = write_site(SITE)
    slides = {
        "ordered": "1945. The war in Europe ends in May.",
        "under": ("<p>The file was named _draft_ and the [sic](note) remark stayed; "
                  "3 &lt; 4 &amp; AT&amp;T.</p>"),
        "dash": "<p>- 5 degrees was the low.</p>",
        "hash": "<p># 1 in the charts</p>",
        "breaks": "<p>Casualties:<br>Army: 500<br>Navy: 200</p>",
    }
    timeline = {"events": [
        {"start_date": {"year": str(1945 + number)}, "text": {"headline": name, "text": text},
         "unique_id": name}
        for number, (name, text) in enumerate(slides.items())]}
    (site / "words.json").write_text(json.dumps(timeline), "utf-8")
    result = run_cli("import", "timelinejs", str(site / "words.json"), "--story", "w", "--source", str(site))
    assert result.returncode == 0, result.stderr
    assert build_site(site).ok
    shown = {name: (site / f"public/w/{name}/index.html").read_text("utf-8") for name in slides}
    assert "<p>1945. The war in Europe ends in May.</p>" in shown["ordered"]
    assert ("<p>The file was named _draft_ and the [sic](note) remark stayed; 3 &lt; 4 &amp; AT&amp;T.</p>"
            in shown["under"])
    assert "<p>- 5 degrees was the low.</p>" in shown["dash"]
    assert "<p># 1 in the charts</p>" in shown["hash"]
    assert "Casualties:<br>" in shown["breaks"].replace("<br />", "<br>")


def test_a_headline_keeps_its_words_whole_around_inline_tags(write_site) -> None:
    site = write_site(SITE)
    timeline = {"events": [{"start_date": {"year": "2016"}, "unique_id": "h", "text": {
        "headline": "The <em>New York Times</em>'s H<sub>2</sub>O report, won<b>der</b>ful", "text": "x"}}]}
    (site / "h.json").write_text(json.dumps(timeline), "utf-8")
    result = run_cli("import", "timelinejs", str(site / "h.json"), "--story", "h", "--source", str(site))
    assert result.returncode == 0, result.stderr
    assert frontmatter.load(site / "content/h/h.md")["title"] == "The New York Times's H2O report, wonderful"


def test_a_sheet_row_with_an_end_time_but_no_end_date_ends_on_its_start_day(write_site) -> None:
    site = write_site(SITE)
    (site / "sheet.csv").write_text(
        "Year,Month,Day,Time,End Year,End Month,End Day,End Time,Headline,Text\r\n"
        "2020,4,5,9:00 AM,,,,5:00 PM,Workday,<p>x</p>\r\n", "utf-8")
    result = run_cli("import", "timelinejs", str(site / "sheet.csv"), "--story", "s", "--source", str(site))
    assert result.returncode == 0, result.stderr
    assert "end time 5:00 PM has no end date; it is taken as on the start's day" in result.stderr
    workday = frontmatter.load(site / "content/s/workday.md")
    assert (str(workday["date"]), str(workday["end_date"])) == ("2020-04-05T09:00", "2020-04-05T17:00")


def test_a_unique_id_too_long_for_a_file_name_is_shortened_with_a_warning(write_site) -> None:
    site = write_site(SITE)
    timeline = {"events": [{"start_date": {"year": "2020"}, "text": {"headline": "L", "text": "x"},
                            "unique_id": "a" * 300}]}
    (site / "long.json").write_text(json.dumps(timeline), "utf-8")
    result = run_cli("import", "timelinejs", str(site / "long.json"), "--story", "l", "--source", str(site))
    assert result.returncode == 0, result.stderr
    assert "is 300 characters long" in result.stderr
    assert (site / "content/l" / ("a" * 60 + ".md")).is_file()
