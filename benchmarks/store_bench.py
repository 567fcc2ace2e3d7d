"""Benchmark the case store: fire + save per second, and worklist queries at scale.

    python benchmarks/store_bench.py [--cases 1000000] [--saves 5000] [--no-postgres]

Around each fire + save measurement, the disk: how many flushes (8 kB write +
fdatasync) it completes per second, one after another; a durable commit on PostgreSQL
waits for one, so this caps one connection's saves per second.

For each backend (SQLite in WAL mode, and PostgreSQL over one connection on a throwaway
server started like the tests start theirs, with fsync on):

* **fire + save**: cases held in memory; each operation moves one case on by a trigger
  (2-4 events) and saves it with its revision (compare-and-swap, chained events, the
  case row's worklist columns). Compared in the same run with the hand-written
  approach: the whole case JSON in one row, ``UPDATE ... SET json = ? WHERE revision = ?``
  (one statement, its own transaction). Each line says whether the issue's target is met
  (SQLite 5,000 per second, PostgreSQL 2,000) and the ratio to the blob.
  On PostgreSQL also with ``SET synchronous_commit = off`` on the benchmark's session
  (not durable, never set by the store: it shows what the fsync per commit costs).
* **worklists**: ``--cases`` synthetic case rows (every step, role, wait and due time
  spread out), then the first page (100) of each worklist, median of 20 runs, in
  calendar time and in working time (the nurse's steps open Mon-Fri 09:00-17:00).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import pathway
from pathway.store import Store, open_store
from pathway.store._store import format_time
from store_support import (
    LOOP_YAML,
    START,
    later,
    loop,
    next_move,
    postgres_bin,
    postgres_cluster,
)


def fire_and_save(store: Store, saves: int, cases: int = 200) -> float:
    hub = loop()
    store.publish(hub)
    held = []
    for index in range(cases):
        case = hub.new_case(f"f{index}", {"urgent": False, "score": index}, at=START)
        held.append([case, store.create(case)])
    begin = time.perf_counter()
    for op in range(saves):
        entry = held[op % cases]
        next_move(entry[0], later(entry[0]))
        entry[1] = store.save(entry[0], entry[1])
    return saves / (time.perf_counter() - begin)


def json_blob(store: Store, saves: int, cases: int = 200) -> float:
    """The hand-written way: the case's JSON in one row, compare-and-swap on a counter."""
    db = store._db
    db.execute("CREATE TABLE blobs (case_id TEXT PRIMARY KEY, revision INTEGER, doc TEXT)")
    hub = loop()
    held = []
    for index in range(cases):
        case = hub.new_case(f"b{index}", {"urgent": False, "score": index}, at=START)
        db.execute("INSERT INTO blobs VALUES (?, 0, ?)", (case.case_id, case.to_json()))
        held.append([case, 0])
    begin = time.perf_counter()
    for op in range(saves):
        entry = held[op % cases]
        case = entry[0]
        next_move(case, later(case))
        changed = db.execute(  # one statement: its own transaction (autocommit)
            "UPDATE blobs SET doc = ?, revision = revision + 1 WHERE case_id = ? AND revision = ?",
            (case.to_json(), case.case_id, entry[1]),
        )
        assert changed == 1
        entry[1] += 1
    return saves / (time.perf_counter() - begin)


_STEPS = ("intake", "waiting", "review", "decide")
_ROLES = {"intake": "desk", "waiting": "nurse", "review": "nurse", "decide": "nurse"}


# The loop with office hours for the nurse, so worklists in working time have a calendar.
OFFICE_YAML = LOOP_YAML.replace(
    "roles:\n", 'calendars:\n  office:\n    open: {mon-fri: "09:00-17:00"}\nroles:\n'
).replace(
    "nurse: {team: clinic, organisation: hub}",
    "nurse: {team: clinic, organisation: hub, calendar: office}",
)


def fill(store: Store, n: int) -> None:
    """``n`` synthetic open case rows, the worklist columns spread out, on the loop
    with office hours (published as version 1)."""
    store.publish(pathway.load(OFFICE_YAML))
    rng = random.Random(1)
    db = store._db
    batch: list[tuple[Any, ...]] = []
    for index in range(n):
        step = _STEPS[index % 4]
        started = START + timedelta(minutes=rng.randrange(0, 525_600))
        waiting = started + timedelta(minutes=rng.randrange(0, 600))
        due = waiting + timedelta(days=2) if step == "waiting" else None
        batch.append(
            (
                f"s{index:07d}", "loop", "1", "x", step, _ROLES[step],
                f"w{index % 500}" if step == "review" else None,
                1 if index % 10 == 0 else 0, "{}", 3, "h",
                format_time(started), format_time(waiting),
                format_time(waiting) if step != "review" else None,
                "go_on" if step == "decide" else None,
                format_time(due) if due else None, 0,
            )
        )  # fmt: skip
        if len(batch) == 20_000 or index == n - 1:
            with db.transaction():
                db.execute_many(
                    "INSERT INTO cases (case_id, pathway_id, pathway_version, content_hash, "
                    "step, role, worker, finished, facts, revision, head, started_at, "
                    "last_event_at, waiting_since, checkpoint, due_at, due_declared) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    batch,
                )
            batch = []
    if store._db.dialect == "postgresql":
        db.execute("ANALYZE cases")
    else:
        db.execute("ANALYZE")


