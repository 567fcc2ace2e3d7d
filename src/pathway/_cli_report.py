"""``pathway report``: analyse an event log (or a fresh simulation) of a pathway.

    pathway report FILE --events LOG [--format text|markdown|json|html] [-o OUT] [--html OUT]
    pathway report FILE --simulate N [--seed S] ...

``FILE`` is the pathway the log was run on (titles, roles, what each step collects).
``LOG`` is a CSV or Parquet event log (``pathway simulate ... --events``, or a real
system's export in the same shape). The report goes to standard output, or to ``-o``;
``--html`` also writes the self-contained HTML page. Exit codes as every command: 0 ok,
1 invalid input (problems as ``file:line:col``), 2 usage error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
from pathlib import Path
from typing import Any

from pathway.errors import MissingExtraError

__all__ = ["add_report_parser", "run_report"]

EXIT_OK, EXIT_USAGE = 0, 2
FORMATS = ("text", "markdown", "json", "html")


class _Usage(Exception):
    """A command-line mistake: ``pathway: error: ...``, exit code 2."""


def add_report_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``report`` command to ``pathway``'s sub-command parsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "report",
        help="measure an event log: where fragmentation adds delay, control charts",
        description=(
            "Analyse an event log of a pathway (or simulate one): per-case measures, "
            "delay by cause, transition and step, Vanguard tables and control charts."
        ),
    )
    parser.add_argument("file", metavar="FILE", help="the pathway YAML the log was run on")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--events", metavar="LOG", help="event log to analyse (.csv or .parquet)")
    source.add_argument(
        "--simulate", metavar="N", type=int, help="simulate N cases and analyse them"
    )
    parser.add_argument("--seed", metavar="S", type=int, default=0, help="simulation seed")
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format")
    parser.add_argument("-o", "--output", metavar="OUT", help="write the report to OUT")
    parser.add_argument("--html", metavar="OUT", help="also write the HTML page to OUT")
    return parser


def run_report(args: argparse.Namespace) -> int:
    """Run ``pathway report``; return the exit code (PathwayErrors propagate: exit 1)."""
    try:
        return _run(args)
    except _Usage as error:
        print(f"pathway: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except MissingExtraError as error:
        print(f"pathway: error: {error}", file=sys.stderr)
        return EXIT_USAGE


def _run(args: argparse.Namespace) -> int:
    from pathway._analysis import analyse
    from pathway._define._load import load

    pathway_file = Path(args.file)
    if not pathway_file.is_file():
        raise _Usage(f"no such file: {args.file}")
    model = load(pathway_file)
    log = _log(args, model)
    report = analyse(log, model)
    text = _render(report, args.format)
    if args.output:
        _write(Path(args.output), text)
    else:
        sys.stdout.write(text)
    if args.html:
        _write(Path(args.html), report.to_html())
        print(f"wrote {args.html}", file=sys.stderr)
    return EXIT_OK


def _log(args: argparse.Namespace, model: Any) -> Any:
    from pathway._journal._eventlog import EventLog

    if args.events:
        if not Path(args.events).is_file():
            raise _Usage(f"no such event log: {args.events}")
        return EventLog.read(args.events)
    if args.simulate is not None:
        if args.simulate < 1:
            raise _Usage("--simulate needs a number of cases of at least 1")
        return simulated_log(model, args.simulate, args.seed)
    raise _Usage("give an event log with --events LOG, or --simulate N to simulate one")


def simulated_log(model: Any, cases: int, seed: int) -> Any:
    """Simulate ``cases`` cases with the cohort simulator and read back its event log."""
    from pathway._journal._eventlog import EventLog

    try:
        simulate = importlib.import_module("pathway._sim._api").simulate
    except (ImportError, AttributeError):
        raise _Usage(
            "--simulate needs the cohort simulator (pathway.simulate), which this "
            "installation does not have; analyse a recorded log with --events LOG"
        ) from None
    with tempfile.TemporaryDirectory(prefix="pathway-report-") as folder:
        path = Path(folder) / "events.parquet"
        simulate(model, cases=cases, seed=seed, events=path)
        return EventLog.read(path)


def _render(report: Any, fmt: str) -> str:
    if fmt == "json":
        return str(report.to_json()) + "\n"
    if fmt == "markdown":
        return str(report.to_markdown())
    if fmt == "html":
        return str(report.to_html())
    return str(report.to_text(width=_width(), color=sys.stdout.isatty()))


def _width() -> int:
    import shutil

    return max(80, min(shutil.get_terminal_size((100, 24)).columns, 140))


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise _Usage(f"cannot write {path}: {error.strerror}") from None
