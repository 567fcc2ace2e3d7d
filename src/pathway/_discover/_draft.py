"""A draft pathway file from what :func:`pathway._discover._mine.mine` counted.

The draft is YAML a designer reads and edits: every discovered number carries a comment
with its sample size and how it was fitted (:mod:`pathway._discover._fit`), every step's
work class is ``value`` marked ``TODO designer: classify``, and what the log could not
say is written at the top. The rules (also in ``docs/how-to/from-last-years-data.md``):

* a step per activity; its role is the group (``org:group``) that did it most often,
  else the resource, else ``staff``; a role's capacity is the most steps its people had
  in progress at once (at least 1); teams and organisations from the hand-off levels
  the log records, where it records team or organisation levels;
* calendars only where the log shows people waiting for one: a step whose ``waited``
  events say ``calendar`` for at least 5% of its completions (and at least 30 of them)
  gets a calendar from when it started (days with 1% of the starts or more, the same
  hours on each); a role's working hours are written as a comment, not a calendar (the
  hours work happened are mostly the effect of upstream waits, not a gate); dates no
  step started on, on a usually busy weekday, are closures of every calendar;
* a move per pair of consecutive steps seen, with ``p`` its share of the moves out of
  its step (loops and rare moves kept); its wait fitted when any was above zero;
* a step is a visit when most of its completions were attended (``visit_attended``
  events: pathway's own logs, or a foreign log with a location column);
* outcomes: a step named by ``outcome_reached`` that was never done itself (pathway's
  own logs) is an outcome; an activity that ended cases (a foreign log) moves to an
  outcome ``<id>_ended``; a step nothing ever left moves to ``open_at_end``;
* arrivals: cases over the days the arrivals calendar was open in the log's span.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import numpy as np

from pathway._discover._fit import WeekWindows, fit_duration, week_windows
from pathway._discover._mine import Mined

__all__ = ["MIN_STEP_CALENDAR", "render_draft"]

MIN_STEP_CALENDAR = 30
GATED_SHARE = 0.05
_ID = re.compile(r"[^A-Za-z0-9_]+")
_CAUSES = frozenset({"handoff", "booking", "referral", "approval", "external", "client"})
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _flow(value: Any) -> str:
    """A small value (distribution, list) in YAML flow style."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    return text if re.fullmatch(r"[0-9][0-9.]*[a-z]*|[A-Za-z_][A-Za-z0-9_]*", text) else _q(text)


