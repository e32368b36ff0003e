"""The pictures: each test reads the numbers back out of the figure and checks them."""

from __future__ import annotations

import itertools
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("matplotlib")
Image = pytest.importorskip("PIL.Image")

from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from glassnet import Adam, Dense, Network, plot  # noqa: E402
from glassnet.datasets import jobs, moons  # noqa: E402
from glassnet.plot.style import covered  # noqa: E402
from glassnet.training import History  # noqa: E402


@pytest.fixture(scope="module")
def moons_net() -> tuple[Network, np.ndarray, np.ndarray]:
    data = moons(120, noise=0.15, seed=1)
    net = Network([Dense(2, 6, "tanh"), Dense(6, 1, "sigmoid")], "binary_crossentropy", seed=0)
    net.fit(data.X, data.y, epochs=60, optimizer=Adam(0.05), validation_split=0.25)
    return net, data.X, data.y


def _by_gid(ax, gid: str):  # type: ignore[no-untyped-def]
    return [a for a in ax.get_children() if a.get_gid() == gid]


def _pixel_centres(image) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The (x, y) centre of every pixel of an imshow image, in the order of its array."""
    x0, x1, y0, y1 = image.get_extent()
    rows, columns = image.get_array().shape
    xs = x0 + (np.arange(columns) + 0.5) * (x1 - x0) / columns
    ys = y0 + (np.arange(rows) + 0.5) * (y1 - y0) / rows
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


# ----- without matplotlib ---------------------------------------------------------------
def test_missing_matplotlib_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    net = Network([Dense(2, 1)], seed=0)
    for draw in (lambda: plot.plot_network(net), lambda: plot.plot_loss({"cost": [1.0, 0.5]})):
        with pytest.raises(ImportError, match=r"pip install 'glassnet\[plot\]'"):
            draw()


# ----- where pictures go ----------------------------------------------------------------
def test_out_path_checks_extension_and_folder(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=r"\.png, \.svg, \.pdf"):
        plot.check_out_path(tmp_path / "loss.jpg")
    with pytest.raises(ValueError, match="does not exist; create it first"):
        plot.check_out_path(tmp_path / "missing" / "loss.png")
    (tmp_path / "dir.png").mkdir()
    with pytest.raises(ValueError, match="is a folder"):
        plot.check_out_path(tmp_path / "dir.png")
    assert plot.check_out_path(tmp_path / "a.GIF", plot.ANIMATION_FORMATS).name == "a.GIF"


# ----- the loss curve -------------------------------------------------------------------
def test_loss_lines_are_the_history(moons_net, tmp_path) -> None:  # type: ignore[no-untyped-def]
    net, _, _ = moons_net
    fig = plot.plot_loss(net, out=tmp_path / "loss.png")
    ax = fig.axes[0]
    (cost,) = _by_gid(ax, "cost")
    (val,) = _by_gid(ax, "val_cost")
    np.testing.assert_array_equal(cost.get_xdata(), net.history.epoch)
    np.testing.assert_array_equal(cost.get_ydata(), net.history["cost"])
    np.testing.assert_array_equal(val.get_ydata(), net.history["val_cost"])
    (best,) = _by_gid(ax, "best")
    assert best.get_ydata()[0] == min(net.history["val_cost"])
    assert ax.get_yscale() == "linear"
    assert "binary_crossentropy" in ax.get_ylabel()
    with Image.open(tmp_path / "loss.png") as png:
        assert png.size == (768, 480)  # 6.4 × 4.0 inches at 120 dpi


def test_loss_log_scale_and_plain_sources() -> None:
    history = History()
    for epoch, cost in enumerate([1.0, 0.1, 0.01], start=1):
        history.record(epoch, {"cost": cost})
    ax = plot.plot_loss(history, log_scale=True).axes[0]
    assert ax.get_yscale() == "log"
    np.testing.assert_array_equal(_by_gid(ax, "cost")[0].get_ydata(), [1.0, 0.1, 0.01])
    ax = plot.plot_loss({"cost": [3.0, 2.0], "epoch": [5, 6]}).axes[0]
    np.testing.assert_array_equal(_by_gid(ax, "cost")[0].get_xdata(), [5, 6])
    assert not _by_gid(ax, "val_cost")


def test_loss_of_untrained_network_says_train_first() -> None:
    with pytest.raises(ValueError, match="no training history"):
        plot.plot_loss(Network([Dense(2, 1)], seed=0))


# ----- the network drawn ----------------------------------------------------------------
@given(
    sizes=st.lists(st.integers(1, 6), min_size=2, max_size=4),
    seed=st.integers(0, 2**16),
)
def test_network_has_one_line_per_weight_coloured_by_sign(sizes: list[int], seed: int) -> None:
    layers = [Dense(a, b, "tanh") for a, b in itertools.pairwise(sizes)]
    net = Network(layers, seed=seed)
    rng = np.random.default_rng(seed)
    for layer in net.layers:
        layer.weights = rng.normal(size=layer.weights.shape)
        layer.weights[0, 0] = 0.0  # a zero weight gets the neutral colour
        layer.bias = rng.normal(size=layer.bias.shape)
    fig = plot.plot_network(net)
    ax = fig.axes[0]
    columns = [_by_gid(ax, f"neurons {c}")[0] for c in range(len(sizes))]
    assert [len(c.get_offsets()) for c in columns] == sizes
    for number, layer in enumerate(net.layers, start=1):
        (lines,) = _by_gid(ax, f"weights {number}")
        assert isinstance(lines, LineCollection)
        segments = lines.get_segments()
        assert len(segments) == layer.weights.size
        colours = [to_hex(c) for c in lines.get_colors()]
        widths = lines.get_linewidths()
        below, above = columns[number - 1].get_offsets(), columns[number].get_offsets()
        for (i, j), w in np.ndenumerate(layer.weights):
            k = i * layer.n_out + j
            expected = plot.POSITIVE if w > 0 else plot.NEGATIVE if w < 0 else plot.ZERO
            assert colours[k] == expected
            np.testing.assert_allclose(segments[k], [below[i], above[j]])
        # a line is wider the larger its weight
        order = np.argsort(np.abs(layer.weights).reshape(-1), kind="stable")
        assert np.all(np.diff(np.asarray(widths)[order]) >= 0)
        faces = columns[number].get_facecolors()
        for j, b in enumerate(layer.bias):
            red, _, blue = faces[j][:3]
            # a positive bias is bluer than red, a negative one redder than blue
            assert blue > red if b > 0 else red > blue
    np.testing.assert_array_equal(columns[0].get_facecolors()[:, :3], 1.0)  # inputs: no bias


def test_network_names_and_values_from_metadata() -> None:
    net = Network([Dense(3, 1, activation="sigmoid", weights=0.5, bias=0.2)], cost="sse")
    data = jobs()
    net.metadata.update(feature_names=data.feature_names, target_name="job", classes=["no", "yes"])
    texts = [t.get_text() for t in plot.plot_network(net).axes[0].texts]
    assert {"math", "english", "physics", "P(job = yes)"} <= set(texts)
    assert texts.count("+0.50") == 3  # each weight written on its line
    assert "+0.20" in texts  # the bias, in its neuron
    softmax = Network([Dense(2, 3, "softmax")], "categorical_crossentropy", seed=0)
    softmax.metadata["classes"] = ["setosa", "versicolor", "virginica"]
    texts = [t.get_text() for t in plot.plot_network(softmax).axes[0].texts]
    assert {"setosa", "versicolor", "virginica", "x1", "x2"} <= set(texts)


@pytest.mark.parametrize("hidden", [100, 500])
def test_network_names_the_inputs_beside_a_wide_hidden_layer(hidden: int) -> None:
    """4→hidden→3: the 4 inputs and 3 classes are named, and no two names overlap."""
    net = Network([Dense(4, hidden, "relu"), Dense(hidden, 3, "softmax")], seed=0)
    features = ["sepal length", "sepal width", "petal length", "petal width"]
    net.metadata.update(feature_names=features, classes=["setosa", "versicolor", "virginica"])
    fig = plot.plot_network(net)
    fig.canvas.draw()
    ax = fig.axes[0]
    for names in (features, ["setosa", "versicolor", "virginica"]):
        # the text's own box (an annotation's extent would include its leader line)
        boxes = [Text.get_window_extent(t) for t in ax.texts if t.get_text() in names]
        assert len(boxes) == len(names)
        for a, b in itertools.combinations(boxes, 2):
            assert not a.overlaps(b)


def test_network_names_a_models_encoded_inputs() -> None:
    """A Model with a Preprocessor: the inputs are named as the network sees them."""
    from glassnet.model import Model
    from glassnet.preprocessing import Preprocessor

    table = {
        "island": ["Biscoe", "Dream", None, "Biscoe", "Torgersen", "Dream"],
        "bill": [39.1, None, 40.3, 36.7, 39.3, 38.9],
    }
    pre = Preprocessor().fit(table)
    net = Network([Dense(len(pre.feature_names_out_), 2, "tanh"), Dense(2, 1, "sigmoid")], seed=0)
    model = Model(net, pre, task="classification", target="sex", classes=["female", "male"])
    texts = {t.get_text() for t in plot.plot_network(model).axes[0].texts}
    assert set(pre.feature_names_out_) <= texts
    assert {"island=Biscoe", "island=(missing)", "bill (missing)", "P(sex = male)"} <= texts


def test_network_names_it_cannot_draw_fall_back_without_warnings() -> None:
    net = Network([Dense(3, 1, activation="sigmoid", weights=0.5, bias=0.2)], cost="sse")
    data = jobs()
    net.metadata["feature_names"] = [data.names_ja[n] for n in data.feature_names]
    fig = plot.plot_network(net)
    texts = {t.get_text() for t in fig.axes[0].texts}
    expected = "数学" if all(covered(c) for c in "数学") else "x1"
    assert expected in texts
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" would fail here
        fig.canvas.draw()


def test_network_weight_scale_is_shared_between_pictures() -> None:
    net = Network([Dense(2, 1, "sigmoid", weights=np.array([[1.0], [-2.0]]), bias=0.0)])
    own = plot.plot_network(net).axes[0].collections[0].get_linewidths()
    shared = plot.plot_network(net, weight_scale=4.0).axes[0].collections[0].get_linewidths()
    assert own[1] > own[0] and shared[1] > shared[0]
    assert shared[1] < own[1]  # -2 is not the largest weight on a scale of 4


# ----- the decision boundary ------------------------------------------------------------
def test_boundary_regions_are_the_network_predictions(moons_net, tmp_path) -> None:  # type: ignore[no-untyped-def]
    net, X, y = moons_net
    fig = plot.plot_boundary(net, X, y, resolution=50, out=tmp_path / "b.png")
    ax = fig.axes[0]
    (image,) = _by_gid(ax, "regions")
    probability = np.asarray(image.get_array())
    assert probability.shape == (50, 50)
    centres = _pixel_centres(image)
    np.testing.assert_array_equal(
        (probability.reshape(-1) >= 0.5).astype(int), net.predict(centres)
    )
    assert _by_gid(ax, "boundary")
    # every point is drawn, in its class's colour
    for c in (0, 1):
        (points,) = _by_gid(ax, f"points {c}")
        np.testing.assert_array_equal(points.get_offsets(), X[y[:, 0] == c])
        assert to_hex(points.get_facecolor()[0]) == plot.CLASS_COLORS[c]
    wrong = net.predict(X) != y[:, 0]
    assert wrong.any()  # so the rings are tested
    (rings,) = _by_gid(ax, "wrong")
    np.testing.assert_array_equal(rings.get_offsets(), X[wrong])
    accuracy = float(np.mean(net.predict(X) == y[:, 0]))
    assert f"{accuracy:.1%}" in ax.get_title()
    x0, x1, y0, y1 = image.get_extent()
    assert x0 < X[:, 0].min() and x1 > X[:, 0].max()
    assert y0 < X[:, 1].min() and y1 > X[:, 1].max()
    with Image.open(tmp_path / "b.png") as png:
        assert png.size == (768, 600)


def test_a_networks_metadata_is_not_preprocessing() -> None:
    """A bare Network sees the grid as it is: a "scaler" in its metadata (where round-1
    files kept one) is the user's data, not a step. Preprocessing comes with a Model
    (test_boundary_of_a_model_in_raw_units_with_labels_3_and_7)."""
    data = moons(100, noise=0.1, seed=2)
    net = Network([Dense(2, 8, "tanh"), Dense(8, 1, "sigmoid")], "binary_crossentropy", seed=0)
    net.fit(data.X, data.y, epochs=40, optimizer=Adam(0.05))
    net.metadata["scaler"] = {"mean": [100.0, -50.0], "scale": [10.0, 0.5]}
    ax = plot.plot_boundary(net, data.X, data.y, resolution=40).axes[0]
    (image,) = _by_gid(ax, "regions")
    expected = net.predict(_pixel_centres(image))
    assert 0 < expected.mean() < 1  # both classes on the grid: a scaled grid would be one
    np.testing.assert_array_equal(np.asarray(image.get_array()).reshape(-1) >= 0.5, expected)


def test_boundary_of_softmax_classifier_shows_class_indices() -> None:
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
    labels = np.repeat(np.arange(3), 30)
    X = centres[labels] + rng.normal(0, 0.5, size=(90, 2))
    net = Network([Dense(2, 3, "softmax")], "categorical_crossentropy", seed=0)
    net.fit(X, np.eye(3)[labels], epochs=100, optimizer=Adam(0.1))
    net.metadata.update(classes=["a", "b", "c"], target_name="blob")
    ax = plot.plot_boundary(net, X, labels, resolution=30).axes[0]
    (image,) = _by_gid(ax, "regions")
    np.testing.assert_array_equal(
        np.asarray(image.get_array()).reshape(-1), net.predict(_pixel_centres(image))
    )
    legend = ax.get_legend()
    assert legend.get_title().get_text() == "blob"
    assert [t.get_text() for t in legend.get_texts()] == ["a", "b", "c"]


def test_boundary_of_a_model_in_raw_units_with_labels_3_and_7() -> None:
    """A Model's own preprocessing turns the grid into inputs; its labels [3, 7] name the
    classes, and y may be given as those labels."""
    from glassnet.model import Model
    from glassnet.preprocessing import Preprocessor

    data = moons(100, noise=0.1, seed=2)
    raw = data.X * [10.0, 0.5] + [100.0, -50.0]  # raw units far from the standardized ones
    pre = Preprocessor().fit(raw)
    net = Network([Dense(2, 8, "tanh"), Dense(8, 1, "sigmoid")], "binary_crossentropy", seed=0)
    net.fit(pre.transform(raw), data.y, epochs=40, optimizer=Adam(0.05))
    model = Model(net, pre, task="classification", target="digit", classes=[3, 7])
    labels = np.where(data.y[:, 0] == 1, 7, 3)
    ax = plot.plot_boundary(model, raw, labels, resolution=40).axes[0]
    (image,) = _by_gid(ax, "regions")
    centres = _pixel_centres(image)
    assert 80 < centres[:, 0].mean() < 120  # the axes are in raw units
    expected = model.predict(centres) == 7
    np.testing.assert_array_equal(np.asarray(image.get_array()).reshape(-1) >= 0.5, expected)
    assert [t.get_text() for t in ax.get_legend().get_texts()][:2] == ["3", "7"]
    (sevens,) = _by_gid(ax, "points 1")
    np.testing.assert_array_equal(sevens.get_offsets(), raw[labels == 7])
    wrong = model.predict(raw) != labels
    assert f"{1 - wrong.mean():.1%}" in ax.get_title()


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_an_estimator_draws_as_its_model() -> None:
    pytest.importorskip("sklearn")
    from glassnet.sklearn import GlassClassifier

    data = moons(60, noise=0.1, seed=3)
    labels = np.where(data.y[:, 0] == 1, 7, 3)
    clf = GlassClassifier(hidden_layer_sizes=(4,), max_iter=20, random_state=0).fit(data.X, labels)
    loss = plot.plot_loss(clf).axes[0]
    np.testing.assert_allclose(_by_gid(loss, "cost")[0].get_ydata(), clf.loss_curve_)
    texts = {t.get_text() for t in plot.plot_network(clf).axes[0].texts}
    assert f"P({clf.to_model().target or 'y'} = 7)" in texts  # the label, not the index 1
    ax = plot.plot_boundary(clf, data.X, labels, resolution=20).axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()][:2] == ["3", "7"]
    (image,) = _by_gid(ax, "regions")
    expected = clf.predict(_pixel_centres(image)) == 7
    np.testing.assert_array_equal(np.asarray(image.get_array()).reshape(-1) >= 0.5, expected)
    with pytest.raises(TypeError, match="cannot draw a str"):
        plot.plot_network("model.safetensors")
    with pytest.raises(ValueError, match="needs a fitted GlassClassifier: call fit first"):
        plot.plot_loss(GlassClassifier())


def test_boundary_needs_a_two_feature_classifier() -> None:
    X = np.zeros((4, 3))
    with pytest.raises(ValueError, match="2 input features; this one has 3"):
        plot.plot_boundary(Network([Dense(3, 1)], seed=0), X, [0, 1, 0, 1])
    with pytest.raises(ValueError, match="needs a classifier"):
        plot.plot_boundary(Network([Dense(2, 1, "identity")], seed=0), X[:, :2])
    with pytest.raises(ValueError, match="network has 2 classes"):
        plot.plot_boundary(Network([Dense(2, 1)], seed=0), X[:, :2], [0, 1, 2, 1])
    with pytest.raises(ValueError, match="not one of the classes"):
        plot.plot_boundary(Network([Dense(2, 1)], seed=0), X[:, :2], ["a", "b", "a", "b"])
    from glassnet.model import Model
    from glassnet.preprocessing import Preprocessor

    pre = Preprocessor().fit({"size": [1.5, 0.5, 2.5], "colour": ["red", "blue", "red"]})
    model = Model(Network([Dense(3, 1)], seed=0), pre, task="classification")
    with pytest.raises(ValueError, match="'colour' holds categories, which no axis can show"):
        plot.plot_boundary(model, [[1.0, 2.0]])


# ----- training as pictures -------------------------------------------------------------
def _fresh() -> Network:
    return Network([Dense(2, 4, "tanh"), Dense(4, 1, "sigmoid")], "binary_crossentropy", seed=3)


@given(epochs=st.integers(1, 60), every=st.integers(1, 70))
def test_snapshot_epochs(epochs: int, every: int) -> None:
    taken = plot.snapshot_epochs(epochs, every)
    assert taken[0] == 0 and taken[-1] == epochs
    assert all(e % every == 0 for e in taken[:-1])
    assert len(taken) == 1 + epochs // every + (epochs % every > 0)


def test_training_gif_has_a_frame_per_snapshot(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = moons(40, seed=0)
    net = _fresh()
    fig = plot.plot_training(
        net, data.X, data.y, epochs=7, every=3, out=tmp_path / "t.gif", optimizer=Adam(0.05)
    )
    with Image.open(tmp_path / "t.gif") as gif:
        assert gif.n_frames == 4  # epochs 0, 3, 6 and the last, 7
    assert fig._suptitle.get_text().startswith("epoch 7: cost ")
    # the network is trained in place, exactly as fit would train it
    twin = _fresh()
    twin.fit(data.X, data.y, epochs=7, optimizer=Adam(0.05))
    for a, b in zip(net.get_weights(), twin.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_training_sheet_titles_each_snapshot(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = moons(40, seed=0)
    net = _fresh()
    cost_before = net.cost(data.X, data.y)
    fig = plot.plot_training(
        net, data.X, data.y, epochs=6, every=2, out=tmp_path / "t.png", optimizer=Adam(0.05)
    )
    titles = [cell._suptitle.get_text() for cell in fig.subfigs]
    assert [t.split(":")[0] for t in titles] == ["epoch 0", "epoch 2", "epoch 4", "epoch 6"]
    assert titles[0] == f"epoch 0: cost {cost_before:.4g}"
    assert titles[-1] == f"epoch 6: cost {net.history['cost'][-1]:.4g}"
    with Image.open(tmp_path / "t.png") as png:
        assert png.size == (int(2.6 * 4 * 120), int(4.0 * 120))


def test_training_refuses_too_many_pictures_before_training(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = moons(20, seed=0)
    net = _fresh()
    before = net.get_weights()
    with pytest.raises(ValueError, match="at most 24"):
        plot.plot_training(net, data.X, data.y, epochs=1000, every=10)
    with pytest.raises(ValueError, match="folder"):
        plot.plot_training(net, data.X, data.y, out=tmp_path / "no" / "t.gif")
    for a, b in zip(net.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", ["t.gif", "t.png", "t.svg"])
def test_a_picture_stopped_half_way_leaves_the_old_file_as_it_was(
    tmp_path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:  # type: ignore[no-untyped-def]
    # Ctrl-C while drawing cut an existing GIF from 4.7 MB to 1.6 MB (or 0 bytes), a PNG
    # from 1.75 MB to 1.1 MB: the pictures were written straight into --out
    from matplotlib.animation import PillowWriter
    from matplotlib.figure import Figure

    data = moons(20, seed=0)
    out = tmp_path / name
    out.write_bytes(b"the old picture")

    def stopped(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        target = args[0]
        if hasattr(target, "write"):
            target.write(b"half a pic")
        else:
            with open(target, "wb") as half:
                half.write(b"half a pic")
        raise KeyboardInterrupt

    monkeypatch.setattr(Figure, "savefig", stopped)
    monkeypatch.setattr(PillowWriter, "finish", lambda self: stopped(self, self.outfile))
    with pytest.raises(KeyboardInterrupt):
        plot.plot_training(_fresh(), data.X, data.y, epochs=2, every=1, out=out)
    assert out.read_bytes() == b"the old picture"
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_a_ctrl_c_during_the_replays_training_stops_before_any_picture(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    # fit keeps what it learnt at a Ctrl-C: the replay then drew and wrote a shorter
    # animation over the old one, and the command exited 0
    import os
    import signal

    from glassnet.callbacks import Callback

    data = moons(20, seed=0)
    out = tmp_path / "t.gif"
    out.write_bytes(b"the old picture")

    class CtrlC(Callback):
        def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
            if epoch == 2:  # the user's Ctrl-C: fit's handler asks the loop to stop
                os.kill(os.getpid(), signal.SIGINT)

    fit = Network.fit
    monkeypatch.setattr(Network, "fit", lambda self, *a, callbacks=(), **k: fit(
        self, *a, callbacks=[*callbacks, CtrlC()], **k))  # fmt: skip
    with pytest.raises(KeyboardInterrupt):
        plot.plot_training(_fresh(), data.X, data.y, epochs=6, every=1, out=out)
    assert out.read_bytes() == b"the old picture"
