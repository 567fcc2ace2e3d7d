"""The process map as self-contained SVG, and the pages and sections that show it.

One ``<svg>`` per map: lanes by owner, steps coloured by work class (a light fill, a
band and the class in words, so colour is never the only cue), visits outlined in black
with a dot, calendar gates named under the step, checkpoints as diamonds whose routes
carry their conditions, edges labelled with chance, wait and hand-off level, the nominal
path drawn thick and dark, outcomes in a column at the end, and a legend. No script, no
external font or file; every mark has a ``<title>`` tooltip. The geometry comes from
:mod:`pathway._report._map_layout`.

The diff page shows the old and new maps side by side: added steps and transitions in
green, removed in red, changed outlined in blue (see :func:`map_changes`).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from html import escape
from typing import Literal

from pathway._model._calendar import _describe_windows as describe_windows
from pathway._model._pathway import Pathway, Step, Transition
from pathway._report._map_layout import (
    DIAMOND,
    HEADER_W,
    LABEL_FONT,
    LINE_H,
    TOP,
    Box,
    Edge,
    Lane,
    LaneBy,
    MapLayout,
    layout,
    short_duration,
    transition_words,
    wrap,
)
from pathway._report._palette import WORK_COLOURS
from pathway._version import __version__
from pathway._vocab import LEVEL_WORDS, WORK_CLASSES, WORK_NAMES

__all__ = [
    "CHANGE_COLOURS",
    "Marks",
    "map_changes",
    "map_page",
    "map_pair",
    "map_section",
    "map_svg",
    "svg_document",
]

Change = Literal["added", "removed", "changed"]
#: What changed, as an outline colour (the diff page's old and new maps).
CHANGE_COLOURS: Mapping[str, str] = {"added": "#1a7f37", "removed": "#c62828", "changed": "#1565c0"}
CHANGE_WORDS: Mapping[str, str] = {
    "added": "added in the new pathway",
    "removed": "removed from the old pathway",
    "changed": "changed",
}
FONT = "system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif"
INK, MUTED, EDGE = "#1c2529", "#455a64", "#78909c"
#: Dash patterns of the hand-off levels (none: a solid line).
DASHES: Mapping[str, str] = {
    "worker": "2 3",
    "role": "7 4",
    "team": "12 4",
    "organisation": "14 4 3 4",
}
LEGEND_H = 92


class Marks:
    """What to highlight on one map: steps and transitions (by index) that changed."""

    __slots__ = ("steps", "transitions")

    def __init__(
        self,
        steps: Mapping[str, Change] | None = None,
        transitions: Mapping[int, Change] | None = None,
    ) -> None:
        self.steps: Mapping[str, Change] = dict(steps or {})
        self.transitions: Mapping[int, Change] = dict(transitions or {})

    def __bool__(self) -> bool:
        return bool(self.steps or self.transitions)


# -- small pieces -------------------------------------------------------------------------


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _text(x: float, y: float, text: str, **attributes: str | float) -> str:
    extra = "".join(
        f' {k.rstrip("_").replace("_", "-")}="{escape(str(v))}"' for k, v in attributes.items()
    )
    return f'<text x="{_n(x)}" y="{_n(y)}"{extra}>{escape(text)}</text>'


def _tint(colour: str, keep: float = 0.16) -> str:
    """``colour`` mixed with white, keeping ``keep`` of it (a light fill dark text reads on)."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(255 - (255 - c) * keep) for c in rgb]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def _lines(text: str, width: int, count: int) -> list[str]:
    """``text`` wrapped into at most ``count`` lines of ``width`` characters (… when cut)."""
    lines = wrap(text, width) or [""]
    lines = [line if len(line) <= width else line[: width - 1] + "…" for line in lines]
    if len(lines) > count:
        lines = lines[:count]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return lines


# -- the map --------------------------------------------------------------------------------


