"""The diff in every report format: text, Markdown (for a pull request), JSON, HTML."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from html import escape
from typing import Any

import attrs
import numpy as np

from pathway._analysis._spc import before_after
from pathway._analysis._xmr import xmr
from pathway._diff._behaviour import BehaviouralDiff, Comparison
from pathway._diff._cohort import CohortChange, fmt
from pathway._diff._gate import GateResult
from pathway._diff._places import PlacesDiff
from pathway._diff._structural import StructuralDiff
from pathway._model._pathway import Pathway
from pathway._report._changes import change_sentences
from pathway._report._html import CSS, html_table
from pathway._report._map_svg import map_pair
from pathway._report._markdown import markdown_table
from pathway._report._place import places_diff_tables, places_diff_text
from pathway._report._report import Chart
from pathway._report._sections import Section, table
from pathway._report._svg import control_chart, swimlane, verdict_icons
from pathway._report._text import plain_table
from pathway._report._words import PERIOD_WORDS, verdict_sentence
from pathway._vocab import CAUSE_WAITING

__all__ = ["DIFF_SCHEMA", "Diff", "diff_sections"]

DIFF_SCHEMA = "pathway-diff/1"


@attrs.frozen
class Diff:
    """A whole diff: structure, behaviour (unless skipped) and gate results."""

    structure: StructuralDiff
    behaviour: BehaviouralDiff | None
    gates: tuple[GateResult, ...] = ()
    reports: tuple[Any, Any] | None = None  # analysis reports of both, for the HTML page

    @property
    def failed_gates(self) -> tuple[GateResult, ...]:
        """The gates that held (each one fails the run)."""
        return tuple(g for g in self.gates if g.failed)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, versioned: ``{"schema": "pathway-diff/1", ...}``."""
        return {
            "schema": DIFF_SCHEMA,
            "structure": self.structure.to_dict(),
            "behaviour": self.behaviour.to_dict() if self.behaviour else None,
            "gates": [attrs.asdict(g) for g in self.gates],
        }

    def to_json(self) -> str:
        """The JSON text (stable key order)."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def to_markdown(self) -> str:
        """Markdown fit to paste into a pull request."""
        parts = [f"# {self._title()}"]
        for section in diff_sections(self):
            parts.append(f"## {section.title}")
            parts.extend(section.text)
            parts.extend(markdown_table(t) for t in section.tables)
        return "\n\n".join(parts) + "\n"

    def to_text(self) -> str:
        """Plain text for a terminal."""
        import textwrap

        parts = [self._title(), "=" * min(len(self._title()), 100)]
        for section in diff_sections(self):
            parts.append(f"\n{section.title}\n{'-' * len(section.title)}")
            parts.extend(textwrap.fill(text, 100, subsequent_indent="  ") for text in section.text)
            parts.extend(plain_table(t) for t in section.tables)
        return "\n".join(parts) + "\n"

    def to_html(self) -> str:
        """A self-contained page: summary, side-by-side journeys, charts, tables."""
        return _page(self)

    def _title(self) -> str:
        old, new = self.structure.old, self.structure.new
        return f"{old.title} ({old.version}) -> {new.title} ({new.version})"


def diff_sections(diff: Diff) -> list[Section]:
    """The diff's parts, in reading order, for every format."""
    sections = [
        Section(
            "summary",
            "What the redesign changes",
            tuple(f"- {s}" for s in diff.structure.summary()),
        )
    ]
    if diff.behaviour is not None:
        sections.extend(_behaviour_sections(diff.behaviour, diff.structure.old, diff.structure.new))
    if diff.gates:
        sections.append(_gate_section(diff.gates))
    sections.append(_changes_section(diff.structure))
    return sections


def _behaviour_sections(b: BehaviouralDiff, old: Pathway, new: Pathway) -> list[Section]:
    intro = (
        f"Both pathways were simulated on the same {b.cases} people (seed {b.seed}, "
        f"{b.replications} replication(s)); {b.paired_cases} finished in both and are "
        "compared case by case. A change is significant when its 95% confidence "
        "interval excludes zero."
    )
    rows = [_comparison_row(c) for c in (*b.by_outcome, *b.comparisons)]
    measures = table(
        ["measure", "old median", "new median", "mean change (95% CI)", "significant"],
        rows,
        "tnnnt",
    )
    waits = table(
        ["waiting", "old (days per case)", "new (days per case)"],
        [
            (CAUSE_WAITING.get(k, k), f"{o:.2f}", f"{n:.2f}")
            for k, (o, n) in b.waits_by_cause.items()
        ],
        "tnn",
        "Mean waiting per case, by cause",
    )
    sections = [
        Section("headline", "On the same people", (intro, *(f"- {s}" for s in b.headline()))),
        Section("measures", "Every measure, old against new", (), (measures, waits)),
        *_cohort_section(b.cohort),
    ]
    if b.places is not None and (b.places.settings or b.places.roles):
        sections.append(_places_section(b.places, old, new))
    return sections


