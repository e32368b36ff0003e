"""scikit-learn estimators on a glassnet ``Network``: ``GlassClassifier`` and ``GlassRegressor``.

They take the parameters of scikit-learn's ``MLPClassifier`` and ``MLPRegressor`` (same names,
same defaults), train the same way (Glorot-uniform weights and biases drawn from
``random_state``, the same mini-batches, Adam, SGD or L-BFGS, the same L2 penalty
``½·alpha·Σ weights² / Σ sample weights`` per batch, the same stopping rule and early
stopping) and expose the same fitted attributes, so switching is a one-line change::

    from glassnet.sklearn import GlassClassifier as MLPClassifier

What they add: ``class_weight``, ``activation="leaky_relu"``, ``validation_loss_curve_``,
``network_``, the trained glassnet ``Network`` (every weight visible; ready for
``glassnet.glassbox`` trace and explain, plots, ``glassnet.onnx.export``),
``categorical_features="from_dtype"`` (a DataFrame's text, category and bool columns one-hot
encoded, missing cells filled, by a ``glassnet.Preprocessor``) and ``to_model()``, the
``glassnet.Model`` that saves to a safetensors file, weights and JSON only, nothing
executable, and loads predicting what the estimator predicts::

    glassnet.save(clf, "model.safetensors")  # saves clf.to_model()
    glassnet.load("model.safetensors").predict(X)  # == clf.predict(X), labels included

This module needs scikit-learn and SciPy: ``pip install 'glassnet[sklearn]'``.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import numpy as np

try:
    import scipy.optimize
    import scipy.sparse
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import accuracy_score, r2_score
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import LabelBinarizer
    from sklearn.utils import check_random_state, column_or_1d, gen_batches, shuffle
    from sklearn.utils.class_weight import compute_sample_weight
    from sklearn.utils.metaestimators import available_if
    from sklearn.utils.multiclass import (
        check_classification_targets,
        type_of_target,
        unique_labels,
    )
    from sklearn.utils.validation import (
        check_array,
        check_consistent_length,
        check_is_fitted,
        validate_data,
    )
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        f"glassnet.sklearn needs scikit-learn and SciPy ({error}); "
        "install them with: pip install 'glassnet[sklearn]'"
    ) from error

from glassnet._types import Array
from glassnet.build import build_network, make_optimizer, output_and_cost
from glassnet.callbacks import BestWeights
from glassnet.metrics import predicted_classes
from glassnet.model import Model
from glassnet.optimizers import SGD, Optimizer
from glassnet.preprocessing import Preprocessor, Scaler, as_frame
from glassnet.table import NA_VALUES
from glassnet.training import History, blas_threads_for
from glassnet.validation import (
    choice,
    fraction,
    non_negative_number,
    positive_int,
    positive_number,
    sample_weights,
    shown,
)

__all__ = ["GlassClassifier", "GlassRegressor"]

HIDDEN_ACTIVATIONS = {
    "identity": "identity",
    "logistic": "sigmoid",
    "tanh": "tanh",
    "relu": "relu",
    "leaky_relu": "leaky_relu",
}
"""scikit-learn's activation names → glassnet's."""

_SKLEARN_OUTPUTS = {
    "softmax": "softmax",
    "sigmoid": "logistic",
    "identity": "identity",
    "exp": "exp",
}
"""glassnet's output activation → scikit-learn's name for it (``out_activation_``)."""


def _dense(X: Any) -> Array:
    """Rows of ``X`` as a dense array (a sparse batch is densified one batch at a time)."""
    return X.toarray() if scipy.sparse.issparse(X) else X  # type: ignore[no-any-return]


def _set_learning_rate(optimizer: Optimizer, rate: float) -> None:
    """Change the learning rate between epochs as scikit-learn's SGD does.

    scikit-learn's momentum keeps the velocity in steps (rate × gradient), glassnet's (like
    PyTorch's) in gradients; rescaling the velocity by old rate / new rate keeps the next
    steps equal to scikit-learn's.
    """
    if isinstance(optimizer, SGD):
        optimizer.scale_velocity(optimizer.learning_rate / rate)
    optimizer.learning_rate = rate


def _check_sample_weight(sample_weight: Any, n_samples: int, dtype: np.dtype) -> Array:
    """``sample_weight`` as a fresh (n_samples,) array: finite, non-negative, not all zero.

    The rules of ``Network.check_sample_weight`` (``validation.sample_weights``) and two of
    scikit-learn's more: a scalar is every sample's weight, and all-zero weights are refused
    (scikit-learn's loss divides by the weights' sum). It runs before ``network_`` exists
    (the first fit builds it from the checked data).
    """
    if sample_weight is None:
        return np.ones(n_samples, dtype=dtype)
    weights = np.array(sample_weight, dtype=dtype)
    if weights.ndim == 0:
        weights = np.full(n_samples, weights, dtype=dtype)
    weights = sample_weights(weights, n_samples, dtype)
    if not np.any(weights > 0):
        raise ValueError("sample_weight must contain at least one non-zero weight")
    return weights


def _target_name(y: Any) -> str:
    """The name ``glassnet predict`` gives the answers of a saved ``network_``: the name of a
    pandas Series ``y`` (or of a one-column DataFrame's column), else "prediction"."""
    columns = getattr(y, "columns", None)  # a DataFrame: its .name would be a column
    if columns is not None:
        name = columns[0] if len(columns) == 1 else None
    else:
        name = getattr(y, "name", None)
    return "prediction" if name is None else str(name)


def _categorical_columns(X: Any) -> list[str]:
    """The columns of ``X`` that ``categorical_features="from_dtype"`` treats as categories:
    pandas category, object, string, bool and datetime columns; polars String, Categorical,
    Enum, Boolean, Date, Datetime and Time ones (dates are categories, as ``glassnet train``
    reads them: they were refused as "not numbers"). An array has none (as in
    HistGradientBoosting)."""
    library = type(X).__module__.split(".")[0]
    if library == "pandas":
        # by the dtype's kind, without importing pandas: "O" for object, category and the
        # string dtypes, "b" for bool and "boolean", "U"/"S" for Arrow-backed text, "M"
        # for datetime64 (with a time zone too)
        return [
            str(name)
            for name, dtype in X.dtypes.items()
            if getattr(dtype, "kind", None) in ("O", "b", "U", "S", "M")
        ]
    if library == "polars":
        import polars as pl

        kinds = (pl.String, pl.Categorical, pl.Enum, pl.Boolean, pl.Date, pl.Datetime, pl.Time)
        return [name for name, dtype in X.schema.items() if dtype.base_type() in kinds]
    return []


def _weighted_median(values: Array, weights: Array) -> float:
    """The median of ``values`` : (n,) where each counts ``weights`` : (n,) (all > 0) times.

    The value where the cumulative weight reaches half the total; where it reaches exactly
    half at a value's end, the mean of that value and the next (as ``np.median`` takes the
    two middle values). With integer weights it is the median of the repeated values; with
    unit weights, ``np.median``'s.
    """
    order = np.argsort(values, kind="stable")
    values, cumulative = values[order], np.cumsum(weights[order])
    half = cumulative[-1] / 2
    middle = int(np.searchsorted(cumulative, half))  # the first reaching half
    if cumulative[middle] == half:  # below the total: a value follows
        return float((values[middle] + values[middle + 1]) / 2)
    return float(values[middle])


def _fit_preprocessor(X: Any, weights: Array) -> Preprocessor:
    """A ``Preprocessor`` fitted on the rows of ``X`` with their sample ``weights`` : (n,).

    Every column is kept: the categorical ones by dtype (one-hot, missing as its own level),
    the others numeric, standardized (``(x − mean) / scale``) as ``glassnet train`` does, a
    missing cell filled with the column's median plus a 0/1 "COL (missing)" input.

    The median, mean and scale are weighted (a weight-2 row counts as two rows) and rows of
    weight 0 are left out, so weights give the encoding that repeating or dropping rows
    would: scikit-learn's sample-weight contract, which the Preprocessor's own unweighted
    statistics would break. The Preprocessor decides the roles and categories (on the rows
    of positive weight); its numeric statistics are then replaced through its config.
    """
    categorical = _categorical_columns(X)
    # the markers glassnet train reads as missing ("NA", "?", …), as pandas.read_csv does:
    # the saved model then reads a CSV file (glassnet predict) as the estimator did its
    # DataFrame, a text cell "NA" missing on both routes
    frame = as_frame(X, na_values=NA_VALUES)
    numeric = [name for name in frame.columns if name not in categorical]
    kept = weights > 0
    preprocessor = Preprocessor().fit(
        frame,
        categorical=categorical,
        numeric=numeric,
        na_values=NA_VALUES,
        fit_rows=None if kept.all() else np.flatnonzero(kept),
    )
    config = preprocessor.get_config()
    columns = [column for column in config["columns"] if column["role"] == "numeric"]
    if not columns:
        return preprocessor
    names = [column["name"] for column in columns]
    # (n_kept, n_numeric) float64, NaN where a cell is missing
    values = np.column_stack([frame[name].cast(float).to_numpy() for name in names])[kept]
    weights = weights[kept]
    present = ~np.isnan(values)
    medians = [
        _weighted_median(values[present[:, j], j], weights[present[:, j]])
        for j in range(len(names))
    ]
    filled = np.where(present, values, medians)
    # as the Preprocessor: on each column divided by its largest |value|, so that values
    # near the float64 limit neither overflow nor lose the small ones
    size = np.abs(filled).max(axis=0)
    size[size == 0.0] = 1.0
    units = filled / size
    unit_mean = np.average(units, axis=0, weights=weights)
    unit_scale = np.sqrt(np.average((units - unit_mean) ** 2, axis=0, weights=weights))
    # the Preprocessor's rules: a constant column gets scale 1, an overflowing one refused
    scaler = Scaler().set_from_units(size, unit_mean, unit_scale, names)
    assert scaler.mean is not None and scaler.scale is not None
    for j, column in enumerate(columns):
        column["median"] = medians[j]
        column["mean"] = float(scaler.mean[j])
        column["scale"] = float(scaler.scale[j])
    return Preprocessor.from_config(config)


class _GlassPerceptron(BaseEstimator):  # type: ignore[misc]
    """What ``GlassClassifier`` and ``GlassRegressor`` share: the network and its training."""

    _scorer: Callable[..., float]

    def _keep_params(self, params: dict[str, Any]) -> None:
        """Store each ``__init__`` argument, unchanged, under its own name.

        scikit-learn reads the parameters from the concrete class's ``__init__`` signature
        (so each estimator spells its own out, once) and wants ``__init__`` to do nothing
        else; the values are checked in ``fit``. ``params`` is that ``__init__``'s
        ``locals()``.
        """
        for name, value in params.items():
            if name != "self":
                setattr(self, name, value)

    # ----- the network's arrays, as scikit-learn names them --------------------------
    @property
    def coefs_(self) -> list[Array]:
        """The weight matrix of each layer, ``(n_in, n_out)``: the network's own arrays."""
        check_is_fitted(self, "network_")
        return [layer.weights for layer in self.network_.layers]

    @property
    def intercepts_(self) -> list[Array]:
        """The bias vector of each layer, ``(n_out,)``: the network's own arrays."""
        check_is_fitted(self, "network_")
        return [layer.bias for layer in self.network_.layers]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tables = self.categorical_features == "from_dtype"
        tags.input_tags.sparse = not tables
        # a table's missing cells are encoded by preprocessor_ (its text columns too, but
        # the "categorical" tag would make scikit-learn's checks round every X to integers)
        tags.input_tags.allow_nan = tables
        return tags

    # ----- checks ----------------------------------------------------------------------
    def _hidden_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        for size in sizes:
            if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
                raise ValueError(
                    f"hidden_layer_sizes must hold positive integers, e.g. (100,) or (64, 32); "
                    f"got {self.hidden_layer_sizes!r}"
                )
        return [int(size) for size in sizes]

    def _check_params(self) -> None:
        # glassnet's shared checks: one line naming the parameter, the rule and the value
        if self.categorical_features is not None:
            choice(self.categorical_features, "categorical_features", ("from_dtype",))
        choice(self.activation, "activation", tuple(HIDDEN_ACTIVATIONS))
        choice(self.solver, "solver", ("lbfgs", "sgd", "adam"))
        choice(self.learning_rate, "learning_rate", ("constant", "invscaling", "adaptive"))
        if self.batch_size != "auto":
            positive_int(self.batch_size, "batch_size")
        for name in ("max_iter", "max_fun"):
            positive_int(getattr(self, name), name)
        if self.n_iter_no_change != np.inf:
            positive_int(self.n_iter_no_change, "n_iter_no_change")
        for name in ("alpha", "power_t", "tol"):
            non_negative_number(getattr(self, name), name)
        for name in ("learning_rate_init", "epsilon"):
            positive_number(getattr(self, name), name)
        for name in ("momentum", "validation_fraction", "beta_1", "beta_2"):
            fraction(getattr(self, name), name)
        self._hidden_sizes()

    # ----- what each estimator decides -------------------------------------------------
    def _validate_input(
        self, X: Any, y: Any, sample_weight: Any, incremental: bool, reset: bool
    ) -> tuple[Any, Array, Array | None]:
        """Return ``X``, the targets ``Y`` (n_samples, n_outputs) in X's float dtype, and
        each sample's class weight (None without ``class_weight``). ``sample_weight`` (as
        ``fit`` takes it) weighs the rows for ``preprocessor_``."""
        raise NotImplementedError

    def _task(self) -> str:
        """The task of ``glassnet.build.output_and_cost`` that gives the output and cost."""
        raise NotImplementedError

    def _targets(self, Y: Array) -> Array:
        """The targets as ``predict`` gives them, from the network's encoding ``Y``."""
        raise NotImplementedError

    # ----- training ----------------------------------------------------------------------
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Any:
        """Train the network on ``X`` : (n_samples, n_features) and targets ``y``.

        Parameters
        ----------
        X : array-like or sparse matrix, (n_samples, n_features).
        y : (n_samples,) or (n_samples, n_outputs): class labels or values.
        sample_weight : (n_samples,), optional: each sample's weight in the loss.

        Returns
        -------
        self, with ``network_`` trained (save it with ``glassnet.save(est, path)``).
        """
        return self._fit(X, y, sample_weight, incremental=False)

    def _check_solver(self) -> bool:
        if self.solver not in ("sgd", "adam"):
            raise AttributeError(
                f"partial_fit is only available for the stochastic solvers 'sgd' and 'adam'; "
                f"solver={self.solver!r}"
            )
        return True

    def _fit(self, X: Any, y: Any, sample_weight: Any, incremental: bool) -> Any:
        self._check_params()
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        first_pass = not hasattr(self, "network_") or (not self.warm_start and not incremental)
        target_name = _target_name(y)  # before validation turns a pandas Series into an array
        X, Y, class_weights = self._validate_input(
            X, y, sample_weight, incremental, reset=first_pass
        )
        weights = _check_sample_weight(sample_weight, X.shape[0], X.dtype)
        if class_weights is not None:
            weights *= class_weights
            if not np.any(weights > 0):
                raise ValueError(
                    "class_weight gives every sample a zero weight; give some class a "
                    "positive weight"
                )
        units = [X.shape[1], *self._hidden_sizes(), Y.shape[1]]
        # a fresh generator from random_state on every call, as scikit-learn does
        rng = check_random_state(self.random_state)
        if first_pass:
            self._initialize(units, X.dtype, rng)
            self.network_.metadata["target_name"] = target_name
        elif [self.network_.n_inputs] + [layer.n_out for layer in self.network_.layers] != units:
            raise ValueError(
                f"warm_start/partial_fit need the same layer sizes as the first fit "
                f"({self.network_.n_inputs}, {[ly.n_out for ly in self.network_.layers]}); "
                f"got {units}. Set warm_start=False to start again"
            )
        if self.solver == "lbfgs":
            with blas_threads_for(self.network_.layers, X.shape[0]):
                self._fit_lbfgs(_dense(X), Y, weights)
            batch_size = X.shape[0]
        else:
            batch_size = self._fit_stochastic(X, Y, weights, incremental, rng)
        # training moved each layer's l2 with every batch's weight sum; leave the value of
        # a full batch of unit-weight samples, as glassnet train stores it (see _set_l2)
        self._set_l2(self.alpha / batch_size)
        if not all(np.all(np.isfinite(p)) for p in self._parameters()):
            # scikit-learn's words first (its own tests match them), then the fix
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may contain "
                "large values and need to be preprocessed: scale it (e.g. StandardScaler) "
                "or lower learning_rate_init"
            )
        self._record_history()
        return self

    def _record_history(self) -> None:
        """Copy the curves into ``network_.history``, so a saved model keeps them."""
        history = History()
        for i, cost in enumerate(self.loss_curve_):
            logs = {"cost": cost}
            if self.validation_loss_curve_:
                logs["val_cost"] = self.validation_loss_curve_[i]
            if self.validation_scores_:
                logs["val_" + self._scorer.__name__.removesuffix("_score")] = (
                    self.validation_scores_[i]
                )
            history.record(i + 1, logs)
        self.network_.history = history

    def _initialize(self, units: list[int], dtype: np.dtype, rng: np.random.RandomState) -> None:
        """Build ``network_`` with scikit-learn's initial weights; reset the fitted state."""
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = units[-1]
        self.n_layers_ = len(units)
        task = self._task()
        out_activation, cost = output_and_cost(task, self.n_outputs_)
        self.out_activation_ = _SKLEARN_OUTPUTS[out_activation]
        seed = int(self.random_state) if isinstance(self.random_state, numbers.Integral) else None
        # the shared builder (one rule for the output and cost; a network too large for
        # this machine refused before anything is allocated) ...
        self.network_ = build_network(
            units[0],
            units[-1],
            task=task,
            hidden=units[1:-1],
            activation=HIDDEN_ACTIVATIONS[self.activation],
            seed=seed,
            dtype=np.dtype(dtype).name,
        )
        # ... then scikit-learn's initial weights, drawn from random_state as MLP draws them:
        # Glorot uniform for weights and biases alike, a narrower range for sigmoid units
        factor = 2.0 if self.activation == "logistic" else 6.0
        initial = []
        for fan_in, fan_out in pairwise(units):
            bound = np.sqrt(factor / (fan_in + fan_out))
            initial.append(rng.uniform(-bound, bound, (fan_in, fan_out)))
            initial.append(rng.uniform(-bound, bound, fan_out))
        self.network_.set_weights(initial)
        self.network_.metadata.update(self._metadata())
        # scikit-learn's losses average over samples but sum over outputs (squared error is
        # halved, and reported averaged over outputs); glassnet's mse and binary cross-entropy
        # average over every element, its categorical cross-entropy and poisson over samples.
        # Scaling each sample's weight by this factor makes the gradients equal.
        n_out = self.n_outputs_
        self._weight_factor = {"mse": n_out / 2, "binary_crossentropy": n_out}.get(cost, 1.0)
        self._loss_scale = 1.0 / n_out if cost == "mse" else 1.0
        self._optimizer: Optimizer | None = None
        self.loss_curve_: list[float] = []
        self._no_improvement_count = 0
        # early stopping applies to the stochastic solvers only, as in scikit-learn
        stopping = self.early_stopping and self.solver != "lbfgs"
        self.best_loss_: float | None = None if stopping else np.inf
        self.validation_scores_: list[float] | None = [] if stopping else None
        self.best_validation_score_: float | None = -np.inf if stopping else None
        self.validation_loss_curve_: list[float] | None = [] if stopping else None
        # glassnet's one best-weights keeper, on scikit-learn's rule: the weights of the
        # epoch with the highest validation score (a strict improvement, NaN never is one)
        self._best_weights = BestWeights(monitor="val_score", mode="max")
        self._best_weights.network = self.network_

    def _metadata(self) -> dict[str, Any]:
        # the network's inputs: the encoded columns with a preprocessor, else X's columns
        preprocessor = getattr(self, "preprocessor_", None)
        names = getattr(self, "feature_names_in_", None)
        if preprocessor is not None:
            names = preprocessor.feature_names_out_
        return {
            "task": self._task(),
            "estimator": type(self).__name__,
            "feature_names": None if names is None else [str(n) for n in names],
        }

    # ----- tables (categorical_features="from_dtype") ------------------------------------
    def _check_data(
        self, X: Any, y: Any, sample_weight: Any, reset: bool, y_numeric: bool
    ) -> tuple[Any, Any]:
        """``X`` as the network's input (n_samples, n_inputs) and ``y`` checked.

        With ``categorical_features=None`` scikit-learn's checks, as MLP's; with "from_dtype"
        the table's columns are encoded by ``preprocessor_`` (fitted when ``reset``, on the
        rows weighted by ``sample_weight``).
        """
        if self.categorical_features is None:
            return self._check_numbers(  # type: ignore[no-any-return]
                X,
                y,
                accept_sparse=["csr", "csc"],
                multi_output=True,
                y_numeric=y_numeric,
                dtype=(np.float64, np.float32),
                reset=reset,
            )
        if y is None:  # scikit-learn's words, which its checks match
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None"
            )
        X = self._check_table(X, reset)
        y = check_array(y, ensure_2d=False, dtype="numeric" if y_numeric else None, input_name="y")
        if reset:
            weights = _check_sample_weight(sample_weight, X.shape[0], np.dtype(np.float64))
            self.preprocessor_ = _fit_preprocessor(X, weights)
        encoded = self.preprocessor_.transform(X)
        check_consistent_length(encoded, y)
        return encoded, y

    def _check_numbers(self, X: Any, y: Any = "no_validation", **options: Any) -> Any:
        """scikit-learn's ``validate_data`` (``options`` are its), with the way out added to
        its message for a text cell: with ``categorical_features=None`` every cell must be a
        number."""
        try:
            return validate_data(self, X, y, **options)
        except ValueError as error:
            if not str(error).startswith("could not convert string to float"):
                raise
            # scikit-learn's words first (they are numpy's, which users search for)
            raise ValueError(
                f"{error}; for text or category columns pass categorical_features='from_dtype'"
            ) from None

    def _check_table(self, X: Any, reset: bool) -> Any:
        """``X`` for ``preprocessor_``: 2-D, not sparse, at least one column; its column
        names and count checked (and kept when ``reset``) as scikit-learn does."""
        if scipy.sparse.issparse(X):
            raise TypeError(
                "categorical_features='from_dtype' does not support sparse input: it reads "
                "the columns of a table; pass a sparse matrix with categorical_features=None"
            )
        if not hasattr(X, "columns"):
            # not a DataFrame: an array has no column types, so every column is numeric (as
            # in HistGradientBoosting); missing cells (NaN) are allowed
            X = check_array(X, dtype=(np.float64, np.float32), ensure_all_finite="allow-nan")
        shape = X.shape
        if len(shape) != 2:
            raise ValueError(
                f"Expected a 2-D table (n_samples, n_features); got shape {shape}. Reshape "
                "your data: one sample → reshape(1, -1), one feature → reshape(-1, 1)"
            )
        if shape[1] == 0:
            raise ValueError(
                f"0 feature(s) (shape={shape}) while a minimum of 1 is required; give X at "
                "least one column"
            )
        # the cells are the preprocessor's to read (text, missing)
        validate_data(self, X, skip_check_array=True, reset=reset)
        return X

    def to_model(self) -> Model:
        """The fitted estimator as a ``glassnet.Model``: what ``glassnet.save`` stores.

        The model holds ``network_`` itself (not a copy), the task, the class labels
        (``classes_``, in output order; multilabel: the label columns' indices), the target's
        name and, with ``categorical_features="from_dtype"``, ``preprocessor_``, so
        ``model.predict(rows)`` equals ``predict(rows)``: a table (pandas or polars
        DataFrame, a dict of columns) read by column name; without a preprocessor, a 2-D
        array (or DataFrame) whose columns are the training columns in order.

        Raises
        ------
        ValueError for a classifier fitted on one class only: a model file needs two.
        """
        check_is_fitted(self, "network_")
        classes = getattr(self, "classes_", None)
        if classes is not None and len(classes) < 2:
            raise ValueError(
                f"this classifier was fitted on one class only ({classes[0]!r}); a model "
                "needs examples of at least two classes: fit it on data with two or more"
            )
        return Model(
            self.network_,
            getattr(self, "preprocessor_", None),
            task=self._task(),
            target=self.network_.metadata.get("target_name"),
            classes=None if classes is None else classes.tolist(),
        )

    def _parameters(self) -> list[Array]:
        """What the optimizer moves: every layer's weights, then every layer's bias.

        scikit-learn's order, so L-BFGS sums its dot products in the same order too.
        """
        layers = self.network_.layers
        return [layer.weights for layer in layers] + [layer.bias for layer in layers]

    def _gradients(self) -> list[Array]:
        """The gradients of ``_parameters()``, in the same order."""
        layers = self.network_.layers
        grads = [layer.grad_weights for layer in layers] + [layer.grad_bias for layer in layers]
        assert all(g is not None for g in grads)
        return grads  # type: ignore[return-value]

    def _set_l2(self, l2: float) -> None:
        """Give every layer of ``network_`` the L2 strength ``l2``.

        During training it is ``alpha / Σ weights`` of the current batch (scikit-learn's
        penalty); after ``fit``, ``alpha / batch size``: see the estimators' ``network_``.
        """
        for layer in self.network_.layers:
            layer.l2 = l2

    def _cost_weights(self, weights: Array) -> Array:
        """Per-sample weights for glassnet's cost so it equals scikit-learn's loss of a batch.

        scikit-learn divides the loss of a batch, and its L2 term ``½·alpha·Σ weights²``, by
        the batch's weight sum; glassnet's costs divide by the sample count. So each layer's
        ``l2`` becomes ``alpha / Σ weights`` (until the next batch) and the weights are
        rescaled to mean ``_weight_factor``.
        """
        weight_sum = float(weights.sum())
        self._set_l2(self.alpha / weight_sum)
        scaled: Array = weights * (self._weight_factor * weights.shape[0] / weight_sum)
        return scaled

    def _train_loss(self, X: Array, Y: Array, weights: Array) -> float:
        """Feedforward and backpropagate one batch; return its loss (gradients in the layers)."""
        cost_weights = self._cost_weights(weights)
        self.network_.feedforward(X, training=True)
        cost = self.network_.backpropagate(Y, cost_weights)
        return cost * self._loss_scale + self.network_.penalty()

    def _new_optimizer(self) -> Optimizer:
        if self.solver == "adam":
            return make_optimizer(
                "adam",
                self.learning_rate_init,
                beta_1=self.beta_1,
                beta_2=self.beta_2,
                epsilon=self.epsilon,
            )
        return make_optimizer(
            "sgd",
            self.learning_rate_init,
            momentum=self.momentum,
            nesterov=self.nesterovs_momentum and self.momentum > 0,
        )

    def _fit_stochastic(
        self, X: Any, Y: Array, weights: Array, incremental: bool, rng: np.random.RandomState
    ) -> int:
        """Adam or SGD over mini-batches; returns the batch size used."""
        if not incremental or self._optimizer is None:
            self._optimizer = self._new_optimizer()
        optimizer = self._optimizer
        params, grads = self._parameters(), self._gradients()
        validation = None
        if self.early_stopping:
            X, Y, weights, validation = self._split_validation(X, Y, weights, rng)
        n_samples: int = X.shape[0]
        if self.batch_size == "auto":
            batch_size = min(200, n_samples)
        else:
            if self.batch_size > n_samples:
                warnings.warn(
                    f"batch_size={self.batch_size} is larger than the {n_samples} training "
                    "samples; it is clipped to that",
                    stacklevel=4,
                )
            batch_size = min(int(self.batch_size), n_samples)
        order = np.arange(n_samples)
        # small products run BLAS on one thread, as Network.fit does: on a busy machine
        # two threads made a 1.9 M-product network 10-50 times slower
        with blas_threads_for(self.network_.layers, batch_size):
            try:
                self.n_iter_ = 0
                for _ in range(self.max_iter):
                    if self.shuffle:
                        order = shuffle(order, random_state=rng)
                    total = 0.0
                    for batch in gen_batches(n_samples, batch_size):
                        rows = order[batch]
                        if not np.any(weights[rows] > 0):
                            continue  # a batch of zero weights carries no gradient
                        loss = self._train_loss(_dense(X[rows]), Y[rows], weights[rows])
                        total += loss * len(rows)
                        optimizer.update(params, grads)
                    self.n_iter_ += 1
                    self.t_ += n_samples
                    self.loss_ = total / n_samples
                    self.loss_curve_.append(self.loss_)
                    if self.verbose:
                        print(f"Iteration {self.n_iter_}, loss = {self.loss_:.8f}")
                    self._update_no_improvement_count(validation)
                    if self.solver == "sgd" and self.learning_rate == "invscaling":
                        _set_learning_rate(
                            optimizer, self.learning_rate_init / (self.t_ + 1) ** self.power_t
                        )
                    if self._no_improvement_count > self.n_iter_no_change:
                        if self._lower_learning_rate(optimizer):
                            self._no_improvement_count = 0
                        else:
                            break
                    if incremental:
                        break
                    if self.n_iter_ == self.max_iter:
                        warnings.warn(
                            f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached "
                            "and the optimization hasn't converged yet.",
                            ConvergenceWarning,
                            stacklevel=4,
                        )
            except KeyboardInterrupt:
                warnings.warn("Training interrupted by user.", stacklevel=4)
        if self.early_stopping:
            self._best_weights.restore()
        return batch_size

    def _lower_learning_rate(self, optimizer: Optimizer) -> bool:
        """After ``n_iter_no_change`` epochs without progress: divide an adaptive rate by 5
        and go on (True), or stop (False)."""
        what = "Validation score" if self.early_stopping else "Training loss"
        message = (
            f"{what} did not improve more than tol={self.tol:f} for "
            f"{self.n_iter_no_change} consecutive epochs."
        )
        adaptive = self.solver == "sgd" and self.learning_rate == "adaptive"
        if adaptive and optimizer.learning_rate > 1e-6:
            _set_learning_rate(optimizer, optimizer.learning_rate / 5.0)
            if self.verbose:
                print(f"{message} Setting learning rate to {optimizer.learning_rate:f}")
            return True
        if self.verbose:
            print(f"{message} Stopping.")
        return False

    def _split_validation(
        self, X: Any, Y: Array, weights: Array, rng: np.random.RandomState
    ) -> tuple[Any, Array, Array, tuple[Any, Array, Array]]:
        """Hold out ``validation_fraction`` of the samples (stratified for two classes)."""
        stratify = self._stratify(Y)
        hint = (
            f"early_stopping holds out validation_fraction={self.validation_fraction} of the "
            f"{X.shape[0]} samples"
        )
        try:
            train, val = train_test_split(
                np.arange(X.shape[0]),
                random_state=rng,
                test_size=self.validation_fraction,
                stratify=stratify,
            )
        except ValueError as error:
            raise ValueError(
                f"{hint}, which fails: {error}; increase validation_fraction or give more data"
            ) from None
        if len(val) < 2:
            raise ValueError(
                f"The validation set is too small: {len(val)} sample(s) where it needs at least "
                f"2 ({hint}); increase validation_fraction or give more data"
            )
        return X[train], Y[train], weights[train], (X[val], Y[val], weights[val])

    def _stratify(self, Y: Array) -> Array | None:
        return None

    def _update_no_improvement_count(self, validation: tuple[Any, Array, Array] | None) -> None:
        if validation is None:
            assert self.best_loss_ is not None
            if self.loss_curve_[-1] > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            self.best_loss_ = min(self.best_loss_, self.loss_curve_[-1])
            return
        assert self.validation_scores_ is not None and self.validation_loss_curve_ is not None
        assert self.best_validation_score_ is not None
        X_val, Y_val, w_val = validation
        cost_weights = self._cost_weights(w_val)
        outputs = self.network_.feedforward(_dense(X_val))
        cost = self.network_.cost_function(outputs, Y_val, cost_weights)
        self.validation_loss_curve_.append(cost * self._loss_scale + self.network_.penalty())
        if np.all(np.isfinite(outputs)):
            score = float(
                self._scorer(self._targets(Y_val), self._targets(outputs), sample_weight=w_val)
            )
        else:
            score = np.nan
        self.validation_scores_.append(score)
        if self.verbose:
            print(f"Validation score: {score:f}")
        if not score >= self.best_validation_score_ + self.tol:  # NaN counts as no progress
            self._no_improvement_count += 1
        else:
            self._no_improvement_count = 0
        if self._best_weights.update(score, len(self.validation_scores_)):
            self.best_validation_score_ = score

    def _fit_lbfgs(self, X: Array, Y: Array, weights: Array) -> None:
        """Full-batch L-BFGS (SciPy's L-BFGS-B) on the packed weights and biases."""
        params, grads = self._parameters(), self._gradients()

        def loss_and_gradient(packed: Array) -> tuple[float, Array]:
            self._unpack(packed, params)
            loss = self._train_loss(X, Y, weights)
            return loss, np.concatenate([g.ravel() for g in grads]).astype(np.float64)

        def after_iteration(intermediate_result: Any) -> None:
            self.loss_curve_.append(float(intermediate_result.fun))
            if self.verbose:
                print(f"Iteration {len(self.loss_curve_)}, loss = {self.loss_curve_[-1]:.8f}")

        result = scipy.optimize.minimize(
            loss_and_gradient,
            np.concatenate([p.ravel() for p in params]).astype(np.float64),
            method="L-BFGS-B",
            jac=True,
            callback=after_iteration,
            options={"maxfun": self.max_fun, "maxiter": self.max_iter, "gtol": self.tol},
        )
        self._unpack(result.x, params)
        self.n_iter_ = min(int(result.nit), self.max_iter)
        self.t_ += X.shape[0] * self.n_iter_
        self.loss_ = float(result.fun)
        self.best_loss_ = min(self.loss_curve_, default=self.loss_)
        if not result.success:
            message = result.message
            message = message.decode() if isinstance(message, bytes) else str(message)
            warnings.warn(
                f"lbfgs failed to converge after {self.n_iter_} iterations ({message}). "
                "Increase max_iter (or max_fun), or scale the data, e.g. with StandardScaler",
                ConvergenceWarning,
                stacklevel=4,
            )

    @staticmethod
    def _unpack(packed: Array, params: list[Array]) -> None:
        start = 0
        for param in params:
            np.copyto(param, packed[start : start + param.size].reshape(param.shape))
            start += param.size

    # ----- prediction --------------------------------------------------------------------
    def _output_activations(self, X: Any, check_input: bool = True) -> Array:
        """The network's outputs (n_samples, n_outputs) for ``X``."""
        check_is_fitted(self, "network_")
        if check_input and self.categorical_features is not None:
            X = self.preprocessor_.transform(self._check_table(X, reset=False))
        elif check_input:
            X = self._check_numbers(
                X,
                accept_sparse=["csr", "csc"],
                dtype=(np.float64, np.float32),
                reset=False,
            )
        if not scipy.sparse.issparse(X):
            return self.network_.predict_outputs(X)
        chunk = 4096
        return np.concatenate(
            [
                self.network_.predict_outputs(X[start : start + chunk].toarray())
                for start in range(0, X.shape[0], chunk)
            ]
        )


