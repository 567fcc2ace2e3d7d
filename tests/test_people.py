"""People versus demands: the person id on the spine, live cases of one person, returns.

A case is one demand; its ``case_started`` event may name the ``person`` it is from
(default: the case itself) and the kind of failure demand it is (``demand``).
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pathway
from pathway import CaseStarted
from pathway._analysis._people import people_of
from pathway._journal._eventlog import EventLog
from pathway.errors import ArgumentError, TransitionError
from pathway.io import read_log, write_log

T0 = datetime(2018, 9, 4, 10, 0, tzinfo=UTC)
FRONT_DOOR = """
id: front-door
title: A front door
version: "1"
roles:
  duty: {team: duty, organisation: council}
steps:
  contact: {role: duty, duration: 10m}
  advised: {outcome: true}
transitions:
  - {trigger: advise, from: contact, to: advised}
"""


@pytest.fixture(scope="module")
def first() -> pathway.Pathway:
    return pathway.load(FRONT_DOOR)


def signposted(p: pathway.Pathway, case_id: str, at: datetime, **kw: object) -> pathway.Case:
    """A case that goes straight from its contact to an outcome."""
    case = p.new_case(case_id, at=at, **kw)  # type: ignore[arg-type]
    case.fire("advise", at=at + timedelta(minutes=20), by="d1")
    return case


def test_a_case_is_its_own_person_and_its_json_is_unchanged(first: pathway.Pathway) -> None:
    case = first.new_case("c1", at=T0)
    assert case.person == "c1"
    assert case.demand is None
    started = json.loads(case.to_json())["events"][0]
    assert "person" not in started
    assert "demand" not in started


def test_person_and_demand_survive_json_and_replay(first: pathway.Pathway) -> None:
    case = first.new_case("c2", at=T0, person="p1", demand="re_referral")
    again = pathway.Case.from_json(first, case.to_json())
    assert (again.person, again.demand) == ("p1", "re_referral")
    assert again.journal[0] == case.journal[0]


def test_an_unknown_demand_kind_is_refused_with_a_suggestion(first: pathway.Pathway) -> None:
    with pytest.raises(TransitionError, match="did you mean 're_referral'"):
        first.new_case("c3", at=T0, demand="re_refferal")
    with pytest.raises(ArgumentError):
        first.new_case("c3", at=T0, person=7)  # type: ignore[arg-type]


def test_a_return_is_a_new_demand_of_the_same_person(first: pathway.Pathway) -> None:
    case = signposted(first, "c4", T0, roster={"d1": "duty"}, person="p4")
    back = case.returning("c5", at=T0 + timedelta(days=30))
    assert back.person == "p4"
    assert back.demand == "re_presentation"
    assert back.state == first.start
    planned = case.returning("c6", at=T0 + timedelta(days=60), demand=None)
    assert planned.demand is None


def test_a_return_needs_an_outcome_first(first: pathway.Pathway) -> None:
    case = first.new_case("c7", at=T0)
    with pytest.raises(TransitionError, match="has not reached an outcome"):
        case.returning("c8", at=T0 + timedelta(days=1))
    done = signposted(first, "c9", T0, roster={"d1": "duty"})
    with pytest.raises(TransitionError, match="ended later"):
        done.returning("c10", at=T0)


def test_the_log_counts_people_and_demands(first: pathway.Pathway) -> None:
    roster = {"d1": "duty"}
    one = signposted(first, "a", T0, roster=roster)
    two = one.returning("b", at=T0 + timedelta(days=3))
    other = first.new_case("c", at=T0 + timedelta(hours=1))
    log = EventLog.from_cases([one, two, other])
    index, people = log.persons()
    assert log.n_cases == 3
    assert people == ("a", "c")
    assert [people[i] for i in index] == ["a", "c", "a"]  # cases in order of arrival


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_person_round_trips_through_files(
    first: pathway.Pathway, tmp_path: Path, suffix: str
) -> None:
    one = signposted(first, "a", T0, roster={"d1": "duty"})
    two = one.returning("b", at=T0 + timedelta(days=3), demand="re_referral")
    log = EventLog.from_cases([one, two])
    path = tmp_path / f"log{suffix}"
    write_log(log, path)
    back = read_log(path)
    assert back.to_events() == log.to_events()
    assert back.persons()[1] == ("a",)


def test_an_older_csv_log_without_the_person_column_still_reads(
    first: pathway.Pathway, tmp_path: Path
) -> None:
    log = EventLog.from_cases([signposted(first, "a", T0, roster={"d1": "duty"})])
    path = tmp_path / "new.csv"
    write_log(log, path)
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    old = tmp_path / "old.csv"
    with old.open("w", newline="") as handle:
        names = [n for n in rows[0] if n not in {"person"}]
        writer = csv.DictWriter(handle, names, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    back = read_log(old)
    assert back.to_events() == log.to_events()
    assert back.persons()[1] == ("a",)


def test_an_older_parquet_log_without_the_person_column_still_reads(
    first: pathway.Pathway, tmp_path: Path
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    log = EventLog.from_cases([signposted(first, "a", T0, roster={"d1": "duty"})])
    path = tmp_path / "new.parquet"
    write_log(log, path)
    table = pq.read_table(path)
    old = tmp_path / "old.parquet"
    pq.write_table(table.drop_columns(["person"]), old)
    back = read_log(old)
    assert back.to_events() == log.to_events()


def test_case_started_keeps_person_last_so_old_positional_calls_work() -> None:
    event = CaseStarted("x", T0, "s", "p", "1", "h", {})
    assert (event.person, event.demand) == (None, None)


# -- the file format: failure-demand moves and returns (format 2) ------------------------

LOOPING = """
format: 2
id: loop
title: A front door people come back to
version: "1"
roles:
  duty: {team: duty, organisation: council, capacity: 2}
