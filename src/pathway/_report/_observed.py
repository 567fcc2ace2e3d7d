"""Model against observed in words: the section every report format shows, the JSON
entries, and the plain table ``pathway simulate`` prints.

Each row names the figure (the measure, its statistic and the cases it is about), the
value as the file gives it with its source, the model's value (with its 95% interval over
replications when there are several), whether the model's value lies within what was
observed (widened by the tolerance, said in the row) and what the figure is to the model
(calibration, input, check, prediction).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from pathway._analysis._observed import Comparison
from pathway._model._observed import DEFAULT_TOLERANCE, RATIOS, Observed
from pathway._model._pathway import Pathway
from pathway._report._words import MEASURES, plain_minutes
from pathway._vocab import MINUTES_PER_DAY

__all__ = [
    "HEADERS",
    "INTRO",
    "TITLE",
    "figure_words",
    "model_words",
    "observed_dicts",
    "observed_lines",
    "observed_rows",
    "verdict_words",
]

TITLE = "Model against observed"
HEADERS = ("figure", "observed", "source", "model", "agrees?", "used as")
INTRO = (
    "The figures the pathway file says its sources report (observed:), beside what this "
    "{what} gives. 'Agrees' means the model's value lies within the observed value or "
    "range, widened by the tolerance shown."
)
_RATIO_WORDS = {
    "dna_rate": "Booked visits missed (DNA rate)",
    "failure_demand_share": "Failure demand, share of contacts",
    "chase_share": "Failure demand that is progress chasing",
    "service_requested_share": "Appointments at the service's request",
}
_STATISTIC_WORDS = {
    "mean": "mean",
    "median": "median",
    "p90": "90th percentile",
    "ucl": "upper process limit (XmR)",
}


def figure_words(figure: Observed, pathway: Pathway | None = None) -> str:
    """What the figure measures, in words: measure, statistic and the cases it covers."""
    if figure.measure in RATIOS:
        name = _RATIO_WORDS[figure.measure]
    elif figure.measure == "time_to":
        name = f"Time from first contact to '{_step_title(figure.step or '', pathway)}'"
    else:
        name = MEASURES[figure.measure][0]
    if figure.statistic == "share":
        name += f", share of cases with {figure.within_text}"
    elif figure.statistic is not None:
        name += f", {_STATISTIC_WORDS[figure.statistic]}"
    chosen = [f"ending at {' or '.join(_step_title(o, pathway) for o in figure.outcomes)}"]
    chosen = chosen if figure.outcomes else []
    chosen += [f"{MEASURES[name_][0].lower()} {bound}" for name_, bound in _where_texts(figure)]
    return name + (f" (cases {', '.join(chosen)})" if chosen else "")


def _where_texts(figure: Observed) -> list[tuple[str, str]]:
    return [(name, _bound_text(bound.low, bound.high)) for name, bound in figure.where]


def _bound_text(low: float, high: float) -> str:
    if low == high:
        return f"{low:g}"
    if math.isinf(low):
        return f"at most {high:g}"
    if math.isinf(high):
        return f"at least {low:g}"
    return f"{low:g}-{high:g}"


def _step_title(step: str, pathway: Pathway | None) -> str:
    if pathway is not None and step in pathway.steps:
        return pathway.steps[step].title
    return step.replace("_", " ")


def value_words(value: float, unit: str) -> str:
    """A model value in the figure's unit: ``11.1 days``, ``1 h 53 min``, ``32%``, ``3.7``."""
    if not math.isfinite(value):
        return "-"
    if unit == "share":
        return f"{value:.0%}"
    if unit == "days":
        return f"{value:.1f} days" if abs(value) >= 1 else plain_minutes(value * MINUTES_PER_DAY)
    if unit == "minutes":
        return plain_minutes(value)
    return f"{value:.2f}".rstrip("0").rstrip(".")


