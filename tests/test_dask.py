"""A grid search of a glassnet estimator on a local Dask cluster finds what the serial one does."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")

from sklearn.datasets import load_iris  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from glassnet.sklearn import GlassClassifier  # noqa: E402


def _search() -> GridSearchCV:
    pipe = make_pipeline(StandardScaler(), GlassClassifier(max_iter=150, random_state=0))
    grid = {
        "glassclassifier__hidden_layer_sizes": [(2,), (16,)],
        "glassclassifier__alpha": [1e-4, 3.0],
    }
    return GridSearchCV(pipe, grid, cv=3, n_jobs=-1)


@pytest.mark.slow
def test_grid_search_on_a_local_dask_cluster() -> None:
    X, y = load_iris(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        serial = _search().set_params(n_jobs=1).fit(X, y)
        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            workers = list(client.scheduler_info()["workers"])
            assert len(workers) == 2
            with joblib.parallel_backend("dask"), distributed.get_task_stream(client) as tasks:
                on_dask = _search().fit(X, y)
    # the 4 × 3 fits ran as tasks in the workers' processes, not in this one
    assert len(tasks.data) >= 12
    assert {task["worker"] for task in tasks.data} <= set(workers)
    assert on_dask.best_params_ == serial.best_params_
    np.testing.assert_allclose(
        on_dask.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )
    assert cluster.status.name == "closed"
