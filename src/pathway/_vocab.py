"""The domain's words, in one place: what the code calls things and what people read.

Every module that names a work class, a hand-off level, a wait cause, a kind of failure
demand or who asked for an appointment takes the names from here, and every report,
diff or message that shows one to a person takes the words from here. Unit constants
(minutes per day and week) live here too.

* **Work classes** (Vanguard): ``value`` is what the person needs; ``waste1`` can be
  removed now, ``waste2`` is designed into the current system, ``waste3`` is required
  by law, regulation or contract.
* **Hand-off levels**: how far a case travels when its owner changes; ``none`` is no
  hand-off, then ``worker`` (another worker in the same role), ``role``, ``team`` and
  ``organisation``.
* **Wait causes**: why a case waits between the end of one step and the start of the
  next (see docs/concepts.md). The four *fragmentation* causes are the waits a redesign
  can take out: hand-off, visit gap, calendar and approval. ``continuity`` is the wait
  for the case's named worker while another worker of the role was free (a role with
  ``continuity: named``): the price of keeping one worker. A wait in a real system's
  export whose cause the data do not show is ``unattributed`` (never simulated, never
  declared: only a log read from another system has it).
* **Failure demand**: demand caused by a failure to do something or do it right:
  chasing progress, coming back (re-presentation), being referred again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

__all__ = [
    "CAUSE_NAMES",
    "CAUSE_WAITING",
    "DEMANDS",
    "DEMAND_EVENT_WORDS",
    "DEMAND_WORDS",
    "FRAGMENTATION_CAUSES",
    "HANDOFF_LEVELS",
    "LEVELS",
    "LEVEL_WORDS",
    "MINUTES_PER_DAY",
    "MINUTES_PER_HOUR",
    "MINUTES_PER_WEEK",
    "OWNER_LEVELS",
    "RECORDED_CAUSES",
    "REQUESTERS",
    "TARGET_MEASURES",
    "UNATTRIBUTED",
    "WAIT_CAUSES",
    "WORK_CLASSES",
    "WORK_NAMES",
    "WORK_WORDS",
    "Demand",
    "HandoffLevel",
    "Requester",
    "WaitCause",
    "WorkClass",
    "waiting",
]

WorkClass = Literal["value", "waste1", "waste2", "waste3"]
HandoffLevel = Literal["none", "worker", "role", "team", "organisation"]
WaitCause = Literal[
    "handoff", "visit_gap", "calendar", "capacity", "approval", "external", "client", "continuity"
]
Demand = Literal["chase", "re_presentation", "re_referral"]
Requester = Literal["service", "client"]

WORK_CLASSES: tuple[WorkClass, ...] = ("value", "waste1", "waste2", "waste3")
HANDOFF_LEVELS: tuple[HandoffLevel, ...] = ("none", "worker", "role", "team", "organisation")
#: The levels of a real hand-off (``none`` left out), smallest first.
LEVELS: tuple[HandoffLevel, ...] = HANDOFF_LEVELS[1:]
#: The levels at which the owning role changes (a hand-off to another worker in the same
#: role keeps the owner).
OWNER_LEVELS: frozenset[HandoffLevel] = frozenset({"role", "team", "organisation"})
WAIT_CAUSES: tuple[WaitCause, ...] = (
    "handoff",
    "visit_gap",
    "calendar",
    "capacity",
    "approval",
    "external",
    "client",
    "continuity",
)
#: The cause of a wait in an imported log that its data do not explain.
UNATTRIBUTED: Literal["unattributed"] = "unattributed"
#: Every cause an event log may record: the simulator's and a pathway's, then
#: ``unattributed`` (imported logs only).
RECORDED_CAUSES: tuple[str, ...] = (*WAIT_CAUSES, UNATTRIBUTED)
#: The waits fragmentation adds (with the work of waste steps, the fragmentation delay).
FRAGMENTATION_CAUSES: tuple[WaitCause, ...] = ("handoff", "visit_gap", "calendar", "approval")
DEMANDS: tuple[Demand, ...] = ("chase", "re_presentation", "re_referral")
REQUESTERS: tuple[Requester, ...] = ("service", "client")

MINUTES_PER_HOUR = 60
MINUTES_PER_DAY = 1440
MINUTES_PER_WEEK = 10080
#: The measures charted by period, the ones a pathway file may set a target for (days).
TARGET_MEASURES = ("end_to_end", "fragmentation")

# -- words for people ------------------------------------------------------------------

#: Work classes as table rows and legends.
WORK_NAMES: Mapping[str, str] = {
    "value": "Value work",
    "waste1": "Waste type 1",
    "waste2": "Waste type 2",
    "waste3": "Waste type 3",
}
#: Work classes with what each means.
WORK_WORDS: Mapping[str, str] = {
    "value": "Value work",
    "waste1": "Waste type 1 (removable now)",
    "waste2": "Waste type 2 (designed in)",
    "waste3": "Waste type 3 (law, regulation, contract)",
}
#: Wait causes in a few words ("calendar gate").
CAUSE_NAMES: Mapping[str, str] = {
    "handoff": "hand-off",
    "visit_gap": "next appointment",
    "calendar": "calendar gate",
    "capacity": "no free worker",
    "approval": "approval",
    "external": "outside service",
    "client": "the person",
    "continuity": "named worker busy",
    "unattributed": "cause not in the data",
}
#: What a case waits for, to follow "Waiting" ("for a calendar gate").
CAUSE_WAITING: Mapping[str, str] = {
    "handoff": "after a hand-off",
    "visit_gap": "for the next appointment",
    "calendar": "for a calendar gate",
    "capacity": "for a free worker",
    "approval": "for approval",
    "external": "for an outside service",
    "client": "on the person",
    "continuity": "for the named worker",
    "unattributed": "for a reason the data do not show",
}
#: Hand-off levels, to follow "Hand-offs".
LEVEL_WORDS: Mapping[str, str] = {
    "none": "none",
    "worker": "between workers in one role",
    "role": "between roles",
    "team": "between teams",
    "organisation": "between organisations",
}
#: Kinds of failure demand, as counted.
DEMAND_WORDS: Mapping[str, str] = {
    "chase": "Progress chasing",
    "re_presentation": "Re-presentations",
    "re_referral": "Re-referrals",
}
#: Kinds of failure demand, as one event in a journey.
DEMAND_EVENT_WORDS: Mapping[str, str] = {
    "chase": "The person chased progress",
    "re_presentation": "The person came back",
    "re_referral": "The person was referred again",
}


def waiting(cause: str) -> str:
    """``Waiting for a calendar gate``: a wait cause as a label (unknown causes by name)."""
    return "Waiting " + CAUSE_WAITING.get(cause, f"({cause})")
