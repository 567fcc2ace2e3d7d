"""Cohort summaries of an event log: demand, work, appointments, outcomes, the typical case.

Numbers only; the report (:mod:`pathway._report`) puts them into words.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from pathway._analysis._cases import (
    FAILURE_DEMAND,
    STEP_COMPLETED,
    VISIT_ATTENDED,
    VISIT_MISSED,
    CaseTable,
    minutes_between,
)
from pathway._analysis._people import people
from pathway._analysis._stats import sum_by
from pathway._journal._eventlog import EventLog, nanoseconds
from pathway._vocab import DEMANDS, MINUTES_PER_DAY, WORK_CLASSES

__all__ = [
    "appointment_counts",
    "appointments",
    "appointments_of",
    "demand",
    "demand_of",
    "info_of",
    "log_info",
    "median",
    "outcomes",
    "outcomes_of",
    "rebase_index",
    "typical_case",
    "waits_by_cause",
    "work",
    "work_of",
]

B = npt.NDArray[np.bool_]


def log_info(log: EventLog, table: CaseTable) -> dict[str, Any]:
    return info_of(len(log), log.first_at, log.last_at, table)


def info_of(
    events: int, first: datetime | None, last: datetime | None, table: CaseTable
) -> dict[str, Any]:
    """How many events and cases, how many finished, and the first and last times."""
    return {
        "events": events,
        "cases": len(table),
        "finished": int(table.finished.sum()),
        "in_flight": int((~table.finished).sum()),
        "first_event": first.isoformat() if first else None,
        "last_event": last.isoformat() if last else None,
    }


def median(values: npt.NDArray[np.float64]) -> float | None:
    clean = values[~np.isnan(values)]
    return float(np.median(clean)) if clean.size else None


def waits_by_cause(table: CaseTable, scope: B) -> dict[str, float]:
    return {
        cause: float(table.waits[scope, index].sum()) for index, cause in enumerate(table.causes)
    }


def demand(log: EventLog, table: CaseTable) -> dict[str, Any]:
    """Value and failure demand, and people versus demands (see :mod:`._people`)."""
    found = people(log, table.total_failure, table.finished)
    result = demand_of(table, len(log.rows_of(FAILURE_DEMAND)), found["returns"])
    result["people"] = found
    return result


def demand_of(table: CaseTable, failure_events: int, returns: int = 0) -> dict[str, Any]:
    """Value and failure demand from the case table, the count of failure events and
    the cases that are themselves failure demand (``returns``: not value demand)."""
    value = len(table) - returns
    by_kind = {demand: int(table.failure[:, i].sum()) for i, demand in enumerate(DEMANDS)}
    failure = sum(by_kind.values())
    total = value + failure
    return {
        "value": value,
        "failure": failure,
        "failure_by_kind": by_kind,
        "value_share": value / total if total else None,
        "failure_share": failure / total if total else None,
        "failure_events": failure_events,
    }


def work(log: EventLog) -> dict[str, Any]:
    rows = log.rows_of(STEP_COMPLETED)
    codes = log.codes["work"][rows].astype(np.int64)
    return work_of(codes, minutes_between(log.started[rows], log.at[rows]))


def work_of(codes: npt.NDArray[np.int64], minutes: npt.NDArray[np.float64]) -> dict[str, Any]:
    """Steps and minutes by work class from every completed step's work code (-1: none)
    and minutes, in log order."""
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


def appointment_counts(log: EventLog) -> dict[str, dict[str, int]]:
    """Visits attended and missed, by who asked for them (``unknown``: not recorded)."""
    labels = log.labels("requested_by")
    result: dict[str, dict[str, int]] = {}
    for name, kind in (("attended", VISIT_ATTENDED), ("missed", VISIT_MISSED)):
        codes = log.codes["requested_by"][log.rows_of(kind)].astype(np.int64)
        counts = np.bincount(codes + 1, minlength=len(labels) + 1)
        result[name] = {label: int(counts[i + 1]) for i, label in enumerate(labels)}
        result[name]["unknown"] = int(counts[0])
    return result


def appointments(log: EventLog) -> dict[str, Any]:
    return appointments_of(appointment_counts(log))


def appointments_of(counts: dict[str, dict[str, int]]) -> dict[str, Any]:
    """The appointments section from :func:`appointment_counts` (or their sums)."""
    result: dict[str, Any] = {name: dict(by) for name, by in counts.items()}
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


def outcomes(log: EventLog, table: CaseTable) -> list[dict[str, Any]]:
    """Per outcome (``None``: still open): cases, share and median end-to-end days."""
    return outcomes_of(log.labels("step"), table)


def outcomes_of(steps: tuple[str, ...], table: CaseTable) -> list[dict[str, Any]]:
    """Per outcome (``table.outcome`` codes into ``steps``): cases, share, median days."""
    e2e = table.end_to_end / MINUTES_PER_DAY
    rows: list[dict[str, Any]] = []
    for code in np.unique(table.outcome):
        chosen = table.outcome == code
        rows.append(
            {
                "outcome": steps[int(code)] if code >= 0 else None,
                "cases": int(chosen.sum()),
                "share": float(chosen.mean()) if len(table) else None,
                "median_end_to_end_days": median(e2e[chosen]) if code >= 0 else None,
            }
        )
    rows.sort(key=lambda r: (-r["cases"], str(r["outcome"])))
    return rows


def rebase_index(table: CaseTable, scope: B, change_at: int | datetime | None) -> list[int]:
    """Where limits are recalculated, as an index into the charted (in-scope) cases."""
    if change_at is None:
        return []
    if isinstance(change_at, datetime):
        starts = table.start[scope]
        return [int(np.searchsorted(starts, nanoseconds(change_at)))]
    return [int(np.searchsorted(np.flatnonzero(scope), change_at))]


def typical_case(table: CaseTable, scope: B) -> int | None:
    """The in-scope case whose end-to-end time is closest to the median (earliest wins)."""
    candidates = np.flatnonzero(scope)
    if candidates.size == 0:
        return None
    e2e = table.end_to_end[candidates]
    median = float(np.median(e2e))
    return int(candidates[int(np.argmin(np.abs(e2e - median)))])
