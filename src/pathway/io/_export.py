"""Event logs for process miners: XES, OCEL 2.0 (JSON, SQLite) and pm4py-style CSV or
Parquet, from any :class:`~pathway.EventLog` (simulated, stored or imported).

Every format carries one event per step: the step id as the activity
(``concept:name``), when it completed (``time:timestamp``), when it began
(``start_timestamp``, left out where the log does not know it), who did it
(``org:resource``) and in which role (``org:group``), its work class (``pathway:work``),
``lifecycle:transition`` ``complete``; a step still in progress is one ``start`` event;
an outcome is one event at the moment it was reached (unless a step of that name
completed at that very moment: a log read without a pathway ends each case that way).
A case's facts become its trace attributes (XES), ``case:`` columns (tables) or its
object's attributes (OCEL, where each case is an object of type ``case``).
(``read_xes``, ``read_ocel2_json``, ``read_ocel2_sqlite``, ``pandas.read_csv`` with
``format_dataframe``, ``read_parquet``), and bupaR reads the XES and CSV.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import quoteattr

import attrs
import numpy as np
import numpy.typing as npt

from pathway._extras import require
from pathway._journal._eventlog import NAT, EventLog, kind_code

__all__ = ["EXPORT_FORMATS", "ExportRow", "export_log", "export_rows"]

I64 = npt.NDArray[np.int64]
#: Output suffixes and the format each writes.
EXPORT_FORMATS: Mapping[str, str] = {
    ".xes": "xes",
    ".jsonocel": "ocel-json",
    ".sqlite": "ocel-sqlite",
    ".csv": "csv",
    ".parquet": "parquet",
}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CASE_TYPE = "case"


@attrs.frozen
class ExportRow:
    """One exported event: a step (or an outcome), in process-mining terms."""

    case: str
    activity: str
    time: int
    start: int
    lifecycle: str
    resource: str | None
    group: str | None
    work: str | None


def export_log(log: EventLog, path: str | Path) -> None:
    """Write ``log`` for process miners, in the format of ``path``'s suffix (see
    :data:`EXPORT_FORMATS`); ``ValueError`` for another suffix, :class:`OSError` when the
    file cannot be written."""
    target = Path(path)
    kind = EXPORT_FORMATS.get(target.suffix.lower())
    if kind is None:
        raise ValueError(
            f"cannot tell the export format of {target.name}; name it "
            + ", ".join(f"*{s}" for s in EXPORT_FORMATS)
        )
    rows = list(export_rows(log))
    facts = _facts(log)
    if kind == "xes":
        with target.open("w", encoding="utf-8") as stream:
            _write_xes(stream, rows, facts, log.case_ids)
    elif kind == "ocel-json":
        target.write_text(json.dumps(_ocel_json(rows, facts, log.case_ids), indent=1))
    elif kind == "ocel-sqlite":
        _write_sqlite(target, rows, facts, log.case_ids)
    else:
        _write_table(target, rows, facts, parquet=kind == "parquet")


def export_rows(log: EventLog) -> Iterator[ExportRow]:
    """The log's steps and outcomes as :class:`ExportRow`, case by case in time order."""
    wanted = {
        kind_code("step_completed"): "complete",
        kind_code("step_started"): "start",
        kind_code("outcome_reached"): "complete",
    }
    started = kind_code("step_started")
    steps, workers, roles = log.labels("step"), log.labels("worker"), log.labels("role")
    works = log.labels("work")
    kinds = log.kind
    outcome = kind_code("outcome_reached")
    last: tuple[int, int, int] | None = None
    for row in np.flatnonzero(np.isin(kinds, list(wanted))).tolist():
        kind = int(kinds[row])
        at = int(log.at[row])
        start = at if kind in (started, outcome) else int(log.started[row])
        key = (int(log.case[row]), int(log.codes["step"][row]), at)
        if kind == outcome and key == last:
            continue  # the outcome is the completion of the step just written
        last = key
        yield ExportRow(
            case=log.case_ids[int(log.case[row])],
            activity=steps[int(log.codes["step"][row])],
            time=at,
            start=start,
            lifecycle=wanted[kind],
            resource=_label(workers, int(log.codes["worker"][row])),
            group=_label(roles, int(log.codes["role"][row])),
            work=_label(works, int(log.codes["work"][row])),
        )


def _label(labels: tuple[str, ...], code: int) -> str | None:
    return labels[code] if code >= 0 else None


def _facts(log: EventLog) -> dict[str, dict[str, Any]]:
    """Each case's facts from its case-started event."""
    rows = log.rows_of(kind_code("case_started"))
    labels = log.labels("facts")
    facts: dict[str, dict[str, Any]] = {}
    for row in rows.tolist():
        code = int(log.codes["facts"][row])
        if code >= 0:
            facts[log.case_ids[int(log.case[row])]] = dict(json.loads(labels[code]))
    return facts


