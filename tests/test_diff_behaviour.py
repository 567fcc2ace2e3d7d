"""Behavioural diff on a common cohort, the --fail-if gates, and the diff command."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import pathway
from pathway._diff._gate import evaluate_gates
from pathway.errors import DefinitionError

pytest.importorskip("numpy", reason="the behavioural diff needs the 'sim' extra")

ROOT = Path(__file__).resolve().parent.parent
OLD = ROOT / "pathways" / "recovery-hub-2017.yaml"
NEW = ROOT / "pathways" / "recovery-hub-2018.yaml"
CASES = 300


@pytest.fixture(scope="module")
def hub() -> pathway._diff.Diff:  # type: ignore[name-defined]
    return pathway.diff(pathway.load(OLD), pathway.load(NEW), cases=CASES, seed=3)


@pytest.fixture(scope="module")
def same() -> pathway._diff.Diff:  # type: ignore[name-defined]
    old = pathway.load(OLD)
    return pathway.diff(old, pathway.load(OLD), cases=CASES, seed=3)


def test_identical_pathways_show_no_difference_at_all(same) -> None:  # type: ignore[no-untyped-def]
    assert same.structure.identical
    assert same.behaviour is not None
    assert same.behaviour.paired_cases > 0
    for comparison in (*same.behaviour.comparisons, *same.behaviour.by_outcome):
        assert comparison.mean_difference == 0
        assert comparison.median_difference == 0
        assert not comparison.significant
        assert comparison.direction == "unchanged"


@pytest.mark.parametrize(
    "measure",
    ["end_to_end_days", "visits", "handoffs", "fragmentation_days", "failure_demand", "wait_days"],
)
def test_the_redesign_lowers_every_headline_measure(hub, measure: str) -> None:  # type: ignore[no-untyped-def]
    comparison = hub.behaviour.get(measure)
    assert comparison.direction == "decreased", comparison
    assert comparison.better is True
    assert comparison.new_median <= comparison.old_median


def test_the_redesign_shortens_time_to_a_prescription(hub) -> None:  # type: ignore[no-untyped-def]
    prescribed = hub.behaviour.get("to_prescribed_days")
    assert prescribed.direction == "decreased"
    assert prescribed.new_median < prescribed.old_median
    visits = hub.behaviour.get("visits")
    assert visits.new_median < visits.old_median  # the doctor is usually on a later day
    assert any(
        s.startswith("median time to prescribed falls from") for s in hub.behaviour.headline()
    )


def test_flow_efficiency_rises(hub) -> None:  # type: ignore[no-untyped-def]
    assert hub.behaviour.get("flow_efficiency").direction == "increased"


def test_the_same_seed_gives_the_same_diff() -> None:
    old, new = pathway.load(OLD), pathway.load(NEW)
    first = pathway.diff(old, new, cases=120, seed=9).to_json()
    second = pathway.diff(old, new, cases=120, seed=9).to_json()
    assert first == second


def test_gates_hold_or_not_as_written(hub) -> None:  # type: ignore[no-untyped-def]
    results = evaluate_gates(
        [
            "visits > 2",
            "handoffs increased",
            "handoffs decreased",
            "nominal_visits >= old_nominal_visits",
            "end_to_end_days < old_end_to_end_days",
            "change_visits < 0",
        ],
        hub.structure,
        hub.behaviour,
    )
    assert [r.failed for r in results] == [False, False, True, False, True, True]
    assert "visits=2" in results[0].explanation


@pytest.mark.parametrize(
    ("gate", "fragment"),
    [
        ("vists > 1", "did you mean 'visits'"),
        ("visits >", "expected"),
        ("visits risen", "is an operator missing"),
    ],
)
def test_unreadable_gates_are_usage_errors(hub, gate: str, fragment: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=fragment):
        evaluate_gates([gate], hub.structure, hub.behaviour)


def test_pathways_that_cannot_share_a_cohort_are_refused() -> None:
    text = OLD.read_text(encoding="utf-8")
    no_arrivals = text.split("\narrivals:")[0] + "\n"
    with pytest.raises(DefinitionError, match="declares no arrivals") as caught:
        pathway.diff(pathway.load(OLD), pathway.load(no_arrivals), cases=50)
    assert caught.value.problems[0].code == "no-arrivals"


def test_json_is_versioned_and_complete(hub) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(hub.to_json())
    assert data["schema"] == "pathway-diff/1"
    assert data["structure"]["nominal"]["new"]["visits"] == 1
    names = {m["measure"] for m in data["behaviour"]["measures"]}
    assert {"end_to_end_days", "visits", "handoffs", "fragmentation_days"} <= names


def test_markdown_has_the_summary_and_a_measure_table(hub) -> None:  # type: ignore[no-untyped-def]
    text = hub.to_markdown()
    assert text.startswith("# ")
    assert "- removes 2 visits on the nominal path (3 -> 1)" in text
    assert "| measure |" in text


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    executable = shutil.which("pathway", path=str(Path(sys.executable).parent)) or shutil.which(
        "pathway"
    )
    assert executable is not None, "the console script is not installed"
    return subprocess.run(
        [executable, *args], capture_output=True, text=True, check=False, cwd=ROOT
    )


def test_cli_exit_code_3_when_a_gate_fails() -> None:
    done = run_cli("diff", str(OLD), str(NEW), "-n", "100", "--fail-if", "visits >= 1")
    assert done.returncode == 3, done.stderr
    assert "FAIL" in done.stdout
    assert "Traceback" not in done.stderr


def test_cli_structure_only_and_a_bad_gate() -> None:
    ok = run_cli("diff", str(OLD), str(NEW), "--no-simulate", "--format", "json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["behaviour"] is None
    bad = run_cli("diff", str(OLD), str(NEW), "--no-simulate", "--fail-if", "nominal_vists > 1")
    assert bad.returncode == 2
    assert "did you mean 'nominal_visits'" in bad.stderr
    assert "Traceback" not in bad.stderr
    needs = run_cli("diff", str(OLD), str(NEW), "--no-simulate", "--fail-if", "visits > 1")
    assert needs.returncode == 2
    assert "'visits' needs the simulation (drop --no-simulate)" in needs.stderr


def test_returns_are_left_out_of_the_paired_comparison() -> None:
    """People who come back make more demands in one pathway than the other: the diff
    pairs each person's first demand (the same cohort in both), never the returns."""
    from pathway._diff._behaviour import behavioural_diff

    root = Path(__file__).resolve().parents[1] / "pathways"
    old = pathway.load(root / "fragmented-working.yaml")
    new = pathway.load(root / "relational-working.yaml")
    found = behavioural_diff(old, new, cases=400, seed=3)
    old_rows = len(found.old_result.measures(0)["end_to_end_minutes"])
    new_rows = len(found.new_result.measures(0)["end_to_end_minutes"])
    assert old_rows > new_rows >= 400  # the fragmented service sees more returns
    assert 0 < found.paired_cases <= 400
    assert found.get("end_to_end_days").cases == found.paired_cases


def test_a_diff_of_pathways_with_returns_measures_their_roles() -> None:
    """Returns are cases of people from any block: their load is measured on one log."""
    root = Path(__file__).resolve().parents[1] / "pathways"
    found = pathway.diff(
        pathway.load(root / "fragmented-working.yaml"),
        pathway.load(root / "relational-working.yaml"),
        cases=300,
    )
    places = found.behaviour.places
    assert places is not None
    assert places.old_load is not None
    assert places.new_load is not None
    assert "load on each role" in found.to_text()
