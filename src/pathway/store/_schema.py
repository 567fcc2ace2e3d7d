"""The store's tables, their versions, and the upgrades between versions.

Version 1 had the event table, the pathway registry and the case table with the step,
owner and times. Version 2 (current) adds to the case table the pending checkpoint and
the next due time (and whether a person declared it), and the indexes the worklists
need. Opening an older store upgrades it in one transaction (the new columns are
recomputed from each open case's journal, see ``Store._upgrade``); a store of a newer
version, or a database that is not a store, is refused before anything is changed.
"""

from __future__ import annotations

__all__ = [
    "META_TABLE",
    "SCHEMA_VERSION",
    "STORE_TABLES",
    "create_statements",
    "upgrade_statements",
]

SCHEMA_VERSION = 2
META_TABLE = "pathway_store"
STORE_TABLES = frozenset({META_TABLE, "pathways", "cases", "events"})

_VERSION_1 = (
    f"CREATE TABLE {META_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE pathways (
        pathway_id TEXT NOT NULL,
        version TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        source TEXT NOT NULL,
        PRIMARY KEY (pathway_id, version))""",
    """CREATE TABLE cases (
        case_id TEXT PRIMARY KEY,
        pathway_id TEXT NOT NULL,
        pathway_version TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        step TEXT NOT NULL,
        role TEXT,
        worker TEXT,
        finished INTEGER NOT NULL,
        facts TEXT NOT NULL,
        revision INTEGER NOT NULL,
        head TEXT NOT NULL,
        started_at TEXT NOT NULL,
        last_event_at TEXT NOT NULL,
        waiting_since TEXT)""",
    """CREATE TABLE events (
        case_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        event TEXT NOT NULL,
        hash TEXT NOT NULL,
        PRIMARY KEY (case_id, seq))""",
    "CREATE INDEX cases_step ON cases (step, case_id) WHERE finished = 0",
)

_UPGRADE_TO_2 = (
    "ALTER TABLE cases ADD COLUMN checkpoint TEXT",
    "ALTER TABLE cases ADD COLUMN due_at TEXT",
    "ALTER TABLE cases ADD COLUMN due_declared INTEGER NOT NULL DEFAULT 0",
    "CREATE INDEX cases_role ON cases (role, case_id) WHERE finished = 0",
    "CREATE INDEX cases_worker ON cases (worker, case_id) WHERE finished = 0",
    "CREATE INDEX cases_waiting ON cases (waiting_since, case_id) WHERE finished = 0",
    "CREATE INDEX cases_due ON cases (due_at, case_id) WHERE finished = 0",
    "CREATE INDEX cases_checkpoint ON cases (checkpoint, case_id) WHERE finished = 0",
    "CREATE INDEX cases_version ON cases (pathway_id, pathway_version)",
)

_UPGRADES = {2: _UPGRADE_TO_2}


def create_statements(version: int = SCHEMA_VERSION) -> list[str]:
    """The SQL that creates an empty store at ``version`` (older ones for tests)."""
    statements = list(_VERSION_1)
    for step in range(2, version + 1):
        statements.extend(_UPGRADES[step])
    return statements


def upgrade_statements(version: int) -> list[str]:
    """The SQL that upgrades a store from ``version - 1`` to ``version``."""
    return list(_UPGRADES[version])
