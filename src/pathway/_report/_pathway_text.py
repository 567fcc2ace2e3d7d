"""Text renderings of a compiled pathway (``pathway show``): the summary, a Mermaid
flowchart and a Graphviz DOT graph, both with lanes by owner and edges labelled with
chance, wait and hand-off level (the same words as the SVG process map)."""

from __future__ import annotations

from collections import Counter

from pathway._model._distributions import format_duration
from pathway._model._pathway import Checkpoint, Pathway, Step, Transition
from pathway._report._map_layout import (
    LaneBy,
    back_edges,
    lane_key,
    lane_order,
    lane_words,
    ranks,
    transition_words,
    wrap,
)
from pathway._report._palette import WORK_COLOURS
from pathway._vocab import OWNER_LEVELS, WORK_CLASSES, WORK_NAMES

__all__ = ["dot", "mermaid", "summary"]


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


def mermaid(pathway: Pathway, lane_by: LaneBy = "role") -> str:
    """A Mermaid flowchart: one subgraph per owner (the lanes), outcomes outside them;
    visits rounded, outcomes circled, checkpoints as diamonds, hand-offs dotted; every
    edge labelled with its trigger, chance, wait and hand-off level."""
    lines = ["flowchart LR"]
    for key, steps in _lanes(pathway, lane_by):
        title, subtitle = lane_words(pathway, key, lane_by)
        heading = f"{title} ({subtitle})" if subtitle else title
        lines.append(f'  subgraph lane_{_lane_id(key)}["{_label(heading)}"]')
        lines.extend(f"    {_node(pathway.steps[s], pathway)}" for s in steps)
        lines.append("  end")
    lines.extend(f"  {_node(s, pathway)}" for s in pathway.steps.values() if s.outcome)
    lines.extend(f"  {edge}" for edge in _edges(pathway))
    return "\n".join(lines) + "\n"


def _lanes(pathway: Pathway, lane_by: LaneBy) -> list[tuple[str, list[str]]]:
    """Working steps by lane, lanes in the process map's order."""
    order = lane_order(pathway, ranks(pathway, back_edges(pathway)), lane_by)
    found: dict[str, list[str]] = {key: [] for key in order}
    for step_id, step in pathway.steps.items():
        key = lane_key(pathway, step, lane_by)
        if key is not None:
            found[key].append(step_id)
    return list(found.items())


def _lane_id(key: str) -> str:
    """A lane key as an identifier (letters, digits and underscores)."""
    return "".join(c if c.isalnum() else "_" for c in key) or "no_owner"


def _edges(pathway: Pathway) -> list[str]:
    """One edge per transition; a checkpoint's routes to one step share an edge that is
    labelled with their conditions (``plan_check: not legal / not necessary``)."""
    conditions = {
        route.transition: str(route.when) if route.when is not None else _fallback(checkpoint)
        for checkpoint in pathway.checkpoints.values()
        for route in checkpoint.routes
    }
    edges = [
        _edge(t, _words(t.trigger, pathway, t)) for t in pathway.transitions if t.checkpoint is None
    ]
    routes: dict[tuple[str, str, str], list[Transition]] = {}
    for transition in pathway.transitions:
        if transition.checkpoint is not None:
            key = (transition.checkpoint, transition.source, transition.target)
            routes.setdefault(key, []).append(transition)
    for (checkpoint, _, _), group in routes.items():
        label = f"{checkpoint}: {' / '.join(conditions[t.index] for t in group)}"
        chance = sum(pathway.checkpoints[checkpoint].route_probabilities().get(t.index, 0.0)
                     for t in group)  # fmt: skip
        if chance < 1:
            label += f" · p {chance:.3g}"
        edges.append(_edge(group[0], label))
    return edges


def _words(first: str, pathway: Pathway, transition: Transition) -> str:
    """``first``, then the transition's chance and wait (the hand-off is added by
    :func:`_edge`), joined by `` · ``."""
    words = [w.replace("\u00a0", " ") for w in transition_words(pathway, transition)]
    return " · ".join([first, *(w for w in words if not w.startswith("hand-off"))])


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
        label += f" · hand-off: {transition.handoff}"
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


# -- Graphviz DOT -------------------------------------------------------------------------

_DASHES = {"worker": "dotted", "role": "dashed", "team": "dashed", "organisation": "dashed"}


