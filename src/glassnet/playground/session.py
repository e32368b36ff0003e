"""The playground's one training session: a table, a network, its optimizer, its history.

Every number the page shows is computed here, by glassnet's own engine: ``Network.fit``
for the steps, ``glassbox.trace`` for the "this step" panel, ``glassbox.gradcheck`` for the
gradient check, ``Network.predict_outputs`` for the decision boundary, ``glassnet.save``
and ``glassnet.load`` for model files. The HTTP layer (``server.py``) only turns requests
into calls of these methods and their results into JSON. A ``Session`` is not thread-safe
on its own: the server holds its lock around every call.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import os
import tempfile
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet import article
from glassnet._types import Array
from glassnet.build import HIDDEN_ACTIVATIONS, OPTIMIZERS, build_network, make_optimizer
from glassnet.glassbox import Trace, gradcheck, trace
from glassnet.glassbox.gradcheck import n_checked_in
from glassnet.history import History
from glassnet.model import Model
from glassnet.network import Network
from glassnet.optimizers import Optimizer
from glassnet.playground.datasets import BUILTIN, PlayData, builtin
from glassnet.playground.upload import NAME as UPLOAD_NAME
from glassnet.playground.upload import read_upload
from glassnet.preprocessing import Preprocessor
from glassnet.serialization import load, save
from glassnet.table import NA_VALUES, read_table_bytes
from glassnet.training import DivergedError

if TYPE_CHECKING:
    import polars as pl

TraceText = Callable[[Network, Trace, str, str, int], str]
"""``(net, trace, title, lang, digits) -> text``: how ``glassnet trace`` prints a trace."""

COSTS = ("auto", "sse", "mse", "binary_crossentropy", "categorical_crossentropy")
INITIALIZERS = ("auto", "glorot", "he", "article")
"""auto: He for relu-like activations, else Glorot; article: every weight 0.5, bias 0.2."""

MAX_HIDDEN_LAYERS = 8
MAX_NEURONS = 256
MAX_STEPS = 10_000
"""Epochs one request may ask for."""
MAX_WORK = 2_000_000_000
"""Work one request may ask for, counted in multiply-adds (a row through a parameter; see
``Session.row_work`` and ``epoch_work``): about 2 s of NumPy, so every answer comes within
seconds and the server stays responsive."""
NEURON_COST = 25
"""A neuron's activation and its derivative for one row (elementwise, tanh, exp) cost about
as much as this many multiply-adds: a narrow, wide-table network's work is mostly there."""
BATCH_PARAM_COST = 12
"""An update touches every parameter about a dozen times (Adam's moments, the step): in
rows × parameters, a batch costs this many rows more than its own."""
BATCH_OVERHEAD = 60_000
"""The fixed cost of one batch (Python calls layer by layer, about 50 µs), in the same units."""
MAX_CELLS = 32_000_000
"""Numbers one pass may hold per array: rows × (inputs + every layer's neurons) (256 MB;
a pass holds a few such arrays)."""
MAX_SHOWN_ROWS = 1000
"""Rows sent to the page for drawing points and per-sample neuron values, and the most
rows the "this step" panel traces."""
MAX_TRACE_NUMBERS = 5_000_000
"""Numbers a trace may keep (per-sample values and every weight's before, after, gradient
and update): its JSON and text stay within a few hundred MB."""
GRADCHECK_PER_LAYER = 32
"""Weights and biases (each) the gradient check samples per layer."""
CURVE_POINTS = 400
"""Points of the cost curve sent to the page (the history is thinned to about this many)."""

PRESETS: dict[str, dict[str, Any]] = {
    "article": {
        "hidden": [],
        "activation": "sigmoid",
        "cost": "sse",
        "optimizer": "gd",
        "learning_rate": article.LEARNING_RATE,
        "batch_size": None,
        "l2": 0.0,
        "initializer": "article",
        "seed": 0,
    },
    "regression": {
        "hidden": [16, 16],
        "activation": "tanh",
        "cost": "auto",
        "optimizer": "adam",
        "learning_rate": 0.01,
        "batch_size": None,
        "l2": 0.0,
        "initializer": "auto",
        "seed": 0,
    },
    "classification": {
        "hidden": [8, 8],
        "activation": "tanh",
        "cost": "auto",
        "optimizer": "adam",
        "learning_rate": 0.03,
        "batch_size": None,
        "l2": 0.0,
        "initializer": "auto",
        "seed": 0,
    },
}
"""The settings a dataset starts with: the article's own for its table, else a small net."""

SETTINGS = ("dataset", *PRESETS["article"])
CHOICES = {
    "dataset": [*BUILTIN, "upload"],
    "activation": list(HIDDEN_ACTIVATIONS),
    "cost": list(COSTS),
    "optimizer": list(OPTIMIZERS),
    "initializer": list(INITIALIZERS),
}
"""The values each chosen setting takes, sent to the page for its menus."""


