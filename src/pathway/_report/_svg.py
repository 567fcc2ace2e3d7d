"""Inline SVG charts for the HTML report: swimlane journey map, delay Pareto, XmR chart.

Every chart is a standalone ``<svg>`` with a ``viewBox`` (it scales to the page), a
``<title>`` and ``<desc>`` for screen readers, axis titles with units, and a ``<title>``
tooltip on every mark. No script, no external resource.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape
from typing import TYPE_CHECKING

import attrs
import numpy as np

from pathway._analysis._journey import Journey, JourneyStep
from pathway._analysis._spc import PeriodChart
from pathway._report._palette import WORK_COLOURS
from pathway._report._words import (
    ASSURANCE_ICONS,
    ASSURANCE_WORDS,
    PERIOD_WORDS,
    VARIATION_ICONS,
    VARIATION_WORDS,
    contributor_words,
    plain_days,
    plain_minutes,
)
from pathway._vocab import CAUSE_WAITING, DEMAND_EVENT_WORDS, MINUTES_PER_DAY, WORK_WORDS

if TYPE_CHECKING:
    from pathway._report._report import Chart, Report

__all__ = [
    "CAUSE_COLOURS",
    "WORK_COLOURS",
    "control_chart",
    "nice_ticks",
    "pareto",
    "period_chart",
    "swimlane",
    "verdict_icons",
]

CAUSE_COLOURS = {
    "handoff": "#c62828",
    "visit_gap": "#1565c0",
    "calendar": "#6d4c41",
    "approval": "#ec407a",
    "capacity": "#00838f",
    "external": "#546e7a",
    "client": "#827717",
    "continuity": "#5e35b1",
    "unattributed": "#878787",
    "waste work": "#e65100",
}
OTHER = "#78909c"
WIDTH = 1000
FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif"
MAX_MARKS = 1500


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def nice_ticks(low: float, high: float, count: int = 6) -> list[float]:
    """Round tick values covering ``low``..``high`` (about ``count`` of them)."""
    if not math.isfinite(low) or not math.isfinite(high):
        return [0.0]
    if high <= low:
        high = low + 1
    raw = (high - low) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _svg(width: int, height: int, title: str, desc: str, body: Sequence[str], css: str) -> str:
    """A chart as one image for assistive technology: ``role="img"``, named by its first
    ``<title>`` child and described by its ``<desc>`` (SVG-AAM), so no ids are needed and
    a page may hold the same kind of chart twice (the diff's before and after)."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" style="{FONT};max-width:{width}px">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>" + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, text: str, **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return f'<text x="{_num(x)}" y="{_num(y)}"{extra}>{escape(text)}</text>'


# ------------------------------------------------------------------------ swimlane


def _wrap(text: str, width: int, lines: int) -> list[str]:
    """``text`` in at most ``lines`` lines of ``width`` characters (… when cut)."""
    result: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            result.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    result.append(current)
    if len(result) > lines:
        result = result[:lines]
        result[-1] = result[-1][: width - 1] + "…"
    return [line if len(line) <= width else line[: width - 1] + "…" for line in result]


def swimlane(report: Report, journey: Journey) -> str:
    """The journey map: one lane per owner, steps as boxes on a time axis, waits as
    coloured bars by cause, visits and missed visits marked, hand-offs as arrows."""
    label_width, top, lane_height = 210, 46, 62
    plot_width = WIDTH - label_width - 30
    span = max(journey.end_to_end, 1.0)
    in_days = span >= MINUTES_PER_DAY
    unit = MINUTES_PER_DAY if in_days else 60.0
    axis_end = span / unit

    def x(minutes: float) -> float:
        return label_width + plot_width * minutes / span

    lanes = {lane: i for i, lane in enumerate(journey.lanes)}
    height = top + lane_height * max(len(lanes), 1) + 60
    body = _lane_backgrounds(report, journey, top, lane_height)
    body += _time_axis(axis_end, unit, x, top, top + lane_height * len(lanes), in_days)
    step_lane = {s.step: s.lane for s in journey.steps}
    body += _waits(
        report, journey, x, lambda step: lanes.get(step_lane.get(step, ""), 0), top, lane_height
    )
    boxes = [
        _step_box(report, s, x, top + lanes[s.lane] * lane_height, lane_height)
        for s in journey.steps
    ]
    body += _flow_arrows(journey, x, lanes, top, lane_height)
    body += boxes
    body += _marks(journey, x, lambda step: lanes.get(step_lane.get(step, ""), 0), top, lane_height)
    desc = (
        f"Case {journey.case_id}: {len(journey.steps)} steps across {len(lanes)} owners over "
        f"{plain_days(journey.end_to_end / MINUTES_PER_DAY)}."
    )
    return _svg(WIDTH, height, "Journey map of a typical case", desc, body, "swimlane")


def _lane_backgrounds(report: Report, journey: Journey, top: int, lane_height: int) -> list[str]:
    body = []
    for index, lane in enumerate(journey.lanes):
        y = top + index * lane_height
        fill = "#f5f7fa" if index % 2 == 0 else "#ffffff"
        body.append(f'<rect x="0" y="{y}" width="{WIDTH}" height="{lane_height}" fill="{fill}"/>')
        title = report.title_of_role(lane)
        lines = _wrap(title, 27, 2)
        first = y + lane_height / 2 + 5 - 8 * (len(lines) - 1)
        texts = "".join(
            _text(8, first + 16 * i, line, font_size="13", fill="#263238")
            for i, line in enumerate(lines)
        )
        body.append(f"<g><title>{escape(title)}</title>{texts}</g>")
    return body


def _time_axis(
    axis_end: float,
    unit: float,
    x: Callable[[float], float],
    top: int,
    bottom: int,
    in_days: bool,
) -> list[str]:
    body = []
    for tick in nice_ticks(0, axis_end, 8):
        if tick > axis_end + 1e-9:
            continue
        px = x(tick * unit)
        body.append(
            f'<line x1="{_num(px)}" y1="{top}" x2="{_num(px)}" y2="{bottom}" '
            'stroke="#cfd8dc" stroke-width="1"/>'
        )
        body.append(
            _text(px, bottom + 16, _num(tick), font_size="12", text_anchor="middle", fill="#37474f")
        )
    label = "Days since first contact" if in_days else "Hours since first contact"
    body.append(
        _text(
            x(axis_end * unit / 2),
            bottom + 36,
            label,
            font_size="13",
            text_anchor="middle",
            fill="#263238",
        )
    )
    body.append(
        _text(x(0), top - 28, "Owner lanes: who has the case", font_size="12", fill="#546e7a")
    )
    return body


def _waits(
    report: Report,
    journey: Journey,
    x: Callable[[float], float],
    lane_of: Callable[[str], int],
    top: int,
    lane_height: int,
) -> list[str]:
    body = []
    for wait in journey.waits:
        y = top + lane_of(wait.step) * lane_height + lane_height - 12
        colour = CAUSE_COLOURS.get(wait.cause, OTHER)
        width = max(x(wait.end) - x(wait.start), 2)
        tip = (
            f"Waited {plain_minutes(wait.end - wait.start)} {CAUSE_WAITING.get(wait.cause, '')} "
            f"before '{report.title_of_step(wait.step)}'"
        )
        body.append(
            f'<rect class="wait" x="{_num(x(wait.start))}" y="{_num(y)}" width="{_num(width)}" '
            f'height="7" rx="2" fill="{colour}" opacity="0.85"><title>{escape(tip)}</title></rect>'
        )
    return body


def _step_box(
    report: Report, step: JourneyStep, x: Callable[[float], float], y: float, lane_height: int
) -> str:
    left = x(step.start)
    width = max(x(step.end) - left, 9)
    colour = WORK_COLOURS.get(step.work or "", OTHER)
    outline = ' stroke="#000" stroke-width="2.5"' if step.visit else ""
    tip = (
        f"{report.title_of_step(step.step)}: {plain_minutes(step.end - step.start)} of "
        f"{WORK_WORDS.get(step.work or '', 'unclassified work').lower()}, day "
        f"{step.start / MINUTES_PER_DAY:.1f}"
        + (" (visit: the person attends)" if step.visit else "")
    )
    return (
        f'<rect class="step" x="{_num(left)}" y="{_num(y + 12)}" width="{_num(width)}" '
        f'height="{lane_height - 30}" rx="3" fill="{colour}"{outline}>'
        f"<title>{escape(tip)}</title></rect>"
    )


def _flow_arrows(
    journey: Journey,
    x: Callable[[float], float],
    lanes: dict[str, int],
    top: int,
    lane_height: int,
) -> list[str]:
    handoff_at = {(round(m.at, 6), m.step): m.detail for m in journey.marks if m.kind == "handoff"}
    body = []
    for before, after in zip(journey.steps, journey.steps[1:], strict=False):
        y1 = top + lanes[before.lane] * lane_height + lane_height / 2
        y2 = top + lanes[after.lane] * lane_height + lane_height / 2
        level = handoff_at.get((round(after.start, 6), after.step))
        if level is None and before.lane == after.lane:
            continue
        x1, x2 = x(before.end), x(after.start)
        middle = (x1 + x2) / 2 if x2 - x1 > 12 else x1 + 6
        tip = f"Hand-off ({level or 'role'} level): the case changes hands"
        body.append(
            f'<path class="handoff" d="M{_num(x1)},{_num(y1)} H{_num(middle)} V{_num(y2)} '
            f'H{_num(max(x2, middle + 2))}" fill="none" stroke="#263238" stroke-width="1.6" '
            f'marker-end="url(#arrow)"><title>{escape(tip)}</title></path>'
        )
    marker = (
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#263238"/></marker></defs>'
    )
    return [marker, *body]


def _marks(
    journey: Journey,
    x: Callable[[float], float],
    lane_of: Callable[[str], int],
    top: int,
    lane_height: int,
) -> list[str]:
    body = []
    for mark in journey.marks:
        px = x(mark.at)
        y = top + lane_of(mark.step) * lane_height + 7
        if mark.kind == "visit":
            body.append(
                f'<circle class="visit" cx="{_num(px)}" cy="{_num(y)}" r="5.5" fill="#000">'
                "<title>Visit: the person attends</title></circle>"
            )
        elif mark.kind == "dna":
            body.append(
                '<g class="dna"><title>Missed appointment (DNA): rebooked</title>'
                + _text(
                    px,
                    y + 5,
                    "✕",
                    font_size="15",
                    text_anchor="middle",
                    fill="#b71c1c",
                    font_weight="bold",
                )
                + "</g>"
            )
        elif mark.kind == "failure_demand":
            tip = DEMAND_EVENT_WORDS.get(mark.detail, f"Failure demand: {mark.detail}")
            body.append(
                f'<g class="failure"><title>{escape(tip)} (failure demand)</title>'
                + _text(
                    px,
                    top - 8,
                    "!",
                    font_size="16",
                    text_anchor="middle",
                    fill="#b71c1c",
                    font_weight="bold",
                )
                + "</g>"
            )
    return body


# --------------------------------------------------------------------------- pareto


def pareto(report: Report, limit: int = 10) -> str:
    """Horizontal bars: fragmentation delay per case by where it happens, largest first,
    each split by cause, with the cumulative share of all fragmentation on the right."""
    contributors = report.attribution.contributors[:limit]
    n = max(report.n_scope, 1)
    total = report.attribution.total_fragmentation
    label_width, right, top, bar = 300, 120, 36, 30
    plot_width = WIDTH - label_width - right
    height = top + bar * max(len(contributors), 1) + 64
    longest = max((c.minutes / n / MINUTES_PER_DAY for c in contributors), default=1.0) or 1.0
    ticks = nice_ticks(0, longest, 6)
    scale = plot_width / max(ticks[-1], longest)
    body = [_text(WIDTH - right + 10, top - 12, "Cumulative", font_size="12", fill="#37474f")]
    for tick in ticks:
        px = label_width + tick * scale
        bottom = top + bar * len(contributors)
        body.append(
            f'<line x1="{_num(px)}" y1="{top}" x2="{_num(px)}" y2="{bottom}" stroke="#cfd8dc"/>'
        )
        body.append(
            _text(px, bottom + 16, _num(tick), font_size="12", text_anchor="middle", fill="#37474f")
        )
    body.append(
        _text(
            label_width + plot_width / 2,
            top + bar * len(contributors) + 40,
            f"Days per case (mean over {report.n_scope} cases)",
            font_size="13",
            text_anchor="middle",
            fill="#263238",
        )
    )
    cumulative = 0.0
    for index, contributor in enumerate(contributors):
        y = top + index * bar
        cumulative += contributor.minutes
        body.append(_pareto_label(contributor.kind, contributor.key, y, bar))
        left = float(label_width)
        for cause, minutes in contributor.by_cause.items():
            width = minutes / n / MINUTES_PER_DAY * scale
            words = "waste work" if cause == "waste work" else f"waiting {CAUSE_WAITING[cause]}"
            tip = (
                f"{contributor_words(contributor, report.pathway)}: {words}, "
                f"{minutes / n / MINUTES_PER_DAY:.2f} days per case"
            )
            body.append(
                f'<rect class="bar" x="{_num(left)}" y="{_num(y + 5)}" '
                f'width="{_num(max(width, 0.5))}" height="{bar - 10}" '
                f'fill="{CAUSE_COLOURS.get(cause, OTHER)}"><title>{escape(tip)}</title></rect>'
            )
            left += width
        share = cumulative / total if total else 0.0
        body.append(
            _text(
                WIDTH - right + 10, y + bar / 2 + 5, f"{share:.0%}", font_size="13", fill="#263238"
            )
        )
    desc = "Largest contributors to fragmentation delay, in days per case, split by cause."
    return _svg(WIDTH, height, "Where fragmentation delay comes from", desc, body, "pareto")


def _pareto_label(kind: str, key: str, y: float, bar: int) -> str:
    if kind == "step":
        words = f"waste work: {key.replace('_', ' ')}"
    else:
        source, _arrow, target = key.partition(" → ")
        words = f"{source.replace('_', ' ')} → {target.replace('_', ' ')}"
    short = words if len(words) <= 44 else words[:42] + "…"
    return (
        f"<g><title>{escape(words)}</title>"
        + _text(292, y + bar / 2 + 5, short, font_size="13", text_anchor="end", fill="#263238")
        + "</g>"
    )


# ------------------------------------------------------------------------ XmR chart


def period_chart(chart: Chart, index: int = 0) -> str:
    """The chart's measure per period (its ``periods``), with the period as the x axis."""
    periods = chart.periods
    if periods is None:
        return ""
    per = attrs.evolve(chart, chart=periods.chart, periods=None)
    noun = PERIOD_WORDS[periods.period]
    return control_chart(
        per,
        index,
        x_label=f"{noun.capitalize()} of first contact (mean of its cases)",
        labels=periods.labels,
        css="spc",
    )


def verdict_icons(periods: PeriodChart) -> str:
    """The Making Data Count icons: variation, and assurance when there is a target."""
    variation = VARIATION_WORDS[periods.variation]
    icons = [_icon(*VARIATION_ICONS[periods.variation], f"Variation: {variation}")]
    if periods.assurance is not None:
        assurance = ASSURANCE_WORDS[periods.assurance]
        icons.append(_icon(*ASSURANCE_ICONS[periods.assurance], f"Assurance: {assurance}"))
    return "".join(icons)


def _icon(letter: str, colour: str, words: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="icon" viewBox="0 0 40 40" width="40" '
        f'height="40" role="img" aria-label="{escape(words)}"><title>{escape(words)}</title>'
        f'<circle cx="20" cy="20" r="17" fill="#ffffff" stroke="{colour}" stroke-width="3"/>'
        f'<text x="20" y="26" font-size="17" font-weight="bold" text-anchor="middle" '
        f'fill="{colour}" style="{FONT}">{escape(letter)}</text></svg>'
    )


def control_chart(
    chart: Chart,
    index: int = 0,
    *,
    x_label: str = "Case number, in order of first contact",
    labels: Sequence[str] | None = None,
    css: str = "xmr",
) -> str:
    """An XmR chart: each point's value in order (cases, or periods when ``labels`` name
    them), the mean, the process limits, and special-cause points marked (orange above
    the mean, blue below)."""
    xmr = chart.chart
    values = xmr.values
    n = len(values)
    left, right, top, bottom = 70, 20, 20, 60
    height = 300
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    limits = [s.lower for s in xmr.segments] + [s.upper for s in xmr.segments]
    finite = [v for v in limits if math.isfinite(v)]
    low = min([float(values.min()), *finite]) if n else 0.0
    high = max([float(values.max()), *finite]) if n else 1.0
    ticks = nice_ticks(low, high, 6)
    y_low, y_high = ticks[0], max(ticks[-1], high)
    scale = 100 if chart.unit == "share" else 1

    def px(i: float) -> float:
        return left + plot_w * (i / max(n - 1, 1))

    def py(v: float) -> float:
        return top + plot_h * (1 - (v - y_low) / ((y_high - y_low) or 1))

    body = []
    for tick in ticks:
        body.append(
            f'<line x1="{left}" y1="{_num(py(tick))}" x2="{WIDTH - right}" '
            f'y2="{_num(py(tick))}" stroke="#eceff1"/>'
        )
        body.append(
            _text(
                left - 8,
                py(tick) + 4,
                _num(tick * scale),
                font_size="12",
                text_anchor="end",
                fill="#37474f",
            )
        )
    body.append(_series(values, px, py))
    body += _limit_lines(chart, px, py)
    body += _special_points(chart, px, py, labels)
    unit = "%" if chart.unit == "share" else chart.unit
    body.append(
        _text(
            left + plot_w / 2,
            height - 18,
            x_label,
            font_size="13",
            text_anchor="middle",
            fill="#263238",
        )
    )
    body.append(
        f'<text transform="translate(16,{top + plot_h / 2}) rotate(-90)" font-size="13" '
        f'text-anchor="middle" fill="#263238">{escape(unit)}</text>'
    )
    for tick in nice_ticks(1, max(n, 2), 8):
        if 1 <= tick <= n and tick == int(tick):
            body.append(
                _text(
                    px(tick - 1),
                    top + plot_h + 18,
                    labels[int(tick) - 1] if labels is not None else _num(tick),
                    font_size="12",
                    text_anchor="middle",
                    fill="#37474f",
                )
            )
    last = xmr.segments[-1] if xmr.segments else None
    points = "periods" if labels is not None else "cases"
    desc = (
        f"{n} {points}. Mean {last.mean:.2f}, process limits {last.lower:.2f} to "
        f"{last.upper:.2f} {chart.unit}; {int(xmr.special.sum())} special-cause points."
        if last is not None
        else f"No {points}."
    )
    return _svg(WIDTH, height, f"Control chart: {chart.title}", desc, body, f"{css} {css}-{index}")


def _series(values: np.ndarray, px: Callable[[float], float], py: Callable[[float], float]) -> str:
    n = len(values)
    if n <= 2 * 800:
        points = " ".join(f"{_num(px(i))},{_num(py(v))}" for i, v in enumerate(values.tolist()))
        return (
            f'<polyline class="series" points="{points}" fill="none" stroke="#607d8b" '
            'stroke-width="1"/>'
        )
    buckets = np.linspace(0, n, 801).astype(np.int64)
    lows = np.minimum.reduceat(values, buckets[:-1])
    highs = np.maximum.reduceat(values, buckets[:-1])
    path = "".join(
        f"M{_num(px(int(b)))},{_num(py(hi))}V{_num(py(lo))}"
        for b, lo, hi in zip(buckets[:-1], lows.tolist(), highs.tolist(), strict=True)
    )
    return (
        f'<path class="series" d="{path}" stroke="#607d8b" stroke-width="1.2" fill="none">'
        "<title>Range of values among neighbouring cases</title></path>"
    )


def _limit_lines(
    chart: Chart, px: Callable[[float], float], py: Callable[[float], float]
) -> list[str]:
    body = []
    for segment in chart.chart.segments:
        x1, x2 = px(segment.start), px(max(segment.stop - 1, segment.start))
        for value, dash, colour, name in (
            (segment.mean, "", "#263238", "Mean"),
            (segment.upper, "6,4", "#c62828", "Upper process limit"),
            (segment.lower, "6,4", "#c62828", "Lower process limit"),
        ):
            if not math.isfinite(value):
                continue
            style = f' stroke-dasharray="{dash}"' if dash else ""
            tip = f"{name}: {value:.2f} {chart.unit}"
            body.append(
                f'<line class="limit" x1="{_num(x1)}" y1="{_num(py(value))}" x2="{_num(x2)}" '
                f'y2="{_num(py(value))}" stroke="{colour}" stroke-width="1.5"{style}>'
                f"<title>{escape(tip)}</title></line>"
            )
    return body


def _special_points(
    chart: Chart,
    px: Callable[[float], float],
    py: Callable[[float], float],
    labels: Sequence[str] | None = None,
) -> list[str]:
    xmr = chart.chart
    flagged = np.flatnonzero(xmr.special)
    if flagged.size > MAX_MARKS:
        flagged = flagged[np.linspace(0, flagged.size - 1, MAX_MARKS).astype(np.int64)]
    body = []
    for i in flagged.tolist():
        value = float(xmr.values[i])
        colour = "#ef6c00" if xmr.side[i] > 0 else "#1565c0"
        rules = [
            name
            for name, flags in (
                ("outside the limits", xmr.outside),
                ("run of 7 on one side", xmr.shift),
                ("trend of 7", xmr.trend),
                ("2 of 3 near a limit", xmr.two_in_three),
            )
            if flags[i]
        ]
        point = labels[i] if labels is not None else f"Case {i + 1}"
        tip = f"{point}: {value:.2f} {chart.unit} — special cause: {', '.join(rules)}"
        body.append(
            f'<circle class="special" cx="{_num(px(i))}" cy="{_num(py(value))}" r="3.2" '
            f'fill="{colour}"><title>{escape(tip)}</title></circle>'
        )
    return body
