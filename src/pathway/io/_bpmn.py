"""BPMN 2.0 out and in: a pathway as a process map for bpmn.io, Camunda Modeler, Signavio.

    text = export_bpmn(pathway, "hub.bpmn")        # BPMN 2.0 XML with diagram interchange
    found = import_bpmn("hub.bpmn")                # a draft pathway, and what did not map
    found.pathway, found.yaml, found.unmapped

The export is one pool (participant) per pathway with one lane per role; a step is a
user task (an outcome an end event), a step with more than one way out leaves through an
exclusive gateway (a checkpoint is a gateway of its own, named after it), a declared wait
longer than nothing is an intermediate timer catch event (its median as an ISO 8601
duration; the distribution is in the event's documentation), and a start event leads to
the start step. Conditions on a gateway's flows are the transitions' ``when`` guards (a
branch chosen by weight alone reads ``route == 'trigger'``, so an engine can run it);
weights are in the flows' documentation.

What BPMN cannot say (durations, work classes, calendars, facts, weights, DNA, checkpoint
questions...) travels in ``extensionElements`` as ``<pathway:data>`` JSON, in the
``urn:carepathway:bpmn:1`` namespace, with the values the export *showed* in BPMN terms
(names, lanes, conditions, timers). The import trusts the diagram: where a shown value
was edited (a task renamed, moved to another lane, a flow redirected, a timer changed),
the diagram's value wins; where it was not, the pathway data restores what the BPMN
could not carry. Elements with no pathway data (a diagram drawn in another tool) are
mapped from BPMN alone, and whatever does not map is listed with its element id and why.

XML is read with the standard library's expat, refusing any DOCTYPE (so no entity can
expand, and nothing is ever fetched); each element keeps its line for error messages.
"""

from __future__ import annotations

import json
import math
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final
from xml.parsers import expat

import attrs

from pathway._define._load import dump, load
from pathway._model._distributions import (
    Distribution,
    Empirical,
    Exponential,
    Fixed,
    Lognormal,
    Triangular,
    Uniform,
    format_duration,
)
from pathway._model._expr import parse, unknown_names
from pathway._model._pathway import Pathway, Transition
from pathway._version import __version__
from pathway.errors import BpmnError, DefinitionError, ExpressionError, Problem

__all__ = ["BPMN_LIMITS", "BpmnImport", "Unmapped", "export_bpmn", "import_bpmn"]

BPMN: Final = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI: Final = "http://www.omg.org/spec/BPMN/20100524/DI"
DC: Final = "http://www.omg.org/spec/DD/20100524/DC"
DI: Final = "http://www.omg.org/spec/DD/20100524/DI"
XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"
PATHWAY: Final = "urn:carepathway:bpmn:1"
VISIT_SUFFIX: Final = " (visit)"
MAX_BYTES: Final = 50 * 1024 * 1024

#: What the round trip through BPMN does not keep, even with pathway's own data (see
#: docs/how-to/bpmn.md): everything else comes back identical in the structural diff.
BPMN_LIMITS: Final = (
    "YAML comments and the order of keys and list items in the file",
    "values equal to their defaults are written out or left out as pathway.dump does",
)

_NAMESPACES = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "pathway": PATHWAY}
for _prefix, _uri in _NAMESPACES.items():
    ET.register_namespace(_prefix, _uri)

# layout, in BPMN diagram units (pixels in bpmn.io)
_COLUMN, _ROW, _HEADER, _MARGIN = 160, 120, 30, 40
_SIZES = {"task": (110, 80), "end": (36, 36), "start": (36, 36), "timer": (36, 36)}
_GATEWAY = (50, 50)
_IDENTITY = (
    "format",
    "id",
    "title",
    "version",
    "purpose",
    "description",
    "timezone",
    "start",
    "same_visit_within",
    "calendars",
    "facts",
    "checkpoints",
    "arrivals",
    "observed",
    "settings",
    "returns",
    "targets",
)


# -- export ---------------------------------------------------------------------------------


@attrs.define
class _Node:
    """A BPMN flow node to write: its kind, name, lane (role) and pathway data."""

    id: str
    kind: str  # start, task, end, gateway, timer
    name: str = ""
    role: str | None = None  # the lane it belongs to (flowNodeRef)
    documentation: str = ""
    data: dict[str, Any] | None = None
    timer: str | None = None
    default: str | None = None


@attrs.define
class _Flow:
    """A BPMN sequence flow to write."""

    id: str
    source: str
    target: str
    name: str = ""
    condition: str | None = None
    documentation: str = ""
    data: dict[str, Any] | None = None


@attrs.define
class _Graph:
    nodes: dict[str, _Node] = attrs.Factory(dict)
    flows: list[_Flow] = attrs.Factory(list)

    def add(self, node: _Node) -> _Node:
        self.nodes[node.id] = node
        return node

    def connect(self, source: str, target: str, **fields: Any) -> _Flow:
        flow = _Flow(f"Flow_{len(self.flows) + 1}", source, target, **fields)
        self.flows.append(flow)
        return flow


