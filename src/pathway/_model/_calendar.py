"""Working-time calendars: when a service is open, and when it next opens.

A pathway declares calendars such as "assessments Tue and Thu 09:30-12:30 only" or
"Mon-Fri 09:00-17:00", with closure dates (bank holidays) and an IANA time zone.
:func:`parse_weekly` and :func:`parse_closures` read what users write in YAML and raise
:class:`CalendarSyntaxError` (a ``ValueError``, not a ``PathwayError``: the spec layer
turns it into a located problem). :class:`Calendar` is the compiled, frozen result.

Two APIs answer the same questions:

* the **datetime API** (:meth:`Calendar.is_open`, :meth:`Calendar.next_open`,
  :meth:`Calendar.window_end`) for the live engine. Aware datetimes are converted into the
  calendar's zone; naive ones are taken as local wall time in that zone. Results keep the
  awareness of the input (aware results are in the input's ``tzinfo``).
* the **float API** (:meth:`Calendar.next_open_minute`, :meth:`Calendar.is_open_minute`,
  :meth:`Calendar.add_working_minutes`) for the cohort simulator's hot path. Time ``t`` is
  minutes since 00:00 local wall time on an ``epoch`` date (usually a Monday; any date
  works). Simulation time is local wall time: every day is exactly 1440 minutes and DST
  shifts are **not** modelled, so a window always opens at the same wall-clock minute.

Weekly windows are ``[start, end)`` intervals in minutes of the week, Monday 00:00 = 0,
a week being 10080 minutes. A closure date closes the whole local day, 00:00-24:00,
including the part of an overnight window that falls on it. Nothing here reads the clock.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from math import ceil, inf, isfinite
from typing import TypeVar
from zoneinfo import ZoneInfo, available_timezones

import attrs

from pathway._vocab import MINUTES_PER_DAY, MINUTES_PER_WEEK
from pathway.errors import did_you_mean

__all__ = [
    "ALWAYS_OPEN",
    "MAX_CLOSED_DAYS",
    "MAX_CLOSURE_RANGE_DAYS",
    "MINUTES_PER_DAY",
    "MINUTES_PER_WEEK",
    "Calendar",
    "CalendarSyntaxError",
    "normalise_windows",
    "parse_closures",
    "parse_days",
    "parse_time_range",
    "parse_weekly",
]

#: Longest inclusive closure range accepted (guards against typos like 2017..2107).
MAX_CLOSURE_RANGE_DAYS = 3660
MAX_CLOSED_DAYS = 36_600
"""The most days one calendar's ``closures`` may close in all (about 100 years)."""

Window = tuple[int, int]
_Pattern = tuple[tuple[int, ...], tuple[float, ...]]
_T = TypeVar("_T")

_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SHORT_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_WORDS: dict[str, int] = {
    **{name: index for index, name in enumerate(_DAY_NAMES)},
    **{name[:3]: index for index, name in enumerate(_DAY_NAMES)},
    "tues": 1,
    "weds": 2,
    "thur": 3,
    "thurs": 3,
}
_ALL_DAYS = frozenset(range(7))
_GROUP_WORDS: dict[str, frozenset[int]] = {
    "weekdays": frozenset(range(5)),
    "weekends": frozenset({5, 6}),
    "daily": _ALL_DAYS,
    "every day": _ALL_DAYS,
}
_EXPECTED_DAY = "a day like 'mon' or 'tuesday', a range like 'mon-fri', or 'weekdays'"
_EXPECTED_RANGE = "a time range like '09:30-12:30'"
_EXPECTED_DATE = "a date like '2017-12-25' or a range like '2017-12-24..2018-01-01'"
_RANGE_RE = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})", re.ASCII)
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-"})


class CalendarSyntaxError(ValueError):
    """A calendar's weekly pattern, closures or time zone is not valid text.

    ``expected`` and ``found`` say what was wanted and what was written, ``field`` is the
    key (day key, closure index or ``timezone``) it came from, and ``suggestion`` a
    did-you-mean word or ``""``. The message is
    ``expected <expected>, found <found>[; did you mean '<suggestion>'?]``.
    """

    def __init__(self, expected: str, found: str, *, field: str = "", suggestion: str = "") -> None:
        self.expected = expected
        self.found = found
        self.field = field
        self.suggestion = suggestion
        hint = f"; did you mean {suggestion!r}?" if suggestion else ""
        super().__init__(f"expected {expected}, found {found}{hint}")


