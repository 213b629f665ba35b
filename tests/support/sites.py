"""Build small sites written inline, the way the tests read best.

    def test_x(write_site):
        site = write_site({"content/story/_index.md": "---\\ntitle: T\\n..."})
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from sitegen.build import Builder, BuildResult

REPO_ROOT = Path(__file__).resolve().parents[2]

BASIC_CONFIG = """\
title = "Test Checks"
base_url = "https://example.org/checks/"
language = "en"
timezone = "UTC"
"""


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Write `{relative path: text}` under root; text is dedented."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), "utf-8")
    return root


@pytest.fixture
def write_site(tmp_path: Path) -> Callable[..., Path]:
    """Return a function that writes a site; sitegen.toml defaults to a basic one."""

    def write(files: dict[str, str], folder: str = "site") -> Path:
        root = tmp_path / folder
        root.mkdir(parents=True, exist_ok=True)
        if "sitegen.toml" not in files and not (root / "sitegen.toml").exists():
            files = {"sitegen.toml": BASIC_CONFIG, **files}
        return write_files(root, files)

    return write


def build_site(root: Path, **options: object) -> BuildResult:
    """Build a site into root/public with the library, as `sitegen build` does."""
    output = options.pop("output", root / "public")
    return Builder(root, Path(str(output)), **options).build()  # type: ignore[arg-type]


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m sitegen ARGS` as a user would, capturing its output."""
    return subprocess.run(
        [sys.executable, "-m", "sitegen", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120,
    )


def story(title: str = "A story", summary: str = "What is checked.", extra: str = "") -> str:
    """The text of a minimal _index.md."""
    return f"---\ntitle: {title}\nsummary: {summary}\n{extra}---\n\nBackground.\n"


def event(date: str, title: str = "Something happened", extra: str = "", body: str = "Body.") -> str:
    """The text of a minimal event entry."""
    return f"---\nkind: event\ndate: {date}\ntitle: {title}\n{extra}---\n\n{body}\n"


def statement(
    date: str, speaker: str, title: str = "Someone said something", extra: str = "",
    body: str = "Body.",
) -> str:
    """The text of a minimal statement entry, with one source."""
    return (
        f"---\nkind: statement\ndate: {date}\ntitle: {title}\nspeaker: {speaker}\n"
        f"sources:\n  - url: https://example.com/source\n    publisher: Example\n{extra}---\n\n{body}\n"
    )


@pytest.fixture(scope="session")
def example_site_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's example site, built once per test session into a temp folder."""
    output = tmp_path_factory.mktemp("example") / "public"
    result = Builder(REPO_ROOT, output).build()
    assert result.ok, [d.format() for d in result.diagnostics]
    return output
