"""The overview axis of a timeline: where each mark, tick and label goes in the SVG.

The layout is computed here, in Python, so the picture is in the page's HTML
and needs no JavaScript; templates only draw what this module places. It is a
pure function of the entries' dates and the drawing width, so builds stay
byte-identical.

Three ideas keep it readable from 3 to 300 entries and from hours to decades:

* Long empty stretches are cut out of the axis (a break, drawn as `//`), and
  each remaining segment gets room in proportion to how many entries it holds,
  so a busy week is not squashed into a pixel next to a war that began years
  before.
* Ticks are chosen per segment, from minutes to millennia, as the finest step
  whose labels fit; labels that would still touch are dropped, left to right.
* Marks sit on a grid at least `PITCH` apart (WCAG 2.5.8 target spacing):
  marks that would collide stack into rows, and when rows run out they slide
  right, keeping time order; the axis grows rows until everything fits.
"""

from __future__ import annotations

import calendar
import itertools
import statistics
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import MAXYEAR, datetime, timedelta, tzinfo
from typing import Literal

from sitegen.structure.dates import PartialDate, Precision

PITCH = 24.0
"""Distance between mark centres: WCAG 2.2's 24 px target spacing at 1:1 scale."""
CHAR_WIDTH = 7.8
"""Estimated advance of one character of the 13 px label font (system-ui digits ≈ 0.6 em)."""
LABEL_GAP = 2 * CHAR_WIDTH
"""Clear space between neighbouring labels."""
BREAK_WIDTH = PITCH
"""Room left on the axis for a break between segments."""
MAX_BREAKS = 3
MAX_STACK = 6
"""Marks at one time stack this high before a cluster spreads sideways."""
MIN_BREAK_SHARE = 0.15
"""A gap is cut only if it is at least this share of the whole span…"""
BREAK_OVER_MEDIAN = 4
"""…and this many times the median gap, so evenly spread entries keep one scale."""
TOP = 8
PRIMARY_LINE = 19
CONTEXT_LINE = 35
BOTTOM = 8

Unit = Literal["minute", "hour", "day", "month", "year", "decade"]
Anchor = Literal["start", "middle", "end"]

STEPS: tuple[tuple[Unit, int], ...] = (
    ("minute", 15), ("minute", 30), ("hour", 1), ("hour", 3), ("hour", 6), ("hour", 12),
    ("day", 1), ("day", 2), ("day", 5), ("month", 1), ("month", 3), ("month", 6),
    ("year", 1), ("year", 2), ("year", 5), ("decade", 10), ("decade", 20), ("decade", 50),
    ("decade", 100), ("decade", 200), ("decade", 500), ("decade", 1000),
)
UNIT_SECONDS: dict[Unit, float] = {
    "minute": 60, "hour": 3600, "day": 86400, "month": 30.44 * 86400,
    "year": 365.25 * 86400, "decade": 365.25 * 86400,
}
PRIMARY_CHARS: dict[Unit, int] = {"minute": 5, "hour": 5, "day": 2, "month": 3, "year": 4, "decade": 4}
"""Longest tick label per unit: `18:30`, `30`, `Sep`, `2024`."""
CONTEXT_UNIT: dict[Unit, Unit | None] = {
    "minute": "day", "hour": "day", "day": "month", "month": "year", "year": None, "decade": None,
}
"""What a second line under the ticks names: the day of hour ticks, the month of day ticks…"""
CONTEXT_CHARS: dict[Unit, int] = {"day": 11, "month": 8, "year": 4}
"""Longest context label: `30 Sep 2024`, `Sep 2024`, `2024`."""
FINEST_UNIT: dict[Precision, Unit] = {
    Precision.YEAR: "year", Precision.MONTH: "month", Precision.DAY: "day",
    Precision.MINUTE: "minute", Precision.SECOND: "minute",
}
"""Ticks are never finer than the finest date they mark: no hours for day-precision entries."""
UNIT_ORDER: tuple[Unit, ...] = ("minute", "hour", "day", "month", "year", "decade")


@dataclass(frozen=True)
class AxisItem:
    """One entry as the axis sees it."""

    anchor: str
    date: PartialDate
    end_date: PartialDate | None = None
    kind: str = "event"
    rating: str = ""


