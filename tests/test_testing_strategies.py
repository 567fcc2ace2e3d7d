"""pathway.testing's strategies: what they generate is valid, runs, replays and shrinks.

Checked with hypothesis's own helpers: ``@given`` for "every example is valid" and
``hypothesis.find`` for "shrinking reaches the minimal example".
"""

from __future__ import annotations

import itertools
import random
from collections import deque
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

import pathway
import pathway.testing
from pathway import CaseStarted, Pathway, ReplayError, Worker, replay
from pathway._define._spec import PathwaySpec
from pathway.testing import (
    Begin,
    Decide,
    DidNotAttend,
    Fire,
    Journey,
    check_journey,
    events,
    facts,
    invalid_triggers,
    journeys,
    pathway_texts,
    pathways,
    register_pathway_random,
    smoke_run,
)
from pathway.testing._invalid import INVALID_CODES
from pathway.testing._journeys import DEFAULT_START

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "pathways").glob("*.yaml"))
FIND = settings(database=None, max_examples=2000, deadline=None, derandomize=True)
QUICK = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CLINIC = pathway.load(
    """\
id: clinic
title: A clinic with a bit of everything
version: "1"
timezone: Europe/London
calendars:
  clinic_days: {open: {"tue, thu": "09:00-12:30"}, closures: ["2024-01-04"]}
roles:
  admin: {team: booking, organisation: hospital}
  nurse: {team: triage, organisation: hospital, capacity: 2}
  doctor: {team: clinic, organisation: hospital}
  social_worker: {team: adults, organisation: council}
facts:
  urgent: {type: bool, distribution: {bernoulli: 0.2}}
  age: {type: int, distribution: {randint: [16, 90]}}
  risk: {type: str, values: [low, medium, high]}
steps:
  referral: {role: admin}
  triage: {role: nurse}
  appointment: {role: doctor, visit: true, calendar: clinic_days}
  safeguarding: {role: social_worker}
  support: {role: social_worker, visit: true}
  treated: {outcome: true}
  closed: {outcome: true}
transitions:
  - {trigger: accept, from: referral, to: triage, wait: 1d, cause: handoff}
  - {trigger: fast_track, from: referral, to: appointment, when: urgent and age >= 18}
  - {trigger: reject, from: referral, to: closed}
  - {trigger: book, from: triage, to: appointment, wait: 1w, cause: booking, dna: 0.2}
  - {trigger: book, from: triage, to: support, when: "risk != 'low'"}
  - {trigger: treat, from: appointment, to: treated}
  - {trigger: rebook, from: appointment, to: appointment}
  - {trigger: protect, from: safeguarding, to: support}
  - {trigger: done, from: support, to: closed}
checkpoints:
  plan:
    at: triage
    framework: PLAN
    proceed: appointment
    if_not_legal: closed
    if_not_necessary: closed
    if_not_proportionate: support
  refer_on:
    at: appointment
    questions:
      concern: {ask: person}
      high_risk: {when: "risk == 'high'"}
    routes:
      - {when: concern or high_risk, to: safeguarding}
    otherwise: treated
""",
    name="clinic.yaml",
)


def shortest_commands(p: Pathway, facts: dict[str, object], target: str) -> int:
    """Fewest moves from the start to ``target`` for a case with ``facts`` (breadth
    first over transitions whose guards hold and routes some answers select)."""
    seen, queue = {p.start: 0}, deque([p.start])
    while queue:
        step = queue.popleft()
        for following in _next_steps(p, facts, step):
            if following not in seen:
                seen[following] = seen[step] + 1
                queue.append(following)
    return seen[target]


def _next_steps(p: Pathway, facts: dict[str, object], step: str) -> set[str]:
    found = {
        t.target
        for t in p.outgoing(step)
        if t.checkpoint is None and (t.guard is None or t.guard.test(facts))
    }
    name = p.steps[step].checkpoint
    if name is not None:
        checkpoint = p.checkpoints[name]
        automatic = {q.id: q.expression.test(facts) for q in checkpoint.questions if q.expression}
        asked = [q.id for q in checkpoint.questions if not q.expression]
        for answers in itertools.product((True, False), repeat=len(asked)):
            route = checkpoint.route_for({**dict(zip(asked, answers, strict=True)), **automatic})
            found.add(p.transitions[route.transition].target)
    return found


