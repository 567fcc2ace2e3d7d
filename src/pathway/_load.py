"""Load a pathway: read text safely, validate with pydantic, compile, and locate errors.

``load`` is the one entry point users call (``pathway.load``). Every problem it reports
names the file, line, column and field, says what was expected and found, and suggests a
fix where it can; all problems in a file are reported at once.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import pydantic
import yaml

from pathway._compile import NullLocator, Path, compile_spec, field_name
from pathway._model import Pathway
from pathway._spec import (
    ArrivalsSpec,
    CalendarSpec,
    CheckpointSpec,
    FactSpec,
    PathwaySpec,
    QuestionSpec,
    RoleSpec,
    RouteSpec,
    StepSpec,
    TransitionSpec,
)
from pathway._yaml import Document, Limits, parse_yaml, read_text
from pathway.errors import DefinitionError, Problem, did_you_mean

__all__ = ["dump", "load", "spec_from_document"]

Source = str | os.PathLike[str] | bytes

_MODEL_AT: Mapping[tuple[str, ...], type[pydantic.BaseModel]] = {
    (): PathwaySpec,
    ("calendars", "*"): CalendarSpec,
    ("roles", "*"): RoleSpec,
    ("facts", "*"): FactSpec,
    ("steps", "*"): StepSpec,
    ("transitions", "#"): TransitionSpec,
    ("checkpoints", "*"): CheckpointSpec,
    ("checkpoints", "*", "questions", "*"): QuestionSpec,
    ("checkpoints", "*", "routes", "#"): RouteSpec,
    ("arrivals",): ArrivalsSpec,
}
_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "dict_type": "a mapping (key: value lines)",
    "list_type": "a list",
    "model_type": "a mapping (key: value lines)",
}
_ID_PATTERN_HELP = "an id: a letter, then letters, digits or underscores"


@attrs.frozen
class DocumentLocator:
    """Positions from a parsed YAML document, for the compiler's problems."""

    document: Document
    text: str

    @property
    def source(self) -> str:
        return self.document.source

    def locate(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        return self.document.locate(path, key=key)

    def expression_column(self, path: Path, column: int) -> tuple[int, int]:
        """Where column ``column`` of the expression at ``path`` is in the file."""
        line, col = self.document.locate(path)
        if line <= 0 or column <= 0:
            return line, col
        row = self.text.splitlines()[line - 1] if line <= len(self.text.splitlines()) else ""
        opener = row[col - 1 : col]
        if opener in {"|", ">"}:
            return line, col
        return line, col + column - 1 + (1 if opener in {"'", '"'} else 0)


def load(
    source: Source | PathwaySpec | Mapping[str, Any],
    *,
    name: str | None = None,
    limits: Limits | None = None,
) -> Pathway:
    """Load, validate and compile a pathway.

    ``source`` is a path to a YAML file, YAML text, bytes, a mapping (as
    ``yaml.safe_load`` would give) or a :class:`PathwaySpec`. Raises
    :class:`~pathway.errors.DefinitionError` listing every problem found, each with file,
    line, column, field, expected and found; :class:`~pathway.errors.SourceError` when
    the input is not readable, safe YAML at all.
    """
    if isinstance(source, PathwaySpec):
        return compile_spec(source, NullLocator(name or "<spec>"))
    if isinstance(source, Mapping):
        spec = _validate(source, NullLocator(name or "<mapping>"), dict(source))
        return compile_spec(spec, NullLocator(name or "<mapping>"))
    limits = limits or Limits()
    text, display = read_text(source, name=name, limits=limits)
    return _compile_document(parse_yaml(text, display, limits), text)


def _compile_document(document: Document, text: str) -> Pathway:
    locator = DocumentLocator(document, text)
    return compile_spec(spec_from_document(document, locator), locator)


def spec_from_document(document: Document, locator: DocumentLocator | None = None) -> PathwaySpec:
    """Validate a parsed document's data as a :class:`PathwaySpec` (DefinitionError if not)."""
    locator = locator or DocumentLocator(document, "")
    data = document.data
    if not isinstance(data, dict):
        raise DefinitionError([Problem("a pathway file must be a mapping", document.source)])
    return _validate(data, locator, data)


def _validate(
    data: object, locator: DocumentLocator | NullLocator, raw: dict[str, Any]
) -> PathwaySpec:
    try:
        return PathwaySpec.model_validate(data)
    except pydantic.ValidationError as error:
        problems = _problems(error, raw, locator)
        problems.extend(_problems_beyond_shape(raw, error, locator))
        raise DefinitionError(problems) from None


_PLACEHOLDERS: Mapping[str, object] = {
    "id": "placeholder",
    "title": "",
    "version": "0",
    "trigger": "placeholder",
    "from": "placeholder",
    "to": "placeholder",
    "at": "placeholder",
    "team": "",
    "organisation": "",
    "type": "str",
    "open": {"daily": "all day"},
    "when": "true",
    "steps": {},
}
_REPAIR_ROUNDS = 8


def _problems_beyond_shape(
    data: dict[str, Any], error: pydantic.ValidationError, locator: DocumentLocator | NullLocator
) -> list[Problem]:
    """Cross-reference problems in the rest of a file whose shape is wrong somewhere.

    Repairs a copy (drops or replaces each bad value), compiles it, and keeps only the
    problems that do not touch a repaired field, so every mistake shows in one run.
    """
    repaired = copy.deepcopy(data)
    touched: list[str] = []
    for _ in range(_REPAIR_ROUNDS):
        for item in error.errors(include_url=False):
            path = _data_path(repaired, item["loc"], item["type"])
            if not _repair(repaired, path, item["type"]):
                return []
            touched.append(field_name(path))
        try:
            spec = PathwaySpec.model_validate(repaired)
            break
        except pydantic.ValidationError as again:
            error = again
    else:
        return []
    try:
        compile_spec(spec, locator)
    except DefinitionError as failure:
        return [p for p in failure.problems if not _touches(p.field, touched)]
    return []


def _touches(field: str, touched: list[str]) -> bool:
    return any(field == t or field.startswith((t + ".", t + "[")) or not t for t in touched)


def _repair(data: dict[str, Any], path: Path, kind: str) -> bool:
    if not path:
        return False
    parent = _value_at(data, path[:-1])
    key = path[-1]
    if not isinstance(parent, dict):
        return False
    if kind == "missing" or str(key) in _PLACEHOLDERS:
        if str(key) not in _PLACEHOLDERS:
            return False
        parent[key] = copy.deepcopy(_PLACEHOLDERS[str(key)])
    else:
        parent.pop(key, None)
    return True


def _problems(
    error: pydantic.ValidationError, data: object, locator: DocumentLocator | NullLocator
) -> list[Problem]:
    grouped: dict[tuple[Path, str], list[Any]] = {}
    for item in error.errors(include_url=False):
        path = _data_path(data, item["loc"], item["type"])
        grouped.setdefault((path, item["type"]), []).append(item)
    merged = _merge_unions(grouped)
    return sorted(
        (_problem(path, items, data, locator) for path, items in merged.items()),
        key=lambda p: (p.line, p.column, p.field),
    )


def _merge_unions(grouped: Mapping[tuple[Path, str], list[Any]]) -> dict[Path, list[Any]]:
    merged: dict[Path, list[Any]] = {}
    for (path, _), items in grouped.items():
        merged.setdefault(path, []).extend(items)
    return merged


def _data_path(data: object, loc: Sequence[str | int], kind: str) -> Path:
    path: list[str | int] = []
    node = data
    for position, part in enumerate(loc):
        last = position == len(loc) - 1
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]  # type: ignore[index]
        elif not (last and kind in {"missing", "extra_forbidden"}):
            continue  # a union member's tag, not a place in the file
        path.append(part)
    return tuple(path)


