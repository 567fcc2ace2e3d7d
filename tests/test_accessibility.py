"""The HTML pages pathway writes meet WCAG 2.2 AA, as axe-core finds in a real browser.

Each page (the report from ``pathway report --html``, the diff page from ``pathway diff
--html``) is made by the command line, opened from a file:// URL in headless Chromium
(the system binary, driven by Playwright's Python package as in test_html_browser.py),
axe-core is injected, and ``axe.run`` checks it against the WCAG 2.0/2.1/2.2 A and AA
rules. The test fails on any violation and prints each one's rule, impact and elements.

axe-core comes from npm: ``tests/a11y/package.json`` and its lock file (``npm ci`` in
``tests/a11y``, as .ci/run does). Skipped only when Chromium or axe-core is missing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# axe's "incomplete" rules that a person checks instead (see _assert_accessible).
NEEDS_A_PERSON = {"color-contrast"}
HUB_2017 = ROOT / "pathways" / "recovery-hub-2017.yaml"
HUB_2018 = ROOT / "pathways" / "recovery-hub-2018.yaml"

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="no Chromium at /usr/bin/chromium: apt-get install chromium (as .ci/run does)",
    ),
    pytest.mark.skipif(
        not AXE.exists(), reason="no axe-core: run `npm ci` in tests/a11y (as .ci/run does)"
    ),
]


def _pathway(*args: str) -> None:
    """Run the ``pathway`` command line; fail the test with its output if it fails."""
    result = subprocess.run(
        [sys.executable, "-m", "pathway", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _axe(page_file: Path) -> dict[str, Any]:
    """axe-core's results for ``page_file`` (WCAG 2.2 AA tags), opened in Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(page_file.as_uri(), wait_until="load")
            page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
            results: dict[str, Any] = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
            )
        finally:
            browser.close()
    return results


def _describe(violations: list[dict[str, Any]]) -> str:
    """One block per violation: rule id, impact, help, and each element's target."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {json.dumps(node['target'])}: {node['failureSummary']}")
    return "\n".join(lines)


def _assert_accessible(page_file: Path) -> None:
    results = _axe(page_file)
    # axe really ran its WCAG rules on the page: a broken injection would pass nothing.
    passed = {rule["id"] for rule in results["passes"]}
    assert {"document-title", "html-has-lang", "html-lang-valid"} <= passed, sorted(passed)
    if "<svg" in page_file.read_text(encoding="utf-8"):  # every chart has a text alternative
        assert "svg-img-alt" in passed, sorted(passed)
    violations = results["violations"]
    assert violations == [], f"{page_file.name}: WCAG 2.2 AA violations:\n" + _describe(violations)
    # What axe could not decide needs a person, except colour contrast of chart text: axe
    # cannot see the background behind SVG text (it checks all HTML text itself). Anything
    # else left undecided (an ARIA reference to a missing or duplicated id...) is a fault.
    undecided = [rule for rule in results["incomplete"] if rule["id"] not in NEEDS_A_PERSON]
    assert undecided == [], f"{page_file.name}: axe could not decide:\n" + _describe(undecided)


@pytest.mark.slow
def test_report_page_meets_wcag_22_aa(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    _pathway("report", str(HUB_2017), "--simulate", "400", "--html", str(page))
    _assert_accessible(page)


@pytest.mark.slow
def test_diff_page_meets_wcag_22_aa(tmp_path: Path) -> None:
    page = tmp_path / "diff.html"
    _pathway("diff", str(HUB_2017), str(HUB_2018), "-n", "300", "--html", str(page))
    _assert_accessible(page)


def test_structure_only_diff_page_meets_wcag_22_aa(tmp_path: Path) -> None:
    page = tmp_path / "diff.html"
    _pathway("diff", str(HUB_2017), str(HUB_2018), "--no-simulate", "--html", str(page))
    _assert_accessible(page)


def _luminance(colour: str) -> float:
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def test_every_chart_colour_has_3_to_1_contrast_on_white() -> None:
    # WCAG 2.2 1.4.11 (non-text contrast) for the marks of the charts and the map; axe
    # does not check graphics, so the palette is checked here.
    from pathway._report._palette import WORK_COLOURS
    from pathway._report._svg import CAUSE_COLOURS, OTHER

    colours = {**WORK_COLOURS, **CAUSE_COLOURS, "other": OTHER}
    ratios = {name: (1.05) / (_luminance(c) + 0.05) for name, c in colours.items()}
    assert {name: round(r, 2) for name, r in ratios.items() if r < 3} == {}
