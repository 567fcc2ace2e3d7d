"""Tests for the guard and question language in pathway._model._expr."""

from __future__ import annotations

import contextlib
import math
import operator
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathway._model._expr import (
    ALLOWED_FUNCTIONS,
    MAX_DEPTH,
    MAX_STRING_LENGTH,
    MAX_TOKENS,
    Binary,
    Call,
    Constant,
    Expression,
    ListExpr,
    Logical,
    Name,
    Node,
    Unary,
    parse,
    to_source,
    unknown_names,
)
from pathway.errors import ExpressionError

FACTS: dict[str, object] = {
    "age": 16,
    "score": 2.5,
    "name": "Ada",
    "flag": True,
    "off": False,
    "nothing": None,
    "tags": ["urgent", "adult"],
    "client": {"age": 40, "name": "Bo", "address": {"town": "Leeds"}},
}


def value(text: str, facts: dict[str, object] | None = None) -> object:
    """Parse and evaluate ``text`` over ``facts`` (FACTS by default)."""
    return parse(text).evaluate(FACTS if facts is None else facts)


def parse_error(text: str, **bounds: int) -> ExpressionError:
    """The ExpressionError parsing ``text`` raises."""
    with pytest.raises(ExpressionError) as caught:
        parse(text, **bounds)
    return caught.value


def evaluation_error(text: str, facts: dict[str, object] | None = None) -> ExpressionError:
    """The ExpressionError evaluating ``text`` raises (it must parse)."""
    expression = parse(text)
    with pytest.raises(ExpressionError) as caught:
        expression.evaluate(FACTS if facts is None else facts)
    return caught.value


# ---------------------------------------------------------------------------------------
# Literals and names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", 42),
        ("007", 7),
        ("1.5", 1.5),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("2.5E-1", 0.25),
        ("1.", 1.0),
        ("'single'", "single"),
        ('"double"', "double"),
        (r"'it\'s'", "it's"),
        (r'"say \"hi\""', 'say "hi"'),
        (r"'back\\slash'", "back\\slash"),
        (r"'a\nb\tc'", "a\nb\tc"),
        ("'a \"mixed\" one'", 'a "mixed" one'),
        ("''", ""),
        ("true", True),
        ("True", True),
        ("false", False),
        ("False", False),
        ("null", None),
        ("None", None),
        ("[]", []),
        ("[1, 'a', age]", [1, "a", 16]),
        ("[1, 2,]", [1, 2]),
        ("[[1], [2, [3]]]", [[1], [2, [3]]]),
        ("-5", -5),
        ("- 2.5", -2.5),
    ],
)
def test_literals(text: str, expected: object) -> None:
    result = value(text)
    assert result == expected
    assert type(result) is type(expected)


def test_number_literal_types_are_kept_apart() -> None:
    assert parse("1").root == Constant(1)
    assert parse("1").root != Constant(1.0)
    assert parse("1").root != Constant(True)
    assert parse("true").root == Constant(True)


def test_minus_on_a_number_literal_is_folded_but_not_on_other_operands() -> None:
    assert parse("-5").root == Constant(-5)
    assert parse("-(5)").root == Unary("-", Constant(5))
    assert parse("--5").root == Unary("-", Constant(-5))
    assert parse("-age").root == Unary("-", Name("age"))


def test_names_and_dotted_names() -> None:
    expression = parse("client.age > age and client.address.town == 'Leeds'")
    assert expression.names == frozenset({"client.age", "age", "client.address.town"})
    assert expression.evaluate(FACTS) is True
    assert expression.name_columns() == (
        ("client.age", 1),
        ("age", 14),
        ("client.address.town", 22),
    )


def test_a_whole_dotted_key_wins_over_nested_lookup() -> None:
    facts = {"client.age": 1, "client": {"age": 2}}
    assert value("client.age", facts) == 1
    assert value("client.age", {"client": {"age": 2}}) == 2


def test_values_used_lists_resolvable_names_in_order() -> None:
    expression = parse("age >= 18 and missing and client.age > 1 and age < 99 and client.nope")
    assert expression.values_used(FACTS) == {"age": 16, "client.age": 40}
    assert list(expression.values_used(FACTS)) == ["age", "client.age"]
    assert expression.values_used({}) == {}


def test_name_columns_repeat_each_occurrence() -> None:
    assert parse("x + x * len(y)").name_columns() == (("x", 1), ("x", 5), ("y", 13))


def test_str_gives_back_the_text() -> None:
    text = "age  >=   18"
    assert str(parse(text)) == text
    assert parse(text).text == text


def test_function_names_are_not_fact_names() -> None:
    assert parse("len(tags) > 1").names == frozenset({"tags"})
    assert parse("len").names == frozenset({"len"})


