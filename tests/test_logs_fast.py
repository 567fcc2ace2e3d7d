"""The fast paths of reading a foreign log give exactly what the plain ones give.

The XES scanner (:meth:`_Reader.scan`) is held to the expat reader on the shipped logs,
on files of the common shape, and on unusual or malformed files (left to expat, so the
errors are the same).

The interpreter places events without sorting where it can (:func:`_places`,
:func:`_unique`, the run order of :func:`sorted_log`) and leaves unused text fields
as one shared blank column; these tests hold each shortcut to the plain computation.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathway._journal._eventlog import EventLog, blank_codes, sorted_log
from pathway.errors import EventLogError
from pathway.io import _xes as xes
from pathway.io._foreign import ForeignLog
from pathway.io._interpret import _lex_sorted, _places, _unique, interpret

small = st.integers(min_value=0, max_value=30)


@given(
    st.lists(
        st.tuples(st.sets(small, max_size=20), st.integers(min_value=0, max_value=6)), max_size=8
    )
)
def test_places_are_the_lexsort(blocks: list[tuple[set[int], int]]) -> None:
    """Blocks of distinct instances, each with a ``sub``: every row lands where sorting
    the joined rows by (instance, sub, position) puts it."""
    orders = [np.asarray(sorted(ids), dtype=np.int64) for ids, _ in blocks]
    subs = [sub for _, sub in blocks]
    places = _places(orders, subs)
    joined_order = np.concatenate([*orders, np.zeros(0, np.int64)])
    joined_sub = np.concatenate(
        [np.full(len(o), s) for o, s in zip(orders, subs, strict=True)] + [np.zeros(0, np.int64)]
    )
    where = np.empty(len(joined_order), dtype=np.int64)
    where[np.lexsort((joined_sub, joined_order))] = np.arange(len(joined_order))
    assert np.concatenate([*places, np.zeros(0, np.int64)]).tolist() == where.tolist()


@given(st.lists(st.tuples(st.integers(0, 2), st.integers(-2, 2), st.integers(0, 2)), max_size=12))
def test_lex_sorted_is_whether_lexsort_keeps_the_order(rows: list[tuple[int, int, int]]) -> None:
    """The instance sort is skipped exactly when it would not move a row (with row
    numbers as the last key, as the interpreter sorts)."""
    keys = tuple(np.asarray([r[i] for r in rows], dtype=np.int64) for i in range(3))
    numbers = np.arange(len(rows), dtype=np.int64)
    most_first = (*keys, numbers)
    unmoved = np.array_equal(np.lexsort(most_first[::-1]), numbers)
    assert _lex_sorted(most_first) == unmoved


@given(st.lists(small, max_size=60), st.integers(min_value=31, max_value=5000))
def test_unique_is_numpys(values: list[int], bound: int) -> None:
    keys = np.asarray(values, dtype=np.int64)
    unique, inverse = _unique(keys, bound)
    expected, expected_inverse = np.unique(keys, return_inverse=True)
    assert np.array_equal(unique, expected)
    assert np.array_equal(inverse, expected_inverse.reshape(-1))


@settings(max_examples=200)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 20), st.integers(0, 9)), max_size=40))
def test_sorted_log_run_order_is_the_stable_sort(rows: list[tuple[int, int, int]]) -> None:
    """Rows grouped by case in time order (the run shortcut) or not (the sort): the
    same log as sorting by (case by first event, time, position)."""
    cases = sorted({c for c, _, _ in rows})
    code = {c: i for i, c in enumerate(cases)}
    case = np.asarray([code[c] for c, _, _ in rows], dtype=np.int64)
    at = np.asarray([t for _, t, _ in rows], dtype=np.int64)
    step = np.asarray([s for _, _, s in rows], dtype=np.int32)
    log = sorted_log(
        case=case,
        case_ids=tuple(f"c{c}" for c in cases),
        at=at,
        kind=np.zeros(len(rows), np.int8),
        started=at.copy(),
        attendance=np.zeros(len(rows), np.int32),
        codes={"step": step, "worker": blank_codes(len(rows))},
        vocab={},
    )
    first = {c: min(t for cc, t, _ in rows if cc == c) for c in cases}
    by_first = sorted(cases, key=lambda c: (first[c], code[c]))
    rank = {c: i for i, c in enumerate(by_first)}
    expected = sorted(range(len(rows)), key=lambda i: (rank[rows[i][0]], rows[i][1], i))
    assert log.case_ids == tuple(f"c{c}" for c in by_first)
    assert log.case.tolist() == [rank[rows[i][0]] for i in expected]
    assert log.at.tolist() == [rows[i][1] for i in expected]
    assert log.codes["step"].tolist() == [rows[i][2] for i in expected]
    assert log.codes["worker"].tolist() == [-1] * len(rows)


def test_blank_columns_are_shared_and_read_only() -> None:
    log = EventLog.from_columns(case_ids=("a",), case=[0, 0], at=[2, 1], kind=[0, 0])
    blank = log.codes["note"]
    assert blank.tolist() == [-1, -1]
    assert blank.strides == (0,)
    with pytest.raises(ValueError, match="read-only"):
        blank[0] = 3


# --------------------------------------------------------------------- the XES scanner

DATA = Path(__file__).parent / "data"
SHIPPED = [DATA / "running-example.xes", DATA / "helpdesk.xes.gz"]
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1849-2016">\n'
EVENT = (
    '<event><string key="concept:name" value="{a}"/>'
    '<date key="time:timestamp" value="2024-01-0{d}T09:00:00+00:00"/></event>'
)


def by_expat(path: Path) -> ForeignLog | str:
    """What the expat reader alone gives: the log, or the error's message."""
    reader = xes._Reader(str(path))
    try:
        try:
            with xes._open(path) as stream:
                reader.read(stream)
        except (OSError, EOFError, zlib.error) as error:
            raise EventLogError([reader.broken(f"the file cannot be read: {error}")]) from None
        return reader.log()
    except EventLogError as error:
        return str(error)


