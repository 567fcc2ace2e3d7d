"""The live case engine: one shared ``transitions`` machine per pathway, cases as data.

A case system loads a pathway once and creates a :class:`Case` per person. Firing a
trigger validates everything first (trigger, state, worker's role, the step's calendar,
guards) and only then appends events, so a rejected trigger changes nothing. Time is
always passed in (``at=``); the engine never reads the clock.

Why not ``Machine.add_model`` per case: attaching scans a list of models (quadratic when
attaching many cases) and costs kilobytes per case. Why not ``Event.trigger`` per fire:
its per-call pipeline (EventData, callback resolution, queue) is slower than the whole
budget for a fire with guards and journal. So the machine is built once per pathway from
the compiled model and the engine dispatches on the machine's own event and transition
tables; a test checks every move against ``Event.trigger`` on the same machine.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, cast
from zoneinfo import ZoneInfo

import attrs
import transitions

from pathway._journal._events import (
    CaseStarted,
    Decision,
    Event,
    FactsUpdated,
    FailureDemand,
    Handoff,
    Journal,
    OutcomeReached,
    Row,
    StepCompleted,
    StepStarted,
    Transitioned,
    VisitAttended,
    VisitMissed,
    Waited,
    build_rows,
    event_from_dict,
    event_to_dict,
    freeze_mapping,
)
from pathway._journal._measures import CaseMeasures, measure_events
from pathway._model._pathway import (
    Checkpoint,
    Pathway,
    Step,
    Transition,
    provide_case_factory,
)
from pathway._vocab import DEMANDS
from pathway.errors import (
    CheckpointError,
    ExpressionError,
    FactError,
    ReplayError,
    TransitionError,
    did_you_mean,
)

__all__ = ["CASE_FORMAT", "Case", "Option", "Worker", "machine_for", "new_case", "replay"]

CASE_FORMAT = "pathway-case/1"
_UTC_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)
_FACT_TYPES: Mapping[str, tuple[type, ...]] = {
    "bool": (bool,),
    "int": (int,),
    "float": (int, float),
    "str": (str,),
    "list": (list, tuple),
    "mapping": (dict,),
}


_ARTICLE = {"bool": "a", "int": "an", "float": "a", "str": "a", "list": "a", "mapping": "a"}


@attrs.frozen(slots=True)
class Worker:
    """A named worker in a role: ``case.fire("allocate", by=Worker("amy", "duty_lead"))``."""

    id: str
    role: str


@attrs.frozen(slots=True)
class Option:
    """One trigger possible from the current step, and if it is blocked, why."""

    trigger: str
    target: str | None
    allowed: bool
    reasons: tuple[str, ...] = ()
    checkpoint: str | None = None
    role: str | None = None


class _PathwayTransition(transitions.Transition):
    """A ``transitions`` transition that knows the compiled transition it stands for."""

    compiled: Transition


class _PathwayMachine(transitions.Machine):
    transition_cls = _PathwayTransition


@lru_cache(maxsize=64)
def machine_for(pathway: Pathway) -> transitions.Machine:
    """The shared ``transitions.Machine`` of a pathway (built once, cached by content).

    States are step ids; each compiled transition (checkpoint routes included) is a
    machine transition whose condition evaluates the guard over ``model.facts``. Use it
    with ``transitions`` tooling (diagrams, extensions); cases never attach to it.
    """
    machine = _PathwayMachine(
        model=None,
        states=list(pathway.steps),
        initial=pathway.start,
        auto_transitions=False,
        send_event=True,
    )
    for compiled in pathway.transitions:
        condition = _condition(compiled)
        machine.add_transition(
            compiled.trigger,
            compiled.source,
            compiled.target,
            conditions=[condition] if condition else None,
        )
        move = machine.events[compiled.trigger].transitions[compiled.source][-1]
        cast(_PathwayTransition, move).compiled = compiled
    return machine


@attrs.frozen(slots=True)
class _Runtime:
    """What every case of one pathway shares: the dispatch table built from the shared
    machine's event tables, the time zone and the attendance window."""

    table: Mapping[tuple[str, str], tuple[Transition, ...]]
    steps: Mapping[str, Step]
    zone: ZoneInfo
    same_visit: timedelta


@lru_cache(maxsize=64)
def _runtime(pathway: Pathway) -> _Runtime:
    machine = machine_for(pathway)
    table = {
        (source, trigger): tuple(_compiled(move) for move in moves)
        for trigger, event in machine.events.items()
        for source, moves in event.transitions.items()
        if moves
    }
    return _Runtime(
        table,
        dict(pathway.steps),
        ZoneInfo(pathway.timezone),
        timedelta(minutes=pathway.same_visit_within),
    )


def _compiled(move: transitions.Transition) -> Transition:
    return cast(_PathwayTransition, move).compiled


