"""Shared material for the engine tests: pathways as inline YAML, workers, and a small
reference model of the live engine written from the rules in DESIGN.md (not from the
engine's code), so the property tests have something independent to compare against.

This module holds no tests; the other ``test_engine*`` modules import it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs

import pathway
from pathway import CheckpointError, FactError, Pathway, TransitionError, Worker
from pathway._model._pathway import Transition

LONDON = ZoneInfo("Europe/London")

# A pathway with everything the engine handles: a calendar, guards over facts (one
# trigger with two guarded targets), a generic checkpoint with an automatic and a person
# question, a PLAN checkpoint, a visit chain (contact -> triage can be one attendance),
# role, team and organisation hand-offs, a loop back, and two outcomes.
ENGINE_YAML = """\
id: engine-test
title: Engine test pathway
version: "1"
timezone: Europe/London
same_visit_within: 1h
calendars:
  clinic:
    open: {mon-fri: "09:00-17:00"}
roles:
  duty: {team: front, organisation: hub}
  triage: {team: front, organisation: hub}
  worker: {team: recovery, organisation: hub}
  doctor: {team: clinic, organisation: nhs}
facts:
  needs_prescribing: {type: bool}
  age: {type: int}
  risk: {type: str, values: [low, high]}
steps:
  contact: {role: duty, visit: true, work: waste2}
  triage: {role: triage, visit: true}
  assess: {role: worker, visit: true, calendar: clinic}
  review: {role: worker}
  plan: {role: worker, work: waste1}
  doctor: {role: doctor, visit: true, calendar: clinic}
  done: {outcome: true}
  advice: {outcome: true}
transitions:
  - {trigger: refer, from: contact, to: assess, when: "risk == 'high'", wait: 1d, cause: booking}
  - {trigger: refer, from: contact, to: triage}
  - {trigger: book, from: triage, to: assess, wait: 2d, cause: booking}
  - {trigger: assessed, from: assess, to: review}
  - trigger: see_doctor
    from: plan
    to: doctor
    when: "needs_prescribing and age >= 18"
    cause: referral
  - {trigger: close, from: plan, to: done}
  - {trigger: prescribe, from: doctor, to: done}
  - {trigger: refer_back, from: doctor, to: assess, cause: external}
checkpoints:
  review_check:
    at: review
    questions:
      complete: {ask: person}
      adult: {when: "age >= 18"}
    routes:
      - {when: "complete and adult", to: plan}
      - {when: "complete", to: advice}
    otherwise: assess
  plan_check:
    framework: PLAN
    at: plan
    proceed: doctor
    if_not_legal: advice
    if_not_necessary: advice
    if_not_proportionate: done
"""


# A guard-free pathway with a loop, a choice and a trigger leading to two steps.
PLAIN_YAML = """\
id: plain
title: Plain
version: "1"
roles:
  a: {team: t1, organisation: o1}
  b: {team: t2, organisation: o1}
steps:
  start: {role: a}
  left: {role: a}
  right: {role: b}
  end: {outcome: true}
transitions:
  - {trigger: go, from: start, to: left}
  - {trigger: go, from: start, to: right}
  - {trigger: swap, from: left, to: right}
  - {trigger: swap, from: right, to: left}
  - {trigger: back, from: right, to: start}
  - {trigger: finish, from: left, to: end}
  - {trigger: finish, from: right, to: end}
