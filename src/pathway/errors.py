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
    │   ├── SourceError                     the file cannot be read as YAML text at all
    │   │                                   (missing, empty, binary, not UTF-8, too big,
    │   │                                   too deep, too many aliases, duplicate key)
    │   ├── EventLogError                   an event log cannot be read or used: each Problem
    │   │                                   names the file and the record (line or row,
    │   │                                   column, event or object)
    │   └── BpmnError                       a BPMN file cannot be imported: not safe,
    │                                       well-formed BPMN 2.0, or its draft pathway does
    │                                       not validate; each Problem names the file, the
    │                                       line and the element id
    ├── ExpressionError (ValueError)        a guard or question does not parse or check
    ├── FactError (ValueError)              a case's facts do not match the declared facts
    ├── TransitionError (ValueError)        a trigger cannot fire now (unknown, not allowed
    │   │                                   from this state, guard false, wrong role)
    │   └── ContinuityError                 another worker than the case's named worker of
    │                                       a role with ``continuity: named``
    ├── CheckpointError (ValueError)        a checkpoint decision is incomplete or invalid
    │   └── CheckpointRuleError (ValueError) a decision or review breaks a checkpoint
    │                                       rule (who may decide, rationale, rounds, an
    │                                       answer that persists); also a TransitionError
    ├── ReplayError (ValueError)            a journal cannot be replayed on this pathway
    ├── SimulationError (ValueError)        the simulator cannot run as asked (cases < 1,
    │                                       a bad start, horizon or warm-up, an unknown
    │                                       milestone, simulated time beyond what an event
    │                                       log can hold)
    ├── MissingExtraError (ImportError)     an optional extra is not installed
    ├── StoreError (ValueError)             a case store cannot be used: not a store,
    │                                       corrupt, a newer schema, a version not published
    ├── ConflictError (RuntimeError)        a case store save lost a race: the case changed
    │                                       since it was loaded; nothing was written
    └── MigrationError (ValueError)         cases cannot move to a new pathway version as
                                            mapped (unmapped step, unknown target, fact)

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
    "BpmnError",
    "CheckpointError",
    "CheckpointRuleError",
    "ConflictError",
    "ContinuityError",
    "DefinitionError",
    "EventLogError",
    "ExpressionError",
    "FactError",
    "MigrationError",
    "MissingExtraError",
    "PathwayError",
    "Problem",
    "ReplayError",
    "SimulationError",
    "SourceError",
    "StoreError",
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


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


class SourceError(DefinitionError):
    """The input cannot be read as a pathway file at all (not valid, safe YAML text)."""


class EventLogError(DefinitionError):
    """An event log cannot be read or used (pathway's CSV or Parquet, XES, OCEL 2.0, a
    process-mining table): a truncated or malformed file, a time that is not one, mixed
    time zones, an object reference to nothing, a log of another pathway. Every problem
    found, at most a limit of them, names the file and the record (line or row and
    column, event or object).

    ``log`` is the file; ``omitted`` counts the problems found beyond the limit and not
    listed. The message is headed ``N errors in event log FILE:`` (and says how many
    more were not shown), so it is never mistaken for an error in the pathway file.
    """

    def __init__(
        self,
        problems: Sequence[Problem],
        warnings: Sequence[Problem] = (),
        *,
        log: str = "",
        omitted: int = 0,
    ) -> None:
        self.log = log or (problems[0].source if problems else "<event log>")
        self.omitted = max(0, omitted)
        super().__init__(problems, warnings)

    def _summary(self) -> str:
        total = len(self.problems) + self.omitted
        head = f"{_plural(total, 'error')} in event log {self.log}"
        if self.omitted:
            head += f" (the first {len(self.problems)} shown, {self.omitted} more not shown)"
        return "\n".join([head + ":", *(str(problem) for problem in self.problems)])