def map_svg(
    pathway: Pathway,
    lane_by: LaneBy = "role",
    *,
    marks: Marks | None = None,
    prefix: str = "map",
    heading: str | None = None,
) -> str:
    """The process map of ``pathway`` as one ``<svg>`` element (an SVG file's text
    when saved with :func:`svg_document`). ``prefix`` keeps ids unique when several maps
    share a page; ``marks`` highlights what a diff changed."""
    geometry = layout(pathway, lane_by)
    marks = marks or Marks()
    height = geometry.height + LEGEND_H
    title = heading or f"{pathway.title} (version {pathway.version})"
    desc = _description(pathway, geometry, lane_by)
    body = [
        _defs(prefix),
        _text(HEADER_W + 20, 24, title, font_size=16, font_weight=700, fill=INK),
        _text(HEADER_W + 20, 42, _subtitle(pathway, lane_by), font_size=12, fill=MUTED),
        *_lanes(geometry, lane_by),
        *_outcome_column(geometry),
        *(_edge(pathway, e, prefix, marks) for e in geometry.edges),
        *(_box(pathway, b, marks) for b in geometry.boxes.values()),
        *(_label(e, marks) for e in geometry.edges if e.label),
        _legend(geometry.height + 6, marks),
    ]
    width = max(geometry.width, 980)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="process-map" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{prefix}-t {prefix}-d" font-family="{escape(FONT)}">'
        f'<title id="{prefix}-t">{escape(title)}</title><desc id="{prefix}-d">{escape(desc)}</desc>'
        f'<rect width="{width}" height="{height}" fill="#fff"/>' + "".join(body) + "</svg>"
    )


def svg_document(svg: str) -> str:
    """A standalone SVG file: the XML declaration, then the map."""
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + svg + "\n"


def _subtitle(pathway: Pathway, lane_by: LaneBy) -> str:
    visits = pathway.nominal_visits()
    handoffs = sum(pathway.nominal_handoffs().values())
    return (
        f"Read left to right; lanes by {lane_by}. The thick line is the most likely journey: "
        f"{len(pathway.nominal_steps())} steps, {visits} visit(s), {handoffs} hand-off(s)."
    )


def _description(pathway: Pathway, geometry: MapLayout, lane_by: LaneBy) -> str:
    steps = " then ".join(pathway.steps[s].title for s in pathway.nominal_steps())
    return (
        f"Process map of {pathway.title}: {len(pathway.steps)} steps in "
        f"{len(geometry.lanes)} lanes by {lane_by}, {len(pathway.transitions)} transitions. "
        f"Most likely journey: {steps}."
    )


def _defs(prefix: str) -> str:
    """Arrowheads: one per edge colour (markers cannot take the line's colour everywhere)."""
    colours = {"nominal": INK, "other": EDGE, **CHANGE_COLOURS}
    markers = "".join(
        f'<marker id="{prefix}-arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" '
        f'markerWidth="10" markerHeight="10" markerUnits="userSpaceOnUse" orient="auto">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        for name, colour in colours.items()
    )
    return f"<defs>{markers}</defs>"


def _lanes(geometry: MapLayout, lane_by: LaneBy) -> list[str]:
    parts = []
    for number, lane in enumerate(geometry.lanes):
        fill = "#f5f7fa" if number % 2 == 0 else "#ffffff"
        parts.append(
            f'<g class="lane"><title>{escape(_lane_tip(lane, lane_by))}</title>'
            f'<rect x="0" y="{_n(lane.y)}" width="{_n(geometry.lanes_right)}" '
            f'height="{_n(lane.height)}" fill="{fill}" stroke="#cfd8dc"/>'
            f'<rect x="0" y="{_n(lane.y)}" width="{HEADER_W}" height="{_n(lane.height)}" '
            'fill="#eceff1" stroke="#cfd8dc"/>' + _lane_words(lane) + "</g>"
        )
    return parts


def _lane_tip(lane: Lane, lane_by: LaneBy) -> str:
    return f"{lane_by}: {lane.title}" + (f" ({lane.subtitle})" if lane.subtitle else "")


def _lane_words(lane: Lane) -> str:
    title = _lines(lane.title, 24, 3)
    subtitle = _lines(lane.subtitle, 28, 2) if lane.subtitle else []
    y = lane.y + 20
    parts = []
    for line in title:
        parts.append(_text(10, y, line, font_size=12.5, font_weight=700, fill=INK))
        y += 15
    for line in subtitle:
        parts.append(_text(10, y + 2, line, font_size=11, fill=MUTED))
        y += 13
    return "".join(parts)


def _outcome_column(geometry: MapLayout) -> list[str]:
    if geometry.outcome_x is None:
        return []
    x = geometry.outcome_x
    return [
        f'<rect x="{_n(x)}" y="{TOP}" width="{_n(geometry.width - x)}" '
        f'height="{_n(geometry.height - TOP)}" fill="#fafafa" stroke="#cfd8dc"/>',
        _text(x + 10, TOP + 14, "Outcomes", font_size=12, font_weight=700, fill=MUTED),
    ]


