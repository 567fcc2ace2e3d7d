"""Arrival rates in any unit, and weekday / time-of-day / month profiles (issue 16).

The profile redistributes the declared rate (the mean stays the rate), the simulator
draws a non-homogeneous Poisson process from the run's one seeded stream, and a
version-1 file neither changes its hash nor may use the new keys.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import pathway
from example_support import run_example
from pathway import DefinitionError, Problem
from pathway._define._spec import PathwaySpec
from pathway._model._distributions import DistributionSyntaxError, parse_rate
from pathway._model._profile import (
    ArrivalProfile,
    month_factors,
    parse_hour,
    parse_month,
    parse_weekday,
    week_pieces,
)
from pathway.testing import pathways

pytest.importorskip("numpy")
from pathway._sim._cohort import arrival_times
from pathway._sim._plan import build_plan

ROOT = Path(__file__).resolve().parents[1]
WEEK = 7 * 1440.0
YEAR = 365 * 1440.0
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def text(arrivals: str, *, format_line: str = "format: 2\n") -> str:
    """A one-step pathway with ``arrivals`` (YAML lines under ``arrivals:``)."""
    return (
        f"{format_line}id: t\ntitle: t\nversion: '1'\n"
        "calendars:\n  office: {open: {mon-fri: '09:00-17:00'}}\n"
        "roles:\n  r: {team: a, organisation: o}\n"
        "steps:\n  a: {role: r, duration: 10m}\n  done: {outcome: true}\n"
        "transitions:\n  - {trigger: go, from: a, to: done}\n"
        f"arrivals:\n{arrivals}"
    )


def problems(source: str) -> list[Problem]:
    with pytest.raises(DefinitionError) as caught:
        pathway.load(source, name="p.yaml")
    return list(caught.value.problems)


def times(source: str, horizon: float, seed: int = 1) -> np.ndarray:
    plan = build_plan(pathway.load(source))
    return arrival_times(plan, seed, 0, None, horizon)


# ------------------------------------------------------------------------ rate units


@pytest.mark.parametrize(
    ("rate", "per_day"),
    [
        ("365/y", 1.0),
        ("2015/y", 2015 / 365),
        ("2015 per year", 2015 / 365),
        ("12/month", 12 * 12 / 365),
        ("12 per months", 12 * 12 / 365),
        ("7/w", 1.0),
        ("1/d", 1.0),
        ("1/h", 24.0),
        ("2015/Y", 2015 / 365),
    ],
)
def test_rates_in_every_unit_mean_the_same_per_day(rate: str, per_day: float) -> None:
    assert parse_rate(rate) * 1440 == pytest.approx(per_day, rel=1e-12)


def test_a_rate_per_minute_too_high_suggests_per_month() -> None:
    with pytest.raises(DistributionSyntaxError) as caught:
        parse_rate("170/m")
    assert caught.value.suggestion == "did you mean '170/month'?"


def test_an_unknown_unit_lists_month_and_year() -> None:
    with pytest.raises(DistributionSyntaxError) as caught:
        parse_rate("3/fortnight")
    assert "month" in caught.value.suggestion
    assert "y (years)" in caught.value.suggestion


@pytest.mark.parametrize("calendar", ["", "  calendar: office\n"])
def test_365_a_year_brings_as_many_arrivals_as_1_a_day(calendar: str) -> None:
    horizon = 20 * YEAR
    yearly = len(times(text(f"  rate: 365/y\n{calendar}"), horizon)) / 20
    daily = len(times(text(f"  rate: 7/w\n{calendar}"), horizon)) / 20
    # Poisson with mean 7,300: four standard deviations of one year's count
    bound = 4 * math.sqrt(365 / 20) * 2
    assert abs(yearly - daily) < bound
    assert abs(yearly - 365) < bound


def test_a_rate_per_year_needs_format_2() -> None:
    found = problems(text("  rate: 2015/y\n", format_line=""))
    assert [(p.code, p.field, p.line) for p in found] == [("newer-format", "arrivals.rate", 14)]
    assert found[0].suggestion == "write 'format: 2' at the top of the file"


# -------------------------------------------------------------------------- profiles


def test_a_profile_needs_format_2_and_is_one_problem_at_its_key() -> None:
    source = text("  rate: 5/d\n  profile:\n    weekday: {thu: 1.4}\n", format_line="")
    found = problems(source)
    assert [(p.code, p.field, p.line, p.column) for p in found] == [
        ("newer-format", "arrivals.profile", 15, 3)
    ]


@pytest.mark.parametrize(
    ("profile", "field", "column", "expected"),
    [
        ("weekday: {thux: 1.4}", "arrivals.profile.weekday.thux", 15, "a day like 'mon'"),
        ("hour: {'25-26': 2}", "arrivals.profile.hour.25-26", 12, "hours from 0 to 24"),
        ("hour: {'9am': 2}", "arrivals.profile.hour.9am", 12, "an hour like 9"),
        ("month: {jnu: 2}", "arrivals.profile.month.jnu", 13, "a month like 'jan'"),
        (
            "weekday: {mon-tue: 2, 'tue, fri': 1}",
            "arrivals.profile.weekday.tue, fri",
            27,
            "at most one",
        ),
    ],
)
def test_a_profile_key_that_does_not_read_is_located(
    profile: str, field: str, column: int, expected: str
) -> None:
    found = problems(text(f"  rate: 5/d\n  profile:\n    {profile}\n"))
    assert len(found) == 1, found
    problem = found[0]
    assert (problem.code, problem.field, problem.line) == ("invalid-profile", field, 17)
    assert problem.column == column
    assert expected in problem.expected


def test_a_misspelt_day_gets_a_suggestion() -> None:
    (problem,) = problems(text("  rate: 5/d\n  profile:\n    weekday: {thurs: 1, fridy: 2}\n"))
    assert problem.suggestion == "did you mean 'friday'?"


def test_all_zero_weights_are_refused() -> None:
    source = text("  rate: 5/d\n  profile:\n    month: {jan-dec: 0}\n")
    (problem,) = problems(source)
    assert (problem.code, problem.field) == ("invalid-profile", "arrivals.profile.month")


def test_a_profile_with_fixed_times_is_refused() -> None:
    source = text("  at: ['2017-10-03T09:30']\n  profile:\n    weekday: {thu: 2}\n")
    (problem,) = problems(source)
    assert (problem.code, problem.field) == ("arrivals-mode", "arrivals.profile")


def test_a_profile_that_closes_every_open_hour_cannot_be_simulated() -> None:
    source = text("  rate: 5/d\n  calendar: office\n  profile:\n    weekday: {weekdays: 0}\n")
    with pytest.raises(DefinitionError) as caught:
        build_plan(pathway.load(source))
    assert caught.value.problems[0].field == "arrivals.profile"


def test_unnamed_times_weigh_1_and_the_narrowest_key_decides() -> None:
    assert parse_weekday({"weekdays": 2, "wed": 0.5}) == (2, 2, 0.5, 2, 2, 1, 1)
    assert parse_month({"nov-feb": 3, "dec": 0}) == (3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3, 0)
    assert parse_hour({"22:00-02:00": 0, 9: 2}) == (
        (0, 120, 0.0),
        (120, 540, 1.0),
        (540, 600, 2.0),
        (600, 1320, 1.0),
        (1320, 1440, 0.0),
    )


week_weights = st.lists(st.sampled_from([0.0, 0.5, 1.0, 1.4, 3.0]), min_size=7, max_size=7)


@given(week_weights, st.lists(st.sampled_from([0.0, 1.0, 2.5]), min_size=24, max_size=24))
def test_normalised_factors_average_1_over_open_time(days: list[float], hours: list[float]) -> None:
    profile = ArrivalProfile(
        tuple(days), tuple((h * 60, h * 60 + 60, w) for h, w in enumerate(hours))
    )
    windows = ((0, 1020), (1980, 2460), (5000, WEEK))
    pieces = week_pieces(profile, windows)
    open_time = sum(e - s for s, e in windows)
    if not any(days) or not any(hours) or not pieces:
        return
    assert sum((e - s) * f for s, e, f in pieces) == pytest.approx(open_time)
    assert sum(e - s for s, e, _ in pieces) == pytest.approx(open_time)


def test_month_factors_keep_a_year_at_the_rate() -> None:
    factors = month_factors(ArrivalProfile(month=parse_month({"dec-feb": 1.5, "aug": 0.5})))
    days = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    assert sum(f * d for f, d in zip(factors, days, strict=True)) == pytest.approx(365)
    assert factors[0] / factors[3] == pytest.approx(1.5)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    weights=st.lists(st.sampled_from([0.25, 0.5, 1.0, 1.4, 2.0]), min_size=7, max_size=7),
    seed=st.integers(0, 2**31 - 1),
    calendar=st.booleans(),
)
def test_arrivals_per_weekday_follow_the_profile(
    weights: list[float], seed: int, calendar: bool
) -> None:
    weekday = ", ".join(f"{d}: {w}" for d, w in zip(DAYS, weights, strict=True))
    lines = f"  rate: 40/d\n  profile:\n    weekday: {{{weekday}}}\n"
    if calendar:
        lines += "  calendar: office\n"
    arrived = times(text(lines), 52 * WEEK, seed)
    # 2017-10-02, the default start, is a Monday
    counts = np.bincount((arrived // 1440).astype(np.int64) % 7, minlength=7)
    days = 5 if calendar else 7
    expected = np.asarray(weights[:days]) / sum(weights[:days]) * len(arrived)
    if calendar:
        assert counts[5:].sum() == 0
    # each weekday's count is binomial: five standard deviations, fixed by the seed
    spread = np.sqrt(expected * (1 - expected / len(arrived)))
    assert np.all(np.abs(counts[:days] - expected) < 5 * spread + 1)
    # the profile does not change the mean: about 40 a day (or per open day)
    mean = 40 * days * 52
    assert abs(len(arrived) - mean) < 5 * math.sqrt(mean)


def test_arrivals_per_hour_follow_the_profile() -> None:
    source = text("  rate: 100/d\n  calendar: office\n  profile:\n    hour: {9: 3, '12-14': 0}\n")
    arrived = times(source, 40 * WEEK, seed=5)
    hours = np.bincount(((arrived % 1440) // 60).astype(np.int64), minlength=24)
    assert hours[:9].sum() == 0
    assert hours[12:14].sum() == 0
    assert hours[17:].sum() == 0
    weights = np.zeros(24)
    weights[[9, 10, 11, 14, 15, 16]] = [3, 1, 1, 1, 1, 1]
    expected = weights / weights.sum() * len(arrived)
    spread = np.sqrt(expected)
    assert np.all(np.abs(hours - expected) < 5 * spread + 1)
    assert abs(len(arrived) - 100 * 5 * 40) < 5 * math.sqrt(100 * 5 * 40)


def test_arrivals_per_month_follow_the_profile() -> None:
    source = text("  rate: 2000/y\n  profile:\n    month: {dec: 3, jun: 0}\n")
    arrived = times(source, 10 * YEAR, seed=3)
    dates = np.datetime64("2017-10-02") + (arrived // 1440).astype("timedelta64[D]")
    months = dates.astype("datetime64[M]").astype(np.int64) % 12
    counts = np.bincount(months, minlength=12)
    assert counts[5] == 0
    # December has three times the intensity of a 31-day month like January
    assert counts[11] / counts[0] == pytest.approx(3, rel=0.1)
    assert abs(len(arrived) / 10 - 2000) < 5 * math.sqrt(2000 / 10)


def test_the_same_seed_gives_the_same_arrivals_and_another_seed_others() -> None:
    source = text("  rate: 2015/y\n  calendar: office\n  profile:\n    weekday: {thu: 1.4}\n")
    first, again, other = (times(source, 10 * WEEK, seed) for seed in (8, 8, 9))
    assert first.tobytes() == again.tobytes()
    assert first.tobytes() != other.tobytes()


def test_a_cohort_of_n_cases_with_a_profile_has_n_arrivals_in_order() -> None:
    source = text("  rate: 12/d\n  calendar: office\n  profile:\n    hour: {9-10: 4}\n")
    plan = build_plan(pathway.load(source))
    arrived = arrival_times(plan, 2, 0, 500, math.inf)
    assert len(arrived) == 500
    assert np.all(np.diff(arrived) >= 0)


# ------------------------------------------------------------------ version-1 files


# The shipped files keep their version-1 content hashes once their format-2 keys are
# taken out: tests/test_observed.py::test_shipped_files_changed_only_by_format_and_observed.


def test_a_profile_changes_the_hash_and_its_absence_does_not() -> None:
    plain = pathway.load(text("  rate: 5/d\n"))
    same = pathway.load(text("  rate: 5/d\n  profile: null\n"))
    shaped = pathway.load(text("  rate: 5/d\n  profile:\n    weekday: {thu: 1.4}\n"))
    assert plain.content_hash == same.content_hash != shaped.content_hash


def test_a_profile_survives_dump_and_load() -> None:
    shaped = pathway.load(text("  rate: 5/d\n  profile:\n    hour: {9: 2, '12-14': 0.5}\n"))
    again = pathway.load(pathway.dump(shaped))
    assert again == shaped
    assert again.arrivals == shaped.arrivals


# ---------------------------------------------------------------------- strategies


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pathways(guards=False, checkpoints=False))
def test_generated_pathways_include_profiles_that_simulate(spec: PathwaySpec) -> None:
    model = pathway.load(pathway.dump(spec))
    if spec.arrivals is None or spec.arrivals.profile is None:
        return
    assert spec.format == 2
    assert model.arrivals is not None
    assert model.arrivals.profile is not None
    try:
        plan = build_plan(model)
    except DefinitionError as error:  # generated calendars may never meet: not arrivals
        if any(p.field.startswith("arrivals") for p in error.problems):
            raise
        assume(False)
    arrived = arrival_times(plan, 0, 0, 50, math.inf)
    assert len(arrived) == 50


def test_strategies_generate_profiles_and_new_units() -> None:
    found: set[str] = set()

    @settings(max_examples=200, deadline=None, database=None)
    @given(pathways())
    def collect(spec: PathwaySpec) -> None:
        arrivals = spec.arrivals
        if arrivals is not None and arrivals.profile is not None:
            found.update(k for k, v in arrivals.profile.model_dump().items() if v)
        if arrivals is not None and arrivals.rate in {"2015/y", "170/month"}:
            found.add("unit")

    collect()
    assert found == {"weekday", "hour", "month", "unit"}


def test_the_example_runs_and_thursday_is_busiest() -> None:
    line = next(ln for ln in run_example("varying_demand.py") if ln.startswith("by weekday:"))
    counts = {part.split()[0]: int(part.split()[1]) for part in line[11:].split(", ")}
    assert max(counts, key=lambda day: counts[day]) == "Thu"