def _setting_error(name: str, value: Any, wanted: str) -> ValueError:
    return ValueError(f"{name} must be {wanted}; got {value!r}")


def _int(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _setting_error(name, value, f"a whole number from {low} to {high}")
    return value


def _number(value: Any, name: str, low: float, high: float, *, open_low: bool) -> float:
    ok = (
        not isinstance(value, bool)
        and isinstance(value, (int, float))
        and math.isfinite(value)
        and (low < value if open_low else low <= value)
        and value <= high
    )
    if not ok:
        bound = f"more than {low}" if open_low else f"at least {low}"
        raise _setting_error(name, value, f"a number {bound} and at most {high}")
    return float(value)


def _choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise _setting_error(name, value, "one of " + ", ".join(choices))
    return str(value)


def check_config(config: dict[str, Any]) -> dict[str, Any]:
    """The settings, checked: every value of the right type and range, or one ValueError line."""
    hidden = config["hidden"]
    if not isinstance(hidden, list) or len(hidden) > MAX_HIDDEN_LAYERS:
        raise _setting_error(
            "hidden", hidden, f"a list of at most {MAX_HIDDEN_LAYERS} neuron counts, e.g. [8, 8]"
        )
    batch = config["batch_size"]
    return {
        "dataset": config["dataset"],
        "hidden": [_int(n, "hidden", 1, MAX_NEURONS) for n in hidden],
        "activation": _choice(config["activation"], "activation", HIDDEN_ACTIVATIONS),
        "cost": _choice(config["cost"], "cost", COSTS),
        "optimizer": _choice(config["optimizer"], "optimizer", OPTIMIZERS),
        "learning_rate": _number(
            config["learning_rate"], "learning_rate", 0.0, 10.0, open_low=True
        ),
        "batch_size": None if batch is None else _int(batch, "batch_size", 1, 1_000_000),
        "l2": _number(config["l2"], "l2", 0.0, 10.0, open_low=False),
        "initializer": _choice(config["initializer"], "initializer", INITIALIZERS),
        "seed": _int(config["seed"], "seed", 0, 2**32 - 1),
    }


def _cost_for(data: PlayData, cost: str) -> str | None:
    """The cost to build with (None: the task's own), or a ValueError if it cannot fit."""
    multi = data.task == "classification" and data.y.shape[1] > 1
    if cost == "auto":
        return None
    if multi and cost != "categorical_crossentropy":
        raise ValueError(
            f"cost {cost} does not fit {len(data.classes or [])} classes (softmax outputs); "
            "choose auto or categorical_crossentropy"
        )
    if not multi and cost == "categorical_crossentropy":
        raise ValueError(
            "cost categorical_crossentropy needs several classes; choose auto, sse, mse or "
            "binary_crossentropy"
        )
    if data.task == "regression" and cost == "binary_crossentropy":
        raise ValueError("cost binary_crossentropy needs 0/1 targets; choose auto, sse or mse")
    return cost


def _notice(name: str, config: dict[str, Any], kept: dict[str, Any], given: dict[str, Any]) -> str:
    """The line the page shows after choosing dataset ``name``: what it set, what it kept."""
    if name == "article":
        return "the article's table brings the article's network and settings"
    shown = ("hidden", "activation", "optimizer", "learning_rate")
    preset = [f"{k} {_shown(config[k])}" for k in shown if k not in kept and k not in given]
    line = f"{name}: its preset " + ", ".join(preset) if preset else f"{name}"
    yours = [f"{k} {_shown(v)}" for k, v in {**kept, **given}.items() if k != "dataset"]
    return line + ("; kept yours: " + ", ".join(yours) if yours else "")


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value) or "none"
    return str(value)


def _squared_error(y: Array, a: Array) -> float:
    """Mean of (a − y)² over a batch: fit's weighted sum of it is the epoch's."""
    return float(np.mean((a - y) ** 2))


def _plain(values: Array) -> Any:
    """A NumPy array as nested lists of Python floats (exact: JSON keeps 17 digits)."""
    return values.tolist()


