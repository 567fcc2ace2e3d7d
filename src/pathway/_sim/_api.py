"""``pathway.simulate``: run a pathway on a synthetic cohort, in replications.

This module needs numpy (the ``sim`` extra); :mod:`pathway` reaches it through
:func:`pathway._extras.require`, which names the extra when it is missing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pathway._define._load import load
from pathway._model._distributions import parse_duration
from pathway._model._pathway import Pathway
from pathway._sim._cohort import adjust_weights
from pathway._sim._plan import Plan, build_plan
from pathway._sim._result import SimulationResult
from pathway._sim._run import ReplicationOutput, run_replication

__all__ = ["Duration", "simulate"]

Duration = float | int | str | timedelta
Progress = Callable[[int, int], None]


def _minutes(value: Duration | None, what: str, default: float) -> float:
    """A horizon or warm-up as minutes: a number of minutes, '52w', or a timedelta."""
    if value is None:
        return default
    if isinstance(value, timedelta):
        return value / timedelta(minutes=1)
    if isinstance(value, str):
        return parse_duration(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{what} must be minutes, a duration like '52w', or a timedelta")
    return float(value)


def _start(value: date | str | None) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(value)


def _events_path(events: str | Path | None, replication: int, replications: int) -> str | None:
    """The event log file of one replication (``out-r2.csv`` when there are several)."""
    if events is None:
        return None
    path = Path(events)
    if replications > 1:
        path = path.with_name(f"{path.stem}-r{replication + 1}{path.suffix}")
    return str(path)


def simulate(
    pathway: Pathway | str | Path,
    *,
    cases: int | None = None,
    seed: int = 0,
    replications: int = 1,
    executor: Executor | None = None,
    start: date | str | None = None,
    horizon: Duration | None = None,
    warmup: Duration | None = None,
    events: str | Path | None = None,
    milestones: Sequence[str] = (),
    branching: Literal["shares", "renormalise"] = "shares",
    progress: Progress | None = None,
    pure: bool = False,
) -> SimulationResult:
    """Simulate a cohort through ``pathway`` and measure every case.

    ``cases`` arrive by the pathway's ``arrivals`` (default 1000, or every arrival up to
    ``horizon`` when a horizon is given); ``seed`` fixes every random number (same seed,
    same result, byte for byte); ``replications`` independent cohorts run through
    ``executor`` (any ``concurrent.futures.Executor``, e.g. a process pool or a Dask
    client's ``get_executor()``; ``None`` runs them here, one after another). ``start``
    is the first day (default 2017-10-02, a Monday); ``horizon`` stops the clock and
    ``warmup`` leaves early arrivals out of the summaries (minutes, '26w' or a
    timedelta). ``events`` writes the full event log (``.csv`` or ``.parquet``; with
    several replications, one file each, ``name-r1.csv``...). ``milestones`` are steps
    whose first start is timed from arrival for each case. ``branching`` reads ``p`` as
    shares of all cases (default) or renormalises them over the eligible moves.
    ``progress(done, total)`` is called as cases arrive. ``pure`` runs the pure-Python
    reference kernel even when numba is installed.

    Two pathways simulated with the same seed get the same cohort (arrival times and
    facts) when they declare the same arrivals and facts, and the same per-case random
    numbers at shared steps and moves (common random numbers), so their measures can be
    compared case by case.

    Raises :class:`~pathway.errors.MissingExtraError` without the ``sim`` extra, and
    ``ValueError`` for a pathway that cannot be simulated (no arrivals...).
    """
    began = time.perf_counter()
    if not isinstance(pathway, Pathway):
        pathway = load(Path(pathway))
    if replications < 1:
        raise ValueError(f"replications must be at least 1, found {replications}")
    horizon_minutes = _minutes(horizon, "horizon", math.inf)
    warmup_minutes = _minutes(warmup, "warmup", 0.0)
    if cases is None and not math.isfinite(horizon_minutes):
        cases = 1000
    plan = build_plan(pathway, start=_start(start), milestones=milestones)
    if branching == "shares":
        adjust_weights(plan)
    jobs = [
        {
            "seed": seed,
            "replication": r,
            "cases": cases,
            "horizon": horizon_minutes,
            "events": _events_path(events, r, replications),
            "pure": pure,
        }
        for r in range(replications)
    ]
    outputs = _run_all(plan, jobs, executor, progress)
    return SimulationResult(
        pathway_id=pathway.id,
        pathway_version=pathway.version,
        content_hash=pathway.content_hash,
        timezone=pathway.timezone,
        start=plan.start,
        seed=seed,
        replications=replications,
        warmup=warmup_minutes,
        horizon=horizon_minutes,
        outcomes=plan.outcome_ids,
        milestones=plan.milestones,
        outputs=tuple(outputs),
        compiled=all(o.compiled for o in outputs),
        seconds=time.perf_counter() - began,
    )


def _run_all(
    plan: Plan, jobs: list[dict[str, Any]], executor: Executor | None, progress: Progress | None
) -> list[ReplicationOutput]:
    if executor is None:
        outputs = []
        for index, job in enumerate(jobs):
            report = _offset_progress(progress, index, len(jobs))
            outputs.append(run_replication(plan, progress=report, **job))
        return outputs
    futures = [executor.submit(run_replication, plan, **job) for job in jobs]
    outputs = []
    for index, future in enumerate(futures):
        outputs.append(future.result())
        if progress:
            progress(index + 1, len(jobs))
    return outputs


def _offset_progress(progress: Progress | None, index: int, count: int) -> Progress | None:
    """Progress of replication ``index`` as a share of all replications' cases."""
    if progress is None:
        return None
    report = progress

    def scaled(done: int, total: int) -> None:
        report(index * total + done, count * total)

    return scaled