def by_default(path: Path) -> ForeignLog | str:
    """What :func:`read_xes` gives (the scanner where it can): the log, or the message."""
    try:
        return xes.read_xes(path)
    except EventLogError as error:
        return str(error)


def scanned(path: Path) -> bool:
    """Whether the scanner takes the file (else expat reads it)."""
    reader = xes._Reader(str(path))
    try:
        with xes._open(path) as stream:
            return reader.scan(stream)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError):
        return False


def assert_same(fast: ForeignLog | str, slow: ForeignLog | str) -> None:
    if isinstance(slow, str) or isinstance(fast, str):
        assert fast == slow
        return
    assert fast.case_ids == slow.case_ids
    for name in ("case", "at", "start"):
        assert np.array_equal(getattr(fast, name), getattr(slow, name)), name
    assert fast.activity.labels == slow.activity.labels
    assert np.array_equal(fast.activity.codes, slow.activity.codes)
    for mine, theirs in ((fast.fields, slow.fields), (fast.attributes, slow.attributes)):
        assert list(mine) == list(theirs)
        for key, coded in mine.items():
            assert coded.labels == theirs[key].labels, key
            assert np.array_equal(coded.codes, theirs[key].codes), key
    assert fast.case_attributes == slow.case_attributes
    assert fast.records == slow.records


def assert_same_logs(first: EventLog, second: EventLog) -> None:
    assert first.case_ids == second.case_ids
    for name in ("case", "at", "kind", "started", "attendance"):
        assert np.array_equal(getattr(first, name), getattr(second, name)), name
    assert first.vocab == second.vocab
    assert first.codes.keys() == second.codes.keys()
    for field, column in first.codes.items():
        assert np.array_equal(column, second.codes[field]), field


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_scanner_reads_the_shipped_logs_as_expat_does(path: Path) -> None:
    assert scanned(path)
    fast, slow = by_default(path), by_expat(path)
    assert_same(fast, slow)
    assert not isinstance(fast, str)
    assert not isinstance(slow, str)
    assert_same_logs(interpret(fast).log, interpret(slow).log)


def write(tmp_path: Path, body: str, *, head: str = HEAD, tail: str = "</log>\n") -> Path:
    path = tmp_path / "log.xes"
    path.write_bytes((head + body + tail).encode("utf-8"))
    return path


def trace(name: str, *events: str, extra: str = "") -> str:
    return f'<trace><string key="concept:name" value="{name}"/>{extra}{"".join(events)}</trace>\n'


