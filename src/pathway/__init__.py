"""pathway: declare, run, simulate, measure and diff health and social care pathways.

The public API is this module's ``__all__``; everything in ``pathway._*`` modules is
private and may change. Start with :func:`load`::

    import pathway
    hub = pathway.load("pathways/recovery-hub-2018.yaml")
    print(hub.nominal_visits())
"""

from pathway._analysis import analyse
from pathway._define._load import dump, load
from pathway._define._schema import json_schema
from pathway._diff import diff
from pathway._engine._case import Case, Option, Worker, new_case, replay
from pathway._journal._events import (
    CaseStarted,
    Decision,
    Event,
    FactsUpdated,
    FailureDemand,
    Handoff,
    Journal,
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
from pathway._sim import SimulationResult, Summary, simulate
from pathway.errors import (
    CheckpointError,
    DefinitionError,
    ExpressionError,
    FactError,
    MissingExtraError,
    PathwayError,
    Problem,
    ReplayError,
    SourceError,
    TransitionError,
)

__all__ = [
    "Case",
    "CaseMeasures",
    "CaseStarted",
    "CheckpointError",
    "Decision",
    "DefinitionError",
    "Event",
    "ExpressionError",
    "FactError",
    "FactsUpdated",
    "FailureDemand",
    "Handoff",
    "Journal",
    "MissingExtraError",
    "Option",
    "OutcomeReached",
    "Pathway",
    "PathwayError",
    "Problem",
    "ReplayError",
    "SimulationResult",
    "SourceError",
    "StepCompleted",
    "StepStarted",
    "Summary",
    "TransitionError",
    "Transitioned",
    "VisitAttended",
    "VisitMissed",
    "Waited",
    "Worker",
    "analyse",
    "diff",
    "dump",
    "json_schema",
    "load",
    "new_case",
    "replay",
    "simulate",
]

__version__ = "0.1.0"
