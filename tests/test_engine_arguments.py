"""Every argument of the case API is checked at the call (issue 12): a wrong type is an
ArgumentError naming the argument, a value JSON cannot hold or out of bounds is the
method's own error, extreme times are accepted when a datetime can hold them and refused
with a TransitionError when not, and a refused call changes nothing."""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any

import attrs
import pytest

from pathway import (
    ArgumentError,
    Case,
    CheckpointError,
    FactError,
    PathwayError,
    ReplayError,
    StepCompleted,
    Transitioned,
    TransitionError,
    Worker,
    load,
    new_case,
    replay,
)
from pathway._engine._facts import (
    MAX_CHARACTERS,
    MAX_DEPTH,
    MAX_INTEGER,
    MAX_NAME_LENGTH,
    MAX_TEXT_LENGTH,
    MAX_VALUES,
    shown,
)
from pathway._model._expr import _INTEGER_LIMIT
from shared_pathways import MINI_YAML

MINI = load(MINI_YAML)
FACTS_YAML = MINI_YAML.replace(
    "  age: {type: int}\n",
    "  age: {type: int}\n  score: {type: float}\n  tags: {type: list}\n"
    "  notes: {type: mapping}\n  label: {type: str, values: [low, high]}\n",
)
RICH = load(FACTS_YAML)
TUESDAY = datetime(2024, 1, 2, 10, 0, tzinfo=UTC)  # assess_days: Tue/Thu 09:30-12:30 London
DUTY, WORKER = Worker("d1", "duty"), Worker("w1", "worker")
ALL_YES = {"proportionate": True, "legal": True, "accountable": True, "necessary": True}


def minutes(n: float) -> datetime:
    return TUESDAY + timedelta(minutes=n)


def nested(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth - 1):
        value = [value]
    return value


def mini_case() -> Case:
    return MINI.new_case("c1", {"needs_prescribing": True, "age": 30}, at=TUESDAY)


def at_plan() -> Case:
    case = mini_case()
    case.fire("refer", at=minutes(10), by=DUTY)
    case.fire("assessed", at=minutes(70), by=WORKER)
    return case


@contextmanager
def unchanged(case: Case) -> Iterator[None]:
    """The block must leave the case as it was: state, journal, facts and its JSON."""
    state, events, facts, text = case.state, list(case.journal), case.facts, case.to_json()
    yield
    assert (case.state, list(case.journal), case.facts) == (state, events, facts)
    assert case.to_json() == text


def round_trips(case: Case) -> None:
    again = Case.from_json(case.pathway, case.to_json())
    assert list(again.journal) == list(case.journal)
    assert (again.state, again.facts) == (case.state, case.facts)


class Liar:
    """An object that claims to be text (``isinstance`` believes ``__class__``)."""

    @property
    def __class__(self) -> type:
        return str

    def __repr__(self) -> str:
        raise RuntimeError("no repr for you")


class Label(enum.StrEnum):
    LOW = "low"


class Trigger(enum.StrEnum):
    REFER = "refer"


class Demand(enum.StrEnum):
    CHASE = "chase"


class Size(enum.IntEnum):
    BIG = 7


# -- ArgumentError: the wrong type ---------------------------------------------------------

WRONG_TYPES: list[tuple[str, Callable[[Any], object], str]] = [
    ("fire(42)", lambda c: c.fire(42, at=minutes(5)), "'trigger' must be text"),
    ("fire(None)", lambda c: c.fire(None, at=minutes(5)), "'trigger' must be text"),
    ("to=5", lambda c: c.fire("refer", at=minutes(5), to=5), "'to' must be text"),
    ("by=3", lambda c: c.fire("refer", at=minutes(5), by=3), "'by' must be a Worker"),
    ("by=[]", lambda c: c.begin(at=minutes(5), by=[]), "'by' must be a Worker"),
    ("at=monday", lambda c: c.begin(at="monday"), "'at' must be a datetime"),
    ("at=None", lambda c: c.did_not_attend(at=None), "'at' must be a datetime"),
    ("at=0 measures", lambda c: c.measures(at=0), "'at' must be a datetime"),
    ("at=x available", lambda c: c.available(at="x"), "'at' must be a datetime"),
    ("demand=[x]", lambda c: c.record_failure_demand(["x"], at=minutes(5)), "'demand' must be"),
    ("note=5", lambda c: c.record_failure_demand("chase", at=minutes(5), note=5), "'note' must"),
    (
        "note=obj",
        lambda c: c.record_failure_demand("chase", at=minutes(5), note=object()),
        "'note'",
    ),
    ("decide(1)", lambda c: c.decide(1, {}, at=minutes(5)), "'checkpoint' must be text"),
    ("answers=[x]", lambda c: c.decide("plan_check", ["x"], at=minutes(5)), "'answers' must be"),
    ("answers={1:}", lambda c: c.decide("plan_check", {1: True}, at=minutes(5)), "question's name"),
    (
        "rationale=5",
        lambda c: c.decide("plan_check", {}, at=minutes(5), rationale=5),
        "'rationale'",
    ),
]


