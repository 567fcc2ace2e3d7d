"""The guard and question language: a small, safe expression language over a case's facts.

Guards on transitions (``when: "needs_prescribing and age >= 18"``), checkpoint questions
and routes are written in this language and evaluated over a case's plain fact values
(text, numbers, true/false, null, lists and nested mappings)::

    >>> guard = parse("needs_prescribing and client.age >= 18")
    >>> guard.test({"needs_prescribing": True, "client": {"age": 40}})
    True

The language is deliberately small and entirely pathway's own: a hand-written tokenizer
and a precedence-climbing parser build a tree of the node classes below, and each node
evaluates itself. Nothing is ever handed to Python's ``eval``, ``exec``, ``compile`` or
``ast``: there is no attribute access (``client.age`` is one dotted fact name), no
subscripting, and no calls except to the functions in :data:`ALLOWED_FUNCTIONS`.

Precedence, loosest first, as in Python::

    or < and < not < == != < <= > >= in, not in < + - < * / // % < unary - + < atoms

Every problem, whether found while parsing or while evaluating, is an
:class:`~pathway.errors.ExpressionError` carrying the 1-based column where it is. Parsing
is bounded (:data:`MAX_LENGTH` characters, :data:`MAX_DEPTH` levels of nesting,
:data:`MAX_TOKENS` tokens) and so is evaluation (integers stay below ``10**100``, joined
text below :data:`MAX_STRING_LENGTH` characters), so no input can hang or exhaust memory.
"""

from __future__ import annotations

import keyword
import math
import operator
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any, Final, NoReturn, TypeAlias, TypeGuard, cast

import attrs

from pathway.errors import ExpressionError, did_you_mean

__all__ = [
    "ALLOWED_FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_LIST_LENGTH",
    "MAX_STRING_LENGTH",
    "MAX_TOKENS",
    "Binary",
    "Call",
    "Constant",
    "ConstantValue",
    "Expression",
    "Function",
    "ListExpr",
    "Logical",
    "Name",
    "Node",
    "Unary",
    "parse",
    "to_source",
    "unknown_names",
]

MAX_LENGTH: Final = 1000
"""Default longest expression text, in characters."""
MAX_DEPTH: Final = 32
"""Default deepest nesting of brackets, lists, calls and unary operators."""
MAX_TOKENS: Final = 500
"""Most tokens one expression may have."""
MAX_STRING_LENGTH: Final = 10_000
"""Longest text that joining two texts with ``+`` may produce."""
MAX_LIST_LENGTH: Final = 10_000
"""Longest list that joining two lists with ``+`` may produce."""
_INTEGER_LIMIT: Final = 10**100
_MAX_ROUND_DIGITS: Final = 100

# Binding powers, loosest first.
_OR, _AND, _NOT, _COMPARE, _SUM, _PRODUCT, _UNARY, _ATOM = range(1, 9)

_COMPARISONS: Final = frozenset({"==", "!=", "<", "<=", ">", ">=", "in", "not in"})
_POWERS: Final[Mapping[str, int]] = MappingProxyType(
    {
        "or": _OR,
        "and": _AND,
        **dict.fromkeys(_COMPARISONS, _COMPARE),
        "+": _SUM,
        "-": _SUM,
        "*": _PRODUCT,
        "/": _PRODUCT,
        "//": _PRODUCT,
        "%": _PRODUCT,
    }
)

ConstantValue: TypeAlias = bool | int | float | str | None
"""What a literal in an expression can be."""


class _Failure(Exception):
    """An evaluation problem; the node being evaluated adds its column."""


# ---------------------------------------------------------------------------------------
# The tree


def _constant_key(value: object) -> tuple[str, object]:
    """Equality key for constants, so that ``1``, ``1.0`` and ``true`` stay different."""
    return (type(value).__name__, value)


