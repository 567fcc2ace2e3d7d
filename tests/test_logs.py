"""Real event logs: the process-mining readers (tables, XES, OCEL 2.0), the rules that
read them against a pathway, conformance, export, and malformed files."""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pathway
import pathway.io as pio
from log_support import aligned_tables
from pathway._analysis._cases import case_table
from pathway._analysis._conformance import conformance
from pathway.cli import main
from pathway.errors import EventLogError

DATA = Path(__file__).parent / "data"
PATIENTS = DATA / "bupar-patients.csv"
PATIENT_COLUMNS = {
    "case": "patient",
    "activity": "handling",
    "resource": "employee",
    "instance": "handling_id",
    "lifecycle": "registration_type",
    "time": "time",
}
COLUMNS_ARG = ",".join(f"{k}={v}" for k, v in PATIENT_COLUMNS.items())


@pytest.fixture(scope="module")
def patients() -> pathway.Pathway:
    return pathway.load(DATA / "patients-pathway.yaml")


def write_csv(path: Path, rows: list[tuple[str, ...]], header: str) -> Path:
    path.write_text(header + "\n" + "\n".join(",".join(r) for r in rows) + "\n")
    return path


# ------------------------------------------------------------------------- readers


def test_xes_running_example_is_read_with_its_resources() -> None:
    log = pio.read_xes(DATA / "running-example.xes")
    assert (len(log), len(log.case_ids)) == (42, 6)
    resource = log.field("resource")
    assert resource is not None
    assert {"Pete", "Mike", "Ellen", "Sara"} <= set(resource.labels)
    assert log.case_attributes["3"]["creator"] == "Fluxicon Nitro"
    assert "Costs" in log.attributes  # nothing the file says is dropped


def test_gzipped_xes_with_a_namespace_is_read() -> None:
    log = pio.read_xes(DATA / "helpdesk.xes.gz")
    assert len(log.case_ids) == 4580
    assert len(log) == 21348
    assert log.field("resource") is not None


def test_bupar_table_pairs_starts_with_completes(patients: pathway.Pathway) -> None:
    found = pio.read_events(PATIENTS, patients, columns=PATIENT_COLUMNS)
    log = found.log
    assert log.n_cases == 500
    assert found.touch_known
    table = case_table(log, patients)
    assert table.touch.sum() > 0
    # every (patient, handling_id) is one step: 2721 instances, 492 of them check-outs
    completed = log.rows_of(pathway._journal._eventlog.kind_code("step_completed"))
    assert len(completed) == 2721 - 492
    assert int(table.finished.sum()) == 492  # 8 patients never checked out


def test_interval_log_takes_start_timestamps() -> None:
    found = pio.read_events(DATA / "interval-event-log.csv")
    assert found.touch_known
    log = found.log
    rows = log.rows_of(pathway._journal._eventlog.kind_code("step_completed"))
    assert (log.started[rows] < log.at[rows]).all()


def test_dataframe_reads_like_its_csv() -> None:
    pandas = pytest.importorskip("pandas")
    frame = pandas.read_csv(DATA / "interval-event-log.csv")
    from_frame = pio.read_events(frame).log
    from_file = pio.read_events(DATA / "interval-event-log.csv").log
    assert from_frame.case_ids == from_file.case_ids
    assert np.array_equal(from_frame.at, from_file.at)


@pytest.mark.parametrize("suffix", ["jsonocel", "xmlocel", "sqlite"])
def test_ocel_keeps_other_objects_as_attributes(suffix: str) -> None:
    log = pio.read_ocel(DATA / f"ocel20-example.{suffix}", "Purchase Order")
    assert log.case_ids == ("PO1", "PO2")
    invoices = log.attributes["objects:Invoice"]
    assert {invoices.value(i) for i in range(len(log))} >= {"R1", "R2", "R3"}
    assert log.case_attributes["PO1"]["po_product"] == "Cows"
    assert any("belong to no case" in note for note in log.notes)


def test_ocel_case_type_must_be_chosen() -> None:
    with pytest.raises(EventLogError, match="choose which object type") as caught:
        pio.read_ocel(DATA / "ocel20-example.jsonocel")
    assert "Purchase Order" in str(caught.value)


def test_column_mapping_is_checked() -> None:
    with pytest.raises(ValueError, match="unknown column role 'patient'"):
        pio._table.parse_columns("patient=case")
    with pytest.raises(EventLogError, match="no case column"):
        pio.read_table(PATIENTS)


