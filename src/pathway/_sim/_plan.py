"""A compiled :class:`~pathway.Pathway` as flat numpy tables the kernel can read.

:func:`build_plan` turns the frozen model into a :class:`Plan`: integer and float tables
for steps, transitions, checkpoints, distributions, calendars and roles (column numbers
in :mod:`pathway._sim._layout`), plus the names needed to turn kernel output back into
events. A plan is plain data (picklable), so replications can run in other processes or
on a Dask cluster without shipping the pathway object itself.

Two modelling rules are decided here:

* **Start gates.** A step can start only while its own calendar (if any) *and* its
  role's working calendar are open; the two are intersected into one gate calendar.
* **Branching weights.** The file format makes the ``p`` of the transitions leaving a
  step sum to 1 *before* guards: a ``p`` is the share of all cases that take the move
  (the shipped pathways say so: ``p: 0.57 = 0.6 needs_prescribing x 0.95 stay``). So
  among the transitions whose guards hold, the simulator picks one with probability
  proportional to ``p / q``, where ``q`` is the share of cases for whom that guard holds
  (1 without a guard), estimated on a fixed reference cohort. When guards split the
  cohort, each move is then taken by exactly its declared share of cases. With
  ``branching="renormalise"`` the plain ``p`` are renormalised over the eligible moves.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

import attrs
import numpy as np
import numpy.typing as npt

import pathway._sim._layout as L
from pathway._model._calendar import Calendar
from pathway._model._distributions import (
    RATE_UNITS,
    Distribution,
    Empirical,
    Exponential,
    Fixed,
    Lognormal,
    Triangular,
    Uniform,
)
from pathway._model._expr import MAX_LENGTH, Expression, parse
from pathway._model._pathway import Pathway, Step
from pathway._model._profile import month_factors, week_pieces
from pathway._sim._rng import key_of
from pathway._vocab import (
    DEMANDS,
    HANDOFF_LEVELS,
    MINUTES_PER_DAY,
    MINUTES_PER_WEEK,
    WAIT_CAUSES,
    WORK_CLASSES,
)
from pathway.errors import DefinitionError, Problem, SimulationError, did_you_mean

__all__ = ["ArrivalPlan", "Branching", "FactPlan", "Plan", "build_plan", "cannot_simulate"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Branching = Literal["shares", "renormalise"]
Window = tuple[int, int]
REQUESTED = {None: 0, "service": 1, "client": 2}
DEFAULT_START = date(2017, 10, 2)  # a Monday: the week the Recovery Hub's Check began
_RATE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(?:/|per)\s*([a-z]+)\s*")


@attrs.frozen(eq=False)
class FactPlan:
    """A declared fact the cohort draws (``distribution`` None: it has no value)."""

    name: str
    type: str
    distribution: Distribution | None
    key: int


@attrs.frozen(eq=False)
class ArrivalPlan:
    """Poisson arrivals at ``intensity`` per open minute of ``calendar``, or fixed ``times``.

    ``calendar`` indexes the plan's calendar tables (-1: every minute counts). With a
    profile, ``pieces`` cut the week (minutes from Monday 00:00) into ``(start, end,
    factor)`` of constant weekday-and-hour weight, factors averaging 1 over the open
    time, and ``months`` holds the twelve month factors (empty: the same every month);
    the intensity at a minute is ``intensity`` times its factors.
    """

    intensity: float
    calendar: int
    times: tuple[float, ...] = ()
    pieces: tuple[tuple[float, float, float], ...] = ()
    months: tuple[float, ...] = ()


@attrs.frozen(eq=False)
class Plan:
    """Everything a replication needs, as names and numpy tables (see the module doc)."""

    pathway_id: str
    pathway_version: str
    content_hash: str
    timezone: str
    start: date
    weekoff: float
    same_visit_within: float
    step_ids: tuple[str, ...]
    step_roles: tuple[str | None, ...]
    outcome_ids: tuple[str, ...]
    role_ids: tuple[str, ...]
    worker_names: tuple[str, ...]
    worker_roles: tuple[int, ...]
    transitions: tuple[tuple[str, str, str], ...]
    checkpoint_ids: tuple[str, ...]
    question_ids: tuple[tuple[str, ...], ...]
    question_auto: tuple[tuple[bool, ...], ...]
    milestones: tuple[str, ...]
    facts: tuple[FactPlan, ...]
    guard_texts: tuple[str, ...]
    automatic_texts: tuple[str, ...]
    arrivals: ArrivalPlan
    start_step: int
    tables: dict[str, npt.NDArray[Any]]
    max_capacity: int
    source: str = "<string>"
    first_lapse: int = 1 << 62
    """The index of the first plan-only transition row (a lapsed review's move)."""

    def table(self, name: str) -> npt.NDArray[Any]:
        """One of the numpy tables by name (``step_i``, ``tr_f``, ``win``...)."""
        return self.tables[name]

    @property
    def has_referrals(self) -> bool:
        """Whether some move opens concurrent referrals (``also``)."""
        tr_i = self.table("tr_i")
        return bool((tr_i[:, L.TI_ALSO_END] > tr_i[:, L.TI_ALSO_START]).any())

    @property
    def more_demands(self) -> bool:
        """Whether a person can make more than one demand: some outcome has returns or
        some move opens concurrent referrals (the cohort then grows as it runs)."""
        return self.has_returns or self.has_referrals

    @property
    def has_returns(self) -> bool:
        """Whether people can come back after an outcome (some step has returns)."""
        return bool((self.table("step_i")[:, L.SI_RET_P] > 0).any())

    @property
    def guards(self) -> tuple[Expression, ...]:
        """The guards of the guard matrix's columns (kept as text so plans pickle)."""
        return tuple(_parsed(text) for text in self.guard_texts)

    @property
    def automatic(self) -> tuple[Expression, ...]:
        """The automatic checkpoint questions of the answer matrix's columns."""
        return tuple(_parsed(text) for text in self.automatic_texts)


@lru_cache(maxsize=1024)
def _parsed(text: str) -> Expression:
    return parse(text, max_length=max(MAX_LENGTH, len(text)))


def build_plan(
    pathway: Pathway,
    *,
    start: date | None = None,
    milestones: Sequence[str] = (),
) -> Plan:
    """Compile ``pathway`` for simulation from ``start`` (a date; default 2017-10-02).

    The branching weights are the file's ``p`` as written; with ``branching="shares"``
    the simulator then turns guarded ones into weights among eligible moves
    (:func:`pathway._sim._cohort.adjust_weights`).

    Raises :class:`~pathway.errors.DefinitionError` naming the file and field when the
    pathway cannot be simulated: no arrivals (or a rate of zero, or an arrivals calendar
    never open), a step whose calendar and role calendar never overlap, a checkpoint
    with too many questions, or a guard over a fact without a distribution; and
    :class:`~pathway.errors.SimulationError` for an unknown milestone step.
    """
    start = start or DEFAULT_START
    builder = _Builder(pathway, start)
    return builder.build(tuple(milestones))


class _Builder:
    """Collects tables while walking the model once."""

    def __init__(self, pathway: Pathway, start: date) -> None:
        self.pathway = pathway
        self.start = start
        self.zone = ZoneInfo(pathway.timezone)
        self.calendars: list[tuple[tuple[Window, ...], tuple[int, ...]]] = []
        self.calendar_index: dict[tuple[tuple[Window, ...], tuple[int, ...]], int] = {}
        self.distributions: list[tuple[int, tuple[float, float, float]]] = []
        self.empirical_values: list[float] = []
        self.empirical_cum: list[float] = []
        self.step_ids = tuple(pathway.steps)
        self.step_index = {step: i for i, step in enumerate(self.step_ids)}
        self.role_ids = tuple(pathway.roles)
        self.role_index = {role: i for i, role in enumerate(self.role_ids)}

    # ------------------------------------------------------------------ whole plan

    def build(self, milestones: tuple[str, ...]) -> Plan:
        pathway = self.pathway
        for milestone in milestones:
            if not isinstance(milestone, str) or milestone not in self.step_index:
                guess = did_you_mean(str(milestone), self.step_ids)
                hint = f"; did you mean {guess!r}?" if guess else ""
                raise SimulationError(
                    f"unknown milestone step {milestone!r}: milestones are step ids of "
                    f"pathway {pathway.id!r}{hint}"
                )
        facts = tuple(
            FactPlan(f.name, f.type, f.distribution, key_of("fact:" + f.name))
            for f in pathway.facts.values()
        )
        guards, guard_of = self._guards()
        step_i, step_mask = self._steps(milestones)
        out_tr, outgoing = self._outgoing()
        step_i[:, L.SI_OUT_START] = outgoing[:, 0]
        step_i[:, L.SI_OUT_END] = outgoing[:, 1]
        cp_i, cq_i, cq_f, route, automatic = self._checkpoints()
        for step, cp in enumerate(self._checkpoint_of_step()):
            step_i[step, L.SI_CP] = cp
        tr_i, tr_f = self._transitions(guard_of)
        also_s = self._referrals(tr_i)
        tr_i, tr_f, lapses = self._lapses(tr_i, tr_f, cp_i)
        role_i, workers, worker_roles = self._roles()
        arrivals = self._arrivals()
        tables: dict[str, npt.NDArray[Any]] = {
            "step_i": step_i,
            "step_mask": step_mask,
            "tr_i": tr_i,
            "tr_f": tr_f,
            "out_tr": out_tr,
            "cp_i": cp_i,
            "cq_i": cq_i,
            "cq_f": cq_f,
            "route": route,
            "role_i": role_i,
            "also_s": also_s,
        }
        tables.update(self._distribution_tables())
        tables.update(self._calendar_tables())
        plan = Plan(
            pathway_id=pathway.id,
            pathway_version=pathway.version,
            content_hash=pathway.content_hash,
            timezone=pathway.timezone,
            start=self.start,
            weekoff=float(self.start.weekday() * MINUTES_PER_DAY),
            same_visit_within=float(pathway.same_visit_within),
            step_ids=self.step_ids,
            step_roles=tuple(s.role for s in pathway.steps.values()),
            outcome_ids=tuple(pathway.outcomes),
            role_ids=self.role_ids,
            worker_names=workers,
            worker_roles=worker_roles,
            transitions=(
                *((t.trigger, t.source, t.target) for t in pathway.transitions),
                *lapses,
            ),
            checkpoint_ids=tuple(pathway.checkpoints),
            question_ids=tuple(
                tuple(q.id for q in cp.questions) for cp in pathway.checkpoints.values()
            ),
            question_auto=tuple(
                tuple(q.automatic for q in cp.questions) for cp in pathway.checkpoints.values()
            ),
            milestones=milestones,
            facts=facts,
            guard_texts=tuple(g.text for g in guards),
            automatic_texts=tuple(a.text for a in automatic),
            arrivals=arrivals,
            start_step=self.step_index[pathway.start],
            tables=tables,
            max_capacity=max((r.capacity for r in pathway.roles.values()), default=1),
            source=pathway.source,
            first_lapse=len(pathway.transitions),
        )
        _check_facts(plan)
        return plan

    # ------------------------------------------------------------------------ steps

    def _steps(self, milestones: tuple[str, ...]) -> tuple[IntArray, IntArray]:
        pathway = self.pathway
        items = sorted({item for s in pathway.steps.values() for item in s.collects})
        bit = {item: i for i, item in enumerate(items)}
        words = max(1, math.ceil(len(items) / 62))
        step_mask = np.zeros((len(self.step_ids), words), dtype=np.int64)
        step_i = np.full((len(self.step_ids), L.N_SI), -1, dtype=np.int64)
        outcomes = {step: i for i, step in enumerate(pathway.outcomes)}
        for i, step in enumerate(pathway.steps.values()):
            row = step_i[i]
            row[L.SI_ROLE] = self.role_index[step.role] if step.role is not None else -1
            row[L.SI_GATE] = self._gate(
                step.calendar, step.role, f"steps.{step.id}.calendar", self._rounds_of(step.id)
            )
            row[L.SI_VISIT] = int(step.visit)
            row[L.SI_OUTCOME] = int(step.outcome)
            row[L.SI_WORK] = WORK_CLASSES.index(step.work)
            row[L.SI_REQ] = REQUESTED.get(step.requested_by, 0)
            row[L.SI_DUR] = self._distribution(step.duration, f"steps.{step.id}.duration")
            row[L.SI_KEY] = key_of("step:" + step.id)
            row[L.SI_MILESTONE] = milestones.index(step.id) if step.id in milestones else -1
            row[L.SI_OUTCOME_IDX] = outcomes.get(step.id, -1)
            self._returns(row, step)
            for item in set(step.collects):
                step_mask[i, bit[item] // 62] |= 1 << (bit[item] % 62)
        return step_i, step_mask

    def _rounds_of(self, step: str) -> str | None:
        """The rounds calendar of the checkpoint at ``step`` (reviews start only in a round)."""
        name = self.pathway.steps[step].checkpoint
        return self.pathway.checkpoints[name].rounds if name is not None else None

    def _lapses(
        self, tr_i: IntArray, tr_f: FloatArray, cp_i: IntArray
    ) -> tuple[IntArray, FloatArray, list[tuple[str, str, str]]]:
        """The transition tables with a plan-only row per checkpoint with rounds: the
        move a lapsed review makes, from the checkpoint's step back to it by the
        checkpoint's trigger, its wait a calendar wait (``CI_LAPSE`` points to it)."""
        rows_i, rows_f = [tr_i], [tr_f]
        names: list[tuple[str, str, str]] = []
        for c, cp in enumerate(self.pathway.checkpoints.values()):
            if cp.rounds is None:
                continue
            index = len(tr_i) + len(names)
            row = np.zeros((1, L.N_TI), dtype=np.int64)
            step = self.step_index[cp.step]
            row[0, [L.TI_SOURCE, L.TI_TARGET]] = step
            row[0, [L.TI_WAIT, L.TI_GUARD, L.TI_REBOOK_WAIT]] = -1
            row[0, L.TI_CAUSE] = WAIT_CAUSES.index("calendar")
            row[0, L.TI_KEY] = key_of(f"{cp.id}->lapsed")
            rows_i.append(row)
            rows_f.append(np.zeros((1, L.N_TF), dtype=np.float64))
            names.append((cp.id, cp.step, cp.step))
            cp_i[c, L.CI_LAPSE] = index
        return np.concatenate(rows_i), np.concatenate(rows_f), names

    def _checkpoint_of_step(self) -> list[int]:
        at = {cp.step: i for i, cp in enumerate(self.pathway.checkpoints.values())}
        return [at.get(step, -1) for step in self.step_ids]

    def _outgoing(self) -> tuple[IntArray, IntArray]:
        flat: list[int] = []
        ranges = np.zeros((len(self.step_ids), 2), dtype=np.int64)
        for i, step in enumerate(self.step_ids):
            ranges[i, 0] = len(flat)
            flat.extend(t.index for t in self.pathway.outgoing(step) if t.checkpoint is None)
            ranges[i, 1] = len(flat)
        return np.asarray(flat, dtype=np.int64).reshape(-1), ranges

    # ------------------------------------------------------------------ transitions

    def _guards(self) -> tuple[tuple[Expression, ...], dict[int, int]]:
        guards: list[Expression] = []
        guard_of: dict[int, int] = {}
        for t in self.pathway.transitions:
            if t.guard is not None and t.checkpoint is None:
                guard_of[t.index] = len(guards)
                guards.append(t.guard)
        return tuple(guards), guard_of

    def _transitions(self, guard_of: Mapping[int, int]) -> tuple[IntArray, FloatArray]:
        transitions = self.pathway.transitions
        tr_i = np.zeros((len(transitions), L.N_TI), dtype=np.int64)
        tr_f = np.zeros((len(transitions), L.N_TF), dtype=np.float64)
        for t in transitions:
            row = tr_i[t.index]
            row[L.TI_SOURCE] = self.step_index[t.source]
            row[L.TI_TARGET] = self.step_index[t.target]
            where = f"transitions[{t.index}].wait"
            row[L.TI_WAIT] = self._distribution(t.wait, where) if t.wait is not None else -1
            row[L.TI_CAUSE] = WAIT_CAUSES.index(t.cause)
            row[L.TI_HANDOFF] = HANDOFF_LEVELS.index(t.handoff)
            row[L.TI_KEY] = key_of(f"{t.trigger}->{t.target}")
            row[L.TI_GUARD] = guard_of.get(t.index, -1)
            row[L.TI_BOOKED] = int(t.declared_cause == "booking")
            where = f"transitions[{t.index}].rebook_wait"
            row[L.TI_REBOOK_WAIT] = self._distribution(t.rebook_wait, where)
            row[L.TI_DNA_LATER] = int(t.dna_applies == "booked_later")
            row[L.TI_DEMAND] = DEMANDS.index(t.demand) if t.demand is not None else -1
            tr_f[t.index, L.TF_WEIGHT] = max(t.weight, 0.0)
            tr_f[t.index, L.TF_DNA] = t.dna
            tr_f[t.index, L.TF_CHASE] = t.chase_after or 0.0
            tr_f[t.index, L.TF_REBOOK] = t.client_rebooks
        return tr_i, tr_f

    def _referrals(self, tr_i: IntArray) -> IntArray:
        """The referral-steps list (step indices; at least one entry so the table is
        never empty), each move's range of it in its row (TI_ALSO_START/END)."""
        steps: list[int] = []
        for t in self.pathway.transitions:
            tr_i[t.index, L.TI_ALSO_START] = len(steps)
            steps.extend(self.step_index[name] for name in t.also)
            tr_i[t.index, L.TI_ALSO_END] = len(steps)
        return np.asarray(steps or [0], dtype=np.int64)

    def _checkpoints(
        self,
    ) -> tuple[IntArray, IntArray, FloatArray, IntArray, tuple[Expression, ...]]:
        checkpoints = list(self.pathway.checkpoints.values())
        count = max(1, len(checkpoints))
        cp_i = np.zeros((count, L.N_CI), dtype=np.int64)
        cq_i = np.full((count, 2 * L.MAX_QUESTIONS), -1, dtype=np.int64)
        cq_f = np.zeros((count, L.MAX_QUESTIONS), dtype=np.float64)
        route: list[int] = []
        automatic: list[Expression] = []
        for c, cp in enumerate(checkpoints):
            if len(cp.questions) > L.MAX_QUESTIONS:
                raise cannot_simulate(
                    self.pathway.source,
                    f"checkpoints.{cp.id}.questions",
                    f"checkpoint {cp.id!r} has more questions than the simulator handles",
                    expected=f"at most {L.MAX_QUESTIONS} questions",
                    found=str(len(cp.questions)),
                )
            rounds = cp.rounds
            cp_i[c, : L.CI_ROUNDS] = (self.step_index[cp.step], len(cp.questions), len(route))
            cp_i[c, L.CI_ROUNDS] = self._rounds_calendar(rounds) if rounds is not None else -1
            cp_i[c, L.CI_PERSIST] = sum(1 << q for q, x in enumerate(cp.questions) if x.persists)
            cp_i[c, L.CI_LAPSE] = -1
            for q, question in enumerate(cp.questions):
                if question.expression is not None:
                    cq_i[c, q] = len(automatic)
                    automatic.append(question.expression)
                cq_i[c, L.MAX_QUESTIONS + q] = key_of(f"question:{cp.id}.{question.id}")
                cq_f[c, q] = question.p_yes
            for bits in range(2 ** len(cp.questions)):
                answers = {q.id: bool(bits >> i & 1) for i, q in enumerate(cp.questions)}
                route.append(cp.route_for(answers).transition)
        route_table = np.asarray(route or [0], dtype=np.int64)
        return cp_i, cq_i, cq_f, route_table, tuple(automatic)

    def _roles(self) -> tuple[IntArray, tuple[str, ...], tuple[int, ...]]:
        role_i = np.zeros((max(1, len(self.role_ids)), L.N_RI), dtype=np.int64)
        names: list[str] = []
        owners: list[int] = []
        for r, role in enumerate(self.pathway.roles.values()):
            within = -1 if role.named_within is None else round(role.named_within * 60)
            role_i[r] = (len(names), role.capacity, int(role.named), within)
            for k in range(role.capacity):
                names.append(f"{role.id}-{k + 1}")
                owners.append(r)
        return role_i, tuple(names), tuple(owners)

    # ----------------------------------------------------------------- distributions

    def _returns(self, row: IntArray, step: Step) -> None:
        """The step's returns after its outcome, in its row (SI_RET_*; none: chance 0)."""
        returns = step.returns
        row[L.SI_RET_P] = 0
        if returns is None:
            return
        row[L.SI_RET_P] = round(returns.probability * L.RET_SCALE)
        row[L.SI_RET_DIST] = self._distribution(returns.delay, f"steps.{step.id}.returns.after")
        row[L.SI_RET_DEMAND] = DEMANDS.index(returns.demand) + 1 if returns.demand else 0
        row[L.SI_RET_SAME] = int(returns.same_worker)

    def _distribution(self, dist: Distribution | None, field: str) -> int:
        if dist is None:
            return -1
        try:
            kind, params = _encode(dist, self.empirical_values, self.empirical_cum)
        except ValueError as error:
            raise cannot_simulate(self.pathway.source, field, str(error)) from None
        self.distributions.append((kind, params))
        return len(self.distributions) - 1

    def _distribution_tables(self) -> dict[str, npt.NDArray[Any]]:
        kinds = np.asarray([k for k, _ in self.distributions] or [0], dtype=np.int64)
        params = np.zeros((max(1, len(self.distributions)), 4), dtype=np.float64)
        for i, (_, values) in enumerate(self.distributions):
            params[i, :3] = values
        return {
            "dist_k": kinds,
            "dist_f": params,
            "emp_val": np.asarray(self.empirical_values or [0.0], dtype=np.float64),
            "emp_cum": np.asarray(self.empirical_cum or [1.0], dtype=np.float64),
        }

    # --------------------------------------------------------------------- calendars

    def _rounds_calendar(self, name: str) -> int:
        calendar = self.pathway.calendars[name]
        return self._calendar((self._windows(calendar), self._closures(calendar)))

    def _gate(
        self, step_calendar: str | None, role: str | None, field: str, rounds: str | None = None
    ) -> int:
        names = [step_calendar] if step_calendar else []
        role_calendar = self.pathway.roles[role].calendar if role is not None else None
        if role_calendar:
            names.append(role_calendar)
        if rounds and rounds not in names:
            names.append(rounds)
        if not names:
            return -1
        calendars = [self.pathway.calendars[name] for name in names]
        windows = self._windows(calendars[0])
        closures = set(self._closures(calendars[0]))
        for other in calendars[1:]:
            windows = _intersect(windows, self._windows(other))
            closures |= set(self._closures(other))
        if not windows:
            together = " and ".join(repr(n) for n in names)
            raise cannot_simulate(
                self.pathway.source,
                field if step_calendar else f"roles.{role}.calendar",
                f"calendars {together} are never open together: a step on them could never start",
                expected="calendars with some open time in common",
                found=together,
                suggestion="widen a calendar or give the step another role or calendar",
            )
        return self._calendar((windows, tuple(sorted(closures))))

    def _calendar(self, key: tuple[tuple[Window, ...], tuple[int, ...]]) -> int:
        if key not in self.calendar_index:
            self.calendar_index[key] = len(self.calendars)
            self.calendars.append(key)
        return self.calendar_index[key]

    def _windows(self, calendar: Calendar) -> tuple[Window, ...]:
        """The calendar's windows in the pathway's wall time (zones shifted at start)."""
        shift = _zone_shift(self.pathway.timezone, calendar.timezone, self.start)
        if shift == 0:
            return calendar.windows
        pieces: list[Window] = []
        for s, e in calendar.windows:
            s, e = (s + shift) % MINUTES_PER_WEEK, (s + shift) % MINUTES_PER_WEEK + (e - s)
            if e > MINUTES_PER_WEEK:
                pieces += [(s, MINUTES_PER_WEEK), (0, e - MINUTES_PER_WEEK)]
            else:
                pieces.append((s, e))
        return _merge(pieces)

    def _closures(self, calendar: Calendar) -> tuple[int, ...]:
        days = ((day - self.start).days for day in calendar.closures)
        return tuple(sorted(d for d in days if d >= 0))

    def _calendar_tables(self) -> dict[str, npt.NDArray[Any]]:
        cal_i = np.zeros((max(1, len(self.calendars)), L.N_CAL), dtype=np.int64)
        windows: list[Window] = []
        closures: list[int] = []
        for c, (wins, closed) in enumerate(self.calendars):
            cal_i[c] = (len(windows), len(wins), len(closures), len(closed))
            windows.extend(wins)
            closures.extend(closed)
        return {
            "cal_i": cal_i,
            "win": np.asarray(windows or [(0, 0)], dtype=np.float64).reshape(-1, 2),
            "clos": np.asarray(closures or [0], dtype=np.int64),
        }

    # ---------------------------------------------------------------------- arrivals

    def _arrivals(self) -> ArrivalPlan:
        declared = self.pathway.arrivals
        source = self.pathway.source
        if declared is None:
            raise cannot_simulate(
                source,
                "arrivals",
                f"pathway {self.pathway.id!r} declares no arrivals, so no case would arrive",
                expected="an arrivals section",
                suggestion="add for example 'arrivals: {rate: 12/d, calendar: office_hours}'",
            )
        if declared.times:
            return ArrivalPlan(0.0, -1, tuple(sorted(self._minutes(t) for t in declared.times)))
        spec = self.pathway.spec.arrivals
        text = str(spec.rate) if spec is not None else ""
        match = _RATE.fullmatch(text.lower())
        rate = declared.rate_per_minute or 0.0
        if not rate > 0 or not math.isfinite(rate):
            raise cannot_simulate(
                source,
                "arrivals.rate",
                "the arrival rate is zero, so no case would ever arrive",
                expected="a rate above zero, e.g. 12/d",
                found=text or "no rate",
            )
        if declared.calendar is None or match is None:
            return self._profiled(ArrivalPlan(rate, -1), ((0, MINUTES_PER_WEEK),))
        calendar = self.pathway.calendars[declared.calendar]
        windows = self._windows(calendar)
        key = (windows, self._closures(calendar))
        index = self._calendar(key)
        weekly = sum(e - s for s, e in windows)
        if weekly <= 0:
            raise cannot_simulate(
                source,
                "arrivals.calendar",
                f"the arrivals calendar {declared.calendar!r} is never open, so no case "
                "would ever arrive",
                expected="a calendar with open hours",
                found=declared.calendar,
            )
        count, unit = float(match.group(1)), RATE_UNITS[match.group(2)]
        if unit >= MINUTES_PER_WEEK:
            intensity = count * (MINUTES_PER_WEEK / unit) / weekly
        elif unit >= MINUTES_PER_DAY:
            intensity = count * (MINUTES_PER_DAY / unit) * _open_days(windows) / weekly
        else:
            intensity = count / unit
        return self._profiled(ArrivalPlan(intensity, index), windows)

    def _profiled(self, plan: ArrivalPlan, windows: Sequence[Window]) -> ArrivalPlan:
        """``plan`` with the pathway's arrival profile normalised over ``windows``."""
        declared = self.pathway.arrivals
        profile = declared.profile if declared is not None else None
        if profile is None:
            return plan
        pieces = week_pieces(profile, windows)
        if not pieces:
            raise cannot_simulate(
                self.pathway.source,
                "arrivals.profile",
                "the arrival profile weighs every open minute of the arrivals calendar 0, "
                "so no case would ever arrive",
                expected="a weight above zero at some open time",
                found="zero weight whenever the calendar is open",
            )
        months = month_factors(profile) if profile.by_month else ()
        return attrs.evolve(plan, pieces=pieces, months=months)

    def _minutes(self, text: str) -> float:
        moment = datetime.fromisoformat(text)
        if moment.utcoffset() is not None:
            moment = moment.astimezone(self.zone).replace(tzinfo=None)
        epoch = datetime.combine(self.start, time())
        return (moment - epoch) / timedelta(minutes=1)


def _encode(
    dist: Distribution, values: list[float], cum: list[float]
) -> tuple[int, tuple[float, float, float]]:
    """A duration distribution as (kind, three parameters) for the kernel's tables."""
    if isinstance(dist, Fixed):
        return L.D_FIXED, (dist.value, 0.0, 0.0)
    if isinstance(dist, Uniform):
        return L.D_UNIFORM, (dist.low, dist.high, 0.0)
    if isinstance(dist, Exponential):
        return L.D_EXPONENTIAL, (dist.mean_value, 0.0, 0.0)
    if isinstance(dist, Lognormal):
        return L.D_LOGNORMAL, (dist.mu, dist.sigma, 0.0)
    if isinstance(dist, Triangular):
        return L.D_TRIANGULAR, (dist.low, dist.mode, dist.high)
    if isinstance(dist, Empirical):
        first = len(values)
        running = 0.0
        for value, weight in zip(dist.values, dist.weights, strict=True):
            running += weight
            values.append(float(value))  # type: ignore[arg-type]
            cum.append(running)
        return L.D_EMPIRICAL, (float(first), float(len(dist.values)), 0.0)
    raise ValueError(f"the simulator cannot draw durations from {dist.describe()}")


def _merge(windows: Sequence[Window]) -> tuple[Window, ...]:
    merged: list[Window] = []
    for s, e in sorted(windows):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return tuple(merged)


def _intersect(a: Sequence[Window], b: Sequence[Window]) -> tuple[Window, ...]:
    """Minutes of the week open in both ``a`` and ``b`` (sorted, merged windows)."""
    out: list[Window] = []
    i = j = 0
    while i < len(a) and j < len(b):
        low, high = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if low < high:
            out.append((low, high))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return _merge(out)


def _open_days(windows: Sequence[Window]) -> int:
    """How many days of the week have some open time."""
    days: set[int] = set()
    for s, e in windows:
        days.update(range(s // MINUTES_PER_DAY, (e - 1) // MINUTES_PER_DAY + 1))
    return max(1, len(days))


def _zone_shift(pathway_zone: str, calendar_zone: str, start: date) -> int:
    """Minutes to add to a calendar's wall time to get the pathway's (at ``start``)."""
    if pathway_zone == calendar_zone:
        return 0
    noon = datetime.combine(start, time(12))
    ours = noon.replace(tzinfo=ZoneInfo(pathway_zone)).utcoffset() or timedelta()
    theirs = noon.replace(tzinfo=ZoneInfo(calendar_zone)).utcoffset() or timedelta()
    return round((ours - theirs) / timedelta(minutes=1))


def cannot_simulate(
    source: str,
    field: str,
    message: str,
    *,
    expected: str = "",
    found: str = "",
    suggestion: str = "",
) -> DefinitionError:
    """The error for a pathway file the simulator cannot run: one problem naming the
    file and the field (code ``cannot-simulate``)."""
    return DefinitionError(
        [
            Problem(
                message,
                source=source,
                field=field,
                expected=expected,
                found=found,
                suggestion=suggestion,
                code="cannot-simulate",
            )
        ]
    )


def _check_facts(plan: Plan) -> None:
    """Every fact a guard or automatic question reads needs a distribution; every
    problem is listed in one :class:`~pathway.errors.DefinitionError`."""
    drawn = {f.name for f in plan.facts if f.distribution is not None}
    declared = {f.name for f in plan.facts}
    problems: dict[str, Problem] = {}
    for expression in (*plan.guards, *plan.automatic):
        for name in sorted(expression.names):
            root = name.split(".")[0]
            fact = name if name in declared else root
            if name in drawn or root in drawn or fact not in declared or fact in problems:
                continue
            problems[fact] = Problem(
                f"fact {fact!r} has no distribution, but {expression.text!r} reads it, so "
                "the simulator cannot give synthetic cases a value for it",
                source=plan.source,
                field=f"facts.{fact}.distribution",
                expected="a distribution for the simulator",
                found="none",
                suggestion="declare one, e.g. 'distribution: {bernoulli: 0.5}'",
                code="cannot-simulate",
            )
    if problems:
        raise DefinitionError(list(problems.values()))
