"""Which recorded journeys fit the declared pathway, and where each one departs from it.

Numbers and codes only (the words are in :mod:`pathway._report._conform`). A trace is a
case's journey in the log: its first step (``case_started``, else its first recorded
step), its moves (``transitioned`` events), the work done (``step_completed`` and
``step_started``) and whether it reached an outcome. Each departure is a
:class:`Deviation` of one kind:

* ``wrong_start``: the first step is not the pathway's start;
* ``undeclared_step``: a step the pathway does not declare;
* ``undeclared_move``: a move between declared steps that no transition allows, and
  that no declared path allows either;
* ``skipped_step``: a move no transition allows, where a declared path goes through
  other steps (``detail`` lists the skipped ones, on the shortest such path);
* ``no_outcome``: the journey did not reach an outcome step;
* ``wrong_role``: work recorded in a role other than the step's owner;
* ``calendar_shut``: work that began (or, without start times, ended) while the step's
  calendar (its own, else its owner role's) was shut;
* ``guard_false``: a move along a transition whose guard is false for the case's
  recorded facts (only when the facts name everything the guard reads).

A trace *fits* when it has no deviation; ``fitness`` is the share of traces that fit.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from pathway._journal._eventlog import NAT, EventLog, kind_code
from pathway._model._calendar import Calendar
from pathway._model._pathway import Pathway, Transition
from pathway.errors import ExpressionError

__all__ = ["DEVIATIONS", "Conformance", "Deviation", "TraceFit", "conformance"]

#: Every kind of deviation, in the order a journey meets them.
DEVIATIONS: tuple[str, ...] = (
    "wrong_start",
    "undeclared_step",
    "undeclared_move",
    "skipped_step",
    "guard_false",
    "wrong_role",
    "calendar_shut",
    "no_outcome",
)
_EXAMPLES = 3


@attrs.frozen
class Deviation:
    """One departure from the pathway: its kind, when (ns since 1970, NAT: at the end),
    the step it concerns, the step before (moves), and details (the skipped steps, the
    role found and the owner expected, the guard text...)."""

    kind: str
    at: int
    step: str
    source: str | None = None
    detail: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class TraceFit:
    """One case's journey against the pathway: its steps and its deviations in order."""

    case_id: str
    steps: tuple[str, ...]
    deviations: tuple[Deviation, ...]

    @property
    def fits(self) -> bool:
        """Whether the journey departs from the pathway nowhere."""
        return not self.deviations

    @property
    def first(self) -> Deviation | None:
        """The first departure, or ``None`` for a fitting journey."""
        return self.deviations[0] if self.deviations else None


@attrs.frozen
class KindCount:
    """How often a deviation kind occurs, in how many cases, with example case ids."""

    kind: str
    occurrences: int
    cases: int
    examples: tuple[str, ...]


@attrs.frozen
class Conformance:
    """Every trace's fit, the share that fit, and the deviation kinds ranked."""

    pathway_id: str
    traces: tuple[TraceFit, ...]
    ranked: tuple[KindCount, ...]

    @property
    def fitting(self) -> int:
        """How many traces fit."""
        return sum(trace.fits for trace in self.traces)

    @property
    def fitness(self) -> float:
        """The share of traces that fit (1.0 for an empty log)."""
        return self.fitting / len(self.traces) if self.traces else 1.0


def conformance(log: EventLog, pathway: Pathway) -> Conformance:
    """Check every case of ``log`` against ``pathway`` (see the module docstring)."""
    checker = _Checker(log, pathway)
    traces = tuple(checker.trace(case) for case in range(log.n_cases))
    return Conformance(pathway.id, traces, _ranked(traces))


def _ranked(traces: tuple[TraceFit, ...]) -> tuple[KindCount, ...]:
    counts: dict[str, int] = {}
    cases: dict[str, list[str]] = {}
    for trace in traces:
        for deviation in trace.deviations:
            counts[deviation.kind] = counts.get(deviation.kind, 0) + 1
            seen = cases.setdefault(deviation.kind, [])
            if not seen or seen[-1] != trace.case_id:
                seen.append(trace.case_id)
    order = sorted(counts, key=lambda k: (-counts[k], DEVIATIONS.index(k)))
    return tuple(KindCount(k, counts[k], len(cases[k]), tuple(cases[k][:_EXAMPLES])) for k in order)


def _moment(ns: int) -> datetime:
    return datetime.fromtimestamp(ns / 1e9, tz=UTC)


