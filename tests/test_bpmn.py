"""BPMN 2.0 out and in (``pathway.io.export_bpmn`` / ``import_bpmn``, the CLI's
``export-bpmn`` / ``import-bpmn``): the export of a pathway comes back with an empty
structural diff; a diagram edited in a BPMN tool comes back with the edits; a diagram
drawn elsewhere becomes a draft that validates, with what did not map listed; a bad
file is a ``BpmnError`` naming the file, the line and the element."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pathway
from pathway._diff._structural import structural_diff
from pathway.cli import main
from pathway.errors import BpmnError, DefinitionError
from pathway.io import BPMN_LIMITS, export_bpmn, import_bpmn
from pathway.io._bpmn import iso_duration, iso_minutes
from pathway.testing import pathways

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "pathways").glob("*.yaml"))
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def _round_trip(model: pathway.Pathway) -> pathway.Pathway:
    found = import_bpmn(export_bpmn(model).encode("utf-8"), name="export.bpmn")
    assert found.unmapped == ()
    return found.pathway


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_a_shipped_pathway_comes_back_with_an_empty_structural_diff(path: Path) -> None:
    model = pathway.load(path)
    back = _round_trip(model)
    diff = structural_diff(model, back)
    assert diff.changes == ()
    assert diff.identical  # same content hash: nothing, not even an order, changed
    assert back.nominal_steps() == model.nominal_steps()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pathways())
def test_generated_pathways_round_trip(spec: pathway.Pathway) -> None:
    model = pathway.load(spec)
    assert structural_diff(model, _round_trip(model)).changes == ()


@pytest.mark.slow
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pathways(max_steps=14))
def test_many_generated_pathways_round_trip(spec: pathway.Pathway) -> None:
    model = pathway.load(spec)
    assert pathway.dump(_round_trip(model)) == pathway.dump(model)


def test_the_limits_are_listed() -> None:
    assert BPMN_LIMITS
    how_to = (ROOT / "docs" / "how-to" / "bpmn.md").read_text(encoding="utf-8")
    assert "## What BPMN cannot carry" in how_to


def _tree(model: pathway.Pathway) -> ET.Element:
    return ET.fromstring(export_bpmn(model))


def test_the_export_shows_roles_steps_gateways_checkpoints_timers_and_outcomes() -> None:
    model = pathway.load(ROOT / "pathways" / "review-round.yaml")
    root = _tree(model)
    process = root.find(f"{BPMN}process")
    assert process is not None
    lanes = {lane.get("id"): lane.get("name") for lane in process.iter(f"{BPMN}lane")}
    assert lanes == {f"Lane_{r.id}": r.title for r in model.roles.values()}
    tasks = {t.get("id") for t in process.iter(f"{BPMN}userTask")}
    ends = {t.get("id") for t in process.iter(f"{BPMN}endEvent")}
    assert tasks == {f"Step_{s.id}" for s in model.steps.values() if not s.outcome}
    assert ends == {f"Step_{s}" for s in model.outcomes}
    checkpoint = process.find(f"{BPMN}exclusiveGateway[@id='Checkpoint_three_questions']")
    assert checkpoint is not None
    flows = {f.get("id"): f for f in process.iter(f"{BPMN}sequenceFlow")}
    default = flows[checkpoint.get("default", "")]
    assert default.find(f"{BPMN}conditionExpression") is None  # otherwise
    conditions = [
        c.text for f in flows.values() if (c := f.find(f"{BPMN}conditionExpression")) is not None
    ]
    assert "crisis_stabilised and destination_ready and would_have_avoided_admission" in conditions
    timers = [d.text for d in process.iter(f"{BPMN}timeDuration")]
    assert sorted(timers) == ["PT3H", "PT4H"]  # the medians of the two lognormal waits
    start = process.find(f"{BPMN}startEvent")
    assert start is not None
    first = flows[start.findtext(f"{BPMN}outgoing", "")]
    assert first.get("targetRef") == "Step_admitted"
    shapes = {
        s.get("bpmnElement")
        for s in root.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape")
    }
    edges = {
        e.get("bpmnElement")
        for e in root.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNEdge")
    }
    nodes = {e.get("id") for e in process if e.get("id") and e.tag != f"{BPMN}sequenceFlow"}
    assert nodes - {"LaneSet_1"} <= shapes
    assert edges == set(flows)


def test_weighted_branches_and_guards_and_visits() -> None:
    model = pathway.load(ROOT / "pathways" / "recovery-hub-2017.yaml")
    text = export_bpmn(model)
    assert '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">needs_prescribing<' in text
    assert "route == 'drop_out" in text or "route == '" in text
    visits = [s for s in model.steps.values() if s.visit]
    for step in visits:
        assert f'name="{step.title} (visit)"' in text.replace("&amp;", "&")
    assert "lognormal, median 1d 12h, p90 4d" in text  # a wait's distribution, in words


def test_iso_durations_round_trip() -> None:
    assert iso_duration(90) == "PT1H30M"
    assert iso_duration(2 * 1440) == "P2D"
    assert iso_duration(0.5) == "PT30S"
    assert iso_minutes("P1W") == 10080
    assert iso_minutes("PT") is None
    assert iso_minutes("3 days") is None


@given(st.integers(min_value=1, max_value=10**7))
def test_whole_minutes_round_trip_through_iso(minutes: int) -> None:
    assert iso_minutes(iso_duration(minutes)) == minutes


# -- edits made in a BPMN tool win -------------------------------------------------------------


def test_edits_in_the_diagram_come_back() -> None:
    model = pathway.load(ROOT / "pathways" / "review-round.yaml")
    text = export_bpmn(model)
    text = text.replace('name="Discharge"', 'name="Discharge home (visit)"', 1)
    text = text.replace(">PT4H<", ">PT6H<", 1)
    back = import_bpmn(text.encode(), name="edited.bpmn").pathway
    changes = {(c.section, c.id): c.fields for c in structural_diff(model, back).changes}
    assert {f.field: f.new for f in changes["steps", "discharge"]} == {
        "title": "Discharge home",
        "visit": True,
    }
    (wait,) = changes["transitions", "set_action->take_action:hand_to_ward_team"]
    assert (wait.field, wait.new) == ("wait", "6h")


def test_a_task_moved_to_another_lane_changes_its_role() -> None:
    model = pathway.load(ROOT / "pathways" / "review-round.yaml")
    root = _tree(model)
    lanes = {lane.get("id"): lane for lane in root.iter(f"{BPMN}lane")}
    ref = next(r for r in lanes["Lane_ward_team"] if r.text == "Step_discharge")
    lanes["Lane_ward_team"].remove(ref)
    lanes["Lane_consultant"].append(ref)
    back = import_bpmn(ET.tostring(root), name="moved.bpmn").pathway
    assert back.steps["discharge"].role == "consultant"
    assert back.steps["admitted"].role == "ward_team"


# -- a diagram drawn in another tool -----------------------------------------------------------

FOREIGN = (ROOT / "docs" / "examples" / "clinic.bpmn").read_text(encoding="utf-8")


def test_a_foreign_diagram_becomes_a_draft_that_validates() -> None:
    found = import_bpmn(FOREIGN.encode(), name="clinic.bpmn")
    model = found.pathway
    assert pathway.load(found.yaml) == model
    assert model.title == "Community clinic referral"
    assert {r.id: r.title for r in model.roles.values()} == {
        "reception": "Reception",
        "nurse_practitioner": "Nurse practitioner",
    }
    assert model.start == "book_an_appointment"
    see = model.steps["see_the_nurse"]
    assert (see.title, see.visit, see.role) == ("See the nurse", True, "nurse_practitioner")
    assert set(model.outcomes) == {"discharged", "referred_on"}
    moves = {(t.source, t.target, t.trigger) for t in model.transitions}
    assert moves == {
        ("book_an_appointment", "see_the_nurse", "to_see_the_nurse"),
        ("see_the_nurse", "discharged", "no"),
        ("see_the_nurse", "referred_on", "yes"),
    }
    (booked,) = [t for t in model.transitions if t.source == "book_an_appointment"]
    assert booked.wait is not None
    assert booked.wait.mean() == 3 * 1440
    unmapped = {(u.element, u.kind): u.reason for u in found.unmapped}
    assert set(unmapped) == {
        ("letter", "messageFlow"),
        ("both", "parallelGateway"),
        ("notes", "dataObjectReference"),
        ("f5", "sequenceFlow"),
        ("f6", "sequenceFlow"),
    }
    assert "referral" in unmapped["f6", "sequenceFlow"]  # a condition over no declared fact
    assert all(u.line > 0 for u in found.unmapped)


def test_the_cli_imports_and_lists_what_did_not_map(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "clinic.bpmn"
    source.write_text(FOREIGN, encoding="utf-8")
    draft = tmp_path / "draft.yaml"
    assert main(["import-bpmn", str(source), "-o", str(draft)]) == 0
    err = capsys.readouterr().err
    assert re.search(r"not mapped: line \d+: parallelGateway both: ", err)
    assert "# 5 BPMN element(s) could not be mapped" in draft.read_text(encoding="utf-8")
    assert main(["validate", str(draft)]) == 0


def test_the_cli_exports_and_imports_a_shipped_pathway(tmp_path: Path) -> None:
    out = tmp_path / "hub.bpmn"
    assert (
        main(["export-bpmn", str(ROOT / "pathways" / "recovery-hub-2018.yaml"), "-o", str(out)])
        == 0
    )
    draft = tmp_path / "hub.yaml"
    assert main(["import-bpmn", str(out), "-o", str(draft)]) == 0
    assert pathway.load(draft) == pathway.load(ROOT / "pathways" / "recovery-hub-2018.yaml")


def test_the_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import-bpmn", str(tmp_path / "missing.bpmn")]) == 2
    assert "no such BPMN file" in capsys.readouterr().err
    bad = tmp_path / "bad.bpmn"
    bad.write_text("<bpmn:definitions xmlns:bpmn='x'>", encoding="utf-8")
    assert main(["import-bpmn", str(bad)]) == 1
    assert f"{bad}:1:" in capsys.readouterr().err
    assert main(["export-bpmn", str(tmp_path / "missing.yaml")]) == 2
    target = tmp_path / "no-folder" / "x.bpmn"
    assert main(["export-bpmn", str(SHIPPED[0]), "-o", str(target)]) == 2


# -- bad files ---------------------------------------------------------------------------------


def _error(text: str) -> BpmnError:
    with pytest.raises(BpmnError) as caught:
        import_bpmn(text.encode(), name="in.bpmn")
    assert isinstance(caught.value, DefinitionError)
    assert isinstance(caught.value, ValueError)
    assert str(caught.value).startswith("1 error in BPMN file in.bpmn:")
    return caught.value


def test_entities_are_refused_before_any_expansion() -> None:
    laughs = (
        '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<d>&b;</d>'
    )
    (problem,) = _error(laughs).problems
    assert (problem.code, problem.line) == ("bpmn-unsafe", 2)
    external = '<?xml version="1.0"?>\n<!DOCTYPE d SYSTEM "http://example.invalid/x.dtd">\n<d/>'
    assert _error(external).problems[0].code == "bpmn-unsafe"


def test_malformed_xml_names_the_line_and_column() -> None:
    (problem,) = _error('<?xml version="1.0"?>\n<a>\n  <b></a>').problems
    assert (problem.code, problem.line, problem.column) == ("bpmn-xml", 3, 8)
    assert "mismatched tag" in problem.message


def test_a_file_that_is_not_bpmn_or_has_no_process() -> None:
    (problem,) = _error('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>').problems
    assert "not a BPMN 2.0 file" in problem.message
    assert problem.line == 2
    empty = f'<bpmn:definitions xmlns:bpmn="{BPMN[1:-1]}" id="only" />'
    (problem,) = _error(empty).problems
    assert "no bpmn:process" in problem.message
    assert problem.field == "element only"


def test_a_draft_that_does_not_validate_names_the_process() -> None:
    no_outcome = (
        f'<bpmn:definitions xmlns:bpmn="{BPMN[1:-1]}">\n'
        '<bpmn:process id="Loop">\n<bpmn:task id="a" name="A" />\n'
        '<bpmn:sequenceFlow id="f" sourceRef="a" targetRef="a" />\n</bpmn:process>\n'
        "</bpmn:definitions>"
    )
    with pytest.raises(BpmnError) as caught:
        import_bpmn(no_outcome.encode(), name="loop.bpmn")
    problem = caught.value.problems[0]
    assert (problem.source, problem.line, problem.field) == ("loop.bpmn", 2, "element Loop")
    assert "does not validate" in problem.message


EVERY_FORMAT_2_KEY = """
format: 2
id: every-format-2-key
title: Every format 2 key the BPMN must carry
version: "1"
timezone: Europe/London
start: contact
calendars:
  rounds: {open: {"mon, thu": "10:00-13:00"}}
