"""``pathway export``: an event log for process miners.

    pathway export LOG -o out.xes|out.jsonocel|out.sqlite|out.csv|out.parquet [--pathway FILE]

``LOG`` is any log ``report`` reads (a simulation's, a stored one, another system's
export); with ``--pathway`` it is read against that pathway (steps by title, outcomes).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pathway.cli._common import EXIT_OK, UsageError, load_file
from pathway.cli._logs import read_cli_events
from pathway.cli._progress import command_progress
from pathway.io import EXPORT_FORMATS, export_log

__all__ = ["run_export"]


def run_export(args: argparse.Namespace) -> int:
    """Run ``pathway export``; a bad output name or an unwritable file is a usage error."""
    target = Path(args.output)
    if target.suffix.lower() not in EXPORT_FORMATS:
        raise UsageError(
            f"cannot tell the export format of {args.output}; name it "
            + ", ".join(f"*{s}" for s in EXPORT_FORMATS)
        )
    model = load_file(args.pathway) if args.pathway else None
    with command_progress(args.quiet) as progress:
        progress.stage(f"reading {Path(args.log).name}")
        found = read_cli_events(args, args.log, model)
        progress.stage(f"writing {target.name}")
        try:
            export_log(found.log, target)
        except OSError as error:
            raise UsageError(f"cannot write {args.output}: {error.strerror or error}") from None
    print(f"wrote {args.output} ({found.log.n_cases} cases)", file=sys.stderr)
    return EXIT_OK
