"""The analysis of an event log, as one :class:`Report` every output format renders."""

from __future__ import annotations

import json
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pathway._analysis._attribution import Attribution, Contributor
from pathway._analysis._cases import CaseTable
from pathway._analysis._conformance import Conformance
from pathway._analysis._journey import Journey
from pathway._analysis._observed import Comparison
from pathway._analysis._rounds import CheckpointRounds
from pathway._analysis._settings import LoadSummary, SettingsSummary
from pathway._analysis._spc import PeriodChart
from pathway._analysis._stats import Summary
from pathway._analysis._xmr import XmR
from pathway._model._pathway import Pathway
from pathway._report._html import report_html
from pathway._report._json import report_dict
from pathway._report._markdown import report_markdown
from pathway._report._place import load_warnings
from pathway._report._text import report_text

__all__ = ["Chart", "Headline", "Report"]

B = npt.NDArray[np.bool_]


@attrs.frozen
class Headline:
    """The report's first sentence, and the numbers in it."""

    fragmentation_days: float | None
    median_end_to_end_days: float | None
    share: float | None
    perfect_flow_minutes: float | None
    mean_share: float | None
    contributors: tuple[tuple[Contributor, float], ...]
    text: str


@attrs.frozen(eq=False)
class Chart:
    """An XmR chart of a per-case measure over the cases in scope, in arrival order, and
    the same measure per period (week or month) with its Making Data Count verdicts."""

    measure: str
    title: str
    unit: str
    chart: XmR
    periods: PeriodChart | None = None


@attrs.frozen
class Replicated:
    """The key measures over ``count`` independent simulated replications of one seed.

    ``rows`` holds, per measure: its name, unit, the mean of the replications' means,
    that mean's 95% t-interval (None when it cannot be had) and the mean of the
    replications' medians.
    """

    count: int
    seed: int
    rows: tuple[tuple[str, str, float | None, tuple[float, float] | None, float | None], ...]


@attrs.frozen(eq=False)
class Report:
    """What :func:`pathway.analyse` finds in an event log; render with ``to_json``,
    ``to_markdown``, ``to_text`` or ``to_html``."""

    pathway: Pathway | None
    log_info: dict[str, Any]
    cases: CaseTable
    scope: B
    scope_label: str
    measures: dict[str, tuple[Summary, str]]
    headline: Headline
    attribution: Attribution
    waits_by_cause: dict[str, float]
    demand: dict[str, Any]
    work: dict[str, Any]
    appointments: dict[str, Any]
    outcomes: list[dict[str, Any]]
    repeated_items: dict[str, tuple[int, int]] | None
    charts: tuple[Chart, ...]
    journey: Journey | None
    conformance: Conformance | None = None
    notes: tuple[str, ...] = ()
    touch_known: bool = True
    observed: tuple[Comparison, ...] = ()
    replicated: Replicated | None = None
    settings: SettingsSummary | None = None
    load: LoadSummary | None = None
    rounds: tuple[CheckpointRounds, ...] | None = None

    @property
    def warnings(self) -> list[str]:
        """Warnings a reader must not miss (an overloaded role, a growing backlog)."""
        return load_warnings(self.load, self.pathway)

    @property
    def n_scope(self) -> int:
        """How many cases the journey measures cover."""
        return int(self.scope.sum())

    def title_of_step(self, step: str) -> str:
        """A step's title from the pathway, else its id in plain words."""
        if self.pathway is not None and step in self.pathway.steps:
            return self.pathway.steps[step].title
        return step.replace("_", " ")

    def title_of_role(self, role: str) -> str:
        """A role's title from the pathway, else its id in plain words."""
        if self.pathway is not None and role in self.pathway.roles:
            return self.pathway.roles[role].title
        return role.replace("_", " ")

    def to_dict(self) -> dict[str, Any]:
        """The JSON document as Python data (see docs/reference/report-json.md)."""
        return report_dict(self)

    def to_json(self, *, indent: int | None = 2) -> str:
        """The report as JSON with schema ``pathway-report/1``."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)

    def to_markdown(self) -> str:
        """The report as Markdown (tables; fit to paste into a pull request)."""
        return report_markdown(self)

    def to_text(self, *, width: int = 100, color: bool = False) -> str:
        """The report as terminal text: rich tables when rich is installed, else plain."""
        return report_text(self, width=width, color=color)

    def to_html(self) -> str:
        """A self-contained HTML page (inline CSS and SVG, no script, no network)."""
        return report_html(self)
