"""What a build writes, as a reader of the pages would see it."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.publishing import html_files
from tests.support.sites import build_site, event, run_cli, statement, story

PESKOV = """\
---
name: Dmitry Peskov
type: person
role: Kremlin spokesman
---
Press secretary of the Russian president.
"""


def text_of(path: Path) -> str:
    """The page's text with tags removed and whitespace collapsed, as a reader sees it."""
    html = path.read_text("utf-8")
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def tree_digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_every_page_of_the_contract_is_written(write_site: Callable[..., Path]) -> None:
    site = write_site({
        "content/_speakers/dmitry-peskov.md": PESKOV,
        "content/call/_index.md": story("The call", extra="tags: [Russia]\n"),
        "content/call/report.md": event("2024-11-10", "The Post reports a call"),
        "content/call/denial.md": statement("2024-11-11", "dmitry-peskov", extra="tags: [Russia]\n"),
    })
    result = build_site(site)
    assert result.ok, result.diagnostics
    public = site / "public"
    for page in [
        "index.html", "call/index.html", "call/report/index.html", "call/denial/index.html",
        "speakers/index.html", "speakers/dmitry-peskov/index.html",
        "tags/index.html", "tags/russia/index.html", "404.html", "assets/style.css",
    ]:
        assert (public / page).is_file(), page


def test_relations_show_on_both_ends_as_links(write_site: Callable[..., Path]) -> None:
    site = write_site({
        "content/_speakers/dmitry-peskov.md": PESKOV,
        "content/call/_index.md": story(),
        "content/call/wapo-report.md": event("2024-11-10", "The Post reports a call"),
        "content/call/peskov-denial.md": statement(
            "2024-11-11", "dmitry-peskov", "Peskov calls it fiction", extra="denies: wapo-report\n"
        ),
    })
    assert build_site(site).ok
    public = site / "public"
    denial = text_of(public / "call/peskov-denial/index.html")
    report = text_of(public / "call/wapo-report/index.html")
    assert "Denies: The Post reports a call" in denial
    assert "Denied by: Peskov calls it fiction" in report
    report_html = (public / "call/wapo-report/index.html").read_text()
    assert 'href="../peskov-denial/"' in report_html
    timeline = text_of(public / "call/index.html")
    assert "Denied by: Peskov calls it fiction" in timeline


def test_relations_reach_across_stories(write_site: Callable[..., Path]) -> None:
    site = write_site({
        "content/one/_index.md": story("One"),
        "content/one/claim.md": event("2024-01-01", "The claim"),
        "content/two/_index.md": story("Two"),
        "content/two/check.md": event("2024-02-01", "The check", extra="confirms: one/claim\n"),
    })
    assert build_site(site).ok
    claim = (site / "public/one/claim/index.html").read_text()
    assert "Confirmed by" in claim and 'href="../../two/check/"' in claim


def test_dates_show_at_their_precision_and_in_the_writers_offset(
    write_site: Callable[..., Path],
) -> None:
    site = write_site({
        "content/s/_index.md": story(extra="timezone: Europe/Kyiv\n"),
        "content/s/a-year.md": event("2024", "A year"),
        "content/s/b-month.md": event("2024-11", "A month"),
        "content/s/c-day.md": event("2024-11-10", "A day"),
        "content/s/d-moscow.md": event("2024-11-10T18:30:00+03:00", "Moscow evening"),
        "content/s/e-naive.md": event("2024-11-10T18:30", "Kyiv evening"),
        "content/s/f-approx.md": event("2024-11-12", "Roughly", extra="approximate: true\n"),
    })
    assert build_site(site).ok
    html = (site / "public/s/index.html").read_text()
    assert '<time datetime="2024">2024</time>' in html
    assert '<time datetime="2024-11">November 2024</time>' in html
    assert '<time datetime="2024-11-10">10 November 2024</time>' in html
    assert '<time datetime="2024-11-10T18:30+03:00">10 November 2024, 18:30 UTC+3</time>' in html
    assert '<time datetime="2024-11-10T18:30+02:00">10 November 2024, 18:30 UTC+2</time>' in html
    assert "around 12 November 2024" in html
    # Moscow's 18:30 (15:30 UTC) comes before Kyiv's 18:30 (16:30 UTC).
    order = [html.index(t) for t in ("A year", "A month", "A day", "Moscow evening", "Kyiv evening")]
    assert order == sorted(order)


