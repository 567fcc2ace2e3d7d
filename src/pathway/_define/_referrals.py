"""Concurrent referrals checked: a move's ``also`` names steps where it opens a new case
(a new demand of the same person) while the case goes on.

A referral step must be a declared step that is not an outcome (a referral is work to
do), and a move that refers may not lie on a loop, counting the referrals' own
journeys: neither the case going on nor a referral it opens can come back to the move,
so a person opens at most one referral per step listed and the cohort stays finite.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any, Protocol

from pathway._model._pathway import Step, Transition

__all__ = ["check_referrals"]

Path = tuple[str | int, ...]


class _Problems(Protocol):
    """What the compiler's problem report offers (see ``_compile._Report``)."""

    route_paths: dict[int, Path]

    def add(self, path: Path, message: str, *, key: bool = False, **details: Any) -> None: ...

    def check_ref(
        self, path: Path, kind: str, name: str | None, known: Collection[str]
    ) -> None: ...


def check_referrals(
    report: _Problems, steps: Mapping[str, Step], transitions: Iterable[Transition]
) -> None:
    """A problem for each ``also`` entry naming an unknown or outcome step
    (``unknown-reference``, ``also-outcome``) and for each referring move on a loop
    (``also-on-loop``)."""
    transitions = list(transitions)
    edges: dict[str, set[str]] = {}
    for transition in transitions:
        edges.setdefault(transition.source, set()).update((transition.target, *transition.also))
    for transition in transitions:
        if not transition.also:
            continue
        path = also_path(report, transition)
        for index, name in enumerate(transition.also):
            report.check_ref((*path, index), "step", name, steps)
            if name in steps and steps[name].outcome:
                _outcome(report, (*path, index), name)
        if transition.source in _reach((transition.target, *transition.also), edges):
            _loop(report, path, transition)


def also_path(report: _Problems, transition: Transition) -> Path:
    """Where a move's ``also`` is in the file: its transition's, or its route's."""
    if transition.checkpoint is None:
        return ("transitions", transition.index, "also")
    route = report.route_paths.get(transition.index, ("checkpoints", transition.checkpoint))
    return (*route[:-1], "also") if route[-1] == "to" else route


def _reach(origins: Iterable[str], edges: Mapping[str, set[str]]) -> set[str]:
    seen = set(origins)
    frontier = list(seen)
    while frontier:
        for nxt in edges.get(frontier.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return seen


def _outcome(report: _Problems, path: Path, name: str) -> None:
    report.add(
        path,
        f"step {name!r} is an outcome: a referral opens a new case with work to do",
        expected="a step with work to do (not 'outcome: true')",
        found=f"outcome step {name!r}",
        suggestion=f"refer to the first step of the work {name!r} stands for",
        code="also-outcome",
    )


def _loop(report: _Problems, path: Path, transition: Transition) -> None:
    report.add(
        path,
        f"move {transition.id} opens referrals but is on a loop: the case or a referral "
        f"it opens can come back to {transition.source!r}, so a person could be referred "
        "again and again",
        expected="'also' on a move no journey (nor a referral it opens) takes twice",
        found=f"a way from {transition.target!r} or a referral step back to {transition.source!r}",
        suggestion="put 'also' on a move after the loop, or model the repeat as a return",
        key=True,
        code="also-on-loop",
    )
