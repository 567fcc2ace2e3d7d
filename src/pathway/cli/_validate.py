"""``pathway validate`` and ``schema``: core commands (no extra needed) that import only
the loader, so they start fast; ``show`` is in :mod:`pathway.cli._show`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pathway._define._load import load
from pathway._define._schema import schema_text
from pathway.cli._common import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    is_usage,
    write_output,
)
from pathway.errors import DefinitionError, Problem

__all__ = ["run_schema", "run_validate"]


def run_validate(arguments: argparse.Namespace) -> int:
    """``pathway validate FILE...``: every problem in every file; exit 1 if any is invalid."""
    results = [_validate_one(file) for file in arguments.files]
    if arguments.format == "json":
        print(json.dumps([r for r, _ in results], indent=2))
    if any(r["missing"] for r, _ in results):
        return EXIT_USAGE
    failed = any(not ok for _, ok in results)
    warned = any(r["warnings"] for r, _ in results)
    return EXIT_INVALID if failed or (arguments.strict and warned) else EXIT_OK


def _validate_one(file: str) -> tuple[dict[str, object], bool]:
    errors: Sequence[Problem] = ()
    warnings: Sequence[Problem] = ()
    try:
        warnings = load(Path(file)).warnings
    except DefinitionError as error:
        errors, warnings = error.problems, error.warnings
        missing = is_usage(error)
    else:
        missing = False
    for problem in (*errors, *warnings):
        print(problem, file=sys.stderr)
    if not errors:
        print(
            f"{file}: valid" + (f" ({len(warnings)} warnings)" if warnings else ""), file=sys.stderr
        )
    result = {
        "file": file,
        "valid": not errors,
        "missing": missing,
        "errors": [p.to_dict() for p in errors],
        "warnings": [p.to_dict() for p in warnings],
    }
    return result, not errors


def run_schema(arguments: argparse.Namespace) -> int:
    """``pathway schema [-o FILE]``: the JSON Schema of the file format."""
    write_output(arguments.output, schema_text())
    return EXIT_OK
