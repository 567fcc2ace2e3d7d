"""The web-app example (examples/case_web_app.py) over HTTP on a loopback port, on SQLite
and on a real PostgreSQL server: a journey, requests racing on one case (no event lost),
and the errors a client sees."""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import pathway
from pathway.store import open_store
from test_store import cluster, url  # noqa: F401  (fixtures: both backends)

APP_FILE = Path(__file__).resolve().parents[1] / "examples" / "case_web_app.py"
FACTS = {"needs_prescribing": True, "needs_external_referral": False}


def _app() -> ModuleType:
    spec = importlib.util.spec_from_file_location("case_web_app", APP_FILE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


APP = _app()


@pytest.fixture
def base(url: str) -> Iterator[str]:  # noqa: F811
    server = APP.make_server(url, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
        server.RequestHandlerClass.stores.close()


def call(base: str, method: str, path: str, body: object = None) -> tuple[int, Any]:
    result: tuple[int, Any] = APP.call(base, method, path, body)
    return result


def test_a_journey_over_http_is_stored_event_for_event(base: str, url: str) -> None:  # noqa: F811
    start = {"case_id": "client-9", "facts": FACTS, "at": "2018-09-04T10:00"}
    assert call(base, "POST", "/cases", start)[0] == 201
    states = []
    for command in APP.JOURNEY:
        status, answer = call(base, "POST", "/cases/client-9/commands", command)
        assert status == 200, answer
        states.append(answer["state"])
    assert states[-1] == "doctor_appointment"
    status, answer = call(base, "GET", "/cases/client-9")
    with open_store(url) as store:
        stored = store.load("client-9")
    assert (status, answer["revision"]) == (200, stored.revision)
    kinds = [e.kind for e in stored.case.journal]
    assert kinds.count("decision") == 1
    assert stored.case.state == "doctor_appointment"
    status, answer = call(base, "GET", "/worklist?role=doctor")
    assert (status, [c["case_id"] for c in answer["cases"]]) == (200, ["client-9"])


def test_requests_racing_on_one_case_lose_no_event(base: str, url: str) -> None:  # noqa: F811
    start = {"case_id": "c", "facts": FACTS, "at": "2018-09-04T10:00"}
    assert call(base, "POST", "/cases", start)[0] == 201
    answers: list[tuple[int, Any]] = []
    for round_ in range(6):  # two requests at once, six times
        barrier = threading.Barrier(2)

        def chase(note: str, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            body = {"command": "chase", "at": "2018-09-04T10:05", "note": note}
            answers.append(call(base, "POST", "/cases/c/commands", body))

        both = [threading.Thread(target=chase, args=(f"{round_}-{i}",)) for i in range(2)]
        for thread in both:
            thread.start()
        for thread in both:
            thread.join()
    assert [status for status, _ in answers] == [200] * 12
    with open_store(url) as store:
        stored = store.load("c")
    notes = [e.note for e in stored.case.journal if isinstance(e, pathway.FailureDemand)]
    assert sorted(notes) == sorted(f"{r}-{i}" for r in range(6) for i in range(2))
    assert stored.revision == len(stored.case.journal) == 2 + 12
    assert sorted(answer["revision"] for _, answer in answers) == list(range(3, 15))


def test_a_client_gets_json_errors_not_a_lost_connection(base: str) -> None:
    start = {"case_id": "c", "facts": FACTS, "at": "2018-09-04T10:00"}
    assert call(base, "POST", "/cases", start)[0] == 201
    status, answer = call(base, "POST", "/cases", start)
    assert status == 409
    assert "already in the store" in answer["error"]
    status, answer = call(base, "GET", "/cases/nobody")
    assert status == 404
    assert "no case 'nobody'" in answer["error"]
    wrong = {"command": "fire", "trigger": "prescribe", "at": "2018-09-04T10:05"}
    status, answer = call(base, "POST", "/cases/c/commands", wrong)
    assert status == 422
    assert "cannot fire" in answer["error"]
    assert call(base, "GET", "/cases/c")[1]["revision"] == 2