# -- boxes ----------------------------------------------------------------------------------


def _box(pathway: Pathway, box: Box, marks: Marks) -> str:
    step = pathway.steps[box.step]
    mark = marks.steps.get(box.step)
    tip = _step_tip(pathway, step, mark)
    inner = _outcome(step, box) if step.outcome else _work_box(pathway, step, box)
    outline = ""
    if mark is not None:
        dash = ' stroke-dasharray="6 3"' if mark == "changed" else ""
        outline = (
            f'<rect x="{_n(box.x - 5)}" y="{_n(box.y - 5)}" width="{_n(box.width + 10)}" '
            f'height="{_n(box.height + 10)}" rx="8" fill="none" '
            f'stroke="{CHANGE_COLOURS[mark]}" stroke-width="3"{dash}/>'
            + _text(
                box.x, box.y - 8, mark, font_size=10.5, font_weight=700, fill=CHANGE_COLOURS[mark]
            )
        )
    css = "step outcome" if step.outcome else "step"
    return (
        f'<g class="{css}" data-step="{escape(box.step)}"><title>{escape(tip)}</title>'
        f"{inner}{outline}</g>"
    )


def _work_box(pathway: Pathway, step: Step, box: Box) -> str:
    colour = WORK_COLOURS[step.work]
    stroke, stroke_width = (INK, 2.5) if step.visit else (colour, 1.2)
    parts = [
        f'<rect class="box" x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.width)}" '
        f'height="{_n(box.height)}" rx="5" fill="{_tint(colour)}" stroke="{stroke}" '
        f'stroke-width="{stroke_width}"/>',
        f'<rect x="{_n(box.x)}" y="{_n(box.y)}" width="6" height="{_n(box.height)}" rx="2" '
        f'fill="{colour}"/>',
    ]
    weight = 700 if box.nominal else 400
    y = box.y + 16
    for line in _lines(step.title, 19, 4):
        parts.append(_text(box.x + 12, y, line, font_size=11, font_weight=weight, fill=INK))
        y += 14
    meta = WORK_NAMES[step.work] + (" · visit" if step.visit else "")
    parts.append(_text(box.x + 12, box.y + box.height - 20, meta, font_size=10.5, fill=MUTED))
    if step.calendar:
        words = _lines(f"gate: {_gate(pathway, step.calendar)}", 27, 1)[0]
        parts.append(_text(box.x + 12, box.y + box.height - 7, words, font_size=10, fill="#6d4c41"))
    if step.visit:
        parts.append(
            f'<circle cx="{_n(box.x + box.width - 9)}" cy="{_n(box.y + 9)}" r="4.5" fill="{INK}"/>'
        )
    if step.checkpoint:
        parts.append(_diamond(pathway, step, box))
    return "".join(parts)


def _gate(pathway: Pathway, calendar: str) -> str:
    """When a calendar is open, in a few words: ``"Tue, Thu 09:30-15:30"``."""
    return describe_windows(pathway.calendars[calendar].windows)


def _diamond(pathway: Pathway, step: Step, box: Box) -> str:
    """The checkpoint's decision, on the step's right edge; its routes leave its tip."""
    assert step.checkpoint is not None
    checkpoint = pathway.checkpoints[step.checkpoint]
    cx, cy, r = box.x + box.width, box.cy, DIAMOND
    questions = "; ".join(q.text for q in checkpoint.questions)
    kind = f"{checkpoint.framework} checkpoint" if checkpoint.framework else "checkpoint"
    mark = _text(cx, cy + 4.5, "?", font_size=13, font_weight=700, fill=INK, text_anchor="middle")
    return (
        f'<g class="checkpoint"><title>{escape(f"{kind}: {checkpoint.title}. {questions}")}'
        f'</title><polygon points="{_n(cx - r)},{_n(cy)} {_n(cx)},{_n(cy - r)} '
        f'{_n(cx + r)},{_n(cy)} {_n(cx)},{_n(cy + r)}" fill="#fff3e0" stroke="{INK}" '
        f'stroke-width="1.5"/>{mark}</g>'
    )


