"""``pathway report --simulate N``: the report of a simulated cohort, measured as the
simulator runs, with no event log file and no object per event.

The kernel's event rows (integers and float minutes, in simulated-time order) are
turned into :class:`~pathway.EventLog` columns a buffer at a time and gathered by
*block* of cases (consecutive arrivals). A block is measured
(:func:`pathway._analysis._partial.part_of`) as soon as all its cases have reached an
outcome (or the run ends), and its columns go to a temporary file, kept only to draw
the typical case's journey; the blocks are then combined exactly
(:func:`pathway._analysis._partial.combine`). Memory is a few blocks of events and the
per-case table, whatever the number of cases.

Times are those the simulator's event log would hold (local wall times to the
microsecond, made UTC with the pathway's time zone), counted within each block from the
block's first event, so a run longer than an event log file can hold (past 2262) is
still measured: the report equals the one made from the simulator's Parquet log
wherever that log can be written.
"""

from __future__ import annotations

import ctypes
from datetime import datetime, time
from typing import Any

import numpy as np
import numpy.typing as npt

import pathway._sim._layout as L
from pathway._analysis._journey import Journey, journey_of
from pathway._analysis._partial import Part, combine, part_of
from pathway._journal._eventlog import KINDS, NAT, EventLog
from pathway._model._pathway import Pathway
from pathway._report._build import analyse, combined_report
from pathway._report._report import Report
from pathway._sim._cohort import adjust_weights
from pathway._sim._events import ChunkConverter
from pathway._sim._plan import Plan, build_plan
from pathway._sim._run import Progress, run_replication
from pathway._vocab import DEMANDS, LEVELS, REQUESTERS, WAIT_CAUSES, WORK_CLASSES

__all__ = ["BLOCK_CASES", "simulated_report"]

#: Cases per block (about a million Recovery Hub events).
BLOCK_CASES = 20_000
I64 = npt.NDArray[np.int64]
_US = 60_000_000.0
_EPOCH = datetime(1970, 1, 1)
#: Code columns a block keeps (what the report and the journey read).
_FIELDS = (
    "step",
    "worker",
    "role",
    "work",
    "cause",
    "level",
    "source",
    "target",
    "from_worker",
    "to_worker",
    "requested_by",
    "demand",
    "person",
)
_KIND = np.asarray([KINDS.index(kind) for kind in L.EVENT_KINDS], dtype=np.int8)


def simulated_report(
    pathway: Pathway,
    cases: int,
    seed: int,
    *,
    block: int = BLOCK_CASES,
    progress: Progress | None = None,
) -> Report:
    """Simulate ``cases`` cases of ``pathway`` (as ``simulate`` does: default start,
    branching by shares) and report on them, measured block by block; ``progress`` is
    told how many cases have arrived as the simulation runs.

    Raises :class:`~pathway.errors.SimulationError` as :func:`pathway.simulate` does.
    """
    plan = build_plan(pathway)
    adjust_weights(plan)
    if plan.has_returns:
        return _whole(plan, pathway, cases, seed, progress)
    blocks = _Blocks(plan, pathway, cases, block)
    run_replication(plan, seed=seed, cases=cases, sink=blocks.add, progress=progress)
    parts = blocks.finish()

    def journey(part: int, case: int) -> Journey:
        # the same run again (same seed, same rows), keeping only this case's rows:
        # cheaper than holding or spilling every event for one journey
        number = int(blocks.numbers[blocks.measured[part]][case])
        kept: list[dict[str, Any]] = []

        def keep(ev_i: I64, ev_f: npt.NDArray[np.float64]) -> None:
            mine = ev_i[:, L.E_CASE] == number
            if mine.any():
                kept.append(blocks.columns(ev_i[mine], ev_f[mine]))

        run_replication(plan, seed=seed, cases=cases, sink=keep)
        rows = {name: np.concatenate([k[name] for k in kept]) for name in kept[0]}
        return journey_of(blocks.one_case(rows, number), 0, pathway)

    combined = combine(parts, release=_give_back)
    _give_back()
    return combined_report(combined, pathway, journey)


