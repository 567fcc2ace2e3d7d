"""``pathway diff OLD NEW``: the designers' main command.

Exit codes: 0 no gate failed; 1 invalid input; 2 usage error (including an unreadable
``--fail-if``); 3 a ``--fail-if`` gate failed.
"""

from __future__ import annotations

import argparse

from pathway._discover._api import with_arrivals
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
from pathway.cli._discover import arrivals_for
from pathway.cli._progress import command_progress

__all__ = ["run_diff"]


def run_diff(args: argparse.Namespace) -> int:
    """Run ``pathway diff``; PathwayErrors propagate to the CLI (exit 1)."""
    check_count(args.cases, "-n/--cases", minimum=2)
    if args.cases > MAX_CASES:
        raise UsageError(f"-n/--cases must be at most {MAX_CASES:,}, found {args.cases:,}")
    check_count(args.replications, "-r/--replications")
    check_seed(args.seed)
    old, new = load_file(args.old), load_file(args.new)
    start = None
    if args.arrivals_from:
        people = arrivals_for(args, old)
        old, new = with_arrivals(old, people), with_arrivals(new, people)
        start, args.cases = people.start, len(people.times)
    with command_progress(args.quiet) as progress:
        if not args.no_simulate:
            progress.stage(f"simulating {args.cases:,} people through both pathways")
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
                progress=progress.update if progress.shown else None,
                start=start,
            )
        except ValueError as error:
            if type(error) is ValueError:
                raise UsageError(str(error)) from None
            raise
        progress.stage("writing the diff")
        outputs = _render(result, args)
    for target, text, announce in outputs:
        write_output(target, text, announce=announce)
    return EXIT_GATE_FAILED if result.failed_gates else EXIT_OK


def _render(result: Diff, args: argparse.Namespace) -> list[tuple[str | None, str, bool]]:
    """What to write: (file or None for stdout, text, whether to announce the file)."""
    render = {"text": result.to_text, "markdown": result.to_markdown, "json": result.to_json}
    outputs: list[tuple[str | None, str, bool]] = [(args.output, render[args.format](), False)]
    if args.html:
        outputs.append((args.html, result.to_html(), True))
    return outputs
