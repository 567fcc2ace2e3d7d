"""The case store: live cases and their journals in SQLite or PostgreSQL.

One :class:`Store` over either backend. The event table is append-only and keeps each
event's JSON with its chain hash (the journal's hash chain, :mod:`pathway._journal._codec`);
the case table keeps what worklists read (step, owner, facts, times, due time) and the
``revision``, the number of events stored. A save names the revision it started from and
writes nothing unless that is still the stored one (:class:`~pathway.ConflictError`
otherwise), so two writers can never lose an event.

**How a save is written.** The store remembers, for each case it recently loaded, created
or saved, the row it knows (revision, chain head, due time and the worklist columns) and
the last event. A save that continues from that revision serialises each new event once
(the same canonical JSON text is hashed into the chain and stored), then makes one
conditional write: the case row is updated only ``WHERE revision``, ``head`` and the due
columns are still the remembered ones, and the new events are inserted only if it was
(on PostgreSQL one statement, a data-modifying ``WITH``, one round trip and one commit;
on SQLite one ``BEGIN IMMEDIATE`` transaction that sets only the columns that changed).
If the condition fails, nothing is written and the save takes the careful path: read
the stored row (locked on PostgreSQL) and its last event, and either raise
:class:`~pathway.ConflictError` or write against what it read.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs

from pathway._define._load import dump, load
from pathway._engine._case import Case
from pathway._engine._migrate import CaseStatus, case_status, replay_versions
from pathway._extras import require
from pathway._journal._codec import (
    canonical_json,
    chained_texts,
    events_from_dicts,
    verify_chain,
)
from pathway._journal._events import Event, event_to_dict
from pathway._model._calendar import Calendar
from pathway._model._pathway import Pathway
from pathway.errors import ConflictError, PathwayError, ReplayError, StoreError
from pathway.store._backend import Backend, Row
from pathway.store._schema import (
    META_TABLE,
    SCHEMA_VERSION,
    STORE_TABLES,
    create_statements,
    upgrade_statements,
)
from pathway.store._working import step_calendar, working_deadline

__all__ = ["Store", "StoredCase", "WorkItem", "WorkPage", "format_time", "parse_time"]

_CASE_COLUMNS = (
    "case_id, pathway_id, pathway_version, content_hash, step, role, worker, finished, "
    "facts, revision, head, started_at, last_event_at, waiting_since, checkpoint, due_at, "
    "due_declared"
)
_ROW_COLUMNS = tuple(_CASE_COLUMNS.split(", ")[1:])
"""The case row's columns a save sets (all but the case id)."""
_GUARD_COLUMNS = ("revision", "head", "due_declared", "due_at")
"""What a remembered row must still match in the database for a save to use it: the
journal (revision and head decide every other column) and the due time, which a save
with ``due=`` changes without adding events."""
_REMEMBERED = 10_000
"""How many cases' rows a store remembers (the least recently used are forgotten)."""
_LIST_COLUMNS = (
    "case_id, pathway_id, pathway_version, step, role, worker, waiting_since, due_at, "
    "last_event_at, checkpoint, revision, due_declared"
)


def format_time(at: datetime) -> str:
    """``at`` as the store keeps it: UTC, fixed width, so text order is time order."""
    if at.tzinfo is None:  # local time, as datetime.astimezone reads it
        return _utc_text(at.astimezone(UTC))
    return _utc_text(at)


