"""Invalid commands: for a case state, a command the engine must reject, and why.

Each :class:`InvalidKind` knows how to build one kind of invalid command from the
model's view of a case (a :class:`~pathway.testing._journeys.Cursor`): an unknown
trigger, a trigger from the wrong step, a false guard, the wrong role, a closed
calendar, time going backwards, and incomplete or misplaced checkpoint decisions.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta
from typing import TypeVar

import attrs

from pathway._engine._types import Worker
from pathway.errors import CheckpointError, ContinuityError, PathwayError, TransitionError
from pathway.testing._journeys import (
    RATIONALE,
    Begin,
    Choices,
    Command,
    Cursor,
    Decide,
    DidNotAttend,
    Fire,
    Journey,
    Readable,
    pick,
    start_cursor,
    worker_for,
)

__all__ = [
    "INVALID_CODES",
    "INVALID_KINDS",
    "InvalidKind",
    "InvalidTrigger",
    "applicable_kinds",
    "build_invalid",
    "cursor_after",
]


@attrs.frozen(eq=False)
class InvalidTrigger(Readable):
    """A case state (reached by ``journey``) and a ``command`` that must be rejected
    there with ``error``, leaving the case unchanged. ``reason`` says why it is invalid.
    """

    journey: Journey
    command: Command
    reason: str
    error: type[PathwayError]
    description: str = ""

    def __repr__(self) -> str:
        return (
            f"{self.journey!r}\n  then {self.command!r} must raise "
            f"{self.error.__name__} ({self.reason}: {self.description})"
        )


T = TypeVar("T")
_Builder = Callable[[Cursor, Choices], Command | None]


def _unknown_trigger(cursor: Cursor, choices: Choices) -> Command:
    pathway = cursor.pathway
    name = "unknown_trigger"
    while name in pathway.triggers or name in pathway.checkpoints:
        name += "_x"
    return Fire(name, cursor.now, worker_for(pathway, cursor.step.role, choices, cursor.named))


def _wrong_state(cursor: Cursor, choices: Choices) -> Command | None:
    here = {t.trigger for t in cursor.pathway.outgoing(cursor.state)}
    others = sorted(cursor.pathway.triggers - here)
    if cursor.finished or not others:
        return None
    by = worker_for(cursor.pathway, cursor.step.role, choices, cursor.named)
    return Fire(pick(choices, others), cursor.open_at(cursor.now), by)


def _guard_false(cursor: Cursor, choices: Choices) -> Command | None:
    outgoing = [t for t in cursor.pathway.outgoing(cursor.state) if t.checkpoint is None]
    open_triggers = {t.trigger for t in cursor.firable()}
    blocked = sorted({t.trigger for t in outgoing} - open_triggers)
    if cursor.finished or not blocked:
        return None
    by = worker_for(cursor.pathway, cursor.step.role, choices, cursor.named)
    return Fire(pick(choices, blocked), cursor.open_at(cursor.now), by)


def _wrong_role(cursor: Cursor, choices: Choices) -> Command | None:
    firable = cursor.firable()
    others = sorted(set(cursor.pathway.roles) - {cursor.step.role})
    if cursor.finished or not firable or not others:
        return None
    intruder = Worker("intruder", pick(choices, others))
    return Fire(firable[0].trigger, cursor.open_at(cursor.now), intruder, firable[0].target)


def _closed_time(cursor: Cursor) -> datetime | None:
    name = cursor.step.calendar
    if name is None:
        return None
    calendar = cursor.pathway.calendars[name]
    try:
        closed = calendar.window_end(calendar.next_open(cursor.now))
    except ValueError:
        return None
    return None if calendar.is_open(closed) else closed


def _calendar_closed(cursor: Cursor, choices: Choices) -> Command | None:
    firable, closed = cursor.firable(), _closed_time(cursor)
    if cursor.finished or cursor.begun or not firable or closed is None:
        return None  # a step begun inside its window may be completed after it
    by = worker_for(cursor.pathway, cursor.step.role, choices, cursor.named)
    return Fire(firable[0].trigger, closed, by, firable[0].target)


def _time_backwards(cursor: Cursor, choices: Choices) -> Command | None:
    firable = cursor.firable()
    if cursor.finished or not firable:
        return None
    by = worker_for(cursor.pathway, cursor.step.role, choices, cursor.named)
    earlier = cursor.now - timedelta(minutes=choices.integer(1, 60))
    return Fire(firable[0].trigger, earlier, by, firable[0].target)


def _checkpoint_fired(cursor: Cursor, choices: Choices) -> Command | None:
    name = cursor.step.checkpoint
    if cursor.finished or name is None:
        return None
    by = worker_for(cursor.pathway, cursor.step.role, choices, cursor.named)
    return Fire(name, cursor.open_at(cursor.now), by)


def _after_outcome(cursor: Cursor, choices: Choices) -> Command | None:
    if not cursor.finished:
        return None
    return Fire(pick(choices, sorted(cursor.pathway.triggers)), cursor.now, None)


def _begun_twice(cursor: Cursor, choices: Choices) -> Command | None:
    if cursor.finished or not cursor.started:
        return None
    by = worker_for(cursor.pathway, cursor.step.role, choices, cursor.named)
    return Begin(cursor.open_at(cursor.now), by)


def _not_named_worker(cursor: Cursor, _choices: Choices) -> Command | None:
    """``begin`` by another worker of a role that keeps the case's named worker (with no
    ``named_within``, so the named worker's claim never runs out)."""
    role_id = cursor.step.role
    if cursor.finished or cursor.started or role_id is None or role_id not in cursor.named:
        return None
    role = cursor.pathway.roles[role_id]
    if not role.named or role.named_within is not None:
        return None
    return Begin(cursor.open_at(cursor.now), Worker(f"{cursor.named[role_id]}_other", role_id))


