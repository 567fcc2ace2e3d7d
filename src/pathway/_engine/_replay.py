"""Replay: re-run a journal's commands on a fresh case and check every event it gives.

:func:`pathway.replay` (in :mod:`._case`) starts the case; the functions here apply each
recorded command to it and compare what the engine records with what was recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from pathway._engine._types import Worker
from pathway._journal._events import (
    Decision,
    Event,
    FactsUpdated,
    FailureDemand,
    StepStarted,
    Transitioned,
    VisitMissed,
)
from pathway._model._pathway import Pathway
from pathway.errors import PathwayError, ReplayError

if TYPE_CHECKING:
    from pathway._engine._case import Case

__all__ = ["apply_command", "compare", "decided", "differ", "event_text", "workers_in"]

#: How much of an event a message shows.
_EVENT_TEXT_LENGTH = 2_000


def event_text(event: object) -> str:
    """An event for a message: its ``repr``, cut short, and never failing (an event
    given to replay may hold anything, a value whose ``repr`` fails included)."""
    try:
        text = repr(event)
    except Exception:
        return f"<{type(event).__name__} event whose values cannot be shown>"
    return text if len(text) <= _EVENT_TEXT_LENGTH else text[:_EVENT_TEXT_LENGTH] + "..."


def decided(pathway: Pathway, event: Event) -> bool:
    """A checkpoint's move is recorded as a Transitioned event but made by its Decision."""
    if not isinstance(event, Transitioned) or type(event.trigger) is not str:
        return False  # a trigger that is not text is refused when its command is re-run
    checkpoint = pathway.checkpoints.get(event.trigger)
    return checkpoint is not None and checkpoint.step == event.source


def workers_in(events: list[Event], roster: Mapping[str, str] | None) -> dict[str, str]:
    """The roster to replay with: ``roster``, and each worker the journal names with a
    role (names that are not text are left for the replayed command to refuse)."""
    workers = dict(roster or {})
    for event in events:
        worker, role = getattr(event, "worker", None), getattr(event, "role", None)
        if type(worker) is str and type(role) is str:
            workers.setdefault(worker, role)
    return workers


def apply_command(case: Case, recorded: list[Event], index: int, checked: int) -> int:
    """Re-run the command ``recorded[index]`` and check the events it gives against the
    record; return how many events are checked so far."""
    event = recorded[index]
    command = _COMMANDS.get(type(event))
    if command is None and event.kind == "migrated":  # only a replay that knows every
        raise ReplayError(  # version can make it (pathway.store; _migrate.replay_versions)
            f"event {index} ({event.kind}) moves the case to another pathway version; "
            "rebuild it from the case store, which knows every version it ran on"
        )
    if command is None:
        raise ReplayError(
            f"event {index} is a {type(event).__name__}, which is not a command replay knows"
        )
    try:
        command(case, event)
    except ReplayError:
        raise
    except PathwayError as error:  # any refusal, an ArgumentError for a bad field included
        compare(case._built(), recorded, checked, min(len(case._events), index))
        first = len(case._events)
        because = f"event {index} ({event.kind}) is rejected on replay: {error}"
        if first < index:
            raise ReplayError(
                f"replay differs at event {first}: recorded {event_text(recorded[first])}, "
                f"replay gives no such event because {because}"
            ) from None
        raise ReplayError(
            f"replay differs at event {index}: recorded {event_text(event)}; {because}"
        ) from None
    compare(case._built(), recorded, checked, len(case._events))
    return len(case._events)


def _by(case: Case, worker: str | None, role: str | None) -> Worker | None:
    if worker is None:
        return None
    return Worker(worker, role) if role is not None else case._resolve_worker(worker)


def _replay_decision(case: Case, event: Event) -> None:
    assert isinstance(event, Decision)
    automatic = event.automatic
    if not isinstance(automatic, tuple | list) or not all(type(a) is str for a in automatic):
        raise ReplayError(
            f"a decision's 'automatic' must be a list of question names: {event_text(event)}"
        )
    person = {k: v for k, v in event.answers if k not in automatic}
    by = _by(case, event.decided_by, event.role)
    case.decide(event.checkpoint, person, at=event.at, by=by, rationale=event.rationale)


def _replay_transitioned(case: Case, event: Event) -> None:
    assert isinstance(event, Transitioned)
    by = _by(case, event.worker, event.role)
    case._fire(event.trigger, event.at, by, event.target, dict(event.data))


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
    case._update_facts(event.at, _by(case, event.worker, event.role), dict(event.facts))


_COMMANDS = {
    Decision: _replay_decision,
    Transitioned: _replay_transitioned,
    StepStarted: _replay_step_started,
    VisitMissed: _replay_missed,
    FailureDemand: _replay_failure,
    FactsUpdated: _replay_facts,
}


def differ(rebuilt: Event, recorded: Event) -> bool:
    """Whether two events differ; a recorded field whose comparison raises (an object
    of the caller's) is not what replay gives, so it differs."""
    try:
        return bool(rebuilt != recorded)
    except Exception:
        return True


def compare(
    rebuilt: list[Event], recorded: list[Event], start: int = 0, end: int | None = None
) -> None:
    """ReplayError naming the first event where ``rebuilt`` and ``recorded[:end]`` differ
    (events before ``start`` are known to agree)."""
    stop = len(recorded) if end is None else min(end, len(recorded))
    for index in range(start, min(len(rebuilt), stop)):
        if differ(rebuilt[index], recorded[index]):
            raise ReplayError(
                f"replay differs at event {index}: recorded {event_text(recorded[index])}, "
                f"replay gives {event_text(rebuilt[index])}"
            )
    if len(rebuilt) < stop:
        index = len(rebuilt)
        raise ReplayError(
            f"replay differs at event {index}: recorded {event_text(recorded[index])}, replay "
            "gives no such event (the journal has events its commands do not produce)"
        )
    if len(rebuilt) > stop:
        there = event_text(recorded[stop]) if stop < len(recorded) else "nothing (the journal ends)"
        raise ReplayError(
            f"replay differs at event {stop}: recorded {there}, replay gives "
            f"{event_text(rebuilt[stop])}"
        )
