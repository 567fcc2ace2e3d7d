"""Arrival profiles: demand that is busier on some weekdays, hours or months.

A pathway's ``arrivals.profile`` gives relative weights by ``weekday``, by time of day
(``hour``) and by ``month``; anything not named weighs 1. The weights *redistribute* the
declared rate, they never add to it:

* the weekday and hour weights multiply, and are divided by their mean over the open
  time of one week (the arrivals calendar's windows, or the whole week without one), so
  a week still brings the declared rate's arrivals;
* the month weights are divided by their mean over a 365-day year (each month weighted by
  its days), so a year still brings the declared rate's arrivals.

The arrival intensity at a wall-clock minute is then the rate per open minute times the
weekday-and-hour factor times the month factor. :func:`parse_weekday`, :func:`parse_hour`
and :func:`parse_month` read what users write and raise
:class:`~pathway._model._calendar.CalendarSyntaxError` (the compiler turns it into a
located problem); nothing here reads the clock.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence

import attrs

from pathway._model._calendar import (
    CalendarSyntaxError,
    Window,
    parse_days,
    parse_time_range,
)
from pathway._vocab import MINUTES_PER_DAY
from pathway.errors import did_you_mean

__all__ = [
    "DAYS_IN_MONTH",
    "MAX_WEIGHT",
    "ArrivalProfile",
    "month_factors",
    "parse_hour",
    "parse_month",
    "parse_weekday",
    "week_pieces",
]

MAX_WEIGHT = 1e6
"""The largest weight a profile may give."""
DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
"""Days of each month in the 365-day year the month weights are normalised over."""
_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_WORDS: dict[str, int] = {
    **{name: index for index, name in enumerate(_MONTH_NAMES)},
    **{name[:3]: index for index, name in enumerate(_MONTH_NAMES)},
    "sept": 8,
}
_EXPECTED_MONTH = "a month like 'jan' or 'january', a range like 'jun-aug', or a list 'jan, feb'"
_EXPECTED_HOUR = (
    "an hour like 9 (09:00-10:00), hours like '9-12', or a time range like '09:30-12:30'"
)
_HOURS_RE = re.compile(r"\s*(\d{1,2})\s*(?:-\s*(\d{1,2})\s*)?", re.ASCII)
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-"})


@attrs.frozen(slots=True)
class ArrivalProfile:
    """Relative arrival weights, as written (not yet normalised).

    ``weekday``: seven weights, Monday first. ``hour``: ``(start, end, weight)`` pieces
    of the day in minutes, covering 00:00-24:00 in order. ``month``: twelve weights,
    January first.
    """

    weekday: tuple[float, ...] = (1.0,) * 7
    hour: tuple[tuple[int, int, float], ...] = ((0, MINUTES_PER_DAY, 1.0),)
    month: tuple[float, ...] = (1.0,) * 12

    @property
    def by_month(self) -> bool:
        """Whether the month weights differ (a profile that needs the calendar date)."""
        return len(set(self.month)) > 1


# ------------------------------------------------------------------------------ parsing


def parse_weekday(weights: Mapping[str, float]) -> tuple[float, ...]:
    """Seven weights (Monday first) from ``{day key: weight}``; days not named weigh 1.

    Keys are the day keys of a calendar (``mon``, ``mon-fri``, ``'tue, thu'``,
    ``weekdays``); when keys overlap the key naming fewest days decides, and two keys of
    the same size naming one day are an error (:class:`CalendarSyntaxError`).
    """
    sizes: dict[int, tuple[int, str]] = {}
    result = [1.0] * 7
    for key, weight in weights.items():
        days = parse_days(key) if isinstance(key, str) else _not_text(key, "a day like 'mon'")
        for day in days:
            if _decides(sizes, day, len(days), key):
                result[day] = float(weight)
    return tuple(result)


def parse_month(weights: Mapping[str, float]) -> tuple[float, ...]:
    """Twelve weights (January first) from ``{month key: weight}``; months not named
    weigh 1. Keys: ``jan``/``january``, ranges ``jun-aug`` (``nov-feb`` wraps), lists
    ``'jan, feb'``; the key naming fewest months decides an overlap."""
    sizes: dict[int, tuple[int, str]] = {}
    result = [1.0] * 12
    for key, weight in weights.items():
        months = _months(key) if isinstance(key, str) else _not_text(key, _EXPECTED_MONTH)
        for month in months:
            if _decides(sizes, month, len(months), key):
                result[month] = float(weight)
    return tuple(result)


def parse_hour(weights: Mapping[str | int, float]) -> tuple[tuple[int, int, float], ...]:
    """The day as ``(start, end, weight)`` minute pieces from ``{time key: weight}``; times
    not named weigh 1. Keys: an hour ``9`` (09:00-10:00), hours ``'9-12'``, or a range
    ``'09:30-12:30'``; a range crossing midnight wraps to the morning. The key covering
    fewest minutes decides an overlap; two of the same length clash."""
    minute_weight = [1.0] * MINUTES_PER_DAY
    sizes: dict[int, tuple[int, str]] = {}
    for key, weight in weights.items():
        start, end = _time_key(key)
        minutes = [m % MINUTES_PER_DAY for m in range(start, end)]
        for minute in minutes:
            if _decides(sizes, minute, len(minutes), str(key), unit="time"):
                minute_weight[minute] = float(weight)
    return _pieces(minute_weight)


def _decides(
    sizes: dict[int, tuple[int, str]], item: int, size: int, key: str, *, unit: str = ""
) -> bool:
    """Whether a key of ``size`` items decides ``item``: the smallest key wins; equal
    sizes clash (:class:`CalendarSyntaxError`)."""
    previous = sizes.get(item)
    if previous is not None and previous[0] == size and previous[1] != key:
        what = unit or "day or month"
        raise CalendarSyntaxError(
            f"each {what} in at most one entry of the same size",
            f"{previous[1]!r} and {key!r} overlapping",
            field=key,
        )
    if previous is None or size < previous[0]:
        sizes[item] = (size, key)
        return True
    return False


def _not_text(key: object, expected: str) -> frozenset[int]:
    raise CalendarSyntaxError(expected, repr(key), field=str(key))


def _months(key: str) -> frozenset[int]:
    months: set[int] = set()
    for item in key.split(","):
        word = " ".join(item.translate(_DASHES).casefold().split())
        if "-" not in word:
            months.add(_month_index(word, key))
            continue
        first, _, last = (part.strip() for part in word.partition("-"))
        start, stop = _month_index(first, key), _month_index(last, key)
        months.update((start + step) % 12 for step in range((stop - start) % 12 + 1))
    return frozenset(months)


def _month_index(word: str, key: str) -> int:
    if word in _MONTH_WORDS:
        return _MONTH_WORDS[word]
    suggestion = did_you_mean(word, _MONTH_WORDS) if word else None
    raise CalendarSyntaxError(_EXPECTED_MONTH, repr(key), field=key, suggestion=suggestion or "")


def _time_key(key: object) -> Window:
    """A time-of-day key as ``(start, end)`` minutes, ``end`` past 1440 when it wraps."""
    if isinstance(key, bool) or not isinstance(key, int | str):
        raise CalendarSyntaxError(_EXPECTED_HOUR, repr(key), field=str(key))
    text = str(key)
    match = _HOURS_RE.fullmatch(text.translate(_DASHES))
    if match is None:
        try:
            return parse_time_range(text, text)
        except CalendarSyntaxError as error:
            raise CalendarSyntaxError(_EXPECTED_HOUR, repr(key), field=text) from error
    first = int(match[1])
    last = int(match[2]) if match[2] is not None else first + 1
    if first > 23 or last > 24 or last == first:
        expected = "hours from 0 to 24, with different start and end"
        raise CalendarSyntaxError(expected, repr(key), field=text)
    end = last * 60 if last > first else last * 60 + MINUTES_PER_DAY
    return (first * 60, end)


def _pieces(minute_weight: Sequence[float]) -> tuple[tuple[int, int, float], ...]:
    """Runs of equal weight as ``(start, end, weight)``."""
    pieces: list[tuple[int, int, float]] = []
    start = 0
    for minute in range(1, MINUTES_PER_DAY + 1):
        if minute == MINUTES_PER_DAY or minute_weight[minute] != minute_weight[start]:
            pieces.append((start, minute, minute_weight[start]))
            start = minute
    return tuple(pieces)


# ------------------------------------------------------------------------ normalising


def week_pieces(
    profile: ArrivalProfile, windows: Sequence[Window]
) -> tuple[tuple[float, float, float], ...]:
    """The open ``windows`` (minutes of the week, Monday 00:00 = 0) cut into pieces of
    constant weekday-and-hour weight, as ``(start, end, factor)`` with the factors'
    mean over the windows' minutes equal to 1. Empty when every open minute weighs 0."""
    cuts = sorted({s for s, _, _ in profile.hour} | {e for _, e, _ in profile.hour})
    raw: list[tuple[float, float, float]] = []
    for start, end in windows:
        edges = sorted(
            {float(start), float(end)}
            | {
                float(day * MINUTES_PER_DAY + cut)
                for day in range(int(start) // MINUTES_PER_DAY, int(end) // MINUTES_PER_DAY + 1)
                for cut in cuts
                if start < day * MINUTES_PER_DAY + cut < end
            }
        )
        raw += [(s, e, _weight_at(profile, s)) for s, e in itertools.pairwise(edges)]
    total = sum(e - s for s, e, _ in raw)
    weighted = sum((e - s) * w for s, e, w in raw)
    if weighted <= 0:
        return ()
    mean = weighted / total
    return tuple((s, e, w / mean) for s, e, w in raw)


def _weight_at(profile: ArrivalProfile, minute_of_week: float) -> float:
    day, minute = divmod(int(minute_of_week), MINUTES_PER_DAY)
    hour = next(w for s, e, w in profile.hour if s <= minute < e)
    return profile.weekday[day % 7] * hour


def month_factors(profile: ArrivalProfile) -> tuple[float, ...]:
    """The month weights divided by their mean over a 365-day year (by days per month)."""
    mean = sum(w * d for w, d in zip(profile.month, DAYS_IN_MONTH, strict=True)) / 365
    return tuple(w / mean for w in profile.month) if mean > 0 else (0.0,) * 12
