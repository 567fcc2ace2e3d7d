"""Diff an old and a new pathway: structure, behaviour on the same cohort, and CI gates."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from pathway._diff._behaviour import BehaviouralDiff, behavioural_diff
from pathway._diff._gate import evaluate_gates
from pathway._diff._structural import StructuralDiff, structural_diff
from pathway._model._pathway import Pathway
from pathway._report._diff import Diff

__all__ = ["BehaviouralDiff", "Diff", "StructuralDiff", "diff"]


def diff(
    old: Pathway,
    new: Pathway,
    *,
    cases: int = 2000,
    seed: int = 0,
    replications: int = 1,
    executor: Executor | None = None,
    simulate: bool = True,
    fail_if: Sequence[str] = (),
    journeys: bool = False,
) -> Diff:
    """Compare ``old`` and ``new``: structure, and behaviour on one simulated cohort.

    With ``simulate`` (the default) both pathways run on the same ``cases`` people with
    common random numbers; ``journeys`` also keeps both event logs to draw typical
    journeys and control charts (for the HTML page). ``fail_if`` gates are evaluated
    (see :mod:`pathway._diff._gate`). Raises :class:`~pathway.errors.DefinitionError`
    when the pathways cannot share a cohort, ``ValueError`` for an unreadable gate and
    :class:`~pathway.errors.MissingExtraError` without the ``sim`` extra.
    """
    structure = structural_diff(old, new)
    behaviour: BehaviouralDiff | None = None
    reports: tuple[Any, Any] | None = None
    if simulate:
        behaviour, reports = _behaviour(old, new, cases, seed, replications, executor, journeys)
    gates = tuple(evaluate_gates(fail_if, structure, behaviour))
    return Diff(structure, behaviour, gates, reports)


def _behaviour(
    old: Pathway,
    new: Pathway,
    cases: int,
    seed: int,
    replications: int,
    executor: Executor | None,
    journeys: bool,
) -> tuple[BehaviouralDiff, tuple[Any, Any] | None]:
    if not journeys:
        return behavioural_diff(
            old, new, cases=cases, seed=seed, replications=replications, executor=executor
        ), None
    from pathway._analysis import analyse

    with tempfile.TemporaryDirectory(prefix="pathway-diff-") as folder:
        paths = (Path(folder) / "old.parquet", Path(folder) / "new.parquet")
        behaviour = behavioural_diff(
            old, new, cases=cases, seed=seed, replications=1, executor=executor, events=paths
        )
        reports = (analyse(paths[0], old), analyse(paths[1], new))
    return behaviour, reports
