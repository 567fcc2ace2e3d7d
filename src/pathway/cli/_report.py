"""``pathway report``: analyse an event log (or a fresh simulation) of a pathway.

    pathway report FILE --events LOG [--format text|markdown|json|html] [-o OUT] [--html OUT]
    pathway report FILE --simulate [N] [--horizon 52w] [--warmup 8w] [-r R] [--seed S] ...

``FILE`` is the pathway the log was run on (titles, roles, what each step collects).
``LOG`` is an event log in any format :func:`pathway.io.read_events` reads: pathway's
own CSV/Parquet (``pathway simulate ... --events``), a process-mining CSV/Parquet
(``--columns`` maps its columns), XES or OCEL 2.0 (``--case-type``), read against the
pathway (``--steps`` maps activities to steps). The report goes to standard output, or to ``-o``;
``--html`` also writes the self-contained HTML page.

Large logs are analysed in parts, by case, in bounded memory: ``--simulate`` measures
the simulator's rows block by block (no log file); a pathway-shaped Parquet log of more
than 4 million events, a directory or glob of Parquet files (each holding whole cases),
or any Parquet log with ``--workers N`` (on a Dask cluster of N processes) goes through
:mod:`pathway._report._partitioned`. Every way gives the report the whole log would.
"""

from __future__ import annotations

import argparse
import glob
import math
import shutil
import sys
from pathlib import Path
from typing import Any

from pathway._extras import require
from pathway._journal._eventlog import EventLog
from pathway._model._distributions import format_duration
from pathway._model._pathway import Pathway
from pathway._report._build import analyse
from pathway._report._report import Report
from pathway.cli._common import (
    EXIT_OK,
    UsageError,
    check_clock,
    check_count,
    check_seed,
    existing_file,
    input_errors,
    load_file,
    write_output,
)
from pathway.cli._logs import read_cli_events
from pathway.cli._progress import Progress, command_progress
from pathway.io import Interpretation, read_log
from pathway.io._files import REPORT_FIELDS

__all__ = ["run_report", "simulated_report"]


def run_report(args: argparse.Namespace) -> int:
    """Run ``pathway report``; PathwayErrors propagate to the CLI (exit 1)."""
    check_count(_cases(args), "--simulate")
    check_count(args.workers, "--workers")
    check_count(args.replications, "-r/--replications")
    check_seed(args.seed)
    _check_simulation_options(args)
    model = load_file(args.file)
    with command_progress(args.quiet) as progress:
        report = _report(args, model, progress)
        progress.stage("writing the report")
        text = _render(report, args.format)
        page = report.to_html() if args.html else None
    write_output(args.output, text)
    if page is not None:
        write_output(args.html, page, announce=True)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return EXIT_OK


def _report(args: argparse.Namespace, model: Pathway, progress: Progress) -> Report:
    """The report of the log the arguments name, in parts when it is large."""
    if args.events and _in_parts(args):
        partitioned: Any = require(
            "pathway._report._partitioned", extra="report", feature="reports of large logs"
        )
        progress.stage(f"measuring {Path(args.events).name} in parts")
        with input_errors():
            try:
                return partitioned.partitioned_report(  # type: ignore[no-any-return]
                    args.events, model, workers=args.workers
                )
            except FileNotFoundError as error:
                raise UsageError(f"--events: {error}") from None
    if args.workers is not None:
        raise UsageError("--workers analyses a Parquet log (--events) in parts")
    if args.simulate is not None:
        horizon, warmup = check_clock(args.horizon, args.warmup)
        return simulated_report(
            model,
            _cases(args),
            args.seed,
            progress,
            horizon=horizon,
            warmup=warmup,
            replications=args.replications,
        )
    log = _log(args, model, progress)
    progress.stage("measuring the journeys")
    return analyse(log, model)


def _in_parts(args: argparse.Namespace) -> bool:
    """Whether ``--events`` names a log to analyse in parts: a directory or glob of
    Parquet files, or one pathway-shaped Parquet file that is large or given with
    ``--workers``. Raises :class:`UsageError` for a part-wise log with options for
    another system's log."""
    source = str(args.events)
    many = Path(source).is_dir() or glob.has_magic(source)
    foreign = bool(args.columns or args.steps or args.case_type)
    if many and foreign:
        raise UsageError("--columns, --steps and --case-type read a single log, not parts")
    if many:
        return True
    if (
        foreign
        or not Path(source).is_file()
        or Path(source).suffix.lower()
        not in {
            ".parquet",
            ".pq",
        }
    ):
        return False
    partitioned: Any = require(
        "pathway._report._partitioned", extra="report", feature="reports of large logs"
    )
    return bool(partitioned.in_parts(source, args.workers is not None))


