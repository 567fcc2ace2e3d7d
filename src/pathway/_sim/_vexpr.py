"""Guards and automatic questions evaluated once per case, over whole numpy fact columns.

:func:`evaluate` walks an expression tree (:mod:`pathway._model._expr` nodes) with numpy
operations, one array per node, so a guard over a million cases costs a few array
operations. It follows the language's rules exactly where it vectorises: values of
different kinds are never equal (``true == 1`` is false, ``1 == 1.0`` is true), ordering
needs two numbers or two texts, ``and``/``or``/``not`` need true/false. Anything it does
not vectorise (function calls, division, text containment, lists or mappings as facts,
a kind mismatch that the scalar evaluator would reject) falls back to
:meth:`Expression.test` once per *distinct combination* of the fact values the
expression uses, which is exact and, for the usual boolean and categorical facts, cheap.

numpy's numbers are not Python's, so the vectorised path also steps aside wherever they
could differ: whole-number arithmetic whose result might leave 64 bits (numpy would wrap
round, ``age * 10**18 > 0`` false; Python is exact, and the language stops at 10**100),
a whole number beyond 2**53 compared with a fraction (numpy rounds it first), constants
beyond 64 bits, and text with NUL characters (numpy's text arrays drop trailing ones).
Those expressions are evaluated exactly, case by case, and give what a live case gives,
including its :class:`~pathway.errors.ExpressionError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pathway._model._expr import Binary, Constant, Expression, ListExpr, Logical, Name, Node, Unary

__all__ = ["Column", "evaluate", "python_value"]

BoolArray = npt.NDArray[np.bool_]


@attrs.frozen(eq=False)
class Column:
    """One fact's values for a cohort: ``kind`` is bool, number, text or mixed."""

    kind: str
    values: npt.NDArray[Any]


@attrs.frozen(eq=False)
class _Value:
    """A node's value: a kind and an array (or a scalar for constants)."""

    kind: str
    data: Any


class _Unsupported(Exception):
    """This node is not vectorised; use the exact per-combination fallback."""


#: Whole-number results at or beyond this size might have wrapped in 64 bits.
_WRAP = float(1 << 62)
#: Whole numbers beyond this size are not exact as 64-bit floats.
_EXACT = 1 << 53


def python_value(value: Any) -> Any:
    """A numpy scalar as the plain Python value the expression language expects."""
    return value.item() if isinstance(value, np.generic) else value


def evaluate(expression: Expression, columns: Mapping[str, Column], size: int) -> BoolArray:
    """The guard's true/false value for each of ``size`` cases.

    Raises :class:`~pathway.errors.ExpressionError` exactly as ``expression.test`` would
    for the first case where the expression cannot give true/false.
    """
    try:
        with np.errstate(all="ignore"):
            value = _node(expression.root, columns)
        if value.kind != "bool":
            raise _Unsupported
        return np.broadcast_to(np.asarray(value.data, dtype=bool), (size,)).copy()
    except (_Unsupported, ArithmeticError, TypeError, ValueError):
        # numpy refusing an operation is not the user's mistake: the exact path decides
        return _by_combination(expression, columns, size)


