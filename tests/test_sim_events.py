"""The streamed event-log writer (issue 19): column by column, no Python per event.

The writer in ``pathway._sim._events`` must write what the row-by-row writer it replaced
(kept in ``tests/sim_log_reference.py``) wrote: the same CSV bytes, and the same Parquet
table once its dictionary columns are read as text. Both are fed the very kernel rows
of one run. The files also round-trip through :func:`pathway.io.read_log`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import pathway
import pathway._sim._run as run_module
import pathway.io
import sim_log_reference as reference
from pathway import simulate
from pathway._sim._events import ChunkConverter, open_writer
from pathway._sim._models import tandem_yaml

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

PATHWAYS = Path(__file__).resolve().parent.parent / "pathways"

#: Facts of every kind the simulator draws (fractions, whole numbers, text, true/false),
#: an automatic question reading two of them, and a time zone whose clocks change.
FACTS_YAML = """\
format: 1
id: facts-of-every-kind
title: Facts of every kind
version: "1"
timezone: America/New_York
start: contact
facts:
  score: {type: float, distribution: {uniform: [0, 10]}}
  age: {type: int, distribution: {randint: [18, 90]}}
  area: {type: str, values: [north, "south, east", "quoted \\"x\\""],
         distribution: {categorical: {north: 2, "south, east": 1, "quoted \\"x\\"": 1}}}
  urgent: {type: bool, distribution: {bernoulli: 0.3}}
roles:
  nurse: {capacity: 2, team: ward, organisation: trust}
steps:
  contact: {role: nurse, work: value, duration: 20m}
  review: {role: nurse, work: value, duration: 10m}
  done: {outcome: true}
  other: {outcome: true}
checkpoints:
  triage:
    at: review
    questions:
      high: {when: "score > 5 and age < 60"}
      seen: {ask: person, p_yes: 0.5}
    routes:
      - {when: high, to: done}
    otherwise: other
transitions:
  - {trigger: refer, from: contact, to: review, wait: {uniform: [1h, 30d]}, cause: booking}
arrivals: {rate: 40/d}
"""


def _model(name: str) -> Any:
    if name == "tandem":
        return pathway.load(tandem_yaml())
    if name == "facts":
        return _load_text(FACTS_YAML)
    return pathway.load(PATHWAYS / name)


def _load_text(text: str) -> Any:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "facts.yaml"
        path.write_text(text, encoding="utf-8")
        return pathway.load(path)


def _kernel_rows(model: Any, cases: int, tmp_path: Path) -> tuple[Any, Any, list[Any]]:
    """One run's plan, facts and every flushed buffer of kernel rows (copies)."""
    captured: dict[str, Any] = {"chunks": []}
    original = run_module._flush

    def spy(memory: Any, converter: Any, writer: Any, sink: Any) -> int:
        rows = int(memory["sc"][run_module.L.SC_NBUF])
        if rows:
            ev = (memory["ev_i"][:rows].copy(), memory["ev_f"][:rows].copy())
            captured["chunks"].append(ev)
            captured["plan"], captured["columns"] = converter.plan, converter.columns
        return original(memory, converter, writer, sink)

    run_module._flush = spy  # type: ignore[assignment]
    try:
        simulate(model, cases=cases, seed=5, events=tmp_path / "run.csv")
    finally:
        run_module._flush = original  # type: ignore[assignment]
    return captured["plan"], captured["columns"], captured["chunks"]


def _write_new(plan: Any, columns: Any, chunks: list[Any], path: Path) -> None:
    converter = ChunkConverter(plan, columns)
    writer = open_writer(path, converter)
    for ev_i, ev_f in chunks:
        writer.write(converter.convert(ev_i, ev_f))
    writer.close()


def _write_old(plan: Any, columns: Any, chunks: list[Any], path: Path) -> None:
    converter = reference.ChunkConverter(plan, columns)
    kind = reference._CsvWriter if path.suffix == ".csv" else reference._ParquetWriter
    writer = kind(path, converter)
    for ev_i, ev_f in chunks:
        writer.write(converter.convert(ev_i, ev_f), len(ev_i))
    writer.close()


def _as_text(table: Any) -> Any:
    """The table with its dictionary columns as plain text, in one chunk."""
    columns = {
        name: column.cast(pa.string()) if pa.types.is_dictionary(column.type) else column
        for name, column in zip(table.column_names, table.columns, strict=True)
    }
    return pa.table(columns).combine_chunks()


@pytest.mark.parametrize(
    ("name", "cases"),
    [
        ("recovery-hub-2017.yaml", 400),
        ("review-round.yaml", 150),
        ("tandem", 600),
        ("facts", 500),
    ],
)
def test_streamed_logs_equal_the_row_by_row_writer(tmp_path: Path, name: str, cases: int) -> None:
    plan, columns, chunks = _kernel_rows(_model(name), cases, tmp_path)
    assert sum(len(ev_i) for ev_i, _ in chunks) > cases
    for suffix in (".csv", ".parquet"):
        new, old = tmp_path / f"new{suffix}", tmp_path / f"old{suffix}"
        _write_new(plan, columns, chunks, new)
        _write_old(plan, columns, chunks, old)
        if suffix == ".csv":
            assert new.read_bytes() == old.read_bytes()
        else:
            written, expected = pq.read_table(new), pq.read_table(old).combine_chunks()
            assert _as_text(written).equals(expected)
            text = [f.name for f in written.schema if pa.types.is_dictionary(f.type)]
            assert "step" in text
            assert "facts" in text
            if name == "facts":  # automatic answers read the facts they used
                assert written.column("facts_used").null_count < written.num_rows


def test_the_streamed_log_splits_chunks_anywhere(tmp_path: Path) -> None:
    """Chunk boundaries do not show in the file: one buffer or many, the same bytes."""
    plan, columns, chunks = _kernel_rows(_model("facts"), 300, tmp_path)
    ev_i = np.concatenate([c[0] for c in chunks])
    ev_f = np.concatenate([c[1] for c in chunks])
    pieces = [(ev_i[i : i + 97], ev_f[i : i + 97]) for i in range(0, len(ev_i), 97)]
    _write_new(plan, columns, [(ev_i, ev_f)], tmp_path / "one.csv")
    _write_new(plan, columns, pieces, tmp_path / "many.csv")
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "many.csv").read_bytes()


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_streamed_logs_round_trip_through_read_log(tmp_path: Path, suffix: str) -> None:
    model = _model("recovery-hub-2017.yaml")
    path = tmp_path / f"log{suffix}"
    result = simulate(model, cases=300, seed=9, events=path)
    log = pathway.io.read_log(path, model)
    assert len(log) == result.events_written
    again = tmp_path / f"again{suffix}"
    pathway.io.write_log(log, again)
    back = pathway.io.read_log(again, model)
    assert np.array_equal(back.at, log.at)
    assert back.case_ids == log.case_ids
    assert np.array_equal(back.kind, log.kind)
