"""Waits split by cause, on small scenarios checkable by hand (fixed times throughout).

Each scenario starts on Monday 2017-10-02 (UTC, so no clock changes) with fixed touch
times and fixed arrival times; the expected minutes are worked out in the comments.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import pathway
from pathway import Event, FailureDemand, SimulationResult, VisitAttended, VisitMissed, simulate
from pathway._sim._events import read_events

pytest.importorskip("numpy")

HEADER = """
id: scenario
title: Scenario
version: "1"
purpose: test the simulator
timezone: UTC
start: first
"""
ONE_WORKER = """
roles:
  worker: {team: t, organisation: o, capacity: 1}
"""


def run(text: str, **options: object) -> SimulationResult:
    options.setdefault("pure", True)
    return simulate(pathway.load(HEADER + text), seed=7, **options)  # type: ignore[arg-type]


def waits(result: SimulationResult, case: int = 0) -> dict[str, float]:
    measures = result.measures()
    causes = ("handoff", "visit_gap", "calendar", "capacity", "approval", "external", "client")
    found = {c: float(measures[f"wait_{c}_minutes"][case]) for c in causes}
    return {c: round(v, 3) for c, v in found.items() if v}


def test_step_calendar_gate_is_a_calendar_wait() -> None:
    # first: Mon 09:00-09:30. second opens only Tuesday 09:00: waits 23 h 30 m for the
    # calendar; its worker is free, so no capacity wait. Done Tue 09:20.
    result = run(
        ONE_WORKER
        + """
calendars:
  tuesday_session: {open: {tue: "09:00-10:00"}}
steps:
  first: {title: First, role: worker, duration: 30m}
  second: {title: Second, role: worker, calendar: tuesday_session, duration: 20m}
  done: {title: Done, outcome: true}
transitions:
  - {trigger: go, from: first, to: second}
  - {trigger: finish, from: second, to: done}
arrivals:
  at: ["2017-10-02T09:00"]
"""
    )
    assert waits(result) == {"calendar": 23 * 60 + 30}
    assert result.measures()["end_to_end_minutes"][0] == pytest.approx(24 * 60 + 20)


def test_busy_single_worker_is_a_capacity_wait() -> None:
    # One worker, 60-minute step. Case 0 arrives 09:00, case 1 at 09:10: case 1 waits
    # 50 minutes for the worker; case 2 at 09:20 waits for both: 100 minutes.
    result = run(
        ONE_WORKER
        + """
steps:
  first: {title: First, role: worker, duration: 1h}
  done: {title: Done, outcome: true}
transitions:
  - {trigger: finish, from: first, to: done}
arrivals:
  at: ["2017-10-02T09:00", "2017-10-02T09:10", "2017-10-02T09:20"]
"""
    )
    assert [waits(result, i) for i in range(3)] == [{}, {"capacity": 50}, {"capacity": 100}]


def test_gated_case_does_not_block_those_behind_it() -> None:
    # One worker; step x (``first``) only in the Monday 09:00-09:30 session, then step y (any time),
    # 20 minutes each. a arrives 09:00, b 09:05, c 09:25.
    #   09:00 a starts x.  09:20 a done, queues for y behind b (x) and c (x); b starts x.
    #   09:40 b done; c is next but the session has closed: c is passed over and a
    #   starts y (a waited 20 minutes). 10:00 b starts y. c waits for next Monday 09:00.
    # c's wait counts as capacity: its window was open when it queued, and it would have
    # started then had a worker been free (the calendar share is what it would have
    # waited with unlimited workers: none).
    result = run(
        ONE_WORKER
        + """
calendars:
  session: {open: {mon: "09:00-09:30"}}
steps:
  first: {title: X, role: worker, calendar: session, duration: 20m}
  y: {title: Y, role: worker, duration: 20m}
  done: {title: Done, outcome: true}
transitions:
  - {trigger: next, from: first, to: y}
  - {trigger: finish, from: y, to: done}
arrivals:
  at: ["2017-10-02T09:00", "2017-10-02T09:05", "2017-10-02T09:25"]
