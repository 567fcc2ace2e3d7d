"""Journeys: valid command sequences through a compiled pathway, built from small choices.

A journey is what a case system does to one case: start it with some facts, then fire
triggers, begin steps, record missed visits and decide checkpoints, each at a time no
earlier than the last. :func:`build_journey` builds one from a source of small integer
choices (:class:`Choices`): hypothesis's ``draw`` in the strategies (so journeys shrink
to the shortest failing one), a seeded :class:`random.Random` in smoke runs.

Which commands are valid is worked out from the compiled model alone (guards over the
facts, step calendars, owner roles, checkpoint questions), never by asking the engine,
so running a journey through the engine tests the engine against the model.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar, overload

import attrs
import hypothesis

from pathway._engine._case import Case
from pathway._engine._types import Worker
from pathway._model._distributions import Categorical, Empirical, FixedValue, RandInt, Uniform
from pathway._model._expr import Constant, Expression, Node
from pathway._model._pathway import Checkpoint, Fact, Pathway, Step, Transition
from pathway.errors import ExpressionError, PathwayError

__all__ = [
    "DEFAULT_START",
    "Begin",
    "Choices",
    "Command",
    "Decide",
    "DidNotAttend",
    "Fire",
    "Journey",
    "RandomChoices",
    "Readable",
    "build_journey",
    "check_journey",
    "draw_facts",
    "pick",
    "register_pathway_random",
    "smoke_run",
]

#: Where generated journeys start by default: Monday 2024-01-01 00:00 UTC.
DEFAULT_START = datetime(2024, 1, 1, tzinfo=UTC)
#: Longest pause between two commands, in minutes (three days).
MAX_GAP_MINUTES = 3 * 24 * 60
#: Longest offset of a journey's start from :data:`DEFAULT_START`, in minutes (a week).
MAX_START_OFFSET = 7 * 24 * 60
T = TypeVar("T")
Answers = tuple[tuple[str, bool], ...]
RATIONALE = "recorded for the test"
MAX_WORKERS_PER_ROLE = 3


class Choices(Protocol):
    """A source of small choices: hypothesis's ``draw`` or a seeded random generator."""

    def integer(self, low: int, high: int) -> int:
        """An integer in ``[low, high]``; shrinks towards ``low``."""
        ...

    def boolean(self) -> bool:
        """True or false; shrinks towards false."""
        ...

    def more(self) -> bool:
        """Whether the journey goes on; shrinks towards stopping."""
        ...

    def group(self, build: Callable[[Choices], T]) -> T:
        """``build(choices)``, its choices kept together (one command: shrinking can
        delete it as a whole)."""
        ...


@attrs.define
class RandomChoices:
    """:class:`Choices` from a seeded generator; journeys run until they end or stall."""

    rng: random.Random

    def integer(self, low: int, high: int) -> int:
        """A uniform integer in ``[low, high]``."""
        return self.rng.randint(low, high)

    def boolean(self) -> bool:
        """A fair coin."""
        return self.rng.random() < 0.5

    def more(self) -> bool:
        """Always: smoke runs go as far as the pathway lets them."""
        return True

    def group(self, build: Callable[[Choices], T]) -> T:
        """``build(self)``."""
        return build(self)


def pick(choices: Choices, items: Sequence[T]) -> T:
    """One of ``items``, shrinking towards the first."""
    return items[choices.integer(0, len(items) - 1)]


def register_pathway_random(rng: random.Random) -> random.Random:
    """Register ``rng`` with :func:`hypothesis.register_random` and return it.

    A stateful random generator (``random.Random`` or anything with ``seed``,
    ``getstate`` and ``setstate``) used *while a hypothesis test runs* must be
    registered, so hypothesis seeds it for every example and failures replay and
    shrink. Hypothesis keeps only a weak reference: register a generator that an object
    holds (``self.rng = random.Random(seed); register_pathway_random(self.rng)``), not
    a temporary, or hypothesis warns that it may be collected at once.

    pathway's live engine uses no randomness. A generator that derives every number
    from a seed (counter-based, as the cohort simulator's is) needs no registering:
    draw its seed from hypothesis instead.
    """
    hypothesis.register_random(rng)
    return rng


# ------------------------------------------------------------------------- commands


