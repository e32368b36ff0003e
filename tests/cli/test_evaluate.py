"""The label-space scores behind ``glassnet evaluate``, and the progress bar on a terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from glassnet.metrics import confusion_matrix, mean_squared_error, precision_recall_f1, r2_score
from tests.cli.conftest import assert_user_error, run_cli

metrics = pytest.importorskip("sklearn.metrics")


@given(
    st.integers(2, 5).flatmap(
        lambda k: st.tuples(
            st.just(k),
            st.lists(st.tuples(st.integers(0, k - 1), st.integers(0, k - 1)), min_size=1,
                     max_size=60),
        )
    )
)  # fmt: skip
def test_classification_scores_match_scikit_learn(case: tuple[int, list[tuple[int, int]]]) -> None:
    k, pairs = case
    true = np.array([t for t, _ in pairs])
    predicted = np.array([p for _, p in pairs])
    matrix = confusion_matrix(true, predicted, k)
    np.testing.assert_array_equal(
        matrix, metrics.confusion_matrix(true, predicted, labels=list(range(k)))
    )
    precision, recall, f1, support = precision_recall_f1(matrix)
    expected = metrics.precision_recall_fscore_support(
        true, predicted, labels=list(range(k)), zero_division=0
    )
    for ours, theirs in zip((precision, recall, f1, support), expected, strict=True):
        np.testing.assert_allclose(ours, theirs, atol=1e-12)


@given(st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3)), min_size=2, max_size=40))
def test_regression_scores_match_scikit_learn(pairs: list[tuple[float, float]]) -> None:
    true = np.array([t for t, _ in pairs])
    predicted = np.array([p for _, p in pairs])
    assert mean_squared_error(true, predicted) == pytest.approx(
        metrics.mean_squared_error(true, predicted), rel=1e-9, abs=1e-9
    )
    if np.ptp(true) > 1e-6:
        assert r2_score(true, predicted) == pytest.approx(
            metrics.r2_score(true, predicted), rel=1e-6, abs=1e-9
        )


def test_r2_of_a_constant_target() -> None:
    assert r2_score(np.ones(3), np.ones(3)) == 1.0
    assert r2_score(np.ones(3), np.zeros(3)) == 0.0


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    """With stderr on a terminal, training shows a tqdm bar with the cost and time left."""
    pytest.importorskip("tqdm")
    data = tmp_path / "d.csv"
    data.write_text("a,b,y\n" + "".join(f"{i % 5},{i % 3},{i % 2}\n" for i in range(50)))
    parent, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "glassnet", "train", str(data), "--target", "y", "--epochs", "40",
         "--validation-split", "0.2"],
        stdout=subprocess.PIPE, stderr=child, text=True,
    )  # fmt: skip
    os.close(child)
    shown = b""
    while True:
        try:
            chunk = os.read(parent, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    process.wait(timeout=60)
    os.close(parent)
    assert process.returncode == 0
    text = shown.decode("utf-8", "replace")
    assert "40/40" in text and "epoch" in text
    assert "cost=" in text and "val_cost=" in text
    assert "<" in text  # tqdm's elapsed<remaining
    assert "epoch 1/40  cost" not in text  # no plain lines on a terminal


@pytest.mark.parametrize("kind", ["regression", "multilabel"])
def test_a_model_of_several_outputs_is_one_line(tmp_path: Path, kind: str) -> None:
    # a multi-output regressor or a multilabel classifier: "operands could not be
    # broadcast together with shapes (25,2) (25,)"
    import glassnet
    from glassnet.sklearn import GlassClassifier, GlassRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    if kind == "regression":
        estimator: Any = GlassRegressor(hidden_layer_sizes=(3,), max_iter=5, random_state=0)
        estimator.fit(X, np.column_stack([X[:, 0], X[:, 1]]))
    else:
        estimator = GlassClassifier(hidden_layer_sizes=(3,), max_iter=5, random_state=0)
        estimator.fit(X, (np.column_stack([X, X[:, :1]]) > 0).astype(int))
    glassnet.save(estimator, tmp_path / "m.safetensors")
    (tmp_path / "q.csv").write_text("x0,x1,prediction\n0.1,0.2,1\n0.3,0.4,0\n")
    result = run_cli("evaluate", str(tmp_path / "m.safetensors"), str(tmp_path / "q.csv"))
    assert_user_error(result, "outputs a row", "evaluate scores one target column")
