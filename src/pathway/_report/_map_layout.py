"""The process map's geometry: a compiled pathway laid out as lanes, boxes and edges.

A layered, left-to-right layout (Sugiyama's method, kept small):

1. **Lanes** group steps by owner (role, team or organisation), ordered by where their
   first step stands; outcomes get a column of their own at the right end.
2. **Ranks** (columns): the longest path from the start, after taking out the back edges
   a depth-first search from the start finds (loops are drawn as back arcs).
3. **Slots**: a forward edge that skips columns gets a placeholder in each column it
   passes, in its source's lane, so it never runs through a box.
4. **Order** within each lane and column by the mean position of the neighbours, swept
   left to right and back a few times, to cut crossings.
5. **Coordinates**, then edge routes and labels (placed where they cover no box and no
   other label).

Everything is deterministic (no set iteration, no clock), so the same pathway always
gives the same geometry. Pure Python, no numpy: ``pathway show --svg`` is a core command.
Rendering is :mod:`pathway._report._map_svg`; words for waits are here because their
length shapes the layout.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import attrs

from pathway._model._distributions import (
    Distribution,
    Empirical,
    Exponential,
    Fixed,
    Lognormal,
    Triangular,
    Uniform,
)
from pathway._model._pathway import Checkpoint, Pathway, Step, Transition
from pathway._vocab import CAUSE_NAMES, MINUTES_PER_DAY, MINUTES_PER_HOUR

__all__ = [
    "LANE_BY",
    "Box",
    "Edge",
    "Label",
    "Lane",
    "LaneBy",
    "MapLayout",
    "layout",
    "route_words",
    "short_duration",
    "transition_words",
    "wait_words",
]

LaneBy = Literal["role", "team", "organisation"]
LANE_BY: tuple[LaneBy, ...] = ("role", "team", "organisation")

# Geometry, in SVG user units (pixels at 100%).
HEADER_W = 190  # the lane titles on the left
BOX_W = 160
BOX_H = 92
OUTCOME_H = 46
GAP = 150  # between columns: edge curves and their labels
DUMMY_H = 22  # the slot an edge takes in a column it passes through
SLOT_GAP = 16
LANE_PAD = 18
CHANNEL = 7  # spacing of the back arcs' tracks at the top of a lane
TOP = 56  # the title above the lanes
MARGIN = 20
LABEL_FONT = 11.0
CHAR_W = 0.6  # mean glyph width in ems of the sans-serif fonts in use
LABEL_CHARS = 20
LINE_H = 13.0

Point = tuple[float, float]


@attrs.frozen(slots=True)
class Lane:
    """A band for one owner: ``title`` and ``subtitle`` (team, organisation) in words."""

    key: str
    title: str
    subtitle: str
    y: float
    height: float


@attrs.frozen(slots=True)
class Box:
    """A step's rectangle (a pill for an outcome), with its lane and column."""

    step: str
    x: float
    y: float
    width: float
    height: float
    lane: int  # -1 for the outcome column
    rank: int
    nominal: bool

    @property
    def cx(self) -> float:
        """The horizontal centre."""
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        """The vertical centre."""
        return self.y + self.height / 2


@attrs.frozen(slots=True)
class Label:
    """An edge label's lines and the rectangle they fill."""

    lines: tuple[str, ...]
    x: float
    y: float
    width: float
    height: float


@attrs.frozen(slots=True)
class Edge:
    """The transitions from one step to another, drawn as one line.

    ``points`` is a polyline; ``curved`` says the renderer may smooth it into curves
    (forward edges), else it is drawn with straight segments (back arcs). ``handoff`` is
    the level of the hand-off (``none`` when the owner stays)."""

    source: str
    target: str
    transitions: tuple[int, ...]
    points: tuple[Point, ...]
    curved: bool
    back: bool
    nominal: bool
    handoff: str
    route: bool  # leaves a checkpoint's diamond
    label: Label | None


