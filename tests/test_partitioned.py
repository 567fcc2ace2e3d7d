"""The analysis of a log in parts (whole cases per part) equals the analysis of the
whole log in memory, field by field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pathway
from pathway._analysis._journey import journey_of
from pathway._analysis._partial import combine, part_of
from pathway._journal._eventlog import EventLog, sorted_log
from pathway._report._build import build_report, combined_report
from pathway._report._partitioned import report_in_parts, split_by_case
from pathway._report._report import Report
from pathway._report._simulated import simulated_report
from pathway.cli import main as cli_main
from pathway.errors import EventLogError
from pathway.io import read_log

HUB = Path(__file__).parent.parent / "pathways" / "recovery-hub-2017.yaml"


@pytest.fixture(scope="module")
def hub() -> pathway.Pathway:
    return pathway.load(HUB)


@pytest.fixture(scope="module")
def whole(hub: pathway.Pathway, tmp_path_factory: pytest.TempPathFactory) -> EventLog:
    """A simulated cohort's log, some cases still open at the horizon."""
    path = tmp_path_factory.mktemp("parts") / "events.parquet"
    pathway.simulate(hub, cases=400, seed=3, horizon="120d", events=path)
    return read_log(path)


def subset(log: EventLog, keep: np.ndarray) -> tuple[EventLog, np.ndarray]:
    """The log of the cases ``keep`` selects, and where each case first appears in
    ``log`` (in the part's case order)."""
    rows = np.flatnonzero(keep[log.case])
    cases, local = np.unique(log.case[rows], return_inverse=True)
    part = sorted_log(
        case=local.astype(np.int64).reshape(-1),
        case_ids=tuple(log.case_ids[c] for c in cases),
        at=log.at[rows],
        kind=log.kind[rows],
        started=log.started[rows],
        attendance=log.attendance[rows],
        codes={f: np.ascontiguousarray(c[rows]) for f, c in log.codes.items()},
        vocab=dict(log.vocab),
    )
    starts, _ends = log.case_bounds()
    position = {case_id: i for i, case_id in enumerate(log.case_ids)}
    first = np.asarray([starts[position[c]] for c in part.case_ids], dtype=np.int64)
    return part, first


def in_parts(log: EventLog, assignment: np.ndarray, model: pathway.Pathway | None) -> Report:
    """The report of ``log`` analysed part by part (case i in part ``assignment[i]``)."""
    logs, parts = [], []
    for number in range(int(assignment.max()) + 1):
        part_log, first = subset(log, assignment == number)
        logs.append(part_log)
        parts.append(part_of(part_log, first, model))
    return combined_report(
        combine(parts), model, lambda part, case: journey_of(logs[part], case, model)
    )


def assert_same(new: Report, old: Report) -> None:
    assert new.to_dict() == old.to_dict()
    assert new.to_json() == old.to_json()
    for name in ("case_ids", "causes"):
        assert getattr(new.cases, name) == getattr(old.cases, name)
    for name, (values, _unit) in old.cases.measures().items():
        np.testing.assert_array_equal(new.cases.measures()[name][0], values, err_msg=name)
    np.testing.assert_array_equal(new.scope, old.scope)


def test_three_parts_give_the_whole_logs_report(whole: EventLog, hub: pathway.Pathway) -> None:
    assignment = np.arange(whole.n_cases) % 3
    old = build_report(whole, hub)
    assert old.log_info["in_flight"] > 0  # the comparison covers open cases too
    assert_same(in_parts(whole, assignment, hub), old)


@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_any_split_by_case_gives_the_same_report(
    whole: EventLog, hub: pathway.Pathway, data: st.DataObject
) -> None:
    parts = data.draw(st.integers(1, 5), label="parts")
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    assignment = np.random.default_rng(seed).integers(0, parts, whole.n_cases)
    assignment[0] = parts - 1  # every part number up to the last is used or empty
    model: Any = hub if data.draw(st.booleans(), label="with pathway") else None
    assert_same(in_parts(whole, assignment, model), build_report(whole, model))


def test_a_log_with_no_finished_case_in_parts(whole: EventLog, hub: pathway.Pathway) -> None:
    open_cases = np.flatnonzero(build_report(whole, hub).cases.finished == 0)
    keep = np.zeros(whole.n_cases, dtype=bool)
    keep[open_cases] = True
    log, _first = subset(whole, keep)
    assignment = np.arange(log.n_cases) % 2
    old = build_report(log, hub)
    assert old.scope_label.startswith("all cases")
    assert_same(in_parts(log, assignment, hub), old)


