"""Compile a structurally valid :class:`PathwaySpec` into a frozen :class:`Pathway`.

Checks everything the pydantic models cannot see on their own, and reports all problems
in one pass: unknown references (with "did you mean"), expressions that do not parse or
name undeclared facts, calendars with no open time, weights that cannot be normalised,
unreachable steps, steps with no way to an outcome, PLAN checkpoints missing a question.
Warnings (a hand-off with no declared wait...) are kept apart from errors.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any, Protocol

import attrs
from pydantic import BaseModel

from pathway._define._observed import compile_observed
from pathway._define._referrals import check_referrals
from pathway._define._spec import (
    PLAN_QUESTIONS,
    CheckpointSpec,
    PathwaySpec,
    ProfileSpec,
    RouteSpec,
    StepSpec,
    TransitionSpec,
    field_since,
    keys_since,
)
from pathway._model._calendar import Calendar, CalendarSyntaxError, parse_closures, parse_weekly
from pathway._model._distributions import (
    RATE_UNITS_SINCE_2,
    Bernoulli,
    Categorical,
    Distribution,
    Empirical,
    FixedValue,
    Normal,
    RandInt,
    Uniform,
    parse_duration,
    parse_duration_distribution,
    parse_fact_distribution,
    parse_rate,
    rate_unit,
)
from pathway._model._expr import (
    Binary,
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
from pathway._model._pathway import (
    Arrivals,
    Checkpoint,
    Fact,
    Pathway,
    Question,
    Returns,
    Role,
    Route,
    Setting,
    Step,
    Transition,
    frozen_map,
)
from pathway._model._profile import ArrivalProfile, parse_hour, parse_month, parse_weekday
from pathway._vocab import OWNER_LEVELS, TARGET_MEASURES, HandoffLevel, WaitCause
from pathway.errors import DefinitionError, ExpressionError, Problem, did_you_mean

__all__ = ["Locator", "NullLocator", "compile_spec", "content_hash"]

Path = tuple[str | int, ...]

PLAN_TEXT = {
    "proportionate": "Proportionate: what is a proportionate response to the situation?",
    "legal": "Legal: what does the law say we should or should not do?",
    "accountable": "Accountable: can I account for my actions (or inaction)?",
    "necessary": "Necessary: what is it necessary to do or not do in this situation?",
}
DECLARED_TO_CAUSE: Mapping[str, WaitCause] = {
    "handoff": "handoff",
    "referral": "handoff",
    "booking": "visit_gap",
    "approval": "approval",
    "external": "external",
    "client": "client",
}
WEIGHT_TOLERANCE = 1e-6
RESERVED_TRIGGERS = frozenset({"state"})
"""Trigger names the live engine cannot take. Every transition (and every checkpoint,
whose id is the trigger of its routes) becomes an event of a ``transitions.Machine``,
which refuses an event named like its ``model_attribute`` ("state", in
``Machine.add_transition``). The engine attaches no model to the machine, so the names
it would bind on a model (``trigger``, ``may_<x>``, ``is_<x>``, ``to_<x>``) are free."""


class Locator(Protocol):
    """Finds where a spec path was written: (line, column), 1-based; (0, 0) if unknown."""

    @property
    def source(self) -> str: ...

    def locate(self, path: Path, *, key: bool = False) -> tuple[int, int]: ...

    def expression_column(self, path: Path, column: int) -> tuple[int, int]: ...


@attrs.frozen
class NullLocator:
    """A locator for specs built in Python: no positions, only field paths."""

    source: str = "<spec>"

    def locate(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        return (0, 0)

    def expression_column(self, path: Path, column: int) -> tuple[int, int]:
        return (0, 0)


def field_name(path: Path) -> str:
    """Dotted form of a spec path: ``('transitions', 2, 'to')`` -> ``transitions[2].to``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def content_hash(spec: PathwaySpec) -> str:
    """SHA-256 of the normalised definition: pins the version a case ran against.

    Comments, layout, quoting and the order of keys within a mapping do not count; the
    declared order of steps, roles, calendars, facts, checkpoints, questions and
    categories does (it decides the default start, display order and how a seeded
    cohort is drawn), and so does every value.
    """
    data = _canonical(spec.model_dump(mode="json", by_alias=True), ())
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_ORDERED_MAPPINGS = (
    ("calendars",),
    ("roles",),
    ("facts",),
    ("steps",),
    ("checkpoints",),
    ("checkpoints", "*", "questions"),
    ("facts", "*", "distribution", "categorical"),
)


_MOVES = ((), ("transitions", "*"), ("checkpoints", "*", "routes", "*"))
_HASHED_WHEN_GIVEN = frozenset({"dna_applies", "rebook_wait", "targets"})
"""Fields added to format 1 after its first release (of the pathway, or of a move): they
count in the content hash only when given, so every file written before them keeps its
hash (and the cases and stores pinned to it keep loading)."""
_SINCE_FORMAT_2 = keys_since(2)
"""Every field added in format 2 (made with ``since(2)``, defaulting to None): in the
content hash only when given, so a version-1 file keeps its hash under version 2."""


def _canonical(value: object, path: tuple[str, ...]) -> object:
    """``value`` with the keys of every mapping sorted, except where order is meaning."""
    if isinstance(value, list):
        return [_canonical(item, (*path, "*")) for item in value]
    if not isinstance(value, dict):
        return value
    ordered = any(_matches(pattern, path) for pattern in _ORDERED_MAPPINGS)
    items = value.items() if ordered else sorted(value.items())
    if any(_matches(pattern, path) for pattern in _MOVES):
        items = [(k, v) for k, v in items if v is not None or k not in _HASHED_WHEN_GIVEN]
    items = [(k, v) for k, v in items if v is not None or k not in _SINCE_FORMAT_2]
    return {key: _canonical(item, (*path, "*" if ordered else key)) for key, item in items}


def _matches(pattern: tuple[str, ...], path: tuple[str, ...]) -> bool:
    return len(pattern) == len(path) and all(
        p in {"*", q} for p, q in zip(pattern, path, strict=True)
    )


