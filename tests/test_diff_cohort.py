"""People and checkpoint rounds in the diff (issue 16): cases per person, repeat demand
and right first time, and re-reviews and lapses per 100 decisions, old against new, in
every format, with no change listed when the rounded figures are equal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pathway
from checkpoint_rules_support import ROUNDS_YAML
from pathway._diff._cohort import CohortChange, CohortFigures, cohort_changes, fmt

pytest.importorskip("numpy")

ROOT = Path(__file__).resolve().parents[1]
RETURNING = (ROOT / "examples" / "returning-people.yaml").read_text()
WITH_ROUNDS = pathway.load(ROUNDS_YAML)
WITHOUT_ROUNDS = pathway.load(
    ROUNDS_YAML.replace("    rounds: rounds\n", "").replace(", persists: true", "")
)


def _cohort(diff: pathway.Diff) -> dict[str, CohortChange]:
    assert diff.behaviour is not None
    return {c.measure: c for c in diff.behaviour.cohort}


def test_rounds_stop_same_round_re_reviews_and_make_reviews_lapse() -> None:
    found = _cohort(pathway.diff(WITHOUT_ROUNDS, WITH_ROUNDS, cases=80, seed=3))
    re_reviews = found["same_round_per_100_decisions:questions"]
    lapsed = found["lapsed_per_100_decisions:questions"]
    assert re_reviews.old is not None
    assert re_reviews.old > 0
    assert re_reviews.new == 0
    assert re_reviews.better is True
    assert lapsed.old == 0
    assert lapsed.new is not None
    assert lapsed.new > 0
    assert lapsed.better is False


def test_fewer_loops_back_raise_right_first_time() -> None:
    old = pathway.load(RETURNING)
    new = pathway.load(
        RETURNING.replace("p: 0.3, demand", "p: 0.02, demand").replace("p: 0.7}", "p: 0.98}")
    )
    found = _cohort(pathway.diff(old, new, cases=300, seed=1))
    assert found["right_first_time_share"].better is True
    assert found["cases_per_person"].old is not None
    assert found["cases_per_person"].old > 1  # people come back in both


@settings(max_examples=3, deadline=None)
@given(seed=st.integers(0, 1000))
def test_a_pathway_against_itself_lists_no_change(seed: int) -> None:
    diff = pathway.diff(pathway.load(RETURNING), pathway.load(RETURNING), cases=60, seed=seed)
    assert not [c for c in _cohort(diff).values() if c.visible]
    assert "No change in people or checkpoint rounds." in diff.to_markdown()


@given(
    old=st.floats(0, 1, allow_nan=False),
    new=st.floats(0, 1, allow_nan=False),
)
def test_a_change_is_listed_only_when_the_rounded_figures_differ(old: float, new: float) -> None:
    change = CohortChange("repeat_share", "repeat demand", "share", old, new)
    assert change.visible == (f"{old:.0%}" != f"{new:.0%}")
    figures = CohortFigures({"repeat_share": old}, ())
    (same, *_) = cohort_changes(figures, figures)
    assert not same.visible
    if not change.visible:
        assert change.better is None


def test_a_checkpoint_of_one_pathway_only_is_shown_against_n_a() -> None:
    rounds = pathway.diff(WITH_ROUNDS, WITH_ROUNDS, cases=10, seed=1, simulate=False)
    assert rounds.behaviour is None  # no simulation, no cohort figures
    changes = cohort_changes(
        CohortFigures({}, ()),
        CohortFigures({}, (pathway._analysis._rounds.CheckpointRounds("q", None, 10, 2, 0),)),
        {"q": "Questions"},
    )
    found = {c.measure: c for c in changes}
    assert found["same_round_per_100_decisions:q"].new == 20
    assert found["same_round_per_100_decisions:q"].old is None
    assert found["same_round_per_100_decisions:q"].label.endswith("at Questions")
    assert fmt(None, "share") == "n/a"


def test_every_format_compares_people_and_rounds() -> None:
    diff = pathway.diff(WITHOUT_ROUNDS, WITH_ROUNDS, cases=80, seed=3)
    data = json.loads(diff.to_json())["behaviour"]["cohort"]
    assert {d["measure"] for d in data} >= {
        "cases_per_person",
        "repeat_share",
        "right_first_time_share",
        "lapsed_per_100_decisions:questions",
    }
    re_reviews = _cohort(diff)["same_round_per_100_decisions:questions"]
    sentence = f"from {fmt(re_reviews.old, re_reviews.unit)} to 0.0 per 100 decisions"
    for text in (diff.to_text(), diff.to_markdown(), diff.to_html()):
        assert "People and checkpoint rounds" in text
        assert "right first time" in text
        assert sentence in text


def test_a_diff_too_big_to_keep_its_logs_has_no_cohort_figures(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("pathway._report._build.COHORT_CASES", 10)
    diff = pathway.diff(WITH_ROUNDS, WITH_ROUNDS, cases=20, seed=1)
    assert diff.behaviour is not None
    assert diff.behaviour.cohort == ()
    assert "People and checkpoint rounds" not in diff.to_markdown()
    assert json.loads(diff.to_json())["behaviour"]["cohort"] == []