def _check_constant(_instance: object, _attribute: object, value: ConstantValue) -> None:
    """attrs validator: a constant is something the language itself could write."""
    if value is not None and not isinstance(value, bool | int | float | str):
        raise TypeError(f"a constant must be text, a number, true/false or null: {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"a constant number must be finite, got {value!r}")
    if isinstance(value, int) and abs(value) >= _INTEGER_LIMIT:
        raise ValueError("a constant integer must be smaller than 10**100")


@attrs.frozen(slots=True)
class Constant:
    """A literal: a number, a text, true/false or null.

    ``column`` (1-based, 0 when unknown) is where it starts and takes no part in equality,
    so trees parsed from differently spaced texts compare equal.
    """

    value: ConstantValue = attrs.field(eq=_constant_key, validator=_check_constant)
    column: int = attrs.field(default=0, eq=False)

    def children(self) -> tuple[Node, ...]:
        """The nodes directly inside this one (none)."""
        return ()

    def evaluate(self, _scope: _Scope) -> object:
        """The literal's value."""
        return self.value

    def source(self, _full: bool) -> str:
        """The literal written back in the language's syntax."""
        return _literal(self.value)


@attrs.frozen(slots=True)
class Name:
    """A fact name, possibly dotted (``client.age``) to reach into nested mappings."""

    name: str
    column: int = attrs.field(default=0, eq=False)

    def children(self) -> tuple[Node, ...]:
        """The nodes directly inside this one (none)."""
        return ()

    def evaluate(self, scope: _Scope) -> object:
        """The fact's value; raises :class:`ExpressionError` if it has none."""
        return scope.lookup(self.name, self.column)

    def source(self, _full: bool) -> str:
        """The name as written."""
        return self.name


@attrs.frozen(slots=True)
class ListExpr:
    """A list display, ``[1, 'a', x]``; ``column`` is that of the ``[``."""

    items: tuple[Node, ...]
    column: int = attrs.field(default=0, eq=False)

    def children(self) -> tuple[Node, ...]:
        """The items, in order."""
        return self.items

    def evaluate(self, scope: _Scope) -> object:
        """A new Python list of the items' values."""
        return [item.evaluate(scope) for item in self.items]

    def source(self, full: bool) -> str:
        """The list written back in the language's syntax."""
        return "[" + ", ".join(item.source(full) for item in self.items) + "]"


@attrs.frozen(slots=True)
class Unary:
    """``-x``, ``+x`` or ``not x``; ``column`` is that of the operator."""

    op: str = attrs.field(validator=attrs.validators.in_(("-", "+", "not")))
    operand: Node
    column: int = attrs.field(default=0, eq=False)

    def children(self) -> tuple[Node, ...]:
        """The operand."""
        return (self.operand,)

    def evaluate(self, scope: _Scope) -> object:
        """Apply the operator; raises :class:`ExpressionError` on a wrong operand type."""
        return scope.apply(self.column, _UNARY_OPERATIONS[self.op], self.operand.evaluate(scope))

    def source(self, full: bool) -> str:
        """The operation written back, with its operand in parentheses where needed."""
        operand = _operand(self.operand, _precedence(self), full)
        if self.op == "not":
            return f"not {operand}"
        if isinstance(self.operand, Constant) and _is_number(self.operand.value):
            operand = f"({operand})"  # '-5' would read back as the literal -5
        return f"{self.op}{operand}"


@attrs.frozen(slots=True)
class Binary:
    """A comparison or arithmetic operation; ``column`` is that of the operator."""

    op: str = attrs.field(validator=attrs.validators.in_(_POWERS.keys() - {"and", "or"}))
    left: Node
    right: Node
    column: int = attrs.field(default=0, eq=False)

    def children(self) -> tuple[Node, ...]:
        """The left and right operands."""
        return (self.left, self.right)

    def evaluate(self, scope: _Scope) -> object:
        """Apply the operator; raises :class:`ExpressionError` on wrong operand types."""
        left = self.left.evaluate(scope)
        right = self.right.evaluate(scope)
        return scope.apply(self.column, _BINARY_OPERATIONS[self.op], left, right)

    def source(self, full: bool) -> str:
        """The operation written back, with operands in parentheses where needed."""
        power = _POWERS[self.op]
        left = _operand(self.left, power, full)
        return f"{left} {self.op} {_operand(self.right, power, full, right=True)}"


@attrs.frozen(slots=True)
class Logical:
    """``a and b`` or ``a or b``: short-circuiting, on true/false operands only."""

    op: str = attrs.field(validator=attrs.validators.in_(("and", "or")))
    left: Node
    right: Node
    column: int = attrs.field(default=0, eq=False)

    def children(self) -> tuple[Node, ...]:
        """The left and right operands."""
        return (self.left, self.right)

    def evaluate(self, scope: _Scope) -> object:
        """True/false; the right side is evaluated only when the left does not decide.

        Raises :class:`ExpressionError` when an evaluated operand is not true/false.
        """
        left = scope.truth(self.left, f"on the left of '{self.op}'")
        decided = left if self.op == "or" else not left
        if decided:
            return left
        return scope.truth(self.right, f"on the right of '{self.op}'")

    def source(self, full: bool) -> str:
        """The operation written back, with operands in parentheses where needed."""
        power = _POWERS[self.op]
        left = _operand(self.left, power, full)
        return f"{left} {self.op} {_operand(self.right, power, full, right=True)}"


def _check_call(instance: Call, _attribute: object, function: str) -> None:
    """attrs validator: only allowed functions, with a fitting number of arguments."""
    spec = ALLOWED_FUNCTIONS.get(function)
    if spec is None:
        raise ValueError(f"{function!r} is not an allowed function")
    if not spec.accepts(len(instance.args)):
        raise ValueError(f"{function}() takes {spec.arity()}, got {len(instance.args)}")


@attrs.frozen(slots=True)
class Call:
    """A call to one of :data:`ALLOWED_FUNCTIONS`; ``column`` is that of its name."""

    function: str = attrs.field(validator=_check_call)
    args: tuple[Node, ...]
    column: int = attrs.field(default=0, eq=False)

    def children(self) -> tuple[Node, ...]:
        """The arguments, in order."""
        return self.args

    def evaluate(self, scope: _Scope) -> object:
        """Evaluate every argument, then the function; raises :class:`ExpressionError`."""
        args = tuple(arg.evaluate(scope) for arg in self.args)
        return scope.apply(self.column, ALLOWED_FUNCTIONS[self.function].implementation, args)

    def source(self, full: bool) -> str:
        """The call written back in the language's syntax."""
        return f"{self.function}(" + ", ".join(arg.source(full) for arg in self.args) + ")"


Node: TypeAlias = Constant | Name | ListExpr | Unary | Binary | Logical | Call
"""Any node of an expression tree."""


def _precedence(node: Node) -> int:
    """How tightly a node's own operator binds (atoms bind tightest)."""
    if isinstance(node, Binary | Logical):
        return _POWERS[node.op]
    if isinstance(node, Unary):
        return _NOT if node.op == "not" else _UNARY
    return _ATOM


def _operand(child: Node, power: int, full: bool, *, right: bool = False) -> str:
    """Write ``child`` as an operand of an operator of ``power``, bracketed if needed."""
    text = child.source(full)
    own = _precedence(child)
    if own == _ATOM:
        return text
    tie = own == power and (right or own == _COMPARE)
    return f"({text})" if full or own < power or tie else text


def _literal(value: ConstantValue) -> str:
    """A constant written in the language's syntax."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return _quote(value)
    return repr(value)


def _quote(text: str) -> str:
    """``text`` as a single-quoted literal using only the language's escapes."""
    escaped = text.replace("\\", "\\\\").replace("'", "\\'")
    return "'" + escaped.replace("\n", "\\n").replace("\t", "\\t") + "'"


def to_source(node: Node, *, full: bool = True) -> str:
    """Write a tree back as expression text that parses to an equal tree.

    With ``full`` (the default) every operand that is itself an operation is put in
    parentheses, which makes the grouping plain to read in explanations; with
    ``full=False`` only the parentheses the precedence rules need are written, so the
    text is no more deeply nested than the tree requires (a long ``a + b + c + ...``
    chain written fully may exceed :data:`MAX_DEPTH` when parsed back).
    """
    return node.source(full)


def _walk(root: Node) -> Iterator[Node]:
    """Every node of a tree, parents first, in source order (without recursion)."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children()))


# ---------------------------------------------------------------------------------------
# Values


def _is_number(value: object) -> TypeGuard[int | float]:
    """True for ints and floats, but not for true/false."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_list(value: object) -> TypeGuard[list[object] | tuple[object, ...]]:
    """True for lists (tuples count as lists)."""
    return isinstance(value, list | tuple)


def _kind(value: object) -> str:
    """The user-facing name of a value's type."""
    if isinstance(value, bool):
        return "true/false"
    if _is_number(value):
        return "number"
    if isinstance(value, str):
        return "text"
    if value is None:
        return "null"
    if _is_list(value):
        return "list"
    return "mapping" if isinstance(value, Mapping) else type(value).__name__


def _describe(value: object) -> str:
    """A short description of a value for error messages: its kind and, if small, itself."""
    if isinstance(value, bool) or value is None:
        return _literal(value)
    if isinstance(value, int) and abs(value) >= _INTEGER_LIMIT:
        return "a very large number"
    if _is_number(value):
        return f"number {value!r}"
    if isinstance(value, str):
        return f"text {_quote(value[:40] + '...' if len(value) > 40 else value)}"
    if _is_list(value):
        return f"a list of {len(value)} items"
    return f"a {_kind(value)}"


def _checked(value: object) -> object:
    """``value`` itself, unless it is an integer too large to keep computing with."""
    if isinstance(value, int) and abs(value) >= _INTEGER_LIMIT:
        raise _Failure("number is too large (results must stay below 10**100)")
    return value


def _equal(left: object, right: object) -> bool:
    """Equality: values of different kinds are never equal, but 1 == 1.0."""
    if _kind(left) != _kind(right):
        return False
    if _is_list(left) and _is_list(right):
        return len(left) == len(right) and all(map(_equal, left, right))
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        return left.keys() == right.keys() and all(_equal(left[k], right[k]) for k in left)
    return bool(left == right)


def _not_equal(left: object, right: object) -> bool:
    """The negation of :func:`_equal`."""
    return not _equal(left, right)


def _contains(container: object, item: object, what: str = "'in'") -> bool:
    """Membership: a substring of text, an item of a list or a key of a mapping."""
    if isinstance(container, str):
        if not isinstance(item, str):
            raise _Failure(f"{what} on text needs text to look for, got {_describe(item)}")
        return item in container
    if _is_list(container):
        return any(_equal(item, element) for element in container)
    if isinstance(container, Mapping):
        return any(_equal(item, key) for key in container)
    raise _Failure(f"{what} needs a list, text or mapping to look in, got {_describe(container)}")


def _is_in(item: object, container: object) -> bool:
    """``item in container``."""
    return _contains(container, item)


def _not_in(item: object, container: object) -> bool:
    """``item not in container``."""
    return not _contains(container, item)


def _ordering(symbol: str, compare: Callable[[Any, Any], Any]) -> Callable[[object, object], bool]:
    """An ordering comparison, defined between two numbers or two texts only."""

    def ordered(left: object, right: object) -> bool:
        both_numbers = _is_number(left) and _is_number(right)
        if both_numbers or (isinstance(left, str) and isinstance(right, str)):
            return bool(compare(left, right))
        raise _Failure(f"cannot compare {_kind(left)} with {_kind(right)} using '{symbol}'")

    return ordered


def _arithmetic(
    symbol: str, combine: Callable[[Any, Any], Any]
) -> Callable[[object, object], object]:
    """An arithmetic operator on two numbers (true/false are not numbers)."""

    def calculate(left: object, right: object) -> object:
        if not (_is_number(left) and _is_number(right)):
            raise _Failure(f"'{symbol}' needs two numbers, got {_kind(left)} and {_kind(right)}")
        return combine(left, right)

    return calculate


def _add(left: object, right: object) -> object:
    """``+``: add two numbers, or join two texts or two lists (within size limits)."""
    if isinstance(left, str) and isinstance(right, str):
        if len(left) + len(right) > MAX_STRING_LENGTH:
            raise _Failure(f"joined text would be longer than {MAX_STRING_LENGTH} characters")
        return left + right
    if _is_list(left) and _is_list(right):
        if len(left) + len(right) > MAX_LIST_LENGTH:
            raise _Failure(f"joined list would be longer than {MAX_LIST_LENGTH} items")
        return [*left, *right]
    if _is_number(left) and _is_number(right):
        return left + right
    kinds = f"{_kind(left)} and {_kind(right)}"
    raise _Failure(f"'+' needs two numbers, two texts or two lists, got {kinds}")


def _negate(value: object) -> object:
    """Unary ``-``."""
    if not _is_number(value):
        raise _Failure(f"'-' needs a number, got {_describe(value)}")
    return -value


def _positive(value: object) -> object:
    """Unary ``+``: the number itself."""
    if not _is_number(value):
        raise _Failure(f"'+' needs a number, got {_describe(value)}")
    return value


def _not(value: object) -> bool:
    """``not``, on true/false only."""
    if not isinstance(value, bool):
        raise _Failure(f"expected true/false after 'not', got {_describe(value)}")
    return not value


_UNARY_OPERATIONS: Final[Mapping[str, Callable[[object], object]]] = MappingProxyType(
    {"-": _negate, "+": _positive, "not": _not}
)

_BINARY_OPERATIONS: Final[Mapping[str, Callable[[object, object], object]]] = MappingProxyType(
    {
        "==": _equal,
        "!=": _not_equal,
        "<": _ordering("<", operator.lt),
        "<=": _ordering("<=", operator.le),
        ">": _ordering(">", operator.gt),
        ">=": _ordering(">=", operator.ge),
        "in": _is_in,
        "not in": _not_in,
        "+": _add,
        "-": _arithmetic("-", operator.sub),
        "*": _arithmetic("*", operator.mul),
        "/": _arithmetic("/", operator.truediv),
        "//": _arithmetic("//", operator.floordiv),
        "%": _arithmetic("%", operator.mod),
    }
)


# ---------------------------------------------------------------------------------------
# Functions


@attrs.frozen(slots=True)
class Function:
    """One function expressions may call: its name, arity, usage and implementation.

    ``max_args`` is ``None`` when any number of arguments from ``min_args`` up is
    accepted. ``implementation`` takes the evaluated arguments as a tuple; it is private
    to this module (it raises an internal failure that evaluation turns into an
    :class:`ExpressionError` at the call's column).
    """

    name: str
    min_args: int
    max_args: int | None
    usage: str
    implementation: Callable[[tuple[object, ...]], object] = attrs.field(eq=False, repr=False)

    def accepts(self, count: int) -> bool:
        """Whether a call with ``count`` arguments is allowed."""
        return count >= self.min_args and (self.max_args is None or count <= self.max_args)

    def arity(self) -> str:
        """How many arguments the function takes, in words."""
        plural = "" if self.min_args == 1 else "s"
        if self.max_args is None:
            return f"at least {self.min_args} argument{plural}"
        if self.max_args == self.min_args:
            return f"{self.min_args} argument{plural}"
        joiner = "or" if self.max_args == self.min_args + 1 else "to"
        return f"{self.min_args} {joiner} {self.max_args} arguments"


def _number_argument(function: str, value: object) -> int | float:
    """``value`` if it is a number, else a failure naming ``function``."""
    if not _is_number(value):
        raise _Failure(f"{function}() needs a number, got {_describe(value)}")
    return value


def _text_argument(function: str, value: object) -> str:
    """``value`` if it is text, else a failure naming ``function``."""
    if not isinstance(value, str):
        raise _Failure(f"{function}() needs text, got {_describe(value)}")
    return value


def _list_argument(function: str, value: object) -> Sequence[object]:
    """``value`` if it is a list, else a failure naming ``function``."""
    if not _is_list(value):
        raise _Failure(f"{function}() needs a list, got {_describe(value)}")
    return value


def _abs(args: tuple[object, ...]) -> object:
    """``abs(number)``."""
    return abs(_number_argument("abs", args[0]))


def _round(args: tuple[object, ...]) -> object:
    """``round(number)`` to a whole number, or ``round(number, digits)`` (half to even)."""
    number = _number_argument("round", args[0])
    if len(args) == 1:
        if not math.isfinite(number):
            raise _Failure(f"round() cannot make {number!r} a whole number")
        return round(number)
    digits = args[1]
    if not isinstance(digits, int) or isinstance(digits, bool):
        raise _Failure(f"round() needs a whole number of digits, got {_describe(digits)}")
    if abs(digits) > _MAX_ROUND_DIGITS:
        raise _Failure(
            f"round() digits must be between -{_MAX_ROUND_DIGITS} and {_MAX_ROUND_DIGITS}"
        )
    return round(number, digits)


def _extreme(function: str, pick: Callable[[list[Any]], object]) -> Callable[..., object]:
    """``min``/``max`` of one list argument or of several arguments."""

    def extreme(args: tuple[object, ...]) -> object:
        values = list(_list_argument(function, args[0]) if len(args) == 1 else args)
        if not values:
            raise _Failure(f"{function}() of an empty list has no value")
        numbers = all(_is_number(value) for value in values)
        if not (numbers or all(isinstance(value, str) for value in values)):
            raise _Failure(f"{function}() needs all numbers or all texts")
        return pick(values)

    return extreme


def _len(args: tuple[object, ...]) -> object:
    """``len(text, list or mapping)``."""
    value = args[0]
    if not (isinstance(value, str | Mapping) or _is_list(value)):
        raise _Failure(f"len() needs text, a list or a mapping, got {_describe(value)}")
    return len(value)


def _lower(args: tuple[object, ...]) -> object:
    """``lower(text)``."""
    return _text_argument("lower", args[0]).lower()


def _upper(args: tuple[object, ...]) -> object:
    """``upper(text)``."""
    return _text_argument("upper", args[0]).upper()


def _truths(function: str, value: object) -> Sequence[object]:
    """A list argument whose items must all be true/false."""
    items = _list_argument(function, value)
    if not all(isinstance(item, bool) for item in items):
        raise _Failure(f"{function}() needs a list of true/false values")
    return items


def _any(args: tuple[object, ...]) -> object:
    """``any(list of true/false)``."""
    return any(_truths("any", args[0]))


def _all(args: tuple[object, ...]) -> object:
    """``all(list of true/false)``."""
    return all(_truths("all", args[0]))


def _contains_function(args: tuple[object, ...]) -> object:
    """``contains(haystack, needle)``: the same as ``needle in haystack``."""
    return _contains(args[0], args[1], "contains()")


def _startswith(args: tuple[object, ...]) -> object:
    """``startswith(text, prefix)``."""
    return _text_argument("startswith", args[0]).startswith(_text_argument("startswith", args[1]))


ALLOWED_FUNCTIONS: Final[Mapping[str, Function]] = MappingProxyType(
    {
        spec.name: spec
        for spec in (
            Function("abs", 1, 1, "abs(number)", _abs),
            Function("min", 1, None, "min(list) or min(a, b, ...)", _extreme("min", min)),
            Function("max", 1, None, "max(list) or max(a, b, ...)", _extreme("max", max)),
            Function("round", 1, 2, "round(number) or round(number, digits)", _round),
            Function("len", 1, 1, "len(text, list or mapping)", _len),
            Function("lower", 1, 1, "lower(text)", _lower),
            Function("upper", 1, 1, "upper(text)", _upper),
            Function("any", 1, 1, "any(list of true/false)", _any),
            Function("all", 1, 1, "all(list of true/false)", _all),
            Function("contains", 2, 2, "contains(haystack, needle)", _contains_function),
            Function("startswith", 2, 2, "startswith(text, prefix)", _startswith),
        )
    }
)
"""Every function an expression may call, by name."""


# ---------------------------------------------------------------------------------------
# Evaluation

_MISSING: Final = object()


def _resolve(facts: Mapping[str, object], name: str) -> object:
    """A fact's value: the whole dotted key first, then nested mappings; or ``_MISSING``."""
    if name in facts:
        return facts[name]
    value: object = facts
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _missing_message(facts: Mapping[str, object], name: str) -> str:
    """Why a fact has no value, naming a prefix that is not a mapping if there is one."""
    message = f"fact {name!r} has no value"
    parts = name.split(".")
    for end in range(len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:end])
        value = _resolve(facts, prefix)
        if value is not _MISSING and not isinstance(value, Mapping):
            return f"{message} ({prefix!r} is {_describe(value)}, not a mapping)"
    return message