def _pathway_parquet(args: argparse.Namespace) -> bool:
    """Whether ``--events`` is one Parquet file in pathway's own shape, read as is."""
    source = Path(str(args.events))
    if args.columns or args.steps or args.case_type or not source.is_file():
        return False
    if source.suffix.lower() not in {".parquet", ".pq"}:
        return False
    partitioned: Any = require(
        "pathway._report._partitioned", extra="report", feature="reports of large logs"
    )
    return bool(partitioned.pathway_shaped(source))


def _log(args: argparse.Namespace, model: Pathway, progress: Progress) -> EventLog | Interpretation:
    if args.events and _pathway_parquet(args):
        # pathway's own Parquet log: only the columns the report measures are read
        progress.stage(f"reading {Path(args.events).name}")
        return read_log(existing_file(args.events, "event log"), model, fields=REPORT_FIELDS)
    if args.events:
        progress.stage(f"reading {Path(args.events).name}")
        return read_cli_events(args, args.events, model)
    raise UsageError("give an event log with --events LOG, or --simulate N to simulate one")


def _cases(args: argparse.Namespace) -> int | None:
    """The N of ``--simulate N`` (None when not given, or given without N)."""
    return args.simulate if isinstance(args.simulate, int) else None


def _check_simulation_options(args: argparse.Namespace) -> None:
    """The simulation options make sense together: a UsageError (exit 2) otherwise."""
    simulating = args.simulate is not None
    given = [
        option
        for option, value in (
            ("--horizon", args.horizon),
            ("--warmup", args.warmup),
            ("--replications", args.replications != 1),
        )
        if value
    ]
    if given and not simulating:
        verb = "applies" if len(given) == 1 else "apply"
        raise UsageError(f"{', '.join(given)} {verb} only with --simulate")
    if simulating and _cases(args) is None and args.horizon is None:
        raise UsageError(
            "--simulate needs a number of cases N, a --horizon, or both "
            "(e.g. --simulate 2000, or --simulate --horizon 52w)"
        )
    check_clock(args.horizon, args.warmup)


def simulated_report(
    model: Pathway,
    cases: int | None,
    seed: int,
    progress: Progress | None = None,
    *,
    horizon: float | None = None,
    warmup: float = 0.0,
    replications: int = 1,
) -> Report:
    """Simulate at most ``cases`` cases (None: every arrival up to ``horizon`` minutes,
    which also stops the clock) in each of ``replications`` runs and report on them as
    the simulator runs (in blocks of cases, no event log file), leaving out the cases
    that arrive in the first ``warmup`` minutes; show how far it has got on ``progress``.

    Raises :class:`UsageError` for more cases than the simulator holds.
    """
    feature = "report --simulate (the cohort simulator)"
    simulator = require("pathway._sim._api", extra="sim", feature=feature)
    if cases is not None and cases > simulator.MAX_CASES:
        raise UsageError(f"--simulate must be at most {simulator.MAX_CASES:,}, found {cases:,}")
    streamed = require("pathway._report._simulated", extra="sim", feature=feature)
    update = progress.update if progress is not None and progress.shown else None
    if progress is not None:
        progress.stage(_simulating(cases, horizon, replications))
    with input_errors():
        return streamed.replicated_report(  # type: ignore[no-any-return]
            model,
            cases,
            seed,
            replications,
            horizon=horizon if horizon is not None else math.inf,
            warmup=warmup,
            progress=update,
        )


def _simulating(cases: int | None, horizon: float | None, replications: int) -> str:
    """What the progress display says is being simulated."""
    what = f"{cases:,} cases" if cases is not None else "arrivals"
    if horizon is not None:
        what += f" up to {format_duration(horizon)}"
    return f"simulating {what}" + (f" x {replications} runs" if replications > 1 else "")


def _render(report: Report, fmt: str) -> str:
    if fmt == "json":
        return report.to_json() + "\n"
    if fmt == "markdown":
        return report.to_markdown()
    if fmt == "html":
        return report.to_html()
    return report.to_text(width=_width(), color=sys.stdout.isatty())


def _width() -> int:
    return max(80, min(shutil.get_terminal_size((100, 24)).columns, 140))
