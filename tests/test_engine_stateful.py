"""The live engine against a reference model, driven by hypothesis' stateful testing.

Each rule draws a command, valid or not (unknown and misspelled triggers, checkpoint
triggers fired directly, wrong roles, unknown workers, closed calendars, time going
backwards, DNAs of steps that are not visits, unknown failure demand, bad facts,
decisions at the wrong checkpoint, with missing, automatic or non-bool answers, PLAN
without a decision-maker or rationale). The reference model (tests/test_engine_support)
says whether the command must be refused and with which error type; a refused command
must leave the case exactly as it was (every field), an accepted one must move the case as the
reference does. After every step: same state, same measures, time never goes back, and
the JSON round trip rebuilds an identical journal.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

from pathway import Case, CheckpointError, CheckpointRuleError, FactError, TransitionError, Worker
from pathway._engine._machine import machine_for
from test_engine_support import (
    ENGINE_YAML,
    ERRORS,
    LONDON,
    ROSTER,
    WORKERS,
    Reference,
    facts_valid,
    guard_holds,
    load,
    measures_dict,
    next_clinic_open,
    utc,
)

P = load(ENGINE_YAML)
ALL_TRIGGERS = sorted(P.triggers)
# Friday 29 March 2024, 08:30: the clinic opens at 09:00 and the clocks go forward on
# Sunday 31 March, so journeys cross closed hours, weekends and a clock change.
START = datetime(2024, 3, 29, 8, 30, tzinfo=LONDON)
DELTAS = st.sampled_from([0, 1, 5, 30, 59, 60, 61, 120, 600, 1440, 2900, -1])
BY = st.sampled_from([*WORKERS, None, "w1", "x1", "ghost"])
FACT_UPDATES = st.fixed_dictionaries(
    {},
    optional={
        "needs_prescribing": st.booleans() | st.just(1),
        "age": st.integers(0, 99) | st.sampled_from([True, "40", 17.5, None]),
        "risk": st.sampled_from(["low", "high", "medium"]),
        "ages": st.integers(0, 99),
    },
)
INITIAL_FACTS = st.fixed_dictionaries(
    {
        "needs_prescribing": st.booleans(),
        "risk": st.sampled_from(["low", "high"]),
        "age": st.integers(10, 80),
    },
)
DATA = st.sampled_from([{}, {}, {"note": "phoned"}, {"items": ("a", 1)}, {"bad": float("nan")}])


class EngineMachine(RuleBasedStateMachine):
    case: Case
    ref: Reference

    @initialize(facts=INITIAL_FACTS)
    def start(self, facts: dict[str, Any]) -> None:
        self.case = P.new_case("case-1", facts, at=START, roster=ROSTER)
        self.ref = Reference(P, START, dict(facts))

    # -- helpers ------------------------------------------------------------------------

    def at(self, delta: int) -> datetime:
        return (self.ref.now + timedelta(minutes=delta)).astimezone(LONDON)

    def open_at(self, delta: int) -> datetime:
        """A time ``delta`` minutes on, moved to when the current step's calendar opens."""
        at = self.at(delta)
        return next_clinic_open(at) if self.ref.step.calendar else at

    def worker(self, by: Worker | str | None) -> tuple[Worker | None, bool]:
        """The worker ``by`` names, and whether it is known."""
        if isinstance(by, str):
            return (Worker(by, ROSTER[by]), True) if by in ROSTER else (None, False)
        return by, True

    def attempt(self, expected: set[type[Exception]], method: str, *args: Any, **kw: Any) -> bool:
        """Call ``case.<method>(*args, **kw)``: it must raise one of ``expected`` and change
        nothing, or succeed when ``expected`` is empty. Returns whether it succeeded."""
        before, last = _snapshot(self.case), self.case.journal[-1]
        try:
            getattr(self.case, method)(*args, **kw)
        except ERRORS as caught:
            error: Exception = caught
        else:
            assert not expected, f"accepted an invalid command; expected {expected}"
            event(f"{method}: accepted")
            return True
        assert expected, f"refused a valid command: {error}"
        assert type(error) in expected, f"{type(error).__name__}: {error}; want {expected}"
        assert str(error)
        assert _snapshot(self.case) == before
        assert self.case.journal[-1] is last
        event(f"{method}: refused with {type(error).__name__}")
        return False

    # -- rules --------------------------------------------------------------------------

    @rule(data=st.data(), delta=DELTAS)
    def progress(self, data: st.DataObject, delta: int) -> None:
        """A command likely to move the case on: the checkpoint's decision with full
        answers, or an allowed trigger by the owner while the calendar is open (perhaps
        after a DNA, a start of work, or a decision with one thing wrong)."""
        ref = self.ref
        if ref.step.visit and ref.started_at is None and data.draw(st.booleans()):
            self.did_not_attend(self.at(data.draw(st.sampled_from([0, 5, 30]))))  # rebooked
        at = self.open_at(delta)
        owners = [w for w in WORKERS if w.role == ref.step.role]
        by = data.draw(st.sampled_from(owners) | st.none()) if owners else None
        if owners and ref.started_at is None and data.draw(st.booleans()):
            self.begin(at, by)
            at = self.open_at(data.draw(DELTAS))
        if ref.step.checkpoint is not None and ref.facts.get("age") is None:
            self.update_facts(at, {"age": 40}, by)
        elif ref.step.checkpoint is not None and not (ref.allowed() and data.draw(st.booleans())):
            checkpoint, decider = ref.step.checkpoint, by or WORKERS[3]
            answers = data.draw(_answers(checkpoint, valid=True))
            mistake = data.draw(st.sampled_from(["none", "answers", "rationale", "decider"]))
            if mistake == "answers":  # first, an attempt with one thing wrong
                self.decide_now(checkpoint, data.draw(_answers(checkpoint)), at, decider, "ok")
            elif mistake != "none":
                rationale = " " if mistake == "rationale" else "ok"
                self.decide_now(
                    checkpoint, answers, at, None if mistake == "decider" else decider, rationale
                )
            self.decide_now(checkpoint, answers, at, decider, "agreed")
        elif ref.allowed():
            self.fire_now(data.draw(st.sampled_from(ref.allowed())), at, by, None, {})

    @rule(data=st.data(), delta=DELTAS, extra=DATA)
    def fire(self, data: st.DataObject, delta: int, extra: dict[str, Any]) -> None:
        ref = self.ref
        here = sorted({t.trigger for t in P.outgoing(ref.state)})
        choices = st.sampled_from([*ALL_TRIGGERS, "bogus", "asessed"])
        trigger = data.draw(st.sampled_from(here) | choices if here else choices)
        owners = [w for w in WORKERS if w.role == ref.step.role]
        by = data.draw(st.sampled_from(owners) | BY if owners else BY)
        to = data.draw(st.none() | st.none() | st.sampled_from(sorted(P.steps)))
        self.fire_now(trigger, self.at(delta), by, to, extra)

    def fire_now(
        self,
        trigger: str,
        at: datetime,
        by: Worker | str | None,
        to: str | None,
        extra: dict[str, Any],
    ) -> None:
        ref = self.ref
        worker, known = self.worker(by)

        moves = ref.moves(trigger)
        fitting = [t for t in moves if to is None or t.target == to]
        chosen = next((t for t in fitting if _guard(t, ref)), None)
        invalid = (
            utc(at) < ref.now
            or not moves
            or moves[0].checkpoint is not None
            or not known
            or not ref.role_fits(worker)
            or not ref.may_complete(at)
            or chosen is None
            or "bad" in extra
        )
        expected = {TransitionError} if invalid else set()
        if self.attempt(expected, "fire", trigger, at=at, by=by, to=to, **extra):
            assert chosen is not None
            ref.move(chosen, at, worker)

    @rule(data=st.data(), delta=DELTAS, by=BY)
    def aside(self, data: st.DataObject, delta: int, by: Worker | str | None) -> None:
        """Anything but a move: begin work, a DNA, failure demand, new facts."""
        kind = data.draw(st.sampled_from(["begin", "dna", "dna", "failure", "facts"]))
        if kind == "begin":
            self.begin(self.open_at(delta) if data.draw(st.booleans()) else self.at(delta), by)
        elif kind == "dna":
            self.did_not_attend(self.at(delta))
        elif kind == "failure":
            demand = data.draw(st.sampled_from(["chase", "re_presentation", "re_referral", "moan"]))
            self.failure_demand(self.at(delta), demand)
        else:
            self.update_facts(self.at(delta), data.draw(FACT_UPDATES), by)

    def begin(self, at: datetime, by: Worker | str | None) -> None:
        ref = self.ref
        worker, known = self.worker(by)
        invalid = (
            utc(at) < ref.now
            or ref.finished
            or ref.started_at is not None
            or not known
            or not ref.role_fits(worker)
            or not ref.calendar_open(at)
        )
        if self.attempt({TransitionError} if invalid else set(), "begin", at=at, by=by):
            ref.begin(at, worker)

    def did_not_attend(self, at: datetime) -> None:
        ref = self.ref
        invalid = (
            utc(at) < ref.now or not ref.step.visit or ref.finished or ref.started_at is not None
        )
        if self.attempt({TransitionError} if invalid else set(), "did_not_attend", at=at):
            ref.dna(at)

    def failure_demand(self, at: datetime, kind: str) -> None:
        ref = self.ref
        invalid = utc(at) < ref.now or kind == "moan"
        expected = {TransitionError} if invalid else set()
        if self.attempt(expected, "record_failure_demand", kind, at=at):
            ref.failure[kind] += 1
            ref.advance(at)

    def update_facts(self, at: datetime, facts: dict[str, Any], by: Worker | str | None) -> None:
        ref = self.ref
        _, known = self.worker(by)
        expected: set[type[Exception]] = set()
        if utc(at) < ref.now or not known:
            expected.add(TransitionError)
        if not facts_valid(facts):
            expected.add(FactError)
        if self.attempt(expected, "update_facts", at=at, by=by, **facts):
            ref.facts.update(facts)
            ref.advance(at)

    @rule(data=st.data(), delta=DELTAS, by=BY)
    def decide(self, data: st.DataObject, delta: int, by: Worker | str | None) -> None:
        here = self.ref.step.checkpoint
        names = [*sorted(P.checkpoints), "plan_chek"]
        checkpoint = data.draw(st.sampled_from([here, here, here, *names] if here else names))
        broken = _answers(checkpoint)
        answers = data.draw(st.one_of(broken, broken, _answers(checkpoint, valid=True)))
        rationale = data.draw(st.sampled_from(["clinically indicated", "ok", "", "   "]))
        self.decide_now(checkpoint, answers, self.at(delta), by, rationale)

    def decide_now(
        self,
        checkpoint: str,
        answers: dict[str, Any],
        at: datetime,
        by: Worker | str | None,
        rationale: str,
    ) -> None:
        ref = self.ref
        worker, known = self.worker(by)
        expected = self._decision_errors(checkpoint, answers, at, by, rationale, known)
        if self.attempt(expected, "decide", checkpoint, answers, at=at, by=by, rationale=rationale):
            target = ref.route(checkpoint, answers)
            route = next(t for t in ref.moves(checkpoint) if t.target == target)
            ref.decisions += 1
            ref.move(route, at, worker)

    def _decision_errors(
        self,
        checkpoint: str,
        answers: dict[str, Any],
        at: datetime,
        by: Worker | str | None,
        rationale: str,
        known: bool,
    ) -> set[type[Exception]]:
        ref, errors = self.ref, set()
        if utc(at) < ref.now or not known:
            errors.add(TransitionError)
        cp = P.checkpoints.get(checkpoint)
        if cp is None or cp.step != ref.state:
            errors.add(CheckpointError)
            return errors
        if cp.framework == "PLAN" and (by is None or not rationale.strip()):
            errors.add(CheckpointRuleError)
        worker = self.worker(by)[0]
        if worker is not None and worker.role not in cp.deciders:
            errors.add(CheckpointRuleError)  # only the step's owner may decide (issue 16)
        if not ref.may_complete(at):
            errors.add(TransitionError)
        person = {q.id for q in cp.questions if not q.automatic}
        wrong = set(answers) != person or any(not isinstance(v, bool) for v in answers.values())
        if wrong or (checkpoint == "review_check" and ref.facts.get("age") is None):
            errors.add(CheckpointError)
        return errors

    # -- invariants ---------------------------------------------------------------------

    @invariant()
    def same_state_as_reference(self) -> None:
        assert self.case.state == self.ref.state
        event(f"reached {self.case.state}")
        assert self.case.finished == self.ref.finished
        assert self.case.owner == self.ref.step.role
        assert self.case.allowed_triggers() == self.ref.allowed()

    @invariant()
    def measures_equal_reference(self) -> None:
        assert measures_dict(self.case) == self.ref.expected_measures()

    @invariant()
    def time_never_goes_back(self) -> None:
        times = [e.at for e in self.case.journal]
        assert times == sorted(times)
        assert times[-1] == self.ref.now

    @invariant()
    def json_round_trip_rebuilds_the_case(self) -> None:
        text = self.case.to_json()
        rebuilt = Case.from_json(P, text)
        assert list(rebuilt.journal) == list(self.case.journal)
        assert rebuilt.state == self.case.state
        assert rebuilt.to_json() == text

    @invariant()
    def machine_has_no_models(self) -> None:
        assert machine_for(P).models == []