def test_a_speaker_page_gathers_statements_from_every_story(write_site: Callable[..., Path]) -> None:
    site = write_site({
        "sitegen.toml": 'title = "T"\nbase_url = "https://example.org/"\n',
        "content/_speakers/dmitry-peskov.md": PESKOV,
        "content/call/_index.md": story("The call"),
        "content/call/denial.md": statement(
            "2024-11-11", "dmitry-peskov", "Peskov denies the call",
            extra="rating: unproven\nverdict: No evidence either way.\nreviewed: 2024-11-12\n",
        ),
        "content/talks/_index.md": story("The talks"),
        "content/talks/conditions.md": statement("2024-06-14", "Dmitry Peskov", "Peskov sets conditions"),
    })
    result = build_site(site)
    assert result.ok, result.diagnostics
    page = text_of(site / "public/speakers/dmitry-peskov/index.html")
    assert "Peskov sets conditions" in page and "Peskov denies the call" in page
    assert page.index("Peskov sets conditions") < page.index("Peskov denies the call")
    assert "Unproven" in page and "The talks" in page and "The call" in page
    assert not (site / "public/speakers/dmitry-peskov-2").exists()


def test_a_free_text_speaker_gets_a_page_too(write_site: Callable[..., Path]) -> None:
    site = write_site({
        "content/s/_index.md": story(),
        "content/s/quote.md": statement("2024-01-01", "Jane Roe"),
    })
    assert build_site(site).ok
    assert "Jane Roe" in text_of(site / "public/speakers/jane-roe/index.html")


def test_a_free_text_speaker_in_another_script_keeps_its_page_when_others_are_added(
    write_site: Callable[..., Path],
) -> None:
    # Named `speaker`, `speaker-2`… in the order read, a page moved to another person when a
    # speaker was added: links and bookmarks then named someone else.
    site = write_site({
        "content/s/_index.md": story(),
        "content/s/b.md": statement("2024-01-02", "Дмитро Кулеба"),
        "content/s/c.md": statement("2024-01-03", "山田太郎"),
    })
    assert build_site(site).ok
    assert "Дмитро Кулеба" in text_of(site / "public/speakers/дмитро-кулеба/index.html")
    (site / "content/s/a.md").write_text(statement("2024-01-01", "Андрій Сибіга"), "utf-8")
    assert build_site(site).ok
    assert "Дмитро Кулеба" in text_of(site / "public/speakers/дмитро-кулеба/index.html")
    assert "山田太郎" in text_of(site / "public/speakers/山田太郎/index.html")
    assert "Андрій Сибіга" in text_of(site / "public/speakers/андрій-сибіга/index.html")


def test_tags_keep_their_letters_and_merge_when_they_slug_alike(
    write_site: Callable[..., Path],
) -> None:
    site = write_site({
        "content/s/_index.md": story(extra="tags: [Россия США]\n"),
        "content/s/a.md": event("2024-01-01", "A", extra="tags: [россия сша, Ukraine]\n"),
    })
    assert build_site(site).ok
    tag_page = site / "public/tags/россия-сша/index.html"
    assert tag_page.is_file()
    assert not (site / "public/tags/россия-сша-2").exists()
    index = (site / "public/tags/index.html").read_text()
    assert "Россия США" in index and "(2)" in index


def test_two_builds_are_byte_identical(write_site: Callable[..., Path], tmp_path: Path) -> None:
    site = write_site({
        "content/_speakers/dmitry-peskov.md": PESKOV,
        "content/s/_index.md": story(extra="tags: [a, b]\n"),
        "content/s/one.md": event("2024-01-01", "One", extra="tags: [b]\n"),
        "content/s/two.md": statement("2024-01-02T10:00+03:00", "dmitry-peskov", extra="denies: one\n"),
    })
    assert build_site(site, output=tmp_path / "first").ok
    assert build_site(site, output=tmp_path / "second").ok
    assert tree_digest(tmp_path / "first") == tree_digest(tmp_path / "second")