@attrs.frozen(slots=True)
class MapLayout:
    """The whole map: canvas size, lanes, boxes (one per step) and edges."""

    width: float
    height: float
    lanes: tuple[Lane, ...]
    boxes: Mapping[str, Box]
    edges: tuple[Edge, ...]
    outcome_x: float | None  # left of the outcome column, when there is one
    lanes_right: float


# -- words ---------------------------------------------------------------------------------


def short_duration(minutes: float) -> str:
    """A duration in a unit people think in: ``"20 min"``, ``"5 h"``, ``"1.5 d"``, ``"4 wk"``."""
    if not math.isfinite(minutes):
        return "unbounded"
    if minutes < MINUTES_PER_HOUR:
        return f"{_round(minutes)} min"
    if minutes < MINUTES_PER_DAY:
        return f"{_round(minutes / MINUTES_PER_HOUR)} h"
    days = minutes / MINUTES_PER_DAY
    if days >= 14 and abs(days / 7 - round(days / 7)) < 0.05:
        return f"{_round(days / 7)} wk"
    return f"{_round(days)} d"


def _round(value: float) -> str:
    """One decimal below 10, whole numbers above (``1.5``, ``12``)."""
    return f"{value:.1f}".removesuffix(".0") if value < 10 else f"{value:.0f}"


def wait_words(wait: Distribution) -> str:
    """A wait in words: ``"median 1.5 d, p90 4 d"``, ``"1 h to 5 h"``, ``"3 d"``."""
    match wait:
        case Fixed(value=value):
            return short_duration(value)
        case Lognormal(mu=mu, sigma=sigma):
            median, p90 = math.exp(mu), math.exp(mu + 1.2815515655446004 * sigma)
            return f"median {short_duration(median)}, p90 {short_duration(p90)}"
        case Uniform(low=low, high=high):
            return f"{short_duration(low)} to {short_duration(high)}"
        case Exponential(mean_value=mean):
            return f"mean {short_duration(mean)}"
        case Triangular(low=low, mode=mode, high=high):
            return f"{short_duration(low)} to {short_duration(high)}, mostly {short_duration(mode)}"
        case Empirical(values=values):
            return f"as observed ({len(values)} values, mean {short_duration(wait.mean())})"
        case _:
            return f"mean {short_duration(wait.mean())}"


def _p(value: float) -> str:
    """A probability as written in pathway files: ``0.95``, ``0.057``."""
    return f"{value:.3g}"


def route_words(checkpoint: Checkpoint, transition: Transition) -> str:
    """The condition of a checkpoint route: ``"if legal and necessary"`` or ``"otherwise"``."""
    for route in checkpoint.routes:
        if route.transition == transition.index:
            if route.when is None:
                return "proceed" if checkpoint.framework == "PLAN" else "otherwise"
            return f"if {str(route.when).replace('_', ' ')}"
    return ""


def transition_words(pathway: Pathway, transition: Transition) -> list[str]:
    """What a transition's label says: the route or chance, the wait, the hand-off."""
    words: list[str] = []
    if transition.checkpoint is not None:
        checkpoint = pathway.checkpoints[transition.checkpoint]
        words.append(route_words(checkpoint, transition))
        chance = checkpoint.route_probabilities().get(transition.index, 0.0)
        if chance < 1:
            words.append(f"p\u00a0{_p(chance)}")
    elif transition.weight < 1:
        words.append(f"p\u00a0{_p(transition.weight)}")
    if transition.wait is not None and transition.wait.mean() > 0:
        cause = CAUSE_NAMES.get(transition.cause, transition.cause)
        because = f" ({cause})" if transition.cause != "handoff" else ""
        words.append(f"wait {wait_words(transition.wait)}{because}")
    if transition.handoff != "none":
        words.append(f"hand-off: {transition.handoff}")
    return words


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken at spaces (never at a
    no-break space, which keeps ``p 0.95`` together)."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        if not word:
            continue
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return lines


def text_width(text: str, size: float) -> float:
    """An estimate of ``text``'s width at font ``size`` (no font metrics are read)."""
    return len(text) * size * CHAR_W


