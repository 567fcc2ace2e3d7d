"""The pathway file format: pydantic models of exactly what users write in YAML.

These models are the boundary. They check shape and types strictly (no silent coercion:
``version: 1.10`` is an error, not ``"1.1"``), keep every value as the user wrote it (a
duration stays ``"1h 45m"``), and generate the JSON Schema that editors use. Cross
references (a step's role exists, a guard names declared facts...) are checked later by
:mod:`pathway._define._compile`, which turns a valid spec into the frozen runtime model.
"""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Callable, Iterator
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema
from pydantic.fields import FieldInfo

from pathway._model._distributions import (
    DURATION_KINDS,
    FACT_KINDS,
    MINUTES_PER_UNIT,
    RATE_UNITS,
    parse_duration,
    parse_duration_distribution,
    parse_fact_distribution,
    parse_rate,
)
from pathway._vocab import Demand, HandoffLevel, WorkClass
from pathway.errors import did_you_mean

__all__ = [
    "ArrivalsSpec",
    "CalendarSpec",
    "CheckpointSpec",
    "FactSpec",
    "ObservedSpec",
    "PathwaySpec",
    "ProfileSpec",
    "QuestionSpec",
    "ReturnsSpec",
    "RoleSpec",
    "RouteSpec",
    "SettingSpec",
    "SpecValueError",
    "StepSpec",
    "TransitionSpec",
]

FORMAT_VERSION = 2
"""The newest format version. A file without ``format`` is read as version 1; every
version-1 file loads unchanged under version 2, and a key added in version 2 (its field
made with :func:`since`) is an error in a file that says ``format: 1``."""


def since(version: int) -> dict[str, Any]:
    """The ``json_schema_extra`` of a field added in format ``version``: the schema and the
    reference say so, and a file declaring an older format that uses it is refused."""
    return {"x-since": version}


# Sizes a pathway may have. Each keeps what a valid file costs downstream bounded: the
# simulator allocates per worker (capacity), enumerates every combination of a
# checkpoint's answers (2 ** questions), and load and show walk every step and move.
MAX_CAPACITY = 1000
MAX_STEPS = 100_000
MAX_TRANSITIONS = 200_000
MAX_ROLES = 10_000
MAX_CALENDARS = 1000
MAX_FACTS = 1000
MAX_CHECKPOINTS = 1000
MAX_QUESTIONS = 8
MAX_ROUTES = 50
MAX_LIST = 1000
"""The longest ``collects``, ``values`` and ``closures`` lists, and the most entries of a
calendar's ``open`` (and time ranges per entry)."""
MAX_ARRIVAL_TIMES = 100_000
IDENTIFIER = r"^[A-Za-z][A-Za-z0-9_]*$"
SLUG = r"^[a-z0-9][a-z0-9_.-]*$"

DeclaredCause = Literal["handoff", "booking", "referral", "approval", "external", "client"]
DnaApplies = Literal["always", "booked_later"]
Continuity = Literal["prefer", "named"]
FactType = Literal["bool", "int", "float", "str", "list", "mapping"]
PLAN_QUESTIONS = ("proportionate", "legal", "accountable", "necessary")


def _checked(parse: Callable[[object], object]) -> Callable[[Any], Any]:
    """Wrap a parser as a validator that keeps the user's value unchanged."""

    def validate(value: Any) -> Any:
        parse(value)
        return value

    return validate