def dot(pathway: Pathway, lane_by: LaneBy = "role") -> str:
    """A Graphviz DOT graph, left to right: one cluster per owner (the lanes), steps
    filled by work class, visits with a thick outline, checkpoints as diamonds after
    their step, outcomes as ellipses; edges labelled with chance, wait and hand-off,
    the nominal path drawn thick. Render it with ``dot -Tsvg``."""
    nominal = {t.index for t in pathway.nominal_path()}
    lines = [
        f"digraph {_q(pathway.id)} {{",
        f"  graph [rankdir=LR, newrank=true, fontname=Helvetica, labelloc=t, "
        f"label={_q(f'{pathway.title} (version {pathway.version})')}];",
        '  node [shape=box, style="rounded,filled", fontname=Helvetica, fontsize=11];',
        "  edge [fontname=Helvetica, fontsize=9];",
    ]
    for number, (key, steps) in enumerate(_lanes(pathway, lane_by)):
        title, subtitle = lane_words(pathway, key, lane_by)
        heading = (title, subtitle) if subtitle else (title,)
        lines.append(f"  subgraph cluster_{number} {{")
        lines.append(
            f'    label={_q(*heading)}; style=filled; fillcolor="#f5f7fa"; color="#b0bec5";'
        )
        for step_id in steps:
            lines.extend(f"    {line}" for line in _dot_step(pathway, pathway.steps[step_id]))
        lines.append("  }")
    for outcome in pathway.steps.values():
        if outcome.outcome:
            nominal_outcome = outcome.id in pathway.nominal_steps()
            lines.append(
                f"  {_q(outcome.id)} [label={_q(*wrap(outcome.title, 28))}, shape=ellipse, "
                f'fillcolor="#eceff1", penwidth={3 if nominal_outcome else 1}];'
            )
    lines.extend(f"  {_dot_edge(pathway, t, t.index in nominal)}" for t in pathway.transitions)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _q(*lines: str) -> str:
    """A DOT double-quoted string of ``lines`` (backslashes and quotes escaped), joined
    by DOT's centred line break."""
    escaped = (line.replace("\\", "\\\\").replace('"', '\\"') for line in lines)
    return '"' + "\\n".join(escaped) + '"'


def _dot_step(pathway: Pathway, step: Step) -> list[str]:
    colour = WORK_COLOURS[step.work]
    words = [*wrap(step.title, 28), WORK_NAMES[step.work] + (" · visit" if step.visit else "")]
    if step.calendar:
        words.append(f"gate: {step.calendar}")
    outline = "#1c2529" if step.visit else colour
    lines = [
        f"{_q(step.id)} [label={_q(*words)}, fillcolor={_q(_light(colour))}, "
        f"color={_q(outline)}, penwidth={2.5 if step.visit else 1}];"
    ]
    if step.checkpoint:
        checkpoint = pathway.checkpoints[step.checkpoint]
        decision = (checkpoint.framework or "decision") + "?"
        lines.append(
            f"{_q(_diamond_id(step))} [label={_q(decision)}, "
            f'tooltip={_q(checkpoint.title)}, shape=diamond, style=filled, fillcolor="#fff3e0", '
            "fontsize=9];"
        )
        lines.append(f"{_q(step.id)} -> {_q(_diamond_id(step))} [arrowhead=none];")
    return lines


def _diamond_id(step: Step) -> str:
    return f"{step.id}?checkpoint"


def _light(colour: str) -> str:
    """``colour`` mixed with four parts white: a fill dark text reads on."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - (255 - c) * 0.2):02x}" for c in rgb)


def _dot_edge(pathway: Pathway, transition: Transition, nominal: bool) -> str:
    source = transition.source
    if transition.checkpoint is not None:
        source = _diamond_id(pathway.steps[source])
    words = [w.replace("\u00a0", " ") for w in transition_words(pathway, transition)]
    attributes = [f"label={_q(*words)}"] if words else []
    if transition.handoff in _DASHES:
        attributes.append(f"style={_DASHES[transition.handoff]}")
    if nominal:
        attributes.append("penwidth=3")
    else:
        attributes.append('color="#78909c"')
    return f"{_q(source)} -> {_q(transition.target)} [{', '.join(attributes)}];"