def _places_section(places: PlacesDiff, old: Pathway, new: Pathway) -> Section:
    """Time in each setting (bed days) and the load on each role, old against new."""
    tables = tuple(
        table(headers, rows, kinds) for headers, rows, kinds in places_diff_tables(places, old, new)
    )
    return Section(
        "places",
        "Where the time is spent, and the load on each role",
        places_diff_text(places, old, new),
        tables,
    )


def _cohort_section(changes: Sequence[CohortChange]) -> list[Section]:
    """People versus demands and checkpoint rounds, cohort against cohort: a sentence
    per change that shows once rounded, and every figure in a table."""
    if not changes:
        return []
    intro = (
        "Figures of each whole simulated cohort (the first replication), set side by side "
        "rather than paired case by case; a change is listed only when the figures differ "
        "once rounded."
    )
    said = [f"- {_cohort_sentence(c)}" for c in changes if c.visible]
    rows = [
        (
            f"{c.label} ({c.unit})" if c.unit != "share" else c.label,
            fmt(c.old, c.unit),
            fmt(c.new, c.unit),
            {True: "better", False: "worse", None: "no change" if not c.visible else "-"}[c.better],
        )
        for c in changes
    ]
    grid = table(["figure", "old", "new", "change"], rows, "tnnt")
    lines = (intro, *(said or ["- No change in people or checkpoint rounds."]))
    return [Section("cohort", "People and checkpoint rounds", lines, (grid,))]


def _cohort_sentence(c: CohortChange) -> str:
    """One visible change in words."""
    unit = "" if c.unit == "share" else f" {c.unit}"
    old, new = fmt(c.old, c.unit), fmt(c.new, c.unit)
    if c.old is None or c.new is None:
        return f"{c.label}: {old} in the old pathway, {new} in the new{unit}"
    verb = "falls" if c.new < c.old else "rises"
    return f"{c.label} {verb} from {old} to {new}{unit}"


def _comparison_row(c: Comparison) -> tuple[str, ...]:
    low, high = c.mean_ci
    interval = f"{_n(c.mean_difference)} ({_n(low)} to {_n(high)})"
    better = c.better if c.visible else None
    mark = {True: "yes, better", False: "yes, worse", None: "no"}[better]
    return (f"{c.label} ({c.unit})", _n(c.old_median), _n(c.new_median), interval, mark)


def _n(value: float) -> str:
    if not math.isfinite(value):
        return "n/a"
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


def _gate_section(gates: Sequence[GateResult]) -> Section:
    rows = [("FAIL" if g.failed else "pass", g.text, g.explanation) for g in gates]
    failed = sum(g.failed for g in gates)
    text = f"{failed} of {len(gates)} gate(s) failed." if failed else "Every gate passed."
    return Section(
        "gates", "Gates (--fail-if)", (text,), (table(["result", "gate", "why"], rows, "ttt"),)
    )


def _changes_section(structure: StructuralDiff) -> Section:
    if not structure.changes:
        return Section("changes", "Structural changes", ("None.",))
    old, new = structure.old_nominal, structure.new_nominal
    lines = (
        f"Old nominal path: {_titles(structure.old, old.steps)}",
        f"New nominal path: {_titles(structure.new, new.steps)}",
        *(f"- {sentence}" for sentence in change_sentences(structure)),
        *_approximate_lines(structure),
    )
    nominal = table(
        ["on paper (nominal path; expected over every path)", "old", "new"],
        [
            ("steps", str(len(old.steps)), str(len(new.steps))),
            ("visits", str(old.visits), str(new.visits)),
            ("hand-offs", str(old.total_handoffs), str(new.total_handoffs)),
            *_expected_rows(structure),
            (
                "waste steps",
                ", ".join(old.waste_steps) or "none",
                ", ".join(new.waste_steps) or "none",
            ),
            (
                "calendar gates",
                ", ".join(g.description for g in old.gates) or "none",
                ", ".join(g.description for g in new.gates) or "none",
            ),
            (
                "checkpoints",
                ", ".join(old.checkpoints) or "none",
                ", ".join(new.checkpoints) or "none",
            ),
        ],
        "ttt",
    )
    return Section("changes", "Structural changes", lines, (nominal,))


