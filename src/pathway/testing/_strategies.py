"""Hypothesis strategies for pathways, facts, journeys, journals and invalid commands.

Everything is built from small integer and boolean choices, in an order chosen so that
hypothesis shrinks towards the simplest example: the fewest steps (a straight chain, one
outcome, one role), no calendars, guards or checkpoints unless they matter, and the
shortest journey that still fails.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import Any, TypeVar

import attrs
from hypothesis import assume
from hypothesis import strategies as st

from pathway._define._load import dump, load
from pathway._define._spec import PLAN_QUESTIONS, PathwaySpec
from pathway._journal._events import Event
from pathway._model._pathway import Pathway
from pathway.testing._invalid import INVALID_CODES, InvalidTrigger, build_invalid
from pathway.testing._journeys import Choices, Journey, build_journey, draw_facts, pick

__all__ = [
    "DrawChoices",
    "events",
    "facts",
    "invalid_triggers",
    "journeys",
    "pathway_texts",
    "pathways",
]

Data = dict[str, Any]
T = TypeVar("T")

TRIGGERS = ("next", "refer", "book", "close", "escalate")
WORK = ("value", "waste1", "waste2", "waste3")
TIMEZONES = ("UTC", "Europe/London")
SAME_VISIT = ("1h", "30m", "2h")
NAMED_WITHIN = ("2d", "4h", "1w")
CALENDARS: tuple[Mapping[str, str | list[str]], ...] = (
    {"mon-fri": "09:00-17:00"},
    {"daily": "all day"},
    {"tue, thu": "09:30-12:30"},
    {"weekdays": ["09:00-12:30", "13:30-17:00"], "wed": "closed"},
    {"sat": "22:00-02:00"},
)
CLOSURES = (["2024-01-02"], ["2024-01-08..2024-01-10", "2024-12-25"])
DURATIONS: tuple[object, ...] = (
    0,
    "30m",
    {"uniform": ["15m", "1h"]},
    {"lognormal": {"median": "40m", "p90": "70m"}},
    {"triangular": ["10m", "20m", "1h"]},
    {"empirical": ["10m", "20m"]},
)
WAITS: tuple[object, ...] = (
    None,
    "2h",
    "2d",
    {"uniform": ["1d", "3d"]},
    {"exponential": {"mean": "2d"}},
)
RATES = ("5/d", "40/w", "0.5/h", "2015/y", "170/month")
RATES_SINCE_2 = frozenset({"2015/y", "170/month"})
WEIGHTS = (1.0, 1.4, 0.5, 2, 0.8)
PROFILE_KEYS: Mapping[str, tuple[str | int, ...]] = {
    "weekday": ("thu", "mon-wed", "fri", "weekends"),
    "hour": ("9-12", 14, "16:30-18:00", "22:00-02:00"),
    "month": ("dec", "jan-feb", "jul, aug"),
}
CAUSES = ("handoff", "booking", "referral", "approval", "external", "client")
#: Observed figures the strategies choose from (``step`` and ``outcomes`` are added).
OBSERVED: tuple[dict[str, Any], ...] = (
    {"measure": "end_to_end", "value": "2d", "source": "generated"},
    {"measure": "end_to_end", "statistic": "median", "value": "1d-5d", "tolerance": "1d",
     "source": "generated", "used_as": "prediction"},
    {"measure": "visits", "statistic": "share", "within": 1, "value": "<50%",
     "source": "generated", "note": "a share of cases"},
    {"measure": "time_to", "statistic": "ucl", "value": 3, "tolerance": "15%",
     "source": "generated", "used_as": "calibration"},
    {"measure": "dna_rate", "value": "20%-40%", "source": "generated", "used_as": "input"},
    {"measure": "handoffs", "statistic": "p90", "value": ">= 1", "source": "generated",
     "where": {"visits": ">=1"}},
)  # fmt: skip
FACT_KINDS = ("bool", "int", "str", "float")
FACT_PREFIX = {"bool": "flag", "int": "count", "str": "level", "float": "score"}
LEVELS = ["low", "medium", "high"]


# ------------------------------------------------------------------------ choices


@attrs.define
class DrawChoices:
    """:class:`Choices` from hypothesis's ``draw``: every choice shrinks to the simplest."""

    draw: st.DrawFn

    def integer(self, low: int, high: int) -> int:
        """An integer in ``[low, high]``; shrinks towards ``low``. No choice is made
        when there is only one value, so commands stay short enough to delete whole."""
        return low if low == high else self.draw(st.integers(low, high))

    def boolean(self) -> bool:
        """True or false; shrinks towards false."""
        return self.draw(st.booleans())

    def more(self) -> bool:
        """Go on seven times in eight; shrinks towards stopping."""
        return self.draw(st.integers(0, 7)) != 0

    def group(self, build: Callable[[Choices], T]) -> T:
        """``build`` drawn as one strategy, so its choices form one span."""
        return self.draw(_grouped(build))


