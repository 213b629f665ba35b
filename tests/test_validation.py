"""Every problem in a site, reported at once, at its file and line, with a fix."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from sitegen.build import Builder
from sitegen.structure.diagnostics import Diagnostic
from tests.support.sites import build_site, event, run_cli, statement, story

SPEAKER = "---\nname: Dmitry Peskov\n---\nBio.\n"


def problems(site: Path, strict: bool = False) -> list[Diagnostic]:
    _, diagnostics = Builder(site, site / "public", strict=strict).read()
    return diagnostics.sorted(strict)


def find(found: list[Diagnostic], path: str, text: str) -> Diagnostic:
    matches = [d for d in found if d.path == path and text in d.message]
    assert matches, f"no problem about {text!r} in {path}; got:\n" + "\n".join(d.format() for d in found)
    return matches[0]


MANY_ERRORS = {
    "content/_speakers/dmitry-peskov.md": SPEAKER,
    "content/call/_index.md": "---\ntitle: The call\n---\nNo summary above.\n",
    # line 3: broken YAML (a colon inside an unquoted value)
    "content/call/bad-yaml.md": "---\nkind: event\ntitle: Peskov: pure fiction\ndate: 2024-11-11\n---\n",
    "content/call/bad-date.md": "---\nkind: event\ntitle: T\ndate: 11/11/2024\n---\n",
    "content/call/bad-kind.md": "---\nkind: claim\ntitle: T\ndate: 2024-11-11\n---\n",
    "content/call/typo.md": "---\nkind: event\ntitle: T\ndate: 2024-11-11\nsoruces: []\n---\n",
    "content/call/bad-rating.md": (
        "---\nkind: statement\ntitle: T\ndate: 2024-11-11\nspeaker: dmitry-peskov\n"
        "sources: [https://example.com/a]\nrating: fasle\nverdict: V\nreviewed: 2024-11-12\n---\n"
    ),
    "content/call/no-verdict.md": (
        "---\nkind: statement\ntitle: T\ndate: 2024-11-11\nspeaker: dmitry-peskov\n"
        "sources: [https://example.com/a]\nrating: 'false'\n---\n"
    ),
    "content/call/bad-speaker.md": (
        "---\nkind: statement\ntitle: T\ndate: 2024-11-11\nspeaker: dmitri-peskov\n"
        "sources: [https://example.com/a]\n---\n"
    ),
    "content/call/no-sources.md": "---\nkind: statement\ntitle: T\ndate: 2024-11-11\nspeaker: Someone\n---\n",
    "content/call/bad-url.md": (
        "---\nkind: statement\ntitle: T\ndate: 2024-11-11\nspeaker: Someone\n"
        "sources:\n  - url: javascript:alert(1)\n---\n"
    ),
    "content/call/dangling.md": "---\nkind: event\ntitle: T\ndate: 2024-11-11\ndenies: wapo-reprot\n---\n",
    "content/call/wapo-report.md": "---\nkind: event\ntitle: T\ndate: 2024-11-10\n---\n",
    "content/call/Bad_Name.md": "---\nkind: event\ntitle: T\ndate: 2024-11-10\n---\n",
    "content/call/sub/wapo-report.md": "---\nkind: event\ntitle: Twin\ndate: 2024-11-10\n---\n",
    "content/call/dupe-key.md": "---\nkind: event\ntitle: T\ntitle: U\ndate: 2024-11-10\n---\n",
    "content/tags/_index.md": story(),
}


def test_a_site_with_many_errors_reports_each_one_with_file_and_line(
    write_site: Callable[..., Path],
) -> None:
    found = problems(write_site(MANY_ERRORS))
    call = "content/call/"
    assert find(found, call + "_index.md", "missing field `summary`").line == 2  # the front matter
    yaml_error = find(found, call + "bad-yaml.md", "not valid YAML")
    assert yaml_error.line == 3 and "quotes" in yaml_error.message
    bad_date = find(found, call + "bad-date.md", "not a date")
    assert (bad_date.line, bad_date.column) == (4, 7) and "2024-11-10" in bad_date.message
    assert "event, statement" in find(found, call + "bad-kind.md", "`kind` must be").message
    typo = find(found, call + "typo.md", "unknown field `soruces`")
    assert typo.line == 5 and "did you mean `sources`" in typo.message
    rating = find(found, call + "bad-rating.md", "unknown rating `fasle`")
    assert rating.line == 7 and "did you mean `false`" in rating.message
    find(found, call + "no-verdict.md", "missing field `verdict`")
    find(found, call + "no-verdict.md", "missing field `reviewed`")
    speaker = find(found, call + "bad-speaker.md", "unknown speaker id `dmitri-peskov`")
    assert speaker.line == 5 and "dmitry-peskov" in speaker.message
    find(found, call + "no-sources.md", "missing field `sources`")
    url = find(found, call + "bad-url.md", "http:// or https://")
    assert url.line == 7
    dangling = find(found, call + "dangling.md", "no entry `wapo-reprot`")
    assert dangling.line == 5 and "did you mean `wapo-report`" in dangling.message
    assert "rename it to `bad-name`" in find(found, call + "Bad_Name.md", "lowercase ASCII").message
    duplicate = find(found, call + "wapo-report.md", "already used by content/call/sub/wapo-report.md")
    assert "unique within a story" in duplicate.message
    assert find(found, call + "dupe-key.md", "`title` is given twice").line == 4
    find(found, "content/tags", "reserved")
    assert all(d.severity == "error" for d in found if not d.rule)  # editorial rules may warn
    assert len({(d.path, d.message) for d in found}) >= 16


def test_field_values_keep_the_type_spec_md_gives_them(write_site: Callable[..., Path]) -> None:
    site = write_site({
        "content/_speakers/no.md": "---\nname: 'no'\n---\n",
        "content/s/_index.md": story(),
        "content/s/x.md": (
            "---\nid: 012345\nkind: statement\ndate: 2024\ntitle: T\nspeaker: no\n"
            "sources: [https://example.com/]\nrating: false\nverdict: Wrong.\nreviewed: 2024-12-01\n---\n"
        ),
    })
    result = build_site(site)
    assert result.ok, [d.format() for d in result.diagnostics]
    page = (site / "public/s/012345/index.html").read_text()
    assert '<time datetime="2024">2024</time>' in page
    assert 'class="rating tone-worst"' in page and "False" in page
    assert 'href="../../speakers/no/"' in page


def test_a_name_two_speakers_answer_to_is_an_error_never_a_guess(write_site: Callable[..., Path]) -> None:
    # Two speakers with the same alias, and an alias that is another speaker's id: a quote
    # given to the wrong one of them is the worst mistake a fact-check can publish.
    site = write_site({
        "content/_speakers/bob.md": "---\nname: Bob\naliases: [The Spokesman, jane-doe]\n---\n",
        "content/_speakers/jane-doe.md": "---\nname: Jane Doe\naliases: [the spokesman]\n---\n",
        "content/s/_index.md": story(),
        "content/s/a.md": "---\nkind: statement\ntitle: A\ndate: 2024-01-01\nspeaker: The Spokesman\n---\n",
        "content/s/b.md": "---\nkind: statement\ntitle: B\ndate: 2024-01-02\nspeaker: jane-doe\n---\n",
        "content/s/c.md": "---\nkind: statement\ntitle: C\ndate: 2024-01-03\nspeaker: Bob\n---\n",
    })
    for _ in range(2):  # the second build, with nothing changed, says it again
        result = build_site(site)
        assert not result.ok
        found = result.diagnostics
        spokesman = find(found, "content/s/a.md", "speaker `The Spokesman` could be any of")
        assert spokesman.line == 5 and "content/_speakers/bob.md" in spokesman.message
        assert "content/_speakers/jane-doe.md" in spokesman.message
        assert find(found, "content/s/b.md", "speaker `jane-doe` could be any of").line == 5
        assert not [d for d in found if d.path == "content/s/c.md" and "speaker" in d.message]
    assert not (site / "public").exists()


def test_one_run_tells_the_problems_of_content_layouts_and_static_together(
    write_site: Callable[..., Path], tmp_path: Path,
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("not the site's")
    site = write_site({
        "content/s/_index.md": story(),
        "content/s/a.md": "---\nkind: evnt\ntitle: A\ndate: 2024-01-01\n---\n",
        "layouts/story.html": "{% extends 'theme/story.html' %}\n{% if %}\n",
        "layouts/partials/entry.html": "fine\nfine\n{% for x in %}\n",
    })
    (site / "static").mkdir()
    (site / "static/notes.txt").symlink_to(outside)
    expected = [
        ("content/s/a.md", 2, "`kind` must be one of event, statement"),
        ("layouts/story.html", 2, "template error: Expected an expression"),
        ("layouts/partials/entry.html", 3, "template error: Expected an expression"),
        ("static/notes.txt", 1, "outside the site folder"),
    ]
    for command in ("check", "build"):
        result = run_cli(command, "--source", str(site), "--no-cache")
        said = result.stdout + result.stderr
        assert result.returncode == 1
        for path, line, words in expected:
            assert any(text.startswith(f"{path}:{line}:") and words in text for text in said.splitlines()), (
                command, path, said)
    # With the content fixed, the build tells both templates (not the first it renders) and the link.
    (site / "content/s/a.md").write_text("---\nkind: event\ntitle: A\ndate: 2024-01-01\n---\n")
    said = run_cli("build", "--source", str(site), "--no-cache").stderr
    assert "layouts/story.html:2:" in said and "layouts/partials/entry.html:3:" in said
    assert "static/notes.txt:1:" in said
    assert not (site / "public").exists()


def test_a_file_with_a_bad_name_has_its_other_problems_told_in_the_same_run(
    write_site: Callable[..., Path],
) -> None:
    site = write_site({
        "content/_speakers/Bad_Id.md": "---\nnam: X\ntype: robot\n---\n",
        "content/_pages/About Us.md": "---\ntitel: About\n---\n",
        "content/s/_index.md": story(),
        "content/s/a.md": event("2024-01-01", "A"),
    })
    found = problems(site)
    find(found, "content/_speakers/Bad_Id.md", "rename it to `bad-id`")
    assert find(found, "content/_speakers/Bad_Id.md", "did you mean `name`").line == 2
    assert find(found, "content/_speakers/Bad_Id.md", "`type` must be one of").line == 3
    find(found, "content/_pages/About Us.md", "rename it to `about-us`")
    assert find(found, "content/_pages/About Us.md", "did you mean `title`").line == 2


def test_check_prints_json_and_exits_1_on_errors(write_site: Callable[..., Path]) -> None:
    site = write_site({
        "content/s/_index.md": story(),
        "content/s/a.md": event("someday", "A"),
        "content/s/b.md": statement("2024-01-01", "X", body="[x](javascript:void(0))"),
    })
    result = run_cli("check", "--source", str(site), "--format", "json")
    assert result.returncode == 1
    items = json.loads(result.stdout)
    assert {(i["path"], i["severity"]) for i in items} == {
        ("content/s/a.md", "error"), ("content/s/b.md", "warning"),
    }
    assert all({"path", "line", "column", "severity", "message"} <= set(i) for i in items)


def test_check_text_output_is_path_line_column(write_site: Callable[..., Path]) -> None:
    site = write_site({"content/s/_index.md": story(), "content/s/a.md": event("someday", "A")})
    result = run_cli("check", "--source", str(site))
    assert result.returncode == 1
    assert "content/s/a.md:3:7: error: `date` is not a date: `someday`" in result.stdout


def test_strict_makes_warnings_errors(write_site: Callable[..., Path]) -> None:
    site = write_site({
        "content/s/_index.md": story(),
        "content/s/a.md": event("2024-01-01", "A", body="![x](data:image/png;base64,AAAA)"),
    })
    assert run_cli("check", "--source", str(site)).returncode == 0
    strict = run_cli("check", "--source", str(site), "--strict")
    assert strict.returncode == 1 and ": error: link to `data:" in strict.stdout


def test_a_broken_config_is_reported_with_its_line(write_site: Callable[..., Path]) -> None:
    site = write_site({
        "sitegen.toml": (
            'title = "T"\nbase_url = "https://e.org/"\ntimezone = "Mars/Olympus"\nlanguge = "en"\n'
        ),
        "content/s/_index.md": story(),
    })
    found = problems(site)
    assert find(found, "sitegen.toml", "unknown time zone").line == 3
    assert "did you mean `language`" in find(found, "sitegen.toml", "unknown setting").message
    site2 = write_site({"sitegen.toml": 'title = "T\n', "content/s/_index.md": story()}, folder="two")
    assert find(problems(site2), "sitegen.toml", "not valid TOML").line == 1


def test_a_setting_in_a_table_is_reported_at_its_own_line_and_typos_there_are_named(
    write_site: Callable[..., Path],
) -> None:
    config = "\n".join([
        'title = "T"',                              # 1
        'base_url = "https://e.org/"',              # 2
        "[organization]",                           # 3
        'name = "Desk"',                            # 4
        'url = "ftp://e.org/"',                     # 5
        'logo_url = "https://e.org/logo.svg"',      # 6
        "[[ratings]]",                              # 7
        'key = "false"',                            # 8
        'label = "False"',                          # 9
        "[[ratings]]",                              # 10
        'key = "true"',                             # 11
        'label = "True"',                           # 12
        'colour = "green"',                         # 13
        'tone = "great"',                           # 14
    ]) + "\n"
    found = problems(write_site({"sitegen.toml": config, "content/s/_index.md": story()}))
    assert find(found, "sitegen.toml", "`organization.url` must be an http").line == 5
    typo = find(found, "sitegen.toml", "`logo_url` in [organization]")
    assert (typo.line, typo.severity) == (6, "warning") and "did you mean `logo`" in typo.message
    colour = find(found, "sitegen.toml", "`colour` in rating number 2")
    assert (colour.line, colour.severity) == (13, "warning")
    assert find(found, "sitegen.toml", "`tone` must be one of").line == 14


def test_a_failed_build_exits_1_and_says_the_output_was_kept(write_site: Callable[..., Path]) -> None:
    site = write_site({"content/s/_index.md": story(), "content/s/a.md": event("someday", "A")})
    result = run_cli("build", "--source", str(site))
    assert result.returncode == 1
    assert "content/s/a.md:3:7: error:" in result.stderr
    assert "left as it was" in result.stderr


def test_wrong_usage_exits_2(tmp_path: Path) -> None:
    assert run_cli("build", "--no-such-flag").returncode == 2
    assert run_cli("build", "--source", str(tmp_path / "missing")).returncode == 2


def test_an_unclosed_quote_points_at_the_line_where_it_opens(write_site: Callable[..., Path]) -> None:
    site = write_site({
        "content/s/_index.md": story(),
        "content/s/a.md": '---\nkind: event\ndate: 2024-11-10\ntitle: "unterminated\n---\n\nBody.\n',
        "content/s/b.md": "---\nkind: event\ndate: 2024-11-10\ntitle: fine\n---\n\nBody.\n",
    })
    found = problems(site)
    quote = find(found, "content/s/a.md", "never closed")
    assert (quote.line, quote.column) == (4, 8)
    assert [d.path for d in found] == ["content/s/a.md"]


def test_a_file_that_is_not_utf8_gets_one_clear_error(write_site: Callable[..., Path]) -> None:
    site = write_site({"content/s/_index.md": story()})
    (site / "content/s/a.md").write_bytes(b"\xff\xfe---\nkind: event\n")
    found = problems(site)
    assert [(d.path, d.line) for d in found] == [("content/s/a.md", 1)]
    assert "UTF-8" in found[0].message


def test_an_entry_missing_its_title_still_reports_its_other_mistakes(write_site: Callable[..., Path]) -> None:
    found = problems(write_site({
        "content/s/_index.md": story(),
        "content/s/untitled.md": "---\nkind: statement\ndate: 2024-05-01\nrating: fasle\n"
                                 "end_date: 2024-04-01\n---\nBody.\n",
    }))
    path = "content/s/untitled.md"
    assert find(found, path, "missing field `title`").line == 2
    assert "did you mean `false`" in find(found, path, "unknown rating `fasle`").message
    assert find(found, path, "missing field `speaker`").severity == "error"
    assert find(found, path, "`end_date` 2024-04-01 is before `date`").line == 5
