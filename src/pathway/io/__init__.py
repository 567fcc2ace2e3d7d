"""Read and write event logs (``pathway.io``): the spine's way in and out.

    import pathway.io
    log = pathway.io.read_log("events.parquet")     # pathway's own shape (.csv too)
    pathway.io.write_log(log, "events.csv")

    # what a case system exports: process-mining CSV/Parquet/DataFrames, XES, OCEL 2.0
    found = pathway.io.read_events("export.xes.gz", pathway=model)
    found.log                                        # an EventLog for analyse/conform
    found.notes                                      # what the reading rules did
    pathway.io.export_log(found.log, "out.xes")      # for pm4py, bupaR, ProM...

    # a pathway as a BPMN 2.0 process map (bpmn.io, Camunda Modeler), and back
    pathway.io.export_bpmn(model, "hub.bpmn")
    draft = pathway.io.import_bpmn("hub.bpmn")       # .pathway, .yaml, .unmapped

Each format is one module here: pathway's own CSV and Parquet (``_files``),
process-mining tables (``_table``), XES (``_xes``), OCEL 2.0 (``_ocel``), the rules that
read a foreign log against a pathway (``_interpret``), the process-mining writers
(``_export``) and a pathway as BPMN 2.0 and back (``_bpmn``). Needs numpy (the
``report`` or ``sim`` extra); importing this package without it raises
:class:`~pathway.MissingExtraError` naming the extra.
"""

from __future__ import annotations

from pathway._extras import require

require("numpy", extra="report", feature="pathway.io")

# ruff: noqa: E402 - after the extras check
from pathway.io._bpmn import (
    BPMN_LIMITS,
    BpmnImport,
    Unmapped,
    export_bpmn,
    import_bpmn,
)
from pathway.io._events import FORMATS, read_events
from pathway.io._export import EXPORT_FORMATS, export_log
from pathway.io._files import read_log, write_log
from pathway.io._foreign import ForeignLog
from pathway.io._interpret import Interpretation, interpret
from pathway.io._ocel import read_ocel
from pathway.io._table import read_table
from pathway.io._xes import read_xes

__all__ = [
    "BPMN_LIMITS",
    "EXPORT_FORMATS",
    "FORMATS",
    "BpmnImport",
    "ForeignLog",
    "Interpretation",
    "Unmapped",
    "export_bpmn",
    "export_log",
    "import_bpmn",
    "interpret",
    "read_events",
    "read_log",
    "read_ocel",
    "read_table",
    "read_xes",
    "write_log",
]
