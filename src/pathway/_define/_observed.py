"""Compile a file's ``observed:`` list into :class:`~pathway._model._observed.Observed`
figures, with a located problem for each mistake.

Problems: ``unknown-measure`` for a measure pathway does not compute (with the closest
one), ``unknown-reference`` for a ``step`` or ``outcomes`` entry that is not a step (an
outcome step, for ``outcomes``), and ``invalid-observed`` for a value, range or tolerance
that cannot be read in the measure's unit, or fields that do not go together (a
statistic on a ratio, ``share`` without ``within``, ``time_to`` without ``step``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Protocol

from pathway._define._spec import ObservedSpec, PathwaySpec
from pathway._model._observed import (
    CASE_MEASURES,
    OBSERVABLE,
    RATIOS,
    Interval,
    Observed,
    Tolerance,
    parse_range,
    parse_tolerance,
)
from pathway._model._pathway import Step
from pathway.errors import did_you_mean

__all__ = ["compile_observed"]

Path = tuple[str | int, ...]


class _Problems(Protocol):
    """What the compiler's problem report offers (see ``_compile._Report``)."""

    errors: list[Any]

    def add(self, path: Path, message: str, *, key: bool = False, **details: Any) -> None: ...

    def check_ref(
        self, path: Path, kind: str, name: str | None, known: Collection[str]
    ) -> None: ...


def compile_observed(
    spec: PathwaySpec, report: _Problems, steps: Mapping[str, Step]
) -> tuple[Observed, ...]:
    """Every entry of ``spec.observed`` that compiles, in file order; a problem on
    ``report`` for each that does not."""
    found: list[Observed] = []
    for index, entry in enumerate(spec.observed or ()):
        observed = _entry(entry, index, report, steps)
        if observed is not None:
            found.append(observed)
    return tuple(found)


def _entry(
    entry: ObservedSpec, index: int, report: _Problems, steps: Mapping[str, Step]
) -> Observed | None:
    path: Path = ("observed", index)
    if entry.measure not in OBSERVABLE:
        _unknown_measure(report, path, entry.measure)
        return None
    if not _fields_fit(entry, path, report, steps):
        return None
    unit = OBSERVABLE[entry.measure]
    value_unit = "share" if entry.statistic == "share" else unit
    interval = _read(report, (*path, "value"), entry.value, value_unit)
    within = _read(report, (*path, "within"), entry.within, unit)
    where = tuple(
        (name, _read(report, (*path, "where", name), value, CASE_MEASURES.get(name, "count")))
        for name, value in (entry.where or {}).items()
    )
    tolerance = _tolerance(report, (*path, "tolerance"), entry.tolerance, value_unit)
    if interval is None or (entry.within is not None and within is None):
        return None
    if any(bound is None for _, bound in where) or (entry.tolerance and tolerance is None):
        return None
    return Observed(
        measure=entry.measure,
        unit=unit,
        statistic=entry.statistic or (None if entry.measure in RATIOS else "mean"),
        text=str(entry.value),
        interval=interval,
        source=entry.source,
        index=index,
        tolerance=tolerance,
        note=entry.note or "",
        step=entry.step,
        outcomes=tuple(entry.outcomes or ()),
        where=tuple((name, bound) for name, bound in where if bound is not None),
        within=within,
        within_text="" if entry.within is None else str(entry.within),
        used_as=entry.used_as or "check",
    )


def _unknown_measure(report: _Problems, path: Path, measure: str) -> None:
    guess = did_you_mean(measure, sorted(OBSERVABLE))
    report.add(
        (*path, "measure"),
        f"pathway computes no measure {measure!r}",
        expected="a per-case measure of the report (such as 'end_to_end', 'visits', "
        "'wait_booking'), 'time_to' or a ratio (" + ", ".join(repr(r) for r in RATIOS) + ")",
        found=repr(measure),
        suggestion=f"did you mean {guess!r}?"
        if guess
        else "see 'observed' in the pathway file reference for the measures",
        code="unknown-measure",
    )