facts:
  complex: {type: bool, distribution: {bernoulli: 0.4}}
returns: {p: 0.3, after: {exponential: {mean: 30d}}}
arrivals: {rate: 5/d}
steps:
  contact: {role: duty, duration: 10m}
  assess: {role: duty, duration: 30m}
  advised: {outcome: true, returns: {p: 0.5, after: 7d, same_worker: true}}
  closed: {outcome: true}
transitions:
  - {trigger: advise, from: contact, to: advised, when: not complex}
  - {trigger: assess, from: contact, to: assess, when: complex}
  - {trigger: back, from: assess, to: contact, p: 0.3, demand: re_presentation}
  - {trigger: close, from: assess, to: closed, p: 0.7}
"""

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def looping() -> pathway.Pathway:
    return pathway.load(LOOPING)


# The shipped files keep their version-1 content hashes once their format-2 keys are
# taken out: tests/test_observed.py::test_shipped_files_changed_only_by_format_2_keys.


@pytest.mark.parametrize(
    ("key", "snippet"),
    [
        ("returns", "returns: {p: 0.3"),
        ("steps.advised.returns", "advised: {outcome"),
        ("transitions[2].demand", "demand: re_presentation"),
    ],
)
def test_the_new_keys_need_format_2(key: str, snippet: str) -> None:
    text = LOOPING.replace("format: 2\n", "")
    line = next(i for i, row in enumerate(text.splitlines(), start=1) if snippet in row)
    with pytest.raises(pathway.DefinitionError) as raised:
        pathway.load(text)
    found = {(p.field, p.line) for p in raised.value.problems if p.code == "newer-format"}
    assert (key, line) in found


def test_returns_only_after_an_outcome() -> None:
    text = LOOPING.replace(
        "assess: {role: duty, duration: 30m}",
        "assess: {role: duty, duration: 30m, returns: {p: 1, after: 1d}}",
    )
    with pytest.raises(pathway.DefinitionError) as raised:
        pathway.load(text)
    assert [p.code for p in raised.value.problems] == ["returns-not-outcome"]


def test_returns_compile_with_the_pathway_default(looping: pathway.Pathway) -> None:
    advised, closed = looping.steps["advised"].returns, looping.steps["closed"].returns
    assert advised is not None
    assert closed is not None
    assert (advised.probability, advised.same_worker, advised.demand) == (
        0.5,
        True,
        "re_presentation",
    )
    assert closed.probability == 0.3
    assert looping.steps["contact"].returns is None


def test_a_failure_demand_move_is_recorded_live_and_replays(looping: pathway.Pathway) -> None:
    case = looping.new_case("x", {"complex": True}, at=T0, roster={"d": "duty"})
    case.fire("assess", at=T0 + timedelta(minutes=10), by="d")
    case.fire("back", at=T0 + timedelta(minutes=40), by="d")
    failure = [e for e in case.journal if e.kind == "failure_demand"]
    assert [(e.demand, e.step) for e in failure] == [("re_presentation", "contact")]  # type: ignore[attr-defined]
    assert case.measures().failure_demand == {"re_presentation": 1}
    again = pathway.Case.from_json(looping, case.to_json())
    assert list(again.journal) == list(case.journal)


# -- the simulator: returns, conservation, people versus demands -------------------------


def test_simulated_returns_are_new_demands_of_the_same_people(
    looping: pathway.Pathway, tmp_path: Path
) -> None:
    path = tmp_path / "events.csv"
    result = pathway.simulate(looping, cases=200, seed=5, events=str(path))
    output = result.outputs[0]
    log = read_log(path)
    _, people = log.persons()
    assert len(people) == 200  # the cohort's people
    assert log.n_cases == output.arrived == len(output.times)  # every demand, counted once
    assert output.arrived - output.finished == output.in_flight
    started = [e for e in log.to_events() if isinstance(e, CaseStarted)]
    returns = [e for e in started if e.person is not None]
    assert returns
    assert all(e.demand == "re_presentation" for e in returns)
    person_of = {e.case_id: e.person or e.case_id for e in started}
    ended: dict[str, list[datetime]] = {}
    for event in log.to_events():
        if event.kind == "outcome_reached":
            ended.setdefault(person_of[event.case_id], []).append(event.at)
    for back in returns:  # a return comes only after an outcome of that person
        assert back.person is not None
        assert any(at <= back.at for at in ended[back.person])
    report = pathway.analyse(log, looping)
    figures = report.demand["people"]
    assert figures["people"] == 200
    assert figures["demands"] == log.n_cases
    assert figures["repeat_demands"] == log.n_cases - 200
    assert figures["returns"] == len(returns)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), cases=st.integers(1, 60))
def test_simulated_people_and_demands_hold_together(seed: int, cases: int) -> None:
    model = pathway.load(LOOPING)
    first = pathway.simulate(model, cases=cases, seed=seed, pure=True).outputs[0]
    again = pathway.simulate(model, cases=cases, seed=seed, pure=True).outputs[0]
    assert np.array_equal(first.counts, again.counts)  # deterministic per seed
    assert np.array_equal(first.times, again.times, equal_nan=True)
    person = first.times[:, 2].astype(np.int64)  # MF_PERSON
    assert len(np.unique(person)) == cases <= first.arrived
    assert first.arrived - first.finished == first.in_flight


@settings(max_examples=40, deadline=None)
@given(
    person=st.lists(st.integers(0, 6), min_size=1, max_size=30),
    data=st.data(),
)
def test_people_figures_agree_with_their_counts(person: list[int], data: st.DataObject) -> None:
    n = len(person)
    began = np.asarray(data.draw(st.lists(st.sampled_from([-1, 1]), min_size=n, max_size=n)))
    failure = np.asarray(data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    finished = np.asarray(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    failure = np.maximum(failure, began >= 0)  # a case that is failure demand counts it
    found = people_of(np.asarray(person), began, failure, finished)
    assert found["people"] <= found["demands"] == n
    assert found["repeat_demands"] == n - found["people"]
    assert found["repeat_share"] == pytest.approx(found["repeat_demands"] / n)
    assert found["right_first_time"] <= found["people_decided"] <= found["people"]
    if found["right_first_time_share"] is not None:
        assert found["right_first_time_share"] == pytest.approx(
            found["right_first_time"] / found["people_decided"]
        )
