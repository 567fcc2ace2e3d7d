"""Time in a setting (bed days) and the load on each role, from an event log and its
pathway: numbers only, for live, real and simulated logs alike.

**Time in a setting.** A pathway may declare ``settings`` (places: an acute bed, home)
and give steps and moves a ``setting``. A case's time counts in a setting:

* while it does a step (``step_completed``: ``started`` to ``at``) whose ``setting`` is
  that one;
* while it waits (``waited``: ``started`` to ``at``) on a move whose own ``setting`` is
  that one or, when the move names none, whose *source* step's setting is: the person
  stays where they were until the next step begins. The move is the last
  ``transitioned`` event of the case before the wait (matched to the pathway by source,
  target and trigger; a move the pathway does not declare takes its source step's
  setting); a wait with no move before it takes the setting of the last step completed
  before it, and none when there is none.

Time in no declared setting is not counted. Only finished steps and closed waits count,
so a case still in flight has the time it has spent so far.

**Load.** A role's utilisation is its busy time (the minutes of its completed steps)
over the time its workers can give in the log's span (first to last event): its
calendar's open minutes times its capacity. The backlog is the number of cases in
flight (arrived, no outcome yet) at the end of each quarter of that span.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from datetime import timedelta
from zoneinfo import ZoneInfo

import attrs
import numpy as np
import numpy.typing as npt

from pathway._analysis._cases import (
    MINUTE_NS,
    STEP_COMPLETED,
    TRANSITIONED,
    WAITED,
    CaseTable,
    minutes_between,
)
from pathway._analysis._stats import sum_by
from pathway._journal._eventlog import EventLog, timestamp
from pathway._model._pathway import Pathway
from pathway._vocab import MINUTES_PER_DAY

__all__ = [
    "DAYS_PER_YEAR",
    "OVERLOADED",
    "LoadSummary",
    "RoleLoad",
    "SettingTimes",
    "SettingsSummary",
    "arrivals_per_year",
    "backlog",
    "backlog_grows",
    "role_load",
    "setting_times",
    "summarise_load",
    "summarise_settings",
]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
DAYS_PER_YEAR = 365.25
OVERLOADED = 0.95
"""Utilisation at or above which a role is overloaded: its queue cannot settle."""
BACKLOG_GROWTH = 1.2
"""The backlog grows when each quarter's end holds at least this many times as many
cases in flight as the quarter before (over the last three quarters)."""


@attrs.frozen(eq=False)
class SettingTimes:
    """Minutes per case (rows, case order) in each declared setting (columns)."""

    settings: tuple[str, ...]
    bed_days: tuple[bool, ...]
    minutes: F64

    def of(self, setting: str) -> F64:
        """Minutes per case in ``setting``."""
        return self.minutes[:, self.settings.index(setting)]

    @property
    def bed_day_minutes(self) -> F64:
        """Minutes per case in every setting that counts as bed days."""
        chosen = np.asarray(self.bed_days, dtype=bool)
        return np.asarray(self.minutes[:, chosen].sum(axis=1), dtype=np.float64)

    @property
    def counts_bed_days(self) -> bool:
        """True when some setting counts as bed days."""
        return any(self.bed_days)


def setting_times(log: EventLog, pathway: Pathway) -> SettingTimes:
    """Each case's minutes in each of ``pathway``'s settings (see the module docstring)."""
    ids = tuple(pathway.settings)
    index = {name: i for i, name in enumerate(ids)}
    width = max(len(ids), 1)
    step_setting = _step_settings(log, pathway, index)
    done = log.rows_of(STEP_COMPLETED)
    totals = _add(log, done, step_setting[log.codes["step"][done]], width)
    waited = log.rows_of(WAITED)
    where = _wait_settings(log, pathway, index, step_setting, waited)
    totals += _add(log, waited, where, width)
    return SettingTimes(
        ids,
        tuple(pathway.settings[s].bed_days for s in ids),
        totals[:, : len(ids)],
    )


def _step_settings(log: EventLog, pathway: Pathway, index: Mapping[str, int]) -> I64:
    """The setting index of every step code (-1: none), with one spare entry for -1."""
    codes = [
        index.get(step.setting or "", -1) if step is not None else -1
        for step in (pathway.steps.get(name) for name in log.labels("step"))
    ]
    return np.asarray([*codes, -1], dtype=np.int64)


def _add(log: EventLog, rows: I64, setting: I64, width: int) -> F64:
    """A (cases x width) table of the minutes of ``rows`` by case and ``setting``."""
    keep = setting >= 0
    chosen = rows[keep]
    keys = log.case[chosen].astype(np.int64) * width + setting[keep]
    minutes = minutes_between(log.started[chosen], log.at[chosen])
    return sum_by(keys, minutes, log.n_cases * width).reshape(log.n_cases, width)


def _last_before(log: EventLog, kind: int, rows: I64) -> I64:
    """For each of ``rows``, the last row of ``kind`` before it in the same case (-1)."""
    marks = np.full(len(log) + 1, -1, dtype=np.int64)
    found = log.rows_of(kind)
    marks[found] = found
    last = np.maximum.accumulate(marks[:-1]) if len(log) else marks[:0]
    before = last[rows] if rows.size else np.zeros(0, dtype=np.int64)
    same = (before >= 0) & (log.case[np.maximum(before, 0)] == log.case[rows])
    return np.where(same, before, -1)


def _wait_settings(
    log: EventLog,
    pathway: Pathway,
    index: Mapping[str, int],
    step_setting: I64,
    waited: I64,
) -> I64:
    """The setting index of each waited row (-1: none)."""
    move = _last_before(log, TRANSITIONED, waited)
    moved = _move_settings(log, pathway, index, step_setting)
    from_move = moved[np.maximum(move, 0)] if waited.size else np.zeros(0, dtype=np.int64)
    done = _last_before(log, STEP_COMPLETED, waited)
    step_code = log.codes["step"][np.maximum(done, 0)] if waited.size else done
    from_step = np.where(done >= 0, step_setting[step_code], -1)
    return np.where(move >= 0, from_move, from_step)


def _move_settings(
    log: EventLog, pathway: Pathway, index: Mapping[str, int], step_setting: I64
) -> I64:
    """The wait setting of every row (meaningful at ``transitioned`` rows)."""
    declared: dict[tuple[str, str, str], int] = {}
    for t in pathway.transitions:
        where = pathway.wait_setting(t)
        declared.setdefault((t.source, t.target, t.trigger), index.get(where or "", -1))
    steps, triggers = log.labels("source"), log.labels("trigger")
    source, target = log.codes["source"], log.codes["target"]
    trigger = log.codes["trigger"]
    result = step_setting[source.astype(np.int64)]  # -1 codes read the spare entry
    rows = log.rows_of(TRANSITIONED)
    keys = np.stack([source[rows], target[rows], trigger[rows]], axis=1)
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    looked = np.asarray(
        [
            declared.get((steps[s], steps[t], triggers[g]), -2) if min(s, t, g) >= 0 else -2
            for s, t, g in unique.tolist()
        ],
        dtype=np.int64,
    )
    found = looked[inverse.reshape(-1)] if rows.size else looked[:0]
    result[rows] = np.where(found != -2, found, result[rows])
    return np.asarray(result, dtype=np.int64)


def arrivals_per_year(table: CaseTable) -> float | None:
    """Cases arriving a year in the log: cases after the first over the time from the
    first arrival to the last (None with fewer than two arrivals or no time between)."""
    if len(table) < 2:
        return None
    span = float(table.start.max() - table.start.min()) / MINUTE_NS
    if span <= 0:
        return None
    return (len(table) - 1) / span * MINUTES_PER_DAY * DAYS_PER_YEAR


@attrs.frozen(slots=True)
class RoleLoad:
    """One role while cases arrive: the work that arrived for it and the minutes its
    workers could give (calendar open time x capacity) between the first and the last
    arrival; ``utilisation`` is their ratio (the offered load)."""

    role: str
    busy_minutes: float
    open_minutes: float
    capacity: int

    @property
    def utilisation(self) -> float:
        """Work arrived / time available (NaN when the role had no open time)."""
        return self.busy_minutes / self.open_minutes if self.open_minutes > 0 else math.nan

    @property
    def overloaded(self) -> bool:
        """True at or above :data:`OVERLOADED`."""
        return math.isfinite(self.utilisation) and self.utilisation >= OVERLOADED


def role_load(log: EventLog, pathway: Pathway, table: CaseTable) -> tuple[RoleLoad, ...]:
    """Every declared role's load while cases arrive, in declaration order.

    The work arrived for a role is the cases that arrived times the role's mean busy
    minutes (its completed steps, ``started`` to ``at``) per case that reached an
    outcome (every case when none has), so a case still in flight counts the whole work
    of a journey; the time available is the role calendar's open minutes from the first
    arrival to the last, times its capacity. A role with a calendar and no open time in
    that span has NaN utilisation.
    """
    if len(table) < 2 or not pathway.roles:
        return ()
    first, last = int(table.start.min()), int(table.start.max())
    span = (last - first) / MINUTE_NS
    per_case = _busy_per_case(log, pathway, table)
    return tuple(
        RoleLoad(
            name,
            float(per_case[i]) * len(table),
            _open_minutes(pathway, role.calendar, first, span) * role.capacity,
            role.capacity,
        )
        for i, (name, role) in enumerate(pathway.roles.items())
    )


def _busy_per_case(log: EventLog, pathway: Pathway, table: CaseTable) -> F64:
    """Mean busy minutes per case of each declared role (over finished cases, or all)."""
    names = tuple(pathway.roles)
    labels = log.labels("role")
    role_of = np.asarray([*(names.index(r) if r in names else -1 for r in labels), -1])
    done = log.rows_of(STEP_COMPLETED)
    role = role_of[log.codes["role"][done].astype(np.int64)]
    keep = role >= 0
    width = len(names)
    keys = log.case[done][keep].astype(np.int64) * width + role[keep]
    minutes = minutes_between(log.started[done], log.at[done])[keep]
    busy = sum_by(keys, minutes, log.n_cases * width).reshape(log.n_cases, width)
    scope = table.finished if table.finished.any() else np.ones(len(table), dtype=bool)
    return np.asarray(busy[scope].mean(axis=0), dtype=np.float64)


def _open_minutes(pathway: Pathway, calendar: str | None, first: int, span: float) -> float:
    """Open minutes of ``calendar`` (None: always open) in ``span`` minutes from the
    time ``first`` (nanoseconds since the epoch, UTC)."""
    if calendar is None:
        return span
    cal = pathway.calendars[calendar]
    local = timestamp(first).astimezone(ZoneInfo(cal.timezone)).replace(tzinfo=None)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    start = (local - midnight) / timedelta(minutes=1)
    return cal.open_minutes(start, start + span, midnight.date())


def backlog(table: CaseTable, points: int = 4) -> tuple[int, ...]:
    """Cases in flight (arrived, no outcome yet) at the end of each of ``points`` equal
    parts of the span from the first arrival to the last event."""
    if not len(table):
        return ()
    begin = int(table.start.min())
    end = int(max(table.end.max(), table.start.max()))
    result = []
    for part in range(1, points + 1):
        at = begin + (end - begin) * part // points
        open_then = (table.start <= at) & (~table.finished | (table.end > at))
        result.append(int(open_then.sum()))
    return tuple(result)


def backlog_grows(counts: tuple[int, ...]) -> bool:
    """True when the backlog rises by :data:`BACKLOG_GROWTH` from each point to the next
    over the last three points (so a queue that settles is not called growing)."""
    tail = counts[-3:]
    if len(tail) < 3:
        return False
    return all(b >= max(a, 1) * BACKLOG_GROWTH for a, b in itertools.pairwise(tail))


@attrs.frozen(eq=False)
class SettingsSummary:
    """Time in each setting over the cases in scope: mean and median days per case,
    and days a year at the log's arrival rate (None when it cannot be told)."""

    settings: tuple[str, ...]
    bed_days: tuple[bool, ...]
    mean_days: tuple[float, ...]
    median_days: tuple[float, ...]
    bed_days_mean: float
    per_year: float | None

    def days_a_year(self, index: int) -> float | None:
        """Days a year in setting ``index`` at the arrival rate."""
        return None if self.per_year is None else self.mean_days[index] * self.per_year

    @property
    def bed_days_a_year(self) -> float | None:
        """Bed days a year at the arrival rate (None without a rate or bed-day setting)."""
        if self.per_year is None or not any(self.bed_days):
            return None
        return self.bed_days_mean * self.per_year


