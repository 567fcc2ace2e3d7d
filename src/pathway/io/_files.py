"""Event logs as files: CSV and Parquet in pathway's own shape, read and written fast.

A file has a ``type`` column (the event kind) and one column per event field, as
:func:`write_log` and the simulator write them. pyarrow (the ``report`` extra) reads and
writes both formats column by column; without it CSV falls back to the standard library.

Reading checks every row, and reports what is wrong in one
:class:`~pathway.errors.EventLogError` whose problems name the file, the line (CSV) or
row (Parquet) and the column: unreadable or out-of-range times (an event log holds
1677-09-21 to 2262-04-11), whole numbers that are not, repeated column names, columns
of the wrong kind, unknown event types, work classes, levels, demands, wait causes and
requesters, text with NUL characters, JSON columns that are not JSON, events repeated
row for row and, given the pathway, a log run on another pathway (its id, version and
content hash on ``case_started`` rows) or naming steps, triggers, roles or checkpoints
the pathway does not have.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from pathway._extras import available, require
from pathway._journal._eventlog import (
    CLOSED_DOMAINS,
    COLUMNS,
    DOMAIN_OF,
    I32,
    I64,
    JSON_FIELDS,
    KINDS,
    MAX_PROBLEMS,
    NAT,
    REQUIRED,
    TIME_FIELDS,
    EventLog,
    Vocabulary,
    blank_codes,
    nanoseconds,
    sorted_log,
    vocabularies,
)
from pathway._vocab import REQUESTERS, WAIT_CAUSES
from pathway.errors import EventLogError, Problem, did_you_mean

if TYPE_CHECKING:
    from pathway._model._pathway import Pathway

__all__ = ["REPORT_FIELDS", "read_log", "repeated_rows", "write_log"]

#: The times an event log holds: nanoseconds since 1970 in 64 bits (NAT marks none).
_NS_MIN, _NS_MAX = NAT + 1, int(np.iinfo(np.int64).max)
_TIME_RANGE = "a date-time from 1677-09-21 to 2262-04-11"
#: ``attendance`` is held in 32 bits.
_INT_MAX = int(np.iinfo(np.int32).max)
#: Domains whose values are fixed when read from a file (the vocabulary's words).
_READ_CLOSED: Mapping[str, tuple[str, ...]] = {
    **CLOSED_DOMAINS,
    "cause": WAIT_CAUSES,
    "requested_by": REQUESTERS,
}
#: The JSON each JSON field holds.
_JSON_SHAPE: Mapping[str, type] = {
    "facts": dict,
    "data": dict,
    "answers": dict,
    "facts_used": dict,
    "automatic": list,
}


def read_log(
    path: str | Path, pathway: Pathway | None = None, *, fields: Collection[str] | None = None
) -> EventLog:
    """Read a CSV or Parquet event log (by suffix: ``.parquet``/``.pq``, else CSV).

    ``fields`` reads only those event fields of a Parquet log (besides ``type``,
    ``case_id``, the times and ``attendance``): the others are left empty and their
    columns are neither read nor checked. The report reads only what it measures
    (:data:`REPORT_FIELDS`), a third of a simulated log's columns.

    Times are ISO 8601 (a time without an offset is read as UTC). With ``pathway`` (the
    pathway the log was run on) the log must belong to it: the ``case_started`` rows'
    pathway id, version and content hash, where given, are the pathway's, and every
    step, trigger, role and checkpoint named is one it declares.

    Raises :class:`~pathway.errors.EventLogError` (a ``DefinitionError``) naming the
    file, line (CSV: the line of the row; Parquet: the 1-based row) and column of every
    bad row found (the first 20 listed, the rest counted), and
    :class:`FileNotFoundError` for a missing file.
    """
    return _read(Path(path), pathway, fields)


def write_log(log: EventLog, path: str | Path) -> None:
    """Write ``log`` as CSV or Parquet (by suffix), in the shape :func:`read_log` reads.

    Parquet needs pyarrow (the ``report`` extra); CSV uses pyarrow when installed and
    the standard library otherwise.
    """
    _write(log, Path(path))


# ----------------------------------------------------------------------------- files


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in {".parquet", ".pq"}


def _need_pyarrow(feature: str) -> Any:
    """The ``pyarrow`` module with its CSV, Parquet and compute parts, or
    :class:`~pathway.MissingExtraError` naming the ``report`` extra."""
    for name in ("pyarrow.compute", "pyarrow.csv", "pyarrow.parquet"):
        require(name, extra="report", feature=feature)
    return require("pyarrow", extra="report", feature=feature)


def _has_pyarrow() -> bool:
    return available("pyarrow.csv") and available("pyarrow.parquet")


#: The event fields the report measures or checks (``read_log(..., fields=...)``):
#: what it measures, what every event must have, and what ties the log to its pathway.
REPORT_FIELDS: frozenset[str] = frozenset(
    {
        "from_step",
        "step",
        "worker",
        "role",
        "work",
        "cause",
        "level",
        "source",
        "target",
        "from_worker",
        "to_worker",
        "demand",
        "requested_by",
        "trigger",
        "checkpoint",
        "pathway_id",
        "pathway_version",
        "content_hash",
        "person",
        "data",  # a move's data marks a lapsed review (checkpoint rounds)
        "referred_by",
    }
)


#: Fields always read (what :data:`REQUIRED` asks of some event besides text fields).
_ALWAYS = frozenset(
    {"type", "case_id", "attendance", *TIME_FIELDS}
    | {field for needed in REQUIRED.values() for field in needed}
)


def _read_columns() -> frozenset[str]:
    """The columns pathway reads (others are left alone)."""
    return frozenset({*DOMAIN_OF, *TIME_FIELDS, "type", "case_id", "attendance"})


@attrs.frozen
class _Column:
    """One file column dictionary-encoded: codes into ``labels``, -1 for empty cells."""

    codes: I32
    labels: list[str]


class _Problems:
    """Problems found in a log file; each names the file, line and column. The first
    :data:`MAX_PROBLEMS` are kept, the rest counted."""

    def __init__(self, path: Path, header: Sequence[str]) -> None:
        self.path = path
        self.header = list(header)
        self.found: list[Problem] = []
        self.total = 0

    def add(
        self, rows: I64, column: str, message: str, expected: str = "", found: str = ""
    ) -> None:
        """One problem per row in ``rows`` (the first ones kept) about ``column``."""
        self.total += len(rows)
        for row in rows[: max(0, MAX_PROBLEMS - len(self.found))]:
            self.found.append(self.problem(int(row), column, message, expected, found))

    def whole(
        self, message: str, *, line: int = 0, column: str = "", expected: str = "", found: str = ""
    ) -> None:
        """A problem about the file or its header, not a row."""
        self.total += 1
        if len(self.found) < MAX_PROBLEMS:
            position = self.header.index(column) + 1 if column in self.header else 0
            self.found.append(
                Problem(
                    message,
                    source=str(self.path),
                    line=line,
                    column=position if line else 0,
                    field=column,
                    expected=expected,
                    found=found,
                    code="bad-event-log",
                )
            )

    def problem(
        self, row: int, column: str, message: str, expected: str = "", found: str = ""
    ) -> Problem:
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
            found=found,
            code="bad-event",
        )

    def raise_if_any(self) -> None:
        """Raise :class:`EventLogError` with what was found (the first MAX_PROBLEMS)."""
        if self.found:
            shown = self.found[:MAX_PROBLEMS]
            raise EventLogError(shown, log=str(self.path), omitted=self.total - len(shown))


def _unreadable(path: Path, what: str, error: object) -> EventLogError:
    """The error for a file that cannot be read at all."""
    problem = Problem(f"cannot read {what}: {error}", str(path), code="bad-event-log")
    return EventLogError([problem], log=str(path))


def _read(path: Path, pathway: Pathway | None, fields: Collection[str] | None = None) -> EventLog:
    if not path.is_file():
        raise FileNotFoundError(f"no such event log: {path}")
    if _is_parquet(path):
        return _read_parquet(path, pathway, fields)
    if _has_pyarrow():
        return _read_csv_arrow(path, pathway)
    return _read_csv_stdlib(path, pathway)


def _read_parquet(
    path: Path, pathway: Pathway | None, fields: Collection[str] | None = None
) -> EventLog:
    """Read a Parquet log one column at a time (so at most one Arrow column is held)."""
    pa = _need_pyarrow("reading Parquet event logs")
    try:
        schema = pa.parquet.read_schema(path)
        names = schema.names
        wanted = None if fields is None else {*fields, *_ALWAYS}
        text = [
            field.name
            for field in schema
            if (field.name in DOMAIN_OF or field.name in {"type", "case_id"})
            and (pa.types.is_string(field.type) or pa.types.is_large_string(field.type))
        ]
        if len(set(names)) < len(names):
            text = []  # repeated names are reported below, not read
        file = pa.parquet.ParquetFile(path, read_dictionary=text)
        rows = file.metadata.num_rows
    except (OSError, KeyError, UnicodeDecodeError, pa.ArrowException) as error:
        raise _unreadable(path, "Parquet", error) from None

    def column(index: int) -> Any:
        if wanted is not None and names[index] not in wanted:
            return None  # a field the caller does not read
        try:
            return file.read(columns=[names[index]]).column(0)
        except (OSError, KeyError, UnicodeDecodeError, pa.ArrowException) as error:
            raise _unreadable(path, f"Parquet column {names[index]!r}", error) from None

    return _from_arrow(names, rows, column, path, pathway)


def _read_csv_arrow(path: Path, pathway: Pathway | None) -> EventLog:
    pa = _need_pyarrow("reading CSV event logs")
    convert = pa.csv.ConvertOptions(
        column_types={name: pa.string() for name in COLUMNS},
        strings_can_be_null=True,
        null_values=[""],
    )
    parse = pa.csv.ParseOptions(newlines_in_values=True)
    try:
        table = pa.csv.read_csv(path, parse_options=parse, convert_options=convert)
        header, rows = list(table.column_names), table.num_rows
    except (OSError, UnicodeDecodeError, pa.ArrowException) as error:
        raise _unreadable(path, "CSV", error) from None
    held = dict(enumerate(table.columns))
    del table

    def column(index: int) -> Any:
        return held.pop(index)  # each column's memory goes as soon as it is decoded

    return _from_arrow(header, rows, column, path, pathway)


def _repeated(header: Sequence[str], problems: _Problems) -> bool:
    """Report every column pathway reads that the header names twice."""
    counts = Counter(name for name in header if name in _read_columns())
    for name, count in counts.items():
        if count > 1:
            problems.whole(
                f"the column {name!r} appears {count} times in the header",
                line=1,
                column=name,
                expected="each column once",
                found=", ".join(header),
            )
    return any(count > 1 for count in counts.values())


def _from_arrow(
    header: Sequence[str],
    rows: int,
    column_at: Callable[[int], Any],
    path: Path,
    pathway: Pathway | None,
) -> EventLog:
    _need_pyarrow("reading event logs")
    problems = _Problems(path, header)
    if _repeated(header, problems):
        problems.raise_if_any()
    columns: dict[str, _Column] = {}
    times: dict[str, I64] = {}
    attendance: npt.NDArray[Any] = np.broadcast_to(np.int32(-1), (rows,))  # absent: costs nothing
    for index, name in enumerate(header):
        if name not in _read_columns():
            continue
        column = column_at(index)
        if column is None:
            continue
        if name in TIME_FIELDS:
            times[name] = _arrow_times(column, name, problems)
        elif name == "attendance":
            attendance = _arrow_ints(column, name, problems).astype(np.int32)  # checked: fits
        else:
            columns[name] = _arrow_encoded(column, name, problems)
        del column
    return _assemble(rows, columns, times, attendance, problems, pathway)


def _arrow_encoded(column: Any, name: str, problems: _Problems) -> _Column:
    """A text column as codes and labels (Parquet dictionary columns as they are)."""
    pa = _need_pyarrow("reading event logs")
    try:
        if pa.types.is_dictionary(column.type):
            encoded = column.unify_dictionaries().combine_chunks()
        else:
            encoded = pa.compute.dictionary_encode(column.cast(pa.string())).combine_chunks()
        labels = encoded.dictionary.cast(pa.string()).to_pylist()
    except (pa.ArrowException, UnicodeDecodeError):
        problems.add(np.arange(1), name, f"column {name!r} holds {column.type}", "text")
        return _Column(np.full(len(column), -1, dtype=np.int32), [])
    indices = encoded.indices
    filled = indices.fill_null(-1) if indices.null_count else indices
    codes = np.array(filled.to_numpy(zero_copy_only=False), dtype=np.int32)  # numpy's own
    return _Column(codes, labels)


_UNIT_NS = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}


def _arrow_times(column: Any, name: str, problems: _Problems) -> I64:
    pa = _need_pyarrow("reading event logs")
    if pa.types.is_timestamp(column.type):
        raw = _nat_filled(column.cast(pa.int64()))  # the stored count at its unit, UTC
        return _scaled(raw, _UNIT_NS[column.type.unit], name, problems)
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        for target in (pa.timestamp("ns", tz="UTC"), pa.timestamp("ns")):
            try:
                return _nat_filled(column.cast(target).cast(pa.int64()))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                continue
    values = _texts(column)
    if values is None:
        problems.add(np.arange(1), name, f"column {name!r} holds {column.type}", "date-times")
        return np.full(len(column), NAT, dtype=np.int64)
    return _python_times(values, name, problems)


def _scaled(raw: I64, factor: int, name: str, problems: _Problems) -> I64:
    """Stored times at a unit as nanoseconds; those beyond the range are problems.
    ``raw`` (writable, :data:`NAT` for none) is scaled in place and returned."""
    present = raw != NAT
    if factor == 1:
        return raw
    high, low = _NS_MAX // factor, _NS_MIN // factor + 1
    if bool(present.any()) and (raw.max() > high or raw[present].min() < low):
        bad = present & ((raw > high) | (raw < low))
        problems.add(np.flatnonzero(bad), name, f"{name} is out of range", _TIME_RANGE)
        present &= ~bad
    with np.errstate(over="ignore"):
        raw *= np.int64(factor)
    raw[~present] = NAT
    return raw


def _texts(column: Any) -> list[str | None] | None:
    """A column's cells as text, or ``None`` when it cannot be read as text."""
    pa = _need_pyarrow("reading event logs")
    try:
        values: list[str | None] = column.cast(pa.string()).to_pylist()
    except (pa.ArrowException, UnicodeDecodeError):
        return None
    return values


