"""docs/content.md, the authors' reference, is generated from sitegen/reading/fields.py and never drifts."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from sitegen.docs_reference import REFERENCE_FILE, render_reference
from sitegen.reading.fields import CONFIG_FIELDS, ENTRY_FIELDS, SPEAKER_FIELDS, STORY_FIELDS
from sitegen.scaffold import STATEMENT
from tests.support.sites import REPO_ROOT


def test_the_committed_reference_is_what_fields_py_generates() -> None:
    committed = (REPO_ROOT / REFERENCE_FILE).read_text("utf-8")
    assert committed == render_reference(), (
        "docs/content.md is out of date: run `python -m sitegen.docs_reference`"
    )


def test_the_reference_documents_every_field_an_author_can_write() -> None:
    reference = (REPO_ROOT / REFERENCE_FILE).read_text("utf-8")
    for heading, fields in [("## Story", STORY_FIELDS), ("## Entry", ENTRY_FIELDS),
                            ("## Speaker", SPEAKER_FIELDS), ("## Site", CONFIG_FIELDS)]:
        section = reference.split(heading, 1)[1].split("\n## ", 1)[0]
        for name, field in fields.items():
            assert f"| `{name}` |" in section and field.doc in section, (heading, name)
    for story_field in ("corrections", "status", "updated", "timezone", "draft"):
        assert f"| `{story_field}` |" in reference.split("## Story", 1)[1].split("\n## ", 1)[0]
    for entry_field in ("end_date", "original_quote", "original_language", "id", "corrections"):
        assert f"| `{entry_field}` |" in reference.split("## Entry", 1)[1].split("\n## ", 1)[0]


def test_the_reference_lists_every_command_flag_including_check_drafts_and_serve_output() -> None:
    reference = (REPO_ROOT / REFERENCE_FILE).read_text("utf-8")
    check = reference.split("### `sitegen check`", 1)[1].split("### ", 1)[0]
    serve = reference.split("### `sitegen serve`", 1)[1].split("### ", 1)[0]
    assert "`--drafts`" in check
    assert "`--output OUTPUT`" in serve


def test_the_readme_links_the_reference_not_a_missing_spec() -> None:
    readme = (REPO_ROOT / "README.md").read_text("utf-8")
    assert "](docs/content.md)" in readme
    assert "SPEC.md" not in readme


def test_the_example_site_and_the_init_scaffold_show_corrections() -> None:
    story = (REPO_ROOT / "content" / "trump-putin-call" / "_index.md").read_text("utf-8")
    assert re.search(r"^corrections:\n  - date: ", story, re.M)
    assert "# corrections:" in STATEMENT


def test_the_command_rewrites_the_reference(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    subprocess.run([sys.executable, "-m", "sitegen.docs_reference", str(tmp_path)], check=True,
                   capture_output=True, cwd=REPO_ROOT)
    assert (tmp_path / "docs" / "content.md").read_text("utf-8") == render_reference()
