"""Event logs as files: CSV and Parquet in pathway's own shape, read and written fast.

A file has a ``type`` column (the event kind) and one column per event field, as
:func:`write_log` and the simulator write them. pyarrow (the ``report`` extra) reads and
writes both formats column by column; without it CSV falls back to the standard library.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

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
    KINDS,
    MAX_PROBLEMS,
    NAT,
    REQUIRED,
    TIME_FIELDS,
    EventLog,
    Vocabulary,
    nanoseconds,
    sorted_log,
    vocabularies,
)
from pathway.errors import DefinitionError, Problem

__all__ = ["read_log", "write_log"]


def read_log(path: str | Path) -> EventLog:
    """Read a CSV or Parquet event log (by suffix: ``.parquet``/``.pq``, else CSV).

    Times are ISO 8601 (a time without an offset is read as UTC). Raises
    :class:`~pathway.errors.DefinitionError` naming the file, line (CSV: the line of the
    row; Parquet: the 1-based row) and column of every bad row found (at most 20), and
    :class:`FileNotFoundError` for a missing file.
    """
    return _read(Path(path))


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
    return sorted_log(
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
