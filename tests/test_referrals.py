"""Concurrent referrals: one person's need split into several referrals at once.

A move's ``also: [step, ...]`` (format 2) opens, for each step, a new case of the same
person (a new value demand, the same facts) starting at that step, while the case goes
on to the move's ``to``. Sources 003 (one need split into concurrent referrals) and
001 ("17 different assessments").
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pathway
from pathway import CaseStarted
from pathway._analysis._people import REFERRAL, people_of
from pathway._define._spec import ArrivalsSpec, PathwaySpec
from pathway._sim._layout import MF_END
from pathway.io import read_log
from pathway.testing import pathways

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]

SPLIT = """
format: 2
id: split
title: One need, several referrals
version: "1"
roles:
  nurse: {team: community, organisation: nhs, capacity: 2}
  therapist: {team: therapy, organisation: nhs, capacity: 1}
  social: {team: adult-social-care, organisation: council, capacity: 1}
facts:
  mobility: {type: bool, distribution: {bernoulli: 0.6}}
arrivals: {rate: 4/d}
steps:
  assess: {role: nurse, duration: 45m}
  plan: {role: nurse, duration: 20m}
  therapy: {role: therapist, duration: 1h}
  care_assessment: {role: social, duration: 1h}
  done: {outcome: true}
transitions:
  - {trigger: refer, from: assess, to: plan, when: mobility, also: [therapy, care_assessment]}
  - {trigger: plan_only, from: assess, to: plan, when: not mobility}
  - {trigger: finish, from: plan, to: done, wait: 2d}
  - {trigger: treated, from: therapy, to: done}
  - {trigger: assessed, from: care_assessment, to: done}
"""

REVIEWED = """
format: 2
id: reviewed
title: A review that refers on
version: "1"
roles:
  duty: {team: duty, organisation: council}
steps:
  review: {role: duty, duration: 30m}
  support: {role: duty, duration: 1h}
  advice: {role: duty, duration: 10m}
  done: {outcome: true}
checkpoints:
  triage:
    at: review
    questions: {complex: {ask: person}}
    routes:
      - {when: complex, to: support, also: [advice]}
    otherwise: done
transitions:
  - {trigger: supported, from: support, to: done}
  - {trigger: advised, from: advice, to: done}
