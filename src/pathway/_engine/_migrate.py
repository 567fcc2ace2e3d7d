"""Moving a live case to another version of its pathway (roll-in), replaying a journal
across such moves, and the status a case store indexes.

:func:`migrate_case` gives the case on the new version at the mapped step, with its
facts, times and work in hand kept, and a :class:`~pathway.Migrated` event appended.
:func:`replay_versions` rebuilds a journal that crosses versions: each stretch is
replayed on the version it ran on (``resolve`` finds it) and each :class:`Migrated`
event is re-made and compared like any other command. :func:`case_status` is what a
store's worklists read (step, owner, waiting since, pending checkpoint).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import attrs

from pathway._engine._case import Case, replay
from pathway._engine._facts import checked_facts
from pathway._engine._replay import apply_command, compare, decided, workers_in
from pathway._journal._events import Event, Migrated
from pathway._model._pathway import Pathway
from pathway.errors import FactError, ReplayError, TransitionError

__all__ = ["CaseStatus", "Resolver", "case_status", "migrate_case", "replay_versions"]

Resolver = Callable[[str, str, str], Pathway]
"""Finds a pathway by (id, version, content hash); raises a PathwayError if it cannot."""


@attrs.frozen(slots=True)
class CaseStatus:
    """What a worklist reads about a case now: where it is, who has it, since when it
    waits (``None`` once work on the step began, or at an outcome), the transition's
    ``chase_after`` (minutes) that brought it here, and a pending checkpoint."""

    step: str
    role: str | None
    worker: str | None
    finished: bool
    waiting_since: datetime | None
    chase_after: float | None
    checkpoint: str | None
    facts: Mapping[str, Any]
    last_event_at: datetime
    started_at: datetime


def case_status(case: Case) -> CaseStatus:
    """The worklist view of ``case`` (read from its state, not its clock)."""
    events = case._built()
    pending = case._pending
    return CaseStatus(
        step=case.state,
        role=case.owner,
        worker=case._worker.id if case._worker is not None else None,
        finished=case.finished,
        waiting_since=case._wait_since,
        chase_after=pending.chase_after if pending is not None else None,
        checkpoint=case.step.checkpoint,
        facts=case.facts,
        last_event_at=events[-1].at,
        started_at=events[0].at,
    )


def migrate_case(case: Case, target: Pathway, step: str, *, at: datetime) -> Case:
    """``case`` moved to ``target`` at its step ``step``, as a new :class:`Case` whose
    journal ends with a :class:`Migrated` event at ``at`` (``case`` is not changed).

    Raises TransitionError if the case has finished, ``step`` is not a step of
    ``target`` or is an outcome, or ``at`` is before the case's last event; FactError if
    a fact of the case is not declared by ``target`` (or does not fit its declaration).
    """
    when = case._time(at)
    if case.finished:
        raise TransitionError(f"case {case.case_id!r} has finished; only open cases move")
    new_step = target.steps.get(step)
    if new_step is None or new_step.outcome:
        what = "is an outcome" if new_step is not None else "is not a step"
        raise TransitionError(
            f"case {case.case_id!r}: {step!r} {what} of pathway {target.id!r} "
            f"version {target.version!r}; map {case.state!r} to a step where work goes on"
        )
    facts = checked_facts(target, case.facts)
    moved = Case(target, case.case_id, case._roster)
    for name in Case.__slots__:
        if name not in {"pathway", "case_id", "_rt", "_roster", "_events", "_built_upto"}:
            setattr(moved, name, getattr(case, name))
    moved._events = list(case._built())
    moved._built_upto = len(moved._events)
    moved._facts = facts
    moved._state, moved._step = step, new_step
    moved._append(
        Migrated(
            case.case_id, when, step, case.state, target.id, target.version, target.content_hash
        )
    )
    return moved


def replay_versions(
    events: list[Event], resolve: Resolver, *, roster: Mapping[str, str] | None = None
) -> Case:
    """Rebuild a case whose journal may cross pathway versions (see the module).

    Raises ReplayError naming the first event that differs, or a :class:`Migrated`
    event that cannot be made again; ``resolve`` raises for a version it cannot find.
    """
    moves = [i for i, event in enumerate(events) if isinstance(event, Migrated)]
    if not moves:
        first = events[0] if events else None
        pathway = resolve(*_version_of(first)) if first is not None else None
        if pathway is None:
            raise ReplayError("a journal must begin with a case_started event")
        return replay(pathway, events, roster=roster)
    workers = workers_in(events, roster)
    case = replay(resolve(*_version_of(events[0])), events[: moves[0]], roster=workers)
    for number, index in enumerate(moves):
        move = events[index]
        assert isinstance(move, Migrated)
        target = resolve(move.pathway_id, move.pathway_version, move.content_hash)
        try:
            case = migrate_case(case, target, move.step, at=move.at)
        except (TransitionError, FactError) as error:
            raise ReplayError(f"event {index} (migrated) is rejected on replay: {error}") from None
        compare(case._built(), events, index, index + 1)
        end = moves[number + 1] if number + 1 < len(moves) else len(events)
        checked = index + 1
        for later in range(index + 1, end):
            event = events[later]
            if event.command and not decided(target, event):
                checked = apply_command(case, events, later, checked)
        compare(case._built(), events, checked, end)
    case._roster = roster
    return case


def _version_of(event: Event | None) -> tuple[str, str, str]:
    pathway_id = getattr(event, "pathway_id", None)
    if pathway_id is None or event is None or event.kind != "case_started":
        raise ReplayError("a journal must begin with a case_started event")
    return (pathway_id, getattr(event, "pathway_version", ""), getattr(event, "content_hash", ""))
