"""A log as another system exported it, before pathway reads any meaning into it.

Every reader of a process-mining format (:mod:`pathway.io._table` for CSV, Parquet and
DataFrames, :mod:`pathway.io._xes`, :mod:`pathway.io._ocel`) produces a
:class:`ForeignLog`: one row per recorded event, in columns, exactly as the file says
(case, activity, time, start time, lifecycle, resource, group, activity instance,
location), with the record each row came from so a later problem can name it.
:func:`pathway.io.interpret` then reads it against a pathway.

Times: ISO 8601 text with an offset (``Z``, ``+01:00``) is read as that instant; text
without one is read as UTC. A log that mixes the two is refused (the naive times could
be any zone), and so is a time outside what nanoseconds since 1970 can hold (years
1678 to 2261).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pathway._extras import available, require
from pathway._journal._eventlog import MAX_PROBLEMS, NAT, nanoseconds
from pathway.errors import EventLogError, Problem

__all__ = [
    "FIELDS",
    "Coded",
    "ForeignLog",
    "Records",
    "encode",
    "parse_times",
]

I64 = npt.NDArray[np.int64]

#: The event fields a foreign log may carry besides case, activity and time.
FIELDS = ("lifecycle", "resource", "group", "instance", "location")
_OFFSET = re.compile(r"(Z|z|[+-]\d\d(:?\d\d)?)$")
_MIN_NS = -(2**63) + 1
_MAX_NS = 2**63 - 1


@attrs.frozen(eq=False)
class Coded:
    """A text column: codes into ``labels``, -1 where the event has no value."""

    codes: I64
    labels: tuple[str, ...]

    def value(self, row: int) -> str | None:
        """The text of ``row`` (``None`` when empty)."""
        code = int(self.codes[row])
        return self.labels[code] if code >= 0 else None


def encode(values: Sequence[str | None] | Iterable[str | None]) -> Coded:
    """Codes for a list of optional strings, in order of first sight."""
    seen: dict[str, int] = {}
    codes = [-1 if v is None or v == "" else seen.setdefault(v, len(seen)) for v in values]
    return Coded(np.asarray(codes, dtype=np.int64), tuple(seen))


@attrs.frozen
class Records:
    """How to name the record a row came from: ``line 12`` of a CSV, ``event 5`` of an
    XES file (its position), ``event 'e7'`` of an OCEL log."""

    source: str
    what: str
    numbers: I64 | None = None
    names: tuple[str, ...] | None = None

    def label(self, row: int) -> str:
        """``line 12``, ``event 'e7'``..., for row ``row``."""
        if self.names is not None:
            return f"{self.what} {self.names[row]!r}"
        number = int(self.numbers[row]) if self.numbers is not None else row + 1
        return f"{self.what} {number}"

    def line(self, row: int) -> int:
        """The 1-based line of row ``row`` when the record is a line, else 0."""
        if self.what == "line" and self.numbers is not None:
            return int(self.numbers[row])
        return 0

    def problem(self, row: int, field: str, message: str, *, expected: str = "") -> Problem:
        """A problem about ``field`` of the record behind ``row``."""
        return Problem(
            f"{self.label(row)}: {message}",
            source=self.source,
            line=self.line(row),
            field=field,
            expected=expected,
            code="bad-event",
        )


@attrs.frozen(eq=False)
class ForeignLog:
    """A process-mining log as read, one row per event (see the module docstring).

    ``case`` indexes ``case_ids``; ``activity`` is a :class:`Coded` column; ``at`` is the
    event's time and ``start`` its start time where the log gives one (nanoseconds since
    1970 UTC, :data:`~pathway._journal._eventlog.NAT` for none). ``fields`` holds the
    optional columns of :data:`FIELDS` that the log has; ``attributes`` other per-event
    text columns (OCEL's other objects as ``objects:<type>``); ``case_attributes`` what
    the log says about each case (XES trace attributes, ``case:`` columns); ``notes``
    what reading left out, in words.
    """

    case: I64
    case_ids: tuple[str, ...]
    activity: Coded
    at: I64
    start: I64
    fields: Mapping[str, Coded]
    records: Records
    attributes: Mapping[str, Coded] = attrs.field(factory=dict)
    case_attributes: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict)
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.at)

    def __repr__(self) -> str:
        return f"ForeignLog({len(self)} events, {len(self.case_ids)} cases, {self.records.source})"

    @property
    def source(self) -> str:
        """The file (or ``<DataFrame>``) the log was read from."""
        return self.records.source

    def field(self, name: str) -> Coded | None:
        """The column ``name`` of :data:`FIELDS`, or ``None`` when the log has none."""
        return self.fields.get(name)


def parse_times(texts: Any, records: Records, field: str) -> I64:
    """Nanoseconds since 1970 for ISO 8601 ``texts`` (``None`` or empty: NAT), a
    sequence of optional strings or a pyarrow text array.

    Raises :class:`~pathway.errors.EventLogError` naming the file and the records whose
    time does not parse or is out of range, or the first record of each kind when aware
    and naive times are mixed.
    """
    if isinstance(texts, list) and texts.count(None) == len(texts):
        return np.full(len(texts), NAT, dtype=np.int64)
    if _is_arrow(texts) and texts.null_count == len(texts):
        return np.full(len(texts), NAT, dtype=np.int64)
    fast = _arrow_times(texts)
    if fast is not None:
        return fast
    if _is_arrow(texts):
        texts = texts.to_pylist()
    out = np.full(len(texts), NAT, dtype=np.int64)
    problems: list[Problem] = []
    aware_at: int | None = None
    naive_at: int | None = None
    cache: dict[str, int | str] = {}
    for row, text in enumerate(texts):
        if text is None or text == "":
            continue
        found = cache.get(text)
        if found is None:
            found = cache[text] = _one_time(text)
        if isinstance(found, str):
            if len(problems) < MAX_PROBLEMS:
                problems.append(records.problem(row, field, found, expected=_EXPECTED))
            continue
        out[row] = found
        if _OFFSET.search(text.strip()):
            aware_at = row if aware_at is None else aware_at
        else:
            naive_at = row if naive_at is None else naive_at
    if aware_at is not None and naive_at is not None and not problems:
        problems.append(_mixed(records, field, aware_at, naive_at, texts))
    if problems:
        raise EventLogError(problems)
    return out


def _arrow_times(texts: Sequence[str | None]) -> I64 | None:
    """All of ``texts`` parsed at once by pyarrow when every one has an offset, or
    every one has none; ``None`` when that fails (the slow path then names the record)."""
    if not available("pyarrow.compute"):
        return None
    pa = require("pyarrow", extra="report", feature="reading event logs")
    array = texts if _is_arrow(texts) else pa.array(texts, type=pa.string())
    array = pa.compute.if_else(pa.compute.equal(array, ""), None, array)
    for target in (pa.timestamp("ns", tz="UTC"), pa.timestamp("ns")):
        try:
            parsed = array.cast(target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        ints = parsed.cast(pa.int64()).fill_null(NAT)
        return np.asarray(ints.to_numpy(zero_copy_only=False), dtype=np.int64)
    return None


def _is_arrow(texts: Any) -> bool:
    """Whether ``texts`` is a pyarrow array (the XES scanner's), not a Python sequence."""
    return hasattr(texts, "null_count")


_EXPECTED = "an ISO 8601 time such as 2024-03-01T09:30:00+00:00"


def _one_time(text: str) -> int | str:
    """Nanoseconds for one time text, or the reason it is not one."""
    cleaned = text.strip()
    if cleaned.endswith(("Z", "z")):
        cleaned = cleaned[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        return f"cannot read the time {text!r}"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        value = nanoseconds(moment)
    except OverflowError:  # pragma: no cover - datetime arithmetic stays in range
        value = _MAX_NS + 1
    if not _MIN_NS <= value <= _MAX_NS:
        return f"the time {text!r} is out of range (years 1678 to 2261)"
    return value


def _mixed(
    records: Records, field: str, aware: int, naive: int, texts: Sequence[str | None]
) -> Problem:
    return Problem(
        f"{records.label(naive)} has the time {texts[naive]!r} without a time zone, but "
        f"{records.label(aware)} has {texts[aware]!r} with one",
        source=records.source,
        line=records.line(naive),
        field=field,
        expected="every time with an offset, or none",
        suggestion="add the offset (e.g. +00:00) to every time, or export all times "
        "in one zone without offsets",
        code="mixed-time-zones",
    )
