"""The progress bar: on a terminal, for builds that take a while; never in a pipe, a log or CI."""

from __future__ import annotations

import io

import pytest

from sitegen.progress import TerminalProgress, for_stream


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_bar_is_drawn_on_one_line_and_cleared_before_the_summary() -> None:
    screen = Terminal()
    progress = TerminalProgress(screen, delay=0)
    progress("reading", 330, 660)
    progress("writing", 13_817, 13_817)
    progress.finish()
    drawn = screen.getvalue()
    assert "\n" not in drawn
    assert "reading    [###############---------------] 330/660" in drawn
    assert "writing    [##############################] 13,817/13,817" in drawn
    assert drawn.endswith("\r\033[K")  # the line is blank again for what follows


def test_nothing_is_drawn_in_the_first_second() -> None:
    screen = Terminal()
    progress = TerminalProgress(screen)
    progress("reading", 1, 660)
    progress.finish()
    assert screen.getvalue() == ""


def test_no_bar_where_nobody_watches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TERM", raising=False)
    assert for_stream(io.StringIO()) is None  # a pipe or a file
    assert for_stream(Terminal()) is not None
    monkeypatch.setenv("TERM", "dumb")  # a terminal that cannot redraw a line
    assert for_stream(Terminal()) is None
