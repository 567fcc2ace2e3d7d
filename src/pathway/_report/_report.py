"""The analysis of an event log, as one :class:`Report` every output format renders.

Scope: journey measures (times, visits, hand-offs, waits, delay attribution, control
charts, the typical journey) use the cases that reached an outcome, so an unfinished
journey never looks short; when no case has finished they use every case and say so.
Counts of demand, work and appointments use every event in the log.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pathway._analysis._attribution import Attribution, Contributor, attribute
from pathway._analysis._cases import (
    DAY_MINUTES,
    FAILURE_DEMAND,
    STEP_COMPLETED,
    VISIT_ATTENDED,
    VISIT_MISSED,
    CaseTable,
    case_table,
    minutes_between,
    repeated_items,
)
from pathway._analysis._journey import Journey, journey_of
from pathway._analysis._stats import Summary, sum_by, summarise
from pathway._analysis._xmr import XmR, xmr
from pathway._journal._eventlog import DEMANDS, WORK_CLASSES, EventLog, nanoseconds
from pathway._model._pathway import Pathway

__all__ = ["MEASURES", "SCHEMA", "Chart", "Headline", "Report", "build_report"]

SCHEMA = "pathway-report/1"
B = npt.NDArray[np.bool_]

#: Per-case measures the report summarises: name -> (plain label, unit).
MEASURES: Mapping[str, tuple[str, str]] = {
    "end_to_end": ("End-to-end time", "days"),
    "fragmentation": ("Fragmentation delay", "days"),
    "fragmentation_share": ("Fragmentation share of the journey", "share"),
    "perfect_flow": ("Perfect-flow time (value work only)", "minutes"),
    "touch": ("Touch time (all work)", "minutes"),
    "flow_efficiency": ("Flow efficiency", "share"),
    "visits": ("Visits (attendances)", "count"),
    "dnas": ("Missed appointments (DNAs)", "count"),
    "handoffs": ("Hand-offs", "count"),
    "handoffs_worker": ("Hand-offs between workers in one role", "count"),
    "handoffs_role": ("Hand-offs between roles", "count"),
    "handoffs_team": ("Hand-offs between teams", "count"),
    "handoffs_organisation": ("Hand-offs between organisations", "count"),
    "wait": ("Waiting, all causes", "days"),
    "wait_handoff": ("Waiting after a hand-off", "days"),
    "wait_visit_gap": ("Waiting for the next appointment", "days"),
    "wait_calendar": ("Waiting for a calendar gate", "days"),
    "wait_capacity": ("Waiting for a free worker", "days"),
    "wait_approval": ("Waiting for approval", "days"),
    "wait_external": ("Waiting for an outside service", "days"),
    "wait_client": ("Waiting on the person", "days"),
    "work_value": ("Value work", "minutes"),
    "work_waste1": ("Waste work, type 1 (removable)", "minutes"),
    "work_waste2": ("Waste work, type 2 (designed in)", "minutes"),
    "work_waste3": ("Waste work, type 3 (law, regulation)", "minutes"),
    "failure_demand": ("Failure demand", "count"),
    "failure_chase": ("Progress chasing", "count"),
    "failure_re_presentation": ("Re-presentations", "count"),
    "failure_re_referral": ("Re-referrals", "count"),
    "repeated_information": ("Information asked for again", "count"),
    "decisions": ("Checkpoint decisions", "count"),
}
#: Wait causes in a few plain words.
CAUSE_NAMES: Mapping[str, str] = {
    "handoff": "hand-off",
    "visit_gap": "next appointment",
    "calendar": "calendar gate",
    "capacity": "no free worker",
    "approval": "approval",
    "external": "outside service",
    "client": "the person",
}
#: The measures charted as XmR control charts, in order.
CHARTED = ("end_to_end", "fragmentation")


@attrs.frozen
class Headline:
    """The report's first sentence, and the numbers in it."""

    fragmentation_days: float | None
    median_end_to_end_days: float | None
    share: float | None
    perfect_flow_minutes: float | None
    mean_share: float | None
    contributors: tuple[tuple[Contributor, float], ...]
    text: str


@attrs.frozen(eq=False)
class Chart:
    """An XmR chart of a per-case measure over the cases in scope, in arrival order."""

    measure: str
    title: str
    unit: str
    chart: XmR