# ---------------------------------------------------------------------------- pathways


@QUICK
@given(pathways())
def test_every_generated_pathway_validates_and_compiles(spec: PathwaySpec) -> None:
    compiled = pathway.load(spec)
    assert isinstance(compiled, Pathway)
    assert compiled.outcomes


@QUICK
@given(pathway_texts())
def test_generated_yaml_text_loads_to_the_same_pathway(text: str) -> None:
    compiled = pathway.load(text)
    assert pathway.load(pathway.dump(compiled)) == compiled


@QUICK
@given(pathways(min_steps=3, max_steps=5, checkpoints=False, calendars=False, guards=False))
def test_pathway_options_are_respected(spec: PathwaySpec) -> None:
    assert 3 <= len(spec.steps) <= 5
    assert not spec.checkpoints
    assert not spec.calendars
    assert not spec.facts
    assert all(t.when is None for t in spec.transitions)


FEATURES: dict[str, Callable[[PathwaySpec], bool]] = {
    "calendar": lambda s: any(step.calendar for step in s.steps.values()),
    "closures": lambda s: any(c.closures for c in s.calendars.values()),
    "guard": lambda s: any(t.when for t in s.transitions),
    "distribution": lambda s: any(f.distribution for f in s.facts.values()),
    "plan": lambda s: any(c.framework == "PLAN" for c in s.checkpoints.values()),
    "generic": lambda s: any(c.routes for c in s.checkpoints.values()),
    "automatic question": lambda s: any(
        q.when for c in s.checkpoints.values() for q in (c.questions or {}).values()
    ),
    "visit": lambda s: any(step.visit for step in s.steps.values()),
    "dna": lambda s: any(t.dna for t in s.transitions),
    "teams": lambda s: len({r.team for r in s.roles.values()}) > 1,
    "organisations": lambda s: len({r.organisation for r in s.roles.values()}) > 1,
    "loop": lambda s: any(int(t.to[1:]) <= int(t.from_[1:]) for t in s.transitions),
    "weights": lambda s: any(t.p is not None for t in s.transitions),
    "continuity named": lambda s: any(r.continuity == "named" for r in s.roles.values()),
    "continuity prefer": lambda s: any(r.continuity == "prefer" for r in s.roles.values()),
    "named within": lambda s: any(r.named_within for r in s.roles.values()),
    "format 2": lambda s: s.format == 2,
}


def test_generated_pathways_use_every_feature() -> None:
    seen: set[str] = set()

    @settings(max_examples=150, database=None, deadline=None, derandomize=True)
    @given(pathways())
    def survey(spec: PathwaySpec) -> None:
        seen.update(name for name, has in FEATURES.items() if has(spec))

    survey()
    assert seen == set(FEATURES)


def test_pathways_shrink_to_the_fewest_steps() -> None:
    spec = find(pathways(), lambda s: len(s.steps) >= 4, settings=FIND)
    assert len(spec.steps) == 4
    assert len(spec.roles) == 1
    assert spec.format == 1
    assert not spec.calendars
    assert not spec.facts
    assert not spec.checkpoints
    assert [(t.from_, t.to) for t in spec.transitions] == [("s0", "s1"), ("s1", "s2"), ("s2", "s3")]


def test_pathway_sizes_are_checked() -> None:
    with pytest.raises(ValueError, match="min_steps"):
        pathways(min_steps=1)
    with pytest.raises(ValueError, match="min_steps"):
        pathways(min_steps=5, max_steps=4)


# ------------------------------------------------------------------------------- facts


@QUICK
@given(facts(CLINIC))
def test_facts_are_valid_for_the_pathway(drawn: dict[str, object]) -> None:
    assert set(drawn) == set(CLINIC.facts)
    assert drawn["risk"] in {"low", "medium", "high"}
    assert CLINIC.new_case("c", drawn, at=DEFAULT_START).facts == drawn


