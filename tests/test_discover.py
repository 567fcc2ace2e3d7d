"""Discovery: a draft pathway from an event log, its fit report, and the log's people.

Ground truth: simulate a shipped pathway, discover from its log, simulate the draft, and
compare the two logs; real logs from tests/data; logs nothing can be learnt from.
"""

from __future__ import annotations

import json
import math
import tempfile
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import pathway
from pathway._define._spec import PathwaySpec
from pathway._discover._api import log_arrivals, with_arrivals
from pathway._discover._check import _outcome_names, log_measures, wasserstein
from pathway._discover._fit import duration_text, fit_duration, ks_distance, week_windows
from pathway._discover._mine import local_minutes, mine
from pathway._model._distributions import parse_duration
from pathway._model._pathway import Arrivals
from pathway.cli import main
from pathway.io import read_log
from pathway.testing import pathways

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
HUB = ROOT / "pathways" / "recovery-hub-2017.yaml"
CASES = 4000


@pytest.fixture(scope="module")
def hub_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("discover") / "hub.parquet"
    pathway.simulate(HUB, cases=CASES, seed=7, events=path)
    return path


@pytest.fixture(scope="module")
def hub_draft(hub_log: Path) -> pathway.Discovery:
    return pathway.discover(hub_log)


# ---------------------------------------------------------------------- ground truth


def test_ground_truth_resimulated_draft_matches_the_log(
    hub_draft: pathway.Discovery, tmp_path: Path
) -> None:
    events = tmp_path / "draft.parquet"
    pathway.simulate(hub_draft.pathway, cases=CASES, seed=8, events=events)
    again = read_log(events)
    real = log_measures(hub_draft.log, hub_draft.mined)
    sim = log_measures(
        again, mine(again, timezone=hub_draft.mined.timezone), _outcome_names(hub_draft.pathway)
    )
    for q in (0.5, 0.9):
        a, b = np.quantile(real.end_to_end, q), np.quantile(sim.end_to_end, q)
        assert abs(b - a) <= 0.05 * a, (q, a, b)
    assert abs(sim.handoffs - real.handoffs) <= 0.05 * real.handoffs
    assert abs(sim.visits - real.visits) <= 0.05 * real.visits
    assert set(sim.outcomes) == set(real.outcomes)
    for name, share in real.outcomes.items():
        assert abs(sim.outcomes[name] - share) <= 0.02, name


def test_ground_truth_moves_are_the_declared_ones_that_occurred(
    hub_draft: pathway.Discovery,
) -> None:
    declared = pathway.load(HUB)
    occurred = {(m.source, m.target) for m in hub_draft.mined.moves}
    assert occurred <= {(t.source, t.target) for t in declared.transitions}
    drafted = {(t.source, t.target) for t in hub_draft.pathway.transitions}
    assert drafted == occurred
    # every p is the move's share of the moves out of its step
    for move in hub_draft.mined.moves:
        total = sum(m.count for m in hub_draft.mined.moves if m.source == move.source)
        (t,) = [
            t
            for t in hub_draft.pathway.transitions
            if (t.source, t.target) == (move.source, move.target)
        ]
        expected = move.count / total
        assert (t.weight < 0 and expected == 1) or abs(t.weight - expected) < 1e-5


