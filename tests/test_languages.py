"""A site in its readers' language: the theme's words from catalogues, dates by CLDR, right to left."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import feedparser
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from sitegen.preview.serve import PreviewState
from sitegen.rendering.theme import Theme
from tests.support.publishing import html_files
from tests.support.sites import REPO_ROOT, build_site, event, run_cli, statement, story
from tests.support.tools import format_axe, format_vnu, run_axe

LOCALES = REPO_ROOT / "layouts" / "locales"
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")


def config(language: str) -> str:
    return f'title = "Checks"\nbase_url = "https://example.org/checks/"\nlanguage = "{language}"\n'


STORY_FILES = {
    "content/call/_index.md": story("Дзвінок", "Чи був дзвінок?"),
    "content/call/report.md": event("2024-11-10", "Газета пише про дзвінок", extra="approximate: true\n"),
    "content/call/month.md": event("2024-11", "Щось у листопаді"),
    "content/call/denial.md": statement(
        "2024-11-11T18:30+03:00", "Дмитро Пєсков", "Кремль заперечує",
        extra="denies: report\nrating: false\nverdict: Доказів немає.\nreviewed: 2024-11-12\n",
    ),
}


def built(root: Path, path: str) -> str:
    return (root / "public" / path).read_text("utf-8")


def test_a_ukrainian_site_speaks_ukrainian_with_months_in_the_genitive(
    write_site: Callable[..., Path],
) -> None:
    root = write_site({"sitegen.toml": config("uk"), **STORY_FILES})
    result = build_site(root)
    assert result.ok, [d.format() for d in result.diagnostics]

    timeline = built(root, "call/index.html")
    assert '<html lang="uk">' in timeline
    # CLDR's own typography: a narrow no-break space keeps "2024 р." together.
    # A day takes the month in the genitive; a month alone is in the nominative.
    assert '<time datetime="2024-11-11T18:30+03:00">11 листопада 2024\u202fр., 18:30 UTC+3</time>' in timeline
    assert "близько 10 листопада 2024\u202fр." in timeline
    assert '<time datetime="2024-11">листопад 2024\u202fр.</time>' in timeline
    for words in ("Хронологія", "Джерела", "Передісторія", "Як ми оцінюємо твердження", "Усі типи",
                  "Це заперечує:", "Заперечує:", "наступного дня", "напередодні", "Неправда"):
        assert words in timeline, words
    # A date that ends in CLDR's "р." ends the sentence without a second full stop.
    assert 'Перевірено <time datetime="2024-11-12">12 листопада 2024\u202fр.</time></span>' in timeline
    # Plural forms follow the language: 1 запис, 3 записи, 5 записів.
    assert "3 записи" in timeline
    assert not re.search(r"\b(Stories|Timeline|Sources|November|entries)\b", timeline)

    home = built(root, "index.html")
    assert ">Сюжети</a>" in home and ">Спікери</a>" in home and ">Пошук</a>" in home

    not_found = built(root, "404.html")
    assert "<h1>Сторінку не знайдено</h1>" in not_found

    feed = feedparser.parse(built(root, "feed.xml"))
    assert feed.feed.language == "uk"
    denial = next(e for e in feed.entries if e.title == "Кремль заперечує")
    assert "Наша оцінка: Неправда." in denial.content[0].value
    assert "11 листопада 2024\u202fр." in denial.content[0].value


def test_a_russian_site_writes_dates_the_russian_way(write_site: Callable[..., Path]) -> None:
    root = write_site({
        "sitegen.toml": config("ru"),
        "content/s/_index.md": story(),
        "content/s/a.md": event("2024-11-10", "A"),
        **{f"content/s/e{n}.md": event(f"2024-11-{10 + n}", f"E{n}") for n in range(1, 5)},
    })
    assert build_site(root).ok
    timeline = built(root, "s/index.html")
    assert '<time datetime="2024-11-10">10 ноября 2024\u202fг.</time>' in timeline
    assert "5 записей" in timeline and "Хронология" in timeline and "Источники" not in timeline


def test_an_arabic_site_reads_right_to_left(write_site: Callable[..., Path]) -> None:
    root = write_site({"sitegen.toml": config("ar"), **STORY_FILES})
    result = build_site(root)
    assert result.ok
    timeline = built(root, "call/index.html")
    assert '<html lang="ar" dir="rtl">' in timeline
    assert "10 نوفمبر 2024" in timeline
    # The theme has no Arabic catalogue yet: the build says so, and how to add one.
    warning = next(d for d in result.diagnostics if "no translation" in d.message)
    assert warning.path == "sitegen.toml" and warning.line == 3
    assert "layouts/locales/ar/LC_MESSAGES/messages.po" in warning.message
    # The pager's arrows point the way the page reads.
    entry = built(root, "call/report/index.html")
    assert re.search(r'rel="next"[^>]*>[^<]* ←</a>', entry)


def test_words_written_the_other_way_than_the_page_carry_their_direction(
    write_site: Callable[..., Path],
) -> None:
    # Without `dir`, the page's direction puts an Arabic quote's full stop (or English words'
    # closing bracket) at the wrong end.
    root = write_site({
        "sitegen.toml": config("en") + 'languages = ["en", "ar"]\n',
        "content/_pages/about.md": "---\ntitle: About us (2024)\n---\n\nWho we are.\n",
        "content/call/_index.md": story("The call", "Was there a call?"),
        "content/call/denial.md": statement(
            "2024-11-11", "A minister", "The minister denies it",
            extra="quote: This is false.\noriginal_quote: هذا غير صحيح.\noriginal_language: ar\n",
        ),
    })
    assert build_site(root).ok
    english = built(root, "call/index.html")
    assert '<blockquote class="quote original" lang="ar" dir="rtl">' in english
    assert 'dir="ltr"' not in english
    arabic = built(root, "ar/call/index.html")
    # The same quote on the Arabic page runs the page's way: no attribute needed.
    assert '<blockquote class="quote original" lang="ar">' in arabic
    # The untranslated entry and page title are English words on a right-to-left page.
    assert re.search(r'<h3[^>]* lang="en" dir="ltr"', arabic), arabic
    assert re.search(r'<a href="../about/" lang="en" dir="ltr">About us \(2024\)</a>', arabic)
    # The page itself, not translated, and a speaker's words: their tables and full stops too.
    assert '<article class="standalone" lang="en" dir="ltr">' in built(root, "ar/about/index.html")
    assert '<article class="standalone">' in built(root, "about/index.html")
    feed = built(root, "feed.xml")
    assert 'lang=&#34;ar&#34; dir=&#34;rtl&#34;' in feed


def test_a_site_adds_a_language_with_its_own_catalogue(write_site: Callable[..., Path]) -> None:
    catalogue = (
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgid "Timeline"\nmsgstr "Cronología"\n\n'
        'msgid "%(num)s entry"\nmsgid_plural "%(num)s entries"\n'
        'msgstr[0] "%(num)s entrada"\nmsgstr[1] "%(num)s entradas"\n'
    )
    root = write_site({
        "sitegen.toml": config("es"),
        "layouts/locales/es/LC_MESSAGES/messages.po": catalogue,
        "content/s/_index.md": story(),
        "content/s/a.md": event("2024-11-10", "A"),
        "content/s/b.md": event("2024-11-11", "B"),
    })
    result = build_site(root)
    assert result.ok and not result.diagnostics
    timeline = built(root, "s/index.html")
    assert '<h2 id="timeline-heading" tabindex="-1">Cronología</h2>' in timeline
    assert "2 entradas" in timeline
    assert "10 de noviembre de 2024" in timeline
    # Messages the catalogue leaves out stay English rather than vanish.
    assert "Sources" in timeline or "At a glance" in timeline


def test_a_sites_own_templates_call_the_catalogue_the_ways_jinja_i18n_allows(
    write_site: Callable[..., Path],
) -> None:
    # sitegen calls the catalogue directly, not through Jinja's alias (`theme.direct_gettext`);
    # a site's layout gets what Jinja's newstyle gettext gives: escaped values, `%%`, plurals.
    footer = (
        '<footer>{{ _("Hello %(name)s", name="<b>") }}|{{ _("100%% sure") }}|'
        '{{ ngettext("%(num)s entry", "%(num)s entries", 2) }}|{{ gettext("Timeline") }}|'
        "{% trans %}Timeline{% endtrans %}|"
        '{% autoescape false %}{{ _("Hello %(name)s", name="<i>") }}{% endautoescape %}</footer>\n'
    )
    root = write_site({
        "sitegen.toml": config("es"),
        "layouts/locales/es/LC_MESSAGES/messages.po": (
            'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n'
            '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
            'msgid "Timeline"\nmsgstr "Cronología"\n\n'
            'msgid "%(num)s entry"\nmsgid_plural "%(num)s entries"\n'
            'msgstr[0] "%(num)s entrada"\nmsgstr[1] "%(num)s entradas"\n'
        ),
        "layouts/story.html": '{% extends "theme/story.html" %}{% block main %}' + footer + "{% endblock %}",
        "content/s/_index.md": story(),
        "content/s/a.md": event("2024-11-10", "A"),
    })
    assert build_site(root).ok
    shown = built(root, "s/index.html")
    assert "<footer>Hello &lt;b&gt;|100% sure|2 entradas|Cronología|Cronología|Hello <i></footer>" in shown


def test_a_site_catalogue_overrides_one_word_of_the_theme(write_site: Callable[..., Path]) -> None:
    root = write_site({
        "sitegen.toml": config("uk"),
        "layouts/locales/uk/LC_MESSAGES/messages.po":
            'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
            'msgid "Timeline"\nmsgstr "Хронологія подій"\n',
        "content/s/_index.md": story(),
        "content/s/a.md": event("2024-11-10", "A"),
    })
    assert build_site(root).ok
    timeline = built(root, "s/index.html")
    assert "Хронологія подій" in timeline and "Передісторія" in timeline


@pytest.mark.parametrize(("catalogue", "where", "words"), [
    (b'garbage line\nmsgid "Timeline"\nmsgstr "x"\n', (1, 1), "this line is not part of a catalogue"),
    ('msgid "Timeline"\nmsgstr "Хронологія"\n'.encode("cp1251"), (2, 9), "is not UTF-8 text"),
    ('msgid "Reviewed %(date)s"\nmsgstr "Переглянуто %(dat)s"\n'.encode(), (1, 1),
     "uses %(dat)s, which the message does not give (it gives %(date)s)"),
])
def test_a_broken_catalogue_is_an_error_at_its_line_not_a_traceback(
    write_site: Callable[..., Path], catalogue: bytes, where: tuple[int, int], words: str,
) -> None:
    # docs/translating.md has authors edit these under `sitegen serve`: a stray line, a file
    # saved by an old editor in cp1251, a placeholder misspelt.
    root = write_site({"sitegen.toml": config("uk"), "content/s/_index.md": story(),
                       "content/s/a.md": event("2024-11-10", "A")})
    path = root / "layouts/locales/uk/LC_MESSAGES/messages.po"
    path.parent.mkdir(parents=True)
    path.write_bytes(catalogue)
    for command in ("build", "check"):
        result = run_cli(command, "--source", str(root))
        assert result.returncode == 1 and "Traceback" not in result.stderr + result.stdout
        assert (f"layouts/locales/uk/LC_MESSAGES/messages.po:{where[0]}:{where[1]}: error: "
                in result.stderr + result.stdout) and words in result.stderr + result.stdout


def test_an_unknown_language_is_an_error_with_its_line(write_site: Callable[..., Path]) -> None:
    root = write_site({"sitegen.toml": config("klingon-x"), "content/s/_index.md": story()})
    result = build_site(root)
    assert not result.ok
    problem = next(d for d in result.diagnostics if d.severity == "error")
    assert (problem.path, problem.line) == ("sitegen.toml", 3)
    assert "unknown language `klingon-x`" in problem.message and "BCP 47" in problem.message


def test_the_default_rating_scale_is_translated(write_site: Callable[..., Path]) -> None:
    root = write_site({
        "sitegen.toml": config("ru"),
        "content/s/_index.md": story(),
        "content/s/a.md": statement("2024-11-10", "Jane Roe", extra="rating: misleading\nverdict: V.\n"
                                    "reviewed: 2024-11-11\n"),
    })
    assert build_site(root).ok
    entry = built(root, "s/a/index.html")
    assert "Вводит в заблуждение" in entry
    assert '"alternateName": "Вводит в заблуждение"' in entry


def test_the_preview_overlay_speaks_the_site_language() -> None:
    state = PreviewState()
    state.localizer = Theme(REPO_ROOT, language="uk").localizer
    state.errors = [object()] * 3  # type: ignore[list-item]
    # Before the first good build there is none to show: the overlay does not say there is.
    assert state.error_heading().startswith("На сайті 3 помилки, і вдалої збірки ще немає.")
    state.epoch = 1
    assert state.error_heading().startswith("На сайті 3 помилки; показано останню вдалу збірку.")
    state.errors = [object()] * 5  # type: ignore[list-item]
    assert state.error_heading().startswith("На сайті 5 помилок;")


def messages_in_the_theme() -> set[str]:
    """Extract every message from the templates and the code, as `pybabel extract -F babel.cfg` does."""
    found = set()
    with (REPO_ROOT / "babel.cfg").open(encoding="utf-8") as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    for _, _, message, *_ in extract_from_dir(str(REPO_ROOT), method_map=method_map, options_map=options_map):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def catalogue(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return {(m.id[0] if isinstance(m.id, tuple) else m.id): m for m in read_po(handle) if m.id}


def test_the_template_lists_every_word_the_theme_prints() -> None:
    assert messages_in_the_theme() == set(catalogue(LOCALES / "messages.pot")), (
        "layouts/locales/messages.pot is stale: regenerate it as docs/translating.md says"
    )


@pytest.mark.parametrize("language", ["uk", "ru"])
def test_ukrainian_and_russian_are_complete(language: str) -> None:
    messages = catalogue(LOCALES / language / "LC_MESSAGES" / "messages.po")
    wanted = set(catalogue(LOCALES / "messages.pot"))
    assert wanted <= set(messages), sorted(wanted - set(messages))
    untranslated = [
        key for key, m in messages.items()
        if key in wanted and (not all(m.string) if isinstance(m.string, tuple) else not m.string)
    ]
    assert not untranslated
    assert not [key for key, m in messages.items() if m.fuzzy]
    # Every placeholder of the English survives in the translation.
    for key, m in messages.items():
        for text in m.string if isinstance(m.string, tuple) else (m.string,):
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(key)), key


def test_translated_pages_are_valid_html_and_accessible(
    write_site: Callable[..., Path], vnu: Callable[..., list[dict[str, Any]]],
    static_server: Callable[..., str], page: Any,
) -> None:
    sites = []
    for language in ("uk", "ar"):
        root = write_site({"sitegen.toml": config(language), **STORY_FILES}, folder=language)
        assert build_site(root).ok
        sites.append(root)
    errors = vnu([p for root in sites for p in html_files(root / "public")])
    assert not errors, format_vnu(errors)
    for root in sites:
        base = static_server(root / "public", "/checks/")
        for path in ("call/", "call/denial/", ""):
            page.goto(base + path)
            violations = run_axe(page)
            assert not violations, f"{root.name}/{path}\n" + format_axe(violations)

