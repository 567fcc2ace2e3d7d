"""Behavioural diff: both pathways simulated on the same cohort, measured case by case.

The simulator's common random numbers give every case the same arrival, facts and
per-case random draws in both pathways, so each measure is compared *paired*: the
difference is taken case by case (for cases that finished in both), then summarised with
a 95% confidence interval. Means use a t-interval on the paired differences (on the
replication means when there are several replications); medians use a seeded paired
bootstrap. A difference is significant when its interval excludes zero.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from concurrent.futures import Executor
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

import pathway._sim._layout as L
from pathway._diff._cohort import CohortChange
from pathway._diff._places import PlacesDiff
from pathway._model._pathway import Pathway
from pathway._sim._api import Progress, simulate
from pathway._sim._result import SimulationResult, t_quantile
from pathway._vocab import FRAGMENTATION_CAUSES, MINUTES_PER_DAY, WAIT_CAUSES, WORK_CLASSES
from pathway.errors import DefinitionError, Problem

__all__ = ["MEASURES", "BehaviouralDiff", "Comparison", "behavioural_diff"]

#: measure -> (label, unit, lower is better)
MEASURES: Mapping[str, tuple[str, str, bool]] = {
    "end_to_end_days": ("end-to-end time", "days", True),
    "fragmentation_days": ("fragmentation delay", "days", True),
    "wait_days": ("waiting time", "days", True),
    "touch_minutes": ("touch time", "minutes", True),
    "flow_efficiency": ("flow efficiency", "share", False),
    "visits": ("visits", "visits", True),
    "handoffs": ("hand-offs", "hand-offs", True),
    "dnas": ("missed appointments", "appointments", True),
    "failure_demand": ("failure demand contacts", "contacts", True),
    "repeated_collection": ("items of information collected again", "items", True),
}
BOOTSTRAP_SAMPLES = 400
Z95 = 1.959963984540054


@attrs.frozen(slots=True)
class Comparison:
    """One measure, old against new, with the paired difference and its interval."""

    measure: str
    label: str
    unit: str
    cases: int
    old_median: float
    new_median: float
    old_mean: float
    new_mean: float
    mean_difference: float
    mean_ci: tuple[float, float]
    median_difference: float
    median_ci: tuple[float, float]
    lower_is_better: bool = True

    @property
    def significant(self) -> bool:
        """True when the interval of the mean difference excludes zero."""
        low, high = self.mean_ci
        return low > 0 or high < 0

    @property
    def direction(self) -> str:
        """``increased``, ``decreased`` or ``unchanged`` (not significant)."""
        if not self.significant:
            return "unchanged"
        return "increased" if self.mean_difference > 0 else "decreased"

    @property
    def visible(self) -> bool:
        """True when the change shows in the figures as people read them: the medians
        (one place) or the means (two places) differ once rounded. A significant change
        smaller than that is not listed as a change."""
        medians = _fmt(self.old_median, self.unit) != _fmt(self.new_median, self.unit)
        means = _fmt(self.old_mean, self.unit, 2) != _fmt(self.new_mean, self.unit, 2)
        return medians or means

    @property
    def better(self) -> bool | None:
        """Whether the new pathway is significantly better (None when no change)."""
        if not self.significant:
            return None
        return (self.mean_difference < 0) == self.lower_is_better

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with ``significant`` and ``direction``."""
        data = attrs.asdict(self)
        data.update(significant=self.significant, direction=self.direction)
        data["mean_ci"], data["median_ci"] = list(self.mean_ci), list(self.median_ci)
        return {k: _finite(v) for k, v in data.items()}


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


