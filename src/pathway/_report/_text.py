"""The report as terminal text: rich tables when rich is installed, plain ones otherwise."""

from __future__ import annotations

import io
import textwrap
from typing import TYPE_CHECKING

from pathway._report._sections import Section, Table, sections

if TYPE_CHECKING:
    from pathway._report._report import Report

__all__ = ["plain_table", "report_text"]


def report_text(report: Report, *, width: int = 100, color: bool = False) -> str:
    """The report for a terminal ``width`` columns wide (ANSI colours if ``color``)."""
    try:
        import rich  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the environment
        return _plain(report, width)
    return _rich(report, width, color)


def _plain(report: Report, width: int) -> str:
    parts = []
    for section in sections(report):
        parts.append(section.title.upper())
        parts.extend(textwrap.fill(text, width) for text in section.text)
        parts.extend(plain_table(table) for table in section.tables)
    return "\n\n".join(parts) + "\n"


def plain_table(table: Table) -> str:
    """A table in plain text, columns padded, numbers right-aligned."""
    rows = [table.headers, *table.rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(table.headers))]

    def line(row: tuple[str, ...]) -> str:
        cells = [
            cell.rjust(w) if numeric else cell.ljust(w)
            for cell, w, numeric in zip(row, widths, table.numeric, strict=True)
        ]
        return "  ".join(cells).rstrip()

    lines = [table.caption] if table.caption else []
    lines += [line(table.headers), "  ".join("-" * w for w in widths)]
    lines += [line(row) for row in table.rows]
    return "\n".join(lines)


def _rich(report: Report, width: int, color: bool) -> str:
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        legacy_windows=False,
    )
    for section in sections(report):
        _rich_section(console, section)
    return buffer.getvalue()


def _rich_section(console: object, section: Section) -> None:
    from rich.console import Console
    from rich.table import Table as RichTable
    from rich.text import Text

    assert isinstance(console, Console)
    console.rule(Text(section.title, style="bold"))
    for text in section.text:
        console.print(Text(text))
    for table in section.tables:
        rich_table = RichTable(title=Text(table.caption) if table.caption else None)
        for header, numeric in zip(table.headers, table.numeric, strict=True):
            rich_table.add_column(header, justify="right" if numeric else "left")
        for row in table.rows:
            rich_table.add_row(*(Text(cell) for cell in row))
        console.print(rich_table)
    console.print()
