"""``pathway export-bpmn`` and ``pathway import-bpmn``: a pathway to BPMN 2.0 and back.

    pathway export-bpmn PATHWAY [-o out.bpmn]
    pathway import-bpmn IN.bpmn [-o draft.yaml]

The import prints the draft's YAML (or writes it) and lists on standard error what
could not be mapped, one line per BPMN element with its id and why. A file that does not
exist or cannot be written is a usage error (exit 2); a BPMN file that cannot be read as
safe, well-formed BPMN, or whose draft does not validate, is a ``BpmnError`` (exit 1).
"""

from __future__ import annotations

import argparse
import sys

from pathway.cli._common import EXIT_OK, existing_file, load_file, write_output
from pathway.io import export_bpmn, import_bpmn

__all__ = ["run_export_bpmn", "run_import_bpmn"]


def run_export_bpmn(args: argparse.Namespace) -> int:
    """Run ``pathway export-bpmn``: the pathway's BPMN XML to ``-o`` or stdout."""
    model = load_file(args.file)
    write_output(args.output, export_bpmn(model), announce=True)
    return EXIT_OK


def run_import_bpmn(args: argparse.Namespace) -> int:
    """Run ``pathway import-bpmn``: the draft YAML to ``-o`` or stdout, what did not
    map on stderr."""
    found = import_bpmn(existing_file(args.file, "BPMN file"))
    header = (
        f"# Draft pathway imported from {args.file} by pathway import-bpmn.\n"
        f"# {len(found.unmapped)} BPMN element(s) could not be mapped"
        + (": see below.\n" if found.unmapped else ".\n")
    )
    notes = "".join(f"#   {item}\n" for item in found.unmapped)
    write_output(args.output, header + notes + found.yaml, announce=True)
    for item in found.unmapped:
        print(f"{args.file}: not mapped: {item}", file=sys.stderr)
    return EXIT_OK
