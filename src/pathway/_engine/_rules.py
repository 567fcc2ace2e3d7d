"""Checkpoint rules on a live case: who may decide, rationale, rounds, persisting answers.

A checkpoint's rules (compiled from ``decided_by``, ``rationale``, ``rounds`` and a
question's ``persists``) are checked here before a decision or review is recorded, and
each broken rule is a :class:`~pathway.errors.CheckpointRuleError` saying what was
expected, what was found and what to do. The simulator applies the same rules
(:mod:`pathway._sim._kernel`'s ``decide``, ``start_step`` and ``lapse``), so a live
case and a simulated one put the same events on the spine.

Rounds. A round is an open window of the checkpoint's ``rounds`` calendar, cut at
midnight in the pathway's time zone. A review (``begin`` at the checkpoint's step, or a
``decide`` without one) happens only in a round, and not in the round of the case's
last decision at that checkpoint. A review begun in a round and not decided when the
round closes *lapses* at the close: the engine records the step completed there and a
move back to the same step by the checkpoint's trigger with ``data`` ``{"lapsed":
true}``, then a calendar wait until the next review. A live case records the lapse when
it is next touched (any command at or after the close), at the close's time; replay
derives it again the same way.

Persisting answers. Once a case answers yes to a question that ``persists`` at a
checkpoint, later decisions there keep that yes: an answer left out is recorded as yes,
and an explicit no is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from pathway._engine._types import Worker
from pathway._model._pathway import Checkpoint, Pathway, Transition
from pathway._model._rounds import next_round, round_end
from pathway.errors import CheckpointRuleError

__all__ = [
    "check_decider",
    "check_persisted",
    "check_round",
    "lapse_transition",
    "round_end",
]


def check_round(
    pathway: Pathway,
    checkpoint: Checkpoint,
    at: datetime,
    last_round_end: datetime | None,
    where: str,
) -> datetime | None:
    """The end of the round a review at ``at`` belongs to (None without rounds).

    Raises CheckpointRuleError ``round-closed`` when no round is open at ``at``, and
    ``same-round`` when ``at`` is before ``last_round_end``, the end of the round of the
    case's last decision at the checkpoint.
    """
    if checkpoint.rounds is None:
        return None
    local = at.astimezone(ZoneInfo(pathway.timezone)).isoformat()
    if last_round_end is not None and at < last_round_end:
        opens = next_round(pathway, checkpoint, last_round_end)
        raise CheckpointRuleError(
            f"{where}checkpoint {checkpoint.id!r} reviews a case once a round",
            rule="same-round",
            expected=f"a review in a later round of calendar {checkpoint.rounds!r}",
            found=f"{local}, in the round of the last decision (it closes at "
            f"{_local(pathway, last_round_end)})",
            suggestion=f"review again at the next round, from {_local(pathway, opens)}",
        )
    end = round_end(pathway, checkpoint, at)
    if end is None:
        opens = next_round(pathway, checkpoint, at)
        raise CheckpointRuleError(
            f"{where}checkpoint {checkpoint.id!r} is reviewed only in its rounds",
            rule="round-closed",
            expected=f"a time when calendar {checkpoint.rounds!r} is open "
            f"({pathway.calendars[checkpoint.rounds].describe()})",
            found=f"{local}, between rounds",
            suggestion=f"review at the next round, from {_local(pathway, opens)}",
        )
    return end


def check_decider(
    checkpoint: Checkpoint, decider: Worker | None, rationale: str, where: str
) -> None:
    """CheckpointRuleError unless ``decider`` may decide ``checkpoint`` and a required
    decision-maker and rationale are given."""
    roles = ", ".join(repr(r) for r in checkpoint.deciders)
    why = " (PLAN: Accountable)" if checkpoint.framework == "PLAN" else ""
    if decider is None and checkpoint.rationale_required:
        raise CheckpointRuleError(
            f"{where}checkpoint {checkpoint.id!r} needs a named decision-maker{why}",
            rule="decider-required",
            expected=f"by=<a worker in role {roles}>",
            found="no 'by'",
            suggestion="pass by=...",
        )
    if decider is not None and checkpoint.deciders and decider.role not in checkpoint.deciders:
        raise CheckpointRuleError(
            f"{where}worker {decider.id!r} may not decide checkpoint {checkpoint.id!r}",
            rule="decider-role",
            expected=f"a worker in role {roles}",
            found=f"role {decider.role!r}",
            suggestion="pass by= a worker of a role that may decide, or list the role in "
            "the checkpoint's 'decided_by'",
        )
    if checkpoint.rationale_required and not rationale.strip():
        raise CheckpointRuleError(
            f"{where}checkpoint {checkpoint.id!r} needs a recorded rationale{why}",
            rule="rationale-required",
            expected="a rationale saying why",
            found="none",
            suggestion="pass rationale='...'",
        )


def check_persisted(
    checkpoint: Checkpoint,
    answers: Mapping[str, bool],
    held: frozenset[str],
    where: str,
) -> dict[str, bool]:
    """A person's ``answers`` with every held (persisting, answered yes before) question
    they answer as yes (one they leave out is added by the caller).

    Raises CheckpointRuleError ``persisted-answer`` for a "no" to a held question.
    """
    kept = dict(answers)
    for question in sorted(held & kept.keys()):
        if kept[question] is not True:
            raise CheckpointRuleError(
                f"{where}question {question!r} of {checkpoint.id!r} was answered yes at an "
                "earlier decision and persists",
                rule="persisted-answer",
                expected="yes, or no answer (it is kept as yes)",
                found="no",
                suggestion="leave the answer out; a question that can turn back to no "
                "should not say 'persists: true'",
            )
        kept[question] = True
    return kept


def lapse_transition(checkpoint: Checkpoint) -> Transition:
    """The move a lapsed review records: from the checkpoint's step back to it, by the
    checkpoint's trigger, the wait after it a calendar wait (no hand-off of its own)."""
    return Transition(
        index=-1,
        trigger=checkpoint.id,
        source=checkpoint.step,
        target=checkpoint.step,
        cause="calendar",
        checkpoint=checkpoint.id,
        title="review lapsed: the round closed before a decision",
    )


def _local(pathway: Pathway, at: datetime) -> str:
    return at.astimezone(ZoneInfo(pathway.timezone)).isoformat()
