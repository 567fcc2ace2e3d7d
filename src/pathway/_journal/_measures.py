"""Per-case measures computed from any stream of journal events.

The same function serves a live case (``case.measures()``), a simulated cohort and an
imported log: it reads only events, never the engine's state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime

import attrs

from pathway._journal._events import (
    CaseStarted,
    Decision,
    Event,
    FailureDemand,
    Handoff,
    OutcomeReached,
    StepCompleted,
    VisitAttended,
    VisitMissed,
    Waited,
)
from pathway._vocab import LEVELS

__all__ = ["CaseMeasures", "measure_events"]


def _minutes(start: datetime, end: datetime) -> float:
    """Real minutes from ``start`` to ``end``; exact across clock changes for aware times
    (subtracting two times in one ``ZoneInfo`` zone would give wall-clock minutes)."""
    if start.utcoffset() is not None and end.utcoffset() is not None:
        start, end = start.astimezone(UTC), end.astimezone(UTC)
    return (end - start).total_seconds() / 60


@attrs.frozen(slots=True)
class CaseMeasures:
    """What a journey cost the person and the service, so far.

    Times are in minutes. ``elapsed_minutes`` runs from the first event to the outcome
    (or to ``until``/the last event while the case is open). ``handoffs`` and ``waits``
    are keyed by level and by cause; ``work_minutes`` by Vanguard work class.
    """

    case_id: str
    outcome: str | None
    visits: int
    dnas: int
    handoffs: Mapping[str, int]
    waits: Mapping[str, float]
    touch_minutes: float
    elapsed_minutes: float
    work_minutes: Mapping[str, float]
    failure_demand: Mapping[str, int]
    decisions: int

    @property
    def total_handoffs(self) -> int:
        """Hand-offs at every level together."""
        return sum(self.handoffs.values())

    @property
    def wait_minutes(self) -> float:
        """All waiting, whatever the cause."""
        return sum(self.waits.values())

    @property
    def flow_efficiency(self) -> float:
        """Value-work time divided by end-to-end time (0 when no time has passed)."""
        if self.elapsed_minutes <= 0:
            return 0.0
        return self.work_minutes.get("value", 0.0) / self.elapsed_minutes


@attrs.define
class _Tally:
    case_id: str = ""
    first: datetime | None = None
    last: datetime | None = None
    outcome: str | None = None
    outcome_at: datetime | None = None
    visits: int = 0
    dnas: int = 0
    decisions: int = 0
    touch: float = 0.0
    handoffs: dict[str, int] = attrs.Factory(dict)
    waits: dict[str, float] = attrs.Factory(dict)
    work: dict[str, float] = attrs.Factory(dict)
    failure: dict[str, int] = attrs.Factory(dict)

    def add(self, event: Event) -> None:
        self.first = self.first or event.at
        self.last = event.at
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            handler(self, event)


def _on_started(tally: _Tally, event: Event) -> None:
    assert isinstance(event, CaseStarted)
    tally.case_id = event.case_id
    if event.demand is not None:  # the case is itself failure demand (a return)
        tally.failure[event.demand] = tally.failure.get(event.demand, 0) + 1


def _on_completed(tally: _Tally, event: Event) -> None:
    assert isinstance(event, StepCompleted)
    minutes = _minutes(event.started, event.at)
    tally.touch += minutes
    tally.work[event.work] = tally.work.get(event.work, 0.0) + minutes


def _on_waited(tally: _Tally, event: Event) -> None:
    assert isinstance(event, Waited)
    tally.waits[event.cause] = tally.waits.get(event.cause, 0.0) + _minutes(event.started, event.at)


def _on_handoff(tally: _Tally, event: Event) -> None:
    assert isinstance(event, Handoff)
    tally.handoffs[event.level] = tally.handoffs.get(event.level, 0) + 1


def _on_failure(tally: _Tally, event: Event) -> None:
    assert isinstance(event, FailureDemand)
    tally.failure[event.demand] = tally.failure.get(event.demand, 0) + 1


def _on_outcome(tally: _Tally, event: Event) -> None:
    assert isinstance(event, OutcomeReached)
    tally.outcome, tally.outcome_at = event.step, event.at


def _count(name: str) -> Callable[[_Tally, Event], None]:
    def handler(tally: _Tally, _event: Event) -> None:
        setattr(tally, name, getattr(tally, name) + 1)

    return handler


_HANDLERS: dict[type[Event], Callable[[_Tally, Event], None]] = {
    CaseStarted: _on_started,
    StepCompleted: _on_completed,
    Waited: _on_waited,
    Handoff: _on_handoff,
    FailureDemand: _on_failure,
    OutcomeReached: _on_outcome,
    VisitAttended: _count("visits"),
    VisitMissed: _count("dnas"),
    Decision: _count("decisions"),
}


def measure_events(events: Iterable[Event], *, until: datetime | None = None) -> CaseMeasures:
    """Measure one case's events (in time order). ``until`` extends an open case's
    elapsed time to that moment."""
    tally = _Tally()
    for event in events:
        tally.add(event)
    end = tally.outcome_at or until or tally.last
    elapsed = _minutes(tally.first, end) if tally.first and end else 0.0
    return CaseMeasures(
        case_id=tally.case_id,
        outcome=tally.outcome,
        visits=tally.visits,
        dnas=tally.dnas,
        handoffs={level: tally.handoffs.get(level, 0) for level in LEVELS},
        waits=dict(tally.waits),
        touch_minutes=tally.touch,
        elapsed_minutes=elapsed,
        work_minutes=dict(tally.work),
        failure_demand=dict(tally.failure),
        decisions=tally.decisions,
    )
