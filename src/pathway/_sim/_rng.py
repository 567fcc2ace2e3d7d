"""Counter-based random numbers: a uniform is a pure function of what it is for.

Every random number the simulator uses is ``uniform(seed, replication, case, purpose,
key, occurrence)``: a hash, not the next value of a generator. So the same case index
draws the same number for the same purpose in any pathway and in any order of events,
which is what makes common random numbers work (old and new pathways simulated with one
seed see the same people: same arrival times, same facts, same touch time at a shared
step, same DNA at a shared booked visit).

The hash is two independent 32-bit lanes of the MurmurHash3 finaliser chained over the
inputs, giving 64 bits of state and 53 bits of output. Everything is written with
non-negative integers that stay below 2**63 (32-bit products are split into 16-bit
halves), so the *same* Python functions run three ways with identical results: on
Python ints (the pure reference kernel), on numpy ``int64`` arrays (cohort set-up,
vectorised), and compiled by numba (the fast kernel).

``ppnd`` is Wichura's AS241 inverse normal CDF (about 1e-16 relative accuracy), used for
lognormal durations by inversion so that paired draws stay monotone in the uniform.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

__all__ = [
    "MASK32",
    "PURPOSE_ANSWER",
    "PURPOSE_ARRIVAL",
    "PURPOSE_BRANCH",
    "PURPOSE_DNA",
    "PURPOSE_DURATION",
    "PURPOSE_FACT",
    "PURPOSE_REBOOK",
    "PURPOSE_REBOOKER",
    "PURPOSE_RETURN",
    "PURPOSE_RETURN_DELAY",
    "PURPOSE_WAIT",
    "case_lanes",
    "draw",
    "fmix",
    "key_of",
    "lane_inits",
    "ppnd",
    "to_uniform",
]

MASK32 = 0xFFFFFFFF
_GOLDEN = 0x9E3779B9
_TWO53 = 9007199254740992.0
_TWO26 = 67108864

# What a number is for; part of every hash, so purposes never share numbers.
PURPOSE_ARRIVAL = 1
PURPOSE_FACT = 2
PURPOSE_DURATION = 3
PURPOSE_BRANCH = 4
PURPOSE_WAIT = 5
PURPOSE_DNA = 6
PURPOSE_REBOOK = 7
PURPOSE_ANSWER = 8
PURPOSE_REBOOKER = 9  # who rebooks a missed visit: the client or the service
PURPOSE_RETURN = 10  # whether the person comes back after an outcome
PURPOSE_RETURN_DELAY = 11  # how long after


def key_of(text: str) -> int:
    """A stable 31-bit key for an id string (Python's ``hash`` is salted per process)."""
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=4).digest()
    return int.from_bytes(digest, "little") & 0x7FFFFFFF


def _mul32(a: Any, c: int) -> Any:
    """``a * c mod 2**32`` for ``a, c < 2**32`` without any product reaching 2**63."""
    low = a * (c & 0xFFFF)
    high = ((a * (c >> 16)) & 0xFFFF) << 16
    return (low + high) & MASK32


def fmix(h: Any) -> Any:
    """MurmurHash3's 32-bit finaliser: a bijection on ``[0, 2**32)`` with full avalanche."""
    h = h ^ (h >> 16)
    h = _mul32(h, 0x85EBCA6B)
    h = h ^ (h >> 13)
    h = _mul32(h, 0xC2B2AE35)
    return h ^ (h >> 16)


def _absorb(h: Any, value: Any) -> Any:
    """Mix one 32-bit input into a lane."""
    return fmix(((h + _GOLDEN) & MASK32) ^ value)


def lane_inits(seed: int, replication: int) -> tuple[int, int]:
    """The two lanes' starting states for a run (a 64-bit seed and a replication)."""
    seed &= (1 << 64) - 1
    low, high = seed & MASK32, seed >> 32
    first = _absorb(_absorb(_absorb(fmix(0x2545F491), low), high), replication & MASK32)
    second = _absorb(_absorb(_absorb(fmix(0x68E31DA4), high), low), replication & MASK32)
    return int(first), int(second)


