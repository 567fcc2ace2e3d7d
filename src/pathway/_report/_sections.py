"""The report as sections of words and tables, shared by the text, Markdown and HTML
renderings (the HTML page adds its charts to these sections)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs

from pathway._report._conform import SHOWN_TRACES, Grid, lead, summary_grid, traces_grid
from pathway._report._observed import HEADERS as OBSERVED_HEADERS
from pathway._report._observed import INTRO as OBSERVED_INTRO
from pathway._report._observed import TITLE as OBSERVED_TITLE
from pathway._report._observed import observed_rows
from pathway._report._place import Part, load_part, settings_part
from pathway._report._rounds import rounds_part
from pathway._report._words import (
    ASSURANCE_WORDS,
    MEASURES,
    PEOPLE_WORDS,
    PERIOD_WORDS,
    VARIATION_WORDS,
    contributor_words,
    plain_days,
    verdict_sentence,
)
from pathway._vocab import (
    CAUSE_WAITING,
    FRAGMENTATION_CAUSES,
    LEVELS,
    MINUTES_PER_DAY,
    WORK_CLASSES,
    WORK_WORDS,
    waiting,
)

if TYPE_CHECKING:
    from pathway._analysis._stats import Summary
    from pathway._report._report import Chart, Report

__all__ = ["GLOSSARY", "Section", "Table", "sections"]

_FRAGMENTATION_WAITS = ", ".join(CAUSE_WAITING[c] for c in FRAGMENTATION_CAUSES[:-1]) + (
    f" or {CAUSE_WAITING[FRAGMENTATION_CAUSES[-1]]}"
)
#: Jargon and what it means, for tooltips and the glossary.
GLOSSARY: dict[str, str] = {
    "fragmentation delay": (
        f"Time added because the work is split up: waits {_FRAGMENTATION_WAITS}, plus the "
        "time spent on waste work"
    ),
    "perfect flow": "How long the journey would take if only the value work were done, "
    "one step straight after another",
    "flow efficiency": "Value-work time divided by end-to-end time",
    "end-to-end time": "Calendar time from first contact to the outcome",
    "touch time": "Time someone actually worked on the case",
    "value work": "Work the person needs, that helps them (Vanguard 'value work')",
    "waste work": "Work the person does not need: type 1 removable now, type 2 designed "
    "into the system, type 3 required by law, regulation or contract",
    "failure demand": "Contact caused by a failure to do something or do it right "
    "(chasing progress, coming back, being referred again)",
    "value demand": "The demand the service exists to meet: each person's first contact",
    "DNA": "Did not attend: a booked appointment the person missed",
    "hand-off": "The case passes to another worker, role, team or organisation",
    "XmR": "An individuals control chart: each case's value, the mean and natural process "
    "limits (mean plus or minus 2.66 times the average moving range)",
    "process limits": "Mean plus or minus 2.66 times the average difference between "
    "consecutive cases: values inside are the system's normal variation",
    "special cause": "A signal that something changed: a point outside the limits, 7 in a "
    "row on one side of the mean, 7 rising or falling, or 2 of 3 near a limit",
    "median": "The middle value: half the cases take longer, half shorter",
    "90th percentile": "9 in 10 cases take this long or less",
}
KEY_MEASURES = (
    "end_to_end",
    "fragmentation",
    "fragmentation_share",
    "perfect_flow",
    "touch",
    "flow_efficiency",
    "visits",
    "dnas",
    "handoffs",
    *(f"handoffs_{level}" for level in LEVELS),
    "failure_demand",
    "repeated_information",
)


@attrs.frozen
class Table:
    """A table: headers, rows of text, which columns are numbers, and a caption."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]
    caption: str = ""


@attrs.frozen
class Section:
    """A titled part of the report: paragraphs, then tables."""

    key: str
    title: str
    text: tuple[str, ...]
    tables: tuple[Table, ...] = ()


def table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: str, caption: str = ""
) -> Table:
    """A :class:`Table`; ``numeric`` has one letter per column, ``n`` for numbers."""
    return Table(
        tuple(headers),
        tuple(tuple(row) for row in rows),
        tuple(letter == "n" for letter in numeric),
        caption,
    )


