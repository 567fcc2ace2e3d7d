"""The simulated event log: kernel rows -> journal columns -> CSV or Parquet, in chunks.

The kernel fills a fixed-size buffer of integer rows; Python turns each full buffer into
columns, one per field of the journal's event types (:data:`pathway._journal._events.EVENT_TYPES`)
plus ``type``, and appends them to the file. Nothing is held beyond one buffer, so a
million-case log streams to disk in constant memory.

Times are written in the pathway's time zone: CSV as ISO 8601 text with the UTC offset
(``2017-10-03T09:41:07.215000+01:00``), Parquet as ``timestamp[us, tz]``. Mappings and
lists (facts, answers, data) are JSON text with sorted keys. :func:`read_events` reads
either file back into journal events, so every analysis of live journals applies.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any, Protocol
from zoneinfo import ZoneInfo

import attrs
import numpy as np
import numpy.typing as npt

import pathway._sim._layout as L
from pathway._extras import require
from pathway._journal._events import EVENT_TYPES, Event, event_from_dict
from pathway._sim._plan import Plan
from pathway._sim._vexpr import Column, python_value
from pathway._sim._zone import ZoneOffsets
from pathway._vocab import DEMANDS, HANDOFF_LEVELS, WAIT_CAUSES, WORK_CLASSES
from pathway.errors import SimulationError

__all__ = [
    "COLUMNS",
    "EVENT_SUFFIXES",
    "FIRST_DAY",
    "LAST_DAY",
    "EventWriter",
    "check_times",
    "last_minute",
    "open_writer",
    "read_events",
]

#: The suffixes of the event log files the simulator writes.
EVENT_SUFFIXES = (".csv", ".parquet", ".pq")
#: The first and last start days the simulator accepts: an event log holds times as
#: nanoseconds since 1970 in 64 bits, from 1677-09-21 to 2262-04-11 (a day's margin
#: each side for time zones).
FIRST_DAY = date(1677, 9, 23)
LAST_DAY = date(2262, 4, 9)
_LAST_MOMENT = datetime.combine(LAST_DAY, time())


def last_minute(start: date) -> float:
    """The last simulated minute (since ``start``) an event log can hold."""
    return (_LAST_MOMENT - datetime.combine(start, time())) / timedelta(minutes=1)


def check_times(start: date, minutes: npt.NDArray[np.float64], what: str, advice: str) -> None:
    """Refuse simulated times past what an event log can hold, with a clear error.

    Raises :class:`SimulationError` saying how far the simulated clock would run, and
    ``advice`` (what to do instead).
    """
    if len(minutes) == 0 or np.isnan(minutes).all():
        return
    latest = float(np.nanmax(minutes))
    if latest <= last_minute(start):
        return
    years = latest / (365.25 * 24 * 60)
    raise SimulationError(
        f"{what} would run {years:,.0f} years from {start}, past {LAST_DAY}, the last "
        f"day an event log can hold; {advice}"
    )


def _columns() -> tuple[str, ...]:
    names = ["type", "case_id", "at"]
    for cls in EVENT_TYPES.values():
        for field in attrs.fields(cls):
            if field.name not in names:
                names.append(field.name)
    return tuple(names)


COLUMNS = _columns()
_JSON_FIELDS = frozenset({"facts", "answers", "facts_used", "data", "automatic"})
_TIME_FIELDS = frozenset({"at", "started"})
_INT_FIELDS = frozenset({"attendance"})
_REQUESTED = (None, "service", "client")
_NOTES = ("", "rebooking after a missed visit")  # then one per move (NOTE_MOVE + index)
RATIONALE = "simulated"
LAPSED_DATA = '{"lapsed":true}'  # a lapsed review's move (plan-only rows)


class EventWriter(Protocol):
    """Where converted chunks go."""

    def write(self, chunk: Chunk) -> None: ...

    def close(self) -> None: ...


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _pyarrow() -> Any:
    """pyarrow with its compute functions, or a MissingExtraError naming ``sim``."""
    _import("pyarrow.compute")
    return _import("pyarrow")


class Vocab:
    """One text column's dictionary: distinct texts and their codes (0, 1, ...).

    The writers take the texts as one pyarrow array (:meth:`arrow`) and, for CSV, as
    cells quoted where needed (:meth:`cells`), each built once per size of the
    dictionary; the events refer to them by code, so no Python runs per event.
    """

    def __init__(self, labels: Sequence[str] = (), arrow: Any = None) -> None:
        self.labels: list[str] = list(labels)
        self.index: dict[str, int] = {label: i for i, label in enumerate(self.labels)}
        self._fixed = arrow is not None  # a prebuilt array of texts that need no quoting
        self._arrow: Any = arrow
        self._arrow_size = -1
        self._cells: Any = arrow
        self._cells_size = -1

    def code(self, label: str | None) -> int:
        """The code of ``label`` (added if new), -1 for ``None``."""
        if label is None:
            return -1
        found = self.index.get(label)
        if found is None:
            found = self.index[label] = len(self.labels)
            self.labels.append(label)
        return found

    def map(self, values: Sequence[str | None]) -> npt.NDArray[np.int32]:
        """Codes of ``values`` plus a trailing -1, so index -1 (none) picks -1."""
        return np.asarray([self.code(v) for v in values] + [-1], dtype=np.int32)

    def arrow(self) -> Any:
        """The texts as a pyarrow string array, in code order."""
        if not self._fixed and self._arrow_size != len(self.labels):
            self._arrow = _pyarrow().array(self.labels, type=_pyarrow().string())
            self._arrow_size = len(self.labels)
        return self._arrow

    def cells(self) -> Any:
        """The texts as CSV cells (quoted where needed), in code order."""
        if not self._fixed and self._cells_size != len(self.labels):
            cells = [_csv_cell(label) for label in self.labels]
            self._cells = _pyarrow().array(cells, type=_pyarrow().string())
            self._cells_size = len(self.labels)
        return self._cells


def _csv_cell(text: str) -> str:
    """``text`` as a CSV cell: quoted (quotes doubled) when it holds a comma, a quote
    or a line break, as the standard library's ``csv`` module writes it."""
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


