"""The HTML report in a real headless Chromium: it loads from a file:// URL with no console
errors and no network requests, and its charts are drawn with a real size.

Uses Playwright's Python package (the ``dev`` extra) driving the system Chromium at
``/usr/bin/chromium`` (Debian package ``chromium``; .ci/run installs it). Playwright's
own browser download is never used. Skipped only when that binary is absent.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

import pytest

import pathway
from pathway import analyse

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no Chromium at /usr/bin/chromium: apt-get install chromium (as .ci/run does)",
)


def _page(tmp_path: Path) -> Path:
    spec = importlib.util.spec_from_file_location(
        "analysis_cohort", ROOT / "benchmarks" / "analysis_cohort.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("analysis_cohort", module)
    spec.loader.exec_module(module)
    hub = pathway.load(ROOT / "pathways" / "recovery-hub-2017.yaml")
    report = analyse(module.live_cohort(hub, 150, seed=2), hub)
    page = tmp_path / "report.html"
    page.write_text(report.to_html(), encoding="utf-8")
    return page


def test_report_page_in_chromium(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    page_file = _page(tmp_path)
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_file.as_uri(), wait_until="load")
            sizes = page.eval_on_selector_all(
                "svg",
                "els => els.map(e => [e.getAttribute('class'), "
                "e.getBoundingClientRect().width, e.getBoundingClientRect().height])",
            )
            marks = page.eval_on_selector_all(
                "svg.swimlane rect.step, svg.pareto rect.bar, svg.spc .series",
                "els => els.filter(e => e.getBoundingClientRect().width > 0).length",
            )
            folded = page.eval_on_selector_all(
                "svg.xmr", "els => els.map(e => e.checkVisibility())"
            )
            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=True)
            for summary in page.query_selector_all("details > summary"):
                summary.click()  # the per-case charts are a detail, shown on request
            opened = page.eval_on_selector_all(
                "svg.xmr",
                "els => els.filter(e => e.checkVisibility())"
                ".map(e => e.getBoundingClientRect().width)",
            )
        finally:
            browser.close()
    assert errors == []
    assert [url for url in requests if not url.startswith("file://")] == []
    assert requests == [page_file.as_uri()]
    classes = [cls for cls, _w, _h in sizes]
    charts = ["pareto", "process-map", "spc spc-0", "spc spc-1", "swimlane"]
    charts += ["xmr xmr-0", "xmr xmr-1"]
    assert sorted(classes) == ["icon", "icon", *charts]
    shown = [(w, h) for cls, w, h in sizes if cls in charts and not cls.startswith("xmr")]
    assert all(width > 300 and height > 100 for width, height in shown)
    assert all(w == h == 40 for cls, w, h in sizes if cls == "icon")
    assert folded == [False, False]  # the per-case charts are folded away
    assert len(opened) == 2
    assert all(width > 300 for width in opened)
    assert marks > 10
    assert shot.stat().st_size > 50_000
    keep = os.environ.get("PATHWAY_SCREENSHOT")
    if keep:  # e.g. PATHWAY_SCREENSHOT=/tmp/report.png to look at the page
        shutil.copy(shot, keep)