def number(value: float | None, unit: str) -> str:
    """A value for a table cell in ``unit`` (days, minutes, share, count)."""
    if value is None:
        return "-"
    if unit == "share":
        return f"{value:.1%}"
    if unit == "days":
        return f"{value:.1f}"
    if unit == "minutes":
        return f"{value:.0f}"
    return f"{value:.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"


def unit_words(unit: str) -> str:
    """The unit as a column heading suffix."""
    return {"share": "%", "count": "number"}.get(unit, unit)


def sections(report: Report) -> list[Section]:
    """Every section of the report, in reading order."""
    found = [
        _summary(report),
        _replicated(report),
        _reading(report),
        _delay(report),
        _conformance(report),
        _observed(report),
        _journey(report),
        _charts(report),
        _vanguard(report),
        _measures(report),
        _steps(report),
        _outcomes(report),
        _repeated(report),
        _part(settings_part(report)),
        _part(load_part(report)),
        _part(rounds_part(report)),
    ]
    return [section for section in found if section is not None]


def _part(part: Part | None) -> Section | None:
    """A section from the words of :mod:`pathway._report._place`."""
    if part is None:
        return None
    key, title, text, headers, rows, kinds = part
    return Section(key, title, text, (table(headers, rows, kinds),))


def _summary(report: Report) -> Section:
    info = report.log_info
    pathway = report.pathway
    about = (
        f"{info['cases']} cases ({info['events']} events) from {_date(info['first_event'])} "
        f"to {_date(info['last_event'])}; {info['finished']} reached an outcome, "
        f"{info['in_flight']} were still open. Journey measures use {report.scope_label} "
        f"({report.n_scope})."
    )
    title = pathway.title if pathway is not None else "Event log"
    return Section("summary", f"What fragmentation costs: {title}", (report.headline.text, about))


def _replicated(report: Report) -> Section | None:
    """Each key measure's mean over independent replications, with its 95% interval."""
    found = report.replicated
    if found is None:
        return None
    rows = [
        (
            MEASURES[name][0],
            unit_words(unit),
            number(mean, unit),
            f"{number(ci[0], unit)} to {number(ci[1], unit)}" if ci is not None else "-",
            number(median, unit),
        )
        for name, unit, mean, ci, median in found.rows
    ]
    headers = ("Measure (per case)", "Unit", "Mean", "95% interval", "Median")
    lead = (
        f"Each measure's mean over {found.count} independent simulated runs (seed "
        f"{found.seed}, replications 1 to {found.count}), with a 95% interval: were the "
        "runs repeated many times, 19 intervals in 20 would hold the true mean. The median "
        "is the average of the runs' medians. The rest of this report is the first run."
    )
    return Section(
        "replications",
        f"Across {found.count} replications",
        (lead,),
        (table(headers, rows, "ttnnn"),),
    )


def _reading(report: Report) -> Section | None:
    """How an imported log was read (the interpretation's notes), when it was."""
    if not report.notes:
        return None
    return Section("reading", "How the log was read", tuple(report.notes))


def _conformance(report: Report) -> Section | None:
    """Which journeys fit the pathway, and the deviations ranked (imported logs)."""
    result, pathway = report.conformance, report.pathway
    if result is None or pathway is None:
        return None
    grids = (
        [summary_grid(result), traces_grid(result, pathway, SHOWN_TRACES)] if result.ranked else []
    )
    return Section(
        "conformance",
        "Do the journeys follow the pathway?",
        (lead(result),),
        tuple(_from_grid(grid) for grid in grids),
    )


def _observed(report: Report) -> Section | None:
    """The pathway file's observed figures beside this log's (when it declares any)."""
    if not report.observed:
        return None
    return Section(
        "observed",
        OBSERVED_TITLE,
        (OBSERVED_INTRO.format(what="log"),),
        (table(OBSERVED_HEADERS, observed_rows(report.observed, report.pathway), "tttttt"),),
    )


def _from_grid(grid: Grid) -> Table:
    return Table(grid.headers, grid.rows, grid.numeric, grid.caption)


