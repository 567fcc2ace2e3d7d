"""pathway: declare, run, simulate, measure and diff health and social care pathways.

The public API is this module's ``__all__``; everything in ``pathway._*`` modules is
private and may change. Start with :func:`load`::

    import pathway
    hub = pathway.load("pathways/recovery-hub-2018.yaml")
    print(hub.nominal_visits())
"""

from pathway._load import dump, load
from pathway._model import Pathway
from pathway._schema import json_schema
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
    "CheckpointError",
    "DefinitionError",
    "ExpressionError",
    "FactError",
    "MissingExtraError",
    "Pathway",
    "PathwayError",
    "Problem",
    "ReplayError",
    "SourceError",
    "TransitionError",
    "dump",
    "json_schema",
    "load",
]

__version__ = "0.1.0"
