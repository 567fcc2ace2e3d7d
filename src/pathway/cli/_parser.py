"""The ``pathway`` command line's arguments: every command and option, in one place.

Building the parser imports nothing heavy, so ``pathway --help`` and ``pathway validate``
start fast on a plain install; each command's module is imported only when it runs.
"""

from __future__ import annotations

import argparse
import math
from typing import Any

__all__ = ["REPORT_FORMATS", "build_parser", "log_options", "quiet_option"]

REPORT_FORMATS = ("text", "markdown", "json", "html")
_SEED_HELP = "random seed (same seed, same result)"


def build_parser(version: str) -> argparse.ArgumentParser:
    """The parser for ``pathway COMMAND ...`` (``dest='command'`` names the command)."""
    parser = argparse.ArgumentParser(
        prog="pathway",
        description="Declare, check, run and compare care pathways.",
        epilog="Exit codes: 0 ok, 1 invalid input, 2 usage error, 3 a diff gate failed, "
        "4 conformance below --fail-under, 130 interrupted, 141 output closed. "
        "Docs: docs/reference/cli.md",
    )
    parser.add_argument("--version", action="version", version=f"pathway {version}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    adders = (
        _validate,
        _show,
        _schema,
        _simulate,
        _report,
        _diff,
        _conform,
        _export,
        _bpmn,
        _cases,
        _discover,
    )
    for add in adders:
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
    formats = show.add_mutually_exclusive_group()
    formats.add_argument(
        "--mermaid", action="store_true", help="a Mermaid flowchart with lanes and labels"
    )
    formats.add_argument("--svg", action="store_true", help="the process map as an SVG file")
    formats.add_argument(
        "--html", action="store_true", help="a self-contained web page with the process map"
    )
    formats.add_argument("--dot", action="store_true", help="a Graphviz DOT graph (dot -Tsvg)")
    show.add_argument(
        "--lanes",
        choices=["role", "team", "organisation"],
        default="role",
        help="one lane per role (default), team or organisation (maps and graphs)",
    )
    show.add_argument("-o", "--output", metavar="FILE", help="write to FILE, not stdout")


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
    quiet_option(parser, "--no-progress")
    parser.add_argument("--arrivals-from", metavar="LOG", help=_ARRIVALS_HELP)
    parser.add_argument(
        "--no-load",
        action="store_true",
        help="skip each role's utilisation and the overload warnings (they run the first "
        "replication again, measured from its events: several times the simulation's time)",
    )
    parser.add_argument(
        "--fidelity",
        action="store_true",
        help="run the FILEs (default the Recovery Hub 2017 and 2018 pathways) as their "
        "calibration was (20 000 cases x 5, seed 2017, 8-week warm-up) and print only the "
        "model against observed",
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
    source.add_argument(
        "--events",
        metavar="LOG",
        help="event log to analyse: pathway's or a process-mining CSV/Parquet, XES "
        "(.xes, .xes.gz) or OCEL 2.0 (.jsonocel, .xmlocel, .sqlite)",
    )
    source.add_argument(
        "--simulate",
        metavar="N",
        type=int,
        nargs="?",
        const=math.inf,  # --simulate with no N: every arrival up to --horizon
        help="simulate N cases and analyse them (N may be left out with --horizon: "
        "every arrival up to the horizon)",
    )
    parser.add_argument("--seed", metavar="S", type=int, default=0, help="simulation seed")
    parser.add_argument(
        "--horizon",
        metavar="DURATION",
        help="with --simulate: arrivals up to this time, when the clock stops, e.g. 52w "
        "(with N too: at most N cases, none after the horizon)",
    )
    parser.add_argument(
        "--warmup",
        metavar="DURATION",
        help="with --simulate: cases arriving in this first span are simulated but not "
        "measured, e.g. 8w",
    )
    parser.add_argument(
        "--replications",
        "-r",
        metavar="R",
        type=int,
        default=1,
        help="with --simulate: R independent runs (seeds from --seed); the report adds "
        "each measure's mean and 95%% interval across them",
    )
    parser.add_argument(
        "--workers",
        metavar="N",
        type=int,
        help="analyse a Parquet log in parts (by case) on a Dask cluster of N worker "
        "processes (the dask extra); LOG may then be a directory or a glob of Parquet "
        "files, each holding whole cases",
    )
    parser.add_argument("--format", choices=REPORT_FORMATS, default="text", help="report format")
    parser.add_argument("-o", "--output", metavar="OUT", help="write the report to OUT")
    parser.add_argument("--html", metavar="OUT", help="also write the HTML page to OUT")
    quiet_option(parser)
    log_options(parser)


_ARRIVALS_HELP = (
    "the people of an event log (any format; each case's first event is its arrival) "
    "instead of the synthetic arrivals; -n is then the log's number of cases"
)


def _discover(commands: Any) -> None:
    parser = commands.add_parser(
        "discover",
        help="a draft pathway from an event log; --check compares it with the log",
        description="Discover a draft pathway from an event log: steps, roles and "
        "capacities, calendars, moves with p, touch times and waits, visits, arrivals and "
        "outcomes, each number with its sample size and fit in a comment (needs the 'sim' "
        "extra).",
    )
    parser.add_argument("log", metavar="LOG", help="the event log (any format pathway reads)")
    parser.add_argument("-o", "--output", metavar="OUT", help="write the draft YAML to OUT")
    parser.add_argument("--id", default="discovered", help="the draft's id (a slug)")
    parser.add_argument(
        "--timezone", metavar="ZONE", help="IANA zone of calendars (default: the log's, else UTC)"
    )
    parser.add_argument(
        "--check", action="store_true", help="simulate the draft and compare it with the log"
    )
    parser.add_argument(
        "--role-calendars",
        action="store_true",
        help="give each role the hours its work happened as a calendar (default: a comment)",
    )
    parser.add_argument("--seed", type=int, default=0, help=_SEED_HELP)
    parser.add_argument(
        "--format", choices=["text", "json"], default="text", help="fit report format"
    )
    parser.add_argument("--report", metavar="OUT", help="write the fit report to OUT")
    quiet_option(parser)
    group = parser.add_argument_group("reading another system's log")
    group.add_argument(
        "--columns",
        metavar="MAP",
        help="which columns are which, e.g. case=patient,activity=handling,time=time "
        "(roles: case, activity, time, start, lifecycle, resource, group, instance, location)",
    )
    group.add_argument("--case-type", metavar="TYPE", help="OCEL: the object type that is the case")


def quiet_option(parser: Any, *aliases: str) -> None:
    """``-q/--quiet``: no progress display (it is shown only when stderr is a terminal)."""
    parser.add_argument(
        "-q",
        "--quiet",
        *aliases,
        dest="quiet",
        action="store_true",
        help="no progress display on stderr (shown only when stderr is a terminal)",
    )


def log_options(parser: Any) -> None:
    """Options that say how to read a log from another system (``--events`` and LOG)."""
    group = parser.add_argument_group("reading another system's log")
    group.add_argument(
        "--columns",
        metavar="MAP",
        help="which columns are which, e.g. case=patient,activity=handling,time=time "
        "(roles: case, activity, time, start, lifecycle, resource, group, instance, location)",
    )
    group.add_argument("--case-type", metavar="TYPE", help="OCEL: the object type that is the case")
    group.add_argument(
        "--steps", metavar="CSV", help="activity -> step mapping: a CSV with columns activity,step"
    )


def _conform(commands: Any) -> None:
    parser = commands.add_parser(
        "conform",
        help="check an event log against a pathway: which journeys fit, where others depart",
        description="Check every recorded journey against the pathway: fits, or its first "
        "and all deviations (undeclared move, skipped step, wrong start, no outcome, wrong "
        "role, calendar shut, guard false). Exit 4 when fitness is below --fail-under.",
    )
    parser.add_argument("file", metavar="PATHWAY", help="the pathway YAML")
    parser.add_argument("log", metavar="LOG", help="the event log (any format report reads)")
    parser.add_argument(
        "--format", choices=["text", "markdown", "json"], default="text", help="output format"
    )
    parser.add_argument("--all", action="store_true", help="list every deviation of every case")
    parser.add_argument(
        "--fail-under",
        metavar="SHARE",
        type=float,
        help="exit 4 when the share of fitting journeys is below SHARE (0 to 1, or a percent)",
    )
    parser.add_argument("-o", "--output", metavar="OUT", help="write to OUT, not stdout")
    quiet_option(parser)
    log_options(parser)


def _export(commands: Any) -> None:
    parser = commands.add_parser(
        "export",
        help="write an event log for process miners: XES, OCEL 2.0, pm4py CSV/Parquet",
        description="Write an event log (simulated, stored or imported) as "
        "out.xes, out.jsonocel, out.sqlite (OCEL 2.0), out.csv or out.parquet (pm4py "
        "columns): one event per step with its start time, resource and group.",
    )
    parser.add_argument("log", metavar="LOG", help="the event log (any format report reads)")
    parser.add_argument("-o", "--output", metavar="OUT", required=True, help="the file to write")
    parser.add_argument(
        "--pathway", metavar="FILE", help="read the log against this pathway (steps, outcomes)"
    )
    quiet_option(parser)
    log_options(parser)


def _bpmn(commands: Any) -> None:
    out = commands.add_parser(
        "export-bpmn",
        help="write a pathway as BPMN 2.0 (with its diagram) for bpmn.io or Camunda Modeler",
        description="Write PATHWAY as BPMN 2.0 XML with diagram interchange: a pool with a "
        "lane per role, user tasks for steps, exclusive gateways for branches and "
        "checkpoints, timer events for waits, end events for outcomes. What BPMN cannot "
        "carry travels in extension elements, so import-bpmn gives the pathway back.",
    )
    out.add_argument("file", metavar="PATHWAY", help="the pathway YAML")
    out.add_argument("-o", "--output", metavar="OUT", help="write to OUT (.bpmn), not stdout")
    back = commands.add_parser(
        "import-bpmn",
        help="read a BPMN 2.0 process into a draft pathway YAML; list what did not map",
        description="Read the first pool's process of IN.bpmn into a draft pathway that "
        "validates: lanes become roles, tasks steps, end events outcomes, gateways and "
        "flows transitions, timer events waits. What could not be mapped is listed on "
        "standard error, each with its BPMN element id and why.",
    )
    back.add_argument("file", metavar="IN.bpmn", help="the BPMN 2.0 XML file")
    back.add_argument("-o", "--output", metavar="OUT", help="write the YAML to OUT, not stdout")


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
    parser.add_argument("--arrivals-from", metavar="LOG", help=_ARRIVALS_HELP)
    quiet_option(parser)


def _cases(commands: Any) -> None:
    parser = commands.add_parser(
        "cases",
        help="live cases in a case store: worklists, a case's journal, export, roll-in",
        description="Work with a case store (pathway.store): SQLite file or PostgreSQL URL.",
    )
    parser.add_argument(
        "--db", required=True, metavar="URL", help="a file path, sqlite:///path or postgresql://..."
    )
    actions = parser.add_subparsers(
        dest="action", required=True, metavar="ACTION", help="list, show, export, migrate, publish"
    )
    listing = actions.add_parser("list", help="a worklist of open cases")
    listing.add_argument("--at", metavar="STEP", help="cases at this step")
    listing.add_argument("--role", metavar="ROLE", help="cases owned by this role")
    listing.add_argument("--worker", metavar="WORKER", help="cases being worked by this worker")
    listing.add_argument("--overdue", action="store_true", help="due time (or chase) passed")
    listing.add_argument("--waiting-over", metavar="DURATION", help="waiting longer, e.g. 3d")
    listing.add_argument(
        "--working-time",
        action="store_true",
        help="count --overdue's chase and --waiting-over in the step's open hours "
        "(its calendar, else its role's), not calendar time",
    )
    listing.add_argument("--checkpoints", action="store_true", help="a decision is pending")
    listing.add_argument("--now", metavar="TIME", help="the time to judge by (default: now, UTC)")
    listing.add_argument("--limit", type=int, default=100, help="cases per page (default 100)")
    listing.add_argument("--after", metavar="TOKEN", help="the next page (printed at the end)")
    listing.add_argument("--format", choices=["text", "json"], default="text", help="output")
    show = actions.add_parser("show", help="one case: where it is and its journal")
    show.add_argument("case", metavar="CASE", help="the case id")
    export = actions.add_parser("export", help="write cases' journals as one event log")
    export.add_argument("-o", "--output", required=True, metavar="LOG", help=".csv or .parquet")
    export.add_argument("--case", action="append", metavar="CASE", help="only this case")
    migrate = actions.add_parser("migrate", help="move open cases to a new pathway version")
    migrate.add_argument("--to", required=True, metavar="NEW", help="the new pathway (YAML)")
    migrate.add_argument("--map", required=True, metavar="MAP", help="the step map (YAML)")
    migrate.add_argument(
        "--dry-run", action="store_true", help="list what would move; change nothing"
    )
    migrate.add_argument("--now", metavar="TIME", help="time of the move (default: now, UTC)")
    publish = actions.add_parser("publish", help="add pathway versions to the registry")
    publish.add_argument("files", nargs="+", metavar="FILE", help="pathway YAML files")
