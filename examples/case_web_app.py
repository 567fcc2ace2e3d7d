"""A small case system on the case store: a JSON web app, standard library only.

This is the web app of docs/how-to/embed-in-a-case-system.md. Every request that
changes a case loads it from the store, applies one command and saves it, in one
``Store.transact`` (which loads again and redoes the command when another request saved
the same case first), so two requests at once never lose an event. Run it from the
repository root:

    python examples/case_web_app.py --demo           # drive one journey, print, stop
    python examples/case_web_app.py --db cases.db    # serve on http://127.0.0.1:8000

Endpoints (JSON in, JSON out; times are ISO 8601, given by the caller):

    POST /cases                  {"case_id", "facts", "at"}        start a case
    POST /cases/ID/commands      {"command": "fire"|"begin"|"decide"|"chase", "at",
                                  "by": {"id", "role"}, "trigger" | "checkpoint",
                                  "answers", "rationale"}          one change
    GET  /cases/ID               where the case is, its revision and journal length
    GET  /worklist?role=R&step=S&overdue=1&now=TIME&clock=working   open cases
"""

from __future__ import annotations

import argparse
import json
import queue
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pathway
from pathway.store import ConflictError, Store, StoreError, open_store

PATHWAY_FILE = Path(__file__).resolve().parents[1] / "pathways" / "recovery-hub-2018.yaml"


class Stores:
    """A pool of open stores, one per request at a time (a Store is one connection)."""

    def __init__(self, url: str, hub: pathway.Pathway) -> None:
        self.url, self.hub = url, hub
        self._idle: queue.SimpleQueue[Store] = queue.SimpleQueue()
        with open_store(url) as store:
            store.publish(hub)  # the registry: cases load with the version they run on

    @contextmanager
    def store(self) -> Iterator[Store]:
        try:
            store = self._idle.get_nowait()
        except queue.Empty:
            store = open_store(self.url)
        try:
            yield store
        finally:
            self._idle.put(store)

    def close(self) -> None:
        """Close every idle store (when the server has stopped)."""
        while not self._idle.empty():
            self._idle.get_nowait().close()


def apply(case: pathway.Case, command: dict[str, Any]) -> None:
    """Apply one command of a request to a case (it may run again on a conflict)."""
    at = datetime.fromisoformat(command["at"])
    by = pathway.Worker(command["by"]["id"], command["by"]["role"]) if "by" in command else None
    kind = command.get("command")
    if kind == "fire":
        case.fire(command["trigger"], at=at, by=by)
    elif kind == "begin":
        case.begin(at=at, by=by)
    elif kind == "decide":
        answers = command["answers"]
        case.decide(command["checkpoint"], answers, at=at, by=by, rationale=command["rationale"])
    elif kind == "chase":
        case.record_failure_demand("chase", at=at, note=command.get("note", ""))
    else:
        raise ValueError(f"unknown command {kind!r}; expected fire, begin, decide or chase")


def case_view(case: pathway.Case, revision: int) -> dict[str, Any]:
    """What the app answers about a case."""
    return {"case_id": case.case_id, "state": case.state, "finished": case.finished,
            "revision": revision, "events": len(case.journal)}  # fmt: skip


def worklist(store: Store, query: dict[str, str]) -> dict[str, Any]:
    """A page of open cases; a query the store cannot answer is a ValueError (422)."""
    now = datetime.fromisoformat(query["now"]) if "now" in query else None
    try:
        page = store.worklist(
            now=now,
            step=query.get("step"),
            role=query.get("role"),
            overdue=query.get("overdue") == "1",
            clock=query.get("clock", "calendar"),
            after=query.get("after"),
        )
    except StoreError as error:  # e.g. overdue=1 without now=
        raise ValueError(str(error)) from None
    items = [{"case_id": i.case_id, "step": i.step, "role": i.role} for i in page.items]
    return {"cases": items, "next": page.next}


