"""Problems found in a site, collected so that one run reports them all."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Literal

from sitegen.structure.characters import shown_in_terminal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in one file, pointing at the line and column where known."""

    path: str
    """Path relative to the site folder, with forward slashes."""
    line: int
    """1-based line in the real file; 1 when the problem concerns the whole file."""
    column: int
    """1-based column; 1 when unknown."""
    severity: Severity
    message: str
    """What is wrong and how to fix it, in one or two sentences."""
    rule: str = ""
    """The editorial rule's id (see `editorial`), or "" for a structural problem."""

    def __post_init__(self) -> None:
        # Editors and CI annotations read `path:0:0:` as no position at all; a whole-file
        # problem points at the file's first line instead, the same way everywhere.
        object.__setattr__(self, "line", max(self.line, 1))
        object.__setattr__(self, "column", max(self.column, 1))

    def format(self) -> str:
        """Render as `path:line:column: severity: message`, the form editors parse, on one line
        whatever the file's name and words hold (see `shown_in_terminal`)."""
        suffix = f" [{self.rule}]" if self.rule else ""
        line = f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message}{suffix}"
        return shown_in_terminal(line)


def numbered_lines(text: str) -> list[str]:
    """A file's lines as problems number them, and editors do: only a newline ends one
    (Python's `splitlines` also ends one at a form feed, U+0085 or U+2028)."""
    return [line.removesuffix("\r") for line in text.split("\n")]


@dataclass
class Diagnostics:
    """An append-only collection; the build fails at the end if it holds any error."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, path: str, line: int, column: int, message: str) -> None:
        """Record an error."""
        self.items.append(Diagnostic(path, line, column, "error", message))

    def warning(self, path: str, line: int, column: int, message: str) -> None:
        """Record a warning: the build succeeds unless --strict."""
        self.items.append(Diagnostic(path, line, column, "warning", message))

    def extend(self, other: Diagnostics) -> None:
        """Add every problem of another collection."""
        self.items.extend(other.items)

    def sorted(self, strict: bool = False) -> list[Diagnostic]:
        """Return the problems in file order, with warnings promoted under --strict."""
        items = self.items
        if strict:
            items = [replace(d, severity="error") for d in items]
        ordered = sorted(set(items), key=lambda d: (d.path, d.line, d.column, d.message))
        return _capped(ordered)

    def has_errors(self, strict: bool = False) -> bool:
        """Tell whether the build must fail."""
        return any(d.severity == "error" or strict for d in self.items)


MAX_PER_FILE = 100
"""More problems than this in one file are one mistake repeated (a 100,000-item list)."""


def _capped(items: list[Diagnostic]) -> list[Diagnostic]:
    """Keep the first problems of each file and say how many more there were."""
    counts: dict[str, int] = {}
    kept: list[Diagnostic] = []
    for item in items:
        counts[item.path] = counts.get(item.path, 0) + 1
        if counts[item.path] <= MAX_PER_FILE:
            kept.append(item)
    for path, count in counts.items():
        if count > MAX_PER_FILE:
            first = next(d for d in items if d.path == path)
            severity: Severity = "error" if any(d.path == path and d.severity == "error" for d in items) \
                else "warning"
            kept.append(Diagnostic(path, first.line, first.column, severity,
                                   f"… and {count - MAX_PER_FILE:,} more problems in this file"))
    return sorted(kept, key=lambda d: (d.path, d.line, d.column))


def to_json(diagnostics: list[Diagnostic]) -> str:
    """Serialise problems as the JSON list that `check --format json` prints."""
    return json.dumps([asdict(d) for d in diagnostics], indent=2, ensure_ascii=False)
