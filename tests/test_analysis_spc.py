"""Making Data Count by period: point types, verdicts and assurance as NHSRplotthedots
computes them, periods chosen by the amount of data, targets declared in the file."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import pathway
from pathway._analysis._spc import (
    MIN_POINTS,
    assurance,
    before_after,
    choose_period,
    period_chart,
    point_types,
    variation,
)
from pathway._analysis._xmr import xmr
from pathway._report._simulated import simulated_report
from pathway.errors import DefinitionError

STABLE = [5.0, 6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7, 6, 5]


def ns(when: datetime) -> int:
    return int(when.timestamp()) * 10**9


def test_a_stable_series_is_common_cause() -> None:
    chart = xmr(STABLE)
    assert not chart.special.any()
    assert set(point_types(chart, "decrease")) == {"common_cause"}
    assert variation(chart, "decrease") == "common_cause"


@pytest.mark.parametrize(
    ("last", "direction", "expected"),
    [
        (20.0, "increase", "special_cause_improvement"),
        (20.0, "decrease", "special_cause_concern"),
        (-10.0, "decrease", "special_cause_improvement"),
        (-10.0, "increase", "special_cause_concern"),
        (20.0, "neutral", "special_cause_neutral_high"),
        (-10.0, "neutral", "special_cause_neutral_low"),
    ],
)
def test_the_last_point_outside_the_limits_decides_the_verdict(
    last: float, direction: str, expected: str
) -> None:
    # NHSRplotthedots: a flagged point is an improvement when its side of the mean is
    # the improvement direction, a concern otherwise, neutral high/low without one.
    chart = xmr([*STABLE, last])
    assert chart.outside[-1]
    assert variation(chart, direction) == expected  # type: ignore[arg-type]


def test_runs_on_each_side_of_the_mean_when_lower_is_better() -> None:
    # ten points above the mean (a run: concern) then seven below (improvement)
    values = [10.0, 11, 10, 12, 11, 10, 11, 12, 10, 11, 8, 8.5, 8, 8.2, 8.4, 8.1, 8.3]
    chart = xmr(values)
    types = point_types(chart, "decrease")
    assert types[:10] == ["special_cause_concern"] * 10
    assert types[-7:] == ["special_cause_improvement"] * 7
    assert point_types(chart, "increase")[:10] == ["special_cause_improvement"] * 10


def test_a_trend_takes_each_point_side_of_the_mean() -> None:
    # NHSRplotthedots types a trend's points by their side of the mean, not the trend's
    # direction: a rising trend that starts below the mean has improvement points
    # below it (lower is better) and concern points above it.
    values = [5.0, 6, 5, 6, 5, 6, 5, 6, 1, 2, 3, 4, 5.5, 7, 9]
    chart = xmr(values)
    assert chart.trend[-7:].all()
    types = point_types(chart, "decrease")
    sides = chart.side[-7:].tolist()
    for kind, side in zip(types[-7:], sides, strict=True):
        assert kind == ("special_cause_improvement" if side < 0 else "special_cause_concern")


@pytest.mark.parametrize(
    ("target", "direction", "expected"),
    [
        (100.0, "decrease", "consistent_pass"),
        (100.0, "increase", "consistent_fail"),
        (-100.0, "decrease", "consistent_fail"),
        (-100.0, "increase", "consistent_pass"),
        (5.8, "decrease", "inconsistent"),
        (5.8, "neutral", None),
        (None, "decrease", None),
    ],
)
def test_assurance_from_the_last_limits(
    target: float | None, direction: str, expected: str | None
) -> None:
    assert assurance(xmr(STABLE), target, direction) == expected  # type: ignore[arg-type]


def test_assurance_uses_the_segment_after_a_rebase() -> None:
    chart = xmr([*STABLE, *(v + 50 for v in STABLE)], rebase=[len(STABLE)])
    assert assurance(chart, 30.0, "decrease") == "consistent_fail"
    assert assurance(xmr(STABLE), 30.0, "decrease") == "consistent_pass"


def test_the_period_is_the_longest_with_enough_points() -> None:
    start = datetime(2017, 10, 2, 9, tzinfo=UTC)
    days = [ns(start + timedelta(days=d)) for d in range(0, 400, 2)]
    assert choose_period(days) == "week"  # 13 months is too few, 57 weeks enough
    assert choose_period(days[:10]) == "case"
    years = [ns(start + timedelta(days=d)) for d in range(0, 800, 3)]
    assert choose_period(years) == "month"
    fortnight = [ns(start + timedelta(hours=h)) for h in range(0, 24 * 20, 5)]
    assert choose_period(fortnight) == "day"


def test_weeks_start_on_monday_and_months_are_calendar_months() -> None:
    sunday = datetime(2017, 10, 8, 23, tzinfo=UTC)
    monday = datetime(2017, 10, 9, 0, 30, tzinfo=UTC)
    chart = period_chart([ns(sunday), ns(monday)], [1.0, 3.0], period="week")
    assert chart.labels == ("w/c 2017-10-02", "w/c 2017-10-09")
    months = period_chart([ns(sunday), ns(monday), ns(monday)], [1.0, 2.0, 4.0], period="month")
    assert months.labels == ("2017-10",)
    assert months.counts.tolist() == [3]
    assert months.chart.values.tolist() == [pytest.approx(7 / 3)]


@given(
    st.lists(
        st.tuples(st.integers(0, 3 * 365 * 24), st.floats(0, 1000, allow_nan=False)),
        min_size=1,
        max_size=300,
    )
)
def test_periods_keep_every_case_once_and_its_weight(cases: list[tuple[int, float]]) -> None:
    start = datetime(2017, 1, 1, tzinfo=UTC)
    starts = [ns(start + timedelta(hours=h)) for h, _ in cases]
    values = np.array([v for _, v in cases])
    chart = period_chart(starts, values)
    assert int(chart.counts.sum()) == len(cases)
    assert list(chart.labels) == sorted(chart.labels) or chart.period == "case"
    total = float((chart.chart.values * chart.counts).sum())
    assert total == pytest.approx(float(values.sum()), rel=1e-9, abs=1e-6)
    if chart.period != "case":
        assert len(chart.labels) >= MIN_POINTS


def test_period_chart_rejects_unequal_or_missing_values() -> None:
    with pytest.raises(ValueError, match="equal-length"):
        period_chart([1, 2], [1.0])
    with pytest.raises(ValueError, match="equal-length"):
        period_chart([1, 2], [1.0, float("nan")])


def test_before_after_rebases_where_the_new_pathway_starts() -> None:
    start = datetime(2017, 1, 2, tzinfo=UTC)
    starts = [ns(start + timedelta(days=d)) for d in range(200)]
    chart = before_after((starts, [20.0 + d % 3 for d in range(200)]),
                         (starts, [5.0 + d % 3 for d in range(200)]))  # fmt: skip
    assert chart.period == "week"
    half = len(chart.labels) // 2
    assert chart.labels[0].startswith("old w/c")
    assert chart.labels[half].startswith("new w/c")
    assert [s.start for s in chart.chart.segments] == [0, half]
    assert chart.variation == "common_cause"


# ------------------------------------------------------------------- targets in the file

HUB = (pathway.__file__.rsplit("/src/", 1)[0]) + "/pathways/recovery-hub-2017.yaml"


def hub_text() -> str:
    with open(HUB, encoding="utf-8") as file:
        return file.read()


def with_targets(text: str) -> str:
    return hub_text() + "\n" + text


def test_a_declared_target_gives_an_assurance_verdict() -> None:
    model = pathway.load(with_targets("targets:\n  end_to_end: {at_most: 60d}\n"))
    assert model.targets == {"end_to_end": 60 * 1440}
    report = simulated_report(model, 1500, 3)
    (end_to_end,) = [c for c in report.charts if c.measure == "end_to_end"]
    assert end_to_end.periods is not None
    assert end_to_end.periods.target == 60
    assert end_to_end.periods.assurance == "consistent_pass"  # limits ~10-31 days
    data = json.loads(report.to_json())
    by_period = next(c for c in data["control_charts"] if c["measure"] == "end_to_end")
    by_period = by_period["by_period"]
    assert by_period["assurance"] == "consistent_pass"
    assert by_period["variation"] == end_to_end.periods.variation
    assert sum(by_period["cases"]) == int(report.scope.sum())
    html = report.to_html()
    assert 'aria-label="Assurance: target met consistently"' in html
    assert "the target will be met consistently" in report.to_text()


def test_a_target_for_an_unknown_measure_is_an_error_naming_it() -> None:
    with pytest.raises(DefinitionError) as caught:
        pathway.load(with_targets("targets:\n  visits: {at_most: 2d}\n"))
    (problem,) = caught.value.problems
    assert problem.code == "unknown-measure"
    assert problem.field == "targets.visits"
    assert "'end_to_end'" in (problem.expected or "")


def test_targets_count_in_the_hash_only_when_given() -> None:
    plain = pathway.load(hub_text())
    targeted = pathway.load(with_targets("targets:\n  end_to_end: {at_most: 60d}\n"))
    assert plain.content_hash != targeted.content_hash
    assert plain.targets == {}


# ------------------------------------------- NHSRplotthedots' own test vectors, as values


@pytest.mark.parametrize(
    ("values", "flagged_trend"),
    [
        ([1.0, 2, 3, 4, 5, 6], []),  # ptd_seven_point_trend(1:6): too short
        ([1.0, 2, 3, 3, 4, 5, 6], []),  # c(1:3, 3:6): a tie breaks the trend
        ([1.0, 2, 3, 4, 5, 6, 7], list(range(7))),  # 1:7
        ([2.0, 1, 2, 3, 4, 5, 6, 7, 3], list(range(1, 8))),  # c(2, 1:7, 3)
        ([7.0, 6, 5, 4, 3, 2, 1], list(range(7))),  # 7:1
        ([2.0, 7, 6, 5, 4, 3, 2, 1, 3], list(range(1, 8))),  # c(2, 7:1, 3)
    ],
)
def test_trends_as_nhsrplotthedots_tests_them(
    values: list[float], flagged_trend: list[int]
) -> None:
    # its vectors mark the point that completes a trend of 7; ptd_part_of_seven_trend then
    # flags all seven, which is what a chart shows and what xmr flags
    assert np.flatnonzero(xmr(values).trend).tolist() == flagged_trend


def test_runs_as_nhsrplotthedots_tests_them() -> None:
    # ptd_seven_point_one_side_mean(c(rep(1, 8), -1)): 8 above then 1 below -> the 8 flagged
    values = [10.0, 10.5, 10.2, 10.1, 10.4, 10.3, 10.2, 10.6, 1.0]
    chart = xmr(values)
    assert chart.side.tolist() == [1] * 8 + [-1]
    assert np.flatnonzero(chart.shift).tolist() == list(range(8))
    six = xmr([10.0, 10.5, 10.2, 10.1, 10.4, 10.3, 1.0])  # c(rep(1, 6), -1): no run
    assert not six.shift.any()
