"""What :func:`pathway.simulate` returns: per-case measures and cohort summaries.

Importing this module needs no numpy (so ``import pathway`` works without the ``sim``
extra); its methods import numpy when called.

Summaries are over the cases that arrived after the warm-up and reached an outcome
(in-flight cases have no end-to-end time yet). Each statistic (mean, median, 90th
percentile) is computed per replication and averaged; its confidence interval is the
95% t-interval on the replication values (none with a single replication).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import attrs

import pathway._sim._layout as L
from pathway._journal._measures import CaseMeasures
from pathway._vocab import DEMANDS, LEVELS, WAIT_CAUSES, WORK_CLASSES

if TYPE_CHECKING:
    import numpy.typing as npt

    from pathway._sim._run import ReplicationOutput

__all__ = ["MEASURES", "SimulationResult", "Summary", "t_quantile"]


#: Summarised measures: name -> (unit, description).
MEASURES: Mapping[str, tuple[str, str]] = {
    "end_to_end_days": ("days", "first contact to outcome, calendar time"),
    "touch_minutes": ("minutes", "time worked on the case"),
    "flow_efficiency": ("share", "value-work minutes / end-to-end minutes"),
    "visits": ("count", "attendances"),
    "dnas": ("count", "booked visits not attended"),
    "handoffs": ("count", "hand-offs at any level"),
    **{f"handoffs_{level}": ("count", f"hand-offs at {level} level") for level in LEVELS},
    "wait_days": ("days", "all waiting"),
    **{f"wait_{cause}_days": ("days", f"waiting for {cause}") for cause in WAIT_CAUSES},
    "failure_demand": ("count", "chases, and missed visits the person came back to rebook"),
    **{f"failure_{kind}": ("count", f"failure demand: {kind}") for kind in DEMANDS},
    "repeated_collection": ("count", "items asked for again"),
    **{f"{work}_minutes": ("minutes", f"{work} work") for work in WORK_CLASSES},
}

# Two-sided 95% Student t quantiles for 1..30 degrees of freedom.
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t_quantile(df: int) -> float:
    """The 97.5% quantile of Student's t with ``df`` degrees of freedom (df >= 1)."""
    if df <= len(_T975):
        return _T975[df - 1]
    z = 1.959963984540054
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    return z + g1 / df + g2 / df**2


@attrs.frozen
class Summary:
    """One measure over a cohort: mean, median and 90th percentile, with 95% intervals.

    ``*_ci`` are ``(low, high)`` t-intervals over replications (``None`` with one
    replication); ``cases`` counts the cases summarised (all replications together).
    """

    measure: str
    unit: str
    mean: float
    median: float
    p90: float
    cases: int
    mean_ci: tuple[float, float] | None = None
    median_ci: tuple[float, float] | None = None
    p90_ci: tuple[float, float] | None = None


def _interval(values: Sequence[float]) -> tuple[float, float] | None:
    finite = [v for v in values if math.isfinite(v)]
    if len(finite) < 2:
        return None
    mean = sum(finite) / len(finite)
    sd = math.sqrt(sum((v - mean) ** 2 for v in finite) / (len(finite) - 1))
    half = t_quantile(len(finite) - 1) * sd / math.sqrt(len(finite))
    return (mean - half, mean + half)


def _mean(values: Sequence[float]) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return sum(finite) / len(finite) if finite else math.nan


