"""One replication: build the cohort, lay out memory, drive the kernel, stream events.

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

import pathway._sim._layout as L
from pathway._sim._cohort import arrival_times, auto_matrix, draw_facts, guard_matrix
from pathway._sim._events import (
    ChunkConverter,
    EventWriter,
    check_times,
    last_minute,
    open_writer,
)
from pathway._sim._fast import fast_available, kernel
from pathway._sim._kernel import heap_push
from pathway._sim._plan import Plan
from pathway._sim._rng import lane_inits
from pathway.errors import SimulationError

__all__ = ["ReplicationOutput", "Sink", "run_replication"]

Progress = Callable[[int, int], None]
#: Receives each buffer of kernel event rows (integer rows, float rows) when asked for.
Sink = Callable[[npt.NDArray[np.int64], npt.NDArray[np.float64]], None]
_BUFFER_ROWS = 1 << 16
_FIRST_SLOTS = 256


@attrs.frozen(eq=False)
class ReplicationOutput:
    """What one replication produced (arrays are per case, in arrival order).

    ``minutes`` (float32) has the work classes, waits by cause and milestones (columns
    in :mod:`pathway._sim._layout`, ``M_*``); ``counts`` (int16) visits, DNAs, hand-offs,
    failure demand, repeated collection, decisions, outcome and appointments (``MI_*``);
    ``times`` (float64) arrival and outcome times. About 100 bytes per case in all.
    """

    replication: int
    seed: int
    times: npt.NDArray[np.float64]
    minutes: npt.NDArray[np.float32]
    counts: npt.NDArray[np.int16]
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
    def arrival(self) -> npt.NDArray[np.float64]:
        """Arrival times (minutes since the start date)."""
        return self.times[:, L.MF_ARRIVAL]

    @property
    def end(self) -> npt.NDArray[np.float64]:
        """Outcome times (NaN while in flight)."""
        return self.times[:, L.MF_END]

    @property
    def in_flight(self) -> int:
        """Cases that arrived and had not reached an outcome when the run stopped
        (including any stuck with no transition they could take)."""
        return self.arrived - self.finished


# (header slot, table name) of the plan's tables in the two flat memories
_INT_TABLES = (
    (L.HI_STEP, "step_i"),
    (L.HI_MASK, "step_mask"),
    (L.HI_TR, "tr_i"),
    (L.HI_OUT, "out_tr"),
    (L.HI_CP, "cp_i"),
    (L.HI_CQ, "cq_i"),
    (L.HI_ROUTE, "route"),
    (L.HI_DISTK, "dist_k"),
    (L.HI_CAL, "cal_i"),
    (L.HI_CLOS, "clos"),
    (L.HI_ROLE, "role_i"),
    (L.HI_ALSO, "also_s"),
)
_FLOAT_TABLES = (
    (L.HF_TR, "tr_f"),
    (L.HF_CQ, "cq_f"),
    (L.HF_DIST, "dist_f"),
    (L.HF_EMPV, "emp_val"),
    (L.HF_EMPC, "emp_cum"),
    (L.HF_WIN, "win"),
)
Section = tuple[int, str, tuple[int, ...]]


class Memory:
    """The kernel's two flat arrays, laid out from the plan and the number of slots.

    ``views`` are numpy views of each section (2-D where the kernel thinks in rows), so
    Python reads and writes state by name; :meth:`grow` re-lays the memory with twice
    the case slots, copying every section.
    """

    def __init__(self, plan: Plan, slots: int, buffer_rows: int) -> None:
        self.plan = plan
        self.slots = slots
        self.buffer_rows = buffer_rows
        roles = max(1, len(plan.role_ids))
        steps = len(plan.step_ids)
        words = plan.table("step_mask").shape[1]
        checkpoints = max(1, len(plan.checkpoint_ids))
        # room for the returns pending at once (people due back after an outcome)
        self.return_room = max(16, 4 * slots) if plan.more_demands else 0
        # one more entry than can be pending: the pop sentinel
        heap = 4 * slots + 16 + self.return_room
        ints: list[Section] = [(h, n, plan.table(n).shape) for h, n in _INT_TABLES]
        ints += [
            (L.HI_SLOT, "slot_i", (slots, L.N_S)),
            (L.HI_SLOTRW, "slot_rw", (slots, roles)),
            (L.HI_SLOTOCC, "slot_occ", (slots, steps)),
            (L.HI_SLOTCOL, "slot_col", (slots, words)),
            (L.HI_SLOTCP, "slot_cp", (slots, checkpoints, L.N_SCP)),
            (L.HI_FREE, "free", (slots,)),
            (L.HI_HEAP, "heap_k", (heap,)),
            (L.HI_REC, "records", (heap, L.N_H)),
            (L.HI_RECFREE, "record_free", (heap,)),
            (L.HI_BUSY, "busy", (max(1, len(plan.worker_names)),)),
            (L.HI_ROLESTATE, "role_s", (roles, L.N_RS)),
            (L.HI_EV, "ev_i", (buffer_rows, L.N_E)),
            (L.HI_SC, "sc", (L.N_SC,)),
        ]
        floats: list[Section] = [(h, n, plan.table(n).shape) for h, n in _FLOAT_TABLES]
        floats += [
            (L.HF_SLOT, "slot_f", (slots, L.N_SF)),
            (L.HF_HEAP, "heap_t", (heap,)),
            (L.HF_SCF, "scf", (L.N_SCF,)),
            (L.HF_EV, "ev_f", (buffer_rows, 2)),
        ]
        self.im = np.zeros(L.N_HDR + sum(math.prod(s) for _, _, s in ints), dtype=np.int64)
        self.fm = np.zeros(sum(math.prod(s) for _, _, s in floats), dtype=np.float64)
        self.views: dict[str, npt.NDArray[Any]] = {}
        self._lay(self.im, ints, L.N_HDR)
        self._lay(self.fm, floats, 0)
        self.im[L.HI_WORDS] = words
        self.im[L.HI_ROLES] = roles
        self.im[L.HI_STEPS] = steps
        self.im[L.HI_NCP] = checkpoints
        self.im[L.HI_GUARDS] = max(1, len(plan.guards))
        for _, name in (*_INT_TABLES, *_FLOAT_TABLES):
            self.views[name][...] = plan.table(name)

    def _lay(self, memory: npt.NDArray[Any], sections: list[Section], at: int) -> None:
        for header, name, shape in sections:
            size = math.prod(shape)
            self.im[header] = at
            self.views[name] = memory[at : at + size].reshape(shape)
            at += size

    def __getitem__(self, name: str) -> npt.NDArray[Any]:
        return self.views[name]

    def fresh(self) -> None:
        """Initial state: every slot free, queues empty, every worker idle."""
        self["slot_i"][:, L.S_CASE] = -1
        self["slot_rw"][...] = -1
        self["free"][...] = np.arange(self.slots - 1, -1, -1)
        role_s = self["role_s"]
        role_s[...] = -1
        role_s[:, L.RS_FREE] = self.plan.table("role_i")[: len(role_s), L.RI_CAP]
        self["sc"][L.SC_NFREE] = self.slots
        self["record_free"][...] = np.arange(len(self["record_free"]) - 1, -1, -1)
        self["sc"][L.SC_NRECFREE] = len(self["record_free"])
        self["sc"][L.SC_RETROOM] = self.return_room

    def grow(self) -> Memory:
        """A copy with twice the case slots (called when every slot is in use)."""
        bigger = Memory(self.plan, self.slots * 2, self.buffer_rows)
        for name, view in self.views.items():
            bigger.views[name][: len(view)] = view
        old, new = self.slots, bigger.slots
        bigger["slot_i"][old:, L.S_CASE] = -1
        bigger["slot_rw"][old:] = -1
        count = int(self["sc"][L.SC_NFREE])
        bigger["free"][count : count + new - old] = np.arange(new - 1, old - 1, -1)
        bigger["sc"][L.SC_NFREE] = count + new - old
        records, grown = len(self["record_free"]), len(bigger["record_free"])
        spare = int(self["sc"][L.SC_NRECFREE])
        bigger["record_free"][spare : spare + grown - records] = np.arange(
            grown - 1, records - 1, -1
        )
        bigger["sc"][L.SC_NRECFREE] = spare + grown - records
        bigger["sc"][L.SC_RETROOM] = bigger.return_room
        if grown > L.REC_MASK:
            raise SimulationError(
                "more than four million cases in flight at once, more than the simulator "
                "can hold; simulate fewer cases or set a horizon"
            )
        return bigger


@attrs.define
class _Cases:
    """The per-case arrays the kernel fills (``CF``, ``M32``, ``MI``) and reads (``CB``)."""

    cf: npt.NDArray[np.float64]
    m32: npt.NDArray[np.float32]
    mi: npt.NDArray[np.int16]
    cb: npt.NDArray[np.uint8]

    @classmethod
    def create(
        cls, plan: Plan, arrival: npt.NDArray[np.float64], cb: Any, extra: int = 0
    ) -> _Cases:
        """Rows for the cohort's first demands, then ``extra`` rows for returns."""
        count = len(arrival)
        rows = count + extra
        cf = np.full((rows, L.N_MF), np.nan, dtype=np.float64)
        cf[:count, L.MF_ARRIVAL] = arrival
        cf[:count, L.MF_PERSON] = np.arange(count)
        m32 = np.zeros((rows, L.N_M_FIXED + len(plan.milestones)), dtype=np.float32)
        m32[:, L.M_MILESTONE :] = np.nan
        mi = np.zeros((rows, L.N_MI), dtype=np.int16)
        mi[:, L.MI_OUTCOME] = L.OUTCOME_IN_FLIGHT
        if extra == 0:  # no room for returns: the guard bits are used as they are
            return cls(cf, m32, mi, np.ascontiguousarray(cb, dtype=np.uint8))
        matrix = np.zeros((rows, cb.shape[1]), dtype=np.uint8)
        matrix[:count] = cb
        return cls(cf, m32, mi, matrix)

    def grow(self, plan: Plan) -> _Cases:
        """A copy with twice the rows (at least 64 more), for returns."""
        used = len(self.cf)
        bigger = _Cases.create(plan, self.cf[:0, 0], self.cb[:0], used + max(64, used))
        bigger.cf[:used] = self.cf
        bigger.m32[:used] = self.m32
        bigger.mi[:used] = self.mi
        bigger.cb[:used] = self.cb
        return bigger


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
    sink: Sink | None = None,
) -> ReplicationOutput:
    """Simulate one replication of ``plan``; write its event log to ``events`` if given.

    ``sink``, instead of ``events``, is given every buffer of the kernel's event rows as
    they come (copies of the integer and float rows, see :mod:`pathway._sim._layout`),
    unconverted and with no limit on the simulated date (``pathway report --simulate``
    measures them without writing a file).

    Raises :class:`SimulationError` (and removes the partial event log) when the event
    log's times would pass 2262, the last time an event log can hold.
    """
    began = time.perf_counter()
    arrival = np.ascontiguousarray(arrival_times(plan, seed, replication, cases, horizon))
    count = len(arrival)
    if events:
        fit = int(np.searchsorted(arrival, last_minute(plan.start), side="right"))
        advice = f"at most {fit:,} cases fit (fewer leave room to finish)"
        check_times(plan.start, arrival[-1:], f"the arrivals of {count:,} cases", advice)
    columns = draw_facts(plan, count, seed, replication)
    matrix = np.hstack([guard_matrix(plan, columns, count), auto_matrix(plan, columns, count)])
    extra = max(64, count // 4) if plan.more_demands else 0
    data = _Cases.create(plan, arrival, matrix, extra)
    first = float(arrival[0]) if count else 0.0
    del arrival, matrix  # the cases' arrays hold them now (a million cases: 12 MB)
    if not events:
        columns = {}  # only the event log's facts need them
    reserve = 16 + 8 * (plan.max_capacity + 1)
    emit = bool(events) or sink is not None
    rows = max(_BUFFER_ROWS, 4 * reserve) if emit else 1
    memory = Memory(plan, max(1, min(count, _FIRST_SLOTS)), rows)
    memory.fresh()
    _initialise(memory, seed, replication, count, horizon, emit, reserve, first)
    memory["sc"][L.SC_CASEROWS] = len(data.cf)
    converter = ChunkConverter(plan, columns) if events else None
    if converter is not None:
        converter.person_of = data.cf[:, L.MF_PERSON]
    writer = open_writer(Path(events), converter) if events and converter else None
    run = kernel(force_pure=pure)
    step = max(1, count // 100)
    memory["sc"][L.SC_PAUSE_AT] = step if progress else count + 1
    written = 0
    try:
        while True:
            status = run(memory.im, memory.fm, data.cf, data.m32, data.mi, data.cb)
            if status == L.ST_FLUSH:
                written += _flush(memory, converter, writer, sink)
            elif status == L.ST_SLOTS:
                memory = memory.grow()
            elif status == L.ST_CASES:
                data = data.grow(plan)
                memory["sc"][L.SC_CASEROWS] = len(data.cf)
                if converter is not None:
                    converter.person_of = data.cf[:, L.MF_PERSON]
            elif status == L.ST_PAUSE:
                if progress:
                    progress(int(memory["sc"][L.SC_ARRIVED]), count)
                memory["sc"][L.SC_PAUSE_AT] += step
            else:
                break
        written += _flush(memory, converter, writer, sink)
    except SimulationError:
        if writer is not None:
            writer.close()
            writer = None
            Path(events or "").unlink(missing_ok=True)
        raise
    finally:
        if writer is not None:
            writer.close()
    if progress:
        progress(count, count)
    sc = memory["sc"]
    used = int(sc[L.SC_NROWS])
    return ReplicationOutput(
        replication=replication,
        seed=seed,
        times=data.cf[:used],
        minutes=data.m32[:used],
        counts=data.mi[:used],
        arrived=int(sc[L.SC_ARRIVED]) + int(sc[L.SC_RETURNED]) + int(sc[L.SC_REFERRED]),
        finished=int(sc[L.SC_FINISHED]),
        stuck=int(sc[L.SC_STUCK]),
        events_produced=int(sc[L.SC_PRODUCED]),
        events_written=written,
        last_time=float(memory["scf"][L.SCF_NOW]),
        seconds=time.perf_counter() - began,
        compiled=not pure and fast_available(),
        events_path=events,
    )


def _initialise(
    memory: Memory,
    seed: int,
    replication: int,
    count: int,
    horizon: float,
    emit: bool,
    reserve: int,
    first_arrival: float,
) -> None:
    plan, sc, scf = memory.plan, memory["sc"], memory["scf"]
    init_a, init_b = lane_inits(seed, replication)
    sc[L.SC_NCASES] = count
    sc[L.SC_NROWS] = count
    sc[L.SC_EMIT] = int(emit)
    sc[L.SC_RESERVE] = reserve
    sc[L.SC_BUFCAP] = memory.buffer_rows
    sc[L.SC_START_STEP] = plan.start_step
    tr_i = plan.table("tr_i")
    sc[L.SC_ALSOMAX] = int((tr_i[:, L.TI_ALSO_END] - tr_i[:, L.TI_ALSO_START]).max(initial=0))
    sc[L.SC_INITA] = init_a
    sc[L.SC_INITB] = init_b
    scf[L.SCF_HORIZON] = horizon
    scf[L.SCF_SAMEVISIT] = plan.same_visit_within
    scf[L.SCF_WEEKOFF] = plan.weekoff
    if count:
        heap_push(memory.im, memory.fm, first_arrival, L.K_ARRIVAL, -1, 0)


def _flush(
    memory: Memory, converter: ChunkConverter | None, writer: EventWriter | None, sink: Sink | None
) -> int:
    """Write the buffered events and empty the buffer; return how many were written."""
    sc = memory["sc"]
    rows = int(sc[L.SC_NBUF])
    sc[L.SC_NBUF] = 0
    if rows and sink is not None:
        sink(memory["ev_i"][:rows].copy(), memory["ev_f"][:rows].copy())
        return rows
    if rows == 0 or writer is None or converter is None:
        return 0
    writer.write(converter.convert(memory["ev_i"][:rows], memory["ev_f"][:rows]))
    return rows