# -------------------------------------------------------------------- interpretation


HEADER = "case:concept:name,concept:name,time:timestamp,start_timestamp,org:resource,org:group"


def test_rules_on_a_small_log(tmp_path: Path, patients: pathway.Pathway) -> None:
    rows = [
        # p1: fits; the x-ray waits over a weekend (radiology calendar shut)
        ("p1", "Registration", "2024-03-01T09:10:00Z", "2024-03-01T09:00:00Z", "ann", "reception"),
        (
            "p1",
            "Triage and Assessment",
            "2024-03-01T10:00:00Z",
            "2024-03-01T09:30:00Z",
            "bo",
            "nurse",
        ),
        ("p1", "X-Ray", "2024-03-04T08:30:00Z", "2024-03-04T08:00:00Z", "cy", "radiology"),
        ("p1", "Discuss Results", "2024-03-04T10:00:00Z", "2024-03-04T09:00:00Z", "di", "doctor"),
        ("p1", "Check-out", "2024-03-04T11:00:00Z", "2024-03-04T11:00:00Z", "ann", "reception"),
        # p2: same worker and role twice (no cause in the data), a porter nobody declared
        ("p2", "Registration", "2024-03-01T09:10:00Z", "2024-03-01T09:00:00Z", "ann", "reception"),
        (
            "p2",
            "Triage and Assessment",
            "2024-03-01T10:00:00Z",
            "2024-03-01T09:40:00Z",
            "ann",
            "reception",
        ),
        ("p2", "Wheel to ward", "2024-03-01T10:30:00Z", "2024-03-01T10:20:00Z", "ed", "porter"),
    ]
    path = write_csv(tmp_path / "small.csv", rows, HEADER)
    found = pio.read_events(path, patients)
    assert found.unmapped == {"Wheel to ward": 1}
    assert found.undeclared_roles == {"porter": 1}
    assert found.open_cases == 1
    log = found.log
    table = case_table(log, patients)
    p1 = log.case_ids.index("p1")
    # the weekend wait, Fri 10:00 -> Mon 08:00: radiology is shut from Fri 18:00 (62 h);
    # the 8 open hours before are a hand-off (nurse to radiographer), as are the waits
    # for triage (20 min), the results (30 min) and check-out (60 min)
    assert table.wait("calendar")[p1] == pytest.approx(62 * 60)
    assert table.wait("handoff")[p1] == pytest.approx(20 + 8 * 60 + 30 + 60)
    p2 = log.case_ids.index("p2")
    assert table.wait("unattributed")[p2] == pytest.approx(30)
    assert not table.finished[p2]
    assert table.finished[p1]
    assert table.visits[p1] == 1
    report = pathway.analyse(found, patients)
    text = report.to_text()
    assert "How the log was read" in text
    assert "porter" in text
    assert report.conformance is not None
    assert report.conformance.fitting == 1


def test_complete_only_logs_say_touch_time_is_unknown() -> None:
    found = pio.read_events(DATA / "running-example.xes")
    assert not found.touch_known
    report = pathway.analyse(found)
    assert "Touch time is unknown" in report.headline.text
    assert "touch" not in report.measures
    assert json.loads(report.to_json())["reading"]["touch_known"] is False
    # Sara deciding right after Sara's own step: a wait the data give no cause for
    assert report.waits_by_cause["unattributed"] > 0
    assert "for a reason the data do not show" in report.to_markdown()


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=6),
        min_size=1,
        max_size=6,
    )
)
def test_waits_add_up_to_the_journey(
    tmp_path_factory: pytest.TempPathFactory, gaps: list[list[int]]
) -> None:
    """Complete-only, no pathway: every minute between first and last event is a wait."""
    base = datetime(2024, 1, 1, tzinfo=UTC)
    rows = []
    for c, case in enumerate(gaps):
        at = base
        for i, gap in enumerate(case):
            at += timedelta(minutes=gap)
            rows.append((f"c{c}", f"a{i % 3}", at.isoformat(), "", f"r{i % 2}", ""))
    path = write_csv(tmp_path_factory.mktemp("w") / "log.csv", rows, HEADER)
    table = case_table(pio.read_events(path).log)
    assert np.allclose(table.total_wait, table.end_to_end)
    assert table.finished.all()


# ------------------------------------------------------------------------ conformance


