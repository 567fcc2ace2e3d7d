"""Time in a setting (bed days) and the load on each role, from an event log and its
pathway: numbers only, for live, real and simulated logs alike.

**Time in a setting.** A pathway may declare ``settings`` (places: an acute bed, home)
and give steps and moves a ``setting``. A case's time counts in a setting:

* while it does a step (``step_completed``: ``started`` to ``at``) whose ``setting`` is
  that one;
* while it waits (``waited``: ``started`` to ``at``) on a move whose own ``setting`` is
  that one or, when the move names none, whose *source* step's setting is: the person
  stays where they were until the next step begins. The move is the case's last
  ``transitioned`` event before the wait, matched to the pathway by its source and
  target steps (the first move declared between them says; a move the pathway does not
  declare takes its source step's setting); a wait with no move before it (the queue
  for the first step) counts in no setting.

Time in no declared setting is not counted. Only finished steps and closed waits count,
so a case still in flight has the time it has spent so far.

**Load.** A role's utilisation is the work that arrived for it (cases x its mean busy
minutes per finished case) over the time its workers could give while cases arrived
(first to last arrival): its calendar's open minutes times its capacity. The backlog is
the number of cases in flight (arrived, no outcome yet) at the end of each quarter of
the span from the first arrival to the last event.

Both read a log's delay rows (:class:`~pathway._analysis._attribution.DelayRows`), so a
log analysed whole and one analysed in parts give the same figures.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import numpy as np
import numpy.typing as npt

from pathway._analysis._attribution import DelayRows, delay_rows
from pathway._analysis._cases import MINUTE_NS, CaseTable
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
    "backlog_of",
    "load_of",
    "role_load",
    "roles_loaded",
    "setting_times",
    "setting_times_of",
    "summarise_load",
    "summarise_settings",
]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]
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
    return setting_times_of(delay_rows(log), pathway, log.n_cases)


def setting_times_of(rows: DelayRows, pathway: Pathway, cases: int) -> SettingTimes:
    """:func:`setting_times` from a log's delay rows (whole, or parts combined)."""
    ids = tuple(pathway.settings)
    index = {name: i for i, name in enumerate(ids)}
    width = max(len(ids), 1)
    step_setting = np.asarray(
        [*(_setting_of(pathway, step, index) for step in rows.steps), -1], dtype=np.int64
    )
    totals = _add(rows.done_case, step_setting[rows.done_step], rows.done_minutes, cases, width)
    moved = _move_settings(rows, pathway, index, step_setting)
    linked = rows.wait_move >= 0
    where = np.where(linked, moved[np.where(linked, rows.wait_move, 0)], -1)
    totals += _add(rows.wait_case, where, rows.wait_minutes, cases, width)
    return SettingTimes(
        ids, tuple(pathway.settings[s].bed_days for s in ids), totals[:, : len(ids)]
    )


def _setting_of(pathway: Pathway, step_id: str, index: Mapping[str, int]) -> int:
    step = pathway.steps.get(step_id)
    return index.get(step.setting or "", -1) if step is not None else -1


def _add(case: npt.NDArray[Any], setting: I64, minutes: F64, cases: int, width: int) -> F64:
    """A (cases x width) table of ``minutes`` by case and ``setting`` (-1 left out)."""
    keep = setting >= 0
    keys = case[keep].astype(np.int64) * width + setting[keep]
    return sum_by(keys, minutes[keep], cases * width).reshape(cases, width)


def _move_settings(
    rows: DelayRows, pathway: Pathway, index: Mapping[str, int], step_setting: I64
) -> I64:
    """The wait setting of every move row: the first declared move between the same
    steps says it; a move the pathway does not declare takes its source step's."""
    declared: dict[tuple[str, str], int] = {}
    for t in pathway.transitions:
        declared.setdefault((t.source, t.target), index.get(pathway.wait_setting(t) or "", -1))
    names = rows.steps
    result = step_setting[rows.move_source.astype(np.int64)]
    pairs = np.stack([rows.move_source, rows.move_target], axis=1).astype(np.int64)
    if not len(pairs):
        return np.asarray(result, dtype=np.int64)
    unique, inverse = np.unique(pairs, axis=0, return_inverse=True)
    looked = np.asarray(
        [
            declared.get((names[a], names[b]), -2) if min(a, b) >= 0 else -2
            for a, b in unique.tolist()
        ],
        dtype=np.int64,
    )[inverse.reshape(-1)]
    return np.asarray(np.where(looked != -2, looked, result), dtype=np.int64)


def arrivals_per_year(starts: I64) -> float | None:
    """Cases arriving a year: cases after the first over the time from the first
    arrival to the last (``starts`` in nanoseconds; None with fewer than two arrivals
    or no time between)."""
    if len(starts) < 2:
        return None
    span = float(starts.max() - starts.min()) / MINUTE_NS
    if span <= 0:
        return None
    return (len(starts) - 1) / span * MINUTES_PER_DAY * DAYS_PER_YEAR


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


