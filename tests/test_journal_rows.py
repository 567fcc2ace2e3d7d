"""The live engine appends hot-path events as rows and builds them when the journal is
read: readers must never see a row, events keep their identity, and rows stop costing
the garbage collector anything."""

from __future__ import annotations

import gc
from datetime import datetime, timedelta

import attrs
import pytest

from pathway import Event, Journal, StepCompleted, Transitioned, Waited, Worker
from pathway._journal._events import build_rows, built
from shared_pathways import MINI_YAML
from test_engine_support import LONDON, load

MINI = load(MINI_YAML)
D1, W1 = Worker("d1", "duty"), Worker("w1", "worker")
START = datetime(2024, 1, 2, 10, tzinfo=LONDON)


def referred_case() -> object:
    case = MINI.new_case("c1", {"needs_prescribing": True, "age": 30}, at=START)
    case.fire("refer", at=START + timedelta(minutes=10), by=D1, note="urgent")
    return case


def test_a_journal_read_earlier_sees_later_events_as_events() -> None:
    case = MINI.new_case("c1", {"needs_prescribing": True, "age": 30}, at=START)
    journal = case.journal
    before = len(journal)
    case.fire("refer", at=START + timedelta(minutes=10), by=D1)
    assert len(journal) > before
    assert [type(event) for event in journal[before:]][:2] == [StepCompleted, Transitioned]
    assert all(isinstance(event, Event) for event in journal)


def test_events_keep_their_identity_across_reads() -> None:
    case = referred_case()
    first = list(case.journal)  # type: ignore[attr-defined]
    again = list(case.journal)  # type: ignore[attr-defined]
    assert all(a is b for a, b in zip(first, again, strict=True))


def test_built_events_are_frozen_and_carry_converted_data() -> None:
    case = referred_case()
    moved = case.journal.of_type(Transitioned)[-1]  # type: ignore[attr-defined]
    assert moved.data == (("note", "urgent"),)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        moved.trigger = "other"  # type: ignore[misc]


def test_iterating_while_the_case_moves_never_yields_a_row() -> None:
    case = MINI.new_case("c1", {"needs_prescribing": True, "age": 30}, at=START)
    seen = []
    for event in case.journal:
        seen.append(event)
        if len(seen) == 1:
            case.fire("refer", at=START + timedelta(minutes=10), by=D1)
    assert len(seen) == len(case.journal) > 1
    assert all(isinstance(event, Event) for event in seen)
    assert seen == list(case.journal)


def test_built_and_build_rows_agree_with_the_constructor() -> None:
    at = datetime(2024, 1, 2, 10, tzinfo=LONDON)
    row = ("waited", "c1", at, "assess", at - timedelta(days=1), "handoff")
    event = Waited("c1", at, "assess", at - timedelta(days=1), "handoff")
    assert built(row) == event
    assert built(event) is event
    entries: list[object] = [event, row]
    assert build_rows(entries, 0) == [event, event]  # type: ignore[arg-type]
    assert entries[0] is event
    assert isinstance(entries[1], Waited)


def test_rows_of_plain_values_leave_the_garbage_collector_alone() -> None:
    case = referred_case()
    for _ in range(3):  # each collection untracks one level of nesting (row, data, pair)
        gc.collect()
    rows = [entry for entry in case._events if isinstance(entry, tuple)]  # type: ignore[attr-defined]
    assert rows, "the hot path should append rows"
    assert not any(gc.is_tracked(row) for row in rows)


def test_a_journal_over_a_plain_list_reads_it() -> None:
    event = Waited("c1", START, "assess", START, "handoff")
    journal = Journal([event])
    assert list(journal) == [event]
    assert journal[0] is event