@attrs.define
class _Report:
    """Collects problems with their locations while compiling."""

    locator: Locator
    errors: list[Problem] = attrs.Factory(list)
    warnings: list[Problem] = attrs.Factory(list)
    route_paths: dict[int, Path] = attrs.Factory(dict)
    no_wait_possible: set[int] = attrs.Factory(set)

    def add(self, path: Path, message: str, *, key: bool = False, **details: Any) -> None:
        line, column = self.locator.locate(path, key=key)
        problem = Problem(message, self.locator.source, line, column, field_name(path), **details)
        target = self.warnings if problem.severity == "warning" else self.errors
        target.append(problem)

    def unknown(self, path: Path, kind: str, name: str, known: Iterable[str]) -> None:
        choices = sorted(known)
        guess = did_you_mean(name, choices)
        self.add(
            path,
            f"unknown {kind} {name!r}",
            expected=f"one of {', '.join(repr(c) for c in choices)}"
            if choices
            else f"a declared {kind}",
            suggestion=f"did you mean {guess!r}?" if guess else f"declare {kind} {name!r} first",
            code="unknown-reference",
        )

    def check_ref(self, path: Path, kind: str, name: str | None, known: Collection[str]) -> None:
        """An unknown-reference problem unless ``name`` is None or in ``known``.

        Steps are not checked when there are none: that is one problem ('no-steps').
        """
        if name is not None and name not in known and (known or kind != "step"):
            self.unknown(path, kind, name, known)


def compile_spec(
    spec: PathwaySpec, locator: Locator | None = None, *, owned: bool = False
) -> Pathway:
    """Check ``spec`` as a whole and build the frozen :class:`Pathway`.

    The pathway keeps a deep copy of ``spec``, unless ``owned`` says that nothing else
    holds it (the loader's own spec, built from a file's text) and it can be kept as is.
    Raises :class:`DefinitionError` carrying every error found (and the warnings).
    """
    report = _Report(locator or NullLocator())
    _check_format(spec, report)
    calendars = _calendars(spec, report)
    _check_roles(spec, report)
    facts = _facts(spec, report)
    start = _start(spec, report)
    steps = _steps(spec, report)
    transitions = _transitions(spec, report, facts, steps)
    checkpoints, transitions = _checkpoints(spec, report, facts, steps, transitions)
    arrivals = _arrivals(spec, report, calendars)
    targets = _targets(spec, report)
    observed = compile_observed(spec, report, steps)
    _check_settings(spec, report)
    check_referrals(report, steps, transitions)
    if not report.errors:
        _check_graph(report, start, steps, transitions)
        _check_weights(report, transitions)

    if report.errors:
        raise DefinitionError(report.errors, report.warnings)
    transitions = _finish_transitions(spec, report, steps, transitions)
    return Pathway(
        id=spec.id,
        title=spec.title,
        version=spec.version,
        purpose=spec.purpose or "",
        description=spec.description or "",
        timezone=spec.timezone,
        start=start,
        calendars=frozen_map(calendars),
        roles=frozen_map(_roles(spec)),
        facts=frozen_map(facts),
        steps=frozen_map(_with_checkpoints(steps, checkpoints)),
        transitions=tuple(transitions),
        checkpoints=frozen_map(checkpoints),
        arrivals=arrivals,
        spec=spec if owned else spec.model_copy(deep=True),
        source=report.locator.source,
        content_hash=content_hash(spec),
        warnings=tuple(report.warnings),
        same_visit_within=parse_duration(spec.same_visit_within),
        targets=frozen_map(targets),
        observed=observed,
        settings=frozen_map(_settings(spec)),
    )


def _check_format(spec: PathwaySpec, report: _Report) -> None:
    """A ``newer-format`` problem for each key added after the format the file declares."""
    declared = f"format: {spec.format}" if "format" in spec.model_fields_set else "no format"
    reported: list[Path] = []
    for path, version in _versioned_keys(spec, ()):
        if any(path[: len(done)] == done for done in reported):
            continue  # a key inside a newer key: the newer key is the one problem
        if version > spec.format:
            reported.append(path)
            report.add(
                path,
                f"{path[-1]!r} needs format {version}; this file says format {spec.format}",
                expected=f"'format: {version}' for this key",
                found=declared,
                suggestion=f"write 'format: {version}' at the top of the file",
                key=True,
                code="newer-format",
            )