# -- lanes and ranks -----------------------------------------------------------------------


def lane_key(pathway: Pathway, step: Step, lane_by: LaneBy) -> str | None:
    """The lane a step sits in: ``None`` for an outcome (the outcome column), ``""`` for
    a working step without an owner."""
    if step.outcome:
        return None
    if step.role is None:
        return ""
    role = pathway.roles[step.role]
    if lane_by == "role":
        return role.id
    if lane_by == "team":
        return f"{role.organisation}\x1f{role.team}"
    return role.organisation


def lane_words(pathway: Pathway, key: str, lane_by: LaneBy) -> tuple[str, str]:
    """A lane's title and subtitle: the role with its team and organisation, the team
    with its organisation, or the organisation."""
    if not key:
        return "No owner", ""
    if lane_by == "role":
        role = pathway.roles[key]
        return role.title, f"{role.team}, {role.organisation}"
    if lane_by == "team":
        organisation, team = key.split("\x1f")
        return team, organisation
    return key, ""


def back_edges(pathway: Pathway) -> frozenset[int]:
    """Transitions that close a loop: those reaching a step on the depth-first path from
    the start (steps the start cannot reach are searched after, in declaration order)."""
    state: dict[str, int] = {}  # 1: on the path, 2: done
    back: set[int] = set()
    for root in (pathway.start, *pathway.steps):
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(pathway.outgoing(root)))]
        while stack:
            step, edges = stack[-1]
            transition = next(edges, None)
            if transition is None:
                state[step] = 2
                stack.pop()
                continue
            target = transition.target
            if state.get(target) == 1:
                back.add(transition.index)
            elif target not in state:
                state[target] = 1
                stack.append((target, iter(pathway.outgoing(target))))
    return frozenset(back)


def ranks(pathway: Pathway, back: frozenset[int]) -> dict[str, int]:
    """Each step's column: the longest forward path to it; outcomes all in the last."""
    incoming: dict[str, list[str]] = {step: [] for step in pathway.steps}
    for t in pathway.transitions:
        if t.index not in back and t.source != t.target:
            incoming[t.target].append(t.source)
    rank: dict[str, int] = {}
    for name in _topological(pathway, back):
        rank[name] = max((rank[s] + 1 for s in incoming[name]), default=0)
    working = [rank[s] for s, step in pathway.steps.items() if not step.outcome]
    last = max(working, default=-1) + 1
    for step_id, step in pathway.steps.items():
        if step.outcome:
            rank[step_id] = last
    return rank


def _topological(pathway: Pathway, back: frozenset[int]) -> list[str]:
    """Steps in an order where every forward edge points later (Kahn, stable)."""
    degree = dict.fromkeys(pathway.steps, 0)
    for t in pathway.transitions:
        if t.index not in back and t.source != t.target:
            degree[t.target] += 1
    ready = [s for s in pathway.steps if degree[s] == 0]
    order: list[str] = []
    while ready:
        step = ready.pop(0)
        order.append(step)
        for t in pathway.outgoing(step):
            if t.index in back or t.source == t.target:
                continue
            degree[t.target] -= 1
            if degree[t.target] == 0:
                ready.append(t.target)
    return order


def lane_order(pathway: Pathway, rank: Mapping[str, int], lane_by: LaneBy) -> list[str]:
    """Lanes top to bottom: the start's lane first, then by the column and mean column of
    their steps (a staircase down and to the right), declaration order last."""
    columns: dict[str, list[int]] = {}
    for step_id, step in pathway.steps.items():
        key = lane_key(pathway, step, lane_by)
        if key is not None:
            columns.setdefault(key, []).append(rank[step_id])
    start_key = lane_key(pathway, pathway.steps[pathway.start], lane_by)
    declared = list(columns)

    def order(key: str) -> tuple[bool, int, float, int]:
        found = columns[key]
        return (key != start_key, min(found), sum(found) / len(found), declared.index(key))

    return sorted(columns, key=order)


# -- slots -----------------------------------------------------------------------------


