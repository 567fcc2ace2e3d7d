"""Benchmark: replications on a Dask LocalCluster, 2 worker processes against 1.

Target: at least 1.6x faster with 2 workers (on a 2-core machine).

    python benchmarks/sim_dask.py [REPLICATIONS] [CASES]

Each replication is recovery-hub-2017.yaml with CASES cases; both clusters are started and
warmed up (kernel loaded in every worker) before timing.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from dask.distributed import Client, LocalCluster

import pathway
from pathway import simulate

ROOT = Path(__file__).resolve().parent.parent


def _warm(path: str) -> None:
    """Load (or compile) the kernel in a worker process."""
    simulate(path, cases=200, seed=0)


def _cpu() -> float:
    return time.process_time()


def timed(model: pathway.Pathway, workers: int, replications: int, cases: int) -> float:
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(_warm, str(ROOT / "pathways" / "recovery-hub-2017.yaml"))
        executor = client.get_executor()
        cpu = sum(client.run(_cpu).values())
        began = time.perf_counter()
        simulate(model, cases=cases, seed=1, replications=replications, executor=executor)
        wall = time.perf_counter() - began
        cpu = sum(client.run(_cpu).values()) - cpu
        print(
            f"  {workers} worker(s): {wall:.2f} s wall, {cpu:.2f} s CPU in the workers "
            f"({cpu / (wall * workers):.0%} of {workers} core(s) while running)"
        )
        return wall


def main() -> None:
    replications = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    cases = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    model = pathway.load(ROOT / "pathways" / "recovery-hub-2017.yaml")
    print(f"{replications} replications x {cases} cases of recovery-hub-2017")
    one = timed(model, 1, replications, cases)
    two = timed(model, 2, replications, cases)
    print(f"  speed-up, 2 workers against 1: {one / two:.2f}x")


if __name__ == "__main__":
    main()
