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

import contextlib
import ctypes
import math
from datetime import date, datetime, time
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

import pathway._sim._layout as L
from pathway._analysis._journey import Journey, journey_of
from pathway._analysis._partial import Part, combine, part_of
from pathway._analysis._settings import (
    LoadSummary,
    SettingsSummary,
    backlog_of,
    load_of,
    roles_loaded,
    summarise_load,
    summarise_settings,
)
from pathway._journal._eventlog import KINDS, NAT, EventLog
from pathway._model._distributions import format_duration
from pathway._model._pathway import Pathway
from pathway._report._build import analyse, combined_report
from pathway._report._report import Replicated, Report
from pathway._report._sections import KEY_MEASURES
from pathway._sim._cohort import adjust_weights, arrival_times
from pathway._sim._events import LAPSED_DATA, ChunkConverter
from pathway._sim._plan import Plan, build_plan
from pathway._sim._result import t_quantile
from pathway._sim._run import Progress, run_replication
from pathway._vocab import DEMANDS, LEVELS, REQUESTERS, WAIT_CAUSES, WORK_CLASSES
from pathway.errors import SimulationError

__all__ = [
    "BLOCK_CASES",
    "replicated_report",
    "simulated_load",
    "simulated_places",
    "simulated_report",
]

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
    "checkpoint",
    "trigger",
    "data",
    "referred_by",
)
_KIND = np.asarray([KINDS.index(kind) for kind in L.EVENT_KINDS], dtype=np.int8)


def simulated_report(
    pathway: Pathway,
    cases: int | None,
    seed: int,
    *,
    horizon: float = math.inf,
    warmup: float = 0.0,
    replication: int = 0,
    block: int = BLOCK_CASES,
    progress: Progress | None = None,
) -> Report:
    """Simulate ``pathway`` (as ``simulate`` does: default start, branching by shares)
    and report on it, measured block by block; ``progress`` is told how many cases have
    arrived as the simulation runs.

    At most ``cases`` arrive, none after ``horizon`` minutes (which also stops the
    clock); one of the two is needed. Cases arriving before ``warmup`` minutes are
    simulated (they hold workers and places) but not measured. ``replication`` picks
    the independent stream of the seed, as ``simulate``'s replications do.

    Raises :class:`~pathway.errors.SimulationError` as :func:`pathway.simulate` does,
    and when every case arrived during the warm-up.
    """
    plan = build_plan(pathway)
    adjust_weights(plan)
    arrived = arrival_times(plan, seed, replication, cases, horizon)
    count = len(arrived)
    skip = int(np.searchsorted(arrived, warmup, side="left")) if warmup > 0 else 0
    if count and skip >= count:
        raise SimulationError(
            f"every one of the {count:,} simulated cases arrived during the warm-up, so "
            "none would be measured; simulate more cases, a longer horizon or a shorter warm-up"
        )
    del arrived
    if plan.more_demands and skip:
        raise SimulationError(
            "--warmup with people who come back after an outcome (returns) or are "
            "referred on (also) is not supported: their person may have arrived in the "
            "warm-up; report "
            "without --warmup, or simulate a longer run instead"
        )
    run: dict[str, Any] = {
        "seed": seed,
        "replication": replication,
        "cases": count,
        "horizon": horizon,
    }
    if plan.more_demands:
        return _whole(plan, pathway, run, progress)
    blocks = _Blocks(plan, pathway, count, block, skip)
    run_replication(plan, sink=blocks.add, progress=progress, **run)
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
                if (ev_i[mine, L.E_KIND] == L.EV_OUTCOME_REACHED).any():
                    raise _CaseFinished  # nothing of this case comes later

        with contextlib.suppress(_CaseFinished):
            run_replication(plan, sink=keep, **run)
        rows = {name: np.concatenate([k[name] for k in kept]) for name in kept[0]}
        kept.clear()
        _give_back()  # the rerun's memory, before the report's largest step
        return journey_of(blocks.one_case(rows, number), 0, pathway)

    combined = combine(parts, release=_give_back)
    _give_back()
    report = combined_report(combined, pathway, journey)
    return attrs.evolve(report, notes=(*report.notes, *_run_notes(count, skip, horizon)))


