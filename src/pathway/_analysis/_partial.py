"""The analysis of a log in parts: what each part (a set of whole cases) contributes, and
the exact combination of the parts.

Every per-case measure needs only that case's events, so a log split by case (each case's
events all in one part) can be measured part by part, in constant memory per part, on one
machine or many (:mod:`pathway._report._partitioned`). A :class:`Part` keeps what the
report needs from its events and no more: the part's case table (one row per case), its
moves, waits and completed steps as numbers (:class:`DelayRows`: per-transition medians
and percentiles need every value, and these are a few numbers per event, not an event),
and counts. :func:`combine` puts the cases of every part in the order the whole log would
give them (first event time, ties by first appearance: each part says where each of its
cases first appeared in the whole) and the rows in the whole log's row order, so every
sum, mean, median and percentile is computed from the same values in the same order as
the analysis of the whole log in memory: the numbers are equal, not merely close.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pathway._analysis._attribution import DelayRows, delay_rows
from pathway._analysis._cases import (
    FAILURE_DEMAND,
    HANDOFF,
    STEP_COMPLETED,
    CaseTable,
    case_table,
    repeated_items,
)
from pathway._analysis._observed import log_columns
from pathway._analysis._people import began_as
from pathway._analysis._rounds import CheckpointRounds, checkpoint_rounds, sum_rounds
from pathway._analysis._summaries import appointment_counts
from pathway._journal._eventlog import NAT, EventLog, stable_order
from pathway._model._pathway import Pathway

__all__ = ["Combined", "Part", "combine", "part_of"]

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]


@attrs.frozen(eq=False)
class Part:
    """What one part of a log (whole cases) contributes to the report.

    ``first_rows`` is, per case (in the part's case order), the position of the case's
    first event in the whole log; positions only need to be ordered like the whole log's
    rows (a file's number times a large constant plus the row in the file will do).
    ``origin`` (nanoseconds since the epoch, any size) is added to the part's times to
    place them: a part whose times count from its own first event (a simulated cohort
    running past 2262) has its origin there; its cases come after every case of a part
    with an earlier origin, so parts with origins must not overlap in time.
    """

    table: CaseTable
    first_rows: I64
    rows: DelayRows
    events: int
    first_at: int | None
    last_at: int | None
    failure_events: int
    appointments: dict[str, dict[str, int]]
    completed_steps: int
    started_known: bool
    has_handoffs: bool
    repeated_finished: dict[str, tuple[int, int]] | None
    repeated_all: dict[str, tuple[int, int]] | None
    origin: int = 0
    observed: dict[str, npt.NDArray[np.float64]] = attrs.field(factory=dict)
    persons: tuple[str, ...] = ()  # per case: the person its demand is from
    began: I64 | None = None  # per case: the failure demand it began as (-1 none)
    rounds: tuple[CheckpointRounds, ...] | None = None  # checkpoint rounds (with a pathway)


def part_of(
    log: EventLog, first_rows: I64, pathway: Pathway | None = None, *, origin: int = 0
) -> Part:
    """What ``log`` (a part of a bigger log, holding whole cases) contributes.

    ``first_rows`` gives, per case of ``log`` in its case order, where the case's first
    event stands in the whole log.
    """
    if len(first_rows) != log.n_cases:
        raise ValueError(f"first_rows has {len(first_rows)} entries for {log.n_cases} cases")
    table = case_table(log, pathway)
    completed = log.rows_of(STEP_COMPLETED)
    everyone = np.ones(log.n_cases, dtype=bool)
    return Part(
        table=table,
        first_rows=np.asarray(first_rows, dtype=np.int64),
        rows=delay_rows(log),
        events=len(log),
        first_at=int(log.at.min()) if len(log) else None,
        last_at=int(log.at.max()) if len(log) else None,
        failure_events=len(log.rows_of(FAILURE_DEMAND)),
        appointments=appointment_counts(log),
        completed_steps=int(completed.size),
        started_known=bool((log.started[completed] != NAT).any()),
        has_handoffs=bool(log.rows_of(HANDOFF).size),
        repeated_finished=(
            dict(repeated_items(log, pathway, table.finished)) if pathway is not None else None
        ),
        repeated_all=dict(repeated_items(log, pathway, everyone)) if pathway is not None else None,
        origin=origin,
        observed=log_columns(log, pathway),
        persons=_person_ids(log),
        began=began_as(log),
        rounds=checkpoint_rounds(log, pathway, origin=origin) if pathway is not None else None,
    )


def _person_ids(log: EventLog) -> tuple[str, ...]:
    index, ids = log.persons()
    return tuple(ids[i] for i in index.tolist())


@attrs.frozen(eq=False)
class Combined:
    """Every part together, as the whole log's analysis would see it.

    ``table`` holds every case in the whole log's case order; ``rows`` the moves, waits
    and completed steps in the whole log's row order (cases as indices into ``table``);
    ``steps`` names ``table.outcome``'s codes; ``table.start`` and ``table.end`` count
    from each case's part's origin (0 unless parts were given origins), while
    ``first_at`` and ``last_at`` are nanoseconds since the epoch (any size); ``where``
    says, per case, its part and its index within the part (to draw one case's journey
    from its part); ``start_at`` is each case's start in nanoseconds since the epoch,
    ``None`` when a start is past 2262 (what 64 bits hold).
    """

    table: CaseTable
    rows: DelayRows
    steps: tuple[str, ...]
    where: tuple[I64, I64]
    events: int
    first_at: int | None
    last_at: int | None
    start_at: I64 | None
    failure_events: int
    appointments: dict[str, dict[str, int]]
    touch_known: bool
    has_handoffs: bool
    repeated_finished: dict[str, tuple[int, int]] | None
    repeated_all: dict[str, tuple[int, int]] | None
    observed: dict[str, npt.NDArray[np.float64]] = attrs.field(factory=dict)
    persons: I64 | None = None  # per case: its person's index (None: not known)
    began: I64 | None = None  # per case: the failure demand it began as (-1 none)
    rounds: tuple[CheckpointRounds, ...] | None = None  # summed over the parts


def _union(lists: Sequence[Sequence[str]]) -> tuple[str, ...]:
    """Every label of ``lists``, in order of first appearance."""
    return tuple(dict.fromkeys(label for labels in lists for label in labels))


def _recode(labels: Sequence[str], into: Sequence[str]) -> I64:
    """A mapping of codes into ``labels`` to codes into ``into``; index -1 maps to -1."""
    position = {label: i for i, label in enumerate(into)}
    return np.asarray([position[label] for label in labels] + [-1], dtype=np.int32)


class _Fields:
    """Every part's arrays, by field, taken out of the parts so that each field's arrays
    can be let go as soon as the combined field is made (a combined log is never held
    twice); ``take`` hands a field's arrays over once."""

    def __init__(self, parts: Sequence[Part], release: Callable[[], None] | None) -> None:
        self.release = release
        self.sizes = [len(p.table) for p in parts]
        self.moves = [len(p.rows.move_case) for p in parts]
        self.steps = [p.rows.steps for p in parts]
        self.causes = [p.rows.causes for p in parts]
        self.table_causes = [p.table.causes for p in parts]
        self.origins = [p.origin for p in parts]
        self.has_handoffs = [p.has_handoffs for p in parts]
        self.case_ids = [p.table.case_ids for p in parts]
        self.first_rows = [p.first_rows for p in parts]
        self.arrays: dict[str, list[Any]] = {}
        for field in attrs.fields(CaseTable):
            if field.name not in {"case_ids", "causes"}:
                self.arrays[f"table.{field.name}"] = [getattr(p.table, field.name) for p in parts]
        for field in attrs.fields(DelayRows):
            if field.name not in {"steps", "causes"}:
                self.arrays[f"rows.{field.name}"] = [getattr(p.rows, field.name) for p in parts]

    def take(self, name: str) -> list[Any]:
        """The parts' arrays of field ``name`` (``table.x`` or ``rows.x``), handed over;
        the previous field's are gone by then, and ``release`` is called."""
        if self.release is not None:
            self.release()
        return self.arrays.pop(name)


def _order(fields: _Fields) -> tuple[I64, I64, I64, I64 | None]:
    """The whole log's case order over the concatenated parts' cases, the part of each
    concatenated case, each case's index within its part, and each case's start since
    the epoch in the whole order (``None`` past what 64 bits hold)."""
    sizes = fields.sizes
    start = np.concatenate(fields.arrays["table.start"]) if sizes else np.zeros(0, np.int64)
    origins = sorted(set(fields.origins))
    placed = np.repeat(
        np.asarray([origins.index(o) for o in fields.origins], dtype=np.int64), sizes
    )
    first = np.concatenate(fields.first_rows) if sizes else np.zeros(0, np.int64)
    part = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
    local = np.arange(len(start), dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    order = np.lexsort((first, start, placed)).astype(np.int64)
    return order, part, local, _start_at(start[order], placed[order], origins)


def _start_at(start: I64, placed: I64, origins: Sequence[int]) -> I64 | None:
    """``start`` (from each case's origin) plus the origin ``placed`` picks, since the
    epoch; ``None`` when a sum would not fit in 64 bits."""
    if start.size == 0:
        return np.zeros(0, dtype=np.int64)
    limit = int(np.iinfo(np.int64).max)
    if max(origins) + int(start.max()) >= limit or min(origins) + int(start.min()) < -limit:
        return None
    shifted: I64 = start + np.asarray(origins, dtype=np.int64)[placed]
    return shifted


def _table(fields: _Fields, order: I64, steps: tuple[str, ...]) -> CaseTable:
    """The parts' case tables as one, in ``order``, step and cause codes made common."""
    causes = _union(fields.table_causes)
    # a log whose parts disagree on hand-offs: the whole has handoff events, so cases of
    # a part without any have none (the whole log would not derive them)
    handoffs = any(fields.has_handoffs)

    def stack(name: str) -> Any:
        return np.concatenate(fields.take(f"table.{name}"))[order]

    def waits() -> Any:
        tables = []
        for part, table in enumerate(fields.take("table.waits")):
            wide = np.zeros((len(table), len(causes)))
            for index, cause in enumerate(fields.table_causes[part]):
                wide[:, causes.index(cause)] = table[:, index]
            tables.append(wide)
        return np.concatenate(tables)[order].reshape(-1, len(causes))

    def handoff_rows() -> Any:
        tables = fields.take("table.handoffs")
        return np.concatenate(
            [
                np.zeros_like(table) if handoffs and not fields.has_handoffs[part] else table
                for part, table in enumerate(tables)
            ]
        )[order]

    outcome = np.concatenate(
        [
            _recode(fields.steps[part], steps)[codes]
            for part, codes in enumerate(fields.take("table.outcome"))
        ]
    ).astype(np.int64)
    repeated_parts = fields.take("table.repeated")
    repeated = None
    if all(r is not None for r in repeated_parts):
        repeated = np.concatenate(repeated_parts)[order]
    ids = [case_id for part in fields.case_ids for case_id in part]
    return CaseTable(
        case_ids=tuple(ids[i] for i in order),
        start=stack("start"),
        end=stack("end"),
        finished=stack("finished"),
        outcome=outcome[order],
        touch=stack("touch"),
        work=stack("work"),
        work_steps=stack("work_steps"),
        waits=waits(),
        causes=causes,
        visits=stack("visits"),
        dnas=stack("dnas"),
        handoffs=handoff_rows(),
        failure=stack("failure"),
        decisions=stack("decisions"),
        repeated=repeated,
    )


def _rows(fields: _Fields, rank: I64, steps: tuple[str, ...], causes: tuple[str, ...]) -> DelayRows:
    """The parts' rows as one, in the whole log's row order: by case rank (``rank`` of
    each concatenated case), each case's rows in their own order (a stable sort)."""
    offsets = np.cumsum([0, *fields.sizes])
    move_offsets = np.cumsum([0, *fields.moves])

    def common(name: str) -> Any:
        """Field ``name``'s arrays concatenated, codes made common to every part."""
        arrays = fields.take(f"rows.{name}")
        if name in _STEP_FIELDS:
            arrays = [_recode(fields.steps[i], steps)[a] for i, a in enumerate(arrays)]
        elif name == "wait_cause":
            arrays = [_recode(fields.causes[i], causes)[a] for i, a in enumerate(arrays)]
        elif name == "wait_move":
            arrays = [np.where(a >= 0, a + move_offsets[i], -1) for i, a in enumerate(arrays)]
            return np.concatenate(arrays) if arrays else np.zeros(0, np.int64)
        elif name.endswith("_case"):
            arrays = [a.astype(np.int64) + offsets[i] for i, a in enumerate(arrays)]
        return np.concatenate(arrays) if arrays else np.zeros(0, np.int64)

    def gather(kind: str) -> tuple[I64, dict[str, Any]]:
        cases = common(f"{kind}_case")
        by = rank[cases] if cases.size else cases
        del cases
        order = stable_order(by)
        values: dict[str, Any] = {"case": by[order].astype(np.int32)}
        del by
        for field in attrs.fields(DelayRows):
            if field.name.startswith(f"{kind}_") and field.name != f"{kind}_case":
                values[field.name[len(kind) + 1 :]] = common(field.name)[order]
        return order, values

    move_order, moves = gather("move")
    # the move each wait followed, renumbered to the moves' new positions
    new_position = np.empty(move_order.size + 1, dtype=np.int64)
    new_position[move_order] = np.arange(move_order.size)
    new_position[-1] = -1  # the entry index -1 picks: no move
    del move_order
    _wait_order, waits = gather("wait")
    waits["move"] = new_position[waits["move"]].astype(np.int32)
    _done_order, done = gather("done")
    return DelayRows(
        steps=steps,
        causes=causes,
        move_case=moves["case"],
        move_source=moves["source"],
        move_target=moves["target"],
        move_wait=moves["wait"],
        move_touch=moves["touch"],
        wait_case=waits["case"],
        wait_minutes=waits["minutes"],
        wait_step=waits["step"],
        wait_cause=waits["cause"],
        wait_move=waits["move"],
        done_case=done["case"],
        done_minutes=done["minutes"],
        done_step=done["step"],
        done_work=done["work"],
    )


_STEP_FIELDS = frozenset({"move_source", "move_target", "wait_step", "done_step"})


def _sum_counts(maps: Sequence[dict[str, dict[str, int]]]) -> dict[str, dict[str, int]]:
    """Appointment counts added up; labels in order of first appearance, ``unknown`` last."""
    result: dict[str, dict[str, int]] = {}
    for name in ("attended", "missed"):
        labels = (*_union([[k for k in m[name] if k != "unknown"] for m in maps]), "unknown")
        result[name] = {k: sum(m[name].get(k, 0) for m in maps) for k in labels}
    return result


def _sum_items(
    maps: Sequence[dict[str, tuple[int, int]] | None],
) -> dict[str, tuple[int, int]] | None:
    if not maps or any(m is None for m in maps):
        return None
    found = [m for m in maps if m is not None]
    items = _union([list(m) for m in found])
    return {
        item: (
            sum(m.get(item, (0, 0))[0] for m in found),
            sum(m.get(item, (0, 0))[1] for m in found),
        )
        for item in items
    }


def combine(parts: list[Part], *, release: Callable[[], None] | None = None) -> Combined:
    """Every part's contribution as one (see the module docstring). The list is
    emptied: each part's arrays are let go as the combined ones are made, and
    ``release`` (when given) is called each time, e.g. to return freed memory to the
    system.

    Raises ``ValueError`` when a case appears in two parts (the parts must hold whole
    cases: split a log by case id).
    """
    fields = _Fields(parts, release)
    events = sum(p.events for p in parts)
    failure_events = sum(p.failure_events for p in parts)
    touch_known = not any(p.completed_steps for p in parts) or any(p.started_known for p in parts)
    has_handoffs = any(p.has_handoffs for p in parts)
    appointments = _sum_counts([p.appointments for p in parts])
    repeated_finished = _sum_items([p.repeated_finished for p in parts])
    repeated_all = _sum_items([p.repeated_all for p in parts])
    firsts = [p.origin + p.first_at for p in parts if p.first_at is not None]
    lasts = [p.origin + p.last_at for p in parts if p.last_at is not None]
    observed = {name: [p.observed[name] for p in parts] for name in _common_keys(parts)}
    labels = [label for p in parts for label in p.persons]
    known = len(labels) == sum(len(p.table) for p in parts)
    began = [p.began if p.began is not None else np.full(len(p.table), -1) for p in parts]
    rounds = sum_rounds([p.rounds for p in parts])
    parts.clear()
    order, part, local, start_at = _order(fields)
    steps = _union(fields.steps)
    causes = _union(fields.causes)
    table = _table(fields, order, steps)
    if len(set(table.case_ids)) != len(table.case_ids):
        seen: set[str] = set()
        twice = next(c for c in table.case_ids if c in seen or seen.add(c))  # type: ignore[func-returns-value]
        raise ValueError(
            f"case {twice!r} has events in two parts; split the log by case id so that "
            "each part holds whole cases"
        )
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return Combined(
        table=table,
        rows=_rows(fields, rank, steps, causes),
        steps=steps,
        where=(part[order], local[order]),
        first_at=min(firsts) if firsts else None,
        start_at=start_at,
        last_at=max(lasts) if lasts else None,
        events=events,
        failure_events=failure_events,
        appointments=appointments,
        touch_known=touch_known,
        has_handoffs=has_handoffs,
        repeated_finished=repeated_finished,
        repeated_all=repeated_all,
        observed={name: np.concatenate(arrays)[order] for name, arrays in observed.items()},
        persons=_person_index([labels[i] for i in order.tolist()]) if known else None,
        began=np.concatenate(began)[order] if began else np.zeros(0, dtype=np.int64),
        rounds=rounds,
    )


def _common_keys(parts: Sequence[Part]) -> list[str]:
    """The observed figures' columns every part has (all or none: one pathway)."""
    if not parts:
        return []
    return [name for name in parts[0].observed if all(name in p.observed for p in parts)]


def _person_index(labels: list[str]) -> I64:
    """Each case's person as an index (people numbered by their first case)."""
    people: dict[str, int] = {}
    return np.fromiter((people.setdefault(x, len(people)) for x in labels), np.int64, len(labels))