"""
    )
    assert [waits(result, i) for i in range(3)] == [
        {"capacity": 20},
        {"capacity": 15 + 20},
        {"capacity": 7 * 1440 - 25},
    ]
    took = result.measures()["end_to_end_minutes"]
    assert list(took) == [60, 75, 7 * 1440 - 25 + 40]


BOOKED = (
    ONE_WORKER
    + """
steps:
  first: {title: First, role: worker, duration: 10m}
  visit: {title: Visit, role: worker, visit: true, duration: 30m}
  done: {title: Done, outcome: true}
transitions:
  - {trigger: book, from: first, to: visit, wait: 2d, cause: booking, dna: 0.4}
  - {trigger: finish, from: visit, to: done}
arrivals:
  rate: 1/w
"""
)


def test_dna_rebooks_with_a_client_wait() -> None:
    # The first wait (2 days) is the booking lead time (visit gap); each missed visit is
    # a DNA and another 2-day wait, the client's. The service rebooks (the default):
    # no failure demand, and the visit stays the service's.
    result = run(BOOKED, cases=300)
    m = result.measures()
    assert m["dnas"].sum() > 50
    for case in range(300):
        dnas = int(m["dnas"][case])
        assert m["wait_visit_gap_minutes"][case] == pytest.approx(2 * 1440)
        assert m["wait_client_minutes"][case] == pytest.approx(dnas * 2 * 1440)
        assert m["failure_re_presentation"][case] == 0
        assert m["visits"][case] == m["visits_service"][case] == 1
    share = m["dnas"].sum() / (m["dnas"].sum() + m["appointments"].sum())
    assert share == pytest.approx(0.4, abs=0.05)


@pytest.mark.parametrize("client_rebooks", [1.0, 0.5])
def test_a_client_who_rebooks_is_failure_demand_and_asks_for_the_visit(
    client_rebooks: float,
) -> None:
    text = BOOKED.replace("dna: 0.4}", f"dna: 0.4, client_rebooks: {client_rebooks}}}")
    result = run(text, cases=600)
    m = result.measures()
    rebooked_by_client = m["failure_re_presentation"]
    assert (rebooked_by_client <= m["dnas"]).all()
    share = rebooked_by_client.sum() / m["dnas"].sum()
    assert share == pytest.approx(client_rebooks, abs=0.08)
    # the visit attended is the client's when the last booking was the client's
    client_visits = m["visits_client"]
    assert ((client_visits == 1) | (m["visits_service"] == 1)).all()
    if client_rebooks == 1.0:
        assert (client_visits == (m["dnas"] > 0)).all()
    else:
        assert 0 < client_visits.sum() < (m["dnas"] > 0).sum()


def test_each_full_chase_after_of_waiting_is_a_chase() -> None:
    # A 10-day external wait with chase_after 3d: chases at days 3, 6 and 9.
    result = run(
        ONE_WORKER
        + """
steps:
  first: {title: First, role: worker, duration: 10m}
  done: {title: Done, outcome: true}
transitions:
  - {trigger: refer, from: first, to: done, wait: 10d, cause: external, chase_after: 3d}
arrivals:
  at: ["2017-10-02T09:00"]
"""
    )
    assert waits(result) == {"external": 10 * 1440}
    assert result.measures()["failure_chase"][0] == 3


@pytest.mark.parametrize(
    ("declared", "cause"),
    [
        ("booking", "visit_gap"),
        ("referral", "handoff"),
        ("handoff", "handoff"),
        ("approval", "approval"),
        ("external", "external"),
        ("client", "client"),
    ],
)
def test_declared_wait_keeps_its_cause(declared: str, cause: str) -> None:
    result = run(
        ONE_WORKER
        + f"""
steps:
  first: {{title: First, role: worker, duration: 10m}}
  second: {{title: Second, role: worker, duration: 10m}}
  done: {{title: Done, outcome: true}}
transitions:
  - {{trigger: go, from: first, to: second, wait: 3h, cause: {declared}}}
  - {{trigger: finish, from: second, to: done}}
arrivals:
  at: ["2017-10-02T09:00"]
"""
    )
    assert waits(result) == {cause: 180}


def test_role_off_duty_is_a_calendar_wait() -> None:
    # The worker's role works 09:00-17:00; a case arriving 17:30 waits till 09:00.
    result = run(
        """