def _any_case(word: str) -> str:
    """A regular-expression piece matching ``word`` in any case (JSON Schema has no flags)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


_UNIT = "(" + "|".join(_any_case(u) for u in sorted(MINUTES_PER_UNIT, key=len, reverse=True)) + ")"
_DURATION_TEXT = rf"^\s*(0(\.0)?|([0-9]+(\.[0-9]+)?\s*{_UNIT}\s*)+)\s*$"
_DURATION_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "pattern": _DURATION_TEXT},
        {"type": "integer", "const": 0},
    ],
    "description": "A duration: number and unit (s, m, h, d, w), e.g. '45m', '1h 45m', '3d'; "
    "or 0. At most 100 years.",
    "examples": ["45m", "2h", "3d", "1w", "1h 45m"],
}
_RATE_UNIT = "(" + "|".join(_any_case(u) for u in sorted(RATE_UNITS, key=len, reverse=True)) + ")"
_RATE_TEXT = rf"^\s*[0-9]+(\.[0-9]+)?\s*(/|{_any_case('per')})\s*{_RATE_UNIT}\s*$"


def _distribution_schema(kinds: tuple[str, ...], with_duration: bool) -> dict[str, Any]:
    options: list[dict[str, Any]] = [
        {
            "type": "object",
            "properties": {kind: {}},
            "required": [kind],
            "additionalProperties": False,
        }
        for kind in kinds
    ]
    if with_duration:
        options[:0] = _DURATION_SCHEMA["anyOf"]
    return {"anyOf": options, "description": f"A fixed value or one of: {', '.join(kinds)}."}


Duration = Annotated[
    str | int, AfterValidator(_checked(parse_duration)), WithJsonSchema(_DURATION_SCHEMA)
]
DurationDistribution = Annotated[
    str | int | dict[str, Any],
    AfterValidator(_checked(parse_duration_distribution)),
    WithJsonSchema(_distribution_schema(DURATION_KINDS, with_duration=True)),
]
FactDistribution = Annotated[
    dict[str, Any],
    AfterValidator(_checked(parse_fact_distribution)),
    WithJsonSchema(_distribution_schema(FACT_KINDS, with_duration=False)),
]
Rate = Annotated[
    str,
    AfterValidator(_checked(parse_rate)),
    WithJsonSchema({"type": "string", "pattern": _RATE_TEXT}),
]
Identifier = Annotated[str, Field(pattern=IDENTIFIER)]
_SETTING_FIELD = (
    "The setting (place) the case is in: a key of the pathway's 'settings', e.g. 'acute_bed'."
)
Probability = Annotated[float, Field(ge=0, le=1)]


class SpecValueError(ValueError):
    """A value in a pathway file has the right type but cannot be read.

    Carries what the loader needs for a located problem: ``subject`` (what was being
    read), ``expected``, ``found``, ``suggestion`` and the problem ``code``. The message
    is ``expected <expected>, found <found>[; <suggestion>]``.
    """

    def __init__(
        self, subject: str, expected: str, found: str, suggestion: str = "", code: str = ""
    ) -> None:
        self.subject = subject
        self.expected = expected
        self.found = found
        self.suggestion = suggestion
        self.code = code or f"invalid-{subject.replace(' ', '')}"
        hint = f"; {suggestion}" if suggestion else ""
        super().__init__(f"expected {expected}, found {found}{hint}")


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _check_timezone(name: str) -> str:
    """Accept an IANA time zone name; raise SpecValueError (a ValueError) otherwise."""
    if name not in _time_zones() or not _loads_zone(name):
        by_case = {zone.lower(): zone for zone in _time_zones()}
        guess = by_case.get(name.lower()) or did_you_mean(name, _time_zones())
        hint = f"did you mean {guess!r}?" if guess else ""
        raise SpecValueError(
            "time zone",
            "an IANA time zone like 'Europe/London'",
            repr(name),
            hint,
            "invalid-timezone",
        )
    return name


def _loads_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _check_date(value: str | date) -> str | date:
    """Accept a date or an inclusive date range; raise SpecValueError otherwise."""
    for part in str(value).split(".."):
        try:
            date.fromisoformat(part.strip())
        except ValueError:
            raise SpecValueError(
                "date",
                "a date like '2017-12-25' or a range '2017-12-24..2018-01-01'",
                repr(value),
            ) from None
    return value


TimeZoneName = Annotated[str, AfterValidator(_check_timezone)]
ClosureDate = Annotated[str, AfterValidator(_check_date)]


class _Spec(BaseModel):
    """Strict, closed models: unknown keys and coercions are errors."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