class _Ids:
    """Ids for names read from a log: letters, digits and ``_``, unique, never a clash."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.of: dict[tuple[str, str], str] = {}

    def get(self, kind: str, name: str) -> str:
        key = (kind, name)
        if key in self.of:
            return self.of[key]
        base = _ID.sub("_", name).strip("_").lower() or kind
        if not base[0].isalpha():
            base = f"{kind}_{base}"
        candidate, n = base, 2
        while candidate in self.taken:
            candidate, n = f"{base}_{n}", n + 1
        self.taken.add(candidate)
        self.of[key] = candidate
        return candidate


def render_draft(
    mined: Mined, *, pathway_id: str, title: str, role_calendars: bool = False
) -> tuple[str, tuple[str, ...]]:
    """The draft's YAML text and the notes (what could not be learnt), in words.
    ``role_calendars`` makes each role's hours of work its calendar (else a comment)."""
    notes: list[str] = []
    ids = _Ids()
    closures = [d.isoformat() for d in mined.closures][:1000]
    calendars: dict[tuple[Any, ...], tuple[str, WeekWindows, str]] = {}

    def calendar(windows: WeekWindows | None, what: str) -> str | None:
        if windows is None or not windows.days:
            return None
        key = windows.key()
        if key not in calendars:
            calendars[key] = (ids.get("calendar", _calendar_name(windows)), windows, what)
        else:
            cal_id, known, said = calendars[key]
            calendars[key] = (cal_id, known, f"{said}; {what}")
        return calendars[key][0]

    step_names = list(mined.steps)
    outcome_only = [s for s in mined.outcomes if s not in mined.steps and not _leaves(mined, s)]
    for name in step_names + outcome_only:
        ids.get("step", name)
    role_ids = {role: ids.get("role", role) for role in mined.roles}
    lines = _header(mined, pathway_id, title)
    body: list[str] = ["", "roles:"]
    team, organisation = _groups(mined)
    for role, (busy, workers, week) in mined.roles.items():
        capacity = min(1000, max(1, busy))
        body.append(f"  {role_ids[role]}:")
        body.append(f"    title: {_q(role)}")
        if mined.levels:
            said = "from the hand-off levels the log records; TODO designer: name it"
            body.append(f"    team: {_q(team[role])}  # {said}")
            body.append(f"    organisation: {_q(organisation[role])}  # {said}")
        else:
            body.append(f"    team: {_q(role)}  # TODO designer: the log names no teams")
            body.append(
                '    organisation: "unknown"  # TODO designer: the log names no organisations'
            )
        body.append(
            f"    capacity: {capacity}  # most steps in progress at once: {busy} "
            f"(n={len(week)} steps, {workers} named worker(s))"
        )
        hours = week_windows(week, same_hours=True)
        if hours is not None and role_calendars:
            cal = calendar(hours, f"when {role} worked")
            body.append(
                f"    calendar: {cal}  # n={hours.n} starts; hours worked (--role-calendars)"
            )
        elif hours is not None:
            seen = "; ".join(f"{d} {h}" for d, h in hours.open_map().items())
            body.append(f"    # worked: {seen} (n={hours.n} starts; hours seen, not a calendar)")
    body += ["", "steps:"]
    start = max(mined.first_steps.items(), key=lambda kv: (kv[1], kv[0]))[0]
    order = [start] + [s for s in step_names if s != start]
    for name in order:
        if name not in mined.steps:
            continue
        body += _step(mined, name, ids, role_ids, calendar)
    ended: dict[str, str] = {}
    for name in outcome_only:
        body.append(f"  {ids.get('step', name)}:")
        body.append(f"    title: {_q(name)}")
        body.append(f"    outcome: true  # reached by {mined.outcomes[name]} case(s)")
    for name in sorted(s for s in mined.outcomes if s in mined.steps):
        ended[name] = ids.get("step", f"{name}_ended")
        body.append(f"  {ended[name]}:")
        body.append(f"    title: {_q('Ended after ' + name)}")
        body.append(f"    outcome: true  # {mined.outcomes[name]} case(s) ended after {name!r}")
    extra: list[tuple[str, str, int]] = []
    still_open = dict(mined.open_last)
    for s in mined.steps:
        if not _leaves(mined, s) and s not in ended and s not in still_open:
            still_open[s] = 1
    if still_open:
        open_id = ids.get("step", "open_at_end")
        body.append(f"  {open_id}:")
        body.append('    title: "Still open at the end of the log"')
        body.append(
            f"    outcome: true  # {sum(mined.open_last.values())} case(s) had not finished"
        )
        extra += [(s, open_id, count) for s, count in still_open.items()]
        notes.append(
            f"{sum(mined.open_last.values())} case(s) had not finished: each moves from the "
            f"step it was last seen at to the outcome {open_id!r}"
        )
    reached = {m.target for m in mined.moves}
    for first, count in mined.first_steps.items():
        if first != start and first not in reached and first in mined.steps:
            extra.append((start, ids.get("step", first), count))
            notes.append(
                f"{count} case(s) began at {first!r}, which no move reaches: the draft "
                f"sends them there from the start {start!r} (a move the log does not show)"
            )
    body += ["", "transitions:"]
    body += _transitions(mined, ids, ended, extra)
    head_cal = _arrivals(mined, calendar, notes)
    cal_lines = ["", "calendars:"] if calendars else []
    for _key, (cal_id, windows, what) in calendars.items():
        cal_lines.append(f"  {cal_id}:")
        cal_lines.append(f"    title: {_q('Discovered: ' + what)}")
        cal_lines.append(
            f"    open:  # n={windows.n} starts; days with at least 1% of them; hours from "
            f"the 0.5% to the 99.5% start time, to the quarter hour; covers "
            f"{windows.covered:.1%}"
        )
        for day_names, open_hours in windows.open_map().items():
            cal_lines.append(f"      {_q(day_names)}: {_q(open_hours)}")
        if closures:
            cal_lines.append(
                "    closures:  # dates no step started on, on a weekday that usually has "
                "10 or more starts"
            )
            cal_lines.extend(f'      - "{d}"' for d in closures)
    facts = _facts(mined)
    text = "\n".join(lines + cal_lines + body + facts + head_cal) + "\n"
    if not mined.touch_known:
        notes.append(
            "touch time unknown: the log has no start times, so every step takes 0 and the "
            "time between two completions is a wait"
        )
    if not mined.attendance_known:
        notes.append(
            "no step is a visit: the log records no attendance (give a location or "
            "attendance column to learn visits)"
        )
    if len(mined.first_steps) > 1:
        others = sum(mined.first_steps.values()) - mined.first_steps[start]
        notes.append(
            f"{others} case(s) began somewhere other than {start!r}; the pathway starts "
            f"there (the format has one start)"
        )
    notes.append(
        "work classes are all 'value': the log cannot tell value from waste (marked TODO designer)"
    )
    notes.append(
        "guards are not learnt: moves carry 'p' (their shares), so who goes where does "
        "not depend on facts"
    )
    if mined.closures and len(mined.closures) > 1000:
        notes.append(f"only the first 1000 of {len(mined.closures)} closure dates are kept")
    return text, tuple(notes)