@dataclass(frozen=True)
class Mark:
    """One entry's mark: a link to its place in the list."""

    index: int
    """Position of the entry in the items given, so templates can show its title and date."""
    anchor: str
    kind: str
    rating: str
    x: int
    y: int
    x_end: int | None
    """Right end of the bar of an entry that spans time."""
    shifted: bool
    """Slid right from its exact time to make room: the picture is approximate here."""


@dataclass(frozen=True)
class Label:
    """A tick label, or a context label (the month under day ticks) on the second line."""

    x: int
    y: int
    anchor: Anchor
    unit: Unit
    when: datetime
    """Naive, in the story's time zone: what the label names."""
    chars: int
    """Estimated length in characters, used to keep labels apart."""

    def extent(self) -> tuple[float, float]:
        """The estimated horizontal span of the text."""
        width = self.chars * CHAR_WIDTH
        if self.anchor == "start":
            return self.x, self.x + width
        if self.anchor == "end":
            return self.x - width, self.x
        return self.x - width / 2, self.x + width / 2


@dataclass(frozen=True)
class Segment:
    """A stretch of the axis drawn at one linear scale."""

    x0: float
    x1: float


@dataclass(frozen=True)
class Axis:
    """Everything the template draws, in SVG user units."""

    width: int
    height: int
    baseline: int
    rows: int
    segments: tuple[Segment, ...]
    ticks: tuple[Label, ...]
    contexts: tuple[Label, ...]
    marks: tuple[Mark, ...]

    @property
    def breaks(self) -> tuple[float, ...]:
        """The x of each cut between segments."""
        return tuple((a.x1 + b.x0) / 2 for a, b in itertools.pairwise(self.segments))


@dataclass
class _Span:
    """Items that share a segment, with their local times."""

    items: list[tuple[int, AxisItem, datetime, datetime]]
    start: datetime
    end: datetime
    x0: float = 0.0
    x1: float = 0.0

    def position(self, moment: datetime) -> float:
        """Map a local time in this segment to x."""
        inner0, inner1 = self.x0 + PITCH / 2, self.x1 - PITCH / 2
        total = (self.end - self.start).total_seconds()
        if total <= 0:
            return (self.x0 + self.x1) / 2
        return inner0 + (moment - self.start).total_seconds() / total * (inner1 - inner0)


def layout_axis(items: Sequence[AxisItem], width: int, zone: tzinfo) -> Axis:
    """Place marks, ticks and labels for `items` on an axis `width` units wide."""
    if not items:
        return Axis(width, 0, 0, 0, (), (), (), ())
    spans = _split(items, zone, width)
    _allocate(spans, width)
    rows, placed = _pack(spans)
    baseline = int(TOP + rows * PITCH + 2)
    marks = tuple(
        Mark(index, item.anchor, item.kind, item.rating, x, int(baseline - PITCH / 2 - row * PITCH - 1),
             x_end, shifted)
        for index, item, x, x_end, row, shifted in placed
    )
    ticks, contexts = _labels(spans, width, baseline)
    height = int(baseline + CONTEXT_LINE + BOTTOM)
    return Axis(
        width=width,
        height=height,
        baseline=baseline,
        rows=rows,
        segments=tuple(Segment(s.x0, s.x1) for s in spans),
        ticks=ticks,
        contexts=contexts,
        marks=tuple(sorted(marks, key=lambda m: m.index)),
    )


def local(moment: datetime, zone: tzinfo) -> datetime:
    """The wall-clock time in the story's zone, naive, for calendar arithmetic."""
    return moment.astimezone(zone).replace(tzinfo=None)


def period_end(date: PartialDate, zone: tzinfo) -> datetime:
    """Where a date written as an end ("until 10 November") stops: the end of that day, month…
    (see `PartialDate.span`), or the calendar's end for the last ones."""
    return _later(local(date.start, zone), date.span()) or datetime.max


def _later(moment: datetime, step: timedelta) -> datetime | None:
    """`step` after `moment`; None past the calendar's end (9999-12-31)."""
    try:
        return moment + step
    except OverflowError:
        return None


