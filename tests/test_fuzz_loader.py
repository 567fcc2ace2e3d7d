"""No crash on any input: every pathway input ends in a Pathway or a PathwayError.

The inputs are the shipped pathways and the docs' examples, mutated: as trees (keys
dropped, renamed, duplicated; values replaced with hostile ones: huge numbers, NaN and
infinity, deep nesting, long text, wrong types, unicode, reserved names, hostile
expressions in ``when``) and as bytes (bit flips, truncation, NUL bytes, invalid UTF-8,
spliced pieces). Whatever loads must also work downstream: a case starts on it and the
designer's summary (``pathway show``) renders.

The default suite runs a few hundred hypothesis examples; ``test_fuzz_many_inputs`` (slow)
runs a seeded random fuzzer over at least 100,000 inputs and reports its counts.
"""

from __future__ import annotations

import copy
import json
import math
import random
import string
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
import transitions
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pathway
from pathway._define._compile import RESERVED_TRIGGERS
from pathway._define._spec import IDENTIFIER
from pathway._define._yaml import load_document
from pathway._report._pathway_text import mermaid, summary
from pathway.errors import PathwayError

ROOT = Path(__file__).resolve().parent.parent
SEED_PATHS = sorted((ROOT / "pathways").glob("*.yaml")) + sorted(
    (ROOT / "docs" / "examples").glob("*.yaml")
)
SEED_TEXTS = {path.name: path.read_text(encoding="utf-8") for path in SEED_PATHS}
SEED_DATA = {path.name: load_document(path).data for path in SEED_PATHS}
# Small seeds for inputs that go through YAML text (parsing dominates their cost).
SMALL = [name for name, text in SEED_TEXTS.items() if len(text) < 6000]
START = datetime(2020, 1, 6, 9, 0)

RESERVED_NAMES = [
    "state", "trigger", "may_trigger", "to_state", "is_state", "may_go", "to_done",
    "is_done", "fire", "facts", "step", "machine", "models", "events", "initial",
    "set_state", "get_state", "add_transition", "callbacks", "dispatch", "journal",
    "finished", "pathway", "case_id", "available", "decide", "begin", "end", "graph",
    "subgraph", "class", "None", "True", "not", "and", "in", "__init__", "__class__",
    "_state", "<<", "", " ", "null", "~",
]  # fmt: skip
EXPRESSIONS = [
    "", "(", ")", "((((((((((((((((((((((((((((((((((((x))))))))))))))))))))))))))))))))))",
    "not " * 200 + "x", "-" * 300 + "1", "x" + " + x" * 400, "1" + "0" * 400, "1e999",
    "[" * 50 + "]" * 50, "'a' * 99999999", "2 ** 99999", "len(" * 40 + "x" + ")" * 40,
    "x in [" + ", ".join(["1"] * 600) + "]", "__import__('os')", "x.__class__", "x[0]",
    "lambda: 1", "'\\x00'", '"\\ud800"', "x == x == x == x", "abs()", "round(1, 10**9)",
    "min([])", "max(x, y, z)", "\u202e x", "x\n and y", "'" + "a" * 20000 + "'",
    "needs_prescribing and needs_prescribing", "1 / 0", "1 // 0", "1 % 0", "state",
    "x if y else z", "x; y", "@x", "`x`", "x ==", "== x", "\t", "x and", "or y",
]  # fmt: skip


HUGE = "HUGE_NUMBER_SENTINEL"


def _deep(depth: int) -> object:
    value: object = "bottom"
    for _ in range(depth):
        value = [value]
    return value


