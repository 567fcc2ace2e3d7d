"""The small values of the live engine's API: who does the work, and what may happen next."""

from __future__ import annotations

import attrs

__all__ = ["Option", "Worker"]


@attrs.frozen(slots=True)
class Worker:
    """A named worker in a role: ``case.fire("allocate", by=Worker("amy", "duty_lead"))``."""

    id: str
    role: str


@attrs.frozen(slots=True)
class Option:
    """One trigger possible from the current step, and if it is blocked, why."""

    trigger: str
    target: str | None
    allowed: bool
    reasons: tuple[str, ...] = ()
    checkpoint: str | None = None
    role: str | None = None
