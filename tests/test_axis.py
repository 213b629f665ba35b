"""The overview axis layout: ticks by span, no overlapping labels, a mark for every entry."""

from __future__ import annotations

import itertools
import random
from datetime import UTC

import pytest

from sitegen.rendering.axis import CHAR_WIDTH, PITCH, Axis, AxisItem, Label, layout_axis
from sitegen.structure.dates import parse_date

WIDTHS = (704, 328)


def items(*dates: str) -> list[AxisItem]:
    """One axis item per date, ids e0, e1…, alternating kinds."""
    return [
        AxisItem(f"e{i}", parse_date(d, UTC), kind="event" if i % 2 else "statement")  # type: ignore[arg-type]
        for i, d in enumerate(dates)
    ]


def extent(label: Label) -> tuple[float, float]:
    """Where a label's text runs, from its anchor and an estimated character width."""
    width = label.chars * CHAR_WIDTH
    start = {"start": label.x, "middle": label.x - width / 2, "end": label.x - width}[label.anchor]
    return start, start + width


def assert_readable(axis: Axis, expected_ids: list[str]) -> None:
    """Labels apart and on the picture; every entry linked once; marks 24 units apart."""
    for labels in (axis.ticks, axis.contexts):
        spans = sorted(extent(label) for label in labels)
        for (_, right), (left, _) in itertools.pairwise(spans):
            assert left >= right, f"labels overlap: {spans}"
        assert all(a >= 0 and b <= axis.width for a, b in spans), spans
    assert sorted(m.anchor for m in axis.marks) == sorted(expected_ids)
    for a, b in itertools.combinations(axis.marks, 2):
        assert max(abs(a.x - b.x), abs(a.y - b.y)) >= PITCH - 0.1, (a, b)
    assert all(0 < m.x < axis.width and 0 < m.y < axis.baseline for m in axis.marks)


@pytest.mark.parametrize("width", WIDTHS)
def test_three_entries_within_hours_get_hour_ticks(width: int) -> None:
    entries = items("2024-11-10T09:15", "2024-11-10T11:40", "2024-11-10T17:05")
    axis = layout_axis(entries, width, UTC)
    assert {t.unit for t in axis.ticks} <= {"minute", "hour"}
    assert len(axis.ticks) >= 2
    assert [c.unit for c in axis.contexts] == ["day"], "the day is named once, under the hours"
    assert len(axis.segments) == 1
    assert_readable(axis, ["e0", "e1", "e2"])
    xs = [m.x for m in sorted(axis.marks, key=lambda m: m.index)]
    assert xs == sorted(xs), "marks keep time order"


@pytest.mark.parametrize("width", WIDTHS)
def test_entries_decades_apart_get_decade_ticks(width: int) -> None:
    entries = items("1917", "1945", "1961", "1989", "2001", "2022")
    axis = layout_axis(entries, width, UTC)
    assert {t.unit for t in axis.ticks} == {"decade"}
    assert all(t.when.year % 10 == 0 for t in axis.ticks)
    assert len(axis.segments) == 1, "evenly spread entries keep one scale"
    assert_readable(axis, [f"e{i}" for i in range(6)])


def test_a_busy_week_after_years_of_quiet_gets_its_own_segment() -> None:
    entries = items("2022-02-24", "2023-05-10", "2024-11-05", "2024-11-06", "2024-11-10", "2024-11-10",
                    "2024-11-11")
    axis = layout_axis(entries, 704, UTC)
    assert len(axis.segments) == 3
    last = axis.segments[-1]
    assert last.x1 - last.x0 > 704 / 2, "the week with most entries gets most room"
    assert {t.unit for t in axis.ticks if t.x > last.x0} == {"day"}
    assert_readable(axis, [f"e{i}" for i in range(7)])


def test_same_day_entries_stack_instead_of_overlapping() -> None:
    axis = layout_axis(items("2024-11-01", "2024-11-10", "2024-11-10", "2024-11-10"), 328, UTC)
    same_day = [m for m in axis.marks if m.index > 0]
    assert len({m.x for m in same_day}) == 1 and len({m.y for m in same_day}) == 3
    assert axis.rows == 3


def test_a_span_draws_a_bar_to_its_end() -> None:
    entry = AxisItem("call", parse_date("2024-11-06", UTC), parse_date("2024-11-10", UTC))  # type: ignore[arg-type]
    axis = layout_axis([*items("2024-11-01", "2024-11-12"), entry], 704, UTC)
    mark = next(m for m in axis.marks if m.anchor == "call")
    assert mark.x_end is not None and mark.x_end > mark.x + 3 * PITCH


@pytest.mark.parametrize("width", WIDTHS)
def test_three_hundred_entries_over_decades_stay_readable(width: int) -> None:
    rng = random.Random(7)
    dates = [
        f"{rng.randint(1990, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" for _ in range(280)
    ]
    dates += [f"2024-11-{day:02d}" for day in (5, 5, 5, 6, 6, 7, 8, 10, 10, 10, 10, 11, 11, 11, 12, 12, 13,
                                               14, 15, 15)]
    entries = items(*dates)
    axis = layout_axis(entries, width, UTC)
    assert_readable(axis, [f"e{i}" for i in range(300)])
    assert axis.ticks and all(t.unit in ("year", "decade", "month", "day") for t in axis.ticks)
    assert axis.height < 60 * PITCH


def test_layout_is_a_pure_function_of_its_input() -> None:
    entries = items("2024-11-10T09:15", "2024-11-10T11:40", "2024-12-01", "2025-03")
    assert layout_axis(entries, 704, UTC) == layout_axis(list(entries), 704, UTC)
    assert layout_axis([], 704, UTC).marks == ()
