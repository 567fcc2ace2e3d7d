"""Event logs that are wrong are refused with EventLogError problems naming the file,
the line (row) and the column; never a traceback, never a silent success."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pathway
from pathway.errors import EventLogError, PathwayError

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from pathway._journal._eventlog import MAX_PROBLEMS  # noqa: E402
from pathway._sim._api import simulate  # noqa: E402
from pathway.io import read_log  # noqa: E402

ROOT = Path(__file__).resolve().parents[1] / "pathways"


@pytest.fixture(scope="module")
def hub() -> pathway.Pathway:
    return pathway.load(ROOT / "recovery-hub-2018.yaml")


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory, hub: pathway.Pathway) -> str:
    """A small simulated CSV log of the 2018 hub, as text."""
    path = tmp_path_factory.mktemp("log") / "events.csv"
    simulate(hub, cases=12, seed=5, events=path)
    return path.read_text(encoding="utf-8")


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def text_of(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def refused(path: Path, pathway_: pathway.Pathway | None = None) -> EventLogError:
    with pytest.raises(EventLogError) as caught:
        read_log(path, pathway_)
    error = caught.value
    head = str(error).splitlines()[0]
    assert f" in event log {path}" in head
    assert head.endswith(":")
    assert all(p.source == str(path) for p in error.problems)
    return error


def edited(simulated: str, tmp_path: Path, column: str, value: str, row: int = 0) -> Path:
    """The simulated log with one cell (data row ``row`` of ``column``) changed."""
    rows = rows_of(simulated)
    rows[row + 1][rows[0].index(column)] = value
    path = tmp_path / "edited.csv"
    path.write_text(text_of(rows), encoding="utf-8")
    return path


def test_the_simulated_log_reads_and_belongs_to_its_pathway(
    simulated: str, tmp_path: Path, hub: pathway.Pathway
) -> None:
    path = tmp_path / "events.csv"
    path.write_text(simulated, encoding="utf-8")
    assert len(read_log(path, hub)) == len(rows_of(simulated)) - 1


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2300-01-01T00:00:00+00:00", "at is out of range"),
        ("1600-01-01T00:00:00+00:00", "at is out of range"),
        ("9999-12-31T23:59:59", "at is out of range"),
        ("not a time", "at is not a date-time"),
    ],
)
def test_times_outside_what_a_log_holds_are_problems(
    simulated: str, tmp_path: Path, value: str, reason: str
) -> None:
    path = edited(simulated, tmp_path, "at", value, row=3)
    error = refused(path)
    problem = error.problems[0]
    assert reason in problem.message
    assert (problem.line, problem.field) == (5, "at")
    assert problem.column == rows_of(simulated)[0].index("at") + 1


def test_parquet_times_past_2262_are_problems_not_a_crash(tmp_path: Path) -> None:
    at = pa.array([0, 10**16], pa.int64()).cast(pa.timestamp("us", tz="UTC"))  # 2286
    table = pa.table(
        {"type": ["case_started", "outcome_reached"], "case_id": ["c", "c"], "at": at,
         "step": ["a", "a"]}
    )  # fmt: skip
    path = tmp_path / "far.parquet"
    pq.write_table(table, path)
    problem = refused(path).problems[0]
    assert (problem.line, problem.field, problem.message) == (
        2, "at", "event log row 2: at is out of range"
    )  # fmt: skip


@pytest.mark.parametrize("value", ["99999999999999999999", "-3", "2147483648", "1.5", "x"])
def test_attendance_must_be_a_small_whole_number(
    simulated: str, tmp_path: Path, value: str
) -> None:
    rows = rows_of(simulated)
    row = next(i for i, r in enumerate(rows) if r[0] == "visit_attended")
    path = edited(simulated, tmp_path, "attendance", value, row=row - 1)
    problem = refused(path).problems[0]
    assert (problem.line, problem.field) == (row + 1, "attendance")
    assert problem.found == repr(value)


def test_a_column_named_twice_is_a_problem_on_line_1(simulated: str, tmp_path: Path) -> None:
    rows = rows_of(simulated)
    rows = [[*r, r[2]] for r in rows]
    rows[0][-1] = "at"
    path = tmp_path / "twice.csv"
    path.write_text(text_of(rows), encoding="utf-8")
    problem = refused(path).problems[0]
    assert (problem.line, problem.field) == (1, "at")
    assert "appears 2 times" in problem.message


def test_an_unread_column_named_twice_is_left_alone(simulated: str, tmp_path: Path) -> None:
    rows = [[*r, "x", "y"] for r in rows_of(simulated)]
    rows[0][-2:] = ["comment", "comment"]
    path = tmp_path / "extra.csv"
    path.write_text(text_of(rows), encoding="utf-8")
    assert len(read_log(path)) == len(rows) - 1


@pytest.mark.parametrize(
    "kinds",
    [pa.array([1, 2], pa.int64()), pa.array([[1], [2]], pa.list_(pa.int64())),
     pa.array([b"\xff", b"\xfe"], pa.binary())],
)  # fmt: skip
def test_a_type_column_that_is_not_text_is_a_problem(tmp_path: Path, kinds: object) -> None:
    at = pa.array([0, 60_000_000], pa.int64()).cast(pa.timestamp("us", tz="UTC"))
    path = tmp_path / "kinds.parquet"
    pq.write_table(pa.table({"type": kinds, "case_id": ["c", "c"], "at": at}), path)
    problem = refused(path).problems[0]
    assert problem.field == "type"


def test_a_log_of_another_pathway_is_refused(simulated: str, tmp_path: Path) -> None:
    other = pathway.load(ROOT / "recovery-hub-2017.yaml")
    path = tmp_path / "events.csv"
    path.write_text(simulated, encoding="utf-8")
    error = refused(path, other)
    identity = error.problems[:3]  # said first, once each, before the unknown steps
    assert [p.field for p in identity] == ["pathway_id", "pathway_version", "content_hash"]
    assert all(p.line == 2 and "another pathway" in p.message for p in identity)
    assert identity[0].found == "'recovery-hub-2018'"
    assert identity[0].expected == f"'recovery-hub-2017', the pathway id of {other.source}"
    assert error.omitted > 0


def test_a_log_naming_steps_the_pathway_lacks_is_refused(
    simulated: str, tmp_path: Path, hub: pathway.Pathway
) -> None:
    rows = rows_of(simulated)
    keep = [rows[0]] + [r for r in rows[1:] if r[0] != "case_started"]
    path = tmp_path / "bare.csv"  # no pathway ids: the steps decide
    path.write_text(text_of(keep), encoding="utf-8")
    assert len(read_log(path, hub)) == len(keep) - 1
    path = edited(text_of(keep), tmp_path, "step", "triage_desk", row=1)
    problem = refused(path, hub).problems[0]
    assert (problem.field, problem.line) == ("step", 3)
    assert problem.message.endswith("unknown step")
    assert problem.found == "'triage_desk'"


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("trigger", "teleport", "unknown trigger"),
        ("cause", "gremlins", "unknown cause"),
        ("facts", "{not json", "facts is not JSON"),
        ("facts", "[1, 2]", "facts is not a JSON object"),
        ("case_id", "case\x00one", "case_id holds a NUL character"),
        ("step", "a\x00b", "step holds a NUL character"),
    ],
)
def test_unknown_words_bad_json_and_nul_text_are_refused(
    simulated: str, tmp_path: Path, hub: pathway.Pathway, column: str, value: str, reason: str
) -> None:
    rows = rows_of(simulated)
    index = rows[0].index(column)
    row = next(i for i, r in enumerate(rows[1:], 1) if r[index])
    path = edited(simulated, tmp_path, column, value, row=row - 1)
    problem = refused(path, hub).problems[0]
    assert (problem.field, problem.line, problem.column) == (column, row + 1, index + 1)
    assert problem.message.endswith(reason)


def test_a_log_with_every_row_twice_is_refused_and_counts_what_is_not_shown(
    simulated: str, tmp_path: Path
) -> None:
    rows = rows_of(simulated)
    path = tmp_path / "twice.csv"
    path.write_text(text_of([rows[0], *rows[1:], *rows[1:]]), encoding="utf-8")
    error = refused(path)
    events = len(rows) - 1
    assert len(error.problems) == MAX_PROBLEMS
    assert error.omitted == events - MAX_PROBLEMS
    head = str(error).splitlines()[0]
    assert head == (
        f"{events} errors in event log {path} (the first {MAX_PROBLEMS} shown, "
        f"{events - MAX_PROBLEMS} more not shown):"
    )
    assert (
        error.problems[0].message == f"event log row {events + 1}: this event repeats row 1 exactly"
    )


def test_the_cli_heads_log_errors_as_log_errors(
    simulated: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pathway.cli import main

    path = edited(simulated, tmp_path, "cause", "gremlins", row=0)
    rows = rows_of(simulated)
    row = next(i for i, r in enumerate(rows[1:], 1) if r[rows[0].index("cause")])
    path = edited(simulated, tmp_path, "cause", "gremlins", row=row - 1)
    assert main(["report", str(ROOT / "recovery-hub-2018.yaml"), "--events", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"1 error in event log {path}:\n{path}:{row + 1}:")
    assert "pathway definition" not in err


# --------------------------------------------------------------------- fuzzing


def _mutate(text: str, data: st.DataObject) -> bytes:
    """One of the ways a real log goes wrong: bytes flipped, cut short, rows repeated,
    columns swapped, a cell changed."""
    raw = bytearray(text.encode("utf-8"))
    how = data.draw(st.sampled_from(["flip", "truncate", "duplicate", "swap", "cell"]))
    if how == "flip":
        for _ in range(data.draw(st.integers(1, 8))):
            at = data.draw(st.integers(0, len(raw) - 1))
            raw[at] = data.draw(st.integers(0, 255))
        return bytes(raw)
    if how == "truncate":
        return bytes(raw[: data.draw(st.integers(0, len(raw)))])
    rows = rows_of(text)
    if how == "duplicate":
        row = data.draw(st.integers(1, len(rows) - 1))
        rows.insert(data.draw(st.integers(1, len(rows))), list(rows[row]))
    elif how == "swap":
        a, b = data.draw(st.integers(0, len(rows[0]) - 1)), data.draw(st.integers(0, 30))
        b %= len(rows[0])
        swap_header = data.draw(st.booleans())
        for r in rows[0 if swap_header else 1 :]:
            r[a], r[b] = r[b], r[a]
    else:
        row, column = data.draw(st.integers(1, len(rows) - 1)), data.draw(st.integers(0, 32))
        rows[row][column % len(rows[row])] = data.draw(
            st.sampled_from(["", "x", "\x00", "-1", "1e400", "99999999999999999999",
                             "2262-04-12T00:00:00", "{", "[]", "null", "case_started"])
        )  # fmt: skip
    return text_of(rows).encode("utf-8")


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(data=st.data())
def test_malformed_logs_end_in_success_or_a_pathway_error(
    simulated: str, tmp_path: Path, hub: pathway.Pathway, data: st.DataObject
) -> None:
    path = tmp_path / data.draw(st.sampled_from(["fuzz.csv", "fuzz.CSV"]))
    path.write_bytes(_mutate(simulated, data))
    stdlib = data.draw(st.booleans())  # the reader without pyarrow too
    with mock.patch("pathway.io._files._has_pyarrow", return_value=not stdlib):
        for given_pathway in (None, hub):
            try:
                log = read_log(path, given_pathway)
            except PathwayError:
                continue
            assert len(log) >= 0
