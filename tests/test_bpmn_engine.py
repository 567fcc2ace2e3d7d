"""The BPMN export of every shipped pathway runs in a BPMN engine: SpiffWorkflow parses
it and runs the nominal path (the most likely journey) from the start event to its
outcome's end event, completing each user task with the data that makes its gateway
choose the nominal branch.

SpiffWorkflow is a test-only dependency (the ``dev`` extra). It evaluates conditions as
Python over the task data; pathway's guards, checkpoint routes and ``route == 'x'`` are
valid Python too. BPMN's ``timeDuration`` is ISO 8601 text (as Camunda and bpmn.io write
it) where Spiff expects a Python expression giving that text, so the engine here hands
duration text through as is; Spiff then parses it and sets the timer, and the test moves
each timer's due time into the past instead of sleeping.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import pathway
from pathway._model._expr import parse
from pathway.io import export_bpmn

spiff = pytest.importorskip("SpiffWorkflow", reason="SpiffWorkflow is in the dev extra")

from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.bpmn.parser import BpmnParser  # noqa: E402
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "pathways").glob("*.yaml"))
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
ISO = re.compile(r"P(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?")


class IsoDurations(PythonScriptEngine):
    """Python expressions as Spiff evaluates them, except an ISO 8601 duration's text."""

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        if ISO.fullmatch(expression.strip()):
            return expression.strip()
        return super().evaluate(task, expression, external_context)


def _choices(xml: str) -> dict[str, tuple[list[tuple[str, str | None]], str | None]]:
    """For each step's gateway: its outgoing flows as (target step, condition) and the
    default target. Flows through timers are followed to the step they reach."""
    process = ET.fromstring(xml).find(f"{BPMN}process")
    assert process is not None
    flows = {f.get("id"): f for f in process.iter(f"{BPMN}sequenceFlow")}
    out: dict[str, list[ET.Element]] = {}
    for flow in flows.values():
        out.setdefault(flow.get("sourceRef", ""), []).append(flow)

    def reach(node: str) -> str:
        while not node.startswith("Step_"):
            node = out[node][0].get("targetRef", "")
        return node.removeprefix("Step_")

    found = {}
    for gateway in process.iter(f"{BPMN}exclusiveGateway"):
        source = next(f for f in flows.values() if f.get("targetRef") == gateway.get("id"))
        step = source.get("sourceRef", "").removeprefix("Step_")
        branches = []
        default = None
        for flow in out[gateway.get("id", "")]:
            condition = flow.find(f"{BPMN}conditionExpression")
            target = reach(flow.get("targetRef", ""))
            if flow.get("id") == gateway.get("default"):
                default = target
            branches.append((target, condition.text if condition is not None else None))
        found[step] = (branches, default)
    return found


def _data_choosing(
    model: pathway.Pathway, step: str, target: str, branches: list[tuple[str, str | None]]
) -> dict[str, Any]:
    """Task data under which only the flow to ``target`` holds (or none, for a default)."""
    names = sorted({n for _, c in branches if c for n in parse(c).names})
    domains: list[list[Any]] = []
    for name in names:
        if name == "route":
            domains.append([t.trigger for t in model.outgoing(step)])
        elif name in model.facts and model.facts[name].values:
            domains.append(list(model.facts[name].values or ()))
        else:
            domains.append([True, False])
    for combination in itertools.product(*domains):
        data = dict(zip(names, combination, strict=True))
        holds = [t for t, c in branches if c is not None and parse(c).test(data)]
        ours = [c for t, c in branches if t == target]
        if (ours == [None] and not holds) or holds == [target]:
            return data
    raise AssertionError(f"no task data makes the gateway after {step} choose {target}")


def _fire_timers(workflow: BpmnWorkflow) -> int:
    """Set every due timer, then move its due time into the past; how many there were."""
    workflow.refresh_timers()
    waiting = workflow.get_tasks(state=TaskState.WAITING)
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    for task in waiting:
        assert task._get_internal_data("event_value") is not None, task.task_spec.name
        task._set_internal_data(event_value=past)
    workflow.refresh_timers()
    workflow.do_engine_steps()
    return len(waiting)


def run_nominal_path(model: pathway.Pathway) -> tuple[list[str], int]:
    """Run the export in SpiffWorkflow along the nominal path; the steps it went through
    (user tasks, then the end event reached) and the timers it waited on."""
    xml = export_bpmn(model)
    parser = BpmnParser()
    parser.add_bpmn_str(xml.encode("utf-8"), f"{model.id}.bpmn")
    workflow = BpmnWorkflow(parser.get_spec("Process_1"), script_engine=IsoDurations())
    choices = _choices(xml)
    nominal = {t.source: t.target for t in model.nominal_path()}
    walked: list[str] = []
    timers = 0
    workflow.do_engine_steps()
    for _ in range(10 * len(model.steps)):
        timers += _fire_timers(workflow)
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if not ready:
            break
        assert len(ready) == 1
        task = ready[0]
        step = task.task_spec.name.removeprefix("Step_")
        walked.append(step)
        if step in choices:
            branches, _default = choices[step]
            task.data.update(_data_choosing(model, step, nominal[step], branches))
        task.run()
        workflow.do_engine_steps()
    assert workflow.is_completed()
    ends = [
        t.task_spec.name.removeprefix("Step_")
        for t in workflow.get_tasks(state=TaskState.COMPLETED)
        if t.task_spec.name.startswith("Step_")
        and t.task_spec.name.removeprefix("Step_") in model.outcomes
    ]
    return [*walked, *ends], timers


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_the_engine_runs_the_nominal_path(path: Path) -> None:
    model = pathway.load(path)
    walked, timers = run_nominal_path(model)
    assert walked == list(model.nominal_steps())
    waits = [t for t in model.nominal_path() if t.wait is not None and t.wait.mean() > 0]
    assert timers == len(waits)
