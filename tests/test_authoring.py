"""`sitegen init` and `sitegen new` write files an author fills in and builds at once."""

from __future__ import annotations

import json
import subprocess
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


def test_git_ignores_the_output_and_what_a_build_keeps_beside_it_while_it_runs(tmp_path: Path) -> None:
    # A build stopped with kill -9 leaves its lock and staging folder beside public/ until the
    # next build tidies them: `git add -A` meanwhile must not commit a copy of the site.
    site = tmp_path / "newsroom"
    assert run_cli("init", str(site)).returncode == 0
    subprocess.run(["git", "init", "-q", str(site)], check=True)
    names = ["public/index.html", ".public.lock", ".public.new-abc123/index.html",
             ".public.new-spare-1-2/index.html"]
    ignored = subprocess.run(["git", "-C", str(site), "check-ignore", *names], capture_output=True, text=True)
    assert ignored.stdout.split() == names
    assert subprocess.run(["git", "-C", str(site), "check-ignore", "-q", "content/first-story/_index.md"]
                          ).returncode == 1


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = run_cli("init", str(tmp_path))
    assert result.returncode == 2 and "not empty" in result.stderr


def test_new_takes_source_before_or_after_what_it_makes(tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert run_cli("init", str(site)).returncode == 0
    assert run_cli("new", "--source", str(site), "story", "before").returncode == 0
    assert run_cli("new", "story", "after", "--source", str(site)).returncode == 0
    made = run_cli("new", "entry", "after", "vote", "--kind", "event", "--source", str(site))
    assert made.returncode == 0, made.stderr
    assert (site / "content/before/_index.md").is_file() and (site / "content/after/vote.md").is_file()


def test_a_folder_that_cannot_be_made_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    for target in ("notes.txt", "notes.txt/site"):
        result = run_cli("init", str(tmp_path / target))
        assert result.returncode in (1, 2) and "Traceback" not in result.stderr
        assert f"sitegen: error: {tmp_path / target}" in result.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine"
    site = tmp_path / "site"
    assert run_cli("init", str(site)).returncode == 0
    (site / "content/blocked").write_text("a file where the story's folder would go")
    result = run_cli("new", "story", "blocked", cwd=site)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"sitegen: error: {site / 'content/blocked'}: File exists" in result.stderr


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


def test_new_entry_takes_its_fields_as_options_for_scripts(tmp_path: Path) -> None:
    site = tmp_path / "site"
    run_cli("init", str(site))
    result = run_cli(
        "new", "entry", "first-story", "minister-bridge", "--kind", "statement",
        "--title", 'Minister: "the bridge is done"', "--date", "2024-11-12",
        "--speaker", "Jane Roe", "--role", "Minister of Transport", "--quote", "It is done.",
        "--quote-type", "paraphrase", "--source-url", "https://news.example.com/bridge",
        "--source-publisher", "Example News", "--source-title", "Interview",
        cwd=site,
    )
    assert result.returncode == 0, result.stderr
    text = (site / "content/first-story/minister-bridge.md").read_text()
    for line in ('title: "Minister: \\"the bridge is done\\""', "date: 2024-11-12", 'speaker: "Jane Roe"',
                 'role: "Minister of Transport"', "quote_type: paraphrase",
                 "  - url: https://news.example.com/bridge", '    publisher: "Example News"',
                 "    archive: https://web.archive.org/web/2024/https://news.example.com/bridge"):
        assert any(written.startswith(line) for written in text.splitlines()), line
    # The entry written from options has no problem of its own (the scaffold's
    # placeholders around it still warn until they are replaced).
    check = run_cli("check", "--source", str(site), "--format", "json", "--strict")
    own = [p for p in json.loads(check.stdout) if p["path"] == "content/first-story/minister-bridge.md"]
    assert own == [], own
    assert run_cli("build", "--source", str(site)).returncode == 0
    page = (site / "public/first-story/minister-bridge/index.html").read_text()
    assert "Minister of Transport" in page and "A paraphrase, not the exact words" in page


def test_new_entry_fills_today_and_refuses_bad_options(tmp_path: Path) -> None:
    import datetime as dt

    site = tmp_path / "site"
    run_cli("init", str(site))
    assert run_cli("new", "entry", "first-story", "today", "--kind", "event", cwd=site).returncode == 0
    text = (site / "content/first-story/today.md").read_text()
    assert f"date: {dt.date.today().isoformat()}" in text and "  - url: https://" in text
    bad_date = run_cli("new", "entry", "first-story", "x", "--kind", "event", "--date", "11/12/2024",
                       cwd=site)
    assert bad_date.returncode == 2 and "2024-11-10" in bad_date.stderr
    bad_url = run_cli("new", "entry", "first-story", "y", "--kind", "event", "--source-url", "news", cwd=site)
    assert bad_url.returncode == 2 and "https://" in bad_url.stderr
    assert not (site / "content/first-story/x.md").exists()


def test_init_sets_up_vs_code_for_front_matter(tmp_path: Path) -> None:
    import json
    import re

    site = tmp_path / "site"
    run_cli("init", str(site))
    settings = json.loads((site / ".vscode/settings.json").read_text())
    for schema_path, globs in settings["yaml.schemas"].items():
        schema = json.loads((site / schema_path).read_text())
        assert schema["$schema"].startswith("http://json-schema.org/draft-07")
        assert globs and all(g.startswith(("content/", "!content/")) for g in globs)
    entry_schema = json.loads((site / ".vscode/sitegen/entry.schema.json").read_text())
    assert entry_schema["properties"]["rating"]["anyOf"][0]["enum"][:2] == ["false", "misleading"]
    extensions = json.loads((site / ".vscode/extensions.json").read_text())
    assert "redhat.vscode-yaml" in extensions["recommendations"]
    # The task's problem matcher reads what `sitegen check` prints, so problems land on their lines.
    task = json.loads((site / ".vscode/tasks.json").read_text())["tasks"][0]
    matcher = task["problemMatcher"]["pattern"]
    (site / "content/first-story/broken.md").write_text("---\nkind: event\ndate: soon\ntitle: T\n---\n")
    output = run_cli("check", cwd=site).stdout
    found = [m for m in map(re.compile(matcher["regexp"]).match, output.splitlines()) if m]
    assert ("content/first-story/broken.md", "3", "error") in [
        (m[matcher["file"]], m[matcher["line"]], m[matcher["severity"]]) for m in found]
    assert all(m[matcher["severity"]] in ("error", "warning") for m in found)
    snippets = json.loads((site / ".vscode/sitegen.code-snippets").read_text())
    assert snippets["sitegen quote_type"]["body"] == ["quote_type: ${1|verbatim,paraphrase|}"]
    assert all(s["scope"] == "markdown" for s in snippets.values())


def test_the_pages_workflow_checks_before_it_builds(tmp_path: Path) -> None:
    site = tmp_path / "site"
    run_cli("init", str(site))
    workflow = (site / ".github/workflows/deploy.yml").read_text()
    assert workflow.index("run: sitegen check --format github") < workflow.index("run: sitegen build")


def test_pre_commit_hook_runs_sitegen_check_on_content_changes() -> None:
    import re

    import yaml

    from tests.support.sites import REPO_ROOT

    (hook,) = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "sitegen-check" and hook["entry"] == "sitegen check"
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    for path in ("content/story/entry.md", "site/content/_speakers/x.md", "sitegen.toml",
                 "layouts/entry.html"):
        assert files.search(path), path
    for path in ("public/index.html", "README.md", "notes/content.txt"):
        assert not files.search(path), path
