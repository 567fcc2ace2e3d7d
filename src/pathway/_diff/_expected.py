"""Expected visits and hand-offs per case over every path, loops included.

The nominal path is one journey; a pathway with loops (re-review, rebooking, a referral
sent back) has journeys of any length, so the nominal path can show 2 hand-offs where
the median case has 9. Here the pathway is read as an absorbing Markov chain: the steps
that are not outcomes are its transient states, the outcomes absorb, and the chance of
each move is its branching weight (at a checkpoint, its route's chance from the
questions' ``p_yes``; the ordinary moves from a checkpoint's step are left out, as on
the nominal path). With ``Q`` the transient-to-transient chances, the fundamental matrix
``N = (I - Q)^-1`` gives the expected number of times a case starting at the start step
enters each step (its row for the start step); each move is then taken ``N[source] x
p`` times, which counts visits (a new attendance at a visit step, by the nominal path's
rule) and hand-offs by level.

The expectation is exact for the model when every choice is an independent draw with
its declared weight. It is approximate (and :attr:`Expectation.approximate` says why)
when a guard makes a choice depend on a case's facts (the same case makes the same
choice on every pass of a loop, where the chain assumes a fresh draw), when a
checkpoint has automatic questions (their answers come from facts, not ``p_yes``), when
a person's question has no ``p_yes`` (taken as yes), when several moves from one step
share what is left of the weights equally, or when a checkpoint's step also has
ordinary moves. When the chain never ends on its weights (a loop with no way out), no
expectation is given.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import numpy as np

from pathway._model._pathway import Pathway, Transition

__all__ = ["MAX_STATES", "Expectation", "expected_journey"]

MAX_STATES = 3000
"""The most transient steps solved exactly (a dense solve); larger pathways get none."""
_LEVELS = ("role", "team", "organisation")


@attrs.frozen(slots=True)
class Expectation:
    """Expected counts per case over every path: ``entries`` per step, ``visits``,
    ``handoffs`` by level; ``approximate`` lists why the figures are approximate
    (empty when exact for the model); ``finite`` is False when a loop never ends on
    its weights (then every count is NaN)."""

    entries: Mapping[str, float]
    visits: float
    handoffs: Mapping[str, float]
    approximate: tuple[str, ...] = ()
    finite: bool = True

    @property
    def total_handoffs(self) -> float:
        """Hand-offs at every level together."""
        return sum(self.handoffs.values())

    def to_dict(self) -> dict[str, object]:
        """JSON-ready (NaN as None)."""
        clean = _finite_or_none
        return {
            "entries": {k: clean(v) for k, v in self.entries.items()},
            "visits": clean(self.visits),
            "handoffs": {k: clean(v) for k, v in self.handoffs.items()},
            "total_handoffs": clean(self.total_handoffs),
            "approximate": list(self.approximate),
            "finite": self.finite,
        }


def _finite_or_none(value: float) -> float | None:
    return value if np.isfinite(value) else None


def moves_with_chances(pathway: Pathway, step: str) -> list[tuple[float, Transition]]:
    """Each way out of ``step`` with its chance (see the module docstring)."""
    checkpoint = pathway.steps[step].checkpoint
    if checkpoint is None:
        return [(max(t.weight, 0.0), t) for t in pathway.outgoing(step)]
    chances = pathway.checkpoints[checkpoint].route_probabilities()
    return [(chances.get(t.index, 0.0), t) for t in pathway.outgoing(step) if t.checkpoint]


def expected_journey(pathway: Pathway) -> Expectation | None:
    """The expected entries, visits and hand-offs per case (None above
    :data:`MAX_STATES` transient steps)."""
    reach = _reachable(pathway)
    transient = [s for s, step in pathway.steps.items() if not step.outcome and s in reach]
    if len(transient) > MAX_STATES:
        return None
    where = {s: i for i, s in enumerate(transient)}
    q = np.zeros((len(transient), len(transient)))
    for step in transient:
        for chance, move in moves_with_chances(pathway, step):
            if move.target in where:
                q[where[step], where[move.target]] += chance
    start = np.zeros(len(transient))
    if pathway.start in where:
        start[where[pathway.start]] = 1.0
    reasons = _approximations(pathway)
    try:
        entries = np.linalg.solve(np.eye(len(transient)) - q.T, start)
    except np.linalg.LinAlgError:
        return _endless(pathway, reasons)
    if not np.all(np.isfinite(entries)) or (entries < -1e-9).any():
        return _endless(pathway, reasons)
    return _counts(pathway, dict(zip(transient, entries.tolist(), strict=True)), reasons)


def _reachable(pathway: Pathway) -> set[str]:
    """Steps a case can reach from the start on moves with a chance above zero."""
    seen, todo = {pathway.start}, [pathway.start]
    while todo:
        for chance, move in moves_with_chances(pathway, todo.pop()):
            if chance > 0 and move.target not in seen:
                seen.add(move.target)
                todo.append(move.target)
    return seen


def _endless(pathway: Pathway, reasons: tuple[str, ...]) -> Expectation:
    nan = float("nan")
    return Expectation(
        dict.fromkeys(pathway.steps, nan),
        nan,
        dict.fromkeys(_LEVELS, nan),
        (*reasons, "a loop has no way out on its weights"),
        finite=False,
    )


def _counts(pathway: Pathway, inside: Mapping[str, float], reasons: tuple[str, ...]) -> Expectation:
    """Visits and hand-offs from the expected entries of the transient steps."""
    entries = {s: inside.get(s, 0.0) for s in pathway.steps}
    start = pathway.steps[pathway.start]
    visits = 1.0 if start.visit else 0.0
    handoffs = dict.fromkeys(_LEVELS, 0.0)
    for step, times in inside.items():
        for chance, move in moves_with_chances(pathway, step):
            taken = times * chance
            target = pathway.steps[move.target]
            if target.outcome:
                entries[move.target] += taken
            if target.visit and pathway.is_new_attendance(pathway.steps[step], move):
                visits += taken
            if move.handoff in handoffs:
                handoffs[move.handoff] += taken
    return Expectation(entries, visits, handoffs, reasons)


def _approximations(pathway: Pathway) -> tuple[str, ...]:
    """Why the chain's expectation is approximate for this pathway (see the module)."""
    reasons = []
    guarded = sorted({t.source for t in pathway.transitions if t.guard and not t.checkpoint})
    if guarded:
        reasons.append(f"guards at {_names(guarded)} make choices depend on each case's facts")
    automatic = sorted(
        c.id for c in pathway.checkpoints.values() if any(q.automatic for q in c.questions)
    )
    if automatic:
        reasons.append(f"the answers at {_names(automatic)} come from facts, not p_yes")
    unanswered = _questions_without_p_yes(pathway)
    if unanswered:
        reasons.append(f"questions at {_names(unanswered)} have no p_yes (taken as yes)")
    shared = _shared_weights(pathway)
    if shared:
        reasons.append(f"moves from {_names(shared)} share the weights left equally")
    mixed = sorted(
        c.step
        for c in pathway.checkpoints.values()
        if any(not t.checkpoint for t in pathway.outgoing(c.step))
    )
    if mixed:
        reasons.append(f"the ordinary moves from {_names(mixed)} are left out")
    return tuple(reasons)


def _questions_without_p_yes(pathway: Pathway) -> list[str]:
    spec = pathway.spec
    found = []
    for name, cp in spec.checkpoints.items():
        questions = (cp.questions or {}).values()
        plan_default = cp.framework == "PLAN" and not cp.questions
        if plan_default or any(q.when is None and q.p_yes is None for q in questions):
            found.append(name)
    return sorted(found)


def _shared_weights(pathway: Pathway) -> list[str]:
    unweighted: dict[str, int] = {}
    for move in pathway.spec.transitions:
        if move.p is None:
            unweighted[move.from_] = unweighted.get(move.from_, 0) + 1
    return sorted(step for step, count in unweighted.items() if count > 1)


def _names(items: list[str]) -> str:
    shown = ", ".join(repr(i) for i in items[:3])
    return shown + (f" and {len(items) - 3} more" if len(items) > 3 else "")
