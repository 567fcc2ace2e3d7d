"""Where the delay comes from: waits and work by step and by transition, and the ranked
contributors to fragmentation delay.

A wait belongs to the transition that started it: the last ``transitioned`` event of the
same case before the ``waited`` event (the case moved from ``source`` to ``target`` and
waited for ``target`` to start). A wait with no transition before it (a gate in front of
the first step) belongs to the pseudo-transition ``(start) -> step``. A step's touch time
belongs to the step, and also to the transition that led to it (the "touch" of a
transition is the work it leads to). All of this is computed with a forward fill of row
indices and ``bincount``: no Python loop over events.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pathway._analysis._cases import STEP_COMPLETED, TRANSITIONED, WAITED, minutes_between
from pathway._analysis._stats import grouped_summary, sum_by
from pathway._journal._eventlog import EventLog
from pathway._vocab import FRAGMENTATION_CAUSES

__all__ = [
    "Attribution",
    "Contributor",
    "DelayRow",
    "DelayRows",
    "attribute",
    "attribute_rows",
    "delay_rows",
]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]
#: Integer columns of any width (32-bit where a log hands them over, 64 once combined).
Codes = npt.NDArray[np.signedinteger[Any]]
START = "(start)"


@attrs.frozen
class DelayRow:
    """One step or transition: how often, how long the wait before it and the work in it
    (minutes: count, mean, median, 90th percentile), and delay minutes by cause."""

    key: str
    source: str | None
    target: str
    count: int
    wait_mean: float
    wait_median: float
    wait_p90: float
    touch_mean: float
    touch_median: float
    touch_p90: float
    delay_by_cause: dict[str, float]
    waste_minutes: float = 0.0

    @property
    def delay(self) -> float:
        """Minutes waited here, every cause together."""
        return sum(self.delay_by_cause.values())

    @property
    def fragmentation(self) -> float:
        """Minutes of fragmentation delay here: fragmentation-cause waits + waste work."""
        waits = sum(self.delay_by_cause.get(cause, 0.0) for cause in FRAGMENTATION_CAUSES)
        return waits + self.waste_minutes


@attrs.frozen
class Contributor:
    """A transition (its fragmentation waits) or step (its waste work) and how much
    fragmentation delay it adds, in total minutes and by cause (``waste work`` for a
    step's waste)."""

    kind: str
    key: str
    minutes: float
    by_cause: dict[str, float]


@attrs.frozen
class Attribution:
    """Per-step and per-transition delay tables and the ranked contributors."""

    steps: tuple[DelayRow, ...]
    transitions: tuple[DelayRow, ...]
    contributors: tuple[Contributor, ...]
    total_delay: float
    total_fragmentation: float


def _last_transition(log: EventLog) -> I64:
    """For every row: the row of the case's latest ``transitioned`` event at or before it
    (-1 when there is none)."""
    last = np.full(len(log), -1, dtype=np.int64)
    moves = log.rows_of(TRANSITIONED)
    last[moves] = moves
    np.maximum.accumulate(last, out=last)
    starts, _ends = log.case_bounds()
    return np.where(last >= starts[log.case], last, -1)


@attrs.frozen(eq=False)
class DelayRows:
    """The rows attribution works on, for every case of a log, in log (row) order: each
    move (``transitioned``) with its case, (source, target) step codes and the minutes
    waited and worked after it; each wait with its case, minutes, step, cause and the
    move it followed (-1: none); each completed step with its case, minutes, step and
    work class. Cases are indices into the log's cases; steps and causes are codes into
    ``steps`` and ``causes``; codes, cases and moves are 32-bit. Rows of many logs
    holding whole cases combine exactly:
    put them in the combined log's row order (see :mod:`pathway._analysis._partial`)."""

    steps: tuple[str, ...]
    causes: tuple[str, ...]
    move_case: Codes
    move_source: Codes
    move_target: Codes
    move_wait: F64
    move_touch: F64
    wait_case: Codes
    wait_minutes: F64
    wait_step: Codes
    wait_cause: Codes
    wait_move: Codes
    done_case: Codes
    done_minutes: F64
    done_step: Codes
    done_work: Codes


def delay_rows(log: EventLog) -> DelayRows:
    """The moves, waits and completed steps of every case of ``log`` (see
    :class:`DelayRows`)."""
    last = _last_transition(log)
    moves = log.rows_of(TRANSITIONED)
    position = np.full(len(log), -1, dtype=np.int32)
    position[moves] = np.arange(moves.size)
    waits = _Rows(log, log.rows_of(WAITED), last, position)
    done = _Rows(log, log.rows_of(STEP_COMPLETED), last, position)
    return DelayRows(
        steps=log.labels("step"),
        causes=log.labels("cause"),
        move_case=log.case[moves],
        move_source=log.codes["source"][moves],
        move_target=log.codes["target"][moves],
        move_wait=waits.per_move(moves.size),
        move_touch=done.per_move(moves.size),
        wait_case=log.case[waits.rows],
        wait_minutes=waits.minutes,
        wait_step=waits.step,
        wait_cause=log.codes["cause"][waits.rows],
        wait_move=waits.move,
        done_case=log.case[done.rows],
        done_minutes=done.minutes,
        done_step=done.step,
        done_work=log.codes["work"][done.rows],
    )


def attribute(log: EventLog, cases: B) -> Attribution:
    """Attribute the waits and work of the cases selected by ``cases`` (a mask over case
    indices) to steps and transitions."""
    return attribute_rows(delay_rows(log), cases)


def attribute_rows(found: DelayRows, cases: B) -> Attribution:
    """Attribute the waits and work in ``found`` of the cases selected by ``cases`` (a
    mask over the case indices ``found`` uses) to steps and transitions."""
    steps, causes = found.steps, found.causes
    everyone = bool(cases.all())

    def pick(values: Any, mask: B) -> Any:
        """The values of the cases in scope (all of them: no copy)."""
        return values if everyone else values[mask]

    in_moves = cases[found.move_case]
    in_waits = cases[found.wait_case]
    in_done = cases[found.done_case]
    pair, pairs = _pairs(
        pick(found.move_source, in_moves), pick(found.move_target, in_moves), len(steps)
    )
    wait_minutes = pick(found.wait_minutes, in_waits)
    wait_step = pick(found.wait_step, in_waits)
    wait_move = _renumbered(found.wait_move, in_moves, in_waits, everyone)
    wait_linked = wait_move >= 0
    done_minutes = pick(found.done_minutes, in_done)
    done_step = pick(found.done_step, in_done)
    cause = pick(found.wait_cause, in_waits)
    move_wait = pick(found.move_wait, in_moves)
    move_touch = pick(found.move_touch, in_moves)
    n_pairs, n_steps = len(pairs), len(steps)
    unlinked = ~wait_linked
    # each summary's temporaries go before the next is made: logs can be large
    waits = np.concatenate([move_wait, wait_minutes[unlinked]])
    transition_wait = grouped_summary(
        waits, np.concatenate([pair, n_pairs + wait_step[unlinked]]), n_pairs + n_steps
    )
    target = np.asarray([t for _s, t in pairs], dtype=np.int32)[pair] if n_pairs else pair
    step_wait = grouped_summary(waits, np.concatenate([target, wait_step[unlinked]]), n_steps)
    del waits, target, unlinked
    wait_group = n_pairs + wait_step
    wait_group[wait_linked] = pair[wait_move[wait_linked]]
    transitions = _rows(
        labels=[(steps[s], steps[t]) for s, t in pairs] + [(START, s) for s in steps],
        wait=transition_wait,
        touch=grouped_summary(move_touch, pair, n_pairs + n_steps),
        count=transition_wait[0],
        by_cause=_cause_table(wait_group, cause, wait_minutes, n_pairs + n_steps, causes),
        waste=np.zeros(n_pairs + n_steps),
        causes=causes,
    )
    del wait_group
    touch = grouped_summary(done_minutes, done_step, n_steps)
    step_causes = _cause_table(wait_step, cause, wait_minutes, n_steps, causes)
    waste = np.where(pick(found.done_work, in_done) > 0, done_minutes, 0.0)
    by_step = _rows(
        labels=[(None, s) for s in steps],
        wait=step_wait,
        touch=touch,
        count=touch[0],
        by_cause=step_causes,
        waste=sum_by(done_step, waste, n_steps),
        causes=causes,
    )
    return _finish(by_step, transitions, float(wait_minutes.sum()))


class _Rows:
    """Some rows of the log (waits or completed steps) with their minutes, step code and
    the position of the move that led to them (-1: none)."""

    def __init__(self, log: EventLog, rows: I64, last: I64, position: Codes) -> None:
        self.rows = rows
        self.minutes = minutes_between(log.started[rows], log.at[rows])
        self.step = np.maximum(log.codes["step"][rows], 0)
        before = last[rows]
        self.move = np.where(before >= 0, position[np.maximum(before, 0)], -1).astype(np.int32)
        self.linked = self.move >= 0

    def per_move(self, moves: int) -> F64:
        """Minutes summed per move (0 for a move with none)."""
        return sum_by(self.move[self.linked], self.minutes[self.linked], moves)


def _renumbered(move: I64, in_moves: B, in_waits: B, everyone: bool) -> I64:
    """The move each wait in scope followed, as its position among the moves in scope
    (-1: none); with every case in scope, the positions are the same."""
    if everyone:
        return move
    # a kept move's position among the kept moves; the extra last entry serves move -1
    renumber = np.append(np.cumsum(in_moves) - 1, -1)
    result: I64 = renumber[move[in_waits]]
    return result


def _pairs(source: I64, target: I64, n_steps: int) -> tuple[I64, list[tuple[int, int]]]:
    """Each move's (source, target) pair index, and the pairs (as step codes)."""
    width = n_steps + 1
    # a table over every possible pair (steps are few) instead of sorting the moves
    key = (source.astype(np.int64) + 1) * width + (target + 1)
    seen = np.bincount(key, minlength=width * width) > 0
    keys = np.flatnonzero(seen)
    code = np.cumsum(seen) - 1
    pairs = [(int(k // width) - 1, int(k % width) - 1) for k in keys]
    return code[key], pairs


def _cause_table(group: I64, cause: I64, wait: F64, groups: int, causes: tuple[str, ...]) -> F64:
    width = max(len(causes), 1)
    keep = cause >= 0
    if keep.all():  # the usual case: every wait has a cause, and nothing is copied
        table = sum_by(group.astype(np.int64) * width + cause, wait, groups * width)
    else:
        table = sum_by(
            group[keep].astype(np.int64) * width + cause[keep], wait[keep], groups * width
        )
    return table.reshape(groups, width)[:, : len(causes)]


Summaries = tuple[I64, F64, F64, F64]


def _rows(
    *,
    labels: Sequence[tuple[str | None, str]],
    wait: Summaries,
    touch: Summaries,
    count: I64,
    by_cause: F64,
    waste: F64,
    causes: tuple[str, ...],
) -> list[DelayRow]:
    rows = []
    for index, (source, target) in enumerate(labels):
        delay = {cause: float(by_cause[index, c]) for c, cause in enumerate(causes)}
        if int(count[index]) == 0 and not any(delay.values()):
            continue
        rows.append(
            DelayRow(
                key=target if source is None else f"{source} → {target}",
                source=source,
                target=target,
                count=int(count[index]),
                wait_mean=_value(wait[1][index]),
                wait_median=_value(wait[2][index]),
                wait_p90=_value(wait[3][index]),
                touch_mean=_value(touch[1][index]),
                touch_median=_value(touch[2][index]),
                touch_p90=_value(touch[3][index]),
                delay_by_cause={k: v for k, v in delay.items() if v},
                waste_minutes=float(waste[index]),
            )
        )
    return rows


def _value(number: float) -> float:
    return 0.0 if np.isnan(number) else float(number)


def _finish(steps: list[DelayRow], transitions: list[DelayRow], total: float) -> Attribution:
    contributors = [
        Contributor(
            "transition",
            row.key,
            row.fragmentation,
            {c: row.delay_by_cause[c] for c in FRAGMENTATION_CAUSES if c in row.delay_by_cause},
        )
        for row in transitions
        if row.fragmentation > 0
    ]
    contributors += [
        Contributor("step", row.key, row.waste_minutes, {"waste work": row.waste_minutes})
        for row in steps
        if row.waste_minutes > 0
    ]
    contributors.sort(key=lambda c: (-c.minutes, c.kind, c.key))
    steps.sort(key=lambda r: (-r.delay, r.key))
    transitions.sort(key=lambda r: (-r.delay, r.key))
    return Attribution(
        steps=tuple(steps),
        transitions=tuple(transitions),
        contributors=tuple(contributors),
        total_delay=total,
        total_fragmentation=sum(c.minutes for c in contributors),
    )
