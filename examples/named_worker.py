"""Keep one named worker: refused live, waited for in simulation.

This is the example of docs/how-to/keep-one-named-worker.md. Run it from the
repository root:

    python examples/named_worker.py

Amy does the first visit and the plan. When Bo tries to start the follow-up, the case
refuses him: the role keeps the person's named worker, Amy, for five days. Then the same
design is simulated twice, keeping the named worker and merely preferring them, to show
what continuity gains (worker hand-offs) and what it costs (waiting for the named worker).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pathway

DESIGN = Path(__file__).resolve().parents[1] / "docs" / "examples" / "named-worker.yaml"
ROSTER = {"amy": "support_worker", "bo": "support_worker"}


def live(model: pathway.Pathway) -> None:
    """One case: Amy keeps the person; Bo is refused until five days have passed."""
    monday = datetime(2024, 3, 4, 9, 0)
    case = model.new_case("person-1", at=monday, roster=ROSTER)
    case.fire("visited", at=monday + timedelta(hours=1), by="amy")
    case.fire("planned", at=monday + timedelta(hours=2), by="amy")
    try:
        case.begin(at=monday + timedelta(days=1), by="bo")
    except pathway.ContinuityError as error:
        print(f"refused: expected {error.expected}, found {error.found}")
    case.begin(at=monday + timedelta(days=1), by="amy")
    case.fire("followed_up", at=monday + timedelta(days=1, hours=1))
    print(f"hand-offs between workers: {case.measures().handoffs['worker']}")


def simulated(model: pathway.Pathway) -> None:
    """The same design with the named worker kept, and merely preferred."""
    text = DESIGN.read_text(encoding="utf-8").replace("continuity: named", "continuity: prefer")
    preferred = pathway.load(re.sub(r"\n *named_within:[^\n]*", "", text))
    for label, design in (("named", model), ("prefer", preferred)):
        summary = pathway.simulate(design, cases=2000, seed=1).summary()
        handoffs = summary["handoffs_worker"].mean
        waited = summary["wait_continuity_days"].mean * 24
        print(
            f"{label}: {handoffs:.2f} worker hand-offs a person, "
            f"{waited:.2f} hours waiting for the named worker"
        )


if __name__ == "__main__":
    model = pathway.load(DESIGN)
    live(model)
    simulated(model)