def test_facts_include_the_values_guards_compare_with() -> None:
    adult = find(facts(CLINIC), lambda f: f["age"] == 18, settings=FIND)
    minor = find(facts(CLINIC), lambda f: f["age"] == 17, settings=FIND)
    assert (adult["age"], minor["age"]) == (18, 17)


# ---------------------------------------------------------------------------- journeys


@QUICK
@given(st.data())
def test_every_generated_journey_runs_and_replays(data: st.DataObject) -> None:
    compiled = pathway.load(data.draw(pathways(), label="pathway"))
    journey = data.draw(journeys(compiled), label="journey")
    case = check_journey(journey)
    rebuilt = pathway.Case.from_json(compiled, case.to_json())
    assert list(rebuilt.journal) == list(case.journal)
    assert rebuilt.state == case.state == journey.end


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_journeys_through_the_shipped_pathways_run_and_replay(path: Path) -> None:
    compiled = pathway.load(path)

    @QUICK
    @given(journeys(compiled, max_steps=30))
    def check(journey: Journey) -> None:
        check_journey(journey)

    check()


@QUICK
@given(journeys(CLINIC, max_steps=25))
def test_journeys_are_valid_by_the_model(journey: Journey) -> None:
    """Times never go back; workers own the step; guards hold; calendars are open;
    decisions answer every question asked of a person; DNAs only before a visit."""
    state, previous, started = CLINIC.start, journey.start, True
    for command in journey:
        step = CLINIC.steps[state]
        assert command.at >= previous
        if not isinstance(command, DidNotAttend):
            assert command.by is not None
            assert command.by.role == step.role
            if step.calendar:
                assert CLINIC.calendars[step.calendar].is_open(command.at)
        if isinstance(command, Fire | Decide):
            state, started = next_step(journey, state, command), False
        elif isinstance(command, Begin):
            assert not started
            started = True
        else:
            assert step.visit
            assert not started
        previous = command.at
    assert state == journey.end


def next_step(journey: Journey, state: str, command: Fire | Decide) -> str:
    if isinstance(command, Fire):
        moves = [t for t in CLINIC.outgoing(state) if t.trigger == command.trigger]
        move = next(t for t in moves if command.to in {None, t.target})
        assert move.guard is None or move.guard.test(journey.facts)
        return move.target
    checkpoint = CLINIC.checkpoints[command.checkpoint]
    asked = {q.id for q in checkpoint.questions if not q.automatic}
    assert set(dict(command.answers)) == asked
    assert command.rationale.strip()
    automatic = {
        q.id: q.expression.test(journey.facts) for q in checkpoint.questions if q.expression
    }
    route = checkpoint.route_for({**dict(command.answers), **automatic})
    return CLINIC.transitions[route.transition].target


@QUICK
@given(events(CLINIC))
def test_events_are_a_journal_that_replays(journal: tuple[pathway.Event, ...]) -> None:
    assert isinstance(journal[0], CaseStarted)
    assert all(a.at <= b.at for a, b in itertools.pairwise(journal))
    assert list(replay(CLINIC, list(journal)).journal) == list(journal)


@pytest.mark.parametrize("length", [1, 3, 5])
def test_journeys_shrink_to_the_length_asked_for(length: int) -> None:
    journey = find(journeys(CLINIC), lambda j: len(j) >= length, settings=FIND)
    assert len(journey) == length


# Shrinking is a local search: it drops commands that do not matter and simplifies
# times, workers and answers, but does not trade a route for a shorter one that needs
# "larger" choices (reaching 'support' through PLAN takes three yes answers, so a
# journey to 'support' stays on the longer safeguarding route). These targets are
# reached by the simplest choices.
@pytest.mark.parametrize("target", ["treated", "closed", "safeguarding"])
def test_a_journey_to_a_step_shrinks_to_the_shortest_route(target: str) -> None:
    journey = find(journeys(CLINIC), lambda j: j.end == target, settings=FIND)
    assert len(journey) == shortest_commands(CLINIC, dict(journey.facts), target)


