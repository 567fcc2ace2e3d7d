"""Issue 12's invariant, fuzzed: no crash on any input, no silent garbage.

A hypothesis state machine makes random sequences of case API calls: mostly calls that
could be valid (a trigger the case allows, by a worker of the owner role, at an open
time), mixed with wrong types (``fire(42)``, ``by=3``, ``at="monday"``), values JSON
cannot hold or out of bounds (NaN, 5,000-digit integers, 5,000-deep lists, keys that
are not text, lone surrogates, huge text), extreme times (years 1 and 9999 with odd
offsets) and objects that misbehave (a failing ``repr``, a faked ``__class__``).

After every call, whatever it was:

* an accepted call leaves a case that ``Case.from_json(p, case.to_json())`` rebuilds
  equal: the same journal, state and facts, and the same hidden state (where it waits,
  who works the step, whether it was begun or missed), so it behaves the same from then on;
* a refused call raised a :class:`~pathway.PathwayError` and changed nothing at all.

Any other exception fails the test. ``STATS`` counts the calls tried, accepted and
refused, and the other exceptions; run with ``-s`` to see the numbers. The default suite
tries a modest number of sequences; the ``slow`` test runs at least 50,000 calls.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from pathway import Case, PathwayError, ReplayError, Worker, load, new_case, replay
from pathway._engine._facts import MAX_DEPTH, MAX_NAME_LENGTH, MAX_TEXT_LENGTH, MAX_VALUES

T = TypeVar("T")

# Guards over every type of fact, two calendars in other time zones than the pathway's
# (one of them far east of UTC, so times near the limits of datetime overflow there),
# a checkpoint with an automatic question, a PLAN checkpoint, visits and a loop back.
FUZZ_YAML = """\
id: fuzz
title: Fuzz
version: "1"
timezone: America/New_York
same_visit_within: 1h
calendars:
  clinic:
    open: {mon-fri: "09:00-17:00"}
    timezone: Europe/London
  islands:
    open: {"sat, sun": "08:00-20:00"}
    timezone: Pacific/Kiritimati
roles:
  duty: {team: front, organisation: hub}
  worker: {team: recovery, organisation: hub}
  doctor: {team: clinic, organisation: nhs}
facts:
  flag: {type: bool}
  age: {type: int}
  score: {type: float}
  tags: {type: list}
  notes: {type: mapping}
  risk: {type: str, values: [low, high]}
  label: {type: str}
steps:
  contact: {role: duty, visit: true}
  assess: {role: worker, visit: true, calendar: clinic}
  review: {role: worker}
  plan: {role: worker}
  weekend: {role: doctor, visit: true, calendar: islands}
  done: {outcome: true}
  advice: {outcome: true}
transitions:
  - {trigger: refer, from: contact, to: assess, when: "risk == 'high' or age * 2 > 30", wait: 1d}
  - {trigger: refer, from: contact, to: review, when: "len(tags) > 0 and contains(tags, 'x')"}
  - {trigger: refer, from: contact, to: plan}
  - {trigger: assessed, from: assess, to: review, when: "score * 2 >= 1.5 or len(notes) == 0"}
  - {trigger: assessed, from: assess, to: plan}
  - {trigger: weekend, from: plan, to: weekend, when: "flag and lower(label) != 'no'"}
  - {trigger: close, from: plan, to: done}
  - {trigger: back, from: weekend, to: contact, cause: external}
  - {trigger: finish, from: weekend, to: done}
checkpoints:
  review_check:
    at: review
    questions:
      complete: {ask: person}
      adult: {when: "age >= 18"}
    routes:
      - {when: "complete and adult", to: plan}
      - {when: "complete", to: advice}
    otherwise: assess
  plan_check:
    framework: PLAN
    at: plan
    proceed: weekend
    if_not_legal: advice
    if_not_necessary: advice
    if_not_proportionate: done
