"""Time in each setting (bed days) and the load on each role, in words: the report's
``settings`` and ``load`` sections, the overload warnings and their JSON, and the
diff's old-against-new comparison of both."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from pathway._analysis._settings import OVERLOADED, LoadSummary, RoleLoad, SettingsSummary
from pathway._diff._places import PlacesDiff
from pathway._model._pathway import Pathway

if TYPE_CHECKING:
    from pathway._report._report import Report

__all__ = [
    "Part",
    "load_dict",
    "load_part",
    "load_warnings",
    "places_diff_tables",
    "places_diff_text",
    "settings_dict",
    "settings_part",
]

Part = tuple[str, str, tuple[str, ...], list[str], list[tuple[str, ...]], str]
"""A section's key, title, paragraphs, table headers, rows and column kinds (t/n)."""


def _days(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}"


def _title(pathway: Pathway | None, setting: str) -> str:
    found = pathway.settings.get(setting) if pathway is not None else None
    return found.title if found is not None else setting.replace("_", " ")


def settings_part(report: Report) -> Part | None:
    """Where cases spend their time: days per case and a year in each setting."""
    found: SettingsSummary | None = report.settings
    if found is None:
        return None
    rows: list[tuple[str, ...]] = [
        (
            _title(report.pathway, name) + (" (bed days)" if found.bed_days[i] else ""),
            _days(found.mean_days[i]),
            _days(found.median_days[i]),
            _days(found.days_a_year(i)),
        )
        for i, name in enumerate(found.settings)
    ]
    text = [
        "Time in a setting counts the steps done there and the waits spent there: a wait "
        "is where its move says, or else where the step the case left was."
    ]
    if found.bed_days_a_year is not None:
        text.insert(
            0,
            f"Cases spend {_days(found.bed_days_mean)} bed days each on average: about "
            f"{_days(found.bed_days_a_year)} bed days a year at the log's arrival rate "
            f"({found.per_year:,.0f} cases a year).",
        )
    headers = ["setting", "mean days per case", "median days per case", "days a year"]
    return ("settings", "Where the time is spent", tuple(text), headers, rows, "tnnn")


def load_warnings(load: LoadSummary | None, pathway: Pathway | None) -> list[str]:
    """One sentence per overloaded role, and one when the backlog grows, each saying
    what to change."""
    if load is None:
        return []
    found = []
    for role in load.overloaded:
        declared = pathway.roles.get(role.role) if pathway is not None else None
        title = declared.title if declared is not None else role.role
        need = math.ceil(role.capacity * role.utilisation / 0.85)
        calendar = (
            f" or open its calendar {declared.calendar!r} longer"
            if declared and declared.calendar
            else ""
        )
        found.append(
            f"Overloaded: {title} ({role.role}) has {role.utilisation:.0%} of its available "
            f"time asked of it (capacity {role.capacity}); its queue cannot settle. Raise its "
            f"capacity to about {need}{calendar}."
        )
    if load.grows:
        backlog = " -> ".join(str(n) for n in load.backlog)
        found.append(
            f"The backlog grows: cases in flight at the end of each quarter {backlog} "
            f"({load.in_flight_share:.0%} of cases still in flight at the end). Demand "
            "exceeds what the roles can do: add capacity or working hours where the "
            "utilisation is highest."
        )
    return found


def load_part(report: Report) -> Part | None:
    """Utilisation per role, the backlog, and any overload warning."""
    load: LoadSummary | None = report.load
    if load is None:
        return None
    rows: list[tuple[str, ...]] = [
        (
            report.title_of_role(r.role),
            str(r.capacity),
            _days(r.busy_minutes / 60),
            _days(r.open_minutes / 60),
            f"{r.utilisation:.0%}" if math.isfinite(r.utilisation) else "n/a",
        )
        for r in load.roles
    ]
    text = [
        *(f"WARNING: {w}" for w in load_warnings(load, report.pathway)),
        "Utilisation is the work that arrived for a role over the time its workers could "
        f"give while cases arrived (open hours x capacity); at {OVERLOADED:.0%} or more "
        "its queue cannot settle.",
    ]
    headers = ["role", "capacity", "hours of work", "hours available", "utilisation"]
    return ("load", "Load on each role", tuple(text), headers, rows, "tnnnn")


