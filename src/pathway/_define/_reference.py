"""Generate the pathway file reference (Markdown) from the format's JSON Schema.

The schema (:func:`pathway._define._schema.json_schema`, built from the pydantic models in
:mod:`pathway._define._spec`) is the single source of truth: every object, key, type, default
and description in the reference comes from it. The few things a JSON Schema cannot say
well (how a duration, a rate, a distribution or a weekly calendar is written) are
explained in fixed prose below, and the generator refuses to run when the schema names a
distribution kind that prose does not cover, so the two cannot drift apart unnoticed.

Regenerate the committed page with::

    python -m pathway._define._reference > docs/reference/pathway-file.md

The output is deterministic: the same schema always gives the same text.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final, NamedTuple

from pathway._define._schema import json_schema
from pathway._define._spec import (
    _DURATION_TEXT,
    _RATE_TEXT,
    IDENTIFIER,
    MAX_ARRIVAL_TIMES,
    MAX_CALENDARS,
    MAX_CAPACITY,
    MAX_CHECKPOINTS,
    MAX_FACTS,
    MAX_LIST,
    MAX_QUESTIONS,
    MAX_ROLES,
    MAX_ROUTES,
    MAX_STEPS,
    MAX_TRANSITIONS,
    SLUG,
)
from pathway._define._yaml import DEFAULT_LIMITS, MAX_INTEGER
from pathway._model._calendar import MAX_CLOSED_DAYS
from pathway._model._distributions import (
    MAX_FACT_NUMBER,
    MAX_RATE_PER_DAY,
    MAX_SPREAD,
    MAX_VALUES,
    MINUTES_PER_UNIT,
)

__all__ = ["EXAMPLES", "REGENERATE", "SECTIONS", "Section", "main", "markdown_reference"]

Schema = Mapping[str, Any]

REGENERATE: Final = "python -m pathway._define._reference > docs/reference/pathway-file.md"
"""The command that rewrites the committed reference page."""


class Section(NamedTuple):
    """One object of the format: its schema definition, heading and place in a file."""

    definition: str | None  # name under ``$defs``; ``None`` for the top level
    heading: str
    where: str


SECTIONS: Final[tuple[Section, ...]] = (
    Section(None, "Pathway file", "the top level of the file"),
    Section("CalendarSpec", "Calendars", "`calendars: {<id>: ...}`"),
    Section("RoleSpec", "Roles", "`roles: {<id>: ...}`"),
    Section("FactSpec", "Facts", "`facts: {<name>: ...}`"),
    Section("StepSpec", "Steps", "`steps: {<id>: ...}`"),
    Section("TransitionSpec", "Transitions", "`transitions: [...]`, a list"),
    Section("CheckpointSpec", "Checkpoints", "`checkpoints: {<id>: ...}`"),
    Section("QuestionSpec", "Questions", "`checkpoints.<id>.questions: {<id>: ...}`"),
    Section("RouteSpec", "Routes", "`checkpoints.<id>.routes: [...]`, a list"),
    Section("ArrivalsSpec", "Arrivals", "`arrivals: ...`, at the top level"),
    Section("ProfileSpec", "Arrival profiles", "`arrivals.profile: ...`"),
    Section("TargetSpec", "Targets", "`targets: {<measure>: ...}`, at the top level"),
    Section("ObservedSpec", "Observed figures", "`observed: [...]`, a list, at the top level"),
    Section("SettingSpec", "Settings", "`settings: {<id>: ...}`, at the top level"),
    Section("ReturnsSpec", "Returns", "`returns: ...`, on an outcome step or at the top level"),
)
"""Every object of the format, in the order the reference presents them."""

EXAMPLES: Final[Mapping[str | None, str]] = {
    None: """\
id: recovery-hub-2018
title: Portsmouth Recovery Hub, redesigned (2018)
version: "2018.1"
purpose: Help me to make my life better
timezone: Europe/London
start: holistic_assessment
steps:
  holistic_assessment: {role: recovery_worker, visit: true, duration: 1h}
  # ... calendars, roles, facts, more steps, transitions, checkpoints, arrivals
""",
    "CalendarSpec": """\