def test_a_failed_build_leaves_the_output_as_it_was(write_site: Callable[..., Path]) -> None:
    site = write_site({
        "content/s/_index.md": story(),
        "content/s/one.md": event("2024-01-01", "One"),
    })
    assert build_site(site).ok
    before = tree_digest(site / "public")
    (site / "content/s/two.md").write_text(event("not a date", "Two"))
    (site / "content/s/one.md").write_text(event("2024-01-01", "One, edited"))
    result = build_site(site)
    assert not result.ok
    assert tree_digest(site / "public") == before
    assert sorted(p.name for p in site.iterdir()) == ["content", "public", "sitegen.toml"]


def test_pages_whose_sources_are_gone_are_removed(write_site: Callable[..., Path]) -> None:
    site = write_site({
        "content/s/_index.md": story(),
        "content/s/one.md": event("2024-01-01", "One"),
        "content/s/two.md": event("2024-01-02", "Two"),
    })
    assert build_site(site).ok
    (site / "content/s/two.md").unlink()
    assert build_site(site).ok
    assert (site / "public/s/one/index.html").is_file()
    assert not (site / "public/s/two").exists()


def test_a_build_writes_nothing_in_the_site_folder_but_the_output(
    write_site: Callable[..., Path],
) -> None:
    site = write_site({
        "content/s/_index.md": story(),
        "content/s/one.md": event("2024-01-01", "One"),
        "static/images/logo.txt": "logo",
    })
    before = {p.relative_to(site) for p in site.rglob("*")}
    assert build_site(site).ok
    after = {p.relative_to(site) for p in site.rglob("*") if not p.is_relative_to(site / "public")}
    assert after - {Path("public")} == before
    assert (site / "public/images/logo.txt").read_text() == "logo"


def test_a_hosts_dot_files_in_static_are_published_and_what_tools_leave_there_is_not(
    write_site: Callable[..., Path],
) -> None:
    # Apache reads .htaccess, security.txt lives in .well-known/; a Mac, an editor and git leave the rest.
    kept = {".htaccess": "ErrorDocument 404 /404.html\n", ".well-known/.keep-me": "x",
            ".well-known/security.txt": "Contact: mailto:a@example.org\n"}
    left = {".DS_Store": "\0", "images/.DS_Store": "\0", "about.txt~": "old", ".#about.txt": "lock",
            "images/.map.png.swp": "swap", ".gitkeep": "", ".git/config": "[core]\n"}
    site = write_site({
        "content/s/_index.md": story(),
        "content/s/one.md": event("2024-01-01", "One"),
        **{f"static/{name}": text for name, text in {**kept, **left}.items()},
    })
    assert build_site(site).ok
    for name, text in kept.items():
        assert (site / "public" / name).read_text() == text
    assert not [name for name in left if (site / "public" / name).exists()]


def test_a_static_file_in_the_place_of_a_page_is_an_error_in_every_build(
    write_site: Callable[..., Path], tmp_path: Path,
) -> None:
    # The preview skips the check while the output paths are those of a build with no clash:
    # a clash must still be told on every rebuild until it is gone, and nothing is published.
    from sitegen.build import Builder

    site = write_site({
        "content/s/_index.md": story(),
        "content/s/one.md": event("2024-01-01", "One"),
        "static/s/one/index.html": "<p>mine</p>",
    })
    preview = Builder(site, tmp_path / "preview", buffered=True, search_index=False)
    for _ in range(2):
        result = preview.build({"static/s/one/index.html"})
        assert not result.ok
        problem = next(d for d in result.diagnostics if d.severity == "error")
        assert "`s/one/index.html` is written by both" in problem.message
        assert "static/s/one/index.html" in problem.message and "rename one of them" in problem.message
        assert problem.path == "static/s/one/index.html"  # where it is fixed
    (site / "static/s/one/index.html").unlink()
    assert preview.build({"static/s/one/index.html"}).ok
    assert "mine" not in (tmp_path / "preview/s/one/index.html").read_text()


def test_a_static_folder_linking_into_the_output_is_an_error_not_a_tree_that_grows(
    write_site: Callable[..., Path],
) -> None:
    # Copied in, the output would be copied into the next output again: 29, 76, 123… files.
    site = write_site({"content/s/_index.md": story(), "content/s/one.md": event("2024-01-01", "One")})
    assert build_site(site).ok
    before = sorted(p.relative_to(site) for p in (site / "public").rglob("*"))
    (site / "static").mkdir()
    (site / "static/mirror").symlink_to("../public")
    for _ in range(2):
        result = build_site(site)
        assert not result.ok
        assert [d.format() for d in result.diagnostics if d.severity == "error"] == [
            "static/mirror:1:1: error: this links into the output folder (public/), which each build "
            "replaces; remove the link"]
    assert sorted(p.relative_to(site) for p in (site / "public").rglob("*")) == before


