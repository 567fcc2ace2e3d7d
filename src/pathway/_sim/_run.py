"""One replication: build the cohort, allocate state, drive the kernel, stream events.

:func:`run_replication` is a module-level function of plain, picklable arguments, so any
``concurrent.futures.Executor`` (a process pool, a Dask client's executor) can run it.
It returns a :class:`ReplicationOutput`: the per-case measure arrays and the counts the
conservation checks need.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pathway._sim import _layout as L
from pathway._sim._cohort import arrival_times, auto_matrix, draw_facts, guard_matrix
from pathway._sim._events import ChunkConverter, EventWriter, open_writer
from pathway._sim._fast import fast_available, kernel
from pathway._sim._kernel import heap_push
from pathway._sim._plan import Plan
from pathway._sim._rng import lane_inits

__all__ = ["ReplicationOutput", "run_replication"]

Progress = Callable[[int, int], None]
_BUFFER_ROWS = 1 << 16
_FIRST_SLOTS = 256


@attrs.frozen(eq=False)
class ReplicationOutput:
    """What one replication produced (arrays are per case, in arrival order)."""

    replication: int
    seed: int
    arrival: npt.NDArray[np.float64]
    end: npt.NDArray[np.float64]
    minutes: npt.NDArray[np.float32]
    counts: npt.NDArray[np.int32]
    arrived: int
    finished: int
    stuck: int
    events_produced: int
    events_written: int
    last_time: float
    seconds: float
    compiled: bool
    events_path: str | None = None

    @property
    def in_flight(self) -> int:
        """Cases that arrived and had not reached an outcome when the run stopped
        (including any stuck with no transition they could take)."""
        return self.arrived - self.finished


@attrs.define
class _State:
    """The kernel's mutable arrays; grows the case slots on demand."""

    plan: Plan
    slots: int
    slot_i: npt.NDArray[np.int64] = attrs.field(init=False)
    slot_rw: npt.NDArray[np.int64] = attrs.field(init=False)
    slot_occ: npt.NDArray[np.int64] = attrs.field(init=False)
    slot_col: npt.NDArray[np.int64] = attrs.field(init=False)
    slot_f: npt.NDArray[np.float64] = attrs.field(init=False)
    free: npt.NDArray[np.int64] = attrs.field(init=False)
    heap_t: npt.NDArray[np.float64] = attrs.field(init=False)
    heap_i: npt.NDArray[np.int64] = attrs.field(init=False)
    busy: npt.NDArray[np.int64] = attrs.field(init=False)
    role_s: npt.NDArray[np.int64] = attrs.field(init=False)
    sc: npt.NDArray[np.int64] = attrs.field(init=False)
    scf: npt.NDArray[np.float64] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        plan, m = self.plan, self.slots
        roles = max(1, len(plan.role_ids))
        self.slot_i = np.zeros((m, L.N_S), dtype=np.int64)
        self.slot_i[:, L.S_CASE] = -1
        self.slot_rw = np.full((m, roles), -1, dtype=np.int64)
        self.slot_occ = np.zeros((m, len(plan.step_ids)), dtype=np.int64)
        self.slot_col = np.zeros((m, plan.table("step_mask").shape[1]), dtype=np.int64)
        self.slot_f = np.zeros((m, L.N_SF), dtype=np.float64)
        self.free = np.arange(m - 1, -1, -1, dtype=np.int64)
        self.heap_t = np.zeros(4 * m + 16, dtype=np.float64)
        self.heap_i = np.zeros((4 * m + 16, L.N_H), dtype=np.int64)
        self.busy = np.zeros(max(1, len(plan.worker_names)), dtype=np.int64)
        self.role_s = np.full((roles, L.N_RS), -1, dtype=np.int64)
        self.role_s[:, L.RS_FREE] = plan.table("role_i")[:roles, L.RI_CAP]
        self.sc = np.zeros(L.N_SC, dtype=np.int64)
        self.sc[L.SC_NFREE] = m
        self.scf = np.zeros(L.N_SCF, dtype=np.float64)

    def grow(self) -> None:
        """Double the case slots (called when every slot is in use)."""
        old, new = self.slots, self.slots * 2
        self.slot_i = _grown(self.slot_i, new, -1, column=L.S_CASE)
        self.slot_rw = _grown(self.slot_rw, new, -1)
        self.slot_occ = _grown(self.slot_occ, new, 0)
        self.slot_col = _grown(self.slot_col, new, 0)
        self.slot_f = _grown(self.slot_f, new, 0.0)
        free = np.zeros(new, dtype=np.int64)
        count = int(self.sc[L.SC_NFREE])
        free[:count] = self.free[:count]
        free[count : count + new - old] = np.arange(new - 1, old - 1, -1)
        self.free = free
        self.sc[L.SC_NFREE] = count + new - old
        self.heap_t = _grown(self.heap_t, 4 * new + 16, 0.0)
        self.heap_i = _grown(self.heap_i, 4 * new + 16, 0)
        self.slots = new

    def arrays(self) -> tuple[Any, ...]:
        """The state tuple in the kernel's order."""
        return (
            self.slot_i,
            self.slot_rw,
            self.slot_occ,
            self.slot_col,
            self.slot_f,
            self.free,
            self.heap_t,
            self.heap_i,
            self.busy,
            self.role_s,
            self.sc,
            self.scf,
        )


def _grown(array: npt.NDArray[Any], rows: int, fill: float, column: int | None = None) -> Any:
    """``array`` with more rows; new rows are ``fill`` (or only ``column`` is, else 0)."""
    shape = (rows, *array.shape[1:])
    if column is None:
        bigger = np.full(shape, fill, dtype=array.dtype)
    else:
        bigger = np.zeros(shape, dtype=array.dtype)
        bigger[:, column] = fill
    bigger[: len(array)] = array
    return bigger