class CalendarSpec(_Spec):
    """When something can happen: weekly open windows, closure dates and a time zone."""

    title: str | None = None
    open: dict[str, str | Annotated[list[str], Field(max_length=MAX_LIST)]] = Field(
        max_length=MAX_LIST,
        description="Weekly open windows: day (or range, list, 'weekdays', 'daily') -> "
        "'09:30-12:30', a list of ranges, 'all day' or 'closed'.",
        examples=[{"tue, thu": "09:30-12:30"}, {"mon-fri": ["09:00-12:30", "13:30-17:00"]}],
    )
    closures: list[ClosureDate] = Field(
        default_factory=list,
        max_length=MAX_LIST,
        description="Dates when closed: '2017-12-25' or an inclusive range "
        "'2017-12-24..2018-01-01'.",
    )
    timezone: TimeZoneName | None = Field(
        default=None, description="IANA time zone; defaults to the pathway's time zone."
    )


class RoleSpec(_Spec):
    """Who owns steps: a role within a team within an organisation."""

    title: str | None = None
    team: str = Field(description="The team the role belongs to (hand-offs between teams).")
    organisation: str = Field(description="The organisation the team belongs to.")
    capacity: int = Field(
        default=1, ge=1, le=MAX_CAPACITY, description="Number of workers in this role."
    )
    calendar: Identifier | None = Field(
        default=None, description="Working calendar of the role's workers."
    )
    continuity: Continuity | None = Field(
        default=None,
        json_schema_extra=since(2),
        description=(
            "Who takes a case at this role's next step: 'prefer' (the default) gives it to "
            "the worker who last did a step of the role for the case when they are free, "
            "else to any free worker; 'named' keeps that worker: the case waits for them "
            "(a wait caused by 'continuity'), and live another worker of the role is refused."
        ),
    )
    named_within: Duration | None = Field(
        default=None,
        json_schema_extra=since(2),
        description=(
            "With 'continuity: named': after the case has waited this long at a step "
            "(from the end of the step before), any worker of the role may take it, e.g. '2d'."
        ),
    )


class FactSpec(_Spec):
    """A case attribute that guards and checkpoint questions may read."""

    type: FactType = Field(description="The value's type.")
    description: str | None = None
    values: list[str | int | float | bool] | None = Field(
        default=None,
        max_length=MAX_LIST,
        description="The allowed values, if the fact is an enumeration.",
    )
    distribution: FactDistribution | None = Field(
        default=None, description="How a synthetic cohort draws this fact, e.g. {bernoulli: 0.6}."
    )


_DEMAND_FIELD = (
    "Failure demand of this kind: taking this move is the person coming back "
    "(re_presentation), being referred again (re_referral) or chasing (chase), counted "
    "as failure demand live and in simulation."
)


_ALSO_FIELD = (
    "Concurrent referrals: taking this move also opens, for each step listed, a new case "
    "(a new demand of the same person, with the same facts) starting at that step, while "
    "this case goes on to 'to'. Not on a loop: a person opens one referral per step listed."
)


class ReturnsSpec(_Spec):
    """People coming back after an outcome, as a new demand of the same person."""

    p: Probability = Field(
        description="The chance the person comes back after reaching the outcome."
    )
    after: DurationDistribution = Field(
        description="How long after the outcome they come back, e.g. {exponential: 30d}."
    )
    demand: Demand | Literal["none"] | None = Field(
        default=None,
        description="The kind of failure demand the return is (default re_presentation); "
        "'none' for a new value demand, such as a planned review.",
    )
    same_worker: bool | None = Field(
        default=None,
        description="The person goes back to the worker who last served them, when that "
        "worker is free (default false).",
    )


class StepSpec(_Spec):
    """A unit of work, owned by a role, classified by Vanguard work class."""

    title: str | None = None
    role: Identifier | None = Field(
        default=None, description="The role that owns the step (required unless an outcome)."
    )
    work: WorkClass = Field(
        default="value",
        description="Vanguard work class: value, waste1 (removable), waste2 (designed in), "
        "waste3 (law, regulation, contract).",
    )
    visit: bool = Field(default=False, description="The person must attend (or be visited).")
    duration: DurationDistribution = Field(default=0, description="Touch time.")
    calendar: Identifier | None = Field(
        default=None, description="When the step can happen (e.g. assessment days)."
    )
    collects: list[str] = Field(
        default_factory=list, max_length=MAX_LIST, description="Information gathered at this step."
    )
    requested_by: Literal["service", "client"] | None = Field(
        default=None, description="Who asked for this appointment (for visits)."
    )
    outcome: bool = Field(default=False, description="The journey ends here.")
    description: str | None = None
    setting: Identifier | None = Field(
        default=None,
        description=_SETTING_FIELD + " Time doing the step counts there, and so does the "
        "wait after leaving it unless the move names its own setting.",
        json_schema_extra=since(2),
    )
    returns: ReturnsSpec | None = Field(
        default=None,
        json_schema_extra=since(2),
        description="Outcome steps: people who come back after this outcome, as a new "
        "demand of the same person (overrides the pathway's 'returns').",
    )


