"""Fitting what a log shows to what the pathway format can say: durations and calendars.

The rule for a duration sample (minutes), stated once here and in
``docs/how-to/from-last-years-data.md``:

* no values: nothing is learnt (the caller says so in a comment);
* every value the same: ``fixed``;
* fewer than :data:`MIN_LOGNORMAL` values: ``empirical`` over the values themselves
  (at most :data:`QUANTILES` of them, as quantiles);
* otherwise a ``lognormal`` with the sample's median and 90th percentile, kept when its
  Kolmogorov-Smirnov distance to the sample is at most :data:`KS_LOGNORMAL` (and every
  value is above zero); else ``empirical`` over :data:`QUANTILES` equally likely
  quantiles, which reproduces any shape (zeros, several peaks) to within 1/QUANTILES.

Calendars come from start times as minutes of the week (Monday 00:00 = 0, local time):
a day is open when it holds at least :data:`DAY_SHARE` of the starts; its window runs
from the :data:`TAIL` to the 1 - :data:`TAIL` quantile of that day's start times (all
of them below :data:`MIN_TRIM` starts), widened to whole quarter hours.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

__all__ = [
    "KS_LOGNORMAL",
    "MIN_LOGNORMAL",
    "QUANTILES",
    "Fit",
    "WeekWindows",
    "duration_text",
    "fit_duration",
    "ks_distance",
    "week_windows",
]

F64 = npt.NDArray[np.float64]
MIN_LOGNORMAL = 30
KS_LOGNORMAL = 0.05
QUANTILES = 50
DAY_SHARE = 0.01
TAIL = 0.005
MIN_TRIM = 200
_Z90 = 1.2815515655446004
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@attrs.frozen
class Fit:
    """A fitted duration: its YAML value (text or mapping) and the comment to write."""

    value: Any
    comment: str
    kind: str


def duration_text(minutes: float) -> str:
    """A duration in the format's words: ``0``, ``45s``, ``12.5m``, ``3.25h``, ``2.5d``."""
    if minutes <= 0 or not math.isfinite(minutes):
        return "0"
    if minutes < 1:
        return f"{_num(minutes * 60)}s"
    if minutes < 120:
        return f"{_num(minutes)}m"
    if minutes < 2 * 1440:
        return f"{_num(minutes / 60)}h"
    return f"{_num(minutes / 1440)}d"


def _num(value: float) -> str:
    """Up to 4 significant figures, no exponent, no trailing zeros."""
    digits = max(0, 3 - math.floor(math.log10(abs(value)))) if value else 0
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def ks_distance(a: F64, b: F64) -> float:
    """The two-sample Kolmogorov-Smirnov statistic (largest gap between the ECDFs)."""
    if len(a) == 0 or len(b) == 0:
        return math.nan
    a, b = np.sort(a), np.sort(b)
    grid = np.concatenate([a, b])
    fa = np.searchsorted(a, grid, side="right") / len(a)
    fb = np.searchsorted(b, grid, side="right") / len(b)
    return float(np.max(np.abs(fa - fb)))


def _ks_lognormal(values: F64, median: float, p90: float) -> float:
    """KS distance between ``values`` and the lognormal with this median and p90."""
    sigma = math.log(p90 / median) / _Z90
    x = np.sort(values)
    z = (np.log(x) - math.log(median)) / sigma
    cdf = 0.5 * (1.0 + _erf(z / math.sqrt(2.0)))
    n = len(x)
    upper = np.arange(1, n + 1) / n - cdf
    lower = cdf - np.arange(0, n) / n
    return float(max(upper.max(), lower.max()))


def _erf(x: F64) -> F64:
    """The error function, vectorised (Abramowitz-Stegun 7.1.26, error below 1.5e-7)."""
    sign = np.sign(x)
    t = 1.0 / (1.0 + 0.3275911 * np.abs(x))
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return np.asarray(sign * (1.0 - poly * np.exp(-x * x)), dtype=np.float64)


