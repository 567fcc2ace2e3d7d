"""Expected visits and hand-offs over every path (an absorbing Markov chain), the diff's
role calendar gates, and no change listed where the rounded values are equal."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pathway
from pathway._diff._behaviour import Comparison
from pathway._diff._expected import expected_journey
from pathway._diff._structural import structural_diff


@st.composite
def looping_pathways(draw: st.DrawFn) -> str:
    """A small pathway: a chain of steps with random roles and visits (never two visits
    in a row, so every entry into a visit step is an attendance), each step going on or
    looping back to an earlier step with a random chance."""
    n = draw(st.integers(2, 5))
    roles = [draw(st.sampled_from(["a", "b", "c"])) for _ in range(n)]
    visits = [draw(st.booleans()) for _ in range(n)]
    for i in range(1, n):
        visits[i] = visits[i] and not visits[i - 1]
    visits[0] = visits[0] and not visits[-1]
    steps = "".join(
        f"  s{i}: {{role: {roles[i]}, duration: 10m, visit: {str(visits[i]).lower()}}}\n"
        for i in range(n)
    )
    moves = ""
    for i in range(n):
        back = draw(st.integers(0, i))
        p = draw(st.sampled_from([0.0, 0.2, 0.4, 0.6]))
        target = f"s{i + 1}" if i + 1 < n else "end"
        moves += f"  - {{trigger: on{i}, from: s{i}, to: {target}, p: {1 - p}}}\n"
        if p:
            moves += f"  - {{trigger: back{i}, from: s{i}, to: s{back}, p: {p}}}\n"
    return (
        "id: loops\ntitle: loops\nversion: '1'\n"
        "roles:\n"
        + "".join(f"  {r}: {{team: t{r}, organisation: o, capacity: 50}}\n" for r in "abc")
        + f"steps:\n{steps}  end: {{outcome: true}}\ntransitions:\n{moves}"
        + "arrivals: {rate: 10/d}\n"
    )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(looping_pathways())
def test_expected_visits_and_handoffs_agree_with_the_simulator(text: str) -> None:
    loops = pathway.load(text)
    expected = expected_journey(loops)
    assert expected is not None
    assert expected.approximate == ()
    result = pathway.simulate(loops, cases=1500, seed=3)
    m = result.measures(0)
    done = np.asarray(m["finished"], dtype=bool)
    visits = np.asarray(m["visits"], dtype=float)[done]
    handoffs = sum(np.asarray(m[f"handoffs_{level}"], dtype=float) for level in ("role", "team"))[
        done
    ]
    for found, want in ((visits, expected.visits), (handoffs, expected.total_handoffs)):
        error = found.std(ddof=1) / math.sqrt(len(found)) if len(found) > 1 else 0.0
        assert abs(found.mean() - want) <= 5 * error + 1e-9


def test_a_loop_makes_the_expected_count_exceed_the_nominal_path() -> None:
    review = pathway.load("pathways/review-round.yaml")
    expected = expected_journey(review)
    assert expected is not None
    nominal = sum(review.nominal_handoffs().values())
    assert expected.total_handoffs > nominal + 5


def test_a_guard_makes_the_expectation_approximate_and_says_where() -> None:
    hub = pathway.load("pathways/recovery-hub-2017.yaml")
    expected = expected_journey(hub)
    assert expected is not None
    assert any("guards at" in reason for reason in expected.approximate)


def test_a_role_calendar_gate_is_reported_as_a_gate_change() -> None:
    old = pathway.load("pathways/review-round.yaml")
    with open("pathways/review-round.yaml", encoding="utf-8") as handle:
        wider = handle.read().replace('"mon, thu": "10:00-13:00"', '"mon-fri": "10:00-13:00"')
    found = structural_diff(old, pathway.load(wider)).summary()
    assert any("widens the calendar gate 'ward_rounds'" in s and "consultant" in s for s in found)


def comparison(
    old_median: float, new_median: float, old_mean: float, new_mean: float
) -> Comparison:
    diff = new_mean - old_mean
    return Comparison(
        "handoffs", "hand-offs", "hand-offs", 1000, old_median, new_median, old_mean, new_mean,
        diff, (diff - 0.001, diff + 0.001) if diff else (-0.001, 0.001),
        new_median - old_median, (0.0, 0.0),
    )  # fmt: skip


@given(
    st.floats(0, 50, allow_nan=False),
    st.floats(-0.04, 0.04, allow_nan=False),
    st.floats(0, 50, allow_nan=False),
    st.floats(-0.004, 0.004, allow_nan=False),
)
def test_no_change_is_listed_where_the_rounded_values_are_equal(
    median: float, median_shift: float, mean: float, mean_shift: float
) -> None:
    from pathway._diff._behaviour import _fmt, _sentence

    c = comparison(median, median + median_shift, mean, mean + mean_shift)
    same = _fmt(c.old_median, c.unit) == _fmt(c.new_median, c.unit) and _fmt(
        c.old_mean, c.unit, 2
    ) == _fmt(c.new_mean, c.unit, 2)
    sentence = _sentence(c)
    if same:
        assert not c.visible
        assert "rises" not in sentence
        assert "falls" not in sentence
    else:
        assert c.visible


@pytest.mark.parametrize("name", ["review-round", "recovery-hub-2018"])
def test_the_diff_json_carries_the_expected_counts(name: str) -> None:
    loaded = pathway.load(f"pathways/{name}.yaml")
    data = structural_diff(loaded, loaded).to_dict()["expected"]
    assert data["old"] == data["new"]
    assert data["old"]["finite"]
