"""Conformance in words: each deviation as a sentence, the summary table, the report's
section and the ``pathway conform`` outputs (text, Markdown, JSON)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import attrs

from pathway._analysis._conformance import Conformance, Deviation, TraceFit
from pathway._journal._eventlog import NAT
from pathway._model._pathway import Pathway

__all__ = [
    "DEVIATION_WORDS",
    "Grid",
    "conformance_dict",
    "conformance_json",
    "conformance_markdown",
    "conformance_text",
    "deviation_sentence",
    "lead",
    "summary_grid",
    "traces_grid",
]

SCHEMA = "pathway-conformance/1"
#: Each deviation kind as a table row label.
DEVIATION_WORDS: Mapping[str, str] = {
    "wrong_start": "Wrong start",
    "undeclared_step": "Undeclared step",
    "undeclared_move": "Undeclared move",
    "skipped_step": "Skipped step",
    "guard_false": "Guard false for the recorded facts",
    "wrong_role": "Done by a role that does not own the step",
    "calendar_shut": "Done while the step's calendar was shut",
    "no_outcome": "No outcome",
}
SHOWN_TRACES = 20


@attrs.frozen
class Grid:
    """A table of text: headers, rows, which columns are numbers, a caption."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]
    caption: str


def _grid(
    headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: str, caption: str
) -> Grid:
    return Grid(
        tuple(headers), tuple(tuple(r) for r in rows), tuple(c == "n" for c in numeric), caption
    )


def _titler(pathway: Pathway) -> Callable[[str], str]:
    def title(step: str) -> str:
        declared = pathway.steps.get(step)
        return f"'{declared.title}'" if declared else f"'{step}'"

    return title


def _when(at: int) -> str:
    if at == NAT:
        return ""
    moment = datetime.fromtimestamp(at / 1e9, tz=UTC)
    return moment.strftime(" (%Y-%m-%d %H:%M)")


def deviation_sentence(deviation: Deviation, pathway: Pathway) -> str:
    """One deviation in pathway's words, e.g. "moved from 'Triage' to 'Discharge',
    skipping 'Assessment'"."""
    title = _titler(pathway)
    step, source, detail = deviation.step, deviation.source, deviation.detail
    when = _when(deviation.at)
    kind = deviation.kind
    if kind == "wrong_start":
        return f"started at {title(step)}, not at {title(str(detail['expected']))}{when}"
    if kind == "undeclared_step":
        return f"{title(step)} is not a step of the pathway{when}"
    if kind == "undeclared_move":
        return f"moved from {title(str(source))} to {title(step)}, which no transition allows{when}"
    if kind == "skipped_step":
        skipped = ", ".join(title(s) for s in detail.get("skipped", ()))
        return f"moved from {title(str(source))} to {title(step)}, skipping {skipped}{when}"
    if kind == "guard_false":
        facts = ", ".join(f"{k}={v!r}" for k, v in dict(detail.get("facts", {})).items())
        return (
            f"moved from {title(str(source))} to {title(step)} although its guard "
            f"'{detail['guard']}' is false for {facts or 'the recorded facts'}{when}"
        )
    if kind == "wrong_role":
        owner = pathway.roles.get(str(detail["owner"]))
        owner_title = owner.title if owner else detail["owner"]
        return (
            f"{title(step)} was done by {detail['role']!r}, not by its owner {owner_title!r}{when}"
        )
    if kind == "calendar_shut":
        return f"{title(step)} was done while its calendar {detail['calendar']!r} was shut{when}"
    return f"the journey did not reach an outcome (last step {title(step)})"


def summary_grid(result: Conformance) -> Grid:
    """Deviation kinds ranked by frequency, with cases and example case ids."""
    total = len(result.traces)
    rows = [
        (
            DEVIATION_WORDS[count.kind],
            str(count.occurrences),
            str(count.cases),
            f"{count.cases / total:.1%}" if total else "-",
            ", ".join(count.examples),
        )
        for count in result.ranked
    ]
    return _grid(
        ("Deviation", "Times", "Cases", "Share of cases", "Example cases"),
        rows,
        "tnnnt",
        "Deviations ranked by how often they occur",
    )


