"""Working-time calendars: parsing, the datetime and float APIs, and their properties."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathway._model._calendar import (
    ALWAYS_OPEN,
    MINUTES_PER_DAY,
    MINUTES_PER_WEEK,
    Calendar,
    CalendarSyntaxError,
    parse_closures,
    parse_weekly,
)
from pathway.errors import PathwayError

DAY = MINUTES_PER_DAY
WEEK = MINUTES_PER_WEEK
MONDAY = date(2017, 10, 2)  # 2017-10-02 was a Monday
LONDON = ZoneInfo("Europe/London")
TUE_THU = {"tue, thu": "09:30-12:30"}
_T = TypeVar("_T")


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """Naive local datetime ``day`` days after Monday 2017-10-02."""
    return datetime.combine(MONDAY + timedelta(days=day), time(hour, minute, second))


def clinic(**kwargs: object) -> Calendar:
    return Calendar("clinic", parse_weekly(TUE_THU), **kwargs)  # type: ignore[arg-type]


# ------------------------------------------------------------------- parse_weekly


@pytest.mark.parametrize(
    ("key", "days"),
    [
        ("mon", [0]),
        ("Tuesday", [1]),
        ("SUN", [6]),
        ("thurs", [3]),
        ("mon-fri", [0, 1, 2, 3, 4]),
        ("Monday - Wednesday", [0, 1, 2]),
        ("fri-mon", [0, 4, 5, 6]),
        ("tue, thu", [1, 3]),
        ("mon-tue, sat", [0, 1, 5]),
        ("weekdays", [0, 1, 2, 3, 4]),
        ("weekends", [5, 6]),
        ("daily", list(range(7))),
        ("Every  Day", list(range(7))),
        ("weekends, wed", [2, 5, 6]),
    ],
)
def test_day_keys(key: str, days: list[int]) -> None:
    expected = tuple((d * DAY + 540, d * DAY + 600) for d in days)
    assert parse_weekly({key: "09:00-10:00"}) == expected


@pytest.mark.parametrize(
    ("value", "windows"),
    [
        ("09:30-12:30", ((570, 750),)),
        ("9:30 - 12:30", ((570, 750),)),
        (["09:00-12:30", "13:30-17:00"], ((540, 750), (810, 1020))),
        ("09:00-12:30, 13:30-17:00", ((540, 750), (810, 1020))),
        ("closed", ()),
        (["Closed"], ()),
        ("all day", ((0, DAY),)),
        ("00:00-24:00", ((0, DAY),)),
        ("17:00-24:00", ((1020, DAY),)),
        ("22:00-06:00", ((1320, 1800),)),
        (["09:00-12:00", "11:00-13:00"], ((540, 780),)),
        (["09:00-12:00", "12:00-13:00"], ((540, 780),)),
        (["13:00-14:00", "09:00-10:00"], ((540, 600), (780, 840))),
    ],
)
def test_hour_values_on_monday(value: str | list[str], windows: tuple[tuple[int, int]]) -> None:
    assert parse_weekly({"mon": value}) == windows


def test_sunday_overnight_wraps_to_monday() -> None:
    assert parse_weekly({"sun": "22:00-06:00"}) == ((0, 360), (6 * DAY + 1320, WEEK))


def test_overnight_window_merges_with_next_days_window() -> None:
    windows = parse_weekly({"mon": "22:00-02:00", "tue": "02:00-04:00"})
    assert windows == ((1320, DAY + 240),)


def test_whole_week_all_day_is_one_window() -> None:
    assert parse_weekly({"daily": "all day"}) == ((0, WEEK),)
    assert parse_weekly({"fri-mon": "all day", "tue-thu": "00:00-24:00"}) == ((0, WEEK),)


def test_more_specific_key_overrides_a_broader_one() -> None:
    windows = parse_weekly({"wed": "closed", "weekdays": "09:00-17:00", "tue, thu": "10:00-11:00"})
    assert windows == (
        (540, 1020),
        (DAY + 600, DAY + 660),
        (3 * DAY + 600, 3 * DAY + 660),
        (4 * DAY + 540, 4 * DAY + 1020),
    )


def test_empty_pattern_is_never_open() -> None:
    assert parse_weekly({}) == ()
    assert parse_weekly({"daily": "closed"}) == ()


DAY_EXPECTED = "expected a day like 'mon' or 'tuesday', a range like 'mon-fri', or 'weekdays'"
HOURS_EXPECTED = "expected a time range like '09:30-12:30', a list of them, 'all day' or 'closed'"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"mon": "9.30-12"},
            "expected a time range like '09:30-12:30', found '9.30-12' for 'mon'",
        ),
        (
            {"mon": ["09:00-10:00", "noon"]},
            "expected a time range like '09:30-12:30', found 'noon' for 'mon'",
        ),
        (
            {"mon": "clsoed"},
            "expected a time range like '09:30-12:30', found 'clsoed' for 'mon';"
            " did you mean 'closed'?",
        ),
        (
            {"tuseday": "09:00-10:00"},
            f"{DAY_EXPECTED}, found 'tuseday'; did you mean 'tuesday'?",
        ),
        (
            {"mon-fir": "09:00-10:00"},
            f"{DAY_EXPECTED}, found 'fir' in 'mon-fir'; did you mean 'fri'?",
        ),
        ({"weekdays-sun": "09:00-10:00"}, f"{DAY_EXPECTED}, found 'weekdays' in 'weekdays-sun'"),
        ({"tue,,thu": "09:00-10:00"}, f"{DAY_EXPECTED}, found '' in 'tue,,thu'"),
        ({"": "09:00-10:00"}, f"{DAY_EXPECTED}, found ''"),
        ({3: "09:00-10:00"}, f"{DAY_EXPECTED}, found int 3"),
        (
            {"mon": "25:00-26:00"},
            "expected times from 00:00 to 24:00 (minutes 00-59), found '25:00-26:00' for 'mon'",
        ),
        (
            {"mon": "09:60-10:00"},
            "expected times from 00:00 to 24:00 (minutes 00-59), found '09:60-10:00' for 'mon'",
        ),
        (
            {"mon": "24:00-02:00"},
            "expected a start time before 24:00, found '24:00-02:00' for 'mon'",
        ),
        (
            {"mon": "09:00-09:00"},
            "expected a range with different start and end times (24 hours is 'all day'),"
            " found '09:00-09:00' for 'mon'; did you mean 'all day'?",
        ),
        (
            {"mon": ["closed", "09:00-10:00"]},
            "expected 'closed' on its own, found list ['closed', '09:00-10:00'] for 'mon'",
        ),
        ({"mon": []}, f"{HOURS_EXPECTED}, found an empty list for 'mon'"),
        ({"mon": None}, f"{HOURS_EXPECTED}, found an empty value for 'mon'"),
        ({"mon": 750}, f"{HOURS_EXPECTED}, found int 750 for 'mon'"),
        ({"mon": ["09:00-10:00", 5]}, f"{HOURS_EXPECTED}, found int 5"),
        ({"mon": ""}, "expected a time range like '09:30-12:30', found '' for 'mon'"),
        (
            {"mon": "09:00-10:00", "Monday": "11:00-12:00"},
            "expected each day in at most one entry of the same size,"
            " found 'monday' in both 'mon' and 'Monday'",
        ),
        (
            {"mon-wed": "09:00-10:00", "wed-fri": "11:00-12:00"},
            "expected each day in at most one entry of the same size,"
            " found 'wednesday' in both 'mon-wed' and 'wed-fri'",
        ),
        (["mon"], "expected a mapping of days to opening hours, found list ['mon']"),
    ],
)
def test_weekly_errors(spec: object, message: str) -> None:
    with pytest.raises(CalendarSyntaxError) as caught:
        parse_weekly(spec)  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_syntax_error_is_a_value_error_with_parts_but_not_a_pathway_error() -> None:
    with pytest.raises(ValueError, match="did you mean") as caught:
        parse_weekly({"mon-fir": "09:00-10:00"})
    error = caught.value
    assert isinstance(error, CalendarSyntaxError)
    assert not isinstance(error, PathwayError)
    assert (error.field, error.suggestion) == ("mon-fir", "fri")
    assert error.found == "'fir' in 'mon-fir'"


def test_long_found_text_is_cut_short() -> None:
    with pytest.raises(CalendarSyntaxError) as caught:
        parse_weekly({"mon": "x" * 1000})
    assert len(str(caught.value)) < 200


# ----------------------------------------------------------------- parse_closures


def test_closures_dates_ranges_and_date_objects() -> None:
    closed = parse_closures(
        ["2017-12-25", "2017-12-31..2018-01-02", date(2018, 4, 2), "2017-12-25"]
    )
    assert closed == {
        date(2017, 12, 25),
        date(2017, 12, 31),
        date(2018, 1, 1),
        date(2018, 1, 2),
        date(2018, 4, 2),
    }


def test_closures_single_item_and_one_day_range() -> None:
    assert parse_closures("2017-12-25") == {date(2017, 12, 25)}
    assert parse_closures(["2017-12-25..2017-12-25"]) == {date(2017, 12, 25)}
    assert parse_closures([]) == frozenset()


DATE_EXPECTED = "expected a date like '2017-12-25' or a range like '2017-12-24..2018-01-01'"


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (["25/12/2017"], f"{DATE_EXPECTED}, found '25/12/2017'"),
        (["2017-12-25", "20171226"], f"{DATE_EXPECTED}, found '20171226'"),
        (["2017-02-30"], "expected a real calendar date, found '2017-02-30'"),
        (["2017-12-24..xmas"], f"{DATE_EXPECTED}, found 'xmas' in '2017-12-24..xmas'"),
        (
            ["2018-01-01..2017-12-24"],
            "expected a range whose end is not before its start, found '2018-01-01..2017-12-24'",
        ),
        (
            ["2000-01-01..2100-01-01"],
            "expected a range of at most 3660 days, found 36526 days in '2000-01-01..2100-01-01'",
        ),
        ([datetime(2017, 12, 25)], f"{DATE_EXPECTED}, found datetime datetime.datetime("),
        ([20171225], f"{DATE_EXPECTED}, found int 20171225"),
    ],
)
def test_closure_errors(items: list[object], message: str) -> None:
    with pytest.raises(CalendarSyntaxError) as caught:
        parse_closures(items)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)
    assert caught.value.field == str(len(items) - 1)


# -------------------------------------------------------------------- construction


def test_windows_are_normalised_and_checked() -> None:
    assert Calendar("c", [(600, 700), (0, 60), (650, 800)]).windows == ((0, 60), (600, 800))
    for bad in [(5, 5), (-1, 10), (0, WEEK + 1), (1.5, 10), (True, 10)]:
        with pytest.raises(ValueError, match="0 <= start < end <= 10080"):
            Calendar("c", [bad])  # type: ignore[list-item]


def test_closures_must_be_plain_dates() -> None:
    with pytest.raises(TypeError, match="closures must be dates"):
        Calendar("c", (), frozenset({datetime(2017, 1, 1)}))
    with pytest.raises(TypeError, match="closures must be dates"):
        Calendar("c", (), ["2017-01-01"])  # type: ignore[list-item]


def test_unknown_timezone_suggests_the_closest() -> None:
    with pytest.raises(CalendarSyntaxError) as caught:
        Calendar("c", (), timezone="Europe/Londn")
    assert str(caught.value) == (
        "expected an IANA time zone name like 'Europe/London', found 'Europe/Londn';"
        " did you mean 'Europe/London'?"
    )
    assert caught.value.field == "timezone"


def test_calendars_are_frozen_values() -> None:
    assert clinic() == clinic()
    assert hash(clinic()) == hash(clinic())
    assert clinic() != clinic(closures=frozenset({MONDAY}))
    with pytest.raises(AttributeError):
        clinic().id = "other"  # type: ignore[misc]


def test_always_open_and_has_open_time() -> None:
    assert ALWAYS_OPEN.always_open
    assert ALWAYS_OPEN.has_open_time()
    assert not Calendar("c", ((0, WEEK),), frozenset({MONDAY})).always_open
    assert not clinic().always_open
    assert clinic().has_open_time()
    assert not Calendar("never", ()).has_open_time()


# -------------------------------------------------------------------- datetime API


def test_is_open_at_window_edges() -> None:
    cal = clinic()
    assert cal.is_open(at(1, 9, 30))
    assert cal.is_open(at(1, 12, 29, 59))
    assert not cal.is_open(at(1, 9, 29, 59))
    assert not cal.is_open(at(1, 12, 30))
    assert not cal.is_open(at(2, 10))
    assert not Calendar("never", ()).is_open(at(1, 10))


def test_next_open_wednesday_goes_to_thursday() -> None:
    assert clinic().next_open(at(2, 10)) == at(3, 9, 30)


def test_next_open_when_open_is_the_same_moment() -> None:
    moment = at(1, 10, 15, 7).replace(microsecond=123)
    assert clinic().next_open(moment) is moment


def test_next_open_wraps_into_next_week() -> None:
    assert clinic().next_open(at(3, 13)) == at(8, 9, 30)
    assert clinic().next_open(at(6, 23, 59)) == at(8, 9, 30)


def test_next_open_with_seconds_before_a_window() -> None:
    assert clinic().next_open(at(1, 9, 29, 59)) == at(1, 9, 30)


def test_window_end() -> None:
    cal = clinic()
    assert cal.window_end(at(1, 10)) == at(1, 12, 30)
    assert cal.window_end(at(1, 9, 30)) == at(1, 12, 30)
    with pytest.raises(ValueError, match="closed at 2017-10-03T12:30:00"):
        cal.window_end(at(1, 12, 30))


def test_window_end_runs_over_midnight_and_the_week_end() -> None:
    cal = Calendar("night", parse_weekly({"sun": "22:00-06:00"}))
    assert cal.window_end(at(6, 23)) == at(7, 6)
    assert cal.window_end(at(7, 1)) == at(7, 6)


def test_window_end_runs_on_for_most_of_a_week() -> None:
    cal = Calendar("c", ((0, 6 * DAY + 720), (6 * DAY + 780, WEEK)))  # shut Sun 12:00-13:00
    assert cal.window_end(at(6, 14)) == at(13, 12)
    assert cal.window_end(at(2, 0)) == at(6, 12)


def test_window_end_of_always_open() -> None:
    with pytest.raises(ValueError, match="without end"):
        ALWAYS_OPEN.window_end(at(0, 0))
    cal = Calendar("c", ((0, WEEK),), frozenset({MONDAY + timedelta(days=3)}))
    assert cal.window_end(at(1, 5)) == at(3, 0)


def test_closed_tuesday_skips_to_thursday() -> None:
    cal = clinic(closures=parse_closures(["2017-10-03"]))
    assert not cal.is_open(at(1, 10))
    assert cal.next_open(at(0, 12)) == at(3, 9, 30)
    assert cal.next_open(at(1, 10)) == at(3, 9, 30)
    assert cal.is_open(at(8, 10))  # the next Tuesday is open again


def test_closures_in_a_row_are_all_skipped() -> None:
    cal = clinic(closures=parse_closures(["2017-10-03..2017-10-12"]))
    assert cal.next_open(at(0, 0)) == at(15, 9, 30)


def test_closure_cuts_an_overnight_window() -> None:
    cal = Calendar("night", parse_weekly({"mon": "22:00-06:00"}), frozenset({date(2017, 10, 3)}))
    assert cal.window_end(at(0, 23)) == at(1, 0)
    assert not cal.is_open(at(1, 1))


def test_aware_utc_is_converted_into_london_during_bst() -> None:
    cal = Calendar("office", parse_weekly({"mon-fri": "09:00-17:00"}), timezone="Europe/London")
    utc_0830 = datetime(2017, 10, 2, 8, 30, tzinfo=UTC)  # 09:30 BST
    utc_0730 = datetime(2017, 10, 2, 7, 30, tzinfo=UTC)  # 08:30 BST
    assert cal.is_open(utc_0830)
    assert not cal.is_open(utc_0730)
    opened = cal.next_open(utc_0730)
    assert opened == datetime(2017, 10, 2, 8, 0, tzinfo=UTC)
    assert opened.tzinfo is UTC
    assert cal.window_end(utc_0830) == datetime(2017, 10, 2, 16, 0, tzinfo=UTC)
    # naive input is local wall time, and stays naive
    assert not cal.is_open(datetime(2017, 10, 2, 8, 30))
    assert cal.next_open(datetime(2017, 10, 2, 8, 30)) == datetime(2017, 10, 2, 9, 0)


def test_winter_time_in_london_is_utc() -> None:
    cal = Calendar("office", parse_weekly({"mon-fri": "09:00-17:00"}), timezone="Europe/London")
    assert cal.is_open(datetime(2017, 12, 4, 9, 30, tzinfo=UTC))
    assert not cal.is_open(datetime(2017, 12, 4, 8, 30, tzinfo=UTC))


def test_next_open_never_goes_back_across_fall_back() -> None:
    # 2017-10-29: London clocks went from 02:00 BST back to 01:00 GMT.
    cal = Calendar("early", parse_weekly({"sun": "01:30-03:00"}), timezone="Europe/London")
    second_0110 = datetime(2017, 10, 29, 1, 10, tzinfo=UTC)  # 01:10 GMT, the second one
    first_0110 = datetime(2017, 10, 29, 0, 10, tzinfo=UTC)  # 01:10 BST
    assert cal.next_open(second_0110) == datetime(2017, 10, 29, 1, 30, tzinfo=UTC)
    assert cal.next_open(first_0110) == datetime(2017, 10, 29, 0, 30, tzinfo=UTC)
    assert cal.next_open(first_0110.astimezone(LONDON)).tzinfo is LONDON


def test_no_open_time_raises() -> None:
    never = Calendar("never", ())
    with pytest.raises(ValueError, match="has no open time"):
        never.next_open(at(0, 0))
    with pytest.raises(ValueError, match="has no open time"):
        never.next_open_minute(0.0, MONDAY)


# ----------------------------------------------------------------------- float API


def test_float_next_open_minute() -> None:
    cal = clinic()
    assert cal.next_open_minute(2 * DAY + 600, MONDAY) == 3 * DAY + 570
    assert cal.next_open_minute(DAY + 600.5, MONDAY) == DAY + 600.5
    assert cal.next_open_minute(3 * DAY + 750, MONDAY) == WEEK + DAY + 570
    assert cal.is_open_minute(DAY + 570, MONDAY)
    assert not cal.is_open_minute(DAY + 750, MONDAY)


def test_float_epoch_need_not_be_a_monday() -> None:
    wednesday = MONDAY + timedelta(days=2)
    assert clinic().next_open_minute(0.0, wednesday) == DAY + 570
    closed = clinic(closures=frozenset({wednesday + timedelta(days=1)}))
    assert closed.next_open_minute(0.0, wednesday) == 6 * DAY + 570


def test_float_closures_are_mapped_through_the_epoch() -> None:
    cal = clinic(closures=parse_closures(["2017-10-10"]))  # the second Tuesday
    assert cal.next_open_minute(DAY, MONDAY) == DAY + 570
    assert cal.next_open_minute(WEEK, MONDAY) == WEEK + 3 * DAY + 570
    assert cal.next_open_minute(0.0, MONDAY + timedelta(days=7)) == 3 * DAY + 570


def test_float_rejects_non_finite_time() -> None:
    with pytest.raises(ValueError, match="finite simulation time"):
        clinic().next_open_minute(math.nan, MONDAY)
    with pytest.raises(ValueError, match="finite simulation time"):
        clinic().next_open_minute(math.inf, MONDAY)


def test_add_working_minutes_spans_two_windows() -> None:
    cal = clinic()
    start = DAY + 690  # Tuesday 11:30, an hour before the window ends
    assert cal.add_working_minutes(start, 120, MONDAY) == 3 * DAY + 630  # Thursday 10:30
    assert cal.add_working_minutes(start, 60, MONDAY) == DAY + 750  # ends at 12:30 exactly
    assert cal.add_working_minutes(0.0, 30, MONDAY) == DAY + 600  # waits for opening first


def test_add_working_minutes_zero_and_invalid() -> None:
    assert clinic().add_working_minutes(5.5, 0, MONDAY) == 5.5
    assert Calendar("never", ()).add_working_minutes(5.5, 0, MONDAY) == 5.5
    for bad in (-1.0, math.nan, math.inf):
        with pytest.raises(ValueError, match="non-negative duration"):
            clinic().add_working_minutes(0.0, bad, MONDAY)
    with pytest.raises(ValueError, match="has no open time"):
        Calendar("never", ()).add_working_minutes(0.0, 1, MONDAY)


def test_add_working_minutes_over_many_weeks_and_a_closure() -> None:
    cal = clinic()  # 360 open minutes a week
    ten_weeks = cal.add_working_minutes(0.0, 3600, MONDAY)
    assert ten_weeks == 9 * WEEK + 3 * DAY + 750
    closed = clinic(closures=parse_closures(["2017-10-17"]))  # third Tuesday
    assert closed.add_working_minutes(0.0, 3600, MONDAY) == 10 * WEEK + DAY + 750


def test_add_working_minutes_always_open() -> None:
    assert ALWAYS_OPEN.add_working_minutes(3.0, 100_000, MONDAY) == 100_003.0
    cal = Calendar("c", ((0, WEEK),), frozenset({MONDAY}))
    assert cal.add_working_minutes(0.0, 60, MONDAY) == DAY + 60


# ------------------------------------------------------------------------ describe


@pytest.mark.parametrize(
    ("calendar", "text"),
    [
        (
            Calendar("c", parse_weekly(TUE_THU), parse_closures(["2017-12-25"])),
            "Tue, Thu 09:30-12:30; closed 2017-12-25",
        ),
        (
            Calendar("c", parse_weekly({"weekdays": ["09:00-12:30", "13:30-17:00"]})),
            "Mon-Fri 09:00-12:30, 13:30-17:00",
        ),
        (
            Calendar(
                "c",
                parse_weekly({"mon-wed, fri": "09:00-17:00", "sun": "22:00-06:00"}),
                parse_closures(["2017-12-25..2017-12-26", "2018-01-01"]),
                "Europe/London",
            ),
            "Mon-Wed, Fri 09:00-17:00; Sun 22:00-06:00;"
            " closed 2017-12-25..2017-12-26, 2018-01-01; times in Europe/London",
        ),
        (
            Calendar("c", parse_weekly({"sat": "all day", "sun": "09:00-24:00"})),
            ("Sat all day; Sun 09:00-24:00"),
        ),
        (Calendar("c", ((540, 2 * DAY),)), "Mon 09:00-24:00; Tue all day"),
        (ALWAYS_OPEN, "always open"),
        (Calendar("c", ((0, WEEK),), frozenset({MONDAY})), "daily all day; closed 2017-10-02"),
        (Calendar("c", ()), "never open"),
    ],
)
def test_describe(calendar: Calendar, text: str) -> None:
    assert calendar.describe() == text


# ---------------------------------------------------------------------- properties

HORIZON_WEEKS = 12
HORIZON = HORIZON_WEEKS * WEEK


@st.composite
def raw_calendars(draw: st.DrawFn, *, open_time: bool = True) -> tuple[Calendar, date, np.ndarray]:
    """A random small calendar, an epoch, and a brute-force open-minute table from it.

    The table is built from the raw intervals (not the calendar's normalised windows):
    ``table[x]`` says whether minute ``x`` after the epoch's 00:00 is open.
    """
    unit = draw(st.sampled_from([1, 30, 60]))
    intervals = draw(
        st.lists(
            st.tuples(st.integers(0, WEEK // unit - 1), st.integers(1, 2 * DAY // unit)),
            min_size=1 if open_time else 0,
            max_size=4,
        )
    )
    intervals = [(start * unit, length * unit) for start, length in intervals]
    if draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans()):
        intervals.append((0, WEEK))
    closed_days = draw(st.lists(st.integers(0, 27), max_size=4))
    epoch = date(2017, 1, 2) + timedelta(days=draw(st.integers(0, 400)))
    windows = []
    mask = np.zeros(WEEK, dtype=bool)
    for start, length in intervals:
        mask[np.arange(start, start + length) % WEEK] = True
        end = start + length
        windows += [(start, min(end, WEEK))] + ([(0, end - WEEK)] if end > WEEK else [])
    closures = frozenset(epoch + timedelta(days=d) for d in closed_days)
    table = np.tile(np.roll(mask, -epoch.weekday() * DAY), HORIZON_WEEKS)
    for d in closed_days:
        table[d * DAY : (d + 1) * DAY] = False
    return Calendar("random", windows, closures), epoch, table


quarter_minutes = st.integers(0, 2 * WEEK * 4).map(lambda q: q / 4)


@settings(max_examples=200, deadline=None)
@given(raw_calendars(), quarter_minutes)
def test_next_open_minute_matches_a_minute_scan(
    drawn: tuple[Calendar, date, np.ndarray], t: float
) -> None:
    cal, epoch, table = drawn
    opened = cal.next_open_minute(t, epoch)
    assert t <= opened < HORIZON
    assert table[math.floor(opened)]
    assert cal.is_open_minute(t, epoch) == bool(table[math.floor(t)])
    if opened > t:
        assert not table[math.floor(t)]
        assert not table[math.floor(t) + 1 : math.ceil(opened)].any()


@settings(max_examples=200, deadline=None)
@given(raw_calendars(open_time=False), quarter_minutes)
def test_datetime_and_float_apis_agree(drawn: tuple[Calendar, date, np.ndarray], t: float) -> None:
    cal, epoch, _ = drawn
    midnight = datetime.combine(epoch, time())
    moment = midnight + timedelta(minutes=t)
    assert cal.is_open(moment) == cal.is_open_minute(t, epoch)
    if not cal.has_open_time():
        with pytest.raises(ValueError, match="no open time"):
            cal.next_open(moment)
        return
    expected = midnight + timedelta(minutes=cal.next_open_minute(t, epoch))
    assert cal.next_open(moment) == expected
    assert cal.next_open(moment.replace(tzinfo=UTC)) == expected.replace(tzinfo=UTC)


@settings(max_examples=200, deadline=None)
@given(raw_calendars(), quarter_minutes)
def test_window_end_matches_a_minute_scan(
    drawn: tuple[Calendar, date, np.ndarray], t: float
) -> None:
    cal, epoch, table = drawn
    moment = datetime.combine(epoch, time()) + timedelta(minutes=t)
    if not table[math.floor(t)]:
        with pytest.raises(ValueError, match="is closed at"):
            cal.window_end(moment)
        return
    closes = np.flatnonzero(~table[math.floor(t) :])
    if closes.size == 0:
        with pytest.raises(ValueError, match="without end"):
            cal.window_end(moment)
        return
    expected = datetime.combine(epoch, time()) + timedelta(minutes=math.floor(t) + int(closes[0]))
    assert cal.window_end(moment) == expected


@settings(max_examples=200, deadline=None)
@given(raw_calendars(), st.data())
def test_add_working_minutes_matches_a_minute_count(
    drawn: tuple[Calendar, date, np.ndarray], data: st.DataObject
) -> None:
    cal, epoch, table = drawn
    start = data.draw(st.integers(0, 2 * WEEK))
    weekly = int(sum(end - begin for begin, end in cal.windows))
    minutes = data.draw(st.integers(1, 3 * weekly))
    done = np.cumsum(table[start:])
    assert done[-1] >= minutes  # the reference horizon is long enough
    expected = start + int(np.searchsorted(done, minutes)) + 1
    assert cal.add_working_minutes(float(start), minutes, epoch) == expected


@settings(max_examples=200, deadline=None)
@given(
    raw_calendars(),
    quarter_minutes,
    st.integers(0, 80_000).map(lambda q: q / 4),
    st.integers(0, 80_000).map(lambda q: q / 4),
)
def test_add_working_minutes_is_additive(
    drawn: tuple[Calendar, date, np.ndarray], t: float, a: float, b: float
) -> None:
    cal, epoch, _ = drawn
    whole = cal.add_working_minutes(t, a + b, epoch)
    parts = cal.add_working_minutes(cal.add_working_minutes(t, a, epoch), b, epoch)
    assert abs(whole - parts) <= 1e-6
    assert whole >= t + (a + b if cal.always_open else 0)


@settings(max_examples=200, deadline=None)
@given(raw_calendars(open_time=False))
def test_describe_reads_back(drawn: tuple[Calendar, date, np.ndarray]) -> None:
    cal = Calendar("plain", drawn[0].windows)
    text = cal.describe()
    if text in ("always open", "never open"):
        assert (text == "always open") == (cal.windows == ((0, WEEK),))
        assert (text == "never open") == (cal.windows == ())
        return
    spec = {}
    for group in text.split("; "):
        match = re.fullmatch(r"(.+?) ((?:\d\d:\d\d-\d\d:\d\d|all day)(?:, .+)?)", group)
        assert match is not None, group
        spec[match[1]] = match[2]
    assert parse_weekly(spec) == cal.windows


day_ish = st.text(alphabet="montuewdhfrisaylkMT-, ", max_size=20)
hours_ish = st.text(alphabet="0123456789:-., closedaly", max_size=24)
junk = st.one_of(st.text(max_size=30), day_ish, hours_ish)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.one_of(junk, st.integers(), st.none()),
        st.one_of(junk, st.lists(junk, max_size=3), st.integers(), st.none()),
        max_size=4,
    )
)
def test_parse_weekly_on_arbitrary_text_raises_only_syntax_errors(
    spec: dict[object, object],
) -> None:
    windows = outcome(parse_weekly, spec)
    if isinstance(windows, CalendarSyntaxError):
        assert str(windows).startswith("expected ")
        return
    assert all(0 <= start < end <= WEEK for start, end in windows)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(windows))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=30), st.text(alphabet="0123456789-.", max_size=24))))
def test_parse_closures_on_arbitrary_text_raises_only_syntax_errors(items: list[str]) -> None:
    closed = outcome(parse_closures, items)
    if isinstance(closed, CalendarSyntaxError):
        assert str(closed).startswith("expected ")
        return
    assert all(type(day) is date for day in closed)


def outcome(parse: Callable[[Any], _T], argument: object) -> _T | CalendarSyntaxError:
    """What ``parse`` returns, or the :class:`CalendarSyntaxError` it raises (any other
    exception propagates and fails the test)."""
    try:
        return parse(argument)
    except CalendarSyntaxError as error:
        return error


@given(
    windows=st.lists(st.tuples(st.integers(0, 10079), st.integers(1, 600)), min_size=1, max_size=5),
    closed_days=st.sets(st.integers(0, 120), max_size=6),
    start=st.floats(0, 60 * 24 * 40, allow_nan=False),
    length=st.floats(0, 60 * 24 * 100, allow_nan=False),
)
def test_open_minutes_are_the_open_spans_summed(
    windows: list[tuple[int, int]], closed_days: set[int], start: float, length: float
) -> None:
    """Whole weeks are skipped at once: the total must be the opening spans' one by one
    (the reference walks every span), closures and all."""
    epoch = date(2024, 1, 1)
    calendar = Calendar(
        "c",
        tuple((a, min(a + w, 10080)) for a, w in windows),
        frozenset(epoch + timedelta(days=d) for d in closed_days),
    )
    end = start + length
    expected, t = 0.0, start
    while t < end:
        opened, until = calendar._open_span(t, epoch)
        if opened >= end:
            break
        expected += min(until, end) - opened
        t = until
    assert calendar.open_minutes(start, end, epoch) == pytest.approx(expected, abs=1e-6)
