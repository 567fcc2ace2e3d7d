"""``simulate`` refuses what it cannot run with a PathwayError: a DefinitionError naming
the file and field for a mistake in the pathway file, a SimulationError for an argument."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

import pathway
from pathway.errors import DefinitionError, SimulationError

pytest.importorskip("numpy")
from pathway._sim._api import simulate
from shared_pathways import MINI_YAML

WITH_ARRIVALS = MINI_YAML.replace("steps:\n", "arrivals: {rate: 12/d}\nsteps:\n", 1).replace(
    "age: {type: int}", "age: {type: int, distribution: {randint: [16, 80]}}"
)


def load(text: str, tmp_path: Path) -> pathway.Pathway:
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    return pathway.load(path)


def problem_of(error: pytest.ExceptionInfo[DefinitionError]) -> pathway.Problem:
    (problem,) = error.value.problems
    assert problem.code == "cannot-simulate"
    return problem


def test_no_arrivals_names_the_file_and_field(tmp_path: Path) -> None:
    model = load(MINI_YAML, tmp_path)
    with pytest.raises(DefinitionError) as caught:
        simulate(model, cases=5)
    problem = problem_of(caught)
    assert (problem.source, problem.field) == (str(tmp_path / "p.yaml"), "arrivals")


def test_a_guard_over_a_fact_without_a_distribution_names_the_fact(tmp_path: Path) -> None:
    model = load(MINI_YAML.replace("steps:\n", "arrivals: {rate: 12/d}\nsteps:\n", 1), tmp_path)
    with pytest.raises(DefinitionError) as caught:
        simulate(model, cases=5)
    problem = problem_of(caught)
    assert problem.field == "facts.age.distribution"
    assert "needs_prescribing and age >= 18" in problem.message


def test_calendars_never_open_together_name_the_step(tmp_path: Path) -> None:
    text = WITH_ARRIVALS.replace(
        "  worker: {team: recovery, organisation: hub}",
        "  worker: {team: recovery, organisation: hub, calendar: mondays}",
    ).replace("calendars:\n", 'calendars:\n  mondays:\n    open: {mon: "09:00-17:00"}\n')
    model = load(text, tmp_path)
    with pytest.raises(DefinitionError) as caught:
        simulate(model, cases=5)
    problem = problem_of(caught)
    assert problem.field == "steps.assess.calendar"
    assert "'assess_days' and 'mondays' are never open together" in problem.message


@pytest.mark.parametrize(
    ("options", "said"),
    [
        ({"cases": 0}, "cases must be a whole number of at least 1, found 0"),
        ({"cases": -5}, "cases must be a whole number of at least 1"),
        ({"cases": 2.5}, "cases must be a whole number of at least 1"),
        ({"cases": 10**12}, "cases must be at most 50,000,000"),
        ({"replications": 0}, "replications must be a whole number of at least 1"),
        ({"seed": 2**64}, "seed must be a whole number smaller than 2**64"),
        ({"seed": "1"}, "seed must be a whole number"),
        ({"start": "notadate"}, "start must be a date like 2017-10-02"),
        ({"start": date(2300, 1, 1)}, "start must be between 1677-09-23 and 2262-04-09"),
        ({"start": 7}, "start must be a date or text"),
        ({"horizon": "xyz"}, "horizon: expected a duration"),
        ({"horizon": -1}, "horizon must be"),
        ({"horizon": float("nan")}, "horizon must be"),
        ({"horizon": 0}, "horizon must be longer than 0"),
        ({"warmup": "abc"}, "warmup: expected a duration"),
        (
            {"warmup": "2w", "horizon": timedelta(weeks=1)},
            "the warm-up (20160 minutes) must be shorter than the horizon (10080 minutes)",
        ),
        ({"events": "out.txt"}, "events file must end in .csv or .parquet"),
        ({"events": "no/such/dir/e.csv"}, "cannot write events file"),
        ({"milestones": ["asess"]}, "unknown milestone step 'asess'"),
        ({"branching": "proportional"}, "branching must be 'shares' or 'renormalise'"),
    ],
)
def test_bad_arguments_are_simulation_errors(
    tmp_path: Path, options: dict[str, object], said: str
) -> None:
    model = load(WITH_ARRIVALS, tmp_path)
    options.setdefault("cases", 5)
    with pytest.raises(SimulationError, match=r"^" + said.replace("*", r"\*").replace(
        "(", r"\(").replace(")", r"\)")):  # fmt: skip
        simulate(model, **options)  # type: ignore[arg-type]
    assert isinstance(SimulationError("x"), ValueError)


def test_an_unknown_milestone_suggests_the_step(tmp_path: Path) -> None:
    model = load(WITH_ARRIVALS, tmp_path)
    with pytest.raises(SimulationError, match="did you mean 'assess'"):
        simulate(model, cases=5, milestones=["asess"])


def test_a_warm_up_that_leaves_no_case_to_measure_is_refused(tmp_path: Path) -> None:
    model = load(WITH_ARRIVALS, tmp_path)
    with pytest.raises(SimulationError, match="arrived during the warm-up"):
        simulate(model, cases=5, warmup="52w")


def test_an_event_log_past_2262_is_refused_and_not_left_behind(tmp_path: Path) -> None:
    model = load(WITH_ARRIVALS, tmp_path)
    events = tmp_path / "far.csv"
    with pytest.raises(SimulationError, match="past 2262-04-09"):
        simulate(model, cases=50, start=date(2262, 4, 1), events=events)
    assert not events.exists()
    # without an event log the same run is fine: nothing needs nanosecond times
    assert simulate(model, cases=50, start=date(2262, 4, 1)).arrived == 50