# ---------------------------------------------------------------------------------------
# Operators and precedence


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("2 - 3 - 4", -5),
        ("2 - (3 - 4)", 3),
        ("12 / 3 / 2", 2.0),
        ("2 * 3 % 4", 2),
        ("2 * (3 % 4)", 6),
        ("-age % 3", 2),  # unary minus binds tighter than %: (-16) % 3
        ("-(age % 3)", -1),
        ("-2 * -3", 6),
        ("1 + 2 == 3", True),
        ("not true or true", True),
        ("not (true or true)", False),
        ("true or false and false", True),
        ("(true or false) and false", False),
        ("not 1 == 2", True),
        ("not not true", True),
        ("1 in [1, 2] and 3 not in [1, 2]", True),
        ("1 + 1 in [2]", True),
        ("age >= 18 or client.age >= 18", True),
    ],
)
def test_precedence(text: str, expected: object) -> None:
    assert value(text) == expected


def test_precedence_tree_shapes() -> None:
    assert parse("a or b and c").root == Logical(
        "or", Name("a"), Logical("and", Name("b"), Name("c"))
    )
    assert parse("not a == b").root == Unary("not", Binary("==", Name("a"), Name("b")))
    assert parse("a + b * c").root == Binary("+", Name("a"), Binary("*", Name("b"), Name("c")))
    assert parse("a - b - c").root == Binary("-", Binary("-", Name("a"), Name("b")), Name("c"))
    assert parse("-a * b").root == Binary("*", Unary("-", Name("a")), Name("b"))
    assert parse("not a and b").root == Logical("and", Unary("not", Name("a")), Name("b"))
    assert parse("a not in b").root == Binary("not in", Name("a"), Name("b"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("age + 1", 17),
        ("score + 1", 3.5),
        ("name + '!'", "Ada!"),
        ("tags + ['x']", ["urgent", "adult", "x"]),
        ("age - 20", -4),
        ("age * score", 40.0),
        ("age / 4", 4.0),
        ("7 // 2", 3),
        ("-7 // 2", -4),
        ("7.5 // 2", 3.0),
        ("7 % 3", 1),
        ("-7 % 3", 2),
        ("+age", 16),
        ("-score", -2.5),
        ("age == 16", True),
        ("age == 16.0", True),
        ("age != 16", False),
        ("age == '16'", False),
        ("flag == 1", False),
        ("nothing == null", True),
        ("nothing != 0", True),
        ("tags == ['urgent', 'adult']", True),
        ("[1, 2.0] == [1.0, 2]", True),
        ("[true] == [1]", False),
        ("client == client", True),
        ("age < 18", True),
        ("age <= 16", True),
        ("age > 16", False),
        ("age >= 16.5", False),
        ("'abc' < 'abd'", True),
        ("'b' >= 'a'", True),
        ("'urgent' in tags", True),
        ("'x' not in tags", True),
        ("'d' in name", True),
        ("'age' in client", True),
        ("'town' in client", False),
        ("16.0 in [16]", True),
        ("true in [1]", False),
        ("flag and not off", True),
        ("off or flag", True),
        ("off and flag", False),
        ("flag or off", True),
        ("not flag", False),
    ],
)
def test_every_operator(text: str, expected: object) -> None:
    result = value(text)
    assert result == expected
    assert type(result) is type(expected)


def test_and_or_short_circuit() -> None:
    assert value("off and missing") is False
    assert value("flag or missing") is True
    assert value("off and 3") is False  # the right side is never looked at
    with pytest.raises(ExpressionError, match="has no value"):
        value("flag and missing")
    with pytest.raises(ExpressionError, match="has no value"):
        value("off or missing")


# ---------------------------------------------------------------------------------------
# Functions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("abs(-3)", 3),
        ("abs(-2.5)", 2.5),
        ("min(3, 1, 2)", 1),
        ("min([3, 1.5, 2])", 1.5),
        ("min('b', 'a')", "a"),
        ("max(3, 1, 2)", 3),
        ("max([age, client.age])", 40),
        ("max(['b', 'c'])", "c"),
        ("round(2.5)", 2),
        ("round(3.5)", 4),
        ("round(2.567, 2)", 2.57),
        ("round(1234, -2)", 1200),
        ("round(7)", 7),
        ("len(name)", 3),
        ("len(tags)", 2),
        ("len(client)", 3),
        ("len([])", 0),
        ("lower('AbC')", "abc"),
        ("upper(name)", "ADA"),
        ("any([false, true])", True),
        ("any([])", False),
        ("all([true, flag])", True),
        ("all([true, off])", False),
        ("all([])", True),
        ("contains(tags, 'adult')", True),
        ("contains(name, 'da')", True),
        ("contains(client, 'name')", True),
        ("contains([1, 2], 3)", False),
        ("startswith(name, 'A')", True),
        ("startswith(client.name, 'A')", False),
    ],
)
def test_every_function(text: str, expected: object) -> None:
    result = value(text)
    assert result == expected
    assert type(result) is type(expected)


