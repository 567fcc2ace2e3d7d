"""What the store tests share (imported, not collected): pathways with a loop, and a
throwaway PostgreSQL server started from the real server binaries.

The server: ``initdb`` in a temporary directory and ``pg_ctl start`` listening only on
a unix socket in that directory. initdb refuses to run as root, so as root the server
runs as the ``postgres`` system user (``runuser -u postgres --``) in a directory it owns.
The binaries are found on PATH, in /usr/local/bin, or in Debian's
/usr/lib/postgresql/*/bin; without them the PostgreSQL tests are skipped, saying why.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pathway

LONDON = ZoneInfo("Europe/London")
START = datetime(2024, 3, 4, 9, 0, tzinfo=LONDON)  # a Monday

# A small service with a loop (review -> waiting -> review ...) so cases can be moved
# forever, a chase_after on the wait, a checkpoint and two roles.
LOOP_YAML = """\
id: loop
title: Loop
version: "1"
timezone: Europe/London
roles:
  desk: {team: front, organisation: hub}
  nurse: {team: clinic, organisation: hub}
facts:
  urgent: {type: bool}
  score: {type: int}
steps:
  intake: {role: desk, duration: 10m}
  waiting: {role: nurse, duration: 20m}
  review: {role: nurse, duration: 30m}
  decide: {role: nurse, duration: 5m}
  closed: {outcome: true}
checkpoints:
  go_on:
    at: decide
    questions:
      again: {ask: person}
    routes:
      - {when: again, to: waiting}
    otherwise: closed
transitions:
  - {trigger: accept, from: intake, to: waiting, chase_after: 2d}
  - {trigger: seen, from: waiting, to: review}
  - {trigger: back, from: review, to: waiting, chase_after: 1d}
  - {trigger: consider, from: review, to: decide}
"""

# Version 2: 'waiting' is renamed 'queue', a 'triage' step is added, fact 'score' kept.
LOOP_V2_YAML = (
    LOOP_YAML.replace('version: "1"', 'version: "2"')
    .replace("waiting", "queue")
    .replace(
        "  review: {role: nurse, duration: 30m}",
        "  triage: {role: desk, duration: 5m}\n  review: {role: nurse, duration: 30m}",
    )
    .replace(
        "  - {trigger: seen, from: queue, to: review}",
        "  - {trigger: seen, from: queue, to: review}\n"
        "  - {trigger: sort, from: triage, to: queue}\n"
        "  - {trigger: refer, from: intake, to: triage}",
    )
)

# Version 3 does not declare the fact 'score'.
LOOP_V3_YAML = LOOP_V2_YAML.replace('version: "2"', 'version: "3"').replace(
    "  score: {type: int}\n", ""
)

DESK = pathway.Worker("dee", "desk")
NURSE = pathway.Worker("nia", "nurse")


def loop() -> pathway.Pathway:
    return pathway.load(LOOP_YAML)


def next_move(case: pathway.Case, at: datetime) -> None:
    """Move a case on by one valid command (it never finishes: review goes back)."""
    state = case.state
    if state == "intake":
        case.fire("accept", at=at, by=DESK)
    elif state in {"waiting", "queue"}:
        case.fire("seen", at=at, by=NURSE)
    elif state == "review":
        case.fire("back", at=at, by=NURSE)
    elif state == "decide":
        case.decide("go_on", {"again": True}, at=at, by=NURSE, rationale="more")
    else:
        case.record_failure_demand("chase", at=at)


def later(case: pathway.Case, minutes: int = 5) -> datetime:
    """A time after the case's last event."""
    return case.journal[-1].at + timedelta(minutes=minutes)


# -- PostgreSQL --------------------------------------------------------------------------


def postgres_bin() -> Path | None:
    """The folder with initdb and pg_ctl, or None."""
    candidates = []
    found = shutil.which("initdb")
    if found:
        candidates.append(Path(found).resolve().parent)
    candidates.append(Path("/usr/local/bin"))
    candidates.extend(Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True))
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


class Cluster:
    """A running throwaway server: ``url(db)`` to connect, ``new_database()`` for a
    fresh database."""

    def __init__(self, socket_dir: Path) -> None:
        self.socket_dir = socket_dir
        self._count = 0

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@/{database}?host={self.socket_dir}"

    def new_database(self) -> str:
        import psycopg

        self._count += 1
        name = f"store_{os.getpid()}_{self._count}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")
            admin.execute(f"CREATE DATABASE {name}")
        return self.url(name)


@contextmanager
def postgres_cluster(*, fast: bool = True) -> Iterator[Cluster]:
    """Start a server for the duration of the block (``fast``: no fsync, for tests)."""
    folder = postgres_bin()
    assert folder is not None
    root = Path(tempfile.mkdtemp(prefix="pathway-pg-"))
    data = root / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(root, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    run = [*as_user, str(folder / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
    subprocess.run([*run, "--no-sync"], check=True, capture_output=True)
    options = f"-k {root} -c listen_addresses='' -c max_connections=50"
    if fast:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    start = [*as_user, str(folder / "pg_ctl"), "-D", str(data), "-l", str(root / "log")]
    subprocess.run([*start, "-o", options, "-w", "start"], check=True, capture_output=True)
    try:
        yield Cluster(root)
    finally:
        subprocess.run(
            [*as_user, str(folder / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)
