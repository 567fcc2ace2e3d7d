"""The documentation is true: generated pages are current, examples run, links resolve.

Conventions in ``docs/**/*.md`` (see docs/index.md, "About these pages"):

* a fenced ``python`` block right after a ``<!-- run -->`` line is run as a script from
  the repository root; if a ``<!-- output -->`` line and a fenced block follow it, the
  script's standard output must be exactly that block;
* a fenced ``console`` block right after ``<!-- run -->`` is run line by line: each
  ``$ command`` runs in bash from the repository root (with this Python's ``pathway``
  first on the PATH) and its output (stdout and stderr together) must be exactly the
  lines under it, up to the next ``$`` line;
* a fenced block right after ``<!-- from PATH -->`` is an excerpt: it must appear,
  line for line, in the file PATH (relative to the repository root).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml

from pathway._define._reference import EXAMPLES, REGENERATE, SECTIONS, markdown_reference, slug
from pathway._define._spec import (
    ArrivalsSpec,
    CalendarSpec,
    CheckpointSpec,
    FactSpec,
    ObservedSpec,
    PathwaySpec,
    ProfileSpec,
    QuestionSpec,
    ReturnsSpec,
    RoleSpec,
    RouteSpec,
    SettingSpec,
    StepSpec,
    TargetSpec,
    TransitionSpec,
)

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
REFERENCE = DOCS / "reference" / "pathway-file.md"
EXAMPLE = ROOT / "examples" / "embed_case.py"
PAGES = sorted(DOCS.rglob("*.md"))
LINKED_PAGES = [*PAGES, ROOT / "README.md"]
TIMEOUT = 120

FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
MARKER = re.compile(r"^<!-- (run|output) -->\n```", re.MULTILINE)
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
INLINE_CODE = re.compile(r"`[^`\n]*`")
HEADING = re.compile(r"^#{1,6} +(.+?) *#*$", re.MULTILINE)


class Block(NamedTuple):
    """A fenced block marked ``<!-- run -->``, with the output it must print (if any)."""

    page: Path
    line: int
    language: str
    code: str
    output: str | None

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def _marked_fences(text: str) -> Iterator[tuple[str, int, re.Match[str]]]:
    """Each marked fence: the marker ('run'/'output'), its end offset and the fence."""
    for marker in MARKER.finditer(text):
        fence = FENCE.match(text, marker.end() - 3)
        assert fence is not None, f"unclosed fence after <!-- {marker.group(1)} -->"
        yield marker.group(1), marker.start(), fence


def runnable_blocks(page: Path) -> list[Block]:
    """The ``<!-- run -->`` blocks of a page, each paired with its ``<!-- output -->``."""
    text = page.read_text(encoding="utf-8")
    blocks: list[Block] = []
    previous_end = -1
    for marker, start, fence in _marked_fences(text):
        if marker == "output":
            between = text[previous_end:start] if blocks else "not blank"
            assert not between.strip(), f"{page}: <!-- output --> must follow a run block"
            blocks[-1] = blocks[-1]._replace(output=fence.group(2))
            continue
        line = text.count("\n", 0, fence.start()) + 1
        blocks.append(Block(page, line, fence.group(1), fence.group(2), None))
        previous_end = fence.end()
    return blocks


BLOCKS = [block for page in PAGES for block in runnable_blocks(page)]
# A page's blocks run in one test, in page order: a later block may read what an earlier
# one wrote (a log simulated in Python, then discovered on the command line), and two
# workers running one page's blocks at once would race for its files.
PAGES_WITH_BLOCKS = [page for page in PAGES if any(block.page == page for block in BLOCKS)]


def _environment() -> dict[str, str]:
    """This interpreter's scripts first on the PATH, unbuffered output."""
    environment = dict(os.environ)
    scripts = str(Path(sys.executable).parent)
    environment["PATH"] = scripts + os.pathsep + environment.get("PATH", "")
    environment["PYTHONUNBUFFERED"] = "1"
    environment["COLUMNS"] = "100"
    return environment


