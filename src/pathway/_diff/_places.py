"""The diff's time per setting (bed days) and load per role: old against new, numbers only.

Each pathway's figures are those of :mod:`pathway._analysis._settings` on its simulated
cohort (the diff's first replication): days per case in each setting over the cases
that reached an outcome, days a year at the cohort's arrival rate, and each role's
utilisation. Both pathways run on the same people (common random numbers), so the
arrival rate is the same and a difference in days a year is a difference in days per
case times that rate.
"""

from __future__ import annotations

import math
from typing import Any

import attrs

from pathway._analysis._settings import LoadSummary, RoleLoad, SettingsSummary

__all__ = ["PlacesDiff", "RoleRow", "SettingRow"]


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _minus(new: float | None, old: float | None) -> float | None:
    return None if new is None or old is None else new - old


@attrs.frozen(slots=True)
class SettingRow:
    """One setting, old against new: mean days per case and days a year (None where a
    pathway does not declare the setting or the rate cannot be told)."""

    setting: str
    bed_days: bool
    old_days: float | None
    new_days: float | None
    old_a_year: float | None
    new_a_year: float | None

    @property
    def change_a_year(self) -> float | None:
        """New minus old days a year."""
        return _minus(self.new_a_year, self.old_a_year)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with the change in days per case and a year."""
        return {
            "id": self.setting,
            "bed_days": self.bed_days,
            "old_mean_days": _finite(self.old_days),
            "new_mean_days": _finite(self.new_days),
            "mean_days_change": _finite(_minus(self.new_days, self.old_days)),
            "old_days_a_year": _finite(self.old_a_year),
            "new_days_a_year": _finite(self.new_a_year),
            "days_a_year_change": _finite(self.change_a_year),
        }


@attrs.frozen(slots=True)
class RoleRow:
    """One role's load, old against new (None where a pathway has no such role)."""

    role: str
    old: RoleLoad | None
    new: RoleLoad | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: capacity, utilisation and overload in each pathway."""

        def side(load: RoleLoad | None) -> dict[str, Any] | None:
            if load is None:
                return None
            return {
                "capacity": load.capacity,
                "busy_minutes": load.busy_minutes,
                "open_minutes": load.open_minutes,
                "utilisation": _finite(load.utilisation),
                "overloaded": load.overloaded,
            }

        return {"role": self.role, "old": side(self.old), "new": side(self.new)}


@attrs.frozen(eq=False)
class PlacesDiff:
    """Time in each setting and the load on each role of both simulated pathways."""

    old_settings: SettingsSummary | None
    new_settings: SettingsSummary | None
    old_load: LoadSummary | None
    new_load: LoadSummary | None

    @property
    def settings(self) -> tuple[SettingRow, ...]:
        """Every setting either pathway declares (the old pathway's order first)."""
        old, new = self.old_settings, self.new_settings
        names = dict.fromkeys([*(old.settings if old else ()), *(new.settings if new else ())])
        return tuple(self._setting(name) for name in names)

    def _setting(self, name: str) -> SettingRow:
        sides = [_side(found, name) for found in (self.old_settings, self.new_settings)]
        bed = any(side[0] for side in sides)
        return SettingRow(name, bed, sides[0][1], sides[1][1], sides[0][2], sides[1][2])

    @property
    def counts_bed_days(self) -> bool:
        """True when either pathway has a setting that counts as bed days."""
        return any(row.bed_days for row in self.settings)

    @property
    def old_bed_days(self) -> float | None:
        """Mean bed days per case in the old pathway (None without bed-day settings)."""
        return _bed_days(self.old_settings)

    @property
    def new_bed_days(self) -> float | None:
        """Mean bed days per case in the new pathway (None without bed-day settings)."""
        return _bed_days(self.new_settings)

    @property
    def old_bed_days_a_year(self) -> float | None:
        """Bed days a year in the old pathway at the cohort's arrival rate."""
        return self.old_settings.bed_days_a_year if self.old_settings else None

    @property
    def new_bed_days_a_year(self) -> float | None:
        """Bed days a year in the new pathway at the cohort's arrival rate."""
        return self.new_settings.bed_days_a_year if self.new_settings else None

    @property
    def cases_a_year(self) -> float | None:
        """The cohort's arrival rate (cases a year; the same people in both)."""
        for found in (self.old_settings, self.new_settings):
            if found is not None and found.per_year is not None:
                return found.per_year
        return None

    @property
    def roles(self) -> tuple[RoleRow, ...]:
        """Every role either pathway declares (the old pathway's order first)."""
        old = {r.role: r for r in self.old_load.roles} if self.old_load else {}
        new = {r.role: r for r in self.new_load.roles} if self.new_load else {}
        return tuple(RoleRow(name, old.get(name), new.get(name)) for name in {**old, **new})

    def to_dict(self) -> dict[str, Any] | None:
        """The ``places`` part of the diff JSON's ``behaviour`` (None when neither
        pathway declares settings or roles)."""
        if not self.settings and not self.roles:
            return None
        return {
            "cases_a_year": _finite(self.cases_a_year),
            "old_bed_days_mean": _finite(self.old_bed_days),
            "new_bed_days_mean": _finite(self.new_bed_days),
            "old_bed_days_a_year": _finite(self.old_bed_days_a_year),
            "new_bed_days_a_year": _finite(self.new_bed_days_a_year),
            "bed_days_a_year_change": _finite(
                _minus(self.new_bed_days_a_year, self.old_bed_days_a_year)
            ),
            "settings": [row.to_dict() for row in self.settings],
            "roles": [row.to_dict() for row in self.roles],
        }


def _side(found: SettingsSummary | None, name: str) -> tuple[bool, float | None, float | None]:
    """Whether ``name`` counts bed days, its mean days per case and days a year."""
    if found is None or name not in found.settings:
        return False, None, None
    index = found.settings.index(name)
    return found.bed_days[index], found.mean_days[index], found.days_a_year(index)


def _bed_days(found: SettingsSummary | None) -> float | None:
    if found is None or not any(found.bed_days):
        return None
    return found.bed_days_mean