"""

WORKERS = (
    Worker("d1", "duty"),
    Worker("d2", "duty"),
    Worker("t1", "triage"),
    Worker("w1", "worker"),
    Worker("w2", "worker"),
    Worker("x1", "doctor"),
)
ROSTER = {w.id: w.role for w in WORKERS}
PLAN_QUESTIONS = ("proportionate", "legal", "accountable", "necessary")
ALL_PLAN_YES = dict.fromkeys(PLAN_QUESTIONS, True)


def load(text: str) -> Pathway:
    """Load inline YAML text as a pathway."""
    return pathway.load(text)


def utc(at: datetime) -> datetime:
    """``at`` as UTC (naive times are London time)."""
    return (at if at.tzinfo else at.replace(tzinfo=LONDON)).astimezone(UTC)


def minutes(start: datetime, end: datetime) -> float:
    """Real minutes between two aware times."""
    return (utc(end) - utc(start)).total_seconds() / 60


def clinic_open(at: datetime) -> bool:
    """The ``clinic`` calendar of ENGINE_YAML, written out by hand: Mon-Fri 09:00-17:00."""
    local = utc(at).astimezone(LONDON)
    return local.weekday() < 5 and 9 * 60 <= local.hour * 60 + local.minute < 17 * 60


def next_clinic_open(at: datetime) -> datetime:
    """The first moment at or after ``at`` when the ``clinic`` calendar is open."""
    local = utc(at).astimezone(LONDON)
    while not clinic_open(local):
        opening = local.replace(hour=9, minute=0, second=0, microsecond=0)
        if local.weekday() >= 5 or local >= opening:
            opening = datetime.combine(local.date() + timedelta(days=1), opening.time(), LONDON)
        local = opening
    return local


class Missing(Exception):
    """A fact a guard or question reads has no value."""


def fact(facts: Mapping[str, Any], name: str) -> Any:
    if name not in facts or facts[name] is None:
        raise Missing(name)
    return facts[name]


def guard_holds(transition: Transition, facts: Mapping[str, Any]) -> bool:
    """ENGINE_YAML's guards, written out in Python (a guard that cannot be evaluated
    blocks the move, like a false one)."""
    text = transition.guard.text if transition.guard else None
    try:
        if text is None:
            return True
        if text == "risk == 'high'":
            return bool(fact(facts, "risk") == "high")
        if text == "needs_prescribing and age >= 18":
            return bool(fact(facts, "needs_prescribing") and fact(facts, "age") >= 18)
    except Missing:
        return False
    raise AssertionError(f"the reference model does not know guard {text!r}")


FACT_RULES: Mapping[str, tuple[type, tuple[object, ...] | None]] = {
    "needs_prescribing": (bool, None),
    "age": (int, None),
    "risk": (str, ("low", "high")),
}


def facts_valid(facts: Mapping[str, Any]) -> bool:
    """Whether ``update_facts(**facts)`` is acceptable for ENGINE_YAML's declared facts."""
    for name, value in facts.items():
        if name not in FACT_RULES:
            return False
        kind, allowed = FACT_RULES[name]
        if value is None:
            continue
        if isinstance(value, bool) and kind is not bool:
            return False
        if not isinstance(value, kind) or (allowed is not None and value not in allowed):
            return False
    return True