@attrs.frozen(eq=False)
class Text:
    """One text column of a chunk: ``codes`` into ``vocab`` (-1: the cell is empty)."""

    codes: npt.NDArray[np.int32]
    vocab: Vocab


@attrs.frozen(eq=False)
class Times:
    """One time column of a chunk: local wall times and their UTC offsets, in
    microseconds (the wall time since 1970-01-01T00:00 local), where ``present``."""

    wall: npt.NDArray[np.int64]
    offset: npt.NDArray[np.int64]
    present: npt.NDArray[np.bool_]

    @property
    def utc(self) -> npt.NDArray[np.int64]:
        """Microseconds since 1970 UTC."""
        result: npt.NDArray[np.int64] = self.wall - self.offset
        return result


@attrs.frozen(eq=False)
class Chunk:
    """Converted events: every column of :data:`COLUMNS` as codes, times or numbers."""

    rows: int
    texts: Mapping[str, Text]
    times: Mapping[str, Times]
    attendance: npt.NDArray[np.int64]  # -1 where the field does not apply


#: Columns held as arrays of their own (the rest are text).
_NOT_TEXT = _TIME_FIELDS | _INT_FIELDS
#: Text columns whose dictionary is built per chunk (their texts depend on the cases).
_PER_CHUNK = ("case_id", "facts", "facts_used")


