"""Measures of live cases, against journeys worked out by hand."""

from __future__ import annotations

from datetime import datetime

import pytest

from pathway import Case, Handoff, VisitAttended, VisitMissed, Worker
from pathway._journal._measures import measure_events
from shared_pathways import MINI_YAML
from test_engine_support import ENGINE_YAML, LONDON, load

MINI = load(MINI_YAML)
ENGINE = load(ENGINE_YAML)
D1, W1, W2 = Worker("d1", "duty"), Worker("w1", "worker"), Worker("w2", "worker")
X1 = Worker("x1", "doctor")
ALL_YES = {"proportionate": True, "legal": True, "accountable": True, "necessary": True}


def jan(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 1, day, hour, minute, tzinfo=LONDON)  # GMT: London time is UTC


def worked_journey() -> Case:
    """Tue 2 Jan 10:00 contact (visit, 10 min) -> booked assessment missed on Thu 4 Jan
    -> chased on Fri 5 -> assessed Tue 9 Jan 09:30-10:30 -> plan picked up by another
    worker at 10:40, PLAN decision 10:45 -> doctor Wed 10 Jan 10:00-10:30 -> done."""
    case = MINI.new_case("c1", {"needs_prescribing": True, "age": 30}, at=jan(2, 10))
    case.fire("refer", at=jan(2, 10, 10), by=D1)
    case.did_not_attend(at=jan(4, 9, 30))
    case.record_failure_demand("chase", at=jan(5, 12), note="phoned: when is my appointment?")
    case.begin(at=jan(9, 9, 30), by=W1)
    case.fire("assessed", at=jan(9, 10, 30), by=W1)
    case.begin(at=jan(9, 10, 40), by=W2)
    case.decide("plan_check", ALL_YES, at=jan(9, 10, 45), by=W2, rationale="needs prescribing")
    case.begin(at=jan(10, 10), by=X1)
    case.fire("prescribe", at=jan(10, 10, 30), by=X1)
    return case


def test_a_journey_worked_out_by_hand() -> None:
    m = worked_journey().measures()
    assert m.case_id == "c1"
    assert m.outcome == "done"
    # Tue 2 Jan 10:00 -> Wed 10 Jan 10:30 is 8 days and 30 minutes
    assert m.elapsed_minutes == 8 * 1440 + 30 == 11550
    # contact 10 + assess 60 + plan 5 + doctor 30
    assert m.touch_minutes == 105
    assert m.work_minutes == {"value": 105}
    assert m.waits == {
        "visit_gap": 2 * 1440 - 40,  # booked wait: Tue 10:10 -> the missed Thu 09:30
        "client": 5 * 1440,  # after the DNA: Thu 09:30 -> Tue 09:30
        "capacity": 10,  # plan waited 10:30 -> 10:40 for a worker of the same role
        "handoff": 1440 - 45,  # to the doctor, another organisation: Tue 10:45 -> Wed 10:00
    }
    assert m.touch_minutes + m.wait_minutes == m.elapsed_minutes
    assert m.flow_efficiency == pytest.approx(105 / 11550)
    assert m.visits == 3  # contact, assessment, doctor
    assert m.dnas == 1
    assert m.handoffs == {"worker": 1, "role": 0, "team": 1, "organisation": 1}
    assert m.total_handoffs == 3
    assert m.failure_demand == {"chase": 1}
    assert m.decisions == 1


def test_measures_are_the_same_from_the_journal_alone_and_after_replay() -> None:
    case = worked_journey()
    assert measure_events(case.journal) == case.measures()
    assert Case.from_json(MINI, case.to_json()).measures() == case.measures()


def test_an_open_case_is_measured_up_to_now_or_to_a_given_moment() -> None:
    case = MINI.new_case("c1", {}, at=jan(2, 10))
    case.fire("refer", at=jan(2, 10, 10), by=D1)
    assert case.measures().elapsed_minutes == 10
    assert case.measures().outcome is None
    assert case.measures(at=jan(3, 10, 0)).elapsed_minutes == 1440
    assert case.measures().waits == {}  # the wait is counted when it ends
    assert case.measures().flow_efficiency == pytest.approx(1.0)


def test_a_new_case_has_taken_no_time() -> None:
    m = MINI.new_case("c1", {}, at=jan(2, 10)).measures()
    assert (m.elapsed_minutes, m.flow_efficiency, m.visits) == (0, 0.0, 1)


def test_waste_work_is_touch_time_but_not_flow() -> None:
    case = ENGINE.new_case("e1", {"risk": "low", "age": 40}, at=jan(2, 10))
    case.fire("refer", at=jan(2, 10, 20), by=D1)  # contact is waste2 work: 20 minutes
    case.fire("book", at=jan(2, 10, 30), by=Worker("t1", "triage"))  # triage: value, 0 min
    m = case.measures()
    assert m.work_minutes == {"waste2": 20, "value": 0}
    assert m.touch_minutes == 20
    assert m.flow_efficiency == 0.0


@pytest.mark.parametrize(
    ("gap", "visits"),
    [(0, 1), (30, 1), (60, 1), (61, 2), (600, 2)],
)
def test_visits_in_a_row_within_an_hour_are_one_attendance(gap: int, visits: int) -> None:
    case = ENGINE.new_case("e1", {"risk": "low"}, at=jan(2, 10))
    case.fire("refer", at=jan(2, 10, 10), by=D1)  # contact ends 10:10
    triage = Worker("t1", "triage")
    case.begin(at=datetime.fromtimestamp(jan(2, 10, 10).timestamp() + gap * 60, LONDON), by=triage)
    assert case.measures().visits == visits


