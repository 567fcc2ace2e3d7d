"""Model against observed: each figure a pathway file declares (``observed:``), computed
the same way from a report's cases or a simulation's, and set beside the source's value.

Numbers only (the words are in :mod:`pathway._report._observed`). A :class:`Frame` is one
set of cases as per-case columns in the report's units (days, minutes, shares, counts), in
arrival order, computed when asked for: from a log's case table (:func:`table_frame`, with
:func:`log_columns` for what the table lacks) or from one replication of a simulation
(:func:`simulation_frame`). :func:`compare` computes each figure on every frame (one per
replication) and gives the mean, a 95% t-interval over replications when there are
several, and whether the value lies within what was observed (widened by the tolerance).

Definitions:

* the population is the cases that reached an outcome (after the warm-up, in a
  simulation), narrowed by the figure's ``outcomes`` and ``where``;
* ``mean``, ``median``, ``p90`` of the per-case values (NaN values, such as the time to a
  step a case never reached, are left out); ``ucl`` the XmR upper process limit over the
  cases in arrival order, mean + 2.66 x the mean moving range; ``share`` the share of the
  cases whose value lies ``within`` the range (a NaN value lies outside);
* ``time_to``: first contact to the first start of ``step``, in days;
* the ratios (:data:`~pathway._model._observed.RATIOS`) are of the population's totals;
  a booked visit is an attendance a booking move (``cause: booking``) led to, and
  the first attendance the person asked for is their walk-in first contact.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pathway._analysis._cases import TRANSITIONED, VISIT_ATTENDED, CaseTable
from pathway._journal._eventlog import NAT, EventLog, kind_code
from pathway._model._observed import RATIOS, Interval, Observed
from pathway._model._pathway import Pathway
from pathway._vocab import DEMANDS, FRAGMENTATION_CAUSES, LEVELS, MINUTES_PER_DAY, WORK_CLASSES

__all__ = [
    "Comparison",
    "Frame",
    "compare",
    "log_columns",
    "simulation_frame",
    "steps_timed",
    "table_frame",
]

F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]
Column = Callable[[], F64]
STEP_STARTED = kind_code("step_started")
STEP_COMPLETED = kind_code("step_completed")
#: The XmR chart's constant: limits are the mean plus or minus 2.66 mean moving ranges.
XMR_SCALE = 2.66
# Two-sided 95% Student t quantiles for 1..10 degrees of freedom (more: the normal's).
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228)


@attrs.frozen(eq=False)
class Frame:
    """One set of cases: per-case columns by name (computed when asked for), each case's
    outcome step id (``None`` when open) and which cases are measured (``population``)."""

    columns: Mapping[str, Column]
    outcome: npt.NDArray[Any]
    population: B

    def column(self, name: str) -> F64:
        """The per-case values of ``name`` (zeros for a measure this frame lacks, such as
        a wait cause a simulation never records)."""
        get = self.columns.get(name)
        return np.asarray(get(), dtype=np.float64) if get else np.zeros(len(self.population))


@attrs.frozen
class Comparison:
    """One observed figure beside the model's: ``value`` is the mean over frames,
    ``interval`` its 95% t-interval (``None`` with one frame), ``cases`` the cases
    measured (all frames together) and ``agrees`` whether ``value`` lies within what was
    observed, widened by the tolerance (``None``: nothing to measure)."""

    observed: Observed
    value: float
    interval: tuple[float, float] | None
    cases: int
    agrees: bool | None


def compare(observed: Sequence[Observed], frames: Sequence[Frame]) -> tuple[Comparison, ...]:
    """Every observed figure computed on every frame, set beside the source's."""
    return tuple(_comparison(figure, frames) for figure in observed)


def _comparison(figure: Observed, frames: Sequence[Frame]) -> Comparison:
    found = [figure_of(figure, frame) for frame in frames]
    values = [value for value, _ in found if math.isfinite(value)]
    mean = sum(values) / len(values) if values else math.nan
    return Comparison(
        observed=figure,
        value=mean,
        interval=_interval(values),
        cases=sum(cases for _, cases in found),
        agrees=figure.agrees(mean),
    )


def _interval(values: Sequence[float]) -> tuple[float, float] | None:
    if len(values) < 2:
        return None
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
    df = len(values) - 1
    t = _T975[df - 1] if df <= len(_T975) else 1.959963984540054
    half = t * sd / math.sqrt(len(values))
    return (mean - half, mean + half)


def chosen(figure: Observed, frame: Frame) -> B:
    """The cases the figure is about: the population, ending at one of its
    ``outcomes``, with each ``where`` measure within its range."""
    keep = frame.population.copy()
    if figure.outcomes:
        keep &= _one_of(frame.outcome, figure.outcomes)
    for name, bound in figure.where:
        keep &= within(frame.column(name), bound)
    return keep


