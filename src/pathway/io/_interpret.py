"""Reading a foreign log against a pathway: the rules, and nothing invented.

:func:`interpret` turns a :class:`~pathway.io.ForeignLog` (what a case system exported)
into pathway's journal events, so the analysis, the report and the conformance check
read it like a simulated or live log. The rules, in order:

1. **Activity -> step.** A mapping table (activity -> step id) first; else the step whose
   id is the activity; else the step whose title is the activity (ignoring case and
   surrounding spaces). An activity that maps to no declared step keeps its own name
   as its step (the conformance check calls it undeclared) and is listed in
   ``Interpretation.unmapped``. Without a pathway every activity is its own step.
2. **Lifecycle.** ``start`` and ``complete`` events are paired into one step: by
   activity instance where the log has one, else the n-th start of an activity in a
   case with its n-th complete. A step's touch time runs from its start to its
   complete (or from a ``start_timestamp`` column). A log with complete events only has
   no start times: touch time is *unknown* (``touch_known`` is false and the report
   says so), and the time between two completions is counted as the wait before the
   second step. A start with no complete is a step still in progress (the case is
   open). Other lifecycle transitions (schedule, assign, suspend...) are left out and
   counted in the notes.
3. **People.** The resource is the worker and the group (``org:group``) the role. A
   group the pathway does not declare is kept as it is and listed in
   ``undeclared_roles``; hand-offs to it are counted at role level, never guessed to
   be between teams or organisations. A missing group stays missing (the step's owner
   is not filled in from the pathway).
4. **Visits.** A step the pathway declares a visit is an attendance, and so is an event
   with a location (the ``location``/``attendance`` column). Consecutive visit steps
   within the pathway's ``same_visit_within`` minutes at the same place are one
   attendance.
5. **Outcomes.** With a pathway, a case whose last step is a declared outcome reached
   it when that step began; any other case is open (counted in ``open_cases``).
   Without a pathway, the export is taken as closed cases: each case's last step is its
   outcome.
6. **Waits.** The time from one step's end to the next step's start is a wait for the
   next step. Its cause comes from the data only: the minutes the next step's calendar
   (its own, else its owner role's) was shut during the wait are ``calendar``; the rest
   is ``visit_gap`` when the next step is a visit, ``handoff`` when the owner changed
   (another group, or another resource where the log has no groups), and
   ``unattributed`` otherwise. Steps that overlap have no wait between them.
7. **Facts.** What the log says about a case (XES trace attributes, ``case:`` columns,
   the OCEL case object's attributes) is the case's facts, as the case-started event
   records them; numbers written as text are read as numbers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pathway._journal._eventlog import (
    NAT,
    EventLog,
    Vocabulary,
    kind_code,
    nanoseconds,
    vocabularies,
)
from pathway._model._calendar import Calendar
from pathway._model._pathway import Pathway
from pathway._vocab import UNATTRIBUTED
from pathway.errors import EventLogError, Problem, did_you_mean
from pathway.io._foreign import Coded, ForeignLog

__all__ = ["Interpretation", "interpret"]

I8 = npt.NDArray[np.int8]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]
_MINUTE = 60_000_000_000
_START_WORDS = frozenset({"start", "started", "begin"})
_COMPLETE_WORDS = frozenset({"complete", "completed", "end", "done", "finish", "finished"})


@attrs.frozen(eq=False)
class Interpretation:
    """A foreign log read against a pathway: the event log, and what the rules did.

    ``unmapped`` counts the events of each activity that matched no declared step;
    ``undeclared_roles`` the events of each group the pathway does not declare;
    ``touch_known`` is false when no step has a start time; ``open_cases`` counts the
    cases that did not end at an outcome; ``notes`` says all of it in words.
    """

    log: EventLog
    source: str
    steps: Mapping[str, str]
    unmapped: Mapping[str, int]
    undeclared_roles: Mapping[str, int]
    touch_known: bool
    open_cases: int
    notes: tuple[str, ...]


def interpret(
    foreign: ForeignLog,
    pathway: Pathway | None = None,
    *,
    steps: Mapping[str, str] | None = None,
) -> Interpretation:
    """Read ``foreign`` against ``pathway`` by the rules of the module docstring.

    ``steps`` maps activities to step ids where neither ids nor titles match. Raises
    :class:`~pathway.errors.EventLogError` when ``steps`` names a step the pathway does
    not declare.
    """
    step_of = _step_names(foreign, pathway, dict(steps or {}))
    table = _instances(foreign)
    vocab = vocabularies()
    step_codes = np.asarray([vocab["step"].code(s) for s in step_of], dtype=np.int64)
    step = np.where(table.activity >= 0, step_codes[np.maximum(table.activity, 0)], -1)
    worker = _recode(table.resource, foreign.field("resource"), vocab["worker"])
    role = _recode(table.group, foreign.field("group"), vocab["role"])
    rules = _Rules(pathway, vocab["step"].labels, vocab["role"].labels)
    events = _emit(foreign, table, step, worker, role, rules, vocab)
    log = EventLog.from_columns(
        case_ids=tuple(np.asarray(foreign.case_ids, dtype=object)[events.case_order].tolist()),
        case=events.case,
        at=events.at,
        kind=events.kind,
        started=events.started,
        attendance=events.attendance,
        codes=events.codes,
        vocab={domain: tuple(v.labels) for domain, v in vocab.items()},
    )
    return _summarise(foreign, pathway, log, step_of, table, events)


# ----------------------------------------------------------------------------- steps


def _step_names(foreign: ForeignLog, pathway: Pathway | None, table: dict[str, str]) -> list[str]:
    """The step id each activity label maps to (its own name when none is declared)."""
    if pathway is not None:
        wrong = [step for step in table.values() if step not in pathway.steps]
        if wrong:
            raise EventLogError(
                [
                    Problem(
                        f"the activity mapping names step {step!r}, which the pathway does "
                        "not declare",
                        source=foreign.source,
                        field="steps",
                        expected="a step id of " + repr(pathway.id),
                        suggestion=_suggest(step, pathway.steps),
                        code="unknown-step",
                    )
                    for step in wrong
                ]
            )
    titles = {}
    if pathway is not None:
        titles = {s.title.strip().casefold(): s.id for s in pathway.steps.values()}
    names = []
    for activity in foreign.activity.labels:
        if activity in table:
            names.append(table[activity])
        elif pathway is not None and activity in pathway.steps:
            names.append(activity)
        else:
            names.append(titles.get(activity.strip().casefold(), activity))
    return names


def _suggest(step: str, choices: Mapping[str, Any]) -> str:
    close = did_you_mean(step, choices)
    return f"did you mean {close!r}?" if close else ""


# ----------------------------------------------------------------- steps from events


@attrs.frozen(eq=False)
class _Instances:
    """One row per step instance, sorted by case, then end (else start) time.

    ``begin`` is the start time (NAT unknown), ``end`` the complete time (NAT: still in
    progress); codes index the foreign log's labels."""

    row: I64
    case: I64
    activity: I64
    begin: I64
    end: I64
    resource: I64
    group: I64
    location: I64
    dropped: int
    has_starts: bool