def worklists(store: Store) -> dict[str, float]:
    now = START + timedelta(days=200)
    queries = {
        "at a step": {"step": "waiting"},
        "by role": {"role": "nurse"},
        "by worker": {"worker": "w42"},
        "overdue (chase_after)": {"overdue": True, "now": now},
        "waiting over 30 days": {"waiting_over": timedelta(days=30), "now": now},
        "checkpoints due": {"checkpoints": True},
        "role + overdue": {"role": "nurse", "overdue": True, "now": now},
        "overdue, working time": {"overdue": True, "now": now, "clock": "working"},
        "waiting 30d, working time": {
            "waiting_over": timedelta(days=30),
            "now": now,
            "clock": "working",
        },
    }
    times = {}
    for name, filters in queries.items():
        runs = []
        for _ in range(20):
            begin = time.perf_counter()
            page = store.worklist(limit=100, **filters)  # type: ignore[arg-type]
            runs.append(time.perf_counter() - begin)
        assert page.items, name
        second = store.worklist(limit=100, after=page.next, **filters)  # type: ignore[arg-type]
        assert second.items, name
        times[name] = statistics.median(runs) * 1000
    return times


def flushes_per_second(folder: str, seconds: float = 1.0) -> float:
    """How many 8 kB write + fdatasync pairs the disk under ``folder`` completes per
    second, one after another (what one WAL flush per commit costs, like
    pg_test_fsync's fdatasync line): the most durable commits one connection can make."""
    path = Path(folder) / "flush-test"
    block = b"\0" * 8192
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        count, begin = 0, time.perf_counter()
        while time.perf_counter() - begin < seconds:
            os.pwrite(fd, block, 0)
            os.fdatasync(fd)
            count += 1
        return count / (time.perf_counter() - begin)
    finally:
        os.close(fd)
        path.unlink()


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def run(label: str, url_for: Any, args: argparse.Namespace, target: int, folder: str) -> None:
    print(f"== {label} (load average {load_average()})")
    before = flushes_per_second(folder)
    with open_store(url_for("fire")) as store:
        rate = fire_and_save(store, args.saves)
        blob = json_blob(store, args.saves)
    after = flushes_per_second(folder)
    print(
        f"disk: {before:,.0f} flushes per second before, {after:,.0f} after (8 kB write + "
        "fdatasync, one at a time; a durable PostgreSQL commit waits for one)"
    )
    met = "met" if rate >= target else "NOT met"
    print(f"fire + save, pathway.store:    {rate:8.0f} per second (target {target:,}: {met})")
    print(f"fire + save, JSON blob in row: {blob:8.0f} per second (hand-written, same run)")
    print(f"pathway.store / JSON blob:     {rate / blob:8.2f}x")
    if url_for("fire").startswith("postgresql"):
        # Not durable: a commit is acknowledged before its WAL reaches the disk (see
        # docs/performance.md); measured to show what the fsync per commit costs. The
        # store never sets it.
        with open_store(url_for("fire")) as store:
            store._db.execute("SET synchronous_commit = off")
            rate = fire_and_save(store, args.saves)
            print(f"fire + save, pathway.store, synchronous_commit=off (not durable, "
                  f"benchmark only): {rate:8.0f} per second")  # fmt: skip
    with open_store(url_for("worklist")) as store:
        begin = time.perf_counter()
        fill(store, args.cases)
        print(f"filled {args.cases:,} case rows in {time.perf_counter() - begin:.0f} s")
        for name, ms in worklists(store).items():
            print(f"worklist {name:<26} {ms:7.2f} ms (first page of 100, median of 20)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--saves", type=int, default=5000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run(
            "SQLite (WAL, synchronous=NORMAL, checkpoints in a thread)",
            lambda name: f"{folder}/{name}.db",
            args,
            5000,
            folder,
        )
    if args.no_postgres or postgres_bin() is None:
        print("PostgreSQL: skipped (no server binaries, or --no-postgres)")
        return
    with postgres_cluster(fast=False) as cluster:
        run(
            "PostgreSQL (one connection, unix socket, fsync on: one statement and one "
            "durable commit per save)",
            lambda _: cluster.new_database(),
            args,
            2000,
            str(cluster.socket_dir),
        )
    print(f"load average at the end: {load_average()}")


if __name__ == "__main__":
    main()
