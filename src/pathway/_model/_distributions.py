"""Durations, rates and probability distributions as users write them in YAML.

Durations read as ``45m``, ``2h``, ``3d``, ``1w`` and combinations (``1h 45m``,
``1d2h``); a day is 24 hours of calendar time, a week 7 days. Internally every duration is
a float number of **minutes**.

Distributions are one-key mappings (``{lognormal: {median: 40m, p90: 70m}}``) or a fixed
duration. Fact distributions (for synthetic cohorts) add ``bernoulli``, ``categorical``,
``randint`` and ``normal``. Parsing raises :class:`DistributionSyntaxError` (a
:class:`ValueError`) that says what was expected and what was found; the loader turns it
into a located problem.
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
    "DURATION_KINDS",
    "FACT_KINDS",
    "MAX_DURATION",
    "MAX_FACT_NUMBER",
    "MAX_RATE_PER_DAY",
    "MAX_SPREAD",
    "MAX_VALUES",
    "MINUTES_PER_UNIT",
    "RATE_UNITS",
    "RATE_UNITS_SINCE_2",
    "Bernoulli",
    "Categorical",
    "Distribution",
    "DistributionSyntaxError",
    "Empirical",
    "Exponential",
    "Fixed",
    "FixedValue",
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
    "rate_unit",
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
DAYS_PER_YEAR = 365
"""A year of arrivals, ``'2015/y'``, is 365 days; a month, ``'170/month'``, a twelfth of it."""
RATE_UNITS_SINCE_2: Mapping[str, float] = {
    "month": DAYS_PER_YEAR * 1440.0 / 12,
    "months": DAYS_PER_YEAR * 1440.0 / 12,
    "mo": DAYS_PER_YEAR * 1440.0 / 12,
    "y": DAYS_PER_YEAR * 1440.0,
    "yr": DAYS_PER_YEAR * 1440.0,
    "year": DAYS_PER_YEAR * 1440.0,
    "years": DAYS_PER_YEAR * 1440.0,
}
"""The units a rate may have beyond the duration units, added in format 2 (a month and a
year are not durations: they are averages over a 365-day year)."""
RATE_UNITS: Mapping[str, float] = {**MINUTES_PER_UNIT, **RATE_UNITS_SINCE_2}
"""Every unit of an arrival rate, in minutes: the duration units, month and year."""
MAX_DURATION = 100 * 366 * 1440.0
"""The longest duration pathway accepts, in minutes (100 years)."""
MAX_FACT_NUMBER = 1e15
"""The largest magnitude of a number in a fact distribution, and of a weight."""
MAX_SPREAD = 100_000
"""A lognormal's p90 may be at most this many times its median, and its sd this many
times its mean (wider ones overflow when drawn)."""
_UNIT_WORDS: Mapping[str, str] = {
    "second": "s",
    "seconds": "s",
    "secs": "s",
    "minute": "m",
    "minutes": "m",
    "mins": "m",
    "hour": "h",
    "hours": "h",
    "hrs": "h",
}
_PART = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-z]+)\s*")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
MAX_VALUES = 10_000
"""The most values an empirical distribution, or categories a categorical one, may list."""
MAX_RATE_PER_DAY = 100_000
"""The highest arrival rate pathway accepts, in arrivals per day."""
_Z90 = 1.2815515655446004  # standard normal quantile at 0.9
_DURATION_EXAMPLE = "a duration like '45m', '2h', '3d', '1w' or '1h 45m'"
_RATE_EXAMPLE = "a rate like '5/d', '12/w', '3 per h', '170/month' or '2015/y'"
_UNITS_HINT = "units are s (seconds), m (minutes), h (hours), d (days) and w (weeks)"
_RATE_UNITS_HINT = (
    "units are s (seconds), m (minutes), h (hours), d (days), w (weeks), month and y (years)"
)


class DistributionSyntaxError(ValueError):
    """A duration, rate or distribution is not written the way pathway reads it.

    ``what`` names what was being read: ``'duration'``, ``'rate'``, ``'distribution'`` or
    a distribution kind such as ``'lognormal'``. ``expected`` and ``found`` say what was
    wanted and what was written, ``suggestion`` is a fix or ``""``. The message is
    ``[<kind>: ]expected <expected>, found <found>[; <suggestion>]``.
    """

    def __init__(self, what: str, expected: str, found: str, suggestion: str = "") -> None:
        self.what = what
        self.expected = expected
        self.found = found
        self.suggestion = suggestion
        prefix = "" if what in {"duration", "rate", "distribution"} else f"{what}: "
        hint = f"; {suggestion}" if suggestion else ""
        super().__init__(f"{prefix}expected {expected}, found {found}{hint}")

    @property
    def code(self) -> str:
        """The problem code: ``invalid-duration``, ``invalid-rate`` or ``invalid-distribution``."""
        return (
            f"invalid-{self.what}"
            if self.what in {"duration", "rate"}
            else ("invalid-distribution")
        )

    @property
    def subject(self) -> str:
        """What the user was writing, for messages: ``'duration'``, ``'lognormal distribution'``."""
        return (
            self.what
            if self.what in {"duration", "rate", "distribution"}
            else (f"{self.what} distribution")
        )


def _shown(value: object) -> str:
    try:
        text = repr(value)
    except ValueError:  # an integer past Python's digit limit for text
        return "a number too large to show"
    return text if len(text) <= 60 else text[:57] + "..."


def _as_float(value: int | float) -> float:
    """``value`` as a float; ``inf`` for an integer too large for one."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def parse_duration(value: object) -> float:
    """Return ``value`` (``'1h 45m'``, or the number 0) in minutes.

    Raises :class:`DistributionSyntaxError` (a ValueError) for anything else: a bare
    number other than 0, an unknown unit, text that is not a duration, or a duration
    over :data:`MAX_DURATION`.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        hint = ""
        if isinstance(value, list) and len(value) == 2:
            hint = "for a range write {uniform: [low, high]}"
        raise DistributionSyntaxError("duration", _DURATION_EXAMPLE, _shown(value), hint)
    if isinstance(value, int | float):
        if value == 0:
            return 0.0
        finite = math.isfinite(_as_float(value)) and value > 0
        hint = f"add a unit, e.g. '{_shown(value)}m'" if finite else ""
        raise DistributionSyntaxError(
            "duration", _DURATION_EXAMPLE, f"the bare number {_shown(value)}", hint
        )
    minutes = _parse_duration_text(value)
    if minutes > MAX_DURATION:
        raise DistributionSyntaxError("duration", "a duration of at most 100 years", _shown(value))
    return minutes


def _parse_duration_text(text: str) -> float:
    stripped = text.strip().translate(_ASCII_LOWER)
    if stripped in {"0", "0.0"}:
        return 0.0
    position, total = 0, 0.0
    while position < len(stripped):
        match = _PART.match(stripped, position)
        if match is None or match.group(2) not in MINUTES_PER_UNIT:
            raise DistributionSyntaxError(
                "duration", _DURATION_EXAMPLE, _shown(text), _duration_hint(stripped)
            )
        total += float(match.group(1)) * MINUTES_PER_UNIT[match.group(2)]
        position = match.end()
    if position == 0:
        raise DistributionSyntaxError("duration", _DURATION_EXAMPLE, _shown(text))
    return total


def _duration_hint(text: str) -> str:
    """``did you mean '10m'?`` for ``10 minutes``; else the list of units, or ``""``."""
    if not re.fullmatch(r"(\s*[0-9]+(?:\.[0-9]+)?\s*[a-z]+\s*)+", text):
        return ""
    parts = _PART.findall(text)
    units = [_UNIT_WORDS.get(unit, unit) for _, unit in parts]
    if all(unit in MINUTES_PER_UNIT for unit in units):
        fixed = " ".join(f"{number}{unit}" for (number, _), unit in zip(parts, units, strict=True))
        return f"did you mean {fixed!r}?"
    return _UNITS_HINT


def format_duration(minutes: float) -> str:
    """Render minutes the way users write them: ``105`` -> ``'1h 45m'``.

    Whole minutes round-trip through :func:`parse_duration`; less than a minute is shown
    in seconds; a non-finite value is ``'unbounded'``.
    """
    if not math.isfinite(minutes):
        return "unbounded"
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
    """Return an arrival rate (``'5/d'``, ``'12 per week'``) as arrivals per minute.

    Raises :class:`DistributionSyntaxError` (a ValueError) for anything else, including
    a rate of zero and an unknown unit.
    """
    if not isinstance(value, str):
        raise DistributionSyntaxError("rate", _RATE_EXAMPLE, _shown(value))
    match = re.fullmatch(
        r"\s*([0-9]+(?:\.[0-9]+)?)\s*(?:/|per)\s*([a-z]+)\s*", value.translate(_ASCII_LOWER)
    )
    if match is None:
        raise DistributionSyntaxError("rate", _RATE_EXAMPLE, _shown(value))
    number, unit = float(match.group(1)), match.group(2)
    if unit not in RATE_UNITS:
        known = _UNIT_WORDS.get(unit)
        hint = f"did you mean '{match.group(1)}/{known}'?" if known else _RATE_UNITS_HINT
        raise DistributionSyntaxError("rate", _RATE_EXAMPLE, _shown(value), hint)
    if not 0 < number < math.inf:
        raise DistributionSyntaxError("rate", "a rate above zero", _shown(value))
    per_minute = number / RATE_UNITS[unit]
    if per_minute * MINUTES_PER_UNIT["d"] > MAX_RATE_PER_DAY:
        expected = f"a rate of at most {MAX_RATE_PER_DAY:,} per day"
        hint = f"did you mean '{match.group(1)}/month'?" if unit in {"m", "min"} else ""
        raise DistributionSyntaxError("rate", expected, _shown(value), hint)
    return per_minute


def rate_unit(value: str) -> str:
    """The unit of a rate :func:`parse_rate` accepts, in lower case: ``'2015/Y'`` -> ``'y'``."""
    match = re.fullmatch(
        r"\s*[0-9]+(?:\.[0-9]+)?\s*(?:/|per)\s*([a-z]+)\s*", value.translate(_ASCII_LOWER)
    )
    return match.group(1) if match is not None else ""


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
    """Uniform between ``low`` and ``high`` (minutes, or plain ``numbers`` for a fact)."""

    low: float
    high: float
    numbers: bool = attrs.field(default=False, eq=False, kw_only=True)

    def sample(self, rng: random.Random) -> float:
        return rng.uniform(self.low, self.high)

    def mean(self) -> float:
        return (self.low + self.high) / 2

    def describe(self) -> str:
        if self.numbers:
            return f"uniform {self.low:g} to {self.high:g}"
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
    expected = f"one of {', '.join(kinds)}"
    if len(value) != 1:
        found = _shown(list(value))[1:-1] or "an empty mapping"
        raise DistributionSyntaxError(
            "distribution", f"exactly one key, {expected}", found, "write e.g. {uniform: [1d, 5d]}"
        )
    ((kind, params),) = value.items()
    if kind not in kinds:
        guess = did_you_mean(str(kind), kinds)
        hint = f"did you mean {guess!r}?" if guess else ""
        raise DistributionSyntaxError("distribution", expected, _shown(kind), hint)
    return str(kind), params


def _pair(params: object, kind: str, what: str) -> tuple[object, object]:
    if isinstance(params, list) and len(params) == 2:
        return params[0], params[1]
    if isinstance(params, Mapping) and set(params) == {"min", "max"}:
        return params["min"], params["max"]
    shape = f"[{what}, {what}] or {{min: ..., max: ...}}"
    raise DistributionSyntaxError(kind, shape, _shown(params))


def _fields(params: object, kind: str, names: Sequence[str], alternative: str = "") -> list[object]:
    if not isinstance(params, Mapping) or set(params) != set(names):
        wanted = "{" + ", ".join(f"{name}: ..." for name in names) + "}"
        raise DistributionSyntaxError(kind, wanted + alternative, _shown(params))
    return [params[name] for name in names]


def _ordered(low: float, high: float, kind: str, show: Callable[[float], str]) -> None:
    if not low <= high:
        raise DistributionSyntaxError(
            kind, "the low value first", f"{show(low)} before {show(high)}"
        )


def _number_text(value: float) -> str:
    return f"{value:g}"


def parse_duration_distribution(value: object) -> Distribution:
    """Parse a duration or a duration distribution (``{lognormal: {...}}``...).

    Raises :class:`DistributionSyntaxError` (a ValueError) saying what is wrong.
    """
    if not isinstance(value, Mapping):
        return Fixed(parse_duration(value))
    kind, params = _single_kind(value, DURATION_KINDS)
    return _DURATION_PARSERS[kind](params)


def _duration_fixed(params: object) -> Distribution:
    return Fixed(parse_duration(params))


def _duration_uniform(params: object) -> Distribution:
    low, high = (parse_duration(v) for v in _pair(params, "uniform", "duration"))
    _ordered(low, high, "uniform", format_duration)
    return Uniform(low, high)


def _duration_exponential(params: object) -> Distribution:
    (mean,) = _fields(params, "exponential", ["mean"])
    return Exponential(parse_duration(mean))


def _duration_lognormal(params: object) -> Distribution:
    if isinstance(params, Mapping) and set(params) == {"mean", "sd"}:
        mean, sd = parse_duration(params["mean"]), parse_duration(params["sd"])
        if mean <= 0:
            raise DistributionSyntaxError("lognormal", "a mean above zero", _shown(params["mean"]))
        if sd > MAX_SPREAD * mean:
            found = f"mean {format_duration(mean)}, sd {format_duration(sd)}"
            raise DistributionSyntaxError(
                "lognormal", f"an sd of at most {MAX_SPREAD:,} times the mean", found
            )
        sigma2 = math.log1p((sd / mean) ** 2)
        return Lognormal(math.log(mean) - sigma2 / 2, math.sqrt(sigma2))
    names = ["median", "p90"]
    raw = _fields(params, "lognormal", names, " or {mean: ..., sd: ...}")
    median, p90 = (parse_duration(v) for v in raw)
    if not 0 < median < p90:
        found = f"median {format_duration(median)}, p90 {format_duration(p90)}"
        raise DistributionSyntaxError(
            "lognormal", "0 < median < p90", found, "the p90 is the value 9 in 10 stay below"
        )
    if p90 > MAX_SPREAD * median:
        found = f"median {format_duration(median)}, p90 {format_duration(p90)}"
        raise DistributionSyntaxError(
            "lognormal", f"a p90 of at most {MAX_SPREAD:,} times the median", found
        )
    return Lognormal(math.log(median), (math.log(p90) - math.log(median)) / _Z90)


def _duration_triangular(params: object) -> Distribution:
    if isinstance(params, list) and len(params) == 3:
        low, mode, high = (parse_duration(v) for v in params)
    else:
        names = ["min", "mode", "max"]
        raw = _fields(params, "triangular", names, " or [min, mode, max]")
        low, mode, high = (parse_duration(v) for v in raw)
    if not low <= mode <= high:
        found = "/".join(format_duration(v) for v in (low, mode, high))
        raise DistributionSyntaxError("triangular", "min <= mode <= max", found)
    return Triangular(low, mode, high)


def _empirical(params: object, convert: bool) -> Empirical:
    if isinstance(params, Mapping) and set(params) == {"values", "weights"}:
        values, weights = params["values"], params["weights"]
    else:
        values, weights = params, None
    if not isinstance(values, list) or not values:
        raise DistributionSyntaxError(
            "empirical",
            "a non-empty list of values (or {values: [...], weights: [...]})",
            _shown(values),
        )
    if len(values) > MAX_VALUES:
        expected = f"at most {MAX_VALUES:,} values"
        raise DistributionSyntaxError("empirical", expected, f"{len(values):,} values")
    parsed = tuple(parse_duration(v) for v in values) if convert else tuple(values)
    return Empirical(parsed, _weights(weights, len(parsed), "empirical"))


def _weights(weights: object, count: int, kind: str) -> tuple[float, ...]:
    if weights is None:
        return (1.0,) * count
    if not isinstance(weights, list) or len(weights) != count:
        raise DistributionSyntaxError(kind, f"{count} weights, one per value", _shown(weights))
    checked = tuple(_weight(w, kind) for w in weights)
    if sum(checked) <= 0:
        raise DistributionSyntaxError(kind, "weights with a positive total", _shown(weights))
    return checked


def _weight(value: object, kind: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise DistributionSyntaxError(kind, "a weight of zero or more", _shown(value))
    if _as_float(value) > MAX_FACT_NUMBER:
        raise DistributionSyntaxError(
            kind, f"a weight of at most {MAX_FACT_NUMBER:g}", _shown(value)
        )
    return float(value)


_Parser = Callable[[object], Distribution]
_DURATION_PARSERS: dict[str, _Parser] = {
    "fixed": _duration_fixed,
    "uniform": _duration_uniform,
    "exponential": _duration_exponential,
    "lognormal": _duration_lognormal,
    "triangular": _duration_triangular,
    "empirical": lambda params: _empirical(params, convert=True),
}
_FACT_EXAMPLES = (
    "a distribution like {bernoulli: 0.6}, {categorical: {low: 3, high: 1}}, "
    "{uniform: [18, 70]}, {randint: [1, 5]}, {normal: {mean: 40, sd: 12}} or {fixed: value}"
)


def parse_fact_distribution(value: object) -> Distribution:
    """Parse a fact distribution (``{bernoulli: 0.6}``...) for synthetic cohorts.

    Raises :class:`DistributionSyntaxError` (a ValueError) saying what is wrong.
    """
    if not isinstance(value, Mapping):
        raise DistributionSyntaxError("distribution", _FACT_EXAMPLES, _shown(value))
    kind, params = _single_kind(value, FACT_KINDS)
    return _FACT_PARSERS[kind](params)


def _number(value: object, kind: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DistributionSyntaxError(kind, "a finite number", _shown(value))
    number = _as_float(value)
    if not math.isfinite(number):
        raise DistributionSyntaxError(kind, "a finite number", _shown(value))
    if not -MAX_FACT_NUMBER <= number <= MAX_FACT_NUMBER:
        expected = f"a finite number between -{MAX_FACT_NUMBER:g} and {MAX_FACT_NUMBER:g}"
        raise DistributionSyntaxError(kind, expected, _shown(value))
    return number


def _fact_bernoulli(params: object) -> Distribution:
    p = _number(params, "bernoulli")
    if not 0 <= p <= 1:
        raise DistributionSyntaxError("bernoulli", "a probability between 0 and 1", f"{p:g}")
    return Bernoulli(p)


def _fact_categorical(params: object) -> Distribution:
    if not isinstance(params, Mapping) or not params:
        raise DistributionSyntaxError(
            "categorical", "a mapping of category: weight, e.g. {low: 3, high: 1}", _shown(params)
        )
    if len(params) > MAX_VALUES:
        expected = f"at most {MAX_VALUES:,} categories"
        raise DistributionSyntaxError("categorical", expected, f"{len(params):,} categories")
    categories = tuple(str(key) for key in params)
    return Categorical(categories, _weights(list(params.values()), len(categories), "categorical"))


def _fact_uniform(params: object) -> Distribution:
    low, high = (_number(v, "uniform") for v in _pair(params, "uniform", "number"))
    _ordered(low, high, "uniform", _number_text)
    return Uniform(low, high, numbers=True)


def _fact_randint(params: object) -> Distribution:
    low, high = _pair(params, "randint", "whole number")
    if not (isinstance(low, int) and _is_whole(low) and isinstance(high, int) and _is_whole(high)):
        raise DistributionSyntaxError("randint", "two whole numbers", _shown(params))
    _ordered(low, high, "randint", _number_text)
    return RandInt(low, high)


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _fact_normal(params: object) -> Distribution:
    mean, sd = (_number(v, "normal") for v in _fields(params, "normal", ["mean", "sd"]))
    if sd < 0:
        raise DistributionSyntaxError("normal", "sd >= 0", f"{sd:g}")
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
    "empirical": lambda params: _empirical(params, convert=False),
}
