"""Working time for worklists: when a wait's allowance runs out if only open time counts.

A step's working time is the open time of the step's own calendar or, when the step
declares none, of its role's calendar; a step with neither (or an always-open calendar)
works in calendar time. Working minutes are counted in the calendar's local wall time
with :meth:`~pathway._model._calendar.Calendar.add_working_minutes` (one bisect per open
stretch, whole weeks skipped at once), so "2 working days" of a Mon-Fri 09:00-17:00
calendar is 16 open hours, and a weekend or a closure day in between adds nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pathway._model._calendar import Calendar
from pathway._model._pathway import Pathway

__all__ = ["step_calendar", "working_deadline"]


def step_calendar(pathway: Pathway, step: str) -> Calendar | None:
    """The calendar whose open time counts at ``step``: the step's, else its role's;
    ``None`` when neither is declared or the one found is always open."""
    declared = pathway.steps.get(step)
    if declared is None:
        return None
    name = declared.calendar
    if name is None and declared.role is not None and declared.role in pathway.roles:
        name = pathway.roles[declared.role].calendar
    calendar = pathway.calendars.get(name) if name else None
    return None if calendar is None or calendar.always_open else calendar


def working_deadline(calendar: Calendar | None, start: datetime, minutes: float) -> datetime | None:
    """The instant (UTC) at which ``minutes`` of ``calendar``'s open time have passed
    since ``start``; calendar time when ``calendar`` is ``None``. ``None`` when the
    calendar has no open time (the allowance never runs out)."""
    if calendar is None:
        return start.astimezone(UTC) + timedelta(minutes=minutes)
    if not calendar.has_open_time():
        return None
    zone = ZoneInfo(calendar.timezone)
    local = start.astimezone(zone).replace(tzinfo=None)
    epoch = local.date()
    since = local - datetime.combine(epoch, time())
    ends = calendar.add_working_minutes(since / timedelta(minutes=1), minutes, epoch)
    wall = datetime.combine(epoch, time()) + timedelta(minutes=ends)
    instant = wall.replace(tzinfo=zone)
    if instant.astimezone(UTC) < start:  # a wall time met twice: the one not before start
        instant = instant.replace(fold=1)
    return instant.astimezone(UTC)