def _groups(mined: Mined) -> tuple[dict[str, str], dict[str, str]]:
    """Teams and organisations of the roles from the recorded hand-off levels: a
    ``role`` hand-off joins two roles in one team, a ``team`` hand-off two teams in one
    organisation. Each group is named after its first role (alphabetically)."""
    team = {role: role for role in mined.roles}
    organisation = {role: role for role in mined.roles}

    def find(parent: dict[str, str], x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(parent: dict[str, str], a: str, b: str) -> None:
        ra, rb = find(parent, a), find(parent, b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for (a, b), level in mined.levels.items():
        if a not in team or b not in team:
            continue
        if level == "role":
            join(team, a, b)
            join(organisation, a, b)
        elif level == "team":
            join(organisation, a, b)
    teams = {role: find(team, role) for role in mined.roles}
    for role in mined.roles:  # a team lies within one organisation
        join(organisation, role, teams[role])
    return (
        {role: f"{teams[role]}_team" for role in mined.roles},
        {role: f"{find(organisation, role)}_organisation" for role in mined.roles},
    )


def _calendar_name(windows: WeekWindows) -> str:
    """A calendar id that says its days and hours: ``tue_thu_0930_1530``."""
    days = "_".join(d for d, _, _ in windows.days)
    hours = "_".join(
        f"{s // 60:02d}{s % 60:02d}_{e // 60:02d}{e % 60:02d}"
        for s, e in dict.fromkeys((s, e) for _, s, e in windows.days)
    )
    return f"{days}_{hours}"


def _leaves(mined: Mined, step: str) -> bool:
    return any(m.source == step for m in mined.moves)


def _header(mined: Mined, pathway_id: str, title: str) -> list[str]:
    return [
        f"# Discovered by `pathway discover` from {mined.source}",
        f"# {mined.cases:,} cases ({mined.finished:,} finished), {mined.events:,} events, "
        f"{mined.first_day} to {mined.last_day}.",
        "# Every number below was learnt from the log; its comment gives the sample size",
        "# and the fit. Read the TODO lines, then check the fit: pathway discover LOG --check",
        "format: 1",
        f"id: {pathway_id}",
        f"title: {_q(title)}",
        'version: "discovered"',
        f"timezone: {_q(mined.timezone)}",
    ]


def _step(
    mined: Mined,
    name: str,
    ids: _Ids,
    role_ids: Mapping[str, str],
    calendar: Any,
) -> list[str]:
    sample = mined.steps[name]
    out = [f"  {ids.get('step', name)}:", f"    title: {_q(name)}"]
    if sample.role is not None:
        share = sample.roles[sample.role] / sample.completions
        out.append(
            f"    role: {role_ids[sample.role]}  # did {share:.0%} of n={sample.completions}"
        )
    out.append("    work: value  # TODO designer: classify (value, waste1, waste2, waste3)")
    if sample.visits and sample.visits >= sample.completions / 2:
        out.append(f"    visit: true  # attended {sample.visits} time(s) in n={sample.completions}")
    fit = fit_duration(sample.touch) if mined.touch_known else None
    if fit is not None and fit.value != "0":
        out.append(f"    duration: {_flow(fit.value)}  # touch time: {fit.comment}")
    elif mined.touch_known:
        out.append(f"    duration: 0  # touch time: n={sample.completions}, every one 0")
    gated = sample.gated / max(sample.completions, 1)
    if len(sample.starts_week) >= MIN_STEP_CALENDAR and gated >= GATED_SHARE:
        own = week_windows(sample.starts_week, same_hours=True)
        if own is not None:
            cal = calendar(own, f"when {name} started")
            out.append(
                f"    calendar: {cal}  # {sample.gated} calendar wait(s) in "
                f"n={sample.completions}: people waited for it to open"
            )
    return out


def _transitions(
    mined: Mined, ids: _Ids, ended: Mapping[str, str], extra: list[tuple[str, str, int]]
) -> list[str]:
    by_source: dict[str, list[tuple[str, int, Any, str | None]]] = {}
    for move in mined.moves:
        by_source.setdefault(move.source, []).append(
            (ids.get("step", move.target), move.count, move, move.cause)
        )
    for step, target in ended.items():
        by_source.setdefault(step, []).append((target, mined.outcomes[step], None, None))
    for source, target, count in extra:
        by_source.setdefault(source, []).append((target, count, None, None))
    out: list[str] = []
    for source, moves in by_source.items():
        total = sum(count for _, count, _, _ in moves)
        shares = [round(count / total, 6) for _, count, _, _ in moves]
        biggest = int(np.argmax(shares))
        shares[biggest] = round(1 - (sum(shares) - shares[biggest]), 6)
        for (target, count, move, cause), p in zip(moves, shares, strict=True):
            out.append(f"  - trigger: to_{target}")
            out.append(f"    from: {ids.get('step', source)}")
            out.append(f"    to: {target}")
            if len(moves) > 1:
                out.append(f"    p: {p:g}  # {count} of {total} moves out of {source!r}")
            if move is not None and len(move.waits) and float(np.max(move.waits)) > 0:
                fit = fit_duration(move.waits)
                if fit is not None:
                    out.append(f"    wait: {_flow(fit.value)}  # {fit.comment}")
                if cause in _CAUSES:
                    out.append(f"    cause: {cause}  # the log's most common cause")
            elif move is not None and len(move.waits):
                out.append(f"    wait: 0  # n={len(move.waits)}, every wait 0")
    return out


def _arrivals(mined: Mined, calendar: Any, notes: list[str]) -> list[str]:
    windows = week_windows(mined.arrivals_week, same_hours=True)
    cal = calendar(windows, "when cases began")
    days = _open_days(mined, windows)
    rate = len(mined.arrivals_week) / max(days, 1)
    hours = np.bincount((mined.arrivals_week // 60).astype(np.int64) % 24, minlength=24)
    busiest = ", ".join(
        f"{h:02d}h {hours[h] / max(hours.sum(), 1):.0%}" for h in np.argsort(-hours)[:3]
    )
    weekday = np.bincount((mined.arrivals_week // 1440).astype(np.int64), minlength=7)
    profile = ", ".join(
        f"{_DAYS[d]} {weekday[d] / max(weekday.sum(), 1):.0%}" for d in range(7) if weekday[d]
    )
    notes.append(
        "arrivals are a rate within a calendar: the format has no weekly or hourly "
        "profile yet (the profile is in a comment); simulate the log's own people with "
        "--arrivals-from"
    )
    return [
        "",
        f"arrivals:  # by weekday: {profile}; busiest hours: {busiest}",
        f"  rate: {_rate(rate)}  # {len(mined.arrivals_week)} cases over {days} open day(s)",
        *([f"  calendar: {cal}"] if cal else []),
    ]


def _rate(per_day: float) -> str:
    if per_day >= 1:
        return f"{per_day:.4g}/d"
    return f"{per_day * 7:.4g}/w"


def _open_days(mined: Mined, windows: WeekWindows | None) -> int:
    span = (mined.last_day - mined.first_day).days + 1
    open_days = {_DAYS.index(d) for d, _, _ in windows.days} if windows else set(range(7))
    closed = set(mined.closures)
    count = 0
    for i in range(span):
        day = mined.first_day + timedelta(days=i)
        if day.weekday() in open_days and day not in closed:
            count += 1
    return count


def _facts(mined: Mined) -> list[str]:
    out: list[str] = []
    for name, values in mined.facts.items():
        present = [v for v in values if v is not None]
        if len(present) < 0.9 * len(values) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
            continue
        line = _fact(name, present)
        if line:
            out.extend(line)
    return ["", "facts:", *out] if out else []


def _fact(name: str, values: list[Any]) -> list[str] | None:
    n = len(values)
    if all(isinstance(v, bool) for v in values):
        share = sum(values) / n
        return [
            f"  {name}:",
            "    type: bool",
            f"    distribution: {{bernoulli: {share:.4g}}}  # n={n}, share true",
        ]
    if all(isinstance(v, str) for v in values):
        counts = Counter(values)
        if len(counts) > 50:
            return None
        cats = ", ".join(f"{_q(k)}: {c}" for k, c in counts.most_common())
        return [
            f"  {name}:",
            "    type: str",
            f"    distribution: {{categorical: {{{cats}}}}}  # n={n}, counts",
        ]
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return [
            f"  {name}:",
            "    type: int",
            f"    distribution: {{randint: [{min(values)}, {max(values)}]}}  # n={n}, range seen",
        ]
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        mean = float(np.mean(values))
        sd = float(np.std(values))
        if not (math.isfinite(mean) and math.isfinite(sd)):
            return None
        return [
            f"  {name}:",
            "    type: float",
            f"    distribution: {{normal: {{mean: {mean:.6g}, sd: {sd:.6g}}}}}  # n={n}",
        ]
    return None
