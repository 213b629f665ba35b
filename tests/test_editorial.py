"""Editorial checks: each rule fires on the smallest file that breaks it and stays
silent on one that does not; a site sets each rule's severity, a file silences one."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, tzinfo
from pathlib import Path

import pytest

from sitegen import build
from sitegen.build import Builder
from sitegen.reading.editorial import RULES
from sitegen.structure.diagnostics import Diagnostic
from tests.support.sites import BASIC_CONFIG, build_site, run_cli, story

CLEAN = """\
---
kind: statement
date: 2024-11-11
title: The minister says the bridge is finished
speaker: Jane Roe
role: Minister of Transport
quote: "The bridge is finished."
quote_type: verbatim
rating: false
verdict: The bridge is not finished.
reviewed: 2024-11-12
sources:
  - url: https://a.example/interview
    publisher: A News
    archive: https://web.archive.org/web/2024/https://a.example/interview
  - url: https://b.example/report
    publisher: B Daily
    archive: https://web.archive.org/web/2024/https://b.example/report
corrections:
  - date: 2024-11-13
    note: The headline gave the wrong bridge.
---

What was said and how it checks out.
"""
"""A statement that satisfies every rule; each case below breaks exactly one."""

TARGET = "---\nkind: event\ndate: {date}\ntitle: The ministry publishes a report\n---\n\nBody.\n"

SECOND_SOURCE = """\
  - url: https://b.example/report
    publisher: B Daily
    archive: https://web.archive.org/web/2024/https://b.example/report
