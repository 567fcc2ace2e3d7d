"""The report as one self-contained HTML page: inline CSS and SVG, no script, no network.

Written for service leaders: the headline first, in plain words; then a few key figures,
the journey map of a typical case, where the delay comes from, the control charts and
the Vanguard tables. Jargon carries an ``<abbr title>`` tooltip and the glossary at the
end explains every term.
"""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING

from pathway._report._map_svg import map_section
from pathway._report._sections import GLOSSARY, Section, Table, number, sections
from pathway._report._svg import (
    CAUSE_COLOURS,
    WORK_COLOURS,
    control_chart,
    pareto,
    period_chart,
    swimlane,
    verdict_icons,
)
from pathway._report._words import (
    PERIOD_WORDS,
    SCHEMA,
    plain_days,
    plain_minutes,
    verdict_sentence,
)
from pathway._version import __version__
from pathway._vocab import (
    CAUSE_WAITING,
    FRAGMENTATION_CAUSES,
    RECORDED_CAUSES,
    WORK_CLASSES,
    WORK_NAMES,
    waiting,
)

if TYPE_CHECKING:
    from pathway._report._report import Chart, Report

__all__ = ["report_html"]

CSS = """
:root{color-scheme:light}
body{margin:0;background:#fff;color:#1c2529;font:16px/1.5 system-ui,-apple-system,'Segoe UI',
Roboto,Arial,sans-serif}
main{max-width:1080px;margin:0 auto;padding:24px 20px 60px}
h1{font-size:1.7rem;margin:0 0 .3rem}h2{font-size:1.3rem;margin:2.2rem 0 .6rem;
border-bottom:2px solid #eceff1;padding-bottom:.2rem}
.sub{color:#455a64;margin:0 0 1rem}
.headline{background:#fff8e1;border-left:6px solid #ef6c00;padding:14px 18px;font-size:1.15rem;
margin:1rem 0}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(128px,1fr));gap:10px;
margin:1rem 0}
.card{border:1px solid #cfd8dc;border-radius:6px;padding:10px 12px}
.card b{display:block;font-size:1.3rem;white-space:nowrap}.card span{color:#455a64;font-size:.9rem}
table{border-collapse:collapse;margin:.6rem 0 1.2rem;font-size:.92rem;width:100%}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border-bottom:1px solid #eceff1;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f5f7fa}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
abbr{text-decoration:underline dotted;cursor:help}
.legend{display:flex;flex-wrap:wrap;gap:6px 16px;font-size:.88rem;margin:.3rem 0 1rem}
.legend i{display:inline-block;width:14px;height:14px;border-radius:3px;margin-right:5px;
vertical-align:-2px}
figure{margin:.5rem 0 1rem}figcaption{color:#455a64;font-size:.9rem}
.verdict{display:flex;gap:10px;align-items:center}.verdict p{margin:0}
details{margin:0 0 1.5rem}summary{cursor:pointer;color:#37474f}
dl{font-size:.92rem}dt{font-weight:600;margin-top:.5rem}dd{margin-left:1rem}
footer{color:#455a64;font-size:.85rem;max-width:1080px;margin:0 auto;padding:0 20px 40px}
"""
TERMS = sorted(GLOSSARY, key=len, reverse=True)
TERM_PATTERN = re.compile(
    "|".join(r"\b" + re.escape(escape(term)) + r"\b" for term in TERMS), re.IGNORECASE
)


def _with_tooltips(text: str) -> str:
    """Escape ``text`` and wrap glossary terms in ``<abbr title>``."""
    lookup = {escape(term).lower(): term for term in TERMS}

    def wrap(match: re.Match[str]) -> str:
        term = lookup[match.group(0).lower()]
        return f'<abbr title="{escape(GLOSSARY[term])}">{match.group(0)}</abbr>'

    return TERM_PATTERN.sub(wrap, escape(text))


def html_table(table: Table) -> str:
    """A table with numeric columns right-aligned and jargon explained in tooltips."""
    head = "".join(
        f'<th scope="col"{" class=n" if n else ""}>{_with_tooltips(h)}</th>'
        for h, n in zip(table.headers, table.numeric, strict=True)
    )
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=n' if n else ''}>{escape(c)}</td>"
            for c, n in zip(row, table.numeric, strict=True)
        )
        + "</tr>"
        for row in table.rows
    )
    caption = f"<caption>{_with_tooltips(table.caption)}</caption>" if table.caption else ""
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _section(section: Section, figures: str = "", level: int = 2) -> str:
    prose = [t for t in section.text if not t.startswith("- ")]
    bullets = [t[2:] for t in section.text if t.startswith("- ")]
    paragraphs = "".join(f"<p>{_with_tooltips(t)}</p>" for t in prose)
    if bullets:
        items = "".join(f"<li>{_with_tooltips(b)}</li>" for b in bullets)
        paragraphs += f"<ul>{items}</ul>"
    tables = "".join(html_table(t) for t in section.tables)
    return (
        f'<section id="{section.key}"><h{level}>{escape(section.title)}</h{level}>'
        f"{paragraphs}{figures}{tables}</section>"
    )


