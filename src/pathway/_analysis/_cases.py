"""Per-case measures of a whole event log at once: one numpy pass per measure.

Every measure is a ``bincount`` over the log's case column (rows are already grouped by
case), so no Python object is made per event. The definitions match
:func:`pathway._journal._measures.measure_events`, which measures one live case from its events:

* end-to-end time: first event to the first ``outcome_reached`` (open cases: to the last
  event); calendar time, in minutes here and days in reports;
* touch time: the sum of ``step_completed`` (``at`` - ``started``), split by work class;
* waits: the sum of ``waited`` (``at`` - ``started``), split by cause;
* visits and DNAs: counts of ``visit_attended`` and ``visit_missed``;
* hand-offs: ``handoff`` events by level, except a worker following themselves (the same
  worker on both sides is no hand-off). A log with no ``handoff`` events at all (a real
  system's export) has them derived from consecutive ``step_completed`` events: another
  role is a role hand-off (team or organisation when the pathway says the roles' teams or
  organisations differ; a role it does not declare stays at role level), the same role
  with another worker a worker hand-off;
* failure demand: ``failure_demand`` events by kind;
* repeated information: items the pathway's steps ``collect`` that a case was asked for
  again (collections minus distinct items); unknown (``None``) without a pathway.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pathway._analysis._stats import sum_by
from pathway._journal._eventlog import NAT, EventLog, kind_code
from pathway._model._pathway import Pathway
from pathway._vocab import DEMANDS, FRAGMENTATION_CAUSES, LEVELS, MINUTES_PER_DAY, WORK_CLASSES

__all__ = ["FRAGMENTATION_CAUSES", "MINUTE_NS", "CaseTable", "case_table"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]
MINUTE_NS = 60_000_000_000
#: Wait causes that count as fragmentation delay (DESIGN.md), with waste work.
CASE_STARTED = kind_code("case_started")
STEP_COMPLETED = kind_code("step_completed")
TRANSITIONED = kind_code("transitioned")
WAITED = kind_code("waited")
VISIT_ATTENDED = kind_code("visit_attended")
VISIT_MISSED = kind_code("visit_missed")
HANDOFF = kind_code("handoff")
DECISION = kind_code("decision")
FAILURE_DEMAND = kind_code("failure_demand")
OUTCOME_REACHED = kind_code("outcome_reached")


@attrs.frozen(eq=False)
class CaseTable:
    """Per-case measures, one row per case in case (arrival) order.

    Times are minutes. ``work`` has a column per work class (value, waste1, waste2,
    waste3); ``waits`` a column per cause in ``causes``; ``handoffs`` per level (worker,
    role, team, organisation); ``failure`` per failure-demand kind (chase,
    re_presentation, re_referral). ``outcome`` is a step code (-1: still open).
    """

    case_ids: tuple[str, ...]
    start: I64
    end: I64
    finished: B
    outcome: I64
    touch: F64
    work: F64
    work_steps: I64
    waits: F64
    causes: tuple[str, ...]
    visits: I64
    dnas: I64
    handoffs: I64
    failure: I64
    decisions: I64
    repeated: I64 | None

    def __len__(self) -> int:
        return len(self.case_ids)

    @property
    def end_to_end(self) -> F64:
        """Calendar minutes from the first event to the outcome (or the last event)."""
        return np.asarray((self.end - self.start) / MINUTE_NS, dtype=np.float64)

    @property
    def value_work(self) -> F64:
        """Minutes of value work: the perfect-flow time."""
        return self.work[:, 0]

    @property
    def waste_work(self) -> F64:
        """Minutes of waste work (types 1, 2 and 3)."""
        return np.asarray(self.work[:, 1:].sum(axis=1), dtype=np.float64)

    @property
    def flow_efficiency(self) -> F64:
        """Value-work time / end-to-end time (NaN when no time passed)."""
        e2e = self.end_to_end
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(e2e > 0, self.value_work / np.where(e2e > 0, e2e, 1), np.nan)

    def wait(self, cause: str) -> F64:
        """Minutes waited for ``cause`` (zeros for a cause the log never records)."""
        if cause not in self.causes:
            return np.zeros(len(self))
        return self.waits[:, self.causes.index(cause)]

    @property
    def total_wait(self) -> F64:
        """Minutes waited, every cause together."""
        return np.asarray(self.waits.sum(axis=1), dtype=np.float64)

    @property
    def fragmentation(self) -> F64:
        """Fragmentation delay in minutes: hand-off, visit-gap, calendar and approval
        waits plus waste work."""
        waits = sum((self.wait(cause) for cause in FRAGMENTATION_CAUSES), np.zeros(len(self)))
        return np.asarray(waits + self.waste_work, dtype=np.float64)

    @property
    def fragmentation_share(self) -> F64:
        """Fragmentation delay as a share of end-to-end time (NaN when no time passed)."""
        e2e = self.end_to_end
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(e2e > 0, self.fragmentation / np.where(e2e > 0, e2e, 1), np.nan)

    @property
    def total_handoffs(self) -> I64:
        """Hand-offs at every level together."""
        return np.asarray(self.handoffs.sum(axis=1), dtype=np.int64)

    @property
    def total_failure(self) -> I64:
        """Failure-demand events of every kind together."""
        return np.asarray(self.failure.sum(axis=1), dtype=np.int64)

    def measures(self) -> dict[str, tuple[npt.NDArray[np.float64], str]]:
        """Every per-case measure by name, with its unit (``days``, ``minutes``, ``share``
        or ``count``), as float arrays in case order."""
        day = MINUTES_PER_DAY
        result: dict[str, tuple[F64, str]] = {
            "end_to_end": (self.end_to_end / day, "days"),
            "touch": (self.touch, "minutes"),
            "flow_efficiency": (self.flow_efficiency, "share"),
            "fragmentation": (self.fragmentation / day, "days"),
            "fragmentation_share": (self.fragmentation_share, "share"),
            "perfect_flow": (self.value_work, "minutes"),
            "visits": (self.visits.astype(np.float64), "count"),
            "dnas": (self.dnas.astype(np.float64), "count"),
            "handoffs": (self.total_handoffs.astype(np.float64), "count"),
        }
        for index, level in enumerate(LEVELS):
            result[f"handoffs_{level}"] = (self.handoffs[:, index].astype(np.float64), "count")
        result["wait"] = (self.total_wait / day, "days")
        for index, cause in enumerate(self.causes):
            result[f"wait_{cause}"] = (self.waits[:, index] / day, "days")
        for index, work in enumerate(WORK_CLASSES):
            result[f"work_{work}"] = (self.work[:, index], "minutes")
        result["failure_demand"] = (self.total_failure.astype(np.float64), "count")
        for index, demand in enumerate(DEMANDS):
            result[f"failure_{demand}"] = (self.failure[:, index].astype(np.float64), "count")
        if self.repeated is not None:
            result["repeated_information"] = (self.repeated.astype(np.float64), "count")
        result["decisions"] = (self.decisions.astype(np.float64), "count")
        return result


def minutes_between(started: I64, at: I64) -> F64:
    """Minutes from ``started`` to ``at`` (element-wise; 0 where ``started`` is missing)."""
    valid = started != NAT
    return np.where(valid, (at - np.where(valid, started, at)) / MINUTE_NS, 0.0)


def _count(case: npt.NDArray[np.int32], rows: I64, n: int) -> I64:
    return np.bincount(case[rows], minlength=n).astype(np.int64)


def _by_column(
    case: npt.NDArray[np.integer[Any]], codes: I64, weights: F64 | None, n: int, width: int
) -> npt.NDArray[np.float64]:
    """A (cases x width) table summing ``weights`` (or counting) by case and code."""
    keep = (codes >= 0) & (codes < width)
    keys = case[keep].astype(np.int64) * width + codes[keep]
    chosen = None if weights is None else weights[keep]
    return sum_by(keys, chosen, n * width).reshape(n, width)


def case_table(log: EventLog, pathway: Pathway | None = None) -> CaseTable:
    """Measure every case of ``log`` (see the module docstring for the definitions)."""
    n = log.n_cases
    case = log.case
    starts, ends = log.case_bounds()
    has_events = ends > starts
    first = np.where(has_events, log.at[np.minimum(starts, max(len(log) - 1, 0))], 0)
    last = np.where(has_events, log.at[np.maximum(ends - 1, 0)], 0)
    finished, outcome, outcome_at = _outcomes(log, n)
    completed = log.rows_of(STEP_COMPLETED)
    duration = minutes_between(log.started[completed], log.at[completed])
    work_codes = log.codes["work"][completed].astype(np.int64)
    waited = log.rows_of(WAITED)
    causes = log.labels("cause")
    return CaseTable(
        case_ids=log.case_ids,
        start=first.astype(np.int64),
        end=np.where(finished, outcome_at, last).astype(np.int64),
        finished=finished,
        outcome=outcome,
        touch=sum_by(case[completed], duration, n),
        work=_by_column(case[completed], work_codes, duration, n, len(WORK_CLASSES)),
        work_steps=_by_column(case[completed], work_codes, None, n, len(WORK_CLASSES)).astype(
            np.int64
        ),
        waits=_by_column(
            case[waited],
            log.codes["cause"][waited].astype(np.int64),
            minutes_between(log.started[waited], log.at[waited]),
            n,
            max(len(causes), 1),
        )[:, : len(causes)],
        causes=causes,
        visits=_count(case, log.rows_of(VISIT_ATTENDED), n),
        dnas=_count(case, log.rows_of(VISIT_MISSED), n),
        handoffs=handoff_table(log, pathway),
        failure=_failure(log, case, n),
        decisions=_count(case, log.rows_of(DECISION), n),
        repeated=repeated_information(log, pathway) if pathway is not None else None,
    )


def _failure(log: EventLog, case: Any, n: int) -> I64:
    """Failure demand per case and kind: its failure_demand events and, for a case that
    is itself failure demand (a return), its case_started's kind."""
    started = log.rows_of(CASE_STARTED)
    rows = np.concatenate([log.rows_of(FAILURE_DEMAND), started[log.codes["demand"][started] >= 0]])
    codes = log.codes["demand"][rows].astype(np.int64)
    return _by_column(case[rows], codes, None, n, len(DEMANDS)).astype(np.int64)


