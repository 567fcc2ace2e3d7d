"""``pathway simulate`` (its parser and runner, as the CLI wires them)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from pathway._cli_simulate import add_simulate_parser, run_simulate

pytest.importorskip("numpy")
PATHWAYS = Path(__file__).resolve().parent.parent / "pathways"


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="pathway")
    add_simulate_parser(parser.add_subparsers(dest="command"))
    return run_simulate(parser.parse_args(["simulate", *argv]))


def test_simulate_prints_a_summary_and_writes_events(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "events.csv"
    code = run(str(PATHWAYS / "recovery-hub-2017.yaml"), "-n", "200", "--seed", "3",
               "--events", str(log), "--no-progress")  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0
    assert "end_to_end_days" in out
    assert "200 cases" in out
    assert log.exists()
    assert "written to" in err


def test_simulate_with_replications_on_workers(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(str(PATHWAYS / "recovery-hub-2018.yaml"), "-n", "200", "-r", "2",
               "--workers", "2", "--no-progress")  # fmt: skip
    assert code == 0
    assert "95% CI" in capsys.readouterr().out


def test_missing_file_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("no-such.yaml") == 2
    assert "no such file" in capsys.readouterr().err


def test_fidelity_table(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(str(PATHWAYS / "recovery-hub-2017.yaml"), str(PATHWAYS / "recovery-hub-2018.yaml"),
               "--fidelity", "-n", "2000")  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "contact to assessment" in out
    assert "2018 (Roll-in)" in out


def test_missing_numpy_names_the_sim_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    from pathway._sim import _api
    from pathway.errors import MissingExtraError

    real = importlib.import_module

    def without_numpy(name: str, *args: object) -> object:
        if name == "numpy":
            raise ImportError(name)
        return real(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(_api.importlib, "import_module", without_numpy)
    with pytest.raises(MissingExtraError, match=r"carepathway\[sim\]"):
        _api.simulate(PATHWAYS / "recovery-hub-2017.yaml", cases=10)
