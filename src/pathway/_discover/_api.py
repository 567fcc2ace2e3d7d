"""``pathway.discover``: a draft pathway from an event log; the log's own arrivals.

:func:`discover` reads a log in any format :func:`pathway.io.read_events` reads (or an
:class:`~pathway._journal._eventlog.EventLog`), counts it (:mod:`._mine`) and writes a
draft (:mod:`._draft`) that validates. :func:`log_arrivals` gives each case's first
event as an arrival, and :func:`with_arrivals` puts those arrivals into any pathway, so
:func:`pathway.simulate` and :func:`pathway.diff` push the log's real people through it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
import numpy as np

from pathway._define._load import load
from pathway._discover._draft import render_draft
from pathway._discover._mine import Mined, mine
from pathway._extras import require
from pathway._journal._eventlog import EventLog
from pathway._model._pathway import Arrivals, Pathway
from pathway.errors import DefinitionError, EventLogError, Problem
from pathway.io._events import detect_format, read_events

__all__ = ["Discovery", "LogArrivals", "discover", "log_arrivals", "read_any", "with_arrivals"]


@attrs.frozen(eq=False)
class Discovery:
    """A discovered draft: its YAML text (with comments), the loaded pathway, the notes
    (what the log could not say), the log it came from and the counts behind it."""

    yaml: str
    pathway: Pathway
    notes: tuple[str, ...]
    log: EventLog
    mined: Mined

    def write(self, path: str | Path) -> None:
        """Write the draft's YAML to ``path``."""
        Path(path).write_text(self.yaml, encoding="utf-8")


def read_any(
    source: Any,
    *,
    format: str | None = None,
    columns: Mapping[str, str] | None = None,
    case_type: str | None = None,
    timezone: str | None = None,
) -> tuple[EventLog, str, tuple[str, ...]]:
    """The log at ``source`` (or ``source`` itself when it is an EventLog), its time zone
    (``timezone``, else a Parquet log's own, else UTC) and the reader's notes."""
    if isinstance(source, EventLog):
        return source, _zone(timezone or "UTC"), ()
    found = read_events(source, None, format=format, columns=columns, case_type=case_type)
    zone = timezone or _file_zone(source) or "UTC"
    return found.log, _zone(zone), found.notes


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise EventLogError(
            [
                Problem(
                    f"unknown time zone {name!r}",
                    source="--timezone",
                    expected="an IANA time zone such as Europe/London",
                    found=name,
                    code="bad-timezone",
                )
            ]
        ) from None
    return name


def _file_zone(source: Any) -> str | None:
    """The time zone of a Parquet log's ``at`` column, when it has one."""
    if not isinstance(source, str | Path) or detect_format(source) != "pathway":
        return None
    path = Path(source)
    if path.suffix.lower() not in {".parquet", ".pq"}:
        return None
    parquet = require("pyarrow.parquet", extra="report", feature="reading Parquet logs")
    field = parquet.read_schema(path).field("at")
    tz = getattr(field.type, "tz", None)
    return str(tz) if tz else None


def discover(
    source: Any,
    *,
    format: str | None = None,
    columns: Mapping[str, str] | None = None,
    case_type: str | None = None,
    timezone: str | None = None,
    pathway_id: str = "discovered",
    title: str | None = None,
    role_calendars: bool = False,
) -> Discovery:
    """Discover a draft pathway from the event log ``source`` (a path, a DataFrame or an
    EventLog): steps, roles and capacities, calendars, moves with ``p``, touch times and
    waits, visits, arrivals, outcomes and facts, each number with its sample size and fit
    in a comment (the rules: :mod:`pathway._discover._draft`, :mod:`pathway._discover._fit`).

    ``format``, ``columns`` and ``case_type`` are :func:`pathway.io.read_events`'s;
    ``timezone`` is the zone calendars are read in (default: a Parquet log's own, else
    UTC); ``role_calendars`` makes each role's hours of work its calendar (by default
    calendars go only where people waited for one, and a role's hours are a comment).
    Raises :class:`~pathway.errors.EventLogError` for a log that cannot be read or
    that nothing can be learnt from (one case, no steps, every event at one instant), and
    :class:`~pathway.errors.DefinitionError` if the draft would not validate (a bug:
    please report it with the log).
    """
    log, zone, read_notes = read_any(
        source, format=format, columns=columns, case_type=case_type, timezone=timezone
    )
    if isinstance(source, str | Path):
        name = str(source)
    else:
        name = "<EventLog>" if isinstance(source, EventLog) else "<DataFrame>"
    mined = mine(log, timezone=zone, source=name)
    text, notes = render_draft(
        mined,
        pathway_id=pathway_id,
        title=title or f"Discovered from {Path(name).name}",
        role_calendars=role_calendars,
    )
    try:
        pathway = load(text, name="discovered.yaml")
    except DefinitionError as error:  # pragma: no cover - a bug in the rules
        raise DefinitionError(
            [
                Problem(
                    f"the discovered draft does not validate: {error}",
                    source=name,
                    code="draft-invalid",
                    suggestion="please report this with the log",
                )
            ]
        ) from error
    return Discovery(text, pathway, tuple(read_notes) + notes, log, mined)


@attrs.frozen
class LogArrivals:
    """A log's people as arrivals: the first day (local) and each case's first event as
    ISO 8601 local time, in arrival order."""

    start: date
    times: tuple[str, ...]
    timezone: str


def log_arrivals(
    source: Any,
    timezone: str,
    *,
    format: str | None = None,
    columns: Mapping[str, str] | None = None,
    case_type: str | None = None,
) -> LogArrivals:
    """Each case's first event in the log at ``source`` as an arrival time in
    ``timezone`` (a pathway's zone). Raises :class:`~pathway.errors.EventLogError` for a
    log that cannot be read or has no case."""
    log, _, _ = read_any(source, format=format, columns=columns, case_type=case_type)
    starts, ends = log.case_bounds()
    firsts = np.sort(log.at[starts[ends > starts]])
    if len(firsts) == 0:
        raise EventLogError(
            [Problem("the log has no case, so no one arrives", source=str(source), code="no-cases")]
        )
    zone = ZoneInfo(timezone)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    moments = [
        (epoch + timedelta(microseconds=int(ns) // 1000)).astimezone(zone).replace(tzinfo=None)
        for ns in firsts.tolist()
    ]
    return LogArrivals(
        start=moments[0].date(),
        times=tuple(m.isoformat() for m in moments),
        timezone=timezone,
    )


def with_arrivals(pathway: Pathway, arrivals: LogArrivals | Sequence[str]) -> Pathway:
    """``pathway`` with its arrivals replaced by the fixed times ``arrivals`` (the log's
    people); everything else, facts included, stays as declared."""
    times = arrivals.times if isinstance(arrivals, LogArrivals) else tuple(arrivals)
    return attrs.evolve(pathway, arrivals=Arrivals(times=times))
