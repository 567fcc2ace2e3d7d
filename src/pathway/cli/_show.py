"""``pathway show``: a pathway's summary, flowchart (Mermaid, DOT) or process map (SVG, a
page), a core command (no extra needed)."""

from __future__ import annotations

import argparse

from pathway._report._map_svg import map_page, map_svg, svg_document
from pathway._report._pathway_text import dot, mermaid, summary
from pathway.cli._common import EXIT_OK, load_file, write_output

__all__ = ["run_show"]


def run_show(arguments: argparse.Namespace) -> int:
    """``pathway show FILE [--mermaid | --svg | --html | --dot] [--lanes L] [-o OUT]``:
    the summary, a flowchart, the process map or a page with it."""
    pathway = load_file(arguments.file)
    lanes = arguments.lanes
    if arguments.svg:
        text = svg_document(map_svg(pathway, lanes))
    elif arguments.html:
        text = map_page(pathway, lanes)
    elif arguments.dot:
        text = dot(pathway, lanes)
    elif arguments.mermaid:
        text = mermaid(pathway, lanes)
    else:
        text = summary(pathway)
    write_output(arguments.output, text, announce=arguments.output is not None)
    return EXIT_OK