def _outcomes(log: EventLog, n: int) -> tuple[B, I64, I64]:
    """Per case: finished?, outcome step code (-1 open) and the first outcome's time."""
    rows = log.rows_of(OUTCOME_REACHED)
    cases, first = np.unique(log.case[rows], return_index=True)
    finished = np.zeros(n, dtype=bool)
    finished[cases] = True
    outcome = np.full(n, -1, dtype=np.int64)
    outcome[cases] = log.codes["step"][rows[first]]
    outcome_at = np.zeros(n, dtype=np.int64)
    outcome_at[cases] = log.at[rows[first]]
    return finished, outcome, outcome_at


def handoff_events(log: EventLog, pathway: Pathway | None = None) -> tuple[I64, I64, I64]:
    """Every hand-off as (row, case, level code): the log's ``handoff`` events less a
    worker following themselves, or derived from consecutive completed steps when the
    log records no hand-offs at all (see the module docstring)."""
    rows = log.rows_of(HANDOFF)
    if rows.size:
        before = log.codes["from_worker"][rows]
        after = log.codes["to_worker"][rows]
        real = ~((before >= 0) & (before == after))
        level = log.codes["level"][rows].astype(np.int64)
        real &= level >= 0
        rows = rows[real]
        return rows, log.case[rows].astype(np.int64), level[real]
    return _derived_handoffs(log, pathway)


