"""Fidelity to the sources: the Recovery Hub pathways against the figures they report.

``recovery-hub-2017.yaml`` is calibrated on the Check figures of source 000 (its
assumption parameters were set so these come out); ``recovery-hub-2018.yaml`` is run
unchanged, and what it predicts is set beside what was observed after Roll-in. Run it as
``pathway simulate --fidelity`` or ``python -m pathway._sim._fidelity``.

Definitions (what each observed figure is compared with):

* visits: attendances of cases that end with a prescription (the source's 3-4 visits
  describe that journey); both the mean and the share with 3 or 4 are shown.
* contact to assessment: first contact to the start of the full assessment.
* prescription: first contact to the prescription (cases that get one).
* upper control limit: XmR individuals chart over cases in arrival order,
  mean + 2.66 x mean moving range (as Vanguard and NHS "Making Data Count" use).
* DNA: booked visits missed / booked visits (missed + attended).
* failure demand: the person's failure-demand contacts (progress chases, and coming
  back to rebook a missed visit when the person rather than the service rebooks it) /
  all the person's contacts with the service (attendances and failure-demand contacts).
* service-requested appointments: attendances the service asked for / all attendances
  except each case's walk-in first contact (a visit the client rebooked after missing
  it is at the client's request).
* time to services: first contact to services in place or a prescription.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from pathway._define._load import load
from pathway._sim._api import simulate
from pathway._sim._result import SimulationResult, t_quantile

__all__ = ["FidelityRow", "fidelity", "main", "render"]

DAY = 1440.0
SERVICES = ("prescribed", "services_in_place")


@attrs.frozen
class FidelityRow:
    """One figure: what the source observed and what the simulation gives (with 95% CI)."""

    pathway: str
    measure: str
    observed: str
    predicted: float
    low: float | None
    high: float | None
    unit: str
    role: str  # "calibrated", "input", "check", "not used" or "prediction"

    def shown(self) -> str:
        """The predicted value with its interval, formatted for the table."""
        text = _fmt(self.predicted, self.unit)
        if self.low is not None and self.high is not None:
            text += f" ({_fmt(self.low, self.unit)}-{_fmt(self.high, self.unit)})"
        return text


def _fmt(value: float, unit: str) -> str:
    if unit == "%":
        return f"{100 * value:.0f}%"
    if unit == "h:m":
        return f"{int(value // 60)} h {round(value % 60):02d} m"
    return f"{value:.1f}"


def _ucl(values: Any) -> float:
    import numpy as np

    if len(values) < 2:
        return math.nan
    moving = np.abs(np.diff(values))
    return float(values.mean() + 2.66 * moving.mean())


def _per_replication(result: SimulationResult, measure: Any) -> list[float]:
    return [float(measure(result.measures(r))) for r in range(result.replications)]


def _row(
    pathway: str,
    name: str,
    observed: str,
    values: list[float],
    unit: str,
    role: str,
) -> FidelityRow:
    finite = [v for v in values if math.isfinite(v)]
    mean = sum(finite) / len(finite) if finite else math.nan
    low = high = None
    if len(finite) > 1:
        sd = math.sqrt(sum((v - mean) ** 2 for v in finite) / (len(finite) - 1))
        half = t_quantile(len(finite) - 1) * sd / math.sqrt(len(finite))
        low, high = mean - half, mean + half
    return FidelityRow(pathway, name, observed, mean, low, high, unit, role)


# ----------------------------------------------------------------------------- measures


def _done(m: dict[str, Any], outcomes: Sequence[str]) -> Any:
    import numpy as np

    return m["in_window"] & np.isin(m["outcome"].astype(str), list(outcomes))


def _days_to(m: dict[str, Any], outcomes: Sequence[str]) -> Any:
    keep = _done(m, outcomes)
    return m["end_to_end_minutes"][keep] / DAY


def _mean(values: Any) -> float:
    return float(values.mean()) if len(values) else math.nan


def _median(values: Any) -> float:
    import numpy as np

    return float(np.median(values)) if len(values) else math.nan


def _dna_share(m: dict[str, Any]) -> float:
    window = m["in_window"]
    missed, kept = m["dnas"][window].sum(), m["appointments"][window].sum()
    return float(missed / (missed + kept)) if missed + kept else math.nan


def _failure_share(m: dict[str, Any]) -> float:
    window = m["in_window"]
    failure = sum(
        m[f"failure_{kind}"][window].sum() for kind in ("chase", "re_presentation", "re_referral")
    )
    contacts = m["visits"][window].sum() + failure
    return float(failure / contacts) if contacts else math.nan


def _chase_share(m: dict[str, Any]) -> float:
    window = m["in_window"]
    chases = m["failure_chase"][window].sum()
    failure = chases + m["failure_re_presentation"][window].sum()
    return float(chases / failure) if failure else math.nan


def _service_requested(m: dict[str, Any]) -> float:
    window = m["in_window"]
    service = m["visits_service"][window].sum()
    client = m["visits_client"][window].sum() - window.sum()  # less one walk-in per case
    total = service + max(0, client)
    return float(service / total) if total else math.nan


def _to_assessment(m: dict[str, Any]) -> Any:
    import numpy as np

    values = m["to_full_assessment_minutes"][m["in_window"]] / DAY
    return values[np.isfinite(values)]


def _prescription_visits(m: dict[str, Any]) -> Any:
    return m["visits"][_done(m, ["prescribed"])]


# ---------------------------------------------------------------------------------- run


def fidelity(
    old: str | Path = "pathways/recovery-hub-2017.yaml",
    new: str | Path = "pathways/recovery-hub-2018.yaml",
    *,
    cases: int = 20_000,
    replications: int = 5,
    seed: int = 2017,
) -> list[FidelityRow]:
    """Simulate both Recovery Hub pathways and compare them with the sources' figures."""
    warmup = "8w"
    before = simulate(
        load(Path(old)),
        cases=cases,
        seed=seed,
        replications=replications,
        warmup=warmup,
        milestones=["full_assessment"],
    )
    after = simulate(load(Path(new)), cases=cases, seed=seed, replications=replications,
                     warmup=warmup)  # fmt: skip
    rows = _rows_2017(before) + _rows_2018(after)
    return rows


