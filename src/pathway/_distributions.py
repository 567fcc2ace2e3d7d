"""Durations, rates and probability distributions as users write them in YAML.

Durations read as ``45m``, ``2h``, ``3d``, ``1w`` and combinations (``1h 45m``,
``1d2h``); a day is 24 hours of calendar time, a week 7 days. Internally every duration is
a float number of **minutes**.

Distributions are one-key mappings (``{lognormal: {median: 40m, p90: 70m}}``) or a fixed
duration. Fact distributions (for synthetic cohorts) add ``bernoulli``, ``categorical``,
``randint`` and ``normal``. Parsing raises :class:`ValueError` with a message that says
what was expected and what was found; the spec layer turns it into a located problem.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

import attrs

from pathway.errors import did_you_mean

__all__ = [
    "MINUTES_PER_UNIT",
    "Bernoulli",
    "Categorical",
    "Distribution",
    "Empirical",
    "Exponential",
    "Fixed",
    "Lognormal",
    "Normal",
    "RandInt",
    "Triangular",
    "Uniform",
    "format_duration",
    "parse_duration",
    "parse_duration_distribution",
    "parse_fact_distribution",
    "parse_rate",
]

MINUTES_PER_UNIT: Mapping[str, float] = {
    "s": 1 / 60,
    "sec": 1 / 60,
    "m": 1.0,
    "min": 1.0,
    "h": 60.0,
    "hr": 60.0,
    "d": 1440.0,
    "day": 1440.0,
    "days": 1440.0,
    "w": 10080.0,
    "wk": 10080.0,
    "week": 10080.0,
    "weeks": 10080.0,
}
_PART = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*")
_Z90 = 1.2815515655446004  # standard normal quantile at 0.9
_DURATION_EXAMPLE = "a duration like '45m', '2h', '3d', '1w' or '1h 45m'"


def parse_duration(value: object) -> float:
    """Return ``value`` (``'1h 45m'``, or the number 0) in minutes; raise ValueError."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"expected {_DURATION_EXAMPLE}, found {value!r}")
    if isinstance(value, int | float):
        if value == 0:
            return 0.0
        raise ValueError(
            f"expected {_DURATION_EXAMPLE}, found the bare number {value!r}; "
            f"add a unit, e.g. '{value}m'"
        )
    return _parse_duration_text(value)


def _parse_duration_text(text: str) -> float:
    stripped = text.strip().lower()
    if stripped in {"0", "0.0"}:
        return 0.0
    position, total = 0, 0.0
    while position < len(stripped):
        match = _PART.match(stripped, position)
        if match is None or match.group(2) not in MINUTES_PER_UNIT:
            raise ValueError(f"expected {_DURATION_EXAMPLE}, found {text!r}")
        total += float(match.group(1)) * MINUTES_PER_UNIT[match.group(2)]
        position = match.end()
    if position == 0:
        raise ValueError(f"expected {_DURATION_EXAMPLE}, found {text!r}")
    return total


def format_duration(minutes: float) -> str:
    """Render minutes the way users write them: ``105`` -> ``'1h 45m'``."""
    if minutes < 1:
        return f"{round(minutes * 60)}s" if minutes > 0 else "0m"
    parts: list[str] = []
    remaining = round(minutes)
    for unit, size in (("d", 1440), ("h", 60), ("m", 1)):
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count}{unit}")
    return " ".join(parts)


def parse_rate(value: object) -> float:
    """Return an arrival rate (``'5/d'``, ``'12 per week'``) as arrivals per minute."""
    if not isinstance(value, str):
        raise ValueError(f"expected a rate like '5/d' or '12/w', found {value!r}")
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:/|per)\s*([a-z]+)\s*", value.lower())
    if match is None or match.group(2) not in MINUTES_PER_UNIT:
        raise ValueError(f"expected a rate like '5/d' or '12/w', found {value!r}")
    return float(match.group(1)) / MINUTES_PER_UNIT[match.group(2)]


class Distribution(Protocol):
    """A distribution a simulation can draw from; ``mean`` is used for nominal times."""

    def sample(self, rng: random.Random) -> object: ...

    def mean(self) -> float: ...

    def describe(self) -> str: ...