def case_lanes(init_a: int, init_b: int, case: Any) -> tuple[Any, Any]:
    """Both lanes after absorbing the case index (kept per case by the kernel)."""
    return _absorb(init_a, case & MASK32), _absorb(init_b, case & MASK32)


def to_uniform(a: Any, b: Any) -> Any:
    """53 bits from two 32-bit lanes as a float in ``[0, 1)``."""
    return ((a >> 5) * _TWO26 + (b >> 6)) / _TWO53


def draw(lane_a: Any, lane_b: Any, purpose: int, key: Any, occurrence: Any) -> Any:
    """The uniform in ``[0, 1)`` for ``(case lanes, purpose, key, occurrence)``.

    ``purpose`` < 16 and ``occurrence`` < 2**28 share one 32-bit input.
    """
    tag = ((occurrence & 0x0FFFFFFF) << 4) | purpose
    return to_uniform(_absorb(_absorb(lane_a, key), tag), _absorb(_absorb(lane_b, key), tag))


# Wichura (1988), Algorithm AS 241, PPND16.
_A = (
    3.3871328727963666080e0,
    1.3314166789178437745e2,
    1.9715909503065514427e3,
    1.3731693765509461125e4,
    4.5921953931549871457e4,
    6.7265770927008700853e4,
    3.3430575583588128105e4,
    2.5090809287301226727e3,
)
_B = (
    1.0,
    4.2313330701600911252e1,
    6.8718700749205790830e2,
    5.3941960214247511077e3,
    2.1213794301586595867e4,
    3.9307895800092710610e4,
    2.8729085735721942674e4,
    5.2264952788528545610e3,
)
_C = (
    1.42343711074968357734e0,
    4.63033784615654529590e0,
    5.76949722146069140550e0,
    3.64784832476320460504e0,
    1.27045825245236838258e0,
    2.41780725177450611770e-1,
    2.27238449892691845833e-2,
    7.74545014278341407640e-4,
)
_D = (
    1.0,
    2.05319162663775882187e0,
    1.67638483018380384940e0,
    6.89767334985100004550e-1,
    1.48103976427480074590e-1,
    1.51986665636164571966e-2,
    5.47593808499534494600e-4,
    1.05075007164441684324e-9,
)
_E = (
    6.65790464350110377720e0,
    5.46378491116411436990e0,
    1.78482653991729133580e0,
    2.96560571828504891230e-1,
    2.65321895265761230930e-2,
    1.24266094738807843860e-3,
    2.71155556874348757815e-5,
    2.01033439929228813265e-7,
)
_F = (
    1.0,
    5.99832206555887937690e-1,
    1.36929880922735805310e-1,
    1.48753612908506148525e-2,
    7.86869131145613259100e-4,
    1.84631831751005468180e-5,
    1.42151175831644588870e-7,
    2.04426310338993978564e-15,
)


def _poly(c: tuple[float, ...], x: Any) -> Any:
    """Horner evaluation of ``c[0] + c[1] x + ... + c[7] x**7``."""
    return (
        (((((c[7] * x + c[6]) * x + c[5]) * x + c[4]) * x + c[3]) * x + c[2]) * x + c[1]
    ) * x + c[0]


def ppnd(p: float) -> float:
    """The standard normal quantile of ``p`` in ``(0, 1)`` (AS241); clamps the ends."""
    if p <= 0.0:
        p = 1e-300
    elif p >= 1.0:
        p = 1.0 - 1.1102230246251565e-16
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        return float(q * _poly(_A, r) / _poly(_B, r))
    r = p if q < 0.0 else 1.0 - p
    r = math.sqrt(-math.log(r))
    if r <= 5.0:
        r -= 1.6
        value = float(_poly(_C, r) / _poly(_D, r))
    else:
        r -= 5.0
        value = float(_poly(_E, r) / _poly(_F, r))
    return -value if q < 0.0 else value
