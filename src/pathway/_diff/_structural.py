"""Structural diff of two compiled pathways: what changed, and what it does on paper.

Sections (steps, transitions, roles, calendars, checkpoints, facts) are matched by id;
what is left unmatched on both sides is paired by similarity, so a renamed id shows as a
rename with its field changes rather than a removal plus an addition. Transitions are
matched by (from, to, trigger) after step renames are applied. The nominal paths (most
likely journeys) of both pathways are compared for visits, hand-offs by level, waste
steps, calendar gates, approval points and checkpoints.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from difflib import SequenceMatcher
from typing import Any, Literal

import attrs

from pathway._diff._expected import Expectation, expected_journey
from pathway._model._calendar import _describe_windows as describe_windows
from pathway._model._distributions import format_duration
from pathway._model._pathway import Pathway

__all__ = [
    "Change",
    "FieldChange",
    "Gate",
    "NominalSummary",
    "StructuralDiff",
    "nominal_summary",
    "structural_diff",
]

ChangeKind = Literal["added", "removed", "changed", "renamed"]
SECTIONS = ("steps", "transitions", "roles", "calendars", "checkpoints", "facts", "settings")
RENAME_THRESHOLD = 0.6
WEEK_HOURS = 168.0


@attrs.frozen(slots=True)
class FieldChange:
    """One field whose value differs: ``old`` and ``new`` as written in the files."""

    field: str
    old: Any
    new: Any


@attrs.frozen(slots=True)
class Change:
    """A difference in one section: an item added, removed, changed or renamed."""

    section: str
    kind: ChangeKind
    id: str
    old_id: str | None = None
    fields: tuple[FieldChange, ...] = ()
    similarity: float | None = None

    def describe(self) -> str:
        """One line for people: ``steps: renamed full_assessment -> assessment (0.72)``."""
        if self.kind == "renamed":
            score = f"similarity {self.similarity:.2f}"
            text = f"{self.section}: renamed {self.old_id} -> {self.id} ({score})"
        else:
            text = f"{self.section}: {self.kind} {self.id}"
        if self.fields:
            text += "; " + ", ".join(
                f"{f.field}: {_show(f.old)} -> {_show(f.new)}" for f in self.fields
            )
        return text


def _show(value: Any) -> str:
    text = "(none)" if value is None else repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


@attrs.frozen(slots=True)
class Gate:
    """A calendar that holds a nominal step to fewer hours than the week: the step's own
    calendar when narrower than its owner's, or its owner's (``role``) calendar."""

    step: str
    calendar: str
    description: str
    open_hours_per_week: float
    role: str | None = None


@attrs.frozen(slots=True)
class NominalSummary:
    """The nominal path (most likely journey) and what it costs on paper."""

    steps: tuple[str, ...]
    visits: int
    handoffs: Mapping[str, int]
    waste_steps: tuple[str, ...]
    gates: tuple[Gate, ...]
    approvals: tuple[str, ...]
    checkpoints: tuple[str, ...]
    touch_minutes: float
    declared_wait_minutes: float

    @property
    def total_handoffs(self) -> int:
        """Hand-offs at every level together."""
        return sum(self.handoffs.values())


def nominal_summary(pathway: Pathway) -> NominalSummary:
    """Summarise ``pathway``'s nominal path: visits, hand-offs, waste, gates, approvals."""
    path = pathway.nominal_path()
    steps = pathway.nominal_steps()
    return NominalSummary(
        steps=steps,
        visits=pathway.nominal_visits(),
        handoffs=pathway.nominal_handoffs(),
        waste_steps=tuple(
            s for s in steps if pathway.steps[s].work != "value" and not pathway.steps[s].outcome
        ),
        gates=_unique_gates(pathway, steps),
        approvals=tuple(t.id for t in path if t.cause == "approval"),
        checkpoints=tuple(
            pathway.steps[s].checkpoint or "" for s in steps if pathway.steps[s].checkpoint
        ),
        touch_minutes=sum(pathway.steps[s].duration.mean() for s in steps),
        declared_wait_minutes=sum(t.wait.mean() for t in path if t.wait is not None),
    )


def _unique_gates(pathway: Pathway, steps: tuple[str, ...]) -> tuple[Gate, ...]:
    gates: dict[str, Gate] = {}
    for step in steps:
        gate = _gate(pathway, step)
        if gate is not None:
            gates.setdefault(gate.calendar, gate)
    return tuple(gates.values())