class TransitionSpec(_Spec):
    """A move from one step to another on a named trigger."""

    trigger: Identifier = Field(description="The event name that fires this transition.")
    from_: Identifier = Field(alias="from", description="The step the case leaves.")
    to: Identifier = Field(description="The step the case enters.")
    when: str | None = Field(default=None, description="Guard: an expression over facts.")
    p: Probability | None = Field(default=None, description="Branching probability for simulation.")
    wait: DurationDistribution | None = Field(
        default=None, description="The wait before the next step starts."
    )
    cause: DeclaredCause | None = Field(default=None, description="Why the case waits.")
    dna: Probability | None = Field(
        default=None, description="Probability the person does not attend the next visit."
    )
    client_rebooks: Probability | None = Field(
        default=None,
        description=(
            "After a missed visit (dna), the probability that the person contacts the service "
            "to rebook: a failure-demand contact (re_presentation), and the new appointment "
            "is at the client's request. Otherwise the service rebooks (default)."
        ),
    )
    dna_applies: DnaApplies | None = Field(
        default=None,
        description=(
            "When the 'dna' chance applies: to every visit reached by this move ('always', "
            "the default), or only when the person cannot be seen during the visit they are "
            "on and is booked for a later day ('booked_later'), so someone seen on the spot "
            "cannot miss it."
        ),
    )
    rebook_wait: DurationDistribution | None = Field(
        default=None,
        description="The wait for the new appointment after a missed visit (default: 'wait').",
    )
    chase_after: Duration | None = Field(
        default=None, description="The person chases progress (failure demand) after this wait."
    )
    handoff: HandoffLevel | None = Field(
        default=None, description="Override the derived hand-off level of this move."
    )
    title: str | None = None
    setting: Identifier | None = Field(
        default=None,
        description=_SETTING_FIELD + " The wait on this move counts there (default: the "
        "setting of the step the case leaves).",
        json_schema_extra=since(2),
    )
    demand: Demand | None = Field(
        default=None, json_schema_extra=since(2), description=_DEMAND_FIELD
    )
    also: list[Identifier] | None = Field(
        default=None, json_schema_extra=since(2), description=_ALSO_FIELD
    )


class QuestionSpec(_Spec):
    """A checkpoint question: automatic (``when``) or asked of a person (``ask: person``)."""

    text: str | None = Field(default=None, description="The question as a person reads it.")
    when: str | None = Field(default=None, description="Automatic: an expression over facts.")
    ask: Literal["person"] | None = Field(default=None, description="Asked of a person, live.")
    p_yes: Probability | None = Field(
        default=None, description="Simulation: probability a person answers yes."
    )
    persists: bool | None = Field(
        default=None,
        description=(
            "Once the answer is yes for a case at this checkpoint it stays yes (a crisis, "
            "once stabilised, stays stabilised): the simulator does not draw it again, and "
            "the live engine keeps it when the answer is left out and refuses a later no."
        ),
        json_schema_extra=since(2),
    )


class RouteSpec(_Spec):
    """Where a checkpoint sends the case, when its answers satisfy ``when``."""

    when: str = Field(description="An expression over the question names (true/false).")
    to: Identifier = Field(description="The step the case goes to.")
    wait: DurationDistribution | None = None
    cause: DeclaredCause | None = None
    dna: Probability | None = None
    client_rebooks: Probability | None = None
    dna_applies: DnaApplies | None = None
    rebook_wait: DurationDistribution | None = None
    chase_after: Duration | None = None
    setting: Identifier | None = Field(
        default=None,
        description=_SETTING_FIELD + " The wait on this route counts there (default: the "
        "setting of the checkpoint's step).",
        json_schema_extra=since(2),
    )
    demand: Demand | None = Field(
        default=None, json_schema_extra=since(2), description=_DEMAND_FIELD
    )
    also: list[Identifier] | None = Field(
        default=None, json_schema_extra=since(2), description=_ALSO_FIELD
    )


