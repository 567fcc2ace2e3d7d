"""The compiled pathway: frozen attrs objects the engine, simulator and analysis share.

A :class:`Pathway` is built by :func:`pathway.load` from a valid spec and never changes.
Besides what the file declares it carries derived facts: the hand-off level of every
transition, visit and outcome steps, the nominal path and a content hash that pins the
version a case was run against.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from pathway._define._spec import PathwaySpec
from pathway._model._calendar import Calendar
from pathway._model._distributions import Distribution, Fixed
from pathway._model._expr import Expression
from pathway._model._observed import Observed
from pathway._model._profile import ArrivalProfile
from pathway._vocab import HANDOFF_LEVELS, WAIT_CAUSES, HandoffLevel, WaitCause, WorkClass
from pathway.errors import Problem

if TYPE_CHECKING:
    from pathway._engine._case import Case

__all__ = [
    "HANDOFF_LEVELS",
    "WAIT_CAUSES",
    "Arrivals",
    "Checkpoint",
    "Fact",
    "HandoffLevel",
    "Pathway",
    "Question",
    "Returns",
    "Role",
    "Route",
    "Setting",
    "Step",
    "Transition",
    "WaitCause",
    "WorkClass",
    "provide_case_factory",
]

NO_TIME: Distribution = Fixed(0.0)
_NEVER = 1e-12
_COST_DIGITS = 9  # equal path probabilities tie (then earlier-declared transitions win)
K = TypeVar("K")
V = TypeVar("V")


def frozen_map(items: Mapping[K, V]) -> Mapping[K, V]:
    """A read-only view of a copy of ``items`` (used for every mapping in the model)."""
    return MappingProxyType(dict(items))


#: Starts a live case: ``pathway._engine`` puts its ``new_case`` here when it is imported
#: (``import pathway`` always imports it). The model is below the engine on the spine, so
#: :meth:`Pathway.new_case` reaches the engine through this slot, never by importing it.
_CASE_FACTORY: list[Callable[..., Case]] = []


def provide_case_factory(factory: Callable[..., Case]) -> None:
    """Make :meth:`Pathway.new_case` start cases with ``factory`` (the live engine's)."""
    _CASE_FACTORY[:] = [factory]


@attrs.frozen(slots=True)
class Role:
    """A role that owns steps, within a team within an organisation.

    ``continuity`` says who takes a case at the role's next step: ``"prefer"`` the
    case's named worker (the one who last did a step of the role for it) when free,
    else anyone free; ``"named"`` only the named worker, until the case has waited
    ``named_within`` minutes at the step (``None``: however long).
    """

    id: str
    title: str
    team: str
    organisation: str
    capacity: int = 1
    calendar: str | None = None
    continuity: str = "prefer"
    named_within: float | None = None

    @property
    def named(self) -> bool:
        """True when a case keeps its named worker of this role (``continuity: named``)."""
        return self.continuity == "named"


@attrs.frozen(slots=True)
class Setting:
    """A place a case can be in (an acute bed, home...): time there is measured, and
    counted as bed days when ``bed_days``."""

    id: str
    title: str
    bed_days: bool = False
    description: str = ""


@attrs.frozen(slots=True)
class Fact:
    """A declared case attribute (what guards may read), with its cohort distribution."""

    name: str
    type: str
    values: tuple[object, ...] | None = None
    distribution: Distribution | None = None
    description: str = ""


@attrs.frozen(slots=True)
class Returns:
    """People coming back after an outcome: with chance ``probability``, ``delay`` minutes
    after it, as a new demand of the same person that is failure demand of kind
    ``demand`` (None: a new value demand); ``same_worker`` sends them back to the worker
    who last served them when that worker is free."""

    probability: float
    delay: Distribution
    demand: str | None = "re_presentation"
    same_worker: bool = False


@attrs.frozen(slots=True)
class Step:
    """A unit of work owned by a role; ``outcome`` steps end the journey."""

    id: str
    title: str
    role: str | None
    work: WorkClass = "value"
    visit: bool = False
    duration: Distribution = NO_TIME
    calendar: str | None = None
    collects: tuple[str, ...] = ()
    requested_by: str | None = None
    outcome: bool = False
    checkpoint: str | None = None
    setting: str | None = None
    returns: Returns | None = None


@attrs.frozen(slots=True)
class Transition:
    """A move ``source -> target`` on ``trigger``; checkpoint routes are transitions too.

    ``weight`` is the normalised branching probability among the transitions leaving
    ``source`` (before guards). ``cause`` is the analysis wait cause (DESIGN.md's table)
    derived from the declared cause. ``client_rebooks`` is the chance that, after a
    missed visit, the person comes back to rebook (else the service rebooks them).
    ``dna_applies`` says whether ``dna`` applies to every visit the move reaches
    (``"always"``) or only to one booked for a later day (``"booked_later"``);
    ``rebook_wait`` is the wait for a new appointment after a miss (None: ``wait``).
    ``setting`` is where the case waits on this move as declared (None: the setting of
    the step it leaves; see :meth:`Pathway.wait_setting`).
    ``demand`` marks taking the move as failure demand of that kind (None: it is not).
    ``also`` lists the steps where taking the move opens a concurrent referral: a new
    case (demand) of the same person starting at that step.
    """

    index: int
    trigger: str
    source: str
    target: str
    guard: Expression | None = None
    weight: float = 1.0
    wait: Distribution | None = None
    cause: WaitCause = "handoff"
    declared_cause: str | None = None
    dna: float = 0.0
    client_rebooks: float = 0.0
    dna_applies: str = "always"
    rebook_wait: Distribution | None = None
    chase_after: float | None = None
    handoff: HandoffLevel = "none"
    checkpoint: str | None = None
    title: str = ""
    setting: str | None = None
    demand: str | None = None
    also: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """A readable id, ``source->target:trigger``."""
        return f"{self.source}->{self.target}:{self.trigger}"


@attrs.frozen(slots=True)
class Question:
    """A checkpoint question: automatic (``expression`` over facts) or asked of a person."""

    id: str
    text: str
    expression: Expression | None = None
    p_yes: float = 1.0
    persists: bool = False

    @property
    def automatic(self) -> bool:
        """True when the answer is computed from facts, not given by a person."""
        return self.expression is not None


@attrs.frozen(slots=True)
class Route:
    """A checkpoint route: the first route whose ``when`` holds over the answers wins."""

    when: Expression | None
    transition: int

    @property
    def is_otherwise(self) -> bool:
        """True for the fallback route taken when no other route holds."""
        return self.when is None


@attrs.frozen(slots=True)
class Checkpoint:
    """A decision point at ``step``: questions, then routes by the answers.

    Its rules: ``deciders``, the roles whose workers may record the decision (the step's
    owner at least); ``rationale_required``, every decision names its decision-maker and
    gives a rationale; ``rounds``, the calendar whose windows (cut at midnight) are its
    rounds, or None for no round rule (see :mod:`pathway._model._rounds`).
    """

    id: str
    title: str
    step: str
    framework: str | None
    questions: tuple[Question, ...]
    routes: tuple[Route, ...]
    deciders: tuple[str, ...] = ()
    rationale_required: bool = False
    rounds: str | None = None

    @property
    def persisting(self) -> tuple[str, ...]:
        """The ids of the questions whose yes persists for a case."""
        return tuple(q.id for q in self.questions if q.persists)

    def route_for(self, answers: Mapping[str, bool]) -> Route:
        """The route the given answers select (the last route is always ``otherwise``)."""
        for route in self.routes:
            if route.when is None or route.when.test(answers):
                return route
        raise AssertionError("compiled checkpoints always end with an otherwise route")

    def route_probabilities(self) -> dict[int, float]:
        """Probability of each route's transition, answers drawn independently by p_yes."""
        result: dict[int, float] = {}
        for combination in itertools.product((True, False), repeat=len(self.questions)):
            answers = {q.id: a for q, a in zip(self.questions, combination, strict=True)}
            chance = 1.0
            for question, answer in zip(self.questions, combination, strict=True):
                chance *= question.p_yes if answer else 1 - question.p_yes
            index = self.route_for(answers).transition
            result[index] = result.get(index, 0.0) + chance
        return result


@attrs.frozen(slots=True)
class Arrivals:
    """How synthetic cases arrive: ``rate`` per minute within ``calendar``, spread by
    ``profile`` (None: uniform over open time), or ``times``."""

    rate_per_minute: float | None = None
    calendar: str | None = None
    times: tuple[str, ...] = ()
    profile: ArrivalProfile | None = None


@attrs.frozen(slots=True, eq=False)
class Pathway:
    """A compiled, immutable pathway. Build one with :func:`pathway.load`.

    Two pathways compare equal when their content hashes are equal, i.e. when they were
    compiled from the same normalised definition (comments and layout do not count).
    """

    id: str
    title: str
    version: str
    purpose: str
    description: str
    timezone: str
    start: str
    calendars: Mapping[str, Calendar]
    roles: Mapping[str, Role]
    facts: Mapping[str, Fact]
    steps: Mapping[str, Step]
    transitions: tuple[Transition, ...]
    checkpoints: Mapping[str, Checkpoint]
    arrivals: Arrivals | None
    _spec: PathwaySpec = attrs.field(alias="spec", repr=False)
    source: str
    content_hash: str
    warnings: tuple[Problem, ...] = ()
    same_visit_within: float = 60.0
    targets: Mapping[str, float] = attrs.field(factory=dict)
    observed: tuple[Observed, ...] = ()
    settings: Mapping[str, Setting] = attrs.field(factory=dict)
    _outgoing: Mapping[str, tuple[Transition, ...]] = attrs.field(
        init=False,
        repr=False,
        default=attrs.Factory(lambda self: _index_outgoing(self), takes_self=True),
    )
    _nominal: tuple[Transition, ...] | None = attrs.field(init=False, repr=False, default=None)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pathway) and other.content_hash == self.content_hash

    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any]]]:
        """Pickle field by field (read-only mapping views travel as plain dicts), so a
        pathway can go to another process, e.g. through a process pool."""
        fields = {
            str(f.alias): dict(value) if isinstance(value, MappingProxyType) else value
            for f in attrs.fields(Pathway)
            if f.init
            for value in (getattr(self, f.name),)
        }
        return (_restore_pathway, (fields,))

    @property
    def spec(self) -> PathwaySpec:
        """A copy of the definition this pathway was compiled from (editing it changes
        nothing here: load the edited copy to get a new pathway)."""
        return self._spec.model_copy(deep=True)

    def __hash__(self) -> int:
        return hash(self.content_hash)

    def new_case(
        self,
        case_id: str,
        facts: Mapping[str, Any] | None = None,
        *,
        at: datetime,
        roster: Mapping[str, str] | None = None,
        person: str | None = None,
        demand: str | None = None,
    ) -> Case:
        """Start a live :class:`~pathway.Case` at the start step; see :func:`pathway.new_case`."""
        return _CASE_FACTORY[0](
            self, case_id, facts, at=at, roster=roster, person=person, demand=demand
        )

    def outgoing(self, step: str) -> tuple[Transition, ...]:
        """Transitions leaving ``step``, in declaration order (checkpoint routes last)."""
        return self._outgoing.get(step, ())

    @property
    def triggers(self) -> frozenset[str]:
        """Every trigger name the pathway declares."""
        return frozenset(t.trigger for t in self.transitions)

    @property
    def visit_steps(self) -> tuple[str, ...]:
        """Steps the person must attend, in declaration order."""
        return tuple(s.id for s in self.steps.values() if s.visit)

    @property
    def outcomes(self) -> tuple[str, ...]:
        """Outcome steps (where journeys end), in declaration order."""
        return tuple(s.id for s in self.steps.values() if s.outcome)

    @property
    def handoffs(self) -> tuple[Transition, ...]:
        """Transitions that pass the case to another owner (level above ``worker``)."""
        return tuple(t for t in self.transitions if t.handoff in {"role", "team", "organisation"})

    def wait_setting(self, transition: Transition) -> str | None:
        """Where a case waits after ``transition``: the move's own ``setting``, else the
        setting of the step it leaves (the person stays where they were until the next
        step begins); None when neither says."""
        if transition.setting is not None:
            return transition.setting
        return self.steps[transition.source].setting

    def owner(self, step: str) -> Role | None:
        """The role owning ``step`` (``None`` for outcome steps without an owner)."""
        role = self.steps[step].role
        return self.roles[role] if role is not None else None

    def nominal_path(self) -> tuple[Transition, ...]:
        """The most likely journey from ``start`` to an outcome, by branching weights.

        Maximises the product of the probabilities of the transitions taken (checkpoint
        routes weighted by their questions' ``p_yes``); guards are not evaluated. Among
        equally likely paths the one using earlier-declared transitions wins. Computed
        once per pathway (in time near-linear in its size) and kept.
        """
        cached = self._nominal
        if cached is None:
            cached = self._find_nominal_path()
            object.__setattr__(self, "_nominal", cached)
        return cached

    def _find_nominal_path(self) -> tuple[Transition, ...]:
        """Dijkstra over ``-log(probability)``; ties broken by the paths' transition
        indices in order, compared through parent links (:class:`_Trail`), so no path is
        ever copied."""
        best: dict[str, tuple[float, _Trail]] = {self.start: (0.0, _ROOT)}
        queue: list[tuple[float, _Trail, str]] = [(0.0, _ROOT, self.start)]
        while queue:
            cost, trail, step = heapq.heappop(queue)
            if self.steps[step].outcome:
                return tuple(self.transitions[i] for i in trail.indices())
            if best[step] < (cost, trail):
                continue
            for probability, transition in self._weighted(step):
                # an edge that can never be taken on its weights is still a way out, only
                # a very unlikely one: a pathway whose single way to an outcome is such a
                # route still has a nominal path
                step_cost = round(cost - math.log(max(probability, _NEVER)), _COST_DIGITS)
                candidate = (step_cost, _Trail(trail, transition.index))
                if transition.target not in best or candidate < best[transition.target]:
                    best[transition.target] = candidate
                    heapq.heappush(queue, (*candidate, transition.target))
        return ()

    def _weighted(self, step: str) -> list[tuple[float, Transition]]:
        """Each way out of ``step`` with its probability on the nominal path.

        At a checkpoint's step the decision is the intended way forward: only its routes
        count (weighted by the questions' ``p_yes``); ordinary transitions from that step
        remain possible live and in simulation, as alternatives such as leaving.
        """
        checkpoint = self.steps[step].checkpoint
        if checkpoint is None:
            return [(t.weight, t) for t in self.outgoing(step)]
        route_p = self.checkpoints[checkpoint].route_probabilities()
        return [(route_p.get(t.index, 0.0), t) for t in self.outgoing(step) if t.checkpoint]

    def nominal_visits(self) -> int:
        """Attendances on the nominal path (see :meth:`is_new_attendance`)."""
        count, previous = 0, None
        for transition in (None, *self.nominal_path()):
            step = self.steps[transition.target if transition else self.start]
            if step.visit and self.is_new_attendance(previous, transition):
                count += 1
            previous = step
        return count

    def is_new_attendance(self, previous: Step | None, transition: Transition | None) -> bool:
        """Whether entering ``transition.target`` after ``previous`` is a new attendance.

        Statically (nominal path, no clock): the person stays on site from one visit step
        straight into the next when the transition declares no wait longer than
        ``same_visit_within``. Live cases and simulations decide by the actual times.
        """
        if previous is None or transition is None or not previous.visit:
            return True
        wait = transition.wait.mean() if transition.wait is not None else 0.0
        return wait > self.same_visit_within

    def nominal_handoffs(self) -> dict[str, int]:
        """Hand-offs on the nominal path, counted by level (role, team, organisation)."""
        counts = {"role": 0, "team": 0, "organisation": 0}
        for transition in self.nominal_path():
            if transition.handoff in counts:
                counts[transition.handoff] += 1
        return counts

    def nominal_steps(self) -> tuple[str, ...]:
        """Step ids along :meth:`nominal_path`, starting with ``start``."""
        return (self.start, *(t.target for t in self.nominal_path()))


