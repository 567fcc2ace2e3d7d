"""Benchmark: recovery-hub-2017.yaml, one million cases, one core, streamed measures.

Targets: at most 10 s and at most 300 MB peak memory (resident set, whole process).

    python benchmarks/sim_hub_million.py [CASES]

A warm-up run of 1000 cases loads (or compiles) the kernel first; the timed run then
builds the cohort, simulates every case and fills the per-case measure arrays. No event
log is written (that is on request, streamed to disk).
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import pathway
from pathway import simulate

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    model = pathway.load(ROOT / "pathways" / "recovery-hub-2017.yaml")
    simulate(model, cases=1000, seed=1)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    began, cpu = time.perf_counter(), time.process_time()
    result = simulate(model, cases=cases, seed=1)
    wall, used = time.perf_counter() - began, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    counts = result.conservation()
    print(f"recovery-hub-2017, {cases} cases ({'compiled' if result.compiled else 'pure'} kernel)")
    print(f"  wall {wall:.2f} s, cpu {used:.2f} s, {counts['events_produced']} events")
    print(f"  peak memory {peak:.0f} MB (after warm-up {before:.0f} MB)")
    print(f"  arrived {counts['arrived']}, finished {counts['finished']}, "
          f"in flight {counts['in_flight']}")  # fmt: skip


if __name__ == "__main__":
    main()
