"""Read a pathway file as plain data, safely, keeping the position of every key and value.

Pathway files are YAML written by people, so this module treats them as hostile input:

* only PyYAML's safe machinery is used, and only up to the node graph: a
  :class:`yaml.SafeLoader` subclass composes the nodes (enforcing :class:`Limits` as it
  goes, so a billion-laughs document or ``[[[[...]]]]`` stops early, never with
  ``RecursionError``), then this module builds the Python values itself;
* plain scalars are resolved with the YAML 1.2 *core* schema, not PyYAML's YAML 1.1
  rules, so ``10:30``, ``yes``, ``on``, ``2017-12-25`` and ``1_000`` stay text exactly as
  written; quoted scalars are always text;
* any tag other than the plain core ones (``!!str !!int !!float !!bool !!null !!map
  !!seq``) is refused, duplicate keys are errors (never silently last-wins), keys are
  always text (``1:`` and ``true:`` keep their source text).

Every failure is a :class:`~pathway.errors.SourceError` whose problems carry ``line`` and
``column`` (1-based) when they are known. Problems found while building values (duplicate
keys, bad keys, refused tags, ...) are all collected and raised together.

Positions of aliased content: the node an alias (``*name``) stands for is located at the
alias itself; everything *inside* it keeps the position of the anchored original. Entries
brought in by a merge key (``<<: *base``) likewise keep the positions of the original
keys and values, which is where a user has to edit them.
"""

from __future__ import annotations

import math
import os
import re
import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Final, NoReturn, TypeAlias

import attrs
import yaml
from yaml.error import Mark
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode, SequenceNode

from pathway.errors import Problem, SourceError, did_you_mean

__all__ = [
    "DEFAULT_LIMITS",
    "MAX_INTEGER",
    "Document",
    "Limits",
    "Path",
    "Position",
    "format_path",
    "load_document",
    "parse_yaml",
    "read_text",
]

Path: TypeAlias = tuple[str | int, ...]
Position: TypeAlias = tuple[int, int]

_CORE: Final = "tag:yaml.org,2002:"
_STR: Final = _CORE + "str"
_INT: Final = _CORE + "int"
_FLOAT: Final = _CORE + "float"
_BOOL: Final = _CORE + "bool"
_NULL: Final = _CORE + "null"
_MAP: Final = _CORE + "map"
_SEQ: Final = _CORE + "seq"
_TYPED_TAGS: Final = frozenset({_INT, _FLOAT, _BOOL, _NULL})
_CORE_TAGS: Final = _TYPED_TAGS | {_STR, _MAP, _SEQ}
# Tags this module gives untagged scalars (YAML's own names for "no specific tag"):
_PLAIN: Final = "?"  # an untagged plain scalar: resolved by the core schema
_TEXT: Final = "!"  # a quoted or block scalar, or one tagged '!': always text

_NULLS: Final = frozenset({"null", "Null", "NULL", "~", ""})
_BOOLS: Final = dict.fromkeys(("true", "True", "TRUE"), True) | dict.fromkeys(
    ("false", "False", "FALSE"), False
)
_DECIMAL: Final = re.compile(r"[-+]?[0-9]+")
_OCTAL: Final = re.compile(r"0o[0-7]+")
_HEX: Final = re.compile(r"0x[0-9a-fA-F]+")
_REAL: Final = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INFINITY: Final = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN: Final = re.compile(r"\.(nan|NaN|NAN)")
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_LINE_BREAK: Final = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

_EXTENSIONS: Final = (".yaml", ".yml", ".json")
_UTF8_BOM: Final = b"\xef\xbb\xbf"
_WIDE_BOMS: Final = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
_MAX_PROBLEMS: Final = 100
_UNREADABLE: Final = object()  # a number too large for Python to convert
MAX_INTEGER: Final = 2**53 - 1
"""The largest whole number a pathway file may hold (and the smallest is its negative):
beyond it, numbers lose precision in JSON and in floating point."""
_MAX_INTEGER_DIGITS: Final = len(str(MAX_INTEGER))
_TAGS_HINT: Final = (
    "use only plain YAML values: text, numbers, true/false, null, lists and mappings"
)