@attrs.frozen(eq=False)
class Report:
    """What :func:`pathway.analyse` finds in an event log; render with ``to_json``,
    ``to_markdown``, ``to_text`` or ``to_html``."""

    pathway: Pathway | None
    log_info: dict[str, Any]
    cases: CaseTable
    scope: B
    scope_label: str
    measures: dict[str, tuple[Summary, str]]
    headline: Headline
    attribution: Attribution
    waits_by_cause: dict[str, float]
    demand: dict[str, Any]
    work: dict[str, Any]
    appointments: dict[str, Any]
    outcomes: list[dict[str, Any]]
    repeated_items: dict[str, tuple[int, int]] | None
    charts: tuple[Chart, ...]
    journey: Journey | None

    @property
    def n_scope(self) -> int:
        """How many cases the journey measures cover."""
        return int(self.scope.sum())

    def title_of_step(self, step: str) -> str:
        """A step's title from the pathway, else its id in plain words."""
        if self.pathway is not None and step in self.pathway.steps:
            return self.pathway.steps[step].title
        return step.replace("_", " ")

    def title_of_role(self, role: str) -> str:
        """A role's title from the pathway, else its id in plain words."""
        if self.pathway is not None and role in self.pathway.roles:
            return self.pathway.roles[role].title
        return role.replace("_", " ")

    def to_dict(self) -> dict[str, Any]:
        """The JSON document as Python data (see docs/reference/report-json.md)."""
        from pathway._report._json import report_dict

        return report_dict(self)

    def to_json(self, *, indent: int | None = 2) -> str:
        """The report as JSON with schema ``pathway-report/1``."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)

    def to_markdown(self) -> str:
        """The report as Markdown (tables; fit to paste into a pull request)."""
        from pathway._report._markdown import report_markdown

        return report_markdown(self)

    def to_text(self, *, width: int = 100, color: bool = False) -> str:
        """The report as terminal text: rich tables when rich is installed, else plain."""
        from pathway._report._text import report_text

        return report_text(self, width=width, color=color)

    def to_html(self) -> str:
        """A self-contained HTML page (inline CSS and SVG, no script, no network)."""
        from pathway._report._html import report_html

        return report_html(self)


def build_report(
    log: EventLog,
    pathway: Pathway | None = None,
    *,
    change_at: int | datetime | None = None,
    screen_outliers: bool = False,
) -> Report:
    """Analyse ``log`` (see :func:`pathway._analysis.analyse`)."""
    table = case_table(log, pathway)
    scope = table.finished.copy()
    label = "cases that reached an outcome"
    if not scope.any():
        scope[:] = True
        label = "all cases (none has reached an outcome yet)"
    values = table.measures()
    measures = {
        name: (summarise(values[name][0][scope]), unit)
        for name, (_label, unit) in MEASURES.items()
        if name in values
    }
    attribution = attribute(log, scope)
    return Report(
        pathway=pathway,
        log_info=_log_info(log, table),
        cases=table,
        scope=scope,
        scope_label=label,
        measures=measures,
        headline=_headline(table, scope, attribution, pathway),
        attribution=attribution,
        waits_by_cause=_waits_by_cause(table, scope),
        demand=_demand(log, table),
        work=_work(log),
        appointments=_appointments(log),
        outcomes=_outcomes(log, table),
        repeated_items=(dict(repeated_items(log, pathway, scope)) if pathway is not None else None),
        charts=_charts(table, scope, _rebase_index(table, scope, change_at), screen_outliers),
        journey=_typical_journey(log, table, scope, pathway),
    )


def _log_info(log: EventLog, table: CaseTable) -> dict[str, Any]:
    first, last = log.first_at, log.last_at
    return {
        "events": len(log),
        "cases": len(table),
        "finished": int(table.finished.sum()),
        "in_flight": int((~table.finished).sum()),
        "first_event": first.isoformat() if first else None,
        "last_event": last.isoformat() if last else None,
    }


def _median(values: npt.NDArray[np.float64]) -> float | None:
    clean = values[~np.isnan(values)]
    return float(np.median(clean)) if clean.size else None


def _headline(
    table: CaseTable, scope: B, attribution: Attribution, pathway: Pathway | None
) -> Headline:
    n = int(scope.sum())
    fragmentation = _median(table.fragmentation[scope] / DAY_MINUTES)
    e2e = _median(table.end_to_end[scope] / DAY_MINUTES)
    share = fragmentation / e2e if fragmentation is not None and e2e else None
    total_e2e = float(table.end_to_end[scope].sum())
    mean_share = float(table.fragmentation[scope].sum()) / total_e2e if total_e2e else None
    top = tuple((c, c.minutes / max(n, 1) / DAY_MINUTES) for c in attribution.contributors[:3])
    perfect = _median(table.value_work[scope])
    return Headline(
        fragmentation_days=fragmentation,
        median_end_to_end_days=e2e,
        share=share,
        perfect_flow_minutes=perfect,
        mean_share=mean_share,
        contributors=top,
        text=_headline_text(fragmentation, e2e, share, perfect, top, pathway),
    )


def plain_days(days: float) -> str:
    """``2.3 days``, ``1 day``, ``5.5 hours`` or ``40 minutes``: a duration in words."""
    if days >= 1:
        text = f"{days:.1f}".rstrip("0").rstrip(".")
        return f"{text} day" + ("" if text == "1" else "s")
    hours = days * 24
    if hours >= 1:
        text = f"{hours:.1f}".rstrip("0").rstrip(".")
        return f"{text} hour" + ("" if text == "1" else "s")
    return plain_minutes(days * DAY_MINUTES)


def plain_minutes(minutes: float) -> str:
    """``1 h 45 min`` or ``25 min``: a short duration in words."""
    whole = round(minutes)
    hours, rest = divmod(whole, 60)
    if hours >= 24:
        return plain_days(minutes / DAY_MINUTES)
    if hours:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{whole} min"


def contributor_words(
    contributor: Contributor, pathway: Pathway | None, *, short: bool = False
) -> str:
    """A contributor in plain words: "the wait between X and Y (causes)" or "waste work
    at X"; ``short`` names only the step waited for."""

    def title(step: str) -> str:
        if pathway is not None and step in pathway.steps:
            return pathway.steps[step].title
        return step.replace("_", " ")

    if contributor.kind == "step":
        return f"waste work at '{title(contributor.key)}'"
    source, _arrow, target = contributor.key.partition(" → ")
    causes = ", ".join(CAUSE_NAMES.get(c, c) for c in contributor.by_cause)
    if source == "(start)" or short:
        return f"the wait before '{title(target)}' ({causes})"
    return f"the wait between '{title(source)}' and '{title(target)}' ({causes})"


