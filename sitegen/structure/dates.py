"""Dates that keep the precision the author gave, and their order in time."""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from enum import IntEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DATE_PATTERN = re.compile(
    r"""^(?P<year>\d{4})
    (?:-(?P<month>\d{1,2})
      (?:-(?P<day>\d{1,2})
        (?:[T\ ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?
          (?:\.\d+)?
          \s*(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)?
        )?
      )?
    )?$""",
    re.VERBOSE,
)

DATE_FORMS_HINT = (
    "write it as 2024, 2024-11, 2024-11-10, 2024-11-10T18:30 or 2024-11-10T18:30:00+03:00"
)


class Precision(IntEnum):
    """How much of a date the author gave; coarser sorts first at the same instant."""

    YEAR = 1
    MONTH = 2
    DAY = 3
    MINUTE = 4
    SECOND = 5


@dataclass(frozen=True)
class PartialDate:
    """A date as precise as the author wrote it, placed in time."""

    text: str
    """What the author wrote, for error messages."""
    precision: Precision
    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    offset: timedelta | None
    """The UTC offset the date is shown in: the author's, or the zone's at that instant."""
    offset_written: bool
    """True when the author wrote the offset (then it is the speaker's local time)."""
    start: datetime
    """The instant the date starts, in UTC, for sorting."""

    @property
    def has_time(self) -> bool:
        """Tell whether a time of day was given."""
        return self.precision >= Precision.MINUTE

    def iso(self) -> str:
        """The machine-readable value for `<time datetime>` at this precision."""
        if self.precision == Precision.YEAR:
            return f"{self.year:04d}"
        if self.precision == Precision.MONTH:
            return f"{self.year:04d}-{self.month:02d}"
        date = f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if not self.has_time:
            return date
        time = f"{self.hour:02d}:{self.minute:02d}"
        if self.precision == Precision.SECOND:
            time += f":{self.second:02d}"
        return f"{date}T{time}{format_offset_iso(self.offset or timedelta(0))}"

    def span(self) -> timedelta:
        """How long the time this date names lasts, in its own calendar: 2024 the whole year,
        2024-02 that February, 2024-11-10 that day. The last ones (9999, 9999-12, 9999-12-31)
        last until the calendar's end, the last instant a date can hold."""
        local = datetime(self.year, self.month, self.day, self.hour, self.minute, self.second)
        try:
            if self.precision == Precision.YEAR:
                following = local.replace(year=self.year + 1)
            elif self.precision == Precision.MONTH:
                following = (local.replace(day=28) + timedelta(days=4)).replace(day=1)
            else:
                following = local + {Precision.DAY: timedelta(days=1), Precision.MINUTE: timedelta(minutes=1),
                                     Precision.SECOND: timedelta(seconds=1)}[self.precision]
        except (ValueError, OverflowError):
            following = datetime.max
        return following - local

    def ends_before(self, other: PartialDate) -> bool:
        """Whether all of the time this date names is over before `other` starts: an end date
        of 2024-11-10 covers that whole day, so it is not before 2024-11-10T10:00."""
        return self.span() <= other.start - self.start

    def sort_key(self) -> tuple[datetime, int]:
        """Order by starting instant, the coarser precision first."""
        return (self.start, int(self.precision))


def format_offset_iso(offset: timedelta) -> str:
    """Return `Z` or `+03:00` for a UTC offset."""
    if offset == timedelta(0):
        return "Z"
    sign = "+" if offset >= timedelta(0) else "-"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def format_offset_label(offset: timedelta) -> str:
    """Return `UTC`, `UTC+3` or `UTC-5:30`, the way readers see an offset."""
    if offset == timedelta(0):
        return "UTC"
    sign = "+" if offset >= timedelta(0) else "-"
    minutes = abs(int(offset.total_seconds())) // 60
    hours, rest = divmod(minutes, 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def load_zone(name: str) -> tzinfo | None:
    """Return the IANA zone of that name, or None when there is none."""
    if name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@functools.lru_cache(maxsize=1 << 16)
def date_problem(text: str) -> str:
    """Why a date written in one of the forms is still no date, in the author's words; "" when
    the form itself is wrong (then the forms are the hint)."""
    match = DATE_PATTERN.match(text.strip())
    if not match:
        return ""
    parts = {key: int(value) for key, value in match.groupdict().items() if value and value[0].isdigit()}
    year, month, day = parts["year"], parts.get("month", 1), parts.get("day", 1)
    if year == 0:
        return "there is no year 0: years go from 0001 to 9999"
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    days = calendar.monthrange(year, month)[1]
    if day > days or day == 0:
        if month == 2 and day == 29:
            return f"{year} is not a leap year: February has 28 days"
        return f"{calendar.month_name[month]} {year} has {days} days"
    if parts.get("hour", 0) > 23 or parts.get("minute", 0) > 59 or parts.get("second", 0) > 59:
        return "the time goes from 00:00 to 23:59:59"
    return "it falls off the calendar sitegen can place in time (years 0001 to 9999, in UTC)"


def parse_date(text: str, zone: tzinfo) -> PartialDate | None:
    """Parse one of SPEC.md's date forms; naive times are read in `zone`.

    Remembered: many entries and sources share a day, and one object for them all is one
    view of it and one object to keep in the build cache and load from it, not one each.
    """
    match = DATE_PATTERN.match(text.strip())
    if not match:
        return None
    parts = match.groupdict()
    year = int(parts["year"])
    month = int(parts["month"] or 1)
    day = int(parts["day"] or 1)
    hour = int(parts["hour"] or 0)
    minute = int(parts["minute"] or 0)
    second = int(parts["second"] or 0)
    # `18:30:00` is how many tools write a minute; seconds show only when they say something.
    if parts["second"] is not None and second != 0:
        precision = Precision.SECOND
    elif parts["hour"] is not None:
        precision = Precision.MINUTE
    elif parts["day"] is not None:
        precision = Precision.DAY
    elif parts["month"] is not None:
        precision = Precision.MONTH
    else:
        precision = Precision.YEAR
    offset_text = parts["offset"]
    try:
        naive = datetime(year, month, day, hour, minute, second)
        if offset_text:
            offset = parse_offset(offset_text)
            local = naive.replace(tzinfo=timezone(offset))
        else:
            local = naive.replace(tzinfo=zone)
            offset = local.utcoffset() or timedelta(0)
        start = local.astimezone(UTC)
    except (ValueError, OverflowError):
        # OverflowError: an offset that moves 9999-12-31 or 0001-01-01 off the calendar.
        return None
    return PartialDate(
        text=text,
        precision=precision,
        year=year,
        month=month,
        day=day,
        hour=hour,
        minute=minute,
        second=second,
        offset=offset if precision >= Precision.MINUTE else None,
        offset_written=bool(offset_text),
        start=start,
    )


def parse_offset(text: str) -> timedelta:
    """Turn `Z`, `+03`, `+0300` or `+03:00` into a timedelta."""
    if text == "Z":
        return timedelta(0)
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(text)
    return sign * timedelta(hours=hours, minutes=minutes)


def unknown_zone_message(name: str) -> str:
    """Explain an unknown time zone, with the closest IANA name when there is one."""
    import difflib
    from zoneinfo import available_timezones

    close = difflib.get_close_matches(name, sorted(available_timezones()), n=1, cutoff=0.6)
    hint = f" (did you mean `{close[0]}`?)" if close else ""
    return f"unknown time zone `{name}`{hint}; use an IANA name such as UTC or Europe/Kyiv"