"""
P = load(FUZZ_YAML)
NEW_YORK = ZoneInfo("America/New_York")
START = datetime(2024, 3, 8, 8, 30, tzinfo=NEW_YORK)  # a Friday; clocks change on Sunday
WORKERS = {"duty": "d1", "worker": "w1", "doctor": "x1"}
ROSTER = {"d1": "duty", "d2": "duty", "w1": "worker", "w2": "worker", "x1": "doctor"}

#: Calls tried, accepted and refused, and exceptions that were not PathwayErrors.
STATS: Counter[str] = Counter()


# -- things that misbehave ----------------------------------------------------------------


class Liar:
    """Claims to be text: ``isinstance(Liar(), str)`` is true."""

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return str


class BadRepr:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


class Unequal:
    def __eq__(self, other: object) -> bool:
        raise RuntimeError("no comparing")

    __hash__ = None  # type: ignore[assignment]


class Label(enum.StrEnum):
    HIGH = "high"


class Size(enum.IntEnum):
    BIG = 40


class Named(Worker):
    """A Worker subclass: recorded as the plain worker it stands for."""


def nested(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth - 1):
        value = [value]
    return value


SHARED = [["x" * 1000] * 1000] * 100  # small in memory, 100 million characters as JSON
NASTY = [
    None,
    True,
    0,
    -1,
    10**100,
    -(10**100) + 1,
    10**5000,
    float("nan"),
    float("-inf"),
    -0.0,
    1e308,
    "",
    "x" * (MAX_TEXT_LENGTH + 1),
    "n" * (MAX_NAME_LENGTH + 1),
    "\ud800",
    "é\x00\u2028",
    object(),
    Liar(),
    BadRepr(),
    Unequal(),
    {1, 2},
    b"bytes",
    datetime(2024, 1, 1),
    Label.HIGH,
    Size.BIG,
    nested(MAX_DEPTH),
    nested(MAX_DEPTH + 1),
    nested(5000),
    {1: "a"},
    {"a": float("nan")},
    {"a": {"b": [Liar()]}},
    SHARED,
    [0] * (MAX_VALUES + 1),
    ("x", 1),
]
PLAIN = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["x", "no", "high", "low"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=8,
)
VALUES = st.sampled_from(NASTY) | PLAIN
EXTREMES = [
    datetime(1, 1, 1),
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(1, 1, 1, 12, tzinfo=timezone(timedelta(hours=-13, minutes=-7))),
    datetime(1, 1, 2, tzinfo=timezone(timedelta(hours=23, minutes=59, seconds=59))),
    datetime(9999, 12, 31, 23, 59, 59, 999999),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(9999, 12, 31, 12, tzinfo=timezone(timedelta(hours=-23, minutes=-59))),
    datetime(9999, 12, 25, 10, tzinfo=timezone(timedelta(seconds=1))),
    datetime(9999, 12, 31, 6, tzinfo=NEW_YORK),
]


FORMS: dict[str, Callable[[datetime], datetime]] = {
    "utc": lambda at: at,
    "local": lambda at: at.astimezone(NEW_YORK),
    "naive": lambda at: at.astimezone(NEW_YORK).replace(tzinfo=None),
    "offset": lambda at: at.astimezone(timezone(timedelta(hours=5, minutes=30))),
}


def one_of(draw: st.DrawFn, weighted: list[tuple[int, Callable[[], T]]]) -> T:
    """One of the makers, drawn with the weights given (the first is the simplest)."""
    ticket = draw(st.integers(0, sum(weight for weight, _ in weighted) - 1))
    for weight, make in weighted:
        if ticket < weight:
            return make()
        ticket -= weight
    raise AssertionError("unreachable")


class FuzzMachine(RuleBasedStateMachine):
    """Random calls on one live case (replaced when ``new_case`` is accepted)."""

    case: Case

    @initialize()
    def start(self) -> None:
        self.case = P.new_case("fuzz-1", {"age": 30, "tags": ["x"]}, at=START, roster=ROSTER)

    # -- drawing arguments ------------------------------------------------------------------

    def now(self) -> datetime:
        return self.case.journal[-1].at

    def draw_at(self, draw: st.DrawFn) -> Any:
        """Mostly a time a little after the last event, in one of several forms; now and
        then an earlier time, an extreme one, or not a time at all."""
        step = draw(st.sampled_from([0, 1, 5, 60, 600, 1440, 2900]))

        def later() -> datetime:
            calendar = self.case.step.calendar
            snap, form = draw(st.booleans()), draw(st.sampled_from(sorted(FORMS)))
            try:  # near year 9999 there may be no later time, or no other form of it
                at = self.now() + timedelta(minutes=step)
                if calendar is not None and snap:
                    at = P.calendars[calendar].next_open(at)
                return FORMS[form](at)
            except OverflowError:
                return self.now()

        def earlier() -> datetime:
            try:
                return self.now() - timedelta(minutes=step + 1)
            except OverflowError:  # near year 1 there is no earlier time
                return self.now()

        return one_of(
            draw,
            [
                (20, later),
                (1, earlier),
                (1, lambda: draw(st.sampled_from(EXTREMES))),
                (1, lambda: draw(VALUES)),
            ],
        )

    def draw_by(self, draw: st.DrawFn) -> Any:
        role = self.case.owner or "duty"
        return one_of(
            draw,
            [
                (8, lambda: Worker(WORKERS[role], role)),
                (2, lambda: WORKERS[role]),
                (2, lambda: None),
                (1, lambda: Worker("w2", draw(st.sampled_from(list(WORKERS))))),
                (1, lambda: Named(WORKERS[role], role)),
                (1, lambda: "ghost"),
                (1, lambda: draw(VALUES)),
            ],
        )

    def draw_name(self, draw: st.DrawFn, names: list[str]) -> Any:
        return one_of(
            draw,
            [
                (8, lambda: draw(st.sampled_from(names))),
                (1, lambda: draw(st.sampled_from(sorted(P.triggers | set(P.checkpoints))))),
                (1, lambda: draw(st.text(max_size=6))),
                (1, lambda: draw(VALUES)),
            ],
        )

    def draw_facts(self, draw: st.DrawFn) -> dict[Any, Any]:
        typed = {
            "flag": st.booleans(),
            "age": st.integers(-5, 120),
            "score": st.floats(-2, 2),
            "tags": st.lists(st.sampled_from(["x", "y", 1]), max_size=3),
            "notes": st.dictionaries(st.sampled_from(["a", "b"]), st.integers(), max_size=2),
            "risk": st.sampled_from(["low", "high", Label.HIGH]),
            "label": st.sampled_from(["no", "yes", "NO"]),
        }
        names = draw(st.lists(st.sampled_from([*typed, "unknown", "ağe"]), max_size=3))
        facts: dict[Any, Any] = {}
        for name in names:
            strategy = typed.get(name, VALUES)
            facts[name] = draw(one_of(draw, [(4, lambda s=strategy: s), (1, lambda: VALUES)]))
        return facts

    def draw_data(self, draw: st.DrawFn) -> dict[str, Any]:
        keys = st.text(max_size=6).filter(lambda k: k not in {"at", "by", "to"})
        keys |= st.sampled_from(["trigger", "self", "\udfff", "k" * (MAX_TEXT_LENGTH + 1)])
        return draw(st.dictionaries(keys, VALUES, max_size=3))

    # -- the invariant --------------------------------------------------------------------

    def call(self, label: str, make: Callable[[], Any]) -> Any:
        """Run one API call and check the invariant; ``make`` does the call (building a
        Worker from drawn values is part of it)."""
        STATS["tried"] += 1
        before = _snapshot(self.case)
        refusal: PathwayError | None = None
        try:
            result = make()
        except PathwayError as error:
            refusal = error
        except Exception as error:
            STATS["other"] += 1
            raise AssertionError(
                f"{label} raised {type(error).__name__}, not a PathwayError: {error!r}"
            ) from error
        if refusal is not None:
            STATS["refused"] += 1
            STATS[f"{label}: refused with {type(refusal).__name__}"] += 1
            assert str(refusal), f"{label}: a refusal without a message"
            changed = f"{label} was refused ({refusal}) but changed the case"
            assert _snapshot(self.case) == before, changed
            return None
        STATS["accepted"] += 1
        STATS[f"{label}: accepted"] += 1
        STATS[f"state {self.case.state}"] += 1
        _rebuilds(self.case)
        return result

    # -- rules ------------------------------------------------------------------------------

    @rule(data=st.data())
    def act(self, data: st.DataObject) -> None:
        """One call, of a kind drawn with weights that keep the case moving."""
        draw = data.draw
        finished, deciding = self.case.finished, self.case.step.checkpoint is not None
        one_of(
            draw,
            [
                (1 if finished or deciding else 8, lambda: self.fire(draw)),
                (2, lambda: self.begin(draw)),
                (8 if deciding else 1, lambda: self.decide(draw)),
                (1, lambda: self.did_not_attend(draw)),
                (1, lambda: self.record_failure_demand(draw)),
                (2, lambda: self.update_facts(draw)),
                (1, lambda: self.make_a_worker(draw)),
                (1, lambda: self.read(draw)),
                (8 if finished else 1, lambda: self.start_another(draw)),
                (1, lambda: self.rebuild_with_a_roster(draw)),
            ],
        )

    def fire(self, draw: st.DrawFn) -> None:
        allowed = self.case.allowed_triggers() or sorted(P.triggers)
        trigger = self.draw_name(draw, allowed)
        at, by = self.draw_at(draw), self.draw_by(draw)
        to = one_of(
            draw,
            [
                (6, lambda: None),
                (1, lambda: draw(st.sampled_from(list(P.steps)))),
                (1, lambda: draw(VALUES)),
            ],
        )
        extra = self.draw_data(draw) if draw(st.integers(0, 3)) == 0 else {}
        self.call("fire", lambda: self.case.fire(trigger, at=at, by=by, to=to, **extra))

    def begin(self, draw: st.DrawFn) -> None:
        at, by = self.draw_at(draw), self.draw_by(draw)
        self.call("begin", lambda: self.case.begin(at=at, by=by))

    def decide(self, draw: st.DrawFn) -> None:
        checkpoint = self.draw_name(draw, [self.case.step.checkpoint or "plan_check"])
        cp = P.checkpoints.get(checkpoint) if isinstance(checkpoint, str) else None
        asked = [q.id for q in cp.questions if not q.automatic] if cp else ["legal"]
        answers = one_of(
            draw,
            [
                (6, lambda: dict.fromkeys(asked, draw(st.booleans()))),
                (
                    2,
                    lambda: draw(
                        st.dictionaries(
                            st.sampled_from([*asked, "adult", "nope"]), st.booleans() | VALUES
                        )
                    ),
                ),
                (1, lambda: None),
                (1, lambda: draw(VALUES)),
            ],
        )
        rationale = one_of(
            draw, [(6, lambda: "because"), (1, lambda: " "), (1, lambda: draw(VALUES))]
        )
        at, by = self.draw_at(draw), self.draw_by(draw)
        self.call(
            "decide",
            lambda: self.case.decide(checkpoint, answers, at=at, by=by, rationale=rationale),
        )

    def did_not_attend(self, draw: st.DrawFn) -> None:
        at = self.draw_at(draw)
        self.call("did_not_attend", lambda: self.case.did_not_attend(at=at))

    def record_failure_demand(self, draw: st.DrawFn) -> None:
        demand = self.draw_name(draw, ["chase", "re_presentation", "re_referral"])
        note = one_of(
            draw,
            [(4, lambda: ""), (2, lambda: draw(st.text(max_size=20))), (1, lambda: draw(VALUES))],
        )
        at = self.draw_at(draw)
        self.call(
            "record_failure_demand",
            lambda: self.case.record_failure_demand(demand, at=at, note=note),
        )

    def update_facts(self, draw: st.DrawFn) -> None:
        facts = {str(k): v for k, v in self.draw_facts(draw).items()}
        at, by = self.draw_at(draw), self.draw_by(draw)
        self.call("update_facts", lambda: self.case.update_facts(at=at, by=by, **facts))

    def make_a_worker(self, draw: st.DrawFn) -> None:
        """A Worker built from drawn values, then used: the constructor is checked too."""
        worker_id = one_of(draw, [(3, lambda: "w9"), (1, lambda: draw(VALUES))])
        role = one_of(draw, [(3, lambda: self.case.owner or "duty"), (1, lambda: draw(VALUES))])
        at = self.draw_at(draw)
        self.call(
            "begin by a made worker", lambda: self.case.begin(at=at, by=Worker(worker_id, role))
        )

    def read(self, draw: st.DrawFn) -> None:
        """Questions about the case: answered or refused, and never a change."""
        at = one_of(draw, [(3, lambda: None), (3, lambda: self.draw_at(draw))])
        method = draw(st.sampled_from(["available", "allowed_triggers", "measures"]))
        self.call(method, lambda: getattr(self.case, method)(at))

    def start_another(self, draw: st.DrawFn) -> None:
        """``new_case`` with drawn arguments; an accepted one carries on as the case."""
        case_id = one_of(draw, [(6, lambda: "fuzz-2"), (1, lambda: draw(VALUES))])
        facts = one_of(
            draw, [(6, lambda: self.draw_facts(draw)), (1, lambda: None), (1, lambda: draw(VALUES))]
        )
        roster = one_of(draw, [(6, lambda: ROSTER), (1, lambda: None), (1, lambda: draw(VALUES))])
        at = one_of(
            draw,
            [
                (6, lambda: START),
                (1, lambda: draw(st.sampled_from(EXTREMES))),
                (1, lambda: draw(VALUES)),
            ],
        )
        pathway = one_of(draw, [(8, lambda: P), (1, lambda: draw(VALUES))])
        started = self.call(
            "new_case", lambda: new_case(pathway, case_id, facts, at=at, roster=roster)
        )
        if started is not None:
            self.case = started
            _rebuilds(started)

    def rebuild_with_a_roster(self, draw: st.DrawFn) -> None:
        """``from_json`` with a drawn roster: the same case, or refused."""
        roster = one_of(draw, [(3, lambda: ROSTER), (1, lambda: draw(VALUES))])
        text = self.case.to_json()
        rebuilt = self.call("from_json", lambda: Case.from_json(P, text, roster=roster))
        if rebuilt is not None:
            assert list(rebuilt.journal) == list(self.case.journal)


def _snapshot(case: Case) -> tuple[Any, ...]:
    """Everything a case holds: state, journal, facts, JSON and every private field
    (``_built_upto`` only says how much of the journal has been read back as events)."""
    skipped = {"_events", "_built_upto"}
    fields = tuple(getattr(case, name) for name in Case.__slots__ if name not in skipped)
    return (case.state, list(case.journal), case.facts, case.to_json(), fields)


#: Private fields a rebuilt case must share with the original (the roster is the
#: caller's, the rows are how the journal is stored).
_HIDDEN = tuple(
    name for name in Case.__slots__ if name not in {"_events", "_built_upto", "_roster"}
)


def _rebuilds(case: Case) -> None:
    """``Case.from_json(p, case.to_json())`` is the same case, down to its hidden state."""
    text = case.to_json()
    rebuilt = Case.from_json(case.pathway, text)
    assert list(rebuilt.journal) == list(case.journal)
    assert (rebuilt.state, rebuilt.facts) == (case.state, case.facts)
    assert rebuilt.to_json() == text
    for name in _HIDDEN:
        assert getattr(rebuilt, name) == getattr(case, name), f"{name} differs after rebuilding"


FAST = settings(
    max_examples=40,
    stateful_step_count=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _report(label: str, stats: Counter[str]) -> None:
    print(
        f"\n{label}: {stats['tried']:,} calls tried, {stats['accepted']:,} accepted, "
        f"{stats['refused']:,} refused with a PathwayError, {stats['other']:,} other exceptions"
    )


def test_any_call_sequence_keeps_the_invariant() -> None:
    STATS.clear()
    run_state_machine_as_test(FuzzMachine, settings=FAST)
    _report("fuzz (default suite)", STATS)
    assert STATS["other"] == 0
    assert STATS["accepted"] > 0
    assert STATS["refused"] > 0


@cache
def _journal() -> list[Any]:
    """The journal of a case that has done every kind of command once."""
    case = P.new_case("j", {"age": 30, "tags": ["x"], "risk": "high", "flag": True}, at=START)
    case.update_facts(at=START, by=Worker("d1", "duty"), score=1.0, label="yes")
    case.fire("refer", at=START + timedelta(minutes=5), by=Worker("d1", "duty"), note="x")
    at = P.calendars["clinic"].next_open(START + timedelta(days=1))
    worker = Worker("w1", "worker")
    case.begin(at=at, by=worker)
    case.fire("assessed", at=at + timedelta(minutes=30), by=worker)
    case.decide("review_check", {"complete": True}, at=at + timedelta(minutes=40), by=worker)
    yes = dict.fromkeys(["proportionate", "legal", "accountable", "necessary"], True)
    case.decide("plan_check", yes, at=at + timedelta(minutes=50), by=worker, rationale="r")
    case.record_failure_demand("chase", at=at + timedelta(minutes=55), note="n")
    case.did_not_attend(at=at + timedelta(minutes=60))
    return list(case.journal)


@settings(max_examples=300, deadline=None, database=None)
@given(st.data())
def test_a_journal_with_any_field_replaced_replays_or_is_a_replay_error(
    data: st.DataObject,
) -> None:
    """Replay re-runs the commands of a journal it is given: one whose event has any field
    replaced by anything (a list for a worker, an object for a trigger, a mapping with
    a key named like an argument for facts) rebuilds a case or is a ReplayError."""
    events = _journal()
    index = data.draw(st.integers(0, len(events) - 1), label="event")
    event = events[index]
    name = data.draw(st.sampled_from([f.name for f in attrs.fields(type(event))]), label="field")
    value = data.draw(VALUES | st.just({"at": 1, "by": "x"}) | st.sampled_from(EXTREMES))
    try:
        changed = attrs.evolve(event, **{name: value})
    except (TypeError, ValueError):
        return  # the event itself cannot hold it (a mapping field given a number)
    journal = [*events[:index], changed, *events[index + 1 :]]
    refusal: ReplayError | None = None
    try:
        case = replay(P, journal)
    except ReplayError as error:
        refusal = error
    if refusal is not None:
        assert str(refusal)
        return
    assert list(case.journal) == journal
    _rebuilds(case)


@pytest.mark.slow
def test_fifty_thousand_calls_keep_the_invariant() -> None:
    STATS.clear()
    many = settings(FAST, max_examples=400, stateful_step_count=100)
    while STATS["tried"] < 50_000:
        run_state_machine_as_test(FuzzMachine, settings=many)
    _report("fuzz (slow)", STATS)
    assert STATS["other"] == 0
    assert STATS["accepted"] > 10_000