@attrs.frozen(slots=True)
class _Scope:
    """What evaluation needs besides the tree: the facts, and the text for errors."""

    facts: Mapping[str, object]
    text: str

    def error(self, message: str, column: int) -> ExpressionError:
        """The :class:`ExpressionError` to raise for a problem at ``column``."""
        return ExpressionError(message, self.text, column)

    def lookup(self, name: str, column: int) -> object:
        """The value of fact ``name``; raises if it has none."""
        value = _resolve(self.facts, name)
        if value is _MISSING:
            raise self.error(_missing_message(self.facts, name), column)
        return value

    def apply(self, column: int, operation: Callable[..., object], *args: object) -> object:
        """Run one operation, turning any failure into an error at ``column``."""
        try:
            return _checked(operation(*args))
        except _Failure as failure:
            message = str(failure)
        except ZeroDivisionError:
            message = "division by zero"
        except OverflowError:
            message = "number is too large"
        except (ArithmeticError, ValueError, TypeError) as error:
            message = f"cannot evaluate: {error}"
        raise self.error(message, column)

    def truth(self, node: Node, where: str) -> bool:
        """Evaluate ``node``, which must give true/false (``where`` is for the message)."""
        value = node.evaluate(self)
        if not isinstance(value, bool):
            raise self.error(f"expected true/false {where}, got {_describe(value)}", node.column)
        return value


