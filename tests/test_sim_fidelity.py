"""The calibrated 2017 pathway reproduces the Check figures it was calibrated on."""

from __future__ import annotations

from pathlib import Path

import pytest

from pathway._sim._fast import fast_available

pytest.importorskip("numpy")
PATHWAYS = Path(__file__).resolve().parent.parent / "pathways"


@pytest.mark.skipif(not fast_available(), reason="100 000 cases need the compiled kernel")
def test_2017_reproduces_the_check_figures() -> None:
    from pathway._sim._fidelity import fidelity

    rows = fidelity(PATHWAYS / "recovery-hub-2017.yaml", PATHWAYS / "recovery-hub-2018.yaml")
    found = {(row.pathway[:4], row.measure): row.predicted for row in rows}
    assert 3.0 <= found[("2017", "visits, prescription cases (mean)")] <= 4.0
    assert found[("2017", "contact to assessment, mean (days)")] == pytest.approx(11, rel=0.1)
    assert found[("2017", "contact to assessment, UCL (days)")] == pytest.approx(26, rel=0.1)
    assert found[("2017", "to a prescription, mean (days)")] == pytest.approx(18, rel=0.2)
    assert found[("2017", "booked visits not attended (DNA)")] == pytest.approx(0.32, abs=0.02)
    assert found[("2017", "failure demand share of contacts")] == pytest.approx(0.19, abs=0.02)
    assert found[("2017", "failure demand that is chasing")] > 0.5  # "mostly progress chasing"
    requested = found[("2017", "appointments requested by the service")]
    assert requested == pytest.approx(0.91, abs=0.02)
    # 2018 is a prediction, not calibrated: only check it is the better flow.
    assert found[("2018", "to a prescription, median (days)")] < 4