def _outcome(step: Step, box: Box) -> str:
    stroke_width = 2.6 if box.nominal else 1.2
    parts = [
        f'<rect class="box" x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.width)}" '
        f'height="{_n(box.height)}" rx="{_n(box.height / 2)}" fill="#eceff1" stroke="{INK}" '
        f'stroke-width="{stroke_width}"/>'
    ]
    lines = _lines(step.title, 21, 2)
    y = box.cy - (len(lines) - 1) * 7 + 4
    weight = 700 if box.nominal else 400
    for line in lines:
        parts.append(
            _text(box.cx, y, line, font_size=11, font_weight=weight, fill=INK, text_anchor="middle")
        )
        y += 14
    return "".join(parts)


def _step_tip(pathway: Pathway, step: Step, mark: str | None) -> str:
    parts = [f"{step.title} ({step.id})"]
    if step.outcome:
        parts.append("outcome: the journey ends here")
    else:
        role = pathway.owner(step.id)
        if role is not None:
            parts.append(f"owner: {role.title} ({role.team}, {role.organisation})")
        parts.append(WORK_NAMES[step.work] + (", a visit" if step.visit else ""))
        if step.duration.mean():
            parts.append(f"touch time: {step.duration.describe()}")
        if step.calendar:
            gate = _gate(pathway, step.calendar)
            parts.append(f"calendar gate ({step.calendar}): open {gate}")
    if step.id in pathway.nominal_steps():
        parts.append("on the most likely journey")
    if mark is not None:
        parts.append(CHANGE_WORDS[mark])
    return "; ".join(parts)


# -- edges ----------------------------------------------------------------------------------


def _path(edge: Edge) -> str:
    """The edge's path data: S-curves between columns for forward edges, straight
    segments for back arcs."""
    points = edge.points
    d = f"M{_n(points[0][0])},{_n(points[0][1])}"
    for (x1, y1), (x2, y2) in itertools.pairwise(points):
        if edge.curved and abs(y2 - y1) > 0.5:
            bend = (x2 - x1) / 2
            d += f" C{_n(x1 + bend)},{_n(y1)} {_n(x2 - bend)},{_n(y2)} {_n(x2)},{_n(y2)}"
        else:
            d += f" L{_n(x2)},{_n(y2)}"
    return d


def _edge_mark(edge: Edge, marks: Marks) -> str | None:
    found = [marks.transitions[i] for i in edge.transitions if i in marks.transitions]
    for kind in ("added", "removed", "changed"):
        if kind in found:
            return kind
    return None


def _edge(pathway: Pathway, edge: Edge, prefix: str, marks: Marks) -> str:
    mark = _edge_mark(edge, marks)
    if mark is not None:
        colour, marker = CHANGE_COLOURS[mark], mark
    elif edge.nominal:
        colour, marker = INK, "nominal"
    else:
        colour, marker = EDGE, "other"
    width = 3.0 if edge.nominal else 1.5
    if mark is not None:
        width += 1
    dash = f' stroke-dasharray="{DASHES[edge.handoff]}"' if edge.handoff in DASHES else ""
    tip = " | ".join(_transition_tip(pathway, pathway.transitions[i]) for i in edge.transitions)
    if mark is not None:
        tip += f" ({CHANGE_WORDS[mark]})"
    indices = " ".join(str(i) for i in edge.transitions)
    css = "edge nominal" if edge.nominal else "edge"
    return (
        f'<g class="{css}" data-transitions="{indices}"><title>{escape(tip)}</title>'
        f'<path d="{_path(edge)}" fill="none" stroke="{colour}" stroke-width="{width}"'
        f'{dash} marker-end="url(#{prefix}-arrow-{marker})"/></g>'
    )


def _transition_tip(pathway: Pathway, transition: Transition) -> str:
    source, target = pathway.steps[transition.source], pathway.steps[transition.target]
    words = [f"{transition.title or transition.trigger}: {source.title} to {target.title}"]
    words.extend(transition_words(pathway, transition))
    if transition.guard is not None:
        words.append(f"when {transition.guard}")
    if transition.dna:
        words.append(f"{transition.dna:.0%} of these visits missed")
    if transition.chase_after is not None:
        words.append(f"the person chases after {short_duration(transition.chase_after)}")
    return "; ".join(words)


def _label(edge: Edge, marks: Marks) -> str:
    label = edge.label
    assert label is not None
    mark = _edge_mark(edge, marks)
    colour = CHANGE_COLOURS[mark] if mark else (INK if edge.nominal else MUTED)
    parts = [
        f'<g class="label"><rect x="{_n(label.x)}" y="{_n(label.y)}" width="{_n(label.width)}" '
        f'height="{_n(label.height)}" rx="3" fill="#ffffff" fill-opacity="0.92" '
        f'stroke="#eceff1"/>'
    ]
    y = label.y + LINE_H - 1
    for line in label.lines:
        parts.append(_text(label.x + 4, y, line, font_size=LABEL_FONT, fill=colour))
        y += LINE_H
    return "".join(parts) + "</g>"