def _condition(compiled: Transition) -> Any:
    guard = compiled.guard
    if guard is None:
        return None
    return lambda event: guard.test(event.model.facts)


def new_case(
    pathway: Pathway,
    case_id: str,
    facts: Mapping[str, Any] | None = None,
    *,
    at: datetime,
    roster: Mapping[str, str] | None = None,
) -> Case:
    """Start a case at the pathway's start step (also ``pathway.new_case(...)``).

    ``facts`` are checked against the declared facts (FactError naming the fact);
    ``roster`` maps worker ids to roles so ``by="amy"`` can be checked. Raises
    :class:`FactError`, or :class:`TransitionError` for a bad ``at``.
    """
    case = Case(pathway, case_id, roster)
    case._start(_checked_facts(pathway, facts or {}), at)
    return case


def _checked_facts(pathway: Pathway, facts: Mapping[str, Any]) -> dict[str, Any]:
    for name, value in facts.items():
        declared = pathway.facts.get(name)
        if declared is None:
            guess = did_you_mean(name, pathway.facts)
            hint = f"; did you mean {guess!r}?" if guess else ""
            known = ", ".join(pathway.facts) or "none"
            raise FactError(f"unknown fact {name!r}; declared facts: {known}{hint}")
        _check_fact_value(name, declared.type, declared.values, value)
    return {name: _fact_json(name, value) for name, value in facts.items()}