def _versioned_keys(value: object, path: Path) -> Iterator[tuple[Path, int]]:
    """The path of every key given in ``value`` (a spec object, mapping or list) with the
    format version that added it."""
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        for name in sorted(value.model_fields_set):
            key = fields[name].alias or name
            yield (*path, key), field_since(fields[name])
            yield from _versioned_keys(getattr(value, name), (*path, key))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _versioned_keys(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _versioned_keys(item, (*path, index))


def _settings(spec: PathwaySpec) -> dict[str, Setting]:
    """The declared settings (places), in the order written."""
    return {
        name: Setting(
            name, item.title or name.replace("_", " "), bool(item.bed_days), item.description or ""
        )
        for name, item in (spec.settings or {}).items()
    }


def _check_settings(spec: PathwaySpec, report: _Report) -> None:
    """An ``unknown-reference`` problem for each step, move or route ``setting`` that
    the pathway's ``settings`` do not declare."""
    known = (spec.settings or {}).keys()
    for name, step in spec.steps.items():
        report.check_ref(("steps", name, "setting"), "setting", step.setting, known)
    for index, move in enumerate(spec.transitions):
        report.check_ref(("transitions", index, "setting"), "setting", move.setting, known)
    for name, cp in spec.checkpoints.items():
        for index, route in enumerate(cp.routes or ()):
            where = ("checkpoints", name, "routes", index, "setting")
            report.check_ref(where, "setting", route.setting, known)


def _targets(spec: PathwaySpec, report: _Report) -> dict[str, float]:
    """Each declared target in minutes; an ``unknown-measure`` problem for a measure
    that is not charted by period."""
    targets: dict[str, float] = {}
    for measure, target in (spec.targets or {}).items():
        if measure not in TARGET_MEASURES:
            report.add(
                ("targets", measure),
                f"no target can be set for {measure!r}: it is not a measure charted by period",
                expected=f"one of {', '.join(repr(m) for m in TARGET_MEASURES)}",
                found=repr(measure),
                suggestion="use 'end_to_end' (first contact to outcome) or 'fragmentation'",
                key=True,
                code="unknown-measure",
            )
            continue
        targets[measure] = parse_duration(target.at_most)
    return targets


def _calendars(spec: PathwaySpec, report: _Report) -> dict[str, Calendar]:
    calendars: dict[str, Calendar] = {}
    for name, cal in spec.calendars.items():
        path: Path = ("calendars", name)
        try:
            windows = parse_weekly(cal.open)
        except CalendarSyntaxError as error:
            _calendar_problem(report, (*path, "open"), error, "opening hours")
            continue
        try:
            closures = parse_closures(cal.closures)
        except CalendarSyntaxError as error:
            _calendar_problem(report, (*path, "closures"), error, "closure date")
            continue
        calendar = Calendar(name, windows, closures, cal.timezone or spec.timezone)
        if not calendar.has_open_time():
            report.add(
                (*path, "open"),
                f"calendar {name!r} is never open",
                expected="at least one open window such as 'mon-fri: 09:00-17:00'",
                code="calendar-never-open",
            )
        calendars[name] = calendar
    return calendars


def _calendar_problem(report: _Report, path: Path, error: CalendarSyntaxError, what: str) -> None:
    """A located problem for a calendar's weekly pattern or closures that do not parse."""
    where = (*path, int(error.field)) if error.field.isdigit() else (*path, error.field)
    hint = f"did you mean {error.suggestion!r}?" if error.suggestion else ""
    report.add(
        where if error.field else path,
        f"not valid {what}",
        expected=error.expected,
        found=error.found,
        suggestion=hint,
        code="invalid-calendar",
    )


def _check_roles(spec: PathwaySpec, report: _Report) -> None:
    for name, role in spec.roles.items():
        report.check_ref(
            ("roles", name, "calendar"), "calendar", role.calendar, _declared(spec.calendars)
        )
        if role.named_within is not None and role.continuity != "named":
            report.add(
                ("roles", name, "named_within"),
                f"'named_within' of role {name!r} needs 'continuity: named'",
                expected="'continuity: named' beside 'named_within'",
                found=f"continuity: {role.continuity or 'prefer (the default)'}",
                suggestion="add 'continuity: named' to the role, or remove 'named_within'",
                key=True,
                code="named-within-without-named",
            )


def _declared(items: Mapping[str, object]) -> Collection[str]:
    return items.keys()


def _roles(spec: PathwaySpec) -> dict[str, Role]:
    return {
        name: Role(
            name,
            r.title or name,
            r.team,
            r.organisation,
            r.capacity,
            r.calendar,
            r.continuity or "prefer",
            parse_duration(r.named_within) if r.named_within is not None else None,
        )
        for name, r in spec.roles.items()
    }


def _facts(spec: PathwaySpec, report: _Report) -> dict[str, Fact]:
    facts: dict[str, Fact] = {}
    for name, fact in spec.facts.items():
        distribution = (
            parse_fact_distribution(fact.distribution) if fact.distribution is not None else None
        )
        values = tuple(fact.values) if fact.values is not None else None
        _check_declared_values(report, ("facts", name), fact.type, fact.values)
        _check_fact_distribution(report, ("facts", name), fact.type, values, distribution)
        facts[name] = Fact(name, fact.type, values, distribution, fact.description or "")
    return facts


_DRAWN_BY: Mapping[str, tuple[type, ...]] = {
    "bool": (Bernoulli,),
    "str": (Categorical,),
    "int": (RandInt,),
    "float": (Uniform, Normal, RandInt),
}
_DRAWN_BY_TEXT = {
    "bool": "a bernoulli",
    "str": "a categorical",
    "int": "a randint",
    "float": "a uniform, normal or randint",
}


def _check_fact_distribution(
    report: _Report,
    path: Path,
    fact_type: str,
    values: tuple[object, ...] | None,
    distribution: Distribution | None,
) -> None:
    """The distribution must draw values of the fact's type (and among its ``values``)."""
    where = (*path, "distribution")
    if distribution is None:
        return
    if isinstance(distribution, FixedValue | Empirical):
        drawn = (
            (distribution.value,) if isinstance(distribution, FixedValue) else distribution.values
        )
        _check_fact_values(report, where, fact_type, values, drawn)
    elif not isinstance(distribution, _DRAWN_BY.get(fact_type, ())):
        kinds = _DRAWN_BY_TEXT.get(fact_type)
        report.add(
            where,
            f"{_article(fact_type)} {fact_type} fact cannot be drawn from "
            f"{distribution.describe()}",
            expected=f"{kinds} distribution, or fixed or empirical"
            if kinds
            else "a fixed or empirical distribution",
            code="fact-distribution-type",
        )
    if values is not None and isinstance(distribution, Categorical):
        for category in distribution.categories:
            if category not in {str(v) for v in values}:
                report.unknown(where, "fact value", category, (str(v) for v in values))


def _check_fact_values(
    report: _Report,
    path: Path,
    fact_type: str,
    allowed: tuple[object, ...] | None,
    drawn: Iterable[object],
) -> None:
    """Each value must be of the fact's type and, if the fact lists its values, one of them."""
    for value in drawn:
        if not _fits(value, fact_type):
            report.add(
                path,
                f"{value!r} is not {_article(fact_type)} {fact_type}",
                expected=f"values of the fact's type, {fact_type}",
                code="fact-value-type",
            )
            return
        if allowed is not None and value not in allowed:
            report.unknown(path, "fact value", str(value), (str(v) for v in allowed))
            return


_FITS: Mapping[str, Callable[[object], bool]] = {
    "bool": lambda v: isinstance(v, bool),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "str": lambda v: isinstance(v, str),
    "list": lambda v: isinstance(v, list),
    "mapping": lambda v: isinstance(v, dict),
}


def _fits(value: object, fact_type: str) -> bool:
    check = _FITS.get(fact_type)
    return check is None or check(value)


def _check_declared_values(report: _Report, path: Path, fact_type: str, values: object) -> None:
    """A fact's ``values`` must all be of its type."""
    if not isinstance(values, list | tuple):
        return
    for index, value in enumerate(values):
        if not _fits(value, fact_type):
            report.add(
                (*path, "values", index),
                f"{value!r} is not {_article(fact_type)} {fact_type}",
                expected=f"values of the fact's type, {fact_type}",
                code="fact-value-type",
            )


def _start(spec: PathwaySpec, report: _Report) -> str:
    if not spec.steps:
        report.add(("steps",), "a pathway needs at least one step", code="no-steps")
        return ""
    if spec.start is None:
        return next(iter(spec.steps))
    report.check_ref(("start",), "step", spec.start, spec.steps)
    return spec.start


def _steps(spec: PathwaySpec, report: _Report) -> dict[str, Step]:
    steps: dict[str, Step] = {}
    for name, step in spec.steps.items():
        path: Path = ("steps", name)
        report.check_ref((*path, "role"), "role", step.role, spec.roles)
        report.check_ref((*path, "calendar"), "calendar", step.calendar, spec.calendars)
        if step.role is None and not step.outcome:
            report.add(
                path,
                f"step {name!r} has no owner",
                expected="a 'role' (only outcome steps may have none)",
                suggestion="add 'role: <role id>' or 'outcome: true'",
                code="missing-role",
            )
        steps[name] = Step(
            id=name,
            title=step.title or name.replace("_", " "),
            role=step.role,
            work=step.work,
            visit=step.visit,
            duration=parse_duration_distribution(step.duration),
            calendar=step.calendar,
            collects=tuple(step.collects),
            requested_by=step.requested_by or ("service" if step.visit else None),
            outcome=step.outcome,
            setting=step.setting,
            returns=_returns(report, spec, name, step),
        )
    return steps


def _returns(report: _Report, spec: PathwaySpec, name: str, step: StepSpec) -> Returns | None:
    """The returns after outcome step ``name``: its own, else the pathway's; a
    ``returns-not-outcome`` problem for returns on a step that is not an outcome."""
    declared = step.returns if step.returns is not None else spec.returns
    if step.returns is not None and not step.outcome:
        report.add(
            ("steps", name, "returns"),
            f"step {name!r} is not an outcome: people return only after an outcome",
            expected="'returns' on an outcome step, or at the top of the file for every outcome",
            found="returns on a step with more to do",
            suggestion=f"mark step {name!r} 'outcome: true', or move 'returns' to its outcomes",
            key=True,
            code="returns-not-outcome",
        )
        return None
    if declared is None or not step.outcome:
        return None
    demand = declared.demand or "re_presentation"
    return Returns(
        probability=declared.p,
        delay=parse_duration_distribution(declared.after),
        demand=None if demand == "none" else demand,
        same_worker=bool(declared.same_worker),
    )


def _expression(
    report: _Report, path: Path, text: str | None, known: Mapping[str, str], kind: str
) -> Expression | None:
    """Parse the expression at ``path`` over ``known`` names (name -> type); report problems.

    Every name must be declared, and the whole must be able to give true or false.
    """
    if text is None:
        return None
    try:
        expression = parse(text)
    except ExpressionError as error:
        _expression_problem(report, path, error.reason, error.column, code="invalid-expression")
        return None
    unknown = unknown_names(expression, known)
    for name, column, guess in unknown:
        _expression_problem(
            report,
            path,
            f"{kind} {name!r} is not declared",
            column,
            code="undeclared-name",
            expected=f"one of {', '.join(sorted(known))}" if known else f"a declared {kind}",
            suggestion=f"did you mean {guess!r}?" if guess else f"declare {kind} {name!r}",
        )
    wrong = None if unknown else _not_true_false(expression.root, known)
    if wrong is not None:
        _expression_problem(
            report,
            path,
            f"the expression must give true or false, but {wrong[0]}",
            wrong[1],
            code="not-true-false",
            suggestion="compare the value, e.g. 'age >= 18', or test a true/false fact",
        )
    return expression


def _article(word: str) -> str:
    return "an" if word[:1] in set("aeiou") else "a"


_ARITHMETIC = frozenset({"+", "-", "*", "/", "//", "%"})


def _not_true_false(node: Node, types: Mapping[str, str]) -> tuple[str, int] | None:
    """Why ``node`` can never give true or false, and its column; ``None`` if it may."""
    if isinstance(node, Logical):
        return _not_true_false(node.left, types) or _not_true_false(node.right, types)
    if isinstance(node, Unary) and node.op == "not":
        return _not_true_false(node.operand, types)
    if isinstance(node, Constant) and not isinstance(node.value, bool):
        return f"{to_source(node)} is not true or false", node.column
    if isinstance(node, Name) and types.get(node.name, "bool") != "bool":
        fact_type = types[node.name]
        return f"{node.name!r} is {_article(fact_type)} {fact_type} fact", node.column
    if isinstance(node, Unary | Binary) and node.op in _ARITHMETIC:
        return f"'{node.op}' gives a number or text", node.column
    if isinstance(node, ListExpr):
        return "a list is not true or false", node.column
    return None


def _types(facts: Mapping[str, Fact]) -> dict[str, str]:
    return {name: fact.type for name, fact in facts.items()}


def _expression_problem(
    report: _Report, path: Path, message: str, column: int, **details: Any
) -> None:
    line, col = report.locator.expression_column(path, column)
    problem = Problem(message, report.locator.source, line, col, field_name(path), **details)
    report.errors.append(problem)


def _transitions(
    spec: PathwaySpec, report: _Report, facts: Mapping[str, Fact], steps: Mapping[str, Step]
) -> list[Transition]:
    transitions: list[Transition] = []
    seen: dict[tuple[str, str, str], int] = {}
    for index, spec_t in enumerate(spec.transitions):
        path: Path = ("transitions", index)
        report.check_ref((*path, "from"), "step", spec_t.from_, steps)
        report.check_ref((*path, "to"), "step", spec_t.to, steps)
        key = (spec_t.from_, spec_t.to, spec_t.trigger)
        if key in seen:
            first_line, _ = report.locator.locate(("transitions", seen[key]))
            on_line = f" on line {first_line}" if first_line else ""
            report.add(
                path,
                f"transition {spec_t.from_}->{spec_t.to} on {spec_t.trigger!r} is declared twice",
                found=f"the same as transitions[{seen[key]}]{on_line}",
                suggestion="remove one, or give them different triggers",
                code="duplicate-transition",
            )
        seen.setdefault(key, index)
        _check_trigger_name(report, (*path, "trigger"), spec_t.trigger, "trigger")
        guard = _expression(report, (*path, "when"), spec_t.when, _types(facts), "fact")
        _check_visit_fields(report, path, spec_t, steps)
        transitions.append(_transition(len(transitions), spec_t, guard))
    return transitions


def _check_trigger_name(report: _Report, path: Path, name: str, kind: str) -> None:
    """A ``reserved-name`` problem when ``name`` cannot be a trigger (RESERVED_TRIGGERS)."""
    if name in RESERVED_TRIGGERS:
        report.add(
            path,
            f"{name!r} cannot name a {kind}: the engine reserves it for the case's step",
            expected=f"a name other than {', '.join(repr(n) for n in sorted(RESERVED_TRIGGERS))}",
            found=repr(name),
            suggestion=f"rename it, e.g. {name + '_done'!r}",
            key=kind == "checkpoint",
            code="reserved-name",
        )


def _check_visit_fields(
    report: _Report, path: Path, spec_t: TransitionSpec | RouteSpec, steps: Mapping[str, Step]
) -> None:
    target = steps.get(spec_t.to)
    if spec_t.dna is not None and target is not None and not target.visit:
        report.add(
            (*path, "dna"),
            f"'dna' applies to the next visit, but step {spec_t.to!r} is not a visit",
            suggestion=f"mark step {spec_t.to!r} 'visit: true' or remove 'dna'",
            code="dna-not-visit",
        )
    _check_needs_dna(report, path, spec_t, "dna_applies", "when a missed visit can happen")
    _check_needs_dna(report, path, spec_t, "rebook_wait", "the wait after a missed visit")
    if spec_t.client_rebooks is not None and not spec_t.dna:
        report.add(
            (*path, "client_rebooks"),
            "'client_rebooks' says who rebooks a missed visit, but this move has no 'dna'",
            found=f"client_rebooks: {spec_t.client_rebooks} with dna: {spec_t.dna}",
            suggestion="add 'dna: <probability>' to the move, or remove 'client_rebooks'",
            code="rebook-without-dna",
        )


def _check_needs_dna(
    report: _Report, path: Path, spec_t: TransitionSpec | RouteSpec, field: str, says: str
) -> None:
    """A ``dna-field-without-dna`` problem when ``field`` is set on a move with no ``dna``."""
    value = getattr(spec_t, field)
    if value is not None and not spec_t.dna:
        report.add(
            (*path, field),
            f"{field!r} says {says}, but this move has no 'dna'",
            found=f"{field}: {value} with dna: {spec_t.dna}",
            suggestion=f"add 'dna: <probability>' to the move, or remove {field!r}",
            code="dna-field-without-dna",
        )


def _movement(spec_t: TransitionSpec | RouteSpec) -> dict[str, object]:
    wait = parse_duration_distribution(spec_t.wait) if spec_t.wait is not None else None
    rebook = spec_t.rebook_wait
    chase = parse_duration(spec_t.chase_after) if spec_t.chase_after is not None else None
    return {
        "wait": wait,
        "declared_cause": spec_t.cause,
        "dna": spec_t.dna or 0.0,
        "client_rebooks": spec_t.client_rebooks or 0.0,
        "dna_applies": spec_t.dna_applies or "always",
        "rebook_wait": parse_duration_distribution(rebook) if rebook is not None else None,
        "chase_after": chase,
        "setting": spec_t.setting,
        "demand": spec_t.demand,
        "also": tuple(spec_t.also or ()),
    }


def _transition(index: int, spec_t: TransitionSpec, guard: Expression | None) -> Transition:
    return Transition(
        index=index,
        trigger=spec_t.trigger,
        source=spec_t.from_,
        target=spec_t.to,
        guard=guard,
        weight=spec_t.p if spec_t.p is not None else -1.0,
        title=spec_t.title or "",
        **_movement(spec_t),  # type: ignore[arg-type]
    )


@attrs.frozen
class _RouteDecl:
    """A route as declared: where in the file, its condition, target and wait fields.

    ``checked`` is False for a route that repeats another's target (PLAN's
    ``if_not_accountable`` defaulting to ``if_not_legal``), so it is checked only once.
    """

    path: Path
    when: str | None
    target: str | None
    movement: RouteSpec | None = None
    checked: bool = True


def _checkpoints(
    spec: PathwaySpec,
    report: _Report,
    facts: Mapping[str, Fact],
    steps: Mapping[str, Step],
    transitions: list[Transition],
) -> tuple[dict[str, Checkpoint], list[Transition]]:
    checkpoints: dict[str, Checkpoint] = {}
    at_step: dict[str, str] = {}
    moves = {(t.trigger, t.from_) for t in spec.transitions}
    for name, cp in spec.checkpoints.items():
        _check_checkpoint_place(report, name, cp, steps, at_step, moves)
        at_step.setdefault(cp.at, name)
        questions = _questions(report, ("checkpoints", name), cp, facts)
        routes = [
            _compile_route(report, name, cp, decl, questions, steps, transitions)
            for decl in _route_decls(report, ("checkpoints", name), cp)
        ]
        checkpoints[name] = Checkpoint(
            name,
            cp.title or name.replace("_", " "),
            cp.at,
            cp.framework,
            questions,
            tuple(r for r in routes if r is not None),
            *_checkpoint_rules(spec, report, name, cp),
        )
    return checkpoints, transitions


def _checkpoint_rules(
    spec: PathwaySpec, report: _Report, name: str, cp: CheckpointSpec
) -> tuple[tuple[str, ...], bool, str | None]:
    """The checkpoint's deciders, whether a rationale is required and its rounds
    calendar, with a problem for an unknown role or calendar, a list of deciders
    without the step's owner, and a PLAN checkpoint whose rationale is optional."""
    path: Path = ("checkpoints", name)
    owner = spec.steps[cp.at].role if cp.at in spec.steps else None
    deciders = tuple(dict.fromkeys(cp.decided_by or ([owner] if owner else [])))
    for index, role in enumerate(cp.decided_by or []):
        report.check_ref((*path, "decided_by", index), "role", role, spec.roles)
    if cp.decided_by is not None and owner is not None and owner not in deciders:
        report.add(
            (*path, "decided_by"),
            f"the roles that may decide checkpoint {name!r} leave out {owner!r}, the "
            f"owner of step {cp.at!r}",
            expected=f"a list including {owner!r} (its workers make simulated decisions)",
            found=", ".join(repr(r) for r in deciders),
            suggestion=f"add {owner!r} to 'decided_by'",
            code="decider-not-owner",
        )
    if cp.framework == "PLAN" and cp.rationale == "optional":
        report.add(
            (*path, "rationale"),
            "a PLAN checkpoint always needs a decision-maker and a rationale (Accountable)",
            expected="'rationale: required' or no 'rationale'",
            found="'optional'",
            code="plan-rationale",
        )
    report.check_ref((*path, "rounds"), "calendar", cp.rounds, spec.calendars)
    required = cp.rationale == "required" or (cp.framework == "PLAN" and cp.rationale is None)
    return deciders, required, cp.rounds


def _check_checkpoint_place(
    report: _Report,
    name: str,
    cp: CheckpointSpec,
    steps: Mapping[str, Step],
    earlier: Mapping[str, str],
    moves: Collection[tuple[str, str]],
) -> None:
    """Problems with where checkpoint ``name`` sits: an unknown or already used step
    (``earlier`` maps steps to the checkpoint first there), a reserved name, or a name
    that is also a trigger from its step (``moves`` holds every ``(trigger, from)``)."""
    path: Path = ("checkpoints", name)
    report.check_ref((*path, "at"), "step", cp.at, steps)
    _check_trigger_name(report, path, name, "checkpoint")
    other = earlier.get(cp.at)
    if other is not None:
        report.add(
            (*path, "at"),
            f"step {cp.at!r} already has checkpoint {other!r}",
            expected="at most one checkpoint per step",
            code="duplicate-checkpoint",
        )
    if (name, cp.at) in moves:
        report.add(
            path,
            f"checkpoint {name!r} has the same name as a trigger from {cp.at!r}",
            suggestion="rename the checkpoint or the trigger",
            code="name-clash",
        )


def _compile_route(
    report: _Report,
    name: str,
    cp: CheckpointSpec,
    decl: _RouteDecl,
    questions: tuple[Question, ...],
    steps: Mapping[str, Step],
    transitions: list[Transition],
) -> Route | None:
    if decl.target is None:
        return None
    target_path = (*decl.path, "to") if decl.movement is not None else decl.path
    if decl.checked:
        report.check_ref(target_path, "step", decl.target, steps)
    known = PLAN_QUESTIONS if cp.framework == "PLAN" else [q.id for q in questions]
    when = _expression(
        report, (*decl.path, "when"), decl.when, dict.fromkeys(known, "bool"), "question"
    )
    movement: dict[str, object] = {}
    if decl.movement is not None:
        _check_visit_fields(report, decl.path, decl.movement, steps)
        movement = _movement(decl.movement)
    transition = Transition(
        index=len(transitions),
        trigger=name,
        source=cp.at,
        target=decl.target,
        checkpoint=name,
        weight=1.0,
        **movement,  # type: ignore[arg-type]
    )
    transitions.append(transition)
    report.route_paths[transition.index] = target_path
    if decl.movement is None:
        report.no_wait_possible.add(transition.index)  # PLAN routes and 'otherwise'
    return Route(when, transition.index)


def _questions(
    report: _Report, path: Path, cp: CheckpointSpec, facts: Mapping[str, Fact]
) -> tuple[Question, ...]:
    declared = dict(cp.questions or {})
    if cp.framework == "PLAN":
        _check_plan_questions(report, path, cp)
        if cp.questions is None:
            return tuple(Question(q, PLAN_TEXT[q]) for q in PLAN_QUESTIONS)
    elif not declared:
        report.add(
            path,
            "a checkpoint needs at least one question",
            expected="'questions:' or 'framework: PLAN'",
            code="no-questions",
        )
    questions = []
    for qid, question in declared.items():
        qpath = (*path, "questions", qid)
        if (question.when is None) == (question.ask is None):
            report.add(
                qpath,
                f"question {qid!r} must be either automatic or asked of a person",
                expected="exactly one of 'when: <expression>' or 'ask: person'",
                code="question-mode",
            )
        expression = _expression(report, (*qpath, "when"), question.when, _types(facts), "fact")
        default_p = 0.5 if question.when is not None else 1.0
        text = question.text or PLAN_TEXT.get(qid, qid.replace("_", " ") + "?")
        p_yes = question.p_yes if question.p_yes is not None else default_p
        questions.append(Question(qid, text, expression, p_yes, bool(question.persists)))
    return tuple(questions)


def _check_plan_questions(report: _Report, path: Path, cp: CheckpointSpec) -> None:
    if cp.questions is None:
        return
    for qid in cp.questions:
        if qid not in PLAN_QUESTIONS:
            report.unknown((*path, "questions", qid), "PLAN question", qid, PLAN_QUESTIONS)
    missing = [q for q in PLAN_QUESTIONS if q not in cp.questions]
    if missing:
        names = _and_list([repr(q) for q in missing])
        add = ", ".join(f"{q}: {{ask: person}}" for q in missing)
        report.add(
            (*path, "questions"),
            f"PLAN checkpoint is missing question{'s' if len(missing) > 1 else ''} {names}",
            expected=f"all of {', '.join(PLAN_QUESTIONS)}",
            suggestion=f"add '{add}', or remove 'questions' to use the framework's defaults",
            code="plan-missing-question",
        )


def _and_list(items: list[str]) -> str:
    """``'a'``, ``'a' and 'b'``, ``'a', 'b' and 'c'``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


PLAN_ROUTES = (
    ("if_not_legal", "not legal"),
    ("if_not_accountable", "not accountable"),
    ("if_not_necessary", "not necessary"),
    ("if_not_proportionate", "not proportionate"),
)
PLAN_FIELDS = ("proceed", *(field for field, _ in PLAN_ROUTES))


def _route_decls(report: _Report, path: Path, cp: CheckpointSpec) -> list[_RouteDecl]:
    if cp.framework == "PLAN":
        return _plan_route_decls(report, path, cp)
    for field in PLAN_FIELDS:
        if getattr(cp, field) is not None:
            report.add(
                (*path, field),
                f"{field!r} belongs to PLAN checkpoints",
                suggestion="add 'framework: PLAN', or use 'routes' and 'otherwise'",
                code="plan-field",
            )
    if cp.otherwise is None:
        report.add(
            path,
            "a checkpoint needs an 'otherwise' route",
            expected="'otherwise: <step>' taken when no route holds",
            code="missing-otherwise",
        )
    decls = [
        _RouteDecl((*path, "routes", i), r.when, r.to, r) for i, r in enumerate(cp.routes or [])
    ]
    return [*decls, _RouteDecl((*path, "otherwise"), None, cp.otherwise)]


def _plan_route_decls(report: _Report, path: Path, cp: CheckpointSpec) -> list[_RouteDecl]:
    for field in ("routes", "otherwise"):
        if getattr(cp, field) is not None:
            report.add(
                (*path, field),
                f"PLAN checkpoints do not take {field!r}",
                suggestion="route with proceed / if_not_legal / if_not_necessary / "
                "if_not_proportionate",
                code="plan-field",
            )
    for field in ("proceed", "if_not_legal", "if_not_necessary", "if_not_proportionate"):
        if getattr(cp, field) is None:
            report.add(
                path,
                f"PLAN checkpoint is missing route {field!r}",
                expected=f"'{field}: <step>'",
                code="plan-missing-route",
            )
    decls = [_plan_route(path, cp, field, when) for field, when in PLAN_ROUTES]
    return [*decls, _RouteDecl((*path, "proceed"), None, cp.proceed)]


def _plan_route(path: Path, cp: CheckpointSpec, field: str, when: str) -> _RouteDecl:
    """A PLAN route; one not given (``if_not_accountable``) goes where ``if_not_legal`` does."""
    target = getattr(cp, field)
    if target is not None:
        return _RouteDecl((*path, field), when, target)
    return _RouteDecl((*path, "if_not_legal"), when, cp.if_not_legal, checked=False)


def _arrivals(
    spec: PathwaySpec, report: _Report, calendars: Mapping[str, Calendar]
) -> Arrivals | None:
    arrivals = spec.arrivals
    if arrivals is None:
        return None
    if (arrivals.rate is None) == (arrivals.at is None):
        report.add(
            ("arrivals",),
            "arrivals need either a rate or a list of times",
            expected="'rate: 12/d' (with an optional calendar) or 'at: [...]'",
            code="arrivals-mode",
        )
    report.check_ref(("arrivals", "calendar"), "calendar", arrivals.calendar, calendars)
    for index, text in enumerate(arrivals.at or []):
        _check_timestamp(report, ("arrivals", "at", index), text)
    rate = parse_rate(arrivals.rate) if arrivals.rate is not None else None
    _check_rate_format(spec, report)
    profile = _profile(arrivals.profile, report) if arrivals.profile is not None else None
    if profile is not None and arrivals.at is not None:
        report.add(
            ("arrivals", "profile"),
            "a profile spreads a rate's arrivals; fixed times ('at') have none to spread",
            expected="'profile' with 'rate', or 'at' without a profile",
            key=True,
            code="arrivals-mode",
        )
    return Arrivals(rate, arrivals.calendar, tuple(arrivals.at or ()), profile)


def _check_rate_format(spec: PathwaySpec, report: _Report) -> None:
    """A ``newer-format`` problem for a rate per month or year in a version-1 file."""
    text = spec.arrivals.rate if spec.arrivals is not None else None
    if text is None or spec.format >= 2 or rate_unit(text) not in RATE_UNITS_SINCE_2:
        return
    declared = "format: 1" if "format" in spec.model_fields_set else "no format"
    report.add(
        ("arrivals", "rate"),
        f"a rate per {rate_unit(text)!r} needs format 2; this file says format {spec.format}",
        expected="'format: 2' for a rate per month or year",
        found=declared,
        suggestion="write 'format: 2' at the top of the file",
        code="newer-format",
    )


_PROFILE_PARSERS: dict[str, Callable[[Any], Any]] = {
    "weekday": parse_weekday,
    "hour": parse_hour,
    "month": parse_month,
}


def _profile(profile: ProfileSpec, report: _Report) -> ArrivalProfile:
    """The arrival profile as written; located problems for keys that do not read and
    for weights that are all zero."""
    parsed: dict[str, Any] = {}
    for name, read in _PROFILE_PARSERS.items():
        weights = getattr(profile, name)
        if weights is None:
            continue
        path: Path = ("arrivals", "profile", name)
        try:
            parsed[name] = read(weights)
        except CalendarSyntaxError as error:
            _profile_problem(report, path, weights, error)
            continue
        if not any(_weights_of(name, parsed[name])):
            report.add(
                path,
                f"every {name} weight is zero, so no case would ever arrive",
                expected="at least one weight above zero",
                found="all zero",
                suggestion="weights are relative: 1 is an ordinary time, 0 none at all",
                code="invalid-profile",
            )
    return ArrivalProfile(**parsed)


def _weights_of(name: str, parsed: Any) -> list[float]:
    return [w for _, _, w in parsed] if name == "hour" else list(parsed)


def _profile_problem(
    report: _Report, path: Path, weights: Mapping[Any, float], error: CalendarSyntaxError
) -> None:
    keys = {str(key): key for key in weights}
    where = (*path, keys[error.field]) if error.field in keys else path
    report.add(
        where,
        f"not a valid {path[-1]} in an arrival profile",
        expected=error.expected,
        found=error.found,
        suggestion=f"did you mean {error.suggestion!r}?" if error.suggestion else "",
        key=True,
        code="invalid-profile",
    )


def _check_timestamp(report: _Report, path: Path, text: str) -> None:
    from datetime import datetime

    try:
        datetime.fromisoformat(text)
    except ValueError:
        report.add(
            path,
            "not a date and time",
            expected="ISO 8601 like '2017-10-03T09:30'",
            found=repr(text),
            code="invalid-time",
        )


def _edges(transitions: Iterable[Transition], *, referrals: bool = False) -> dict[str, set[str]]:
    """Step to the steps a move leads to (and, with ``referrals``, the steps its
    ``also`` opens a case at: they are reached too)."""
    edges: dict[str, set[str]] = {}
    for transition in transitions:
        edges.setdefault(transition.source, set()).add(transition.target)
        if referrals:
            edges[transition.source].update(transition.also)
    return edges


def _reach(origins: Iterable[str], edges: Mapping[str, set[str]]) -> set[str]:
    seen, frontier = set(origins), list(origins)
    while frontier:
        for nxt in edges.get(frontier.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return seen


def _check_graph(
    report: _Report,
    start: str,
    steps: Mapping[str, Step],
    transitions: list[Transition],
) -> None:
    outcomes = [s.id for s in steps.values() if s.outcome]
    if not outcomes:
        report.add(
            ("steps",),
            "no outcome step: journeys could never end",
            suggestion="mark the final step(s) 'outcome: true'",
            code="no-outcome",
        )
        return
    _check_outcome_exits(report, steps, transitions)
    forward = _reach([start], _edges(transitions, referrals=True))
    backward = _reach(
        outcomes, _edges(attrs.evolve(t, source=t.target, target=t.source) for t in transitions)
    )
    for name in steps:
        if name not in forward:
            report.add(
                ("steps", name),
                f"step {name!r} cannot be reached from {start!r}",
                suggestion="add a transition into it, or remove it",
                key=True,
                code="unreachable",
            )
        elif name not in backward:
            report.add(
                ("steps", name),
                f"step {name!r} has no way to an outcome",
                suggestion="add a transition out of it towards an outcome",
                key=True,
                code="no-way-out",
            )


def _check_outcome_exits(
    report: _Report, steps: Mapping[str, Step], transitions: list[Transition]
) -> None:
    """An error for each transition (and each checkpoint) leaving an outcome step."""
    reported: set[str] = set()
    for transition in transitions:
        if not steps[transition.source].outcome or transition.checkpoint in reported:
            continue
        path = _transition_path(report, transition)
        fix = "remove 'outcome: true' or the transition"
        if transition.checkpoint is not None:
            reported.add(transition.checkpoint)
            path = ("checkpoints", transition.checkpoint, "at")
            fix = "remove 'outcome: true', or put the checkpoint at an earlier step"
        report.add(
            path,
            f"outcome step {transition.source!r} has a way out",
            expected="no transitions from an outcome step",
            suggestion=fix,
            code="outcome-exit",
        )


def _transition_path(report: _Report, transition: Transition) -> Path:
    """Where a transition was declared: its entry in ``transitions`` or a checkpoint route."""
    if transition.checkpoint is not None:
        return report.route_paths.get(transition.index, ("checkpoints", transition.checkpoint))
    return ("transitions", transition.index)


def _check_weights(report: _Report, transitions: list[Transition]) -> None:
    by_step: dict[str, list[Transition]] = {}
    for t in transitions:
        if t.checkpoint is None:
            by_step.setdefault(t.source, []).append(t)
    for step, group in by_step.items():
        given = [t for t in group if t.weight >= 0]
        total, unspecified = sum(t.weight for t in given), len(group) - len(given)
        path: Path = ("transitions", (given or group)[0].index, "p")
        if unspecified == 0 and abs(total - 1) > WEIGHT_TOLERANCE:
            report.add(
                path,
                f"probabilities of the transitions from {step!r} do not sum to 1",
                expected="a total of 1",
                found=f"{total:g}",
                suggestion="adjust 'p', or leave 'p' off one transition to take the rest",
                code="weights",
            )
        elif unspecified and total > 1 - WEIGHT_TOLERANCE:
            report.add(
                path,
                f"probabilities from {step!r} leave nothing for the "
                f"{unspecified} transition(s) without 'p'",
                expected="a total below 1",
                found=f"{total:g}",
                code="weights",
            )


def _finish_transitions(
    spec: PathwaySpec, report: _Report, steps: Mapping[str, Step], transitions: list[Transition]
) -> list[Transition]:
    roles = _roles(spec)
    shares = _unspecified_shares(transitions)
    finished = []
    for transition in transitions:
        level = _handoff_level(spec, transition, steps, roles)
        cause = _cause(transition, level, steps)
        weight = _weight(transition, shares)
        finished.append(attrs.evolve(transition, handoff=level, cause=cause, weight=weight))
        silent = transition.wait is not None or transition.index in report.no_wait_possible
        if level in OWNER_LEVELS and not silent:
            _warn_handoff_without_wait(report, transition, level)
    return finished


def _warn_handoff_without_wait(report: _Report, transition: Transition, level: str) -> None:
    path = _transition_path(report, transition)
    line, column = report.locator.locate(path)
    report.warnings.append(
        Problem(
            f"hand-off ({level}) from {transition.source!r} to {transition.target!r} has no "
            "declared wait; simulation will assume the next owner starts at once",
            report.locator.source,
            line,
            column,
            field_name(path),
            suggestion="declare 'wait' and 'cause' on this transition",
            code="handoff-without-wait",
            severity="warning",
        )
    )


def _unspecified_shares(transitions: list[Transition]) -> dict[str, float]:
    """For each step, the weight each of its transitions without ``p`` takes: what the
    given ``p`` leave, shared equally (one pass, so large pathways stay linear)."""
    given: dict[str, float] = {}
    unspecified: dict[str, int] = {}
    for t in transitions:
        if t.checkpoint is not None:
            continue
        if t.weight >= 0:
            given[t.source] = given.get(t.source, 0.0) + t.weight
        else:
            unspecified[t.source] = unspecified.get(t.source, 0) + 1
    return {step: (1 - given.get(step, 0.0)) / count for step, count in unspecified.items()}


def _weight(transition: Transition, shares: Mapping[str, float]) -> float:
    if transition.checkpoint is not None:
        return 1.0
    if transition.weight >= 0:
        return transition.weight
    return shares[transition.source]


def _handoff_level(
    spec: PathwaySpec, transition: Transition, steps: Mapping[str, Step], roles: Mapping[str, Role]
) -> HandoffLevel:
    override = _declared_handoff(spec, transition)
    if override is not None:
        return override
    source, target = steps[transition.source].role, steps[transition.target].role
    if source is None or target is None or source == target:
        return "none"
    a, b = roles[source], roles[target]
    if a.organisation != b.organisation:
        return "organisation"
    return "team" if a.team != b.team else "role"


def _declared_handoff(spec: PathwaySpec, transition: Transition) -> HandoffLevel | None:
    if transition.checkpoint is not None or transition.index >= len(spec.transitions):
        return None
    return spec.transitions[transition.index].handoff


def _cause(transition: Transition, level: str, steps: Mapping[str, Step]) -> WaitCause:
    if transition.declared_cause is not None:
        return DECLARED_TO_CAUSE[transition.declared_cause]
    if level in OWNER_LEVELS:
        return "handoff"
    return "visit_gap" if steps[transition.target].visit else "capacity"


def _with_checkpoints(
    steps: Mapping[str, Step], checkpoints: Mapping[str, Checkpoint]
) -> dict[str, Step]:
    at = {cp.step: cp.id for cp in checkpoints.values()}
    return {name: attrs.evolve(step, checkpoint=at.get(name)) for name, step in steps.items()}