HOSTILE: list[Callable[[], object]] = [
    lambda: 10**300,
    lambda: -(10**300),
    lambda: 2**53,
    lambda: 2**64,
    lambda: HUGE,  # becomes a 5000-digit number in YAML text
    lambda: math.nan,
    lambda: math.inf,
    lambda: -math.inf,
    lambda: 1e308,
    lambda: -0.0,
    lambda: 0,
    lambda: -1,
    lambda: 100_000_000,
    lambda: True,
    lambda: None,
    lambda: "",
    lambda: "x" * 100_000,
    lambda: "\u202e\u0000\ufeff\U0001f600",
    lambda: "é" * 1000,
    lambda: "1" + "0" * 300 + "m",
    lambda: "0x" + "f" * 400,
    lambda: "999999999999999999999/s",
    lambda: "1000000/s",
    lambda: "0.000000000000000000000000001s",
    lambda: "9999-12-31..0001-01-01",
    lambda: "0001-01-01..9999-12-31",
    list,
    dict,
    lambda: [1, "a", None, 2.5],
    lambda: {"k": "v"},
    lambda: _deep(60),
    lambda: _deep(200),
    lambda: ["a"] * 5000,
    lambda: {f"k{i}": i for i in range(3000)},
    lambda: {"lognormal": {"median": "0.0000000001s", "p90": "99w"}},
    lambda: {"lognormal": {"mean": "1s", "sd": "5000w"}},
    lambda: {"bernoulli": 10**300},
    lambda: {"randint": [-(10**18), 10**18]},
    lambda: {"uniform": [-1e308, 1e308]},
    lambda: {"normal": {"mean": 1e300, "sd": 1e300}},
    lambda: {"categorical": {"a": math.inf}},
    lambda: {"empirical": [math.nan]},
    lambda: {"triangular": ["1m", "2m", "1m"]},
    lambda: {"ask": "person"},
    lambda: {"when": "x"},
    lambda: {"<<": {"a": 1}},
]
# The hostile values that are cheap to load, for the long run (the costly ones, such as
# 100,000 characters of text, still come up in one input in ten).
CHEAP = HOSTILE[:16] + HOSTILE[17:30] + HOSTILE[34:]
# Values that fit many fields, so that more mutated files load and go downstream.
PLAUSIBLE: list[Callable[[], object]] = [
    lambda: 0,
    lambda: 1,
    lambda: 1000,
    lambda: 0.0,
    lambda: 1.0,
    lambda: 0.5,
    lambda: True,
    lambda: False,
    lambda: "0",
    lambda: "1s",
    lambda: "99w",
    lambda: "1H 1M",
    lambda: "1/d",
    lambda: "100000/d",
    lambda: "state_x",
    lambda: "Étape ✓",
    list,
    lambda: {"lognormal": {"median": "1s", "p90": "20w"}},
    lambda: {"lognormal": {"mean": "1s", "sd": "1d"}},
    lambda: {"empirical": ["0", "1m", "99w"]},
    lambda: {"uniform": ["0", "100w"]},
    lambda: {"fixed": "5200w"},
]
WHOLE_FILE: list[Callable[[], object]] = [
    lambda: None,
    list,
    lambda: "text",
    lambda: 5,
    lambda: _deep(100),
]


# ----------------------------------------------------------------------------- checks


class Outcome:
    """Counts of what the inputs did."""

    def __init__(self) -> None:
        self.tried = 0
        self.loaded = 0
        self.refused = 0
        self.crashes: list[tuple[str, str]] = []


def check_input(source: object, outcome: Outcome | None = None) -> None:
    """Load ``source``; a success must start a case and render; anything else must be a
    PathwayError. With ``outcome``, count instead of raising on a crash."""
    if outcome is not None:
        outcome.tried += 1
    try:
        loaded = pathway.load(source)  # type: ignore[arg-type]
    except PathwayError:
        if outcome is not None:
            outcome.refused += 1
        return
    except Exception as error:
        if outcome is None:
            raise
        outcome.crashes.append((type(error).__name__, str(error)[:300]))
        return
    try:
        exercise(loaded)
    except Exception as error:
        if outcome is None:
            raise
        outcome.crashes.append(("downstream " + type(error).__name__, str(error)[:300]))
        return
    if outcome is not None:
        outcome.loaded += 1


