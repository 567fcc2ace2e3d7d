"""The SQLite backend: a file (or ``sqlite:///path``), no server, the standard library.

The database runs in WAL mode (readers never block the writer) with
``synchronous=NORMAL``: a committed save survives the process being killed; the last
few commits may be lost only if the machine itself loses power. Add ``?synchronous=full``
to the URL to make every commit wait for the disk. A write transaction is ``BEGIN
IMMEDIATE``, so writers queue (for up to ``timeout`` seconds) instead of deadlocking.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pathway.errors import StoreError
from pathway.store._backend import Row

__all__ = ["SQLiteBackend"]

_UNSET = object()
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
        self._depth = 0
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
        self._db.execute("COMMIT" if updated == 1 else "ROLLBACK")
        return updated == 1

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

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
        self._db.close()
