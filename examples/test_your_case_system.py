"""Test a case system against a pathway with pathway.testing.PathwayStateMachine.

Run it with::

    pytest examples/test_your_case_system.py -s

``ToyMachine`` connects the toy case system in ``toy_case_system.py`` to the clinic
pathway. Hypothesis drives the toy and pathway's engine with the same commands and,
after every step, checks that they agree on the step, the visits and the hand-offs.

* ``TestFixedToySystem`` runs the machine on the toy with its bug fixed: it passes.
* ``test_hypothesis_finds_the_planted_bug`` runs it on the toy as shipped, expects the
  failure, and prints the shrunk journey that shows the bug (use ``-s`` to see it).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test
from toy_case_system import CLINIC, NotAllowed, ToyCaseSystem

from pathway import Worker
from pathway.testing import PathwayStateMachine

SETTINGS = settings(
    max_examples=100,
    stateful_step_count=15,
    derandomize=True,  # the same journeys on every run, so the demonstration is stable
    database=None,
    deadline=None,
    phases=[Phase.generate, Phase.shrink],  # no "explain" phase: it is slow
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow],
)


class ToyMachine(PathwayStateMachine):
    """Forwards each command to the toy and reads back what it believes."""

    pathway = CLINIC
    rejected_errors = (NotAllowed,)  # how the toy refuses; any other exception is a bug
    planted_bug = True

    def __init__(self) -> None:
        super().__init__()
        self.toy = ToyCaseSystem(planted_bug=self.planted_bug)

    def start_case(self, case_id: str, facts: Mapping[str, Any], at: datetime) -> None:
        self.toy.start(facts)

    def fire(self, trigger: str, at: datetime, worker: Worker | None) -> None:
        self.toy.fire(trigger, at)

    def decide(
        self,
        checkpoint: str,
        answers: Mapping[str, bool],
        at: datetime,
        worker: Worker | None,
        rationale: str,
    ) -> None:
        self.toy.decide(answers, at)

    def begin(self, at: datetime, worker: Worker | None) -> None:
        self.toy.begin(at)

    def did_not_attend(self, at: datetime) -> None:
        self.toy.missed()

    def state(self) -> str:
        return self.toy.step

    def visits(self) -> int:
        return self.toy.visits

    def handoffs(self) -> int:
        return self.toy.handoffs


class FixedToyMachine(ToyMachine):
    """The same toy with the bug fixed: the pathway and the toy always agree."""

    planted_bug = False


TestFixedToySystem = FixedToyMachine.TestCase
TestFixedToySystem.settings = SETTINGS


def test_hypothesis_finds_the_planted_bug() -> None:
    with pytest.raises(AssertionError, match="visits: your system says") as failure:
        run_state_machine_as_test(ToyMachine, settings=SETTINGS)
    shrunk = "\n".join(getattr(failure.value, "__notes__", []))
    print(f"\n{failure.value}\n{shrunk}")
    assert "did_not_attend" in shrunk
