"""Structural diff: identical pathways, renamed ids, field changes, the Recovery Hub pair."""

from __future__ import annotations

from pathlib import Path

import pytest

import pathway
from pathway._diff._structural import structural_diff

ROOT = Path(__file__).resolve().parent.parent
BASE = """
id: mini
title: Mini
version: "1"
calendars:
  clinic: {open: {"tue, thu": "09:30-12:30"}}
  office: {open: {"mon-fri": "09:00-17:00"}}
roles:
  duty: {team: front, organisation: hub, calendar: office}
  worker: {team: recovery, organisation: hub, calendar: office}
steps:
  contact: {role: duty, visit: true, duration: 10m}
  full_assessment: {role: worker, visit: true, duration: 1h, calendar: clinic, collects: [history]}
  done: {outcome: true}
transitions:
  - {trigger: refer, from: contact, to: full_assessment, wait: 3d, cause: booking}
  - {trigger: finish, from: full_assessment, to: done}
"""


def load(text: str) -> pathway.Pathway:
    return pathway.load(text)


def test_identical_pathways_have_no_changes() -> None:
    diff = structural_diff(load(BASE), load(BASE))
    assert diff.identical
    assert diff.changes == ()
    assert diff.summary() == ["no structural change: the two pathways have the same content"]


def test_layout_and_comments_do_not_count_as_changes() -> None:
    reformatted = "# a comment\n" + BASE.replace("duration: 10m", "duration: '10m'")
    assert structural_diff(load(BASE), load(reformatted)).changes == ()


def test_a_renamed_step_is_reported_as_a_rename_not_a_removal() -> None:
    renamed = BASE.replace("full_assessment", "assessment")
    diff = structural_diff(load(BASE), load(renamed))
    steps = diff.by_section("steps")
    assert [(c.kind, c.old_id, c.id) for c in steps] == [
        ("renamed", "full_assessment", "assessment")
    ]
    assert steps[0].fields == ()
    # transitions into and out of the renamed step are the same transitions
    assert diff.by_section("transitions") == ()
    assert "treats step 'full assessment' (full_assessment) as renamed to 'assessment'" in (
        diff.summary()
    )


def test_field_changes_are_listed_field_by_field() -> None:
    changed = BASE.replace("duration: 1h", "duration: 45m").replace("wait: 3d", "wait: 1d")
    diff = structural_diff(load(BASE), load(changed))
    (step,) = diff.by_section("steps")
    assert (step.kind, step.id) == ("changed", "full_assessment")
    assert [(f.field, f.old, f.new) for f in step.fields] == [("duration", "1h", "45m")]
    (move,) = diff.by_section("transitions")
    assert [(f.field, f.old, f.new) for f in move.fields] == [("wait", "3d", "1d")]


def test_an_unrelated_new_step_is_added_not_renamed() -> None:
    extended = BASE.replace(
        "  done: {outcome: true}",
        "  doctor: {role: worker, visit: true, duration: 30m}\n  done: {outcome: true}",
    ).replace(
        "  - {trigger: finish, from: full_assessment, to: done}",
        "  - {trigger: see_doctor, from: full_assessment, to: doctor, wait: 2d, cause: booking}\n"
        "  - {trigger: finish, from: doctor, to: done}",
    )
    diff = structural_diff(load(BASE), load(extended))
    kinds = {(c.section, c.kind, c.id) for c in diff.changes}
    assert ("steps", "added", "doctor") in kinds
    assert not any(c.kind == "renamed" for c in diff.changes)
    assert "adds 1 visit on the nominal path (2 -> 3)" in diff.summary()


def test_widening_a_calendar_gate_is_said_in_words() -> None:
    wider = BASE.replace('"tue, thu": "09:30-12:30"', '"mon-fri": "09:30-12:30"')
    summary = structural_diff(load(BASE), load(wider)).summary()
    assert (
        "widens the calendar gate 'clinic' from Tue, Thu 09:30-12:30 to Mon-Fri 09:30-12:30"
        in summary
    )


@pytest.fixture(scope="module")
def hub_diff() -> object:
    old = pathway.load(ROOT / "pathways" / "recovery-hub-2017.yaml")
    new = pathway.load(ROOT / "pathways" / "recovery-hub-2018.yaml")
    return structural_diff(old, new)


def test_recovery_hub_redesign_removes_visits_handoffs_and_waste(hub_diff: object) -> None:
    diff = hub_diff
    assert isinstance(diff, type(structural_diff(load(BASE), load(BASE))))
    assert diff.new_nominal.visits < diff.old_nominal.visits
    assert diff.new_nominal.visits == 1
    assert diff.new_nominal.total_handoffs < diff.old_nominal.total_handoffs
    assert len(diff.new_nominal.waste_steps) < len(diff.old_nominal.waste_steps)
    assert diff.new_nominal.touch_minutes == pytest.approx(105, abs=15)


def test_recovery_hub_redesign_summary_names_the_gate_and_plan(hub_diff: object) -> None:
    summary = " | ".join(hub_diff.summary())  # type: ignore[attr-defined]
    assert "widens the calendar gate 'assessment_days' from Tue, Thu" in summary
    assert "adds a PLAN checkpoint" in summary
    assert summary.startswith("removes 2 visits on the nominal path (3 -> 1)")


def test_diff_to_dict_is_json_ready(hub_diff: object) -> None:
    import json

    data = hub_diff.to_dict()  # type: ignore[attr-defined]
    assert json.loads(json.dumps(data)) == data
    assert data["nominal"]["new"]["visits"] == 1
