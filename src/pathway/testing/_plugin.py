"""The pytest plugin (entry point ``pathway`` in ``pytest11``): pathway files as tests.

* Collects the pathway files under the rootdir that match the ``pathway_files`` globs
  (ini option; default ``pathways/**/*.yaml``) as test items, ``<file>::validate``, that
  fail with the validator's ``file:line:col`` messages and nothing else. Turn collection
  off with ``pathway_collect = false`` or disable the plugin with ``-p no:pathway``.
* ``--pathway-simulate N`` adds ``<file>::smoke``: N seeded random journeys through the
  live engine, each checked to run, end where the model says, and replay from JSON
  (``--pathway-seed`` picks the seed). It checks the live engine on the file; cohorts
  are simulated by ``pathway simulate``.
* Fixtures ``load_pathway`` (load a file, cached by path for the session) and
  ``new_case`` (start a case on a pathway or file, with defaults for id and time).
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import pytest

from pathway._define._load import load
from pathway._engine._case import Case
from pathway._model._pathway import Pathway
from pathway.errors import DefinitionError, PathwayError
from pathway.testing._journeys import DEFAULT_START, smoke_run

__all__ = [
    "CaseFactory",
    "PathwayFile",
    "PathwayItem",
    "PathwaySmokeItem",
    "glob_matches",
    "load_pathway",
    "new_case",
]

DEFAULT_GLOBS = ("pathways/**/*.yaml",)


# -------------------------------------------------------------------------- options


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--pathway-simulate``, ``--pathway-seed`` and the ini options."""
    group = parser.getgroup("pathway", "pathway files (pathway.testing)")
    group.addoption(
        "--pathway-simulate",
        type=int,
        default=0,
        metavar="N",
        dest="pathway_simulate",
        help="also run N random journeys through each collected pathway file (smoke run)",
    )
    group.addoption(
        "--pathway-seed",
        type=int,
        default=0,
        metavar="SEED",
        dest="pathway_seed",
        help="seed of the --pathway-simulate journeys (default 0)",
    )
    parser.addini(
        "pathway_files",
        type="linelist",
        default=list(DEFAULT_GLOBS),
        help="globs (relative to the rootdir; *, ? and **) of pathway files to check",
    )
    parser.addini(
        "pathway_collect",
        type="bool",
        default=True,
        help="collect pathway files as tests (default true)",
    )


# ------------------------------------------------------------------------ collection


def glob_matches(relative: str, pattern: str) -> bool:
    """Whether the ``/``-separated ``relative`` path matches ``pattern``, where ``*`` and
    ``?`` stay within one directory and a ``**`` segment spans any number of them."""
    return _glob_regex(pattern).fullmatch(relative) is not None


def _glob_regex(pattern: str) -> re.Pattern[str]:
    segments = pattern.strip("/").split("/")
    parts = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "**":
            parts.append(".*" if last else "(?:[^/]+/)*")
            continue
        text = "".join(
            "[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c) for c in segment
        )
        parts.append(text if last else text + "/")
    return re.compile("".join(parts))


def _relative(path: Path, root: Path) -> str | None:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> PathwayFile | None:
    """Collect ``file_path`` when it is under the rootdir and matches a glob."""
    config = parent.config
    if not config.getini("pathway_collect"):
        return None
    relative = _relative(file_path, config.rootpath)
    globs: list[str] = config.getini("pathway_files")
    if relative is None or not any(glob_matches(relative, glob) for glob in globs):
        return None
    file: PathwayFile = PathwayFile.from_parent(parent, path=file_path)
    return file