# ---------------------------------------------------------------------------------------
# The fast path: closures compiled once per expression


_Compiled: TypeAlias = Callable[[Mapping[str, object]], object]


def _compile_node(node: Node) -> _Compiled:
    """A closure computing ``node``'s value with the same operations as ``evaluate``.

    It raises (anything) where ``evaluate`` would raise an :class:`ExpressionError`;
    :meth:`Expression.evaluate` then re-runs the tree to report the error precisely.
    """
    return _COMPILERS[type(node)](node)


def _compile_constant(node: Node) -> _Compiled:
    value = cast(Constant, node).value
    return lambda _facts: value


def _compile_name(node: Node) -> _Compiled:
    name = cast(Name, node).name

    def lookup(facts: Mapping[str, object]) -> object:
        if name in facts:  # the common case: a plain key, looked up once
            return facts[name]
        value = _resolve(facts, name)
        if value is _MISSING:
            raise _Failure(name)
        return value

    return lookup


def _compile_list(node: Node) -> _Compiled:
    items = [_compile_node(item) for item in cast(ListExpr, node).items]
    return lambda facts: [item(facts) for item in items]


def _compile_unary(node: Node) -> _Compiled:
    unary = cast(Unary, node)
    operation, operand = _UNARY_OPERATIONS[unary.op], _compile_node(unary.operand)
    return lambda facts: operation(operand(facts))


