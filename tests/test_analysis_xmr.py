"""XmR charts and the Making Data Count rules against hand-computed series."""

from __future__ import annotations

import numpy as np
import pytest

from pathway._analysis._xmr import xmr


def flagged(mask: np.ndarray) -> list[int]:
    return np.flatnonzero(mask).tolist()


def test_limits_from_the_mean_moving_range() -> None:
    chart = xmr([1, 3, 2, 6, 3])
    (segment,) = chart.segments
    assert segment.mean == 3.0
    assert segment.mr_mean == (2 + 1 + 4 + 3) / 4
    assert segment.upper == pytest.approx(3 + 2.66 * 2.5)
    assert segment.lower == pytest.approx(3 - 2.66 * 2.5)
    assert segment.mr_upper == pytest.approx(3.268 * 2.5)
    assert np.isnan(chart.moving_range[0])
    assert chart.moving_range[1:].tolist() == [2, 1, 4, 3]


def test_published_example_with_and_without_screening() -> None:
    # NHSRplotthedots' vignette: UPL 4.6, mean 1.94, LPL -0.72 with outlier screening.
    data = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    (screened,) = xmr(data, screen_outliers=True).segments
    assert round(screened.upper, 2) == 4.6
    assert round(screened.mean, 2) == 1.94
    assert round(screened.lower, 2) == -0.72
    assert screened.mr_mean == 1.0  # the ranges 8 and 9 are screened out
    (plain,) = xmr(data).segments
    assert plain.mr_mean == pytest.approx(32 / 17)
    assert flagged(xmr(data).outside) == [4]


def test_shift_of_seven_on_one_side() -> None:
    data = [2, 3, 2, 3, 2, 3, 2, 0, 1, 0, 1, 0, 1, 0, 1]
    chart = xmr(data)
    assert chart.segments[0].mean == pytest.approx(21 / 15)
    assert flagged(chart.outside) == []
    assert flagged(chart.shift) == list(range(15))
    assert flagged(chart.trend) == []
    assert flagged(chart.two_in_three) == []


def test_six_on_one_side_is_no_shift() -> None:
    data = [2, 3, 2, 3, 2, 3, 0, 1, 0, 1, 0, 1, 1.5]  # 6 above, 6 below, 1 on the mean
    chart = xmr(data)
    assert chart.segments[0].mean == 1.5
    assert chart.side.tolist() == [1] * 6 + [-1] * 6 + [0]
    assert flagged(chart.shift) == []
    assert flagged(xmr([*data[:-1], 0]).shift) == list(range(6, 13))  # now 7 below


def test_a_point_on_the_mean_breaks_a_run() -> None:
    data = [3] * 6 + [2] + [1] * 6  # mean exactly 2
    chart = xmr(data)
    assert chart.segments[0].mean == 2.0
    assert chart.side.tolist() == [1] * 6 + [0] + [-1] * 6
    assert flagged(chart.shift) == []
    assert flagged(xmr([3] * 7 + [1] * 7).shift) == list(range(14))


def test_trend_of_seven_and_ties() -> None:
    assert flagged(xmr([1, 2, 3, 4, 5, 6, 7]).trend) == list(range(7))
    assert flagged(xmr([1, 2, 3, 4, 5, 6]).trend) == []  # only 5 increases
    assert flagged(xmr([1, 2, 3, 3, 4, 5, 6, 7]).trend) == []  # a tie breaks the trend
    assert flagged(xmr([9, 8, 7, 6, 5, 4, 3, 10]).trend) == list(range(7))


def _alternating(n: int) -> list[float]:
    return [1.0 if i % 2 == 0 else -1.0 for i in range(n)]


def test_two_of_three_beyond_two_thirds_on_one_side() -> None:
    data = [*_alternating(40), 5, 1, 5, -1]
    chart = xmr(data)
    segment = chart.segments[0]
    assert segment.mean == pytest.approx(10 / 44)
    assert segment.mr_mean == pytest.approx((39 * 2 + 6 + 4 + 4 + 6) / 43)
    near = segment.mean + 2.66 * 2 / 3 * segment.mr_mean
    assert near < 5 < segment.upper
    assert flagged(chart.two_in_three) == [40, 42]  # the middle point is not near a limit
    assert flagged(chart.outside) == []


def test_two_of_three_needs_all_three_on_one_side() -> None:
    chart = xmr([*_alternating(40), 5, 0, 5, -1])
    assert chart.side[41] == -1
    assert flagged(chart.two_in_three) == []


def test_a_point_outside_the_limits_is_not_near_the_limit() -> None:
    chart = xmr([*_alternating(40), 5, 1, 9, -1])
    segment = chart.segments[0]
    assert segment.upper < 9
    assert flagged(chart.outside) == [42]
    assert flagged(chart.two_in_three) == []


def test_rebase_recalculates_limits_and_splits_runs() -> None:
    data = [1, 2, 1, 2, 1, 2, 10, 11, 10, 11, 10, 11]
    whole = xmr(data)
    assert whole.segments[0].mr_mean == pytest.approx((5 + 8 + 5) / 11)
    assert flagged(whole.outside) == [0, 2, 4, 7, 9, 11]  # limits 6 -/+ 4.35
    split = xmr(data, rebase=[6])
    first, second = split.segments
    assert (first.start, first.stop, first.mean, first.mr_mean) == (0, 6, 1.5, 1.0)
    assert (second.start, second.stop, second.mean, second.mr_mean) == (6, 12, 10.5, 1.0)
    assert flagged(split.outside) == []
    assert np.isnan(split.moving_range[6])
    assert split.per_point("upper").tolist() == [1.5 + 2.66] * 6 + [10.5 + 2.66] * 6


def test_special_combines_the_rules_and_rejects_nan() -> None:
    chart = xmr([1, 2, 3, 4, 5, 6, 7, 1])
    assert flagged(chart.special) == flagged(chart.outside | chart.shift | chart.trend)
    assert chart.signals()["trend"] == list(range(7))
    with pytest.raises(ValueError, match="without NaN"):
        xmr([1.0, float("nan")])


def test_one_point_has_no_limits() -> None:
    chart = xmr([4.0])
    assert np.isnan(chart.segments[0].upper)
    assert chart.segments[0].to_dict()["upper"] is None
    assert flagged(chart.special) == []