def _headline_text(
    fragmentation: float | None,
    e2e: float | None,
    share: float | None,
    perfect: float | None,
    top: Sequence[tuple[Contributor, float]],
    pathway: Pathway | None,
) -> str:
    if fragmentation is None or e2e is None:
        return "No case in this log has a journey to measure yet."
    sentences = [
        f"Fragmentation adds {plain_days(fragmentation)} to the median journey of "
        f"{plain_days(e2e)}" + (f" ({share:.0%} of it)." if share is not None else ".")
    ]
    if perfect is not None:
        sentences.append(
            f"Perfect flow (value work only) would take {plain_minutes(perfect)} for the "
            "median case."
        )
    if top:
        parts = [
            f"{contributor_words(c, pathway, short=True)}, {plain_days(days)} per case on average"
            for c, days in top
        ]
        lead = "The largest contributor is " if len(parts) == 1 else "The largest contributors are "
        sentences.append(lead + "; ".join(parts) + ".")
    return " ".join(sentences)


def _waits_by_cause(table: CaseTable, scope: B) -> dict[str, float]:
    return {
        cause: float(table.waits[scope, index].sum()) for index, cause in enumerate(table.causes)
    }


def _demand(log: EventLog, table: CaseTable) -> dict[str, Any]:
    value = len(table)
    by_kind = {demand: int(table.failure[:, i].sum()) for i, demand in enumerate(DEMANDS)}
    failure = sum(by_kind.values())
    total = value + failure
    return {
        "value": value,
        "failure": failure,
        "failure_by_kind": by_kind,
        "value_share": value / total if total else None,
        "failure_share": failure / total if total else None,
        "failure_events": len(log.rows_of(FAILURE_DEMAND)),
    }


