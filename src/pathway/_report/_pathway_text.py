"""Plain-text and Mermaid renderings of a compiled pathway (``pathway show``)."""

from __future__ import annotations

from collections import Counter

from pathway._model._distributions import format_duration
from pathway._model._pathway import Checkpoint, Pathway, Step, Transition
from pathway._vocab import OWNER_LEVELS, WORK_CLASSES

__all__ = ["mermaid", "summary"]


def summary(pathway: Pathway) -> str:
    """A designer's summary: identity, steps, nominal path, visits, hand-offs, work classes."""
    sections = [
        _identity(pathway),
        _steps_table(pathway),
        _nominal(pathway),
        _work_classes(pathway),
        _checkpoints(pathway),
        _warnings(pathway),
    ]
    return "\n\n".join(section for section in sections if section) + "\n"


def _identity(pathway: Pathway) -> str:
    lines = [
        f"{pathway.title}",
        f"  id {pathway.id}, version {pathway.version}, hash {pathway.content_hash[:12]}",
    ]
    if pathway.purpose:
        lines.append(f"  purpose: {pathway.purpose}")
    return "\n".join(lines)


def _steps_table(pathway: Pathway) -> str:
    rows: list[tuple[str, ...]] = [("step", "owner", "work", "visit", "touch time", "calendar")]
    for step in pathway.steps.values():
        rows.append(
            (
                step.id + (" (outcome)" if step.outcome else ""),
                _owner(pathway, step),
                step.work if not step.outcome else "",
                "yes" if step.visit else "",
                step.duration.describe() if step.duration.mean() else "",
                step.calendar or "",
            )
        )
    return "Steps\n" + _table(rows)


def _owner(pathway: Pathway, step: Step) -> str:
    role = pathway.owner(step.id)
    return f"{role.id} ({role.team}, {role.organisation})" if role else ""


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  " + "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _nominal(pathway: Pathway) -> str:
    path = pathway.nominal_path()
    arrows = " -> ".join(pathway.nominal_steps())
    handoffs = pathway.nominal_handoffs()
    touch = sum(pathway.steps[s].duration.mean() for s in pathway.nominal_steps())
    lines = [
        "Nominal path (most likely journey)",
        f"  {arrows}",
        f"  visits: {pathway.nominal_visits()}",
        f"  hand-offs: {sum(handoffs.values())} "
        f"({', '.join(f'{n} {level}' for level, n in handoffs.items() if n) or 'none'})",
        f"  touch time: {format_duration(touch)}",
    ]
    lines.extend(
        f"  hand-off: {_describe_handoff(pathway, t)}" for t in path if t.handoff in OWNER_LEVELS
    )
    return "\n".join(lines)


def _describe_handoff(pathway: Pathway, transition: Transition) -> str:
    source, target = pathway.owner(transition.source), pathway.owner(transition.target)
    names = f"{source.id if source else '?'} -> {target.id if target else '?'}"
    wait = f", wait {transition.wait.describe()}" if transition.wait else ""
    return f"{transition.source} -> {transition.target} ({transition.handoff}: {names}{wait})"


def _work_classes(pathway: Pathway) -> str:
    counts = Counter(s.work for s in pathway.steps.values() if not s.outcome)
    total = sum(counts.values()) or 1
    shares = ", ".join(
        f"{work} {counts[work]} ({counts[work] / total:.0%})" for work in WORK_CLASSES
    )
    return f"Work classes (steps)\n  {shares}"


def _checkpoints(pathway: Pathway) -> str:
    if not pathway.checkpoints:
        return ""
    lines = ["Checkpoints"]
    for cp in pathway.checkpoints.values():
        kind = f"{cp.framework} " if cp.framework else ""
        lines.append(f"  {cp.id}: {kind}decision at {cp.step}")
        for question in cp.questions:
            mode = f"automatic: {question.expression}" if question.expression else "asked"
            lines.append(f"    - {question.id} ({mode})")
        for route in cp.routes:
            target = pathway.transitions[route.transition].target
            lines.append(f"    {route.when or _fallback(cp)} -> {target}")
    return "\n".join(lines)


def _warnings(pathway: Pathway) -> str:
    if not pathway.warnings:
        return ""
    return "Warnings\n" + "\n".join(f"  {w}" for w in pathway.warnings)


def mermaid(pathway: Pathway) -> str:
    """A Mermaid flowchart: visits rounded, outcomes circled, checkpoints as diamonds,
    hand-offs dotted and labelled with their level."""
    lines = ["flowchart LR"]
    lines.extend(f"  {_node(step, pathway)}" for step in pathway.steps.values())
    lines.extend(f"  {edge}" for edge in _edges(pathway))
    return "\n".join(lines) + "\n"


def _edges(pathway: Pathway) -> list[str]:
    """One edge per transition; a checkpoint's routes to one step share an edge that is
    labelled with their conditions (``plan_check: not legal / not necessary``)."""
    conditions = {
        route.transition: str(route.when) if route.when is not None else _fallback(checkpoint)
        for checkpoint in pathway.checkpoints.values()
        for route in checkpoint.routes
    }
    edges = [_edge(t, t.trigger) for t in pathway.transitions if t.checkpoint is None]
    routes: dict[tuple[str, str, str], list[Transition]] = {}
    for transition in pathway.transitions:
        if transition.checkpoint is not None:
            key = (transition.checkpoint, transition.source, transition.target)
            routes.setdefault(key, []).append(transition)
    for (checkpoint, _, _), group in routes.items():
        label = f"{checkpoint}: {' / '.join(conditions[t.index] for t in group)}"
        edges.append(_edge(group[0], label))
    return edges


def _node(step: Step, pathway: Pathway) -> str:
    node, label = _node_id(step.id), _label(step.title + (" (visit)" if step.visit else ""))
    if step.outcome:
        return f'{node}(("{label}"))'
    if step.checkpoint:
        return f'{node}{{"{label}: {_label(pathway.checkpoints[step.checkpoint].id)}"}}'
    return f'{node}(["{label}"])' if step.visit else f'{node}["{label}"]'


def _fallback(checkpoint: Checkpoint) -> str:
    return "proceed" if checkpoint.framework == "PLAN" else "otherwise"


def _edge(transition: Transition, label: str) -> str:
    source, target = _node_id(transition.source), _node_id(transition.target)
    if transition.handoff in OWNER_LEVELS:
        label += f" / hand-off: {transition.handoff}"
        return f'{source} -. "{_label(label)}" .-> {target}'
    return f'{source} -- "{_label(label)}" --> {target}'


# Words Mermaid reads as keywords, not node ids.
_MERMAID_WORDS = frozenset({"end", "graph", "subgraph", "flowchart", "style", "class", "classDef",
                            "click", "linkStyle", "direction", "call", "href"})  # fmt: skip


def _node_id(step: str) -> str:
    """The step id as a Mermaid node id (a keyword such as ``end`` gets a suffix)."""
    return f"{step}_step" if step in _MERMAID_WORDS else step


def _label(text: str) -> str:
    return text.replace('"', "'")
