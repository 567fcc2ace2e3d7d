"""The journal: timed events every producer emits and every analysis consumes.

A live :class:`~pathway.Case`, the simulator and imported logs all speak these event
types, so the analysis never needs to know where events came from. Events are attrs
classes, slotted and frozen; each has the ``case_id`` and the time ``at`` (an aware
``datetime``) and, where they apply, the ``step``, ``worker`` and ``role``.

Two kinds of events live in a journal:

* **commands**, what somebody did: :class:`CaseStarted`, :class:`StepStarted`,
  :class:`Transitioned`, :class:`Decision`, :class:`VisitMissed`, :class:`FailureDemand`,
  :class:`FactsUpdated`, :class:`Migrated`. Replaying them against the same pathway
  rebuilds the case (a :class:`Migrated` event moves replay to the next version).
* **consequences** the engine derives: :class:`StepCompleted`, :class:`Waited`,
  :class:`VisitAttended`, :class:`Handoff`, :class:`OutcomeReached`. Replay derives them
  again and checks they match what was recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, TypeAlias, TypeVar, cast, overload

import attrs

from pathway.errors import ReplayError

__all__ = [
    "EVENT_TYPES",
    "LATER",
    "CaseStarted",
    "Decision",
    "Event",
    "FactsUpdated",
    "FailureDemand",
    "Handoff",
    "Journal",
    "Migrated",
    "OutcomeReached",
    "Row",
    "StepCompleted",
    "StepStarted",
    "Transitioned",
    "VisitAttended",
    "VisitMissed",
    "Waited",
    "build_rows",
    "built",
    "event_from_dict",
    "event_to_dict",
    "freeze_mapping",
]


def freeze_mapping(
    value: Mapping[str, Any] | Iterable[tuple[str, Any]],
) -> tuple[tuple[str, Any], ...]:
    """A mapping as events keep it: its items, sorted by key, in a tuple."""
    if not value:
        return ()
    return tuple(sorted(dict(value).items()))


@attrs.frozen(slots=True)
class Event:
    """Base of every journal event: which case, and when."""

    kind: ClassVar[str] = "event"
    command: ClassVar[bool] = False

    case_id: str
    at: datetime


#: The metadata of an event field added after journals were first written: left out of
#: the event's JSON while it is None, so every journal written before it keeps its text
#: and its hash chain.
LATER = {"omit_when_none": True}


@attrs.frozen(slots=True)
class CaseStarted(Event):
    """A case (one demand) entered the pathway at its start step, with these facts.

    ``person`` is who the demand is from: several cases of one person (a return after an
    outcome, a re-referral) share it; None means the person is the case itself (its
    ``case_id``). ``demand`` says the demand is itself failure demand of that kind
    (``re_presentation``, ``re_referral``...), None for a new (value) demand.
    ``referred_by`` is the case whose move opened this one as a concurrent referral (a
    new demand of the same person, starting at ``step``), None for any other case.
    """

    kind: ClassVar[str] = "case_started"
    command: ClassVar[bool] = True

    step: str
    pathway_id: str
    pathway_version: str
    content_hash: str
    facts: tuple[tuple[str, Any], ...] = attrs.field(converter=freeze_mapping)
    person: str | None = attrs.field(default=None, metadata=LATER)
    demand: str | None = attrs.field(default=None, metadata=LATER)
    referred_by: str | None = attrs.field(default=None, metadata=LATER)


@attrs.frozen(slots=True)
class FactsUpdated(Event):
    """Facts learned or changed during the journey (guards read the new values)."""

    kind: ClassVar[str] = "facts_updated"
    command: ClassVar[bool] = True

    facts: tuple[tuple[str, Any], ...] = attrs.field(converter=freeze_mapping)
    worker: str | None = None
    role: str | None = None


@attrs.frozen(slots=True)
class StepStarted(Event):
    """Work on ``step`` began, by ``worker`` in ``role``."""

    kind: ClassVar[str] = "step_started"
    command: ClassVar[bool] = True

    step: str
    worker: str | None
    role: str | None


@attrs.frozen(slots=True)
class StepCompleted(Event):
    """Work on ``step`` ended at ``at``; it began at ``started`` (touch time between)."""

    kind: ClassVar[str] = "step_completed"

    step: str
    worker: str | None
    role: str | None
    started: datetime
    work: str = "value"


@attrs.frozen(slots=True)
class Transitioned(Event):
    """``trigger`` moved the case from ``source`` to ``target`` (fired by ``worker``)."""

    kind: ClassVar[str] = "transitioned"
    command: ClassVar[bool] = True

    trigger: str
    source: str
    target: str
    worker: str | None
    role: str | None
    data: tuple[tuple[str, Any], ...] = attrs.field(default=(), converter=freeze_mapping)


@attrs.frozen(slots=True)
class Waited(Event):
    """The case waited for ``step`` from ``started`` until ``at``, for ``cause``."""

    kind: ClassVar[str] = "waited"

    step: str
    started: datetime
    cause: str


@attrs.frozen(slots=True)
class VisitAttended(Event):
    """The person attended for ``step``; ``attendance`` counts attendances so far."""

    kind: ClassVar[str] = "visit_attended"

    step: str
    attendance: int
    requested_by: str | None = None


@attrs.frozen(slots=True)
class VisitMissed(Event):
    """The person did not attend (DNA) a booked visit for ``step``."""

    kind: ClassVar[str] = "visit_missed"
    command: ClassVar[bool] = True

    step: str
    requested_by: str | None = None


@attrs.frozen(slots=True)
class Handoff(Event):
    """The case passed from one owner to another at ``level`` (worker/role/team/org)."""

    kind: ClassVar[str] = "handoff"

    step: str
    from_step: str
    from_role: str | None
    to_role: str | None
    from_worker: str | None
    to_worker: str | None
    level: str


@attrs.frozen(slots=True)
class Decision(Event):
    """A checkpoint decision: answers, who decided, why, and the facts used."""

    kind: ClassVar[str] = "decision"
    command: ClassVar[bool] = True

    checkpoint: str
    step: str
    answers: tuple[tuple[str, bool], ...] = attrs.field(converter=freeze_mapping)
    automatic: tuple[str, ...]
    facts_used: tuple[tuple[str, Any], ...] = attrs.field(converter=freeze_mapping)
    decided_by: str | None
    rationale: str
    target: str
    role: str | None = None


@attrs.frozen(slots=True)
class FailureDemand(Event):
    """Demand caused by a failure: ``chase``, ``re_presentation`` or ``re_referral``."""

    kind: ClassVar[str] = "failure_demand"
    command: ClassVar[bool] = True

    demand: str
    step: str
    note: str = ""


@attrs.frozen(slots=True)
class OutcomeReached(Event):
    """The journey ended at outcome ``step``."""

    kind: ClassVar[str] = "outcome_reached"

    step: str


@attrs.frozen(slots=True)
class Migrated(Event):
    """The case moved (roll-in) to pathway ``pathway_id`` version ``pathway_version``
    (content hash ``content_hash``), from ``from_step`` of the version it ran on to
    ``step`` of the new one; facts, times and the work in hand are kept."""

    kind: ClassVar[str] = "migrated"
    command: ClassVar[bool] = True

    step: str
    from_step: str
    pathway_id: str
    pathway_version: str
    content_hash: str


EVENT_TYPES: Mapping[str, type[Event]] = {
    cls.kind: cls
    for cls in (
        CaseStarted,
        FactsUpdated,
        StepStarted,
        StepCompleted,
        Transitioned,
        Waited,
        VisitAttended,
        VisitMissed,
        Handoff,
        Decision,
        FailureDemand,
        OutcomeReached,
        Migrated,
    )
}


_Shape = tuple[tuple[str, str, bool, bool], ...]
_SHAPES: dict[type[Event], _Shape] = {}


def _shape(cls: type[Event]) -> _Shape:
    """Each field of an event class as (name, how it is stored in JSON, has a default,
    left out of the JSON while None)."""
    shape = _SHAPES.get(cls)
    if shape is None:
        shape = tuple(
            (
                field.name,
                _json_kind(str(field.type)),
                field.default is not attrs.NOTHING,
                bool(field.metadata.get("omit_when_none")),
            )
            for field in attrs.fields(cls)
        )
        _SHAPES[cls] = shape
    return shape


def _json_kind(annotation: str) -> str:
    if annotation in {"datetime", str(datetime)}:
        return "time"
    if annotation.startswith("tuple[tuple["):
        return "mapping"
    return "list" if annotation.startswith("tuple[") else "plain"


def event_to_dict(event: Event) -> dict[str, Any]:
    """A JSON-ready mapping: ``{"type": kind, ...fields}``, times as ISO 8601."""
    data: dict[str, Any] = {"type": event.kind}
    for name, kind, _, later in _shape(type(event)):
        value = getattr(event, name)
        if later and value is None:
            continue
        if kind == "time":
            value = value.isoformat()
        elif kind == "mapping":
            value = dict(value)
        elif kind == "list":
            value = list(value)
        data[name] = value
    return data


def event_from_dict(data: Mapping[str, Any]) -> Event:
    """Rebuild an event from :func:`event_to_dict`'s mapping; ReplayError if malformed."""
    if not isinstance(data, Mapping):
        raise ReplayError(f"an event must be a mapping with a 'type', found {data!r}")
    kind = data.get("type")
    cls = EVENT_TYPES.get(str(kind))
    if cls is None:
        raise ReplayError(f"unknown event type {kind!r}; expected one of {', '.join(EVENT_TYPES)}")
    values: dict[str, Any] = {}
    try:
        for name, json_kind, has_default, _ in _shape(cls):
            if name not in data and has_default:
                continue
            values[name] = _field_value(json_kind, data[name])
        return cls(**values)
    except (KeyError, TypeError, ValueError) as error:
        raise ReplayError(f"malformed {kind} event: {error}") from None


