"""Live engine benchmark: pathway's Case against raw ``transitions`` on the same pathway.

Run: ``.venv/bin/python -m benchmarks.engine_bench`` (add ``--quick`` for a smoke run).

Measures, in one run and on the same machine:

1. firing rate with guard evaluation and journal append: pathway ``Case.fire`` against
   ``transitions`` ``Event.trigger`` on the machine pathway builds (same guards, same
   states), on a guarded loop pathway (also with every event read back afterwards, as
   the journal builds its frozen events when read) and along the Recovery Hub 2017
   nominal path;
2. attaching cases: pathway's ``new_case`` against ``Machine.add_model`` at 10k and 100k
   live cases (time and memory per case, journal excluded);

and prints the ratios. Results go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import gc
import platform
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import transitions

import pathway
from pathway._engine._machine import machine_for

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2018, 9, 4, 10, 0)
LOOP = """
id: loop
title: Guarded loop
version: "1"
roles:
  worker: {team: t, organisation: o}
facts:
  age: {type: int}
  needs_prescribing: {type: bool}
steps:
  a: {role: worker}
  b: {role: worker}
  done: {outcome: true}
transitions:
  - {trigger: step, from: a, to: b, when: "age >= 18 and needs_prescribing"}
  - {trigger: step, from: b, to: a, when: "age >= 18 or not needs_prescribing"}
  - {trigger: finish, from: a, to: done}
"""
FACTS = {"age": 30, "needs_prescribing": True}


class Model:
    """A plain model for raw ``transitions``: state plus facts, as the guards read."""

    def __init__(self, state: str, facts: dict[str, Any]) -> None:
        self.state = state
        self.facts = facts


def best_of(repeats: int, run: Callable[[], float]) -> float:
    """The best (lowest) of ``repeats`` timings, each returned by ``run``."""
    return min(run() for _ in range(repeats))


def fire_loop_pathway(n: int, utc: bool = False) -> float:
    """Seconds for n guarded fires on one case (journal appended each time).

    Times are naive local times (converted to UTC on every call), or aware UTC times
    (``utc``), as a case system storing UTC would pass them.
    """
    loop = pathway.load(LOOP)
    start = START.replace(tzinfo=UTC) if utc else START
    case = loop.new_case("bench", FACTS, at=start)
    worker = pathway.Worker("w", "worker")
    at = start
    tick = timedelta(seconds=1)
    gc.collect()
    begin = time.perf_counter()
    for _ in range(n):
        at += tick
        case.fire("step", at=at, by=worker)
    return time.perf_counter() - begin


def fire_and_read_pathway(n: int) -> float:
    """Seconds for n guarded fires (aware UTC times) and then reading every event of the
    journal back: fires append rows, and reading builds their events, so this is the
    whole cost of a journal that is read in full."""
    loop = pathway.load(LOOP)
    start = START.replace(tzinfo=UTC)
    case = loop.new_case("bench", FACTS, at=start)
    worker = pathway.Worker("w", "worker")
    at, tick = start, timedelta(seconds=1)
    gc.collect()
    begin = time.perf_counter()
    for _ in range(n):
        at += tick
        case.fire("step", at=at, by=worker)
    events = list(case.journal)
    elapsed = time.perf_counter() - begin
    assert len(events) >= 3 * n  # a completion, a move and a wait per fire
    return elapsed


def trigger_loop_transitions(n: int) -> float:
    """Seconds for n guarded triggers with raw transitions on the same machine."""
    loop = pathway.load(LOOP)
    event = machine_for(loop).events["step"]
    model = Model(loop.start, dict(FACTS))
    gc.collect()
    begin = time.perf_counter()
    for _ in range(n):
        event.trigger(model)
    return time.perf_counter() - begin


def nominal_journeys(hub: pathway.Pathway, cases: int) -> tuple[float, int]:
    """Seconds and fires to run ``cases`` cases along the nominal path (calendars met)."""
    facts = _facts_for(hub, {"needs_prescribing": True})
    moves = _schedule(hub)
    gc.collect()
    begin = time.perf_counter()
    for index in range(cases):
        case = hub.new_case(f"c{index}", facts, at=START)
        for transition, worker, at in moves:
            _move(case, transition, at, worker)
    return time.perf_counter() - begin, cases * len(moves)


def _schedule(hub: pathway.Pathway) -> list[tuple[Any, pathway.Worker | None, datetime]]:
    """Each nominal move with its worker and a time its step's calendar is open (worked
    out once, outside the timing: every case follows the same schedule)."""
    moves = []
    at = START
    for transition in hub.nominal_path():
        at = _open_time(hub, transition.source, at)
        moves.append((transition, _worker_for(hub, transition), at))
    return moves


def _facts_for(hub: pathway.Pathway, wanted: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in wanted.items() if k in hub.facts}


def _worker_for(hub: pathway.Pathway, transition: Any) -> pathway.Worker | None:
    role = hub.steps[transition.source].role
    return pathway.Worker(f"{role}-1", role) if role else None


def _open_time(hub: pathway.Pathway, step: str, at: datetime) -> datetime:
    name = hub.steps[step].calendar
    if name is None:
        return at + timedelta(minutes=1)
    return hub.calendars[name].next_open(at + timedelta(minutes=1))


def _move(case: pathway.Case, transition: Any, at: datetime, worker: Any) -> None:
    if transition.checkpoint:
        cp = case.pathway.checkpoints[transition.checkpoint]
        answers = {q.id: True for q in cp.questions if not q.automatic}
        case.decide(cp.id, answers, at=at, by=worker, rationale="benchmark")
    else:
        case.fire(transition.trigger, at=at, by=worker, to=transition.target)


def nominal_transitions(hub: pathway.Pathway, cases: int) -> tuple[float, int]:
    """The same journeys with raw transitions' Event.trigger (no journal, no calendars)."""
    machine = machine_for(hub)
    path = hub.nominal_path()
    events = [(machine.events[t.trigger], t) for t in path]
    gc.collect()
    begin = time.perf_counter()
    for _ in range(cases):
        model = Model(hub.start, {"needs_prescribing": True})
        for event, _t in events:
            event.trigger(model)
    return time.perf_counter() - begin, cases * len(events)


