"""What every command shares: exit codes, the usage error, reading inputs, writing outputs.

A command raises :class:`UsageError` for a command-line mistake (exit 2), and
:class:`InvalidInput` or a :class:`~pathway.PathwayError` for input it cannot use
(exit 1); :func:`~pathway.cli.main` prints each as one line. Outputs are written
through :func:`write_output`, so an unwritable path is the same usage error in every
command.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pathway._define._load import load
from pathway._model._pathway import Pathway
from pathway.errors import DefinitionError, PathwayError, Problem, SourceError

__all__ = [
    "EXIT_BROKEN_PIPE",
    "EXIT_FITNESS",
    "EXIT_GATE_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_USAGE",
    "InvalidInput",
    "UsageError",
    "existing_file",
    "input_errors",
    "is_usage",
    "load_file",
    "usage_message",
    "write_output",
]

#: Success (for ``validate``: every file valid; warnings fail only with ``--strict``).
EXIT_OK = 0
#: Invalid input: a pathway file, event log or other input has problems (printed).
EXIT_INVALID = 1
#: Usage error: unknown command or option, bad value, missing file, unwritable output,
#: or an optional extra that is not installed.
EXIT_USAGE = 2
#: ``diff --fail-if``: a gate held.
EXIT_GATE_FAILED = 3
#: ``conform --fail-under``: fewer journeys fit the pathway than the threshold.
EXIT_FITNESS = 4
#: Interrupted (Ctrl+C).
EXIT_INTERRUPTED = 130
#: The reader of the output went away (``pathway schema | head``).
EXIT_BROKEN_PIPE = 141

_USAGE_CODES = frozenset({"file-not-found", "not-a-file", "unreadable"})


class UsageError(Exception):
    """A command-line mistake: printed as ``pathway: error: ...`` with exit code 2."""


class InvalidInput(Exception):
    """An input the command cannot use, said in one line: ``pathway: error: ...``, exit 1
    (a :class:`~pathway.PathwayError` with its own problems propagates instead)."""


@contextmanager
def input_errors() -> Iterator[None]:
    """Turn a plain ``ValueError`` or ``OSError`` raised on a user's input (a pathway the
    simulator cannot run, say) into :class:`InvalidInput`."""
    try:
        yield
    except (ValueError, OSError) as error:
        if isinstance(error, PathwayError):
            raise
        raise InvalidInput(str(error)) from None


def load_file(file: str) -> Pathway:
    """Load ``file``; a file that cannot be opened is a UsageError, not a bad pathway."""
    try:
        return load(Path(file))
    except SourceError as error:
        if is_usage(error):
            raise UsageError(usage_message(error.problems[0])) from None
        raise


def is_usage(error: DefinitionError) -> bool:
    """Whether ``error`` says the file could not be opened (a usage error, exit 2)."""
    return isinstance(error, SourceError) and any(p.code in _USAGE_CODES for p in error.problems)


def usage_message(problem: Problem) -> str:
    """``problem`` as a one-line usage message, with its suggestion."""
    return problem.message + (f"; {problem.suggestion}" if problem.suggestion else "")


def existing_file(file: str, what: str = "file") -> Path:
    """``file`` as a path, or a UsageError when it is not an existing file."""
    path = Path(file)
    if not path.is_file():
        raise UsageError(f"no such {what}: {file}")
    return path


def write_output(target: str | None, text: str, *, announce: bool = False) -> None:
    """Write ``text`` to the file ``target``, or to standard output when it is ``None``.

    Raises :class:`UsageError` when the file cannot be written; ``announce`` prints
    ``wrote FILE`` on standard error.
    """
    if target is None:
        sys.stdout.write(text)
        return
    try:
        Path(target).write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write {target}: {error.strerror or error}") from None
    if announce:
        print(f"wrote {target}", file=sys.stderr)