@attrs.define
class _Slot:
    """One thing in a lane's column: a step, or an edge passing through."""

    name: str  # a step id, or "edge#n@rank" for a placeholder
    height: float
    lane: int
    rank: int
    order: float = 0.0
    y: float = 0.0


@attrs.define
class _Group:
    """The transitions from one step to another (drawn as one edge)."""

    source: str
    target: str
    transitions: list[Transition]
    back: bool
    passes: list[str] = attrs.Factory(list)  # placeholder slots, left to right


def _groups(pathway: Pathway, back: frozenset[int]) -> list[_Group]:
    """Transitions grouped by (source, target), in declaration order."""
    found: dict[tuple[str, str], _Group] = {}
    for t in pathway.transitions:
        key = (t.source, t.target)
        if key not in found:
            found[key] = _Group(t.source, t.target, [], t.index in back or t.source == t.target)
        found[key].transitions.append(t)
    return list(found.values())


def _slots(
    pathway: Pathway,
    rank: Mapping[str, int],
    lanes: Sequence[str],
    groups: Sequence[_Group],
    lane_by: LaneBy,
) -> dict[str, _Slot]:
    """A slot per working step, and a placeholder per column a forward edge skips."""
    index = {key: i for i, key in enumerate(lanes)}
    slots: dict[str, _Slot] = {}
    for step_id, step in pathway.steps.items():
        key = lane_key(pathway, step, lane_by)
        if key is not None and not step.outcome:
            slots[step_id] = _Slot(step_id, BOX_H, index[key], rank[step_id])
    for number, group in enumerate(groups):
        if group.back:
            continue
        source = slots.get(group.source)
        if source is None:
            continue
        for column in range(rank[group.source] + 1, rank[group.target]):
            name = f"edge#{number}@{column}"
            slots[name] = _Slot(name, DUMMY_H, source.lane, column)
            group.passes.append(name)
    return slots


def _neighbours(groups: Sequence[_Group]) -> dict[str, list[str]]:
    """Each slot's neighbours along the forward edges (both directions)."""
    links: dict[str, list[str]] = {}
    for group in groups:
        if group.back:
            continue
        chain = [group.source, *group.passes, group.target]
        for a, b in itertools.pairwise(chain):
            links.setdefault(a, []).append(b)
            links.setdefault(b, []).append(a)
    return links


def _cells(slots: Mapping[str, _Slot]) -> dict[tuple[int, int], list[_Slot]]:
    """Slots by (lane, column), in their current order."""
    cells: dict[tuple[int, int], list[_Slot]] = {}
    for slot in slots.values():
        cells.setdefault((slot.lane, slot.rank), []).append(slot)
    for cell in cells.values():
        cell.sort(key=lambda s: s.order)
    return cells


def _position(slot: _Slot, cells: Mapping[tuple[int, int], list[_Slot]]) -> float:
    """A slot's vertical place, comparable across lanes: lane, then place in its cell."""
    cell = cells[(slot.lane, slot.rank)]
    return slot.lane * 1000 + cell.index(slot) - (len(cell) - 1) / 2


def _order(slots: dict[str, _Slot], groups: Sequence[_Group], sweeps: int = 4) -> None:
    """Order each cell by the mean position of its neighbours in the column before
    (then after, alternately): the barycentre heuristic. Ties keep declaration order."""
    for number, slot in enumerate(slots.values()):
        slot.order = number
    links = _neighbours(groups)
    last = max((s.rank for s in slots.values()), default=0)
    for sweep in range(sweeps):
        forward = sweep % 2 == 0
        columns = range(1, last + 1) if forward else range(last - 1, -1, -1)
        for column in columns:
            cells = _cells(slots)
            side = column - 1 if forward else column + 1
            for (_, rank_), cell in sorted(cells.items()):
                if rank_ != column:
                    continue
                _sort_cell(cell, slots, links, cells, side)