def _legend(items: dict[str, str]) -> str:
    return (
        '<div class="legend">'
        + "".join(
            f'<span><i style="background:{c}"></i>{escape(t)}</span>' for t, c in items.items()
        )
        + "</div>"
    )


def _cards(report: Report) -> str:
    def summary(name: str, unit: str) -> str:
        found = report.measures.get(name)
        return number(found[0].median if found else None, unit)

    headline = report.headline
    cards = [
        (plain_days(headline.median_end_to_end_days or 0), "median end-to-end time"),
        (
            plain_days(headline.fragmentation_days or 0),
            "median fragmentation delay",
        ),
        (
            plain_minutes(headline.perfect_flow_minutes or 0) if report.touch_known else "unknown",
            "perfect flow (value work only)",
        ),
        (summary("visits", "count"), "median visits"),
        (summary("handoffs", "count"), "median hand-offs"),
        (number(report.demand["failure_share"], "share"), "of demand is failure demand"),
        (number(report.appointments["dna_rate"], "share"), "of appointments missed (DNA)"),
    ]
    return (
        '<div class="cards">'
        + "".join(
            f"<div class=card><b>{escape(value)}</b><span>{_with_tooltips(label)}</span></div>"
            for value, label in cards
        )
        + "</div>"
    )


def _journey_figure(report: Report) -> str:
    if report.journey is None:
        return ""
    legend = {WORK_NAMES[w]: WORK_COLOURS[w] for w in WORK_CLASSES}
    legend.update({waiting(cause): CAUSE_COLOURS[cause] for cause in RECORDED_CAUSES})
    return (
        f"<figure>{swimlane(report, report.journey)}<figcaption>Boxes are steps (at least a "
        "few pixels wide however short); a black outline and dot mark a visit, ✕ a missed "
        "appointment, ! the person chasing; arrows are hand-offs; thin bars are waits, "
        "coloured by cause. Hover for details.</figcaption></figure>" + _legend(legend)
    )


def _pareto_figure(report: Report) -> str:
    if not report.attribution.contributors:
        return "<p>No fragmentation delay was found in scope.</p>"
    legend = {CAUSE_WAITING[cause]: CAUSE_COLOURS[cause] for cause in FRAGMENTATION_CAUSES}
    legend["waste work"] = CAUSE_COLOURS["waste work"]
    return f"<figure>{pareto(report)}</figure>" + _legend(legend)


def _chart_figures(report: Report) -> str:
    return "".join(_chart_figure(chart, index) for index, chart in enumerate(report.charts))


def _chart_figure(chart: Chart, index: int) -> str:
    """The measure per period with its verdict, and the per-case chart as a detail."""
    per_case = (
        f"<figure>{control_chart(chart, index)}<figcaption>{escape(chart.title)}, each case: "
        "dashed red lines are the process limits, the solid line the mean; orange points "
        "are special causes above the mean, blue below. With many cases, points outside "
        "the limits are expected and say little about the system.</figcaption></figure>"
    )
    periods = chart.periods
    if periods is None:
        return per_case
    noun = PERIOD_WORDS[periods.period]
    verdict = verdict_sentence(periods.variation, periods.assurance)
    return (
        f'<figure class="spc-figure"><div class="verdict">{verdict_icons(periods)}'
        f"<p><strong>{escape(chart.title)} by {noun}:</strong> {escape(verdict)}.</p></div>"
        f"{period_chart(chart, index)}<figcaption>{escape(chart.title)}: the mean per {noun} "
        "of the cases that started in it, with the Making Data Count rules (a point outside "
        "the limits, a run of 7 on one side of the mean, a trend of 7, 2 of 3 near a "
        "limit).</figcaption></figure>"
        f"<details><summary>Each case ({len(chart.chart.values)} cases)</summary>{per_case}"
        "</details>"
    )


def _glossary() -> str:
    items = "".join(
        f"<dt>{escape(term[:1].upper() + term[1:])}</dt><dd>{escape(text)}</dd>"
        for term, text in sorted(GLOSSARY.items(), key=lambda kv: kv[0].lower())
    )
    return f'<section id="glossary"><h2>Words used here</h2><dl>{items}</dl></section>'


def report_html(report: Report) -> str:
    """The whole page."""
    parts = {section.key: section for section in sections(report)}
    summary = parts.pop("summary")
    figures = {
        "journey": _journey_figure(report),
        "delay": _pareto_figure(report),
        "charts": _chart_figures(report),
    }
    body = [
        f"<h1>{escape(summary.title)}</h1>",
        f'<p class="sub">{_with_tooltips(summary.text[1])}</p>',
        f'<p class="headline">{_with_tooltips(summary.text[0])}</p>',
        _cards(report),
        map_section(report.pathway),
    ]
    body.extend(_section(section, figures.get(key, "")) for key, section in parts.items())
    body.append(_glossary())
    footer = (
        f"<footer>Made by pathway {escape(__version__)} (report schema {SCHEMA}). "
        "Definitions of every measure: docs/reference/measures.md.</footer>"
    )
    title = escape(summary.title)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{CSS}</style></head><body><main>{''.join(body)}</main>{footer}</body></html>\n"
    )
