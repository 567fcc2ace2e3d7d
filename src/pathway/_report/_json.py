"""The report as JSON data, schema ``pathway-report/1`` (docs/reference/report-json.md).

Units are in the field names: ``_days``, ``_minutes``, ``_share`` (0 to 1); counts are
plain. A value that cannot be computed (no cases, no time) is ``null``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from pathway._analysis._attribution import DelayRow
from pathway._report._conform import conformance_dict
from pathway._report._observed import observed_dicts
from pathway._report._place import load_dict, settings_dict
from pathway._report._rounds import rounds_dict
from pathway._report._words import MEASURES, SCHEMA, contributor_words
from pathway._version import __version__
from pathway._vocab import FRAGMENTATION_CAUSES, MINUTES_PER_DAY

if TYPE_CHECKING:
    from pathway._analysis._spc import PeriodChart
    from pathway._report._report import Chart, Report

__all__ = ["MAX_CHART_VALUES", "report_dict"]

#: Control charts list every value only up to this many points.
MAX_CHART_VALUES = 10_000


def clean(value: Any) -> Any:
    """``value`` with NaN and infinities replaced by ``None`` (JSON has neither)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [clean(item) for item in value]
    return value


def report_dict(report: Report) -> dict[str, Any]:
    """The JSON document as Python data."""
    pathway = report.pathway
    document = {
        "schema": SCHEMA,
        "generator": f"pathway {__version__}",
        "pathway": (
            {
                "id": pathway.id,
                "title": pathway.title,
                "version": pathway.version,
                "content_hash": pathway.content_hash,
            }
            if pathway is not None
            else None
        ),
        "log": report.log_info,
        "scope": {"description": report.scope_label, "cases": report.n_scope},
        "headline": _headline(report),
        "measures": _measures(report),
        "waits_by_cause": _waits(report),
        "fragmentation": _fragmentation(report),
        "steps": [_row(report, row, "step") for row in report.attribution.steps],
        "transitions": [_row(report, row, "transition") for row in report.attribution.transitions],
        "demand": report.demand,
        "work": report.work,
        "appointments": report.appointments,
        "outcomes": report.outcomes,
        "repeated_information": _repeated(report),
        "control_charts": [_chart(chart) for chart in report.charts],
        "typical_case": report.journey.to_dict() if report.journey is not None else None,
        "reading": {"notes": list(report.notes), "touch_known": report.touch_known},
        "conformance": _conformance(report),
        "observed": observed_dicts(report.observed),
        "replications": _replicated(report),
        "settings": settings_dict(report.settings),
        "load": load_dict(report.load, report.pathway),
        "warnings": report.warnings,
        "checkpoint_rounds": rounds_dict(report.rounds),
    }
    return dict(clean(document))


def _replicated(report: Report) -> dict[str, Any] | None:
    """The key measures over independent replications (``report --simulate -r R``)."""
    found = report.replicated
    if found is None:
        return None
    return {
        "count": found.count,
        "seed": found.seed,
        "measures": {
            name: {
                "unit": unit,
                "mean": mean,
                "interval": list(ci) if ci is not None else None,
                "median": median,
            }
            for name, unit, mean, ci, median in found.rows
        },
    }


def _conformance(report: Report) -> dict[str, Any] | None:
    """The conformance summary (per-trace detail: ``pathway conform --format json``)."""
    if report.conformance is None or report.pathway is None:
        return None
    found = conformance_dict(report.conformance, report.pathway)
    found.pop("per_trace")
    found.pop("schema")
    return found


def _headline(report: Report) -> dict[str, Any]:
    headline = report.headline
    return {
        "text": headline.text,
        "fragmentation_median_days": headline.fragmentation_days,
        "end_to_end_median_days": headline.median_end_to_end_days,
        "fragmentation_share_of_median_journey": headline.share,
        "fragmentation_share_of_total_time": headline.mean_share,
        "perfect_flow_median_minutes": headline.perfect_flow_minutes,
        "largest_contributors": [
            {"key": c.key, "kind": c.kind, "days_per_case": days}
            for c, days in headline.contributors
        ],
    }