def _column(coded: Coded | None, n: int) -> I64:
    return coded.codes if coded is not None else np.full(n, -1, dtype=np.int64)


def _instances(foreign: ForeignLog) -> _Instances:
    n = len(foreign)
    lifecycle = foreign.field("lifecycle")
    kind = np.zeros(n, dtype=np.int64)  # 0 complete, 1 start, 2 other
    if lifecycle is not None:
        words = [label.strip().casefold() for label in lifecycle.labels]
        per_label = np.asarray(
            [1 if w in _START_WORDS else 0 if w in _COMPLETE_WORDS else 2 for w in words] or [0],
            dtype=np.int64,
        )
        kind = np.where(lifecycle.codes >= 0, per_label[np.maximum(lifecycle.codes, 0)], 0)
    dropped = int((kind == 2).sum())
    completes = np.flatnonzero(kind == 0)
    starts = np.flatnonzero(kind == 1)
    begin = foreign.start[completes].copy()
    end = foreign.at[completes].copy()
    rows = completes
    if starts.size:
        begin, open_rows = _pair(foreign, completes, starts, begin)
        rows = np.concatenate([completes, open_rows])
        begin = np.concatenate([begin, foreign.at[open_rows]])
        end = np.concatenate([end, np.full(open_rows.size, NAT, dtype=np.int64)])
    case = foreign.case[rows]
    key = np.where(end != NAT, end, begin)
    sort_keys = (rows, np.where(begin != NAT, begin, key), key, case)
    if not _lex_sorted(sort_keys[::-1]):  # usually they come sorted (one trace per case)
        order = np.lexsort(sort_keys)
        rows, case, begin, end = rows[order], case[order], begin[order], end[order]
    return _Instances(
        row=rows,
        case=case,
        activity=foreign.activity.codes[rows],
        begin=begin,
        end=end,
        resource=_column(foreign.field("resource"), n)[rows],
        group=_column(foreign.field("group"), n)[rows],
        location=_column(foreign.field("location"), n)[rows],
        dropped=dropped,
        has_starts=bool(starts.size) or bool((foreign.start != NAT).any()),
    )