def plan_arrays(plan: Plan, arrival: Any, guard: Any, auto: Any) -> tuple[Any, ...]:
    """The plan tuple in the kernel's order."""
    names = (
        "step_i step_mask tr_i tr_f out_tr cp_i cq_i cq_f route dist_k dist_f emp_val "
        "emp_cum cal_i win clos role_i"
    ).split()
    tables = tuple(np.ascontiguousarray(plan.table(n)) for n in names)
    return (*tables, arrival, guard, auto)


def run_replication(
    plan: Plan,
    *,
    seed: int,
    replication: int = 0,
    cases: int | None = None,
    horizon: float = math.inf,
    events: str | None = None,
    pure: bool = False,
    progress: Progress | None = None,
) -> ReplicationOutput:
    """Simulate one replication of ``plan``; write its event log to ``events`` if given."""
    began = time.perf_counter()
    arrival = np.ascontiguousarray(arrival_times(plan, seed, replication, cases, horizon))
    count = len(arrival)
    columns = draw_facts(plan, count, seed, replication)
    guard = np.ascontiguousarray(guard_matrix(plan, columns, count))
    auto = np.ascontiguousarray(auto_matrix(plan, columns, count))
    P = plan_arrays(plan, arrival, guard, auto)
    state = _State(plan, max(1, min(count, _FIRST_SLOTS)))
    m_f64 = np.full((count, L.N_MF), np.nan, dtype=np.float64)
    m_f32 = np.zeros((count, L.N_M_FIXED + len(plan.milestones)), dtype=np.float32)
    m_f32[:, L.M_MILESTONE :] = np.nan
    m_i32 = np.zeros((count, L.N_MI), dtype=np.int32)
    m_i32[:, L.MI_OUTCOME] = L.OUTCOME_IN_FLIGHT
    reserve = 16 + 8 * (plan.max_capacity + 1)
    rows = max(_BUFFER_ROWS, 4 * reserve) if events else 1
    ev_i = np.zeros((rows, L.N_E), dtype=np.int64)
    ev_f = np.zeros((rows, 2), dtype=np.float64)
    O = (m_f64, m_f32, m_i32, ev_i, ev_f)
    first = float(arrival[0]) if count else 0.0
    _initialise(state, plan, seed, replication, count, horizon, bool(events), reserve, rows, first)
    writer: EventWriter | None = None
    converter = ChunkConverter(plan, columns)
    if events:
        writer = open_writer(Path(events), converter)
    written = 0
    run = kernel(force_pure=pure)
    step = max(1, count // 100)
    state.sc[L.SC_PAUSE_AT] = step if progress else count + 1
    try:
        while True:
            status = run(P, state.arrays(), O)
            if status == L.ST_FLUSH:
                written += _flush(state, converter, writer, ev_i, ev_f)
            elif status == L.ST_SLOTS:
                state.grow()
            elif status == L.ST_PAUSE:
                if progress:
                    progress(int(state.sc[L.SC_ARRIVED]), count)
                state.sc[L.SC_PAUSE_AT] += step
            else:
                break
        written += _flush(state, converter, writer, ev_i, ev_f)
    finally:
        if writer is not None:
            writer.close()
    if progress:
        progress(count, count)
    sc = state.sc
    return ReplicationOutput(
        replication=replication,
        seed=seed,
        arrival=m_f64[:, L.MF_ARRIVAL].copy(),
        end=m_f64[:, L.MF_END].copy(),
        minutes=m_f32,
        counts=m_i32,
        arrived=int(sc[L.SC_ARRIVED]),
        finished=int(sc[L.SC_FINISHED]),
        stuck=int(sc[L.SC_STUCK]),
        events_produced=int(sc[L.SC_PRODUCED]),
        events_written=written,
        last_time=float(state.scf[L.SCF_NOW]),
        seconds=time.perf_counter() - began,
        compiled=not pure and fast_available(),
        events_path=events,
    )


def _initialise(
    state: _State,
    plan: Plan,
    seed: int,
    replication: int,
    count: int,
    horizon: float,
    emit: bool,
    reserve: int,
    rows: int,
    first_arrival: float,
) -> None:
    sc, scf = state.sc, state.scf
    init_a, init_b = lane_inits(seed, replication)
    sc[L.SC_NCASES] = count
    sc[L.SC_EMIT] = int(emit)
    sc[L.SC_RESERVE] = reserve
    sc[L.SC_BUFCAP] = rows
    sc[L.SC_START_STEP] = plan.start_step
    sc[L.SC_INITA] = init_a
    sc[L.SC_INITB] = init_b
    scf[L.SCF_HORIZON] = horizon
    scf[L.SCF_SAMEVISIT] = plan.same_visit_within
    scf[L.SCF_WEEKOFF] = plan.weekoff
    if count:
        heap_push(state.arrays(), float(first_arrival), L.K_ARRIVAL, -1, 0)


def _flush(
    state: _State,
    converter: ChunkConverter,
    writer: EventWriter | None,
    ev_i: npt.NDArray[np.int64],
    ev_f: npt.NDArray[np.float64],
) -> int:
    """Write the buffered events and empty the buffer; return how many were written."""
    rows = int(state.sc[L.SC_NBUF])
    if rows == 0 or writer is None:
        state.sc[L.SC_NBUF] = 0
        return 0
    columns = converter.convert(ev_i[:rows], ev_f[:rows])
    writer.write(columns, rows)
    state.sc[L.SC_NBUF] = 0
    return rows