class _Names:
    """Per column: the dictionary, and lookup arrays turning kernel indices (-1 for
    none) into its codes."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        v = self.vocab = {n: Vocab() for n in COLUMNS if n not in _NOT_TEXT and n not in _PER_CHUNK}
        v["type"] = Vocab(L.EVENT_KINDS)
        self.steps = v["step"].map(plan.step_ids)
        self.from_steps = v["from_step"].map(plan.step_ids)
        self.from_roles = v["from_role"].map(plan.step_roles)
        self.to_roles = v["to_role"].map(plan.step_roles)
        self.roles = v["role"].map(plan.role_ids)
        self.worker_roles = v["role"].map([plan.role_ids[r] for r in plan.worker_roles])
        self.workers = {
            name: v[name].map(plan.worker_names)
            for name in ("worker", "from_worker", "to_worker", "decided_by")
        }
        self.triggers = v["trigger"].map([t[0] for t in plan.transitions])
        self.sources = v["source"].map([t[1] for t in plan.transitions])
        self.targets = v["target"].map([t[2] for t in plan.transitions])
        self.causes = v["cause"].map(WAIT_CAUSES)
        self.levels = v["level"].map(HANDOFF_LEVELS)
        self.work = v["work"].map(WORK_CLASSES)
        self.requested = v["requested_by"].map(_REQUESTED)
        self.demands = v["demand"].map(DEMANDS)
        moves = [f"{source}->{target}:{trigger}" for trigger, source, target in plan.transitions]
        self.notes = v["note"].map([*_NOTES, *moves])
        self.checkpoints = v["checkpoint"].map(plan.checkpoint_ids)
        self.constants = {
            name: v[name].code(value)
            for name, value in (
                ("pathway_id", plan.pathway_id),
                ("pathway_version", plan.pathway_version),
                ("content_hash", plan.content_hash),
                ("rationale", RATIONALE),
                ("data", "{}"),
            )
        }
        self.constants["lapsed"] = v["data"].code(LAPSED_DATA)
        self.first_lapse = plan.first_lapse
        self.automatic = v["automatic"].map(
            [
                _json(sorted(q for q, auto in zip(qs, autos, strict=True) if auto))
                for qs, autos in zip(plan.question_ids, plan.question_auto, strict=True)
            ]
        )
        self.used = [
            sorted({n for e in _automatic_of(plan, c) for n in e.names})
            for c in range(len(plan.checkpoint_ids))
        ]
        self.answers: dict[tuple[int, int], int] = {}  # (checkpoint, bits) -> code

    def answer(self, checkpoint: int, bits: int) -> int:
        """The code of the answers JSON for ``bits`` (one per question) at ``checkpoint``."""
        code = self.answers.get((checkpoint, bits))
        if code is None:
            questions = self.plan.question_ids[checkpoint]
            text = _json({q: bool(bits >> i & 1) for i, q in enumerate(questions)})
            code = self.answers[(checkpoint, bits)] = self.vocab["answers"].code(text)
        return code


@attrs.define
class ChunkConverter:
    """Turns buffers of kernel rows into the columns of one chunk, for one replication.

    Every column is computed with numpy over whole arrays: text columns as codes into a
    dictionary per column (the pathway's steps, roles, workers...), facts as the JSON
    of each distinct combination of values, times as local wall times with UTC offsets
    from the zone's transitions (:class:`~pathway._sim._zone.ZoneOffsets`).
    """

    plan: Plan
    columns: Mapping[str, Column]
    case_ids: Sequence[str] | None = None
    #: Per case row, the row of the person's first demand (float; None: every case is
    #: its own person). Facts are the person's.
    person_of: Any = None
    names: _Names = attrs.field(init=False)
    zone: ZoneOffsets = attrs.field(init=False)
    _base_us: int = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.names = _Names(self.plan)
        self.zone = ZoneOffsets(ZoneInfo(self.plan.timezone))
        self._base_us = (datetime.combine(self.plan.start, time()) - _EPOCH) // _MICROSECOND

    def case_id(self, case: int) -> str:
        """The id of case ``case`` (zero-padded so ids sort in arrival order)."""
        if self.case_ids is not None:
            return self.case_ids[case]
        return f"case-{case:07d}"

    def convert(self, ev_i: npt.NDArray[np.int64], ev_f: npt.NDArray[np.float64]) -> Chunk:
        """The chunk of the kernel rows ``ev_i`` (integers) and ``ev_f`` (times).

        Raises :class:`SimulationError` when a time is past what an event log holds.
        """
        rows = len(ev_i)
        advice = "simulate fewer cases or a shorter horizon"
        check_times(self.plan.start, ev_f[:, L.EF_AT], "the simulated clock", advice)
        kind = ev_i[:, L.E_KIND]
        out = _Out(rows, self.names.vocab)
        out.codes["type"][:] = kind
        out.texts["case_id"] = self._case_ids(ev_i[:, L.E_CASE])
        started = np.full(rows, np.nan)
        for code, fill in _FILLERS.items():
            rows_of_kind = np.flatnonzero(kind == code)
            if len(rows_of_kind):
                fill(self, out, rows_of_kind, ev_i, ev_f)
                if code in (L.EV_STEP_COMPLETED, L.EV_WAITED):
                    started[rows_of_kind] = ev_f[rows_of_kind, L.EF_STARTED]
        times = {"at": self.times(ev_f[:, L.EF_AT]), "started": self.times(started)}
        return Chunk(rows, out.finish(), times, out.attendance)

    # ---------------------------------------------------------------- time stamps

    def times(self, minutes: npt.NDArray[np.float64]) -> Times:
        """Local wall times and UTC offsets of simulation minutes (NaN: no time)."""
        present = ~np.isnan(minutes)
        wall = np.zeros(len(minutes), dtype=np.int64)
        wall[present] = self._base_us + np.round(minutes[present] * 60_000_000.0).astype(np.int64)
        offset = np.zeros(len(minutes), dtype=np.int64)
        wall[present], offset[present] = self.zone.resolve(wall[present])
        return Times(wall, offset, present)

    # ------------------------------------------------------------------ texts

    def _case_ids(self, cases: npt.NDArray[np.int64]) -> Text:
        """Case ids: a dictionary of the chunk's cases (ids built as bytes by numpy)."""
        unique, codes = _distinct(cases)
        if self.case_ids is not None:
            return Text(codes, Vocab([self.case_ids[c] for c in unique.tolist()]))
        return Text(codes, Vocab(arrow=_numbered("case-", unique, 7)))

    def facts_texts(
        self, cases: npt.NDArray[np.int64], names: Sequence[str] | None = None
    ) -> tuple[npt.NDArray[np.intp], list[str]]:
        """The facts (all, or only ``names``) of each case in ``cases`` as JSON text:
        an index per case into the distinct texts, and the texts.

        Python runs once per distinct combination of values (a handful for true/false
        and categorical facts, once per case for facts drawn from a continuum).
        """
        chosen = sorted(n for n in (self.columns if names is None else names) if n in self.columns)
        if not chosen or len(cases) == 0:
            return np.zeros(len(cases), dtype=np.intp), ["{}"]
        if self.person_of is not None:
            cases = self.person_of[cases].astype(np.int64)
        codes, texts = zip(*(_value_texts(self.columns[n], cases) for n in chosen), strict=True)
        combos, inverse = np.unique(np.stack(codes, axis=1), axis=0, return_inverse=True)
        keys = [_json(n) + ":" for n in chosen]
        labels = [
            "{" + ",".join(k + t[i] for k, t, i in zip(keys, texts, combo, strict=True)) + "}"
            for combo in combos.tolist()
        ]
        return inverse.reshape(-1), labels


_MICROSECOND = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1)


