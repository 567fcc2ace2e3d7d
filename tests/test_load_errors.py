"""Every error ``pathway.load`` reports about a pathway file: message, code, field, position.

Each case edits the small valid pathway ``MINI`` below and checks the one problem it
causes. Line and column numbers were counted by hand in the edited text (1-based; a
problem about a value points at its first character, about a key at the key).
"""

from __future__ import annotations

import pytest

import pathway
from pathway import DefinitionError, Problem, SourceError
from shared_pathways import MINI_YAML

MINI = MINI_YAML
# fmt: on
STEPS = "'advice', 'assess', 'contact', 'doctor', 'done', 'plan'"
PLAN_CHECKPOINT = MINI[MINI.index("  plan_check:\n") :]
GENERIC_CHECKPOINT = """\
  plan_check:
    at: plan
    questions: {ok: {ask: person}}
    routes: [{when: ok, to: done}]
    otherwise: advice
"""


def edit(old: str, new: str, text: str = MINI) -> str:
    """``text`` with ``old`` (which must occur exactly once) replaced by ``new``."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def failure(text: str) -> DefinitionError:
    with pytest.raises(DefinitionError) as caught:
        pathway.load(text, name="p.yaml")
    return caught.value


def only(text: str) -> Problem:
    """The one error loading ``text`` reports."""
    problems = failure(text).problems
    assert len(problems) == 1, "\n".join(str(p) for p in problems)
    return problems[0]


def check(problem: Problem, code: str, field: str, line: int, column: int) -> None:
    assert (problem.code, problem.field, problem.line, problem.column) == (
        code,
        field,
        line,
        column,
    ), str(problem)
    assert problem.source == "p.yaml"
    assert problem.severity == "error"


def test_the_base_pathway_is_valid() -> None:
    loaded = pathway.load(MINI, name="p.yaml")
    assert loaded.id == "mini"
    assert [w.code for w in loaded.warnings] == ["handoff-without-wait"]


# ----------------------------------------------------------------------- references

UNKNOWN_REFERENCES = [
    # (old, new, kind, name, right, field, line, column)
    ("role: doctor,", "role: doctr,", "role", "doctr", "doctor", "steps.doctor.role", 19, 18),
    (
        "calendar: assess_days}",
        "calendar: asess_days}",
        "calendar",
        "asess_days",
        "assess_days",
        "steps.assess.calendar",
        17,
        63,
    ),
    (
        "duty: {team: front, organisation: hub}",
        "duty: {team: front, organisation: hub, calendar: assess_dys}",
        "calendar",
        "assess_dys",
        "assess_days",
        "roles.duty.calendar",
        9,
        52,
    ),
    ("from: assess,", "from: asess,", "step", "asess", "assess", "transitions[1].from", 24, 31),
    (
        "to: done}\n  - {trigger: prescribe",
        "to: don}\n  - {trigger: prescribe",
        "step",
        "don",
        "done",
        "transitions[3].to",
        26,
        38,
    ),
    ("at: plan", "at: plam", "step", "plam", "plan", "checkpoints.plan_check.at", 31, 9),
    (
        "proceed: doctor",
        "proceed: docter",
        "step",
        "docter",
        "doctor",
        "checkpoints.plan_check.proceed",
        32,
        14,
    ),
    (
        "if_not_legal: advice",
        "if_not_legal: advise",
        "step",
        "advise",
        "advice",
        "checkpoints.plan_check.if_not_legal",
        33,
        19,
    ),
    (
        "timezone: Europe/London",
        "timezone: Europe/London\nstart: contct",
        "step",
        "contct",
        "contact",
        "start",
        5,
        8,
    ),
    (
        "checkpoints:",
        "arrivals: {rate: 5/d, calendar: asses_days}\ncheckpoints:",
        "calendar",
        "asses_days",
        "assess_days",
        "arrivals.calendar",
        28,
        33,
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "kind", "name", "right", "field", "line", "column"),
    UNKNOWN_REFERENCES,
    ids=[case[5] for case in UNKNOWN_REFERENCES],
)
def test_unknown_reference(
    old: str, new: str, kind: str, name: str, right: str, field: str, line: int, column: int
) -> None:
    problem = only(edit(old, new))
    check(problem, "unknown-reference", field, line, column)
    assert problem.message == f"unknown {kind} {name!r}"
    assert problem.suggestion == f"did you mean {right!r}?"
    assert repr(right) in problem.expected


def test_unknown_step_in_a_checkpoint_route() -> None:
    text = edit(PLAN_CHECKPOINT, GENERIC_CHECKPOINT.replace("to: done", "to: dne"))
    problem = only(text)
    # line 32 is "    routes: [{when: ok, to: dne}]"
    check(problem, "unknown-reference", "checkpoints.plan_check.routes[0].to", 32, 29)
    assert problem.message == "unknown step 'dne'"
    assert problem.suggestion == "did you mean 'done'?"


def test_unknown_step_in_otherwise() -> None:
    text = edit(
        PLAN_CHECKPOINT, GENERIC_CHECKPOINT.replace("otherwise: advice", "otherwise: advce")
    )
    problem = only(text)
    check(problem, "unknown-reference", "checkpoints.plan_check.otherwise", 33, 16)
    assert problem.suggestion == "did you mean 'advice'?"


def test_a_mistyped_step_id_gives_one_line_with_file_line_column_and_the_right_id() -> None:
    error = failure(edit("from: assess,", "from: asess,"))
    assert len(error.problems) == 1
    assert str(error).splitlines() == [
        "p.yaml:24:31: error[unknown-reference] transitions[1].from: unknown step 'asess'; "
        f"expected one of {STEPS}; did you mean 'assess'?"
    ]


def test_an_unknown_name_with_nothing_close_suggests_declaring_it() -> None:
    problem = only(edit("from: assess,", "from: zzzzzz,"))
    assert problem.suggestion == "declare step 'zzzzzz' first"


# ----------------------------------------------------------------------- duplicates


def test_duplicate_yaml_key_is_an_error_naming_both_lines() -> None:
    text = edit("  done: {outcome: true}\n", "  done: {outcome: true}\n  done: {outcome: true}\n")
    with pytest.raises(SourceError) as caught:
        pathway.load(text, name="p.yaml")
    (problem,) = caught.value.problems
    check(problem, "duplicate-key", "steps.done", 21, 3)
    assert problem.message == "duplicate key 'done': it is already defined on line 20"


def test_duplicate_transition() -> None:
    text = edit(
        "  - {trigger: close, from: plan, to: done}\n",
        "  - {trigger: close, from: plan, to: done}\n  - {trigger: close, from: plan, to: done}\n",
    )
    problem = only(text)
    check(problem, "duplicate-transition", "transitions[4]", 27, 5)
    assert problem.message == "transition plan->done on 'close' is declared twice"
    assert problem.found == "the same as transitions[3] on line 26"


def test_two_checkpoints_at_one_step() -> None:
    text = MINI + "  second:\n    at: plan\n    questions: {ok: {ask: person}}\n"
    text += "    routes: [{when: ok, to: done}]\n    otherwise: advice\n"
    problem = only(text)
    check(problem, "duplicate-checkpoint", "checkpoints.second.at", 37, 9)
    assert problem.message == "step 'plan' already has checkpoint 'plan_check'"


# ----------------------------------------------------------------------- the graph


def test_unreachable_step() -> None:
    problem = only(
        edit("  advice: {outcome: true}\n", "  advice: {outcome: true}\n  lost: {role: duty}\n")
    )
    check(problem, "unreachable", "steps.lost", 22, 3)
    assert problem.message == "step 'lost' cannot be reached from 'contact'"


def test_step_with_no_way_to_an_outcome() -> None:
    text = edit("  advice: {outcome: true}\n", "  advice: {outcome: true}\n  limbo: {role: duty}\n")
    text = edit(
        "  - {trigger: prescribe, from: doctor, to: done}\n",
        "  - {trigger: prescribe, from: doctor, to: done}\n"
        "  - {trigger: stuck, from: plan, to: limbo}\n",
        text,
    )
    problem = only(text)
    check(problem, "no-way-out", "steps.limbo", 22, 3)
    assert problem.message == "step 'limbo' has no way to an outcome"


def test_no_outcome_step() -> None:
    text = edit(
        "  done: {outcome: true}\n  advice: {outcome: true}\n",
        "  done: {role: duty}\n  advice: {role: duty}\n",
    )
    problem = only(text)
    check(problem, "no-outcome", "steps", 16, 3)
    assert problem.message == "no outcome step: journeys could never end"


def test_outcome_step_with_a_way_out() -> None:
    text = edit(
        "  - {trigger: prescribe, from: doctor, to: done}\n",
        "  - {trigger: prescribe, from: doctor, to: done}\n"
        "  - {trigger: reopen, from: done, to: contact}\n",
    )
    problem = only(text)
    check(problem, "outcome-exit", "transitions[5]", 28, 5)
    assert problem.message == "outcome step 'done' has a way out"


# ----------------------------------------------------------------------- weights


def test_weights_that_do_not_sum_to_one() -> None:
    problem = only(
        edit(
            "{trigger: close, from: plan, to: done}",
            "{trigger: close, from: plan, to: done, p: 0.3}",
        )
    )
    check(problem, "weights", "transitions[2].p", 25, 95)
    assert problem.message == "probabilities of the transitions from 'plan' do not sum to 1"
    assert (problem.expected, problem.found) == ("a total of 1", "0.9")


def test_weights_that_leave_nothing_for_unweighted_transitions() -> None:
    problem = only(edit("p: 0.6}", "p: 1.0}"))
    check(problem, "weights", "transitions[2].p", 25, 95)
    assert problem.message == (
        "probabilities from 'plan' leave nothing for the 1 transition(s) without 'p'"
    )
    assert problem.found == "1"


def test_weight_out_of_range() -> None:
    problem = only(edit("p: 0.6}", "p: 1.5}"))
    check(problem, "out-of-range", "transitions[2].p", 25, 95)
    assert problem.expected == "a probability between 0 and 1"
    assert problem.found == "1.5 (number)"


# ----------------------------------------------------------------------- calendars


def test_calendar_with_no_open_time() -> None:
    problem = only(edit('"09:30-12:30"', '"closed"'))
    check(problem, "calendar-never-open", "calendars.assess_days.open", 7, 11)
    assert problem.message == "calendar 'assess_days' is never open"


def test_calendar_hours_that_do_not_parse_point_at_the_day() -> None:
    problem = only(edit('"09:30-12:30"', '"9.30-12"'))
    check(problem, "invalid-calendar", "calendars.assess_days.open.tue, thu", 7, 24)
    assert problem.message == "not valid opening hours"
    assert problem.expected == "a time range like '09:30-12:30'"


# ----------------------------------------------------------------------- expressions


def test_guard_over_undeclared_fact_quoted_points_into_the_expression() -> None:
    problem = only(edit("and age >=", "and agee >="))
    # '  - {trigger: see_doctor, from: plan, to: doctor, when: "' is 57 characters,
    # 'needs_prescribing and ' 22 more: 'agee' starts at column 80.
    check(problem, "undeclared-name", "transitions[2].when", 25, 80)
    assert problem.message == "fact 'agee' is not declared"
    assert problem.suggestion == "did you mean 'age'?"
    assert problem.expected == "one of age, needs_prescribing"


def test_guard_over_undeclared_fact_unquoted_points_into_the_expression() -> None:
    problem = only(edit('"needs_prescribing and age >= 18"', "needs_prescribing and agee >= 18"))
    check(problem, "undeclared-name", "transitions[2].when", 25, 79)
    assert problem.message == "fact 'agee' is not declared"


def test_guard_in_a_block_scalar_points_at_the_right_line() -> None:
    text = edit(
        MINI.splitlines(keepends=True)[24],
        "  - trigger: see_doctor\n    from: plan\n    to: doctor\n    p: 0.6\n"
        "    when: >-\n      needs_prescribing\n      and agee >= 18\n",
    )
    problem = only(text)
    # line 31 is "      and agee >= 18"
    check(problem, "undeclared-name", "transitions[2].when", 31, 11)


def test_guard_that_is_a_number_fact_cannot_be_true_or_false() -> None:
    problem = only(edit("and age >= 18", "and age"))
    check(problem, "not-true-false", "transitions[2].when", 25, 80)
    assert problem.message == "the expression must give true or false, but 'age' is an int fact"


def test_guard_that_is_arithmetic_points_at_the_operator() -> None:
    problem = only(edit("and age >= 18", "and age + 1"))
    check(problem, "not-true-false", "transitions[2].when", 25, 84)
    assert (
        problem.message == "the expression must give true or false, but '+' gives a number or text"
    )


def test_a_true_false_fact_alone_is_a_guard() -> None:
    assert pathway.load(edit("needs_prescribing and age >= 18", "not needs_prescribing"))


def test_unparseable_expression() -> None:
    problem = only(edit("and age >=", "and and age >="))
    # the second 'and' starts where 'agee' did above
    check(problem, "invalid-expression", "transitions[2].when", 25, 80)
    assert problem.message == "expected a value, found 'and'"


def test_route_over_undeclared_question() -> None:
    problem = only(edit(PLAN_CHECKPOINT, GENERIC_CHECKPOINT.replace("when: ok,", "when: okk,")))
    check(problem, "undeclared-name", "checkpoints.plan_check.routes[0].when", 32, 21)
    assert problem.message == "question 'okk' is not declared"
    assert problem.suggestion == "did you mean 'ok'?"


# ----------------------------------------------------------------------- durations


DURATION_TEXT = "  contact: {role: duty, visit: true, duration: "  # the value is at column 48


def test_unparseable_duration_suggests_the_unit() -> None:
    problem = only(edit("duration: 10m", "duration: 10 minutes"))
    check(problem, "invalid-duration", "steps.contact.duration", 16, 48)
    assert problem.message == "not a valid duration"
    assert problem.expected == "a duration like '45m', '2h', '3d', '1w' or '1h 45m'"
    assert problem.found == "'10 minutes'"
    assert problem.suggestion == "did you mean '10m'?"
    assert str(problem).count("found") == 1


def test_bare_number_duration() -> None:
    problem = only(edit("duration: 10m", "duration: 10"))
    check(problem, "invalid-duration", "steps.contact.duration", 16, 48)
    assert problem.found == "the bare number 10"
    assert problem.suggestion == "add a unit, e.g. '10m'"


def test_lognormal_median_not_below_p90() -> None:
    problem = only(edit("duration: 10m", "duration: {lognormal: {median: 2h, p90: 1h}}"))
    check(problem, "invalid-distribution", "steps.contact.duration", 16, 48)
    assert problem.message == "not a valid lognormal distribution"
    assert problem.expected == "0 < median < p90"
    assert problem.found == "median 2h, p90 1h"


def test_unknown_distribution_kind_suggests_the_right_one() -> None:
    problem = only(edit("uniform: [1d, 5d]", "unifrom: [1d, 5d]"))
    check(problem, "invalid-distribution", "transitions[0].wait", 23, 55)
    assert problem.message == "not a valid distribution"
    assert problem.found == "'unifrom'"
    assert problem.suggestion == "did you mean 'uniform'?"


def test_fact_distribution_that_does_not_parse() -> None:
    problem = only(edit("{bernoulli: 0.6}", "{bernoulli: 1.6}"))
    # '  needs_prescribing: {type: bool, distribution: ' is 48 characters
    check(problem, "invalid-distribution", "facts.needs_prescribing.distribution", 13, 49)
    assert problem.message == "not a valid bernoulli distribution"
    assert problem.expected == "a probability between 0 and 1"


def test_fact_distribution_of_the_wrong_kind_for_the_fact_type() -> None:
    problem = only(edit("age: {type: int}", "age: {type: int, distribution: {uniform: [18, 70]}}"))
    check(problem, "fact-distribution-type", "facts.age.distribution", 14, 34)
    assert problem.message == "an int fact cannot be drawn from uniform 18 to 70"
    assert problem.expected == "a randint distribution, or fixed or empirical"


def test_fixed_fact_value_of_the_wrong_type() -> None:
    problem = only(edit("age: {type: int}", "age: {type: int, distribution: {fixed: 4.5}}"))
    check(problem, "fact-value-type", "facts.age.distribution", 14, 34)
    assert problem.message == "4.5 is not an int"


def test_declared_fact_value_of_the_wrong_type() -> None:
    problem = only(edit("age: {type: int}", "age: {type: int, values: [1, a]}"))
    check(problem, "fact-value-type", "facts.age.values[1]", 14, 32)
    assert problem.message == "'a' is not an int"


def test_arrival_rate_that_does_not_parse() -> None:
    problem = only(edit("checkpoints:", "arrivals: {rate: 5/hour}\ncheckpoints:"))
    check(problem, "invalid-rate", "arrivals.rate", 28, 18)
    assert problem.suggestion == "did you mean '5/h'?"


# ----------------------------------------------------------------------- checkpoints


def test_plan_checkpoint_missing_a_question() -> None:
    text = edit(
        "    framework: PLAN\n",
        "    framework: PLAN\n    questions: {legal: {ask: person}, necessary: {ask: person}, "
        "proportionate: {ask: person}}\n",
    )
    problem = only(text)
    check(problem, "plan-missing-question", "checkpoints.plan_check.questions", 31, 16)
    assert problem.message == "PLAN checkpoint is missing question 'accountable'"


def test_plan_checkpoint_missing_several_questions_is_one_problem() -> None:
    problem = only(
        edit(
            "    framework: PLAN\n", "    framework: PLAN\n    questions: {legal: {ask: person}}\n"
        )
    )
    check(problem, "plan-missing-question", "checkpoints.plan_check.questions", 31, 16)
    assert problem.message == (
        "PLAN checkpoint is missing questions 'proportionate', 'accountable' and 'necessary'"
    )
    assert problem.suggestion.startswith("add 'proportionate: {ask: person}, accountable: ")


def test_checkpoint_at_an_outcome_step_is_one_problem() -> None:
    problem = only(edit("    at: plan\n", "    at: done\n"))
    check(problem, "outcome-exit", "checkpoints.plan_check.at", 31, 9)
    assert problem.message == "outcome step 'done' has a way out"


def test_plan_checkpoint_missing_a_route() -> None:
    problem = only(edit("    if_not_necessary: advice\n", ""))
    check(problem, "plan-missing-route", "checkpoints.plan_check", 30, 5)
    assert problem.message == "PLAN checkpoint is missing route 'if_not_necessary'"


def test_plan_checkpoint_with_routes() -> None:
    problem = only(
        edit(
            "    if_not_proportionate: done\n",
            "    if_not_proportionate: done\n    routes: [{when: legal, to: done}]\n",
        )
    )
    check(problem, "plan-field", "checkpoints.plan_check.routes", 36, 13)
    assert problem.message == "PLAN checkpoints do not take 'routes'"


def test_plan_routes_on_a_generic_checkpoint() -> None:
    problem = only(edit(PLAN_CHECKPOINT, GENERIC_CHECKPOINT + "    proceed: done\n"))
    check(problem, "plan-field", "checkpoints.plan_check.proceed", 34, 14)
    assert problem.suggestion == "add 'framework: PLAN', or use 'routes' and 'otherwise'"


def test_generic_checkpoint_without_otherwise() -> None:
    problem = only(edit(PLAN_CHECKPOINT, GENERIC_CHECKPOINT.replace("    otherwise: advice\n", "")))
    check(problem, "missing-otherwise", "checkpoints.plan_check", 30, 5)
    assert problem.message == "a checkpoint needs an 'otherwise' route"


def test_question_both_automatic_and_asked() -> None:
    text = edit(
        PLAN_CHECKPOINT,
        GENERIC_CHECKPOINT.replace("{ask: person}", "{ask: person, when: age > 17}"),
    )
    problem = only(text)
    check(problem, "question-mode", "checkpoints.plan_check.questions.ok", 31, 21)
    assert problem.message == "question 'ok' must be either automatic or asked of a person"


def test_question_neither_automatic_nor_asked() -> None:
    problem = only(edit(PLAN_CHECKPOINT, GENERIC_CHECKPOINT.replace("{ask: person}", "{text: ok}")))
    check(problem, "question-mode", "checkpoints.plan_check.questions.ok", 31, 21)


def test_checkpoint_without_questions() -> None:
    text = edit(
        PLAN_CHECKPOINT, GENERIC_CHECKPOINT.replace("    questions: {ok: {ask: person}}\n", "")
    )
    error = failure(text)
    assert [p.code for p in error.problems] == ["no-questions", "undeclared-name"]
    check(error.problems[0], "no-questions", "checkpoints.plan_check", 30, 5)


# ----------------------------------------------------------------------- visits


def test_dna_on_a_step_that_is_not_a_visit() -> None:
    problem = only(edit("to: plan}", "to: plan, dna: 0.1}"))
    check(problem, "dna-not-visit", "transitions[1].dna", 24, 54)
    assert problem.message == "'dna' applies to the next visit, but step 'plan' is not a visit"


def test_client_rebooks_without_dna() -> None:
    problem = only(edit("to: plan}", "to: plan, client_rebooks: 0.4}"))
    check(problem, "rebook-without-dna", "transitions[1].client_rebooks", 24, 65)
    assert problem.message == (
        "'client_rebooks' says who rebooks a missed visit, but this move has no 'dna'"
    )
    assert problem.found == "client_rebooks: 0.4 with dna: None"
    assert "add 'dna: <probability>'" in (problem.suggestion or "")


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("dna_applies", "booked_later", "when a missed visit can happen"),
        ("rebook_wait", "1d", "the wait after a missed visit"),
    ],
)
def test_missed_visit_fields_without_dna(field: str, value: str, says: str) -> None:
    problem = only(edit("to: plan}", f"to: plan, {field}: {value}}}"))
    check(problem, "dna-field-without-dna", f"transitions[1].{field}", 24, 62)
    assert problem.message == f"'{field}' says {says}, but this move has no 'dna'"
    assert problem.found == f"{field}: {value} with dna: None"


# ----------------------------------------------------------------------- shape


def test_unknown_key_in_a_step_points_at_the_key() -> None:
    problem = only(
        edit("  plan: {role: worker, duration: 5m}", "  plan: {role: worker, duraton: 5m}")
    )
    check(problem, "unknown-key", "steps.plan.duraton", 18, 24)
    assert problem.message == "unknown key 'duraton'"
    assert problem.suggestion == "did you mean 'duration'?"
    assert "duration" in problem.expected


def test_unknown_top_level_key() -> None:
    problem = only(edit("title: Mini\n", "title: Mini\ntitel: again\n"))
    check(problem, "unknown-key", "titel", 3, 1)
    assert problem.suggestion == "did you mean 'title'?"


def test_misspelled_required_key_is_one_problem_not_two() -> None:
    # without 'role' the step has no owner too, but that is the same mistake
    problem = only(edit("role: doctor,", "rol: doctor,"))
    check(problem, "unknown-key", "steps.doctor.rol", 19, 12)
    assert problem.suggestion == "did you mean 'role'?"


def test_version_as_a_number_suggests_quoting_it_as_written() -> None:
    problem = only(edit('version: "1"', "version: 1.10"))
    check(problem, "wrong-type", "version", 3, 10)
    assert problem.message == "wrong type of value"
    assert problem.expected == "text"
    assert problem.found == "1.10 (number)"
    assert problem.suggestion == 'put the value in quotes: "1.10"'


def test_yes_for_a_boolean_explains_yaml_1_2() -> None:
    problem = only(edit("visit: true, duration: 10m", "visit: yes, duration: 10m"))
    check(problem, "wrong-type", "steps.contact.visit", 16, 32)
    assert problem.expected == "true or false"
    assert "YAML 1.2" in problem.suggestion


def test_work_class_not_allowed_suggests_the_closest() -> None:
    problem = only(
        edit("  plan: {role: worker, duration: 5m}", "  plan: {role: worker, work: wast1}")
    )
    check(problem, "invalid-value", "steps.plan.work", 18, 30)
    assert problem.expected == "one of value, waste1, waste2, waste3"
    assert problem.suggestion == "did you mean 'waste1'?"


def test_unsupported_format_version() -> None:
    problem = only(edit("id: mini\n", "id: mini\nformat: 3\n"))
    check(problem, "invalid-value", "format", 2, 9)
    assert problem.expected == "one of 1, 2"


def test_a_version_1_file_loads_the_same_as_version_2() -> None:
    """Format 2 reads every version-1 file; only the declared version differs."""
    old = pathway.load(MINI)
    new = pathway.load(MINI.replace("id: mini\n", "id: mini\nformat: 2\n"))
    assert new.spec.model_dump(exclude={"format"}) == old.spec.model_dump(exclude={"format"})
    assert (old.spec.format, new.spec.format) == (1, 2)


def test_no_steps_is_one_problem_not_one_per_reference() -> None:
    text = MINI[: MINI.index("steps:\n")] + "steps: {}\n" + MINI[MINI.index("transitions:\n") :]
    problem = only(text)
    check(problem, "no-steps", "steps", 15, 8)
    assert problem.message == "a pathway needs at least one step"


def test_bad_timezone_suggests_the_closest() -> None:
    problem = only(edit("timezone: Europe/London", "timezone: Europe/Londn"))
    check(problem, "invalid-timezone", "timezone", 4, 11)
    assert problem.message == "not a valid time zone"
    assert problem.found == "'Europe/Londn'"
    assert problem.suggestion == "did you mean 'Europe/London'?"


@pytest.mark.parametrize("zone", ["Europe", "utc", "", "../../etc/passwd", "x" * 300])
def test_odd_timezones_are_problems_not_crashes(zone: str) -> None:
    problem = only(edit("timezone: Europe/London", f"timezone: '{zone}'"))
    check(problem, "invalid-timezone", "timezone", 4, 11)


def test_timezone_in_the_wrong_case_suggests_the_right_case() -> None:
    problem = only(edit("timezone: Europe/London", "timezone: europe/london"))
    assert problem.suggestion == "did you mean 'Europe/London'?"


def test_step_id_that_is_not_an_id_points_at_the_key_and_causes_nothing_else() -> None:
    error = failure(MINI.replace("advice", "the-advice"))
    found = [(p.code, p.field, p.line, p.column) for p in error.problems]
    assert found == [
        ("invalid-id", "steps.the-advice", 21, 3),
        ("invalid-id", "checkpoints.plan_check.if_not_legal", 33, 19),
        ("invalid-id", "checkpoints.plan_check.if_not_necessary", 34, 23),
    ]
    first = error.problems[0]
    assert first.message == "'the-advice' is not a valid id"
    assert first.suggestion == "use letters, digits and underscores, e.g. 'the_advice'"


def test_pathway_id_must_be_a_slug() -> None:
    problem = only(edit("id: mini", "id: Mini Hub"))
    check(problem, "invalid-id", "id", 1, 5)
    assert problem.suggestion == "e.g. 'mini-hub'"


@pytest.mark.parametrize(
    ("old", "new", "key", "field", "line", "column"),
    [
        ("title: Mini\n", "", "title", "(top level)", 1, 1),
        (
            "duty: {team: front, organisation: hub}",
            "duty: {organisation: hub}",
            "team",
            "roles.duty",
            9,
            9,
        ),
        (
            "{trigger: assessed, from: assess, to: plan}",
            "{from: assess, to: plan}",
            "trigger",
            "transitions[1]",
            24,
            5,
        ),
        ("    at: plan\n", "", "at", "checkpoints.plan_check", 30, 5),
    ],
)
def test_missing_required_key(
    old: str, new: str, key: str, field: str, line: int, column: int
) -> None:
    problem = only(edit(old, new))
    check(problem, "missing-key", field, line, column)
    assert problem.message == f"missing required key {key!r}"
    assert problem.suggestion == f"add '{key}: ...'"


def test_transition_that_is_not_a_mapping() -> None:
    problem = only(edit("  - {trigger: prescribe, from: doctor, to: done}\n", "  - prescribe\n"))
    check(problem, "wrong-type", "transitions[4]", 27, 5)
    assert problem.expected == "a mapping (key: value lines)"
    assert problem.found == "'prescribe' (text)"


def test_quoted_number_for_a_probability_suggests_removing_the_quotes() -> None:
    problem = only(edit("p: 0.6}", "p: '0.6'}"))
    check(problem, "wrong-type", "transitions[2].p", 25, 95)
    assert problem.suggestion == "remove the quotes"


# ----------------------------------------------------------------------- all at once


def test_several_mistakes_are_all_reported_in_one_error_in_file_order() -> None:
    text = edit('version: "1"', "version: 1.10")
    text = edit("role: doctor,", "role: doctr,", text)
    text = edit("duration: 5m", "duration: 5 mins", text)
    text = edit("to: done}\n  - {trigger: prescribe", "to: don}\n  - {trigger: prescribe", text)
    text = edit("and age", "and agee", text)
    text = edit("  plan: {role: worker,", "  plan: {role: worker, colour: red,", text)
    error = failure(text)
    found = [(p.code, p.field, p.line, p.column) for p in error.problems]
    assert found == [
        ("wrong-type", "version", 3, 10),
        ("unknown-key", "steps.plan.colour", 18, 24),
        ("invalid-duration", "steps.plan.duration", 18, 47),
        ("unknown-reference", "steps.doctor.role", 19, 18),
        ("undeclared-name", "transitions[2].when", 25, 80),
        ("unknown-reference", "transitions[3].to", 26, 38),
    ]
    lines = str(error).splitlines()
    assert lines[0] == "6 errors in pathway definition:"
    assert all(line.startswith("p.yaml:") for line in lines[1:])


def test_problems_from_mappings_have_fields_but_no_positions() -> None:
    import yaml

    data = yaml.safe_load(edit("role: doctor,", "role: doctr,"))
    with pytest.raises(DefinitionError) as caught:
        pathway.load(data)
    (problem,) = caught.value.problems
    assert (problem.source, problem.line, problem.column) == ("<mapping>", 0, 0)
    assert problem.field == "steps.doctor.role"
    assert str(problem).startswith("<mapping>: error[unknown-reference] steps.doctor.role:")


# ----------------------------------------------------------------------- warnings


def test_handoff_without_a_wait_is_a_warning_with_a_position() -> None:
    loaded = pathway.load(edit("wait: {uniform: [1d, 5d]}, ", ""), name="p.yaml")
    first = loaded.warnings[0]
    assert (first.severity, first.code, first.field) == (
        "warning",
        "handoff-without-wait",
        "transitions[0]",
    )
    assert (first.line, first.column) == (23, 5)
    assert first.message == (
        "hand-off (team) from 'contact' to 'assess' has no declared wait; "
        "simulation will assume the next owner starts at once"
    )
    assert str(first).startswith("p.yaml:23:5: warning[handoff-without-wait] transitions[0]:")


def test_warnings_travel_with_errors_but_apart() -> None:
    text = edit("wait: {uniform: [1d, 5d]}, ", "")
    error = failure(edit("role: doctor,", "role: doctr,", text))
    assert [p.code for p in error.problems] == ["unknown-reference"]
    assert all(w.severity == "warning" for w in error.warnings)


def test_a_route_that_cannot_declare_a_wait_gives_no_warning() -> None:
    # PLAN's 'proceed: doctor' is a hand-off too, but a PLAN route has nowhere to put a wait
    loaded = pathway.load(MINI, name="p.yaml")
    assert [w.field for w in loaded.warnings] == ["transitions[2]"]


# ----------------------------------------------------------------------- hostile input


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"id: !!python/object/apply:os.system ['echo hi']\n", "unsafe-tag"),
        (
            b"a: &a [x, x, x, x, x, x, x, x, x]\n"
            + b"".join(
                b"%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n"
                % ((98 + i, 98 + i) + (97 + i,) * 9)
                for i in range(8)
            ),
            "too-many-aliases",
        ),
        (b"a: " + b"[" * 200 + b"]" * 200 + b"\n", "too-deep"),
        (b"id: x\x00y\n", "binary"),
        (b"", "empty"),
        (b"# nothing here\n\n", "empty"),
        ("title: caf\xe9\n".encode("latin-1"), "encoding"),
        (b"- a\n- b\n", "not-a-mapping"),
    ],
    ids=[
        "python-tag",
        "billion-laughs",
        "too-deep",
        "binary",
        "empty",
        "comments",
        "latin-1",
        "list",
    ],
)
def test_hostile_input_is_a_source_error_naming_the_file(
    tmp_path: object, data: bytes, code: str
) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    path = tmp_path / "hostile.yaml"
    path.write_bytes(data)
    with pytest.raises(SourceError) as caught:
        pathway.load(path)
    problem = caught.value.problems[0]
    assert problem.code == code
    assert problem.source == str(path)
    assert str(caught.value).startswith(str(path))


def test_a_missing_file_names_the_file() -> None:
    with pytest.raises(SourceError) as caught:
        pathway.load("no/such/pathway.yaml")
    (problem,) = caught.value.problems
    assert problem.code == "file-not-found"
    assert "no/such/pathway.yaml" in problem.message


# ------------------------------------------------------------- limits (issue 12)


def test_a_capacity_over_the_limit_names_the_field_and_the_limit() -> None:
    problem = only(edit("duty: {team: front, organisation: hub}", "duty: {team: front, "
                        "organisation: hub, capacity: 100000000}"))  # fmt: skip
    check(problem, "out-of-range", "roles.duty.capacity", 9, 52)
    assert problem.expected == "at most 1000"


@pytest.mark.parametrize(
    ("digits", "field"),
    [
        ("1" + "0" * 300, "steps.contact.duration"),
        ("0x" + "f" * 400, "steps.contact.duration"),
    ],
)
def test_huge_numbers_are_located_problems_not_crashes(digits: str, field: str) -> None:
    problems = failure(edit("duration: 10m", f"duration: {digits}")).problems
    assert [(p.code, p.field, p.line) for p in problems] == [("bad-value", field, 16)]
    assert problems[0].message == "number too large"


def test_huge_numbers_where_text_is_expected_say_to_quote() -> None:
    (problem,) = failure(edit("title: Mini", "title: 0x" + "f" * 5000)).problems
    assert (problem.code, problem.field) == ("bad-value", "title")
    assert "quotes" in problem.suggestion
    assert len(str(problem)) < 400


def test_too_many_questions_names_the_checkpoint_and_the_limit() -> None:
    questions = ", ".join(f"q{i}: {{ask: person}}" for i in range(8)) + ", ok: {ask: person}"
    text = edit(PLAN_CHECKPOINT, GENERIC_CHECKPOINT).replace(
        "questions: {ok: {ask: person}}", f"questions: {{{questions}}}"
    )
    problem = only(text)
    assert (problem.code, problem.field) == ("too-many-items", "checkpoints.plan_check.questions")
    assert (problem.expected, problem.found) == ("at most 8 entries", "9 entries")


def test_a_list_over_the_limit_names_the_field() -> None:
    collects = ", ".join(["x"] * 1001)
    problem = only(edit("duration: 10m}", f"duration: 10m, collects: [{collects}]}}"))
    assert (problem.code, problem.field) == ("too-many-items", "steps.contact.collects")
    assert problem.expected == "at most 1,000 items"


@pytest.mark.parametrize(
    ("arrivals", "expected"),
    [
        ("{rate: 1000000/s}", "a rate of at most 100,000 per day"),
        ("{rate: 100001/d}", "a rate of at most 100,000 per day"),
    ],
)
def test_arrival_rates_that_would_explode_are_refused(arrivals: str, expected: str) -> None:
    problem = only(MINI + f"arrivals: {arrivals}\n")
    assert (problem.code, problem.field, problem.expected) == (
        "invalid-rate",
        "arrivals.rate",
        expected,
    )


def test_the_highest_rate_loads() -> None:
    assert pathway.load(MINI + "arrivals: {rate: 100000/d}\n").arrivals is not None


@pytest.mark.parametrize(
    "duration",
    [
        "{lognormal: {median: 0.0000001s, p90: 99w}}",
        "{lognormal: {mean: 1s, sd: 5000w}}",
    ],
)
def test_lognormals_too_wide_to_draw_are_refused(duration: str) -> None:
    problem = only(edit("duration: 10m", f"duration: {duration}"))
    assert (problem.code, problem.field) == ("invalid-distribution", "steps.contact.duration")
    assert "100,000 times" in problem.expected


def test_fact_numbers_beyond_the_limit_are_refused() -> None:
    problem = only(edit("age: {type: int}", "age: {type: float, distribution: "
                        "{normal: {mean: 1e300, sd: 1}}}"))  # fmt: skip
    assert (problem.code, problem.field) == ("invalid-distribution", "facts.age.distribution")


def test_closures_over_the_total_limit_are_refused() -> None:
    ranges = ", ".join(f'"{1800 + 10 * i}-01-01..{1809 + 10 * i}-12-31"' for i in range(11))
    problem = only(edit('open: {"tue, thu": "09:30-12:30"}', f'open: {{"tue, thu": '
                        f'"09:30-12:30"}}\n    closures: [{ranges}]'))  # fmt: skip
    assert (problem.code, problem.field) == (
        "invalid-calendar",
        "calendars.assess_days.closures[10]",
    )
    assert "36,600" in problem.expected


def test_huge_numbers_in_a_mapping_from_python_are_problems_too() -> None:
    data = pathway.dump(pathway.load(MINI))
    spec = pathway.load(data).spec.model_dump(by_alias=True, exclude_defaults=True)
    spec["roles"]["duty"]["capacity"] = 10**5000
    spec["facts"]["needs_prescribing"]["distribution"] = {"bernoulli": 10**5000}
    with pytest.raises(DefinitionError) as caught:
        pathway.load(spec)
    fields = {p.field for p in caught.value.problems}
    assert fields == {"roles.duty.capacity", "facts.needs_prescribing.distribution"}


@pytest.mark.parametrize("name", ["trigger", "may_close", "to_done", "is_done", "machine"])
def test_names_transitions_would_bind_on_a_model_are_allowed(name: str) -> None:
    loaded = pathway.load(edit("trigger: close,", f"trigger: {name},"))
    assert name in loaded.triggers