@attrs.frozen(eq=False)
class SimulationResult:
    """A simulation's output: per-case measure arrays per replication, and summaries.

    ``outputs`` holds one :class:`~pathway._sim._run.ReplicationOutput` per replication
    (numpy arrays, one row per case in arrival order). :meth:`measures` gives them by
    name, :meth:`to_measures` as :class:`~pathway.CaseMeasures`, :meth:`summary` the
    cohort statistics. ``arrived == finished + in_flight`` holds for every replication
    (conservation); with an event log, ``events_written == events_produced`` too.
    """

    pathway_id: str
    pathway_version: str
    content_hash: str
    timezone: str
    start: date
    seed: int
    replications: int
    warmup: float
    horizon: float
    outcomes: tuple[str, ...]
    milestones: tuple[str, ...]
    outputs: tuple[ReplicationOutput, ...]
    compiled: bool
    seconds: float

    # ---------------------------------------------------------------- conservation

    @property
    def arrived(self) -> int:
        """Cases that arrived, over all replications."""
        return sum(o.arrived for o in self.outputs)

    @property
    def finished(self) -> int:
        """Cases that reached an outcome, over all replications."""
        return sum(o.finished for o in self.outputs)

    @property
    def in_flight(self) -> int:
        """Cases still in the pathway when the run stopped (horizon, or stuck)."""
        return sum(o.in_flight for o in self.outputs)

    @property
    def stuck(self) -> int:
        """In-flight cases that stopped because no transition's guard held."""
        return sum(o.stuck for o in self.outputs)

    @property
    def events_produced(self) -> int:
        """Events the kernel produced (counted whether or not a log was written)."""
        return sum(o.events_produced for o in self.outputs)

    @property
    def events_written(self) -> int:
        """Events written to the event log files."""
        return sum(o.events_written for o in self.outputs)

    @property
    def events_paths(self) -> tuple[str, ...]:
        """The event log files written, one per replication."""
        return tuple(o.events_path for o in self.outputs if o.events_path)

    def conservation(self) -> dict[str, int]:
        """Counts that must balance: arrivals = outcomes + in flight, and events."""
        return {
            "arrived": self.arrived,
            "finished": self.finished,
            "in_flight": self.in_flight,
            "stuck": self.stuck,
            "events_produced": self.events_produced,
            "events_written": self.events_written,
        }

    # --------------------------------------------------------------------- measures

    def measures(
        self, replication: int = 0, *, outcome: bool = True
    ) -> dict[str, npt.NDArray[Any]]:
        """One replication's per-case measures by name (arrays in arrival order).

        Times are minutes unless the name says days; ``outcome`` is the outcome step id
        (``None`` while in flight; left out with ``outcome=False``, which saves an
        object array); ``in_window`` marks cases arriving after warm-up.
        """
        getters = self._measure_getters(replication)
        if not outcome:
            del getters["outcome"]
        return {name: get() for name, get in getters.items()}

    def _measure_getters(self, replication: int) -> dict[str, Callable[[], npt.NDArray[Any]]]:
        """Each measure of :meth:`measures` as a function giving its array (most are
        views of the kernel's arrays), so a summary holds one computed column at a time."""
        import numpy as np

        output = self.outputs[replication]
        minutes, counts = output.minutes, output.counts

        def view(table: npt.NDArray[Any], column: int) -> Callable[[], npt.NDArray[Any]]:
            return lambda: table[:, column]

        def outcome() -> npt.NDArray[Any]:
            names = np.asarray([*self.outcomes, None, None], dtype=object)
            found: npt.NDArray[Any] = names[counts[:, L.MI_OUTCOME]]
            return found

        result: dict[str, Callable[[], npt.NDArray[Any]]] = {
            "arrival_minutes": lambda: output.arrival,
            "end_minutes": lambda: output.end,
            "end_to_end_minutes": lambda: output.end - output.arrival,
            "in_window": lambda: output.arrival >= self.warmup,
            "outcome": outcome,
            "finished": lambda: counts[:, L.MI_OUTCOME] >= 0,
        }
        for i, work in enumerate(WORK_CLASSES):
            result[f"{work}_minutes"] = view(minutes, L.M_WORK + i)
        result["touch_minutes"] = lambda: minutes[:, L.M_WORK : L.M_WORK + 4].sum(
            axis=1, dtype=float
        )
        for i, cause in enumerate(WAIT_CAUSES):
            result[f"wait_{cause}_minutes"] = view(minutes, L.M_WAIT + i)
        for i, step in enumerate(self.milestones):
            result[f"to_{step}_minutes"] = view(minutes, L.M_MILESTONE + i)
        count_names = {
            "visits": L.MI_VISITS,
            "dnas": L.MI_DNAS,
            "repeated_collection": L.MI_REPEATED,
            "decisions": L.MI_DECISIONS,
            "appointments": L.MI_APPOINTMENTS,
            "visits_service": L.MI_VISITS_SERVICE,
            "visits_client": L.MI_VISITS_CLIENT,
            "steps": L.MI_STEPS,
        }
        for name, column in count_names.items():
            result[name] = view(counts, column)
        for i, level in enumerate(LEVELS):
            result[f"handoffs_{level}"] = view(counts, L.MI_HANDOFF + i)
        for i, kind in enumerate(DEMANDS):
            result[f"failure_{kind}"] = view(counts, L.MI_FAILURE + i)
        return result

    def _derived(self, replication: int) -> tuple[dict[str, Callable[[], npt.NDArray[Any]]], Any]:
        """The summarised measures, each a function computing its column over every
        case (so one column is held at a time), and the completed in-window cases."""
        import numpy as np

        output = self.outputs[replication]
        m = _OnDemand(self._measure_getters(replication))
        keep = (output.arrival >= self.warmup) & (output.counts[:, L.MI_OUTCOME] >= 0)

        def column(name: str) -> Callable[[], npt.NDArray[Any]]:
            return lambda: m[name]

        def days(name: str) -> Callable[[], npt.NDArray[Any]]:
            return lambda: m[name] / 1440.0

        def flow() -> npt.NDArray[Any]:
            e2e = output.end - output.arrival
            share: npt.NDArray[Any] = np.divide(
                m["value_minutes"], e2e, out=np.zeros(len(e2e)), where=e2e > 0
            )
            return share

        def total(names: Sequence[str], scale: float = 1.0) -> Callable[[], npt.NDArray[Any]]:
            return lambda: _total(m, names) / scale

        values: dict[str, Callable[[], npt.NDArray[Any]]] = {
            "end_to_end_days": lambda: (output.end - output.arrival) / 1440.0,
            "touch_minutes": column("touch_minutes"),
            "flow_efficiency": flow,
            "visits": column("visits"),
            "dnas": column("dnas"),
            "handoffs": total([f"handoffs_{level}" for level in LEVELS]),
            "wait_days": total([f"wait_{c}_minutes" for c in WAIT_CAUSES], 1440.0),
            "failure_demand": total([f"failure_{k}" for k in DEMANDS]),
            "repeated_collection": column("repeated_collection"),
        }
        for level in LEVELS:
            values[f"handoffs_{level}"] = column(f"handoffs_{level}")
        for cause in WAIT_CAUSES:
            values[f"wait_{cause}_days"] = days(f"wait_{cause}_minutes")
        for kind in DEMANDS:
            values[f"failure_{kind}"] = column(f"failure_{kind}")
        for work in WORK_CLASSES:
            values[f"{work}_minutes"] = column(f"{work}_minutes")
        return values, keep

    def summary(self) -> dict[str, Summary]:
        """Every measure in :data:`MEASURES`, summarised over completed in-window cases."""
        import numpy as np

        per: dict[str, list[tuple[float, float, float, int]]] = {name: [] for name in MEASURES}
        for r in range(len(self.outputs)):
            values, keep = self._derived(r)
            for name in MEASURES:
                column = np.asarray(values[name]()[keep], dtype=float)
                if len(column) == 0:
                    per[name].append((math.nan, math.nan, math.nan, 0))
                    continue
                mean = float(column.mean())
                median, p90 = np.percentile(column, [50, 90], overwrite_input=True)
                per[name].append((mean, float(median), float(p90), len(column)))
                del column
        return {name: self._summary(name, rows) for name, rows in per.items()}

    def _summary(self, name: str, rows: list[tuple[float, float, float, int]]) -> Summary:
        means, medians, p90s = ([row[i] for row in rows] for i in range(3))
        return Summary(
            measure=name,
            unit=MEASURES[name][0],
            mean=_mean(means),
            median=_mean(medians),
            p90=_mean(p90s),
            cases=sum(row[3] for row in rows),
            mean_ci=_interval(means),
            median_ci=_interval(medians),
            p90_ci=_interval(p90s),
        )

    def outcome_shares(self) -> dict[str, float]:
        """Share of in-window arrivals ending at each outcome (and ``in_flight``)."""
        import numpy as np

        totals: dict[str, float] = dict.fromkeys((*self.outcomes, "in_flight"), 0.0)
        count = 0
        for output in self.outputs:
            window = output.arrival >= self.warmup
            codes = output.counts[window, L.MI_OUTCOME]
            count += len(codes)
            for i, name in enumerate(self.outcomes):
                totals[name] += float(np.count_nonzero(codes == i))
            totals["in_flight"] += float(np.count_nonzero(codes < 0))
        return {name: value / count if count else math.nan for name, value in totals.items()}

    # ------------------------------------------------------------------ CaseMeasures

    def to_measures(self, replication: int = 0) -> list[CaseMeasures]:
        """One replication's cases as :class:`~pathway.CaseMeasures` (as the journal's
        ``measure_events`` would compute them from the event log)."""
        m = self.measures(replication)
        output = self.outputs[replication]
        last = output.last_time
        cases: list[CaseMeasures] = []
        for i in range(len(output.arrival)):
            cases.append(self._case_measures(m, i, last))
        return cases

    def _case_measures(self, m: Mapping[str, Any], i: int, last: float) -> CaseMeasures:
        finished = bool(m["finished"][i])
        end = float(m["end_minutes"][i]) if finished else last
        waits = {c: float(m[f"wait_{c}_minutes"][i]) for c in WAIT_CAUSES}
        failure = {k: int(m[f"failure_{k}"][i]) for k in DEMANDS}
        work = {w: float(m[f"{w}_minutes"][i]) for w in WORK_CLASSES}
        outcome = m["outcome"][i]
        return CaseMeasures(
            case_id=case_id(i),
            outcome=str(outcome) if outcome is not None else None,
            visits=int(m["visits"][i]),
            dnas=int(m["dnas"][i]),
            handoffs={level: int(m[f"handoffs_{level}"][i]) for level in LEVELS},
            waits={c: v for c, v in waits.items() if v > 0},
            touch_minutes=float(m["touch_minutes"][i]),
            elapsed_minutes=max(0.0, end - float(m["arrival_minutes"][i])),
            work_minutes={w: v for w, v in work.items() if v > 0},
            failure_demand={k: v for k, v in failure.items() if v > 0},
            decisions=int(m["decisions"][i]),
        )

    # ------------------------------------------------------------------------ times

    def datetime_of(self, minutes: float) -> datetime:
        """A simulation time as an aware datetime in the pathway's time zone."""
        wall = datetime.combine(self.start, time()) + timedelta(minutes=minutes)
        return wall.replace(tzinfo=ZoneInfo(self.timezone))

    # ---------------------------------------------------------------------- display

    def summary_table(self, names: Sequence[str] | None = None) -> list[list[str]]:
        """Rows (header first) of measure, unit, mean [95% CI], median, p90."""
        summary = self.summary()
        rows = [["measure", "unit", "mean", "95% CI", "median", "p90", "cases"]]
        for name in names or list(MEASURES):
            s = summary[name]
            interval = f"{s.mean_ci[0]:.3g} to {s.mean_ci[1]:.3g}" if s.mean_ci else "-"
            rows.append(
                [name, s.unit, f"{s.mean:.3g}", interval, f"{s.median:.3g}", f"{s.p90:.3g}",
                 str(s.cases)]
            )  # fmt: skip
        return rows


@attrs.frozen
class _OnDemand:
    """Measures by name, each computed when asked for (and not kept)."""

    getters: Mapping[str, Callable[[], Any]]

    def __getitem__(self, name: str) -> Any:
        return self.getters[name]()


def _total(measures: Any, names: Sequence[str]) -> Any:
    """The row-wise sum of several measures, in float64."""
    total = measures[names[0]].astype(float)
    for name in names[1:]:
        total = total + measures[name]
    return total


def case_id(index: int) -> str:
    """The id of the simulated case with arrival index ``index``."""
    return f"case-{index:07d}"