assessment_days:
  title: New-client assessments
  open:
    "tue, thu": "09:30-12:30"
  closures: ["2017-12-25", "2017-12-24..2018-01-01"]
  timezone: Europe/London
""",
    "RoleSpec": """\
recovery_worker:
  title: Recovery Worker
  team: recovery_workers
  organisation: Society of St James
  capacity: 6
  calendar: hub_hours
""",
    "FactSpec": """\
needs_prescribing:
  type: bool
  description: Needs a doctor, e.g. for substitute prescribing.
  distribution: {bernoulli: 0.6}
risk_level:
  type: str
  values: [low, medium, high]
  distribution: {categorical: {low: 6, medium: 3, high: 1}}
""",
    "StepSpec": """\
full_assessment:
  title: Full assessment
  role: recovery_worker
  work: value
  visit: true
  calendar: assessment_days
  requested_by: service
  duration: {lognormal: {median: 55m, p90: 80m}}
  collects: [name, date_of_birth, substances_used]
prescribed:
  outcome: true
""",
    "TransitionSpec": """\
- trigger: invite_back
  from: contact_client
  to: full_assessment
  p: 0.95
  wait: {lognormal: {median: 2d, p90: 6d}}
  cause: booking
  dna: 0.32
  chase_after: 7d
- trigger: refer                   # format 2: concurrent referrals of the same person
  from: assess
  to: plan
  also: [therapy, care_assessment]
""",
    "CheckpointSpec": """\
plan_decision:
  framework: PLAN
  at: assessment
  proceed: see_doctor
  if_not_legal: signposted
  if_not_necessary: services_in_place
  if_not_proportionate: brief_advice
review_round:
  at: ward_round
  questions:
    stable: {ask: person, text: "Has the crisis been stabilised?"}
    destination_ready: {ask: person}
  routes:
    - {when: stable and destination_ready, to: discharge}
  otherwise: action
""",
    "QuestionSpec": """\
stable:
  text: Has the crisis that brought the patient in been stabilised?
  ask: person
  p_yes: 0.7
adult:
  when: age >= 18
""",
    "RouteSpec": """\
- when: stable and destination_ready
  to: discharge
- when: not stable
  to: action
  wait: 3d
  cause: client
""",
    "ArrivalsSpec": """\
rate: 3/d
calendar: hub_hours
""",
    "ProfileSpec": """\
weekday: {thu: 1.4, fri: 1.1}   # Thursday 40% busier than an ordinary day
hour: {9-12: 1.5, 12-13: 0.5}   # a busy morning, a quiet lunch hour
month: {dec: 0.8, jan-feb: 1.2}
""",
    "ReturnsSpec": """\
p: 0.3
after: {exponential: {mean: 30d}}
demand: re_presentation
same_worker: true
""",
    "TargetSpec": """\
end_to_end:
  at_most: 21d
  source: the commissioner's waiting-time standard (an example, not from a source)
""",
    "ObservedSpec": """\
- measure: time_to
  step: full_assessment
  value: 11d
  tolerance: 15%
  source: "000, Check: contact to assessment, average 11 days"
  used_as: calibration
- measure: visits
  statistic: share
  within: 1
  outcomes: [prescribed]
  value: "<50%"
  source: "000, 3.4: all the work in a single visit 'would not always be possible'"
""",
    "SettingSpec": """\
acute_bed:
  title: Acute hospital bed
  bed_days: true
home:
  title: At home