def _run(command: list[str], *, merge: bool = False) -> subprocess.CompletedProcess[str]:
    """Run ``command`` from the repository root; ``merge`` sends stderr to stdout."""
    return subprocess.run(
        command,
        cwd=ROOT,
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merge else subprocess.PIPE,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


# ---------------------------------------------------------------------- the reference


def test_reference_page_is_current() -> None:
    committed = REFERENCE.read_text(encoding="utf-8") if REFERENCE.exists() else ""
    if committed != markdown_reference():
        pytest.fail(
            f"{REFERENCE.relative_to(ROOT)} does not match the schema; regenerate it from "
            f"the repository root with:\n    {REGENERATE}"
        )


def test_reference_is_deterministic() -> None:
    assert markdown_reference() == markdown_reference()


MODELS: dict[str | None, Any] = {
    None: PathwaySpec,
    "CalendarSpec": CalendarSpec,
    "RoleSpec": RoleSpec,
    "FactSpec": FactSpec,
    "StepSpec": StepSpec,
    "TransitionSpec": TransitionSpec,
    "CheckpointSpec": CheckpointSpec,
    "QuestionSpec": QuestionSpec,
    "RouteSpec": RouteSpec,
    "ArrivalsSpec": ArrivalsSpec,
    "ProfileSpec": ProfileSpec,
    "TargetSpec": TargetSpec,
    "ObservedSpec": ObservedSpec,
    "SettingSpec": SettingSpec,
    "ReturnsSpec": ReturnsSpec,
}
SINGLE_OBJECTS = {None, "ArrivalsSpec", "ProfileSpec", "ReturnsSpec"}


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.heading)
def test_reference_examples_are_valid(section: Any) -> None:
    data = yaml.safe_load(EXAMPLES[section.definition])
    if isinstance(data, list):
        items = data
    elif section.definition in SINGLE_OBJECTS:
        items = [data]
    else:
        items = list(data.values())
    for item in items:
        MODELS[section.definition].model_validate(item)


# ---------------------------------------------------------------------- runnable blocks


def test_docs_have_runnable_blocks() -> None:
    assert len(BLOCKS) >= 5, "the docs should show code that this test runs"
    assert {block.language for block in BLOCKS} <= {"python", "console"}


def _run_python_block(block: Block) -> None:
    assert "pathway._" not in block.code, f"{block.name}: docs use the public API only"
    result = _run([sys.executable, "-c", block.code])
    assert result.returncode == 0, f"{block.name} failed:\n{result.stderr}"
    if block.output is not None:
        assert result.stdout == block.output, f"{block.name}: printed output differs"


def _commands(block: Block) -> Iterator[tuple[str, str]]:
    """Each ``$ command`` of a console block with the output written under it."""
    command: str | None = None
    lines: list[str] = []
    for line in block.code.splitlines():
        if line.startswith("$ "):
            if command is not None:
                yield command, "\n".join(lines)
            command, lines = line[2:], []
        else:
            lines.append(line)
    assert command is not None, f"{block.name}: a console block needs '$ ' commands"
    yield command, "\n".join(lines)


def _run_console_block(block: Block) -> None:
    for command, expected in _commands(block):
        result = _run(["bash", "-c", command], merge=True)
        assert result.stdout.rstrip("\n") == expected.rstrip("\n"), (
            f"{block.name}: '$ {command}' printed:\n{result.stdout}"
        )


@pytest.mark.parametrize("page", PAGES_WITH_BLOCKS, ids=lambda page: str(page.relative_to(ROOT)))
def test_page_blocks_run_and_print_what_they_show(page: Path) -> None:
    for block in (block for block in BLOCKS if block.page == page):
        if block.language == "python":
            _run_python_block(block)
        else:
            _run_console_block(block)


# ---------------------------------------------------------------------- excerpts

EXCERPT = re.compile(r"^<!-- from (\S+) -->\n```\w*\n(.*?)^```$", re.MULTILINE | re.DOTALL)
EXCERPTS = [
    (page, match.group(1), match.group(2))
    for page in PAGES
    for match in EXCERPT.finditer(page.read_text(encoding="utf-8"))
]


