"""OCEL 2.0 object-centric event logs: JSON (``.jsonocel``/``.json``), XML
(``.xmlocel``/``.xml``) and SQLite (``.sqlite``/``.db``).

An object-centric log has no single case: each event relates to objects of several
types (a person, their referrals, their appointments). :func:`read_ocel` flattens it on
the object type chosen as the case (``case_type``): every event related to an object of
that type becomes one row of that object's case (an event about two people is in both
journeys). The event's other objects are kept, per type, in the attribute
``objects:<type>`` (ids joined by ``;``), so "one person, several referrals" stays
visible; an event attribute ``start_timestamp`` is the event's start time and
``org:resource``/``org:group`` its resource and group (as pathway and pm4py write them);
the case object's own attributes (first value of each) become what the log says
about the case, and each event's attributes are kept as event attributes. Events that
relate to no object of the case type belong to no case; how many is said in
``ForeignLog.notes``. A relationship naming an object the log does not declare is an
error (:class:`~pathway.errors.EventLogError` naming the file and the event or object).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError, parse

import attrs
import numpy as np

from pathway._journal._eventlog import MAX_PROBLEMS, NAT
from pathway.errors import EventLogError, Problem
from pathway.io._foreign import FIELDS, Coded, ForeignLog, Records, encode, parse_times

__all__ = ["OCEL_SUFFIXES", "Ocel", "OcelEvent", "load_ocel", "read_ocel"]

OCEL_SUFFIXES: Mapping[str, str] = {
    ".jsonocel": "json",
    ".json": "json",
    ".xmlocel": "xml",
    ".xml": "xml",
    ".sqlite": "sqlite",
    ".sqlite3": "sqlite",
    ".db": "sqlite",
}


#: Event attributes read as event fields unless ``fields`` says otherwise (pm4py's and
#: :func:`pathway.io.export_log`'s names).
_DEFAULT_FIELDS = {
    "resource": "org:resource",
    "group": "org:group",
    "lifecycle": "lifecycle:transition",
}


@attrs.frozen
class OcelEvent:
    """One OCEL event as the file gives it."""

    id: str
    type: str
    time: str
    attributes: dict[str, Any]
    objects: tuple[str, ...]


@attrs.frozen
class Ocel:
    """An OCEL 2.0 log as read: object types by object id, first attribute values by
    object id, object-to-object links and the events in file order."""

    source: str
    object_types: dict[str, str]
    object_attributes: dict[str, dict[str, Any]]
    object_links: tuple[tuple[str, str], ...]
    events: tuple[OcelEvent, ...]

    @property
    def types(self) -> tuple[str, ...]:
        """Every object type, sorted."""
        return tuple(sorted(set(self.object_types.values())))


def read_ocel(
    path: str | Path, case_type: str | None = None, *, fields: Mapping[str, str] | None = None
) -> ForeignLog:
    """A :class:`~pathway.io.ForeignLog` from an OCEL 2.0 file, one case per object of
    ``case_type`` (may be left out when the log has one object type).

    ``fields`` maps event fields (``resource``, ``group``, ``lifecycle``, ``location``)
    to event attribute names (e.g. ``{"resource": "pr_creator"}``). Raises
    :class:`FileNotFoundError` for a missing file and
    :class:`~pathway.errors.EventLogError` for a malformed file, a dangling object
    reference, a bad time, or a ``case_type`` the log does not have.
    """
    ocel = load_ocel(path)
    chosen = _case_type(ocel, case_type)
    return _flatten(ocel, chosen, dict(fields or {}))


def load_ocel(path: str | Path) -> Ocel:
    """Read an OCEL 2.0 file (by suffix) and check its object references."""
    source = Path(path)
    if not source.is_file():
        raise FileNotFoundError(f"no such event log: {source}")
    kind = OCEL_SUFFIXES.get(source.suffix.lower())
    if kind is None:
        raise EventLogError(
            [
                Problem(
                    f"cannot tell the OCEL encoding of {source.name}",
                    source=str(source),
                    expected="a name ending " + ", ".join(OCEL_SUFFIXES),
                    code="bad-log",
                )
            ]
        )
    try:
        if kind == "json":
            ocel = _from_json(source)
        elif kind == "xml":
            ocel = _from_xml(source)
        else:
            ocel = _from_sqlite(source)
    except (ValueError, KeyError, TypeError, AttributeError, ParseError, sqlite3.Error) as error:
        if isinstance(error, EventLogError):
            raise
        problem = Problem(
            f"not a readable OCEL 2.0 {kind.upper()} log: {type(error).__name__}: {error}",
            source=str(source),
            code="bad-log",
        )
        raise EventLogError([problem]) from None
    _check_references(ocel)
    return ocel


def _case_type(ocel: Ocel, case_type: str | None) -> str:
    types = ocel.types
    if case_type is None and len(types) == 1:
        return types[0]
    if case_type in types:
        return str(case_type)
    found = "none given" if case_type is None else repr(case_type)
    raise EventLogError(
        [
            Problem(
                "choose which object type is the case",
                source=ocel.source,
                field="case_type",
                expected="one of " + ", ".join(map(repr, types)),
                found=found,
                suggestion="pass case_type=... (the command line's --case-type TYPE)",
                code="case-type",
            )
        ]
    )


def _check_references(ocel: Ocel) -> None:
    problems: list[Problem] = []
    for event in ocel.events:
        for object_id in event.objects:
            if object_id not in ocel.object_types and len(problems) < MAX_PROBLEMS:
                problems.append(_dangling(ocel.source, f"event {event.id!r}", object_id))
    for source_id, target_id in ocel.object_links:
        if target_id not in ocel.object_types and len(problems) < MAX_PROBLEMS:
            problems.append(_dangling(ocel.source, f"object {source_id!r}", target_id))
    if problems:
        raise EventLogError(problems)


def _dangling(source: str, record: str, object_id: str) -> Problem:
    return Problem(
        f"{record} relates to object {object_id!r}, which the log does not declare",
        source=source,
        field="relationships",
        expected="an object id declared in the log's objects",
        found=repr(object_id),
        suggestion="add the object to the log, or remove the relationship",
        code="dangling-object",
    )


def _flatten(ocel: Ocel, case_type: str, fields: dict[str, str]) -> ForeignLog:
    """One row per (event, object of ``case_type``) pair, events in time order."""
    others = sorted(t for t in ocel.types if t != case_type)
    rows: list[tuple[OcelEvent, str]] = []
    orphans = 0
    for event in ocel.events:
        cases = [o for o in event.objects if ocel.object_types[o] == case_type]
        orphans += not cases
        rows.extend((event, case) for case in dict.fromkeys(cases))
    records = Records(ocel.source, "event", names=tuple(event.id for event, _ in rows))
    at = parse_times([event.time for event, _ in rows], records, "time")
    missing = np.flatnonzero(at == NAT)[:MAX_PROBLEMS]
    if missing.size:
        raise EventLogError(
            [records.problem(int(r), "time", "the event has no time") for r in missing]
        )
    case = encode(case for _, case in rows)
    attribute_names = sorted({k for event, _ in rows for k in event.attributes})
    attributes: dict[str, Coded] = {}
    for name in attribute_names:
        attributes[name] = encode(_text(event.attributes.get(name)) for event, _ in rows)
    for other in others:
        attributes[f"objects:{other}"] = encode(
            ";".join(sorted(o for o in event.objects if ocel.object_types[o] == other)) or None
            for event, _ in rows
        )
    wanted = {**_DEFAULT_FIELDS, **fields}
    chosen = {role: attributes.pop(name) for role, name in wanted.items() if name in attributes}
    start = np.full(len(rows), NAT, dtype=np.int64)
    if "start_timestamp" in attribute_names:
        texts = [_text(event.attributes.get("start_timestamp")) for event, _ in rows]
        start = parse_times(texts, records, "start_timestamp")
        attributes.pop("start_timestamp", None)
    notes = []
    if orphans:
        notes.append(
            f"{orphans} of {len(ocel.events)} events relate to no {case_type!r} object and "
            "belong to no case"
        )
    return ForeignLog(
        case=case.codes,
        case_ids=case.labels,
        activity=encode(event.type for event, _ in rows),
        at=at,
        start=start,
        fields={role: coded for role, coded in chosen.items() if role in FIELDS},
        records=records,
        attributes=attributes,
        case_attributes={c: dict(ocel.object_attributes.get(c, {})) for c in case.labels},
        notes=tuple(notes),
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


# --------------------------------------------------------------------------- encodings


def _from_json(path: Path) -> Ocel:
    data = json.loads(path.read_text(encoding="utf-8"))
    object_types: dict[str, str] = {}
    object_attributes: dict[str, dict[str, Any]] = {}
    links: list[tuple[str, str]] = []
    for item in data.get("objects", []):
        object_types[str(item["id"])] = str(item["type"])
        values: dict[str, Any] = {}
        for attribute in item.get("attributes") or []:
            values.setdefault(str(attribute["name"]), attribute.get("value"))
        object_attributes[str(item["id"])] = values
        links.extend((str(item["id"]), str(r["objectId"])) for r in item.get("relationships") or [])
    events = tuple(
        OcelEvent(
            id=str(item["id"]),
            type=str(item["type"]),
            time=str(item["time"]),
            attributes={str(a["name"]): a.get("value") for a in item.get("attributes") or []},
            objects=tuple(str(r["objectId"]) for r in item.get("relationships") or []),
        )
        for item in data["events"]
    )
    return Ocel(str(path), object_types, object_attributes, tuple(links), events)


def _from_xml(path: Path) -> Ocel:
    root = parse(path).getroot()
    object_types: dict[str, str] = {}
    object_attributes: dict[str, dict[str, Any]] = {}
    links: list[tuple[str, str]] = []
    for item in root.iterfind("objects/object"):
        object_id = str(item.get("id"))
        object_types[object_id] = str(item.get("type"))
        values: dict[str, Any] = {}
        for attribute in item.iterfind("attributes/attribute"):
            values.setdefault(str(attribute.get("name")), attribute.text)
        object_attributes[object_id] = values
        links.extend(
            (object_id, str(r.get("object-id"))) for r in item.iterfind("objects/relationship")
        )
    events = tuple(
        OcelEvent(
            id=str(item.get("id")),
            type=str(item.get("type")),
            time=str(item.get("time")),
            attributes={str(a.get("name")): a.text for a in item.iterfind("attributes/attribute")},
            objects=tuple(str(r.get("object-id")) for r in item.iterfind("objects/relationship")),
        )
        for item in root.iterfind("events/event")
    )
    return Ocel(str(path), object_types, object_attributes, tuple(links), events)


def _from_sqlite(path: Path) -> Ocel:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return _sqlite_ocel(connection, str(path))
    finally:
        connection.close()


def _sqlite_ocel(db: sqlite3.Connection, source: str) -> Ocel:
    object_types = {str(i): str(t) for i, t in db.execute("SELECT ocel_id, ocel_type FROM object")}
    object_attributes: dict[str, dict[str, Any]] = {i: {} for i in object_types}
    for _type, table in db.execute("SELECT ocel_type, ocel_type_map FROM object_map_type"):
        cursor = db.execute(f'SELECT * FROM "object_{table}"')
        names = [d[0] for d in cursor.description]
        found = list(cursor)
        if "ocel_time" in names:  # first value of each attribute: the earliest
            at = names.index("ocel_time")
            found.sort(key=lambda row: str(row[at] or ""))
        for row in found:
            values = dict(zip(names, row, strict=True))
            target = object_attributes.setdefault(str(values.pop("ocel_id")), {})
            for name, value in values.items():
                if not name.startswith("ocel_") and value is not None:
                    target.setdefault(name, value)
    links = tuple(
        (str(s), str(t))
        for s, t in db.execute("SELECT ocel_source_id, ocel_target_id FROM object_object")
    )
    related: dict[str, list[str]] = {}
    for event_id, object_id in db.execute(
        "SELECT ocel_event_id, ocel_object_id FROM event_object ORDER BY rowid"
    ):
        related.setdefault(str(event_id), []).append(str(object_id))
    details: dict[str, tuple[str, dict[str, Any]]] = {}
    for _type, table in db.execute("SELECT ocel_type, ocel_type_map FROM event_map_type"):
        cursor = db.execute(f'SELECT * FROM "event_{table}"')
        names = [d[0] for d in cursor.description]
        for row in cursor:
            values = dict(zip(names, row, strict=True))
            event_id = str(values.pop("ocel_id"))
            time = str(values.pop("ocel_time", "") or "")
            details[event_id] = (time, {k: v for k, v in values.items() if v is not None})
    events = []
    for event_id, event_type in db.execute("SELECT ocel_id, ocel_type FROM event ORDER BY rowid"):
        time, attributes = details.get(str(event_id), ("", {}))
        events.append(
            OcelEvent(
                str(event_id),
                str(event_type),
                time,
                attributes,
                tuple(related.get(str(event_id), ())),
            )
        )
    return Ocel(source, object_types, object_attributes, links, tuple(events))