_NUMBER_TYPES: Final = (int, float)
_FAST_ORDERINGS: Final[Mapping[str, Callable[[Any, Any], bool]]] = MappingProxyType(
    {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
)


def _compile_binary(node: Node) -> _Compiled:
    binary = cast(Binary, node)
    operation = _BINARY_OPERATIONS[binary.op]
    left, right = _compile_node(binary.left), _compile_node(binary.right)
    compare = _FAST_ORDERINGS.get(binary.op)
    if compare is None:
        return lambda facts: _checked(operation(left(facts), right(facts)))

    if isinstance(binary.right, Constant) and type(binary.right.value) in _NUMBER_TYPES:
        return _compile_ordered_constant(left, binary.right.value, compare, operation)

    def ordered(facts: Mapping[str, object]) -> object:
        a, b = left(facts), right(facts)
        if type(a) in _NUMBER_TYPES and type(b) in _NUMBER_TYPES:  # bool is not a number
            return compare(a, b)
        return operation(a, b)

    return ordered


def _compile_ordered_constant(
    left: _Compiled,
    bound: object,
    compare: Callable[[Any, Any], bool],
    operation: Callable[..., object],
) -> _Compiled:
    """``name < 18`` and the like: the number on the right is known when compiling."""

    def ordered(facts: Mapping[str, object]) -> object:
        a = left(facts)
        if type(a) in _NUMBER_TYPES:
            return compare(a, bound)
        return operation(a, bound)

    return ordered


def _compile_logical(node: Node) -> _Compiled:
    logical = cast(Logical, node)
    left, right = _compile_node(logical.left), _compile_node(logical.right)
    stop_on = logical.op == "or"

    go_on = not stop_on

    def decide(facts: Mapping[str, object]) -> object:
        first = left(facts)
        if first is stop_on:
            return first
        if first is go_on:
            second = right(facts)
            if second is True or second is False:
                return second
        raise _Failure(logical.op)

    return decide


def _compile_call(node: Node) -> _Compiled:
    call = cast(Call, node)
    implementation = ALLOWED_FUNCTIONS[call.function].implementation
    args = [_compile_node(arg) for arg in call.args]
    return lambda facts: _checked(implementation(tuple(arg(facts) for arg in args)))


_COMPILERS: Final[Mapping[type, Callable[[Node], _Compiled]]] = MappingProxyType(
    {
        Constant: _compile_constant,
        Name: _compile_name,
        ListExpr: _compile_list,
        Unary: _compile_unary,
        Binary: _compile_binary,
        Logical: _compile_logical,
        Call: _compile_call,
    }
)


def _fast_path(expression: Expression) -> _Compiled:
    return _compile_node(expression.root)


@attrs.frozen(slots=True)
class Expression:
    """A parsed expression: its text, its tree and the fact names it uses.

    Build one with :func:`parse`. ``names`` holds every fact name used, dotted names as
    full strings (``'client.age'``). ``str()`` gives back the original text.
    Evaluation runs closures compiled once from the tree (guards are evaluated on every
    trigger); any failure re-runs the tree itself to report the error precisely.
    """

    text: str
    root: Node
    names: frozenset[str]
    _fast: _Compiled = attrs.field(
        init=False, eq=False, repr=False, default=attrs.Factory(_fast_path, takes_self=True)
    )

    def __str__(self) -> str:
        return self.text

    def __reduce__(self) -> tuple[type[Expression], tuple[str, Node, frozenset[str]]]:
        """Pickle the text and tree only; the compiled closures are rebuilt on load."""
        return (Expression, (self.text, self.root, self.names))

    def evaluate(self, facts: Mapping[str, object]) -> object:
        """The expression's value over ``facts``.

        A dotted name is looked up first as a whole key, then through nested mappings.
        Raises :class:`ExpressionError` (with the column of the operation or name at
        fault) for a fact with no value, a wrong type, a division by zero or a result
        too large; never any other exception for plain fact values.
        """
        try:
            return self._fast(facts)
        except Exception:
            pass
        try:
            return self.root.evaluate(_Scope(facts, self.text))
        except RecursionError:
            raise ExpressionError("facts are nested too deeply to compare", self.text) from None

    def test(self, facts: Mapping[str, object]) -> bool:
        """Evaluate as a guard: the value must be true/false, else :class:`ExpressionError`."""
        try:
            value = self._fast(facts)  # evaluate's fast path, one call shorter: guards are hot
        except Exception:
            value = self.evaluate(facts)
        if isinstance(value, bool):
            return value
        message = f"expected the expression to give true/false, got {_describe(value)}"
        raise ExpressionError(message, self.text, self.root.column)

    def values_used(self, facts: Mapping[str, object]) -> dict[str, object]:
        """Each name used that has a value in ``facts``, with that value, in source order.

        For explanations such as "guard false because age=16"; never raises.
        """
        used: dict[str, object] = {}
        for name, _column in self.name_columns():
            value = _resolve(facts, name)
            if value is not _MISSING:
                used[name] = value
        return used

    def name_columns(self) -> tuple[tuple[str, int], ...]:
        """Every occurrence of a fact name with its 1-based column, in source order."""
        return tuple(
            (node.name, node.column) for node in _walk(self.root) if isinstance(node, Name)
        )


def unknown_names(
    expression: Expression, known: Collection[str]
) -> list[tuple[str, int, str | None]]:
    """The names an expression uses that are not declared, as (name, column, suggestion).

    A dotted name ``a.b`` counts as declared if ``a.b`` or any prefix of it (``a``) is in
    ``known``: the prefix fact is a mapping whose keys are not declared. Each unknown
    name is reported once, at its first occurrence; the suggestion is the closest
    declared name, or ``None``.
    """
    declared = frozenset(known)
    reported: set[str] = set()
    unknown: list[tuple[str, int, str | None]] = []
    for name, column in expression.name_columns():
        if name in reported or _is_declared(name, declared):
            continue
        reported.add(name)
        unknown.append((name, column, _suggest(name, declared)))
    return unknown


def _is_declared(name: str, declared: frozenset[str]) -> bool:
    """Whether ``name`` or one of its dotted prefixes is declared."""
    parts = name.split(".")
    return any(".".join(parts[:end]) in declared for end in range(1, len(parts) + 1))


def _suggest(name: str, declared: frozenset[str]) -> str | None:
    """The closest declared name, trying the whole name and then its first part."""
    guess = did_you_mean(name, declared)
    if guess is not None or "." not in name:
        return guess
    first, rest = name.split(".", 1)
    prefix = did_you_mean(first, declared)
    return f"{prefix}.{rest}" if prefix else None


# ---------------------------------------------------------------------------------------
# Tokens

_IDENTIFIER: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER: Final = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DIGITS: Final = frozenset("0123456789")
_SPACE: Final = frozenset(" \t\r\n")
_QUOTES: Final = frozenset("'\"")
_ESCAPES: Final[Mapping[str, str]] = MappingProxyType(
    {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t"}
)
_CONSTANT_WORDS: Final[Mapping[str, ConstantValue]] = MappingProxyType(
    {"true": True, "True": True, "false": False, "False": False, "null": None, "None": None}
)
_OPERATOR_WORDS: Final = frozenset({"and", "or", "not", "in"})
_RESERVED: Final = frozenset(keyword.kwlist) - frozenset(_CONSTANT_WORDS) - _OPERATOR_WORDS
_RESERVED_MESSAGES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "if": "conditional expressions ('a if b else c') are not supported",
        "else": "conditional expressions ('a if b else c') are not supported",
        "lambda": "lambdas are not supported",
        "for": "comprehensions and loops are not supported",
        "is": "'is' is not supported; use '==' or '!='",
        "import": "imports are not allowed",
        "from": "imports are not allowed",
    }
)
_STRING_PREFIXES: Final = frozenset({"f", "r", "b", "u", "rb", "br", "fr", "rf"})
_OPERATORS: Final = frozenset(
    {"//", "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%", "(", ")", "[", "]", ","}
)
_BAD_SYMBOLS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "**": "'**' (power) is not supported",
        "=": "'=' is not supported; use '==' to compare",
        "!": "'!' is not supported; use 'not'",
        "&&": "'&&' is not supported; use 'and'",
        "||": "'||' is not supported; use 'or'",
        "&": "'&' is not supported; use 'and'",
        "|": "'|' is not supported; use 'or'",
        ";": "only one expression is allowed (no ';')",
        "{": "'{' is not supported (there are no dicts or sets)",
        "}": "'}' is not supported (there are no dicts or sets)",
        ":": "':' is not supported (there are no lambdas, slices or dicts)",
        ".": "'.' may only join the parts of a fact name, as in client.age",
    }
)


