"""Checkpoint rounds in a log: decisions, re-reviews within one round, lapsed reviews.

Numbers only (the report says them). For each checkpoint of the pathway: how many
decisions the log holds; how many of them came from a review begun in the same round as
the case's previous decision at that checkpoint (a *re-review in the same round*: the
rule ``rounds`` forbids it; a checkpoint without rounds counts re-reviews on the same
day, its round being the day); and how many reviews lapsed (a move back to the
checkpoint's step marked ``{"lapsed": true}``). A review's start is the start of the
step work its decision completes. Rounds are placed by :mod:`pathway._model._rounds`.
"""

from __future__ import annotations

import itertools
import json
from datetime import datetime

import attrs

from pathway._journal._eventlog import EventLog, kind_code, nanoseconds, timestamp
from pathway._model._pathway import Checkpoint, Pathway
from pathway._model._rounds import day_end, round_end

__all__ = ["CheckpointRounds", "checkpoint_rounds", "sum_rounds"]

_DECISION = kind_code("decision")
_COMPLETED = kind_code("step_completed")
_TRANSITIONED = kind_code("transitioned")


@attrs.frozen(slots=True)
class CheckpointRounds:
    """One checkpoint's rounds in a log (``rounds``: its calendar, None for a day)."""

    checkpoint: str
    rounds: str | None
    decisions: int
    same_round: int
    lapsed: int


def checkpoint_rounds(
    log: EventLog, pathway: Pathway, *, origin: int = 0
) -> tuple[CheckpointRounds, ...]:
    """Every checkpoint's decisions, re-reviews in the same round and lapsed reviews.

    ``origin`` (nanoseconds since the epoch, any size) is added to the log's times to
    place them in rounds: a part of a simulated cohort counts from its own origin
    (:func:`pathway._analysis._partial.part_of`).
    """
    starts = _review_starts(log)
    lapsed = _lapsed(log)
    found = []
    for cp in pathway.checkpoints.values():
        code = log.code("checkpoint", cp.id)
        reviews = _reviews(log, code, starts)
        found.append(
            CheckpointRounds(
                cp.id,
                cp.rounds,
                sum(len(times) for times in reviews.values()),
                sum(_same_round(pathway, cp, times, origin) for times in reviews.values()),
                lapsed.get(cp.id, 0),
            )
        )
    return tuple(found)


def _review_starts(log: EventLog) -> dict[tuple[int, int, int], int]:
    """(case, time, step) of each completed step -> when its work began."""
    rows = log.rows_of(_COMPLETED)
    step = log.column("step")
    return {(int(log.case[r]), int(log.at[r]), int(step[r])): int(log.started[r]) for r in rows}


def _reviews(
    log: EventLog, code: int, starts: dict[tuple[int, int, int], int]
) -> dict[int, list[int]]:
    """case -> the start of each review decided at checkpoint ``code``, in order."""
    found: dict[int, list[int]] = {}
    if code < 0:
        return found
    column, step = log.column("checkpoint"), log.column("step")
    for row in log.rows_of(_DECISION):
        if column[row] == code:
            case, at = int(log.case[row]), int(log.at[row])
            found.setdefault(case, []).append(starts.get((case, at, int(step[row])), at))
    return found


def _same_round(pathway: Pathway, cp: Checkpoint, times: list[int], origin: int = 0) -> int:
    """How many reviews began before the end of the round of the review before them."""
    count = 0
    for before, after in itertools.pairwise(times):
        end = _nanoseconds(_round_end(pathway, cp, timestamp(origin + before)))
        if origin + after < end:
            count += 1
    return count


def _round_end(pathway: Pathway, cp: Checkpoint, at: datetime) -> datetime:
    return round_end(pathway, cp, at) or day_end(pathway, at)


def _nanoseconds(at: datetime) -> int:
    return nanoseconds(at)


def _lapsed(log: EventLog) -> dict[str, int]:
    """checkpoint (the move's trigger) -> reviews that lapsed."""
    data, trigger = log.column("data"), log.column("trigger")
    labels, triggers = log.labels("data"), log.labels("trigger")
    marked = {i for i, text in enumerate(labels) if text and json.loads(text).get("lapsed")}
    counts: dict[str, int] = {}
    for row in log.rows_of(_TRANSITIONED):
        if int(data[row]) in marked:
            name = triggers[int(trigger[row])]
            counts[name] = counts.get(name, 0) + 1
    return counts


def sum_rounds(
    found: list[tuple[CheckpointRounds, ...] | None],
) -> tuple[CheckpointRounds, ...] | None:
    """The rounds of a log in parts (whole cases each): each checkpoint's counts summed
    over the parts, in the first part's order (None when a part has none)."""
    if not found or any(part is None for part in found):
        return None
    totals: dict[str, CheckpointRounds] = {}
    for part in found:
        for item in part or ():
            seen = totals.get(item.checkpoint)
            totals[item.checkpoint] = (
                item
                if seen is None
                else attrs.evolve(
                    seen,
                    decisions=seen.decisions + item.decisions,
                    same_round=seen.same_round + item.same_round,
                    lapsed=seen.lapsed + item.lapsed,
                )
            )
    return tuple(totals.values())
