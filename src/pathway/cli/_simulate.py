"""``pathway simulate``: run a pathway on a synthetic cohort and print what it costs people.

Run by ``pathway.cli`` through :func:`run_simulate`::

    pathway simulate pathways/recovery-hub-2017.yaml -n 10000 --seed 1 --replications 5
    pathway simulate FILE -n 1000 --events out.parquet      # full event log too
    pathway simulate --fidelity [FILE...]                   # the calibration run

The progress display (on a terminal only, see :mod:`pathway.cli._progress`) and the
messages go to stderr; the summary table to stdout, then each role's utilisation in the
first replication (its overload warnings on stderr, as ``report`` gives them),
followed, for a file that declares observed figures (``observed:``), by the model
against observed. ``--fidelity`` runs the files (default the two Recovery Hub files) as
their calibration was run (20 000 cases x 5 replications, seed 2017, an 8-week
warm-up) and prints only that.
"""

from __future__ import annotations

import argparse
import math
import sys
from concurrent.futures import Executor, ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

from pathway._analysis._observed import steps_timed
from pathway._analysis._settings import LoadSummary
from pathway._define._load import load
from pathway._discover._api import with_arrivals
from pathway._model._pathway import Pathway
from pathway._report._fidelity import CALIBRATION, HUB, fidelity, render, simulated_comparisons
from pathway._report._observed import observed_lines
from pathway._report._place import load_warnings
from pathway._report._simulated import simulated_load
from pathway._sim._api import check_arguments, simulate
from pathway._sim._cohort import MAX_CASES
from pathway.cli._common import (
    EXIT_OK,
    UsageError,
    check_clock,
    check_count,
    check_date,
    check_events_file,
    check_seed,
    existing_file,
    input_errors,
)
from pathway.cli._discover import arrivals_for
from pathway.cli._progress import command_progress
from pathway.errors import SimulationError

__all__ = ["run_simulate"]

SHOWN = (
    "end_to_end_days",
    "touch_minutes",
    "flow_efficiency",
    "visits",
    "dnas",
    "handoffs",
    "wait_days",
    "wait_handoff_days",
    "wait_visit_gap_days",
    "wait_calendar_days",
    "wait_capacity_days",
    "wait_approval_days",
    "wait_external_days",
    "wait_client_days",
    "failure_demand",
    "repeated_collection",
)


def run_simulate(args: argparse.Namespace) -> int:
    """Run ``pathway simulate``; return the exit code (0 ok, 1 invalid input, 2 usage)."""
    _check_options(args)
    if args.fidelity:
        return _fidelity(args)
    if len(args.file) != 1:
        raise UsageError("simulate takes one FILE (or --fidelity with any number)")
    with input_errors():
        return _simulate(args)


def _check_options(args: argparse.Namespace) -> None:
    """Every option's value, before any work: a UsageError (exit 2) for the first bad one."""
    check_count(args.cases, "-n/--cases")
    if args.cases is not None and args.cases > MAX_CASES:
        raise UsageError(f"-n/--cases must be at most {MAX_CASES:,}, found {args.cases:,}")
    check_count(args.replications, "-r/--replications")
    check_count(args.workers, "--workers")
    check_seed(args.seed)
    check_date(args.start, "--start")
    check_clock(args.horizon, args.warmup)
    check_events_file(args.events)
    try:  # what the simulator itself refuses, said as a usage error too
        check_arguments(
            cases=args.cases,
            seed=args.seed,
            replications=args.replications,
            start=args.start,
            horizon=args.horizon,
            warmup=args.warmup,
            events=args.events,
        )
    except SimulationError as error:
        raise UsageError(str(error)) from None


