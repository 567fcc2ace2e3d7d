"""``pathway simulate``: run a pathway on a synthetic cohort and print what it costs people.

Wired into ``pathway.cli`` by :func:`add_simulate_parser` and :func:`run_simulate`::

    pathway simulate pathways/recovery-hub-2017.yaml -n 10000 --seed 1 --replications 5
    pathway simulate FILE -n 1000 --events out.parquet      # full event log too
    pathway simulate --fidelity                             # 2017/2018 against the sources

The progress bar and messages go to stderr; the summary table to stdout.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from pathway.errors import MissingExtraError

__all__ = ["add_simulate_parser", "run_simulate"]

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


def add_simulate_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``simulate`` command to ``pathway``'s sub-command parsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "simulate",
        help="simulate a cohort through a pathway; print measures with confidence intervals",
        description="Simulate a synthetic cohort through a pathway (needs the 'sim' extra).",
    )
    parser.add_argument("file", nargs="*", metavar="FILE", help="pathway YAML file")
    parser.add_argument("-n", "--cases", type=int, default=None, help="cases per replication")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same result)")
    parser.add_argument("--replications", "-r", type=int, default=1, metavar="R")
    parser.add_argument("--workers", type=int, default=1, help="processes for replications")
    parser.add_argument("--events", metavar="OUT", help="write the event log (.csv or .parquet)")
    parser.add_argument("--start", metavar="DATE", help="first day, e.g. 2017-10-02")
    parser.add_argument("--horizon", metavar="DURATION", help="stop the clock, e.g. 52w")
    parser.add_argument("--warmup", metavar="DURATION", help="leave out early arrivals, e.g. 8w")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--fidelity",
        action="store_true",
        help="compare the Recovery Hub 2017/2018 pathways (or the two FILEs) with the sources",
    )
    return parser


def run_simulate(args: argparse.Namespace) -> int:
    """Run ``pathway simulate``; return the exit code (0 ok, 1 invalid input, 2 usage)."""
    try:
        if args.fidelity:
            return _fidelity(args)
        if len(args.file) != 1:
            print("pathway: error: simulate takes one FILE (or --fidelity)", file=sys.stderr)
            return 2
        return _simulate(args)
    except MissingExtraError as error:
        print(f"pathway: error: {error}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as error:
        print(f"pathway: error: {error}", file=sys.stderr)
        return 1


def _simulate(args: argparse.Namespace) -> int:
    from pathway._define._load import load
    from pathway._sim import simulate

    path = Path(args.file[0])
    if not path.is_file():
        print(f"pathway: error: no such file: {path}", file=sys.stderr)
        return 2
    pathway = load(path)
    executor: Executor | None = None
    if args.workers > 1 and args.replications > 1:
        executor = ProcessPoolExecutor(max_workers=args.workers)
    progress = None if args.no_progress else _Progress()
    try:
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
            progress=progress,
        )
    finally:
        if executor is not None:
            executor.shutdown()
        if progress is not None:
            progress.close()
    _print_result(result)
    return 0


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


def _fidelity(args: argparse.Namespace) -> int:
    from pathway._sim._fidelity import fidelity, render

    files = args.file or ["pathways/recovery-hub-2017.yaml", "pathways/recovery-hub-2018.yaml"]
    if len(files) != 2 or not all(Path(f).is_file() for f in files):
        print("pathway: error: --fidelity needs the 2017 and 2018 pathway files", file=sys.stderr)
        return 2
    options: dict[str, int] = {"seed": args.seed or 2017, "replications": max(args.replications, 5)}
    if args.cases:
        options["cases"] = args.cases
    print(render(fidelity(files[0], files[1], **options)))
    return 0


class _Progress:
    """A progress bar on stderr (rich when present, else a plain percentage line)."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._task: Any = None
        self._last = -1
        try:
            from rich.progress import Progress

            self._bar = Progress(transient=True, console=_console())
            self._bar.start()
            self._task = self._bar.add_task("simulating", total=None)
        except ImportError:
            self._bar = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total)
            return
        percent = 100 * done // max(total, 1)
        if percent != self._last:
            self._last = percent
            print(f"\rsimulating: {percent}%", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
        elif self._last >= 0:
            print(file=sys.stderr)


def _console() -> Any:
    from rich.console import Console

    return Console(stderr=True)