def export_bpmn(pathway: Pathway, target: str | os.PathLike[str] | None = None) -> str:
    """The BPMN 2.0 XML (with diagram interchange) of ``pathway``; written to ``target``
    too when given. Raises ``OSError`` when ``target`` cannot be written."""
    graph = _graph(pathway)
    text = _xml(pathway, graph)
    if target is not None:
        Path(target).write_text(text, encoding="utf-8")
    return text


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _graph(pathway: Pathway) -> _Graph:
    spec = pathway.spec
    data = spec.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    graph = _Graph()
    start = graph.add(_Node("StartEvent", "start", "Start", pathway.steps[pathway.start].role))
    for step in pathway.steps.values():
        kind = "end" if step.outcome else "task"
        name = step.title + (VISIT_SUFFIX if step.visit else "")
        shown = {"name": name, "lane": step.role, "kind": kind}
        graph.add(
            _Node(
                _step_id(step.id),
                kind,
                name,
                step.role,
                _step_words(pathway, step.id),
                {"step": step.id, "spec": data["steps"].get(step.id, {}), "shown": shown},
            )
        )
    graph.connect(start.id, _step_id(pathway.start))
    for step in pathway.steps.values():
        _export_moves(pathway, data, graph, step.id)
    return graph


def _step_id(step: str) -> str:
    return f"Step_{step}"


def _step_words(pathway: Pathway, step_id: str) -> str:
    step = pathway.steps[step_id]
    if step.outcome:
        return "An outcome: the journey ends here."
    owner = pathway.owner(step_id)
    words = [f"Work: {step.work}.", f"Touch time: {step.duration.describe()}."]
    if owner is not None:
        words.insert(0, f"Owner: {owner.title}, team {owner.team}, {owner.organisation}.")
    if step.visit:
        words.append("A visit: the person attends (or is visited).")
    if step.calendar:
        words.append(f"Only when the calendar {step.calendar!r} is open.")
    return " ".join(words)


def _export_moves(pathway: Pathway, data: Mapping[str, Any], graph: _Graph, step_id: str) -> None:
    """The flows out of one step: straight, or through its gateway (or checkpoint)."""
    moves = pathway.outgoing(step_id)
    if not moves:
        return
    step = pathway.steps[step_id]
    source = _step_id(step_id)
    gateway: _Node | None = None
    if step.checkpoint is not None:
        checkpoint = pathway.checkpoints[step.checkpoint]
        gateway = graph.add(
            _Node(
                f"Checkpoint_{checkpoint.id}",
                "gateway",
                checkpoint.title or checkpoint.id,
                step.role,
                "A checkpoint: " + "; ".join(q.text or q.id for q in checkpoint.questions),
                {"checkpoint": checkpoint.id},
            )
        )
    elif len(moves) > 1:
        gateway = graph.add(_Node(f"Gateway_{step_id}", "gateway", "", step.role))
    if gateway is not None:
        graph.connect(source, gateway.id)
        source = gateway.id
    conditions = _route_conditions(pathway, step.checkpoint)
    shares = (
        pathway.checkpoints[step.checkpoint].route_probabilities()
        if step.checkpoint is not None
        else {}
    )
    spec_moves = {(t["from"], t["to"], t["trigger"]): t for t in data.get("transitions", [])}
    for move in moves:
        _export_move(graph, pathway, move, source, gateway, conditions, shares, spec_moves)


def _route_conditions(pathway: Pathway, checkpoint_id: str | None) -> dict[int, str | None]:
    if checkpoint_id is None:
        return {}
    routes = pathway.checkpoints[checkpoint_id].routes
    return {r.transition: (r.when.text if r.when is not None else None) for r in routes}


def _export_move(
    graph: _Graph,
    pathway: Pathway,
    move: Transition,
    source: str,
    gateway: _Node | None,
    conditions: Mapping[int, str | None],
    shares: Mapping[int, float],
    spec_moves: Mapping[tuple[str, str, str], Any],
) -> None:
    """One transition: its flow (condition, weight), a timer for its wait, its data."""
    target = _step_id(move.target)
    timer = _timer_text(move.wait)
    condition: str | None = None
    if gateway is not None:
        if move.checkpoint is not None:
            condition = conditions.get(move.index)
        else:
            condition = move.guard.text if move.guard is not None else f"route == {move.trigger!r}"
    share = shares.get(move.index, move.weight) if move.checkpoint else move.weight
    words = f"{share:.0%} of the cases leaving {pathway.steps[move.source].title}"
    words += " (on the pathway's weights)." if gateway is not None else "."
    if move.handoff in {"role", "team", "organisation"}:
        words += f" A hand-off between {move.handoff}s."
    shown = {
        "from": move.source,
        "to": move.target,
        "condition": condition,
        "timer": timer,
        "order": move.index,
    }
    if move.checkpoint is not None:
        payload: dict[str, Any] = {"route": move.checkpoint, "shown": shown}
        name = "otherwise" if condition is None else ""
    else:
        item = spec_moves[(move.source, move.target, move.trigger)]
        payload = {"transition": item, "shown": shown}
        name = move.title or move.trigger.replace("_", " ")
    shown["name"] = name
    first = graph.connect(
        source, target, name=name, condition=condition, documentation=words, data=payload
    )
    if gateway is not None and condition is None:
        gateway.default = first.id
    if timer is not None and move.wait is not None:
        wait = graph.add(
            _Node(
                f"Wait_{move.index + 1}",
                "timer",
                f"wait {format_duration(_median(move.wait))}",
                pathway.steps[move.target].role or pathway.steps[move.source].role,
                f"Declared wait: {move.wait.describe()} (cause: {move.declared_cause or 'none'});"
                " the timer shows its median.",
                timer=timer,
            )
        )
        first.target = wait.id
        graph.connect(wait.id, target)


def _median(distribution: Distribution) -> float:
    """The median of a duration distribution, in minutes (the timer shows it)."""
    if isinstance(distribution, Fixed):
        return distribution.value
    if isinstance(distribution, Lognormal):
        return math.exp(distribution.mu)
    if isinstance(distribution, Uniform):
        return (distribution.low + distribution.high) / 2
    if isinstance(distribution, Exponential):
        return distribution.mean_value * math.log(2)
    if isinstance(distribution, Triangular):
        low, mode, high = distribution.low, distribution.mode, distribution.high
        if high <= low:
            return low
        if mode >= (low + high) / 2:
            return low + math.sqrt((high - low) * (mode - low) / 2)
        return high - math.sqrt((high - low) * (high - mode) / 2)
    if isinstance(distribution, Empirical):
        return _weighted_median(distribution)
    return distribution.mean()


