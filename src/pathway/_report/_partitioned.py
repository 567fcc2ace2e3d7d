"""Reports of logs too large to hold in memory: analysed by part, on one machine or a
Dask cluster.

A part is a Parquet file holding whole cases (every event of each of its cases). A log
that is not split that way (one big file, or the simulator's log, which is in time
order) is first split by case id into parts, streamed a record batch at a time with
only the columns the report reads (:func:`split_by_case`). Each part is read with
:func:`pathway.io.read_log` (so it is checked as any log is), measured
(:func:`pathway._analysis._partial.part_of`) and dropped; the parts' contributions are
combined exactly (:func:`pathway._analysis._partial.combine`), so the report equals the
one the whole log would give in memory.

Parts run one after another in this process, or on a Dask ``LocalCluster`` with
``workers`` worker processes (the ``dask`` extra): Dask is already the simulator's way
of running replications on a cluster, so one extra serves both, and its workers read
their parts from a shared disk by path.
"""

from __future__ import annotations

import glob
import tempfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from pathway._analysis._journey import Journey, journey_of
from pathway._analysis._partial import Part, combine, part_of
from pathway._extras import require
from pathway._journal._eventlog import DOMAIN_OF, JSON_FIELDS, TIME_FIELDS
from pathway._model._pathway import Pathway
from pathway._report._build import combined_report
from pathway._report._report import Report
from pathway.errors import EventLogError, Problem
from pathway.io import read_log
from pathway.io._files import REPORT_FIELDS

__all__ = [
    "BIG_LOG_ROWS",
    "FILE_ROWS",
    "in_parts",
    "partitioned_report",
    "pathway_shaped",
    "report_in_parts",
    "split_by_case",
]

#: Rows of one file before its first row's position (parts are numbered in file order).
FILE_ROWS = 1 << 40
#: A single Parquet log with more rows than this is analysed in parts.
BIG_LOG_ROWS = 20_000_000
#: Events per part when a log is split (about 300 MB of columns in memory per part).
PART_ROWS = 2_500_000
#: Columns a part keeps: what the report reads and checks, less the JSON texts (facts,
#: answers...) and free text it never looks at; a move's ``data`` stays (it marks a
#: lapsed review, counted by the checkpoint rounds).
_KEPT = frozenset(
    {"type", "case_id", "attendance", "data", *TIME_FIELDS}
    | {name for name in DOMAIN_OF if name not in JSON_FIELDS and name not in {"note", "rationale"}}
)
_ROW = "_row"

I64 = npt.NDArray[np.int64]


def _arrow() -> Any:
    for name in ("pyarrow.compute", "pyarrow.parquet"):
        require(name, extra="report", feature="reports of large event logs")
    return require("pyarrow", extra="report", feature="reports of large event logs")


def _unreadable(path: Path, error: object) -> EventLogError:
    problem = Problem(f"cannot read Parquet: {error}", str(path), code="bad-event-log")
    return EventLogError([problem], log=str(path))


def _metadata(path: str | Path) -> Any:
    """The Parquet metadata of ``path``, or ``None`` when it cannot be read (left to
    the usual reader's errors)."""
    pa = _arrow()
    try:
        return pa.parquet.read_metadata(path)
    except (OSError, pa.ArrowException):
        return None


def pathway_shaped(path: str | Path) -> bool:
    """Whether the Parquet file at ``path`` is a log in pathway's own shape (``type``,
    ``case_id`` and ``at`` columns), as the simulator and ``write_log`` write it."""
    metadata = _metadata(path)
    if metadata is None:
        return False
    return {"type", "case_id", "at"} <= set(metadata.schema.to_arrow_schema().names)


def in_parts(path: str | Path, asked: bool) -> bool:
    """Whether the Parquet log at ``path`` is pathway-shaped and either ``asked`` for
    in parts or larger than :data:`BIG_LOG_ROWS` events."""
    metadata = _metadata(path)
    return pathway_shaped(path) and (asked or metadata.num_rows > BIG_LOG_ROWS)