@attrs.frozen(slots=True)
class BehaviouralDiff:
    """Both simulations and every measure compared; ``by_outcome`` times each outcome;
    ``places`` the time in each setting and the load on each role of both (when
    measured: see :mod:`pathway._diff._places`)."""

    cases: int
    seed: int
    replications: int
    paired_cases: int
    comparisons: tuple[Comparison, ...]
    by_outcome: tuple[Comparison, ...]
    waits_by_cause: Mapping[str, tuple[float, float]]
    old_result: Any = attrs.field(repr=False)
    new_result: Any = attrs.field(repr=False)
    places: PlacesDiff | None = None
    #: people versus demands and checkpoint rounds, cohort against cohort (none when
    #: the event logs were not kept: see :func:`pathway._report._build.diff`)
    cohort: tuple[CohortChange, ...] = ()

    def get(self, measure: str) -> Comparison:
        """The comparison of one measure (KeyError naming the choices if unknown)."""
        for item in (*self.comparisons, *self.by_outcome):
            if item.measure == measure:
                return item
        known = ", ".join(c.measure for c in (*self.comparisons, *self.by_outcome))
        raise KeyError(f"no measure {measure!r}; measures: {known}")

    def headline(self) -> list[str]:
        """Plain sentences: the outcome times first, then visits, hand-offs, delay."""
        sentences = [_sentence(c) for c in self.by_outcome]
        for name in (
            "end_to_end_days",
            "visits",
            "handoffs",
            "fragmentation_days",
            "failure_demand",
        ):
            sentences.append(_sentence(self.get(name)))
        return sentences

    def to_dict(self) -> dict[str, Any]:
        """The ``behaviour`` part of the diff JSON."""
        return {
            "cases": self.cases,
            "seed": self.seed,
            "replications": self.replications,
            "paired_cases": self.paired_cases,
            "headline": self.headline(),
            "measures": [c.to_dict() for c in self.comparisons],
            "by_outcome": [c.to_dict() for c in self.by_outcome],
            "waits_by_cause_days": {k: list(v) for k, v in self.waits_by_cause.items()},
            "places": self.places.to_dict() if self.places is not None else None,
            "cohort": [c.to_dict() for c in self.cohort],
        }


def _sentence(c: Comparison) -> str:
    """The change in one measure, said by its median, or by its mean when the medians
    are the same (counts that are zero for most people), never a change of 0 to 0."""
    unit = c.unit if c.unit != "share" else ""
    old, new = _fmt(c.old_median, c.unit), _fmt(c.new_median, c.unit)
    low, high = c.mean_ci
    interval = f"95% CI of the mean change {_fmt(low, c.unit)} to {_fmt(high, c.unit)}"
    if c.direction == "unchanged" or not c.visible:
        if old == new:
            return f"median {c.label} stays the same ({old} {unit}; no significant change)"
        return _tidy(
            f"median {c.label} moves from {old} to {new} {unit}, but the change is not "
            f"significant ({c.cases} people; {interval})"
        )
    verb = {"increased": "rises", "decreased": "falls"}[c.direction]
    if old == new:
        return _tidy(
            f"mean {c.label} per person {verb} from {_fmt(c.old_mean, c.unit, 2)} to "
            f"{_fmt(c.new_mean, c.unit, 2)} {unit} (the median is {old} in both; {interval})"
        )
    low, high = c.median_ci
    return _tidy(
        f"median {c.label} {verb} from {old} to {new} {unit} (95% CI of the median change "
        f"{_fmt(low, c.unit)} to {_fmt(high, c.unit)})"
    )


def _tidy(text: str) -> str:
    return text.replace("  ", " ").replace(" ,", ",").replace(" (", " (").replace(" ;", ";")


def _fmt(value: float, unit: str, places: int = 1) -> str:
    if not math.isfinite(value):
        return "n/a"
    if unit == "share":
        return f"{value:.0%}"
    return f"{value:.{places}f}" if abs(value) < 100 else f"{value:,.0f}"


def check_compatible(old: Pathway, new: Pathway) -> None:
    """Raise DefinitionError when the two pathways cannot be run on one cohort."""
    problems = []
    for pathway in (old, new):
        if pathway.arrivals is None:
            problems.append(
                Problem(
                    "this pathway declares no arrivals, so no cohort can be simulated",
                    pathway.source,
                    field="arrivals",
                    expected="'arrivals: {rate: 3/d}'",
                    suggestion="declare arrivals, or compare structure only with --no-simulate",
                    code="no-arrivals",
                )
            )
    shared = old.facts.keys() & new.facts.keys()
    if (old.facts or new.facts) and not shared:
        problems.append(
            Problem(
                "the two pathways have no facts in common, so they cannot share a cohort",
                new.source,
                field="facts",
                expected=f"some of {', '.join(sorted(old.facts)) or 'none'}",
                found=", ".join(sorted(new.facts)) or "none",
                suggestion="declare the same facts (names and distributions) in both",
                code="no-common-cohort",
            )
        )
    if problems:
        raise DefinitionError(problems)