def test_ground_truth_gates_visits_roles_and_facts(hub_draft: pathway.Discovery) -> None:
    draft = hub_draft.pathway
    # the Tuesday/Thursday assessment gate and the doctor's clinics are found
    pre = draft.calendars[draft.steps["pre_assessment"].calendar or ""]
    doctor = draft.calendars[draft.steps["doctor_appointment"].calendar or ""]
    tue, thu, fri = 1440, 3 * 1440, 4 * 1440
    assert [w[0] // 1440 * 1440 for w in pre.windows] == [tue, thu]
    assert [w[0] // 1440 * 1440 for w in doctor.windows] == [tue, fri]
    assert doctor.windows[0] == (tue + 13 * 60, tue + 16 * 60)
    visits = {s for s, step in draft.steps.items() if step.visit}
    declared = pathway.load(HUB)
    # a visit step is one whose completions were attended; a step done in the same
    # attendance as the one before (statutory_dataset) records no attendance of its own
    assert visits <= {s for s, step in declared.steps.items() if step.visit}
    assert visits >= {"first_contact", "full_assessment", "doctor_appointment"}
    assert draft.roles["doctor"].capacity == 1
    # teams and organisations follow the hand-off levels the log records
    roles = draft.roles
    assert roles["doctor"].organisation == roles["duty_worker"].organisation
    assert roles["community_pharmacy"].organisation != roles["doctor"].organisation
    assert roles["doctor"].team != roles["recovery_worker"].team
    assert set(draft.facts) == set(declared.facts)
    assert "TODO designer: classify" in hub_draft.yaml
    assert all(step.work == "value" for step in draft.steps.values())


def test_role_calendars_on_request(hub_log: Path) -> None:
    draft = pathway.discover(hub_log, role_calendars=True).pathway
    assert all(role.calendar is not None for role in draft.roles.values())
    doctor = draft.calendars[draft.roles["doctor"].calendar or ""]
    assert len(doctor.windows) == 2  # Tuesday and Friday clinics


def test_every_discovered_number_has_a_comment(hub_draft: pathway.Discovery) -> None:
    for line in hub_draft.yaml.splitlines():
        key = line.strip().split(":")[0]
        if key in {"capacity", "duration", "wait", "p", "rate", "distribution"}:
            assert "#" in line, line
            assert "n=" in line or " of " in line or "cases" in line, line


def test_fit_report_text_and_json(hub_draft: pathway.Discovery) -> None:
    report = pathway.fit_report(hub_draft, seed=3, cases=1500)
    text = report.to_text()
    assert "end-to-end median" in text
    assert "Fits the log on" in text
    data = json.loads(report.to_json())
    assert data["simulated_cases"] == 1500
    assert 0 <= data["distances"]["end_to_end_ks"] <= 1
    assert {line["measure"] for line in data["lines"]} >= {
        "end-to-end median",
        "end-to-end p90",
        "hand-offs per case",
        "visits per case",
    }


# ------------------------------------------------------------------ the log's people


def test_arrivals_from_a_log_are_its_cases_first_events(hub_log: Path) -> None:
    hub = pathway.load(HUB)
    people = log_arrivals(hub_log, hub.timezone)
    assert len(people.times) == CASES
    result = pathway.simulate(
        with_arrivals(hub, people), cases=len(people.times), start=people.start, seed=1
    )
    output = result.outputs[0]
    assert output.arrived == CASES
    # the simulated people arrive when the log's did (local minutes since the start day)
    log = read_log(hub_log)
    starts, _ = log.case_bounds()
    local = local_minutes(np.sort(log.at[starts]), ZoneInfo(hub.timezone))
    midnight = (people.start - date(1970, 1, 1)).days * 1440
    assert np.allclose(np.asarray(output.arrival), local - midnight, atol=1.0)


def test_cli_simulate_and_diff_with_arrivals_from(
    hub_log: Path, hub_draft: pathway.Discovery, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = tmp_path / "draft.yaml"
    hub_draft.write(draft)
    assert main(["simulate", str(draft), "--arrivals-from", str(hub_log), "-q"]) == 0
    assert f"{CASES}" in capsys.readouterr().out
    redesign = ROOT / "pathways" / "recovery-hub-2018.yaml"
    out = tmp_path / "diff.json"
    code = main(
        [
            "diff",
            str(draft),
            str(redesign),
            "--arrivals-from",
            str(hub_log),
            "-q",
            "--format",
            "json",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    data = json.loads(out.read_text())
    assert data["behaviour"]["cases"] == CASES


# --------------------------------------------------------------------------- real logs


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("running-example.xes", None),
        ("helpdesk.xes.gz", None),
        ("interval-event-log.csv", None),
        (
            "bupar-patients.csv",
            "case=patient,activity=handling,time=time,lifecycle=registration_type,"
            "resource=employee,instance=handling_id",
        ),
    ],
)
def test_real_logs_draft_validates_and_fit_report_is_written(
    name: str, columns: str | None, tmp_path: Path
) -> None:
    draft, report = tmp_path / "draft.yaml", tmp_path / "fit.json"
    args = ["discover", str(DATA / name), "-o", str(draft), "--check", "-q"]
    args += ["--format", "json", "--report", str(report)]
    if columns:
        args += ["--columns", columns]
    assert main(args) == 0
    pathway.load(draft)
    data = json.loads(report.read_text())
    assert math.isfinite(data["distances"]["end_to_end_emd_days"])
    assert data["summary"][0].startswith("Fits the log on")
    waits = [line for line in data["lines"] if line["measure"].startswith("median wait")]
    assert waits
    if data["cases"] >= 500:  # the moves' waits are learnt and come back
        assert sum(line["fits"] for line in waits) >= len(waits) / 2


# -------------------------------------------------------------------------- bad input


def _csv(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "log.csv"
    path.write_text("case,activity,time,lifecycle\n" + "\n".join(rows) + "\n")
    return path


def test_one_case_is_refused_saying_why(tmp_path: Path) -> None:
    log = _csv(tmp_path, ["1,a,2024-01-01T09:00:00Z,complete", "1,b,2024-01-01T10:00:00Z,complete"])
    with pytest.raises(pathway.EventLogError, match="at least 2") as error:
        pathway.discover(log)
    assert error.value.problems[0].code == "too-few-cases"


def test_every_event_at_one_instant_is_refused(tmp_path: Path) -> None:
    rows = [f"{c},{a},2024-01-01T09:00:00Z,complete" for c in (1, 2) for a in "ab"]
    with pytest.raises(pathway.EventLogError, match="one instant"):
        pathway.discover(_csv(tmp_path, rows))


def test_no_timestamps_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("case,activity\n1,a\n2,a\n")
    with pytest.raises(pathway.EventLogError, match="time"):
        pathway.discover(path)


def test_activities_that_never_end(tmp_path: Path) -> None:
    rows = [f"{c},a,2024-01-0{c}T09:00:00Z,start" for c in (1, 2, 3)]
    with pytest.raises(pathway.EventLogError, match="no step completed"):
        pathway.discover(_csv(tmp_path, rows))
    # some end, some never do: the draft validates and says what it left open
    rows += [f"{c},a,2024-01-0{c}T09:30:00Z,complete" for c in (1, 2)]
    rows += ["1,b,2024-01-01T10:00:00Z,start", "1,b,2024-01-01T10:30:00Z,complete"]
    rows += ["3,b,2024-01-03T10:00:00Z,start"]
    found = pathway.discover(_csv(tmp_path, rows))
    assert "b" in found.pathway.steps
    assert found.pathway.steps["a"].duration is not None


def test_cli_bad_log_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = _csv(tmp_path, ["1,a,2024-01-01T09:00:00Z,complete"])
    assert main(["discover", str(log)]) == 1
    assert "too-few-cases" in capsys.readouterr().err
    assert main(["discover", str(tmp_path / "missing.csv")]) == 2


# ------------------------------------------------------------------------------ fitting


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=0.001, max_value=60 * 24 * 365 * 5))
def test_duration_text_reads_back(minutes: float) -> None:
    assert parse_duration(duration_text(minutes)) == pytest.approx(minutes, rel=1e-3, abs=1e-3)


def test_fit_duration_rules() -> None:
    rng = np.random.default_rng(1)
    sample = np.exp(rng.normal(np.log(40), 0.4, 2000))
    fit = fit_duration(sample)
    assert fit is not None
    assert fit.kind == "lognormal"
    median = parse_duration(fit.value["lognormal"]["median"])
    assert median == pytest.approx(np.median(sample), rel=1e-3)
    fixed = fit_duration([5.0] * 40)
    assert fixed is not None
    assert fixed.kind == "fixed"
    assert fixed.value == "5m"
    small = fit_duration([1.0, 2.0, 9.0])
    assert small is not None
    assert small.kind == "empirical"
    assert "n=3" in small.comment
    mixed = fit_duration(np.concatenate([np.zeros(100), sample[:100]]))
    assert mixed is not None
    assert mixed.kind == "empirical"
    assert fit_duration([]) is None


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1e4), min_size=1, max_size=50))
def test_distances_are_zero_on_the_same_sample_and_bounded(values: list[float]) -> None:
    a = np.asarray(values)
    assert ks_distance(a, a) == 0
    assert wasserstein(a, a) == pytest.approx(0, abs=1e-9)
    assert 0 <= ks_distance(a, a + 1) <= 1


