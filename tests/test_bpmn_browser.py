"""The BPMN export of every shipped pathway renders in bpmn-js (the library behind
bpmn.io and Camunda Modeler), in a real headless Chromium.

bpmn-js comes from npm, pinned in ``tests/js/package.json`` and ``package-lock.json``
(``.ci/run`` runs ``npm ci`` there); ``tests/js/render.html`` loads its bundled viewer
from ``node_modules`` over file:// and imports the XML. Chromium is the system one at
``/usr/bin/chromium``, driven by Playwright's Python package as in
``tests/test_html_browser.py``. Skipped only when Chromium or the npm install is absent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import pathway
from pathway.io import export_bpmn

ROOT = Path(__file__).resolve().parents[1]
JS = ROOT / "tests" / "js"
VIEWER = JS / "node_modules" / "bpmn-js" / "dist" / "bpmn-viewer.production.min.js"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files"]
SHIPPED = sorted((ROOT / "pathways").glob("*.yaml"))

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="no Chromium at /usr/bin/chromium: apt-get install chromium (as .ci/run does)",
    ),
    pytest.mark.skipif(
        not VIEWER.exists(),
        reason="bpmn-js is not installed: run `npm ci` in tests/js (as .ci/run does)",
    ),
]


@pytest.fixture(scope="module")
def render() -> Any:
    """A function that imports BPMN XML into bpmn-js in one Chromium page."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((JS / "render.html").as_uri(), wait_until="load")
        assert page.evaluate("window.bpmnReady"), errors

        def run(xml: str) -> dict[str, Any]:
            result: dict[str, Any] = page.evaluate("xml => window.renderBpmn(xml)", xml)
            result["page_errors"] = list(errors)
            return result

        yield run
        browser.close()


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_pathway_renders_without_warnings(render: Any, path: Path) -> None:
    model = pathway.load(path)
    result = render(export_bpmn(model))
    assert result["error"] is None
    assert result["warnings"] == []
    assert result["page_errors"] == []
    drawn = {e["id"]: e for e in result["drawn"]}
    for step in model.steps.values():
        shape = drawn[f"Step_{step.id}"]
        assert shape["type"] == ("bpmn:EndEvent" if step.outcome else "bpmn:UserTask")
        assert shape["gfx"]
        assert shape["width"] > 0
    lanes = {e["id"] for e in result["drawn"] if e["type"] == "bpmn:Lane"}
    assert lanes == {f"Lane_{r}" for r in model.roles}
    timers = [e for e in result["drawn"] if e["type"] == "bpmn:IntermediateCatchEvent"]
    declared = [t for t in model.transitions if t.wait is not None and t.wait.mean() > 0]
    assert len(timers) == len(declared)
    assert any(e["type"] == "bpmn:SequenceFlow" for e in result["drawn"])


def test_bpmn_js_reports_a_broken_file(render: Any) -> None:
    """The check can fail: bpmn-js names a flow that points at nothing."""
    xml = export_bpmn(pathway.load(SHIPPED[0]))
    broken = xml.replace('targetRef="Step_', 'targetRef="Nowhere_', 1)
    result = render(broken)
    assert result["error"] is not None or result["warnings"]
