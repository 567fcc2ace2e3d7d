"""Time in a setting (bed days): the ``settings``/``setting`` keys of format 2, and the
time each case spends in each setting, measured from the event log and the model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pathway
from pathway import DefinitionError
from pathway._analysis._settings import setting_times
from pathway._journal._eventlog import EventLog
from pathway._journal._events import (
    CaseStarted,
    Event,
    OutcomeReached,
    StepCompleted,
    Transitioned,
    Waited,
)

ROOT = Path(__file__).resolve().parent.parent
GATE = """\
format: 2
id: gate
title: Weekend gate
version: "1"
settings:
  acute_bed: {title: Acute hospital bed, bed_days: true}
  home: {title: At home}
roles:
  ward: {team: ward, organisation: hospital, capacity: 3}
  ic: {team: ic, organisation: community, capacity: 2}
steps:
  on_ward: {role: ward, duration: 1d, setting: acute_bed}
  referral: {role: ward, duration: 30m, setting: acute_bed}
  accept: {role: ic, duration: 30m}
  ic_care: {role: ic, duration: 2d, setting: home}
  home: {outcome: true}
transitions:
  - {trigger: refer, from: on_ward, to: referral}
  - {trigger: send, from: referral, to: accept, wait: 1h, cause: referral}
  - {trigger: accepted, from: accept, to: ic_care, p: 0.8, setting: home, wait: 1d}
  - {trigger: rejected, from: accept, to: referral, setting: acute_bed}
  - {trigger: done, from: ic_care, to: home}
arrivals: {rate: 5/d}
"""


def load_problems(text: str) -> list[pathway.Problem]:
    with pytest.raises(DefinitionError) as caught:
        pathway.load(text, name="p.yaml")
    return list(caught.value.problems)


def test_settings_compile_with_titles_and_bed_days() -> None:
    gate = pathway.load(GATE)
    assert list(gate.settings) == ["acute_bed", "home"]
    assert gate.settings["acute_bed"].bed_days
    assert not gate.settings["home"].bed_days
    assert gate.steps["on_ward"].setting == "acute_bed"
    moves = {t.trigger: gate.wait_setting(t) for t in gate.transitions}
    # own setting, else the setting of the step the case leaves (none for 'accept')
    assert moves == {
        "refer": "acute_bed",
        "send": "acute_bed",
        "accepted": "home",
        "rejected": "acute_bed",
        "done": "home",
    }


def test_setting_in_a_version_1_file_is_a_newer_format_problem_at_the_key() -> None:
    text = GATE.replace("format: 2\n", "format: 1\n")
    problems = load_problems(text)
    assert {p.code for p in problems} == {"newer-format"}
    first = next(p for p in problems if p.field == "steps.on_ward.setting")
    line = text.splitlines().index("  on_ward: {role: ward, duration: 1d, setting: acute_bed}")
    assert (first.line, first.column) == (line + 1, text.splitlines()[line].index("setting") + 1)
    assert any(p.field == "settings" and p.line == 5 for p in problems)


def test_an_undeclared_setting_is_an_unknown_reference_with_a_suggestion() -> None:
    problems = load_problems(GATE.replace("setting: home, wait", "setting: hom, wait"))
    assert [p.code for p in problems] == ["unknown-reference"]
    assert problems[0].field == "transitions[2].setting"
    assert "did you mean 'home'" in problems[0].suggestion


# The shipped files keep their version-1 content hashes once their format-2 keys are
# taken out: tests/test_observed.py::test_shipped_files_changed_only_by_format_2_keys.


# -- time in a setting on random logs ------------------------------------------------------

T0 = datetime(2024, 1, 1, tzinfo=UTC)


@st.composite
def journeys(draw: st.DrawFn) -> tuple[list[Event], dict[str, dict[str, float]]]:
    """Random journeys through GATE (with waits split in pieces, as the simulator
    splits them by cause) and each case's expected minutes by setting."""
    gate = pathway.load(GATE)
    events: list[Event] = []
    expected: dict[str, dict[str, float]] = {}
    for case in range(draw(st.integers(1, 4))):
        case_id, now = f"c{case}", T0 + timedelta(minutes=draw(st.integers(0, 500)))
        events.append(CaseStarted(case_id, now, "on_ward", "gate", "1", gate.content_hash, {}))
        totals = expected.setdefault(case_id, {})
        step, last_move = "on_ward", None
        for _ in range(draw(st.integers(1, 8))):
            moves = gate.outgoing(step)
            if not moves:
                break
            for _piece in range(draw(st.integers(0 if last_move is None else 1, 3))):
                minutes = draw(st.integers(1, 3000))
                events.append(
                    Waited(case_id, now + timedelta(minutes=minutes), step, now, "handoff")
                )
                # a first wait has no step before it: no setting
                where = gate.wait_setting(last_move) if last_move else None
                if where:
                    totals[where] = totals.get(where, 0.0) + minutes
                now += timedelta(minutes=minutes)
            minutes = draw(st.integers(0, 3000))
            events.append(
                StepCompleted(case_id, now + timedelta(minutes=minutes), step, None, None, now)
            )
            now += timedelta(minutes=minutes)
            if gate.steps[step].setting:
                where = gate.steps[step].setting or ""
                totals[where] = totals.get(where, 0.0) + minutes
            move = moves[draw(st.integers(0, len(moves) - 1))]
            events.append(Transitioned(case_id, now, move.trigger, step, move.target, None, None))
            step, last_move = move.target, move
            if gate.steps[step].outcome:
                events.append(OutcomeReached(case_id, now, step))
                break
    return events, expected


@settings(max_examples=60, deadline=None)
@given(journeys())
def test_time_in_a_setting_is_the_sum_of_its_steps_and_waits(
    drawn: tuple[list[Event], dict[str, dict[str, float]]],
) -> None:
    events, expected = drawn
    gate = pathway.load(GATE)
    log = EventLog.from_events(events)
    found = setting_times(log, gate)
    for row, case_id in enumerate(log.case_ids):
        for column, name in enumerate(found.settings):
            want = expected[case_id].get(name, 0.0)
            assert found.minutes[row, column] == pytest.approx(want, abs=1e-6)
    assert np.allclose(found.bed_day_minutes, found.of("acute_bed"))


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_the_strategies_generate_settings_that_load(data: st.DataObject) -> None:
    from pathway._define._compile import compile_spec
    from pathway.testing import pathways

    generated = compile_spec(data.draw(pathways()))
    for step in generated.steps.values():
        assert step.setting is None or step.setting in generated.settings
    for move in generated.transitions:
        assert move.setting is None or move.setting in generated.settings


def test_the_strategies_can_generate_settings() -> None:
    from hypothesis import find

    from pathway.testing import pathways

    found = find(pathways(), lambda spec: any(s.setting for s in spec.steps.values()))
    assert found.format == 2
    assert found.settings
