"""Colours every picture shares, so a work class looks the same in the report's journey
map and the process map. No imports: the process map (a core command) reads it too."""

from __future__ import annotations

__all__ = ["WORK_COLOURS"]

#: Vanguard work classes: value green, the three wastes yellow, orange and purple.
WORK_COLOURS = {
    "value": "#2e7d32",
    "waste1": "#f9a825",
    "waste2": "#e65100",
    "waste3": "#6a1b9a",
}
