"""Running the runnable examples in ``examples/`` as a user would: a fresh Python
process from the repository root, its output captured."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_example(script: str) -> list[str]:
    """The lines ``examples/<script>`` prints; fails the test (with its stderr) when the
    script does not exit 0."""
    result = subprocess.run(
        [sys.executable, f"examples/{script}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()
