"""What compiling a pathway derives: hand-offs, weights, the nominal path, visits, outcomes,
the content hash; and that a compiled pathway cannot be changed."""

from __future__ import annotations

import hashlib
import heapq
import json
import math
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings

import pathway
from pathway import Pathway
from pathway._define._compile import _canonical
from pathway._define._spec import PathwaySpec
from pathway.testing import pathways
from shared_pathways import MINI_YAML

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "pathways").glob("*.yaml"))

MINI = MINI_YAML
# fmt: on

HEADER = """\
id: branches
title: Branches
version: "1"
roles:
  a_worker: {team: one, organisation: org}
  b_worker: {team: one, organisation: org}
  c_worker: {team: two, organisation: org}
  outsider: {team: three, organisation: elsewhere}
"""


def branches(steps: str, transitions: str, extra: str = "") -> Pathway:
    """A pathway from a shared header plus ``steps``/``transitions`` blocks."""
    return pathway.load(f"{HEADER}steps:\n{steps}transitions:\n{transitions}{extra}")


def ids(path: tuple[pathway._model._pathway.Transition, ...]) -> list[str]:
    return [t.id for t in path]


@pytest.fixture(scope="module")
def mini() -> Pathway:
    return pathway.load(MINI, name="mini.yaml")


# ----------------------------------------------------------------------- hand-offs


def test_handoff_levels_from_owners(mini: Pathway) -> None:
    levels = {t.id: t.handoff for t in mini.transitions if t.checkpoint is None}
    assert levels == {
        "contact->assess:refer": "team",  # duty (front) -> worker (recovery), same hub
        "assess->plan:assessed": "none",  # worker -> worker
        "plan->doctor:see_doctor": "organisation",  # hub -> nhs
        "plan->done:close": "none",  # an outcome has no owner
        "doctor->done:prescribe": "none",
    }


def test_handoff_between_roles_of_one_team_is_a_role_handoff_and_can_be_overridden() -> None:
    steps = (
        "  a: {role: a_worker}\n  b: {role: b_worker}\n  c: {role: c_worker}\n"
        "  d: {role: outsider}\n  end: {outcome: true}\n"
    )
    transitions = (
        "  - {trigger: go, from: a, to: b, wait: 1h}\n"
        "  - {trigger: go, from: b, to: c, wait: 1h, handoff: organisation}\n"
        "  - {trigger: go, from: c, to: d, wait: 1h}\n"
        "  - {trigger: go, from: d, to: end, handoff: none}\n"
    )
    compiled = branches(steps, transitions)
    assert [t.handoff for t in compiled.transitions] == [
        "role",
        "organisation",
        "organisation",
        "none",
    ]
    assert [t.cause for t in compiled.transitions] == ["handoff", "handoff", "handoff", "capacity"]
    assert compiled.nominal_handoffs() == {"role": 1, "team": 0, "organisation": 2}
    assert len(compiled.handoffs) == 3
    assert compiled.warnings == ()


def test_declared_causes_map_to_the_analysis_causes(mini: Pathway) -> None:
    refer = mini.transitions[0]
    assert (refer.declared_cause, refer.cause, refer.dna) == ("booking", "visit_gap", 0.3)
    assert refer.wait is not None
    assert refer.wait.mean() == 3 * 1440


# ----------------------------------------------------------------------- weights


def test_missing_weights_take_what_is_left(mini: Pathway) -> None:
    weights = {t.id: t.weight for t in mini.transitions if t.checkpoint is None}
    assert weights["plan->doctor:see_doctor"] == 0.6
    assert weights["plan->done:close"] == pytest.approx(0.4)
    assert weights["contact->assess:refer"] == 1.0


def test_unweighted_siblings_share_the_rest_equally() -> None:
    steps = (
        "  a: {role: a_worker}\n  x: {outcome: true}\n  y: {outcome: true}\n  z: {outcome: true}\n"
    )
    transitions = (
        "  - {trigger: t1, from: a, to: x, p: 0.4}\n"
        "  - {trigger: t2, from: a, to: y}\n"
        "  - {trigger: t3, from: a, to: z}\n"
    )
    compiled = branches(steps, transitions)
    assert [t.weight for t in compiled.transitions] == pytest.approx([0.4, 0.3, 0.3])


# ----------------------------------------------------------------------- nominal path

