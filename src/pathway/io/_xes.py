"""XES (IEEE 1849) event logs, ``.xes`` or gzipped ``.xes.gz``, read as a stream.

The file is parsed with the standard library's expat parser (``xml.parsers.expat``,
the C parser under ``xml.etree``), driven by one callback per element start and end:
no element tree is ever built, so memory grows with the events' values only, and the
file streams through (gzip too). expat does not fetch external entities or DTDs, and
its limits on entity expansion (expat 2.4.1 and later, in every supported Python) stop
"billion laughs" files. A malformed or truncated file is an
:class:`~pathway.errors.EventLogError` naming its line and column. Only attributes
directly inside ``<trace>`` and ``<event>`` are read (nested ones are skipped).

A trace's ``concept:name`` is the case id and its other attributes what the log says
about the case; an event's ``concept:name``, ``time:timestamp``,
``lifecycle:transition``, ``org:resource``, ``org:group``, ``concept:instance`` and
``start_timestamp`` fill the fields of a :class:`~pathway.io.ForeignLog`; every other
top-level event attribute is kept as an event attribute.
"""

from __future__ import annotations

import gzip
import zlib
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, cast
from xml.parsers.expat import ErrorString, ExpatError, ParserCreate

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
            reader.read(stream)
    except (OSError, EOFError, zlib.error) as error:
        raise EventLogError([reader.broken(f"the file cannot be read: {error}")]) from None
    return reader.log()


def _open(path: Path) -> IO[bytes]:
    if path.suffix.lower() == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


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

    def read(self, stream: IO[bytes]) -> None:
        """Parse ``stream`` with expat: one call per element start and end, no tree."""
        parser = ParserCreate()
        parser.buffer_text = True
        columns = self.columns
        times, starts = self.times, self.starts
        depth = 0
        event_depth = trace_depth = -1
        time: str | None = None
        start: str | None = None
        trace: dict[str, Any] = {}

        def opened(tag: str, attributes: dict[str, str]) -> None:
            nonlocal depth, event_depth, trace_depth, time, start
            depth += 1
            if event_depth >= 0:
                if depth == event_depth + 1:
                    key = attributes.get("key")
                    value = attributes.get("value")
                    if key is None or value is None:
                        return
                    if key == "time:timestamp":
                        time = value
                    elif key == "start_timestamp":
                        start = value
                    else:
                        column = columns.get(key)
                        if column is None:
                            column = columns[key] = _Column()
                        column.add(self.n, value)
            elif _local(tag) == "event" and trace_depth >= 0 and depth == trace_depth + 1:
                event_depth = depth
                time = start = None
            elif _local(tag) == "trace" and trace_depth < 0:
                trace_depth = depth
                trace.clear()
            elif trace_depth >= 0 and depth == trace_depth + 1:
                key, value = attributes.get("key"), attributes.get("value")
                if key is not None and value is not None:
                    trace[key] = _typed(_local(tag), value)

        def closed(_tag: str) -> None:
            nonlocal depth, event_depth, trace_depth
            if depth == event_depth:
                times.append(time)
                starts.append(start)
                self.n += 1
                event_depth = -1
            elif depth == trace_depth:
                self._trace(dict(trace))
                trace_depth = -1
            depth -= 1

        parser.StartElementHandler = opened
        parser.EndElementHandler = closed
        try:
            parser.ParseFile(stream)
        except ExpatError as error:
            raise EventLogError(
                [
                    self.broken(
                        f"the XML is malformed or truncated: {ErrorString(error.code)}",
                        line=error.lineno,
                        column=error.offset + 1,
                    )
                ]
            ) from None

    def _trace(self, attributes: dict[str, Any]) -> None:
        self.traces += 1
        name = attributes.pop("concept:name", None)
        case_id = str(name) if name is not None else f"(trace {self.traces})"
        code = self.case_ids.setdefault(case_id, len(self.case_ids))
        if attributes:
            self.case_attributes.setdefault(case_id, {}).update(attributes)
        count = self.n - self.trace_first
        self.case_of_event.extend([code] * count)
        self.trace_first = self.n
        self.last_trace = case_id

    def broken(self, message: str, *, line: int = 0, column: int = 0) -> Problem:
        """A problem about the whole file, placed after the last complete event."""
        where = f"after event {self.n}" + (
            f" (trace {self.last_trace!r} was the last complete trace)" if self.last_trace else ""
        )
        return Problem(
            f"{message}; {where}", source=self.source, line=line, column=column, code="bad-log"
        )

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


def _local(tag: str) -> str:
    """A tag without its namespace prefix (``xes:event`` -> ``event``)."""
    return tag.rpartition(":")[2]


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