@attrs.frozen(slots=True)
class Fixed:
    """Always the same value."""

    value: float

    def sample(self, rng: random.Random) -> float:
        return self.value

    def mean(self) -> float:
        return self.value

    def describe(self) -> str:
        return format_duration(self.value)


@attrs.frozen(slots=True)
class Uniform:
    """Uniform between ``low`` and ``high``."""

    low: float
    high: float

    def sample(self, rng: random.Random) -> float:
        return rng.uniform(self.low, self.high)

    def mean(self) -> float:
        return (self.low + self.high) / 2

    def describe(self) -> str:
        return f"uniform {format_duration(self.low)} to {format_duration(self.high)}"


@attrs.frozen(slots=True)
class Exponential:
    """Exponential with the given mean (memoryless waits, Poisson gaps)."""

    mean_value: float

    def sample(self, rng: random.Random) -> float:
        return rng.expovariate(1 / self.mean_value) if self.mean_value > 0 else 0.0

    def mean(self) -> float:
        return self.mean_value

    def describe(self) -> str:
        return f"exponential, mean {format_duration(self.mean_value)}"


@attrs.frozen(slots=True)
class Lognormal:
    """Lognormal with log-mean ``mu`` and log-sd ``sigma`` (skewed waits and durations)."""

    mu: float
    sigma: float

    def sample(self, rng: random.Random) -> float:
        return rng.lognormvariate(self.mu, self.sigma)

    def mean(self) -> float:
        return math.exp(self.mu + self.sigma**2 / 2)

    def describe(self) -> str:
        median = math.exp(self.mu)
        p90 = math.exp(self.mu + _Z90 * self.sigma)
        return f"lognormal, median {format_duration(median)}, p90 {format_duration(p90)}"


@attrs.frozen(slots=True)
class Triangular:
    """Triangular between ``low`` and ``high`` with the given ``mode``."""

    low: float
    mode: float
    high: float

    def sample(self, rng: random.Random) -> float:
        return rng.triangular(self.low, self.high, self.mode)

    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    def describe(self) -> str:
        parts = (format_duration(v) for v in (self.low, self.mode, self.high))
        return "triangular " + "/".join(parts)


@attrs.frozen(slots=True)
class Empirical:
    """One of the observed ``values``, with optional relative ``weights``."""

    values: tuple[object, ...]
    weights: tuple[float, ...]

    def sample(self, rng: random.Random) -> object:
        return rng.choices(self.values, weights=self.weights)[0]

    def mean(self) -> float:
        numeric = [float(v) for v in self.values if isinstance(v, int | float)]
        if len(numeric) != len(self.values):
            return math.nan
        return sum(v * w for v, w in zip(numeric, self.weights, strict=True)) / sum(self.weights)

    def describe(self) -> str:
        return f"empirical ({len(self.values)} values)"


@attrs.frozen(slots=True)
class Bernoulli:
    """True with probability ``p``."""

    p: float

    def sample(self, rng: random.Random) -> bool:
        return rng.random() < self.p

    def mean(self) -> float:
        return self.p

    def describe(self) -> str:
        return f"true with probability {self.p:g}"


@attrs.frozen(slots=True)
class Categorical:
    """One of the named categories with the given relative weights."""

    categories: tuple[str, ...]
    weights: tuple[float, ...]

    def sample(self, rng: random.Random) -> str:
        return rng.choices(self.categories, weights=self.weights)[0]

    def mean(self) -> float:
        return math.nan

    def describe(self) -> str:
        total = sum(self.weights)
        pairs = zip(self.categories, self.weights, strict=True)
        shares = (f"{category} {weight / total:.0%}" for category, weight in pairs)
        return ", ".join(shares)


@attrs.frozen(slots=True)
class RandInt:
    """A whole number between ``low`` and ``high`` inclusive."""

    low: int
    high: int

    def sample(self, rng: random.Random) -> int:
        return rng.randint(self.low, self.high)

    def mean(self) -> float:
        return (self.low + self.high) / 2

    def describe(self) -> str:
        return f"whole number {self.low} to {self.high}"