"""


@pytest.fixture(scope="module")
def split() -> pathway.Pathway:
    return pathway.load(SPLIT)


def _problems(text: str) -> list[pathway.Problem]:
    with pytest.raises(pathway.DefinitionError) as raised:
        pathway.load(text)
    return list(raised.value.problems)


# -- the file format ---------------------------------------------------------------------


def test_also_needs_format_2_at_its_line() -> None:
    text = SPLIT.replace("format: 2\n", "")
    line = next(i for i, row in enumerate(text.splitlines(), start=1) if "also:" in row)
    found = {(p.field, p.line) for p in _problems(text) if p.code == "newer-format"}
    assert ("transitions[0].also", line) in found


def test_also_compiles_on_transitions_and_routes(split: pathway.Pathway) -> None:
    assert split.transitions[0].also == ("therapy", "care_assessment")
    assert all(t.also == () for t in split.transitions[1:])
    reviewed = pathway.load(REVIEWED)
    assert [t.also for t in reviewed.transitions if t.checkpoint] == [("advice",), ()]


def test_a_referring_move_on_a_loop_is_a_located_problem() -> None:
    text = SPLIT.replace(
        "  - {trigger: treated, from: therapy, to: done}",
        "  - {trigger: treated, from: therapy, to: done}\n"
        "  - {trigger: again, from: plan, to: assess}",
    )
    line = next(i for i, row in enumerate(text.splitlines(), start=1) if "also:" in row)
    found = [p for p in _problems(text) if p.code == "also-on-loop"]
    assert [(p.field, p.line) for p in found] == [("transitions[0].also", line)]
    assert "assess" in found[0].message
    assert found[0].suggestion


def test_a_referral_that_refers_again_is_a_loop() -> None:
    text = SPLIT.replace(
        "  - {trigger: treated, from: therapy, to: done}",
        "  - {trigger: treated, from: therapy, to: done}\n"
        "  - {trigger: recheck, from: care_assessment, to: assess}",
    )
    assert [p.code for p in _problems(text)] == ["also-on-loop"]


def test_also_names_a_working_step() -> None:
    unknown = _problems(SPLIT.replace("also: [therapy,", "also: [theraphy,"))
    assert [(p.code, p.field) for p in unknown] == [("unknown-reference", "transitions[0].also[0]")]
    assert "therapy" in (unknown[0].suggestion or "")
    outcome = _problems(SPLIT.replace("also: [therapy,", "also: [done,"))
    assert [p.code for p in outcome] == ["also-outcome"]


def test_a_step_reached_only_by_referral_is_reachable(split: pathway.Pathway) -> None:
    assert not [w for w in split.warnings if w.code == "unreachable"]


# -- live -----------------------------------------------------------------------------


def test_a_move_opens_its_referrals_as_new_cases_of_the_same_person(
    split: pathway.Pathway,
) -> None:
    case = split.new_case("c1", {"mobility": True}, at=T0, person="p1")
    moved = T0 + timedelta(hours=1)
    case.fire("refer", at=moved)
    assert case.state == "plan"
    referred = case.referred
    assert [r.case_id for r in referred] == ["c1/therapy", "c1/care_assessment"]
    for new, step in zip(referred, ("therapy", "care_assessment"), strict=True):
        first = new.journal[0]
        assert isinstance(first, CaseStarted)
        assert (first.step, first.at, first.person, first.referred_by) == (step, moved, "p1", "c1")
        assert (new.state, new.person, new.demand, new.referred_by) == (step, "p1", None, "c1")
        assert new.facts == case.facts
    case.fire("finish", at=moved + timedelta(days=2))
    assert case.referred == ()  # only the last move's


def test_a_move_without_also_opens_nothing_and_old_json_is_unchanged(
    split: pathway.Pathway,
) -> None:
    case = split.new_case("c2", {"mobility": False}, at=T0)
    case.fire("plan_only", at=T0 + timedelta(hours=1))
    assert case.referred == ()
    assert case.referred_by is None
    assert "referred_by" not in json.loads(case.to_json())["events"][0]


def test_referrals_replay(split: pathway.Pathway) -> None:
    case = split.new_case("c3", {"mobility": True}, at=T0)
    case.fire("refer", at=T0 + timedelta(hours=1))
    again = pathway.Case.from_json(split, case.to_json())
    assert list(again.journal) == list(case.journal)
    assert [list(r.journal) for r in again.referred] == [list(r.journal) for r in case.referred]
    therapy = case.referred[0]
    therapy.fire("treated", at=T0 + timedelta(days=1))
    rebuilt = pathway.Case.from_json(split, therapy.to_json())
    assert list(rebuilt.journal) == list(therapy.journal)
    assert (rebuilt.referred_by, rebuilt.person) == ("c3", "c3")


def test_a_checkpoint_route_opens_referrals_live() -> None:
    reviewed = pathway.load(REVIEWED)
    case = reviewed.new_case("r1", at=T0)
    case.decide("triage", answers={"complex": True}, at=T0 + timedelta(minutes=30))
    assert case.state == "support"
    assert [(r.case_id, r.state) for r in case.referred] == [("r1/advice", "advice")]


# -- counting: referrals are demands of the person, not repeats --------------------------


def test_referrals_are_counted_per_person_and_per_demand_not_as_repeats() -> None:
    person = np.asarray([0, 0, 0, 1, 1])  # person 0: a case and two referrals; 1: a return
    began = np.asarray([-1, REFERRAL, REFERRAL, -1, 1])
    failure = np.asarray([0, 0, 0, 0, 1])
    found = people_of(person, began, failure, np.ones(5, dtype=bool))
    assert (found["people"], found["demands"], found["referrals"]) == (2, 5, 2)
    assert (found["repeat_demands"], found["returns"]) == (1, 1)
    assert found["right_first_time"] == 1  # person 0: their referrals are not repeats


def test_a_live_log_counts_referrals(split: pathway.Pathway) -> None:
    case = split.new_case("c4", {"mobility": True}, at=T0)
    case.fire("refer", at=T0 + timedelta(hours=1))
    events = [*case.journal, *(e for r in case.referred for e in r.journal)]
    figures = pathway.analyse(events, split).demand["people"]
    assert (figures["people"], figures["demands"], figures["referrals"]) == (1, 3, 2)
    assert figures["repeat_demands"] == 0


# -- the simulator -----------------------------------------------------------------------


def _taken(log: pathway.EventLog, pathway_: pathway.Pathway) -> int:
    """Referrals the log's moves should have opened: each move's ``also`` count."""
    also = {(t.source, t.target, t.trigger): len(t.also) for t in pathway_.transitions}
    return sum(
        also.get((e.source, e.target, e.trigger), 0)  # type: ignore[attr-defined]
        for e in log.to_events()
        if e.kind == "transitioned"
    )


def test_simulated_referrals_are_new_cases_of_the_same_person(
    split: pathway.Pathway, tmp_path: Path
) -> None:
    path = tmp_path / "events.csv"
    output = pathway.simulate(split, cases=120, seed=7, events=str(path)).outputs[0]
    log = read_log(path)
    started = {e.case_id: e for e in log.to_events() if isinstance(e, CaseStarted)}
    referrals = [e for e in started.values() if e.referred_by is not None]
    assert len(referrals) == _taken(log, split) > 0
    for referral in referrals:
        opener = started[referral.referred_by]  # type: ignore[index]
        assert referral.person == (opener.person or opener.case_id)
        assert referral.facts == opener.facts
        assert referral.step in ("therapy", "care_assessment")
        assert referral.demand is None
    assert log.n_cases == output.arrived == len(output.times) == 120 + len(referrals)
    figures = pathway.analyse(log, split).demand["people"]
    assert (figures["people"], figures["referrals"]) == (120, len(referrals))
    assert figures["repeat_demands"] == 0


def _small_pathways_with_referrals() -> st.SearchStrategy[PathwaySpec]:
    return pathways(2, 6, checkpoints=False, calendars=False, visits=False, guards=False).filter(
        lambda spec: any(t.also for t in spec.transitions)
    )


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(spec=_small_pathways_with_referrals(), seed=st.integers(0, 2**31 - 1))
def test_demands_per_person_are_one_plus_the_referrals_taken(
    spec: PathwaySpec, seed: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    if spec.arrivals is None:
        spec = spec.model_copy(update={"arrivals": ArrivalsSpec(rate="10/d")})
    model = pathway.load(pathway.dump(spec))
    with_returns = [s for s in model.steps.values() if s.returns is not None]
    path = tmp_path_factory.mktemp("sim") / "events.csv"
    output = pathway.simulate(model, cases=15, seed=seed, events=str(path), pure=True).outputs[0]
    with path.open(newline="") as handle:  # as written (zero-minute loops repeat rows)
        rows = list(csv.DictReader(handle))
    started = [r for r in rows if r["type"] == "case_started"]
    referrals = [r for r in started if r["referred_by"]]
    returns = sum(bool(r["person"]) and not r["referred_by"] for r in started)
    also = {(t.source, t.target, t.trigger): len(t.also) for t in model.transitions}
    taken = sum(
        also.get((r["source"], r["target"], r["trigger"]), 0)
        for r in rows
        if r["type"] == "transitioned"
    )
    assert len(referrals) == taken  # every referral a move opened arrived
    assert len(started) == output.arrived == 15 + len(referrals) + returns
    if not with_returns:  # demands per person: one plus the referrals their moves took
        per_person = Counter(r["person"] or r["case_id"] for r in started)
        opened = Counter(r["referred_by"] for r in referrals)
        assert per_person == Counter({p: 1 + opened[p] for p in per_person})
    # conservation: every case (referrals too) arrived, and has finished or is in flight
    ended = sum(r["type"] == "outcome_reached" for r in rows)
    assert ended == output.finished == int(np.isfinite(output.times[:, MF_END]).sum())
    assert len(started) - ended == output.in_flight
    again = pathway.simulate(model, cases=15, seed=seed, pure=True).outputs[0]
    assert np.array_equal(output.counts, again.counts)  # deterministic per seed
    assert np.array_equal(output.times, again.times, equal_nan=True)


def test_pure_and_compiled_kernels_give_the_same_rows_with_referrals(
    split: pathway.Pathway, tmp_path: Path
) -> None:
    logs = {}
    for pure in (True, False):
        logs[pure] = tmp_path / f"{pure}.csv"
        pathway.simulate(split, cases=80, seed=11, events=str(logs[pure]), pure=pure)
    assert logs[True].read_bytes() == logs[False].read_bytes()
    assert b"referred_by" in logs[True].read_bytes().splitlines()[0]


def test_report_simulate_measures_referrals_as_one_cohort(split: pathway.Pathway) -> None:
    from pathway._report._simulated import simulated_report

    report = simulated_report(split, 60, 3)
    figures = report.demand["people"]
    assert figures["people"] == 60
    assert figures["demands"] == 60 + figures["referrals"]
    assert figures["referrals"] > 0
    assert figures["repeat_demands"] == 0


def test_the_example_loads_and_refers() -> None:
    example = pathway.load(ROOT / "examples" / "concurrent-referrals.yaml")
    assert any(t.also for t in example.transitions)