class _Out:
    """The columns of a chunk being filled: codes per text column (-1: empty)."""

    def __init__(self, rows: int, vocab: Mapping[str, Vocab]) -> None:
        self.vocab = vocab
        self.codes = {name: np.full(rows, -1, dtype=np.int32) for name in vocab}
        self.texts: dict[str, Text] = {}
        self.attendance = np.full(rows, -1, dtype=np.int64)
        self.facts = Vocab()
        self.facts_used = Vocab()
        self.facts_codes = np.full(rows, -1, dtype=np.int32)
        self.used_codes = np.full(rows, -1, dtype=np.int32)

    def finish(self) -> dict[str, Text]:
        """Every text column, by name."""
        texts = {name: Text(codes, self.vocab[name]) for name, codes in self.codes.items()}
        texts["facts"] = Text(self.facts_codes, self.facts)
        texts["facts_used"] = Text(self.used_codes, self.facts_used)
        return {**texts, **self.texts}


def _value_texts(column: Column, cases: npt.NDArray[np.int64]) -> tuple[Any, list[str]]:
    """One fact's values for ``cases`` as JSON: an index per case into distinct texts."""
    values = column.values[cases]
    if column.kind == "bool" and values.dtype == np.bool_:
        return values.astype(np.intp), ["false", "true"]
    if values.dtype.kind == "f":  # by bit pattern, so -0.0 and 0.0 stay apart
        unique, inverse = np.unique(values.view(np.int64), return_inverse=True)
        return inverse, [_json(v) for v in unique.view(np.float64).tolist()]
    if values.dtype.kind in "iubU":
        unique, inverse = np.unique(values, return_inverse=True)
        return inverse, [_json(python_value(v)) for v in unique]
    texts = [_json(python_value(v)) for v in values]
    distinct = Vocab()
    found = np.asarray([distinct.code(t) for t in texts], dtype=np.intp)
    return found, distinct.labels


def _distinct(values: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]:
    """The distinct values (sorted) and each value's index among them; by a table over
    the values' range when it is small (the cases of a chunk mostly are), else by sorting."""
    if len(values) == 0:
        return values[:0], np.zeros(0, dtype=np.int32)
    low = int(values.min())
    span = int(values.max()) - low + 1
    if span > 4 * len(values):
        unique, inverse = np.unique(values, return_inverse=True)
        return unique, inverse.reshape(-1).astype(np.int32)
    seen = np.zeros(span, dtype=np.bool_)
    seen[values - low] = True
    index = np.cumsum(seen, dtype=np.int32) - 1
    return np.flatnonzero(seen) + low, index[values - low]


