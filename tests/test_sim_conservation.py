"""Conservation: every arrival ends in exactly one outcome or is in flight; no event lost.

The event log written to disk is counted against the events the kernel produced, and
read back: one case_started per arrival, one outcome_reached per finished case, and the
journal's own measure_events agrees with the streamed per-case measures.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import pytest

import pathway
from pathway import simulate
from pathway._journal._measures import measure_events
from pathway._sim._events import read_events

np = pytest.importorskip("numpy")
PATHWAYS = Path(__file__).resolve().parent.parent / "pathways"


@pytest.mark.parametrize("name", ["recovery-hub-2017", "recovery-hub-2018", "review-round"])
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_every_arrival_ends_once_or_is_in_flight(tmp_path: Path, name: str, suffix: str) -> None:
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    log = tmp_path / f"events{suffix}"
    result = simulate(PATHWAYS / f"{name}.yaml", cases=150, seed=3, horizon="20d", events=log)
    counts = result.conservation()
    assert counts["arrived"] == counts["finished"] + counts["in_flight"]
    assert counts["in_flight"] > 0  # the 20-day horizon cuts some journeys short
    assert counts["events_written"] == counts["events_produced"] > 0
    events = list(read_events(log))
    assert len(events) == counts["events_written"]
    kinds = Counter(e.kind for e in events)
    assert kinds["case_started"] == counts["arrived"]
    assert kinds["outcome_reached"] == counts["finished"]
    ended = Counter(e.case_id for e in events if e.kind == "outcome_reached")
    assert set(ended.values()) <= {1}
    outcome = result.measures()["outcome"]
    assert sum(o is not None for o in outcome) == counts["finished"]


def test_event_log_measures_agree_with_streamed_measures(tmp_path: Path) -> None:
    # Simulation time is wall-clock time; elapsed time across a clock change differs by
    # the hour the clocks moved. In UTC the two agree exactly.
    text = (PATHWAYS / "recovery-hub-2017.yaml").read_text(encoding="utf-8")
    model = pathway.load(text.replace("timezone: Europe/London", "timezone: UTC"))
    log = tmp_path / "events.csv"
    result = simulate(model, cases=80, seed=5, events=log)
    journals = defaultdict(list)
    for event in read_events(log):
        journals[event.case_id].append(event)
    for streamed in result.to_measures():
        derived = measure_events(journals[streamed.case_id])
        assert derived.outcome == streamed.outcome
        assert derived.visits == streamed.visits
        assert derived.dnas == streamed.dnas
        assert dict(derived.handoffs) == dict(streamed.handoffs)
        assert derived.failure_demand == streamed.failure_demand
        assert derived.touch_minutes == pytest.approx(streamed.touch_minutes, abs=0.01)
        assert derived.elapsed_minutes == pytest.approx(streamed.elapsed_minutes, abs=0.01)
        for cause in set(derived.waits) | set(streamed.waits):
            assert derived.waits.get(cause, 0) == pytest.approx(
                streamed.waits.get(cause, 0), abs=0.05
            )


def test_stuck_cases_stay_in_flight() -> None:
    # A guard that never holds leaves the case with nowhere to go: it is in flight.
    model = pathway.load(
        """
id: stuck
title: Stuck
version: "1"
purpose: test
timezone: UTC
start: first
facts:
  ready: {type: bool, distribution: {bernoulli: 0.0}}
roles:
  worker: {team: t, organisation: o}
steps:
  first: {title: First, role: worker, duration: 10m}
  done: {title: Done, outcome: true}
transitions:
  - {trigger: finish, from: first, to: done, when: ready}
arrivals:
  rate: 1/h
"""
    )
    result = simulate(model, cases=5, seed=1, pure=True)
    assert result.conservation()["stuck"] == 5
    assert result.in_flight == 5
    assert result.finished == 0


def test_an_overloaded_queue_grows_the_case_slots_and_stays_first_come_first_served() -> None:
    # One worker, 10-minute steps, an arrival a minute: the queue grows without bound,
    # far past the first 256 case slots. Cases are served in arrival order.
    model = pathway.load(
        """
id: overload
title: Overload
version: "1"
purpose: test
timezone: UTC
start: first
roles:
  worker: {team: t, organisation: o}
steps:
  first: {title: First, role: worker, duration: 10m}
  done: {title: Done, outcome: true}
transitions:
  - {trigger: finish, from: first, to: done}
arrivals:
  rate: 1/m
"""
    )
    for pure in (True, False):
        result = simulate(model, cases=1500, seed=2, pure=pure)
        assert result.finished == 1500
        ends = result.measures()["end_minutes"]
        assert np.all(np.diff(ends) > 0)
        assert ends[-1] == pytest.approx(ends[0] + 1499 * 10)


ENDLESS = """\
id: endless
title: A review that always sends the case back, in no time
version: "1"
roles:
  clerk: {team: t, organisation: o, capacity: 1}
facts:
  ready: {type: bool, distribution: {bernoulli: 0.0}}
steps:
  review: {role: clerk, duration: 0}
  done: {outcome: true}
checkpoints:
  check:
    at: review
    questions:
      ok: {when: "ready"}
    routes:
      - {when: "ok", to: done}
    otherwise: review
arrivals:
  rate: 1/d
"""


@pytest.mark.parametrize("pure", [False, True])
def test_a_loop_that_never_ends_leaves_its_cases_stuck_not_the_run(pure: bool) -> None:
    """A case sent round a loop forever (here in no time at all) stops after
    MAX_CASE_STEPS steps and is counted stuck, so the run ends and still balances."""
    from pathway._sim._layout import MAX_CASE_STEPS

    result = pathway.simulate(pathway.load(ENDLESS), cases=3, seed=1, pure=pure)
    counts = result.conservation()
    assert counts["stuck"] == 3
    assert counts["arrived"] == counts["finished"] + counts["in_flight"]
    assert (result.measures()["steps"] == MAX_CASE_STEPS).all()