@attrs.define
class Reference:
    """What the engine should do, from DESIGN.md's rules, tracked by hand.

    Attendance: entering work on a visit step is a new attendance unless the previous
    completed step was a visit that ended within ``same_visit_within`` (a DNA in between
    breaks the chain: the person left). Hand-offs: the level of the transition taken,
    or ``worker`` when the owner role is the same but the worker differs. Waits: from the
    move into a step until work on it starts, by the transition's cause; after a DNA the
    wait is the client's.
    """

    p: Pathway
    start: datetime
    facts: dict[str, Any]
    state: str = ""
    now: datetime = attrs.field(default=None)
    started_at: datetime | None = None
    begun: bool = False  # begin() was called: completing may then be past the window
    worker: Worker | None = None
    previous: Worker | None = None
    moved_by: Transition | None = None
    last_visit_end: datetime | None = None
    wait_since: datetime | None = None
    wait_cause: str = ""
    visits: int = 0
    dnas: int = 0
    decisions: int = 0
    touch: float = 0.0
    handoffs: Counter[str] = attrs.Factory(Counter)
    waits: dict[str, float] = attrs.Factory(dict)
    work: dict[str, float] = attrs.Factory(dict)
    failure: Counter[str] = attrs.Factory(Counter)
    outcome: str | None = None
    outcome_at: datetime | None = None
    has_previous: bool = False

    def __attrs_post_init__(self) -> None:
        self.state = self.p.start
        self.now = utc(self.start)
        self.enter_work(self.now, None)

    # -- questions ----------------------------------------------------------------------

    @property
    def step(self) -> Any:
        return self.p.steps[self.state]

    @property
    def finished(self) -> bool:
        return self.step.outcome

    def moves(self, trigger: str) -> list[Transition]:
        return [t for t in self.p.transitions if t.trigger == trigger and t.source == self.state]

    def allowed(self) -> list[str]:
        names = [
            t.trigger
            for t in self.p.transitions
            if t.source == self.state and t.checkpoint is None and guard_holds(t, self.facts)
        ]
        return list(dict.fromkeys(names))

    def may_complete(self, at: datetime) -> bool:
        """Completing (fire, decide) is checked against the calendar unless begun."""
        return self.begun or self.calendar_open(at)

    def calendar_open(self, at: datetime) -> bool:
        return self.step.calendar is None or clinic_open(at)

    def role_fits(self, worker: Worker | None) -> bool:
        return worker is None or self.step.role is None or worker.role == self.step.role

    def route(self, checkpoint: str, answers: Mapping[str, bool]) -> str:
        """Where a decision goes, from the checkpoint semantics (not from the engine)."""
        if checkpoint == "review_check":
            adult = fact(self.facts, "age") >= 18
            if answers["complete"] and adult:
                return "plan"
            return "advice" if answers["complete"] else "assess"
        if not answers["legal"] or not answers["accountable"] or not answers["necessary"]:
            return "advice"
        return "done" if not answers["proportionate"] else "doctor"

    # -- what happens -------------------------------------------------------------------

    def advance(self, at: datetime) -> None:
        self.now = utc(at)

    def close_wait(self, at: datetime) -> None:
        if self.wait_since is not None and at > self.wait_since:
            cause = self.wait_cause
            self.waits[cause] = self.waits.get(cause, 0.0) + minutes(self.wait_since, at)
        self.wait_since = None

    def enter_work(self, at: datetime, worker: Worker | None) -> None:
        self.close_wait(at)
        window = timedelta(minutes=self.p.same_visit_within)
        last = self.last_visit_end
        if self.step.visit and (last is None or at - last > window):
            self.visits += 1
        if self.has_previous and self.moved_by is not None:
            level = self.moved_by.handoff
            if level == "none" and worker and self.previous and worker.id != self.previous.id:
                level = "worker"
            if level != "none":
                self.handoffs[level] += 1
        self.started_at, self.worker = at, worker

    def move(self, transition: Transition, at: datetime, worker: Worker | None) -> None:
        at = utc(at)
        if self.started_at is None:
            self.enter_work(at, worker)
        assert self.started_at is not None
        spent = minutes(self.started_at, at)
        self.touch += spent
        self.work[self.step.work] = self.work.get(self.step.work, 0.0) + spent
        self.last_visit_end = at if self.step.visit else None
        self.previous, self.has_previous = worker or self.worker, True
        self.moved_by = transition
        self.state, self.started_at, self.worker = transition.target, None, None
        self.begun = False
        self.wait_since, self.wait_cause = at, transition.cause
        if self.finished:
            self.wait_since, self.outcome, self.outcome_at = None, self.state, at
        self.advance(at)

    def begin(self, at: datetime, worker: Worker | None) -> None:
        self.enter_work(utc(at), worker)
        self.begun = True
        self.advance(at)

    def dna(self, at: datetime) -> None:
        at = utc(at)
        self.close_wait(at)
        self.dnas += 1
        self.wait_since, self.wait_cause, self.last_visit_end = at, "client", None
        self.advance(at)

    def expected_measures(self) -> dict[str, Any]:
        end = self.outcome_at or self.now
        return {
            "outcome": self.outcome,
            "visits": self.visits,
            "dnas": self.dnas,
            "decisions": self.decisions,
            "handoffs": {
                level: self.handoffs[level] for level in ("worker", "role", "team", "organisation")
            },
            "waits": self.waits,
            "touch_minutes": self.touch,
            "work_minutes": self.work,
            "failure_demand": dict(self.failure),
            "elapsed_minutes": minutes(self.start, end),
        }


def measures_dict(case: pathway.Case) -> dict[str, Any]:
    m = case.measures()
    return {
        "outcome": m.outcome,
        "visits": m.visits,
        "dnas": m.dnas,
        "decisions": m.decisions,
        "handoffs": dict(m.handoffs),
        "waits": dict(m.waits),
        "touch_minutes": m.touch_minutes,
        "work_minutes": dict(m.work_minutes),
        "failure_demand": dict(m.failure_demand),
        "elapsed_minutes": m.elapsed_minutes,
    }


ERRORS = (TransitionError, CheckpointError, FactError)