calendars:
  office: {open: {mon-fri: "09:00-17:00"}}
roles:
  worker: {team: t, organisation: o, capacity: 1, calendar: office}
steps:
  first: {title: First, role: worker, duration: 10m}
  done: {title: Done, outcome: true}
transitions:
  - {trigger: finish, from: first, to: done}
arrivals:
  at: ["2017-10-02T17:30"]
"""
    )
    assert waits(result) == {"calendar": 15 * 60 + 30}


def test_visits_within_same_visit_window_are_one_attendance() -> None:
    # Two visit steps back to back are one attendance; after a 2-hour gap, a second.
    result = run(
        ONE_WORKER
        + """
steps:
  first: {title: First, role: worker, visit: true, duration: 20m}
  second: {title: Second, role: worker, visit: true, duration: 20m}
  third: {title: Third, role: worker, visit: true, duration: 20m}
  done: {title: Done, outcome: true}
transitions:
  - {trigger: go, from: first, to: second}
  - {trigger: later, from: second, to: third, wait: 2h, cause: booking}
  - {trigger: finish, from: third, to: done}
arrivals:
  at: ["2017-10-02T09:00"]
"""
    )
    assert result.measures()["visits"][0] == 2


def test_handoffs_by_level_and_worker_changes() -> None:
    # duty -> recovery (another team) is a team hand-off; two recovery steps with a
    # second case in between keep the named worker (continuity): no worker hand-off.
    result = run(
        """
roles:
  duty: {team: front, organisation: hub, capacity: 1}
  recovery: {team: recovery, organisation: hub, capacity: 2}
  gp: {team: practice, organisation: nhs, capacity: 1}
steps:
  first: {title: First, role: duty, duration: 10m}
  assess: {title: Assess, role: recovery, duration: 30m}
  plan: {title: Plan, role: recovery, duration: 30m}
  refer: {title: Refer, role: gp, duration: 10m}
  done: {title: Done, outcome: true}
transitions:
  - {trigger: a, from: first, to: assess, wait: 1h, cause: handoff}
  - {trigger: b, from: assess, to: plan, wait: 1h, cause: booking}
  - {trigger: c, from: plan, to: refer, wait: 1h, cause: referral}
  - {trigger: d, from: refer, to: done}
arrivals:
  at: ["2017-10-02T09:00", "2017-10-02T09:05"]
"""
    )
    m = result.measures()
    for case in range(2):
        assert m["handoffs_team"][case] == 1
        assert m["handoffs_organisation"][case] == 1
        assert m["handoffs_worker"][case] == 0


def test_repeated_collection_counts_items_asked_again() -> None:
    result = run(
        ONE_WORKER
        + """
steps:
  first: {title: First, role: worker, duration: 10m, collects: [name, address]}
  second: {title: Second, role: worker, duration: 10m, collects: [name, address, goals]}
  done: {title: Done, outcome: true}
transitions:
  - {trigger: go, from: first, to: second}
  - {trigger: finish, from: second, to: done}
arrivals:
  at: ["2017-10-02T09:00"]
"""
    )
    assert result.measures()["repeated_collection"][0] == 2


def test_start_date_on_another_weekday_keeps_calendars_right() -> None:
    # Starting on Wednesday 2017-10-04: the Tuesday session is six days away.
    result = run(
        ONE_WORKER
        + """
calendars:
  tuesday_session: {open: {tue: "09:00-10:00"}, closures: ["2017-10-10"]}
steps:
  first: {title: First, role: worker, duration: 30m}
  second: {title: Second, role: worker, calendar: tuesday_session, duration: 20m}
  done: {title: Done, outcome: true}
transitions:
  - {trigger: go, from: first, to: second}
  - {trigger: finish, from: second, to: done}
arrivals:
  at: ["2017-10-04T09:00"]
