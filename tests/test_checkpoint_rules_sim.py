"""Checkpoint rules in simulation (issue 16): no case is reviewed twice in one round,
a review not decided when its round closes lapses, a persisting yes never turns back to
no, and every simulated review is one the live engine's rules accept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pathway
from checkpoint_rules_support import ROUNDS_YAML
from pathway._analysis._rounds import checkpoint_rounds
from pathway._engine._rules import check_round
from pathway._model._rounds import round_end
from pathway.io import read_log

pytest.importorskip("numpy")

PATHWAY = pathway.load(ROUNDS_YAML)
CHECKPOINT = PATHWAY.checkpoints["questions"]
WITHOUT_RULES = pathway.load(
    ROUNDS_YAML.replace("    rounds: rounds\n", "").replace(", persists: true", "")
)


def simulated(tmp: Path, seed: int, cases: int = 80, source: pathway.Pathway = PATHWAY):
    events = tmp / f"events-{seed}.csv"
    pathway.simulate(source, cases=cases, seed=seed, events=events)
    return read_log(events)


def journeys(log: pathway.EventLog) -> dict[str, list[pathway.Event]]:
    found: dict[str, list[pathway.Event]] = {}
    for event in log.to_events():
        found.setdefault(event.case_id, []).append(event)
    return found


def test_no_case_is_reviewed_twice_in_a_round_and_some_reviews_lapse(tmp_path: Path) -> None:
    log = simulated(tmp_path, seed=3)
    (rounds,) = checkpoint_rounds(log, PATHWAY)
    assert rounds.decisions > 80
    assert rounds.same_round == 0
    assert rounds.lapsed > 0  # one consultant, three-hour rounds: the last review overruns


def test_without_rounds_cases_are_re_reviewed_the_same_day(tmp_path: Path) -> None:
    log = simulated(tmp_path, seed=3, source=WITHOUT_RULES)
    (rounds,) = checkpoint_rounds(log, WITHOUT_RULES)
    assert rounds.same_round > 0
    assert rounds.lapsed == 0


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**31 - 1))
def test_every_simulated_review_obeys_the_live_rules(tmp_path: Path, seed: int) -> None:
    """The same rules, live and simulated: the live engine's round check accepts every
    simulated review start, a lapse happens exactly at its review's round end, a decision
    comes no later than that end, and a persisting yes stays yes."""
    log = simulated(tmp_path, seed=seed, cases=40)
    for events in journeys(log).values():
        _check_journey(events)


def _check_journey(events: list[pathway.Event]) -> None:
    last_end = None
    began = None
    stable = False
    for event in events:
        if isinstance(event, pathway.StepStarted) and event.step == "review":
            last = last_end
            check_round(PATHWAY, CHECKPOINT, event.at, last, "")  # raises if refused
            began = event.at
        elif isinstance(event, pathway.Transitioned) and dict(event.data).get("lapsed"):
            assert began is not None
            assert event.at == round_end(PATHWAY, CHECKPOINT, began)
        elif isinstance(event, pathway.Decision):
            assert began is not None
            end = round_end(PATHWAY, CHECKPOINT, began)
            assert end is not None
            assert event.at <= end
            last_end = end
            answers = dict(event.answers)
            assert answers["stable"] or not stable  # once yes, always yes
            stable = stable or answers["stable"]


def test_lapsed_moves_are_marked_in_the_log(tmp_path: Path) -> None:
    log = simulated(tmp_path, seed=3)
    lapses = [
        e
        for e in log.to_events()
        if isinstance(e, pathway.Transitioned) and dict(e.data) == {"lapsed": True}
    ]
    assert lapses
    assert {(e.trigger, e.source, e.target) for e in lapses} == {("questions", "review", "review")}
    assert json.dumps(dict(lapses[0].data)) == '{"lapsed": true}'
