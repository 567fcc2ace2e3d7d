"""The PostgreSQL backend (``postgresql://...``): psycopg 3, from the ``postgres`` extra.

This module is imported only through :func:`pathway._extras.require`, so a core install
has a working SQLite store and a clear ``MissingExtraError`` for PostgreSQL. The
connection runs in autocommit mode; a write transaction is psycopg's ``transaction()``
block at READ COMMITTED, and the store's compare-and-swap (``UPDATE ... WHERE revision
= ?`` after ``SELECT ... FOR UPDATE``) makes concurrent saves of one case conflict
rather than interleave.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors as pg_errors

from pathway.errors import StoreError
from pathway.store._backend import Row

__all__ = ["PostgresBackend"]

_PASSWORD = re.compile(r"(://[^:/@]+:)[^@]*@")


class PostgresBackend:
    """A connection to one PostgreSQL database."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        self.where = _PASSWORD.sub(r"\1***@", url)
        try:
            self._db = psycopg.connect(url, autocommit=True)
        except psycopg.Error as error:
            raise StoreError(f"{self.where}: cannot connect: {error}".strip()) from None
        self._append_sql: dict[tuple[tuple[str, ...], tuple[str, ...], int], str] = {}

    def prepare(self) -> None:
        """Nothing to set: PostgreSQL is durable and concurrent as it comes."""

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("?", "%s")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self._db.cursor() as cursor:
            cursor.execute(self._sql(sql), params)
            return list(cursor.fetchall()) if cursor.description else []

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self._db.cursor() as cursor:
            cursor.execute(self._sql(sql), params)
            return cursor.rowcount

    def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self._db.cursor() as cursor:
            cursor.executemany(self._sql(sql), rows)

    def append(
        self,
        case_id: str,
        expected: Mapping[str, Any],
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        events: Sequence[Row],
    ) -> bool:
        """One statement, so one round trip and one commit (autocommit): a
        data-modifying ``WITH`` updates the case row where it still holds ``expected``
        and inserts the events only for the row it updated. Under READ COMMITTED a
        concurrent save of the same case waits for the row lock, then re-checks the
        condition on the row as committed, finds another revision and writes nothing.
        The text is the same for every save, so it runs as a prepared statement."""
        del old  # every column is set: the statement's text never changes
        count = len(events) if len(events) <= _VALUES_ROWS else 0
        key = (tuple(new), tuple(expected), count)
        sql = self._append_sql.get(key)
        if sql is None:
            sql = self._append_sql[key] = _append_sql(key[0], key[1], count)
        if count:  # each value a plain parameter (dumped in C)
            rows: list[Any] = [value for row in events for value in row[1:]]
        else:  # a long run of events: one array per column
            rows = [list(column) for column in list(zip(*events, strict=True))[1:]]
        cursor = self._db.execute(
            sql, (*new.values(), case_id, *expected.values(), *rows), prepare=True
        )
        return cursor.rowcount > 0

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._db.transaction():
            yield

    def table_names(self) -> set[str]:
        found = self.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
        return {name for (name,) in found}

    def is_conflict(self, error: BaseException) -> bool:
        return isinstance(error, pg_errors.UniqueViolation | pg_errors.SerializationFailure)

    def close(self) -> None:
        self._db.close()


_VALUES_ROWS = 16
"""Saves of up to this many events list them in ``VALUES`` (one prepared statement per
count); longer ones pass one array per column."""


def _append_sql(columns: Sequence[str], expected: Sequence[str], count: int) -> str:
    """The one statement of :meth:`PostgresBackend.append` for these columns and
    ``count`` events (0: any number, as arrays)."""
    sets = ", ".join(f"{name} = %s" for name in columns)
    where = " AND ".join(f"{name} IS NOT DISTINCT FROM %s" for name in expected)
    if count:
        rows = ", ".join(["(%s::integer, %s::text, %s::text, %s::text, %s::text)"] * count)
        source = f"(VALUES {rows})"
    else:
        source = "unnest(%s::integer[], %s::text[], %s::text[], %s::text[], %s::text[])"
    return (
        f"WITH moved AS (UPDATE cases SET {sets} WHERE case_id = %s AND {where} "
        "RETURNING case_id) "
        "INSERT INTO events (case_id, seq, at, kind, event, hash) "
        f"SELECT moved.case_id, n.seq, n.at, n.kind, n.event, n.hash FROM moved, {source} "
        "AS n(seq, at, kind, event, hash)"
    )