def _work(log: EventLog) -> dict[str, Any]:
    rows = log.rows_of(STEP_COMPLETED)
    codes = log.codes["work"][rows].astype(np.int64)
    minutes = minutes_between(log.started[rows], log.at[rows])
    known = codes >= 0
    steps = np.bincount(codes[known], minlength=len(WORK_CLASSES))
    time = sum_by(codes[known], minutes[known], len(WORK_CLASSES))
    step_total, time_total = int(steps.sum()), float(time.sum())
    return {
        "steps": {w: int(steps[i]) for i, w in enumerate(WORK_CLASSES)},
        "minutes": {w: float(time[i]) for i, w in enumerate(WORK_CLASSES)},
        "step_share": {
            w: (int(steps[i]) / step_total if step_total else None)
            for i, w in enumerate(WORK_CLASSES)
        },
        "time_share": {
            w: (float(time[i]) / time_total if time_total else None)
            for i, w in enumerate(WORK_CLASSES)
        },
        "unclassified_steps": int((~known).sum()),
    }


def _appointments(log: EventLog) -> dict[str, Any]:
    labels = log.labels("requested_by")
    result: dict[str, Any] = {}
    for name, kind in (("attended", VISIT_ATTENDED), ("missed", VISIT_MISSED)):
        codes = log.codes["requested_by"][log.rows_of(kind)].astype(np.int64)
        counts = np.bincount(codes + 1, minlength=len(labels) + 1)
        result[name] = {label: int(counts[i + 1]) for i, label in enumerate(labels)}
        result[name]["unknown"] = int(counts[0])
    total = {k: result["attended"][k] + result["missed"][k] for k in result["attended"]}
    known = sum(v for k, v in total.items() if k != "unknown")
    booked = sum(total.values())
    result["by_requester"] = total
    result["share"] = {
        k: (v / known if known else None) for k, v in total.items() if k != "unknown"
    }
    missed = sum(result["missed"].values())
    result["dna_rate"] = missed / booked if booked else None
    result["dna_rate_by_requester"] = {
        k: (result["missed"][k] / v if v else None) for k, v in total.items()
    }
    return result


def _outcomes(log: EventLog, table: CaseTable) -> list[dict[str, Any]]:
    """Per outcome (``None``: still open): cases, share and median end-to-end days."""
    steps = log.labels("step")
    e2e = table.end_to_end / DAY_MINUTES
    rows: list[dict[str, Any]] = []
    for code in np.unique(table.outcome):
        chosen = table.outcome == code
        rows.append(
            {
                "outcome": steps[int(code)] if code >= 0 else None,
                "cases": int(chosen.sum()),
                "share": float(chosen.mean()) if len(table) else None,
                "median_end_to_end_days": _median(e2e[chosen]) if code >= 0 else None,
            }
        )
    rows.sort(key=lambda r: (-r["cases"], str(r["outcome"])))
    return rows


def _rebase_index(table: CaseTable, scope: B, change_at: int | datetime | None) -> list[int]:
    """Where limits are recalculated, as an index into the charted (in-scope) cases."""
    if change_at is None:
        return []
    if isinstance(change_at, datetime):
        starts = table.start[scope]
        return [int(np.searchsorted(starts, nanoseconds(change_at)))]
    return [int(np.searchsorted(np.flatnonzero(scope), change_at))]


def _charts(table: CaseTable, scope: B, rebase: list[int], screen: bool) -> tuple[Chart, ...]:
    values = table.measures()
    charts = []
    for name in CHARTED:
        series = values[name][0][scope]
        if series.size == 0 or np.isnan(series).any():
            continue
        title, unit = MEASURES[name]
        chart = xmr(series, rebase=rebase, screen_outliers=screen)
        charts.append(Chart(name, title, unit, chart))
    return tuple(charts)


def typical_case(table: CaseTable, scope: B) -> int | None:
    """The in-scope case whose end-to-end time is closest to the median (earliest wins)."""
    candidates = np.flatnonzero(scope)
    if candidates.size == 0:
        return None
    e2e = table.end_to_end[candidates]
    median = float(np.median(e2e))
    return int(candidates[int(np.argmin(np.abs(e2e - median)))])


def _typical_journey(
    log: EventLog, table: CaseTable, scope: B, pathway: Pathway | None
) -> Journey | None:
    index = typical_case(table, scope)
    return journey_of(log, index, pathway) if index is not None else None
