"""What a live case may hold: facts checked against their declarations, and data that
reads back from the case's JSON exactly as it was given."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pathway._model._pathway import Pathway
from pathway.errors import FactError, TransitionError, did_you_mean

__all__ = ["check_fact_value", "checked_facts", "data_json", "plain_json"]

_FACT_TYPES: Mapping[str, tuple[type, ...]] = {
    "bool": (bool,),
    "int": (int,),
    "float": (int, float),
    "str": (str,),
    "list": (list, tuple),
    "mapping": (dict,),
}


_ARTICLE = {"bool": "a", "int": "an", "float": "a", "str": "a", "list": "a", "mapping": "a"}


def checked_facts(pathway: Pathway, facts: Mapping[str, Any]) -> dict[str, Any]:
    for name, value in facts.items():
        declared = pathway.facts.get(name)
        if declared is None:
            guess = did_you_mean(name, pathway.facts)
            hint = f"; did you mean {guess!r}?" if guess else ""
            known = ", ".join(pathway.facts) or "none"
            raise FactError(f"unknown fact {name!r}; declared facts: {known}{hint}")
        check_fact_value(name, declared.type, declared.values, value)
    return {name: _fact_json(name, value) for name, value in facts.items()}


def plain_json(value: Any) -> Any:
    """``value`` as it reads back from the case's JSON (tuples become lists).

    Raises ValueError or TypeError for what JSON cannot hold exactly: NaN and infinity,
    mappings with keys that are not text, datetimes and other objects.
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a finite number")
        return value
    if isinstance(value, list | tuple):
        return [plain_json(item) for item in value]
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return {key: plain_json(item) for key, item in value.items()}
    raise TypeError(f"{type(value).__name__} is not plain JSON data")


def _fact_json(name: str, value: Any) -> Any:
    try:
        return plain_json(value)
    except (TypeError, ValueError):
        raise FactError(
            f"fact {name!r} must be plain JSON data (finite numbers, text, lists, "
            f"mappings with text keys), found {value!r}"
        ) from None


def data_json(case_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
    if not data:
        return {}
    plain = {}
    for key, value in data.items():
        try:
            plain[key] = plain_json(value)
        except (TypeError, ValueError):
            raise TransitionError(
                f"case {case_id!r}: data {key}={value!r} cannot be stored in the journal; "
                "pass plain JSON data (finite numbers, text, lists, mappings with text keys)"
            ) from None
    return plain


def check_fact_value(name: str, kind: str, values: tuple[object, ...] | None, value: Any) -> None:
    if value is None:
        return
    wrong_bool = isinstance(value, bool) and kind in {"int", "float"}
    if wrong_bool or not isinstance(value, _FACT_TYPES[kind]):
        raise FactError(
            f"fact {name!r} expected {_ARTICLE[kind]} {kind} value, found {value!r} "
            f"({type(value).__name__})"
        )
    if values is not None and value not in values:
        allowed = ", ".join(repr(v) for v in values)
        raise FactError(f"fact {name!r} expected one of {allowed}, found {value!r}")
