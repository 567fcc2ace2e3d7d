"""Observed figures (``observed:``, format 2): reading them, comparing the model with them,
and every shipped pathway's report printing each beside the model's value."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pathway
from pathway._define._spec import keys_since
from pathway._model._observed import (
    CASE_MEASURES,
    DEFAULT_TOLERANCE,
    Interval,
    Observed,
    Tolerance,
    parse_range,
    parse_tolerance,
)
from pathway.errors import DefinitionError
from pathway.testing import pathways

np = pytest.importorskip("numpy")

from pathway._analysis._observed import Frame, compare, statistic, upper_limit  # noqa: E402

PATHWAYS = Path(__file__).resolve().parent.parent / "pathways"
SHIPPED = sorted(PATHWAYS.glob("*.yaml"))
VALUES = st.integers(0, 10**8).map(lambda v: v / 100)  # written with two decimals

MINI = """\
format: 2
id: mini
title: Mini
version: "1"
roles: {worker: {team: t, organisation: o}}
steps:
  contact: {role: worker, duration: 10m, visit: true}
  done: {outcome: true}
transitions:
  - {trigger: finish, from: contact, to: done, wait: 2d}
observed:
  - measure: end_to_end
    value: 2d
    source: an example
"""


def figure(text: object, unit: str = "days", tolerance: Tolerance | None = None) -> Observed:
    return Observed("end_to_end", unit, "mean", str(text), parse_range(text, unit), "s", 0,
                    tolerance)  # fmt: skip


# ------------------------------------------------------------------ reading values


@given(VALUES, VALUES)
def test_a_range_holds_its_ends_and_nothing_outside(a: float, b: float) -> None:
    low, high = sorted((a, b))
    found = parse_range(f"{low:.2f}-{high:.2f}", "count")
    assert (found.low, found.high) == (float(f"{low:.2f}"), float(f"{high:.2f}"))
    bounded = figure(f"{low:.2f}-{high:.2f}", "count", Tolerance(0, relative=False))
    assert bounded.agrees(found.low)
    assert bounded.agrees(found.high)
    assert not bounded.agrees(found.high + 1)
    assert not bounded.agrees(found.low - 1)
    assert bounded.agrees(math.nan) is None


@given(st.integers(0, 5000), st.sampled_from(["m", "h", "d", "w"]))
def test_a_duration_is_read_in_the_measures_unit(amount: int, unit: str) -> None:
    minutes = amount * {"m": 1, "h": 60, "d": 1440, "w": 10080}[unit]
    assert parse_range(f"{amount}{unit}", "minutes") == Interval(minutes, minutes)
    days = parse_range(f"{amount}{unit}", "days")
    assert days.low == pytest.approx(minutes / 1440)


@given(st.integers(0, 100))
def test_a_percentage_is_a_share_and_only_a_share(percent: int) -> None:
    assert parse_range(f"{percent}%", "share").low == pytest.approx(percent / 100)
    for unit in ("count", "days", "minutes"):
        with pytest.raises(ValueError, match="percentage"):
            parse_range(f"{percent}%", unit)


@given(VALUES.filter(lambda v: v > 0), st.floats(0, 1))
def test_a_tolerance_widens_a_point_to_what_it_says(value: float, share: float) -> None:
    relative = figure(value, "count", Tolerance(share, relative=True))
    allowed = relative.allowed
    # value - value * share and value * (1 - share) differ by rounding, relative to value
    assert allowed.low == pytest.approx(value * (1 - share), abs=1e-12 * value)
    assert allowed.high == pytest.approx(value * (1 + share), abs=1e-12 * value)
    assert relative.agrees(value)
    assert relative.agrees(relative.allowed.high)
    assert not relative.agrees(relative.allowed.high * 1.001 + 1e-6)
    assert not relative.agrees(relative.allowed.low * 0.999 - 1e-6)
    plain = figure(value, "count")  # no tolerance given: the default for a point value
    assert plain.allowed.high == pytest.approx(value * (1 + DEFAULT_TOLERANCE))


@given(VALUES)
def test_a_bound_is_open_on_one_side_and_gets_no_default_tolerance(limit: float) -> None:
    below = figure(f"<{limit:.2f}", "count")
    above = figure(f">= {limit:.2f}", "count")
    assert below.agrees(-1e300)
    assert not below.agrees(float(f"{limit:.2f}") + 1)
    assert above.agrees(1e300)
    assert not above.agrees(float(f"{limit:.2f}") - 1)


def test_tolerance_forms() -> None:
    assert parse_tolerance("15%", "days") == Tolerance(0.15, relative=True)
    assert parse_tolerance("2pp", "share") == Tolerance(0.02, relative=False)
    assert parse_tolerance("2d", "days") == Tolerance(2, relative=False)
    with pytest.raises(ValueError, match="percentage points"):
        parse_tolerance("2pp", "days")


@pytest.mark.parametrize("text", ["abc", "5-3", "3 hrs", True, [1]])
def test_unreadable_values_say_why(text: object) -> None:
    with pytest.raises(ValueError):
        parse_range(text, "days")


# ----------------------------------------------------------------- statistics


@given(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=50))
def test_the_upper_limit_is_the_mean_plus_the_scaled_moving_range(values: list[float]) -> None:
    array = np.asarray(values)
    expected = array.mean() + 2.66 * np.abs(np.diff(array)).mean()
    assert upper_limit(array) == pytest.approx(expected)
    assert upper_limit(array) >= array.mean() - 1e-6


@given(st.lists(st.integers(0, 6), min_size=1, max_size=40))
def test_a_share_counts_the_cases_within(visits: list[int]) -> None:
    share = Observed("visits", "count", "share", "<50%", Interval(0, 0.5), "s", 0,
                     within=Interval(1, 1), within_text="1")  # fmt: skip
    array = np.asarray(visits, dtype=float)
    assert statistic(share, array) == pytest.approx(sum(v == 1 for v in visits) / len(visits))


def test_compare_gives_the_mean_over_frames_and_its_interval() -> None:
    hub = figure("3d")
    frames = [
        Frame({"end_to_end": lambda v=v: np.asarray([v, v])}, np.asarray(["done"] * 2, object),
              np.asarray([True, True]))
        for v in (2.0, 3.0, 4.0)
    ]  # fmt: skip
    (found,) = compare([hub], frames)
    assert found.value == pytest.approx(3.0)
    assert found.interval is not None
    assert found.interval[0] < 3 < found.interval[1]
    assert found.cases == 6
    assert found.agrees


# ------------------------------------------------------------------ the format


def test_observed_in_a_version_1_file_is_a_newer_format_problem_at_its_line() -> None:
    with pytest.raises(DefinitionError) as caught:
        pathway.load(MINI.replace("format: 2\n", ""))
    (problem,) = caught.value.problems
    assert (problem.code, problem.field, problem.line) == ("newer-format", "observed", 10)


def test_an_unknown_measure_is_located_with_a_suggestion() -> None:
    with pytest.raises(DefinitionError) as caught:
        pathway.load(MINI.replace("measure: end_to_end", "measure: end_to_edn"))
    (problem,) = caught.value.problems
    assert (problem.code, problem.field, problem.line, problem.column) == (
        "unknown-measure", "observed[0].measure", 12, 14)  # fmt: skip
    assert problem.suggestion == "did you mean 'end_to_end'?"


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("value: 2d", "value: 20%", "observed[0].value"),
        ("value: 2d", "value: 2d\n    statistic: share", "observed[0].statistic"),
        (
            "measure: end_to_end",
            "measure: dna_rate\n    statistic: median",
            "observed[0].statistic",
        ),
        ("measure: end_to_end", "measure: time_to", "observed[0].measure"),
        ("value: 2d", "value: 2d\n    tolerance: 2pp", "observed[0].tolerance"),
    ],
)
def test_figures_that_do_not_fit_are_invalid_observed(old: str, new: str, field: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        pathway.load(MINI.replace(old, new))
    assert [(p.code, p.field) for p in caught.value.problems] == [("invalid-observed", field)]


def test_a_step_or_outcome_that_is_not_declared_is_an_unknown_reference() -> None:
    text = MINI.replace("measure: end_to_end", "measure: time_to\n    step: contcat")
    with pytest.raises(DefinitionError) as caught:
        pathway.load(text.replace("source:", "outcomes: [contact]\n    source:"))
    found = [(p.code, p.field, p.suggestion) for p in caught.value.problems]
    assert found == [
        ("unknown-reference", "observed[0].step", "did you mean 'contact'?"),
        ("unknown-reference", "observed[0].outcomes[0]", "declare outcome step 'contact' first"),
    ]


def test_the_observable_case_measures_are_the_reports() -> None:
    from pathway._report._words import MEASURES

    assert set(CASE_MEASURES) == set(MEASURES)


@settings(max_examples=30, deadline=None)
@given(pathways())
def test_strategies_generate_observed_figures_that_load(spec: pathway.PathwaySpec) -> None:
    model = pathway.load(spec.model_dump(mode="json", by_alias=True, exclude_none=True))
    assert len(model.observed) == len(spec.observed or [])


def test_strategies_do_generate_observed_figures() -> None:
    found = []

    @settings(max_examples=40, deadline=None)
    @given(pathways())
    def collect(spec: pathway.PathwaySpec) -> None:
        found.append(bool(spec.observed))

    collect()
    assert any(found)


# ------------------------------------------------------ the shipped pathways


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_report_prints_each_observed_figure_beside_the_model(path: Path) -> None:
    from pathway._report._observed import figure_words, value_words
    from pathway.cli._report import simulated_report

    model = pathway.load(path)
    assert model.observed, "every shipped pathway declares what its sources report"
    report = simulated_report(model, 600, 1)
    document = json.loads(report.to_json())["observed"]
    markdown, html = report.to_markdown(), report.to_html()
    assert len(document) == len(model.observed)
    for figure, found, comparison in zip(model.observed, document, report.observed, strict=True):
        assert found["observed"] == figure.text
        assert found["source"] == figure.source
        assert comparison.observed is figure
        row = [line for line in markdown.splitlines() if figure_words(figure, model) in line]
        assert row, figure_words(figure, model)
        model_value = value_words(comparison.value, figure.unit_of_value)
        assert f"| {figure.text} |" in row[0]
        assert model_value in row[0]
    assert "Model against observed" in html


def test_report_of_an_event_log_sets_the_logs_figures_beside_the_observed(
    tmp_path: Path,
) -> None:
    model = pathway.load(PATHWAYS / "recovery-hub-2017.yaml")
    log = tmp_path / "hub.parquet"
    result = pathway.simulate(
        model, cases=800, seed=3, events=str(log), milestones=["full_assessment"]
    )
    from pathway._report._fidelity import simulated_comparisons

    report = pathway.analyse(log, model)
    simulated = simulated_comparisons(result, model)
    assert [c.observed for c in report.observed] == list(model.observed)
    for from_log, from_simulation in zip(report.observed, simulated, strict=True):
        # the same cases measured from the log and from the simulator's own arrays (the
        # log's times are UTC, the simulator's wall-clock: a case across a clock change
        # differs by an hour, and an XmR limit moves by up to 2.66 x two hours more)
        hours = 7 / 24 if from_log.observed.unit_of_value == "days" else 1e-9
        assert from_log.value == pytest.approx(from_simulation.value, abs=hours)
        assert from_log.cases == from_simulation.cases


# The content hashes of the shipped files at format 1, before they used format-2 keys:
# moving to format 2 and adding format-2 keys ('observed', a checkpoint's 'rounds'...)
# is the only change to each, and a version-1 file keeps its hash under format 2.
FORMAT_1_HASHES = {
    "portsmouth-rois-2012": "e132f257594deb56eaf91ce9ce6238fe8e760c840df7f12d0733b219dd318b8f",
    "recovery-hub-2017": "592fd9fb9afc572eb07b98479c266e13007a17bad5b0f9b080bfc7728527c1fd",
    "recovery-hub-2018": "dea325f573657e684efb4d0e80e567297f71652dcc7883e62909458ec02261aa",
    "review-round": "dd206af6345257e7035050d59c7df7693de3f8c515a8a60e0f8dc98ccad0102f",
}


def _without_format_2(value: Any) -> Any:
    """``value`` (a file's data) without any key format 2 added, at any depth."""
    added = keys_since(2)
    if isinstance(value, dict):
        return {k: _without_format_2(v) for k, v in value.items() if k not in added}
    if isinstance(value, list):
        return [_without_format_2(v) for v in value]
    return value


@pytest.mark.parametrize("name", sorted(FORMAT_1_HASHES))
def test_shipped_files_changed_only_by_format_2_keys(name: str) -> None:
    from pathway._report._fidelity import _data

    data = _data(PATHWAYS / f"{name}.yaml")
    assert data.pop("format") == 2
    assert data.get("observed")
    assert pathway.load(_without_format_2(data)).content_hash == FORMAT_1_HASHES[name]