def _date(iso: object) -> str:
    return str(iso)[:10] if iso else "-"


def _measures(report: Report) -> Section:
    rows = []
    for name in KEY_MEASURES:
        if name not in report.measures:
            continue
        summary, unit = report.measures[name]
        rows.append(_measure_row(MEASURES[name][0], unit, summary))
    headers = ("Measure (per case)", "Unit", "Median", "90th percentile", "Mean")
    return Section(
        "measures",
        "The journey in numbers",
        (f"Each row summarises one measure over the {report.n_scope} cases in scope.",),
        (table(headers, rows, "ttnnn"),),
    )


def _measure_row(label: str, unit: str, summary: Summary) -> tuple[str, ...]:
    return (
        label,
        unit_words(unit),
        number(summary.median, unit),
        number(summary.p90, unit),
        number(summary.mean, unit),
    )


def _delay(report: Report) -> Section:
    n = max(report.n_scope, 1)
    total = report.attribution.total_fragmentation
    rows, cumulative = [], 0.0
    for rank, contributor in enumerate(report.attribution.contributors[:12], start=1):
        cumulative += contributor.minutes
        rows.append(
            (
                str(rank),
                contributor_words(contributor, report.pathway),
                f"{contributor.minutes / n / MINUTES_PER_DAY:.2f}",
                number(contributor.minutes / total if total else None, "share"),
                number(cumulative / total if total else None, "share"),
            )
        )
    contributors = table(
        ("Rank", "Where", "Days per case", "Share of fragmentation", "Cumulative share"),
        rows,
        "ntnnn",
        "Fragmentation delay by where it happens (waits by transition, waste work by step)",
    )
    waits = report.waits_by_cause
    all_waits = sum(waits.values())
    cause_rows = [
        (
            waiting(cause),
            "yes" if cause in FRAGMENTATION_CAUSES else "no",
            f"{minutes / n / MINUTES_PER_DAY:.2f}",
            number(minutes / all_waits if all_waits else None, "share"),
        )
        for cause, minutes in sorted(waits.items(), key=lambda item: -item[1])
        if minutes > 0
    ]
    causes = table(
        ("Cause", "Fragmentation?", "Days per case", "Share of all waiting"),
        cause_rows,
        "ttnn",
        "Waiting by cause",
    )
    text = (
        f"Fragmentation delay is the sum of waits {_FRAGMENTATION_WAITS}, plus the time "
        "spent on waste work.",
    )
    return Section("delay", "Where the delay comes from", text, (contributors, causes))


def _people_table(people: dict[str, Any] | None) -> tuple[Any, ...]:
    """People versus demands as a table (none when the log was measured in parts)."""
    if not people or not people["demands"]:
        return ()
    words = PEOPLE_WORDS
    rows = [
        (words["people"], str(people["people"]), "-"),
        (words["demands"], str(people["demands"]), "-"),
        (words["cases_per_person"], number(people["cases_per_person"], "count"), "-"),
        (
            words["repeat_demands"],
            str(people["repeat_demands"]),
            number(people["repeat_share"], "share"),
        ),
        (words["returns"], str(people["returns"]), "-"),
        *([(words["referrals"], str(people["referrals"]), "-")] if people.get("referrals") else []),
        (
            words["right_first_time"],
            f"{people['right_first_time']} of {people['people_decided']}",
            number(people["right_first_time_share"], "share"),
        ),
    ]
    return (table(("People and demands", "Count", "Share"), rows, "tnn", "People and demands"),)