def _kind_of(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    return "null" if value is None else "other"


def _is_whole(data: Any) -> bool:
    """Whether a number value holds whole numbers (Python ints or an integer array)."""
    if isinstance(data, np.ndarray | np.generic):
        return bool(np.issubdtype(data.dtype, np.integer))
    return isinstance(data, int)


def _largest(data: Any) -> float:
    """The largest magnitude in a number value (0 for an empty array)."""
    magnitudes = np.abs(np.asarray(data, dtype=np.float64))
    return float(magnitudes.max()) if magnitudes.size else 0.0


def _constant(value: object) -> _Value:
    kind = _kind_of(value)
    if kind == "number" and isinstance(value, int) and not -_WRAP < value < _WRAP:
        raise _Unsupported  # numpy cannot hold it (or results with it) in 64 bits
    if kind == "text" and "\x00" in str(value):
        raise _Unsupported  # numpy's text arrays would drop a trailing NUL
    return _Value(kind, value)


def _node(node: Node, columns: Mapping[str, Column]) -> _Value:
    if isinstance(node, Constant):
        return _constant(node.value)
    if isinstance(node, Name):
        column = columns.get(node.name)
        if column is None or column.kind not in ("bool", "number", "text"):
            raise _Unsupported
        return _Value(column.kind, column.values)
    if isinstance(node, Unary):
        return _unary(node, _node(node.operand, columns))
    if isinstance(node, Logical):
        left, right = _node(node.left, columns), _node(node.right, columns)
        if left.kind != "bool" or right.kind != "bool":
            raise _Unsupported
        combine = np.logical_and if node.op == "and" else np.logical_or
        return _Value("bool", combine(left.data, right.data))
    if isinstance(node, Binary):
        return _binary(node, columns)
    raise _Unsupported


def _unary(node: Unary, operand: _Value) -> _Value:
    if node.op == "not" and operand.kind == "bool":
        return _Value("bool", np.logical_not(operand.data))
    if node.op in ("-", "+") and operand.kind == "number":
        if node.op == "+":
            return operand
        if _is_whole(operand.data) and _largest(operand.data) >= _WRAP:
            raise _Unsupported  # -(-2**63) wraps in 64 bits
        return _Value("number", np.negative(operand.data))
    raise _Unsupported


_ORDER = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
_ARITHMETIC = {"+": np.add, "-": np.subtract, "*": np.multiply}


def _binary(node: Binary, columns: Mapping[str, Column]) -> _Value:
    if node.op in ("in", "not in"):
        return _membership(node, columns)
    left, right = _node(node.left, columns), _node(node.right, columns)
    if node.op in ("==", "!="):
        same = _equal(left, right)
        return _Value("bool", same if node.op == "==" else np.logical_not(same))
    if node.op in _ORDER:
        if left.kind != right.kind or left.kind not in ("number", "text"):
            raise _Unsupported
        _comparable(left, right)
        return _Value("bool", _ORDER[node.op](left.data, right.data))
    if node.op in _ARITHMETIC and left.kind == right.kind == "number":
        return _Value("number", _arithmetic(node.op, left.data, right.data))
    raise _Unsupported


def _arithmetic(op: str, left: Any, right: Any) -> Any:
    """``left op right`` as numpy computes it, when that is what Python computes too."""
    if _is_whole(left) and _is_whole(right):
        shadow = _ARITHMETIC[op](np.asarray(left, np.float64), np.asarray(right, np.float64))
        if _largest(shadow) >= _WRAP:
            raise _Unsupported  # the 64-bit result might have wrapped round
    return _ARITHMETIC[op](left, right)


def _comparable(left: _Value, right: _Value) -> None:
    """Refuse to compare a whole number beyond 2**53 with a fraction (numpy would round
    the whole number to a float first; Python compares them exactly)."""
    if left.kind != "number" or _is_whole(left.data) == _is_whole(right.data):
        return
    whole = left.data if _is_whole(left.data) else right.data
    if _largest(whole) >= _EXACT:
        raise _Unsupported


def _equal(left: _Value, right: _Value) -> Any:
    kinds = {left.kind, right.kind}
    if "other" in kinds:
        raise _Unsupported
    if left.kind != right.kind:
        return np.False_
    if left.kind == "null":
        return np.True_
    _comparable(left, right)
    return np.equal(left.data, right.data)


def _membership(node: Binary, columns: Mapping[str, Column]) -> _Value:
    if not isinstance(node.right, ListExpr):
        raise _Unsupported
    if not all(isinstance(item, Constant) for item in node.right.items):
        raise _Unsupported
    left = _node(node.left, columns)
    if left.kind not in ("bool", "number", "text"):
        raise _Unsupported
    items = [item.value for item in node.right.items if isinstance(item, Constant)]
    wanted = [_constant(item) for item in items if _kind_of(item) == left.kind]
    found: Any = np.zeros(np.shape(left.data), dtype=bool)
    for item in wanted:  # one exact equality per item: lists in guards are short
        found = np.logical_or(found, _equal(left, item))
    return _Value("bool", found if node.op == "in" else np.logical_not(found))


def _by_combination(expression: Expression, columns: Mapping[str, Column], size: int) -> BoolArray:
    """Exact fallback: ``expression.test`` once per distinct combination of values used."""
    names = sorted(name for name in expression.names if name in columns)
    if not names:
        return np.full(size, expression.test({}), dtype=bool)
    codes = np.zeros(size, dtype=np.int64)
    for name in names:
        distinct, inverse = _factorise(columns[name].values)
        combined = codes * len(distinct) + inverse
        codes = np.unique(combined, return_inverse=True)[1].reshape(-1).astype(np.int64)
    combos, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    results = np.empty(len(combos), dtype=bool)
    for index, row in enumerate(first):
        facts = {name: python_value(columns[name].values[row]) for name in names}
        results[index] = expression.test(facts)
    return results[inverse.reshape(-1)]


def _factorise(values: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], npt.NDArray[np.int64]]:
    """Distinct values and each row's code (object columns keyed by kind and repr)."""
    if values.dtype != object:
        distinct, inverse = np.unique(values, return_inverse=True)
        return distinct, inverse.reshape(-1).astype(np.int64)
    keys: dict[tuple[str, str], int] = {}
    inverse_list = []
    firsts = []
    for row, value in enumerate(values):
        key = (type(value).__name__, repr(value))
        if key not in keys:
            keys[key] = len(keys)
            firsts.append(row)
        inverse_list.append(keys[key])
    return values[np.asarray(firsts)], np.asarray(inverse_list, dtype=np.int64)
