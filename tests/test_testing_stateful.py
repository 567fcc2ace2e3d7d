"""PathwayStateMachine: it passes a correct system, and finds and shrinks wrong ones.

The systems under test here mirror pathway's own engine (a second ``Case``), which is
correct by construction, with one bug planted per subclass.
"""

from __future__ import annotations

import re
import unittest
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.stateful import run_state_machine_as_test

import pathway
from pathway import Case, Pathway, Worker
from pathway._define._spec import PathwaySpec
from pathway.testing import PathwayStateMachine, pathways

SETTINGS = settings(
    max_examples=40,
    stateful_step_count=12,
    database=None,
    deadline=None,
    derandomize=True,
    phases=[Phase.generate, Phase.shrink],
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow],
)

CLINIC = pathway.load(
    """\
id: clinic
title: Clinic
version: "1"
calendars:
  clinic_days: {open: {"tue, thu": "09:00-12:30"}}
roles:
  admin: {team: booking, organisation: hospital}
  nurse: {team: triage, organisation: hospital}
  doctor: {team: clinic, organisation: hospital, capacity: 2}
facts:
  urgent: {type: bool}
steps:
  referral: {role: admin}
  triage: {role: nurse}
  appointment: {role: doctor, visit: true, calendar: clinic_days}
  treated: {outcome: true}
  discharged: {outcome: true}
transitions:
  - {trigger: accept, from: referral, to: triage}
  - {trigger: fast_track, from: referral, to: appointment, when: urgent}
  - {trigger: treat, from: appointment, to: treated}
checkpoints:
  triage_decision:
    at: triage
    questions:
      needs_clinic: {ask: person}
    routes:
      - {when: needs_clinic, to: appointment}
    otherwise: discharged
""",
    name="clinic.yaml",
)


class MirrorMachine(PathwayStateMachine):
    """The system under test is a second live case: it always agrees."""

    pathway = CLINIC

    def __init__(self) -> None:
        super().__init__()
        self.mirror: Case | None = None

    def start_case(self, case_id: str, facts: Mapping[str, Any], at: datetime) -> None:
        self.mirror = self.pathway.new_case(case_id, facts, at=at)

    def sut(self) -> Case:
        assert self.mirror is not None
        return self.mirror

    def fire(self, trigger: str, at: datetime, worker: Worker | None) -> None:
        self.sut().fire(trigger, at=at, by=worker)

    def decide(
        self,
        checkpoint: str,
        answers: Mapping[str, bool],
        at: datetime,
        worker: Worker | None,
        rationale: str,
    ) -> None:
        self.sut().decide(checkpoint, answers, at=at, by=worker, rationale=rationale)

    def begin(self, at: datetime, worker: Worker | None) -> None:
        self.sut().begin(at=at, by=worker)

    def did_not_attend(self, at: datetime) -> None:
        self.sut().did_not_attend(at=at)

    def state(self) -> str:
        return self.sut().state

    def visits(self) -> int:
        return self.sut().measures().visits

    def handoffs(self) -> int:
        levels = self.sut().measures().handoffs
        return levels["role"] + levels["team"] + levels["organisation"]


def failure_of(machine: type[PathwayStateMachine]) -> tuple[str, list[str]]:
    """Run ``machine`` expecting a failure: its message and the shrunk steps, each the
    call drawn (``fire``, ``decide``...; ``attempt:fire`` for an invalid command)."""
    with pytest.raises(AssertionError) as failure:
        run_state_machine_as_test(machine, settings=SETTINGS)
    notes = "\n".join(getattr(failure.value, "__notes__", []))
    draws = re.findall(r"^Draw \d+ \(\w+\): (\w+)\((.*)$", notes, flags=re.MULTILINE)
    steps = [f"attempt:{call}" if "# invalid:" in rest else call for call, rest in draws]
    return str(failure.value), steps


# --------------------------------------------------------------------- correct systems


def test_a_correct_system_passes() -> None:
    run_state_machine_as_test(MirrorMachine, settings=SETTINGS)


def test_the_machine_exposes_a_test_case() -> None:
    assert issubclass(MirrorMachine.TestCase, unittest.TestCase)


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(pathways(max_steps=6))
def test_a_correct_system_passes_on_generated_pathways(spec: PathwaySpec) -> None:
    machine = MirrorMachine.for_pathway(spec)
    quick = settings(SETTINGS, max_examples=5, stateful_step_count=8)
    run_state_machine_as_test(machine, settings=quick)


def test_optional_hooks_are_never_called_when_not_implemented() -> None:
    class Minimal(MirrorMachine):
        begin = PathwayStateMachine.begin
        did_not_attend = PathwayStateMachine.did_not_attend

    run_state_machine_as_test(Minimal, settings=SETTINGS)


