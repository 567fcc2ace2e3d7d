"""The tandem benchmark model written the usual SimPy way (the peer the kernel is timed against).

Six stations in series, each with three identical servers (``simpy.Resource``), service
times exponential with mean 2.4 minutes, Poisson arrivals at one per minute. Returns the
mean wait in queue per station, the figure Erlang C predicts (2.59 minutes).
"""

from __future__ import annotations

import random
from collections.abc import Generator
from typing import Any

import simpy

STATIONS, SERVERS, MEAN_SERVICE, RATE = 6, 3, 2.4, 1.0


def run(cases: int, seed: int = 1) -> float:
    """Simulate ``cases`` arrivals; return the mean wait per station (minutes)."""
    rng = random.Random(seed)
    env = simpy.Environment()
    stations = [simpy.Resource(env, capacity=SERVERS) for _ in range(STATIONS)]
    waits = [0.0]

    def case() -> Generator[Any, Any, None]:
        for station in stations:
            queued = env.now
            with station.request() as request:
                yield request
                waits[0] += env.now - queued
                yield env.timeout(rng.expovariate(1 / MEAN_SERVICE))

    def arrivals() -> Generator[Any, Any, None]:
        for _ in range(cases):
            env.process(case())
            yield env.timeout(rng.expovariate(RATE))

    env.process(arrivals())
    env.run()
    return waits[0] / (cases * STATIONS)


if __name__ == "__main__":
    import time

    began = time.perf_counter()
    mean = run(100_000)
    print(
        f"SimPy tandem, 100000 cases: mean wait per station {mean:.3f} min, "
        f"{time.perf_counter() - began:.2f} s"
    )
