"""The fit report: simulate a discovered draft over as many cases as the log has and set
the two side by side.

Compared, each on finished cases: end-to-end time (median, p90, the Kolmogorov-Smirnov
statistic and the Wasserstein distance, i.e. the earth mover's distance, in days), the
median time from every move seen in both to the start of the next step (calendar and
queue included, so both sides are timed alike), hand-offs and visits per case, step
starts per hour of the week (total variation distance between the two profiles) and
outcome shares. A line fits when the simulated value is within :data:`CLOSE` (relative)
of the log's (or an hour, for a wait), or within :data:`CLOSE_SHARE` for shares; the
report says so in words.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pathway._analysis._cases import case_table
from pathway._discover._api import Discovery
from pathway._discover._fit import ks_distance
from pathway._discover._mine import Mined, mine
from pathway._extras import require
from pathway._journal._eventlog import NAT, EventLog, kind_code
from pathway._model._pathway import Pathway
from pathway._sim._api import simulate
from pathway.errors import EventLogError
from pathway.io._files import read_log, repeated_rows

__all__ = ["CLOSE", "CLOSE_SHARE", "FitReport", "fit_report", "log_measures"]

F64 = npt.NDArray[np.float64]
CLOSE = 0.05
CLOSE_SHARE = 0.02
OUTCOME = kind_code("outcome_reached")
MINUTE_NS = 60_000_000_000
_DAY = 1440.0


def wasserstein(a: F64, b: F64) -> float:
    """The 1-D Wasserstein (earth mover's) distance between two samples."""
    if len(a) == 0 or len(b) == 0:
        return math.nan
    q = (np.arange(1000) + 0.5) / 1000
    return float(np.mean(np.abs(np.quantile(a, q) - np.quantile(b, q))))


@attrs.frozen
class Line:
    """One compared figure: the log's value, the simulation's, and whether they agree."""

    measure: str
    log: float
    simulated: float
    unit: str
    fits: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "measure": self.measure,
            "log": _finite(self.log),
            "simulated": _finite(self.simulated),
            "unit": self.unit,
            "fits": self.fits,
        }


def _finite(value: float) -> float | None:
    return round(value, 6) if math.isfinite(value) else None


@attrs.frozen
class FitReport:
    """The draft against its log (see the module docstring)."""

    source: str
    cases: int
    simulated_cases: int
    lines: tuple[Line, ...]
    distances: dict[str, float]
    notes: tuple[str, ...] = ()

    def words(self) -> list[str]:
        """Where the draft fits and where it does not, in sentences."""
        good = [line.measure for line in self.lines if line.fits]
        bad = [line for line in self.lines if not line.fits]
        out = [f"Fits the log on {len(good)} of {len(self.lines)} figures."]
        for line in bad:
            out.append(
                f"Does not fit: {line.measure}: the log {_show(line.log, line.unit)}, "
                f"the draft {_show(line.simulated, line.unit)}."
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "source": self.source,
            "cases": self.cases,
            "simulated_cases": self.simulated_cases,
            "distances": {k: _finite(v) for k, v in self.distances.items()},
            "lines": [line.to_dict() for line in self.lines],
            "summary": self.words(),
            "notes": list(self.notes),
        }

    def to_json(self) -> str:
        """The report as JSON text."""
        return json.dumps(self.to_dict(), indent=2) + "\n"

    def to_text(self) -> str:
        """The report as a plain-text table and sentences."""
        width = max([len(line.measure) for line in self.lines] + [10])
        rows = [
            f"Fit of the draft to {self.source}: {self.cases:,} cases in the log, "
            f"{self.simulated_cases:,} simulated",
            "",
            f"{'measure'.ljust(width)}  {'log':>12}  {'draft':>12}  fits",
        ]
        for line in self.lines:
            rows.append(
                f"{line.measure.ljust(width)}  {_show(line.log, line.unit):>12}  "
                f"{_show(line.simulated, line.unit):>12}  {'yes' if line.fits else 'NO'}"
            )
        rows.append("")
        rows.append(
            "distances: "
            + ", ".join(f"{k} {v:.3f}" for k, v in self.distances.items() if math.isfinite(v))
        )
        rows.append("")
        rows.extend(self.words())
        rows.extend(f"Note: {note}" for note in self.notes)
        return "\n".join(rows) + "\n"


