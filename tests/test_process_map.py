"""The process map (``pathway show --svg/--html/--dot/--mermaid``): its layout, its SVG,
the text graphs, and where it appears (report, diff page).

Snapshots: the SVG of every shipped pathway is kept in ``tests/data/maps/``; a change
to the layout or the drawing shows as a failing snapshot. Look at the new picture
(``pathway show pathways/X.yaml --html -o x.html``), and when it is right, regenerate
the snapshots with ``PATHWAY_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_process_map.py``.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import pathway
from pathway._model._distributions import Exponential, Fixed, Lognormal, Triangular, Uniform
from pathway._report._map_layout import layout, short_duration, wait_words
from pathway._report._map_svg import map_changes, map_page, map_pair, map_svg, svg_document
from pathway._report._pathway_text import dot, mermaid
from pathway.cli import main
from pathway.testing import pathways

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "pathways").glob("*.yaml"))
SNAPSHOTS = ROOT / "tests" / "data" / "maps"
SVG = "{http://www.w3.org/2000/svg}"
DOT = shutil.which("dot")
needs_dot = pytest.mark.skipif(
    DOT is None, reason="no Graphviz 'dot': apt-get install graphviz (as .ci/run does)"
)


def _load(name: str) -> pathway.Pathway:
    return pathway.load(ROOT / "pathways" / f"{name}.yaml")


# -- snapshots and stability ----------------------------------------------------------------


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_map_matches_its_snapshot(path: Path) -> None:
    svg = svg_document(map_svg(pathway.load(path)))
    snapshot = SNAPSHOTS / f"{path.stem}.svg"
    if os.environ.get("PATHWAY_UPDATE_SNAPSHOTS"):
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(svg, encoding="utf-8")
    assert snapshot.exists(), f"no snapshot {snapshot}: run with PATHWAY_UPDATE_SNAPSHOTS=1"
    assert svg == snapshot.read_text(encoding="utf-8"), (
        f"{path.name}'s map changed; look at it and regenerate with PATHWAY_UPDATE_SNAPSHOTS=1"
    )


def test_same_pathway_same_bytes_across_loads() -> None:
    first = map_svg(_load("recovery-hub-2017"))
    again = map_svg(_load("recovery-hub-2017"))
    assert first == again


# -- what the map shows ------------------------------------------------------------------------


def _tree(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _texts(element: ET.Element) -> str:
    return " ".join("".join(t.itertext()) for t in element.iter(f"{SVG}text"))


def test_hub_2017_map_shows_lanes_work_classes_and_nominal_path() -> None:
    hub = _load("recovery-hub-2017")
    tree = _tree(map_svg(hub))
    words = _texts(tree)
    for role in hub.roles.values():
        assert role.title.split()[0] in words
    assert "Waste type 2 · visit" in words  # pre-assessment: work class and visit in words
    assert "gate: Tue, Thu 09:30-15:30" in words  # the assessment-days calendar gate
    assert "wait median 1.5 d, p90 4 d" in words  # allocate's lognormal wait, in words
    assert "hand-off: organisation" in words
    assert "Outcomes" in words
    thick = [
        {int(i) for i in g.get("data-transitions", "").split()}
        for g in tree.iter(f"{SVG}g")
        if "nominal" in g.get("class", "").split()
    ]
    path = {t.index for t in hub.nominal_path()}
    assert set().union(*thick) >= path  # every transition of the journey is drawn thick
    assert all(group & path for group in thick)  # and only lines that carry one


def test_no_raw_distribution_or_dict_reaches_the_picture() -> None:
    for path in SHIPPED:
        words = _texts(_tree(map_svg(pathway.load(path))))
        assert "{" not in words
        assert "lognormal" not in words
        assert "mu=" not in words


def test_checkpoint_is_a_diamond_with_its_routes() -> None:
    ward = _load("review-round")
    tree = _tree(map_svg(ward))
    diamonds = [g for g in tree.iter(f"{SVG}g") if g.get("class") == "checkpoint"]
    assert len(diamonds) == len(ward.checkpoints)
    assert diamonds[0].find(f"{SVG}polygon") is not None
    words = _texts(tree)
    assert "otherwise" in words
    assert "if crisis stabilised and destination" in words


def test_loops_are_back_arcs() -> None:
    rois = _load("portsmouth-rois-2012")
    geometry = layout(rois)
    back = [e for e in geometry.edges if e.back]
    assert {(e.source, e.target) for e in back} == {("review_plan", "care_plan")}
    arc = back[0]
    # it leaves the source to the right and comes into the target from the left
    assert arc.points[0][0] >= geometry.boxes["review_plan"].x
    assert arc.points[-1][0] == geometry.boxes["care_plan"].x


def test_lanes_by_team_and_organisation() -> None:
    hub = _load("recovery-hub-2017")
    by_role = layout(hub, "role")
    by_team = layout(hub, "team")
    by_organisation = layout(hub, "organisation")
    assert [lane.title for lane in by_organisation.lanes] == [
        "Society of St James (Recovery Hub)",
        "Community pharmacies in Portsmouth (outside SSJ)",
    ]
    assert len(by_team.lanes) == len({(r.organisation, r.team) for r in hub.roles.values()})
    assert len(by_role.lanes) == len(hub.roles)


@pytest.mark.parametrize(
    ("wait", "words"),
    [
        (Fixed(1440.0), "1 d"),
        # a lognormal from its median and p90, as pathway files give it
        (
            Lognormal(math.log(3 * 1440), math.log(10 / 3) / 1.2815515655446004),
            "median 3 d, p90 10 d",
        ),
        (Uniform(60.0, 300.0), "1 h to 5 h"),
        (Exponential(4320.0), "mean 3 d"),
        (Triangular(15.0, 25.0, 35.0), "15 min to 35 min, mostly 25 min"),
    ],
)
def test_waits_in_words(wait: object, words: str) -> None:
    assert wait_words(wait) == words  # type: ignore[arg-type]


def test_short_durations() -> None:
    assert short_duration(20) == "20 min"
    assert short_duration(90) == "1.5 h"
    assert short_duration(1440 * 28) == "4 wk"
    assert short_duration(1440 * 12) == "12 d"


# -- properties over generated pathways ----------------------------------------------------------


def _overlap(a: object, b: object) -> bool:
    return (
        a.x < b.x + b.width  # type: ignore[attr-defined]
        and b.x < a.x + a.width  # type: ignore[attr-defined]
        and a.y < b.y + b.height  # type: ignore[attr-defined]
        and b.y < a.y + a.height  # type: ignore[attr-defined]
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=pathways(max_steps=10))
def test_every_generated_map_is_whole_and_tidy(spec: object) -> None:
    compiled = pathway.load(spec)  # type: ignore[arg-type]
    for lanes in ("role", "team", "organisation"):
        geometry = layout(compiled, lanes)  # type: ignore[arg-type]
        boxes = list(geometry.boxes.values())
        assert sorted(b.step for b in boxes) == sorted(compiled.steps)
        for i, a in enumerate(boxes):
            assert a.x >= 0
            assert a.x + a.width <= geometry.width
            assert a.y >= 0
            assert a.y + a.height <= geometry.height
            for b in boxes[i + 1 :]:
                assert not _overlap(a, b), (a.step, b.step)
    svg = map_svg(compiled)
    tree = _tree(svg)  # parses as XML
    drawn = [g.get("data-step") for g in tree.iter(f"{SVG}g") if g.get("data-step")]
    assert sorted(drawn) == sorted(compiled.steps)  # every step exactly once
    edges = [
        int(i) for g in tree.iter(f"{SVG}g") for i in (g.get("data-transitions") or "").split()
    ]
    assert sorted(edges) == [t.index for t in compiled.transitions]  # every transition once
    for path in tree.iter(f"{SVG}path"):
        assert "nan" not in (path.get("d") or "")


@settings(max_examples=40, deadline=None)
@given(spec=pathways(max_steps=8))
def test_mermaid_puts_every_working_step_in_one_lane(spec: object) -> None:
    compiled = pathway.load(spec)  # type: ignore[arg-type]
    text = mermaid(compiled)
    inside, lanes = set(), 0
    in_lane = False
    for line in text.splitlines():
        if line.startswith("  subgraph "):
            in_lane, lanes = True, lanes + 1
        elif line == "  end":
            in_lane = False
        elif in_lane:
            inside.add(re.split(r"[\[\(\{]", line.strip())[0])
    working = {s for s, step in compiled.steps.items() if not step.outcome}
    assert {s.removesuffix("_step") for s in inside} == working
    assert lanes == len({compiled.steps[s].role for s in working})


# -- Graphviz and Mermaid ------------------------------------------------------------------------


def _render_dot(text: str) -> str:
    assert DOT is not None
    done = subprocess.run(
        [DOT, "-Tsvg"], input=text, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert not done.stderr.strip(), done.stderr  # no warnings either
    return done.stdout


@needs_dot
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_dot_renders_with_graphviz(path: Path) -> None:
    compiled = pathway.load(path)
    for lanes in ("role", "organisation"):
        svg = _render_dot(dot(compiled, lanes))  # type: ignore[arg-type]
        tree = _tree(svg)
        clusters = [g for g in tree.iter(f"{SVG}g") if g.get("class") == "cluster"]
        expected = layout(compiled, lanes).lanes  # type: ignore[arg-type]
        assert len(clusters) == len(expected)
        nodes = {
            "".join(g.find(f"{SVG}title").itertext())  # type: ignore[union-attr]
            for g in tree.iter(f"{SVG}g")
            if g.get("class") == "node"
        }
        assert set(compiled.steps) <= nodes


@needs_dot
@settings(max_examples=15, deadline=None)
@given(spec=pathways(max_steps=8))
def test_dot_of_generated_pathways_renders(spec: object) -> None:
    compiled = pathway.load(spec)  # type: ignore[arg-type]
    edges = [
        g for g in _tree(_render_dot(dot(compiled))).iter(f"{SVG}g") if g.get("class") == "edge"
    ]
    checkpoint_links = sum(1 for s in compiled.steps.values() if s.checkpoint)
    assert len(edges) == len(compiled.transitions) + checkpoint_links


def test_mermaid_has_lanes_and_labels() -> None:
    hub = _load("recovery-hub-2017")
    text = mermaid(hub)
    assert 'subgraph lane_recovery_worker["Recovery Worker (recovery_workers,' in text
    assert "allocate · wait median 1.5 d, p90 4 d · hand-off: team" in text
    assert "screened_out · p 0.05" in text


# -- the command ----------------------------------------------------------------------------------


def test_show_svg_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "hub.svg"
    file = str(ROOT / "pathways" / "recovery-hub-2018.yaml")
    assert main(["show", file, "--svg", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith('<?xml version="1.0"')
    assert _tree(text.split("\n", 1)[1]).tag == f"{SVG}svg"
    assert "wrote" in capsys.readouterr().err


def test_show_html_page_is_self_contained(capsys: pytest.CaptureFixture[str]) -> None:
    file = str(ROOT / "pathways" / "recovery-hub-2017.yaml")
    assert main(["show", file, "--html", "--lanes", "team"]) == 0
    page = capsys.readouterr().out
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page)
    assert ">recovery_workers<" in page  # lanes by team


def test_show_dot_and_mermaid_print(capsys: pytest.CaptureFixture[str]) -> None:
    file = str(ROOT / "pathways" / "review-round.yaml")
    assert main(["show", file, "--dot", "--lanes", "organisation"]) == 0
    assert capsys.readouterr().out.startswith('digraph "review-round" {')
    assert main(["show", file, "--mermaid"]) == 0
    assert capsys.readouterr().out.startswith("flowchart LR")


def test_show_takes_one_format(capsys: pytest.CaptureFixture[str]) -> None:
    file = str(ROOT / "pathways" / "review-round.yaml")
    assert main(["show", file, "--svg", "--dot"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err


# -- the diff's maps ------------------------------------------------------------------------


def test_diff_marks_what_changed() -> None:
    old, new = _load("recovery-hub-2017"), _load("recovery-hub-2018")
    old_marks, new_marks = map_changes(old, new)
    assert old_marks.steps["first_contact"] == "removed"  # 2018 starts at the narrative
    assert new_marks.steps["assessment"] == "added"
    assert "doctor_appointment" not in new_marks.steps  # the same doctor's appointment
    assert all(kind in {"removed", "changed"} for kind in old_marks.transitions.values())
    assert all(kind in {"added", "changed"} for kind in new_marks.transitions.values())
    same_marks = map_changes(old, old)
    assert not same_marks[0]
    assert not same_marks[1]


def test_diff_pair_shows_both_maps_with_unique_ids() -> None:
    old, new = _load("recovery-hub-2017"), _load("recovery-hub-2018")
    html = map_pair(old, new)
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert html.count('class="process-map"') == 2
    assert "added in the new pathway" in html
    assert "removed from the old pathway" in html


def test_show_page_parses_its_svg() -> None:
    page = map_page(_load("review-round"))
    svg = re.search(r"<svg.*</svg>", page, re.S)
    assert svg is not None
    assert _tree(svg.group(0)).get("viewBox", "").startswith("0 0 ")