def _vanguard(report: Report) -> Section:
    demand = report.demand
    demand_rows = [
        (
            "Value demand (first contacts)",
            str(demand["value"]),
            number(demand["value_share"], "share"),
        )
    ]
    total = demand["value"] + demand["failure"]
    for kind, count in demand["failure_by_kind"].items():
        share = count / total if total else None
        words = {"chase": "chasing progress", "re_presentation": "coming back / rebooking"}
        label = f"Failure demand: {words.get(kind, kind.replace('_', ' '))}"
        demand_rows.append((label, str(count), number(share, "share")))
    demand_rows.append(
        ("Failure demand, all", str(demand["failure"]), number(demand["failure_share"], "share"))
    )
    people = _people_table(demand.get("people"))
    work = report.work
    work_rows = [
        (
            WORK_WORDS[w],
            str(work["steps"][w]),
            number(work["step_share"][w], "share"),
            number(work["time_share"][w], "share"),
        )
        for w in WORK_CLASSES
    ]
    appointments = report.appointments
    appointment_rows = [
        (
            f"Asked for by the {who}" if who != "unknown" else "Not recorded",
            str(appointments["attended"][who]),
            str(appointments["missed"][who]),
            number(appointments["share"].get(who), "share") if who != "unknown" else "-",
        )
        for who in appointments["by_requester"]
        if appointments["by_requester"][who] or who in ("service", "client")
    ]
    return Section(
        "vanguard",
        "Demand, work and appointments",
        (
            "Vanguard's Check measures. Demand counts each new demand as value demand and "
            "every chase, return or re-referral as failure demand; people and demands say "
            "how many people the cases on the system come from.",
            f"Missed appointments (DNA rate): {number(appointments['dna_rate'], 'share')} of "
            "attendances and missed appointments together.",
        ),
        (
            table(("Demand", "Contacts", "Share"), demand_rows, "tnn", "Demand"),
            *people,
            table(
                ("Work class", "Steps", "Share of steps", "Share of time"),
                work_rows,
                "tnnn",
                "Work classification",
            ),
            table(
                ("Appointments", "Attended", "Missed", "Share"),
                appointment_rows,
                "tnnn",
                "Appointments by who asked for them",
            ),
        ),
    )


def _journey(report: Report) -> Section | None:
    journey = report.journey
    if journey is None:
        return None
    rows = [
        (
            f"{step.start / MINUTES_PER_DAY:.1f}",
            report.title_of_step(step.step),
            report.title_of_role(step.lane),
            f"{step.end - step.start:.0f}",
            WORK_WORDS.get(step.work or "", "-"),
            "yes" if step.visit else "",
        )
        for step in journey.steps
    ]
    outcome = report.title_of_step(journey.outcome) if journey.outcome else "still open"
    text = (
        f"Case {journey.case_id} is the case closest to the median end-to-end time: "
        f"{plain_days(journey.end_to_end / MINUTES_PER_DAY)}, ending '{outcome}'.",
    )
    headers = ("Day", "Step", "Owner", "Minutes", "Work", "Visit")
    return Section(
        "journey", "A typical journey", text, (table(headers, rows, "nttntt", "Steps in order"),)
    )


def _charts(report: Report) -> Section | None:
    if not report.charts:
        return None
    tables = []
    periods = [chart for chart in report.charts if chart.periods is not None]
    if periods:
        tables.append(_period_table(periods))
    tables.append(_case_chart_table(report))
    verdicts = tuple(
        f"- {chart.title} by {PERIOD_WORDS[chart.periods.period]}: "
        f"{verdict_sentence(chart.periods.variation, chart.periods.assurance).lower()}."
        for chart in periods
        if chart.periods is not None
    )
    return Section(
        "charts",
        "Is the system stable? Control charts",
        (
            "Each measure by period (the mean of the cases that started in it), read the "
            "Making Data Count way: the verdict is about the latest period. The second "
            "table charts every case; with many cases, points outside the limits are "
            "expected and say little about the system.",
            *verdicts,
        ),
        tuple(tables),
    )


def _period_table(charts: Sequence[Chart]) -> Table:
    rows = []
    for chart in charts:
        periods = chart.periods
        assert periods is not None
        last = periods.chart.segments[-1]
        verdict = VARIATION_WORDS[periods.variation]
        if periods.assurance is not None:
            verdict += "; " + ASSURANCE_WORDS[periods.assurance]
        rows.append(
            (
                f"{chart.title} ({chart.unit})",
                f"{PERIOD_WORDS[periods.period]} ({len(periods.labels)})",
                number(last.mean, chart.unit),
                number(last.lower, chart.unit),
                number(last.upper, chart.unit),
                str(int(periods.chart.special.sum())),
                verdict,
            )
        )
    headers = ("Measure", "By (points)", "Mean", "Lower limit", "Upper limit",
               "Special-cause points", "Verdict")  # fmt: skip
    return table(headers, rows, "ttnnnnt", "By period")