def _one_of(outcomes: npt.NDArray[Any], names: Sequence[str]) -> B:
    """Which cases ended at one of ``names`` (``outcomes``: step ids, None when open),
    compared name by name: no text copy of a million cases' outcomes."""
    found = np.zeros(len(outcomes), dtype=bool)
    for name in names:
        found |= outcomes == name
    return found


def within(values: F64, bound: Interval) -> B:
    """Which values lie in ``bound`` (ends included; NaN never does)."""
    with np.errstate(invalid="ignore"):
        inside: B = (values >= bound.low) & (values <= bound.high)
    return inside


def figure_of(figure: Observed, frame: Frame) -> tuple[float, int]:
    """The figure's value on one frame (NaN when no case counts) and the cases counted."""
    keep = chosen(figure, frame)
    if figure.measure in RATIOS:
        return _ratio(figure.measure, frame, keep), int(keep.sum())
    name = f"time_to_{figure.step}" if figure.measure == "time_to" else figure.measure
    values = frame.column(name)[keep]
    if figure.statistic != "share":  # a share counts a case that never got there as out
        values = values[np.isfinite(values)]
    return statistic(figure, values), len(values)


def statistic(figure: Observed, values: F64) -> float:
    """The figure's statistic of ``values`` (cases in arrival order); NaN when empty."""
    if values.size == 0:
        return math.nan
    kind = figure.statistic or "mean"
    if kind == "share":
        assert figure.within is not None
        return float(within(values, figure.within).mean())
    if kind == "median":
        return float(np.median(values))
    if kind == "p90":
        return float(np.percentile(values, 90))
    if kind == "ucl":
        return upper_limit(values)
    return float(values.mean())


def upper_limit(values: F64) -> float:
    """The XmR upper process limit: mean + 2.66 x mean moving range (NaN below 2 values)."""
    if values.size < 2:
        return math.nan
    return float(values.mean() + XMR_SCALE * np.abs(np.diff(values)).mean())


def _ratio(name: str, frame: Frame, keep: B) -> float:
    def total(column: str) -> float:
        return float(frame.column(column)[keep].sum())

    failure = sum(total(f"failure_{kind}") for kind in DEMANDS)
    if name == "dna_rate":
        top, bottom = total("dnas"), total("dnas") + total("booked")
    elif name == "failure_demand_share":
        top, bottom = failure, total("visits") + failure
    elif name == "chase_share":
        top, bottom = total("failure_chase"), failure
    else:  # service_requested_share: the person's first attendance is their walk-in
        client = np.maximum(frame.column("visits_client") - 1.0, 0.0)[keep].sum()
        top = total("visits_service")
        bottom = top + float(client)
    return top / bottom if bottom else math.nan


# ----------------------------------------------------------------------------- frames


def steps_timed(pathway: Pathway | None) -> tuple[str, ...]:
    """The steps whose time from first contact the pathway's observed figures need."""
    if pathway is None:
        return ()
    return tuple(dict.fromkeys(f.step for f in pathway.observed if f.step is not None))


def log_columns(log: EventLog, pathway: Pathway | None) -> dict[str, F64]:
    """What the case table lacks and the observed figures need, per case: days from
    first contact to each timed step's first start (NaN: never reached), booked visits,
    and attendances by who asked for them. Empty without observed figures."""
    if pathway is None or not pathway.observed:
        return {}
    n = log.n_cases
    starts, ends = log.case_bounds()
    first = np.where(ends > starts, log.at[np.minimum(starts, max(len(log) - 1, 0))], 0)
    columns = {f"time_to_{step}": _time_to(log, step, first, n) for step in steps_timed(pathway)}
    attended = log.rows_of(VISIT_ATTENDED)
    columns["booked"] = _booked(log, attended, n, pathway)
    requester = log.codes["requested_by"][attended].astype(np.int64)
    labels = log.labels("requested_by")
    for who in ("service", "client"):
        rows = attended[requester == labels.index(who)] if who in labels else attended[:0]
        columns[f"visits_{who}"] = np.bincount(log.case[rows], minlength=n).astype(np.float64)
    return columns


def _time_to(log: EventLog, step: str, first: Any, n: int) -> F64:
    """Days from each case's first event to the step's first start (NaN: never)."""
    result = np.full(n, np.nan)
    labels = log.labels("step")
    if step not in labels:
        return result
    code = labels.index(step)
    started = log.rows_of(STEP_STARTED)
    rows = started[log.codes["step"][started] == code]
    times = log.at[rows]
    if not rows.size:  # a log of completions: the completed step's start, when known
        done = log.rows_of(STEP_COMPLETED)
        rows = done[log.codes["step"][done] == code]
        times = log.started[rows]
        rows, times = rows[times != NAT], times[times != NAT]
    cases = log.case[rows]
    at = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(at, cases, times)
    reached = at < np.iinfo(np.int64).max
    result[reached] = (at[reached] - first[reached]) / 60e9 / MINUTES_PER_DAY
    return result