def test_allowed_functions_are_exactly_the_documented_ones() -> None:
    assert set(ALLOWED_FUNCTIONS) == {
        "abs",
        "min",
        "max",
        "round",
        "len",
        "lower",
        "upper",
        "any",
        "all",
        "contains",
        "startswith",
    }
    for name, spec in ALLOWED_FUNCTIONS.items():
        assert spec.name == name
        assert spec.usage.startswith(name + "(")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abs()", "abs() takes 1 argument, got 0"),
        ("abs(1, 2)", "abs() takes 1 argument, got 2"),
        ("round()", "round() takes 1 or 2 arguments, got 0"),
        ("round(1, 2, 3)", "round() takes 1 or 2 arguments, got 3"),
        ("min()", "min() takes at least 1 argument, got 0"),
        ("contains(tags)", "contains() takes 2 arguments, got 1"),
        ("startswith('a', 'b', 'c')", "startswith() takes 2 arguments, got 3"),
    ],
)
def test_argument_counts_are_checked_at_parse_time(text: str, message: str) -> None:
    error = parse_error(text)
    assert error.reason == message
    assert error.column == 1


@pytest.mark.parametrize(
    ("text", "fragment", "column"),
    [
        ("abs('x')", "abs() needs a number, got text 'x'", 1),
        ("abs(true)", "abs() needs a number, got true", 1),
        ("1 + min([])", "min() of an empty list has no value", 5),
        ("max(1, 'a')", "max() needs all numbers or all texts", 1),
        ("min(5)", "min() needs a list, got number 5", 1),
        ("round('1')", "round() needs a number", 1),
        ("round(1.5, 0.5)", "round() needs a whole number of digits", 1),
        ("round(1.5, 1000)", "round() digits must be between -100 and 100", 1),
        ("len(age)", "len() needs text, a list or a mapping, got number 16", 1),
        ("lower(1)", "lower() needs text, got number 1", 1),
        ("upper(nothing)", "upper() needs text, got null", 1),
        ("any([1])", "any() needs a list of true/false values", 1),
        ("all(flag)", "all() needs a list, got true", 1),
        ("contains(age, 1)", "contains() needs a list, text or mapping to look in", 1),
        ("contains(name, 1)", "contains() on text needs text to look for", 1),
        ("startswith(name, 1)", "startswith() needs text, got number 1", 1),
    ],
)
def test_function_type_errors(text: str, fragment: str, column: int) -> None:
    error = evaluation_error(text)
    assert fragment in error.reason
    assert error.column == column


def test_round_of_infinity_and_nan_is_an_expression_error() -> None:
    with pytest.raises(ExpressionError, match="whole number"):
        value("round(x)", {"x": math.inf})
    with pytest.raises(ExpressionError, match="whole number"):
        value("round(x)", {"x": math.nan})


# ---------------------------------------------------------------------------------------
# Parse errors and their columns


@pytest.mark.parametrize(
    ("text", "fragment", "column"),
    [
        ("lenght(name)", "unknown function 'lenght'; did you mean 'len'?", 1),
        ("age > 1 and uper(name)", "did you mean 'upper'?", 13),
        ("age $ 2", "unexpected character '$'", 5),
        ("age ? 2", "unexpected character '?'", 5),
        ("'abc", "unclosed string", 1),
        ("x == 'ab\\'", "unclosed string", 6),
        ("'a\\q'", "unknown escape '\\q'", 3),
        ("(age + 1", "'(' is never closed", 1),
        ("[1, (2]", "unexpected ']'; expected ')'", 7),
        ("len(tags", "'(' is never closed", 4),
        ("[1, 2", "'[' is never closed", 1),
        ("(age + 1))", "unexpected ')'", 10),
        ("1 < age < 20", "comparisons cannot be chained; write '1 < age and age < 20'", 9),
        ("a == b == c", "comparisons cannot be chained", 8),
        ("_secret", "names cannot start with '_'", 1),
        ("client._secret", "names cannot start with '_'", 8),
        ("client.__dict__", "names cannot start with '_'", 8),
        ("", "the expression is empty", 1),
        ("   ", "the expression is empty", 1),
        ("age +", "the expression ends where a value was expected", 6),
        ("age age", "unexpected name 'age'; is an operator missing?", 5),
        ("age = 18", "use '==' to compare", 5),
        ("!flag", "use 'not'", 1),
        ("a && b", "use 'and'", 3),
        ("a || b", "use 'or'", 3),
        ("a is None", "use '==' or '!='", 3),
        ("a == not b", "'not' must be in parentheses", 6),
        ("client.", "expected a name after '.'", 8),
        ("client.1", "expected a name after '.'", 8),
        ("1abc", "invalid number", 1),
        ("1.2.3", "invalid number", 1),
        ("1e999", "too large", 1),
        ("1" + "0" * 100, "too large", 1),
        ("round(x, ndigits=2)", "use '==' to compare", 17),
        ("a not b", "unexpected 'not'", 3),
        ("2 ** 3", "'**' (power) is not supported", 3),
        ("age.5", "expected a name after '.'", 5),
        (",", "expected a value, found ','", 1),
        ("é", "unexpected character 'é'", 1),
    ],
)
def test_parse_errors_have_messages_and_columns(text: str, fragment: str, column: int) -> None:
    error = parse_error(text)
    assert fragment in error.reason
    assert error.column == column
    assert error.expression == text
    assert f"at column {column}" in str(error)


