"""Checkpoint rounds in words: the report's ``rounds`` section and its JSON.

The numbers come from :mod:`pathway._analysis._rounds`; this module says them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pathway._analysis._rounds import CheckpointRounds
from pathway._report._place import Part

if TYPE_CHECKING:
    from pathway._report._report import Report

__all__ = ["per_hundred", "rounds_dict", "rounds_part"]

INTRO = (
    "A re-review in the same round is a review begun before the round of the case's "
    "previous decision at that checkpoint had closed (a checkpoint without rounds counts "
    "re-reviews on the same day); a lapsed review is one whose round closed before it "
    "was decided, so the case went back to wait for the next round."
)


def per_hundred(count: int, decisions: int) -> float | None:
    """``count`` per 100 decisions (None without decisions)."""
    return 100 * count / decisions if decisions else None


def _rate(count: int, decisions: int) -> str:
    found = per_hundred(count, decisions)
    return "n/a" if found is None else f"{found:.1f}"


def _title(report: Report, item: CheckpointRounds) -> str:
    pathway = report.pathway
    found = pathway.checkpoints.get(item.checkpoint) if pathway is not None else None
    return found.title if found is not None and found.title else item.checkpoint


def rounds_part(report: Report) -> Part | None:
    """Decisions, re-reviews in the same round and lapsed reviews per checkpoint (none
    when the pathway has no checkpoint)."""
    if not report.rounds:
        return None
    rows: list[tuple[str, ...]] = [
        (
            _title(report, item),
            item.rounds or "none (a day)",
            str(item.decisions),
            str(item.same_round),
            _rate(item.same_round, item.decisions),
            str(item.lapsed),
            _rate(item.lapsed, item.decisions),
        )
        for item in report.rounds
    ]
    headers = [
        "checkpoint",
        "rounds",
        "decisions",
        "re-reviews in the same round",
        "per 100 decisions",
        "lapsed reviews",
        "per 100 decisions",
    ]
    return ("rounds", "Checkpoint rounds", (INTRO,), headers, rows, "ttnnnnn")


def rounds_dict(found: tuple[CheckpointRounds, ...] | None) -> list[dict[str, Any]] | None:
    """The ``checkpoint_rounds`` part of the report JSON."""
    if found is None:
        return None
    return [
        {
            "checkpoint": item.checkpoint,
            "rounds": item.rounds,
            "decisions": item.decisions,
            "same_round_reviews": item.same_round,
            "same_round_per_100_decisions": per_hundred(item.same_round, item.decisions),
            "lapsed_reviews": item.lapsed,
            "lapsed_per_100_decisions": per_hundred(item.lapsed, item.decisions),
        }
        for item in found
    ]
