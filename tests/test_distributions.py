"""Durations, rates and distributions as written in pathway files (``_model._distributions``)."""

from __future__ import annotations

import contextlib
import math
import random
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathway._model._distributions import (
    MAX_DURATION,
    Bernoulli,
    Categorical,
    DistributionSyntaxError,
    Empirical,
    Exponential,
    Fixed,
    FixedValue,
    Lognormal,
    Normal,
    RandInt,
    Triangular,
    Uniform,
    format_duration,
    parse_duration,
    parse_duration_distribution,
    parse_fact_distribution,
    parse_rate,
)

Z90 = 1.2815515655446004  # the standard normal's 90th percentile
UNITS = "units are s (seconds), m (minutes), h (hours), d (days) and w (weeks)"
RATE_UNITS = (
    "units are s (seconds), m (minutes), h (hours), d (days), w (weeks), month and y (years)"
)
RATE_EXAMPLE = "a rate like '5/d', '12/w', '3 per h', '170/month' or '2015/y'"

# ----------------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("30s", 0.5),
        ("90sec", 1.5),
        ("45m", 45),
        ("45min", 45),
        ("2h", 120),
        ("2hr", 120),
        ("3d", 3 * 24 * 60),
        ("1day", 1440),
        ("2days", 2880),
        ("1w", 7 * 1440),
        ("1wk", 10080),
        ("1week", 10080),
        ("2weeks", 20160),
    ],
)
def test_every_unit(text: str, minutes: float) -> None:
    assert parse_duration(text) == pytest.approx(minutes)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("1h 45m", 105),
        ("1h45m", 105),
        ("1d2h", 1560),
        ("1w 1d 1h 1m", 10080 + 1440 + 60 + 1),
        ("1.5h", 90),
        ("  2H ", 120),
        ("1 h 30 m", 90),
        ("0", 0),
        ("0.0", 0),
        (0, 0),
        (0.0, 0),
    ],
)
def test_combinations_and_zero(text: str | int, minutes: float) -> None:
    assert parse_duration(text) == pytest.approx(minutes)


@pytest.mark.parametrize(
    ("value", "found", "suggestion"),
    [
        ("", "''", ""),
        ("m", "'m'", ""),
        ("-5m", "'-5m'", ""),
        ("1h-30m", "'1h-30m'", ""),
        ("1e3m", "'1e3m'", UNITS),
        ("10 minutes", "'10 minutes'", "did you mean '10m'?"),
        ("1 hour 5 mins", "'1 hour 5 mins'", "did you mean '1h 5m'?"),
        (
            "3 months",
            "'3 months'",
            UNITS,
        ),
        (10, "the bare number 10", "add a unit, e.g. '10m'"),
        (1.5, "the bare number 1.5", "add a unit, e.g. '1.5m'"),
        (-3, "the bare number -3", ""),
        (True, "True", ""),
        (None, "None", ""),
        (["1h", "2h"], "['1h', '2h']", "for a range write {uniform: [low, high]}"),
    ],
)
def test_duration_errors_say_what_was_expected_and_found(
    value: object, found: str, suggestion: str
) -> None:
    with pytest.raises(DistributionSyntaxError) as caught:
        parse_duration(value)
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.what == "duration"
    assert error.code == "invalid-duration"
    assert error.expected == "a duration like '45m', '2h', '3d', '1w' or '1h 45m'"
    assert (error.found, error.suggestion) == (found, suggestion)
    hint = f"; {suggestion}" if suggestion else ""
    assert str(error) == f"expected {error.expected}, found {found}{hint}"


@pytest.mark.parametrize("text", ["5300w", "9" * 400 + "m"])
def test_durations_over_a_hundred_years_are_refused(text: str) -> None:
    with pytest.raises(DistributionSyntaxError, match="at most 100 years"):
        parse_duration(text)


def test_a_hundred_years_is_allowed() -> None:
    assert parse_duration("5200w") == 5200 * 10080 <= MAX_DURATION


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(0, "0m"), (0.5, "30s"), (1, "1m"), (105, "1h 45m"), (1440, "1d"), (1561, "1d 2h 1m"),
     (10080, "7d"), (math.inf, "unbounded"), (math.nan, "unbounded")],
)  # fmt: skip
def test_format_duration(minutes: float, text: str) -> None:
    assert format_duration(minutes) == text


