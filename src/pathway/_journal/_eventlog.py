"""The columnar event log: every journal event of many cases as a few numpy arrays.

An :class:`EventLog` holds what :mod:`pathway._journal._events` events say, one row per event,
in columns the analysis can work on without a Python object per event:

* ``case`` (int32): index into ``case_ids``; cases are numbered in order of their first
  event (ties in order of appearance), so "case order" is arrival order;
* ``at`` (int64): nanoseconds since the Unix epoch, UTC;
* ``kind`` (int8): index into :data:`KINDS` (``case_started``, ``step_completed``...);
* ``started`` (int64): the ``started`` time of ``step_completed`` and ``waited`` events,
  :data:`NAT` elsewhere;
* ``attendance`` (int32): ``visit_attended``'s count, -1 elsewhere;
* one int32 code column per text field (``step``, ``worker``, ``role``, ``work``,
  ``cause``, ``level``, ...): an index into the vocabulary of the field's *domain*, -1
  when the event has no such field. Fields naming the same things share a domain so
  their codes compare: ``step``, ``source``, ``target`` and ``from_step`` are all step
  ids; ``worker``, ``from_worker``, ``to_worker`` and ``decided_by`` are worker ids;
  ``role``, ``from_role`` and ``to_role`` are role ids. Structured fields (``facts``,
  ``data``, ``answers``, ``automatic``, ``facts_used``) are kept as JSON text.

Rows are sorted by case, then time, keeping the order events were given in among equal
times (a journal's ``step_completed``, ``transitioned`` and ``outcome_reached`` share
one instant). Build a log with :meth:`EventLog.from_events`, :meth:`EventLog.from_cases`
or :func:`pathway.io.read_log` (CSV or Parquet in the shape :func:`pathway.io.write_log` and the
simulator produce: a ``type`` column plus one column per event field).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from pathway._journal._events import EVENT_TYPES, Event
from pathway._vocab import DEMANDS, LEVELS, REQUESTERS, WAIT_CAUSES, WORK_CLASSES

if TYPE_CHECKING:
    from pathway._engine._case import Case

__all__ = [
    "CLOSED_DOMAINS",
    "COLUMNS",
    "DOMAIN_OF",
    "I32",
    "I64",
    "JSON_FIELDS",
    "KINDS",
    "MAX_PROBLEMS",
    "NAT",
    "REQUIRED",
    "TIME_FIELDS",
    "EventLog",
    "Vocabulary",
    "blank_codes",
    "kind_code",
    "nanoseconds",
    "sorted_log",
    "stable_order",
    "timestamp",
    "vocabularies",
]

I8 = npt.NDArray[np.int8]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
#: Integer columns a producer may hand over (lists, or numpy arrays of any width).
_Ints = Sequence[int] | npt.NDArray[np.signedinteger[Any]]

KINDS: tuple[str, ...] = tuple(EVENT_TYPES)
NAT = np.iinfo(np.int64).min
_NS_PER_US = 1000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_PROBLEMS = 20

#: Text fields and the domain (shared vocabulary) each belongs to.
DOMAIN_OF: Mapping[str, str] = {
    "step": "step",
    "source": "step",
    "target": "step",
    "from_step": "step",
    "worker": "worker",
    "from_worker": "worker",
    "to_worker": "worker",
    "decided_by": "worker",
    "role": "role",
    "from_role": "role",
    "to_role": "role",
    "work": "work",
    "cause": "cause",
    "level": "level",
    "demand": "demand",
    "requested_by": "requested_by",
    "trigger": "trigger",
    "checkpoint": "checkpoint",
    "pathway_id": "pathway_id",
    "pathway_version": "pathway_version",
    "content_hash": "content_hash",
    "rationale": "rationale",
    "note": "note",
    "facts": "facts",
    "data": "data",
    "answers": "answers",
    "automatic": "automatic",
    "facts_used": "facts_used",
    "person": "person",
    "referred_by": "referred_by",
}
JSON_FIELDS = frozenset({"facts", "data", "answers", "automatic", "facts_used"})
#: Domains whose values are fixed: anything else is an error on read.
CLOSED_DOMAINS: Mapping[str, tuple[str, ...]] = {
    "work": WORK_CLASSES,
    "level": LEVELS,
    "demand": DEMANDS,
}
#: Domains that start with known values (so their codes are constants) but may grow.
SEEDED_DOMAINS: Mapping[str, tuple[str, ...]] = {
    "cause": WAIT_CAUSES,
    "requested_by": REQUESTERS,
}
TIME_FIELDS = ("at", "started")
#: Every column of a written log, in order: ``type``, ``case_id``, then each event field.
COLUMNS: tuple[str, ...] = (
    "type",
    "case_id",
    "at",
    *dict.fromkeys(
        field.name
        for cls in EVENT_TYPES.values()
        for field in attrs.fields(cls)
        if field.name not in {"case_id", "at"}
    ),
)
#: Fields an event of each kind must have (others may be empty).
REQUIRED: Mapping[str, tuple[str, ...]] = {
    kind: tuple(
        field.name
        for field in attrs.fields(cls)
        if field.default is attrs.NOTHING
        and field.name not in {"case_id", "at", "worker", "role", "from_role", "to_role"}
        and field.name not in {"from_worker", "to_worker", "decided_by"}
        and field.name not in JSON_FIELDS
        and field.name not in {"pathway_id", "pathway_version", "content_hash", "rationale"}
    )
    for kind, cls in EVENT_TYPES.items()
}


def kind_code(kind: str) -> int:
    """The code of an event kind (``"step_completed"`` -> its index in :data:`KINDS`)."""
    return KINDS.index(kind)


def _int_array(values: _Ints, dtype: type[np.signedinteger[Any]]) -> Any:
    return np.asarray(values, dtype=dtype)


def _case_codes(values: _Ints) -> Any:
    """Case codes as int64, or as they are when already int32 (no copy)."""
    codes = np.asarray(values)
    return codes if codes.dtype == np.int32 else codes.astype(np.int64, copy=False)


@attrs.frozen(eq=False)
class EventLog:
    """Many cases' events as columns (see the module docstring for the layout).

    Build with :meth:`from_events`, :meth:`from_cases` or :meth:`read`; the constructor
    takes the columns as they are and checks only that they line up.
    """

    case: I32
    case_ids: tuple[str, ...]
    at: I64
    kind: I8
    started: I64
    attendance: I32
    codes: Mapping[str, I32]
    vocab: Mapping[str, tuple[str, ...]]
    _cache: dict[str, Any] = attrs.field(factory=dict, init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        n = len(self.at)
        lengths = {len(self.case), len(self.kind), len(self.started), len(self.attendance)}
        lengths.update(len(column) for column in self.codes.values())
        if lengths - {n}:
            raise ValueError(f"event log columns differ in length: {sorted(lengths | {n})}")

    # -- reading -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.at)

    def __repr__(self) -> str:
        return f"EventLog({len(self)} events, {self.n_cases} cases)"

    @property
    def n_cases(self) -> int:
        """How many cases the log holds."""
        return len(self.case_ids)

    def labels(self, field: str) -> tuple[str, ...]:
        """The vocabulary ``field``'s codes index (shared within its domain)."""
        return self.vocab.get(DOMAIN_OF[field], ())

    def column(self, field: str) -> I32:
        """The code column of text ``field`` (-1 where the event has none)."""
        return self.codes[field]

    def code(self, field: str, value: str) -> int:
        """The code of ``value`` in ``field``'s domain, or -1 when it never occurs."""
        labels = self.labels(field)
        return labels.index(value) if value in labels else -1

    def case_bounds(self) -> tuple[I64, I64]:
        """First row index and one-past-last row index of every case (computed once)."""
        if "bounds" not in self._cache:
            counts = np.bincount(self.case, minlength=self.n_cases).astype(np.int64)
            ends = np.cumsum(counts)
            self._cache["bounds"] = (ends - counts, ends)
        bounds: tuple[I64, I64] = self._cache["bounds"]
        return bounds

    def persons(self) -> tuple[I64, tuple[str, ...]]:
        """Who each case's demand is from: per case, an index into the returned person
        ids (computed once). A case's person is the ``person`` of its ``case_started``
        event, or the case's own id when it names none (or the log has no such column),
        so a log of one case per person has as many people as cases."""
        if "persons" not in self._cache:
            self._cache["persons"] = _persons(self)
        found: tuple[I64, tuple[str, ...]] = self._cache["persons"]
        return found

    def rows_of(self, kind: int) -> I64:
        """Row indices (ascending) of the events of kind code ``kind`` (see
        :func:`kind_code`); one stable sort of the kind column serves every kind."""
        if "kinds" not in self._cache:
            order = np.argsort(self.kind, kind="stable")
            counts = np.bincount(self.kind.astype(np.intp), minlength=len(KINDS))
            self._cache["kinds"] = (order, np.cumsum(counts), counts)
        order, ends, counts = self._cache["kinds"]
        rows: I64 = order[ends[kind] - counts[kind] : ends[kind]]
        return rows

    @property
    def first_at(self) -> datetime | None:
        """The time of the earliest event (``None`` for an empty log)."""
        return _datetime(int(self.at.min())) if len(self) else None

    @property
    def last_at(self) -> datetime | None:
        """The time of the latest event (``None`` for an empty log)."""
        return _datetime(int(self.at.max())) if len(self) else None

    # -- building ------------------------------------------------------------------------

    @classmethod
    def from_events(cls, events: Iterable[Event]) -> EventLog:
        """A log of journal events of any cases, in any order (sorted on the way in)."""
        builder = _Builder()
        for event in events:
            builder.add(event)
        return builder.build()

    @classmethod
    def from_cases(cls, cases: Iterable[Case]) -> EventLog:
        """A log of live cases' journals."""
        return cls.from_events(event for case in cases for event in case.journal)

    @classmethod
    def from_columns(
        cls,
        *,
        case_ids: Sequence[str],
        case: _Ints,
        at: _Ints,
        kind: _Ints,
        started: _Ints | None = None,
        attendance: _Ints | None = None,
        codes: Mapping[str, _Ints] | None = None,
        vocab: Mapping[str, Sequence[str]] | None = None,
    ) -> EventLog:
        """A log from columns a producer already holds (the simulator's buffers).

        ``at`` and ``started`` are nanoseconds since the epoch (UTC; :data:`NAT` for
        none), ``kind`` indexes :data:`KINDS`, ``codes`` maps text fields to indices
        into ``vocab[domain]`` (see ``DOMAIN_OF``; -1 for none). Rows may come in any
        order; they are sorted by case and time, and cases renumbered by first event.
        Closed and seeded domains (work, level, demand, cause, requested_by) must list
        their known values first, in the order of the module's constants.
        """
        n = len(at)
        vocabulary = {domain: tuple(values) for domain, values in (vocab or {}).items()}
        for domain, known in {**CLOSED_DOMAINS, **SEEDED_DOMAINS}.items():
            given = vocabulary.get(domain, known)
            if tuple(given[: len(known)]) != known:
                raise ValueError(f"vocabulary {domain!r} must start with {known}")
            vocabulary[domain] = tuple(given)
        supplied = codes or {}
        columns = {
            field: _int_array(supplied[field], np.int32) if field in supplied else blank_codes(n)
            for field in DOMAIN_OF
        }
        return sorted_log(
            case=_case_codes(case),
            case_ids=tuple(case_ids),
            at=_int_array(at, np.int64),
            kind=_int_array(kind, np.int8),
            started=_int_array(started if started is not None else np.full(n, NAT), np.int64),
            attendance=_int_array(
                attendance if attendance is not None else np.full(n, -1), np.int32
            ),
            codes=columns,
            vocab=vocabulary,
        )

    def to_events(self) -> list[Event]:
        """The log as journal event objects, case by case in time order."""
        return [self._event(row) for row in range(len(self))]

    def _event(self, row: int) -> Event:
        kind = KINDS[int(self.kind[row])]
        cls = EVENT_TYPES[kind]
        values: dict[str, Any] = {}
        for field in attrs.fields(cls):
            value = self._value(field.name, row)
            if value is None and field.default is not attrs.NOTHING:
                continue
            values[field.name] = value
        return cls(**values)

    def _value(self, name: str, row: int) -> Any:
        if name == "case_id":
            return self.case_ids[int(self.case[row])]
        if name in TIME_FIELDS:
            value = int(getattr(self, name)[row])
            return None if value == NAT else _datetime(value)
        if name == "attendance":
            return int(self.attendance[row])
        code = int(self.codes[name][row])
        if code < 0:
            return None
        text = self.labels(name)[code]
        if name in JSON_FIELDS:
            parsed = json.loads(text)
            return tuple(parsed) if name == "automatic" else parsed
        return text