def _sort_cell(
    cell: list[_Slot],
    slots: Mapping[str, _Slot],
    links: Mapping[str, list[str]],
    cells: Mapping[tuple[int, int], list[_Slot]],
    side: int,
) -> None:
    """Re-order one cell by its neighbours' mean position in column ``side``."""
    keyed = []
    for place, slot in enumerate(cell):
        near = [
            _position(slots[n], cells)
            for n in links.get(slot.name, [])
            if n in slots and slots[n].rank == side
        ]
        keyed.append((sum(near) / len(near) if near else slot.lane * 1000.0, place, slot))
    keyed.sort(key=lambda item: (item[0], item[1]))
    for place, (_, _, slot) in enumerate(keyed):
        slot.order = place


# -- coordinates -----------------------------------------------------------------------------


def column_x(rank: int) -> float:
    """The left edge of a column."""
    return HEADER_W + MARGIN + rank * (BOX_W + GAP)


def _lanes(
    pathway: Pathway,
    keys: Sequence[str],
    slots: dict[str, _Slot],
    channels: Sequence[int],
    lane_by: LaneBy,
) -> list[Lane]:
    """Lane bands sized to their tallest column; slots centred in each column."""
    cells = _cells(slots)
    lanes: list[Lane] = []
    y = float(TOP)
    for number, key in enumerate(keys):
        stacks = [
            sum(s.height for s in cell) + SLOT_GAP * (len(cell) - 1)
            for (lane, _), cell in cells.items()
            if lane == number
        ]
        top_pad = LANE_PAD + CHANNEL * channels[number]
        inner = max(stacks, default=BOX_H)
        height = top_pad + inner + LANE_PAD
        for (lane, _), cell in sorted(cells.items()):
            if lane != number:
                continue
            stack = sum(s.height for s in cell) + SLOT_GAP * (len(cell) - 1)
            cursor = y + top_pad + (inner - stack) / 2
            for slot in cell:
                slot.y = cursor
                cursor += slot.height + SLOT_GAP
        title, subtitle = lane_words(pathway, key, lane_by)
        lanes.append(Lane(key, title, subtitle, y, height))
        y += height
    return lanes


def _outcome_boxes(
    pathway: Pathway,
    rank: Mapping[str, int],
    groups: Sequence[_Group],
    slots: Mapping[str, _Slot],
    top: float,
    nominal: frozenset[str],
) -> list[Box]:
    """Outcomes in the last column, each near the mean height of the edges reaching it,
    pushed apart so none overlap."""
    wanted: list[tuple[float, int, str]] = []
    outcomes = [s for s, step in pathway.steps.items() if s not in slots]
    for place, step in enumerate(outcomes):
        ends = [
            _slot_centre(slots[g.passes[-1] if g.passes else g.source])
            for g in groups
            if g.target == step and not g.back and (g.passes or g.source in slots)
        ]
        wanted.append((sum(ends) / len(ends) if ends else top, place, step))
    wanted.sort()
    boxes: list[Box] = []
    floor = top
    for centre, _, step in wanted:
        y = max(centre - OUTCOME_H / 2, floor)
        x = column_x(rank[step])
        boxes.append(Box(step, x, y, BOX_W, OUTCOME_H, -1, rank[step], step in nominal))
        floor = y + OUTCOME_H + SLOT_GAP
    return boxes


def _slot_centre(slot: _Slot) -> float:
    return slot.y + slot.height / 2


# -- edges -----------------------------------------------------------------------------------


def _forward_points(
    group: _Group, boxes: Mapping[str, Box], slots: Mapping[str, _Slot]
) -> list[Point]:
    """From the source's right side (its diamond's tip for a route), through each
    placeholder, to the target's left side."""
    source, target = boxes[group.source], boxes[group.target]
    tip = source.x + source.width + (DIAMOND if _is_route(group) else 0)
    points: list[Point] = [(tip, source.cy)]
    for name in group.passes:
        slot = slots[name]
        x = column_x(slot.rank)
        points.extend([(x, _slot_centre(slot)), (x + BOX_W, _slot_centre(slot))])
    points.append((target.x, target.cy))
    return points


DIAMOND = 16  # how far a checkpoint's diamond reaches right of its step


