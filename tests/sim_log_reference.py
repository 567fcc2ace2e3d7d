"""The simulator's event-log writer as it was before it streamed columns (issue 19).

A reference for tests only: it builds every cell as a Python object, row by row, and
looks up each hour's UTC offset with zoneinfo. ``tests/test_sim_events.py`` checks the
streamed writer in ``pathway._sim._events`` against it, file for file.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as parquet

import pathway._sim._layout as L
from pathway._sim._events import _NOTES, _REQUESTED, COLUMNS, RATIONALE, check_times
from pathway._sim._plan import Plan
from pathway._sim._vexpr import Column, python_value
from pathway._vocab import DEMANDS, HANDOFF_LEVELS, WAIT_CAUSES, WORK_CLASSES

_TIME_FIELDS = frozenset({"at", "started"})
_INT_FIELDS = frozenset({"attendance"})


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class _Names:
    """Lookup arrays that turn kernel indices (``-1`` for none) into names."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.steps = _lookup(plan.step_ids)
        self.step_roles = _lookup(plan.step_roles)
        self.roles = _lookup(plan.role_ids)
        self.workers = _lookup(plan.worker_names)
        self.worker_roles = _lookup([plan.role_ids[r] for r in plan.worker_roles])
        self.triggers = _lookup([t[0] for t in plan.transitions])
        self.sources = _lookup([t[1] for t in plan.transitions])
        self.targets = _lookup([t[2] for t in plan.transitions])
        self.causes = _lookup(WAIT_CAUSES)
        self.levels = _lookup(HANDOFF_LEVELS)
        self.work = _lookup(WORK_CLASSES)
        self.requested = _lookup(_REQUESTED)
        self.demands = _lookup(DEMANDS)
        moves = [f"{source}->{target}:{trigger}" for trigger, source, target in plan.transitions]
        self.notes = _lookup([*_NOTES, *moves])


def _lookup(values: Sequence[Any]) -> npt.NDArray[Any]:
    """An object array of ``values`` plus a trailing ``None`` that index -1 picks."""
    table = np.empty(len(values) + 1, dtype=object)
    table[: len(values)] = list(values)
    table[len(values)] = None
    return table