def test_unknown_function_lists_the_allowed_ones() -> None:
    error = parse_error("open('x')")
    assert "unknown function 'open'" in error.reason
    assert "abs, all, any, contains, len, lower, max, min, round, startswith, upper" in (
        error.reason
    )
    assert "did you mean" not in error.reason


def test_the_leftmost_problem_is_reported() -> None:
    assert parse_error("nope(1) $").column == 1
    assert parse_error("a $ nope(1)").column == 3


def test_parse_rejects_non_text() -> None:
    with pytest.raises(ExpressionError, match="must be text"):
        parse(18)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------
# Bounds


def test_too_long() -> None:
    error = parse_error("a" * 1001)
    assert "too long" in error.reason
    assert error.column == 1001
    assert parse("a" * 1000).names == frozenset({"a" * 1000})
    assert "too long" in parse_error("age > 1", max_length=5).reason


def test_too_deep_brackets_lists_calls_and_signs() -> None:
    deepest = "(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH
    assert parse(deepest).evaluate({}) == 1
    for opener, closer in (("(", ")"), ("[", "]"), ("abs(", ")")):
        text = opener * (MAX_DEPTH + 1) + "1" + closer * (MAX_DEPTH + 1)
        error = parse_error(text)
        assert "nested too deeply" in error.reason
        assert error.column == MAX_DEPTH * len(opener) + len(opener)  # the opening bracket
    assert "nested too deeply" in parse_error("-" * 33 + "x").reason
    assert "nested too deeply" in parse_error("not " * 33 + "x").reason
    assert parse("not " * 32 + "x").evaluate({"x": True}) is True
    assert "nested too deeply" in parse_error("((x))", max_depth=1).reason


def test_too_many_tokens() -> None:
    fits = " + ".join(["1"] * ((MAX_TOKENS + 1) // 2))
    assert parse(fits, max_length=10_000).evaluate({}) == (MAX_TOKENS + 1) // 2
    error = parse_error(fits + " + 1", max_length=10_000)
    assert "more than 500 tokens" in error.reason


def test_huge_limits_still_give_expression_errors_not_recursion_errors() -> None:
    text = "-" * (MAX_TOKENS - 1) + "x"
    try:
        expression = parse(text, max_depth=1_000_000)
    except ExpressionError:
        return
    assert expression.evaluate({"x": 1}) in (1, -1)


def test_long_chains_evaluate_and_write_back() -> None:
    text = " + ".join(["1"] * 250)
    expression = parse(text)
    assert expression.evaluate({}) == 250
    assert parse(to_source(expression.root, full=False)).root == expression.root


# ---------------------------------------------------------------------------------------
# Escape attempts


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('ls')",
        "().__class__.__bases__[0].__subclasses__()",
        "x.__class__",
        "open('/etc/passwd').read()",
        "lambda: 1",
        "f'{x}'",
        "F'{x}'",
        "rb'x'",
        "[x for x in y]",
        "a[0]",
        "getattr(a, 'b')",
        "exec('1')",
        "eval('1')",
        "compile('1', 'f', 'eval')",
        "globals()",
        "9**9**9",
        "import os",
        "a; b",
        "a if b else c",
        "{}",
        "{'a': 1}",
        "name.upper()",
        "'a'.join(tags)",
        "os.system('ls')",
        "(lambda: 1)()",
        "x := 1",
        "tags[0]",
        "print(1)",
        "type(age)",
    ],
)
def test_escape_attempts_are_parse_errors(text: str) -> None:
    with pytest.raises(ExpressionError):
        parse(text)


@pytest.mark.parametrize("text", ["age.real", "name.upper", "tags.count", "client.keys"])
def test_dotted_names_only_read_nested_facts_never_attributes(text: str) -> None:
    error = evaluation_error(text)
    assert "has no value" in error.reason
    assert value(text, {text.split(".")[0]: {text.split(".")[1]: "ok"}}) == "ok"


@pytest.mark.parametrize(
    "text", ["'a' * 10**9", "'a' * 1000000000", "tags * 1000000000", "name * 99999999"]
)
def test_repetition_is_an_expression_error_and_never_runs(text: str) -> None:
    with pytest.raises(ExpressionError):
        parse(text).evaluate(FACTS)


