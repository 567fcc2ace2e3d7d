"""Per-case measures, delay attribution and cohort summaries against hand-computed logs."""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pathway
from pathway import (
    CaseStarted,
    EventLog,
    FailureDemand,
    Handoff,
    OutcomeReached,
    StepCompleted,
    StepStarted,
    Transitioned,
    VisitAttended,
    VisitMissed,
    Waited,
    analyse,
)
from pathway._analysis._cases import case_table
from pathway._journal._measures import measure_events

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
DAY = 1440.0
SMALL = """
id: small
title: Small pathway
version: "1"
roles:
  r1: {title: Front desk, team: t1, organisation: o}
  r2: {title: Worker, team: t2, organisation: o}
steps:
  a: {title: Step A, role: r1, visit: true, requested_by: client, collects: [name, dob]}
  b: {title: Step B, role: r2, work: waste2, collects: [name, address]}
  c: {title: Step C, role: r2, visit: true, collects: [dob, name]}
  done: {title: Done, outcome: true}
transitions:
  - {trigger: go, from: a, to: b, p: 0.5}
  - {trigger: finish_early, from: a, to: done, p: 0.5}
  - {trigger: next, from: b, to: c}
  - {trigger: finish, from: c, to: done}
"""


def at(days: float = 0, minutes: float = 0) -> datetime:
    return T0 + timedelta(days=days, minutes=minutes)


def case_a(*, handoffs: bool = True) -> list[pathway.Event]:
    """Finished in 5 days 45 min: hand-off wait, waste step, a DNA and rebooking."""
    events: list[pathway.Event] = [
        CaseStarted("A", at(), "a", "small", "1", "h", {}),
        VisitAttended("A", at(), "a", 1, "client"),
        StepCompleted("A", at(0, 30), "a", "w1", "r1", at(), "value"),
        Transitioned("A", at(0, 30), "go", "a", "b", "w1", "r1"),
        FailureDemand("A", at(1), "chase", "b"),
        Waited("A", at(2), "b", at(0, 30), "handoff"),
        Handoff("A", at(2), "b", "a", "r1", "r2", "w1", "w2", "role"),
        StepStarted("A", at(2), "b", "w2", "r2"),
        StepCompleted("A", at(2, 60), "b", "w2", "r2", at(2), "waste2"),
        Transitioned("A", at(2, 60), "next", "b", "c", "w2", "r2"),
        Waited("A", at(3), "c", at(2, 60), "visit_gap"),
        VisitMissed("A", at(3), "c", "service"),
        Waited("A", at(5), "c", at(3), "client"),
        VisitAttended("A", at(5), "c", 2, "service"),
        Handoff("A", at(5), "c", "b", "r2", "r2", "w2", "w2", "worker"),
        StepCompleted("A", at(5, 45), "c", "w2", "r2", at(5), "value"),
        Transitioned("A", at(5, 45), "finish", "c", "done", "w2", "r2"),
        OutcomeReached("A", at(5, 45), "done"),
    ]
    return [e for e in events if handoffs or not isinstance(e, Handoff)]


def case_b() -> list[pathway.Event]:
    """Still open: one step done, then a re-presentation."""
    return [
        CaseStarted("B", at(0, 60), "a", "small", "1", "h", {}),
        StepCompleted("B", at(0, 70), "a", "w1", "r1", at(0, 60), "value"),
        Transitioned("B", at(0, 70), "go", "a", "b", "w1", "r1"),
        FailureDemand("B", at(0, 180), "re_presentation", "b"),
    ]


def case_c() -> list[pathway.Event]:
    """Finished in 20 minutes."""
    return [
        CaseStarted("C", at(0, 120), "a", "small", "1", "h", {}),
        StepCompleted("C", at(0, 140), "a", "w3", "r1", at(0, 120), "value"),
        Transitioned("C", at(0, 140), "finish_early", "a", "done", "w3", "r1"),
        OutcomeReached("C", at(0, 140), "done"),
    ]


@pytest.fixture
def small() -> pathway.Pathway:
    return pathway.load(SMALL)


@pytest.fixture
def log() -> EventLog:
    # Interleaved and out of order on purpose: the log sorts by case and time.
    return EventLog.from_events([*case_c(), *case_b(), *case_a()])


def test_case_order_is_arrival_order(log: EventLog) -> None:
    assert log.case_ids == ("A", "B", "C")