def _derived_handoffs(log: EventLog, pathway: Pathway | None) -> tuple[I64, I64, I64]:
    rows = log.rows_of(STEP_COMPLETED)
    if rows.size < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    case = log.case[rows]
    role = log.codes["role"][rows].astype(np.int64)
    worker = log.codes["worker"][rows].astype(np.int64)
    same_case = case[1:] == case[:-1]
    role_change = (role[1:] != role[:-1]) & (role[1:] >= 0) & (role[:-1] >= 0)
    worker_change = (worker[1:] != worker[:-1]) & (worker[1:] >= 0) & (worker[:-1] >= 0)
    level = np.full(rows.size - 1, -1, dtype=np.int64)
    level[worker_change & ~role_change] = LEVELS.index("worker")
    level[role_change] = LEVELS.index("role")
    if pathway is not None:
        team, organisation = _role_groups(log, pathway)
        before, after = np.maximum(role[:-1], 0), np.maximum(role[1:], 0)
        # a role the pathway does not declare has no known team or organisation (-1):
        # a hand-off to or from it stays a role hand-off
        known = role_change & (team[before] >= 0) & (team[after] >= 0)
        level[known & (team[after] != team[before])] = LEVELS.index("team")
        org_change = organisation[after] != organisation[before]
        level[known & org_change] = LEVELS.index("organisation")
    keep = same_case & (level >= 0)
    chosen = rows[1:][keep]
    return chosen, log.case[chosen].astype(np.int64), level[keep]


