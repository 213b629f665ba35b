"""What one build did, for the CLI, the server and tests, and the one line that says so."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sitegen.structure.diagnostics import Diagnostic


@dataclass
class BuildResult:
    """What one build did."""

    diagnostics: list[Diagnostic]
    ok: bool
    produced: list[str] = field(default_factory=list)
    """Output files rendered afresh (the rest were unchanged and linked)."""
    files: int = 0
    """Every file of the output, produced or unchanged."""
    seconds: float = 0.0
    entries: int = 0
    """Entry files of the site."""
    entries_read: int = 0
    """Entry files read and checked afresh; the others came from the cache."""
    notices: list[str] = field(default_factory=list)
    """About the build cache (discarded, not saved): said once, never a build error."""


def summary(result: BuildResult, output: Path) -> str:
    """The line `sitegen build` ends with: what was written, what came from the cache, how long."""
    written = len(result.produced)
    cached = result.entries - result.entries_read
    return (
        f"built {result.files:,} files into {output}: {written:,} written, "
        f"{result.files - written:,} unchanged; {result.entries:,} entries: {cached:,} from cache, "
        f"{result.entries_read:,} read; {result.seconds:.2f} s"
    )