# ---------------------------------------------------------------------------- parsing


def parse_weekly(spec: Mapping[str, str | Sequence[str]]) -> tuple[Window, ...]:
    """Compile a declared weekly pattern into sorted, merged minute-of-week windows.

    Keys name days (``mon``/``monday``, ``mon-fri``, ``fri-mon``, ``tue, thu``,
    ``weekdays``, ``weekends``, ``daily``, ``every day``; case-insensitive). Values are a
    range ``'09:30-12:30'`` (one crossing midnight runs into the next day, Sunday into
    Monday), a list or comma-separated string of ranges, ``'all day'`` or ``'closed'``.
    When several keys name the same day, the key naming fewest days decides that day, so
    ``{'weekdays': '09:00-17:00', 'wed': 'closed'}`` closes Wednesday.

    Raises :class:`CalendarSyntaxError` for anything else, including a day given by two
    keys of the same size (``mon`` and ``monday``).
    """
    if not isinstance(spec, Mapping):
        raise CalendarSyntaxError("a mapping of days to opening hours", _show(spec))
    chosen: dict[int, tuple[int, str, list[Window]]] = {}
    for key, value in spec.items():
        field = _require_text(key, _EXPECTED_DAY, "")
        days = _parse_days(field)
        hours = _parse_hours(value, field)
        for day in sorted(days):
            _choose(chosen, day, (len(days), field, hours))
    week = [
        (day * MINUTES_PER_DAY + start, day * MINUTES_PER_DAY + end)
        for day, (_, _, hours) in chosen.items()
        for start, end in hours
    ]
    return normalise_windows(piece for window in week for piece in _split_at_week(window))


def parse_closures(items: Sequence[str | date]) -> frozenset[date]:
    """Compile closure dates: ISO dates ``'2017-12-25'``, ``date`` objects and inclusive
    ranges ``'2017-12-24..2018-01-01'`` (at most :data:`MAX_CLOSURE_RANGE_DAYS` days each,
    :data:`MAX_CLOSED_DAYS` in all).

    A single string or date is taken as a one-item list. Raises
    :class:`CalendarSyntaxError` for anything else (``field`` is the item's index).
    """
    if isinstance(items, str | date):
        items = [items]
    if not isinstance(items, Sequence):
        raise CalendarSyntaxError(f"a list of {_EXPECTED_DATE}", _show(items))
    closed: set[date] = set()
    for index, item in enumerate(items):
        closed.update(_parse_closure(item, str(index)))
        if len(closed) > MAX_CLOSED_DAYS:
            expected = f"closures of at most {MAX_CLOSED_DAYS:,} days in all"
            raise CalendarSyntaxError(expected, f"more, up to {_show(item)}", field=str(index))
    return frozenset(closed)


def parse_days(key: str) -> frozenset[int]:
    """The days (0 = Monday) a day key names: ``'mon'``, ``'mon-fri'``, ``'tue, thu'``,
    ``'weekdays'``... as in :func:`parse_weekly`. Raises :class:`CalendarSyntaxError`."""
    return _parse_days(_require_text(key, _EXPECTED_DAY, ""))


def parse_time_range(piece: str, field: str) -> Window:
    """A ``'09:30-12:30'`` range (or ``'all day'``) as minutes of the day; an end past
    1440 runs into the next day. Raises :class:`CalendarSyntaxError` naming ``field``."""
    return _parse_range(piece, field)


def _show(value: object) -> str:
    """How a found value is quoted in a message (long text is cut short)."""
    if value is None:
        return "an empty value"
    if isinstance(value, str):
        return repr(value[:57] + "...") if len(value) > 60 else repr(value)
    text = repr(value)
    return f"{type(value).__name__} {text[:57] + '...' if len(text) > 60 else text}"


def _require_text(value: object, expected: str, field: str) -> str:
    if not isinstance(value, str):
        raise CalendarSyntaxError(expected, _show(value), field=field)
    return value


def _words(text: str) -> str:
    return " ".join(text.translate(_DASHES).casefold().split())


def _parse_days(key: str) -> frozenset[int]:
    days: set[int] = set()
    for item in key.split(","):
        days |= _parse_day_item(item, key)
    return frozenset(days)