class _Trail:
    """A path of transition indices as a link to its parent path: extending one costs
    nothing, and paths order like the tuples of their indices (a prefix first)."""

    __slots__ = ("depth", "index", "parent")

    def __init__(self, parent: _Trail | None, index: int) -> None:
        self.parent: _Trail | None = parent
        self.index: int = index
        self.depth: int = parent.depth + 1 if parent is not None else 0

    def indices(self) -> list[int]:
        """The transition indices from the start, in order."""
        found: list[int] = []
        trail: _Trail | None = self
        while trail is not None and trail.parent is not None:
            found.append(trail.index)
            trail = trail.parent
        return found[::-1]

    def __lt__(self, other: _Trail) -> bool:
        if self is other:
            return False
        a, b = self, other
        # walk the deeper one up to the other's depth
        while a.depth > b.depth:
            assert a.parent is not None
            a = a.parent
        while b.depth > a.depth:
            assert b.parent is not None
            b = b.parent
        if a is b:  # one path is a prefix of the other: the shorter comes first
            return self.depth < other.depth
        while a.parent is not b.parent:
            assert a.parent is not None
            assert b.parent is not None
            a, b = a.parent, b.parent
        return a.index < b.index


_ROOT = _Trail(None, -1)


def _restore_pathway(fields: dict[str, Any]) -> Pathway:
    """Rebuild a pickled :class:`Pathway` (see ``Pathway.__reduce__``)."""
    restored: dict[str, Any] = {
        k: frozen_map(v) if isinstance(v, dict) else v for k, v in fields.items()
    }
    return Pathway(**restored)


def _index_outgoing(pathway: Pathway) -> Mapping[str, tuple[Transition, ...]]:
    grouped: dict[str, list[Transition]] = {}
    for transition in pathway.transitions:
        grouped.setdefault(transition.source, []).append(transition)
    return frozen_map({step: tuple(items) for step, items in grouped.items()})