def _numbered(prefix: str, numbers: npt.NDArray[np.int64], width: int) -> Any:
    """A pyarrow string array of ``prefix`` + each number zero-padded to ``width``
    digits (more where needed), written as bytes by numpy."""
    pa = _pyarrow()
    head = np.frombuffer(prefix.encode(), dtype=np.uint8)
    digits = np.full(len(numbers), width, dtype=np.int64)
    power = 10**width
    while len(numbers) and power <= int(numbers.max()):
        digits[numbers >= power] += 1
        power *= 10
    sizes = len(head) + digits
    offsets = np.zeros(len(numbers) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    data = np.empty(int(offsets[-1]), dtype=np.uint8)
    for i, byte in enumerate(head):
        data[offsets[:-1] + i] = byte
    rest = numbers.astype(np.int64)
    ends = offsets[1:] - 1
    for j in range(int(digits.max()) if len(numbers) else 0):
        inside = digits > j
        data[ends[inside] - j] = 48 + rest[inside] % 10
        rest = rest // 10
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    return pa.Array.from_buffers(pa.large_string(), len(numbers), buffers).cast(pa.string())


_Rows = npt.NDArray[np.intp]


def _fill_started(c: ChunkConverter, out: _Out, r: _Rows, ev_i: Any, _ev_f: Any) -> None:
    n = c.names
    out.codes["step"][r] = n.steps[ev_i[r, L.E_STEP]]
    returning = r[ev_i[r, L.E_A1] > 0]  # a return: the row of the person's first demand + 1
    if len(returning):
        people, inverse = np.unique(ev_i[returning, L.E_A1] - 1, return_inverse=True)
        person = out.vocab["person"]
        codes = [person.code(c.case_id(int(first))) for first in people.tolist()]
        out.codes["person"][returning] = np.asarray(codes, dtype=np.int32)[inverse.reshape(-1)]
        failing = returning[ev_i[returning, L.E_A2] > 0]  # 0: a new (value) demand
        out.codes["demand"][failing] = n.demands[ev_i[failing, L.E_A2] - 1]
    referred = r[ev_i[r, L.E_A3] > 0]  # a referral: the row of the case that opened it + 1
    if len(referred):
        by = out.vocab["referred_by"]
        codes = [by.code(c.case_id(int(row) - 1)) for row in ev_i[referred, L.E_A3].tolist()]
        out.codes["referred_by"][referred] = np.asarray(codes, dtype=np.int32)
    for name in ("pathway_id", "pathway_version", "content_hash"):
        out.codes[name][r] = n.constants[name]
    index, texts = c.facts_texts(ev_i[r, L.E_CASE])
    out.facts_codes[r] = np.asarray([out.facts.code(t) for t in texts], dtype=np.int32)[index]


def _fill_step_started(c: ChunkConverter, out: _Out, r: _Rows, ev_i: Any, _ev_f: Any) -> None:
    n = c.names
    out.codes["step"][r] = n.steps[ev_i[r, L.E_STEP]]
    out.codes["worker"][r] = n.workers["worker"][ev_i[r, L.E_A1]]
    out.codes["role"][r] = n.roles[ev_i[r, L.E_A2]]


def _fill_completed(c: ChunkConverter, out: _Out, r: _Rows, ev_i: Any, ev_f: Any) -> None:
    _fill_step_started(c, out, r, ev_i, ev_f)
    out.codes["work"][r] = c.names.work[ev_i[r, L.E_A3]]


def _fill_transitioned(c: ChunkConverter, out: _Out, r: _Rows, ev_i: Any, _ev_f: Any) -> None:
    n = c.names
    transition = ev_i[r, L.E_A1]
    out.codes["trigger"][r] = n.triggers[transition]
    out.codes["source"][r] = n.sources[transition]
    out.codes["target"][r] = n.targets[transition]
    out.codes["worker"][r] = n.workers["worker"][ev_i[r, L.E_A2]]
    out.codes["role"][r] = n.roles[ev_i[r, L.E_A3]]
    lapsed = transition >= n.first_lapse
    out.codes["data"][r] = np.where(lapsed, n.constants["lapsed"], n.constants["data"])


def _fill_waited(c: ChunkConverter, out: _Out, r: _Rows, ev_i: Any, _ev_f: Any) -> None:
    out.codes["step"][r] = c.names.steps[ev_i[r, L.E_STEP]]
    out.codes["cause"][r] = c.names.causes[ev_i[r, L.E_A1]]


def _fill_attended(c: ChunkConverter, out: _Out, r: _Rows, ev_i: Any, _ev_f: Any) -> None:
    out.codes["step"][r] = c.names.steps[ev_i[r, L.E_STEP]]
    out.attendance[r] = ev_i[r, L.E_A1]
    out.codes["requested_by"][r] = c.names.requested[ev_i[r, L.E_A2]]


def _fill_missed(c: ChunkConverter, out: _Out, r: _Rows, ev_i: Any, _ev_f: Any) -> None:
    out.codes["step"][r] = c.names.steps[ev_i[r, L.E_STEP]]
    out.codes["requested_by"][r] = c.names.requested[ev_i[r, L.E_A1]]


def _fill_handoff(c: ChunkConverter, out: _Out, r: _Rows, ev_i: Any, _ev_f: Any) -> None:
    n = c.names
    out.codes["step"][r] = n.steps[ev_i[r, L.E_STEP]]
    out.codes["from_step"][r] = n.from_steps[ev_i[r, L.E_A1]]
    out.codes["from_role"][r] = n.from_roles[ev_i[r, L.E_A1]]
    out.codes["to_role"][r] = n.to_roles[ev_i[r, L.E_STEP]]
    out.codes["from_worker"][r] = n.workers["from_worker"][ev_i[r, L.E_A2]]
    out.codes["to_worker"][r] = n.workers["to_worker"][ev_i[r, L.E_A3]]
    out.codes["level"][r] = n.levels[ev_i[r, L.E_A4]]


def _fill_decision(c: ChunkConverter, out: _Out, r: _Rows, ev_i: Any, _ev_f: Any) -> None:
    n = c.names
    out.codes["step"][r] = n.steps[ev_i[r, L.E_STEP]]
    out.codes["target"][r] = n.targets[ev_i[r, L.E_A3]]
    out.codes["decided_by"][r] = n.workers["decided_by"][ev_i[r, L.E_A4]]
    out.codes["role"][r] = n.worker_roles[ev_i[r, L.E_A4]]
    out.codes["rationale"][r] = n.constants["rationale"]
    checkpoint = ev_i[r, L.E_A1]
    out.codes["checkpoint"][r] = n.checkpoints[checkpoint]
    out.codes["automatic"][r] = n.automatic[checkpoint]
    pairs, inverse = np.unique(ev_i[r][:, [L.E_A1, L.E_A2]], axis=0, return_inverse=True)
    answers = np.asarray([n.answer(cp, bits) for cp, bits in pairs.tolist()], dtype=np.int32)
    out.codes["answers"][r] = answers[inverse.reshape(-1)]
    for point in np.unique(checkpoint).tolist():
        rows = r[checkpoint == point]
        index, texts = c.facts_texts(ev_i[rows, L.E_CASE], n.used[point])
        codes = np.asarray([out.facts_used.code(t) for t in texts], dtype=np.int32)
        out.used_codes[rows] = codes[index]


def _automatic_of(plan: Plan, checkpoint: int) -> list[Any]:
    cq_i = plan.table("cq_i")
    return [
        plan.automatic[cq_i[checkpoint, q]]
        for q in range(len(plan.question_ids[checkpoint]))
        if cq_i[checkpoint, q] >= 0
    ]


def _fill_failure(c: ChunkConverter, out: _Out, r: _Rows, ev_i: Any, _ev_f: Any) -> None:
    out.codes["step"][r] = c.names.steps[ev_i[r, L.E_STEP]]
    out.codes["demand"][r] = c.names.demands[ev_i[r, L.E_A1]]
    out.codes["note"][r] = c.names.notes[ev_i[r, L.E_A2]]


def _fill_outcome(c: ChunkConverter, out: _Out, r: _Rows, ev_i: Any, _ev_f: Any) -> None:
    out.codes["step"][r] = c.names.steps[ev_i[r, L.E_STEP]]


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


def _codes(codes: npt.NDArray[np.int32]) -> Any:
    """Codes as a pyarrow int32 array, null where -1."""
    return _masked(_pyarrow().int32(), codes, codes >= 0)


def _masked(kind: Any, values: npt.NDArray[Any], present: npt.NDArray[np.bool_]) -> Any:
    """A pyarrow array of ``kind`` over ``values`` (no copy), null where not ``present``
    (the validity bitmap packed by numpy)."""
    pa = _pyarrow()
    valid = None if present.all() else pa.py_buffer(np.packbits(present, bitorder="little"))
    values = np.ascontiguousarray(values)
    return pa.Array.from_buffers(kind, len(values), [valid, pa.py_buffer(values)])


class _Pipeline:
    """Runs each chunk's last stage (encoding and writing, where pyarrow releases the
    GIL) on a second thread while the kernel makes the next chunk; one job at a time, in
    order, and a job's error is raised by the next call."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pathway-events")
        self.job: Future[None] | None = None

    def submit(self, job: Callable[..., None], *args: Any) -> None:
        """Wait for the previous job, then start ``job(*args)``."""
        self.wait()
        self.job = self.pool.submit(job, *args)

    def wait(self) -> None:
        """Wait for the job in flight (raising its error)."""
        job, self.job = self.job, None
        if job is not None:
            job.result()

    def close(self) -> None:
        """Finish the job in flight and stop the thread."""
        try:
            self.wait()
        finally:
            self.pool.shutdown()


def _time_cells(times: Times) -> Any:
    """ISO 8601 local times with UTC offsets (``2017-10-03T09:41:07.215000+01:00``) as a
    pyarrow string array (null where there is no time), written as bytes by numpy."""
    pa = _pyarrow()
    n = len(times.wall)
    day_us = 86_400_000_000
    days, rest = np.divmod(times.wall, day_us)
    year, month, day = _civil(days)
    seconds, micro = np.divmod(rest, 1_000_000)
    minutes = times.offset // 60_000_000  # whole minutes, rounded down
    sign = np.where(minutes >= 0, ord("+"), ord("-")).astype(np.uint8)
    off_h, off_m = np.divmod(np.abs(minutes), 60)
    cells = np.empty((n, 32), dtype=np.uint8)
    for at, value, width in (
        (0, year, 4),
        (5, month, 2),
        (8, day, 2),
        (11, seconds // 3600, 2),
        (14, seconds // 60 % 60, 2),
        (17, seconds % 60, 2),
        (20, micro, 6),
        (27, off_h, 2),
        (30, off_m, 2),
    ):
        for j in range(width):
            cells[:, at + width - 1 - j] = 48 + value // 10**j % 10
    for at, char in ((4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "."), (29, ":")):
        cells[:, at] = ord(char)
    cells[:, 26] = sign
    offsets = np.arange(0, 32 * (n + 1), 32, dtype=np.int32)
    valid = pa.array(times.present, type=pa.bool_()).buffers()[1]
    buffers = [valid, pa.py_buffer(offsets), pa.py_buffer(cells)]
    return pa.Array.from_buffers(pa.string(), n, buffers)


def _civil(days: npt.NDArray[np.int64]) -> tuple[Any, Any, Any]:
    """Year, month and day of days since 1970-01-01 (proleptic Gregorian; H. Hinnant's
    ``civil_from_days``)."""
    z = days + 719_468
    era = np.floor_divide(z, 146_097)
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return year, month, day


class _CsvWriter:
    """CSV with a header row; empty cells for fields that do not apply.

    Each column becomes a pyarrow string array (dictionary cells taken by code, times
    written by numpy) and pyarrow joins each row's cells; the bytes go straight to the
    file.
    """

    def __init__(self, path: Path, converter: ChunkConverter) -> None:
        self.pa = _pyarrow()
        self.converter = converter
        self.handle: IO[bytes] = path.open("wb")
        self.handle.write((",".join(_csv_cell(n) for n in COLUMNS) + "\n").encode())
        self.pipeline = _Pipeline()

    def write(self, chunk: Chunk) -> None:
        pa, pc = self.pa, self.pa.compute
        cells = []
        for name in COLUMNS:
            if name in _TIME_FIELDS:
                cells.append(_time_cells(chunk.times[name]))
            elif name in _INT_FIELDS:
                values = chunk.attendance
                cells.append(_masked(pa.int64(), values, values >= 0).cast(pa.string()))
            else:
                text = chunk.texts[name]
                cells.append(text.vocab.cells().take(_codes(text.codes)))
        cells[-1] = pc.binary_join_element_wise(cells[-1].fill_null(""), "\n", "")
        self.pipeline.submit(self._write_rows, cells)

    def _write_rows(self, cells: list[Any]) -> None:
        """Join each row's cells (the last ends in a line break) and write the bytes."""
        rows = self.pa.compute.binary_join_element_wise(
            *cells, ",", null_handling="replace", null_replacement=""
        )
        _, offsets, data = rows.buffers()
        bounds = np.frombuffer(offsets, dtype=np.int32)[rows.offset : rows.offset + len(rows) + 1]
        self.handle.write(memoryview(data)[int(bounds[0]) : int(bounds[-1])])

    def close(self) -> None:
        try:
            self.pipeline.close()
        finally:
            self.handle.close()


_FREE_TEXT = frozenset({"case_id", "facts", "data", "answers", "facts_used", "note", "rationale"})
"""Text columns whose dictionaries may grow with the cases (ids, JSON, free text): their
pages are compressed; the other text columns draw on the pathway's few names, and their
dictionary codes are already bit-packed, so compressing them costs time and saves little."""


def _parquet_options(columns: Sequence[str]) -> dict[str, Any]:
    """The Parquet writer's encodings, chosen for speed at about the same size: times
    delta-encoded and compressed (with statistics, for readers that skip row groups by
    time), text dictionary-encoded, compressed only where its dictionary may be large."""
    texts = [n for n in columns if n not in _TIME_FIELDS and n not in _INT_FIELDS]
    compressed = _TIME_FIELDS | _INT_FIELDS | _FREE_TEXT
    return {
        "compression": {n: "zstd" if n in compressed else "none" for n in columns},
        "use_dictionary": texts,
        "column_encoding": dict.fromkeys(sorted(_TIME_FIELDS), "DELTA_BINARY_PACKED"),
        "write_statistics": sorted(_TIME_FIELDS),
    }


class _ParquetWriter:
    """Parquet (pyarrow), a row group per chunk: text columns dictionary-encoded
    (``dictionary<int32, string>``), ``attendance`` int64, times ``timestamp[us, tz]``."""

    def __init__(self, path: Path, converter: ChunkConverter) -> None:
        self.pa = pa = _pyarrow()
        parquet: Any = _import("pyarrow.parquet")
        self.converter = converter
        self.time = pa.timestamp("us", tz=converter.plan.timezone)
        fields = []
        for name in COLUMNS:
            if name in _TIME_FIELDS:
                kind = self.time
            elif name in _INT_FIELDS:
                kind = pa.int64()
            else:
                kind = pa.dictionary(pa.int32(), pa.string())
            fields.append(pa.field(name, kind))
        self.schema = pa.schema(fields)
        self.writer = parquet.ParquetWriter(str(path), self.schema, **_parquet_options(COLUMNS))
        self.pipeline = _Pipeline()

    def write(self, chunk: Chunk) -> None:
        pa = self.pa
        arrays = []
        for name in COLUMNS:
            if name in _TIME_FIELDS:
                times = chunk.times[name]
                arrays.append(_masked(self.time, times.utc, times.present))
            elif name in _INT_FIELDS:
                values = chunk.attendance
                arrays.append(_masked(pa.int64(), values, values >= 0))
            else:
                text = chunk.texts[name]
                arrays.append(
                    pa.DictionaryArray.from_arrays(_codes(text.codes), text.vocab.arrow())
                )
        table = pa.Table.from_arrays(arrays, schema=self.schema)
        self.pipeline.submit(self.writer.write_table, table)

    def close(self) -> None:
        try:
            self.pipeline.close()
        finally:
            self.writer.close()


def _import(module: str) -> Any:
    return require(module, extra="sim", feature="writing event logs")


def open_writer(path: Path, converter: ChunkConverter) -> EventWriter:
    """A writer for ``path`` by its suffix: ``.csv`` or ``.parquet``."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _CsvWriter(path, converter)
    if suffix in (".parquet", ".pq"):
        return _ParquetWriter(path, converter)
    raise SimulationError(f"events file must end in .csv or .parquet, found {path.name!r}")


# ------------------------------------------------------------------------------- reader


def read_events(path: str | Path) -> Iterator[Event]:
    """Read a simulated (or any same-shaped) event log back as journal events."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                yield _event({k: (v if v != "" else None) for k, v in row.items()})
        return
    parquet: Any = _import("pyarrow.parquet")
    table = parquet.read_table(str(path))
    for batch in table.to_batches():
        for row in batch.to_pylist():
            yield _event(row)


def _event(row: Mapping[str, Any]) -> Event:
    kind = row["type"]
    cls = EVENT_TYPES[kind]
    data: dict[str, Any] = {"type": kind}
    for field in attrs.fields(cls):
        value = row.get(field.name)
        if value is None and isinstance(field.default, str):
            value = field.default
        elif isinstance(value, str) and field.name in _JSON_FIELDS:
            value = json.loads(value)
        elif isinstance(value, str) and field.name in _INT_FIELDS:
            value = int(value)
        elif isinstance(value, datetime):
            value = value.isoformat()
        data[field.name] = value
    return event_from_dict(data)