@given(st.integers(min_value=0, max_value=int(MAX_DURATION)))
def test_format_then_parse_round_trips_whole_minutes(minutes: int) -> None:
    assert parse_duration(format_duration(minutes)) == minutes


@given(
    st.one_of(
        st.text(),
        st.from_regex(r"\s*(\d{1,4}(\.\d{0,3})?\s*[a-z]{0,6}\s*){0,4}", fullmatch=True),
        st.integers(),
        st.floats(),
        st.booleans(),
        st.none(),
        st.lists(st.text(max_size=3), max_size=3),
    )
)
def test_parse_duration_raises_only_value_error(value: object) -> None:
    try:
        minutes = parse_duration(value)
    except ValueError:
        return
    assert 0 <= minutes <= MAX_DURATION


# ----------------------------------------------------------------------- rates


@pytest.mark.parametrize(
    ("text", "per_minute"),
    [("5/d", 5 / 1440), ("12 per week", 12 / 10080), ("3 per h", 3 / 60), ("1.5/w", 1.5 / 10080)],
)
def test_rates(text: str, per_minute: float) -> None:
    assert parse_rate(text) == pytest.approx(per_minute)


@pytest.mark.parametrize(
    ("value", "expected", "suggestion"),
    [
        ("0/d", "a rate above zero", ""),
        ("5/hour", RATE_EXAMPLE, "did you mean '5/h'?"),
        ("5/fortnight", RATE_EXAMPLE, RATE_UNITS),
        ("5", RATE_EXAMPLE, ""),
        (5, RATE_EXAMPLE, ""),
    ],
)  # fmt: skip
def test_rate_errors(value: object, expected: str, suggestion: str) -> None:
    with pytest.raises(DistributionSyntaxError) as caught:
        parse_rate(value)
    assert (caught.value.code, caught.value.expected) == ("invalid-rate", expected)
    assert caught.value.suggestion == suggestion


# ----------------------------------------------------------------------- duration distributions


@pytest.mark.parametrize(
    ("written", "parsed", "mean"),
    [
        ("45m", Fixed(45), 45),
        (0, Fixed(0), 0),
        ({"fixed": "2h"}, Fixed(120), 120),
        ({"uniform": ["1d", "5d"]}, Uniform(1440, 7200), 4320),
        ({"uniform": {"min": "1h", "max": "3h"}}, Uniform(60, 180), 120),
        ({"exponential": {"mean": "2d"}}, Exponential(2880), 2880),
        ({"triangular": ["10m", "20m", "1h"]}, Triangular(10, 20, 60), 30),
        ({"triangular": {"min": "10m", "mode": "20m", "max": "1h"}}, Triangular(10, 20, 60), 30),
        ({"empirical": ["10m", "20m"]}, Empirical((10, 20), (1, 1)), 15),
        (
            {"empirical": {"values": ["10m", "20m"], "weights": [3, 1]}},
            Empirical((10, 20), (3, 1)),
            12.5,
        ),
    ],
)
def test_duration_distributions_parse_and_mean(
    written: object, parsed: object, mean: float
) -> None:
    distribution = parse_duration_distribution(written)
    assert distribution == parsed
    assert distribution.mean() == pytest.approx(mean)


def test_lognormal_from_median_and_p90_recovers_them() -> None:
    distribution = parse_duration_distribution({"lognormal": {"median": "40m", "p90": "70m"}})
    assert isinstance(distribution, Lognormal)
    assert math.exp(distribution.mu) == pytest.approx(40)
    assert math.exp(distribution.mu + Z90 * distribution.sigma) == pytest.approx(70)
    sigma = math.log(70 / 40) / Z90
    assert distribution.mean() == pytest.approx(40 * math.exp(sigma**2 / 2))
    assert distribution.describe() == "lognormal, median 40m, p90 1h 10m"


def test_lognormal_samples_have_the_declared_median_and_p90() -> None:
    distribution = parse_duration_distribution({"lognormal": {"median": "2d", "p90": "6d"}})
    rng = random.Random(20171003)
    draws = sorted(float(distribution.sample(rng)) for _ in range(20_000))  # type: ignore[arg-type]
    assert statistics.median(draws) == pytest.approx(2880, rel=0.03)
    assert draws[int(0.9 * len(draws))] == pytest.approx(6 * 1440, rel=0.05)


