"""Analysis benchmark: pathway's per-case measures and delay attribution on a one-million-
event log, side by side with pm4py computing the performance DFG and handover network.

Run: ``.venv/bin/python -m benchmarks.analysis_bench`` (``--quick`` for a smoke run;
pm4py comes from the benchmark-only ``pm`` extra: ``pip install -e '.[pm]'``).

The log: live cases run through ``pathways/recovery-hub-2017.yaml`` by the live engine
(:mod:`benchmarks.analysis_cohort`), then tiled (copies of the cohort with new case ids,
each shifted later in time) to at least one million events. Timed, best of 3, same run:

1. pathway: every per-case measure (:func:`case_table`) and the delay attribution to
   steps, transitions and fragmentation contributors (:func:`attribute`), from the
   in-memory :class:`EventLog`; then the whole :func:`pathway.analyse` report (also
   summaries, control charts, the typical journey) for reference;
2. pm4py: ``discover_performance_dfg`` plus ``discover_handover_of_work_network`` on a
   pandas DataFrame of the same log's activity instances (one row per completed step:
   case, activity, start and complete timestamps, resource), built before timing.

Prints times, the ratio (pm4py / pathway) and peak memory (tracemalloc, numpy buffers
included) of the analysis. Targets: at most 2 s, at least 5x faster, under 1 GB.
"""

from __future__ import annotations

import argparse
import gc
import platform
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import pathway
from benchmarks.analysis_cohort import live_cohort
from pathway import analyse
from pathway._analysis._attribution import attribute
from pathway._analysis._cases import STEP_COMPLETED, case_table
from pathway._journal._eventlog import NAT, EventLog

ROOT = Path(__file__).resolve().parent.parent
HUB = ROOT / "pathways" / "recovery-hub-2017.yaml"
TARGET_EVENTS = 1_000_000


def tile(log: EventLog, copies: int) -> EventLog:
    """``copies`` of ``log``, each with its own case ids and shifted after the last."""
    second = 1_000_000_000
    span = (int(log.at.max() - log.at.min()) // second + 1) * second  # whole seconds
    n = len(log)
    shift = np.repeat(np.arange(copies, dtype=np.int64) * span, n)
    at = np.tile(log.at, copies) + shift
    started = np.tile(log.started, copies)
    started = np.where(started == NAT, NAT, started + shift)
    case = np.tile(log.case.astype(np.int64), copies) + np.repeat(
        np.arange(copies, dtype=np.int64) * log.n_cases, n
    )
    ids = [f"{case_id}/{k}" for k in range(copies) for case_id in log.case_ids]
    return EventLog.from_columns(
        case_ids=ids,
        case=case,
        at=at,
        kind=np.tile(log.kind, copies),
        started=started,
        attendance=np.tile(log.attendance, copies),
        codes={field: np.tile(codes, copies) for field, codes in log.codes.items()},
        vocab=log.vocab,
    )


def build_log(events: int, base_cases: int) -> tuple[EventLog, pathway.Pathway, float]:
    """The benchmark log (at least ``events`` events) and the seconds it took."""
    begin = time.perf_counter()
    hub = pathway.load(HUB)
    base = EventLog.from_cases(live_cohort(hub, base_cases, seed=2017))
    copies = max(1, -(-events // len(base)))
    log = tile(base, copies)
    return log, hub, time.perf_counter() - begin


def best_of(repeats: int, run: Callable[[], Any]) -> float:
    """The lowest wall time of ``repeats`` runs."""
    times = []
    for _ in range(repeats):
        gc.collect()
        begin = time.perf_counter()
        run()
        times.append(time.perf_counter() - begin)
    return min(times)


def measures_and_attribution(log: EventLog, hub: pathway.Pathway) -> None:
    """What the 2 s target covers: every per-case measure and the delay attribution."""
    table = case_table(log, hub)
    attribute(log, table.finished)


def peak_memory(run: Callable[[], Any]) -> float:
    """Peak traced memory of ``run`` in MB (numpy reports its buffers to tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    run()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def pm4py_frame(log: EventLog) -> Any:
    """The log's activity instances as the DataFrame pm4py expects."""
    import pandas as pd

    rows = np.flatnonzero(log.kind == STEP_COMPLETED)
    steps = np.asarray((*log.labels("step"), ""), dtype=object)
    workers = np.asarray((*log.labels("worker"), "unknown"), dtype=object)
    ids = np.asarray(log.case_ids, dtype=object)
    return pd.DataFrame(
        {
            "case:concept:name": ids[log.case[rows]],
            "concept:name": steps[log.codes["step"][rows]],
            "start_timestamp": pd.to_datetime(log.started[rows], utc=True),
            "time:timestamp": pd.to_datetime(log.at[rows], utc=True),
            "org:resource": workers[log.codes["worker"][rows]],
        }
    )


def run_pm4py(frame: Any) -> None:
    """pm4py's performance DFG and handover-of-work network of ``frame``."""
    import pm4py

    pm4py.discover_performance_dfg(frame)
    pm4py.discover_handover_of_work_network(frame)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k events, 1 repeat")
    parser.add_argument("--no-pm4py", action="store_true", help="skip the pm4py peer")
    options = parser.parse_args(argv)
    events = 100_000 if options.quick else TARGET_EVENTS
    repeats = 1 if options.quick else 3
    log, hub, built = build_log(events, 500 if options.quick else 2500)
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    print(f"log: {len(log):,} events, {log.n_cases:,} cases (built in {built:.1f} s)")
    ours = best_of(repeats, lambda: measures_and_attribution(log, hub))
    whole = best_of(repeats, lambda: analyse(log, hub))
    memory = peak_memory(lambda: analyse(log, hub))
    print(f"pathway measures + attribution: {ours:.3f} s (target <= 2 s)")
    print(f"pathway whole report (analyse): {whole:.3f} s")
    print(f"pathway analyse peak memory:    {memory:.0f} MB traced (target < 1 GB)")
    if not options.no_pm4py:
        try:
            frame = pm4py_frame(log)
        except ImportError:
            print("pm4py peer skipped: pip install -e '.[pm]'")
        else:
            theirs = best_of(repeats, lambda: run_pm4py(frame))
            print(f"pm4py perf. DFG + handover ({len(frame):,} activity rows): {theirs:.3f} s")
            print(
                f"ratio pm4py / pathway measures+attribution: {theirs / ours:.1f}x (target >= 5x)"
            )
            print(f"ratio pm4py / pathway whole report:         {theirs / whole:.1f}x")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS (log building, pandas frame and all): {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
