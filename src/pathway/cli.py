"""The ``pathway`` command line.

Exit codes (documented in docs/reference/cli.md):

* 0: success (every file valid; warnings do not fail unless ``--strict``)
* 1: a pathway file (or other input) is invalid: problems printed as ``file:line:col``
* 2: usage error: unknown command or option, missing argument, file not found
* 130: interrupted
* 141: the reader of the output went away (``pathway schema | head``)

A user's mistake never shows a traceback; an unexpected exception is a bug in pathway and
does.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pathway._define._load import load
from pathway._define._schema import schema_text
from pathway._model._pathway import Pathway
from pathway._report._pathway_text import mermaid, summary
from pathway.errors import DefinitionError, PathwayError, Problem, SourceError

__all__ = ["EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "main"]

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 0, 1, 2, 130, 141


class UsageError(Exception):
    """A command-line mistake: printed as ``pathway: error: ...`` with exit code 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pathway",
        description="Declare, check, run and compare care pathways.",
        epilog="Exit codes: 0 ok, 1 invalid input, 2 usage error. Docs: docs/reference/cli.md",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    validate = commands.add_parser("validate", help="check pathway files; list every problem")
    validate.add_argument("files", nargs="+", metavar="FILE", help="pathway YAML files")
    validate.add_argument("--format", choices=["text", "json"], default="text")
    validate.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")
    show = commands.add_parser("show", help="summarise a pathway: steps, visits, hand-offs")
    show.add_argument("file", metavar="FILE")
    show.add_argument("--mermaid", action="store_true", help="print a Mermaid flowchart")
    schema = commands.add_parser("schema", help="print the JSON Schema of the file format")
    schema.add_argument("-o", "--output", metavar="FILE", help="write to FILE, not stdout")
    for name, (add_parser, _run) in _extensions().items():
        add_parser(commands)
        _COMMANDS[name] = _run
    return parser


def _extensions() -> dict[str, tuple[Callable[[Any], object], Callable[[argparse.Namespace], int]]]:
    """Commands implemented in their own modules (each imports its heavy parts lazily)."""
    from pathway._cli_diff import add_diff_parser, run_diff
    from pathway._cli_report import add_report_parser, run_report
    from pathway._cli_simulate import add_simulate_parser, run_simulate

    return {
        "simulate": (add_simulate_parser, run_simulate),
        "report": (add_report_parser, run_report),
        "diff": (add_diff_parser, run_diff),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (the console script exits with it)."""
    try:
        arguments = _parser().parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    handler: Callable[[argparse.Namespace], int] = _COMMANDS[arguments.command]
    try:
        return handler(arguments)
    except UsageError as error:
        print(f"pathway: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except PathwayError as error:
        print(error, file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return _reader_gone()


def _reader_gone() -> int:
    """The reader of stdout went away (``pathway schema | head``): stop quietly."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # so the final flush at exit cannot fail again
    return EXIT_BROKEN_PIPE


_USAGE_CODES = frozenset({"file-not-found", "not-a-file", "unreadable"})


def load_file(file: str) -> Pathway:
    """Load ``file``; a file that cannot be opened is a UsageError, not a bad pathway."""
    try:
        return load(Path(file))
    except SourceError as error:
        if _is_usage(error):
            raise UsageError(_usage_message(error.problems[0])) from None
        raise


def _is_usage(error: DefinitionError) -> bool:
    return isinstance(error, SourceError) and any(p.code in _USAGE_CODES for p in error.problems)


def _usage_message(problem: Problem) -> str:
    return problem.message + (f"; {problem.suggestion}" if problem.suggestion else "")


def _validate(arguments: argparse.Namespace) -> int:
    results = [_validate_one(file) for file in arguments.files]
    if arguments.format == "json":
        print(json.dumps([r for r, _ in results], indent=2))
    if any(r["missing"] for r, _ in results):
        return EXIT_USAGE
    failed = any(not ok for _, ok in results)
    warned = any(r["warnings"] for r, _ in results)
    return EXIT_INVALID if failed or (arguments.strict and warned) else EXIT_OK


def _validate_one(file: str) -> tuple[dict[str, object], bool]:
    errors: Sequence[Problem] = ()
    warnings: Sequence[Problem] = ()
    try:
        warnings = load(Path(file)).warnings
    except DefinitionError as error:
        errors, warnings = error.problems, error.warnings
        missing = _is_usage(error)
    else:
        missing = False
    for problem in (*errors, *warnings):
        print(problem, file=sys.stderr)
    if not errors:
        print(
            f"{file}: valid" + (f" ({len(warnings)} warnings)" if warnings else ""), file=sys.stderr
        )
    result = {
        "file": file,
        "valid": not errors,
        "missing": missing,
        "errors": [p.to_dict() for p in errors],
        "warnings": [p.to_dict() for p in warnings],
    }
    return result, not errors


def _show(arguments: argparse.Namespace) -> int:
    pathway = load_file(arguments.file)
    print(mermaid(pathway) if arguments.mermaid else summary(pathway), end="")
    return EXIT_OK


def _schema(arguments: argparse.Namespace) -> int:
    text = schema_text()
    if arguments.output:
        try:
            Path(arguments.output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise UsageError(f"cannot write {arguments.output}: {error.strerror}") from None
    else:
        print(text, end="")
    return EXIT_OK


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "validate": _validate,
    "show": _show,
    "schema": _schema,
}


def entry_point() -> None:
    """Console-script entry: ``sys.exit(main())``."""
    sys.exit(main())