class Readable:
    """Show the object's ``repr`` in hypothesis's reports (not a field-by-field dump)."""

    __slots__ = ()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


def _when(at: datetime) -> str:
    return at.isoformat(timespec="minutes")


@attrs.frozen(slots=True)
class Fire(Readable):
    """``case.fire(trigger, at=at, by=by, to=to)``: complete the step and move on."""

    trigger: str
    at: datetime
    by: Worker | None
    to: str | None = None

    def apply(self, case: Case) -> None:
        """Run the command on ``case`` (raises what the engine raises)."""
        case.fire(self.trigger, at=self.at, by=self.by, to=self.to)

    def __repr__(self) -> str:
        target = f", to={self.to!r}" if self.to else ""
        return f"fire({self.trigger!r}, at={_when(self.at)!r}, by={_worker(self.by)}{target})"


@attrs.frozen(slots=True)
class Begin(Readable):
    """``case.begin(at=at, by=by)``: work on the current step starts."""

    at: datetime
    by: Worker | None

    def apply(self, case: Case) -> None:
        """Run the command on ``case``."""
        case.begin(at=self.at, by=self.by)

    def __repr__(self) -> str:
        return f"begin(at={_when(self.at)!r}, by={_worker(self.by)})"


@attrs.frozen(slots=True)
class DidNotAttend(Readable):
    """``case.did_not_attend(at=at)``: the person missed the booked visit."""

    at: datetime

    def apply(self, case: Case) -> None:
        """Run the command on ``case``."""
        case.did_not_attend(at=self.at)

    def __repr__(self) -> str:
        return f"did_not_attend(at={_when(self.at)!r})"


def _answer_pairs(answers: Mapping[str, bool] | Iterable[tuple[str, bool]]) -> Answers:
    """Answers as sorted (question, answer) pairs, so commands stay hashable."""
    return tuple(sorted(dict(answers).items()))


@attrs.frozen(slots=True)
class Decide(Readable):
    """``case.decide(checkpoint, answers, at=at, by=by, rationale=rationale)``."""

    checkpoint: str
    answers: tuple[tuple[str, bool], ...] = attrs.field(converter=_answer_pairs)
    at: datetime
    by: Worker | None
    rationale: str = RATIONALE

    def apply(self, case: Case) -> None:
        """Run the command on ``case``."""
        case.decide(
            self.checkpoint, dict(self.answers), at=self.at, by=self.by, rationale=self.rationale
        )

    def __repr__(self) -> str:
        return (
            f"decide({self.checkpoint!r}, {dict(self.answers)!r}, at={_when(self.at)!r}, "
            f"by={_worker(self.by)}, rationale={self.rationale!r})"
        )


Command = Fire | Begin | DidNotAttend | Decide


def _worker(worker: Worker | None) -> str:
    return "None" if worker is None else f"Worker({worker.id!r}, {worker.role!r})"


@attrs.frozen(eq=False)
class Journey(Readable, Sequence[Command]):
    """One case's journey: its start, then commands; ``len()`` counts the commands.

    ``end`` is the step the pathway's model says the case is at after the last command
    (the engine must agree). Run it with :meth:`run`.
    """

    pathway: Pathway = attrs.field(repr=False)
    case_id: str
    facts: Mapping[str, Any]
    start: datetime
    commands: tuple[Command, ...]
    end: str

    def run(self) -> Case:
        """Start the case on the live engine and apply every command, in order."""
        case = self.pathway.new_case(self.case_id, dict(self.facts), at=self.start)
        for command in self.commands:
            command.apply(case)
        return case

    @property
    def finished(self) -> bool:
        """True when the journey ends at an outcome step."""
        return self.pathway.steps[self.end].outcome

    @overload
    def __getitem__(self, index: int) -> Command: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Command]: ...

    def __getitem__(self, index: int | slice) -> Command | Sequence[Command]:
        return self.commands[index]

    def __len__(self) -> int:
        return len(self.commands)

    def __iter__(self) -> Iterator[Command]:
        return iter(self.commands)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Journey):
            return NotImplemented
        return self._key() == other._key() and self.pathway == other.pathway

    def __hash__(self) -> int:
        return hash((self.case_id, self.start, self.commands, self.end))

    def _key(self) -> tuple[object, ...]:
        return (self.case_id, dict(self.facts), self.start, self.commands, self.end)

    def __repr__(self) -> str:
        lines = [
            f"Journey on {self.pathway.id!r}: case {self.case_id!r} starts at "
            f"{_when(self.start)!r} with facts {dict(self.facts)!r}",
            *(f"  {index + 1}. {command!r}" for index, command in enumerate(self.commands)),
            f"  -> ends at {self.end!r}",
        ]
        return "\n".join(lines)


