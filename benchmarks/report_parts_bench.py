"""Benchmark: the report of a Parquet log analysed in parts (by case) on a Dask
LocalCluster, 2 worker processes against 1, in the same run.

    python -m benchmarks.report_parts_bench [LOG] [--parts P]

LOG (default ``/tmp/pathway-bench/ten_million.parquet``, see ``report_bench``) is split
by case id into P Parquet files (default 8) once, before timing; then the report of the
parts is timed in this process (one part after another), on a LocalCluster of 1 worker
and one of 2 workers (each cluster started before its timing; the workers read the
parts from disk). Every run's report must equal the first (checked). Prints the
speed-up of 2 workers over 1 and the load average.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from dask.distributed import Client, LocalCluster

import pathway
from pathway._report._partitioned import report_in_parts, split_by_case

ROOT = Path(__file__).resolve().parent.parent


def load() -> str:
    """The 1-minute load average."""
    return Path("/proc/loadavg").read_text().split()[0]


def on_cluster(files: list[Path], model: pathway.Pathway, workers: int) -> tuple[float, str]:
    """Seconds for the report of ``files`` on a fresh cluster of ``workers``, and it."""
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(lambda: __import__("pathway._report._partitioned"))  # warm imports
        began = time.perf_counter()
        report = report_in_parts(files, model, client=client)
        return time.perf_counter() - began, report.to_json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", nargs="?", default="/tmp/pathway-bench/ten_million.parquet")
    parser.add_argument("--parts", type=int, default=8)
    args = parser.parse_args()
    model = pathway.load(ROOT / "pathways" / "recovery-hub-2017.yaml")
    with tempfile.TemporaryDirectory(prefix="pathway-parts-") as folder:
        began = time.perf_counter()
        files = split_by_case(args.log, folder, args.parts)
        print(f"split {args.log} into {len(files)} parts: {time.perf_counter() - began:.1f} s")
        print(f"load average {load()}", flush=True)
        began = time.perf_counter()
        here = report_in_parts(files, model).to_json()
        print(f"  in this process, part after part: {time.perf_counter() - began:.1f} s")
        one, first = on_cluster(files, model, 1)
        print(f"  Dask, 1 worker:  {one:.1f} s (load {load()})", flush=True)
        two, second = on_cluster(files, model, 2)
        print(f"  Dask, 2 workers: {two:.1f} s (load {load()})")
        if not here == first == second:
            sys.exit("the reports differ")
        print(f"speed-up of 2 workers over 1: {one / two:.2f}x (the same report each way)")


if __name__ == "__main__":
    main()
