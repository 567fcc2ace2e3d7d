"""The ``pathway`` command, run as the installed console script (no shell)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from shared_pathways import MINI_YAML

MINI = MINI_YAML
# fmt: on
WARNING_FREE = MINI.replace('age >= 18", p: 0.6}', 'age >= 18", p: 0.6, wait: 2d}')
# two mistakes: a misspelled step on line 24 (column 31), an undeclared fact on line 25
INVALID = MINI.replace("from: assess,", "from: asess,").replace("and age", "and agee")

SCRIPT = shutil.which("pathway", path=str(Path(sys.executable).parent)) or shutil.which("pathway")


def run(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert SCRIPT is not None, "the 'pathway' console script is not installed"
    result = subprocess.run(
        [SCRIPT, *arguments], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "mini.yaml").write_text(MINI, encoding="utf-8")
    (tmp_path / "clean.yaml").write_text(WARNING_FREE, encoding="utf-8")
    (tmp_path / "invalid.yaml").write_text(INVALID, encoding="utf-8")
    (tmp_path / "binary.yaml").write_bytes(b"id: x\x00\x01\x02")
    return tmp_path


def test_the_console_script_is_installed() -> None:
    assert SCRIPT is not None
    assert Path(SCRIPT).name == "pathway"


# ----------------------------------------------------------------------- validate


def test_validate_valid_files(files: Path) -> None:
    result = run("validate", "clean.yaml", "mini.yaml", cwd=files)
    assert result.returncode == 0
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "clean.yaml: valid"
    assert lines[1].startswith("mini.yaml:25:5: warning[handoff-without-wait] transitions[2]: ")
    assert lines[2] == "mini.yaml: valid (1 warnings)"
    assert len(lines) == 3


def test_validate_an_invalid_file_lists_every_error_with_its_position(files: Path) -> None:
    result = run("validate", "invalid.yaml", cwd=files)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if ": error[" in line]
    assert errors == [
        "invalid.yaml:24:31: error[unknown-reference] transitions[1].from: unknown step 'asess'; "
        "expected one of 'advice', 'assess', 'contact', 'doctor', 'done', 'plan'; "
        "did you mean 'assess'?",
        "invalid.yaml:25:80: error[undeclared-name] transitions[2].when: fact 'agee' is not "
        "declared; expected one of age, needs_prescribing; did you mean 'age'?",
    ]


def test_validate_a_missing_file_or_a_directory_is_a_usage_error(files: Path) -> None:
    (files / "folder").mkdir()
    result = run("validate", "no-such.yaml", "folder", cwd=files)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith("no-such.yaml: error[file-not-found] file not found: no-such.yaml")
    assert lines[1] == "folder: error[not-a-file] folder is a directory, not a pathway file"


def test_validate_checks_every_file_and_names_a_binary_one(files: Path) -> None:
    result = run("validate", "clean.yaml", "binary.yaml", "invalid.yaml", cwd=files)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "clean.yaml: valid"
    assert lines[1].startswith("binary.yaml:1:6: error[binary] ")
    assert lines[2].startswith("invalid.yaml:24:31: error[unknown-reference] ")


def test_validate_json_output(files: Path) -> None:
    result = run(
        "validate", "--format", "json", "invalid.yaml", "mini.yaml", "gone.yaml", cwd=files
    )
    assert result.returncode == 2  # the missing file decides
    reports = json.loads(result.stdout)
    assert [(r["file"], r["valid"], r["missing"]) for r in reports] == [
        ("invalid.yaml", False, False),
        ("mini.yaml", True, False),
        ("gone.yaml", False, True),
    ]
    first = reports[0]["errors"][0]
    assert (first["line"], first["column"], first["code"]) == (24, 31, "unknown-reference")
    assert first["field"] == "transitions[1].from"
    assert first["suggestion"] == "did you mean 'assess'?"
    assert first["severity"] == "error"
    assert [e["line"] for e in reports[0]["errors"]] == [24, 25]
    assert [w["code"] for w in reports[1]["warnings"]] == ["handoff-without-wait"]
    assert reports[1]["errors"] == []
    assert reports[2]["errors"][0]["code"] == "file-not-found"


def test_strict_turns_warnings_into_failure(files: Path) -> None:
    assert run("validate", "--strict", "mini.yaml", cwd=files).returncode == 1
    assert run("validate", "--strict", "clean.yaml", cwd=files).returncode == 0


# ----------------------------------------------------------------------- show


def test_show_prints_the_nominal_path_visits_and_handoffs(files: Path) -> None:
    result = run("show", "mini.yaml", cwd=files)
    assert result.returncode == 0
    out = result.stdout
    assert out.startswith("Mini\n  id mini, version 1, hash ")
    assert "  contact -> assess -> plan -> doctor -> done\n" in out
    assert "  visits: 3\n" in out
    assert "  hand-offs: 2 (1 team, 1 organisation)\n" in out
    assert "  hand-off: contact -> assess (team: duty -> worker, wait uniform 1d to 5d)\n" in out
    assert "  touch time: 1h 45m\n" in out  # 10m + 1h + 5m + 30m
    assert "Work classes (steps)\n  value 4 (100%)" in out
    assert "plan_check: PLAN decision at plan" in out


def test_show_mermaid(files: Path) -> None:
    result = run("show", "--mermaid", "mini.yaml", cwd=files)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "flowchart LR"
    assert '  done(("done"))' in lines
    assert '    plan{"plan: plan_check"}' in lines  # in its owner's lane
    assert '  subgraph lane_worker["worker (recovery, hub)"]' in lines
    # edges carry the chance, the wait in words and the hand-off level
    assert (
        '  contact -. "refer · wait 1 d to 5 d (next appointment) · hand-off: team" .-> assess'
        in lines
    )
    assert '  plan -. "see_doctor · p 0.6 · hand-off: organisation" .-> doctor' in lines
    # a checkpoint's routes to one step share one edge, labelled with their conditions
    assert (
        '  plan -- "plan_check: not legal / not accountable / not necessary · p 0" --> advice'
        in lines
    )
    assert '  plan -. "plan_check: proceed · hand-off: organisation" .-> doctor' in lines
    assert len(lines) == 1 + 3 * 2 + 4 + 2 + 5 + 3


def test_mermaid_renames_steps_called_like_mermaid_keywords() -> None:
    import pathway
    from pathway._report._pathway_text import mermaid

    text = MINI.replace("done", "end")
    lines = mermaid(pathway.load(text)).splitlines()
    assert '  end_step(("end"))' in lines
    assert '  doctor -- "prescribe" --> end_step' in lines


def test_show_an_invalid_file(files: Path) -> None:
    result = run("show", "invalid.yaml", cwd=files)
    assert result.returncode == 1
    assert "invalid.yaml:24:31: error[unknown-reference]" in result.stderr
    assert result.stdout == ""


def test_show_a_missing_file(files: Path) -> None:
    result = run("show", "gone.yaml", cwd=files)
    assert result.returncode == 2
    assert result.stderr.startswith("pathway: error: file not found: gone.yaml")


# ----------------------------------------------------------------------- schema


def test_schema_prints_json_schema(files: Path) -> None:
    result = run("schema", cwd=files)
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "steps" in schema["required"]
    assert "transitions" in schema["properties"]


def test_schema_to_a_file(files: Path) -> None:
    import pathway

    result = run("schema", "-o", "schema.json", cwd=files)
    assert result.returncode == 0
    assert result.stdout == ""
    written = json.loads((files / "schema.json").read_text(encoding="utf-8"))
    assert written == pathway.json_schema()


def test_schema_to_a_file_that_cannot_be_written(files: Path) -> None:
    result = run("schema", "-o", "no/such/dir/schema.json", cwd=files)
    assert result.returncode == 2
    assert result.stderr.startswith("pathway: error: cannot write no/such/dir/schema.json")


def test_a_reader_that_goes_away_gives_no_traceback(files: Path) -> None:
    # like 'pathway schema | head -1': the pipe is closed before the command writes
    assert SCRIPT is not None
    process = subprocess.Popen(
        [SCRIPT, "schema"], cwd=files, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.close()
    errors = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert "Traceback" not in errors
    assert errors == ""


# ----------------------------------------------------------------------- usage


@pytest.mark.parametrize(
    "arguments",
    [
        [],
        ["frobnicate"],
        ["validate"],
        ["validate", "--format", "xml", "x.yaml"],
        ["show"],
        ["--nope"],
    ],
)
def test_usage_errors_exit_2(files: Path, arguments: list[str]) -> None:
    result = run(*arguments, cwd=files)
    assert result.returncode == 2
    assert "usage: pathway" in result.stderr


def test_help_exits_0(files: Path) -> None:
    result = run("--help", cwd=files)
    assert result.returncode == 0
    assert "validate" in result.stdout


HUB = Path(__file__).resolve().parents[1] / "pathways" / "recovery-hub-2018.yaml"


def test_report_on_a_pathway_without_arrivals_is_one_line(files: Path) -> None:
    result = run("report", "mini.yaml", "--simulate", "5", cwd=files)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    # a mistake in the file: named by file and field, like every definition error
    assert lines[0].startswith(
        "mini.yaml: error[cannot-simulate] arrivals: pathway 'mini' declares no arrivals"
    )


def test_version_and_python_dash_m(files: Path) -> None:
    import pathway

    assert run("--version", cwd=files).stdout.strip() == f"pathway {pathway.__version__}"
    result = subprocess.run(
        [sys.executable, "-m", "pathway", "validate", "mini.yaml"],
        cwd=files,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert "mini.yaml: valid" in result.stderr


def test_every_option_has_help(files: Path) -> None:
    from pathway.cli._parser import build_parser

    parser = build_parser("test")
    commands = next(a for a in parser._actions if a.dest == "command")
    for name, sub in commands.choices.items():  # type: ignore[union-attr]
        for action in sub._actions:
            assert action.help, f"pathway {name} {action.option_strings or action.dest}"


@pytest.mark.parametrize(
    "command",
    [
        ["schema"],
        ["report", str(HUB), "--simulate", "5"],
        ["diff", "mini.yaml", "mini.yaml", "--no-simulate"],
    ],
)
def test_an_unwritable_output_is_the_same_usage_error_everywhere(
    files: Path, command: list[str]
) -> None:
    result = run(*command, "-o", "no/such/dir/out.txt", cwd=files)
    assert result.returncode == 2
    assert result.stderr.startswith("pathway: error: cannot write no/such/dir/out.txt")


# -------------------------------------------------- bad values: one line, exit 2

_SIM = ["simulate", str(HUB), "--no-progress"]
_REPORT = ["report", str(HUB)]
_DIFF = ["diff", str(HUB), str(HUB)]


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        ([*_SIM, "-n", "0"], "-n/--cases must be at least 1, found 0"),
        ([*_SIM, "-n", "-5"], "-n/--cases must be at least 1, found -5"),
        ([*_SIM, "-n", "10000000000"], "-n/--cases must be at most 50,000,000"),
        ([*_SIM, "-r", "0"], "-r/--replications must be at least 1, found 0"),
        ([*_SIM, "--workers", "0"], "--workers must be at least 1, found 0"),
        ([*_SIM, "--seed", str(2**70)], "--seed must be smaller than 2**64"),
        ([*_SIM, "--start", "notadate"], "--start must be a date like 2017-10-02"),
        ([*_SIM, "--start", "1500-01-01"], "--start must be between 1677-09-23 and 2262-04-09"),
        ([*_SIM, "--warmup", "abc"], "--warmup: expected a duration"),
        ([*_SIM, "--horizon", "xyz"], "--horizon: expected a duration"),
        ([*_SIM, "--horizon", "0m"], "--horizon must be longer than 0"),
        ([*_SIM, "--warmup", "60w", "--horizon", "1w"], "--warmup 60w must be shorter"),
        ([*_SIM, "--warmup", "1w", "--horizon", "1w"], "--warmup 1w must be shorter"),
        ([*_SIM, "-n", "5", "--events", "no/such/dir/out.csv"], "cannot write no/such/dir"),
        ([*_SIM, "-n", "5", "--events", "out.txt"], "--events must end in .csv or .parquet"),
        ([*_REPORT, "--simulate", "0"], "--simulate must be at least 1, found 0"),
        ([*_REPORT, "--simulate", "-3"], "--simulate must be at least 1, found -3"),
        ([*_REPORT, "--simulate", "100000000"], "--simulate must be at most 50,000,000"),
        ([*_REPORT, "--simulate"], "--simulate needs a number of cases N, a --horizon, or both"),
        ([*_REPORT, "--horizon", "2w"], "--horizon applies only with --simulate"),
        ([*_REPORT, "--warmup", "1w", "-r", "2"], "--warmup, --replications apply only with"),
        ([*_REPORT, "--simulate", "5", "-r", "0"], "-r/--replications must be at least 1"),
        ([*_REPORT, "--simulate", "--horizon", "0m"], "--horizon must be longer than 0"),
        ([*_REPORT, "--simulate", "--horizon", "1w", "--warmup", "1w"], "--warmup 1w must be"),
        ([*_DIFF, "-n", "0"], "-n/--cases must be at least 2, found 0"),
        ([*_DIFF, "-n", "1"], "-n/--cases must be at least 2, found 1"),
        ([*_DIFF, "-r", "0"], "-r/--replications must be at least 1, found 0"),
        ([*_DIFF, "--replications", "-2"], "-r/--replications must be at least 1, found -2"),
    ],
)
def test_a_bad_value_is_one_line_and_exit_2(files: Path, arguments: list[str], said: str) -> None:
    result = run(*arguments, cwd=files)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1  # one line, no traceback (run checks that too)
    assert result.stderr.startswith(f"pathway: error: {said}"), result.stderr
    assert not (files / "out.txt").exists()


def test_a_warm_up_that_leaves_no_case_is_refused_not_nan(files: Path) -> None:
    result = run(*_SIM, "-n", "5", "--warmup", "52w", cwd=files)
    assert result.returncode == 1
    assert "nan" not in result.stdout.lower()
    assert result.stderr.strip().splitlines() == [
        "pathway: error: every one of the 5 simulated cases arrived during the warm-up "
        "('52w'), so none would be measured; simulate more cases or shorten the warm-up"
    ]


@pytest.mark.slow
def test_report_simulate_past_2262_reports(files: Path) -> None:
    """A cohort whose arrivals run past 2262 (the last time an event log file holds) is
    measured as the simulator runs, with no log file (it was an error before)."""
    result = run(*_REPORT, "--simulate", "400000", "--format", "json", cwd=files)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)["log"]
    assert info["cases"] == 400_000
    assert int(info["last_event"][:4]) > 2262
