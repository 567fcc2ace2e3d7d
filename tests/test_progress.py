"""Progress on the long commands: drawn on a terminal, silent in a pipe, in CI and with
``--quiet``, and never on standard output.

Each command runs as a real process: once with its standard error on a pseudo-terminal
(``pty``), once with it on a pipe. Standard output goes to a file both times and must be
the same bytes; only the terminal run may write anything to standard error.
"""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pathway.cli._progress import Progress, command_progress, progress_wanted

pytest.importorskip("numpy")
pytest.importorskip("rich")

ROOT = Path(__file__).resolve().parents[1]
HUB_2017 = str(ROOT / "pathways" / "recovery-hub-2017.yaml")
HUB_2018 = str(ROOT / "pathways" / "recovery-hub-2018.yaml")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")
TIMEOUT = 300
OUTPUTS = ("terminal.out", "pipe.out")
# `simulate` prints how long it ran ("...; 0.4 s (compiled kernel)"): not part of the output
# compared between the two runs.
SECONDS = re.compile(r"\d+\.\d s \(")


def _untimed(text: str) -> str:
    return SECONDS.sub("N s (", text)


def _environment(**extra: str) -> dict[str, str]:
    """The test's environment without CI (CI sets it), a real terminal type, plus ``extra``."""
    environment = {k: v for k, v in os.environ.items() if k not in {"CI", "NO_COLOR"}}
    environment.update(TERM="xterm-256color", PYTHONUNBUFFERED="1", **extra)
    return environment


def _on_terminal(args: list[str], stdout: Path, **env: str) -> tuple[int, str]:
    """Run ``pathway ARGS`` with stderr on a pseudo-terminal: exit code and what it drew."""
    main, replica = pty.openpty()
    with stdout.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "pathway", *args],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=replica,
            env=_environment(**env),
        )
    os.close(replica)
    drawn = bytearray()
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the terminal closed: the process has exited
            break
        if not chunk:
            break
        drawn += chunk
    os.close(main)
    code = process.wait(timeout=TIMEOUT)
    return code, drawn.decode("utf-8", "replace")


def _in_pipe(args: list[str], stdout: Path) -> tuple[int, str]:
    """Run ``pathway ARGS`` with stderr on a pipe: exit code and its stderr."""
    with stdout.open("wb") as out:
        done = subprocess.run(
            [sys.executable, "-m", "pathway", *args],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.PIPE,
            env=_environment(),
            timeout=TIMEOUT,
            check=False,
        )
    return done.returncode, done.stderr.decode("utf-8", "replace")


def _check(tmp_path: Path, args: list[str], shown: str, after: str = "") -> tuple[str, str]:
    """Progress reading ``shown`` on a terminal only; stdout the same either way; in a
    pipe stderr holds only ``after`` (the command's own messages)."""
    code, drawn = _on_terminal(args, tmp_path / "terminal.out")
    assert code == 0, drawn
    piped_code, piped_err = _in_pipe(args, tmp_path / "pipe.out")
    assert piped_code == 0, piped_err
    assert piped_err == after
    assert shown in ANSI.sub("", drawn), drawn
    same = [_untimed((tmp_path / name).read_text(encoding="utf-8")) for name in OUTPUTS]
    assert same[0] == same[1]
    assert (tmp_path / "pipe.out").stat().st_size > 0 or args[0] == "export"
    return drawn, piped_err


def test_report_simulate_shows_progress_on_a_terminal_only(tmp_path: Path) -> None:
    args = ["report", HUB_2017, "--simulate", "300", "--seed", "2"]
    drawn, _ = _check(tmp_path, args, "simulating 300 cases")
    plain = ANSI.sub("", drawn)
    # the journeys are measured block by block as they are simulated: no stage of its own
    assert "measuring the journeys" not in plain
    assert plain.index("simulating 300 cases") < plain.index("writing the report")


def test_quiet_draws_nothing_on_a_terminal(tmp_path: Path) -> None:
    args = ["report", HUB_2017, "--simulate", "300", "--seed", "2", "--quiet"]
    code, drawn = _on_terminal(args, tmp_path / "out")
    assert code == 0
    assert drawn == ""


@pytest.mark.slow
def test_ci_draws_nothing_on_a_terminal(tmp_path: Path) -> None:
    args = ["simulate", HUB_2017, "-n", "300"]
    code, drawn = _on_terminal(args, tmp_path / "out", CI="true")
    assert code == 0
    assert drawn == ""
    assert "300 cases" in (tmp_path / "out").read_text(encoding="utf-8")


@pytest.mark.slow
def test_simulate_shows_progress_on_a_terminal_only(tmp_path: Path) -> None:
    _check(tmp_path, ["simulate", HUB_2017, "-n", "300"], "simulating recovery-hub-2017.yaml")


@pytest.mark.slow
def test_diff_shows_progress_on_a_terminal_only(tmp_path: Path) -> None:
    html = tmp_path / "diff.html"
    args = ["diff", HUB_2017, HUB_2018, "-n", "300", "--html", str(html)]
    _check(tmp_path, args, "simulating 300 people through both pathways", f"wrote {html}\n")


@pytest.mark.slow
def test_reading_a_log_shows_progress_on_a_terminal_only(tmp_path: Path) -> None:
    log = tmp_path / "events.parquet"
    code, err = _in_pipe(
        ["simulate", HUB_2017, "-n", "200", "--events", str(log)], tmp_path / "sim.out"
    )
    assert code == 0, err
    _check(tmp_path, ["conform", HUB_2017, str(log)], "reading events.parquet")
    out = tmp_path / "events.xes"
    drawn, _ = _check(
        tmp_path,
        ["export", str(log), "-o", str(out), "--pathway", HUB_2017],
        "reading events.parquet",
        f"wrote {out} (200 cases)\n",
    )
    assert f"wrote {out} (200 cases)" in drawn  # the command's own message, as in a pipe


def test_progress_is_wanted_only_on_a_terminal_outside_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Terminal:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert progress_wanted(quiet=False)
    assert not progress_wanted(quiet=True)
    monkeypatch.setenv("CI", "true")
    assert not progress_wanted(quiet=False)


def test_hidden_progress_writes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with command_progress(quiet=True) as progress:
        assert isinstance(progress, Progress)
        assert not progress.shown
        progress.stage("working")
        progress.update(3, 10)
    assert capsys.readouterr() == ("", "")