def _persons(log: EventLog) -> tuple[I64, tuple[str, ...]]:
    """:meth:`EventLog.persons`: the given person of each case, else its own id (people
    numbered in order of their first case)."""
    given = np.full(log.n_cases, -1, dtype=np.int64)
    rows = log.rows_of(KINDS.index("case_started"))[::-1]  # the first event wins
    given[log.case[rows]] = log.codes["person"][rows]
    if not bool((given >= 0).any()):
        return np.arange(log.n_cases, dtype=np.int64), log.case_ids
    labels = log.labels("person")
    people: dict[str, int] = {}
    index = np.fromiter(
        (
            people.setdefault(labels[code] if code >= 0 else case_id, len(people))
            for code, case_id in zip(given.tolist(), log.case_ids, strict=True)
        ),
        np.int64,
        log.n_cases,
    )
    return index, tuple(people)


def blank_codes(n: int) -> I32:
    """A code column of ``n`` events that all lack the field: every entry -1, read-only,
    and backed by a single value (a zero-stride view), so the many text fields a log
    never uses cost no memory. Reordering it is a no-op (see :func:`sorted_log`)."""
    blank: I32 = np.broadcast_to(np.int32(-1), (n,))
    return blank


def _is_blank(column: I32) -> bool:
    """Whether ``column`` is a :func:`blank_codes` view (constant, nothing to reorder)."""
    return column.ndim == 1 and column.strides == (0,) and not column.flags.writeable