def test_the_module_never_uses_eval_exec_compile_or_ast() -> None:
    source = Path(__file__).parents[1].joinpath("src", "pathway", "_model", "_expr.py").read_text()
    assert not re.search(r"(?<![.\w])(eval|exec|compile)\(", source)
    assert not re.search(r"^\s*(import ast|from ast )", source, re.MULTILINE)
    assert "__import__" not in source


# ---------------------------------------------------------------------------------------
# Evaluation errors


@pytest.mark.parametrize(
    ("text", "fragment", "column"),
    [
        ("name < 1", "cannot compare text with number using '<'", 6),
        ("flag > 0", "cannot compare true/false with number using '>'", 6),
        ("nothing >= 1", "cannot compare null with number", 9),
        ("tags < tags", "cannot compare list with list", 6),
        ("name + 1", "'+' needs two numbers, two texts or two lists, got text and number", 6),
        ("flag + 1", "got true/false and number", 6),
        ("tags + 'a'", "got list and text", 6),
        ("name - 'a'", "'-' needs two numbers, got text and text", 6),
        ("flag * 2", "'*' needs two numbers, got true/false and number", 6),
        ("2 / off", "'/' needs two numbers", 3),
        ("1 / 0", "division by zero", 3),
        ("1 // 0.0", "division by zero", 3),
        ("age % 0", "division by zero", 5),
        ("1 in age", "'in' needs a list, text or mapping to look in, got number 16", 3),
        ("1 not in nothing", "'in' needs a list, text or mapping to look in, got null", 3),
        ("1 in name", "'in' on text needs text to look for, got number 1", 3),
        ("-name", "'-' needs a number, got text 'Ada'", 1),
        ("+flag", "'+' needs a number, got true", 1),
        ("not age", "expected true/false after 'not', got number 16", 1),
        ("age and flag", "expected true/false on the left of 'and', got number 16", 1),
        ("flag and name", "expected true/false on the right of 'and', got text 'Ada'", 10),
        ("off or nothing", "expected true/false on the right of 'or', got null", 8),
        ("missing", "fact 'missing' has no value", 1),
        ("age + client.height", "fact 'client.height' has no value", 7),
        ("name.first == 'A'", "fact 'name.first' has no value ('name' is text 'Ada'", 1),
    ],
)
def test_evaluation_errors(text: str, fragment: str, column: int) -> None:
    error = evaluation_error(text)
    assert fragment in error.reason
    assert error.column == column
    assert error.expression == text