def iso(ns: int) -> str:
    """An ISO 8601 UTC time with milliseconds (as XES writers use) for ``ns``."""
    moment = _EPOCH + timedelta(microseconds=ns // 1000)
    return moment.isoformat(timespec="milliseconds")


# ----------------------------------------------------------------------------------- XES


def _xes_attribute(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return f'<boolean key={quoteattr(key)} value="{str(value).lower()}"/>'
    if isinstance(value, int):
        return f'<int key={quoteattr(key)} value="{value}"/>'
    if isinstance(value, float):
        return f'<float key={quoteattr(key)} value="{value!r}"/>'
    return f"<string key={quoteattr(key)} value={quoteattr(str(value))}/>"


def _write_xes(
    stream: IO[str],
    rows: list[ExportRow],
    facts: Mapping[str, Mapping[str, Any]],
    case_ids: tuple[str, ...],
) -> None:
    stream.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<log xes.version="1849-2016" xes.features="" xmlns="http://www.xes-standard.org/">\n'
        ' <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>\n'
        ' <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>\n'
        ' <extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>\n'
        ' <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>\n'
        ' <string key="concept:name" value="pathway export"/>\n'
    )
    by_case: dict[str, list[ExportRow]] = {case: [] for case in case_ids}
    for row in rows:
        by_case[row.case].append(row)
    for case, events in by_case.items():
        stream.write(" <trace>\n  " + _xes_attribute("concept:name", case) + "\n")
        for key, value in sorted(facts.get(case, {}).items()):
            if key != "concept:name":
                stream.write("  " + _xes_attribute(key, value) + "\n")
        for row in events:
            parts = [
                _xes_attribute("concept:name", row.activity),
                f'<date key="time:timestamp" value="{iso(row.time)}"/>',
                _xes_attribute("lifecycle:transition", row.lifecycle),
            ]
            if row.start != NAT:
                parts.append(f'<date key="start_timestamp" value="{iso(row.start)}"/>')
            for key, value in (
                ("org:resource", row.resource),
                ("org:group", row.group),
                ("pathway:work", row.work),
            ):
                if value is not None:
                    parts.append(_xes_attribute(key, value))
            stream.write("  <event>" + "".join(parts) + "</event>\n")
        stream.write(" </trace>\n")
    stream.write("</log>\n")


# ---------------------------------------------------------------------------- OCEL 2.0


_EVENT_ATTRIBUTES = ("start_timestamp", "org:resource", "org:group", "pathway:work")


def _event_attributes(row: ExportRow) -> dict[str, str]:
    values = {
        "start_timestamp": iso(row.start) if row.start != NAT else None,
        "org:resource": row.resource,
        "org:group": row.group,
        "pathway:work": row.work,
    }
    return {k: v for k, v in values.items() if v is not None}


def _ocel_json(
    rows: list[ExportRow], facts: Mapping[str, Mapping[str, Any]], case_ids: tuple[str, ...]
) -> dict[str, Any]:
    fact_names = sorted({k for values in facts.values() for k in values})
    activities = sorted({row.activity for row in rows})
    return {
        "objectTypes": [
            {"name": _CASE_TYPE, "attributes": [{"name": f, "type": "string"} for f in fact_names]}
        ],
        "eventTypes": [
            {"name": a, "attributes": [{"name": n, "type": "string"} for n in _EVENT_ATTRIBUTES]}
            for a in activities
        ],
        "objects": [
            {
                "id": case,
                "type": _CASE_TYPE,
                "attributes": [
                    {"name": k, "time": "1970-01-01T00:00:00Z", "value": str(v)}
                    for k, v in sorted(facts.get(case, {}).items())
                ],
                "relationships": [],
            }
            for case in case_ids
        ],
        "events": [
            {
                "id": f"e{i + 1}",
                "type": row.activity,
                "time": iso(row.time),
                "attributes": [{"name": k, "value": v} for k, v in _event_attributes(row).items()],
                "relationships": [{"objectId": row.case, "qualifier": _CASE_TYPE}],
            }
            for i, row in enumerate(rows)
        ],
    }


def _table_name(name: str) -> str:
    """OCEL 2.0 SQLite's table suffix for a type: its letters and digits."""
    return "".join(ch for ch in name if ch.isalnum()) or "type"


def _quoted(name: str) -> str:
    """An SQL identifier in double quotes."""
    return '"' + name.replace('"', '""') + '"'


def _write_sqlite(
    path: Path,
    rows: list[ExportRow],
    facts: Mapping[str, Mapping[str, Any]],
    case_ids: tuple[str, ...],
) -> None:
    if path.exists():
        path.unlink()
    db = sqlite3.connect(path)
    try:
        _sqlite_tables(db, rows, facts, case_ids)
        db.commit()
    finally:
        db.close()


def _sqlite_tables(
    db: sqlite3.Connection,
    rows: list[ExportRow],
    facts: Mapping[str, Mapping[str, Any]],
    case_ids: tuple[str, ...],
) -> None:
    db.executescript(
        """
        CREATE TABLE event_map_type (ocel_type TEXT PRIMARY KEY, ocel_type_map TEXT);
        CREATE TABLE object_map_type (ocel_type TEXT PRIMARY KEY, ocel_type_map TEXT);
        CREATE TABLE event (ocel_id TEXT PRIMARY KEY, ocel_type TEXT);
        CREATE TABLE object (ocel_id TEXT PRIMARY KEY, ocel_type TEXT);
        CREATE TABLE event_object (ocel_event_id TEXT, ocel_object_id TEXT,
            ocel_qualifier TEXT, PRIMARY KEY (ocel_event_id, ocel_object_id, ocel_qualifier));
        CREATE TABLE object_object (ocel_source_id TEXT, ocel_target_id TEXT,
            ocel_qualifier TEXT, PRIMARY KEY (ocel_source_id, ocel_target_id, ocel_qualifier));
        """
    )
    fact_names = sorted({k for values in facts.values() for k in values})
    columns = "".join(f", {_quoted(f)} TEXT" for f in fact_names)
    db.execute("INSERT INTO object_map_type VALUES (?, ?)", (_CASE_TYPE, _table_name(_CASE_TYPE)))
    object_table = _quoted("object_" + _table_name(_CASE_TYPE))
    db.execute(
        f"CREATE TABLE {object_table} (ocel_id TEXT, ocel_time TIMESTAMP, "
        f"ocel_changed_field TEXT{columns})"
    )
    for case in case_ids:
        db.execute("INSERT INTO object VALUES (?, ?)", (case, _CASE_TYPE))
        found = [str(facts.get(case, {}).get(f, "")) or None for f in fact_names]
        marks = ", ".join("?" * (3 + len(fact_names)))
        db.execute(
            f"INSERT INTO {object_table} VALUES ({marks})",
            (case, "1970-01-01 00:00:00", None, *found),
        )
    attributes = "".join(f", {_quoted(a)} TEXT" for a in _EVENT_ATTRIBUTES)
    for activity in sorted({row.activity for row in rows}):
        table = _table_name(activity)
        db.execute("INSERT INTO event_map_type VALUES (?, ?)", (activity, table))
        db.execute(
            f"CREATE TABLE {_quoted('event_' + table)} "
            f"(ocel_id TEXT PRIMARY KEY, ocel_time TIMESTAMP{attributes})"
        )
    for i, row in enumerate(rows):
        event_id = f"e{i + 1}"
        db.execute("INSERT INTO event VALUES (?, ?)", (event_id, row.activity))
        db.execute("INSERT INTO event_object VALUES (?, ?, ?)", (event_id, row.case, _CASE_TYPE))
        values = _event_attributes(row)
        db.execute(
            f"INSERT INTO {_quoted('event_' + _table_name(row.activity))} "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                event_id,
                iso(row.time).replace("T", " "),
                *(values.get(a) for a in _EVENT_ATTRIBUTES),
            ),
        )


