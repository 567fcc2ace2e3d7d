"""The live case: one person's journey as data, moved by commands that check everything first.

A case system loads a pathway once and creates a :class:`Case` per person. Firing a
trigger validates everything first (trigger, state, worker's role, the step's calendar,
guards) and only then appends events, so a rejected trigger changes nothing. Time is
always passed in (``at=``); the engine never reads the clock.

The shared machine and its dispatch table are in :mod:`._machine`; facts and data are
checked by :mod:`._facts`; the case's JSON is written here and read by
:mod:`pathway._journal._codec`; replay is :func:`replay` with :mod:`._replay`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from pathway._engine._facts import (
    checked_facts,
    copied,
    data_json,
    items_argument,
    lookup_name,
    name_argument,
    shown,
    text_argument,
    wrong_type,
)
from pathway._engine._machine import machine_for, runtime
from pathway._engine._replay import apply_command, compare, decided, differ, event_text, workers_in
from pathway._engine._rules import (
    check_decider,
    check_persisted,
    check_round,
    lapse_transition,
)
from pathway._engine._types import Option, Worker
from pathway._journal._codec import check_version, decode_case, encode_case
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
    ArgumentError,
    CheckpointError,
    ContinuityError,
    ExpressionError,
    PathwayError,
    ReplayError,
    TransitionError,
    did_you_mean,
)

__all__ = ["Case", "new_case", "replay"]

_UTC_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)


def new_case(
    pathway: Pathway,
    case_id: str,
    facts: Mapping[str, Any] | None = None,
    *,
    at: datetime,
    roster: Mapping[str, str] | None = None,
    person: str | None = None,
    demand: str | None = None,
) -> Case:
    """Start a case (one demand) at the pathway's start step (also ``pathway.new_case``).

    ``facts`` are checked against the declared facts (FactError naming the fact);
    ``roster`` maps worker ids to roles so ``by="amy"`` can be checked. ``person`` names
    who the demand is from (default: the case is its own person); give the same person
    to every case of one person. ``demand`` marks the case itself as failure demand of
    that kind (``re_presentation``, ``re_referral``...; see
    :meth:`Case.returning` for a person coming back after an outcome). Raises
    :class:`FactError`; :class:`TransitionError` for a time that cannot be held or an
    unknown kind of demand; :class:`ArgumentError` for an argument of the wrong type or
    an unusable case id or person.
    """
    case = Case(pathway, case_id, roster)
    who = None if person is None else name_argument(person, "'person'")
    case._start(checked_facts(pathway, {} if facts is None else facts), at, who, demand)
    return case


def _referral_case(
    pathway: Pathway,
    case_id: str,
    facts: Mapping[str, Any],
    *,
    at: datetime,
    roster: Mapping[str, str] | None,
    person: str,
    step: str,
    referred_by: str,
) -> Case:
    """A concurrent referral: a new case (a value demand of ``person``) opened by case
    ``referred_by``'s move, starting at ``step`` with ``facts``. Raises as
    :func:`new_case` does."""
    case = Case(pathway, case_id, roster)
    case._start(
        checked_facts(pathway, dict(facts)), at, person, None, step=step, referred_by=referred_by
    )
    return case


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
        "_demand",
        "_entered",
        "_events",
        "_facts",
        "_held",
        "_lapse_at",
        "_last_visit_end",
        "_missed",
        "_named",
        "_now",
        "_pending",
        "_person",
        "_previous",
        "_referrals",
        "_referred",
        "_roster",
        "_round_ends",
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
        if not issubclass(type(pathway), Pathway):
            raise wrong_type("'pathway'", "a compiled Pathway (from pathway.load)", pathway)
        self.pathway = pathway
        self.case_id = name_argument(case_id, "'case_id'")
        self._roster = _roster_argument(roster)
        self._events: list[Event | Row] = []  # hot-path rows are built when read
        self._built_upto = 0  # every entry before this index is an event
        self._facts: dict[str, Any] = {}
        self._state = pathway.start
        self._step = pathway.steps[pathway.start]
        self._rt = runtime(pathway)
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
        self._named: dict[str, str] = {}  # role with continuity 'named' -> its named worker
        self._entered: datetime | None = None  # when the case reached its current step
        self._person: str | None = None  # who the demand is from (None: the case itself)
        self._demand: str | None = None  # the failure demand the case began as, if any
        self._round_ends: dict[str, datetime] = {}  # checkpoint -> end of its last round
        self._held: dict[str, frozenset[str]] = {}  # checkpoint -> persisting yes answers
        self._lapse_at: datetime | None = None  # a begun review lapses after this
        self._referred: tuple[Case, ...] = ()  # the referrals the last move opened
        self._referrals: dict[str, int] = {}  # step -> referrals opened there so far

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
        """A copy of the case's facts (change them with :meth:`update_facts`)."""
        return cast(dict[str, Any], copied(self._facts))

    @property
    def journal(self) -> Journal:
        """Every event so far, in order; a read-only sequence."""
        return Journal(self._built)

    @property
    def person(self) -> str:
        """Who the demand is from: the person given when the case started, else the case
        id (so a case of its own person needs nothing)."""
        return self._person if self._person is not None else self.case_id

    @property
    def demand(self) -> str | None:
        """The kind of failure demand the case began as (a return after an outcome is
        ``re_presentation`` unless said otherwise), or None for a new demand."""
        return self._demand

    @property
    def referred_by(self) -> str | None:
        """The case whose move opened this one as a concurrent referral, else None."""
        first = self._built()[0] if self._events else None
        return first.referred_by if isinstance(first, CaseStarted) else None

    @property
    def referred(self) -> tuple[Case, ...]:
        """The concurrent referrals the last move opened (its transition's ``also``):
        new cases of the same person, each started at its step at the move's time, with
        this case's facts and the id ``<case id>/<step>`` (``/<step>-2`` for a second
        one at the same step). Empty when the last move opened none. Store them as any
        other case; replaying this case opens them again."""
        return self._referred

    @property
    def finished(self) -> bool:
        """True once the case has reached an outcome step."""
        return self.step.outcome

    def measures(self, at: datetime | None = None) -> CaseMeasures:
        """Visits, hand-offs by level, waits by cause, touch and elapsed time, failure
        demand and DNAs so far (elapsed up to ``at`` if given, else the last event)."""
        until = self._time(at, check=False) if at is not None else None
        return measure_events(self._built(), until=until)

    def __repr__(self) -> str:
        return f"<Case {self.case_id!r} at {self._state!r}, {len(self._events)} events>"

    # -- moving the case --------------------------------------------------------------

    def fire(
        self,
        trigger: str,
        /,
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
        or a closed calendar, ``by`` does not fit, or ``data`` is not plain JSON data
        within the bounds; :class:`ArgumentError` for an argument of the wrong type.
        """
        return self._fire(trigger, at, by, to, data)

    def _fire(
        self,
        trigger: str,
        at: datetime,
        by: Worker | str | None,
        to: str | None,
        data: Mapping[str, Any],
    ) -> Case:
        """:meth:`fire` with its data as a mapping (replay passes any key)."""
        when = self._time(at, check=False)
        if type(trigger) is not str:
            trigger = lookup_name(trigger, "'trigger'", self._where())
        if to is not None and type(to) is not str:
            to = lookup_name(to, "'to'", self._where())
        if by is not None and type(by) is not Worker:
            by = self._resolve_worker(by)
        if self._now is not None and when < self._now:
            self._in_order(when)  # raises
        if self._lapse_at is not None:
            self._settle(when)
        candidates = self._rt.table.get((self._state, trigger))
        if not candidates or candidates[0].checkpoint is not None:
            candidates = self._candidates(trigger)  # raises, saying why
        step = self._step
        worker = by if by is None or by.role == step.role else self._worker_for(by)
        if worker is not None and self._started_at is None:
            self._check_continuity(worker, when)
        if step.calendar is not None and not self._begun:
            self._check_calendar(when, "complete")  # a begun step may run past its window
        transition = candidates[0]
        guard = transition.guard
        if to is not None or len(candidates) > 1 or not (guard is None or self._holds(transition)):
            transition = self._choose(trigger, candidates, to)
        frozen = freeze_mapping(data_json(self.case_id, data)) if data else ()
        self._complete_and_move(transition, when, worker, frozen)
        return self

    def begin(self, *, at: datetime, by: Worker | str | None = None) -> Case:
        """Record that work on the current step started (ends the wait before it).

        Optional: without it, a step counts as started when it is completed.
        """
        when = self._time(at, check=False)
        by = self._resolve_worker(by)
        self._in_order(when)
        self._settle(when)
        if self.finished or self._started_at is not None:
            state = "has finished" if self.finished else "has already begun"
            raise TransitionError(f"case {self.case_id!r}: step {self._state!r} {state}")
        worker = self._worker_for(by, check_role=not self._may_decide(by))
        self._check_continuity(worker, when)
        self._check_calendar(when, "start")
        lapse_at = self._review_round(when)
        self._enter_work(when, worker)
        self._append(StepStarted(self.case_id, when, self._state, _id(worker), _role(worker)))
        self._begun, self._lapse_at = True, lapse_at
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
        when = self._time(at, check=False)
        where = self._where()
        name = lookup_name(checkpoint, "'checkpoint'", where)
        rationale = text_argument(rationale, "'rationale'", where)
        asked = {} if answers is None else self._answers_argument(answers)
        by = self._resolve_worker(by)
        self._in_order(when)
        self._settle(when)
        cp = self._checkpoint_here(name)
        decider = self._decider(cp, by, rationale)
        if self._started_at is None:
            self._check_continuity(decider, when)
        if not self._begun:  # as for fire: a step begun in its window may run past it
            self._check_calendar(when, "decide")
        began = self._started_at if self._begun and self._started_at is not None else when
        round_end = self._round_ends.get(cp.id)
        round_end = check_round(self.pathway, cp, began, None if self._begun else round_end, where)
        held = self._held.get(cp.id, frozenset())
        given = check_persisted(cp, self._person_answers(cp, asked, held), held, where)
        automatic, facts_used = self._automatic_answers(cp)
        all_answers = {**given, **automatic, **dict.fromkeys(held, True)}
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
        self._remember(cp, round_end, all_answers)
        self._complete_and_move(transition, when, decider, ())
        return self

    def _remember(
        self, cp: Checkpoint, round_end: datetime | None, answers: Mapping[str, bool]
    ) -> None:
        """Keep what the checkpoint's rules need from a decision: the end of its round
        and the persisting questions answered yes."""
        if round_end is not None:
            self._round_ends[cp.id] = round_end
        held = {q for q in cp.persisting if answers.get(q)}
        if held:
            self._held[cp.id] = self._held.get(cp.id, frozenset()) | held

    def _may_decide(self, worker: Worker | None) -> bool:
        """Whether ``worker`` is in a role that may decide the current step's checkpoint
        (such a worker may also begin the review)."""
        name = self._step.checkpoint
        return (
            name is not None
            and worker is not None
            and worker.role in self.pathway.checkpoints[name].deciders
        )

    def _review_round(self, when: datetime) -> datetime | None:
        """The end of the round a review begun now belongs to, if the current step's
        checkpoint has rounds (CheckpointRuleError if it may not begin now)."""
        name = self._step.checkpoint
        if name is None:
            return None
        cp = self.pathway.checkpoints[name]
        last = self._round_ends.get(name)
        return check_round(self.pathway, cp, when, last, self._where())

    def _settle(self, when: datetime) -> None:
        """Record the lapse of a begun review whose round closed before ``when``: the step
        completed at the close and a move back to it marked lapsed (see ``_rules``)."""
        lapse_at = self._lapse_at
        if lapse_at is None or when <= lapse_at:
            return
        name = self._step.checkpoint
        assert name is not None
        self._lapse_at = None
        lapse = lapse_transition(self.pathway.checkpoints[name])
        self._complete_and_move(lapse, lapse_at, self._worker, (("lapsed", True),))

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
        self._settle(when)
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
        when = self._time(at, check=False)
        demand = _demand_kind(demand, self._where())
        note = text_argument(note, "'note'", self._where())
        self._in_order(when)
        self._settle(when)
        self._append(FailureDemand(self.case_id, when, demand, self._state, note))
        if demand == "re_presentation" and self._missed and self._started_at is None:
            self._client_rebooked = True
        return self

    def returning(
        self,
        case_id: str,
        *,
        at: datetime,
        demand: str | None = "re_presentation",
        facts: Mapping[str, Any] | None = None,
        roster: Mapping[str, str] | None = None,
    ) -> Case:
        """The person comes back after this case's outcome: a new case ``case_id`` (a new
        demand) of the same person, started at ``at``, with this case's facts unless
        ``facts`` are given. It is failure demand of kind ``demand`` (a
        ``re_presentation`` unless said otherwise; None for a new value demand, such as
        a planned review). This case is unchanged; store the new one as any other.

        Raises TransitionError unless this case has reached an outcome at or before
        ``at``, or for an unknown kind of demand; FactError and ArgumentError as
        :func:`new_case` does.
        """
        when = self._time(at, check=False)
        if not self.finished or (self._now is not None and when < self._now):
            reached = "has not reached an outcome" if not self.finished else "ended later"
            raise TransitionError(
                f"case {self.case_id!r} {reached}: a person returns after an outcome, "
                "at or after the time it was reached"
            )
        return new_case(
            self.pathway,
            case_id,
            self._facts if facts is None else facts,
            at=at,
            roster=self._roster if roster is None else roster,
            person=self.person,
            demand=demand,
        )

    def update_facts(
        self, /, *, at: datetime, by: Worker | str | None = None, **facts: Any
    ) -> Case:
        """Record facts learned during the journey; guards read the new values. Raises
        :class:`FactError` as :func:`new_case` does, and TransitionError or ArgumentError
        for ``at`` and ``by``."""
        return self._update_facts(at, by, facts)

    def _update_facts(self, at: datetime, by: Worker | str | None, facts: object) -> Case:
        """:meth:`update_facts` with the facts as a mapping (replay passes any name)."""
        when = self._time(at, check=False)
        by = self._resolve_worker(by)
        self._in_order(when)
        self._settle(when)
        checked = checked_facts(self.pathway, facts)
        worker = self._worker_for(by, check_role=False)
        self._facts.update(checked)
        event = FactsUpdated(self.case_id, when, copied(checked), _id(worker), _role(worker))
        self._append(event)
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
        return encode_case(self.case_id, self.pathway, self._built())

    @classmethod
    def from_json(
        cls, pathway: Pathway, text: str, *, roster: Mapping[str, str] | None = None
    ) -> Case:
        """Rebuild a case by replaying its journal against ``pathway``.

        Raises :class:`ReplayError` when the JSON is malformed, when it was recorded on
        another pathway or version (the message says which), or when replay does not
        reproduce the recorded journal event for event.
        """
        if not issubclass(type(pathway), Pathway):
            raise wrong_type("'pathway'", "a compiled Pathway (from pathway.load)", pathway)
        if not issubclass(type(text), str | bytes | bytearray):
            raise wrong_type("'text'", "the text of Case.to_json() (a str)", text)
        return replay(pathway, decode_case(pathway, text), roster=roster)

    # -- internals ----------------------------------------------------------------------

    def _start(
        self,
        facts: dict[str, Any],
        at: datetime,
        person: str | None,
        demand: str | None,
        *,
        step: str | None = None,
        referred_by: str | None = None,
    ) -> None:
        when = self._time(at)
        if step is not None:  # a referral starts at its own step
            self._state, self._step = step, self._rt.steps[step]
        self._entered = when
        if demand is not None:
            demand = _demand_kind(demand, self._where())
        self._facts, self._person, self._demand = facts, person, demand
        p = self.pathway
        self._append(
            CaseStarted(
                self.case_id,
                when,
                self._state,
                p.id,
                p.version,
                p.content_hash,
                copied(facts),
                person,
                demand,
                referred_by,
            )
        )
        self._enter_work(when, None)

    def _time(self, at: datetime | None, *, check: bool = True) -> datetime:
        """``at`` as an instant in UTC (naive times are in the pathway's time zone).

        The journal keeps UTC so that durations across a clock change are exact and a
        case reads back from JSON identical to how it was recorded. Raises
        :class:`ArgumentError` if ``at`` is not a datetime (or its time zone fails), and
        :class:`TransitionError` if it is an instant a datetime cannot hold in UTC or in
        the pathway's time zones, or (with ``check``) before the last event.
        """
        if type(at) is not datetime or at.tzinfo is not UTC:  # UTC needs no work
            at = self._instant(at)
        elif not 1 < at.year < 9999:
            self._check_extreme(at, at)
        if check:
            self._in_order(at)
        return at

    def _in_order(self, at: datetime) -> None:
        """TransitionError if ``at`` (in UTC) is before the case's last event."""
        if self._now is not None and at < self._now:
            raise TransitionError(
                f"case {self.case_id!r}: time goes backwards: {self._local(at)} is before the "
                f"last event at {self._local(self._now)}"
            )

    def _instant(self, at: object) -> datetime:
        """A time that is not UTC already, checked and converted to UTC."""
        kind = type(at)
        if not issubclass(kind, datetime):
            raise wrong_type("'at'", "a datetime", at, self._where())
        given: datetime = at  # type: ignore[assignment]
        if kind is not datetime:  # a subclass: the plain datetime it stands for
            given = datetime(
                *given.timetuple()[:6], given.microsecond, given.tzinfo, fold=given.fold
            )
        try:
            utc = self._to_utc(given)
        except OverflowError:
            raise TransitionError(
                f"case {self.case_id!r}: 'at' {_iso(given)} is too close to the limits of a "
                "datetime (years 1 to 9999) to be held in UTC"
            ) from None
        except Exception as error:  # a user's tzinfo whose utcoffset fails
            raise ArgumentError(
                f"case {self.case_id!r}: 'at' has a time zone that gives no usable UTC "
                f"offset: {type(error).__name__}: {error}"
            ) from None
        if not 1 < utc.year < 9999:
            self._check_extreme(utc, given)
        return utc

    def _check_extreme(self, utc: datetime, given: datetime) -> None:
        """TransitionError unless ``utc``, an instant in year 1 or 9999, can be shown in
        every time zone the pathway reads (its own and its calendars')."""
        names = {self.pathway.timezone} | {c.timezone for c in self.pathway.calendars.values()}
        for name in sorted(names):
            try:
                utc.astimezone(ZoneInfo(name))
            except OverflowError:
                raise TransitionError(
                    f"case {self.case_id!r}: 'at' {_iso(given)} is too close to the limits of "
                    f"a datetime (years 1 to 9999) to be read in time zone {name!r}"
                ) from None

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

    def _where(self) -> str:
        """The start of a message about this case."""
        return f"case {self.case_id!r}: "

    def _candidates(self, trigger: str) -> tuple[Transition, ...]:
        trigger = lookup_name(trigger, "'trigger'", self._where())
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
        listed = ", ".join(repr(t) for t in allowed) or self._why_none()
        guess = did_you_mean(trigger, self.pathway.triggers) if not known else None
        what = "is not a trigger of this pathway" if not known else "cannot fire from here"
        hint = f"; did you mean {guess!r}?" if guess else ""
        return TransitionError(
            f"case {self.case_id!r} in state {self._state!r}: trigger {shown(trigger)} {what}; "
            f"allowed triggers: {listed}{hint}"
        )

    def _why_none(self) -> str:
        """What to say when no trigger may fire: finished, a decision due, or guards."""
        if self.finished:
            return "none (the case has finished)"
        checkpoint = self.step.checkpoint
        if checkpoint is not None:
            return f"none (checkpoint {checkpoint!r} is pending: record it with case.decide)"
        return "none (every guard from here is false or cannot be evaluated)"

    def _choose(
        self, trigger: str, candidates: tuple[Transition, ...], to: str | None
    ) -> Transition:
        if to is not None:
            candidates = tuple(t for t in candidates if t.target == to)
            if not candidates:
                raise TransitionError(
                    f"case {self.case_id!r}: trigger {trigger!r} from "
                    f"{self._state!r} does not lead to {shown(to)}"
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

    def _check_continuity(self, worker: Worker | None, at: datetime) -> None:
        """ContinuityError unless ``worker`` may start the current step: under the role's
        ``continuity: named``, only the case's named worker of that role may, until the
        case has waited the role's ``named_within`` at the step."""
        if worker is None or not self._named:
            return
        named = self._named.get(worker.role)
        if named is None or named == worker.id or worker.role != self._step.role:
            return
        within = self.pathway.roles[worker.role].named_within
        entered = self._entered
        if within is not None and entered is not None and at - entered >= timedelta(minutes=within):
            return
        if within is None or entered is None:
            waited, hint = (
                "",
                (
                    f"give role {worker.role!r} 'named_within' (or 'continuity: prefer') in the "
                    "pathway file to let another worker take over"
                ),
            )
        else:
            free = self._local(entered + timedelta(minutes=within))
            waited = f" until {_minutes_text(within)} after reaching it"
            hint = f"any worker of the role may take it from {free}"
        raise ContinuityError(
            f"case {self.case_id!r}: step {self._state!r} of role {worker.role!r} keeps the "
            f"case's named worker{waited}",
            expected=f"worker {named!r}",
            found=f"worker {worker.id!r}",
            suggestion=f"let {named!r} do it, or {hint}",
        )

    def _resolve_worker(self, by: Worker | str | None) -> Worker | None:
        """The worker ``by`` names: itself, or the roster's worker with that id.

        Raises :class:`ArgumentError` if ``by`` is neither a Worker, text nor ``None``,
        and TransitionError for a worker id the roster does not have.
        """
        kind = type(by)
        if by is None or kind is Worker:
            return by  # type: ignore[return-value]
        if issubclass(kind, Worker):  # a subclass: the plain worker it stands for
            return Worker(by.id, by.role)  # type: ignore[union-attr]
        expected = "a Worker, a worker id from the case's roster (a str), or None"
        if not issubclass(kind, str):
            raise wrong_type("'by'", expected, by, self._where())
        name = lookup_name(by, "'by'", self._where())
        role = self._roster_role(name)
        if role is None:
            raise TransitionError(
                f"case {self.case_id!r}: unknown worker {shown(name)}; pass "
                f"by=Worker({shown(name)}, role=...) or give new_case(..., "
                "roster={worker: role})"
            )
        return Worker(name, role)

    def _roster_role(self, worker: str) -> str | None:
        """The role the roster gives ``worker``, or ``None`` if it has no such worker."""
        roster = self._roster
        if roster is None:
            return None
        try:
            return roster.get(worker)
        except Exception as error:  # a user's mapping may raise anything
            raise ArgumentError(
                f"case {self.case_id!r}: the roster fails to look up worker {shown(worker)}: "
                f"{type(error).__name__}: {error}"
            ) from None

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
        self._remember_named(step, worker)

    def _remember_named(self, step: Step, worker: Worker | None) -> None:
        """Make ``worker`` the case's named worker of ``step``'s role, if it keeps one."""
        if worker is not None and worker.role == step.role and step.role in self._rt.named_roles:
            self._named[worker.role] = worker.id

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
        referred = self._open_referrals(transition, at) if transition.also else ()
        step, case_id, events = self._step, self.case_id, self._events
        done_by = worker or self._worker
        self._remember_named(step, done_by)
        done_id = done_by.id if done_by is not None else None
        started, work = self._started_at or at, step.work
        events.append((StepCompleted.kind, case_id, at, step.id, done_id, step.role, started, work))
        by_id, by_role = (worker.id, worker.role) if worker is not None else (None, None)
        target_id, trigger = transition.target, transition.trigger
        moved = (Transitioned.kind, case_id, at, trigger, step.id, target_id, by_id, by_role, data)
        events.append(moved)
        if transition.demand is not None:  # the move is failure demand (a loop back...)
            events.append(FailureDemand(case_id, at, transition.demand, target_id, transition.id))
        self._now = at
        self._last_visit_end = at if step.visit else None
        self._previous, self._pending = (step, done_by), transition
        self._state, self._started_at, self._worker = target_id, None, None
        self._begun, self._entered, self._lapse_at = False, at, None
        self._referred = referred
        self._step = target = self._rt.steps[target_id]
        if target.outcome:
            self._wait_since = None
            events.append(OutcomeReached(case_id, at, target_id))
        else:
            self._wait_since, self._wait_cause = at, transition.cause

    def _open_referrals(self, transition: Transition, at: datetime) -> tuple[Case, ...]:
        """The new cases ``transition``'s ``also`` opens at ``at`` (built before the move
        is recorded, so a refused id changes nothing)."""
        opened: list[Case] = []
        counts = dict(self._referrals)
        for step in transition.also:
            counts[step] = counts.get(step, 0) + 1
            suffix = "" if counts[step] == 1 else f"-{counts[step]}"
            opened.append(
                _referral_case(
                    self.pathway,
                    f"{self.case_id}/{step}{suffix}",
                    self._facts,
                    at=at,
                    roster=self._roster,
                    person=self.person,
                    step=step,
                    referred_by=self.case_id,
                )
            )
        self._referrals = counts
        return tuple(opened)

    def _checkpoint_here(self, name: str) -> Checkpoint:
        cp = self.pathway.checkpoints.get(name)
        if cp is None:
            guess = did_you_mean(name, self.pathway.checkpoints)
            hint = f"; did you mean {guess!r}?" if guess else ""
            raise CheckpointError(f"unknown checkpoint {shown(name)}{hint}")
        if cp.step != self._state:
            raise CheckpointError(
                f"case {self.case_id!r} is at {self._state!r}; checkpoint "
                f"{name!r} is decided at {cp.step!r}"
            )
        return cp

    def _decider(self, cp: Checkpoint, by: Worker | str | None, rationale: str) -> Worker | None:
        """The decision-maker ``by`` names, checked against the checkpoint's rules
        (CheckpointRuleError: a role that may not decide, or a decision-maker or
        rationale missing where required)."""
        decider = self._resolve_worker(by) if by is not None else None
        check_decider(cp, decider, rationale, self._where())
        return decider

    def _answers_argument(self, answers: object) -> dict[str, Any]:
        """``answers`` as a dict with text keys (ArgumentError if it is not a mapping of
        question names)."""
        where, expected = self._where(), "a mapping of question names to True or False"
        given: dict[str, Any] = {}
        for key, value in items_argument(answers, "'answers'", expected, where):
            name = lookup_name(key, "a question's name in 'answers'", where)
            if name in given:
                raise CheckpointError(f"{where}the answer to {name!r} is given twice")
            given[name] = value
        return given

    def _person_answers(
        self, cp: Checkpoint, answers: Mapping[str, bool], held: frozenset[str] = frozenset()
    ) -> dict[str, bool]:
        questions = {q.id: q for q in cp.questions}
        for name, answer in answers.items():
            question = questions.get(name)
            if question is None:
                guess = did_you_mean(name, questions)
                hint = f"; did you mean {guess!r}?" if guess else ""
                raise CheckpointError(f"checkpoint {cp.id!r} has no question {shown(name)}{hint}")
            if question.automatic:
                raise CheckpointError(
                    f"question {name!r} of {cp.id!r} is answered from facts "
                    f"({question.expression}); do not pass an answer"
                )
            if type(answer) is not bool:
                raise CheckpointError(
                    f"answer to {name!r} must be true or false, found {shown(answer)}"
                )
        missing = [
            q.id
            for q in cp.questions
            if not q.automatic and q.id not in answers and q.id not in held
        ]
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
        return answers, copied(used)


def _minutes_text(minutes: float) -> str:
    """A whole number of days, hours or minutes as in a pathway file ('2d', '90m')."""
    for unit, size in (("d", 1440), ("h", 60)):
        if minutes >= size and minutes % size == 0:
            return f"{minutes / size:g}{unit}"
    return f"{minutes:g}m"


def _demand_kind(demand: object, where: str) -> str:
    """``demand`` if it names a kind of failure demand; TransitionError (ArgumentError
    for a value that is not text) otherwise."""
    kind = lookup_name(demand, "'demand'", where)
    if kind not in DEMANDS:
        guess = did_you_mean(kind, DEMANDS)
        hint = f"; did you mean {guess!r}?" if guess else ""
        raise TransitionError(
            f"unknown failure demand {shown(kind)}; expected one of {', '.join(DEMANDS)}{hint}"
        )
    return kind


def _iso(at: datetime) -> str:
    """``at`` in ISO 8601 for a message (or its repr, if its time zone fails)."""
    try:
        return at.isoformat()
    except Exception:  # a user's tzinfo
        return shown(at)


def _id(worker: Worker | None) -> str | None:
    return worker.id if worker is not None else None


def _role(worker: Worker | None) -> str | None:
    return worker.role if worker is not None else None


def replay(
    pathway: Pathway, events: list[Event], *, roster: Mapping[str, str] | None = None
) -> Case:
    """Rebuild a case by re-running the commands in ``events`` against ``pathway``.

    Raises :class:`ReplayError` if the journal was recorded on another pathway or
    version, or if the rebuilt journal differs from ``events``: the message names the
    first differing event (a command rejected on replay counts as differing there).
    """
    if not issubclass(type(pathway), Pathway):
        raise wrong_type("'pathway'", "a compiled Pathway (from pathway.load)", pathway)
    events = _events_argument(events)
    roster = _roster_argument(roster)
    if not events or not isinstance(events[0], CaseStarted):
        raise ReplayError("a journal must begin with a case_started event")
    first = events[0]
    recorded = {
        "id": first.pathway_id,
        "version": first.pathway_version,
        "content_hash": first.content_hash,
    }
    check_version(pathway, recorded)
    workers = workers_in(events, roster)
    try:
        case = _first_case(pathway, first, workers)
    except PathwayError as error:
        raise ReplayError(f"event 0 (case_started) is rejected on replay: {error}") from None
    started = case._built()[0]
    if differ(started, first):  # its step, or facts or time as the engine keeps them
        raise ReplayError(
            f"replay differs at event 0: recorded {event_text(first)}, replay gives "
            f"{event_text(started)}"
        )
    checked = 1
    for index, event in enumerate(events[1:], start=1):
        # an event an earlier command already gave (and checked) is its consequence: the
        # failure demand of a move that declares one
        if event.command and index >= checked and not decided(pathway, event):
            checked = apply_command(case, events, index, checked)
    compare(case._built(), events, checked)
    case._roster = roster
    return case


def _first_case(pathway: Pathway, first: CaseStarted, roster: Mapping[str, str] | None) -> Case:
    """The case a journal's first event starts: a referral at its step, else a new case."""
    if first.referred_by is not None and first.step in pathway.steps:
        return _referral_case(
            pathway,
            first.case_id,
            dict(first.facts),
            at=first.at,
            roster=roster,
            person=first.person or first.case_id,
            step=first.step,
            referred_by=first.referred_by,
        )
    return new_case(
        pathway,
        first.case_id,
        dict(first.facts),
        at=first.at,
        roster=roster,
        person=first.person,
        demand=first.demand,
    )


def _events_argument(events: object) -> list[Event]:
    """``events`` as a list of journal events; ArgumentError for anything else."""
    if not issubclass(type(events), Sequence) or issubclass(type(events), str | bytes):
        raise wrong_type("'events'", "a list of journal events", events)
    listed: list[Event] = list(cast(Sequence[Event], events))
    for index, event in enumerate(listed):
        if not issubclass(type(event), Event):
            raise wrong_type(f"'events[{index}]'", "a journal event", event)
    return listed


def _roster_argument(roster: object) -> Mapping[str, str] | None:
    """``roster`` itself if it is ``None`` or a mapping; ArgumentError otherwise (its
    entries are checked when a worker is looked up: each becomes a Worker)."""
    if roster is None or issubclass(type(roster), Mapping):
        return cast(Mapping[str, str] | None, roster)
    raise wrong_type("'roster'", "a mapping of worker ids to roles, or None", roster)


provide_case_factory(new_case)
