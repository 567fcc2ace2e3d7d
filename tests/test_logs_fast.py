"""The fast paths of reading a foreign log give exactly what the plain ones give.

The interpreter places events without sorting where it can (:func:`_event_order`,
:func:`_unique`, the run order of :func:`sorted_log`) and leaves unused text fields
as one shared blank column; these tests hold each shortcut to the plain computation.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathway._journal._eventlog import EventLog, blank_codes, sorted_log
from pathway.io._interpret import _event_order, _unique

small = st.integers(min_value=0, max_value=30)


@given(st.lists(st.tuples(small, st.integers(min_value=0, max_value=6)), max_size=60))
def test_event_order_is_the_lexsort(pairs: list[tuple[int, int]]) -> None:
    order = np.asarray([p[0] for p in pairs], dtype=np.int64)
    sub = np.asarray([p[1] for p in pairs], dtype=np.int64)
    assert np.array_equal(_event_order(order, sub), np.lexsort((sub, order)))


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
