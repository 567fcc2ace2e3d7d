"""``pathway COMMAND``: parse, dispatch to the command's module, turn errors into exit codes.

Every command runs through :func:`main`, which handles a user's mistake in one way: a
:class:`~pathway.cli.UsageError` or a missing extra prints ``pathway: error: ...`` and
exits 2, a :class:`~pathway.PathwayError` prints its problems and exits 1. A traceback
means a bug in pathway.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import NamedTuple, cast

from pathway._extras import require
from pathway._version import __version__
from pathway.cli._common import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_USAGE,
    InvalidInput,
    UsageError,
)
from pathway.cli._parser import build_parser
from pathway.errors import MissingExtraError, PathwayError, SimulationError

__all__ = ["entry_point", "main"]

Handler = Callable[[argparse.Namespace], int]


class _Command(NamedTuple):
    """Where a command's code lives, and the extra it needs (``None``: the core)."""

    module: str
    function: str
    extra: str | None


_COMMANDS: dict[str, _Command] = {
    "validate": _Command("pathway.cli._validate", "run_validate", None),
    "show": _Command("pathway.cli._show", "run_show", None),
    "schema": _Command("pathway.cli._validate", "run_schema", None),
    "simulate": _Command("pathway.cli._simulate", "run_simulate", "sim"),
    "report": _Command("pathway.cli._report", "run_report", "report"),
    "diff": _Command("pathway.cli._diff", "run_diff", "sim"),
    "cases": _Command("pathway.cli._cases", "run_cases", None),
    "conform": _Command("pathway.cli._conform", "run_conform", "report"),
    "export": _Command("pathway.cli._export", "run_export", "report"),
    "export-bpmn": _Command("pathway.cli._bpmn", "run_export_bpmn", "report"),
    "import-bpmn": _Command("pathway.cli._bpmn", "run_import_bpmn", "report"),
    "discover": _Command("pathway.cli._discover", "run_discover", "sim"),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (the console script exits with it)."""
    try:
        arguments = build_parser(__version__).parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        return _handler(arguments.command)(arguments)
    except (UsageError, MissingExtraError) as error:
        print(f"pathway: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (InvalidInput, SimulationError) as error:
        print(f"pathway: error: {error}", file=sys.stderr)
        return EXIT_INVALID
    except PathwayError as error:
        print(error, file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return _reader_gone()


def _handler(command: str) -> Handler:
    """The function that runs ``command``, imported through the extras boundary."""
    where = _COMMANDS[command]
    feature = f"pathway {command}"
    module = require(where.module, extra=where.extra or "core", feature=feature)
    return cast(Handler, getattr(module, where.function))


def _reader_gone() -> int:
    """The reader of stdout went away (``pathway schema | head``): stop quietly."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # so the final flush at exit cannot fail again
    return EXIT_BROKEN_PIPE


def entry_point() -> None:
    """Console-script entry: ``sys.exit(main())``."""
    sys.exit(main())
