"""Run one case through the redesigned Recovery Hub pathway, save it, and rebuild it.

This is the example of docs/how-to/embed-in-a-case-system.md. Run it from the
repository root:

    python examples/embed_case.py

A person walks into the hub on Tuesday 4 September 2018 at 10:00. One named Recovery
Worker, Amy, assesses them, completes the statutory dataset, agrees a plan with them
(a PLAN decision, with her rationale) and starts the intervention. The person needs a
prescription, so they see the doctor straight after; the prescription goes to a
community pharmacy, which gives the first dose the next morning. The case lives in a
case store (pathway.store, here a SQLite file): each request loads it, applies one
change and saves it; a save that lost a race to another request is retried, never lost.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

import pathway
from pathway.store import Store, open_store

PATHWAY_FILE = Path(__file__).resolve().parents[1] / "pathways" / "recovery-hub-2018.yaml"
AMY = pathway.Worker("amy", "recovery_worker")
DR_LEE = pathway.Worker("dr_lee", "doctor")
PHARMACY = pathway.Worker("albert_road_pharmacy", "community_pharmacy")


def tuesday(hour: int, minute: int) -> datetime:
    """A time on Tuesday 4 September 2018; naive times are in the pathway's time zone."""
    return datetime(2018, 9, 4, hour, minute)


def run_journey(hub: pathway.Pathway) -> pathway.Case:
    """Take one person from walking in to a prescription, as a case system would."""
    facts = {"needs_prescribing": True, "needs_external_referral": False}
    case = hub.new_case("client-17", facts, at=tuesday(10, 0))
    case.fire("record_dataset", at=tuesday(10, 50), by=AMY)
    case.begin(at=tuesday(10, 50), by=AMY)
    case.fire("decide", at=tuesday(11, 0), by=AMY)
    case.begin(at=tuesday(11, 0), by=AMY)
    print_options(case, tuesday(11, 5))
    case.decide(
        "plan_decision",
        {"proportionate": True, "legal": True, "accountable": True, "necessary": True},
        at=tuesday(11, 10),
        by=AMY,
        rationale="Daily heroin use, wants to stop; substitute prescribing is proportionate.",
    )
    case.begin(at=tuesday(11, 10), by=AMY)
    print_options(case, tuesday(11, 15))
    case.fire("needs_doctor", at=tuesday(11, 20), by=AMY)
    case.begin(at=tuesday(11, 30), by=DR_LEE)
    case.fire("prescribe", at=tuesday(11, 55), by=DR_LEE)
    case.begin(at=datetime(2018, 9, 5, 9, 25), by=PHARMACY)  # Wednesday morning
    case.fire("dispense", at=datetime(2018, 9, 5, 9, 30), by=PHARMACY)
    return case


def print_options(case: pathway.Case, at: datetime) -> None:
    """What may happen next at the case's step, and why anything is blocked."""
    print(f"at {case.state}, what may happen next:")
    for option in case.available(at=at):
        verdict = "allowed" if option.allowed else "blocked: " + "; ".join(option.reasons)
        print(f"  {option.trigger}: {verdict}")


def print_case(title: str, case: pathway.Case) -> None:
    """The case's state, visits, hand-offs and times, as a case worker would see them."""
    measures = case.measures()
    handoffs = {level: n for level, n in measures.handoffs.items() if n}
    print(title)
    print(f"  state: {case.state} (finished: {case.finished})")
    print(f"  visits: {measures.visits}")
    print(f"  hand-offs: {measures.total_handoffs} {handoffs}")
    print(f"  touch time: {measures.touch_minutes:.0f} minutes")
    print(f"  end to end: {measures.elapsed_minutes:.0f} minutes")
    print(f"  events in the journal: {len(case.journal)}")


def print_decision(case: pathway.Case) -> None:
    """The recorded PLAN decision: who decided, what, and why."""
    decision = case.journal.of_type(pathway.Decision)[0]
    answers = ", ".join(f"{name} {'yes' if yes else 'no'}" for name, yes in decision.answers)
    print(f"decision {decision.checkpoint} by {decision.decided_by}: {answers}")
    print(f"  rationale: {decision.rationale}")
    print(f"  route taken: {decision.target}")


def save_in_store(store: Store, hub: pathway.Pathway) -> None:
    """What a web app does per request: load the case, apply one change, save."""
    store.publish(hub)  # the registry: cases always load with the version they ran on
    facts = {"needs_prescribing": True, "needs_external_referral": False}
    store.create(hub.new_case("client-9", facts, at=tuesday(10, 0)))
    store.transact("client-9", lambda case: case.fire("record_dataset", at=tuesday(10, 50), by=AMY))
    first, second = store.load("client-9"), store.load("client-9")  # two requests at once
    first.case.begin(at=tuesday(10, 50), by=AMY)
    store.save(first.case, first.revision)
    second.case.begin(at=tuesday(10, 51), by=AMY)
    try:
        store.save(second.case, second.revision)
    except pathway.ConflictError as error:
        print(f"second request refused: {error}")


def main() -> None:
    """Run the journey; then keep a case in a store, with a worklist."""
    hub = pathway.load(PATHWAY_FILE)
    case = run_journey(hub)
    print_case("before saving", case)
    print_decision(case)
    with tempfile.TemporaryDirectory() as folder, open_store(Path(folder) / "cases.db") as store:
        save_in_store(store, hub)
        stored = store.load("client-9")
        print(f"stored: at {stored.case.state}, revision {stored.revision}")
        for item in store.worklist(role="recovery_worker").items:
            print(f"worklist of recovery workers: {item.case_id} at {item.step}")
        store.create(case)
        rebuilt = store.load(case.case_id).case
    print_case("after loading from the store", rebuilt)
    print(f"the loaded case has the same journal: {list(rebuilt.journal) == list(case.journal)}")


if __name__ == "__main__":
    main()