def _lex_sorted(keys: tuple[I64, ...]) -> bool:
    """Whether rows are already in the order ``np.lexsort(keys[::-1])`` gives (``keys``
    from the most significant), so that sort can be skipped."""
    undecided = np.ones(max(len(keys[0]) - 1, 0), dtype=bool)
    for key in keys:
        if (undecided & (key[:-1] > key[1:])).any():
            return False
        undecided &= key[:-1] == key[1:]
    return True


def _pair(foreign: ForeignLog, completes: I64, starts: I64, begin: I64) -> tuple[I64, I64]:
    """Start times for ``completes`` from their start events, and the starts left open.

    Paired by (case, activity, instance) when the log has instances, else the n-th start
    of (case, activity) with its n-th complete, both in time order."""
    instance = foreign.field("instance")
    waiting: dict[tuple[int, int, int], list[int]] = {}
    order = starts[np.lexsort((starts, foreign.at[starts]))]
    inst = _column(instance, len(foreign))
    for row in order.tolist():
        key = (int(foreign.case[row]), int(foreign.activity.codes[row]), int(inst[row]))
        waiting.setdefault(key, []).append(row)
    begin = begin.copy()
    for position in np.lexsort((completes, foreign.at[completes])).tolist():
        row = int(completes[position])
        key = (int(foreign.case[row]), int(foreign.activity.codes[row]), int(inst[row]))
        queue = waiting.get(key)
        if queue:
            begin[position] = foreign.at[queue.pop(0)]
    left = sorted(row for queue in waiting.values() for row in queue)
    return begin, np.asarray(left, dtype=np.int64)


def _recode(codes: I64, coded: Coded | None, vocabulary: Vocabulary) -> I64:
    if coded is None:
        return np.full(len(codes), -1, dtype=np.int64)
    mapped = np.asarray([vocabulary.code(label) for label in coded.labels] or [0], np.int64)
    return np.where(codes >= 0, mapped[np.maximum(codes, 0)], -1)


# ------------------------------------------------------------------------------ rules


class _Rules:
    """What the pathway says about each step code: visit, outcome, work class, calendar."""

    def __init__(self, pathway: Pathway | None, steps: list[str], roles: list[str]) -> None:
        self.pathway = pathway
        declared = [pathway.steps.get(s) if pathway else None for s in steps]
        self.visit = np.asarray([bool(d and d.visit) for d in declared] or [False])
        self.outcome = np.asarray([bool(d and d.outcome) for d in declared] or [False])
        self.work = [d.work if d else "value" for d in declared]
        self.calendars: list[Calendar | None] = [self._calendar(d) for d in declared]
        self.same_visit = int((pathway.same_visit_within if pathway else 60.0) * _MINUTE)
        self.roles = roles

    def _calendar(self, step: Any) -> Calendar | None:
        if step is None or self.pathway is None:
            return None
        name = step.calendar
        if name is None and step.role is not None and step.role in self.pathway.roles:
            name = self.pathway.roles[step.role].calendar
        calendar = self.pathway.calendars.get(name) if name else None
        return None if calendar is None or calendar.always_open else calendar


