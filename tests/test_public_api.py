"""The public facade: ``pathway.__all__`` is pinned, and errors subclass the builtins."""

from __future__ import annotations

import builtins
import importlib
import pkgutil
import re

import pytest

import pathway
import pathway.errors
from pathway import PathwayError

PUBLIC = [
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

# What the errors module's docstring promises: each error and the builtin it also is.
BUILTIN_OF = {
    "ArgumentError": "TypeError",
    "DefinitionError": "ValueError",
    "ExpressionError": "ValueError",
    "FactError": "ValueError",
    "TransitionError": "ValueError",
    "CheckpointError": "ValueError",
    "CheckpointRuleError": "ValueError",
    "ReplayError": "ValueError",
    "SimulationError": "ValueError",
    "MissingExtraError": "ImportError",
    "StoreError": "ValueError",
    "ConflictError": "RuntimeError",
    "MigrationError": "ValueError",
}


def test_all_is_pinned_and_sorted() -> None:
    assert sorted(PUBLIC) == PUBLIC
    assert pathway.__all__ == PUBLIC


def test_every_public_name_exists() -> None:
    for name in pathway.__all__:
        assert getattr(pathway, name) is not None, name
    namespace: dict[str, object] = {}
    exec("from pathway import *", namespace)
    assert sorted(k for k in namespace if not k.startswith("__")) == PUBLIC


def test_errors_all_exists() -> None:
    for name in pathway.errors.__all__:
        assert hasattr(pathway.errors, name), name


def test_the_docstring_names_each_errors_builtin() -> None:
    doc = pathway.errors.__doc__ or ""
    promised = dict(re.findall(r"([A-Z]\w+Error) \((\w+)\)", doc))
    assert promised == {"PathwayError": "Exception", **BUILTIN_OF}
    assert "SourceError" in doc


def test_each_error_subclasses_its_builtin() -> None:
    for name, builtin in BUILTIN_OF.items():
        error = getattr(pathway.errors, name)
        assert issubclass(error, PathwayError), name
        assert issubclass(error, getattr(builtins, builtin)), name
    assert issubclass(pathway.SourceError, pathway.DefinitionError)
    assert issubclass(pathway.SourceError, ValueError)
    assert issubclass(pathway.EventLogError, pathway.DefinitionError)
    assert "EventLogError" in (pathway.errors.__doc__ or "")
    assert issubclass(pathway.BpmnError, pathway.DefinitionError)
    assert "BpmnError" in (pathway.errors.__doc__ or "")
    assert issubclass(pathway.ContinuityError, pathway.TransitionError)
    assert "ContinuityError" in (pathway.errors.__doc__ or "")


# In ruff's RUF022 order (constants, classes, functions), as ruff checks it.
IO_PUBLIC = [
    "BPMN_LIMITS",
    "EXPORT_FORMATS",
    "FORMATS",
    "BpmnImport",
    "ForeignLog",
    "Interpretation",
    "Unmapped",
    "export_bpmn",
    "export_log",
    "import_bpmn",
    "interpret",
    "read_events",
    "read_log",
    "read_ocel",
    "read_table",
    "read_xes",
    "write_log",
]


def test_io_all_is_pinned_and_sorted() -> None:
    io = pytest.importorskip("pathway.io", reason="pathway.io needs the report extra")
    assert io.__all__ == IO_PUBLIC
    for name in IO_PUBLIC:
        assert getattr(io, name) is not None, name


def test_a_bpmn_error_is_headed_as_a_bpmn_error() -> None:
    problem = pathway.Problem("bad", source="in.bpmn", line=3, column=2, field="element T")
    lines = str(pathway.BpmnError([problem])).splitlines()
    assert lines == ["1 error in BPMN file in.bpmn:", str(problem)]


def test_an_event_log_error_is_headed_as_a_log_error_and_counts_what_is_not_shown() -> None:
    problem = pathway.Problem("bad", source="log.csv", line=3, column=2, field="at")
    error = pathway.EventLogError([problem], log="log.csv", omitted=5)
    head = str(error).splitlines()[0]
    assert head == "6 errors in event log log.csv (the first 1 shown, 5 more not shown):"
    assert "pathway definition" not in str(error)
    single = str(pathway.EventLogError([problem])).splitlines()
    assert single == ["1 error in event log log.csv:", str(problem)]


def _all_subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _all_subclasses(sub)
    return found


def test_every_pathway_error_anywhere_is_also_a_builtin_error() -> None:
    for module in pkgutil.walk_packages(pathway.__path__, "pathway."):
        if module.name.startswith("pathway.testing"):
            continue  # needs hypothesis, an extra; its errors are checked with it
        try:
            importlib.import_module(module.name)
        except ImportError:
            continue  # an optional extra that is not installed
    plain = (Exception, PathwayError)
    for error in _all_subclasses(PathwayError):
        builtin_bases = [
            base
            for base in error.__mro__
            if base.__module__ == "builtins" and base not in plain and base is not BaseException
            and base is not object
        ]  # fmt: skip
        assert builtin_bases, f"{error.__module__}.{error.__name__} subclasses no builtin error"


def test_errors_raised_by_load_are_caught_as_value_error() -> None:
    with pytest.raises(ValueError) as caught:
        pathway.load("id: x\n")
    assert isinstance(caught.value, pathway.DefinitionError)