@attrs.frozen(slots=True)
class _Token:
    """One token: kind, text, 1-based column, and literal value; errors carry a message."""

    kind: str  # number string constant name keyword op end error
    text: str
    column: int
    value: ConstantValue = None


def _error(message: str, column: int) -> _Token:
    """A token standing for a problem; the parser raises it if it gets that far."""
    return _Token("error", message, column)


def _tokenize(text: str) -> list[_Token]:
    """The tokens of ``text``, ending with an ``end`` token or at the first ``error`` one."""
    tokens: list[_Token] = []
    position = _skip_space(text, 0)
    while position < len(text):
        if len(tokens) == MAX_TOKENS:
            tokens.append(_error(f"expression has more than {MAX_TOKENS} tokens", position + 1))
            return tokens
        token, position = _next_token(text, position)
        tokens.append(token)
        if token.kind == "error":
            return tokens
        position = _skip_space(text, position)
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


def _skip_space(text: str, position: int) -> int:
    """The position of the next character that is not a space, tab or line break."""
    while position < len(text) and text[position] in _SPACE:
        position += 1
    return position


def _next_token(text: str, position: int) -> tuple[_Token, int]:
    """The token starting at ``position`` and the position after it."""
    char = text[position]
    if char in _DIGITS or (char == "." and text[position + 1 : position + 2] in _DIGITS):
        return _scan_number(text, position)
    if char.isascii() and (char.isalpha() or char == "_"):
        return _scan_name(text, position)
    if char in _QUOTES:
        return _scan_string(text, position)
    return _scan_symbol(text, position)