def _gate(pathway: Pathway, step_id: str) -> Gate | None:
    """The calendar that gates ``step_id``: its own when narrower than its owner's,
    else its owner's when that is open less than the whole week."""
    step = pathway.steps[step_id]
    owner = pathway.owner(step_id)
    owner_calendar = pathway.calendars[owner.calendar] if owner and owner.calendar else None
    owner_hours = _weekly_hours(owner_calendar.windows) if owner_calendar else WEEK_HOURS
    if step.calendar is not None:
        calendar = pathway.calendars[step.calendar]
        hours = _weekly_hours(calendar.windows)
        if hours < owner_hours:
            return Gate(step_id, calendar.id, describe_windows(calendar.windows), hours)
    if owner is not None and owner_calendar is not None and owner_hours < WEEK_HOURS:
        description = describe_windows(owner_calendar.windows)
        return Gate(step_id, owner_calendar.id, description, owner_hours, owner.id)
    return None


def _weekly_hours(windows: tuple[tuple[int, int], ...]) -> float:
    return sum(end - start for start, end in windows) / 60


@attrs.frozen(slots=True)
class StructuralDiff:
    """Every structural change between ``old`` and ``new``, and both nominal paths."""

    old: Pathway
    new: Pathway
    changes: tuple[Change, ...]
    old_nominal: NominalSummary
    new_nominal: NominalSummary
    old_expected: Expectation | None = None
    new_expected: Expectation | None = None

    @property
    def identical(self) -> bool:
        """True when the two definitions have the same content."""
        return self.old.content_hash == self.new.content_hash

    def by_section(self, section: str) -> tuple[Change, ...]:
        """The changes in one section (``steps``, ``transitions``...)."""
        return tuple(c for c in self.changes if c.section == section)

    def summary(self) -> list[str]:
        """A designer's summary first: visits, hand-offs, gates, waste, checkpoints."""
        if self.identical:
            return ["no structural change: the two pathways have the same content"]
        sentences = [
            _count_sentence("visit", self.old_nominal.visits, self.new_nominal.visits),
            _count_sentence(
                "hand-off", self.old_nominal.total_handoffs, self.new_nominal.total_handoffs
            ),
            _count_sentence(
                "waste step", len(self.old_nominal.waste_steps), len(self.new_nominal.waste_steps)
            ),
            *_expected_sentences(self.old_expected, self.new_expected),
            *_gate_sentences(self.old_nominal.gates, self.new_nominal.gates),
            *_checkpoint_sentences(self.old, self.new),
            _touch_sentence(self.old_nominal.touch_minutes, self.new_nominal.touch_minutes),
        ]
        renamed = [c for c in self.changes if c.kind == "renamed" and c.section != "transitions"]
        sentences.extend(self._renamed_sentence(c) for c in renamed)
        return [s for s in sentences if s]

    def _renamed_sentence(self, change: Change) -> str:
        """``treats step 'Old title' (old_id) as renamed to 'New title' (new_id)``."""
        old = _titled(self.old, change.section, change.old_id or "")
        new = _titled(self.new, change.section, change.id)
        return f"treats {change.section[:-1]} {old} as renamed to {new}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (the ``structure`` part of the diff JSON)."""
        return {
            "old": {
                "id": self.old.id,
                "version": self.old.version,
                "content_hash": self.old.content_hash,
            },
            "new": {
                "id": self.new.id,
                "version": self.new.version,
                "content_hash": self.new.content_hash,
            },
            "identical": self.identical,
            "summary": self.summary(),
            "nominal": {
                "old": _nominal_dict(self.old_nominal),
                "new": _nominal_dict(self.new_nominal),
            },
            "expected": {
                "old": self.old_expected.to_dict() if self.old_expected else None,
                "new": self.new_expected.to_dict() if self.new_expected else None,
            },
            "changes": [_change_dict(c) for c in self.changes],
        }


def _titled(pathway: Pathway, section: str, key: str) -> str:
    """An item by its title and id (``'Full assessment' (full_assessment)``), or its id."""
    item = (getattr(pathway, section, None) or {}).get(key)
    title = getattr(item, "title", "") if item is not None else ""
    return f"'{title}' ({key})" if title and title != key else f"'{key}'"