def _parse_day_item(item: str, key: str) -> frozenset[int]:
    word = _words(item)
    if word in _GROUP_WORDS:
        return _GROUP_WORDS[word]
    if "-" not in word:
        return frozenset({_day_index(word, key, _DAY_WORDS.keys() | _GROUP_WORDS.keys())})
    first, _, last = (part.strip() for part in word.partition("-"))
    start = _day_index(first, key, _DAY_WORDS)
    stop = _day_index(last, key, _DAY_WORDS)
    return frozenset((start + step) % 7 for step in range((stop - start) % 7 + 1))


def _day_index(word: str, key: str, choices: Iterable[str]) -> int:
    if word in _DAY_WORDS:
        return _DAY_WORDS[word]
    found = repr(word) if _words(key) == word else f"{word!r} in {key.strip()!r}"
    suggestion = did_you_mean(word, choices) if word and word not in _GROUP_WORDS else None
    raise CalendarSyntaxError(_EXPECTED_DAY, found, field=key, suggestion=suggestion or "")


def _choose(
    chosen: dict[int, tuple[int, str, list[Window]]],
    day: int,
    entry: tuple[int, str, list[Window]],
) -> None:
    """Give ``day`` the hours of the key naming fewest days; equal sizes clash."""
    previous = chosen.get(day)
    if previous is None or entry[0] < previous[0]:
        chosen[day] = entry
    elif entry[0] == previous[0]:
        raise CalendarSyntaxError(
            "each day in at most one entry of the same size",
            f"{_DAY_NAMES[day]!r} in both {previous[1]!r} and {entry[1]!r}",
            field=entry[1],
        )


def _parse_hours(value: object, field: str) -> list[Window]:
    """Minute-of-day ranges for one key's value; an end past 1440 runs into the next day."""
    pieces = _hour_pieces(value, field)
    if any(_words(piece) == "closed" for piece in pieces):
        if len(pieces) > 1:
            raise CalendarSyntaxError("'closed' on its own", _for(_show(value), field), field=field)
        return []
    return [_parse_range(piece, field) for piece in pieces]


def _hour_pieces(value: object, field: str) -> list[str]:
    expected = f"{_EXPECTED_RANGE}, a list of them, 'all day' or 'closed'"
    if isinstance(value, str):
        items = [value]
    elif isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        items = [_require_text(item, expected, field) for item in value]
    else:
        raise CalendarSyntaxError(expected, _for(_show(value), field), field=field)
    if not items:
        raise CalendarSyntaxError(expected, _for("an empty list", field), field=field)
    return [piece.strip() for item in items for piece in item.split(",")]


def _for(found: str, field: str) -> str:
    return f"{found} for {field.strip()!r}"


def _parse_range(piece: str, field: str) -> Window:
    word = _words(piece)
    if word == "all day":
        return (0, MINUTES_PER_DAY)
    match = _RANGE_RE.fullmatch(piece.translate(_DASHES))
    if match is None:
        suggestion = did_you_mean(word, ("closed", "all day")) if word else None
        found = _for(_show(piece), field)
        raise CalendarSyntaxError(_EXPECTED_RANGE, found, field=field, suggestion=suggestion or "")
    start, end = _minute(match[1], match[2]), _minute(match[3], match[4])
    _check_range(start, end, piece, field)
    return (start, end if end > start else end + MINUTES_PER_DAY)


def _minute(hours: str, minutes: str) -> int:
    """Minute of the day; out-of-range minutes give a value past 24:00 (rejected later)."""
    return int(hours) * 60 + int(minutes) if int(minutes) < 60 else MINUTES_PER_DAY + 1


def _check_range(start: int, end: int, piece: str, field: str) -> None:
    found = _for(_show(piece), field)
    if start > MINUTES_PER_DAY or end > MINUTES_PER_DAY:
        raise CalendarSyntaxError("times from 00:00 to 24:00 (minutes 00-59)", found, field=field)
    if start == MINUTES_PER_DAY:
        raise CalendarSyntaxError("a start time before 24:00", found, field=field)
    if start == end:
        expected = "a range with different start and end times (24 hours is 'all day')"
        raise CalendarSyntaxError(expected, found, field=field, suggestion="all day")


