"""Benchmark: the tandem queueing model, pathway's kernel against SimPy, in the same run.

Six stations in series, three servers each, exponential service (mean 2.4 minutes),
Poisson arrivals at one a minute, 100 000 cases. Both report the mean wait per station
(Erlang C: 2.589). Target: pathway at least 10x faster.

    python benchmarks/sim_tandem.py [CASES]

The kernel is compiled (numba, the ``fast`` extra) and warmed up on a small run first, so
compile time (once per machine; cached on disk) is not counted.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "peers"))

import simpy_tandem

import pathway
from pathway import simulate
from pathway._sim._models import erlang_c_wait, tandem_yaml


def main() -> None:
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    model = pathway.load(tandem_yaml())
    simulate(model, cases=1000, seed=1)  # warm-up: load or compile the kernel
    began = time.perf_counter()
    result = simulate(model, cases=cases, seed=1)
    ours = time.perf_counter() - began
    wait = result.measures()["wait_capacity_minutes"].astype(float).sum() / (cases * 6)
    began = time.perf_counter()
    peer_wait = simpy_tandem.run(cases, seed=1)
    theirs = time.perf_counter() - began
    theory = erlang_c_wait(3, 1, 2.4)
    print(f"tandem model, {cases} cases (Erlang C wait per station {theory:.3f})")
    print(
        f"  pathway ({'compiled' if result.compiled else 'pure'}): {ours:6.2f} s, wait {wait:.3f}"
    )
    print(f"  SimPy:                {theirs:6.2f} s, wait {peer_wait:.3f}")
    print(f"  ratio: pathway is {theirs / ours:.1f}x faster")
    print("  (one run each: at 80% load the mean wait of 100 000 cases varies by about 2.5%)")


if __name__ == "__main__":
    main()
