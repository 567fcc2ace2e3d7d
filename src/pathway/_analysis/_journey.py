"""One case's journey laid out for a swimlane map: steps, waits and marks on a time axis.

Times are minutes from the case's first event. Lanes are the owners (roles) of the steps
in order of first appearance; a step without a role is in the lane ``(no owner)``.
"""

from __future__ import annotations

import attrs
import numpy as np

from pathway._analysis._cases import (
    FAILURE_DEMAND,
    MINUTE_NS,
    OUTCOME_REACHED,
    STEP_COMPLETED,
    VISIT_ATTENDED,
    VISIT_MISSED,
    WAITED,
    handoff_events,
)
from pathway._journal._eventlog import NAT, EventLog
from pathway._model._pathway import Pathway
from pathway._vocab import LEVELS

__all__ = ["NO_OWNER", "Journey", "JourneyMark", "JourneyStep", "JourneyWait", "journey_of"]

NO_OWNER = "(no owner)"


@attrs.frozen
class JourneyStep:
    """A step worked: from ``start`` to ``end`` minutes, in ``lane``."""

    step: str
    lane: str
    worker: str | None
    work: str | None
    start: float
    end: float
    visit: bool


@attrs.frozen
class JourneyWait:
    """A wait for ``step`` from ``start`` to ``end`` minutes, for ``cause``."""

    step: str
    cause: str
    start: float
    end: float


@attrs.frozen
class JourneyMark:
    """A moment: ``visit``, ``dna``, ``handoff`` (``detail`` = level) or ``failure_demand``
    (``detail`` = kind), at ``at`` minutes."""

    kind: str
    at: float
    step: str
    detail: str = ""


@attrs.frozen
class Journey:
    """A case's journey: lanes, steps, waits and marks, times in minutes from its start."""

    case_id: str
    outcome: str | None
    end_to_end: float
    lanes: tuple[str, ...]
    steps: tuple[JourneyStep, ...]
    waits: tuple[JourneyWait, ...]
    marks: tuple[JourneyMark, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready mapping (minutes from the case's start)."""
        return {
            "case_id": self.case_id,
            "outcome": self.outcome,
            "end_to_end_days": self.end_to_end / 1440,
            "lanes": list(self.lanes),
            "steps": [attrs.asdict(s) for s in self.steps],
            "waits": [attrs.asdict(w) for w in self.waits],
            "marks": [attrs.asdict(m) for m in self.marks],
        }


def journey_of(log: EventLog, index: int, pathway: Pathway | None = None) -> Journey:
    """The journey of case ``index`` (its position in case order)."""
    starts, ends = log.case_bounds()
    lo, hi = int(starts[index]), int(ends[index])
    origin = int(log.at[lo])

    def minutes(ns: int) -> float:
        return (ns - origin) / MINUTE_NS

    steps_vocab, roles = log.labels("step"), log.labels("role")
    workers, works = log.labels("worker"), log.labels("work")
    visited = _visited_steps(log, lo, hi, pathway)
    steps, waits, marks = [], [], []
    lanes: dict[str, None] = {}
    outcome = None
    end = minutes(int(log.at[hi - 1]))
    for row in range(lo, hi):
        kind = int(log.kind[row])
        step_code = int(log.codes["step"][row])
        step = steps_vocab[step_code] if step_code >= 0 else ""
        at = minutes(int(log.at[row]))
        if kind == STEP_COMPLETED:
            role = _label(roles, int(log.codes["role"][row])) or NO_OWNER
            lanes.setdefault(role)
            began = int(log.started[row])
            steps.append(
                JourneyStep(
                    step,
                    role,
                    _label(workers, int(log.codes["worker"][row])),
                    _label(works, int(log.codes["work"][row])),
                    minutes(began) if began != NAT else at,
                    at,
                    step in visited,
                )
            )
        elif kind == WAITED:
            cause = _label(log.labels("cause"), int(log.codes["cause"][row])) or "unknown"
            waits.append(JourneyWait(step, cause, minutes(int(log.started[row])), at))
        elif kind in (VISIT_ATTENDED, VISIT_MISSED):
            marks.append(JourneyMark("visit" if kind == VISIT_ATTENDED else "dna", at, step))
        elif kind == FAILURE_DEMAND:
            demand = _label(log.labels("demand"), int(log.codes["demand"][row])) or ""
            marks.append(JourneyMark("failure_demand", at, step, demand))
        elif kind == OUTCOME_REACHED and outcome is None:
            outcome, end = step, at
    marks.extend(_handoff_marks(log, lo, hi, origin, pathway))
    marks.sort(key=lambda m: m.at)
    return Journey(
        case_id=log.case_ids[int(log.case[lo])],
        outcome=outcome,
        end_to_end=end,
        lanes=tuple(lanes),
        steps=tuple(steps),
        waits=tuple(waits),
        marks=tuple(marks),
    )


def _label(labels: tuple[str, ...], code: int) -> str | None:
    return labels[code] if code >= 0 else None


def _visited_steps(log: EventLog, lo: int, hi: int, pathway: Pathway | None) -> set[str]:
    if pathway is not None:
        return set(pathway.visit_steps)
    steps = log.labels("step")
    rows = np.flatnonzero(log.kind[lo:hi] == VISIT_ATTENDED) + lo
    return {steps[int(code)] for code in log.codes["step"][rows] if code >= 0}


def _handoff_marks(
    log: EventLog, lo: int, hi: int, origin: int, pathway: Pathway | None
) -> list[JourneyMark]:
    rows, _case, level = handoff_events(log, pathway)
    keep = (rows >= lo) & (rows < hi)
    steps = log.labels("step")
    return [
        JourneyMark(
            "handoff",
            (int(log.at[row]) - origin) / MINUTE_NS,
            steps[int(log.codes["step"][row])] if log.codes["step"][row] >= 0 else "",
            LEVELS[int(lev)],
        )
        for row, lev in zip(rows[keep], level[keep], strict=True)
    ]