DIAMOND_STEPS = (
    "  a: {role: a_worker}\n  b: {role: a_worker}\n  c: {role: a_worker}\n"
    "  d: {role: a_worker}\n  end: {outcome: true}\n  other: {outcome: true}\n"
)


def test_nominal_path_maximises_the_product_not_each_choice() -> None:
    # a->b is likelier (0.6) than a->c (0.4), but after b the path splits 50/50:
    # a,c,end has probability 0.4 and a,b,end only 0.3
    transitions = (
        "  - {trigger: go, from: a, to: b, p: 0.6}\n"
        "  - {trigger: go, from: a, to: c, p: 0.4}\n"
        "  - {trigger: go, from: b, to: end, p: 0.5}\n"
        "  - {trigger: go, from: b, to: other, p: 0.5}\n"
        "  - {trigger: go, from: c, to: end}\n"
        "  - {trigger: go, from: d, to: end}\n"
        "  - {trigger: go, from: a, to: d, p: 0}\n"
    )
    compiled = branches(DIAMOND_STEPS, transitions)
    assert compiled.nominal_steps() == ("a", "c", "end")
    assert ids(compiled.nominal_path()) == ["a->c:go", "c->end:go"]


def test_nominal_path_ties_go_to_the_earlier_declared_transition() -> None:
    transitions = (
        "  - {trigger: go, from: a, to: c, p: 0.5}\n"
        "  - {trigger: go, from: a, to: b, p: 0.5}\n"
        "  - {trigger: go, from: b, to: end}\n"
        "  - {trigger: go, from: c, to: d}\n"
        "  - {trigger: go, from: d, to: end}\n"
    )
    # both paths have probability 0.5; a->c is declared first (even though longer)
    assert branches(
        DIAMOND_STEPS.replace("  other: {outcome: true}\n", ""), transitions
    ).nominal_steps() == (
        "a",
        "c",
        "d",
        "end",
    )


def test_nominal_path_ties_survive_rounding() -> None:
    # 0.3 directly and 0.5 * 0.6 are the same probability, but -log(0.5) - log(0.6) is
    # one bit below -log(0.3) in floating point; the earlier-declared move still wins
    steps = "  a: {role: a_worker}\n  b: {role: a_worker}\n  z: {role: a_worker}\n"
    steps += "  end: {outcome: true}\n  other: {outcome: true}\n"
    transitions = (
        "  - {trigger: go, from: a, to: end, p: 0.3}\n"
        "  - {trigger: go, from: a, to: b, p: 0.5}\n"
        "  - {trigger: go, from: a, to: z, p: 0.2}\n"
        "  - {trigger: go, from: b, to: end, p: 0.6}\n"
        "  - {trigger: go, from: b, to: z, p: 0.4}\n"
        "  - {trigger: go, from: z, to: other, p: 0.1}\n"
        "  - {trigger: again, from: z, to: z, p: 0.9}\n"
    )
    assert branches(steps, transitions).nominal_steps() == ("a", "end")


def checkpoint_pathway(p_yes: float) -> Pathway:
    steps = "  a: {role: a_worker}\n  yes_step: {outcome: true}\n  no_step: {outcome: true}\n"
    checkpoint = (
        "checkpoints:\n  decide:\n    at: a\n"
        f"    questions: {{ok: {{ask: person, p_yes: {p_yes}}}}}\n"
        "    routes: [{when: ok, to: yes_step}]\n    otherwise: no_step\n"
    )
    return pathway.load(f"{HEADER}steps:\n{steps}{checkpoint}")


@pytest.mark.parametrize(
    ("p_yes", "nominal"),
    [(0.3, ("a", "no_step")), (0.8, ("a", "yes_step")), (0.5, ("a", "yes_step"))],
)
def test_nominal_path_weighs_checkpoint_routes_by_p_yes(
    p_yes: float, nominal: tuple[str, ...]
) -> None:
    compiled = checkpoint_pathway(p_yes)
    assert compiled.nominal_steps() == nominal
    (decide,) = compiled.checkpoints.values()
    assert sorted(decide.route_probabilities().values()) == pytest.approx(
        sorted([p_yes, 1 - p_yes])
    )


def test_nominal_path_of_the_mini_pathway(mini: Pathway) -> None:
    assert mini.nominal_steps() == ("contact", "assess", "plan", "doctor", "done")
    assert mini.nominal_visits() == 3
    assert mini.nominal_handoffs() == {"role": 0, "team": 1, "organisation": 1}


# ----------------------------------------------------------------------- visits


