"""Checkpoint rounds in the report (issue 16): decisions, re-reviews in the same round
and lapsed reviews per checkpoint, the same for a log analysed whole, in parts and block
by block (``report --simulate``), in every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pathway
from checkpoint_rules_support import ROUNDS_YAML
from example_support import run_example
from pathway._analysis._rounds import CheckpointRounds, checkpoint_rounds, sum_rounds
from pathway._report._partitioned import report_in_parts, split_by_case
from pathway._report._simulated import simulated_report
from pathway.io import read_log

pytest.importorskip("numpy")

WITH_ROUNDS = pathway.load(ROUNDS_YAML)
WITHOUT_ROUNDS = pathway.load(
    ROUNDS_YAML.replace("    rounds: rounds\n", "").replace(", persists: true", "")
)


def _log(tmp: Path, source: pathway.Pathway, seed: int, cases: int = 120) -> Path:
    path = tmp / f"{source.id}-{seed}-{len(source.checkpoints['questions'].rounds or '')}.parquet"
    pathway.simulate(source, cases=cases, seed=seed, events=path)
    return path


@pytest.mark.parametrize("source", [WITH_ROUNDS, WITHOUT_ROUNDS], ids=["rounds", "day"])
def test_whole_parts_and_blocks_count_the_same_rounds(
    tmp_path: Path, source: pathway.Pathway
) -> None:
    path = _log(tmp_path, source, seed=5)
    whole = pathway.analyse(path, source).rounds
    parts = report_in_parts(split_by_case(path, tmp_path / "parts", 3), source).rounds
    blocks = simulated_report(source, 120, 5, block=37).rounds
    assert whole is not None
    assert whole[0].decisions > 0
    assert whole[0].same_round + whole[0].lapsed > 0  # something to count
    assert parts == whole
    assert blocks == whole


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10_000), rounds=st.booleans())
def test_re_reviews_and_lapses_fit_within_the_decisions(
    tmp_path: Path, seed: int, rounds: bool
) -> None:
    source = WITH_ROUNDS if rounds else WITHOUT_ROUNDS
    log = read_log(_log(tmp_path, source, seed, cases=40), source)
    (found,) = checkpoint_rounds(log, source)
    events = log.to_events()
    cases_decided = len({e.case_id for e in events if e.kind == "decision"})
    begun = sum(e.kind == "step_started" and e.step == "review" for e in events)
    in_flight = log.n_cases - sum(e.kind == "outcome_reached" for e in events)
    # every re-review follows an earlier decision of the same case
    assert found.same_round <= found.decisions - cases_decided
    # every review begun is decided or lapses, but for those still going at the end
    assert found.decisions + found.lapsed <= begun <= found.decisions + found.lapsed + in_flight
    if rounds:
        assert found.same_round == 0
    else:
        assert found.lapsed == 0


def test_sum_of_parts_adds_each_checkpoint() -> None:
    a = (CheckpointRounds("q", None, 5, 1, 0), CheckpointRounds("r", "cal", 3, 0, 2))
    b = (CheckpointRounds("q", None, 4, 2, 1), CheckpointRounds("r", "cal", 0, 0, 0))
    assert sum_rounds([a, b]) == (
        CheckpointRounds("q", None, 9, 3, 1),
        CheckpointRounds("r", "cal", 3, 0, 2),
    )
    assert sum_rounds([a, None]) is None


def test_every_format_shows_the_rounds(tmp_path: Path) -> None:
    report = pathway.analyse(_log(tmp_path, WITH_ROUNDS, seed=3), WITH_ROUNDS)
    (found,) = report.rounds or ()
    data = json.loads(report.to_json())["checkpoint_rounds"]
    assert data == [
        {
            "checkpoint": "questions",
            "rounds": "rounds",
            "decisions": found.decisions,
            "same_round_reviews": found.same_round,
            "same_round_per_100_decisions": 100 * found.same_round / found.decisions,
            "lapsed_reviews": found.lapsed,
            "lapsed_per_100_decisions": 100 * found.lapsed / found.decisions,
        }
    ]
    rate = f"{100 * found.lapsed / found.decisions:.1f}"
    for text in (report.to_text(width=200), report.to_markdown(), report.to_html()):
        assert "Checkpoint rounds" in text
        assert "lapsed reviews" in text
        assert rate in text


def test_a_pathway_without_checkpoints_has_no_rounds_section(tmp_path: Path) -> None:
    head = ROUNDS_YAML.split("transitions:")[0].replace("  act: {role: nurse", "  #")
    plain = pathway.load(
        head
        + "transitions:\n"
        + "  - {trigger: first_review, from: admitted, to: review}\n"
        + "  - {trigger: done, from: review, to: discharge}\n"
        + "  - {trigger: leave, from: discharge, to: home}\n"
        + "arrivals: {rate: 2/d}\n"
    )
    events = tmp_path / "plain.parquet"
    pathway.simulate(plain, cases=10, seed=1, events=events)
    report = pathway.analyse(events, plain)
    assert report.rounds == ()
    assert "Checkpoint rounds" not in report.to_markdown()
    assert json.loads(report.to_json())["checkpoint_rounds"] == []


def test_the_checkpoint_rules_example_runs() -> None:
    lines = run_example("checkpoint_rules.py")
    assert lines[:5] == [
        "a nurse decides: refused (decider-role)",
        "no rationale: refused (rationale-required)",
        "again this round: refused (same-round)",
        "stable turns to no: refused (persisted-answer)",
        "after Thursday's round: discharge",
    ]
    assert ", 0 re-reviews in the same round" in lines[5]
    assert lines[6].endswith(", 0 lapsed reviews")