def _nat_filled(ints: Any) -> I64:
    """An int64 Arrow column as a writable numpy array, :data:`NAT` for empty cells."""
    pa = _need_pyarrow("reading event logs")
    array = ints.combine_chunks() if hasattr(ints, "combine_chunks") else ints
    filled = array.fill_null(pa.scalar(NAT, pa.int64())) if array.null_count else array
    values: I64 = np.array(filled.to_numpy(zero_copy_only=False), dtype=np.int64)
    return values


def _arrow_ints(column: Any, name: str, problems: _Problems) -> I64:
    pa = _need_pyarrow("reading event logs")
    try:
        ints = column.cast(pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        values = _texts(column)
        if values is None:
            problems.add(np.arange(1), name, f"column {name!r} holds {column.type}", "integers")
            return np.full(len(column), -1, dtype=np.int64)
        return _python_ints(values, name, problems)
    filled = _nat_filled(ints)
    present = filled != NAT
    bad = present & ((filled < 0) | (filled > _INT_MAX))
    expected = f"a whole number from 0 to {_INT_MAX}"
    for row in np.flatnonzero(bad):  # one by one, each with its value
        found = _shown(str(int(filled[row])))
        problems.add(np.asarray([row]), name, f"{name} is out of range", expected, found)
    filled[~present | bad] = -1
    return filled


def _python_times(values: Sequence[str | None], name: str, problems: _Problems) -> I64:
    """Nanoseconds for ISO 8601 texts, one by one (the fallback and error path)."""
    result = np.full(len(values), NAT, dtype=np.int64)
    cache: dict[str, int | str] = {}
    bad: list[int] = []
    for row, text in enumerate(values):
        if text is None or text == "":
            continue
        if text not in cache:
            cache[text] = _parse_time(text)
        parsed = cache[text]
        if isinstance(parsed, str):
            bad.append(row)
        else:
            result[row] = parsed
    if bad:
        for kind in ("is not a date-time", "is out of range"):
            rows = np.asarray([r for r in bad if cache[str(values[r])] == kind], dtype=np.int64)
            for row in rows[: max(0, MAX_PROBLEMS - len(problems.found))]:
                problems.found.append(
                    problems.problem(
                        int(row), name, f"{name} {kind}", _TIME_RANGE, _shown(values[row])
                    )
                )
            problems.total += len(rows)
    return result


def _parse_time(text: str) -> int | str:
    """Nanoseconds since 1970 of an ISO 8601 text, or why not (a short reason)."""
    try:
        ns = nanoseconds(datetime.fromisoformat(text))
    except (ValueError, OverflowError):
        return "is not a date-time"
    return ns if _NS_MIN <= ns <= _NS_MAX else "is out of range"


def _shown(value: object) -> str:
    """A cell as shown in a problem (short, with control characters escaped)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _python_ints(values: Sequence[str | None], name: str, problems: _Problems) -> I64:
    result = np.full(len(values), -1, dtype=np.int64)
    for row, text in enumerate(values):
        if text is None or text == "":
            continue
        try:
            number = int(text)
        except ValueError:
            number = -1
            message = f"{name} is not a whole number"
        else:
            message = f"{name} is out of range"
        if 0 <= number <= _INT_MAX:
            result[row] = number
        else:
            rows = np.asarray([row], dtype=np.int64)
            problems.add(rows, name, message, f"a whole number from 0 to {_INT_MAX}", _shown(text))
    return result


def _read_csv_stdlib(path: Path, pathway: Pathway | None) -> EventLog:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise _unreadable(path, "CSV", error) from None
    problems = _Problems(path, header)
    if _repeated(header, problems):
        problems.raise_if_any()
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
    return _assemble(len(rows), columns, times, attendance, problems, pathway)


def _python_encode(cells: Sequence[str | None]) -> _Column:
    vocabulary = Vocabulary()
    codes = [-1 if cell is None else vocabulary.code(cell) for cell in cells]
    return _Column(np.asarray(codes, dtype=np.int32), vocabulary.labels)


# ------------------------------------------------------------------------ checking


def _assemble(
    n: int,
    columns: dict[str, _Column],
    times: Mapping[str, I64],
    attendance: I64,
    problems: _Problems,
    pathway: Pathway | None,
) -> EventLog:
    """Check the decoded columns row by row (vectorised) and build the log."""
    missing = [name for name in ("type", "case_id", "at") if name not in {*columns, *times}]
    for needed in missing:
        problems.whole(
            f"the event log has no {needed!r} column",
            line=1,
            column=needed,
            expected=f"columns type, case_id, at and the event fields ({COLUMNS[3]}, ...)",
            found=", ".join(problems.header) or "no header",
        )
    if missing:
        problems.raise_if_any()
    kind = _kinds(columns.pop("type"), problems)
    case = _used(columns.pop("case_id"))
    _check_labels(case, "case_id", problems)
    problems.add(np.flatnonzero(case.codes < 0), "case_id", "case_id is empty", "a case id")
    if pathway is not None:
        _check_pathway(pathway, kind, columns, problems)
    vocab = vocabularies()
    known = _known(pathway)
    codes: dict[str, I32] = {}
    for field in DOMAIN_OF:
        column = columns.pop(field, None)  # each file column goes once it is coded
        codes[field] = _domain_codes(column, field, vocab[DOMAIN_OF[field]], n, problems, known)
    at = times["at"]
    problems.add(np.flatnonzero(at == NAT), "at", "at is empty", "ISO 8601 date-time")
    started = times.get("started", np.full(n, NAT, dtype=np.int64))
    _check_required(kind, codes, started, attendance, problems)
    late = np.flatnonzero((started != NAT) & (at != NAT) & (started > at))
    problems.add(late, "started", "started is after at", "started no later than at")
    if not problems.found:
        _check_repeats(case.codes, at, kind, started, attendance, codes, problems)
    problems.raise_if_any()
    return sorted_log(
        case=case.codes,
        case_ids=tuple(case.labels),
        at=at,
        kind=kind.astype(np.int8),
        started=started,
        attendance=attendance.astype(np.int32, copy=False),
        codes=codes,
        vocab={domain: tuple(v.labels) for domain, v in vocab.items()},
    )


def _used(column: _Column) -> _Column:
    """The column with only the labels its cells use (a Parquet dictionary may hold
    values no row has, which would be cases without events)."""
    counts = np.bincount(column.codes[column.codes >= 0], minlength=len(column.labels))
    if bool(counts.all()):
        return column
    kept = np.flatnonzero(counts)
    mapping = np.full(len(column.labels) + 1, -1, dtype=np.int32)
    mapping[kept] = np.arange(len(kept), dtype=np.int32)
    codes: I32 = mapping[column.codes]
    return _Column(codes, [column.labels[i] for i in kept])


def _kinds(column: _Column, problems: _Problems) -> I64:
    mapping = np.array([KINDS.index(x) if x in KINDS else -1 for x in column.labels] + [-1])
    kind: I64 = mapping[column.codes]
    problems.add(np.flatnonzero(kind < 0), "type", "unknown event type", ", ".join(KINDS))
    return kind


def _rows_with(column: _Column, labels: Sequence[int]) -> I64:
    """The rows whose cell is one of the label indices ``labels``."""
    if not labels:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.isin(column.codes, np.asarray(labels, dtype=np.int32)))


def _check_labels(column: _Column, field: str, problems: _Problems) -> None:
    """Text cells must hold no NUL character."""
    nul = [i for i, label in enumerate(column.labels) if "\x00" in label]
    for index in nul:
        rows = _rows_with(column, [index])
        found = _shown(column.labels[index])
        problems.add(rows, field, f"{field} holds a NUL character", "text without NUL", found)


def _known(pathway: Pathway | None) -> dict[str, tuple[str, ...]]:
    """The values each domain may take: the vocabulary's, and the pathway's when given."""
    known: dict[str, tuple[str, ...]] = dict(_READ_CLOSED)
    if pathway is not None:
        known["step"] = tuple(pathway.steps)
        known["trigger"] = tuple(sorted(pathway.triggers))
        known["role"] = tuple(pathway.roles)
        known["checkpoint"] = tuple(pathway.checkpoints)
    return known


def _domain_codes(
    column: _Column | None,
    field: str,
    vocabulary: Vocabulary,
    n: int,
    problems: _Problems,
    known: Mapping[str, tuple[str, ...]],
) -> I32:
    if column is None:
        return blank_codes(n)
    allowed = known.get(DOMAIN_OF[field])
    bad: dict[int, str] = {}
    for index, label in enumerate(column.labels):
        reason = _label_problem(field, label, allowed)
        if reason:
            bad[index] = reason
    mapping = np.array(  # -2: a bad value, reported once here (not again as missing)
        [
            -2 if index in bad else vocabulary.code(label)
            for index, label in enumerate(column.labels)
        ]
        + [-1],
        dtype=np.int32,
    )
    for index, reason in bad.items():
        label = column.labels[index]
        rows = _rows_with(column, [index])
        expected = _expected(field, label, allowed, reason)
        problems.add(rows, field, reason, expected, _shown(label))
    codes: I32 = mapping[column.codes]
    return codes


def _label_problem(field: str, label: str, allowed: Sequence[str] | None) -> str:
    """Why ``label`` cannot be a value of ``field`` (``""`` when it can)."""
    if "\x00" in label:
        return f"{field} holds a NUL character"
    if allowed is not None and label not in allowed:
        return f"unknown {field}"
    if field in JSON_FIELDS:
        try:
            value = json.loads(label)
        except (ValueError, RecursionError):
            return f"{field} is not JSON"
        shape = _JSON_SHAPE[field]
        if not isinstance(value, shape):
            return f"{field} is not a JSON {'object' if shape is dict else 'list'}"
    return ""


def _expected(field: str, label: str, allowed: Sequence[str] | None, reason: str) -> str:
    """What a bad cell should have held, with the closest known value."""
    if reason.startswith("unknown") and allowed is not None:
        guess = did_you_mean(label, allowed)
        listed = ", ".join(allowed[:12]) + (", ..." if len(allowed) > 12 else "")
        return f"one of {listed}" + (f" (did you mean {guess!r}?)" if guess else "")
    if field in JSON_FIELDS:
        return "a JSON " + ("object" if _JSON_SHAPE[field] is dict else "list")
    return "text without NUL characters"


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
                missing = codes[field] == -1
            problems.add(
                np.flatnonzero(rows & missing), field, f"a {name} event needs {field!r}", field
            )


def _check_pathway(
    pathway: Pathway, kind: I64, columns: Mapping[str, _Column], problems: _Problems
) -> None:
    """The ``case_started`` rows' pathway id, version and content hash, where given,
    must be ``pathway``'s: a log run on another pathway (or another version) is refused."""
    started = kind == KINDS.index("case_started")
    wanted = {
        "pathway_id": pathway.id,
        "pathway_version": pathway.version,
        "content_hash": pathway.content_hash,
    }
    for field, value in wanted.items():
        column = columns.get(field)
        if column is None:
            continue
        other = [i for i, label in enumerate(column.labels) if label != value]
        rows = np.flatnonzero(started & np.isin(column.codes, np.asarray(other, np.int32)))
        if len(rows) == 0:
            continue
        found = ", ".join(repr(column.labels[i]) for i in other[:3])
        problems.total += len(rows) - 1  # one problem says it; the other rows are counted
        problems.add(
            rows[:1],
            field,
            f"the log was run on another pathway than {pathway.source} ({field} differs)",
            f"{value!r}, the {field.replace('_', ' ')} of {pathway.source}",
            found,
        )


def _check_repeats(
    case: I32,
    at: I64,
    kind: I64,
    started: I64,
    attendance: I64,
    codes: Mapping[str, I32],
    problems: _Problems,
) -> None:
    """Refuse events repeated row for row (a log appended twice, a join gone wrong):
    every column equal to an earlier row's."""
    fields: list[npt.NDArray[Any]] = [case, at, kind, started, attendance, *codes.values()]
    for row in sorted(repeated_rows(fields), key=lambda pair: pair[1]):
        problems.add(
            np.asarray([row[1]], dtype=np.int64),
            "type",
            f"this event repeats row {row[0] + 1} exactly",
            "each event once",
        )


def repeated_rows(fields: Sequence[npt.NDArray[Any]]) -> Iterator[tuple[int, int]]:
    """(first row, repeating row) for every row equal in every field to an earlier one.

    A 64-bit hash of the first four fields (case, time, kind, start) picks the rows that
    share them with another row (few: a repeat must); only those are hashed on every
    field and sorted, and each candidate pair is then compared field by field, so a hash
    collision is never reported. Columns with one value throughout (fields no event
    has) cannot tell rows apart and are skipped.
    """
    n = len(fields[0])
    if n < 2:
        return
    varied = [f for f in fields if not (f.ndim == 1 and f.strides == (0,))]
    key = _digest(varied[:4], np.arange(n))
    order = np.argsort(key)  # any order among equal keys: they are only candidates
    ordered = key[order]
    shared = np.flatnonzero(ordered[1:] == ordered[:-1])
    if len(shared) == 0:
        return
    candidates = np.unique(np.concatenate([order[shared], order[shared + 1]]))
    digest = _digest(varied, candidates)
    inner = np.lexsort((candidates, digest))
    rows, ordered = candidates[inner], digest[inner]
    same = np.flatnonzero(ordered[1:] == ordered[:-1])
    first, second = rows[same], rows[same + 1]
    equal = np.ones(len(same), dtype=bool)
    for field in fields:
        equal &= field[first] == field[second]
    for a, b in zip(first[equal].tolist(), second[equal].tolist(), strict=True):
        yield (min(a, b), max(a, b))


def _digest(fields: Sequence[npt.NDArray[Any]], rows: I64) -> npt.NDArray[np.uint64]:
    """A 64-bit FNV-style hash of ``fields`` at ``rows``."""
    digest = np.full(len(rows), 0xCBF29CE484222325, dtype=np.uint64)
    prime = np.uint64(0x100000001B3)
    whole = len(rows) == len(fields[0]) if fields else False
    with np.errstate(over="ignore"):
        for field in fields:
            values = field if whole else field[rows]
            digest ^= values.astype(np.int64).view(np.uint64)
            digest *= prime
            digest ^= digest >> np.uint64(29)
    return digest


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
