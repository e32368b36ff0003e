"""On a local Dask cluster: a grid search of a glassnet estimator finds what the serial one
does, and a saved model scores a Parquet dataset partition by partition."""

from __future__ import annotations

import warnings
from typing import Any

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


def _score(part: Any, path: str) -> Any:
    """The saved model's answers for one partition (a pandas DataFrame), by row."""
    import pandas as pd

    import glassnet

    return pd.Series(glassnet.load(path).predict(part), index=part.index, name="species")


@pytest.mark.filterwarnings("ignore:The inplace keyword")  # dask's parquet reader, not ours
def test_a_saved_model_scores_a_parquet_dataset_partition_by_partition(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    import glassnet

    rng = np.random.default_rng(0)
    n = 400
    frame = pd.DataFrame(
        {
            "length": rng.normal(45.0, 5.0, n),
            "island": rng.choice(["Biscoe", "Dream", "Torgersen", None], n),
            "sex": rng.choice(["male", "female"], n),
        }
    )
    frame.loc[::11, "length"] = np.nan
    species = np.where(frame["island"] == "Dream", "Chinstrap", "Adelie")
    species = np.where(frame["length"].fillna(45.0) > 48.0, "Gentoo", species)
    clf = GlassClassifier(
        categorical_features="from_dtype", solver="lbfgs", max_iter=200, random_state=0
    ).fit(frame, species)
    model_path = str(tmp_path / "penguins.safetensors")
    glassnet.save(clf, model_path)
    dd.from_pandas(frame, npartitions=4).to_parquet(tmp_path / "rows")

    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        rows = dd.read_parquet(tmp_path / "rows")
        assert rows.npartitions == 4
        answers = rows.map_partitions(_score, model_path, meta=("species", "object")).compute()
    # the same answers as the estimator and the loaded model give on the whole table
    assert answers.index.tolist() == frame.index.tolist()
    assert answers.tolist() == clf.predict(frame).tolist()
    assert answers.tolist() == glassnet.load(model_path).predict(frame).tolist()
