"""pathway.store: live cases in SQLite (embedded, the default) or PostgreSQL (shared).

::

    from pathway.store import open_store

    store = open_store("cases.db")            # or "sqlite:///cases.db", "postgresql://..."
    store.publish(hub)                        # the pathway registry: id, version, content
    store.create(hub.new_case("c1", facts, at=now))
    stored = store.load("c1")                 # the case and the revision it is at
    stored.case.fire("allocate", at=now, by=amy)
    store.save(stored.case, stored.revision)  # ConflictError if someone saved first
    store.transact("c1", lambda case: case.fire(...))   # load, apply, save; retried
    store.worklist(role="doctor", overdue=True, now=now)

See ``docs/reference/store.md``. SQLite needs nothing beyond the standard library;
PostgreSQL needs the ``postgres`` extra (psycopg 3).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from pathway._extras import require
from pathway.errors import ConflictError, MigrationError, StoreError
from pathway.store._backend import Backend
from pathway.store._rollin import MigrationReport, StepMap, load_step_map, migrate_cases
from pathway.store._schema import SCHEMA_VERSION
from pathway.store._sqlite import SQLiteBackend
from pathway.store._store import Store, StoredCase, WorkItem, WorkPage

__all__ = [
    "SCHEMA_VERSION",
    "ConflictError",
    "MigrationError",
    "MigrationReport",
    "StepMap",
    "Store",
    "StoreError",
    "StoredCase",
    "WorkItem",
    "WorkPage",
    "load_step_map",
    "migrate_cases",
    "open_store",
]


def open_store(url: str | Path) -> Store:
    """Open (creating or upgrading) the case store at ``url``.

    ``url`` is a file path or ``sqlite:///path`` (``?synchronous=full`` to wait for the
    disk on every commit), or ``postgresql://user@host/db`` (needs the ``postgres``
    extra). Raises StoreError, changing nothing, for a database that is not a store,
    is damaged, or has a newer schema; MissingExtraError without psycopg.
    """
    return Store(_backend(str(url)))


def _backend(url: str) -> Backend:
    if url.startswith(("postgresql://", "postgres://")):
        module = require(
            "pathway.store._postgres", extra="postgres", feature="the PostgreSQL case store"
        )
        backend: Backend = module.PostgresBackend(url)
        return backend
    if "://" not in url:
        return SQLiteBackend(url)
    parts = urlsplit(url)
    if parts.scheme != "sqlite":
        raise StoreError(
            f"{url}: unknown kind of database {parts.scheme!r}; give a file path, "
            "sqlite:///path or postgresql://..."
        )
    path = parts.path[1:] if parts.path.startswith("/") else parts.path
    if parts.netloc:
        raise StoreError(f"{url}: a sqlite URL has three slashes: sqlite:///path/to/file.db")
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    unknown = set(options) - {"synchronous"}
    if unknown:
        raise StoreError(f"{url}: unknown option {sorted(unknown)[0]!r}; known: synchronous")
    return SQLiteBackend(path or ":memory:", synchronous=options.get("synchronous", "normal"))
