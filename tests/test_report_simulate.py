"""``pathway report --simulate`` with ``--horizon``, ``--warmup`` and ``--replications``.

The report measures the same cases ``simulate`` would (arrivals from the seed's stream
of each replication), leaves the warm-up's cases out, and across replications gives
each key measure's mean with a 95% t-interval over the runs' own means.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import pathway

pytest.importorskip("numpy")
from pathway._report._simulated import replicated_report, simulated_report
from pathway._sim._cohort import adjust_weights, arrival_times
from pathway._sim._plan import build_plan
from pathway.cli._parser import build_parser

ROOT = Path(__file__).resolve().parents[1]
HUB = ROOT / "pathways" / "recovery-hub-2018.yaml"
WEEK = 7 * 1440.0
SCRIPT = shutil.which("pathway", path=str(Path(sys.executable).parent)) or shutil.which("pathway")


@pytest.fixture(scope="module")
def hub() -> pathway.Pathway:
    return pathway.load(HUB)


def arrivals(
    model: pathway.Pathway, seed: int, replication: int, cases: int | None, horizon: float
):
    plan = build_plan(model)
    adjust_weights(plan)
    return arrival_times(plan, seed, replication, cases, horizon)


def test_a_horizon_alone_measures_every_arrival_up_to_it(hub: pathway.Pathway) -> None:
    report = simulated_report(hub, None, 4, horizon=6 * WEEK)
    expected = len(arrivals(hub, 4, 0, None, 6 * WEEK))
    assert report.log_info["cases"] == expected
    assert report.log_info["in_flight"] > 0  # the clock stopped with cases open
    assert any("over 42d" in note for note in report.notes)


def test_n_and_a_horizon_take_whichever_comes_first(hub: pathway.Pathway) -> None:
    few = simulated_report(hub, 20, 4, horizon=52 * WEEK)
    short = simulated_report(hub, 5000, 4, horizon=2 * WEEK)
    assert few.log_info["cases"] == 20
    assert short.log_info["cases"] == len(arrivals(hub, 4, 0, None, 2 * WEEK)) < 5000


def test_warm_up_cases_run_but_are_not_measured(hub: pathway.Pathway) -> None:
    times = arrivals(hub, 9, 0, 200, math.inf)
    warmup = float(times[60]) - 1e-6  # the first 60 arrivals fall in the warm-up
    assert int((times < warmup).sum()) == 60
    whole = simulated_report(hub, 200, 9)
    after = simulated_report(hub, 200, 9, warmup=warmup)
    assert after.log_info["cases"] == 140
    assert any("60 cases that arrived during the warm-up" in note for note in after.notes)
    # the measured cases are the same people as in the whole run: their ids are the last 140
    assert list(after.cases.case_ids) == list(whole.cases.case_ids)[60:]


def test_a_warm_up_longer_than_every_arrival_is_refused(hub: pathway.Pathway) -> None:
    with pytest.raises(pathway.SimulationError, match="arrived during the warm-up"):
        simulated_report(hub, 5, 1, warmup=52 * WEEK)


def test_one_replication_is_the_plain_report(hub: pathway.Pathway) -> None:
    one = replicated_report(hub, 80, 3, 1)
    assert one.replicated is None
    assert one.to_dict() == simulated_report(hub, 80, 3).to_dict()
    assert one.to_dict()["replications"] is None


def test_replications_give_means_and_intervals_over_the_runs(hub: pathway.Pathway) -> None:
    runs = [simulated_report(hub, 60, 5, replication=r) for r in range(4)]
    combined = replicated_report(hub, 60, 5, 4)
    assert combined.to_dict()["measures"] == runs[0].to_dict()["measures"]  # body: run 1
    found = combined.to_dict()["replications"]
    assert (found["count"], found["seed"]) == (4, 5)
    end = found["measures"]["end_to_end"]
    means = [run.measures["end_to_end"][0].mean for run in runs]
    assert end["mean"] == pytest.approx(sum(means) / 4)
    low, high = end["interval"]
    assert low < end["mean"] < high
    # the t-interval's half width: t(3) = 3.182 times the standard error of the means
    sd = math.sqrt(sum((m - end["mean"]) ** 2 for m in means) / 3)
    assert high - end["mean"] == pytest.approx(3.182 * sd / 2, rel=1e-3)
    assert len({run.measures["end_to_end"][0].mean for run in runs}) == 4  # independent


def test_replications_are_deterministic_per_seed(hub: pathway.Pathway) -> None:
    first = replicated_report(hub, 40, 11, 2).to_dict()["replications"]
    again = replicated_report(hub, 40, 11, 2).to_dict()["replications"]
    other = replicated_report(hub, 40, 12, 2).to_dict()["replications"]
    assert first == again != other


def test_the_replications_section_is_in_every_format(hub: pathway.Pathway) -> None:
    report = replicated_report(hub, 40, 2, 3)
    assert "Across 3 replications" in report.to_text()
    assert "Across 3 replications" in report.to_markdown()
    assert "Across 3 replications" in report.to_html()


def test_diff_takes_r_for_replications() -> None:
    parser = build_parser("0")
    assert parser.parse_args(["diff", "a.yaml", "b.yaml", "-r", "3"]).replications == 3
    report = parser.parse_args(["report", "a.yaml", "--simulate", "-r", "2", "--horizon", "1w"])
    assert (report.simulate, report.replications, report.horizon) == (math.inf, 2, "1w")


@pytest.mark.skipif(SCRIPT is None, reason="the 'pathway' console script is not installed")
def test_the_command_reports_replications_as_json(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(SCRIPT), "report", str(HUB), "--simulate", "--horizon", "4w", "--warmup", "1w",
         "-r", "2", "--format", "json", "-q"],
        capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["replications"]["count"] == 2
    assert any("warm-up" in note for note in document["reading"]["notes"])