# -- legend ---------------------------------------------------------------------------------


def _legend(top: float, marks: Marks) -> str:
    """Work classes, the box and line styles, and (on a diff) what changed."""
    parts = [_text(20, top + 16, "Key", font_size=12, font_weight=700, fill=INK)]
    x = 60.0
    for work in WORK_CLASSES:
        colour = WORK_COLOURS[work]
        parts.append(
            f'<rect x="{_n(x)}" y="{_n(top + 5)}" width="16" height="14" rx="2" '
            f'fill="{_tint(colour)}" stroke="{colour}"/><rect x="{_n(x)}" y="{_n(top + 5)}" '
            f'width="4" height="14" fill="{colour}"/>'
        )
        parts.append(_text(x + 22, top + 16, WORK_NAMES[work], font_size=11, fill=INK))
        x += 28 + len(WORK_NAMES[work]) * 6.2
    parts.append(
        f'<rect x="{_n(x)}" y="{_n(top + 5)}" width="16" height="14" rx="2" fill="#fff" '
        f'stroke="{INK}" stroke-width="2.5"/><circle cx="{_n(x + 12)}" cy="{_n(top + 9)}" '
        f'r="2.5" fill="{INK}"/>'
    )
    parts.append(_text(x + 22, top + 16, "visit (the person attends)", font_size=11, fill=INK))
    x += 190
    parts.append(
        f'<polygon points="{_n(x)},{_n(top + 12)} {_n(x + 8)},{_n(top + 4)} '
        f'{_n(x + 16)},{_n(top + 12)} {_n(x + 8)},{_n(top + 20)}" fill="#fff3e0" stroke="{INK}"/>'
    )
    parts.append(_text(x + 22, top + 16, "checkpoint (a decision)", font_size=11, fill=INK))
    x += 170
    parts.append(
        _text(x, top + 16, "gate: a calendar the step waits for", font_size=11, fill="#6d4c41")
    )
    parts.extend(_line_legend(top + 34, marks))
    return "".join(parts)


def _line_legend(top: float, marks: Marks) -> list[str]:
    items: list[tuple[str, str, float, str]] = [
        ("most likely journey", INK, 3.0, ""),
        ("other way", EDGE, 1.5, ""),
    ]
    items.extend((f"hand-off {LEVEL_WORDS[level]}", EDGE, 1.5, DASHES[level]) for level in DASHES)
    if marks:
        items.extend((CHANGE_WORDS[k], CHANGE_COLOURS[k], 3.0, "") for k in CHANGE_COLOURS)
    parts, x, y = [], 60.0, top
    for words, colour, width, dash in items:
        room = 48 + len(words) * 6.2 + 20
        if x + room > 960:
            x, y = 60.0, y + 20
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{_n(x)}" y1="{_n(y)}" x2="{_n(x + 40)}" y2="{_n(y)}" stroke="{colour}" '
            f'stroke-width="{width}"{dashes}/>'
        )
        parts.append(_text(x + 48, y + 4, words, font_size=11, fill=INK))
        x += room
    parts.append(
        _text(60, y + 24, "Labels: p is the chance of taking a way out of a step; waits are "
              "given by their median and 90th percentile (p90).", font_size=11, fill=MUTED)
    )  # fmt: skip
    return parts


# -- pages and sections -----------------------------------------------------------------------

#: What a page needs for the maps: a scrolling frame, and the old and new side by side.
MAP_CSS = (
    ".map{overflow-x:auto;border:1px solid #cfd8dc;border-radius:6px}.map svg{display:block}"
    ".map-pair{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:1rem}"
    ".map-pair figure{min-width:0}"
)
PAGE_CSS = (
    "body{margin:0;background:#fff;color:#1c2529;font:16px/1.5 " + FONT + "}"
    "main{padding:20px}h1{font-size:1.5rem;margin:0 0 .4rem}"
    "figure{margin:.5rem 0 1rem}figcaption{color:#455a64;font-size:.9rem;margin:.3rem 0}" + MAP_CSS
)