COMMON = {
    "plain": trace("a", EVENT.format(a="x", d=1), EVENT.format(a="y", d=2)),
    "typed trace attributes": trace(
        "b",
        EVENT.format(a="x", d=1),
        extra='<int key="age" value="7"/><boolean key="ok" value="TRUE"/>',
    ),
    "trace attribute after events": trace("c", EVENT.format(a="x", d=1))[:-9]
    + '<float key="cost" value="2.5"/></trace>\n',
    "repeated trace name": trace("a", EVENT.format(a="x", d=1))
    + trace("a", EVENT.format(a="z", d=3)),
    "duplicate event key": trace(
        "d",
        '<event><string key="concept:name" value="x"/><string key="concept:name" value="y"/>'
        '<date key="time:timestamp" value="2024-01-01T09:00:00"/></event>',
    ),
    "start times and groups": trace(
        "e",
        '<event><string key="concept:name" value="x"/><string key="org:role" value="r"/>'
        '<string key="org:group" value="g"/>'
        '<date key="start_timestamp" value="2024-01-01T08:00:00"/>'
        '<date key="time:timestamp" value="2024-01-01T09:00:00"/></event>',
    ),
    "integer case name": trace("f", EVENT.format(a="x", d=1)).replace(
        '<string key="concept:name" value="f"/>', '<int key="concept:name" value="007"/>'
    ),
    "unnamed trace": "<trace>" + EVENT.format(a="x", d=1) + "</trace>\n",
    "event without a name": trace(
        "g", '<event><date key="time:timestamp" value="2024-01-01T09:00:00"/></event>'
    ),
    "event without a time": trace("h", '<event><string key="concept:name" value="x"/></event>'),
    "bad time": trace("i", EVENT.format(a="x", d=1).replace("2024-01-01", "2024-13-01")),
    "mixed zones": trace(
        "j", EVENT.format(a="x", d=1), EVENT.format(a="y", d=2).replace("+00:00", "")
    ),
    "spaces and quotes": trace("k", EVENT.format(a="it's > that", d=1)).replace("/>", " />"),
    "no traces": "",
}
UNUSUAL = {
    "entity": trace("a", EVENT.format(a="x &amp; y", d=1)),
    "character reference": trace("a", EVENT.format(a="x&#10;y", d=1)),
    "tab in a value": trace("a", EVENT.format(a="x\ty", d=1)),
    "line break in a value": trace("a", EVENT.format(a="x\ny", d=1)),
    "comment": trace("a", "<!-- note -->" + EVENT.format(a="x", d=1)),
    "cdata": trace("a", EVENT.format(a="x", d=1) + "<![CDATA[ x ]]>"),
    "nested attribute": trace(
        "a",
        '<event><string key="concept:name" value="x"><string key="n" value="1"/></string>'
        '<date key="time:timestamp" value="2024-01-01T09:00:00"/></event>',
    ),
    "list attribute": trace(
        "a", EVENT.format(a="x", d=1).replace("<event>", '<event><list key="l"></list>')
    ),
    "single quotes": trace("a", EVENT.format(a="x", d=1).replace('"x"', "'x'")),
    "namespaced tags": trace("a", EVENT.format(a="x", d=1)).replace("event>", "xes:event>"),
    "empty event": trace("a", "<event></event>", EVENT.format(a="x", d=1)),
    "empty trace": "<trace></trace>\n" + trace("a", EVENT.format(a="x", d=1)),
    "event outside a trace": EVENT.format(a="x", d=1) + trace("a", EVENT.format(a="x", d=1)),
    "trace in a trace": "<trace>" + trace("a", EVENT.format(a="x", d=1)) + "</trace>",
    "unclosed event": trace("a", EVENT.format(a="x", d=1)[:-8]),
    "text in an event": trace("a", EVENT.format(a="x", d=1).replace("</event>", "hi</event>")),
    "extra attribute": trace("a", EVENT.format(a="x", d=1).replace('value="x"', 'value="x" a="b"')),
    "control character": trace("a", EVENT.format(a="x\x01", d=1)),
    "log attribute after traces": trace("a", EVENT.format(a="x", d=1))
    + '<string key="k" value="v"/>\n',
    "attribute at log level between traces": trace("a", EVENT.format(a="x", d=1))
    + '<string key="k" value="v"/>'
    + trace("b", EVENT.format(a="y", d=2)),
}


@pytest.mark.parametrize("body", list(COMMON.values()), ids=list(COMMON))
def test_scanner_gives_what_expat_gives(tmp_path: Path, body: str) -> None:
    path = write(tmp_path, body)
    assert scanned(path) == bool(body)
    assert_same(by_default(path), by_expat(path))


