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
* to a prescription: first contact to the prescription in hand (after the pharmacy);
  the one-visit time runs to the prescribing decision (the doctor's appointment ends and
  the prescription goes to the pharmacy), as the source's perfect flow does.

``sensitivity`` (``python -m pathway._sim._fidelity --sensitivity``) moves each untuned
assumption of the 2018 file by plus and minus 25%, one at a time, and shows how each
2018 prediction moves.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from pathway._define._load import load
from pathway._define._yaml import parse_yaml, read_text
from pathway._model._distributions import parse_duration
from pathway._sim._api import simulate
from pathway._sim._result import SimulationResult, t_quantile

__all__ = [
    "FidelityRow",
    "SensitivityRow",
    "fidelity",
    "main",
    "render",
    "render_sensitivity",
    "sensitivity",
]

DAY = 1440.0
SERVICES = ("prescribed", "services_in_place")
DECIDED = "prescription_to_pharmacy"  # the doctor has prescribed; the pharmacy wait follows


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
    if not math.isfinite(value):
        return "-"
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
                     warmup=warmup, milestones=[DECIDED])  # fmt: skip
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
        _row(name, "to a prescription, median (days)", "18 (3.5, old cases)",
             per(lambda m: _median(_days_to(m, ["prescribed"]))), "d", "check"),
        _row(name, "to services, median (days)", "24 (3.5, old cases)",
             per(lambda m: _median(_days_to(m, SERVICES))), "d", "check"),
    ]  # fmt: skip


