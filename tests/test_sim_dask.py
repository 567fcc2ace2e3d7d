"""Replications on a real Dask cluster (``dask.distributed.LocalCluster``, processes).

Any ``concurrent.futures.Executor`` runs replications; a Dask client's executor is the
one for studies that outgrow a machine. Results are identical to running here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pathway import simulate

np = pytest.importorskip("numpy")
distributed = pytest.importorskip("dask.distributed")
PATHWAYS = Path(__file__).resolve().parent.parent / "pathways"


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_replications_on_a_local_dask_cluster_match_local_runs(workers: int) -> None:
    source = PATHWAYS / "recovery-hub-2017.yaml"
    here = simulate(source, cases=500, seed=4, replications=3)
    with (
        distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = simulate(source, cases=500, seed=4, replications=3, executor=client.get_executor())
    assert remote.replications == 3
    for r in range(3):
        for name, values in here.measures(r).items():
            other = remote.measures(r)[name]
            assert np.array_equal(values, other, equal_nan=values.dtype.kind == "f"), name
    assert remote.summary()["end_to_end_days"] == here.summary()["end_to_end_days"]


def test_replications_through_a_process_pool_match_local_runs() -> None:
    from concurrent.futures import ProcessPoolExecutor

    source = PATHWAYS / "recovery-hub-2018.yaml"
    here = simulate(source, cases=300, seed=8, replications=2)
    with ProcessPoolExecutor(max_workers=2) as pool:
        there = simulate(source, cases=300, seed=8, replications=2, executor=pool)
    for r in range(2):
        assert np.array_equal(here.measures(r)["end_minutes"], there.measures(r)["end_minutes"],
                              equal_nan=True)  # fmt: skip
    summary = here.summary()["end_to_end_days"]
    assert summary.mean_ci is not None
    assert summary.mean_ci[0] <= summary.mean <= summary.mean_ci[1]
