"""The chained case document: untampered documents replay; any tampering with the events
(a value edited, an event dropped, duplicated, swapped or added, the end cut off, a field
added, deep nesting) is a ReplayError naming the first bad event, never another exception.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pathway
from pathway import Case, ReplayError
from pathway._journal._codec import CASE_FORMAT, GENESIS, canonical_json, chain_hash
from pathway.testing import journeys

HUB = pathway.load(Path(__file__).parents[1] / "pathways" / "recovery-hub-2018.yaml")


def _documents() -> st.SearchStrategy[dict[str, Any]]:
    return journeys(HUB, max_steps=12).map(lambda j: json.loads(j.run().to_json()))


def test_the_chain_is_defined_as_documented() -> None:
    case = HUB.new_case("c1", {"needs_prescribing": True}, at=pathway_start())
    document = json.loads(case.to_json())
    previous = GENESIS
    for event in document["events"]:
        body = {key: value for key, value in event.items() if key != "hash"}
        text = json.dumps(
            [previous, body], sort_keys=True, separators=(",", ":"), ensure_ascii=True
        )
        previous = hashlib.sha256(text.encode("ascii")).hexdigest()
        assert event["hash"] == previous
    assert document["format"] == CASE_FORMAT == "pathway-case/2"
    assert document["head"] == previous
    assert document["count"] == len(document["events"])
    assert canonical_json({"b": 1, "a": "é"}) == b'{"a":"\\u00e9","b":1}'


def pathway_start() -> datetime:
    return datetime(2018, 9, 4, 10, 0)


@settings(max_examples=40, deadline=None)
@given(_documents())
def test_untampered_documents_always_replay(document: dict[str, Any]) -> None:
    text = json.dumps(document)
    rebuilt = Case.from_json(HUB, text)
    assert json.loads(rebuilt.to_json()) == document


def _edit_value(value: Any, draw: st.DrawFn) -> Any:
    """A different JSON value in place of ``value``."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + draw(st.integers(1, 1000))
    if isinstance(value, str):
        return value + draw(st.text(min_size=1, max_size=3))
    if isinstance(value, dict):
        return {**value, "added": draw(st.integers())}
    if isinstance(value, list):
        return [*value, "x"]
    return "x" if value is None else None


@st.composite
def tampered(draw: st.DrawFn) -> tuple[str, set[int]]:
    """A tampered document's text and the indexes the error may name: the first bad event
    (or, when the edited event's own hash was recomputed, the one after it)."""
    document = draw(_documents())
    events = document["events"]
    n = len(events)
    how = draw(
        st.sampled_from(
            ["edit", "drop", "duplicate", "swap", "truncate", "add_field", "nest", "rehash_edit"]
        )
    )
    index = draw(st.integers(0, n - 1))
    if how == "edit":
        event = events[index]
        field = draw(st.sampled_from(sorted(k for k in event if k != "hash")))
        event[field] = _edit_value(event[field], draw)
        bad = index
    elif how == "drop":
        del events[index]
        bad = index
    elif how == "duplicate":
        events.insert(index + 1, copy.deepcopy(events[index]))
        bad = index + 1
    elif how == "swap":
        other = draw(st.integers(0, n - 1).filter(lambda i: events[i] != events[index]))
        events[index], events[other] = events[other], events[index]
        bad = min(index, other)
    elif how == "truncate":
        keep = draw(st.integers(1, n - 1)) if n > 1 else 0
        del events[keep:]
        bad = keep
    elif how == "add_field":
        events[index][draw(st.sampled_from(["extra", "note2", "worker_id"]))] = 1
        bad = index
    elif how == "nest":
        depth = draw(st.integers(50, 400))
        nested: Any = "deep"
        for _ in range(depth):
            nested = [nested]
        event = events[index]
        key = "facts" if "facts" in event else "step" if "step" in event else "case_id"
        event[key] = nested
        bad = index
    else:  # rehash_edit: the edited event's hash recomputed; the next one breaks
        event = events[index]
        field = draw(st.sampled_from(sorted(k for k in event if k not in {"hash", "type"})))
        event[field] = _edit_value(event[field], draw)
        previous = events[index - 1]["hash"] if index else GENESIS
        with contextlib.suppress(ValueError):
            event["hash"] = chain_hash(previous, {k: v for k, v in event.items() if k != "hash"})
        return json.dumps(document), {index, index + 1}  # a type error, or the next link
    return json.dumps(document), {bad}


@settings(max_examples=300, deadline=None)
@given(tampered())
def test_tampering_is_a_replay_error_naming_the_first_bad_event(
    case: tuple[str, set[int]],
) -> None:
    text, bad = case
    with pytest.raises(ReplayError) as caught:
        Case.from_json(HUB, text)
    named = re.match(r"event (\d+)\b", str(caught.value))
    assert named is not None, str(caught.value)
    assert int(named.group(1)) in bad, (bad, str(caught.value))


@settings(max_examples=200, deadline=None)
@given(_documents(), st.data())
def test_random_byte_edits_never_crash(document: dict[str, Any], data: st.DataObject) -> None:
    text = json.dumps(document)
    position = data.draw(st.integers(0, len(text) - 1))
    replacement = data.draw(
        st.sampled_from(['"', "{", "}", "[", "]", "1", "x", ",", ":", "", "\\"])
    )
    edited = text[:position] + replacement + text[position + 1 :]
    if edited == text:
        return
    try:
        Case.from_json(HUB, edited)
    except ReplayError:
        return
    # an edit the chain cannot see must leave the exact same JSON value
    assert json.loads(edited) == document


def test_deep_nesting_beyond_the_parser_is_a_replay_error() -> None:
    text = HUB.new_case("c1", {"needs_prescribing": True}, at=pathway_start()).to_json()
    deep = text.replace(
        '"needs_prescribing":true', '"needs_prescribing":' + "[" * 100_000 + "]" * 100_000
    )
    with pytest.raises(ReplayError, match="nests too deeply"):
        Case.from_json(HUB, deep)


def test_unknown_document_fields_and_bad_header_are_named() -> None:
    document = json.loads(
        HUB.new_case("c1", {"needs_prescribing": True}, at=pathway_start()).to_json()
    )
    for change, expected in [
        ({"extra": 1}, "unknown field 'extra'"),
        ({"count": "3"}, "'count' must be a whole number"),
        ({"case_id": "c2"}, "differs from the document's case_id 'c2'"),
        ({"count": document["count"] + 1}, f"event {document['count']}: missing"),
        ({"head": "0" * 64}, f"event {document['count']}: the document's head hash"),
        ({"pathway": {**document["pathway"], "extra": "x"}}, "exactly id, version"),
    ]:
        with pytest.raises(ReplayError, match=expected):
            Case.from_json(HUB, json.dumps({**document, **change}))


def test_a_version_1_document_is_still_read_and_saved_as_version_2() -> None:
    case = HUB.new_case("c1", {"needs_prescribing": True}, at=pathway_start())
    document = json.loads(case.to_json())
    for event in document["events"]:
        del event["hash"]
    legacy = {key: document[key] for key in ("case_id", "pathway", "events")}
    legacy["format"] = "pathway-case/1"
    rebuilt = Case.from_json(HUB, json.dumps(legacy))
    assert rebuilt.to_json() == case.to_json()
    with pytest.raises(ReplayError, match="unknown field 'count'"):
        Case.from_json(HUB, json.dumps({**legacy, "count": 1}))
    legacy["events"][0]["hash"] = "x"
    with pytest.raises(ReplayError, match=r"event 0 \(case_started\): unknown field 'hash'"):
        Case.from_json(HUB, json.dumps(legacy))