def test_week_windows_cover_the_starts() -> None:
    tuesday_morning = 1440 + np.arange(9 * 60 + 30, 12 * 60, 5, dtype=float)
    thursday = tuesday_morning + 2 * 1440
    windows = week_windows(np.concatenate([tuesday_morning, thursday]), same_hours=True)
    assert windows is not None
    assert windows.open_map() == {"tue, thu": "09:30-12:00"}


# ------------------------------------------------------------------ generated pathways


@settings(max_examples=15, deadline=None)
@given(pathways(max_steps=6, checkpoints=False, guards=False))
def test_generated_pathways_drafts_validate_and_keep_the_moves_seen(spec: PathwaySpec) -> None:
    model = pathway.load(spec)
    if model.arrivals is None:
        model = attrs.evolve(model, arrivals=Arrivals(rate_per_minute=5 / 1440))
    with tempfile.TemporaryDirectory() as folder:
        events = Path(folder) / "log.parquet"
        try:
            pathway.simulate(model, cases=60, seed=2, events=events)
        except pathway.DefinitionError:
            assume(False)  # valid, but not simulable (calendars never open together)
        try:
            found = pathway.discover(events)
        except pathway.EventLogError as error:
            code = error.problems[0].code
            # a zero-time self-loop makes the simulator write the same event twice, which
            # read_log refuses (a known simulator limit, not discovery's)
            assume("repeats row" not in str(error))
            found = None
    if found is None:
        # nothing to learn (every case ended at once): said with a code
        assert code in {"no-steps", "one-instant", "too-few-cases"}
        return
    declared = {(t.source, t.target) for t in model.transitions}
    seen = {(m.source, m.target) for m in found.mined.moves}
    assert seen <= declared
    drafted = {(t.source, t.target) for t in found.pathway.transitions}
    assert seen <= drafted
    for step in found.pathway.steps.values():
        assert step.outcome or step.role in found.pathway.roles


def test_discover_from_a_dataframe_and_an_eventlog(hub_log: Path) -> None:
    pandas = pytest.importorskip("pandas")
    frame = pandas.read_csv(DATA / "interval-event-log.csv")
    found = pathway.discover(frame)
    assert found.yaml.startswith("# Discovered by `pathway discover` from <DataFrame>")
    assert set(found.pathway.steps) >= {"place_order", "send_invoice"}
    again = pathway.discover(read_log(hub_log), timezone="Europe/London")
    assert again.pathway.timezone == "Europe/London"
    with pytest.raises(pathway.EventLogError, match="time zone"):
        pathway.discover(read_log(hub_log), timezone="Mars/Olympus")