def _plain_json(value: Any) -> Any:
    """``value`` as it reads back from the case's JSON (tuples become lists).

    Raises ValueError or TypeError for what JSON cannot hold exactly: NaN and infinity,
    mappings with keys that are not text, datetimes and other objects.
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a finite number")
        return value
    if isinstance(value, list | tuple):
        return [_plain_json(item) for item in value]
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return {key: _plain_json(item) for key, item in value.items()}
    raise TypeError(f"{type(value).__name__} is not plain JSON data")


def _fact_json(name: str, value: Any) -> Any:
    try:
        return _plain_json(value)
    except (TypeError, ValueError):
        raise FactError(
            f"fact {name!r} must be plain JSON data (finite numbers, text, lists, "
            f"mappings with text keys), found {value!r}"
        ) from None


def _data_json(case_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
    if not data:
        return {}
    plain = {}
    for key, value in data.items():
        try:
            plain[key] = _plain_json(value)
        except (TypeError, ValueError):
            raise TransitionError(
                f"case {case_id!r}: data {key}={value!r} cannot be stored in the journal; "
                "pass plain JSON data (finite numbers, text, lists, mappings with text keys)"
            ) from None
    return plain


def _check_fact_value(name: str, kind: str, values: tuple[object, ...] | None, value: Any) -> None:
    if value is None:
        return
    wrong_bool = isinstance(value, bool) and kind in {"int", "float"}
    if wrong_bool or not isinstance(value, _FACT_TYPES[kind]):
        raise FactError(
            f"fact {name!r} expected {_ARTICLE[kind]} {kind} value, found {value!r} "
            f"({type(value).__name__})"
        )
    if values is not None and value not in values:
        allowed = ", ".join(repr(v) for v in values)
        raise FactError(f"fact {name!r} expected one of {allowed}, found {value!r}")


class Case:
    """One person's journey through a pathway, as live data plus its journal.

    Create with :func:`new_case` (or ``pathway.new_case``); move with :meth:`fire`,
    :meth:`begin`, :meth:`decide`, :meth:`did_not_attend`; ask :meth:`available`;
    persist with :meth:`to_json` and rebuild with :meth:`from_json`.
    """

    __slots__ = (
        "_attendances",
        "_begun",
        "_built_upto",
        "_client_rebooked",
        "_events",
        "_facts",
        "_last_visit_end",
        "_missed",
        "_now",
        "_pending",
        "_previous",
        "_roster",
        "_rt",
        "_started_at",
        "_state",
        "_step",
        "_wait_cause",
        "_wait_since",
        "_worker",
        "case_id",
        "pathway",
    )

    def __init__(self, pathway: Pathway, case_id: str, roster: Mapping[str, str] | None = None):
        self.pathway = pathway
        self.case_id = case_id
        self._roster = roster
        self._events: list[Event | Row] = []  # hot-path rows are built when read
        self._built_upto = 0  # every entry before this index is an event
        self._facts: dict[str, Any] = {}
        self._state = pathway.start
        self._step = pathway.steps[pathway.start]
        self._rt = _runtime(pathway)
        self._now: datetime | None = None
        self._started_at: datetime | None = None  # work on the current step began
        self._worker: Worker | None = None  # who is working the current step
        self._pending: Transition | None = None  # the move that brought the case here
        self._previous: tuple[Step, Worker | None] | None = None  # last completed step
        self._wait_since: datetime | None = None
        self._wait_cause = "handoff"
        self._last_visit_end: datetime | None = None
        self._attendances = 0
        self._begun = False  # begin() was called for the current step
        self._missed = False  # the person missed the booked visit for the current step
        self._client_rebooked = False  # ...and then came back to rebook it themselves

    # -- what a case system reads ------------------------------------------------

    @property
    def state(self) -> str:
        """The id of the current step."""
        return self._state

    @property
    def step(self) -> Step:
        """The current step."""
        return self._step

    @property
    def owner(self) -> str | None:
        """The role that owns the current step (``None`` at an outcome)."""
        return self.step.role

    @property
    def facts(self) -> Mapping[str, Any]:
        """The case's facts (read-only view; change them with :meth:`update_facts`)."""
        return dict(self._facts)

    @property
    def journal(self) -> Journal:
        """Every event so far, in order; a read-only sequence."""
        return Journal(self._built)

    @property
    def finished(self) -> bool:
        """True once the case has reached an outcome step."""
        return self.step.outcome

    def measures(self, at: datetime | None = None) -> CaseMeasures:
        """Visits, hand-offs by level, waits by cause, touch and elapsed time, failure
        demand and DNAs so far (elapsed up to ``at`` if given, else the last event)."""
        return measure_events(self._built(), until=self._time(at, check=False) if at else None)

    def __repr__(self) -> str:
        return f"<Case {self.case_id!r} at {self._state!r}, {len(self._events)} events>"

    # -- moving the case --------------------------------------------------------------

    def fire(
        self,
        trigger: str,
        *,
        at: datetime,
        by: Worker | str | None = None,
        to: str | None = None,
        **data: Any,
    ) -> Case:
        """Complete the current step and move on by ``trigger``.

        ``by`` is the worker who did the step; their role must be the step's owner.
        ``to`` picks the target when one trigger has several (else the first whose
        guard holds, in declaration order). Raises :class:`TransitionError` (naming the
        case, state, trigger and the allowed triggers) and changes nothing when the
        trigger is unknown, not possible from here, a checkpoint's, blocked by a guard
        or a closed calendar, ``by`` does not fit, or ``data`` is not plain JSON data.
        """
        when = self._time(at)
        candidates = self._rt.table.get((self._state, trigger))
        if not candidates or candidates[0].checkpoint is not None:
            candidates = self._candidates(trigger)  # raises, saying why
        step = self._step
        worker = by if by is None or (by.__class__ is Worker and by.role == step.role) else None
        if worker is not by:
            worker = self._worker_for(by)
        if step.calendar is not None and not self._begun:
            self._check_calendar(when, "complete")  # a begun step may run past its window
        transition = candidates[0]
        guard = transition.guard
        if to is not None or len(candidates) > 1 or not (guard is None or self._holds(transition)):
            transition = self._choose(trigger, candidates, to)
        frozen = freeze_mapping(_data_json(self.case_id, data)) if data else ()
        self._complete_and_move(transition, when, worker, frozen)
        return self

    def begin(self, *, at: datetime, by: Worker | str | None = None) -> Case:
        """Record that work on the current step started (ends the wait before it).

        Optional: without it, a step counts as started when it is completed.
        """
        when = self._time(at)
        if self.finished or self._started_at is not None:
            state = "has finished" if self.finished else "has already begun"
            raise TransitionError(f"case {self.case_id!r}: step {self._state!r} {state}")
        worker = self._worker_for(by)
        self._check_calendar(when, "start")
        self._enter_work(when, worker)
        self._append(StepStarted(self.case_id, when, self._state, _id(worker), _role(worker)))
        self._begun = True
        return self

    def decide(
        self,
        checkpoint: str,
        answers: Mapping[str, bool] | None = None,
        *,
        at: datetime,
        by: Worker | str | None = None,
        rationale: str = "",
    ) -> Case:
        """Record a checkpoint decision and take the route the answers select.

        ``answers`` gives a yes/no for each question asked of a person; automatic
        questions are evaluated from the facts and recorded with the values used. A PLAN
        decision needs a named decision-maker (``by``) and a non-empty ``rationale``.
        Raises :class:`CheckpointError` and records nothing if anything is missing or
        invalid (:class:`TransitionError` if time goes backwards, ``by`` is an unknown
        worker, or the step's calendar is closed: a decision completes the step).
        """
        when = self._time(at)
        cp = self._checkpoint_here(checkpoint)
        decider = self._decider(cp, by, rationale)
        if not self._begun:  # as for fire: a step begun in its window may run past it
            self._check_calendar(when, "decide")
        given = self._person_answers(cp, answers or {})
        automatic, facts_used = self._automatic_answers(cp)
        all_answers = {**given, **automatic}
        transition = self.pathway.transitions[cp.route_for(all_answers).transition]
        self._append(
            Decision(
                self.case_id,
                when,
                cp.id,
                self._state,
                all_answers,
                tuple(sorted(automatic)),
                facts_used,
                _id(decider),
                rationale.strip(),
                transition.target,
                _role(decider),
            )
        )
        self._complete_and_move(transition, when, decider, ())
        return self

    def did_not_attend(self, *, at: datetime) -> Case:
        """The person missed the booked visit for the current step (DNA): rebooking
        follows, and the wait from now on is the client's. The person has left, so the
        rebooked visit is a new attendance however soon it happens.

        The service rebooks, unless the person comes back to rebook it themselves: record
        that as ``record_failure_demand("re_presentation", ...)`` before the visit, and
        the rebooked visit is then at the client's request (as the simulator does with a
        move's ``client_rebooks``). Raises TransitionError unless the current step is a
        visit that has not started.
        """
        when = self._time(at)
        if not self.step.visit or self.finished or self._started_at is not None:
            raise TransitionError(
                f"case {self.case_id!r}: step {self._state!r} is not a visit waiting to happen"
            )
        self._close_wait(when)
        self._append(VisitMissed(self.case_id, when, self._state, self._requested_by()))
        self._wait_since, self._wait_cause = when, "client"
        self._last_visit_end = None
        self._missed, self._client_rebooked = True, False
        return self

    def _requested_by(self) -> str | None:
        """Who asked for the pending visit: the client if they rebooked it after a DNA."""
        return "client" if self._client_rebooked else self._step.requested_by

    def record_failure_demand(self, demand: str, *, at: datetime, note: str = "") -> Case:
        """Record failure demand: ``chase`` (progress chasing), ``re_presentation`` or
        ``re_referral``. A ``re_presentation`` after a missed visit is the person coming
        back to rebook it: the rebooked visit is then at the client's request. Raises
        TransitionError for another kind."""
        when = self._time(at)
        if demand not in DEMANDS:
            raise TransitionError(
                f"unknown failure demand {demand!r}; expected one of {', '.join(DEMANDS)}"
            )
        self._append(FailureDemand(self.case_id, when, demand, self._state, note))
        if demand == "re_presentation" and self._missed and self._started_at is None:
            self._client_rebooked = True
        return self

    def update_facts(self, *, at: datetime, by: Worker | str | None = None, **facts: Any) -> Case:
        """Record facts learned during the journey; guards read the new values."""
        when = self._time(at)
        checked = _checked_facts(self.pathway, facts)
        worker = self._worker_for(by, check_role=False)
        self._facts.update(checked)
        self._append(FactsUpdated(self.case_id, when, checked, _id(worker), _role(worker)))
        return self

    # -- asking what may happen ----------------------------------------------------

    def available(self, at: datetime | None = None) -> list[Option]:
        """Every trigger from the current step: allowed, or blocked and why (guard false
        with the fact values that made it so, calendar closed, checkpoint pending)."""
        when = self._time(at, check=False) if at is not None else None
        options = [
            self._option(t, when) for t in self.pathway.outgoing(self._state) if not t.checkpoint
        ]
        if self.step.checkpoint is not None:
            options.append(self._checkpoint_option(self.step.checkpoint))
        return options

    def _checkpoint_option(self, name: str) -> Option:
        reason = (
            f"checkpoint {name!r} pending: record the decision with "
            f"case.decide({name!r}, answers, by=..., rationale=..., at=...)"
        )
        return Option(name, None, False, (reason,), name, self.step.role)

    def allowed_triggers(self, at: datetime | None = None) -> list[str]:
        """The names of the triggers that may fire now (deduplicated, in order)."""
        names = (o.trigger for o in self.available(at) if o.allowed and not o.checkpoint)
        return list(dict.fromkeys(names))

    def _option(self, transition: Transition, at: datetime | None) -> Option:
        reasons: list[str] = []
        reason = self._guard_reason(transition)
        if reason:
            reasons.append(reason)
        if at is not None and not self._calendar_open(at):
            reasons.append(self._calendar_reason(at))
        return Option(
            transition.trigger,
            transition.target,
            not reasons,
            tuple(reasons),
            transition.checkpoint,
            self.step.role,
        )

    def _holds(self, transition: Transition) -> bool:
        guard = transition.guard
        try:
            return guard is None or guard.test(self._facts)
        except ExpressionError:
            return False

    def _guard_reason(self, transition: Transition) -> str:
        guard = transition.guard
        if guard is None:
            return ""
        try:
            if guard.test(self._facts):
                return ""
        except ExpressionError as error:
            return f"guard {guard.text!r} cannot be evaluated: {error.reason}"
        values = ", ".join(f"{k}={v!r}" for k, v in guard.values_used(self._facts).items())
        return f"guard {guard.text!r} is false ({values})"

    # -- persistence --------------------------------------------------------------------

    def to_json(self) -> str:
        """The case as JSON: pathway id, version and content hash, and the journal."""
        document = {
            "format": CASE_FORMAT,
            "case_id": self.case_id,
            "pathway": {
                "id": self.pathway.id,
                "version": self.pathway.version,
                "content_hash": self.pathway.content_hash,
            },
            "events": [event_to_dict(event) for event in self._built()],
        }
        return json.dumps(document, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(
        cls, pathway: Pathway, text: str, *, roster: Mapping[str, str] | None = None
    ) -> Case:
        """Rebuild a case by replaying its journal against ``pathway``.

        Raises :class:`ReplayError` when the JSON is malformed, when it was recorded on
        another pathway or version (the message says which), or when replay does not
        reproduce the recorded journal event for event.
        """
        document = _parse_case_json(text)
        _check_version(pathway, document.get("pathway"))
        items = document.get("events")
        if not isinstance(items, list):
            raise ReplayError("case JSON has no 'events' list")
        events = [event_from_dict(item) for item in items]
        return replay(pathway, events, roster=roster)

    # -- internals ----------------------------------------------------------------------

    def _start(self, facts: dict[str, Any], at: datetime) -> None:
        when = self._time(at)
        self._facts = facts
        p = self.pathway
        self._append(
            CaseStarted(self.case_id, when, p.start, p.id, p.version, p.content_hash, facts)
        )
        self._enter_work(when, None)

    def _time(self, at: datetime | None, *, check: bool = True) -> datetime:
        """``at`` as an instant in UTC (naive times are in the pathway's time zone).

        The journal keeps UTC so that durations across a clock change are exact and a
        case reads back from JSON identical to how it was recorded.
        """
        if at.__class__ is not datetime or at.tzinfo is not UTC:  # UTC needs no work
            if not isinstance(at, datetime):
                raise TransitionError(
                    f"case {self.case_id!r}: 'at' must be a datetime, found {at!r}"
                )
            at = self._to_utc(at)
        if check and self._now is not None and at < self._now:
            raise TransitionError(
                f"case {self.case_id!r}: time goes backwards: {self._local(at)} is before the "
                f"last event at {self._local(self._now)}"
            )
        return at

    def _to_utc(self, at: datetime) -> datetime:
        """``at`` in UTC by offset arithmetic (the same instant ``astimezone`` gives, about
        ten times faster; every fire converts its time)."""
        offset = at.utcoffset()
        if offset is not None:
            return _UTC_EPOCH + (at - _UTC_EPOCH)
        naive = at.replace(tzinfo=None) if at.tzinfo is not None else at
        local_offset = self._rt.zone.utcoffset(naive)
        assert local_offset is not None  # an IANA zone always has an offset
        return _UTC_EPOCH + (naive - _NAIVE_EPOCH - local_offset)

    def _zone(self) -> ZoneInfo:
        return self._rt.zone

    def _local(self, at: datetime) -> str:
        """``at`` in the pathway's time zone, for messages."""
        return at.astimezone(self._zone()).isoformat()

    def _append(self, event: Event) -> None:
        self._events.append(event)
        self._now = event.at

    def _built(self) -> list[Event]:
        """The journal with every row built into its event (see :data:`Row`)."""
        events = build_rows(self._events, self._built_upto)
        self._built_upto = len(events)
        return events

    def _candidates(self, trigger: str) -> tuple[Transition, ...]:
        compiled = self._rt.table.get((self._state, trigger))
        if not compiled:
            raise self._not_allowed(trigger, known=trigger in machine_for(self.pathway).events)
        if compiled[0].checkpoint is not None:
            raise TransitionError(
                f"case {self.case_id!r} in {self._state!r}: {trigger!r} is checkpoint "
                f"{trigger!r}; record the decision with case.decide({trigger!r}, answers, "
                "by=..., rationale=..., at=...)"
            )
        return compiled

    def _not_allowed(self, trigger: str, *, known: bool) -> TransitionError:
        allowed = self.allowed_triggers()
        listed = ", ".join(repr(t) for t in allowed) or "none (the case has finished)"
        guess = did_you_mean(trigger, self.pathway.triggers) if not known else None
        what = "is not a trigger of this pathway" if not known else "cannot fire from here"
        hint = f"; did you mean {guess!r}?" if guess else ""
        return TransitionError(
            f"case {self.case_id!r} in state {self._state!r}: trigger {trigger!r} {what}; "
            f"allowed triggers: {listed}{hint}"
        )

    def _choose(
        self, trigger: str, candidates: tuple[Transition, ...], to: str | None
    ) -> Transition:
        if to is not None:
            candidates = tuple(t for t in candidates if t.target == to)
            if not candidates:
                raise TransitionError(
                    f"case {self.case_id!r}: trigger {trigger!r} from "
                    f"{self._state!r} does not lead to {to!r}"
                )
        if len(candidates) == 1 and self._holds(candidates[0]):
            return candidates[0]  # the common case: one way, and its guard holds
        reasons = []
        for transition in candidates:
            reason = self._guard_reason(transition)
            if not reason:
                return transition
            reasons.append(f"to {transition.target!r}: {reason}")
        raise TransitionError(
            f"case {self.case_id!r} in state {self._state!r}: trigger "
            f"{trigger!r} is blocked: {'; '.join(reasons)}"
        )

    def _worker_for(self, by: Worker | str | None, *, check_role: bool = True) -> Worker | None:
        worker = self._resolve_worker(by)
        role = self.step.role
        if check_role and worker is not None and role is not None and worker.role != role:
            raise TransitionError(
                f"case {self.case_id!r}: step {self._state!r} is owned by role {role!r}, but "
                f"worker {worker.id!r} is in role {worker.role!r}"
            )
        return worker

    def _resolve_worker(self, by: Worker | str | None) -> Worker | None:
        if by is None or isinstance(by, Worker):
            return by
        if self._roster is None or by not in self._roster:
            raise TransitionError(
                f"case {self.case_id!r}: unknown worker {by!r}; pass by=Worker({by!r}, role=...) "
                "or give new_case(..., roster={worker: role})"
            )
        return Worker(by, self._roster[by])

    def _calendar_open(self, at: datetime) -> bool:
        calendar = self._step.calendar
        return calendar is None or self.pathway.calendars[calendar].is_open(at)

    def _calendar_reason(self, at: datetime) -> str:
        calendar = self.pathway.calendars[self.step.calendar or ""]
        return (
            f"step {self._state!r} happens only when calendar {calendar.id!r} is open "
            f"({calendar.describe()}); it is closed at {self._local(at)}"
        )

    def _check_calendar(self, at: datetime, verb: str) -> None:
        if not self._calendar_open(at):
            raise TransitionError(
                f"case {self.case_id!r}: cannot {verb} now: " + self._calendar_reason(at)
            )

    def _enter_work(self, at: datetime, worker: Worker | None) -> None:
        """Derived events when work on the current step starts: wait, visit, hand-off
        (appended as rows at ``at``; every caller then appends an event at ``at``)."""
        if self._wait_since is not None:
            self._close_wait(at)
        step = self._step
        if step.visit and self._new_attendance(at):
            self._attendances += 1
            self._events.append(
                (
                    VisitAttended.kind,
                    self.case_id,
                    at,
                    step.id,
                    self._attendances,
                    self._requested_by(),
                )
            )
        self._missed = self._client_rebooked = False
        pending = self._pending
        if pending is not None and (pending.handoff != "none" or worker is not None):
            self._record_handoff(at, worker)
        self._started_at, self._worker = at, worker

    def _new_attendance(self, at: datetime) -> bool:
        last = self._last_visit_end
        return last is None or at - last > self._rt.same_visit

    def _record_handoff(self, at: datetime, worker: Worker | None) -> None:
        if self._previous is None or self._pending is None:
            return
        previous_step, previous_worker = self._previous
        level = self._pending.handoff
        if level == "none" and worker and previous_worker and worker.id != previous_worker.id:
            level = "worker"
        if level == "none":
            return
        self._events.append(
            (
                Handoff.kind,
                self.case_id,
                at,
                self._state,
                previous_step.id,
                previous_step.role,
                self._step.role,
                _id(previous_worker),
                _id(worker),
                level,
            )
        )

    def _close_wait(self, at: datetime) -> None:
        since = self._wait_since
        if since is not None and at > since:
            self._events.append(
                (Waited.kind, self.case_id, at, self._state, since, self._wait_cause)
            )
        self._wait_since = None

    def _complete_and_move(
        self,
        transition: Transition,
        at: datetime,
        worker: Worker | None,
        data: tuple[tuple[str, Any], ...],
    ) -> None:
        """Append the completion and the move (the hot path of every fire, so the events
        go in as rows: see :data:`Row`)."""
        if self._started_at is None:
            self._enter_work(at, worker)
        step, case_id, events = self._step, self.case_id, self._events
        done_by = worker or self._worker
        done_id = done_by.id if done_by is not None else None
        started, work = self._started_at or at, step.work
        events.append((StepCompleted.kind, case_id, at, step.id, done_id, step.role, started, work))
        by_id, by_role = (worker.id, worker.role) if worker is not None else (None, None)
        target_id, trigger = transition.target, transition.trigger
        moved = (Transitioned.kind, case_id, at, trigger, step.id, target_id, by_id, by_role, data)
        events.append(moved)
        self._now = at
        self._last_visit_end = at if step.visit else None
        self._previous, self._pending = (step, done_by), transition
        self._state, self._started_at, self._worker = target_id, None, None
        self._begun = False
        self._step = target = self._rt.steps[target_id]
        if target.outcome:
            self._wait_since = None
            events.append(OutcomeReached(case_id, at, target_id))
        else:
            self._wait_since, self._wait_cause = at, transition.cause

    def _checkpoint_here(self, name: str) -> Checkpoint:
        cp = self.pathway.checkpoints.get(name)
        if cp is None:
            guess = did_you_mean(name, self.pathway.checkpoints)
            hint = f"; did you mean {guess!r}?" if guess else ""
            raise CheckpointError(f"unknown checkpoint {name!r}{hint}")
        if cp.step != self._state:
            raise CheckpointError(
                f"case {self.case_id!r} is at {self._state!r}; checkpoint "
                f"{name!r} is decided at {cp.step!r}"
            )
        return cp

    def _decider(self, cp: Checkpoint, by: Worker | str | None, rationale: str) -> Worker | None:
        decider = self._resolve_worker(by) if by is not None else None
        if cp.framework == "PLAN":
            if decider is None:
                raise CheckpointError(
                    f"PLAN checkpoint {cp.id!r} needs a named decision-maker "
                    "(Accountable): pass by=..."
                )
            if not rationale.strip():
                raise CheckpointError(
                    f"PLAN checkpoint {cp.id!r} needs a recorded rationale "
                    "(Accountable): pass rationale='...'"
                )
        return decider

    def _person_answers(self, cp: Checkpoint, answers: Mapping[str, bool]) -> dict[str, bool]:
        questions = {q.id: q for q in cp.questions}
        for name, answer in answers.items():
            question = questions.get(name)
            if question is None:
                guess = did_you_mean(name, questions)
                hint = f"; did you mean {guess!r}?" if guess else ""
                raise CheckpointError(f"checkpoint {cp.id!r} has no question {name!r}{hint}")
            if question.automatic:
                raise CheckpointError(
                    f"question {name!r} of {cp.id!r} is answered from facts "
                    f"({question.expression}); do not pass an answer"
                )
            if not isinstance(answer, bool):
                raise CheckpointError(f"answer to {name!r} must be true or false, found {answer!r}")
        missing = [q.id for q in cp.questions if not q.automatic and q.id not in answers]
        if missing:
            raise CheckpointError(f"checkpoint {cp.id!r} needs answers to: {', '.join(missing)}")
        return dict(answers)

    def _automatic_answers(self, cp: Checkpoint) -> tuple[dict[str, bool], dict[str, Any]]:
        answers: dict[str, bool] = {}
        used: dict[str, Any] = {}
        for question in cp.questions:
            if question.expression is None:
                continue
            try:
                answers[question.id] = question.expression.test(self._facts)
            except ExpressionError as error:
                raise CheckpointError(
                    f"question {question.id!r} of {cp.id!r} cannot be "
                    f"answered from facts: {error.reason}"
                ) from None
            used.update(question.expression.values_used(self._facts))
        return answers, used


def _id(worker: Worker | None) -> str | None:
    return worker.id if worker is not None else None


def _role(worker: Worker | None) -> str | None:
    return worker.role if worker is not None else None


def _parse_case_json(text: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, TypeError) as error:
        raise ReplayError(f"case JSON cannot be read: {error}") from None
    if not isinstance(document, dict) or document.get("format") != CASE_FORMAT:
        raise ReplayError(f"not a pathway case document; expected format {CASE_FORMAT!r}")
    return document


def _check_version(pathway: Pathway, recorded: object) -> None:
    """ReplayError unless ``recorded`` (id, version, content_hash) names ``pathway``."""
    if not isinstance(recorded, Mapping):
        raise ReplayError("case JSON has no 'pathway' section naming the version it ran on")
    keys = ("id", "version", "content_hash")
    if all(recorded.get(key) == getattr(pathway, key) for key in keys):
        return
    if all(recorded.get(key) == getattr(pathway, key) for key in keys[:2]):
        raise ReplayError(
            f"the case was recorded on pathway {pathway.id!r} version {pathway.version!r} "
            f"with content hash {str(recorded.get('content_hash'))[:12]}, but the given "
            f"pathway has the same id and version and content hash "
            f"{pathway.content_hash[:12]}: the pathway was edited without changing its "
            "version; replay on the exact definition the case ran on, or migrate the case"
        )
    differences = [
        f"{key} {recorded.get(key)!r} (recorded) vs {getattr(pathway, key)!r} (given)"
        for key in keys
        if recorded.get(key) != getattr(pathway, key)
    ]
    raise ReplayError("the case was recorded on a different pathway: " + "; ".join(differences))


def replay(
    pathway: Pathway, events: list[Event], *, roster: Mapping[str, str] | None = None
) -> Case:
    """Rebuild a case by re-running the commands in ``events`` against ``pathway``.

    Raises :class:`ReplayError` if the journal was recorded on another pathway or
    version, or if the rebuilt journal differs from ``events``: the message names the
    first differing event (a command rejected on replay counts as differing there).
    """
    if not events or not isinstance(events[0], CaseStarted):
        raise ReplayError("a journal must begin with a case_started event")
    first = events[0]
    recorded = {
        "id": first.pathway_id,
        "version": first.pathway_version,
        "content_hash": first.content_hash,
    }
    _check_version(pathway, recorded)
    workers = _workers_in(events, roster)
    try:
        case = new_case(pathway, first.case_id, dict(first.facts), at=first.at, roster=workers)
    except (TransitionError, FactError) as error:
        raise ReplayError(f"event 0 (case_started) is rejected on replay: {error}") from None
    checked = 1
    for index, event in enumerate(events[1:], start=1):
        if event.command and not _decided(pathway, event):
            checked = _apply(case, events, index, checked)
    _compare(case._built(), events, checked)
    case._roster = roster
    return case


def _decided(pathway: Pathway, event: Event) -> bool:
    """A checkpoint's move is recorded as a Transitioned event but made by its Decision."""
    if not isinstance(event, Transitioned):
        return False
    checkpoint = pathway.checkpoints.get(event.trigger)
    return checkpoint is not None and checkpoint.step == event.source


def _workers_in(events: list[Event], roster: Mapping[str, str] | None) -> dict[str, str]:
    workers = dict(roster or {})
    for event in events:
        worker, role = getattr(event, "worker", None), getattr(event, "role", None)
        if worker is not None and role is not None:
            workers.setdefault(worker, role)
    return workers


def _apply(case: Case, recorded: list[Event], index: int, checked: int) -> int:
    """Re-run the command ``recorded[index]`` and check the events it gives against the
    record; return how many events are checked so far."""
    event = recorded[index]
    try:
        _COMMANDS[type(event)](case, event)
    except (TransitionError, CheckpointError, FactError) as error:
        _compare(case._built(), recorded, checked, min(len(case._events), index))
        first = len(case._events)
        because = f"event {index} ({event.kind}) is rejected on replay: {error}"
        if first < index:
            raise ReplayError(
                f"replay differs at event {first}: recorded {recorded[first]!r}, replay gives "
                f"no such event because {because}"
            ) from None
        raise ReplayError(
            f"replay differs at event {index}: recorded {event!r}; {because}"
        ) from None
    _compare(case._built(), recorded, checked, len(case._events))
    return len(case._events)


def _by(case: Case, worker: str | None, role: str | None) -> Worker | None:
    if worker is None:
        return None
    return Worker(worker, role) if role is not None else case._resolve_worker(worker)


def _replay_decision(case: Case, event: Event) -> None:
    assert isinstance(event, Decision)
    person = {k: v for k, v in event.answers if k not in event.automatic}
    by = _by(case, event.decided_by, event.role)
    case.decide(event.checkpoint, person, at=event.at, by=by, rationale=event.rationale)


def _replay_transitioned(case: Case, event: Event) -> None:
    assert isinstance(event, Transitioned)
    case.fire(
        event.trigger,
        at=event.at,
        by=_by(case, event.worker, event.role),
        to=event.target,
        **dict(event.data),
    )


def _replay_step_started(case: Case, event: Event) -> None:
    assert isinstance(event, StepStarted)
    case.begin(at=event.at, by=_by(case, event.worker, event.role))


def _replay_missed(case: Case, event: Event) -> None:
    case.did_not_attend(at=event.at)


def _replay_failure(case: Case, event: Event) -> None:
    assert isinstance(event, FailureDemand)
    case.record_failure_demand(event.demand, at=event.at, note=event.note)


def _replay_facts(case: Case, event: Event) -> None:
    assert isinstance(event, FactsUpdated)
    case.update_facts(at=event.at, by=_by(case, event.worker, event.role), **dict(event.facts))


_COMMANDS = {
    Decision: _replay_decision,
    Transitioned: _replay_transitioned,
    StepStarted: _replay_step_started,
    VisitMissed: _replay_missed,
    FailureDemand: _replay_failure,
    FactsUpdated: _replay_facts,
}


def _compare(
    rebuilt: list[Event], recorded: list[Event], start: int = 0, end: int | None = None
) -> None:
    """ReplayError naming the first event where ``rebuilt`` and ``recorded[:end]`` differ
    (events before ``start`` are known to agree)."""
    stop = len(recorded) if end is None else min(end, len(recorded))
    for index in range(start, min(len(rebuilt), stop)):
        if rebuilt[index] != recorded[index]:
            raise ReplayError(
                f"replay differs at event {index}: recorded {recorded[index]!r}, "
                f"replay gives {rebuilt[index]!r}"
            )
    if len(rebuilt) < stop:
        index = len(rebuilt)
        raise ReplayError(
            f"replay differs at event {index}: recorded {recorded[index]!r}, replay gives "
            "no such event (the journal has events its commands do not produce)"
        )
    if len(rebuilt) > stop:
        there = repr(recorded[stop]) if stop < len(recorded) else "nothing (the journal ends)"
        raise ReplayError(
            f"replay differs at event {stop}: recorded {there}, replay gives {rebuilt[stop]!r}"
        )


provide_case_factory(new_case)