def test_per_case_measures_by_hand(log: EventLog, small: pathway.Pathway) -> None:
    table = case_table(log, small)
    a = 0
    assert table.end_to_end[a] == 5 * DAY + 45
    assert table.touch[a] == 135
    assert table.work[a].tolist() == [75, 0, 60, 0]
    assert table.wait("handoff")[a] == 2 * DAY - 30
    assert table.wait("visit_gap")[a] == DAY - 60
    assert table.wait("client")[a] == 2 * DAY
    assert table.visits[a] == 2
    assert table.dnas[a] == 1
    # the worker following themselves (w2 -> w2) is not a hand-off
    assert table.handoffs[a].tolist() == [0, 1, 0, 0]
    assert table.failure[a].tolist() == [1, 0, 0]
    assert table.fragmentation[a] == (2 * DAY - 30) + (DAY - 60) + 60
    assert table.flow_efficiency[a] == pytest.approx(75 / (5 * DAY + 45))
    assert table.repeated is not None
    assert table.repeated.tolist() == [3, 0, 0]  # name twice more, dob once more
    assert table.finished.tolist() == [True, False, True]
    assert [log.labels("step")[o] if o >= 0 else None for o in table.outcome] == [
        "done",
        None,
        "done",
    ]
    # the open case runs to its last event
    assert table.end_to_end[1] == 120


def test_repeated_information_is_unknown_without_a_pathway(log: EventLog) -> None:
    assert case_table(log).repeated is None
    report = analyse(log)
    assert report.to_dict()["repeated_information"] == {"known": False, "items": None}


def test_derived_handoffs_when_the_log_has_none(small: pathway.Pathway) -> None:
    log = EventLog.from_events(case_a(handoffs=False))
    # r1 -> r2 are different teams in the pathway; r2 -> r2 same worker: no hand-off
    assert case_table(log, small).handoffs[0].tolist() == [0, 0, 1, 0]
    assert case_table(log).handoffs[0].tolist() == [0, 1, 0, 0]


def test_attribution_to_transitions_and_steps(log: EventLog, small: pathway.Pathway) -> None:
    report = analyse(log, small)
    rows = {row.key: row for row in report.attribution.transitions}
    assert rows["a → b"].count == 1  # case B is open: out of scope
    assert rows["a → b"].delay_by_cause == {"handoff": 2 * DAY - 30}
    assert rows["b → c"].delay_by_cause == {"visit_gap": DAY - 60, "client": 2 * DAY}
    assert rows["b → c"].wait_median == 3 * DAY - 60
    assert rows["b → c"].touch_median == 45  # the work it led to
    assert rows["a → done"].count == 1
    assert rows["a → done"].delay == 0
    steps = {row.key: row for row in report.attribution.steps}
    assert steps["b"].waste_minutes == 60
    assert steps["c"].delay == 3 * DAY - 60
    assert report.attribution.total_delay == 5 * DAY - 90
    ranked = [(c.kind, c.key, c.minutes) for c in report.attribution.contributors]
    assert ranked == [
        ("transition", "a → b", 2 * DAY - 30),
        ("transition", "b → c", DAY - 60),
        ("step", "b", 60),
    ]
    assert report.attribution.total_fragmentation == 3 * DAY - 30


def test_headline_and_cohort(log: EventLog, small: pathway.Pathway) -> None:
    report = analyse(log, small)
    headline = report.headline
    median_e2e = (5 * DAY + 45 + 20) / 2
    median_fragmentation = (3 * DAY - 30) / 2
    assert headline.median_end_to_end_days == pytest.approx(median_e2e / DAY)
    assert headline.fragmentation_days == pytest.approx(median_fragmentation / DAY)
    assert headline.share == pytest.approx(median_fragmentation / median_e2e)
    assert headline.text.startswith(
        "Fragmentation adds 1.5 days to the median journey of 2.5 days (59% of it)"
    )
    assert "the wait before 'Step B' (hand-off)" in headline.text
    assert report.measures["visits"][0].median == 1.0  # cases A (2) and C (0)
    assert report.demand["value"] == 3
    assert report.demand["failure"] == 2
    assert report.demand["failure_by_kind"] == {"chase": 1, "re_presentation": 1, "re_referral": 0}
    assert report.demand["failure_share"] == pytest.approx(2 / 5)
    assert report.work["steps"] == {"value": 4, "waste1": 0, "waste2": 1, "waste3": 0}
    assert report.work["time_share"]["waste2"] == pytest.approx(60 / 165)
    assert report.appointments["by_requester"] == {"service": 2, "client": 1, "unknown": 0}
    assert report.appointments["dna_rate"] == pytest.approx(1 / 3)
    assert report.journey is not None
    assert report.journey.case_id == "A"  # a tie at the median: the earlier case wins
    assert report.outcomes[0] == {
        "outcome": "done",
        "cases": 2,
        "share": pytest.approx(2 / 3),
        "median_end_to_end_days": pytest.approx(median_e2e / DAY),
    }


def test_typical_journey_layout(log: EventLog, small: pathway.Pathway) -> None:
    journey = analyse(log, small).journey
    assert journey is not None
    assert journey.lanes == ("r1", "r2")
    assert [(s.step, s.start, s.end, s.visit) for s in journey.steps] == [
        ("a", 0, 30, True),
        ("b", 2 * DAY, 2 * DAY + 60, False),
        ("c", 5 * DAY, 5 * DAY + 45, True),
    ]
    kinds = [(m.kind, m.detail) for m in journey.marks]
    assert kinds == [
        ("visit", ""),
        ("failure_demand", "chase"),
        ("handoff", "role"),
        ("dna", ""),
        ("visit", ""),
    ]


