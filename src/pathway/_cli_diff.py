"""``pathway diff OLD NEW``: the designers' main command (wired into :mod:`pathway.cli`).

Exit codes: 0 no gate failed; 1 invalid input; 2 usage error (including an unreadable
``--fail-if``); 3 a ``--fail-if`` gate failed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, cast

EXIT_GATE_FAILED = 3


def add_diff_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``diff`` command to the CLI's subparsers."""
    parser = subparsers.add_parser(
        "diff",
        help="compare an old and a new pathway: structure and behaviour on one cohort",
        description="Compare two pathways: what changed in structure, and what that does "
        "to end-to-end time, visits, hand-offs, waits and failure demand on the same "
        "simulated people. Exit 3 when a --fail-if gate fails.",
    )
    parser.add_argument("old", metavar="OLD", help="the current pathway (YAML)")
    parser.add_argument("new", metavar="NEW", help="the redesigned pathway (YAML)")
    parser.add_argument("-n", "--cases", type=int, default=2000, help="people in the cohort")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same result)")
    parser.add_argument("--replications", type=int, default=1, metavar="R")
    parser.add_argument("--no-simulate", action="store_true", help="structure only")
    parser.add_argument("--format", choices=["text", "markdown", "json"], default="text")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the diff to FILE")
    parser.add_argument("--html", metavar="FILE", help="also write the HTML page to FILE")
    parser.add_argument(
        "--fail-if",
        action="append",
        default=[],
        metavar="GATE",
        help="fail (exit 3) when GATE holds, e.g. 'visits > 1' or 'handoffs increased'; repeatable",
    )
    return cast(argparse.ArgumentParser, parser)


def run_diff(args: argparse.Namespace) -> int:
    """Run ``pathway diff``; PathwayErrors propagate to the CLI (exit 1)."""
    from pathway._diff import diff
    from pathway.cli import UsageError, load_file

    if args.cases < 2 or args.replications < 1:
        raise UsageError("--cases must be at least 2 and --replications at least 1")
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
    return EXIT_GATE_FAILED if result.failed_gates else 0


def _output(result: Any, args: argparse.Namespace) -> None:
    text = {"text": result.to_text, "markdown": result.to_markdown, "json": result.to_json}[
        args.format
    ]()
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    if args.html:
        Path(args.html).write_text(result.to_html(), encoding="utf-8")
        print(f"wrote {args.html}", file=sys.stderr)
