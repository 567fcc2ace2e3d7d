"""Making Data Count: a measure over time periods, with a verdict on variation and targets.

NHS England's Making Data Count plots a measure per period (a week or a month), not per
case, and reads two icons off the XmR chart, as NHSRplotthedots computes them:

* **variation**, the type of the *last* point: ``common_cause`` when no special-cause
  rule flags it; otherwise ``special_cause_neutral_high``/``_low`` when no direction is
  an improvement, ``special_cause_improvement`` when the point lies on the improving
  side of the mean, and ``special_cause_concern`` when it lies on the other (a point on
  a trend takes its side of the mean, as NHSRplotthedots does);
* **assurance** against a target, from the last segment's process limits:
  ``consistent_pass`` when both limits are on the target's good side, ``consistent_fail``
  when both are on its bad side, ``inconsistent`` (hit and miss) when the target lies
  between them; none without a target or a direction.

The period is chosen by the amount of data: the longest of month, week and day that
gives at least :data:`MIN_POINTS` periods with cases, else each case is a point. A
period's value is the mean of its cases' values (cases by their first event, in UTC).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import attrs
import numpy as np
import numpy.typing as npt

from pathway._analysis._xmr import XmR, xmr

__all__ = [
    "MIN_POINTS",
    "PeriodChart",
    "assurance",
    "before_after",
    "choose_period",
    "period_chart",
    "point_types",
    "variation",
]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Period = Literal["month", "week", "day", "case"]
Direction = Literal["increase", "decrease", "neutral"]
MIN_POINTS = 15
PERIODS: tuple[Period, ...] = ("month", "week", "day")
NS_PER_DAY = 86_400 * 10**9
MONDAY_OFFSET = 4  # 1970-01-01 was a Thursday: day 4 is Monday 1970-01-05
SIGN = {"increase": 1, "decrease": -1, "neutral": 0}


@attrs.frozen(eq=False)
class PeriodChart:
    """A measure per period: labels, cases per period, the XmR chart and its verdicts."""

    period: Period
    labels: tuple[str, ...]
    counts: I64
    chart: XmR
    direction: Direction
    variation: str
    target: float | None = None
    assurance: str | None = None


def choose_period(start_ns: npt.ArrayLike) -> Period:
    """The longest period giving at least :data:`MIN_POINTS` periods with cases."""
    starts = np.asarray(start_ns, dtype=np.int64)
    for period in PERIODS:
        if np.unique(_period_keys(starts, period)).size >= MIN_POINTS:
            return period
    return "case"


def period_chart(
    start_ns: npt.ArrayLike,
    values: npt.ArrayLike,
    *,
    direction: Direction = "decrease",
    target: float | None = None,
    period: Period | None = None,
) -> PeriodChart:
    """The mean of ``values`` per period of ``start_ns`` (nanoseconds since the epoch,
    UTC), as an XmR chart with its verdicts. Raises ValueError when the two differ in
    length or a value is NaN."""
    starts = np.asarray(start_ns, dtype=np.int64)
    x = np.asarray(values, dtype=np.float64)
    if starts.shape != x.shape or x.ndim != 1 or np.isnan(x).any():
        raise ValueError("period_chart needs equal-length series of times and numbers")
    chosen = period or choose_period(starts)
    labels, counts, means = _by_period(starts, x, chosen)
    chart = xmr(means)
    return PeriodChart(
        period=chosen,
        labels=labels,
        counts=counts,
        chart=chart,
        direction=direction,
        variation=variation(chart, direction),
        target=target,
        assurance=assurance(chart, target, direction),
    )


def before_after(
    before: tuple[npt.ArrayLike, npt.ArrayLike],
    after: tuple[npt.ArrayLike, npt.ArrayLike],
    *,
    direction: Direction = "decrease",
) -> PeriodChart:
    """Two runs of one measure per period on one chart, ``before`` then ``after`` (each
    ``(start_ns, values)``), by the same period, with the limits recalculated where
    ``after`` starts. Raises ValueError as :func:`period_chart` does."""
    old_starts, new_starts = (np.asarray(s, dtype=np.int64) for s in (before[0], after[0]))
    period = choose_period(old_starts if old_starts.size <= new_starts.size else new_starts)
    old = period_chart(old_starts, before[1], direction=direction, period=period)
    new = period_chart(new_starts, after[1], direction=direction, period=period)
    joined = np.concatenate([old.chart.values, new.chart.values])
    chart = xmr(joined, rebase=[len(old.labels)])
    return PeriodChart(
        period=period,
        labels=tuple(f"old {x}" for x in old.labels) + tuple(f"new {x}" for x in new.labels),
        counts=np.concatenate([old.counts, new.counts]),
        chart=chart,
        direction=direction,
        variation=variation(chart, direction),
    )


def point_types(chart: XmR, direction: Direction) -> list[str]:
    """Each point's type, as NHSRplotthedots names it (see the module docstring)."""
    improving = SIGN[direction]
    types = []
    for flagged, side in zip(chart.special.tolist(), chart.side.tolist(), strict=True):
        if not flagged:
            types.append("common_cause")
        elif improving == 0:
            types.append("special_cause_neutral_" + ("high" if side > 0 else "low"))
        elif side == improving:
            types.append("special_cause_improvement")
        else:
            types.append("special_cause_concern")
    return types


def variation(chart: XmR, direction: Direction) -> str:
    """The variation verdict: the last point's type (``common_cause`` with no points)."""
    types = point_types(chart, direction)
    return types[-1] if types else "common_cause"


def assurance(chart: XmR, target: float | None, direction: Direction) -> str | None:
    """Whether the process will meet ``target``: from the last segment's limits."""
    if target is None or direction == "neutral" or not chart.segments:
        return None
    last = chart.segments[-1]
    if np.isnan(last.upper):
        return None
    increasing = direction == "increase"
    if target > last.upper:
        return "consistent_fail" if increasing else "consistent_pass"
    if target < last.lower:
        return "consistent_pass" if increasing else "consistent_fail"
    return "inconsistent"


def _period_keys(starts: I64, period: Period) -> I64:
    """An integer per case naming its period (months or days since the epoch)."""
    if period == "month":
        return starts.astype("datetime64[ns]").astype("datetime64[M]").astype(np.int64)
    days = np.floor_divide(starts, NS_PER_DAY)
    if period == "week":
        weeks: I64 = np.floor_divide(days - MONDAY_OFFSET, 7)
        return weeks * 7 + MONDAY_OFFSET
    if period == "day":
        return days
    return np.arange(starts.size, dtype=np.int64)


def _by_period(starts: I64, x: F64, period: Period) -> tuple[tuple[str, ...], I64, F64]:
    keys = _period_keys(starts, period)
    unique, index = np.unique(keys, return_inverse=True)
    counts = np.bincount(index, minlength=unique.size).astype(np.int64)
    sums = np.bincount(index, weights=x, minlength=unique.size)
    means = sums / np.maximum(counts, 1)
    return _labels(unique, period), counts, means


def _labels(keys: Sequence[int] | I64, period: Period) -> tuple[str, ...]:
    if period == "month":
        return tuple(str(np.datetime64(int(k), "M")) for k in keys)
    if period == "case":
        return tuple(str(int(k) + 1) for k in keys)
    prefix = "w/c " if period == "week" else ""
    return tuple(prefix + str(np.datetime64(int(k), "D")) for k in keys)
