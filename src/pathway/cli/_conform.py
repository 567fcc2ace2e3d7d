"""``pathway conform``: which recorded journeys fit the pathway, and where others depart.

    pathway conform PATHWAY LOG [--format text|markdown|json] [--all] [--fail-under SHARE]

Exit 0 when done (and the share of fitting journeys is at least ``--fail-under``), 4
when it is below, 1 for a bad pathway or log, 2 for a usage mistake.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pathway._analysis._conformance import conformance
from pathway._report._conform import conformance_json, conformance_markdown, conformance_text
from pathway.cli._common import EXIT_FITNESS, EXIT_OK, UsageError, load_file, write_output
from pathway.cli._logs import read_cli_events
from pathway.cli._progress import command_progress

__all__ = ["run_conform", "threshold"]


def threshold(value: float) -> float:
    """``--fail-under`` as a share: 0 to 1, or a percent above 1 (at most 100)."""
    share = value / 100 if value > 1 else value
    if not 0 <= share <= 1:
        raise UsageError(f"--fail-under must be a share from 0 to 1 or a percent, not {value}")
    return share


def run_conform(args: argparse.Namespace) -> int:
    """Run ``pathway conform``; return 4 when fitness is below ``--fail-under``."""
    minimum = threshold(args.fail_under) if args.fail_under is not None else None
    model = load_file(args.file)
    with command_progress(args.quiet) as progress:
        progress.stage(f"reading {Path(args.log).name}")
        found = read_cli_events(args, args.log, model)
        progress.stage(f"checking {found.log.n_cases:,} journeys against the pathway")
        result = conformance(found.log, model)
    if args.format == "json":
        text = conformance_json(result, model) + "\n"
    elif args.format == "markdown":
        text = conformance_markdown(result, model)
    else:
        text = conformance_text(result, model, all_traces=args.all)
    write_output(args.output, text)
    if minimum is not None and result.fitness < minimum:
        print(
            f"pathway: fitness {result.fitness:.1%} is below --fail-under {minimum:.1%}",
            file=sys.stderr,
        )
        return EXIT_FITNESS
    return EXIT_OK
