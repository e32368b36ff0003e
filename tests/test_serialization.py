"""``glassnet.save`` / ``glassnet.load``: safetensors model files, checked and atomic.

A model file holds every setting (through ``get_config``), the weights, the optimizer's
state, the seed stream, the history and the Model around the network; ``load`` refuses
anything malformed in one line after reading only the header.
"""

from __future__ import annotations

import errno
import json
import math
import os
import re
import struct
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from safetensors import safe_open
from safetensors.numpy import save_file

import glassnet
from glassnet import Dense, Network, serialization
from glassnet.activations import Activation, LeakyReLU, ReLU
from glassnet.model import Model
from glassnet.optimizers import SGD, Adam, GradientDescent
from glassnet.preprocessing import Preprocessor
from glassnet.schedules import ExponentialDecay, ReduceOnPlateau, StepDecay
from tests.robustness.harness import alarm

NOT_A_MODEL = " is not a glassnet model file: "


def trained(dtype: str = "float64", optimizer: Any = "adam") -> Network:
    net = Network(
        [
            Dense(3, 4, "tanh", dropout=0.25, l2=0.01),
            Dense(4, 2, LeakyReLU(0.2)),
            Dense(2, 3, "softmax"),
        ],
        cost="categorical_crossentropy",
        seed=0,
        dtype=dtype,
    )
    X, y = _data()
    net.metadata = {"note": "数学"}
    net.fit(X, y, epochs=4, batch_size=8, validation_split=0.2, optimizer=optimizer)
    return net


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    return X, np.eye(3)[rng.integers(0, 3, 30)]


def _tensors(net: Network) -> dict[str, np.ndarray]:
    return {f"layer{i}.{p}": np.array(getattr(layer, p)) for i, layer in enumerate(net.layers)
            for p in ("weights", "bias")}  # fmt: skip


