"""XES (IEEE 1849) event logs, ``.xes`` or gzipped ``.xes.gz``, read as a stream.

The file is parsed with the standard library's ``xml.etree.ElementTree.iterparse`` (the
C-accelerated expat parser): each ``<event>`` is read when it closes and cleared at
once, each ``<trace>`` likewise, so memory grows with the number of events' values, not
with the XML tree. expat does not fetch external entities or DTDs, and its limits on
entity expansion (expat 2.4.1 and later, in every supported Python) stop "billion
laughs" files. A trace's ``concept:name`` is the case id and its other attributes what
the log says about the case; an event's ``concept:name``, ``time:timestamp``,
``lifecycle:transition``, ``org:resource``, ``org:group``, ``concept:instance`` and
``start_timestamp`` fill the fields of a :class:`~pathway.io.ForeignLog`; every other
top-level event attribute is kept as an event attribute.
"""

from __future__ import annotations

import gzip
import re
import zlib
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, cast
from xml.etree.ElementTree import Element, ParseError, iterparse

import numpy as np

from pathway._journal._eventlog import MAX_PROBLEMS
from pathway.errors import EventLogError, Problem
from pathway.io._foreign import Coded, ForeignLog, Records, parse_times

__all__ = ["XES_KEYS", "read_xes"]

#: Event attribute keys and the :class:`ForeignLog` field each fills.
XES_KEYS = {
    "concept:name": "activity",
    "time:timestamp": "time",
    "start_timestamp": "start",
    "lifecycle:transition": "lifecycle",
    "org:resource": "resource",
    "org:group": "group",
    "org:role": "group",
    "concept:instance": "instance",
    "location": "location",
}
_NAMESPACE = re.compile(rb"<log[^>]*\sxmlns\s*=\s*[\"']([^\"']*)[\"']")
_TYPED: dict[str, Callable[[str], Any]] = {
    "int": int,
    "float": float,
    "boolean": lambda v: v.lower() == "true",
}


def read_xes(path: str | Path) -> ForeignLog:
    """A :class:`~pathway.io.ForeignLog` from an XES file (``.xes`` or ``.xes.gz``).

    Raises :class:`FileNotFoundError` for a missing file and
    :class:`~pathway.errors.EventLogError` naming the file and the event (its position
    and trace) for a truncated or malformed file, an event without a name or time, or
    a bad time.
    """
    source = Path(path)
    if not source.is_file():
        raise FileNotFoundError(f"no such event log: {source}")
    reader = _Reader(str(source))
    try:
        with _open(source) as stream:
            reader.read(stream, _namespace(source))
    except ParseError as error:
        raise EventLogError(
            [reader.broken(f"the XML is malformed or truncated: {error}")]
        ) from None
    except (OSError, EOFError, zlib.error) as error:
        raise EventLogError([reader.broken(f"the file cannot be read: {error}")]) from None
    return reader.log()


def _open(path: Path) -> IO[bytes]:
    if path.suffix.lower() == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def _namespace(path: Path) -> str:
    """``{uri}`` when the log element declares a default namespace, else ``""``."""
    with _open(path) as stream:
        head = stream.read(4096)
    found = _NAMESPACE.search(head)
    return "{" + found.group(1).decode() + "}" if found else ""


class _Column:
    """One attribute key's values: rows where it occurs and codes into its labels."""

    __slots__ = ("codes", "labels", "rows")

    def __init__(self) -> None:
        self.rows = array("q")
        self.codes = array("q")
        self.labels: dict[str, int] = {}

    def add(self, row: int, value: str) -> None:
        self.rows.append(row)
        labels = self.labels
        code = labels.get(value)
        if code is None:
            code = labels[value] = len(labels)
        self.codes.append(code)

    def coded(self, n: int) -> Coded:
        codes = np.full(n, -1, dtype=np.int64)
        codes[np.frombuffer(self.rows, dtype=np.int64)] = np.frombuffer(self.codes, np.int64)
        return Coded(codes, tuple(self.labels))