def map_figure(pathway: Pathway, lane_by: LaneBy = "role", *, prefix: str = "map",
               marks: Marks | None = None, caption: str = "") -> str:  # fmt: skip
    """The map in a scrolling ``<figure>`` with a caption."""
    svg = map_svg(pathway, lane_by, marks=marks, prefix=prefix)
    caption = caption or (
        "The process map: each band is an owner; boxes are steps coloured by work class; "
        "hover over a step or a line for the details."
    )
    return (
        f'<figure><div class="map" tabindex="0" role="region" '
        f'aria-label="{escape(pathway.title)}: process map">{svg}</div>'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def map_page(pathway: Pathway, lane_by: LaneBy = "role") -> str:
    """``pathway show FILE --html``: a self-contained page with the map."""
    title = escape(f"{pathway.title}: process map")
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{PAGE_CSS}</style></head><body><main><h1>{title}</h1>"
        f"{map_figure(pathway, lane_by)}"
        f'<p style="color:#607d8b;font-size:.85rem">Made by pathway {escape(__version__)} '
        f"from {escape(pathway.id)} version {escape(pathway.version)}.</p>"
        "</main></body></html>\n"
    )


def map_section(pathway: Pathway | None) -> str:
    """The report's first section: the map of the pathway the log was read against
    (nothing when the report has no pathway)."""
    if pathway is None:
        return ""
    return (
        f'<section id="map"><h2>The pathway</h2><style>{MAP_CSS}</style>'
        f"{map_figure(pathway, prefix='report-map')}</section>"
    )


def map_pair(old: Pathway, new: Pathway) -> str:
    """The diff page's maps: old and new side by side, what changed highlighted."""
    old_marks, new_marks = map_changes(old, new)
    before = "Before: removed steps and transitions in red, changed outlined in blue."
    after = "After: added steps and transitions in green, changed outlined in blue."
    figures = (
        map_figure(old, prefix="map-old", marks=old_marks, caption=before),
        map_figure(new, prefix="map-new", marks=new_marks, caption=after),
    )
    return f'<style>{MAP_CSS}</style><div class="map-pair">{"".join(figures)}</div>'


# -- what changed ---------------------------------------------------------------------------


def map_changes(old: Pathway, new: Pathway) -> tuple[Marks, Marks]:
    """Steps (by id) and transitions (by source, target and trigger) that were added,
    removed or changed, as marks for the old map and for the new one."""
    old_steps, new_steps = _step_specs(old), _step_specs(new)
    old_marks: dict[str, Change] = {}
    new_marks: dict[str, Change] = {}
    for step, spec in old_steps.items():
        if step not in new_steps:
            old_marks[step] = "removed"
        elif new_steps[step] != spec or _checkpoint_spec(old, step) != _checkpoint_spec(new, step):
            old_marks[step] = new_marks[step] = "changed"
    new_marks.update({step: "added" for step in new_steps if step not in old_steps})
    old_t, new_t = _transition_specs(old), _transition_specs(new)
    old_edges = _edge_marks(old_t, new_t, "removed")
    new_edges = _edge_marks(new_t, old_t, "added")
    return Marks(old_marks, old_edges), Marks(new_marks, new_edges)


def _step_specs(pathway: Pathway) -> dict[str, object]:
    data = pathway.spec.model_dump(mode="json", by_alias=True)
    return {step: {**fields, "description": None} for step, fields in data["steps"].items()}


def _checkpoint_spec(pathway: Pathway, step: str) -> object:
    checkpoint = pathway.steps[step].checkpoint
    if checkpoint is None:
        return None
    return pathway.spec.model_dump(mode="json", by_alias=True)["checkpoints"][checkpoint]


def _transition_specs(pathway: Pathway) -> dict[tuple[str, str, str], tuple[int, object]]:
    found: dict[tuple[str, str, str], tuple[int, object]] = {}
    for t in pathway.transitions:
        spec = (t.weight, t.wait, t.cause, t.dna, t.guard and str(t.guard), t.handoff)
        found[(t.source, t.target, t.trigger)] = (t.index, spec)
    return found


def _edge_marks(
    mine: Mapping[tuple[str, str, str], tuple[int, object]],
    other: Mapping[tuple[str, str, str], tuple[int, object]],
    alone: Change,
) -> dict[int, Change]:
    marks: dict[int, Change] = {}
    for key, (index, spec) in mine.items():
        if key not in other:
            marks[index] = alone
        elif other[key][1] != spec:
            marks[index] = "changed"
    return marks
