"""``glassnet trace``, ``gradcheck`` and ``explain`` as a user runs them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.cli.conftest import assert_user_error, run_cli

STEP_ONE = {
    "z": [1.2, 0.7, 0.7, 1.2],
    "a": [0.7685247834990175, 0.6681877721681662, 0.6681877721681662, 0.7685247834990175],
    "grad_weights": [-0.11474519658942414, 0.1069676767036849, -0.08235630832608108],
    "grad_bias": [-0.0077775198857392355],
    "weights": [0.5114745196589424, 0.4893032323296315, 0.5082356308326081],
    "bias": [0.20077775198857392],
}


def flat(values: object) -> list[float]:
    return np.asarray(values, dtype=float).ravel().tolist()


# ----- trace ----------------------------------------------------------------------------
def test_trace_json_shows_the_issues_step_one_numbers() -> None:
    result = run_cli("trace", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert [s["step"] for s in document["steps"]] == [1]
    step = document["steps"][0]
    layer = step["layers"][0]
    for key, expected in STEP_ONE.items():
        np.testing.assert_allclose(flat(layer[key]), expected, rtol=0, atol=1e-12)
    a = np.array(STEP_ONE["a"])
    np.testing.assert_allclose(flat(layer["error"]), a - [1, 1, 0, 1], atol=1e-12)
    np.testing.assert_allclose(flat(layer["delta"]), (a - [1, 1, 0, 1]) * a * (1 - a), atol=1e-12)
    assert step["cost"] == pytest.approx(0.5 * np.sum((a - [1, 1, 0, 1]) ** 2), abs=1e-12)


def test_trace_several_steps_match_the_python_api() -> None:
    from glassnet import article
    from glassnet.datasets import jobs
    from glassnet.glassbox import trace

    result = run_cli("trace", "--steps", "5000,2,1", "--json")
    assert result.returncode == 0, result.stderr
    steps = json.loads(result.stdout)["steps"]
    assert [s["step"] for s in steps] == [1, 2, 5000]
    X, y = jobs()
    expected = trace(article.network(), X, y, steps=[5000], optimizer=article.optimizer())
    assert flat(steps[2]["layers"][0]["weights"]) == flat(expected[5000].layers[0].weights)
    np.testing.assert_allclose(
        flat(steps[2]["layers"][0]["weights"]), [3.40603697, -2.6711679, 5.69161398], atol=1e-8
    )


def test_trace_prints_labelled_matrices_with_formulas() -> None:
    out = run_cli("trace").stdout
    for text in (
        "step 1",
        "z = input · W + b",
        "a = sigmoid(z)",
        "error = a − y",
        "∂C/∂W = inputᵀ · delta",
        "update W = 0.1 × ∂C/∂W",
        "[0.51147452]",
        "[0.20077775]",
        "[−0.0077775199]",
    ):
        assert text in out, text


def test_trace_in_the_articles_notation() -> None:
    result = run_cli("trace", "--lang", "ja", "--steps", "1,2")
    assert result.returncode == 0, result.stderr
    for text in (
        "推測結果' = input × weight + bias",
        "推測結果 = sigmoid(推測結果')",
        "error = 推測結果 − 実際の値",
        "der_cost_w",
        "ステップ 2 (エポック 2)",
        "最適化: GradientDescent(learning_rate=0.1)、全 4 サンプルで 1 回 (フルバッチ)",
    ):
        assert text in result.stdout, text


def test_trace_with_adam_labels_the_actual_change() -> None:
    result = run_cli("trace", "--optimizer", "adam", "--learning-rate", "0.01")
    assert result.returncode == 0, result.stderr
    assert "W(before) − W(after)" in result.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--steps", "0"], ["--steps", "'0'"]),
        (["--steps", "1,x"], ["--steps", "'x'"]),
        (["--steps", "99999999"], ["largest"]),
        (["only_one_path.model"], ["MODEL and DATA.csv"]),
        (["--learning-rate", "-1"], ["--learning-rate"]),
    ],
)
def test_trace_refuses_bad_arguments_in_one_line(args: list[str], words: list[str]) -> None:
    assert_user_error(run_cli("trace", *args), *words)


def test_trace_sgd_is_the_optimizer_train_uses() -> None:
    """--optimizer sgd: momentum 0.9 with Nesterov, as glassnet.build makes it for train."""
    import argparse

    from glassnet import article
    from glassnet.build import make_optimizer
    from glassnet.cli.trace import optimizer_from
    from glassnet.datasets import jobs

    chosen = optimizer_from(argparse.Namespace(optimizer="sgd", learning_rate=0.1))
    assert (chosen.momentum, chosen.nesterov) == (0.9, True)
    result = run_cli("trace", "--optimizer", "sgd", "--steps", "3", "--json")
    assert result.returncode == 0, result.stderr
    traced = json.loads(result.stdout)["steps"][0]["layers"][0]
    net = article.network()
    X, y = jobs()
    net.fit(X, y, epochs=3, batch_size=4, optimizer=make_optimizer("sgd", 0.1), shuffle=False)
    np.testing.assert_allclose(flat(traced["weights"]), net.layers[0].weights.ravel(), atol=1e-12)


def test_glassbox_commands_share_one_helper_module() -> None:
    """trace, gradcheck and explain print numbers with one format_number (trace through the
    shared print_trace), load models with
    glassnet.serialization.load, and hold no 'not available' fallback."""
    import inspect

    from glassnet.cli import explain, glassbox_common, gradcheck, trace

    for module in (trace, gradcheck, explain):
        source = inspect.getsource(module)
        assert "not available in this version" not in source
        assert "def format_number" not in source and "def load_model" not in source
    assert gradcheck.format_number is glassbox_common.format_number
    assert explain.format_number is glassbox_common.format_number
    # the trace's text is shared with the playground, so it lives with the other helpers
    assert trace.print_trace is glassbox_common.print_trace


# ----- gradcheck --------------------------------------------------------------------------
def test_gradcheck_passes_on_the_articles_network() -> None:
    result = run_cli("gradcheck", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["passed"] is True
    assert document["max_relative_error"] < 1e-8
    assert document["layers"][0]["max_relative_error"] == document["max_relative_error"]
    human = run_cli("gradcheck")
    assert human.returncode == 0 and "passed" in human.stdout


def test_gradcheck_exits_1_over_the_tolerance() -> None:
    result = run_cli("gradcheck", "--tolerance", "1e-15")
    assert result.returncode == 1
    assert "FAILED" in result.stdout
    as_json = run_cli("gradcheck", "--tolerance", "1e-15", "--json")
    assert as_json.returncode == 1 and json.loads(as_json.stdout)["passed"] is False


def test_gradcheck_refuses_bad_arguments() -> None:
    assert_user_error(run_cli("gradcheck", "--eps", "0"), "--eps")
    # inf ran, every numeric gradient nan, and NumPy's warning as a "note"
    for option in ("--eps", "--tolerance"):
        assert_user_error(run_cli("gradcheck", option, "inf"),
                          f"{option} must be a positive finite number; got inf")  # fmt: skip


# ----- explain ----------------------------------------------------------------------------
def test_explain_1_1_1_shows_the_terms_and_the_verdict() -> None:
    result = run_cli("explain", "1", "1", "1")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for text in (
        "3.406037 · 1",
        "−2.6711679 · 1",
        "5.691614 · 1",
        "−0.065130929",
        "0.99827595",
        "→ finds a job",
    ):
        assert text in out, text


def test_explain_json_and_japanese() -> None:
    result = run_cli("explain", "1", "1", "0", "--json", "--lang", "ja")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    neuron = document["layers"][0]["neurons"][0]
    assert [t["input"] for t in neuron["terms"]] == ["数学", "英語", "物理"]
    assert [t["product"] for t in neuron["terms"]] == pytest.approx(
        [3.4060369676610347, -2.6711678969340755, 0.0], abs=1e-9
    )
    assert neuron["z"] == pytest.approx(sum(t["product"] for t in neuron["terms"]) + neuron["bias"])
    assert document["outputs"] == pytest.approx([0.6614445222142281], abs=1e-9)
    assert document["verdict"] == "仕事が見つかる"
    assert "仕事が見つからない" in run_cli("explain", "0", "0", "0", "--lang", "ja").stdout


def test_explain_top_keeps_the_largest_terms_and_sums_the_rest() -> None:
    out = run_cli("explain", "1", "1", "1", "--top", "2").stdout
    out = out[out.index("layer 1") :]
    assert "physics" in out and "math" in out and "english" not in out
    assert "… 1 more term" in out and "−2.6711679" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["1", "1"], ["3 values", "got 2"]),
        (["1", "x", "1"], ["value 2", "'x'"]),
        (["1", "1", "1", "--top", "0"], ["--top"]),
        (["1", "1", "nan"], ["value 3 is not a finite number"]),
        (["1", "1", "inf"], ["value 3 is not a finite number"]),
        (["1", "--", "1", "-inf"], ["value 3 is not a finite number"]),
        (["1", "1", "1e400"], ["value 3 is not a finite number"]),
    ],
)
def test_explain_refuses_bad_values_in_one_line(args: list[str], words: list[str]) -> None:
    assert_user_error(run_cli("explain", *args), *words)


# ----- with a model file and a CSV ------------------------------------------------------------
def numeric(names: list[str], means: list[float], scales: list[float]) -> Any:
    """A Preprocessor that standardizes numeric columns, as glassnet train fits one."""
    from glassnet.preprocessing import Preprocessor

    columns = [
        {"name": n, "role": "numeric", "median": m, "mean": m, "scale": s,
         "missing_indicator": False}
        for n, m, s in zip(names, means, scales, strict=True)
    ]  # fmt: skip
    return Preprocessor.from_config({"columns": columns, "na_values": []})


@pytest.fixture
def model_and_csv(tmp_path: Path) -> tuple[Path, Path]:
    from glassnet import Dense, Model, Network, save

    net = Network([Dense(2, 3, "tanh"), Dense(3, 1, "sigmoid")], cost="binary_crossentropy", seed=0)
    pre = numeric(["height", "weight"], [10.0, 5.0], [2.0, 4.0])
    model = tmp_path / "pets.safetensors"
    save(Model(net, pre, task="classification", target="kind", classes=["cat", "dog"]), model)
    csv = tmp_path / "pets.csv"
    csv.write_text("weight,kind,height\n5,cat,9\n9,dog,12\n1,cat,10\n13,dog,13\n", encoding="utf-8")
    return model, csv


def test_model_paths_work_end_to_end(model_and_csv: tuple[Path, Path]) -> None:
    from glassnet import load
    from glassnet.glassbox import explain

    model, csv = model_and_csv
    traced = run_cli("trace", str(model), str(csv), "--json")
    assert traced.returncode == 0, traced.stderr
    first = json.loads(traced.stdout)["steps"][0]["layers"][0]
    # the CSV's columns in the model's order, standardized by its preprocessing
    np.testing.assert_allclose(first["inputs"], [[-0.5, 0], [1, 1], [0, -1], [1.5, 2]])
    assert json.loads(traced.stdout)["targets"] == [[0.0], [1.0], [0.0], [1.0]]
    checked = run_cli("gradcheck", str(model), str(csv), "--json")
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["passed"] is True
    explained = run_cli("explain", str(model), "12", "9", "--json")
    assert explained.returncode == 0, explained.stderr
    document = json.loads(explained.stdout)
    assert document["feature_names"] == ["height", "weight"]
    assert document["inputs"] == [1.0, 1.0]
    assert document["raw_inputs"] == {"height": "12", "weight": "9"}
    expected = explain(load(model), {"height": 12.0, "weight": 9.0})
    assert document["verdict"] == expected.verdict == expected.answer in ("cat", "dog")
    assert_user_error(run_cli("explain", str(model), "1"), "2 input values")


def test_hidden_layers_are_labelled_in_the_human_view(model_and_csv: tuple[Path, Path]) -> None:
    model, csv = model_and_csv
    result = run_cli("trace", str(model), str(csv), "--steps", "2")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "step 2" in out and "step 1" not in out
    assert "input = a of layer 1" in out
    assert "delta = (delta_next · W_nextᵀ) ⊙ tanh′(z)" in out
    assert "delta = ∂C/∂z = (a − y) / n" in out  # sigmoid with cross-entropy: fused
    explained = run_cli("explain", str(model), "12", "-9e-1")  # a negative value, exponent too
    assert explained.returncode == 0, explained.stderr
    assert "input: height = 12, weight = -9e-1" in explained.stdout
    assert "encoded by the model's preprocessing: height = 1, weight = −1.475" in explained.stdout
    assert "h1[2]" in explained.stdout


def test_a_regression_model_reports_its_value_in_target_units(tmp_path: Path) -> None:
    from glassnet import Dense, Model, Network, save

    net = Network([Dense(1, 1, "identity", weights=2.0, bias=0.5)], cost="mse")
    pre = numeric(["x"], [0.0], [1.0])
    model = tmp_path / "price.safetensors"
    save(
        Model(net, pre, task="regression", target="price", target_mean=100, target_scale=10), model
    )
    csv = tmp_path / "prices.csv"
    csv.write_text("x,price\n1,125\n0,105\n", encoding="utf-8")
    explained = run_cli("explain", str(model), "3", "--json")
    assert explained.returncode == 0, explained.stderr
    document = json.loads(explained.stdout)
    assert document["outputs"] == [6.5] and document["verdict"] is None
    assert document["answer"] == pytest.approx(165.0)
    assert "→ price = 165" in run_cli("explain", str(model), "3").stdout
    traced = run_cli("trace", str(model), str(csv), "--json")
    assert traced.returncode == 0, traced.stderr
    step = json.loads(traced.stdout)["steps"][0]
    # targets standardized as in training: (125 − 100) / 10, (105 − 100) / 10
    assert json.loads(traced.stdout)["targets"] == [[2.5], [0.5]]
    assert step["cost"] == pytest.approx(((2.5 - 2.5) ** 2 + (0.5 - 0.5) ** 2) / 2)
    bad = tmp_path / "bad.csv"
    bad.write_text("x,price\n1,cheap\n", encoding="utf-8")
    assert_user_error(run_cli("trace", str(model), str(bad)), "text")


def test_categorical_inputs_are_named_as_the_model_encodes_them(tmp_path: Path) -> None:
    # trace, gradcheck and explain go through the Model: the same encoding as predict
    from glassnet import Dense, Model, Network, save
    from glassnet.preprocessing import Preprocessor

    rows = {"island": ["Biscoe", "Dream", "Biscoe", "Torgersen"], "bill": [39.0, 46.0, 50.0, 38.0]}
    pre = Preprocessor().fit(rows)
    net = Network([Dense(len(pre.feature_names_out_), 2, "relu"), Dense(2, 1, "sigmoid")],
                  cost="binary_crossentropy", seed=0)  # fmt: skip
    model = tmp_path / "penguins.safetensors"
    save(Model(net, pre, task="classification", target="sex", classes=[3, 7]), model)
    csv = tmp_path / "penguins.csv"
    csv.write_text("island,bill,sex\nBiscoe,39,3\nDream,46,7\nTorgersen,50,7\n", "utf-8")
    explained = run_cli("explain", str(model), "Dream", "41.5", "--json")
    assert explained.returncode == 0, explained.stderr
    document = json.loads(explained.stdout)
    assert "island=Dream" in document["feature_names"]
    assert document["inputs"][document["feature_names"].index("island=Dream")] == 1.0
    assert document["answer"] in (3, 7) and document["verdict"] in ("3", "7")
    human = run_cli("explain", str(model), "Dream", "41.5").stdout
    assert "island=Dream" in human and "input: island = Dream, bill = 41.5" in human
    traced = run_cli("trace", str(model), str(csv), "--json")
    assert traced.returncode == 0, traced.stderr
    assert json.loads(traced.stdout)["targets"] == [[0.0], [1.0], [1.0]]  # 3 → 0, 7 → 1
    assert run_cli("gradcheck", str(model), str(csv)).returncode == 0
    assert_user_error(
        run_cli("explain", str(model), "Dream", "x"),
        "the values given, column 'bill'",
        "'x' is not a number",
    )
    # a row of a table, as the README says each of them takes (explain took only values)
    from_table = run_cli("explain", str(model), str(csv), "--row", "2", "--json")
    assert from_table.returncode == 0, from_table.stderr
    typed = json.loads(run_cli("explain", str(model), "Dream", "46", "--json").stdout)
    assert json.loads(from_table.stdout)["inputs"] == typed["inputs"]
    assert "input: island = Dream, bill = 46" in run_cli("explain", str(model), str(csv),
                                                          "--row", "2").stdout  # fmt: skip
    assert_user_error(run_cli("explain", str(model), str(csv), "--row", "9"),
                      "3 data rows; --row 9 is past them")  # fmt: skip
    assert_user_error(run_cli("explain", str(model), "Dream", "46", "--row", "1"),
                      "--row picks a row of a table")  # fmt: skip


def test_gradcheck_with_a_vanishing_step_fails_instead_of_crashing() -> None:
    # --eps 1e-320: w ± eps rounds back to w, so the numeric derivative is 0/0 (KeyError before)
    result = run_cli("gradcheck", "--eps", "1e-320")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "FAILED" in result.stdout


def test_values_may_follow_the_options() -> None:
    # `glassnet explain MODEL --top 2 Dream 40 …` was "unrecognized arguments: Dream 40 …"
    first = run_cli("explain", "--top", "1", "1", "1", "1", "--json")
    late = run_cli("explain", "1", "--top", "1", "1", "1", "--json")
    assert first.returncode == late.returncode == 0, late.stderr
    assert json.loads(late.stdout) == json.loads(first.stdout)
    traced = run_cli("trace", "--steps", "1", "--json")
    assert traced.returncode == 0
    # an unknown option is still the one-line usage mistake
    assert_user_error(run_cli("explain", "1", "1", "--bogus", "1"), "unrecognized arguments")
    assert_user_error(run_cli("info", "a", "b"), "unrecognized arguments: b")


def test_a_missing_cell_for_a_model_without_preprocessing_is_named_on_every_route(
    tmp_path: Path,
) -> None:
    # explain --row answered "nan → class 0" where predict refused "row 1, column 1"
    from glassnet import Dense, Network, save

    net = Network([Dense(3, 1, activation="sigmoid")], cost="sse", seed=0)
    X = np.random.default_rng(0).normal(size=(20, 3))
    net.fit(X, (X[:, :1] > 0).astype(float), epochs=2)
    save(net, tmp_path / "raw.safetensors")
    data = tmp_path / "raw.csv"
    data.write_text("x1,x2,x3\n1,1,1\n1,,0\n")
    words = f"{data}, line 3, column 'x2': a missing cell; the model stores no preprocessing"
    for args in (["explain", "--row", "2"], ["predict"]):
        result = run_cli(args[0], tmp_path / "raw.safetensors", data, *args[1:])
        assert_user_error(result, words)
    assert run_cli("explain", tmp_path / "raw.safetensors", data, "--row", "1").returncode == 0


def test_explain_names_the_label_of_a_classifier_without_probabilities(tmp_path: Path) -> None:
    # a classifier whose outputs are not probabilities (identity: an edited model file)
    # answers a label: explain formatted it as a number ("Unknown format code 'g'")
    import glassnet
    from glassnet import Model
    from glassnet.build import build_network

    net = build_network(2, 3, task="classification", hidden=[3], output="identity", seed=0)
    glassnet.save(Model(net, task="classification", classes=["A", "B", "C"]), tmp_path / "m.st")
    data = tmp_path / "d.csv"
    data.write_text("x1,x2\n1,2\n3,4\n")
    result = run_cli("explain", tmp_path / "m.st", data, "--row", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith(("→ y = A", "→ y = B", "→ y = C"))


def test_explain_refuses_a_nan_cell_as_predict_does(tmp_path: Path) -> None:
    # explain --row read the row's cells one value per column, NaN as missing: it filled
    # a cell predict refuses
    import polars as pl

    data = tmp_path / "t.parquet"
    x = [float(i % 5) for i in range(40)]
    pl.DataFrame({"x": x, "k": ["ab"[i % 2] for i in range(40)],
                  "y": ["PQ"[i % 2] for i in range(40)]}).write_parquet(data)  # fmt: skip
    model = tmp_path / "m.safetensors"
    assert run_cli("train", data, "--target", "y", "--epochs", "2", "--out", model).returncode == 0
    bad = tmp_path / "b.parquet"
    pl.DataFrame({"x": [1.0, float("inf")], "k": ["a", "b"]}).write_parquet(bad)
    for command in (("predict", model, bad), ("explain", model, bad, "--row", "2")):
        assert_user_error(run_cli(*command), "data row 2, column 'x': inf (written so")
    # a NaN is a missing cell to both (a CSV's NaN cell is), filled as in training
    nan = tmp_path / "n.parquet"
    pl.DataFrame({"x": [1.0, float("nan")], "k": ["a", "b"]}).write_parquet(nan)
    predicted = run_cli("predict", model, nan)
    assert predicted.returncode == 0 and "1 missing cell filled (x 1)" in predicted.stderr
    explained = run_cli("explain", model, nan, "--row", "2")
    assert explained.returncode == 0, explained.stderr
    lines = explained.stdout.splitlines()
    assert lines[1] == "input: x = (missing), k = b"
    # the one output of a yes/no model is the probability of the second class
    assert re.fullmatch(r"output P\(Q\) = 0\.\d+ → [PQ]", lines[-1]), lines[-1]
    lacking = tmp_path / "l.parquet"
    pl.DataFrame({"x": [1.0]}).write_parquet(lacking)
    for command in (("predict", model, lacking), ("explain", model, lacking)):
        assert_user_error(run_cli(*command), "needs the column k, which the data lacks")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_hidden_layers_trace_runs_forward_to_the_cost_then_back(lang: str) -> None:
    # layer 1's δ, gradient and update were printed before layer 2's feedforward: its
    # "δ of the next layer" came four sections before that δ, the output's δ came last
    import contextlib
    import io

    from glassnet.build import build_network
    from glassnet.cli.glassbox_common import print_trace
    from glassnet.datasets import xor
    from glassnet.glassbox import trace

    data = xor()
    net = build_network(2, 1, task="classification", hidden=(3,), seed=0)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        print_trace(net, trace(net, data.X, data.y, steps=[1]), "t", lang, 8)
    text = out.getvalue()
    z = "推測結果' = input × weight + bias" if lang == "ja" else "z = input · W + b"
    hidden_delta = "δ = (δ次の層" if lang == "ja" else "delta = (delta_next"
    output_delta = text.index("δ = " if lang == "ja" else "delta = ∂C/∂z")
    second_z = text.index(z, text.index(z) + 1)
    assert second_z < output_delta < text.index(hidden_delta)
    word = "層" if lang == "ja" else "layer"
    assert text.index(f"{word} 2 (") < text.index(f"{word} 1 (", second_z)


def test_explain_reads_its_values_as_predict_reads_a_row(tmp_path: Path) -> None:
    # float() read the values: "true" in a column of 0/1 numbers and a typo the model reads
    # as missing were refused, where predict and explain --row answered
    rows = [f"{i % 2},{(i * 7) % 11 / 10},{int((i * 7) % 11 > 5)}" for i in range(300)]
    rows[5] = "1,oops,1"  # one word among numbers: a typo, read as missing
    (tmp_path / "t.csv").write_text("bit,x,y\n" + "\n".join(rows) + "\n")
    model = tmp_path / "m.safetensors"
    trained = run_cli("train", str(tmp_path / "t.csv"), "--target", "y", "--epochs", "3",
                      "--seed", "0", "--out", str(model))  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    (tmp_path / "q.csv").write_text("bit,x\ntrue,oops\n")
    import glassnet

    want = glassnet.load(model).predict_proba(tmp_path / "q.csv")[0, 1]
    explained = run_cli("explain", str(model), "true", "oops", "--json")
    assert explained.returncode == 0, explained.stderr
    assert json.loads(explained.stdout)["outputs"][0] == pytest.approx(want, rel=1e-12)
