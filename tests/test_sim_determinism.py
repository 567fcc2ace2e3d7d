"""Determinism and common random numbers, as properties over seeds and cohort sizes."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pathway
from pathway import simulate
from pathway._sim._events import read_events

np = pytest.importorskip("numpy")
PATHWAYS = Path(__file__).resolve().parent.parent / "pathways"
OLD = pathway.load(PATHWAYS / "recovery-hub-2017.yaml")
NEW = pathway.load(PATHWAYS / "recovery-hub-2018.yaml")
SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
seeds = st.integers(min_value=0, max_value=2**64 - 1)
sizes = st.integers(min_value=1, max_value=40)


@SETTINGS
@given(seed=seeds, cases=sizes, suffix=st.sampled_from([".csv", ".parquet"]))
def test_same_seed_gives_identical_bytes_and_measures(seed: int, cases: int, suffix: str) -> None:
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    with tempfile.TemporaryDirectory() as folder:
        first, second = Path(folder, f"a{suffix}"), Path(folder, f"b{suffix}")
        one = simulate(OLD, cases=cases, seed=seed, events=first)
        two = simulate(OLD, cases=cases, seed=seed, events=second)
        assert first.read_bytes() == second.read_bytes()
    for name, values in one.measures().items():
        assert np.array_equal(values, two.measures()[name], equal_nan=values.dtype.kind == "f")


@SETTINGS
@given(seed=seeds, cases=sizes)
def test_old_and_new_pathways_see_the_same_people(seed: int, cases: int) -> None:
    # Same declared facts and arrivals: identical arrival times and facts, case by case.
    with tempfile.TemporaryDirectory() as folder:
        logs = Path(folder, "old.csv"), Path(folder, "new.csv")
        old = simulate(OLD, cases=cases, seed=seed, events=logs[0])
        new = simulate(NEW, cases=cases, seed=seed, events=logs[1])
        started = [
            {e.case_id: (e.at, e.facts) for e in read_events(log) if e.kind == "case_started"}
            for log in logs
        ]
    assert np.array_equal(old.measures()["arrival_minutes"], new.measures()["arrival_minutes"])
    assert started[0] == started[1]
    assert len(started[0]) == cases


@SETTINGS
@given(seed=seeds, cases=sizes)
def test_a_pathway_compared_with_itself_has_zero_paired_difference(seed: int, cases: int) -> None:
    one, two = simulate(OLD, cases=cases, seed=seed), simulate(OLD, cases=cases, seed=seed)
    for name, values in one.measures().items():
        if values.dtype.kind in "fi":
            difference = np.nan_to_num(values.astype(float) - two.measures()[name].astype(float))
            assert not difference.any(), name


@SETTINGS
@given(seed=seeds, cases=st.integers(min_value=5, max_value=40))
def test_different_seeds_give_different_cohorts(seed: int, cases: int) -> None:
    one = simulate(OLD, cases=cases, seed=seed).measures()["arrival_minutes"]
    two = simulate(OLD, cases=cases, seed=seed ^ 1).measures()["arrival_minutes"]
    assert not np.array_equal(one, two)


def test_shared_steps_draw_the_same_touch_times(tmp_path: Path) -> None:
    # The doctor's appointment is declared identically in both pathways: a person who
    # reaches it in both sees the same touch time there (keyed by case and step id).
    touch: list[dict[str, float]] = []
    for model, name in ((OLD, "old.csv"), (NEW, "new.csv")):
        simulate(model, cases=200, seed=9, events=tmp_path / name)
        touch.append(
            {
                e.case_id: (e.at - e.started).total_seconds()
                for e in read_events(tmp_path / name)
                if e.kind == "step_completed" and e.step == "doctor_appointment"
            }
        )
    both = touch[0].keys() & touch[1].keys()
    assert len(both) > 50
    assert all(touch[0][case] == pytest.approx(touch[1][case], abs=1e-3) for case in both)
