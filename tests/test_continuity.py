"""Continuity of a named worker (``continuity: named`` on a role, format 2), live and simulated.

Live, a step of such a role may be started only by the case's named worker (the one who
last did a step of the role for it) until ``named_within`` has passed since the case
reached the step; another worker is refused with a ContinuityError and nothing changes.
Simulated, the case waits in the queue for that worker (the wait's cause is
``continuity`` while another worker of the role is free) instead of going to another.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import pathway
from example_support import run_example
from pathway import ContinuityError, DefinitionError, Worker
from pathway._define._spec import PathwaySpec
from pathway.testing import pathways

PATHWAYS = Path(__file__).resolve().parent.parent / "pathways"
T0 = datetime(2024, 1, 1, 9, 0)
ROSTER = {"amy": "worker", "bo": "worker"}

DESIGN = """\
format: 2
id: named-demo
title: Named worker demo
version: "1"
roles:
  worker:
    team: t
    organisation: o
    capacity: 3
    continuity: named
steps:
  assess: {role: worker, duration: {uniform: [30m, 3h]}}
  plan: {role: worker, duration: 1h}
  review: {role: worker, duration: {uniform: [30m, 2h]}}
  done: {outcome: true}
transitions:
  - {trigger: assessed, from: assess, to: plan}
  - {trigger: planned, from: plan, to: review, wait: {uniform: [1h, 1d]}, cause: booking}
  - {trigger: reviewed, from: review, to: done}
arrivals:
  rate: 30/d
