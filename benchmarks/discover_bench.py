"""Discovering a pathway from 1,000,000 events, on one core, beside pm4py's inductive miner.

Run: ``.venv/bin/python -m benchmarks.discover_bench`` (``--cases 2000`` for a smaller
run; pm4py comes from the ``dev`` or ``pm`` extra). The logs are written under
``--folder`` (default ``/tmp/pathway-discover-bench``) once and reused; keep them out of
git.

The log: the shipped 2017 Recovery Hub pathway simulated for ``--cases`` people (21,000
give about 1,060,000 journal events) and written as pathway's own Parquet; the same
steps exported for process miners (``pathway.io.export_log``, one row per step with its
start and end, about 270,000 rows for 21,000 cases) for pm4py.

Timed, each side in a fresh Python process with one thread (``OMP``/``NUMBA`` threads 1):

1. pathway: :func:`pathway.discover` on the Parquet log: read it, count it, fit every
   duration and calendar, write and validate the draft;
2. pm4py: read the exported Parquet with pandas, then ``discover_petri_net_inductive``
   (control flow only: no durations, resources, calendars or arrivals).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HUB = ROOT / "pathways" / "recovery-hub-2017.yaml"

PATHWAY_SIDE = """
import json, sys, time
began = time.perf_counter()
import pathway
found = pathway.discover(sys.argv[1])
seconds = time.perf_counter() - began
print(json.dumps({"seconds": seconds, "events": found.mined.events, "cases": found.mined.cases,
    "steps": len(found.pathway.steps), "moves": len(found.pathway.transitions)}))
"""

PM4PY_SIDE = """
import json, sys, time
began = time.perf_counter()
import pandas as pd
import pm4py
frame = pd.read_parquet(sys.argv[1])
frame = pm4py.format_dataframe(frame, case_id="case:concept:name",
    activity_key="concept:name", timestamp_key="time:timestamp")
net, initial, final = pm4py.discover_petri_net_inductive(frame)
seconds = time.perf_counter() - began
print(json.dumps({"seconds": seconds, "rows": len(frame), "transitions": len(net.transitions)}))
"""


def build(folder: Path, cases: int) -> tuple[Path, Path]:
    """The simulated log (pathway's Parquet) and its process-mining export."""
    import pathway
    from pathway.io import export_log, read_log

    folder.mkdir(parents=True, exist_ok=True)
    own = folder / f"hub-{cases}.parquet"
    mined = folder / f"hub-{cases}-pm.parquet"
    if not own.exists():
        pathway.simulate(HUB, cases=cases, seed=1, events=own)
    if not mined.exists():
        export_log(read_log(own), mined)
    return own, mined


def run(script: str, path: Path) -> dict[str, float]:
    """Run one side in a fresh, single-threaded Python process; its JSON line."""
    environment = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "NUMBA_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        environment[name] = "1"
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    """Build the logs, time both sides, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=21_000)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/pathway-discover-bench"))
    parser.add_argument("--no-pm4py", action="store_true")
    args = parser.parse_args()
    own, mined = build(args.folder, args.cases)
    ours = run(PATHWAY_SIDE, own)
    print(
        f"pathway discover: {ours['events']:,.0f} events, {ours['cases']:,.0f} cases -> "
        f"{ours['steps']:.0f} steps, {ours['moves']:.0f} moves in {ours['seconds']:.1f} s"
    )
    if args.no_pm4py:
        return
    try:
        theirs = run(PM4PY_SIDE, mined)
    except subprocess.CalledProcessError as error:
        print(f"pm4py could not run: {error.stderr.strip().splitlines()[-1]}")
        return
    print(
        f"pm4py inductive miner: {theirs['rows']:,.0f} rows -> {theirs['transitions']:.0f} "
        f"Petri net transitions in {theirs['seconds']:.1f} s"
    )


if __name__ == "__main__":
    main()
