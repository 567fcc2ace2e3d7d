"""UTC offsets of local wall times in one time zone, from the zone's transitions.

The simulator keeps time as local wall-clock minutes since its start date; its event
logs need each time's UTC offset. A :class:`ZoneOffsets` finds the zone's transitions
(the instants its UTC offset changes) over the span of times it has been asked about,
once, and then maps whole arrays of wall times to offsets with one
:func:`numpy.searchsorted`. The table holds a few entries per simulated year (two for
a zone with daylight saving time), so a conversion costs the same at any simulated
date, and the answer is the one :mod:`zoneinfo` gives for the wall time with
``fold=0``: in a repeated hour (clocks go back) the earlier offset, in a skipped hour
(clocks go forward) the offset from before the change.

A wall time in a skipped hour names no instant, and ``fold=0`` maps it to an instant
after the ones the next valid wall times name, so times that follow each other on the
simulator's clock could go backwards in UTC. :meth:`ZoneOffsets.resolve` moves such a
time to the end of the skipped hour (the instant the clocks went forward): UTC times stay
in the simulator's order.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

__all__ = ["ZoneOffsets"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE = datetime(1970, 1, 1)
_SECOND_US = 1_000_000
#: The zone is sampled once a day and each change found by bisection to the second.
#: Two changes within one day (an offset changing and changing back) would be missed;
#: no zone in the tz database does that (tests/test_sim_zone.py checks the zones).
_STEP_S = 86_400
#: Wall times and UTC differ by less than this (offsets stay within +-26 hours).
_MARGIN_S = 2 * 86_400
#: The instants Python's datetime can hold, as seconds since 1970.
_LOW_S = int((datetime(1, 1, 3, tzinfo=UTC) - _EPOCH).total_seconds())
_HIGH_S = int((datetime(9999, 12, 29, tzinfo=UTC) - _EPOCH).total_seconds())


class ZoneOffsets:
    """The UTC offset of local wall times in ``zone``, by table lookup.

    Wall times are microseconds since 1970-01-01T00:00 on the local clock (a naive
    ``datetime64[us]`` as an integer). The table covers the wall times seen so far and
    grows only to cover new ones; within it, :meth:`offsets` is one binary search per
    time.
    """

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._low = 0  # seconds since 1970 (UTC) covered: [low, high]
        self._high = -1
        self._changes: list[int] = []  # UTC second of each change (the first with the new offset)
        self._offsets: list[int] = []  # offset (seconds) from each change on; [0] before the first
        self._walls = np.zeros(0, dtype=np.int64)  # wall microsecond where each change applies
        self._after = np.zeros(1, dtype=np.int64)  # offset (microseconds): [i] before wall i
        self._gaps = np.zeros(0, dtype=np.int64)  # first skipped wall before wall i (or wall i)

    def offsets(self, wall_us: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """The UTC offset (microseconds) of each local wall time (microseconds)."""
        if len(wall_us) == 0:
            return np.zeros(0, dtype=np.int64)
        low = int(wall_us.min()) // _SECOND_US - _MARGIN_S
        high = int(wall_us.max()) // _SECOND_US + _MARGIN_S
        self._cover(max(low, _LOW_S), min(high, _HIGH_S))
        found: npt.NDArray[np.int64] = self._after[np.searchsorted(self._walls, wall_us, "right")]
        return found

    def resolve(
        self, wall_us: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Wall times that exist and their UTC offsets (microseconds): a time in a skipped
        hour becomes the first wall time after it, so UTC follows the simulator's order."""
        offsets = self.offsets(wall_us)
        if len(self._walls) == 0:
            return wall_us, offsets
        index = np.searchsorted(self._walls, wall_us, "right")
        ahead = np.minimum(index, len(self._walls) - 1)
        skipped = (index < len(self._walls)) & (wall_us >= self._gaps[ahead])
        if not skipped.any():
            return wall_us, offsets
        walls = wall_us.copy()
        walls[skipped] = self._walls[ahead[skipped]]
        offsets[skipped] = self._after[ahead[skipped] + 1]
        return walls, offsets

    @property
    def size(self) -> int:
        """How many changes the table holds."""
        return len(self._changes)

    def _offset(self, second: int) -> int:
        """The zone's UTC offset (seconds) at the UTC instant ``second``."""
        offset = self.zone.fromutc(
            (_NAIVE + timedelta(seconds=second)).replace(tzinfo=self.zone)
        ).utcoffset()
        return int(offset.total_seconds()) if offset is not None else 0

    def _cover(self, low: int, high: int) -> None:
        """Extend the table to cover the UTC seconds ``low`` to ``high``."""
        if self._high < self._low:
            self._low, self._high = low, low
            self._offsets = [self._offset(low)]
        if low < self._low:
            changes, offsets = self._scan(low, self._low)
            self._changes = changes + self._changes
            self._offsets = offsets + self._offsets[1:]
            self._low = low
        elif high <= self._high:
            return
        if high > self._high:
            changes, offsets = self._scan(self._high, high)
            self._changes += changes
            self._offsets += offsets[1:]
            self._high = high
        self._rebuild()

    def _scan(self, low: int, high: int) -> tuple[list[int], list[int]]:
        """The changes in ``(low, high]`` and the offsets: at ``low``, then after each."""
        changes: list[int] = []
        before = self._offset(low)
        offsets = [before]
        at = low
        while at < high:
            step = min(_STEP_S, high - at)
            later = self._offset(at + step)
            if later != before:
                change = self._bisect(at, at + step, before)
                changes.append(change)
                offsets.append(later)
                before = later
            at += step
        return changes, offsets

    def _bisect(self, low: int, high: int, before: int) -> int:
        """The first second in ``(low, high]`` whose offset is no longer ``before``."""
        while high - low > 1:
            middle = (low + high) // 2
            if self._offset(middle) == before:
                low = middle
            else:
                high = middle
        return high

    def _rebuild(self) -> None:
        """Wall-clock switch points: fold=0 keeps the earlier offset through a repeated
        hour and the earlier offset through a skipped hour, so the new offset applies
        from the change's instant plus the larger of the two offsets."""
        walls = [
            change + max(self._offsets[i], self._offsets[i + 1])
            for i, change in enumerate(self._changes)
        ]
        gaps = [change + self._offsets[i] for i, change in enumerate(self._changes)]
        self._walls = np.asarray(walls, dtype=np.int64) * _SECOND_US
        self._gaps = np.asarray(gaps, dtype=np.int64) * _SECOND_US
        self._after = np.asarray(self._offsets, dtype=np.int64) * _SECOND_US
