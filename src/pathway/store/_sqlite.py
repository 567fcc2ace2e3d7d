"""The SQLite backend: a file (or ``sqlite:///path``), no server, the standard library.

The database runs in WAL mode (readers never block the writer) with
``synchronous=NORMAL``, SQLite's documented setting for WAL: a commit is appended to the
WAL file without waiting for the disk, and the WAL is synced at each checkpoint. A
committed save survives the process being killed; a power loss or operating-system
crash can lose the commits since the last checkpoint (the database stays consistent).
Add ``?synchronous=full`` to the URL to make every commit wait for the disk. A write
transaction is ``BEGIN IMMEDIATE``, so writers queue (for up to ``timeout`` seconds)
instead of deadlocking.

**Checkpoints off the save path.** A checkpoint copies the WAL back into the database
and syncs both files (two disk flushes); SQLite runs it inside whichever commit pushes
the WAL past 1,000 pages, so that save waits for the disk twice. Every
:data:`_NUDGE_EVERY` commits this backend wakes a thread of its own (with its own
connection, started the first time) that runs a ``PASSIVE`` checkpoint, which never
blocks the writer; SQLite's own checkpoint at 1,000 pages stays on as the backstop, so
the WAL is synced at least as often as with SQLite's defaults and the durability is
unchanged.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pathway.errors import StoreError
from pathway.store._backend import Row

__all__ = ["SQLiteBackend"]

_UNSET = object()
_BACKSTOP_PAGES = 10_000
"""The WAL size (pages) at which the writer checkpoints itself once the thread runs."""
_NUDGE_EVERY = 100
"""Commits between wake-ups of the checkpoint thread (a save writes about 8 pages to the
WAL, so about 400 pages: well before SQLite's own checkpoint at 1,000)."""
_SYNCHRONOUS = {"normal": "NORMAL", "full": "FULL", "off": "OFF"}


class SQLiteBackend:
    """A connection to one SQLite database file."""

    dialect = "sqlite"

    def __init__(self, path: str, *, synchronous: str = "normal", timeout: float = 60.0):
        if synchronous not in _SYNCHRONOUS:
            raise StoreError(
                f"synchronous={synchronous!r} is not a SQLite setting the store uses; "
                f"expected one of {', '.join(_SYNCHRONOUS)}"
            )
        self.where = path
        self._synchronous = _SYNCHRONOUS[synchronous]
        if path != ":memory:" and Path(path).is_dir():
            raise StoreError(f"{path}: is a folder, not a database file")
        try:
            # one thread at a time, not always the same one (a pool of stores in a
            # threaded web server hands a store from thread to thread)
            self._db = sqlite3.connect(
                path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as error:
            raise StoreError(f"{path}: cannot open the database: {error}") from None
        self._path = path
        self._timeout = timeout
        self._commits = 0
        self._checkpointer: _Checkpointer | None = None
        self._update_sql: dict[tuple[tuple[str, ...], tuple[str, ...]], str] = {}

    def prepare(self) -> None:
        """WAL and the durability setting (only once the file is known to be ours)."""
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA synchronous={self._synchronous}")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return self._db.execute(sql, params).fetchall()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._db.execute(sql, params).rowcount

    def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._db.executemany(sql, rows)

    def append(
        self,
        case_id: str,
        expected: Mapping[str, Any],
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        events: Sequence[Row],
    ) -> bool:
        """One ``BEGIN IMMEDIATE`` transaction: the conditional ``UPDATE`` of the case row
        (only the columns that changed, so only the worklist indexes whose key changed
        are rewritten and fewer pages go to the WAL), then one ``INSERT`` of the events."""
        changed = tuple(name for name, value in new.items() if old.get(name, _UNSET) != value)
        key = (changed, tuple(expected))
        sql = self._update_sql.get(key)
        if sql is None:
            sql = self._update_sql[key] = (
                f"UPDATE cases SET {', '.join(f'{name} = ?' for name in changed)} "
                f"WHERE case_id = ? AND {' AND '.join(f'{name} IS ?' for name in expected)}"
            )
        self._db.execute("BEGIN IMMEDIATE")
        try:
            updated = self._db.execute(
                sql, (*(new[name] for name in changed), case_id, *expected.values())
            ).rowcount
            if updated == 1:
                for start in range(0, len(events), 500):  # at most 3,000 parameters each
                    chunk = events[start : start + 500]
                    self._db.execute(
                        "INSERT INTO events (case_id, seq, at, kind, event, hash) VALUES "
                        + ", ".join(["(?, ?, ?, ?, ?, ?)"] * len(chunk)),
                        [value for row in chunk for value in row],
                    )
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        if updated != 1:
            self._db.execute("ROLLBACK")
            return False
        self._db.execute("COMMIT")
        self._committed()
        return True

    def _committed(self) -> None:
        """Count a commit; every :data:`_NUDGE_EVERY`, wake the checkpoint thread."""
        self._commits += 1
        if self._commits % _NUDGE_EVERY or self._path == ":memory:":
            return
        if self._checkpointer is None:
            self._checkpointer = _Checkpointer(self._path, self._timeout)
            # the thread syncs the WAL every _NUDGE_EVERY commits; the writer's own
            # checkpoint is only the backstop (and what lets the WAL file start over)
            self._db.execute(f"PRAGMA wal_autocheckpoint={_BACKSTOP_PAGES}")
        self._checkpointer.nudge()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        self._committed()

    def table_names(self) -> set[str]:
        try:
            found = self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            return {name for (name,) in found.fetchall()}
        except sqlite3.DatabaseError as error:
            raise StoreError(
                f"{self.where}: not a case store: the file is not a SQLite database ({error})"
            ) from None

    def is_conflict(self, error: BaseException) -> bool:
        return isinstance(error, sqlite3.IntegrityError)

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.close()
            self._checkpointer = None
        self._db.close()


class _Checkpointer:
    """A thread with its own connection that checkpoints the WAL when nudged."""

    def __init__(self, path: str, timeout: float) -> None:
        self._path, self._timeout = path, timeout
        self._wake = threading.Event()
        self._closing = False
        self._thread = threading.Thread(
            target=self._run, name="pathway-store-checkpoint", daemon=True
        )
        self._thread.start()

    def nudge(self) -> None:
        """Ask for a checkpoint (returns at once)."""
        self._wake.set()

    def close(self) -> None:
        """Stop the thread, after the checkpoint it may be running."""
        self._closing = True
        self._wake.set()
        self._thread.join()

    def _run(self) -> None:
        # A failed or busy checkpoint is not an error anyone could act on: the writer's
        # own automatic checkpoint (at 1,000 pages) still runs, as without this thread.
        try:
            db = sqlite3.connect(self._path, timeout=self._timeout, isolation_level=None)
        except sqlite3.Error:
            return
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._closing:
                    return
                try:
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:
                    continue
        finally:
            db.close()
