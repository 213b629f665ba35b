"""`sitegen init` and `sitegen new` write files an author fills in and builds at once."""

from __future__ import annotations

from pathlib import Path

from tests.support.sites import run_cli


def test_init_creates_a_site_that_builds_cleanly(tmp_path: Path) -> None:
    site = tmp_path / "newsroom"
    assert run_cli("init", str(site)).returncode == 0
    for path in ["sitegen.toml", "content/first-story/_index.md", "content/_pages/about.md",
                 "content/_pages/methodology.md", "content/_pages/corrections-policy.md",
                 "content/_pages/contact.md", "content/_speakers/example-speaker.md"]:
        assert (site / path).is_file(), path
    check = run_cli("check", "--source", str(site))
    assert check.returncode == 0, check.stdout
    # Only the placeholders to replace are reported (see test_newcomer_pages.py).
    problems = [line for line in check.stdout.splitlines() if ": warning: " in line or ": error: " in line]
    assert problems and all("placeholder" in line for line in problems), check.stdout
    assert run_cli("build", "--source", str(site)).returncode == 0
    assert (site / "public/first-story/first-statement/index.html").is_file()
    assert (site / "public/methodology/index.html").is_file()


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = run_cli("init", str(tmp_path))
    assert result.returncode == 2 and "not empty" in result.stderr


def test_new_story_and_entries_build_after_filling_in(tmp_path: Path) -> None:
    site = tmp_path / "site"
    run_cli("init", str(site))
    assert run_cli("new", "story", "budget-claims", cwd=site).returncode == 0
    statement = run_cli("new", "entry", "budget-claims", "minister-says", "--kind", "statement", cwd=site)
    assert statement.returncode == 0, statement.stderr
    event = run_cli("new", "entry", "budget-claims", "vote", "--kind", "event", cwd=site)
    assert event.returncode == 0
    text = (site / "content/budget-claims/minister-says.md").read_text()
    for field in ("kind: statement", "speaker:", "quote:", "sources:", "# rating:", "# denies:"):
        assert field in text
    # Unfilled, the new files build, warning about the placeholder texts left to replace.
    built = run_cli("build", "--source", str(site))
    assert built.returncode == 0 and "budget-claims/minister-says.md" in built.stderr
    assert "placeholder text" in built.stderr
    assert (site / "public/budget-claims/minister-says/index.html").is_file()


def test_new_refuses_bad_ids_and_existing_entries(tmp_path: Path) -> None:
    site = tmp_path / "site"
    run_cli("init", str(site))
    bad = run_cli("new", "entry", "first-story", "Bad Id", "--kind", "event", cwd=site)
    assert bad.returncode == 2 and "lowercase" in bad.stderr
    again = run_cli("new", "entry", "first-story", "first-event", "--kind", "event", cwd=site)
    assert again.returncode == 2 and "already" in again.stderr
    missing = run_cli("new", "entry", "no-story", "x", "--kind", "event", cwd=site)
    assert missing.returncode == 2 and "sitegen new story no-story" in missing.stderr
    reserved = run_cli("new", "story", "tags", cwd=site)
    assert reserved.returncode == 2
