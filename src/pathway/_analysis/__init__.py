"""Analysis of event logs: per-case measures, delay attribution, Vanguard summaries and
XmR control charts (see docs/reference/measures.md).

Importing this package needs nothing beyond pathway's core dependencies; numpy (the
``report`` extra) is imported when :func:`analyse` or :func:`xmr` is first called.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pathway.errors import MissingExtraError

if TYPE_CHECKING:
    from pathway._analysis._xmr import XmR
    from pathway._engine._case import Case
    from pathway._journal._eventlog import EventLog
    from pathway._journal._events import Event
    from pathway._model._pathway import Pathway
    from pathway._report._report import Report

__all__ = ["analyse", "event_log", "xmr"]


def _need_numpy(feature: str) -> None:
    try:
        import numpy  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the environment
        raise MissingExtraError(feature, "report", "numpy") from None


def event_log(source: EventLog | str | Path | Iterable[Event] | Iterable[Case]) -> EventLog:
    """An :class:`~pathway._journal._eventlog.EventLog` from a log, a CSV/Parquet path, journal
    events or live cases."""
    _need_numpy("reading event logs")
    from pathway._engine._case import Case
    from pathway._journal._eventlog import EventLog

    if isinstance(source, EventLog):
        return source
    if isinstance(source, str | Path):
        return EventLog.read(source)
    items: list[Any] = list(source)
    if items and all(isinstance(item, Case) for item in items):
        return EventLog.from_cases(items)
    return EventLog.from_events(items)


def analyse(
    log: EventLog | str | Path | Iterable[Event] | Iterable[Case],
    pathway: Pathway | None = None,
    *,
    change_at: int | datetime | None = None,
    screen_outliers: bool = False,
) -> Report:
    """Measure every case of an event log and find where fragmentation adds delay.

    ``log`` is an event log, a CSV or Parquet file of one, journal events or live cases.
    With the ``pathway`` the log was run on, steps and roles get their titles, hand-offs
    derived from a log without them get their team and organisation level, and repeated
    information collection is counted (without it, it is reported as unknown).
    ``change_at`` (a case's position among finished cases, or a time: the first case to
    start then or later) recalculates the control-chart limits from that case on;
    ``screen_outliers`` leaves very large moving ranges out of the limits as
    NHSRplotthedots does by default. Returns a :class:`Report` with ``to_json()``,
    ``to_markdown()``, ``to_text()`` and ``to_html()``.
    """
    _need_numpy("pathway.analyse")
    from pathway._report._report import build_report

    return build_report(
        event_log(log), pathway, change_at=change_at, screen_outliers=screen_outliers
    )


def xmr(
    values: Sequence[float] | Any, *, rebase: Sequence[int] = (), screen_outliers: bool = False
) -> XmR:
    """An XmR control chart of ``values`` with the Making Data Count special-cause rules
    (see :mod:`pathway._analysis._xmr`)."""
    _need_numpy("control charts")
    from pathway._analysis._xmr import xmr as _xmr

    return _xmr(values, rebase=rebase, screen_outliers=screen_outliers)