"""


def design(policy: str = "named", within: str | None = None) -> pathway.Pathway:
    text = DESIGN.replace("continuity: named", f"continuity: {policy}")
    if within is not None:
        text = text.replace("    continuity:", f"    named_within: {within}\n    continuity:")
    return pathway.load(text, name="named.yaml")


def started_by_amy(p: pathway.Pathway) -> pathway.Case:
    case = p.new_case("c1", at=T0, roster=ROSTER)
    return case.fire("assessed", at=T0 + timedelta(hours=1), by="amy")


# -- live --------------------------------------------------------------------------------


def test_another_worker_is_refused_and_nothing_changes() -> None:
    case = started_by_amy(design())
    before = case.to_json()
    with pytest.raises(ContinuityError) as caught:
        case.begin(at=T0 + timedelta(hours=2), by="bo")
    error = caught.value
    assert isinstance(error, pathway.TransitionError)
    assert (error.expected, error.found) == ("worker 'amy'", "worker 'bo'")
    assert "named_within" in error.suggestion
    assert "'plan'" in str(error)
    assert "'amy'" in str(error)
    assert case.to_json() == before
    with pytest.raises(ContinuityError):  # completing without begin starts the step too
        case.fire("planned", at=T0 + timedelta(hours=2), by="bo")
    assert case.to_json() == before


def test_the_named_worker_carries_on_and_the_case_replays() -> None:
    case = started_by_amy(design())
    case.begin(at=T0 + timedelta(hours=2), by="amy")
    case.fire("planned", at=T0 + timedelta(hours=3))
    case.fire("reviewed", at=T0 + timedelta(hours=9), by="amy")
    assert case.finished
    assert case.measures().handoffs["worker"] == 0
    assert pathway.Case.from_json(case.pathway, case.to_json()).to_json() == case.to_json()


def test_named_within_lets_another_worker_take_over_after_the_limit() -> None:
    case = started_by_amy(design(within="1d"))
    reached = T0 + timedelta(hours=1)
    with pytest.raises(ContinuityError) as caught:
        case.begin(at=reached + timedelta(hours=23), by="bo")
    assert "any worker of the role may take it from" in caught.value.suggestion
    case.begin(at=reached + timedelta(days=1), by="bo")
    case.fire("planned", at=reached + timedelta(days=1, hours=1))
    # bo is now the named worker: amy is the other one
    with pytest.raises(ContinuityError):
        case.begin(at=reached + timedelta(days=1, hours=2), by=Worker("amy", "worker"))
    assert case.measures().handoffs["worker"] == 1


def test_prefer_records_another_worker_without_comment() -> None:
    case = started_by_amy(design("prefer"))
    case.begin(at=T0 + timedelta(hours=2), by="bo")
    assert case.measures().handoffs["worker"] == 1


# -- the file ----------------------------------------------------------------------------


def test_named_within_needs_named() -> None:
    text = DESIGN.replace("    continuity: named\n", "    named_within: 2d\n")
    with pytest.raises(DefinitionError) as caught:
        pathway.load(text, name="p.yaml")
    (problem,) = caught.value.problems
    assert (problem.code, problem.field, problem.line) == (
        "named-within-without-named",
        "roles.worker.named_within",
        10,
    )
    assert problem.suggestion


@pytest.mark.parametrize("key", ["continuity: named", "continuity: prefer"])
def test_the_key_needs_format_2(key: str) -> None:
    text = DESIGN.replace("format: 2\n", "").replace("continuity: named", key)
    with pytest.raises(DefinitionError) as caught:
        pathway.load(text, name="p.yaml")
    (problem,) = caught.value.problems
    assert (problem.code, problem.field, problem.line, problem.column) == (
        "newer-format",
        "roles.worker.continuity",
        9,
        5,
    )


# The shipped files keep their version-1 content hashes once their format-2 keys are
# taken out: tests/test_observed.py::test_shipped_files_changed_only_by_format_2_keys.


def test_a_new_key_changes_the_hash() -> None:
    assert (
        design("prefer").content_hash
        != pathway.load(DESIGN.replace("    continuity: named\n", ""), name="p.yaml").content_hash
    )


# -- simulated ---------------------------------------------------------------------------

np = pytest.importorskip("numpy")
from pathway._sim._events import read_events  # noqa: E402  (needs the sim extra)


def _workers_by_case_and_role(log: Path) -> dict[tuple[str, str], set[str]]:
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    for event in read_events(log):
        if event.kind == "step_started" and event.worker is not None:
            seen[(event.case_id, event.role or "")].add(event.worker)
    return seen


def test_simulated_cases_keep_their_named_worker(tmp_path: Path) -> None:
    named = pathway.simulate(design(), cases=400, seed=11, events=tmp_path / "named.csv")
    prefer = pathway.simulate(design("prefer"), cases=400, seed=11)
    assert all(len(w) == 1 for w in _workers_by_case_and_role(tmp_path / "named.csv").values())
    assert named.summary()["handoffs_worker"].mean == 0
    assert prefer.summary()["handoffs_worker"].mean > 0
    assert named.summary()["wait_continuity_days"].mean > 0
    assert prefer.summary()["wait_continuity_days"].mean == 0
    causes = {e.cause for e in read_events(tmp_path / "named.csv") if e.kind == "waited"}
    assert "continuity" in causes


def test_named_within_bounds_the_wait_for_the_named_worker(tmp_path: Path) -> None:
    log = tmp_path / "within.csv"
    result = pathway.simulate(design(within="30m"), cases=400, seed=11, events=log)
    spread = _workers_by_case_and_role(log)
    assert any(len(w) > 1 for w in spread.values())  # some cases were taken over
    # a wait for the named worker never outlasts the limit (30 minutes)
    for event in read_events(log):
        if event.kind == "waited" and event.cause == "continuity":
            assert (event.at - event.started) <= timedelta(minutes=30, seconds=1)
    assert result.conservation()["arrived"] == 400


def _all_named(spec: PathwaySpec) -> pathway.Pathway:
    data: dict[str, Any] = spec.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["format"] = 2
    for role in data["roles"].values():
        role["continuity"] = "named"
        role.pop("named_within", None)
    data.setdefault("arrivals", {"rate": "5/d"})
    return pathway.load(pathway.dump(PathwaySpec.model_validate(data)))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=pathways(guards=False), seed=st.integers(0, 2**16))
def test_property_named_roles_keep_one_worker_conserve_and_repeat(
    tmp_path_factory: pytest.TempPathFactory, spec: PathwaySpec, seed: int
) -> None:
    """Under ``named`` every step of a role is done by one worker per case; every
    arrival ends once or is in flight; the same seed gives the same events."""
    model = _all_named(spec)
    folder = tmp_path_factory.mktemp("named")
    first, second = folder / "a.csv", folder / "b.csv"
    try:
        result = pathway.simulate(model, cases=60, seed=seed, horizon="60d", events=first)
    except pathway.DefinitionError as error:
        # valid, but not simulable: a step's calendars are never open together
        assume(error.problems[0].code != "cannot-simulate")
        raise
    pathway.simulate(model, cases=60, seed=seed, horizon="60d", events=second)
    assert first.read_bytes() == second.read_bytes()
    assert all(len(w) == 1 for w in _workers_by_case_and_role(first).values())
    counts = result.conservation()
    assert counts["arrived"] == counts["finished"] + counts["in_flight"]


def test_the_example_runs_and_shows_the_trade() -> None:
    lines = run_example("named_worker.py")
    assert lines[0] == "refused: expected worker 'amy', found worker 'bo'"
    assert lines[1] == "hand-offs between workers: 0"
    assert lines[2].startswith("named: 0.00 worker hand-offs a person")
    assert lines[3].startswith("prefer: ")
    assert not lines[3].startswith("prefer: 0.00")
