"""Colours every picture shares, so a work class looks the same in the report's journey
map and the process map. No imports: the process map (a core command) reads it too."""

from __future__ import annotations

__all__ = ["WORK_COLOURS"]

#: Vanguard work classes: value green, the three wastes ochre, orange and purple; each
#: at least 3:1 against white, as WCAG 2.2 asks of the marks of a chart (1.4.11).
WORK_COLOURS = {
    "value": "#2e7d32",
    "waste1": "#a67c00",
    "waste2": "#e65100",
    "waste3": "#6a1b9a",
}
