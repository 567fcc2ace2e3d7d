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

from collections.abc import Sequence
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
from pathway._analysis._summaries import appointment_counts
from pathway._journal._eventlog import NAT, EventLog
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
    )


@attrs.frozen(eq=False)
class Combined:
    """Every part together, as the whole log's analysis would see it.

    ``table`` holds every case in the whole log's case order; ``rows`` the moves, waits
    and completed steps in the whole log's row order (cases as indices into ``table``);
    ``steps`` names ``table.outcome``'s codes; ``table.start`` and ``table.end`` count
    from each case's part's origin (0 unless parts were given origins), while
    ``first_at`` and ``last_at`` are nanoseconds since the epoch (any size); ``where`` says, per case, its part and its
    index within the part (to draw one case's journey from its part).
    """

    table: CaseTable
    rows: DelayRows
    steps: tuple[str, ...]
    where: tuple[I64, I64]
    events: int
    first_at: int | None
    last_at: int | None
    failure_events: int
    appointments: dict[str, dict[str, int]]
    touch_known: bool
    has_handoffs: bool
    repeated_finished: dict[str, tuple[int, int]] | None
    repeated_all: dict[str, tuple[int, int]] | None


def _union(lists: Sequence[Sequence[str]]) -> tuple[str, ...]:
    """Every label of ``lists``, in order of first appearance."""
    return tuple(dict.fromkeys(label for labels in lists for label in labels))


def _recode(labels: Sequence[str], into: Sequence[str]) -> I64:
    """A mapping of codes into ``labels`` to codes into ``into``; index -1 maps to -1."""
    position = {label: i for i, label in enumerate(into)}
    return np.asarray([position[label] for label in labels] + [-1], dtype=np.int64)