""",
}
"""A short YAML example for each object (tests check each one is valid)."""

_UNIT_NAMES: Final[Mapping[float, str]] = {
    1 / 60: "second",
    1.0: "minute",
    60.0: "hour",
    1440.0: "day: 24 hours of clock time, not a working day",
    10080.0: "week: 7 days",
}

_DURATION_FORMS: Final[Mapping[str, tuple[str, str]]] = {
    "fixed": ("`{fixed: 45m}`", "Always this duration; the same as writing `45m`."),
    "uniform": (
        "`{uniform: [1d, 10d]}` or `{uniform: {min: 1d, max: 10d}}`",
        "Any duration between the two, all equally likely.",
    ),
    "exponential": (
        "`{exponential: {mean: 2d}}`",
        "Many short and a few long values around this mean (random, memoryless waits).",
    ),
    "lognormal": (
        "`{lognormal: {median: 40m, p90: 70m}}` or `{lognormal: {mean: 40m, sd: 15m}}`",
        "Skewed: half the values are below the median and 9 in 10 below `p90`. "
        "The usual choice for waits and touch times.",
    ),
    "triangular": (
        "`{triangular: [15m, 25m, 35m]}` or `{triangular: {min: 15m, mode: 25m, max: 35m}}`",
        "Between `min` and `max`, most often near `mode`.",
    ),
    "empirical": (
        "`{empirical: [1d, 2d, 7d]}` or `{empirical: {values: [1d, 7d], weights: [3, 1]}}`",
        "One of the observed values, equally likely or by relative weight.",
    ),
}

_FACT_FORMS: Final[Mapping[str, tuple[str, str]]] = {
    "fixed": ("`{fixed: true}`", "Every synthetic case has this value."),
    "bernoulli": ("`{bernoulli: 0.6}`", "True for 60% of cases (for `bool` facts)."),
    "categorical": (
        "`{categorical: {low: 6, medium: 3, high: 1}}`",
        "One of the named values, by relative weight (for `str` facts).",
    ),
    "uniform": (
        "`{uniform: [18, 70]}` or `{uniform: {min: 18, max: 70}}`",
        "Any number between the two, all equally likely.",
    ),
    "randint": (
        "`{randint: [1, 5]}` or `{randint: {min: 1, max: 5}}`",
        "A whole number from the first to the last, inclusive (for `int` facts).",
    ),
    "normal": ("`{normal: {mean: 40, sd: 12}}`", "Bell-shaped around the mean."),
    "empirical": (
        "`{empirical: [a, b, c]}` or `{empirical: {values: [a, b], weights: [3, 1]}}`",
        "One of the listed values, equally likely or by relative weight.",
    ),
}

_GENERIC_DESCRIPTIONS: Final[Mapping[str, str]] = {
    "title": "A name for people to read; shown in summaries and reports.",
    "description": "Free text for people to read.",
}


# ---------------------------------------------------------------------------- text helpers


def slug(heading: str) -> str:
    """The anchor a Markdown renderer (GitHub style) gives a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _link(heading: str, text: str | None = None) -> str:
    """A Markdown link to a heading of this page."""
    return f"[{text or heading.lower()}](#{slug(heading)})"


def _prose(text: str) -> str:
    """Docstring text as Markdown: ``code`` becomes `code`, lines join into paragraphs."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    joined = (" ".join(line.strip() for line in p.splitlines()) for p in paragraphs)
    return "\n\n".join(p.replace("``", "`") for p in joined)


def _cell(text: str) -> str:
    """Text made safe for one Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def _code(value: object) -> str:
    """A JSON value as YAML users would write it, in backticks."""
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    return f"`{value}`"


# ---------------------------------------------------------------------------- types


def _definition_heading(ref: str) -> str:
    """The heading of the section describing ``#/$defs/<name>``."""
    name = ref.rsplit("/", 1)[-1]
    for section in SECTIONS:
        if section.definition == name:
            return section.heading
    raise ValueError(f"no reference section for schema definition {name!r}")


def _without_null(options: Sequence[Schema]) -> list[Schema]:
    """The options of an ``anyOf`` other than ``null`` (null just means 'not given')."""
    return [option for option in options if option.get("type") != "null"]


def _distribution_kinds(options: Sequence[Schema]) -> list[str] | None:
    """The kinds if ``options`` describe a distribution (one-key mappings), else None."""
    kinds = [
        option["required"][0]
        for option in options
        if option.get("type") == "object" and len(option.get("required", ())) == 1
    ]
    others = [option for option in options if option.get("type") != "object"]
    return kinds if kinds and len(kinds) + len(others) == len(options) else None