def _scan_number(text: str, position: int) -> tuple[_Token, int]:
    """An integer or float literal (finite, integers below ``10**100``)."""
    match = _NUMBER.match(text, position)
    assert match is not None  # _next_token saw a digit
    literal, end = match.group(), match.end()
    after = text[end : end + 1]
    if after and after.isascii() and (after.isalnum() or after in "_."):
        return _error(f"invalid number {text[position : end + 1]!r}", position + 1), end
    if any(mark in literal for mark in ".eE"):
        value: float | int = float(literal)
        too_large = not math.isfinite(value)
    else:
        too_large = len(literal.lstrip("0")) > 100
        value = 0 if too_large else int(literal)
    if too_large:
        return _error(f"number {literal[:20]!r} is too large", position + 1), end
    return _Token("number", literal, position + 1, value), end


def _scan_name(text: str, position: int) -> tuple[_Token, int]:
    """A name (dotted or not), a word operator, a constant word, or an error."""
    match = _IDENTIFIER.match(text, position)
    assert match is not None  # _next_token saw a letter or underscore
    word, end = match.group(), match.end()
    if word in _CONSTANT_WORDS:
        return _Token("constant", word, position + 1, _CONSTANT_WORDS[word]), end
    if word in _OPERATOR_WORDS:
        return _Token("keyword", word, position + 1), end
    if word in _RESERVED:
        default = f"'{word}' is a Python keyword and is not supported"
        return _error(_RESERVED_MESSAGES.get(word, default), position + 1), end
    if text[end : end + 1] in _QUOTES and word.lower() in _STRING_PREFIXES:
        return _error(f"string prefixes such as {word}'...' are not supported", position + 1), end
    return _scan_dotted(text, position, end)


def _scan_dotted(text: str, position: int, end: int) -> tuple[_Token, int]:
    """The rest of a dotted name after its first part; no part may start with '_'."""
    starts = [position]
    while text.startswith(".", end):
        match = _IDENTIFIER.match(text, end + 1)
        if match is None:
            return _error("expected a name after '.'", end + 2), end
        starts.append(end + 1)
        end = match.end()
    for start in starts:
        if text[start] == "_":
            name = text[position:end]
            message = f"names cannot start with '_' (in {name!r})"
            return _error(message, start + 1), end
    return _Token("name", text[position:end], position + 1), end


def _scan_string(text: str, position: int) -> tuple[_Token, int]:
    """A quoted string with backslash escapes ``\\\\ \\' \\" \\n \\t``."""
    quote, index, chars = text[position], position + 1, []
    while index < len(text) and text[index] != quote:
        char = text[index]
        if char == "\\":
            if index + 1 >= len(text):
                break
            char = _ESCAPES.get(text[index + 1], "")
            if not char:
                return _error(f"unknown escape '\\{text[index + 1]}'", index + 1), index
            index += 1
        chars.append(char)
        index += 1
    if index >= len(text):
        return _error("unclosed string", position + 1), index
    value = "".join(chars)
    return _Token("string", text[position : index + 1], position + 1, value), index + 1


def _scan_symbol(text: str, position: int) -> tuple[_Token, int]:
    """An operator or bracket; anything else is an error."""
    for width in (2, 1):
        symbol = text[position : position + width]
        if len(symbol) < width:
            continue
        if symbol in _BAD_SYMBOLS:
            return _error(_BAD_SYMBOLS[symbol], position + 1), position
        if symbol in _OPERATORS:
            return _Token("op", symbol, position + 1), position + width
    return _error(f"unexpected character {text[position]!r}", position + 1), position


def _shown(token: _Token) -> str:
    """A token described for an error message."""
    if token.kind == "end":
        return "the end of the expression"
    if token.kind == "number":
        return f"number {token.text}"
    if token.kind == "string":
        return f"text {token.text}"
    if token.kind == "name":
        return f"name {token.text!r}"
    return repr(token.text)


def _after_value(token: _Token) -> str:
    """The message for a token that cannot follow a complete value."""
    if token.kind == "op" and token.text == "[":
        return "subscripting such as a[0] is not supported"
    if token.kind == "op" and token.text == "(":
        return "only allowed functions can be called, by name, as in len(x)"
    if token.kind in ("name", "number", "string", "constant"):
        return f"unexpected {_shown(token)}; is an operator missing?"
    return f"unexpected {_shown(token)}"


def _unknown_function(name: str) -> str:
    """The message for a call to a function that is not allowed."""
    guess = did_you_mean(name, ALLOWED_FUNCTIONS)
    hint = f"; did you mean {guess!r}?" if guess else ""
    allowed = ", ".join(sorted(ALLOWED_FUNCTIONS))
    return f"unknown function {name!r}{hint} (allowed functions: {allowed})"


# ---------------------------------------------------------------------------------------
# Parsing