@pytest.mark.parametrize(
    ("call", "expected"), [(c, e) for _, c, e in WRONG_TYPES], ids=[n for n, _, _ in WRONG_TYPES]
)
def test_a_wrong_type_is_an_argument_error_that_changes_nothing(
    call: Callable[[Any], object], expected: str
) -> None:
    case = mini_case()
    with unchanged(case), pytest.raises(ArgumentError) as caught:
        call(case)
    assert expected in str(caught.value)
    assert "found" in str(caught.value)
    assert isinstance(caught.value, TypeError)
    assert isinstance(caught.value, PathwayError)


def test_the_message_names_the_case_the_argument_the_expectation_and_what_was_found() -> None:
    case = mini_case()
    with pytest.raises(ArgumentError) as caught:
        case.fire(42, at=minutes(5))
    assert str(caught.value) == (
        f"case 'c1': 'trigger' must be text (a str) of at most {MAX_NAME_LENGTH:,} "
        "characters, found 42 (int)"
    )


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: new_case(MINI, 7, at=TUESDAY), "'case_id' must be text"),
        (lambda: new_case(MINI, "", at=TUESDAY), "'case_id' must be text (a str) of 1 to"),
        (lambda: new_case("mini", "c1", at=TUESDAY), "'pathway' must be a compiled Pathway"),
        (lambda: new_case(MINI, "c1", [1], at=TUESDAY), "'facts' must be a mapping"),
        (lambda: new_case(MINI, "c1", 0, at=TUESDAY), "'facts' must be a mapping"),
        (lambda: new_case(MINI, "c1", {1: 2}, at=TUESDAY), "a fact's name must be text"),
        (lambda: new_case(MINI, "c1", roster=["amy"], at=TUESDAY), "'roster' must be a mapping"),
        (lambda: MINI.new_case("c1", at="2024-01-02"), "'at' must be a datetime"),
        (lambda: Case.from_json("mini", "{}"), "'pathway' must be a compiled Pathway"),
        (lambda: Case.from_json(MINI, 42), "'text' must be the text of Case.to_json()"),
        (lambda: replay(MINI, "events"), "'events' must be a list of journal events"),
        (lambda: replay(MINI, [1]), "'events[0]' must be a journal event"),
    ],
)
def test_starting_and_rebuilding_check_their_arguments(
    call: Callable[[], object], expected: str
) -> None:
    with pytest.raises(ArgumentError, match=re.escape(expected)):
        call()


def test_a_falsy_non_mapping_is_no_longer_taken_for_no_facts() -> None:
    with pytest.raises(ArgumentError, match="'facts' must be a mapping"):
        MINI.new_case("c1", "", at=TUESDAY)
    assert MINI.new_case("c1", {}, at=TUESDAY).facts == {}


@pytest.mark.parametrize(
    ("worker_id", "role", "expected"),
    [
        (object(), "duty", "Worker id must be text"),
        (3, "duty", "Worker id must be text (a str) of 1 to 1,000 characters, found 3 (int)"),
        ("amy", float("nan"), "Worker role must be text"),
        ("", "duty", "Worker id must be text (a str) of 1 to 1,000 characters, found text of 0"),
        ("a" * (MAX_NAME_LENGTH + 1), "duty", "found text of 1,001 characters"),
        ("amy\ud800", "duty", "Worker id must be valid Unicode text: it has a lone surrogate"),
    ],
)
def test_a_worker_is_checked_when_it_is_made(
    worker_id: object, role: object, expected: str
) -> None:
    with pytest.raises(ArgumentError) as caught:
        Worker(worker_id, role)
    assert expected in str(caught.value)