"""

BROKEN: dict[str, tuple[str, str]] = {
    "source-missing": (CLEAN[CLEAN.index("sources:"):CLEAN.index("corrections:")], ""),
    "sources-not-independent": ("publisher: B Daily", "publisher: A News"),
    "source-not-archived": ("    archive: https://web.archive.org/web/2024/https://b.example/report\n", ""),
    "source-anonymous": ("    publisher: B Daily\n", "    publisher: B Daily\n    anonymous: true\n"),
    "quote-unmarked": ("quote_type: verbatim\n", ""),
    "rating-incomplete": ("verdict: The bridge is not finished.\n", ""),
    "correction-incomplete": ("  - date: 2024-11-13\n    note:", "  - note:"),
    "relation-out-of-order": ("sources:", "denies: report\nsources:"),
    "date-in-future": ("date: 2024-11-11", "date: 2999-01-01"),
    "speaker-role-missing": ("role: Minister of Transport\n", ""),
    "image-alt-missing": ("how it checks out.", "how it checks out: ![](chart.png)"),
}
"""Rule id → (text of CLEAN to replace, replacement) that breaks that rule alone."""


def problems(site: Path) -> list[Diagnostic]:
    _, diagnostics = Builder(site, site / "public").read()
    return diagnostics.sorted()


def site_with(write_site: Callable[..., Path], entry: str, config: str = BASIC_CONFIG,
              target_date: str = "2024-11-12") -> Path:
    return write_site({
        "sitegen.toml": config,
        "content/s/_index.md": story(),
        "content/s/claim.md": entry,
        "content/s/report.md": TARGET.format(date=target_date),
    })


def test_every_rule_has_a_case_here() -> None:
    assert set(BROKEN) == set(RULES)


def test_a_correct_entry_passes_every_rule(write_site: Callable[..., Path]) -> None:
    site = site_with(write_site, CLEAN.replace("sources:", "responds_to: report\nsources:"),
                     target_date="2024-11-10")
    assert problems(site) == []


@pytest.mark.parametrize("rule_id", list(BROKEN))
def test_each_rule_fires_on_an_entry_that_breaks_it_alone(
    write_site: Callable[..., Path], rule_id: str,
) -> None:
    old, new = BROKEN[rule_id]
    assert old in CLEAN
    site = site_with(write_site, CLEAN.replace(old, new, 1))
    found = problems(site)
    assert {d.rule for d in found} == {rule_id}, [d.format() for d in found]
    assert all(d.path == "content/s/claim.md" and d.line >= 2 for d in found)
    assert all(d.severity == RULES[rule_id].severity for d in found)
    # Every message says what to do, not only what is wrong.
    assert all(any(verb in d.message for verb in ("add", "give", "say", "check")) for d in found)


@pytest.mark.parametrize(("old", "new", "words"), [
    ("reviewed: 2024-11-12", "reviewed: 2999-01-01", "`reviewed` 2999-01-01 is in the future"),
    ("  - date: 2024-11-13", "  - date: 2999-01-01", "correction 1 is dated 2999-01-01, in the future"),
])
def test_a_review_or_a_correction_dated_in_the_future_is_told_at_its_line(
    write_site: Callable[..., Path], old: str, new: str, words: str,
) -> None:
    # A date in the future on the site's pages and in its feeds would stay first until then.
    site = site_with(write_site, CLEAN.replace(old, new))
    (found,) = problems(site)
    assert found.rule == "date-in-future" and words in found.message
    assert found.line == CLEAN.split(old)[0].count("\n") + 1


def test_a_storys_update_dated_in_the_future_is_told_in_its_index(write_site: Callable[..., Path]) -> None:
    site = site_with(write_site, CLEAN)
    (site / "content/s/_index.md").write_text(story(extra="updated: 2999-01-01\n"), "utf-8")
    (found,) = problems(site)
    assert (found.path, found.rule) == ("content/s/_index.md", "date-in-future")
    assert "`updated` 2999-01-01 is in the future" in found.message


def test_a_problem_points_at_the_line_to_fix(write_site: Callable[..., Path]) -> None:
    site = site_with(write_site, CLEAN.replace(*BROKEN["source-not-archived"]))
    (found,) = problems(site)
    assert (found.line, found.column) == (16, 5)  # the `- url:` of the second source
    assert "source 2 (B Daily) has no archived copy" in found.message
    assert "archive:" in found.message


def test_a_confirmation_may_come_before_what_it_confirms(write_site: Callable[..., Path]) -> None:
    site = site_with(write_site, CLEAN.replace("sources:", "confirms: report\nsources:"))
    assert problems(site) == []


def test_a_relation_on_the_same_day_is_in_order(write_site: Callable[..., Path]) -> None:
    site = site_with(write_site, CLEAN.replace("sources:", "denies: report\nsources:"),
                     target_date="2024-11")  # a month that contains the denial's day
    assert problems(site) == []


def test_an_organization_needs_no_role(write_site: Callable[..., Path]) -> None:
    site = site_with(write_site, CLEAN.replace("speaker: Jane Roe", "speaker: ministry").replace(
        "role: Minister of Transport\n", ""))
    (site / "content/_speakers").mkdir()
    (site / "content/_speakers/ministry.md").write_text(
        "---\nname: The Ministry\ntype: organization\n---\n", "utf-8")
    assert problems(site) == []


def test_a_field_with_an_error_is_not_also_reported_by_a_rule(write_site: Callable[..., Path]) -> None:
    site = site_with(write_site, CLEAN.replace("reviewed: 2024-11-12", "reviewed: soon"))
    found = problems(site)
    assert [(d.severity, d.rule) for d in found] == [("error", "")]
    assert "`reviewed` is not a date" in found[0].message


def test_a_site_changes_a_rules_severity(write_site: Callable[..., Path]) -> None:
    config = BASIC_CONFIG + '\n[checks]\nquote-unmarked = "error"\nsource-missing = "warning"\n'
    entry = CLEAN.replace(*BROKEN["quote-unmarked"])
    site = site_with(write_site, entry, config)
    assert [(d.rule, d.severity) for d in problems(site)] == [("quote-unmarked", "error")]
    assert not build_site(site).ok
    unsourced = site_with(write_site, CLEAN.replace(*BROKEN["source-missing"]), config)
    assert [(d.rule, d.severity) for d in problems(unsourced)] == [("source-missing", "warning")]
    assert build_site(unsourced).ok


def test_a_rule_turned_off_reports_nothing(write_site: Callable[..., Path]) -> None:
    config = BASIC_CONFIG + '\n[checks]\nsource-not-archived = "off"\n'
    site = site_with(write_site, CLEAN.replace(*BROKEN["source-not-archived"]), config)
    assert problems(site) == []


def test_a_misspelt_check_in_sitegen_toml_is_an_error(write_site: Callable[..., Path]) -> None:
    config = BASIC_CONFIG + '\n[checks]\nsource-not-archive = "off"\nquote-unmarked = "loud"\n'
    site = site_with(write_site, CLEAN, config)
    found = [d for d in problems(site) if d.path == "sitegen.toml"]
    assert len(found) == 2 and all(d.severity == "error" for d in found)
    assert found[0].line == 7 and "did you mean `source-not-archived`" in found[0].message
    assert found[1].line == 8 and '"off", "warning" or "error"' in found[1].message


def test_one_file_silences_one_rule(write_site: Callable[..., Path]) -> None:
    unarchived = CLEAN.replace(*BROKEN["source-not-archived"])
    site = site_with(write_site, unarchived.replace("sources:", "ignore: [source-not-archived]\nsources:"))
    (site / "content/s/other.md").write_text(unarchived, "utf-8")
    found = problems(site)
    assert [(d.path, d.rule) for d in found] == [("content/s/other.md", "source-not-archived")]


def test_ignore_names_only_known_rules(write_site: Callable[..., Path]) -> None:
    site = site_with(write_site, CLEAN.replace("sources:", "ignore: [quote-unmarkd]\nsources:"))
    (found,) = problems(site)
    assert found.severity == "error" and "did you mean `quote-unmarked`" in found.message


def test_json_output_names_the_rule(write_site: Callable[..., Path]) -> None:
    site = site_with(write_site, CLEAN.replace(*BROKEN["speaker-role-missing"]))
    result = run_cli("check", "--source", str(site), "--format", "json")
    assert result.returncode == 0
    (item,) = json.loads(result.stdout)
    assert item["rule"] == "speaker-role-missing" and item["severity"] == "warning"


def test_readers_see_anonymous_sources_and_quote_types(write_site: Callable[..., Path]) -> None:
    entry = CLEAN.replace(*BROKEN["source-anonymous"])
    entry = entry.replace("sources:", "ignore: [source-anonymous]\nsources:")
    site = site_with(write_site, entry)
    assert build_site(site).ok
    page = (site / "public/s/claim/index.html").read_text("utf-8")
    assert "relies on sources it does not name" in page
    assert "The speaker&#39;s exact words" in page or "The speaker's exact words" in page
    paraphrase = site_with(write_site, entry.replace("quote_type: verbatim", "quote_type: paraphrase"),
                           BASIC_CONFIG.replace('language = "en"', 'language = "uk"'))
    assert build_site(paraphrase).ok
    page = (paraphrase / "public/s/claim/index.html").read_text("utf-8")
    assert "Переказ, а не точні слова" in page
    assert "спирається на джерела, яких не називає" in page


def test_a_missing_verdict_points_at_the_rating_even_when_the_rating_is_misspelt(
    write_site: Callable[..., Path],
) -> None:
    entry = CLEAN.replace(*BROKEN["rating-incomplete"]).replace("rating: false", "rating: fasle")
    found = problems(site_with(write_site, entry))
    assert sorted((d.line, d.rule) for d in found) == [(9, ""), (9, "rating-incomplete")]
    structural, rule = sorted(found, key=lambda d: d.rule)
    assert "did you mean `false`" in structural.message and "`verdict`" in rule.message


def test_a_rebuild_finds_what_a_fresh_read_finds_when_another_story_changes(
    write_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The preview checks again only the stories it read again; a story left as it was still
    hears of the edits its rules depend on elsewhere: the speaker's type (`speaker-role-missing`),
    the date of the entry a response answers (`relation-out-of-order`) and the clock
    (`date-in-future`)."""
    site = write_site({
        "sitegen.toml": BASIC_CONFIG,
        "content/_speakers/acme.md": "---\nname: Acme Ltd\ntype: organization\n---\n",
        "content/answers/_index.md": story("Answers"),
        "content/answers/reply.md": CLEAN.replace("speaker: Jane Roe", "speaker: acme")
        .replace("role: Minister of Transport\n", "")
        .replace("sources:", "responds_to: claims/claim\nsources:"),
        "content/claims/_index.md": story("Claims"),
        "content/claims/claim.md": TARGET.format(date="2024-11-10"),
        "content/later/_index.md": story("Later"),
        "content/later/soon.md": TARGET.format(date="2030-06-01"),
    })
    preview = Builder(site, site.parent / "preview", buffered=True, search_index=False)

    def rebuilt(changed: str) -> list[str]:
        result = preview.build({changed})
        fresh = Builder(site, site.parent / "fresh", search_index=False).build()
        assert [d.format() for d in result.diagnostics] == [d.format() for d in fresh.diagnostics]
        return [d.rule for d in result.diagnostics if d.path == "content/answers/reply.md"]

    assert preview.build().ok
    assert rebuilt("content/later/soon.md") == []
    speaker = site / "content/_speakers/acme.md"
    speaker.write_text(speaker.read_text().replace("organization", "person"))
    assert rebuilt("content/_speakers/acme.md") == ["speaker-role-missing"]
    claim = site / "content/claims/claim.md"
    claim.write_text(TARGET.format(date="2024-11-20"))
    assert sorted(rebuilt("content/claims/claim.md")) == ["relation-out-of-order", "speaker-role-missing"]

    class Later(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> Later:
            return cls(2031, 1, 1, tzinfo=tz)

    assert any(d.rule == "date-in-future" for d in preview.build({"content/claims/claim.md"}).diagnostics)
    monkeypatch.setattr(build, "datetime", Later)
    assert not any(d.rule == "date-in-future" for d in preview.build({"content/claims/claim.md"}).diagnostics)