def test_every_layout_that_fails_to_render_is_told_in_one_build(write_site: Callable[..., Path]) -> None:
    # Rendering stops at the first page that fails; the author then fixed one template a build.
    site = write_site({
        "content/s/_index.md": story(),
        "content/s/one.md": event("2024-01-01", "One"),
        "layouts/404.html": "{% extends 'base.html' %}\n{% block main %}\n{{ 1 / 0 }}\n{% endblock %}\n",
        "layouts/entry.html": ("{% extends 'base.html' %}\n"
                               "{% block main %}{{ entry.nope.deeper }}{% endblock %}\n"),
    })
    result = build_site(site)
    assert not result.ok
    errors = sorted(d.format() for d in result.diagnostics if d.severity == "error")
    assert errors[0] == "layouts/404.html:3:1: error: template error: ZeroDivisionError: division by zero"
    assert errors[1].startswith("layouts/entry.html:2:1: error: template error: `nope` is not a field of "
                                "EntryView; it has story, story_title, story_url, id,")
    assert len(errors) == 2 and not (site / "public").exists()


def test_sitegen_check_finds_a_static_file_in_a_pages_place_as_the_build_does(
    write_site: Callable[..., Path],
) -> None:
    # A pre-commit hook or a CI job runs `check`: green there and red in the build breaks both.
    site = write_site({
        "content/s/_index.md": story(),
        "content/s/one.md": event("2024-01-01", "One"),
        "static/robots.txt": "User-agent: *\n",
    })
    result = run_cli("check", "--source", str(site))
    assert result.returncode == 1
    assert ("static/robots.txt:1:1: error: `robots.txt` is written by both robots.txt and "
            "static/robots.txt; rename one of them") in result.stdout
    assert not (site / "public").exists()


def test_sitegen_check_tells_a_layout_including_a_missing_template_at_its_line(
    write_site: Callable[..., Path],
) -> None:
    # Planning loads every template a page uses: the missing one must be a problem, not a traceback.
    site = write_site({
        "content/s/_index.md": story(),
        "layouts/404.html": "{% extends 'base.html' %}\n{% block main %}\n<p>{% include 'nope.html' %}</p>\n"
                            "{% endblock %}\n",
    })
    result = run_cli("check", "--source", str(site))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "layouts/404.html:3:1: error: template error: template `nope.html` not found" in result.stdout


def test_a_site_layout_overrides_the_theme_file_by_file(write_site: Callable[..., Path]) -> None:
    site = write_site({
        "content/s/_index.md": story(),
        "content/s/one.md": event("2024-01-01", "One"),
        "layouts/speakers.html": (
            '{% extends "base.html" %}{% block main %}<h1>Our speakers, overridden</h1>{% endblock %}'
        ),
        "layouts/assets/style.css": "body { color: rebeccapurple; }\n",
    })
    assert build_site(site).ok
    public = site / "public"
    assert "Our speakers, overridden" in (public / "speakers/index.html").read_text()
    assert (public / "assets/style.css").read_text() == "body { color: rebeccapurple; }\n"
    # Templates the site does not override still come from the built-in theme.
    assert "One" in (public / "s/index.html").read_text()


MASTHEAD = '<p class="site-title masthead">Kyiv Fact Desk <small>since 2014</small></p>\n'
MASTHEAD_OVERRIDES = {
    "the masthead partial": {"layouts/partials/masthead.html": MASTHEAD},
    "a base extending the theme's, one block replaced": {"layouts/base.html": (
        '{% extends "theme/base.html" %}\n{% block masthead %}\n' + MASTHEAD + "{% endblock %}\n"
    )},
}


