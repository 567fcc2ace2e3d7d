"""``pathway cases``: publish, list, show, export (read back by ``pathway report``),
migrate with a dry run; mistakes are one line with the documented exit code."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from pathway.cli import main
from pathway.io import read_log
from pathway.store import open_store
from store_support import LOOP_V2_YAML, LOOP_YAML, START, later, loop, next_move


@pytest.fixture
def db(tmp_path: Path) -> str:
    (tmp_path / "loop.yaml").write_text(LOOP_YAML, encoding="utf-8")
    (tmp_path / "loop2.yaml").write_text(LOOP_V2_YAML, encoding="utf-8")
    url = str(tmp_path / "cases.db")
    assert main(["cases", "--db", url, "publish", str(tmp_path / "loop.yaml")]) == 0
    with open_store(url) as store:
        for index in range(3):
            case = loop().new_case(f"c{index}", {"urgent": True, "score": index}, at=START)
            for _ in range(index):
                next_move(case, later(case))
            store.create(case)
    return url


def test_list_show_and_json(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cases", "--db", db, "list", "--at", "waiting"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("c1  waiting  role=nurse")
    assert "c0" not in out
    now = (START + timedelta(days=3)).isoformat()
    assert main(["cases", "--db", db, "list", "--overdue", "--now", now, "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [c["case_id"] for c in listed["cases"]] == ["c1"]
    # the loop declares no calendars: working time is calendar time
    assert main(["cases", "--db", db, "list", "--overdue", "--working-time", "--now", now]) == 0
    assert capsys.readouterr().out.startswith("c1  waiting")
    early = (START + timedelta(hours=1)).isoformat()
    assert main(["cases", "--db", db, "list", "--overdue", "--working-time", "--now", early]) == 0
    assert capsys.readouterr().out == "no cases\n"
    assert main(["cases", "--db", db, "list", "--limit", "1"]) == 0
    assert "more: --after 'c0|c0'" in capsys.readouterr().out
    assert main(["cases", "--db", db, "show", "c2"]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("case c2: at review (finished: False)")
    assert "transitioned" in shown


def test_export_is_read_by_report(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "log.csv"
    assert main(["cases", "--db", db, "export", "-o", str(log)]) == 0
    with open_store(db) as store:
        stored = store.count_events()
        journals = [e for c in store.case_ids() for e in store.journal(c)]
    assert f"wrote {stored} events" in capsys.readouterr().out
    read = read_log(log)
    assert len(read) == stored
    assert sorted(read.case_ids) == ["c0", "c1", "c2"]
    assert sorted(read.to_events(), key=repr) == sorted(journals, key=repr)
    assert main(["report", str(tmp_path / "loop.yaml"), "--events", str(log)]) == 0
    assert "3 cases" in capsys.readouterr().out


def test_migrate_dry_run_then_real(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text("steps:\n  intake: intake\n  waiting: queue\n", encoding="utf-8")
    new = str(tmp_path / "loop2.yaml")
    now = (START + timedelta(days=3)).isoformat()
    args = ["cases", "--db", db, "migrate", "--to", new, "--map", str(mapping), "--now", now]
    assert main([*args, "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert "would move 2 case(s)" in out
    assert "cannot move c2: it is at step 'review', which the step map does not map" in out
    assert main(args) == 1
    assert "none was moved" in capsys.readouterr().err
    mapping.write_text(mapping.read_text() + "  review: review\n", encoding="utf-8")
    assert main(args) == 0
    assert "moved 3 case(s) to loop version 2" in capsys.readouterr().out
    with open_store(db) as store:
        assert {store.load(c).case.pathway.version for c in store.case_ids()} == {"2"}


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["show", "nope"], 1, "no case 'nope'"),
        (["list", "--waiting-over", "3q"], 2, "--waiting-over"),
        (["list", "--now", "yesterday"], 2, "--now: 'yesterday' is not a time"),
        (["list", "--limit", "0"], 2, "--limit must be between"),
        (["migrate", "--to", "missing.yaml", "--map", "m.yaml"], 2, "missing.yaml"),
    ],
)
def test_mistakes_are_one_line(
    db: str, argv: list[str], code: int, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cases", "--db", db, *argv]) == code
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_a_foreign_database_is_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.db"
    bad.write_text("hello", encoding="utf-8")
    assert main(["cases", "--db", str(bad), "list"]) == 1
    assert "not a SQLite database" in capsys.readouterr().err
    assert bad.read_text(encoding="utf-8") == "hello"