def test_lognormal_from_mean_and_sd_recovers_them() -> None:
    distribution = parse_duration_distribution({"lognormal": {"mean": "40m", "sd": "15m"}})
    assert isinstance(distribution, Lognormal)
    mu, sigma = distribution.mu, distribution.sigma
    assert distribution.mean() == pytest.approx(40)
    variance = (math.exp(sigma**2) - 1) * math.exp(2 * mu + sigma**2)
    assert math.sqrt(variance) == pytest.approx(15)


def test_samples_stay_within_their_bounds() -> None:
    rng = random.Random(7)
    uniform = parse_duration_distribution({"uniform": ["1d", "5d"]})
    triangular = parse_duration_distribution({"triangular": ["10m", "20m", "1h"]})
    for _ in range(1000):
        assert 1440 <= float(uniform.sample(rng)) <= 7200  # type: ignore[arg-type]
        assert 10 <= float(triangular.sample(rng)) <= 60  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ({"lognormal": {"median": "2h", "p90": "1h"}},
         "lognormal: expected 0 < median < p90, found median 2h, p90 1h; "
         "the p90 is the value 9 in 10 stay below"),
        ({"lognormal": {"median": "1h", "p90": "1h"}},
         "lognormal: expected 0 < median < p90, found median 1h, p90 1h; "
         "the p90 is the value 9 in 10 stay below"),
        ({"lognormal": {"median": "1h"}},
         "lognormal: expected {median: ..., p90: ...} or {mean: ..., sd: ...}, "
         "found {'median': '1h'}"),
        ({"lognormal": {"mean": "0m", "sd": "1m"}},
         "lognormal: expected a mean above zero, found '0m'"),
        ({"unifrom": ["1d", "5d"]},
         "expected one of fixed, uniform, exponential, lognormal, triangular, empirical, "
         "found 'unifrom'; did you mean 'uniform'?"),
        ({"uniform": ["5d", "1d"]}, "uniform: expected the low value first, found 5d before 1d"),
        ({"uniform": ["1d"]},
         "uniform: expected [duration, duration] or {min: ..., max: ...}, found ['1d']"),
        ({"uniform": ["1d", "5 days!"]},
         "expected a duration like '45m', '2h', '3d', '1w' or '1h 45m', found '5 days!'"),
        ({"triangular": ["1h", "10m", "2h"]},
         "triangular: expected min <= mode <= max, found 1h/10m/2h"),
        ({"exponential": "2d"}, "exponential: expected {mean: ...}, found '2d'"),
        ({"empirical": []},
         "empirical: expected a non-empty list of values (or {values: [...], weights: [...]}), "
         "found []"),
        ({"empirical": {"values": ["1m"], "weights": [1, 2]}},
         "empirical: expected 1 weights, one per value, found [1, 2]"),
        ({"empirical": {"values": ["1m"], "weights": [-1]}},
         "empirical: expected a weight of zero or more, found -1"),
        ({"empirical": {"values": ["1m"], "weights": [0]}},
         "empirical: expected weights with a positive total, found [0]"),
        ({}, "expected exactly one key, one of fixed, uniform, exponential, lognormal, "
             "triangular, empirical, found an empty mapping; write e.g. {uniform: [1d, 5d]}"),
        ({"uniform": ["1d", "2d"], "fixed": "1d"},
         "expected exactly one key, one of fixed, uniform, exponential, lognormal, triangular, "
         "empirical, found 'uniform', 'fixed'; write e.g. {uniform: [1d, 5d]}"),
    ],
)  # fmt: skip
def test_duration_distribution_errors(written: object, message: str) -> None:
    with pytest.raises(DistributionSyntaxError) as caught:
        parse_duration_distribution(written)
    assert str(caught.value) == message


def test_distribution_errors_name_their_kind() -> None:
    with pytest.raises(DistributionSyntaxError) as caught:
        parse_duration_distribution({"lognormal": {"median": "2h", "p90": "1h"}})
    assert (caught.value.subject, caught.value.code) == (
        "lognormal distribution",
        "invalid-distribution",
    )


# ----------------------------------------------------------------------- fact distributions


