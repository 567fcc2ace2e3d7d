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
or :meth:`EventLog.read` (CSV or Parquet in the shape :meth:`EventLog.write` and the
simulator produce: a ``type`` column plus one column per event field).
"""

from __future__ import annotations

import csv
import importlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from pathway._journal._events import EVENT_TYPES, Event
from pathway._vocab import DEMANDS, LEVELS, REQUESTERS, WAIT_CAUSES, WORK_CLASSES
from pathway.errors import DefinitionError, MissingExtraError, Problem

if TYPE_CHECKING:
    from pathway._engine._case import Case

__all__ = [
    "DEMANDS",
    "KINDS",
    "LEVELS",
    "NAT",
    "WORK_CLASSES",
    "EventLog",
    "kind_code",
]

I8 = npt.NDArray[np.int8]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]

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


def _int_array(values: Sequence[int] | I64, dtype: type[np.signedinteger[Any]]) -> Any:
    return np.asarray(values, dtype=dtype)


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
        case: Sequence[int] | I64,
        at: Sequence[int] | I64,
        kind: Sequence[int] | I64,
        started: Sequence[int] | I64 | None = None,
        attendance: Sequence[int] | I64 | None = None,
        codes: Mapping[str, Sequence[int] | I64] | None = None,
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
        columns = {
            field: _int_array((codes or {}).get(field, np.full(n, -1)), np.int32)
            for field in DOMAIN_OF
        }
        return _sorted(
            case=_int_array(case, np.int64),
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

    # -- files ---------------------------------------------------------------------------

    @classmethod
    def read(cls, path: str | Path) -> EventLog:
        """Read a CSV or Parquet event log (by suffix: ``.parquet``/``.pq``, else CSV).

        The file has a ``type`` column (the event kind) and one column per event field;
        times are ISO 8601 (a time without an offset is read as UTC). Raises
        :class:`~pathway.errors.DefinitionError` naming the file, line (CSV: the line of
        the row; Parquet: the 1-based row) and column of every bad row found (at most
        20), and :class:`FileNotFoundError` for a missing file.
        """
        return _read(Path(path))

    def write(self, path: str | Path) -> None:
        """Write the log as CSV or Parquet (by suffix), in the shape :meth:`read` reads.

        Parquet needs pyarrow (the ``report`` extra); CSV uses pyarrow when installed and
        the standard library otherwise.
        """
        _write(self, Path(path))

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
        return _sorted(
            case=np.asarray(self.case, dtype=np.int64),
            case_ids=tuple(self.case_codes),
            at=np.asarray(self.at, dtype=np.int64),
            kind=np.asarray(self.kind, dtype=np.int8),
            started=np.asarray(self.started, dtype=np.int64),
            attendance=np.asarray(self.attendance, dtype=np.int32),
            codes={f: np.asarray(c, dtype=np.int32) for f, c in self.codes.items()},
            vocab={domain: tuple(v.labels) for domain, v in self.vocab.items()},
        )


def _in_order(case: I64, at: I64) -> bool:
    """Whether rows are already sorted by case, then time (a log this module wrote)."""
    if len(case) < 2:
        return True
    step = np.diff(case)
    return bool(np.all(step >= 0) and np.all((step > 0) | (np.diff(at) >= 0)))


def _sorted(
    *,
    case: I64,
    case_ids: tuple[str, ...],
    at: I64,
    kind: I8,
    started: I64,
    attendance: I32,
    codes: Mapping[str, I32],
    vocab: Mapping[str, tuple[str, ...]],
) -> EventLog:
    """An :class:`EventLog` with cases renumbered by first event and rows sorted by
    (case, time), keeping the given order among equal times."""
    n_cases = len(case_ids)
    first = np.full(n_cases, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, case, at)
    # Cases by first event time, ties by first appearance (their current code).
    by_first = np.lexsort((np.arange(n_cases), first))
    renumber = np.empty(n_cases, dtype=np.int64)
    renumber[by_first] = np.arange(n_cases)
    new_case = renumber[case] if n_cases else case
    ordered_ids = tuple(case_ids[i] for i in by_first)
    if _in_order(new_case, at):
        return EventLog(
            case=new_case.astype(np.int32),
            case_ids=ordered_ids,
            at=at,
            kind=kind,
            started=started,
            attendance=attendance,
            codes=dict(codes),
            vocab=dict(vocab),
        )
    order = np.lexsort((np.arange(len(at)), at, new_case))
    return EventLog(
        case=new_case[order].astype(np.int32),
        case_ids=ordered_ids,
        at=at[order],
        kind=kind[order],
        started=started[order],
        attendance=attendance[order],
        codes={field: column[order] for field, column in codes.items()},
        vocab=dict(vocab),
    )


# ----------------------------------------------------------------------------- files


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in {".parquet", ".pq"}


def _need_pyarrow(feature: str) -> Any:
    """The ``pyarrow`` module, or :class:`MissingExtraError` naming the extra."""
    try:
        for name in ("pyarrow.compute", "pyarrow.csv", "pyarrow.parquet"):
            importlib.import_module(name)
    except ImportError:  # pragma: no cover - depends on the environment
        raise MissingExtraError(feature, "report", "pyarrow") from None
    return importlib.import_module("pyarrow")


def _has_pyarrow() -> bool:
    try:
        _need_pyarrow("")
    except MissingExtraError:  # pragma: no cover - depends on the environment
        return False
    return True


@attrs.frozen
class _Column:
    """One file column dictionary-encoded: codes into ``labels``, -1 for empty cells."""

    codes: I64
    labels: list[str]


class _Problems:
    """Problems found in a log file; each names the file, line and column."""

    def __init__(self, path: Path, header: Sequence[str]) -> None:
        self.path = path
        self.header = list(header)
        self.found: list[Problem] = []

    def add(self, rows: I64, column: str, message: str, expected: str = "") -> None:
        """One problem per row in ``rows`` (up to the limit) about ``column``."""
        for row in rows[: max(0, MAX_PROBLEMS - len(self.found))]:
            self.found.append(self.problem(int(row), column, message, expected))

    def problem(self, row: int, column: str, message: str, expected: str = "") -> Problem:
        """A problem about data row ``row`` (0-based) and ``column``."""
        position = self.header.index(column) + 1 if column in self.header else 0
        line = row + 1 if _is_parquet(self.path) else row + 2
        return Problem(
            f"event log row {row + 1}: {message}",
            source=str(self.path),
            line=line,
            column=position,
            field=column,
            expected=expected,
            code="bad-event",
        )

    def raise_if_any(self) -> None:
        """Raise :class:`DefinitionError` with what was found (at most MAX_PROBLEMS)."""
        if self.found:
            raise DefinitionError(self.found[:MAX_PROBLEMS])


def _read(path: Path) -> EventLog:
    if not path.is_file():
        raise FileNotFoundError(f"no such event log: {path}")
    if _is_parquet(path):
        pa = _need_pyarrow("reading Parquet event logs")
        try:
            names = pa.parquet.read_schema(path).names
            text = [n for n in names if n in DOMAIN_OF or n in {"type", "case_id"}]
            table = pa.parquet.read_table(path, read_dictionary=text)
        except (OSError, pa.ArrowException) as error:
            raise DefinitionError([Problem(f"cannot read Parquet: {error}", str(path))]) from None
        return _from_arrow(table, path)
    if _has_pyarrow():
        return _read_csv_arrow(path)
    return _read_csv_stdlib(path)


def _read_csv_arrow(path: Path) -> EventLog:
    pa = _need_pyarrow("reading CSV event logs")
    convert = pa.csv.ConvertOptions(
        column_types={name: pa.string() for name in COLUMNS},
        strings_can_be_null=True,
        null_values=[""],
    )
    parse = pa.csv.ParseOptions(newlines_in_values=True)
    try:
        table = pa.csv.read_csv(path, parse_options=parse, convert_options=convert)
    except (OSError, pa.ArrowException) as error:
        raise DefinitionError([Problem(f"cannot read CSV: {error}", str(path))]) from None
    return _from_arrow(table, path)


def _from_arrow(table: Any, path: Path) -> EventLog:
    _need_pyarrow("reading event logs")
    header = list(table.column_names)
    problems = _Problems(path, header)
    columns: dict[str, _Column] = {}
    times: dict[str, I64] = {}
    attendance = np.full(table.num_rows, -1, dtype=np.int64)
    for name in header:
        column = table.column(name)
        if name in TIME_FIELDS:
            times[name] = _arrow_times(column, name, problems)
        elif name == "attendance":
            attendance = _arrow_ints(column, name, problems)
        elif name in DOMAIN_OF or name in {"type", "case_id"}:
            columns[name] = _arrow_encoded(column)
    return _assemble(table.num_rows, columns, times, attendance, problems)


def _arrow_encoded(column: Any) -> _Column:
    """A text column as codes and labels (Parquet dictionary columns as they are)."""
    pa = _need_pyarrow("reading event logs")
    if pa.types.is_dictionary(column.type):
        encoded = column.unify_dictionaries().combine_chunks()
    else:
        encoded = pa.compute.dictionary_encode(column.cast(pa.string())).combine_chunks()
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    codes = np.where(encoded.is_null().to_numpy(zero_copy_only=False), -1, indices)
    labels = encoded.dictionary.cast(pa.string()).to_pylist()
    return _Column(codes.astype(np.int64), labels)


def _arrow_times(column: Any, name: str, problems: _Problems) -> I64:
    pa = _need_pyarrow("reading event logs")
    utc = pa.timestamp("ns", tz="UTC")
    if pa.types.is_timestamp(column.type):
        naive = column.type.tz is None
        cast = column.cast(pa.timestamp("ns")) if naive else column.cast(utc)
        return _nat_filled(cast.cast(pa.int64()))
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        for target in (utc, pa.timestamp("ns")):
            try:
                return _nat_filled(column.cast(target).cast(pa.int64()))
            except pa.ArrowInvalid:
                continue
    values = column.cast(pa.string()).to_pylist() if _castable(column) else None
    if values is None:
        problems.add(np.arange(1), name, f"column {name!r} holds {column.type}", "date-times")
        return np.full(len(column), NAT, dtype=np.int64)
    return _python_times(values, name, problems)


def _castable(column: Any) -> bool:
    pa = _need_pyarrow("reading event logs")
    try:
        column.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return True


def _nat_filled(ints: Any) -> I64:
    array = ints.combine_chunks() if hasattr(ints, "combine_chunks") else ints
    mask = array.is_null().to_numpy(zero_copy_only=False)
    values: I64 = np.array(array.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
    values[mask] = NAT
    return values


def _arrow_ints(column: Any, name: str, problems: _Problems) -> I64:
    pa = _need_pyarrow("reading event logs")
    try:
        ints = column.cast(pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return _python_ints(column.cast(pa.string()).to_pylist(), name, problems)
    filled = _nat_filled(ints)
    filled[filled == NAT] = -1
    return filled


def _python_times(values: Sequence[str | None], name: str, problems: _Problems) -> I64:
    """Nanoseconds for ISO 8601 texts, one by one (the fallback and error path)."""
    result = np.full(len(values), NAT, dtype=np.int64)
    cache: dict[str, int | None] = {}
    bad: list[int] = []
    for row, text in enumerate(values):
        if text is None or text == "":
            continue
        if text not in cache:
            try:
                cache[text] = nanoseconds(datetime.fromisoformat(text))
            except ValueError:
                cache[text] = None
        parsed = cache[text]
        if parsed is None:
            bad.append(row)
        else:
            result[row] = parsed
    for row in bad[:MAX_PROBLEMS]:
        found = repr(values[row])
        problems.found.append(
            attrs.evolve(
                problems.problem(row, name, f"{name} is not a date-time", "ISO 8601 date-time"),
                found=found,
            )
        )
    return result


def _python_ints(values: Sequence[str | None], name: str, problems: _Problems) -> I64:
    result = np.full(len(values), -1, dtype=np.int64)
    for row, text in enumerate(values):
        if text is None or text == "":
            continue
        try:
            result[row] = int(text)
        except ValueError:
            problems.found.append(
                attrs.evolve(
                    problems.problem(row, name, f"{name} is not a whole number", "an integer"),
                    found=repr(text),
                )
            )
    return result


def _read_csv_stdlib(path: Path) -> EventLog:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise DefinitionError([Problem(f"cannot read CSV: {error}", str(path))]) from None
    problems = _Problems(path, header)
    columns: dict[str, _Column] = {}
    times: dict[str, I64] = {}
    attendance = np.full(len(rows), -1, dtype=np.int64)
    for index, name in enumerate(header):
        cells = [row[index] if index < len(row) and row[index] != "" else None for row in rows]
        if name in TIME_FIELDS:
            times[name] = _python_times(cells, name, problems)
        elif name == "attendance":
            attendance = _python_ints(cells, name, problems)
        elif name in DOMAIN_OF or name in {"type", "case_id"}:
            columns[name] = _python_encode(cells)
    return _assemble(len(rows), columns, times, attendance, problems)


def _python_encode(cells: Sequence[str | None]) -> _Column:
    vocabulary = Vocabulary()
    codes = [-1 if cell is None else vocabulary.code(cell) for cell in cells]
    return _Column(np.asarray(codes, dtype=np.int64), vocabulary.labels)


def _assemble(
    n: int,
    columns: Mapping[str, _Column],
    times: Mapping[str, I64],
    attendance: I64,
    problems: _Problems,
) -> EventLog:
    """Check the decoded columns row by row (vectorised) and build the log."""
    missing = [name for name in ("type", "case_id", "at") if name not in {*columns, *times}]
    for needed in missing:
        problems.found.append(
            Problem(
                f"the event log has no {needed!r} column",
                source=str(problems.path),
                line=1,
                field=needed,
                expected=f"columns type, case_id, at and the event fields ({COLUMNS[3]}, ...)",
                found=", ".join(problems.header) or "no header",
                code="bad-event",
            )
        )
    if missing:
        problems.raise_if_any()
    kind = _kinds(columns["type"], problems)
    vocab = vocabularies()
    codes = {
        field: _domain_codes(columns.get(field), field, vocab[DOMAIN_OF[field]], n, problems)
        for field in DOMAIN_OF
    }
    case = columns["case_id"]
    problems.add(np.flatnonzero(case.codes < 0), "case_id", "case_id is empty", "a case id")
    at = times["at"]
    problems.add(np.flatnonzero(at == NAT), "at", "at is empty", "ISO 8601 date-time")
    started = times.get("started", np.full(n, NAT, dtype=np.int64))
    _check_required(kind, codes, started, attendance, problems)
    late = np.flatnonzero((started != NAT) & (at != NAT) & (started > at))
    problems.add(late, "started", "started is after at", "started no later than at")
    problems.raise_if_any()
    return _sorted(
        case=case.codes,
        case_ids=tuple(case.labels),
        at=at,
        kind=kind.astype(np.int8),
        started=started,
        attendance=attendance.astype(np.int32),
        codes=codes,
        vocab={domain: tuple(v.labels) for domain, v in vocab.items()},
    )


def _kinds(column: _Column, problems: _Problems) -> I64:
    mapping = np.array([KINDS.index(x) if x in KINDS else -1 for x in column.labels] + [-1])
    kind = mapping[column.codes]
    problems.add(np.flatnonzero(kind < 0), "type", "unknown event type", ", ".join(KINDS))
    return kind


def _domain_codes(
    column: _Column | None, field: str, vocabulary: Vocabulary, n: int, problems: _Problems
) -> I32:
    if column is None:
        return np.full(n, -1, dtype=np.int32)
    closed = CLOSED_DOMAINS.get(DOMAIN_OF[field])
    mapping = np.array(
        [
            -2 if closed is not None and label not in closed else vocabulary.code(label)
            for label in column.labels
        ]
        + [-1],
        dtype=np.int64,
    )
    codes = mapping[column.codes]
    if closed is not None:
        bad = np.flatnonzero(codes == -2)
        problems.add(bad, field, f"unknown {field}", ", ".join(closed))
        codes[bad] = -1
    return codes.astype(np.int32)


def _check_required(
    kind: I64, codes: Mapping[str, I32], started: I64, attendance: I64, problems: _Problems
) -> None:
    for code, name in enumerate(KINDS):
        rows = kind == code
        if not rows.any():
            continue
        for field in REQUIRED[name]:
            if field == "started":
                missing = started == NAT
            elif field == "attendance":
                missing = attendance < 0
            else:
                missing = codes[field] < 0
            problems.add(
                np.flatnonzero(rows & missing), field, f"a {name} event needs {field!r}", field
            )


def _write(log: EventLog, path: Path) -> None:
    columns = _output_columns(log)
    if _is_parquet(path):
        pa = _need_pyarrow("writing Parquet event logs")
        pa.parquet.write_table(pa.table(_arrow_columns(columns, parquet=True)), path)
    elif _has_pyarrow():
        pa = _need_pyarrow("writing CSV event logs")
        options = pa.csv.WriteOptions(quoting_style="needed")
        pa.csv.write_csv(pa.table(_arrow_columns(columns, parquet=False)), path, options)
    else:  # pragma: no cover - exercised where pyarrow is missing
        _write_csv_stdlib(columns, path)


def _output_columns(log: EventLog) -> dict[str, tuple[str, Any]]:
    """Each output column as ``(form, data)``: ``codes`` (indices, labels), ``time`` or
    ``int`` arrays."""
    columns: dict[str, tuple[str, Any]] = {
        "type": ("codes", (log.kind.astype(np.int64), KINDS)),
        "case_id": ("codes", (log.case.astype(np.int64), log.case_ids)),
        "at": ("time", log.at),
    }
    for name in COLUMNS[3:]:
        if name == "started":
            columns[name] = ("time", log.started)
        elif name == "attendance":
            columns[name] = ("int", log.attendance)
        else:
            columns[name] = ("codes", (log.codes[name].astype(np.int64), log.labels(name)))
    return columns


def _time_texts(ns: I64) -> npt.NDArray[np.object_]:
    whole = bool(np.all((ns == NAT) | (ns % 1_000_000_000 == 0)))
    texts = np.datetime_as_string(ns.astype("datetime64[ns]"), unit="s" if whole else "us")
    result = np.char.add(texts.astype(str), "+00:00").astype(object)
    result[ns == NAT] = None
    return result


def _arrow_columns(columns: Mapping[str, tuple[str, Any]], *, parquet: bool) -> dict[str, Any]:
    pa = _need_pyarrow("writing event logs")
    arrays: dict[str, Any] = {}
    for name, (form, data) in columns.items():
        if form == "time":
            mask = data == NAT
            if parquet:
                arrays[name] = pa.array(data, pa.int64(), mask=mask).cast(
                    pa.timestamp("ns", tz="UTC")
                )
            else:
                arrays[name] = pa.array(_time_texts(data), pa.string())
        elif form == "int":
            arrays[name] = pa.array(data.astype(np.int64), pa.int64(), mask=data < 0)
        else:
            codes, labels = data
            indices = pa.array(codes, pa.int32(), mask=codes < 0)
            dictionary = pa.DictionaryArray.from_arrays(
                indices, pa.array(list(labels), pa.string())
            )
            arrays[name] = dictionary if parquet else dictionary.cast(pa.string())
    return arrays


def _write_csv_stdlib(columns: Mapping[str, tuple[str, Any]], path: Path) -> None:
    cells: list[list[str]] = []
    for form, data in columns.values():
        if form == "time":
            cells.append(["" if t is None else t for t in _time_texts(data)])
        elif form == "int":
            cells.append(["" if v < 0 else str(v) for v in data.tolist()])
        else:
            codes, labels = data
            cells.append(["" if c < 0 else labels[c] for c in codes.tolist()])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(list(columns))
        writer.writerows(zip(*cells, strict=True))