def test_a_failing_journey_shrinks_to_the_shortest_that_fails() -> None:
    def attended_after_missing(journey: Journey) -> bool:
        kinds = [type(event).__name__ for event in journey.run().journal]
        return "VisitMissed" in kinds and "VisitAttended" in kinds[kinds.index("VisitMissed") :]

    journey = find(journeys(CLINIC), attended_after_missing, settings=FIND)
    fast_track = journey.facts["urgent"] and journey.facts["age"] >= 18
    assert len(journey) == (3 if fast_track else 4)
    assert isinstance(journey[-2], DidNotAttend)
    assert journey.end == "appointment" or journey.finished


def test_journeys_reach_outcomes_and_stop_early_too() -> None:
    assert find(journeys(CLINIC), lambda j: j.finished, settings=FIND).finished
    stalled = find(journeys(CLINIC), lambda j: not j.finished and len(j) > 0, settings=FIND)
    assert len(stalled) == 1


ACCEPT = Fire("accept", DEFAULT_START, Worker("admin_0", "admin"))
ADULT = {"urgent": False, "age": 40, "risk": "low"}


def journey_of(*commands: pathway.testing.Command, end: str = "triage") -> Journey:
    return Journey(CLINIC, "case-1", ADULT, DEFAULT_START, commands, end)


def test_journey_is_a_readable_sequence() -> None:
    answers = dict.fromkeys(["proportionate", "legal", "accountable", "necessary"], False)
    plan = Decide("plan", answers, DEFAULT_START, Worker("nurse_0", "nurse"))
    journey = journey_of(ACCEPT, plan, end="closed")
    assert list(journey) == [ACCEPT, plan]
    assert journey[0] is ACCEPT
    assert journey[1:] == (plan,)
    assert len(journey) == 2
    assert journey == journey_of(ACCEPT, plan, end="closed")
    assert hash(journey) == hash(journey_of(ACCEPT, plan, end="closed"))
    assert journey.finished
    assert repr(journey).splitlines() == [
        "Journey on 'clinic': case 'case-1' starts at '2024-01-01T00:00+00:00' with facts "
        "{'urgent': False, 'age': 40, 'risk': 'low'}",
        f"  1. {ACCEPT!r}",
        f"  2. {plan!r}",
        "  -> ends at 'closed'",
    ]
    assert check_journey(journey).state == "closed"


# ---------------------------------------------------------------------------- invalid


@QUICK
@given(st.data())
def test_invalid_triggers_are_rejected_and_change_nothing(data: st.DataObject) -> None:
    compiled = pathway.load(data.draw(pathways(), label="pathway"))
    invalid = data.draw(invalid_triggers(compiled), label="invalid")
    assert_rejected(invalid)


def assert_rejected(invalid: pathway.testing.InvalidTrigger) -> None:
    case = invalid.journey.run()
    before, state = list(case.journal), case.state
    with pytest.raises(invalid.error):
        invalid.command.apply(case)
    assert list(case.journal) == before
    assert case.state == state


KINDS = sorted(INVALID_CODES)


def _with_named_roles(model: Pathway) -> Pathway:
    """``model`` with every role keeping a case's named worker (format 2)."""
    data = model.spec.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["format"] = 2
    for role in data["roles"].values():
        role["continuity"] = "named"
    return pathway.load(pathway.dump(PathwaySpec.model_validate(data)), name="clinic.yaml")


#: The clinic where the doctor keeps the person (a rebooked appointment has a named one).
NAMED_CLINIC = _with_named_roles(CLINIC)


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_of_invalid_command_is_rejected(kind: str) -> None:
    @settings(
        max_examples=5,
        database=None,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
    )
    @given(invalid_triggers(NAMED_CLINIC if kind == "not-named-worker" else CLINIC, kinds={kind}))
    def check(invalid: pathway.testing.InvalidTrigger) -> None:
        assert invalid.reason == kind
        assert_rejected(invalid)

    check()