def _rows_2017(r: SimulationResult) -> list[FidelityRow]:
    name = "2017 (Check)"

    def per(measure: Any) -> list[float]:
        return _per_replication(r, measure)

    return [
        _row(name, "visits, prescription cases (mean)", "3-4",
             per(lambda m: _mean(_prescription_visits(m))), "n", "calibrated"),
        _row(name, "prescription cases with 3 or 4 visits", "3-4 visits",
             per(lambda m: _mean((_prescription_visits(m) >= 3) & (_prescription_visits(m) <= 4))),
             "%", "calibrated"),
        _row(name, "contact to assessment, mean (days)", "11",
             per(lambda m: _mean(_to_assessment(m))), "d", "calibrated"),
        _row(name, "contact to assessment, UCL (days)", "26",
             per(lambda m: _ucl(_to_assessment(m))), "d", "calibrated"),
        _row(name, "to a prescription, mean (days)", "18",
             per(lambda m: _mean(_days_to(m, ["prescribed"]))), "d", "calibrated"),
        _row(name, "to a prescription, UCL (days)", "78",
             per(lambda m: _ucl(_days_to(m, ["prescribed"]))), "d", "calibrated"),
        _row(name, "booked visits not attended (DNA)", "32%", per(_dna_share), "%", "input"),
        _row(name, "failure demand share of contacts", "19%", per(_failure_share), "%",
             "calibrated"),
        _row(name, "failure demand that is chasing", "mostly", per(_chase_share), "%", "check"),
        _row(name, "appointments requested by the service", "91%", per(_service_requested), "%",
             "calibrated"),
        _row(name, "to a prescription, median (days)", "18",
             per(lambda m: _median(_days_to(m, ["prescribed"]))), "d", "check"),
        _row(name, "to services, median (days)", "24",
             per(lambda m: _median(_days_to(m, SERVICES))), "d", "not used"),
    ]  # fmt: skip


def _rows_2018(r: SimulationResult) -> list[FidelityRow]:
    name = "2018 (Roll-in)"

    def per(measure: Any) -> list[float]:
        return _per_replication(r, measure)

    def one_visit(m: dict[str, Any]) -> float:
        return _mean(_prescription_visits(m) == 1)

    def same_visit_time(m: dict[str, Any]) -> float:
        keep = _done(m, ["prescribed"]) & (m["visits"] == 1)
        return _median(m["end_to_end_minutes"][keep])

    return [
        _row(name, "prescription cases done in one visit", "one visit", per(one_visit), "%",
             "prediction"),
        _row(name, "end to end when done in one visit, median", "1 h 45 m (perfect flow)",
             per(same_visit_time), "h:m", "prediction"),
        _row(name, "to services, median (days)", "7",
             per(lambda m: _median(_days_to(m, SERVICES))), "d", "prediction"),
        _row(name, "to a prescription, median (days)", "4",
             per(lambda m: _median(_days_to(m, ["prescribed"]))), "d", "prediction"),
        _row(name, "visits, prescription cases (mean)", "one",
             per(lambda m: _mean(_prescription_visits(m))), "n", "prediction"),
        _row(name, "failure demand share of contacts", "-", per(_failure_share), "%",
             "prediction"),
    ]  # fmt: skip


def render(rows: Sequence[FidelityRow]) -> str:
    """A plain-text table: pathway, measure, observed, simulated (95% CI), role."""
    header = ("pathway", "measure", "observed", "simulated (95% CI)", "")
    table = [header] + [(r.pathway, r.measure, r.observed, r.shown(), r.role) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in table]  # fmt: skip
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m pathway._sim._fidelity [OLD NEW]``: print the table."""
    args = list(sys.argv[1:] if argv is None else argv)
    rows = fidelity(*args[:2]) if len(args) >= 2 else fidelity()
    print(render(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