@attrs.frozen(slots=True)
class Normal:
    """Normal with ``mean_value`` and ``sd`` (fact values only; never a duration)."""

    mean_value: float
    sd: float

    def sample(self, rng: random.Random) -> float:
        return rng.gauss(self.mean_value, self.sd)

    def mean(self) -> float:
        return self.mean_value

    def describe(self) -> str:
        return f"normal, mean {self.mean_value:g}, sd {self.sd:g}"


DURATION_KINDS = ("fixed", "uniform", "exponential", "lognormal", "triangular", "empirical")
FACT_KINDS = ("fixed", "bernoulli", "categorical", "uniform", "randint", "normal", "empirical")


def _single_kind(value: Mapping[object, object], kinds: Sequence[str]) -> tuple[str, object]:
    if len(value) != 1:
        found = ", ".join(repr(k) for k in value) or "an empty mapping"
        raise ValueError(f"expected exactly one of {', '.join(kinds)}, found {found}")
    ((kind, params),) = value.items()
    if kind not in kinds:
        guess = did_you_mean(str(kind), kinds)
        hint = f"; did you mean {guess!r}?" if guess else ""
        raise ValueError(f"expected one of {', '.join(kinds)}, found {kind!r}{hint}")
    return str(kind), params


def _pair(params: object, kind: str, what: str) -> tuple[object, object]:
    if isinstance(params, list) and len(params) == 2:
        return params[0], params[1]
    if isinstance(params, Mapping) and set(params) == {"min", "max"}:
        return params["min"], params["max"]
    shape = f"[{what}, {what}] or {{min: ..., max: ...}}"
    raise ValueError(f"{kind}: expected {shape}, found {params!r}")


def _fields(params: object, kind: str, names: Sequence[str]) -> list[object]:
    if not isinstance(params, Mapping) or set(params) != set(names):
        wanted = ", ".join(names)
        raise ValueError(f"{kind}: expected a mapping with {wanted}, found {params!r}")
    return [params[name] for name in names]


def _ordered(low: float, high: float, kind: str) -> None:
    if not low <= high:
        raise ValueError(f"{kind}: expected the low value first, found {low:g} > {high:g}")


def parse_duration_distribution(value: object) -> Distribution:
    """Parse a duration or a duration distribution; raise ValueError saying what's wrong."""
    if not isinstance(value, Mapping):
        return Fixed(parse_duration(value))
    kind, params = _single_kind(value, DURATION_KINDS)
    return _DURATION_PARSERS[kind](params)


def _duration_fixed(params: object) -> Distribution:
    return Fixed(parse_duration(params))


def _duration_uniform(params: object) -> Distribution:
    low, high = (parse_duration(v) for v in _pair(params, "uniform", "duration"))
    _ordered(low, high, "uniform")
    return Uniform(low, high)


def _duration_exponential(params: object) -> Distribution:
    (mean,) = _fields(params, "exponential", ["mean"])
    return Exponential(parse_duration(mean))


def _duration_lognormal(params: object) -> Distribution:
    if isinstance(params, Mapping) and set(params) == {"mean", "sd"}:
        mean, sd = parse_duration(params["mean"]), parse_duration(params["sd"])
        if mean <= 0:
            raise ValueError("lognormal: expected a mean above zero, found 0")
        sigma2 = math.log(1 + (sd / mean) ** 2)
        return Lognormal(math.log(mean) - sigma2 / 2, math.sqrt(sigma2))
    median, p90 = (parse_duration(v) for v in _fields(params, "lognormal", ["median", "p90"]))
    if not 0 < median < p90:
        raise ValueError(
            f"lognormal: expected 0 < median < p90, found median {format_duration(median)}, "
            f"p90 {format_duration(p90)}"
        )
    return Lognormal(math.log(median), (math.log(p90) - math.log(median)) / _Z90)


def _duration_triangular(params: object) -> Distribution:
    if isinstance(params, list) and len(params) == 3:
        low, mode, high = (parse_duration(v) for v in params)
    else:
        raw = _fields(params, "triangular", ["min", "mode", "max"])
        low, mode, high = (parse_duration(v) for v in raw)
    if not low <= mode <= high:
        raise ValueError("triangular: expected min <= mode <= max")
    return Triangular(low, mode, high)


