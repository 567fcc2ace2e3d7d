"""A small driver that runs many live cases through a pathway: realistic event logs
for the analysis tests and benchmark without the simulator.

Each case starts at a given time with facts drawn from the declared distributions, then
repeatedly: begins its step when the step's calendar is open (a worker of the owner role,
picked at random among ``capacity`` workers), works for the step's touch time, takes a
weighted transition whose guard holds (checkpoints answered by ``p_yes``), waits the
transition's wait, missing a booked visit with the transition's DNA probability
(rebooking another wait), and chases progress when a wait passes ``chase_after``. No
queues for capacity: that is the simulator's job.

    from benchmarks.analysis_cohort import live_cohort
    cases = live_cohort(pathway.load("pathways/recovery-hub-2017.yaml"), 200, seed=1)
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from pathway import Case, Worker
from pathway._model._pathway import Pathway, Transition

START = datetime(2018, 9, 3, 9, 0, tzinfo=UTC)


def _facts(model: Pathway, rng: random.Random) -> dict[str, Any]:
    return {
        name: fact.distribution.sample(rng)
        for name, fact in model.facts.items()
        if fact.distribution is not None
    }


def _worker(model: Pathway, role: str | None, rng: random.Random) -> Worker | None:
    if role is None:
        return None
    capacity = model.roles[role].capacity
    return Worker(f"{role}-{rng.randrange(capacity)}", role)


def _open_at(case: Case, at: datetime) -> datetime:
    calendar = case.step.calendar
    return case.pathway.calendars[calendar].next_open(at) if calendar else at


def _finish_at(case: Case, begin: datetime, minutes: float) -> datetime:
    done = begin + timedelta(minutes=minutes)
    calendar = case.step.calendar
    if calendar and not case.pathway.calendars[calendar].is_open(done):
        return begin
    return done


def _choose(case: Case, rng: random.Random) -> Transition | None:
    options = [
        t
        for t in case.pathway.outgoing(case.state)
        if t.checkpoint is None and (t.guard is None or t.guard.test(case.facts))
    ]
    if not options:
        return None
    return rng.choices(options, weights=[max(t.weight, 1e-9) for t in options])[0]


def _decide(case: Case, at: datetime, rng: random.Random) -> None:
    checkpoint = case.pathway.checkpoints[case.step.checkpoint or ""]
    answers = {q.id: rng.random() < q.p_yes for q in checkpoint.questions if not q.automatic}
    by = _worker(case.pathway, case.step.role, rng) or Worker("decider", "decider")
    case.decide(checkpoint.id, answers, at=at, by=by, rationale="driven by the cohort driver")


def _wait(case: Case, transition: Transition, done: datetime, rng: random.Random) -> datetime:
    """Wait before the next step: DNAs rebook, chasing after ``chase_after``."""
    at = done
    for _attempt in range(4):
        minutes = float(transition.wait.sample(rng)) if transition.wait else 0.0  # type: ignore[arg-type]
        at += timedelta(minutes=minutes)
        chase = transition.chase_after
        if chase is not None and minutes > chase:
            case.record_failure_demand("chase", at=done + timedelta(minutes=chase))
        missed = case.step.visit and not case.step.outcome and rng.random() < transition.dna
        if not missed:
            return at
        case.did_not_attend(at=at)
        done = at
    return at


def live_case(model: Pathway, case_id: str, start: datetime, rng: random.Random) -> Case:
    """One live case driven from ``start`` until an outcome (at most 60 steps)."""
    case = model.new_case(case_id, _facts(model, rng), at=start)
    now, begun = start, True  # the start step's work begins with the case
    for _step in range(60):
        if case.finished:
            break
        worker = _worker(model, case.step.role, rng)
        begin = now if begun else _open_at(case, now)
        if not begun:
            case.begin(at=begin, by=worker)
        begun = False
        done = _finish_at(case, begin, float(case.step.duration.sample(rng)))  # type: ignore[arg-type]
        if case.step.checkpoint is not None:
            _decide(case, done, rng)
            now = done
            continue
        transition = _choose(case, rng)
        if transition is None:
            break
        case.fire(transition.trigger, at=done, by=worker, to=transition.target)
        now = _wait(case, transition, done, rng) if not case.finished else done
    return case


def live_cohort(
    model: Pathway, cases: int, *, seed: int = 0, every: timedelta = timedelta(hours=4)
) -> list[Case]:
    """``cases`` live cases, one starting every ``every`` from 2018-09-03 09:00 UTC."""
    rng = random.Random(seed)
    return [
        live_case(model, f"case-{index:06d}", START + index * every, rng) for index in range(cases)
    ]
