"""Cohort figures of the behavioural diff: people versus demands and checkpoint rounds,
old against new.

These are figures of a whole simulated cohort, not per-case measures, so they are not
paired case by case: each pathway's figure is set beside the other's. A change is listed
only when the figures differ once rounded as people read them (the rule
:attr:`pathway._diff._behaviour.Comparison.visible` uses). Numbers only; the report says
them (:mod:`pathway._report._diff`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from pathway._analysis._cases import case_table
from pathway._analysis._people import people
from pathway._analysis._rounds import CheckpointRounds, checkpoint_rounds
from pathway._journal._eventlog import EventLog
from pathway._model._pathway import Pathway

__all__ = ["CohortChange", "CohortFigures", "cohort_changes", "cohort_figures"]

#: people measure -> (label, unit, lower is better)
PEOPLE_MEASURES: Mapping[str, tuple[str, str, bool]] = {
    "cases_per_person": ("cases per person", "cases", True),
    "repeat_share": ("repeat demand", "share", True),
    "right_first_time_share": ("right first time", "share", False),
}


@attrs.frozen(slots=True)
class CohortFigures:
    """One pathway's cohort figures: people versus demands (``people``, as in the
    report's demand section) and its checkpoints' rounds."""

    people: Mapping[str, Any]
    rounds: tuple[CheckpointRounds, ...]


@attrs.frozen(slots=True)
class CohortChange:
    """One cohort figure, old against new (None where a pathway does not have it)."""

    measure: str
    label: str
    unit: str
    old: float | None
    new: float | None
    lower_is_better: bool = True

    @property
    def visible(self) -> bool:
        """True when the figures differ once rounded (no change listed otherwise)."""
        return fmt(self.old, self.unit) != fmt(self.new, self.unit)

    @property
    def better(self) -> bool | None:
        """Whether the new figure is better (None when there is no visible change or a
        pathway lacks the figure)."""
        if not self.visible or self.old is None or self.new is None:
            return None
        return (self.new < self.old) == self.lower_is_better

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with ``changed`` (a visible change) and ``better``."""
        data = attrs.asdict(self)
        data.update(changed=self.visible, better=self.better)
        return {k: None if isinstance(v, float) and not math.isfinite(v) else v
                for k, v in data.items()}  # fmt: skip


def fmt(value: float | None, unit: str) -> str:
    """A figure as people read it: a share to the whole percent, else one place."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if unit == "share":
        return f"{value:.0%}"
    return f"{value:.1f}" if abs(value) < 100 else f"{value:,.0f}"


def cohort_figures(log: EventLog, pathway: Pathway) -> CohortFigures:
    """A simulated cohort's people versus demands and checkpoint rounds."""
    table = case_table(log, pathway)
    return CohortFigures(
        people(log, table.total_failure, table.finished), checkpoint_rounds(log, pathway)
    )


def cohort_changes(
    old: CohortFigures, new: CohortFigures, titles: Mapping[str, str] | None = None
) -> tuple[CohortChange, ...]:
    """Every cohort figure of ``old`` beside ``new``'s: the people measures, then per
    checkpoint (of either pathway; ``titles`` names them) re-reviews in the same round
    and lapsed reviews per 100 decisions."""
    found = [
        CohortChange(name, label, unit, old.people.get(name), new.people.get(name), lower)
        for name, (label, unit, lower) in PEOPLE_MEASURES.items()
    ]
    before = {item.checkpoint: item for item in old.rounds}
    after = {item.checkpoint: item for item in new.rounds}
    for checkpoint in dict.fromkeys([*before, *after]):
        found.extend(_rounds(checkpoint, before.get(checkpoint), after.get(checkpoint), titles))
    return tuple(found)


def _rounds(
    checkpoint: str,
    old: CheckpointRounds | None,
    new: CheckpointRounds | None,
    titles: Mapping[str, str] | None,
) -> Sequence[CohortChange]:
    """Re-reviews in the same round and lapsed reviews per 100 decisions at one
    checkpoint."""
    title = (titles or {}).get(checkpoint) or checkpoint
    return [
        CohortChange(
            f"{field}_per_100_decisions:{checkpoint}",
            f"{label} at {title}",
            "per 100 decisions",
            _per_hundred(old, field),
            _per_hundred(new, field),
        )
        for field, label in (
            ("same_round", "re-reviews in the same round"),
            ("lapsed", "lapsed reviews"),
        )
    ]


def _per_hundred(found: CheckpointRounds | None, field: str) -> float | None:
    if found is None or not found.decisions:
        return None
    count: int = getattr(found, field)
    return 100 * count / found.decisions
