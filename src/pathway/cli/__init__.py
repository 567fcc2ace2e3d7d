"""The ``pathway`` command line, for scripts that call it in-process.

``main(["validate", "pathway.yaml"])`` runs a command and returns its exit code
(documented in docs/reference/cli.md):

* 0 (:data:`EXIT_OK`): success (every file valid; warnings fail only with ``--strict``)
* 1 (:data:`EXIT_INVALID`): invalid input; the problems are printed as ``file:line:col``
* 2 (:data:`EXIT_USAGE`): usage error: unknown command or option, a bad value, a file
  not found, an output that cannot be written, an optional extra not installed
* 3 (:data:`EXIT_GATE_FAILED`): ``diff --fail-if``: a gate held
* 130 (:data:`EXIT_INTERRUPTED`): interrupted
* 141 (:data:`EXIT_BROKEN_PIPE`): the reader of the output went away (``pathway schema | head``)

A user's mistake never shows a traceback; an unexpected exception is a bug in pathway and
does.
"""

from __future__ import annotations

from pathway.cli._common import (
    EXIT_BROKEN_PIPE,
    EXIT_GATE_FAILED,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
)
from pathway.cli._main import entry_point, main

__all__ = [
    "EXIT_BROKEN_PIPE",
    "EXIT_GATE_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_USAGE",
    "UsageError",
    "entry_point",
    "main",
]
