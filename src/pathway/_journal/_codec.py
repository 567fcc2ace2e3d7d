"""The case-JSON codec: a case's journal as a chained JSON document, and back.

A document (format ``pathway-case/2``) names the format, the case and the pathway version
it runs on (id, version, content hash), lists the journal's events, and closes with the
number of events and the hash of the last one::

    {"format": "pathway-case/2", "case_id": ..., "pathway": {"id", "version", "content_hash"},
     "count": N, "head": H(N-1), "events": [{...fields, "hash": H(0)}, ...]}

**The chain.** Each event carries ``hash``, the chain hash through that event::

    H(-1) = GENESIS = "0" * 64
    H(i)  = chain_hash(H(i-1), event_i)
          = sha256(canonical_json([H(i-1), event_i])).hexdigest()

where ``event_i`` is the event's JSON object without its ``hash`` field and
``canonical_json`` is ``json.dumps(value, sort_keys=True, separators=(",", ":"),
ensure_ascii=True, allow_nan=False)`` encoded as ASCII. So every event's hash covers its
own fields and, through ``H(i-1)``, every event before it; ``count`` and ``head = H(N-1)``
cover the end. Editing, removing, reordering or inserting events (or the facts, data or
rationale inside them) breaks the chain at the first event concerned, and removing events
at the end breaks ``count`` and ``head``: :func:`decode_case` raises
:class:`~pathway.ReplayError` naming that event. The hash is not a signature (anyone can
recompute it); keep the head somewhere else (the case store keeps it in its case table) to
make a rewritten document detectable too.

Fields are checked strictly: unknown fields in the document or in an event, missing
fields and values of the wrong JSON type are errors, never guesses. A ``pathway-case/1``
document (written before the chain existed) is still read, checked field by field and
replayed, but it has no hashes to check; :meth:`Case.to_json` writes it back as
``pathway-case/2``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

import attrs

from pathway._journal._events import (
    EVENT_TYPES,
    CaseStarted,
    Event,
    Migrated,
    event_from_dict,
    event_to_dict,
)
from pathway.errors import ReplayError

__all__ = [
    "CASE_FORMAT",
    "GENESIS",
    "LEGACY_CASE_FORMAT",
    "canonical_json",
    "chain_hash",
    "chained_dicts",
    "chained_texts",
    "check_version",
    "decode_case",
    "document_events",
    "encode_case",
    "events_from_dicts",
    "parse_case_json",
    "verify_chain",
]


class _Versioned(Protocol):
    """What identifies a pathway version: its id, version and content hash."""

    @property
    def id(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def content_hash(self) -> str: ...


CASE_FORMAT = "pathway-case/2"
LEGACY_CASE_FORMAT = "pathway-case/1"
GENESIS = "0" * 64
"""The chain hash before the first event."""

_DOCUMENT_KEYS = {
    CASE_FORMAT: ("format", "case_id", "pathway", "count", "head", "events"),
    LEGACY_CASE_FORMAT: ("format", "case_id", "pathway", "events"),
}
_PATHWAY_KEYS = ("id", "version", "content_hash")
_HASH = "hash"


# json.dumps with these arguments builds a new encoder on every call; one kept encoder
# gives the same text (dumps is JSONEncoder(...).encode) for half the time per event.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
)


def canonical_json(value: Any) -> bytes:
    """``value`` as the chain hashes it: sorted keys, no spaces, ASCII, no NaN."""
    return _CANONICAL.encode(value).encode("ascii")


def chain_hash(previous: str, event: Mapping[str, Any]) -> str:
    """The chain hash through ``event`` (its JSON object, without ``hash``), given the
    chain hash ``previous`` through the event before it (:data:`GENESIS` for the first).

    Raises ValueError (or RecursionError) for what JSON cannot hold.
    """
    return hashlib.sha256(canonical_json([previous, event])).hexdigest()


def chained_dicts(
    events: Iterable[Event], previous: str = GENESIS
) -> list[tuple[dict[str, Any], str]]:
    """Each event's JSON object (without ``hash``) and its chain hash, continuing the
    chain from ``previous``."""
    out = []
    for event in events:
        data = event_to_dict(event)
        previous = chain_hash(previous, data)
        out.append((data, previous))
    return out


def chained_texts(events: Iterable[Event], previous: str = GENESIS) -> list[tuple[str, str]]:
    """Each event's canonical JSON text (without ``hash``) and its chain hash, continuing
    the chain from ``previous`` (what the store appends: one serialisation serves both,
    since ``canonical_json([h, e])`` is ``["h",`` + ``canonical_json(e)`` + ``]``)."""
    out = []
    encode = _CANONICAL.encode
    for event in events:
        text = encode(event_to_dict(event))  # ASCII only (ensure_ascii)
        previous = hashlib.sha256(f'["{previous}",{text}]'.encode("ascii")).hexdigest()
        out.append((text, previous))
    return out


def verify_chain(
    items: Sequence[tuple[Mapping[str, Any], object]], previous: str = GENESIS, start: int = 0
) -> str:
    """Check each (event object, recorded hash) against the chain from ``previous``;
    return the chain hash through the last. ``start`` is the index of the first item in
    the whole journal, for messages. Raises ReplayError naming the first bad event."""
    for offset, (data, recorded) in enumerate(items):
        index = start + offset
        try:
            expected = chain_hash(previous, data)
        except (TypeError, ValueError, RecursionError) as error:
            raise ReplayError(f"event {index}: cannot be hashed: {error}") from None
        if recorded != expected:
            raise ReplayError(
                f"event {index} ({data.get('type')}): the chain is broken here: the event "
                f"was edited, or events before it were removed, inserted or reordered "
                f"(recorded hash {str(recorded)[:12]}, expected {expected[:12]})"
            )
        previous = expected
    return previous


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number pathway accepts")


def parse_case_json(text: str) -> dict[str, Any]:
    """The document as a mapping, with its top-level fields checked (not its events).

    Raises ReplayError for text that is not JSON, not a case document, a format other
    than ``pathway-case/2`` or ``/1``, unknown or missing fields.
    """
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise ReplayError("case JSON cannot be read: it nests too deeply") from None
    except (TypeError, ValueError) as error:  # JSONDecodeError is a ValueError
        raise ReplayError(f"case JSON cannot be read: {error}") from None
    if not isinstance(document, dict) or document.get("format") not in _DOCUMENT_KEYS:
        found = document.get("format") if isinstance(document, dict) else type(document).__name__
        raise ReplayError(
            f"not a pathway case document; expected format {CASE_FORMAT!r}, found {found!r}"
        )
    expected = _DOCUMENT_KEYS[document["format"]]
    unknown = [key for key in document if key not in expected]
    if unknown:
        raise ReplayError(
            f"case JSON has unknown field {unknown[0]!r}; a {document['format']} document "
            f"has only {', '.join(expected)}"
        )
    if not isinstance(document.get("pathway"), dict):
        raise ReplayError("case JSON has no 'pathway' section naming the version it ran on")
    missing = [key for key in expected if key not in document]
    if missing:
        raise ReplayError(f"case JSON has no {missing[0]!r} field")
    _check_header(document)
    return document


def _check_header(document: Mapping[str, Any]) -> None:
    recorded = document["pathway"]
    if set(recorded) != set(_PATHWAY_KEYS) or not all(
        isinstance(value, str) for value in recorded.values()
    ):
        raise ReplayError(
            "case JSON's 'pathway' section must have exactly id, version and content_hash, "
            f"as text; found {sorted(recorded)}"
        )
    if not isinstance(document["case_id"], str):
        raise ReplayError(f"case JSON's 'case_id' must be text, found {document['case_id']!r}")
    if not isinstance(document["events"], list):
        raise ReplayError("case JSON has no 'events' list")
    if document["format"] == CASE_FORMAT:
        count, head = document["count"], document["head"]
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ReplayError(f"case JSON's 'count' must be a whole number, found {count!r}")
        if not isinstance(head, str):
            raise ReplayError(f"case JSON's 'head' must be a hash, found {head!r}")


def check_version(pathway: _Versioned, recorded: object) -> None:
    """ReplayError unless ``recorded`` (id, version, content_hash) names ``pathway``."""
    if not isinstance(recorded, Mapping):
        raise ReplayError("case JSON has no 'pathway' section naming the version it ran on")
    keys = _PATHWAY_KEYS
    for key in keys:
        if type(recorded.get(key)) is not str:
            raise ReplayError(
                f"the journal's pathway {key} must be text, found a "
                f"{type(recorded.get(key)).__name__}"
            )
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
    """The case document: format, case id, the pathway version it runs on, the count and
    head of the chain, and its events, each with its chain hash."""
    items = []
    for data, hashed in chained_dicts(events):
        data[_HASH] = hashed
        items.append(data)
    head = items[-1][_HASH] if items else GENESIS
    document = {
        "format": CASE_FORMAT,
        "case_id": case_id,
        "pathway": {
            "id": pathway.id,
            "version": pathway.version,
            "content_hash": pathway.content_hash,
        },
        "count": len(items),
        "head": head,
        "events": items,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def decode_case(pathway: _Versioned, text: str) -> list[Event]:
    """The events of a case document recorded on ``pathway``, the chain checked.

    Raises :class:`~pathway.ReplayError` when the text is not a case document, names
    another pathway or version, has unknown, missing or mistyped fields, or its chain is
    broken; the message names the first bad event.
    """
    document = parse_case_json(text)
    check_version(pathway, document["pathway"])
    events = document_events(document)
    for index, event in enumerate(events):
        if isinstance(event, Migrated):
            raise ReplayError(
                f"event {index} (migrated): the case moved from one pathway version to "
                "another; rebuild it from the case store (pathway.store), which knows "
                "every version it ran on"
            )
    return events


def document_events(document: Mapping[str, Any]) -> list[Event]:
    """The events of a parsed document (:func:`parse_case_json`), every check made."""
    chained = document["format"] == CASE_FORMAT
    items: list[Any] = document["events"]
    plain = [_plain_item(index, item, chained=chained) for index, item in enumerate(items)]
    events = events_from_dicts(plain)
    _check_start(document, events)
    if chained:
        head = verify_chain([(data, item[_HASH]) for data, item in zip(plain, items, strict=True)])
        _check_end(document, len(items), head)
    return events


def _plain_item(index: int, item: object, *, chained: bool) -> dict[str, Any]:
    """The event object without its hash, after checking its fields' names."""
    if not isinstance(item, dict):
        raise ReplayError(
            f"event {index}: an event must be a mapping with a 'type', found {type(item).__name__}"
        )
    kind = item.get("type")
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ReplayError(
            f"event {index}: unknown event type {kind!r}; expected one of {', '.join(EVENT_TYPES)}"
        )
    fields = attrs.fields(cls)
    allowed = {"type", *(field.name for field in fields)} | ({_HASH} if chained else set())
    unknown = [key for key in item if key not in allowed]
    if unknown:
        raise ReplayError(
            f"event {index} ({kind}): unknown field {unknown[0]!r}; a {kind} event has "
            f"{', '.join(sorted(allowed))}"
        )
    required = [f.name for f in fields if f.default is attrs.NOTHING]
    missing = [name for name in required + ([_HASH] if chained else []) if name not in item]
    if missing:
        raise ReplayError(f"event {index} ({kind}): missing field {missing[0]!r}")
    return {key: value for key, value in item.items() if key != _HASH}