roles:
  duty: {team: duty, organisation: council, capacity: 2, continuity: named, named_within: 5d}
  consultant: {team: medical, organisation: trust, capacity: 1, calendar: rounds}
  registrar: {team: medical, organisation: trust, capacity: 1, continuity: prefer}
facts:
  complex: {type: bool, distribution: {bernoulli: 0.4}}
returns: {p: 0.3, after: {exponential: {mean: 30d}}}
arrivals: {rate: 5/d}
targets:
  end_to_end: {at_most: 21d}
steps:
  contact: {role: duty, duration: 10m}
  review: {role: consultant, duration: 15m}
  act: {role: duty, duration: 30m}
  advised: {outcome: true, returns: {p: 0.5, after: 7d, same_worker: true}}
  closed: {outcome: true}
transitions:
  - {trigger: advise, from: contact, to: advised, when: not complex}
  - {trigger: escalate, from: contact, to: review, when: complex}
  - {trigger: back, from: act, to: contact, p: 0.3, demand: re_presentation}
  - {trigger: close, from: act, to: closed, p: 0.7}
checkpoints:
  questions:
    at: review
    decided_by: [consultant, registrar]
    rationale: required
    rounds: rounds
    questions:
      stable: {ask: person, p_yes: 0.4, persists: true}
    routes:
      - {when: stable, to: closed}
    otherwise: act