# -------------------------------------------------------------------------- pathways


@attrs.frozen
class _Options:
    """What :func:`pathways` was asked for."""

    min_steps: int
    max_steps: int
    checkpoints: bool
    calendars: bool
    guards: bool
    visits: bool
    returns: bool = True
    checkpoint_rules: bool = False


@attrs.define
class _Draft:
    """A pathway being built, as the mapping a YAML file would hold."""

    choices: Choices
    options: _Options
    calendars: Data = attrs.Factory(dict)
    roles: Data = attrs.Factory(dict)
    facts: Data = attrs.Factory(dict)
    steps: Data = attrs.Factory(dict)
    transitions: list[Data] = attrs.Factory(list)
    checkpoints: Data = attrs.Factory(dict)
    format: int = 1  # 2 once a key of format 2 is drawn


def pathways(
    min_steps: int = 2,
    max_steps: int = 8,
    *,
    checkpoints: bool = True,
    calendars: bool = True,
    guards: bool = True,
    visits: bool = True,
    returns: bool = True,
    checkpoint_rules: bool = False,
) -> st.SearchStrategy[PathwaySpec]:
    """Valid pathway definitions (:class:`~pathway._define._spec.PathwaySpec`) that
    :func:`pathway.load` compiles without error.

    Between ``min_steps`` and ``max_steps`` steps (at least one outcome), roles in teams
    and organisations, and, where enabled, calendars with closures, facts with
    distributions and guards over them, PLAN and generic checkpoints, and visits with
    DNA probabilities; where ``returns`` is enabled, moves back that are failure demand,
    people coming back after an outcome and moves that open concurrent referrals
    (``also``; format 2). With ``checkpoint_rules``,
    checkpoints also carry the format-2 rules (``decided_by``, ``rationale``, ``rounds``
    on the step's or role's calendar, questions that ``persists``); off by default, since
    a journey that ignores them is refused. Every step is reachable and has a way to an
    outcome. Shrinks towards a straight chain of ``min_steps`` steps with one role.
    """
    if not 2 <= min_steps <= max_steps:
        raise ValueError(f"need 2 <= min_steps <= max_steps, found {min_steps}, {max_steps}")
    options = _Options(
        min_steps, max_steps, checkpoints, calendars, guards, visits, returns, checkpoint_rules
    )
    return _specs(options)


def pathway_texts(
    min_steps: int = 2,
    max_steps: int = 8,
    *,
    checkpoints: bool = True,
    calendars: bool = True,
    guards: bool = True,
    visits: bool = True,
) -> st.SearchStrategy[str]:
    """The YAML text (by :func:`pathway.dump`) of :func:`pathways`' definitions."""
    specs = pathways(
        min_steps,
        max_steps,
        checkpoints=checkpoints,
        calendars=calendars,
        guards=guards,
        visits=visits,
    )
    return specs.map(dump)


