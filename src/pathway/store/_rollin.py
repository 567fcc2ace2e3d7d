"""Roll-in: move open cases to a new version of their pathway with a step mapping.

A step map is a small YAML file::

    from: "2017"            # optional: the version cases move from (default: every
                            # published version of the pathway other than the new one)
    steps:                  # every step an open case may be at -> its step in the new
      assessment: assessment
      waiting_list: triage

:func:`migrate_cases` checks every case first (a dry run stops there and lists the
cases that cannot move and why); a real run moves nothing unless every case can move,
then moves each case in its own transaction, appending a :class:`~pathway.Migrated`
event so the journal replays across versions. Nothing is guessed: an unmapped step, a
target the new version does not have (or an outcome), a step the old version does not
have, and a fact the new version does not declare are errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import attrs
import yaml

from pathway._engine._case import Case
from pathway._engine._migrate import migrate_case
from pathway._model._pathway import Pathway
from pathway.errors import (
    ConflictError,
    FactError,
    MigrationError,
    PathwayError,
    TransitionError,
)
from pathway.store._store import Store

__all__ = ["MigrationReport", "StepMap", "load_step_map", "migrate_cases"]

_ATTEMPTS = 10


@attrs.frozen(slots=True)
class StepMap:
    """Where each step of the old version goes in the new one (and, optionally, which
    old version moves)."""

    steps: Mapping[str, str]
    from_version: str | None = None


@attrs.frozen(slots=True)
class MigrationReport:
    """What a roll-in did (or, in a dry run, would do): the cases moved (or movable),
    and the cases that cannot move, each with the reason."""

    moved: tuple[str, ...]
    blocked: tuple[tuple[str, str], ...]
    dry_run: bool


def load_step_map(source: str | Path | Mapping[str, object]) -> StepMap:
    """A step map from a YAML file, YAML text or a mapping; MigrationError if it is not
    ``{steps: {old: new, ...}, from: VERSION?}``."""
    name = str(source) if isinstance(source, Path) else "<step map>"
    data: object = source
    if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source):
        try:
            data = Path(source).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise MigrationError(f"{source}: cannot read the step map: {error}") from None
        name = str(source)
    if isinstance(data, str):
        try:
            data = yaml.safe_load(data)
        except yaml.YAMLError as error:
            raise MigrationError(f"{name}: not YAML: {error}") from None
    if not isinstance(data, Mapping) or set(data) - {"steps", "from"} or "steps" not in data:
        raise MigrationError(
            f"{name}: a step map is a mapping with 'steps' (old step: new step) and "
            "optionally 'from' (the version that moves)"
        )
    steps, version = data["steps"], data.get("from")
    if not isinstance(steps, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in steps.items()
    ):
        raise MigrationError(f"{name}: 'steps' must map step ids (text) to step ids (text)")
    if version is not None and not isinstance(version, str | int | float):
        raise MigrationError(f"{name}: 'from' must be a version (text), found {version!r}")
    return StepMap(dict(steps), None if version is None else str(version))


def migrate_cases(
    store: Store, target: Pathway, step_map: StepMap, *, at: datetime, dry_run: bool = False
) -> MigrationReport:
    """Move every open case of ``target``'s pathway (on another version, or on
    ``step_map.from_version``) to ``target``; see the module for the rules.

    Raises MigrationError for a map that names unknown steps, or (unless ``dry_run``)
    when any case cannot move (then no case moves).
    """
    sources = _source_versions(store, target, step_map)
    _check_map(target, step_map, sources)
    candidates = _candidates(store, sources)
    movable, blocked = [], []
    for case_id in candidates:
        reason = _why_not(store.load(case_id).case, target, step_map, at)
        if reason is None:
            movable.append(case_id)
        else:
            blocked.append((case_id, reason))
    if dry_run:
        return MigrationReport(tuple(movable), tuple(blocked), True)
    if blocked:
        shown = "; ".join(f"{case}: {why}" for case, why in blocked[:20])
        more = f" (and {len(blocked) - 20} more)" if len(blocked) > 20 else ""
        raise MigrationError(
            f"{len(blocked)} of {len(candidates)} open cases cannot move to "
            f"{target.id!r} version {target.version!r}, so none was moved: {shown}{more}; "
            "fix the step map (or the cases) and run again"
        )
    store.publish(target)
    for case_id in movable:
        _move(store, case_id, target, step_map, at)
    return MigrationReport(tuple(movable), (), False)


def _source_versions(store: Store, target: Pathway, step_map: StepMap) -> list[Pathway]:
    versions = [
        (pid, version, chash)
        for pid, version, chash in store.versions()
        if pid == target.id
        and (version, chash) != (target.version, target.content_hash)
        and step_map.from_version in (None, version)
    ]
    if step_map.from_version is not None and not versions:
        raise MigrationError(
            f"pathway {target.id!r} version {step_map.from_version!r} is not published in "
            "the store, so no case runs on it"
        )
    return [store.pathway(*key) for key in versions]


def _check_map(target: Pathway, step_map: StepMap, sources: list[Pathway]) -> None:
    problems = []
    for old, new in step_map.steps.items():
        step = target.steps.get(new)
        if step is None:
            problems.append(f"{old!r} maps to {new!r}, which is not a step of the new version")
        elif step.outcome:
            problems.append(f"{old!r} maps to {new!r}, an outcome: open cases must stay open")
        if sources and not any(old in source.steps for source in sources):
            problems.append(f"{old!r} is not a step of the version(s) cases move from")
    if problems:
        raise MigrationError("the step map is wrong: " + "; ".join(problems))


def _candidates(store: Store, sources: list[Pathway]) -> list[str]:
    found: list[str] = []
    for source in sources:
        rows = store._db.query(
            "SELECT case_id FROM cases WHERE finished = 0 AND pathway_id = ? AND "
            "pathway_version = ? ORDER BY case_id",
            (source.id, source.version),
        )
        found.extend(str(row[0]) for row in rows)
    return sorted(found)


def _why_not(case: Case, target: Pathway, step_map: StepMap, at: datetime) -> str | None:
    new_step = step_map.steps.get(case.state)
    if new_step is None:
        return f"it is at step {case.state!r}, which the step map does not map"
    try:
        migrate_case(case, target, new_step, at=at)
    except FactError as error:
        return f"its facts do not fit the new version: {error}"
    except (TransitionError, PathwayError) as error:
        return str(error)
    return None


def _move(store: Store, case_id: str, target: Pathway, step_map: StepMap, at: datetime) -> None:
    for _ in range(_ATTEMPTS):
        stored = store.load(case_id)
        reason = _why_not(stored.case, target, step_map, at)
        if reason is not None:
            raise MigrationError(f"case {case_id!r} changed and cannot move now: {reason}")
        moved = migrate_case(stored.case, target, step_map.steps[stored.case.state], at=at)
        try:
            store.save(moved, stored.revision)
            return
        except ConflictError:
            continue
    raise ConflictError(f"case {case_id!r}: could not move it; other writers kept saving", case_id)