def _fields_fit(
    entry: ObservedSpec, path: Path, report: _Problems, steps: Mapping[str, Step]
) -> bool:
    """Whether the entry's fields go together and name declared steps (a problem for each
    that does not)."""
    before = _count(report)
    ratio = entry.measure in RATIOS
    if ratio and entry.statistic is not None:
        _invalid(report, (*path, "statistic"), f"{entry.measure!r} is a ratio of the "
                 "cohort's totals: it has no statistic", "no 'statistic'",
                 repr(entry.statistic), "remove 'statistic'")  # fmt: skip
    if entry.statistic == "share" and entry.within is None:
        _invalid(report, (*path, "statistic"), "'statistic: share' is the share of cases "
                 "whose value lies 'within' a range", "a 'within' range", "no 'within'",
                 "add 'within: 3-4' (the range a case's value must lie in)")  # fmt: skip
    if entry.within is not None and entry.statistic != "share":
        _invalid(report, (*path, "within"), "'within' is for 'statistic: share'",
                 "'statistic: share'", repr(entry.statistic or "mean"),
                 "add 'statistic: share', or remove 'within'")  # fmt: skip
    _check_step(entry, path, report, steps)
    for position, outcome in enumerate(entry.outcomes or ()):
        outcomes = [name for name, step in steps.items() if step.outcome]
        report.check_ref((*path, "outcomes", position), "outcome step", outcome, outcomes)
    for name in entry.where or {}:
        if name not in CASE_MEASURES:
            _unknown_where(report, (*path, "where", name), name)
    return _count(report) == before


def _check_step(
    entry: ObservedSpec, path: Path, report: _Problems, steps: Mapping[str, Step]
) -> None:
    if entry.measure == "time_to" and entry.step is None:
        _invalid(report, (*path, "measure"), "'time_to' is the time to a step's first start",
                 "a 'step'", "no 'step'", "add 'step: <step id>'")  # fmt: skip
    elif entry.measure != "time_to" and entry.step is not None:
        _invalid(report, (*path, "step"), "'step' is for 'measure: time_to'",
                 "'measure: time_to'", repr(entry.measure), "remove 'step'")  # fmt: skip
    else:
        report.check_ref((*path, "step"), "step", entry.step, steps)


def _unknown_where(report: _Problems, path: Path, name: str) -> None:
    guess = did_you_mean(name, sorted(CASE_MEASURES))
    report.add(
        path,
        f"cases can be chosen by a per-case measure; {name!r} is not one",
        expected="a per-case measure such as 'visits' or 'end_to_end'",
        found=repr(name),
        suggestion=f"did you mean {guess!r}?" if guess else "use a per-case measure",
        key=True,
        code="unknown-measure",
    )


def _invalid(
    report: _Problems, path: Path, message: str, expected: str, found: str, suggestion: str
) -> None:
    report.add(
        path,
        message,
        expected=expected,
        found=found,
        suggestion=suggestion,
        code="invalid-observed",
    )


def _count(report: _Problems) -> int:
    return len(report.errors)


def _read(report: _Problems, path: Path, value: object, unit: str) -> Interval | None:
    """``value`` in ``unit`` (``None`` and a problem when it cannot be read)."""
    if value is None:
        return None
    try:
        return parse_range(value, unit)
    except ValueError as error:
        _invalid(report, path, f"cannot read {value!r} as a figure in {unit}: {error}",
                 _EXPECTED[unit], repr(value), _SUGGESTED[unit])  # fmt: skip
        return None


def _tolerance(report: _Problems, path: Path, value: object, unit: str) -> Tolerance | None:
    if value is None:
        return None
    try:
        return parse_tolerance(value, unit)
    except ValueError as error:
        _invalid(report, path, f"cannot read the tolerance {value!r}: {error}",
                 "'15%' (of the value), '3pp' (for a share) or an amount like '2d'",
                 repr(value), "write it like '15%'")  # fmt: skip
        return None


_EXPECTED = {
    "days": "a number of days, a duration ('11d', '1h 45m') or a range ('3d-5d')",
    "minutes": "a number of minutes, a duration ('1h 45m') or a range ('30m-1h')",
    "share": "a percentage ('32%'), a share (0.32), a range ('20%-30%') or a bound ('<50%')",
    "count": "a number (3.5), a range ('3-4') or a bound ('>= 2')",
}
_SUGGESTED = {
    "days": "write it like '11d', '11' (days) or '2d-5d'",
    "minutes": "write it like '1h 45m' or '105' (minutes)",
    "share": "write it like '32%' or '<50%'",
    "count": "write it like '3-4' or '3.5'",
}
