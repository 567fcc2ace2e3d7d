"""Checkpoint rules on live cases (issue 16): who may decide, a required rationale,
rounds (one review a round; a review not decided when its round closes lapses) and
answers that persist once yes."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

import pathway
from checkpoint_rules_support import ROUNDS_YAML
from pathway import Case, CheckpointRuleError, TransitionError, Worker

LONDON = ZoneInfo("Europe/London")
MONDAY = datetime(2024, 1, 1, 9, 0, tzinfo=LONDON)  # rounds: Mon and Thu 10:00-13:00
THURSDAY = MONDAY + timedelta(days=3)
NURSE, CONSULTANT = Worker("n1", "nurse"), Worker("c1", "consultant")
REGISTRAR = Worker("r1", "registrar")
PATHWAY = pathway.load(ROUNDS_YAML)


def load() -> pathway.Pathway:
    return PATHWAY


def at(day: datetime, hh: int, mm: int = 0) -> datetime:
    return day.replace(hour=hh, minute=mm)


def at_review(pathway_: pathway.Pathway | None = None) -> Case:
    case = (pathway_ or load()).new_case("w1", at=MONDAY)
    case.fire("first_review", at=at(MONDAY, 9, 30), by=NURSE)
    assert case.state == "review"
    return case


def decide(case: Case, when: datetime, by: Worker = CONSULTANT, **answers: bool) -> Case:
    return case.decide("questions", answers, at=when, by=by, rationale="seen on the round")


def back_to_review(case: Case, when: datetime) -> None:
    case.fire("next_round", at=when, by=NURSE)
    assert case.state == "review"


def test_the_rules_compile_from_the_file() -> None:
    cp = load().checkpoints["questions"]
    assert cp.deciders == ("consultant", "registrar")
    assert cp.rationale_required
    assert cp.rounds == "rounds"
    assert cp.persisting == ("stable",)


def test_a_role_listed_in_decided_by_may_decide_and_another_may_not() -> None:
    case = at_review()
    with pytest.raises(CheckpointRuleError, match="may not decide") as caught:
        decide(case, at(MONDAY, 10, 30), by=NURSE, stable=False, ready=True)
    assert isinstance(caught.value, TransitionError)
    assert caught.value.rule == "decider-role"
    decide(case, at(MONDAY, 10, 30), by=REGISTRAR, stable=False, ready=True)
    assert case.state == "act"


def test_a_required_rationale_and_decision_maker() -> None:
    case = at_review()
    before = len(case.journal)
    with pytest.raises(CheckpointRuleError) as caught:
        case.decide("questions", {"stable": True, "ready": True}, at=at(MONDAY, 10, 30))
    assert caught.value.rule == "decider-required"
    with pytest.raises(CheckpointRuleError) as caught:
        case.decide(
            "questions", {"stable": True, "ready": True}, at=at(MONDAY, 10, 30), by=CONSULTANT
        )
    assert caught.value.rule == "rationale-required"
    assert len(case.journal) == before


def test_a_review_between_rounds_is_refused() -> None:
    case = at_review()
    with pytest.raises(CheckpointRuleError) as caught:
        decide(case, at(MONDAY, 14), stable=True, ready=True)
    error = caught.value
    assert error.rule == "round-closed"
    assert "2024-01-04T10:00:00+00:00" in error.suggestion  # Thursday's round
    with pytest.raises(CheckpointRuleError, match="only in its rounds"):
        case.begin(at=at(MONDAY, 14), by=CONSULTANT)


def test_the_next_review_waits_for_a_later_round() -> None:
    case = at_review()
    decide(case, at(MONDAY, 10, 30), stable=False, ready=True)
    back_to_review(case, at(MONDAY, 11))
    with pytest.raises(CheckpointRuleError) as caught:
        decide(case, at(MONDAY, 11, 30), stable=True, ready=True)
    error = caught.value
    assert error.rule == "same-round"
    assert "2024-01-01T13:00:00+00:00" in error.found
    assert "2024-01-04T10:00:00+00:00" in error.suggestion
    with pytest.raises(CheckpointRuleError, match="once a round"):
        case.begin(at=at(MONDAY, 11, 30), by=CONSULTANT)
    decide(case, at(THURSDAY, 10, 5), stable=True, ready=True)
    assert case.state == "discharge"


def test_a_review_not_decided_when_its_round_closes_lapses() -> None:
    case = at_review()
    case.begin(at=at(MONDAY, 12, 50), by=CONSULTANT)
    decide(case, at(THURSDAY, 10, 30), stable=True, ready=True)
    first = next(i for i, e in enumerate(case.journal) if e.kind == "step_started")
    kinds = [(e.kind, e.at) for e in case.journal][first:]
    close = at(MONDAY, 13)
    assert kinds[:3] == [
        ("step_started", at(MONDAY, 12, 50)),
        ("step_completed", close),
        ("transitioned", close),
    ]
    lapse = case.journal[first + 2]
    assert isinstance(lapse, pathway.Transitioned)
    assert (lapse.trigger, lapse.source, lapse.target) == ("questions", "review", "review")
    assert dict(lapse.data) == {"lapsed": True}
    waited = case.journal.of_type(pathway.Waited)[-1]
    assert (waited.cause, waited.started, waited.at) == ("calendar", close, at(THURSDAY, 10, 30))
    assert case.state == "discharge"
    assert len(case.journal.of_type(pathway.Decision)) == 1
    rebuilt = Case.from_json(case.pathway, case.to_json())
    assert list(rebuilt.journal) == list(case.journal)


def test_a_review_decided_at_the_close_does_not_lapse() -> None:
    case = at_review()
    case.begin(at=at(MONDAY, 12, 50), by=CONSULTANT)
    decide(case, at(MONDAY, 13), stable=True, ready=True)
    assert not any(dict(getattr(e, "data", ()) or ()).get("lapsed") for e in case.journal)


def test_the_lapse_is_recorded_by_the_next_command_whatever_it_is() -> None:
    case = at_review()
    case.begin(at=at(MONDAY, 12, 50), by=CONSULTANT)
    case.record_failure_demand("chase", at=at(MONDAY, 16))
    kinds = [e.kind for e in case.journal][-4:]
    assert kinds == ["step_started", "step_completed", "transitioned", "failure_demand"]
    assert case.state == "review"
    case.begin(at=at(THURSDAY, 10), by=REGISTRAR)  # a new review in the next round


def test_a_persisting_yes_is_kept_and_a_later_no_refused() -> None:
    case = at_review()
    decide(case, at(MONDAY, 10, 30), stable=True, ready=False)
    back_to_review(case, at(MONDAY, 11))
    with pytest.raises(CheckpointRuleError) as caught:
        decide(case, at(THURSDAY, 10, 30), stable=False, ready=True)
    assert caught.value.rule == "persisted-answer"
    decide(case, at(THURSDAY, 10, 30), ready=True)  # 'stable' left out: kept as yes
    decision = case.journal.of_type(pathway.Decision)[-1]
    assert dict(decision.answers) == {"stable": True, "ready": True}
    assert case.state == "discharge"
    rebuilt = Case.from_json(case.pathway, case.to_json())
    assert list(rebuilt.journal) == list(case.journal)


def test_a_no_does_not_persist() -> None:
    case = at_review()
    decide(case, at(MONDAY, 10, 30), stable=False, ready=True)
    back_to_review(case, at(MONDAY, 11))
    with pytest.raises(pathway.CheckpointError, match="needs answers to: stable"):
        decide(case, at(THURSDAY, 10, 30), ready=True)
