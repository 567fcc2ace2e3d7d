"""A hypothesis state machine that drives your case system and the live engine together.

Subclass :class:`PathwayStateMachine`, set ``pathway``, and implement the hooks that
forward each command to your system (``start_case``, ``fire``, ``decide``, optionally
``begin`` and ``did_not_attend``) and report what it believes (``state``, ``visits``,
``handoffs``). Hypothesis then runs valid journeys through both, checks after every step
that they agree, and tries invalid commands that both must reject. A disagreement is
shrunk to the shortest sequence of commands that shows it.

Only a refusal your system signals counts as one: by default a
:class:`~pathway.PathwayError`; set ``rejected_errors`` (or override ``rejected``) to
name your system's own. Any other exception from a hook is a bug in your adapter or
system, and fails the test.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar, Self, cast

import attrs
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from pathway._define._load import load
from pathway._define._spec import PathwaySpec
from pathway._engine._case import Case
from pathway._engine._types import Worker
from pathway._model._pathway import Pathway
from pathway.errors import ArgumentError, PathwayError
from pathway.testing._invalid import INVALID_CODES, InvalidKind, applicable_kinds
from pathway.testing._journeys import (
    DEFAULT_START,
    MAX_START_OFFSET,
    Begin,
    Command,
    Cursor,
    Decide,
    DidNotAttend,
    Fire,
    Move,
    Readable,
    draw_facts,
    make_command,
    pick,
    start_cursor,
)
from pathway.testing._strategies import DrawChoices

__all__ = ["PathwayStateMachine"]

#: Optional hooks, by the kind of move they carry out.
_OPTIONAL = {"begin": "begin", "dna": "did_not_attend"}
#: The invalid commands every case system is expected to reject, by default.
DEFAULT_REJECTIONS = frozenset({"unknown-trigger", "wrong-step", "guard-false", "finished"})


@attrs.frozen(eq=False)
class CaseStart(Readable):
    """The first command of a run: start a case with these facts at this time."""

    case_id: str
    facts: Mapping[str, Any]
    at: datetime

    def __repr__(self) -> str:
        at = self.at.isoformat(timespec="minutes")
        return f"start_case({self.case_id!r}, {dict(self.facts)!r}, at={at!r})"


@attrs.frozen(eq=False)
class Attempt(Readable):
    """An invalid command, why it is invalid, and what the engine raises for it."""

    command: Command
    kind: InvalidKind

    def __repr__(self) -> str:
        return f"{self.command!r}  # invalid: {self.kind.description}"


class PathwayStateMachine(RuleBasedStateMachine):
    """Drive a case system under test and the live engine with the same commands.

    Set ``pathway`` (a compiled :class:`~pathway.Pathway`) on a subclass, or make one
    with :meth:`for_pathway`; implement the hooks below; then run it with
    ``TestMyMachine = MyMachine.TestCase`` (pytest or unittest collects it) or
    :func:`hypothesis.stateful.run_state_machine_as_test`.

    Each run starts one case, then applies valid commands (fire a trigger whose guards
    hold, decide a checkpoint, begin a step, record a missed visit) at increasing times
    within the step's calendar, by workers of the owner role. After every step your
    system's ``state()``, ``visits()`` and ``handoffs()`` must equal the engine's (the
    current step id, attendances so far, and hand-offs so far at ``handoff_levels``).
    It also tries commands the pathway forbids (``rejections``, codes as in
    :func:`~pathway.testing.invalid_triggers`): your hook must refuse them, and its
    state must not change. A refusal is an exception :meth:`rejected` accepts: by
    default one of ``rejected_errors``, which is ``(pathway.PathwayError,)`` unless you
    set it to your system's own (``rejected_errors = (MyDomainError,)``). Any other
    exception (an ``AttributeError`` in your adapter, say) fails the test, naming it.

    ``worker`` is ``None`` when the command has nobody to name: a trigger fired after the
    case has finished (no step owns it: rejection ``finished``) and a PLAN decision
    without a decision-maker (rejection ``unaccountable``). Valid commands always come
    with a worker of the owner role. Your hooks must accept ``None``.

    Fired triggers never need ``to=``: your system should take the first transition on
    that trigger, in declaration order, whose guard holds, as the engine does.
    """

    pathway: ClassVar[Pathway]
    case_id: ClassVar[str] = "case-1"
    handoff_levels: ClassVar[frozenset[str]] = frozenset({"role", "team", "organisation"})
    rejections: ClassVar[frozenset[str]] = DEFAULT_REJECTIONS
    #: Every rejection code, for ``rejections = PathwayStateMachine.every_rejection``.
    every_rejection: ClassVar[frozenset[str]] = INVALID_CODES
    #: The exceptions with which your system refuses a command (see :meth:`rejected`).
    rejected_errors: ClassVar[tuple[type[BaseException], ...]] = (PathwayError,)

    def __init__(self) -> None:
        super().__init__()
        if not isinstance(getattr(type(self), "pathway", None), Pathway):
            raise ArgumentError(
                f"{type(self).__name__}.pathway must be a compiled pathway: set "
                "'pathway = pathway.load(...)' or use PathwayStateMachine.for_pathway(...)"
            )
        unknown = self.rejections - INVALID_CODES
        if unknown:
            raise ValueError(f"unknown rejection codes {sorted(unknown)}")
        self.case: Case | None = None
        self.cursor: Cursor | None = None

    @classmethod
    def for_pathway(
        cls, pathway: Pathway | PathwaySpec | str | os.PathLike[str], **attributes: Any
    ) -> type[Self]:
        """A subclass of this class bound to ``pathway`` (compiled, a definition, YAML
        text or a file path), with any other class ``attributes`` (``rejections=...``)."""
        compiled = pathway if isinstance(pathway, Pathway) else load(pathway)
        namespace = {"pathway": compiled, "__module__": cls.__module__, **attributes}
        return cast(type[Self], type(cls.__name__, (cls,), namespace))

    # -- the hooks your subclass implements ---------------------------------------

    def start_case(self, case_id: str, facts: Mapping[str, Any], at: datetime) -> None:
        """Start the case in your system."""
        raise NotImplementedError("implement start_case(case_id, facts, at)")

    def fire(self, trigger: str, at: datetime, worker: Worker | None) -> None:
        """Fire ``trigger`` in your system; raise one of ``rejected_errors`` if it is not
        allowed. ``worker`` is ``None`` only for a trigger fired after the case has
        finished (nobody owns it then)."""
        raise NotImplementedError("implement fire(trigger, at, worker)")

    def decide(
        self,
        checkpoint: str,
        answers: Mapping[str, bool],
        at: datetime,
        worker: Worker | None,
        rationale: str,
    ) -> None:
        """Record a checkpoint decision (answers to questions asked of a person); raise
        one of ``rejected_errors`` if it is not allowed. ``worker`` is ``None`` only for
        a PLAN decision without a decision-maker, which must be refused."""
        raise NotImplementedError("implement decide(checkpoint, answers, at, worker, rationale)")

    def begin(self, at: datetime, worker: Worker | None) -> None:
        """Optional: work on the current step starts (``worker`` is always named). Not
        overridden: never called."""

    def did_not_attend(self, at: datetime) -> None:
        """Optional: the person missed the booked visit. Not overridden: never called."""

    def state(self) -> str:
        """The id of the step your system says the case is at."""
        raise NotImplementedError("implement state()")

    def visits(self) -> int:
        """How many attendances your system has counted so far."""
        raise NotImplementedError("implement visits()")

    def handoffs(self) -> int:
        """How many hand-offs (at ``handoff_levels``) your system has counted so far."""
        raise NotImplementedError("implement handoffs()")

    # -- what is compared -------------------------------------------------------------

    def expected(self, case: Case) -> dict[str, object]:
        """What the engine says: state, visits and hand-offs (override to add more)."""
        measures = case.measures()
        handoffs = sum(n for level, n in measures.handoffs.items() if level in self.handoff_levels)
        return {"state": case.state, "visits": measures.visits, "handoffs": handoffs}

    def observed(self) -> dict[str, object]:
        """What your system says, keyed like :meth:`expected`."""
        return {"state": self.state(), "visits": self.visits(), "handoffs": self.handoffs()}

    def rejected(self, error: Exception) -> bool:
        """Whether ``error``, raised by a hook for a command the pathway forbids, is
        your system refusing it. By default: it is one of ``rejected_errors``. Override
        it when a refusal is told apart otherwise (an error code on one exception
        class, say). Anything it does not accept fails the test as a bug."""
        return isinstance(error, self.rejected_errors)

    # -- rules ----------------------------------------------------------------------------

    @initialize(data=st.data())
    def start(self, data: st.DataObject) -> None:
        """Start a case with drawn facts at a drawn time, in the engine and your system."""
        start = data.draw(_starts(self.pathway, self.case_id), label="start")
        self.case = self.pathway.new_case(start.case_id, dict(start.facts), at=start.at)
        self.cursor = start_cursor(self.pathway, start.facts, start.at)
        self.start_case(start.case_id, dict(start.facts), start.at)

    @precondition(lambda self: self.case is not None)
    @rule(data=st.data())
    def act(self, data: st.DataObject) -> None:
        """One step: mostly a valid command (fire a trigger whose guard holds, decide the
        checkpoint, begin the step, miss the visit it waits for), sometimes a command
        the pathway forbids, which the engine and your system must both refuse."""
        step = data.draw(_steps(self._cursor(), self._moves(), self._rejectable()), label="step")
        if isinstance(step, Attempt):
            self._attempt(step)
        elif step is not None:
            self._apply(step)

    @invariant()
    def system_agrees(self) -> None:
        """Your system's state, visits and hand-offs equal the engine's."""
        if self.case is None:
            return
        if self.case.state != self._cursor().state:
            raise AssertionError(
                f"pathway's engine is at {self.case.state!r} but its model says "
                f"{self._cursor().state!r}: please report this as a pathway bug"
            )
        expected, observed = self.expected(self.case), self.observed()
        differences = [
            f"{key}: your system says {observed.get(key)!r}, the pathway says {value!r}"
            for key, value in expected.items()
            if observed.get(key) != value
        ]
        if differences:
            raise AssertionError("; ".join(differences))

    # -- internals ------------------------------------------------------------------------

    def _cursor(self) -> Cursor:
        assert self.cursor is not None, "the case has not started"
        return self.cursor

    def _implements(self, hook: str) -> bool:
        return getattr(type(self), hook) is not getattr(PathwayStateMachine, hook)

    def _moves(self) -> list[Move]:
        """Valid moves now, for the hooks implemented; one per fired trigger (the
        first transition on it whose guard holds, as your system should pick)."""
        if self.cursor is None:
            return []
        skipped = {kind for kind, hook in _OPTIONAL.items() if not self._implements(hook)}
        moves, fired = [], set()
        for move in self.cursor.moves():
            if move.transition is not None:
                if move.transition.trigger in fired:
                    continue
                fired.add(move.transition.trigger)
            if move.kind not in skipped:
                moves.append(move)
        return moves

    def _rejectable(self) -> list[InvalidKind]:
        if self.cursor is None:
            return []
        kinds = applicable_kinds(self.cursor, self.rejections)
        return [k for k in kinds if self._sendable(k)]

    def _sendable(self, kind: InvalidKind) -> bool:
        if kind.code in {"begun-twice", "not-named-worker"}:
            return self._implements("begin")
        return kind.code != "not-waiting-visit" or self._implements("did_not_attend")

    def _apply(self, command: Command) -> None:
        assert self.case is not None
        try:
            command.apply(self.case)
        except PathwayError as error:
            raise AssertionError(
                f"pathway's engine rejected {command!r}, which its model allows: {error}; "
                "please report this as a pathway bug"
            ) from None
        self._cursor().advance(command)
        self._send(command)

    def _attempt(self, attempt: Attempt) -> None:
        self._refused_by_engine(attempt)
        try:
            self._send(attempt.command)
        except NotImplementedError:
            raise
        except Exception as error:
            if self.rejected(error):
                return
            raise AssertionError(self._not_a_refusal(attempt, error)) from error
        raise AssertionError(
            f"your system accepted {attempt.command!r}, which the pathway forbids: "
            f"{attempt.kind.description}"
        )

    def _not_a_refusal(self, attempt: Attempt, error: Exception) -> str:
        """Why an exception from a hook is not counted as a refusal, and what to do."""
        names = ", ".join(e.__name__ for e in self.rejected_errors) or "nothing"
        message = (
            f"your system raised {type(error).__name__}: {error} for {attempt.command!r} "
            f"(which the pathway forbids: {attempt.kind.description}), but that is not a "
            f"refusal: rejected_errors is ({names}) and rejected() did not accept it. "
            "If this is how your system refuses, add it to rejected_errors (or override "
            "rejected()); otherwise it is a bug in your system or its adapter"
        )
        if getattr(attempt.command, "by", "") is None:
            message += (
                "; note that this command names no worker (worker is None), as for a "
                "finished case or a PLAN decision without a decision-maker"
            )
        return message

    def _refused_by_engine(self, attempt: Attempt) -> None:
        assert self.case is not None
        events = len(self.case.journal)
        try:
            attempt.command.apply(self.case)
        except PathwayError as error:
            if isinstance(error, attempt.kind.error) and len(self.case.journal) == events:
                return
            found = f"raised {error!r}"
        else:
            found = "accepted it"
        raise AssertionError(
            f"pathway's engine {found} for {attempt!r}: please report this as a pathway bug"
        )

    def _send(self, command: Command) -> None:
        """Forward ``command`` to the system under test through its hook."""
        if isinstance(command, Fire):
            self.fire(command.trigger, command.at, command.by)
        elif isinstance(command, Decide):
            answers = dict(command.answers)
            self.decide(command.checkpoint, answers, command.at, command.by, command.rationale)
        elif isinstance(command, Begin):
            self.begin(command.at, command.by)
        elif isinstance(command, DidNotAttend):
            self.did_not_attend(command.at)


@st.composite
def _starts(draw: st.DrawFn, pathway: Pathway, case_id: str) -> CaseStart:
    choices = DrawChoices(draw)
    facts = draw_facts(pathway, choices)
    at = DEFAULT_START + timedelta(minutes=choices.integer(0, MAX_START_OFFSET))
    return CaseStart(case_id, facts, at)


@st.composite
def _steps(
    draw: st.DrawFn, cursor: Cursor, moves: list[Move], kinds: list[InvalidKind]
) -> Command | Attempt | None:
    """One of the valid moves or, as one more option, an invalid command; ``None`` when
    there is neither (the case has ended or stalled)."""
    choices = DrawChoices(draw)
    options: list[Move | None] = [*moves, *([None] if kinds else [])]
    if not options:
        return None
    move = pick(choices, options)
    if move is not None:
        return make_command(cursor, move, choices)
    kind = pick(choices, kinds)
    command = kind.build(cursor, choices)
    assert command is not None
    return Attempt(command, kind)
