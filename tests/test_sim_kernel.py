"""The compiled kernel and the pure-Python reference agree event for event.

The pure path is the kernel's Python source run as written; the fast path is the same
functions compiled by numba. Both write their event logs to CSV here and the files must
be byte-identical, as must every per-case measure.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import pathway
from pathway import simulate
from pathway._sim._fast import fast_available
from pathway._sim._models import tandem_yaml

np = pytest.importorskip("numpy")
pytestmark = pytest.mark.skipif(not fast_available(), reason="numba (the fast extra) missing")
PATHWAYS = Path(__file__).resolve().parent.parent / "pathways"


@pytest.mark.parametrize(
    ("source", "cases"),
    [
        (PATHWAYS / "recovery-hub-2017.yaml", 120),
        (PATHWAYS / "recovery-hub-2018.yaml", 120),
        (PATHWAYS / "review-round.yaml", 60),
        ("tandem", 400),
    ],
)
def test_pure_and_compiled_kernels_agree_event_for_event(
    tmp_path: Path, source: Path | str, cases: int
) -> None:
    model = pathway.load(tandem_yaml() if source == "tandem" else source)
    runs = {}
    for pure in (True, False):
        log = tmp_path / f"{'pure' if pure else 'fast'}.csv"
        runs[pure] = simulate(model, cases=cases, seed=11, events=log, pure=pure)
    pure_log, fast_log = (tmp_path / "pure.csv").read_bytes(), (tmp_path / "fast.csv").read_bytes()
    assert runs[True].events_written > cases
    assert pure_log == fast_log
    assert not runs[True].compiled
    assert runs[False].compiled
    for name, values in runs[True].measures().items():
        other = runs[False].measures()[name]
        assert np.array_equal(values, other, equal_nan=values.dtype.kind == "f"), name


def test_cohort_uniforms_agree_between_numpy_and_numba() -> None:
    from pathway._sim import _cohort

    compiled = _cohort.uniforms(5, 2, 10, 5000, 1, 77)
    original = _cohort.fast_available
    try:
        _cohort.fast_available = lambda: False  # type: ignore[assignment]
        plain = _cohort.uniforms(5, 2, 10, 5000, 1, 77)
    finally:
        _cohort.fast_available = original  # type: ignore[assignment]
    assert np.array_equal(compiled, plain)