def _field_value(kind: str, value: Any) -> Any:
    if kind == "time":
        return datetime.fromisoformat(value)
    if kind == "list":
        return tuple(value)
    return value


E = TypeVar("E", bound=Event)


Row: TypeAlias = tuple[Any, ...]
"""A journal entry as the live engine's hot path appends it: the event's ``kind``, then
its field values in order. A row of plain values costs far less to append than the
frozen event, and nothing at all to the garbage collector once a collection has seen it
hold no containers; it is built into its event the first time the journal is read."""


def built(entry: Event | Row) -> Event:
    """The event an entry stands for (a row is built; an event is itself)."""
    if isinstance(entry, tuple):
        return EVENT_TYPES[entry[0]](*entry[1:])
    return entry


def build_rows(entries: list[Event | Row], start: int) -> list[Event]:
    """Replace every row in ``entries[start:]`` by its event, in place (so each event
    keeps its identity from then on), and return the list, now all events."""
    for index in range(start, len(entries)):
        entry = entries[index]
        if isinstance(entry, tuple):
            entries[index] = built(entry)
    return cast(list[Event], entries)


class Journal(Sequence[Event]):
    """A case's events in order: a read-only sequence (the case appends, nobody else).

    A live view: events the case appends later are visible through it.
    """

    __slots__ = ("_read",)

    def __init__(self, events: list[Event] | Callable[[], list[Event]]) -> None:
        self._read = events if callable(events) else lambda: events

    @overload
    def __getitem__(self, index: int) -> Event: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Event]: ...

    def __getitem__(self, index: int | slice) -> Event | Sequence[Event]:
        if isinstance(index, slice):
            return tuple(self._read()[index])
        return self._read()[index]

    def __len__(self) -> int:
        return len(self._read())

    def __iter__(self) -> Iterator[Event]:
        events = self._read()
        return map(built, cast(list[Event | Row], events))  # rows appended while iterating

    def __repr__(self) -> str:
        return f"Journal({len(self)} events)"

    def of_type(self, cls: type[E]) -> list[E]:
        """The events of one type, in order."""
        return [event for event in self._read() if isinstance(event, cls)]
