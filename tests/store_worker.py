"""A writer process for the store's concurrency and crash tests (run as a script).

``python store_worker.py fire URL SEED ROUNDS CASE...``: pick a case, load, move it on,
save; count what was accepted (events) and what conflicted; print one JSON line.

``python store_worker.py append URL CASE``: move one case on forever, printing the
revision after each commit (the crash test kills it with SIGKILL mid-append).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from pathway import ConflictError
from pathway.store import open_store
from store_support import later, loop, next_move


def fire(url: str, seed: int, rounds: int, cases: list[str]) -> None:
    rng = random.Random(seed)
    store = open_store(url)
    store.publish(loop())
    accepted, conflicts, saves = 0, 0, 0
    for _ in range(rounds):
        stored = store.load(rng.choice(cases))
        next_move(stored.case, later(stored.case, rng.randint(1, 30)))
        try:
            revision = store.save(stored.case, stored.revision)
        except ConflictError:
            conflicts += 1
            continue
        accepted += revision - stored.revision
        saves += 1
    print(json.dumps({"accepted": accepted, "conflicts": conflicts, "saves": saves}))


def append(url: str, case_id: str) -> None:
    store = open_store(url)
    while True:
        stored = store.load(case_id)
        next_move(stored.case, later(stored.case))
        revision = store.save(stored.case, stored.revision)
        print(revision, flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "fire":
        fire(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:])
    else:
        append(sys.argv[2], sys.argv[3])