def _count_sentence(noun: str, old: int, new: int) -> str:
    if old == new:
        return f"keeps {old} {noun}{'s' if old != 1 else ''} on the nominal path"
    verb, count = ("removes", old - new) if new < old else ("adds", new - old)
    plural = "s" if count != 1 else ""
    return f"{verb} {count} {noun}{plural} on the nominal path ({old} -> {new})"


def _expected_sentences(old: Expectation | None, new: Expectation | None) -> list[str]:
    """Expected visits and hand-offs per case over every path (loops included), said
    only where their values rounded to one place differ."""
    if old is None or new is None or not (old.finite and new.finite):
        return []
    sentences = []
    for noun, before, after in (
        ("visits", old.visits, new.visits),
        ("hand-offs", old.total_handoffs, new.total_handoffs),
    ):
        if f"{before:.1f}" == f"{after:.1f}":
            continue
        verb = "lowers" if after < before else "raises"
        sentences.append(
            f"{verb} the expected {noun} per case over every path, loops included, "
            f"from {before:.1f} to {after:.1f}"
            + (" (approximate)" if old.approximate or new.approximate else "")
        )
    return sentences


def _gate_sentences(old: tuple[Gate, ...], new: tuple[Gate, ...]) -> list[str]:
    sentences = []
    new_by_calendar = {g.calendar: g for g in new}
    old_by_calendar = {g.calendar: g for g in old}
    for gate in old:
        after = new_by_calendar.get(gate.calendar)
        if after is None:
            sentences.append(f"removes the calendar gate {_gate_name(gate)} ({gate.description})")
        elif after.open_hours_per_week != gate.open_hours_per_week:
            verb = "widens" if after.open_hours_per_week > gate.open_hours_per_week else "narrows"
            sentences.append(
                f"{verb} the calendar gate {_gate_name(gate)} from {gate.description} "
                f"to {after.description}"
            )
    sentences.extend(
        f"adds the calendar gate {_gate_name(g)} ({g.description})"
        for g in new
        if g.calendar not in old_by_calendar
    )
    return sentences


def _gate_name(gate: Gate) -> str:
    """``'weekdays'``, or ``'weekdays' (role 'ic_team''s working hours)`` for a role's."""
    if gate.role is None:
        return repr(gate.calendar)
    return f"{gate.calendar!r} (the working hours of role {gate.role!r})"


def _checkpoint_sentences(old: Pathway, new: Pathway) -> list[str]:
    sentences = []
    for name, cp in new.checkpoints.items():
        if name not in old.checkpoints:
            kind = f"a {cp.framework} checkpoint" if cp.framework else "a checkpoint"
            where = _titled(new, "steps", cp.step)
            sentences.append(f"adds {kind}, {_titled(new, 'checkpoints', name)} at {where}")
    sentences.extend(
        f"removes the checkpoint {_titled(old, 'checkpoints', name)}"
        for name in old.checkpoints
        if name not in new.checkpoints
    )
    return sentences


def _touch_sentence(old: float, new: float) -> str:
    if abs(old - new) < 0.5:
        return ""
    return f"nominal touch time goes from {format_duration(old)} to {format_duration(new)}"


def _nominal_dict(summary: NominalSummary) -> dict[str, Any]:
    return {
        "steps": list(summary.steps),
        "visits": summary.visits,
        "handoffs": dict(summary.handoffs),
        "waste_steps": list(summary.waste_steps),
        "gates": [attrs.asdict(g) for g in summary.gates],
        "approvals": list(summary.approvals),
        "checkpoints": list(summary.checkpoints),
        "touch_minutes": summary.touch_minutes,
        "declared_wait_minutes": summary.declared_wait_minutes,
    }


def _change_dict(change: Change) -> dict[str, Any]:
    data = attrs.asdict(change)
    data["fields"] = [attrs.asdict(f) for f in change.fields]
    return data


# -- matching ------------------------------------------------------------------------------


