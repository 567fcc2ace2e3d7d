"""The case-JSON codec: a case's journal as a JSON document, and back.

A document names the format, the case and the pathway version it ran on (id, version,
content hash) and lists the journal's events; :func:`check_version` refuses a document
recorded on another pathway or an edited one with the same version.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from pathway._journal._events import Event, event_from_dict, event_to_dict
from pathway.errors import ReplayError

__all__ = ["CASE_FORMAT", "check_version", "decode_case", "encode_case", "parse_case_json"]


class _Versioned(Protocol):
    """What identifies a pathway version: its id, version and content hash."""

    @property
    def id(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def content_hash(self) -> str: ...


CASE_FORMAT = "pathway-case/1"


def parse_case_json(text: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, TypeError) as error:
        raise ReplayError(f"case JSON cannot be read: {error}") from None
    if not isinstance(document, dict) or document.get("format") != CASE_FORMAT:
        raise ReplayError(f"not a pathway case document; expected format {CASE_FORMAT!r}")
    return document


def check_version(pathway: _Versioned, recorded: object) -> None:
    """ReplayError unless ``recorded`` (id, version, content_hash) names ``pathway``."""
    if not isinstance(recorded, Mapping):
        raise ReplayError("case JSON has no 'pathway' section naming the version it ran on")
    keys = ("id", "version", "content_hash")
    if all(recorded.get(key) == getattr(pathway, key) for key in keys):
        return
    if all(recorded.get(key) == getattr(pathway, key) for key in keys[:2]):
        raise ReplayError(
            f"the case was recorded on pathway {pathway.id!r} version {pathway.version!r} "
            f"with content hash {str(recorded.get('content_hash'))[:12]}, but the given "
            f"pathway has the same id and version and content hash "
            f"{pathway.content_hash[:12]}: the pathway was edited without changing its "
            "version; replay on the exact definition the case ran on, or migrate the case"
        )
    differences = [
        f"{key} {recorded.get(key)!r} (recorded) vs {getattr(pathway, key)!r} (given)"
        for key in keys
        if recorded.get(key) != getattr(pathway, key)
    ]
    raise ReplayError("the case was recorded on a different pathway: " + "; ".join(differences))


def encode_case(case_id: str, pathway: _Versioned, events: Iterable[Event]) -> str:
    """The case document: format, case id, the pathway version it ran on, and its events."""
    document = {
        "format": CASE_FORMAT,
        "case_id": case_id,
        "pathway": {
            "id": pathway.id,
            "version": pathway.version,
            "content_hash": pathway.content_hash,
        },
        "events": [event_to_dict(event) for event in events],
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def decode_case(pathway: _Versioned, text: str) -> list[Event]:
    """The events of a case document recorded on ``pathway``.

    Raises :class:`~pathway.ReplayError` when the text is not a case document, names
    another pathway or version, or has no list of events.
    """
    document = parse_case_json(text)
    check_version(pathway, document.get("pathway"))
    items = document.get("events")
    if not isinstance(items, list):
        raise ReplayError("case JSON has no 'events' list")
    return [event_from_dict(item) for item in items]
