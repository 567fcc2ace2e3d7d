"""What an event log shows, counted: steps, roles, moves, times, visits, arrivals, outcomes.

:func:`mine` reads an :class:`~pathway._journal._eventlog.EventLog` (pathway's own shape,
or a foreign log after :func:`pathway.io.interpret`) in a few numpy passes and returns
:class:`Mined`: samples and counts, no words and no YAML. :mod:`pathway._discover._draft`
turns it into a pathway file.

Waits: the wait of a move is the sum of the ``waited`` events between it and the next
move of the case, leaving out the ``calendar`` and ``capacity`` ones just before the next
step starts (the draft's calendars and capacities make those again when it is
simulated); a gate before a later wait (a missed visit, then its rebooking) stays in.
A foreign log read without a pathway records the whole gap between two steps as one
wait.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import numpy as np
import numpy.typing as npt

from pathway._journal._eventlog import NAT, EventLog, kind_code
from pathway.errors import EventLogError, Problem

__all__ = ["Mined", "Move", "StepSample", "local_minutes", "mine"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
MINUTE_NS = 60_000_000_000
_GATES = frozenset({"calendar", "capacity"})
CLOSURE_EXPECTED = 10.0


@attrs.frozen(eq=False)
class StepSample:
    """One step as seen: how often, by whom, its touch times and start times."""

    name: str
    completions: int
    touch: F64
    starts_week: F64
    role: str | None
    roles: Mapping[str, int]
    visits: int
    gated: int


@attrs.frozen(eq=False)
class Move:
    """A move seen between two steps: how often, its waits, its most common cause."""

    source: str
    target: str
    count: int
    waits: F64
    cause: str | None


@attrs.frozen(eq=False)
class Mined:
    """Everything :func:`mine` counted (see the module docstring)."""

    source: str
    timezone: str
    cases: int
    finished: int
    events: int
    steps: Mapping[str, StepSample]
    moves: tuple[Move, ...]
    outcomes: Mapping[str, int]
    ends_at: Mapping[str, int]
    first_steps: Mapping[str, int]
    roles: Mapping[str, tuple[int, int, F64]]
    arrivals_week: F64
    first_day: date
    last_day: date
    closures: tuple[date, ...]
    facts: Mapping[str, list[Any]]
    open_last: Mapping[str, int]
    levels: Mapping[tuple[str, str], str]
    touch_known: bool
    attendance_known: bool


def local_minutes(ns: I64, zone: ZoneInfo) -> I64:
    """Local wall-clock minutes since 1970 for UTC nanoseconds ``ns`` in ``zone``."""
    if len(ns) == 0:
        return np.zeros(0, dtype=np.int64)
    hours = ns // (3_600 * 1_000_000_000)
    unique, inverse = np.unique(hours, return_inverse=True)
    offsets = np.asarray([_offset(int(h), zone) for h in unique.tolist()], dtype=np.int64)
    return np.asarray(ns // MINUTE_NS + offsets[inverse.ravel()], dtype=np.int64)


def _offset(hour: int, zone: ZoneInfo) -> int:
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(hours=hour)
    delta = moment.astimezone(zone).utcoffset() or timedelta(0)
    return int(delta / timedelta(minutes=1))


def _week(local: I64) -> F64:
    """Minute of the week (Monday 00:00 = 0) of local minutes since 1970 (a Thursday)."""
    return np.asarray((local + 3 * 1440) % (7 * 1440), dtype=np.float64)


def mine(log: EventLog, *, timezone: str = "UTC", source: str = "<log>") -> Mined:
    """Count what ``log`` shows (see the module docstring).

    Raises :class:`~pathway.errors.EventLogError` when nothing can be learnt: no
    completed step, fewer than two cases, or every event at one instant.
    """
    _check_usable(log, source)
    zone = ZoneInfo(timezone)
    steps = log.labels("step")
    step_col = log.column("step")
    completed = log.rows_of(kind_code("step_completed"))
    started = log.started[completed]
    touch_known = bool(np.any(started != log.at[completed]))
    begin = np.where(started == NAT, log.at[completed], started)
    touch = (log.at[completed] - begin) / MINUTE_NS
    week = _week(local_minutes(begin, zone))
    owner = _owners(log, completed)
    visits = log.rows_of(kind_code("visit_attended"))
    visit_counts = Counter(steps[c] for c in step_col[visits].tolist() if c >= 0)
    waited = log.rows_of(kind_code("waited"))
    calendar_code = log.code("cause", "calendar") if "calendar" in log.labels("cause") else -2
    gated_rows = waited[log.column("cause")[waited] == calendar_code]
    gated = Counter(steps[c] for c in step_col[gated_rows].tolist() if c >= 0)
    samples: dict[str, StepSample] = {}
    codes = step_col[completed]
    for code in np.unique(codes).tolist():
        if code < 0:
            continue
        mask = codes == code
        roles = Counter(owner[i] for i in np.flatnonzero(mask).tolist())
        name = steps[code]
        samples[name] = StepSample(
            name=name,
            completions=int(mask.sum()),
            touch=np.asarray(touch[mask], dtype=np.float64),
            starts_week=np.asarray(week[mask], dtype=np.float64),
            role=roles.most_common(1)[0][0] if roles else None,
            roles=dict(roles),
            visits=visit_counts.get(name, 0),
            gated=gated.get(name, 0),
        )
    outcome_rows = log.rows_of(kind_code("outcome_reached"))
    outcomes = Counter(steps[c] for c in step_col[outcome_rows].tolist())
    first_rows = log.rows_of(kind_code("case_started"))
    first_steps = Counter(steps[c] for c in step_col[first_rows].tolist() if c >= 0)
    if not first_steps:
        first_steps = _first_completed(log, completed, steps)
    starts, _ = log.case_bounds()
    has = starts < len(log)
    arrivals = log.at[starts[has]]
    local_arrivals = local_minutes(arrivals, zone)
    first_day = _day(int(local_arrivals.min()))
    last_day = _day(int(local_arrivals.max()))
    return Mined(
        source=source,
        timezone=timezone,
        cases=log.n_cases,
        finished=len(np.unique(log.case[outcome_rows])),
        events=len(log),
        steps=samples,
        moves=_moves(log, steps),
        outcomes=dict(outcomes),
        ends_at=dict(outcomes),
        first_steps=dict(first_steps),
        roles=_roles(log, completed, owner, begin, week),
        arrivals_week=_week(local_arrivals),
        first_day=first_day,
        last_day=last_day,
        closures=_closures(local_minutes(begin, zone), first_day, last_day),
        facts=_facts(log, first_rows),
        open_last=_open_last(log, completed, outcome_rows, steps),
        levels=_levels(log),
        touch_known=touch_known,
        attendance_known=bool(len(visits)),
    )


def _day(local_minute: int) -> date:
    return date(1970, 1, 1) + timedelta(days=local_minute // 1440)


def _check_usable(log: EventLog, source: str) -> None:
    """Refuse a log nothing can be learnt from, saying why and what would do."""
    completed = log.rows_of(kind_code("step_completed"))
    problem = None
    if log.n_cases < 2:
        problem = (
            f"the log has {log.n_cases} case(s); discovery needs at least 2 to count moves "
            "and arrivals",
            "at least 2 cases",
            "export more cases (a year of them is best)",
            "too-few-cases",
        )
    elif len(completed) == 0:
        problem = (
            "no step completed in the log, so no step can be learnt",
            "events with an activity and a time",
            "check the columns (--columns activity=..., time=...)",
            "no-steps",
        )
    elif len(log) and int(log.at.max()) == int(log.at.min()):
        problem = (
            "every event of the log is at one instant, so no time can be learnt",
            "events at different times",
            "check the time column (--columns time=...): it may hold a date without times "
            "or the export time",
            "one-instant",
        )
    if problem is not None:
        message, expected, suggestion, code = problem
        raise EventLogError(
            [
                Problem(
                    message,
                    source=source,
                    expected=expected,
                    suggestion=suggestion,
                    code=code,
                )
            ],
            log=source,
        )


def _owners(log: EventLog, completed: I64) -> list[str]:
    """The role of each completed step: its group, else its worker, else ``staff``."""
    roles = log.labels("role")
    workers = log.labels("worker")
    role = log.column("role")[completed]
    worker = log.column("worker")[completed]
    out: list[str] = []
    for r, w in zip(role.tolist(), worker.tolist(), strict=True):
        out.append(roles[r] if r >= 0 else workers[w] if w >= 0 else "staff")
    return out


def _first_completed(log: EventLog, completed: I64, steps: tuple[str, ...]) -> Counter[str]:
    cases, first = np.unique(log.case[completed], return_index=True)
    del cases
    return Counter(steps[c] for c in log.column("step")[completed[first]].tolist() if c >= 0)


def _moves(log: EventLog, steps: tuple[str, ...]) -> tuple[Move, ...]:
    """Every move between two steps, with the waits that followed it."""
    kind = log.kind
    moved = kind == kind_code("transitioned")
    rows = np.flatnonzero(moved)
    if len(rows) == 0:
        return ()
    entry = np.cumsum(moved) - 1
    waited = np.flatnonzero(kind == kind_code("waited"))
    entry_w = entry[waited]
    ok = (entry_w >= 0) & (log.case[rows[np.maximum(entry_w, 0)]] == log.case[waited])
    causes = log.labels("cause")
    cause_code = log.column("cause")[waited]
    gate = np.asarray(
        [causes[c] in _GATES if c >= 0 else False for c in cause_code.tolist()], dtype=bool
    )
    # a gate before a later wait of the same entry (a missed visit's, then its rebooking)
    # was not made by the step's own calendar at its start: it stays in the wait
    later = np.full(len(rows), -1, dtype=np.int64)
    np.maximum.at(later, entry_w[ok & ~gate], waited[ok & ~gate])
    keep = ok & (~gate | (waited < later[np.maximum(entry_w, 0)]))
    minutes = (log.at[waited] - log.started[waited]) / MINUTE_NS
    total = np.bincount(entry_w[keep], weights=minutes[keep], minlength=len(rows))
    cause_of: dict[int, str] = {}
    for e, c in zip(entry_w[keep].tolist(), cause_code[keep].tolist(), strict=True):
        if c >= 0:
            cause_of.setdefault(e, causes[c])
    source = log.column("source")[rows]
    target = log.column("target")[rows]
    pair = source.astype(np.int64) * (len(steps) + 1) + target
    out = []
    for key in np.unique(pair).tolist():
        mask = pair == key
        s, t = divmod(int(key), len(steps) + 1)
        entries = np.flatnonzero(mask)
        cause_count = Counter(cause_of[e] for e in entries.tolist() if e in cause_of)
        out.append(
            Move(
                source=steps[s],
                target=steps[t],
                count=int(mask.sum()),
                waits=np.asarray(total[mask], dtype=np.float64),
                cause=cause_count.most_common(1)[0][0] if cause_count else None,
            )
        )
    return tuple(out)


def _roles(
    log: EventLog, completed: I64, owner: list[str], begin: I64, week: F64
) -> dict[str, tuple[int, int, F64]]:
    """Per role: the most steps in progress at once, how many workers, start times."""
    names = np.asarray(owner, dtype=object)
    worker = log.column("worker")[completed]
    out: dict[str, tuple[int, int, F64]] = {}
    for role in sorted(set(owner)):
        mask = names == role
        s, e = begin[mask], log.at[completed][mask]
        times = np.concatenate([s, e])
        delta = np.concatenate([np.ones(len(s), np.int64), -np.ones(len(e), np.int64)])
        order = np.lexsort((delta, times))  # ends before starts at the same instant
        busy = int(np.cumsum(delta[order]).max()) if len(order) else 0
        workers = len(set(worker[mask].tolist()) - {-1})
        out[role] = (busy, workers, np.asarray(week[mask], dtype=np.float64))
    return out


def _closures(local: I64, first: date, last: date) -> tuple[date, ...]:
    """Dates on which no step started, on a weekday that usually has at least
    :data:`CLOSURE_EXPECTED` events (so an empty day is not chance)."""
    days = (local // 1440).astype(np.int64)
    base = (first - date(1970, 1, 1)).days
    span = (last - first).days + 1
    inside = (days >= base) & (days < base + span)
    counts = np.bincount(days[inside] - base, minlength=span)[:span]
    weekday = (np.arange(span) + base + 3) % 7
    out: list[int] = []
    for d in range(7):
        on = weekday == d
        if not on.any():
            continue
        expected = counts[on].sum() / on.sum()
        if expected < CLOSURE_EXPECTED:
            continue
        out.extend(int(i) for i in np.flatnonzero(on & (counts == 0)))
    return tuple(first + timedelta(days=i) for i in sorted(out))


def _levels(log: EventLog) -> dict[tuple[str, str], str]:
    """The hand-off level the log records between two roles (the most common), when
    the log records team or organisation levels at all (pathway's own logs; a foreign log
    read without a pathway knows only roles)."""
    rows = log.rows_of(kind_code("handoff"))
    levels = log.labels("level")
    codes = log.column("level")[rows]
    if not any(levels[c] in {"team", "organisation"} for c in set(codes.tolist()) if c >= 0):
        return {}
    roles = log.labels("role")
    seen: dict[tuple[str, str], Counter[str]] = {}
    for a, b, c in zip(
        log.column("from_role")[rows].tolist(),
        log.column("to_role")[rows].tolist(),
        codes.tolist(),
        strict=True,
    ):
        if a >= 0 and b >= 0 and c >= 0 and a != b:
            seen.setdefault((roles[a], roles[b]), Counter())[levels[c]] += 1
    return {pair: counts.most_common(1)[0][0] for pair, counts in seen.items()}


def _open_last(
    log: EventLog, completed: I64, outcome_rows: I64, steps: tuple[str, ...]
) -> dict[str, int]:
    """For the cases that reached no outcome: how many were last seen at each step."""
    finished = np.zeros(log.n_cases, dtype=bool)
    finished[log.case[outcome_rows]] = True
    last = np.full(log.n_cases, -1, dtype=np.int64)
    last[log.case[completed]] = log.column("step")[completed]  # rows in time order
    codes = last[~finished & (last >= 0)]
    return dict(Counter(steps[c] for c in codes.tolist()))


def _facts(log: EventLog, rows: I64) -> dict[str, list[Any]]:
    """The facts each case started with, as columns (a missing value is ``None``)."""
    codes = log.column("facts")[rows]
    labels = log.labels("facts")
    parsed = [json.loads(labels[c]) if c >= 0 else {} for c in codes.tolist()]
    names = sorted({k for p in parsed if isinstance(p, dict) for k in p})
    return {name: [p.get(name) if isinstance(p, dict) else None for p in parsed] for name in names}
