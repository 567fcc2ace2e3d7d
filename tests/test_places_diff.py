"""The diff's time per setting (bed days a year) and load per role, old against new,
and ``pathway simulate``'s utilisation per role with its overload warning."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pathway
from example_support import run_example
from pathway.cli import main

pytest.importorskip("numpy")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples"
GATE = EXAMPLES / "weekend-gate.yaml"
OPEN = EXAMPLES / "weekend-open.yaml"


def places(old: Path | str, new: Path | str, cases: int = 600, seed: int = 0) -> object:
    found = pathway.diff(pathway.load(old), pathway.load(new), cases=cases, seed=seed)
    assert found.behaviour is not None
    assert found.behaviour.places is not None
    return found.behaviour.places


def twin(path: Path) -> str:
    """The same pathway under another id and title: identical settings and roles."""
    text = path.read_text(encoding="utf-8")
    return text.replace("id: weekend-", "id: twin-weekend-").replace("title: Inter", "title: Twin")


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases=st.integers(50, 400), seed=st.integers(0, 2**31 - 1))
def test_bed_days_a_year_are_the_mean_per_case_times_the_arrival_rate(
    cases: int, seed: int
) -> None:
    found = places(GATE, OPEN, cases, seed)
    rate = found.cases_a_year
    assert rate is not None
    assert rate > 0
    for mean, a_year in (
        (found.old_bed_days, found.old_bed_days_a_year),
        (found.new_bed_days, found.new_bed_days_a_year),
    ):
        assert a_year == pytest.approx(mean * rate, rel=1e-9)
    for row in found.settings:
        assert row.old_a_year == pytest.approx(row.old_days * rate, rel=1e-9)
        assert row.new_a_year == pytest.approx(row.new_days * rate, rel=1e-9)
    # the bed days are the days in the settings that count them
    beds = sum(r.old_days for r in found.settings if r.bed_days)
    assert found.old_bed_days == pytest.approx(beds, rel=1e-9)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1), which=st.sampled_from([GATE, OPEN]))
def test_identical_settings_give_equal_figures(seed: int, which: Path) -> None:
    found = places(which, twin(which), 300, seed)
    assert found.old_bed_days == found.new_bed_days
    assert found.old_bed_days_a_year == found.new_bed_days_a_year
    for row in found.settings:
        assert (row.old_days, row.old_a_year) == (row.new_days, row.new_a_year)
        assert row.change_a_year == 0
    for role in found.roles:
        assert role.old is not None
        assert role.new is not None
        assert role.old.utilisation == role.new.utilisation


def test_the_weekend_gate_costs_acute_bed_days_and_only_them() -> None:
    found = places(GATE, OPEN, 2000, 3)
    assert found.counts_bed_days
    assert found.new_bed_days < found.old_bed_days
    assert found.new_bed_days_a_year < found.old_bed_days_a_year
    home = next(r for r in found.settings if r.setting == "home")
    # the gate delays the start of care at home, not its length
    assert home.new_days == pytest.approx(home.old_days, rel=0.05)
    coordinator = next(r for r in found.roles if r.role == "ic_coordinator")
    # the same work over more open hours
    assert coordinator.new.busy_minutes == coordinator.old.busy_minutes
    assert coordinator.new.utilisation < coordinator.old.utilisation


def test_every_diff_format_shows_the_setting_comparison(tmp_path: Path) -> None:
    found = pathway.diff(pathway.load(GATE), pathway.load(OPEN), cases=500, seed=2)
    p = found.behaviour.places
    text, markdown = found.to_text(), found.to_markdown()
    for rendered in (text, markdown, found.to_html()):
        assert "Where the time is spent, and the load on each role" in rendered
        assert "Acute hospital bed (bed days)" in rendered
        assert "Intermediate care coordinator" in rendered
        assert f"{p.old_bed_days_a_year:,.0f}" in rendered
    data = json.loads(found.to_json())["behaviour"]["places"]
    assert data["old_bed_days_a_year"] == pytest.approx(p.old_bed_days_a_year)
    assert data["bed_days_a_year_change"] == pytest.approx(
        p.new_bed_days_a_year - p.old_bed_days_a_year
    )
    assert [s["id"] for s in data["settings"]] == ["acute_bed", "home"]
    assert {r["role"] for r in data["roles"]} == {"ward_nurse", "ic_coordinator", "ic_worker"}


def test_the_html_page_with_journeys_measures_the_same_places(tmp_path: Path) -> None:
    out = tmp_path / "diff.html"
    assert main(["diff", str(GATE), str(OPEN), "-n", "300", "-q", "--html", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert 'id="places"' in page
    assert "bed days a year" in page


def test_a_pathway_with_no_settings_has_no_bed_days() -> None:
    hub = ROOT / "pathways" / "recovery-hub-2017.yaml"
    found = places(hub, ROOT / "pathways" / "recovery-hub-2018.yaml", 300)
    assert found.settings == ()
    assert not found.counts_bed_days
    assert found.old_bed_days_a_year is None
    assert found.roles  # the load on each role still compares


def test_diff_warns_of_an_overloaded_role() -> None:
    review = ROOT / "pathways" / "review-round.yaml"
    found = pathway.diff(pathway.load(review), pathway.load(review), cases=600, seed=1)
    text = found.to_text()
    assert "WARNING (old pathway): Overloaded:" in text
    assert "WARNING (new pathway): Overloaded:" in text


def test_simulate_prints_utilisation_and_warns_of_overload(
    capsys: pytest.CaptureFixture[str],
) -> None:
    review = ROOT / "pathways" / "review-round.yaml"
    assert main(["simulate", str(review), "-n", "1500", "--seed", "1", "-q"]) == 0
    out, err = capsys.readouterr()
    line = next(x for x in out.splitlines() if x.startswith("utilisation (replication 1): "))
    shares = [int(v) for v in re.findall(r"(\d+)%", line)]
    assert len(shares) == 2
    assert shares[0] >= 95
    assert "(overloaded)" in line
    assert "warning: Overloaded: Consultant psychiatrist" in err
    assert main(["simulate", str(review), "-n", "200", "-q", "--no-load"]) == 0
    out, err = capsys.readouterr()
    assert "utilisation" not in out
    assert "Overloaded" not in err


def test_simulate_does_not_warn_when_no_role_is_overloaded(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["simulate", str(GATE), "-n", "800", "-q"]) == 0
    out, err = capsys.readouterr()
    line = next(x for x in out.splitlines() if x.startswith("utilisation"))
    assert "Intermediate care coordinator" in line
    assert "overloaded" not in line
    assert "warning" not in err


def test_the_example_runs_and_shows_the_gates_cost() -> None:
    lines = run_example("weekend_gate.py")
    cost = re.fullmatch(r"the weekend gate costs about ([\d,]+) acute bed days a year", lines[3])
    assert cost is not None
    assert int(cost.group(1).replace(",", "")) > 0
    gate, opened = (float(v.replace(",", "")) for v in re.findall(r"[\d,]+", lines[2]))
    assert math.isclose(gate - opened, int(cost.group(1).replace(",", "")), abs_tol=1)


def test_the_two_example_designs_differ_only_in_the_acceptance_calendar() -> None:
    gate, opened = pathway.load(GATE), pathway.load(OPEN)
    assert gate.settings == opened.settings
    assert gate.roles == opened.roles
    assert gate.steps == opened.steps
    assert gate.transitions == opened.transitions
    assert gate.calendars["acceptance"] != opened.calendars["acceptance"]


SHIPPED = sorted((ROOT / "pathways").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
@pytest.mark.parametrize(
    "run",
    [{"cases": 1500}, {"cases": 1500, "warmup": 20_000.0}, {"cases": None, "horizon": 50_000.0}],
    ids=["cases", "warmup", "horizon"],
)
def test_simulate_measures_the_load_the_report_measures(
    path: Path, run: dict[str, float | None]
) -> None:
    """``pathway simulate`` measures the load from the kernel's rows alone; it must be
    the load the report's blocks measure on the same cohort (hours in any zone, a
    warm-up, a horizon)."""
    from pathway._report._simulated import simulated_load, simulated_places

    pathway_ = pathway.load(path)
    cases = None if run["cases"] is None else int(run["cases"])
    options = {"horizon": run.get("horizon") or math.inf, "warmup": run.get("warmup") or 0.0}
    try:
        _settings, expected = simulated_places(pathway_, cases, 7, **options)
    except pathway.SimulationError:
        with pytest.raises(pathway.SimulationError):
            simulated_load(pathway_, cases, 7, **options)
        return
    found = simulated_load(pathway_, cases, 7, **options)
    assert expected is not None
    assert found is not None
    assert (found.backlog, found.grows) == (expected.backlog, expected.grows)
    assert found.in_flight_share == pytest.approx(expected.in_flight_share, abs=1e-12)
    for mine, theirs in zip(found.roles, expected.roles, strict=True):
        assert (mine.role, mine.open_minutes, mine.capacity) == (
            theirs.role,
            theirs.open_minutes,
            theirs.capacity,
        )
        assert mine.busy_minutes == pytest.approx(theirs.busy_minutes, rel=1e-6)