def _simulate(args: argparse.Namespace) -> int:
    pathway = load(existing_file(args.file[0]))
    if args.arrivals_from:
        people = arrivals_for(args, pathway)
        pathway = with_arrivals(pathway, people)
        args.start = args.start or people.start.isoformat()
        args.cases = args.cases or len(people.times)
    executor: Executor | None = None
    if args.workers > 1 and args.replications > 1:
        executor = ProcessPoolExecutor(max_workers=args.workers)
    try:
        with command_progress(args.quiet) as progress:
            # the load first: its rerun of replication 1 is done and its memory given
            # back before the main run's per-case results are held
            progress.stage("measuring the load on each role")
            roles = _load(args, pathway)
            progress.stage(f"simulating {Path(args.file[0]).name}")
            result = simulate(
                pathway,
                cases=args.cases,
                seed=args.seed,
                replications=args.replications,
                executor=executor,
                start=args.start,
                horizon=args.horizon,
                warmup=args.warmup,
                events=args.events,
                progress=progress.update if progress.shown else None,
                milestones=steps_timed(pathway),
            )
    finally:
        if executor is not None:
            executor.shutdown()
    _print_result(result)
    _print_load(roles, pathway)
    if pathway.observed:
        print()
        print("\n".join(observed_lines(simulated_comparisons(result, pathway), pathway,
                                        "simulation")))  # fmt: skip
    return EXIT_OK


def _print_result(result: Any) -> None:
    counts = result.conservation()
    print(
        f"{result.pathway_id} {result.pathway_version}: {counts['arrived']} cases "
        f"({result.replications} replication(s), seed {result.seed}), "
        f"{counts['finished']} reached an outcome, {counts['in_flight']} in flight; "
        f"{result.seconds:.1f} s ({'compiled' if result.compiled else 'pure Python'} kernel)"
    )
    rows = result.summary_table(SHOWN)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print("  ".join(cell.rjust(w) if i > 1 else cell.ljust(w)
                        for i, (cell, w) in enumerate(zip(row, widths, strict=True))))  # fmt: skip
        if index == 0:
            print("  ".join("-" * w for w in widths))
    shares = ", ".join(f"{name} {share:.0%}" for name, share in result.outcome_shares().items())
    print(f"outcomes: {shares}")
    if result.events_paths:
        written = counts["events_written"]
        print(f"events: {written} written to {', '.join(result.events_paths)}", file=sys.stderr)


def _load(args: argparse.Namespace, pathway: Pathway) -> LoadSummary | SimulationError | None:
    """The load on each role in the first replication: its cohort run again (the same
    people and draws) and only the load measured from the kernel's rows. What the
    simulator refuses comes back as the error, for the main run to say in full (it
    raises it too) or, should that run succeed, for a warning."""
    if not pathway.roles or args.no_load:
        return None
    horizon, warmup = check_arguments(
        cases=args.cases, seed=args.seed, horizon=args.horizon, warmup=args.warmup
    )
    cases = args.cases if args.cases is not None or math.isfinite(horizon) else 1000
    start = date.fromisoformat(args.start) if args.start else None
    try:
        return simulated_load(
            pathway, cases, args.seed, horizon=horizon, warmup=warmup, start=start
        )
    except SimulationError as error:
        return error


def _print_load(load: LoadSummary | SimulationError | None, pathway: Pathway) -> None:
    """Each role's utilisation on stdout (replication 1), its warnings on stderr."""
    if isinstance(load, SimulationError):
        print(f"warning: the load on each role could not be measured: {load}", file=sys.stderr)
        return
    if load is None:
        return
    shares = ", ".join(
        f"{pathway.roles[r.role].title if r.role in pathway.roles else r.role} "
        + (f"{r.utilisation:.0%}" if math.isfinite(r.utilisation) else "n/a")
        + (" (overloaded)" if r.overloaded else "")
        for r in load.roles
    )
    print(f"utilisation (replication 1): {shares}")
    for warning in load_warnings(load, pathway):
        print(f"warning: {warning}", file=sys.stderr)


def _fidelity(args: argparse.Namespace) -> int:
    """Each FILE (default the Recovery Hub files) run as its calibration was: model
    against observed only."""
    files = [existing_file(f) for f in args.file or HUB]
    options: dict[str, Any] = {
        "seed": args.seed or CALIBRATION["seed"],
        "replications": max(args.replications, CALIBRATION["replications"]),
        "warmup": args.warmup or CALIBRATION["warmup"],
    }
    if args.cases:
        options["cases"] = args.cases
    with input_errors():
        print(render(fidelity(*files, **options)))
    return EXIT_OK