def test_a_case_in_two_parts_is_refused(whole: EventLog) -> None:
    part, first = subset(whole, np.ones(whole.n_cases, dtype=bool))
    with pytest.raises(ValueError, match="two parts"):
        combine([part_of(part, first), part_of(part, first)])


def test_a_simulated_cohort_past_2262_is_reported(hub: pathway.Pathway) -> None:
    """Arrivals about once in 290 days: 300 cases run for about 240 years, past the last
    time an event log file can hold, and are measured all the same, block by block."""
    slow = pathway.load(HUB.read_text(encoding="utf-8").replace("rate: 3/d", "rate: 0.0035/d"))
    report = simulated_report(slow, 300, 2, block=64)
    info = report.log_info
    assert info["cases"] == 300
    assert info["first_event"].startswith("2017-")
    assert int(info["last_event"][:4]) > 2262
    assert info["finished"] + info["in_flight"] == 300


def test_blocks_of_any_size_give_the_same_report(hub: pathway.Pathway) -> None:
    reports = [simulated_report(hub, 120, 7, block=size).to_dict() for size in (1, 50, 1000)]
    assert reports[0] == reports[1] == reports[2]


@pytest.fixture(scope="module")
def parts_on_disk(
    hub: pathway.Pathway, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[Path]]:
    """A simulated Parquet log and the same log split by case into three files."""
    folder = tmp_path_factory.mktemp("split")
    path = folder / "events.parquet"
    pathway.simulate(hub, cases=300, seed=9, horizon="150d", events=path)
    return path, split_by_case(path, folder / "parts", 3)


def test_a_log_split_by_case_into_files_reports_as_the_whole(
    hub: pathway.Pathway, parts_on_disk: tuple[Path, list[Path]]
) -> None:
    whole, files = parts_on_disk
    assert len(files) == 3
    assert_same(report_in_parts(files, hub), build_report(read_log(whole, hub), hub))


def test_files_that_share_a_case_are_refused(
    hub: pathway.Pathway, parts_on_disk: tuple[Path, list[Path]]
) -> None:
    whole, _files = parts_on_disk
    with pytest.raises(EventLogError, match="two parts"):
        report_in_parts([whole, whole], hub)


@pytest.mark.slow
def test_parts_on_a_real_dask_cluster_report_as_the_whole(
    hub: pathway.Pathway, parts_on_disk: tuple[Path, list[Path]]
) -> None:
    distributed = pytest.importorskip("dask.distributed")
    whole, files = parts_on_disk
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = report_in_parts(files, hub, client=client)
        assert len(client.scheduler_info()["workers"]) == 2
    assert_same(remote, build_report(read_log(whole, hub), hub))


@pytest.mark.slow
def test_cli_report_on_parts_with_two_workers(
    parts_on_disk: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    """``pathway report FILE --events 'DIR/*.parquet' --workers 2`` (a real cluster)
    prints the report of the whole log."""
    whole, files = parts_on_disk
    out = tmp_path / "parts.json"
    pattern = str(files[0].parent / "*.parquet")
    args = ["report", str(HUB), "--events", pattern, "--workers", "2", "--format", "json"]
    assert cli_main([*args, "-o", str(out)]) == 0
    expected = pathway.analyse(read_log(whole), pathway.load(HUB)).to_json()
    assert json.loads(out.read_text()) == json.loads(expected)


@pytest.fixture(scope="module")
def plan(hub: pathway.Pathway) -> Any:
    from pathway._sim._plan import build_plan

    return build_plan(hub)


@settings(max_examples=25, deadline=None)
@given(minutes=st.lists(st.floats(0, 60 * 24 * 365 * 40, allow_nan=False), min_size=1, max_size=50))
def test_block_times_are_the_log_writers(plan: Any, minutes: list[float]) -> None:
    """The report's UTC times of simulated minutes equal the event log writer's, hour
    by hour (Europe/London: two changes a year), including the hours around each
    change."""
    from pathway._report._simulated import _Blocks
    from pathway._sim._events import ChunkConverter

    near = [m + 60 * h for m in minutes[:3] for h in range(-3, 4) if m >= 180]
    values = np.asarray(minutes + near)
    blocks = _Blocks(plan, pathway.load(HUB), 10, 10)
    expected = ChunkConverter(plan, {}).times(values).utc - blocks.base_us
    np.testing.assert_array_equal(blocks._micro(values), expected)