def model_words(comparison: Comparison) -> str:
    """The model's value, with its 95% interval over replications when there is one."""
    unit = comparison.observed.unit_of_value
    text = value_words(comparison.value, unit)
    if comparison.interval is not None and math.isfinite(comparison.value):
        low, high = comparison.interval
        text += f" ({value_words(low, unit)} to {value_words(high, unit)})"
    return text


def tolerance_words(figure: Observed) -> str:
    """How far the figure may be missed, in words (empty for a range or bound given no
    tolerance)."""
    tolerance = figure.tolerance
    if tolerance is None:
        return f"within {DEFAULT_TOLERANCE:.0%}" if figure.interval.point else ""
    if tolerance.relative:
        return f"within {tolerance.amount:.0%}"
    if figure.unit_of_value == "share":
        return f"within {100 * tolerance.amount:g} points"
    return f"within {value_words(tolerance.amount, figure.unit_of_value)}"


def verdict_words(comparison: Comparison) -> str:
    """``yes (within 15%)``, ``no (-35%, within 15%)`` or ``not measured``."""
    if comparison.agrees is None:
        return "not measured"
    figure = comparison.observed
    parts = [_off(comparison)] if not comparison.agrees else []
    parts += [tolerance_words(figure)]
    detail = ", ".join(p for p in parts if p)
    answer = "yes" if comparison.agrees else "no"
    return f"{answer} ({detail})" if detail else answer


def _off(comparison: Comparison) -> str:
    """How far outside: relative to a point value, else above or below the range."""
    interval = comparison.observed.interval
    if interval.point and interval.low:
        return f"{(comparison.value - interval.low) / abs(interval.low):+.0%}"
    return "above" if comparison.value > interval.high else "below"


def observed_rows(
    comparisons: Sequence[Comparison], pathway: Pathway | None = None
) -> list[tuple[str, ...]]:
    """One row per figure, in :data:`HEADERS` order."""
    return [
        (
            figure_words(c.observed, pathway),
            c.observed.text,
            c.observed.source + (f" ({c.observed.note})" if c.observed.note else ""),
            model_words(c),
            verdict_words(c),
            c.observed.used_as,
        )
        for c in comparisons
    ]


def observed_lines(
    comparisons: Sequence[Comparison], pathway: Pathway | None, what: str
) -> list[str]:
    """The section as plain text lines (for ``simulate``): a title, a sentence, a table
    whose figures are numbered, and the numbered sources (with notes) below it."""
    rows = observed_rows(comparisons, pathway)
    shown: list[tuple[str, ...]] = [("", *HEADERS[:2], *HEADERS[3:])]
    shown += [(f"[{i}]", row[0], row[1], *row[3:]) for i, row in enumerate(rows, 1)]
    widths = [max(len(row[i]) for row in shown) for i in range(len(shown[0]))]
    lines = [TITLE, INTRO.format(what=what), ""]
    for index, row in enumerate(shown):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines += ["", "Sources:"] + [f"[{i}] {row[2]}" for i, row in enumerate(rows, 1)]
    return lines


def observed_dicts(comparisons: Sequence[Comparison]) -> list[dict[str, Any]]:
    """The figures as JSON data (see docs/reference/report-json.md)."""
    return [_dict(c) for c in comparisons]


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _dict(c: Comparison) -> dict[str, Any]:
    figure = c.observed
    allowed = figure.allowed
    return {
        "measure": figure.measure,
        "statistic": figure.statistic,
        "step": figure.step,
        "outcomes": list(figure.outcomes),
        "where": {name: [_finite(b.low), _finite(b.high)] for name, b in figure.where},
        "within": figure.within_text or None,
        "observed": figure.text,
        "observed_low": _finite(figure.interval.low),
        "observed_high": _finite(figure.interval.high),
        "allowed_low": _finite(allowed.low),
        "allowed_high": _finite(allowed.high),
        "unit": figure.unit_of_value,
        "source": figure.source,
        "note": figure.note or None,
        "used_as": figure.used_as,
        "model": _finite(c.value),
        "model_ci": [c.interval[0], c.interval[1]] if c.interval is not None else None,
        "cases": c.cases,
        "agrees": c.agrees,
    }