def settings_dict(found: SettingsSummary | None) -> dict[str, Any] | None:
    """The ``settings`` part of the report JSON."""
    if found is None:
        return None
    return {
        "cases_a_year": found.per_year,
        "bed_days_mean": found.bed_days_mean if any(found.bed_days) else None,
        "bed_days_a_year": found.bed_days_a_year,
        "settings": [
            {
                "id": name,
                "bed_days": found.bed_days[i],
                "mean_days": found.mean_days[i],
                "median_days": found.median_days[i],
                "days_a_year": found.days_a_year(i),
            }
            for i, name in enumerate(found.settings)
        ],
    }


def load_dict(load: LoadSummary | None, pathway: Pathway | None) -> dict[str, Any] | None:
    """The ``load`` part of the report JSON."""
    if load is None:
        return None
    return {
        "roles": [
            {
                "role": r.role,
                "capacity": r.capacity,
                "busy_minutes": r.busy_minutes,
                "open_minutes": r.open_minutes,
                "utilisation": r.utilisation if math.isfinite(r.utilisation) else None,
                "overloaded": r.overloaded,
            }
            for r in load.roles
        ],
        "backlog": list(load.backlog),
        "backlog_grows": load.grows,
        "in_flight_share": load.in_flight_share,
        "warnings": load_warnings(load, pathway),
    }


def _change(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return ("+" if value > 0 else "") + _days(value)


def _share(load: RoleLoad | None) -> str:
    if load is None:
        return "-"
    return f"{load.utilisation:.0%}" if math.isfinite(load.utilisation) else "n/a"


def places_diff_text(places: PlacesDiff, old: Pathway, new: Pathway) -> tuple[str, ...]:
    """The diff's bed days in a sentence, each pathway's overload warnings, and how the
    figures were measured."""
    text = []
    if places.counts_bed_days:
        old_year, new_year = places.old_bed_days_a_year, places.new_bed_days_a_year
        rate = places.cases_a_year
        text.append(
            f"Bed days per case: {_days(places.old_bed_days)} in the old pathway, "
            f"{_days(places.new_bed_days)} in the new; about {_days(old_year)} against "
            f"{_days(new_year)} bed days a year at the cohort's arrival rate"
            + (f" ({rate:,.0f} cases a year)" if rate is not None else "")
            + f", a change of {_change(_minus(new_year, old_year))}."
        )
    for label, load, pathway in (
        ("old", places.old_load, old),
        ("new", places.new_load, new),
    ):
        text.extend(f"WARNING ({label} pathway): {w}" for w in load_warnings(load, pathway))
    text.append(
        "Measured on the first replication's people, over the cases that reached an "
        "outcome: days a year are days per case times the cases arriving a year. "
        f"Utilisation is the work that arrived for a role over its open hours x capacity; "
        f"at {OVERLOADED:.0%} or more its queue cannot settle."
    )
    return tuple(text)


Rows = list[tuple[str, ...]]


def places_diff_tables(
    places: PlacesDiff, old: Pathway, new: Pathway
) -> tuple[tuple[list[str], Rows, str], ...]:
    """The diff's tables: days per case and a year in each setting, and each role's
    capacity and utilisation, old against new (headers, rows, column kinds)."""
    found: list[tuple[list[str], Rows, str]] = []
    if places.settings:
        headers = ["setting", "old days per case", "new days per case", "old days a year",
                   "new days a year", "change a year"]  # fmt: skip
        found.append((headers, _setting_rows(places, old, new), "tnnnnn"))
    if places.roles:
        headers = ["role", "old capacity", "old utilisation", "new capacity", "new utilisation"]
        found.append((headers, _role_rows(places, old, new), "tnnnn"))
    return tuple(found)


def _setting_rows(places: PlacesDiff, old: Pathway, new: Pathway) -> Rows:
    return [
        (
            _title(old if row.setting in old.settings else new, row.setting)
            + (" (bed days)" if row.bed_days else ""),
            _days(row.old_days),
            _days(row.new_days),
            _days(row.old_a_year),
            _days(row.new_a_year),
            _change(row.change_a_year),
        )
        for row in places.settings
    ]


def _role_rows(places: PlacesDiff, old: Pathway, new: Pathway) -> Rows:
    return [
        (
            _role_title(old, new, row.role),
            str(row.old.capacity) if row.old else "-",
            _share(row.old) + (" overloaded" if row.old and row.old.overloaded else ""),
            str(row.new.capacity) if row.new else "-",
            _share(row.new) + (" overloaded" if row.new and row.new.overloaded else ""),
        )
        for row in places.roles
    ]


def _minus(new: float | None, old: float | None) -> float | None:
    return None if new is None or old is None else new - old


def _role_title(old: Pathway, new: Pathway, role: str) -> str:
    declared = old.roles.get(role) or new.roles.get(role)
    return declared.title if declared is not None else role.replace("_", " ")