class _Parser:
    """Precedence climbing over one text's tokens."""

    __slots__ = ("depth", "max_depth", "position", "text", "tokens")

    def __init__(self, text: str, tokens: list[_Token], max_depth: int) -> None:
        self.text = text
        self.tokens = tokens
        self.max_depth = max_depth
        self.position = 0
        self.depth = 0

    def error(self, message: str, column: int) -> ExpressionError:
        """The :class:`ExpressionError` to raise for a problem at ``column``."""
        return ExpressionError(message, self.text, column)

    def peek(self, offset: int = 0) -> _Token:
        """The token ``offset`` ahead; raises if it is an error token."""
        token = self.tokens[min(self.position + offset, len(self.tokens) - 1)]
        if token.kind == "error":
            raise self.error(token.text, token.column)
        return token

    def take(self) -> _Token:
        """The current token, moving past it."""
        token = self.peek()
        self.position += 1
        return token

    def at(self, symbol: str) -> bool:
        """Whether the current token is the operator or bracket ``symbol``."""
        token = self.peek()
        return token.kind == "op" and token.text == symbol

    @contextmanager
    def nested(self, opening: _Token) -> Iterator[None]:
        """One more level of nesting, opened by ``opening``; raises past the limit."""
        self.depth += 1
        if self.depth > self.max_depth:
            limit = f"more than {self.max_depth} levels of brackets, calls and signs"
            raise self.error(f"expression is nested too deeply ({limit})", opening.column)
        try:
            yield
        finally:
            self.depth -= 1

    def parse(self) -> Node:
        """The whole text as one expression."""
        if self.tokens[0].kind == "end":
            raise self.error("the expression is empty", 1)
        node = self.expression(0)
        token = self.peek()
        if token.kind != "end":
            raise self.error(_after_value(token), token.column)
        return node

    def expression(self, floor: int) -> Node:
        """An expression whose operators all bind tighter than ``floor``."""
        left = self.prefix(floor)
        compared = False
        while (found := self.infix(floor)) is not None:
            symbol, token = found
            if compared and symbol in _COMPARISONS:
                self.chained(left, symbol, token)
            right = self.expression(_POWERS[symbol])
            if symbol in ("and", "or"):
                left = Logical(symbol, left, right, token.column)
            else:
                left = Binary(symbol, left, right, token.column)
            compared = symbol in _COMPARISONS
        return left

    def infix(self, floor: int) -> tuple[str, _Token] | None:
        """The binary operator here if it binds tighter than ``floor`` (moving past it)."""
        token = self.peek()
        symbol = token.text if token.kind in ("op", "keyword") else ""
        width = 1
        if symbol == "not" and self.peek(1).kind == "keyword" and self.peek(1).text == "in":
            symbol, width = "not in", 2
        if _POWERS.get(symbol, 0) <= floor:
            return None
        self.position += width
        return symbol, token

    def chained(self, left: Node, symbol: str, token: _Token) -> NoReturn:
        """Reject ``a < b < c``, suggesting the equivalent with ``and``."""
        right = self.expression(_COMPARE)
        message = "comparisons cannot be chained"
        if isinstance(left, Binary):
            first, middle = to_source(left, full=False), to_source(left.right, full=False)
            rest = f"{middle} {symbol} {to_source(right, full=False)}"
            message += f"; write '{first} and {rest}' instead"
        raise self.error(message, token.column)

    def prefix(self, floor: int) -> Node:
        """A unary operation or an atom."""
        token = self.peek()
        if token.kind == "op" and token.text in ("-", "+"):
            return self.unary(token, _UNARY)
        if token.kind == "keyword" and token.text == "not":
            if floor > _NOT:
                raise self.error(
                    "'not' must be in parentheses here, as in a == (not b)", token.column
                )
            return self.unary(token, _NOT)
        return self.atom()

    def unary(self, token: _Token, power: int) -> Node:
        """``-x``, ``+x`` or ``not x``; a minus sign on a number literal is folded into it."""
        self.position += 1
        if token.text == "-" and self.peek().kind == "number":
            number = cast("int | float", self.take().value)
            return Constant(-number, token.column)
        with self.nested(token):
            operand = self.expression(power)
        return Unary(token.text, operand, token.column)

    def atom(self) -> Node:
        """A literal, a name, a call, a parenthesised expression or a list."""
        token = self.take()
        if token.kind in ("number", "string", "constant"):
            return Constant(token.value, token.column)
        if token.kind == "name":
            return self.call(token) if self.at("(") else Name(token.text, token.column)
        if token.kind == "op" and token.text == "(":
            return self.group(token)
        if token.kind == "op" and token.text == "[":
            return ListExpr(tuple(self.items(token, "]")), token.column)
        if token.kind == "end":
            raise self.error("the expression ends where a value was expected", token.column)
        raise self.error(f"expected a value, found {_shown(token)}", token.column)

    def group(self, opening: _Token) -> Node:
        """The expression inside parentheses (which leave no node of their own)."""
        with self.nested(opening):
            inner = self.expression(0)
        self.close(opening, ")", "')'")
        return inner

    def call(self, name: _Token) -> Node:
        """A call; the function must be allowed and get a fitting number of arguments."""
        spec = ALLOWED_FUNCTIONS.get(name.text)
        if spec is None:
            raise self.error(_unknown_function(name.text), name.column)
        args = self.items(self.take(), ")")
        if not spec.accepts(len(args)):
            raise self.error(f"{spec.name}() takes {spec.arity()}, got {len(args)}", name.column)
        return Call(spec.name, tuple(args), name.column)

    def items(self, opening: _Token, closer: str) -> list[Node]:
        """Comma-separated expressions up to ``closer`` (a trailing comma is allowed)."""
        items: list[Node] = []
        with self.nested(opening):
            while not self.at(closer):
                items.append(self.expression(0))
                if not self.at(","):
                    break
                self.position += 1
        self.close(opening, closer, f"',' or '{closer}'")
        return items

    def close(self, opening: _Token, closer: str, expected: str) -> None:
        """Move past ``closer``; raises if the text ends first or something else is here."""
        token = self.peek()
        if token.kind == "end":
            raise self.error(f"'{opening.text}' is never closed", opening.column)
        if not (token.kind == "op" and token.text == closer):
            raise self.error(f"{_after_value(token)}; expected {expected}", token.column)
        self.position += 1


def parse(text: str, *, max_length: int = MAX_LENGTH, max_depth: int = MAX_DEPTH) -> Expression:
    """Parse expression text into an :class:`Expression`.

    Raises :class:`ExpressionError`, with the 1-based column of the first problem, when
    the text is not a string, is empty, is longer than ``max_length`` characters, has
    more than :data:`MAX_TOKENS` tokens, nests brackets, lists, calls and unary operators
    more than ``max_depth`` deep, or is not valid in the language (including unknown
    functions, wrong argument counts, chained comparisons and names starting with '_').
    """
    if not isinstance(text, str):
        raise ExpressionError(f"an expression must be text, got {type(text).__name__}")
    if len(text) > max_length:
        shown = text[:40] + "..."
        message = f"expression is too long ({len(text)} characters; at most {max_length})"
        raise ExpressionError(message, shown, max_length + 1)
    try:
        root = _Parser(text, _tokenize(text), max_depth).parse()
    except RecursionError:
        raise ExpressionError("expression is nested too deeply", text, 1) from None
    names = frozenset(node.name for node in _walk(root) if isinstance(node, Name))
    return Expression(text, root, names)