@attrs.define
class ChunkConverter:
    """Turns buffers of kernel rows into journal columns for one replication."""

    plan: Plan
    columns: Mapping[str, Column]
    case_ids: Sequence[str] | None = None
    names: _Names = attrs.field(init=False)
    zone: ZoneInfo = attrs.field(init=False)
    _offsets: dict[int, timedelta] = attrs.field(init=False, factory=dict)
    persons: dict[int, int] = attrs.field(init=False, factory=dict)  # return row -> person

    def __attrs_post_init__(self) -> None:
        self.names = _Names(self.plan)
        self.zone = ZoneInfo(self.plan.timezone)

    def case_id(self, case: int) -> str:
        """The id of case ``case`` (zero-padded so ids sort in arrival order)."""
        if self.case_ids is not None:
            return self.case_ids[case]
        return f"case-{case:07d}"

    def convert(
        self, ev_i: npt.NDArray[np.int64], ev_f: npt.NDArray[np.float64]
    ) -> dict[str, npt.NDArray[Any]]:
        """Columns (object arrays, ``None`` where a field does not apply) for the rows."""
        rows = len(ev_i)
        advice = "simulate fewer cases or a shorter horizon"
        check_times(self.plan.start, ev_f[:, L.EF_AT], "the simulated clock", advice)
        out = {name: np.full(rows, None, dtype=object) for name in COLUMNS}
        kind = ev_i[:, L.E_KIND]
        out["type"] = np.asarray(L.EVENT_KINDS, dtype=object)[kind]
        out["case_id"] = np.asarray([self.case_id(int(c)) for c in ev_i[:, L.E_CASE]], dtype=object)
        out["at"] = ev_f[:, L.EF_AT].astype(object)
        for code, fill in _FILLERS.items():
            rows_of_kind = np.flatnonzero(kind == code)
            if len(rows_of_kind):
                fill(self, out, rows_of_kind, ev_i, ev_f)
        return out

    # ---------------------------------------------------------------- time stamps

    def local_times(self, minutes: npt.NDArray[np.float64]) -> npt.NDArray[Any]:
        """Local wall times (``datetime64[us]``) of simulation minutes."""
        micro = np.round(minutes * 60_000_000.0).astype(np.int64)
        base = np.datetime64(self.plan.start.isoformat(), "us")
        result: npt.NDArray[Any] = base + micro.astype("timedelta64[us]")
        return result

    def offsets(self, minutes: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        """UTC offset (in microseconds) of each local wall time, by local hour."""
        hours = np.floor(minutes / 60.0).astype(np.int64)
        unique, inverse = np.unique(hours, return_inverse=True)
        epoch = datetime.combine(self.plan.start, time())
        values = np.empty(len(unique), dtype=np.int64)
        for i, hour in enumerate(unique):
            offset = self._offsets.get(int(hour))
            if offset is None:
                wall = epoch + timedelta(hours=int(hour))
                offset = wall.replace(tzinfo=self.zone).utcoffset() or timedelta()
                self._offsets[int(hour)] = offset
            values[i] = offset // timedelta(microseconds=1)
        offsets: npt.NDArray[np.int64] = values[inverse.reshape(-1)]
        return offsets

    # ------------------------------------------------------------------ facts

    def facts_json(self, case: int, names: Sequence[str] | None = None) -> str:
        """The case's facts (all, or only ``names``) as JSON text."""
        chosen = names if names is not None else list(self.columns)
        return _json(
            {n: python_value(self.columns[n].values[case]) for n in chosen if n in self.columns}
        )


_Out = dict[str, npt.NDArray[Any]]
_Rows = npt.NDArray[np.intp]


def _fill_started(c: ChunkConverter, out: _Out, r: _Rows, ev_i: Any, _ev_f: Any) -> None:
    plan = c.plan
    out["step"][r] = c.names.steps[ev_i[r, L.E_STEP]]
    out["pathway_id"][r] = plan.pathway_id
    out["pathway_version"][r] = plan.pathway_version
    out["content_hash"][r] = plan.content_hash
    # a return (A1 > 0) is a case of the person whose first demand is row A1 - 1, with
    # that person's facts; A2 - 1 is the failure demand it is
    person = [int(a1) - 1 if a1 > 0 else int(case) for case, a1 in ev_i[r][:, [L.E_CASE, L.E_A1]]]
    out["facts"][r] = [c.facts_json(p) for p in person]
    c.persons.update(zip(ev_i[r, L.E_CASE].tolist(), person, strict=True))
    returning = ev_i[r, L.E_A1] > 0
    out["person"][r[returning]] = [
        f"case-{p:07d}" for p, b in zip(person, returning, strict=True) if b
    ]
    failing = returning & (ev_i[r, L.E_A2] > 0)  # A2 0: a new (value) demand
    out["demand"][r[failing]] = c.names.demands[ev_i[r[failing], L.E_A2] - 1]
    # a concurrent referral (A3 > 0) was opened by the case in row A3 - 1
    referred = ev_i[r, L.E_A3] > 0
    openers = ev_i[r[referred], L.E_A3] - 1
    out["referred_by"][r[referred]] = [f"case-{int(row):07d}" for row in openers]


def _fill_step_started(c: ChunkConverter, out: _Out, r: _Rows, ev_i: Any, _ev_f: Any) -> None:
    out["step"][r] = c.names.steps[ev_i[r, L.E_STEP]]
    out["worker"][r] = c.names.workers[ev_i[r, L.E_A1]]
    out["role"][r] = c.names.roles[ev_i[r, L.E_A2]]


def _fill_completed(c: ChunkConverter, out: _Out, r: _Rows, ev_i: Any, ev_f: Any) -> None:
    _fill_step_started(c, out, r, ev_i, ev_f)
    out["started"][r] = ev_f[r, L.EF_STARTED]
    out["work"][r] = c.names.work[ev_i[r, L.E_A3]]


def _fill_transitioned(c: ChunkConverter, out: _Out, r: _Rows, ev_i: Any, _ev_f: Any) -> None:
    transition = ev_i[r, L.E_A1]
    out["trigger"][r] = c.names.triggers[transition]
    out["source"][r] = c.names.sources[transition]
    out["target"][r] = c.names.targets[transition]
    out["worker"][r] = c.names.workers[ev_i[r, L.E_A2]]
    out["role"][r] = c.names.roles[ev_i[r, L.E_A3]]
    out["data"][r] = np.where(transition >= c.plan.first_lapse, '{"lapsed":true}', "{}")


def _fill_waited(c: ChunkConverter, out: _Out, r: _Rows, ev_i: Any, ev_f: Any) -> None:
    out["step"][r] = c.names.steps[ev_i[r, L.E_STEP]]
    out["started"][r] = ev_f[r, L.EF_STARTED]
    out["cause"][r] = c.names.causes[ev_i[r, L.E_A1]]


def _fill_attended(c: ChunkConverter, out: _Out, r: _Rows, ev_i: Any, _ev_f: Any) -> None:
    out["step"][r] = c.names.steps[ev_i[r, L.E_STEP]]
    out["attendance"][r] = ev_i[r, L.E_A1].astype(object)
    out["requested_by"][r] = c.names.requested[ev_i[r, L.E_A2]]


def _fill_missed(c: ChunkConverter, out: _Out, r: _Rows, ev_i: Any, _ev_f: Any) -> None:
    out["step"][r] = c.names.steps[ev_i[r, L.E_STEP]]
    out["requested_by"][r] = c.names.requested[ev_i[r, L.E_A1]]


def _fill_handoff(c: ChunkConverter, out: _Out, r: _Rows, ev_i: Any, _ev_f: Any) -> None:
    out["step"][r] = c.names.steps[ev_i[r, L.E_STEP]]
    out["from_step"][r] = c.names.steps[ev_i[r, L.E_A1]]
    out["from_role"][r] = c.names.step_roles[ev_i[r, L.E_A1]]
    out["to_role"][r] = c.names.step_roles[ev_i[r, L.E_STEP]]
    out["from_worker"][r] = c.names.workers[ev_i[r, L.E_A2]]
    out["to_worker"][r] = c.names.workers[ev_i[r, L.E_A3]]
    out["level"][r] = c.names.levels[ev_i[r, L.E_A4]]


def _fill_decision(c: ChunkConverter, out: _Out, r: _Rows, ev_i: Any, _ev_f: Any) -> None:
    plan = c.plan
    out["step"][r] = c.names.steps[ev_i[r, L.E_STEP]]
    out["target"][r] = c.names.targets[ev_i[r, L.E_A3]]
    out["decided_by"][r] = c.names.workers[ev_i[r, L.E_A4]]
    out["role"][r] = c.names.worker_roles[ev_i[r, L.E_A4]]
    out["rationale"][r] = RATIONALE
    for row in r:
        checkpoint, bits = int(ev_i[row, L.E_A1]), int(ev_i[row, L.E_A2])
        questions = plan.question_ids[checkpoint]
        automatic = [
            q for q, auto in zip(questions, plan.question_auto[checkpoint], strict=True) if auto
        ]
        used = sorted({n for e in _automatic_of(plan, checkpoint) for n in e.names})
        out["checkpoint"][row] = plan.checkpoint_ids[checkpoint]
        out["answers"][row] = _json({q: bool(bits >> i & 1) for i, q in enumerate(questions)})
        out["automatic"][row] = _json(sorted(automatic))
        case = int(ev_i[row, L.E_CASE])
        out["facts_used"][row] = c.facts_json(c.persons.get(case, case), used)


def _automatic_of(plan: Plan, checkpoint: int) -> list[Any]:
    cq_i = plan.table("cq_i")
    return [
        plan.automatic[cq_i[checkpoint, q]]
        for q in range(len(plan.question_ids[checkpoint]))
        if cq_i[checkpoint, q] >= 0
    ]


def _fill_failure(c: ChunkConverter, out: _Out, r: _Rows, ev_i: Any, _ev_f: Any) -> None:
    out["step"][r] = c.names.steps[ev_i[r, L.E_STEP]]
    out["demand"][r] = c.names.demands[ev_i[r, L.E_A1]]
    out["note"][r] = c.names.notes[ev_i[r, L.E_A2]]


def _fill_outcome(c: ChunkConverter, out: _Out, r: _Rows, ev_i: Any, _ev_f: Any) -> None:
    out["step"][r] = c.names.steps[ev_i[r, L.E_STEP]]


_FILLERS = {
    L.EV_CASE_STARTED: _fill_started,
    L.EV_STEP_STARTED: _fill_step_started,
    L.EV_STEP_COMPLETED: _fill_completed,
    L.EV_TRANSITIONED: _fill_transitioned,
    L.EV_WAITED: _fill_waited,
    L.EV_VISIT_ATTENDED: _fill_attended,
    L.EV_VISIT_MISSED: _fill_missed,
    L.EV_HANDOFF: _fill_handoff,
    L.EV_DECISION: _fill_decision,
    L.EV_FAILURE_DEMAND: _fill_failure,
    L.EV_OUTCOME_REACHED: _fill_outcome,
}


# ------------------------------------------------------------------------------ writers


def _time_text(converter: ChunkConverter, values: npt.NDArray[Any]) -> list[str | None]:
    """ISO 8601 local times with UTC offsets for the non-empty entries of a time column."""
    present = np.flatnonzero(values != None)  # noqa: E711 - object array comparison
    text: list[str | None] = [None] * len(values)
    if len(present) == 0:
        return text
    minutes = values[present].astype(np.float64)
    local = np.datetime_as_string(converter.local_times(minutes), unit="us")
    offsets = converter.offsets(minutes) // 60_000_000
    for index, stamp, offset in zip(present, local, offsets, strict=True):
        sign = "+" if offset >= 0 else "-"
        hours, mins = divmod(abs(int(offset)), 60)
        text[index] = f"{stamp}{sign}{hours:02d}:{mins:02d}"
    return text


class _CsvWriter:
    """CSV with a header row; empty cells for fields that do not apply."""

    def __init__(self, path: Path, converter: ChunkConverter) -> None:
        self.converter = converter
        self.handle: IO[str] = path.open("w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.handle, lineterminator="\n")
        self.writer.writerow(COLUMNS)

    def write(self, columns: Mapping[str, Any], rows: int) -> None:
        cells: list[Sequence[Any]] = []
        for name in COLUMNS:
            values = columns[name]
            if name in _TIME_FIELDS:
                cells.append(_time_text(self.converter, np.asarray(values, dtype=object)))
            else:
                cells.append(["" if v is None else v for v in values])
        self.writer.writerows(zip(*cells, strict=True))

    def close(self) -> None:
        self.handle.close()


class _ParquetWriter:
    """Parquet (pyarrow): string columns, ``attendance`` int64, times ``timestamp[us, tz]``."""

    def __init__(self, path: Path, converter: ChunkConverter) -> None:
        self.pa: Any = pa
        self.converter = converter
        fields = []
        for name in COLUMNS:
            if name in _TIME_FIELDS:
                kind = pa.timestamp("us", tz=converter.plan.timezone)
            elif name in _INT_FIELDS:
                kind = pa.int64()
            else:
                kind = pa.string()
            fields.append(pa.field(name, kind))
        self.schema = pa.schema(fields)
        self.writer = parquet.ParquetWriter(str(path), self.schema, compression="zstd")

    def write(self, columns: Mapping[str, Any], rows: int) -> None:
        pa = self.pa
        arrays = []
        for name in COLUMNS:
            values = np.asarray(columns[name], dtype=object)
            if name in _TIME_FIELDS:
                arrays.append(self._times(values))
            else:
                arrays.append(pa.array(list(values), type=self.schema.field(name).type))
        self.writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema))

    def _times(self, values: npt.NDArray[Any]) -> Any:
        present = values != None  # noqa: E711 - object array comparison
        micro = np.zeros(len(values), dtype=np.int64)
        if present.any():
            minutes = values[present].astype(np.float64)
            local = self.converter.local_times(minutes).astype(np.int64)
            epoch_local = np.datetime64("1970-01-01T00:00:00", "us").astype(np.int64)
            micro[present] = local - epoch_local - self.converter.offsets(minutes)
        typ = self.schema.field("at").type
        return self.pa.array(micro, type=typ, mask=~present)

    def close(self) -> None:
        self.writer.close()