def test_a_worker_subclass_or_str_enum_is_recorded_as_plain_values() -> None:
    class Named(Worker):
        pass

    case = mini_case()
    case.fire(Trigger.REFER, at=minutes(5), by=Named("d1", "duty"))
    case.record_failure_demand(Demand.CHASE, at=minutes(6))
    moved, demand = case.journal[-2], case.journal[-1]
    assert type(moved.trigger) is str
    assert type(demand.demand) is str
    assert type(case.journal.of_type(StepCompleted)[0].worker) is str
    round_trips(case)


def test_a_roster_that_fails_is_an_argument_error() -> None:
    class Broken(dict[str, str]):
        def get(self, key: object, default: object = None) -> str:
            raise RuntimeError("database down")

    case = MINI.new_case("c1", {}, at=TUESDAY, roster=Broken())
    with unchanged(case), pytest.raises(ArgumentError, match="roster fails to look up worker"):
        case.fire("refer", at=minutes(5), by="amy")


def test_an_unknown_roster_worker_is_still_a_transition_error() -> None:
    case = MINI.new_case("c1", {}, at=TUESDAY, roster={"amy": "duty"})
    with unchanged(case), pytest.raises(TransitionError, match="unknown worker 'bob'"):
        case.fire("refer", at=minutes(5), by="bob")
    case.fire("refer", at=minutes(5), by="amy")
    assert case.state == "assess"


# -- names and free text -----------------------------------------------------------------


def test_a_long_or_broken_note_or_rationale_is_refused() -> None:
    case = mini_case()
    with unchanged(case), pytest.raises(ArgumentError, match="found text of 100,001 characters"):
        case.record_failure_demand("chase", at=minutes(5), note="x" * (MAX_TEXT_LENGTH + 1))
    with unchanged(case), pytest.raises(ArgumentError, match="'note' must be valid Unicode"):
        case.record_failure_demand("chase", at=minutes(5), note="bad \udc80")
    case.record_failure_demand("chase", at=minutes(5), note="x" * MAX_TEXT_LENGTH)
    plan = at_plan()
    with unchanged(plan), pytest.raises(ArgumentError, match="'rationale' must be text"):
        plan.decide("plan_check", ALL_YES, at=minutes(80), by=WORKER, rationale="y" * 10**6)
    round_trips(case)


def test_a_huge_trigger_is_refused_before_it_is_looked_up() -> None:
    case = mini_case()
    with unchanged(case), pytest.raises(ArgumentError, match="'trigger' must be text"):
        case.fire("refer" * 10**6, at=minutes(5))
    with unchanged(case), pytest.raises(TransitionError, match="is not a trigger"):
        case.fire("", at=minutes(5))  # empty: just unknown


# -- data and facts: plain JSON within the bounds --------------------------------------------

BAD_DATA: list[tuple[str, object, str]] = [
    ("nan", float("nan"), "nan is not a finite number"),
    ("inf", [1.0, float("-inf")], "-inf is not a finite number"),
    ("object", object(), "object is not plain JSON data"),
    ("liar", Liar(), "Liar is not plain JSON data"),
    ("set", {1, 2}, "set is not plain JSON data"),
    ("5000 digits", 10**5000, "an integer of about 5,001 digits is not smaller than 10**100"),
    ("10**100", -(10**100), "is not smaller than 10**100 in size"),
    ("5000 deep", nested(5000), f"nest more than {MAX_DEPTH} deep"),
    ("33 deep", nested(MAX_DEPTH + 1), f"nest more than {MAX_DEPTH} deep"),
    ("key 1", {1: "a"}, "it has a key 1 that is not text"),
    ("key None", {"a": {None: 1}}, "it has a key None that is not text"),
    ("long text", "x" * (MAX_TEXT_LENGTH + 1), "it has a text of 100,001 characters"),
    ("surrogate", ["ok", "\ud83d"], "not valid Unicode: it has a lone surrogate"),
    ("values", [0] * (MAX_VALUES + 1), f"more than {MAX_VALUES:,} values"),
    ("shared", [["x" * 1000] * 1000] * 100, f"more than {MAX_CHARACTERS:,} characters"),
]


