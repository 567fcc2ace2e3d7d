"""``pathway simulate`` (its parser and runner, as the CLI wires them)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import pathway
from pathway.cli import main

pytest.importorskip("numpy")
PATHWAYS = Path(__file__).resolve().parent.parent / "pathways"


def run(*argv: str) -> int:
    return main(["simulate", *argv])


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


def test_fidelity_runs_each_file_and_prints_only_model_against_observed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = run(str(PATHWAYS / "recovery-hub-2017.yaml"), str(PATHWAYS / "recovery-hub-2018.yaml"),
               "--fidelity", "-n", "2000")  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert out.count("Model against observed") == 2
    assert "Full assessment" in out
    assert "Redesign and Roll-in, 2018" in out
    assert "end_to_end_days" not in out  # no summary table


def test_simulate_prints_model_against_observed_for_a_file_with_figures(
    capsys: pytest.CaptureFixture[str],
) -> None:
    hub = pathway.load(PATHWAYS / "recovery-hub-2017.yaml")
    assert run(str(PATHWAYS / "recovery-hub-2017.yaml"), "-n", "1500", "-q") == 0
    out = capsys.readouterr().out
    assert out.index("end_to_end_days") < out.index("Model against observed")
    for figure in hub.observed:
        assert figure.source in out


WITHOUT_NUMPY = "import sys\nsys.modules['numpy'] = None\n"


def test_missing_numpy_names_the_sim_extra() -> None:
    script = WITHOUT_NUMPY + (
        "import pathway\n"
        "try:\n"
        "    pathway.simulate\n"
        "except pathway.MissingExtraError as error:\n"
        "    print(error)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "carepathway[sim]" in done.stdout


def test_the_cli_names_the_missing_extra_in_one_line() -> None:
    hub = str(PATHWAYS / "recovery-hub-2017.yaml")
    script = WITHOUT_NUMPY + f"from pathway.cli import main\nsys.exit(main(['simulate', {hub!r}]))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "pathway: error: pathway simulate needs the optional dependency 'numpy'; "
        "install it with: pip install 'carepathway[sim]'"
    ]