def _weighted_median(distribution: Empirical) -> float:
    pairs = sorted(
        (float(v), w)
        for v, w in zip(distribution.values, distribution.weights, strict=True)
        if isinstance(v, int | float)
    )
    total, running = sum(w for _, w in pairs), 0.0
    for value, weight in pairs:
        running += weight
        if running >= total / 2:
            return value
    return 0.0


def _timer_text(wait: Distribution | None) -> str | None:
    """The ISO 8601 duration a timer shows for a wait (``None``: no wait, or none at all)."""
    if wait is None:
        return None
    minutes = _median(wait)
    if not math.isfinite(minutes) or minutes <= 0:
        return None
    return iso_duration(minutes)


def iso_duration(minutes: float) -> str:
    """``PT1H30M`` for 90 minutes; days as ``P2D``; under a minute in seconds."""
    seconds = round(minutes * 60)
    if seconds < 60:
        return f"PT{max(seconds, 1)}S"
    whole = round(minutes)
    days, rest = divmod(whole, 1440)
    hours, mins = divmod(rest, 60)
    text = "P" + (f"{days}D" if days else "")
    if hours or mins:
        text += "T" + (f"{hours}H" if hours else "") + (f"{mins}M" if mins else "")
    return text


# -- writing XML ----------------------------------------------------------------------------


def _q(namespace: str, tag: str) -> str:
    return f"{{{namespace}}}{tag}"


def _sub(parent: ET.Element, tag: str, namespace: str = BPMN, **attributes: str) -> ET.Element:
    return ET.SubElement(parent, _q(namespace, tag), attributes)


def _base(element: ET.Element, documentation: str, data: Mapping[str, Any] | None) -> None:
    """Documentation and extension elements, first in every BPMN element (XSD order)."""
    if documentation:
        _sub(element, "documentation").text = documentation
    if data is not None:
        holder = _sub(element, "extensionElements")
        _sub(holder, "data", PATHWAY).text = json.dumps(
            data, ensure_ascii=False, separators=(",", ":")
        )


def _xml(pathway: Pathway, graph: _Graph) -> str:
    spec = pathway.spec.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    root = ET.Element(
        _q(BPMN, "definitions"),
        {
            "id": "Definitions_1",
            "targetNamespace": f"urn:carepathway:pathway:{pathway.id}",
            "exporter": "pathway",
            "exporterVersion": __version__,
        },
    )
    process_id = "Process_1"
    collaboration = _sub(root, "collaboration", id="Collaboration_1")
    _sub(
        collaboration,
        "participant",
        id="Participant_1",
        name=pathway.title,
        processRef=process_id,
    )
    process = _sub(root, "process", id=process_id, name=pathway.title, isExecutable="true")
    identity = {k: spec[k] for k in _IDENTITY if k in spec}
    shown = {"name": pathway.title, "start": pathway.start}
    _base(process, pathway.purpose, {"pathway": identity, "shown": shown})
    roles = _lane_order(pathway, graph)
    if roles:
        lanes = _sub(process, "laneSet", id="LaneSet_1")
        for role_id in roles:
            role = pathway.roles[role_id]
            lane = _sub(lanes, "lane", id=f"Lane_{role_id}", name=role.title)
            words = f"Team {role.team}, {role.organisation}; capacity {role.capacity}."
            shown_role = {"name": role.title, "order": list(pathway.roles).index(role_id)}
            payload = {"role": role_id, "spec": spec["roles"][role_id], "shown": shown_role}
            _base(lane, words, payload)
            for node in graph.nodes.values():
                if node.role == role_id and (node.kind != "end" or node.data is not None):
                    _sub(lane, "flowNodeRef").text = node.id
    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for flow in graph.flows:
        outgoing.setdefault(flow.source, []).append(flow.id)
        incoming.setdefault(flow.target, []).append(flow.id)
    for node in graph.nodes.values():
        _write_node(process, node, incoming.get(node.id, []), outgoing.get(node.id, []))
    for flow in graph.flows:
        element = _sub(
            process, "sequenceFlow", id=flow.id, sourceRef=flow.source, targetRef=flow.target
        )
        if flow.name:
            element.set("name", flow.name)
        _base(element, flow.documentation, flow.data)
        if flow.condition is not None:
            condition = _sub(element, "conditionExpression")
            condition.set(_q(XSI, "type"), "bpmn:tFormalExpression")
            condition.text = flow.condition
    _diagram(root, graph, roles)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    if f'xmlns:xsi="{XSI}"' not in body:
        body = body.replace("<bpmn:definitions ", f'<bpmn:definitions xmlns:xsi="{XSI}" ', 1)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


_TAGS = {
    "start": "startEvent",
    "task": "userTask",
    "end": "endEvent",
    "gateway": "exclusiveGateway",
    "timer": "intermediateCatchEvent",
}


def _write_node(process: ET.Element, node: _Node, incoming: list[str], out: list[str]) -> None:
    element = _sub(process, _TAGS[node.kind], id=node.id)
    if node.name:
        element.set("name", node.name)
    if node.default:
        element.set("default", node.default)
    _base(element, node.documentation, node.data)
    for flow in incoming:
        _sub(element, "incoming").text = flow
    for flow in out:
        _sub(element, "outgoing").text = flow
    if node.kind == "timer":
        definition = _sub(element, "timerEventDefinition", id=f"{node.id}_timer")
        duration = _sub(definition, "timeDuration")
        duration.set(_q(XSI, "type"), "bpmn:tFormalExpression")
        duration.text = node.timer or ""