def test_round_trip_is_exact(tmp_path: Path) -> None:
    net = trained()
    path = tmp_path / "m.safetensors"
    glassnet.save(net, path)
    again = glassnet.load(path)
    assert isinstance(again, Network)
    assert again.get_config() == net.get_config()
    for a, b in zip(net.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert again.metadata == net.metadata
    assert net.history is not None and again.history is not None
    assert again.history.epoch == net.history.epoch == [1, 2, 3, 4]
    assert again.history.history == net.history.history
    X = np.random.default_rng(1).normal(size=(5, 3))
    np.testing.assert_array_equal(again.feedforward(X), net.feedforward(X))


@pytest.mark.parametrize(
    "optimizer",
    [
        GradientDescent(0.05),
        SGD(0.02, momentum=0.8, nesterov=True),
        Adam(0.003, beta_1=0.8, beta_2=0.99, epsilon=1e-7),
    ],
    ids=["gd", "sgd", "adam"],
)
def test_load_then_fit_continues_bit_for_bit(tmp_path: Path, optimizer: Any) -> None:
    # dropout and shuffling draw from the seed stream, Adam and momentum carry state: all
    # must come back for the next epochs to be the in-memory network's
    net = trained(optimizer=optimizer)
    glassnet.save(net, tmp_path / "m.safetensors")
    again = glassnet.load(tmp_path / "m.safetensors")
    assert isinstance(again, Network) and again.optimizer is not None
    assert again.optimizer.get_config() == net.optimizer.get_config()  # type: ignore[union-attr]
    X, y = _data()
    net.fit(X, y, epochs=3, batch_size=7)
    again.fit(X, y, epochs=3, batch_size=7)
    for a, b in zip(net.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert again.history.history == net.history.history  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "schedule",
    [
        lambda: StepDecay(step_size=2, gamma=0.5),
        lambda: ExponentialDecay(gamma=0.9),
        lambda: ReduceOnPlateau(monitor="cost", patience=1, factor=0.5, min_delta=1e9),
    ],
    ids=["step", "exponential", "plateau"],
)
def test_the_schedule_survives_a_save(tmp_path: Path, schedule: Any) -> None:
    # the learning rate a schedule sets depends on what it has seen (its first epoch, a
    # plateau's best and wait): without its state a loaded network decays from the start
    X, y = _data()
    net = Network([Dense(3, 4, "tanh"), Dense(4, 3, "softmax")],
                  cost="categorical_crossentropy", seed=0)  # fmt: skip
    net.fit(X, y, epochs=3, batch_size=10, optimizer=SGD(0.1), callbacks=[schedule()])
    glassnet.save(net, tmp_path / "m.safetensors")
    again = glassnet.load(tmp_path / "m.safetensors")
    assert isinstance(again, Network) and again.schedule is not None
    assert again.schedule.get_state() == net.schedule.get_state()  # type: ignore[union-attr]
    net.fit(X, y, epochs=4, batch_size=10, callbacks=[net.schedule])  # type: ignore[list-item]
    again.fit(X, y, epochs=4, batch_size=10, callbacks=[again.schedule])
    assert again.history["learning_rate"] == net.history["learning_rate"]  # type: ignore[index]
    for a, b in zip(net.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_every_setting_round_trips(tmp_path: Path) -> None:
    # LeakyReLU(0.2) came back as the default 0.01 in round 1 (the ONNX export kept 0.2)
    from glassnet.activations import ACTIVATIONS
    from glassnet.costs import COSTS

    for name in ACTIVATIONS:
        if name == "softmax":
            continue
        activation = LeakyReLU(0.3) if name == "leaky_relu" else name
        for cost in COSTS:
            net = Network([Dense(2, 3, activation, weights="he", bias=0.1, dropout=0.5, l2=0.2),
                           Dense(3, 1, "sigmoid")], cost=cost, seed=1)  # fmt: skip
            glassnet.save(net, tmp_path / "m.safetensors")
            again = glassnet.load(tmp_path / "m.safetensors")
            assert isinstance(again, Network)
            assert again.get_config() == net.get_config(), (name, cost)
    assert again.layers[0].dropout == 0.5 and again.layers[0].l2 == 0.2


def test_float32_round_trip(tmp_path: Path) -> None:
    net = trained("float32")
    glassnet.save(net, tmp_path / "m.safetensors")
    again = glassnet.load(tmp_path / "m.safetensors")
    assert isinstance(again, Network)
    assert again.dtype == np.float32
    assert again.layers[0].weights.dtype == np.float32
    for a, b in zip(net.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_file_is_plain_safetensors(tmp_path: Path) -> None:
    path = tmp_path / "m.safetensors"
    net = trained()
    glassnet.save(net, path)
    with safe_open(str(path), framework="numpy") as f:
        layers = {f"layer{i}.{part}" for i in range(3) for part in ("weights", "bias")}
        assert layers <= set(f.keys())
        assert {k for k in f.keys() if k not in layers}  # noqa: SIM118 == {"optimizer.m.0", "optimizer.v.0"}
        np.testing.assert_array_equal(f.get_tensor("layer1.weights"), net.layers[1].weights)
        document = json.loads(f.metadata()["glassnet"])
    assert document["format"] == "glassnet-model"
    assert document["format_version"] == serialization.FORMAT_VERSION == 2
    assert document["glassnet_version"] == glassnet.__version__
    assert document["network"]["layers"][1]["activation"] == {
        "name": "leaky_relu", "negative_slope": 0.2,
    }  # fmt: skip
    assert document["optimizer"]["config"]["name"] == "adam"
    assert document["model"] is None
    assert serialization.read_document(path) == document
    assert b"pickle" not in path.read_bytes() and b"\x80\x04\x95" not in path.read_bytes()


# ----- Models ------------------------------------------------------------------------------------
def penguin_model() -> Model:
    """A Model with a numeric and a categorical column, and integer labels 3 and 7."""
    rows = {
        "bill": [39.1, 46.5, 50.0, 38.0, None, 45.2] * 5,
        "island": ["Biscoe", "Dream", "Torgersen", "Biscoe", "Dream", None] * 5,
    }
    pre = Preprocessor().fit(rows)
    X = pre.transform(rows)
    net = Network([Dense(X.shape[1], 4, "relu"), Dense(4, 1, "sigmoid")],
                  cost="binary_crossentropy", seed=0)  # fmt: skip
    model = Model(net, pre, task="classification", target="species", classes=[3, 7])
    y = model.encode_target([3, 7, 7, 3, 3, 7] * 5)
    net.fit(X, y, epochs=3, batch_size=4)
    return model


def test_a_model_round_trips_and_loads_as_a_model(tmp_path: Path) -> None:
    model = penguin_model()
    glassnet.save(model, tmp_path / "m.safetensors")
    again = glassnet.load(tmp_path / "m.safetensors")
    assert isinstance(again, Model)
    assert again.get_config() == model.get_config()
    rows = {"bill": [41.0, None, 49.5], "island": ["Dream", "Biscoe", "Mars"]}
    np.testing.assert_array_equal(again.predict(rows), model.predict(rows))
    assert set(again.predict(rows).tolist()) <= {3, 7}


@pytest.mark.filterwarnings("ignore::UserWarning")  # lbfgs's ConvergenceWarning, 20 iterations
def test_save_takes_a_fitted_estimator(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    from glassnet.sklearn import GlassClassifier, GlassRegressor

    X = np.random.default_rng(0).normal(size=(40, 3))
    labels = np.where(X[:, 0] > 0, 9, 3)
    for Estimator, y in ((GlassClassifier, labels), (GlassRegressor, X.sum(axis=1))):
        est = Estimator(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=20, random_state=0)
        est.fit(X, y)
        path = tmp_path / f"{Estimator.__name__}.safetensors"
        glassnet.save(est, path)
        model = glassnet.load(path)
        assert isinstance(model, Model)
        np.testing.assert_array_equal(model.predict(X), est.predict(X))
        with pytest.raises(ValueError, match="fit"):
            glassnet.save(Estimator(), tmp_path / "unfitted.safetensors")
    one_class = GlassClassifier(hidden_layer_sizes=(2,), max_iter=5).fit(X, np.zeros(40))
    with pytest.raises(ValueError, match="one class"):  # a file load would refuse: not written
        glassnet.save(one_class, tmp_path / "one.safetensors")
    assert not (tmp_path / "one.safetensors").exists()
    with pytest.raises(TypeError, match=r"save needs a glassnet Network.*; got dict"):
        glassnet.save({"weights": [1.0]}, tmp_path / "dict.safetensors")
    assert not (tmp_path / "unfitted.safetensors").exists()


class Swish(Activation):
    """A user's own activation: glassnet cannot rebuild it from a file."""

    name = "swish"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return z / (1.0 + np.exp(-z))


class ShiftedReLU(ReLU):
    """A subclass that keeps its parent's name: it would load as a plain ReLU."""

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return np.maximum(z, 0.5)


@pytest.mark.parametrize("activation", [Swish(), ShiftedReLU()], ids=["own-name", "parent-name"])
def test_save_refuses_what_load_cannot_rebuild(tmp_path: Path, activation: Activation) -> None:
    net = Network([Dense(2, 2, activation), Dense(2, 1)], seed=0)
    with pytest.raises(ValueError, match=r"^cannot save: ") as error:
        glassnet.save(net, tmp_path / "m.safetensors")
    assert "\n" not in str(error.value)
    assert not (tmp_path / "m.safetensors").exists()


# ----- writing -----------------------------------------------------------------------------------
def test_atomic_save_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.safetensors"
    path.write_bytes(b"old contents")

    def broken(src: str, dst: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    # the file named, the old one said to be intact (the message named neither)
    expected = f"cannot write {path} (No space left on device); {path} is as it was; free"
    with pytest.raises(OSError, match=re.escape(expected)):
        glassnet.save(trained(), path)
    assert path.read_bytes() == b"old contents"
    assert os.listdir(tmp_path) == ["m.safetensors"]  # no temporary file left behind


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_a_full_device_is_named() -> None:
    with pytest.raises(OSError, match=r"^cannot write /dev/full \(No space left on device"):
        serialization.write_atomically("/dev/full", b"x" * 100_000)


def test_save_refuses_missing_folder_and_folders(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        glassnet.save(trained(), tmp_path / "no" / "m.safetensors")
    with pytest.raises(ValueError, match="is a folder"):
        glassnet.save(trained(), tmp_path)


def test_writing_through_a_link_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / "real.bin").write_bytes(b"old")
    os.symlink("real.bin", tmp_path / "link.bin")
    serialization.write_atomically(tmp_path / "link.bin", b"new")
    assert os.path.islink(tmp_path / "link.bin")
    assert (tmp_path / "real.bin").read_bytes() == b"new"


def test_special_files_are_written_into_not_replaced(tmp_path: Path) -> None:
    # round 1 renamed a new file over them: /dev/null (as root) or a FIFO became a plain
    # file. (Through a link here, so that code of round 1 breaks the link, not /dev/null.)
    os.symlink(os.devnull, tmp_path / "null")
    serialization.write_atomically(tmp_path / "null", b"nothing")
    assert (tmp_path / "null").is_symlink() and Path(os.devnull).is_char_device()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with alarm(5), pytest.raises(ValueError, match="no program is reading it"):
        serialization.write_atomically(fifo, b"x")
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    serialization.write_atomically(fifo, b"through the pipe")
    assert os.read(reader, 100) == b"through the pipe"
    os.close(reader)
    assert fifo.is_fifo()


def test_a_nan_cost_in_the_history_saves(tmp_path: Path) -> None:
    net = trained()
    assert net.history is not None
    net.history.history["cost"][-1] = float("nan")
    glassnet.save(net, tmp_path / "m.safetensors")
    again = glassnet.load(tmp_path / "m.safetensors")
    assert isinstance(again, Network)
    assert again.history is not None and np.isnan(again.history.cost[-1])


# ----- refusing malformed files ------------------------------------------------------------------
def craft(path: Path, document: Any, tensors: dict[str, np.ndarray]) -> Path:
    text = document if isinstance(document, str) else json.dumps(document)
    save_file(tensors, str(path), metadata=None if document is None else {"glassnet": text})
    return path


def raw_file(path: Path, header: str, data: bytes = b"") -> Path:
    path.write_bytes(struct.pack("<Q", len(header.encode())) + header.encode() + data)
    return path


def test_load_errors(tmp_path: Path) -> None:
    good = tmp_path / "good.safetensors"
    net = trained()
    glassnet.save(net, good)
    raw = good.read_bytes()
    document = serialization.describe(net)
    tensors = _tensors(net)
    missing = dict(tensors)
    del missing["layer2.bias"]
    wrong = dict(tensors, **{"layer1.weights": np.zeros((2, 4))})
    cases = {
        tmp_path / "none.safetensors": "no such model file",
        tmp_path: "is a folder",
        tmp_path / "short": ("only 5 bytes long", raw[:5]),
        tmp_path / "cut-header": ("truncated", raw[:40]),
        tmp_path / "cut-data": ("truncated", raw[:-8]),
        tmp_path / "text": ("first 8 bytes", b"name,age\nann,3\n" * 10),
        tmp_path / "json": ("no safetensors header", b"\x02\x00\x00\x00\x00\x00\x00\x00[]"),
    }
    for path, expected in cases.items():
        if isinstance(expected, tuple):
            expected, content = expected
            path.write_bytes(content)
        with pytest.raises(ValueError, match=expected):
            glassnet.load(path)
    crafted = {
        "foreign": (None, tensors, "without a 'glassnet' metadata entry"),
        "other": ({"format": "something"}, tensors, "does not say format"),
        "newer": (dict(document, format_version=99), tensors, "format version 99"),
        "missing": (document, missing, "'layer2.bias' is missing"),
        "shape": (document, wrong, r"'layer1.weights' has shape \(2, 4\), but layer 1 needs"),
    }  # fmt: skip
    for name, (doc, arrays, expected) in crafted.items():
        path = craft(tmp_path / f"{name}.safetensors", doc, arrays)
        with pytest.raises(ValueError, match=f"^{re.escape(str(path))}{NOT_A_MODEL}.*{expected}"):
            glassnet.load(path)


def _places(value: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every place in a JSON document and the value there (lists: the first two items)."""
    yield at, value
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value[:2])
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        yield from _places(item, (*at, key))


def _wrong(value: Any) -> list[Any]:
    if isinstance(value, bool):
        return ["yes", 2]
    if isinstance(value, (int, float)):
        return ["1", [1], {"n": 1}]
    if isinstance(value, str):
        return [1, [value], {"name": value}]
    return ["x", 1] + ([{"0": 1}] if isinstance(value, list) else [[]])


def test_every_field_of_the_wrong_type_is_refused_in_one_line(tmp_path: Path) -> None:
    # numbers where text is expected, lists where a name is, ...: each one line, never a
    # KeyError or TypeError from deep inside the rebuilding
    model = penguin_model()
    model.network.optimizer = Adam()
    document = serialization.describe(model)
    tensors = _tensors(model.network)
    tried = 0
    for at, value in _places(document):
        if not at:
            continue
        for wrong in _wrong(value):
            changed = json.loads(json.dumps(document))
            target = changed
            for key in at[:-1]:
                target = target[key]
            target[at[-1]] = wrong
            path = craft(tmp_path / "bad.safetensors", changed, tensors)
            try:
                glassnet.load(path)
            except ValueError as error:
                text = str(error)
                assert text.startswith(f"{path}{NOT_A_MODEL}") and "\n" not in text, (at, text)
            tried += 1
    assert tried > 200


@pytest.mark.parametrize(
    "name, header, message",
    [
        ("deep-header", '{"a":' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
        ("offsets-floats", '{"t":{"dtype":"F64","shape":[1],"data_offsets":[0.5,8]}}',
         r"t.data_offsets\[0\] is a number, not an integer"),
        ("offsets-text", '{"t":{"dtype":"F64","shape":[1],"data_offsets":["0","8"]}}',
         r"data_offsets\[0\] is text, not an integer"),
        ("offsets-huge", '{"t":{"dtype":"F64","shape":[1],"data_offsets":[0,' + "9" * 5000 + "]}}",
         "not valid JSON"),
        ("shape-huge", '{"t":{"dtype":"F64","shape":[4611686018427387904,4],"data_offsets":[0,8]}}',
         "offsets that do not fit its shape"),
        ("metadata-list", '{"__metadata__":[1]}', r"__metadata__ is a list, not an object"),
        ("shape-empty-huge",
         '{"t":{"dtype":"F64","shape":[4611686018427387904,4611686018427387904,0],'
         '"data_offsets":[0,0]}}',
         r"tensor 't' has a shape no array can have"),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 20 else "",
)  # fmt: skip
def test_hostile_headers_are_refused(tmp_path: Path, name: str, header: str, message: str) -> None:
    doc = json.dumps(serialization.describe(Network([Dense(1, 1)], seed=0)))
    if "__metadata__" not in header:
        header = header[:-1] + f',"__metadata__":{{"glassnet":{json.dumps(doc)}}}}}'
    path = raw_file(tmp_path / f"{name}.safetensors", header, b"\0" * 8)
    with pytest.raises(ValueError, match=f"^{re.escape(str(path))}{NOT_A_MODEL}.*{message}"):
        glassnet.load(path)


@pytest.mark.parametrize(
    "name, state, extra",
    [
        ("MT19937", {"key": [1, 2], "pos": 5}, {}),
        ("MT19937", {"key": [1] * 624, "pos": 10**6}, {}),
        ("MT19937", {"key": [1] * 624, "pos": -3}, {}),
        ("MT19937", {"pos": 1}, {}),
        ("Philox", {"counter": [0] * 4, "key": [0] * 2}, {"buffer": [0] * 4, "buffer_pos": -5}),
        ("PCG64", {"state": 1, "inc": 1}, {"has_uint32": 7, "uinteger": 0}),
    ],
    ids=["short-key", "pos-past-the-key", "pos-negative", "no-key", "buffer-pos", "has-uint32"],
)
def test_a_seed_stream_state_that_does_not_fit_its_generator_is_refused(
    tmp_path: Path, name: str, state: dict[str, Any], extra: dict[str, Any]
) -> None:
    # an MT19937 key of two numbers raised IndexError (a traceback from every command); a
    # read position past the key crashed the process at the first random number
    net = trained()
    document = serialization.describe(net)
    document["rng"] = {"bit_generator": name, "state": state, **extra}
    path = craft(tmp_path / "rng.safetensors", json.dumps(document), _tensors(net))
    with pytest.raises(ValueError, match=f"^{re.escape(str(path))}{NOT_A_MODEL}rng.state"):
        glassnet.load(path)


@pytest.mark.parametrize(
    "name, raw, message",
    [
        ("deep-but-parsable", "[" * 500 + "]" * 500, "nested more than 64 levels deep"),
        ("history-text", '"long"', "history is text, not an object"),
        ("history-1e999", "1e999", r"history.values.cost\[0\] is not a finite number"),
        ("history-huge-int", "9" * 5000, "not valid JSON"),
    ],
    ids=["deep", "text", "1e999", "huge-int"],
)
def test_hostile_documents_are_refused(tmp_path: Path, name: str, raw: str, message: str) -> None:
    net = trained()
    document = serialization.describe(net)
    if name == "deep-but-parsable":
        document["metadata"]["note"] = "__here__"  # free-form JSON: only its depth is limited
    elif name == "history-text":
        document["history"] = "__here__"
    else:
        document["history"]["values"]["cost"][0] = "__here__"
    text = json.dumps(document).replace('"__here__"', raw)
    path = craft(tmp_path / f"{name}.safetensors", text, _tensors(net))
    with pytest.raises(ValueError, match=f"^{re.escape(str(path))}{NOT_A_MODEL}.*{message}"):
        glassnet.load(path)


@pytest.mark.parametrize(
    "text", ["[" * 100_000 + "]" * 100_000, "12", "{oops"], ids=["deep", "number", "broken"]
)
def test_a_document_that_is_not_one_is_refused(tmp_path: Path, text: str) -> None:
    path = craft(tmp_path / "m.safetensors", text, _tensors(trained()))
    with pytest.raises(ValueError, match=f"^{re.escape(str(path))}{NOT_A_MODEL}"):
        glassnet.load(path)


def test_a_fifo_or_device_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "model.fifo"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    for path in (fifo, Path(os.devnull)):
        with alarm(5), pytest.raises(ValueError, match="not a regular file"):
            glassnet.load(path)


def test_only_the_header_is_read_before_refusing(tmp_path: Path) -> None:
    # a 3 GB CSV given as MODEL was read whole in round 1 (3.1 GB); a hole of 2 GB here
    big = tmp_path / "big.csv"
    with open(big, "wb") as handle:
        handle.write(b"x1,x2,y\n1,2,3\n")
        handle.truncate(2_000_000_000)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=NOT_A_MODEL):
            glassnet.load(big)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000


# ----- round-1 files -----------------------------------------------------------------------------
def round_one_file(path: Path, net: Network, metadata: dict[str, Any]) -> Path:
    """A model file as glassnet 0.1 (format 1) wrote it."""
    document = {
        "format": "glassnet-model",
        "format_version": 1,
        "glassnet_version": "0.1.0",
        "cost": net.cost_function.name,
        "dtype": "float64",
        "layers": [
            {
                "n_in": layer.n_in,
                "n_out": layer.n_out,
                "activation": layer.activation.name,
                "dropout": layer.dropout,
                "l2": layer.l2,
            }
            for layer in net.layers
        ],
        "metadata": metadata,
        "history": {
            "epoch": [1, 2],
            "values": {"cost": [0.7, None]},
            "stopped_early": False,
            "interrupted": False,
        },
    }
    return craft(path, document, _tensors(net))


def test_round_one_files_still_load(tmp_path: Path) -> None:
    net = Network([Dense(2, 3, "relu"), Dense(3, 3, "softmax")], "categorical_crossentropy", seed=0)
    plain = glassnet.load(round_one_file(tmp_path / "plain.safetensors", net, {"note": 1}))
    assert isinstance(plain, Network) and plain.metadata == {"note": 1}
    assert plain.history is not None and math.isnan(plain.history.cost[1])
    meta = {
        "feature_names": ["a", "b"],
        "target_name": "kind",
        "task": "classification",
        "classes": ["x", "y", 12],
        "scaler": {"mean": [1.0, -2.0], "scale": [2.0, 0.5]},
    }
    model = glassnet.load(round_one_file(tmp_path / "model.safetensors", net, meta))
    assert isinstance(model, Model)
    assert model.classes == ["x", "y", 12] and model.target == "kind"
    rows = np.array([[3.0, -1.0], [1.0, -2.0], [-5.0, 0.0]])
    scaled = (rows - [1.0, -2.0]) / [2.0, 0.5]
    expected = np.array(["x", "y", 12], dtype=object)[net.feedforward(scaled).argmax(axis=1)]
    assert model.predict({"a": rows[:, 0], "b": rows[:, 1]}).tolist() == expected.tolist()
    regression = Network([Dense(2, 1, "identity")], seed=0)
    meta = {"feature_names": ["a", "b"], "target_name": "t", "task": "regression",
            "target_scaler": {"mean": [10.0], "scale": [4.0]}}  # fmt: skip
    model = glassnet.load(round_one_file(tmp_path / "reg.safetensors", regression, meta))
    assert isinstance(model, Model)
    np.testing.assert_allclose(
        model.predict({"a": rows[:, 0], "b": rows[:, 1]}),
        regression.feedforward(rows)[:, 0] * 4.0 + 10.0,
    )


def test_round_one_files_that_contradict_themselves_are_refused(tmp_path: Path) -> None:
    net = Network([Dense(2, 1, "sigmoid")], seed=0)
    meta = {"feature_names": ["a", "b", "c"], "classes": [0, 1]}
    path = round_one_file(tmp_path / "m.safetensors", net, meta)
    with pytest.raises(ValueError, match=r"names 3 features .* but the network has 2 inputs"):
        glassnet.load(path)


def test_the_model_file_and_its_onnx_export_agree(tmp_path: Path) -> None:
    pytest.importorskip("onnx")
    net = Network([Dense(2, 3, LeakyReLU(0.2)), Dense(3, 1, "identity")], seed=0)
    glassnet.save(net, tmp_path / "m.safetensors")
    loaded = glassnet.load(tmp_path / "m.safetensors")
    from glassnet.onnx import to_onnx

    graph = to_onnx(loaded).graph
    (leaky,) = [node for node in graph.node if node.op_type == "LeakyRelu"]
    (alpha,) = [a.f for a in leaky.attribute if a.name == "alpha"]
    assert isinstance(loaded, Network)
    assert alpha == pytest.approx(loaded.layers[0].activation.negative_slope) == 0.2  # type: ignore[attr-defined]


def test_a_folder_that_cannot_be_written_is_named_not_the_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # it said "[Errno 13] Permission denied: '/sys/.x.parquet.18znz7ff.tmp'"
    import os

    real_open = os.open

    def refused(path: str, *args: Any) -> int:
        if str(path).endswith(".tmp"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args)

    monkeypatch.setattr(os, "open", refused)
    # found by check_writable's trial file before any work (a ValueError), or by the write
    with pytest.raises((OSError, ValueError)) as caught:
        serialization.write_atomically(tmp_path / "m.bin", b"new")
    assert (
        str(caught.value)
        == f"cannot write {tmp_path / 'm.bin'} (Permission denied); write elsewhere"
    )


def test_a_name_near_the_filesystem_limit_is_written(tmp_path: Path) -> None:
    # the temporary name (".NAME.XXXXXXXX.tmp") passed 255 bytes: "File name too long"
    out = tmp_path / ("é" * 120 + "L" * 10 + ".csv")  # 254 bytes
    serialization.write_atomically(out, b"new")
    assert out.read_bytes() == b"new" and [p.name for p in tmp_path.iterdir()] == [out.name]


def test_a_second_ctrl_c_while_cleaning_up_still_removes_the_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # polars raises a KeyboardInterrupt of its own after the first: it landed in the
    # cleaning and left tens of MB of .pred.csv.XXXX.tmp behind (9 of 30 interrupts)
    import os

    out = tmp_path / "pred.csv"
    out.write_bytes(b"old")
    unlink = os.unlink
    interrupts = [KeyboardInterrupt()]

    def interrupted_once(path: str) -> None:
        if interrupts:
            raise interrupts.pop()
        unlink(path)

    def half(file: object) -> None:
        file.write(b"half")  # type: ignore[attr-defined]
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "unlink", interrupted_once)
    with pytest.raises(KeyboardInterrupt):
        serialization.write_atomically(out, half)
    assert not interrupts
    assert [p.name for p in tmp_path.iterdir()] == ["pred.csv"] and out.read_bytes() == b"old"


def test_a_path_ending_in_a_slash_is_a_folder_not_a_file(tmp_path: Path) -> None:
    # "--out m.safetensors/" wrote the file m.safetensors (realpath drops the slash)
    with pytest.raises(ValueError, match="it is a folder; give a file name"):
        serialization.check_writable(f"{tmp_path}/m.safetensors/")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "metadata, message",
    [
        ({"seed": "abc"}, "metadata.seed is text, not an integer"),
        ({"seed": -1}, "metadata.seed"),
        ({"training": "x"}, "metadata.training is text"),
        ({"training": {"batch_size": "z"}}, "metadata.training.batch_size is text"),
        ({"training": {"rows": 10, "validation_rows": 2.5}}, "metadata.training.validation_rows"),
    ],
)
def test_the_metadata_glassnet_reads_back_is_checked(
    tmp_path: Path, metadata: dict[str, Any], message: str
) -> None:
    # plot --kind training read metadata.training and .seed unchecked: AttributeError,
    # TypeError and "invalid literal for int()" tracebacks from an edited model file
    model = penguin_model()
    document = serialization.describe(model)
    document["metadata"] = metadata
    path = craft(tmp_path / "m.safetensors", document, _tensors(model.network))
    with pytest.raises(ValueError, match=re.escape(message)) as caught:
        glassnet.load(path)
    assert str(caught.value).startswith(f"{path}{NOT_A_MODEL}")


@pytest.mark.parametrize("change", ["header length one short", "bytes appended"])
def test_data_the_tensors_do_not_fill_exactly_is_refused(tmp_path: Path, change: str) -> None:
    # a header length one byte short (one bit) still parsed (the header's padding space
    # dropped) and every weight was read one byte off: predict answered 1.5e-308, exit 0
    path = tmp_path / "m.safetensors"
    glassnet.save(trained(), path)
    raw = path.read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    if change == "bytes appended":
        path.write_bytes(raw + b"\x00" * 8)
    else:
        path.write_bytes(struct.pack("<Q", length - 1) + raw[8:])
    with pytest.raises(ValueError, match=NOT_A_MODEL + ".*tensors fill"):
        glassnet.load(path)