def _whole(
    plan: Plan, pathway: Pathway, cases: int, seed: int, progress: Progress | None
) -> Report:
    """The report of a cohort whose people come back after an outcome, measured as one
    log: a return is a new case of a person who may be in any block, so people and
    demands are counted over the whole cohort, not block by block."""
    blocks = _Blocks(plan, pathway, cases, max(1, cases))
    kept: list[dict[str, Any]] = []
    run_replication(
        plan,
        seed=seed,
        cases=cases,
        sink=lambda ev_i, ev_f: kept.append(blocks.columns(ev_i, ev_f)),
        progress=progress,
    )
    if not kept:
        return analyse(blocks._event_log(blocks.columns(*_no_rows()), [], 0, 0), pathway)
    rows = {name: np.concatenate([k[name] for k in kept]) for name in kept[0]}
    kept.clear()
    ids = [blocks.case_id(i) for i in range(int(rows["case"].max()) + 1)]
    return analyse(blocks._event_log(rows, ids, 0, -blocks.base_us, people=ids), pathway)


def _no_rows() -> tuple[I64, npt.NDArray[np.float64]]:
    return np.zeros((0, L.N_E), dtype=np.int64), np.zeros((0, 2), dtype=np.float64)


def _give_back() -> None:
    """Return freed heap memory to the system (glibc's ``malloc_trim``): the blocks'
    many small arrays, freed as they are combined, would otherwise stay in the
    process's heap and count towards its peak. Does nothing elsewhere."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        return


class _Blocks:
    """Gathers kernel rows by block of cases and measures each block when complete."""

    def __init__(self, plan: Plan, pathway: Pathway, cases: int, size: int) -> None:
        self.plan, self.pathway, self.cases, self.size = plan, pathway, cases, max(1, size)
        self.numbers: dict[int, I64] = {}  # per block: each case's number, in log order
        count = -(-cases // self.size) if cases else 0
        self.pending: list[list[dict[str, Any]]] = [[] for _ in range(count)]
        self.finished = np.zeros(count, dtype=np.int64)
        self.origin: list[int | None] = [None] * count
        self.parts: dict[int, Part] = {}
        self.measured: list[int] = []
        self.converter = ChunkConverter(plan, {})
        self.base_us = int((datetime.combine(plan.start, time()) - _EPOCH).total_seconds()) * (
            10**6
        )
        roles = {role: i for i, role in enumerate(plan.role_ids)}
        self.step_role = np.asarray(
            [roles.get(r, -1) if r is not None else -1 for r in plan.step_roles] + [-1],
            dtype=np.int64,
        )
        steps = {step: i for i, step in enumerate(plan.step_ids)}
        self.source = np.asarray([steps[t[1]] for t in plan.transitions] + [-1], dtype=np.int64)
        self.target = np.asarray([steps[t[2]] for t in plan.transitions] + [-1], dtype=np.int64)

    def _micro(self, minutes: npt.NDArray[np.float64]) -> I64:
        """Microseconds from the start day's local midnight to each time, made UTC (as
        the Parquet log holds them, less the start day's own offset from 1970)."""
        micro = np.round(minutes * _US).astype(np.int64)
        wall, offset = self.converter.zone.resolve(self.base_us + micro)
        result: I64 = wall - self.base_us - offset
        return result

    def add(self, ev_i: I64, ev_f: npt.NDArray[np.float64]) -> None:
        """Take one buffer of kernel rows; measure the blocks it completes."""
        columns = self.columns(ev_i, ev_f)
        block = columns["case"] // self.size
        for number in np.unique(block):
            chosen = block == number
            rows = {name: values[chosen] for name, values in columns.items()}
            index = int(number)
            if self.origin[index] is None:
                self.origin[index] = int(rows["at"][0])
            self.pending[index].append(rows)
            outcomes = int((rows["kind"] == KINDS.index("outcome_reached")).sum())
            self.finished[index] += outcomes
            if self.finished[index] >= self._block_cases(index):
                self._measure(index)

    def _block_cases(self, index: int) -> int:
        return min(self.size, self.cases - index * self.size)

    def columns(self, ev_i: I64, ev_f: npt.NDArray[np.float64]) -> dict[str, Any]:
        """The buffer's rows as log columns (times in UTC microseconds from the start)."""
        kind = ev_i[:, L.E_KIND]
        step = ev_i[:, L.E_STEP]
        a1, a2, a3, a4 = (ev_i[:, c] for c in (L.E_A1, L.E_A2, L.E_A3, L.E_A4))
        n = len(kind)
        none = np.full(n, -1, dtype=np.int64)
        codes = {name: none.copy() for name in _FIELDS}

        def put(field: str, where: Any, values: Any) -> None:
            codes[field][where] = values[where]

        is_ = {code: kind == code for code in range(len(L.EVENT_KINDS))}
        with_step = ~is_[L.EV_TRANSITIONED]
        put("step", with_step, step)
        worked = is_[L.EV_STEP_STARTED] | is_[L.EV_STEP_COMPLETED]
        put("worker", worked, a1)
        put("role", worked, a2)
        put("work", is_[L.EV_STEP_COMPLETED], a3)
        moved = is_[L.EV_TRANSITIONED]
        transition = np.where(moved, a1, -1)
        put("source", moved, self.source[transition])
        put("target", moved, self.target[transition])
        put("worker", moved, a2)
        put("role", moved, a3)
        put("cause", is_[L.EV_WAITED], a1)
        put("requested_by", is_[L.EV_VISIT_ATTENDED], a2 - 1)
        put("requested_by", is_[L.EV_VISIT_MISSED], a1 - 1)
        handed = is_[L.EV_HANDOFF]
        put("from_worker", handed, a2)
        put("to_worker", handed, a3)
        put("level", handed, a4 - 1)
        decided = is_[L.EV_DECISION]
        put("target", decided, self.target[np.where(decided, a3, -1)])
        put("demand", is_[L.EV_FAILURE_DEMAND], a1)
        returned = is_[L.EV_CASE_STARTED] & (a1 > 0)  # a return: its person's row + 1
        put("person", returned, a1 - 1)
        put("demand", returned, a2 - 1)
        for values in codes.values():
            values[values < 0] = -1
        at = self._micro(ev_f[:, L.EF_AT])
        timed = is_[L.EV_STEP_COMPLETED] | is_[L.EV_WAITED]
        started = np.full(n, NAT, dtype=np.int64)
        if timed.any():
            started[timed] = self._micro(ev_f[timed, L.EF_STARTED])
        return {
            "case": ev_i[:, L.E_CASE].astype(np.int64),
            "kind": _KIND[kind],
            "at": at,
            "started": started,
            **{name: values.astype(np.int32) for name, values in codes.items()},
        }

    def _log(self, rows: dict[str, Any], index: int) -> EventLog:
        """A block's rows as an event log, times in nanoseconds from its first event."""
        first = index * self.size
        ids = [self.case_id(first + i) for i in range(self._block_cases(index))]
        return self._event_log(rows, ids, first, self.origin[index] or 0)

    def one_case(self, rows: dict[str, Any], number: int) -> EventLog:
        """One case's rows as an event log, times from its first event."""
        return self._event_log(rows, [self.case_id(number)], number, int(rows["at"][0]))

    def _event_log(
        self,
        rows: dict[str, Any],
        ids: list[str],
        first: int,
        origin: int,
        people: list[str] | None = None,
    ) -> EventLog:
        timed = rows["started"] != NAT
        started = np.where(timed, (rows["started"] - origin) * 1000, NAT)
        return EventLog.from_columns(
            case_ids=ids,
            case=rows["case"] - first,
            at=(rows["at"] - origin) * 1000,
            kind=rows["kind"],
            started=started,
            codes={name: rows[name] for name in _FIELDS},
            vocab={
                "step": self.plan.step_ids,
                "worker": self.plan.worker_names,
                "role": self.plan.role_ids,
                "work": WORK_CLASSES,
                "cause": WAIT_CAUSES,
                "level": LEVELS,
                "requested_by": REQUESTERS,
                "demand": DEMANDS,
                "person": people or [],
            },
        )

    def case_id(self, case: int) -> str:
        """The id the simulator's event log gives case number ``case``."""
        return self.converter.case_id(case)

    def _measure(self, index: int) -> None:
        chunks = self.pending[index]
        self.pending[index] = []
        if not chunks:
            return
        rows: dict[str, Any] = {
            name: np.concatenate([c[name] for c in chunks]) for name in chunks[0]
        }
        del chunks
        log = self._log(rows, index)
        del rows
        first = index * self.size
        number = {self.case_id(first + i): first + i for i in range(self._block_cases(index))}
        firsts = np.asarray([number[c] for c in log.case_ids], dtype=np.int64)
        self.numbers[index] = firsts
        origin = (self.base_us + (self.origin[index] or 0)) * 1000
        self.parts[index] = part_of(log, firsts, self.pathway, origin=origin)
        del log
        _give_back()

    def finish(self) -> list[Part]:
        """Measure the blocks still open (cases in flight at the end) and hand over
        every block's part, in block order (the blocks keep none)."""
        for index in range(len(self.pending)):
            if index not in self.parts:
                self._measure(index)
        self.measured = sorted(self.parts)
        parts = [self.parts.pop(i) for i in self.measured]
        return parts
