"""The synthetic cohort, built with numpy before the event loop: arrivals and facts.

Both come from the *cohort stream*: the uniform for case ``i`` is a hash of (seed,
replication, ``i``, purpose, key), so two pathways that declare the same facts and the
same arrivals get identical cohorts from the same seed, whatever else differs.

Arrivals are a Poisson process in *open time*: exponential gaps measured in minutes the
arrivals calendar is open, mapped onto the wall clock through the calendar's open
intervals (weekly windows less closure days). Without a calendar every minute counts.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

import pathway._sim._layout as L
from pathway._model._distributions import (
    Bernoulli,
    Categorical,
    Distribution,
    Empirical,
    FixedValue,
    Normal,
    RandInt,
    Uniform,
)
from pathway._sim._fast import compiled_function, fast_available
from pathway._sim._plan import Plan, cannot_simulate
from pathway._sim._rng import (
    _A,
    _B,
    _C,
    _D,
    _E,
    _F,
    PURPOSE_ARRIVAL,
    PURPOSE_FACT,
    _poly,
    case_lanes,
    draw,
    lane_inits,
)
from pathway._sim._vexpr import Column, evaluate
from pathway._vocab import MINUTES_PER_DAY, MINUTES_PER_WEEK
from pathway.errors import SimulationError

__all__ = [
    "MAX_CASES",
    "adjust_weights",
    "arrival_times",
    "auto_matrix",
    "draw_facts",
    "guard_matrix",
    "ppnd_array",
    "uniforms",
]

FloatArray = npt.NDArray[np.float64]
_CHUNK = 1 << 16
#: The most cases one replication simulates (about 100 bytes of measures each, and the
#: cohort's facts): beyond it the run would exhaust memory rather than finish.
MAX_CASES = 50_000_000
#: Integers beyond this size are not exact as float64; guards mixing them with
#: fractions are evaluated case by case (see :mod:`pathway._sim._vexpr`).
_EXACT = 1 << 53


def uniforms(
    seed: int, replication: int, first: int, count: int, purpose: int, key: int
) -> FloatArray:
    """The cohort-stream uniforms of cases ``first .. first + count - 1``.

    Compiled when numba is available; otherwise numpy, in chunks (same numbers).
    """
    init_a, init_b = lane_inits(seed, replication)
    out = np.empty(count, dtype=np.float64)
    if fast_available():
        compiled_function("fill_uniforms")(out, init_a, init_b, first, purpose, key)
        return out
    for low in range(0, count, _CHUNK):
        high = min(count, low + _CHUNK)
        cases = np.arange(first + low, first + high, dtype=np.int64)
        lane_a, lane_b = case_lanes(init_a, init_b, cases)
        out[low:high] = draw(lane_a, lane_b, purpose, key, np.int64(0))
    return out


def ppnd_array(p: FloatArray) -> FloatArray:
    """Vectorised AS241 standard normal quantile (same formulas as ``_rng.ppnd``)."""
    p = np.clip(p, 1e-300, 1.0 - 1.1102230246251565e-16)
    q = p - 0.5
    central = np.abs(q) <= 0.425
    r = 0.180625 - q * q
    out = q * _poly(_A, r) / _poly(_B, r)
    tail = np.sqrt(-np.log(np.where(q < 0, p, 1.0 - p)))
    near = _poly(_C, tail - 1.6) / _poly(_D, tail - 1.6)
    far = _poly(_E, tail - 5.0) / _poly(_F, tail - 5.0)
    value = np.where(tail <= 5.0, near, far)
    value = np.where(q < 0, -value, value)
    result: FloatArray = np.where(central, out, value)
    return result


# --------------------------------------------------------------------------------- facts


def draw_facts(plan: Plan, count: int, seed: int, replication: int) -> dict[str, Column]:
    """Each declared fact's values for ``count`` cases (facts without a distribution are
    left out: they have no value in a synthetic cohort)."""
    columns: dict[str, Column] = {}
    for fact in plan.facts:
        if fact.distribution is None:
            continue
        u = uniforms(seed, replication, 0, count, PURPOSE_FACT, fact.key)
        try:
            columns[fact.name] = _fact_column(fact.distribution, u)
        except ValueError as error:
            field = f"facts.{fact.name}.distribution"
            raise cannot_simulate(plan.source, field, str(error)) from None
    return columns


def _fact_column(dist: Distribution, u: FloatArray) -> Column:
    if isinstance(dist, Bernoulli):
        return Column("bool", u < dist.p)
    if isinstance(dist, Categorical):
        return _column_of(list(dist.categories), _pick(dist.weights, u))
    if isinstance(dist, Uniform):
        return Column("number", dist.low + u * (dist.high - dist.low))
    if isinstance(dist, RandInt):
        span = dist.high - dist.low + 1
        return Column(
            "number", dist.low + np.minimum(np.floor(u * span), span - 1).astype(np.int64)
        )
    if isinstance(dist, Normal):
        return Column("number", dist.mean_value + dist.sd * ppnd_array(u))
    if isinstance(dist, Empirical):
        return _column_of(list(dist.values), _pick(dist.weights, u))
    if isinstance(dist, FixedValue):
        return _column_of([dist.value], np.zeros(len(u), dtype=np.int64))
    raise ValueError(f"the simulator cannot draw facts from {dist.describe()}")


def _pick(weights: tuple[float, ...], u: FloatArray) -> npt.NDArray[np.int64]:
    cumulative = np.cumsum(np.asarray(weights, dtype=np.float64))
    index = np.searchsorted(cumulative, u * cumulative[-1], side="right")
    picked: npt.NDArray[np.int64] = np.minimum(index, len(weights) - 1).astype(np.int64)
    return picked


def _column_of(values: list[Any], index: npt.NDArray[np.int64]) -> Column:
    """A column from a value list: typed when all values share a kind and numpy holds
    them exactly, else mixed (object values, evaluated case by case: integers too big
    for 64 bits or mixed with fractions beyond 2**53, texts with NUL characters, which
    numpy's text arrays would drop)."""
    kinds = {_kind(v) for v in values}
    if kinds == {"bool"}:
        return Column("bool", np.asarray(values, dtype=bool)[index])
    if kinds == {"number"} and _exact_numbers(values):
        return Column("number", np.asarray(values)[index])
    if kinds == {"text"} and not any("\x00" in v for v in values):
        return Column("text", np.asarray(values, dtype=str)[index])
    table = np.empty(len(values), dtype=object)
    table[:] = values
    return Column("mixed", table[index])


def _exact_numbers(values: list[Any]) -> bool:
    """Whether numpy holds ``values`` exactly in one array: all whole numbers within
    64 bits, or all fractions, or whole numbers within 2**53 beside fractions."""
    ints = [v for v in values if isinstance(v, int)]
    if len(ints) == len(values):
        return all(-(1 << 63) <= v < (1 << 63) for v in ints)
    return all(abs(v) <= _EXACT for v in ints)


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "text" if isinstance(value, str) else "other"


def guard_matrix(plan: Plan, columns: dict[str, Column], count: int) -> npt.NDArray[np.uint8]:
    """Whether each case's facts pass each guard: uint8 ``[count, guards]``."""
    return _matrix(plan.guards, columns, count)


def auto_matrix(plan: Plan, columns: dict[str, Column], count: int) -> npt.NDArray[np.uint8]:
    """Each case's answer to each automatic checkpoint question: uint8 ``[count, questions]``."""
    return _matrix(plan.automatic, columns, count)


def _matrix(expressions: Any, columns: dict[str, Column], count: int) -> npt.NDArray[np.uint8]:
    matrix = np.zeros((count, max(1, len(expressions))), dtype=np.uint8)
    for j, expression in enumerate(expressions):
        matrix[:, j] = evaluate(expression, columns, count)
    return matrix


# ------------------------------------------------------------------------------ arrivals


def arrival_times(
    plan: Plan, seed: int, replication: int, cases: int | None, horizon: float
) -> FloatArray:
    """Arrival times (minutes since the start date), sorted: at most ``cases`` of them
    and none after ``horizon``. One of ``cases`` and a finite ``horizon`` is needed."""
    arrivals = plan.arrivals
    if arrivals.times:
        times = np.asarray([t for t in arrivals.times if 0 <= t <= horizon], dtype=np.float64)
        return times[:cases] if cases is not None else times
    if cases is None and not math.isfinite(horizon):
        raise SimulationError("give a number of cases or a finite horizon")
    if arrivals.intensity <= 0:
        raise cannot_simulate(plan.source, "arrivals.rate", "the arrival rate is zero")
    count = cases if cases is not None else _expected(plan, horizon)
    while True:
        _check_count(count, cases)
        # -log1p(-u) / rate, summed: computed in place (a million cases: 8 MB, no copies)
        gaps = uniforms(seed, replication, 0, count, PURPOSE_ARRIVAL, 0)
        np.negative(gaps, out=gaps)
        np.log1p(gaps, out=gaps)
        np.negative(gaps, out=gaps)
        np.divide(gaps, arrivals.intensity, out=gaps)
        times = _to_wall(plan, np.cumsum(gaps, out=gaps))
        if cases is not None or times[-1] > horizon:
            break
        count *= 2
    if math.isfinite(horizon):
        times = times[times <= horizon]
    return times[:cases] if cases is not None else times


def _check_count(count: int, cases: int | None) -> None:
    """Refuse a cohort larger than :data:`MAX_CASES` before allocating it."""
    if count <= MAX_CASES:
        return
    asked = f"{cases:,} cases" if cases is not None else "the horizon"
    raise SimulationError(
        f"{asked} would need more than {MAX_CASES:,} cases in one replication, more than "
        "the simulator holds; simulate fewer cases, a shorter horizon, or replications"
    )


def _expected(plan: Plan, horizon: float) -> int:
    """A generous first guess of how many arrivals fall before ``horizon``."""
    mean = plan.arrivals.intensity * horizon
    return max(16, int(min(mean + 6 * math.sqrt(mean) + 16, MAX_CASES + 1)))


def _to_wall(plan: Plan, open_minutes: FloatArray) -> FloatArray:
    """Map positions in (weighted) open time onto wall-clock minutes through the calendar
    and the arrival profile: the time change that turns a unit-rate Poisson process into
    one with piecewise-constant intensity."""
    arrivals = plan.arrivals
    if (arrivals.calendar < 0 and not arrivals.pieces) or len(open_minutes) == 0:
        return open_minutes
    weeks = 2
    while True:
        starts, lengths, weights = _arrival_intervals(plan, weeks)
        cumulative = np.cumsum(lengths * weights)
        if len(cumulative) and cumulative[-1] > open_minutes[-1]:
            break
        weeks *= 2
    index = np.searchsorted(cumulative, open_minutes, side="right")
    # starts[index] + (open_minutes - (cumulative - lengths * weights)[index]) / weights[index]
    scratch = (cumulative - lengths * weights)[index]
    wall: FloatArray = np.subtract(open_minutes, scratch, out=open_minutes)
    if arrivals.pieces:
        np.divide(wall, weights[index], out=wall)
    np.take(starts, index, out=scratch)
    np.add(scratch, wall, out=wall)
    return wall


def _arrival_intervals(plan: Plan, weeks: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Intervals of constant arrival intensity over ``weeks`` weeks from the start date:
    (starts, lengths, weights) in wall minutes, without closure days. Without a profile
    they are the calendar's open intervals, each of weight 1."""
    arrivals = plan.arrivals
    if arrivals.pieces:
        pieces = [(s, e) for s, e, _ in arrivals.pieces]
        factors = np.asarray([w for _, _, w in arrivals.pieces], dtype=np.float64)
    else:
        pieces = _day_pieces(plan, arrivals.calendar)
        factors = np.ones(len(pieces), dtype=np.float64)
    week_starts = np.arange(weeks + 1, dtype=np.float64) * MINUTES_PER_WEEK - plan.weekoff
    starts = (week_starts[:, None] + np.asarray([p[0] for p in pieces])[None, :]).reshape(-1)
    ends = (week_starts[:, None] + np.asarray([p[1] for p in pieces])[None, :]).reshape(-1)
    weights = np.broadcast_to(factors[None, :], (weeks + 1, len(pieces))).reshape(-1)
    starts, ends = np.maximum(starts, 0.0), np.maximum(ends, 0.0)
    keep = ends > starts
    days = np.floor(starts / MINUTES_PER_DAY).astype(np.int64)
    if arrivals.calendar >= 0:
        cal_i, clos = plan.table("cal_i"), plan.table("clos")
        c0, nc = cal_i[arrivals.calendar, L.CAL_CLOS_OFF], cal_i[arrivals.calendar, L.CAL_CLOS_N]
        if nc:
            keep &= ~np.isin(days, clos[c0 : c0 + nc])
    if arrivals.months:
        weights = weights * _month_factors(plan, days)
    order = np.argsort(starts[keep], kind="stable")
    kept_starts, kept_ends = starts[keep][order], ends[keep][order]
    return kept_starts, kept_ends - kept_starts, weights[keep][order]


def _day_pieces(plan: Plan, calendar: int) -> list[tuple[float, float]]:
    """The calendar's weekly windows (minutes from Monday 00:00), split at midnights."""
    cal_i, win = plan.table("cal_i"), plan.table("win")
    first, count = cal_i[calendar, L.CAL_WIN_OFF], cal_i[calendar, L.CAL_WIN_N]
    pieces: list[tuple[float, float]] = []
    for s, e in win[first : first + count]:
        cut = s
        while cut < e:
            stop = min(e, (cut // MINUTES_PER_DAY + 1) * MINUTES_PER_DAY)
            pieces.append((cut, stop))
            cut = stop
    return pieces


def _month_factors(plan: Plan, days: npt.NDArray[np.int64]) -> FloatArray:
    """The month factor of each day (days since the start date)."""
    dates = np.datetime64(plan.start.isoformat(), "D") + days
    months = dates.astype("datetime64[M]").astype(np.int64) % 12
    return np.asarray(plan.arrivals.months, dtype=np.float64)[months]


REFERENCE_COHORT = 65536
REFERENCE_SEED = 0x5EED


def adjust_weights(plan: Plan) -> None:
    """Turn each guarded ``p`` (a share of all cases) into a weight among eligible moves."""
    if not plan.guards:
        return
    columns = draw_facts(plan, REFERENCE_COHORT, REFERENCE_SEED, 0)
    held = guard_matrix(plan, columns, REFERENCE_COHORT).mean(axis=0)
    tr_i, tr_f = plan.table("tr_i"), plan.table("tr_f")
    for t in range(len(tr_i)):
        column = tr_i[t, L.TI_GUARD]
        if column >= 0 and held[column] > 0:
            tr_f[t, L.TF_WEIGHT] = tr_f[t, L.TF_WEIGHT] / held[column]