def test_with_no_rejections_checked_the_machine_keeps_going_after_the_outcome() -> None:
    class Lenient(MirrorMachine):
        rejections: ClassVar[frozenset[str]] = frozenset()

        def fire(self, trigger: str, at: datetime, worker: Worker | None) -> None:
            if not self.sut().finished:
                super().fire(trigger, at, worker)

    run_state_machine_as_test(Lenient, settings=SETTINGS)


def test_every_rejection_can_be_checked() -> None:
    assert PathwayStateMachine.every_rejection >= PathwayStateMachine.rejections
    strict = MirrorMachine.for_pathway(CLINIC, rejections=PathwayStateMachine.every_rejection)
    run_state_machine_as_test(strict, settings=SETTINGS)


# ---------------------------------------------------------------------- planted bugs


def test_a_hand_off_counted_too_early_is_found_and_shrunk() -> None:
    class EarlyHandoffs(MirrorMachine):
        counted = 0

        def fire(self, trigger: str, at: datetime, worker: Worker | None) -> None:
            super().fire(trigger, at, worker)
            if not self.sut().finished:
                self.counted += 1  # counts the hand-off when the case moves, not when
                # the next owner starts work

        def handoffs(self) -> int:
            return self.counted

    message, steps = failure_of(EarlyHandoffs)
    assert message == "handoffs: your system says 1, the pathway says 0"
    assert steps == ["start_case", "fire"]


def test_a_guard_ignored_is_found_and_shrunk() -> None:
    class IgnoresGuards(MirrorMachine):
        def fire(self, trigger: str, at: datetime, worker: Worker | None) -> None:
            if trigger == "fast_track" and self.sut().state == "referral":
                self.sut().fire("accept", at=at, by=worker)  # "close enough"
                return
            super().fire(trigger, at, worker)

    message, steps = failure_of(IgnoresGuards)
    if message.startswith("your system accepted"):  # fast_track when not urgent
        assert message.startswith("your system accepted fire('fast_track'")
        assert message.endswith("which the pathway forbids: every guard on the trigger is false")
        assert steps == ["start_case", "attempt:fire"]
    else:  # fast_track when urgent
        assert message == "state: your system says 'triage', the pathway says 'appointment'"
        assert steps == ["start_case", "fire"]


def test_a_wrong_route_is_found_and_shrunk() -> None:
    class AlwaysDischarges(MirrorMachine):
        def decide(
            self,
            checkpoint: str,
            answers: Mapping[str, bool],
            at: datetime,
            worker: Worker | None,
            rationale: str,
        ) -> None:
            super().decide(checkpoint, {"needs_clinic": False}, at, worker, rationale)

    message, steps = failure_of(AlwaysDischarges)
    assert message == "state: your system says 'discharged', the pathway says 'appointment'"
    assert steps == ["start_case", "fire", "decide"]


def test_a_missed_visit_not_rebooked_is_found_and_shrunk() -> None:
    class ForgetsRebookedVisits(MirrorMachine):
        missed = False

        def did_not_attend(self, at: datetime) -> None:
            super().did_not_attend(at)
            self.missed = True

        def visits(self) -> int:
            return super().visits() - (1 if self.missed and super().visits() else 0)

    message, steps = failure_of(ForgetsRebookedVisits)
    assert message == "visits: your system says 0, the pathway says 1"
    # to the appointment by fast track (urgent) or through triage; then miss it, attend
    assert steps[:2] == ["start_case", "fire"]
    assert steps[2:-2] in ([], ["decide"])
    assert steps[-2] == "did_not_attend"
    assert steps[-1] in {"begin", "fire"}


def test_a_system_that_refuses_a_valid_command_fails_with_its_own_error() -> None:
    class RefusesTreatment(MirrorMachine):
        rejected_errors = (pathway.PathwayError, LookupError)

        def fire(self, trigger: str, at: datetime, worker: Worker | None) -> None:
            if trigger == "treat":
                raise LookupError("no such trigger")
            super().fire(trigger, at, worker)

    with pytest.raises(LookupError, match="no such trigger"):
        run_state_machine_as_test(RefusesTreatment, settings=SETTINGS)


# ------------------------------------------------------------------ what counts as a refusal


class NotAllowed(Exception):
    """How the systems below refuse a command."""


class DomainMirror(MirrorMachine):
    """A correct system that refuses with its own exception, not a PathwayError."""

    rejected_errors = (NotAllowed,)

    def fire(self, trigger: str, at: datetime, worker: Worker | None) -> None:
        try:
            super().fire(trigger, at, worker)
        except pathway.PathwayError as error:
            raise NotAllowed(str(error)) from None

    def decide(
        self,
        checkpoint: str,
        answers: Mapping[str, bool],
        at: datetime,
        worker: Worker | None,
        rationale: str,
    ) -> None:
        try:
            super().decide(checkpoint, answers, at, worker, rationale)
        except pathway.PathwayError as error:
            raise NotAllowed(str(error)) from None