def visits(wait: str, within: str = "") -> int:
    text = MINI.replace("wait: {uniform: [1d, 5d]}, ", wait)
    if within:
        text = text.replace('version: "1"\n', f'version: "1"\nsame_visit_within: {within}\n')
    return pathway.load(text).nominal_visits()


@pytest.mark.parametrize(
    ("wait", "within", "count"),
    [
        ("wait: {uniform: [1d, 5d]}, ", "", 3),  # booked days later: a new attendance
        ("", "", 2),  # straight on from contact to assessment: one attendance
        ("wait: 30m, ", "", 2),  # within the default hour
        ("wait: 2h, ", "", 3),  # longer than an hour
        ("wait: 2h, ", "3h", 2),  # but within three
        ("wait: 1h, ", "", 2),  # exactly the limit still counts as the same attendance
        ("wait: 1m, ", "0m", 3),
    ],
)
def test_nominal_visits_with_same_visit_within(wait: str, within: str, count: int) -> None:
    assert visits(wait, within) == count


def test_visit_steps_and_outcomes_in_declaration_order(mini: Pathway) -> None:
    assert mini.visit_steps == ("contact", "assess", "doctor")
    assert mini.outcomes == ("done", "advice")
    assert mini.start == "contact"
    assert mini.steps["plan"].checkpoint == "plan_check"
    assert mini.steps["contact"].requested_by == "service"
    assert mini.owner("done") is None
    assert mini.owner("plan") == mini.roles["worker"]


def test_plan_checkpoint_gets_the_four_questions_and_routes(mini: Pathway) -> None:
    checkpoint = mini.checkpoints["plan_check"]
    assert [q.id for q in checkpoint.questions] == [
        "proportionate",
        "legal",
        "accountable",
        "necessary",
    ]
    assert all(not q.automatic for q in checkpoint.questions)
    targets = [mini.transitions[r.transition].target for r in checkpoint.routes]
    # not legal, not accountable (= not legal), not necessary, not proportionate, otherwise
    assert targets == ["advice", "advice", "advice", "done", "doctor"]
    no = dict.fromkeys(("proportionate", "legal", "accountable", "necessary"), True)
    assert mini.transitions[checkpoint.route_for(no).transition].target == "doctor"
    assert (
        mini.transitions[checkpoint.route_for({**no, "legal": False}).transition].target == "advice"
    )
    assert (
        mini.transitions[checkpoint.route_for({**no, "proportionate": False}).transition].target
        == "done"
    )


# ----------------------------------------------------------------------- content hash

REWRITTEN = """\
# the same pathway, written differently
id: mini
title: 'Mini'
version: '1'
timezone: Europe/London
calendars:
  assess_days: {open: {"tue, thu": "09:30-12:30"}}
roles:
  duty:
    organisation: hub   # keys in another order
    team: front
  worker: {organisation: hub, team: recovery}
  doctor: {team: clinic, organisation: nhs, capacity: 1}
facts:
  needs_prescribing: {distribution: {bernoulli: 0.6}, type: bool}
  age: {type: int}
steps:
  contact: {duration: "10m", visit: true, role: duty, work: value}
  assess:  {role: worker,   visit: true, duration: 1h, calendar: assess_days}
  plan: {role: worker, duration: 5m}
  doctor: {role: doctor, visit: true, duration: 30m}
  done: {outcome: true}
  advice:
    outcome: true
transitions:
  - trigger: refer
    from: contact
    to: assess
    wait:
      uniform: [1d, 5d]
    cause: booking
    dna: 0.3
  - {trigger: assessed, from: assess, to: plan}
  - {trigger: see_doctor, from: plan, to: doctor, p: 0.6,
     when: "needs_prescribing and age >= 18"}
  - {trigger: close, from: plan, to: done}
  - {trigger: prescribe, from: doctor, to: done}
checkpoints:
  plan_check: {at: plan, framework: PLAN, proceed: doctor, if_not_legal: advice,
               if_not_necessary: advice, if_not_proportionate: done}
"""