def summarise_settings(
    log: EventLog, pathway: Pathway, table: CaseTable, scope: npt.NDArray[np.bool_]
) -> SettingsSummary | None:
    """The time in each of ``pathway``'s settings (None when it declares none)."""
    if not pathway.settings or not scope.any():
        return None
    times = setting_times(log, pathway)
    days = times.minutes[scope] / MINUTES_PER_DAY
    return SettingsSummary(
        times.settings,
        times.bed_days,
        tuple(float(v) for v in days.mean(axis=0)),
        tuple(float(v) for v in np.median(days, axis=0)),
        float(times.bed_day_minutes[scope].mean() / MINUTES_PER_DAY),
        arrivals_per_year(table),
    )


@attrs.frozen(eq=False)
class LoadSummary:
    """Every role's load, the backlog at the end of each quarter of the log's span,
    whether it grows, and the share of cases still in flight at the end."""

    roles: tuple[RoleLoad, ...]
    backlog: tuple[int, ...]
    grows: bool
    in_flight_share: float

    @property
    def overloaded(self) -> tuple[RoleLoad, ...]:
        """The roles at or above :data:`OVERLOADED`."""
        return tuple(r for r in self.roles if r.overloaded)

    @property
    def warn(self) -> bool:
        """True when a role is overloaded or the backlog grows."""
        return bool(self.overloaded) or self.grows


def summarise_load(log: EventLog, pathway: Pathway, table: CaseTable) -> LoadSummary | None:
    """The load on ``pathway``'s roles in ``log`` (None for fewer than two cases)."""
    roles = role_load(log, pathway, table)
    if not roles:
        return None
    counts = backlog(table)
    share = float((~table.finished).mean()) if len(table) else 0.0
    return LoadSummary(roles, counts, backlog_grows(counts), share)
