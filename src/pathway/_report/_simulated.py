"""``pathway report --simulate N``: the report of a simulated cohort, measured as the
simulator runs, with no event log file and no object per event.

The kernel's event rows (integers and float minutes, in simulated-time order) are
turned into :class:`~pathway.EventLog` columns a buffer at a time and gathered by
*block* of cases (consecutive arrivals). A block is measured
(:func:`pathway._analysis._partial.part_of`) as soon as all its cases have reached an
outcome (or the run ends; see :mod:`pathway._report._blocks`); the blocks are then combined exactly
(:func:`pathway._analysis._partial.combine`). Memory is a few blocks of events and the
per-case table, whatever the number of cases.

Times are those the simulator's event log would hold (local wall times to the
microsecond, made UTC with the pathway's time zone), counted within each block from the
block's first event, so a run longer than an event log file can hold (past 2262) is
still measured: the report equals the one made from the simulator's Parquet log
wherever that log can be written.
"""

from __future__ import annotations

import contextlib
import math
from datetime import date
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

import pathway._sim._layout as L
from pathway._analysis._journey import Journey, journey_of
from pathway._analysis._partial import combine
from pathway._model._distributions import format_duration
from pathway._model._pathway import Pathway
from pathway._report._blocks import BLOCK_CASES, I64, give_back, prepare, simulated_places
from pathway._report._build import combined_report
from pathway._report._report import Replicated, Report
from pathway._report._sections import KEY_MEASURES
from pathway._sim._result import t_quantile
from pathway._sim._run import Progress, run_replication

__all__ = ["BLOCK_CASES", "replicated_report", "simulated_places", "simulated_report"]


def simulated_report(
    pathway: Pathway,
    cases: int | None,
    seed: int,
    *,
    horizon: float = math.inf,
    warmup: float = 0.0,
    replication: int = 0,
    block: int = BLOCK_CASES,
    progress: Progress | None = None,
    start: date | None = None,
) -> Report:
    """Simulate ``pathway`` (as ``simulate`` does: branching by shares, from ``start``,
    default the simulator's first day) and report on it, measured block by block;
    ``progress`` is told how many cases have arrived as the simulation runs.

    At most ``cases`` arrive, none after ``horizon`` minutes (which also stops the
    clock); one of the two is needed. Cases arriving before ``warmup`` minutes are
    simulated (they hold workers and places) but not measured. ``replication`` picks
    the independent stream of the seed, as ``simulate``'s replications do.

    Raises :class:`~pathway.errors.SimulationError` as :func:`pathway.simulate` does,
    and when every case arrived during the warm-up.
    """
    plan, run, blocks = prepare(pathway, cases, seed, horizon, warmup, replication, block, start)
    run_replication(plan, sink=blocks.add, progress=progress, **run)
    parts = blocks.finish()
    count, skip = run["cases"], blocks.skip

    def journey(part: int, case: int) -> Journey:
        # the same run again (same seed, same rows), keeping only this case's rows:
        # cheaper than holding or spilling every event for one journey
        number = int(blocks.numbers[blocks.measured[part]][case])
        kept: list[dict[str, Any]] = []

        def keep(ev_i: I64, ev_f: npt.NDArray[np.float64]) -> None:
            mine = ev_i[:, L.E_CASE] == number
            if mine.any():
                kept.append(blocks.columns(ev_i[mine], ev_f[mine]))
                if (ev_i[mine, L.E_KIND] == L.EV_OUTCOME_REACHED).any():
                    raise _CaseFinished  # nothing of this case comes later

        with contextlib.suppress(_CaseFinished):
            run_replication(plan, sink=keep, **run)
        rows = {name: np.concatenate([k[name] for k in kept]) for name in kept[0]}
        return journey_of(blocks.one_case(rows, number), 0, pathway)

    combined = combine(parts, release=give_back)
    give_back()
    report = combined_report(combined, pathway, journey)
    return attrs.evolve(report, notes=(*report.notes, *_run_notes(count, skip, horizon)))


def replicated_report(
    pathway: Pathway,
    cases: int | None,
    seed: int,
    replications: int,
    *,
    horizon: float = math.inf,
    warmup: float = 0.0,
    progress: Progress | None = None,
) -> Report:
    """:func:`simulated_report` of replication 1, and with two or more ``replications``
    each key measure's mean over all of them with a 95% t-interval (``Report.replicated``).

    Replication ``r`` is the seed's ``r``-th independent stream, as in ``simulate``;
    only the first run's report is kept whole, the others' measures are read and let go.
    """
    first: Report | None = None
    found: dict[str, list[tuple[float | None, float | None]]] = {}
    for replication in range(replications):
        report = simulated_report(
            pathway,
            cases,
            seed,
            horizon=horizon,
            warmup=warmup,
            replication=replication,
            progress=_share(progress, replication, replications),
        )
        first = first or report
        for name, (summary, _unit) in report.measures.items():
            found.setdefault(name, []).append((summary.mean, summary.median))
    assert first is not None  # replications >= 1
    if replications < 2:
        return first
    rows = tuple(
        (name, first.measures[name][1], *_across(found[name]))
        for name in KEY_MEASURES
        if name in first.measures and len(found.get(name, ())) == replications
    )
    return attrs.evolve(first, replicated=Replicated(replications, seed, rows))


def _across(
    values: list[tuple[float | None, float | None]],
) -> tuple[float | None, tuple[float, float] | None, float | None]:
    """The mean of the runs' means, its 95% t-interval, and the mean of their medians."""
    means = [m for m, _ in values if m is not None and math.isfinite(m)]
    medians = [m for _, m in values if m is not None and math.isfinite(m)]
    mean = sum(means) / len(means) if means else None
    median = sum(medians) / len(medians) if medians else None
    if mean is None or len(means) < 2:
        return mean, None, median
    sd = math.sqrt(sum((m - mean) ** 2 for m in means) / (len(means) - 1))
    half = t_quantile(len(means) - 1) * sd / math.sqrt(len(means))
    return mean, (mean - half, mean + half), median


def _share(progress: Progress | None, index: int, count: int) -> Progress | None:
    """Progress of replication ``index`` as a share of all replications' cases."""
    if progress is None:
        return None
    report = progress

    def scaled(done: int, total: int) -> None:
        report(index * total + done, count * total)

    return scaled


def _run_notes(count: int, skip: int, horizon: float) -> tuple[str, ...]:
    """What a reader needs to know about how the simulated cohort was cut."""
    notes = []
    if math.isfinite(horizon):
        notes.append(
            f"Simulated {count:,} arrivals over {format_duration(horizon)}; the clock "
            "stopped there, so cases still open then are in flight."
        )
    if skip:
        notes.append(
            f"The {skip:,} cases that arrived during the warm-up were simulated (they "
            "kept workers busy) but are left out of every measure."
        )
    return tuple(notes)


class _CaseFinished(Exception):
    """The typical case's outcome has been seen: its journey's rerun can stop."""