@attrs.frozen(slots=True)
class Limits:
    """Bounds on what one pathway file may cost to read; exceeding one is a SourceError.

    ``max_bytes`` is the size of the file (UTF-8 bytes), ``max_depth`` the nesting of
    mappings and lists, ``max_aliases`` the number of alias uses (``*name``) in the
    document and ``max_nodes`` the number of values that aliases bring in, each alias
    counting as a full copy of what it names (the guard against "billion laughs"
    documents). Values written out in the file do not count towards ``max_nodes``:
    ``max_bytes`` already bounds them.
    """

    max_bytes: int = attrs.field(default=2_000_000, validator=attrs.validators.ge(1))
    max_depth: int = attrs.field(default=64, validator=attrs.validators.ge(1))
    max_aliases: int = attrs.field(default=100, validator=attrs.validators.ge(0))
    max_nodes: int = attrs.field(default=200_000, validator=attrs.validators.ge(1))


DEFAULT_LIMITS: Final = Limits()


@attrs.frozen(slots=True)
class Document:
    """A parsed pathway file: its plain data plus where each key and value was written.

    ``data`` is built from dicts (insertion-ordered, str keys), lists, str, int, float,
    bool and None. ``values`` maps the path of every value (``()`` is the whole document)
    to its 1-based ``(line, column)``; ``keys`` maps the path of every mapping entry to
    the position of its key. A value given by an alias (``*name``) is located at the
    alias, and what is inside it (and entries merged in by ``<<``) at the anchored
    original.
    """

    data: object
    source: str
    values: Mapping[Path, Position]
    keys: Mapping[Path, Position]

    def locate(self, path: Sequence[str | int], *, key: bool = False) -> Position:
        """Best position for ``path``: exact, else its nearest known ancestor; else (0, 0).

        With ``key=True`` the position of the entry's key is preferred over its value
        (e.g. to point at a misspelled field name rather than at what it holds).
        """
        tables = (self.keys, self.values) if key else (self.values, self.keys)
        probe = tuple(path)
        while True:
            for table in tables:
                if probe in table:
                    return table[probe]
            if not probe:
                return (0, 0)
            probe = probe[:-1]