def structural_diff(old: Pathway, new: Pathway) -> StructuralDiff:
    """Compare two compiled pathways section by section, and their nominal paths."""
    old_data = old.spec.model_dump(mode="json", by_alias=True)
    new_data = new.spec.model_dump(mode="json", by_alias=True)
    changes: list[Change] = []
    renames: dict[str, str] = {}
    for section in ("roles", "calendars", "facts", "steps", "checkpoints"):
        section_changes = _diff_mapping(section, old_data[section], new_data[section], renames)
        changes.extend(section_changes)
        if section == "steps":
            renames.update(
                {c.old_id: c.id for c in section_changes if c.kind == "renamed" and c.old_id}
            )
    changes.extend(_diff_transitions(old_data["transitions"], new_data["transitions"], renames))
    changes.extend(_diff_identity(old_data, new_data))
    changes.extend(
        _diff_mapping(
            "settings", old_data.get("settings") or {}, new_data.get("settings") or {}, {}
        )
    )
    return StructuralDiff(
        old,
        new,
        tuple(changes),
        nominal_summary(old),
        nominal_summary(new),
        expected_journey(old),
        expected_journey(new),
    )


def _diff_identity(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    keys = (
        "id",
        "title",
        "version",
        "purpose",
        "description",
        "timezone",
        "start",
        "same_visit_within",
        "arrivals",
        "targets",
    )
    fields = tuple(FieldChange(k, old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k))
    return [Change("pathway", "changed", str(new.get("id")), fields=fields)] if fields else []


def _field_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    keys = list(dict.fromkeys([*old, *new]))
    return tuple(FieldChange(k, old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k))


def _diff_mapping(
    section: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    renames: Mapping[str, str],
    comparable: Callable[[Any, Any], bool] = lambda _old, _new: True,
) -> list[Change]:
    changes = []
    for key in old.keys() & new.keys():
        fields = _field_changes(_renamed(old[key], renames), new[key])
        if fields:
            changes.append(Change(section, "changed", key, key, fields))
    removed = [k for k in old if k not in new]
    added = [k for k in new if k not in old]
    candidates = [(o, n) for o in removed for n in added if comparable(old[o], new[n])]
    pairs = _pair_by_similarity(candidates, old, new, renames)
    for old_key, new_key, score in pairs:
        fields = _field_changes(_renamed(old[old_key], renames), new[new_key])
        changes.append(Change(section, "renamed", new_key, old_key, fields, score))
    paired_old = {p[0] for p in pairs}
    paired_new = {p[1] for p in pairs}
    changes.extend(Change(section, "removed", k, k) for k in removed if k not in paired_old)
    changes.extend(Change(section, "added", k) for k in added if k not in paired_new)
    return sorted(changes, key=lambda c: (c.kind, c.id))


def _renamed(value: Any, renames: Mapping[str, str]) -> Any:
    """Apply step renames inside an item (e.g. a checkpoint's 'at', a route's 'to')."""
    if isinstance(value, str):
        return renames.get(value, value)
    if isinstance(value, list):
        return [_renamed(v, renames) for v in value]
    if isinstance(value, dict):
        return {k: _renamed(v, renames) for k, v in value.items()}
    return value


def _similarity(old_key: str, new_key: str, old: Any, new: Any) -> float:
    name = SequenceMatcher(None, old_key, new_key).ratio()
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        keys = set(old) | set(new)
        same = sum(1 for k in keys if old.get(k) == new.get(k))
        content = same / len(keys) if keys else 1.0
    else:
        content = 1.0 if old == new else 0.0
    return 0.4 * name + 0.6 * content


def _pair_by_similarity(
    candidates: list[tuple[str, str]],
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    renames: Mapping[str, str],
) -> list[tuple[str, str, float]]:
    scored = sorted(
        ((_similarity(o, n, _renamed(old[o], renames), new[n]), o, n) for o, n in candidates),
        reverse=True,
    )
    pairs, used_old, used_new = [], set(), set()
    for score, old_key, new_key in scored:
        if score < RENAME_THRESHOLD or old_key in used_old or new_key in used_new:
            continue
        pairs.append((old_key, new_key, round(score, 3)))
        used_old.add(old_key)
        used_new.add(new_key)
    return pairs


def _transition_key(item: Mapping[str, Any]) -> str:
    return f"{item['from']}->{item['to']}:{item['trigger']}"


def _diff_transitions(
    old: list[Mapping[str, Any]], new: list[Mapping[str, Any]], renames: Mapping[str, str]
) -> list[Change]:
    old_items = {
        _transition_key(_renamed(dict(t), renames)): _renamed(dict(t), renames) for t in old
    }
    new_items = {_transition_key(t): dict(t) for t in new}
    return _diff_mapping("transitions", old_items, new_items, {}, _same_ends)


def _same_ends(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Two transitions can be one renamed only if they join the same steps."""
    return bool(old["from"] == new["from"] and old["to"] == new["to"])