class _Reader:
    """Collects events as they close (see :func:`read_xes`)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.n = 0
        self.traces = 0
        self.case_of_event = array("q")
        self.case_ids: dict[str, int] = {}
        self.case_attributes: dict[str, dict[str, Any]] = {}
        self.times: list[str | None] = []
        self.starts: list[str | None] = []
        self.columns: dict[str, _Column] = {}
        self.trace_first = 0
        self.last_trace = ""

    def read(self, stream: IO[bytes], ns: str) -> None:
        event_tag, trace_tag = ns + "event", ns + "trace"
        for _kind, element in _ends(stream):
            tag = element.tag
            if tag == event_tag:
                self._event(element)
                element.clear()
            elif tag == trace_tag:
                self._trace(element, event_tag)
                element.clear()

    def _event(self, element: Element) -> None:
        row = self.n
        time = start = None
        columns = self.columns
        for child in element:
            key = child.get("key")
            value = child.get("value")
            if key is None or value is None:
                continue
            if key == "time:timestamp":
                time = value
            elif key == "start_timestamp":
                start = value
            else:
                column = columns.get(key)
                if column is None:
                    column = columns[key] = _Column()
                column.add(row, value)
        self.times.append(time)
        self.starts.append(start)
        self.n += 1

    def _trace(self, element: Element, event_tag: str) -> None:
        self.traces += 1
        name: str | None = None
        attributes: dict[str, Any] = {}
        for child in element:
            if child.tag == event_tag:
                continue
            key, value = child.get("key"), child.get("value")
            if key is None or value is None:
                continue
            if key == "concept:name":
                name = value
            else:
                attributes[key] = _typed(child.tag.rpartition("}")[2], value)
        case_id = name if name is not None else f"(trace {self.traces})"
        code = self.case_ids.setdefault(case_id, len(self.case_ids))
        if attributes:
            self.case_attributes.setdefault(case_id, {}).update(attributes)
        count = self.n - self.trace_first
        self.case_of_event.extend([code] * count)
        self.trace_first = self.n
        self.last_trace = case_id

    def broken(self, message: str) -> Problem:
        """A problem about the whole file, placed after the last complete event."""
        where = f"after event {self.n}" + (
            f" (trace {self.last_trace!r} was the last complete trace)" if self.last_trace else ""
        )
        return Problem(f"{message}; {where}", source=self.source, code="bad-log")

    def log(self) -> ForeignLog:
        if self.trace_first != self.n:
            raise EventLogError(
                [self.broken(f"{self.n - self.trace_first} events stand outside any trace")]
            )
        n = self.n
        records = Records(self.source, "event")
        activity = self.columns.pop("concept:name", None)
        coded_activity = activity.coded(n) if activity else Coded(np.full(n, -1, np.int64), ())
        problems = [
            records.problem(int(row), "concept:name", "the event has no concept:name")
            for row in np.flatnonzero(coded_activity.codes < 0)[:MAX_PROBLEMS]
        ]
        problems += [
            records.problem(row, "time:timestamp", "the event has no time:timestamp")
            for row in _missing(self.times)
        ][: MAX_PROBLEMS - len(problems)]
        if problems:
            raise EventLogError(problems)
        fields: dict[str, Coded] = {}
        attributes: dict[str, Coded] = {}
        for key, column in self.columns.items():
            role = XES_KEYS.get(key)
            if role is not None and role not in fields:
                fields[role] = column.coded(n)
            else:
                attributes[key] = column.coded(n)
        return ForeignLog(
            case=np.frombuffer(self.case_of_event, dtype=np.int64).copy(),
            case_ids=tuple(self.case_ids),
            activity=coded_activity,
            at=parse_times(self.times, records, "time:timestamp"),
            start=parse_times(self.starts, records, "start_timestamp"),
            fields=fields,
            records=records,
            attributes=attributes,
            case_attributes=self.case_attributes,
        )


def _ends(stream: IO[bytes]) -> Iterator[tuple[str, Element]]:
    return iterparse(stream, events=("end",))


def _missing(values: list[str | None]) -> Iterator[int]:
    return (row for row, value in enumerate(values) if value is None)


def _typed(tag: str, value: str) -> Any:
    """A trace attribute's value as its XES type says (int, float, boolean; else text)."""
    convert = _TYPED.get(tag)
    if convert is None:
        return value
    try:
        return convert(value)
    except ValueError:
        return value