def test_joined_text_and_numbers_are_bounded() -> None:
    half = "a" * (MAX_STRING_LENGTH // 2)
    assert len(value("x + x", {"x": half})) == MAX_STRING_LENGTH  # type: ignore[arg-type]
    with pytest.raises(ExpressionError, match="longer than"):
        value("x + x + 'a'", {"x": half})
    with pytest.raises(ExpressionError, match="longer than"):
        value("x + x", {"x": list(range(6000))})
    with pytest.raises(ExpressionError, match="too large"):
        value("x * x", {"x": 10**60})
    with pytest.raises(ExpressionError, match="too large"):
        value("x / 2", {"x": 10**400})
    assert value("x * 2", {"x": 10**60}) == 2 * 10**60


def test_float_overflow_is_not_an_error() -> None:
    assert value("x * x", {"x": 1e200}) == math.inf


def test_test_requires_true_or_false() -> None:
    assert parse("age >= 16").test(FACTS) is True
    assert parse("age > 16").test(FACTS) is False
    with pytest.raises(ExpressionError) as caught:
        parse("age + 1").test(FACTS)
    error = caught.value
    assert "expected the expression to give true/false, got number 17" in error.reason
    assert error.column == 5
    with pytest.raises(ExpressionError, match="got null"):
        parse("nothing").test(FACTS)


def test_errors_are_value_errors_too() -> None:
    with pytest.raises(ValueError, match="division by zero"):
        value("1 / 0")


def test_self_referencing_facts_give_an_expression_error() -> None:
    loop: list[object] = []
    loop.append(loop)
    with pytest.raises(ExpressionError):
        value("x == y", {"x": loop, "y": [loop]})


# ---------------------------------------------------------------------------------------
# Undeclared names


def test_unknown_names() -> None:
    expression = parse(
        "agee > 18 and client.age > 1 and clinet.name == 'x' and agee < 99 and a.b.c"
    )
    known = ["age", "client", "a.b"]
    assert unknown_names(expression, known) == [
        ("agee", 1, "age"),
        ("clinet.name", 34, "client.name"),
    ]
    assert unknown_names(parse("client.age"), ["client.age"]) == []
    assert unknown_names(parse("client.age"), ["client.name"]) == [("client.age", 1, "client.name")]
    assert unknown_names(parse("zzz"), ["age"]) == [("zzz", 1, None)]
    assert unknown_names(parse("1 + 1"), []) == []


# ---------------------------------------------------------------------------------------
# Writing trees back


@pytest.mark.parametrize(
    ("text", "full", "minimal"),
    [
        ("a + b * c", "a + (b * c)", "a + b * c"),
        ("(a + b) * c", "(a + b) * c", "(a + b) * c"),
        ("a - (b - c)", "a - (b - c)", "a - (b - c)"),
        ("a - b - c", "(a - b) - c", "a - b - c"),
        ("not a == b", "not (a == b)", "not a == b"),
        ("(not a) == b", "(not a) == b", "(not a) == b"),
        ("(a < b) == c", "(a < b) == c", "(a < b) == c"),
        ("a or b and c", "a or (b and c)", "a or b and c"),
        ("-(5) - -5", "(-(5)) - -5", "-(5) - -5"),
        ("--x", "-(-x)", "--x"),
        ("len([1, 'it\\'s', null, true])", "len([1, 'it\\'s', null, true])", None),
        ("round(x * 2, 1)", "round(x * 2, 1)", None),
        ('"a\\nb\\t\\"c\\\\"', "'a\\nb\\t\"c\\\\'", None),
        ("1e16 + .5", "1e+16 + 0.5", None),
        ("a not in [1]", "a not in [1]", None),
    ],
)
def test_to_source(text: str, full: str, minimal: str | None) -> None:
    root = parse(text).root
    assert to_source(root) == full
    assert to_source(root, full=False) == (minimal or full)
    assert parse(to_source(root)).root == root
    assert parse(to_source(root, full=False)).root == root


def test_nodes_reject_what_the_language_cannot_write() -> None:
    with pytest.raises(ValueError, match="finite"):
        Constant(math.nan)
    with pytest.raises(ValueError, match="10\\*\\*100"):
        Constant(10**100)
    with pytest.raises(TypeError):
        Constant([1])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not an allowed function"):
        Call("open", (Constant("x"),))
    with pytest.raises(ValueError, match="takes 1 argument"):
        Call("abs", ())
    with pytest.raises(ValueError):
        Binary("**", Name("a"), Name("b"))
    with pytest.raises(ValueError):
        Unary("~", Name("a"))


def test_expressions_are_frozen_and_hashable() -> None:
    expression = parse("age > 1")
    assert expression == parse("age > 1")
    assert expression != parse("age>1")  # the text differs
    assert hash(expression.root) == hash(parse("age>1").root)
    assert expression.root == parse("age>1").root
    with pytest.raises(AttributeError):
        expression.text = "x"  # type: ignore[misc]


# ---------------------------------------------------------------------------------------
# Properties

TOKENS = [
    "age",
    "client.age",
    "name",
    "tags",
    "flag",
    "x",
    "1",
    "0",
    "2.5",
    ".5",
    "1e3",
    "'a'",
    '"b"',
    "'",
    "true",
    "null",
    "None",
    "(",
    ")",
    "[",
    "]",
    ",",
    "+",
    "-",
    "*",
    "/",
    "//",
    "%",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "=",
    "and",
    "or",
    "not",
    "in",
    "len",
    "min",
    "round",
    "contains",
    "any",
    "**",
    ".",
    "_x",
    "lambda",
    "if",
    ";",
    ":",
    "{",
]

token_soup = st.builds(
    lambda parts, joiner: joiner.join(parts),
    st.lists(st.sampled_from(TOKENS), max_size=25),
    st.sampled_from([" ", ""]),
)


def attempt(action: Callable[[], object]) -> object:
    """What ``action`` returns, or the ExpressionError it raises (anything else escapes)."""
    try:
        return action()
    except ExpressionError as error:
        return error


def check_parse_outcome(text: str) -> None:
    """Parsing gives an Expression or an ExpressionError, and a result behaves."""
    expression = attempt(lambda: parse(text))
    if isinstance(expression, ExpressionError):
        assert expression.column >= 1
        assert expression.expression == text
        return
    assert isinstance(expression, Expression)
    assert parse(to_source(expression.root, full=False)).root == expression.root
    with contextlib.suppress(ExpressionError):
        expression.evaluate(FACTS)


@given(st.text(max_size=60))
def test_parse_of_any_text_gives_expression_or_expression_error(text: str) -> None:
    check_parse_outcome(text)


@given(token_soup)
def test_parse_of_token_soup_gives_expression_or_expression_error(text: str) -> None:
    check_parse_outcome(text)


NAMES = ["age", "score", "name", "flag", "tags", "nothing", "client.age", "client.address.town"]
BINARY_OPERATORS = ["==", "!=", "<", "<=", ">", ">=", "in", "not in", "+", "-", "*", "/", "//", "%"]

constants = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=6),
)
leaves = st.one_of(constants.map(Constant), st.sampled_from(NAMES).map(Name))


