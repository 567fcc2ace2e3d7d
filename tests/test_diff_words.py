"""The diff in words: structural changes as sentences, the headline without 0-to-0 changes."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pathway
from pathway._diff._behaviour import Comparison, _sentence
from pathway._diff._structural import structural_diff
from pathway._report._changes import change_sentences, field_words
from pathway.testing import pathways
from test_diff_structural import BASE


def sentences(old: str, new: str) -> list[str]:
    return change_sentences(structural_diff(pathway.load(old), pathway.load(new)))


def test_a_changed_touch_time_and_wait_are_said_in_words() -> None:
    changed = BASE.replace("duration: 1h", "duration: {lognormal: {median: 45m, p90: 80m}}")
    (step,) = sentences(BASE, changed)
    assert step == (
        "The step 'full assessment' (full_assessment): touch time: from 1h to lognormal, "
        "median 45m, p90 1h 20m."
    )
    assert "{" not in step


def test_added_and_removed_items_are_one_sentence_per_section_with_titles() -> None:
    new = BASE.replace(
        "  done: {outcome: true}",
        "  done: {outcome: true}\n  advice: {title: Advice given, outcome: true}\n"
        "  letter: {title: Letter sent, outcome: true}",
    )
    new = new.replace(
        "  - {trigger: finish, from: full_assessment, to: done}",
        "  - {trigger: finish, from: full_assessment, to: done}\n"
        "  - {trigger: advise, from: contact, to: advice, p: 0.1}\n"
        "  - {trigger: write, from: contact, to: letter, p: 0.1}",
    )
    said = sentences(BASE, new)
    assert "Adds 2 steps: 'Advice given' (advice); 'Letter sent' (letter)." in said
    assert (
        "Adds 2 moves: from 'contact' to 'Advice given' (on advise); "
        "from 'contact' to 'Letter sent' (on write)."
    ) in said
    back = sentences(new, BASE)
    assert "Removes 2 steps: 'Advice given' (advice); 'Letter sent' (letter)." in back


def test_a_renamed_step_is_one_step_under_a_new_id_with_no_score() -> None:
    renamed = BASE.replace("full_assessment", "assessment").replace(
        "collects: [history]", "collects: [history, goals]"
    )
    (step,) = sentences(BASE, renamed)
    assert step.startswith(
        "The step 'full assessment' (full_assessment) becomes 'assessment', one step under"
    )
    assert "information collected: 1 -> 2 items (adds goals)" in step
    assert "similarity" not in step


@pytest.mark.parametrize(
    ("field", "old", "new", "said"),
    [
        ("capacity", 6, 8, "capacity: from 6 to 8"),
        ("visit", False, True, "visit: from no to yes"),
        ("open", {"tue, thu": "09:30-15:30"}, {"mon-fri": "09:30-15:30"},
         "opening hours: from tue, thu 09:30-15:30 to mon-fri 09:30-15:30"),
        ("wait", None, "2d", "wait: now 2d"),
        ("chase_after", "10d", None, "chasing after: '10d' removed"),
        ("collects", ["a", "b"], ["b", "a"], "information collected: 2 -> 2 items "
         "(the same items in another order)"),
    ],
)  # fmt: skip
def test_field_words(field: str, old: object, new: object, said: str) -> None:
    assert field_words(field, old, new) == said


@settings(max_examples=40, deadline=None)
@given(pathways().map(pathway.load), pathways().map(pathway.load))
def test_every_change_is_a_sentence_without_raw_values(
    old: pathway.Pathway, new: pathway.Pathway
) -> None:
    structure = structural_diff(old, new)
    said = change_sentences(structure)
    grouped = {(c.section, c.kind) for c in structure.changes if c.kind in ("added", "removed")}
    singles = [c for c in structure.changes if c.kind not in ("added", "removed")]
    assert len(said) == len(grouped) + len(singles)
    for sentence in said:
        assert sentence.endswith(".")
        assert "{'" not in sentence
        assert "similarity" not in sentence
    for change in structure.changes:
        if change.section != "pathway":
            assert any(f"({change.id})" in s or f"'{change.id}'" in s or
                       f"(on {change.id.partition(':')[2]})" in s for s in said)  # fmt: skip


def comparison(old: float, new: float, ci: tuple[float, float], **kw: float) -> Comparison:
    return Comparison(
        measure="failure_demand", label="failure demand contacts", unit="contacts",
        cases=int(kw.get("cases", 100)), old_median=old, new_median=new, old_mean=0.8,
        new_mean=0.42, mean_difference=(ci[0] + ci[1]) / 2, mean_ci=ci,
        median_difference=new - old, median_ci=(new - old, new - old),
    )  # fmt: skip


def test_equal_medians_with_a_significant_change_are_said_by_their_means() -> None:
    said = _sentence(comparison(0.0, 0.0, (-0.44, -0.32)))
    assert said.startswith("mean failure demand contacts per person falls from 0.80 to 0.42")
    assert "the median is 0.0 in both" in said
    assert "from 0.0 to 0.0" not in said


def test_a_change_that_is_not_significant_is_not_called_the_same() -> None:
    moved = _sentence(comparison(5.3, 0.1, (-9.0, 2.1), cases=16))
    assert moved.startswith("median failure demand contacts moves from 5.3 to 0.1")
    assert "not significant (16 people" in moved
    same = _sentence(comparison(2.0, 2.0, (-0.1, 0.1)))
    assert (
        same
        == "median failure demand contacts stays the same (2.0 contacts; no significant change)"
    )


@given(st.floats(0, 50), st.floats(0, 50), st.floats(-5, 5), st.floats(0, 5))
def test_no_headline_says_a_change_from_a_value_to_itself(
    old: float, new: float, centre: float, half: float
) -> None:
    said = _sentence(comparison(old, new, (centre - half, centre + half)))
    assert not math.isnan(old)
    value = f"{old:.1f}" if abs(old) < 100 else f"{old:,.0f}"
    assert f"from {value} to {value} " not in said