@pytest.mark.parametrize("override", MASTHEAD_OVERRIDES.values(), ids=MASTHEAD_OVERRIDES.keys())
def test_overriding_the_masthead_changes_every_page_and_nothing_else(
    write_site: Callable[..., Path], override: dict[str, str],
) -> None:
    files = {
        "content/s/_index.md": story(),
        "content/s/one.md": event("2024-01-01", "One"),
        "content/_pages/about.md": "---\ntitle: About us\n---\n\nWho we are.\n",
    }
    plain = write_site(files, "plain")
    custom = write_site({**files, **override}, "custom")
    assert build_site(plain).ok and build_site(custom).ok
    theme_pages = html_files(plain / "public")
    custom_pages = html_files(custom / "public")
    assert [p.relative_to(plain) for p in theme_pages] == [p.relative_to(custom) for p in custom_pages]
    with_chrome = 0
    for theme_page, custom_page in zip(theme_pages, custom_pages, strict=True):
        theme_html, custom_html = theme_page.read_text("utf-8"), custom_page.read_text("utf-8")
        if 'class="site-header"' not in theme_html:
            continue  # the embed's own shell has no masthead to override
        with_chrome += 1
        assert "Kyiv Fact Desk" in custom_html, custom_page
        # The rest of the page is the theme's, byte for byte: only the masthead line differs.
        theme_lines, custom_lines = theme_html.splitlines(), custom_html.splitlines()
        changed = [(a, b) for a, b in zip(theme_lines, custom_lines, strict=True) if a != b]
        assert len(changed) == 1 and 'class="site-title"' in changed[0][0], (custom_page, changed)
    assert with_chrome >= 6


def test_drafts_are_hidden_unless_asked_for(write_site: Callable[..., Path], tmp_path: Path) -> None:
    site = write_site({
        "content/s/_index.md": story(),
        "content/s/one.md": event("2024-01-01", "One"),
        "content/s/secret.md": event("2024-01-02", "Secret", extra="draft: true\n"),
        "content/hidden/_index.md": story("Hidden", extra="draft: true\n"),
    })
    assert build_site(site).ok
    assert not (site / "public/s/secret").exists()
    assert not (site / "public/hidden").exists()
    assert build_site(site, output=tmp_path / "preview", drafts=True).ok
    assert (tmp_path / "preview/s/secret/index.html").is_file()
    assert "Preview" in (tmp_path / "preview/index.html").read_text()


def test_raw_html_and_script_links_in_bodies_are_disarmed(write_site: Callable[..., Path]) -> None:
    body = "<script>alert(1)</script>\n\n[click](javascript:alert(2)) and [fine](https://example.com)"
    site = write_site({
        "content/s/_index.md": story(),
        "content/s/one.md": event("2024-01-01", "One", body=body),
    })
    result = build_site(site)
    assert result.ok
    html = (site / "public/s/one/index.html").read_text()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "javascript:" not in html
    assert '<a href="https://example.com">fine</a>' in html
    assert [d.severity for d in result.diagnostics] == ["warning"]
    assert result.diagnostics[0].path == "content/s/one.md"
    assert result.diagnostics[0].line == 9  # the line of the link in the file


def test_a_strict_build_fails_on_warnings(write_site: Callable[..., Path]) -> None:
    site = write_site({
        "content/s/_index.md": story(),
        "content/s/one.md": event("2024-01-01", "One", body="[x](javascript:void(0))"),
    })
    assert build_site(site).ok
    assert not build_site(site, strict=True).ok


def test_the_example_site_builds_without_errors_or_warnings(example_site_build: Path) -> None:
    # The fixture asserts the build succeeded; nothing more should be reported.
    from sitegen.build import Builder
    from tests.support.sites import REPO_ROOT

    site, diagnostics = Builder(REPO_ROOT, example_site_build).read()
    assert diagnostics.sorted() == []
    assert site is not None and len(site.stories) >= 1
    story_dir = example_site_build / site.stories[0].slug
    assert (story_dir / "index.html").is_file()
    for entry in site.stories[0].entries:
        assert (story_dir / entry.id / "index.html").is_file()


def test_a_relation_to_a_draft_is_left_out_with_a_warning(write_site: Callable[..., Path]) -> None:
    site = write_site({
        "content/s/_index.md": story(),
        "content/s/report.md": event("2024-01-01", "Report", extra="draft: true\n"),
        "content/s/denial.md": event("2024-01-02", "Denial", extra="denies: report\n"),
    })
    result = build_site(site)
    assert result.ok
    found = [(d.severity, d.path, d.line) for d in result.diagnostics]
    assert found == [("warning", "content/s/denial.md", 5)]
    assert "Denies" not in text_of(site / "public/s/denial/index.html")
    assert build_site(site, drafts=True).ok
    assert "Denies: Report" in text_of(site / "public/s/denial/index.html")