def events_from_dicts(items: Sequence[Mapping[str, Any]], start: int = 0) -> list[Event]:
    """Rebuild events from their JSON objects (without hashes), every field's JSON type
    checked first; ReplayError naming the first bad event (``start`` is the index of the
    first one in the whole journal)."""
    events = []
    for offset, item in enumerate(items):
        index = start + offset
        kind = str(item.get("type"))
        cls = EVENT_TYPES.get(kind)
        if cls is None:
            raise ReplayError(f"event {index}: unknown event type {kind!r}")
        for field in attrs.fields(cls):
            if field.name in item:
                _check_field(index, kind, field.name, str(field.type), item[field.name])
        try:
            event = event_from_dict(item)
        except ReplayError as error:
            raise ReplayError(f"event {index}: {error}") from None
        except (KeyError, TypeError, ValueError, OverflowError, RecursionError) as error:
            raise ReplayError(f"event {index}: malformed {kind} event: {error}") from None
        events.append(event)
    return events


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_text_or_none(value: object) -> bool:
    return value is None or isinstance(value, str)


def _is_mapping(value: object) -> bool:
    return isinstance(value, dict)


def _is_answers(value: object) -> bool:
    return isinstance(value, dict) and all(isinstance(v, bool) for v in value.values())


def _is_text_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _is_time(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return datetime.fromisoformat(value).utcoffset() == timedelta(0)
    except ValueError:
        return False


_FIELD_CHECKS: Mapping[str, tuple[Callable[[object], bool], str]] = {
    "str": (_is_text, "text"),
    "int": (_is_int, "a whole number"),
    "str | None": (_is_text_or_none, "text or null"),
    "datetime": (_is_time, "an ISO 8601 time in UTC (+00:00)"),
    "tuple[tuple[str, Any], ...]": (_is_mapping, "an object"),
    "tuple[tuple[str, bool], ...]": (_is_answers, "an object of true/false answers"),
    "tuple[str, ...]": (_is_text_list, "a list of text"),
}


def _check_field(index: int, kind: str, name: str, annotation: str, value: object) -> None:
    check, expected = _FIELD_CHECKS.get(annotation, (lambda _: True, "anything"))
    if not check(value):
        shown = repr(value)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        raise ReplayError(
            f"event {index} ({kind}): field {name!r} must be {expected}, found {shown}"
        )


def _check_start(document: Mapping[str, Any], events: list[Event]) -> None:
    """The journal begins with case_started, for the document's case and pathway."""
    if not events or not isinstance(events[0], CaseStarted):
        raise ReplayError("event 0: a journal must begin with a case_started event")
    first = events[0]
    if first.case_id != document["case_id"]:
        raise ReplayError(
            f"event 0 (case_started): case id {first.case_id!r} differs from the "
            f"document's case_id {document['case_id']!r}"
        )


def _check_end(document: Mapping[str, Any], length: int, head: str) -> None:
    """``count`` and ``head`` match the events listed (nothing cut off the end)."""
    count = document["count"]
    if count > length:
        raise ReplayError(
            f"event {length}: missing: the document says it has {count} events but lists "
            f"{length} (the journal was cut short)"
        )
    if count < length:
        raise ReplayError(
            f"event {count}: the document says it has {count} events but lists {length} "
            "(events were added at the end)"
        )
    if document["head"] != head:
        raise ReplayError(
            f"event {length}: the document's head hash {str(document['head'])[:12]} is not "
            f"the chain hash {head[:12]} through its last event: events were removed from "
            "or added at the end"
        )
