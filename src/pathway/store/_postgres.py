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
from collections.abc import Iterator, Sequence
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
