"""One shared ``transitions`` machine per pathway, and the dispatch table cases use.

Why not ``Machine.add_model`` per case: attaching scans a list of models (quadratic when
attaching many cases) and costs kilobytes per case. Why not ``Event.trigger`` per fire:
its per-call pipeline (EventData, callback resolution, queue) is slower than the whole
budget for a fire with guards and journal. So the machine is built once per pathway from
the compiled model and the engine dispatches on the machine's own event and transition
tables; a test checks every move against ``Event.trigger`` on the same machine.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from functools import lru_cache
from typing import Any, cast
from zoneinfo import ZoneInfo

import attrs
import transitions

from pathway._model._pathway import Pathway, Step, Transition

__all__ = ["Runtime", "machine_for", "runtime"]


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
class Runtime:
    """What every case of one pathway shares: the dispatch table built from the shared
    machine's event tables, the time zone and the attendance window."""

    table: Mapping[tuple[str, str], tuple[Transition, ...]]
    steps: Mapping[str, Step]
    zone: ZoneInfo
    same_visit: timedelta
    named_roles: frozenset[str] = frozenset()


@lru_cache(maxsize=64)
def runtime(pathway: Pathway) -> Runtime:
    machine = machine_for(pathway)
    table = {
        (source, trigger): tuple(_compiled(move) for move in moves)
        for trigger, event in machine.events.items()
        for source, moves in event.transitions.items()
        if moves
    }
    return Runtime(
        table,
        dict(pathway.steps),
        ZoneInfo(pathway.timezone),
        timedelta(minutes=pathway.same_visit_within),
        frozenset(role.id for role in pathway.roles.values() if role.named),
    )


def _compiled(move: transitions.Transition) -> Transition:
    return cast(_PathwayTransition, move).compiled


def _condition(compiled: Transition) -> Any:
    guard = compiled.guard
    if guard is None:
        return None
    return lambda event: guard.test(event.model.facts)