def _empirical(params: object, convert: type[float] | None) -> Empirical:
    if isinstance(params, Mapping) and set(params) == {"values", "weights"}:
        values, weights = params["values"], params["weights"]
    else:
        values, weights = params, None
    if not isinstance(values, list) or not values:
        raise ValueError(f"empirical: expected a non-empty list of values, found {values!r}")
    parsed = tuple(parse_duration(v) for v in values) if convert else tuple(values)
    return Empirical(parsed, _weights(weights, len(parsed), "empirical"))


def _weights(weights: object, count: int, kind: str) -> tuple[float, ...]:
    if weights is None:
        return (1.0,) * count
    if not isinstance(weights, list) or len(weights) != count:
        raise ValueError(f"{kind}: expected {count} weights, one per value, found {weights!r}")
    checked = tuple(_probability_like(w, kind) for w in weights)
    if sum(checked) <= 0:
        raise ValueError(f"{kind}: expected weights with a positive total, found {weights!r}")
    return checked


def _probability_like(value: object, kind: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise ValueError(f"{kind}: expected a non-negative number, found {value!r}")
    if math.isinf(value):
        raise ValueError(f"{kind}: expected a finite number, found {value!r}")
    return float(value)


_Parser = Callable[[object], Distribution]
_DURATION_PARSERS: dict[str, _Parser] = {
    "fixed": _duration_fixed,
    "uniform": _duration_uniform,
    "exponential": _duration_exponential,
    "lognormal": _duration_lognormal,
    "triangular": _duration_triangular,
    "empirical": lambda params: _empirical(params, float),
}


def parse_fact_distribution(value: object) -> Distribution:
    """Parse a fact distribution (``{bernoulli: 0.6}``...); raise ValueError if wrong."""
    if not isinstance(value, Mapping):
        raise ValueError(
            "expected a distribution like {bernoulli: 0.6}, {categorical: {low: 3, high: 1}}, "
            f"{{uniform: [18, 70]}}, {{randint: [1, 5]}} or {{fixed: value}}, found {value!r}"
        )
    kind, params = _single_kind(value, FACT_KINDS)
    return _FACT_PARSERS[kind](params)


def _number(value: object, kind: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ValueError(f"{kind}: expected a number, found {value!r}")
    return float(value)


def _fact_bernoulli(params: object) -> Distribution:
    p = _number(params, "bernoulli")
    if not 0 <= p <= 1:
        raise ValueError(f"bernoulli: expected a probability between 0 and 1, found {p:g}")
    return Bernoulli(p)


def _fact_categorical(params: object) -> Distribution:
    if not isinstance(params, Mapping) or not params:
        raise ValueError(f"categorical: expected a mapping of category: weight, found {params!r}")
    categories = tuple(str(key) for key in params)
    return Categorical(categories, _weights(list(params.values()), len(categories), "categorical"))


def _fact_uniform(params: object) -> Distribution:
    low, high = (_number(v, "uniform") for v in _pair(params, "uniform", "number"))
    _ordered(low, high, "uniform")
    return Uniform(low, high)


def _fact_randint(params: object) -> Distribution:
    low, high = _pair(params, "randint", "whole number")
    if not (_is_whole(low) and _is_whole(high)):
        raise ValueError(f"randint: expected two whole numbers, found {params!r}")
    assert isinstance(low, int)
    assert isinstance(high, int)
    _ordered(low, high, "randint")
    return RandInt(low, high)


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _fact_normal(params: object) -> Distribution:
    mean, sd = (_number(v, "normal") for v in _fields(params, "normal", ["mean", "sd"]))
    if sd < 0:
        raise ValueError(f"normal: expected sd >= 0, found {sd:g}")
    return Normal(mean, sd)


@attrs.frozen(slots=True)
class FixedValue:
    """A fact that always has the same value in a synthetic cohort."""

    value: object

    def sample(self, rng: random.Random) -> object:
        return self.value

    def mean(self) -> float:
        return float(self.value) if isinstance(self.value, int | float) else math.nan

    def describe(self) -> str:
        return f"always {self.value!r}"


_FACT_PARSERS: dict[str, _Parser] = {
    "fixed": FixedValue,
    "bernoulli": _fact_bernoulli,
    "categorical": _fact_categorical,
    "uniform": _fact_uniform,
    "randint": _fact_randint,
    "normal": _fact_normal,
    "empirical": lambda params: _empirical(params, None),
}