def fit_duration(sample: Sequence[float] | F64) -> Fit | None:
    """A duration distribution for ``sample`` (minutes) by the rule of the module
    docstring; ``None`` for an empty sample."""
    values = np.asarray(sample, dtype=np.float64)
    values = values[np.isfinite(values)]
    n = len(values)
    if n == 0:
        return None
    values = np.maximum(values, 0.0)
    low, high = float(values.min()), float(values.max())
    if high - low < 1e-6 * max(high, 1.0):
        return Fit(duration_text(low), f"n={n}, fixed: every value the same", "fixed")
    median = float(np.median(values))
    p90 = float(np.quantile(values, 0.9))
    if n >= MIN_LOGNORMAL and low > 0 and p90 > median > 0:
        ks = _ks_lognormal(values, median, p90)
        if ks <= KS_LOGNORMAL:
            return Fit(
                {"lognormal": {"median": duration_text(median), "p90": duration_text(p90)}},
                f"n={n}, lognormal by median and p90, KS {ks:.3f}",
                "lognormal",
            )
        why = f"lognormal KS {ks:.3f} > {KS_LOGNORMAL}"
    elif n >= MIN_LOGNORMAL:
        why = "zeros or a flat top rule out a lognormal"
    else:
        why = f"fewer than {MIN_LOGNORMAL} values"
    if n <= QUANTILES:
        points = np.sort(values)
    else:
        points = np.quantile(values, (np.arange(QUANTILES) + 0.5) / QUANTILES)
    texts = [duration_text(float(v)) for v in points]
    return Fit(
        {"empirical": texts},
        f"n={n}, empirical ({len(texts)} {'values' if n <= QUANTILES else 'quantiles'}; {why}); "
        f"median {duration_text(median)}, p90 {duration_text(p90)}",
        "empirical",
    )


@attrs.frozen
class WeekWindows:
    """Open windows found from start times: day -> (from minute, to minute) of the day."""

    days: tuple[tuple[str, int, int], ...]
    n: int
    covered: float

    def open_map(self) -> dict[str, str]:
        """The calendar's ``open`` mapping, days with equal windows grouped in order."""
        groups: dict[tuple[int, int], list[str]] = {}
        for day, start, end in self.days:
            groups.setdefault((start, end), []).append(day)
        return {", ".join(days): f"{_hm(s)}-{_hm(e)}" for (s, e), days in groups.items()}

    def key(self) -> tuple[tuple[str, int, int], ...]:
        """What makes two calendars the same."""
        return self.days


def _hm(minute: int) -> str:
    if minute >= 1440:
        return "24:00"
    return f"{minute // 60:02d}:{minute % 60:02d}"


def week_windows(minute_of_week: F64, *, same_hours: bool = False) -> WeekWindows | None:
    """Open windows covering the starts at ``minute_of_week`` (see the module docstring);
    ``None`` when there are no starts. ``same_hours`` gives every open day the widest
    day's hours."""
    n = len(minute_of_week)
    if n == 0:
        return None
    day = (minute_of_week // 1440).astype(np.int64)
    minute = minute_of_week - day * 1440
    out: list[tuple[str, int, int]] = []
    kept = 0
    for d in range(7):
        times = minute[day == d]
        if len(times) < max(1, DAY_SHARE * n):
            continue
        kept += len(times)
        if len(times) >= MIN_TRIM:
            lo, hi = np.quantile(times, [TAIL, 1 - TAIL])
        else:
            lo, hi = times.min(), times.max()
        start = int(lo // 15 * 15)
        end = min(1440, int(math.floor(hi / 15) + 1) * 15)
        out.append((_DAYS[d], start, max(end, start + 15)))
    if same_hours and out:
        start, end = min(s for _, s, _ in out), max(e for _, _, e in out)
        out = [(d, start, end) for d, _, _ in out]
    return WeekWindows(tuple(out), n, kept / n)