def _case_chart_table(report: Report) -> Table:
    rows = []
    for chart in report.charts:
        xmr = chart.chart
        last = xmr.segments[-1]
        signals = xmr.signals()
        rows.append(
            (
                f"{chart.title} ({chart.unit})",
                number(last.mean, chart.unit),
                number(last.lower, chart.unit),
                number(last.upper, chart.unit),
                str(len(signals["outside"])),
                str(len(signals["shift"])),
                str(len(signals["trend"])),
                str(len(signals["two_in_three"])),
            )
        )
    headers = (
        "Measure",
        "Mean",
        "Lower limit",
        "Upper limit",
        "Outside limits",
        "Runs of 7 on one side",
        "Trends of 7",
        "2 of 3 near a limit",
    )
    return table(headers, rows, "tnnnnnnn", "Each case, in arrival order")


def _steps(report: Report) -> Section:
    n = max(report.n_scope, 1)
    total = report.attribution.total_delay
    step_rows = [
        (
            report.title_of_step(row.target),
            str(row.count),
            f"{row.touch_median:.0f}",
            f"{row.wait_median / MINUTES_PER_DAY:.2f}",
            f"{row.delay / n / MINUTES_PER_DAY:.2f}",
            number(row.delay / total if total else None, "share"),
        )
        for row in report.attribution.steps
    ]
    transition_rows = [
        (
            f"{report.title_of_step(row.source or '')} → {report.title_of_step(row.target)}",
            str(row.count),
            f"{row.wait_median / MINUTES_PER_DAY:.2f}",
            f"{row.wait_p90 / MINUTES_PER_DAY:.2f}",
            ", ".join(c.replace("_", " ") for c in row.delay_by_cause) or "-",
            number(row.delay / total if total else None, "share"),
        )
        for row in report.attribution.transitions
    ]
    return Section(
        "steps",
        "Steps and transitions",
        ("Waits are in days, touch time in minutes; shares are of all waiting in scope.",),
        (
            table(
                (
                    "Step",
                    "Times done",
                    "Median touch (min)",
                    "Median wait before (days)",
                    "Waiting per case (days)",
                    "Share of delay",
                ),
                step_rows,
                "tnnnnn",
                "By step",
            ),
            table(
                (
                    "Transition",
                    "Times",
                    "Median wait (days)",
                    "90th percentile wait (days)",
                    "Causes",
                    "Share of delay",
                ),
                transition_rows,
                "tnnntn",
                "By transition",
            ),
        ),
    )


def _outcomes(report: Report) -> Section:
    rows = [
        (
            report.title_of_step(row["outcome"]) if row["outcome"] else "Still open",
            str(row["cases"]),
            number(row["share"], "share"),
            number(row["median_end_to_end_days"], "days"),
        )
        for row in report.outcomes
    ]
    headers = ("Outcome", "Cases", "Share", "Median end-to-end (days)")
    return Section("outcomes", "How journeys end", (), (table(headers, rows, "tnnn"),))


def _repeated(report: Report) -> Section:
    items = report.repeated_items
    if items is None:
        return Section(
            "repeated",
            "Telling the story again",
            ("Unknown: give the pathway to count information collected more than once.",),
        )
    rows = [
        (item.replace("_", " "), str(again), str(cases))
        for item, (again, cases) in sorted(items.items(), key=lambda kv: (-kv[1][0], kv[0]))
        if again
    ]
    summary, _unit = report.measures["repeated_information"]
    text = (
        f"The median person was asked for {number(summary.median, 'count')} items of "
        "information they had already given (the 'told my story 10 times' count).",
    )
    headers = ("Information", "Times asked again", "People asked more than once")
    return Section("repeated", "Telling the story again", text, (table(headers, rows, "tnn"),))
