"""The columnar event log: building, round trips through CSV and Parquet, validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

import pathway
from pathway import Decision, FactsUpdated, OutcomeReached, StepCompleted, Transitioned
from pathway._journal._eventlog import KINDS, NAT, EventLog, kind_code
from pathway.errors import DefinitionError
from pathway.io import read_log, write_log

T0 = datetime(2018, 9, 4, 10, 0, tzinfo=UTC)
W = pathway.Worker
HEADER = "type,case_id,at,step,started,work,cause"


@pytest.fixture(scope="module")
def hub() -> pathway.Pathway:
    return pathway.load(Path(__file__).resolve().parents[1] / "pathways" / "recovery-hub-2017.yaml")


@pytest.fixture(scope="module")
def live(hub: pathway.Pathway) -> pathway.Case:
    """A live case with every kind of event the engine makes on this pathway."""
    case = hub.new_case("c1", {"needs_prescribing": True, "needs_external_referral": False}, at=T0)
    duty, manager, worker = (
        W("d1", "duty_worker"),
        W("m", "team_manager"),
        W("r1", "recovery_worker"),
    )
    case.fire("screen", at=T0 + timedelta(minutes=10), by=duty)
    case.fire("screened_in", at=T0 + timedelta(minutes=40), by=duty)
    case.update_facts(at=T0 + timedelta(minutes=41), by=duty, needs_external_referral=True)
    case.fire("list_for_allocation", at=T0 + timedelta(minutes=45), by=duty)
    case.begin(at=T0 + timedelta(hours=3), by=manager)
    case.fire("allocate", at=T0 + timedelta(hours=3, minutes=10), by=manager)
    case.record_failure_demand("chase", at=T0 + timedelta(days=2), note="rang, twice")
    case.begin(at=T0 + timedelta(days=3), by=worker)
    case.fire("invite_back", at=T0 + timedelta(days=3, minutes=15), by=worker)
    case.did_not_attend(at=T0 + timedelta(days=5))
    case.begin(at=T0 + timedelta(days=9), by=worker)
    return case


def test_from_events_round_trips_to_the_same_events(live: pathway.Case) -> None:
    log = EventLog.from_cases([live])
    assert len(log) == len(live.journal)
    assert log.to_events() == list(live.journal)
    assert log.n_cases == 1


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_files_round_trip(live: pathway.Case, tmp_path: Path, suffix: str) -> None:
    log = EventLog.from_cases([live])
    path = tmp_path / f"events{suffix}"
    write_log(log, path)
    back = read_log(path)
    assert back.to_events() == list(live.journal)
    assert np.array_equal(back.at, log.at)


def test_csv_without_pyarrow_round_trips(
    live: pathway.Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathway.io import _files

    monkeypatch.setattr(_files, "_has_pyarrow", lambda: False)
    path = tmp_path / "events.csv"
    write_log(EventLog.from_cases([live]), path)
    assert path.read_text().splitlines()[0].startswith("type,case_id,at,step,")
    assert read_log(path).to_events() == list(live.journal)


def test_rows_sort_by_case_then_time_keeping_given_order() -> None:
    t = T0
    events = [
        StepCompleted("b", t + timedelta(minutes=5), "s", None, None, t, "value"),
        Transitioned("b", t + timedelta(minutes=5), "go", "s", "end", None, None),
        OutcomeReached("b", t + timedelta(minutes=5), "end"),
        StepCompleted("a", t + timedelta(minutes=9), "s", None, None, t, "waste1"),
        FactsUpdated("a", t - timedelta(minutes=1), {"x": 1}),
    ]
    log = EventLog.from_events(events)
    assert log.case_ids == ("a", "b")  # a's first event is earlier
    assert [KINDS[k] for k in log.kind] == [
        "facts_updated",
        "step_completed",
        "step_completed",
        "transitioned",
        "outcome_reached",
    ]
    assert log.case.tolist() == [0, 0, 1, 1, 1]
    starts, ends = log.case_bounds()
    assert (starts.tolist(), ends.tolist()) == ([0, 2], [2, 5])
    assert log.started[0] == NAT
    assert log.labels("work")[log.codes["work"][1]] == "waste1"


def test_decisions_keep_their_answers() -> None:
    decision = Decision(
        "d",
        T0,
        "plan",
        "assess",
        {"legal": True, "necessary": False},
        ("legal",),
        {"age": 30},
        "amy",
        "risk assessed",
        "next",
        "worker",
    )
    (back,) = EventLog.from_events([decision]).to_events()
    assert back == decision


def test_reads_the_simulator_shape_with_local_offsets(tmp_path: Path) -> None:
    path = tmp_path / "sim.csv"
    path.write_text(
        "type,case_id,at,step,started,work,cause,replication\n"
        "case_started,c-1,2018-09-04T11:00:00.000000+01:00,first,,,,0\n"
        "step_completed,c-1,2018-09-04T11:30:00.000000+01:00,first,"
        "2018-09-04T11:00:00.000000+01:00,value,,0\n"
        "waited,c-1,2018-09-05T09:00:00.000000+01:00,second,"
        "2018-09-04T11:30:00.000000+01:00,,calendar,0\n"
    )
    log = read_log(path)
    assert log.first_at == datetime(2018, 9, 4, 10, 0, tzinfo=UTC)
    assert (log.at[1] - log.started[1]) == 30 * 60 * 10**9
    assert log.labels("cause")[log.codes["cause"][2]] == "calendar"


def bad_log(tmp_path: Path, rows: list[str], name: str = "bad.csv") -> DefinitionError:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    with pytest.raises(DefinitionError) as caught:
        read_log(path)
    return caught.value


def test_bad_rows_name_file_line_and_column(tmp_path: Path) -> None:
    error = bad_log(
        tmp_path,
        [
            "case_started,c1,2018-09-04T10:00:00+00:00,a,,,",
            "step_finished,c1,2018-09-04T10:05:00+00:00,a,,,",
            "step_completed,c1,yesterday,a,2018-09-04T10:00:00+00:00,value,",
            "step_completed,c1,2018-09-04T10:09:00+00:00,a,,value,",
            "step_completed,c1,2018-09-04T10:09:00+00:00,a,2018-09-04T10:00:00+00:00,waste9,",
            "waited,,2018-09-04T10:09:00+00:00,b,2018-09-04T11:00:00+00:00,,handoff",
        ],
    )
    found = {(p.line, p.column, p.field) for p in error.problems}
    assert found == {
        (3, 1, "type"),  # unknown event type
        (4, 3, "at"),  # not a date-time
        (5, 5, "started"),  # step_completed needs started
        (6, 6, "work"),  # unknown work class
        (7, 2, "case_id"),  # empty
        (7, 5, "started"),  # started after at
    }
    assert all(p.source.endswith("bad.csv") for p in error.problems)
    text = str(error)
    assert "bad.csv:3:1" in text
    assert "unknown event type" in text
    assert "'yesterday'" in text


def test_missing_columns_are_one_clear_problem(tmp_path: Path) -> None:
    path = tmp_path / "no-type.csv"
    path.write_text("case_id,when\nc1,2018-09-04\n")
    with pytest.raises(DefinitionError, match="has no 'type' column"):
        read_log(path)


def test_parquet_rows_are_numbered_from_one(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "bad.parquet"
    table = pa.table(
        {
            "type": ["case_started", "nonsense"],
            "case_id": ["a", "a"],
            "at": ["2018-09-04T10:00:00Z", "2018-09-04T10:00:00Z"],
            "step": ["s", "s"],
        }
    )
    pq.write_table(table, path)
    with pytest.raises(DefinitionError) as caught:
        read_log(path)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column, problem.field) == (2, 1, "type")


def test_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_log(tmp_path / "absent.csv")


def test_from_columns_for_producers() -> None:
    ns = 10**9 * 60
    log = EventLog.from_columns(
        case_ids=["x", "y"],
        case=[1, 0, 1],
        at=[5 * ns, 7 * ns, 0],
        kind=[kind_code("step_completed"), kind_code("case_started"), kind_code("case_started")],
        started=[0, NAT, NAT],
        codes={"step": [0, 0, 0], "work": [2, -1, -1]},
        vocab={"step": ["s"]},
    )
    assert log.case_ids == ("y", "x")
    assert [KINDS[k] for k in log.kind] == ["case_started", "step_completed", "case_started"]
    with pytest.raises(ValueError, match="must start with"):
        EventLog.from_columns(case_ids=[], case=[], at=[], kind=[], vocab={"work": ["waste1"]})
