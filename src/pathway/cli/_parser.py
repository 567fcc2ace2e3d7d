"""The ``pathway`` command line's arguments: every command and option, in one place.

Building the parser imports nothing heavy, so ``pathway --help`` and ``pathway validate``
start fast on a plain install; each command's module is imported only when it runs.
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["REPORT_FORMATS", "build_parser"]

REPORT_FORMATS = ("text", "markdown", "json", "html")
_SEED_HELP = "random seed (same seed, same result)"


def build_parser(version: str) -> argparse.ArgumentParser:
    """The parser for ``pathway COMMAND ...`` (``dest='command'`` names the command)."""
    parser = argparse.ArgumentParser(
        prog="pathway",
        description="Declare, check, run and compare care pathways.",
        epilog="Exit codes: 0 ok, 1 invalid input, 2 usage error, 3 a diff gate failed, "
        "130 interrupted, 141 output closed. Docs: docs/reference/cli.md",
    )
    parser.add_argument("--version", action="version", version=f"pathway {version}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (_validate, _show, _schema, _simulate, _report, _diff):
        add(commands)
    return parser


def _validate(commands: Any) -> None:
    validate = commands.add_parser("validate", help="check pathway files; list every problem")
    validate.add_argument("files", nargs="+", metavar="FILE", help="pathway YAML files")
    validate.add_argument(
        "--format", choices=["text", "json"], default="text", help="json also prints a report"
    )
    validate.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")


def _show(commands: Any) -> None:
    show = commands.add_parser("show", help="summarise a pathway: steps, visits, hand-offs")
    show.add_argument("file", metavar="FILE", help="pathway YAML file")
    show.add_argument("--mermaid", action="store_true", help="print a Mermaid flowchart")


def _schema(commands: Any) -> None:
    schema = commands.add_parser("schema", help="print the JSON Schema of the file format")
    schema.add_argument("-o", "--output", metavar="FILE", help="write to FILE, not stdout")


def _simulate(commands: Any) -> None:
    parser = commands.add_parser(
        "simulate",
        help="simulate a cohort through a pathway; print measures with confidence intervals",
        description="Simulate a synthetic cohort through a pathway (needs the 'sim' extra).",
    )
    parser.add_argument("file", nargs="*", metavar="FILE", help="pathway YAML file")
    parser.add_argument("-n", "--cases", type=int, default=None, help="cases per replication")
    parser.add_argument("--seed", type=int, default=0, help=_SEED_HELP)
    parser.add_argument(
        "--replications", "-r", type=int, default=1, metavar="R", help="independent runs"
    )
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


def _report(commands: Any) -> None:
    parser = commands.add_parser(
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
    parser.add_argument("--format", choices=REPORT_FORMATS, default="text", help="report format")
    parser.add_argument("-o", "--output", metavar="OUT", help="write the report to OUT")
    parser.add_argument("--html", metavar="OUT", help="also write the HTML page to OUT")


def _diff(commands: Any) -> None:
    parser = commands.add_parser(
        "diff",
        help="compare an old and a new pathway: structure and behaviour on one cohort",
        description="Compare two pathways: what changed in structure, and what that does "
        "to end-to-end time, visits, hand-offs, waits and failure demand on the same "
        "simulated people. Exit 3 when a --fail-if gate fails.",
    )
    parser.add_argument("old", metavar="OLD", help="the current pathway (YAML)")
    parser.add_argument("new", metavar="NEW", help="the redesigned pathway (YAML)")
    parser.add_argument("-n", "--cases", type=int, default=2000, help="people in the cohort")
    parser.add_argument("--seed", type=int, default=0, help=_SEED_HELP)
    parser.add_argument(
        "--replications", "-r", type=int, default=1, metavar="R", help="independent runs"
    )
    parser.add_argument("--no-simulate", action="store_true", help="structure only")
    parser.add_argument(
        "--format", choices=["text", "markdown", "json"], default="text", help="diff format"
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write the diff to FILE")
    parser.add_argument("--html", metavar="FILE", help="also write the HTML page to FILE")
    parser.add_argument(
        "--fail-if",
        action="append",
        default=[],
        metavar="GATE",
        help="fail (exit 3) when GATE holds, e.g. 'visits > 1' or 'handoffs increased'; repeatable",
    )