def _not_a_waiting_visit(cursor: Cursor, _choices: Choices) -> Command | None:
    if not cursor.finished and cursor.step.visit and not cursor.started:
        return None
    return DidNotAttend(cursor.now)


def _person_answers(cursor: Cursor, choices: Choices) -> tuple[str, dict[str, bool]] | None:
    name = cursor.step.checkpoint
    if cursor.finished or name is None:
        return None
    questions = cursor.pathway.checkpoints[name].questions
    return name, {q.id: choices.boolean() for q in questions if not q.automatic}


def _decision(cursor: Cursor, choices: Choices, name: str, answers: Mapping[str, bool]) -> Decide:
    by = worker_for(cursor.pathway, cursor.step.role, choices, cursor.named)
    return Decide(name, answers, cursor.open_at(cursor.now), by, RATIONALE)


def _missing_answer(cursor: Cursor, choices: Choices) -> Command | None:
    found = _person_answers(cursor, choices)
    if found is None or not found[1]:
        return None
    name, answers = found
    answers.pop(pick(choices, sorted(answers)))
    return _decision(cursor, choices, name, answers)


def _unknown_question(cursor: Cursor, choices: Choices) -> Command | None:
    found = _person_answers(cursor, choices)
    if found is None:
        return None
    name, answers = found
    return _decision(cursor, choices, name, {**answers, "no_such_question": True})


def _unaccountable(cursor: Cursor, choices: Choices) -> Command | None:
    found = _person_answers(cursor, choices)
    if found is None or cursor.pathway.checkpoints[found[0]].framework != "PLAN":
        return None
    decision = _decision(cursor, choices, *found)
    if choices.boolean():
        return attrs.evolve(decision, by=None)
    return attrs.evolve(decision, rationale=" ")


def _wrong_checkpoint(cursor: Cursor, choices: Choices) -> Command | None:
    elsewhere = sorted(n for n, c in cursor.pathway.checkpoints.items() if c.step != cursor.state)
    if not elsewhere:
        return None
    name = pick(choices, elsewhere)
    questions = cursor.pathway.checkpoints[name].questions
    answers = {q.id: True for q in questions if not q.automatic}
    return Decide(name, answers, cursor.now, Worker("someone", "any"), RATIONALE)


@attrs.frozen
class InvalidKind:
    """A way for a command to be invalid: a short ``code``, what it means, the error
    the engine raises, and how to build such a command (``None`` if it cannot be built
    in the current state)."""

    code: str
    description: str
    error: type[PathwayError]
    build: _Builder