def replicated_report(
    pathway: Pathway,
    cases: int | None,
    seed: int,
    replications: int,
    *,
    horizon: float = math.inf,
    warmup: float = 0.0,
    progress: Progress | None = None,
) -> Report:
    """:func:`simulated_report` of replication 1, and with two or more ``replications``
    each key measure's mean over all of them with a 95% t-interval (``Report.replicated``).

    Replication ``r`` is the seed's ``r``-th independent stream, as in ``simulate``;
    only the first run's report is kept whole, the others' measures are read and let go.
    """
    first: Report | None = None
    found: dict[str, list[tuple[float | None, float | None]]] = {}
    for replication in range(replications):
        report = simulated_report(
            pathway,
            cases,
            seed,
            horizon=horizon,
            warmup=warmup,
            replication=replication,
            progress=_share(progress, replication, replications),
        )
        first = first or report
        for name, (summary, _unit) in report.measures.items():
            found.setdefault(name, []).append((summary.mean, summary.median))
    assert first is not None  # replications >= 1
    if replications < 2:
        return first
    rows = tuple(
        (name, first.measures[name][1], *_across(found[name]))
        for name in KEY_MEASURES
        if name in first.measures and len(found.get(name, ())) == replications
    )
    return attrs.evolve(first, replicated=Replicated(replications, seed, rows))


def _across(
    values: list[tuple[float | None, float | None]],
) -> tuple[float | None, tuple[float, float] | None, float | None]:
    """The mean of the runs' means, its 95% t-interval, and the mean of their medians."""
    means = [m for m, _ in values if m is not None and math.isfinite(m)]
    medians = [m for _, m in values if m is not None and math.isfinite(m)]
    mean = sum(means) / len(means) if means else None
    median = sum(medians) / len(medians) if medians else None
    if mean is None or len(means) < 2:
        return mean, None, median
    sd = math.sqrt(sum((m - mean) ** 2 for m in means) / (len(means) - 1))
    half = t_quantile(len(means) - 1) * sd / math.sqrt(len(means))
    return mean, (mean - half, mean + half), median


def _share(progress: Progress | None, index: int, count: int) -> Progress | None:
    """Progress of replication ``index`` as a share of all replications' cases."""
    if progress is None:
        return None
    report = progress

    def scaled(done: int, total: int) -> None:
        report(index * total + done, count * total)

    return scaled


def _run_notes(count: int, skip: int, horizon: float) -> tuple[str, ...]:
    """What a reader needs to know about how the simulated cohort was cut."""
    notes = []
    if math.isfinite(horizon):
        notes.append(
            f"Simulated {count:,} arrivals over {format_duration(horizon)}; the clock "
            "stopped there, so cases still open then are in flight."
        )
    if skip:
        notes.append(
            f"The {skip:,} cases that arrived during the warm-up were simulated (they "
            "kept workers busy) but are left out of every measure."
        )
    return tuple(notes)


class _CaseFinished(Exception):
    """The typical case's outcome has been seen: its journey's rerun can stop."""


