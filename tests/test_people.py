"""People versus demands: the person id on the spine, live cases of one person, returns.

A case is one demand; its ``case_started`` event may name the ``person`` it is from
(default: the case itself) and the kind of failure demand it is (``demand``).
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import pathway
from pathway import CaseStarted
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
