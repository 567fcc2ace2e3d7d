"""pathway against pm4py on the same logs: hand-offs, waits by transition and case
durations are equal; and logs go pathway -> XES/OCEL -> pm4py -> pathway unchanged.

pm4py is a test-only dependency (the ``dev`` extra); these tests are skipped without it.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import pathway
import pathway.io as pio
from log_support import aligned_tables
from pathway._analysis._cases import case_table, handoff_events
from pathway._report._build import build_report

pm4py = pytest.importorskip("pm4py")

DATA = Path(__file__).parent / "data"
LOGS = ["running-example.xes", "helpdesk.xes.gz"]


@pytest.fixture(autouse=True)
def _quiet() -> None:
    warnings.filterwarnings("ignore", category=UserWarning, module="pm4py")


def _pm4py_log(name: str):  # type: ignore[no-untyped-def]
    return pm4py.read_xes(str(DATA / name), show_progress_bar=False)


@pytest.mark.parametrize("name", LOGS)
def test_case_durations_equal_pm4py(name: str) -> None:
    ours = case_table(pio.read_events(DATA / name).log)
    theirs = sorted(pm4py.get_all_case_durations(_pm4py_log(name)))
    assert np.allclose(sorted(ours.end_to_end * 60), theirs)


@pytest.mark.parametrize("name", LOGS)
def test_waits_by_transition_equal_pm4py(name: str) -> None:
    report = build_report(pio.read_events(DATA / name).log)
    dfg, _start, _end = pm4py.discover_performance_dfg(_pm4py_log(name))
    ours = {(row.source, row.target): row for row in report.attribution.transitions}
    pairs = {pair for pair in ours if pair[0] != "(start)"}
    assert pairs == set(dfg)
    for pair, stats in dfg.items():
        row = ours[pair]
        assert row.wait_mean * 60 == pytest.approx(stats["mean"], rel=1e-9)
        assert row.wait_median * 60 == pytest.approx(stats["median"], rel=1e-9)


@pytest.mark.parametrize("name", LOGS)
def test_handoffs_equal_pm4py_handover_network(name: str) -> None:
    log = pio.read_events(DATA / name).log
    rows, _case, _level = handoff_events(log)
    frame = _pm4py_log(name)
    network = pm4py.discover_handover_of_work_network(frame)
    # pm4py divides each count by the number of successions of all resources
    pairs = frame.groupby("case:concept:name").size().sub(1).clip(lower=0).sum()
    theirs = sum(v for (a, b), v in network.connections.items() if a != b) * pairs
    assert len(rows) == round(theirs)


def test_pathway_to_xes_to_pm4py_and_back(tmp_path: Path) -> None:
    model = pathway.load(DATA / "patients-pathway.yaml")
    columns = {
        "case": "patient",
        "activity": "handling",
        "resource": "employee",
        "instance": "handling_id",
        "lifecycle": "registration_type",
        "time": "time",
    }
    original = pio.read_events(DATA / "bupar-patients.csv", model, columns=columns).log
    pio.export_log(original, tmp_path / "out.xes")
    frame = pm4py.read_xes(str(tmp_path / "out.xes"), show_progress_bar=False)
    assert set(frame.columns) >= {"org:resource", "start_timestamp", "time:timestamp"}
    pm4py.write_xes(frame, str(tmp_path / "again.xes"))
    again = pio.read_events(tmp_path / "again.xes", model).log
    before, after, order = aligned_tables(original, again, model)
    assert np.allclose(before.end_to_end, after.end_to_end[order])
    assert np.allclose(before.touch, after.touch[order])
    assert np.allclose(before.total_wait, after.total_wait[order])
    assert np.array_equal(before.handoffs, after.handoffs[order])


def test_pathway_to_ocel_to_pm4py_and_back(tmp_path: Path) -> None:
    original = pio.read_events(DATA / "running-example.xes").log
    pio.export_log(original, tmp_path / "out.jsonocel")
    ocel = pm4py.read_ocel2_json(str(tmp_path / "out.jsonocel"))
    assert len(ocel.events) == 42
    pm4py.write_ocel2_sqlite(ocel, str(tmp_path / "again.sqlite"))
    again = pio.read_events(tmp_path / "again.sqlite", case_type="case").log
    before, after, order = aligned_tables(original, again)
    assert np.allclose(before.end_to_end, after.end_to_end[order])
    assert np.array_equal(before.handoffs, after.handoffs[order])


def test_pm4py_reads_every_export(tmp_path: Path) -> None:
    log = pio.read_events(DATA / "running-example.xes").log
    for suffix in (".csv", ".parquet", ".sqlite"):
        pio.export_log(log, tmp_path / f"out{suffix}")
    import pandas

    frame = pm4py.format_dataframe(pandas.read_csv(tmp_path / "out.csv"))
    assert len(frame) == 42
    assert len(pandas.read_parquet(tmp_path / "out.parquet")) == 42
    assert len(pm4py.read_ocel2_sqlite(str(tmp_path / "out.sqlite")).events) == 42
