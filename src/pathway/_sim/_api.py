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
from pathway._sim._cohort import MAX_CASES, adjust_weights
from pathway._sim._events import EVENT_SUFFIXES, FIRST_DAY, LAST_DAY
from pathway._sim._plan import Plan, build_plan
from pathway._sim._result import SimulationResult
from pathway._sim._run import ReplicationOutput, run_replication
from pathway.errors import SimulationError

__all__ = ["MAX_CASES", "Duration", "check_arguments", "simulate"]

Duration = float | int | str | timedelta
Progress = Callable[[int, int], None]
_DURATION = "minutes (a number), a duration like '52w', or a timedelta"
_MAX_SEED = 1 << 64


def _minutes(value: Duration | None, what: str, default: float) -> float:
    """A horizon or warm-up as minutes: a number of minutes, '52w', or a timedelta.

    Raises :class:`SimulationError` for anything else, a negative or a NaN duration.
    """
    if value is None:
        return default
    if isinstance(value, timedelta):
        minutes = value / timedelta(minutes=1)
    elif isinstance(value, str):
        try:
            minutes = parse_duration(value)
        except ValueError as error:
            raise SimulationError(f"{what}: {error}") from None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        minutes = float(value)
    else:
        raise SimulationError(f"{what} must be {_DURATION}, found {value!r}")
    if math.isnan(minutes) or minutes < 0:
        raise SimulationError(f"{what} must be {_DURATION}, at least 0; found {value!r}")
    return minutes


def _start(value: date | str | None) -> date | None:
    """The first simulated day; :class:`SimulationError` for a date the simulator and
    its event logs cannot represent, or text that is not an ISO 8601 date."""
    if value is None:
        return None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, str):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise SimulationError(
                f"start must be a date like 2017-10-02, found {value!r}"
            ) from None
    else:
        raise SimulationError(f"start must be a date or text like 2017-10-02, found {value!r}")
    if not FIRST_DAY <= day <= LAST_DAY:
        raise SimulationError(
            f"start must be between {FIRST_DAY} and {LAST_DAY} (the times an event log "
            f"can hold), found {day}"
        )
    return day


def _count(value: object, what: str, *, optional: bool = False) -> int | None:
    """``value`` as a whole number of at least 1 (``None`` allowed when ``optional``)."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SimulationError(f"{what} must be a whole number of at least 1, found {value!r}")
    if what == "cases" and value > MAX_CASES:
        raise SimulationError(
            f"cases must be at most {MAX_CASES:,} per replication, found {value:,}; "
            "use replications for more"
        )
    return value


def _events(events: str | Path | None) -> Path | None:
    """The events file as a path; :class:`SimulationError` for a suffix the simulator
    cannot write or a folder that does not exist."""
    if events is None:
        return None
    path = Path(events)
    if path.suffix.lower() not in EVENT_SUFFIXES:
        raise SimulationError(f"events file must end in .csv or .parquet, found {path.name!r}")
    if not path.parent.is_dir():
        raise SimulationError(f"cannot write events file {path}: no such folder {path.parent}")
    return path


def check_arguments(
    *,
    cases: object = None,
    seed: object = 0,
    replications: object = 1,
    start: date | str | None = None,
    horizon: Duration | None = None,
    warmup: Duration | None = None,
    events: str | Path | None = None,
    branching: object = "shares",
) -> tuple[float, float]:
    """Check :func:`simulate`'s arguments before any work; return (horizon, warm-up)
    in minutes.

    Raises :class:`SimulationError` naming the first argument it cannot use: ``cases``
    or ``replications`` below 1, a seed that is not a whole number below 2**64 in size,
    a start, horizon or warm-up it cannot read, a warm-up not shorter than the horizon,
    an events file with another suffix or in a missing folder, an unknown ``branching``.
    """
    _count(cases, "cases", optional=True)
    _count(replications, "replications")
    if isinstance(seed, bool) or not isinstance(seed, int) or abs(seed) >= _MAX_SEED:
        raise SimulationError(f"seed must be a whole number smaller than 2**64, found {seed!r}")
    _start(start)
    horizon_minutes = _minutes(horizon, "horizon", math.inf)
    warmup_minutes = _minutes(warmup, "warmup", 0.0)
    if horizon is not None and horizon_minutes <= 0:
        raise SimulationError(f"horizon must be longer than 0, found {horizon!r}")
    if warmup_minutes > 0 and warmup_minutes >= horizon_minutes:
        raise SimulationError(
            f"the warm-up ({warmup_minutes:g} minutes) must be shorter than the horizon "
            f"({horizon_minutes:g} minutes): "
            "every case would arrive during the warm-up and none would be measured"
        )
    if branching not in ("shares", "renormalise"):
        raise SimulationError(f"branching must be 'shares' or 'renormalise', found {branching!r}")
    _events(events)
    return horizon_minutes, warmup_minutes


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

    Raises :class:`~pathway.errors.MissingExtraError` without the ``sim`` extra;
    :class:`~pathway.errors.DefinitionError` naming the file and field for a pathway
    that cannot be simulated (no arrivals, a guard over a fact with no distribution,
    calendars never open together); :class:`~pathway.errors.SimulationError` for an
    argument it cannot use (see :func:`check_arguments`), an unknown milestone, a
    warm-up that leaves no case to measure, or an event log whose times would pass
    2262 (see ``docs/reference/simulator.md``). Both are ``ValueError`` too.
    """
    began = time.perf_counter()
    horizon_minutes, warmup_minutes = check_arguments(
        cases=cases,
        seed=seed,
        replications=replications,
        start=start,
        horizon=horizon,
        warmup=warmup,
        events=events,
        branching=branching,
    )
    if not isinstance(pathway, Pathway):
        pathway = load(Path(pathway))
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
    _check_measured(outputs, warmup_minutes, warmup)
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


def _check_measured(
    outputs: Sequence[ReplicationOutput], warmup_minutes: float, warmup: Duration | None
) -> None:
    """Refuse a run whose every case arrived during the warm-up (nothing to summarise)."""
    if warmup_minutes <= 0:
        return
    for output in outputs:
        if output.arrived and not bool((output.arrival >= warmup_minutes).any()):
            raise SimulationError(
                f"every one of the {output.arrived} simulated cases arrived during the "
                f"warm-up ({warmup!r}), so none would be measured; simulate more cases or "
                "shorten the warm-up"
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
