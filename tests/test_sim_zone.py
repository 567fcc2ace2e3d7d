"""UTC offsets of simulated local times from a zone's transitions (issue 19).

:class:`~pathway._sim._zone.ZoneOffsets` must give what :mod:`zoneinfo` gives for the
same wall time (``fold=0``), on random instants and on instants next to each change of
offset (repeated and skipped hours), and keep a table that grows with the changes in
the span asked about, not with the number of times converted.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathway._sim._zone import ZoneOffsets

np = pytest.importorskip("numpy")

ZONES = (
    "Europe/London",
    "America/New_York",
    "Australia/Lord_Howe",  # half-hour daylight saving
    "Pacific/Apia",  # skipped a whole day in 2011
    "Africa/Casablanca",  # daylight saving suspended in Ramadan
    "Asia/Kolkata",
    "UTC",
)
_EPOCH = datetime(1970, 1, 1)
_US = timedelta(microseconds=1)


def _expected(zone: ZoneInfo, wall_us: int) -> int:
    wall = _EPOCH + wall_us * _US
    offset = wall.replace(tzinfo=zone).utcoffset() or timedelta()
    return offset // _US


@cache
def _changes(zone: ZoneInfo, first: int, last: int) -> list[int]:
    """Wall microseconds around each change of offset, found hour by hour (UTC)."""
    found = []
    moment = datetime(first, 1, 1, tzinfo=UTC)
    end = datetime(last, 1, 1, tzinfo=UTC)
    before = moment.astimezone(zone).utcoffset()
    while moment < end:
        moment += timedelta(hours=1)
        after = moment.astimezone(zone).utcoffset()
        if after != before and before is not None and after is not None:
            for offset in (before, after):
                found.append(((moment.replace(tzinfo=None) + offset) - _EPOCH) // _US)
        before = after
    return found


@settings(max_examples=30, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    walls=st.lists(
        st.integers(
            min_value=(datetime(1960, 1, 1) - _EPOCH) // _US,
            max_value=(datetime(2080, 1, 1) - _EPOCH) // _US,
        ),
        min_size=1,
        max_size=40,
    ),
)
def test_offsets_agree_with_zoneinfo_at_random_instants(zone: str, walls: list[int]) -> None:
    info = ZoneInfo(zone)
    found = ZoneOffsets(info).offsets(np.asarray(walls, dtype=np.int64))
    assert found.tolist() == [_expected(info, w) for w in walls]


@pytest.mark.parametrize("zone", ZONES)
@settings(max_examples=15, deadline=None)
@given(shift=st.integers(min_value=-3 * 3_600_000_000, max_value=3 * 3_600_000_000))
def test_offsets_agree_with_zoneinfo_next_to_every_change(zone: str, shift: int) -> None:
    """Repeated hours take the earlier offset, skipped hours the offset from before."""
    info = ZoneInfo(zone)
    walls = np.asarray([w + shift for w in _changes(info, 2009, 2013)], dtype=np.int64)
    if len(walls) == 0:
        return
    found = ZoneOffsets(info).offsets(walls)
    assert found.tolist() == [_expected(info, int(w)) for w in walls]


def test_the_table_grows_with_the_span_not_with_the_times() -> None:
    zone = ZoneOffsets(ZoneInfo("Europe/London"))
    base = (datetime(2017, 10, 2) - _EPOCH) // _US
    year = 365 * 86_400_000_000
    rng = np.random.default_rng(1)
    zone.offsets(base + rng.integers(0, year, 1000))
    once = zone.size
    zone.offsets(base + rng.integers(0, year, 1_000_000))  # the same span: no growth
    assert zone.size == once
    zone.offsets(np.asarray([base + 200 * year]))  # two centuries on: two changes a year
    assert 380 <= zone.size <= 420
    assert zone.offsets(np.asarray([base + 200 * year])).tolist() == [
        _expected(ZoneInfo("Europe/London"), base + 200 * year)
    ]


def _exists(zone: ZoneInfo, wall_us: int) -> bool:
    """Whether a wall time names an instant (it survives a round trip through UTC)."""
    wall = (_EPOCH + wall_us * _US).replace(tzinfo=zone)
    return wall.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall.replace(tzinfo=None)


@pytest.mark.parametrize("zone", ZONES)
@settings(max_examples=15, deadline=None)
@given(
    shift=st.integers(min_value=-3 * 3_600_000_000, max_value=3 * 3_600_000_000),
    spread=st.lists(st.integers(min_value=0, max_value=3 * 3_600_000_000), max_size=20),
)
def test_resolved_times_exist_and_keep_the_simulators_order(
    zone: str, shift: int, spread: list[int]
) -> None:
    """A wall time in a skipped hour moves to the hour's end; UTC never goes backwards;
    every other wall time keeps zoneinfo's offset."""
    info = ZoneInfo(zone)
    walls = sorted(
        [w + shift for w in _changes(info, 2009, 2013)]
        + [w + s for w in _changes(info, 2009, 2010) for s in spread]
    )
    if not walls:
        return
    moved, offsets = ZoneOffsets(info).resolve(np.asarray(walls, dtype=np.int64))
    utc = (moved - offsets).tolist()
    assert utc == sorted(utc)
    for before, after, offset in zip(walls, moved.tolist(), offsets.tolist(), strict=True):
        assert _exists(info, after)
        assert offset == _expected(info, after)
        assert after == before or (not _exists(info, before) and after > before)