def split_by_case(path: str | Path, folder: str | Path, parts: int | None = None) -> list[Path]:
    """Split the Parquet log at ``path`` by case id into ``parts`` Parquet files in
    ``folder`` (by default one per :data:`PART_ROWS` events), streamed one record batch
    at a time; each part keeps the columns the report reads, dictionary-encoded, and a
    ``_row`` column with each event's row in ``path``. Returns the parts' paths.

    Raises :class:`~pathway.errors.EventLogError` for a file that is not Parquet or has
    no ``case_id`` column.
    """
    pa = _arrow()
    source = Path(path)
    try:
        file = pa.parquet.ParquetFile(source)
        schema = file.schema_arrow
        kept = [n for n in schema.names if n in _KEPT]
        text = [n for n in kept if pa.types.is_string(schema.field(n).type)]
        file = pa.parquet.ParquetFile(source, read_dictionary=text)
        rows = file.metadata.num_rows
    except (OSError, pa.ArrowException) as error:
        raise _unreadable(source, error) from None
    if "case_id" not in kept:
        raise _unreadable(source, "the event log has no 'case_id' column")
    count = parts if parts is not None else max(1, -(-rows // PART_ROWS))
    Path(folder).mkdir(parents=True, exist_ok=True)
    paths = [Path(folder) / f"part-{i:04d}.parquet" for i in range(count)]
    writers: list[Any] = [None] * count
    done = 0
    try:
        for batch in file.iter_batches(batch_size=1 << 20, columns=kept):
            done = _route(pa, batch, done, paths, writers)
    except (OSError, pa.ArrowException) as error:
        raise _unreadable(source, error) from None
    finally:
        for writer in writers:
            if writer is not None:
                writer.close()
    return [p for p, w in zip(paths, writers, strict=True) if w is not None]


def _route(pa: Any, batch: Any, done: int, paths: Sequence[Path], writers: list[Any]) -> int:
    """Append each row of ``batch`` to its case's part; returns the rows seen so far."""
    count = len(paths)
    case = batch.column(batch.schema.get_field_index("case_id"))
    if not pa.types.is_dictionary(case.type):
        case = pa.compute.dictionary_encode(case)
    labels = case.dictionary.to_pylist()
    part_of_label = np.asarray(
        [zlib.crc32(str(label).encode()) % count for label in labels] + [0], dtype=np.int64
    )
    codes = case.indices.fill_null(len(labels)).to_numpy(zero_copy_only=False)
    target = part_of_label[codes]
    table = pa.Table.from_batches([batch]).append_column(
        _ROW, pa.array(np.arange(done, done + len(batch), dtype=np.int64))
    )
    for number in np.unique(target):
        chosen = table.filter(pa.array(target == number))
        if writers[number] is None:
            writers[number] = pa.parquet.ParquetWriter(str(paths[number]), chosen.schema)
        writers[number].write_table(chosen.cast(writers[number].schema))
    return done + len(batch)


def _first_rows(path: Path, case_ids: Sequence[str], offset: int) -> I64:
    """Where each case of the part at ``path`` first appears in the whole log: its
    ``_row`` (a split part), else ``offset`` plus its first row in the file."""
    pa = _arrow()
    names = pa.parquet.read_schema(path).names
    columns = ["case_id", _ROW] if _ROW in names else ["case_id"]
    table = pa.parquet.read_table(path, columns=columns, read_dictionary=["case_id"])
    case = table.column("case_id").unify_dictionaries().combine_chunks()
    codes = case.indices.to_numpy(zero_copy_only=False)
    labels = case.dictionary.to_pylist()
    present, first = np.unique(codes, return_index=True)
    rows = (
        table.column(_ROW).to_numpy()[first] if _ROW in names else first.astype(np.int64) + offset
    )
    where = {labels[int(code)]: int(row) for code, row in zip(present, rows, strict=True)}
    return np.asarray([where[c] for c in case_ids], dtype=np.int64)


def measure_part(path: str, offset: int, pathway: Pathway | None) -> Part:
    """Read the part at ``path`` (whole cases) and measure it (what a worker runs)."""
    log = read_log(path, pathway, fields=REPORT_FIELDS)
    return part_of(log, _first_rows(Path(path), log.case_ids, offset), pathway)


def report_in_parts(
    paths: Sequence[str | Path],
    pathway: Pathway | None = None,
    *,
    workers: int | None = None,
    client: Any = None,
) -> Report:
    """The report of the log made of the Parquet files ``paths`` (each holding whole
    cases; cases ordered as if the files were one log, in the order given), analysed
    part by part: here, one after another, on a Dask ``LocalCluster`` of ``workers``
    processes, or through a running Dask ``client`` (whose workers must see the files).

    Raises :class:`~pathway.errors.EventLogError` for an unreadable part or a case
    whose events are in two files, and :class:`~pathway.errors.MissingExtraError`
    without the ``dask`` extra when ``workers`` is given.
    """
    files = [str(p) for p in paths]
    offsets = [i * FILE_ROWS for i in range(len(files))]
    if client is not None:
        found = _gather(client, files, offsets, pathway)
    elif workers is None:
        found = [measure_part(f, o, pathway) for f, o in zip(files, offsets, strict=True)]
    else:
        found = _on_dask(files, offsets, pathway, workers)
    try:
        combined = combine(found)
    except ValueError as error:
        problem = Problem(str(error), files[0], code="bad-event-log")
        raise EventLogError([problem], log=", ".join(files)) from None

    def journey(part: int, case: int) -> Journey:
        return journey_of(read_log(files[part], pathway, fields=REPORT_FIELDS), case, pathway)

    return combined_report(combined, pathway, journey)


def _on_dask(
    files: Sequence[str], offsets: Sequence[int], pathway: Pathway | None, workers: int
) -> list[Part]:
    """Measure every part on a Dask ``LocalCluster`` of ``workers`` processes."""
    feature = "analysing event logs on several workers (--workers)"
    distributed = require("dask.distributed", extra="dask", feature=feature)
    with (
        distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        return _gather(client, files, offsets, pathway)


def _gather(
    client: Any, files: Sequence[str], offsets: Sequence[int], pathway: Pathway | None
) -> list[Part]:
    """Measure every part on the workers of a Dask ``client``, in file order."""
    futures = client.map(measure_part, files, offsets, [pathway] * len(files), pure=False)
    return list(client.gather(futures))


def partitioned_report(
    source: str | Path,
    pathway: Pathway | None = None,
    *,
    workers: int | None = None,
    parts: int | None = None,
) -> Report:
    """The report of a Parquet log analysed in parts: ``source`` is a directory of
    Parquet files or a glob pattern (files holding whole cases, taken in name order),
    or one Parquet file, which is first split by case id into ``parts`` files in a
    temporary directory (see :func:`split_by_case`).

    Raises :class:`FileNotFoundError` when nothing matches ``source``.
    """
    given = Path(source)
    if given.is_file():
        with tempfile.TemporaryDirectory(prefix="pathway-parts-") as folder:
            return report_in_parts(split_by_case(given, folder, parts), pathway, workers=workers)
    pattern = str(given / "*.parquet") if given.is_dir() else str(source)
    files = sorted(glob.glob(pattern))
    if not files:
        raise FileNotFoundError(f"no Parquet event log matches {source}")
    return report_in_parts(files, pathway, workers=workers)