class Handler(BaseHTTPRequestHandler):
    """One request: find the store, do the work, answer JSON; errors are 4xx JSON."""

    stores: Stores

    def do_GET(self) -> None:
        self._answer(self._get)

    def do_POST(self) -> None:
        self._answer(self._post)

    def _get(self, parts: list[str], store: Store) -> tuple[int, dict[str, Any]]:
        if parts == ["worklist"]:
            query = {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}
            return 200, worklist(store, query)
        if len(parts) == 2 and parts[0] == "cases":
            stored = store.load(parts[1])
            return 200, case_view(stored.case, stored.revision)
        return 404, {"error": f"no such page {self.path}"}

    def _post(self, parts: list[str], store: Store) -> tuple[int, dict[str, Any]]:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        if parts == ["cases"]:
            at = datetime.fromisoformat(body["at"])
            case = self.stores.hub.new_case(body["case_id"], body["facts"], at=at)
            return 201, case_view(case, store.create(case))
        if len(parts) == 3 and parts[0] == "cases" and parts[2] == "commands":
            saved = store.transact(parts[1], lambda case: apply(case, body))
            return 200, case_view(saved.case, saved.revision)
        return 404, {"error": f"no such page {self.path}"}

    def _answer(self, work: Any) -> None:
        parts = [p for p in urlsplit(self.path).path.split("/") if p]
        try:
            with self.stores.store() as store:
                status, answer = work(parts, store)
        except ConflictError as error:  # create of an existing case, or every retry lost
            status, answer = 409, {"error": str(error)}
        except StoreError as error:  # no such case
            status, answer = 404, {"error": str(error)}
        except (pathway.PathwayError, ValueError, KeyError, TypeError) as error:
            status, answer = 422, {"error": str(error)}  # a refused move, bad JSON...
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a real app would log to its own log."""


def make_server(url: str, port: int = 8000) -> ThreadingHTTPServer:
    """The web app on 127.0.0.1:``port`` (0: any free port), over the store at ``url``."""
    handler = type("AppHandler", (Handler,), {"stores": Stores(url, pathway.load(PATHWAY_FILE))})
    return ThreadingHTTPServer(("127.0.0.1", port), handler)


def call(base: str, method: str, path: str, body: object = None) -> tuple[int, Any]:
    """One JSON request to the app: (status, answer)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


AMY = {"id": "amy", "role": "recovery_worker"}
DR_LEE = {"id": "dr_lee", "role": "doctor"}
JOURNEY = [  # what the hub's screens send for one person, Tuesday 4 September 2018
    {"command": "fire", "trigger": "record_dataset", "at": "2018-09-04T10:50", "by": AMY},
    {"command": "begin", "at": "2018-09-04T10:50", "by": AMY},
    {"command": "fire", "trigger": "decide", "at": "2018-09-04T11:00", "by": AMY},
    {"command": "begin", "at": "2018-09-04T11:00", "by": AMY},
    {"command": "decide", "checkpoint": "plan_decision", "at": "2018-09-04T11:10", "by": AMY,
     "answers": {"proportionate": True, "legal": True, "accountable": True, "necessary": True},
     "rationale": "Daily heroin use, wants to stop; prescribing is proportionate."},
    {"command": "begin", "at": "2018-09-04T11:10", "by": AMY},
    {"command": "fire", "trigger": "needs_doctor", "at": "2018-09-04T11:20", "by": AMY},
]  # fmt: skip


def demo(base: str) -> None:
    """Start a case, send the journey, two requests at once, and read the worklist."""
    facts = {"needs_prescribing": True, "needs_external_referral": False}
    start = {"case_id": "client-9", "facts": facts, "at": "2018-09-04T10:00"}
    print("POST /cases ->", *call(base, "POST", "/cases", start))
    for command in JOURNEY:
        status, answer = call(base, "POST", "/cases/client-9/commands", command)
        what = " ".join(filter(None, (command["command"], command.get("trigger"))))
        print(f"{what} -> {status} {answer['state']}")
    print("fire again ->", *call(base, "POST", "/cases/client-9/commands", JOURNEY[-1]))
    chase = {"command": "chase", "at": "2018-09-04T11:25"}
    both = [threading.Thread(target=call, args=(base, "POST", "/cases/client-9/commands", chase))
            for _ in range(2)]  # fmt: skip
    for thread in both:
        thread.start()
    for thread in both:
        thread.join()
    print("after two chases at once ->", *call(base, "GET", "/cases/client-9"))
    print("GET /worklist?role=doctor ->", *call(base, "GET", "/worklist?role=doctor"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="the case store (default: a new one in a temporary folder)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--demo", action="store_true", help="drive one journey and stop")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server = make_server(
            args.db or str(Path(folder) / "cases.db"), 0 if args.demo else args.port
        )
        if not args.demo:
            print(f"serving on http://127.0.0.1:{server.server_port}")
            server.serve_forever()
        threading.Thread(target=server.serve_forever, daemon=True).start()
        demo(f"http://127.0.0.1:{server.server_port}")
        server.shutdown()
        server.server_close()
        server.RequestHandlerClass.stores.close()


if __name__ == "__main__":
    main()
