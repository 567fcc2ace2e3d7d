"""``--fail-if`` gates: thresholds a team runs in CI on every change to a pathway file.

Two forms (see docs/how-to/diff-a-redesign.md):

* ``"<measure> increased"`` / ``"decreased"`` / ``"changed"``: the paired difference of a
  simulated measure is significant in that direction (for ``nominal_*`` measures: the
  nominal-path count went that way);
* any pathway expression over the measures, e.g. ``"visits > 1"``,
  ``"end_to_end_days > old_end_to_end_days"``, ``"nominal_handoffs >= 3"``: a bare name is
  the new pathway's median, ``old_<name>`` the old pathway's, ``change_<name>`` the paired
  mean difference (new minus old).

A gate fails when it holds. An unknown name or bad syntax is a usage error.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import attrs

from pathway._diff._behaviour import MEASURES, BehaviouralDiff
from pathway._diff._structural import StructuralDiff
from pathway._model._expr import parse, unknown_names
from pathway.errors import ExpressionError, did_you_mean

__all__ = ["Gate", "GateResult", "evaluate_gates", "gate_values"]

_CHANGE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s+(increased|decreased|changed)\s*$")


@attrs.frozen(slots=True)
class GateResult:
    """One gate: its text, whether it failed (held), and why in words."""

    text: str
    failed: bool
    explanation: str


class Gate:
    """Namespace for gate parsing errors' message helper."""

    @staticmethod
    def unknown(name: str, known: Sequence[str]) -> ValueError:
        """A ValueError naming the unknown measure and the closest known one."""
        guess = did_you_mean(name, known)
        hint = f"; did you mean {guess!r}?" if guess else ""
        return ValueError(
            f"--fail-if: unknown measure {name!r}{hint}; measures: {', '.join(known)}"
        )


def gate_values(structure: StructuralDiff, behaviour: BehaviouralDiff | None) -> dict[str, float]:
    """Every name a gate may use, with its value."""
    values: dict[str, float] = {
        "nominal_visits": structure.new_nominal.visits,
        "old_nominal_visits": structure.old_nominal.visits,
        "nominal_handoffs": structure.new_nominal.total_handoffs,
        "old_nominal_handoffs": structure.old_nominal.total_handoffs,
        "waste_steps": len(structure.new_nominal.waste_steps),
        "old_waste_steps": len(structure.old_nominal.waste_steps),
        "calendar_gates": len(structure.new_nominal.gates),
        "old_calendar_gates": len(structure.old_nominal.gates),
    }
    for c in (*behaviour.comparisons, *behaviour.by_outcome) if behaviour else ():
        values[c.measure] = c.new_median
        values[f"old_{c.measure}"] = c.old_median
        values[f"change_{c.measure}"] = c.mean_difference
    return {k: v for k, v in values.items() if isinstance(v, int) or math.isfinite(v)}


def evaluate_gates(
    gates: Sequence[str], structure: StructuralDiff, behaviour: BehaviouralDiff | None
) -> list[GateResult]:
    """Evaluate every gate; raise ValueError (a usage error) for one that cannot be read."""
    values = gate_values(structure, behaviour)
    return [_evaluate(text, values, behaviour) for text in gates]


def _evaluate(
    text: str,
    values: Mapping[str, float],
    behaviour: BehaviouralDiff | None,
) -> GateResult:
    match = _CHANGE.match(text)
    if match:
        return _change_gate(text, match.group(1), match.group(2), values, behaviour)
    try:
        expression = parse(text)
    except ExpressionError as error:
        raise ValueError(f"--fail-if {text!r}: {error.reason} at column {error.column}") from None
    for name, _column, _guess in unknown_names(expression, values):
        if behaviour is None and _simulated(name):
            raise ValueError(
                f"--fail-if {text!r}: {name!r} needs the simulation (drop --no-simulate)"
            )
        raise Gate.unknown(name, sorted(values))
    try:
        held = expression.test(values)
    except ExpressionError as error:
        raise ValueError(f"--fail-if {text!r}: {error.reason}") from None
    shown = ", ".join(f"{k}={_show(v)}" for k, v in expression.values_used(values).items())
    return GateResult(text, held, f"{'holds' if held else 'does not hold'} ({shown})")


def _simulated(name: str) -> bool:
    base = name.removeprefix("old_").removeprefix("change_")
    return base in MEASURES or (base.startswith("to_") and base.endswith("_days"))


def _change_gate(
    text: str,
    name: str,
    direction: str,
    values: Mapping[str, float],
    behaviour: BehaviouralDiff | None,
) -> GateResult:
    nominal = {"visits": "nominal_visits", "handoffs": "nominal_handoffs"}
    if behaviour is None and name in nominal:
        name = nominal[name]
    if name.startswith(("nominal_", "waste_steps", "calendar_gates")):
        old, new = values[f"old_{name}"], values[name]
        moved = "increased" if new > old else "decreased" if new < old else "unchanged"
        explanation = f"{name}: {_show(old)} -> {_show(new)}"
    else:
        if behaviour is None:
            raise ValueError(f"--fail-if {text!r} needs the simulation (drop --no-simulate)")
        try:
            comparison = behaviour.get(name)
        except KeyError:
            raise Gate.unknown(name, sorted(values)) from None
        moved = comparison.direction
        low, high = comparison.mean_ci
        explanation = (
            f"{name}: mean change {_show(comparison.mean_difference)} "
            f"(95% CI {_show(low)} to {_show(high)}), {moved}"
        )
    held = moved == direction or (direction == "changed" and moved != "unchanged")
    return GateResult(text, held, explanation)


def _show(value: object) -> str:
    if isinstance(value, int):
        return f"{value:g}"
    return f"{value:.3g}" if isinstance(value, float) else str(value)
