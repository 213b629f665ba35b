"""What a new author sees when they get something wrong: the right error, at the right place."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.support.sites import event, run_cli, story


def check(site: Path, *flags: str) -> tuple[int, list[str]]:
    """Run `sitegen check` on a site; return its exit status and printed lines."""
    result = run_cli("check", "--source", str(site), *flags)
    return result.returncode, (result.stdout + result.stderr).splitlines()


def test_a_relation_to_an_invalid_entry_gives_only_that_entrys_own_errors(
    write_site: Callable[..., Path],
) -> None:
    site = write_site({
        "content/s/_index.md": story(),
        "content/s/johnson-telegraph.md": "---\nkind: event\ndate: 2017-09-31\ntitle: The column\n---\n",
        "content/s/johnson-reply.md": event("2017-09-20", "A reply"),
        "content/s/denial.md": event("2017-09-21", "Denial", extra="denies: johnson-telegraph\n"),
    })
    status, lines = check(site)
    assert status == 1
    assert any(line.startswith("content/s/johnson-telegraph.md:3:7: error:") and "2017-09-31" in line
               for line in lines), lines
    assert not [line for line in lines if line.startswith("content/s/denial.md")], lines
    assert not [line for line in lines if "did you mean `johnson-reply`" in line], lines


def test_check_reports_a_drafts_problems_marked_as_in_a_draft(write_site: Callable[..., Path]) -> None:
    site = write_site({
        "content/s/_index.md": story(),
        "content/s/later.md": event("2024-02-01", "Later",
                                    extra="end_date: 2024-01-01\ndenies: missing-entry\ndraft: true\n"),
    })
    status, lines = check(site)
    assert status == 0
    assert "content/s/later.md:5:11: warning: in a draft: `end_date` 2024-01-01 is before `date` 2024-02-01" \
        in lines, lines
    assert any(line.startswith("content/s/later.md:6:9: warning: in a draft: `denies: missing-entry`")
               for line in lines), lines
    status, lines = check(site, "--drafts")
    assert status == 1
    assert any("error: `end_date` 2024-01-01 is before" in line for line in lines), lines


def test_a_drafts_editorial_problem_keeps_its_rule_id(write_site: Callable[..., Path]) -> None:
    """JSON consumers and `[rules]` settings know a draft's problem by the same id as a published one's."""
    import json

    site = write_site({
        "content/s/_index.md": story(),
        "content/s/soon.md": event("2999-01-01", "Not yet", extra="draft: true\n"),
    })
    done = run_cli("check", "--source", str(site), "--format", "json")
    problems = [p for p in json.loads(done.stdout) if p["path"] == "content/s/soon.md"]
    assert [(p["severity"], p["rule"]) for p in problems] == [("warning", "date-in-future")], problems
    assert problems[0]["message"].startswith("in a draft: ")


def test_yaml_mistakes_are_said_in_authors_words_where_the_fix_goes(write_site: Callable[..., Path]) -> None:
    site = write_site({
        "content/s/_index.md": story(),
        "content/s/tab.md": "---\nkind: event\ndate: 2024-01-01\ntitle: A\nsources:\n\t- url: https://a.org/\n---\n",
        "content/s/bracket.md": "---\nkind: event\ndate: 2024-01-01\ntitle: B\ntags: [a, b\n---\n",
    })
    _, lines = check(site)
    assert "content/s/tab.md:6:1: error: front matter is not valid YAML: a tab; indent with spaces, " \
           "not tabs" in lines, lines
    assert any(line.startswith("content/s/bracket.md:5:7: error: front matter is not valid YAML: the `[` "
                               "here is never closed") for line in lines), lines


def test_an_unclosed_toml_string_is_reported_where_it_opens(write_site: Callable[..., Path]) -> None:
    site = write_site({"sitegen.toml": 'title = "Checks\nbase_url = "https://x.org/"\n',
                       "content/s/_index.md": story()})
    _, lines = check(site)
    expected = ("sitegen.toml:1:9: error: sitegen.toml is not valid TOML: the string opened "
                "here is not closed; end it with `\"` on the same line")
    assert any(line.startswith(expected) for line in lines), lines
    assert not [line for line in lines if "Illegal character" in line]


def test_whole_file_problems_point_at_line_1_never_0(write_site: Callable[..., Path]) -> None:
    site = write_site({
        "content/orphan/a.md": event("2024-01-01"),
        "content/s/_index.md": story(),
        "content/s/a.md": event("2024-01-01"),
        "content/s/sub/a.md": event("2024-01-02"),
    })
    _, lines = check(site)
    assert any(line.startswith("content/orphan:1:1: error: story folder has no _index.md") for line in lines)
    clash = "content/s/sub/a.md:1:1: error: entry id `a` is already used"
    assert any(line.startswith(clash) for line in lines), lines
    assert not [line for line in lines if ":0:" in line], lines


def test_a_misspelt_time_zone_gets_a_did_you_mean(write_site: Callable[..., Path]) -> None:
    site = write_site({
        "sitegen.toml": 'title = "T"\nbase_url = "https://x.org/"\ntimezone = "Europe/Londn"\n',
        "content/s/_index.md": story(extra="timezone: Amerca/New_York\n"),
    })
    _, lines = check(site)
    assert any(line.startswith("sitegen.toml:3:1: error: unknown time zone `Europe/Londn` "
                               "(did you mean `Europe/London`?)") for line in lines), lines
    assert any("unknown time zone `Amerca/New_York` (did you mean `America/New_York`?)" in line
               for line in lines), lines


def test_a_bad_base_url_flag_is_blamed_on_the_flag(write_site: Callable[..., Path]) -> None:
    site = write_site({"content/s/_index.md": story()})
    result = run_cli("build", "--source", str(site), "--base-url", "notaurl")
    assert result.returncode == 2
    assert "sitegen: error: --base-url must be an absolute http(s) URL" in result.stderr
    assert "sitegen.toml" not in result.stderr
    assert not (site / "public").exists()
    queried = run_cli("build", "--source", str(site), "--base-url", "https://news.test/checks?x=1#top")
    assert queried.returncode == 2
    assert "with no `?` query or `#` fragment" in queried.stderr
    assert "not `https://news.test/checks?x=1#top`" in queried.stderr  # as written, nothing added


def test_a_base_url_naming_a_page_or_an_impossible_port_is_refused_with_the_address_to_write(
    write_site: Callable[..., Path],
) -> None:
    # A home page's address pasted as it is gave every canonical link, feed and sitemap
    # address an `index.html/` inside it.
    site = write_site({"content/s/_index.md": story()})
    paged = run_cli("build", "--source", str(site), "--base-url", "https://news.test/checks/index.html")
    assert paged.returncode == 2
    assert ("--base-url must be the folder the site lives in, not a page of it: "
            "write `https://news.test/checks/`") in paged.stderr
    ported = run_cli("build", "--source", str(site), "--base-url", "https://news.test:99999/")
    assert ported.returncode == 2 and "ports go from 1 to 65535" in ported.stderr
    assert not (site / "public").exists()
    # A folder whose name has a dot in it is a folder.
    assert run_cli("build", "--source", str(site), "--base-url", "https://news.test/v1.2/").returncode == 0


def test_sitegen_toml_saved_with_a_byte_order_mark_is_read(write_site: Callable[..., Path]) -> None:
    # Windows Notepad starts a UTF-8 file with one; TOML does not allow it.
    site = write_site({"content/s/_index.md": story()})
    (site / "sitegen.toml").write_bytes(b"\xef\xbb\xbftitle = 'Desk'\nbase_url = 'https://news.test/'\n")
    result = run_cli("build", "--source", str(site))
    assert result.returncode == 0, result.stderr
    assert "<title>Desk</title>" in (site / "public/index.html").read_text()


def test_a_folder_named_sitegen_toml_is_an_error_not_a_site_without_settings(
    write_site: Callable[..., Path],
) -> None:
    site = write_site({"content/s/_index.md": story()})
    (site / "sitegen.toml").unlink()
    (site / "sitegen.toml").mkdir()
    result = run_cli("build", "--source", str(site))
    assert result.returncode == 1
    assert "sitegen.toml:1:1: error: sitegen.toml is a folder, not a file" in result.stderr
    assert not (site / "public").exists()


def test_every_language_the_theme_cannot_speak_is_warned_about(write_site: Callable[..., Path]) -> None:
    site = write_site({
        "sitegen.toml": 'title = "T"\nbase_url = "https://x.org/"\nlanguage = "en"\n'
                        'languages = ["en", "es", "uk"]\n',
        "content/s/_index.md": story(),
    })
    _, lines = check(site)
    assert any(line.startswith("sitegen.toml:4:1: warning: the theme has no translation for `es`")
               for line in lines), lines
    assert not any("no translation for `uk`" in line for line in lines), lines


def test_new_entry_works_from_inside_the_story_folder(write_site: Callable[..., Path]) -> None:
    site = write_site({"content/s/_index.md": story()})
    result = run_cli("new", "entry", "s", "reply", "--kind", "event", cwd=site / "content" / "s")
    assert result.returncode == 0, result.stderr
    assert (site / "content" / "s" / "reply.md").is_file()
    elsewhere = run_cli("new", "entry", "nope", "x", "--kind", "event", cwd=site / "content" / "s")
    assert elsewhere.returncode == 2
    assert f"there is no story `nope` in {site / 'content'}" in elsewhere.stderr
