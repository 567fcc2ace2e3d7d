"""Reading an event log on the command line in any format, with the options that say how
(``--columns``, ``--case-type``, ``--steps``): shared by ``report``, ``conform`` and
``export``."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from pathway._model._pathway import Pathway
from pathway.cli._common import UsageError, existing_file
from pathway.io import Interpretation, read_events
from pathway.io._table import parse_columns

__all__ = ["read_cli_events", "step_table"]


def read_cli_events(args: argparse.Namespace, log: str, model: Pathway | None) -> Interpretation:
    """The log at ``log`` read against ``model`` with the command's reading options.

    A missing file or a bad option is a :class:`UsageError`; a bad log raises its
    :class:`~pathway.errors.PathwayError` (exit 1)."""
    path = existing_file(log, "event log")
    columns = None
    if getattr(args, "columns", None):
        try:
            columns = parse_columns(args.columns)
        except ValueError as error:
            raise UsageError(f"--columns: {error}") from None
    steps = step_table(args.steps) if getattr(args, "steps", None) else None
    return read_events(
        path,
        model,
        columns=columns,
        case_type=getattr(args, "case_type", None),
        steps=steps,
    )


def step_table(file: str) -> dict[str, str]:
    """The activity -> step mapping in the CSV ``file`` (columns ``activity``, ``step``)."""
    path = existing_file(file, "step mapping")
    with Path(path).open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        if not reader.fieldnames or not {"activity", "step"} <= set(reader.fieldnames):
            raise UsageError(f"--steps {file}: expected a CSV with columns activity,step")
        return {row["activity"]: row["step"] for row in reader if row["activity"] and row["step"]}