def calls(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    """Calls to allowed functions with a fitting number of arguments."""

    def with_arguments(name: str) -> st.SearchStrategy[Node]:
        spec = ALLOWED_FUNCTIONS[name]
        most = spec.max_args if spec.max_args is not None else spec.min_args + 2
        arguments = st.lists(children, min_size=spec.min_args, max_size=most)
        return arguments.map(lambda args: Call(name, tuple(args)))

    return st.sampled_from(sorted(ALLOWED_FUNCTIONS)).flatmap(with_arguments)


def extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    """One more level of tree over ``children``."""
    return st.one_of(
        st.builds(Unary, st.sampled_from(["-", "+", "not"]), children),
        st.builds(Binary, st.sampled_from(BINARY_OPERATORS), children, children),
        st.builds(Logical, st.sampled_from(["and", "or"]), children, children),
        st.lists(children, max_size=3).map(lambda items: ListExpr(tuple(items))),
        calls(children),
    )


trees = st.recursive(leaves, extend, max_leaves=12)
# At least two levels of operators above random subtrees, so nesting is always exercised.
nested_trees = extend(extend(trees))


@given(nested_trees)
def test_to_source_round_trips_to_an_equal_tree(tree: Node) -> None:
    for full in (True, False):
        text = to_source(tree, full=full)
        assert parse(text, max_length=100_000, max_depth=200).root == tree


fact_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.sampled_from([10**200, -(10**150)]),
        st.floats(),
        st.text(max_size=5),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(["age", "address", "town", "x"]), children, max_size=3),
    ),
    max_leaves=8,
)
random_facts = st.dictionaries(
    st.sampled_from(["age", "score", "name", "flag", "tags", "nothing", "client"]),
    fact_values,
)


@given(st.one_of(trees, nested_trees), random_facts)
def test_evaluation_raises_only_expression_errors(tree: Node, facts: dict[str, object]) -> None:
    expression = Expression(to_source(tree), tree, frozenset())
    result = attempt(lambda: expression.evaluate(facts))
    if isinstance(result, ExpressionError):
        assert result.expression == expression.text
    else:
        assert result is None or isinstance(result, bool | int | float | str | list | dict)
    with contextlib.suppress(ExpressionError):
        expression.test(facts)
    assert set(expression.values_used(facts)) <= {name for name, _ in expression.name_columns()}


# A reference interpreter over a tree of tuples, written from the language's rules and
# independent of pathway._model._expr: Python's own operators on well-typed operands.

REFERENCE_FACTS: dict[str, object] = {
    "i": 7,
    "j": -3,
    "k": 0,
    "x": 2.5,
    "y": -0.25,
    "p": True,
    "q": False,
    "s": "Ab",
    "t": "b",
}
ERROR = object()

Tree = tuple[Any, ...]

REFERENCE_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "in": lambda item, items: any(item == each for each in items),
}
REFERENCE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "abs": abs,
    "min": min,
    "max": max,
    "round": round,
    "len": len,
    "lower": str.lower,
    "upper": str.upper,
    "contains": lambda haystack, needle: needle in haystack,
    "startswith": str.startswith,
}


def reference(tree: Tree) -> Any:
    """Evaluate a tuple tree with plain Python semantics, and the language's documented
    limit: an integer result of 10**100 or more is an error."""
    result = _reference(tree)
    if isinstance(result, int) and not isinstance(result, bool) and abs(result) >= 10**100:
        raise OverflowError("integer result too large")
    return result


def _reference(tree: Tree) -> Any:
    tag = tree[0]
    if tag == "const":
        return tree[1]
    if tag == "name":
        return REFERENCE_FACTS[tree[1]]
    if tag == "list":
        return [reference(item) for item in tree[1]]
    if tag == "call":
        return REFERENCE_FUNCTIONS[tree[1]](*(reference(arg) for arg in tree[2:]))
    if tag == "neg":
        return -reference(tree[1])
    if tag == "not":
        return not reference(tree[1])
    if tag == "and":
        return reference(tree[1]) and reference(tree[2])
    if tag == "or":
        return reference(tree[1]) or reference(tree[2])
    return REFERENCE_BINARY[tag](reference(tree[1]), reference(tree[2]))


def render(tree: Tree) -> str:
    """Write a tuple tree as expression text, parenthesising every operand."""
    tag = tree[0]
    if tag == "const":
        return render_constant(tree[1])
    if tag == "name":
        return str(tree[1])
    if tag == "list":
        return "[" + ", ".join(render(item) for item in tree[1]) + "]"
    if tag == "call":
        return f"{tree[1]}(" + ", ".join(render(arg) for arg in tree[2:]) + ")"
    if tag == "neg":
        return f"-({render(tree[1])})"
    if tag == "not":
        return f"not ({render(tree[1])})"
    return f"({render(tree[1])}) {tag} ({render(tree[2])})"


