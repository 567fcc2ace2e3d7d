"""Benchmark: ``pathway report`` on large inputs, whole process, wall time and peak memory.

    python -m benchmarks.report_bench [--cases N] [--log PATH] [--before SRC] [--runs R]

Runs, each in a fresh process under ``/usr/bin/time -v`` (peak resident memory of the
whole process):

* ``pathway report pathways/recovery-hub-2017.yaml --simulate N`` (default 1,000,000;
  targets: 60 s, 2 GB);
* ``pathway report pathways/recovery-hub-2017.yaml --events LOG`` on a Parquet log of
  about 10 million events (default ``/tmp/pathway-bench/ten_million.parquet``, made
  first with ``pathway simulate ... -n 210000 --start 1800-01-02`` when missing;
  targets: 30 s, 2 GB).

``--before SRC`` runs the same commands with another checkout's ``src`` first on the
path (e.g. ``git archive <commit> | tar -x -C /tmp/before`` then ``--before
/tmp/before/src``), in the same run, and prints the ratios. The load average is printed
before and after each command: other jobs on the machine slow every figure.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HUB = ROOT / "pathways" / "recovery-hub-2017.yaml"
TIME = "/usr/bin/time"


def load() -> str:
    """The 1-minute load average."""
    return Path("/proc/loadavg").read_text().split()[0]


def timed(args: list[str], src: str | None) -> tuple[float, float, int, float]:
    """Wall seconds, peak MB, exit status and CPU seconds (user + system) of
    ``python -m pathway ARGS``."""
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src
    command = [TIME, "-v", sys.executable, "-m", "pathway", *args]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", done.stderr)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    cpu = sum(
        float(found)
        for found in re.findall(r"(?:User|System) time \(seconds\): (\S+)", done.stderr)
    )
    if wall is None or peak is None:
        raise SystemExit(done.stderr[-2000:])
    parts = [float(p) for p in wall.group(1).split(":")]
    seconds = sum(p * 60 ** (len(parts) - 1 - i) for i, p in enumerate(parts))
    return seconds, int(peak.group(1)) / 1024, done.returncode, cpu


def ensure_log(path: Path) -> None:
    """Simulate the 10-million-event log when it is not there yet."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pathway", "simulate", str(HUB), "-n", "210000"]
    command += ["--seed", "1", "--start", "1800-01-02", "--events", str(path)]
    subprocess.run(command, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--log", default="/tmp/pathway-bench/ten_million.parquet")
    parser.add_argument("--before", metavar="SRC", help="another checkout's src, as the peer")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--skip-simulate", action="store_true")
    args = parser.parse_args()
    ensure_log(Path(args.log))
    rows = []
    if not args.skip_simulate:
        rows.append((f"report --simulate {args.cases:,}", ["--simulate", str(args.cases)]))
    rows.append((f"report --events {Path(args.log).name}", ["--events", args.log]))
    for title, extra in rows:
        command = ["report", str(HUB), *extra, "--format", "json", "-o", os.devnull]
        for run in range(args.runs):
            sides = [("now", None)] + ([("before", args.before)] if args.before else [])
            found = {}
            for side, src in sides:
                before = load()
                seconds, mb, status, cpu = timed(command, src)
                found[side] = seconds
                print(
                    f"{title} [{side}, run {run + 1}]: {seconds:.1f} s ({cpu:.1f} s CPU), "
                    f"peak {mb:,.0f} MB, "
                    f"exit {status}, load {before} -> {load()}",
                    flush=True,
                )
            if "before" in found:
                print(f"  ratio before / now: {found['before'] / found['now']:.2f}x")


if __name__ == "__main__":
    main()