def _string_type(fragment: Schema) -> str:
    """The name of a string type, by its pattern."""
    pattern = fragment.get("pattern")
    if pattern is None:
        return "text"
    if pattern == IDENTIFIER:
        return _link("Ids", "id")
    if pattern == SLUG:
        return _link("Ids", "slug")
    if pattern == _DURATION_TEXT:
        return _link("Durations", "duration")
    if pattern == _RATE_TEXT:
        return _link("Rates", "rate")
    raise ValueError(f"the reference has no name for strings matching {pattern!r}")


def _number_type(fragment: Schema) -> str:
    """The name of a number type, with its bounds."""
    low, high = fragment.get("minimum"), fragment.get("maximum")
    if fragment["type"] == "number" and (low, high) == (0, 1):
        return "probability, 0 to 1"
    noun = "whole number" if fragment["type"] == "integer" else "number"
    if low is not None and high is not None:
        return f"{noun}, {low} to {high:,}"
    return f"{noun}, at least {low}" if low is not None else noun


def _object_type(fragment: Schema) -> str:
    """The name of a mapping type: its keys and what each key holds."""
    for pattern, value in fragment.get("patternProperties", {}).items():
        key = "id" if pattern == IDENTIFIER else "key"
        return f"map of {key} to {type_name(value)}"
    values = fragment.get("additionalProperties")
    if isinstance(values, Mapping):
        return f"map of text to {type_name(values)}"
    return "mapping"


def _any_of_type(options: Sequence[Schema]) -> str:
    """The name of a choice of types (a distribution, or 'a or b')."""
    present = _without_null(options)
    if _is_duration(present):
        return _link("Durations", "duration")
    kinds = _distribution_kinds(present)
    if kinds is not None and present[0].get("type") == "string":
        return _link("Duration distributions", "duration or distribution")
    if kinds is not None:
        return _link("Fact distributions", "distribution")
    return " or ".join(dict.fromkeys(type_name(option) for option in present))


def _is_duration(options: Sequence[Schema]) -> bool:
    """True for the choice a duration is: duration text, or the number 0."""
    return len(options) == 2 and _string_type(options[0]) == _link("Durations", "duration")


def _at_most(fragment: Schema, noun: str) -> str:
    """`` (at most N items)`` for a list or mapping with a size limit, else ``""``."""
    limit = fragment.get("maxItems", fragment.get("maxProperties"))
    return f" (at most {limit:,} {noun})" if isinstance(limit, int) else ""


def type_name(fragment: Schema) -> str:
    """A short, readable name for the type a schema fragment allows."""
    if "$ref" in fragment:
        heading = _definition_heading(str(fragment["$ref"]))
        return _link(heading, heading.lower().rstrip("s"))
    if "anyOf" in fragment:
        return _any_of_type(fragment["anyOf"])
    if "const" in fragment:
        return _code(fragment["const"])
    if "enum" in fragment:
        return "one of " + ", ".join(_code(value) for value in fragment["enum"])
    kind = fragment.get("type")
    if kind == "string":
        return _string_type(fragment)
    if kind in ("number", "integer"):
        return _number_type(fragment)
    if kind == "boolean":
        return "true/false"
    if kind == "array":
        return f"list of {type_name(fragment.get('items', {}))}{_at_most(fragment, 'items')}"
    if kind == "object":
        return _object_type(fragment) + _at_most(fragment, "entries")
    return "any value"


# ---------------------------------------------------------------------------- tables


def _default(fragment: Schema, required: bool) -> str:
    """The default column: the value used when the key is left out."""
    if required:
        return ""
    if "default" in fragment:
        value = fragment["default"]
        return "none" if value is None else _code(value)
    return "empty" if fragment.get("type") in ("array", "object") else "none"


def _description(key: str, fragment: Schema) -> str:
    """The description column: the schema's text, or what the structure says, and the
    format version that added the key when it is not the first."""
    since = fragment.get("x-since")
    added = f" *Since format {since}* (write `format: {since}`)." if since else ""
    if "description" in fragment:
        return str(fragment["description"]) + added
    return _GENERIC_DESCRIPTIONS.get(key, "") + added


