"""Where authors see problems: GitHub annotations on a pull request's lines, and a
terminal report grouped by file with the line quoted and the column marked."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

from sitegen.report import escape_data, escape_property, format_github, format_text, wants_colour
from sitegen.structure.diagnostics import Diagnostic
from tests.support.sites import event, run_cli, story

ANNOTATION = re.compile(
    r"^::(?P<level>error|warning|notice) "
    r"file=(?P<file>[^,:\r\n]+)(?:,line=(?P<line>\d+)(?:,col=(?P<col>\d+))?)?,title=(?P<title>[^,:\r\n]*)"
    r"::(?P<message>[^\r\n]*)$"
)
"""GitHub's workflow command: `::error file=F,line=L,col=C,title=T::message`, one line each."""


def bad_site(write_site: Callable[..., Path]) -> Path:
    return write_site({
        "content/s/_index.md": story(),
        "content/s/a.md": event("someday", "A"),
        "content/s/b.md": event("2024-01-01", "B", extra='quote: "Words"\n'),
    })


def test_github_format_prints_one_annotation_per_problem(write_site: Callable[..., Path]) -> None:
    site = bad_site(write_site)
    result = run_cli("check", "--source", str(site), "--format", "github", cwd=site.parent)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines and all(ANNOTATION.match(line) for line in lines), lines
    first = ANNOTATION.match(lines[0])
    assert first is not None
    # Paths are relative to the repository (here: the folder above the site).
    assert first["file"] == "site/content/s/a.md" and (first["line"], first["col"]) == ("3", "7")
    assert first["level"] == "error" and first["title"] == "sitegen check"
    warning = next(m for m in map(ANNOTATION.match, lines) if m and m["level"] == "warning")
    assert warning["title"] == "sitegen quote-unmarked"


def test_github_format_escapes_what_would_end_a_command() -> None:
    assert escape_data("100% sure\r\nnext") == "100%25 sure%0D%0Anext"
    assert escape_property("a,b:c%") == "a%2Cb%3Ac%25"
    item = Diagnostic("content/a,b:c.md", 2, 0, "warning", "line one\nline two 50%")
    (line,) = format_github([item], Path("/site"), Path("/site")).splitlines()
    assert line == ("::warning file=content/a%2Cb%3Ac.md,line=2,col=1,title=sitegen check::"
                    "line one%0Aline two 50%25")
    assert ANNOTATION.match(line)


def test_text_format_groups_by_file_and_marks_the_column(write_site: Callable[..., Path]) -> None:
    site = bad_site(write_site)
    result = run_cli("check", "--source", str(site))
    assert "\033[" not in result.stdout  # no colour when not on a terminal
    blocks = result.stdout.strip().split("\n\n")
    assert blocks[0].startswith("content/s/a.md (1 problem)")
    assert blocks[1].startswith("content/s/b.md (")
    lines = blocks[0].splitlines()
    assert lines[1].startswith("content/s/a.md:3:7: error: `date` is not a date")
    assert lines[2] == "    3 | date: someday"
    caret = lines[3]
    assert caret.index("^") == lines[2].index("someday")
    assert result.stdout.rstrip().endswith("1 error(s), 1 warning(s)")


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    assert wants_colour(Terminal()) and not wants_colour(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not wants_colour(Terminal())
    item = Diagnostic("a.md", 0, 0, "error", "broken")
    assert "\033[31m" in format_text([item], Path("."), colour=True)
    assert "\033[" not in format_text([item], Path("."), colour=False)


def test_a_files_control_codes_are_shown_as_escapes_never_sent_to_the_terminal(
    write_site: Callable[..., Path],
) -> None:
    # A body pasted from a terminal, or written to attack one: ESC [2J clears the screen,
    # ESC ] 0 ; sets the window title, U+202E turns the rest of the line around.
    site = write_site({
        "content/s/_index.md": story(),
        "content/s/a.md": event("2024-01-01", body="Body \x1b[2J\x1b]0;pwned\x07 [x](javascript:1)\n"
                                                   "\u202e [y](javascript:2)"),
    })
    for form in ("text", "github"):
        result = run_cli("check", "--source", str(site), "--format", form, cwd=site)
        assert "javascript:1" in result.stdout
        assert "javascript:2" in result.stdout
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u202e]", result.stdout), repr(result.stdout)
    lines = run_cli("check", "--source", str(site), cwd=site).stdout.splitlines()
    assert "    7 | Body \\x1b[2J\\x1b]0;pwned\\x07 [x](javascript:1)" in lines
    # The caret still stands under the link's address, past the escape.
    quoted = lines.index("    8 | \\u202e [y](javascript:2)")
    assert lines[quoted][lines[quoted + 1].index("^")] == "j", "\n".join(lines)


def test_a_problem_on_a_very_long_line_quotes_only_the_words_around_it(
    write_site: Callable[..., Path],
) -> None:
    long_line = "word " * 20_000 + "[x](javascript:1)" + " tail" * 1_000
    site = write_site({"content/s/_index.md": story(), "content/s/a.md": event("2024-01-01", body=long_line)})
    lines = run_cli("check", "--source", str(site), cwd=site).stdout.splitlines()
    assert max(len(line) for line in lines) < 200
    quoted = next(line for line in lines if "[x](javascript:1)" in line and " | " in line)
    assert quoted.split(" | ", 1)[1].startswith("…") and quoted.endswith("…")
    caret = lines[lines.index(quoted) + 1]
    assert quoted[caret.index("^")] == "j", f"{quoted}\n{caret}"


def test_the_line_quoted_is_the_line_numbered_even_after_a_line_separator(
    write_site: Callable[..., Path],
) -> None:
    # U+2028 and a form feed end a line for Python's splitlines, not for an editor or for sitegen.
    site = write_site({
        "content/s/_index.md": story(),
        "content/s/a.md": event("2024-01-01", body="One\u2028two\x0cthree.\n\n[x](javascript:1)"),
    })
    text = run_cli("check", "--source", str(site), cwd=site).stdout
    assert re.search(r"a\.md:9:\d+: warning: link to `javascript:1`", text), text
    assert "    9 | [x](javascript:1)" in text, text