def _measures(report: Report) -> dict[str, Any]:
    return {
        name: {"label": MEASURES[name][0], "unit": unit, **summary.to_dict()}
        for name, (summary, unit) in report.measures.items()
    }


def _waits(report: Report) -> dict[str, Any]:
    n = max(report.n_scope, 1)
    total = sum(report.waits_by_cause.values())
    return {
        cause: {
            "total_days": minutes / MINUTES_PER_DAY,
            "days_per_case": minutes / n / MINUTES_PER_DAY,
            "share_of_waiting": minutes / total if total else None,
            "fragmentation": cause in FRAGMENTATION_CAUSES,
        }
        for cause, minutes in report.waits_by_cause.items()
    }


def _fragmentation(report: Report) -> dict[str, Any]:
    n = max(report.n_scope, 1)
    total = report.attribution.total_fragmentation
    return {
        "causes": [*FRAGMENTATION_CAUSES, "waste work"],
        "total_days": total / MINUTES_PER_DAY,
        "days_per_case": total / n / MINUTES_PER_DAY,
        "contributors": [
            {
                "rank": rank,
                "kind": c.kind,
                "key": c.key,
                "label": contributor_words(c, report.pathway),
                "total_days": c.minutes / MINUTES_PER_DAY,
                "days_per_case": c.minutes / n / MINUTES_PER_DAY,
                "share_of_fragmentation": c.minutes / total if total else None,
                "by_cause_days": {k: v / MINUTES_PER_DAY for k, v in c.by_cause.items()},
            }
            for rank, c in enumerate(report.attribution.contributors, start=1)
        ],
    }


def _row(report: Report, row: DelayRow, kind: str) -> dict[str, Any]:
    total = report.attribution.total_delay
    n = max(report.n_scope, 1)
    result: dict[str, Any] = {"key": row.key}
    if kind == "transition":
        result.update({"source": row.source, "target": row.target})
    else:
        result.update({"step": row.target, "title": report.title_of_step(row.target)})
    result.update(
        {
            "count": row.count,
            "wait_minutes": {"mean": row.wait_mean, "median": row.wait_median, "p90": row.wait_p90},
            "touch_minutes": {
                "mean": row.touch_mean,
                "median": row.touch_median,
                "p90": row.touch_p90,
            },
            "delay_days_by_cause": {k: v / MINUTES_PER_DAY for k, v in row.delay_by_cause.items()},
            "delay_days_per_case": row.delay / n / MINUTES_PER_DAY,
            "share_of_delay": row.delay / total if total else None,
            "waste_work_minutes": row.waste_minutes,
            "fragmentation_days": row.fragmentation / MINUTES_PER_DAY,
        }
    )
    return result


def _repeated(report: Report) -> dict[str, Any]:
    items = report.repeated_items
    if items is None:
        return {"known": False, "items": None}
    return {
        "known": True,
        "items": {
            item: {"times_asked_again": again, "cases_asked_more_than_once": cases}
            for item, (again, cases) in items.items()
        },
    }


def _chart(chart: Chart) -> dict[str, Any]:
    xmr = chart.chart
    values = xmr.values.tolist() if len(xmr.values) <= MAX_CHART_VALUES else None
    return {
        "measure": chart.measure,
        "title": chart.title,
        "unit": chart.unit,
        "points": len(xmr.values),
        "segments": [segment.to_dict() for segment in xmr.segments],
        "signals": xmr.signals(),
        "special_cause_points": int(xmr.special.sum()),
        "values": values,
        "by_period": _periods(chart.periods) if chart.periods is not None else None,
    }


def _periods(periods: PeriodChart) -> dict[str, Any]:
    """The measure per period with its Making Data Count verdicts."""
    chart = periods.chart
    return {
        "period": periods.period,
        "labels": list(periods.labels),
        "cases": periods.counts.tolist(),
        "values": chart.values.tolist(),
        "segments": [segment.to_dict() for segment in chart.segments],
        "signals": chart.signals(),
        "improvement": periods.direction,
        "variation": periods.variation,
        "target": periods.target,
        "assurance": periods.assurance,
    }