"""


def test_every_format_2_key_survives_the_round_trip() -> None:
    model = pathway.load(EVERY_FORMAT_2_KEY)
    back = _round_trip(model)
    assert pathway.dump(back) == pathway.dump(model)
    assert back.content_hash == model.content_hash
    checkpoint = back.checkpoints["questions"]
    assert checkpoint.deciders == ("consultant", "registrar")
    assert checkpoint.rationale_required
    assert checkpoint.rounds == "rounds"
    assert checkpoint.persisting == ("stable",)
    spec = back.spec.model_dump(mode="json", exclude_none=True)
    assert spec["returns"]["p"] == 0.3
    assert spec["steps"]["advised"]["returns"]["same_worker"] is True
    assert spec["roles"]["duty"]["continuity"] == "named"
    assert spec["roles"]["duty"]["named_within"] == "5d"
    assert {t["trigger"]: t.get("demand") for t in spec["transitions"]}["back"] == (
        "re_presentation"
    )
    assert "end_to_end" in spec["targets"]


def test_the_rules_travel_as_pathway_data_not_bpmn() -> None:
    root = ET.fromstring(export_bpmn(pathway.load(EVERY_FORMAT_2_KEY)))
    data = [
        json.loads(element.text or "{}") for element in root.iter("{urn:carepathway:bpmn:1}data")
    ]
    process = next(d["pathway"] for d in data if "pathway" in d)
    assert process["returns"]["p"] == 0.3
    assert process["checkpoints"]["questions"]["decided_by"] == ["consultant", "registrar"]


EXAMPLES = sorted(
    [*(ROOT / "docs" / "examples").glob("*.yaml"), *(ROOT / "examples").glob("*.yaml")]
)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_file_round_trips(path: Path) -> None:
    try:
        model = pathway.load(path)
    except DefinitionError:
        pytest.skip("an example of mistakes")
    assert pathway.dump(_round_trip(model)) == pathway.dump(model)