def _is_route(group: _Group) -> bool:
    return any(t.checkpoint is not None for t in group.transitions)


def _back_points(
    group: _Group, boxes: Mapping[str, Box], lanes: Sequence[Lane], track: int
) -> list[Point]:
    """A loop: right out of the source, up to a track at the top of its lane, back left,
    and down (or up) the gap before the target into its left side."""
    source, target = boxes[group.source], boxes[group.target]
    if group.source == group.target:
        x, y = source.x + source.width, source.y
        return [
            (x - 30, y),
            (x - 30, y - 12),
            (x + 12, y - 12),
            (x + 12, source.cy),
            (x, source.cy),
        ]
    lane = lanes[source.lane] if source.lane >= 0 else lanes[-1]
    channel = lane.y + LANE_PAD / 2 + CHANNEL * track
    out_x = source.x + source.width + 12 + 4 * track
    in_x = target.x - 14 - 4 * track
    entry = target.cy - 14
    return [
        (source.x + source.width, source.cy - 10),
        (out_x, source.cy - 10),
        (out_x, channel),
        (in_x, channel),
        (in_x, entry),
        (target.x, entry),
    ]


def _tracks(
    groups: Sequence[_Group], lane_of: Mapping[str, int], lane_count: int
) -> tuple[dict[int, int], list[int]]:
    """A track number for each back edge (per source lane, an outcome's in the last
    lane), and each lane's track count."""
    tracks: dict[int, int] = {}
    counts = [0] * max(lane_count, 1)
    for number, group in enumerate(groups):
        if group.back and group.source != group.target:
            lane = lane_of.get(group.source, len(counts) - 1)
            tracks[number] = counts[lane]
            counts[lane] += 1
    return tracks, counts


# -- labels --------------------------------------------------------------------------------


def _label_lines(pathway: Pathway, group: _Group) -> tuple[str, ...]:
    """A group's label: each transition's words, wrapped to the gap."""
    lines: list[str] = []
    for transition in group.transitions:
        words = transition_words(pathway, transition)
        if lines and words:
            words[0] = f"or {words[0]}"
        for part in words:
            lines.extend(wrap(part, LABEL_CHARS))
    return tuple(lines)


def _candidates(points: Sequence[Point]) -> Iterable[Point]:
    """Places to try a label at, nearest its line first: points along each segment
    (middles, then thirds, then quarters), each as it is and moved into the middle of
    the gap between columns, then the same a little above and below."""
    segments = [
        (a, b)
        for a, b in itertools.pairwise(points)
        if abs(b[0] - a[0]) >= 1 or abs(b[1] - a[1]) >= 1
    ]
    bases: list[Point] = []
    for fraction in (0.5, 0.35, 0.65, 0.2, 0.8):
        for (x1, y1), (x2, y2) in segments:
            x, y = x1 + (x2 - x1) * fraction, y1 + (y2 - y1) * fraction
            bases.extend([(x, y), (_gap_middle(x), y)])
    for step in range(13):
        for dy in (step * 9.0, -step * 9.0) if step else (0.0,):
            for x, y in bases:
                yield x, y + dy


def _gap_middle(x: float) -> float:
    """The middle of the gap between the columns nearest ``x``."""
    pitch = BOX_W + GAP
    column = math.floor((x - column_x(0) - BOX_W / 2) / pitch)
    return column_x(column) + BOX_W + GAP / 2


Rect = tuple[float, float, float, float]


def _overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _place_label(lines: tuple[str, ...], points: Sequence[Point], taken: list[Rect]) -> Label:
    """The first candidate place where the label covers nothing taken (else the first)."""
    width = max(text_width(line, LABEL_FONT) for line in lines) + 8
    height = LINE_H * len(lines) + 4
    first: Rect | None = None
    for x, y in _candidates(points):
        rect = (x - width / 2, y - height / 2, width, height)
        first = first or rect
        if rect[0] >= 0 and rect[1] >= 0 and not any(_overlaps(rect, t) for t in taken):
            taken.append(rect)
            return Label(lines, *rect)
    assert first is not None
    taken.append(first)
    return Label(lines, *first)


