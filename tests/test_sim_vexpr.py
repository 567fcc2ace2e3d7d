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