def _booked(log: EventLog, attended: Any, n: int, pathway: Pathway) -> F64:
    """Attendances a booking move led to (the move before them in the case's events
    declares ``cause: booking``), per case: a missed visit rebooked is still that move's."""
    moved = log.rows_of(TRANSITIONED)
    steps = log.labels("step")
    code = {step: i for i, step in enumerate(steps)}
    pairs = {
        (code[t.source], code[t.target])
        for t in pathway.transitions
        if t.declared_cause == "booking" and t.source in code and t.target in code
    }
    if not moved.size or not attended.size or not pairs:
        return np.zeros(n)
    before = np.searchsorted(moved, attended) - 1
    move = moved[np.maximum(before, 0)]
    same = (before >= 0) & (log.case[move] == log.case[attended])
    source = log.codes["source"][move].astype(np.int64)
    target = log.codes["target"][move].astype(np.int64)
    booked = same & np.asarray([(a, b) in pairs for a, b in zip(source, target, strict=True)])
    return np.bincount(log.case[attended[booked]], minlength=n).astype(np.float64)


def table_frame(
    table: CaseTable, scope: B, steps: Sequence[str], extra: Mapping[str, F64]
) -> Frame:
    """The report's cases as a frame: the case table's measures and ``extra`` columns
    (:func:`log_columns`); ``steps`` names the table's outcome codes."""
    values = table.measures()
    columns: dict[str, Column] = {name: _constant(v) for name, (v, _unit) in values.items()}
    columns.update({name: _constant(v) for name, v in extra.items()})
    names = np.asarray([*steps, None], dtype=object)
    return Frame(columns, names[table.outcome], scope)


def _constant(values: F64) -> Column:
    return lambda: values


def simulation_frame(measures: Mapping[str, Column], warmup: float = 0.0) -> Frame:
    """One replication of a simulation as a frame: ``measures`` are its per-case columns
    by the simulator's names (:meth:`pathway.SimulationResult.measures`, as functions);
    measured are the cases that reached an outcome and arrived after ``warmup`` minutes."""
    m = measures

    def days(name: str) -> Column:
        def column() -> F64:
            found = np.array(m[name](), dtype=np.float64)  # one array, divided in place
            found /= MINUTES_PER_DAY
            return found

        return column

    def total(names: Sequence[str], scale: float = 1.0) -> Column:
        def column() -> F64:
            found = np.zeros(len(m["finished"]()))
            for name in names:
                found += m[name]()  # in place: one array, however many columns
            if scale != 1.0:
                found /= scale
            return found

        return column

    e2e = total(["end_to_end_minutes"])
    frag = total([*(f"wait_{c}_minutes" for c in FRAGMENTATION_CAUSES),
                  *(f"{w}_minutes" for w in WORK_CLASSES[1:])])  # fmt: skip
    columns: dict[str, Column] = {
        "end_to_end": days("end_to_end_minutes"),
        "touch": total(["touch_minutes"]),
        "perfect_flow": total(["value_minutes"]),
        "flow_efficiency": lambda: _share(m["value_minutes"](), e2e()),
        "fragmentation": lambda: frag() / MINUTES_PER_DAY,
        "fragmentation_share": lambda: _share(frag(), e2e()),
        "handoffs": total([f"handoffs_{level}" for level in LEVELS]),
        "wait": total([n for n in m if n.startswith("wait_")], MINUTES_PER_DAY),
        "failure_demand": total([f"failure_{kind}" for kind in DEMANDS]),
        "repeated_information": total(["repeated_collection"]),
        "booked": total(["appointments"]),
    }
    for name in m:
        if name.startswith("wait_") and name.endswith("_minutes"):
            columns[name.removesuffix("_minutes")] = days(name)
        elif name.startswith("to_") and name.endswith("_minutes"):
            columns["time_to_" + name[3:].removesuffix("_minutes")] = days(name)
        elif name.endswith("_minutes") and name[: -len("_minutes")] in WORK_CLASSES:
            columns["work_" + name.removesuffix("_minutes")] = total([name])
        elif name not in columns and name not in {"outcome", "in_window", "finished"}:
            columns[name] = total([name])
    population = np.asarray(m["finished"](), dtype=bool) & (
        np.asarray(m["arrival_minutes"]()) >= warmup
    )
    return Frame(columns, np.asarray(m["outcome"](), dtype=object), population)


def _share(top: Any, bottom: Any) -> F64:
    top, bottom = np.asarray(top, dtype=np.float64), np.asarray(bottom, dtype=np.float64)
    result: F64 = np.divide(top, bottom, out=np.full(len(top), np.nan), where=bottom > 0)
    return result