def traces_grid(result: Conformance, pathway: Pathway, limit: int | None) -> Grid:
    """The journeys that do not fit (the first ``limit``), each with its first deviation."""
    shown = [t for t in result.traces if not t.fits]
    rows = [
        (
            trace.case_id,
            str(len(trace.deviations)),
            deviation_sentence(trace.deviations[0], pathway),
        )
        for trace in (shown if limit is None else shown[:limit])
    ]
    caption = "Journeys that do not fit, with their first deviation"
    if limit is not None and len(shown) > limit:
        caption += f" (the first {limit} of {len(shown)})"
    return _grid(("Case", "Deviations", "First deviation"), rows, "tnt", caption)


def lead(result: Conformance) -> str:
    """The section's first sentence: how many journeys fit."""
    total = len(result.traces)
    return (
        f"{result.fitting} of {total} journeys ({result.fitness:.1%}) fit the pathway: they "
        "start at its start, move only along declared transitions, reach an outcome, and "
        "each step is done by its owner while its calendar is open."
    )


def _trace_dict(trace: TraceFit, pathway: Pathway) -> dict[str, Any]:
    return {
        "case_id": trace.case_id,
        "fits": trace.fits,
        "steps": list(trace.steps),
        "first_deviation": (
            _deviation_dict(trace.first, pathway) if trace.first is not None else None
        ),
        "deviations": [_deviation_dict(d, pathway) for d in trace.deviations],
    }


def _deviation_dict(deviation: Deviation, pathway: Pathway) -> dict[str, Any]:
    return {
        "kind": deviation.kind,
        "at": (
            datetime.fromtimestamp(deviation.at / 1e9, tz=UTC).isoformat()
            if deviation.at != NAT
            else None
        ),
        "step": deviation.step,
        "from_step": deviation.source,
        "detail": {k: list(v) if isinstance(v, tuple) else v for k, v in deviation.detail.items()},
        "text": deviation_sentence(deviation, pathway),
    }


def conformance_dict(result: Conformance, pathway: Pathway) -> dict[str, Any]:
    """The JSON document (schema ``pathway-conformance/1``) as Python data."""
    return {
        "schema": SCHEMA,
        "pathway": {"id": pathway.id, "version": pathway.version},
        "traces": len(result.traces),
        "fitting": result.fitting,
        "fitness": result.fitness,
        "deviations": [
            {
                "kind": count.kind,
                "label": DEVIATION_WORDS[count.kind],
                "occurrences": count.occurrences,
                "cases": count.cases,
                "examples": list(count.examples),
            }
            for count in result.ranked
        ],
        "per_trace": [_trace_dict(trace, pathway) for trace in result.traces],
    }


def _plain_table(data: Grid) -> list[str]:
    widths = [
        max(len(h), *(len(r[i]) for r in data.rows)) if data.rows else len(h)
        for i, h in enumerate(data.headers)
    ]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.rjust(w) if data.numeric[i] else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [data.caption, line(data.headers), "  ".join("-" * w for w in widths)] + [
        line(row) for row in data.rows
    ]


def conformance_text(result: Conformance, pathway: Pathway, *, all_traces: bool = False) -> str:
    """Plain text: the lead sentence, the ranked table and the journeys that do not fit
    (all of them with ``all_traces``, and every deviation of each)."""
    lines = [f"Conformance to {pathway.title} ({pathway.id} {pathway.version})", "", lead(result)]
    if result.ranked:
        lines += ["", *_plain_table(summary_grid(result))]
        lines += [
            "",
            *_plain_table(traces_grid(result, pathway, None if all_traces else SHOWN_TRACES)),
        ]
    if all_traces:
        for trace in result.traces:
            if trace.fits:
                continue
            lines += ["", f"Case {trace.case_id}:"]
            lines += [f"  - {deviation_sentence(d, pathway)}" for d in trace.deviations]
    return "\n".join(lines) + "\n"


def _markdown_table(data: Grid) -> list[str]:
    align = ["---:" if n else "---" for n in data.numeric]
    return [
        f"*{data.caption}*",
        "",
        "| " + " | ".join(data.headers) + " |",
        "| " + " | ".join(align) + " |",
        *("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in data.rows),
    ]


def conformance_markdown(result: Conformance, pathway: Pathway) -> str:
    """Markdown: the lead sentence and both tables."""
    lines = [f"## Conformance to {pathway.title}", "", lead(result)]
    if result.ranked:
        lines += ["", *_markdown_table(summary_grid(result))]
        lines += ["", *_markdown_table(traces_grid(result, pathway, SHOWN_TRACES))]
    return "\n".join(lines) + "\n"


def conformance_json(result: Conformance, pathway: Pathway) -> str:
    """The JSON document as text."""
    return json.dumps(conformance_dict(result, pathway), indent=2, ensure_ascii=False)