def _expected_rows(structure: StructuralDiff) -> list[tuple[str, str, str]]:
    """Expected visits and hand-offs per case over every path, loops included (the
    fundamental matrix of the pathway's Markov chain), beside the nominal path's."""
    old, new = structure.old_expected, structure.new_expected
    if old is None or new is None:
        return []
    mark = " (approximate)" if old.approximate or new.approximate else ""
    rows = [
        (f"expected visits, every path{mark}", _expected(old.visits), _expected(new.visits)),
        (
            f"expected hand-offs, every path{mark}",
            _expected(old.total_handoffs),
            _expected(new.total_handoffs),
        ),
    ]
    return rows


def _approximate_lines(structure: StructuralDiff) -> list[str]:
    """Why the expected counts are approximate, pathway by pathway."""
    lines = []
    for which, found in (("old", structure.old_expected), ("new", structure.new_expected)):
        if found is not None and found.approximate:
            lines.append(
                f"Expected counts of the {which} pathway are approximate: "
                + "; ".join(found.approximate)
                + "."
            )
    return lines


def _expected(value: float) -> str:
    return f"{value:.1f}" if math.isfinite(value) else "no end"


def _titles(pathway: Any, steps: Sequence[str]) -> str:
    """A path as people read it: each step's title (its id when it has none)."""
    return " -> ".join(pathway.steps[s].title or s for s in steps)


# -- HTML ------------------------------------------------------------------------------------


def _page(diff: Diff) -> str:
    body = [f"<h1>{escape(diff._title())}</h1>"]
    for section in diff_sections(diff):
        body.append(f'<section id="{section.key}"><h2>{escape(section.title)}</h2>')
        body.extend(_html_text(section.text))
        if section.key == "summary":
            body.append(map_pair(diff.structure.old, diff.structure.new))
        if section.key == "headline" and diff.reports is not None:
            body.append(_journeys(diff.reports))
            body.append(_chart(diff))
        body.extend(html_table(t) for t in section.tables)
        body.append("</section>")
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(diff._title())}</title><style>{CSS}"
        ".pair{display:grid;grid-template-columns:1fr;gap:1rem}</style></head><body><main>"
        + "".join(body)
        + "</main></body></html>\n"
    )


def _html_text(lines: Sequence[str]) -> list[str]:
    bullets = [line[2:] for line in lines if line.startswith("- ")]
    prose = [line for line in lines if not line.startswith("- ")]
    out = [f"<p>{escape(p)}</p>" for p in prose]
    if bullets:
        out.append("<ul>" + "".join(f"<li>{escape(b)}</li>" for b in bullets) + "</ul>")
    return out


def _journeys(reports: tuple[Any, Any]) -> str:
    figures = []
    for label, report in zip(("Before", "After"), reports, strict=True):
        if report.journey is None:
            continue
        figures.append(
            f"<figure><figcaption>{label}: a typical case (closest to the median "
            f"end-to-end time)</figcaption>{swimlane(report, report.journey)}</figure>"
        )
    return '<div class="pair">' + "".join(figures) + "</div>"


def _chart(diff: Diff) -> str:
    """End-to-end time, old then new: by period with its verdict, each case as a detail."""
    if diff.reports is None:
        return ""
    (old_starts, old), (new_starts, new) = (_end_to_end_days(r) for r in diff.reports)
    if len(old) < 2 or len(new) < 2:
        return ""
    title = "End-to-end time, old then new pathway"
    per_case = Chart("end_to_end_days", title, "days", xmr(np.concatenate([old, new]),
                                                           rebase=[len(old)]))  # fmt: skip
    periods = before_after((old_starts, old), (new_starts, new))
    noun = PERIOD_WORDS[periods.period]
    by_period = attrs.evolve(per_case, chart=periods.chart)
    axis = f"{noun.capitalize()} of first contact (mean of its cases), old then new"
    period_svg = control_chart(by_period, 0, x_label=axis, labels=periods.labels, css="spc")
    verdict = verdict_sentence(periods.variation, None)
    return (
        f'<figure><div class="verdict">{verdict_icons(periods)}<p><strong>{escape(title)} '
        f"by {noun}:</strong> {escape(verdict)} (new pathway).</p></div>{period_svg}"
        f"<figcaption>The mean per {noun} of the cases that started in it: the old pathway, "
        "then the new one on the same people; the limits are recalculated where the new "
        "pathway starts.</figcaption></figure>"
        f"<details><summary>Each case ({len(old) + len(new)} cases)</summary><figure>"
        f"{control_chart(per_case, 1)}<figcaption>Cases in arrival order: the old pathway, "
        "then the new one.</figcaption></figure></details>"
    )


def _end_to_end_days(report: Any) -> tuple[Any, Any]:
    """The cases in scope: when each started (ns) and its end-to-end time in days."""
    minutes = np.asarray(report.cases.end_to_end, dtype=float)
    starts = np.asarray(report.cases.start, dtype=np.int64)
    return starts[report.scope], minutes[report.scope] / 1440.0