def _parse_closure(item: object, field: str) -> list[date]:
    if isinstance(item, date) and not isinstance(item, datetime):
        return [item]
    text = _require_text(item, _EXPECTED_DATE, field).strip()
    if ".." not in text:
        return [_parse_date(text, text, field)]
    first, _, last = (part.strip() for part in text.partition(".."))
    start, stop = _parse_date(first, text, field), _parse_date(last, text, field)
    days = (stop - start).days + 1
    if days < 1:
        raise CalendarSyntaxError(
            "a range whose end is not before its start", repr(text), field=field
        )
    if days > MAX_CLOSURE_RANGE_DAYS:
        expected = f"a range of at most {MAX_CLOSURE_RANGE_DAYS} days"
        raise CalendarSyntaxError(expected, f"{days} days in {text!r}", field=field)
    return [start + timedelta(days=offset) for offset in range(days)]


def _parse_date(text: str, whole: str, field: str) -> date:
    found = _show(text) if text == whole else f"{text!r} in {whole!r}"
    if _DATE_RE.fullmatch(text) is None:
        raise CalendarSyntaxError(_EXPECTED_DATE, found, field=field)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CalendarSyntaxError("a real calendar date", found, field=field) from None


# ---------------------------------------------------------------------- week arithmetic


def normalise_windows(windows: Iterable[Window]) -> tuple[Window, ...]:
    """Sort and merge minute-of-week windows (overlapping or touching ones join).

    Each window must be a pair of ints with ``0 <= start < end <= 10080``; raises
    ``ValueError`` otherwise. Used as :attr:`Calendar.windows`' converter.
    """
    checked = sorted(_check_window(window) for window in windows)
    merged: list[Window] = []
    for start, end in checked:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def _check_window(window: Window) -> Window:
    start, end = window
    ints = all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end))
    if not (ints and 0 <= start < end <= MINUTES_PER_WEEK):
        raise ValueError(
            f"expected a window (start, end) with 0 <= start < end <= 10080, found {window!r}"
        )
    return (start, end)


def _split_at_week(window: Window) -> list[Window]:
    start, end = window
    if end <= MINUTES_PER_WEEK:
        return [window]
    return [(start, MINUTES_PER_WEEK), (0, end - MINUTES_PER_WEEK)]


def _rotate(windows: tuple[Window, ...], shift: int) -> tuple[Window, ...]:
    """The windows seen from a week starting ``shift`` minutes after Monday 00:00."""
    moved: list[Window] = []
    for start, end in windows:
        offset = MINUTES_PER_WEEK if start < shift else 0
        moved.extend(_split_at_week((start - shift + offset, end - shift + offset)))
    return normalise_windows(moved)


def _pattern(windows: tuple[Window, ...]) -> _Pattern:
    """Window starts for bisect, and where the open stretch from each one ends.

    A window ending at the week's end continues into one starting at 0 the next week;
    a window covering the whole week never ends (``inf``).
    """
    starts = tuple(start for start, _ in windows)
    ends = [float(end) for _, end in windows]
    if windows == ((0, MINUTES_PER_WEEK),):
        ends = [inf]
    elif len(windows) > 1 and starts[0] == 0 and ends[-1] == MINUTES_PER_WEEK:
        ends[-1] = MINUTES_PER_WEEK + ends[0]
    return starts, tuple(ends)


def _next_start(pattern: _Pattern, t: float) -> float:
    """``t`` if the weekly pattern is open at ``t``, else when it next opens."""
    starts, ends = pattern
    within = t % MINUTES_PER_WEEK
    index = bisect_right(starts, within) - 1
    if index >= 0 and within < ends[index]:
        return t
    week = t - within
    if index + 1 < len(starts):
        return week + starts[index + 1]
    return week + MINUTES_PER_WEEK + starts[0]


def _stretch_end(pattern: _Pattern, t: float) -> float:
    """When the weekly pattern, open at ``t``, next closes (``inf`` if never)."""
    starts, ends = pattern
    within = t % MINUTES_PER_WEEK
    return (t - within) + ends[bisect_right(starts, within) - 1]


def _load_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, OSError, KeyError, TypeError):
        suggestion = did_you_mean(name, available_timezones()) if isinstance(name, str) else None
        expected = "an IANA time zone name like 'Europe/London'"
        raise CalendarSyntaxError(
            expected, _show(name), field="timezone", suggestion=suggestion or ""
        ) from None


def _to_closures(items: Iterable[date]) -> frozenset[date]:
    closures = frozenset(items)
    for item in closures:
        if not isinstance(item, date) or isinstance(item, datetime):
            raise TypeError(f"closures must be dates, found {item!r}")
    return closures


