"""Stories told in several languages: translations beside their originals, one site per language."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import feedparser

from tests.support.publishing import html_files
from tests.support.sites import build_site, event, statement, story
from tests.support.tools import format_axe, format_vnu, run_axe

TWO_LANGUAGES = """\
title = "Checks"
base_url = "https://example.org/checks/"
language = "en"
languages = ["en", "uk"]
"""

STORY = {
    "sitegen.toml": TWO_LANGUAGES,
    "content/call/_index.md": story("The call", "Was there a call?"),
    "content/call/_index.uk.md": story("Дзвінок", "Чи був дзвінок?"),
    "content/call/report.md": event("2024-11-10", "The Post reports a call"),
    "content/call/denial.md": statement(
        "2024-11-11", "Dmitry Peskov", "Kremlin denies the call",
        extra="quote: Pure fiction.\noriginal_quote: Чистой воды вымысел.\noriginal_language: ru\n"
              "denies: report\nrating: false\nverdict: No evidence.\nreviewed: 2024-11-12\n",
        body="He denied it.",
    ),
    "content/call/denial.uk.md": (
        "---\ntitle: Кремль заперечує дзвінок\ndate: 2024-11-11\nrating: false\n"
        "quote: Чиста вигадка.\nverdict: Доказів немає.\n---\n\nВін це заперечив.\n"
    ),
}


def read(root: Path, path: str) -> str:
    return (root / "public" / path).read_text("utf-8")


def test_each_language_has_its_own_folder_and_pages_link_their_translations(
    write_site: Callable[..., Path],
) -> None:
    root = write_site(STORY)
    result = build_site(root)
    assert result.ok, [d.format() for d in result.diagnostics]

    english = read(root, "call/denial/index.html")
    ukrainian = read(root, "uk/call/denial/index.html")
    assert '<html lang="en">' in english and '<html lang="uk">' in ukrainian
    assert '<h1 id="entry-title">Kremlin denies the call</h1>' in english
    assert '<h1 id="entry-title">Кремль заперечує дзвінок</h1>' in ukrainian
    assert "Чиста вигадка." in ukrainian and "Він це заперечив." in ukrainian
    # Shared with the original: the rating, the speaker, the relation.
    assert "Неправда" in ukrainian and "Dmitry Peskov" in ukrainian and "Заперечує" in ukrainian
    site = "https://example.org/checks/"
    for page in (english, ukrainian):
        assert f'<link rel="alternate" hreflang="en" href="{site}call/denial/">' in page
        assert f'<link rel="alternate" hreflang="uk" href="{site}uk/call/denial/">' in page
        assert f'<link rel="alternate" hreflang="x-default" href="{site}call/denial/">' in page
    # A reader switches language on the same page; the theme's files are shared at the root.
    assert '<a href="../../../call/denial/" hreflang="en" lang="en">English</a>' in ukrainian
    assert '<a href="../../uk/call/denial/" hreflang="uk" lang="uk">Українська</a>' in english
    assert 'href="../../../assets/style.css"' in ukrainian
    assert not (root / "public" / "uk" / "assets").exists()


def test_an_untranslated_entry_falls_back_to_its_original_and_says_so(
    write_site: Callable[..., Path],
) -> None:
    root = write_site(STORY)
    assert build_site(root).ok
    timeline = read(root, "uk/call/index.html")
    assert "<h1>Дзвінок</h1>" in timeline
    assert ('<h3 id="report-title" lang="en"><a href="report/">The Post reports a call</a></h3>'
            '<p class="untranslated">Ще не перекладено; показано мовою оригіналу (англійська).</p>'
            ) in timeline
    assert '<div class="entry-body" lang="en">' in timeline
    # The translated entry is not marked.
    assert '<h3 id="denial-title"><a href="denial/">Кремль заперечує дзвінок</a></h3>' in timeline
    assert "untranslated" not in read(root, "call/index.html")


def test_feeds_and_timelinejs_exist_per_language_and_keep_the_original_quote(
    write_site: Callable[..., Path],
) -> None:
    root = write_site(STORY)
    assert build_site(root).ok
    feed = feedparser.parse(read(root, "uk/call/feed.xml"))
    assert feed.feed.language == "uk"
    denial = next(e for e in feed.entries if e.link.endswith("/uk/call/denial/"))
    assert denial.title == "Кремль заперечує дзвінок"
    assert '<blockquote lang="ru"><p>Чистой воды вымысел.</p></blockquote>' in denial.content[0].value

    timeline = json.loads(read(root, "uk/call/timeline.json"))
    assert timeline["title"]["text"]["headline"] == "Дзвінок"
    slide = next(e for e in timeline["events"] if e["unique_id"] == "denial")
    original = '<blockquote class="sitegen-quote" lang="ru">Чистой воды вымысел.</blockquote>'
    assert original in slide["text"]["text"]
    assert slide["display_date"] == "11 листопада 2024\u202fр."
    # The feed's icon is the shared one at the site root, not in the language's folder.
    assert "<icon>https://example.org/checks/assets/favicon.svg</icon>" in read(root, "uk/call/feed.xml")
    assert "Sitemap: https://example.org/checks/uk/sitemap.xml" in read(root, "robots.txt")
    assert "https://example.org/checks/uk/call/denial/" in read(root, "uk/sitemap.xml")


def test_the_default_language_can_have_its_own_folder_too(write_site: Callable[..., Path]) -> None:
    root = write_site({
        **STORY,
        "sitegen.toml": TWO_LANGUAGES + "default_language_in_subfolder = true\n",
    })
    assert build_site(root).ok
    assert (root / "public" / "en" / "call" / "denial" / "index.html").is_file()
    assert (root / "public" / "uk" / "call" / "denial" / "index.html").is_file()
    chooser = read(root, "index.html")
    assert '<a href="en/" hreflang="en" lang="en">English</a>' in chooser
    assert '<a href="uk/" hreflang="uk" lang="uk">Українська</a>' in chooser
    assert '<link rel="alternate" hreflang="uk" href="https://example.org/checks/uk/">' in chooser
    # One x-default for the home pages, the chooser, named by each of them as by itself; other
    # pages have the default language's.
    x_default = '<link rel="alternate" hreflang="x-default" href="https://example.org/checks/">'
    for home in ("index.html", "en/index.html", "uk/index.html"):
        assert x_default in read(root, home), home
    assert ('<link rel="alternate" hreflang="x-default" href="https://example.org/checks/en/call/denial/">'
            in read(root, "uk/call/denial/index.html"))
    # Hosts serve the root 404.html at any depth: its links are absolute, into the default language.
    assert 'href="/checks/en/speakers/"' in read(root, "404.html")
    assert not (root / "public" / "call").exists()


def test_validation_reports_orphans_disagreements_and_unknown_languages(
    write_site: Callable[..., Path],
) -> None:
    root = write_site({
        **STORY,
        "content/call/denial.uk.md": (
            "---\ntitle: Кремль заперечує\ndate: 2024-11-12\nrating: misleading\nquote: Q.\n"
            "verdict: V.\n---\n\nТекст.\n"
        ),
        "content/call/gone.uk.md": "---\ntitle: Немає оригіналу\n---\n\nТекст.\n",
        "content/call/report.fr.md": "---\ntitle: Le Post\n---\n\nTexte.\n",
        "content/call/report.en.md": "---\ntitle: Same language\n---\n\nText.\n",
    })
    result = build_site(root)
    assert not result.ok
    found = {(d.path, d.line, d.severity): d.message for d in result.diagnostics}
    date = found[("content/call/denial.uk.md", 3, "error")]
    assert "`date` disagrees with the original (content/call/denial.md says `2024-11-11`)" in date
    rating = found[("content/call/denial.uk.md", 4, "error")]
    assert "`rating` disagrees with the original (content/call/denial.md says `false`)" in rating
    assert "there is no gone.md beside it" in found[("content/call/gone.uk.md", 1, "error")]
    assert 'languages = ["en", "uk", "fr"]' in found[("content/call/report.fr.md", 1, "warning")]
    assert "the site's default language" in found[("content/call/report.en.md", 1, "error")]
    # Nothing was published: the previous output (none) stays as it was.
    assert not (root / "public").exists()


def test_a_translation_missing_a_quote_is_a_warning(write_site: Callable[..., Path]) -> None:
    root = write_site({
        **STORY,
        "content/call/denial.uk.md": "---\ntitle: Кремль заперечує\nverdict: V.\n---\n\nТекст.\n",
    })
    result = build_site(root)
    assert result.ok
    warning = next(d for d in result.diagnostics if d.path == "content/call/denial.uk.md")
    assert "has no `quote`" in warning.message


def test_translated_pages_are_valid_html_and_accessible(
    write_site: Callable[..., Path], vnu: Callable[..., list[dict[str, Any]]],
    static_server: Callable[..., str], page: Any,
) -> None:
    root = write_site(STORY)
    assert build_site(root).ok
    pages = [p for p in html_files(root / "public") if re.search(r"(^|/)uk/", p.as_posix())]
    assert len(pages) > 5
    errors = vnu(html_files(root / "public"))
    assert not errors, format_vnu(errors)
    base = static_server(root / "public", "/checks/")
    for path in ("uk/call/", "uk/call/denial/", "uk/call/report/", "uk/"):
        page.goto(base + path)
        violations = run_axe(page)
        assert not violations, f"{path}\n" + format_axe(violations)


def test_the_site_translates_its_own_title_and_rating_scale_in_sitegen_toml(
    write_site: Callable[..., Path],
) -> None:
    own_scale = (
        '[[ratings]]\nkey = "false"\nlabel = "Wrong"\ndescription = "Not so."\n'
        '[[ratings]]\nkey = "right"\nlabel = "Right"\ndescription = "So."\n'
        '[translations.uk]\ntitle = "Перевірки"\n'
        '[translations.uk.ratings]\nfalse = { label = "Хибно", description = "Не так." }\n'
    )
    root = write_site({**STORY, "sitegen.toml": TWO_LANGUAGES + own_scale})
    result = build_site(root)
    assert result.ok, [d.format() for d in result.diagnostics]
    ukrainian = read(root, "uk/call/index.html")
    assert "<title>Дзвінок · Перевірки</title>" in ukrainian
    assert ">Хибно</span>" in ukrainian and "<dd>Не так.</dd>" in ukrainian
    english = read(root, "call/index.html")
    assert ">Wrong</span>" in english and "Хибно" not in english
    # A rating left untranslated shows in the default language, and the check says where to add it.
    warning = next(d for d in result.diagnostics if "`right`" in d.message)
    assert warning.path == "sitegen.toml" and warning.severity == "warning"
    assert "[translations.uk.ratings]" in warning.message

    root = write_site({**STORY, "sitegen.toml": TWO_LANGUAGES + own_scale.replace(
        "false = {", "flase = {").replace("title = ", "titel = ")}, folder="typos")
    result = build_site(root)
    assert not result.ok
    errors = [d.message for d in result.diagnostics if d.severity == "error"]
    assert any("`flase`, which is not a rating of the site (did you mean `false`?)" in e for e in errors)
    assert any("unknown setting `titel` in [translations.uk]" in e for e in errors)


def test_the_original_quote_keeps_its_language_in_feeds_and_json_ld(write_site: Callable[..., Path]) -> None:
    root = write_site(STORY)
    assert build_site(root).ok
    page = read(root, "uk/call/denial/index.html")
    assert '<blockquote class="quote original" lang="ru"><p>Чистой воды вымысел.</p></blockquote>' in page
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)[1])
    assert data["inLanguage"] == "uk" and data["claimReviewed"] == "Чиста вигадка."
    claim = data["itemReviewed"]
    assert (claim["text"], claim["inLanguage"]) == ("Чистой воды вымысел.", "ru")
    # In the Ukrainian feed, an entry shown untranslated says its language; a translated one takes the feed's.
    feed = read(root, "uk/call/feed.xml")
    assert re.search(r'<entry xml:lang="en">\s*<id>[^<]*/uk/call/report/</id>', feed)
    assert re.search(r"<entry>\s*<id>[^<]*/uk/call/denial/</id>", feed)


def test_a_review_shown_untranslated_says_the_language_its_words_are_in(
    write_site: Callable[..., Path],
) -> None:
    root = write_site({
        "sitegen.toml": TWO_LANGUAGES,
        "content/call/_index.md": "---\ntitle: The call\nsummary: Was there one?\n---\n",
        "content/call/claim.md": statement("2024-11-11", "Someone", "The call never happened", extra=(
            "quote: There was no call.\nrating: false\nverdict: There was.\nreviewed: 2024-11-12\n")),
    })
    assert build_site(root).ok
    for page, language in (("call/claim/index.html", "en"), ("uk/call/claim/index.html", "en")):
        html = read(root, page)
        data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1])
        assert data["inLanguage"] == language and data["reviewBody"] == "There was.", page


def test_a_translation_words_the_date_in_its_own_language(write_site: Callable[..., Path]) -> None:
    root = write_site({
        "sitegen.toml": TWO_LANGUAGES,
        "content/talks/_index.md": "---\ntitle: The talks\nsummary: When were they?\n---\n",
        "content/talks/_index.uk.md": "---\ntitle: Переговори\n---\n",
        "content/talks/round.md": event("2024-11-15", "The talks",
                                        extra='display_date: "Mid-November 2024"\n'),
        "content/talks/round.uk.md": '---\ntitle: Переговори\ndisplay_date: "Середина листопада 2024"\n---\n',
    })
    result = build_site(root)
    assert result.ok, [d.format() for d in result.diagnostics]
    assert "Середина листопада 2024" in read(root, "uk/talks/round/index.html")
    assert "Mid-November 2024" in read(root, "talks/round/index.html")
    [slide] = json.loads(read(root, "uk/talks/timeline.json"))["events"]
    assert slide["display_date"] == "Середина листопада 2024"
    assert "Середина листопада 2024" in read(root, "uk/talks/feed.xml")


def test_a_quote_in_the_speakers_own_language_is_shown_once(write_site: Callable[..., Path]) -> None:
    root = write_site({
        **STORY,
        "content/call/pledge.md": statement(
            "2024-11-09", "Jane Roe", "Roe promises",
            extra="quote: I will do it.\noriginal_quote: I will do it.\noriginal_language: en\n",
        ),
        "content/call/pledge.uk.md": "---\ntitle: Роу обіцяє\nquote: Я це зроблю.\n---\n\nТекст.\n",
    })
    assert build_site(root).ok
    english = read(root, "call/pledge/index.html")
    assert english.count("I will do it.") == 1 and 'class="quote original"' not in english
    ukrainian = read(root, "uk/call/pledge/index.html")
    assert '<blockquote class="quote"><p>Я це зроблю.</p></blockquote>' in ukrainian
    assert '<blockquote class="quote original" lang="en"><p>I will do it.</p></blockquote>' in ukrainian


def test_standalone_pages_keep_their_language_on_other_sites(write_site: Callable[..., Path]) -> None:
    root = write_site({**STORY, "content/_pages/about.md": "---\ntitle: About\n---\n\nWho we are.\n"})
    assert build_site(root).ok
    assert '<article class="standalone" lang="en">' in read(root, "uk/about/index.html")
    assert '<a href="about/" lang="en">About</a>' in read(root, "uk/index.html")
    assert '<article class="standalone">' in read(root, "about/index.html")


def test_the_example_story_is_told_in_english_and_ukrainian(example_site_build: Path) -> None:
    entry = "trump-putin-call/trump-24-hours-claim/"
    english = (example_site_build / entry / "index.html").read_text("utf-8")
    ukrainian = (example_site_build / "uk" / entry / "index.html").read_text("utf-8")
    assert '<html lang="uk">' in ukrainian
    assert "Трамп каже, що може закінчити війну в Україні за 24 години" in ukrainian
    assert f'hreflang="uk" href="https://example.org/checks/uk/{entry}"' in english
    assert f'hreflang="en" href="https://example.org/checks/{entry}"' in ukrainian
    assert "10 травня 2023\u202fр." in ukrainian and ">Не доведено</span>" in ukrainian
    # Trump spoke English: his own words stand beside the translation.
    assert ('<blockquote class="quote original" lang="en"><p>If I&#39;m president, I will have that war '
            "settled in one day, 24 hours.</p></blockquote>") in ukrainian
    # Every entry of the story is translated: none falls back to English.
    timeline = (example_site_build / "uk" / "trump-putin-call" / "index.html").read_text("utf-8")
    assert "untranslated" not in timeline


def link_targets(public: Path, page: str) -> set[str]:
    """Where each relative link and image of a built page leads, below the site root."""
    html = (public / page).read_text("utf-8")
    return {str(Path("/", page).parent.joinpath(link).resolve()).lstrip("/")
            for link in re.findall(r'(?:href|src)="([^"#:?]+)"', html)}


def test_links_in_bodies_reach_static_files_at_the_root_and_pages_in_the_same_language(
    write_site: Callable[..., Path],
) -> None:
    # Authors write links as seen from the first language's page; a static file is published
    # once, at the site root, for every language, and a page once per language.
    site = write_site({
        **STORY,
        "static/images/map.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
        "static/files/transcript.pdf": "%PDF-1.4\n",
        "content/_pages/about.md": "---\ntitle: About\n---\n\n![Our map](../images/map.svg) and "
                                   "[the method](../method/).\n",
        "content/_pages/method.md": "---\ntitle: Method\n---\n\nHow.\n",
        "content/_speakers/dmitry-peskov.md": "---\nname: Dmitry Peskov\n---\n\n"
                                              "![Portrait](../../images/map.svg)\n",
        "content/call/report.md": event("2024-11-10", "The Post reports a call",
                                        body="Read [the transcript](../../files/transcript.pdf) and "
                                             "[the denial](../denial/)."),
        "content/call/_index.md": story("The call", "Was there a call?").replace(
            "Background.", "See [the map](../images/map.svg)."),
        # A translation's links are written as its original's are.
        "content/call/_index.uk.md": story("Дзвінок", "Чи був дзвінок?").replace(
            "Background.", "Дивіться [мапу](../images/map.svg)."),
    })
    assert build_site(site).ok
    public = site / "public"

    for language in ("", "uk/"):
        assert "images/map.svg" in link_targets(public, f"{language}about/index.html")
        assert f"{language}method" in link_targets(public, f"{language}about/index.html")
        assert "images/map.svg" in link_targets(public, f"{language}speakers/dmitry-peskov/index.html")
        assert "images/map.svg" in link_targets(public, f"{language}call/index.html")
        for page in (f"{language}call/report/index.html", f"{language}call/index.html",
                     f"{language}call/embed/index.html"):
            assert "files/transcript.pdf" in link_targets(public, page), page
            assert f"{language}call/denial" in link_targets(public, page), page
    for path in ("images/map.svg", "files/transcript.pdf"):
        assert (public / path).is_file() and not (public / "uk" / path).exists()


def test_a_static_page_linked_from_a_body_is_reached_from_every_language(
    write_site: Callable[..., Path],
) -> None:
    # `static/` is published once, at the root: an HTML report or a folder with its own
    # index.html there is not a page that each language has in its folder.
    site = write_site({
        **STORY,
        "static/reports/audit.html": "<!doctype html><title>Audit</title>\n",
        "static/data/calls.json": "[]\n",
        "static/archive/index.html": "<!doctype html><title>Archive</title>\n",
        "content/call/report.md": event("2024-11-10", "The Post reports a call",
                                        body="Read [the audit](../../reports/audit.html), "
                                             "[the data](../../data/calls.json), "
                                             "[the archive](../../archive/) and "
                                             "[the denial](../denial/)."),
    })
    assert build_site(site).ok
    public = site / "public"
    for page in ("uk/call/report/index.html", "uk/call/index.html", "call/report/index.html"):
        targets = link_targets(public, page)
        for shared in ("reports/audit.html", "data/calls.json", "archive"):
            assert shared in targets, (page, shared)
        assert f"{page.split('call/')[0]}call/denial" in targets, page
    assert not (public / "uk" / "reports").exists()


def test_an_untranslated_entrys_title_is_marked_with_its_language_wherever_it_is_listed(
    write_site: Callable[..., Path],
) -> None:
    # WCAG 3.1.2: a screen reader reads English words on a Ukrainian page with Ukrainian sounds
    # unless they say what they are; the timeline did, the lists linking to them did not.
    root = write_site({**STORY, "content/call/report.md": event("2024-11-10", "The Post reports a call",
                                                                 extra="tags: [post]\n")})
    assert build_site(root).ok
    denial = read(root, "uk/call/denial/index.html")
    assert re.search(r'<a href="[^"]*report/" lang="en">The Post reports a call</a>', denial), denial
    assert re.search(r'<a rel="prev" href="[^"]*" lang="en">. The Post reports a call</a>', denial)
    tagged = read(root, "uk/tags/post/index.html")
    assert re.search(r'<a href="[^"]*report/" lang="en">The Post reports a call</a>', tagged), tagged
    # Translated words are the page's own: no attribute.
    assert 'lang="en">Кремль' not in denial

