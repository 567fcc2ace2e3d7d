"""Model against observed for simulations, and the sensitivity of a file's predictions.

:func:`simulated_comparisons` sets every figure a pathway file declares (``observed:``)
beside the same figure computed on each replication of a simulation (the numbers come
from :mod:`pathway._analysis._observed`); :func:`fidelity` runs files the way their
calibration was run (20 000 cases x 5 replications, seed 2017, an 8-week warm-up) and
returns each file's comparisons. ``pathway simulate FILE`` prints them for any file with
observed figures; ``pathway simulate --fidelity [FILE...]`` runs the calibration settings.

``sensitivity`` (``python -m pathway._report._fidelity --sensitivity``) moves each untuned
assumption of the Recovery Hub 2018 file by plus and minus 25%, one at a time, and shows
how each of its predictions (its ``observed`` figures used as ``prediction``) moves. The
assumption movers below are particular to that file: they edit its parsed YAML.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from pathway._analysis._observed import Comparison, compare, simulation_frame, steps_timed
from pathway._define._load import load
from pathway._define._yaml import parse_yaml, read_text
from pathway._model._distributions import parse_duration
from pathway._model._pathway import Pathway
from pathway._report._observed import figure_words, observed_lines, value_words
from pathway._sim._api import simulate
from pathway._sim._result import SimulationResult

__all__ = [
    "CALIBRATION",
    "HUB",
    "SensitivityRow",
    "fidelity",
    "main",
    "predictions",
    "render",
    "render_sensitivity",
    "sensitivity",
    "simulated_comparisons",
]

#: How the shipped files' observed figures were reproduced: cases per replication,
#: replications, seed and warm-up.
CALIBRATION: Mapping[str, Any] = {"cases": 20_000, "replications": 5, "seed": 2017,
                                  "warmup": "8w"}  # fmt: skip


HUB = ("pathways/recovery-hub-2017.yaml", "pathways/recovery-hub-2018.yaml")


def simulated_comparisons(result: SimulationResult, pathway: Pathway) -> tuple[Comparison, ...]:
    """The pathway's observed figures beside the simulation's, one frame per replication
    (the simulation must have been run with the milestones :func:`steps_timed` names)."""
    frames = []
    for replication in range(result.replications):
        # each column computed when a figure asks for it, not all at once (a million
        # cases: a few MB per column instead of every measure together)
        frames.append(simulation_frame(result._measure_getters(replication), result.warmup))
    return compare(pathway.observed, frames)


def fidelity(
    *files: str | Path,
    cases: int = int(CALIBRATION["cases"]),
    replications: int = int(CALIBRATION["replications"]),
    seed: int = int(CALIBRATION["seed"]),
    warmup: str = str(CALIBRATION["warmup"]),
) -> list[tuple[Pathway, tuple[Comparison, ...]]]:
    """Simulate each file and compare it with its observed figures."""
    found = []
    for file in files:
        model = load(Path(file))
        result = simulate(model, cases=cases, seed=seed, replications=replications,
                          warmup=warmup, milestones=steps_timed(model))  # fmt: skip
        found.append((model, simulated_comparisons(result, model)))
    return found


def render(found: Sequence[tuple[Pathway, tuple[Comparison, ...]]]) -> str:
    """Each file's model-against-observed table, titled with the file's title."""
    blocks = []
    for model, comparisons in found:
        lines = observed_lines(comparisons, model, "simulation")
        blocks.append("\n".join([model.title, *lines]))
    return "\n\n".join(blocks)


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
            "-" if v is None else value_words(v, self.unit)
            for v in (self.low, self.base, self.high)
        )


Change = Callable[[dict[str, Any], float], None]


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
    """Each prediction (an observed figure used as ``prediction``) of the pathway
    ``data`` describes, by its words, as simulated."""
    model = load(data)
    result = simulate(model, cases=cases, seed=seed, replications=replications,
                      warmup=CALIBRATION["warmup"], milestones=steps_timed(model))  # fmt: skip
    return {figure_words(c.observed, model): c.value for c in simulated_comparisons(result, model)
            if c.observed.used_as == "prediction"}  # fmt: skip


def predictions(model: Pathway) -> list[tuple[str, str]]:
    """The pathway's predictions (observed figures used as ``prediction``): their words
    and the unit of their values."""
    return [(figure_words(f, model), f.unit_of_value) for f in model.observed
            if f.used_as == "prediction"]  # fmt: skip


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
    shown = predictions(load(base))
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
        for measure, unit in shown
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
        for measure, unit in shown
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
    """``python -m pathway._report._fidelity [--sensitivity] [-n N] [FILE...]``: print each
    file's model against observed (default the two Recovery Hub files), or with
    ``--sensitivity`` the sensitivity table of the 2018 file (or the one FILE)."""
    args = list(sys.argv[1:] if argv is None else argv)
    cases = 20_000
    if "-n" in args:
        at = args.index("-n")
        cases = int(args[at + 1])
        del args[at : at + 2]
    wanted = "--sensitivity" in args
    files = [arg for arg in args if arg != "--sensitivity"]
    if wanted:
        print(render_sensitivity(sensitivity(*files[-1:], cases=cases)))
    else:
        print(render(fidelity(*(files or HUB), cases=cases)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