def _rows(definition: Schema) -> Iterator[str]:
    """One table row per key, in the order the schema declares them."""
    required = set(definition.get("required", ()))
    for key, fragment in definition["properties"].items():
        cells = (
            f"`{key}`",
            type_name(fragment),
            "**yes**" if key in required else "no",
            _default(fragment, key in required),
            _description(key, fragment),
        )
        yield "| " + " | ".join(_cell(cell) for cell in cells) + " |"


def _table(definition: Schema) -> str:
    """The key table of one object."""
    header = "| key | type | required | default | description |\n| --- | --- | --- | --- | --- |"
    return "\n".join([header, *_rows(definition)])


def _section(section: Section, schema: Schema) -> str:
    """The reference section of one object: what it is, where it goes, keys, example."""
    definition = schema if section.definition is None else schema["$defs"][section.definition]
    parts = [
        f"## {section.heading}",
        _prose(str(definition.get("description", ""))),
        f"Where: {section.where}.",
        _table(definition),
        "Example:",
        "```yaml\n" + EXAMPLES[section.definition] + "```",
    ]
    return "\n\n".join(part for part in parts if part)


def _check_sections(schema: Schema) -> None:
    """Refuse to run if the schema has an object the reference does not present."""
    covered = {section.definition for section in SECTIONS}
    missing = sorted(set(schema.get("$defs", {})) - covered)
    if missing:
        raise ValueError(f"reference sections missing for schema definitions: {missing}")


# ---------------------------------------------------------------------------- value forms


def _kinds_of(fragment: Schema) -> list[str]:
    """The distribution kinds a property's schema allows."""
    options = fragment["anyOf"]
    if all("anyOf" in option or option.get("type") == "null" for option in options):
        options = next(option["anyOf"] for option in options if "anyOf" in option)
    return _distribution_kinds(_without_null(options)) or []


def _forms_table(kinds: Sequence[str], forms: Mapping[str, tuple[str, str]]) -> str:
    """A table of how each distribution kind is written, in the schema's order."""
    unknown = [kind for kind in kinds if kind not in forms]
    if unknown:
        raise ValueError(f"the reference does not explain distribution kinds {unknown}")
    rows = [f"| `{kind}` | {forms[kind][0]} | {_cell(forms[kind][1])} |" for kind in kinds]
    return "\n".join(["| kind | written as | meaning |", "| --- | --- | --- |", *rows])


def _units_table() -> str:
    """The duration units, grouped by size, from the parser's own table."""
    groups: dict[float, list[str]] = {}
    for unit, minutes in MINUTES_PER_UNIT.items():
        groups.setdefault(minutes, []).append(f"`{unit}`")
    rows = [
        f"| {', '.join(units)} | {_UNIT_NAMES.get(minutes, f'{minutes:g} minutes')} |"
        for minutes, units in sorted(groups.items())
    ]
    return "\n".join(["| unit | means |", "| --- | --- |", *rows])


def _ids_section() -> str:
    return f"""\
### Ids

Ids name calendars, roles, facts, steps, triggers, checkpoints and questions. An id is a
letter, then letters, digits or underscores: `pre_assessment`, `duty_worker`, `plan2`.
Pattern: `{IDENTIFIER}`. Ids are case-sensitive.

The pathway's own `id` is a slug: lower-case letters, digits, `_`, `.` and `-`, starting
with a letter or digit, such as `recovery-hub-2018`. Pattern: `{SLUG}`."""


def _durations_section() -> str:
    return f"""\
### Durations

A duration is a number and a unit, such as `45m`, `2h`, `3d` or `1w`. Combine parts for
mixed units: `1h 45m`, `1d 2h` (spaces are optional). Decimals work: `1.5d`. The number
`0` on its own means no time. A bare number with no unit is an error, so `45` must be
written `45m`.

{_units_table()}

Durations are clock time. `3d` is 72 hours, whatever the calendars say. A step's
calendar can add more waiting on top (the step cannot start until it opens)."""