class PathwayFile(pytest.File):
    """A pathway file: a ``validate`` item, and a ``smoke`` item with --pathway-simulate."""

    _loaded: Pathway | DefinitionError | None = None

    @property
    def display(self) -> str:
        """The file's path relative to the rootdir, as problems name it."""
        return _relative(self.path, self.config.rootpath) or str(self.path)

    def load(self) -> Pathway:
        """Load the file once (raises the same DefinitionError every time)."""
        if self._loaded is None:
            try:
                self._loaded = load(self.path, name=self.display)
            except DefinitionError as error:
                self._loaded = error
        if isinstance(self._loaded, DefinitionError):
            raise self._loaded
        return self._loaded

    def collect(self) -> Iterator[pytest.Item]:
        """The items of this file."""
        yield PathwayItem.from_parent(self, name="validate")
        runs: int = self.config.getoption("pathway_simulate")
        if runs > 0:
            yield PathwaySmokeItem.from_parent(self, name="smoke", runs=runs)


class _FileItem(pytest.Item):
    """An item about a pathway file; failures show pathway's messages, not tracebacks."""

    def file(self) -> PathwayFile:
        """The collector of the file this item checks."""
        assert isinstance(self.parent, PathwayFile)
        return self.parent

    def reportinfo(self) -> tuple[os.PathLike[str] | str, int | None, str]:
        """Where the item is, for reports."""
        return self.path, None, f"{self.file().display}: {self.name}"

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str | Any:
        """The error's own text for pathway's errors and smoke-run failures."""
        if isinstance(excinfo.value, PathwayError | AssertionError):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)


class PathwayItem(_FileItem):
    """Passes when the file loads and validates; fails with every problem found."""

    def runtest(self) -> None:
        """Load and validate the file; warnings go to a report section."""
        pathway = self.file().load()
        if pathway.warnings:
            text = "\n".join(str(warning) for warning in pathway.warnings)
            self.add_report_section("call", "pathway warnings", text)


class PathwaySmokeItem(_FileItem):
    """Runs seeded random journeys through the live engine, each checked with
    :func:`~pathway.testing.check_journey`."""

    def __init__(self, *, runs: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.runs = runs

    def runtest(self) -> None:
        """Skip files that do not load; otherwise run and check the journeys."""
        try:
            pathway = self.file().load()
        except DefinitionError:
            pytest.skip(f"{self.file().display} does not load; see its ::validate item")
        smoke_run(pathway, self.runs, seed=self.config.getoption("pathway_seed"))


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def load_pathway(request: pytest.FixtureRequest) -> Callable[[str | os.PathLike[str]], Pathway]:
    """``load_pathway(path)``: the compiled pathway in a file, loaded once per session.

    A relative path is taken from the rootdir, so tests work from any directory.
    Raises :class:`~pathway.DefinitionError` like :func:`pathway.load`.
    """
    root = request.config.rootpath
    cache: dict[Path, Pathway] = {}

    def load_cached(path: str | os.PathLike[str]) -> Pathway:
        resolved = (root / Path(path)).resolve()
        if resolved not in cache:
            cache[resolved] = load(resolved)
        return cache[resolved]

    return load_cached


class CaseFactory(Protocol):
    """The ``new_case`` fixture's signature."""

    def __call__(
        self,
        pathway: Pathway | str | os.PathLike[str],
        facts: Mapping[str, Any] | None = None,
        *,
        case_id: str | None = None,
        at: datetime | None = None,
        roster: Mapping[str, str] | None = None,
    ) -> Case: ...


@pytest.fixture
def new_case(load_pathway: Callable[[str | os.PathLike[str]], Pathway]) -> CaseFactory:
    """``new_case(pathway_or_path, facts=None, *, case_id=None, at=None, roster=None)``.

    Starts a live case; ``case_id`` defaults to ``case-1``, ``case-2``... and ``at`` to
    Monday 2024-01-01 00:00 UTC (the engine never reads the clock).
    """
    numbers = itertools.count(1)

    def start(
        pathway: Pathway | str | os.PathLike[str],
        facts: Mapping[str, Any] | None = None,
        *,
        case_id: str | None = None,
        at: datetime | None = None,
        roster: Mapping[str, str] | None = None,
    ) -> Case:
        compiled = pathway if isinstance(pathway, Pathway) else load_pathway(pathway)
        name = case_id or f"case-{next(numbers)}"
        return compiled.new_case(name, facts, at=at or DEFAULT_START, roster=roster)

    return start