def test_content_hash_ignores_comments_key_order_whitespace_quotes_and_defaults(
    mini: Pathway,
) -> None:
    rewritten = pathway.load(REWRITTEN)
    assert rewritten.content_hash == mini.content_hash
    assert rewritten == mini
    assert hash(rewritten) == hash(mini)
    assert len(mini.content_hash) == 64
    assert int(mini.content_hash, 16) >= 0


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("title: Mini", "title: Mini!"),
        ('version: "1"', 'version: "2"'),
        ("duration: 10m", "duration: 11m"),
        ("p: 0.6", "p: 0.5"),
        ("dna: 0.3", "dna: 0.31"),
        ("dna: 0.3", "dna: 0.3, dna_applies: always"),
        ("dna: 0.3", "dna: 0.3, rebook_wait: 1d"),
        ("cause: booking", "cause: client"),
        ("age >= 18", "age >= 17"),
        ('"09:30-12:30"', '"09:30-12:31"'),
        ("{bernoulli: 0.6}", "{bernoulli: 0.7}"),
        ("proceed: doctor", "proceed: done"),
        ("organisation: nhs", "organisation: nhs trust"),
        ("uniform: [1d, 5d]", "uniform: [1d, 6d]"),
        ("  age: {type: int}", "  age: {type: float}"),
        ("timezone: Europe/London", "timezone: Europe/Paris"),
    ],
)
def test_content_hash_changes_with_any_value(mini: Pathway, old: str, new: str) -> None:
    assert MINI.count(old) == 1
    changed = pathway.load(MINI.replace(old, new))
    assert changed.content_hash != mini.content_hash
    assert changed != mini


def test_a_file_keeps_its_hash_when_the_format_gains_an_optional_field(mini: Pathway) -> None:
    # Fields added to format 1 later (dna_applies, rebook_wait) count only when given:
    # the hash of a file that does not use them is the hash it had before they existed,
    # worked out here without them, as the earlier release did.
    dumped = mini.spec.model_dump(mode="json", by_alias=True)
    for move in dumped["transitions"]:
        del move["dna_applies"], move["rebook_wait"]
    data = _canonical(dumped, ())
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=True)
    assert mini.content_hash == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_content_hash_keeps_the_declared_order_of_steps() -> None:
    # the first step is the default start: reordering steps is a different pathway
    steps = "  a: {role: a_worker}\n  b: {role: a_worker}\n  end: {outcome: true}\n"
    transitions = (
        "  - {trigger: go, from: a, to: b}\n  - {trigger: back, from: b, to: a, p: 0.5}\n"
        "  - {trigger: go, from: b, to: end}\n"
    )
    first = branches(steps, transitions)
    second = branches(
        "  b: {role: a_worker}\n  a: {role: a_worker}\n  end: {outcome: true}\n", transitions
    )
    assert (first.start, second.start) == ("a", "b")
    assert first.content_hash != second.content_hash


# ----------------------------------------------------------------------- dump and load


def test_dump_then_load_gives_an_equal_pathway(mini: Pathway) -> None:
    text = pathway.dump(mini)
    again = pathway.load(text)
    assert again == mini
    assert again.content_hash == mini.content_hash
    assert pathway.dump(again) == text
    assert pathway.dump(mini.spec) == text


@pytest.mark.parametrize(
    "title", ["0o17", "1e3", "null", "true", ".inf", "1_000", "", "a: b", "- x"]
)
def test_dump_quotes_text_that_yaml_would_read_as_something_else(mini: Pathway, title: str) -> None:
    original = pathway.load(MINI.replace("title: Mini", f"title: {title!r}"))
    assert original.title == title
    again = pathway.load(pathway.dump(original))
    assert again.title == title
    assert again == original


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_pathways_round_trip(path: Path) -> None:
    original = pathway.load(path)
    assert pathway.load(pathway.dump(original)) == original


def test_loading_a_spec_or_a_mapping_gives_the_same_pathway(mini: Pathway) -> None:
    import yaml

    assert pathway.load(mini.spec) == mini
    assert pathway.load(yaml.safe_load(MINI)) == mini
    assert pathway.load(MINI.encode("utf-8")) == mini


# ----------------------------------------------------------------------- immutability


def test_pathway_attributes_cannot_be_assigned(mini: Pathway) -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        mini.title = "changed"  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        mini.steps["plan"].role = "doctor"  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        mini.transitions[0].weight = 0.5  # type: ignore[misc]


@pytest.mark.parametrize("name", ["steps", "roles", "calendars", "facts", "checkpoints"])
def test_pathway_mappings_are_read_only(mini: Pathway, name: str) -> None:
    mapping = getattr(mini, name)
    with pytest.raises(TypeError):
        mapping["new"] = None
    with pytest.raises(TypeError):
        del mapping[next(iter(mapping))]