def _role_groups(log: EventLog, pathway: Pathway) -> tuple[I64, I64]:
    """Team and organisation codes of every role code (-1 for a role the pathway does not
    declare); at least one entry, so an empty role vocabulary can still be indexed."""
    roles = log.labels("role")
    teams: dict[str, int] = {}
    organisations: dict[str, int] = {}
    team = np.full(max(len(roles), 1), -1, dtype=np.int64)
    organisation = np.full(max(len(roles), 1), -1, dtype=np.int64)
    for code, role_id in enumerate(roles):
        role = pathway.roles.get(role_id)
        if role is not None:
            team[code] = teams.setdefault(role.team, len(teams))
            organisation[code] = organisations.setdefault(role.organisation, len(organisations))
    return team, organisation


def handoff_table(log: EventLog, pathway: Pathway | None = None) -> I64:
    """Hand-offs per case by level (cases x 4: worker, role, team, organisation)."""
    _rows, case, level = handoff_events(log, pathway)
    return _by_column(case, level, None, log.n_cases, len(LEVELS)).astype(np.int64)


def collects_table(log: EventLog, pathway: Pathway) -> tuple[I64, I64, tuple[str, ...]]:
    """For every step code: offsets into a flat item list (CSR), and the item names."""
    # items are numbered in the pathway's order of steps (those the log names), so the
    # order does not depend on which step a log happens to name first
    present = set(log.labels("step"))
    items: dict[str, int] = {}
    for step_id, declared in pathway.steps.items():
        for item in declared.collects if step_id in present else ():
            items.setdefault(item, len(items))
    pointer = [0]
    flat: list[int] = []
    for step_id in log.labels("step"):
        step = pathway.steps.get(step_id)
        flat.extend(items[item] for item in (step.collects if step else ()))
        pointer.append(len(flat))
    return np.asarray(pointer, np.int64), np.asarray(flat, np.int64), tuple(items)


def collections(log: EventLog, pathway: Pathway) -> tuple[I64, I64, tuple[str, ...]]:
    """Every item collected, as (case, item) pairs over completed steps, and item names."""
    pointer, flat, names = collects_table(log, pathway)
    rows = log.rows_of(STEP_COMPLETED)
    step = log.codes["step"][rows].astype(np.int64)
    counts = pointer[step + 1] - pointer[step]
    total = int(counts.sum())
    case = np.repeat(log.case[rows].astype(np.int64), counts)
    within = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    item = flat[np.repeat(pointer[step], counts) + within] if total else within
    return case, item, names


#: Cases per block when counting collections in a dense (cases x items) table.
BLOCK_CELLS = 1_000_000  # 8 MB a block: its few temporaries stay small beside a big log


def _dense_blocks(case: I64, item: I64, n: int, items: int) -> Iterator[tuple[int, int, I64]]:
    """(first case, end case, collections per case and item) over blocks of cases, so the
    dense table never holds more than :data:`BLOCK_CELLS` cells at once."""
    width = max(items, 1)
    block = max(1, BLOCK_CELLS // width)
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        a, b = np.searchsorted(case, [lo, hi])
        keys = (case[a:b] - lo) * width + item[a:b]
        yield lo, hi, np.bincount(keys, minlength=(hi - lo) * width).reshape(hi - lo, width)


def _collection_counts(log: EventLog, pathway: Pathway) -> tuple[I64, I64, I64, tuple[str, ...]]:
    """Per case: distinct items collected and collections; per item: times asked again
    and cases asked more than once (over every case; see :func:`repeated_items`)."""
    case, item, names = collections(log, pathway)
    n = log.n_cases
    distinct = np.zeros(n, dtype=np.int64)
    for lo, hi, dense in _dense_blocks(case, item, n, len(names)):
        distinct[lo:hi] = (dense > 0).sum(axis=1)
    total = np.bincount(case, minlength=n).astype(np.int64)
    return distinct, total, case, names


def repeated_information(log: EventLog, pathway: Pathway) -> I64:
    """Per case: items collected again (collections - distinct items collected)."""
    distinct, total, _case, _names = _collection_counts(log, pathway)
    return total - distinct


def repeated_items(log: EventLog, pathway: Pathway, cases: B) -> Mapping[str, tuple[int, int]]:
    """Per item: (times asked again, cases asked more than once) over ``cases``."""
    case, item, names = collections(log, pathway)
    width = max(len(names), 1)
    again = np.zeros(width, dtype=np.int64)
    many = np.zeros(width, dtype=np.int64)
    for lo, hi, block in _dense_blocks(case, item, log.n_cases, len(names)):
        dense = block[cases[lo:hi]]
        again += np.maximum(dense - 1, 0).sum(axis=0)
        many += (dense > 1).sum(axis=0)
    return {name: (int(again[i]), int(many[i])) for i, name in enumerate(names)}