def _rows_2018(r: SimulationResult) -> list[FidelityRow]:
    name = "2018 (Roll-in)"

    def per(measure: Any) -> list[float]:
        return _per_replication(r, measure)

    def one_visit(m: dict[str, Any]) -> float:
        return _mean(_prescription_visits(m) == 1)

    def same_visit_time(m: dict[str, Any]) -> float:
        keep = _done(m, ["prescribed"]) & (m["visits"] == 1)
        return _median(m[f"to_{DECIDED}_minutes"][keep])

    return [
        _row(name, "prescription cases done in one visit", "possible, < 50%", per(one_visit),
             "%", "prediction"),
        _row(name, "to the prescribing decision in one visit, median", "1 h 45 m (perfect flow)",
             per(same_visit_time), "h:m", "prediction"),
        _row(name, "to services, median (days)", "7",
             per(lambda m: _median(_days_to(m, SERVICES))), "d", "prediction"),
        _row(name, "to a prescription, median (days)", "4",
             per(lambda m: _median(_days_to(m, ["prescribed"]))), "d", "prediction"),
        _row(name, "visits, prescription cases (mean)", "-",
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


# -------------------------------------------------------------------------- sensitivity


@attrs.frozen
class SensitivityRow:
    """One 2018 prediction with one assumption moved down and up (``None``: not run)."""

    measure: str
    assumption: str
    low: float | None
    base: float
    high: float | None
    unit: str

    def shown(self) -> tuple[str, str, str]:
        """The three values, formatted for the table."""
        return tuple(  # type: ignore[return-value]
            "-" if v is None else _fmt(v, self.unit) for v in (self.low, self.base, self.high)
        )


Change = Callable[[dict[str, Any], float], None]
PREDICTIONS = (
    ("to a prescription, median (days)", "d"),
    ("to services, median (days)", "d"),
    ("prescription cases done in one visit", "%"),
    ("to the prescribing decision in one visit, median", "h:m"),
)


def _plain(value: Any) -> Any:
    """A parsed document's read-only mappings and tuples as plain dicts and lists."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _data(path: str | Path) -> dict[str, Any]:
    text, display = read_text(Path(path))
    data = _plain(parse_yaml(text, display).data)
    assert isinstance(data, dict)
    return data


def _scaled_durations(value: Any, factor: float) -> Any:
    """Every duration inside a wait (fixed or a distribution's parameters) times factor."""
    if isinstance(value, dict):
        return {key: _scaled_durations(item, factor) for key, item in value.items()}
    if isinstance(value, list):
        return [_scaled_durations(item, factor) for item in value]
    if isinstance(value, str):
        return f"{parse_duration(value) * factor:.6g}m"
    return value


def _doctor_share(data: dict[str, Any], factor: float) -> None:
    """Share needing a doctor times factor; the guarded shares follow (p is a share of all
    cases: the doctor's move scales with the share, the others with one minus it)."""
    fact = data["facts"]["needs_prescribing"]["distribution"]
    share = float(fact["bernoulli"])
    moved = min(1.0, share * factor)
    fact["bernoulli"] = moved
    for move in data["transitions"]:
        guard = str(move.get("when", ""))
        if "needs_prescribing" not in guard or "p" not in move:
            continue
        ratio = (1 - moved) / (1 - share) if guard.startswith("not needs_prescribing") else factor
        move["p"] = float(move["p"]) * ratio


def _arrival_rate(data: dict[str, Any], factor: float) -> None:
    """New presentations per open day times factor."""
    found = re.fullmatch(r"\s*([0-9.]+)\s*(.*)", str(data["arrivals"]["rate"]))
    assert found is not None
    data["arrivals"]["rate"] = f"{float(found.group(1)) * factor:.6g}/{found.group(2).lstrip('/')}"


def _clinic_hours(data: dict[str, Any], factor: float) -> None:
    """Each of the doctor's new-client clinics lasts factor times as long (same start)."""
    week = data["calendars"]["doctor_sessions"]["open"]

    def stretch(span: str) -> str:
        start, end = (int(t[:2]) * 60 + int(t[3:]) for t in span.strip().split("-"))
        end = start + round((end - start) * factor)
        return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"

    for days, hours in week.items():
        spans = hours if isinstance(hours, list) else str(hours).split(",")
        week[days] = [stretch(span) for span in spans]


def _external_waits(data: dict[str, Any], factor: float) -> None:
    """Every wait outside the hub's control (cause external: referrals, the pharmacy)."""
    for move in data["transitions"]:
        if move.get("cause") == "external" and "wait" in move:
            move["wait"] = _scaled_durations(move["wait"], factor)


_DOCTOR_DNA = ("dna", "dna_applies", "rebook_wait", "client_rebooks")


def _doctor_never_missed(data: dict[str, Any]) -> None:
    """One bound of "straight after where possible": nobody misses the doctor, even when
    the appointment is on a later day (the reading before ``dna_applies``)."""
    for move in data["transitions"]:
        if move["to"] == "doctor_appointment":
            for field in _DOCTOR_DNA:
                move.pop(field, None)


def _doctor_booked(data: dict[str, Any]) -> None:
    """The other bound: everyone is booked as in 2017 (a later date, 32% not attended),
    so nobody sees the doctor at once. The shipped file lies between the two: a missed
    visit only when the doctor cannot see the person on the day (``booked_later``)."""
    old = {"wait": "1d", "cause": "booking", "dna": 0.32, "client_rebooks": 0.4}
    for move in data["transitions"]:
        if move["to"] == "doctor_appointment":
            for field in _DOCTOR_DNA:
                move.pop(field, None)
            move.update(old)


BOUNDS: tuple[str, Callable[[dict[str, Any]], None], Callable[[dict[str, Any]], None]] = (
    "doctor's visit: never missed (low) / always booked for a later date as in 2017 (high)",
    _doctor_never_missed,
    _doctor_booked,
)
ASSUMPTIONS: tuple[tuple[str, Change], ...] = (
    ("share needing a doctor (0.6)", _doctor_share),
    ("arrival rate (3 a day)", _arrival_rate),
    ("doctor capacity (clinic hours)", _clinic_hours),
    ("external waits (referrals, pharmacy)", _external_waits),
)


def _predict(data: dict[str, Any], cases: int, replications: int, seed: int) -> dict[str, float]:
    result = simulate(load(data), cases=cases, seed=seed, replications=replications,
                      warmup="8w", milestones=[DECIDED])  # fmt: skip
    return {row.measure: row.predicted for row in _rows_2018(result)}


def sensitivity(
    new: str | Path = "pathways/recovery-hub-2018.yaml",
    *,
    cases: int = 20_000,
    replications: int = 5,
    seed: int = 2017,
    change: float = 0.25,
) -> list[SensitivityRow]:
    """Each 2018 prediction with each untuned assumption moved by -change and +change,
    one at a time (the rest as shipped; 2017 is not re-run: these are 2018's inputs).
    The first rows show the structural bounds of the missed doctor's visit: never missed
    (``low``) and every doctor's visit booked for a later date as in 2017 (``high``)."""
    base = _data(new)
    central = _predict(base, cases, replications, seed)
    moved: dict[tuple[str, float], dict[str, float]] = {}
    for name, apply in ASSUMPTIONS:
        for factor in (1 - change, 1 + change):
            data = _plain(base)
            apply(data, factor)
            moved[name, factor] = _predict(data, cases, replications, seed)
    name, lower, upper = BOUNDS
    low, high = _plain(base), _plain(base)
    lower(low)
    upper(high)
    below, above = (
        _predict(low, cases, replications, seed),
        _predict(high, cases, replications, seed),
    )
    bounds = [
        SensitivityRow(measure, name, below[measure], central[measure], above[measure], unit)
        for measure, unit in PREDICTIONS
    ]
    return bounds + [
        SensitivityRow(
            measure,
            name,
            moved[name, 1 - change][measure],
            central[measure],
            moved[name, 1 + change][measure],
            unit,
        )
        for measure, unit in PREDICTIONS
        for name, _ in ASSUMPTIONS
    ]


def render_sensitivity(rows: Sequence[SensitivityRow]) -> str:
    """Plain-text tables: each 2018 prediction with each assumption at -25%, as shipped
    and +25%; then the structural bound (rows without a ``low`` value)."""
    moved = [r for r in rows if r.low is not None]
    bounds = [r for r in rows if r.low is None]
    text = _table(
        ("2018 prediction", "assumption moved", "-25%", "as shipped", "+25%"),
        [(r.measure, r.assumption, *r.shown()) for r in moved],
    )
    if bounds:
        text += "\n\n" + _table(
            ("2018 prediction", "as shipped", bounds[0].assumption),
            [(r.measure, *r.shown()[1:]) for r in bounds],
        )
    return text


def _table(header: tuple[str, ...], body: Sequence[tuple[str, ...]]) -> str:
    table = [header, *body]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in table]  # fmt: skip
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m pathway._sim._fidelity [--sensitivity] [-n N] [OLD NEW]``: print the
    fidelity table, or with ``--sensitivity`` the 2018 sensitivity table."""
    args = list(sys.argv[1:] if argv is None else argv)
    cases = 20_000
    if "-n" in args:
        at = args.index("-n")
        cases = int(args[at + 1])
        del args[at : at + 2]
    wanted = "--sensitivity" in args
    files = [arg for arg in args if arg != "--sensitivity"]
    if len(files) != 2:
        files = ["pathways/recovery-hub-2017.yaml", "pathways/recovery-hub-2018.yaml"]
    if wanted:
        print(render_sensitivity(sensitivity(files[1], cases=cases)))
    else:
        print(render(fidelity(files[0], files[1], cases=cases)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