def _rates_section() -> str:
    return """\
### Rates

An arrival rate is a number, `/` or `per`, and a unit: `3/d` (3 a day), `12/w`,
`0.5 per h`, and since format 2 `170/month` (or `mo`, `months`) and `2015/y` (or `yr`,
`year`, `years`). A year is 365 days and a month a twelfth of it, so `365/y` is `1/d`.
Combine a rate with `arrivals.calendar` so that people arrive only while the service is
open: a rate per hour or shorter is per open hour, a rate per day is per open day, and a
rate per week, month or year is spread over the open time of the week.

An [arrival profile](#arrival-profiles) makes some weekdays, hours or months busier than
others without changing the mean: its weights are divided by their average over the
open time of a week (weekday and hour) and over a 365-day year (month), so a week and a
year still bring the rate's arrivals. Closure days lose their arrivals."""


def _duration_distributions_section(schema: Schema) -> str:
    kinds = _kinds_of(schema["$defs"]["StepSpec"]["properties"]["duration"])
    return f"""\
### Duration distributions

Touch times (`duration`) and waits (`wait`) take a fixed [duration](#durations) or a
distribution. A distribution is a mapping with exactly one key, its kind, and its values
are durations. Live cases do not use these numbers: their times come from the case
system. `pathway show` uses the average; the simulator draws a new value for every case.

{_forms_table(kinds, _DURATION_FORMS)}

In `lognormal`, `median` must be above zero and below `p90`. In `uniform` and
`triangular` the values go from low to high."""


def _fact_distributions_section(schema: Schema) -> str:
    kinds = _kinds_of(schema["$defs"]["FactSpec"]["properties"]["distribution"])
    return f"""\
### Fact distributions

A fact's `distribution` says how a synthetic cohort draws the fact for each simulated
person. Live cases do not use it: their facts come from the case system. The mapping has
exactly one key, its kind. The kind must suit the fact's `type`: `bernoulli` for `bool`,
`categorical` for `str`, `randint` for `int` (`fixed` and `empirical` suit any type).

{_forms_table(kinds, _FACT_FORMS)}

For a `str` fact with `values`, every category of `categorical` must be one of them."""


def _calendar_section() -> str:
    return """\
### Weekly open windows

A calendar's `open` maps days to hours.

- **Days** (the key): a day (`mon`, `tuesday`, `thurs`), a range (`mon-fri`, `fri-mon`),
  a list (`"tue, thu"`), or a group: `weekdays`, `weekends`, `daily` or `every day`.
  Case does not matter. Put a key that contains a comma in quotes.
- **Hours** (the value): one range `"09:30-12:30"`, a list of ranges
  `["09:00-12:30", "13:30-17:00"]` (or the same in one string, separated by commas),
  `"all day"` or `"closed"`. Times are 24-hour `HH:MM`. A range that crosses midnight,
  such as `"22:00-06:00"`, runs into the next day.
- When several keys name the same day, the key naming fewer days wins:
  `{weekdays: "09:00-17:00", wed: closed}` closes Wednesday.

`closures` lists whole days when the calendar is shut, as `"2017-12-25"` or an inclusive
range `"2017-12-24..2018-01-01"` (at most 3660 days). Times are local to the calendar's
`timezone`, or the pathway's if it has none. A calendar that is never open is an error."""


def _yaml_section() -> str:
    limits = DEFAULT_LIMITS
    return f"""\
### YAML

pathway reads a safe subset of YAML 1.2, and is stricter than most YAML readers:

- `true` and `false` are true/false. `yes`, `no`, `on` and `off` are text, so
  `visit: yes` is an error.
- A key written twice in one mapping is an error (most YAML readers keep the last).
- Tags (`!!python/object`, `!custom`) are refused. Anchors (`&name`), aliases
  (`*name`) and merge keys (`<<: *name`) work.
- A file holds one pathway: one YAML document, in UTF-8.
- Limits: at most {limits.max_bytes:,} bytes and {limits.max_depth} levels of nesting;
  at most {limits.max_aliases} aliases, and {limits.max_nodes:,} values brought in by
  aliases (each alias counts as a full copy of what it names)."""