def exercise(loaded: pathway.Pathway) -> None:
    """What every loaded pathway must survive: a new case, the summary and the chart."""
    case = loaded.new_case("fuzz", at=START)
    assert case.state == loaded.start
    text = summary(loaded)
    assert loaded.title in text or not loaded.title.strip()
    assert mermaid(loaded).startswith("flowchart")


# -------------------------------------------------------------------------- mutations


def _paths(data: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(_paths(value, (*prefix, index)))
    return found


def _at(data: object, path: tuple[object, ...]) -> object:
    for part in path:
        data = data[part]  # type: ignore[index]
    return data


def _set(data: object, path: tuple[object, ...], value: object) -> object:
    if not path:
        return value
    _at(data, path[:-1])[path[-1]] = value  # type: ignore[index]
    return data


def mutate_tree(
    data: object, rng: random.Random, rounds: int, hostile: list[Callable[[], object]] = HOSTILE
) -> object:
    """``data`` (a copy) with ``rounds`` random tree mutations, replacing values with
    ones from ``hostile``."""
    data = copy.deepcopy(data)
    for _ in range(rounds):
        paths = _paths(data)
        path = rng.choice(paths)
        operation = rng.randrange(9)
        if not path:
            if operation == 0:
                data = rng.choice(WHOLE_FILE)()
            continue
        parent = _at(data, path[:-1])
        key = path[-1]
        if operation <= 2:  # replace with a hostile value
            _set(data, path, rng.choice(hostile)())
        elif operation == 3:  # drop
            del parent[key]  # type: ignore[attr-defined]
        elif operation == 4 and isinstance(parent, dict):  # rename the key
            value = parent.pop(key)
            parent[rng.choice([*RESERVED_NAMES, str(key) + "x", str(key).upper()])] = value
        elif operation == 4 and isinstance(parent, list):  # duplicate an item
            parent.insert(int(key), copy.deepcopy(parent[int(key)]))  # type: ignore[call-overload]
        elif operation == 5:  # copy this value over another one
            other = rng.choice(paths)
            if other and other[: len(path)] != path and path[: len(other)] != other:
                _set(data, other, copy.deepcopy(_at(data, path)))
        elif operation == 6:  # a hostile expression where expressions go
            _set(data, path, rng.choice(EXPRESSIONS))
            if isinstance(parent, dict):
                parent["when"] = rng.choice(EXPRESSIONS)
        elif operation == 7:  # reserved or odd names where names go
            _set(data, path, rng.choice(RESERVED_NAMES))
        else:  # change the type of the value
            value = _at(data, path)
            changed = [value] if not isinstance(value, list) else {"v": value}
            _set(data, path, str(value)[:50] if isinstance(value, dict | list) else changed)
    return data


def to_yaml(data: object, rng: random.Random) -> bytes:
    """The data written as YAML or JSON text (sometimes flow style), as UTF-8 bytes."""
    style = rng.randrange(3)
    if style == 0:
        text = json.dumps(data, allow_nan=True, default=str)
    else:
        try:
            text = yaml.safe_dump(data, default_flow_style=style == 1, allow_unicode=True)
        except (yaml.YAMLError, ValueError, RecursionError):
            text = repr(data)
    text = text.replace(f'"{HUGE}"', HUGE).replace(HUGE, "9" * 5000)
    return text.encode("utf-8", "surrogatepass")


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    """``data`` with a few random byte-level mutations."""
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not buffer:
            buffer.extend(b"\xff")
        kind = rng.randrange(7)
        where = rng.randrange(len(buffer))
        if kind == 0:
            buffer[where] ^= 1 << rng.randrange(8)
        elif kind == 1:
            del buffer[where:]
        elif kind == 2:
            buffer.insert(where, 0)
        elif kind == 3:
            buffer[where:where] = rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xe2\x82"])
        elif kind == 4:
            start = rng.randrange(len(buffer))
            piece = buffer[start : start + rng.randint(1, 40)]
            buffer[where:where] = piece
        elif kind == 5:
            buffer[where:where] = rng.choice(
                [b"&a ", b"*a", b"<<: ", b"!!python/object ", b"\t", b"{", b"]", b"- ", b"---\n",
                 b"\r", b"\xc2\x85", b": ", b"'", b'"\\ud800"', b"%YAML 1.1\n", b"? "]
            )  # fmt: skip
        else:
            del buffer[where : where + rng.randint(1, 20)]
    return bytes(buffer)


# ------------------------------------------------------------------ hypothesis tests

FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(
    seed=st.sampled_from(sorted(SEED_DATA)),
    rng=st.randoms(use_true_random=False),
    rounds=st.integers(1, 6),
)
def test_tree_mutations_load_or_raise_a_pathway_error(
    seed: str, rng: random.Random, rounds: int
) -> None:
    data = mutate_tree(SEED_DATA[seed], rng, rounds)
    if isinstance(data, dict):
        check_input(data)  # as a mapping, straight to the spec
    if seed in SMALL or not isinstance(data, dict):
        check_input(to_yaml(data, rng))  # as a file's text, through YAML


@FUZZ
@given(seed=st.sampled_from(SMALL), rng=st.randoms(use_true_random=False))
def test_byte_mutations_load_or_raise_a_pathway_error(seed: str, rng: random.Random) -> None:
    check_input(mutate_bytes(SEED_TEXTS[seed].encode(), rng))


@settings(max_examples=60, deadline=None)
@given(
    expression=st.one_of(
        st.sampled_from(EXPRESSIONS),
        st.text(max_size=60),
        st.lists(
            st.sampled_from(
                [
                    "x",
                    "needs_prescribing",
                    "1",
                    "'a'",
                    "(",
                    ")",
                    "[",
                    "]",
                    ",",
                    "and",
                    "or",
                    "not",
                    "in",
                    "==",
                    "<",
                    "+",
                    "-",
                    "*",
                    "/",
                    "abs",
                    "len",
                    "1e308",
                    "null",
                ]
            ),
            max_size=30,
        ).map(" ".join),
    )
)
def test_hostile_guards_load_or_raise_a_pathway_error(expression: str) -> None:
    text = SEED_TEXTS["first-pathway.yaml"].replace(
        "when: needs_prescribing\n", f"when: {json.dumps(expression)}\n"
    )
    check_input(text)


TRIGGER = """\
id: names
title: Names
version: "1"
roles:
  worker: {team: t, organisation: o}
steps:
  first: {role: worker}
  decide: {role: worker}
  done: {outcome: true}
transitions:
  - {trigger: NAME, from: first, to: decide}
checkpoints:
  CHECK:
    at: decide
    questions: {ok: {ask: person}}
    routes: [{when: ok, to: done}]
    otherwise: done
"""


@settings(max_examples=100, deadline=None)
@given(
    name=st.one_of(st.sampled_from(RESERVED_NAMES), st.from_regex(IDENTIFIER, fullmatch=True)),
    checkpoint=st.one_of(st.just("check"), st.sampled_from(RESERVED_NAMES)),
)
def test_every_trigger_name_the_loader_accepts_works_live(name: str, checkpoint: str) -> None:
    text = TRIGGER.replace("NAME", json.dumps(name)).replace("CHECK", json.dumps(checkpoint))
    try:
        loaded = pathway.load(text)
    except PathwayError:
        return
    case = loaded.new_case("c", at=START)
    case.fire(name, at=datetime(2020, 1, 6, 10))
    assert case.state == "decide"
    case.decide(checkpoint, {"ok": True}, at=datetime(2020, 1, 6, 11))
    assert case.state == "done"


@pytest.mark.parametrize("name", ["state"])
def test_the_engines_reserved_name_is_refused_at_load_naming_the_field(name: str) -> None:
    text = TRIGGER.replace("NAME", name).replace("CHECK", "check")
    with pytest.raises(PathwayError) as raised:
        pathway.load(text)
    (problem,) = raised.value.problems
    assert (problem.code, problem.field, problem.line) == (
        "reserved-name",
        "transitions[0].trigger",
        11,
    )
    text = TRIGGER.replace("NAME", "go").replace("CHECK", name)
    with pytest.raises(PathwayError) as raised:
        pathway.load(text)
    assert [(p.code, p.field) for p in raised.value.problems] == [
        ("reserved-name", "checkpoints.state")
    ]


def test_the_reserved_names_are_the_ones_transitions_refuses() -> None:
    machine = transitions.Machine(model=None, states=["a", "b"], initial="a")
    refused = set()
    for name in [*RESERVED_NAMES, *RESERVED_TRIGGERS]:
        try:
            machine.add_transition(name, "a", "b")
        except ValueError:
            refused.add(name)
    assert refused == set(RESERVED_TRIGGERS)


# ------------------------------------------------------------------------- slow fuzz

SLOW_INPUTS = 100_000
SLOW_SECONDS = 330


def fuzz_once(rng: random.Random, outcome: Outcome) -> None:
    """One input: mostly tree mutations as mappings (cheap), some as text and as bytes."""
    kind = rng.random()
    hostile = HOSTILE if rng.random() < 0.1 else CHEAP
    if kind < 0.25:  # one plausible change: these often load, and go downstream
        seed = rng.choice(SMALL if rng.random() < 0.8 else sorted(SEED_DATA))
        data = mutate_tree(SEED_DATA[seed], rng, 1, PLAUSIBLE)
        check_input(data if isinstance(data, dict) else to_yaml(data, rng), outcome)
    elif kind < 0.75:
        seed = rng.choice(SMALL if rng.random() < 0.8 else sorted(SEED_DATA))
        data = mutate_tree(SEED_DATA[seed], rng, rng.randint(1, 4), hostile)
        check_input(data if isinstance(data, dict) else to_yaml(data, rng), outcome)
    elif kind < 0.9:
        seed = rng.choice(SMALL)
        check_input(mutate_bytes(SEED_TEXTS[seed].encode(), rng), outcome)
    else:
        seed = rng.choice(SMALL)
        data = mutate_tree(SEED_DATA[seed], rng, rng.randint(1, 3), hostile)
        check_input(to_yaml(data, rng), outcome)


@pytest.mark.slow
def test_fuzz_many_inputs() -> None:
    rng = random.Random(12)
    outcome = Outcome()
    began = time.perf_counter()
    while outcome.tried < SLOW_INPUTS:
        fuzz_once(rng, outcome)
    elapsed = time.perf_counter() - began
    print(
        f"\nfuzzed {outcome.tried} inputs in {elapsed:.0f} s: {outcome.loaded} loaded, "
        f"{outcome.refused} refused with a PathwayError, {len(outcome.crashes)} other exceptions"
    )
    assert outcome.crashes == [], outcome.crashes[:10]
    assert outcome.loaded > 0
    assert outcome.refused > 0


def test_a_short_fuzz_run_counts_what_it_tried() -> None:
    rng = random.Random(7)
    outcome = Outcome()
    for _ in range(200):
        fuzz_once(rng, outcome)
    assert outcome.tried == 200
    assert outcome.crashes == []
    assert outcome.loaded + outcome.refused == 200


def test_the_seeds_all_parse_and_include_small_ones() -> None:
    assert len(SEED_DATA) >= 5
    assert SMALL
    assert all(isinstance(data, dict) for data in SEED_DATA.values())
    assert set(string.ascii_lowercase) & set("".join(SEED_TEXTS))