def role_load(
    rows: DelayRows, pathway: Pathway, table: CaseTable, starts: I64
) -> tuple[RoleLoad, ...]:
    """Every declared role's load while cases arrive, in declaration order.

    The work that arrived for a role is its mean busy minutes (the completed steps it
    owns, ``started`` to ``at``) per case that reached an outcome (every case when none
    has), so a case still in flight counts the whole work of a journey; the time
    available is the role calendar's open minutes from the first arrival to the last
    (``starts``, nanoseconds), times its capacity.
    """
    if len(table) < 2 or not pathway.roles:
        return ()
    return roles_loaded(pathway, _busy_per_case(rows, pathway, table), len(table), starts)


def roles_loaded(
    pathway: Pathway, busy_per_case: F64, cases: int, starts: I64
) -> tuple[RoleLoad, ...]:
    """Every declared role's load from its mean busy minutes per case (``busy_per_case``,
    one per role in declaration order) over ``cases`` cases that started at ``starts``
    (nanoseconds since the epoch): see :func:`role_load`."""
    first, last = int(starts.min()), int(starts.max())
    span = (last - first) / MINUTE_NS
    return tuple(
        RoleLoad(
            name,
            float(busy_per_case[i]) * cases,
            _open_minutes(pathway, role.calendar, first, span) * role.capacity,
            role.capacity,
        )
        for i, (name, role) in enumerate(pathway.roles.items())
    )


def _busy_per_case(rows: DelayRows, pathway: Pathway, table: CaseTable) -> F64:
    """Mean busy minutes per case of each declared role (over finished cases, or all)."""
    names = tuple(pathway.roles)
    owner = [pathway.steps[s].role if s in pathway.steps else None for s in rows.steps]
    role_of = np.asarray([*(names.index(r) if r in names else -1 for r in owner), -1])
    role = role_of[rows.done_step.astype(np.int64)]
    keep = role >= 0
    width = len(names)
    keys = rows.done_case[keep].astype(np.int64) * width + role[keep]
    cases = len(table)
    busy = sum_by(keys, rows.done_minutes[keep], cases * width).reshape(cases, width)
    scope = table.finished if table.finished.any() else np.ones(cases, dtype=bool)
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


def backlog(table: CaseTable, starts: I64, points: int = 4) -> tuple[int, ...]:
    """Cases in flight (arrived, no outcome yet) at the end of each of ``points`` equal
    parts of the span from the first arrival to the last event (``starts`` are the
    cases' starts in nanoseconds; each ends its end-to-end time later)."""
    return backlog_of(starts, starts + (table.end - table.start), table.finished, points)


def backlog_of(starts: I64, ends: I64, finished: B, points: int = 4) -> tuple[int, ...]:
    """:func:`backlog` from each case's start and end (nanoseconds since the epoch) and
    whether it reached an outcome (an open case's end, its last event, only bounds the
    span)."""
    if not len(starts):
        return ()
    begin, end = int(starts.min()), int(max(ends.max(), starts.max()))
    result = []
    for part in range(1, points + 1):
        at = begin + (end - begin) * part // points
        open_then = (starts <= at) & (~finished | (ends > at))
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
    rows: DelayRows,
    pathway: Pathway,
    table: CaseTable,
    scope: npt.NDArray[np.bool_],
    starts: I64,
) -> SettingsSummary | None:
    """The time in each of ``pathway``'s settings (None when it declares none)."""
    if not pathway.settings or not scope.any():
        return None
    times = setting_times_of(rows, pathway, len(table))
    days = times.minutes[scope] / MINUTES_PER_DAY
    return SettingsSummary(
        times.settings,
        times.bed_days,
        tuple(float(v) for v in days.mean(axis=0)),
        tuple(float(v) for v in np.median(days, axis=0)),
        float(times.bed_day_minutes[scope].mean() / MINUTES_PER_DAY),
        arrivals_per_year(starts),
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


def summarise_load(
    rows: DelayRows, pathway: Pathway, table: CaseTable, starts: I64
) -> LoadSummary | None:
    """The load on ``pathway``'s roles (None for fewer than two cases)."""
    roles = role_load(rows, pathway, table, starts)
    if not roles:
        return None
    return load_of(roles, backlog(table, starts), table.finished)


def load_of(roles: tuple[RoleLoad, ...], counts: tuple[int, ...], finished: B) -> LoadSummary:
    """The load summary of ``roles`` with the backlog ``counts`` over cases that did or
    did not reach an outcome (``finished``)."""
    share = float((~finished).mean()) if len(finished) else 0.0
    return LoadSummary(roles, counts, backlog_grows(counts), share)
