"""One way in for every event-log format: :func:`read_events` picks the reader by the
file's name (and, for CSV/Parquet, its header) and reads the log against a pathway.

| format | files | reader |
| --- | --- | --- |
| ``pathway`` | CSV/Parquet with ``type`` and ``case_id`` columns | :func:`pathway.io.read_log` |
| ``table`` | any other CSV/Parquet, a pandas or polars DataFrame | :func:`pathway.io.read_table` |
| ``xes`` | ``.xes``, ``.xes.gz`` | :func:`pathway.io.read_xes` |
| ``ocel`` | ``.jsonocel``, ``.xmlocel``, ``.sqlite`` (or ``.json``, ``.xml``, ``.db``) | OCEL |
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pathway._extras import require
from pathway._journal._eventlog import EventLog, kind_code
from pathway._model._pathway import Pathway
from pathway.io._files import read_log
from pathway.io._foreign import ForeignLog
from pathway.io._interpret import Interpretation, interpret
from pathway.io._ocel import OCEL_SUFFIXES, read_ocel
from pathway.io._table import read_table
from pathway.io._xes import read_xes

__all__ = ["FORMATS", "detect_format", "read_events", "read_foreign"]

FORMATS = ("pathway", "table", "xes", "ocel")
_OWN_COLUMNS = frozenset({"type", "case_id", "at"})


def detect_format(source: Any) -> str:
    """Which of :data:`FORMATS` ``source`` is in (see the module docstring)."""
    if not isinstance(source, str | Path):
        return "table"
    path = Path(source)
    name = path.name.lower()
    if name.endswith((".xes", ".xes.gz")):
        return "xes"
    if path.suffix.lower() in OCEL_SUFFIXES:
        return "ocel"
    return "pathway" if _own_header(path) else "table"


def _own_header(path: Path) -> bool:
    """Whether the CSV/Parquet at ``path`` is in pathway's own shape."""
    if not path.is_file():
        return False
    if path.suffix.lower() in {".parquet", ".pq"}:
        parquet = require("pyarrow.parquet", extra="report", feature="reading Parquet logs")
        names = set(parquet.read_schema(path).names)
    else:
        with path.open(encoding="utf-8", errors="replace") as stream:
            names = {n.strip().strip('"') for n in stream.readline().split(",")}
    return names >= _OWN_COLUMNS


def read_foreign(
    source: Any,
    *,
    format: str | None = None,
    columns: Mapping[str, str] | None = None,
    case_type: str | None = None,
) -> ForeignLog:
    """A foreign (process-mining) log, by ``format`` or by :func:`detect_format`."""
    kind = format or detect_format(source)
    if kind == "xes":
        return read_xes(source)
    if kind == "ocel":
        return read_ocel(source, case_type, fields=columns)
    if kind == "table":
        return read_table(source, columns)
    raise ValueError(f"unknown foreign log format {kind!r}; expected xes, ocel or table")


def read_events(
    source: Any,
    pathway: Pathway | None = None,
    *,
    format: str | None = None,
    columns: Mapping[str, str] | None = None,
    case_type: str | None = None,
    steps: Mapping[str, str] | None = None,
) -> Interpretation:
    """Read an event log in any supported format and interpret it against ``pathway``.

    ``source`` is a path or a DataFrame; ``format`` one of :data:`FORMATS` (else told
    from the name and header); ``columns`` maps column roles to names (tables) or event
    fields to attribute names (OCEL); ``case_type`` is the OCEL object type that is the
    case; ``steps`` maps activities to step ids. A log in pathway's own shape is
    returned as it is (its notes empty). Raises :class:`FileNotFoundError`,
    :class:`~pathway.errors.EventLogError` or
    :class:`~pathway.errors.DefinitionError` (pathway's own shape) for a bad file.
    """
    kind = format or detect_format(source)
    if kind not in FORMATS:
        raise ValueError(f"unknown event log format {kind!r}; expected one of {FORMATS}")
    if kind == "pathway":
        log = read_log(source, pathway)
        return Interpretation(
            log=log,
            source=str(source),
            steps={},
            unmapped={},
            undeclared_roles={},
            touch_known=True,
            open_cases=int(log.n_cases - _finished(log)),
            notes=(),
        )
    foreign = read_foreign(source, format=kind, columns=columns, case_type=case_type)
    return interpret(foreign, pathway, steps=steps)


def _finished(log: EventLog) -> int:
    """How many cases of ``log`` reached an outcome."""
    rows = log.rows_of(kind_code("outcome_reached"))
    return len(set(log.case[rows].tolist()))