def _whole(plan: Plan, pathway: Pathway, run: dict[str, Any], progress: Progress | None) -> Report:
    """The report of a cohort whose people come back after an outcome, measured as one
    log: a return is a new case of a person who may be in any block, so people and
    demands are counted over the whole cohort, not block by block."""
    cases = int(run["cases"])
    blocks = _Blocks(plan, pathway, cases, max(1, cases))
    kept: list[dict[str, Any]] = []
    run_replication(
        plan,
        sink=lambda ev_i, ev_f: kept.append(blocks.columns(ev_i, ev_f)),
        progress=progress,
        **run,
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
        self.triggers = list(dict.fromkeys(t[0] for t in plan.transitions))
        self.trigger = np.asarray(
            [self.triggers.index(t[0]) for t in plan.transitions] + [-1], dtype=np.int64
        )
        self.lapse = np.asarray(
            [0 if i >= plan.first_lapse else -1 for i in range(len(plan.transitions))] + [-1],
            dtype=np.int64,
        )

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
        put("trigger", moved, self.trigger[transition])
        put("data", moved, self.lapse[transition])  # a lapsed review's move is marked
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
        put("checkpoint", decided, a1)
        put("demand", is_[L.EV_FAILURE_DEMAND], a1)
        returned = is_[L.EV_CASE_STARTED] & (a1 > 0)  # a return: its person's row + 1
        put("person", returned, a1 - 1)
        put("demand", returned, a2 - 1)
        put("referred_by", is_[L.EV_CASE_STARTED], a3 - 1)  # a referral: its opener's row + 1
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
                "checkpoint": self.plan.checkpoint_ids,
                "trigger": self.triggers,
                "data": [LAPSED_DATA],
                "referred_by": people or [],
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


def _after(
    ev_i: I64, ev_f: npt.NDArray[np.float64], skip: int
) -> tuple[I64, npt.NDArray[np.float64]]:
    """The rows of cases numbered ``skip`` or more (after the warm-up's cases)."""
    kept = ev_i[:, L.E_CASE] >= skip
    return ev_i[kept], ev_f[kept]


class _Load:
    """Only what a cohort's load needs, taken from the kernel's rows as they come: each
    case's start, last event and first outcome, and each declared role's busy minutes
    per case (its completed steps, ``started`` to ``at``). For ``pathway simulate``,
    whose utilisation line this gives in the memory of a few per-case columns, where
    the report's blocks would measure everything else as well."""

    def __init__(self, plan: Plan, pathway: Pathway, cases: int, skip: int) -> None:
        self.clock = _Blocks(plan, pathway, cases, max(1, cases), skip)  # its times only
        self.skip, count = skip, max(cases - skip, 0)
        names = tuple(pathway.roles)
        owner = [pathway.steps[s].role if s in pathway.steps else None for s in plan.step_ids]
        self.role_of = np.asarray(
            [*(names.index(r) if r in names else -1 for r in owner), -1], dtype=np.int64
        )
        self.width = len(names)
        self.busy = np.zeros(count * self.width, dtype=np.float32)  # minutes: 7 digits do
        self.start = np.zeros(count, dtype=np.int64)
        self.last = np.full(count, np.iinfo(np.int64).min, dtype=np.int64)
        self.outcome_at = np.full(count, np.iinfo(np.int64).max, dtype=np.int64)

    def add(self, ev_i: I64, ev_f: npt.NDArray[np.float64]) -> None:
        """Take one buffer of kernel rows."""
        kept = ev_i[:, L.E_CASE] >= self.skip
        ev_i, ev_f = ev_i[kept], ev_f[kept]
        case = ev_i[:, L.E_CASE].astype(np.int64) - self.skip
        kind = ev_i[:, L.E_KIND]
        at = self.clock._micro(ev_f[:, L.EF_AT])
        np.maximum.at(self.last, case, at)
        began = kind == L.EV_CASE_STARTED
        self.start[case[began]] = at[began]
        ended = kind == L.EV_OUTCOME_REACHED
        np.minimum.at(self.outcome_at, case[ended], at[ended])
        self._add_work(ev_i, ev_f, case, at)

    def _add_work(self, ev_i: I64, ev_f: npt.NDArray[np.float64], case: I64, at: I64) -> None:
        done = ev_i[:, L.E_KIND] == L.EV_STEP_COMPLETED
        role = self.role_of[ev_i[done, L.E_STEP]]
        mine = role >= 0
        started = self.clock._micro(ev_f[done, L.EF_STARTED][mine])
        minutes = (at[done][mine] - started) / 60e6
        np.add.at(self.busy, case[done][mine] * self.width + role[mine], minutes)

    def summary(self, pathway: Pathway) -> LoadSummary | None:
        """The load, as :func:`summarise_load` measures it on the cohort's log."""
        count = len(self.start)
        if count < 2 or not self.width:
            return None
        finished = self.outcome_at != np.iinfo(np.int64).max
        busy = self.busy.reshape(count, self.width)
        chosen = busy[finished] if finished.any() else busy
        per_case = chosen.mean(axis=0, dtype=np.float64)
        starts = (self.clock.base_us + self.start) * 1000
        ends = (self.clock.base_us + np.where(finished, self.outcome_at, self.last)) * 1000
        roles = roles_loaded(pathway, per_case, count, starts)
        return load_of(roles, backlog_of(starts, ends, finished), finished)


def simulated_load(
    pathway: Pathway,
    cases: int | None,
    seed: int,
    *,
    horizon: float = math.inf,
    warmup: float = 0.0,
    start: date | None = None,
) -> LoadSummary | None:
    """The load on each role in the first replication (the cohort ``simulate`` runs with
    these arguments): its cohort run again, only the load measured from the kernel's
    rows. Raises :class:`SimulationError` as :func:`simulated_places` does."""
    plan = build_plan(pathway, start=start)
    if plan.more_demands:  # people who come back: counted over one log, as the report does
        places = simulated_places(pathway, cases, seed, horizon=horizon, warmup=warmup, start=start)
        return places[1]
    adjust_weights(plan)
    arrived = arrival_times(plan, seed, 0, cases, horizon)
    skip = _warmup_cases(arrived, warmup)
    load = _Load(plan, pathway, len(arrived), skip)
    del arrived
    run_replication(plan, sink=load.add, seed=seed, cases=len(load.start) + skip, horizon=horizon)
    summary = load.summary(pathway)
    del load
    _give_back()
    return summary


def _warmup_cases(arrived: npt.NDArray[np.float64], warmup: float) -> int:
    """How many of the ``arrived`` cases come in the warm-up; raises SimulationError
    when every one does."""
    skip = int(np.searchsorted(arrived, warmup, side="left")) if warmup > 0 else 0
    if len(arrived) and skip >= len(arrived):
        raise SimulationError(
            f"every one of the {len(arrived):,} simulated cases arrived during the warm-up"
        )
    return skip


def simulated_places(
    pathway: Pathway,
    cases: int | None,
    seed: int,
    *,
    horizon: float = math.inf,
    warmup: float = 0.0,
    replication: int = 0,
    start: date | None = None,
) -> tuple[SettingsSummary | None, LoadSummary | None]:
    """The time in each setting and the load on each role of one simulated replication
    (the cohort ``simulate`` runs with these arguments), measured block by block as
    :func:`simulated_report` measures it, in the memory of a few blocks: for
    ``pathway simulate`` and the diff.

    The settings are over the cases that reached an outcome (every case when none
    has), as in the report. Raises :class:`SimulationError` as :func:`simulated_report`
    does.
    """
    plan = build_plan(pathway, start=start)
    adjust_weights(plan)
    arrived = arrival_times(plan, seed, replication, cases, horizon)
    skip = _warmup_cases(arrived, warmup)
    count = len(arrived)
    del arrived
    if plan.more_demands:  # returns and referrals are cases of people in any block: one log
        if skip:
            raise SimulationError(
                "a warm-up with people who come back after an outcome (returns) is not "
                "supported: a return's person may have arrived in the warm-up"
            )
        run = {"seed": seed, "replication": replication, "cases": count, "horizon": horizon}
        whole = _whole(plan, pathway, run, None)
        return whole.settings, whole.load
    blocks = _Blocks(plan, pathway, count, BLOCK_CASES, skip)
    run_replication(
        plan, sink=blocks.add, seed=seed, replication=replication, cases=count, horizon=horizon
    )
    found = combine(blocks.finish(), release=_give_back)
    table = found.table
    scope = table.finished.copy() if table.finished.any() else np.ones(len(table), dtype=bool)
    if found.start_at is None:
        return None, None
    return (
        summarise_settings(found.rows, pathway, table, scope, found.start_at),
        summarise_load(found.rows, pathway, table, found.start_at),
    )