class SettingSpec(_Spec):
    """A place a case can be while it waits or is worked on (an acute bed, home...)."""

    title: str | None = None
    bed_days: bool | None = Field(
        default=None, description="Time here counts as bed days (default false)."
    )
    description: str | None = None


class CheckpointSpec(_Spec):
    """A decision point: named questions and routes per outcome.

    ``framework: PLAN`` supplies the four questions (Proportionate, Legal, Accountable,
    Necessary) and routes by their semantics: ``proceed`` when all are yes,
    ``if_not_legal`` (the action is blocked), ``if_not_necessary`` (do not do it),
    ``if_not_proportionate`` (a lighter or stronger response) and optionally
    ``if_not_accountable`` (defaults to ``if_not_legal``).
    """

    title: str | None = None
    at: Identifier = Field(description="The step where the decision is taken.")
    framework: Literal["PLAN"] | None = None
    questions: dict[Identifier, QuestionSpec] | None = Field(
        default=None, max_length=MAX_QUESTIONS, description="The questions, by id."
    )
    routes: list[RouteSpec] | None = Field(
        default=None,
        max_length=MAX_ROUTES,
        description="Ordered routes; the first whose 'when' holds is taken.",
    )
    otherwise: Identifier | None = Field(default=None, description="Route when none holds.")
    proceed: Identifier | None = Field(default=None, description="PLAN: all answers yes.")
    if_not_legal: Identifier | None = Field(default=None, description="PLAN: Legal is no.")
    if_not_necessary: Identifier | None = Field(default=None, description="PLAN: Necessary no.")
    if_not_proportionate: Identifier | None = Field(
        default=None, description="PLAN: Proportionate is no (lighter/stronger response)."
    )
    if_not_accountable: Identifier | None = Field(
        default=None, description="PLAN: Accountable is no (defaults to if_not_legal)."
    )
    decided_by: Annotated[list[Identifier], Field(min_length=1, max_length=MAX_LIST)] | None = (
        Field(
            default=None,
            description=(
                "The roles whose workers may record the decision (default: the role that "
                "owns the checkpoint's step, which must be among them: its workers make the "
                "simulated decisions)."
            ),
            json_schema_extra=since(2),
        )
    )
    rationale: Literal["required", "optional"] | None = Field(
        default=None,
        description=(
            "'required': every decision names its decision-maker (by=) and records a "
            "rationale. Default: required for PLAN checkpoints (Accountable), optional "
            "for others."
        ),
        json_schema_extra=since(2),
    )
    rounds: Identifier | None = Field(
        default=None,
        description=(
            "A calendar whose open windows are the checkpoint's rounds (a window is cut "
            "at midnight, so an all-day calendar gives one round a day). Reviews happen "
            "only in a round; a case is reviewed at most once a round (the next review "
            "waits for a later round); a review begun in a round and not decided when "
            "it closes lapses, and the case waits for the next round."
        ),
        json_schema_extra=since(2),
    )


class TargetSpec(_Spec):
    """A target for a measure charted by period: the value it should stay at or under."""

    at_most: Duration = Field(description="The measure should be at most this, e.g. '14d'.")
    source: str | None = Field(default=None, description="Where the target comes from.")


Figure = Annotated[
    str | int | float,
    Field(
        description="A number, duration ('11d', '1h 45m'), percentage ('32%'), range "
        "('3-4', '2d to 5d') or bound ('<50%', '>= 3'), in the measure's unit.",
        examples=["3-4", "11d", "32%", "<50%", "1h 45m"],
    ),
]