@pytest.mark.parametrize(
    ("page", "source", "excerpt"),
    EXCERPTS,
    ids=[f"{page.relative_to(ROOT)}:{source}" for page, source, _ in EXCERPTS],
)
def test_excerpt_matches_its_source(page: Path, source: str, excerpt: str) -> None:
    text = (ROOT / source).read_text(encoding="utf-8")
    assert excerpt in text, f"{page.relative_to(ROOT)} quotes {source}, which has changed"


# ---------------------------------------------------------------------- the example


EXPECTED_EXAMPLE_LINES = (
    "before saving",
    "second request refused: case 'client-9' changed since it was loaded",
    "worklist of recovery workers: client-9 at statutory_dataset",
    "after loading from the store",
    "the loaded case has the same journal: True",
)


def test_embed_example_runs() -> None:
    assert "pathway._" not in EXAMPLE.read_text(encoding="utf-8")
    result = _run([sys.executable, str(EXAMPLE.relative_to(ROOT))])
    assert result.returncode == 0, result.stderr
    printed = result.stdout.splitlines()
    for expected in EXPECTED_EXAMPLE_LINES:
        assert any(line.strip().startswith(expected) for line in printed), (
            f"examples/embed_case.py did not print {expected!r}:\n{result.stdout}"
        )


def test_embed_example_is_shown_in_the_how_to() -> None:
    how_to = (DOCS / "how-to" / "embed-in-a-case-system.md").read_text(encoding="utf-8")
    assert "examples/embed_case.py" in how_to


# ---------------------------------------------------------------------- problem codes

SOURCE = ROOT / "src" / "pathway"
CODE_PATTERNS = (
    re.compile(r'code="([a-z][a-z0-9-]*)"'),
    re.compile(r'(?:_fail|\.problem)\(\s*"([a-z][a-z0-9-]*)"'),
    re.compile(r'"(invalid-[a-z0-9-]+)"'),
    re.compile(r'_Explained\([^()]*"([a-z]+(?:-[a-z]+)+)"\)'),
)
# Codes built at run time rather than written out: f"invalid-{what}" in
# _distributions.py (duration, rate) and SpecValueError's default in _spec.py (date).
BUILT_CODES = {"invalid-duration", "invalid-rate", "invalid-date"}


def problem_codes() -> set[str]:
    """Every problem code the source writes out, plus the ones it builds."""
    codes = set(BUILT_CODES)
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in CODE_PATTERNS:
            codes.update(pattern.findall(text))
    return codes


def test_every_problem_code_is_documented() -> None:
    errors_page = (DOCS / "reference" / "errors.md").read_text(encoding="utf-8")
    missing = sorted(code for code in problem_codes() if f"`{code}`" not in errors_page)
    assert not missing, f"docs/reference/errors.md does not explain problem codes {missing}"


# ---------------------------------------------------------------------- links


def _prose(text: str) -> str:
    """Text without fenced blocks and inline code (links there are not links)."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def anchors(page: Path) -> set[str]:
    """The heading anchors of a Markdown page (GitHub style, duplicates numbered)."""
    found: set[str] = set()
    for heading in HEADING.findall(FENCE.sub("", page.read_text(encoding="utf-8"))):
        anchor = slug(heading)
        number = 0
        while (candidate := anchor if number == 0 else f"{anchor}-{number}") in found:
            number += 1
        found.add(candidate)
    return found


def _links(page: Path) -> Iterator[str]:
    for target in LINK.findall(_prose(page.read_text(encoding="utf-8"))):
        if not re.match(r"^[a-z][a-z0-9+.-]*:", target):
            yield target


@pytest.mark.parametrize("page", LINKED_PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page: Path) -> None:
    broken = []
    for target in _links(page):
        path_part, _, anchor = target.partition("#")
        resolved = (page.parent / path_part).resolve() if path_part else page
        if not resolved.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(f"{target} (no heading with anchor #{anchor})")
    assert not broken, f"{page.relative_to(ROOT)} has broken links: {broken}"