def format_path(path: Iterable[str | int]) -> str:
    """A path as users read it in messages, e.g. ``steps.triage.next[0]``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


# --------------------------------------------------------------------------- reading


def read_text(
    source: str | os.PathLike[str] | bytes,
    *,
    name: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[str, str]:
    """Return ``(text, display_name)`` for a pathway source, checked to be YAML text.

    ``bytes`` are decoded as UTF-8. A ``PathLike`` is read as a file. A ``str`` is read
    as a file when it has no line break and either ends in ``.yaml``, ``.yml`` or
    ``.json`` or names an existing path; otherwise it is the YAML text itself (pass text
    with a line break, or call :func:`parse_yaml`, to be unambiguous). ``name`` overrides
    the display name (the path as given, or ``'<string>'``). A UTF-8 BOM is removed.

    Raises SourceError with code ``file-not-found``, ``not-a-file`` (a directory or other
    non-regular file), ``unreadable``, ``too-large`` (over ``limits.max_bytes``),
    ``binary`` (NUL characters), ``encoding`` (not UTF-8; gives the line and column of
    the first bad byte) or ``empty`` (nothing but whitespace and comments).
    """
    if isinstance(source, bytes):
        display = name or "<string>"
        return _decode(source, display, limits), display
    if isinstance(source, str) and not _names_a_file(source):
        display = name or "<string>"
        return _check_text(source, display, limits), display
    path = os.fspath(source)
    display = name or path
    return _decode(_read_file(path, display, limits), display, limits), display


def _names_a_file(text: str) -> bool:
    if "\n" in text or "\r" in text:
        return False
    return text.lower().endswith(_EXTENSIONS) or os.path.exists(text)


def _fail(
    code: str, message: str, source: str, at: Position = (0, 0), *, suggestion: str = ""
) -> NoReturn:
    line, column = at
    raise SourceError([Problem(message, source, line, column, code=code, suggestion=suggestion)])


def _read_file(path: str, display: str, limits: Limits) -> bytes:
    info = _stat(path, display)
    if not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        _fail("not-a-file", f"{path} is {kind}, not a pathway file", display)
    if info.st_size > limits.max_bytes:
        _too_large(display, limits)
    try:
        with open(path, "rb") as handle:
            return handle.read(limits.max_bytes + 1)
    except OSError as error:
        _fail("unreadable", f"cannot read {path}: {error.strerror or error}", display)


def _stat(path: str, display: str) -> os.stat_result:
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError, ValueError):
        hint = _sibling_hint(path)
        _fail("file-not-found", f"file not found: {path}", display, suggestion=hint)
    except OSError as error:
        _fail("unreadable", f"cannot read {path}: {error.strerror or error}", display)


def _sibling_hint(path: str) -> str:
    folder, base = os.path.split(path)
    try:
        siblings = [entry for entry in os.listdir(folder or ".") if entry.endswith(_EXTENSIONS)]
    except (OSError, ValueError):
        return ""
    match = did_you_mean(base, siblings)
    return f"did you mean {os.path.join(folder, match)!r}?" if match else ""


def _too_large(display: str, limits: Limits) -> NoReturn:
    message = f"the file is larger than the limit of {limits.max_bytes} bytes"
    _fail("too-large", message, display, suggestion="split it into smaller pathway files")


def _decode(data: bytes, display: str, limits: Limits) -> str:
    if len(data) > limits.max_bytes:
        _too_large(display, limits)
    if data.startswith(_WIDE_BOMS):
        message = "the file is UTF-16 or UTF-32 text; pathway files must be UTF-8"
        _fail("encoding", message, display, (1, 1), suggestion="save the file as UTF-8")
    data = data.removeprefix(_UTF8_BOM)
    if (nul := data.find(b"\0")) >= 0:
        _binary(display, _byte_position(data, nul))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        _not_utf8(display, data, error.start)
    return _check_text(text, display, limits)


def _byte_position(data: bytes, offset: int) -> Position:
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column


def _binary(display: str, at: Position) -> NoReturn:
    message = "the file contains NUL characters: it looks binary, not YAML text"
    _fail("binary", message, display, at)


def _not_utf8(display: str, data: bytes, offset: int) -> NoReturn:
    message = f"the file is not UTF-8 text: byte 0x{data[offset]:02x} cannot be decoded"
    at = _byte_position(data, offset)
    _fail("encoding", message, display, at, suggestion="save the file as UTF-8")


def _check_text(text: str, display: str, limits: Limits) -> str:
    text = text.removeprefix("\ufeff")
    if _utf8_size(text, limits.max_bytes) > limits.max_bytes:
        _too_large(display, limits)
    if (nul := text.find("\0")) >= 0:
        _binary(display, _text_position(text, nul))
    if _is_blank(text):
        _fail("empty", "the file is empty (nothing but whitespace and comments)", display)
    return text


def _utf8_size(text: str, limit: int) -> int:
    """UTF-8 size of ``text``, or just its length when that alone is over ``limit``."""
    if len(text) > limit:
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


def _is_blank(text: str) -> bool:
    for line in text.split("\n"):
        content = line.strip(" \t\r")
        if content and not content.startswith("#"):
            return False
    return True


def _text_position(text: str, offset: int) -> Position:
    line, start = 1, 0
    for match in _LINE_BREAK.finditer(text, 0, offset):
        line, start = line + 1, match.end()
    return line, offset - start + 1


# --------------------------------------------------------------------------- composing


def _at(mark: object) -> Position:
    if isinstance(mark, Mark):
        return mark.line + 1, mark.column + 1
    return (0, 0)


def _mark(mark: object) -> Mark | None:
    return mark if isinstance(mark, Mark) else None


class _Loader(yaml.SafeLoader):
    """A SafeLoader whose composer enforces Limits and keeps scalars' tags unresolved.

    Only the composer is replaced: the reader, scanner and parser are PyYAML's, and no
    PyYAML constructor ever runs. Untagged scalars get the tag ``?`` (plain) or ``!``
    (quoted or block) so that :class:`_Builder` can resolve them with the core schema.
    """

    def __init__(self, text: str, source: str, limits: Limits) -> None:
        self._source = source
        self._limits = limits
        self._depth = 0
        self._aliases = 0
        self._expanded = 0
        self._open: set[str] = set()
        self._shape: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded size, height)
        super().__init__(text)

    def _next(self) -> Event:
        event: Event = self.get_event()  # type: ignore[no-untyped-call]
        return event

    def get_single_node(self) -> Node | None:
        """Compose the only document in the stream; a second one is an error."""
        self._next()  # STREAM-START
        root = None if self.check_event(StreamEndEvent) else self.compose_document()
        if not self.check_event(StreamEndEvent):
            event = self._next()
            message = "the file holds more than one YAML document; a pathway is one document"
            self._fail("multiple-documents", message, event.start_mark)
        self._next()  # STREAM-END
        return root

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        """Compose the next node (``parent`` and ``index`` are unused: no path resolvers)."""
        del parent, index
        event = self._next()
        if isinstance(event, AliasEvent):
            return self._alias(event)
        if isinstance(event, ScalarEvent):
            return self._scalar(event)
        if isinstance(event, SequenceStartEvent):
            return self._sequence(event)
        assert isinstance(event, MappingStartEvent)
        return self._mapping(event)

    def _fail(self, code: str, message: str, mark: object, suggestion: str = "") -> NoReturn:
        _fail(code, message, self._source, _at(mark), suggestion=suggestion)

    def _alias(self, event: AliasEvent) -> Node:
        name = event.anchor or ""
        self._aliases += 1
        if self._aliases > self._limits.max_aliases:
            message = f"more than {self._limits.max_aliases} aliases (*name) in one document"
            self._fail("too-many-aliases", message, event.start_mark)
        if name in self._open:
            message = f"alias *{name} is used inside the node &{name} it names (endless)"
            self._fail("recursive-alias", message, event.start_mark)
        if name not in self.anchors:
            message = f"alias *{name} names no anchor &{name} defined before it"
            self._fail("yaml-syntax", message, event.start_mark)
        return self._expand(self.anchors[name], event)

    def _expand(self, target: Node, event: AliasEvent) -> Node:
        size, height = self._shape[id(target)]
        if self._depth + height > self._limits.max_depth:
            self._too_deep(event.start_mark, f" once alias *{event.anchor} is expanded")
        self._grow(size, event.start_mark)
        copy = _relocated(target, _mark(event.start_mark), _mark(event.end_mark))
        self._shape[id(copy)] = (size, height)
        return copy

    def _grow(self, count: int, mark: object) -> None:
        self._expanded += count
        if self._expanded > self._limits.max_nodes:
            message = (
                f"aliases (*name) bring in more than {self._limits.max_nodes} values, "
                "counting each alias as a full copy of what it names"
            )
            self._fail("too-many-aliases", message, mark)

    def _too_deep(self, mark: object, why: str = "") -> NoReturn:
        message = f"lists and mappings nest more than {self._limits.max_depth} levels deep{why}"
        self._fail("too-deep", message, mark, suggestion="flatten the structure")

    def _register(self, anchor: str | None, node: Node) -> None:
        if anchor is None:
            return
        if anchor in self.anchors:
            first = _at(self.anchors[anchor].start_mark)[0]
            message = f"anchor &{anchor} is defined twice (first on line {first})"
            self._fail("duplicate-anchor", message, node.start_mark)
        self.anchors[anchor] = node

    def _scalar(self, event: ScalarEvent) -> ScalarNode:
        tag = event.tag or (_PLAIN if event.style is None else _TEXT)
        start, end = _mark(event.start_mark), _mark(event.end_mark)
        node = ScalarNode(tag, event.value, start, end, style=event.style)
        self._register(event.anchor, node)
        self._shape[id(node)] = (1, 0)
        return node

    def _sequence(self, event: SequenceStartEvent) -> SequenceNode:
        node = SequenceNode(_collection_tag(event, _SEQ), [], _mark(event.start_mark))
        node.flow_style = event.flow_style
        self._enter(event, node)
        while not self.check_event(SequenceEndEvent):
            node.value.append(self.compose_node(node, len(node.value)))
        self._leave(event, node, node.value)
        return node

    def _mapping(self, event: MappingStartEvent) -> MappingNode:
        node = MappingNode(_collection_tag(event, _MAP), [], _mark(event.start_mark))
        node.flow_style = event.flow_style
        self._enter(event, node)
        while not self.check_event(MappingEndEvent):
            key = self.compose_node(node, 0)
            node.value.append((key, self.compose_node(node, 0)))
        self._leave(event, node, [part for pair in node.value for part in pair])
        return node

    def _enter(self, event: CollectionStartEvent, node: CollectionNode) -> None:
        self._depth += 1
        if self._depth > self._limits.max_depth:
            self._too_deep(event.start_mark)
        self._register(event.anchor, node)
        if event.anchor is not None:
            self._open.add(event.anchor)

    def _leave(self, event: CollectionStartEvent, node: CollectionNode, kids: list[Node]) -> None:
        node.end_mark = _mark(self._next().end_mark)
        self._depth -= 1
        self._open.discard(event.anchor or "")
        shapes = [self._shape[id(kid)] for kid in kids]
        size = 1 + sum(size for size, _ in shapes)
        self._shape[id(node)] = (size, 1 + max((height for _, height in shapes), default=0))


def _collection_tag(event: CollectionStartEvent, default: str) -> str:
    return default if event.tag in (None, "!") else str(event.tag)


def _relocated(target: Node, start: Mark | None, end: Mark | None) -> Node:
    """A shallow copy of ``target`` placed at an alias: same tag and children."""
    if isinstance(target, ScalarNode):
        return ScalarNode(target.tag, target.value, start, end, style=target.style)
    if isinstance(target, SequenceNode):
        return SequenceNode(target.tag, target.value, start, end, target.flow_style)
    assert isinstance(target, MappingNode)
    return MappingNode(target.tag, target.value, start, end, target.flow_style)


def _compose(text: str, source: str, limits: Limits) -> Node | None:
    try:
        loader = _Loader(text, source, limits)
        try:
            return loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        raise SourceError([_syntax_problem(error, text, source)]) from None
    except RecursionError:
        message = "the document nests too deeply to read (lower Limits.max_depth)"
        raise SourceError([Problem(message, source, code="too-deep")]) from None


def _syntax_problem(error: yaml.YAMLError, text: str, source: str) -> Problem:
    if isinstance(error, yaml.reader.ReaderError) and isinstance(error.character, int):
        at = _text_position(text, error.position)
        message = f"character U+{error.character:04X} is not allowed in YAML text"
        return Problem(message, source, *at, code="yaml-syntax")
    if not isinstance(error, yaml.MarkedYAMLError):
        return Problem(f"not valid YAML: {error}", source, code="yaml-syntax")
    message = _syntax_message(error)
    at = _at(error.problem_mark or error.context_mark)
    hint = _syntax_hint(message)
    return Problem(message, source, *at, code="yaml-syntax", suggestion=hint)


def _syntax_message(error: yaml.MarkedYAMLError) -> str:
    message = error.problem or error.context or "not valid YAML"
    if error.problem and error.context:
        line, problem_line = _at(error.context_mark)[0], _at(error.problem_mark)[0]
        where = f" that began on line {line}" if 0 < line != problem_line else ""
        message = f"{error.problem} ({error.context}{where})"
    return f"YAML syntax error: {message}"


def _syntax_hint(message: str) -> str:
    if "'\\t'" in message:
        return "indent with spaces, not tabs"
    return ""


# --------------------------------------------------------------------------- building


def _resolve_plain(text: str) -> object:
    """The YAML 1.2 core-schema value of a plain scalar.

    Raises OverflowError for a number pathway does not hold: a whole number beyond
    :data:`MAX_INTEGER`, or a float literal beyond the float range.
    """
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if _DECIMAL.fullmatch(text):
        return _bounded(text.lstrip("+-").lstrip("0"), 10, text.startswith("-"))
    if _OCTAL.fullmatch(text) or _HEX.fullmatch(text):
        return _bounded(text[2:].lstrip("0"), 8 if text[1] == "o" else 16, False)
    if _REAL.fullmatch(text):
        return _finite(float(text))
    if _INFINITY.fullmatch(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.fullmatch(text):
        return math.nan
    return text


def _bounded(digits: str, base: int, negative: bool) -> int:
    """The whole number spelled by ``digits`` (no sign, no leading zeros) in ``base``.

    Raises OverflowError beyond :data:`MAX_INTEGER`, without converting a long digit
    string first (which would be slow, or refused by Python's digit limit).
    """
    if len(digits) > 4 * _MAX_INTEGER_DIGITS:
        raise OverflowError("number out of range")
    value = int(digits or "0", base)
    if value > MAX_INTEGER:
        raise OverflowError("number out of range")
    return -value if negative else value


def _tag_name(tag: str) -> str:
    return "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag


def _is_merge_key(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _PLAIN and node.value == "<<"


def _kind(node: Node, article: str = "a ") -> str:
    if isinstance(node, MappingNode):
        return f"{article}mapping"
    if isinstance(node, SequenceNode):
        return f"{article}list"
    return f"{node.value!r}"


Entries: TypeAlias = dict[str, tuple[Node, Node]]
_Converter: TypeAlias = Callable[[str], object]


@attrs.define
class _Builder:
    """Builds plain values from a composed node graph, recording positions and problems."""

    source: str
    values: dict[Path, Position] = attrs.field(factory=dict)
    keys: dict[Path, Position] = attrs.field(factory=dict)
    problems: list[Problem] = attrs.field(factory=list)
    seen: set[tuple[str, Position]] = attrs.field(factory=set)
    dropped: int = 0

    def problem(
        self,
        code: str,
        message: str,
        node: Node,
        path: Path,
        *,
        found: str = "",
        expected: str = "",
        suggestion: str = "",
    ) -> None:
        """Record a problem at ``node`` (once per code and position, at most 100)."""
        at = _at(node.start_mark)
        if (code, at) in self.seen:
            return
        self.seen.add((code, at))
        if len(self.problems) >= _MAX_PROBLEMS:
            self.dropped += 1
            return
        field = format_path(path)
        self.problems.append(
            Problem(message, self.source, *at, field, expected, found, suggestion, code)
        )

    def build(self, node: Node, path: Path) -> object:
        """The plain value of ``node``, which sits at ``path``."""
        self.values[path] = _at(node.start_mark)
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            self._check_tag(node, _SEQ, path)
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        return self._scalar(node, path)

    def _check_tag(self, node: Node, wanted: str, path: Path) -> None:
        if node.tag == wanted:
            return
        if node.tag in _CORE_TAGS:
            message = f"{_tag_name(node.tag)} cannot tag {_kind(node)}"
            self.problem("tag-mismatch", message, node, path, found=_tag_name(node.tag))
        else:
            self.unsafe_tag(node, path)

    def unsafe_tag(self, node: Node, path: Path) -> None:
        """Record that ``node`` carries a tag pathway refuses to honour."""
        message = f"the tag {_tag_name(node.tag)} is not allowed"
        found = _tag_name(node.tag)
        self.problem("unsafe-tag", message, node, path, found=found, suggestion=_TAGS_HINT)

    def _mapping(self, node: MappingNode, path: Path) -> dict[str, object]:
        self._check_tag(node, _MAP, path)
        result: dict[str, object] = {}
        for key, (key_node, value_node) in self._entries(node, path).items():
            self.keys[(*path, key)] = _at(key_node.start_mark)
            result[key] = self.build(value_node, (*path, key))
        return result

    def _entries(self, node: MappingNode, path: Path) -> Entries:
        items = [(self._key(key, path), key, value) for key, value in node.value]
        explicit = self._first_occurrences(items, path)
        entries: Entries = {}
        for key, key_node, value_node in items:
            if key is not None:
                entries.setdefault(key, explicit[key])
            elif _is_merge_key(key_node):
                for name, entry in self._merged(value_node, path).items():
                    if name not in explicit:
                        entries.setdefault(name, entry)
        return entries

    def _first_occurrences(self, items: list[tuple[str | None, Node, Node]], path: Path) -> Entries:
        first: Entries = {}
        first_merge: Node | None = None
        for key, key_node, value_node in items:
            if key is not None and key in first:
                self._duplicate(key, first[key][0], key_node, path)
            elif key is not None:
                first[key] = (key_node, value_node)
            elif _is_merge_key(key_node) and first_merge is not None:
                self._duplicate("<<", first_merge, key_node, path)
            elif _is_merge_key(key_node):
                first_merge = key_node
        return first

    def _duplicate(self, key: str, first: Node, again: Node, path: Path) -> None:
        line = _at(first.start_mark)[0]
        message = f"duplicate key {key!r}: it is already defined on line {line}"
        hint = "keep one of them; YAML would otherwise silently use only the last"
        self.problem("duplicate-key", message, again, (*path, key), found=key, suggestion=hint)

    def _merged(self, value: Node, path: Path) -> Entries:
        """Entries a ``<<`` merge key brings in; the first source to define a key wins."""
        sources = value.value if isinstance(value, SequenceNode) else [value]
        if isinstance(value, SequenceNode):
            self._check_tag(value, _SEQ, path)
        merged: Entries = {}
        for source in sources:
            if not isinstance(source, MappingNode):
                self._bad_merge(value, _kind(source), path)
                continue
            self._check_tag(source, _MAP, path)
            for name, entry in self._entries(source, path).items():
                merged.setdefault(name, entry)
        return merged

    def _bad_merge(self, node: Node, found: str, path: Path) -> None:
        """Record a merge of something that is not a mapping, located at the ``<<`` value."""
        message = "a merge key '<<' takes a mapping or a list of mappings"
        self.problem("bad-merge", message, node, path, expected="e.g. <<: *defaults", found=found)

    def _key(self, node: Node, path: Path) -> str | None:
        """The text of a mapping key; None for a merge key or a key that is not allowed."""
        if not isinstance(node, ScalarNode):
            self._bad_key(node, path, f"{_kind(node, '')} cannot be a key")
        elif node.tag == _PLAIN and node.value in _NULLS:
            self._bad_key(node, path, "a key cannot be empty or null", node.value or "nothing")
        elif node.tag == _PLAIN:
            return None if node.value == "<<" else str(node.value)
        elif node.tag in (_TEXT, _STR):
            return self._text(node, path)
        elif node.tag in _CORE_TAGS:
            self._bad_key(node, path, f"a key must be text, not {_tag_name(node.tag)}")
        else:
            self.unsafe_tag(node, path)
        return None

    def _bad_key(self, node: Node, path: Path, message: str, found: str = "") -> None:
        hint = "write keys as plain text, e.g. name: value"
        found = found or _kind(node)
        self.problem("bad-key", message, node, path, found=found, suggestion=hint)

    def _scalar(self, node: ScalarNode, path: Path) -> object:
        tag = node.tag
        if tag == _PLAIN:
            value = self._convert(node, path, _resolve_plain)
            return str(node.value) if value is _UNREADABLE else value
        if tag in (_TEXT, _STR):
            return self._text(node, path)
        if tag in _TYPED_TAGS:
            return self._typed(node, path)
        self._check_tag(node, "", path)
        return str(node.value)

    def _convert(self, node: Node, path: Path, convert: _Converter) -> object:
        """``convert(node.value)``, or _UNREADABLE (recording why) for an unusable number."""
        try:
            return convert(str(node.value))
        except (ValueError, OverflowError):
            self.problem(
                "bad-value",
                "number too large",
                node,
                path,
                expected=f"a number between -{MAX_INTEGER} and {MAX_INTEGER} "
                "(or, for a number with a fraction, within about ±1.8e308)",
                found=_shorten(str(node.value)),
                suggestion="if it is text, put it in quotes",
            )
            return _UNREADABLE

    def _typed(self, node: Node, path: Path) -> object:
        tag = node.tag
        value = self._convert(node, path, _as_float if tag == _FLOAT else _resolve_plain)
        if value is _UNREADABLE:
            return str(node.value)
        if _fits(tag, value):
            return value
        name = _tag_name(tag)
        message = f"{node.value!r} is not a valid {name} value"
        self.problem("tag-mismatch", message, node, path, expected=_EXAMPLES[tag], found=name)
        return str(node.value)

    def _text(self, node: ScalarNode, path: Path) -> str:
        text = str(node.value)
        if node.style != '"' or not _SURROGATE.search(text):
            return text
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
        if _SURROGATE.search(text):
            message = "the text has an unpaired UTF-16 surrogate escape (\\ud800-\\udfff)"
            self.problem("bad-value", message, node, path)
        return text


def _shorten(text: str) -> str:
    """``text`` as shown in a message: long text keeps its start and says its length."""
    return text if len(text) <= 40 else f"{text[:20]}... ({len(text)} characters)"


def _as_float(text: str) -> object:
    """The value of a scalar tagged ``!!float``: whole-number literals become floats.

    Raises OverflowError for a number beyond the float range.
    """
    if _DECIMAL.fullmatch(text):
        return _finite(float(text))
    if _OCTAL.fullmatch(text) or _HEX.fullmatch(text):
        return _finite(float(int(text[2:], 8 if text[1] == "o" else 16)))
    return _resolve_plain(text)


def _finite(value: float) -> float:
    """``value``, unless a finite literal overflowed to infinity (OverflowError)."""
    if math.isinf(value):
        raise OverflowError("number out of range")
    return value


_EXAMPLES: Final = {
    _INT: "an integer like 42",
    _FLOAT: "a number like 1.5",
    _BOOL: "true or false",
    _NULL: "null, ~ or nothing",
}


def _fits(tag: str, value: object) -> bool:
    if tag == _INT:
        return type(value) is int
    if tag == _FLOAT:
        return type(value) is float
    if tag == _BOOL:
        return type(value) is bool
    return value is None


# --------------------------------------------------------------------------- public


def parse_yaml(text: str, source: str = "<string>", limits: Limits = DEFAULT_LIMITS) -> Document:
    """Parse one pathway document from YAML text, keeping every position.

    ``source`` is the display name used in problems. Raises SourceError (with line and
    column) for: YAML syntax errors or characters YAML forbids (``yaml-syntax``), more
    than one document (``multiple-documents``), a tag other than the plain core ones
    (``unsafe-tag``), a core tag that does not fit its value (``tag-mismatch``), a
    duplicate key (``duplicate-key``) or anchor (``duplicate-anchor``), a null or
    non-text key (``bad-key``), a bad merge (``bad-merge``), an unreadable number or
    string (``bad-value``), nesting over ``max_depth`` (``too-deep``), too many alias uses
    or expanded nodes (``too-many-aliases``), an alias inside what it names
    (``recursive-alias``) and a top level that is not a mapping (``not-a-mapping``).
    It also applies :func:`read_text`'s text checks (``too-large``, ``binary``, ``empty``).
    """
    text = _check_text(text, source, limits)
    root = _compose(text, source, limits)
    if root is None or _is_nothing(root):
        _fail("empty", "the file holds an empty YAML document", source)
    builder = _Builder(source)
    data = builder.build(root, ())
    _raise_problems(builder, root)
    values, keys = MappingProxyType(builder.values), MappingProxyType(builder.keys)
    return Document(data, source, values, keys)


def _is_nothing(root: Node) -> bool:
    """True for a document with nothing written in it (e.g. only ``---``)."""
    return isinstance(root, ScalarNode) and root.tag == _PLAIN and root.value == ""


def _raise_problems(builder: _Builder, root: Node) -> None:
    problems = sorted(builder.problems, key=lambda problem: (problem.line, problem.column))
    if not isinstance(root, MappingNode):
        message = "a pathway file must be a mapping of fields (name: value) at the top level"
        at = _at(root.start_mark)
        found = _kind(root) if not isinstance(root, ScalarNode) else "a single value"
        problems.insert(0, Problem(message, builder.source, *at, code="not-a-mapping", found=found))
    if builder.dropped:
        message = f"{builder.dropped} more problems not shown"
        problems.append(Problem(message, builder.source, code="too-many-problems"))
    if problems:
        raise SourceError(problems)


def load_document(
    source: str | os.PathLike[str] | bytes,
    *,
    name: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Document:
    """Read and parse a pathway source: :func:`read_text` then :func:`parse_yaml`.

    Raises SourceError for anything either of them rejects.
    """
    text, display = read_text(source, name=name, limits=limits)
    return parse_yaml(text, display, limits)