def _order(parts: Sequence[Part]) -> tuple[I64, I64, I64]:
    """The whole log's case order over the concatenated parts' cases, the part of each
    concatenated case, and each case's index within its part."""
    start = np.concatenate([p.table.start for p in parts]) if parts else np.zeros(0, np.int64)
    origins = sorted({p.origin for p in parts})
    placed = np.repeat(
        np.asarray([origins.index(p.origin) for p in parts], dtype=np.int64),
        [len(p.table) for p in parts],
    )
    first = np.concatenate([p.first_rows for p in parts]) if parts else np.zeros(0, np.int64)
    sizes = [len(p.table) for p in parts]
    part = np.repeat(np.arange(len(parts), dtype=np.int64), sizes)
    local = np.arange(len(start), dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    order = np.lexsort((first, start, placed)).astype(np.int64)
    return order, part, local


def _table(parts: Sequence[Part], order: I64, steps: tuple[str, ...]) -> CaseTable:
    """The parts' case tables as one, in ``order``, step and cause codes made common."""
    causes = _union([p.table.causes for p in parts])
    # a log whose parts disagree on hand-offs: the whole has handoff events, so cases of
    # a part without any have none (the whole log would not derive them)
    handoffs = any(p.has_handoffs for p in parts)

    def stack(name: str) -> Any:
        return np.concatenate([getattr(p.table, name) for p in parts])[order]

    def waits(part: Part) -> Any:
        table = np.zeros((len(part.table), len(causes)))
        for index, cause in enumerate(part.table.causes):
            table[:, causes.index(cause)] = part.table.waits[:, index]
        return table

    def handoff_rows(part: Part) -> Any:
        if handoffs and not part.has_handoffs:
            return np.zeros_like(part.table.handoffs)
        return part.table.handoffs

    outcome = np.concatenate(
        [_recode(p.rows.steps, steps)[p.table.outcome] for p in parts]
    ).astype(np.int64)
    repeated = None
    if all(p.table.repeated is not None for p in parts):
        repeated = stack("repeated")
    ids = [case_id for p in parts for case_id in p.table.case_ids]
    return CaseTable(
        case_ids=tuple(ids[i] for i in order),
        start=stack("start"),
        end=stack("end"),
        finished=stack("finished"),
        outcome=outcome[order],
        touch=stack("touch"),
        work=stack("work"),
        work_steps=stack("work_steps"),
        waits=np.concatenate([waits(p) for p in parts])[order].reshape(-1, len(causes)),
        causes=causes,
        visits=stack("visits"),
        dnas=stack("dnas"),
        handoffs=np.concatenate([handoff_rows(p) for p in parts])[order],
        failure=stack("failure"),
        decisions=stack("decisions"),
        repeated=repeated,
    )


def _rows(parts: Sequence[Part], rank: I64, steps: tuple[str, ...], causes: tuple[str, ...]) -> DelayRows:
    """The parts' rows as one, in the whole log's row order: by case rank (``rank`` of
    each concatenated case), each case's rows in their own order (a stable sort)."""
    offsets = np.cumsum([0] + [len(p.table) for p in parts])

    def gather(kind: str) -> tuple[I64, dict[str, Any]]:
        cases = np.concatenate(
            [getattr(p.rows, f"{kind}_case") + offsets[i] for i, p in enumerate(parts)]
        )
        by = rank[cases] if cases.size else cases
        order = np.argsort(by, kind="stable")
        values: dict[str, Any] = {"case": by[order]}
        for field in attrs.fields(DelayRows):
            if field.name.startswith(f"{kind}_") and field.name != f"{kind}_case":
                short = field.name[len(kind) + 1 :]
                values[short] = np.concatenate([_common(p, field.name, steps, causes, move_offsets, i) for i, p in enumerate(parts)])[order]
        return order, values

    move_offsets = np.cumsum([0] + [len(p.rows.move_case) for p in parts])
    move_order, moves = gather("move")
    # the move each wait followed, renumbered to the moves' new positions
    new_position = np.empty_like(move_order)
    new_position[move_order] = np.arange(move_order.size)
    _wait_order, waits = gather("wait")
    linked = waits["move"] >= 0
    waits["move"] = np.where(linked, new_position[np.maximum(waits["move"], 0)] if new_position.size else -1, -1)
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


def _common(
    part: Part, name: str, steps: tuple[str, ...], causes: tuple[str, ...], move_offsets: I64, index: int
) -> Any:
    """Field ``name`` of a part's rows with codes made common (steps, causes, moves)."""
    values = getattr(part.rows, name)
    if name in _STEP_FIELDS:
        return _recode(part.rows.steps, steps)[values]
    if name == "wait_cause":
        return _recode(part.rows.causes, causes)[values]
    if name == "wait_move":
        return np.where(values >= 0, values + move_offsets[index], -1)
    return values


def _sum_counts(maps: Sequence[dict[str, dict[str, int]]]) -> dict[str, dict[str, int]]:
    """Appointment counts added up; labels in order of first appearance, ``unknown`` last."""
    result: dict[str, dict[str, int]] = {}
    for name in ("attended", "missed"):
        labels = _union([[k for k in m[name] if k != "unknown"] for m in maps]) + ("unknown",)
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


def combine(parts: Sequence[Part]) -> Combined:
    """Every part's contribution as one (see the module docstring).

    Raises ``ValueError`` when a case appears in two parts (the parts must hold whole
    cases: split a log by case id).
    """
    order, part, local = _order(parts)
    steps = _union([p.rows.steps for p in parts])
    causes = _union([p.table.causes for p in parts])
    table = _table(parts, order, steps)
    if len(set(table.case_ids)) != len(table.case_ids):
        seen: set[str] = set()
        twice = next(c for c in table.case_ids if c in seen or seen.add(c))  # type: ignore[func-returns-value]
        raise ValueError(
            f"case {twice!r} has events in two parts; split the log by case id so that "
            "each part holds whole cases"
        )
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    firsts = [p.origin + p.first_at for p in parts if p.first_at is not None]
    lasts = [p.origin + p.last_at for p in parts if p.last_at is not None]
    return Combined(
        table=table,
        rows=_rows(parts, rank, steps, causes),
        steps=steps,
        where=(part[order], local[order]),
        events=sum(p.events for p in parts),
        first_at=min(firsts) if firsts else None,
        last_at=max(lasts) if lasts else None,
        failure_events=sum(p.failure_events for p in parts),
        appointments=_sum_counts([p.appointments for p in parts]),
        touch_known=(
            not any(p.completed_steps for p in parts) or any(p.started_known for p in parts)
        ),
        has_handoffs=any(p.has_handoffs for p in parts),
        repeated_finished=_sum_items([p.repeated_finished for p in parts]),
        repeated_all=_sum_items([p.repeated_all for p in parts]),
    )
