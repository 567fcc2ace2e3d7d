"""Benchmark: writing the simulator's event log (issue 19), in one run.

1. Throughput: the kernel rows of one Recovery Hub 2017 run (about a million events)
   are converted and written to Parquet and CSV by pathway's streamed writer; the peer
   is pyarrow writing the finished table (already built, text columns) with the same
   compression, i.e. the cost of the bytes alone. Events per second, CPU and wall.
2. Whole process: ``pathway simulate FILE -n N --events out.parquet`` in a child
   process for each N, wall time and peak resident memory from ``/usr/bin/time -v``
   (or ``resource.getrusage`` of the child where that is missing). The shipped 2017 file
   takes about 780 people a year, so a million cases would run past 2262, the last
   year an event log holds; the sizes run on a copy with arrivals and every role's
   capacity scaled by ``--scale`` (same queues, more people).

    python benchmarks/sim_events.py [--cases 20000] [--sizes 100000,1000000,3000000]
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

import pathway
import pathway._sim._run as run_module
from pathway import simulate
from pathway._sim._events import ChunkConverter, open_writer

ROOT = Path(__file__).resolve().parent.parent
HUB = ROOT / "pathways" / "recovery-hub-2017.yaml"


def kernel_rows(cases: int, folder: Path) -> tuple[Any, Any, list[Any]]:
    """The plan, facts and every buffer of kernel rows of one run (copies)."""
    captured: dict[str, Any] = {"chunks": []}
    original = run_module._flush

    def spy(memory: Any, converter: Any, writer: Any, sink: Any) -> int:
        rows = int(memory["sc"][run_module.L.SC_NBUF])
        if rows:
            captured["chunks"].append((memory["ev_i"][:rows].copy(), memory["ev_f"][:rows].copy()))
            captured["plan"], captured["columns"] = converter.plan, converter.columns
        return original(memory, converter, writer, sink)

    run_module._flush = spy  # type: ignore[assignment]
    try:
        simulate(pathway.load(HUB), cases=cases, seed=1, events=folder / "rows.csv")
    finally:
        run_module._flush = original  # type: ignore[assignment]
    return captured["plan"], captured["columns"], captured["chunks"]


def timed(job: Any) -> tuple[float, float]:
    """(wall, CPU of every thread) seconds of ``job()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    job()
    return time.perf_counter() - wall, time.process_time() - cpu


def throughput(cases: int, folder: Path, repeats: int) -> None:
    plan, columns, chunks = kernel_rows(cases, folder)
    events = sum(len(c[0]) for c in chunks)
    print(f"1. writing {events:,} events ({cases:,} Recovery Hub 2017 cases), best of {repeats}")
    for suffix in (".parquet", ".csv"):
        path = folder / f"ours{suffix}"

        def ours(path: Path = path) -> None:
            converter = ChunkConverter(plan, columns)
            writer = open_writer(path, converter)
            for ev_i, ev_f in chunks:
                writer.write(converter.convert(ev_i, ev_f))
            writer.close()

        mine = min((timed(ours) for _ in range(repeats)), key=lambda t: t[0])
        table = pq.read_table(folder / "ours.parquet")
        table = pa.table(
            {n: c.cast(pa.string()) if pa.types.is_dictionary(c.type) else c
             for n, c in zip(table.column_names, table.columns, strict=True)}
        )  # fmt: skip
        peer_path = folder / f"peer{suffix}"

        def peer(table: Any = table, peer_path: Path = peer_path, suffix: str = suffix) -> None:
            if suffix == ".parquet":
                pq.write_table(table, peer_path, compression="zstd")
            else:
                pacsv.write_csv(table, peer_path)

        theirs = min((timed(peer) for _ in range(repeats)), key=lambda t: t[0])
        print(
            f"  {suffix[1:]:8} pathway {events / mine[0] / 1e6:5.2f} M events/s "
            f"(wall {mine[0]:.2f} s, CPU {mine[1]:.2f} s, {path.stat().st_size / 1e6:.0f} MB); "
            f"pyarrow writing the built table {events / theirs[0] / 1e6:5.2f} M events/s "
            f"(wall {theirs[0]:.2f} s); ratio {theirs[0] / mine[0]:.2f}"
        )


def scaled_hub(folder: Path, scale: int) -> Path:
    """The 2017 file with arrivals and role capacities times ``scale`` (at most 1000)."""
    text = HUB.read_text(encoding="utf-8")
    text = re.sub(
        r"capacity: (\d+)", lambda m: f"capacity: {min(1000, int(m.group(1)) * scale)}", text
    )
    text = text.replace("rate: 3/d", f"rate: {3 * scale}/d")
    path = folder / f"recovery-hub-2017-x{scale}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def whole_process(file: Path, cases: int, out: Path) -> tuple[float, float]:
    """(wall seconds, peak resident MB) of ``pathway simulate`` in a child process."""
    command = [sys.executable, "-m", "pathway", "simulate", str(file), "-n", str(cases),
               "--no-progress", "--events", str(out)]  # fmt: skip
    timer = shutil.which("time") or "/usr/bin/time"
    if Path(timer).exists():
        began = time.perf_counter()
        done = subprocess.run([timer, "-v", *command], capture_output=True, text=True, check=True)
        wall = time.perf_counter() - began
        peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
        return wall, int(peak.group(1)) * 1024 / 1e6 if peak else float("nan")
    began = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True)
    wall = time.perf_counter() - began
    return wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", default="100000,1000000,3000000")
    parser.add_argument("--scale", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        throughput(args.cases, folder, args.repeats)
        file = scaled_hub(folder, args.scale)
        print(f"2. pathway simulate {file.name} -n N --events out.parquet (child process)")
        for cases in (int(n) for n in args.sizes.split(",") if n):
            out = folder / "out.parquet"
            wall, peak = whole_process(file, cases, out)
            rows = pq.ParquetFile(out).metadata.num_rows
            print(f"  N = {cases:>9,}: {wall:6.1f} s, peak {peak:5.0f} MB, {rows:,} events "
                  f"({rows / wall / 1e6:.2f} M events/s overall)")  # fmt: skip
            out.unlink()


if __name__ == "__main__":
    main()
