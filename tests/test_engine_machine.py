"""The engine dispatches on the shared ``transitions`` machine's tables without calling
``Event.trigger``; here every move is checked against ``Event.trigger`` itself on a plain
model object, and cases are checked never to attach to the machine."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pytest
import transitions
from hypothesis import given, settings
from hypothesis import strategies as st

from pathway import Pathway, TransitionError, Worker
from pathway._engine._machine import machine_for
from shared_pathways import MINI_YAML
from test_engine_support import ENGINE_YAML, LONDON, PLAIN_YAML, load

TUESDAY = datetime(2024, 1, 2, 10, 0, tzinfo=LONDON)  # every calendar here is open then
PATHWAYS = {name: load(text) for name, text in [("plain", PLAIN_YAML), ("engine", ENGINE_YAML)]}
PATHWAYS["mini"] = load(MINI_YAML)
FACTS = {
    "needs_prescribing": st.booleans(),
    "age": st.integers(10, 30),
    "risk": st.sampled_from(["low", "high"]),
}


def machine_move(p: Pathway, model: Any, trigger: str) -> bool | None:
    """What ``Event.trigger`` does: True (moved), False (conditions failed) or None
    (the trigger is not valid from the model's state)."""
    try:
        return bool(machine_for(p).events[trigger].trigger(model))
    except transitions.MachineError:
        return None


def plain_triggers(p: Pathway) -> list[str]:
    """Triggers that are not checkpoints (checkpoint routes have no conditions in the
    machine: the route is chosen by the answers, which the machine does not see)."""
    return sorted({t.trigger for t in p.transitions if t.checkpoint is None})


@pytest.mark.parametrize("name", sorted(PATHWAYS))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_every_move_agrees_with_event_trigger(name: str, data: st.DataObject) -> None:
    p = PATHWAYS[name]
    declared = {fact: FACTS[fact] for fact in p.facts}
    facts = data.draw(st.fixed_dictionaries(declared))
    case = p.new_case("c1", facts, at=TUESDAY)
    model = SimpleNamespace(state=p.start, facts=dict(facts))
    states = [case.state]
    for _ in range(data.draw(st.integers(1, 30))):
        action = data.draw(st.sampled_from(["fire", "fire", "fire", "facts"]))
        if action == "facts" and declared:
            update = data.draw(st.fixed_dictionaries({}, optional=declared))
            case.update_facts(at=TUESDAY, **update)
            model.facts.update(update)
        elif case.step.checkpoint is not None and data.draw(st.booleans()):
            decide(case, data.draw(st.booleans()))
            model.state = case.state  # checkpoint routes are not compared (see above)
        else:
            trigger = data.draw(st.sampled_from(plain_triggers(p)))
            expected = machine_move(p, model, trigger)
            try:
                case.fire(trigger, at=TUESDAY)
            except TransitionError:
                assert not expected, f"{trigger} from {states[-1]}: the machine moves"
            else:
                assert expected, f"{trigger} from {states[-1]}: the machine does not move"
            assert case.state == model.state
        states.append(case.state)
    assert machine_for(p).models == []


def decide(case: Any, yes: bool) -> None:
    cp = case.pathway.checkpoints[case.step.checkpoint]
    answers = {q.id: yes for q in cp.questions if not q.automatic}
    case.decide(cp.id, answers, at=TUESDAY, by=Worker("w1", "worker"), rationale="agreed")


def test_machine_is_built_once_per_pathway_content() -> None:
    p = PATHWAYS["engine"]
    assert machine_for(p) is machine_for(load(ENGINE_YAML))
    machine = machine_for(p)
    assert set(machine.states) == set(p.steps)
    assert machine.initial == p.start
    for transition in p.transitions:
        moves = machine.events[transition.trigger].transitions[transition.source]
        assert transition.target in [move.dest for move in moves]


def test_a_thousand_cases_never_attach_to_the_machine() -> None:
    p = PATHWAYS["engine"]
    machine = machine_for(p)
    cases = [p.new_case(f"c{i}", {"risk": "low"}, at=TUESDAY) for i in range(1000)]
    for case in cases[:50]:
        case.fire("refer", at=TUESDAY)
    assert machine.models == []
    assert len({id(case) for case in cases}) == 1000
    assert not hasattr(cases[0], "trigger")
    assert not hasattr(cases[0], "to_triage")