# -------------------------------------------------------------------------------- facts


def _constants(pathway: Pathway) -> list[object]:
    """Every literal in the pathway's guards and questions (candidate fact values)."""
    found: list[object] = []
    for expression in _expressions(pathway):
        stack: list[Node] = [expression.root]
        while stack:
            node = stack.pop()
            if isinstance(node, Constant) and node.value is not None:
                found.append(node.value)
            stack.extend(node.children())
    return found


def _expressions(pathway: Pathway) -> Iterator[Expression]:
    for transition in pathway.transitions:
        if transition.guard is not None:
            yield transition.guard
    for checkpoint in pathway.checkpoints.values():
        for question in checkpoint.questions:
            if question.expression is not None:
                yield question.expression


def fact_candidates(fact: Fact, constants: Sequence[object]) -> list[object]:
    """Values worth trying for ``fact``: allowed values, the distribution's support and
    the literals the pathway compares with (and their neighbours), de-duplicated."""
    if fact.values is not None:
        return list(fact.values)
    found = _from_distribution(fact) + _from_constants(fact.type, constants)
    found += _DEFAULTS.get(fact.type, [])
    unique: list[object] = []
    for value in found:
        if not any(value == seen and type(value) is type(seen) for seen in unique):
            unique.append(value)
    return unique


_DEFAULTS: Mapping[str, list[object]] = {
    "bool": [False, True],
    "int": [0, 1, 5],
    "float": [0.0, 0.5, 1.0],
    "str": ["", "other"],
    "list": [[], [1]],
    "mapping": [{}],
}