INVALID_KINDS: tuple[InvalidKind, ...] = (
    InvalidKind("unknown-trigger", "unknown trigger", TransitionError, _unknown_trigger),
    InvalidKind("wrong-step", "trigger not possible from this step", TransitionError, _wrong_state),
    InvalidKind(
        "guard-false", "every guard on the trigger is false", TransitionError, _guard_false
    ),
    InvalidKind("wrong-role", "worker not in the owner role", TransitionError, _wrong_role),
    InvalidKind("calendar-closed", "step calendar closed", TransitionError, _calendar_closed),
    InvalidKind("time-backwards", "time goes backwards", TransitionError, _time_backwards),
    InvalidKind(
        "checkpoint-fired", "checkpoint fired as a trigger", TransitionError, _checkpoint_fired
    ),
    InvalidKind("finished", "case already at an outcome", TransitionError, _after_outcome),
    InvalidKind("begun-twice", "step already begun", TransitionError, _begun_twice),
    InvalidKind(
        "not-waiting-visit", "not a visit waiting to happen", TransitionError, _not_a_waiting_visit
    ),
    InvalidKind(
        "not-named-worker",
        "another worker than the case's named worker (continuity: named)",
        ContinuityError,
        _not_named_worker,
    ),
    InvalidKind("missing-answer", "a person's answer missing", CheckpointError, _missing_answer),
    InvalidKind(
        "unknown-question", "answer to an unknown question", CheckpointError, _unknown_question
    ),
    InvalidKind(
        "unaccountable",
        "PLAN decision without decision-maker or rationale",
        CheckpointError,
        _unaccountable,
    ),
    InvalidKind(
        "wrong-checkpoint", "checkpoint of another step", CheckpointError, _wrong_checkpoint
    ),
)
#: Every invalid-command code, for ``invalid_triggers(kinds=...)``.
INVALID_CODES = frozenset(kind.code for kind in INVALID_KINDS)


def applicable_kinds(cursor: Cursor, codes: Collection[str] = INVALID_CODES) -> list[InvalidKind]:
    """The kinds (among ``codes``) for which an invalid command exists in this state."""
    return [k for k in INVALID_KINDS if k.code in codes and k.build(cursor, _Probe()) is not None]


def cursor_after(journey: Journey) -> Cursor:
    """The model's cursor at the end of ``journey``."""
    cursor = start_cursor(journey.pathway, journey.facts, journey.start)
    for command in journey:
        cursor.advance(command)
    return cursor


def _longest_prefix(journey: Journey, codes: Collection[str]) -> tuple[Journey, Cursor] | None:
    """The longest prefix of ``journey`` ending where a kind in ``codes`` applies."""
    cursor = start_cursor(journey.pathway, journey.facts, journey.start)
    found = None
    for length in range(len(journey) + 1):
        if length:
            cursor.advance(journey[length - 1])
        if applicable_kinds(cursor, codes):
            found = (length, attrs.evolve(cursor))
    if found is None:
        return None
    length, cursor = found
    return attrs.evolve(journey, commands=journey.commands[:length], end=cursor.state), cursor


def build_invalid(
    journey: Journey, choices: Choices, codes: Collection[str] = INVALID_CODES
) -> InvalidTrigger | None:
    """An invalid command (of a kind in ``codes``) at the end of the longest prefix of
    ``journey`` where such a kind applies; ``None`` when it applies nowhere on it."""
    found = _longest_prefix(journey, codes)
    if found is None:
        return None
    prefix, cursor = found
    kind = pick(choices, applicable_kinds(cursor, codes))
    command = kind.build(attrs.evolve(cursor), choices)
    assert command is not None
    return InvalidTrigger(prefix, command, kind.code, kind.error, kind.description)


class _Probe:
    """Choices that always take the simplest option: to ask whether a kind applies."""

    def integer(self, low: int, high: int) -> int:
        return low

    def boolean(self) -> bool:
        return False

    def more(self) -> bool:
        return False

    def group(self, build: Callable[[Choices], T]) -> T:
        return build(self)