def build_spec(choices: Choices, options: _Options) -> PathwaySpec:
    """Build a valid pathway definition from ``choices``."""
    count = choices.integer(options.min_steps, options.max_steps)
    outcomes = choices.integer(1, max(1, count // 3))
    draft = _Draft(choices, options)
    if options.calendars:
        _add_calendars(draft)
    _add_roles(draft)
    if options.guards:
        _add_facts(draft)
    _add_steps(draft, count, count - outcomes)
    _add_moves(draft, count, count - outcomes)
    document = _document(draft)
    if options.returns:
        _add_failure_demand(draft, document)
        _add_referrals(draft, document)
    return PathwaySpec.model_validate(document)


def _add_referrals(draft: _Draft, document: Data) -> None:
    """Sometimes (format 2): a move into an outcome also opens concurrent referrals at
    working steps that cannot lead back to the move's step (so it is on no loop)."""
    choices = draft.choices
    into_outcome = [t for t in draft.transitions if draft.steps[t["to"]].get("outcome")]
    if not into_outcome or choices.integer(0, 3) != 3:
        return
    transition = pick(choices, into_outcome)
    edges: dict[str, set[str]] = {}
    for t in draft.transitions:
        edges.setdefault(t["from"], set()).add(t["to"])
    for checkpoint in draft.checkpoints.values():
        edges.setdefault(checkpoint["at"], set()).update(_route_targets(checkpoint))
    working = [name for name, step in draft.steps.items() if not step.get("outcome")]
    safe = [name for name in working if transition["from"] not in _reachable(name, edges)]
    if not safe:
        return
    transition["also"] = safe[: choices.integer(1, min(3, len(safe)))]
    document["format"] = 2


def _route_targets(checkpoint: Data) -> set[str]:
    """Every step a drafted checkpoint can send a case to."""
    targets = {route["to"] for route in checkpoint.get("routes", ())}
    targets.update(checkpoint[key] for key in _ROUTE_KEYS if key in checkpoint)
    return targets


_ROUTE_KEYS = (
    "otherwise",
    "proceed",
    "if_not_legal",
    "if_not_necessary",
    "if_not_proportionate",
    "if_not_accountable",
)


def _reachable(origin: str, edges: Mapping[str, set[str]]) -> set[str]:
    """The steps ``origin`` leads to, itself included."""
    seen, frontier = {origin}, [origin]
    while frontier:
        for nxt in edges.get(frontier.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return seen


def _add_failure_demand(draft: _Draft, document: Data) -> None:
    """Sometimes (format 2): moves back marked as failure demand, and people coming back
    after an outcome (on one outcome step, or for every outcome)."""
    choices = draft.choices
    if choices.integer(0, 3) != 3:
        return
    document["format"] = 2
    for transition in draft.transitions:
        back = int(transition["to"][1:]) <= int(transition["from"][1:])
        if back and choices.boolean():
            transition["demand"] = pick(choices, ("re_presentation", "re_referral"))
    returns: Data = {"p": pick(choices, (0.2, 0.5)), "after": pick(choices, ("2w", "3d"))}
    if choices.boolean():
        returns["demand"] = pick(choices, ("re_referral", "none"))
    if choices.boolean():
        returns["same_worker"] = True
    outcomes = [name for name, step in draft.steps.items() if step.get("outcome")]
    if choices.boolean():
        draft.steps[pick(choices, outcomes)]["returns"] = returns
    else:
        document["returns"] = returns


def _document(draft: _Draft) -> Data:
    choices = draft.choices
    document: Data = {
        "id": "generated",
        "title": "Generated pathway",
        "version": "1",
        "timezone": pick(choices, TIMEZONES),
        "same_visit_within": pick(choices, SAME_VISIT),
        "calendars": draft.calendars,
        "roles": draft.roles,
        "facts": draft.facts,
        "steps": draft.steps,
        "transitions": draft.transitions,
        "checkpoints": draft.checkpoints,
    }
    if draft.format > 1:
        document["format"] = draft.format
    if any(_RULE_KEYS & set(c) for c in draft.checkpoints.values()) or any(
        "persists" in q for c in draft.checkpoints.values() for q in c.get("questions", {}).values()
    ):
        document["format"] = 2
    if choices.boolean():
        arrivals: Data = {"rate": pick(choices, RATES)}
        if draft.calendars and choices.boolean():
            arrivals["calendar"] = pick(choices, list(draft.calendars))
        if choices.boolean():
            arrivals["profile"] = _arrival_profile(choices)
        document["arrivals"] = arrivals
        if arrivals["rate"] in RATES_SINCE_2 or "profile" in arrivals:
            document["format"] = 2
    if choices.boolean():
        document["format"] = 2
        document["observed"] = _observed(draft)
    _add_settings(draft, document)
    return document


def _observed(draft: _Draft) -> list[Data]:
    """One to three observed figures (format 2) over the draft's steps and outcomes."""
    choices = draft.choices
    outcomes = [name for name, step in draft.steps.items() if step.get("outcome")]
    working = [name for name in draft.steps if name not in outcomes]
    figures: list[Data] = []
    for _ in range(choices.integer(1, 3)):
        figure = dict(pick(choices, OBSERVED))
        if figure["measure"] == "time_to":
            figure["step"] = pick(choices, working)
        if choices.boolean():
            figure["outcomes"] = outcomes[: choices.integer(1, len(outcomes))]
        figures.append(figure)
    return figures


def _arrival_profile(choices: Choices) -> Data:
    """An ``arrivals.profile`` (format 2): weights by weekday, time of day and month,
    each present or not, every weight above zero so that some open time has arrivals."""
    profile: Data = {}
    for name, keys in PROFILE_KEYS.items():
        if choices.boolean():
            count = choices.integer(1, len(keys))
            profile[name] = {key: pick(choices, WEIGHTS) for key in keys[:count]}
    return profile or {"weekday": {"thu": 1.4}}


SETTINGS: Data = {"bed": {"title": "Hospital bed", "bed_days": True}, "home": {}}


def _add_settings(draft: _Draft, document: Data) -> None:
    """Sometimes (format 2) declare settings and place some steps and moves in them."""
    choices = draft.choices
    if not choices.boolean():
        return
    document["format"] = 2
    document["settings"] = {k: dict(v) for k, v in SETTINGS.items()}
    for step in draft.steps.values():
        if not step.get("outcome") and choices.boolean():
            step["setting"] = pick(choices, list(SETTINGS))
    for move in draft.transitions:
        if choices.boolean():
            move["setting"] = pick(choices, list(SETTINGS))


def _add_calendars(draft: _Draft) -> None:
    for index in range(draft.choices.integer(0, 2)):
        calendar: Data = {"open": dict(pick(draft.choices, CALENDARS))}
        if draft.choices.boolean():
            calendar["closures"] = list(pick(draft.choices, CLOSURES))
        draft.calendars[f"cal{index}"] = calendar


def _optional(choices: Choices, names: list[str]) -> str | None:
    """``None`` (the simplest) or one of ``names``."""
    index = choices.integer(0, len(names)) if names else 0
    return names[index - 1] if index else None


def _add_roles(draft: _Draft) -> None:
    choices = draft.choices
    for index in range(choices.integer(1, 3)):
        organisation = f"org{choices.integer(0, 1)}"
        role: Data = {
            "team": f"{organisation}_team{choices.integer(0, 1)}",
            "organisation": organisation,
            "capacity": choices.integer(1, 3),
        }
        calendar = _optional(choices, list(draft.calendars))
        if calendar is not None:
            role["calendar"] = calendar
        _add_continuity(draft, role)
        draft.roles[f"role{index}"] = role


def _add_continuity(draft: _Draft, role: Data) -> None:
    """Maybe a continuity policy (format 2): 'prefer', or 'named' with or without a limit."""
    choices = draft.choices
    policy = choices.integer(0, 3)  # none (the simplest), prefer, named, named within
    if policy == 0:
        return
    draft.format = 2
    role["continuity"] = "prefer" if policy == 1 else "named"
    if policy == 3:
        role["named_within"] = pick(choices, NAMED_WITHIN)


def _add_facts(draft: _Draft) -> None:
    choices = draft.choices
    for index in range(choices.integer(0, 3)):
        kind = pick(choices, FACT_KINDS)
        fact: Data = {"type": kind}
        if kind == "str" and choices.boolean():
            fact["values"] = list(LEVELS)
        if choices.boolean():
            fact["distribution"] = _fact_distribution(kind, choices)
        draft.facts[f"{FACT_PREFIX[kind]}{index}"] = fact


def _fact_distribution(kind: str, choices: Choices) -> Data:
    if kind == "bool":
        return {"bernoulli": pick(choices, (0.5, 0.2, 0.9))}
    if kind == "int":
        return {"randint": [0, 10]}
    if kind == "str":
        return {"categorical": {"low": 2, "high": 1}}
    if choices.boolean():
        return {"normal": {"mean": 0.5, "sd": 0.1}}
    return {"uniform": [0.0, 1.0]}


def _add_steps(draft: _Draft, count: int, working: int) -> None:
    choices = draft.choices
    for index in range(count):
        if index >= working:
            draft.steps[f"s{index}"] = {"outcome": True}
            continue
        step: Data = {"role": pick(choices, list(draft.roles))}
        work = pick(choices, WORK)
        if work != "value":
            step["work"] = work
        if draft.options.visits and choices.boolean():
            step["visit"] = True
        duration = pick(choices, DURATIONS)
        if duration != 0:
            step["duration"] = duration
        calendar = _optional(choices, list(draft.calendars))
        if calendar is not None:
            step["calendar"] = calendar
        if choices.boolean():
            step["collects"] = ["history", "address"][: choices.integer(1, 2)]
        draft.steps[f"s{index}"] = step


# ----------------------------------------------------------------- transitions


def _add_moves(draft: _Draft, count: int, working: int) -> None:
    """Transitions and checkpoints: every working step gets a forward move (so every
    step can reach an outcome), every later step an entry from an earlier one (so every
    step is reachable), then a few extra moves, loops included."""
    choices = draft.choices
    forward = {i: i + 1 + choices.integer(0, count - i - 2) for i in range(working)}
    entered = set(forward.values())
    entries = []
    for j in range(1, count):
        if j not in entered:
            low = min(j, working) - 1
            entries.append((low - choices.integer(0, low), j))
    extras = []
    for _ in range(choices.integer(0, count)):
        source = choices.integer(0, working - 1)
        extras.append((source, (source + 1 + choices.integer(0, count - 1)) % count))
    for i, target in forward.items():
        if draft.options.checkpoints and choices.boolean():
            _add_checkpoint(draft, i, target, count)
        else:
            _add_transition(draft, i, target, guarded=False)
    for source, target in [*entries, *extras]:
        _add_transition(draft, source, target)
    _add_weights(draft)


def _add_transition(draft: _Draft, source: int, target: int, *, guarded: bool = True) -> None:
    choices = draft.choices
    trigger = pick(choices, TRIGGERS)
    key = (f"s{source}", f"s{target}")
    if any((t["from"], t["to"], t["trigger"]) == (*key, trigger) for t in draft.transitions):
        trigger = f"{trigger}_{len(draft.transitions)}"
    transition: Data = {"trigger": trigger, "from": key[0], "to": key[1]}
    if guarded and draft.facts and choices.boolean():
        transition["when"] = _guard(draft)
    transition.update(_movement(draft, key[1]))
    if choices.integer(0, 7) == 7:
        transition["handoff"] = pick(choices, ("none", "team", "organisation"))
    draft.transitions.append(transition)


def _movement(draft: _Draft, target: str) -> Data:
    """Optional wait, cause, DNA probability and chase threshold of a move."""
    choices = draft.choices
    movement: Data = {}
    wait = pick(choices, WAITS)
    if wait is not None:
        movement["wait"] = wait
        movement["cause"] = pick(choices, CAUSES)
        if choices.boolean():
            movement["chase_after"] = "1w"
    if draft.steps[target].get("visit") and choices.boolean():
        movement["dna"] = pick(choices, (0.3, 0.1))
        if choices.boolean():
            movement["dna_applies"] = pick(choices, ("always", "booked_later"))
        if choices.boolean():
            movement["rebook_wait"] = pick(choices, ("1d", "2h"))
    return movement


def _add_weights(draft: _Draft) -> None:
    """Branching probabilities: none, all but the last, or all summing to one."""
    by_source: dict[str, list[Data]] = {}
    for transition in draft.transitions:
        by_source.setdefault(transition["from"], []).append(transition)
    for group in by_source.values():
        mode = draft.choices.integer(0, 2)
        if mode == 0:
            continue
        share = round(1 / (len(group) + 1), 2)
        for transition in group[:-1]:
            transition["p"] = share
        if mode == 2:
            group[-1]["p"] = round(1 - share * (len(group) - 1), 6)


# -------------------------------------------------------------------------- guards


def _guard(draft: _Draft) -> str:
    """A guard over the declared facts: one comparison, or two joined by and/or."""
    choices = draft.choices
    text = _comparison(draft)
    if choices.boolean():
        text = f"{text} {pick(choices, ('and', 'or'))} {_comparison(draft)}"
    return text


def _comparison(draft: _Draft) -> str:
    choices = draft.choices
    name = pick(choices, list(draft.facts))
    kind = draft.facts[name]["type"]
    form = choices.integer(0, 2)
    if kind == "bool":
        return name if form == 0 else f"not {name}"
    if kind == "int":
        bound = choices.integer(0, 10)
        return f"{name} {('>=', '<', '==')[form]} {bound}"
    if kind == "str":
        return (f"{name} == 'low'", f"{name} != 'high'", f"{name} in ['low', 'medium']")[form]
    return (f"{name} > 0.5", f"{name} <= 0.25", f"{name} < 1.0")[form]


def _question(draft: _Draft) -> Data:
    """A question asked of a person, or (with facts) answered automatically."""
    if draft.facts and draft.choices.boolean():
        return {"when": _guard(draft)}
    return {"ask": "person"}


# ----------------------------------------------------------------------- checkpoints


def _add_checkpoint(draft: _Draft, at: int, forward: int, count: int) -> None:
    name = f"check{len(draft.checkpoints)}"
    if draft.choices.boolean():
        draft.checkpoints[name] = _plan_checkpoint(draft, at, forward, count)
    else:
        draft.checkpoints[name] = _generic_checkpoint(draft, at, forward, count)
    if draft.options.checkpoint_rules and draft.choices.boolean():
        _add_rules(draft, draft.checkpoints[name])


_RULE_KEYS = frozenset({"decided_by", "rationale", "rounds"})


def _add_rules(draft: _Draft, checkpoint: Data) -> None:
    """Checkpoint rules (format 2): deciders (the owner first), a rationale rule, rounds
    on a calendar the step already keeps (so the simulator can always start it), and
    persisting questions."""
    choices = draft.choices
    step = draft.steps[checkpoint["at"]]
    owner = step["role"]
    others = [role for role in draft.roles if role != owner]
    if choices.boolean():
        checkpoint["decided_by"] = [owner, *others[: choices.integer(0, len(others))]]
    if "framework" not in checkpoint and choices.boolean():
        checkpoint["rationale"] = pick(choices, ["required", "optional"])
    calendar = step.get("calendar") or draft.roles[owner].get("calendar")
    if calendar is not None and choices.boolean():
        checkpoint["rounds"] = calendar
    for question in checkpoint.get("questions", {}).values():
        if choices.boolean():
            question["persists"] = True


def _route_target(draft: _Draft, forward: int, count: int) -> str:
    """A route's step: the forward step (the simplest) or any other, loops included."""
    return f"s{(forward + draft.choices.integer(0, count - 1)) % count}"


def _plan_checkpoint(draft: _Draft, at: int, forward: int, count: int) -> Data:
    choices = draft.choices
    checkpoint: Data = {"at": f"s{at}", "framework": "PLAN", "proceed": f"s{forward}"}
    for field in ("if_not_legal", "if_not_necessary", "if_not_proportionate"):
        checkpoint[field] = _route_target(draft, forward, count)
    if choices.boolean():
        checkpoint["if_not_accountable"] = _route_target(draft, forward, count)
    if choices.boolean():
        checkpoint["questions"] = {name: _question(draft) for name in PLAN_QUESTIONS}
    return checkpoint


def _generic_checkpoint(draft: _Draft, at: int, forward: int, count: int) -> Data:
    choices = draft.choices
    names = [f"q{index}" for index in range(choices.integer(1, 3))]
    routes = []
    for _ in range(choices.integer(0, 2)):
        route: Data = {"when": _answer_condition(choices, names)}
        route["to"] = _route_target(draft, forward, count)
        route.update(_movement(draft, route["to"]))
        routes.append(route)
    return {
        "at": f"s{at}",
        "questions": {name: _question(draft) for name in names},
        "routes": routes,
        "otherwise": f"s{forward}",
    }


def _answer_condition(choices: Choices, names: list[str]) -> str:
    first = pick(choices, names)
    form = choices.integer(0, 3)
    second = pick(choices, names) if form >= 2 else ""
    return (first, f"not {first}", f"{first} and {second}", f"{first} or not {second}")[form]


# ----------------------------------------------------------- facts, journeys, events


def _compiled(pathway: Pathway | PathwaySpec) -> Pathway:
    return pathway if isinstance(pathway, Pathway) else load(pathway)


def facts(pathway: Pathway | PathwaySpec) -> st.SearchStrategy[dict[str, Any]]:
    """Valid fact sets for ``pathway``: a value of the declared type (and allowed values)
    for every declared fact, favouring the values its guards compare with."""
    compiled = _compiled(pathway)
    return _facts(compiled)


def journeys(
    pathway: Pathway | PathwaySpec,
    *,
    max_steps: int = 20,
    case_id: str = "case-1",
    start: datetime | None = None,
) -> st.SearchStrategy[Journey]:
    """Valid journeys through ``pathway``: facts, a start time, then up to ``max_steps``
    commands at non-decreasing times, each valid when it is made.

    Fired triggers have guards that hold over the facts; fire, begin and decide happen
    while the step's calendar is open; workers are in the owner role; decisions answer
    every question asked of a person, with a decision-maker and a rationale; missed
    visits only before a visit step begins. A journey may stop before an outcome. It
    shrinks towards fewer, earlier commands taking the first valid move.
    """
    compiled = _compiled(pathway)
    return _journeys(compiled, max_steps, case_id, start)


def events(
    pathway: Pathway | PathwaySpec, *, max_steps: int = 20
) -> st.SearchStrategy[tuple[Event, ...]]:
    """Journals: the events of a :func:`journeys` journey run on the live engine."""
    return journeys(pathway, max_steps=max_steps).map(lambda journey: tuple(journey.run().journal))


def invalid_triggers(
    pathway: Pathway | PathwaySpec,
    *,
    max_steps: int = 10,
    kinds: Collection[str] = INVALID_CODES,
) -> st.SearchStrategy[InvalidTrigger]:
    """A case state (a valid journey) and a command the engine must reject there: an
    unknown trigger, one not possible from this step, one whose guards are all false, a
    worker in the wrong role, a closed calendar, time going backwards, a checkpoint
    fired as a trigger, a move after the outcome, a step begun twice, a step begun by
    another worker than the case's named worker, a missed visit that is not one, or an
    incomplete or misplaced checkpoint decision.

    ``reason`` is one of the ``kinds`` codes: unknown-trigger, wrong-step, guard-false,
    wrong-role, calendar-closed, time-backwards, checkpoint-fired, finished,
    begun-twice, not-named-worker, not-waiting-visit, missing-answer, unknown-question,
    unaccountable, wrong-checkpoint. Journeys ending where none of ``kinds`` applies are rejected.
    """
    compiled = _compiled(pathway)
    unknown = set(kinds) - INVALID_CODES
    if unknown:
        expected = ", ".join(sorted(INVALID_CODES))
        raise ValueError(f"unknown kinds {sorted(unknown)}; expected some of {expected}")

    return _invalid(compiled, max_steps, frozenset(kinds))


# ---------------------------------------------------------------------- composites


@st.composite
def _specs(draw: st.DrawFn, options: _Options) -> PathwaySpec:
    return build_spec(DrawChoices(draw), options)


@st.composite
def _facts(draw: st.DrawFn, pathway: Pathway) -> dict[str, Any]:
    return draw_facts(pathway, DrawChoices(draw))


@st.composite
def _journeys(
    draw: st.DrawFn, pathway: Pathway, max_steps: int, case_id: str, start: datetime | None
) -> Journey:
    choices = DrawChoices(draw)
    return build_journey(pathway, choices, max_steps=max_steps, case_id=case_id, start=start)


@st.composite
def _invalid(
    draw: st.DrawFn, pathway: Pathway, max_steps: int, kinds: frozenset[str]
) -> InvalidTrigger:
    choices = DrawChoices(draw)
    journey = build_journey(pathway, choices, max_steps=max_steps)
    found = build_invalid(journey, choices, kinds)
    assume(found is not None)
    assert found is not None
    return found


@st.composite
def _grouped(draw: st.DrawFn, build: Callable[[Choices], T]) -> T:
    return build(DrawChoices(draw))
