"""XmR (individuals) control charts with the NHS "Making Data Count" special-cause rules.

For values ``x`` in order (here: one value per case, in arrival order):

* centre line: the mean of ``x``;
* moving range ``mR[i] = |x[i] - x[i-1]|`` (none for a segment's first point), and its
  mean ``mR-bar``;
* natural process limits: ``mean ± 2.66 * mR-bar``; the moving-range chart's upper limit
  ``3.268 * mR-bar``;
* with ``screen_outliers`` (NHSRplotthedots' default; off here unless asked) moving
  ranges at or above ``3.267 * mR-bar`` are left out and ``mR-bar`` recomputed once.

Special-cause rules, as NHSRplotthedots implements them (each evaluated within a
segment; every point of a qualifying run is flagged):

* **outside**: a point above the upper or below the lower process limit (strictly);
* **shift**: 7 or more points in a row on the same side of the mean; a point exactly on
  the mean belongs to neither side and breaks the run;
* **trend**: 7 or more points each strictly higher (or each strictly lower) than the one
  before, i.e. 6 consecutive increases or decreases; a tie breaks the trend;
* **two in three**: 2 of 3 consecutive points beyond two-thirds of the way from the mean
  to a limit, with all 3 on the same side of the mean; the flagged points are those
  beyond the two-thirds line and not outside the limits (a point outside the limits is
  flagged by the first rule instead).

``rebase`` starts a new segment at each given index: limits are recalculated from that
point on (an old and a new pathway on one chart), and runs do not cross segments.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import attrs
import numpy as np
import numpy.typing as npt

__all__ = ["LIMIT", "MR_LIMIT", "Segment", "XmR", "xmr"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]
LIMIT = 2.66
MR_LIMIT = 3.268
SCREEN = 3.267
RUN = 7


@attrs.frozen
class Segment:
    """One stretch of the chart with its own limits: points ``start`` to ``stop - 1``."""

    start: int
    stop: int
    mean: float
    mr_mean: float
    lower: float
    upper: float
    mr_upper: float

    def to_dict(self) -> dict[str, float | int | None]:
        """JSON-ready values (NaN limits, from a one-point segment, become ``None``)."""
        return {
            name: (None if isinstance(value, float) and np.isnan(value) else value)
            for name, value in attrs.asdict(self).items()
        }


@attrs.frozen(eq=False)
class XmR:
    """An XmR chart: values, segments with their limits, and the points each rule flags."""

    values: F64
    segments: tuple[Segment, ...]
    moving_range: F64
    side: npt.NDArray[np.int8]
    outside: B
    shift: B
    trend: B
    two_in_three: B

    @property
    def special(self) -> B:
        """Points flagged by any rule."""
        return self.outside | self.shift | self.trend | self.two_in_three

    def per_point(self, name: str) -> F64:
        """``mean``, ``lower`` or ``upper`` for every point (from its segment)."""
        result = np.empty(len(self.values))
        for segment in self.segments:
            result[segment.start : segment.stop] = getattr(segment, name)
        return result

    def signals(self) -> dict[str, list[int]]:
        """Indices of the points each rule flags."""
        return {
            "outside": np.flatnonzero(self.outside).tolist(),
            "shift": np.flatnonzero(self.shift).tolist(),
            "trend": np.flatnonzero(self.trend).tolist(),
            "two_in_three": np.flatnonzero(self.two_in_three).tolist(),
        }


def xmr(
    values: npt.ArrayLike,
    *,
    rebase: Sequence[int] = (),
    screen_outliers: bool = False,
) -> XmR:
    """The XmR chart of ``values`` (see the module docstring); NaNs are not allowed."""
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1 or np.isnan(x).any():
        raise ValueError("xmr needs a one-dimensional series of numbers without NaN")
    bounds = sorted({0, *(int(i) for i in rebase if 0 < int(i) < len(x)), len(x)})
    segments = tuple(
        _segment(x, start, stop, screen_outliers)
        for start, stop in itertools.pairwise(bounds)
        if stop > start
    )
    parts = [_flags(x[s.start : s.stop], s) for s in segments]
    empty = np.zeros(0, dtype=bool)
    return XmR(
        values=x,
        segments=segments,
        moving_range=_moving_ranges(x, bounds),
        side=np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int8),
        outside=np.concatenate([p[1] for p in parts]) if parts else empty,
        shift=np.concatenate([p[2] for p in parts]) if parts else empty,
        trend=np.concatenate([p[3] for p in parts]) if parts else empty,
        two_in_three=np.concatenate([p[4] for p in parts]) if parts else empty,
    )


def _moving_ranges(x: F64, bounds: Sequence[int]) -> F64:
    ranges = np.full(len(x), np.nan)
    if len(x) > 1:
        ranges[1:] = np.abs(np.diff(x))
    for start in bounds[:-1]:
        ranges[start] = np.nan
    return ranges


def _segment(x: F64, start: int, stop: int, screen: bool) -> Segment:
    part = x[start:stop]
    mean = float(part.mean())
    ranges = np.abs(np.diff(part))
    mr_mean = float(ranges.mean()) if ranges.size else float("nan")
    if screen and ranges.size:
        kept = ranges[ranges < SCREEN * mr_mean]
        mr_mean = float(kept.mean()) if kept.size else mr_mean
    return Segment(
        start=start,
        stop=stop,
        mean=mean,
        mr_mean=mr_mean,
        lower=mean - LIMIT * mr_mean,
        upper=mean + LIMIT * mr_mean,
        mr_upper=MR_LIMIT * mr_mean,
    )


def _flags(y: F64, segment: Segment) -> tuple[npt.NDArray[np.int8], B, B, B, B]:
    """Side of the mean and the four rules' flags for one segment's points."""
    side = np.sign(y - segment.mean).astype(np.int8)
    if np.isnan(segment.mr_mean):
        none = np.zeros(len(y), dtype=bool)
        return side, none, none.copy(), none.copy(), none.copy()
    outside = (y > segment.upper) | (y < segment.lower)
    near = LIMIT * 2 / 3 * segment.mr_mean
    close = ~outside & ((y > segment.mean + near) | (y < segment.mean - near))
    steps = np.sign(np.diff(y)).astype(np.int8)
    trend_runs = _runs(steps, RUN - 1)
    trend = np.zeros(len(y), dtype=bool)
    trend[:-1] |= trend_runs
    trend[1:] |= trend_runs
    return side, outside, _runs(side, RUN), trend, _two_in_three(close, side)


def _runs(signs: npt.NDArray[np.int8], length: int) -> B:
    """Flags every element of a run of at least ``length`` equal, non-zero signs."""
    if signs.size == 0:
        return np.zeros(0, dtype=bool)
    change = np.flatnonzero(np.diff(signs) != 0) + 1
    starts = np.concatenate([[0], change])
    sizes = np.diff(np.concatenate([starts, [signs.size]]))
    qualifies = (sizes >= length) & (signs[starts] != 0)
    return np.repeat(qualifies, sizes)


def _two_in_three(close: B, side: npt.NDArray[np.int8]) -> B:
    """Points beyond the two-thirds line in a window of 3 with at least 2 such points,
    all 3 on one side of the mean."""
    n = len(close)
    flagged = np.zeros(n, dtype=bool)
    if n < 3:
        return flagged
    near = close.astype(np.int64)
    count = near[:-2] + near[1:-1] + near[2:]
    total = side[:-2].astype(np.int64) + side[1:-1] + side[2:]
    window = (count >= 2) & (np.abs(total) == 3)
    for offset in range(3):
        flagged[offset : n - 2 + offset] |= window
    return flagged & close
