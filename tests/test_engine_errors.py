"""Every error the live engine raises: its type, what its message says, and that the
case is exactly as it was afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathway import (
    ArgumentError,
    Case,
    CheckpointError,
    CheckpointRuleError,
    Decision,
    FactError,
    PathwayError,
    TransitionError,
    Worker,
)
from shared_pathways import MINI_YAML
from test_engine_support import ENGINE_YAML, LONDON, load

MINI = load(MINI_YAML)
ENGINE = load(ENGINE_YAML)
TUESDAY = datetime(2024, 1, 2, 10, 0, tzinfo=LONDON)  # assess_days are Tue/Thu 09:30-12:30
DUTY, WORKER, DOCTOR = Worker("d1", "duty"), Worker("w1", "worker"), Worker("x1", "doctor")
ALL_YES = {"proportionate": True, "legal": True, "accountable": True, "necessary": True}


def minutes(n: float) -> datetime:
    return TUESDAY + timedelta(minutes=n)


@contextmanager
def unchanged(case: Case) -> Iterator[None]:
    """The block must leave the case as it was: state, journal (length and last event),
    facts, and the whole persisted form."""
    state, length, last = case.state, len(case.journal), case.journal[-1]
    facts, text = case.facts, case.to_json()
    yield
    assert (case.state, len(case.journal), case.facts) == (state, length, facts)
    assert case.journal[-1] is last
    assert case.to_json() == text


def mini_case(**facts: object) -> Case:
    given = {"needs_prescribing": True, "age": 30, **facts}
    return MINI.new_case("c1", given, at=TUESDAY)


def at_plan(**facts: object) -> Case:
    case = mini_case(**facts)
    case.fire("refer", at=minutes(10), by=DUTY)
    case.fire("assessed", at=minutes(70), by=WORKER)
    return case


# -- TransitionError ---------------------------------------------------------------------


def test_unknown_trigger_suggests_the_nearest_and_lists_the_allowed() -> None:
    case = mini_case()
    with unchanged(case), pytest.raises(TransitionError) as caught:
        case.fire("refr", at=minutes(5), by=DUTY)
    message = str(caught.value)
    assert "case 'c1' in state 'contact'" in message
    assert "trigger 'refr' is not a trigger of this pathway" in message
    assert "allowed triggers: 'refer'" in message
    assert message.endswith("did you mean 'refer'?")


def test_unknown_trigger_without_a_near_name_has_no_suggestion() -> None:
    case = mini_case()
    with unchanged(case), pytest.raises(TransitionError) as caught:
        case.fire("zzzzzz", at=minutes(5))
    assert "did you mean" not in str(caught.value)


def test_trigger_not_allowed_from_this_state_lists_the_allowed_triggers() -> None:
    case = mini_case()
    with unchanged(case), pytest.raises(TransitionError) as caught:
        case.fire("prescribe", at=minutes(5), by=DUTY)
    message = str(caught.value)
    assert "trigger 'prescribe' cannot fire from here" in message
    assert "allowed triggers: 'refer'" in message
    assert "did you mean" not in message


def test_finished_case_allows_nothing() -> None:
    case = at_plan(needs_prescribing=False)
    case.fire("close", at=minutes(80), by=WORKER)
    assert case.finished
    assert case.allowed_triggers() == []
    with unchanged(case), pytest.raises(TransitionError, match=r"none \(the case has finished\)"):
        case.fire("prescribe", at=minutes(90))
    with unchanged(case), pytest.raises(TransitionError, match="has finished"):
        case.begin(at=minutes(90))


def test_guard_false_names_the_guard_and_the_fact_values() -> None:
    case = at_plan(needs_prescribing=True, age=16)
    with unchanged(case), pytest.raises(TransitionError) as caught:
        case.fire("see_doctor", at=minutes(80), by=WORKER)
    message = str(caught.value)
    assert "trigger 'see_doctor' is blocked" in message
    assert "to 'doctor': guard 'needs_prescribing and age >= 18' is false" in message
    assert "needs_prescribing=True, age=16" in message


def test_guard_over_a_fact_with_no_value_says_it_cannot_be_evaluated() -> None:
    case = MINI.new_case("c1", {"needs_prescribing": True}, at=TUESDAY)
    case.fire("refer", at=minutes(10), by=DUTY)
    case.fire("assessed", at=minutes(70), by=WORKER)
    with unchanged(case), pytest.raises(TransitionError) as caught:
        case.fire("see_doctor", at=minutes(80), by=WORKER)
    assert "cannot be evaluated: fact 'age' has no value" in str(caught.value)
    option = next(o for o in case.available() if o.trigger == "see_doctor")
    assert not option.allowed
    assert "cannot be evaluated" in option.reasons[0]


def test_to_that_the_trigger_does_not_lead_to() -> None:
    case = ENGINE.new_case("e1", {"risk": "low", "age": 40}, at=TUESDAY)
    with unchanged(case), pytest.raises(TransitionError) as caught:
        case.fire("refer", at=minutes(5), to="doctor")
    assert "trigger 'refer' from 'contact' does not lead to 'doctor'" in str(caught.value)
    with unchanged(case), pytest.raises(TransitionError, match="guard \"risk == 'high'\" is false"):
        case.fire("refer", at=minutes(5), to="assess")


def test_checkpoint_trigger_fired_directly_points_to_decide() -> None:
    case = at_plan()
    with unchanged(case), pytest.raises(TransitionError) as caught:
        case.fire("plan_check", at=minutes(80), by=WORKER)
    message = str(caught.value)
    assert "'plan_check' is checkpoint 'plan_check'" in message
    assert "case.decide('plan_check', answers" in message


def test_worker_in_the_wrong_role() -> None:
    case = mini_case()
    with unchanged(case), pytest.raises(TransitionError) as caught:
        case.fire("refer", at=minutes(5), by=WORKER)
    assert "step 'contact' is owned by role 'duty', but worker 'w1' is in role 'worker'" in str(
        caught.value
    )
    case.fire("refer", at=minutes(5), by=DUTY)
    with unchanged(case), pytest.raises(TransitionError, match="owned by role 'worker'"):
        case.begin(at=minutes(20), by=DUTY)
    case.update_facts(at=minutes(20), by=DUTY, age=31)  # anyone may record facts


def test_worker_named_by_a_string_needs_a_roster() -> None:
    case = mini_case()
    with unchanged(case), pytest.raises(TransitionError) as caught:
        case.fire("refer", at=minutes(5), by="amy")
    message = str(caught.value)
    assert "unknown worker 'amy'" in message
    assert "by=Worker('amy', role=...)" in message
    assert "roster={worker: role}" in message
    rostered = MINI.new_case("c2", {}, at=TUESDAY, roster={"amy": "duty"})
    rostered.fire("refer", at=minutes(5), by="amy")
    assert rostered.journal[-1].worker == "amy"  # type: ignore[attr-defined]
    with unchanged(rostered), pytest.raises(TransitionError, match="unknown worker 'bob'"):
        rostered.update_facts(at=minutes(6), by="bob", age=3)


def test_calendar_closed_names_the_calendar_its_hours_and_the_local_time() -> None:
    case = mini_case()
    case.fire("refer", at=minutes(10), by=DUTY)
    wednesday = datetime(2024, 1, 3, 10, 0, tzinfo=LONDON)
    with unchanged(case), pytest.raises(TransitionError) as caught:
        case.fire("assessed", at=wednesday, by=WORKER)
    message = str(caught.value)
    assert "cannot complete now" in message
    assert "step 'assess' happens only when calendar 'assess_days' is open" in message
    assert "Tue, Thu 09:30-12:30" in message
    assert "closed at 2024-01-03T10:00:00+00:00" in message
    with unchanged(case), pytest.raises(TransitionError, match="cannot start now"):
        case.begin(at=wednesday, by=WORKER)
    option = case.available(at=wednesday)[0]
    assert not option.allowed
    assert "calendar 'assess_days'" in option.reasons[0]
    assert case.available(at=datetime(2024, 1, 4, 10, 0, tzinfo=LONDON))[0].allowed


def test_calendar_is_read_in_local_time_in_summer() -> None:
    """09:45 BST is 08:45 UTC: open for a Tue/Thu 09:30-12:30 London calendar."""
    case = MINI.new_case("c1", {}, at=datetime(2024, 7, 2, 9, 0, tzinfo=LONDON))
    case.fire("refer", at=datetime(2024, 7, 2, 9, 10, tzinfo=LONDON), by=DUTY)
    # a step not begun is checked when it completes: 12:45 BST is after the window
    with unchanged(case), pytest.raises(TransitionError) as caught:
        case.fire("assessed", at=datetime(2024, 7, 2, 12, 45, tzinfo=LONDON), by=WORKER)
    assert "closed at 2024-07-02T12:45:00+01:00" in str(caught.value)
    # 09:45 BST would be closed if read as UTC (08:45); a begun step may then run over
    case.begin(at=datetime(2024, 7, 2, 9, 45, tzinfo=LONDON), by=WORKER)
    case.fire("assessed", at=datetime(2024, 7, 2, 12, 45, tzinfo=LONDON), by=WORKER)
    assert case.state == "plan"


def test_time_going_backwards() -> None:
    case = mini_case()
    case.fire("refer", at=minutes(10), by=DUTY)
    with unchanged(case), pytest.raises(TransitionError) as caught:
        case.record_failure_demand("chase", at=minutes(9))
    message = str(caught.value)
    assert "time goes backwards" in message
    assert "2024-01-02T10:09:00+00:00 is before the last event at 2024-01-02T10:10:00+00:00" in (
        message
    )
    case.record_failure_demand("chase", at=minutes(10))  # the same moment is fine


@pytest.mark.parametrize("bad", ["2024-01-02T10:00", date(2024, 1, 2), None, 1704189600])
def test_at_must_be_a_datetime(bad: object) -> None:
    case = mini_case()
    with unchanged(case), pytest.raises(ArgumentError) as caught:
        case.fire("refer", at=bad, by=DUTY)  # type: ignore[arg-type]
    assert f"'at' must be a datetime, found {bad!r} ({type(bad).__name__})" in str(caught.value)
    assert isinstance(caught.value, TypeError)
    with pytest.raises(ArgumentError, match="'at' must be a datetime"):
        MINI.new_case("c2", {}, at=bad)  # type: ignore[arg-type]


def test_naive_times_are_in_the_pathway_time_zone() -> None:
    naive = MINI.new_case("c1", {}, at=datetime(2024, 7, 2, 10, 0))
    aware = MINI.new_case("c1", {}, at=datetime(2024, 7, 2, 10, 0, tzinfo=LONDON))
    assert naive.journal[0] == aware.journal[0]
    assert naive.journal[0].at.isoformat() == "2024-07-02T09:00:00+00:00"


def test_dna_only_for_a_visit_not_yet_started() -> None:
    case = at_plan()
    with unchanged(case), pytest.raises(TransitionError) as caught:
        case.did_not_attend(at=minutes(80))
    assert "step 'plan' is not a visit waiting to happen" in str(caught.value)
    started = mini_case()  # the start step's work began when the case started
    with unchanged(started), pytest.raises(TransitionError, match="not a visit waiting"):
        started.did_not_attend(at=minutes(5))


def test_begin_twice() -> None:
    case = mini_case()
    case.fire("refer", at=minutes(10), by=DUTY)
    case.begin(at=minutes(20), by=WORKER)
    with unchanged(case), pytest.raises(TransitionError, match="'assess' has already begun"):
        case.begin(at=minutes(21), by=WORKER)


def test_unknown_failure_demand() -> None:
    case = mini_case()
    with unchanged(case), pytest.raises(TransitionError) as caught:
        case.record_failure_demand("complaint", at=minutes(5))
    assert (
        "unknown failure demand 'complaint'; expected one of chase, re_presentation, re_referral"
    ) in str(caught.value)


def test_event_data_must_be_plain_json() -> None:
    case = mini_case()
    with unchanged(case), pytest.raises(TransitionError) as caught:
        case.fire("refer", at=minutes(5), by=DUTY, when=datetime(2024, 1, 1))
    assert "data when=datetime.datetime(2024, 1, 1, 0, 0) cannot be stored" in str(caught.value)
    with unchanged(case), pytest.raises(TransitionError, match="data score=nan"):
        case.fire("refer", at=minutes(5), by=DUTY, score=float("nan"))
    case.fire("refer", at=minutes(5), by=DUTY, slots=("tue", 2))
    assert dict(case.journal[-1].data) == {"slots": ["tue", 2]}  # type: ignore[attr-defined]


# -- CheckpointError ---------------------------------------------------------------------


def test_unknown_checkpoint_suggests_the_nearest() -> None:
    case = at_plan()
    with unchanged(case), pytest.raises(CheckpointError) as caught:
        case.decide("plan_chek", ALL_YES, at=minutes(80), by=WORKER, rationale="ok")
    assert str(caught.value) == "unknown checkpoint 'plan_chek'; did you mean 'plan_check'?"


def test_checkpoint_at_another_step() -> None:
    case = mini_case()
    with unchanged(case), pytest.raises(CheckpointError) as caught:
        case.decide("plan_check", ALL_YES, at=minutes(5), by=DUTY, rationale="ok")
    assert str(caught.value) == (
        "case 'c1' is at 'contact'; checkpoint 'plan_check' is decided at 'plan'"
    )


def test_missing_answers_are_listed() -> None:
    case = at_plan()
    with unchanged(case), pytest.raises(CheckpointError) as caught:
        case.decide(
            "plan_check",
            {"proportionate": True, "accountable": True},
            at=minutes(80),
            by=WORKER,
            rationale="ok",
        )
    assert str(caught.value) == "checkpoint 'plan_check' needs answers to: legal, necessary"
    with unchanged(case), pytest.raises(CheckpointError, match="needs answers to: proportionate"):
        case.decide("plan_check", None, at=minutes(80), by=WORKER, rationale="ok")


def test_unknown_question_suggests_the_nearest() -> None:
    case = at_plan()
    answers = {**ALL_YES, "legl": True}
    with unchanged(case), pytest.raises(CheckpointError) as caught:
        case.decide("plan_check", answers, at=minutes(80), by=WORKER, rationale="ok")
    assert "checkpoint 'plan_check' has no question 'legl'; did you mean 'legal'?" in str(
        caught.value
    )


def engine_at_review(age: int | None = 40) -> Case:
    case = ENGINE.new_case("e1", {"risk": "high", "age": age}, at=TUESDAY)
    case.fire("refer", at=minutes(5), by=Worker("d1", "duty"))
    case.fire("assessed", at=minutes(60), by=WORKER)
    assert case.state == "review"
    return case


def test_answer_to_an_automatic_question() -> None:
    case = engine_at_review()
    with unchanged(case), pytest.raises(CheckpointError) as caught:
        case.decide("review_check", {"complete": True, "adult": True}, at=minutes(70))
    assert str(caught.value) == (
        "question 'adult' of 'review_check' is answered from facts (age >= 18); "
        "do not pass an answer"
    )


def test_automatic_question_over_a_fact_with_no_value() -> None:
    case = engine_at_review(age=None)
    with unchanged(case), pytest.raises(CheckpointError) as caught:
        case.decide("review_check", {"complete": True}, at=minutes(70))
    assert "question 'adult' of 'review_check' cannot be answered from facts" in str(caught.value)


@pytest.mark.parametrize("answer", ["yes", 1, None])
def test_answers_must_be_true_or_false(answer: object) -> None:
    case = at_plan()
    answers = {**ALL_YES, "legal": answer}
    with unchanged(case), pytest.raises(CheckpointError) as caught:
        case.decide("plan_check", answers, at=minutes(80), by=WORKER, rationale="ok")  # type: ignore[arg-type]
    assert str(caught.value) == f"answer to 'legal' must be true or false, found {answer!r}"


def test_plan_needs_a_named_decision_maker() -> None:
    case = at_plan()
    with unchanged(case), pytest.raises(CheckpointError) as caught:
        case.decide("plan_check", ALL_YES, at=minutes(80), rationale="clinically indicated")
    assert str(caught.value) == (
        "case 'c1': checkpoint 'plan_check' needs a named decision-maker (PLAN: Accountable): "
        "expected by=<a worker in role 'worker'>, found no 'by'; pass by=..."
    )
    assert isinstance(caught.value, CheckpointRuleError)
    assert caught.value.rule == "decider-required"


@pytest.mark.parametrize("rationale", ["", "   \n"])
def test_plan_needs_a_rationale(rationale: str) -> None:
    case = at_plan()
    with unchanged(case), pytest.raises(CheckpointError) as caught:
        case.decide("plan_check", ALL_YES, at=minutes(80), by=WORKER, rationale=rationale)
    assert str(caught.value) == (
        "case 'c1': checkpoint 'plan_check' needs a recorded rationale (PLAN: Accountable): "
        "expected a rationale saying why, found none; pass rationale='...'"
    )


def test_decide_by_a_worker_whose_role_does_not_own_the_step_is_refused() -> None:
    """The decide-role bug of issue 16: begin and fire refuse a worker of another role,
    and so does decide (the same kind of error: a TransitionError)."""
    case = at_plan()
    with unchanged(case), pytest.raises(TransitionError) as begun:
        case.begin(at=minutes(75), by=DOCTOR)
    assert "owned by role 'worker'" in str(begun.value)
    with unchanged(case), pytest.raises(TransitionError) as caught:
        case.decide("plan_check", ALL_YES, at=minutes(80), by=DOCTOR, rationale="ok")
    error = caught.value
    assert isinstance(error, CheckpointRuleError)
    assert (error.rule, error.expected, error.found) == (
        "decider-role",
        "a worker in role 'worker'",
        "role 'doctor'",
    )
    assert "worker 'x1' may not decide checkpoint 'plan_check'" in str(error)
    case.decide("plan_check", ALL_YES, at=minutes(80), by=WORKER, rationale="ok")
    assert case.journal[-1].kind == "outcome_reached" or case.state != "plan"


def test_a_generic_checkpoint_refuses_another_role_too() -> None:
    case = engine_at_review()
    with unchanged(case), pytest.raises(CheckpointRuleError, match="may not decide"):
        case.decide("review_check", {"complete": False}, at=minutes(70), by=DOCTOR)


def test_a_generic_checkpoint_needs_neither_decider_nor_rationale() -> None:
    case = engine_at_review()
    case.decide("review_check", {"complete": False}, at=minutes(70))
    assert case.state == "assess"
    decision = case.journal.of_type(Decision)[-1]
    assert decision.decided_by is None
    assert decision.rationale == ""
    assert dict(decision.answers) == {"complete": False, "adult": True}
    assert decision.automatic == ("adult",)
    assert dict(decision.facts_used) == {"age": 40}


def test_decision_time_and_calendar_are_checked() -> None:
    case = engine_at_review()
    with unchanged(case), pytest.raises(TransitionError, match="time goes backwards"):
        case.decide("review_check", {"complete": True}, at=minutes(59))
    # review has no calendar; plan neither; a decision at 3 a.m. is fine there
    case.decide("review_check", {"complete": True}, at=datetime(2024, 1, 3, 3, 0, tzinfo=LONDON))
    assert case.state == "plan"


def test_checkpoint_pending_is_shown_by_available() -> None:
    case = at_plan()
    pending = case.available()[-1]
    assert pending.checkpoint == "plan_check"
    assert not pending.allowed
    assert "checkpoint 'plan_check' pending" in pending.reasons[0]
    assert "plan_check" not in case.allowed_triggers()


# -- FactError ---------------------------------------------------------------------------


def test_unknown_fact_suggests_the_nearest_and_lists_the_declared() -> None:
    case = mini_case()
    with unchanged(case), pytest.raises(FactError) as caught:
        case.update_facts(at=minutes(5), ag=31)
    assert str(caught.value) == (
        "unknown fact 'ag'; declared facts: needs_prescribing, age; did you mean 'age'?"
    )
    with pytest.raises(FactError, match="unknown fact 'colour'; declared facts"):
        MINI.new_case("c2", {"colour": "red"}, at=TUESDAY)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("age", "30", "fact 'age' expected an int value, found '30' (str)"),
        ("age", True, "fact 'age' expected an int value, found True (bool)"),
        ("age", 30.5, "fact 'age' expected an int value, found 30.5 (float)"),
        ("needs_prescribing", 1, "fact 'needs_prescribing' expected a bool value, found 1 (int)"),
    ],
)
def test_fact_of_the_wrong_type(name: str, value: object, expected: str) -> None:
    case = mini_case()
    with unchanged(case), pytest.raises(FactError) as caught:
        case.update_facts(at=minutes(5), **{name: value})
    assert str(caught.value) == expected


def test_fact_value_not_allowed() -> None:
    case = ENGINE.new_case("e1", {"risk": "low"}, at=TUESDAY)
    with unchanged(case), pytest.raises(FactError) as caught:
        case.update_facts(at=minutes(5), risk="medium")
    assert str(caught.value) == "fact 'risk' expected one of 'low', 'high', found 'medium'"


def test_fact_values_must_be_plain_json() -> None:
    extra = "  age: {type: int}\n  score: {type: float}\n  tags: {type: list}\n"
    extra += "  notes: {type: mapping}\n"
    p = load(MINI_YAML.replace("  age: {type: int}\n", extra))
    with pytest.raises(FactError, match="fact 'score' must be plain JSON data"):
        p.new_case("c1", {"score": float("inf")}, at=TUESDAY)
    with pytest.raises(
        FactError, match=r"fact 'notes' must be plain JSON data .* found \{1: 'a'\}"
    ):
        p.new_case("c1", {"notes": {1: "a"}}, at=TUESDAY)
    with pytest.raises(FactError, match="fact 'tags' must be plain JSON data"):
        p.new_case("c1", {"tags": [date(2024, 1, 1)]}, at=TUESDAY)
    case = p.new_case("c1", {"tags": ("a", "b"), "score": 2}, at=TUESDAY)
    assert case.facts == {"tags": ["a", "b"], "score": 2}
    assert Case.from_json(p, case.to_json()).journal[0] == case.journal[0]


def test_every_engine_error_is_a_value_error_and_a_pathway_error() -> None:
    for cls in (TransitionError, CheckpointError, FactError):
        assert issubclass(cls, PathwayError)
        assert issubclass(cls, ValueError)


@given(
    st.datetimes(
        min_value=datetime(1990, 1, 1), max_value=datetime(2060, 1, 1), allow_imaginary=True
    ),
    st.sampled_from(["Europe/London", "America/New_York", "Australia/Lord_Howe", "UTC"]),
    st.booleans(),
)
def test_times_convert_to_utc_exactly_as_astimezone_does(
    naive: datetime, zone_name: str, aware: bool
) -> None:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(zone_name)
    case = MINI.new_case("c1", {}, at=datetime(1980, 1, 1, tzinfo=UTC))
    local = naive.replace(tzinfo=zone) if aware else naive
    expected = (local if aware else naive.replace(tzinfo=ZoneInfo(MINI.timezone))).astimezone(UTC)
    converted = case._to_utc(local)
    assert converted == expected
    assert converted.tzinfo is UTC
    assert converted.isoformat() == expected.isoformat()