def test_a_dna_between_visits_makes_the_next_a_new_attendance() -> None:
    case = ENGINE.new_case("e1", {"risk": "low"}, at=jan(2, 10))
    case.fire("refer", at=jan(2, 10, 10), by=D1)
    case.did_not_attend(at=jan(2, 10, 20))
    case.begin(at=jan(2, 10, 40), by=Worker("t1", "triage"))
    assert case.measures().visits == 2
    assert case.measures().waits == {"handoff": 10, "client": 20}


def test_a_non_visit_step_between_visits_breaks_the_attendance() -> None:
    case = ENGINE.new_case("e1", {"risk": "high", "age": 40}, at=jan(2, 10))
    case.fire("refer", at=jan(2, 10, 10), by=D1)
    case.fire("assessed", at=jan(2, 10, 50), by=W1)  # on site from contact: one attendance
    assert case.measures().visits == 1
    case.decide("review_check", {"complete": False}, at=jan(2, 10, 55), by=W1)  # back to assess
    case.fire("assessed", at=jan(2, 11, 0), by=W1)  # 10 minutes later, but review between
    assert case.measures().visits == 2


def test_hand_offs_by_level_and_by_worker() -> None:
    facts = {"risk": "low", "age": 40, "needs_prescribing": True}
    case = ENGINE.new_case("e1", facts, at=jan(2, 9))
    case.fire("refer", at=jan(2, 9, 10), by=D1)  # duty -> triage: role
    case.fire("book", at=jan(2, 9, 20), by=Worker("t1", "triage"))  # triage -> worker: team
    case.fire("assessed", at=jan(4, 10), by=W1)  # same role, a worker is not named yet
    case.begin(at=jan(4, 10, 5), by=W2)  # same role, another worker: worker
    case.decide("review_check", {"complete": True}, at=jan(4, 10, 10), by=W2)  # same worker
    case.fire("see_doctor", at=jan(4, 10, 15), by=W2)  # worker -> doctor: organisation
    case.fire("refer_back", at=jan(5, 10), by=X1)  # doctor -> worker: organisation,
    case.begin(at=jan(8, 10), by=W1)  # counted when the new owner starts
    levels = [event.level for event in case.journal.of_type(Handoff)]
    assert levels == ["role", "team", "worker", "organisation", "organisation"]
    assert case.measures().handoffs == {"worker": 1, "role": 1, "team": 1, "organisation": 2}


def test_minutes_are_real_minutes_across_the_clock_change() -> None:
    """Sat 30 Mar 12:00 GMT to Sun 31 Mar 12:00 BST is 23 hours."""
    case = MINI.new_case("c1", {}, at=datetime(2024, 3, 30, 12, 0, tzinfo=LONDON))
    case.fire("refer", at=datetime(2024, 3, 31, 12, 0, tzinfo=LONDON), by=D1)
    assert case.measures().touch_minutes == 23 * 60
    assert case.measures().elapsed_minutes == 23 * 60
    rebuilt = Case.from_json(MINI, case.to_json())
    assert rebuilt.measures() == case.measures()


def _missed_assessment(rebooked_by_client: bool) -> Case:
    """Contact on Tue 2 Jan, assessment missed on Thu 4, attended on Tue 9 Jan."""
    case = MINI.new_case("c2", {"needs_prescribing": True, "age": 30}, at=jan(2, 10))
    case.fire("refer", at=jan(2, 10, 10), by=D1)
    case.did_not_attend(at=jan(4, 9, 30))
    if rebooked_by_client:
        case.record_failure_demand("re_presentation", at=jan(5, 11), note="rang to rebook")
    case.begin(at=jan(9, 9, 30), by=W1)
    return case


@pytest.mark.parametrize(("client", "expected"), [(True, "client"), (False, "service")])
def test_a_visit_rebooked_by_the_client_is_at_their_request(client: bool, expected: str) -> None:
    case = _missed_assessment(rebooked_by_client=client)
    visit = case.journal.of_type(VisitAttended)[-1]
    assert (visit.step, visit.requested_by) == ("assess", expected)
    assert case.measures().failure_demand == ({"re_presentation": 1} if client else {})
    rebuilt = Case.from_json(MINI, case.to_json())
    assert list(rebuilt.journal) == list(case.journal)


def test_a_re_presentation_without_a_missed_visit_changes_no_request() -> None:
    case = MINI.new_case("c3", {"needs_prescribing": True, "age": 30}, at=jan(2, 10))
    case.fire("refer", at=jan(2, 10, 10), by=D1)
    case.record_failure_demand("re_presentation", at=jan(3, 11))
    case.begin(at=jan(4, 9, 30), by=W1)
    assert case.journal.of_type(VisitAttended)[-1].requested_by == "service"


def test_a_client_rebooking_missed_again_is_missed_at_the_clients_request() -> None:
    case = MINI.new_case("c4", {"needs_prescribing": True, "age": 30}, at=jan(2, 10))
    case.fire("refer", at=jan(2, 10, 10), by=D1)
    case.did_not_attend(at=jan(4, 9, 30))
    case.record_failure_demand("re_presentation", at=jan(5, 11))
    case.did_not_attend(at=jan(9, 9, 30))
    case.begin(at=jan(11, 9, 30), by=W1)
    missed = case.journal.of_type(VisitMissed)
    assert [m.requested_by for m in missed] == ["service", "client"]
    assert case.journal.of_type(VisitAttended)[-1].requested_by == "service"
