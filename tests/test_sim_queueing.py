"""Queueing theory: the tandem benchmark model against Erlang C.

Six stations in series, three workers each, exponential service with mean 2.4 minutes,
Poisson arrivals at one a minute, no calendars: each station is an M/M/3 queue (Jackson),
so the mean wait per station is Erlang C's, 2.59 minutes. 100 000 cases.

At 80% utilisation waits are strongly autocorrelated: across seeds, the mean wait of one
100 000-case run has a standard deviation of about 2.5% (measured: 20 seeds, mean 2.573,
sd 0.064). So the single-run check uses a fixed seed, and a second check runs ten
replications and asks that Erlang C's value lies inside their 95% confidence interval
and within 1% of their mean.
"""

from __future__ import annotations

import math

import pytest

import pathway
from pathway import simulate
from pathway._sim._fast import fast_available
from pathway._sim._models import tandem_yaml

np = pytest.importorskip("numpy")

STATIONS, SERVERS, MEAN, RATE = 6, 3, 2.4, 1.0


def erlang_c(servers: int, arrival_rate: float, mean_service: float) -> float:
    """Mean wait in queue of M/M/c, from the formula (not from pathway's own helper)."""
    a = arrival_rate * mean_service
    tail = a**servers / math.factorial(servers) * servers / (servers - a)
    probability_wait = tail / (sum(a**k / math.factorial(k) for k in range(servers)) + tail)
    return probability_wait / (servers / mean_service - arrival_rate)


def test_erlang_c_formula_gives_the_published_figure() -> None:
    assert erlang_c(SERVERS, RATE, MEAN) == pytest.approx(2.589, abs=0.001)


@pytest.mark.skipif(not fast_available(), reason="100 000 cases need the compiled kernel")
def test_tandem_mean_wait_per_step_matches_erlang_c() -> None:
    model = pathway.load(tandem_yaml(STATIONS, SERVERS, f"{MEAN}m", f"{RATE:g}/m"))
    result = simulate(model, cases=100_000, seed=0)
    measures = result.measures()
    assert result.finished == 100_000
    capacity = measures["wait_capacity_minutes"].astype(np.float64)
    per_step = capacity.sum() / (100_000 * STATIONS)
    expected = erlang_c(SERVERS, RATE, MEAN)
    assert abs(per_step - expected) / expected < 0.02
    for cause in ("handoff", "visit_gap", "calendar", "approval", "external", "client"):
        assert measures[f"wait_{cause}_minutes"].sum() == 0
    touch = measures["touch_minutes"].mean() / STATIONS
    assert touch == pytest.approx(MEAN, rel=0.02)


@pytest.mark.skipif(not fast_available(), reason="a million cases need the compiled kernel")
def test_tandem_replications_bracket_erlang_c() -> None:
    model = pathway.load(tandem_yaml(STATIONS, SERVERS, f"{MEAN}m", f"{RATE:g}/m"))
    result = simulate(model, cases=100_000, seed=1, replications=10)
    means = [
        result.measures(r)["wait_capacity_minutes"].astype(np.float64).sum() / (100_000 * STATIONS)
        for r in range(10)
    ]
    summary = result.summary()["wait_capacity_days"]
    assert summary.mean_ci is not None
    low, high = (bound * 1440 / STATIONS for bound in summary.mean_ci)
    expected = erlang_c(SERVERS, RATE, MEAN)
    assert low < expected < high
    assert abs(sum(means) / 10 - expected) / expected < 0.01