def test_invalid_kinds_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown kinds"):
        invalid_triggers(CLINIC, kinds={"no-such-kind"})


def test_invalid_trigger_shows_why() -> None:
    strategy = invalid_triggers(CLINIC, kinds={"unknown-trigger"})
    invalid = find(strategy, lambda i: True, settings=FIND)
    assert len(invalid.journey) == 0
    assert repr(invalid).endswith(
        "then fire('unknown_trigger', at='2024-01-01T00:00+00:00', by=Worker('admin_0', "
        "'admin')) must raise TransitionError (unknown-trigger: unknown trigger)"
    )


# ----------------------------------------------------------------- randomness, smoke run


def test_registered_generators_are_reseeded_by_hypothesis() -> None:
    simulator = {"rng": random.Random(12345)}  # held by an object, as a simulator holds it
    assert register_pathway_random(simulator["rng"]) is simulator["rng"]
    seen: list[float] = []

    @settings(max_examples=5, database=None)
    @given(st.integers())
    def draw(_: int) -> None:
        seen.append(simulator["rng"].random())

    draw()
    assert len(set(seen)) == 1


def test_smoke_runs_are_seeded() -> None:
    first = [case.to_json() for case in smoke_run(CLINIC, 5, seed=3)]
    again = [case.to_json() for case in smoke_run(CLINIC, 5, seed=3)]
    other = [case.to_json() for case in smoke_run(CLINIC, 5, seed=4)]
    assert first == again
    assert first != other


def test_smoke_runs_go_as_far_as_they_can() -> None:
    cases = smoke_run(CLINIC, 20, seed=0)
    assert all(case.finished or not case.allowed_triggers() for case in cases)


def test_commands_read_like_the_calls_they_make() -> None:
    at = DEFAULT_START + timedelta(hours=9)
    by = Worker("amy", "nurse")
    assert repr(Fire("book", at, by, "support")) == (
        "fire('book', at='2024-01-01T09:00+00:00', by=Worker('amy', 'nurse'), to='support')"
    )
    assert repr(Begin(at, by)) == "begin(at='2024-01-01T09:00+00:00', by=Worker('amy', 'nurse'))"
    assert repr(DidNotAttend(at)) == "did_not_attend(at='2024-01-01T09:00+00:00')"
    assert repr(Decide("plan", {"legal": True}, at, by, "why")) == (
        "decide('plan', {'legal': True}, at='2024-01-01T09:00+00:00', "
        "by=Worker('amy', 'nurse'), rationale='why')"
    )


def test_check_journey_names_a_journey_the_engine_refuses() -> None:
    wrong = Fire("accept", DEFAULT_START, Worker("x", "doctor"))
    with pytest.raises(AssertionError, match="the engine rejected a valid journey"):
        check_journey(journey_of(wrong))
    with pytest.raises(AssertionError, match="the model expects 'triage'"):
        check_journey(journey_of())


def test_journeys_replay_only_on_their_pathway() -> None:
    other = pathway.load(pathway.dump(CLINIC).replace("version: '1'", "version: '2'"))
    with pytest.raises(ReplayError):
        pathway.Case.from_json(other, journey_of(ACCEPT).run().to_json())


@QUICK
@given(journeys(CLINIC, start=DEFAULT_START + timedelta(days=30)))
def test_journey_times_start_where_asked(journey: Journey) -> None:
    assert journey.start == DEFAULT_START + timedelta(days=30)
    assert all(command.at >= journey.start for command in journey)


# ------------------------------------------------------------------------- public API


def test_public_api_is_pinned() -> None:
    assert pathway.testing.__all__ == sorted(pathway.testing.__all__)
    assert pathway.testing.__all__ == [
        "Begin",
        "Command",
        "Decide",
        "DidNotAttend",
        "Fire",
        "InvalidTrigger",
        "Journey",
        "PathwayStateMachine",
        "check_journey",
        "events",
        "facts",
        "invalid_triggers",
        "journeys",
        "pathway_texts",
        "pathways",
        "register_pathway_random",
        "smoke_run",
    ]