# -- layout ---------------------------------------------------------------------------------


def _layers(graph: _Graph) -> dict[str, int]:
    """Breadth-first distance of each node from the start event (unreached ones last)."""
    after: dict[str, list[str]] = {}
    for flow in graph.flows:
        after.setdefault(flow.source, []).append(flow.target)
    layer = {"StartEvent": 0}
    queue = ["StartEvent"]
    for node in queue:
        for target in after.get(node, []):
            if target not in layer:
                layer[target] = layer[node] + 1
                queue.append(target)
    last = max(layer.values(), default=0)
    for node in graph.nodes:
        if node not in layer:
            last += 1
            layer[node] = last
    return layer


def _display_lanes(graph: _Graph, layer: Mapping[str, int]) -> dict[str, str | None]:
    """The lane each node is drawn in: its role's, else its first predecessor's."""
    before: dict[str, list[str]] = {}
    for flow in graph.flows:
        before.setdefault(flow.target, []).append(flow.source)
    lanes: dict[str, str | None] = {}
    for node_id in sorted(graph.nodes, key=lambda n: layer[n]):
        role = graph.nodes[node_id].role
        if role is None:
            role = next((lanes[p] for p in before.get(node_id, []) if lanes.get(p)), None)
        lanes[node_id] = role
    return lanes


def _lane_order(pathway: Pathway, graph: _Graph) -> list[str]:
    """Roles in the order their work first appears from the start (then the rest)."""
    layer = _layers(graph)
    first: dict[str, int] = {}
    for node in graph.nodes.values():
        if node.role is not None:
            first[node.role] = min(first.get(node.role, 10**9), layer[node.id])
    declared = list(pathway.roles)
    return sorted(declared, key=lambda r: (first.get(r, 10**9), declared.index(r)))


def _diagram(root: ET.Element, graph: _Graph, roles: list[str]) -> None:
    layer = _layers(graph)
    drawn_in = _display_lanes(graph, layer)
    bands: list[str | None] = [*roles] if roles else [None]
    rows: dict[tuple[str | None, int], list[str]] = {}
    for node_id in sorted(graph.nodes, key=lambda n: (layer[n], list(graph.nodes).index(n))):
        band = drawn_in[node_id] if drawn_in[node_id] in bands else bands[0]
        rows.setdefault((band, layer[node_id]), []).append(node_id)
    height = {b: max([len(v) for (lb, _), v in rows.items() if lb == b] or [1]) for b in bands}
    columns = max(layer.values(), default=0) + 1
    x0, y0 = 100, 60
    width = _HEADER + 2 * _MARGIN + columns * _COLUMN
    tops: dict[str | None, int] = {}
    y = y0
    for band in bands:
        tops[band] = y
        y += height[band] * _ROW
    bounds: dict[str, tuple[float, float, float, float]] = {}
    box: tuple[float, float, float, float]
    for (band, column), members in rows.items():
        for row, node_id in enumerate(members):
            w, h = _size(graph.nodes[node_id].kind)
            cx = x0 + _HEADER + _MARGIN + column * _COLUMN + _COLUMN / 2
            cy = tops[band] + row * _ROW + _ROW / 2
            bounds[node_id] = (cx - w / 2, cy - h / 2, w, h)
    diagram = _sub(root, "BPMNDiagram", BPMNDI, id="BPMNDiagram_1")
    plane = _sub(diagram, "BPMNPlane", BPMNDI, id="BPMNPlane_1", bpmnElement="Collaboration_1")
    _shape(plane, "Participant_1", (x0, y0, width, y - y0), horizontal=True)
    for band in bands:
        if band is not None:
            box = (x0 + _HEADER, tops[band], width - _HEADER, height[band] * _ROW)
            _shape(plane, f"Lane_{band}", box, horizontal=True)
    for node_id, box in bounds.items():
        _shape(plane, node_id, box)
    for flow in graph.flows:
        edge = _sub(plane, "BPMNEdge", BPMNDI, id=f"{flow.id}_di", bpmnElement=flow.id)
        for px, py in _waypoints(bounds[flow.source], bounds[flow.target]):
            _sub(edge, "waypoint", DI, x=_num(px), y=_num(py))


def _size(kind: str) -> tuple[int, int]:
    return _SIZES.get(kind, _GATEWAY)


def _num(value: float) -> str:
    return str(round(value))


def _shape(
    plane: ET.Element,
    element: str,
    box: tuple[float, float, float, float],
    horizontal: bool = False,
) -> None:
    shape = _sub(plane, "BPMNShape", BPMNDI, id=f"{element}_di", bpmnElement=element)
    if horizontal:
        shape.set("isHorizontal", "true")
    x, y, w, h = box
    _sub(shape, "Bounds", DC, x=_num(x), y=_num(y), width=_num(w), height=_num(h))


def _waypoints(
    source: tuple[float, float, float, float], target: tuple[float, float, float, float]
) -> list[tuple[float, float]]:
    """Right-angled edges: forward from side to side, backward underneath."""
    sx, sy, sw, sh = source
    tx, ty, tw, th = target
    s_mid, t_mid = sy + sh / 2, ty + th / 2
    if tx > sx + sw:
        start, end = (sx + sw, s_mid), (tx, t_mid)
        if abs(s_mid - t_mid) < 1:
            return [start, end]
        middle = (start[0] + end[0]) / 2
        return [start, (middle, s_mid), (middle, t_mid), end]
    below = max(sy + sh, ty + th) + 15
    start_x, end_x = sx + sw * 0.6, tx + tw * 0.4
    return [(start_x, sy + sh), (start_x, below), (end_x, below), (end_x, ty + th)]


