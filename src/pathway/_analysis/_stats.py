"""Summary statistics over numpy arrays: whole-array and per-group, vectorised.

Percentiles use linear interpolation between order statistics (numpy's default
``method="linear"``, R's type 7), so a median of an even count is the mean of the two
middle values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

__all__ = ["PERCENTILES", "Summary", "grouped_summary", "summarise"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
PERCENTILES: tuple[int, ...] = (10, 25, 50, 75, 90, 95)


@attrs.frozen
class Summary:
    """Count, mean, extremes and percentiles of a set of values (``None`` when empty)."""

    n: int
    mean: float | None
    min: float | None
    max: float | None
    percentiles: dict[int, float | None]

    @property
    def median(self) -> float | None:
        """The 50th percentile."""
        return self.percentiles.get(50)

    @property
    def p90(self) -> float | None:
        """The 90th percentile."""
        return self.percentiles.get(90)

    def scaled(self, factor: float) -> Summary:
        """The same summary with every value multiplied by ``factor`` (unit change)."""

        def scale(value: float | None) -> float | None:
            return None if value is None else value * factor

        return Summary(
            self.n,
            scale(self.mean),
            scale(self.min),
            scale(self.max),
            {p: scale(v) for p, v in self.percentiles.items()},
        )

    def to_dict(self) -> dict[str, float | int | None]:
        """``{"n", "mean", "min", "max", "p10", ..., "p95"}`` (``median`` is ``p50``)."""
        result: dict[str, float | int | None] = {
            "n": self.n,
            "mean": self.mean,
            "median": self.median,
            "min": self.min,
            "max": self.max,
        }
        result.update({f"p{p}": v for p, v in self.percentiles.items()})
        return result


def summarise(values: npt.ArrayLike, percentiles: Sequence[int] = PERCENTILES) -> Summary:
    """Summary of ``values`` (NaNs ignored)."""
    data = np.asarray(values, dtype=np.float64)
    data = data[~np.isnan(data)]
    if data.size == 0:
        return Summary(0, None, None, None, dict.fromkeys(percentiles))
    found = quantiles(data, [p / 100 for p in percentiles])
    return Summary(
        int(data.size),
        float(data.mean()),
        float(data.min()),
        float(data.max()),
        {p: float(v) for p, v in zip(percentiles, found, strict=True)},
    )


def quantiles(values: F64, wanted: Sequence[float]) -> F64:
    """The ``wanted`` quantiles (0..1) of non-empty ``values``, interpolated linearly
    between order statistics (numpy's default method), by one partial sort."""
    position = (values.size - 1) * np.asarray(wanted, dtype=np.float64)
    low = np.floor(position).astype(np.intp)
    high = np.ceil(position).astype(np.intp)
    parted = np.partition(values, sorted({*low.tolist(), *high.tolist()}))
    result: F64 = parted[low] + (parted[high] - parted[low]) * (position - low)
    return result


def grouped_quantiles(
    values: F64, groups: I64, n_groups: int, wanted: Sequence[float]
) -> npt.NDArray[np.float64]:
    """Per group (rows) the given quantiles (0..1, linear; columns) of ``values``; NaN for
    an empty group. Values are put in group order with one stable integer sort, then each
    group's slice is partitioned: no Python work per value."""
    result = np.full((n_groups, len(wanted)), np.nan)
    if values.size == 0:
        return result
    # small integer keys sort by radix sort (linear time) in numpy's stable sort
    keys = groups.astype(np.int16) if n_groups < 2**15 else groups
    order = np.argsort(keys, kind="stable")
    del keys  # the sort's temporaries go as soon as they are used: logs can be large
    ordered = values[order]
    del order
    counts = np.bincount(groups, minlength=n_groups)
    ends = np.cumsum(counts)
    for group in np.flatnonzero(counts):
        chunk = ordered[ends[group] - counts[group] : ends[group]]
        result[group] = quantiles(chunk, wanted)
    return result


def grouped_summary(values: F64, groups: I64, n_groups: int) -> tuple[I64, F64, F64, F64]:
    """Per group: count, mean, median and 90th percentile of ``values`` (NaN if empty)."""
    counts = np.bincount(groups, minlength=n_groups)
    totals = np.bincount(groups, weights=values, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, totals / np.maximum(counts, 1), np.nan)
    found = grouped_quantiles(values, groups, n_groups, (0.5, 0.9))
    return counts.astype(np.int64), means, found[:, 0], found[:, 1]


def sum_by(keys: npt.NDArray[np.integer[Any]], weights: F64 | None, length: int) -> F64:
    """``np.bincount`` as float64: sums of ``weights`` (or counts) per key."""
    return np.asarray(np.bincount(keys, weights=weights, minlength=length), dtype=np.float64)
