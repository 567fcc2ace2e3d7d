"""Rounds: when a checkpoint with ``rounds`` reviews cases.

A round is an open window of the checkpoint's ``rounds`` calendar, cut at midnight in
the pathway's time zone (so a calendar open all day gives one round a day). The live
engine (:mod:`pathway._engine._rules`), the simulator's kernel (``round_end``, on
minutes) and the analysis of a log (:mod:`pathway._analysis._rounds`) all place a time
in its round with these rules.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pathway._model._pathway import Checkpoint, Pathway

__all__ = ["day_end", "next_round", "round_end"]

_ONE_DAY = timedelta(days=1)


def day_end(pathway: Pathway, at: datetime) -> datetime:
    """The next midnight after ``at`` (aware) in the pathway's time zone."""
    zone = ZoneInfo(pathway.timezone)
    local = at.astimezone(zone)
    midnight = datetime.combine(local.date() + _ONE_DAY, datetime.min.time(), zone)
    return midnight.astimezone(at.tzinfo)


def round_end(pathway: Pathway, checkpoint: Checkpoint, at: datetime) -> datetime | None:
    """The end of the round of ``checkpoint`` open at ``at`` (aware), or None when no
    round is open then (or the checkpoint has no rounds)."""
    if checkpoint.rounds is None:
        return None
    calendar = pathway.calendars[checkpoint.rounds]
    if not calendar.is_open(at):
        return None
    midnight = day_end(pathway, at)
    try:
        until = calendar.window_end(at)
    except ValueError:  # open all week, never ending: the day cuts it
        return midnight
    return min(until, midnight)


def next_round(pathway: Pathway, checkpoint: Checkpoint, after: datetime) -> datetime:
    """When the next round of ``checkpoint`` opens at or after ``after``."""
    assert checkpoint.rounds is not None
    return pathway.calendars[checkpoint.rounds].next_open(after)