def timestamp(ns: int) -> datetime:
    """An aware UTC datetime from nanoseconds since the epoch (to the microsecond), as
    :attr:`EventLog.first_at` gives it."""
    return _datetime(ns)


def _datetime(ns: int) -> datetime:
    """An aware UTC datetime from nanoseconds since the epoch (to the microsecond)."""
    return _EPOCH + timedelta(microseconds=ns // _NS_PER_US)


def nanoseconds(at: datetime) -> int:
    """Nanoseconds since the epoch of an aware datetime (naive times are taken as UTC)."""
    if at.utcoffset() is None:
        at = at.replace(tzinfo=UTC)
    delta = at - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000


class Vocabulary:
    """Assigns codes to the labels of one domain, in order of first sight."""

    __slots__ = ("codes", "labels")

    def __init__(self, seed: Sequence[str] = ()) -> None:
        self.labels: list[str] = list(seed)
        self.codes: dict[str, int] = {label: i for i, label in enumerate(seed)}

    def code(self, label: str) -> int:
        """The code of ``label``, adding it when new."""
        found = self.codes.get(label)
        if found is None:
            found = self.codes[label] = len(self.labels)
            self.labels.append(label)
        return found


def vocabularies() -> dict[str, Vocabulary]:
    """A fresh vocabulary per domain, closed and seeded domains with their known values."""
    seeds = {**CLOSED_DOMAINS, **SEEDED_DOMAINS}
    return {domain: Vocabulary(seeds.get(domain, ())) for domain in set(DOMAIN_OF.values())}


def _json_text(name: str, value: Any) -> str:
    if name == "automatic":
        return json.dumps(list(value), separators=(",", ":"))
    return json.dumps(dict(value), sort_keys=True, separators=(",", ":"))


class _Builder:
    """Collects events into Python lists of codes, then makes the arrays once."""

    def __init__(self) -> None:
        self.vocab = vocabularies()
        self.case_codes: dict[str, int] = {}
        self.case: list[int] = []
        self.at: list[int] = []
        self.kind: list[int] = []
        self.started: list[int] = []
        self.attendance: list[int] = []
        self.codes: dict[str, list[int]] = {field: [] for field in DOMAIN_OF}
        self._plans: dict[type[Event], list[tuple[str, Callable[[Any], int]]]] = {}

    def add(self, event: Event) -> None:
        case = self.case_codes.setdefault(event.case_id, len(self.case_codes))
        self.case.append(case)
        self.at.append(nanoseconds(event.at))
        self.kind.append(KINDS.index(event.kind))
        started = getattr(event, "started", None)
        self.started.append(nanoseconds(started) if started is not None else NAT)
        attendance = getattr(event, "attendance", None)
        self.attendance.append(attendance if attendance is not None else -1)
        present = self._plan(type(event))
        names = {name for name, _ in present}
        for field, column in self.codes.items():
            if field not in names:
                column.append(-1)
        for name, encode in present:
            self.codes[name].append(encode(getattr(event, name)))

    def _plan(self, cls: type[Event]) -> list[tuple[str, Callable[[Any], int]]]:
        plan = self._plans.get(cls)
        if plan is None:
            plan = self._plans[cls] = [
                (field.name, self._encoder(field.name))
                for field in attrs.fields(cls)
                if field.name in DOMAIN_OF
            ]
        return plan

    def _encoder(self, name: str) -> Callable[[Any], int]:
        vocabulary = self.vocab[DOMAIN_OF[name]]
        if name in JSON_FIELDS:
            return lambda value: vocabulary.code(_json_text(name, value))
        return lambda value: -1 if value is None else vocabulary.code(str(value))

    def build(self) -> EventLog:
        return sorted_log(
            case=np.asarray(self.case, dtype=np.int64),
            case_ids=tuple(self.case_codes),
            at=np.asarray(self.at, dtype=np.int64),
            kind=np.asarray(self.kind, dtype=np.int8),
            started=np.asarray(self.started, dtype=np.int64),
            attendance=np.asarray(self.attendance, dtype=np.int32),
            codes={f: np.asarray(c, dtype=np.int32) for f, c in self.codes.items()},
            vocab={domain: tuple(v.labels) for domain, v in self.vocab.items()},
        )


def _in_order(case: I64 | I32, at: I64) -> bool:
    """Whether rows are already sorted by case, then time (a log this module wrote)."""
    if len(case) < 2:
        return True
    step = np.diff(case)
    return bool(np.all(step >= 0) and np.all((step > 0) | (np.diff(at) >= 0)))


def stable_order(keys: npt.NDArray[np.integer[Any]]) -> I64:
    """The stable sorting order of non-negative integer ``keys``: by 16-bit digits,
    least significant first (numpy sorts 16-bit keys stably by radix sort, in linear
    time), so a few passes over the keys instead of a comparison sort."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    top = int(keys.max())
    if int(keys.min()) < 0 or top >= 1 << 48:
        found: I64 = np.argsort(keys, kind="stable")
        return found
    wide = keys.astype(np.int64, copy=False)
    order = np.argsort((wide & 0xFFFF).astype(np.uint16), kind="stable")
    shift = 16
    while top >> shift:
        digit = ((wide[order] >> shift) & 0xFFFF).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
        shift += 16
    result: I64 = order.astype(np.int64, copy=False)
    return result


def _time_ordered(at: I64) -> bool:
    """Whether every row's time is at or after the row before's."""
    return len(at) < 2 or bool((at[1:] >= at[:-1]).all())


def _run_order(case: I64 | I32, at: I64, renumber: I64) -> I64 | None:
    """The order :func:`sorted_log` wants, without a sort, when each case's rows are one
    run already in time order (how interpreted logs come): the runs are put in the new
    case order. ``None`` when the rows are not in that shape."""
    n = len(case)
    if n < 2:
        return None
    same = case[1:] == case[:-1]
    if not bool(np.all(~same | (at[1:] >= at[:-1]))):
        return None
    starts = np.concatenate([np.zeros(1, np.int64), np.flatnonzero(~same) + 1])
    run_case = case[starts]
    if len(starts) != len(renumber) or bool(np.any(np.bincount(run_case) > 1)):
        return None
    lengths = np.diff(np.append(starts, n))
    runs = np.argsort(renumber[run_case], kind="stable")
    moved = lengths[runs]
    new_starts = np.cumsum(moved) - moved
    order: I64 = np.repeat(starts[runs] - new_starts, moved) + np.arange(n, dtype=np.int64)
    return order


def sorted_log(
    *,
    case: I64 | I32,
    case_ids: tuple[str, ...],
    at: I64,
    kind: I8,
    started: I64,
    attendance: I32,
    codes: Mapping[str, I32],
    vocab: Mapping[str, tuple[str, ...]],
) -> EventLog:
    """An :class:`EventLog` with cases renumbered by first event and rows sorted by
    (case, time), keeping the given order among equal times.

    When rows must move and ``codes`` is a ``dict``, its columns are taken over: each is
    removed from it as its reordered copy is made, so a large log's code columns are
    never held twice.
    """
    n_cases = len(case_ids)
    first = np.full(n_cases, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, case, at)
    # Cases by first event time, ties by first appearance (their current code).
    by_first = np.lexsort((np.arange(n_cases), first))
    renumber = np.empty(n_cases, dtype=np.int64)
    renumber[by_first] = np.arange(n_cases)
    unchanged = bool(np.array_equal(by_first, np.arange(n_cases)))
    new_case = case if unchanged or not n_cases else renumber[case]
    ordered_ids = tuple(case_ids) if unchanged else tuple(case_ids[i] for i in by_first)
    if _in_order(new_case, at):
        return EventLog(
            case=new_case.astype(np.int32, copy=False),
            case_ids=ordered_ids,
            at=at,
            kind=kind,
            started=started,
            attendance=attendance,
            codes=dict(codes),
            vocab=dict(vocab),
        )
    order = _run_order(case, at, renumber)
    if order is None and _time_ordered(at):
        # rows in time order (a simulated log): a stable sort by case keeps time order
        order = stable_order(new_case)
    if order is None:
        order = np.lexsort((np.arange(len(at)), at, new_case))
    del case, renumber
    new_case = new_case[order].astype(np.int32)
    pending = codes if isinstance(codes, dict) else dict(codes)
    reordered = {}
    for field in list(pending):
        column = pending.pop(field)
        reordered[field] = column if _is_blank(column) else column[order]
        del column
    return EventLog(
        case=new_case,
        case_ids=ordered_ids,
        at=at[order],
        kind=kind[order],
        started=_reordered(started, order),
        attendance=_reordered(attendance, order),
        codes=reordered,
        vocab=dict(vocab),
    )


def _reordered(values: npt.NDArray[Any], order: I64) -> Any:
    """``values`` in ``order``; a constant column (all missing) stays a zero-stride view."""
    if values.ndim == 1 and values.strides == (0,):
        return values
    return values[order]
