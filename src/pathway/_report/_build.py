"""The entry points that build report objects: :func:`analyse` (an event log to a
:class:`~pathway.Report`) and :func:`diff` (two pathways to a :class:`~pathway.Diff`).

Scope: journey measures (times, visits, hand-offs, waits, delay attribution, control
charts, the typical journey) use the cases that reached an outcome, so an unfinished
journey never looks short; when no case has finished they use every case and say so.
Counts of demand, work and appointments use every event in the log.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from datetime import date, datetime
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from pathway._analysis._attribution import (
    Attribution,
    Contributor,
    DelayRows,
    attribute,
    attribute_rows,
    delay_rows,
)
from pathway._analysis._cases import I64, STEP_COMPLETED, CaseTable, case_table, repeated_items
from pathway._analysis._conformance import Conformance, conformance
from pathway._analysis._journey import Journey, journey_of
from pathway._analysis._observed import Comparison, compare, log_columns, table_frame
from pathway._analysis._partial import Combined
from pathway._analysis._people import people_of
from pathway._analysis._rounds import checkpoint_rounds
from pathway._analysis._settings import summarise_load, summarise_settings
from pathway._analysis._spc import period_chart
from pathway._analysis._stats import summarise
from pathway._analysis._summaries import (
    B,
    appointments,
    appointments_of,
    demand,
    demand_of,
    info_of,
    log_info,
    median,
    outcomes,
    outcomes_of,
    rebase_index,
    typical_case,
    waits_by_cause,
    work,
    work_of,
)
from pathway._analysis._xmr import xmr
from pathway._diff._behaviour import BehaviouralDiff, behavioural_diff
from pathway._diff._cohort import CohortFigures, cohort_changes, cohort_figures
from pathway._diff._gate import evaluate_gates
from pathway._diff._places import PlacesDiff
from pathway._diff._structural import structural_diff
from pathway._engine._case import Case
from pathway._extras import require
from pathway._journal._eventlog import NAT, EventLog, timestamp
from pathway._journal._events import Event
from pathway._model._pathway import Pathway
from pathway._report._diff import Diff
from pathway._report._report import Chart, Headline, Report
from pathway._report._words import CHARTED, MEASURES, contributor_words, plain_days, plain_minutes
from pathway._vocab import MINUTES_PER_DAY
from pathway.io import Interpretation, read_events, read_log
from pathway.io._files import REPORT_FIELDS

__all__ = [
    "TOUCH_MEASURES",
    "analyse",
    "build_report",
    "combined_report",
    "diff",
    "event_log",
    "touch_known",
]

#: The most cases a diff keeps event logs of for its cohort figures (people, rounds).
COHORT_CASES = 100_000
LogSource = EventLog | Interpretation | str | Path | Iterable[Event] | Iterable[Case]
#: Measures that need start times: unknown (left out) for a log of completions only.
TOUCH_MEASURES = (
    "touch",
    "perfect_flow",
    "flow_efficiency",
    "work_value",
    "work_waste1",
    "work_waste2",
    "work_waste3",
)


def event_log(source: LogSource, pathway: Pathway | None = None) -> EventLog:
    """An :class:`~pathway.EventLog` from a log, a file in any format
    :func:`pathway.io.read_events` reads (interpreted against ``pathway``), journal
    events or live cases."""
    return _interpreted(source, pathway)[0]


def _interpreted(
    source: LogSource, pathway: Pathway | None
) -> tuple[EventLog, Interpretation | None]:
    """The event log, and the interpretation when it was read from another system."""
    if isinstance(source, EventLog):
        return source, None
    if isinstance(source, Interpretation):
        return source.log, source if source.notes or source.steps else None
    if isinstance(source, str | Path):
        found = read_events(source, pathway)
        return found.log, found if found.steps else None
    items: list[Any] = list(source)
    if items and all(isinstance(item, Case) for item in items):
        return EventLog.from_cases(items), None
    return EventLog.from_events(items), None


def analyse(
    log: LogSource,
    pathway: Pathway | None = None,
    *,
    change_at: int | datetime | None = None,
    screen_outliers: bool = False,
    conform: bool | None = None,
) -> Report:
    """Measure every case of an event log and find where fragmentation adds delay.

    ``log`` is an event log, a file of one in any format :func:`pathway.io.read_events`
    reads (pathway's CSV/Parquet, process-mining CSV/Parquet, XES, OCEL 2.0), what
    ``read_events`` returned, journal events or live cases. A log read from another
    system carries its reading notes into the report (touch time unknown, undeclared
    roles...) and, with a ``pathway``, a conformance section; ``conform`` forces that
    section on (``True``) or off (``False``).
    With the ``pathway`` the log was run on, steps and roles get their titles, hand-offs
    derived from a log without them get their team and organisation level, and repeated
    information collection is counted (without it, it is reported as unknown).
    ``change_at`` (a case's position among finished cases, or a time: the first case to
    start then or later) recalculates the control-chart limits from that case on;
    ``screen_outliers`` leaves very large moving ranges out of the limits as
    NHSRplotthedots does by default. Returns a :class:`Report` with ``to_json()``,
    ``to_markdown()``, ``to_text()`` and ``to_html()``.
    """
    events, found = _interpreted(log, pathway)
    check = conform if conform is not None else found is not None
    return build_report(
        events,
        pathway,
        change_at=change_at,
        screen_outliers=screen_outliers,
        notes=found.notes if found is not None else (),
        conformance=conformance(events, pathway) if check and pathway is not None else None,
    )


def touch_known(log: EventLog) -> bool:
    """Whether the log knows when work began: false when it has completed steps and
    none of them has a start time (a log of completions only)."""
    rows = log.rows_of(STEP_COMPLETED)
    return not rows.size or bool((log.started[rows] != NAT).any())


def build_report(
    log: EventLog,
    pathway: Pathway | None = None,
    *,
    change_at: int | datetime | None = None,
    screen_outliers: bool = False,
    notes: Sequence[str] = (),
    conformance: Conformance | None = None,
) -> Report:
    """Analyse ``log`` (see :func:`pathway._analysis.analyse`)."""
    touch = touch_known(log)
    table = case_table(log, pathway)
    scope = table.finished.copy()
    label = "cases that reached an outcome"
    if not scope.any():
        scope[:] = True
        label = "all cases (none has reached an outcome yet)"
    values = table.measures()
    measures = {
        name: (summarise(values[name][0][scope]), unit)
        for name, (_label, unit) in MEASURES.items()
        if name in values and (touch or name not in TOUCH_MEASURES)
    }
    attribution = attribute(log, scope)
    return Report(
        pathway=pathway,
        log_info=log_info(log, table),
        cases=table,
        scope=scope,
        scope_label=label,
        measures=measures,
        headline=_headline(table, scope, attribution, pathway, touch),
        attribution=attribution,
        waits_by_cause=waits_by_cause(table, scope),
        demand=demand(log, table),
        work=work(log),
        appointments=appointments(log),
        outcomes=outcomes(log, table),
        repeated_items=(dict(repeated_items(log, pathway, scope)) if pathway is not None else None),
        charts=_charts(
            table,
            scope,
            rebase_index(table, scope, change_at),
            screen_outliers,
            pathway.targets if pathway is not None else {},
            table.start,
        ),
        journey=_typical_journey(log, table, scope, pathway),
        conformance=conformance,
        notes=tuple(notes),
        touch_known=touch,
        observed=_observed(pathway, table, scope, log.labels("step"), log_columns(log, pathway)),
        rounds=checkpoint_rounds(log, pathway) if pathway is not None else None,
        **_place_and_load(delay_rows(log), pathway, table, scope, table.start),
    )


def combined_report(
    found: Combined,
    pathway: Pathway | None,
    journey: Callable[[int, int], Journey],
    *,
    change_at: int | datetime | None = None,
    screen_outliers: bool = False,
) -> Report:
    """The report of a log analysed in parts (see :mod:`pathway._analysis._partial`):
    the same report :func:`build_report` makes of the whole log. ``journey(part, case)``
    draws the journey of a part's case (its index in the part's case order)."""
    touch = found.touch_known
    table = found.table
    scope = table.finished.copy()
    label = "cases that reached an outcome"
    repeated = found.repeated_finished
    if not scope.any():
        scope[:] = True
        label = "all cases (none has reached an outcome yet)"
        repeated = found.repeated_all
    values = table.measures()
    measures = {
        name: (summarise(values[name][0][scope]), unit)
        for name, (_label, unit) in MEASURES.items()
        if name in values and (touch or name not in TOUCH_MEASURES)
    }
    del values
    index = typical_case(table, scope)
    # the journey first: drawing it may run a simulation again, best done while the
    # attribution's temporaries are not held
    drawn = (
        journey(int(found.where[0][index]), int(found.where[1][index]))
        if index is not None
        else None
    )
    attribution = attribute_rows(found.rows, scope)
    first, last = found.first_at, found.last_at
    return Report(
        pathway=pathway,
        log_info=info_of(
            found.events,
            timestamp(first) if first is not None else None,
            timestamp(last) if last is not None else None,
            table,
        ),
        cases=table,
        scope=scope,
        scope_label=label,
        measures=measures,
        headline=_headline(table, scope, attribution, pathway, touch),
        attribution=attribution,
        waits_by_cause=waits_by_cause(table, scope),
        demand=_demand(found),
        work=work_of(found.rows.done_work, found.rows.done_minutes),
        appointments=appointments_of(found.appointments),
        outcomes=outcomes_of(found.steps, table),
        repeated_items=dict(repeated) if pathway is not None and repeated is not None else None,
        charts=_charts(
            table,
            scope,
            rebase_index(table, scope, change_at),
            screen_outliers,
            pathway.targets if pathway is not None else {},
            found.start_at,
        ),
        journey=drawn,
        conformance=None,
        notes=(),
        touch_known=touch,
        observed=_observed(pathway, table, scope, found.steps, found.observed),
        rounds=found.rounds,
        **_place_and_load(found.rows, pathway, table, scope, found.start_at),
    )


def _observed(
    pathway: Pathway | None,
    table: CaseTable,
    scope: B,
    steps: Sequence[str],
    extra: Mapping[str, Any],
) -> tuple[Comparison, ...]:
    """The pathway's observed figures beside the log's (none without a pathway)."""
    if pathway is None or not pathway.observed:
        return ()
    return compare(pathway.observed, [table_frame(table, scope, steps, extra)])


def _place_and_load(
    rows: DelayRows, pathway: Pathway | None, table: CaseTable, scope: B, starts: I64 | None
) -> dict[str, Any]:
    """The time in each setting and the load on each role (with a pathway, and the
    cases' absolute starts)."""
    if pathway is None or starts is None:
        return {}
    return {
        "settings": summarise_settings(rows, pathway, table, scope, starts),
        "load": summarise_load(rows, pathway, table, starts),
    }


def _headline(
    table: CaseTable, scope: B, attribution: Attribution, pathway: Pathway | None, touch: bool
) -> Headline:
    n = int(scope.sum())
    fragmentation = median(table.fragmentation[scope] / MINUTES_PER_DAY)
    e2e = median(table.end_to_end[scope] / MINUTES_PER_DAY)
    share = fragmentation / e2e if fragmentation is not None and e2e else None
    total_e2e = float(table.end_to_end[scope].sum())
    mean_share = float(table.fragmentation[scope].sum()) / total_e2e if total_e2e else None
    top = tuple((c, c.minutes / max(n, 1) / MINUTES_PER_DAY) for c in attribution.contributors[:3])
    perfect = median(table.value_work[scope]) if touch else None
    return Headline(
        fragmentation_days=fragmentation,
        median_end_to_end_days=e2e,
        share=share,
        perfect_flow_minutes=perfect,
        mean_share=mean_share,
        contributors=top,
        text=_headline_text(fragmentation, e2e, share, perfect, top, pathway, touch),
    )


def _headline_text(
    fragmentation: float | None,
    e2e: float | None,
    share: float | None,
    perfect: float | None,
    top: Sequence[tuple[Contributor, float]],
    pathway: Pathway | None,
    touch: bool = True,
) -> str:
    if fragmentation is None or e2e is None:
        return "No case in this log has a journey to measure yet."
    sentences = [
        f"Fragmentation adds {plain_days(fragmentation)} to the median journey of "
        f"{plain_days(e2e)}" + (f" ({share:.0%} of it)." if share is not None else ".")
    ]
    if not touch:
        sentences.append(
            "Touch time is unknown: the log records when steps completed, not when they "
            "began, so perfect flow cannot be measured."
        )
    if perfect is not None:
        sentences.append(
            f"Perfect flow (value work only) would take {plain_minutes(perfect)} for the "
            "median case."
        )
    if top:
        parts = [
            f"{contributor_words(c, pathway, short=True)}, {plain_days(days)} per case on average"
            for c, days in top
        ]
        lead = "The largest contributor is " if len(parts) == 1 else "The largest contributors are "
        sentences.append(lead + "; ".join(parts) + ".")
    return " ".join(sentences)


def _charts(
    table: CaseTable,
    scope: B,
    rebase: list[int],
    screen: bool,
    targets: Mapping[str, float],
    starts: I64 | None,
) -> tuple[Chart, ...]:
    """Each charted measure per case and per period; ``targets`` in minutes by measure,
    ``starts`` the cases' starts since the epoch (no charts by period when ``None``)."""
    values = table.measures()
    charts = []
    for name in CHARTED:
        series = values[name][0][scope]
        if series.size == 0 or np.isnan(series).any():
            continue
        title, unit = MEASURES[name]
        chart = xmr(series, rebase=rebase, screen_outliers=screen)
        target = targets.get(name)
        periods = (
            None
            if starts is None
            else period_chart(
                starts[scope],
                series,
                direction="decrease",
                target=None if target is None else target / MINUTES_PER_DAY,
            )
        )
        charts.append(Chart(name, title, unit, chart, periods))
    return tuple(charts)


def _typical_journey(
    log: EventLog, table: CaseTable, scope: B, pathway: Pathway | None
) -> Journey | None:
    index = typical_case(table, scope)
    return journey_of(log, index, pathway) if index is not None else None


def diff(
    old: Pathway,
    new: Pathway,
    *,
    cases: int = 2000,
    seed: int = 0,
    replications: int = 1,
    executor: Executor | None = None,
    simulate: bool = True,
    fail_if: Sequence[str] = (),
    journeys: bool = False,
    progress: Callable[[int, int], None] | None = None,
    start: date | str | None = None,
) -> Diff:
    """Compare ``old`` and ``new``: structure, and behaviour on one simulated cohort.

    With ``simulate`` (the default) both pathways run on the same ``cases`` people with
    common random numbers; ``journeys`` also keeps both event logs to draw typical
    journeys and control charts (for the HTML page). ``fail_if`` gates are evaluated
    (see :mod:`pathway._diff._gate`). ``progress(done, total)`` is called as the
    simulations go (over both pathways' cases). ``start`` is the first simulated day
    (default the simulator's). Raises :class:`~pathway.errors.DefinitionError`
    when the pathways cannot share a cohort, ``ValueError`` for an unreadable gate and
    :class:`~pathway.errors.MissingExtraError` without the ``sim`` extra.
    """
    structure = structural_diff(old, new)
    behaviour: BehaviouralDiff | None = None
    reports: tuple[Any, Any] | None = None
    if simulate:
        behaviour, reports = _behaviour(
            old, new, cases, seed, replications, executor, journeys, progress, start
        )
    gates = tuple(evaluate_gates(fail_if, structure, behaviour))
    return Diff(structure, behaviour, gates, reports)


def _behaviour(
    old: Pathway,
    new: Pathway,
    cases: int,
    seed: int,
    replications: int,
    executor: Executor | None,
    journeys: bool,
    progress: Callable[[int, int], None] | None,
    start: date | str | None = None,
) -> tuple[BehaviouralDiff, tuple[Any, Any] | None]:
    """Both pathways simulated with their event logs kept in a temporary folder: the
    cohort figures (people, checkpoint rounds) come from the first replication's logs,
    and with ``journeys`` both logs' reports (one replication then). Above
    :data:`COHORT_CASES` cases no log is kept and there are no cohort figures."""
    if not journeys and cases > COHORT_CASES:
        plain = behavioural_diff(
            old,
            new,
            cases=cases,
            seed=seed,
            replications=replications,
            executor=executor,
            progress=progress,
            start=start,
        )
        return attrs.evolve(plain, places=_places(old, new, cases, seed, start)), None
    with tempfile.TemporaryDirectory(prefix="pathway-diff-") as folder:
        paths = (Path(folder) / "old.parquet", Path(folder) / "new.parquet")
        behaviour = behavioural_diff(
            old,
            new,
            cases=cases,
            seed=seed,
            replications=1 if journeys else replications,
            executor=executor,
            events=paths,
            progress=progress,
            start=start,
        )
        logs = (behaviour.old_result.events_paths[0], behaviour.new_result.events_paths[0])
        if not journeys:
            figures = (_figures(logs[0], old), _figures(logs[1], new))
            behaviour = _with_cohort(behaviour, figures, (old, new))
            return attrs.evolve(behaviour, places=_places(old, new, cases, seed, start)), None
        reports = (analyse(logs[0], old), analyse(logs[1], new))
    found = [CohortFigures(r.demand["people"], r.rounds or ()) for r in reports]
    behaviour = _with_cohort(behaviour, (found[0], found[1]), (old, new))
    places = PlacesDiff(reports[0].settings, reports[1].settings, reports[0].load, reports[1].load)
    return attrs.evolve(behaviour, places=places), reports


def _figures(path: str, pathway: Pathway) -> CohortFigures:
    """A simulated cohort's people and checkpoint rounds, from its event log."""
    return cohort_figures(read_log(path, pathway, fields=REPORT_FIELDS), pathway)


def _with_cohort(
    behaviour: BehaviouralDiff,
    figures: tuple[CohortFigures, CohortFigures],
    pathways: tuple[Pathway, Pathway],
) -> BehaviouralDiff:
    """The behavioural diff with its cohort figures compared."""
    titles = {cp.id: cp.title for p in pathways for cp in p.checkpoints.values()}
    return attrs.evolve(behaviour, cohort=cohort_changes(*figures, titles))


def _demand(found: Combined) -> dict[str, Any]:
    """Demand of a log analysed in parts, people versus demands when the parts say who
    each case is from."""
    table = found.table
    if found.persons is None or found.began is None:
        return demand_of(table, found.failure_events)
    people = people_of(found.persons, found.began, table.total_failure, table.finished)
    result = demand_of(table, found.failure_events, people["returns"])
    result["people"] = people
    return result


def _places(
    old: Pathway, new: Pathway, cases: int, seed: int, start: date | str | None
) -> PlacesDiff:
    """The time in each setting and the load on each role of both pathways' first
    replication, measured from the kernel's rows as ``report --simulate`` measures them."""
    day = date.fromisoformat(start) if isinstance(start, str) else start
    simulated = require("pathway._report._simulated", extra="sim", feature="pathway diff")
    old_settings, old_load = simulated.simulated_places(old, cases, seed, start=day)
    new_settings, new_load = simulated.simulated_places(new, cases, seed, start=day)
    return PlacesDiff(old_settings, new_settings, old_load, new_load)
