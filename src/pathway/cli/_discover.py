"""``pathway discover``: a draft pathway from an event log, and how well it fits.

Run by ``pathway.cli`` through :func:`run_discover`::

    pathway discover events.xes -o draft.yaml            # the draft (stdout without -o)
    pathway discover events.csv --columns case=patient,activity=handling,time=time
    pathway discover events.parquet -o draft.yaml --check  # and the fit report

Also :func:`arrivals_for`, what ``simulate`` and ``diff`` use for ``--arrivals-from``.
"""

from __future__ import annotations

import argparse
import sys

from pathway._discover._api import LogArrivals, discover, log_arrivals
from pathway._discover._check import fit_report
from pathway._model._pathway import Pathway
from pathway.cli._common import EXIT_OK, UsageError, check_seed, existing_file, write_output
from pathway.cli._progress import command_progress
from pathway.io._table import parse_columns

__all__ = ["arrivals_for", "run_discover"]


def _columns(args: argparse.Namespace) -> dict[str, str] | None:
    if not getattr(args, "columns", None):
        return None
    try:
        return dict(parse_columns(args.columns))
    except ValueError as error:
        raise UsageError(f"--columns: {error}") from None


def run_discover(args: argparse.Namespace) -> int:
    """Run ``pathway discover``; PathwayErrors propagate (exit 1)."""
    check_seed(args.seed)
    path = existing_file(args.log, "event log")
    with command_progress(args.quiet) as progress:
        progress.stage(f"discovering from {path.name}")
        found = discover(
            path,
            columns=_columns(args),
            case_type=args.case_type,
            timezone=args.timezone,
            pathway_id=args.id,
            role_calendars=args.role_calendars,
        )
        report = None
        if args.check:
            progress.stage(f"simulating the draft over {found.log.n_cases:,} cases")
            report = fit_report(found, seed=args.seed)
    write_output(args.output, found.yaml, announce=True)
    for note in found.notes:
        print(f"note: {note}", file=sys.stderr)
    if report is not None:
        text = report.to_json() if args.format == "json" else report.to_text()
        if args.report or args.output:
            write_output(args.report, text, announce=bool(args.report))
        else:
            sys.stderr.write(text)
    return EXIT_OK


def arrivals_for(args: argparse.Namespace, pathway: Pathway) -> LogArrivals:
    """The people of ``--arrivals-from LOG`` as arrivals in ``pathway``'s time zone."""
    path = existing_file(args.arrivals_from, "event log")
    return log_arrivals(path, pathway.timezone, columns=_columns(args))
