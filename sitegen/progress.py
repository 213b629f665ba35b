"""A progress bar on the terminal for builds that take a while; nothing anywhere else.

The build reports `(stage, done, total)` as it goes; `TerminalProgress` draws
one line on stderr, only on a terminal and only once the build has taken a
second, so quick builds, logs, CI and tests see the summary line alone.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Protocol, TextIO

DELAY_SECONDS = 1.0
"""A build shorter than this shows no bar."""
REDRAW_SECONDS = 0.1
WIDTH = 30


class Progress(Protocol):
    """Told how far a build has got."""

    def __call__(self, stage: str, done: int, total: int) -> None: ...


def no_progress(stage: str, done: int, total: int) -> None:
    """Ignore progress (not a terminal, or a library caller)."""


class TerminalProgress:
    """A bar on one line of a terminal, redrawn at most ten times a second."""

    def __init__(self, stream: TextIO = sys.stderr, delay: float = DELAY_SECONDS) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.delay = delay
        self._drawn = 0.0
        self._stage = ""
        self._shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.started < self.delay:
            return
        if stage == self._stage and now - self._drawn < REDRAW_SECONDS and done < total:
            return
        self._drawn, self._stage = now, stage
        share = done / total if total else 1.0
        filled = int(WIDTH * share)
        bar = "#" * filled + "-" * (WIDTH - filled)
        self.stream.write(f"\r\033[K{stage:<10} [{bar}] {done:,}/{total:,}")
        self.stream.flush()
        self._shown = True

    def finish(self) -> None:
        """Clear the bar, so the summary and problems print on a clean line."""
        if self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._shown = False


def for_stream(stream: TextIO) -> TerminalProgress | None:
    """A bar for a terminal; None for a file, a pipe, or a terminal that cannot redraw."""
    if not (hasattr(stream, "isatty") and stream.isatty()) or os.environ.get("TERM") == "dumb":
        return None
    return TerminalProgress(stream)