def _split_local(local: datetime) -> tuple[date, float]:
    """A local wall time as (its date, minutes since that date's 00:00)."""
    seconds = local.second + local.microsecond / 1_000_000
    return local.date(), local.hour * 60 + local.minute + seconds / 60


def _wall(epoch: date, minutes: float) -> datetime:
    return datetime.combine(epoch, time()) + timedelta(minutes=minutes)


# --------------------------------------------------------------------------- calendar


@attrs.frozen(slots=True)
class Calendar:
    """A compiled working-time calendar: weekly windows, closure dates and a time zone.

    ``windows`` are minute-of-week ``[start, end)`` intervals (Monday 00:00 = 0); they are
    sorted and merged on construction, and invalid ones raise ``ValueError``. ``closures``
    close whole local days. An unknown ``timezone`` raises :class:`CalendarSyntaxError`.
    Methods that look for open time raise ``ValueError`` when there is none.
    """

    id: str
    windows: tuple[Window, ...] = attrs.field(converter=normalise_windows)
    closures: frozenset[date] = attrs.field(default=frozenset(), converter=_to_closures)
    timezone: str = "UTC"
    _zone: ZoneInfo = attrs.field(init=False, repr=False, eq=False)
    _patterns: tuple[_Pattern, ...] = attrs.field(init=False, repr=False, eq=False)
    _closed: frozenset[int] = attrs.field(init=False, repr=False, eq=False)
    _closed_sorted: tuple[int, ...] = attrs.field(init=False, repr=False, eq=False)
    _weekly_minutes: int = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        patterns = tuple(_pattern(_rotate(self.windows, day * MINUTES_PER_DAY)) for day in range(7))
        ordinals = sorted(day.toordinal() for day in self.closures)
        object.__setattr__(self, "_zone", _load_zone(self.timezone))
        object.__setattr__(self, "_patterns", patterns)
        object.__setattr__(self, "_closed", frozenset(ordinals))
        object.__setattr__(self, "_closed_sorted", tuple(ordinals))
        object.__setattr__(self, "_weekly_minutes", sum(e - s for s, e in self.windows))

    @property
    def always_open(self) -> bool:
        """True when open every minute of every week with no closure dates."""
        return self.windows == ((0, MINUTES_PER_WEEK),) and not self.closures

    def has_open_time(self) -> bool:
        """True when any weekly window exists (finite closures never close all days)."""
        return bool(self.windows)

    # ---------------------------------------------------------------- datetime API

    def is_open(self, at: datetime) -> bool:
        """Whether the calendar is open at ``at`` (aware: converted; naive: local)."""
        epoch, t = _split_local(self._to_local(at))
        return self.is_open_minute(t, epoch)

    def next_open(self, at: datetime) -> datetime:
        """``at`` itself if open, else the start of the next open window.

        The result is naive for naive ``at`` and aware (in ``at``'s tzinfo) otherwise.
        Raises ``ValueError`` if the calendar has no open time.
        """
        epoch, t = _split_local(self._to_local(at))
        opened = self.next_open_minute(t, epoch)
        return at if opened == t else self._from_local(_wall(epoch, opened), at)

    def window_end(self, at: datetime) -> datetime:
        """The end of the open window containing ``at`` (windows run on across midnight
        and the week's end, and stop at a closure day), with ``at``'s awareness.

        Raises ``ValueError`` if the calendar is closed at ``at``, or if the window never
        ends (open all week with no closure ahead).
        """
        epoch, t = _split_local(self._to_local(at))
        if not self.is_open_minute(t, epoch):
            raise ValueError(f"calendar {self.id!r} is closed at {at.isoformat()}")
        until = self._open_span(t, epoch)[1]
        if until == inf:
            raise ValueError(f"calendar {self.id!r} is open from {at.isoformat()} without end")
        return self._from_local(_wall(epoch, until), at)

    def _to_local(self, at: datetime) -> datetime:
        if at.utcoffset() is None:
            return at.replace(tzinfo=None)
        return at.astimezone(self._zone).replace(tzinfo=None)

    def _from_local(self, wall: datetime, at: datetime) -> datetime:
        """``wall`` in ``at``'s awareness; an ambiguous wall time takes the fold not
        before ``at`` (so results never go back in time across a DST fall-back)."""
        if at.utcoffset() is None:
            return wall
        instant = at.astimezone(UTC)
        candidate = wall.replace(tzinfo=self._zone)
        if candidate.astimezone(UTC) < instant:
            candidate = candidate.replace(fold=1)
        return candidate.astimezone(at.tzinfo)

    # ------------------------------------------------------------------- float API

    def is_open_minute(self, t: float, epoch: date) -> bool:
        """Whether open at ``t`` minutes after ``epoch`` 00:00 (local wall time)."""
        pattern = self._patterns[epoch.weekday()]
        if not pattern[0] or _next_start(pattern, t) != t:
            return False
        return epoch.toordinal() + int(t // MINUTES_PER_DAY) not in self._closed

    def next_open_minute(self, t: float, epoch: date) -> float:
        """``t`` if open, else the next minute a window opens (minutes since ``epoch``).

        The simulator's hot path: one bisect, plus a one-day jump per closed date met.
        Raises ``ValueError`` if the calendar has no open time or ``t`` is not finite.
        """
        pattern = self._patterns[epoch.weekday()]
        if not pattern[0] or not isfinite(t):
            raise self._cannot_open(t)
        opened = _next_start(pattern, t)
        closed = self._closed
        if not closed or epoch.toordinal() + int(opened // MINUTES_PER_DAY) not in closed:
            return opened
        return self._skip_closed(pattern, opened, epoch.toordinal())

    def add_working_minutes(self, t: float, minutes: float, epoch: date) -> float:
        """When work of ``minutes`` started (or queued) at ``t`` finishes, if it only
        progresses while open; it may span many windows. Zero minutes finish at ``t``;
        work that ends exactly at a window's end finishes there.

        Raises ``ValueError`` for negative or non-finite ``minutes`` and, for positive
        ``minutes``, when the calendar has no open time.
        """
        if not (isfinite(minutes) and minutes >= 0):
            raise ValueError(f"expected a finite, non-negative duration, found {minutes!r}")
        if minutes == 0:
            return t
        remaining = float(minutes)
        while True:
            t, remaining = self._skip_weeks(t, remaining, epoch)
            opened, until = self._open_span(t, epoch)
            if remaining <= until - opened:
                return opened + remaining
            remaining -= until - opened
            t = until

    def open_minutes(self, start: float, end: float, epoch: date) -> float:
        """Open minutes between ``start`` and ``end`` (minutes since ``epoch`` 00:00,
        local wall time): what a worker on this calendar can give in that time."""
        if end <= start or not self.windows:
            return 0.0
        total, t = 0.0, start
        while t < end:
            t, whole = self._whole_weeks(t, end, epoch)
            total += whole
            opened, until = self._open_span(t, epoch)
            if opened >= end:
                break
            total += min(until, end) - opened
            t = until
        return total

    def _cannot_open(self, t: float) -> ValueError:
        if not self.windows:
            return ValueError(f"calendar {self.id!r} has no open time")
        return ValueError(f"expected a finite simulation time, found {t!r}")

    def _skip_closed(self, pattern: _Pattern, opened: float, base: int) -> float:
        """Jump a day at a time over closed dates (at most one jump per closure)."""
        day = int(opened // MINUTES_PER_DAY)
        while base + day in self._closed:
            opened = _next_start(pattern, float((day + 1) * MINUTES_PER_DAY))
            day = int(opened // MINUTES_PER_DAY)
        return opened

    def _open_span(self, t: float, epoch: date) -> tuple[float, float]:
        """When the calendar next opens at or after ``t``, and when that opening ends."""
        opened = self.next_open_minute(t, epoch)
        until = _stretch_end(self._patterns[epoch.weekday()], opened)
        if not self._closed:
            return opened, until
        base = epoch.toordinal()
        index = bisect_right(self._closed_sorted, base + int(opened // MINUTES_PER_DAY))
        if index < len(self._closed_sorted):
            until = min(until, float((self._closed_sorted[index] - base) * MINUTES_PER_DAY))
        return opened, until

    def _whole_weeks(self, t: float, end: float, epoch: date) -> tuple[float, float]:
        """Skip the whole closure-free weeks from ``t`` before ``end`` at once (each holds
        exactly the weekly open minutes): the time after them and their open minutes."""
        weeks = int((end - t) // MINUTES_PER_WEEK)
        if weeks <= 0:
            return t, 0.0
        base = epoch.toordinal()
        index = bisect_left(self._closed_sorted, base + int(t // MINUTES_PER_DAY))
        if index < len(self._closed_sorted):
            cut = (self._closed_sorted[index] - base) * MINUTES_PER_DAY
            weeks = min(weeks, max(0, int((cut - t) // MINUTES_PER_WEEK)))
        return t + weeks * MINUTES_PER_WEEK, float(weeks * self._weekly_minutes)

    def _skip_weeks(self, t: float, remaining: float, epoch: date) -> tuple[float, float]:
        """Skip whole weeks of work at once: any closure-free week holds exactly the
        weekly open minutes. Leaves ``remaining`` in ``(0, weekly]`` or short of a closure."""
        weekly = self._weekly_minutes
        if weekly == 0 or remaining <= weekly:
            return t, remaining
        weeks = ceil(remaining / weekly) - 1
        base = epoch.toordinal()
        index = bisect_left(self._closed_sorted, base + int(t // MINUTES_PER_DAY))
        if index < len(self._closed_sorted):
            cut = (self._closed_sorted[index] - base) * MINUTES_PER_DAY
            weeks = min(weeks, max(0, int((cut - t) // MINUTES_PER_WEEK)))
        return t + weeks * MINUTES_PER_WEEK, remaining - weeks * weekly

    # -------------------------------------------------------------------- describe

    def describe(self) -> str:
        """Human text, e.g. ``"Tue, Thu 09:30-12:30; closed 2017-12-25"``.

        The weekly part reads back with :func:`parse_weekly` (groups split on ``"; "``);
        a zone other than UTC is named at the end.
        """
        if self.always_open:
            return "always open"
        parts = [_describe_windows(self.windows)]
        if self.closures:
            parts.append("closed " + _describe_dates(sorted(self.closures)))
        if self.timezone != "UTC":
            parts.append(f"times in {self.timezone}")
        return "; ".join(parts)


ALWAYS_OPEN = Calendar("always", ((0, MINUTES_PER_WEEK),))


# -------------------------------------------------------------------------- describe


def _describe_windows(windows: tuple[Window, ...]) -> str:
    groups: dict[tuple[Window, ...], list[int]] = {}
    for day, ranges in enumerate(_day_ranges(windows)):
        if ranges:
            groups.setdefault(tuple(sorted(ranges)), []).append(day)
    if not groups:
        return "never open"
    return "; ".join(
        f"{_describe_days(days)} {', '.join(_describe_range(*r) for r in ranges)}"
        for ranges, days in groups.items()
    )


def _day_ranges(windows: tuple[Window, ...]) -> list[list[Window]]:
    """Each day's ranges (minute of day, end possibly past 24:00 for overnight ones)."""
    unwrapped = list(windows)
    if len(windows) > 1 and windows[0][0] == 0 and windows[-1][1] == MINUTES_PER_WEEK:
        unwrapped = [*windows[1:-1], (windows[-1][0], MINUTES_PER_WEEK + windows[0][1])]
    days: list[list[Window]] = [[] for _ in range(7)]
    for start, end in unwrapped:
        while start < end:
            day, offset = divmod(start, MINUTES_PER_DAY)
            fits = end - start < MINUTES_PER_DAY or (offset == 0 and end - start == MINUTES_PER_DAY)
            stop = end if fits else start - offset + MINUTES_PER_DAY
            days[day % 7].append((offset, offset + stop - start))
            start = stop
    return days


def _describe_range(start: int, end: int) -> str:
    if (start, end) == (0, MINUTES_PER_DAY):
        return "all day"
    if end > MINUTES_PER_DAY:
        end -= MINUTES_PER_DAY
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


def _describe_days(days: list[int]) -> str:
    if len(days) == 7:
        return "daily"
    runs = _runs(days, lambda before, after: after == before + 1)
    shown = [[_SHORT_NAMES[day] for day in run] for run in runs]
    return ", ".join(f"{run[0]}-{run[-1]}" if len(run) >= 3 else ", ".join(run) for run in shown)


def _runs(items: Iterable[_T], follows: Callable[[_T, _T], bool]) -> list[list[_T]]:
    """Split sorted ``items`` into runs where each item ``follows`` the one before."""
    runs: list[list[_T]] = []
    for item in items:
        if runs and follows(runs[-1][-1], item):
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


def _describe_dates(dates: list[date]) -> str:
    runs = _runs(dates, lambda before, after: after - before == timedelta(days=1))
    return ", ".join(
        run[0].isoformat() if len(run) == 1 else f"{run[0].isoformat()}..{run[-1].isoformat()}"
        for run in runs
    )
