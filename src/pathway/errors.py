"""Every error pathway raises on purpose, and where it came from.

Each error a user can cause is a :class:`PathwayError` and also the builtin exception a
Python programmer would expect, so ``except ValueError`` keeps working::

    PathwayError (Exception)
    ├── ArgumentError (TypeError)           a call's argument is not what it takes: the wrong
    │                                       type (``fire(42)``, ``by=3``), or text that is
    │                                       empty where a name is needed, too long or not
    │                                       valid Unicode
    ├── DefinitionError (ValueError)        a pathway file is wrong: one or more Problems,
    │   │                                   each with file:line:col, field, expected, found
    │   └── SourceError                     the file cannot be read as YAML text at all
    │                                       (missing, empty, binary, not UTF-8, too big,
    │                                       too deep, too many aliases, duplicate key)
    ├── ExpressionError (ValueError)        a guard or question does not parse or check
    ├── FactError (ValueError)              a case's facts do not match the declared facts
    ├── TransitionError (ValueError)        a trigger cannot fire now (unknown, not allowed
    │                                       from this state, guard false, wrong role)
    ├── CheckpointError (ValueError)        a checkpoint decision is incomplete or invalid
    ├── ReplayError (ValueError)            a journal cannot be replayed on this pathway
    └── MissingExtraError (ImportError)     an optional extra is not installed

:class:`Problem` is one finding in a pathway file; ``DefinitionError.problems`` holds all
the errors found in one pass and ``DefinitionError.warnings`` the warnings beside them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from difflib import get_close_matches
from typing import Literal

import attrs

__all__ = [
    "ArgumentError",
    "CheckpointError",
    "DefinitionError",
    "ExpressionError",
    "FactError",
    "MissingExtraError",
    "PathwayError",
    "Problem",
    "ReplayError",
    "SourceError",
    "TransitionError",
    "did_you_mean",
]

Severity = Literal["error", "warning"]


def did_you_mean(found: str, choices: Iterable[str]) -> str | None:
    """Return the closest of ``choices`` to a misspelled ``found``, or ``None``."""
    matches = get_close_matches(found, sorted(set(choices)), n=1, cutoff=0.6)
    return matches[0] if matches else None


@attrs.frozen(slots=True)
class Problem:
    """One finding about a pathway file: where it is, what was expected, what was found.

    ``line`` and ``column`` are 1-based; 0 means the position is not known (text given
    without a file, or a problem about the whole file). ``field`` is the dotted path of
    the offending value, e.g. ``steps.pre_assessment.role``.
    """

    message: str
    source: str = "<string>"
    line: int = 0
    column: int = 0
    field: str = ""
    expected: str = ""
    found: str = ""
    suggestion: str = ""
    code: str = "invalid"
    severity: Severity = "error"

    def location(self) -> str:
        """``file:line:col`` (or fewer parts when the position is unknown)."""
        if self.line <= 0:
            return self.source
        return f"{self.source}:{self.line}:{self.column or 1}"

    def __str__(self) -> str:
        parts = [f"{self.location()}: {self.severity}[{self.code}]"]
        if self.field:
            parts.append(f" {self.field}:")
        parts.append(f" {self.message}")
        if self.expected:
            parts.append(f"; expected {self.expected}")
        if self.found:
            parts.append(f", found {self.found}")
        if self.suggestion:
            parts.append(f"; {self.suggestion}")
        return "".join(parts)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready mapping of every field (the ``--format json`` shape)."""
        return attrs.asdict(self)


class PathwayError(Exception):
    """Root of every error pathway raises on purpose."""


class ArgumentError(PathwayError, TypeError):
    """An argument of a call is not what the call takes; nothing is changed.

    The wrong type (a trigger that is not text, a time that is not a ``datetime``, facts
    that are not a mapping), or text that cannot name anything: empty, longer than the
    limit, or not valid Unicode. The message names the argument, what was expected and
    what was found.
    """


class DefinitionError(PathwayError, ValueError):
    """A pathway definition has one or more errors; all are in ``problems``.

    Raised by :func:`pathway.load` after checking the whole file, so a user sees every
    mistake at once rather than one per run.
    """

    def __init__(self, problems: Sequence[Problem], warnings: Sequence[Problem] = ()) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.warnings: tuple[Problem, ...] = tuple(warnings)
        super().__init__(self._summary())

    def _summary(self) -> str:
        lines = [str(problem) for problem in self.problems]
        count = len(self.problems)
        noun = "error" if count == 1 else "errors"
        if count > 1:
            lines.insert(0, f"{count} {noun} in pathway definition:")
        return "\n".join(lines)


class SourceError(DefinitionError):
    """The input cannot be read as a pathway file at all (not valid, safe YAML text)."""


class ExpressionError(PathwayError, ValueError):
    """An expression (guard or checkpoint question) does not parse, check or evaluate.

    ``column`` is the 1-based position inside the expression text where the problem is.
    """

    def __init__(self, message: str, expression: str = "", column: int = 0) -> None:
        self.expression = expression
        self.column = column
        self.reason = message
        where = f" at column {column}" if column else ""
        shown = f" in {expression!r}" if expression else ""
        super().__init__(f"{message}{where}{shown}")


class FactError(PathwayError, ValueError):
    """A case's facts do not match the pathway's declared facts."""


class TransitionError(PathwayError, ValueError):
    """A trigger cannot fire now; the case is left exactly as it was."""


class CheckpointError(PathwayError, ValueError):
    """A checkpoint decision is incomplete or invalid; nothing is recorded."""


class ReplayError(PathwayError, ValueError):
    """A journal cannot be replayed against this pathway (version or event mismatch)."""


class MissingExtraError(PathwayError, ImportError):
    """An optional part of pathway needs an extra that is not installed."""

    def __init__(self, feature: str, extra: str, module: str) -> None:
        self.extra = extra
        super().__init__(
            f"{feature} needs the optional dependency {module!r}; "
            f"install it with: pip install 'carepathway[{extra}]'"
        )