class BpmnError(DefinitionError):
    """A BPMN 2.0 file cannot be imported as a pathway (``pathway.io.import_bpmn``).

    Not readable, not well-formed XML, a DOCTYPE or entity declaration (refused, so no
    entity is ever expanded or fetched), not BPMN 2.0, no process, or a draft pathway that
    does not validate. Every problem names the file, the line and, where there is one,
    the BPMN element id (``field`` reads ``element Task_1``). The message is headed
    ``N errors in BPMN file FILE:``.
    """

    def _summary(self) -> str:
        source = self.problems[0].source if self.problems else "<bpmn>"
        head = f"{_plural(len(self.problems), 'error')} in BPMN file {source}"
        return "\n".join([head + ":", *(str(problem) for problem in self.problems)])


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


class ContinuityError(TransitionError):
    """A worker other than the case's named worker tried to work a step of a role with
    ``continuity: named``; the case is left exactly as it was.

    ``expected`` names the worker the case waits for, ``found`` the worker given, and
    ``suggestion`` what to do instead; the message says all three.
    """

    def __init__(
        self, message: str, *, expected: str = "", found: str = "", suggestion: str = ""
    ) -> None:
        self.expected = expected
        self.found = found
        self.suggestion = suggestion
        parts = [f"expected {expected}" if expected else "", f"found {found}" if found else ""]
        details = "; ".join(part for part in (*parts, suggestion) if part)
        super().__init__(f"{message}; {details}" if details else message)


class CheckpointError(PathwayError, ValueError):
    """A checkpoint decision is incomplete or invalid; nothing is recorded."""


class CheckpointRuleError(CheckpointError, TransitionError):
    """A decision or review breaks one of its checkpoint's rules; nothing is recorded.

    The rules (``decided_by``, ``rationale``, ``rounds``, a question's ``persists``):
    the worker's role may not decide, no decision-maker or rationale where one is
    required, a review outside a round or in the same round as the last decision, or
    "no" to a question answered yes before that persists. ``rule`` is the problem code
    (``decider-role``, ``rationale-required``, ``decider-required``, ``round-closed``,
    ``same-round``, ``persisted-answer``); ``expected``, ``found`` and ``suggestion``
    say what the rule wanted, what was given and what to do. Also a
    :class:`TransitionError`, the error ``begin`` and ``fire`` give for a wrong role.
    """

    def __init__(
        self, message: str, *, rule: str, expected: str, found: str, suggestion: str = ""
    ) -> None:
        self.rule = rule
        self.expected = expected
        self.found = found
        self.suggestion = suggestion
        hint = f"; {suggestion}" if suggestion else ""
        super().__init__(f"{message}: expected {expected}, found {found}{hint}")


class ReplayError(PathwayError, ValueError):
    """A journal cannot be replayed against this pathway (version or event mismatch)."""


class SimulationError(PathwayError, ValueError):
    """The simulator cannot run as asked: an argument out of range (``cases`` or
    ``replications`` below 1, a start, horizon or warm-up it cannot use, an unknown
    milestone, an events file it cannot write), or a run that would go beyond what it
    can represent (simulated time past 2262, the last time an event log can hold).

    A pathway *file* the simulator cannot run (no arrivals, a guard over a fact with no
    distribution, calendars never open together) is a :class:`DefinitionError` naming
    the file and the field instead.
    """


class MissingExtraError(PathwayError, ImportError):
    """An optional part of pathway needs an extra that is not installed."""

    def __init__(self, feature: str, extra: str, module: str) -> None:
        self.extra = extra
        super().__init__(
            f"{feature} needs the optional dependency {module!r}; "
            f"install it with: pip install 'carepathway[{extra}]'"
        )


class StoreError(PathwayError, ValueError):
    """A case store cannot be used as asked; nothing in it was changed."""


class ConflictError(PathwayError, RuntimeError):
    """A save lost a race: the case changed since it was loaded; nothing was written.

    ``case_id`` names the case; load it again and redo the work (``Store.transact``).
    """

    def __init__(self, message: str, case_id: str = "") -> None:
        self.case_id = case_id
        super().__init__(message)


class MigrationError(PathwayError, ValueError):
    """Cases cannot move to another pathway version as mapped; no case was moved."""