class GlassClassifier(ClassifierMixin, _GlassPerceptron):  # type: ignore[misc]
    """A multi-layer perceptron classifier: scikit-learn's ``MLPClassifier``, in glassnet.

    Every parameter of ``MLPClassifier`` has the same name, default and meaning; see its
    documentation. In short:

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default (100,): neurons per hidden layer.
    activation : {"identity", "logistic", "tanh", "relu", "leaky_relu"}, default "relu":
        the hidden layers' activation ("leaky_relu", slope 0.01, is glassnet's addition).
    solver : {"adam", "sgd", "lbfgs"}, default "adam".
    alpha : L2 penalty; the loss gains ½·alpha·Σ weights² / (sum of the batch's weights).
    batch_size : int or "auto" (min(200, n_samples)), for "adam" and "sgd".
    learning_rate : {"constant", "invscaling", "adaptive"}, the schedule of "sgd".
    learning_rate_init, power_t, momentum, nesterovs_momentum : "sgd"'s step settings
        (``learning_rate_init`` is also Adam's rate).
    beta_1, beta_2, epsilon : Adam's settings.
    max_iter : epochs for "adam"/"sgd", iterations for "lbfgs"; max_fun : loss evaluations
        for "lbfgs".
    tol, n_iter_no_change : stop when the training loss (or, with ``early_stopping``, the
        validation accuracy) has not improved by ``tol`` for ``n_iter_no_change`` epochs.
    early_stopping, validation_fraction : hold out a fraction of the training data (the same
        samples scikit-learn holds out: stratified for binary targets) and keep the weights
        of the epoch with the best validation accuracy.
    shuffle, random_state, verbose, warm_start : as in scikit-learn.
    categorical_features : None or "from_dtype", default None (glassnet's addition, as
        HistGradientBoosting's): with "from_dtype", ``X`` may be a pandas or polars
        DataFrame whose category, object/string, bool and date/datetime columns become
        one-hot inputs
        (``"col=level"``; a missing cell is the level "(missing)", an unseen level at predict
        time all zeros) and whose other columns are numbers, standardized (mean 0, scale 1
        on the training rows, as ``glassnet train`` does), a missing cell filled with the
        training median plus a 0/1 input ``"col (missing)"``; an array's columns are all
        numbers (NaN allowed). The median, mean and scale are weighted by ``sample_weight``
        (a weight-2 row counts twice). ``preprocessor_`` (a ``glassnet.Preprocessor``) holds
        the encoding; it is fitted by the first ``fit``/``partial_fit``. With None (as
        MLPClassifier) the numbers are used as given: scale them yourself.
    class_weight : dict {class label: weight}, "balanced" or None (glassnet's addition):
        multiplies each sample's weight by its class's weight; "balanced" uses
        n_samples / (n_classes · class count). For a multilabel ``y`` (n_samples, n_labels),
        scikit-learn's multi-output rule: "balanced" or a list of one dict {0: w, 1: w} per
        label column, and a sample's weight is the product over its labels.

    Attributes
    ----------
    classes_, coefs_, intercepts_, loss_, loss_curve_, best_loss_, validation_scores_,
    best_validation_score_, t_, n_iter_, n_layers_, n_outputs_, out_activation_,
    n_features_in_, feature_names_in_ : as ``MLPClassifier``'s. ``coefs_[i]`` and
    ``intercepts_[i]`` are the weights and bias arrays of ``network_.layers[i]`` itself.
    validation_loss_curve_ : list of float or None: with ``early_stopping``, the loss on the
        validation set after each epoch (glassnet's addition).
    network_ : glassnet.Network, the trained network; ``network_.metadata`` holds the class
        labels, the feature names and ``target_name`` (the name of a pandas Series ``y``,
        else "prediction"), so ``glassnet predict`` can answer a CSV with it. Save it with
        ``glassnet.save(clf, path)`` (which saves ``clf.to_model()``), export it with
        ``glassnet.onnx.export(clf, path)``.

        After ``fit`` every layer's ``l2`` is ``alpha / b``, b the batch size (``batch_size``
        clipped to the training rows; every row for "lbfgs"): the L2 strength of
        scikit-learn's loss for a full batch of unit-weight samples, as ``glassnet train
        --alpha`` stores it, so a later ``network_.fit(..., batch_size=b)`` keeps the
        penalty. Hence ``network_.cost(X, Y)`` (``Y`` the network's encoding: a 0/1 column
        for two classes, one-hot columns for more) is the loss of the final weights with
        that penalty: with ``solver="lbfgs"``, no sample weights and one label per sample it
        equals ``loss_``. With "adam"/"sgd", ``loss_`` is the mean loss of the last epoch's
        batches while the weights still moved, so it is only close. A multilabel ``loss_``
        sums the labels' losses where the cost averages them.
    preprocessor_ : glassnet.Preprocessor, with ``categorical_features="from_dtype"`` only:
        the raw columns → the network's inputs (``preprocessor_.feature_names_out_``).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from glassnet.sklearn import GlassClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = GlassClassifier(solver="lbfgs", random_state=0).fit(X, y)
    >>> clf.network_.layers[0].weights.shape
    (4, 100)
    """

    _scorer = staticmethod(accuracy_score)

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: int | str = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: bool = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        max_fun: int = 15000,
        class_weight: dict[Any, float] | list[dict[Any, float]] | str | None = None,
        categorical_features: str | None = None,
    ) -> None:
        self._keep_params(locals())

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    def _validate_input(
        self, X: Any, y: Any, sample_weight: Any, incremental: bool, reset: bool
    ) -> tuple[Any, Array, Array | None]:
        X, y = self._check_data(X, y, sample_weight, reset, y_numeric=False)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start and not incremental and set(classes) != set(self.classes_):
                # scikit-learn's words (its tests match them), then the fix
                raise ValueError(
                    "warm_start can only be used where `y` has the same classes as in the "
                    f"previous call to fit. Previously got {self.classes_}, `y` has {classes}; "
                    "set warm_start=False to train on these classes from scratch"
                )
            unknown = np.setdiff1d(classes, self.classes_)
            if len(unknown):
                raise ValueError(
                    f"y has classes {unknown.tolist()} not in classes_ "
                    f"{self.classes_.tolist()}; pass every class to the first partial_fit"
                )
        Y = self._label_binarizer.transform(y).astype(X.dtype)
        if self.class_weight is None:
            return X, Y, None
        if self._label_binarizer.y_type_ == "multilabel-indicator" and isinstance(
            self.class_weight, dict
        ):
            # a multi-hot row has no one class whose weight it could take
            raise ValueError(
                f"y is multilabel ({Y.shape[1]} label columns), so class_weight must be "
                "'balanced' or a list of one dict {0: weight, 1: weight} per label column; "
                "a sample's weight is then the product over its labels"
            )
        # keys are class labels, as in every scikit-learn classifier; for a multilabel y,
        # scikit-learn's multi-output rule: each label column is an output with classes 0
        # and 1, and a sample's weight is the product of its columns' weights
        return X, Y, compute_sample_weight(self.class_weight, y).astype(X.dtype)

    def _stratify(self, Y: Array) -> Array | None:
        # as scikit-learn 1.9 does, to hold out the same samples: stratified for two classes
        # only (its docstring promises it for every non-multilabel target; its code checks
        # n_outputs_ == 1)
        # as booleans, as scikit-learn's labels are, so a failing split names the class as
        # its message does ('True'); the split itself is the same for 0.0/1.0
        return Y.astype(bool) if self.n_outputs_ == 1 else None

    def _task(self) -> str:
        # one sigmoid output for two classes, softmax for more, a sigmoid per label
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            return "multilabel"
        return "classification"

    def _metadata(self) -> dict[str, Any]:
        return {**super()._metadata(), "classes": self.classes_.tolist()}

    def _targets(self, Y: Array) -> Array:
        # glassnet's one rule (predicted_classes): one sigmoid output is the second class at
        # >= 0.5 (MLPClassifier says > 0.5: they differ only at exactly 0.5), softmax outputs
        # the largest, the first on a tie; each label of a multilabel target as one output
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            return (Y >= 0.5).astype(np.int64)
        if len(self.classes_) == 1:  # fitted on one class: it is the only answer
            return np.repeat(self.classes_, Y.shape[0])
        return self.classes_[predicted_classes(Y)]  # type: ignore[no-any-return]

    @available_if(lambda est: est._check_solver())  # type: ignore[untyped-decorator]
    def partial_fit(
        self, X: Any, y: Any, sample_weight: Any = None, classes: Any = None
    ) -> GlassClassifier:
        """One epoch over ``X``, ``y``, continuing from the current weights.

        Parameters
        ----------
        X : (n_samples, n_features).
        y : (n_samples,) class labels.
        sample_weight : (n_samples,), optional.
        classes : every class label; required on the first call (``y`` may lack some).
        """
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' needs the whole data set and so is not supported by "
                "partial_fit; pass a dict {class: weight} instead"
            )
        first_call = not hasattr(self, "classes_")
        if first_call and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit")
        if classes is not None:
            classes = unique_labels(classes)
            if not first_call and not np.array_equal(classes, self.classes_):
                raise ValueError(
                    f"classes={classes.tolist()} differs from the first call's "
                    f"{self.classes_.tolist()}"
                )
            if first_call:
                # a multilabel y is its own list of labels (one 0/1 column each), as in
                # MLPClassifier; fitting the binarizer on `classes` would make it multiclass
                multilabel = type_of_target(y).startswith("multilabel")
                binarizer = LabelBinarizer().fit(y if multilabel else classes)
                if multilabel and not np.array_equal(classes, binarizer.classes_):
                    raise ValueError(
                        f"y is multilabel with {len(binarizer.classes_)} label columns, so "
                        f"classes must be their indices {binarizer.classes_.tolist()}; got "
                        f"{shown(classes.tolist())}"
                    )
                self._label_binarizer = binarizer
                self.classes_ = binarizer.classes_
        return self._fit(X, y, sample_weight, incremental=True)  # type: ignore[no-any-return]

    def predict(self, X: Any) -> Array:
        """The predicted class of each row of ``X`` : (n_samples, n_features)."""
        return self._targets(self._output_activations(X))

    def predict_proba(self, X: Any) -> Array:
        """Class probabilities (n_samples, n_classes), columns in the order of ``classes_``."""
        outputs = self._output_activations(X)
        if self.n_outputs_ == 1:
            return np.hstack([1.0 - outputs, outputs])
        # a copy: not the output layer's own array, which trace and explain show
        probabilities: Array = outputs.copy()
        return probabilities

    def predict_log_proba(self, X: Any) -> Array:
        """``log(predict_proba(X))``."""
        probabilities = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(probabilities, out=probabilities)