def attach_pathway(hub: pathway.Pathway, count: int) -> tuple[float, float]:
    """Seconds and bytes per case to hold ``count`` live cases (journal excluded).

    Timing and memory are separate passes: tracemalloc slows every allocation.
    """
    gc.collect()
    begin = time.perf_counter()
    cases = [hub.new_case(f"c{i}", {}, at=START) for i in range(count)]
    elapsed = time.perf_counter() - begin
    del cases
    gc.collect()
    tracemalloc.start()
    cases = [hub.new_case(f"c{i}", {}, at=START) for i in range(count)]
    size, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    journal_bytes = sum(_journal_size(c) for c in cases[:100]) / min(100, count)
    return elapsed, size / count - journal_bytes


def _journal_size(case: pathway.Case) -> float:
    events = list(case.journal)
    total = sys.getsizeof(case._events)  # the list itself belongs to the journal
    for event in events:
        total += sys.getsizeof(event)
    return total


def attach_transitions(hub: pathway.Pathway, count: int) -> tuple[float, float]:
    """Seconds and bytes per model with ``Machine.add_model`` on one shared machine."""
    machine = transitions.Machine(
        model=None, states=list(hub.steps), initial=hub.start, auto_transitions=False
    )
    for t in hub.transitions:
        machine.add_transition(t.trigger, t.source, t.target)
    gc.collect()
    begin = time.perf_counter()
    for _ in range(count):
        machine.add_model(Model(hub.start, {}))
    elapsed = time.perf_counter() - begin
    machine.remove_model(list(machine.models))
    gc.collect()
    tracemalloc.start()
    for _ in range(min(count, 2_000)):
        machine.add_model(Model(hub.start, {}))
    size, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, size / min(count, 2_000)


def report(quick: bool) -> None:
    """Run every measurement and print a table with ratios."""
    n = 20_000 if quick else 200_000
    repeats = 1 if quick else 3
    print(
        f"python {platform.python_version()}, transitions {transitions.__version__}, "
        f"{platform.machine()}, {platform.processor() or 'cpu'}"
    )
    theirs = best_of(repeats, lambda: trigger_loop_transitions(n))
    for label, utc in (("naive local times", False), ("aware UTC times", True)):
        ours = best_of(repeats, partial(fire_loop_pathway, n, utc))
        print(
            f"guarded loop, {n} fires, {label}: pathway {n / ours:,.0f}/s (guards + journal), "
            f"transitions {n / theirs:,.0f}/s (guards, no journal): ratio {theirs / ours:.2f}x"
        )
    ours = best_of(repeats, lambda: fire_and_read_pathway(n))
    print(
        f"guarded loop, {n} fires, then every event read back: pathway {n / ours:,.0f}/s, "
        f"transitions {n / theirs:,.0f}/s: ratio {theirs / ours:.2f}x"
    )
    hub = pathway.load(ROOT / "pathways" / "recovery-hub-2017.yaml")
    cases = 2_000 if quick else 20_000
    ours_t, fires = nominal_journeys(hub, cases)
    theirs_t, _ = nominal_transitions(hub, cases)
    print(
        f"recovery-hub-2017 nominal path, {cases} cases, {fires} moves: pathway "
        f"{fires / ours_t:,.0f}/s (calendars, roles, journal), transitions "
        f"{fires / theirs_t:,.0f}/s: ratio {theirs_t / ours_t:.2f}x"
    )
    sizes = (10_000,) if quick else (10_000, 100_000)
    for count in sizes:
        ours_s, ours_b = attach_pathway(hub, count)
        theirs_s, theirs_b = attach_transitions(hub, count) if count <= 40_000 else (None, None)
        line = (
            f"attach {count:,} cases: pathway {ours_s:.3f}s, {ours_b:,.0f} B/case "
            f"beyond the journal"
        )
        if theirs_s is not None:
            line += (
                f"; transitions add_model {theirs_s:.3f}s, {theirs_b:,.0f} B/model: "
                f"time ratio {theirs_s / ours_s:.1f}x"
            )
        else:
            line += "; transitions add_model skipped above 40k (quadratic: minutes)"
        print(line)


def main() -> None:
    """``python -m benchmarks.engine_bench [--quick]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    report(parser.parse_args().quick)


if __name__ == "__main__":
    main()