def render_constant(constant: object) -> str:
    """A constant in the language's syntax, written independently of to_source."""
    if isinstance(constant, bool):
        return "True" if constant else "False"
    if isinstance(constant, str):
        escaped = constant.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    return f"({constant!r})" if constant < 0 else repr(constant)  # type: ignore[operator]


number_leaves = st.one_of(
    st.integers(min_value=-50, max_value=50).map(lambda n: ("const", n)),
    st.floats(min_value=-100, max_value=100, allow_nan=False).map(lambda f: ("const", f)),
    st.sampled_from(["i", "j", "k", "x", "y"]).map(lambda n: ("name", n)),
)
text_leaves = st.one_of(
    st.text(alphabet="aAbB \"'\\\n", max_size=4).map(lambda s: ("const", s)),
    st.sampled_from(["s", "t"]).map(lambda n: ("name", n)),
)
texts = st.recursive(
    text_leaves,
    lambda inner: st.one_of(
        st.tuples(st.just("+"), inner, inner),
        st.tuples(st.just("call"), st.sampled_from(["lower", "upper"]), inner),
    ),
    max_leaves=4,
)


def number_operations(inner: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
    """Arithmetic over numbers."""
    return st.one_of(
        st.tuples(st.sampled_from(["+", "-", "*", "/", "//", "%"]), inner, inner),
        st.tuples(st.just("neg"), inner),
        st.tuples(st.just("call"), st.sampled_from(["abs", "round"]), inner),
        st.tuples(st.just("call"), st.sampled_from(["min", "max"]), inner, inner),
        st.tuples(st.just("call"), st.just("len"), texts),
    )


numbers = st.recursive(number_leaves, number_operations, max_leaves=8)
ORDERINGS = ["==", "!=", "<", "<=", ">", ">="]
comparisons = st.one_of(
    st.tuples(st.sampled_from(ORDERINGS), numbers, numbers),
    st.tuples(st.sampled_from(ORDERINGS), numbers).map(lambda pair: (pair[0], pair[1], pair[1])),
    st.tuples(st.sampled_from(["==", "!=", "<", ">="]), texts, texts),
    st.tuples(st.just("in"), numbers, st.lists(numbers, max_size=3).map(lambda xs: ("list", xs))),
    st.tuples(st.just("call"), st.sampled_from(["contains", "startswith"]), texts, texts),
)
booleans = st.recursive(
    st.one_of(
        st.booleans().map(lambda b: ("const", b)),
        st.sampled_from(["p", "q"]).map(lambda n: ("name", n)),
        comparisons,
    ),
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(["and", "or", "==", "!="]), inner, inner),
        st.tuples(st.just("not"), inner),
    ),
    max_leaves=6,
)


def same(actual: object, expected: object) -> bool:
    """Equal values of the same type (nan counts as equal to nan)."""
    if actual is ERROR or expected is ERROR:
        return actual is expected
    if isinstance(actual, float) and isinstance(expected, float):
        return (math.isnan(actual) and math.isnan(expected)) or actual == expected
    return type(actual) is type(expected) and actual == expected


def check_against_reference(tree: Tree) -> None:
    """The expression written from ``tree`` evaluates as the reference interpreter says."""
    try:
        expected = reference(tree)
    except (ZeroDivisionError, OverflowError, ValueError):
        expected = ERROR
    text = render(tree)
    try:
        actual = parse(text, max_length=100_000, max_depth=200).evaluate(REFERENCE_FACTS)
    except ExpressionError:
        actual = ERROR
    assert same(actual, expected), text


@given(number_operations(numbers))
def test_arithmetic_matches_a_reference_interpreter(tree: Tree) -> None:
    check_against_reference(tree)


@given(comparisons)
def test_comparisons_match_a_reference_interpreter(tree: Tree) -> None:
    check_against_reference(tree)


@given(booleans)
def test_logic_matches_a_reference_interpreter(tree: Tree) -> None:
    check_against_reference(tree)


@given(texts)
def test_text_operations_match_a_reference_interpreter(tree: Tree) -> None:
    check_against_reference(tree)


def slow_outcome(expression: Expression, facts: dict[str, object]) -> object:
    """The tree evaluator's result, or the ExpressionError's message."""
    from pathway._model._expr import _Scope

    try:
        return ("value", expression.root.evaluate(_Scope(facts, expression.text)))
    except ExpressionError as error:
        return ("error", str(error))


@given(st.one_of(trees, nested_trees), random_facts)
def test_compiled_fast_path_agrees_with_the_tree_evaluator(
    tree: Node, facts: dict[str, object]
) -> None:
    expression = Expression(to_source(tree), tree, frozenset())
    expected = slow_outcome(expression, facts)
    try:
        actual: object = ("value", expression.evaluate(facts))
    except ExpressionError as error:
        actual = ("error", str(error))
    if expected[0] == "value" and actual[0] == "value":
        assert same(actual[1], expected[1])  # type: ignore[index]
    else:
        assert actual == expected