class Session:
    """One learner's table, network and training history.

    Parameters
    ----------
    trace_text : how ``glassnet trace`` prints a trace, handed in by the command line (the
        floor above), so the "this step" panel is that very text.
    """

    def __init__(self, trace_text: TraceText) -> None:
        self.trace_text = trace_text
        self.uploaded: PlayData | None = None
        self.configure({"dataset": "article"})

    # ----- settings and network ---------------------------------------------------------
    def configure(self, changes: dict[str, Any]) -> str | None:
        """Apply ``changes`` to the settings and start a fresh network from them.

        A new ``dataset`` brings its preset, but keeps the learner's own choices (settings
        that differ from the old dataset's preset), except for the article's table, which
        always brings the article's network; settings given along with it override both.
        Returns a line saying what the new dataset set and kept (None without one).
        """
        unknown = sorted(set(changes) - set(SETTINGS))
        if unknown:
            raise ValueError(f"unknown setting {unknown[0]!r}; settings: {', '.join(SETTINGS)}")
        current = getattr(self, "config", {})
        name = changes.get("dataset", current.get("dataset"))
        data = self._dataset(name)
        config = dict(current)
        notice = None
        if name != current.get("dataset"):
            config = {"dataset": name, **self._preset(data)}
            kept: dict[str, Any] = {}
            if current and name != "article":
                old = self._preset(self.data)
                kept = {k: v for k, v in current.items() if k in old and v != old[k]}
                if "cost" in kept:
                    try:
                        _cost_for(data, kept["cost"])
                    except ValueError:
                        del kept["cost"]  # the learner's cost does not fit this table
            config.update(kept)
            notice = _notice(str(name), config, kept, changes)
        config.update(changes)
        config = check_config(config)
        if config["hidden"] and config["initializer"] == "article":
            # hidden layers added now to the article's preset (the learner chose no
            # initializer): random weights; asked for, or kept from before, every weight 0.5
            adding = not current.get("hidden") or name != current.get("dataset")
            if adding and "initializer" not in changes:
                # every weight 0.5 gives each neuron of a hidden layer the same z, the same
                # gradient, the same update: they would stay one neuron copied forever
                config["initializer"] = "auto"
                said = "hidden layers start from random weights (initializer auto)"
            else:
                said = (
                    "every weight 0.5 keeps each hidden layer's neurons the same forever (the "
                    "same z, gradient and update); initializer auto breaks the tie"
                )
            notice = f"{notice}; {said}" if notice else said
        elif not config["hidden"] and "activation" in changes:
            # the page offers the hidden layers' activations: without one, the output's own
            said = (
                f"the activation ({config['activation']}) is a hidden layer's; with none, the "
                "output keeps its own (sigmoid, softmax or identity): add a hidden layer"
            )
            notice = f"{notice}; {said}" if notice else said
        if (
            name == "article"
            and changes.get("hidden") == []
            and "initializer" not in changes
            and config["initializer"] == "auto"
        ):
            config["initializer"] = "article"  # no hidden layer again: the article's network
        self._start(data, config)
        return notice

    def _dataset(self, name: Any) -> PlayData:
        if name == "upload":
            if self.uploaded is None:
                raise ValueError("no table uploaded yet; upload a CSV file first")
            return self.uploaded
        if name not in BUILTIN:
            raise _setting_error("dataset", name, "one of " + ", ".join((*BUILTIN, "upload")))
        return builtin(name)

    @staticmethod
    def _preset(data: PlayData) -> dict[str, Any]:
        return dict(PRESETS["article" if data.name == "article" else data.task])

    def _start(self, data: PlayData, config: dict[str, Any]) -> None:
        """Build the network ``config`` describes on ``data``; nothing changes if it fails."""
        task = data.task
        net = build_network(
            data.X.shape[1],
            data.y.shape[1],
            task=task,
            hidden=tuple(config["hidden"]),
            activation=config["activation"],
            cost=_cost_for(data, config["cost"]),
            weights=config["initializer"] if config["initializer"] in ("glorot", "he") else None,
            l2=config["l2"],
            seed=config["seed"],
        )
        if config["initializer"] == "article":
            for layer in net.layers:
                layer.weights = np.full_like(layer.weights, 0.5)
                layer.bias = np.full_like(layer.bias, 0.2)
        self._install(data, config, net)

    def _install(
        self, data: PlayData, config: dict[str, Any], net: Network, loaded: bool = False
    ) -> None:
        self.data = data
        self.loaded = loaded
        """Whether the network came from a model file (not built from the settings)."""
        self.config = config
        self.net = net
        self.optimizer: Optimizer = make_optimizer(config["optimizer"], config["learning_rate"])
        self.epoch = len(net.history.epoch) if net.history is not None else 0
        self.costs: list[float] = list(net.history.cost) if net.history is not None else []
        self.before: tuple[list[Array], Optimizer] | None = None
        """Weights and optimizer as they were before the last epoch: what trace replays."""
        self.updates: list[Array] | None = None
        self.grads: list[Array] | None = None
        self.score: dict[str, Any] | None = None
        """The last epoch's accuracy or R² (``_score``); None before a step."""

    def upload(self, raw: bytes, target: str | None) -> None:
        """Read an uploaded CSV (``read_upload``) and start its preset network on it."""
        data = read_upload(raw, target)
        self._start(data, check_config({"dataset": "upload", **self._preset(data)}))
        self.uploaded = data

    @staticmethod
    def _upload_as_read(
        data: PlayData, na_values: Sequence[str] = NA_VALUES, text_columns: Sequence[str] = ()
    ) -> pl.DataFrame:
        """An upload's rows (those with a target) read again from its bytes with a
        model's missing markers and text columns: as glassnet predict reads the file (the
        upload's own reading made -999 a number and 007 the number 7)."""
        frame = read_table_bytes(
            data.extra["raw"], UPLOAD_NAME, na_values=na_values, text_columns=text_columns
        )
        rows: pl.DataFrame = frame[data.extra["rows"]]
        return rows

    @classmethod
    def _bare_for(cls, data: PlayData, model: Model | Network) -> PlayData:
        """An upload as a model without preprocessing sees it: its raw numbers, by the
        column names the model stores, else its columns but the target in order (it was
        fed the upload's standardized numbers: 0.61 where the estimator says 0.48)."""
        frame = cls._upload_as_read(data)
        net = model.network if isinstance(model, Model) else model
        bare = Model(net, None, task=data.task, target=data.target_name)
        try:
            X = bare.transform(frame)
        except ValueError as error:
            raise ValueError(
                f"the model does not fit the {data.name} table ({error}); choose the dataset "
                "it was trained on first"
            ) from None
        if not np.isfinite(X).all():
            raise ValueError(
                f"the {data.name} table has missing or infinite cells, and the model stores no "
                "preprocessing to fill them; upload a table of numbers only"
            )
        names = bare.bare_input_names(frame.columns)
        extra = {k: v for k, v in data.extra.items() if k != "preprocessor"}
        return dataclasses.replace(data, X=X, feature_names=names, extra=extra)

    @staticmethod
    def _upload_columns(data: PlayData) -> list[dict[str, Any]]:
        """The columns an uploaded table's preprocessing decided on (none for another)."""
        preprocessor = data.extra.get("preprocessor") if data.name == "upload" else None
        return list(preprocessor.columns_) if isinstance(preprocessor, Preprocessor) else []

    def reset(self) -> None:
        """A fresh network from the same settings (the same seed: the same first weights), on
        the table as chosen: not as a loaded model's preprocessing encoded it."""
        self._start(self._dataset(self.config["dataset"]), self.config)

    # ----- training -----------------------------------------------------------------------
    def step(self, n: Any) -> str | None:
        """Train ``n`` epochs with ``Network.fit``; returns None, or why training stopped.

        The weights and optimizer before the last epoch are kept for the trace, and the
        last epoch's gradient and update (weights before − after) for the page.
        """
        n = _int(n, "n", 1, MAX_STEPS)
        self._check_epoch()
        if n > self.max_steps():
            raise ValueError(
                f"{n} epochs at once is too much work for this table and network; ask for at "
                f"most {self.max_steps()}"
            )
        batch = self.config["batch_size"]
        try:
            if n > 1:
                self._fit(n - 1, batch)
            self.before = (self.net.get_weights(), copy.deepcopy(self.optimizer))
            self._fit(1, batch)
        except DivergedError as error:
            # the weights are back to the last finite epoch; nothing of a step to show
            self.before = self.updates = self.grads = None
            return str(error).splitlines()[0]
        after = self.net.get_weights()
        self.updates = [b - a for b, a in zip(self.before[0], after, strict=True)]
        self.grads = [grad.copy() for layer in self.net.layers for _, grad in layer.parameters()]
        return None

    def _batch_rows(self) -> int:
        """Rows in each batch of an epoch (the whole table for full batches)."""
        n = int(self.data.X.shape[0])
        batch = self.config["batch_size"]
        return n if batch is None else min(batch, n)

    def _cells(self, rows: int) -> int:
        """Numbers per array a pass over ``rows`` rows holds: its inputs and every layer's."""
        return rows * (self.net.n_inputs + sum(layer.n_out for layer in self.net.layers))

    def row_work(self) -> int:
        """The work of one row through the network, in multiply-adds: its parameters, and
        ``NEURON_COST`` for each neuron."""
        neurons = sum(layer.n_out for layer in self.net.layers)
        return self.net.n_params + NEURON_COST * neurons

    def epoch_work(self) -> int:
        """The work of one epoch: each row's pass (``row_work``), plus each batch's update
        (``BATCH_PARAM_COST`` per parameter) and fixed cost (``BATCH_OVERHEAD``)."""
        n = int(self.data.X.shape[0])
        batches = -(-n // self._batch_rows())
        per_batch = self.net.n_params * BATCH_PARAM_COST + BATCH_OVERHEAD
        return n * self.row_work() + batches * per_batch

    def _check_epoch(self) -> None:
        """Refuse (one ValueError line) a batch too big to hold or an epoch too much work."""
        rows = self._batch_rows()
        if self._cells(rows) > MAX_CELLS:
            most = MAX_CELLS // self._cells(1)
            raise ValueError(
                f"a batch of {rows} rows through this network holds {self._cells(rows):,} "
                f"numbers per array, more than the playground's {MAX_CELLS:,}; set the batch "
                f"size to {most} or less, or use fewer neurons"
            )
        if self.epoch_work() > MAX_WORK:
            batches = -(-int(self.data.X.shape[0]) // rows)
            raise ValueError(
                f"one epoch of {batches} batches through {self.net.n_params:,} parameters is "
                "too much work for one request; use a larger batch size, fewer neurons or a "
                "smaller table"
            )

    def max_steps(self) -> int:
        """The most epochs one ``step`` call takes for this table and network (0 when one
        epoch is already too much: ``step`` then says what to change)."""
        if self._cells(self._batch_rows()) > MAX_CELLS:
            return 0
        return min(MAX_STEPS, MAX_WORK // self.epoch_work())

    def _fit(self, epochs: int, batch: int | None) -> None:
        # the last epoch's accuracy, or its mean squared error for R²: measured as fit
        # measures the cost (each batch before its update), so the two go together
        metric: Any = "accuracy" if self.data.task == "classification" else _squared_error
        try:
            history = self.net.fit(
                self.data.X,
                self.data.y,
                epochs=epochs,
                batch_size=batch,
                optimizer=self.optimizer,
                metrics=[metric],
            )
        except DivergedError as error:
            self._record(error.history.cost)
            self.score = None
            raise
        self._record(history.cost)
        self.score = self._score(history)

    def _score(self, history: History) -> dict[str, Any] | None:
        """``{"name": "accuracy" or "r2", "value"}`` of the last epoch (None: no R² for a
        target with one value)."""
        if self.data.task == "classification":
            return {"name": "accuracy", "value": history["accuracy"][-1]}
        variance = float(self.data.y.var())
        if variance == 0.0:
            return None
        return {"name": "r2", "value": 1.0 - history["_squared_error"][-1] / variance}

    def _record(self, costs: list[float]) -> None:
        self.costs.extend(costs)
        self.epoch += len(costs)

    # ----- what the page shows ------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """Everything the page draws after a step: settings, weights, costs, questions."""
        net, data = self.net, self.data
        layers = []
        for i, layer in enumerate(net.layers):
            entry: dict[str, Any] = {
                "n_in": layer.n_in,
                "n_out": layer.n_out,
                "activation": layer.activation.name,
                "weights": _plain(layer.weights),
                "bias": _plain(layer.bias),
                "grad_weights": None,
                "grad_bias": None,
                "update_weights": None,
                "update_bias": None,
            }
            if self.grads is not None and self.updates is not None:
                entry["grad_weights"] = _plain(self.grads[2 * i])
                entry["grad_bias"] = _plain(self.grads[2 * i + 1])
                entry["update_weights"] = _plain(self.updates[2 * i])
                entry["update_bias"] = _plain(self.updates[2 * i + 1])
            layers.append(entry)
        stride = max(1, math.ceil(len(self.costs) / CURVE_POINTS))
        curve = [[k + 1, self.costs[k]] for k in range(0, len(self.costs), stride)]
        if self.costs and curve[-1][0] != len(self.costs):
            curve.append([len(self.costs), self.costs[-1]])
        out: dict[str, Any] = {
            "config": self.config,
            "choices": CHOICES,
            "dataset": {
                "name": data.name,
                "task": data.task,
                "features": data.feature_names,
                "target": data.target_name,
                "classes": data.classes,
                "names_ja": data.names_ja,
                "n_samples": int(data.X.shape[0]),
                "target_default": bool(data.extra.get("target_default", False)),
                # an upload's columns the network does not see, and why; rows left out
                "ignored": [
                    [column["name"], column["reason"]]
                    for column in self._upload_columns(data)
                    if column["role"] == "ignored"
                ],
                "rows_without_target": int(data.extra.get("rows_without_target", 0)),
            },
            "epoch": self.epoch,
            "max_steps": self.max_steps(),
            "cost": self.costs[-1] if self.costs else None,
            "score": self.score,
            "can_trace": self.before is not None,
            "cost_curve": curve,
            "layers": layers,
            "cost_function": net.cost_function.name,
            "optimizer": repr(self.optimizer),
            "full_batch": self.full_batch(),
        }
        if data.name == "article":
            # the article's marks as it prints them, whatever a loaded model's preprocessing
            # makes of them (its network sees those; the table shows the article's)
            marks = builtin("article")
            out["table"] = {"inputs": _plain(marks.X), "targets": _plain(marks.y[:, 0])}
            questions = np.array(article.QUESTIONS, dtype=np.float64)
            if "raw_names" in data.extra:  # a loaded model's preprocessing, as for the table
                columns = zip(data.extra["raw_names"], questions.T, strict=True)
                questions = data.extra["preprocessor"].transform(dict(columns))
            probabilities = net.predict_outputs(questions)[:, 0]
            finds = net.predict(questions)  # the one classification rule, as demo decides
            out["questions"] = [
                {
                    "inputs": question,
                    "probability": float(p),
                    "finds_job": bool(found),
                    "verdict": {
                        lang: words[int(found)] for lang, words in article.VERDICTS.items()
                    },
                }
                for question, p, found in zip(article.QUESTIONS, probabilities, finds, strict=True)
            ]
        return out

    def trace(self, lang: Any, digits: Any = 8) -> dict[str, Any]:
        """The last epoch replayed by ``glassbox.trace``: its numbers and ``glassnet trace``'s text.

        The replay starts from the weights and optimizer state before that epoch, so with
        full batches it is that very step; with mini-batches it is one full-batch step from
        the same weights (the page says so).
        """
        lang = _choice(lang, "lang", ("en", "ja"))
        digits = _int(digits, "digits", 1, 17)
        if self.before is None:
            raise LookupError("no step has run yet; press Step first")
        n = int(self.data.X.shape[0])
        rows = self.trace_rows()
        if rows < 1:
            raise ValueError(
                f"this network's {self.net.n_params:,} parameters are too many to trace on the "
                "page; use fewer or narrower hidden layers (glassnet trace prints any network)"
            )
        replay = copy.deepcopy(self.net)
        replay.set_weights(self.before[0])
        result = trace(
            replay,
            self.data.X[:rows],
            self.data.y[:rows],
            steps=[1],
            optimizer=copy.deepcopy(self.before[1]),
        )
        result.steps[0].step = self.epoch
        if (
            self.data.name == "article"
            and self.config["initializer"] == "article"
            and not self.config["hidden"]
            and not self.loaded
        ):
            # glassnet trace's own title: this network started from the article's weights
            title = (
                "記事のネットワーク: 3 入力 (数学, 英語, 物理) → 1 出力 (仕事), "
                "weight 0.5, bias 0.2"
                if lang == "ja"
                else "the article's network: 3 inputs (math, english, physics) → 1 output (job), "
                "weights 0.5, bias 0.2"
            )
        elif lang == "ja":
            title = f"プレイグラウンドのネットワーク ({self.data.name})"
        else:
            title = f"the playground's network on {self.data.name}"
        if rows < n:
            title += (
                f", 最初の {rows} 行 (全 {n} 行)"
                if lang == "ja"
                else f", its first {rows} of {n} rows"
            )
        out = result.to_dict()
        out["text"] = self.trace_text(replay, result, title, lang, digits)
        out["replays_exactly"] = self.full_batch() and rows == n
        out["n_rows"], out["n_samples"] = rows, n
        return out

    def trace_rows(self) -> int:
        """Rows the "this step" panel traces: all, or the first ``MAX_SHOWN_ROWS``, fewer
        when a row's numbers (inputs, z, a, δ of every layer) would pass
        ``MAX_TRACE_NUMBERS`` beside the parameters' (6 numbers each); 0: too big to trace."""
        net = self.net
        per_row = sum(layer.n_in + 3 * layer.n_out for layer in net.layers) + 2 * net.n_outputs
        room = MAX_TRACE_NUMBERS - 6 * net.n_params
        return max(0, min(int(self.data.X.shape[0]), MAX_SHOWN_ROWS, room // per_row))

    def full_batch(self) -> bool:
        """Whether each epoch is one full-batch step (so the trace replays it exactly)."""
        batch = self.config["batch_size"]
        return batch is None or batch >= self.data.X.shape[0]

    def gradcheck(self) -> dict[str, Any]:
        """``glassbox.gradcheck`` of the current network, within ``MAX_WORK``: at most
        ``GRADCHECK_PER_LAYER`` weights and as many biases a layer, each costing two
        evaluations of the cost, on as many of the table's first rows as the budget allows.
        ``n_rows`` says how many, ``n_samples`` of how many."""
        net, n = self.net, int(self.data.X.shape[0])
        evaluations = 2 * sum(n_checked_in(layer, GRADCHECK_PER_LAYER) for layer in net.layers)
        rows = min(n, MAX_WORK // (evaluations * self.row_work()), MAX_CELLS // self._cells(1))
        if rows < 1:
            raise ValueError(
                f"this network's {net.n_params:,} parameters are too many to check here; use "
                "fewer or narrower hidden layers"
            )
        result = gradcheck(
            copy.deepcopy(net),
            self.data.X[:rows],
            self.data.y[:rows],
            max_per_layer=GRADCHECK_PER_LAYER,
        )
        out = result.to_dict()
        out["passed"] = result.passed
        out["n_rows"], out["n_samples"] = rows, n
        return out

    def neuron(self, layer: Any, unit: Any) -> dict[str, Any]:
        """z, a and δ = ∂C/∂z of one neuron for each of the first ``MAX_SHOWN_ROWS``
        samples, with the weights the gradient on the page was found at: those before the
        last update once a step has run (``before_update``), so a full batch's δ add up to
        the ∂C/∂b shown beside them; the current weights before any step.

        Only those rows go through the network: a sample's z and a depend on it alone, and
        its δ too, but for the cost's divisor: a mean over the rows divides by the table's
        row count, so δ of the shown rows is scaled from their count to the table's.
        """
        layer = _int(layer, "layer", 1, len(self.net.layers))
        unit = _int(unit, "unit", 0, self.net.layers[layer - 1].n_out - 1)
        n = int(self.data.X.shape[0])
        rows = min(n, MAX_SHOWN_ROWS)
        probe = copy.deepcopy(self.net)
        if self.before is not None:
            probe.set_weights(self.before[0])
        probe.gradients(self.data.X[:rows], self.data.y[:rows])
        chosen = probe.layers[layer - 1]
        assert chosen.z is not None and chosen.a is not None and chosen.delta is not None
        delta = chosen.delta[:, unit]
        if probe.cost_function.reduction == "mean" and rows < n:
            delta = delta * (rows / n)
        return {
            "layer": layer,
            "unit": unit,
            "z": _plain(chosen.z[:, unit]),
            "a": _plain(chosen.a[:, unit]),
            "delta": _plain(delta),
            "n_samples": n,
            "before_update": self.before is not None,
        }

    def grid(self, size: Any) -> dict[str, Any]:
        """The network's output over the data's plane (2 features) or line (1 feature).

        Two features: ``values`` (size × size, row by row from the top) is the probability
        of class 1 (one sigmoid output), the winning class's probability with ``classes``
        the winner (softmax), or the output value (regression). One feature: the output
        along ``xs``. The points come along, at most ``MAX_SHOWN_ROWS`` of them. A network
        too big for size × size points within ``MAX_WORK`` gets a coarser grid.
        """
        size = _int(size, "size", 2, 200)
        # the size² points go through the network: fewer for a big one (the answer's
        # ``size`` says how many), within the work and memory budgets
        points = min(MAX_WORK // self.row_work(), MAX_CELLS // self._cells(1))
        size = max(2, min(size, math.isqrt(points)))
        X = self.data.X
        shown = X[:MAX_SHOWN_ROWS]
        base = {"points": _plain(shown), "labels": _plain(self.data.labels[:MAX_SHOWN_ROWS])}
        if X.shape[1] not in (1, 2):
            return {"kind": "none", **base}
        low, high = X.min(axis=0), X.max(axis=0)
        margin = 0.1 * np.maximum(high - low, 1e-9)
        low, high = low - margin, high + margin
        if X.shape[1] == 1:
            xs = np.linspace(low[0], high[0], size)
            outputs = self.net.predict_outputs(xs[:, None])[:, 0]
            return {"kind": "curve", "xs": _plain(xs), "values": _plain(outputs), **base}
        xs = np.linspace(low[0], high[0], size)
        ys = np.linspace(high[1], low[1], size)
        gx, gy = np.meshgrid(xs, ys)
        outputs = self.net.predict_outputs(np.column_stack([gx.ravel(), gy.ravel()]))
        out: dict[str, Any] = {
            "kind": "plane",
            "size": size,
            "x_range": [float(low[0]), float(high[0])],
            "y_range": [float(low[1]), float(high[1])],
            **base,
        }
        if outputs.shape[1] > 1:
            out["classes"] = _plain(outputs.argmax(axis=1))
            out["values"] = _plain(outputs.max(axis=1))
        else:
            out["values"] = _plain(outputs[:, 0])
        return out

    # ----- model files --------------------------------------------------------------------
    def model(self) -> Model:
        """The current network as a ``Model``: with the upload's preprocessing, or for a
        built-in table an identity one that names its columns, so ``glassnet predict``
        reads a CSV of those columns."""
        data = self.data
        preprocessor = data.extra.get("preprocessor")
        if preprocessor is None:
            columns = [
                {
                    "name": name,
                    "role": "numeric",
                    "median": 0.0,
                    "mean": 0.0,
                    "scale": 1.0,
                    "missing_indicator": False,
                }
                for name in data.feature_names
            ]
            preprocessor = Preprocessor.from_config({"columns": columns, "na_values": []})
        return Model(
            copy.deepcopy(self.net),
            preprocessor,
            task=data.task,
            target=data.target_name,
            classes=data.classes,
            target_mean=data.extra.get("target_mean"),
            target_scale=data.extra.get("target_scale"),
        )

    def save_bytes(self) -> bytes:
        """The current ``model()`` as a ``.safetensors`` model file, by ``glassnet.save``."""
        with tempfile.TemporaryDirectory(prefix="glassnet-playground-") as folder:
            path = os.path.join(folder, "model.safetensors")
            save(self.model(), path)
            with open(path, "rb") as handle:
                return handle.read()

    def load_bytes(self, raw: bytes) -> None:
        """Take a model file's bytes (checked by ``glassnet.load``) as the current network."""
        with tempfile.TemporaryDirectory(prefix="glassnet-playground-") as folder:
            path = os.path.join(folder, "uploaded.safetensors")
            with open(path, "wb") as handle:
                handle.write(raw)
            try:
                loaded = load(path)
            except ValueError as error:
                raise ValueError(str(error).replace(path, "the model file")) from None
        net = loaded.network if isinstance(loaded, Model) else loaded
        # the table as chosen (not as an earlier loaded model encoded it)
        data = self._dataset(self.config["dataset"])
        if isinstance(loaded, Model) and loaded.preprocessor is not None:
            data = self._encoded_for(data, loaded)
        elif "raw" in data.extra:  # an upload: its numbers as given, not standardized
            data = self._bare_for(data, loaded)
        n_features = data.X.shape[1]
        if net.n_inputs != n_features or net.n_outputs != data.y.shape[1]:
            raise ValueError(
                f"the model takes {net.n_inputs} inputs and gives {net.n_outputs} outputs, but "
                f"the {data.name} table has {n_features} inputs and {data.y.shape[1]} "
                "outputs; choose the dataset it was trained on first"
            )
        config = dict(self.config)
        config["hidden"] = [layer.n_out for layer in net.layers[:-1]]
        if len(net.layers) > 1:
            config["activation"] = net.layers[0].activation.name
            if config["initializer"] == "article":  # Reset: hidden neurons that differ
                config["initializer"] = "auto"
        self._install(data, check_config(config), net, loaded=True)

    @classmethod
    def _encoded_for(cls, data: PlayData, model: Model) -> PlayData:
        """The table ``data`` as ``model`` sees it: its raw columns through the model's own
        preprocessing (a model ``glassnet train`` made standardizes the article's 0/1
        marks), its targets in the model's classes or units. Raises ValueError when the
        model reads columns the table lacks, or knows other classes."""
        pre = model.preprocessor
        assert pre is not None
        if "raw" in data.extra:  # an upload, read again as the model reads a table
            raw: Any = cls._upload_as_read(data, pre.na_values, pre.text_columns)
            extra_names = {}
        else:  # a built-in table: its columns, by their English or Japanese names
            wanted = set(pre.feature_names_in_)
            names = data.feature_names
            if not wanted <= set(names) and wanted <= set(data.names_ja.values()):
                names = [data.names_ja.get(name, name) for name in names]
            raw = {name: data.X[:, j] for j, name in enumerate(names)}
            extra_names = {"raw_names": names}
        needed = pre.feature_names_in_
        present = list(raw.columns) if hasattr(raw, "columns") else list(raw)
        if not set(needed) <= set(present):
            raise ValueError(
                f"the model reads the columns {', '.join(needed)}; the {data.name} table has "
                f"{', '.join(present)}: choose the dataset it was trained on first"
            )
        try:
            X = pre.transform(raw)
        except ValueError as error:
            raise ValueError(
                f"the model does not fit the {data.name} table ({error}); choose the dataset "
                "it was trained on first"
            ) from None
        y, extra = data.y, dict(data.extra, preprocessor=pre, **extra_names)
        if data.task != model.task:
            raise ValueError(
                f"the model is a {model.task} model and the {data.name} table a {data.task} "
                "table; choose the dataset it was trained on first"
            )
        if data.classes is not None and [str(c) for c in model.classes or []] != [
            str(c) for c in data.classes
        ]:
            raise ValueError(
                f"the model's classes ({', '.join(map(str, model.classes or []))}) are not the "
                f"{data.name} table's ({', '.join(map(str, data.classes))}); choose the "
                "dataset it was trained on first"
            )
        if data.task == "regression":  # the targets in the model's own units
            values = y * data.extra.get("target_scale", 1.0) + data.extra.get("target_mean", 0.0)
            mean = model.target_mean if model.target_mean is not None else 0.0
            scale = model.target_scale if model.target_scale is not None else 1.0
            y = (values - mean) / scale
            extra.update(target_mean=model.target_mean, target_scale=model.target_scale)
        return dataclasses.replace(
            data, X=X, y=y, feature_names=pre.feature_names_out_, extra=extra
        )
