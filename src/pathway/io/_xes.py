"""XES (IEEE 1849) event logs, ``.xes`` or gzipped ``.xes.gz``, read as a stream.

Files of the common shape (plain attribute elements in events in traces, UTF-8, no
DOCTYPE) are read by a scanner that takes whole traces in large blocks into one reused
buffer, splits each block at its quotes into a pyarrow text array over the buffer's
bytes and works out the structure with numpy (:meth:`_Reader.scan`), so no Python
string is made per value; every other file, every malformed one, and every file when
pyarrow is not installed, by expat as below, so results and errors are expat's either
way.

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

import codecs
import gzip
import re
import zlib
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, cast
from xml.parsers.expat import ErrorString, ExpatError, ParserCreate

import attrs
import numpy as np

from pathway._extras import available, require
from pathway._journal._eventlog import MAX_PROBLEMS
from pathway.errors import EventLogError, Problem
from pathway.io._foreign import I64, Coded, ForeignLog, Records, parse_times

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
            scanned = reader.scan(stream)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError):
        scanned = False
    if not scanned:
        reader = _Reader(str(source))
        try:
            with _open(source) as stream:
                reader.read(stream)
        except (OSError, EOFError, zlib.error) as error:
            raise EventLogError([reader.broken(f"the file cannot be read: {error}")]) from None
    return reader.log()


#: How much of the file the scanner takes at a time (cut after a ``</trace>``).
_BLOCK = 1 << 24
_WS = "[ \t\r\n]"
#: What may stand between two attribute values of the common shape: the end of the
#: attribute before (``"/>``), ``<event>``/``</event>``/``<trace>``/``</trace>`` tags, and
#: the start of the next attribute element up to its key (``<string key="``).
_SEPARATOR = re.compile(
    f"{_WS}*(?P<close>/>)?(?P<marks>(?:{_WS}*</?(?:event|trace)>)*){_WS}*"
    f"(?:<(?P<tag>string|date|int|float|boolean|id){_WS}+key=)?"
)
_MARK = re.compile("</?(?:event|trace)>")
_VALUE_SEPARATOR = re.compile(f"{_WS}+value=")
#: Characters a key or value must not hold for the scanner to take it as written: markup,
#: entity or character references, what expat would normalise (tabs, line breaks) or
#: refuse (other control characters, U+FFFE, U+FFFF).
_NOT_PLAIN = re.compile("[<&\x00-\x1f\ufffe\uffff]")
#: :data:`_NOT_PLAIN` in RE2's words, for pyarrow.
_NOT_PLAIN_RE2 = r"[<&\x00-\x1f\x{FFFE}\x{FFFF}]"
_OUT, _IN_TRACE, _IN_EVENT = 0, 1, 2
_QUOTE = ord('"')
_TAGS = ("", "string", "date", "int", "float", "boolean", "id")
_TAIL = re.compile(f"{_WS}*</log>{_WS}*")
_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")


class _Unusual(Exception):
    """The file is not in the shape the scanner reads; expat reads it instead."""


@attrs.frozen(eq=False)
class _Block:
    """A scanned block's attributes: key codes into ``key_labels``, values (a pyarrow
    text array, each value still followed by its closing quote) and XES type tag codes
    (into ``_TAGS``), one row per attribute."""

    key_code: I64
    key_labels: list[str]
    values: Any
    tag: I64


def _arrow() -> tuple[Any, Any]:
    """pyarrow and pyarrow.compute (the scanner is only tried when they are installed)."""
    pa = require("pyarrow", extra="report", feature="reading XES logs fast")
    return pa, require("pyarrow.compute", extra="report", feature="reading XES logs fast")


def _fill(stream: IO[bytes], buffer: bytearray, held: int) -> int:
    """Read ``stream`` into ``buffer`` after its first ``held`` bytes until it is full or
    the stream ends; how many bytes it then holds (fewer than its size: the stream ended)."""
    with memoryview(buffer) as view:
        while held < len(buffer):
            count = stream.readinto(view[held:])  # type: ignore[attr-defined]
            if not count:
                break
            held += count
    return held


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

    def extend_coded(self, rows: I64, codes: I64, local: list[str]) -> None:
        """:meth:`add` for many rows at once, their values given as ``codes`` into
        ``local`` (numbered in order of first sight, as one by one would)."""
        labels = self.labels
        mapping = np.fromiter((labels.setdefault(v, len(labels)) for v in local), np.int64)
        self.rows.frombytes(np.ascontiguousarray(rows, dtype=np.int64).tobytes())
        self.codes.frombytes(mapping[codes].tobytes() if len(codes) else b"")

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
        #: Each trace's case id, in order: lists of strings, or the scanner's pyarrow
        #: text arrays; and each trace's number of events.
        self.trace_names: list[Any] = []
        self.trace_sizes = array("q")
        self.case_attributes: dict[str, dict[str, Any]] = {}
        self.times: list[str | None] = []
        self.starts: list[str | None] = []
        #: The scanner's times and start times, one pyarrow text array per block.
        self.time_chunks: list[Any] = []
        self.start_chunks: list[Any] = []
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

    def scan(self, stream: IO[bytes]) -> bool:
        """Read ``stream`` fast when it has the common shape; ``False`` when it does not
        (the reader is then spoiled: read the file again with :meth:`read`).

        The common shape: a well-formed header in UTF-8 without a DOCTYPE (checked by
        expat), then traces of plain attribute elements (``<string key=".."
        value=".."/>`` and the other XES types) and events holding only those, then
        ``</log>``. The file is taken in blocks of whole traces, each split at its
        quotes, and the structure is read from the few distinct pieces of markup
        between values (see :func:`_separator`), so no Python code runs per element.
        Within that shape a file's events, times, attributes and traces come out exactly
        as :meth:`read` gives them; anything else (comments, CDATA, entities, nested
        attributes, namespaced tags, empty events, tabs or line breaks in values, a
        truncated or malformed file) is left to :meth:`read`.
        """
        if not available("pyarrow.compute"):
            return False
        buffer = bytearray(_BLOCK)
        held = _fill(stream, buffer, 0)
        head = buffer.find(b"<trace>", 0, held)
        if head < 0 or not _plain_header(bytes(buffer[:head])):
            return False
        start, ended = head, held < len(buffer)
        try:
            while True:
                cut = buffer.rfind(b"</trace>", start, held)
                end = cut + len("</trace>") if cut >= 0 else start
                if end > start:
                    block = memoryview(buffer)[start:end]
                    self._scan(block)
                    block.release()  # a BufferError if pyarrow still held it: never reused
                if ended:
                    return _TAIL.fullmatch(buffer[end:held].decode("utf-8")) is not None
                # keep what is left (part of a trace) at the front, then fill up the block
                buffer[: held - end] = buffer[end:held]
                start, held = 0, held - end
                if held == len(buffer):
                    buffer.extend(bytes(len(buffer)))
                held = _fill(stream, buffer, held)
                ended = held < len(buffer)
        except _Unusual:
            return False

    def _scan(self, data: memoryview) -> None:
        """The traces of ``data`` (whole traces, possibly after white space).

        Splitting at quotes leaves, for ``A`` attributes, ``4A + 1`` pieces: markup, key,
        `` value=``, value, markup, key... Each markup piece (a *separator*) says what
        closes and opens before the next attribute; cumulative counts over them give each
        attribute its event and trace. The block is read as one pyarrow text array over
        its bytes, alternately the *lead* of an attribute (separator, key and
        `` value=``, with their quotes) and its value (with its closing quote), then a
        last separator; the few distinct leads are taken apart in Python, and no Python
        string is made per value. Raises :class:`_Unusual` for anything else, and
        :class:`UnicodeDecodeError` for bytes that are not UTF-8."""
        pa, pc = _arrow()
        raw = np.frombuffer(data, dtype=np.uint8)
        if raw.max() >= 0x80:
            codecs.utf_8_decode(data, "strict", True)
        quotes = np.flatnonzero(raw == _QUOTE)
        del raw
        if len(quotes) % 4 or not len(quotes):
            raise _Unusual
        n_attributes = len(quotes) // 4
        # lead j ends at quote 4j + 2, value j at quote 4j + 3 (both ends kept)
        offsets = np.empty(2 * n_attributes + 2, dtype=np.int64)
        offsets[0] = 0
        np.add(quotes[2::4], 1, out=offsets[1:-1:2])
        np.add(quotes[3::4], 1, out=offsets[2:-1:2])
        offsets[-1] = len(data)
        del quotes
        pieces = pa.LargeStringArray.from_buffers(
            len(offsets) - 1, pa.py_buffer(offsets), pa.py_buffer(data)
        )
        leads = pc.take(pieces, np.arange(0, len(pieces), 2)).dictionary_encode()
        values = pc.take(pieces, np.arange(1, len(pieces), 2))  # each with its closing quote
        del pieces
        if pc.any(pc.match_substring_regex(values, _NOT_PLAIN_RE2)).as_py():
            raise _Unusual
        lead_code = leads.indices.to_numpy()
        separators: list[str] = []
        key_labels: list[str] = []
        key_of_lead: list[int] = []
        for lead in leads.dictionary.to_pylist():
            separator, *rest = lead.split('"')
            separators.append(separator)
            if not rest:  # the block's last separator
                key_of_lead.append(-1)
                continue
            key, joiner, _ = rest
            if _NOT_PLAIN.search(key) or _VALUE_SEPARATOR.fullmatch(joiner) is None:
                raise _Unusual
            if key not in key_labels:
                key_labels.append(key)
            key_of_lead.append(key_labels.index(key))
        key_code = np.asarray(key_of_lead, dtype=np.int64)[lead_code[:n_attributes]]
        if (key_code < 0).any():
            raise _Unusual
        info = np.asarray([_separator(piece) for piece in separators], dtype=np.int64)
        per = info[lead_code]
        close, tag, before, after = per[:, 0], per[:, 1], per[:, 2], per[:, 3]
        if close[0] or not close[1:].all() or not tag[:-1].all() or tag[-1]:
            raise _Unusual
        marked = np.flatnonzero(before >= 0)
        if (
            not marked.size
            or marked[0] != 0
            or marked[-1] != n_attributes
            or before[0] != _OUT
            or after[-1] != _OUT
            or (after[marked[:-1]] != before[marked[1:]]).any()
        ):
            raise _Unusual
        last = np.maximum.accumulate(np.where(before >= 0, np.arange(len(per)), 0))
        state = after[last[:n_attributes]]
        if (state == _OUT).any():
            raise _Unusual
        opens_event = per[:, 4]
        event = np.cumsum(opens_event)[:n_attributes] - 1
        trace = np.cumsum(per[:, 5]) - 1
        n_events = int(opens_event.sum())
        n_traces = int(per[:, 5].sum())
        event_trace = trace[np.flatnonzero(opens_event)]
        per_trace = np.bincount(event_trace, minlength=n_traces)
        block = _Block(key_code, key_labels, values, tag)
        self._event_values(block, np.flatnonzero(state == _IN_EVENT), event, n_events)
        in_trace = np.flatnonzero(state == _IN_TRACE)
        first = self.n
        if not self._named_traces(block, in_trace, trace, per_trace):
            attributes: list[dict[str, Any]] = [{} for _ in range(n_traces)]
            texts = [text[:-1] for text in pc.take(values, in_trace).to_pylist()]
            for i, text in zip(in_trace.tolist(), texts, strict=True):
                key = key_labels[int(key_code[i])]
                attributes[int(trace[i])][key] = _typed(_TAGS[int(tag[i])], text)
            for count, given in zip(per_trace.tolist(), attributes, strict=True):
                self.n += count
                self._trace(given)
        self.n = first + n_events

    def _named_traces(self, block: _Block, rows: I64, trace: I64, counts: I64) -> bool:
        """:meth:`_trace` for every trace at once when each has one attribute, a text
        ``concept:name`` (the usual export); ``False`` (nothing done) otherwise."""
        if len(rows) != len(counts) or (trace[rows] != np.arange(len(counts))).any():
            return False
        if not np.isin(block.tag[rows], (_TAGS.index("string"), _TAGS.index("id"))).all():
            return False
        if (
            "concept:name" not in block.key_labels
            or (block.key_code[rows] != block.key_labels.index("concept:name")).any()
        ):
            return False
        _, pc = _arrow()
        names = _unquoted(pc, pc.take(block.values, rows))
        self.trace_names.append(names)
        self.trace_sizes.frombytes(np.ascontiguousarray(counts, dtype=np.int64).tobytes())
        self.traces += len(names)
        self.trace_first = self.n + int(counts.sum())
        if len(names):
            self.last_trace = names[-1].as_py()
        return True

    def _event_values(self, block: _Block, rows: I64, event: I64, n_events: int) -> None:
        """File the values of the event attributes ``rows`` (positions among the block's
        attributes) by key, in the order each key first occurs, as :meth:`read` does."""
        pa, pc = _arrow()
        times: Any = None
        starts: Any = None
        if rows.size:
            key_code = block.key_code[rows]
            by_key = np.argsort(key_code, kind="stable")
            grouped = key_code[by_key]
            bounds = np.flatnonzero(np.diff(grouped)) + 1
            starts_at = np.concatenate([np.zeros(1, np.int64), bounds])
            ends_at = np.append(bounds, len(grouped))
            for lo, hi in sorted(
                zip(starts_at.tolist(), ends_at.tolist(), strict=True),
                key=lambda span: int(by_key[span[0]]),
            ):
                chosen = rows[by_key[lo:hi]]
                at = event[chosen]
                key = block.key_labels[int(grouped[lo])]
                if key in ("time:timestamp", "start_timestamp"):
                    if (np.diff(at) == 0).any():
                        raise _Unusual
                    if len(at) == n_events:
                        placed = _unquoted(pc, pc.take(block.values, chosen))
                    else:
                        where = np.full(n_events, -1, dtype=np.int64)
                        where[at] = chosen
                        indices = pa.array(where, mask=where < 0)
                        placed = _unquoted(pc, pc.take(block.values, indices))
                    if key == "time:timestamp":
                        times = placed
                    else:
                        starts = placed
                    continue
                column = self.columns.get(key)
                if column is None:
                    column = self.columns[key] = _Column()
                encoded = pc.take(block.values, chosen).dictionary_encode()
                column.extend_coded(
                    at + self.n,
                    encoded.indices.to_numpy().astype(np.int64),
                    [label[:-1] for label in encoded.dictionary.to_pylist()],
                )
        empty = pa.nulls(n_events, type=pa.large_string())
        self.time_chunks.append(empty if times is None else times)
        self.start_chunks.append(empty if starts is None else starts)

    def _trace(self, attributes: dict[str, Any]) -> None:
        self.traces += 1
        name = attributes.pop("concept:name", None)
        case_id = str(name) if name is not None else f"(trace {self.traces})"
        if not self.trace_names or not isinstance(self.trace_names[-1], list):
            self.trace_names.append([])
        self.trace_names[-1].append(case_id)
        if attributes:
            self.case_attributes.setdefault(case_id, {}).update(attributes)
        self.trace_sizes.append(self.n - self.trace_first)
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

    def _cases(self) -> tuple[I64, tuple[str, ...]]:
        """Each trace's case code, and the case ids in order of first sight (traces with
        the same name are one case)."""
        chunks = self.trace_names
        if all(isinstance(chunk, list) for chunk in chunks):
            seen: dict[str, int] = {}
            codes = [seen.setdefault(name, len(seen)) for chunk in chunks for name in chunk]
            return np.asarray(codes, dtype=np.int64), tuple(seen)
        pa, _ = _arrow()
        joined = pa.chunked_array(
            [pa.array(c, type=pa.large_string()) if isinstance(c, list) else c for c in chunks],
            type=pa.large_string(),
        )
        encoded = joined.combine_chunks().dictionary_encode()
        return (
            encoded.indices.to_numpy().astype(np.int64),
            tuple(encoded.dictionary.to_pylist()),
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
        times = _joined(self.time_chunks) if self.time_chunks else self.times
        starts = _joined(self.start_chunks) if self.start_chunks else self.starts
        problems += [
            records.problem(row, "time:timestamp", "the event has no time:timestamp")
            for row in _missing(times)
        ][: MAX_PROBLEMS - len(problems)]
        if problems:
            raise EventLogError(problems)
        trace_case, case_ids = self._cases()
        fields: dict[str, Coded] = {}
        attributes: dict[str, Coded] = {}
        for key, column in self.columns.items():
            role = XES_KEYS.get(key)
            if role is not None and role not in fields:
                fields[role] = column.coded(n)
            else:
                attributes[key] = column.coded(n)
        return ForeignLog(
            case=np.repeat(trace_case, np.frombuffer(self.trace_sizes, dtype=np.int64)),
            case_ids=case_ids,
            activity=coded_activity,
            at=parse_times(times, records, "time:timestamp"),
            start=parse_times(starts, records, "start_timestamp"),
            fields=fields,
            records=records,
            attributes=attributes,
            case_attributes=self.case_attributes,
        )


_STEPS = {
    "<trace>": (_OUT, _IN_TRACE),
    "</trace>": (_IN_TRACE, _OUT),
    "<event>": (_IN_TRACE, _IN_EVENT),
    "</event>": (_IN_EVENT, _IN_TRACE),
}


def _separator(piece: str) -> tuple[int, int, int, int, int, int]:
    """What one separator does: (ends an attribute, tag code of the next attribute (0:
    none), state it needs before (-1: any), state after (-1: unchanged), events opened,
    traces opened). Raises :class:`_Unusual` for markup outside the common shape, an
    event or trace left empty, or an event opened without an attribute after it."""
    found = _SEPARATOR.fullmatch(piece)
    if found is None:
        raise _Unusual
    marks = _MARK.findall(found.group("marks"))
    tag = found.group("tag") or ""
    joined = "".join(marks)
    if "<event></event>" in joined or "<trace></trace>" in joined:
        raise _Unusual
    if "<event>" in marks and (marks[-1] != "<event>" or not tag):
        raise _Unusual
    before = after = -1
    for position, mark in enumerate(marks):
        need, then = _STEPS[mark]
        if position == 0:
            before = need
        elif after != need:
            raise _Unusual
        after = then
    close = int(found.group("close") is not None)
    return close, _TAGS.index(tag), before, after, marks.count("<event>"), marks.count("<trace>")


def _plain_header(head: bytes) -> bool:
    """Whether ``head`` (all before the first ``<trace>``) is a well-formed start of a
    ``<log>`` in UTF-8 without a DOCTYPE, so the traces after it can be scanned."""
    if b"<!DOCTYPE" in head:
        return False
    declared = _ENCODING.match(head)
    if declared is not None and declared.group(1).lower() not in {b"utf-8", b"utf8"}:
        return False
    parser = ParserCreate()
    structural: list[str] = []

    def opened(tag: str, _attributes: dict[str, str]) -> None:
        if _local(tag) in {"trace", "event"}:
            structural.append(tag)

    parser.StartElementHandler = opened
    try:
        parser.Parse(head + b"</log>", True)
    except ExpatError:
        return False
    return not structural


def _local(tag: str) -> str:
    """A tag without its namespace prefix (``xes:event`` -> ``event``)."""
    return tag.rpartition(":")[2]


def _missing(values: Any) -> Iterator[int]:
    """Rows of ``values`` (a list, or the scanner's pyarrow array) that have none."""
    if isinstance(values, list):
        return (row for row, value in enumerate(values) if value is None)
    if not values.null_count:
        return iter(())
    _, pc = _arrow()
    return iter(np.flatnonzero(pc.is_null(values).to_numpy(zero_copy_only=False)).tolist())


def _joined(chunks: list[Any]) -> Any:
    """The scanner's per-block text arrays as one (chunked) pyarrow array."""
    pa, _ = _arrow()
    return pa.chunked_array(chunks, type=pa.large_string())


def _unquoted(pc: Any, texts: Any) -> Any:
    """Scanned values without the quote that closes each."""
    return pc.utf8_slice_codeunits(texts, 0, -1)


def _typed(tag: str, value: str) -> Any:
    """A trace attribute's value as its XES type says (int, float, boolean; else text)."""
    convert = _TYPED.get(tag)
    if convert is None:
        return value
    try:
        return convert(value)
    except ValueError:
        return value
