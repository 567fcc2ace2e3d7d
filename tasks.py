#!/usr/bin/env python3
"""Project tasks that do their own set-up on a fresh machine with only Python 3.11+.

    python3 tasks.py main    the main job: diff the old and new Recovery Hub pathways
    python3 tasks.py test    lint (ruff), type-check (mypy --strict) and run the tests
    python3 tasks.py docs    build the documentation site into site/ (mkdocs --strict)

Each creates ``.venv`` and installs the project with its dev extra when needed (again
whenever ``pyproject.toml`` changes), then runs inside it. Standard library only.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if sys.platform == "win32" else "bin")
STAMP = VENV / ".carepathway-installed"


def run(*command: str) -> None:
    """Run a command from the repository root; exit with its code if it fails."""
    print("+", " ".join(command), flush=True)
    code = subprocess.call(command, cwd=ROOT)
    if code != 0:
        sys.exit(code)


def ensure_environment() -> None:
    """Create the virtual environment and install the project if needed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - tasks.py may be run by an older python3
        sys.exit(f"pathway needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print(f"+ creating {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    run(str(BIN / "python"), "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(str(BIN / "python"), "-m", "pip", "install", "--quiet", "-e", ".[dev]")
    STAMP.write_text(wanted)


def main_job() -> None:
    """Diff the shipped 2017 and 2018 Recovery Hub pathways; write the HTML page."""
    (ROOT / "report").mkdir(exist_ok=True)
    run(
        str(BIN / "pathway"),
        "diff",
        "pathways/recovery-hub-2017.yaml",
        "pathways/recovery-hub-2018.yaml",
        "--html",
        "report/recovery-hub-diff.html",
    )
    print("The HTML page is report/recovery-hub-diff.html", flush=True)


def test() -> None:
    """Lint, type-check and run the whole test suite: the default run, then the slow tests."""
    run(str(BIN / "ruff"), "check", "src", "tests", "benchmarks", "examples", "tasks.py")
    run(str(BIN / "ruff"), "format", "--check", "src", "tests")
    run(str(BIN / "mypy"), "--strict", "src/pathway")
    pytest = (str(BIN / "python"), "-m", "pytest", "-n", "2", "--dist", "worksteal", "-q")
    run(*pytest, "-p", "no:cacheprovider")  # the default suite (slow tests left out)
    run(*pytest, "-p", "no:cacheprovider", "-m", "slow")  # then the slow ones


def docs() -> None:
    """Build the documentation site into ``site/``; any broken link or reference fails it."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's banner about its successor
    run(str(BIN / "mkdocs"), "build", "--strict", "--quiet")
    print("The site is site/index.html", flush=True)


TASKS = {"main": main_job, "test": test, "docs": docs}


def cli() -> None:
    """``python3 tasks.py main|test``."""
    if len(sys.argv) != 2 or sys.argv[1] not in TASKS:
        sys.exit(f"usage: python3 tasks.py {{{'|'.join(TASKS)}}}")
    ensure_environment()
    TASKS[sys.argv[1]]()


if __name__ == "__main__":
    cli()
