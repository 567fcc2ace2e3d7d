"""Checkpoint rules: refused live, obeyed in simulation, counted in the report.

This is the example of docs/how-to/checkpoint-rules.md. Run it from the repository root:

    python examples/checkpoint_rules.py

One patient on the ward round: a nurse may not decide, a decision needs a rationale, a
second review in the same round is refused, a review still going when the round closes
lapses, and a "stable" that was yes stays yes. Then the design is simulated with and
without its rounds, and the report counts re-reviews in the same round and lapses.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pathway

DESIGN = Path(__file__).resolve().parents[1] / "docs" / "examples" / "checkpoint-rules.yaml"
NURSE = pathway.Worker("nina", "nurse")
CONSULTANT = pathway.Worker("cara", "consultant")
MONDAY = datetime(2024, 1, 1, 9, 0, tzinfo=ZoneInfo("Europe/London"))  # rounds: Mon, Thu


def refused(attempt: str, action: Callable[[], object]) -> None:
    """Run ``action`` (a callable) and print the rule that refused it."""
    try:
        action()
    except pathway.CheckpointRuleError as error:
        print(f"{attempt}: refused ({error.rule})")


def live(model: pathway.Pathway) -> None:
    """One patient through two rounds."""
    case = model.new_case("patient-1", at=MONDAY)
    case.fire("first_review", at=MONDAY.replace(hour=9, minute=30), by=NURSE)
    monday = MONDAY.replace(hour=10, minute=30)
    thursday = MONDAY.replace(hour=10) + timedelta(days=3)

    def decide(when: datetime, by: pathway.Worker, why: str, **answers: bool) -> None:
        case.decide("questions", answers, at=when, by=by, rationale=why)

    refused("a nurse decides", lambda: decide(monday, NURSE, "", stable=True, ready=False))
    refused("no rationale", lambda: decide(monday, CONSULTANT, "", stable=True, ready=False))
    decide(monday, CONSULTANT, "settled; no bed yet", stable=True, ready=False)
    case.fire("next_round", at=MONDAY.replace(hour=11), by=NURSE)
    later = MONDAY.replace(hour=11, minute=30)
    refused("again this round", lambda: case.begin(at=later, by=CONSULTANT))
    refused(
        "stable turns to no", lambda: decide(thursday, CONSULTANT, "?", stable=False, ready=True)
    )
    decide(thursday, CONSULTANT, "stable, and a bed is ready", ready=True)  # stable kept
    print(f"after Thursday's round: {case.state}")


def simulated(model: pathway.Pathway) -> None:
    """The design with its rounds, and without them (review whenever the step is free)."""
    text = DESIGN.read_text(encoding="utf-8")
    without = pathway.load(re.sub(r"\n *rounds: ward_rounds[^\n]*", "", text))
    with tempfile.TemporaryDirectory() as folder:
        for label, design in (("with rounds", model), ("without rounds", without)):
            events = Path(folder) / "events.parquet"
            pathway.simulate(design, cases=200, seed=1, events=events)
            (found,) = pathway.analyse(events, design).to_dict()["checkpoint_rounds"]
            print(
                f"{label}: {found['decisions']} decisions, "
                f"{found['same_round_reviews']} re-reviews in the same round, "
                f"{found['lapsed_reviews']} lapsed reviews"
            )


if __name__ == "__main__":
    model = pathway.load(DESIGN)
    live(model)
    simulated(model)