def shut_ns(calendar: Calendar, start: int, end: int) -> int:
    """Nanoseconds in [start, end) during which ``calendar`` was shut."""
    moment = _moment(start)
    stop = _moment(end)
    shut = 0
    for _ in range(10_000):  # a wait of years still ends: windows are at least minutes
        if moment >= stop:
            break
        if calendar.is_open(moment):
            moment = calendar.window_end(moment)
        else:
            opens = min(calendar.next_open(moment), stop)
            shut += nanoseconds(opens) - nanoseconds(moment)
            moment = opens
    return shut


def _moment(ns: int) -> datetime:
    return datetime.fromtimestamp(ns / 1e9, tz=UTC)


# ------------------------------------------------------------------------------ events


@attrs.frozen(eq=False)
class _Events:
    case_order: I64
    case: I64
    at: I64
    kind: I8
    started: I64
    attendance: I32
    codes: dict[str, I32]
    open_cases: int
    finished: B


class _Out:
    """Event columns, appended in blocks (numpy arrays) and joined once."""

    def __init__(self) -> None:
        self.parts: list[dict[str, Any]] = []

    def add(self, order: I64, sub: int, kind: str, case: I64, at: I64, **fields: Any) -> None:
        self.parts.append(
            {"order": order, "sub": sub, "kind": kind_code(kind), "case": case, "at": at, **fields}
        )

    def in_case_order(self, case: I64, n_cases: int) -> I64:
        """Put the cases in the log's order before :meth:`build`, and return the old code
        of each new case.

        ``case`` is the case of each instance (instances grouped by case). Cases are
        renumbered as :func:`~pathway._journal._eventlog.sorted_log` numbers them (by
        first event, ties by code) and each case's instances moved, whole, to its new
        place, so the built rows come already sorted by case and ``sorted_log`` need
        not move them (when each case's events are in time order, as they usually are;
        it sorts them otherwise, with the same result)."""
        first = np.full(n_cases, np.iinfo(np.int64).max, dtype=np.int64)
        for part in self.parts:
            np.minimum.at(first, part["case"], part["at"])
        by_first: I64 = np.lexsort((np.arange(n_cases), first))
        renumber = np.empty(n_cases, dtype=np.int32)
        renumber[by_first] = np.arange(n_cases)
        counts = np.bincount(case, minlength=n_cases)
        moved = counts[by_first]
        new_start = np.empty(n_cases, dtype=np.int64)
        new_start[by_first] = np.cumsum(moved) - moved
        shift = new_start - (np.cumsum(counts) - counts)
        rank = np.arange(len(case), dtype=np.int64) + shift[case]
        for part in self.parts:
            part["order"] = rank[part["order"]]
            part["case"] = renumber[part["case"]]
        return by_first

    def build(self) -> dict[str, Any]:
        """The columns in event order (by instance, then ``sub``): ``kind`` as int8,
        text codes and ``attendance`` as int32, ``case`` and times as int64. Each block's
        rows are written straight to their places (see :func:`_places`): no joined copy
        and no sort."""
        parts = self.parts
        total = sum(len(p["at"]) for p in parts)
        places = _places([p["order"] for p in parts], [p["sub"] for p in parts])
        names = list(dict.fromkeys(k for p in parts for k in p if k not in {"order", "sub"}))
        joined: dict[str, Any] = {}
        for name in names:
            dtype = _DTYPES.get(name, np.int32)
            fill = NAT if name == "started" else -1
            if all(name in p for p in parts):
                column = np.empty(total, dtype=dtype)
            else:
                column = np.full(total, fill, dtype=dtype)
            for part, place in zip(parts, places, strict=True):
                if name in part:
                    column[place] = part.pop(name)
            joined[name] = column
        self.parts = []
        return joined


