"""Reading a real system's log: a 1,000,000-event XES file to a full report, side by side
with pm4py reading the same file and computing the performance DFG and handover network.

Run: ``.venv/bin/python -m benchmarks.logs_bench`` (``--events 100000`` for a smaller
run; pm4py comes from the ``dev`` or ``pm`` extra).

The file: the Helpdesk log (tests/data/helpdesk.xes.gz, a real ticketing process,
21,348 events) tiled to at least ``--events`` events: copies of every trace with new
case ids, each copy shifted a week later, written once as plain XES.

Timed, same run, each side in a fresh Python process so peak memory (max RSS) is its
own:

1. pathway: :func:`pathway.io.read_events` (stream the XES, interpret: steps, waits with
   their causes, hand-offs, outcomes) and the whole :func:`pathway.analyse` report
   (per-case measures, delay attribution, summaries, control charts, typical journey);
2. pm4py: ``read_xes`` (its default parser) then ``discover_performance_dfg`` and
   ``discover_handover_of_work_network``.

Prints each side's seconds and peak memory and the ratio pm4py / pathway.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from xml.etree.ElementTree import iterparse

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "tests" / "data" / "helpdesk.xes.gz"


def build(target: Path, events: int) -> int:
    """Write the tiled XES; return its number of events."""
    import gzip

    traces: list[tuple[str, list[tuple[str, str, datetime]]]] = []
    current: list[tuple[str, str, datetime]] = []
    with gzip.open(SOURCE, "rb") as stream:
        for _, element in iterparse(stream, events=("end",)):
            tag = element.tag.rpartition("}")[2]
            if tag == "event":
                values = {c.get("key"): c.get("value") for c in element}
                current.append(
                    (
                        str(values["concept:name"]),
                        str(values.get("org:resource", "")),
                        datetime.fromisoformat(str(values["time:timestamp"])),
                    )
                )
                element.clear()
            elif tag == "trace":
                name = next(c.get("value") for c in element if c.get("key") == "concept:name")
                traces.append((str(name), current))
                current = []
                element.clear()
    per_copy = sum(len(t) for _, t in traces)
    copies = -(-events // per_copy)
    written = 0
    with target.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1849-2016">\n')
        for copy in range(copies):
            shift = timedelta(weeks=copy)
            for name, items in traces:
                out.write(f' <trace><string key="concept:name" value="{name}-{copy}"/>\n')
                for activity, worker, at in items:
                    stamp = (at + shift).isoformat(timespec="milliseconds")
                    out.write(
                        f'  <event><string key="concept:name" value="{activity}"/>'
                        f'<string key="org:resource" value="{worker}"/>'
                        f'<date key="time:timestamp" value="{stamp}"/></event>\n'
                    )
                    written += 1
                out.write(" </trace>\n")
        out.write("</log>\n")
    return written


def run_pathway(path: str) -> dict[str, float]:
    """Read the XES and build the whole report; seconds per part."""
    import pathway
    import pathway.io as pio

    started = time.perf_counter()
    found = pio.read_events(path)
    read = time.perf_counter()
    report = pathway.analyse(found)
    done = time.perf_counter()
    assert report.cases is not None
    return {"read": read - started, "report": done - read, "total": done - started}


def run_pm4py(path: str) -> dict[str, float]:
    """pm4py: read_xes, then the performance DFG and the handover network."""
    import warnings

    warnings.filterwarnings("ignore")
    import pm4py

    started = time.perf_counter()
    frame = pm4py.read_xes(path, show_progress_bar=False)
    read = time.perf_counter()
    pm4py.discover_performance_dfg(frame)
    pm4py.discover_handover_of_work_network(frame)
    done = time.perf_counter()
    return {"read": read - started, "report": done - read, "total": done - started}


def child(side: str, path: str) -> None:
    """Run one side and print its times and peak memory as JSON."""
    result = (run_pathway if side == "pathway" else run_pm4py)(path)
    result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def measure(side: str, path: Path) -> dict[str, float]:
    """One side in a fresh interpreter."""
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.logs_bench", "--child", side, str(path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--file", type=Path, default=Path("/tmp/pathway-logs-bench.xes"))
    parser.add_argument("--child", nargs=2, metavar=("SIDE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    events = build(args.file, args.events)
    size = args.file.stat().st_size / 1e6
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"XES: {events} events, {size:.0f} MB ({args.file})")
    ours = measure("pathway", args.file)
    theirs = measure("pm4py", args.file)
    for name, result in (("pathway", ours), ("pm4py", theirs)):
        print(
            f"{name:8s} read {result['read']:6.1f} s  report {result['report']:5.1f} s  "
            f"total {result['total']:6.1f} s  peak {result['max_rss_mb']:6.0f} MB"
        )
    print(f"ratio pm4py / pathway (total): {theirs['total'] / ours['total']:.1f}x")


if __name__ == "__main__":
    main()