class ObservedSpec(_Spec):
    """A figure a source reports that the pathway should reproduce: the measure (and how
    it is summarised), the value, and the source."""

    measure: Identifier = Field(
        description="A measure pathway computes: a per-case measure of the report "
        "('end_to_end', 'visits', 'wait_booking'...), 'time_to' (first contact to the "
        "first start of 'step', in days) or a ratio ('dna_rate', 'failure_demand_share', "
        "'chase_share', 'service_requested_share').",
        examples=["end_to_end", "time_to", "visits", "dna_rate"],
    )
    value: Figure
    source: str = Field(description="Where the figure comes from: the source and section.")
    statistic: Literal["mean", "median", "p90", "ucl", "share"] | None = Field(
        default=None,
        description="How a per-case measure is summarised over the cases (default mean): "
        "'ucl' is the XmR upper process limit; 'share' the share of cases 'within' a range. "
        "Not for a ratio.",
    )
    step: Identifier | None = Field(
        default=None, description="For 'time_to': the step whose first start ends the time."
    )
    outcomes: list[Identifier] | None = Field(
        default=None,
        max_length=MAX_LIST,
        description="Only cases that ended at one of these outcome steps (default: every "
        "case that reached an outcome).",
    )
    where: dict[Identifier, Figure] | None = Field(
        default=None,
        max_length=MAX_LIST,
        description="Only cases whose per-case measures lie within these values, e.g. {visits: 1}.",
    )
    within: Figure | None = Field(
        default=None,
        description="For 'statistic: share': the range a case's value must lie in to count.",
    )
    tolerance: str | int | float | None = Field(
        default=None,
        description="How far the model may miss a point value: '15%' of it, '3pp' "
        "(percentage points of a share) or an amount in the measure's unit ('2d', 0.5). "
        "Default 10% for a point value, none for a range or bound.",
    )
    used_as: Literal["calibration", "input", "check", "prediction"] | None = Field(
        default=None,
        description="What the figure is to the model: set from it (calibration), fed in "
        "(input), compared afterwards (check, the default) or predicted untuned (prediction).",
    )
    note: str | None = Field(default=None, description="Anything a reader should know.")


ProfileWeight = Annotated[float, Field(ge=0, le=1_000_000)]


class ProfileSpec(_Spec):
    """Relative weights that make arrivals busier on some weekdays, times of day or
    months; anything not named weighs 1. They redistribute the rate, never add to it."""

    weekday: dict[str, ProfileWeight] | None = Field(
        default=None,
        max_length=MAX_LIST,
        json_schema_extra=since(2),
        description="Weight by day of the week: day keys as in a calendar ('mon', 'mon-fri', "
        "'tue, thu', 'weekdays'); the key naming fewest days decides.",
        examples=[{"thu": 1.4, "fri": 1.1}],
    )
    hour: dict[str | int, ProfileWeight] | None = Field(
        default=None,
        max_length=MAX_LIST,
        json_schema_extra=since(2),
        description="Weight by time of day: an hour (9 is 09:00-10:00), hours '9-12', or a "
        "range '09:30-12:30'; the key covering fewest minutes decides.",
        examples=[{"9-12": 1.5, "12-13": 0.5}],
    )
    month: dict[str, ProfileWeight] | None = Field(
        default=None,
        max_length=MAX_LIST,
        json_schema_extra=since(2),
        description="Weight by month: 'jan' or 'january', ranges 'jun-aug', lists 'jan, feb'.",
        examples=[{"dec-feb": 1.2, "aug": 0.8}],
    )


class ArrivalsSpec(_Spec):
    """How synthetic cases arrive: a Poisson rate within a calendar, or a fixed list."""

    rate: Rate | None = Field(
        default=None, description="Mean arrivals, e.g. '12/d', '40/w', '170/month', '2015/y'."
    )
    calendar: Identifier | None = Field(
        default=None, description="Arrivals happen only while this calendar is open."
    )
    at: list[str] | None = Field(
        default=None,
        max_length=MAX_ARRIVAL_TIMES,
        description="Fixed arrival times, ISO 8601 ('2017-10-03T09:30').",
    )
    profile: ProfileSpec | None = Field(
        default=None,
        json_schema_extra=since(2),
        description="Busier and quieter weekdays, hours and months: relative weights that "
        "spread the rate's arrivals without changing their mean.",
    )


