"""The small values of the live engine's API: who does the work, and what may happen next."""

from __future__ import annotations

import attrs

from pathway._engine._facts import name_argument

__all__ = ["Option", "Worker"]


def _worker_id(value: object) -> str:
    return name_argument(value, "Worker id")


def _worker_role(value: object) -> str:
    return name_argument(value, "Worker role")


@attrs.frozen(slots=True)
class Worker:
    """A named worker in a role: ``case.fire("allocate", by=Worker("amy", "duty_lead"))``.

    ``id`` and ``role`` are names: text of 1 to 1,000 characters, valid Unicode.
    Raises :class:`~pathway.ArgumentError` for anything else, so a case never records a
    worker its JSON cannot hold.
    """

    id: str = attrs.field(converter=_worker_id)
    role: str = attrs.field(converter=_worker_role)


@attrs.frozen(slots=True)
class Option:
    """One trigger possible from the current step, and if it is blocked, why."""

    trigger: str
    target: str | None
    allowed: bool
    reasons: tuple[str, ...] = ()
    checkpoint: str | None = None
    role: str | None = None
