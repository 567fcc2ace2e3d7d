"""Reference models written as pathway YAML, shared by tests, benchmarks and docs.

:func:`tandem_yaml` is the queueing-theory benchmark: ``stations`` steps in series, each
owned by its own role of ``servers`` identical workers, exponential service times, Poisson
arrivals, no calendars and no declared waits, so every wait is a queue for capacity and
each station is an M/M/c queue (Jackson's theorem): the mean wait per station is
:func:`erlang_c_wait`.
"""

from __future__ import annotations

import math

__all__ = ["erlang_c_wait", "tandem_yaml"]


def tandem_yaml(
    stations: int = 6, servers: int = 3, mean_service: str = "2.4m", rate: str = "1/m"
) -> str:
    """The tandem M/M/c model as pathway YAML text."""
    lines = [
        "id: tandem",
        "title: Tandem queues (the Erlang C benchmark)",
        'version: "1"',
        "purpose: Check the simulator against queueing theory",
        "timezone: UTC",
        "start: station_1",
        "roles:",
    ]
    for i in range(1, stations + 1):
        lines += [f"  server_{i}: {{team: station_{i}, organisation: bench, capacity: {servers}}}"]
    lines.append("steps:")
    for i in range(1, stations + 1):
        lines += [
            f"  station_{i}:",
            f"    title: Station {i}",
            f"    role: server_{i}",
            f"    duration: {{exponential: {{mean: {mean_service}}}}}",
        ]
    lines += ["  served: {title: Served, outcome: true}", "transitions:"]
    for i in range(1, stations + 1):
        target = f"station_{i + 1}" if i < stations else "served"
        lines += [
            f"  - {{trigger: next_{i}, from: station_{i}, to: {target}, handoff: none, "
            "wait: 0m, cause: handoff}"
        ]
    lines += ["arrivals:", f"  rate: {rate}"]
    return "\n".join(lines) + "\n"


def erlang_c_wait(servers: int, arrival_rate: float, mean_service: float) -> float:
    """Mean wait in queue of an M/M/c queue (Erlang C), in the units of the inputs."""
    load = arrival_rate * mean_service
    if load >= servers:
        return math.inf
    below = sum(load**k / math.factorial(k) for k in range(servers))
    top = load**servers / math.factorial(servers) * servers / (servers - load)
    waiting = top / (below + top)
    return waiting / (servers / mean_service - arrival_rate)