class PathwaySpec(_Spec):
    """A pathway file: identity, calendars, roles, facts, steps, transitions, checkpoints."""

    model_config = ConfigDict(
        title="pathway file",
        json_schema_extra={"$comment": "Generated by `pathway schema`; do not edit by hand."},
    )

    format: Literal[1, 2] = Field(
        default=1,
        description="Format version: 2 for the keys marked 'since format 2'; 1 (the default) "
        "for files written before them, which load unchanged.",
    )
    id: Annotated[str, Field(pattern=SLUG)] = Field(
        description="Stable id, e.g. 'recovery-hub-2017'."
    )
    title: str
    version: str = Field(description="The pathway's version, quoted: '2017.1'.")
    purpose: str | None = Field(default=None, description="Purpose from the person's view.")
    description: str | None = None
    timezone: TimeZoneName = Field(default="UTC", description="IANA time zone of calendars.")
    start: Identifier | None = Field(
        default=None, description="Entry step; defaults to the first step declared."
    )
    same_visit_within: Duration = Field(
        default="1h",
        description="Two visit steps are one attendance when the second starts within this "
        "time of the first ending, with no other step between them.",
    )
    calendars: dict[Identifier, CalendarSpec] = Field(
        default_factory=dict,
        max_length=MAX_CALENDARS,
        description="Named working-time calendars, by id.",
    )
    roles: dict[Identifier, RoleSpec] = Field(
        default_factory=dict, max_length=MAX_ROLES, description="Roles that own steps, by id."
    )
    facts: dict[Identifier, FactSpec] = Field(
        default_factory=dict,
        max_length=MAX_FACTS,
        description="Case attributes guards and questions may read.",
    )
    steps: dict[Identifier, StepSpec] = Field(
        max_length=MAX_STEPS,
        description="The units of work, by id; the first is the start unless 'start' says.",
    )
    transitions: list[TransitionSpec] = Field(
        default_factory=list,
        max_length=MAX_TRANSITIONS,
        description="Moves between steps, in order of preference.",
    )
    checkpoints: dict[Identifier, CheckpointSpec] = Field(
        default_factory=dict, max_length=MAX_CHECKPOINTS, description="Decision points, by id."
    )
    arrivals: ArrivalsSpec | None = Field(
        default=None, description="How synthetic cases arrive (simulation only)."
    )
    settings: dict[Identifier, SettingSpec] | None = Field(
        default=None,
        max_length=MAX_ROLES,
        description="Settings (places) a case can be in, by id, e.g. 'acute_bed: {title: "
        "Acute hospital bed, bed_days: true}': steps and moves name them with 'setting', "
        "and reports and diffs measure the time in each (bed days for those that count).",
        json_schema_extra=since(2),
    )
    returns: ReturnsSpec | None = Field(
        default=None,
        json_schema_extra=since(2),
        description="People who come back after any outcome without 'returns' of its own, "
        "as a new demand of the same person (simulation; live, Case.returning).",
    )
    targets: dict[Identifier, TargetSpec] | None = Field(
        default=None,
        description=(
            "Targets for the measures the report charts by period ('end_to_end' and "
            "'fragmentation', in days): the report says whether the system will meet each "
            "consistently, never, or hit and miss (Making Data Count assurance)."
        ),
    )
    observed: list[ObservedSpec] | None = Field(
        default=None,
        max_length=MAX_LIST,
        description="Figures the sources report that this pathway should reproduce: "
        "'report --simulate' and 'simulate' print the model's beside each.",
        json_schema_extra=since(2),
    )


def _spec_classes(root: type[BaseModel]) -> Iterator[type[BaseModel]]:
    for child in root.__subclasses__():
        yield child
        yield from _spec_classes(child)


def field_since(field: FieldInfo) -> int:
    """The format version that added ``field`` (1 for the fields of the first format)."""
    extra = field.json_schema_extra
    version = extra.get("x-since") if isinstance(extra, dict) else None
    return version if isinstance(version, int) else 1


def keys_since(version: int) -> frozenset[str]:
    """The names of every field, in any object of the format, added in ``version`` or later."""
    return frozenset(
        name
        for model in _spec_classes(_Spec)
        for name, field in model.model_fields.items()
        if field_since(field) >= version
    )
