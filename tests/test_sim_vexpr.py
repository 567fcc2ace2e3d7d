"""Guards evaluated over whole fact columns agree with the scalar evaluator, row by row."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathway._model._expr import parse
from pathway.errors import ExpressionError

np = pytest.importorskip("numpy")
from pathway._sim._vexpr import Column, evaluate  # noqa: E402

EXPRESSIONS = [
    "needs and not external",
    "age >= 18 and kind == 'a'",
    "kind in ['a', 'b', 3]",
    "kind not in ['c']",
    "age * 2 - 1 > 40",
    "needs == 1",
    "age == 30.0 or needs",
    "age / 2 > 10",
    "len(kind) == 1",
    "contains(kind, 'b')",
    "abs(-age) < 50",
    "needs != external",
    "-age < -20",
    "age > 30 or kind == 'c' and needs",
]


def columns(draw_rows: list[tuple[bool, bool, int, str]]) -> dict[str, Column]:
    needs, external, age, kind = zip(*draw_rows, strict=True)
    return {
        "needs": Column("bool", np.asarray(needs, dtype=bool)),
        "external": Column("bool", np.asarray(external, dtype=bool)),
        "age": Column("number", np.asarray(age, dtype=np.int64)),
        "kind": Column("text", np.asarray(kind, dtype=str)),
    }


rows = st.lists(
    st.tuples(st.booleans(), st.booleans(), st.integers(0, 90), st.sampled_from("abc")),
    min_size=1,
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(data=rows, text=st.sampled_from(EXPRESSIONS))
def test_vectorised_guard_matches_scalar_guard(
    data: list[tuple[bool, bool, int, str]], text: str
) -> None:
    expression = parse(text)
    got = evaluate(expression, columns(data), len(data))
    for i, (needs, external, age, kind) in enumerate(data):
        facts = {"needs": needs, "external": external, "age": age, "kind": kind}
        assert bool(got[i]) == expression.test(facts), (text, facts)


def test_a_guard_that_is_not_true_or_false_raises_like_the_scalar_one() -> None:
    data = columns([(True, False, 40, "a")])
    with pytest.raises(ExpressionError):
        evaluate(parse("age + 1"), data, 1)
    with pytest.raises(ExpressionError):
        evaluate(parse("age < 'x'"), data, 1)


# ---------------------------------------------------------------- numpy is not Python

from pathway._sim._cohort import _column_of  # noqa: E402


def _live_or_error(expression: object, facts: dict[str, object]) -> object:
    try:
        return expression.test(facts)  # type: ignore[attr-defined]
    except ExpressionError:
        return ExpressionError


@pytest.mark.parametrize(
    ("text", "ages"),
    [
        ("age * 1000000000000000000 > 0", [1, 5, 30]),
        ("age * 10 * 10 * 10 * 10 * 10 * 10 * 10 * 10 * 10 * 10 * 10 * 10 * 10 > 0", [7, 9]),
        ("-age > 0", [-(2**63), 3]),
        ("age + 9223372036854775807 > 0", [1, 2]),
        ("age == 9007199254740993.0", [9007199254740993]),
        ("age < 9007199254740992.5", [9007199254740993]),
        ("age in [9007199254740992.0]", [9007199254740993]),
        ("age < 100000000000000000000000000000", [1, 2]),
        ("age * 100000000000000000000000000000 > 0", [1, 2]),
    ],
)
def test_numpy_wrapping_never_disagrees_with_a_live_case(text: str, ages: list[int]) -> None:
    expression = parse(text)
    column = _column_of(ages, np.arange(len(ages)))
    got = evaluate(expression, {"age": column}, len(ages))
    assert [bool(x) for x in got] == [expression.test({"age": a}) for a in ages]


def test_a_text_constant_with_a_nul_is_compared_exactly() -> None:
    expression = parse('kind == "a\x00"')
    column = _column_of(["a", "a\x00"], np.arange(2))
    got = evaluate(expression, {"kind": column}, 2)
    assert [bool(x) for x in got] == [False, True]


_NUMBERS = st.one_of(
    st.integers(-(2**63), 2**63 - 1),
    st.integers(-100, 100),
    st.sampled_from([2**53, 2**53 + 1, 2**62, -(2**63), 2**63 - 1]),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.sampled_from([0.5, 9007199254740992.0, 1e300]),
)
_TEXTS = st.text(alphabet="ab\x00", max_size=3)


def _constants() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(-(2**70), 2**70).map(str),
        st.sampled_from(["0.5", "1e300", "9007199254740993", "true", "false", "null"]),
        _TEXTS.map(lambda t: '"' + t + '"'),
    )


_LEAVES = st.one_of(st.sampled_from(["n", "m", "flag", "kind"]), _constants())


def _expressions() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binary = st.tuples(
            inner, st.sampled_from(["+", "-", "*", "<", ">=", "==", "!=", "and", "or"]), inner
        ).map(lambda t: f"({t[0]} {t[1]} {t[2]})")
        unary = st.tuples(st.sampled_from(["-", "not "]), inner).map(lambda t: f"{t[0]}({t[1]})")
        member = st.tuples(inner, st.lists(_constants(), max_size=3)).map(
            lambda t: f"({t[0]} in [{', '.join(t[1])}])"
        )
        return st.one_of(binary, unary, member)

    return st.recursive(_LEAVES, extend, max_leaves=6)


@settings(max_examples=300, deadline=None)
@given(
    text=_expressions(),
    n=st.lists(_NUMBERS, min_size=1, max_size=6),
    m=st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=6),
    flags=st.lists(st.booleans(), min_size=1, max_size=6),
    kinds=st.lists(_TEXTS, min_size=1, max_size=6),
)
def test_random_guards_agree_with_live_cases_or_are_refused(
    text: str, n: list[object], m: list[int], flags: list[bool], kinds: list[str]
) -> None:
    """For random guards and fact values, the vectorised evaluation gives what
    ``Expression.test`` gives for every case, or raises the ExpressionError a live case
    raises (the simulator refuses the pathway); never another exception."""
    try:
        expression = parse(text)
    except ExpressionError:
        return
    size = min(len(n), len(m), len(flags), len(kinds))
    rows = [{"n": n[i], "m": m[i], "flag": flags[i], "kind": kinds[i]} for i in range(size)]
    data = {
        "n": _column_of(n[:size], np.arange(size)),
        "m": _column_of(m[:size], np.arange(size)),
        "flag": _column_of(flags[:size], np.arange(size)),
        "kind": _column_of(kinds[:size], np.arange(size)),
    }
    # what a live case sees is what the cohort holds (a column may make ints floats)
    live_rows = [
        {name: column.values[i].item() if hasattr(column.values[i], "item") else
         column.values[i] for name, column in data.items()}
        for i in range(size)
    ]  # fmt: skip
    live = [_live_or_error(expression, row) for row in live_rows]
    assert len(rows) == size
    if ExpressionError in live:
        with pytest.raises(ExpressionError):
            evaluate(expression, data, size)
        return
    got = evaluate(expression, data, size)
    assert [bool(x) for x in got] == live, (text, live_rows)