# -- reading XML ----------------------------------------------------------------------------


@attrs.define
class _Element:
    """An XML element with the line and column where it starts."""

    namespace: str
    tag: str
    attributes: dict[str, str]
    line: int
    column: int
    children: list[_Element] = attrs.Factory(list)
    text: str = ""

    def find(self, tag: str, namespace: str = BPMN) -> _Element | None:
        return next(self.findall(tag, namespace), None)

    def findall(self, tag: str, namespace: str = BPMN) -> Iterator[_Element]:
        return (c for c in self.children if c.tag == tag and c.namespace == namespace)

    def get(self, name: str, default: str = "") -> str:
        return self.attributes.get(name, default)


def _parse_xml(data: bytes, source: str) -> _Element:
    """Parse XML with expat: no DOCTYPE (so no entity expansion), nothing fetched."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[_Element] = []
    roots: list[_Element] = []

    def refuse(*_args: object) -> None:
        raise _Refused("a DOCTYPE or entity declaration (refused: BPMN files need none)")

    def start(name: str, attributes: dict[str, str]) -> None:
        namespace, _, tag = name.rpartition(" ")
        element = _Element(
            namespace,
            tag,
            {k.rpartition(" ")[2] if k.startswith(XSI) else k: v for k, v in attributes.items()},
            parser.CurrentLineNumber,
            parser.CurrentColumnNumber + 1,
        )
        (stack[-1].children if stack else roots).append(element)
        stack.append(element)

    def end(_name: str) -> None:
        stack.pop()

    def text(data: str) -> None:
        if stack:
            stack[-1].text += data

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except _Refused as error:
        raise BpmnError(
            [_problem(source, parser.CurrentLineNumber, "", str(error), code="bpmn-unsafe")]
        ) from None
    except expat.ExpatError as error:
        message = f"not well-formed XML: {expat.ErrorString(error.code)}"
        raise BpmnError(
            [_problem(source, error.lineno, "", message, column=error.offset + 1, code="bpmn-xml")]
        ) from None
    return roots[0]


class _Refused(Exception):
    """Raised inside the expat callbacks; turned into a BpmnError with the line."""


def _problem(
    source: str,
    line: int,
    element_id: str,
    message: str,
    *,
    column: int = 1,
    code: str = "bpmn-invalid",
    suggestion: str = "",
) -> Problem:
    return Problem(
        message,
        source=source,
        line=line,
        column=column,
        field=f"element {element_id}" if element_id else "",
        code=code,
        suggestion=suggestion,
    )


# -- import ---------------------------------------------------------------------------------


@attrs.frozen(slots=True)
class Unmapped:
    """One BPMN element (or part of one) the import could not carry into the pathway."""

    element: str
    kind: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.kind} {self.element}: {self.reason}"


@attrs.frozen(slots=True)
class BpmnImport:
    """A draft pathway read from a BPMN file: the compiled ``pathway``, its ``yaml`` text
    (what ``pathway import-bpmn`` writes), and what could not be mapped."""

    pathway: Pathway
    yaml: str
    unmapped: tuple[Unmapped, ...]
    source: str


_TASKS = frozenset(
    {
        "task",
        "userTask",
        "manualTask",
        "serviceTask",
        "scriptTask",
        "businessRuleTask",
        "sendTask",
        "receiveTask",
        "callActivity",
        "subProcess",
        "adHocSubProcess",
        "transaction",
    }
)
_GATEWAYS = frozenset(
    {
        "exclusiveGateway",
        "inclusiveGateway",
        "parallelGateway",
        "eventBasedGateway",
        "complexGateway",
    }
)
_PASS = frozenset({"intermediateCatchEvent", "intermediateThrowEvent"})
_QUIET = frozenset({"laneSet", "sequenceFlow", "documentation", "extensionElements"})


@attrs.define
class _Reader:
    """The state of one import: the elements by id, and what did not map."""

    source: str
    nodes: dict[str, _Element] = attrs.Factory(dict)
    flows: dict[str, _Element] = attrs.Factory(dict)
    out: dict[str, list[_Element]] = attrs.Factory(dict)
    lane_of: dict[str, str] = attrs.Factory(dict)
    step_of: dict[str, str] = attrs.Factory(dict)
    unmapped: list[Unmapped] = attrs.Factory(list)

    def skip(self, element: _Element, reason: str) -> None:
        kind = element.tag
        self.unmapped.append(Unmapped(element.get("id", "(no id)"), kind, element.line, reason))

    def fail(self, element: _Element | None, message: str, suggestion: str = "") -> BpmnError:
        line = element.line if element is not None else 0
        element_id = element.get("id") if element is not None else ""
        column = element.column if element is not None else 1
        return BpmnError(
            [_problem(self.source, line, element_id, message, column=column, suggestion=suggestion)]
        )


def import_bpmn(source: str | os.PathLike[str] | bytes, *, name: str | None = None) -> BpmnImport:
    """Read a BPMN 2.0 file (a path, or its bytes) into a draft pathway.

    Lanes become roles, tasks steps, end events outcomes, gateways and sequence flows
    transitions, timer events waits. Pathway's own export comes back with everything it
    carried (see :data:`BPMN_LIMITS`). Raises :class:`~pathway.errors.BpmnError` naming the
    file, line and element id when the file is not safe, well-formed BPMN, or the draft
    it gives does not validate as a pathway.
    """
    if isinstance(source, bytes):
        data, display = source, name or "<bpmn>"
    else:
        display = name or os.fspath(source)
        try:
            data = Path(source).read_bytes()
        except OSError as error:
            problem = _problem(display, 0, "", f"cannot read the file: {error.strerror or error}")
            raise BpmnError([problem]) from None
    if len(data) > MAX_BYTES:
        raise BpmnError([_problem(display, 0, "", f"larger than {MAX_BYTES} bytes")])
    root = _parse_xml(data, display)
    reader = _Reader(display)
    if root.namespace != BPMN or root.tag != "definitions":
        raise reader.fail(
            root,
            f"not a BPMN 2.0 file: the root element is {root.tag!r} in {root.namespace or 'no'} "
            "namespace",
            f"expected bpmn:definitions in {BPMN}",
        )
    process = _main_process(root, reader)
    spec = _read_process(process, reader)
    text = dump(_validated(spec, reader, process))
    try:
        pathway = load(text, name=display)
    except DefinitionError as error:  # pragma: no cover - the spec validated just above
        raise BpmnError(error.problems) from None
    return BpmnImport(pathway, text, tuple(reader.unmapped), display)


def _validated(spec: dict[str, Any], reader: _Reader, process: _Element) -> Pathway:
    try:
        return load(spec, name=reader.source)
    except DefinitionError as error:
        problems = [
            _problem(
                reader.source,
                process.line,
                process.get("id"),
                f"the draft pathway does not validate: {p.field + ': ' if p.field else ''}"
                f"{p.message}",
                suggestion=p.suggestion,
            )
            for p in error.problems
        ]
        raise BpmnError(problems) from None


def _main_process(root: _Element, reader: _Reader) -> _Element:
    processes = list(root.findall("process"))
    if not processes:
        raise reader.fail(root, "the file has no bpmn:process", "export a process diagram")
    by_id = {p.get("id"): p for p in processes}
    chosen = processes[0]
    collaboration = root.find("collaboration")
    if collaboration is not None:
        refs = [p.get("processRef") for p in collaboration.findall("participant")]
        chosen = next((by_id[r] for r in refs if r in by_id), chosen)
        for flow in collaboration.findall("messageFlow"):
            reader.skip(flow, "message flows between pools have no pathway meaning")
    for other in processes:
        if other is not chosen:
            reader.skip(other, "only one process is imported (the first pool's)")
    return chosen


def _data(element: _Element) -> dict[str, Any] | None:
    holder = element.find("extensionElements")
    if holder is None:
        return None
    data = holder.find("data", PATHWAY)
    if data is None:
        return None
    try:
        value = json.loads(data.text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _read_process(process: _Element, reader: _Reader) -> dict[str, Any]:
    own = _data(process) or {}
    base = own.get("pathway") if isinstance(own.get("pathway"), dict) else None
    shown = own.get("shown", {})
    name = process.get("name")
    if base is not None:
        spec: dict[str, Any] = _json(base)
        if name and name != shown.get("name"):
            spec["title"] = name
    else:
        spec = {"format": 1, "id": _slug(name or process.get("id"), "-"), "version": "draft"}
        spec["title"] = name or process.get("id") or "Imported process"
    roles = _read_lanes(process, reader, name or spec.get("title", ""))
    for element in process.children:
        _collect(element, reader)
    steps = _read_steps(reader, roles)
    spec["roles"] = roles
    spec["steps"] = steps
    start = _read_start(reader)
    if start is not None and (base is None or start != shown.get("start")):
        spec["start"] = start
    spec["transitions"] = _read_moves(reader, set(spec.get("facts", {})), spec)
    _keep_checkpoints(spec, reader, process)
    return spec


def _collect(element: _Element, reader: _Reader) -> None:
    tag, element_id = element.tag, element.get("id")
    if element.namespace != BPMN or tag in _QUIET:
        if tag == "sequenceFlow" and element.namespace == BPMN:
            reader.flows[element_id] = element
            reader.out.setdefault(element.get("sourceRef"), []).append(element)
        return
    if tag in _TASKS or tag in _GATEWAYS or tag in _PASS or tag in {"startEvent", "endEvent"}:
        reader.nodes[element_id] = element
        if tag in {"subProcess", "adHocSubProcess", "transaction"} and element.children:
            reader.skip(element, "a sub-process becomes one step; what is inside is not imported")
        if tag in _GATEWAYS and tag != "exclusiveGateway":
            reader.skip(
                element,
                f"a {tag} is read as a choice of one way (pathway moves a case "
                "along one transition at a time)",
            )
        if tag in _PASS and element.find("timerEventDefinition") is None:
            reader.skip(element, "only timer events become waits; this one is passed through")
        for boundary in element.findall("boundaryEvent"):
            reader.skip(boundary, "boundary events are not imported")
        return
    reader.skip(element, f"bpmn:{tag} has no pathway meaning")


def _read_lanes(process: _Element, reader: _Reader, organisation: str) -> dict[str, Any]:
    roles: dict[str, Any] = {}
    order: dict[str, float] = {}
    for lane_set in process.findall("laneSet"):
        for lane in _leaf_lanes(lane_set, reader):
            data = _data(lane) or {}
            lane_name = lane.get("name")
            if "role" in data and isinstance(data.get("spec"), dict):
                role_id, item = str(data["role"]), _json(data["spec"])
                if lane_name and lane_name != data.get("shown", {}).get("name"):
                    item["title"] = lane_name
            else:
                role_id = _unique(_slug(lane_name or lane.get("id"), "_"), roles)
                item = {"team": role_id, "organisation": organisation or "organisation"}
                if lane_name:
                    item["title"] = lane_name
            roles[role_id] = item
            order[role_id] = _order(data, len(order))
            for ref in lane.findall("flowNodeRef"):
                reader.lane_of[ref.text.strip()] = role_id
    return dict(sorted(roles.items(), key=lambda item: order[item[0]]))


def _order(data: Mapping[str, Any], position: int) -> float:
    """Where an item was declared (pathway's own export), else after those, in file order."""
    shown = data.get("shown")
    value = shown.get("order") if isinstance(shown, dict) else None
    return float(value) if isinstance(value, int | float) else 1e9 + position


def _leaf_lanes(lane_set: _Element, reader: _Reader) -> Iterator[_Element]:
    for lane in lane_set.findall("lane"):
        child = lane.find("childLaneSet")
        if child is not None and any(True for _ in child.findall("lane")):
            reader.skip(lane, "nested lanes: each innermost lane becomes a role")
            yield from _leaf_lanes(child, reader)
        else:
            yield lane


def _is_step(element: _Element) -> bool:
    return element.tag in _TASKS or element.tag == "endEvent"


def _read_steps(reader: _Reader, roles: Mapping[str, Any]) -> dict[str, Any]:
    steps: dict[str, Any] = {}
    for element_id, element in reader.nodes.items():
        if not _is_step(element):
            continue
        data = _data(element) or {}
        kind = "end" if element.tag == "endEvent" else "task"
        name = element.get("name").strip()
        lane = reader.lane_of.get(element_id)
        if "step" in data and isinstance(data.get("spec"), dict):
            step_id, item = str(data["step"]), _json(data["spec"])
            shown = data.get("shown", {})
            if name != shown.get("name"):
                item["title"] = name.removesuffix(VISIT_SUFFIX) or step_id
                item["visit"] = name.endswith(VISIT_SUFFIX)
            if lane != shown.get("lane"):
                item["role"] = lane
            if kind != shown.get("kind"):
                item["outcome"] = kind == "end"
        else:
            base = element_id.removeprefix("Step_") if element_id.startswith("Step_") else ""
            label = name.removesuffix(VISIT_SUFFIX)
            step_id = _unique(_slug(base or label or element_id, "_"), steps)
            item = {"outcome": True} if kind == "end" else {}
            if name:
                item["title"] = name.removesuffix(VISIT_SUFFIX)
            if name.endswith(VISIT_SUFFIX):
                item["visit"] = True
            if lane is not None:
                item["role"] = lane
            elif kind == "task":
                reader.skip(element, "a task outside every lane: the step has no role")
        if item.get("role") is not None and item["role"] not in roles:
            item.pop("role")
        reader.step_of[element_id] = step_id
        steps[step_id] = {k: v for k, v in item.items() if v is not None}
    return steps


def _read_start(reader: _Reader) -> str | None:
    starts = [e for e in reader.nodes.values() if e.tag == "startEvent"]
    for extra in starts[1:]:
        reader.skip(extra, "only one start event is used (the first)")
    if not starts:
        return None
    for path in _paths(starts[0].get("id"), reader):
        return reader.step_of[path.target]
    return None


@attrs.define
class _Path:
    """A way from one step's node to the next step's node through gateways and events."""

    target: str
    flows: list[_Element]
    conditions: list[str]
    timers: list[_Element]
    default: bool = False


def _paths(node_id: str, reader: _Reader) -> Iterator[_Path]:
    """Every way from ``node_id`` to the next step node (no node visited twice)."""
    stack: list[tuple[str, _Path, frozenset[str]]] = [
        (node_id, _Path("", [], [], []), frozenset({node_id}))
    ]
    while stack:
        current, path, seen = stack.pop()
        element = reader.nodes.get(current)
        for flow in reversed(reader.out.get(current, [])):
            target = flow.get("targetRef")
            after = reader.nodes.get(target)
            if after is None or (target in seen and not _is_step(after)):
                continue
            condition = flow.find("conditionExpression")
            conditions = list(path.conditions)
            if condition is not None and condition.text.strip():
                conditions.append(condition.text.strip())
            default = path.default or (
                element is not None and element.get("default") == flow.get("id")
            )
            timers = [*path.timers, after] if after.find("timerEventDefinition") else path.timers
            step = _Path(target, [*path.flows, flow], conditions, timers, default)
            if _is_step(after):
                yield step
            else:
                stack.append((target, step, seen | {target}))


def _read_moves(reader: _Reader, facts: set[str], spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    moves: list[tuple[float, dict[str, Any]]] = []
    taken: set[tuple[str, str, str]] = set()
    for element_id, step_id in reader.step_of.items():
        for path in _paths(element_id, reader):
            found = _read_move(reader, step_id, path, facts, spec, taken)
            if found is not None:
                taken.add((found[1]["from"], found[1]["to"], found[1]["trigger"]))
                moves.append((found[0] if found[0] >= 0 else 1e9 + len(moves), found[1]))
    return [move for _, move in sorted(moves, key=lambda item: item[0])]


def _read_move(
    reader: _Reader,
    step_id: str,
    path: _Path,
    facts: set[str],
    spec: Mapping[str, Any],
    taken: set[tuple[str, str, str]],
) -> tuple[float, dict[str, Any]] | None:
    """The transition one path makes, with where it was declared (-1: not known)."""
    target = reader.step_of[path.target]
    carrier = next(((f, d) for f in path.flows if (d := _data(f)) is not None), None)
    condition = " and ".join(f"({c})" if len(path.conditions) > 1 else c for c in path.conditions)
    timer = _timer_of(path, reader)
    if carrier is not None:
        flow, data = carrier
        shown = data.get("shown", {})
        if "route" in data:
            if target != shown.get("to") or step_id != shown.get("from"):
                reader.skip(
                    flow,
                    "a checkpoint route was redirected in the diagram; the "
                    "checkpoint keeps its own routes (edit them in the YAML)",
                )
            return None
        if isinstance(data.get("transition"), dict):
            move: dict[str, Any] = _json(data["transition"])
            move["from"], move["to"] = step_id, target
            if (condition or None) != shown.get("condition"):
                _set_guard(move, condition, flow, reader, facts)
            if timer != shown.get("timer"):
                _set_wait(move, timer, path, reader)
            name = flow.get("name")
            if name and name != shown.get("name"):
                move["title"] = name
            if (step_id, target, move.get("trigger")) in taken:
                return None
            return _order(data, 0), move
    first = path.flows[0]
    name = next((f.get("name") for f in path.flows if f.get("name")), "")
    trigger = _slug(name, "_") if name else f"to_{target}"
    while (step_id, target, trigger) in taken or trigger in spec.get("checkpoints", {}):
        trigger += "_2"
    move = {"trigger": trigger, "from": step_id, "to": target}
    if name:
        move["title"] = name
    if condition and not re.fullmatch(r"route == '[^']*'", condition):
        held = [f for f in path.flows if f.find("conditionExpression") is not None]
        _set_guard(move, condition, held[-1] if held else first, reader, facts)
    if timer is not None:
        _set_wait(move, timer, path, reader)
    return -1.0, move


def _set_guard(
    move: dict[str, Any], condition: str, flow: _Element, reader: _Reader, facts: set[str]
) -> None:
    """A condition from the diagram as the move's ``when`` (or listed, if it cannot be)."""
    text = condition.strip()
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1].strip()
    move.pop("when", None)
    if not text or re.fullmatch(r"route == '[^']*'", text):
        return
    try:
        expression = parse(text)
    except ExpressionError as error:
        reader.skip(flow, f"condition {text!r} is not a pathway expression ({error})")
        return
    unknown = [name for name, _col, _hint in unknown_names(expression, facts)]
    if unknown:
        reader.skip(
            flow,
            f"condition {text!r} uses {', '.join(unknown)}, which the pathway does not declare "
            "as facts; declare them under facts: and add the guard as when:",
        )
        return
    move["when"] = text


def _timer_of(path: _Path, reader: _Reader) -> str | None:
    texts = []
    for event in path.timers:
        definition = event.find("timerEventDefinition")
        duration = definition.find("timeDuration") if definition is not None else None
        if duration is None or not duration.text.strip():
            reader.skip(event, "a timer without a timeDuration (a date or a cycle) is not a wait")
            continue
        texts.append(duration.text.strip().strip("\"'"))
    if len(texts) > 1:
        reader.skip(path.timers[-1], "two timers on one way: only the first is the wait")
    return texts[0] if texts else None


_ISO = re.compile(
    r"P(?:(?P<y>\d+(?:\.\d+)?)Y)?(?:(?P<mo>\d+(?:\.\d+)?)M)?(?:(?P<w>\d+(?:\.\d+)?)W)?"
    r"(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<mi>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?"
)
_MINUTES = {"y": 525600, "mo": 43200, "w": 10080, "d": 1440, "h": 60, "mi": 1, "s": 1 / 60}


def iso_minutes(text: str) -> float | None:
    """Minutes in an ISO 8601 duration (``PT1H30M`` -> 90; a year is 365 days, a month
    30), or ``None`` when the text is not one."""
    match = _ISO.fullmatch(text.strip().upper())
    if match is None or text.strip().upper() in {"P", "PT"}:
        return None
    return sum(float(v) * _MINUTES[k] for k, v in match.groupdict().items() if v)


def _set_wait(move: dict[str, Any], timer: str | None, path: _Path, reader: _Reader) -> None:
    if timer is None:
        move.pop("wait", None)
        return
    minutes = iso_minutes(timer)
    if minutes is None:
        reader.skip(path.timers[0], f"timeDuration {timer!r} is not an ISO 8601 duration")
        return
    move["wait"] = format_duration(minutes).replace(" ", "") if minutes >= 1 else "0m"


def _keep_checkpoints(spec: dict[str, Any], reader: _Reader, process: _Element) -> None:
    """Keep the pathway's checkpoints whose steps are all still in the diagram."""
    steps = spec["steps"]
    kept = {}
    for cp_id, item in spec.get("checkpoints", {}).items():
        targets = [item.get("at")] + [r.get("to") for r in item.get("routes") or []]
        targets += [item.get(k) for k in ("otherwise", "proceed") if item.get(k)]
        targets += [v for k, v in item.items() if k.startswith("if_not_") and v]
        missing = [t for t in targets if t not in steps]
        if missing:
            gateway = reader.nodes.get(f"Checkpoint_{cp_id}", process)
            reader.skip(gateway, f"checkpoint {cp_id!r} dropped: step {missing[0]!r} is gone")
            continue
        kept[cp_id] = item
    if kept or "checkpoints" in spec:
        spec["checkpoints"] = kept


def _slug(text: str, joiner: str) -> str:
    """An id from a name: ``'Triage (visit)'`` -> ``'triage_visit'``."""
    words = re.findall(r"[A-Za-z0-9]+", text)
    slug = joiner.join(words).lower() if joiner == "-" else "_".join(words).lower()
    if not slug or not slug[0].isalpha():
        slug = "s_" + slug if joiner == "_" else "p-" + slug
    return slug[:60]


def _unique(candidate: str, taken: Mapping[str, Any]) -> str:
    name, count = candidate, 1
    while name in taken:
        count += 1
        name = f"{candidate}_{count}"
    return name