def test_no_finished_case_uses_every_case() -> None:
    report = analyse(case_b())
    assert report.n_scope == 1
    assert "none has reached an outcome" in report.scope_label


def test_empty_log_does_not_crash() -> None:
    report = analyse([])
    assert report.headline.text == "No case in this log has a journey to measure yet."
    assert report.to_dict()["log"]["cases"] == 0


def _live_cohort(model: pathway.Pathway, cases: int, seed: int) -> list[pathway.Case]:
    spec = importlib.util.spec_from_file_location(
        "analysis_cohort", ROOT / "benchmarks" / "analysis_cohort.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("analysis_cohort", module)
    spec.loader.exec_module(module)
    result: list[pathway.Case] = module.live_cohort(model, cases, seed=seed)
    return result


def test_vectorised_measures_agree_with_live_case_measures() -> None:
    model = pathway.load(ROOT / "pathways" / "recovery-hub-2017.yaml")
    cases = _live_cohort(model, 60, seed=7)
    table = case_table(EventLog.from_cases(cases), model)
    by_id = {case_id: i for i, case_id in enumerate(table.case_ids)}
    for case in cases:
        expected = measure_events(case.journal)
        i = by_id[case.case_id]
        assert table.end_to_end[i] == pytest.approx(expected.elapsed_minutes)
        assert table.touch[i] == pytest.approx(expected.touch_minutes)
        assert table.visits[i] == expected.visits
        assert table.dnas[i] == expected.dnas
        assert table.handoffs[i].tolist() == [
            expected.handoffs[level] for level in ("worker", "role", "team", "organisation")
        ]
        for cause, minutes in expected.waits.items():
            assert table.wait(cause)[i] == pytest.approx(minutes)
        assert table.total_wait[i] == pytest.approx(expected.wait_minutes)
        for work, minutes in expected.work_minutes.items():
            index = ("value", "waste1", "waste2", "waste3").index(work)
            assert table.work[i, index] == pytest.approx(minutes)
        assert int(table.total_failure[i]) == sum(expected.failure_demand.values())


def test_attribution_adds_up_on_a_live_cohort() -> None:
    model = pathway.load(ROOT / "pathways" / "recovery-hub-2017.yaml")
    report = analyse(_live_cohort(model, 80, seed=11), model)
    scope = report.scope
    waits = report.cases.total_wait[scope].sum()
    assert sum(r.delay for r in report.attribution.transitions) == pytest.approx(waits)
    assert sum(r.delay for r in report.attribution.steps) == pytest.approx(waits)
    fragmentation = report.cases.fragmentation[scope].sum()
    assert report.attribution.total_fragmentation == pytest.approx(fragmentation)
    counts = {r.key: r.count for r in report.attribution.steps}
    completed = np.sum(report.cases.work_steps[scope])
    assert sum(counts.values()) == completed


def test_change_point_recalculates_chart_limits(log: EventLog, small: pathway.Pathway) -> None:
    whole = analyse(log, small)
    assert [len(chart.chart.segments) for chart in whole.charts] == [1, 1]
    split = analyse(log, small, change_at=1)  # the second finished case (C) starts anew
    segments = split.charts[0].chart.segments
    assert [(s.start, s.stop) for s in segments] == [(0, 1), (1, 2)]
    assert segments[1].mean == pytest.approx(20 / DAY)
    by_time = analyse(log, small, change_at=at(0, 90))  # C is the first to start after
    assert [(s.start, s.stop) for s in by_time.charts[0].chart.segments] == [(0, 1), (1, 2)]


@pytest.fixture(scope="module")
def simulated_events() -> list[pathway.Event]:
    """A few simulated Recovery Hub journeys, as journal events."""
    from pathway._sim._events import read_events

    hub = pathway.load(ROOT / "pathways" / "recovery-hub-2017.yaml")
    with __import__("tempfile").TemporaryDirectory() as folder:
        path = Path(folder) / "events.csv"
        pathway.simulate(hub, cases=12, seed=4, events=path)
        return list(read_events(path))


@given(data=st.data())
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_subset_of_a_log_is_analysed_or_refused(
    simulated_events: list[pathway.Event], data: st.DataObject
) -> None:
    """A log with events missing (a move without its wait, a wait without its move, a
    case cut short) is analysed, or refused with a PathwayError; never another error."""
    kinds = sorted({event.kind for event in simulated_events})
    dropped = data.draw(st.sets(st.sampled_from(kinds)), label="kinds dropped")
    rows = data.draw(st.sets(st.integers(0, len(simulated_events) - 1)), label="rows dropped")
    events = [
        event
        for index, event in enumerate(simulated_events)
        if event.kind not in dropped and index not in rows
    ]
    try:
        report = analyse(EventLog.from_events(events))
    except pathway.PathwayError:
        return
    assert report.log_info["events"] == len(events)