def test_transitions_are_a_tuple(mini: Pathway) -> None:
    assert isinstance(mini.transitions, tuple)
    assert isinstance(mini.steps["contact"].collects, tuple)


def test_editing_the_spec_changes_nothing(mini: Pathway) -> None:
    before = pathway.dump(mini)
    spec = mini.spec
    spec.steps.clear()
    assert len(mini.spec.steps) == 6
    assert pathway.dump(mini) == before


def test_editing_the_spec_a_pathway_was_loaded_from_changes_nothing() -> None:
    source = pathway.load(MINI).spec
    compiled = pathway.load(source)
    source.steps.pop("advice")
    assert "advice" in compiled.spec.steps
    assert pathway.load(pathway.dump(compiled)) == compiled


def test_nominal_path_exists_when_the_only_way_out_has_zero_weight() -> None:
    # a person answers yes with p_yes 1.0 by default, so the 'otherwise' route has
    # probability 0 on the weights; it is still the only way to the outcome
    text = """
id: x
title: x
version: '1'
roles: {r: {team: t, organisation: o}}
steps:
  a: {role: r}
  b: {role: r}
  end: {outcome: true}
transitions:
  - {trigger: go, from: a, to: b}
checkpoints:
  c: {at: b, questions: {q: {ask: person}}, routes: [{when: q, to: a}], otherwise: end}
"""
    assert pathway.load(text).nominal_steps() == ("a", "b", "end")


def test_a_pathway_and_its_guards_survive_pickling() -> None:
    import pickle

    text = Path(__file__).resolve().parent.parent / "pathways" / "recovery-hub-2017.yaml"
    original = pathway.load(text)
    copy = pickle.loads(pickle.dumps(original))
    assert copy == original
    assert copy.nominal_steps() == original.nominal_steps()
    assert copy.warnings == original.warnings
    guarded = [t for t in original.transitions if t.guard is not None]
    assert guarded, "the 2017 pathway has guards"
    for before, after in zip(original.transitions, copy.transitions, strict=True):
        if before.guard is not None:
            assert after.guard is not None
            facts = {"needs_prescribing": True, "needs_external_referral": False}
            assert after.guard.test(facts) == before.guard.test(facts)
    with pytest.raises(TypeError):
        copy.steps["x"] = None  # type: ignore[index]


# ------------------------------------------------------- nominal path (issue 12)


def reference_nominal_path(loaded: Pathway) -> tuple[int, ...]:
    """The nominal path as first written: Dijkstra over (cost, tuple of indices)."""
    best: dict[str, tuple[float, tuple[int, ...]]] = {loaded.start: (0.0, ())}
    queue: list[tuple[float, tuple[int, ...], str]] = [(0.0, (), loaded.start)]
    while queue:
        cost, indices, step = heapq.heappop(queue)
        if loaded.steps[step].outcome:
            return indices
        if best[step] < (cost, indices):
            continue
        for probability, transition in loaded._weighted(step):
            step_cost = round(cost - math.log(max(probability, 1e-12)), 9)
            candidate = (step_cost, (*indices, transition.index))
            if transition.target not in best or candidate < best[transition.target]:
                best[transition.target] = candidate
                heapq.heappush(queue, (*candidate, transition.target))
    return ()


@settings(max_examples=150, deadline=None)
@given(pathways(max_steps=12))
def test_the_nominal_path_is_the_one_the_tuple_dijkstra_finds(spec: PathwaySpec) -> None:
    loaded = pathway.load(spec)
    assert tuple(t.index for t in loaded.nominal_path()) == reference_nominal_path(loaded)


def test_the_nominal_path_of_a_long_chain_is_found_without_copying_paths() -> None:
    n = 20_000
    data: dict[str, object] = {
        "id": "chain",
        "title": "Chain",
        "version": "1",
        "roles": {"r": {"team": "t", "organisation": "o"}},
        "steps": {**{f"s{i}": {"role": "r"} for i in range(n)}, "done": {"outcome": True}},
        "transitions": [
            {"trigger": "go", "from": f"s{i}", "to": f"s{i + 1}" if i + 1 < n else "done"}
            for i in range(n)
        ],
    }
    loaded = pathway.load(data)
    path = loaded.nominal_path()
    assert [t.index for t in path] == list(range(n))
    assert loaded.nominal_path() is path  # computed once
    assert loaded.nominal_steps()[-1] == "done"
