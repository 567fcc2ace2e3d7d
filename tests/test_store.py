"""The case store, the same suite on SQLite and on a real PostgreSQL server: registry,
optimistic concurrency (processes racing on the same cases), crash safety (a writer
killed with SIGKILL mid-append), worklists, schema upgrade, roll-in, bad databases."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import pathway
from pathway import ConflictError, MigrationError, ReplayError, StoreError
from pathway.store import SCHEMA_VERSION, Store, load_step_map, migrate_cases, open_store
from pathway.store._sqlite import _NUDGE_EVERY
from store_support import (
    DESK,
    LONDON,
    LOOP_V2_YAML,
    LOOP_V3_YAML,
    LOOP_YAML,
    NURSE,
    START,
    Cluster,
    later,
    loop,
    next_move,
    postgres_bin,
    postgres_cluster,
)

WORKER = str(Path(__file__).parent / "store_worker.py")
HAS_POSTGRES = postgres_bin() is not None


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    if not HAS_POSTGRES:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) on this machine")
    pytest.importorskip("psycopg", reason="the postgres extra (psycopg) is not installed")
    with postgres_cluster() as running:
        yield running


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "cases.db")
    return str(request.getfixturevalue("cluster").new_database())


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    with open_store(url) as opened:
        opened.publish(loop())
        yield opened


def started(store: Store, case_id: str = "c1", **facts: object) -> pathway.Case:
    case = loop().new_case(case_id, {"urgent": False, "score": 1, **facts}, at=START)
    store.create(case)
    return case


# -- cases in and out ------------------------------------------------------------------


def test_a_case_reads_back_identical_and_continues(store: Store) -> None:
    case = started(store)
    stored = store.load("c1")
    for _ in range(6):
        next_move(stored.case, later(stored.case))
        revision = store.save(stored.case, stored.revision)
        next_move(case, later(case))
        assert revision == len(case.journal)
        stored = store.load("c1")
        assert list(stored.case.journal) == list(case.journal)
    assert stored.revision == len(case.journal) == store.count_events()
    assert store.schema_version == SCHEMA_VERSION


def test_a_stale_save_is_a_conflict_and_writes_nothing(store: Store) -> None:
    started(store)
    first, second = store.load("c1"), store.load("c1")
    next_move(first.case, later(first.case))
    store.save(first.case, first.revision)
    before = store.count_events()
    next_move(second.case, later(second.case, 7))
    with pytest.raises(ConflictError, match="changed since it was loaded") as caught:
        store.save(second.case, second.revision)
    assert caught.value.case_id == "c1"
    assert isinstance(caught.value, pathway.PathwayError)
    assert store.count_events() == before
    assert list(store.load("c1").case.journal) == list(first.case.journal)


def test_a_save_after_another_store_saved_is_a_conflict_and_writes_nothing(
    store: Store, url: str
) -> None:
    case = started(store)  # this store remembers the row it wrote
    with open_store(url) as other:
        rival = other.load("c1")
        next_move(rival.case, later(rival.case))
        other.save(rival.case, rival.revision)
    before = store.count_events()
    next_move(case, later(case, 7))
    with pytest.raises(ConflictError, match="changed since it was loaded"):
        store.save(case, 1)
    assert store.count_events() == before
    assert list(store.load("c1").case.journal) == list(rival.case.journal)


def test_a_due_time_declared_by_another_store_is_kept_by_the_next_save(
    store: Store, url: str
) -> None:
    case = started(store)
    case.fire("accept", at=later(case), by=DESK)  # waiting, due when its chase runs out
    revision = store.save(case, 1)
    due = START + timedelta(hours=3)
    with open_store(url) as other:  # declares a due time: no new event, same revision
        stored = other.load("c1")
        other.save(stored.case, stored.revision, due=due)
    case.begin(at=later(case), by=NURSE)  # stays at its step, no longer waiting
    store.save(case, revision)
    assert [i.due_at for i in store.worklist(step="waiting").items] == [due]


@pytest.mark.parametrize("fresh", [False, True])
def test_the_case_row_after_each_save_is_the_row_its_journal_gives(
    store: Store, url: str, fresh: bool
) -> None:
    case = started(store)
    revision = 1
    for move in range(14):
        if fresh:  # saves by a store that has not seen the case (the careful path)
            with open_store(url) as other:
                revision = other.save(case, revision)
        else:
            revision = store.save(case, revision)
        with open_store(url) as reader:
            row = reader._case_row("c1")
            expected = Store._row_values(reader.load("c1").case, revision, row["head"], None, row)
            found = {name: row[name] for name in expected}
            for values in (found, expected):  # the same facts, in either order
                values["facts"] = json.loads(values["facts"])
            assert found == expected, move
        next_move(case, later(case))
        if move % 3 == 0:
            case.update_facts(at=later(case), score=move)


def test_a_long_run_of_events_is_saved_in_one_go(store: Store, url: str) -> None:
    case = started(store)
    for _ in range(30):  # far more events than one save usually has
        next_move(case, later(case))
    assert store.save(case, 1) == len(case.journal) > 60
    with open_store(url) as other:
        assert list(other.load("c1").case.journal) == list(case.journal)
    assert store.count_events() == len(case.journal)


def test_transact_retries_a_unit_of_work_on_conflict(store: Store) -> None:
    started(store)
    rival = store.load("c1")
    calls = []

    def work(case: pathway.Case) -> None:
        calls.append(len(case.journal))
        if len(calls) == 1:  # another writer saves while this one works
            next_move(rival.case, later(rival.case))
            store.save(rival.case, rival.revision)
        next_move(case, later(case, 9))

    saved = store.transact("c1", work)
    assert len(calls) == 2
    assert calls[1] > calls[0]
    assert list(store.load("c1").case.journal) == list(saved.case.journal)


def test_creating_a_case_twice_is_a_conflict(store: Store) -> None:
    started(store)
    with pytest.raises(ConflictError, match="already in the store"):
        started(store)
    assert store.count_events() == 1


def test_a_case_that_does_not_continue_the_stored_journal_is_refused(store: Store) -> None:
    started(store)
    other = loop().new_case("c1", {"urgent": True, "score": 9}, at=START)
    next_move(other, later(other))
    with pytest.raises(StoreError, match="does not continue the stored journal"):
        store.save(other, 1)
    assert store.count_events() == 1


# -- the registry ------------------------------------------------------------------------


def test_publishing_is_idempotent_and_refuses_an_edit_without_a_new_version(store: Store) -> None:
    assert store.publish(loop()) is False
    edited = pathway.load(LOOP_YAML.replace("duration: 10m", "duration: 12m"))
    with pytest.raises(StoreError, match="edited without changing its version"):
        store.publish(edited)
    assert store.publish(pathway.load(LOOP_V2_YAML)) is True
    assert [v[:2] for v in store.versions()] == [("loop", "1"), ("loop", "2")]


def test_a_case_on_an_unpublished_version_is_refused(store: Store) -> None:
    v2 = pathway.load(LOOP_V2_YAML)
    with pytest.raises(StoreError, match=r"version '2' .*is not published"):
        store.create(v2.new_case("c9", {}, at=START))
    assert store.case_ids() == []


def test_a_case_loads_with_the_version_it_runs_on(url: str) -> None:
    with open_store(url) as store:
        store.publish(loop())
        started(store)
        store.publish(pathway.load(LOOP_V2_YAML))
    with open_store(url) as reopened:  # a new process: the registry is in the database
        assert reopened.load("c1").case.pathway.version == "1"


# -- worklists ---------------------------------------------------------------------------


def test_worklists_by_step_role_worker_wait_due_and_checkpoint(store: Store) -> None:
    for index in range(7):
        case = started(store, f"c{index}")
        stored = store.load(case.case_id)
        for _ in range(index % 4):  # intake, waiting, review, waiting...
            next_move(stored.case, START + timedelta(hours=1 + len(stored.case.journal)))
        if index == 6:
            stored.case.fire("consider", at=later(stored.case), by=NURSE)
        store.save(stored.case, stored.revision)
    states = {c: store.load(c).case.state for c in store.case_ids()}
    at_waiting = sorted(c for c, s in states.items() if s == "waiting")
    assert [i.case_id for i in store.worklist(step="waiting").items] == at_waiting
    nurse = sorted(c for c, s in states.items() if s != "intake")
    assert [i.case_id for i in store.worklist(role="nurse").items] == nurse
    assert [i.case_id for i in store.worklist(checkpoints=True).items] == ["c6"]
    # overdue: 'accept' has chase_after 2d, 'back' 1d; calendar time from the wait's start
    now = START + timedelta(days=1, hours=12)
    overdue = store.worklist(overdue=True, now=now).items
    for item in overdue:
        assert item.due_at is not None
        assert item.due_at <= now
    expected = {
        c
        for c in states
        if states[c] == "waiting"
        and store.load(c).case.journal[-1].at
        + timedelta(days=1 if store.load(c).case.journal[-1].trigger == "back" else 2)
        <= now
    }
    assert {i.case_id for i in overdue} == expected
    assert {i.case_id for i in store.worklist(overdue=True, now=now + timedelta(days=1)).items} >= {
        c for c in states if states[c] == "waiting"
    }
    waiting = store.worklist(waiting_over=timedelta(hours=30), now=now).items
    assert all(i.waiting_since and i.waiting_since <= now - timedelta(hours=30) for i in waiting)
    with pytest.raises(StoreError, match="need now="):
        store.worklist(overdue=True)


def test_a_declared_due_time_wins_until_the_step_changes(store: Store) -> None:
    case = started(store)
    stored = store.load("c1")
    due = START + timedelta(hours=3)
    store.save(stored.case, stored.revision, due=due)
    assert [i.case_id for i in store.worklist(overdue=True, now=due).items] == ["c1"]
    assert store.worklist(overdue=True, now=due - timedelta(seconds=1)).items == ()
    stored = store.load("c1")
    stored.case.fire("accept", at=later(stored.case), by=DESK)
    store.save(stored.case, stored.revision)
    item = store.worklist(step="waiting").items[0]
    assert item.due_at == stored.case.journal[-1].at + timedelta(days=2)
    assert case.state == "intake"


# The loop with office hours for the nurse (whose steps include 'waiting'): weekdays
# 09:00-17:00 London, Monday 2024-03-11 closed, and a chase of two working days (16h).
OFFICE_YAML = (
    LOOP_YAML.replace('version: "1"', 'version: "office"')
    .replace(
        "roles:\n",
        'calendars:\n  office:\n    open: {mon-fri: "09:00-17:00"}\n'
        '    closures: ["2024-03-11"]\nroles:\n',
    )
    .replace(
        "nurse: {team: clinic, organisation: hub}",
        "nurse: {team: clinic, organisation: hub, calendar: office}",
    )
    .replace("chase_after: 2d", "chase_after: 16h")
)


def _london(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 3, day, hour, minute, tzinfo=LONDON)


def test_overdue_and_waiting_in_working_time_skip_weekends_and_closures(store: Store) -> None:
    office = pathway.load(OFFICE_YAML)
    store.publish(office)
    # a: waits from Friday 15:00; calendar due Sat 07:00; working: Fri 2h, (weekend,
    # closed Monday), Tue 8h, Wed 6h -> Wed 15:00. b: from Tue 09:00 -> calendar Wed
    # 01:00, working Wed 17:00. c: from Wed 13:00 -> calendar Thu 05:00, working Fri 13:00.
    for case_id, accepted in (("a", _london(8, 15)), ("b", _london(12, 9)), ("c", _london(13, 13))):
        case = office.new_case(case_id, {"urgent": False, "score": 1}, at=START)
        case.fire("accept", at=accepted, by=DESK)
        store.create(case)

    def overdue(now: datetime, clock: str, limit: int = 100) -> list[str]:
        seen, after = [], None
        while True:
            page = store.worklist(overdue=True, now=now, clock=clock, limit=limit, after=after)
            seen.extend(i.case_id for i in page.items)
            if page.next is None:
                return seen
            after = page.next

    assert overdue(_london(9, 12), "calendar") == ["a"]
    assert overdue(_london(9, 12), "working") == []
    assert overdue(_london(13, 14, 59), "working") == []
    assert overdue(_london(13, 15), "working") == ["a"]
    assert overdue(_london(13, 17), "working") == ["a", "b"]
    thursday = _london(14, 12)
    assert overdue(thursday, "calendar") == ["a", "b", "c"]
    for limit in (1, 2, 100):  # paging over candidates the working clock turns down
        assert overdue(thursday, "working", limit) == ["a", "b"]
    assert overdue(_london(15, 13), "working") == ["a", "b", "c"]
    # waiting longer than 10 hours: a's tenth working hour ends Tuesday 17:00
    ten = timedelta(hours=10)
    tuesday = store.worklist(waiting_over=ten, now=_london(12, 16, 59), clock="working")
    assert [i.case_id for i in tuesday.items] == []
    tuesday = store.worklist(waiting_over=ten, now=_london(12, 17), clock="working")
    assert [i.case_id for i in tuesday.items] == ["a"]
    saturday = store.worklist(waiting_over=ten, now=_london(9, 1), clock="calendar")
    assert [i.case_id for i in saturday.items] == ["a"]
    # a declared due time is an instant: the same on both clocks
    stored = store.load("c")
    store.save(stored.case, stored.revision, due=_london(13, 14))
    assert overdue(_london(13, 14), "calendar") == ["a", "b", "c"]
    assert overdue(_london(13, 14), "working") == ["c"]
    # the loop's own steps have no calendar: working time is calendar time there
    started(store, "plain")
    plain = store.load("plain")
    plain.case.fire("accept", at=_london(8, 15), by=DESK)
    store.save(plain.case, plain.revision)
    assert "plain" in overdue(_london(10, 15), "working")
    with pytest.raises(StoreError, match="clock must be"):
        store.worklist(overdue=True, now=thursday, clock="wall")


def test_worklists_page_through_every_case_once(store: Store) -> None:
    for index in range(23):
        started(store, f"p{index:02d}")
    seen, after = [], None
    while True:
        page = store.worklist(step="intake", limit=5, after=after)
        seen.extend(i.case_id for i in page.items)
        if page.next is None:
            break
        after = page.next
    assert seen == sorted(f"p{i:02d}" for i in range(23))
    seen, after = [], None
    now = START + timedelta(days=1)
    while True:
        page = store.worklist(waiting_over=timedelta(0), now=now, limit=4, after=after)
        seen.extend(i.case_id for i in page.items)
        if page.next is None:
            break
        after = page.next
    assert sorted(seen) == sorted(set(seen))


# -- concurrency and crashes -------------------------------------------------------------


def test_processes_racing_on_the_same_cases_lose_nothing(store: Store, url: str) -> None:
    cases = [started(store, f"r{i}").case_id for i in range(3)]
    before = store.count_events()
    workers = [
        subprocess.Popen(
            [sys.executable, WORKER, "fire", url, str(seed), "40", *cases],
            stdout=subprocess.PIPE,
            text=True,
        )
        for seed in range(4)
    ]
    results = [json.loads(w.communicate(timeout=300)[0]) for w in workers]
    assert all(w.returncode == 0 for w in workers)
    accepted = sum(r["accepted"] for r in results)
    conflicts = sum(r["conflicts"] for r in results)
    assert sum(r["saves"] for r in results) + conflicts == 4 * 40
    assert store.count_events() == before + accepted
    for case_id in cases:  # the chain and replay check every stored event, once each
        stored = store.load(case_id)
        assert stored.revision == len(stored.case.journal)
    print(f"accepted {accepted} events, {conflicts} conflicts")


@pytest.mark.slow
def test_a_writer_killed_mid_append_leaves_a_consistent_store(store: Store, url: str) -> None:
    started(store, "k1")
    # the last round runs long enough for the SQLite backend's checkpoint thread to start
    for wanted in (5, 8, 11, 14, 17, 250):
        writer = subprocess.Popen(
            [sys.executable, WORKER, "append", url, "k1"], stdout=subprocess.PIPE, text=True
        )
        assert writer.stdout is not None
        committed = [int(writer.stdout.readline()) for _ in range(wanted)]
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        with open_store(url) as reopened:
            stored = reopened.load("k1")
            assert stored.revision >= committed[-1]
            assert stored.revision == len(stored.case.journal) == reopened.count_events()


def test_sqlite_checkpoints_in_a_thread_of_its_own_that_stops_on_close(tmp_path: Path) -> None:
    path = str(tmp_path / "cases.db")
    before = set(threading.enumerate())
    with open_store(path) as store:
        store.publish(loop())
        case = started(store)
        revision = 1
        for _ in range(2 * _NUDGE_EVERY):
            next_move(case, later(case))
            revision = store.save(case, revision)
        running = [t for t in set(threading.enumerate()) - before if t.name.endswith("checkpoint")]
        assert [t.name for t in running] == ["pathway-store-checkpoint"]
        # the writer's own checkpoint is now only the backstop
        assert store._db.query("PRAGMA wal_autocheckpoint") == [(10_000,)]
    assert not running[0].is_alive()
    with open_store(path) as reopened:
        assert list(reopened.load("c1").case.journal) == list(case.journal)
        assert reopened.count_events() == revision


# -- schema upgrade and bad databases ------------------------------------------------------


def test_an_older_schema_is_upgraded_and_its_new_columns_recomputed(url: str) -> None:
    with open_store(url) as store:
        store.publish(loop())
        started(store)
        stored = store.load("c1")
        stored.case.fire("accept", at=later(stored.case), by=DESK)
        store.save(stored.case, stored.revision)
        before = store.worklist(step="waiting").items
        db = store._db
        for index in ("role", "worker", "waiting", "due", "checkpoint", "version"):
            db.execute(f"DROP INDEX cases_{index}")
        for column in ("checkpoint", "due_at", "due_declared"):
            db.execute(f"ALTER TABLE cases DROP COLUMN {column}")
        db.execute("UPDATE pathway_store SET value = '1' WHERE key = 'schema_version'")
        assert store.schema_version == 1
    with open_store(url) as upgraded:
        assert upgraded.schema_version == SCHEMA_VERSION
        assert upgraded.worklist(step="waiting").items == before
        assert before[0].due_at is not None


def test_a_newer_schema_is_refused_and_left_alone(url: str) -> None:
    with open_store(url) as store:
        store._db.execute("UPDATE pathway_store SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version 99, newer than"):
        open_store(url)


def test_a_foreign_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE patients (id INTEGER)")
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()
    with pytest.raises(StoreError, match=r"not a pathway case store .*nothing was changed"):
        open_store(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == mode
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"patients"}


def test_a_file_that_is_not_a_database_is_refused_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"not a database at all, " * 100)
    with pytest.raises(StoreError, match="not a SQLite database"):
        open_store(path)
    assert path.read_bytes() == b"not a database at all, " * 100


def test_a_tampered_event_row_is_named(store: Store) -> None:
    case = started(store)
    stored = store.load("c1")
    for _ in range(3):
        next_move(stored.case, later(stored.case))
    store.save(stored.case, stored.revision)
    store._db.execute(
        "UPDATE events SET event = replace(event, '\"score\":1', '\"score\":2') "
        "WHERE case_id = 'c1' AND seq = 0"
    )
    with pytest.raises(ReplayError, match=r"case 'c1': event 0 \(case_started\): the chain"):
        store.load("c1")
    assert case.case_id == "c1"


def test_bad_urls_are_store_errors(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="unknown kind of database 'mysql'"):
        open_store("mysql://x/y")
    with pytest.raises(StoreError, match="is a folder"):
        open_store(tmp_path)
    with pytest.raises(StoreError, match="unknown option 'mode'"):
        open_store(f"sqlite:///{tmp_path}/x.db?mode=ro")


# -- roll-in -----------------------------------------------------------------------------

MAP = "steps:\n  intake: intake\n  waiting: queue\n  review: review\n  decide: decide\n"


def test_roll_in_moves_open_cases_and_the_journal_replays_across_versions(store: Store) -> None:
    for index in range(4):
        case = started(store, f"m{index}")
        stored = store.load(case.case_id)
        for _ in range(index):
            next_move(stored.case, later(stored.case))
        store.save(stored.case, stored.revision)
    v2 = pathway.load(LOOP_V2_YAML)
    when = START + timedelta(days=3)
    dry = migrate_cases(store, v2, load_step_map(MAP), at=when, dry_run=True)
    assert dry.moved == ("m0", "m1", "m2", "m3")
    assert store.load("m1").case.pathway.version == "1"  # a dry run changes nothing
    report = migrate_cases(store, v2, load_step_map(MAP), at=when)
    assert report.moved == dry.moved
    for case_id in report.moved:
        moved = store.load(case_id)
        assert moved.case.pathway.version == "2"
        assert moved.case.journal[-1].kind == "migrated"
        next_move(moved.case, later(moved.case))
        store.save(moved.case, moved.revision)
        assert list(store.load(case_id).case.journal) == list(moved.case.journal)
    assert store.load("m1").case.state == "review"  # queue -> seen -> review on v2
    with pytest.raises(ReplayError, match="migrated"):
        pathway.Case.from_json(v2, store.load("m1").case.to_json())


def test_roll_in_refuses_unmapped_steps_unknown_targets_and_undeclared_facts(
    store: Store,
) -> None:
    started(store, "u1")
    stored = store.load("u1")
    next_move(stored.case, later(stored.case))
    store.save(stored.case, stored.revision)
    v2 = pathway.load(LOOP_V2_YAML)
    when = START + timedelta(days=3)
    partial = load_step_map("steps:\n  intake: intake\n")
    dry = migrate_cases(store, v2, partial, at=when, dry_run=True)
    assert dry.blocked == (("u1", "it is at step 'waiting', which the step map does not map"),)
    with pytest.raises(MigrationError, match="1 of 1 open cases cannot move"):
        migrate_cases(store, v2, partial, at=when)
    with pytest.raises(MigrationError, match="'waiting' maps to 'nowhere', which is not a step"):
        migrate_cases(store, v2, load_step_map("steps:\n  waiting: nowhere\n"), at=when)
    with pytest.raises(MigrationError, match="an outcome"):
        migrate_cases(store, v2, load_step_map("steps:\n  waiting: closed\n"), at=when)
    with pytest.raises(MigrationError, match="'ghost' is not a step of the version"):
        migrate_cases(store, v2, load_step_map("steps:\n  ghost: queue\n"), at=when)
    v3 = pathway.load(LOOP_V3_YAML)
    dry3 = migrate_cases(store, v3, load_step_map(MAP), at=when, dry_run=True)
    assert "unknown fact 'score'" in dry3.blocked[0][1]
    assert store.load("u1").case.pathway.version == "1"
    with pytest.raises(MigrationError, match="'steps'"):
        load_step_map("stepz:\n  a: b\n")