def _places(orders: list[I64], subs: list[int]) -> list[I64]:
    """Where each block's rows go when all rows are sorted by (instance ``order``, then
    ``sub``), ties in block order: what ``np.lexsort((sub, order))`` of the joined blocks
    gives, without a sort. Each block names an instance at most once."""
    size = 1 + max((int(o.max()) for o in orders if len(o)), default=-1)
    counts = np.zeros(size, dtype=np.int64)
    for order in orders:
        counts[order] += 1
    next_free = np.cumsum(counts) - counts
    places: list[I64] = [np.zeros(0, np.int64)] * len(orders)
    for i in sorted(range(len(orders)), key=lambda i: subs[i]):
        places[i] = next_free[orders[i]]
        next_free[orders[i]] += 1
    return places


#: Column types of a built event table (text codes are int32).
_DTYPES: dict[str, Any] = {
    "at": np.int64,
    "started": np.int64,
    "kind": np.int8,
    "case": np.int32,
}


def _emit(
    foreign: ForeignLog,
    table: _Instances,
    step: I64,
    worker: I64,
    role: I64,
    rules: _Rules,
    vocab: dict[str, Vocabulary],
) -> _Events:
    m = len(table.row)
    index = np.arange(m, dtype=np.int64)
    case = table.case
    first = np.ones(m, dtype=bool)
    first[1:] = case[1:] != case[:-1]
    last = np.ones(m, dtype=bool)
    last[:-1] = case[1:] != case[:-1]
    begin = np.where(table.begin != NAT, table.begin, table.end)
    end = table.end
    done = end != NAT
    prev = np.maximum(index - 1, 0)
    has_prev = ~first
    prev_end = np.where(has_prev, end[prev], NAT)
    # what the pathway says, per instance
    codes = np.maximum(step, 0)
    visit = (rules.visit[codes] & (step >= 0)) | (table.location >= 0)
    outcome_step = rules.outcome[codes] & (step >= 0)
    reached = last & done if rules.pathway is None else last & outcome_step
    out = _Out()
    out.add(
        index[first],
        0,
        "case_started",
        case[first],
        begin[first],
        step=step[first],
        facts=_facts(foreign, case[first], vocab["facts"]),
    )
    # moves: transitioned at the end of the step before
    moved = has_prev & (prev_end != NAT)
    triggers = _triggers(rules.pathway, vocab, step[prev], step)
    out.add(
        index[moved],
        1,
        "transitioned",
        case[moved],
        prev_end[moved],
        trigger=triggers[moved],
        source=step[prev][moved],
        target=step[moved],
        worker=worker[prev][moved],
        role=role[prev][moved],
    )
    _waits(out, table, index, moved, prev_end, begin, step, worker, role, visit, rules, vocab)
    attendance = _attendances(case, begin, end, table.location, visit, rules.same_visit)
    out.add(
        index[visit],
        4,
        "visit_attended",
        case[visit],
        begin[visit],
        step=step[visit],
        attendance=attendance[visit],
    )
    work_codes = np.asarray([vocab["work"].code(w) for w in rules.work] or [0], dtype=np.int64)
    completed = done & ~(reached & outcome_step)
    out.add(
        index[completed],
        5,
        "step_completed",
        case[completed],
        end[completed],
        step=step[completed],
        worker=worker[completed],
        role=role[completed],
        started=table.begin[completed],
        work=work_codes[codes][completed],
    )
    running = ~done
    out.add(
        index[running],
        5,
        "step_started",
        case[running],
        begin[running],
        step=step[running],
        worker=worker[running],
        role=role[running],
    )
    reached_at = begin[reached] if rules.pathway is not None else end[reached]
    out.add(index[reached], 6, "outcome_reached", case[reached], reached_at, step=step[reached])
    case_order = out.in_case_order(case, len(foreign.case_ids))
    built = out.build()
    finished = np.zeros(len(foreign.case_ids), dtype=bool)
    finished[case[reached]] = True
    return _Events(
        case_order=case_order,
        case=built["case"],
        at=built["at"],
        kind=built["kind"],
        started=built.get("started", np.full(len(built["at"]), NAT, np.int64)),
        attendance=built.get("attendance", np.full(len(built["at"]), -1, np.int32)),
        codes={k: v for k, v in built.items() if k not in _NOT_CODES},
        open_cases=int((~finished).sum()),
        finished=finished,
    )


