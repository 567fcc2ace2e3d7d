"""Random damage to valid pathway files: loading raises only ``PathwayError``, never hangs.

The bases are a small inline pathway and the shipped ``pathways/*.yaml`` (when present).
Structural mutations edit the parsed data (delete a key, change a value's type, rename an
id) and load it both as a mapping and as YAML text; textual mutations edit the file
(drop or swap lines, insert characters, truncate).
"""

from __future__ import annotations

import copy
import time
from datetime import timedelta
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pathway
from pathway import DefinitionError, PathwayError
from pathway._define._yaml import parse_yaml
from shared_pathways import MINI_YAML

ROOT = Path(__file__).resolve().parents[1]

MINI = MINI_YAML
# fmt: on

BASES = [MINI] + [p.read_text(encoding="utf-8") for p in sorted((ROOT / "pathways").glob("*.yaml"))]
DATA = [parse_yaml(text).data for text in BASES]
SECONDS_PER_LOAD = 5.0  # far above a normal load (well under a second)

MUTATION_SETTINGS = settings(
    max_examples=60,
    deadline=timedelta(seconds=SECONDS_PER_LOAD * 2),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

OTHER_VALUES = st.sampled_from(
    [None, 0, -1, 1.5, 10**30, True, False, "", "x", "1e400", "Europe", "not a step",
     "needs_prescribing and", "{{", [], {}, ["a", 1], {"a": 1}, {"uniform": ["1d"]},
     {"lognormal": {"median": "2h", "p90": "1h"}}, "x" * 2000, float("nan"), float("inf")]
)  # fmt: skip


INSERTIONS = ["\t", ": ", "- ", "&a ", "*a", "!!python/none ", "{", "]", "'", '"', "#", "\x00",
              "\ufeff", "<<: "]  # fmt: skip


def assert_loads_or_raises_pathway_error(source: object) -> None:
    """Load ``source``: a Pathway or a PathwayError, nothing else, within the time limit."""
    started = time.monotonic()
    failure: PathwayError | None = None
    try:
        pathway.load(source)  # type: ignore[arg-type]
    except PathwayError as error:
        failure = error
    assert time.monotonic() - started < SECONDS_PER_LOAD
    if isinstance(failure, DefinitionError):
        assert failure.problems, "a DefinitionError lists at least one problem"
        assert all(str(problem) for problem in (*failure.problems, *failure.warnings))


def paths(node: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Every path to a value inside ``node`` (not the root)."""
    found: list[tuple[object, ...]] = []
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, child in items:
        found.append((*prefix, key))
        found.extend(paths(child, (*prefix, key)))
    return found


def parent_of(data: object, path: tuple[object, ...]) -> object:
    node = data
    for part in path[:-1]:
        node = node[part]  # type: ignore[index]
    return node


def load_both_ways(data: object) -> None:
    assert_loads_or_raises_pathway_error(data if isinstance(data, dict) else {"data": data})
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    assert_loads_or_raises_pathway_error(text)


@MUTATION_SETTINGS
@given(base=st.sampled_from(DATA), data=st.data())
def test_deleting_a_key_or_item(base: object, data: st.DataObject) -> None:
    mutated = copy.deepcopy(base)
    path = data.draw(st.sampled_from(paths(mutated)))
    parent = parent_of(mutated, path)
    del parent[path[-1]]  # type: ignore[attr-defined]
    load_both_ways(mutated)


@MUTATION_SETTINGS
@given(base=st.sampled_from(DATA), data=st.data(), value=OTHER_VALUES)
def test_changing_a_value_to_another_type(base: object, data: st.DataObject, value: object) -> None:
    mutated = copy.deepcopy(base)
    path = data.draw(st.sampled_from(paths(mutated)))
    parent = parent_of(mutated, path)
    parent[path[-1]] = copy.deepcopy(value)  # type: ignore[index]
    load_both_ways(mutated)


@MUTATION_SETTINGS
@given(base=st.sampled_from(DATA), data=st.data())
def test_renaming_an_id(base: object, data: st.DataObject) -> None:
    mutated = copy.deepcopy(base)
    assert isinstance(mutated, dict)
    collection = data.draw(
        st.sampled_from(
            [k for k in ("steps", "roles", "calendars", "facts", "checkpoints") if mutated.get(k)]
        )
    )
    names = list(mutated[collection])
    old = data.draw(st.sampled_from(names))
    new = data.draw(st.sampled_from([*names, old + "x", old[:-1], "x-y", "1st", ""]))
    mutated[collection] = {(new if k == old else k): v for k, v in mutated[collection].items()}
    load_both_ways(mutated)


@MUTATION_SETTINGS
@given(text=st.sampled_from(BASES), data=st.data())
def test_dropping_or_swapping_lines(text: str, data: st.DataObject) -> None:
    lines = text.splitlines(keepends=True)
    first = data.draw(st.integers(0, len(lines) - 1))
    if data.draw(st.booleans()):
        del lines[first]
    else:
        second = data.draw(st.integers(0, len(lines) - 1))
        lines[first], lines[second] = lines[second], lines[first]
    assert_loads_or_raises_pathway_error("".join(lines))


@MUTATION_SETTINGS
@given(
    text=st.sampled_from(BASES),
    data=st.data(),
    inserted=st.text(min_size=1, max_size=8) | st.sampled_from(INSERTIONS),
)
def test_inserting_characters(text: str, data: st.DataObject, inserted: str) -> None:
    position = data.draw(st.integers(0, len(text)))
    assert_loads_or_raises_pathway_error(text[:position] + inserted + text[position:])


@MUTATION_SETTINGS
@given(text=st.sampled_from(BASES), data=st.data())
def test_truncating(text: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(text)))
    assert_loads_or_raises_pathway_error(text[:position])
    assert_loads_or_raises_pathway_error(text[:position].encode("utf-8"))


@settings(max_examples=60, deadline=timedelta(seconds=SECONDS_PER_LOAD * 2))
@given(data=st.binary(max_size=200))
def test_random_bytes(data: bytes) -> None:
    assert_loads_or_raises_pathway_error(data)


def test_the_bases_are_valid() -> None:
    for text in BASES:
        pathway.load(text)