def _limits_section() -> str:
    rows = [
        ("steps", f"{MAX_STEPS:,}"),
        ("transitions", f"{MAX_TRANSITIONS:,}"),
        ("roles", f"{MAX_ROLES:,}"),
        ("calendars", f"{MAX_CALENDARS:,}"),
        ("facts", f"{MAX_FACTS:,}"),
        ("checkpoints", f"{MAX_CHECKPOINTS:,}"),
        ("questions of one checkpoint", f"{MAX_QUESTIONS}"),
        ("routes of one checkpoint", f"{MAX_ROUTES}"),
        ("a role's `capacity`", f"{MAX_CAPACITY:,} workers"),
        ("`collects`, a fact's `values`, `closures`, entries of `open`", f"{MAX_LIST:,} items"),
        ("days one calendar's `closures` close in all", f"{MAX_CLOSED_DAYS:,}"),
        ("`arrivals.at`", f"{MAX_ARRIVAL_TIMES:,} times"),
        ("`arrivals.rate`", f"{MAX_RATE_PER_DAY:,} a day"),
        ("values of an `empirical`, categories of a `categorical`", f"{MAX_VALUES:,}"),
        ("a number in a fact distribution, or a weight", f"{MAX_FACT_NUMBER:g} (either sign)"),
        ("a lognormal's `p90` (or `sd`)", f"{MAX_SPREAD:,} times its `median` (or `mean`)"),
        ("a duration", "100 years"),
        ("a whole number anywhere in the file", f"{MAX_INTEGER:,} (either sign)"),
    ]
    table = "\n".join(f"| {what} | {limit} |" for what, limit in rows)
    return f"""\
### Limits

Every size has a limit, so that whatever validates also loads, shows and simulates in
bounded time and memory. Going over one is an error that names the field and the limit
(`too-many-items`, `out-of-range`, `bad-value` or the value's own code).

| what | at most |
| --- | --- |
{table}"""


def _forms_sections(schema: Schema) -> str:
    parts = [
        "## Values",
        "How the values inside the objects above are written.",
        _ids_section(),
        _durations_section(),
        _rates_section(),
        _duration_distributions_section(schema),
        _fact_distributions_section(schema),
        _calendar_section(),
        _yaml_section(),
        _limits_section(),
        """\
### Expressions

Guards (`when` on a transition), automatic questions (`when` on a question) and routes
(`when` on a route) are expressions such as `needs_prescribing and age >= 18`. See the
[expression reference](expressions.md).""",
    ]
    return "\n\n".join(parts)


# ---------------------------------------------------------------------------- the page


def _introduction() -> str:
    contents = "\n".join(f"- {_link(section.heading)}" for section in SECTIONS)
    values = ", ".join(
        _link(h)
        for h in (
            "Ids",
            "Durations",
            "Rates",
            "Duration distributions",
            "Fact distributions",
            "Weekly open windows",
            "YAML",
            "Limits",
            "Expressions",
        )
    )
    return f"""\
<!-- Generated from the JSON Schema by `{REGENERATE}`. Do not edit by hand. -->

# Pathway file reference

A pathway file is a YAML file that declares one pathway: its calendars, roles, facts,
steps, transitions, checkpoints and, for simulation, arrivals. This page lists every key
the format accepts. It is generated from the format's JSON Schema (`pathway schema`), so
it always matches what `pathway validate` checks.

How to read the tables: **required** keys must be present. Any other key may be left
out; it then takes the **default**. A key the format does not know is an error, and the
message suggests the key you probably meant. New to the format? Start with
[Write a pathway](../how-to/write-a-pathway.md) and [Concepts](../concepts.md).

Objects:

{contents}

Values: {values}.

`pathway validate` checks more than the shape on this page: that every id referred to
is declared, that every step can be reached and can reach an outcome, that
probabilities add up, and more. See [errors and problem codes](errors.md)."""


def markdown_reference() -> str:
    """The whole reference page as Markdown, generated from :func:`json_schema`."""
    schema = json_schema()
    _check_sections(schema)
    parts = [
        _introduction(),
        *(_section(section, schema) for section in SECTIONS),
        _forms_sections(schema),
    ]
    return "\n\n".join(parts) + "\n"


def main() -> None:
    """Print the reference: ``python -m pathway._define._reference > docs/reference/...md``."""
    sys.stdout.write(markdown_reference())


if __name__ == "__main__":
    main()