# -- the whole layout ------------------------------------------------------------------------


def layout(pathway: Pathway, lane_by: LaneBy = "role") -> MapLayout:
    """The process map's geometry for ``pathway``, with lanes by ``lane_by``."""
    back = back_edges(pathway)
    rank = ranks(pathway, back)
    keys = lane_order(pathway, rank, lane_by)
    groups = _groups(pathway, back)
    slots = _slots(pathway, rank, keys, groups, lane_by)
    _order(slots, groups)
    nominal_steps = frozenset(pathway.nominal_steps())
    nominal_edges = frozenset(t.index for t in pathway.nominal_path())
    lane_of = {name: slot.lane for name, slot in slots.items()}
    tracks, counts = _tracks(groups, lane_of, len(keys))
    lanes = _lanes(pathway, keys, slots, counts, lane_by)
    boxes: dict[str, Box] = {}
    for step_id in pathway.steps:
        slot = slots.get(step_id)
        if slot is not None:
            boxes[step_id] = Box(
                step_id, column_x(slot.rank), slot.y, BOX_W, BOX_H, slot.lane, slot.rank,
                step_id in nominal_steps,
            )  # fmt: skip
    lanes_bottom = lanes[-1].y + lanes[-1].height if lanes else float(TOP)
    for box in _outcome_boxes(pathway, rank, groups, slots, TOP + LANE_PAD, nominal_steps):
        boxes[box.step] = box
    boxes = {step: boxes[step] for step in pathway.steps}
    edges = _edges(pathway, groups, boxes, slots, lanes, tracks, nominal_edges)
    last_rank = max(rank.values(), default=0)
    has_outcomes = any(b.lane < 0 for b in boxes.values())
    outcome_x = column_x(last_rank) - GAP / 2 + 10 if has_outcomes else None
    right = column_x(last_rank) + BOX_W + MARGIN
    lanes_right = outcome_x if outcome_x is not None else right
    bottom = max(
        [lanes_bottom, *(b.y + b.height for b in boxes.values())]
        + [e.label.y + e.label.height for e in edges if e.label]
    )
    width = max([right, *(e.label.x + e.label.width for e in edges if e.label)]) + MARGIN
    return MapLayout(
        width=math.ceil(width),
        height=math.ceil(bottom + MARGIN),
        lanes=tuple(lanes),
        boxes=boxes,
        edges=tuple(edges),
        outcome_x=outcome_x,
        lanes_right=lanes_right,
    )


def _edges(
    pathway: Pathway,
    groups: Sequence[_Group],
    boxes: Mapping[str, Box],
    slots: Mapping[str, _Slot],
    lanes: Sequence[Lane],
    tracks: Mapping[int, int],
    nominal: frozenset[int],
) -> list[Edge]:
    """Routes and labels for every group; labels avoid boxes and each other."""
    taken: list[Rect] = [(b.x, b.y, b.width, b.height) for b in boxes.values()]
    edges: list[Edge] = []
    # nominal edges first, so their labels get the best places
    ordered = sorted(
        enumerate(groups),
        key=lambda item: (not any(t.index in nominal for t in item[1].transitions), item[0]),
    )
    for number, group in ordered:
        if group.back:
            points = _back_points(group, boxes, lanes, tracks.get(number, 0))
        else:
            points = _forward_points(group, boxes, slots)
        lines = _label_lines(pathway, group)
        label = _place_label(lines, points, taken) if lines else None
        first = group.transitions[0]
        edges.append(
            Edge(
                source=group.source,
                target=group.target,
                transitions=tuple(t.index for t in group.transitions),
                points=tuple((round(x, 1), round(y, 1)) for x, y in points),
                curved=not group.back,
                back=group.back,
                nominal=any(t.index in nominal for t in group.transitions),
                handoff=first.handoff,
                route=_is_route(group),
                label=label,
            )
        )
    edges.sort(key=lambda e: e.transitions[0])
    return edges