def behavioural_diff(
    old: Pathway,
    new: Pathway,
    *,
    cases: int = 2000,
    seed: int = 0,
    replications: int = 1,
    executor: Executor | None = None,
    events: tuple[str | Path, str | Path] | None = None,
    progress: Progress | None = None,
    start: date | str | None = None,
) -> BehaviouralDiff:
    """Simulate ``old`` and ``new`` on the same cohort and compare every measure.

    ``progress(done, total)`` is called as the simulations go, over both pathways
    (``total`` counts every case of both runs); ``start`` is the first simulated day.
    Raises :class:`DefinitionError` when the pathways cannot share a cohort (no
    arrivals, no facts in common) and :class:`MissingExtraError` without the ``sim``
    extra.
    """
    check_compatible(old, new)
    runs = [
        simulate(
            p,
            cases=cases,
            seed=seed,
            replications=replications,
            executor=executor,
            events=events[i] if events else None,
            progress=_half(progress, i),
            start=start,
        )
        for i, p in enumerate((old, new))
    ]
    return _compare(runs[0], runs[1], cases, seed, replications)


def _half(progress: Progress | None, index: int) -> Progress | None:
    """The progress of run ``index`` (0 old, 1 new) as its half of both runs' work."""
    if progress is None:
        return None
    report = progress

    def half(done: int, total: int) -> None:
        report(index * total + done, 2 * total)

    return half


def _compare(
    old: SimulationResult, new: SimulationResult, cases: int, seed: int, reps: int
) -> BehaviouralDiff:
    per_rep = [(_derived(old, r), _derived(new, r)) for r in range(reps)]
    comparisons = tuple(_measure(name, per_rep, seed) for name in MEASURES)
    outcomes = [o for o in old.outcomes if o in new.outcomes]
    by_outcome = tuple(c for c in (_outcome(o, per_rep, seed) for o in outcomes) if c is not None)
    both = per_rep[0][0]["_keep"] & per_rep[0][1]["_keep"]
    waits: dict[str, tuple[float, float]] = {
        cause: (
            float(np.mean(per_rep[0][0][f"wait_{cause}"][both])) if both.any() else math.nan,
            float(np.mean(per_rep[0][1][f"wait_{cause}"][both])) if both.any() else math.nan,
        )
        for cause in WAIT_CAUSES
    }
    return BehaviouralDiff(
        cases, seed, reps, int(both.sum()), comparisons, by_outcome, waits, old, new
    )


def _first_demands(result: SimulationResult, replication: int) -> int:
    """How many rows are the cohort's first demands: they come first, one per person,
    in the same order in both runs; returns (new demands of the same people) follow and
    differ between the pathways, so the paired comparison is over the first demands."""
    person = result.outputs[replication].times[:, L.MF_PERSON]
    first = person == np.arange(len(person))
    return int(np.argmin(first)) if not first.all() else len(person)


def _derived(result: SimulationResult, replication: int) -> dict[str, Any]:
    rows = _first_demands(result, replication)
    m = {name: values[:rows] for name, values in result.measures(replication).items()}
    e2e = np.asarray(m["end_to_end_minutes"], dtype=float)
    waits = {
        c: np.asarray(m[f"wait_{c}_minutes"], dtype=float) / MINUTES_PER_DAY for c in WAIT_CAUSES
    }
    waste = sum(np.asarray(m[f"{w}_minutes"], dtype=float) for w in WORK_CLASSES[1:])
    handoffs = sum(np.asarray(v, dtype=float) for k, v in m.items() if k.startswith("handoffs_"))
    failures = sum(np.asarray(v, dtype=float) for k, v in m.items() if k.startswith("failure_"))
    values: dict[str, Any] = {
        "_keep": np.asarray(m["in_window"] & m["finished"], dtype=bool),
        "_outcome": m["outcome"],
        "end_to_end_days": e2e / MINUTES_PER_DAY,
        "fragmentation_days": sum(waits[c] for c in FRAGMENTATION_CAUSES) + waste / MINUTES_PER_DAY,
        "wait_days": sum(waits.values()),
        "touch_minutes": np.asarray(m["touch_minutes"], dtype=float),
        "flow_efficiency": np.divide(
            np.asarray(m["value_minutes"], dtype=float), e2e, out=np.zeros(len(e2e)), where=e2e > 0
        ),
        "visits": np.asarray(m["visits"], dtype=float),
        "handoffs": handoffs,
        "dnas": np.asarray(m["dnas"], dtype=float),
        "failure_demand": failures,
        "repeated_collection": np.asarray(m["repeated_collection"], dtype=float),
    }
    values.update({f"wait_{c}": waits[c] for c in WAIT_CAUSES})
    return values