@pytest.mark.parametrize(
    ("value", "reason"), [(v, r) for _, v, r in BAD_DATA], ids=[n for n, _, _ in BAD_DATA]
)
def test_data_json_cannot_hold_exactly_is_refused_and_changes_nothing(
    value: object, reason: str
) -> None:
    case = mini_case()
    with unchanged(case), pytest.raises(TransitionError) as caught:
        case.fire("refer", at=minutes(5), by=DUTY, item=value)
    message = str(caught.value)
    assert message.startswith("case 'c1': data item=")
    assert reason in message
    assert len(message) < 1000  # what was found is shown cut short


def test_data_at_the_bounds_is_kept_exactly() -> None:
    case = mini_case()
    data = {
        "big": MAX_INTEGER - 1,
        "small": -(MAX_INTEGER - 1),
        "deep": nested(MAX_DEPTH),
        "text": "é" * MAX_TEXT_LENGTH,
        "real": 1e308,
        "size": Size.BIG,
        "label": Label.LOW,
        "trigger": "a data item may be called trigger",
        "self": "or self",
    }
    case.fire("refer", at=minutes(5), by=DUTY, **data)
    kept = dict(case.journal.of_type(type(case.journal[-1]))[0].data)
    assert kept["big"] == MAX_INTEGER - 1
    assert kept["deep"] == nested(MAX_DEPTH)
    assert type(kept["size"]) is int
    assert type(kept["label"]) is str
    round_trips(case)


def test_the_integer_bound_is_the_expression_languages() -> None:
    assert MAX_INTEGER == _INTEGER_LIMIT


@pytest.mark.parametrize(
    ("facts", "error"),
    [
        ({"age": 10**5000}, "found an integer of about 5,001 digits"),
        ({"age": 10**100}, "is not smaller than 10**100"),
        ({"score": math.inf}, "inf is not a finite number"),
        ({"tags": nested(5000)}, "nest more than 32 deep"),
        ({"notes": {"a": {2: 3}}}, "that is not text"),
        ({"tags": ["\ud800"]}, "not valid Unicode"),
        ({"tags": [object()]}, "object is not plain JSON data"),
        ({"label": "medium"}, "expected one of 'low', 'high', found 'medium'"),
    ],
)
def test_facts_out_of_bounds_are_fact_errors(facts: dict[str, object], error: str) -> None:
    with pytest.raises(FactError) as caught:
        RICH.new_case("c1", facts, at=TUESDAY)
    assert error in str(caught.value)
    case = RICH.new_case("c1", {}, at=TUESDAY)
    with unchanged(case), pytest.raises(FactError):
        case.update_facts(at=minutes(5), **facts)


def test_facts_read_back_as_given_and_a_copy_cannot_change_the_case() -> None:
    case = RICH.new_case("c1", {"tags": ("a", 1), "label": Label.LOW, "age": Size.BIG}, at=TUESDAY)
    assert case.facts == {"tags": ["a", 1], "label": "low", "age": 7}
    case.facts["tags"].append("sneaky")
    assert case.facts["tags"] == ["a", 1]
    assert dict(case.journal[0].facts)["tags"] == ["a", 1]
    round_trips(case)


def test_answers_must_be_true_or_false_and_named_once() -> None:
    plan = at_plan()
    with unchanged(plan), pytest.raises(CheckpointError, match="found 1"):
        plan.decide("plan_check", {**ALL_YES, "legal": 1}, at=minutes(80), by=WORKER, rationale="r")


# -- times at the limits of datetime ------------------------------------------------------------