def test_a_refusal_is_a_pathway_error_by_default() -> None:
    assert PathwayStateMachine.rejected_errors == (pathway.PathwayError,)
    strict = MirrorMachine.for_pathway(CLINIC, rejections=PathwayStateMachine.every_rejection)
    run_state_machine_as_test(strict, settings=SETTINGS)


def test_a_system_refusing_with_its_own_error_names_it_in_rejected_errors() -> None:
    run_state_machine_as_test(DomainMirror, settings=SETTINGS)


def test_a_refusal_not_named_fails_and_says_how_to_name_it() -> None:
    unnamed = DomainMirror.for_pathway(CLINIC, rejected_errors=(pathway.PathwayError,))
    message, steps = failure_of(unnamed)
    assert "your system raised NotAllowed" in message
    assert "add it to rejected_errors (or override rejected())" in message
    assert steps[-1] == "attempt:fire"


def test_rejected_can_tell_refusals_apart_by_more_than_their_class() -> None:
    class ByMessage(DomainMirror):
        rejected_errors = ()

        def rejected(self, error: Exception) -> bool:
            return isinstance(error, NotAllowed) and "case 'case-1'" in str(error)

    run_state_machine_as_test(ByMessage, settings=SETTINGS)


def test_a_bug_in_the_adapter_is_not_a_refusal() -> None:
    class Careless(MirrorMachine):
        """Reads the worker's id without checking for None: after the outcome, a fired
        trigger names no worker, and the AttributeError used to pass as a refusal."""

        def fire(self, trigger: str, at: datetime, worker: Worker | None) -> None:
            self.last_worker = worker.id  # type: ignore[union-attr]
            super().fire(trigger, at, worker)

    message, steps = failure_of(Careless)
    assert "your system raised AttributeError" in message
    assert "this command names no worker (worker is None)" in message
    assert steps[-1] == "attempt:fire"


def test_hooks_get_no_worker_only_after_the_outcome_or_for_an_unaccountable_decision() -> None:
    seen: list[tuple[str, str]] = []

    class Recording(MirrorMachine):
        rejections: ClassVar[frozenset[str]] = PathwayStateMachine.every_rejection

        def fire(self, trigger: str, at: datetime, worker: Worker | None) -> None:
            if worker is None:
                seen.append(("fire", "finished" if self.sut().finished else self.sut().state))
            super().fire(trigger, at, worker)

        def decide(
            self,
            checkpoint: str,
            answers: Mapping[str, bool],
            at: datetime,
            worker: Worker | None,
            rationale: str,
        ) -> None:
            if worker is None:
                seen.append(("decide", checkpoint))
            super().decide(checkpoint, answers, at, worker, rationale)

    run_state_machine_as_test(Recording, settings=SETTINGS)
    assert seen
    assert {where for call, where in seen if call == "fire"} == {"finished"}
    assert not [c for c, _ in seen if c == "decide"]  # the clinic has no PLAN checkpoint


# ------------------------------------------------------------------------ set-up errors


def test_a_machine_needs_a_compiled_pathway() -> None:
    class NoPathway(PathwayStateMachine):
        pass

    with pytest.raises(TypeError, match="must be a compiled pathway"):
        NoPathway()


def test_rejection_codes_are_checked() -> None:
    wrong = MirrorMachine.for_pathway(CLINIC, rejections=frozenset({"nope"}))
    with pytest.raises(ValueError, match="unknown rejection codes"):
        wrong()


def test_for_pathway_takes_a_spec_text_or_file(tmp_path: Path) -> None:
    path = tmp_path / "clinic.yaml"
    path.write_text(pathway.dump(CLINIC), encoding="utf-8")
    for source in (CLINIC, CLINIC.spec, pathway.dump(CLINIC), str(path)):
        machine = MirrorMachine.for_pathway(source)
        assert isinstance(machine.pathway, Pathway)
        assert machine.pathway == CLINIC
        assert issubclass(machine, MirrorMachine)
        assert machine.__name__ == "MirrorMachine"


def test_unimplemented_hooks_say_what_to_implement() -> None:
    bare = PathwayStateMachine.for_pathway(CLINIC)()
    with pytest.raises(NotImplementedError, match=re.escape("start_case(case_id, facts, at)")):
        bare.start_case("c", {}, datetime(2024, 1, 1))
    with pytest.raises(NotImplementedError, match=re.escape("state()")):
        bare.state()