@functools.lru_cache(maxsize=4096)
def _utc_text(at: datetime) -> str:
    """An aware time's text. Cached: a save writes the same instant several times (the
    events of one command share their time, and the case row repeats it); equal aware
    datetimes are the same instant, so they have the same text in any time zone."""
    # isoformat pads the year to four digits and, with timespec, always writes the
    # microseconds: "0005-01-02T03:04:05.000000Z"
    if at.tzinfo is UTC:  # the engine's times: already UTC ("...+00:00" cut off)
        return at.isoformat(timespec="microseconds")[:-6] + "Z"
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_time(text: str) -> datetime:
    """A time the store wrote, back as an aware datetime in UTC."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@attrs.frozen(slots=True)
class StoredCase:
    """A case as loaded: the live :class:`~pathway.Case` and the revision to save
    against (the number of its events the store holds)."""

    case: Case
    revision: int


@attrs.frozen(slots=True)
class WorkItem:
    """One line of a worklist: an open case, where it is and how long it has waited."""

    case_id: str
    pathway_id: str
    pathway_version: str
    step: str
    role: str | None
    worker: str | None
    waiting_since: datetime | None
    due_at: datetime | None
    last_event_at: datetime
    checkpoint: str | None
    revision: int


@attrs.frozen(slots=True)
class WorkPage:
    """A page of a worklist; pass ``next`` as ``after=`` for the next page (``None``: the
    last page)."""

    items: tuple[WorkItem, ...]
    next: str | None


@attrs.frozen(slots=True)
class _Known:
    """A case row as the store last read or wrote it, and the journal's last event (as
    the event and as its stored text)."""

    row: dict[str, Any]
    last: Event
    last_text: str


class Store:
    """Live cases in a database. Open with :func:`pathway.store.open_store`.

    One ``Store`` is one connection: use it from one thread at a time (open one per
    thread or process; the database serialises them).
    """

    def __init__(self, backend: Backend) -> None:
        self._db = backend
        self._pathways: dict[tuple[str, str, str], Pathway] = {}
        self._known: dict[str, _Known] = {}
        self._open()

    # -- opening ------------------------------------------------------------------

    def _open(self) -> None:
        """Check the database is a store of a version this code reads; create or
        upgrade it. Raises StoreError, changing nothing, for anything else."""
        tables = self._db.table_names()
        if not tables:
            self._db.prepare()
            with self._db.transaction():
                for statement in create_statements():
                    self._db.execute(statement)
                self._db.execute(
                    f"INSERT INTO {META_TABLE} (key, value) VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
            return
        if META_TABLE not in tables:
            shown = ", ".join(sorted(tables)[:5])
            raise StoreError(
                f"{self._db.where}: not a pathway case store (it has tables {shown} and no "
                f"{META_TABLE!r} table); give an empty or new database, nothing was changed"
            )
        version = self._schema_version()
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self._db.where}: the store has schema version {version}, newer than this "
                f"pathway reads ({SCHEMA_VERSION}); upgrade pathway, nothing was changed"
            )
        missing = STORE_TABLES - tables
        if missing:
            raise StoreError(
                f"{self._db.where}: the case store is damaged: table(s) "
                f"{', '.join(sorted(missing))} missing; nothing was changed"
            )
        self._db.prepare()
        if version < SCHEMA_VERSION:
            self._upgrade(version)

    def _schema_version(self) -> int:
        try:
            rows = self._db.query(f"SELECT value FROM {META_TABLE} WHERE key = 'schema_version'")
            return int(rows[0][0])
        except (IndexError, TypeError, ValueError):
            raise StoreError(
                f"{self._db.where}: the case store is damaged: no schema version; "
                "nothing was changed"
            ) from None

    def _upgrade(self, version: int) -> None:
        """Upgrade the schema step by step, in one transaction; the columns a version
        adds are recomputed from each open case's journal."""
        with self._db.transaction():
            for step in range(version + 1, SCHEMA_VERSION + 1):
                for statement in upgrade_statements(step):
                    self._db.execute(statement)
            ids = [row[0] for row in self._db.query("SELECT case_id FROM cases")]
            for case_id in ids:
                row = self._case_row(case_id)
                case, _ = self._replay(case_id, row)
                self._write_status(case, row, None, row["revision"], row["head"])
            self._db.execute(
                f"UPDATE {META_TABLE} SET value = ? WHERE key = 'schema_version'",
                (str(SCHEMA_VERSION),),
            )

    @property
    def schema_version(self) -> int:
        """The version of the store's tables (:data:`SCHEMA_VERSION` once opened)."""
        return self._schema_version()

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- the pathway registry -------------------------------------------------------

    def publish(self, pathway: Pathway) -> bool:
        """Keep ``pathway`` so cases on it can be loaded; True if it was new.

        Publishing the same id, version and content again does nothing; running cases
        are never touched. Raises StoreError when the id and version are published with
        other content (the file was edited without changing its version).
        """
        source = dump(pathway)
        if load(source, name=f"{pathway.id}@{pathway.version}").content_hash != (
            pathway.content_hash
        ):
            raise StoreError(
                f"pathway {pathway.id!r} version {pathway.version!r} does not read back "
                "identically from its normalised YAML; it cannot be published"
            )
        with self._db.transaction():
            rows = self._db.query(
                "SELECT content_hash FROM pathways WHERE pathway_id = ? AND version = ?",
                (pathway.id, pathway.version),
            )
            if rows and rows[0][0] == pathway.content_hash:
                return False
            if rows:
                raise StoreError(
                    f"pathway {pathway.id!r} version {pathway.version!r} is already "
                    f"published with content hash {rows[0][0][:12]}, and this one has "
                    f"{pathway.content_hash[:12]}: the file was edited without changing its "
                    "version; give it a new version"
                )
            self._db.execute(
                "INSERT INTO pathways (pathway_id, version, content_hash, source) "
                "VALUES (?, ?, ?, ?)",
                (pathway.id, pathway.version, pathway.content_hash, source),
            )
        self._pathways[(pathway.id, pathway.version, pathway.content_hash)] = pathway
        return True

    def pathway(self, pathway_id: str, version: str, content_hash: str | None = None) -> Pathway:
        """A published pathway version. Raises StoreError if it is not published (or has
        another content hash than ``content_hash``)."""
        for key, found in self._pathways.items():
            if key[:2] == (pathway_id, version) and content_hash in (None, key[2]):
                return found
        rows = self._db.query(
            "SELECT content_hash, source FROM pathways WHERE pathway_id = ? AND version = ?",
            (pathway_id, version),
        )
        if not rows or (content_hash is not None and rows[0][0] != content_hash):
            what = f" with content hash {content_hash[:12]}" if content_hash else ""
            raise StoreError(
                f"pathway {pathway_id!r} version {version!r}{what} is not published in "
                f"{self._db.where}; publish it first (pathway cases publish FILE)"
            )
        pathway = load(rows[0][1], name=f"{pathway_id}@{version}")
        self._pathways[(pathway_id, version, pathway.content_hash)] = pathway
        return pathway

    def versions(self) -> list[tuple[str, str, str]]:
        """Every published (id, version, content hash), sorted."""
        rows = self._db.query("SELECT pathway_id, version, content_hash FROM pathways")
        return sorted((str(a), str(b), str(c)) for a, b, c in rows)

    # -- cases ---------------------------------------------------------------------

    def create(self, case: Case, *, due: datetime | None = None) -> int:
        """Store a new case (its pathway must be published); return its revision.
        Raises ConflictError if a case with that id exists, StoreError if the
        pathway version is not published."""
        self._published(case.pathway)
        events = list(case.journal)
        chained = chained_texts(events)
        head = chained[-1][1]
        values = self._row_values(case, len(events), head, due, None)
        try:
            with self._db.transaction():
                self._insert_events(case.case_id, 0, events, chained)
                self._db.execute(
                    f"INSERT INTO cases ({_CASE_COLUMNS}) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (case.case_id, *values.values()),
                )
        except PathwayError:
            raise
        except Exception as error:
            if self._db.is_conflict(error):
                raise ConflictError(
                    f"case {case.case_id!r} is already in the store; load it to change it",
                    case.case_id,
                ) from None
            raise
        self._remember(case.case_id, values, events[-1], chained[-1][0])
        return len(events)

    def load(self, case_id: str) -> StoredCase:
        """The case and its revision. Raises KeyError-like StoreError if there is no such
        case; ReplayError if its stored journal is damaged (chain or replay)."""
        row = self._case_row(case_id)
        case, last_text = self._replay(case_id, row)
        self._remember(case_id, row, case._built()[-1], last_text)
        return StoredCase(case, row["revision"])

    def journal(self, case_id: str) -> list[Event]:
        """The stored events of a case, the chain checked (no replay)."""
        row = self._case_row(case_id)
        return self._stored_events(case_id, row)[0]

    def save(self, case: Case, revision: int, *, due: datetime | None = None) -> int:
        """Append the events ``case`` has beyond ``revision`` and update the case row;
        return the new revision. ``due`` declares when the case is next due (kept until
        the case changes step; otherwise the transition's ``chase_after`` sets it).

        Raises ConflictError, writing nothing, if the stored revision is no longer
        ``revision`` (another writer saved first); StoreError if ``case`` does not
        continue the stored journal or its pathway version is not published.
        """
        events = case._built()
        if not 0 < revision <= len(events):
            raise StoreError(
                f"case {case.case_id!r}: revision {revision} is not a point in its journal "
                f"of {len(events)} events"
            )
        if revision == len(events) and due is None:
            return revision
        self._published(case.pathway)
        new = events[revision:]
        known = self._known.pop(case.case_id, None)
        if (
            new
            and known is not None
            and known.row["revision"] == revision
            and _continues(known, events[revision - 1])
            and self._append(case, known, events, due)
        ):
            return len(events)
        with self._db.transaction():
            row, last = self._row_for_save(case.case_id, revision)
            if row["revision"] != revision:
                raise ConflictError(
                    f"case {case.case_id!r} changed since it was loaded (revision "
                    f"{revision}, now {row['revision']}); load it again and redo the work",
                    case.case_id,
                )
            if last != canonical_json(event_to_dict(events[revision - 1])).decode("ascii"):
                raise StoreError(
                    f"case {case.case_id!r}: the case being saved does not continue the "
                    f"stored journal at event {revision - 1}; load it from the store and "
                    "redo the work"
                )
            chained = chained_texts(new, row["head"])
            head = chained[-1][1] if chained else row["head"]
            self._insert_events(case.case_id, revision, new, chained)
            values = self._write_status(case, row, due, revision, head)
            if values is None:
                raise ConflictError(
                    f"case {case.case_id!r} changed while it was being saved; load it "
                    "again and redo the work",
                    case.case_id,
                )
        self._remember(case.case_id, values, events[-1], chained[-1][0] if chained else last)
        return len(events)

    def _append(self, case: Case, known: _Known, events: list[Event], due: datetime | None) -> bool:
        """Save the events past the remembered revision in one conditional write; False,
        having written nothing, if the stored row is no longer the remembered one."""
        revision = known.row["revision"]
        new = events[revision:]
        chained = chained_texts(new, known.row["head"])
        values = self._row_values(case, len(events), chained[-1][1], due, known.row)
        try:
            done = self._db.append(
                case.case_id,
                {name: known.row[name] for name in _GUARD_COLUMNS},
                known.row,
                values,
                self._event_rows(case.case_id, revision, new, chained),
            )
        except Exception as error:
            if self._db.is_conflict(error):  # events past the revision: another writer
                raise ConflictError(
                    f"case {case.case_id!r} changed while it was being saved; load it "
                    "again and redo the work",
                    case.case_id,
                ) from None
            raise
        if done:
            self._remember(case.case_id, values, events[-1], chained[-1][0])
        return done

    def transact(
        self, case_id: str, work: Callable[[Case], object], *, attempts: int = 10
    ) -> StoredCase:
        """Load the case, apply ``work`` to it, save; on a conflict, load again and
        redo, up to ``attempts`` times. Returns the saved case. ``work`` must only
        change the case (it may run more than once); an error it raises is passed on
        and nothing is saved. Raises ConflictError when every attempt lost the race.
        """
        for _ in range(max(1, attempts)):
            stored = self.load(case_id)
            work(stored.case)
            try:
                return StoredCase(stored.case, self.save(stored.case, stored.revision))
            except ConflictError:
                continue
        raise ConflictError(
            f"case {case_id!r}: {attempts} attempts in a row lost the race to other "
            "writers; try again later",
            case_id,
        )

    def case_ids(self, *, open_only: bool = False) -> list[str]:
        """Every stored case id, sorted (only unfinished ones with ``open_only``)."""
        where = " WHERE finished = 0" if open_only else ""
        return [str(r[0]) for r in self._db.query(f"SELECT case_id FROM cases{where}")]

    def count_events(self) -> int:
        """How many events the store holds, over all cases."""
        return int(self._db.query("SELECT COUNT(*) FROM events")[0][0])

    def export(self, path: str | Path, case_ids: Sequence[str] | None = None) -> int:
        """Write the journals of ``case_ids`` (default: every case) as one event log
        (``.csv`` or ``.parquet``, the shape ``pathway report`` and ``diff`` read);
        return the number of events. Needs the ``report`` extra."""
        eventlog = require("pathway._journal._eventlog", extra="report", feature="export")
        files = require("pathway.io", extra="report", feature="export")
        events: list[Event] = []
        for case_id in self.case_ids() if case_ids is None else case_ids:
            events.extend(self.journal(case_id))
        files.write_log(eventlog.EventLog.from_events(events), path)
        return len(events)

    # -- worklists ---------------------------------------------------------------------

    def worklist(
        self,
        *,
        now: datetime | None = None,
        step: str | None = None,
        role: str | None = None,
        worker: str | None = None,
        waiting_over: timedelta | None = None,
        overdue: bool = False,
        checkpoints: bool = False,
        clock: str = "calendar",
        limit: int = 100,
        after: str | None = None,
    ) -> WorkPage:
        """Open cases matching every filter given, a page at a time.

        ``step``, ``role``, ``worker``: where the case is and who owns it.
        ``waiting_over``: waiting (work on the step not begun) for longer than this.
        ``overdue``: a declared due time at or before ``now``, or the wait's
        ``chase_after`` used up. ``checkpoints``: a decision is pending. ``now`` is
        required for the two time filters (the store never reads the clock).

        ``clock`` says how the two durations (``waiting_over`` and ``chase_after``) are
        counted: ``"calendar"`` (every minute since the wait began, answered by the
        indexes alone) or ``"working"`` (only the open time of the step's calendar, or of
        its role's calendar when the step has none; see :mod:`._working`). A declared
        due time is an instant and is the same on both clocks. Working time never runs
        faster than calendar time, so the indexes narrow the candidates to the cases
        overdue (or waiting) in calendar time, and the working-time check runs in Python
        over those, in index order: its cost grows with the cases that are late in
        calendar time but not yet in working time, that precede the page.

        Ordered by case id, or by the wait or the (calendar) due time, oldest first,
        when that filter is used. Raises StoreError for a missing ``now``, an unknown
        ``clock`` or a ``limit`` outside 1..10000.
        """
        if (waiting_over is not None or overdue) and now is None:
            raise StoreError("worklists by waiting time or overdue need now=... (a datetime)")
        if clock not in ("calendar", "working"):
            raise StoreError(f"clock must be 'calendar' or 'working', found {clock!r}")
        if not 1 <= limit <= 10_000:
            raise StoreError(f"limit must be between 1 and 10000, found {limit}")
        where, params = ["finished = 0"], []
        for column, value in (("step", step), ("role", role), ("worker", worker)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        order = "case_id"
        if checkpoints:
            where.append("checkpoint IS NOT NULL")
        if overdue and now is not None:
            where.append("due_at <= ?")
            params.append(format_time(now))
            order = "due_at"
        if waiting_over is not None and now is not None:
            where.append("waiting_since <= ?")
            params.append(format_time(now - waiting_over))
            order = "waiting_since"
        keep: Callable[[Row], bool] | None = None
        if clock == "working" and now is not None and (overdue or waiting_over is not None):
            keep = self._working_filter(now, overdue=overdue, waiting_over=waiting_over)
        rows = self._scan(where, params, order, after, limit + 1, keep)
        items = tuple(_work_item(row) for row in rows[:limit])
        following = None
        if len(rows) > limit:
            following = _page_key(rows[limit - 1], order)
        return WorkPage(items, following)

    def _scan(
        self,
        where: list[str],
        params: list[Any],
        order: str,
        after: str | None,
        wanted: int,
        keep: Callable[[Row], bool] | None,
    ) -> list[Row]:
        """Up to ``wanted`` rows past ``after`` in ``order``; with ``keep``, rows are read
        in batches and only those it accepts are counted."""
        batch = wanted if keep is None else max(wanted, 500)
        found: list[Row] = []
        while True:
            clauses, values = list(where), list(params)
            if after is not None:
                key, _, last = after.partition("|")
                if order == "case_id":
                    clauses.append("case_id > ?")
                    values.append(last)
                else:
                    clauses.append(f"({order} > ? OR ({order} = ? AND case_id > ?))")
                    values.extend((key, key, last))
            sql = (
                f"SELECT {_LIST_COLUMNS} FROM cases WHERE {' AND '.join(clauses)} "
                f"ORDER BY {order}{', case_id' if order != 'case_id' else ''} LIMIT ?"
            )
            rows = self._db.query(sql, (*values, batch))
            if keep is None:
                return rows
            for row in rows:
                if keep(row):
                    found.append(row)
                    if len(found) == wanted:
                        return found
            if len(rows) < batch:
                return found
            after = _page_key(rows[-1], order)

    def _working_filter(
        self, now: datetime, *, overdue: bool, waiting_over: timedelta | None
    ) -> Callable[[Row], bool]:
        """Whether a worklist row is overdue / waiting too long in working time."""
        calendars: dict[tuple[str, str, str], Calendar | None] = {}

        def calendar(row: Row) -> Calendar | None:
            key = (row[1], row[2], row[3])
            if key not in calendars:
                calendars[key] = step_calendar(self.pathway(row[1], row[2]), row[3])
            return calendars[key]

        def passed(row: Row, minutes: float) -> bool:
            deadline = working_deadline(calendar(row), parse_time(row[6]), minutes)
            return deadline is not None and deadline <= now

        def keep(row: Row) -> bool:
            if overdue and not row[11]:  # a declared due time is an instant: SQL judged it
                if row[6] is None:
                    return False
                allowance = parse_time(row[7]) - parse_time(row[6])
                if not passed(row, allowance / timedelta(minutes=1)):
                    return False
            if waiting_over is not None:
                return row[6] is not None and passed(row, waiting_over / timedelta(minutes=1))
            return True

        return keep

    # -- internals -------------------------------------------------------------------

    def _case_row(self, case_id: str, *, lock: bool = False) -> dict[str, Any]:
        suffix = " FOR UPDATE" if lock and self._db.dialect == "postgresql" else ""
        rows = self._db.query(
            f"SELECT {_CASE_COLUMNS} FROM cases WHERE case_id = ?{suffix}", (case_id,)
        )
        if not rows:
            raise StoreError(f"no case {case_id!r} in {self._db.where}")
        return dict(zip(_CASE_COLUMNS.split(", "), rows[0], strict=True))

    def _stored_events(self, case_id: str, row: Mapping[str, Any]) -> tuple[list[Event], str]:
        """The case's events from the event table, the chain and the row checked, and
        the stored text of the last one."""
        rows = self._db.query(  # rows at or past the revision belong to a later save
            "SELECT seq, event, hash FROM events WHERE case_id = ? AND seq < ? ORDER BY seq",
            (case_id, row["revision"]),
        )
        dicts = []
        for index, (seq, text, _) in enumerate(rows):
            if seq != index:
                raise ReplayError(f"case {case_id!r}: event {index} is missing from the store")
            try:
                dicts.append(json.loads(text))
            except (TypeError, ValueError, RecursionError):
                raise ReplayError(f"case {case_id!r}: event {index} is not JSON") from None
        try:
            head = verify_chain([(d, h) for d, (_, _, h) in zip(dicts, rows, strict=True)])
            events = events_from_dicts(dicts)
        except ReplayError as error:
            raise ReplayError(f"case {case_id!r}: {error}") from None
        if len(rows) != row["revision"] or head != row["head"]:
            raise ReplayError(
                f"case {case_id!r}: event {min(len(rows), row['revision'])}: the case row "
                f"says {row['revision']} events with head {str(row['head'])[:12]}, the "
                f"event table holds {len(rows)} with head {head[:12]}"
            )
        return events, str(rows[-1][1])

    def _replay(self, case_id: str, row: Mapping[str, Any]) -> tuple[Case, str]:
        """The case replayed from its stored journal, and its last event's stored text."""
        events, last_text = self._stored_events(case_id, row)
        return replay_versions(events, self.pathway), last_text

    def _published(self, pathway: Pathway) -> None:
        """StoreError unless ``pathway`` (this exact content) is published."""
        if (pathway.id, pathway.version, pathway.content_hash) not in self._pathways:
            self.pathway(pathway.id, pathway.version, pathway.content_hash)

    def _remember(self, case_id: str, row: Mapping[str, Any], last: Event, text: str) -> None:
        """Keep the case row as now stored, for the next save of the case."""
        self._known.pop(case_id, None)
        if len(self._known) >= _REMEMBERED:
            del self._known[next(iter(self._known))]
        kept = row if len(row) == len(_ROW_COLUMNS) else {name: row[name] for name in _ROW_COLUMNS}
        self._known[case_id] = _Known(dict(kept), last, text)

    def _row_for_save(self, case_id: str, revision: int) -> tuple[dict[str, Any], str]:
        """The case row (locked, on PostgreSQL) and the stored text of event
        ``revision - 1``, in one query."""
        columns = ", ".join(f"c.{name}" for name in _CASE_COLUMNS.split(", "))
        suffix = " FOR UPDATE" if self._db.dialect == "postgresql" else ""
        rows = self._db.query(
            f"SELECT {columns}, e.event FROM cases c JOIN events e ON e.case_id = c.case_id "
            f"AND e.seq = ? WHERE c.case_id = ?{suffix}",
            (revision - 1, case_id),
        )
        if not rows:
            raise StoreError(f"no case {case_id!r} in {self._db.where}")
        names = _CASE_COLUMNS.split(", ")
        return dict(zip(names, rows[0][:-1], strict=True)), str(rows[0][-1])

    def _insert_events(
        self,
        case_id: str,
        first: int,
        events: Sequence[Event],
        chained: Sequence[tuple[str, str]],
    ) -> None:
        rows = self._event_rows(case_id, first, events, chained)
        for start in range(0, len(rows), 500):  # one statement (one round trip) per 500
            chunk = rows[start : start + 500]
            self._db.execute(
                "INSERT INTO events (case_id, seq, at, kind, event, hash) VALUES "
                + ", ".join(["(?, ?, ?, ?, ?, ?)"] * len(chunk)),
                [value for row in chunk for value in row],
            )

    @staticmethod
    def _event_rows(
        case_id: str, first: int, events: Sequence[Event], chained: Sequence[tuple[str, str]]
    ) -> list[Row]:
        """The event table's rows for ``events``, the first at sequence number ``first``."""
        return [
            (case_id, first + i, format_time(e.at), e.kind, text, hashed)
            for i, (e, (text, hashed)) in enumerate(zip(events, chained, strict=True))
        ]

    @staticmethod
    def _row_values(
        case: Case, revision: int, head: str, due: datetime | None, row: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        """The case row's columns (:data:`_ROW_COLUMNS`, in order) for ``case`` now;
        ``row`` is the stored row it replaces (None for a new case)."""
        pathway = case.pathway
        status = case_status(case)
        due_at, declared = _due(status, due, row)
        waiting = status.waiting_since
        return {
            "pathway_id": pathway.id,
            "pathway_version": pathway.version,
            "content_hash": pathway.content_hash,
            "step": status.step,
            "role": status.role,
            "worker": status.worker,
            "finished": int(status.finished),
            "facts": _json(dict(status.facts)),
            "revision": revision,
            "head": head,
            "started_at": format_time(status.started_at),
            "last_event_at": format_time(status.last_event_at),
            "waiting_since": format_time(waiting) if waiting is not None else None,
            "checkpoint": status.checkpoint,
            "due_at": due_at,
            "due_declared": declared,
        }

    def _write_status(
        self, case: Case, row: Mapping[str, Any], due: datetime | None, revision: int, head: str
    ) -> dict[str, Any] | None:
        """Update the case row from ``case`` if it is still at ``revision``; the values
        written, or None if it was not."""
        values = self._row_values(case, len(case._built()), head, due, row)
        changed = self._db.execute(
            f"UPDATE cases SET {', '.join(f'{name} = ?' for name in values)} "
            "WHERE case_id = ? AND revision = ?",
            (*values.values(), case.case_id, revision),
        )
        return values if changed == 1 else None


def _continues(known: _Known, event: Event) -> bool:
    """Whether ``event`` is the remembered last event (the same object, or the same
    stored text)."""
    if event is known.last:
        return True
    return canonical_json(event_to_dict(event)).decode("ascii") == known.last_text


_FACTS_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _json(value: Any) -> str:
    """A case's facts as the case row keeps them."""
    return _FACTS_JSON.encode(value)


def _due(
    status: CaseStatus, due: datetime | None, row: Mapping[str, Any] | None
) -> tuple[str | None, int]:
    """The next due time and whether it was declared: a ``due`` given now; else one
    declared earlier while the case is still at that step; else the wait's
    ``chase_after`` from when the wait began; none at an outcome or once work began."""
    if status.finished:
        return None, 0
    if due is not None:
        return format_time(due), 1
    if row is not None and row.get("due_declared") and row.get("step") == status.step:
        return row.get("due_at"), 1
    if status.waiting_since is not None and status.chase_after is not None:
        return format_time(status.waiting_since + timedelta(minutes=status.chase_after)), 0
    return None, 0


def _page_key(row: Row, order: str) -> str:
    """The ``after=`` token that continues a worklist past ``row``."""
    sort_key = {"case_id": 0, "due_at": 7, "waiting_since": 6}[order]
    return f"{row[sort_key]}|{row[0]}"


def _work_item(row: Row) -> WorkItem:
    return WorkItem(
        case_id=row[0],
        pathway_id=row[1],
        pathway_version=row[2],
        step=row[3],
        role=row[4],
        worker=row[5],
        waiting_since=parse_time(row[6]) if row[6] else None,
        due_at=parse_time(row[7]) if row[7] else None,
        last_event_at=parse_time(row[8]),
        checkpoint=row[9],
        revision=int(row[10]),
    )