@pytest.mark.parametrize("body", list(UNUSUAL.values()), ids=list(UNUSUAL))
def test_unusual_files_are_left_to_expat(tmp_path: Path, body: str) -> None:
    path = write(tmp_path, body)
    assert not scanned(path)
    assert_same(by_default(path), by_expat(path))


@pytest.mark.parametrize(
    ("name", "head", "tail"),
    [
        ("truncated", HEAD, ""),
        ("truncated in a trace", HEAD, "<trace>"),
        ("comment after the log", HEAD, "</log><!-- x -->"),
        ("latin-1", HEAD.replace("UTF-8", "ISO-8859-1"), "</log>"),
        ("doctype", HEAD.replace("<log", '<!DOCTYPE log [<!ENTITY e "x">]>\n<log'), "</log>"),
        ("bad header", HEAD.replace("<log", "<log <"), "</log>"),
        ("other root", HEAD.replace("<log", "<xes:log"), "</xes:log>"),
        ("trace in the header", HEAD + '<global><trace key="x"/></global>', "</log>"),
        ("wrong end tag", HEAD, "</logs>"),
    ],
)
def test_odd_headers_and_ends_are_left_to_expat(
    tmp_path: Path, name: str, head: str, tail: str
) -> None:
    path = write(tmp_path, trace("a", EVENT.format(a="x", d=1)), head=head, tail=tail)
    assert not scanned(path), name
    assert_same(by_default(path), by_expat(path))


@pytest.mark.parametrize("cut", [0.3, 0.5, 0.9])
def test_truncated_gzip_gives_expats_error(tmp_path: Path, cut: float) -> None:
    data = gzip.compress((DATA / "running-example.xes").read_bytes())
    path = tmp_path / "cut.xes.gz"
    path.write_bytes(data[: int(len(data) * cut)])
    fast, slow = by_default(path), by_expat(path)
    assert isinstance(slow, str)
    assert fast == slow


def test_invalid_utf8_gives_expats_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.xes"
    path.write_bytes(
        (HEAD + trace("a", EVENT.format(a="x", d=1)) + "</log>").encode().replace(b'"x"', b'"\xff"')
    )
    assert not scanned(path)
    assert_same(by_default(path), by_expat(path))


def test_scanner_across_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks smaller than a trace: the scanner joins them and cuts after whole traces."""
    monkeypatch.setattr(xes, "_BLOCK", 97)
    body = "".join(
        trace(f"c{i}", *(EVENT.format(a=f"s{i % 3}", d=1 + i % 9) for _ in range(i % 4 + 1)))
        for i in range(40)
    )
    path = write(tmp_path, body)
    assert scanned(path)
    assert_same(by_default(path), by_expat(path))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "a b", "é", ""]),
            st.lists(
                st.lists(
                    st.tuples(
                        st.sampled_from(
                            ["concept:name", "org:resource", "org:group", "x", "time:timestamp"]
                        ),
                        st.sampled_from(["v", "w", "2024-01-02T03:04:05", "ü", ""]),
                    ),
                    min_size=1,
                    max_size=4,
                ),
                max_size=3,
            ),
        ),
        min_size=1,
        max_size=5,
    ),
    st.sampled_from(["", "\n", "  ", "\r\n\t"]),
)
def test_scanner_agrees_with_expat_on_generated_logs(
    tmp_path_factory: pytest.TempPathFactory, traces: list[Any], space: str
) -> None:
    body = ""
    for name, events in traces:
        body += f'<trace>{space}<string key="concept:name" value="{name}"/>'
        for attributes in events:
            body += f"{space}<event>"
            body += "".join(f'{space}<string key="{k}" value="{v}"/>' for k, v in attributes)
            body += f"{space}</event>"
        body += f"{space}</trace>{space}"
    path = write(tmp_path_factory.mktemp("gen"), body)
    twice = any(
        [k for k, _ in attributes].count("time:timestamp") > 1
        for _, events in traces
        for attributes in events
    )
    assert scanned(path) != twice  # an event with two times is left to expat
    assert_same(by_default(path), by_expat(path))


def test_without_pyarrow_expat_reads_what_the_scanner_reads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The scanner needs pyarrow; without it every file goes to expat, same result."""
    path = DATA / "helpdesk.xes.gz"
    fast = by_default(path)
    monkeypatch.setattr(xes, "available", lambda module: False)
    assert not scanned(path)
    assert_same(by_default(path), fast)
