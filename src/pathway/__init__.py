"""pathway: declare, run, simulate, measure and diff health and social care pathways.

The public API is this module's ``__all__``; everything in ``pathway._*`` modules is
private and may change. Start with :func:`load`::

    import pathway
    hub = pathway.load("pathways/recovery-hub-2018.yaml")
    print(hub.nominal_visits())

The core (load, validate, the live :class:`Case`, replay) needs only the core
dependencies. The names that need an optional extra (:func:`simulate`, :func:`analyse`,
:func:`diff`, :class:`EventLog`, :class:`Report`, :class:`Diff`...) are imported when
first used; without the extra they raise :class:`MissingExtraError` naming it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pathway._define._load import dump, load
from pathway._define._schema import json_schema
from pathway._engine._case import Case, new_case, replay
from pathway._engine._types import Option, Worker
from pathway._extras import require
from pathway._journal._events import (
    CaseStarted,
    Decision,
    Event,
    FactsUpdated,
    FailureDemand,
    Handoff,
    Journal,
    Migrated,
    OutcomeReached,
    StepCompleted,
    StepStarted,
    Transitioned,
    VisitAttended,
    VisitMissed,
    Waited,
)
from pathway._journal._measures import CaseMeasures
from pathway._model._pathway import Pathway
from pathway._version import __version__ as __version__
from pathway.errors import (
    ArgumentError,
    BpmnError,
    CheckpointError,
    CheckpointRuleError,
    ConflictError,
    ContinuityError,
    DefinitionError,
    EventLogError,
    ExpressionError,
    FactError,
    MigrationError,
    MissingExtraError,
    PathwayError,
    Problem,
    ReplayError,
    SimulationError,
    SourceError,
    StoreError,
    TransitionError,
)

if TYPE_CHECKING:
    from pathway._discover._api import Discovery, discover
    from pathway._discover._check import FitReport, fit_report
    from pathway._journal._eventlog import EventLog
    from pathway._report._build import analyse, diff
    from pathway._report._diff import Diff
    from pathway._report._report import Report
    from pathway._sim._api import simulate
    from pathway._sim._result import SimulationResult, Summary

__all__ = [
    "ArgumentError",
    "BpmnError",
    "Case",
    "CaseMeasures",
    "CaseStarted",
    "CheckpointError",
    "CheckpointRuleError",
    "ConflictError",
    "ContinuityError",
    "Decision",
    "DefinitionError",
    "Diff",
    "Discovery",
    "Event",
    "EventLog",
    "EventLogError",
    "ExpressionError",
    "FactError",
    "FactsUpdated",
    "FailureDemand",
    "FitReport",
    "Handoff",
    "Journal",
    "Migrated",
    "MigrationError",
    "MissingExtraError",
    "Option",
    "OutcomeReached",
    "Pathway",
    "PathwayError",
    "Problem",
    "ReplayError",
    "Report",
    "SimulationError",
    "SimulationResult",
    "SourceError",
    "StepCompleted",
    "StepStarted",
    "StoreError",
    "Summary",
    "TransitionError",
    "Transitioned",
    "VisitAttended",
    "VisitMissed",
    "Waited",
    "Worker",
    "analyse",
    "diff",
    "discover",
    "dump",
    "fit_report",
    "json_schema",
    "load",
    "new_case",
    "replay",
    "simulate",
]

#: Public names that need an optional extra: name -> (module, extra, feature).
_OPTIONAL: dict[str, tuple[str, str, str]] = {
    "EventLog": ("pathway._journal._eventlog", "report", "pathway.EventLog"),
    "Report": ("pathway._report._report", "report", "pathway.Report"),
    "analyse": ("pathway._report._build", "report", "pathway.analyse"),
    "Diff": ("pathway._report._diff", "sim", "pathway.Diff"),
    "diff": ("pathway._report._build", "sim", "pathway.diff"),
    "SimulationResult": ("pathway._sim._result", "sim", "pathway.SimulationResult"),
    "Summary": ("pathway._sim._result", "sim", "pathway.Summary"),
    "simulate": ("pathway._sim._api", "sim", "pathway.simulate"),
    "Discovery": ("pathway._discover._api", "sim", "pathway.Discovery"),
    "discover": ("pathway._discover._api", "sim", "pathway.discover"),
    "FitReport": ("pathway._discover._check", "sim", "pathway.FitReport"),
    "fit_report": ("pathway._discover._check", "sim", "pathway.fit_report"),
}


def _publish(value: Any) -> Any:
    """Report ``value`` as ``pathway.X`` (its public home), as httpx does."""
    if getattr(value, "__module__", "").startswith("pathway._"):
        value.__module__ = __name__
    return value


def __getattr__(name: str) -> Any:
    """Import a public name that needs an optional extra on first use."""
    if name not in _OPTIONAL:
        raise AttributeError(f"module 'pathway' has no attribute {name!r}")
    module, extra, feature = _OPTIONAL[name]
    value = _publish(getattr(require(module, extra=extra, feature=feature), name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


for _name in __all__:
    if _name not in _OPTIONAL:
        _publish(globals()[_name])
del _name