def test_conformance_names_each_kind_of_deviation(
    tmp_path: Path, patients: pathway.Pathway
) -> None:
    rows = [
        ("ok", "Registration", "2024-03-01T09:10:00Z", "2024-03-01T09:00:00Z", "a", "reception"),
        ("ok", "Triage and Assessment", "2024-03-01T10:00:00Z", "", "b", "nurse"),
        ("ok", "X-Ray", "2024-03-04T10:00:00Z", "2024-03-04T09:00:00Z", "c", "radiology"),
        ("ok", "Discuss Results", "2024-03-04T11:00:00Z", "", "d", "doctor"),
        ("ok", "Check-out", "2024-03-04T12:00:00Z", "", "a", "reception"),
        ("skip", "Registration", "2024-03-01T09:10:00Z", "", "a", "reception"),
        ("skip", "Discuss Results", "2024-03-01T11:00:00Z", "", "d", "nurse"),
        ("skip", "Check-out", "2024-03-01T12:00:00Z", "", "a", "reception"),
        ("late", "Triage and Assessment", "2024-03-01T10:00:00Z", "", "b", "nurse"),
        ("late", "X-Ray", "2024-03-02T10:00:00Z", "2024-03-02T09:00:00Z", "c", "radiology"),
        ("late", "Registration", "2024-03-04T10:00:00Z", "", "a", "reception"),
    ]
    found = pio.read_events(write_csv(tmp_path / "c.csv", rows, HEADER), patients)
    result = conformance(found.log, patients)
    fits = {trace.case_id: trace for trace in result.traces}
    assert fits["ok"].fits
    kinds = [d.kind for d in fits["skip"].deviations]
    assert kinds == ["skipped_step", "wrong_role"]
    assert fits["skip"].deviations[0].detail["skipped"] == ("triage", "xray")
    late = [d.kind for d in fits["late"].deviations]
    assert late == ["wrong_start", "calendar_shut", "undeclared_move", "no_outcome"]
    assert result.fitness == pytest.approx(1 / 3)
    ranked = {count.kind: count for count in result.ranked}
    assert ranked["skipped_step"].examples == ("skip",)


def test_guard_false_for_recorded_facts(tmp_path: Path) -> None:
    spec = (DATA / "patients-pathway.yaml").read_text().replace(
        "{trigger: to_blood, from: triage, to: blood_test}",
        "{trigger: to_blood, from: triage, to: blood_test, when: 'age >= 18'}",
    ) + "facts:\n  age: {type: int}\n"
    model = pathway.loads(spec) if hasattr(pathway, "loads") else None
    if model is None:
        path = tmp_path / "guarded.yaml"
        path.write_text(spec)
        model = pathway.load(path)
    rows = [
        ("kid", "Registration", "2024-03-01T09:10:00Z", "", "a", "reception", "12"),
        ("kid", "Triage and Assessment", "2024-03-01T10:00:00Z", "", "b", "nurse", "12"),
        ("kid", "Blood test", "2024-03-01T11:00:00Z", "", "c", "lab", "12"),
    ]
    path = write_csv(tmp_path / "g.csv", rows, HEADER + ",case:age")
    result = conformance(pio.read_events(path, model).log, model)
    guard = [d for d in result.traces[0].deviations if d.kind == "guard_false"]
    assert guard
    assert guard[0].detail["facts"] == {"age": 12}


def test_conform_command_exit_codes_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pathway_file = str(DATA / "patients-pathway.yaml")
    args = ["conform", pathway_file, str(PATIENTS), "--columns", COLUMNS_ARG]
    assert main([*args, "--fail-under", "0.2"]) == 0
    assert main([*args, "--fail-under", "90"]) == 4
    assert "below --fail-under" in capsys.readouterr().err
    assert main([*args, "--format", "json", "-o", str(tmp_path / "c.json")]) == 0
    document = json.loads((tmp_path / "c.json").read_text())
    assert document["schema"] == "pathway-conformance/1"
    assert document["traces"] == 500
    assert document["fitting"] == sum(t["fits"] for t in document["per_trace"])
    assert main([*args, "--fail-under", "150"]) == 2  # 150% is no share