def _from_distribution(fact: Fact) -> list[object]:
    dist = fact.distribution
    if isinstance(dist, RandInt) and fact.type == "int":
        return [dist.low, dist.high, (dist.low + dist.high) // 2]
    if isinstance(dist, Uniform) and fact.type == "float":
        return [float(dist.low), float(dist.high), (dist.low + dist.high) / 2]
    if isinstance(dist, Categorical) and fact.type == "str":
        return list(dist.categories)
    if isinstance(dist, Empirical | FixedValue):
        values = dist.values if isinstance(dist, Empirical) else (dist.value,)
        return [v for v in values if _fits(fact.type, v)]
    return []


def _from_constants(kind: str, constants: Sequence[object]) -> list[object]:
    values: list[object] = []
    for constant in constants:
        if kind == "int" and _fits("int", constant):
            assert isinstance(constant, int)
            values += [constant, constant - 1, constant + 1]
        elif kind == "float" and _fits("float", constant):
            assert isinstance(constant, int | float)
            values += [float(constant), float(constant) + 0.5, float(constant) - 0.5]
        elif kind == "str" and isinstance(constant, str):
            values.append(constant)
    return values


def _fits(kind: str, value: object) -> bool:
    if isinstance(value, bool):
        return kind == "bool"
    types: Mapping[str, type | tuple[type, ...]] = {
        "int": int,
        "float": (int, float),
        "str": str,
        "list": list,
        "mapping": dict,
    }
    return kind in types and isinstance(value, types[kind])


def draw_facts(pathway: Pathway, choices: Choices) -> dict[str, Any]:
    """A value for every declared fact, each picked from :func:`fact_candidates`."""
    constants = _constants(pathway)
    drawn: dict[str, Any] = {}
    for name, fact in pathway.facts.items():
        candidates = fact_candidates(fact, constants)
        drawn[name] = candidates[choices.integer(0, len(candidates) - 1)]
    return drawn


# ----------------------------------------------------------------------------- moves


@attrs.frozen
class Move:
    """A kind of command valid now: fire a transition, decide, begin, or miss a visit."""

    kind: str
    transition: Transition | None = None
    checkpoint: Checkpoint | None = None


@attrs.define
class Cursor:
    """Where a journey is, by the model: step, whether work began, facts and time."""

    pathway: Pathway
    facts: Mapping[str, Any]
    state: str
    now: datetime
    started: bool = True
    begun: bool = False  # begin() was called: the step may then run past its window
    named: Mapping[str, str] = attrs.Factory(dict)  # role (continuity: named) -> worker id

    @property
    def step(self) -> Step:
        """The current step."""
        return self.pathway.steps[self.state]

    @property
    def finished(self) -> bool:
        """True at an outcome step."""
        return self.step.outcome

    def moves(self) -> list[Move]:
        """Valid commands now: transitions whose guards hold (declaration order), then
        the checkpoint decision, begin and did-not-attend where they apply."""
        if self.finished:
            return []
        moves = [Move("fire", transition=t) for t in self.firable()]
        checkpoint = self.step.checkpoint
        if checkpoint is not None and self._decidable(self.pathway.checkpoints[checkpoint]):
            moves.append(Move("decide", checkpoint=self.pathway.checkpoints[checkpoint]))
        if not self.started:
            moves.append(Move("begin"))
            if self.step.visit:
                moves.append(Move("dna"))
        return moves

    def firable(self) -> list[Transition]:
        """Ordinary transitions from here whose guard holds over the facts."""
        outgoing = self.pathway.outgoing(self.state)
        return [t for t in outgoing if t.checkpoint is None and self.holds(t.guard)]

    def holds(self, expression: Expression | None) -> bool:
        """Whether a guard holds (an unevaluable guard does not)."""
        if expression is None:
            return True
        try:
            return expression.test(self.facts)
        except ExpressionError:
            return False

    def _decidable(self, checkpoint: Checkpoint) -> bool:
        try:
            self.automatic_answers(checkpoint)
        except ExpressionError:
            return False
        return True

    def automatic_answers(self, checkpoint: Checkpoint) -> dict[str, bool]:
        """The answers to the checkpoint's automatic questions, from the facts."""
        return {
            q.id: q.expression.test(self.facts)
            for q in checkpoint.questions
            if q.expression is not None
        }

    def _keeps(self, role: str) -> bool:
        """Whether ``role`` keeps a case's named worker (``continuity: named``)."""
        owner = self.pathway.roles.get(role)
        return owner is not None and owner.named

    def open_at(self, at: datetime) -> datetime:
        """``at``, or the next time the current step's calendar is open."""
        calendar = self.step.calendar
        return at if calendar is None else self.pathway.calendars[calendar].next_open(at)

    def target(self, command: Command) -> str:
        """The step ``command`` leads to, by the model."""
        if isinstance(command, Fire):
            return self.fired(command).target
        if isinstance(command, Decide):
            checkpoint = self.pathway.checkpoints[command.checkpoint]
            answers = {**dict(command.answers), **self.automatic_answers(checkpoint)}
            return self.pathway.transitions[checkpoint.route_for(answers).transition].target
        return self.state

    def fired(self, command: Fire) -> Transition:
        """The transition the engine must take for ``command`` (first that holds)."""
        for transition in self.firable():
            if transition.trigger == command.trigger and command.to in {None, transition.target}:
                return transition
        raise AssertionError(f"{command!r} is not valid at {self.state!r}")

    def advance(self, command: Command) -> None:
        """Move the cursor past ``command`` (which must be valid now)."""
        by = getattr(command, "by", None)
        role = self.step.role
        if by is not None and by.role == role and role is not None and self._keeps(role):
            self.named = {**self.named, role: by.id}  # replaced, never changed: cursors are copied
        self.state, self.now = self.target(command), command.at
        if isinstance(command, Fire | Decide):
            self.started = self.begun = False
        elif isinstance(command, Begin):
            self.started = self.begun = True


def start_cursor(pathway: Pathway, facts: Mapping[str, Any], at: datetime) -> Cursor:
    """A cursor at the start of a new case (the start step's work begins at once)."""
    return Cursor(pathway, dict(facts), pathway.start, at)


# ---------------------------------------------------------------------------- commands


def worker_for(
    pathway: Pathway,
    role: str | None,
    choices: Choices,
    named: Mapping[str, str] | None = None,
) -> Worker | None:
    """One of the role's workers (``<role>_0``, ``<role>_1``...); ``None`` without a role.
    The case's named worker (in ``named``) when the role keeps one: no other may start."""
    if role is None:
        return None
    if named and role in named:
        return Worker(named[role], role)
    capacity = pathway.roles[role].capacity if role in pathway.roles else 1
    index = choices.integer(0, min(capacity, MAX_WORKERS_PER_ROLE) - 1)
    return Worker(f"{role}_{index}", role)


def make_command(cursor: Cursor, move: Move, choices: Choices) -> Command:
    """A concrete command for ``move``: a later time inside the step's calendar, a
    worker in the owner role, answers and a rationale for decisions."""
    at = cursor.now + timedelta(minutes=choices.integer(0, MAX_GAP_MINUTES))
    if move.kind == "dna":
        return DidNotAttend(at)
    at = cursor.open_at(at)
    by = worker_for(cursor.pathway, cursor.step.role, choices, cursor.named)
    if move.kind == "begin":
        return Begin(at, by)
    if move.checkpoint is not None:
        answers = {q.id: choices.boolean() for q in move.checkpoint.questions if not q.automatic}
        return Decide(move.checkpoint.id, answers, at, by, RATIONALE)
    assert move.transition is not None
    return Fire(move.transition.trigger, at, by, _disambiguate(cursor, move.transition))


def _disambiguate(cursor: Cursor, transition: Transition) -> str | None:
    """``to=`` only when an earlier transition on the same trigger would also hold."""
    for other in cursor.firable():
        if other.trigger == transition.trigger:
            return None if other is transition else transition.target
    return None


def build_journey(
    pathway: Pathway,
    choices: Choices,
    *,
    max_steps: int = 20,
    case_id: str = "case-1",
    start: datetime | None = None,
) -> Journey:
    """Build a valid journey of at most ``max_steps`` commands from ``choices``.

    Each command is one group of choices, led by ``choices.more()``; the journey stops
    when that says so, after ``max_steps`` commands, at an outcome, or when nothing is
    valid any more (every guard false): it may not reach an outcome.
    """
    facts = draw_facts(pathway, choices)
    if start is None:
        start = DEFAULT_START + timedelta(minutes=choices.integer(0, MAX_START_OFFSET))
    cursor = start_cursor(pathway, facts, start)
    commands: list[Command] = []
    while len(commands) < max_steps and cursor.moves():
        command = choices.group(lambda group: _next_command(cursor, group))
        if command is None:
            break
        cursor.advance(command)
        commands.append(command)
    return Journey(pathway, case_id, facts, start, tuple(commands), cursor.state)


def _next_command(cursor: Cursor, choices: Choices) -> Command | None:
    """The next command, or ``None`` to end the journey here."""
    if not choices.more():
        return None
    return make_command(cursor, pick(choices, cursor.moves()), choices)


# ------------------------------------------------------------------------------- checks


def check_journey(journey: Journey) -> Case:
    """Run ``journey`` on the live engine and check it: it is accepted, ends where the
    model says, and the case rebuilt from its JSON has the same journal.

    Raises :class:`AssertionError` naming the journey when anything disagrees.
    """
    try:
        case = journey.run()
    except PathwayError as error:
        raise AssertionError(f"the engine rejected a valid journey: {error}\n{journey!r}") from None
    if case.state != journey.end:
        raise AssertionError(
            f"the case is at {case.state!r}, the model expects {journey.end!r}\n{journey!r}"
        )
    try:
        rebuilt = Case.from_json(journey.pathway, case.to_json())
    except PathwayError as error:
        raise AssertionError(f"the case does not replay: {error}\n{journey!r}") from None
    if list(rebuilt.journal) != list(case.journal) or rebuilt.state != case.state:
        raise AssertionError(f"the case does not replay to the same journal\n{journey!r}")
    return case


def smoke_run(
    pathway: Pathway, runs: int = 10, *, seed: int = 0, max_steps: int = 100
) -> list[Case]:
    """Drive ``runs`` seeded random journeys through the live engine and check each one
    with :func:`check_journey` (accepted, ends where the model says, replays).

    A stand-in for a short simulation: the cohort simulator will replace it for
    ``--pathway-simulate`` once it exists. The same seed gives the same journeys.
    """
    rng = random.Random(seed)
    choices = RandomChoices(rng)
    return [
        check_journey(
            build_journey(pathway, choices, max_steps=max_steps, case_id=f"smoke-{index}")
        )
        for index in range(runs)
    ]
