"""What the store needs from a database: run SQL, a write transaction, and its tables.

The SQL the store writes uses ``?`` placeholders and portable types (TEXT, INTEGER,
BIGINT); each backend turns that into its driver's dialect. One backend per module:
:mod:`._sqlite` (the standard library) and :mod:`._postgres` (psycopg 3, an extra).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

__all__ = ["Backend", "Row"]

Row = tuple[Any, ...]


class Backend(Protocol):
    """One connection to one database, used by one thread at a time."""

    dialect: str
    """``"sqlite"`` or ``"postgresql"``."""
    where: str
    """The database, for messages (a path, or a URL without its password)."""

    def prepare(self) -> None:
        """Connection settings, made once the database is known to be a store."""

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Every row ``sql`` gives."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run ``sql``; return how many rows it changed."""

    def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run ``sql`` once per row of parameters."""

    def append(
        self,
        case_id: str,
        expected: Mapping[str, Any],
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        events: Sequence[Row],
    ) -> bool:
        """Atomically: update the case row to ``new`` if its columns still hold
        ``expected`` (NULL matching NULL), and insert ``events`` (rows of case_id, seq,
        at, kind, event, hash) if it was; commit. False, with nothing written, if the row
        did not match. ``old`` is the whole row as the caller knows it (a backend may
        leave the columns it already holds unchanged). Raises what :meth:`is_conflict`
        recognises if an event's (case_id, seq) is already stored."""

    def transaction(self) -> AbstractContextManager[None]:
        """A write transaction: committed when the block ends, rolled back on error.
        Writers of the same database are serialised or conflict, never interleaved."""

    def table_names(self) -> set[str]:
        """The names of the tables in the database (raises StoreError if it is not one)."""

    def is_conflict(self, error: BaseException) -> bool:
        """Whether ``error`` is a unique-key violation (a row another writer added)."""

    def close(self) -> None:
        """Close the connection."""
