"""A toy case system for a clinic referral pathway, with a planted bug.

It knows the clinic's pathway only the way many real case systems do: as hand-written
tables of moves, owners and rules, not by running pathway. ``examples/
test_your_case_system.py`` tests it against the pathway with
:class:`pathway.testing.PathwayStateMachine`, which finds the planted bug and shrinks it
to the shortest journey that shows it.

The planted bug: after a missed appointment (DNA) the toy books the person again, but
when they then attend it forgets to count the visit (``planted_bug=True``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import pathway

CLINIC_YAML = """\
id: clinic-referral
title: Referral to a clinic appointment
version: "1"
timezone: Europe/London
calendars:
  clinic_days:
    open: {"tue, thu": "09:00-12:30"}
roles:
  admin: {team: booking, organisation: hospital}
  nurse: {team: triage, organisation: hospital}
  doctor: {team: clinic, organisation: hospital, capacity: 2}
facts:
  urgent: {type: bool, distribution: {bernoulli: 0.2}}
steps:
  referral: {role: admin}
  triage: {role: nurse}
  appointment: {role: doctor, visit: true, calendar: clinic_days}
  follow_up: {role: doctor, visit: true, calendar: clinic_days}
  discharged: {outcome: true}
  treated: {outcome: true}
transitions:
  - {trigger: accept, from: referral, to: triage, wait: 1d, cause: handoff}
  - {trigger: fast_track, from: referral, to: appointment, when: urgent, wait: 2d, cause: booking}
  - {trigger: review, from: appointment, to: follow_up, wait: 2w, cause: booking}
  - {trigger: treat, from: appointment, to: treated}
  - {trigger: treat, from: follow_up, to: treated}
checkpoints:
  triage_decision:
    at: triage
    questions:
      needs_clinic: {ask: person, text: "Does the person need to see a doctor?"}
    routes:
      - {when: needs_clinic, to: appointment, wait: 1w, cause: booking, dna: 0.1}
    otherwise: discharged
"""

CLINIC = pathway.load(CLINIC_YAML, name="clinic-referral.yaml")


class NotAllowed(ValueError):
    """How the toy refuses a command the clinic's rules forbid."""


#: (step, trigger) -> next step, and the rule that must hold for the move.
MOVES: Mapping[tuple[str, str], str] = {
    ("referral", "accept"): "triage",
    ("referral", "fast_track"): "appointment",
    ("appointment", "review"): "follow_up",
    ("appointment", "treat"): "treated",
    ("follow_up", "treat"): "treated",
}
RULES: Mapping[tuple[str, str], Callable[[Mapping[str, Any]], bool]] = {
    ("referral", "fast_track"): lambda facts: bool(facts.get("urgent")),
}
OWNERS: Mapping[str, str | None] = {
    "referral": "admin",
    "triage": "nurse",
    "appointment": "doctor",
    "follow_up": "doctor",
    "discharged": None,
    "treated": None,
}
VISITS = frozenset({"appointment", "follow_up"})
SAME_VISIT = timedelta(hours=1)


class ToyCaseSystem:
    """Tracks one case: its step, visits and hand-offs, in its own way."""

    def __init__(self, *, planted_bug: bool = True) -> None:
        self.planted_bug = planted_bug
        self.step = "referral"
        self.facts: dict[str, Any] = {}
        self.visits = 0
        self.handoffs = 0
        self.working = True  # work on the first step starts when the case starts
        self.previous_owner: str | None = None
        self.last_visit_end: datetime | None = None
        self.rebooked = False

    def start(self, facts: Mapping[str, Any]) -> None:
        """A new referral arrives."""
        self.facts = dict(facts)

    def fire(self, trigger: str, at: datetime) -> None:
        """Complete the current step and move on; NotAllowed if not allowed."""
        target = MOVES.get((self.step, trigger))
        if target is None:
            raise NotAllowed(f"{trigger!r} is not possible at {self.step!r}")
        rule = RULES.get((self.step, trigger))
        if rule is not None and not rule(self.facts):
            raise NotAllowed(f"{trigger!r} is not allowed for this person")
        self.move_to(target, at)

    def decide(self, answers: Mapping[str, bool], at: datetime) -> None:
        """Record the triage decision."""
        if self.step != "triage":
            raise NotAllowed("there is no decision to take here")
        self.move_to("appointment" if answers["needs_clinic"] else "discharged", at)

    def begin(self, at: datetime) -> None:
        """Work on the current step starts (the person arrives, for a visit)."""
        if self.working:
            raise NotAllowed("already started")
        self.start_work(at)

    def missed(self) -> None:
        """The person did not attend: book them again. They have left, so the
        rebooked visit is a new attendance however soon it happens."""
        self.rebooked = True
        self.last_visit_end = None

    def move_to(self, target: str, at: datetime) -> None:
        if not self.working:
            self.start_work(at)
        self.last_visit_end = at if self.step in VISITS else None
        self.previous_owner = OWNERS[self.step]
        self.step, self.working = target, False

    def start_work(self, at: datetime) -> None:
        self.working = True
        if self.step in VISITS and self.new_attendance(at):
            if not (self.planted_bug and self.rebooked):
                self.visits += 1
            self.rebooked = False
        owner = OWNERS[self.step]
        if self.previous_owner is not None and owner != self.previous_owner:
            self.handoffs += 1

    def new_attendance(self, at: datetime) -> bool:
        return self.last_visit_end is None or at - self.last_visit_end > SAME_VISIT
