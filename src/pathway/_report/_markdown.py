"""The report as Markdown: a heading per section, its words, then pipe tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pathway._report._sections import Table, sections

if TYPE_CHECKING:
    from pathway._report._report import Report

__all__ = ["markdown_table", "report_markdown"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(table: Table) -> str:
    """A pipe table, numbers right-aligned, with its caption in bold above."""
    lines = []
    if table.caption:
        lines.extend([f"**{table.caption}**", ""])
    lines.append("| " + " | ".join(_cell(h) for h in table.headers) + " |")
    lines.append("|" + "|".join("---:" if n else "---" for n in table.numeric) + "|")
    lines.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows)
    if not table.rows:
        lines.append("| " + " | ".join("-" for _ in table.headers) + " |")
    return "\n".join(lines)


def report_markdown(report: Report) -> str:
    """The whole report as one Markdown document."""
    parts = []
    for index, section in enumerate(sections(report)):
        parts.append(("# " if index == 0 else "## ") + section.title)
        parts.extend(section.text)
        parts.extend(markdown_table(t) for t in section.tables)
    return "\n\n".join(parts) + "\n"
