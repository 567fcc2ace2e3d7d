"""Read and write event logs (``pathway.io``): the spine's way in and out.

    import pathway.io
    log = pathway.io.read_log("events.parquet")     # or .csv
    pathway.io.write_log(log, "events.csv")

Today: CSV and Parquet in pathway's own shape (what ``pathway simulate --events``
writes). Each format is one module here behind these functions; a new reader or writer
(XES, OCEL 2.0, process-mining CSV) goes beside them. Needs numpy (the ``report`` or
``sim`` extra); importing this package without it raises
:class:`~pathway.MissingExtraError` naming the extra.
"""

from __future__ import annotations

from pathway._extras import require

require("numpy", extra="report", feature="pathway.io")

from pathway.io._files import read_log, write_log  # noqa: E402 - after the extras check

__all__ = ["read_log", "write_log"]
