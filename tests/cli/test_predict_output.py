"""``glassnet predict`` writing its table: to standard output in slices, and quietly to a
reader that goes away (``| head``) as other Unix tools do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.cli.conftest import run_cli


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A model of a small mixed table, and a 200,000-row table to predict (several
    slices of output, far more than a pipe holds)."""
    folder = tmp_path_factory.mktemp("predict_output")
    rng = np.random.default_rng(0)
    n = 200_000
    x = rng.normal(size=n)
    kind = np.array(["a", "b", "c"])[rng.integers(0, 3, n)]
    label = np.where(x + (kind == "a") > 0.5, "yes", "no")
    data = folder / "big.csv"
    with data.open("w") as handle:
        handle.write("x,kind,label\n")
        handle.writelines(f"{v:.4f},{k},{y}\n" for v, k, y in zip(x, kind, label, strict=True))
    small = folder / "small.csv"
    small.write_text("".join(data.read_text().splitlines(keepends=True)[:301]))
    model = folder / "m.safetensors"
    result = run_cli("train", small, "--target", "label", "--epochs", "2", "--out", model)
    assert result.returncode == 0, result.stderr
    return model, data


def test_a_reader_that_goes_away_ends_predict_quietly(trained: tuple[Path, Path]) -> None:
    model, data = trained
    command = [sys.executable, "-m", "glassnet", "predict", str(model), str(data)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        assert child.stdout is not None and child.stderr is not None
        head = [child.stdout.readline() for _ in range(3)]
        child.stdout.close()  # as `| head -3` does after its lines
        error = child.stderr.read().decode()
        status = child.wait(timeout=120)
    assert head[0].decode().strip() == "x,kind,label,predicted_label,probability_no,probability_yes"
    assert status == 0 and "Broken pipe" not in error and "error" not in error, error


def test_standard_output_in_slices_is_the_whole_table_once(
    trained: tuple[Path, Path], tmp_path: Path
) -> None:
    model, data = trained
    printed = run_cli("predict", model, data)
    assert printed.returncode == 0, printed.stderr
    written = run_cli("predict", model, data, "--out", tmp_path / "p.csv")
    assert written.returncode == 0, written.stderr
    lines = printed.stdout.splitlines()
    assert len(lines) == 200_001 and lines[0].startswith("x,kind,label,predicted_label")
    assert printed.stdout == (tmp_path / "p.csv").read_text()


def test_an_out_name_ending_in_parquet_gets_parquet(
    trained: tuple[Path, Path], tmp_path: Path
) -> None:
    # it was CSV text under a .parquet name
    import polars as pl

    model, data = trained
    small = tmp_path / "small.csv"
    small.write_text("".join(data.read_text().splitlines(keepends=True)[:41]))
    written = run_cli("predict", model, small, "--out", tmp_path / "p.parquet")
    assert written.returncode == 0, written.stderr
    assert (tmp_path / "p.parquet").read_bytes()[:4] == b"PAR1"
    as_csv = run_cli("predict", model, small, "--out", tmp_path / "p.csv")
    assert as_csv.returncode == 0, as_csv.stderr
    parquet, text = pl.read_parquet(tmp_path / "p.parquet"), pl.read_csv(tmp_path / "p.csv")
    assert parquet.columns == text.columns and parquet.height == 40
    np.testing.assert_array_equal(parquet["probability_yes"], text["probability_yes"])
    assert parquet["predicted_label"].to_list() == text["predicted_label"].to_list()


def test_a_target_named_like_a_probability_column_gets_the_prefix(tmp_path: Path) -> None:
    # the prediction column took the target's name, probability_A, which a probability
    # column has too: polars' DuplicateError traceback
    data = tmp_path / "d.csv"
    data.write_text("x,probability_A\n" + "".join(f"{i % 7},{'AB'[i % 2]}\n" for i in range(40)))
    model = tmp_path / "m.safetensors"
    assert run_cli("train", data, "--target", "probability_A", "--epochs", "2",
                   "--out", model).returncode == 0  # fmt: skip
    query = tmp_path / "q.csv"
    query.write_text("x\n1\n2\n")
    result = run_cli("predict", model, query)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "x,predicted_probability_A,probability_A,probability_B"


def test_cells_passed_through_come_back_as_the_file_wrote_them(tmp_path: Path) -> None:
    # an id 000123 came back as 123, a zip 02134 as 2134, NA as an empty cell, 846.50 as
    # 846.5, 129 as 129.0 (a column with a decimal elsewhere) and " rent" as rent
    import csv

    import polars as pl

    rows = [f"{i:06d},{'0213' + str(i % 10)},{i % 5}.50,{'ab'[i % 2]},{i % 3}\n" for i in range(60)]
    data = tmp_path / "d.csv"
    data.write_text("id,zip,amount,home,y\n" + "".join(rows))
    model = tmp_path / "m.safetensors"
    trained = run_cli("train", data, "--target", "y", "--categorical", "zip", "--epochs", "2",
                      "--out", model)  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    query = tmp_path / "q.csv"
    lines = ['id,zip,amount,home,note\n', '000123,02134,846.50," rent",NA\n',
             '000124,NA,129,,"a, b"\n', "000125,02139,,b,\n"]  # fmt: skip
    query.write_text("".join(lines))
    result = run_cli("predict", model, query, "--out", tmp_path / "p.csv")
    assert result.returncode == 0, result.stderr
    with (tmp_path / "p.csv").open(newline="") as handle:
        out = list(csv.reader(handle))
    given = list(csv.reader(lines))
    assert [row[:5] for row in out] == given
    assert out[0][5:] == ["y", "probability_0", "probability_1", "probability_2"]
    parquet = run_cli("predict", model, query, "--out", tmp_path / "p.parquet")
    assert parquet.returncode == 0, parquet.stderr
    table = pl.read_parquet(tmp_path / "p.parquet")
    assert table["id"].to_list() == ["000123", "000124", "000125"]
    assert table["home"].to_list() == [" rent", None, "b"]
    # the answers are the model's for the typed cells, on every route
    expected = run_cli("predict", model, query, "--json")
    assert expected.returncode == 0, expected.stderr
    import json

    answers = [p["prediction"] for p in json.loads(expected.stdout)["predictions"]]
    assert [int(row[5]) for row in out[1:]] == answers


def test_the_table_is_written_back_with_its_own_separator_and_decimal_sign(
    tmp_path: Path,
) -> None:
    # a file of ";" and decimal commas (Excel's export where the comma is the decimal sign)
    # came back comma-separated, its answers with decimal points among its own commas
    rows = "".join(f"{i % 7},{i % 3}5;{'ab'[i % 2]};{i % 2}\n" for i in range(40))
    model, report = _trained(tmp_path, "x;kind;y\n" + rows, "y")
    assert "x       numeric" in report  # 1,5 is a number
    query = tmp_path / "q.csv"
    query.write_text("x;kind\n1,25;a\n;b\n")
    for out in (None, tmp_path / "p.csv"):
        result = run_cli("predict", model, query, *(["--out", out] if out else []))
        assert result.returncode == 0, result.stderr
        text = out.read_text() if out else result.stdout
        header, first, second = text.splitlines()
        assert header == "x;kind;y;probability_0;probability_1"
        assert first.startswith("1,25;a;") and second.startswith(";b;")
        assert first.split(";")[3].startswith("0,")  # a probability, decimal comma
    tabs = tmp_path / "q.tsv"  # a tab-separated file comes back with tabs
    tabs.write_text("x\tkind\n1.5\ta\n")
    result = run_cli("predict", model, tabs)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "x\tkind\ty\tprobability_0\tprobability_1"


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_model_that_stores_only_column_names_reads_the_columns_by_name(
    tmp_path: Path,
) -> None:
    # an estimator fitted on a DataFrame (no preprocessing) keeps its column names; glassnet
    # predict took a CSV's columns by place, so swapped columns answered other numbers
    pd = pytest.importorskip("pandas")
    import glassnet
    from glassnet.sklearn import GlassClassifier

    X = pd.DataFrame({"a": np.linspace(-2, 2, 40), "b": np.tile([0.0, 5.0], 20)})
    clf = GlassClassifier(hidden_layer_sizes=(4,), max_iter=30, random_state=0)
    clf.fit(X, X["a"] > 0)
    model = tmp_path / "m.safetensors"
    glassnet.save(clf, model)
    query = tmp_path / "q.csv"
    X.head(3)[["b", "a"]].assign(note="x").to_csv(query, index=False)
    result = run_cli("predict", model, query, "--json")
    assert result.returncode == 0, result.stderr
    import json

    shown = [p["probabilities"]["True"] for p in json.loads(result.stdout)["predictions"]]
    np.testing.assert_allclose(shown, clf.predict_proba(X.head(3))[:, 1], rtol=1e-12)
    loaded = glassnet.load(model)
    np.testing.assert_allclose(loaded.predict_proba(X.head(3)[["b", "a"]]),
                               clf.predict_proba(X.head(3)), rtol=1e-12)  # fmt: skip
    lacking = tmp_path / "l.csv"
    X.head(3)[["a"]].to_csv(lacking, index=False)
    result = run_cli("predict", model, lacking)
    assert result.returncode == 2 and "reads the column b, which the table lacks" in result.stderr


def test_out_dev_stdout_writes_into_a_pipe(trained: tuple[Path, Path]) -> None:
    # the real path of /dev/stdout on a pipe is "pipe:[…]", which names nothing: refused
    # as "No such file or directory" (train, predict and export alike)
    model, data = trained
    result = run_cli("predict", model, data, "--out", "/dev/stdout")  # stdout is a pipe here
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("x")
    exported = subprocess.run([sys.executable, "-m", "glassnet", "export", str(model),
                               "/dev/stdout"], capture_output=True, check=False)  # fmt: skip
    assert exported.returncode == 0 and exported.stdout[:1] == b"\x08"


def test_a_decimal_comma_target_and_a_typo_among_decimal_commas(tmp_path: Path) -> None:
    # a target 12,69 was "text, not numbers" (--task regression) or 58 classes; a query of
    # three rows with one typo (x,3) blamed the first good cell, '0,255'
    rows = "".join(f"{i % 9};0,{i % 7}5;{i % 9 * 2},{i % 10}9\n" for i in range(60))
    model, report = _trained(tmp_path, "a;b;t\n" + rows, "t")
    assert "(regression)" in report
    query = tmp_path / "q.csv"
    query.write_text("a;b\n1;0,255\n2;0,472\n3;x,3\n")
    result = run_cli("predict", model, query)
    assert result.returncode == 2
    assert "line 4, column 'b': 'x,3' is not a number" in result.stderr


def _trained(folder: Path, table: str, target: str) -> tuple[Path, str]:
    """A model trained (2 epochs) on the CSV text ``table``, and train's report."""
    data = folder / "d.csv"
    data.write_text(table)
    model = folder / "m.safetensors"
    trained = run_cli("train", data, "--target", target, "--epochs", "2", "--out", model)
    assert trained.returncode == 0, trained.stderr
    return model, trained.stdout
