"""Dates keep the precision the author gave, and sort by the instant they start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sitegen.structure.dates import Precision, date_problem, load_zone, parse_date

UTC_ZONE = load_zone("UTC")
KYIV = load_zone("Europe/Kyiv")


@pytest.mark.parametrize(
    ("text", "precision", "iso"),
    [
        ("2024", Precision.YEAR, "2024"),
        ("2024-11", Precision.MONTH, "2024-11"),
        ("2024-11-10", Precision.DAY, "2024-11-10"),
        ("2024-11-10T18:30", Precision.MINUTE, "2024-11-10T18:30Z"),
        ("2024-11-10T18:30:05+03:00", Precision.SECOND, "2024-11-10T18:30:05+03:00"),
        ("2024-11-10T18:30:00+03:00", Precision.MINUTE, "2024-11-10T18:30+03:00"),
        ("2024-11-10 18:30-05:00", Precision.MINUTE, "2024-11-10T18:30-05:00"),
    ],
)
def test_each_form_keeps_its_precision(text: str, precision: Precision, iso: str) -> None:
    date = parse_date(text, UTC_ZONE)
    assert date is not None
    assert date.precision == precision
    assert date.iso() == iso


def test_a_naive_time_is_read_in_the_story_zone_not_the_machine_zone() -> None:
    date = parse_date("2024-11-10T18:30", KYIV)
    assert date is not None
    assert date.start == datetime(2024, 11, 10, 16, 30, tzinfo=UTC)
    assert date.offset == timedelta(hours=2)
    assert date.iso() == "2024-11-10T18:30+02:00"


def test_a_written_offset_wins_over_the_zone() -> None:
    date = parse_date("2024-11-10T18:30:00+03:00", KYIV)
    assert date is not None
    assert date.offset_written
    assert date.start == datetime(2024, 11, 10, 15, 30, tzinfo=UTC)


def test_coarser_dates_sort_first_at_the_same_instant() -> None:
    texts = ["2024-11-01", "2024", "2024-11", "2024-01-01T00:00", "2023-12-31T23:00-02:00"]
    dates = [parse_date(t, UTC_ZONE) for t in texts]
    ordered = sorted(dates, key=lambda d: d.sort_key())  # type: ignore[union-attr]
    assert [d.text for d in ordered] == [  # type: ignore[union-attr]
        "2024", "2024-01-01T00:00", "2023-12-31T23:00-02:00", "2024-11", "2024-11-01",
    ]


def test_times_in_different_offsets_sort_by_the_real_instant() -> None:
    moscow_noon = parse_date("2024-11-11T12:00+03:00", UTC_ZONE)
    washington_morning = parse_date("2024-11-11T05:00-05:00", UTC_ZONE)
    assert moscow_noon and washington_morning
    assert moscow_noon.sort_key() < washington_morning.sort_key()


@pytest.mark.parametrize(("end", "start", "before"), [
    ("2024-11-10", "2024-11-10T10:00", False),  # an end day covers the whole day
    ("2024-11-09", "2024-11-10T10:00", True),
    ("2024-11", "2024-11-30", False),
    ("2024-02", "2024-03-01", True),
    ("2024", "2024-12-31T23:59", False),
    ("2024-11-10T09:59", "2024-11-10T10:00", True),
    ("2024-11-10T10:00", "2024-11-10T10:00", False),
    ("2024-11-10T12:30+03:00", "2024-11-10T10:00", True),  # 09:30 UTC
    ("9999", "9999-12-31", False),
])
def test_an_end_date_is_before_a_start_only_once_all_its_time_is_over(
    end: str, start: str, before: bool,
) -> None:
    end_date, start_date = parse_date(end, UTC_ZONE), parse_date(start, UTC_ZONE)
    assert end_date and start_date
    assert end_date.ends_before(start_date) is before


@pytest.mark.parametrize("text", ["2024-13", "2024-02-30", "11/10/2024", "yesterday", "2024-11-10T25:00"])
def test_impossible_dates_are_refused(text: str) -> None:
    assert parse_date(text, UTC_ZONE) is None


@pytest.mark.parametrize(("text", "reason"), [
    ("2023-02-29", "2023 is not a leap year: February has 28 days"),
    ("2024-11-31", "November 2024 has 30 days"),
    ("2024-13", "there is no month 13"),
    ("2024-11-10T25:00", "the time goes from 00:00 to 23:59:59"),
    ("0000", "there is no year 0"),
    ("11/10/2024", ""),  # not one of the forms: the forms are the hint
])
def test_a_date_that_is_not_in_the_calendar_says_why(text: str, reason: str) -> None:
    assert parse_date(text, UTC_ZONE) is None
    assert date_problem(text).startswith(reason) and bool(date_problem(text)) == bool(reason)