class GlassRegressor(RegressorMixin, _GlassPerceptron):  # type: ignore[misc]
    """A multi-layer perceptron regressor: scikit-learn's ``MLPRegressor``, in glassnet.

    The parameters, defaults and fitted attributes are ``MLPRegressor``'s (see
    ``GlassClassifier`` for a summary). ``loss="squared_error"`` (the default): a linear
    ("identity") output and half the squared error, averaged over samples and outputs, plus
    the L2 term. ``loss="poisson"``, for counts (``y >= 0``): an ``exp`` output (the log
    link) and half the Poisson deviance, averaged over samples and summed over outputs, as
    ``MLPRegressor(loss="poisson")``. ``validation_scores_`` hold the R² of the validation
    set with ``early_stopping``. ``categorical_features``, ``preprocessor_`` and
    ``to_model()`` are as ``GlassClassifier``'s.

    ``network_`` is the trained glassnet ``Network``: save it with
    ``glassnet.save(reg, path)`` (which saves ``reg.to_model()``), export it with
    ``glassnet.onnx.export(reg, path)``. Its layers' ``l2`` is ``alpha / b`` after ``fit``, as
    for ``GlassClassifier``; its cost is glassnet's "mse" (the mean squared error) where
    ``loss_`` halves it, so with ``solver="lbfgs"`` and no sample weights
    ``loss_ == (network_.cost(X, y) + network_.penalty()) / 2`` (with ``loss="poisson"`` the
    cost is glassnet's "poisson" and ``loss_ == network_.cost(X, y) + network_.penalty()``).

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from glassnet.sklearn import GlassRegressor
    >>> X, y = make_regression(n_samples=200, n_features=5, noise=1, random_state=0)
    >>> reg = GlassRegressor(solver="lbfgs", random_state=0).fit(X, y)
    >>> round(reg.score(X, y), 2)
    1.0
    """

    _scorer = staticmethod(r2_score)

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: str = "relu",
        *,
        loss: str = "squared_error",
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: int | str = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: bool = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        max_fun: int = 15000,
        categorical_features: str | None = None,
    ) -> None:
        self._keep_params(locals())

    def _check_params(self) -> None:
        choice(self.loss, "loss", ("squared_error", "poisson"))
        super()._check_params()

    def _validate_input(
        self, X: Any, y: Any, sample_weight: Any, incremental: bool, reset: bool
    ) -> tuple[Any, Array, Array | None]:
        X, y = self._check_data(X, y, sample_weight, reset, y_numeric=True)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        Y = np.asarray(y, dtype=X.dtype).reshape(X.shape[0], -1)
        if self.loss == "poisson" and np.any(Y < 0):
            row = int(np.argwhere(Y < 0)[0, 0])
            raise ValueError(
                f"loss='poisson' needs targets >= 0 (counts); y is {Y[row].tolist()} at row "
                f"{row}. Use loss='squared_error' for a target that can be negative"
            )
        return X, Y, None

    def _task(self) -> str:
        # "poisson": an exp output (the log link) and half the Poisson deviance
        return "poisson" if self.loss == "poisson" else "regression"

    def _targets(self, Y: Array) -> Array:
        return Y.ravel() if Y.shape[1] == 1 else Y

    @available_if(lambda est: est._check_solver())  # type: ignore[untyped-decorator]
    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> GlassRegressor:
        """One epoch over ``X`` : (n_samples, n_features), ``y``, from the current weights."""
        return self._fit(X, y, sample_weight, incremental=True)  # type: ignore[no-any-return]

    def predict(self, X: Any) -> Array:
        """The predicted values: (n_samples,) for one output, else (n_samples, n_outputs)."""
        return self._targets(self._output_activations(X))