def _snapshot(case: Case) -> tuple[Any, ...]:
    """Everything a case holds: its state, its journal's length and every private field
    (a refused command must not touch any of them). ``_built_upto`` only says how much
    of the journal has been read back as events, so reading may move it."""
    skipped = {"_events", "_built_upto"}
    fields = tuple(getattr(case, name) for name in Case.__slots__ if name not in skipped)
    return (case.state, len(case.journal), case.facts, fields)


def _guard(transition: Any, ref: Reference) -> bool:
    return guard_holds(transition, ref.facts)


def _answers(checkpoint: str, *, valid: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    """A complete, valid answer set for ``checkpoint``, or (``valid=False``) one with a
    single defect: an answer missing, an unknown question, an answer to an automatic
    question, or an answer that is not true/false."""
    cp = P.checkpoints.get(checkpoint)
    person = [q.id for q in cp.questions if not q.automatic] if cp else ["legal"]
    full = st.fixed_dictionaries(dict.fromkeys(person, st.booleans()))
    if valid:
        return st.just(dict.fromkeys(person, True)) | full
    defects = st.sampled_from(["drop", "unknown", "automatic", "not bool"])
    return st.tuples(full, defects, st.sampled_from(person)).map(_with_defect)


def _with_defect(drawn: tuple[dict[str, Any], str, str]) -> dict[str, Any]:
    answers, defect, question = drawn
    answers = dict(answers)
    if defect == "drop":
        del answers[question]
    elif defect == "unknown":
        answers["bogus"] = True
    elif defect == "automatic":
        answers["adult"] = True
    else:
        answers[question] = "yes"
    return answers


TestEngineStateful = EngineMachine.TestCase
TestEngineStateful.settings = settings(stateful_step_count=30, deadline=None)
