"""Structural changes as sentences a service manager reads.

``_diff._structural`` finds what changed, item by item and field by field, in the terms
of the file (ids, spec values). This module says it: titles before ids, distributions
and calendars in words, lists as what was added and dropped, and a renamed step as one
step that changed, never a score.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pathway._diff._structural import Change, FieldChange, StructuralDiff
from pathway._model._distributions import parse_duration_distribution
from pathway._model._pathway import Pathway

__all__ = ["change_sentences", "field_words"]

SECTION_NOUNS = {
    "steps": "step",
    "transitions": "move",
    "roles": "role",
    "calendars": "calendar",
    "checkpoints": "checkpoint",
    "facts": "fact",
    "settings": "setting",
}
FIELD_WORDS = {
    "title": "title",
    "description": "description",
    "role": "owner",
    "work": "work class",
    "visit": "visit",
    "duration": "touch time",
    "calendar": "calendar",
    "collects": "information collected",
    "requested_by": "who asks for it",
    "outcome": "outcome",
    "when": "condition",
    "p": "branching probability",
    "wait": "wait",
    "cause": "cause of the wait",
    "dna": "chance of a missed visit",
    "dna_applies": "when a visit can be missed",
    "rebook_wait": "wait after a missed visit",
    "client_rebooks": "chance the person rebooks a missed visit",
    "chase_after": "chasing after",
    "handoff": "hand-off level",
    "team": "team",
    "organisation": "organisation",
    "capacity": "capacity",
    "open": "opening hours",
    "closures": "closed dates",
    "timezone": "time zone",
    "start": "first step",
    "same_visit_within": "same visit within",
    "arrivals": "arrivals",
    "version": "version",
    "id": "id",
    "purpose": "purpose",
    "at": "step",
    "framework": "framework",
    "questions": "questions",
    "routes": "routes",
    "type": "type",
    "distribution": "distribution",
    "targets": "targets",
    "setting": "setting",
    "settings": "settings",
    "bed_days": "counts as bed days",
}
DISTRIBUTION_FIELDS = frozenset({"duration", "wait", "rebook_wait"})
LIMIT = 80


PLURALS = {"step": "steps", "move": "moves", "role": "roles", "calendar": "calendars",
           "checkpoint": "checkpoints", "fact": "facts", "setting": "settings"}  # fmt: skip


def change_sentences(structure: StructuralDiff) -> list[str]:
    """The changes for people, in the diff's order: items added or removed in one
    sentence per section, each changed or renamed item in a sentence of its own."""
    old, new = structure.old, structure.new
    sentences: list[str] = []
    grouped: dict[tuple[str, str], list[Change]] = {}
    for change in structure.changes:
        if change.kind in ("added", "removed"):
            key = (change.section, change.kind)
            if key not in grouped:
                grouped[key] = []
                sentences.append(_GROUP + "|".join(key))
            grouped[key].append(change)
        else:
            sentences.append(_sentence(change, old, new))
    return [
        _group(grouped[tuple(text[len(_GROUP) :].split("|"))], old, new)  # type: ignore[index]
        if text.startswith(_GROUP)
        else text
        for text in sentences
    ]


_GROUP = "\x00group:"


def _group(changes: list[Change], old: Pathway, new: Pathway) -> str:
    """``Removes 3 steps: 'A' (a); 'B' (b); 'C' (c).``"""
    first = changes[0]
    verb = "Adds" if first.kind == "added" else "Removes"
    noun = SECTION_NOUNS.get(first.section, first.section)
    names = [_name(c.section, c.id, old, new) for c in changes]
    if len(names) == 1:
        return f"{verb} the {noun} {names[0]}."
    return f"{verb} {len(names)} {PLURALS.get(noun, noun)}: {'; '.join(names)}."


def _sentence(change: Change, old: Pathway, new: Pathway) -> str:
    if change.section == "pathway":
        return "The pathway itself: " + _fields(change.fields) + "."
    noun = SECTION_NOUNS.get(change.section, change.section)
    this = _name(change.section, change.id, new, old)
    if change.kind == "renamed":
        was = _name(change.section, change.old_id or "", old, new)
        text = f"The {noun} {was} becomes {this}, one {noun} under a new id"
        return text + (": " + _fields(change.fields) if change.fields else "") + "."
    return f"The {noun} {this}: {_fields(change.fields)}."


def _name(section: str, key: str, pathway: Pathway, other: Pathway) -> str:
    """An item as people know it: its title, with the id when they differ."""
    if section == "transitions":
        return _move_name(key, pathway, other)
    title = _title(section, key, pathway) or _title(section, key, other)
    return f"'{title}' ({key})" if title and title != key else f"'{key}'"


def _title(section: str, key: str, pathway: Pathway) -> str:
    items: Mapping[str, Any] = getattr(pathway, section, {}) or {}
    item = items.get(key)
    return str(getattr(item, "title", "") or "") if item is not None else ""


def _move_name(key: str, pathway: Pathway, other: Pathway) -> str:
    """``a->b:trigger`` as from 'A' to 'B' (on trigger)."""
    ends, _, trigger = key.partition(":")
    source, _, target = ends.partition("->")
    return f"from {_step(source, pathway, other)} to {_step(target, pathway, other)} (on {trigger})"


def _step(step_id: str, pathway: Pathway, other: Pathway) -> str:
    step = pathway.steps.get(step_id) or other.steps.get(step_id)
    return f"'{step.title}'" if step is not None and step.title else f"'{step_id}'"


def _fields(fields: tuple[FieldChange, ...]) -> str:
    return "; ".join(field_words(f.field, f.old, f.new) for f in fields)


def field_words(field: str, old: Any, new: Any) -> str:
    """One field's change in words: ``capacity goes from 6 to 8``."""
    name = FIELD_WORDS.get(field, field.replace("_", " "))
    if isinstance(old, list) and isinstance(new, list) and _flat(old) and _flat(new):
        return f"{name}: {_list_change(old, new)}"
    if old is None:
        return f"{name}: now {_value(field, new)}"
    if new is None:
        return f"{name}: {_value(field, old)} removed"
    return f"{name}: from {_value(field, old)} to {_value(field, new)}"


def _flat(items: list[Any]) -> bool:
    return all(isinstance(item, str | int | float) for item in items)


def _list_change(old: list[Any], new: list[Any]) -> str:
    added = [str(item) for item in new if item not in old]
    dropped = [str(item) for item in old if item not in new]
    parts = []
    if added:
        parts.append(f"adds {_clip(', '.join(added))}")
    if dropped:
        parts.append(f"drops {_clip(', '.join(dropped))}")
    if not parts:
        parts.append("the same items in another order")
    return f"{len(old)} -> {len(new)} items ({'; '.join(parts)})"


def _value(field: str, value: Any) -> str:
    if field in DISTRIBUTION_FIELDS:
        return _distribution(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return f"'{_clip(value)}'"
    if isinstance(value, Mapping):
        return _clip("; ".join(f"{k} {_plain(v)}" for k, v in value.items()))
    if isinstance(value, list):
        return _clip(", ".join(_plain(v) for v in value))
    return str(value)


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, Mapping):
        return "(" + "; ".join(f"{k} {_plain(v)}" for k, v in value.items()) + ")"
    return str(value)


def _distribution(value: Any) -> str:
    try:
        return parse_duration_distribution(value).describe()
    except (TypeError, ValueError):
        return _clip(_plain(value))


def _clip(text: str) -> str:
    return text if len(text) <= LIMIT else text[: LIMIT - 3].rstrip() + "..."