def _show(value: float, unit: str) -> str:
    if not math.isfinite(value):
        return "-"
    if unit == "share":
        return f"{value:.1%}"
    return f"{value:.3g} {unit}".strip()


@attrs.frozen(eq=False)
class Measures:
    """The figures the fit report compares, for one log."""

    end_to_end: F64
    handoffs: float
    visits: float
    outcomes: dict[str, float]
    week: F64
    waits: dict[tuple[str, str], float]


def log_measures(log: EventLog, mined: Mined, rename: dict[str, str] | None = None) -> Measures:
    """The compared figures of ``log`` (``mined`` from it); ``rename`` maps step
    ids to the names the other side uses."""
    names = rename or {}
    table = case_table(log)
    done = table.finished
    labels = log.labels("step")
    ended = [labels[int(c)] for c in table.outcome[done].tolist()]
    ended = [names.get(n, n) for n in ended]
    total = max(len(ended), 1)
    counts: dict[str, float] = {}
    for name in ended:
        counts[name] = counts.get(name, 0.0) + 1.0 / total
    starts = np.concatenate([s.starts_week for s in mined.steps.values()] or [np.zeros(0)])
    week = np.bincount((starts // 60).astype(np.int64), minlength=168)[:168].astype(float)
    return Measures(
        end_to_end=np.asarray(table.end_to_end[done] / _DAY, dtype=np.float64),
        handoffs=float(table.handoffs.sum(axis=1).mean()) if len(table) else math.nan,
        visits=float(table.visits.mean()) if len(table) else math.nan,
        outcomes=counts,
        week=week / max(week.sum(), 1.0),
        waits={
            (names.get(s, s), names.get(t, t)): value for (s, t), value in move_waits(log).items()
        },
    )


def move_waits(log: EventLog) -> dict[tuple[str, str], float]:
    """The median time (days) from each move to the start of the next step (or the
    outcome), by move: the same clock on both sides of the fit report, whatever each
    log says about causes."""
    moved = log.rows_of(kind_code("transitioned"))
    begins = np.union1d(log.rows_of(kind_code("step_completed")), log.rows_of(OUTCOME))
    if len(moved) == 0 or len(begins) == 0:
        return {}
    started = log.started[begins]
    known = (log.kind[begins] != OUTCOME) & (started != NAT)  # a step's start, when known
    begin_at = np.where(known, started, log.at[begins])
    after = np.searchsorted(begins, moved, side="right")
    ok = after < len(begins)
    nxt = np.minimum(after, len(begins) - 1)
    ok &= log.case[begins[nxt]] == log.case[moved]
    waits = (begin_at[nxt] - log.at[moved]) / MINUTE_NS / _DAY
    steps = log.labels("step")
    source = log.column("source")[moved]
    target = log.column("target")[moved]
    out: dict[tuple[str, str], list[float]] = {}
    for s, t, w, good in zip(
        source.tolist(), target.tolist(), waits.tolist(), ok.tolist(), strict=True
    ):
        if good and s >= 0 and t >= 0:
            out.setdefault((steps[s], steps[t]), []).append(max(w, 0.0))
    return {key: float(np.median(values)) for key, values in out.items()}


def fit_report(discovery: Discovery, *, seed: int = 0, cases: int | None = None) -> FitReport:
    """Simulate ``discovery``'s draft over the log's number of cases (or ``cases``) and
    compare it with the log (see the module docstring). Raises what
    :func:`pathway.simulate` raises."""
    log = discovery.log
    n = cases or log.n_cases
    with tempfile.TemporaryDirectory(prefix="pathway-fit-") as folder:
        path = Path(folder) / "draft.parquet"
        simulate(discovery.pathway, cases=n, seed=seed, events=path)
        sim_log, dropped = _read_simulated(path)
    sim_mined = mine(sim_log, timezone=discovery.mined.timezone, source="<simulated>")
    real = log_measures(log, discovery.mined)
    sim = log_measures(sim_log, sim_mined, _outcome_names(discovery.pathway))
    report = _compare(discovery.mined.source, log.n_cases, n, real, sim)
    if dropped:
        note = (
            f"the simulated log repeated {dropped} event(s) exactly (a step of zero touch "
            "time looping back to itself at once); each was counted once"
        )
        report = attrs.evolve(report, notes=(*report.notes, note))
    return report


def _read_simulated(path: Path) -> tuple[EventLog, int]:
    """The simulated log at ``path``, and how many exactly repeated events were left out
    (the simulator writes a zero-time self-loop's events twice, which
    :func:`~pathway.io.read_log` refuses)."""
    try:
        return read_log(path), 0
    except EventLogError as error:
        if not all("repeats row" in problem.message for problem in error.problems):
            raise
    pa = require("pyarrow", extra="sim", feature="the fit report")
    parquet = require("pyarrow.parquet", extra="sim", feature="the fit report")
    table = parquet.read_table(path)
    fields = [
        np.asarray(
            pa.compute.dictionary_encode(column.combine_chunks()).indices.fill_null(-1),
            dtype=np.int64,
        )
        for column in table.columns
    ]
    keep = np.ones(table.num_rows, dtype=bool)
    for _, repeat in repeated_rows(fields):
        keep[repeat] = False
    parquet.write_table(table.filter(pa.array(keep)), path)
    return read_log(path), int((~keep).sum())


def _outcome_names(pathway: Pathway) -> dict[str, str]:
    """Step id -> the log's name for it: the draft's title (an outcome ``x_ended``,
    titled ``Ended after x``, -> ``x``)."""
    out = {}
    for step_id, step in pathway.steps.items():
        title = step.title or step_id
        out[step_id] = title.removeprefix("Ended after ") if step.outcome else title
    return out


def _relative(a: float, b: float) -> bool:
    if not (math.isfinite(a) and math.isfinite(b)):
        return False
    return abs(a - b) <= CLOSE * max(abs(a), 1e-9) or abs(a - b) < 1e-9


def _compare(source: str, cases: int, simulated: int, real: Measures, sim: Measures) -> FitReport:
    lines: list[Line] = []

    def add(measure: str, a: float, b: float, unit: str, fits: bool | None = None) -> None:
        lines.append(Line(measure, a, b, unit, _relative(a, b) if fits is None else fits))

    def q(x: F64, p: float) -> float:
        return float(np.quantile(x, p)) if len(x) else math.nan

    add("end-to-end median", q(real.end_to_end, 0.5), q(sim.end_to_end, 0.5), "d")
    add("end-to-end p90", q(real.end_to_end, 0.9), q(sim.end_to_end, 0.9), "d")
    add("hand-offs per case", real.handoffs, sim.handoffs, "")
    add("visits per case", real.visits, sim.visits, "")
    for name in sorted(set(real.outcomes) | set(sim.outcomes)):
        a, b = real.outcomes.get(name, 0.0), sim.outcomes.get(name, 0.0)
        add(f"outcome {name}", a, b, "share", abs(a - b) <= CLOSE_SHARE)
    for key in sorted(set(real.waits) & set(sim.waits)):
        a, b = real.waits[key], sim.waits[key]
        fits = _relative(a, b) or abs(a - b) < 1 / 24
        add(f"median wait {key[0]} -> {key[1]}", a, b, "d", fits)
    distances = {
        "end_to_end_ks": ks_distance(real.end_to_end, sim.end_to_end),
        "end_to_end_emd_days": wasserstein(real.end_to_end, sim.end_to_end),
        "hour_of_week_tv": float(0.5 * np.abs(real.week - sim.week).sum()),
    }
    return FitReport(source, cases, simulated, tuple(lines), distances)