""",
        start="2017-10-04",
    )
    # Tuesday 10 October is closed: the session after is Tuesday 17 October.
    assert waits(result) == {"calendar": 13 * 1440 - 30}


def test_horizon_without_a_case_count_takes_every_arrival_before_it() -> None:
    result = run(BOOKED, horizon="30w", warmup="4w")
    arrivals = result.measures()["arrival_minutes"]
    assert 15 <= len(arrivals) <= 50
    assert arrivals.max() <= 30 * 10080
    assert result.arrived == result.finished + result.in_flight


def test_the_event_log_tells_the_same_rebooking_story_as_a_live_case(tmp_path: Path) -> None:
    # Each missed visit the person rebooks is followed by their failure-demand contact,
    # and the visit they then attend (or miss again) is at their request.
    text = BOOKED.replace("dna: 0.4}", "dna: 0.4, client_rebooks: 0.5}")
    log = tmp_path / "events.csv"
    run(text, cases=200, events=log)
    by_case: dict[str, list[Event]] = {}
    for event in read_events(log):
        by_case.setdefault(event.case_id, []).append(event)
    told = 0
    for events in by_case.values():
        client_rebooked = False
        for event in events:
            if isinstance(event, FailureDemand):
                assert event.demand == "re_presentation"
                client_rebooked = True
                told += 1
            elif isinstance(event, VisitMissed):
                assert event.requested_by == ("client" if client_rebooked else "service")
                client_rebooked = False
            elif isinstance(event, VisitAttended):
                assert event.requested_by == ("client" if client_rebooked else "service")
    assert told > 10


def _doctor_after_a_visit(dna_applies: str, arrive: str, cases: int = 400) -> str:
    # A visit (10 minutes, as many workers as cases), then straight on to a doctor's clinic held on
    # weekday mornings; a missed doctor's appointment is rebooked for a day later.
    times = ", ".join(f'"2017-10-02T{arrive}"' for _ in range(cases))
    return f"""
roles:
  staff: {{team: t, organisation: o, capacity: {cases}}}
calendars:
  clinic: {{open: {{"mon, tue, wed, thu, fri": "09:00-12:00"}}}}
steps:
  first: {{title: First, role: staff, visit: true, duration: 10m}}
  doctor: {{title: Doctor, role: staff, visit: true, calendar: clinic, duration: 20m}}
  done: {{title: Done, outcome: true}}
transitions:
  - {{trigger: to_doctor, from: first, to: doctor, wait: 0m, cause: handoff, dna: 0.5,
      dna_applies: {dna_applies}, rebook_wait: 1d}}
  - {{trigger: finish, from: doctor, to: done}}
arrivals:
  at: [{times}]
"""


def test_booked_later_cannot_miss_a_visit_seen_on_the_spot() -> None:
    # Arriving Monday 09:00, the clinic is open when the first visit ends: seen there
    # and then, one attendance, nobody misses it. With 'always', half would.
    on_the_spot = run(_doctor_after_a_visit("booked_later", "09:00:00")).measures()
    assert on_the_spot["dnas"].sum() == 0
    assert (on_the_spot["visits"] == 1).all()
    always = run(_doctor_after_a_visit("always", "09:00:00")).measures()
    assert always["dnas"].sum() > 100


def test_booked_later_misses_a_later_day_appointment_and_rebooks_after_its_own_wait() -> None:
    # Arriving Monday 13:00, the clinic has shut: an appointment on Tuesday 09:00, missed
    # half the time; each miss waits rebook_wait (1 day) to the next morning's clinic.
    m = run(_doctor_after_a_visit("booked_later", "13:00:00")).measures()
    dnas = m["dnas"]
    share = dnas.sum() / (dnas.sum() + len(dnas))
    assert share == pytest.approx(0.5, abs=0.06)
    assert list(m["wait_client_minutes"]) == pytest.approx(list(dnas * 1440.0))
    # Monday 13:10 to Tuesday 09:00, and a weekend for every rebooking that lands on a
    # Saturday: misses 1-4 fall Tuesday to Friday, then every fifth is a Friday again.
    weekends = (dnas + 1) // 5
    assert weekends.max() >= 1
    expected = 20 * 60 - 10 + weekends * 2 * 1440.0
    assert list(m["wait_calendar_minutes"]) == pytest.approx(list(expected))
    assert (m["visits"] == 2).all()
