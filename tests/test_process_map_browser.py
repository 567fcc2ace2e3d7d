"""The process map in a real headless Chromium: ``pathway show --html`` for the shipped
Recovery Hub pathways loads with no console error and no network request, every step's
words stay inside its box, no two boxes or labels overlap as drawn, and a screenshot
(``chromium --headless --screenshot``, as the docs' pictures are made) is a real PNG.

Uses the system Chromium at ``/usr/bin/chromium`` (Debian package ``chromium``; .ci/run
installs it) through Playwright's Python package, as tests/test_html_browser.py does.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pathway.cli import main

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
HUBS = ["recovery-hub-2017", "recovery-hub-2018"]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no Chromium at /usr/bin/chromium: apt-get install chromium (as .ci/run does)",
)

# Per step box: the box, and the right and bottom edges of its words, as drawn.
MEASURE = """() => [...document.querySelectorAll('svg.process-map g.step')].map(g => {
  const box = g.querySelector('rect.box').getBBox();
  const words = [...g.querySelectorAll('text')].filter(t => !t.closest('.checkpoint'))
    .map(t => t.getBBox());
  return {step: g.dataset.step, x: box.x, y: box.y, w: box.width, h: box.height,
          right: Math.max(...words.map(b => b.x + b.width)),
          bottom: Math.max(...words.map(b => b.y + b.height))};
})"""
LABELS = """() => [...document.querySelectorAll('svg.process-map g.label rect')].map(r => {
  const b = r.getBBox(); const g = r.parentNode;
  const words = [...g.querySelectorAll('text')].map(t => t.getBBox());
  return {x: b.x, y: b.y, w: b.width, h: b.height,
          right: Math.max(...words.map(t => t.x + t.width))};
})"""


def _page(tmp_path: Path, name: str) -> Path:
    page = tmp_path / f"{name}.html"
    assert main(["show", str(ROOT / "pathways" / f"{name}.yaml"), "--html", "-o", str(page)]) == 0
    return page


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    )


@pytest.mark.parametrize("name", HUBS)
def test_hub_map_reads_in_chromium(tmp_path: Path, name: str) -> None:
    from playwright.sync_api import sync_playwright

    page_file = _page(tmp_path, name)
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_file.as_uri(), wait_until="load")
            boxes = page.evaluate(MEASURE)
            labels = page.evaluate(LABELS)
            width = page.eval_on_selector("svg.process-map", "e => e.getBoundingClientRect().width")
        finally:
            browser.close()
    assert errors == []
    assert requests == [page_file.as_uri()]
    assert width > 1000  # drawn at its own size, in a scrolling frame
    assert len(boxes) > 10
    for box in boxes:  # the words fit their box (a few pixels of font difference allowed)
        assert box["right"] <= box["x"] + box["w"] + 3, box
        assert box["bottom"] <= box["y"] + box["h"] + 3, box
    for label in labels:
        assert label["right"] <= label["x"] + label["w"] + 6, label
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not _overlap(a, b), (a["step"], b["step"])
        for label in labels:
            assert not _overlap(a, label), (a["step"], label)


@pytest.mark.parametrize("name", HUBS)
def test_hub_map_screenshot(tmp_path: Path, name: str) -> None:
    page = _page(tmp_path, name)
    shot = tmp_path / f"{name}.png"
    done = subprocess.run(
        [str(CHROMIUM), *ARGS, "--hide-scrollbars", "--window-size=1600,1200",
         f"--screenshot={shot}", page.as_uri()],
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 20_000  # a drawn map, not a blank page
