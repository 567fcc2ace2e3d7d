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

from pathway._define._compile import NullLocator, Path, compile_spec, field_name
from pathway._define._spec import (
    SLUG,
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
from pathway._define._yaml import Document, Limits, parse_yaml, read_text
from pathway._model._pathway import Pathway
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
_SLUG_HELP = (
    "a pathway id: lower-case letters, digits and '_', '.' or '-', e.g. 'recovery-hub-2018'"
)


@attrs.frozen
class DocumentLocator:
    """Positions from a parsed YAML document, for the compiler's problems."""

    document: Document
    text: str
    rows: tuple[str, ...] = attrs.field(
        default=attrs.Factory(lambda self: tuple(self.text.splitlines()), takes_self=True)
    )

    @property
    def source(self) -> str:
        return self.document.source

    def locate(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        return self.document.locate(path, key=key)

    def expression_column(self, path: Path, column: int) -> tuple[int, int]:
        """Where character ``column`` (1-based) of the expression at ``path`` is in the file.

        Follows the expression through quotes, block scalars (``|``, ``>``) and folded
        lines; falls back to the start of the value when the text was written with
        escapes the source does not show verbatim.
        """
        line, col = self.document.locate(path)
        text = _value_at(self.document.data, path)
        if line <= 0 or column <= 0 or not isinstance(text, str) or column > len(text):
            return line, col
        return _find_offset(self.rows, (line - 1, col - 1), text, column - 1) or (line, col)

    def written(self, path: Path) -> str:
        """The source text of the plain scalar at ``path`` as written (``1.10``), or ``""``."""
        line, col = self.document.locate(path)
        if not 0 < line <= len(self.rows):
            return ""
        match = _PLAIN_SCALAR.match(self.rows[line - 1], col - 1)
        return match.group(0).strip() if match else ""


_PLAIN_SCALAR = re.compile(r"[^\s'\"\[\]{},#|>][^,\]}#]*")


def _find_offset(
    rows: Sequence[str], start: tuple[int, int], text: str, offset: int
) -> tuple[int, int] | None:
    """The 1-based (line, column) of ``text[offset]`` in ``rows``, the scalar at ``start``.

    ``None`` when the source does not spell the text out verbatim (escapes, folding that
    this simple walk cannot follow).
    """
    row, col = _content_start(rows, start)
    index = 0
    while index < offset:
        if text[index].isspace():
            while index < offset and text[index].isspace():
                index += 1
            row, col = _skip_blanks(rows, row, col)
            continue
        if row >= len(rows) or rows[row][col : col + 1] != text[index]:
            return None
        index, col = index + 1, col + 1
    row, col = _skip_blanks(rows, row, col) if text[offset].isspace() else (row, col)
    if row < len(rows) and rows[row][col : col + 1] == text[offset]:
        return row + 1, col + 1
    return None


def _content_start(rows: Sequence[str], start: tuple[int, int]) -> tuple[int, int]:
    row, col = start
    opener = rows[row][col : col + 1] if row < len(rows) else ""
    if opener in {"'", '"'}:
        return row, col + 1
    if opener in {"|", ">"}:
        return _skip_blanks(rows, row + 1, 0)
    return row, col


def _skip_blanks(rows: Sequence[str], row: int, col: int) -> tuple[int, int]:
    while row < len(rows):
        line = rows[row]
        while col < len(line) and line[col] in " \t":
            col += 1
        if col < len(line):
            return row, col
        row, col = row + 1, 0
    return row, col


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
    return compile_spec(spec_from_document(document, locator), locator, owned=True)


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
        problems.sort(key=lambda p: (p.line <= 0, p.line, p.column, p.field))
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
_ID_COLLECTIONS = frozenset({"calendars", "roles", "facts", "steps", "checkpoints"})
_CONSEQUENCE_CODES = frozenset({"unknown-reference", "undeclared-name"})
# Checks of the whole graph run only on a file with no other errors (a repaired copy
# is not the user's graph).
_GRAPH_CODES = frozenset({"no-outcome", "outcome-exit", "unreachable", "no-way-out", "weights"})
_REPAIR_ROUNDS = 8


@attrs.define
class _Repairs:
    """What the repair pass changed, to drop the problems those changes caused."""

    fields: set[str] = attrs.Factory(set)
    parents: set[str] = attrs.Factory(set)
    removed_ids: set[str] = attrs.Factory(set)

    def record(self, path: Path) -> None:
        self.fields.add(field_name(path))
        self.parents.add(field_name(path[:-1]))
        if len(path) == 2 and path[0] in _ID_COLLECTIONS:
            self.removed_ids.add(str(path[1]))

    def caused(self, problem: Problem) -> bool:
        """Whether ``problem`` is only a consequence of a repair, not a mistake of its own."""
        if problem.code in _GRAPH_CODES or problem.field in self.parents:
            return True
        if _touches(problem.field, self.fields):
            return True
        return problem.code in _CONSEQUENCE_CODES and any(
            repr(name) in problem.message
            for name in _quoted_names(problem.message)
            if name in self.removed_ids
        )


_QUOTED = re.compile(r"'([^']*)'")


def _quoted_names(message: str) -> list[str]:
    """The names a message quotes (``unknown step 'x'`` -> ``['x']``)."""
    return _QUOTED.findall(message)


def _problems_beyond_shape(
    data: dict[str, Any], error: pydantic.ValidationError, locator: DocumentLocator | NullLocator
) -> list[Problem]:
    """Cross-reference problems in the rest of a file whose shape is wrong somewhere.

    Repairs a copy (drops or replaces each bad value), compiles it, and keeps only the
    problems that are not consequences of a repair, so every mistake shows in one run.
    """
    try:
        repaired = copy.deepcopy(data)
    except Exception:  # a mapping from Python holding values that cannot be copied
        return []
    repairs = _Repairs()
    for _ in range(_REPAIR_ROUNDS):
        paths = [
            (_data_path(repaired, item["loc"], item["type"]), item["type"], item.get("ctx", {}))
            for item in error.errors(include_url=False)
        ]
        for path, kind, ctx in sorted(paths, key=lambda triple: -len(triple[0])):
            dropped = (
                _truncate(repaired, path, ctx.get("max_length")) if kind == "too_long" else None
            )
            if dropped is not None:  # what follows the limit is dropped; the rest is checked
                repairs.removed_ids.update(dropped)
                continue
            if not _repair(repaired, path, kind):
                return []
            repairs.record(path)
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
        return [p for p in failure.problems if not repairs.caused(p)]
    return []


def _touches(field: str, touched: set[str]) -> bool:
    """Whether ``field`` is one of ``touched`` or inside one (``a.b[0]`` is in ``a.b``)."""
    if "" in touched or field in touched:
        return True
    return any(field[:end] in touched for end, char in enumerate(field) if char in ".[" and end > 0)


def _truncate(data: dict[str, Any], path: Path, limit: object) -> list[str] | None:
    """Cut the list or mapping at ``path`` to its first ``limit`` items, returning the
    keys of a mapping's entries that were cut; None if it is not one (or no limit)."""
    value = _value_at(data, path)
    if not isinstance(limit, int) or not path or not isinstance(value, list | dict):
        return None
    parent = _value_at(data, path[:-1])
    if isinstance(value, list):
        parent[path[-1]] = value[:limit]  # type: ignore[index]
        return []
    items = list(value.items())
    parent[path[-1]] = dict(items[:limit])  # type: ignore[index]
    return [str(key) for key, _ in items[limit:]]


def _repair(data: dict[str, Any], path: Path, kind: str) -> bool:
    """Make ``path`` valid in ``data``: a placeholder for a required key, else drop it.

    A bad item of a plain list drops the list. False when the data cannot be repaired
    without moving other values (a transition or route that is not a mapping).
    """
    if not path:
        return False
    parent = _value_at(data, path[:-1])
    key = path[-1]
    if isinstance(parent, list):
        if path[-2:-1] in {("transitions",), ("routes",)}:
            return False
        return _repair(data, path[:-1], "drop")
    if not isinstance(parent, dict):
        return True  # an ancestor was already dropped
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
    grouped: dict[Path, list[Any]] = {}
    for item in error.errors(include_url=False):
        path = _data_path(data, item["loc"], item["type"])
        grouped.setdefault(path, []).append(item)
    return [_problem(path, items, data, locator) for path, items in grouped.items()]


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
            continue  # a union member's tag or '[key]', not a place in the file
        path.append(part)
    return tuple(path)


def _is_key_error(items: list[Any]) -> bool:
    return any(item["loc"] and item["loc"][-1] == "[key]" for item in items)


def _value_at(data: object, path: Path) -> object:
    node = data
    for part in path:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return None
    return node


def _problem(
    path: Path, items: list[Any], data: object, locator: DocumentLocator | NullLocator
) -> Problem:
    kind = items[0]["type"]
    if kind == "missing":
        return _missing(path, locator)
    if kind == "extra_forbidden":
        return _extra(path, locator)
    if _is_key_error(items):
        return _bad_id(path, locator)
    line, column = locator.locate(path)
    value = _value_at(data, path)
    written = locator.written(path) if isinstance(locator, DocumentLocator) else ""
    explained = _explain(items, path, value, written)
    return Problem(
        explained.message,
        locator.source,
        line,
        column,
        field_name(path),
        expected=explained.expected,
        found=explained.found,
        suggestion=explained.suggestion,
        code=explained.code,
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


def _bad_id(path: Path, locator: DocumentLocator | NullLocator) -> Problem:
    line, column = locator.locate(path, key=True)
    return Problem(
        f"{path[-1]!r} is not a valid id",
        locator.source,
        line,
        column,
        field_name(path),
        expected=_ID_PATTERN_HELP,
        found=repr(path[-1]),
        suggestion=_id_suggestion(str(path[-1])),
        code="invalid-id",
    )


def _id_suggestion(text: str) -> str:
    fixed = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_")
    if fixed and not fixed[0].isalpha():
        fixed = "n" + fixed
    return f"use letters, digits and underscores, e.g. {fixed!r}" if fixed else ""


def _allowed_keys(parent: Path) -> list[str]:
    shape = tuple("#" if isinstance(p, int) else p for p in parent)
    for pattern, model in _MODEL_AT.items():
        if len(pattern) == len(shape) and all(
            want in {"*", got} or (want == "#" and got == "#")
            for want, got in zip(pattern, shape, strict=True)
        ):
            return [info.alias or key for key, info in model.model_fields.items()]
    return []


def _describe(value: object, written: str = "") -> str:
    kind = {
        bool: "boolean",
        int: "number",
        float: "number",
        str: "text",
        list: "list",
        dict: "mapping",
        type(None): "nothing",
    }.get(type(value), type(value).__name__)
    shown = written if written and isinstance(value, int | float) else _safe_repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return f"{shown} ({kind})"


def _safe_repr(value: object) -> str:
    """``repr(value)``, cut short; a placeholder for an integer too long to show."""
    if isinstance(value, list | dict) and len(value) > 20:
        return f"{type(value).__name__} of {len(value):,} items"
    try:
        text = repr(value)
    except ValueError:  # an integer past Python's digit limit for text
        return "a number too large to show"
    return text if len(text) <= 200 else text[:197] + "..."


@attrs.frozen
class _Explained:
    message: str
    expected: str = ""
    found: str = ""
    suggestion: str = ""
    code: str = "invalid-value"


_PROBABILITY_FIELDS = frozenset({"p", "dna", "p_yes"})
_YAML11_BOOLS = frozenset({"yes", "no", "on", "off", "y", "n"})


def _explain(items: list[Any], path: Path, value: object, written: str) -> _Explained:
    """Message, expected, found, suggestion and code for pydantic errors at one place."""
    kinds = [item["type"] for item in items]
    found = _describe(value, written)
    if "value_error" in kinds:
        return _value_error(next(i for i in items if i["type"] == "value_error"), found)
    first = items[0]
    if first["type"] == "literal_error":
        choices = [c.strip("'") for c in re.split(r", | or ", str(first["ctx"]["expected"]))]
        guess = did_you_mean(_safe_repr(first["input"]).strip("'"), choices)
        hint = f"did you mean {guess!r}?" if guess else ""
        return _Explained("not an allowed value", f"one of {', '.join(choices)}", found, hint)
    if first["type"] == "string_pattern_mismatch":
        return _pattern_error(first["ctx"]["pattern"], str(value), found)
    if first["type"] in _BOUNDS:
        return _bounds_error(first, path, found)
    if first["type"] == "too_long":
        return _too_long(first, path, value)
    words = [_TYPE_WORDS[k] for k in kinds if k in _TYPE_WORDS]
    if words:
        expected = " or ".join(dict.fromkeys(words))
        hint = _type_hint(words, value, written)
        return _Explained("wrong type of value", expected, found, hint, "wrong-type")
    return _Explained(first["msg"], found=found)


def _value_error(item: Any, found: str) -> _Explained:
    error = item.get("ctx", {}).get("error")
    expected = getattr(error, "expected", None)
    if isinstance(error, ValueError) and isinstance(expected, str):
        return _Explained(
            f"not a valid {getattr(error, 'subject', 'value')}",
            expected,
            str(getattr(error, "found", "")) or found,
            str(getattr(error, "suggestion", "")),
            str(getattr(error, "code", "")) or "invalid-value",
        )
    return _Explained(str(item["msg"]).removeprefix("Value error, "), found=found)


def _pattern_error(pattern: str, text: str, found: str) -> _Explained:
    if pattern == SLUG:
        fixed = re.sub(r"[^a-z0-9_.-]+", "-", text.lower()).strip("-_.")
        hint = f"e.g. {fixed!r}" if fixed else ""
        return _Explained("not a valid pathway id", _SLUG_HELP, found, hint, "invalid-id")
    return _Explained("not a valid id", _ID_PATTERN_HELP, found, _id_suggestion(text), "invalid-id")


_BOUNDS = frozenset({"greater_than_equal", "less_than_equal", "greater_than", "less_than"})


def _bounds_error(item: Any, path: Path, found: str) -> _Explained:
    if path and path[-1] in _PROBABILITY_FIELDS:
        return _Explained(
            "out of range", "a probability between 0 and 1", found, code="out-of-range"
        )
    ctx = item.get("ctx", {})
    words = {"ge": "at least", "le": "at most", "gt": "above", "lt": "below"}
    bounds = [f"{words[key]} {ctx[key]}" for key in ("ge", "gt", "le", "lt") if key in ctx]
    expected = " and ".join(bounds) or str(item["msg"])
    return _Explained("out of range", expected, found, code="out-of-range")


def _too_long(item: Any, path: Path, value: object) -> _Explained:
    limit = item.get("ctx", {}).get("max_length")
    what = "entries" if isinstance(value, dict) else "items"
    count = (
        len(value) if isinstance(value, list | dict) else item.get("ctx", {}).get("actual_length")
    )
    field = str(path[-1]) if path else "the file"
    return _Explained(
        f"too many {what} in {field!r}",
        f"at most {limit:,} {what}" if isinstance(limit, int) else "fewer",
        f"{count:,} {what}" if isinstance(count, int) else "more",
        "split the pathway into smaller pathways" if path in {("steps",), ("transitions",)} else "",
        "too-many-items",
    )


def _type_hint(words: list[str], value: object, written: str) -> str:
    if words == ["text"] and isinstance(value, int | float) and not isinstance(value, bool):
        shown = written or repr(value)
        return f'put the value in quotes: "{shown}"'
    if "true or false" in words and isinstance(value, str) and value.lower() in _YAML11_BOOLS:
        return "write true or false (YAML 1.2 reads yes/no/on/off as text)"
    if "a number" in words and isinstance(value, str) and _is_number_text(value):
        return "remove the quotes"
    return ""


def _is_number_text(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def dump(pathway: Pathway | PathwaySpec) -> str:
    """The YAML text of a pathway's normalised definition (loads back to an equal pathway).

    Values left at their defaults are omitted; text that YAML 1.2 would read as a number,
    boolean or null (``'1e3'``, ``'0o17'``) is quoted.
    """
    spec = pathway.spec if isinstance(pathway, Pathway) else pathway
    data = spec.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )


# YAML 1.2 core schema words and numbers: text spelled like these must be quoted.
_CORE_NOT_TEXT = re.compile(
    r"null|Null|NULL|~|true|True|TRUE|false|False|FALSE"
    r"|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?"
    r"|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"
)


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, quoting text that the YAML 1.2 reader would not read as text."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "'" if _CORE_NOT_TEXT.fullmatch(text) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)