def _split(items: Sequence[AxisItem], zone: tzinfo, width: int) -> list[_Span]:
    """Cut the time line at its largest empty stretches."""
    ordered = sorted(
        (
            (index, item, local(item.date.start, zone),
             max(local(item.date.start, zone), period_end(item.end_date, zone))
             if item.end_date else local(item.date.start, zone))
            for index, item in enumerate(items)
        ),
        key=lambda row: (row[2], int(row[1].date.precision), row[0]),
    )
    gaps: list[tuple[float, int]] = []
    reach = ordered[0][3]
    for position in range(1, len(ordered)):
        start = ordered[position][2]
        gaps.append(((start - reach).total_seconds(), position))
        reach = max(reach, ordered[position][3])
    span = (reach - ordered[0][2]).total_seconds()
    cuts = _choose_cuts(gaps, span, width)
    spans: list[_Span] = []
    bounds = [0, *cuts, len(ordered)]
    for first, last in itertools.pairwise(bounds):
        group = ordered[first:last]
        spans.append(_Span(group, group[0][2], max(row[3] for row in group)))
    return spans


def _choose_cuts(gaps: list[tuple[float, int]], span: float, width: int) -> list[int]:
    """The positions (in time order) after which the axis is broken."""
    if not gaps or span <= 0:
        return []
    threshold = max(MIN_BREAK_SHARE * span, BREAK_OVER_MEDIAN * statistics.median(g for g, _ in gaps))
    candidates = sorted((g for g in gaps if g[0] > 0 and g[0] >= threshold), reverse=True)
    room = width - PITCH
    most = max(0, int((room + BREAK_WIDTH) // (_min_segment_width() + BREAK_WIDTH)) - 1)
    return sorted(position for _, position in candidates[: min(MAX_BREAKS, most)])


def _min_segment_width() -> float:
    """Room for one point's two labels (`24` over `Feb 2022`) and its mark."""
    return max(PITCH * 2, CONTEXT_CHARS["month"] * CHAR_WIDTH + LABEL_GAP)


def _allocate(spans: list[_Span], width: int) -> None:
    """Give each segment a minimum width plus a share of the rest by its number of entries."""
    left, right = PITCH / 4, width - PITCH / 4
    available = right - left - BREAK_WIDTH * (len(spans) - 1)
    minimum = min(_min_segment_width(), available / len(spans))
    spare = available - minimum * len(spans)
    total = sum(len(s.items) for s in spans)
    x = left
    for span in spans:
        span.x0 = x
        span.x1 = x + minimum + spare * len(span.items) / total
        x = span.x1 + BREAK_WIDTH


def _pack(spans: list[_Span]) -> tuple[int, list[tuple[int, AxisItem, int, int | None, int, bool]]]:
    """Find the fewest rows in which every mark fits its segment at `PITCH` spacing.

    Stacking is tried first, up to `MAX_STACK` rows, because it keeps every mark at
    its exact time; only denser clusters slide marks right, in more rows if need be.
    """
    most = max(len(s.items) for s in spans)
    attempts = [(rows, False) for rows in range(1, min(most, MAX_STACK) + 1)]
    attempts += [(rows, True) for rows in range(min(most, MAX_STACK), most + 1)]
    for rows, slide in attempts:
        placed: list[tuple[int, AxisItem, int, int | None, int, bool]] = []
        if all(_pack_span(span, rows, slide, placed) for span in spans):
            return rows, placed
    raise AssertionError("one row per item always fits")  # pragma: no cover


def _pack_span(
    span: _Span, rows: int, slide: bool, placed: list[tuple[int, AxisItem, int, int | None, int, bool]]
) -> bool:
    """Greedy lane packing, left to right; False when a mark finds no room in the segment."""
    reach = [-float("inf")] * rows
    limit = span.x1 - PITCH / 2 + 0.01
    for index, item, start, end in span.items:
        x = span.position(start)
        x_end = span.position(end) if item.end_date else None
        free = [row for row in range(rows) if reach[row] + PITCH <= x + 0.01]
        if free:
            row, shifted = free[0], False
        elif slide:
            row = min(range(rows), key=lambda r: (reach[r], r))
            x, shifted = reach[row] + PITCH, True
        else:
            return False
        if x > limit:
            return False
        reach[row] = max(x, x_end or x)
        # Whole units: precise enough on screen, and half the bytes in the page.
        bar_end = round(x_end) if x_end is not None else None
        placed.append((index, item, round(x), bar_end, row, shifted))
    return True


def _labels(spans: list[_Span], width: int, baseline: int) -> tuple[tuple[Label, ...], tuple[Label, ...]]:
    """Tick labels and context labels for every segment, none overlapping."""
    ticks: list[Label] = []
    contexts: list[Label] = []
    for span in spans:
        unit, moments = _ticks_for(span)
        context_unit = CONTEXT_UNIT[unit]
        previous_key: tuple[int, ...] | None = None
        for moment in moments:
            x = span.position(moment)
            ticks.append(_label(x, baseline + PRIMARY_LINE, unit, moment, PRIMARY_CHARS[unit], width))
            if context_unit is None:
                continue
            key = _context_key(moment, context_unit)
            if key != previous_key:
                chars = CONTEXT_CHARS[context_unit]
                # Kept inside its segment, so the month of one stretch never bumps the last one's.
                left = min(max(x - chars * CHAR_WIDTH / 2, span.x0), width - chars * CHAR_WIDTH)
                contexts.append(Label(round(left), baseline + CONTEXT_LINE, "start", context_unit,
                                      moment, chars))
                previous_key = key
    return _without_overlaps(ticks), _without_overlaps(contexts)


def _label(x: float, y: int, unit: Unit, moment: datetime, chars: int, width: int) -> Label:
    """A label centred on its tick, unless that would run off the picture."""
    half = chars * CHAR_WIDTH / 2
    anchor: Anchor = "middle"
    if x - half < 0:
        anchor = "start"
    elif x + half > width:
        anchor = "end"
    return Label(round(x), y, anchor, unit, moment, chars)


def _without_overlaps(labels: list[Label]) -> tuple[Label, ...]:
    """Keep labels left to right, dropping any that would touch the one kept before."""
    kept: list[Label] = []
    for label in sorted(labels, key=lambda lb: (lb.extent()[0], lb.when)):
        if kept and label.extent()[0] < kept[-1].extent()[1] + LABEL_GAP:
            continue
        kept.append(label)
    return tuple(kept)


def _context_key(moment: datetime, unit: Unit) -> tuple[int, ...]:
    """What must change for a new context label: the day, the month or the year."""
    if unit == "day":
        return (moment.year, moment.month, moment.day)
    if unit == "month":
        return (moment.year, moment.month)
    return (moment.year,)


def _ticks_for(span: _Span) -> tuple[Unit, list[datetime]]:
    """The finest step whose labels fit the segment, and its tick times."""
    finest = min((FINEST_UNIT[Precision(item.date.precision)] for _, item, _, _ in span.items),
                 key=UNIT_ORDER.index)
    seconds = (span.end - span.start).total_seconds()
    inner = span.x1 - span.x0 - PITCH
    if seconds > 0:
        for unit, step in STEPS:
            if UNIT_ORDER.index(unit) < UNIT_ORDER.index(finest):
                continue
            spacing = inner * UNIT_SECONDS[unit] * step / seconds
            if spacing < PRIMARY_CHARS[unit] * CHAR_WIDTH + LABEL_GAP:
                continue
            moments = list(_aligned(span.start, span.end, unit, step))
            if moments:
                return unit, moments
    # A single instant, or a stretch too short for any tick: name where it starts.
    return finest if finest != "minute" else "hour", [span.start]


def _aligned(start: datetime, end: datetime, unit: Unit, step: int) -> Iterator[datetime]:
    """Tick times from `start` to `end` on round values of the unit (none past the calendar's end)."""
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    moment: datetime | None
    if unit in ("minute", "hour"):
        size = timedelta(minutes=step) if unit == "minute" else timedelta(hours=step)
        moment = midnight + ((start - midnight) // size) * size
        if moment < start:
            moment = _later(moment, size)
        while moment is not None and moment <= end:
            yield moment
            moment = _later(moment, size)
    elif unit == "day":
        moment = midnight
        while moment is not None and moment <= end:
            # Steps of 5 restart each month (1, 6 … 26), so labels stay on round days.
            if moment >= start and (step < 5 or (moment.day % 5 == 1 and moment.day <= 26)):
                yield moment
            moment = _later(moment, timedelta(days=step if step < 5 else 1))
    elif unit == "month":
        moment = midnight.replace(day=1)
        while moment is not None and moment <= end:
            if moment >= start and (moment.month - 1) % step == 0:
                yield moment
            moment = _add_months(moment, 1)
    else:
        year = start.year - start.year % step
        while year <= end.year:
            if year >= 1 and start <= datetime(year, 1, 1) <= end:
                yield datetime(year, 1, 1)
            year += step


def _add_months(moment: datetime, months: int) -> datetime | None:
    """The same day and time `months` later, clamped to the month's last day; None past the
    calendar's end."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    if year > MAXYEAR:
        return None
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)
