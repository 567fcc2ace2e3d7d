"""Kernel rows measured by *block* of cases, as the simulator runs: the machinery under
``pathway report --simulate`` (:mod:`pathway._report._simulated`) and the time in each
setting and load on each role of a simulated cohort (:func:`simulated_places`, for
``pathway simulate`` and the diff).

The kernel's event rows (integers and float minutes, in simulated-time order) are
turned into :class:`~pathway.EventLog` columns a buffer at a time and gathered by block
of cases (consecutive arrivals). A block is measured
(:func:`pathway._analysis._partial.part_of`) as soon as all its cases have reached an
outcome (or the run ends); the blocks are then combined exactly
(:func:`pathway._analysis._partial.combine`). Memory is a few blocks of events and the
per-case table, whatever the number of cases.
"""

from __future__ import annotations

import ctypes
import math
from datetime import date, datetime, time
from typing import Any

import numpy as np
import numpy.typing as npt

import pathway._sim._layout as L
from pathway._analysis._partial import Part, combine, part_of
from pathway._analysis._settings import (
    LoadSummary,
    SettingsSummary,
    summarise_load,
    summarise_settings,
)
from pathway._journal._eventlog import KINDS, NAT, EventLog
from pathway._model._pathway import Pathway
from pathway._sim._cohort import adjust_weights, arrival_times
from pathway._sim._events import ChunkConverter
from pathway._sim._plan import Plan, build_plan
from pathway._sim._run import Progress, run_replication
from pathway._vocab import DEMANDS, LEVELS, REQUESTERS, WAIT_CAUSES, WORK_CLASSES
from pathway.errors import SimulationError

__all__ = ["BLOCK_CASES", "Blocks", "give_back", "prepare", "simulated_places"]

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
)
_KIND = np.asarray([KINDS.index(kind) for kind in L.EVENT_KINDS], dtype=np.int8)


def prepare(
    pathway: Pathway,
    cases: int | None,
    seed: int,
    horizon: float,
    warmup: float,
    replication: int,
    block: int,
    start: date | None,
) -> tuple[Plan, dict[str, Any], Blocks]:
    """The plan, the run's arguments and the blocks that measure its rows; raises
    :class:`SimulationError` when every case arrives during the warm-up."""
    plan = build_plan(pathway, start=start)
    adjust_weights(plan)
    arrived = arrival_times(plan, seed, replication, cases, horizon)
    count = len(arrived)
    skip = int(np.searchsorted(arrived, warmup, side="left")) if warmup > 0 else 0
    if count and skip >= count:
        raise SimulationError(
            f"every one of the {count:,} simulated cases arrived during the warm-up, so "
            "none would be measured; simulate more cases, a longer horizon or a shorter warm-up"
        )
    run: dict[str, Any] = {
        "seed": seed,
        "replication": replication,
        "cases": count,
        "horizon": horizon,
    }
    return plan, run, Blocks(plan, pathway, count, block, skip)


def simulated_places(
    pathway: Pathway,
    cases: int | None,
    seed: int,
    *,
    horizon: float = math.inf,
    warmup: float = 0.0,
    replication: int = 0,
    start: date | None = None,
    progress: Progress | None = None,
) -> tuple[SettingsSummary | None, LoadSummary | None]:
    """The time in each setting and the load on each role of one simulated replication
    (the same cohort ``simulate`` runs with these arguments), measured block by block
    as :func:`simulated_report` measures it, in the memory of a few blocks.

    The settings are over the cases that reached an outcome (every case when none
    has), as in the report. Raises as :func:`simulated_report` does.
    """
    plan, run, blocks = prepare(
        pathway, cases, seed, horizon, warmup, replication, BLOCK_CASES, start
    )
    run_replication(plan, sink=blocks.add, progress=progress, **run)
    found = combine(blocks.finish(), release=give_back)
    table = found.table
    scope = table.finished.copy() if table.finished.any() else np.ones(len(table), dtype=bool)
    if found.start_at is None:
        return None, None
    return (
        summarise_settings(found.rows, pathway, table, scope, found.start_at),
        summarise_load(found.rows, pathway, table, found.start_at),
    )


def give_back() -> None:
    """Return freed heap memory to the system (glibc's ``malloc_trim``): the blocks'
    many small arrays, freed as they are combined, would otherwise stay in the
    process's heap and count towards its peak. Does nothing elsewhere."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        return


class Blocks:
    """Gathers kernel rows by block of cases and measures each block when complete."""

    def __init__(self, plan: Plan, pathway: Pathway, cases: int, size: int, skip: int = 0) -> None:
        self.plan, self.pathway, self.size = plan, pathway, max(1, size)
        self.skip = skip  # the first cases (the warm-up's) are run but not measured
        self.cases = cases - skip
        self.numbers: dict[int, I64] = {}  # per block: each case's number, in log order
        count = -(-self.cases // self.size) if self.cases > 0 else 0
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
        if self.skip:
            ev_i, ev_f = _after(ev_i, ev_f, self.skip)
            if not len(ev_i):
                return
        columns = self.columns(ev_i, ev_f)
        block = (columns["case"] - self.skip) // self.size
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
        first = self.skip + index * self.size
        ids = [self.case_id(first + i) for i in range(self._block_cases(index))]
        return self._event_log(rows, ids, first, self.origin[index] or 0)

    def one_case(self, rows: dict[str, Any], number: int) -> EventLog:
        """One case's rows as an event log, times from its first event."""
        return self._event_log(rows, [self.case_id(number)], number, int(rows["at"][0]))

    def _event_log(self, rows: dict[str, Any], ids: list[str], first: int, origin: int) -> EventLog:
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
        first = self.skip + index * self.size
        number = {self.case_id(first + i): first + i for i in range(self._block_cases(index))}
        firsts = np.asarray([number[c] for c in log.case_ids], dtype=np.int64)
        self.numbers[index] = firsts
        origin = (self.base_us + (self.origin[index] or 0)) * 1000
        self.parts[index] = part_of(log, firsts, self.pathway, origin=origin)
        del log
        give_back()

    def finish(self) -> list[Part]:
        """Measure the blocks still open (cases in flight at the end) and hand over
        every block's part, in block order (the blocks keep none)."""
        for index in range(len(self.pending)):
            if index not in self.parts:
                self._measure(index)
        self.measured = sorted(self.parts)
        parts = [self.parts.pop(i) for i in self.measured]
        return parts


def _after(
    ev_i: I64, ev_f: npt.NDArray[np.float64], skip: int
) -> tuple[I64, npt.NDArray[np.float64]]:
    """The rows of cases numbered ``skip`` or more (after the warm-up's cases)."""
    kept = ev_i[:, L.E_CASE] >= skip
    return ev_i[kept], ev_f[kept]
