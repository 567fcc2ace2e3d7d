"""What every command shares: exit codes, the usage error, reading inputs, writing outputs.

A command raises :class:`UsageError` for a command-line mistake (exit 2), and
:class:`InvalidInput` or a :class:`~pathway.PathwayError` for input it cannot use
(exit 1); :func:`~pathway.cli.main` prints each as one line. Outputs are written
through :func:`write_output`, so an unwritable path is the same usage error in every
command.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from pathway._define._load import load
from pathway._model._distributions import parse_duration
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
    "check_count",
    "check_date",
    "check_duration",
    "check_events_file",
    "check_seed",
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


# ----------------------------------------------------------- command-line values
# Checked at the start of a command, so a bad value is one line, ``pathway: error: ...``,
# exit 2, before any work.

#: The simulator's event logs hold times from 1677-09-21 to 2262-04-11.
_FIRST_DAY, _LAST_DAY = date(1677, 9, 23), date(2262, 4, 9)


def check_count(value: int | None, option: str, minimum: int = 1) -> None:
    """Refuse a count below ``minimum`` (``None``, not given, is fine)."""
    if value is not None and value < minimum:
        raise UsageError(f"{option} must be at least {minimum}, found {value}")


def check_seed(value: int, option: str = "--seed") -> None:
    """Refuse a seed the simulator cannot use (64 bits)."""
    if abs(value) >= 1 << 64:
        raise UsageError(f"{option} must be smaller than 2**64 in size, found {value}")


def check_duration(value: str | None, option: str) -> float | None:
    """``value`` as minutes (``None`` when not given); a UsageError when unreadable."""
    if value is None:
        return None
    try:
        minutes = parse_duration(value)
    except ValueError as error:
        raise UsageError(f"{option}: {error}") from None
    if math.isnan(minutes) or minutes < 0:
        raise UsageError(f"{option} must be a duration like 52w, found {value!r}")
    return minutes


def check_clock(horizon: str | None, warmup: str | None) -> tuple[float | None, float]:
    """``--horizon`` and ``--warmup`` as minutes (None: no horizon; 0: no warm-up); a
    UsageError for an unreadable one, an empty horizon, or a warm-up as long as it."""
    until = check_duration(horizon, "--horizon")
    early = check_duration(warmup, "--warmup") or 0.0
    if until is not None and until <= 0:
        raise UsageError(f"--horizon must be longer than 0, found {horizon!r}")
    if early and until is not None and early >= until:
        raise UsageError(
            f"--warmup {warmup} must be shorter than --horizon {horizon}: every "
            "case would arrive during the warm-up and none would be measured"
        )
    return until, early


def check_date(value: str | None, option: str) -> None:
    """Refuse a day that is not ISO 8601 (2017-10-02) or that an event log cannot hold."""
    if value is None:
        return
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{option} must be a date like 2017-10-02, found {value!r}") from None
    if not _FIRST_DAY <= day <= _LAST_DAY:
        raise UsageError(f"{option} must be between {_FIRST_DAY} and {_LAST_DAY}, found {day}")


def check_events_file(value: str | None, option: str = "--events") -> None:
    """Refuse an event log output with another suffix than .csv/.parquet, or in a
    folder that does not exist."""
    if value is None:
        return
    path = Path(value)
    if path.suffix.lower() not in {".csv", ".parquet", ".pq"}:
        raise UsageError(f"{option} must end in .csv or .parquet, found {path.name!r}")
    if not path.parent.is_dir():
        raise UsageError(f"cannot write {value}: no such folder {path.parent}")


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
