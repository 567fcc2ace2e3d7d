"""``pathway diff OLD NEW``: the designers' main command.

Exit codes: 0 no gate failed; 1 invalid input; 2 usage error (including an unreadable
``--fail-if``); 3 a ``--fail-if`` gate failed.
"""

from __future__ import annotations

import argparse

from pathway._report._build import diff
from pathway._report._diff import Diff
from pathway._sim._cohort import MAX_CASES
from pathway.cli._common import (
    EXIT_GATE_FAILED,
    EXIT_OK,
    UsageError,
    check_count,
    check_seed,
    load_file,
    write_output,
)

__all__ = ["run_diff"]


def run_diff(args: argparse.Namespace) -> int:
    """Run ``pathway diff``; PathwayErrors propagate to the CLI (exit 1)."""
    check_count(args.cases, "-n/--cases", minimum=2)
    if args.cases > MAX_CASES:
        raise UsageError(f"-n/--cases must be at most {MAX_CASES:,}, found {args.cases:,}")
    check_count(args.replications, "-r/--replications")
    check_seed(args.seed)
    old, new = load_file(args.old), load_file(args.new)
    try:
        result = diff(
            old,
            new,
            cases=args.cases,
            seed=args.seed,
            replications=args.replications,
            simulate=not args.no_simulate,
            fail_if=args.fail_if,
            journeys=bool(args.html) and not args.no_simulate,
        )
    except ValueError as error:
        if type(error) is ValueError:
            raise UsageError(str(error)) from None
        raise
    _output(result, args)
    return EXIT_GATE_FAILED if result.failed_gates else EXIT_OK


def _output(result: Diff, args: argparse.Namespace) -> None:
    render = {"text": result.to_text, "markdown": result.to_markdown, "json": result.to_json}
    write_output(args.output, render[args.format]())
    if args.html:
        write_output(args.html, result.to_html(), announce=True)
