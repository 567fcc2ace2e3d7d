"""Observed figures a pathway file says it should reproduce, as the compiled model holds them.

A file's ``observed:`` list names a measure pathway computes (a per-case measure with a
statistic, the time to a step, or a cohort ratio), the value a source reports for it and
the source. :func:`parse_range` reads the value as the user wrote it (``3-4``, ``11d``,
``1h 45m``, ``32%``, ``<50%``) into an :class:`Interval` in the measure's unit (days,
minutes, share or count); :func:`parse_tolerance` reads how far a point value may be
missed (``15%`` of it, or ``2d``, ``0.5``, ``3pp`` in the measure's unit). The numbers are
compared with the model's in :mod:`pathway._analysis._observed` and said in words by
:mod:`pathway._report._observed`.

Units: the per-case measures are those of the report (:data:`CASE_MEASURES`, mirrored by
``pathway._report._words.MEASURES``, a test checks the two agree); ``time_to`` is the time
from first contact to the first start of ``step``, in days; the ratios
(:data:`RATIOS`) are shares of a cohort's totals.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import attrs

from pathway._model._distributions import DistributionSyntaxError, parse_duration
from pathway._vocab import (
    DEMANDS,
    LEVELS,
    MINUTES_PER_DAY,
    RECORDED_CAUSES,
    WORK_CLASSES,
)

__all__ = [
    "CASE_MEASURES",
    "DEFAULT_TOLERANCE",
    "OBSERVABLE",
    "RATIOS",
    "STATISTICS",
    "USES",
    "Interval",
    "Observed",
    "Tolerance",
    "parse_range",
    "parse_tolerance",
]

#: Per-case measures (the report's), by name: the unit their values are in.
CASE_MEASURES: Mapping[str, str] = {
    "end_to_end": "days",
    "fragmentation": "days",
    "fragmentation_share": "share",
    "perfect_flow": "minutes",
    "touch": "minutes",
    "flow_efficiency": "share",
    "visits": "count",
    "dnas": "count",
    "handoffs": "count",
    **{f"handoffs_{level}": "count" for level in LEVELS},
    "wait": "days",
    **{f"wait_{cause}": "days" for cause in RECORDED_CAUSES},
    **{f"work_{work}": "minutes" for work in WORK_CLASSES},
    "failure_demand": "count",
    **{f"failure_{kind}": "count" for kind in DEMANDS},
    "repeated_information": "count",
    "decisions": "count",
}
#: Cohort ratios: name -> what is divided by what (every case in the population together).
RATIOS: Mapping[str, str] = {
    "dna_rate": "booked visits missed / booked visits (missed and attended)",
    "failure_demand_share": "failure-demand contacts / all contacts (attendances and "
    "failure-demand contacts)",
    "chase_share": "progress chases / all failure-demand contacts",
    "service_requested_share": "attendances the service asked for / those and the ones "
    "the person asked for, less each case's first (the walk-in first contact)",
}
#: Every measure an observed figure may name, with its unit.
OBSERVABLE: Mapping[str, str] = {
    **CASE_MEASURES,
    "time_to": "days",
    **dict.fromkeys(RATIOS, "share"),
}
#: Statistics of a per-case measure over the population: ``ucl`` is the XmR upper
#: process limit over cases in arrival order (mean + 2.66 x mean moving range), ``share``
#: the share of cases whose value lies ``within`` a range.
STATISTICS = ("mean", "median", "p90", "ucl", "share")
#: What a figure is to the model: set from it (``calibration``), fed in (``input``),
#: compared afterwards (``check``) or predicted without tuning (``prediction``).
USES = ("calibration", "input", "check", "prediction")
#: How far a point value may be missed when the file gives no tolerance (of the value).
DEFAULT_TOLERANCE = 0.10

_NUMBER = r"[0-9]+(?:\.[0-9]+)?"
_BOUND = re.compile(r"^\s*(<=|>=|<|>)\s*(.+?)\s*$")
_PP = re.compile(rf"^\s*({_NUMBER})\s*pp\s*$")
_PERCENT = re.compile(rf"^\s*({_NUMBER})\s*%\s*$")
_PLAIN = re.compile(rf"^\s*({_NUMBER})\s*$")
_RANGE = re.compile(r"^\s*(.+?)\s*(?:-|\bto\b)\s*(.+?)\s*$")


@attrs.frozen
class Interval:
    """Where the observed value lies, in the measure's unit: ``low`` to ``high`` (either
    may be infinite for a bound such as ``<50%``); a point value has ``low == high``."""

    low: float
    high: float

    @property
    def point(self) -> bool:
        """Whether the source gave one value rather than a range or a bound."""
        return self.low == self.high


@attrs.frozen
class Tolerance:
    """How far the model may miss: ``relative`` (a share of the value) or ``absolute``
    (in the measure's unit)."""

    amount: float
    relative: bool

    def widen(self, interval: Interval) -> Interval:
        """``interval`` made wider by this tolerance at each finite end."""
        if self.relative:
            low = interval.low - abs(interval.low) * self.amount
            high = interval.high + abs(interval.high) * self.amount
        else:
            low, high = interval.low - self.amount, interval.high + self.amount
        return Interval(low, high)


@attrs.frozen
class Observed:
    """One observed figure: the measure (and how it is summarised), the value a source
    reports, and the source.

    ``text`` is the value as the user wrote it; ``interval`` the same in the measure's
    unit; ``outcomes`` and ``where`` choose the cases (ending at one of these outcomes;
    with each named per-case measure within its range); ``within`` is the range a case's
    value must lie in to count for the ``share`` statistic; ``index`` is the entry's
    position in the file's list.
    """

    measure: str
    unit: str
    statistic: str | None
    text: str
    interval: Interval
    source: str
    index: int
    tolerance: Tolerance | None = None
    note: str = ""
    step: str | None = None
    outcomes: tuple[str, ...] = ()
    where: tuple[tuple[str, Interval], ...] = ()
    within: Interval | None = None
    within_text: str = ""
    used_as: str = "check"

    @property
    def unit_of_value(self) -> str:
        """The unit the observed value is in: a share for the ``share`` statistic."""
        return "share" if self.statistic == "share" else self.unit

    @property
    def allowed(self) -> Interval:
        """The values the model may give and still agree: the observed interval widened
        by the tolerance (by :data:`DEFAULT_TOLERANCE` of a point value given none)."""
        tolerance = self.tolerance
        if tolerance is None and self.interval.point:
            tolerance = Tolerance(DEFAULT_TOLERANCE, relative=True)
        return tolerance.widen(self.interval) if tolerance is not None else self.interval

    def agrees(self, value: float) -> bool | None:
        """Whether a model value lies within :attr:`allowed` (``None`` when it is NaN)."""
        if math.isnan(value):
            return None
        allowed = self.allowed
        return allowed.low <= value <= allowed.high


def _number(text: str, unit: str) -> float:
    """One value (no range, no bound) in ``unit``; raises ``ValueError``."""
    found = _PERCENT.match(text)
    if found:
        if unit != "share":
            raise ValueError(f"a percentage is a share; this measure is in {unit}")
        return float(found.group(1)) / 100
    found = _PLAIN.match(text)
    if found:
        return float(found.group(1))
    if unit not in {"days", "minutes"}:
        raise ValueError(f"this measure is a {unit}: write a number, not {text!r}")
    try:
        minutes = parse_duration(text)
    except DistributionSyntaxError as error:
        raise ValueError(str(error)) from None
    return minutes / MINUTES_PER_DAY if unit == "days" else minutes


def parse_range(value: object, unit: str) -> Interval:
    """A value, range (``3-4``, ``2d to 5d``) or bound (``<50%``, ``>= 3``) in ``unit``
    (``days``, ``minutes``, ``share`` or ``count``). Raises ``ValueError`` saying why."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"expected a number, duration, percentage or range, found {value!r}")
    if not isinstance(value, str):
        if not math.isfinite(value):
            raise ValueError(f"expected a finite number, found {value!r}")
        return Interval(float(value), float(value))
    bound = _BOUND.match(value)
    if bound:
        limit = _number(bound.group(2), unit)
        below = bound.group(1).startswith("<")
        return Interval(-math.inf, limit) if below else Interval(limit, math.inf)
    span = _RANGE.match(value)
    if span and not _single(value, unit):
        low, high = _number(span.group(1), unit), _number(span.group(2), unit)
        if low > high:
            raise ValueError(f"a range goes from low to high, found {value!r}")
        return Interval(low, high)
    point = _number(value, unit)
    return Interval(point, point)


def _single(text: str, unit: str) -> bool:
    """Whether ``text`` reads as one value (a duration like ``1h 45m`` has no dash, but
    this keeps a leading minus or odd spacing from being read as a range)."""
    try:
        _number(text, unit)
    except ValueError:
        return False
    return True


def parse_tolerance(value: object, unit: str) -> Tolerance:
    """``15%`` (of the observed value), ``3pp`` (percentage points, for a share), or an
    amount in the measure's unit (``2d``, ``0.5``). Raises ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"expected '15%', '3pp' or an amount like '2d', found {value!r}")
    if isinstance(value, int | float):
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"expected an amount of 0 or more, found {value!r}")
        return Tolerance(float(value), relative=False)
    found = _PERCENT.match(value)
    if found:
        return Tolerance(float(found.group(1)) / 100, relative=True)
    found = _PP.match(value)
    if found:
        if unit != "share":
            raise ValueError(f"percentage points ('pp') are for a share; this one is in {unit}")
        return Tolerance(float(found.group(1)) / 100, relative=False)
    return Tolerance(_number(value, unit), relative=False)
