"""The report's words: measure labels, durations in words, delay contributors in words.

Every format (text, Markdown, JSON, HTML) takes its labels from here; the words for
causes, work classes, levels and demand come from :mod:`pathway._vocab`.
"""

from __future__ import annotations

from collections.abc import Mapping

from pathway._analysis._attribution import Contributor
from pathway._model._pathway import Pathway
from pathway._vocab import (
    CAUSE_NAMES,
    DEMAND_WORDS,
    LEVEL_WORDS,
    LEVELS,
    MINUTES_PER_DAY,
    RECORDED_CAUSES,
    TARGET_MEASURES,
    WORK_CLASSES,
    waiting,
)

__all__ = [
    "ASSURANCE_ICONS",
    "ASSURANCE_SENTENCES",
    "ASSURANCE_WORDS",
    "CHARTED",
    "MEASURES",
    "PEOPLE_WORDS",
    "PERIOD_WORDS",
    "SCHEMA",
    "VARIATION_ICONS",
    "VARIATION_SENTENCES",
    "VARIATION_WORDS",
    "contributor_words",
    "plain_days",
    "plain_minutes",
    "verdict_sentence",
]

SCHEMA = "pathway-report/1"
_WORK_MEASURE_WORDS = {
    "value": "Value work",
    "waste1": "Waste work, type 1 (removable)",
    "waste2": "Waste work, type 2 (designed in)",
    "waste3": "Waste work, type 3 (law, regulation)",
}

#: Per-case measures the report summarises: name -> (plain label, unit).
MEASURES: Mapping[str, tuple[str, str]] = {
    "end_to_end": ("End-to-end time", "days"),
    "fragmentation": ("Fragmentation delay", "days"),
    "fragmentation_share": ("Fragmentation share of the journey", "share"),
    "perfect_flow": ("Perfect-flow time (value work only)", "minutes"),
    "touch": ("Touch time (all work)", "minutes"),
    "flow_efficiency": ("Flow efficiency", "share"),
    "visits": ("Visits (attendances)", "count"),
    "dnas": ("Missed appointments (DNAs)", "count"),
    "handoffs": ("Hand-offs", "count"),
    **{f"handoffs_{level}": (f"Hand-offs {LEVEL_WORDS[level]}", "count") for level in LEVELS},
    "wait": ("Waiting, all causes", "days"),
    **{f"wait_{cause}": (waiting(cause), "days") for cause in RECORDED_CAUSES},
    **{f"work_{w}": (_WORK_MEASURE_WORDS[w], "minutes") for w in WORK_CLASSES},
    "failure_demand": ("Failure demand", "count"),
    **{f"failure_{kind}": (words, "count") for kind, words in DEMAND_WORDS.items()},
    "repeated_information": ("Information asked for again", "count"),
    "decisions": ("Checkpoint decisions", "count"),
}
#: People versus demands, as the report's rows: figure -> words.
PEOPLE_WORDS: Mapping[str, str] = {
    "people": "People (the real demands)",
    "demands": "Demands (cases on the system)",
    "cases_per_person": "Cases per person",
    "repeat_demands": "Repeat demand (a person's later cases, referrals aside)",
    "returns": "Cases that are failure demand (coming back, referred again)",
    "referrals": "Concurrent referrals (new demands another case opened)",
    "right_first_time": "Right first time (first demand ended with no failure demand "
    "and no other case but its referrals)",
}
#: The measures charted as XmR control charts, in order.
CHARTED = TARGET_MEASURES
#: The period a Making Data Count chart plots by.
PERIOD_WORDS = {"month": "month", "week": "week", "day": "day", "case": "case"}
#: The variation verdict (the last point's type, as NHSRplotthedots names it) in words:
#: short (a table cell) and long (a sentence).
VARIATION_WORDS = {
    "common_cause": "common cause",
    "special_cause_improvement": "special cause: improvement",
    "special_cause_concern": "special cause: concern",
    "special_cause_neutral_high": "special cause: high",
    "special_cause_neutral_low": "special cause: low",
}
VARIATION_SENTENCES = {
    "common_cause": "the latest period is within the system's usual (common cause) variation",
    "special_cause_improvement": "the latest period shows special cause variation: improvement",
    "special_cause_concern": "the latest period shows special cause variation: concern",
    "special_cause_neutral_high": "the latest period is unusually high (special cause)",
    "special_cause_neutral_low": "the latest period is unusually low (special cause)",
}
#: The assurance verdict against a target, short and long.
ASSURANCE_WORDS = {
    "consistent_pass": "target met consistently",
    "consistent_fail": "target missed consistently",
    "inconsistent": "target hit and miss",
}
ASSURANCE_SENTENCES = {
    "consistent_pass": "the target will be met consistently",
    "consistent_fail": "the target will be missed consistently unless the system changes",
    "inconsistent": "the target will be met and missed at random (hit and miss)",
}
#: Each verdict's icon: a letter and a colour (Making Data Count's grey, blue, orange).
VARIATION_ICONS = {
    "common_cause": ("~", "#5f6b73"),
    "special_cause_improvement": ("+", "#0d5ea6"),
    "special_cause_concern": ("!", "#b34700"),
    "special_cause_neutral_high": ("H", "#6a3d9a"),
    "special_cause_neutral_low": ("L", "#6a3d9a"),
}
ASSURANCE_ICONS = {
    "consistent_pass": ("P", "#0d5ea6"),
    "consistent_fail": ("F", "#b34700"),
    "inconsistent": ("?", "#5f6b73"),
}


def plain_days(days: float) -> str:
    """``2.3 days``, ``1 day``, ``5.5 hours`` or ``40 minutes``: a duration in words."""
    if days >= 1:
        text = f"{days:.1f}".rstrip("0").rstrip(".")
        return f"{text} day" + ("" if text == "1" else "s")
    hours = days * 24
    if hours >= 1:
        text = f"{hours:.1f}".rstrip("0").rstrip(".")
        return f"{text} hour" + ("" if text == "1" else "s")
    return plain_minutes(days * MINUTES_PER_DAY)


def plain_minutes(minutes: float) -> str:
    """``1 h 45 min`` or ``25 min``: a short duration in words."""
    whole = round(minutes)
    hours, rest = divmod(whole, 60)
    if hours >= 24:
        return plain_days(minutes / MINUTES_PER_DAY)
    if hours:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{whole} min"


def contributor_words(
    contributor: Contributor, pathway: Pathway | None, *, short: bool = False
) -> str:
    """A contributor in plain words: "the wait between X and Y (causes)" or "waste work
    at X"; ``short`` names only the step waited for."""

    def title(step: str) -> str:
        if pathway is not None and step in pathway.steps:
            return pathway.steps[step].title
        return step.replace("_", " ")

    if contributor.kind == "step":
        return f"waste work at '{title(contributor.key)}'"
    source, _arrow, target = contributor.key.partition(" → ")
    causes = ", ".join(CAUSE_NAMES.get(c, c) for c in contributor.by_cause)
    if source == "(start)" or short:
        return f"the wait before '{title(target)}' ({causes})"
    return f"the wait between '{title(source)}' and '{title(target)}' ({causes})"


def verdict_sentence(variation: str, assurance: str | None) -> str:
    """The Making Data Count verdict as a sentence, capitalised, without a full stop."""
    text = VARIATION_SENTENCES[variation]
    if assurance is not None:
        text += "; " + ASSURANCE_SENTENCES[assurance]
    return text[:1].upper() + text[1:]