@pytest.mark.parametrize(
    ("written", "parsed", "mean"),
    [
        ({"bernoulli": 0.6}, Bernoulli(0.6), 0.6),
        ({"bernoulli": 1}, Bernoulli(1.0), 1.0),
        ({"uniform": [18, 70]}, Uniform(18, 70), 44),
        ({"randint": [1, 5]}, RandInt(1, 5), 3),
        ({"normal": {"mean": 40, "sd": 12}}, Normal(40, 12), 40),
        ({"fixed": 7}, FixedValue(7), 7),
        ({"empirical": [1, 2, 6]}, Empirical((1, 2, 6), (1, 1, 1)), 3),
    ],
)
def test_fact_distributions_parse_and_mean(written: object, parsed: object, mean: float) -> None:
    distribution = parse_fact_distribution(written)
    assert distribution == parsed
    assert distribution.mean() == pytest.approx(mean)


def test_categorical_keeps_declared_order_and_weights() -> None:
    distribution = parse_fact_distribution({"categorical": {"low": 3, "high": 1}})
    assert distribution == Categorical(("low", "high"), (3.0, 1.0))
    assert math.isnan(distribution.mean())
    assert distribution.describe() == "low 75%, high 25%"
    rng = random.Random(3)
    draws = [distribution.sample(rng) for _ in range(4000)]
    assert draws.count("low") / len(draws) == pytest.approx(0.75, abs=0.03)


def test_text_facts_have_no_mean() -> None:
    assert math.isnan(parse_fact_distribution({"fixed": "x"}).mean())
    assert math.isnan(parse_fact_distribution({"empirical": ["a", "b"]}).mean())


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ({"bernoulli": 1.5}, "bernoulli: expected a probability between 0 and 1, found 1.5"),
        ({"bernoulli": "0.5"}, "bernoulli: expected a finite number, found '0.5'"),
        ({"bernoulli": True}, "bernoulli: expected a finite number, found True"),
        ({"uniform": [0, math.inf]}, "uniform: expected a finite number, found inf"),
        ({"uniform": [70, 18]}, "uniform: expected the low value first, found 70 before 18"),
        ({"randint": [1.5, 3]}, "randint: expected two whole numbers, found [1.5, 3]"),
        ({"randint": [5, 1]}, "randint: expected the low value first, found 5 before 1"),
        ({"normal": {"mean": 1, "sd": -1}}, "normal: expected sd >= 0, found -1"),
        ({"categorical": {}},
         "categorical: expected a mapping of category: weight, e.g. {low: 3, high: 1}, found {}"),
        ({"categorical": {"a": -1}}, "categorical: expected a weight of zero or more, found -1"),
        ({"bernouli": 0.5},
         "expected one of fixed, bernoulli, categorical, uniform, randint, normal, empirical, "
         "found 'bernouli'; did you mean 'bernoulli'?"),
        (0.6,
         "expected a distribution like {bernoulli: 0.6}, {categorical: {low: 3, high: 1}}, "
         "{uniform: [18, 70]}, {randint: [1, 5]}, {normal: {mean: 40, sd: 12}} or "
         "{fixed: value}, found 0.6"),
    ],
)  # fmt: skip
def test_fact_distribution_errors(written: object, message: str) -> None:
    with pytest.raises(DistributionSyntaxError) as caught:
        parse_fact_distribution(written)
    assert str(caught.value) == message


KEYS = st.sampled_from(
    ["fixed", "uniform", "exponential", "lognormal", "triangular", "empirical", "bernoulli",
     "categorical", "randint", "normal", "min", "max", "mode", "median", "p90", "mean", "sd",
     "values", "weights"]
) | st.text(max_size=8)  # fmt: skip


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
        | st.sampled_from(["1h", "2d", "0", "45m", "1w 2d"]),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=3),
        max_leaves=12,
    )
)  # fmt: skip
def test_distribution_parsers_raise_only_value_error(value: object) -> None:
    for parse in (parse_duration_distribution, parse_fact_distribution):
        with contextlib.suppress(ValueError):
            parse(value)


def test_descriptions_show_durations_or_numbers() -> None:
    assert parse_duration_distribution({"uniform": ["1d", "5d"]}).describe() == "uniform 1d to 5d"
    assert parse_fact_distribution({"uniform": [18, 70]}).describe() == "uniform 18 to 70"
    assert parse_duration_distribution("1h 45m").describe() == "1h 45m"
    assert parse_duration_distribution({"exponential": {"mean": "2d"}}).describe() == (
        "exponential, mean 2d"
    )
    assert parse_fact_distribution({"randint": [1, 5]}).describe() == "whole number 1 to 5"