def _measure(
    name: str, per_rep: list[tuple[dict[str, Any], dict[str, Any]]], seed: int
) -> Comparison:
    label, unit, lower = MEASURES[name]
    pairs = [
        (o[name][o["_keep"] & n["_keep"]], n[name][o["_keep"] & n["_keep"]]) for o, n in per_rep
    ]
    return _comparison(name, label, unit, lower, pairs, seed)


def _outcome(
    outcome: str, per_rep: list[tuple[dict[str, Any], dict[str, Any]]], seed: int
) -> Comparison | None:
    pairs = []
    for o, n in per_rep:
        both = o["_keep"] & n["_keep"] & (o["_outcome"] == outcome) & (n["_outcome"] == outcome)
        pairs.append((o["end_to_end_days"][both], n["end_to_end_days"][both]))
    if sum(len(p[0]) for p in pairs) < 2:
        return None
    label = f"time to {outcome.replace('_', ' ')}"
    return _comparison(f"to_{outcome}_days", label, "days", True, pairs, seed)


def _comparison(
    name: str,
    label: str,
    unit: str,
    lower: bool,
    pairs: list[tuple[npt.NDArray[Any], npt.NDArray[Any]]],
    seed: int,
) -> Comparison:
    old = np.concatenate([p[0] for p in pairs]) if pairs else np.zeros(0)
    new = np.concatenate([p[1] for p in pairs]) if pairs else np.zeros(0)
    if len(old) == 0:
        nan = math.nan
        return Comparison(
            name, label, unit, 0, nan, nan, nan, nan, nan, (nan, nan), nan, (nan, nan), lower
        )
    mean_diff, mean_ci = _mean_interval(pairs)
    median_diff = float(np.median(new) - np.median(old))
    return Comparison(
        name,
        label,
        unit,
        len(old),
        float(np.median(old)),
        float(np.median(new)),
        float(np.mean(old)),
        float(np.mean(new)),
        mean_diff,
        mean_ci,
        median_diff,
        _median_interval(old, new, seed),
        lower,
    )


def _mean_interval(
    pairs: list[tuple[npt.NDArray[Any], npt.NDArray[Any]]],
) -> tuple[float, tuple[float, float]]:
    if len(pairs) > 1:
        diffs = np.array([float(np.mean(n - o)) if len(o) else math.nan for o, n in pairs])
        return _t_interval(diffs[np.isfinite(diffs)])
    old, new = pairs[0]
    return _t_interval(new - old)


def _t_interval(diffs: np.ndarray) -> tuple[float, tuple[float, float]]:
    n = len(diffs)
    mean = float(np.mean(diffs)) if n else math.nan
    if n < 2:
        return mean, (math.nan, math.nan)
    quantile = t_quantile(n - 1) if n <= 1000 else Z95
    half = quantile * float(np.std(diffs, ddof=1)) / math.sqrt(n)
    return mean, (mean - half, mean + half)


def _median_interval(old: np.ndarray, new: np.ndarray, seed: int) -> tuple[float, float]:
    if len(old) < 2:
        return (math.nan, math.nan)
    rng = np.random.default_rng(seed)
    size = min(len(old), 5000)
    stats = np.empty(BOOTSTRAP_SAMPLES)
    for i in range(BOOTSTRAP_SAMPLES):
        pick = rng.integers(0, len(old), size=size)
        stats[i] = np.median(new[pick]) - np.median(old[pick])
    low, high = np.quantile(stats, [0.025, 0.975])
    return float(low), float(high)