def test_report_command_reads_xes(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    code = main(
        [
            "report",
            str(DATA / "patients-pathway.yaml"),
            "--events",
            str(DATA / "running-example.xes"),
            "--format",
            "json",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    document = json.loads(out.read_text())
    assert document["log"]["cases"] == 6
    assert document["conformance"]["fitting"] == 0  # another process entirely


# ----------------------------------------------------------------------------- export


@pytest.mark.parametrize("suffix", [".xes", ".jsonocel", ".sqlite", ".csv", ".parquet"])
def test_export_then_read_keeps_the_measures(
    tmp_path: Path, suffix: str, patients: pathway.Pathway
) -> None:
    original = pio.read_events(PATIENTS, patients, columns=PATIENT_COLUMNS).log
    target = tmp_path / f"out{suffix}"
    assert (
        main(
            [
                "export",
                str(PATIENTS),
                "--columns",
                COLUMNS_ARG,
                "--pathway",
                str(DATA / "patients-pathway.yaml"),
                "-o",
                str(target),
            ]
        )
        == 0
    )
    again = pio.read_events(target, patients, case_type="case").log
    before, after, order = aligned_tables(original, again, patients)
    assert np.array_equal(before.end_to_end, after.end_to_end[order])
    assert np.allclose(before.touch, after.touch[order])
    assert np.allclose(before.total_wait, after.total_wait[order])
    assert np.array_equal(before.finished, after.finished[order])


def test_export_refuses_an_unknown_suffix(tmp_path: Path) -> None:
    assert (
        main(["export", str(PATIENTS), "--columns", COLUMNS_ARG, "-o", str(tmp_path / "x.txt")])
        == 2
    )


# -------------------------------------------------------------------------- malformed


def test_truncated_xes_names_the_file_and_the_last_event(tmp_path: Path) -> None:
    text = (DATA / "running-example.xes").read_text()
    path = tmp_path / "cut.xes"
    path.write_text(text[: len(text) // 2])
    with pytest.raises(EventLogError) as caught:
        pio.read_xes(path)
    message = str(caught.value)
    assert str(path) in message
    assert "truncated" in message
    assert "after event" in message


def test_truncated_gzip_is_an_event_log_error(tmp_path: Path) -> None:
    data = gzip.compress((DATA / "running-example.xes").read_bytes())
    path = tmp_path / "cut.xes.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(EventLogError, match=r"cut\.xes\.gz"):
        pio.read_xes(path)


def test_dangling_ocel_reference_names_the_event(tmp_path: Path) -> None:
    data = json.loads((DATA / "ocel20-example.jsonocel").read_text())
    data["events"][1]["relationships"].append({"objectId": "GHOST", "qualifier": "x"})
    path = tmp_path / "bad.jsonocel"
    path.write_text(json.dumps(data))
    with pytest.raises(EventLogError) as caught:
        pio.read_ocel(path, "Purchase Order")
    assert "event 'e2'" in str(caught.value)
    assert "GHOST" in str(caught.value)
    assert str(path) in str(caught.value)


def test_dangling_reference_in_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "bad.sqlite"
    shutil.copy(DATA / "ocel20-example.sqlite", path)
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO event_object VALUES ('e3', 'NOPE', 'q')")
    with pytest.raises(EventLogError, match="event 'e3' relates to object 'NOPE'"):
        pio.read_ocel(path, "Purchase Order")


def test_time_out_of_range_names_the_line(tmp_path: Path) -> None:
    rows = [
        ("c", "a", "2024-01-01T00:00:00", "", "", ""),
        ("c", "b", "9999-01-01T00:00:00", "", "", ""),
    ]
    path = write_csv(tmp_path / "far.csv", rows, HEADER)
    with pytest.raises(EventLogError) as caught:
        pio.read_events(path)
    problem = caught.value.problems[0]
    assert (problem.source, problem.line) == (str(path), 3)
    assert "out of range" in problem.message


def test_mixed_time_zones_are_refused(tmp_path: Path) -> None:
    rows = [
        ("c", "a", "2024-01-01T09:00:00+01:00", "", "", ""),
        ("c", "b", "2024-01-01T10:00:00", "", "", ""),
    ]
    path = write_csv(tmp_path / "mixed.csv", rows, HEADER)
    with pytest.raises(EventLogError) as caught:
        pio.read_events(path)
    problem = caught.value.problems[0]
    assert problem.code == "mixed-time-zones"
    assert problem.line == 3
    assert "line 2" in problem.message


def test_mixed_time_zones_in_xes_name_the_events(tmp_path: Path) -> None:
    text = (DATA / "running-example.xes").read_text()
    path = tmp_path / "mixed.xes"
    path.write_text(text.replace("2010-12-30T15:06:00.000+01:00", "2010-12-30T15:06:00.000", 1))
    with pytest.raises(EventLogError, match=r"event 2 has the time '2010-12-30T15:06:00.000'"):
        pio.read_xes(path)