def _value_at(data: object, path: Path) -> object:
    node = data
    for part in path:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return None
    return node


def _problem(
    path: Path, items: list[Any], data: object, locator: DocumentLocator | NullLocator
) -> Problem:
    first = items[0]
    kind = first["type"]
    if kind == "missing":
        return _missing(path, locator)
    if kind == "extra_forbidden":
        return _extra(path, locator)
    line, column = locator.locate(path)
    found = _describe(_value_at(data, path))
    expected, message, suggestion = _explain(items, found)
    return Problem(
        message,
        locator.source,
        line,
        column,
        field_name(path),
        expected=expected,
        found=found,
        suggestion=suggestion,
        code="invalid-value",
    )


def _missing(path: Path, locator: DocumentLocator | NullLocator) -> Problem:
    line, column = locator.locate(path[:-1])
    return Problem(
        f"missing required key {path[-1]!r}",
        locator.source,
        line,
        column,
        field_name(path[:-1]) or "(top level)",
        code="missing-key",
        suggestion=f"add '{path[-1]}: ...'",
    )


def _extra(path: Path, locator: DocumentLocator | NullLocator) -> Problem:
    line, column = locator.locate(path, key=True)
    allowed = _allowed_keys(path[:-1])
    guess = did_you_mean(str(path[-1]), allowed)
    return Problem(
        f"unknown key {path[-1]!r}",
        locator.source,
        line,
        column,
        field_name(path),
        expected=f"one of {', '.join(allowed)}" if allowed else "no other keys",
        suggestion=f"did you mean {guess!r}?" if guess else "remove it",
        code="unknown-key",
    )


def _allowed_keys(parent: Path) -> list[str]:
    shape = tuple("#" if isinstance(p, int) else p for p in parent)
    for pattern, model in _MODEL_AT.items():
        if len(pattern) == len(shape) and all(
            want in {"*", got} or (want == "#" and got == "#")
            for want, got in zip(pattern, shape, strict=True)
        ):
            return [info.alias or key for key, info in model.model_fields.items()]
    return []


def _describe(value: object) -> str:
    kind = {
        bool: "boolean",
        int: "number",
        float: "number",
        str: "text",
        list: "list",
        dict: "mapping",
        type(None): "nothing",
    }.get(type(value), type(value).__name__)
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return f"{shown} ({kind})"


def _explain(items: list[Any], found: str) -> tuple[str, str, str]:
    kinds = [item["type"] for item in items]
    first = items[0]
    if "value_error" in kinds:
        message = next(i for i in items if i["type"] == "value_error")["msg"]
        return "", message.removeprefix("Value error, "), ""
    if first["type"] == "literal_error":
        choices = re.findall(r"'([^']*)'", first["ctx"]["expected"])
        guess = did_you_mean(str(first["input"]), choices)
        hint = f"did you mean {guess!r}?" if guess else ""
        return f"one of {', '.join(choices)}", "not an allowed value", hint
    if first["type"] == "string_pattern_mismatch":
        return _ID_PATTERN_HELP, "not a valid id", "use letters, digits and underscores"
    words = [_TYPE_WORDS[k] for k in kinds if k in _TYPE_WORDS]
    if words:
        hint = "put the value in quotes" if "text" in words and "number" in found else ""
        return " or ".join(dict.fromkeys(words)), "wrong type of value", hint
    return "", first["msg"], ""


def dump(pathway: Pathway | PathwaySpec) -> str:
    """The YAML text of a pathway's normalised definition (loads back to an equal pathway)."""
    spec = pathway.spec if isinstance(pathway, Pathway) else pathway
    data = spec.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