class Broken(tzinfo):
    """A time zone whose offset cannot be read."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        raise RuntimeError("no offset")

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)


class TooFar(tzinfo):
    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(hours=30)

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)


REPRESENTABLE = [
    datetime(1, 1, 1),  # naive London: LMT is -0:01:15, so UTC is 00:01:15
    datetime(1, 1, 2, 1, 0, tzinfo=timezone(timedelta(hours=23, minutes=59))),
    datetime(9999, 12, 31, 23, 59),  # naive London in winter: UTC itself
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(9999, 12, 31, 0, 0, tzinfo=timezone(timedelta(hours=-23, minutes=-59))),
    datetime(5000, 6, 1, 12, tzinfo=timezone(timedelta(hours=5, minutes=45, seconds=7))),
]
UNREPRESENTABLE = [
    (datetime(1, 1, 1, tzinfo=UTC), "to be read in time zone 'Europe/London'"),
    (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))), "to be held in UTC"),
    (datetime(1, 1, 1, 0, 1, tzinfo=timezone(timedelta(minutes=2))), "to be held in UTC"),
    (
        datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-23, minutes=-59))),
        "to be held in UTC",
    ),
]


@pytest.mark.parametrize("at", REPRESENTABLE, ids=[a.isoformat() for a in REPRESENTABLE])
def test_extreme_times_a_datetime_can_hold_are_accepted_and_round_trip(at: datetime) -> None:
    case = MINI.new_case("c1", {"needs_prescribing": True, "age": 30}, at=at)
    case.record_failure_demand("chase", at=at, note="limits")
    assert case.available(at)
    assert case.measures(at).elapsed_minutes == 0
    round_trips(case)


def test_a_journey_from_year_1_to_year_9999_round_trips() -> None:
    last_day = datetime(9999, 12, 31, 10, 0)
    thursday = last_day - timedelta(days=(last_day.weekday() - 3) % 7)
    closed = thursday + timedelta(days=1)  # Friday: assess_days are Tue and Thu
    case = MINI.new_case("c1", {"needs_prescribing": True, "age": 30}, at=datetime(1, 1, 1))
    case.fire("refer", at=datetime(1, 1, 1, 0, 5), by=DUTY)
    with unchanged(case), pytest.raises(TransitionError, match="calendar 'assess_days'"):
        case.fire("assessed", at=closed, by=WORKER)
    case.fire("assessed", at=thursday, by=WORKER)
    assert case.state == "plan"
    assert case.measures().elapsed_minutes > 5e9
    round_trips(case)


@pytest.mark.parametrize(
    ("at", "reason"), UNREPRESENTABLE, ids=[a.isoformat() for a, _ in UNREPRESENTABLE]
)
def test_extreme_times_a_datetime_cannot_hold_are_transition_errors(
    at: datetime, reason: str
) -> None:
    with pytest.raises(TransitionError) as caught:
        MINI.new_case("c1", {}, at=at)
    assert "is too close to the limits of a datetime (years 1 to 9999)" in str(caught.value)
    assert reason in str(caught.value)
    case = mini_case()
    for call in (
        lambda: case.record_failure_demand("chase", at=at),
        lambda: case.available(at),
        lambda: case.measures(at),
    ):
        with unchanged(case), pytest.raises(TransitionError, match="too close to the limits"):
            call()


@pytest.mark.parametrize("zone", [Broken(), TooFar()])
def test_a_time_zone_that_fails_is_an_argument_error(zone: tzinfo) -> None:
    case = mini_case()
    with unchanged(case), pytest.raises(ArgumentError, match="'at' has a time zone that gives"):
        case.fire("refer", at=datetime(2024, 1, 2, 11, tzinfo=zone), by=DUTY)


def test_a_datetime_subclass_is_recorded_as_a_plain_datetime() -> None:
    class Moment(datetime):
        pass

    case = mini_case()
    case.fire("refer", at=Moment(2024, 1, 2, 11, tzinfo=UTC), by=DUTY)
    assert type(case.journal[-1].at) is datetime
    round_trips(case)


# -- showing what was found ------------------------------------------------------------------------


def test_shown_is_short_and_never_fails() -> None:
    assert shown("x" * 10**6).endswith("'")
    assert len(shown("x" * 10**6)) < 100
    assert shown(10**5000) == "an integer of about 5,001 digits"
    assert shown(Liar()) == "<Liar object>"
    assert len(shown(nested(5000))) < 100
    shared = [["x" * 1000] * 1000] * 1000
    assert len(shown(shared)) <= 203


# -- replay refuses what the engine would refuse ---------------------------------------------


def test_a_tampered_journal_with_a_bad_worker_is_a_replay_error() -> None:
    case = mini_case()
    case.fire("refer", at=minutes(5), by=DUTY)
    events = [
        attrs.evolve(event, worker=7) if getattr(event, "worker", None) == "d1" else event
        for event in case.journal
    ]
    with pytest.raises(ReplayError, match="Worker id must be text"):
        replay(MINI, events)
    text = case.to_json().replace('"worker":"d1"', '"worker":7')
    with pytest.raises(ReplayError, match="'worker' must be text"):
        Case.from_json(MINI, text)


def test_a_journal_with_data_named_like_an_argument_replays_it() -> None:
    case = mini_case()
    case.fire("refer", at=minutes(5), by=DUTY, tag="x")
    events = [
        attrs.evolve(event, data={"at": 1, "to": "x"}) if isinstance(event, Transitioned) else event
        for event in case.journal
    ]
    rebuilt = replay(MINI, events)
    assert dict(rebuilt.journal.of_type(Transitioned)[0].data) == {"at": 1, "to": "x"}
    round_trips(rebuilt)


CHECKPOINT_ONLY = load(
    """\
