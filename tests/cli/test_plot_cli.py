"""``glassnet plot`` as a user runs it: a saved model and a CSV in, a picture out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")
Image = pytest.importorskip("PIL.Image")

from glassnet import Adam, Dense, Network, article, plot  # noqa: E402
from glassnet.datasets import moons  # noqa: E402
from glassnet.model import Model  # noqa: E402
from glassnet.preprocessing import Preprocessor  # noqa: E402
from glassnet.serialization import load, save  # noqa: E402


def glassnet(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "glassnet", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A two-feature cat/dog model trained on standardized data, its raw CSV, and more."""
    folder = tmp_path_factory.mktemp("plot")
    data = moons(80, noise=0.15, seed=4)
    raw = data.X * np.array([3.0, 20.0]) + np.array([30.0, 200.0])  # centimetres, grams
    pre = Preprocessor().fit({"length": raw[:, 0], "weight": raw[:, 1]})
    net = Network([Dense(2, 6, "tanh"), Dense(6, 1, "sigmoid")], "binary_crossentropy", seed=5)
    net.fit(pre.transform(raw), data.y, epochs=30, optimizer=Adam(0.05), validation_split=0.2)
    net.metadata["seed"] = 5
    model = Model(net, pre, task="classification", target="animal", classes=["cat", "dog"])
    save(model, folder / "pets.safetensors")
    labels = np.where(data.y[:, 0] == 1, "dog", "cat")
    lines = ["animal,weight,length"]  # target first, features out of order
    lines += [f"{a},{w!r},{length!r}" for a, (length, w) in zip(labels, raw.tolist(), strict=True)]
    (folder / "pets.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "no_length.csv").write_text("animal,weight\ncat,1.0\n", encoding="utf-8")
    save(article.network(), folder / "article.safetensors")
    return {
        "model": folder / "pets.safetensors",
        "csv": folder / "pets.csv",
        "no_length": folder / "no_length.csv",
        "article": folder / "article.safetensors",
        "folder": folder,
    }


def test_network_picture_matches_the_library(files: dict[str, Path]) -> None:
    out = files["folder"] / "network.png"
    result = glassnet("plot", files["model"], "--kind", "network", "--out", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"wrote {out}: 2 layers, 25 weights and biases")
    expected = files["folder"] / "expected_network.png"
    plot.plot_network(load(files["model"]), out=expected)
    with Image.open(out) as got, Image.open(expected) as want:
        assert got.size == want.size
        assert np.array_equal(np.asarray(got), np.asarray(want))


def test_network_picture_names_the_encoded_inputs(files: dict[str, Path]) -> None:
    """A model trained on a text column: the picture names its one-hot inputs."""
    rows = ["island,bill,sex"] + [
        f"{island},{40 + i % 7},{'male' if i % 3 else 'female'}"
        for i, island in enumerate(["Biscoe", "Dream", "Torgersen", ""] * 10)
    ]
    (files["folder"] / "penguins.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    model, out = files["folder"] / "penguins.safetensors", files["folder"] / "penguins.png"
    trained = glassnet("train", files["folder"] / "penguins.csv", "--target", "sex",
                       "--hidden", "3", "--epochs", "2", "--out", model)  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    result = glassnet("plot", model, "--kind", "network", "--out", out)
    assert result.returncode == 0, result.stderr
    loaded = load(model)
    assert {"island=Biscoe", "island=(missing)"} <= set(loaded.feature_names_out_)
    texts = {
        t.get_text() for t in plot.plot_network(loaded, out=out.with_suffix(".svg")).axes[0].texts
    }
    assert set(loaded.feature_names_out_) <= texts
    expected = files["folder"] / "penguins_expected.png"
    plot.plot_network(loaded, out=expected)
    with Image.open(out) as got, Image.open(expected) as want:
        assert np.array_equal(np.asarray(got), np.asarray(want))


def test_loss_json_reports_the_epochs(files: dict[str, Path]) -> None:
    out = files["folder"] / "loss.svg"
    result = glassnet("plot", files["model"], "--kind", "loss", "--log", "--json", "--out", out)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"kind": "loss", "out": str(out), "epochs": 30}
    assert out.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_boundary_over_the_raw_csv(files: dict[str, Path]) -> None:
    out = files["folder"] / "boundary.png"
    result = glassnet(
        "plot",
        files["model"],
        "--kind",
        "boundary",
        "--data",
        files["csv"],
        "--out",
        out,
        "--json",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["points"] == 80
    # the same picture as the library draws from the raw columns in the model's order
    data = moons(80, noise=0.15, seed=4)
    raw = data.X * np.array([3.0, 20.0]) + np.array([30.0, 200.0])
    expected = files["folder"] / "expected.png"
    plot.plot_boundary(load(files["model"]), raw, data.y, out=expected)
    with Image.open(out) as got, Image.open(expected) as want:
        assert got.size == want.size == (768, 600)
        assert np.array_equal(np.asarray(got), np.asarray(want))


def test_training_gif_and_sheet(files: dict[str, Path]) -> None:
    gif = files["folder"] / "training.gif"
    result = glassnet(
        "plot",
        files["model"],
        "--kind",
        "training",
        "--data",
        files["csv"],
        "--epochs",
        "6",
        "--every",
        "3",
        "--out",
        gif,
        "--json",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "kind": "training",
        "out": str(gif),
        "epochs": 6,
        "every": 3,
        "pictures": 3,
        "differs": [],
    }
    with Image.open(gif) as frames:
        assert frames.n_frames == 3
    sheet = files["folder"] / "training.png"
    result = glassnet(
        "plot",
        files["model"],
        "--kind",
        "training",
        "--data",
        files["csv"],
        "--every",
        "12",
        "--out",
        sheet,
    )
    assert result.returncode == 0, result.stderr
    # without --epochs: as many epochs as the model was trained (30) → epochs 0, 12, 24, 30
    assert "4 pictures of 30 epochs of training, one every 12" in result.stdout
    with Image.open(sheet) as png:
        assert png.size == (int(2.6 * 4 * 120), int(4.0 * 120))


@pytest.mark.parametrize(("epochs", "every"), [(1, 1), (20, 1), (21, 2), (200, 10), (5000, 250)])
def test_default_every_takes_about_twenty_pictures(epochs: int, every: int) -> None:
    from glassnet.cli.plot import default_every

    assert default_every(epochs) == every
    assert len(plot.snapshot_epochs(epochs, every)) <= 22


def test_training_pictures_replay_glassnet_train(files: dict[str, Path]) -> None:
    from glassnet.cli.plot import read_points, retraining

    model = files["folder"] / "trained.safetensors"
    result = glassnet(
        "train",
        files["csv"],
        "--target",
        "animal",
        "--hidden",
        "4",
        "--activation",
        "tanh",
        "--epochs",
        "8",
        "--seed",
        "3",
        "--validation-split",
        "0.25",
        "--learning-rate",
        "0.05",
        "--batch-size",
        "20",
        "--out",
        model,
        "--json",
    )
    assert result.returncode == 0, result.stderr
    trained = load(model)
    X, labels = read_points(trained, str(files["csv"]), need_target=True)
    fresh, X_train, labels_train, options = retraining(trained, X, labels)
    assert X_train.shape == (60, 2)  # the 20 validation rows stay out, as in training
    # the stored scaling was learnt from the 60 training rows alone, not the validation rows
    columns = trained.preprocessor.get_config()["columns"]
    mean, scale = ([c[key] for c in columns] for key in ("mean", "scale"))
    np.testing.assert_allclose(mean, X_train.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(scale, X_train.std(axis=0), rtol=1e-12)
    assert not np.allclose(mean, X.mean(axis=0), rtol=1e-6)
    plot.plot_training(fresh, X_train, labels_train, epochs=8, every=4, **options)
    # the pictures show the very training that made the saved model: same weights at the end
    for replayed, saved in zip(
        fresh.network.get_weights(), trained.network.get_weights(), strict=True
    ):
        np.testing.assert_array_equal(replayed, saved)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "network", "--out", "{folder}/n.jpg"], "end the file name with .png"),
        (["--kind", "network", "--out", "{folder}/missing/n.png"], "does not exist"),
        (["--kind", "network", "--out", "{folder}/n.gif"], "only --kind training makes a .gif"),
        (["--kind", "boundary", "--out", "{folder}/b.png"], "needs the points: add --data"),
        (["--kind", "network", "--data", "{csv}", "--out", "{folder}/n.png"], "leave out --data"),
        (["--kind", "loss", "--every", "3", "--out", "{folder}/l.png"], "--kind training only"),
        (
            ["--kind", "training", "--data", "{csv}", "--every", "0", "--out", "{folder}/t.gif"],
            "--every must be a positive",
        ),
        # 10**20 epochs: numpy's OverflowError traceback; 10**12: a MemoryError one
        (
            [
                "--kind",
                "training",
                "--data",
                "{csv}",
                "--epochs",
                "99999999999999999999",
                "--out",
                "{folder}/t.gif",
            ],
            "--epochs takes at most 1,000,000 epochs",
        ),
        (
            [
                "--kind",
                "training",
                "--data",
                "{csv}",
                "--epochs",
                "5000",
                "--every",
                "1",
                "--out",
                "{folder}/t.png",
            ],
            "at most 24",
        ),
        (
            ["--kind", "boundary", "--data", "{no_length}", "--out", "{folder}/b.png"],
            "needs the columns length",
        ),
    ],
)
def test_bad_requests_fail_in_one_line(
    files: dict[str, Path], args: list[str], message: str
) -> None:
    args = [a.format(**{k: str(v) for k, v in files.items()}) for a in args]
    result = glassnet("plot", files["model"], *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not Path(args[args.index("--out") + 1]).exists()


def test_out_may_not_be_the_model_or_the_data(files: dict[str, Path]) -> None:
    # before: --out a link to the model wrote the picture over the model file, at exit 0
    link = files["folder"] / "link.png"
    link.symlink_to(files["model"])
    before = files["model"].read_bytes()
    result = glassnet("plot", files["model"], "--kind", "network", "--out", link)
    assert result.returncode == 2 and "is the file this command reads" in result.stderr
    assert files["model"].read_bytes() == before
    link.unlink()


def test_model_problems_fail_in_one_line(files: dict[str, Path]) -> None:
    out = files["folder"] / "x.png"
    cases = [
        (files["folder"] / "nothing.safetensors", ["--kind", "network"], "no such model file"),
        (files["article"], ["--kind", "boundary", "--data", files["csv"]], "2 input features"),
        (files["article"], ["--kind", "loss"], "no training history"),
    ]
    for model, args, message in cases:
        result = glassnet("plot", model, *args, "--out", out)
        assert result.returncode == 2, result.stderr
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert not out.exists()


def test_training_replay_says_when_it_may_differ(files: dict[str, Path]) -> None:
    """Early stopping's restored weights: the output says so. (Without --seed, train draws
    one and stores it, so the replay still starts from the saved model's first weights.)"""
    model = files["folder"] / "unseeded.safetensors"
    result = glassnet(
        "train", files["csv"], "--target", "animal", "--hidden", "3", "--epochs", "30",
        "--early-stopping", "--out", model,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = files["folder"] / "replay.gif"
    result = glassnet(
        "plot", model, "--kind", "training", "--data", files["csv"], "--epochs", "2",
        "--out", out, "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    differs = json.loads(result.stdout)["differs"]
    assert len(differs) == 1 and "early stopping" in differs[0]
    result = glassnet(
        "plot", model, "--kind", "training", "--data", files["csv"], "--epochs", "2",
        "--out", out,
    )  # fmt: skip
    assert "the replay may differ from the saved model" in result.stdout
    help_text = glassnet("plot", "--help").stdout
    assert "otherwise the replay may differ" in " ".join(help_text.split())
