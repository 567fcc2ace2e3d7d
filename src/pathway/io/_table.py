"""Process-mining tables: CSV, Parquet and pandas/polars DataFrames in pm4py's or
bupaR's column names, or any names with a column mapping.

Each column plays one *role*; the names recognised for it, in order, are in
:data:`KNOWN_NAMES` (pm4py's ``case:concept:name``/``concept:name``/``time:timestamp``/
``start_timestamp``/``lifecycle:transition``/``org:resource``/``org:group``, bupaR's
``case_id``/``activity_id``/``activity_instance_id``/``lifecycle_id``/``resource_id``/
``timestamp``). A mapping such as ``{"case": "patient", "activity": "handling"}`` (the
command line's ``--columns case=patient,activity=handling``) names the columns of a
log that uses other names. Other ``case:`` columns become what the log says about each
case (its first value in the case); every other column is kept as an event attribute.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from pathway._extras import require
from pathway._journal._eventlog import MAX_PROBLEMS, NAT
from pathway.errors import EventLogError, Problem
from pathway.io._foreign import FIELDS, Coded, ForeignLog, Records, parse_times

__all__ = ["KNOWN_NAMES", "ROLES", "parse_columns", "read_table"]

#: Every column role, and the column names recognised for it (first found wins).
KNOWN_NAMES: Mapping[str, tuple[str, ...]] = {
    "case": ("case:concept:name", "case_id", "case", "caseid", "Case ID"),
    "activity": ("concept:name", "activity_id", "activity", "Activity"),
    "time": ("time:timestamp", "timestamp", "time", "Complete Timestamp"),
    "start": ("start_timestamp", "start:timestamp", "Start Timestamp"),
    "lifecycle": ("lifecycle:transition", "lifecycle_id", "lifecycle"),
    "resource": ("org:resource", "resource_id", "resource", "Resource"),
    "group": ("org:group", "org:role", "group", "role"),
    "instance": ("activity_instance_id", "concept:instance", "instance"),
    "location": ("location", "attendance"),
}
ROLES: tuple[str, ...] = tuple(KNOWN_NAMES)
_REQUIRED = ("case", "activity", "time")


def parse_columns(text: str) -> dict[str, str]:
    """``case=patient,activity=handling`` as a mapping; ``ValueError`` naming the
    unknown role or the piece without ``=``."""
    mapping: dict[str, str] = {}
    for piece in filter(None, (p.strip() for p in text.split(","))):
        role, sep, column = piece.partition("=")
        role, column = role.strip(), column.strip()
        if not sep or not column:
            raise ValueError(f"column mapping {piece!r} is not ROLE=COLUMN (e.g. case=patient)")
        if role not in KNOWN_NAMES:
            raise ValueError(
                f"unknown column role {role!r} in {piece!r}; expected one of {', '.join(ROLES)}"
            )
        mapping[role] = column
    return mapping


def read_table(source: Any, columns: Mapping[str, str] | None = None) -> ForeignLog:
    """A :class:`~pathway.io.ForeignLog` from a process-mining table.

    ``source`` is a CSV or Parquet path (``.parquet``/``.pq``; anything else is read as
    CSV), a pandas DataFrame or a polars DataFrame. ``columns`` maps roles (``case``,
    ``activity``, ``time``, ``start``, ``lifecycle``, ``resource``, ``group``,
    ``instance``, ``location``) to column names. Raises
    :class:`~pathway.errors.EventLogError` naming the file and the line (CSV) or row for
    a missing column, an empty case or activity, or a bad time.
    """
    pa = _pyarrow()
    table, records = _table(source, pa)
    names = list(table.column_names)
    chosen = _choose(names, dict(columns or {}), records)
    rows = table.num_rows
    case = _coded(table.column(chosen["case"]), pa)
    activity = _coded(table.column(chosen["activity"]), pa)
    problems: list[Problem] = []
    for role, coded in (("case", case), ("activity", activity)):
        for row in np.flatnonzero(coded.codes < 0)[:MAX_PROBLEMS]:
            problems.append(
                records.problem(int(row), chosen[role], f"the {role} is empty", expected="a value")
            )
    at = _times(table.column(chosen["time"]), records, chosen["time"], pa)
    for row in np.flatnonzero(at == NAT)[: MAX_PROBLEMS - len(problems)]:
        problems.append(records.problem(int(row), chosen["time"], "the time is empty"))
    if problems:
        raise EventLogError(problems)
    start = (
        _times(table.column(chosen["start"]), records, chosen["start"], pa)
        if "start" in chosen
        else np.full(rows, NAT, dtype=np.int64)
    )
    fields = {role: _coded(table.column(chosen[role]), pa) for role in FIELDS if role in chosen}
    used = set(chosen.values())
    case_columns = [n for n in names if n.startswith("case:") and n not in used]
    attributes = {
        name: _coded(table.column(name), pa)
        for name in names
        if name not in used and name not in case_columns
    }
    return ForeignLog(
        case=case.codes,
        case_ids=case.labels,
        activity=activity,
        at=at,
        start=start,
        fields=fields,
        records=records,
        attributes=attributes,
        case_attributes=_case_attributes(table, case, case_columns),
    )


def _pyarrow() -> Any:
    for name in ("pyarrow.compute", "pyarrow.csv", "pyarrow.parquet"):
        require(name, extra="report", feature="reading process-mining tables")
    return require("pyarrow", extra="report", feature="reading process-mining tables")


def _table(source: Any, pa: Any) -> tuple[Any, Records]:
    """The arrow table behind ``source`` and how to name its records."""
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"no such event log: {path}")
        try:
            if path.suffix.lower() in {".parquet", ".pq"}:
                table = pa.parquet.read_table(path)
                return table, Records(str(path), "row")
            options = pa.csv.ConvertOptions(strings_can_be_null=True, null_values=[""])
            table = pa.csv.read_csv(path, convert_options=_all_text(path, pa, options))
        except (OSError, pa.ArrowException) as error:
            problem = Problem(f"cannot read the table: {error}", source=str(path), code="bad-log")
            raise EventLogError([problem]) from None
        lines = np.arange(2, table.num_rows + 2, dtype=np.int64)
        return table, Records(str(path), "line", numbers=lines)
    if hasattr(source, "to_arrow"):  # polars
        return source.to_arrow(), Records("<DataFrame>", "row")
    if hasattr(source, "columns") and hasattr(source, "iloc"):  # pandas
        return pa.Table.from_pandas(source, preserve_index=False), Records("<DataFrame>", "row")
    raise TypeError(
        f"cannot read an event log from {type(source).__name__}; give a CSV or Parquet "
        "path, a pandas DataFrame or a polars DataFrame"
    )


def _all_text(path: Path, pa: Any, options: Any) -> Any:
    """Convert options that read every column of the CSV at ``path`` as text."""
    header = pa.csv.open_csv(path).schema.names
    options.column_types = {name: pa.string() for name in header}
    return options


def _choose(names: list[str], given: dict[str, str], records: Records) -> dict[str, str]:
    """Column name per role: the mapping first, then the known names."""
    chosen: dict[str, str] = {}
    for role, column in given.items():
        if column not in names:
            raise EventLogError(
                [
                    Problem(
                        f"the column mapping names {column!r} for {role}, but the log has "
                        f"no such column",
                        source=records.source,
                        field=role,
                        expected="one of " + ", ".join(map(repr, names)),
                        code="missing-column",
                    )
                ]
            )
        chosen[role] = column
    for role, known in KNOWN_NAMES.items():
        if role not in chosen:
            found = next((n for n in known if n in names and n not in chosen.values()), None)
            if found is not None:
                chosen[role] = found
    missing = [role for role in _REQUIRED if role not in chosen]
    if missing:
        raise EventLogError(
            [
                Problem(
                    f"no {role} column: none of {', '.join(map(repr, KNOWN_NAMES[role]))}",
                    source=records.source,
                    field=role,
                    expected="a column per role",
                    found="columns " + ", ".join(map(repr, names)),
                    suggestion=f"name it with --columns {role}=COLUMN",
                    code="missing-column",
                )
                for role in missing
            ]
        )
    return chosen


def _coded(column: Any, pa: Any) -> Coded:
    """A column as codes and labels (-1 for empty cells)."""
    if not (pa.types.is_string(column.type) or pa.types.is_dictionary(column.type)):
        column = column.cast(pa.string())
    if pa.types.is_dictionary(column.type):
        encoded = column.unify_dictionaries().combine_chunks()
    else:
        encoded = pa.compute.dictionary_encode(column).combine_chunks()
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    empty = encoded.is_null().to_numpy(zero_copy_only=False)
    labels = [str(x) for x in encoded.dictionary.cast(pa.string()).to_pylist()]
    codes = np.where(empty, -1, indices).astype(np.int64)
    if "" in labels:
        codes[codes == labels.index("")] = -1
    return Coded(codes, tuple(labels))


def _times(column: Any, records: Records, name: str, pa: Any) -> Any:
    """Nanoseconds since 1970 UTC for a time column (typed or ISO 8601 text)."""
    if pa.types.is_timestamp(column.type):
        target = pa.timestamp("ns", tz="UTC") if column.type.tz else pa.timestamp("ns")
        try:
            ints = column.cast(target).cast(pa.int64()).fill_null(NAT)
        except pa.ArrowInvalid as error:
            problem = Problem(f"{name}: {error}", source=records.source, code="bad-event")
            raise EventLogError([problem]) from None
        return np.asarray(ints.to_numpy(), dtype=np.int64)
    texts = column.cast(pa.string()).to_pylist()
    return parse_times(texts, records, name)


def _case_attributes(table: Any, case: Coded, names: list[str]) -> dict[str, dict[str, Any]]:
    """Per case id: each ``case:`` column's first non-empty value (prefix dropped)."""
    if not names:
        return {}
    result: dict[str, dict[str, Any]] = {case_id: {} for case_id in case.labels}
    codes = case.codes
    for name in names:
        values = table.column(name).to_pylist()
        key = name.removeprefix("case:")
        for row in range(len(values)):
            value = values[row]
            if value is None or value == "":
                continue
            attributes = result[case.labels[int(codes[row])]]
            attributes.setdefault(key, value)
    return result
