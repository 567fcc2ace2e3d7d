"""``pathway report``: analyse an event log (or a fresh simulation) of a pathway.

    pathway report FILE --events LOG [--format text|markdown|json|html] [-o OUT] [--html OUT]
    pathway report FILE --simulate N [--seed S] ...

``FILE`` is the pathway the log was run on (titles, roles, what each step collects).
``LOG`` is an event log in any format :func:`pathway.io.read_events` reads: pathway's
own CSV/Parquet (``pathway simulate ... --events``), a process-mining CSV/Parquet
(``--columns`` maps its columns), XES or OCEL 2.0 (``--case-type``), read against the
pathway (``--steps`` maps activities to steps). The report goes to standard output, or to ``-o``;
``--html`` also writes the self-contained HTML page.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from pathway._extras import require
from pathway._journal._eventlog import EventLog
from pathway._model._pathway import Pathway
from pathway._report._build import analyse
from pathway._report._report import Report
from pathway.cli._common import (
    EXIT_OK,
    UsageError,
    check_count,
    check_seed,
    input_errors,
    load_file,
    write_output,
)
from pathway.cli._logs import read_cli_events
from pathway.cli._progress import Progress, command_progress
from pathway.io import Interpretation, read_log

__all__ = ["run_report", "simulated_log"]


def run_report(args: argparse.Namespace) -> int:
    """Run ``pathway report``; PathwayErrors propagate to the CLI (exit 1)."""
    check_count(args.simulate, "--simulate")
    check_seed(args.seed)
    model = load_file(args.file)
    with command_progress(args.quiet) as progress:
        log = _log(args, model, progress)
        progress.stage("measuring the journeys")
        report = analyse(log, model)
        progress.stage("writing the report")
        text = _render(report, args.format)
        page = report.to_html() if args.html else None
    write_output(args.output, text)
    if page is not None:
        write_output(args.html, page, announce=True)
    return EXIT_OK


def _log(args: argparse.Namespace, model: Pathway, progress: Progress) -> EventLog | Interpretation:
    if args.events:
        progress.stage(f"reading {Path(args.events).name}")
        return read_cli_events(args, args.events, model)
    if args.simulate is not None:
        return simulated_log(model, args.simulate, args.seed, progress)
    raise UsageError("give an event log with --events LOG, or --simulate N to simulate one")


def simulated_log(
    model: Pathway, cases: int, seed: int, progress: Progress | None = None
) -> EventLog:
    """Simulate ``cases`` cases with the cohort simulator and read back its event log,
    showing how far it has got on ``progress``.

    Raises :class:`UsageError` for more cases than the simulator holds and
    :class:`~pathway.errors.SimulationError` when their times would pass 2262.
    """
    feature = "report --simulate (the cohort simulator)"
    simulator = require("pathway._sim._api", extra="sim", feature=feature)
    if cases > simulator.MAX_CASES:
        raise UsageError(f"--simulate must be at most {simulator.MAX_CASES:,}, found {cases:,}")
    update = progress.update if progress is not None and progress.shown else None
    with tempfile.TemporaryDirectory(prefix="pathway-report-") as folder:
        path = Path(folder) / "events.parquet"
        if progress is not None:
            progress.stage(f"simulating {cases:,} cases")
        with input_errors():
            simulator.simulate(
                model,
                cases=cases,
                seed=seed,
                events=path,
                progress=update,
            )
        if progress is not None:
            progress.stage("reading the simulated log")
        return read_log(path)


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