class _Checker:
    """Reads one case's rows at a time (rows are grouped by case)."""

    def __init__(self, log: EventLog, pathway: Pathway) -> None:
        self.log = log
        self.pathway = pathway
        self.starts, self.ends = log.case_bounds()
        self.steps = log.labels("step")
        self.roles = log.labels("role")
        self.facts = log.labels("facts")
        self.kinds = {
            kind_code(k): k
            for k in (
                "case_started",
                "facts_updated",
                "transitioned",
                "step_completed",
                "step_started",
                "outcome_reached",
            )
        }
        self.declared: dict[tuple[str, str], list[Transition]] = {}
        for transition in pathway.transitions:
            self.declared.setdefault((transition.source, transition.target), []).append(transition)
        self.calendars = {s: self._calendar(s) for s in pathway.steps}

    def _calendar(self, step_id: str) -> tuple[str, Calendar] | None:
        """The step's calendar (its own, else its owner's) and its name, when it shuts."""
        step = self.pathway.steps[step_id]
        name = step.calendar
        if name is None and step.role is not None and step.role in self.pathway.roles:
            name = self.pathway.roles[step.role].calendar
        calendar = self.pathway.calendars.get(name) if name else None
        if name is None or calendar is None or calendar.always_open:
            return None
        return name, calendar

    def _text(self, field: str, row: int, labels: tuple[str, ...]) -> str | None:
        code = int(self.log.codes[field][row])
        return labels[code] if code >= 0 else None

    def trace(self, case: int) -> TraceFit:
        log, pathway = self.log, self.pathway
        found: list[Deviation] = []
        steps: list[str] = []
        facts: dict[str, Any] = {}
        reached = False
        for row in range(int(self.starts[case]), int(self.ends[case])):
            kind = self.kinds.get(int(log.kind[row]))
            if kind is None:
                continue
            at = int(log.at[row])
            if kind in {"case_started", "facts_updated"}:
                text = self._text("facts", row, self.facts)
                facts.update(json.loads(text) if text else {})
            if kind == "case_started":
                step = self._text("step", row, self.steps) or ""
                steps.append(step)
                self._first(step, at, found)
            elif kind == "transitioned":
                source = self._text("source", row, self.steps) or ""
                target = self._text("target", row, self.steps) or ""
                if not steps:
                    steps.append(source)
                    self._first(source, at, found)
                steps.append(target)
                self._move(source, target, at, facts, found)
            elif kind in {"step_completed", "step_started"}:
                step = self._text("step", row, self.steps) or ""
                if not steps:
                    steps.append(step)
                    self._first(step, at, found)
                began = int(log.started[row]) if kind == "step_completed" else at
                self._work(step, self._text("role", row, self.roles), began, at, found)
            elif kind == "outcome_reached":
                reached = reached or (self._text("step", row, self.steps) in pathway.steps)
        if not reached:
            found.append(Deviation("no_outcome", NAT, steps[-1] if steps else ""))
        return TraceFit(log.case_ids[case], tuple(steps), tuple(found))

    def _first(self, step: str, at: int, found: list[Deviation]) -> None:
        if step not in self.pathway.steps:
            found.append(Deviation("undeclared_step", at, step))
        if step != self.pathway.start:
            found.append(
                Deviation("wrong_start", at, step, detail={"expected": self.pathway.start})
            )

    def _move(
        self, source: str, target: str, at: int, facts: Mapping[str, Any], found: list[Deviation]
    ) -> None:
        steps = self.pathway.steps
        if target not in steps:
            found.append(Deviation("undeclared_step", at, target, source))
            return
        if source not in steps:
            return  # already said: the step before was undeclared
        transitions = self.declared.get((source, target))
        if transitions is None:
            path = self._path(source, target)
            if path is None:
                found.append(Deviation("undeclared_move", at, target, source))
            else:
                found.append(Deviation("skipped_step", at, target, source, {"skipped": path}))
            return
        guarded = [t for t in transitions if t.guard is not None]
        if len(guarded) < len(transitions):
            return  # an unguarded transition allows the move
        verdicts = [self._guard(t, facts) for t in guarded]
        if verdicts and all(v is False for v in verdicts):
            guard = guarded[0].guard
            assert guard is not None
            detail = {"guard": str(guard), "facts": guard.values_used(facts)}
            found.append(Deviation("guard_false", at, target, source, detail))

    @staticmethod
    def _guard(transition: Transition, facts: Mapping[str, Any]) -> bool | None:
        """The guard's verdict on the recorded facts (``None``: the facts cannot tell)."""
        guard = transition.guard
        if guard is None or not all(name in facts for name in guard.names):
            return None
        try:
            return guard.test(facts)
        except ExpressionError:
            return None

    def _path(self, source: str, target: str) -> tuple[str, ...] | None:
        """The steps between ``source`` and ``target`` on the shortest declared path."""
        before: dict[str, str] = {}
        queue = deque([source])
        while queue:
            step = queue.popleft()
            for transition in self.pathway.outgoing(step):
                nxt = transition.target
                if nxt in before or nxt == source:
                    continue
                before[nxt] = step
                if nxt == target:
                    chain = []
                    at = before[target]
                    while at != source:
                        chain.append(at)
                        at = before[at]
                    return tuple(reversed(chain))
                queue.append(nxt)
        return None

    def _work(
        self, step: str, role: str | None, began: int, at: int, found: list[Deviation]
    ) -> None:
        declared = self.pathway.steps.get(step)
        if declared is None:
            return
        if role is not None and declared.role is not None and role != declared.role:
            found.append(
                Deviation("wrong_role", at, step, detail={"role": role, "owner": declared.role})
            )
        calendar = self.calendars.get(step)
        moment = began if began != NAT else at
        if calendar is not None and not calendar[1].is_open(_moment(moment)):
            found.append(Deviation("calendar_shut", moment, step, detail={"calendar": calendar[0]}))
