"""What a live case may hold, and what its calls take.

Facts are checked against their declarations; data and facts must read back from the
case's JSON exactly as they were given; and every argument of the case API is checked
before anything is recorded, so that an accepted call always leaves a case whose JSON
rebuilds it, and a refused one says which argument was wrong and why.

The bounds (documented in ``docs/reference/case.md``):

* integers are smaller than ``10**100`` in size (the expression language's bound);
* lists and mappings nest at most :data:`MAX_DEPTH` deep;
* one call's data (or facts) holds at most :data:`MAX_VALUES` values and
  :data:`MAX_CHARACTERS` characters of text;
* names (case ids, worker ids and roles, triggers...) are 1 to :data:`MAX_NAME_LENGTH`
  characters, and free text (a note, a rationale, a text value) at most
  :data:`MAX_TEXT_LENGTH`;
* text is valid Unicode (no lone surrogates), so the JSON can be written as UTF-8.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Mapping
from typing import Any, Final, cast

from pathway._model._pathway import Pathway
from pathway.errors import ArgumentError, FactError, TransitionError, did_you_mean

__all__ = [
    "MAX_CHARACTERS",
    "MAX_DEPTH",
    "MAX_INTEGER",
    "MAX_NAME_LENGTH",
    "MAX_TEXT_LENGTH",
    "MAX_VALUES",
    "check_fact_value",
    "checked_facts",
    "copied",
    "data_json",
    "items_argument",
    "lookup_name",
    "name_argument",
    "plain_json",
    "shown",
    "text_argument",
    "wrong_type",
]

#: Integers must be smaller than this in size (the same bound as the expression language).
MAX_INTEGER: Final = 10**100
#: How deep lists and mappings may nest inside one value.
MAX_DEPTH: Final = 32
#: How many values (each item of a list or mapping counts) one call's data or facts hold.
MAX_VALUES: Final = 100_000
#: How many characters of text (keys included) one call's data or facts hold.
MAX_CHARACTERS: Final = 1_000_000
#: The longest name: a case id, a worker's id or role, a trigger, a checkpoint.
MAX_NAME_LENGTH: Final = 1_000
#: The longest free text: a note, a rationale, one text value in data or facts.
MAX_TEXT_LENGTH: Final = 100_000

_FACT_TYPES: Mapping[str, tuple[type, ...]] = {
    "bool": (bool,),
    "int": (int,),
    "float": (int, float),
    "str": (str,),
    "list": (list, tuple),
    "mapping": (dict,),
}


_ARTICLE = {"bool": "a", "int": "an", "float": "a", "str": "a", "list": "a", "mapping": "a"}
_PLAIN = "plain JSON data (finite numbers, text, lists, mappings with text keys)"


# -- showing what was found ----------------------------------------------------------------


class _Short(reprlib.Repr):
    """``reprlib``'s short repr, naming an object's real type when its repr fails."""

    def repr_instance(self, x: Any, level: int) -> str:
        try:
            text = repr(x)
        except Exception:  # a user's object whose repr fails: say what it is
            return f"<{type(x).__name__} object>"
        return text if len(text) <= self.maxother else text[: self.maxother - 3] + "..."


_REPR = _Short()
_REPR.maxlevel = 3
_REPR.maxstring = 60
_REPR.maxother = 80
_REPR.maxlong = 40
_REPR.maxlist = _REPR.maxtuple = _REPR.maxset = _REPR.maxdict = 6


def shown(value: object) -> str:
    """``value`` for a message: its ``repr``, cut short, and never failing.

    Huge integers, huge or deeply nested containers and objects whose ``repr`` raises
    all give a short description instead of an error or a megabyte of text.
    """
    kind = type(value)
    if issubclass(kind, int) and kind is not bool:
        size = abs(int.__int__(cast(int, value)))
        if size >= MAX_INTEGER:
            return f"an integer of about {int(size.bit_length() * math.log10(2)) + 1:,} digits"
    try:
        text = _REPR.repr(value)
    except Exception:  # anything reprlib itself cannot take
        return f"<{type(value).__name__} object>"
    return text if len(text) <= 200 else text[:200] + "..."


def wrong_type(argument: str, expected: str, value: object, where: str = "") -> ArgumentError:
    """The error for an argument of the wrong type: which, what it must be, what it was."""
    return ArgumentError(
        f"{where}{argument} must be {expected}, found {shown(value)} ({type(value).__name__})"
    )


# -- names and text --------------------------------------------------------------------------


def _exact_text(value: object, argument: str, expected: str, where: str) -> str:
    """``value`` itself if it is a ``str``, its text if it is a subclass (a StrEnum
    member); ArgumentError otherwise. Types are read with ``type``, which an object
    cannot fake (``isinstance`` believes an object's ``__class__``)."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[return-value]
    if issubclass(kind, str):
        return str.__str__(cast(str, value))
    raise wrong_type(argument, expected, value, where)


def _unicode_problem(text: str) -> str:
    """Why ``text`` cannot be written as UTF-8 (a lone surrogate), or ``""``."""
    if text.isascii():
        return ""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return f"it has a lone surrogate {text[error.start]!r} at position {error.start}"
    return ""


def _bounded_text(
    value: object, argument: str, where: str, *, shortest: int, longest: int, unicode: bool
) -> str:
    """``value`` as text of ``shortest`` to ``longest`` characters, valid Unicode when
    ``unicode``; ArgumentError naming ``argument`` otherwise."""
    size = f"{shortest} to {longest:,}" if shortest else f"at most {longest:,}"
    expected = f"text (a str) of {size} characters"
    text = _exact_text(value, argument, expected, where)
    if not shortest <= len(text) <= longest:
        raise ArgumentError(
            f"{where}{argument} must be {expected}, found text of {len(text):,} characters"
        )
    problem = _unicode_problem(text) if unicode else ""
    if problem:
        raise ArgumentError(f"{where}{argument} must be valid Unicode text: {problem}")
    return text


def name_argument(value: object, argument: str, where: str = "") -> str:
    """``value`` as a name the case records (a case id, a worker's id or role).

    Raises :class:`ArgumentError` unless it is text of 1 to :data:`MAX_NAME_LENGTH`
    characters that is valid Unicode.
    """
    return _bounded_text(value, argument, where, shortest=1, longest=MAX_NAME_LENGTH, unicode=True)


def lookup_name(value: object, argument: str, where: str = "") -> str:
    """``value`` as a name to look up in the pathway (a trigger, a target, a checkpoint,
    a kind of failure demand); an unknown one is for the caller to refuse.

    Raises :class:`ArgumentError` unless it is text of at most :data:`MAX_NAME_LENGTH`
    characters.
    """
    return _bounded_text(value, argument, where, shortest=0, longest=MAX_NAME_LENGTH, unicode=False)


def text_argument(value: object, argument: str, where: str = "") -> str:
    """``value`` as free text the case records (a note, a rationale).

    Raises :class:`ArgumentError` unless it is text of at most :data:`MAX_TEXT_LENGTH`
    characters that is valid Unicode.
    """
    return _bounded_text(value, argument, where, shortest=0, longest=MAX_TEXT_LENGTH, unicode=True)


# -- plain JSON data ---------------------------------------------------------------------------


class _Budget:
    """What one call's data or facts may still hold: values and characters of text."""

    __slots__ = ("characters", "values")

    def __init__(self) -> None:
        self.values = MAX_VALUES
        self.characters = MAX_CHARACTERS

    def spend(self, characters: int = 0) -> None:
        self.values -= 1
        self.characters -= characters
        if self.values < 0:
            raise ValueError(f"it holds more than {MAX_VALUES:,} values in all")
        if self.characters < 0:
            raise ValueError(f"it holds more than {MAX_CHARACTERS:,} characters of text in all")


def plain_json(value: Any, budget: _Budget | None = None, depth: int = 0) -> Any:
    """``value`` as it reads back from the case's JSON (tuples become lists, subclasses of
    ``str``, ``int``, ``float``, ``list``, ``tuple`` and ``dict`` their base type).

    Raises ValueError or TypeError, with the reason, for what JSON cannot hold exactly or
    what is out of bounds: NaN and infinity, integers of ``10**100`` or more in size,
    text that is too long or not valid Unicode, nesting deeper than :data:`MAX_DEPTH`,
    more than :data:`MAX_VALUES` values or :data:`MAX_CHARACTERS` characters in all
    (``budget`` counts them across one call), mappings with keys that are not text,
    datetimes and other objects.
    """
    if budget is None:
        budget = _Budget()
    kind = type(value)  # not isinstance: an object can fake its __class__
    if value is None or kind is bool:
        budget.spend()
        return value
    if issubclass(kind, str):
        return _plain_text(value if kind is str else str.__str__(value), budget)
    if issubclass(kind, int):
        budget.spend()
        number = value if kind is int else int.__int__(value)
        if not -MAX_INTEGER < number < MAX_INTEGER:
            raise ValueError(f"{shown(number)} is not smaller than 10**100 in size")
        return number
    if issubclass(kind, float):
        budget.spend()
        real = value if kind is float else float.__float__(value)
        if not math.isfinite(real):
            raise ValueError(f"{real!r} is not a finite number")
        return real
    if issubclass(kind, list | tuple | dict):
        if depth >= MAX_DEPTH:
            raise ValueError(f"lists and mappings in it nest more than {MAX_DEPTH} deep")
        budget.spend()
        if issubclass(kind, dict):
            return _plain_mapping(value, budget, depth + 1)
        items = list.__iter__(value) if issubclass(kind, list) else tuple.__iter__(value)
        return [plain_json(item, budget, depth + 1) for item in items]
    raise TypeError(f"{kind.__name__} is not plain JSON data")


def _plain_text(text: str, budget: _Budget) -> str:
    budget.spend(len(text))
    if len(text) > MAX_TEXT_LENGTH:
        raise ValueError(f"it has a text of {len(text):,} characters (at most {MAX_TEXT_LENGTH:,})")
    problem = _unicode_problem(text)
    if problem:
        raise ValueError(f"it has text that is not valid Unicode: {problem}")
    return text


def _plain_mapping(value: dict[Any, Any], budget: _Budget, depth: int) -> dict[str, Any]:
    plain: dict[str, Any] = {}
    for key, item in dict.items(value):
        if not issubclass(type(key), str):
            raise TypeError(f"it has a key {shown(key)} that is not text")
        plain[_plain_text(str.__str__(key), budget)] = plain_json(item, budget, depth)
    if len(plain) != len(value):
        raise ValueError("two of its keys have the same text")
    return plain


def copied(value: Any) -> Any:
    """A copy of plain JSON data deep enough that changing it (a list in a fact, say)
    cannot change what a case or its journal holds."""
    if type(value) is list:
        return [copied(item) for item in value]
    if type(value) is dict:
        return {key: copied(item) for key, item in value.items()}
    return value


# -- facts and data ------------------------------------------------------------------------------


def checked_facts(pathway: Pathway, facts: object) -> dict[str, Any]:
    """``facts`` checked against the pathway's declared facts, as plain JSON data.

    Raises :class:`ArgumentError` if ``facts`` is not a mapping with text keys, and
    :class:`FactError` for an undeclared fact, a value of the wrong type or not allowed,
    or one that is not plain JSON data within the bounds.
    """
    items = items_argument(facts, "'facts'", "a mapping of fact names to values")
    budget = _Budget()
    checked: dict[str, Any] = {}
    for key, value in items:
        name = lookup_name(key, "a fact's name")
        declared = pathway.facts.get(name)
        if declared is None:
            guess = did_you_mean(name, pathway.facts)
            hint = f"; did you mean {guess!r}?" if guess else ""
            known = ", ".join(pathway.facts) or "none"
            raise FactError(f"unknown fact {shown(name)}; declared facts: {known}{hint}")
        if name in checked:
            raise FactError(f"fact {name!r} is given twice")
        check_fact_value(name, declared.type, None, value)
        checked[name] = plain = _fact_json(name, value, budget)
        check_fact_value(name, declared.type, declared.values, plain)
    return checked


def items_argument(
    value: object, argument: str, expected: str, where: str = ""
) -> list[tuple[Any, Any]]:
    """The items of a mapping argument; ArgumentError if it is not a mapping (or it
    fails to give its items: a user's mapping may raise anything)."""
    if not issubclass(type(value), Mapping):
        raise wrong_type(argument, expected, value, where)
    try:
        return list(value.items())  # type: ignore[attr-defined]
    except Exception:
        raise wrong_type(argument, expected, value, where) from None


def _fact_json(name: str, value: Any, budget: _Budget) -> Any:
    try:
        return plain_json(value, budget)
    except (TypeError, ValueError) as error:
        raise FactError(f"fact {name!r} must be {_PLAIN}, found {shown(value)}: {error}") from None


def data_json(case_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """A fire's ``data`` as plain JSON data; TransitionError naming the first item that
    JSON cannot hold exactly or that is out of bounds."""
    if not data:
        return {}
    plain = {}
    budget = _Budget()
    for key, value in data.items():
        try:
            plain[_plain_text(str.__str__(key), budget)] = plain_json(value, budget)
        except (TypeError, ValueError) as error:
            raise TransitionError(
                f"case {case_id!r}: data {shown(key)[1:-1]}={shown(value)} cannot be stored in "
                f"the journal ({error}); pass {_PLAIN}"
            ) from None
    return plain


def check_fact_value(name: str, kind: str, values: tuple[object, ...] | None, value: Any) -> None:
    """FactError unless ``value`` is of the declared type ``kind`` and one of ``values``
    (when the fact has them); ``None`` is allowed for any fact."""
    if value is None:
        return
    wrong_bool = type(value) is bool and kind in {"int", "float"}
    if wrong_bool or not issubclass(type(value), _FACT_TYPES[kind]):
        raise FactError(
            f"fact {name!r} expected {_ARTICLE[kind]} {kind} value, found {shown(value)} "
            f"({type(value).__name__})"
        )
    if values is not None and value not in values:
        allowed = ", ".join(repr(v) for v in values)
        raise FactError(f"fact {name!r} expected one of {allowed}, found {shown(value)}")
