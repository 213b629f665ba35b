"""Print problems where authors look: a terminal, a GitHub pull request, another tool.

`sitegen check --format text|github|json` picks one of these. The text form
keeps each problem's first line as `path:line:column: severity: message`, the
form editors and problem matchers parse, and adds the offending line with a
caret under the column.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from itertools import groupby
from pathlib import Path
from typing import TextIO

from sitegen.structure.characters import shown_in_terminal
from sitegen.structure.diagnostics import Diagnostic, numbered_lines, to_json

RED, YELLOW, CYAN, BOLD, DIM, RESET = "\033[31m", "\033[33m", "\033[36m", "\033[1m", "\033[2m", "\033[0m"


def wants_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def source_line(root: Path, path: str, line: int) -> str | None:
    """The text of one line of a site file, or None when there is none to show."""
    if line < 1:
        return None
    try:
        lines = numbered_lines((root / path).read_text("utf-8", errors="replace"))
    except (OSError, ValueError):
        return None
    return lines[line - 1] if line <= len(lines) else None


EXCERPT_WIDTH = 100
"""The most of a line quoted under a problem: a minified or pasted line can be a megabyte."""


def excerpt(text: str, column: int) -> tuple[str, int]:
    """What to quote of a line for a problem at `column` (1-based; 0: none), and how far in the
    caret goes: at most `EXCERPT_WIDTH` characters around the column, cut with `…`, with what a
    terminal would act on written as escapes, so the caret still stands under its character."""
    text = text.expandtabs(1)
    at = max(column - 1, 0)
    start = max(0, min(at - EXCERPT_WIDTH // 2, len(text) - EXCERPT_WIDTH))
    end = start + EXCERPT_WIDTH
    before = ("…" if start else "") + shown_in_terminal(text[start:at])
    shown = before + shown_in_terminal(text[at:end]) + ("…" if end < len(text) else "")
    return shown, len(before) + max(0, at - max(len(text), start))


def format_text(diagnostics: Sequence[Diagnostic], root: Path, colour: bool = False) -> str:
    """Group problems by file; quote each offending line and mark its column with a caret."""
    paint: Callable[[str, str], str] = (lambda code, text: f"{code}{text}{RESET}") if colour else (
        lambda code, text: text)
    blocks: list[str] = []
    for path, group in groupby(diagnostics, key=lambda d: d.path):
        items = list(group)
        count = f" ({len(items)} problem{'s' * (len(items) > 1)})"
        lines = [paint(BOLD, shown_in_terminal(path)) + paint(DIM, count)]
        for item in items:
            severity = paint(BOLD + (RED if item.severity == "error" else YELLOW), item.severity)
            rule = paint(DIM, f" [{item.rule}]") if item.rule else ""
            lines.append(shown_in_terminal(f"{item.path}:{item.line}:{item.column}: ") + severity
                         + shown_in_terminal(f": {item.message}") + rule)
            text = source_line(root, item.path, item.line)
            if text is None:
                continue
            gutter = f"{item.line:>5} | "
            quoted, caret = excerpt(text, item.column)
            lines.append(paint(DIM, gutter) + quoted)
            if item.column >= 1:
                lines.append(" " * (len(gutter) - 2) + paint(DIM, "| ") + " " * caret + paint(CYAN, "^"))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def escape_data(text: str) -> str:
    """Escape a workflow command's message as GitHub's runner expects (%, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value: also `:` and `,`, which end it."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(diagnostics: Sequence[Diagnostic], root: Path, workspace: Path | None = None) -> str:
    """One GitHub Actions annotation per problem, its file relative to the workspace (the repository).

    See https://docs.github.com/actions/reference/workflow-commands-for-github-actions
    """
    base = (workspace or Path.cwd()).resolve()
    lines = []
    for item in diagnostics:
        where = (root / item.path).resolve()
        file = where.relative_to(base).as_posix() if where.is_relative_to(base) else item.path
        properties = [f"file={escape_property(file)}"]
        if item.line >= 1:
            properties.append(f"line={item.line}")
            if item.column >= 1:
                properties.append(f"col={item.column}")
        title = f"sitegen {item.rule}" if item.rule else "sitegen check"
        properties.append(f"title={escape_property(title)}")
        command = f"::{item.severity} {','.join(properties)}::{escape_data(item.message)}"
        lines.append(shown_in_terminal(command))
    return "\n".join(lines)


def report(diagnostics: Sequence[Diagnostic], root: Path, form: str, stream: TextIO) -> None:
    """Print the problems of one check in the chosen form."""
    if form == "json":
        print(to_json(list(diagnostics)), file=stream)
    elif form == "github":
        if diagnostics:
            print(format_github(diagnostics, root), file=stream)
    elif diagnostics:
        print(format_text(diagnostics, root, wants_colour(stream)), file=stream)
        errors = sum(d.severity == "error" for d in diagnostics)
        print(f"\n{errors} error(s), {len(diagnostics) - errors} warning(s)", file=stream)
    else:
        print("no problems found", file=stream)