# -------------------------------------------------------------------------- CSV, Parquet


def _write_table(
    path: Path, rows: list[ExportRow], facts: Mapping[str, Mapping[str, Any]], *, parquet: bool
) -> None:
    pa = require("pyarrow", extra="report", feature="exporting CSV and Parquet")
    for part in ("pyarrow.csv", "pyarrow.parquet"):
        require(part, extra="report", feature="exporting CSV and Parquet")
    utc = pa.timestamp("ms", tz="UTC")
    time = pa.array([r.time // 1_000_000 for r in rows], pa.int64()).cast(utc)
    start = pa.array(
        [r.start // 1_000_000 if r.start != NAT else None for r in rows], pa.int64()
    ).cast(utc)
    columns: dict[str, Any] = {
        "case:concept:name": pa.array([r.case for r in rows], pa.string()),
        "concept:name": pa.array([r.activity for r in rows], pa.string()),
        "time:timestamp": time,
        "start_timestamp": start,
        "lifecycle:transition": pa.array([r.lifecycle for r in rows], pa.string()),
        "org:resource": pa.array([r.resource for r in rows], pa.string()),
        "org:group": pa.array([r.group for r in rows], pa.string()),
        "pathway:work": pa.array([r.work for r in rows], pa.string()),
    }
    for name in sorted({k for values in facts.values() for k in values}):
        columns[f"case:{name}"] = pa.array(
            [_text(facts.get(r.case, {}).get(name)) for r in rows], pa.string()
        )
    if not parquet:
        columns["time:timestamp"] = pa.array([iso(r.time) for r in rows], pa.string())
        columns["start_timestamp"] = pa.array(
            [iso(r.start) if r.start != NAT else None for r in rows], pa.string()
        )
    table = pa.table(columns)
    if parquet:
        pa.parquet.write_table(table, path)
    else:
        pa.csv.write_csv(table, path)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
