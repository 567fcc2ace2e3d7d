"""Persistence by replay: a case rebuilt from its JSON is the same case; a journal that
was recorded on another pathway, or edited, is refused with a message saying what differs.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathway import (
    Case,
    CaseStarted,
    Event,
    FailureDemand,
    Handoff,
    ReplayError,
    StepCompleted,
    Transitioned,
    TransitionError,
    VisitAttended,
    Waited,
    Worker,
    replay,
)
from pathway._journal._events import event_from_dict, event_to_dict
from shared_pathways import MINI_YAML
from test_engine_support import (
    ENGINE_YAML,
    LONDON,
    WORKERS,
    guard_holds,
    load,
    next_clinic_open,
)

ENGINE = load(ENGINE_YAML)
MINI = load(MINI_YAML)
START = datetime(2024, 3, 28, 9, 15, tzinfo=LONDON)  # a Thursday; clocks change on the 31st
OWNERS = {w.role: w for w in reversed(WORKERS)}  # d1, t1, w1, x1
GAPS = st.sampled_from([0, 1, 20, 45, 60, 61, 240, 1440, 4000])


def valid_commands(case: Case) -> list[tuple[str, dict[str, Any]]]:
    """Every kind of command that must succeed now (times are filled in later)."""
    step = case.step
    owner = OWNERS.get(step.role or "")
    options: list[tuple[str, dict[str, Any]]] = [
        ("record_failure_demand", {"demand": "chase"}),
        ("update_facts", {"risk": "low"}),
        ("update_facts", {"needs_prescribing": True, "by": owner}),
    ]
    if case.finished:
        return options
    if not _begun(case):
        options.append(("begin", {"by": owner}))
        if step.visit:
            options.append(("did_not_attend", {}))
    for transition in case.pathway.outgoing(case.state):
        if transition.checkpoint is None and guard_holds(transition, case.facts):
            options.append(("fire", {"trigger": transition.trigger, "by": owner}))
    if step.checkpoint is not None and case.facts.get("age") is not None:
        options.append(("decide", {"checkpoint": step.checkpoint, "by": owner}))
    return options


def _begun(case: Case) -> bool:
    """Whether work on the current step has started (the start step starts at once)."""
    for event in reversed(case.journal):
        if isinstance(event, Transitioned | CaseStarted):
            return isinstance(event, CaseStarted)
        if event.kind == "step_started":
            return True
    return False


def run(case: Case, command: str, args: dict[str, Any], at: datetime, yes: bool) -> None:
    if case.step.calendar and command in {"begin", "fire", "decide"}:
        at = next_clinic_open(at)
    args = dict(args)
    if command == "fire":
        case.fire(args.pop("trigger"), at=at, **args)
    elif command == "decide":
        cp = case.pathway.checkpoints[args["checkpoint"]]
        answers = {q.id: yes for q in cp.questions if not q.automatic}
        case.decide(cp.id, answers, at=at, by=args["by"], rationale="agreed with the person")
    elif command == "record_failure_demand":
        case.record_failure_demand(args["demand"], at=at, note="phoned twice")
    elif command == "update_facts":
        case.update_facts(at=at, **args)
    else:
        getattr(case, command)(at=at, **args)


@st.composite
def journeys(draw: st.DrawFn, p: Any = ENGINE) -> Case:
    """A case driven by a random sequence of commands that are all valid."""
    facts = draw(
        st.fixed_dictionaries(
            {"risk": st.sampled_from(["low", "high"]), "age": st.integers(15, 70)},
            optional={"needs_prescribing": st.booleans()},
        )
    )
    case = p.new_case("case-7", facts, at=START)
    for _ in range(draw(st.integers(0, 30))):
        options = valid_commands(case)
        moves = [option for option in options if option[0] in {"fire", "decide"}]
        command, args = draw(st.sampled_from(options + moves * 4))
        at = case.journal[-1].at + timedelta(minutes=draw(GAPS))
        run(case, command, args, at, draw(st.booleans()))
    return case


# -- the round trip ----------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(journeys())
def test_any_valid_journey_reads_back_identical(case: Case) -> None:
    text = case.to_json()
    rebuilt = Case.from_json(ENGINE, text)
    assert list(rebuilt.journal) == list(case.journal)
    assert [repr(e) for e in rebuilt.journal] == [repr(e) for e in case.journal]
    assert (rebuilt.state, rebuilt.facts, rebuilt.finished) == (
        case.state,
        case.facts,
        case.finished,
    )
    assert rebuilt.measures() == case.measures()
    assert rebuilt.allowed_triggers() == case.allowed_triggers()
    assert rebuilt.to_json() == text
    assert list(replay(ENGINE, list(case.journal)).journal) == list(case.journal)


@settings(max_examples=30, deadline=None)
@given(journeys(), st.data())
def test_a_rebuilt_case_carries_on_like_the_original(case: Case, data: st.DataObject) -> None:
    rebuilt = Case.from_json(ENGINE, case.to_json())
    for _ in range(5):
        options = valid_commands(case)
        assert options == valid_commands(rebuilt)
        command, args = data.draw(st.sampled_from(options))
        at = case.journal[-1].at + timedelta(minutes=data.draw(GAPS))
        yes = data.draw(st.booleans())
        run(case, command, args, at, yes)
        run(rebuilt, command, args, at, yes)
    assert list(rebuilt.journal) == list(case.journal)


def test_a_roster_given_on_rebuilding_names_workers_again() -> None:
    case = MINI.new_case("c1", {}, at=START, roster={"amy": "duty"})
    case.fire("refer", at=START + timedelta(minutes=5), by="amy")
    rebuilt = Case.from_json(MINI, case.to_json(), roster={"bo": "worker"})
    assert rebuilt.journal[-1] == case.journal[-1]
    rebuilt.begin(at=datetime(2024, 4, 2, 10, 0, tzinfo=LONDON), by="bo")
    with pytest.raises(TransitionError, match="unknown worker 'amy'"):
        Case.from_json(MINI, case.to_json()).update_facts(at=datetime(2024, 4, 2), by="amy")


def test_every_event_type_survives_json() -> None:
    case = MINI.new_case("c1", {"needs_prescribing": True, "age": 30}, at=START)
    case.update_facts(at=START, by=Worker("d1", "duty"), age=31)
    case.fire("refer", at=START + timedelta(minutes=10), by=Worker("d1", "duty"), note="urgent")
    case.did_not_attend(at=datetime(2024, 4, 2, 9, 30, tzinfo=LONDON))
    case.record_failure_demand("re_referral", at=datetime(2024, 4, 2, 9, 31, tzinfo=LONDON))
    case.begin(at=datetime(2024, 4, 4, 9, 30, tzinfo=LONDON), by=Worker("w1", "worker"))
    case.fire("assessed", at=datetime(2024, 4, 4, 10, 30, tzinfo=LONDON), by=Worker("w2", "worker"))
    answers = {"proportionate": True, "legal": True, "accountable": True, "necessary": True}
    when = datetime(2024, 4, 4, 10, 40, tzinfo=LONDON)
    case.decide("plan_check", answers, at=when, by=Worker("w1", "worker"), rationale="needs it")
    case.fire("prescribe", at=datetime(2024, 4, 8, 11, 0, tzinfo=LONDON), by=Worker("x", "doctor"))
    kinds = {event.kind for event in case.journal}
    assert kinds == {
        "case_started",
        "facts_updated",
        "step_started",
        "step_completed",
        "transitioned",
        "waited",
        "visit_attended",
        "visit_missed",
        "handoff",
        "decision",
        "failure_demand",
        "outcome_reached",
    }
    for event in case.journal:
        assert event_from_dict(json.loads(json.dumps(event_to_dict(event)))) == event
    assert list(Case.from_json(MINI, case.to_json()).journal) == list(case.journal)


# -- another pathway, or another version of it -------------------------------------------


def recorded_case() -> Case:
    case = MINI.new_case("c1", {"needs_prescribing": True, "age": 30}, at=START)
    case.fire("refer", at=START + timedelta(minutes=10), by=Worker("d1", "duty"))
    return case


def test_same_id_and_version_but_edited_content() -> None:
    edited = load(MINI_YAML.replace("uniform: [1d, 5d]", "uniform: [1d, 6d]"))
    assert (edited.id, edited.version) == (MINI.id, MINI.version)
    text = recorded_case().to_json()
    with pytest.raises(ReplayError) as caught:
        Case.from_json(edited, text)
    message = str(caught.value)
    assert "pathway 'mini' version '1'" in message
    assert f"content hash {MINI.content_hash[:12]}" in message
    assert f"content hash {edited.content_hash[:12]}" in message
    assert "the pathway was edited without changing its version" in message
    with pytest.raises(ReplayError, match="edited without changing its version"):
        replay(edited, list(recorded_case().journal))


def test_layout_and_comments_do_not_count_as_edits() -> None:
    relaid = load(
        "# the same pathway, commented\n" + MINI_YAML.replace("{", "{ ").replace("}", " }")
    )
    assert relaid.content_hash == MINI.content_hash
    case = recorded_case()
    assert list(Case.from_json(relaid, case.to_json()).journal) == list(case.journal)


def test_another_version_is_named() -> None:
    newer = load(MINI_YAML.replace('version: "1"', 'version: "2"'))
    with pytest.raises(ReplayError) as caught:
        Case.from_json(newer, recorded_case().to_json())
    message = str(caught.value)
    assert "the case was recorded on a different pathway" in message
    assert "version '1' (recorded) vs '2' (given)" in message
    assert "content_hash" in message
    assert "edited without changing" not in message


def test_another_pathway_is_named() -> None:
    with pytest.raises(ReplayError) as caught:
        Case.from_json(ENGINE, recorded_case().to_json())
    message = str(caught.value)
    assert "id 'mini' (recorded) vs 'engine-test' (given)" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{not json", "case JSON cannot be read"),
        ("[]", "not a pathway case document"),
        ('{"format": "pathway-case/9"}', "expected format 'pathway-case/2'"),
        ('{"format": "pathway-case/2"}', "no 'pathway' section"),
    ],
)
def test_malformed_documents(text: str, expected: str) -> None:
    with pytest.raises(ReplayError, match=expected):
        Case.from_json(MINI, text)


def test_malformed_events() -> None:
    document = json.loads(recorded_case().to_json())
    for events, expected in [
        (None, "no 'events' list"),
        ([], "must begin with a case_started event"),
        (["oops"], "an event must be a mapping"),
        ([{"type": "teleported"}], "unknown event type 'teleported'"),
        ([{"type": "waited", "case_id": "c1"}], r"event 0 \(waited\): missing field 'at'"),
        ([{**document["events"][0], "at": "yesterday"}], "field 'at' must be an ISO 8601 time"),
        (document["events"][1:], "must begin with a case_started event"),
    ]:
        broken = json.dumps({**document, "events": events})
        with pytest.raises(ReplayError, match=expected):
            Case.from_json(MINI, broken)


# -- edited journals ---------------------------------------------------------------------


def long_case() -> Case:
    """A journey with every kind of derived event, across the spring clock change."""
    case = ENGINE.new_case("e1", {"risk": "low", "age": 40, "needs_prescribing": True}, at=START)
    duty, triage, worker, doctor = (OWNERS[r] for r in ("duty", "triage", "worker", "doctor"))

    def on(day: int, hour: int, minute: int) -> datetime:
        return datetime(2024, 3 if day > 20 else 4, day, hour, minute, tzinfo=LONDON)

    case.fire("refer", at=on(28, 9, 25), by=duty)
    case.fire("book", at=on(28, 9, 55), by=triage)
    case.record_failure_demand("chase", at=on(29, 10, 0))
    case.begin(at=on(2, 10, 0), by=worker)
    case.fire("assessed", at=on(2, 10, 50), by=worker)
    case.decide("review_check", {"complete": True}, at=on(2, 10, 55), by=worker)
    case.fire("see_doctor", at=on(2, 11, 5), by=worker)
    case.fire("prescribe", at=on(3, 11, 0), by=doctor)
    assert case.state == "done"
    return case


def _tampered(event: Event) -> Event:
    """The same event with one field changed."""
    if isinstance(event, Waited):
        return attrs.evolve(event, cause="client")
    if isinstance(event, Handoff):
        return attrs.evolve(event, level="worker")
    if isinstance(event, VisitAttended):
        return attrs.evolve(event, attendance=event.attendance + 1)
    if isinstance(event, StepCompleted):
        return attrs.evolve(event, work="waste3")
    return attrs.evolve(event, case_id="someone-else")


def test_a_changed_event_is_named() -> None:
    journal = list(long_case().journal)
    for index in range(1, len(journal)):
        edited = [*journal[:index], _tampered(journal[index]), *journal[index + 1 :]]
        with pytest.raises(ReplayError) as caught:
            replay(ENGINE, edited)
        message = str(caught.value)
        assert f"replay differs at event {index}:" in message, (index, message)
        assert repr(edited[index]) in message


def test_a_removed_event_is_found_or_the_journal_is_still_consistent() -> None:
    journal = list(long_case().journal)
    for index in range(1, len(journal)):
        edited = journal[:index] + journal[index + 1 :]
        try:
            rebuilt = replay(ENGINE, edited)
        except ReplayError as error:
            found = int(str(error).split("replay differs at event ")[1].split(":")[0])
            assert found <= index
        else:
            # only a command with no derived events (a chase) can go unnoticed: what is
            # left is a journal its commands reproduce exactly
            assert isinstance(journal[index], FailureDemand)
            assert list(rebuilt.journal) == edited


def test_a_derived_event_removed_is_named_exactly() -> None:
    journal = list(long_case().journal)
    index = next(i for i, e in enumerate(journal) if isinstance(e, Handoff))
    with pytest.raises(ReplayError) as caught:
        replay(ENGINE, journal[:index] + journal[index + 1 :])
    assert f"replay differs at event {index}: recorded {journal[index + 1]!r}, replay gives " in (
        str(caught.value)
    )


def test_a_rejected_command_is_named() -> None:
    journal = list(long_case().journal)
    index = next(i for i, e in enumerate(journal) if isinstance(e, Transitioned) and i > 5)
    edited = [*journal[:index], attrs.evolve(journal[index], trigger="prescribe")]
    with pytest.raises(ReplayError) as caught:
        replay(ENGINE, edited + journal[index + 1 :])
    message = str(caught.value)
    # the events the rejected command should have derived are the first to differ
    assert f"replay differs at event {index - 3}: recorded {journal[index - 3]!r}" in message
    assert f"because event {index} (transitioned) is rejected on replay" in message
    assert "trigger 'prescribe' cannot fire from here" in message
    chase = next(i for i, e in enumerate(journal) if isinstance(e, FailureDemand))
    moan = attrs.evolve(journal[chase], demand="moan")
    with pytest.raises(ReplayError) as caught:
        replay(ENGINE, [*journal[:chase], moan, *journal[chase + 1 :]])
    assert str(caught.value) == (
        f"replay differs at event {chase}: recorded {moan!r}; event {chase} (failure_demand) "
        "is rejected on replay: unknown failure demand 'moan'; expected one of chase, "
        "re_presentation, re_referral"
    )


def test_events_appended_to_a_finished_journal() -> None:
    journal = list(long_case().journal)
    with pytest.raises(ReplayError) as caught:
        replay(ENGINE, [*journal, journal[-1]])
    assert f"replay differs at event {len(journal)}" in str(caught.value)
    with pytest.raises(ReplayError) as caught:
        replay(ENGINE, journal[:-1])
    assert f"replay differs at event {len(journal) - 1}: recorded nothing" in str(caught.value)


def test_edited_json_text_is_refused() -> None:
    text = long_case().to_json()
    edited = text.replace('"cause":"visit_gap"', '"cause":"client"', 1)
    assert edited != text
    with pytest.raises(ReplayError, match=r"event 9 \(waited\): the chain is broken here"):
        Case.from_json(ENGINE, edited)
