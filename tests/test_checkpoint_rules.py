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


# -- the file format ---------------------------------------------------------------------

V1 = ROUNDS_YAML.replace("format: 2\n", "")


def _where(text: str, key: str) -> tuple[int, int]:
    """The 1-based line and column where ``key:`` is written in ``text``'s checkpoints."""
    lines = text.splitlines()
    first = lines.index("checkpoints:")
    for number, line in enumerate(lines[first:], start=first + 1):
        if f"{key}:" in line:
            return number, line.index(f"{key}:") + 1
    raise AssertionError(key)


@pytest.mark.parametrize("key", ["decided_by", "rationale", "rounds", "persists"])
def test_each_rule_key_needs_format_2(key: str) -> None:
    with pytest.raises(pathway.DefinitionError) as caught:
        pathway.load(V1, name="p.yaml")
    problems = {p.field.rsplit(".", 1)[-1]: p for p in caught.value.problems}
    problem = problems[key]
    assert problem.code == "newer-format"
    assert (problem.line, problem.column) == _where(V1, key)
    assert problem.found == "no format"


@pytest.mark.parametrize(
    ("old", "new", "code", "field"),
    [
        (
            "decided_by: [consultant, registrar]",
            "decided_by: [registrar]",
            "decider-not-owner",
            "checkpoints.questions.decided_by",
        ),
        (
            "decided_by: [consultant, registrar]",
            "decided_by: [consultant, surgeon]",
            "unknown-reference",
            "checkpoints.questions.decided_by[1]",
        ),
        ("rounds: rounds", "rounds: rouds", "unknown-reference", "checkpoints.questions.rounds"),
    ],
)
def test_rule_problems(old: str, new: str, code: str, field: str) -> None:
    with pytest.raises(pathway.DefinitionError) as caught:
        pathway.load(ROUNDS_YAML.replace(old, new), name="p.yaml")
    (problem,) = caught.value.problems
    assert (problem.code, problem.field) == (code, field)
    assert problem.line > 0


def test_a_plan_checkpoint_cannot_make_its_rationale_optional() -> None:
    from shared_pathways import MINI_YAML

    text = MINI_YAML.replace(
        "    framework: PLAN\n", "    framework: PLAN\n    rationale: optional\n"
    )
    with pytest.raises(pathway.DefinitionError) as caught:
        pathway.load("format: 2\n" + text, name="p.yaml")
    (problem,) = caught.value.problems
    assert problem.code == "plan-rationale"


# The shipped files keep their version-1 content hashes once their format-2 keys are
# taken out: tests/test_observed.py::test_shipped_files_changed_only_by_format_2_keys.


# -- the testing strategies generate the rules -------------------------------------------

from hypothesis import find, given, settings  # noqa: E402

from pathway.testing import pathways  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(pathways(checkpoint_rules=True))
def test_generated_pathways_with_rules_compile(spec: object) -> None:
    loaded = pathway.load(spec)  # type: ignore[arg-type]
    for cp in loaded.checkpoints.values():
        assert loaded.steps[cp.step].role in cp.deciders
        if cp.rounds is not None:
            assert loaded.spec.format == 2


@pytest.mark.parametrize("key", ["decided_by", "rationale", "rounds", "persists"])
def test_the_strategies_generate_each_rule_key(key: str) -> None:
    def uses(spec: object) -> bool:
        return f'"{key}"' in spec.model_dump_json(exclude_none=True)  # type: ignore[attr-defined]

    found = find(pathways(checkpoint_rules=True), uses, settings=settings(max_examples=2000))
    assert found.format == 2