id: checkpoint-only
title: A step that only a decision leaves
version: "1"
roles:
  nurse: {team: triage, organisation: clinic}
steps:
  triage: {role: nurse}
  seen: {role: nurse}
  done: {outcome: true}
  gone: {outcome: true}
transitions:
  - {trigger: finish, from: seen, to: done}
checkpoints:
  decide_now:
    at: triage
    questions:
      ok: {ask: person}
    routes:
      - {when: ok, to: seen}
    otherwise: gone
"""
)


def test_no_allowed_trigger_says_why() -> None:
    case = CHECKPOINT_ONLY.new_case("c1", at=TUESDAY)
    with unchanged(case), pytest.raises(TransitionError) as caught:
        case.fire("finish", at=minutes(1))
    assert "allowed triggers: none (checkpoint 'decide_now' is pending" in str(caught.value)
    case.decide("decide_now", {"ok": True}, at=minutes(2))
    case.fire("finish", at=minutes(3))
    with unchanged(case), pytest.raises(TransitionError) as caught:
        case.fire("finish", at=minutes(4))
    assert "allowed triggers: none (the case has finished)" in str(caught.value)


def test_replay_checks_the_first_event_too() -> None:
    events = list(mini_case().journal)
    moved = attrs.evolve(events[0], step="assess")
    with pytest.raises(ReplayError, match="replay differs at event 0"):
        replay(MINI, [moved, *events[1:]])


@pytest.mark.parametrize(
    ("field", "value"),
    [("worker", ["d1"]), ("worker", {"id": "d1"}), ("trigger", ["refer"]), ("role", 7)],
)
def test_replay_refuses_a_journal_whose_fields_are_not_text(field: str, value: object) -> None:
    case = mini_case()
    case.fire("refer", at=minutes(5), by=DUTY)
    events = list(case.journal)
    index = next(i for i, e in enumerate(events) if isinstance(e, Transitioned))
    events[index] = attrs.evolve(events[index], **{field: value})
    with pytest.raises(ReplayError, match="event"):
        replay(MINI, events)


def test_replay_passes_facts_named_like_an_argument_as_facts() -> None:
    case = mini_case()
    case.update_facts(at=minutes(5), age=40)
    events = list(case.journal)
    events[-1] = attrs.evolve(events[-1], facts={"at": 1, "by": "x"})
    with pytest.raises(ReplayError, match="unknown fact 'at'"):
        replay(MINI, events)


def test_an_event_whose_values_cannot_be_shown_is_named_by_its_kind() -> None:
    events = list(mini_case().journal)
    broken = attrs.evolve(events[1], step=10**5000)
    with pytest.raises(ReplayError, match="<VisitAttended event whose values cannot be shown>"):
        replay(MINI, [events[0], broken])