_NOT_CODES = frozenset({"order", "sub", "kind", "case", "at", "started", "attendance"})


def _triggers(
    pathway: Pathway | None, vocab: dict[str, Vocabulary], source: I64, target: I64
) -> I64:
    """The declared trigger of each move (``undeclared`` when the pathway has none)."""
    labels = vocab["step"].labels
    declared: dict[tuple[str, str], str] = {}
    if pathway is not None:
        for transition in pathway.transitions:
            declared.setdefault((transition.source, transition.target), transition.trigger)
    width = max(len(labels), 1)
    keys = source * width + target
    unique, inverse = _unique(keys, width * width)
    codes = np.asarray(
        [
            vocab["trigger"].code(
                declared.get((labels[int(k) // width], labels[int(k) % width]), "undeclared")
                if pathway is not None
                else labels[int(k) % width]
            )
            for k in unique
        ]
        or [0],
        dtype=np.int64,
    )
    return codes[inverse] if len(keys) else np.zeros(0, dtype=np.int64)


def _unique(keys: I64, bound: int) -> tuple[I64, I64]:
    """``np.unique(keys, return_inverse=True)`` for keys in ``[0, bound)``: by a table
    of ``bound`` flags (no sort) when that is small beside the keys, else by sorting."""
    if len(keys) and bound <= 4 * len(keys) + 4096:
        seen = np.zeros(bound, dtype=bool)
        seen[keys] = True
        unique = np.flatnonzero(seen)
        rank = np.cumsum(seen, dtype=np.int64) - 1
        return unique.astype(np.int64), rank[keys]
    unique, inverse = np.unique(keys, return_inverse=True)
    return unique, inverse.reshape(-1)


def _waits(
    out: _Out,
    table: _Instances,
    index: I64,
    moved: B,
    prev_end: I64,
    begin: I64,
    step: I64,
    worker: I64,
    role: I64,
    visit: B,
    rules: _Rules,
    vocab: dict[str, Vocabulary],
) -> None:
    """Waited events between steps, with a cause only where the data show one."""
    waits = moved & (begin > prev_end)
    rows = np.flatnonzero(waits)
    if not rows.size:
        return
    start = prev_end[rows]
    stop = begin[rows]
    shut = np.zeros(rows.size, dtype=np.int64)
    calendars = rules.calendars
    if any(c is not None for c in calendars):
        for i, row in enumerate(rows.tolist()):
            calendar = calendars[int(step[row])] if step[row] >= 0 else None
            if calendar is not None:
                shut[i] = shut_ns(calendar, int(start[i]), int(stop[i]))
    cause = vocab["cause"]
    prev = rows - 1
    group_change = (role[rows] >= 0) & (role[prev] >= 0) & (role[rows] != role[prev])
    no_groups = (role[rows] < 0) | (role[prev] < 0)
    worker_change = (worker[rows] >= 0) & (worker[prev] >= 0) & (worker[rows] != worker[prev])
    handoff = group_change | (no_groups & worker_change)
    other = np.where(
        visit[rows],
        cause.code("visit_gap"),
        np.where(handoff, cause.code("handoff"), cause.code(UNATTRIBUTED)),
    )
    gated = shut > 0
    out.add(
        index[rows][gated],
        2,
        "waited",
        table.case[rows][gated],
        (start + shut)[gated],
        step=step[rows][gated],
        started=start[gated],
        cause=np.full(int(gated.sum()), cause.code("calendar")),
    )
    rest = stop > start + shut
    out.add(
        index[rows][rest],
        3,
        "waited",
        table.case[rows][rest],
        stop[rest],
        step=step[rows][rest],
        started=(start + shut)[rest],
        cause=other[rest],
    )


def _attendances(case: I64, begin: I64, end: I64, location: I64, visit: B, same: int) -> I64:
    """The attendance count of each visit (a new one unless it follows the case's last
    visit at the same place within ``same`` nanoseconds)."""
    count = np.full(len(case), -1, dtype=np.int64)
    last_case, last_end, last_place, n = -1, NAT, -2, 0
    for i in np.flatnonzero(visit).tolist():
        if case[i] != last_case:
            last_case, last_end, last_place, n = int(case[i]), NAT, -2, 0
        gap_ok = last_end != NAT and begin[i] - last_end <= same
        if not (gap_ok and int(location[i]) == last_place):
            n += 1
        count[i] = n
        last_end = int(end[i]) if end[i] != NAT else int(begin[i])
        last_place = int(location[i])
    return count


def _facts(foreign: ForeignLog, cases: I64, vocabulary: Vocabulary) -> I64:
    """The JSON facts code of each case (what the log says about it, numbers as numbers)."""
    empty = vocabulary.code("{}")
    if not foreign.case_attributes:
        return np.full(len(cases), empty, dtype=np.int64)
    codes = np.full(len(cases), -1, dtype=np.int64)
    for i, case in enumerate(cases.tolist()):
        given = foreign.case_attributes.get(foreign.case_ids[case])
        if not given:
            codes[i] = empty
            continue
        facts = {str(k): _fact_value(v) for k, v in given.items()}
        codes[i] = vocabulary.code(json.dumps(facts, sort_keys=True, separators=(",", ":")))
    return codes


def _fact_value(value: Any) -> Any:
    if isinstance(value, bool | int | float) or value is None:
        return value
    text = str(value).strip()
    if text.casefold() in {"true", "false"}:
        return text.casefold() == "true"
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            continue
    return str(value)


# ------------------------------------------------------------------------------ notes


def _summarise(
    foreign: ForeignLog,
    pathway: Pathway | None,
    log: EventLog,
    step_of: list[str],
    table: _Instances,
    events: _Events,
) -> Interpretation:
    counts = np.bincount(
        foreign.activity.codes[foreign.activity.codes >= 0], minlength=len(step_of)
    )
    unmapped: dict[str, int] = {}
    if pathway is not None:
        unmapped = {
            activity: int(counts[i])
            for i, activity in enumerate(foreign.activity.labels)
            if step_of[i] not in pathway.steps
        }
    undeclared: dict[str, int] = {}
    group = foreign.field("group")
    if pathway is not None and group is not None:
        per = np.bincount(group.codes[group.codes >= 0], minlength=len(group.labels))
        undeclared = {
            label: int(per[i]) for i, label in enumerate(group.labels) if label not in pathway.roles
        }
    notes = list(foreign.notes)
    if not table.has_starts:
        notes.append(
            "touch time unknown: the log records when steps completed, not when they "
            "started; the time between two completions is counted as waiting"
        )
    if table.dropped:
        notes.append(
            f"{table.dropped} lifecycle events other than start and complete were left out"
        )
    if unmapped:
        shown = ", ".join(f"{a!r} ({n})" for a, n in sorted(unmapped.items(), key=lambda x: -x[1]))
        notes.append(f"activities that match no declared step, kept as undeclared steps: {shown}")
    if undeclared:
        shown = ", ".join(f"{g!r} ({n})" for g, n in sorted(undeclared.items()))
        notes.append(f"groups the pathway does not declare as roles, kept as they are: {shown}")
    if pathway is not None and events.open_cases:
        notes.append(
            f"{events.open_cases} of {len(foreign.case_ids)} cases did not end at an outcome "
            "step and are counted as open"
        )
    if pathway is None:
        notes.append("without a pathway, each case's last step is taken as its outcome")
    return Interpretation(
        log=log,
        source=foreign.source,
        steps=dict(zip(foreign.activity.labels, step_of, strict=True)),
        unmapped=unmapped,
        undeclared_roles=undeclared,
        touch_known=table.has_starts,
        open_cases=events.open_cases,
        notes=tuple(notes),
    )
